"""What the save/load and replay tests of a feature's commands share: a stack written with its
behaviours, the trace as JSON lines, the views as plain text, and a command run that checks a
refused line changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from stptui.commands import CommandError, CommandResult, Session, execute
from stptui.commands.result import render_plain


def write_stack(root: Path, stack: str, behaviors: str) -> Path:
    """`stack` as root/stacktape.yml with `behaviors` beside it as stptui.yml; the stack file."""
    (root / "stacktape.yml").write_text(stack)
    (root / "stptui.yml").write_text(behaviors)
    return root / "stacktape.yml"


def trace_lines(session: Session) -> list[str]:
    """Every trace record the session keeps, as its JSON line."""
    return [r.to_line() for r in session.sim.trace.records]


def views_of(session: Session, views: Sequence[str]) -> list[str]:
    """Each of the `show` commands `views`, as plain text."""
    return [render_plain(execute(session, view)) for view in views]


def run_line(session: Session, line: str) -> CommandResult | None:
    """Run one line; None when it is refused, which must leave the simulation as it was."""
    sim = session.sim
    before = (sim.trace.seq, sim.clock.now, len(session.log))
    try:
        return execute(session, line)
    except CommandError:
        assert (sim.trace.seq, sim.clock.now, len(session.log)) == before, line
        return None


def assert_replays(
    stack: Path,
    start_ms: int,
    drive: Callable[[Session], None],
    views: Sequence[str],
) -> tuple[Session, Session]:
    """Drive two sessions of `stack` (seed 3) alike and check their traces and views are the
    same; save the first and load it into a fresh session, and check that one too. Returns
    the first session and the loaded one, to drive further."""
    runs = []
    for _ in range(2):
        session = Session.open(stack, start_ms=start_ms, seed=3)
        drive(session)
        runs.append(session)
    first, second = runs
    assert trace_lines(second) == trace_lines(first)
    assert views_of(second, views) == views_of(first, views)
    saved = stack.parent / "s.json"
    execute(first, f"save {saved}")
    loaded = Session.open(stack, start_ms=start_ms)
    execute(loaded, f"load {saved}")
    assert trace_lines(loaded) == trace_lines(first)
    assert views_of(loaded, views) == views_of(first, views)
    return first, loaded


def state(session: Session) -> tuple[object, ...]:
    """What a refused command must leave as it was: the trace, the clock, the agenda and
    the session log."""
    sim = session.sim
    return (sim.trace.seq, sim.clock.now, sim.pending(), list(session.log))


def refused(session: Session, line: str) -> CommandError:
    """The CommandError `line` raises, after checking that it changed nothing."""
    before = state(session)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert state(session) == before, line
    return info.value
