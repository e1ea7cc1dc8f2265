"""`show metrics` and `expect metric...`: CloudWatch's metrics of a run, replayed from the
trace, agree with what the queues and functions themselves report."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, ExpectationFailed, Session, execute, render_plain
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant
from stptui.sim.metrics import compute
from stptui.sim.trace import Trace

ROOT = Path(__file__).resolve().parent.parent
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = parse_instant("2026-01-05T08:00:00Z")

# Two standard queues (one the other's DLQ) and two FIFO ones, each source consumed by a
# function whose failures the test sets.
STACK = """\
resources:
  jobs:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 20
      redrivePolicy:
        targetSqsQueueName: dlq
        maxReceiveCount: 2
  dlq:
    type: sqs-queue
  orders:
    type: sqs-queue
    properties:
      fifoEnabled: true
      contentBasedDeduplication: true
      visibilityTimeoutSeconds: 20
      redrivePolicy:
        targetSqsQueueName: ordersDlq
        maxReceiveCount: 2
  ordersDlq:
    type: sqs-queue
    properties:
      fifoEnabled: true
  worker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/worker.ts
      timeout: 10
      events:
        - type: sqs
          properties:
            sqsQueueName: jobs
            batchSize: 2
  orderWorker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/orders.ts
      timeout: 10
      events:
        - type: sqs
          properties:
            sqsQueueName: orders
"""
BEHAVIOURS = """\
behaviors:
  worker:
    duration: 3s
  orderWorker:
    duration: 1500ms
"""
QUEUES = ("jobs", "dlq", "orders", "ordersDlq")


def _stack(tmp: Path) -> Path:
    (tmp / "stacktape.yml").write_text(STACK)
    (tmp / "stptui.yml").write_text(BEHAVIOURS)
    return tmp


def _open(ring: int | None = None) -> Session:
    session = Session.open(JOB_QUEUE, start_ms=START)
    if ring is not None:
        session.sim.trace = Trace(ring_size=ring)
    return session


_ACTIONS = st.one_of(
    st.tuples(st.just("send"), st.sampled_from(("jobs", "dlq")), st.sampled_from(("", "3s"))),
    st.tuples(st.just("fifo"), st.sampled_from(("a", "b")), st.integers(0, 3)),
    st.tuples(st.just("advance"), st.sampled_from(("1s", "7s", "20s", "1m"))),
    st.tuples(st.just("fail"), st.sampled_from(("worker", "orderWorker")), st.integers(1, 4)),
    st.tuples(st.just("succeed"), st.sampled_from(("worker", "orderWorker"))),
    st.tuples(st.just("purge"), st.sampled_from(QUEUES)),
    st.tuples(st.just("redrive"), st.sampled_from(("dlq", "ordersDlq"))),
)


def _line(action: tuple[object, ...], i: int) -> str:
    kind = action[0]
    if kind == "send":
        delay = f" --delay {action[2]}" if action[2] else ""
        return f"send {action[1]} '{{\"n\": {i}}}'{delay}"
    if kind == "fifo":
        # A small set of bodies: content-based deduplication drops some sends.
        return f"send orders '{{\"n\": {action[2]}}}' --group {action[1]}"
    if kind == "advance":
        return f"advance {action[1]}"
    if kind == "fail":
        return f"fail {action[1]} next {action[2]}"
    return f"{kind} {action[1]}"


def _replay_matches(tmp: Path, actions: list[tuple[object, ...]], ring: int | None) -> None:
    session = Session.open(_stack(tmp), start_ms=START)
    if ring is not None:
        session.sim.trace = Trace(ring_size=ring)
    sim = session.sim
    samples: list[tuple[int, str, dict[str, int]]] = []
    for i, action in enumerate(actions):
        # A purge within 60 s of the last, a redrive with nothing to move: refused.
        with contextlib.suppress(CommandError):
            execute(session, _line(action, i))
        samples += [(sim.clock.now, q, sim.queue_stats(q)) for q in QUEUES]
    metrics = compute(sim)
    for q in QUEUES:
        assert metrics.resources[q].now == sim.queue_stats(q), q
    if metrics.dropped:
        # A message the ring's records first name as received was visible or still delayed
        # before (docs/fidelity.md): the maxima of a window that starts there are inferred.
        return
    for t, q, stats in samples:
        res = metrics.resources[q]
        visible = res.figure("ApproximateNumberOfMessagesVisible", "Maximum")
        hidden = res.figure("ApproximateNumberOfMessagesNotVisible", "Maximum")
        delayed = res.figure("ApproximateNumberOfMessagesDelayed", "Maximum")
        assert visible is not None and hidden is not None and delayed is not None
        assert visible.value is not None and visible.value >= stats["visible"], (q, t)
        assert hidden.value is not None and hidden.value >= stats["in_flight"], (q, t)
        assert delayed.value is not None and delayed.value >= stats["delayed"], (q, t)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(_ACTIONS, min_size=1, max_size=30))
def test_replayed_depths_are_the_queues_own(
    tmp_path: Path, actions: list[tuple[object, ...]]
) -> None:
    _replay_matches(tmp_path, actions, None)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(_ACTIONS, min_size=1, max_size=30), ring=st.integers(1, 40))
def test_a_ring_that_dropped_records_still_replays_the_depth_now(
    tmp_path: Path, actions: list[tuple[object, ...]], ring: int
) -> None:
    # The messages already in a queue before the oldest record kept are taken from the
    # records that name them and from the queue now.
    _replay_matches(tmp_path, actions, ring)


def _loaded() -> Session:
    session = _open()
    for line in (
        "fail worker rate 0.5",
        'repeat 200 --every 50ms send jobQueue \'{"orderId": {i}, "amount": 10}\'',
        "advance 30m",
    ):
        execute(session, line)
    return session


def test_show_metrics_reads_cloudwatchs_names_from_the_load() -> None:
    session = _loaded()
    result = execute(session, "show metrics jobQueue")
    text = render_plain(result)
    assert "from 2026-01-05T08:00:00.000Z to 2026-01-05T08:30:00.000Z" in text
    figures = {
        (m["metric"], m["statistic"]): m for m in result.data["resources"]["jobQueue"]["metrics"]
    }
    assert figures[("NumberOfMessagesSent", "Sum")]["value"] == 200
    # Every message was either deleted by the worker or moved to the DLQ.
    deleted = figures[("NumberOfMessagesDeleted", "Sum")]["value"]
    moved = figures[("NumberOfMessagesMovedToDLQ", "Sum")]["value"]
    assert deleted + moved == 200
    assert moved == session.sim.queue_stats("deadLetterQueue")["depth"]
    # The queue was deepest as the last of the 200 arrived (sends every 50 ms, 2 s jobs).
    visible = figures[("ApproximateNumberOfMessagesVisible", "Maximum")]
    assert visible["at"] == "2026-01-05T08:00:09.950Z"
    assert 150 < visible["value"] <= 200
    # A message deleted 0.1 s after its send is the fastest possible: the p50 is above it.
    assert figures[("SendToDeleteTime", "p50")]["value"] >= 2000
    assert "worker" not in result.data["resources"]


def test_function_figures_match_its_counts() -> None:
    session = _loaded()
    data = execute(session, "show metrics worker").data["resources"]["worker"]["metrics"]
    figures = {(m["metric"], m["statistic"]): m["value"] for m in data}
    stats = session.sim.function_stats("worker")
    assert figures[("Invocations", "Sum")] == stats["successes"] + stats["failures"]
    assert figures[("Errors", "Sum")] == stats["failures"]
    assert figures[("Duration", "p95")] == 2000
    # Lambda polls with 5 concurrent batches at first and scales up while messages wait.
    assert figures[("ConcurrentExecutions", "Maximum")] > 1


def test_since_limits_the_window() -> None:
    session = _loaded()
    result = execute(session, "show metrics jobQueue --since 10m")
    assert result.data["start"] == "2026-01-05T08:20:00.000Z"
    metrics = result.data["resources"]["jobQueue"]["metrics"]
    sent = next(m for m in metrics if m["metric"] == "NumberOfMessagesSent")
    assert sent["value"] == 0  # all 200 were sent in the first 10 s


def test_http_routes_count_status_classes() -> None:
    session = _open()
    execute(session, "repeat 5 http POST /jobs '{}'")
    execute(session, "fail api next 2")
    execute(session, "repeat 3 http POST /jobs '{}'")
    execute(session, "advance 1s")
    data = execute(session, "show metrics httpApi").data["resources"]
    api = {(m["metric"], m["statistic"]): m["value"] for m in data["httpApi"]["metrics"]}
    assert api[("Count", "Sum")] == 8
    assert api[("5xx", "Sum")] == 2
    assert api[("4xx", "Sum")] == 0
    assert "httpApi ANY /{proxy+}" in data


def test_dropped_records_are_said_with_the_instant_figures_count_from() -> None:
    session = _open(ring=50)
    execute(session, "repeat 40 --every 1s send jobQueue '{\"amount\": 1}'")
    execute(session, "advance 1m")
    text = render_plain(execute(session, "show metrics jobQueue"))
    assert "older ones were dropped, so the figures count from" in text
    # The queue's depth now is its own all the same.
    assert compute(session.sim).resources["jobQueue"].now == session.sim.queue_stats("jobQueue")


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("show metrics jobQeue", "no queue, function or HTTP API named 'jobQeue'", "jobQueue"),
        ("show metrics database", "which `show metrics` does not measure", "measured:"),
        ("show metrics --since 5x", "--since: unknown unit", "250ms"),
        ("show metrics --since 0s", "--since must be at least 1 ms", "--since 10m"),
        ("show queues --since 1m", "show queues takes no --since", "show metrics"),
        (
            "expect metric.jobQueue.ApproximateNumberOfMessagesVisible.max <= 200",
            "has no statistic 'max'",
            "metric.jobQueue.ApproximateNumberOfMessagesVisible.Maximum",
        ),
        ("expect metric.jobQueue.Depth.Maximum < 1", "jobQueue has no metric 'Depth'", "metrics:"),
        ("expect metric.jobQueue == 1", "needs RESOURCE.METRIC.STATISTIC", "e.g. expect"),
        ("expect metrics.jobQueue.X.Sum == 1", "unknown path", "metric"),
    ],
)
def test_bad_input_is_refused_with_a_hint_and_changes_nothing(
    line: str, message: str, hint: str
) -> None:
    session = _open()
    before = session.sim.trace.seq
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert message in info.value.message
    assert hint in (info.value.hint or "")
    assert session.sim.trace.seq == before
    # The REPL refuses the line before Enter with the same words.
    problem = check(session, line)
    assert problem is not None and message in problem.message


def test_expect_metric_holds_and_fails() -> None:
    session = _loaded()
    ok = execute(
        session, "expect metric.jobQueue.ApproximateNumberOfMessagesVisible.Maximum <= 200"
    )
    assert ok.data["ok"] is True
    with pytest.raises(ExpectationFailed) as info:
        execute(session, "expect metric.worker.Duration.p95 < 100")
    assert "actual 2000" in info.value.message
    with pytest.raises(ExpectationFailed) as none:
        execute(session, "expect metric.deadLetterQueue.SendToDeleteTime.p95 < 100")
    assert "no datapoint" in none.value.message


def test_completion_offers_measured_resources_and_metric_paths() -> None:
    session = _open()
    offered = [c.text for c in candidates(session, "show metrics ")]
    assert offered == sorted(["api", "deadLetterQueue", "httpApi", "jobQueue", "worker"])
    # The database is a resource, but not one with metrics.
    paths = [c.text for c in candidates(session, "expect metric.jobQueue.Approx")]
    assert "metric.jobQueue.ApproximateAgeOfOldestMessage.Maximum" in paths


def test_iterator_age_of_a_retried_stream_batch() -> None:
    session = Session.open(ROOT / "docs" / "examples" / "clickstream.yml", start_ms=START)
    for line in (
        "fail clickProcessor next 2",
        'put-record clicks \'{"page": "/home"}\' --partition-key u1',
        "advance 10s",
    ):
        execute(session, line)
    res = compute(session.sim).resources["clickProcessor"]
    age = res.figure("IteratorAge", "Maximum")
    # The record waited through two failed invocations (and their retry waits) before the
    # third read it.
    assert age is not None and age.value is not None and age.value > 0
    assert age.at is not None and age.value == age.at - START


def test_expect_offers_metric_paths_under_one_entry() -> None:
    session = _open()
    offered = [c.text for c in candidates(session, "expect ")]
    assert "metric." in offered
    assert not any(p.startswith("metric.") and p != "metric." for p in offered)
