"""Seed the random generator and close figures for every compensation test."""

import matplotlib
import numpy as np
import pytest

from .comp_builders import settings

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _seeded_and_closed():
    np.random.seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="session")
def demo_analysis():
    """The compensation notebook's figures on demo:small for 2026-10 (computed once)."""
    from compass_nb.comp.analysis import analyse
    from compass_nb.data import demo

    tables = {
        k: v
        for k, v in demo.generate("small").items()
        if k in ("opportunities", "credit_splits", "reps", "quotas", "activities")
    }
    return analyse(
        tables,
        "2026-10",
        plans_dir="parameters/comp_plans",
        settings=settings(simulations=300),
    )
