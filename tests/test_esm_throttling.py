"""A throttled SQS event source mapping (aws-semantics §2; docs/fidelity.md): the poller
keeps the throttled batch in flight and retries it with backoff (1 s, doubling) while the
retry comes before the messages' visibility timeout ends, then lets it go; each throttle
lowers the mapping's concurrency to the batches the function is running."""

from __future__ import annotations

from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from tests.simkit import START, make_sim, records, seconds

STACK = """
resources:
  jobQueue:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: {vt}
      {queue_extra}redrivePolicy: {{targetSqsQueueName: dlq, maxReceiveCount: {mrc}}}
  dlq:
    type: sqs-queue
    properties: {{{dlq_props}}}
  worker:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: w.ts}}}}
      timeout: 10
      reservedConcurrency: {reserved}
      events:
        - type: sqs
          properties: {{sqsQueueName: jobQueue, batchSize: 1}}
"""

FIVE_SECONDS = "behaviors:\n  worker:\n    duration: 5s\n"


def worker_queue(
    vt: int = 60, mrc: int = 3, reserved: int = 1, fifo: bool = False, seed: int = 0
) -> Simulator:
    """A queue (DLQ after `mrc` receives) feeding a 5 s worker with reserved concurrency."""
    stack = STACK.format(
        vt=vt,
        mrc=mrc,
        reserved=reserved,
        queue_extra="fifoEnabled: true\n      " if fifo else "",
        dlq_props="fifoEnabled: true" if fifo else "",
    )
    return make_sim(stack, FIVE_SECONDS, seed=seed)


def send_many(sim: Simulator, n: int) -> list[str]:
    return [sim.send("jobQueue", f"m{i}") for i in range(n)]


def test_reserved_concurrency_one_works_through_the_queue_without_dead_letters() -> None:
    sim = worker_queue()
    ids = send_many(sim, 8)
    sim.advance(500)
    # One batch runs and one waits to retry; the other six were never received.
    assert sim.queue_stats("jobQueue") == {"visible": 6, "in_flight": 2, "delayed": 0, "depth": 8}
    assert len(records(sim, tk.INVOCATION_THROTTLED, "worker")) == 1
    sim.advance(179_500)
    assert sim.queue_stats("jobQueue")["depth"] == 0
    assert sim.queue_stats("dlq")["depth"] == 0
    assert [r.get("message_id") for r in records(sim, tk.MESSAGE_DELETED)] == ids
    assert records(sim, tk.MESSAGE_RETURNED) == []
    # One after the other, 5 s each, after the second message's retries at 1, 3 and 7 s.
    assert seconds(sim, tk.INVOCATION_STARTED) == [0, 7, 12, 17, 22, 27, 32, 37]
    assert seconds(sim, tk.MESSAGE_DELETED)[-1] == 42


def test_a_throttled_batch_is_retried_with_a_doubling_backoff() -> None:
    sim = worker_queue()
    _, second = send_many(sim, 2)
    sim.run(600_000)
    throttles = records(sim, tk.INVOCATION_THROTTLED, "worker")
    assert [(r.t - START) / 1000 for r in throttles] == [0, 1, 3]
    assert [r.get("retry_in_ms") for r in throttles] == [1_000, 2_000, 4_000]
    assert {r.get("queue") for r in throttles} == {"jobQueue"}
    assert all(r.get("message_ids") == [second] for r in throttles)
    started = records(sim, tk.INVOCATION_STARTED, "worker")
    assert (started[1].t - START, started[1].get("message_ids")) == (7_000, [second])
    # The retry is the same receive: the message was received once.
    assert [r.get("receive_count") for r in records(sim, tk.MESSAGE_RECEIVED)] == [1, 1]
    assert sim.function_stats("worker")["throttles"] == 3


def test_the_poller_lets_the_batch_go_when_a_retry_would_pass_the_visibility_timeout() -> None:
    # Reserved concurrency 0: every invocation is throttled. Retries at 1, 3, 7 and 15 s;
    # the next would be at 31 s, after the 30 s visibility timeout, so the poller lets the
    # batch go at 15 s and it returns at 30 s. Throttling alone fills the DLQ.
    sim = worker_queue(vt=30, mrc=2, reserved=0)
    (mid,) = send_many(sim, 1)
    sim.run(600_000)
    throttles = records(sim, tk.INVOCATION_THROTTLED, "worker")
    assert [(r.t - START) / 1000 for r in throttles] == [0, 1, 3, 7, 15, 30, 31, 33, 37, 45]
    assert [r.get("retry_in_ms") for r in throttles][4:6] == [None, 1_000]
    assert throttles[-1].get("retry_in_ms") is None
    assert seconds(sim, tk.MESSAGE_RECEIVED) == [0, 30]
    assert seconds(sim, tk.MESSAGE_RETURNED) == [30, 60]
    [moved] = records(sim, tk.MESSAGE_DEAD_LETTERED)
    assert (moved.t - START, moved.get("message_id")) == (60_000, mid)
    assert records(sim, tk.INVOCATION_STARTED) == []


def test_a_throttle_lowers_the_mappings_concurrency_until_it_scales_up_again() -> None:
    sim = worker_queue()
    send_many(sim, 100)
    sim.advance(500)
    # Not the first five pollers' worth: one running batch and one held for a retry.
    assert sim.queue_stats("jobQueue")["in_flight"] == 2
    sim.advance(58_500)
    assert sim.queue_stats("jobQueue")["in_flight"] == 1
    # A minute later the mapping adds pollers; the first extra batch is throttled and the
    # concurrency drops back at once, so no more than one batch waits at a time.
    sim.advance(1_000)
    assert sim.queue_stats("jobQueue")["in_flight"] == 2
    sim.run(3_600_000)
    assert len(records(sim, tk.MESSAGE_DELETED)) == 100
    assert sim.queue_stats("dlq")["depth"] == 0
    assert records(sim, tk.MESSAGE_RETURNED) == []
    # 100 invocations of 5 s, one at a time, with few gaps.
    assert seconds(sim, tk.MESSAGE_DELETED)[-1] < 520


def test_a_throttled_fifo_batch_keeps_its_group_blocked_and_in_order() -> None:
    sim = worker_queue(fifo=True)
    for group, body in (("g1", "a"), ("g1", "b"), ("g2", "c"), ("g2", "d")):
        sim.send("jobQueue", body, group=group, dedup_id=body)
    sim.run(600_000)
    bodies = {m.id: m.body for m in sim.queues["jobQueue"].messages.values()}
    assert bodies == {}
    started = records(sim, tk.INVOCATION_STARTED, "worker")
    sent = {r.get("message_id"): i for i, r in enumerate(records(sim, tk.MESSAGE_SENT))}
    order = [sent[r.get("message_ids")[0]] for r in started]
    # a runs; c is throttled and retried; the groups then keep their own order.
    assert order == [0, 2, 1, 3]
    assert records(sim, tk.MESSAGE_RETURNED) == []
    assert sim.queue_stats("dlq")["depth"] == 0


def test_throttling_is_deterministic() -> None:
    def run() -> list[str]:
        sim = worker_queue(seed=7)
        send_many(sim, 30)
        sim.run(3_600_000)
        return [r.to_line() for r in sim.trace.records]

    assert run() == run()


ZERO_VT_STACK = """
resources:
  q: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 0}}
  w:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      reservedConcurrency: 0
      events:
        - type: sqs
          properties: {sqsQueueName: q, batchSize: 1}
"""


def test_a_zero_visibility_timeout_backs_off_instead_of_looping_in_one_instant() -> None:
    # AWS refuses this mapping (validate says so); the simulator runs it, and must not spin:
    # every throttled batch comes straight back, and receiving it again at once never ends.
    sim = make_sim(ZERO_VT_STACK, allow_errors=True)
    sim.send("q", "a")
    assert sim.advance(10_000)  # it used to run forever at the first instant
    throttled = seconds(sim, tk.INVOCATION_THROTTLED, "w")
    assert throttled == [float(s) for s in range(11)]  # one poll a second, backed off
    assert sim.queue("q").depth == 1
