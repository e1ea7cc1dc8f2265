"""The REPL's reload on save (`stptui repl`, unless --no-watch), driven through
prompt_toolkit's pipe input: a file saved while the prompt waits is reloaded as if
`reload` were typed, its lines printed above the prompt, and the line being typed is kept."""

from __future__ import annotations

import io
import os
import shutil
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session, get_app
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from stptui.commands import CommandResult, Session
from stptui.commands.result import make_console
from stptui.commands.watch import FileChange, InputWatcher
from stptui.repl.app import Repl
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")
CTRL_C = "\x03"
CTRL_D = "\x04"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test keeps its history in its own XDG state directory."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


class Ticking:
    """A clock that moves a second each time it is read: every look after the first
    finds the files settled."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def typed_around_a_save(
    session: Session,
    edit: str,
    before: str,
    after: str,
    prepare: Callable[[Repl], None] | None = None,
    pause_s: float = 0.0,
) -> tuple[Repl, str, list[tuple[FileChange, str]]]:
    """A REPL on `session` where `before` is typed, its stack saved as `edit` once the first
    line of it has run, and `after` typed once the reload has run (`pause_s` later: the
    prompt is back by then). (repl, output, each change acted on with the text on the
    prompt's line then). `prepare` is given the REPL before it runs."""
    config = session.stack_path
    out = io.StringIO()
    changes: list[tuple[FileChange, str]] = []
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        # Wide: the stack's temporary path (longer under xdist) must not wrap a message.
        repl = Repl(session, console=make_console(file=out, width=1000), watch=True)
        repl.watcher = InputWatcher(clock=Ticking())
        repl.watch_every_s = 0.01
        reload_for, run_line = repl._reload_for, repl.run_line

        def reloaded(change: FileChange) -> None:
            changes.append((change, get_app().current_buffer.text))
            reload_for(change)
            if pause_s:
                # A thread's timer: the prompt's loop ends with the prompt.
                threading.Timer(pause_s, inp.send_text, (after,)).start()
            else:
                inp.send_text(after)

        def ran(text: str) -> CommandResult | None:
            result = run_line(text)
            if not changes and text != "reload":
                config.write_text(edit)
            return result

        repl._reload_for = reloaded  # type: ignore[method-assign]
        repl.run_line = ran  # type: ignore[method-assign]
        if prepare is not None:
            prepare(repl)
        inp.send_text(before)
        assert repl.run() == 0
    return repl, out.getvalue(), changes


def test_a_save_while_the_prompt_waits_reloads_and_keeps_the_line_typed(tmp_path: Path) -> None:
    shutil.copytree(JOB_QUEUE, tmp_path / "stack")
    session = Session.open(tmp_path / "stack", start_ms=T0)
    text = session.stack_path.read_text("utf-8")
    edit = text.replace("maxReceiveCount: 3", "maxReceiveCount: 4")
    _, out, changes = typed_around_a_save(
        session, edit, "send jobQueue a\rshow que", "ues\r" + CTRL_D
    )
    assert [(c.names(), line) for c, line in changes] == [("stacktape.yml", "show que")]
    assert "stacktape.yml changed on disk: reload" in out
    assert "reloaded (stacktape.yml changed, stptui.yml unchanged): replayed 1 command" in out
    assert session.stack.resources["jobQueue"].properties["redrivePolicy"]["maxReceiveCount"] == 4
    # `show que` was on the line when the reload ran: it ran whole after it.
    assert out.index("reloaded (") < out.index("deadLetterQueue")
    assert session.log == ["send jobQueue a"]


def test_a_save_that_breaks_the_stack_is_said_and_the_session_stays(tmp_path: Path) -> None:
    shutil.copytree(JOB_QUEUE, tmp_path / "stack")
    session = Session.open(tmp_path / "stack", start_ms=T0)
    text = session.stack_path.read_text("utf-8")
    broken = text.replace("    type: sqs-queue\n", "    type: [sqs-queue\n", 1)
    sim = session.sim
    repl, out, changes = typed_around_a_save(session, broken, "send jobQueue a\r", CTRL_D)
    assert len(changes) == 1
    assert "error: cannot reload: cannot read the stack" in out
    assert "stacktape.yml:34:15: error yaml-syntax" in out
    assert session.sim is sim and session.log == ["send jobQueue a"]
    assert repl.toolbar.last_error == "cannot reload: cannot read the stack"


def test_ctrl_c_cancelling_a_reload_keeps_the_line_typed(tmp_path: Path) -> None:
    # The reload runs with the terminal in cooked mode, where Ctrl-C is a SIGINT. It cancels
    # the reload, and is not handed on to the prompt once it is back: that would drop the
    # line put aside, `show que`, and leave what is typed after it alone on the line (`ues`,
    # which Enter refuses).
    shutil.copytree(JOB_QUEUE, tmp_path / "stack")
    session = Session.open(tmp_path / "stack", start_ms=T0)
    text = session.stack_path.read_text("utf-8")
    edit = text.replace("maxReceiveCount: 3", "maxReceiveCount: 4")
    sim = session.sim

    def interrupted(repl: Repl) -> None:
        execute = repl._execute

        def ctrl_c(line: str) -> CommandResult:
            if line == "reload":
                # What the terminal sends the process for Ctrl-C while the reload runs.
                os.kill(os.getpid(), signal.SIGINT)
            return execute(line)

        repl._execute = ctrl_c  # type: ignore[method-assign]

    _, out, changes = typed_around_a_save(
        session,
        edit,
        "send jobQueue a\rshow que",
        # The Ctrl-C drops what is left on the line should `ues` stay on it (refused).
        "ues\r" + CTRL_C + CTRL_D,
        prepare=interrupted,
        # Typed once the prompt is back, as a person would.
        pause_s=0.3,
    )
    assert [(c.names(), line) for c, line in changes] == [("stacktape.yml", "show que")]
    assert "error: reload cancelled: the session is as it was" in out
    assert session.sim is sim and session.log == ["send jobQueue a"]
    assert "deadLetterQueue" in out
