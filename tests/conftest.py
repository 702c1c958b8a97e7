"""Shared fixtures: a seeded random generator and closed figures for every test."""

import os

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
os.environ.setdefault("COMPASS_STORE_WAIT", "30")


@pytest.fixture(autouse=True)
def _seed_and_close_figures():
    np.random.seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
