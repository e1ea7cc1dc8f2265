"""`save` keeps a file's mode; `expect` and `fail ... when` suggest the fix for a typo."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import stptui
from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
SAMPLE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"


@pytest.fixture
def session() -> Session:
    return Session.open(SAMPLE, start_ms=T0)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[int]:
    """Run the test under umask 022, whatever the caller's."""
    old = os.umask(0o022)
    yield 0o022
    os.umask(old)


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o666], ids=oct)
def test_save_keeps_the_mode_of_the_file_it_replaces(
    session: Session, tmp_path: Path, umask: int, existing: int
) -> None:
    target = tmp_path / "k.json"
    target.touch()
    target.chmod(existing)
    execute(session, "send jobQueue hello")
    execute(session, f"save {target}")
    assert mode(target) == existing
    assert '"send jobQueue hello"' in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]


def test_save_creates_a_new_file_with_the_usual_mode(
    session: Session, tmp_path: Path, umask: int
) -> None:
    target = tmp_path / "new.json"
    execute(session, f"save {target}")
    assert mode(target) == 0o666 & ~umask
    os.umask(0o077)
    execute(session, f"save {tmp_path / 'private.json'}")
    assert mode(tmp_path / "private.json") == 0o600


def failure(session: Session, line: str) -> CommandError:
    before = (session.sim.trace.seq, list(session.log))
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert (session.sim.trace.seq, list(session.log)) == before
    return info.value


@pytest.mark.parametrize(
    ("op", "guess"), [("=", "=="), ("===", "=="), ("=<", "<="), ("=>", ">="), ("<>", "!=")]
)
def test_expect_suggests_the_comparison_meant(session: Session, op: str, guess: str) -> None:
    err = failure(session, f"expect queue.jobQueue.depth {op} 0")
    assert err.message == f"unknown comparison {op!r}"
    assert err.hint == f"did you mean {guess}?"


CONSTANTS = "string constants are raw literals: 'text'; JSON constants use backticks"


def test_fail_when_with_a_broken_condition_says_where_and_how(session: Session) -> None:
    err = failure(session, "fail worker when 'body.'")
    assert err.message == (
        "invalid JMESPath 'body.': Incomplete expression at column 6: expected a name, `[` or `{`"
    )
    assert err.hint == f'e.g. fail worker when "body.amount > `1000`"; {CONSTANTS}'


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("body.amount = 5", "Unknown token '=' at column 13"),
        ("body.amount >", "Incomplete expression at column 14"),
        ("body amount", "unexpected 'amount' at column 6"),
        ("body.a.(b)", "expected a name, `[` or `{` at column 8, not '('"),
        ("{a b}", "expected `:` at column 4, not 'b'"),
        ("'abc", "Unclosed ' delimiter at column 1"),
    ],
)
def test_fail_when_messages_are_one_line_with_the_column(
    session: Session, condition: str, message: str
) -> None:
    err = failure(session, f'fail worker when "{condition}"')
    assert err.message == f"invalid JMESPath '{condition}': {message}"
    assert 'fail worker when "body.amount > `1000`"' in (err.hint or "")


def test_a_single_equals_sign_suggests_two(session: Session) -> None:
    err = failure(session, "fail worker when \"body.kind = 'poison'\"")
    assert err.hint == 'compare with ==, e.g. fail worker when "body.amount > `1000`"'


@pytest.mark.parametrize(
    ("yaml", "line", "column", "hint"),
    [
        ("fail:\n      when: 'body.'", 4, 13, f'e.g. when: "body.amount > `1000`"; {CONSTANTS}'),
        ("timeout: {when: 'body.'}", 3, 21, f'e.g. when: "body.amount > `1000`"; {CONSTANTS}'),
        (
            "emit:\n      - send: {queue: jobQueue, body: body, when: 'body.'}",
            4,
            51,
            f'e.g. when: "body.amount > `1000`"; {CONSTANTS}',
        ),
        # An emission field is not a condition: no condition for an example.
        ("emit:\n      - send: {queue: jobQueue, body: 'body.'}", 4, 39, CONSTANTS),
    ],
    ids=["fail.when", "timeout.when", "emit.when", "emit.body"],
)
def test_behaviours_file_expressions_keep_their_position_and_get_the_hint(
    yaml: str, line: int, column: int, hint: str
) -> None:
    stack = load_stack(SAMPLE / "stacktape.yml")
    text = f"behaviors:\n  worker:\n    {yaml}\n"
    _, diags = Behaviors.from_text(text, "stptui.yml", stack)
    [d] = diags
    assert (d.file, d.line, d.column, d.code) == (
        "stptui.yml",
        line,
        column,
        "behavior-bad-jmespath",
    )
    assert d.message == (
        "invalid JMESPath 'body.': Incomplete expression at column 6: expected a name, `[` or `{`"
    )
    assert d.hint == hint
