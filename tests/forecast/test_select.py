import numpy as np
import pandas as pd
import pytest

from compass_nb.forecast.select import (
    COMBINATION,
    apply_choice,
    backtest_scores,
    choose_models,
    combine,
    learn_ratio,
)


def _bt(rows):
    """Backtest rows (unique_id, window, y, A, B) -> frame with a step column."""
    bt = pd.DataFrame(rows, columns=["unique_id", "window", "y", "A", "B"])
    bt["step"] = bt.groupby(["unique_id", "window"]).cumcount() + 1
    return bt


def test_the_combination_is_the_mean_of_the_members_that_forecast():
    got = combine(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [2.0, 4.0, 9.0]]))
    assert got[0] == 2.0 and np.isnan(got[1]) and got[2] == 5.0


def test_scores_are_mean_absolute_errors_on_the_rows_every_option_forecasts():
    bt = _bt([("s", 0, 10.0, 12.0, 7.0), ("s", 0, 10.0, 9.0, np.nan), ("s", 1, 10.0, 11.0, 8.0)])
    sc = backtest_scores(bt, {"s": ("A", "B")}).set_index("option")
    # rows 1 and 3: A errs 2 and 1, B 3 and 2, the combination (9.5, 9.5) 0.5 and 0.5
    assert sc["mae"].to_dict() == pytest.approx({"A": 1.5, "B": 2.5, COMBINATION: 0.5})
    assert (sc["n"] == 2).all()
    assert backtest_scores(bt.iloc[[1]], {"s": ("A", "B")}).empty


def test_ratio_zero_always_combines_and_one_picks_the_best_option():
    sc = pd.DataFrame(
        {"unique_id": "s", "option": ["A", "B", COMBINATION], "mae": [1.0, 3.0, 1.2], "n": 4}
    )
    route = {"s": ("A", "B"), "t": ("A", "B"), "u": ("A",)}
    assert choose_models(sc, route, ratio=0.0) == {"s": COMBINATION, "t": COMBINATION, "u": "A"}
    assert choose_models(sc, route, ratio=1.0)["s"] == "A"
    assert choose_models(sc, route, ratio=0.8)["s"] == COMBINATION  # 1.0 is not < 0.96


def test_a_missing_score_keeps_the_combination():
    sc = pd.DataFrame(
        {"unique_id": "s", "option": ["A", "B", COMBINATION], "mae": [0.1, np.nan, 1.0], "n": 4}
    )
    assert choose_models(sc, {"s": ("A", "B")}, ratio=1.0)["s"] == COMBINATION


def test_apply_choice_takes_the_chosen_column_or_the_available_mean():
    wide = pd.DataFrame({"unique_id": ["s", "t"], "A": [1.0, 4.0], "B": [3.0, np.nan]})
    out = apply_choice(
        wide, {"s": COMBINATION, "t": COMBINATION}, {"s": ("A", "B"), "t": ("A", "B")}, ()
    )
    assert out["yhat"].tolist() == [2.0, 4.0]
    out = apply_choice(wide, {"s": "B", "t": "A"}, {"s": ("A", "B"), "t": ("A", "B")}, ())
    assert out["yhat"].tolist() == [3.0, 4.0]


def test_the_ratio_is_learnt_as_selection_when_one_model_is_reliably_better():
    # A is exact in both windows, B far off: choosing A on window 1 also wins window 0.
    rows = [(u, w, 10.0, 10.0, 16.0) for u in "st" for w in (0, 1) for _ in range(3)]
    route = {"s": ("A", "B"), "t": ("A", "B")}
    got = learn_ratio(_bt(rows), route, pd.Series({"s": 1.0, "t": 1.0}))
    assert got == 0.6  # 0.6 and 0.8 both pick A: the tie goes to the earlier ratio


def test_the_ratio_is_learnt_as_zero_when_the_backtest_winner_changes():
    # Window 1: A errs +0.5, B -3, combination -1.25: A looks clearly better (0.5 < 0.6 * 1.25).
    # Window 0: A errs +3, B -0.5, combination +1.25: choosing A would have been worse.
    rows = [("s", 1, 10.0, 10.5, 7.0), ("s", 0, 10.0, 13.0, 9.5)]
    got = learn_ratio(_bt(rows), {"s": ("A", "B")}, pd.Series({"s": 1.0}))
    assert got == 0.0


def test_no_ratio_is_learnt_from_a_single_window():
    rows = [("s", 0, 10.0, 10.0, 16.0)]
    assert learn_ratio(_bt(rows), {"s": ("A", "B")}, pd.Series({"s": 1.0})) is None


def test_no_ratio_is_learnt_when_the_older_windows_miss_most_series():
    # s and t are complete in window 0, but in window 1 only s is (B is missing for t)
    rows = [(u, 0, 10.0, 10.0, 16.0) for u in "st"]
    rows += [("s", 1, 10.0, 10.0, 16.0), ("t", 1, 10.0, 10.0, np.nan)]
    scales = pd.Series({"s": 1.0, "t": 1.0})
    route = {"s": ("A", "B"), "t": ("A", "B")}
    assert learn_ratio(_bt(rows), route, scales) == 0.6  # half the series: still learnt
    rows[2] = ("s", 1, 10.0, 10.0, np.nan)
    assert learn_ratio(_bt(rows), route, scales) is None
