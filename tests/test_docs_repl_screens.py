"""The REPL screens docs/repl.md shows that are not transcripts: the toolbar, a JSON body
typed over several lines, a mistake flagged before Enter, the lines a reload on save prints
and the progress line of a long `advance`. Each is a block marked
`<!-- check: by tests/test_docs_repl_screens.py -->`, in this order."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from test_docs_examples import blocks
from test_repl_session import type_into
from test_repl_watch import typed_around_a_save

from stptui.commands import Session, execute
from stptui.commands.handlers.clock import now_line
from stptui.repl.app import Progress
from stptui.repl.lines import CONTINUATION, PROMPT
from stptui.repl.toolbar import Toolbar
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "repl.md"
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")
CTRL_D = "\x04"


def screens() -> list[list[str]]:
    """The lines of each block of repl.md this file checks, in page order."""
    found = [
        b.text.splitlines()
        for b in blocks(PAGE)
        if b.check == ["by", "tests/test_docs_repl_screens.py"]
    ]
    assert len(found) == 5, "docs/repl.md: the blocks this file checks"
    return found


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The typed sessions keep their history away from the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def test_the_toolbar_of_a_new_session_is_the_pages() -> None:
    (line,) = screens()[0]
    session = Session.open(JOB_QUEUE, start_ms=T0)
    assert "".join(text for _, text in Toolbar(session)()).rstrip() == line


def test_a_body_typed_over_several_lines_is_one_command() -> None:
    typed = screens()[1]
    assert typed[0].startswith(PROMPT)
    assert all(line.startswith(CONTINUATION) for line in typed[1:])
    lines = [typed[0].removeprefix(PROMPT), *(x.removeprefix(CONTINUATION) for x in typed[1:])]
    session = Session.open(JOB_QUEUE, start_ms=T0)
    _, out = type_into(session, "\r".join(lines) + "\r" + CTRL_D)
    assert "sent message " in out
    assert session.log == ["\n".join(lines)]


def test_the_mistake_flagged_before_enter_is_the_pages() -> None:
    typed, flagged = screens()[2]
    session = Session.open(JOB_QUEUE, start_ms=T0)
    problem = check(session, typed.removeprefix(PROMPT))
    assert problem is not None
    # prompt_toolkit's validation toolbar writes the message after a space.
    assert flagged == f" {problem.format()}"


def test_a_reload_on_save_prints_the_pages_lines(tmp_path: Path) -> None:
    said = screens()[3]
    shutil.copytree(JOB_QUEUE, tmp_path / "stack")
    session = Session.open(tmp_path / "stack", start_ms=T0)
    text = session.stack_path.read_text("utf-8")
    edit = text.replace("maxReceiveCount: 3", "maxReceiveCount: 5")
    _, out, _ = typed_around_a_save(session, edit, "send jobQueue a\r", CTRL_D)
    printed = [line.rstrip() for line in out.splitlines()]
    at = printed.index(said[0])
    assert printed[at : at + len(said)] == said


def test_the_progress_line_of_a_long_advance_and_its_interruption_are_the_pages() -> None:
    typed, progress, interrupted = screens()[4]
    assert typed == f"{PROMPT}advance 30d"
    session = Session.open(JOB_QUEUE, start_ms=T0)
    execute(session, 'send jobQueue \'{"orderId": 1, "amount": 20}\'')
    out = io.StringIO()
    # In colour, as a terminal shows it: the bar's rest is drawn dim, not left blank.
    console = Console(file=out, width=100, color_system="standard", force_terminal=True)
    line = Progress(console, Toolbar(session), "advance 30d", T0 + 30 * 86_400_000)
    execute(session, "until 2026-01-16T17:44:10Z")
    console.print(line.render())
    # The page's run was busier: its count of events, and the figures it leaves out.
    head = progress.split(" events | ", 1)[0]
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue()).rstrip("\n")
    assert re.sub(r" [\d,]+$", " N", head) == re.sub(r" [\d,]+ events \| .*", " N", shown), shown
    assert interrupted == f"interrupted; {now_line(session.sim, T0)}"
