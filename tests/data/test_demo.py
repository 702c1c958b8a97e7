"""The demo company: contracts, sizes, determinism, shapes and the file writer."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from compass_nb.data.demo import (
    END,
    FORECAST_CATEGORIES,
    LOCATIONS,
    OPPORTUNITY_TYPES,
    PLAN_IDS,
    ROLES,
    SEGMENTS,
    STAGES,
    TABLES,
    generate,
    level_shifts,
    write_demo,
)
from compass_nb.data.demo import _contests as demo_contests
from compass_nb.data.demo import _write as demo_write
from compass_nb.data.demo._company import build
from compass_nb.errors import ParameterError

# The contracts of DESIGN.md, written out by hand (optional columns included).
CONTRACT_COLUMNS = {
    "orders": ["order_date", "sku", "location", "quantity", "net_revenue"],
    "products": [
        "sku", "family", "category", "unit_cost", "unit_price", "lead_time_days",
        "lead_time_sd_days", "service_level", "launch_date", "discontinue_date", "lot_size",
        "moq", "planner",
    ],
    "inventory": ["snapshot_date", "sku", "location", "on_hand"],
    "capacity": ["period", "resource", "family", "capacity_units", "cost_per_unit", "owner"],
    "receipts": ["period", "sku", "location", "quantity"],
    "overrides": ["cycle", "period", "family", "sku", "location", "quantity", "author", "reason"],
    "budget": ["period", "family", "revenue", "quantity", "margin"],
    "opportunities": [
        "opportunity_id", "account", "owner_id", "created_date", "close_date", "stage", "amount",
        "type", "segment", "forecast_category", "product_family", "is_closed", "is_won",
        "cancelled_date", "loss_reason",
    ],
    "opportunity_history": ["opportunity_id", "changed_at", "stage", "amount", "close_date"],
    "reps": [
        "rep_id", "name", "team", "manager_id", "region", "role", "hire_date",
        "termination_date", "base_salary", "ote", "plan_id",
    ],
    "quotas": ["rep_id", "period", "quota"],
    "credit_splits": ["opportunity_id", "rep_id", "split_pct"],
    "activities": ["activity_id", "rep_id", "activity_date", "kind", "opportunity_id", "qualified"],
    "org_units": ["team", "parent_team"],
    "survey_questions": ["survey_id", "question_id", "text", "kind", "driver"],
    "survey_responses": [
        "survey_id", "survey_date", "respondent_id", "team", "question_id", "score", "comment",
    ],
    "survey_invites": ["survey_id", "team", "invited"],
}  # fmt: skip
DATE_COLUMNS = {
    "orders": ["order_date"],
    "products": ["launch_date", "discontinue_date"],
    "inventory": ["snapshot_date"],
    "opportunities": ["created_date", "close_date", "cancelled_date"],
    "opportunity_history": ["changed_at", "close_date"],
    "reps": ["hire_date", "termination_date"],
    "activities": ["activity_date"],
    "survey_responses": ["survey_date"],
}
PERIOD_COLUMNS = {
    "capacity": ["period"],
    "receipts": ["period"],
    "overrides": ["cycle", "period"],
    "budget": ["period"],
    "quotas": ["period"],
}


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    return generate("small")


@pytest.fixture(scope="module")
def full() -> dict[str, pd.DataFrame]:
    return generate("full")


def _monthly_units(orders: pd.DataFrame) -> pd.DataFrame:
    month = orders["order_date"].dt.to_period("M")
    return orders.groupby(["sku", month])["quantity"].sum().unstack(fill_value=0)


# --- determinism and caching -------------------------------------------------------------


def test_a_fresh_build_equals_the_cached_tables(small):
    fresh = build("small")
    for name in TABLES:
        pd.testing.assert_frame_equal(fresh[name], small[name], obj=name)


DIGEST_SMALL = """
import hashlib, pandas as pd
from compass_nb.data.demo import TABLES, generate
tables = generate("small")
digest = hashlib.sha256()
for name in TABLES:
    digest.update(pd.util.hash_pandas_object(tables[name], index=False).to_numpy().tobytes())
print(digest.hexdigest())
"""


def test_another_process_with_another_hash_seed_builds_the_same_company(small, capsys):
    env = {**os.environ, "PYTHONHASHSEED": "12345", "COMPASS_CACHE": "off"}  # built, not read
    other = subprocess.run(
        [sys.executable, "-c", DIGEST_SMALL], env=env, capture_output=True, text=True, check=True
    )
    exec(DIGEST_SMALL, {})
    assert other.stdout.strip() == capsys.readouterr().out.strip()


def test_generate_returns_copies_that_callers_may_modify():
    first = generate("small")
    first["orders"].loc[:, "quantity"] = -1
    first["reps"].drop(first["reps"].index, inplace=True)
    again = generate("small")
    assert (again["orders"]["quantity"] > 0).all()
    assert len(again["reps"]) > 0


def test_an_unknown_profile_is_refused_with_the_valid_names():
    with pytest.raises(ParameterError, match="full, small"):
        generate("huge")


# --- contracts ------------------------------------------------------------------------------


def test_every_contract_table_has_exactly_its_columns(small):
    assert set(small) == set(CONTRACT_COLUMNS)
    for name, columns in CONTRACT_COLUMNS.items():
        assert list(small[name].columns) == columns, name


def test_dates_are_datetimes_and_periods_are_year_month_strings(small):
    for name, columns in DATE_COLUMNS.items():
        for column in columns:
            assert small[name][column].dtype == "datetime64[ns]", (name, column)
    for name, columns in PERIOD_COLUMNS.items():
        for column in columns:
            assert small[name][column].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").all(), (name, column)


def test_text_columns_hold_plain_python_strings(small):
    for name, frame in small.items():
        for column in frame.select_dtypes(include="object").columns:
            kinds = {type(v) for v in frame[column].dropna()}
            assert kinds <= {str}, (name, column, kinds)


def test_keys_are_unique(small):
    keys = {
        "orders": ["order_date", "sku", "location"],
        "products": ["sku"],
        "inventory": ["snapshot_date", "sku", "location"],
        "capacity": ["period", "resource", "family"],
        "receipts": ["period", "sku", "location"],
        "budget": ["period", "family"],
        "opportunities": ["opportunity_id"],
        "opportunity_history": ["opportunity_id", "changed_at"],
        "reps": ["rep_id"],
        "quotas": ["rep_id", "period"],
        "credit_splits": ["opportunity_id", "rep_id"],
        "activities": ["activity_id"],
        "org_units": ["team"],
        "survey_questions": ["survey_id", "question_id"],
        "survey_responses": ["survey_id", "respondent_id", "question_id"],
        "survey_invites": ["survey_id", "team"],
    }
    for name, key in keys.items():
        assert not small[name].duplicated(key).any(), name


def test_values_use_the_fixed_vocabulary(small):
    assert set(small["orders"]["location"]) == set(LOCATIONS)
    assert set(small["opportunities"]["stage"]) <= set(STAGES)
    assert set(small["opportunity_history"]["stage"]) <= set(STAGES)
    assert set(small["opportunities"]["forecast_category"]) <= set(FORECAST_CATEGORIES)
    assert set(small["opportunities"]["type"]) == set(OPPORTUNITY_TYPES)
    assert set(small["opportunities"]["segment"]) == set(SEGMENTS)
    assert set(small["reps"]["role"]) == set(ROLES)
    assert (small["reps"]["plan_id"] == small["reps"]["role"].map(PLAN_IDS)).all()
    questions = small["survey_questions"]
    assert set(questions["kind"]) == {"enps", "likert5"}
    likert = questions.loc[questions["kind"] == "likert5"]
    assert likert["question_id"].str.fullmatch(r"q\d\d").all() and likert["driver"].notna().all()
    assert small["survey_responses"]["survey_id"].str.fullmatch(r"pulse-\d{4}-\d{2}").all()


def test_scores_lie_on_their_scales(small):
    responses = small["survey_responses"]
    enps = responses["question_id"] == "enps"
    assert responses.loc[enps, "score"].between(0, 10).all()
    assert responses.loc[~enps, "score"].between(1, 5).all()


# --- time span ------------------------------------------------------------------------------


def test_history_ends_on_2026_11_15_and_spans_at_least_48_months(small):
    orders = small["orders"]["order_date"]
    assert END == pd.Timestamp("2026-11-15")
    assert orders.max() == END
    assert orders.min() <= pd.Timestamp("2022-01-31")
    assert orders.dt.to_period("M").nunique() >= 48
    assert small["opportunity_history"]["changed_at"].max() <= END
    assert small["opportunities"]["created_date"].max() <= END
    assert small["inventory"]["snapshot_date"].max() == pd.Timestamp("2026-10-31")
    assert small["survey_responses"]["survey_date"].max() <= END


def test_forward_tables_reach_18_months_past_the_data(small):
    assert small["capacity"]["period"].max() >= "2028-05"
    assert small["receipts"]["period"].max() >= "2027-01"
    # receipts are the open orders at the end of the history: a received one, read by every
    # cycle like any period-keyed table, would reach a backfilled cycle as firm supply
    assert small["receipts"]["period"].min() == "2026-11"
    assert small["budget"]["period"].min() == "2022-01"
    assert small["budget"]["period"].max() == "2027-12"
    assert small["overrides"]["cycle"].max() <= "2026-10"
    assert (small["overrides"]["period"] > small["overrides"]["cycle"]).all()


def test_pulse_surveys_are_monthly_from_2024_with_november_before_the_15th(small):
    dates = small["survey_responses"].groupby("survey_id")["survey_date"].agg(["min", "max"])
    assert (dates["min"] == dates["max"]).all()
    assert list(dates.index) == [
        f"pulse-{p}" for p in pd.period_range("2024-01", "2026-11", freq="M")
    ]
    assert dates.loc["pulse-2026-11", "min"] < pd.Timestamp("2026-11-15")


# --- sizes ------------------------------------------------------------------------------------


def test_small_profile_sizes(small):
    assert len(small["products"]) == 30 and small["products"]["family"].nunique() == 4
    assert 20_000 <= len(small["orders"]) <= 40_000
    assert 500 <= len(small["opportunities"]) <= 700
    assert 23 <= len(small["reps"]) <= 30
    assert small["reps"].loc[small["reps"]["role"] != "Manager", "team"].nunique() == 4
    invited = small["survey_invites"].query("survey_id == 'pulse-2026-10'")["invited"].sum()
    assert 70 <= invited <= 95


def test_full_profile_sizes(full):
    products = full["products"]
    assert len(products) == 200 and products["family"].nunique() == 8
    assert 300_000 <= len(full["orders"]) <= 600_000
    # 4,000 drawn deals and the past new-logo contest's extra wins (compass_nb.data.demo._contests)
    assert len(full["opportunities"]) == 4000 + demo_contests.NEW_LOGO_EXTRA
    assert 60 <= len(full["reps"]) <= 76
    assert full["reps"].loc[full["reps"]["role"] != "Manager", "team"].nunique() == 9
    assert len(level_shifts("full")) == 10
    invited = full["survey_invites"].query("survey_id == 'pulse-2026-10'")["invited"].sum()
    assert 250 <= invited <= 350
    assert (
        0.10
        <= full["credit_splits"]["opportunity_id"].nunique() / full["opportunities"]["is_won"].sum()
        <= 0.20
    )


# --- referential integrity ---------------------------------------------------------------


def test_tables_reference_known_items_and_families(small):
    skus, families = set(small["products"]["sku"]), set(small["products"]["family"])
    for name in ("orders", "inventory", "receipts"):
        assert set(small[name]["sku"]) <= skus, name
        assert set(small[name]["location"]) <= set(LOCATIONS), name
    overrides = small["overrides"]
    assert (overrides["family"].notna() ^ overrides["sku"].notna()).all()
    assert set(overrides["sku"].dropna()) <= skus
    assert set(overrides["family"].dropna()) <= families
    assert overrides["family"].notna().mean() > 0.5
    assert set(small["capacity"]["family"]) == families == set(small["budget"]["family"])
    assert set(small["opportunities"]["product_family"]) <= families


def test_crm_tables_reference_reps_and_deals(small):
    reps, opportunities = small["reps"], small["opportunities"]
    rep_ids = set(reps["rep_id"])
    assert set(opportunities["owner_id"]) <= rep_ids
    assert set(reps["manager_id"].dropna()) <= set(reps.loc[reps["role"] == "Manager", "rep_id"])
    assert set(small["quotas"]["rep_id"]) <= rep_ids
    assert set(small["opportunity_history"]["opportunity_id"]) == set(
        opportunities["opportunity_id"]
    )
    splits = small["credit_splits"]
    won = set(opportunities.loc[opportunities["is_won"], "opportunity_id"])
    assert set(splits["opportunity_id"]) <= won
    assert set(splits["rep_id"]) <= rep_ids


def test_org_units_form_one_tree_holding_every_team(small):
    units = small["org_units"]
    parent = dict(zip(units["team"], units["parent_team"], strict=True))
    assert [t for t, p in parent.items() if p is None] == ["Company"]
    for team in parent:
        seen = set()
        while team is not None:
            assert team not in seen and team in parent
            seen.add(team)
            team = parent[team]
    for name in ("reps", "survey_responses", "survey_invites"):
        assert set(small[name]["team"]) <= set(parent), name


# --- consistency --------------------------------------------------------------------------


def test_won_and_closed_flags_agree_with_the_stage(small):
    deals = small["opportunities"]
    assert (deals["is_won"] == (deals["stage"] == "Closed Won")).all()
    assert (deals["is_closed"] == deals["stage"].isin(["Closed Won", "Closed Lost"])).all()
    category = deals.set_index("stage")["forecast_category"]
    assert set(category.loc["Closed Won"]) == {"Closed"}
    assert set(category.loc["Closed Lost"]) == {"Omitted"}
    assert not deals.loc[~deals["is_closed"], "forecast_category"].isin(["Closed", "Omitted"]).any()


def test_open_deals_close_in_the_future_and_closed_ones_by_the_cut_off(small):
    deals = small["opportunities"]
    assert (deals.loc[~deals["is_closed"], "close_date"] > END).all()
    assert (deals.loc[deals["is_closed"], "close_date"] <= END).all()
    assert (deals["close_date"] >= deals["created_date"]).all()
    assert (~deals["is_closed"]).sum() >= 10


def test_history_starts_at_creation_and_ends_in_the_deal_state(small):
    history, deals = (
        small["opportunity_history"],
        small["opportunities"].set_index("opportunity_id"),
    )
    first = history.groupby("opportunity_id").head(1).set_index("opportunity_id")
    last = history.groupby("opportunity_id").tail(1).set_index("opportunity_id")
    assert (first["changed_at"] == deals.loc[first.index, "created_date"]).all()
    for column in ("stage", "amount", "close_date"):
        assert (last[column] == deals.loc[last.index, column]).all(), column


def test_history_shows_slips_skips_and_amount_changes(small):
    history = small["opportunity_history"]
    per_deal = history.groupby("opportunity_id")
    assert (per_deal["close_date"].nunique() > 1).mean() > 0.2  # deals that slip
    assert (per_deal["amount"].nunique() > 1).mean() > 0.1
    order = {stage: k for k, stage in enumerate(STAGES[:6])}
    won = small["opportunities"].query("is_won")["opportunity_id"]
    reached = history.loc[history["opportunity_id"].isin(won)].groupby("opportunity_id")["stage"]
    assert (reached.nunique() < len(order)).any()  # some won deals skipped a stage


def test_cancellations_only_follow_won_deals(small):
    deals = small["opportunities"]
    cancelled = deals.loc[deals["cancelled_date"].notna()]
    assert len(cancelled) > 0
    assert cancelled["is_won"].all()
    assert (cancelled["cancelled_date"] > cancelled["close_date"]).all()
    assert (cancelled["cancelled_date"] <= END).all()


def test_splits_are_sixty_forty_or_an_se_overlay_beside_the_owner(small):
    splits = small["credit_splits"].merge(small["reps"][["rep_id", "role"]], on="rep_id")
    owners = small["opportunities"].set_index("opportunity_id")["owner_id"]
    for deal, rows in splits.groupby("opportunity_id"):
        assert owners[deal] in set(rows["rep_id"])
        pattern = sorted(rows["split_pct"])
        assert pattern in ([40.0, 60.0], [100.0, 100.0])
        if pattern == [100.0, 100.0]:
            assert "SE" in set(rows["role"])


def test_items_cost_less_than_they_sell_for(small):
    products = small["products"]
    assert (products["unit_cost"] < products["unit_price"]).all()
    assert (products["lead_time_days"] > 0).all()
    assert (
        products["lead_time_sd_days"].notna().any() and products["lead_time_sd_days"].isna().any()
    )
    assert products["service_level"].between(0.5, 1.0, inclusive="neither").all()
    assert (small["orders"]["quantity"] > 0).all() and (small["orders"]["net_revenue"] > 0).all()


def test_reps_earn_an_ote_above_base_and_some_left_or_joined_in_2026(small):
    reps = small["reps"]
    assert (reps["ote"] > reps["base_salary"]).all()
    assert reps["termination_date"].notna().any()
    assert (reps["hire_date"] >= "2026-01-01").any()


# --- shapes ---------------------------------------------------------------------------------


def test_shifted_skus_really_shift_from_march_2026(small):
    units = _monthly_units(small["orders"])
    after = units.loc[:, "2026-03":"2026-10"].sum(axis=1)
    before = units.loc[:, "2025-03":"2025-10"].sum(axis=1)
    ratio = after / before
    shifts = level_shifts("small").set_index("sku")["factor"]
    assert len(shifts) >= 3 and set(shifts) == {0.6, 1.4}
    for sku, factor in shifts.items():
        assert abs(ratio[sku] / factor - 1) < 0.2, sku
    unshifted = ratio.drop(shifts.index).replace(np.inf, np.nan).dropna()
    assert 0.85 < unshifted.median() < 1.2


def test_new_items_start_selling_at_launch_and_discontinued_ones_stop(small):
    products = small["products"].set_index("sku")
    first_sale = small["orders"].groupby("sku")["order_date"].min()
    last_sale = small["orders"].groupby("sku")["order_date"].max()
    new = products.index[products["launch_date"] >= "2025-01-01"]
    gone = products.index[products["discontinue_date"].notna()]
    assert len(new) > 0 and len(gone) > 0
    sold = first_sale.reindex(new)
    assert (sold.dropna() >= products.loc[sold.dropna().index, "launch_date"]).all()
    # an item launched after the history ends has no sale yet
    assert sold.isna().equals(products.loc[new, "launch_date"] > END)
    assert (last_sale[gone] < products.loc[gone, "discontinue_date"]).all()


def test_demand_is_seasonal_and_slow_movers_are_intermittent(small):
    orders = small["orders"].merge(small["products"][["sku", "family"]], on="sku")
    garden = orders.loc[orders["family"] == "Garden"]
    by_month = garden.groupby(garden["order_date"].dt.month)["quantity"].sum()
    assert by_month[[4, 5, 6]].sum() > 2 * by_month[[10, 11, 12]].sum()
    days_with_orders = small["orders"].groupby("sku")["order_date"].nunique()
    assert (days_with_orders < 0.2 * len(pd.date_range("2022-01-01", END))).any()


def test_line_capacity_binds_in_some_months_only(small):
    orders = small["orders"].merge(small["products"][["sku", "family"]], on="sku")
    units = orders.groupby([orders["order_date"].dt.strftime("%Y-%m"), "family"])["quantity"].sum()
    capacity = small["capacity"].query("resource != 'Packing'")
    load = units / capacity.set_index(["period", "family"])["capacity_units"]
    over = (load.dropna() > 1).mean()
    assert 0.03 < over < 0.35


def test_quotas_are_heavier_in_q4_and_ramp_for_new_hires(small):
    quotas = small["quotas"].merge(small["reps"], on="rep_id")
    settled = quotas.loc[(quotas["role"] == "AE") & quotas["period"].between("2025-01", "2025-12")]
    by_month = settled.groupby(settled["period"].str[5:])["quota"].mean()
    assert by_month["12"] > by_month["07"]
    carriers = small["reps"].loc[small["reps"]["role"] != "SDR"]  # SDRs carry no bookings quota
    hire = carriers.sort_values("hire_date").iloc[-1]
    own = quotas.loc[quotas["rep_id"] == hire["rep_id"]].sort_values("period")["quota"].to_numpy()
    assert own[0] < own[3]


def test_wins_bunch_up_at_quarter_ends(full):
    won = full["opportunities"].query("is_won")
    month_in_quarter = (won["close_date"].dt.month - 1) % 3
    counts = month_in_quarter.value_counts()
    assert counts[2] > 1.15 * counts[0]


def test_one_team_engagement_drops_through_2026(small):
    responses = small["survey_responses"].query("question_id == 'enps'")
    team = "Warehouse"
    mine = responses.loc[responses["team"] == team].groupby("survey_id")["score"].mean()
    others = responses.loc[responses["team"] != team].groupby("survey_id")["score"].mean()
    assert mine["pulse-2026-10"] < mine["pulse-2025-10"] - 1.0
    assert abs(others["pulse-2026-10"] - others["pulse-2025-10"]) < 0.5


def test_participation_varies_between_60_and_90_percent(small):
    answered = (
        small["survey_responses"]
        .query("question_id == 'enps'")
        .groupby(["survey_id", "team"])
        .size()
    )
    invited = small["survey_invites"].set_index(["survey_id", "team"])["invited"]
    rate = answered.sum() / invited.sum()
    assert 0.6 <= rate <= 0.9
    respondents = small["survey_responses"].groupby("respondent_id")["survey_id"].nunique()
    assert respondents.max() >= 30  # stable pseudonyms across surveys


def test_small_teams_exist_beside_a_sibling_of_five_or_more(small):
    invited = (
        small["survey_invites"].query("survey_id == 'pulse-2026-10'").set_index("team")["invited"]
    )
    units = small["org_units"].dropna()
    sizes = units.assign(size=units["team"].map(invited)).dropna()
    by_parent = sizes.groupby("parent_team")["size"].agg(["min", "max"])
    assert ((by_parent["min"] < 5) & (by_parent["max"] >= 5)).any()
    assert (invited < 5).sum() >= 2


def test_comments_carry_ampersands_and_quotes_but_no_markup(small):
    comments = small["survey_responses"]["comment"].dropna()
    assert not comments.str.contains("<", regex=False).any()  # markup cases live in the tests
    assert comments.str.contains("&", regex=False).any()
    assert comments.str.contains('"', regex=False).any()


# --- files ------------------------------------------------------------------------------------


def test_write_demo_writes_every_table_as_csv_with_iso_dates(tmp_path, small):
    paths = write_demo(tmp_path, "small")
    assert {p.name for p in tmp_path.iterdir()} == {f"{t}.csv" for t in TABLES}
    orders = pd.read_csv(paths["orders"])
    assert len(orders) == len(small["orders"])
    assert orders["order_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    capacity = pd.read_csv(paths["capacity"], dtype={"period": str})
    assert capacity["period"].iloc[0] == "2022-01"
    responses = pd.read_csv(paths["survey_responses"])
    assert len(responses) == len(small["survey_responses"])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_scale_writes_exactly_n_order_lines(tmp_path, fmt):
    paths = write_demo(tmp_path, "small", scale=12_345, fmt=fmt)
    lines = pd.read_csv(paths["orders"]) if fmt == "csv" else pd.read_parquet(paths["orders"])
    assert len(lines) == 12_345
    assert list(lines.columns) == [
        "order_date", "sku", "location", "quantity", "net_revenue", "customer_id", "channel",
    ]  # fmt: skip
    dates = pd.to_datetime(lines["order_date"])
    assert dates.is_monotonic_increasing and dates.max() <= END
    assert (lines["quantity"] >= 1).all()
    assert set(lines["sku"]) <= set(generate("small")["products"]["sku"])


def test_scale_lines_written_in_many_chunks_keep_count_and_date_order(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_write, "CHUNK_LINES", 1_000)
    paths = write_demo(tmp_path, "small", scale=12_345)
    lines = pd.read_csv(paths["orders"], parse_dates=["order_date"])
    assert len(lines) == 12_345
    assert lines["order_date"].is_monotonic_increasing


def test_scale_lines_follow_the_demand_mix(tmp_path, small):
    paths = write_demo(tmp_path, "small", scale=50_000)
    lines = pd.read_csv(paths["orders"])
    share = lines["location"].value_counts(normalize=True)
    units = small["orders"].groupby("location")["quantity"].sum()
    assert np.allclose(share.sort_index(), (units / units.sum()).sort_index(), atol=0.02)


def test_write_demo_refuses_an_unknown_format(tmp_path):
    with pytest.raises(ParameterError, match="csv"):
        write_demo(tmp_path, "small", fmt="xlsx")
