"""A message body typed as JSON without quotes around it (`send jobQueue {"amount": 5000}`)
is refused, as `invoke` and `publish` refuse such a payload: the line's shell-style quoting
takes the double quotes away, so the body sent was `{amount: 5000}`, not the JSON the line
shows. It used to be sent without a word: a consumer that reads `body.amount` saw nothing,
and a CI check such as `expect function.worker.failures == 0` passed for the wrong reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import execute
from stptui.commands.handlers.base import UNQUOTED_JSON_HINT
from stptui.commands.registry import CommandError
from stptui.commands.session import Session
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"
EXAMPLES = ROOT / "docs" / "examples"
T0 = parse_instant("2026-01-05T08:00:00Z")

BARE = [
    (COMBINED, None, [], 'send jobQueue {"orderId":2,"amount":5000}', "{orderId:2,amount:5000}"),
    (COMBINED, None, [], 'http POST /jobs {"orderId":1}', "{orderId:1}"),
    (COMBINED, None, [], 'publish-sns alertsTopic {"severity":"high"}', "{severity:high}"),
    (COMBINED, None, [], 'log api ["a","b"]', "[a,b]"),
    (EXAMPLES / "commands-stack.yml", None, [], 'put-record clicks {"page":"/home"}', None),
    (EXAMPLES / "kafka-orders.yml", None, [], 'produce order-events {"orderId":7}', None),
    (
        EXAMPLES / "chat.yml",
        EXAMPLES / "chat-behaviors.yml",
        ["ws-connect realtime --query token=t-1"],
        'ws-send Ro9qGRMCRkecAoY= {"action":"sendMessage"}',
        None,
    ),
    (
        EXAMPLES / "chat.yml",
        EXAMPLES / "chat-behaviors.yml",
        ["ws-connect realtime --query token=t-1"],
        'ws-post Ro9qGRMCRkecAoY= {"text":"hi"}',
        None,
    ),
]


def opened(stack: Path, behaviors: Path | None, before: list[str]) -> Session:
    session = Session.open(stack, behaviors_path=behaviors, start_ms=T0)
    for line in before:
        execute(session, line)
    return session


@pytest.mark.parametrize(("stack", "behaviors", "before", "line", "sent"), BARE)
def test_a_body_that_lost_its_quotes_is_refused_and_changes_nothing(
    stack: Path, behaviors: Path | None, before: list[str], line: str, sent: str | None
) -> None:
    session = opened(stack, behaviors, before)
    seq, now, log = session.sim.trace.seq, session.sim.clock.now, list(session.log)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    err = info.value
    assert "lost its double quotes" in err.message, err.message
    if sent is not None:
        assert repr(sent) in err.message  # what the line reads, beside what it shows
    assert err.hint == UNQUOTED_JSON_HINT
    assert err.located is not None  # SCRIPT:LINE:COL points at the body
    assert (session.sim.trace.seq, session.sim.clock.now, list(session.log)) == (seq, now, log)


@pytest.mark.parametrize(
    "line",
    [
        "send jobQueue '{\"orderId\": 2}'",  # single quotes keep the JSON's
        'send jobQueue "{\\"orderId\\": 2}"',  # escaped inside double quotes
        "send jobQueue {orderId:2}",  # typed so: the text is the user's own
        "send jobQueue {}",  # JSON whole without quotes
        "send jobQueue '{bad json'",  # quoted: nothing taken away
        "send jobQueue hello",
        "http POST /jobs '{\"orderId\": 1}'",
        "publish-sns alertsTopic 'payment provider down' --attr severity=high",
    ],
)
def test_text_as_typed_is_sent(line: str) -> None:
    session = opened(COMBINED, None, [])
    execute(session, line)


def test_a_repeated_body_that_lost_its_quotes_is_refused() -> None:
    session = opened(COMBINED, None, [])
    with pytest.raises(CommandError) as info:
        execute(session, 'repeat 3 --every 1s send jobQueue {"orderId":{i}}')
    assert "lost its double quotes" in info.value.message
    assert info.value.hint == UNQUOTED_JSON_HINT
    assert session.sim.trace.seq == 0
    # Quoted, and typed without quotes inside, the words are sent as typed.
    execute(session, "repeat 3 send jobQueue '{\"orderId\": {i}}'")
    execute(session, "repeat 3 send jobQueue {orderId:{i}}")


REPEATED = (COMBINED, None, [], 'repeat 3 --every 1s send jobQueue {"orderId":{i}}', None)


@pytest.mark.parametrize(("stack", "behaviors", "before", "line", "sent"), [*BARE, REPEATED])
def test_the_repl_flags_it_before_enter_as_the_command_would(
    stack: Path, behaviors: Path | None, before: list[str], line: str, sent: str | None
) -> None:
    # The REPL's check of the line on Enter used to let it through, to be refused only
    # once it ran; it now keeps the line for mending, its cursor at the body, with the
    # command's own words.
    from stptui.repl.validator import check

    session = opened(stack, behaviors, before)
    problem = check(session, line)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    err = info.value
    assert problem is not None and err.located is not None
    assert (problem.message, problem.hint) == (err.message, err.hint)
    assert problem.position == err.located.point
    assert line[problem.position] in "{["  # the body as typed


@pytest.mark.parametrize(
    "line",
    ["send jobQueue '{\"orderId\": 2}'", "send jobQueue {orderId:2}", "log api '[\"a\"]'"],
)
def test_the_repl_lets_text_as_typed_through(line: str) -> None:
    from stptui.repl.validator import check

    assert check(opened(COMBINED, None, []), line) is None
