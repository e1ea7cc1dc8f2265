"""The `expect` lines a team writes first for CI, and what a failed or mistyped one says:
how far a message is from its dead-letter queue, which values a filter that matched
nothing could have had, and the forms people guess (a record kind without `count`, `is`
for `==`, Lambda's `Errors`, an HTTP response's path)."""

from __future__ import annotations

from pathlib import Path

import pytest

import stptui
from stptui.commands import CommandError, Session, execute
from stptui.commands.registry import ExpectationFailed
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
SAMPLES = Path(stptui.__file__).parent / "sample_stacks"


def opened(name: str, *lines: str) -> Session:
    session = Session.open(SAMPLES / name, start_ms=T0)
    for line in lines:
        execute(session, line)
    return session


def failed(session: Session, line: str) -> ExpectationFailed:
    with pytest.raises(ExpectationFailed) as info:
        execute(session, line)
    return info.value


def refused(session: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert not isinstance(info.value, ExpectationFailed)
    return info.value


@pytest.fixture
def poisoned() -> Session:
    """job-queue (maxReceiveCount 3, visibility 300 s): a message that always fails, after
    10 minutes, its third receive done and the move to the DLQ not yet made."""
    return opened(
        "job-queue", "fail worker always", "send jobQueue '{\"orderId\": 7}'", "advance 10m"
    )


def test_an_empty_dead_letter_queue_says_how_far_its_messages_are(poisoned: Session) -> None:
    e = failed(poisoned, "expect queue.deadLetterQueue.depth == 1")
    assert e.message == "expected queue.deadLetterQueue.depth == 1, actual 0"
    (msg,) = poisoned.sim.queues["jobQueue"].messages
    assert e.hint == (
        "deadLetterQueue takes a message from jobQueue after 3 receives (maxReceiveCount); "
        f"jobQueue holds 1 (received 3 times): explain {msg}"
    )
    # The same for a count of dead-letter moves from the source queue.
    e = failed(poisoned, "expect count message.dead_lettered jobQueue == 1")
    assert e.hint == (
        "jobQueue moves a message to deadLetterQueue after 3 receives (maxReceiveCount); "
        f"it holds 1 (received 3 times): explain {msg}"
    )
    # Once the clock reaches the fourth receive the message is there, and both hold.
    execute(poisoned, "advance 5m")
    assert execute(poisoned, "expect queue.deadLetterQueue.depth == 1").data["ok"]


def test_an_empty_dead_letter_queue_of_a_drained_source_names_only_the_redrive() -> None:
    session = opened("job-queue")
    e = failed(session, "expect queue.deadLetterQueue.depth == 1")
    assert e.hint == (
        "deadLetterQueue takes a message from jobQueue after 3 receives (maxReceiveCount)"
    )
    # A queue that is nobody's dead-letter queue keeps no hint.
    assert failed(session, "expect queue.jobQueue.depth == 1").hint is None


def test_a_filter_no_record_passes_names_the_values_the_records_have() -> None:
    session = opened(
        "event-driven",
        'http POST /orders/new \'{"orderId": 1, "email": "ada@example.com"}\'',
        "advance 1s",
    )
    # The rule is named by its AWS name; the one that holds what was typed comes first.
    e = failed(session, "expect count event.matched eventBus rule=emailService == 1")
    assert e.message == "expected count event.matched eventBus rule=emailService == 1, actual 0"
    assert e.hint == (
        "no event.matched record on eventBus has rule=emailService; they have "
        "rule=event-driven-demo-dev-emailService-event-bus-1, "
        "rule=event-driven-demo-dev-analyticsService-event-bus-1"
    )
    e = failed(session, "expect count http.response httpApi status=200 == 1")
    assert e.hint == "no http.response record on httpApi has status=200; they have status=202"
    # The filter named is the first that no record passes, wherever it stands.
    line = "expect count event.matched eventBus target=emailService rule=x == 1"
    assert (failed(session, line).hint or "").startswith(
        "no event.matched record on eventBus has rule=x; they have rule="
    )
    # Filters that each pass some record, though no record passes both: no value is
    # wrong alone, and none is named.
    line = "expect count event.matched eventBus target=emailService rule=" + (
        "event-driven-demo-dev-analyticsService-event-bus-1 == 1"
    )
    assert failed(session, line).hint is None


def test_a_record_kind_without_count_gets_the_count_line(poisoned: Session) -> None:
    e = refused(poisoned, "expect message.received jobQueue == 3")
    assert e.message == "'message.received' is a trace record kind, not a path"
    assert e.hint == "records are counted: expect count message.received jobQueue == 3"
    e = refused(poisoned, "expect message.dead_lettered == 0")
    assert e.hint == "records are counted: expect count message.dead_lettered == 0"


@pytest.mark.parametrize(
    ("word", "op"), [("is", "=="), ("eq", "=="), ("-eq", "=="), ("gt", ">"), ("le", "<=")]
)
def test_a_comparison_written_as_a_word_gets_its_operator(
    poisoned: Session, word: str, op: str
) -> None:
    e = refused(poisoned, f"expect count message.received jobQueue {word} 3")
    assert e.message == f"{word!r} is no comparison"
    assert e.hint == f"write it as {op}: expect count message.received jobQueue {op} 3"


def test_lambda_s_metric_name_in_lower_case_is_the_figure_it_means(poisoned: Session) -> None:
    for field in ("errors", "Errors"):
        e = refused(poisoned, f"expect function.worker.{field} == 3")
        assert e.hint == "did you mean function.worker.failures? (Lambda's Errors)"


def test_a_response_carries_its_requests_method_path_and_route() -> None:
    # As an access log line gives them beside the status: a count picks a route's responses
    # among many requests, which `request_id=$last` (one request) cannot.
    session = opened(
        "webhook-processor",
        "http GET /nope",
        "http POST /webhooks/stripe {}",
        "http POST /webhooks/github {}",
    )
    for line in (
        "expect count http.response httpApi path=/nope status=404 == 1",
        "expect count http.response httpApi method=POST == 2",
        "expect count http.response httpApi 'route=POST /webhooks/{provider}' == 2",
        "expect count http.response httpApi request_id=$last method=POST == 1",
    ):
        assert execute(session, line).data["ok"], line
    # What only the request has still leads to the request, and to request_id.
    e = refused(session, "expect count http.response httpApi target=webhookReceiver == 2")
    assert e.message == "http.response records have no field 'target'"
    assert e.hint == (
        "http.request records have target (count http.request target=webhookReceiver); a "
        "response goes with its request by request_id: request_id=$last, after the `http` line"
    )
