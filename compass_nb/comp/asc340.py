"""ASC 340-40 (and IFRS 15 §91–104): commissions capitalised and amortised over the customer life.

Commissions are an incremental cost of obtaining a contract: finance capitalises them and
expenses them over the period the customer is expected to stay, not when they are paid.
Compass builds the schedule from the payout trace:

* **capitalised**: every deal-linked line (commission, per-deal cap, deal SPIF) of a deal of
  a capitalised type, in the month it is paid; a later line of the same deal (a quarter's
  true-up) is a new layer from its own month. Pay not tied to a deal (draws, gates, caps,
  activity pay, awards) is expensed as incurred and is not in the schedule;
* **amortisation**: each layer straight-line over ``life_months`` from the month it is paid,
  to the cent (half-up; the last month takes what rounding left, so a layer amortises to
  exactly its amount);
* **cancellation**: in the month a deal is cancelled, what its clawback lines recovered
  reduces the asset, and what remains unamortised is **impaired** (written off, negative
  when the recovery exceeded the balance); nothing of the deal is amortised from then on.

Example: 3,600.00 paid in January on a deal, life 36 months: 100.00 a month. Cancelled in
April with a 50 % clawback (−1,800.00): January–March amortise 300.00, April recovers
1,800.00 and impairs the remaining 3,300.00 − 1,800.00 = 1,500.00.

The schedule names sellers and deals: it goes to the private folder only.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

CENT = Decimal("0.01")
ZERO = Decimal(0)
CAPITALISED_KINDS = ("commission", "deal_cap", "spif")
LAYER_COLUMNS = ["rep_id", "opportunity_id", "paid_in", "capitalised"]
SCHEDULE_COLUMNS = [
    "rep_id",
    "opportunity_id",
    "period",
    "capitalised",
    "amortisation",
    "recovered",
    "impairment",
    "balance",
]
JOURNAL_COLUMNS = ["period", "capitalised", "amortisation", "recovered", "impairment", "balance"]


def _month(period: str, k: int) -> str:
    """``period`` plus ``k`` months (``YYYY-MM``)."""
    n = int(period[:4]) * 12 + int(period[5:7]) - 1 + k
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def amortisation(amount: Decimal, life_months: int) -> list[Decimal]:
    """``amount`` spread straight-line over ``life_months`` months, to the cent; the last
    month takes the rounding, so the parts add up to ``amount`` exactly.

    Examples
    --------
    >>> amortisation(Decimal("100.00"), 3)
    [Decimal('33.33'), Decimal('33.33'), Decimal('33.34')]
    """
    part = (amount / life_months).quantize(CENT, rounding=ROUND_HALF_UP)
    return [part] * (life_months - 1) + [amount - part * (life_months - 1)]


def layers(lines: pd.DataFrame, credits: pd.DataFrame, types: tuple[str, ...]) -> pd.DataFrame:
    """What was capitalised: per seller, deal and month paid, the deal-linked lines' sum.

    Parameters
    ----------
    lines
        The engine's trace (``Payouts.lines``).
    credits
        The credited deals (``Payouts.credits``: ``opportunity_id, type``).
    types
        Deal types capitalised (e.g. ``new``, ``expansion``, ``renewal``).
    """
    kinds = lines.loc[lines["kind"].isin(CAPITALISED_KINDS) & lines["opportunity_id"].notna()]
    kinds = kinds.loc[(kinds["kind"] != "spif") | kinds["credit"].notna()]
    deal_type = credits.drop_duplicates("opportunity_id").set_index("opportunity_id")["type"]
    kinds = kinds.loc[kinds["opportunity_id"].map(deal_type).fillna("new").isin(types)]
    grouped = kinds.groupby(["rep_id", "opportunity_id", "period"])["amount"].apply(
        lambda s: sum(s, ZERO)
    )
    out = grouped.rename("capitalised").reset_index().rename(columns={"period": "paid_in"})
    return out.loc[out["capitalised"] != 0, LAYER_COLUMNS].reset_index(drop=True)


def _recoveries(lines: pd.DataFrame) -> dict[tuple[str, str], Decimal]:
    claws = lines.loc[lines["kind"] == "clawback_cancel"]
    sums = claws.groupby(["rep_id", "opportunity_id"])["amount"].apply(lambda s: -sum(s, ZERO))
    return sums.to_dict()


def schedule(
    lines: pd.DataFrame,
    credits: pd.DataFrame,
    *,
    through: str,
    life_months: int,
    types: tuple[str, ...],
) -> pd.DataFrame:
    """The monthly schedule of every seller and deal up to ``through``.

    Returns
    -------
    pandas.DataFrame
        ``SCHEDULE_COLUMNS``, one row per seller, deal and month from the first payment to
        ``through`` (or to the cancellation); amounts are exact decimals.
    """
    cancelled = credits.dropna(subset=["cancelled_date"]).drop_duplicates("opportunity_id")
    cancel_month = {
        o: pd.Timestamp(d).strftime("%Y-%m")
        for o, d in zip(cancelled["opportunity_id"], cancelled["cancelled_date"], strict=True)
    }
    recovered = _recoveries(lines)
    rows = []
    table = layers(lines, credits, types).sort_values(["rep_id", "opportunity_id", "paid_in"])
    grouped: dict[tuple, list] = {}
    for rep, deal, paid_in, amount in zip(
        table["rep_id"],
        table["opportunity_id"],
        table["paid_in"],
        table["capitalised"],
        strict=True,
    ):
        grouped.setdefault((rep, deal), []).append((paid_in, amount))
    for (rep, deal), deal_layers in grouped.items():
        rows += _deal_rows(
            rep, deal, deal_layers, through, life_months, cancel_month.get(deal), recovered
        )
    return pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)


def _months_between(first: str, last: str) -> list[str]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = _month(month, 1)
    return out


def _deal_rows(rep, deal, deal_layers, through, life, cancel, recovered) -> list[dict]:
    """``deal_layers``: ``(month paid, amount)`` of one seller's deal, oldest first."""
    first = deal_layers[0][0]
    end = min(through, cancel) if cancel is not None and cancel <= through else through
    months = _months_between(first, end)
    parts: dict[str, Decimal] = {}
    added: dict[str, Decimal] = {}
    for paid_in, amount in deal_layers:
        added[paid_in] = added.get(paid_in, ZERO) + amount
        for k, part in enumerate(amortisation(amount, life)):
            month = _month(paid_in, k)
            if month > end:
                break
            parts[month] = parts.get(month, ZERO) + part
    rows, balance = [], ZERO
    for month in months:
        cancelling = cancel is not None and month == cancel
        cap = added.get(month, ZERO)
        balance += cap
        amort = ZERO if cancelling else parts.get(month, ZERO)
        balance -= amort
        back = recovered.get((rep, deal), ZERO) if cancelling else ZERO
        impaired = balance - back if cancelling else ZERO
        if cancelling:
            balance = ZERO
        rows.append(
            {
                "rep_id": rep,
                "opportunity_id": deal,
                "period": month,
                "capitalised": cap,
                "amortisation": amort,
                "recovered": back,
                "impairment": impaired,
                "balance": balance,
            }
        )
    return rows


def journal(table: pd.DataFrame) -> pd.DataFrame:
    """The schedule summed by month, for the books (company totals)."""
    if table.empty:
        return pd.DataFrame(columns=JOURNAL_COLUMNS)
    sums = table.groupby("period")[JOURNAL_COLUMNS[1:]].agg(lambda s: sum(s, ZERO))
    return sums.reset_index().loc[:, JOURNAL_COLUMNS]


def deal_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per seller and deal: capitalised, amortised, recovered, impaired and the balance at
    the end of the schedule (the export finance reconciles)."""
    columns = ["rep_id", "opportunity_id", "capitalised", "amortisation", "recovered", "impairment"]
    if table.empty:
        return pd.DataFrame(columns=[*columns, "balance"])
    keys = ["rep_id", "opportunity_id"]
    sums = table.groupby(keys)[columns[2:]].agg(lambda s: sum(s, ZERO))
    last = table.groupby(keys)["balance"].last()
    return sums.join(last).reset_index()
