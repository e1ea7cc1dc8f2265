"""`show metrics` and `expect metric...`: CloudWatch's metrics of a run, replayed from the
trace, agree with what the queues and functions themselves report."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stptui.sim.metrics as metrics_package
from stptui.commands import CommandError, ExpectationFailed, Session, execute, render_plain
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant
from stptui.sim.metrics import compute, figures_of, measured
from stptui.sim.metrics.figures import Periods
from stptui.sim.metrics.functions import function_series
from stptui.sim.metrics.queues import queue_series
from stptui.sim.metrics.web import detailed_routes
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


def _each_alone_is_as_with_all(session: Session) -> None:
    """One resource's figures (what `expect metric...` and the REPL's menu read: only its
    family replayed, of a queue or function only its own figures made) are those `show
    metrics` computes with every other resource's, over all the trace holds and a window,
    in one period or several."""
    sim = session.sim
    sim.trace.settle()
    raws = sim.trace.records.raw
    for since in (None, 20_000):
        # Neither cache may answer: each resource is computed alone, then all together.
        metrics_package._CACHE.clear()
        metrics_package._ONE.clear()
        names = [*measured(sim), *detailed_routes(sim)]
        alone = {name: figures_of(sim, name, since) for name in names}
        m = compute(sim, since)
        for name in names:
            assert alone[name] == (m.resources.get(name), m.start, m.end), (name, since)
        periods = Periods.of(m.start, m.end, 7_000)
        seeded = m.dropped > 0
        queues = queue_series(sim, raws, periods, m.end, seeded=seeded)
        for q in sim.queues:
            only = queue_series(sim, raws, periods, m.end, seeded=seeded, only=q)
            assert only == {q: queues[q]}, (q, since)
        functions = function_series(sim, raws, periods)
        for fn in sim.functions:
            assert function_series(sim, raws, periods, fn) == {fn: functions[fn]}, (fn, since)


def test_each_resources_figures_alone_are_those_of_show_metrics() -> None:
    examples = ROOT / "docs" / "examples"
    loaded = _loaded()
    execute(loaded, "advance 30s")
    combined = Session.open(COMBINED, start_ms=START)
    for line in (
        "publish eventBus orders OrderCreated '{\"orderId\": 42}'",
        "publish-sns alertsTopic 'down' --attr severity=high",
        "fire dailyReport",
        "send jobQueue '{\"orderId\": 1}'",
        "advance 1m",
    ):
        execute(combined, line)
    sessions = [
        loaded,
        combined,
        _run(
            examples / "route-metrics.yml",
            "route-metrics-behaviors.yml",
            "http GET /orders/1",
            "http GET /health",
            "advance 1s",
        ),
        _run(
            examples / "function-urls.yml",
            "function-urls-behaviors.yml",
            "http GET /daily --url report",
            "advance 1s",
        ),
        _run(
            examples / "load-balancer.yml",
            "load-balancer-behaviors.yml",
            *(examples / "load-balancer.stp").read_text().splitlines(),
            "advance 1s",
        ),
        _run(
            examples / "workflow.yml",
            "workflow-behaviors.yml",
            'start-execution orderFlow \'{"orderId": "o-1", "amount": 120}\'',
            "advance 2m",
        ),
        _run(
            examples / "kafka-orders.yml",
            None,
            "produce order-events '{\"orderId\": 1}' --key customer-1",
            "advance 1s",
        ),
        _run(
            ROOT / "stptui" / "sample_stacks" / "batch-job",
            None,
            "fail heavyJob next 1",
            "start-job heavyJob '{\"n\": 1}'",
            "advance 3h",
        ),
        _run(
            ROOT / "stptui" / "sample_stacks" / "file-processing",
            None,
            "upload uploads incoming/a.csv --content 'orderId,amount'",
            "advance 1s",
        ),
    ]
    for session in sessions:
        _each_alone_is_as_with_all(session)
    # Something happened to each kind the comparison reads: not a comparison of zeros.
    assert _figures(combined, "eventBus")[("MatchedEvents", "Sum")] == 1
    assert _figures(sessions[2], "api GET /orders/{id}")[("Count", "Sum")] == 1
    assert _figures(sessions[3], "report")[("UrlRequestCount", "Sum")] == 1


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
    _each_alone_is_as_with_all(session)
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
        ("show metrics jobQeue", "is named 'jobQeue'", "jobQueue"),
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


COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"
EMAIL_RULE = "background-jobs-demo-dev-emailService-event-bus-1"
ANALYTICS_RULE = "background-jobs-demo-dev-analyticsService-event-bus-1"


def _figures(session: Session, name: str) -> dict[tuple[str, str], float | None]:
    res = compute(session.sim).resources[name]
    return {(f.metric, f.statistic): f.value for f in res.figures}


def test_a_bus_and_its_rules_count_matches_and_invocations() -> None:
    session = Session.open(COMBINED, start_ms=START)
    for line in (
        "publish eventBus orders OrderCreated '{\"orderId\": 42}'",
        "publish eventBus billing InvoicePaid '{\"invoiceId\": 7}'",
        "publish eventBus billing InvoicePaid '{\"invoiceId\": 8}'",
        "advance 1m",
    ):
        execute(session, line)
    bus = _figures(session, "eventBus")
    assert bus[("PutEventsApproximateCallCount", "Sum")] == 3
    assert bus[("MatchedEvents", "Sum")] == 3  # analytics matches every event
    email = _figures(session, EMAIL_RULE)
    assert email[("MatchedEvents", "Sum")] == 1
    assert email[("Invocations", "Sum")] == 1
    assert email[("FailedInvocations", "Sum")] == 0
    assert _figures(session, ANALYTICS_RULE)[("TriggeredRules", "Sum")] == 3
    # The rules' targets were each invoked once per match.
    assert _figures(session, "emailService")[("Invocations", "Sum")] == 1
    # `show metrics eventBus` lists the bus, then its rules.
    data = execute(session, "show metrics eventBus").data["resources"]
    assert list(data) == ["eventBus", EMAIL_RULE, ANALYTICS_RULE]
    assert data[EMAIL_RULE]["kind"] == "rule"


def test_a_topic_counts_deliveries_and_filtered_out_messages() -> None:
    session = Session.open(COMBINED, start_ms=START)
    for line in (
        "publish-sns alertsTopic 'down' --attr severity=high",
        "repeat 3 publish-sns alertsTopic 'slow' --attr severity=low",
        "advance 1s",
    ):
        execute(session, line)
    topic = _figures(session, "alertsTopic")
    assert topic[("NumberOfMessagesPublished", "Sum")] == 4
    assert topic[("NumberOfNotificationsDelivered", "Sum")] == 1
    assert topic[("NumberOfNotificationsFilteredOut", "Sum")] == 3
    assert topic[("NumberOfNotificationsFilteredOut-MessageAttributes", "Sum")] == 3
    assert topic[("NumberOfNotificationsFailed", "Sum")] == 0
    ok = execute(session, "expect metric.alertsTopic.NumberOfNotificationsDelivered.Sum == 1")
    assert ok.data["ok"] is True


def test_a_schedules_rule_is_listed_under_its_workload() -> None:
    session = Session.open(COMBINED, start_ms=START)
    execute(session, "fire dailyReport")
    execute(session, "advance 10m")
    data = execute(session, "show metrics dailyReport --since 5m").data["resources"]
    rule = "background-jobs-demo-dev-dailyReport-schedule-1"
    assert list(data) == ["dailyReport", rule]
    assert data[rule]["kind"] == "schedule"
    # The fire was before the last 5 minutes.
    assert [m["value"] for m in data[rule]["metrics"]] == [0, 0, 0]
    assert _figures(session, rule) == {
        ("TriggeredRules", "Sum"): 1,
        ("Invocations", "Sum"): 1,
        ("FailedInvocations", "Sum"): 0,
    }


def test_completion_offers_buses_rules_and_topics() -> None:
    session = Session.open(COMBINED, start_ms=START)
    offered = [c.text for c in candidates(session, "show metrics ")]
    assert {"eventBus", "alertsTopic", EMAIL_RULE}.issubset(offered)
    # The default bus has no rule of this stack: nothing to measure there.
    assert "default" not in offered
    paths = [c.text for c in candidates(session, "expect metric.alertsTopic.NumberOfNot")]
    assert "metric.alertsTopic.NumberOfNotificationsFilteredOut-MessageAttributes.Sum" in paths
    with pytest.raises(CommandError) as info:
        execute(session, "expect metric.eventBus.Invocations.Sum == 1")
    assert "eventBus has no metric 'Invocations'" in info.value.message


def test_a_batch_jobs_executions_and_attempts() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "batch-job", start_ms=START)
    for line in (
        "fail heavyJob next 1",
        "start-job heavyJob '{\"n\": 1}'",
        "start-job heavyJob '{\"n\": 2}'",
        "advance 3h",
    ):
        execute(session, line)
    job = _figures(session, "heavyJob")
    assert job[("ExecutionsStarted", "Sum")] == 2
    assert job[("ExecutionsSucceeded", "Sum")] == 2
    assert job[("JobAttempts", "Sum")] == 3
    assert job[("JobAttemptsFailed", "Sum")] == 1
    attempt = job[("JobAttemptDuration", "Maximum")]
    # The retried job ran two attempts and waited between them: its execution took longer
    # than both together.
    assert attempt is not None
    longest = job[("ExecutionTime", "Maximum")]
    assert longest is not None and longest > 2 * attempt
    assert job[("ExecutionTime", "p50")] == attempt


def test_a_state_machines_executions_by_how_they_ended() -> None:
    session = Session.open(
        ROOT / "docs" / "examples" / "workflow.yml",
        behaviors_path=ROOT / "docs" / "examples" / "workflow-behaviors.yml",
        start_ms=START,
    )
    for line in (
        'start-execution orderFlow \'{"orderId": "o-1", "amount": 120}\' --name small',
        'start-execution orderFlow \'{"orderId": "o-2", "amount": 900}\' --name big',
        'start-execution orderFlow \'{"orderId": "o-3", "amount": 120}\' --name stopped',
        "stop-execution stopped",
        "advance 2m",
    ):
        execute(session, line)
    sm = _figures(session, "orderFlow")
    assert sm[("ExecutionsStarted", "Sum")] == 3
    assert sm[("ExecutionsSucceeded", "Sum")] == 1
    assert sm[("ExecutionsFailed", "Sum")] == 1
    assert sm[("ExecutionsAborted", "Sum")] == 1
    assert sm[("ExecutionsTimedOut", "Sum")] == 0
    # The successful order retried its payment twice and waited 30 s: the longest run.
    longest = sm[("ExecutionTime", "Maximum")]
    assert longest is not None and longest > 30_000
    ok = execute(session, "expect metric.orderFlow.ExecutionsFailed.Sum == 1")
    assert ok.data["ok"] is True


def _run(stack: Path, behaviours: str | None, *lines: str) -> Session:
    session = Session.open(
        stack,
        behaviors_path=None if behaviours is None else ROOT / "docs" / "examples" / behaviours,
        start_ms=START,
    )
    for line in lines:
        execute(session, line)
    return session


def test_a_load_balancer_tells_its_targets_answers_from_its_own() -> None:
    session = _run(
        ROOT / "docs" / "examples" / "load-balancer.yml",
        "load-balancer-behaviors.yml",
        *(ROOT / "docs" / "examples" / "load-balancer.stp").read_text().splitlines(),
        "advance 1s",
    )
    lb = _figures(session, "mainLb")
    # Three 200s and a 403 from targets; the port-80 redirect is a default action's.
    assert lb[("RequestCount", "Sum")] == 4
    assert lb[("HTTPCode_Target_2XX_Count", "Sum")] == 3
    assert lb[("HTTPCode_Target_4XX_Count", "Sum")] == 1
    assert lb[("HTTP_Redirect_Count", "Sum")] == 1
    assert lb[("HTTPCode_ELB_3XX_Count", "Sum")] == 1
    assert lb[("TargetResponseTime", "Maximum")] is not None


def test_a_function_url_adds_its_metrics_to_its_functions() -> None:
    session = _run(
        ROOT / "docs" / "examples" / "function-urls.yml",
        "function-urls-behaviors.yml",
        "http GET /daily --url report",
        "http GET /daily --url report --signed",
        "advance 1s",
    )
    report = _figures(session, "report")
    assert report[("UrlRequestCount", "Sum")] == 2
    assert report[("Url4xxCount", "Sum")] == 1  # AWS_IAM refused the unsigned request
    assert report[("Invocations", "Sum")] == 1
    offered = [c.text for c in candidates(session, "expect metric.report.Url")]
    assert "metric.report.UrlRequestLatency.p95" in offered


def test_what_goes_into_streams_topics_tables_and_buckets() -> None:
    kafka = _run(
        ROOT / "docs" / "examples" / "kafka-orders.yml",
        None,
        "produce order-events '{\"orderId\": 1}' --key customer-1",
        "produce order-events '{\"orderId\": 2}' --key customer-2",
        "advance 1s",
    )
    topic = _figures(kafka, "order-events")
    assert topic[("MessagesIn", "Sum")] == 2
    # A record's bytes are its key's, value's and headers' with Kafka's record overhead.
    sizes = [r.data["size"] for r in kafka.sim.trace.records if r.kind == "kafka.record_produced"]
    assert topic[("BytesIn", "Sum")] == sum(sizes) > 2 * len('{"orderId": 1}')
    clicks = _run(
        ROOT / "docs" / "examples" / "clickstream.yml",
        None,
        'put-record clicks \'{"page": "/home"}\' --partition-key u1',
        "advance 1s",
    )
    assert _figures(clicks, "clicks")[("IncomingRecords", "Sum")] == 1
    carts = _run(
        ROOT / "docs" / "examples" / "cart-audit.yml",
        "cart-audit-behaviors.yml",
        'put-item carts \'{"cartId": {"S": "c-1"}}\'',
        'put-item carts \'{"cartId": {"S": "c-1"}}\'',  # the same item: no stream record
        'delete-item carts \'{"cartId": {"S": "c-1"}}\'',
    )
    assert _figures(carts, "carts")[("StreamRecordsWritten", "Sum")] == 2
    files = _run(
        ROOT / "stptui" / "sample_stacks" / "file-processing",
        None,
        "upload uploads incoming/a.csv --content 'orderId,amount'",
        "delete uploads incoming/a.csv",
    )
    bucket = _figures(files, "uploads")
    assert bucket[("PutRequests", "Sum")] == 1
    assert bucket[("DeleteRequests", "Sum")] == 1
    assert bucket[("BytesUploaded", "Sum")] == len("orderId,amount")


@settings(max_examples=25, deadline=None)
@given(
    events=st.lists(
        st.tuples(st.sampled_from(("orders", "billing")), st.sampled_from(("OrderCreated", "X"))),
        max_size=8,
    ),
    alerts=st.lists(st.sampled_from(("high", "low")), max_size=8),
    since=st.sampled_from((None, "1s", "1h")),
)
def test_rule_and_topic_figures_add_up(
    events: list[tuple[str, str]], alerts: list[str], since: str | None
) -> None:
    session = Session.open(COMBINED, start_ms=START)
    for source, detail_type in events:
        execute(session, f"publish eventBus {source} {detail_type} '{{}}'")
        execute(session, "advance 1s")
    for severity in alerts:
        execute(session, f"publish-sns alertsTopic 'x' --attr severity={severity}")
        execute(session, "advance 1s")
    window = "" if since is None else f" --since {since}"
    data = execute(session, "show metrics" + window).data["resources"]

    def sums(name: str) -> dict[str, float]:
        return {m["metric"]: m["value"] for m in data[name]["metrics"]}

    # Counted from the window's start: the last second holds the last publish only.
    counted_events, counted_alerts = events, alerts
    if since == "1s":
        counted_events = [] if alerts else events[-1:]
        counted_alerts = alerts[-1:]
    email = sums(EMAIL_RULE)
    wanted = sum(1 for s, d in counted_events if s == "orders" and d == "OrderCreated")
    assert email["MatchedEvents"] == email["Invocations"] == wanted
    assert sums(ANALYTICS_RULE)["MatchedEvents"] == sums("eventBus")["MatchedEvents"]
    topic = sums("alertsTopic")
    assert topic["NumberOfMessagesPublished"] == len(counted_alerts)
    assert topic["NumberOfNotificationsDelivered"] == counted_alerts.count("high")
    assert (
        topic["NumberOfNotificationsDelivered"] + topic["NumberOfNotificationsFilteredOut"]
        == topic["NumberOfMessagesPublished"]
    )


def test_the_whole_stack_names_idle_resources_instead_of_listing_their_zeros() -> None:
    session = Session.open(COMBINED, start_ms=START)
    execute(session, "publish eventBus billing InvoicePaid '{\"invoiceId\": 7}'")
    execute(session, "advance 1m")
    result = execute(session, "show metrics")
    shown = [row[0] for row in result.table[1] if row[0]]  # type: ignore[index]
    # The bus and both its rules are shown: the email rule matched nothing, which is news
    # on a bus that took an event.
    at = shown.index("eventBus")
    assert shown[at : at + 3] == ["eventBus", EMAIL_RULE, ANALYTICS_RULE]
    assert _figures(session, EMAIL_RULE)[("MatchedEvents", "Sum")] == 0
    assert "analyticsService" in shown
    # What did nothing is one line of names, and its figures stay one command away.
    idle = result.data["idle"]
    assert "jobQueue" in idle and "emailService" in idle and "eventBus" not in idle
    assert not set(idle) & set(shown)
    assert "no activity: " in result.text and "jobQueue" in result.text
    assert "`show metrics NAME`" in result.text
    one = execute(session, "show metrics jobQueue")
    assert [row[2] for row in one.table[1]][:1] == ["Sum"]  # type: ignore[index]
    assert one.data["idle"] == []
    # A maximum of 0 was "reached" at the window's start: the table leaves its instant out.
    rows = {(row[1], row[2]): row for row in one.table[1]}  # type: ignore[index]
    delayed = rows[("ApproximateNumberOfMessagesDelayed", "Maximum")]
    assert delayed[3] == "0" and delayed[5] == ""


def test_a_stack_with_nothing_done_has_no_table() -> None:
    session = Session.open(COMBINED, start_ms=START)
    result = execute(session, "show metrics")
    assert result.table is None
    assert "no activity: jobQueue" in result.text


def test_a_metric_path_cut_short_gets_an_example_of_this_stack() -> None:
    # The example named `jobQueue` on every stack, one without a jobQueue too.
    batch = Session.open(ROOT / "stptui/sample_stacks/batch-job", start_ms=START)
    with pytest.raises(CommandError) as info:
        execute(batch, "expect metric.heavyJob == 1")
    assert info.value.hint == "e.g. expect metric.heavyJob.ExecutionsStarted.Sum >= 0"
    with pytest.raises(CommandError) as info:
        execute(batch, "expect metric.nothing == 1")
    assert info.value.hint == "e.g. expect metric.heavyJob.ExecutionsStarted.Sum >= 0"
