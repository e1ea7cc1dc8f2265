"""`step` never moves the clock silently: every event it runs writes a trace record, or is
an entry the agenda names (kind, resource, words) and `step` says which. Timers whose
reason went (an emptied queue's retention check) are cancelled instead of run; a check that
finds nothing due (a retention check whose message went) is no event, and `step` goes on."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.sim.clock import COMPACT_AT, IDLE, LABEL, Idle, Scheduler, T, parse_instant

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "stptui" / "sample_stacks"
FAILING = ROOT / "benchmarks" / "stacks" / "failing-consumers" / "stacktape.yml"
START = parse_instant("2026-01-05T08:00:00Z")

# A FIFO queue with a dead-letter queue, consumed by a function that an HTTP route's function
# feeds, and an event bus: the shape of an event-driven order pipeline.
PIPELINE = """\
resources:
  api:
    type: http-api-gateway
  orderDlq:
    type: sqs-queue
    properties:
      fifoEnabled: true
  orderQueue:
    type: sqs-queue
    properties:
      fifoEnabled: true
      redrivePolicy:
        targetSqsQueueName: orderDlq
        maxReceiveCount: 3
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 60
  bus:
    type: event-bus
  processOrder:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/process.ts
      connectTo: [bus]
      events:
        - type: sqs
          properties:
            sqsQueueName: orderQueue
            batchSize: 1
  worker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/worker.ts
      events:
        - type: sqs
          properties:
            sqsQueueName: jobs
  onProcessed:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/on-processed.ts
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern:
              source: [orders]
"""


def _pipeline(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(PIPELINE)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def step_until_quiet(session: Session, steps: int) -> list[str]:
    """Step up to `steps` times (until nothing is scheduled); for each step that wrote no
    trace record, check it ran an entry the agenda named just before, and that the step's
    answer names it. Returns those answers."""
    sim = session.sim
    silent = []
    for _ in range(steps):
        if sim.clock.peek() is None:
            break
        agenda = {(t, kind, resource) for t, kind, resource, _ in sim.agenda(100_000)}
        records = sim.trace.seq
        text = render_plain(execute(session, "step"))
        if sim.trace.seq != records:
            continue
        entry = sim.clock.last_step
        assert entry is not None and entry[LABEL] is not None, text
        kind, resource, _ = entry[LABEL]
        assert (entry[T], kind, resource) in agenda, text
        assert f"the event wrote no trace record: it was {kind} {resource}: " in text
        silent.append(text)
    return silent


def _run_script(session: Session, path: Path) -> None:
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            execute(session, line)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_sample_stacks_step_to_quiet_without_a_silent_jump(name: str) -> None:
    session = Session.open(SAMPLES / name / "stacktape.yml", start_ms=START)
    _run_script(session, SAMPLES / name / "demo.stp")
    # The demos end with their queues emptied: their retention checks went with the last
    # message (before, four of them jumped four days, then fourteen, writing nothing).
    assert step_until_quiet(session, 300) == []


def test_failing_consumers_step_to_quiet(tmp_path: Path) -> None:
    session = Session.open(FAILING, start_ms=START)
    for line in (
        "put-record clicks '{\"a\": 1}' --partition-key k",
        'put-item carts \'{"cartId": {"S": "c1"}}\'',
        "send jobs '{\"j\": 1}'",
        "produce orders '{\"o\": 1}'",
        "advance 1m",
        "succeed kafkaReader",
        "succeed kinesisReader",
        "succeed cartReader",
        "succeed jobWorker",
    ):
        execute(session, line)
    step_until_quiet(session, 3000)
    assert session.sim.clock.peek() is None


def test_a_processed_fifo_message_leaves_nothing_scheduled(tmp_path: Path) -> None:
    session = _pipeline(tmp_path)
    execute(session, "send orderQueue '{\"id\": 1}' --group g1 --dedup-id d1")
    assert step_until_quiet(session, 50) == []
    text = render_plain(execute(session, "step"))
    # The clock stays where the message was processed, not at its retention four days on.
    assert "ran 0 events; now 2026-01-05T08:00:00.100Z" in text
    assert "nothing more is scheduled" in text
    assert render_plain(execute(session, "show agenda")).startswith("nothing is scheduled")


def test_a_retention_check_that_finds_nothing_due_is_no_step(tmp_path: Path) -> None:
    session = _pipeline(tmp_path)
    execute(session, "pause worker --trigger jobs")
    execute(session, "send jobs '{\"n\": 1}'")
    execute(session, "advance 1h")
    execute(session, "send jobs '{\"n\": 2}'")
    # The first message goes (received and deleted by hand); the second stays, so the check
    # armed for the first stays too, and says what it will find.
    queue = session.sim.queue("jobs")
    first, second = queue.messages.values()
    (got,) = queue.receive(1)
    assert got is first
    assert queue.delete(first, first.receipt)
    agenda = render_plain(execute(session, "show agenda"))
    assert "a retention check (the oldest message expires at 2026-01-09T09:00:00.000Z)" in agenda
    # A step runs the check, which finds nothing due and is no event, and goes on to the
    # second message's expiry: it used to stop at the first's instant, four days on,
    # having written nothing.
    records = session.sim.trace.seq
    events = session.sim.clock.events_run
    text = render_plain(execute(session, "step"))
    assert text == "ran 1 event; now 2026-01-09T09:00:00.000Z (+4 d)"
    assert session.sim.trace.seq > records and session.sim.clock.events_run == events + 1
    assert session.sim.trace.count("message.expired", "jobs") == 1
    assert second.id not in queue.messages


def test_a_run_counts_a_retention_check_that_finds_nothing_as_no_event(tmp_path: Path) -> None:
    # `step N` replays a run by its count of events: both leave the check out.
    session = _pipeline(tmp_path)
    execute(session, "pause worker --trigger jobs")
    execute(session, "send jobs '{\"n\": 1}'")
    execute(session, "advance 1h")
    execute(session, "send jobs '{\"n\": 2}'")
    queue = session.sim.queue("jobs")
    (got,) = queue.receive(1)
    assert queue.delete(got, got.receipt)
    events = session.sim.clock.events_run
    execute(session, "advance 5d")
    assert session.sim.clock.events_run == events + 1
    assert session.sim.trace.count("message.expired", "jobs") == 1


def test_a_retention_check_stays_for_a_message_expiring_at_the_same_instant(
    tmp_path: Path,
) -> None:
    session = _pipeline(tmp_path)
    execute(session, "pause worker --trigger jobs")
    execute(session, "send jobs '{\"n\": 1}'")
    execute(session, "send jobs '{\"n\": 2}'")
    queue = session.sim.queue("jobs")
    timer = queue._expiry_timer
    first = next(iter(queue.messages.values()))
    (got,) = queue.receive(1)
    assert queue.delete(got, got.receipt) and got is first
    # The second expires when the first would have: the same entry serves it.
    assert queue._expiry_timer is timer
    assert step_until_quiet(session, 5) == []
    assert session.sim.trace.count("message.expired", "jobs") == 1


def test_a_message_consumed_while_a_later_one_waits_leaves_no_silent_step(
    tmp_path: Path,
) -> None:
    # The worker deletes the first message 100 ms after it was sent, while a second, sent
    # 50 ms after it, waits (its trigger paused): stepping on reaches the second's expiry
    # straight away, where it used to run the first's check first, writing nothing.
    session = _pipeline(tmp_path)
    execute(session, "send jobs '{\"n\": 1}'")
    execute(session, "advance 50ms")
    execute(session, "pause worker --trigger jobs")
    execute(session, "send jobs '{\"n\": 2}'")
    execute(session, "advance 1s")
    assert session.sim.trace.count("message.deleted", "jobs") == 1
    assert step_until_quiet(session, 100) == []
    assert session.sim.trace.count("message.expired", "jobs") == 1
    assert session.sim.clock.now == START + 4 * 86_400_000 + 50
    assert session.sim.clock.peek() is None


def test_a_visibility_check_left_for_deleted_messages_is_no_step(tmp_path: Path) -> None:
    session = _pipeline(tmp_path)
    execute(session, "fail worker")
    execute(session, "send jobs '{\"n\": 1}'")
    execute(session, "advance 1s")
    queue = session.sim.queue("jobs")
    (first,) = queue.messages.values()
    assert queue.waiting_returns() == 1
    execute(session, "pause worker --trigger jobs")
    execute(session, "send jobs '{\"n\": 2}'")
    # The failed message, waiting out its visibility timeout, is deleted: the queue's entry
    # for returns stays (the second message may be released into it), and says what it is.
    assert queue.delete(first, first.receipt)
    agenda = render_plain(execute(session, "show agenda"))
    assert "a visibility check (no released message waits for its timeout now)" in agenda
    # It finds nothing when its time comes: `step` goes past it to the second message's
    # expiry, four days on, the one thing left that happens.
    events = session.sim.clock.events_run
    text = render_plain(execute(session, "step"))
    assert text.startswith("ran 1 event;"), text
    assert "wrote no trace record" not in text
    assert session.sim.clock.events_run == events + 1
    assert session.sim.trace.tail(1)[0].kind == "message.expired"
    assert session.sim.clock.now == START + 1000 + 4 * 86_400_000
    assert step_until_quiet(session, 10) == []


def test_purging_a_queue_cancels_what_its_messages_left_scheduled(tmp_path: Path) -> None:
    session = _pipeline(tmp_path)
    execute(session, "fail worker")
    execute(session, "send jobs '{\"n\": 1}'")
    execute(session, "advance 1s")
    assert session.sim.queue("jobs").waiting_returns() == 1
    execute(session, "purge jobs")
    assert render_plain(execute(session, "show agenda")).startswith("nothing is scheduled")
    assert "ran 0 events" in render_plain(execute(session, "step"))


def test_dead_letters_delays_and_purges_step_to_quiet(tmp_path: Path) -> None:
    session = _pipeline(tmp_path)
    for line in (
        "fail processOrder",
        "send orderQueue '{\"id\": 1}' --group g1 --dedup-id d1",
        "send orderQueue '{\"id\": 2}' --group g2 --dedup-id d2",
        "send jobs '{\"n\": 1}' --delay 15m",
        "publish bus orders OrderProcessed '{\"id\": 1}'",
        "advance 10s",
        "purge jobs",
    ):
        execute(session, line)
    step_until_quiet(session, 500)
    sim = session.sim
    # Both orders were dead-lettered, then expired from the DLQ after its retention; the
    # purged delayed message never became visible; nothing else is left.
    assert sim.trace.count("message.dead_lettered", "orderQueue") == 2
    assert sim.trace.count("message.expired", "orderDlq") == 2
    assert sim.clock.peek() is None


def test_cancelling_most_of_the_heap_keeps_the_order_of_what_is_left() -> None:
    # Past COMPACT_AT cancelled entries that are most of the heap, it is rebuilt without
    # them (a trickle of messages leaves a cancelled retention check per message, days
    # ahead): what is left still runs in (time, insertion) order, ties included.
    clock = Scheduler(0)
    ran: list[int] = []
    entries = [clock.at(i % 7, ran.append, i) for i in range(3 * COMPACT_AT)]
    for i, entry in enumerate(entries):
        if i % 3:
            clock.cancel(entry)
    assert clock.pending() == COMPACT_AT
    clock.run_until(10)
    kept = [i for i in range(3 * COMPACT_AT) if not i % 3]
    assert ran == sorted(kept, key=lambda i: (i % 7, i))


def test_an_entry_that_answers_idle_is_no_event_for_step_or_run() -> None:
    ran: list[str] = []

    def check(_: object) -> Idle:
        ran.append("check")
        return IDLE

    def work(name: str) -> None:
        ran.append(name)

    def schedule() -> Scheduler:
        clock = Scheduler(0)
        clock.at(10, check)
        clock.at(20, work, "a")
        clock.at(30, work, "b")
        return clock

    clock = schedule()
    assert clock.step() and ran == ["check", "a"]
    # The check ran, but the clock and the count are those of the work after it.
    assert (clock.now, clock.events_run, clock.last_step[T]) == (20, 1, 20)
    # A step stops before an entry past its limit, the check passed on the way or not.
    assert not clock.step(25) and clock.now == 20 and ran == ["check", "a"]
    ran.clear()
    clock = schedule()
    clock.run_until(100)
    assert ran == ["check", "a", "b"] and clock.events_run == 2
