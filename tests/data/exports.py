"""Realistic exports of real systems, built from their documented headers, for the tests.

One simulated sales team (six sellers, deals moving through their CRM's stages, amounts
and close dates changed on the way) is written as each system writes it:

* **Salesforce**: an Opportunity report exported as CSV (field labels, the user's US
  locale for dates, ``USD 12,000.00`` amounts, 0/1 checkboxes, the report's footer) and
  ``OpportunityFieldHistory`` as Data Loader writes it (API names, every field quoted,
  ISO timestamps with ``Z``, one row per changed field, ``created`` events, other fields'
  changes too);
* **HubSpot**: the deals export (``Record ID``, ``Deal Stage`` labels, ``YYYY-MM-DD HH:MM``
  dates) and the deal property history (one row per property value, stage as internal id);
* a generic **order-line export** (a retail shop's lines, US dates, no products file).

Sellers, quotas and credit splits are the company's own files, in Compass's format (no
CRM export carries pay plans). Every event lies on or before ``LAST_EVENT``, a Friday
whose month ends on a weekend, so the default period is that month.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: The last event of the CRM samples: Friday 30 October 2026 (31 October is a Saturday).
LAST_EVENT = pd.Timestamp("2026-10-30 16:00")
FIRST_CREATED = pd.Timestamp("2025-01-06")
OWNERS = ("Ana Ruiz", "Ben Okafor", "Chloé Martin", "Dev Patel", "Eva Lindqvist", "Femi Adeyemi")

SALESFORCE_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)
HUBSPOT_STAGES = (
    ("appointmentscheduled", "Appointment Scheduled"),
    ("qualifiedtobuy", "Qualified To Buy"),
    ("presentationscheduled", "Presentation Scheduled"),
    ("decisionmakerboughtin", "Decision Maker Bought-In"),
    ("contractsent", "Contract Sent"),
)


@dataclass
class Change:
    at: pd.Timestamp
    field: str  # "stage", "amount" or "close_date"
    old: object
    new: object


@dataclass
class Deal:
    number: int
    owner: str
    created: pd.Timestamp
    stage: int  # index of the open stage reached, or "won"/"lost" below
    outcome: str  # "open", "won", "lost"
    amount: float
    close_date: pd.Timestamp
    changes: list[Change]
    initial: dict


def deals(open_stages: int, n: int = 90, seed: int = 11) -> list[Deal]:
    """``n`` deals of six sellers: each starts at the first stage, moves up a stage every one
    to four weeks, may have its amount or close date changed, and is won, lost or still
    open at ``LAST_EVENT``."""
    rng = np.random.default_rng(seed)
    span = (LAST_EVENT - pd.Timedelta(days=20) - FIRST_CREATED).days
    out = []
    for i in range(n):
        created = FIRST_CREATED + pd.Timedelta(days=int(rng.integers(0, span)), hours=9)
        created += pd.Timedelta(minutes=int(rng.integers(0, 480)))
        amount = float(round(rng.lognormal(9.6, 0.6), -2))
        close = (created + pd.Timedelta(days=int(rng.integers(45, 120)))).normalize()
        initial = {"stage": 0, "amount": amount, "close_date": close}
        state = dict(initial)
        changes: list[Change] = []
        at = created
        target = int(rng.integers(1, open_stages + 1))
        outcome = rng.choice(["won", "lost", "open"], p=[0.42, 0.38, 0.20])
        while True:
            at = at + pd.Timedelta(days=int(rng.integers(7, 29)), hours=int(rng.integers(0, 6)))
            if at > LAST_EVENT:
                outcome = "open"
                break
            if rng.random() < 0.15:
                new = float(round(state["amount"] * rng.uniform(0.7, 1.3), -2))
                changes.append(Change(at, "amount", state["amount"], new))
                state["amount"] = new
            if rng.random() < 0.15:
                new = state["close_date"] + pd.Timedelta(days=int(rng.integers(14, 45)))
                changes.append(Change(at, "close_date", state["close_date"], new))
                state["close_date"] = new
            if state["stage"] + 1 < target:
                changes.append(Change(at, "stage", state["stage"], state["stage"] + 1))
                state["stage"] += 1
                continue
            if outcome == "open":
                break
            final = "won" if outcome == "won" else "lost"
            changes.append(Change(at, "stage", state["stage"], final))
            if state["close_date"] != at.normalize():
                changes.append(Change(at, "close_date", state["close_date"], at.normalize()))
                state["close_date"] = at.normalize()
            state["stage"] = final
            break
        out.append(
            Deal(
                i + 1,
                OWNERS[i % len(OWNERS)],
                created,
                state["stage"],
                str(outcome),
                state["amount"],
                state["close_date"],
                changes,
                initial,
            )
        )
    last = next(d for d in reversed(out) if d.outcome == "open")
    new = float(round(last.amount * 1.1, -2))
    last.changes.append(Change(LAST_EVENT, "amount", last.amount, new))  # the latest event
    last.amount = new
    return out


def _sf_id(prefix: str, n: int) -> str:
    return f"{prefix}8d000002{n:05d}AAQ"[:18]


def _sf_stage(stage) -> str:
    if stage == "won":
        return "Closed Won"
    if stage == "lost":
        return "Closed Lost"
    return SALESFORCE_STAGES[stage]


def _us_date(day: pd.Timestamp) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _write(path: Path, header: list[str], rows: list[list], quote_all: bool = False) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def salesforce(folder: Path, n: int = 90) -> list[Deal]:
    """The Salesforce exports (report + field history) and the company's own files."""
    folder.mkdir(parents=True, exist_ok=True)
    made = deals(len(SALESFORCE_STAGES), n)
    header = [
        "Opportunity Owner",
        "Account Name",
        "Opportunity Name",
        "Stage",
        "Fiscal Period",
        "Amount",
        "Probability (%)",
        "Age",
        "Close Date",
        "Created Date",
        "Next Step",
        "Lead Source",
        "Type",
        "Opportunity ID",
        "Forecast Category",
        "Closed",
        "Won",
    ]
    rows = []
    for d in made:
        stage = _sf_stage(d.stage)
        closed = d.stage in ("won", "lost")
        category = "Closed" if d.stage == "won" else "Omitted" if d.stage == "lost" else "Pipeline"
        rows.append(
            [
                d.owner,
                f"Account {d.number % 37:02d}",
                f"Account {d.number % 37:02d} - {d.number}",
                stage,
                f"Q{(d.close_date.month - 1) // 3 + 1}-{d.close_date.year}",
                f"USD {d.amount:,.2f}",
                "100" if d.stage == "won" else "0" if d.stage == "lost" else "10",
                str((LAST_EVENT - d.created).days),
                _us_date(d.close_date),
                _us_date(d.created),
                "",
                "Web",
                "New Customer" if d.number % 3 else "Existing Customer - Upgrade",
                _sf_id("006", d.number),
                category,
                "1" if closed else "0",
                "1" if d.stage == "won" else "0",
            ]
        )
    path = folder / "opportunities.csv"
    _write(path, header, rows, quote_all=True)
    with open(path, "a", newline="", encoding="utf-8") as fh:  # the report's footer
        fh.write(
            "\n"
            f'"Grand Totals ({len(rows)} records)"\n'
            "\n"
            '"Confidential Information - Do Not Distribute"\n'
            '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
        )
    history = []
    k = 0
    for d in made:
        k += 1
        opp = _sf_id("006", d.number)
        history.append(
            [_sf_id("017", k), opp, "0058d000001XyZ", _iso(d.created), "created", "", ""]
        )
        for c in d.changes:
            k += 1
            field, old, new = _sf_field(c)
            history.append([_sf_id("017", k), opp, "0058d000001XyZ", _iso(c.at), field, old, new])
            if c.field == "stage":  # Salesforce tracks the probability too
                k += 1
                history.append(
                    [_sf_id("017", k), opp, "0058d000001XyZ", _iso(c.at), "Probability", "10", "20"]
                )
    _write(
        folder / "OpportunityFieldHistory.csv",
        ["Id", "OpportunityId", "CreatedById", "CreatedDate", "Field", "OldValue", "NewValue"],
        history,
        quote_all=True,
    )
    company_files(folder, made, key=lambda d: _sf_id("006", d.number))
    return made


def _iso(at: pd.Timestamp) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _sf_field(c: Change) -> tuple[str, str, str]:
    if c.field == "stage":
        return "StageName", _sf_stage(c.old), _sf_stage(c.new)
    if c.field == "amount":
        return "Amount", f"{c.old:g}", f"{c.new:g}"
    return "CloseDate", c.old.date().isoformat(), c.new.date().isoformat()


def _hs_stage(stage, internal: bool) -> str:
    if stage == "won":
        return "closedwon" if internal else "Closed Won"
    if stage == "lost":
        return "closedlost" if internal else "Closed Lost"
    return HUBSPOT_STAGES[stage][0 if internal else 1]


def hubspot(folder: Path, n: int = 90) -> list[Deal]:
    """The HubSpot exports (deals + property history) and the company's own files."""
    folder.mkdir(parents=True, exist_ok=True)
    made = deals(len(HUBSPOT_STAGES), n, seed=23)
    rows = [
        [
            str(9_000_000_000 + d.number),
            f"Deal {d.number}",
            _hs_stage(d.stage, internal=False),
            d.close_date.strftime("%Y-%m-%d %H:%M"),
            d.created.strftime("%Y-%m-%d %H:%M"),
            d.owner,
            f"{d.amount:.0f}",
            "Sales Pipeline",
            "New Business" if d.number % 4 else "Existing Business",
        ]
        for d in made
    ]
    _write(
        folder / "opportunities.csv",
        [
            "Record ID",
            "Deal Name",
            "Deal Stage",
            "Close Date",
            "Create Date",
            "Deal owner",
            "Amount",
            "Pipeline",
            "Deal Type",
        ],
        rows,
    )
    history = []
    for d in made:
        deal = str(9_000_000_000 + d.number)
        at = d.created.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        history += [
            [deal, "dealstage", _hs_stage(0, internal=True), at, "CRM_UI"],
            [deal, "amount", f"{d.initial['amount']:.0f}", at, "CRM_UI"],
            [
                deal,
                "closedate",
                d.initial["close_date"].strftime("%Y-%m-%dT00:00:00Z"),
                at,
                "CRM_UI",
            ],
            [deal, "hs_deal_stage_probability", "0.2", at, "CALCULATED"],
        ]
        for c in d.changes:
            when = c.at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            if c.field == "stage":
                value = _hs_stage(c.new, internal=True)
            elif c.field == "amount":
                value = f"{c.new:.0f}"
            else:
                value = c.new.strftime("%Y-%m-%dT00:00:00Z")
            name = {"stage": "dealstage", "amount": "amount", "close_date": "closedate"}[c.field]
            history.append([deal, name, value, when, "CRM_UI"])
    _write(
        folder / "opportunity_history.csv",
        ["dealId", "property", "value", "timestamp", "sourceType"],
        history,
    )
    company_files(folder, made, key=lambda d: str(9_000_000_000 + d.number))
    return made


def company_files(folder: Path, made: list[Deal], key) -> None:
    """Sellers (keyed by their name, as the CRM exports show owners), quotas and splits."""
    reps = pd.DataFrame(
        {
            "rep_id": OWNERS,
            "name": OWNERS,
            "team": ["East", "East", "East", "West", "West", "West"],
            "role": "AE",
            "hire_date": "2023-01-02",
            "base_salary": 60000,
            "ote": 120000,
            "plan_id": "ae",
        }
    )
    reps.to_csv(folder / "reps.csv", index=False)
    quarters = pd.period_range("2025-01", "2026-12", freq="M").astype(str)
    pd.DataFrame(
        [(r, p, 40000) for r in OWNERS for p in quarters], columns=["rep_id", "period", "quota"]
    ).to_csv(folder / "quotas.csv", index=False)
    pd.DataFrame(
        [(key(d), d.owner, 100) for d in made if d.stage == "won"],
        columns=["opportunity_id", "rep_id", "split_pct"],
    ).to_csv(folder / "credit_splits.csv", index=False)
    pd.DataFrame(
        {"team": ["Company", "East", "West"], "parent_team": [None, "Company", "Company"]}
    ).to_csv(folder / "org_units.csv", index=False)


def order_lines(folder: Path, days: int = 730, seed: int = 5) -> pd.DataFrame:
    """A retail shop's order-line export: US dates (M/D/YYYY), its own headers, no products.

    Lines run from 2022-01-01 to Saturday 2023-12-30 (31 December 2023 is a Sunday).
    Returns the lines as written (for totals worked out independently).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-01-01")
    products = [("FUR-CH-10001", 120.0), ("OFF-PA-10002", 12.5), ("TEC-PH-10003", 310.0)]
    regions = ("East", "West", "Central")
    rows = []
    for day in pd.date_range(start, "2023-12-30"):
        for _ in range(int(rng.integers(0, 4))):
            sku, price = products[int(rng.integers(0, 3))]
            qty = int(rng.integers(1, 6))
            rows.append(
                {
                    "Row ID": len(rows) + 1,
                    "Order ID": f"US-{day.year}-{100000 + len(rows)}",
                    "Order Date": _us_date(day),
                    "Ship Date": _us_date(day + pd.Timedelta(days=4)),
                    "Ship Mode": "Standard Class",
                    "Customer ID": f"CU-{int(rng.integers(100, 999))}",
                    "Region": regions[int(rng.integers(0, 3))],
                    "Product ID": sku,
                    "Sales": round(qty * price, 2),
                    "Quantity": qty,
                    "Discount": 0,
                }
            )
    last = rows[-1]
    last["Order Date"] = "12/30/2023"  # the last line falls on Saturday 30 December
    frame = pd.DataFrame(rows)
    frame.to_csv(folder / "orders.csv", index=False)
    return frame
