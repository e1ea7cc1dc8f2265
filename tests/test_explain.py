"""`explain`: the causal chain of a message, from the trace."""

from __future__ import annotations

from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.explain import SUMMARY_WIDTH, cut, explain
from tests.simkit import START, make_sim, records

RELAY = """
resources:
  inbox: {type: sqs-queue, properties: {redrivePolicy: {targetSqsQueueName: dlq, maxReceiveCount: 2}}}
  dlq: {type: sqs-queue}
  outbox: {type: sqs-queue}
  relay:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}
      events: [{type: sqs, properties: {sqsQueueName: inbox, batchSize: 1}}]
      connectTo: [outbox]
  sink:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.ts}}
      events: [{type: sqs, properties: {sqsQueueName: outbox}}]
"""
SIDECAR = """
behaviors:
  relay:
    duration: 1s
    fail: {when: "body.order == `13`"}
    emit:
      - send: {queue: outbox, body: body}
"""


def test_chain_follows_a_message_through_an_emission_to_the_next_consumer() -> None:
    sim = make_sim(RELAY, SIDECAR)
    mid = sim.send("inbox", '{"order": 42}')
    other = sim.send("inbox", '{"order": 7}')
    sim.run(600_000)
    chain = explain(sim.trace, mid)
    kinds = [(r.kind, r.resource) for r in chain.records]
    assert kinds == [
        (tk.MESSAGE_SENT, "inbox"),
        (tk.MESSAGE_RECEIVED, "inbox"),
        (tk.INVOCATION_STARTED, "relay"),
        (tk.INVOCATION_SUCCEEDED, "relay"),
        (tk.MESSAGE_SENT, "outbox"),
        (tk.MESSAGE_DELETED, "inbox"),
        (tk.MESSAGE_RECEIVED, "outbox"),
        (tk.INVOCATION_STARTED, "sink"),
        (tk.INVOCATION_SUCCEEDED, "sink"),
        (tk.MESSAGE_DELETED, "outbox"),
    ]
    assert all(other not in str(r.data) for r in chain.records)


def test_chain_of_a_failing_message_ends_in_the_dlq() -> None:
    sim = make_sim(RELAY, SIDECAR)
    mid = sim.send("inbox", '{"order": 13}')
    sim.run(600_000)
    kinds = [r.kind for r in explain(sim.trace, mid).records]
    assert kinds.count(tk.INVOCATION_FAILED) == 2
    assert kinds[-1] == tk.MESSAGE_DEAD_LETTERED
    assert tk.MESSAGE_SENT in kinds and kinds.count(tk.MESSAGE_SENT) == 1  # nothing emitted


def test_id_prefix_and_unknown_key() -> None:
    sim = make_sim(RELAY, SIDECAR)
    mid = sim.send("inbox", '{"order": 1}')
    sim.run(60_000)
    assert explain(sim.trace, mid[:8]).records == explain(sim.trace, mid).records
    missing = explain(sim.trace, "no-such-thing")
    assert not missing.found and missing.lines() == []


def test_lines_are_plain_text_with_reasons() -> None:
    sim = make_sim(RELAY, SIDECAR)
    mid = sim.send("inbox", '{"order": 1}')
    sim.run(60_000)
    lines = explain(sim.trace, mid).lines()
    assert lines[0].startswith("2026-01-05T08:00:00.000Z  message.sent")
    assert f"message_id={mid}" in lines[0]
    # lists read as `show trace` writes them: JSON, not Python's repr
    started = next(line for line in lines if "invocation.started" in line)
    assert f'message_ids=["{mid}"]' in started


DESTINATION_STACK = """
resources:
  failures: {type: sqs-queue}
  flaky:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      destinations: {onFailure: "$ResourceParam('failures', 'arn')"}
"""


def test_chain_of_an_async_event_reaches_its_destination_message() -> None:
    sim = make_sim(DESTINATION_STACK, "behaviors:\n  flaky: {fail: true}\n")
    event_id = sim.invoke_async("flaky", {"n": 1}, "invoke", "test")
    sim.run(3_600_000)
    [message] = sim.queue("failures").listing()
    chain = explain(sim.trace, event_id)
    kinds = [r.kind for r in chain.records]
    assert kinds.count(tk.INVOCATION_STARTED) == 3  # the attempt and its two retries
    delivered = next(r for r in chain.records if r.kind == tk.DESTINATION_DELIVERED)
    assert delivered.get("event_id") == event_id
    assert delivered.get("delivered_id") == message.id
    assert any(
        r.kind == tk.MESSAGE_SENT and r.get("message_id") == message.id for r in chain.records
    )


SELF_INVOKING = """
resources:
  failures: {type: sqs-queue}
  plain:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      destinations: {onFailure: "$ResourceParam('failures', 'arn')"}
      connectTo: [plain]
"""


def test_columns_line_up_for_kinds_longer_than_24_characters() -> None:
    sim = make_sim(
        SELF_INVOKING,
        'behaviors:\n  plain: {duration: 0, emit: [{invoke: {function: plain, payload: "@"}}]}\n',
    )
    sim.invoke_async("plain", {"n": 1}, "invoke", "test")
    sim.run(600_000)
    stopped = records(sim, tk.INVOCATION_RECURSION_STOPPED)[0]
    chain = explain(sim.trace, stopped.get("event_id"))
    kinds = {r.kind for r in chain.records}
    assert tk.INVOCATION_RECURSION_STOPPED in kinds and tk.MESSAGE_SENT in kinds
    assert {r.resource for r in chain.records} == {"plain", "failures"}
    rows = [line for line in chain.lines() if not line.startswith(" ")]
    assert len(rows) == len(chain.records)
    # The resource column starts at one offset on every line, and the fields at another.
    resource_at = {
        row.index(f" {rec.resource} ", 24 + len(rec.kind)) + 1
        for row, rec in zip(rows, chain.records, strict=True)
    }
    fields_at = {row.index("=") - len(row[: row.index("=")].split(" ")[-1]) for row in rows}
    assert len(resource_at) == 1 and len(fields_at) == 1, rows


BATCHED = """
resources:
  inbox: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events: [{type: sqs, properties: {sqsQueueName: inbox, batchSize: 10}}]
"""


def test_an_invocation_chain_starts_at_the_messages_it_received() -> None:
    sim = make_sim(BATCHED)
    first = sim.send("inbox", '{"n": 1}')
    second = sim.send("inbox", '{"n": 2}')
    sim.run(60_000)
    [started] = records(sim, tk.INVOCATION_STARTED, "worker")
    assert started.get("message_ids") == [first, second]
    chain = explain(sim.trace, started.get("invocation_id")[:8])
    sent = [r.get("message_id") for r in chain.records if r.kind == tk.MESSAGE_SENT]
    assert sent == [first, second]
    assert chain.records[-1].kind == tk.MESSAGE_DELETED
    # Asked about one message of the batch, the chain keeps out the other one.
    for mid, other in ((first, second), (second, first)):
        ids = {r.get("message_id") for r in explain(sim.trace, mid).records}
        assert mid in ids and other not in ids


def test_a_huge_log_line_is_cut_in_explain_and_show_trace(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(RELAY, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    message = "start-" + "x" * 1_000_000 + "-end"
    execute(session, f"log relay {message}")
    (rec,) = records(session.sim, tk.LOG_WRITTEN)
    kept = message[:SUMMARY_WIDTH]
    said = f"message={kept}… ({len(message) - SUMMARY_WIDTH:,} more characters) source="
    # The event id, typed back to explain, stays whole; the message is cut in both views.
    (line,) = explain(session.sim.trace, rec.get("log_event_id")).lines()
    assert f"log_event_id={rec.get('log_event_id')}" in line and said in line
    assert len(line) < 500
    (row,) = execute(session, "show trace 1").table[1]
    assert said in row[-1] and len(row[-1]) < 500
    # The record itself keeps the whole message.
    assert rec.get("message") == message


def test_a_short_value_is_shown_whole_and_newlines_escaped() -> None:
    assert cut("x" * SUMMARY_WIDTH) == "x" * SUMMARY_WIDTH
    assert cut("ab\ncd", 3) == "ab\n… (2 more characters)"
