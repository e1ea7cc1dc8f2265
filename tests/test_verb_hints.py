"""What a developer types at the prompt on a first afternoon, guessing a command from other
tools: a view of `show` without `show` (`queues`, `logs worker`), an HTTP method as the verb
(`post /jobs '{}'`), a resource's name as the view (`show deadLetterQueue`), `tail`,
`retry`, `now`. Each is refused, changes nothing, and the hint is the line meant, where the
nearest spelling was a wrong lead (`tail` -> `fail`, `post` -> `ws-post`, `retry` ->
`restore`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_checks import refused, run_line

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture(scope="module")
def session() -> Session:
    return Session.open(COMBINED, start_ms=T0)


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("queues", "show queues"),
        ("queue deadLetterQueue", "show queue deadLetterQueue"),
        ("logs worker", "show logs worker"),
        ("tail worker", "show logs worker"),
        ("executions", "show executions"),
        ("agenda", "show agenda"),
        ("trace 5", "show trace 5"),
        ("post /jobs '{\"a\": 1}'", "http POST /jobs '{\"a\": 1}'"),
        ("GET /orders/7", "http GET /orders/7"),
    ],
)
def test_a_guessed_verb_gets_the_line_meant(session: Session, line: str, meant: str) -> None:
    before = session.sim.trace.seq
    err = refused(session, line)
    assert err.message.startswith(f"unknown command {line.split()[0]!r}")
    assert err.hint is not None and err.hint.endswith(f": {meant}")
    assert session.sim.trace.seq == before
    # The REPL flags it as it is typed, with the same hint; the line it names runs.
    problem = check(session, line)
    assert problem is not None and problem.hint == err.hint
    execute(session, meant)


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("retry deadLetterQueue", "redrive"),
        ("requeue deadLetterQueue", "redrive"),
        ("start-message-move-task deadLetterQueue", "redrive"),
    ],
)
def test_words_for_moving_messages_back_name_redrive(
    session: Session, line: str, meant: str
) -> None:
    assert run_line(session, line) is None
    with pytest.raises(CommandError) as exc:
        execute(session, line)
    assert exc.value.hint.startswith(f"did you mean {meant}? usage: {meant} ")


@pytest.mark.parametrize("word", ["now", "time", "clock", "date"])
def test_asking_the_time_names_where_it_is_shown(session: Session, word: str) -> None:
    err = refused(session, word)
    assert err.message == f"unknown command {word!r}: the time is shown, not asked for"
    assert err.hint == (
        "`show agenda` gives the time now and what is due next; `expect time == INSTANT` checks it"
    )


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("show deadLetterQueue", "'deadLetterQueue' is an sqs-queue: show queue deadLetterQueue"),
        ("show worker", "'worker' is a function: show function worker"),
        ("show uploads", "'uploads' is a bucket: show bucket uploads"),
        ("show eventBus", "'eventBus' is an event-bus: show bus eventBus"),
        ("show alertsTopic", "'alertsTopic' is an sns-topic: show topics"),
        ("show httpApi", "'httpApi' is an http-api-gateway: show routes"),
        ("show heavyJob", "'heavyJob' is a batch-job: show job heavyJob"),
        # A view that is no view, before a resource: the resource's view.
        (
            "show messages deadLetterQueue",
            "'deadLetterQueue' is an sqs-queue: show queue deadLetterQueue",
        ),
        ("show invocations worker", "'worker' is a function: show function worker"),
    ],
)
def test_show_of_a_resource_names_its_view(session: Session, line: str, hint: str) -> None:
    err = refused(session, line)
    assert err.message == f"cannot show {line.split()[1]!r}"
    assert err.hint == hint
    # Flagged the same way on Enter in the REPL; the view named runs.
    problem = check(session, line)
    assert problem is not None and problem.hint == hint
    execute(session, hint.partition(": ")[2])


def test_a_misspelt_view_still_gets_its_did_you_mean(session: Session) -> None:
    assert refused(session, "show queus").hint == "did you mean queues?"
    # `show messages`: not `show message` (one message's id, the closest spelling), but
    # the view that lists a queue's messages.
    assert refused(session, "show messages").hint == (
        "a queue's view lists its messages: show queue jobQueue (`show queues` lists them)"
    )
    assert execute(session, "show queue jobQueue").text.startswith("jobQueue (")


def test_show_execution_of_a_state_machine_names_its_executions_view() -> None:
    s = Session.open(ROOT / "docs" / "examples" / "workflow.yml", start_ms=T0)
    err = refused(s, "show execution orderFlow")
    assert err.message == "no execution 'orderFlow'"
    assert err.hint == "'orderFlow' is a state machine: show executions orderFlow"
    execute(s, "start-execution orderFlow '{\"orderId\": 1}' --name e1")
    assert refused(s, "show execution orderFlow").hint == (
        "'orderFlow' is a state machine: show executions orderFlow"
    )
    assert "e1" in render_plain(execute(s, "show executions orderFlow"))
