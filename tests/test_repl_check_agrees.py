"""The REPL's check of a line (as it is typed, and on Enter) says what running the line
says: a line short of an argument is refused for that before its names are looked up, as
the command and a script's check refuse it; and a word `fail` reads in its own way is
refused in `fail`'s words, with the forms its help lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import REGISTRY, CommandError, Session, check_written, execute
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def combined() -> Session:
    return Session.open(SAMPLES / "combined", start_ms=T0)


def refusal(session: Session, line: str) -> CommandError:
    try:
        execute(session, line)
    except CommandError as exc:
        return exc
    pytest.fail(f"{line!r} ran")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("send jobQeue", "send needs BODY"),
        ("slow workr", "slow needs DURATION"),
        ("publish eventBuss", "publish needs SOURCE"),
        ("pause workr --trigger", "--trigger needs a value"),
    ],
)
def test_a_bad_name_and_a_missing_argument_are_reported_in_the_commands_order(
    combined: Session, line: str, message: str
) -> None:
    err = refusal(combined, line)
    assert err.message == message
    # On Enter, the check says what the command says, and so does a script's check.
    problem = check(combined, line)
    assert problem is not None
    assert (problem.message, problem.hint) == (err.message, err.hint)
    written = check_written(combined, line)
    assert written is not None and written.message == message
    # While typing, the missing argument is not judged yet: the name is what is flagged.
    typing = check(combined, line + " ", final=False)
    assert typing is not None and "named" in typing.message


@pytest.mark.parametrize("typed", ["fail worker sometimes", "fail worker sometimes "])
def test_an_unknown_fail_form_is_flagged_in_the_commands_words(
    combined: Session, typed: str
) -> None:
    err = refusal(combined, "fail worker sometimes")
    assert err.message == "unknown fail form 'sometimes'"
    usage = REGISTRY.commands["fail"].usage
    # The forms the hint lists are the ones `help fail` writes.
    forms = usage.partition(" [")[2].removesuffix("]")
    assert err.hint == f"forms: fail worker [{forms}]"
    for final in (False, True):
        problem = check(combined, typed, final=final)
        if not final and not typed.endswith(" "):
            assert problem is None  # the word under the cursor is spared
            continue
        assert problem is not None
        assert (problem.message, problem.hint) == (err.message, err.hint)


def test_a_fail_form_short_of_its_value_is_refused_before_enter_runs_it(
    combined: Session,
) -> None:
    for line in ("fail worker rate", "fail worker next"):
        err = refusal(combined, line)
        problem = check(combined, line)
        assert problem is not None
        assert (problem.message, problem.hint) == (err.message, err.hint)
