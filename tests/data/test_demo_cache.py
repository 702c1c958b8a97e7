"""The demo company kept on disk: read back exactly, rebuilt when stale or broken, optional."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from compass_nb.data.demo import TABLES, _cache
from compass_nb.data.demo._company import build

#: A tiny stand-in for the builder: counts its calls, returns two small tables.
CALLS: list[str] = []


def _tiny(profile: str) -> dict[str, pd.DataFrame]:
    CALLS.append(profile)
    return {"orders": pd.DataFrame({"sku": ["A"], "when": pd.to_datetime(["2026-10-31"])})}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPASS_CACHE", str(tmp_path / "cache"))
    CALLS.clear()
    return tmp_path / "cache"


def test_another_process_reads_back_exactly_the_tables_a_fresh_build_gives(folder):
    script = "from compass_nb.data.demo import generate; generate('small')"
    subprocess.run([sys.executable, "-c", script], env=dict(os.environ), check=True)
    (written,) = folder.glob("demo-small-*.pickle")
    read = _cache.cached("small", lambda profile: pytest.fail("built, not read"))
    fresh = build("small")
    assert list(read) == list(TABLES)
    for name in TABLES:
        pd.testing.assert_frame_equal(read[name], fresh[name], check_exact=True, obj=name)
    assert written.name == f"demo-small-{_cache.key('small')}.pickle"


def test_the_second_call_reads_what_the_first_wrote(folder):
    first = _cache.cached("small", _tiny)
    second = _cache.cached("small", _tiny)
    assert CALLS == ["small"]
    pd.testing.assert_frame_equal(first["orders"], second["orders"], check_exact=True)


def test_an_edited_generator_file_gives_another_key(tmp_path, monkeypatch):
    copy = tmp_path / "generator"
    shutil.copytree(_cache.GENERATOR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(_cache, "GENERATOR", copy)
    before = _cache.key("small")
    with open(copy / "_crm.py", "a") as source:
        source.write("\n# one more line\n")
    assert _cache.key("small") != before
    assert _cache.key("full") != _cache.key("small")


def test_a_truncated_file_is_built_again_and_replaced(folder):
    _cache.cached("small", _tiny)
    (path,) = folder.glob("*.pickle")
    path.write_bytes(path.read_bytes()[:20])
    again = _cache.cached("small", _tiny)
    assert CALLS == ["small", "small"]
    assert again["orders"]["sku"].tolist() == ["A"]
    assert _cache.cached("small", _tiny)["orders"]["sku"].tolist() == ["A"]
    assert CALLS == ["small", "small"]  # the replaced file is whole


def test_a_folder_that_cannot_be_written_only_costs_the_build(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COMPASS_CACHE", str(blocker / "cache"))
    CALLS.clear()
    assert _cache.cached("small", _tiny)["orders"]["sku"].tolist() == ["A"]
    assert _cache.cached("small", _tiny)["orders"]["sku"].tolist() == ["A"]
    assert CALLS == ["small", "small"]


def test_off_builds_every_time_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPASS_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    CALLS.clear()
    _cache.cached("small", _tiny)
    _cache.cached("small", _tiny)
    assert CALLS == ["small", "small"]
    assert not list(tmp_path.rglob("*.pickle"))


def test_without_a_setting_the_cache_is_in_the_users_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPASS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache.cache_folder() == tmp_path / "compass-nb"


def test_without_a_home_folder_the_company_is_built_in_memory(monkeypatch):
    monkeypatch.delenv("COMPASS_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(_cache.Path, "home", staticmethod(no_home))
    CALLS.clear()
    assert _cache.cache_folder() is None
    assert _cache.cached("small", _tiny)["orders"]["sku"].tolist() == ["A"]
    assert CALLS == ["small"]
