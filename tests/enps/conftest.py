"""Small, hand-readable survey data: a company with a team of 8 split 5 / 3."""

import numpy as np
import pandas as pd
import pytest

ORG = pd.DataFrame(
    {
        "team": ["Company", "Sales", "East", "East-A", "East-B", "West", "Ops"],
        "parent_team": [None, "Company", "Sales", "East", "East", "Sales", "Company"],
    }
)
# people placed directly in each team
SIZES = {"East-A": 5, "East-B": 3, "West": 12, "Ops": 20}


def survey_frames(sizes=SIZES, surveys=("pulse-2026-09", "pulse-2026-10"), seed=0, comment=None):
    """questions, responses, invites for ``sizes`` people per team, every one answering."""
    rng = np.random.default_rng(seed)
    questions, responses, invites = [], [], []
    for survey in surveys:
        date = pd.Timestamp(f"{survey[-7:]}-15")
        questions += [
            {
                "survey_id": survey,
                "question_id": "enps",
                "text": "Recommend us?",
                "kind": "enps",
                "driver": None,
            },
            {
                "survey_id": survey,
                "question_id": "q01",
                "text": "I have the tools",
                "kind": "likert5",
                "driver": "tools",
            },
            {
                "survey_id": survey,
                "question_id": "q02",
                "text": "I feel recognised",
                "kind": "likert5",
                "driver": "recognition",
            },
        ]
        for team, size in sizes.items():
            invites.append({"survey_id": survey, "team": team, "invited": size + 1})
            for p in range(size):
                person = f"{team}-{p}"
                e = int(rng.integers(0, 11))
                responses.append(
                    {
                        "survey_id": survey,
                        "survey_date": date,
                        "respondent_id": person,
                        "team": team,
                        "question_id": "enps",
                        "score": e,
                        "comment": comment,
                    }
                )
                for q in ("q01", "q02"):
                    score = int(np.clip(round(e / 2.5 + rng.normal(0, 0.7)), 1, 5))
                    responses.append(
                        {
                            "survey_id": survey,
                            "survey_date": date,
                            "respondent_id": person,
                            "team": team,
                            "question_id": q,
                            "score": score,
                            "comment": None,
                        }
                    )
    return pd.DataFrame(questions), pd.DataFrame(responses), pd.DataFrame(invites)


@pytest.fixture
def org():
    return ORG.copy()


@pytest.fixture
def frames():
    return survey_frames()
