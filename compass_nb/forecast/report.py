"""The forecasting report: everything the notebook shows, computed once, and the summary
sentences, each produced only when its premise holds in the tables beside it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compass_nb.forecast import accuracy, fva
from compass_nb.forecast.adjust import PlanRules
from compass_nb.forecast.classify import INTERMITTENT_CLASSES
from compass_nb.forecast.cycle import (
    CycleForecast,
    class_counts,
    cycle_nowcast,
    cycle_tracking,
    flagged_series,
    leaderboard,
    monthly_demand,
    past_snapshots,
    reselect_ids,
    run_cycle,
)
from compass_nb.forecast.empirical import lead_time_backtest, lead_time_demand, lead_time_months
from compass_nb.forecast.hierarchy import coherence_error
from compass_nb.forecast.nowcast import net_unit_prices, ranked_gaps
from compass_nb.formatting import money, pct, units

__all__ = ["ForecastReview", "review", "forecast_totals", "summary_lines", "COHERENCE_TOLERANCE"]

#: Largest relative gap between an upper level and the sum of its SKU × location forecasts
#: that still counts as adding up.
COHERENCE_TOLERANCE = 1e-6


@dataclass
class ForecastReview:
    """Everything the forecasting notebook shows, computed once."""

    cycle: CycleForecast
    signals: pd.DataFrame
    headline: dict
    totals: dict
    coherence: float
    benchmarks: pd.DataFrame
    accuracy_by_family: pd.DataFrame
    accuracy_by_location: pd.DataFrame
    coverage: pd.DataFrame
    lead_time: pd.DataFrame
    lead_time_coverage: dict
    accuracy_by_lag: pd.DataFrame
    fva: pd.DataFrame
    fva_family: pd.DataFrame
    fva_basis: str
    overrides: pd.DataFrame
    leaderboard: pd.DataFrame
    class_counts: pd.DataFrame
    flagged: pd.DataFrame
    nowcast: pd.DataFrame
    residuals: pd.DataFrame
    summary: list[str]


def forecast_totals(fc: pd.DataFrame, demand: pd.DataFrame) -> dict:
    """The total level's forecast over the horizon and the next 12 months, beside the
    last 12 months' actuals.

    Returns
    -------
    dict
        ``months`` (horizon length), ``first`` and ``last`` (months), ``units`` (over the
        horizon), ``next_12`` (the first 12 months; NaN for a shorter horizon),
        ``last_12`` (actuals of the 12 months up to the cut-off; NaN with less history),
        ``growth`` (``next_12`` over ``last_12`` − 1).
    """
    total = fc[fc["level"] == "total"].sort_values("ds")
    hist = demand.groupby("ds")["y"].sum().sort_index()
    months = int(total["ds"].nunique())
    next_12 = float(total["yhat"].head(12).sum()) if months >= 12 else np.nan
    last_12 = float(hist.tail(12).sum()) if len(hist) >= 12 else np.nan
    growth = next_12 / last_12 - 1 if np.isfinite(next_12) and last_12 and last_12 > 0 else np.nan
    return {
        "months": months,
        "first": total["ds"].min(),
        "last": total["ds"].max(),
        "units": float(total["yhat"].sum()),
        "next_12": next_12,
        "last_12": last_12,
        "growth": growth,
    }


def _lead_times(cycle: CycleForecast, products: pd.DataFrame, level, window: int):
    """Lead-time demand intervals of the intermittent SKU × location series, and their
    coverage at the backtest origins."""
    fc = cycle.forecast
    ids = fc.loc[
        (fc["level"] == "sku_location") & fc["demand_class"].isin(INTERMITTENT_CLASSES),
        ["unique_id", "sku"],
    ].drop_duplicates("unique_id")
    hist = cycle.history[cycle.history["unique_id"].isin(set(ids["unique_id"]))]
    if ids.empty or "lead_time_days" not in products:
        return pd.DataFrame(), {}
    days = products.drop_duplicates("sku").set_index("sku")["lead_time_days"]
    lead = lead_time_months(ids.set_index("unique_id")["sku"].map(days))
    table = lead_time_demand(hist[["unique_id", "ds", "y"]], lead, level, window)
    table = ids.merge(table, on="unique_id")
    origins = sorted(cycle.evaluated["origin"].dropna().unique())
    bt = lead_time_backtest(hist[["unique_id", "ds", "y"]], origins, lead, level, window)
    cov = {
        lv: float(((bt["actual"] >= bt[f"lo_{lv}"]) & (bt["actual"] <= bt[f"hi_{lv}"])).mean())
        for lv in level
        if len(bt)
    }
    cov["n"] = len(bt)
    return table, cov


def review(
    orders: pd.DataFrame,
    products: pd.DataFrame,
    overrides: pd.DataFrame,
    snapshots: pd.DataFrame,
    consensus: pd.DataFrame,
    mtd_orders: pd.DataFrame,
    *,
    period: str,
    cutoff: pd.Timestamp,
    horizon: int,
    level,
    rules: PlanRules,
    lags,
    fva_max_lag: int,
    coverage_tolerance: float,
    currency: str,
    views: bool = True,
    **options,
) -> ForecastReview:
    """The forecasting step: demand, the cycle's forecast, its honest backtest, past
    cycles' accuracy, forecast value added and the nowcast.

    ``snapshots`` and ``consensus`` are the stored forecasts and consensus plans of every
    cycle (the earlier ones are used); ``options`` go to :func:`.cycle.run_cycle`
    (``candidates``, ``backtest_windows``, ``n_jobs``, ``executor``, ``scheduler``).
    ``views=False`` (a cycle no page shows) leaves the fields in :data:`VIEWS` empty.
    """
    settings = dict(level=level, rules=rules, lags=lags, fva_max_lag=fva_max_lag)
    demand = monthly_demand(orders, products, cutoff)
    past = past_snapshots(snapshots, period)
    signals = cycle_tracking(past, demand)
    cycle = run_cycle(
        demand,
        horizon,
        level,
        products=products,
        rules=rules,
        reselect=reselect_ids(signals),
        **options,
    )
    ev = cycle.evaluated
    now = cycle_nowcast(cycle.forecast, mtd_orders, orders)
    shown = (
        _views(cycle, signals, demand, past, overrides, consensus, products, period, **settings)
        if views
        else _no_views()
    )
    out = ForecastReview(
        cycle=cycle,
        signals=signals,
        headline=accuracy.headline(ev),
        totals=forecast_totals(cycle.forecast, demand),
        coherence=coherence_error(cycle.forecast),
        nowcast=ranked_gaps(now, net_unit_prices(orders, products)),
        residuals=accuracy.forecast_residuals(ev),
        summary=[],
        **shown,
    )
    if views:
        out.summary = summary_lines(out, rules, coverage_tolerance, currency)
    return out


#: The review's fields only the forecasting page shows (``review(views=False)`` leaves
#: them empty): neither the store nor a headline figure holds them.
VIEWS = (
    "benchmarks",
    "accuracy_by_family",
    "accuracy_by_location",
    "coverage",
    "lead_time",
    "lead_time_coverage",
    "accuracy_by_lag",
    "fva",
    "fva_family",
    "fva_basis",
    "overrides",
    "leaderboard",
    "class_counts",
    "flagged",
)


def _no_views() -> dict:
    return {name: pd.DataFrame() for name in VIEWS} | {"lead_time_coverage": {}, "fva_basis": ""}


def _views(
    cycle,
    signals,
    demand,
    past,
    overrides,
    consensus,
    products,
    period,
    *,
    level,
    rules,
    lags,
    fva_max_lag,
) -> dict:
    """The fields in :data:`VIEWS`, for a cycle whose page shows them."""
    ev = cycle.evaluated
    methods = accuracy.interval_methods(cycle.result.coverage, cycle.interval_factors)
    past_consensus = _earlier(consensus, period)
    if len(past) and (past["level"] == "sku_location").any():
        cells, notes = fva.past_cycle_cells(
            past, demand, overrides, past_consensus, period, fva_max_lag
        )
        basis = f"past cycles' forecasts 1 to {int(fva_max_lag)} months ahead"
    else:
        cells, notes = fva.backtest_cells(ev)
        basis = "the backtest (no forecast of a past cycle is stored yet)"
    lead, lead_cov = _lead_times(cycle, products, level, rules.empirical_window)
    return dict(
        benchmarks=accuracy.benchmark_table(ev),
        accuracy_by_family=accuracy.accuracy_by(ev, "family"),
        accuracy_by_location=accuracy.accuracy_by(ev, "location"),
        coverage=accuracy.coverage_table(ev, methods, level),
        lead_time=lead,
        lead_time_coverage=lead_cov,
        accuracy_by_lag=accuracy.accuracy_by_lag(past, demand, period, lags),
        fva=fva.fva_stairstep(cells, notes=notes),
        fva_family=fva.fva_stairstep(cells, by="family", notes=notes),
        fva_basis=basis,
        overrides=fva.override_outcomes(overrides, past, demand, period),
        leaderboard=leaderboard(cycle.result),
        class_counts=class_counts(cycle),
        flagged=flagged_series(cycle, signals),
    )


def _earlier(table: pd.DataFrame, period: str) -> pd.DataFrame:
    if table is None or table.empty or "period" not in table:
        return pd.DataFrame()
    return table[table["period"].astype(str) < str(period)]


# -- the summary ---------------------------------------------------------------------------


def _month(ts) -> str:
    return f"{pd.Timestamp(ts):%b %Y}"


def totals_lines(totals: dict, series: int) -> list[str]:
    """The horizon and its totals, each total with its months."""
    if not totals["months"]:
        return ["No forecast was produced: the orders hold no demand before the cut-off."]
    line = (
        f"{series} SKU × location series forecast {totals['months']} months ahead "
        f"({_month(totals['first'])} to {_month(totals['last'])}): "
        f"{units(totals['units'])} units over those {totals['months']} months."
    )
    out = [line]
    if np.isfinite(totals["next_12"]):
        end = pd.Timestamp(totals["first"]) + pd.DateOffset(months=11)
        text = (
            f"Next 12 months ({_month(totals['first'])} to {_month(end)}): "
            f"{units(totals['next_12'])} units"
        )
        if np.isfinite(totals["growth"]):
            text += (
                f" against {units(totals['last_12'])} in the last 12 months "
                f"({pct(totals['growth'], signed=True)})."
            )
        else:
            text += "; the history is shorter than 12 months, so no growth is stated."
        out.append(text)
    return out


def coherence_line(error: float) -> str:
    """Whether the upper levels add up to the planned SKU × location level."""
    if error <= COHERENCE_TOLERANCE:
        return (
            "Family, location and total forecasts are the exact sums of the SKU × location "
            f"forecasts (largest relative gap {error:.1e}); each keeps its own interval."
        )
    return (
        f"Warning: the upper levels do not add up to the SKU × location forecasts "
        f"(largest relative gap {pct(error)})."
    )


def lifecycle_lines(changes: pd.DataFrame, ramp) -> list[str]:
    """Phase-outs, pre-launch months and launches the forecast honours."""
    out = []
    if changes.empty:
        return out
    outs = changes[changes["change"] == "phase-out"]
    if len(outs):
        out.append(
            f"{len(outs)} discontinued SKU(s) get no forecast after their discontinue date "
            f"({units(outs['removed_units'].sum())} units the models would have forecast)."
        )
    pre = changes[changes["change"] == "pre-launch"]
    if len(pre):
        out.append(f"{len(pre)} SKU(s) get no forecast before their launch date.")
    new = changes[changes["change"] == "launch"]
    if len(new):
        steps = ", ".join(pct(r, digits=0) for r in ramp)
        out.append(
            f"{len(new)} launch(es) without history start from their family's forecast per item, "
            f"ramped {steps} over the first months ({units(new['forecast_units'].sum())} units)."
        )
    return out


def thin_line(forecast: pd.DataFrame, rules: PlanRules) -> list[str]:
    """How many series were capped as too thin to forecast boldly."""
    bottom = forecast[forecast["level"] == "sku_location"].drop_duplicates("unique_id")
    n = int(bottom["flag"].str.contains("thin-history", regex=False).sum())
    if not n:
        return []
    return [
        f"{n} series with demand in fewer than {rules.thin_min_nonzero} months are capped at "
        f"their last {rules.thin_window} months' rate (flag thin-history)."
    ]


def young_line(forecast: pd.DataFrame, rules: PlanRules) -> list[str]:
    """How many young series the models would have forecast past the cap of their best month."""
    bottom = forecast[forecast["level"] == "sku_location"]
    capped = bottom[bottom["flag"].str.contains("growth-capped", regex=False)]
    n = int(capped["unique_id"].nunique())
    if not n:
        return []
    return [
        f"{n} young series (first ordered fewer than {rules.young_months} months ago) would "
        f"have been forecast above {rules.young_cap:g} times their best month: capped there "
        f"(flag growth-capped): {units(capped['yhat'].sum())} units over the horizon where "
        f"the models forecast {units(capped['yhat_base'].sum())}."
    ]


def backtest_lines(head: dict, bench: pd.DataFrame) -> list[str]:
    """Backtest accuracy and how the chosen forecast compares with the benchmarks."""
    if not head["series"]:
        return ["Too little history for a backtest: accuracy is not measured."]
    out = [
        f"Backtest of the planned SKU × location forecasts ({head['series']} series, "
        f"{head['origins']} origin(s), {head['horizon']} months each): WAPE {pct(head['wape'])}, "
        f"bias {pct(head['bias'], signed=True)}, median MASE {head['mase']:.2f}."
    ]
    rows = bench.set_index("forecast")
    shares = [
        f"{name} on {pct(rows.loc[name, 'beaten_share'], digits=0)}"
        for name in rows.index[1:]
        if np.isfinite(rows.loc[name, "beaten_share"])
    ]
    if shares:
        out.append("The chosen forecast beats " + ", ".join(shares) + " of series.")
    better = [
        f"{name} at {pct(rows.loc[name, 'wape'])}"
        for name in rows.index[1:]
        if rows.loc[name, "wape"] < rows.loc["chosen forecast", "wape"]
    ]
    if better:
        out.append(
            f"A lower backtest WAPE than the chosen forecast's {pct(head['wape'])}: "
            + ", ".join(better)
            + "."
        )
    snaive = "seasonal naive (same month last year)"
    if snaive in rows.index and np.isfinite(rows.loc[snaive, "median_mase"]):
        mine, theirs = head["mase"], float(rows.loc[snaive, "median_mase"])
        if mine > theirs:
            out.append(
                f"Its median MASE ({mine:.2f}) is above seasonal naive's ({theirs:.2f}): on the "
                "median series, last year's same month would have been the better forecast."
            )
        else:
            out.append(
                f"Its median MASE ({mine:.2f}) is at or below seasonal naive's ({theirs:.2f})."
            )
    return out


def _extremes(table: pd.DataFrame, by: str, col: str = "bias") -> tuple:
    t = table.dropna(subset=[col])
    if t.empty:
        return None
    lo, hi = t.loc[t[col].idxmin()], t.loc[t[col].idxmax()]
    worst = t.loc[t[col].abs().idxmax()]
    return lo, hi, worst


def bias_lines(by_family: pd.DataFrame, by_location: pd.DataFrame) -> list[str]:
    """The range of bias by family and by location, naming the largest."""
    out = []
    for table, by, word in ((by_family, "family", "family"), (by_location, "location", "location")):
        ends = _extremes(table, by)
        if ends is None:
            continue
        lo, hi, worst = ends
        if len(table) == 1:
            out.append(f"Backtest bias of {word} {worst[by]}: {pct(worst['bias'], signed=True)}.")
            continue
        out.append(
            f"Backtest bias by {word} ranges from {pct(lo['bias'], signed=True)} ({lo[by]}) to "
            f"{pct(hi['bias'], signed=True)} ({hi[by]}); the largest in size is {worst[by]}'s."
        )
    wape = _extremes(by_family, "family", "wape")
    if wape is not None:
        worst = wape[1]
        out.append(f"The least accurate family is {worst['family']} (WAPE {pct(worst['wape'])}).")
    return out


def coverage_lines(cov: pd.DataFrame, head: dict, tolerance: float, level=(80, 95)) -> list[str]:
    """What the intervals held in the backtest, and which classes are off target."""
    if not head["series"]:
        return []
    out = [
        f"In the backtest, SKU × location 80 % intervals held {pct(head['coverage'])} and 95 % "
        f"intervals {pct(head['coverage_95'])} of actuals (targets 80 % and 95 %)."
    ]
    off, missing = [], []
    for row in cov.itertuples(index=False):
        name = row.demand_class if row.level == "SKU × location" else f"{row.level} level"
        for lv in level:
            got = getattr(row, f"coverage_{lv}")
            if not np.isfinite(got):
                if name not in missing:
                    missing.append(name)
            elif abs(got - lv / 100) > tolerance:
                off.append(f"{name} {lv} % at {pct(got, digits=0)}")
    if off:
        out.append(f"Off target by more than {pct(tolerance, digits=0)}: " + "; ".join(off) + ".")
    else:
        out.append(
            f"Every measured class and level is within {pct(tolerance, digits=0)} of its target."
        )
    if missing:
        out.append("Coverage not measured for " + ", ".join(missing) + " (no series).")
    return out


def lead_time_line(cov: dict) -> list[str]:
    """Coverage of the intermittent series' lead-time demand intervals at past origins."""
    if not cov or not cov.get("n"):
        return []
    parts = [f"{lv} % intervals held {pct(v, digits=0)}" for lv, v in cov.items() if lv != "n"]
    return [
        "Lead-time demand of intermittent series (empirical quantiles): "
        + " and ".join(parts)
        + f" of {cov['n']} lead-time totals at backtest origins."
    ]


def lag_lines(lags: pd.DataFrame) -> list[str]:
    """Accuracy of stored past forecasts by lag; the lags not measured, said so."""
    if lags.empty:
        return []
    done = lags[lags["cycles"] > 0]
    todo = lags[lags["cycles"] == 0]
    if done.empty:
        return [
            "Accuracy by lag is not measured yet: the store holds no forecast of a past cycle "
            f"for a closed month (run with --backfill {int(lags['lag'].max())})."
        ]
    parts = [
        f"lag {int(r.lag)} WAPE {pct(r.wape)} over {int(r.cycles)} cycle(s)"
        for r in done.itertuples(index=False)
    ]
    text = "Stored forecasts of past cycles (SKU × location): " + "; ".join(parts) + "."
    if len(todo):
        text += " Not measured yet: lag " + ", ".join(str(int(v)) for v in todo["lag"]) + "."
    return [text]


def fva_lines(table: pd.DataFrame, basis: str) -> list[str]:
    """Value each step added, or that it is not measured."""
    rows = table.set_index("step")
    parts = []
    for step, name in (
        ("statistical", "statistical"),
        ("override", "overrides"),
        ("consensus", "consensus"),
    ):
        if step not in rows.index:
            continue
        r = rows.loc[step]
        if not np.isfinite(r["fva"]):
            parts.append(f"{name} not measured")
        elif abs(r["fva"]) < 0.0005:
            parts.append(f"{name} changed WAPE by less than 0.05 points")
        else:
            verb = "lowered" if r["fva"] > 0 else "raised"
            parts.append(f"{name} {verb} WAPE by {abs(r['fva']) * 100:.1f} points")
    if not parts:
        return []
    return [f"Forecast value added on {basis}: " + "; ".join(parts) + "."]


def override_lines(outcomes: pd.DataFrame) -> list[str]:
    """How many past overrides could be measured at their cycle, and how they did."""
    if outcomes.empty:
        return []
    measured = outcomes[outcomes["improved"] != ""]
    text = f"Of {len(outcomes)} overrides, {len(measured)} could be measured against their cycle's stored forecast"
    if len(measured):
        better = int((measured["improved"] == "yes").sum())
        text += (
            f" ({better} reduced the error; together {units(measured['statistical_error'].sum())}"
            f" units off before the overrides, {units(measured['override_error'].sum())} after)"
        )
    stored = outcomes["note"].str.contains("no forecast of cycle", regex=False).sum()
    open_ = outcomes["note"].str.contains("not closed", regex=False).sum()
    rest = []
    if stored:
        verb = "was" if stored == 1 else "were"
        rest.append(f"{stored} {verb} made in cycles the store holds no forecast of")
    if open_:
        rest.append(f"{open_} adjust{'s a month' if open_ == 1 else ' months'} not closed yet")
    return [text + ("; " + ", ".join(rest) if rest else "") + "."]


def nowcast_lines(now: pd.DataFrame, currency: str) -> list[str]:
    """The nowcast of the open month and its largest gap."""
    if now.empty:
        return []
    share = float(now["share_elapsed"].iloc[0])
    month = _month(now["month"].iloc[0])
    top = now.iloc[0]
    side = "above" if top["gap_units"] > 0 else "below"
    return [
        f"Nowcast with {pct(share, digits=0)} of {month} elapsed: {units(now['nowcast'].sum())} "
        f"units against a forecast of {units(now['forecast'].sum())}; the largest gap is "
        f"{top['unique_id']}, {units(abs(top['gap_units']))} units "
        f"({money(abs(top['gap_value']), currency)}) {side} its forecast."
    ]


def summary_lines(
    r: ForecastReview, rules: PlanRules, tolerance: float, currency: str
) -> list[str]:
    """Headline sentences of the forecasting notebook, each true for the tables shown."""
    fc = r.cycle.forecast
    bottom = fc[fc["level"] == "sku_location"].drop_duplicates("unique_id")
    lines = totals_lines(r.totals, int(bottom["unique_id"].nunique()))
    lines.append(coherence_line(r.coherence))
    lines += lifecycle_lines(r.cycle.lifecycle, rules.launch_ramp)
    lines += thin_line(fc, rules)
    lines += young_line(fc, rules)
    lines += backtest_lines(r.headline, r.benchmarks)
    lines += bias_lines(r.accuracy_by_family, r.accuracy_by_location)
    lines += coverage_lines(r.coverage, r.headline, tolerance)
    lines += lead_time_line(r.lead_time_coverage)
    lines += lag_lines(r.accuracy_by_lag)
    lines += fva_lines(r.fva, r.fva_basis)
    lines += override_lines(r.overrides)
    if len(r.signals):
        flagged = int(r.signals["flagged"].sum())
        lines.append(
            f"{flagged} of {len(r.signals)} series left the ±4 tracking-signal band and were "
            "re-selected."
        )
    n_out = int(bottom["flag"].str.contains("outlier", regex=False).sum())
    if n_out:
        lines.append(
            f"{n_out} series had one-off spikes or stock-out zeros cleaned for fitting "
            "(a drop that runs to the end of a series is never cleaned)."
        )
    lines += nowcast_lines(r.nowcast, currency)
    if len(fc) and fc["candidate_set"].iloc[0] == "fast":
        lines.append("A very large panel: the cheaper 'fast' candidate set was used.")
    return lines
