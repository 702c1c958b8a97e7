"""Gaming signals of a past contest, each a comparison with a stated baseline.

* **close dates at the end**: the share of the eligible sellers' scored deals of the window
  closed in its last ``end_days`` days, against the comparison sellers' share of the same
  days (Fisher's exact test; a signal when the eligible share is higher at p < ``alpha``);
* **deal splitting**: won deals of an eligible seller to an account they had already won a
  deal from within ``split_days``, per month, in the window against the pre-period;
* **wins cancelled after the contest**: the share of the window's scored wins cancelled
  within ``cancel_days`` of its end, against the same share of the pre-period's wins
  (cancellations claw commissions back in compensation; contest prizes are not).

A signal needs at least ``min_cases`` cases, so that one odd deal raises none.
"""

from __future__ import annotations

import pandas as pd

from compass_nb.incentives.lift import Periods

SIGNAL_COLUMNS = ["signal", "contest", "baseline", "cases", "flag", "note"]


def _between(frame: pd.DataFrame, column: str, span) -> pd.DataFrame:
    return frame.loc[(frame[column] >= span[0]) & (frame[column] <= span[1])]


def end_clustering(
    events, eligible_ids, comparison_ids, periods: Periods, *, end_days, alpha, min_cases
) -> dict:
    """Close dates clustered at the contest's end (see the module)."""
    window = _between(events.dropna(subset=["opportunity_id"]), "date", periods.window)
    last = window["date"] > periods.window[1] - pd.Timedelta(days=end_days)
    e, c = window["rep_id"].isin(eligible_ids), window["rep_id"].isin(comparison_ids)
    e_in, e_all = int((e & last).sum()), int(e.sum())
    c_in, c_all = int((c & last).sum()), int(c.sum())
    share_e = e_in / e_all if e_all else float("nan")
    share_c = c_in / c_all if c_all else float("nan")
    if not e_all or not c_all:
        return _row(
            "close dates at the end",
            share_e,
            share_c,
            e_in,
            False,
            "not measured: no deals in the window for one of the groups",
        )
    from scipy.stats import fisher_exact  # scipy.stats takes about 0.7 s to import

    _, p = fisher_exact([[e_in, e_all - e_in], [c_in, c_all - c_in]], alternative="greater")
    flag = bool(p < alpha and e_in >= min_cases)
    note = f"last {end_days} days; Fisher's exact test p = {p:.3f}"
    return _row("close dates at the end", share_e, share_c, e_in, flag, note)


def splitting(events, eligible_ids, periods: Periods, *, split_days, min_cases) -> dict:
    """Repeat wins at one account by one seller within ``split_days``, per month."""
    deals = events.dropna(subset=["opportunity_id", "account"])
    deals = deals.loc[deals["rep_id"].isin(eligible_ids)].sort_values("date")
    gap = deals.groupby(["rep_id", "account"])["date"].diff().dt.days
    repeats = deals.loc[gap <= split_days]
    inside = len(_between(repeats, "date", periods.window))
    before = len(_between(repeats, "date", periods.pre))
    rate_w = inside / Periods.months(periods.window)
    rate_p = before / Periods.months(periods.pre)
    flag = bool(inside >= min_cases and rate_w > 2 * rate_p)
    note = f"repeat wins at one account within {split_days} days, per month"
    return _row("deal splitting", rate_w, rate_p, inside, flag, note)


def cancellations(events, eligible_ids, periods: Periods, *, cancel_days, min_cases) -> dict:
    """Scored wins cancelled within ``cancel_days`` after the window vs the pre-period."""
    deals = events.dropna(subset=["opportunity_id"])
    deals = deals.loc[deals["rep_id"].isin(eligible_ids)]
    lag = (deals["cancelled"] - deals["date"]).dt.days
    window = _between(deals, "date", periods.window)
    pre = _between(deals, "date", periods.pre)
    end = periods.window[1] + pd.Timedelta(days=cancel_days)
    cut = window["cancelled"].notna() & (window["cancelled"] <= end)
    pre_cut = pre["cancelled"].notna() & (
        lag.loc[pre.index] <= cancel_days + (periods.window[1] - periods.window[0]).days
    )
    share_w = cut.sum() / len(window) if len(window) else float("nan")
    share_p = pre_cut.sum() / len(pre) if len(pre) else float("nan")
    flag = bool(cut.sum() >= min_cases and share_w > 2 * share_p)
    note = f"cancelled within {cancel_days} days of the end; comp claws back commissions"
    return _row("wins cancelled after", share_w, share_p, int(cut.sum()), flag, note)


def _row(signal, contest, baseline, cases, flag, note) -> dict:
    return dict(zip(SIGNAL_COLUMNS, (signal, contest, baseline, cases, flag, note), strict=True))
