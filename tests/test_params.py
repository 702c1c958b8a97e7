"""Parameters: defaults, a user's file and --set, validated before anything runs."""

import pytest

from compass_nb import credentials, params
from compass_nb.errors import ParameterError


def test_defaults_hold_every_shared_key():
    merged = params.load()
    for key in (
        "period",
        "source",
        "store",
        "encoding",
        "currency",
        "fiscal_year_start",
        "strict",
        "jobs",
        "timeout",
        "executor",
        "horizon",
        "audience",
        "backfill",
    ):
        assert key in merged


def test_a_users_file_overrides_only_what_it_names(tmp_path):
    user = tmp_path / "acme.yaml"
    user.write_text("currency: USD\n")
    merged = params.load(user)
    assert merged["currency"] == "USD" and merged["horizon"] == params.defaults()["horizon"]


def test_set_overrides_a_dotted_section_key():
    merged = params.load(sets=["horizon=12", "source=demo:small"])
    assert merged["horizon"] == 12 and merged["source"] == "demo:small"


def test_an_unknown_key_names_the_closest_valid_one(tmp_path):
    user = tmp_path / "acme.yaml"
    user.write_text("horizn: 12\n")
    with pytest.raises(
        ParameterError, match=r"Unknown parameter 'horizn' in .*acme.yaml.*'horizon'"
    ):
        params.load(user)


def test_a_wrong_type_names_the_key_the_file_and_the_expected_type(tmp_path):
    user = tmp_path / "acme.yaml"
    user.write_text("horizon: soon\n")
    with pytest.raises(ParameterError, match=r"'horizon' in .*acme.yaml.*expected an integer"):
        params.load(user)


def test_an_integer_is_accepted_where_a_number_is_expected():
    assert params._merge({"x": 0.5}, {"x": 1}, {"x": 0.5}, "test") == {"x": 1}


def test_a_password_in_the_source_url_is_refused_and_env_variables_are_expanded(monkeypatch):
    with pytest.raises(ParameterError, match="environment variable"):
        params.load(sets=["source=postgresql://ana:secret@db/sales"])
    merged = params.load(sets=["source=postgresql://ana:${DB_PASSWORD}@db/sales"])
    monkeypatch.setenv("DB_PASSWORD", "s3cret")
    assert (
        credentials.expand_env(merged["source"], lambda name, text: KeyError(name))
        == "postgresql://ana:s3cret@db/sales"
    )


def test_credentials_are_masked():
    assert params.mask("postgresql://ana:s3cret@db/sales") == "postgresql://ana:***@db/sales"


def test_a_notebook_gets_the_shared_keys_plus_its_section_flattened():
    merged = {"period": "2026-10", "enps": {"min_group_size": 7}, "pipeline": {"stalled_days": 30}}
    assert params.for_notebook(merged, "enps") == {"period": "2026-10", "min_group_size": 7}


def test_the_demos_stages_are_the_schemas_default_stage_mapping():
    from compass_nb.data.demo import STAGES

    mapping = sorted(params.defaults()["pipeline"]["stages"], key=lambda s: s["order"])
    assert tuple(stage["name"] for stage in mapping) == tuple(STAGES)


# -- the inputs mapping and stage presets (issue 16) ------------------------------------------
def test_inputs_are_merged_key_by_key_and_validated(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("inputs:\n  orders:\n    columns: {Order Date: order_date}\n")
    merged = params.load(path, ["inputs.orders.date_format=MDY", "inputs.preset=salesforce"])
    assert merged["inputs"] == {
        "orders": {"columns": {"Order Date": "order_date"}, "date_format": "MDY"},
        "preset": "salesforce",
    }
    assert params.shared_settings(merged).inputs == merged["inputs"]


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("inputs.order.columns={A: sku}", "'inputs.order'.*Did you mean 'orders'"),
        ("inputs.orders.columns={Item: skew}", "inputs.orders.columns.Item.*Did you mean 'sku'"),
        ("inputs.orders.date_format=31/01", "inputs.orders.date_format.*MDY"),
        ("inputs.orders.decimal=;", "inputs.orders.decimal"),
        ("inputs.orders.preset=hubspot", "inputs.orders.preset.*no preset of the orders table"),
        ("inputs.preset=sap", "inputs.preset.*no source preset"),
        ("inputs.opportunities.values={is_won: {Won: maybe}}", "true or false"),
        ("inputs.orders.colums={}", "inputs.orders.colums.*Did you mean 'columns'"),
    ],
)
def test_a_wrong_input_mapping_names_the_key_and_what_was_expected(assignment, message):
    with pytest.raises(ParameterError, match=message):
        params.load(sets=[assignment])


def test_a_stage_preset_stands_for_the_crm_default_stages():
    from compass_nb.data.presets import STAGE_PRESETS
    from compass_nb.pipeline.stages import stage_table

    merged = params.load(sets=["pipeline.stages=hubspot"])
    assert merged["pipeline"]["stages"] == STAGE_PRESETS["hubspot"]
    for name in STAGE_PRESETS:  # each preset is a valid stage list
        table = stage_table(STAGE_PRESETS[name])
        assert table["is_won"].sum() == 1 and table["is_closed"].sum() == 2
    with pytest.raises(ParameterError, match="salesforce, hubspot"):
        params.load(sets=["pipeline.stages=pipedrive"])
