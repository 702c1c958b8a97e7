"""Small hand-readable frames for the S&OP tests."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed_and_close():
    np.random.seed(0)
    yield
    plt.close("all")


@pytest.fixture
def months():
    return pd.date_range("2026-11-01", periods=3, freq="MS")


@pytest.fixture
def products():
    # A: price 10, cost 4 (margin 6); B: price 12, cost 10 (margin 2); C in another family
    return pd.DataFrame(
        {
            "sku": ["A", "B", "C"],
            "family": ["F", "F", "G"],
            "unit_price": [10.0, 12.0, 5.0],
            "unit_cost": [4.0, 10.0, 3.0],
            "lead_time_days": [30.4375, 30.4375, 60.875],
        }
    )


def frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


def no_stock(skus, location="L"):
    return pd.DataFrame({"sku": skus, "location": location, "on_hand": 0.0})


def no_safety(skus, location="L"):
    return pd.DataFrame({"sku": skus, "location": location, "safety_stock": 0.0})


NO_RECEIPTS = pd.DataFrame({"period": [], "sku": [], "location": [], "quantity": []})
