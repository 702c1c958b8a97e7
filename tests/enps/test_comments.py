import pandas as pd

from compass_nb.enps.comments import comment_themes, comments_by_group, theme_counts


def test_keyword_rules_tag_themes_and_untagged_comments_are_other():
    comments = pd.Series(["My manager never gives recognition", "Too much overtime", "Fine"])
    themes = comment_themes(comments).groupby("index")["theme"].agg(list)
    assert themes[0] == ["management", "recognition"]
    assert themes[1] == ["workload"]
    assert themes[2] == ["other"]


def test_each_comment_is_listed_under_its_comment_group_and_counted_up_the_tree():
    cells = pd.DataFrame(
        {
            "survey_id": "s",
            "team": ["Company", "A", "B"],
            "group": ["Company · other", "A", "Company · other"],
            "teams": ["B; Company", "A", "B; Company"],
        }
    )
    responses = pd.DataFrame(
        {
            "survey_id": "s",
            "team": ["A", "B", "B"],
            "respondent_id": [1, 2, 3],
            "question_id": "enps",
            "comment": ["Great team", "Too much workload & overtime", None],
        }
    )
    listed = comments_by_group(responses, cells)
    assert listed.set_index("comment")["group"].to_dict() == {
        "Great team": "A",
        "Too much workload & overtime": "Company · other",
    }
    whole = pd.DataFrame(
        [("s", "Company", t) for t in ("Company", "A", "B")] + [("s", "A", "A")],
        columns=["survey_id", "group", "team"],
    )
    counts = theme_counts(responses, whole).set_index(["group", "theme"])["comments"]
    assert counts[("Company", "team & culture")] == 1 and counts[("Company", "workload")] == 1
    assert ("A", "workload") not in counts.index and counts[("A", "team & culture")] == 1
