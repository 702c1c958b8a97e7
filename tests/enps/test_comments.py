import pandas as pd

from compass_nb.enps.comments import comment_themes, comments_by_group, theme_counts


def test_keyword_rules_tag_themes_and_untagged_comments_are_other():
    comments = pd.Series(["My manager never gives recognition", "Too much overtime", "Fine"])
    themes = comment_themes(comments).groupby("index")["theme"].agg(list)
    assert themes[0] == ["management", "recognition"]
    assert themes[1] == ["workload"]
    assert themes[2] == ["other"]


def test_each_comment_is_listed_under_its_smallest_shown_group_and_counted_up_the_tree():
    members = pd.DataFrame(
        [("s", "Company", "team", None, t) for t in ["Company", "A", "B"]]
        + [
            ("s", "A", "team", "Company", "A"),
            ("s", "Company · other", "other", "Company", "Company"),
            ("s", "Company · other", "other", "Company", "B"),
        ],
        columns=["survey_id", "group", "kind", "parent", "team"],
    )
    responses = pd.DataFrame(
        {
            "survey_id": "s",
            "team": ["A", "B", "B"],
            "respondent_id": [1, 2, 3],
            "question_id": "enps",
            "comment": ["Great team", "<script>alert(1)</script> too much workload", None],
        }
    )
    listed = comments_by_group(responses, members)
    assert listed.set_index("comment")["group"].to_dict() == {
        "Great team": "A",
        "<script>alert(1)</script> too much workload": "Company · other",
    }
    counts = theme_counts(listed, members).set_index(["group", "theme"])["comments"]
    assert counts[("Company", "team & culture")] == 1 and counts[("Company", "workload")] == 1
    assert ("A", "workload") not in counts.index
