"""Properties of a worker service's pollers stopped and started again (`pause WORKLOAD
[--trigger QUEUE]`, `resume`; stptui.sim.services.worker) that a user relies on, over random
interleavings of sends, pauses, resumes, failures and clock moves:

- Every message sent ends exactly once: deleted by the worker, dead-lettered, or expired by
  the queue's retention; none is lost, none ends twice, even when a stop kills a poller in
  the middle of a message.
- While the pollers are stopped (between the worker's mapping.disabled and mapping.enabled
  of the queue) nothing is received from the queue, nothing is dead-lettered (only a
  receive does that), and no message starts being processed (a stopped poller only
  finishes the one it had).
- A message a stop kills (`container.message.failed` with `error` SIGKILL) is killed when
  the container's stopTimeout ends, counted from the pause.
- Once everything has drained, the pollers hold nothing.
- The same lines on a new session give the same trace, and a session saved (stopped or
  not, a SIGKILL pending or not) loads and goes on to the same trace.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.sim import trace as tk
from stptui.sim.trace import Record
from tests.propkit import open_session, run_lines, scratch, trace_lines
from tests.test_mapping_pause_properties import disabled_spans

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IMAGE = "packaging: {type: prebuilt-image, properties: {image: w}}"


@st.composite
def worker_stacks(draw: st.DrawFn) -> tuple[str, str, bool, int]:
    """`jobs` (dead-lettering to `dead`) polled by the worker service `mailer`; the stack,
    its behaviours, whether the queues are FIFO and the container's stopTimeout in ms."""
    fifo = draw(st.booleans())
    vt = draw(st.sampled_from([5, 30]))
    retention = draw(st.sampled_from([60, 600, 345600]))
    mrc = draw(st.integers(1, 3))
    # Stacktape's range is 2-120 s: its least, and one over the default of 2.
    stop_s = draw(st.sampled_from([None, 2, 5]))
    fifo_props = "fifoEnabled: true, contentBasedDeduplication: true, " if fifo else ""
    dead = "{type: sqs-queue, properties: {fifoEnabled: true}}" if fifo else "{type: sqs-queue}"
    stop = "" if stop_s is None else f"      stopTimeout: {stop_s}\n"
    stack = (
        "resources:\n"
        f"  dead: {dead}\n"
        "  jobs:\n    type: sqs-queue\n    properties:\n"
        f"      {{{fifo_props}visibilityTimeoutSeconds: {vt}, "
        f"messageRetentionPeriodSeconds: {retention},\n"
        f"       redrivePolicy: {{targetSqsQueueName: dead, maxReceiveCount: {mrc}}}}}\n"
        "  mailer:\n    type: worker-service\n    properties:\n"
        f"      {IMAGE}\n      resources: {{cpu: 0.25, memory: 512}}\n"
        f"      connectTo: [jobs]\n{stop}"
    )
    many = draw(st.sampled_from([1, 3, 10]))
    pollers = draw(st.integers(1, 2))
    beat = draw(st.sampled_from(["", ", heartbeat: {every: 3s, extendBy: 10s}"]))
    duration = draw(st.sampled_from(["10ms", "1s", "20s", "{min: 10ms, max: 20s}"]))
    rate = draw(st.sampled_from([0, 0.5]))
    behaviors = (
        "behaviors:\n  mailer:\n"
        f"    poll: {{queue: jobs, maxMessages: {many}, concurrency: {pollers}{beat}}}\n"
        f"    duration: {duration}\n    fail: {{rate: {rate}}}\n    log: Body\n"
    )
    return stack, behaviors, fifo, 2000 if stop_s is None else stop_s * 1000


worker_lines = st.lists(
    st.one_of(
        st.builds(
            lambda i, g: f"send jobs m{i} --group g{g}", st.integers(0, 99), st.integers(0, 2)
        ),
        st.sampled_from(
            ["pause mailer", "resume mailer", "pause mailer --trigger jobs", "resume mailer"]
        ),
        st.builds(
            lambda d: f"advance {d}", st.sampled_from(["1ms", "700ms", "2s", "6s", "31s", "3m"])
        ),
        st.sampled_from(["fail mailer always", "fail mailer next 2", "succeed mailer"]),
    ),
    max_size=30,
)


def check_stopped_does_nothing(recs: list[Record], stop_ms: int) -> None:
    for first, last in disabled_spans(recs, "mailer", "jobs"):
        paused_at = recs[first].t
        for r in recs[first + 1 : last]:
            assert not (
                r.kind in (tk.MESSAGE_RECEIVED, tk.MESSAGE_DEAD_LETTERED) and r.resource == "jobs"
            ), r.to_line()
            # A message starts being processed with its log line.
            assert not (r.kind == tk.HANDLER_LOG and r.resource == "mailer"), r.to_line()
            if r.kind == tk.CONTAINER_MESSAGE_FAILED and r.get("error") == "SIGKILL":
                assert r.t == paused_at + stop_ms, r.to_line()


def check_conservation(session: Session) -> None:
    recs = session.sim.trace.records
    sent = [r.get("message_id") for r in recs if r.kind == tk.MESSAGE_SENT and r.resource == "jobs"]
    assert len(sent) == len(set(sent)), "a message id was given twice"
    ends: dict[str, list[str]] = {m: [] for m in sent}
    for r in recs:
        if r.resource == "jobs" and r.kind in (
            tk.MESSAGE_DELETED,
            tk.MESSAGE_DEAD_LETTERED,
            tk.MESSAGE_EXPIRED,
        ):
            ends[r.get("message_id")].append(r.kind)
    assert not session.sim.queues["jobs"].messages, sorted(session.sim.queues["jobs"].messages)
    for mid in sent:
        assert len(ends[mid]) == 1, (mid, ends[mid])
    lettered = {m for m in sent if ends[m] == [tk.MESSAGE_DEAD_LETTERED]}
    assert lettered == set(session.sim.queues["dead"].messages)
    for poll in session.sim.services["workers"].polls:
        assert (poll.held, poll.busy) == (0, 0)


@SETTINGS
@given(worker_stacks(), worker_lines, st.integers(0, 2))
def test_every_message_ends_once_across_stops_and_a_stopped_worker_reads_nothing(
    stack: tuple[str, str, bool, int], lines: list[str], seed: int
) -> None:
    stack_yaml, behaviors, fifo, stop_ms = stack
    if not fifo:  # message groups for the FIFO queue only
        lines = [line.split(" --group")[0] for line in lines]
    with scratch() as folder:
        session = open_session(Path(folder), stack_yaml, behaviors, seed)
        run_lines(session, lines)
        check_stopped_does_nothing(session.sim.trace.records, stop_ms)
        # Started again, the backlog drains: every message ends.
        run_lines(session, ["resume mailer", "succeed mailer", "advance 1h"])
        check_stopped_does_nothing(session.sim.trace.records, stop_ms)
        check_conservation(session)
        expected = trace_lines(session)
    with scratch() as folder:
        again = open_session(Path(folder), stack_yaml, behaviors, seed)
        run_lines(again, [*lines, "resume mailer", "succeed mailer", "advance 1h"])
        assert trace_lines(again) == expected


@SETTINGS
@given(worker_stacks(), worker_lines, st.integers(0, 2))
def test_a_session_saved_while_stopped_loads_and_goes_on_alike(
    stack: tuple[str, str, bool, int], lines: list[str], seed: int
) -> None:
    stack_yaml, behaviors, fifo, _ = stack
    if not fifo:
        lines = [line.split(" --group")[0] for line in lines]
    with scratch() as folder:
        session = open_session(Path(folder), stack_yaml, behaviors, seed)
        run_lines(session, lines)
        saved = Path(folder) / "saved.stps"
        run_lines(session, [f"save {saved}", "advance 45s", "resume mailer", "advance 1m"])
        expected = trace_lines(session)
        (answer,) = run_lines(session, [f"load {saved}"])
        assert not answer.startswith("refused"), answer
        run_lines(session, ["advance 45s", "resume mailer", "advance 1m"])
        assert trace_lines(session) == expected
