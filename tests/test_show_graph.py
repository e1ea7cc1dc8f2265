"""`show graph`: the stack's graph in the REPL and in scripts, as `stptui graph` draws it,
with the queues a worker polls (from the behaviours file), for a user who cannot open the
TUI's graph pane (a pipe, CI, a narrow terminal)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from tests.simkit import START

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"


def _graph_cli(folder: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "stptui", "graph", str(folder / "stacktape.yml")],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_show_graph_draws_what_stptui_graph_draws() -> None:
    session = Session.open(SAMPLES / "combined", start_ms=START)
    result = execute(session, "show graph")
    assert result.text + "\n" == _graph_cli(SAMPLES / "combined")
    # The upload filter a user checks before `upload uploads incoming/a.csv`.
    assert "uploads --s3(s3:ObjectCreated:*, prefix incoming/)--> fileProcessor" in result.text
    nodes = {n["id"] for n in result.data["nodes"]}
    assert {"uploads", "fileProcessor", "jobQueue", "deadLetterQueue"} <= nodes


def test_show_graph_names_the_queue_a_worker_polls() -> None:
    # The poll edge comes from the behaviours file, which `stptui graph` reads only when
    # told (`--behaviors`): the REPL's session has it already.
    session = Session.open(SAMPLES / "container-jobs", start_ms=START)
    text = execute(session, "show graph").text
    assert "jobQueue --polls(container service-container)--> worker" in text
    bare = Session.open(
        SAMPLES / "container-jobs" / "stacktape.yml", start_ms=START, default_behaviors=False
    )
    assert "--polls(" not in execute(bare, "show graph").text


def test_show_graph_takes_no_name() -> None:
    session = Session.open(SAMPLES / "combined", start_ms=START)
    before = session.sim.trace.seq
    with pytest.raises(CommandError) as caught:
        execute(session, "show graph uploads")
    assert "takes nothing more" in str(caught.value)
    assert caught.value.hint == "write just `show graph`"
    assert session.sim.trace.seq == before
