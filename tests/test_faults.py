"""The pause points of the kill-safety tests: silent unless asked, released by a file."""

import pytest

from compass_nb import faults


class Clock:
    """A fake clock that moves only when the paused run sleeps; ``on_sleep`` runs each time."""

    def __init__(self, on_sleep=lambda n: None):
        self.now, self.sleeps, self.on_sleep = 100.0, [], on_sleep

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        self.on_sleep(len(self.sleeps))


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(faults.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(faults.time, "sleep", fake.sleep)
    return fake


def test_a_point_not_named_does_nothing(clock, monkeypatch, capsys):
    monkeypatch.setenv("COMPASS_PAUSE_AT", "commit")
    faults.pause_point("pack")
    assert clock.sleeps == [] and capsys.readouterr().out == ""


def test_the_named_point_says_so_and_waits_its_seconds(clock, monkeypatch, capsys):
    monkeypatch.setenv("COMPASS_PAUSE_AT", "pack")
    monkeypatch.setenv("COMPASS_PAUSE_SECONDS", "1")
    faults.pause_point("pack")
    assert capsys.readouterr().out == "paused at pack\n"
    assert sum(clock.sleeps) == pytest.approx(1.0)
    assert max(clock.sleeps) <= faults.POLL


def test_the_release_file_ends_the_pause_at_the_next_look(clock, monkeypatch, tmp_path):
    release = tmp_path / "release"
    clock.on_sleep = lambda n: release.touch() if n == 3 else None
    monkeypatch.setenv("COMPASS_PAUSE_AT", "swap")
    monkeypatch.setenv("COMPASS_PAUSE_SECONDS", "120")
    monkeypatch.setenv("COMPASS_PAUSE_RELEASE", str(release))
    faults.pause_point("swap")
    assert len(clock.sleeps) == 3  # released after the third look, not after 120 s
