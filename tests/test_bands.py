"""Bands that never stand for fewer sellers than the threshold."""

import pandas as pd

from compass_nb.bands import band_label, merged_bands


def test_adjacent_bands_merge_until_each_holds_the_minimum_group():
    values = pd.Series([0.1, 0.2, 0.3, 0.4, 0.45, 0.6, 0.9, 0.95, 1.0, 1.1, 1.3, 1.6, 2.5])
    labels, bands = merged_bands(values, (0.5, 0.8, 1.0, 1.2, 1.5, 2.0), 3)
    # 5 under 50 %; 50–80 % holds one (0.6), so it takes 80–100 % (0.9, 0.95): 3; the rest
    # (1.0 … 2.5) are five, each band above too small alone, merged into the last
    assert bands[["band", "count"]].values.tolist() == [
        ["under 50%", 5],
        ["50%–100%", 3],
        ["100% or more", 5],
    ]
    assert labels.iloc[5] == "50%–100%" and labels.iloc[-1] == "100% or more"


def test_a_seller_counted_twice_counts_once():
    values = pd.Series([0.1, 0.2, 0.9, 0.95])
    keys = pd.Series(["a", "a", "b", "c"])
    _, bands = merged_bands(values, (0.5,), 2, keys)
    # under 50 %: seller a alone (twice) is not enough, so it merges with b and c
    assert bands[["band", "count"]].values.tolist() == [["all attainments", 3]]


def test_fewer_sellers_than_the_minimum_in_all_show_no_band():
    labels, bands = merged_bands(pd.Series([0.1, 0.9]), (0.5,), 3)
    assert bands.empty and labels.isna().all()


def test_band_labels_read_as_percentages():
    assert band_label(float("-inf"), 0.5) == "under 50%"
    assert band_label(0.8, 1.0) == "80%–100%"
    assert band_label(2.0, float("inf")) == "200% or more"
