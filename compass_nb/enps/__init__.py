"""Employee engagement: eNPS and pulse surveys, with honest uncertainty and anonymity that holds."""

from compass_nb.enps.anonymity import group_pattern, reporting_groups, suppression_log, unsafe_atoms
from compass_nb.enps.results import Engagement, engagement
from compass_nb.enps.scores import Buckets, enps_table, signed_bucket
from compass_nb.enps.settings import Settings
from compass_nb.enps.uncertainty import bootstrap_change, bootstrap_enps, fdr_calls
from compass_nb.enps.validate import clean_survey
from compass_nb.enps.versions import Published

__all__ = [
    "Buckets",
    "Engagement",
    "Published",
    "Settings",
    "bootstrap_change",
    "bootstrap_enps",
    "clean_survey",
    "engagement",
    "enps_table",
    "fdr_calls",
    "group_pattern",
    "reporting_groups",
    "signed_bucket",
    "suppression_log",
    "unsafe_atoms",
]
