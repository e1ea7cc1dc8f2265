"""What the clock commands say when they cannot do what was meant: an `until` before the
session's start says how to start earlier, and a `run` with only schedules pending says
why it ran nothing and what reaches the next fire."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "stptui" / "sample_stacks"
START = "2026-01-05T08:00:00Z"


def test_until_before_the_start_says_how_to_start_earlier() -> None:
    s = Session.open(STACKS / "batch-job", start_ms=parse_instant("2026-11-29T05:00:00Z"))
    with pytest.raises(CommandError) as caught:
        execute(s, "until 2026-01-06T02:00:00Z")
    assert caught.value.message == (
        "2026-01-06T02:00:00.000Z is in the simulation's past (now 2026-11-29T05:00:00.000Z)"
    )
    assert caught.value.hint == (
        "the clock started at 2026-11-29T05:00:00.000Z; to simulate from earlier, open the "
        "stack with an earlier --start, e.g. --start 2026-01-06T00:00:00Z"
    )


def test_until_before_now_but_after_the_start_says_time_only_moves_forward() -> None:
    s = Session.open(STACKS / "batch-job", start_ms=parse_instant(START))
    execute(s, "advance 1h")
    with pytest.raises(CommandError) as caught:
        execute(s, "until 2026-01-05T08:30:00Z")
    assert caught.value.hint == "time only moves forward"


@pytest.mark.parametrize("stack", ["batch-job", "combined", "scheduled-job"])
def test_demos_with_fixed_dates_say_which_start_they_need(
    stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = STACKS / stack / "demo.stp"
    assert f"--start {START}" in demo.read_text(encoding="utf-8")
    # Without it, the first `until` names the start that works.
    assert main(["run", str(STACKS / stack), str(demo), "--start", "2026-11-29T05:00:00Z"]) == 2
    assert "open the stack with an earlier --start" in capsys.readouterr().err
    assert main(["run", str(STACKS / stack), str(demo), "--start", START]) == 0


def test_run_with_only_schedules_pending_says_so_and_how_to_reach_them() -> None:
    s = Session.open(STACKS / "scheduled-job", start_ms=parse_instant(START))
    result = execute(s, "run --max 2d")
    assert result.text.split("\n") == [
        "quiet; now 2026-01-05T08:00:00.000Z (+0 ms)",
        "only 1 schedule pending, and `run` does not wait for schedules; the next fires at "
        "2026-01-05T09:00:00Z (dailyReport)",
        "`until 2026-01-05T09:00:00Z` runs to it; `advance 2d` runs every fire in the next 2d",
    ]
    # A run that did some work says only that.
    execute(s, "fire dailyReport")
    assert execute(s, "run").text == "quiet; now 2026-01-05T08:01:10.494Z (+1 min 10.494 s)"


def test_advance_past_the_duration_limit_offers_the_until_line_that_gets_there() -> None:
    s = Session.open(STACKS / "job-queue", start_ms=parse_instant(START))
    with pytest.raises(CommandError) as caught:
        execute(s, "advance 100000d")
    assert caught.value.message == (
        "advance: '100000d' is longer than the 3650-day limit of a duration"
    )
    assert caught.value.hint == (
        "to run that far, give the instant instead: until 2299-10-21T08:00:00.000Z"
    )
    assert s.sim.clock.now == parse_instant(START)
    # The line offered is one `until` takes, and it runs to the instant named.
    execute(s, caught.value.hint.rsplit(": ", 1)[1])
    assert s.sim.clock.now == parse_instant("2299-10-21T08:00:00Z")


def test_advance_past_the_clocks_end_names_the_end_and_how_to_reach_it() -> None:
    s = Session.open(STACKS / "job-queue", start_ms=parse_instant(START))
    with pytest.raises(CommandError) as caught:
        execute(s, "advance 3000000d")
    assert "would take the clock past its maximum, 9999-12-31T23:59:59.999Z" in (
        caught.value.message
    )
    assert caught.value.hint == (
        "`until 9999-12-31T23:59:59.999Z` runs to the end of the clock's range"
    )
