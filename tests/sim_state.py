"""What a test compares to show that something (completing a line, offering an example)
changed nothing in a simulation: the ids drawn, the clock, the trace and the next entry due."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stptui.commands import Session, execute


def trace_lines(session: Session) -> list[str]:
    """Every trace record of the session, as its line."""
    return [r.to_line() for r in session.sim.trace.since(0)]


def sim_state(session: Session) -> tuple[Any, ...]:
    """The ids drawn, the clock, the trace and the time of the next entry due."""
    sim = session.sim
    return sim.ids_issued, sim.clock.now, trace_lines(session), sim.clock.peek()


def assert_changes_nothing(
    session: Session, twin: Session, look: Callable[[], object], commands: list[str]
) -> None:
    """`look()` (completing, offering examples) leaves `session` as it was, and `commands`
    run afterwards give it the trace they give `twin`, the same stack opened alike and never
    looked at: no id drawn, no clock moved, nothing traced or scheduled."""
    before = sim_state(session)
    look()
    assert sim_state(session) == before
    for each in (session, twin):
        for line in commands:
            execute(each, line)
    assert trace_lines(session) == trace_lines(twin)
