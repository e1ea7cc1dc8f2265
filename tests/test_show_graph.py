"""`show graph`: the stack's graph in the REPL and in scripts, as `stptui graph` draws it,
with the queues a worker polls (from the behaviours file), for a user who cannot open the
TUI's graph pane (a pipe, CI, a narrow terminal)."""

from __future__ import annotations

import io
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from stptui import graph
from stptui.commands import CommandError, Session, execute
from stptui.commands.result import make_console
from stptui.commands.script import ScriptOptions, run_from_files
from stptui.repl.printer import Printer
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


PATTERN_EDGE = (
    '  eventBus --event-bus({"source":["orders"],"detail-type":["OrderCreated",'
    '"OrderShipped"]})--> emailService'
)


@pytest.mark.parametrize("width", [100, 80, 60, 30])
def test_the_repl_folds_the_graph_to_its_terminals_width(width: int) -> None:
    session = Session.open(SAMPLES / "combined", start_ms=START)
    result = execute(session, "show graph")
    out = io.StringIO()
    Printer(make_console(file=out, width=width)).result(result)
    lines = out.getvalue().splitlines()
    # Folded as `stptui graph` folds it on a terminal of that width: every line fits (at
    # 30 a variable's name is longer than a line, and the REPL wraps it at the margin).
    folded = graph.to_text(graph.build_graph(session.sim.stack), width).splitlines()
    assert max(len(line) for line in lines) <= width
    if width >= 40:
        assert lines == folded
        assert "  eventBus --event-bus--> emailService" in lines
    else:
        assert ("  eventBus --event-bus-->", "      emailService") in pairwise(lines)
    # The command's text, what a pipe and the data get, is the graph unfolded.
    assert PATTERN_EDGE in result.text.splitlines()


class Terminal(io.StringIO):
    """Standard output as a terminal."""

    def isatty(self) -> bool:
        return True


def _ran(tmp_path: Path, out: io.StringIO) -> list[str]:
    script = tmp_path / "s.stp"
    script.write_text("show graph\n")
    options = ScriptOptions(stack=str(SAMPLES / "combined"), start_ms=START, script=str(script))
    assert run_from_files(options, out=out) == 0
    return out.getvalue().splitlines()


def test_run_folds_the_graph_on_a_terminal_and_not_into_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    shown = _ran(tmp_path, Terminal())
    assert max(len(line) for line in shown) <= 60
    assert "  eventBus --event-bus--> emailService" in shown
    piped = _ran(tmp_path, io.StringIO())
    assert PATTERN_EDGE in piped
    assert piped[1:] == _graph_cli(SAMPLES / "combined").splitlines()
