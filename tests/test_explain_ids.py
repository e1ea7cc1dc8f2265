"""`explain` takes every id the commands print, says why for what did not fire, and refuses
what it cannot follow with the fix (the audit of docs/simulating.md's `explain`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from tests.simkit import START

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
FILES = ROOT / "stptui" / "sample_stacks" / "file-processing"


def open_stack(stack: Path, behaviors: Path | None = None) -> Session:
    return Session.open(stack, behaviors_path=behaviors, start_ms=START)


def refused(session: Session, line: str) -> CommandError:
    """The error `line` is refused with; the trace is as it was."""
    before = session.sim.trace.seq
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert session.sim.trace.seq == before
    return info.value


def kinds(session: Session, key: str) -> list[tuple[str, str]]:
    return [(r["kind"], r["resource"]) for r in execute(session, f"explain {key}").data["records"]]


@pytest.fixture
def files() -> Session:
    session = open_stack(FILES / "stacktape.yml", FILES / "stptui.yml")
    execute(session, "upload uploads drafts/notes.txt --content 'not yet'")
    execute(session, "upload uploads incoming/orders.csv --content 'orderId,amount'")
    execute(session, "run")
    return session


def test_a_skipped_notification_is_in_the_chain_of_its_request(files: Session) -> None:
    created = next(r for r in files.sim.trace.records if r.get("key") == "drafts/notes.txt")
    text = execute(files, f"explain {created.get('request_id')}").text
    assert "notification.skipped" in text
    assert '    key "drafts/notes.txt" does not start with prefix "incoming/"' in text.splitlines()


def test_the_invocation_that_wrote_an_object_reaches_its_skipped_notification(
    files: Session,
) -> None:
    # fileProcessor writes processed/incoming/orders.csv.json, which its own trigger skips:
    # the upload's chain says why the written object triggered nothing.
    text = execute(files, "explain incoming/orders.csv").text
    assert 'key "processed/incoming/orders.csv.json" does not start with' in text


def test_bucket_slash_key_names_the_object_as_upload_printed_it(files: Session) -> None:
    assert (
        "ObjectCreated:Put uploads/drafts/notes.txt"
        in execute(files, "upload uploads drafts/notes.txt --content 'again'").text
    )
    assert kinds(files, "uploads/drafts/notes.txt") == kinds(files, "drafts/notes.txt")
    assert kinds(files, "uploads/drafts/notes.txt")[0] == (tk.OBJECT_CREATED, "uploads")


def test_an_unknown_key_gets_a_did_you_mean_and_changes_nothing(files: Session) -> None:
    error = refused(files, "explain uploads/drafts/note.txt")
    assert error.message == "nothing in the trace mentions 'uploads/drafts/note.txt'"
    assert error.hint == ("did you mean uploads/drafts/notes.txt?")
    # Nothing close: the kinds of id it takes.
    assert refused(files, "explain zzzzzzzz").hint == (
        "give an id `show trace` shows (a message's, event's, invocation's, execution's or "
        "stream record's), an object key, a username, a FIFO deduplication id or a Kinesis "
        "partition key"
    )


@pytest.mark.parametrize("body", ["'{\"orderId\": 7}'", "'order seven'", "'\"orderId\"'"])
def test_a_bodys_text_is_refused_with_where_bodies_are_shown(files: Session, body: str) -> None:
    # The trace keeps no bodies: the hint says so, and where the waiting ones are listed,
    # rather than the kinds of id (which a user holding a body does not have).
    assert refused(files, f"explain {body}").hint == (
        "explain takes an id, not a message's text, which the trace does not keep: "
        "`show queue QUEUE` lists the bodies of the messages waiting in it"
    )


def test_a_fifo_deduplication_id_names_its_message_and_what_it_caused() -> None:
    # The id the sender chose: it was in the trace only once a duplicate was dropped.
    session = open_stack(EXAMPLES / "fifo.yml", EXAMPLES / "fifo-behaviors.yml")
    execute(session, "send orderQueue '{\"orderId\": 7}' --group customer-1 --dedup-id order-7")
    execute(session, "send orderQueue '{\"orderId\": 8}' --group customer-1 --dedup-id order-8")
    execute(session, "publish-sns orderEvents hi --group customer-1 --dedup-id note-7")
    execute(session, "advance 5s")
    records = execute(session, "explain order-7").data["records"]
    sent = [r for r in records if r["kind"] == tk.MESSAGE_SENT]
    assert [(r["resource"], r["dedup_id"]) for r in sent] == [("orderQueue", "order-7")]
    mid = sent[0]["message_id"]
    assert any(r["kind"] == tk.INVOCATION_STARTED and mid in r["message_ids"] for r in records)
    assert not any(r.get("dedup_id") == "order-8" for r in records)
    published = execute(session, "explain note-7").data["records"]
    assert [(r["kind"], r["dedup_id"]) for r in published[:1]] == [(tk.TOPIC_PUBLISHED, "note-7")]


def test_a_kinesis_partition_key_names_every_record_put_with_it() -> None:
    session = open_stack(EXAMPLES / "clickstream.yml", EXAMPLES / "clickstream-behaviors.yml")
    for page, key in (("/home", "user-1"), ("/docs", "user-2"), ("/pay", "user-1")):
        execute(session, f'put-record clicks \'{{"page": "{page}"}}\' --partition-key {key}')
    execute(session, "advance 5s")
    records = execute(session, "explain user-1").data["records"]
    put = [r for r in records if r["kind"] == tk.STREAM_RECORD_PUT]
    assert [r["partition_key"] for r in put] == ["user-1", "user-1"]
    assert any(r["kind"] == tk.INVOCATION_STARTED for r in records)
    # A key nothing was put with: the nearest one, as for an object key.
    assert refused(session, "explain user-3").hint == "did you mean user-2?"


def test_an_alarm_is_refused_with_its_latest_state_change() -> None:
    session = open_stack(EXAMPLES / "alarms.yml", EXAMPLES / "alarms-behaviors.yml")
    execute(session, "set-alarm-state jobsDlq.alarms.0 ALARM --reason drill")
    change = [r for r in session.sim.trace.records if r.kind == tk.ALARM_STATE_CHANGED][-1]
    error = refused(session, "explain jobsDlq.alarms.0")
    assert (
        error.message == "'jobsDlq.alarms.0' is an alarm; explain follows one of its state changes"
    )
    assert error.hint == (
        f"`show alarms` gives its state; its latest change: explain {change.get('event_id')}"
    )
    assert "alarm.notified" in execute(session, f"explain {change.get('event_id')}").text


def test_an_executions_chain_holds_its_own_s3_writes_and_not_another_executions() -> None:
    # Both executions write low/mug.json: the S3 request id, not the key, links each task
    # to its write, the notification and the reporter's invocation it triggered.
    session = open_stack(EXAMPLES / "workflow-sdk.yml")
    for line in (EXAMPLES / "workflow-sdk.stp").read_text().splitlines()[4:10]:
        execute(session, line)
    first = execute(session, "explain first")
    again = execute(session, "explain again")
    arns = {r["execution_arn"] for r in first.data["records"] if "execution_arn" in r}
    assert len(arns) == 1 and arns.pop().endswith(":first")
    sources = {r.get("source") for r in first.data["records"]}
    assert "restock:first" in sources and "restock:again" not in sources
    for result in (first, again):
        records = [(r["kind"], r["resource"]) for r in result.data["records"]]
        assert (tk.OBJECT_CREATED, "reports") in records
        assert (tk.NOTIFICATION_MATCHED, "reports") in records
        assert (tk.INVOCATION_STARTED, "reporter") in records
    # The first reserved the stock: its updateItem, on a table with no stream, is named by
    # nothing but its source.
    assert (tk.ITEM_UPDATED, "stock") in [(r["kind"], r["resource"]) for r in first.data["records"]]
    written = next(
        r
        for r in first.data["records"]
        if r["kind"] == tk.SFN_TASK_CALLED and r["state"] == "WriteReport"
    )
    created = next(r for r in first.data["records"] if r["kind"] == tk.OBJECT_CREATED)
    assert written["delivered_id"] == created["request_id"]


def test_an_executions_chain_says_why_its_event_matched_no_rule(tmp_path: Path) -> None:
    text = (EXAMPLES / "workflow-integrations.yml").read_text()
    text = text.replace("eventPattern: {source: [fulfilment]}", "eventPattern: {source: [billing]}")
    text = text.replace("      streamType: NEW_IMAGE\n", "")
    stack = tmp_path / "stacktape.yml"
    stack.write_text(text)
    session = open_stack(stack)
    execute(session, 'start-execution fulfil \'{"orderId": "o-1"}\' --name first')
    execute(session, "run")
    lines = execute(session, "explain first").text.splitlines()
    unmatched = next(i for i, line in enumerate(lines) if "event.unmatched" in line)
    assert lines[unmatched + 1 : unmatched + 3] == [
        "    1 of 1 condition failed: source",
        '      source: expected "billing", got "fulfilment"',
    ]
    # Its putItem on a table with no stream delivered no id: the item's source names it.
    assert any("item.put" in line and "source=fulfil:first" in line for line in lines)


def test_the_ids_commands_print_are_the_ones_explain_follows() -> None:
    session = open_stack(EXAMPLES / "commands-stack.yml")
    invoked = execute(session, 'invoke api \'{"path": "/jobs"}\'')
    assert f"invocation {invoked.data['invocation_id']}" in invoked.text.splitlines()
    execute(session, "fail worker")
    execute(session, "send jobQueue '{\"jobId\": 1}'")
    execute(session, "advance 6h")
    execute(session, "succeed worker")
    moved = execute(session, "redrive deadLetterQueue")
    (pair,) = moved.data["moved"]
    assert f"  {pair['message_id']} -> {pair['new_message_id']}" in moved.text.splitlines()
    execute(session, "run")
    chain = kinds(session, pair["message_id"])
    assert (tk.MESSAGE_REDRIVEN, "deadLetterQueue") in chain
    assert chain[-1] == (tk.MESSAGE_DELETED, "jobQueue")


def test_a_load_balancer_request_prints_the_trace_id_explain_takes() -> None:
    session = open_stack(EXAMPLES / "load-balancer.yml", EXAMPLES / "load-balancer-behaviors.yml")
    answer = execute(session, "http GET /api/orders?page=2")
    request = answer.data["request_id"]
    assert f"request {request} (its X-Amzn-Trace-Id)" in answer.text.splitlines()
    assert kinds(session, request)[-1] == (tk.HTTP_RESPONSE, "mainLb")


def test_websocket_answers_print_what_explain_takes() -> None:
    session = open_stack(EXAMPLES / "chat.yml", EXAMPLES / "chat-behaviors.yml")
    refusal = execute(session, "ws-connect realtime --query token=nope")
    conn = refusal.data["connection_id"]
    assert refusal.text.startswith(f"refused {conn}: HTTP 403 (realtime)")
    assert (tk.WS_REFUSED, "realtime") in kinds(session, conn)
    connected = execute(session, "ws-connect realtime --query token=t-1").data["connection_id"]
    sent = execute(session, f'ws-send {connected} \'{{"action": "sendMessage"}}\'')
    assert sent.text.splitlines()[1] == f"request {sent.data['request_id']}"
    assert (tk.INVOCATION_STARTED, "sendMessage") in kinds(session, sent.data["request_id"])


def test_explain_repeat_offers_a_log_events_id() -> None:
    session = open_stack(EXAMPLES / "log-alerts.yml", EXAMPLES / "log-alerts-behaviors.yml")
    execute(session, "repeat 2 log payments 'ERROR ledger write failed'")
    execute(session, "run")
    text = execute(session, "explain repeat-1").text
    written = [r for r in session.sim.trace.records if r.kind == tk.LOG_WRITTEN]
    assert f"explain {written[0].get('log_event_id')}" in text


def test_a_404_says_which_routes_did_not_take_the_request() -> None:
    session = open_stack(EXAMPLES / "http-auth.yml", EXAMPLES / "http-auth-behaviors.yml")
    nowhere = execute(session, "http GET /nowhere")
    assert "gateway: no route matches GET /nowhere; its routes: GET /me, GET /reports" in (
        nowhere.text.splitlines()
    )
    other_method = execute(session, "http POST /me").data["request_id"]
    lines = execute(session, f"explain {other_method}").text.splitlines()
    assert lines[-1] == "    no route matches POST /me: only GET /me takes its path"


def test_an_items_key_value_gets_the_key_its_records_name_it_by(tmp_path: Path) -> None:
    # `explain p3` after `put-item products '{"id": {"S": "p3"}}'`: the item's records name
    # it by its whole key in DynamoDB JSON, and the hint listed the kinds of id instead.
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  products:\n"
        "    type: dynamo-db-table\n"
        "    properties:\n"
        "      primaryKey:\n"
        "        partitionKey: {name: id, type: string}\n"
        "        sortKey: {name: version, type: number}\n",
        encoding="utf-8",
    )
    session = open_stack(tmp_path / "stacktape.yml")
    execute(session, """put-item products '{"id": {"S": "p3"}, "version": {"N": "2"}}'""")
    for value in ("p3", "2"):
        error = refused(session, f"explain {value}")
        assert error.hint == (
            "an item is named by its key in DynamoDB JSON: "
            """explain '{"id":{"S":"p3"},"version":{"N":"2"}}'"""
        )
    # The line the hint gives explains the item.
    meant = error.hint.split(": ", 1)[1]
    assert kinds(session, meant.removeprefix("explain ")) == [(tk.ITEM_PUT, "products")]
    # A value no item has: the kinds of id, as before.
    assert refused(session, "explain p4").hint.startswith("give an id")
