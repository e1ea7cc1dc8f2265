"""`explain` and `show message` take a unique prefix of an id: a prefix that several ids
start with is refused with the ids it could mean, never answered with their chains merged."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.sim.clock import parse_instant
from stptui.sim.explain import explain

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"


@pytest.fixture
def session() -> Session:
    return Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))


def _send(session: Session) -> str:
    return str(execute(session, """send jobQueue '{"amount": 1}'""").data["message_id"])


def _two_sharing_a_start(session: Session, purge_first: bool = False) -> tuple[str, str]:
    """Send messages until two ids share their first 4 characters (the seeded id stream
    makes that happen after a couple of hundred); with `purge_first`, every message but the
    last has left the queue by then."""
    seen: dict[str, str] = {}
    for _ in range(5000):
        mid = _send(session)
        if mid[:4] in seen:
            return seen[mid[:4]], mid
        seen[mid[:4]] = mid
        if purge_first:
            execute(session, "purge jobQueue")
            execute(session, "advance 1m")  # SQS takes one purge a minute
    raise AssertionError("no two ids share a start")


def _refusal(session: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        execute(session, line)
    return info.value


def test_explain_refuses_a_prefix_of_two_ids_and_names_them(session: Session) -> None:
    first, second = _two_sharing_a_start(session)
    prefix = first[:4]
    err = _refusal(session, f"explain {prefix}")
    assert first[:8] != second[:8]  # so 8 characters tell them apart
    assert err.message == f"{prefix!r} is the start of 2 ids: {first[:8]}…, {second[:8]}…"
    assert err.hint == f"type more characters of the id, e.g. explain {first[:8]}"
    chain = execute(session, f"explain {first[:8]}").data["records"]
    assert {r.get("message_id") for r in chain} == {first}


def test_explain_with_a_unique_prefix_or_a_full_id_follows_one_message(session: Session) -> None:
    first, second = _two_sharing_a_start(session)
    n = next(i for i in range(4, 36) if first[:i] != second[:i])
    for key in (second[:n], second):
        records = execute(session, f"explain {key}").data["records"]
        assert records and {r.get("message_id") for r in records} == {second}


def test_the_library_gives_the_candidates_and_no_merged_chain(session: Session) -> None:
    first, second = _two_sharing_a_start(session)
    chain = explain(session.sim.trace, first[:4])
    assert chain.candidates == sorted([first, second])
    assert chain.records == [] and not chain.found
    assert explain(session.sim.trace, first).candidates == []


def test_show_message_refuses_a_prefix_of_two_ids_and_names_them(session: Session) -> None:
    first, second = _two_sharing_a_start(session)
    prefix = first[:4]
    err = _refusal(session, f"show message {prefix}")
    assert err.message.startswith(f"{prefix!r} is the start of 2 message ids: ")
    assert first[:8] in err.message and second[:8] in err.message
    offered = (err.hint or "").removeprefix("type more characters of the id, e.g. ")
    assert offered.startswith("show message ")
    assert execute(session, offered).data["message_id"] == first


def test_show_message_counts_gone_messages_when_it_checks_a_prefix(session: Session) -> None:
    """A prefix one live message and one purged message share names neither: before, the
    live one was shown as if the prefix were unique."""
    gone, live = _two_sharing_a_start(session, purge_first=True)
    assert execute(session, f"show message {live}").data["live"] is True
    err = _refusal(session, f"show message {live[:4]}")
    assert err.message.startswith(f"{live[:4]!r} is the start of 2 message ids: ")
    assert execute(session, f"show message {gone}").data["live"] is False


COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"


def _request_ids(session: Session, kind: str) -> list[str]:
    return [str(r.data["request_id"]) for r in session.sim.trace.records if r.kind == kind]


def test_explain_takes_the_start_of_an_http_api_request_id() -> None:
    """API Gateway request ids are URL-safe base64 (`Ifh_NEWESEWjKxM=`): their start names them as a
    UUID's start does, though it is neither lower case nor hex."""
    session = Session.open(COMBINED, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    execute(session, """http POST /orders/1 '{"a": 1}'""")
    (request_id,) = _request_ids(session, "http.request")
    whole = execute(session, f"explain {request_id}").data["records"]
    assert whole[0]["kind"] == "http.request"
    assert execute(session, f"explain {request_id[:7]}").data["records"] == whole


def test_explain_takes_the_start_of_an_s3_request_id_in_either_case() -> None:
    session = Session.open(COMBINED, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    execute(session, "upload uploads incoming/report.csv")
    (request_id,) = _request_ids(session, "object.created")
    assert request_id.isupper()  # S3's request ids are upper-case hex
    whole = execute(session, f"explain {request_id}").data["records"]
    assert {r["kind"] for r in whole} == {"object.created", "notification.matched"}
    for prefix in (request_id[:8], request_id[:8].lower()):
        assert execute(session, f"explain {prefix}").data["records"] == whole


def test_a_short_start_of_a_request_id_asks_for_more_characters() -> None:
    session = Session.open(COMBINED, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    execute(session, """http POST /orders/1 '{"a": 1}'""")
    (request_id,) = _request_ids(session, "http.request")
    err = _refusal(session, f"explain {request_id[:3]}")
    assert (
        err.message
        == f"{request_id[:3]!r} is too short a prefix: give at least 4 characters of the id"
    )


def test_an_object_key_that_starts_an_id_still_names_the_object() -> None:
    """An exact object key wins over the start of an id, whatever its alphabet."""
    session = Session.open(COMBINED, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    mid = str(execute(session, "send jobQueue '{}'").data["message_id"])
    execute(session, f"upload uploads {mid[:8]}")
    records = execute(session, f"explain {mid[:8]}").data["records"]
    assert {r["kind"] for r in records} == {"object.created", "notification.skipped"}
    assert execute(session, f"explain {mid[:9]}").data["records"][0]["kind"] == "message.sent"
