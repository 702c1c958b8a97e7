"""Plan files: schema validation with clear errors, versions by effective date."""

import copy
from decimal import Decimal as D

import pytest
import yaml

from compass_nb.comp.plans import base_commission_rate, load_plan, load_plans, parse_plan
from compass_nb.errors import PlanError

from .comp_builders import FLAT_10


def broken(**changes):
    data = copy.deepcopy(FLAT_10)
    data["versions"][0].update(changes)
    return data


def test_base_commission_rate_is_target_incentive_over_quota():
    assert base_commission_rate(D(30000), D(600000)) == D("0.05")


def test_repository_plans_load_for_every_demo_plan_id():
    plans = load_plans("parameters/comp_plans")
    assert set(plans) >= {"ae", "am", "se_overlay", "mgr"}
    assert len(plans["ae"].versions) == 2


def test_version_is_chosen_by_effective_date():
    ae = load_plans("parameters/comp_plans")["ae"]
    assert ae.version_for("2026-06").version == "FY2022"
    assert ae.version_for("2026-07").version == "FY2026H2"


def test_period_before_every_version_is_a_clear_error():
    plan = parse_plan(FLAT_10, "flat.yaml")
    with pytest.raises(
        PlanError, match=r"flat.yaml: plan 'flat' has no version in effect on 2023-12-01"
    ):
        plan.version_for("2023-12")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (broken(pay_mix=None), r"test.yaml: versions\[0\].pay_mix: is required"),
        (
            broken(pay_mix={"base": 0.5, "variable": 0.4}),
            r"versions\[0\].pay_mix: base \+ variable must be 1",
        ),
        (broken(bonus=1), r"versions\[0\]: unknown key 'bonus'"),
        (
            broken(measures=[{"id": "a", "weight": 0.5, "rates": {"method": "flat", "rate": 0.1}}]),
            r"versions\[0\].measures: weights must sum to 1",
        ),
        (
            broken(
                measures=[
                    {
                        "id": "a",
                        "weight": 1,
                        "rates": {"method": "flat", "rate": 0.1, "multiplier": 1},
                    }
                ]
            ),
            r"measures\[0\].rates: give exactly one of `rate`",
        ),
        (
            broken(measures=[{"id": "a", "weight": 1, "rates": {"method": "tiered", "rate": 0.1}}]),
            r"measures\[0\].rates.method: must be one of flat, marginal, retroactive, curve; got 'tiered'",
        ),
        (
            broken(
                measures=[
                    {
                        "id": "a",
                        "weight": 1,
                        "rates": {
                            "method": "marginal",
                            "bands": [
                                {"to": 1.0, "rate": 0.1},
                                {"to": 0.5, "rate": 0.2},
                                {"rate": 0.3},
                            ],
                        },
                    }
                ]
            ),
            r"measures\[0\].rates.bands\[1\].to: must be greater than the previous band's \(1.0\); got 0.5",
        ),
        (
            broken(
                measures=[
                    {
                        "id": "a",
                        "weight": 1,
                        "rates": {"method": "marginal", "bands": [{"to": 1, "rate": 0.1}]},
                    }
                ]
            ),
            r"rates.bands: the last band must be open-ended",
        ),
        (
            broken(
                measures=[
                    {
                        "id": "a",
                        "weight": 1,
                        "types": ["upsell"],
                        "rates": {"method": "flat", "rate": 0.1},
                    }
                ]
            ),
            r"measures\[0\].types: 'upsell' is not one of new, renewal, expansion",
        ),
        (broken(draw={"amount": 1000}), r"versions\[0\].draw.recoverable: is required"),
        (
            broken(quota={"basis": "week"}),
            r"versions\[0\].quota.basis: must be one of month, quarter, year; got 'week'",
        ),
        (
            broken(effective_to="2023-01-01"),
            r"versions\[0\].effective_to: must not be before effective_from",
        ),
        (
            broken(spifs=[{"id": "s", "from": "2026-10-01", "to": "2026-10-31"}]),
            r"spifs\[0\]: give `per_deal`",
        ),
        (
            broken(
                measures=[
                    {
                        "id": "a",
                        "weight": 1,
                        "gate": {"attainment": 0.5, "pay": 2},
                        "rates": {"method": "flat", "rate": 0.1},
                    }
                ]
            ),
            r"measures\[0\].gate.pay: must be at most 1",
        ),
    ],
)
def test_plan_errors_name_the_file_the_key_and_what_to_do(data, message):
    with pytest.raises(PlanError, match=message):
        parse_plan(data, "test.yaml")


def test_overlapping_versions_are_refused():
    data = copy.deepcopy(FLAT_10)
    data["versions"].append(copy.deepcopy(data["versions"][0]) | {"effective_from": "2025-01-01"})
    with pytest.raises(
        PlanError, match=r"versions: version '2024-01-01' overlaps version '2025-01-01'"
    ):
        parse_plan(data, "flat.yaml")


def test_a_deal_type_counted_by_two_measures_is_refused():
    measures = [
        {"id": "a", "weight": 0.5, "rates": {"method": "flat", "rate": 0.1}},
        {"id": "b", "weight": 0.5, "types": ["new"], "rates": {"method": "flat", "rate": 0.1}},
    ]
    with pytest.raises(PlanError, match="deal type 'new' is counted by both 'a' and 'b'"):
        parse_plan(broken(measures=measures), "x.yaml")


def test_plan_file_name_must_match_its_plan_id(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(FLAT_10))
    with pytest.raises(PlanError, match=r"other.yaml: plan_id: 'flat' must match the file name"):
        load_plan(path)


def test_invalid_yaml_is_reported_with_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("plan_id: [unclosed")
    with pytest.raises(PlanError, match=r"bad.yaml: is not valid YAML"):
        load_plan(path)


def test_percent_strings_are_read_as_fractions():
    data = broken(
        measures=[{"id": "a", "weight": "100%", "rates": {"method": "flat", "rate": "5%"}}]
    )
    assert parse_plan(data, "x.yaml").versions[0].measures[0].rates.bands[0].rate == D("0.05")
