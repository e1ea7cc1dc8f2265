"""What a test compares to show that something (completing a line, offering an example)
changed nothing in a simulation: the ids drawn, the clock, the trace and the next entry due."""

from __future__ import annotations

from typing import Any

from stptui.commands import Session


def trace_lines(session: Session) -> list[str]:
    """Every trace record of the session, as its line."""
    return [r.to_line() for r in session.sim.trace.since(0)]


def sim_state(session: Session) -> tuple[Any, ...]:
    """The ids drawn, the clock, the trace and the time of the next entry due."""
    sim = session.sim
    return sim.ids_issued, sim.clock.now, trace_lines(session), sim.clock.peek()
