"""`fail worker next x y`: the REPL before Enter and the run name the bad count with the
same words, even with words after it (the run used to say "next needs a whole number"
while the REPL said "fail worker next N must be a whole number")."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

COMBINED = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "combined"


@pytest.fixture
def session() -> Session:
    return Session.open(COMBINED, start_ms=parse_instant("2026-01-05T08:00:00Z"))


@pytest.mark.parametrize(
    ("line", "bad"),
    [("fail worker next x y", "x"), ("fail worker next 0 1", "0"), ("fail worker next -1 x", "-1")],
)
def test_a_bad_count_with_words_after_it_reads_the_same_before_and_after_enter(
    session: Session, line: str, bad: str
) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, line)
    err = info.value
    assert err.message == f"fail worker next N must be a whole number of at least 1, not {bad!r}"
    assert err.hint == "write a whole number from 1 to 999,999,999"
    problem = check(session, line, final=True)
    assert problem is not None
    assert (problem.message, problem.hint) == (err.message, err.hint)
    # The cursor goes to the count, not the word after it.
    assert line[problem.position :].split()[0] == bad
    # Nothing was overridden.
    assert not session.sim.functions["worker"].overrides


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "fail worker next 3 y",
            "`fail worker next N` takes one count, not '3 y'",
            "e.g. `fail worker next 3`",
        ),
        (
            "fail worker next",
            "`fail worker next N` needs a count",
            "write a whole number from 1 to 999,999,999",
        ),
    ],
)
def test_a_good_count_with_more_words_or_no_count_is_named_as_such(
    session: Session, line: str, message: str, hint: str
) -> None:
    # Both used to say "next needs a whole number", though 3 is one.
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert (info.value.message, info.value.hint) == (message, hint)
    assert not session.sim.functions["worker"].overrides
