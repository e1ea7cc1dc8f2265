"""`expect count`: on the account's default bus (in no stack), and narrowed by FIELD=VALUE
filters on the records' fields, compared as JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

import stptui
from stptui.commands import CommandError, Session, complete_values, execute
from stptui.commands import registry as kinds
from stptui.commands.handlers.expect import _count_matching
from stptui.sim.clock import parse_instant
from stptui.sim.trace import Trace

T0 = parse_instant("2026-01-05T08:00:00Z")
COMBINED = Path(stptui.__file__).parent / "sample_stacks" / "combined"


@pytest.fixture
def session() -> Session:
    """The combined stack: two jobs, the first fails, and the worker handles both."""
    s = Session.open(COMBINED, start_ms=T0)
    for line in (
        "fail worker next 1",
        "send jobQueue '{\"orderId\": 1}'",
        "send jobQueue '{\"orderId\": 2}'",
        "advance 5s",
    ):
        execute(s, line)
    return s


def test_a_count_on_the_default_bus_is_accepted(session: Session) -> None:
    execute(session, "publish default orders OrderCreated {}")
    result = execute(session, "expect count event.published default == 1")
    assert result.text == "ok: count event.published default == 1 (actual 1)"
    # Completion offers it after the kind, as it offers the stack's resources.
    before = [(kinds.EXPECT_PATH, "count"), (kinds.TRACE_KIND, "event.published")]
    # The word after the kind may be a resource or a first filter: both are offered.
    fields = ["event_id=", "bus=", "event_source=", "detail_type=", "origin=", "rules_matched="]
    fields += ["replay=", "replay_of="]  # a replayed event's
    assert complete_values(session, kinds.RECORD_RESOURCE, before) == ["default"]
    assert complete_values(session, kinds.RECORD_FIELD, before) == fields
    assert complete_values(session, kinds.VALUE, [*before, (kinds.RECORD_RESOURCE, "default")]) == [
        "1"
    ]


def test_the_default_bus_counts_before_any_event_too(session: Session) -> None:
    assert execute(session, "expect count event.published default == 0").data["ok"]


def test_a_resource_that_is_nowhere_is_still_refused(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "expect count event.published defualt == 0")
    assert info.value.message == "no resource named 'defualt'"
    assert info.value.hint == "did you mean default?"


def test_a_field_filter_counts_the_records_with_that_value(session: Session) -> None:
    ok = execute(session, "expect count invocation.failed worker error=Error == 1")
    assert ok.text == "ok: count invocation.failed worker error=Error == 1 (actual 1)"
    assert execute(session, "expect count invocation.failed error=TimeoutError == 0").data["ok"]
    # Two filters: both must hold.
    line = "expect count invocation.failed worker error=Error timeout=true == 0"
    assert execute(session, line).data["ok"]


def test_a_filter_value_is_compared_as_json(session: Session) -> None:
    execute(session, "slow worker 10m")
    execute(session, "send jobQueue '{\"orderId\": 3}'")
    execute(session, "advance 20m")
    # `true` is the boolean: the timed-out invocations, not the text "true".
    timed_out = execute(session, "expect count invocation.failed worker timeout=true >= 1")
    assert timed_out.data["ok"]
    assert execute(session, "expect count invocation.failed worker timeout='\"true\"' == 0").data[
        "ok"
    ]
    # A number matches the number: message.received's receive_count.
    assert execute(session, "expect count message.received jobQueue receive_count=1 == 3").data[
        "ok"
    ]


def test_a_failed_filtered_count_shows_the_filter(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "expect count invocation.failed worker error=Error == 2")
    assert (
        info.value.message == "expected count invocation.failed worker error=Error == 2, actual 1"
    )


def test_a_field_no_record_of_the_kind_has_is_refused_with_the_fields(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "expect count invocation.failed worker eror=Error == 0")
    assert info.value.message == "invocation.failed records have no field 'eror'"
    assert info.value.hint == "did you mean error?"
    with pytest.raises(CommandError) as info:
        execute(session, "expect count invocation.failed worker zzz=1 == 0")
    assert info.value.hint == (
        "fields: invocation_id, duration_ms, error, error_message, timeout, error_message_bytes, "
        "init_ms, suppressed_init_ms"
    )


def test_a_misspelt_field_is_refused_before_any_record_of_the_kind(session: Session) -> None:
    # No HTTP request has been made, so no http.response record exists: the field is still
    # checked against the kind's documented fields rather than passing as a count of 0.
    assert session.sim.trace.count("http.response") == 0
    with pytest.raises(CommandError) as info:
        execute(session, "expect count http.response stauts=404 == 0")
    assert info.value.message == "http.response records have no field 'stauts'"
    assert info.value.hint == "did you mean status?"
    # A correctly spelt field still counts 0 there.
    assert execute(session, "expect count http.response status=404 == 0").data["ok"]


def test_a_resource_after_a_filter_is_refused(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "expect count invocation.failed error=Error worker == 1")
    assert "KIND [RESOURCE] [FIELD=VALUE ...]" in info.value.message


def test_records_older_than_the_ring_are_not_counted_short() -> None:
    class Sim:
        trace = Trace(ring_size=2)

    for n in range(3):
        Sim.trace.emit((0, "message.sent", "q", {"message_id": str(n)}))
    with pytest.raises(CommandError) as info:
        _count_matching(Sim(), "message.sent", "q", ["message_id=2"])  # type: ignore[arg-type]
    assert "only the last 2 trace records are kept" in info.value.message
