"""Settings shared by every test."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis's default 200 ms deadline per example is a wall-clock assertion, and these tests
# run on shared, loaded machines: speed is measured by benchmarks/, never by a test.
settings.register_profile("stptui", deadline=None)
settings.load_profile("stptui")

# Compiled modules, kept in a folder of the temporary directory (never in the checkout): with
# PYTHONDONTWRITEBYTECODE set, as on the machines this suite runs on, every `python -m
# stptui` a test starts compiled the package from source again (2.2 s a `run` example,
# 0.55 s with the cache; test_first_hour_audit 59 s -> 16 s), and so did every xdist
# worker, which also rewrote every test module's asserts again. Set before the workers
# start, which inherit it; a prefix of the user's own is kept. Python checks each cached
# module against its source, so an edit is never run stale.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "stptui-pycache"))


def pytest_xdist_auto_num_workers(config: object) -> int:
    """Two workers per core for `-n auto`: the terminal UI tests spend much of their time
    asleep (Textual's Pilot waits at least 40 ms of wall-clock time after each key press,
    until the app is idle), and a second worker per core uses that time. Measured on 2
    cores, a tenth of the suite heavy in UI tests: 64 s with 2 workers, 49 s with 3, 47 s
    with 4."""
    return 2 * (os.cpu_count() or 1)


@pytest.fixture
def sigterm_guard() -> Iterator[None]:
    """For a test that sends SIGTERM to a run in its own process: without a handler of the
    run's own, the signal would end the test process itself."""

    def guard(signum: int, frame: object) -> None:
        raise AssertionError("the run did not take SIGTERM")

    previous = signal.signal(signal.SIGTERM, guard)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
