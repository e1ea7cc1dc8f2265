"""A whole EventBridge event pasted into `publish` (where SOURCE goes) is refused with the
exact `publish` line that sends it, split into SOURCE, DETAIL_TYPE and DETAIL_JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
EVENT_DRIVEN = ROOT / "stptui" / "sample_stacks" / "event-driven"


@pytest.fixture
def session() -> Session:
    return Session.open(EVENT_DRIVEN, start_ms=parse_instant("2026-01-05T08:00:00Z"))


def refused(session: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        execute(session, line)
    assert session.sim.trace.seq == 0, "a refused publish changes nothing"
    return caught.value


def test_a_pasted_event_gets_the_split_command(session: Session) -> None:
    err = refused(
        session,
        """publish eventBus '{"source":"orders","detail-type":"OrderCreated",'"""
        """'"detail":{"orderId":42,"note":"it'"'"'s"}}'""",
    )
    assert err.message == (
        "publish takes the event's source, detail-type and detail as separate words, "
        "not a whole event"
    )
    split = err.hint.removeprefix("split it: ")
    assert split == (
        """publish eventBus orders OrderCreated '{"orderId": 42, "note": "it'"'"'s"}'"""
    )
    # Placed at the pasted event (a script's error named the line, not the column).
    assert err.located is not None and err.located.start == len("publish eventBus ")
    # The suggestion runs as it is: the event reaches the rules for OrderCreated.
    assert execute(session, split).data["matched"]


def test_a_put_events_entry_with_resources_and_missing_fields(session: Session) -> None:
    err = refused(
        session,
        """publish eventBus '{"Source": "orders", "Detail": "{\\"a\\": 1}", """
        """"Resources": ["arn:aws:s3:::b/k"]}'""",
    )
    assert err.hint == (
        "split it: publish eventBus orders DETAIL_TYPE '{\"a\": 1}' --resources arn:aws:s3:::b/k"
    )


def test_a_source_that_is_no_json_object_is_read_as_before(session: Session) -> None:
    assert refused(session, "publish eventBus '{not json'").message == ("publish needs DETAIL_TYPE")
    assert refused(session, "publish eventBus '[1]'").message == "publish needs DETAIL_TYPE"
