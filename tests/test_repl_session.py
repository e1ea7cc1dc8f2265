"""The interactive REPL driven through prompt_toolkit's pipe input with a dummy output: typed
sessions, history across sessions, Ctrl-C and Ctrl-D, multi-line JSON, `source`, and a
`record`ed session that `stptui run` replays to a byte-identical trace."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from stptui.cli import main as cli_main
from stptui.commands import Session, execute
from stptui.commands.result import make_console
from stptui.commands.session import trace_sha256
from stptui.repl import app as repl_app
from stptui.repl import toolbar as toolbar_module
from stptui.repl.app import Progress, Repl
from stptui.repl.history import history_path
from stptui.sim.clock import iso_ms, parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"
T0 = parse_instant(START)
CTRL_C = "\x03"
CTRL_D = "\x04"
UP = "\x1b[A"


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test keeps its history in its own XDG state directory."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def open_session() -> Session:
    return Session.open(STACK, start_ms=T0)


def type_into(session: Session, keys: str, **options: object) -> tuple[Repl, str]:
    """Run a REPL on `session` with `keys` typed (end them with Ctrl-D); (repl, output)."""
    out = io.StringIO()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(file=out, width=120), **options)  # type: ignore[arg-type]
        inp.send_text(keys)
        assert repl.run() == 0
    return repl, out.getvalue()


def replayed(log: list[str]) -> Session:
    """A fresh session with `log` applied: what `load` and `stptui run` rebuild."""
    fresh = open_session()
    for line in log:
        execute(fresh, line)
    return fresh


# -- a typed session -------------------------------------------------------------------------


def test_a_typed_session_sends_advances_and_shows() -> None:
    session = open_session()
    keys = (
        'send jobQueue \'{"orderId": 1, "amount": 20}\'\r'
        "advance 10s\r"
        "show queues\r"
        "show functions\r" + CTRL_D
    )
    repl, out = type_into(session, keys)
    assert session.log == ['send jobQueue \'{"orderId": 1, "amount": 20}\'', "advance 10s"]
    assert "sent message " in out and " to jobQueue" in out
    assert "now 2026-01-05T08:00:10.000Z (+10 s)" in out
    # The trace records each command caused, one line each.
    assert "01-05 08:00:02.000 invocation.succeeded worker" in out
    # `show` tables, rendered by Rich from CommandResult.table.
    assert "queue " in out and "in_flight" in out and "deadLetterQueue" in out
    assert "worker " in out and "invocations" in out
    assert repl.toolbar.last_error is None


def test_the_toolbar_shows_time_paused_counts_and_the_last_error() -> None:
    session = open_session()
    repl, out = type_into(
        session,
        "send jobQueue a\rsend jobQueue b --delay 1ms\r" + CTRL_D,
    )
    assert "error: --delay is a whole number of seconds in SQS" in out
    assert "    hint: e.g. --delay 30s" in out
    text = "".join(t for _, t in repl.toolbar())
    assert "2026-01-05 08:00:00.000Z" in text and " paused " in text
    assert "1 visible, 0 in flight, 0 in DLQs" in text
    assert "last error: --delay is a whole number of seconds in SQS" in text


def test_the_toolbar_says_when_the_stack_changed_on_disk_until_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(STACK, tmp_path / "stack")
    config = tmp_path / "stack" / "stacktape.yml"
    session = Session.open(tmp_path / "stack", start_ms=T0)
    repl, _ = type_into(session, "send jobQueue a\r" + CTRL_D)
    assert "changed" not in "".join(t for _, t in repl.toolbar())
    config.write_text(config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 4"))
    # Looked at once a second at most: the next look is a second on.
    clock = [time.monotonic() + 2]
    monkeypatch.setattr(toolbar_module.time, "monotonic", lambda: clock[0])
    parts = repl.toolbar()
    assert ("class:toolbar.changed", " stacktape.yml changed: reload ") in parts
    repl.run_line("reload")
    clock[0] += 2
    assert "changed" not in "".join(t for _, t in repl.toolbar())


def test_json_spans_lines_while_a_quote_is_open() -> None:
    session = open_session()
    type_into(session, 'send jobQueue \'{\r"orderId": 7,\r"amount": 5\r}\'\r' + CTRL_D)
    assert len(session.log) == 1
    msg = next(iter(session.sim.queues["jobQueue"].messages.values()))
    assert json.loads(msg.body) == {"orderId": 7, "amount": 5}


def test_an_unknown_resource_is_refused_before_anything_runs() -> None:
    session = open_session()
    # Enter is refused by the validator; Ctrl-C then drops the line.
    repl, out = type_into(session, "send jobQeue x\r" + CTRL_C + "advance 1s\r" + CTRL_D)
    assert session.log == ["advance 1s"]
    assert session.sim.trace.count("message.sent") == 0
    assert "error" not in out and repl.toolbar.last_error is None


def test_ctrl_c_on_an_empty_line_does_nothing() -> None:
    session = open_session()
    _, out = type_into(session, CTRL_C + CTRL_C + "advance 1s\r" + CTRL_D)
    assert session.log == ["advance 1s"]
    assert out.count("now 2026-01-05T08:00:01.000Z") == 1


def test_help_is_grouped_by_topic_and_help_send_comes_from_the_registry() -> None:
    _, out = type_into(open_session(), "help\rhelp send\r" + CTRL_D)
    assert "Send work into the stack:" in out and "Move the virtual clock:" in out
    assert "usage: send QUEUE BODY" in out and "examples:" in out


def test_untrusted_text_is_shown_as_text() -> None:
    session = open_session()
    out = io.StringIO()
    repl = Repl(session, console=make_console(file=out, width=200))
    body = "[bold red]x[/] \u202e"
    repl.run_line(f"send deadLetterQueue {shlex.quote(body)}")
    repl.run_line("show queue deadLetterQueue")
    repl.run_line("show queue '\x1b[2J'")
    text = out.getvalue()
    assert "[bold red]x[/] \\u202e" in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "error: no queue named '\\x1b[2J'" in text


# -- history ---------------------------------------------------------------------------------


def test_history_persists_across_sessions(state_home: Path) -> None:
    type_into(open_session(), "send jobQueue hello\r" + CTRL_D)
    assert history_path() == state_home / "stptui" / "history"
    assert "+send jobQueue hello" in history_path().read_text()
    second = open_session()
    # Up recalls the previous session's line; Enter runs it again.
    type_into(second, UP + "\r" + CTRL_D)
    assert second.log == ["send jobQueue hello"]


def test_history_search_with_ctrl_r(state_home: Path) -> None:
    type_into(open_session(), "send jobQueue first\radvance 5s\r" + CTRL_D)
    session = open_session()
    type_into(session, "\x12jobQ\r\r" + CTRL_D)
    assert session.log == ["send jobQueue first"]


def test_vi_mode(state_home: Path) -> None:
    session = open_session()
    # i: insert; escape, 0, x: delete the first character in normal mode; Enter runs.
    type_into(session, "xadvance 2s\x1b0x\r" + CTRL_D, vi=True)
    assert session.log == ["advance 2s"]


# -- Ctrl-C during a long run ----------------------------------------------------------------


@contextlib.contextmanager
def interrupt_at_tick(n: int, how: Callable[[Repl], None], repl: list[Repl]) -> Iterator[None]:
    """Make the progress line's n-th tick (the simulator polls every 256 events) press
    Ctrl-C, by `how`."""
    ticks = [0]
    original = Progress.tick

    def tick(self: Progress) -> None:
        ticks[0] += 1
        if ticks[0] == n:
            how(repl[0])
        original(self)

    Progress.tick = tick  # type: ignore[method-assign]
    try:
        yield
    finally:
        Progress.tick = original  # type: ignore[method-assign]


def busy_session() -> Session:
    session = open_session()
    for i in range(1000):
        execute(session, f'send jobQueue \'{{"orderId": {i}, "amount": 10}}\'')
    return session


@pytest.mark.parametrize(
    "press",
    [
        pytest.param(lambda r: signal.raise_signal(signal.SIGINT), id="sigint"),
        pytest.param(lambda r: r.interrupt(), id="interrupt"),
    ],
)
def test_ctrl_c_during_advance_leaves_a_consistent_state(press: Callable[[Repl], None]) -> None:
    session = busy_session()
    handler = signal.getsignal(signal.SIGINT)
    out = io.StringIO()
    repl = Repl(session, console=make_console(file=out, width=120))
    with interrupt_at_tick(2, press, [repl]):
        result = repl.run_line("advance 30d")
    assert result is not None and result.data["interrupted"] is True
    assert "interrupted; now " in out.getvalue()
    # The handler is restored, and the run stopped long before 30 days.
    assert signal.getsignal(signal.SIGINT) is handler
    now = session.sim.clock.now
    assert T0 < now < T0 + 86_400_000
    # The log holds the instant reached, and replays to exactly this simulation.
    assert session.log[-1] == f"until {iso_ms(now)}"
    again = replayed(session.log)
    assert trace_sha256(again.sim.trace) == trace_sha256(session.sim.trace)
    assert again.sim.clock.now == now
    # Nothing is torn: every message is still somewhere or was deleted.
    sent = session.sim.trace.count("message.sent")
    deleted = session.sim.trace.count("message.deleted")
    depth = sum(q.depth for q in session.sim.queues.values())
    assert sent == deleted + depth
    # And the session goes on.
    assert repl.run_line("advance 1s") is not None


def test_an_interrupted_run_and_until_are_logged_the_same_way() -> None:
    for line in ("run --max 30d", "until 2026-02-01T00:00:00Z"):
        session = busy_session()
        repl = Repl(session, console=make_console(file=io.StringIO()))
        with interrupt_at_tick(1, lambda r: r.interrupt(), [repl]):
            result = repl.run_line(line)
        assert result is not None and result.data["interrupted"]
        assert session.log[-1] == f"until {iso_ms(session.sim.clock.now)}"
        assert trace_sha256(replayed(session.log).sim.trace) == trace_sha256(session.sim.trace)


# -- Ctrl-D ----------------------------------------------------------------------------------


def test_ctrl_d_asks_only_with_unsaved_changes_and_confirm_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    answers = iter([False])

    def confirm(message: str) -> bool:
        asked.append(message)
        return next(answers)

    monkeypatch.setattr(repl_app, "confirm", confirm)
    # Without --confirm-exit: never asked.
    type_into(open_session(), "advance 1s\r" + CTRL_D)
    assert asked == []
    # With it: asked while a command is unsaved (the answer no keeps the REPL open); not
    # after `save`.
    save = tmp_path / "s.json"
    session = open_session()
    type_into(session, f"advance 1s\r{CTRL_D}save {save}\r{CTRL_D}", confirm_exit=True)
    assert asked == ["1 command not saved (run or undone since the last save). Exit anyway?"]
    assert save.exists()
    # Nothing typed: nothing to lose, nothing asked.
    type_into(open_session(), CTRL_D, confirm_exit=True)
    assert len(asked) == 1
    # An undo after the save takes a saved command back: that is unsaved too; the redo
    # gives back the session saved.
    answers = iter([False])
    session = open_session()
    type_into(
        session,
        f"advance 1s\rsave {save}\rundo\r{CTRL_D}redo\r{CTRL_D}",
        confirm_exit=True,
    )
    assert asked[1:] == ["1 command not saved (run or undone since the last save). Exit anyway?"]


# -- source and record -----------------------------------------------------------------------


def test_source_runs_a_script_inside_the_session(tmp_path: Path) -> None:
    script = tmp_path / "s.stp"
    script.write_text("send jobQueue '{\"orderId\": 1}'  # a job\nadvance 5s\nshow queues\n")
    session = open_session()
    _, out = type_into(session, f"source {script}\r" + CTRL_D)
    assert session.log == ["send jobQueue '{\"orderId\": 1}'", "advance 5s"]
    assert "> send jobQueue '{\"orderId\": 1}'" in out and "> show queues" in out
    assert f"{script}: ran 3 of 3 commands" in out
    # A failing line stops the script, naming it, like `stptui run`.
    script.write_text("advance 1s\nsend nowhere x\nadvance 1s\n")
    session = open_session()
    _, out = type_into(session, f"source {script}\r" + CTRL_D)
    assert session.log == ["advance 1s"]
    assert f"error: {script}:2:6: no queue named 'nowhere'" in out


def test_a_recorded_session_replays_to_a_byte_identical_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    session = busy_session()  # 1000 sends before the recording: the script includes them
    keys = (
        "record tour.stp\r"
        "fail worker next 2\r"
        'send jobQueue \'{\r"orderId": 999,\r"amount": 5000\r}\'\r'
        "advance 30d\r"  # interrupted below
        "show queues\r"
        "succeed worker\r"
        "redrive deadLetterQueue\r"
        "run\r"
        "expect queue.deadLetterQueue.depth == 0\r"
        "record stop\r" + CTRL_D
    )
    repl: list[Repl] = []
    original_init = Repl.__init__

    def init(self: Repl, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]
        repl.append(self)

    monkeypatch.setattr(Repl, "__init__", init)
    with interrupt_at_tick(3, lambda r: r.interrupt(), repl):
        _, out = type_into(session, keys)
    # 1000 sends, 6 commands that changed the simulation and the `expect` that held.
    assert "interrupted; now " in out and "recorded 1007 commands to tour.stp" in out
    script = (tmp_path / "tour.stp").read_text()
    assert script.splitlines()[-1] == "expect queue.deadLetterQueue.depth == 0"
    header = script.splitlines()
    assert header[0].startswith("# Recorded by stptui ")
    assert header[2] == "# seed 0, start 2026-01-05T08:00:00.000Z, stage dev, region us-east-1"
    assert any(line.startswith("until 2026-01-") for line in script.splitlines())
    # The header's own `stptui run` line replays it.
    replay = shlex.split(header[1].lstrip("#").strip())
    assert replay[:2] == ["stptui", "run"] and replay[-2:] == ["--trace", "trace.jsonl"]
    assert cli_main(replay[1:]) == 0
    expected = "".join(rec.to_line() + "\n" for rec in session.sim.trace.records)
    assert (tmp_path / "trace.jsonl").read_text() == expected


def test_record_refuses_load_and_a_second_recording(tmp_path: Path) -> None:
    session = open_session()
    execute(session, "advance 1s")
    execute(session, f"save {tmp_path / 's.json'}")
    _, out = type_into(
        session,
        f"record {tmp_path / 'a.stp'}\rrecord {tmp_path / 'b.stp'}\rload {tmp_path / 's.json'}\r"
        + CTRL_D,
    )
    assert "error: already recording to" in out and "hint: record stop first" in out
    assert "error: cannot load while recording to" in out
    # Leaving the REPL stops the recording.
    assert session.recorder is None
    assert f"recorded 1 command to {tmp_path / 'a.stp'}" in out


# -- the transcripts of docs/repl.md ---------------------------------------------------------


def test_the_transcripts_in_the_docs_are_what_the_repl_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Each ```text block after a `<!-- repl transcript -->` line is one stretch of a single
    # session: `stptui> LINE` is typed, the lines below are what the REPL prints.
    monkeypatch.setenv("NO_COLOR", "1")
    page = (ROOT / "docs" / "repl.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- repl transcript -->\n```text\n(.*?)^```$", page, re.S | re.M)
    assert len(blocks) == 6
    out = io.StringIO()
    repl = Repl(open_session(), console=make_console(file=out, width=100))
    for block in blocks:
        actual: list[str] = []
        for line in block.splitlines():
            if line.startswith("stptui> "):
                actual.append(line)
                repl.run_line(line.removeprefix("stptui> "))
                actual += [x.rstrip() for x in out.getvalue().splitlines()]
                out.seek(0)
                out.truncate()
        assert actual == [x.rstrip() for x in block.splitlines()]


def test_the_narrow_transcript_in_the_docs_is_what_the_repl_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A ```text block after `<!-- repl transcript width=N -->` is typed into a fresh session
    # whose console is N columns wide: how a listing looks in a narrow terminal.
    monkeypatch.setenv("NO_COLOR", "1")
    page = (ROOT / "docs" / "repl.md").read_text(encoding="utf-8")
    found = re.findall(
        r"<!-- repl transcript width=(\d+) -->\n```text\n(.*?)^```$", page, re.S | re.M
    )
    assert found, "docs/repl.md has no narrow transcript"
    for width, block in found:
        out = io.StringIO()
        repl = Repl(open_session(), console=make_console(file=out, width=int(width)))
        actual: list[str] = []
        for line in block.splitlines():
            if line.startswith("stptui> "):
                actual.append(line)
                repl.run_line(line.removeprefix("stptui> "))
                actual += [x.rstrip() for x in out.getvalue().splitlines()]
                out.seek(0)
                out.truncate()
        assert actual == [x.rstrip() for x in block.splitlines()]
