"""`pause`/`resume` with a schedule number past a one-schedule workload: the hint offers the
line of the command typed, not `fire`'s."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
SCHEDULED_JOB = ROOT / "stptui" / "sample_stacks" / "scheduled-job"


@pytest.mark.parametrize("verb", ["pause", "resume"])
def test_a_number_past_a_single_schedule_offers_the_same_command(verb: str) -> None:
    session = Session.open(SCHEDULED_JOB, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    with pytest.raises(CommandError) as info:
        execute(session, f"{verb} dailyReport 2")
    assert (info.value.message, info.value.hint) == (
        "dailyReport has no schedule 2",
        f"dailyReport has one schedule: {verb} dailyReport",
    )
    # The offered line works as it stands.
    line = info.value.hint.split(": ", 1)[1]
    assert "dailyReport schedule 1" in execute(session, line).text
