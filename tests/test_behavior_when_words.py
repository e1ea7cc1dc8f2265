"""`fail F when EXPR` typed without quotes: the line is split into words, and a condition
that does not parse (or that the split changed) gets the whole line back, quoted, ready to
type."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError, tokenize
from stptui.sim import trace as tk
from stptui.sim.behavior import BehaviorError, parse_override
from stptui.sim.clock import parse_instant
from stptui.textsafe import quote_word

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"


def _refused(words: list[str], typed: str | None = None) -> BehaviorError:
    with pytest.raises(BehaviorError) as info:
        parse_override(words, typed)
    return info.value


def test_an_unquoted_condition_with_a_bare_number_gets_the_quoted_line() -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    with pytest.raises(CommandError) as info:
        execute(session, "fail worker when body.amount > 1000")
    assert info.value.message == (
        "invalid JMESPath 'body.amount > 1000': unexpected '1000' at column 15"
    )
    assert info.value.hint == (
        'numbers are JSON constants in backticks: fail worker when "body.amount > `1000`"'
    )
    line = info.value.hint.split(": ", 1)[1]
    assert execute(session, line).text == 'worker overrides: fail when "body.amount > `1000`"'


def test_a_condition_the_split_took_quotes_from_is_refused_with_the_line_meant() -> None:
    typed = "body.kind == 'poison' && body.n >= 5"
    words = tokenize(f"fail worker when {typed}")
    assert "poison" in words  # the split took its quotes
    err = _refused(words, typed)
    assert err.args[0] == (
        "quote the whole condition: split into words, it loses its own quotes and reads "
        "'body.kind == poison && body.n >= 5'"
    )
    assert err.hint == "fail worker when \"body.kind == 'poison' && body.n >= `5`\""
    # The offered line reads as one word, and means what was typed.
    offered = parse_override(tokenize(err.hint))
    assert offered.expression == "body.kind == 'poison' && body.n >= `5`"


def test_a_double_quote_in_the_condition_is_escaped_in_the_offered_line() -> None:
    typed = "headers.\"x-y\" == 'a b'"
    err = _refused(tokenize(f"fail worker when {typed}"), typed)
    assert err.hint == 'fail worker when "headers.\\"x-y\\" == \'a b\'"'
    assert parse_override(tokenize(err.hint)).expression == typed


def test_an_unquoted_condition_the_split_left_alone_is_taken() -> None:
    typed = "body.amount > `1000`"
    override = parse_override(tokenize(f"fail worker when {typed}"), typed)
    assert override.expression == typed


def test_the_fail_command_refuses_a_condition_whose_quotes_the_split_took() -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    with pytest.raises(CommandError) as info:
        execute(session, "fail worker when body.kind == 'poison'  # the bad ones")
    assert info.value.message == (
        "quote the whole condition: split into words, it loses its own quotes and reads "
        "'body.kind == poison'"
    )
    # The trailing comment is no part of the condition offered back.
    assert info.value.hint == "fail worker when \"body.kind == 'poison'\""
    assert execute(session, info.value.hint).text == (
        "worker overrides: fail when \"body.kind == 'poison'\""
    )


def test_the_fail_command_takes_an_unquoted_condition_the_split_left_alone() -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    result = execute(session, "fail  worker\twhen body.amount > `1000`  # big ones")
    assert result.text == 'worker overrides: fail when "body.amount > `1000`"'


def test_quotes_typed_with_backslashes_survive_the_split_and_are_taken() -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    result = execute(session, r"fail worker when body.kind == \'poison\'")
    assert result.text == "worker overrides: fail when \"body.kind == 'poison'\""


START = parse_instant("2026-01-05T08:00:00Z")
ODD_STACK = """\
resources:
  jobs: {type: sqs-queue}
  'my worker':
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events: [{type: sqs, properties: {sqsQueueName: jobs}}]
"""
ODD_CONDITIONS = [
    "body.kind == 'poison'",
    "body.\"order id\" == 'a b'",
    "body.note == 'it\\'s'",
    "contains(body.tags, 'x\ny')",
]


@pytest.mark.parametrize("condition", ODD_CONDITIONS)
def test_every_echo_of_a_fail_when_override_pastes_back_as_the_same_condition(
    tmp_path: Path, condition: str
) -> None:
    # The override was echoed as `fail worker when body.kind == 'poison'`: in `show
    # function`, the Inspector, the trace record the session log shows and the failed
    # invocation's error. Pasted back, the split took its quotes and the line was refused
    # (or, with a space in a quoted name, meant another condition).
    (tmp_path / "stacktape.yml").write_text(ODD_STACK)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    typed = f"fail 'my worker' when {quote_word(condition)}"
    echoed = execute(session, typed).text
    assert echoed.startswith("'my worker' overrides: fail when ")
    fn = session.sim.functions["my worker"]
    shown = execute(session, "show function 'my worker'").text
    (line,) = [ln for ln in shown.splitlines() if "override: " in ln]
    pasted = {
        "fail": "fail 'my worker' " + echoed.split(" overrides: fail ", 1)[1],
        "show": line.split("override: ", 1)[1],
        "inspector": fn.overrides[0].describe(),
        "trace": next(r for r in session.sim.trace.records if r.kind == tk.BEHAVIOR_OVERRIDDEN).get(
            "override"
        ),
    }
    for where, text in pasted.items():
        override = parse_override(tokenize(text))
        assert (where, override.function, override.expression) == (
            where,
            "my worker",
            condition,
        )
