"""Hostile text into every Step Functions command: huge and deeply nested JSON, @FILEs too
large or not UTF-8, Rich markup and terminal escapes in names, errors and causes, tokens of
640 characters and more, NUL. Each is a clear refusal that changes nothing, or is taken as
data and shown as text: never read as markup, never an escape sequence on the terminal."""

from __future__ import annotations

import io
import json
import os
import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workcount import hang_guard

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import make_console, render_plain
from stptui.repl.printer import Printer
from stptui.sim.asl_callbacks import TOKEN_LENGTH, tokens_of
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
MARKUP = "[bold red]x[/] [@click=app.quit]q[/]"
ESCAPES = "\x1b[31mred\x1b[0m\x00\x07\u202e"
# What may never reach a terminal from untrusted text: ESC, NUL, BEL, a bidi override.
RAW = ("\x1b", "\x00", "\x07", "\u202e")


@pytest.fixture
def s() -> Session:
    """workflow-callback.yml with execution e1 waiting at RequestApproval for its token."""
    session = Session.open(
        EXAMPLES / "workflow-callback.yml",
        behaviors_path=EXAMPLES / "workflow-callback-behaviors.yml",
        start_ms=T0,
    )
    execute(session, 'start-execution orderApproval \'{"orderId": "o-1", "amount": 5}\' --name e1')
    assert tokens_of(session.sim).waiting()
    return session


def snapshot(s: Session) -> tuple[object, ...]:
    executions = [
        (ex.name, ex.status, len(ex.history), ex.error, ex.cause)
        for m in s.sim.services["state_machines"].values()
        for ex in m.executions.values()
    ]
    tasks = [(t.token, t.open) for t in tokens_of(s.sim).tasks.values()]
    return (s.sim.clock.now, s.sim.trace.seq, executions, tasks, list(s.log))


def printed(error: CommandError) -> str:
    """The refusal as the REPL prints it, with colours (so escapes would show)."""
    out = io.StringIO()
    Printer(make_console(file=out, width=200, force_terminal=True, color_system=None)).error(error)
    return out.getvalue()


def refused(s: Session, line: str) -> CommandError:
    """The refusal of `line`: one short line with a hint, and nothing changed."""
    before = snapshot(s)
    with pytest.raises(CommandError) as info:
        execute(s, line)
    err = info.value
    assert snapshot(s) == before, f"{line[:60]!r} changed the simulation"
    assert err.hint, f"{line[:60]!r} gives no hint"
    assert "\n" not in err.message
    assert len(err.message) < 300, err.message[:400]
    shown = printed(err)
    assert not any(c in shown for c in RAW), shown
    return err


def q(text: str) -> str:
    return shlex.quote(text)


# -- huge, deep and broken JSON, inline and in files --------------------------------------


def test_input_and_output_over_256_kib_are_refused_with_their_size(s: Session) -> None:
    big = json.dumps({"x": "y" * 300_000})
    err = refused(s, f"start-execution orderApproval {q(big)}")
    assert err.message.startswith("InvalidExecutionInput: the input is 300,009 bytes")
    err = refused(s, f"send-task-success e1 {q(big)}")
    assert err.message.startswith("InvalidOutput: the output is 300,009 bytes")


def test_a_file_far_over_the_limit_is_refused_for_its_size_not_called_broken_json(
    s: Session, tmp_path: Path
) -> None:
    # Found by this suite: the file was cut at 1 MiB and the cut text called "not JSON"
    # (and send-task-success gave the size of the cut, not of the file).
    big = tmp_path / "big.json"
    big.write_text("[" + ",".join(["1"] * 1_500_000) + "]", encoding="utf-8")
    for line in (f"start-execution orderApproval @{big}", f"send-task-success e1 @{big}"):
        err = refused(s, line)
        assert "holds more than 1,048,576 bytes" in err.message
        assert "256 KiB" in err.message
        assert "not JSON" not in err.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_an_input_file_that_is_a_fifo_or_a_folder_is_refused_without_waiting(
    s: Session, tmp_path: Path
) -> None:
    # A FIFO nobody writes to blocked the command (and the terminal UI with it) for good.
    os.mkfifo(tmp_path / "pipe.json")
    for name in ("pipe.json", "."):
        path = tmp_path / name
        for line in (f"start-execution orderApproval @{path}", f"send-task-success e1 @{path}"):
            with hang_guard(20):
                err = refused(s, line)
            assert err.message == f"cannot read {str(path)!r}: not a regular file"


def test_deep_nesting_is_refused_inline_and_in_files(s: Session, tmp_path: Path) -> None:
    deep = "[" * 50_000 + "]" * 50_000
    (tmp_path / "deep.json").write_text(deep, encoding="utf-8")
    for line in (
        f"start-execution orderApproval {q(deep)}",
        f"start-execution orderApproval @{tmp_path / 'deep.json'}",
        f"send-task-success e1 {q(deep)}",
    ):
        assert "nests more than 100 levels deep" in refused(s, line).message


def test_a_file_that_is_not_utf8_is_refused_with_the_hint_of_its_argument(
    s: Session, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"approved": "\xff\xfe"}')
    err = refused(s, f"start-execution orderApproval @{bad}")
    assert (err.message, "input" in str(err.hint)) == (f"{str(bad)!r} is not UTF-8 text", True)
    # The output of a task was called "the input" in the hint.
    err = refused(s, f"send-task-success e1 @{bad}")
    assert err.hint is not None and err.hint.startswith("the output is one JSON word")


# -- names, ids and tokens ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [MARKUP, ESCAPES, "a\x00b", "n" * 5000, "tab\there", "", "x:y", "é" * 81]
)
def test_names_step_functions_refuses_are_refused_and_echoed_safely(s: Session, name: str) -> None:
    err = refused(s, f"start-execution orderApproval '{{}}' --name {q(name)}")
    # A length outside 1 to 80 is the API's ValidationException, checked before the
    # characters (InvalidName).
    if 1 <= len(name) <= 80:
        assert err.message.startswith("InvalidName: Invalid Name: ")
    else:
        assert err.message.startswith("ValidationException: 1 validation error detected: ")
    # Found by this suite: a 5,000-character name was echoed whole, and NUL raw.
    assert "\x00" not in err.message


@pytest.mark.parametrize(
    "command",
    [
        "show execution",
        "stop-execution",
        "redrive-execution",
        "explain",
        "send-task-success",
        "send-task-failure",
        "send-task-heartbeat",
    ],
)
@pytest.mark.parametrize(
    "text",
    [MARKUP, ESCAPES, "z" * 3000, "A" * (TOKEN_LENGTH + 1), "\x00" * 700, "A" * TOKEN_LENGTH],
    ids=["markup", "escapes", "3000", "641", "nul", "unissued-token"],
)
def test_ids_and_tokens_that_name_nothing_are_refused_and_echoed_cut(
    s: Session, command: str, text: str
) -> None:
    err = refused(s, f"{command} {q(text)}")
    assert text not in err.message or len(text) < 100


def test_a_token_given_whole_or_by_its_start_is_answered(s: Session) -> None:
    token = tokens_of(s.sim).waiting()[0].token
    assert len(token) == TOKEN_LENGTH
    execute(s, f"send-task-heartbeat {token[:8]}")
    out = execute(s, f"send-task-success {token} '{{\"approved\": true}}'")
    assert out.data["taskToken"] == token
    # Answered: the same token now names a closed task.
    assert refused(s, f"send-task-success {token}").message.startswith("TaskTimedOut")


# -- errors and causes --------------------------------------------------------------------


def test_stop_execution_refuses_an_error_or_cause_over_the_api_limits(s: Session) -> None:
    # Found by this suite: StopExecution took an error of any length (AWS: at most 256
    # characters, the cause 32,768), and checked the execution's status first.
    err = refused(s, f"stop-execution e1 --error {'E' * 257}")
    assert err.message == "ValidationException: the error is 257 characters; at most 256"
    err = refused(s, f"stop-execution e1 --cause {'c' * 32_769}")
    assert err.message == "ValidationException: the cause is 32,769 characters; at most 32,768"
    execute(s, f"stop-execution e1 --error {'E' * 256} --cause {'c' * 32_768}")
    assert refused(s, f"stop-execution e1 --error {'E' * 257}").message.startswith(
        "ValidationException"
    )


@pytest.mark.parametrize("how", ["stop", "fail"])
def test_markup_and_escapes_in_errors_and_causes_are_shown_as_text(s: Session, how: str) -> None:
    if how == "stop":
        execute(s, f"stop-execution e1 --error {q(MARKUP)} --cause {q(ESCAPES)}")
    else:
        execute(s, f"send-task-failure e1 --error {q(MARKUP)} --cause {q(ESCAPES)}")
    for line in ("show execution e1", "show executions", "explain e1"):
        out = execute(s, line)
        text = render_plain(out)
        assert MARKUP in text, line
        assert not any(c in text for c in RAW), line
        buffer = io.StringIO()
        console = make_console(file=buffer, width=300, force_terminal=True, color_system=None)
        Printer(console).result(out)
        assert MARKUP in buffer.getvalue().replace("\n", ""), line
        assert not any(c in buffer.getvalue() for c in RAW), line


@settings(max_examples=40, derandomize=True)
@given(
    words=st.lists(
        st.text(
            alphabet=st.sampled_from(list("[]/@=\\'\"{}$:, \x00\x1b\x07\u202eAa1é")),
            max_size=30,
        ),
        min_size=1,
        max_size=3,
    ),
    command=st.sampled_from(
        [
            "start-execution orderApproval",
            "stop-execution",
            "redrive-execution",
            "send-task-success",
            "send-task-failure",
            "send-task-heartbeat",
            "show execution",
            "show executions",
        ]
    ),
)
def test_any_words_into_the_commands_are_a_refusal_or_a_safe_result(
    command: str, words: list[str]
) -> None:
    session = Session.open(
        EXAMPLES / "workflow-callback.yml",
        behaviors_path=EXAMPLES / "workflow-callback-behaviors.yml",
        start_ms=T0,
    )
    execute(session, 'start-execution orderApproval \'{"orderId": "o-1", "amount": 5}\' --name e1')
    line = f"{command} {' '.join(q(w) for w in words)}"
    before = snapshot(session)
    try:
        out = execute(session, line)
    except CommandError as err:
        assert snapshot(session) == before
        assert not any(c in printed(err) for c in RAW)
        return
    assert not any(c in render_plain(out) for c in RAW)


def test_a_line_break_in_a_cause_cannot_start_a_line_of_show_execution(s: Session) -> None:
    # A cause is one field of the header: its line break shows as \n, so it cannot forge
    # a line such as "  error: -" below it.
    cause = "no\n  error: -"
    execute(s, f"stop-execution e1 --error Cancelled --cause {q(cause)}")
    text = render_plain(execute(s, "show execution e1"))
    assert "  cause: no\\n  error: -" in text.splitlines()
    assert "  error: -" not in text.splitlines()
