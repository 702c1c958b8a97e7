import pandas as pd
import pytest

from compass_nb.enps.scores import Buckets, enps_from_shares, enps_table, signed_bucket
from compass_nb.errors import ParameterError


def _answers(promoters, passives, detractors):
    scores = [10] * promoters + [7] * passives + [3] * detractors
    return pd.DataFrame({"g": "all", "score": scores})


@pytest.mark.parametrize(
    ("mix", "expected"),
    [((25, 55, 20), 5.0), ((50, 30, 20), 30.0), ((70, 20, 10), 60.0)],
)
def test_enps_is_percent_promoters_minus_percent_detractors(mix, expected):
    table = enps_table(_answers(*mix), ["g"])
    assert table["enps"].iloc[0] == pytest.approx(expected)
    assert table[["pct_promoters", "pct_passives", "pct_detractors"]].iloc[
        0
    ].tolist() == pytest.approx(list(mix))


def test_enps_from_shares_spans_minus_100_to_100():
    assert enps_from_shares(1.0, 0.0) == 100.0
    assert enps_from_shares(0.0, 1.0) == -100.0
    assert enps_from_shares(0.7, 0.1) == pytest.approx(60.0)


def test_default_buckets_put_9_and_10_in_promoters_and_0_to_6_in_detractors():
    signed = signed_bucket(pd.Series(range(11)))
    assert signed.tolist() == [-1] * 7 + [0, 0] + [1, 1]


def test_bucket_limits_are_parameters_on_a_1_to_10_scale():
    buckets = Buckets(scale_min=1, scale_max=10, promoter_min=8, detractor_max=5)
    assert signed_bucket(pd.Series([1, 5, 6, 7, 8, 10]), buckets).tolist() == [-1, -1, 0, 0, 1, 1]
    assert "scale 1–10" in buckets.describe() and "promoters 8–10" in buckets.describe()
    assert "detractors 1–5" in buckets.describe()


def test_inconsistent_bucket_limits_are_a_parameter_error_naming_the_section():
    with pytest.raises(ParameterError, match="enps section"):
        Buckets(promoter_min=6, detractor_max=6)
