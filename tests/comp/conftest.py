"""Seed the random generator and close figures for every compensation test."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _seeded_and_closed():
    np.random.seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
