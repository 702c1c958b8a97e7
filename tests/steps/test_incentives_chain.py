"""The incentives step in the chain: its awards are SPIF lines of compensation's payouts."""

import pandas as pd
import pytest

from compass_nb import params, store
from compass_nb.comp.analysis import CompensationSettings
from compass_nb.comp.analysis import analyse as comp_analyse
from compass_nb.data import demo

PERIOD = "2026-10"


def test_the_contest_paid_in_the_cycle_is_in_compensations_payouts_as_spif_lines(chain):
    awards = store.read(chain.store, "spif_awards", periods=[PERIOD])
    due = awards.loc[awards["pay_period"] == PERIOD]
    assert set(due["spif_id"]) == {"2026-fall-meetings"} and due["amount"].sum() > 0
    payouts = store.read(chain.store, "payouts", periods=[PERIOD])
    spif = payouts.loc[(payouts["kind"] == "spif") & (payouts["opportunity_id"] == "")]
    paid = spif.groupby("rep_id")["amount_cents"].sum() / 100
    # the same SPIF lines without the contest: the plans' own activity SPIFs only
    tables = demo.generate("small")
    tables["activities"] = tables["activities"].loc[
        tables["activities"]["activity_date"] <= pd.Period(PERIOD, "M").end_time
    ]
    s = params.section_settings(CompensationSettings, "compensation", simulations=100)
    plain = comp_analyse(tables, PERIOD, settings=s, plans_dir="parameters/comp_plans")
    lines = plain.result.lines
    own = lines.loc[
        (lines["kind"] == "spif") & lines["opportunity_id"].isna() & (lines["period"] == PERIOD)
    ]
    before = own.groupby("rep_id")["amount"].sum().map(float)
    added = paid.sub(before, fill_value=0.0)
    added = added.loc[added.abs() > 0.005]
    assert added.to_dict() == pytest.approx(due.set_index("rep_id")["amount"].to_dict())


def test_the_incentives_step_records_its_contests_and_the_lift_table(chain):
    lift = store.read(chain.store, "contest_lift", periods=[PERIOD]).set_index("contest_id")
    assert lift.loc["2026-fall-meetings", "status"] == "ended"
    assert lift.loc["2025-q2-new-logo", "status"] == "measured"
    # the small demo has no comparison team: not measured, and no figure pretends it is
    assert lift["lift"].isna().all()
    rows = store.read(chain.store, "metrics", periods=[PERIOD])
    keys = set(rows.loc[rows["notebook"] == "incentives", "key"])
    assert "contests" in keys and not any(k.startswith("lift_") for k in keys)
