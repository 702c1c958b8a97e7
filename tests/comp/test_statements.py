"""Statements (escaped HTML and CSV with the trace) and the payroll export."""

import pandas as pd

from compass_nb.comp.engine import compute_payouts
from compass_nb.comp.payroll import payroll_export, write_payroll
from compass_nb.comp.statements import write_statements
from compass_nb.crediting import credited_bookings

from .comp_builders import FLAT_10, NO_SPLITS, opportunities_frame, plan_from, reps_frame

REPS = reps_frame(("r1", "flat", "2020-01-01", None, 100000)).assign(name="<b>Ana</b> & Co")
QUOTAS = pd.DataFrame({"rep_id": ["r1"], "period": ["2026-10"], "quota": [100000.0]})
OPPS = opportunities_frame(("O1", "r1", "2026-10-03", 1234.56), ("O2", "r1", "2026-10-20", 100))
RESULT = compute_payouts(
    {"flat": plan_from(FLAT_10)},
    REPS,
    QUOTAS,
    credited_bookings(OPPS, NO_SPLITS),
    start="2026-10",
    end="2026-10",
)


def test_statement_files_hold_the_trace_and_escape_names(tmp_path):
    files = write_statements(tmp_path, RESULT, REPS, "2026-10")
    assert sorted(p.name for p in files) == ["r1_2026-10.csv", "r1_2026-10.html"]
    page = (tmp_path / "r1_2026-10.html").read_text()
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; Co" in page and "<b>Ana</b>" not in page
    assert "O1" in page and "flat rate" in page and "133.46" in page
    trace = pd.read_csv(tmp_path / "r1_2026-10.csv")
    assert trace[["opportunity_id", "amount"]].values.tolist() == [["O1", 123.46], ["O2", 10.0]]


def test_payroll_export_pays_the_sum_of_rounded_lines(tmp_path):
    export = payroll_export(RESULT, REPS, "2026-10")
    assert export[["rep_id", "commission", "payout"]].values.tolist() == [
        ["r1", "133.46", "133.46"]
    ]
    path = write_payroll(tmp_path, export, "2026-10")
    assert path.name == "payroll_2026-10.csv"
