"""Helpers for the property-based tests of sessions: a session of inline files, a script of
command lines run on it, the trace as text."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from stptui.commands import CommandError, Session, execute
from tests.simkit import START


def open_session(folder: Path, stack: str, behaviors: str | None = None, seed: int = 0) -> Session:
    """A session at START of `stack` (and its behaviours file, when given) written to
    `folder`, a folder of its own."""
    (folder / "stacktape.yml").write_text(stack, encoding="utf-8")
    if behaviors is not None:
        (folder / "stptui.yml").write_text(behaviors, encoding="utf-8")
    session = Session.open(folder, start_ms=START, seed=seed)
    assert not [d for d in session.diagnostics if d.severity == "error"], [
        d.format() for d in session.diagnostics
    ]
    return session


def run_lines(session: Session, lines: Iterable[str]) -> list[str]:
    """Run each line; a refused one must change nothing, and its message is kept."""
    out = []
    for line in lines:
        before = len(session.sim.trace.records)
        try:
            out.append(execute(session, line).text)
        except CommandError as exc:
            assert len(session.sim.trace.records) == before, line
            out.append(f"refused: {exc.message}")
    return out


def trace_lines(session: Session) -> list[str]:
    """The trace as its JSONL lines: what "byte-identical trace" compares."""
    return [r.to_line() for r in session.sim.trace.records]


def scratch() -> tempfile.TemporaryDirectory[str]:
    """A folder for one example's files (hypothesis examples cannot share pytest's
    function-scoped tmp_path)."""
    return tempfile.TemporaryDirectory(prefix="stptui-prop-")
