"""Employee engagement: eNPS and pulse surveys, with honest uncertainty and anonymity that holds."""

from compass_nb.enps.anonymity import reporting_groups, suppression_log, suppression_pattern
from compass_nb.enps.results import Engagement, Settings, engagement
from compass_nb.enps.scores import Buckets, enps_table, signed_bucket
from compass_nb.enps.uncertainty import bootstrap_interval, change_between, enps_standard_error
from compass_nb.enps.validate import clean_survey

__all__ = [
    "Buckets",
    "Engagement",
    "Settings",
    "bootstrap_interval",
    "change_between",
    "clean_survey",
    "engagement",
    "enps_standard_error",
    "enps_table",
    "reporting_groups",
    "signed_bucket",
    "suppression_log",
    "suppression_pattern",
]
