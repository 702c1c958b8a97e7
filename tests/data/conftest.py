"""Small hand-readable input folders for the data-layer tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

PRODUCTS = (
    "sku,family,unit_cost,unit_price,lead_time_days\n"
    "A,Outdoor,2.0,5.0,14\n"
    "B,Outdoor,3.0,7.5,21\n"
    "C,Kitchen,1.0,2.0,7\n"
)

ORDERS_HEADER = "order_date,sku,location,quantity,net_revenue\n"


def write(folder: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``folder/name`` (bytes as they are, text in ``encoding``)."""
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A source folder holding the three-SKU products table."""
    write(tmp_path, "products.csv", PRODUCTS)
    return tmp_path


@pytest.fixture(autouse=True)
def _seeded() -> None:
    np.random.seed(0)
