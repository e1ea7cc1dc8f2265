"""Property-based tests of the simulator: no message is ever lost or duplicated, and the same
seed gives the same trace."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.sim import trace as tk
from stptui.sim.behavior import add_override, parse_override
from stptui.sim.clock import BACKGROUND, FN
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.queue import _RETURNING, DELAYED, INFLIGHT, VISIBLE, SqsError
from tests.simkit import make_sim

TERMINAL = {
    tk.MESSAGE_DELETED: "deleted",
    tk.MESSAGE_EXPIRED: "expired",
    tk.MESSAGE_REDRIVEN: "deleted",
}


@st.composite
def stacks(draw: st.DrawFn) -> tuple[str, str]:
    """A random stack of queues (some redriving to later ones) with consumers and behaviours."""
    n = draw(st.integers(1, 4))
    fifo = draw(st.booleans())
    lines = ["resources:"]
    behaviors = ["behaviors:"]
    for i in range(n):
        lines += [f"  q{i}:", "    type: sqs-queue", "    properties:"]
        lines.append(f"      visibilityTimeoutSeconds: {draw(st.sampled_from([5, 30, 120]))}")
        lines.append(
            f"      messageRetentionPeriodSeconds: {draw(st.sampled_from([60, 600, 345600]))}"
        )
        if fifo:
            lines += ["      fifoEnabled: true", "      contentBasedDeduplication: true"]
        if i + 1 < n and draw(st.booleans()):
            target = draw(st.integers(i + 1, n - 1))
            mrc = draw(st.integers(1, 3))
            lines.append(
                f"      redrivePolicy: {{targetSqsQueueName: q{target}, maxReceiveCount: {mrc}}}"
            )
        consumer = draw(st.sampled_from(["none", "function", "worker"]))
        if consumer == "worker":
            # A worker service's pollers: every message of a batch after the first waits in
            # its hands, released to return at its timeout unless deleted first.
            most = draw(st.sampled_from([1, 3, 10]))
            lines += [
                f"  w{i}:",
                "    type: worker-service",
                "    properties:",
                "      packaging: {type: prebuilt-image, properties: {image: w}}",
                "      resources: {cpu: 0.25, memory: 512}",
                f"      connectTo: [q{i}]",
            ]
            rate = draw(st.sampled_from([0, 0.3, 1]))
            duration = draw(st.sampled_from(["10ms", "2s", "{min: 10ms, max: 40s}"]))
            behaviors += [
                f"  w{i}:",
                f"    poll: {{queue: q{i}, maxMessages: {most}}}",
                f"    duration: {duration}",
                f"    fail: {{rate: {rate}}}",
            ]
        elif consumer == "function":
            batch = draw(st.sampled_from([1, 2, 10]))
            lines += [
                f"  w{i}:",
                "    type: function",
                "    properties:",
                "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}",
                "      timeout: 5",
                f"      events: [{{type: sqs, properties: {{sqsQueueName: q{i}, batchSize: {batch}}}}}]",
            ]
            rate = draw(st.sampled_from([0, 0.3, 0.7, 1]))
            # A range makes failures end out of receive order: their returns wait in a
            # queue's late heap as well as its deque.
            duration = draw(st.sampled_from(["10ms", "1s", "4s", "{min: 10ms, max: 4s}"]))
            behaviors += [f"  w{i}:", f"    duration: {duration}", f"    fail: {{rate: {rate}}}"]
    return "\n".join(lines) + "\n", "\n".join(behaviors) + "\n" if len(behaviors) > 1 else ""


@st.composite
def worker_stacks(draw: st.DrawFn) -> tuple[str, str]:
    """A queue (redriving to a dead-letter queue or not) read by a worker service's pollers
    that receive several messages at once: the returns a worker's deletes leave behind."""
    visibility = draw(st.sampled_from([5, 30]))
    redrive = draw(
        st.sampled_from(["", ", redrivePolicy: {targetSqsQueueName: q1, maxReceiveCount: 2}"])
    )
    stack = f"""resources:
  q0:
    type: sqs-queue
    properties: {{visibilityTimeoutSeconds: {visibility}{redrive}}}
  q1: {{type: sqs-queue}}
  w0:
    type: worker-service
    properties:
      packaging: {{type: prebuilt-image, properties: {{image: w}}}}
      resources: {{cpu: 0.25, memory: 512}}
      connectTo: [q0]
"""
    most = draw(st.sampled_from([2, 3, 10]))
    pollers = draw(st.integers(1, 2))
    duration = draw(st.sampled_from(["10ms", "2s", "{min: 10ms, max: 8s}"]))
    rate = draw(st.sampled_from([0, 0, 0.3]))
    behaviors = f"""behaviors:
  w0:
    poll: {{queue: q0, maxMessages: {most}, concurrency: {pollers}}}
    duration: {duration}
    fail: {{rate: {rate}}}
"""
    return stack, behaviors


commands = st.lists(
    st.one_of(
        st.tuples(st.just("send"), st.integers(0, 3), st.sampled_from([None, 0, 2, 30])),
        st.tuples(st.just("advance"), st.sampled_from([1, 500, 5_000, 40_000, 700_000])),
        st.tuples(st.just("step"), st.integers(1, 20)),
        st.tuples(
            st.just("fail"), st.integers(0, 3), st.sampled_from(["always", "next 2", "rate 0.5"])
        ),
        st.tuples(st.just("succeed"), st.integers(0, 3)),
        st.tuples(st.just("purge"), st.integers(0, 3)),
        st.tuples(st.just("redrive"), st.integers(0, 3)),
    ),
    max_size=25,
)


def apply(sim: Simulator, cmd: tuple[Any, ...], n: int) -> None:
    """Run one random command; commands the simulation rejects must change nothing."""
    kind = cmd[0]
    try:
        if kind == "send":
            q = f"q{cmd[1] % n}"
            fifo = sim.queues[q].fifo
            delay = None if fifo else cmd[2]
            sim.send(q, f"body {sim.trace.seq}", delay_s=delay, group="g" if fifo else None)
        elif kind == "advance":
            sim.advance(cmd[1])
        elif kind == "step":
            sim.step(cmd[1])
        elif kind in ("fail", "succeed"):
            fn = f"w{cmd[1] % n}"
            if fn in sim.functions:
                words = [kind, fn, *(cmd[2].split() if kind == "fail" else [])]
                add_override(sim.functions[fn].overrides, parse_override(words))
        elif kind == "purge":
            sim.queues[f"q{cmd[1] % n}"].purge()
        elif kind == "redrive":
            dlq = sim.queues[f"q{cmd[1] % n}"]
            if len(dlq.sources) == 1:
                dlq.redrive_to(dlq.sources[0])
    except (SimError, SqsError):
        pass


def check_conservation(sim: Simulator) -> None:
    """Every sent message is exactly one of: delayed, visible, in flight (in its own queue or
    a DLQ), deleted, expired; and each queue's counters agree with its messages."""
    live: dict[str, str] = {}
    for q in sim.queues.values():
        counts = [0, 0, 0]
        vis = list(q.visible) if not q.fifo else [m for g in q.groups.values() for m in g]
        assert len(vis) == len({m.id for m in vis})
        for m in vis:
            assert m.state == VISIBLE and m.queue is q
        for mid, m in q.messages.items():
            assert mid not in live, f"{mid} is in two queues"
            assert m.queue is q
            assert m.state in (DELAYED, VISIBLE, INFLIGHT)
            counts[m.state] += 1
            live[mid] = m.state_name
        assert counts == q.counts, (q.name, counts, q.counts)
        assert counts[VISIBLE] == len(vis)
        # A released message waits for its timeout exactly once, in its own queue's returns.
        waiting = [m for m in q._returns if m.timer is _RETURNING]
        waiting += [e[2] for e in q._returns_late if e[2].timer is _RETURNING]
        assert len(waiting) == len({m.id for m in waiting})
        assert all(m.queue is q and m.state == INFLIGHT for m in waiting)
        assert q.waiting_returns() == len(waiting)
        # The queue's clock entry for its returns is armed, as foreground work, while and
        # only while a message waits for it; one left for deleted messages is background.
        timer, idle = q._return_timer, q._idle_return
        assert (timer is not None) == bool(waiting), q.name
        assert timer is None or (timer[FN] is not None and not timer[BACKGROUND])
        assert idle is None or idle[FN] is None or idle[BACKGROUND]
    sent: set[str] = set()
    ended: dict[str, str] = {}
    for r in sim.trace.records:
        mid = r.get("message_id")
        if r.kind == tk.MESSAGE_SENT:
            assert mid not in sent, f"{mid} sent twice"
            sent.add(mid)
        elif r.kind in TERMINAL:
            assert mid not in ended, f"{mid} ended twice"
            ended[mid] = TERMINAL[r.kind]
        elif r.kind == tk.QUEUE_PURGED:
            pass
    purged = sent - set(live) - set(ended)
    # Messages that disappeared without their own record were purged (one queue.purged
    # record covers them); nothing else may vanish.
    purges = sum(1 for r in sim.trace.records if r.kind == tk.QUEUE_PURGED and r.get("count"))
    assert not purged or purges, f"lost messages: {sorted(purged)[:3]}"
    assert not (set(live) & set(ended)), "a message is both live and ended"
    assert set(live) <= sent


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks(), commands, st.integers(0, 3))
def test_no_message_is_lost_or_duplicated(stack: tuple[str, str], cmds: list, seed: int) -> None:
    stack_yaml, behaviors = stack
    sim = make_sim(stack_yaml, behaviors or None, seed=seed)
    n = len(sim.queues)
    for cmd in cmds:
        apply(sim, cmd, n)
        check_conservation(sim)
    sim.run(86_400_000)
    check_conservation(sim)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks(), commands, st.integers(0, 3))
def test_same_seed_same_trace(stack: tuple[str, str], cmds: list, seed: int) -> None:
    stack_yaml, behaviors = stack

    def run() -> list[str]:
        sim = make_sim(stack_yaml, behaviors or None, seed=seed)
        for cmd in cmds:
            apply(sim, cmd, len(sim.queues))
        sim.run(86_400_000)
        return [r.to_line() for r in sim.trace.records]

    assert run() == run()


# What a quiet run leaves behind: retention checks, the only background work these stacks
# have (no schedules).
BACKGROUND_KINDS = {"retention"}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(stacks(), worker_stacks()), st.integers(0, 12), commands, st.integers(0, 3))
def test_run_goes_quiet_when_the_last_work_ends(
    stack: tuple[str, str], burst: int, cmds: list, seed: int
) -> None:
    """`run` stops at the instant of the last thing that happened: no queue keeps a return
    timer for messages it no longer holds (deleted by a worker, purged, expired), and the
    agenda holds only background work. A burst of sends first, so that consumers receive
    batches."""
    stack_yaml, behaviors = stack
    sim = make_sim(stack_yaml, behaviors or None, seed=seed)
    for _ in range(burst):
        apply(sim, ("send", 0, None), len(sim.queues))
    for cmd in cmds:
        apply(sim, cmd, len(sim.queues))
    ran = sim.clock.events_run
    if not sim.run(86_400_000):
        return  # a consumer failing forever within the retention: never quiet in a day
    for q in sim.queues.values():
        assert q.waiting_returns() == 0 and q._return_timer is None, q.name
    assert {kind for _, kind, _, _ in sim.agenda()} <= BACKGROUND_KINDS
    assert sim.pending() == len(sim.agenda())
    if sim.clock.events_run > ran:
        # The run ended with something a user sees: a record, or a delayed message
        # becoming visible (which writes none; a purge may have taken it first, so a delay's
        # end may also lie after the run's).
        ends = {r.t for r in sim.trace.records}
        assert sim.clock.now >= max(ends)
        ends |= {r.t + r.get("delay_ms") for r in sim.trace.records if r.get("delay_ms")}
        assert sim.clock.now in ends
    check_conservation(sim)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(stacks(), worker_stacks()), st.integers(0, 12), commands, st.integers(0, 3))
def test_run_is_advance_to_the_instant_it_went_quiet(
    stack: tuple[str, str], burst: int, cmds: list, seed: int
) -> None:
    """Where `run` stops is the only thing it decides: `advance` to that instant gives the
    same trace (plus, at most, background work due at that very instant)."""
    stack_yaml, behaviors = stack

    def scenario() -> Simulator:
        sim = make_sim(stack_yaml, behaviors or None, seed=seed)
        for _ in range(burst):
            apply(sim, ("send", 0, None), len(sim.queues))
        for cmd in cmds:
            apply(sim, cmd, len(sim.queues))
        return sim

    ran = scenario()
    if not ran.run(86_400_000):
        return
    advanced = scenario()
    advanced.advance(ran.clock.now - advanced.clock.now)
    by_run = [r.to_line() for r in ran.trace.records]
    by_advance = list(advanced.trace.records)
    assert [r.to_line() for r in by_advance[: len(by_run)]] == by_run
    assert all(r.t == ran.clock.now for r in by_advance[len(by_run) :])
