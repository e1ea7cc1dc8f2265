"""A failed `expect metric...` says what to look at, as the other failed expects do: the
window its figure is of, the datapoints it was computed from, and the `show metrics` line
that shows the resource's figures period by period."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import ExpectationFailed, Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "docs" / "examples" / "commands-stack.yml"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def session() -> Session:
    session = Session.open(STACK, start_ms=T0)
    for line in ["send jobQueue a", "send jobQueue b", "fail worker next 1", "advance 2m"]:
        execute(session, line)
    return session


def failed(session: Session, line: str) -> ExpectationFailed:
    with pytest.raises(ExpectationFailed) as caught:
        execute(session, line)
    return caught.value


def test_a_failed_metric_expect_names_its_window_datapoints_and_where_to_look(
    session: Session,
) -> None:
    # It carried no hint at all: which minutes, how many samples, where to see them?
    exc = failed(session, "expect metric.worker.Errors.Sum == 0")
    assert exc.message == "expected metric.worker.Errors.Sum == 0, actual 1"
    assert exc.hint == (
        "the figure is of 2026-01-05T08:00:00.000Z to 2026-01-05T08:02:00.000Z (2 min of "
        "virtual time, from 2 datapoints of Errors); `show metrics worker --period 15s` shows "
        "when it moved"
    )
    # The line the hint gives runs, on the same window.
    line = exc.hint.split("`")[1]
    assert "2 periods" not in execute(session, line).text


def test_the_hint_keeps_the_window_since_gave(session: Session) -> None:
    exc = failed(session, "expect metric.jobQueue.NumberOfMessagesSent.Sum == 2 --since 1m")
    assert exc.hint is not None
    assert exc.hint.startswith("the figure is of 2026-01-05T08:01:00.000Z to 2026-01-05T08:02")
    assert "`show metrics jobQueue --since 1m --period 10s`" in exc.hint
    # Over all the trace holds, both sends are counted: the window was the cause.
    assert execute(session, "expect metric.jobQueue.NumberOfMessagesSent.Sum == 2").text


def test_a_metric_expect_before_the_clock_moved_names_no_period() -> None:
    session = Session.open(STACK, start_ms=T0)
    execute(session, "send jobQueue a")
    exc = failed(session, "expect metric.jobQueue.NumberOfMessagesSent.Sum == 2")
    assert exc.hint is not None
    assert "(0 ms of virtual time, from 1 datapoint of NumberOfMessagesSent)" in exc.hint
    assert "`show metrics jobQueue` shows when it moved" in exc.hint
