import copy

import pandas as pd
import pytest

from compass_nb.errors import ParameterError
from compass_nb.params import defaults
from compass_nb.pipeline.stages import stage_table, unknown_stages

DEFAULT_STAGES = defaults()["pipeline"]["stages"]  # the schema's stage mapping


def test_default_mapping_is_the_demo_vocabulary_in_order():
    table = stage_table(DEFAULT_STAGES)
    assert table["name"].tolist() == [
        "Prospecting",
        "Qualification",
        "Discovery",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    ]
    assert table.loc[table["is_won"], "name"].tolist() == ["Closed Won"]


def test_mapping_is_sorted_by_order_whatever_the_list_order():
    stages = list(reversed(copy.deepcopy(DEFAULT_STAGES)))
    assert stage_table(stages)["name"].iloc[0] == "Prospecting"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s[1].update(order=1), "orders repeat"),
        (lambda s: s[5].update(order=0), "closed stages"),
        (lambda s: s[3].update(category="Maybe"), "category 'Maybe'"),
        (lambda s: s[0].pop("category"), "lacks category"),
        (lambda s: s[4].update(category="Pipeline"), "mis-ordered"),
        (lambda s: s[5].update(is_closed=False), "won stage must be closed"),
        (lambda s: s.append(dict(s[0])), "names repeat"),
    ],
)
def test_bad_mappings_raise_a_clear_parameter_error(change, message):
    stages = copy.deepcopy(DEFAULT_STAGES)
    change(stages)
    with pytest.raises(ParameterError, match=message) as err:
        stage_table(stages)
    assert "pipeline.stages" in str(err.value)


def test_unknown_stages_are_reported_with_their_counts():
    opps = pd.DataFrame({"opportunity_id": ["x", "y"], "stage": ["Proposal", "Verbal"]})
    hist = pd.DataFrame({"opportunity_id": ["y", "y", "z"], "stage": ["Verbal", "Verbal", "Demo"]})
    report = unknown_stages(
        {"opportunities": opps, "opportunity_history": hist}, stage_table(DEFAULT_STAGES)
    )
    assert report.values.tolist() == [
        ["opportunities", "Verbal", 1, 1],
        ["opportunity_history", "Demo", 1, 1],
        ["opportunity_history", "Verbal", 2, 1],
    ]


def test_no_unknown_stages_gives_an_empty_report():
    opps = pd.DataFrame({"opportunity_id": ["x"], "stage": ["Proposal"]})
    assert unknown_stages({"opportunities": opps}, stage_table(DEFAULT_STAGES)).empty


def test_exported_flags_that_disagree_with_the_mapping_are_listed():
    from compass_nb.pipeline.stages import flag_mismatches

    opps = pd.DataFrame(
        {
            "opportunity_id": ["x", "y", "z"],
            "stage": ["Closed Won", "Closed Won", "Proposal"],
            "is_closed": [True, True, False],
            "is_won": [True, False, False],
        }
    )
    out = flag_mismatches(opps, stage_table(DEFAULT_STAGES))
    assert out.values.tolist() == [["Closed Won", True, False, True, True, 1]]


def test_an_open_stage_set_aside_may_sit_anywhere_in_the_order():
    stages = [dict(s, order=10 * s["order"]) for s in DEFAULT_STAGES]
    on_hold = {"name": "On Hold", "order": 25, "category": "Omitted", "is_closed": False}
    stages.append(on_hold | {"is_won": False})
    assert stage_table(stages)["name"].tolist()[2] == "On Hold"


def test_an_open_stage_cannot_be_in_the_closed_category():
    stages = copy.deepcopy(DEFAULT_STAGES)
    stages[4]["category"] = "Closed"
    with pytest.raises(ParameterError, match="only won stages are Closed"):
        stage_table(stages)
