"""`show metrics RESOURCE --period D`: one resource's figures period by period, which add
up to (Sums) and peak at (Maximum gauges) the window's own figures."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute, render_plain
from stptui.repl.validator import check
from stptui.sim.metrics import compute, window
from stptui.sim.metrics.figures import Figure, Periods, ResourceMetrics
from stptui.sim.metrics.functions import function_series
from stptui.sim.metrics.periods import series
from stptui.sim.metrics.queues import queue_series
from stptui.sim.trace import Trace
from tests.test_metrics import _ACTIONS, COMBINED, JOB_QUEUE, QUEUES, ROOT, START, _line, _stack

_PERIODS = st.sampled_from((1, 999, 7_000, 20_000, 60_000, 3_600_000))
_SINCE = st.sampled_from((None, 5_000, 90_000))
EXAMPLES = ROOT / "docs" / "examples"


def _run_actions(tmp: Path, actions: list[tuple[object, ...]], ring: int | None) -> Session:
    session = Session.open(_stack(tmp), start_ms=START)
    if ring is not None:
        session.sim.trace = Trace(ring_size=ring)
    for i, action in enumerate(actions):
        with contextlib.suppress(CommandError):  # a purge too soon, a redrive of nothing
            execute(session, _line(action, i))
    return session


def _agree(whole: ResourceMetrics, parts: list[ResourceMetrics]) -> None:
    """Each Sum of `whole` is its periods' total; each Maximum the greatest of theirs."""
    for f in whole.figures:
        got = [p.figure(f.metric, f.statistic) for p in parts]
        values = [g.value for g in got if isinstance(g, Figure) and g.value is not None]
        if f.statistic == "Sum":
            assert sum(values) == f.value, (whole.resource, f.metric)
        elif f.statistic == "Maximum" and f.metric not in ("SendToDeleteTime", "Duration"):
            # A gauge (a depth, an age, a concurrency): the window's peak is one period's.
            assert (max(values) if values else None) == f.value, (whole.resource, f.metric)


def _check_periods(session: Session, length: int, since: int | None) -> None:
    sim = session.sim
    sim.trace.settle()
    whole = compute(sim, since)
    raws, start, dropped, _ = window(sim, since)
    periods = Periods.of(start, sim.clock.now, length)
    if periods.count > 2_000:
        return  # a 1 ms period over a long run: the command refuses it
    queues = queue_series(sim, raws, periods, sim.clock.now, seeded=dropped > 0)
    for q in QUEUES:
        assert len(queues[q]) == periods.count
        _agree(whole.resources[q], queues[q])
        # The last period ends now: its queue's depth then is the queue's own.
        assert queues[q][-1].now == whole.resources[q].now
    functions = function_series(sim, raws, periods)
    for fn in ("worker", "orderWorker"):
        _agree(whole.resources[fn], functions[fn])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=st.lists(_ACTIONS, min_size=1, max_size=30), length=_PERIODS, since=_SINCE)
def test_periods_add_up_to_the_window(
    tmp_path: Path, actions: list[tuple[object, ...]], length: int, since: int | None
) -> None:
    _check_periods(_run_actions(tmp_path, actions, None), length, since)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    actions=st.lists(_ACTIONS, min_size=1, max_size=30),
    ring=st.integers(1, 40),
    length=_PERIODS,
)
def test_periods_add_up_when_the_ring_dropped_records(
    tmp_path: Path, actions: list[tuple[object, ...]], ring: int, length: int
) -> None:
    # The messages in a queue before the oldest record kept are seeded the same way.
    _check_periods(_run_actions(tmp_path, actions, ring), length, None)


def _filled() -> Session:
    session = Session.open(JOB_QUEUE, start_ms=START)
    execute(session, "repeat 300 --every 100ms send jobQueue '{\"orderId\": {i}}'")
    execute(session, "advance 5m")
    return session


def test_a_queue_fills_and_drains_period_by_period() -> None:
    session = _filled()
    result = execute(session, "show metrics jobQueue --period 30s")
    headers, rows = result.table  # type: ignore[misc]
    assert headers[:3] == ["period", "Sent", "Received"]
    assert "AgeOfOldestMessage max (ms)" in headers
    # Periods aligned to the window's start: 08:00:00, 08:00:30 ... 08:04:30.
    assert [r[0] for r in rows][:2] == ["2026-01-05T08:00:00.000Z", "2026-01-05T08:00:30.000Z"]
    assert len(rows) == 10
    visible = headers.index("Visible max")
    depth = [int(r[visible]) for r in rows]
    # The 300 sends fill the queue in the first 30 s; it is empty by the fourth period.
    assert depth[0] > 100 and depth[-1] == 0
    data = result.data
    sent = [p["values"][0] for p in data["periods"]]
    assert sum(sent) == 300 and sent[0] == 300
    assert data["period_ms"] == 30_000 and data["kind"] == "queue"


def test_a_function_and_an_http_api_have_their_own_columns() -> None:
    session = Session.open(JOB_QUEUE, start_ms=START)
    execute(session, "repeat 5 http POST /jobs '{}'")
    execute(session, "fail api next 2")
    execute(session, "repeat 3 http POST /jobs '{}'")
    execute(session, "advance 2m")
    api = execute(session, "show metrics httpApi --period 1m")
    assert api.table[0] == ["period", "Count", "4xx", "5xx", "Latency p95 (ms)"]  # type: ignore[index]
    assert api.table[1][0][1:4] == ["8", "0", "2"]  # type: ignore[index]
    fn = execute(session, "show metrics api --period 1m")
    assert fn.table[0][1:] == [  # type: ignore[index]
        "Invocations",
        "Errors",
        "Throttles",
        "Duration p95 (ms)",
        "ConcurrentExecutions max",
    ]
    assert fn.table[1][0][1:3] == ["8", "2"]  # type: ignore[index]


def test_other_kinds_show_their_sums_period_by_period() -> None:
    session = Session.open(COMBINED, start_ms=START)
    execute(session, "publish eventBus orders OrderCreated '{}'")
    execute(session, "advance 1m")
    execute(session, "publish eventBus billing InvoicePaid '{}'")
    execute(session, "publish eventBus billing InvoicePaid '{}'")
    execute(session, "advance 30s")
    result = execute(session, "show metrics eventBus --period 1m")
    assert result.table[0] == ["period", "PutEventsApproximateCallCount", "MatchedEvents"]  # type: ignore[index]
    assert [r[1] for r in result.table[1]] == ["1", "2"]  # type: ignore[index]


def test_since_and_period_together_cut_the_last_window() -> None:
    session = _filled()
    result = execute(session, "show metrics jobQueue --since 2m --period 1m")
    assert [p["start"] for p in result.data["periods"]] == [
        "2026-01-05T08:03:00.000Z",
        "2026-01-05T08:04:00.000Z",
    ]
    text = render_plain(result)
    assert "jobQueue (queue) in 2 periods of 1 min from 2026-01-05T08:03:00.000Z" in text


def test_a_period_longer_than_the_window_is_one_row() -> None:
    session = _filled()
    result = execute(session, "show metrics jobQueue --period 1h")
    assert len(result.table[1]) == 1  # type: ignore[index]
    whole = compute(session.sim).resources["jobQueue"]
    sent = whole.figure("NumberOfMessagesSent", "Sum")
    assert sent is not None and result.data["periods"][0]["values"][0] == sent.value


def test_the_series_has_one_row_per_period_of_a_partial_last_one() -> None:
    session = _filled()  # 5 min: 7 periods of 45 s, the last 30 s long
    sim = session.sim
    raws, start, _, _ = window(sim, None)
    got = series(sim, "worker", "function", Periods.of(start, sim.clock.now, 45_000), raws)
    assert len(got.rows) == 7


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("show metrics --period 1m", "--period shows one resource's figures", "--period 1m"),
        ("show metrics jobQueue --period 1ms", "into 300,000 periods", "--period 500ms"),
        ("show metrics jobQueue --period 5x", "--period: unknown unit", "250ms"),
        ("show metrics jobQueue --period 0s", "--period must be at least 1 ms", "--period 1m"),
        ("show queues --period 1m", "show queues takes no --period", "show metrics RESOURCE"),
        ("show metrics jobQeue --period 1m", "is named 'jobQeue'", "jobQueue"),
    ],
)
def test_bad_periods_are_refused_with_a_hint_and_change_nothing(
    line: str, message: str, hint: str
) -> None:
    session = Session.open(JOB_QUEUE, start_ms=START)
    execute(session, "advance 5m")
    before = (session.sim.trace.seq, session.sim.clock.now)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert message in info.value.message
    assert hint in (info.value.hint or "")
    assert (session.sim.trace.seq, session.sim.clock.now) == before
    problem = check(session, line)
    assert problem is not None and message in problem.message


def test_too_many_periods_names_one_that_fits() -> None:
    session = Session.open(JOB_QUEUE, start_ms=START)
    execute(session, "advance 7d")
    with pytest.raises(CommandError) as info:
        execute(session, "show metrics worker --period 1m")
    hint = info.value.hint or ""
    assert "--period 15m" in hint
    # The period it names is accepted.
    assert execute(session, "show metrics worker --period 15m").table is not None


def test_the_output_without_period_is_unchanged() -> None:
    session = _filled()
    result = execute(session, "show metrics jobQueue")
    assert result.table[0] == ["resource", "metric", "statistic", "value", "unit", "at"]  # type: ignore[index]
    assert "periods" not in result.data


def _sums_add_up(session: Session, name: str, period: str) -> None:
    """Each Sum column of `name`'s series totals the window's figure."""
    result = execute(session, f"show metrics {name} --period {period}")
    whole = compute(session.sim).resources[name]
    for i, column in enumerate(result.data["columns"]):
        if column["statistic"] == "Sum":
            total = sum(p["values"][i] for p in result.data["periods"])
            figure = whole.figure(column["metric"], "Sum")
            assert figure is not None and total == figure.value, (name, column["metric"])


def test_requests_answered_in_a_later_period_keep_their_route_and_class() -> None:
    # 20 ms periods against 100 ms answers: most requests are answered in a later period
    # than the one they arrived in, which must not lose what arrival decided.
    session = Session.open(JOB_QUEUE, start_ms=START)
    execute(session, "fail api next 3")
    execute(session, "repeat 12 --every 30ms http POST /jobs '{}'")
    execute(session, "advance 1s")
    _sums_add_up(session, "httpApi", "20ms")
    lb = Session.open(
        EXAMPLES / "load-balancer.yml",
        behaviors_path=EXAMPLES / "load-balancer-behaviors.yml",
        start_ms=START,
    )
    for line in (EXAMPLES / "load-balancer.stp").read_text().splitlines():
        execute(lb, line)
    execute(lb, "advance 1s")
    _sums_add_up(lb, "mainLb", "7ms")
    result = execute(lb, "show metrics mainLb --period 7ms")
    assert "TargetResponseTime p95 (ms)" in result.table[0]  # type: ignore[index]


def test_a_job_submitted_in_one_period_is_timed_in_the_one_it_ends_in() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "batch-job", start_ms=START)
    execute(session, "start-job heavyJob '{\"n\": 1}'")
    execute(session, "advance 3h")
    _sums_add_up(session, "heavyJob", "1m")
    result = execute(session, "show metrics heavyJob --period 1m")
    assert result.table[0][-1] == "ExecutionTime p95 (ms)"  # type: ignore[index]
    whole = compute(session.sim).resources["heavyJob"].figure("ExecutionTime", "p95")
    times = [p["values"][-1] for p in result.data["periods"] if p["values"][-1] is not None]
    # Submitted in the first minute, ended in a later one: its time is that period's.
    assert whole is not None and times == [whole.value]
    assert result.data["periods"][0]["values"][-1] is None
