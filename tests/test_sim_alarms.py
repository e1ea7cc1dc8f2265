"""CloudWatch alarms (Stacktape `alarms`): the evaluation rule, each trigger end to end on
docs/examples/alarms.yml, the state change event, the `cloudwatch-alarm` event, SetAlarmState,
the commands, determinism, and that an idle alarm costs (almost) nothing."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.config.alarms import resolve_alarms
from stptui.sim import trace as tk
from stptui.sim.alarms import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    Point,
    Rule,
    evaluate,
    reason,
    statistic_of,
)
from stptui.sim.clock import parse_instant
from stptui.sim.engine import Simulator

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
START = parse_instant("2026-01-05T08:00:00Z")
MINUTE = 60_000


def points(text: str) -> list[Point]:
    """`0 - X - X` as in the CloudWatch guide: 0 within the threshold, X breaching, - missing
    (threshold 1, GreaterThanThreshold)."""
    value = {"0": 0.0, "X": 5.0, "-": None}
    return [Point(i * MINUTE, value[c]) for i, c in enumerate(text.split())]


def verdict(text: str, m: int, treat: str, current: str = OK) -> str:
    rule = Rule(1.0, "GreaterThanThreshold", 3, m, treat)
    return evaluate(points(text), rule, current).state


RETAIN = "retain"

# "How alarm state is evaluated when data is missing", both tables (3 of 3, then 2 of 3):
# columns MISSING, IGNORE, BREACHING, NOT BREACHING. The first table's last row
# (`X - - - -`, ALARM even when missing data is missing) is the one row stptui does not
# reproduce (docs/fidelity.md): it gives INSUFFICIENT_DATA.
GUIDE_ROWS = [
    ("0 - X - X", 3, (OK, OK, OK, OK)),
    ("0 - - - -", 3, (OK, OK, OK, OK)),
    ("- - - - -", 3, (INSUFFICIENT_DATA, RETAIN, ALARM, OK)),
    ("0 X X - X", 3, (ALARM, ALARM, ALARM, ALARM)),
    ("- - - - X", 3, (INSUFFICIENT_DATA, RETAIN, ALARM, OK)),
    ("0 - X - X", 2, (ALARM, ALARM, ALARM, ALARM)),
    ("0 0 X 0 X", 2, (ALARM, ALARM, ALARM, ALARM)),
    ("0 - X - -", 2, (OK, OK, ALARM, OK)),
    ("- - - - 0", 2, (OK, OK, ALARM, OK)),
    ("- - - - X", 2, (INSUFFICIENT_DATA, RETAIN, ALARM, OK)),
]


@pytest.mark.parametrize(("row", "m", "expected"), GUIDE_ROWS)
def test_the_guides_missing_data_tables(row: str, m: int, expected: tuple[str, ...]) -> None:
    for treat, want in zip(
        ("missing", "ignore", "breaching", "notBreaching"), expected, strict=True
    ):
        for current in (OK, ALARM, INSUFFICIENT_DATA):
            got = verdict(row, m, treat, current)
            assert got == (current if want == RETAIN else want), (row, m, treat, current)


def test_the_one_row_not_reproduced_is_insufficient_data() -> None:
    assert verdict("X - - - -", 3, "missing") == INSUFFICIENT_DATA


def test_m_out_of_n_counts_breaching_points_not_consecutive_ones() -> None:
    rule = Rule(1.0, "GreaterThanThreshold", 5, 3)
    assert evaluate(points("X 0 X 0 X"), rule, OK).state == ALARM
    assert evaluate(points("X 0 X 0 0"), rule, OK).state == OK
    # Only the most recent N real datapoints count.
    assert evaluate(points("X X 0 0 0 0 0"), rule, ALARM).state == OK


@pytest.mark.parametrize(
    ("comparison", "value", "breaches"),
    [
        ("GreaterThanThreshold", 1.0, False),
        ("GreaterThanOrEqualToThreshold", 1.0, True),
        ("LessThanThreshold", 0.5, True),
        ("LessThanOrEqualToThreshold", 1.5, False),
    ],
)
def test_each_comparison(comparison: str, value: float, breaches: bool) -> None:
    assert Rule(1.0, comparison, 1, 1).breaches(value) is breaches


values = st.one_of(st.none(), st.floats(min_value=0, max_value=10, allow_nan=False))


@given(
    st.lists(values, min_size=1, max_size=12),
    st.integers(min_value=1, max_value=5),
    st.data(),
)
def test_enough_real_datapoints_make_the_missing_data_setting_irrelevant(
    raw: list[float | None], n: int, data: st.DataObject
) -> None:
    m = data.draw(st.integers(min_value=1, max_value=n))
    pts = [Point(i * MINUTE, v) for i, v in enumerate(raw)]
    window = pts[-(n + 2) :]
    verdicts = {
        evaluate(pts, Rule(5.0, "GreaterThanThreshold", n, m, t), INSUFFICIENT_DATA).state
        for t in ("missing", "notBreaching", "breaching", "ignore")
    }
    real = [p for p in window if p.value is not None]
    if len(real) >= n:
        hits = sum(p.value > 5.0 for p in real[-n:])
        assert verdicts == {ALARM if hits >= m else OK}
    else:
        # Breaching missing data can only make ALARM likelier than notBreaching.
        rule = Rule(5.0, "GreaterThanThreshold", n, m, "notBreaching")
        if evaluate(pts, rule, OK).state == ALARM:
            rule = Rule(5.0, "GreaterThanThreshold", n, m, "breaching")
            assert evaluate(pts, rule, OK).state == ALARM


def test_reason_words_as_cloudwatch_writes_them() -> None:
    rule = Rule(50.0, "GreaterThanThreshold", 1, 1)
    pts = [Point(parse_instant("2019-10-02T16:59:00Z"), 99.50160229693434)]
    v = evaluate(pts, rule, OK)
    assert reason(v, rule, OK) == (
        "Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 "
        "16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> "
        "ALARM transition)."
    )
    none = evaluate([Point(0, None)], Rule(10.0, "GreaterThanThreshold", 1, 1, "notBreaching"), OK)
    assert reason(none, Rule(10.0, "GreaterThanThreshold", 1, 1, "notBreaching"), ALARM) == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint "
        "was treated as [NonBreaching]."
    )


def test_statistics_of_a_periods_samples() -> None:
    assert statistic_of([], "Average") is None
    assert statistic_of([100, 200, 600], "Average") == 300
    assert statistic_of([100, 200, 600], "Maximum") == 600
    assert statistic_of(list(range(1, 101)), "p90") == 90
    assert statistic_of([7], "p99") == 7


# -- the stack of docs/examples/alarms.yml ----------------------------------------------------


def session(tmp_path: Path, **kw: Any) -> Session:
    return Session.open(
        EXAMPLES / "alarms.yml",
        behaviors_path=EXAMPLES / "alarms-behaviors.yml",
        start_ms=START,
        **kw,
    )


def run(s: Session, *lines: str) -> None:
    for line in lines:
        execute(s, line)


def changes(sim: Simulator, resource: str | None = None) -> list[tuple[str, str, str]]:
    return [
        (r.get("previous"), r.get("state"), r.get("origin"))
        for r in sim.trace.records
        if r.kind == tk.ALARM_STATE_CHANGED and resource in (None, r.resource)
    ]


def test_alarms_resolve_with_stacktapes_names_and_defaults() -> None:
    stack = load_stack_text((EXAMPLES / "alarms.yml").read_text(), "stacktape.yml")
    specs = {s.reference: s for s in resolve_alarms(stack)}
    worker = specs["worker.alarms.0"]
    assert worker.aws_name == "shop-dev-LambdaErrorRateForWorker0"
    assert (worker.threshold, worker.comparison, worker.statistic) == (
        10.0,
        "GreaterThanThreshold",
        None,
    )
    assert (worker.period_s, worker.evaluation_periods, worker.datapoints_to_alarm) == (60, 2, 1)
    assert worker.treat_missing == "notBreaching"
    assert [(t.channel, t.recipient) for t in worker.targets] == [("email", "oncall@example.com")]
    dlq = specs["jobsDlq.alarms.0"]
    assert (dlq.aws_name, dlq.threshold, dlq.treat_missing) == (
        "shop-dev-SqsQueueNotEmptyForJobsDlq0",
        0.0,
        "missing",
    )
    assert dlq.description == (
        "Monitors sqs-queue-not-empty of jobsDlq in stack shop-dev. "
        "Triggered when GreaterThanThreshold (0)."
    )
    # Without `evaluation`, 1 period of 60 s and DatapointsToAlarm = EvaluationPeriods.
    api = specs["api.alarms.0"]
    assert (api.period_s, api.evaluation_periods, api.datapoints_to_alarm) == (60, 1, 1)


def test_every_alarm_starts_in_insufficient_data_and_settles(tmp_path: Path) -> None:
    s = session(tmp_path)
    alarms = s.sim.services["alarms"].alarms.values()
    assert {a.state for a in alarms} == {INSUFFICIENT_DATA}
    run(s, "advance 1m")
    # Error-rate alarms treat missing data as notBreaching: OK after their first period; an
    # empty queue's metrics are published (zeros), so its alarm is OK too.
    assert {a.spec.reference: a.state for a in alarms} == {
        "jobsDlq.alarms.0": OK,
        "worker.alarms.0": OK,
        "api.alarms.0": OK,
    }


def test_a_failing_function_trips_its_error_rate_alarm(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "send jobs 'bad order'", "advance 1m")
    assert changes(s.sim, "worker") == [("INSUFFICIENT_DATA", ALARM, "evaluation")]
    # 1 of 2 breaching periods, missing data notBreaching: OK once both periods are quiet.
    run(s, "advance 4m")
    assert changes(s.sim, "worker")[-1] == (ALARM, OK, "evaluation")
    notified = [r.data for r in s.sim.trace.records if r.kind == tk.ALARM_NOTIFIED]
    assert [
        (d["state"], d["channel"], d["recipient"])
        for d in notified
        if d["alarm"].endswith("Worker0")
    ] == [(ALARM, "email", "oncall@example.com"), (OK, "email", "oncall@example.com")]


def test_a_dead_letter_queue_alarm_fires_and_returns_to_ok_when_purged(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "send jobs 'bad order'", "advance 3m")
    assert changes(s.sim, "jobsDlq") == [
        ("INSUFFICIENT_DATA", OK, "evaluation"),
        (OK, ALARM, "evaluation"),
    ]
    run(s, "purge jobsDlq", "advance 2m")
    assert changes(s.sim, "jobsDlq")[-1] == (ALARM, OK, "evaluation")
    # Six hours after its last action an empty queue's metrics stop: the alarm, which treats
    # missing data as missing, goes to INSUFFICIENT_DATA.
    run(s, "advance 7h")
    assert changes(s.sim, "jobsDlq")[-1] == (OK, INSUFFICIENT_DATA, "evaluation")


def test_an_http_5xx_rate_trips_the_gateway_alarm(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "advance 1m", "http GET /orders?id=1", "http GET /orders?id=0", "advance 1m")
    alarm = s.sim.services["alarms"].alarm("api.alarms.0")
    assert alarm.state == ALARM  # 1 of 2 requests failed: 50 % > 20 %
    assert "[50.0 (05/01/26 08:01:00)]" in alarm.reason
    run(s, "http GET /orders?id=1", "http GET /orders?id=1", "advance 1m")
    assert alarm.state == OK


def test_the_state_change_event_has_cloudwatchs_shape(tmp_path: Path) -> None:
    s = session(tmp_path)
    seen: list[Any] = []
    s.sim.services["buses"].buses["default"].rules[0].delivery = lambda payload, *rest: (
        seen.append(payload) or "x"
    )
    run(s, "send jobs 'bad order'", "advance 3m")
    (event,) = seen
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert (event["source"], event["detail-type"], event["time"]) == (
        "aws.cloudwatch",
        "CloudWatch Alarm State Change",
        "2026-01-05T08:02:00Z",
    )
    assert event["resources"] == [
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-dev-SqsQueueNotEmptyForJobsDlq0"
    ]
    detail = event["detail"]
    assert list(detail) == ["alarmName", "configuration", "previousState", "state"]
    assert detail["alarmName"] == "shop-dev-SqsQueueNotEmptyForJobsDlq0"
    state = detail["state"]
    assert list(state) == ["reason", "reasonData", "timestamp", "value"]
    assert state["value"] == ALARM and state["timestamp"] == "2026-01-05T08:02:00.000+0000"
    data = json.loads(state["reasonData"])
    assert data == {
        "version": "1.0",
        "queryDate": "2026-01-05T08:02:00.000+0000",
        "startDate": "2026-01-05T08:01:00.000+0000",
        "period": 60,
        "recentDatapoints": [1.0],
        "threshold": 0.0,
    }
    assert detail["previousState"]["value"] == OK
    metrics = detail["configuration"]["metrics"]
    assert [m["id"] for m in metrics] == [
        "received",
        "visible",
        "not_visible",
        "sent",
        "sqs_queue_not_empty",
    ]
    assert metrics[1]["metricStat"] == {
        "metric": {
            "dimensions": {"QueueName": "shop-dev-jobsDlq"},
            "name": "ApproximateNumberOfMessagesVisible",
            "namespace": "AWS/SQS",
        },
        "period": 60,
        "stat": "Sum",
    }
    assert metrics[-1]["expression"] == "received + visible + not_visible + sent"


def test_a_cloudwatch_alarm_event_invokes_its_function_with_the_event(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "send jobs 'bad order'", "advance 3m")
    started = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED]
    pager = [r for r in started if r.resource == "pager"]
    assert len(pager) == 1  # ALARM only: the OK changes before it match nothing
    changed = [r for r in s.sim.trace.records if r.kind == tk.ALARM_STATE_CHANGED]
    dlq_alarm = next(r for r in changed if r.get("state") == ALARM and r.resource == "jobsDlq")
    assert pager[0].get("source") == dlq_alarm.get("event_id")
    # explain of the event shows the datapoints that decided it.
    text = execute(s, f"explain {dlq_alarm.get('event_id')}").text
    assert "2026-01-05T08:01:00.000Z  1.0  breaching" in text
    assert "pager" in text


def test_an_alarm_name_that_names_no_alarm_is_listed(tmp_path: Path) -> None:
    text = (EXAMPLES / "alarms.yml").read_text().replace("jobsDlq.alarms.0", "jobsDlq.alarms.7")
    (tmp_path / "stacktape.yml").write_text(text)
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    assert "names no alarm of the stack: jobsDlq.alarms.7" in execute(s, "show alarms").text


def test_set_alarm_state_holds_until_the_next_evaluation(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "advance 90s")
    result = execute(s, "set-alarm-state jobsDlq.alarms.0 ALARM --reason 'testing the pager'")
    assert "OK -> ALARM" in result.text
    assert "holds until the next evaluation at 2026-01-05T08:02:00.000Z" in result.text
    assert changes(s.sim, "jobsDlq")[-1] == (OK, ALARM, "set-alarm-state")
    # The pager is invoked as for a real ALARM; the next evaluation puts it back to OK.
    run(s, "advance 30s")
    assert changes(s.sim, "jobsDlq")[-1] == (ALARM, OK, "evaluation")
    assert [r.resource for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED] == ["pager"]
    assert "already OK" in execute(s, "set-alarm-state jobsDlq.alarms.0 OK").text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("set-alarm-state nope OK", "no alarm named 'nope'"),
        ("set-alarm-state worker.alarms.0 MAYBE", "'MAYBE' is not an alarm state"),
        ("set-alarm-state worker.alarms.0 OK --reason ''", "StateReason must be 1 to 1023"),
    ],
)
def test_set_alarm_state_refuses_bad_input_and_changes_nothing(
    tmp_path: Path, line: str, message: str
) -> None:
    s = session(tmp_path)
    before = s.sim.trace.seq
    with pytest.raises(CommandError, match=message):
        execute(s, line)
    assert s.sim.trace.seq == before


def test_a_stack_without_alarms(tmp_path: Path) -> None:
    s = Session.open(EXAMPLES / "job-queue-guide.yml", start_ms=START)
    assert execute(s, "show alarms").text == "this stack has no alarms"
    with pytest.raises(CommandError, match="this stack has no alarms"):
        execute(s, "set-alarm-state x.alarms.0 OK")


def test_show_alarms_lists_state_reason_and_last_periods(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "send jobs 'bad order'", "advance 150s")
    result = execute(s, "show alarms")
    assert result.table is not None
    rows = {row[0]: row for row in result.table[1]}
    assert rows["worker.alarms.0"][2:5] == ["ALARM", "2026-01-05T08:01:00.000Z", "- - 100.0 -"]
    assert rows["jobsDlq.alarms.0"][2:5] == ["ALARM", "2026-01-05T08:02:00.000Z", "- 0.0 1.0"]


def test_database_alarms_are_listed_as_not_simulated(tmp_path: Path) -> None:
    text = (EXAMPLES / "alarms.yml").read_text() + (
        "  db:\n"
        "    type: relational-database\n"
        "    properties:\n"
        "      credentials: {masterUserPassword: secret123}\n"
        "      engine: {type: postgres, properties: {primaryInstance: {instanceSize: db.t3.micro}}}\n"
        "      alarms:\n"
        "        - trigger: {type: database-cpu-utilization, properties: {thresholdPercent: 80}}\n"
    )
    (tmp_path / "stacktape.yml").write_text(text)
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    rows = {row[0]: row for row in execute(s, "show alarms").table[1]}
    assert rows["db.alarms.0"][2] == "not simulated"
    assert rows["db.alarms.0"][5] == "relational-database metrics are not simulated"
    with pytest.raises(CommandError, match="is not simulated"):
        execute(s, "set-alarm-state db.alarms.0 ALARM")


def trace_lines(tmp_path: Path) -> list[str]:
    s = session(tmp_path, seed=7)
    run(
        s,
        "send jobs 'bad order'",
        "http GET /orders?id=0",
        "advance 5m",
        "set-alarm-state worker.alarms.0 ALARM",
        "advance 2h",
    )
    return [r.to_line() for r in s.sim.trace.records]


def test_same_commands_same_trace(tmp_path: Path) -> None:
    first = trace_lines(tmp_path)
    assert any('"kind":"alarm.state_changed"' in line for line in first)
    assert trace_lines(tmp_path) == first


def test_a_year_with_idle_alarms_runs_few_events(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "send jobs 'bad order'", "advance 10m")
    clock = s.sim.clock
    before = clock.events_run
    run(s, "advance 365d")
    # The DLQ's message expires after 4 days (a change, then its metrics stop 6 h later):
    # a handful of evaluations, not one a minute (525,600).
    assert clock.events_run - before < 20
    assert s.sim.services["alarms"].alarm("jobsDlq.alarms.0").state == INSUFFICIENT_DATA


def test_a_busy_period_after_a_quiet_year_is_evaluated(tmp_path: Path) -> None:
    s = session(tmp_path)
    run(s, "advance 365d", "send jobs 'bad order'", "advance 1m")
    assert s.sim.services["alarms"].alarm("worker.alarms.0").state == ALARM


OTHER_TRIGGERS = """
serviceName: shop
resources:
  inbox:
    type: sqs-queue
    properties:
      alarms:
        - trigger:
            type: sqs-queue-received-messages-count
            properties: {thresholdCount: 5, comparisonOperator: LessThanThreshold}
  slow:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.ts}}
      alarms:
        - trigger:
            type: lambda-duration
            properties: {thresholdMilliseconds: 1000, statistic: max}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /slow, method: GET}
  api:
    type: http-api-gateway
    properties:
      alarms:
        - trigger:
            type: http-api-gateway-latency
            properties: {thresholdMilliseconds: 500}
"""


def other_session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(OTHER_TRIGGERS)
    (tmp_path / "stptui.yml").write_text("behaviors:\n  slow:\n    duration: 2s\n")
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_duration_and_latency_alarms_use_their_statistic(tmp_path: Path) -> None:
    s = other_session(tmp_path)
    service = s.sim.services["alarms"]
    duration = service.alarm("slow.alarms.0")
    latency = service.alarm("api.alarms.0")
    assert (duration.spec.statistic, latency.spec.statistic) == ("Maximum", "Average")
    run(s, "http GET /slow", "advance 1m")
    assert (duration.state, latency.state) == (ALARM, ALARM)
    assert json.loads(duration.reason_data or "{}")["statistic"] == "Maximum"
    # No invocations, no requests since: the one real datapoint still decides while it is
    # in the evaluation range (N + 2 = 3 periods), as the guide warns; then missing data,
    # notBreaching, makes them OK.
    run(s, "advance 2m")
    assert (duration.state, latency.state) == (ALARM, ALARM)
    run(s, "advance 1m")
    assert (duration.state, latency.state) == (OK, OK)
    assert duration.changed_ms == START + 4 * MINUTE


def test_a_received_count_alarm_treats_a_silent_queue_as_breaching(tmp_path: Path) -> None:
    s = other_session(tmp_path)
    inbox = s.sim.services["alarms"].alarm("inbox.alarms.0")
    assert inbox.spec.treat_missing == "breaching"
    # Active (just created), nothing received: 0 < 5 breaches.
    run(s, "advance 1m")
    assert inbox.state == ALARM
    # Six hours without an action: no metrics, and missing data is breaching too.
    run(s, "advance 7h")
    assert changes(s.sim, "inbox") == [("INSUFFICIENT_DATA", ALARM, "evaluation")]


def test_a_stack_without_alarms_has_no_tap(tmp_path: Path) -> None:
    s = Session.open(EXAMPLES / "job-queue-guide.yml", start_ms=START)
    assert "alarms" not in s.sim.services
    assert s.sim.trace.emit == s.sim.trace._pending.append


# -- found by a first-time user's audit -------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("set-alarm-state jobsDlq.alarms.0 alarm", "did you mean ALARM?"),
        ("set-alarm-state jobsDlq.alarms.0 ALRM", "did you mean ALARM?"),
        ("set-alarm-state jobsdlq.alarms.0 ALARM", "did you mean jobsDlq.alarms.0?"),
        ("set-alarm-state jobsDlq.alarm.0 OK", "did you mean jobsDlq.alarms.0?"),
    ],
)
def test_set_alarm_state_suggests_the_state_or_alarm_meant(
    tmp_path: Path, line: str, hint: str
) -> None:
    s = session(tmp_path)
    before = s.sim.trace.seq
    with pytest.raises(CommandError) as caught:
        execute(s, line)
    assert caught.value.hint is not None and caught.value.hint.startswith(hint)
    assert s.sim.trace.seq == before


def test_a_reason_where_only_filled_datapoints_decide_lists_the_real_ones() -> None:
    # 2 of 3 with notBreaching: one breaching datapoint and two filled ones make OK.
    rule = Rule(900.0, "GreaterThanThreshold", 3, 2, "notBreaching")
    pts = [Point(parse_instant("2026-01-05T08:00:00Z"), 964.0)]
    v = evaluate(pts, rule, INSUFFICIENT_DATA)
    assert v.state == OK
    assert reason(v, rule, INSUFFICIENT_DATA) == (
        "Threshold Crossed: 2 missing datapoints were treated as [NonBreaching] and 1 out of "
        "the last 3 datapoints [964.0 (05/01/26 08:00:00)] was greater than the threshold "
        "(900.0) (minimum 2 datapoints for INSUFFICIENT_DATA -> OK transition)."
    )
    # ... and with breaching, one datapoint within the threshold and two filled make ALARM.
    rule = Rule(900.0, "GreaterThanThreshold", 3, 2, "breaching")
    v = evaluate([Point(parse_instant("2026-01-05T08:00:00Z"), 5.0)], rule, OK)
    assert v.state == ALARM
    assert "[5.0 (05/01/26 08:00:00)] was not greater than" in reason(v, rule, OK)


BUSY = """\
serviceName: shop
resources:
  ticker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/t.ts
      events:
        - type: schedule
          properties:
            scheduleRate: rate(1 minute)
      alarms:
        - trigger:
            type: lambda-error-rate
            properties:
              thresholdPercent: 5
"""


def test_a_function_invoked_every_period_costs_one_evaluation_a_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from stptui.sim.services import alarm as alarm_service

    calls = 0
    real = alarm_service.evaluate

    def counting(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(alarm_service, "evaluate", counting)
    sim = Simulator(load_stack_text(BUSY), start_ms=START)
    sim.advance(1440 * MINUTE)
    # One evaluation at the end of each busy minute, not one plus a search of the quiet
    # periods ahead each time (which made `advance 365d` several times slower).
    assert 1440 <= calls <= 1450


# A function whose alarms watch its error rate and p95 duration; `timeout` leaves room for
# invocations that outlast a period. {n} is the alarms' evaluation periods.
LATE = """
serviceName: shop
resources:
  worker:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: w.ts}}}}
      timeout: 300
      alarms:
        - trigger:
            type: lambda-error-rate
            properties: {{thresholdPercent: 10}}
          evaluation: {{evaluationPeriods: {n}, breachedPeriods: 1}}
        - trigger:
            type: lambda-duration
            properties: {{thresholdMilliseconds: 30000, statistic: p95}}
          evaluation: {{evaluationPeriods: {n}, breachedPeriods: 1}}
"""


def late_session(tmp: Path, n: int = 1) -> Session:
    (tmp / "stacktape.yml").write_text(LATE.format(n=n))
    return Session.open(tmp / "stacktape.yml", start_ms=START)


def start_invocation(s: Session, duration_ms: int, fails: bool) -> None:
    """Invoke worker now (without waiting for it): it runs `duration_ms` and fails or not."""
    run(s, "succeed worker", f"slow worker {duration_ms}ms")
    if fails:
        run(s, "fail worker next 1")
    s.sim.invoke_sync("worker", {}, lambda outcome, inv_id: None)


def test_an_invocation_counts_in_the_period_it_started_in(tmp_path: Path) -> None:
    s = late_session(tmp_path)
    rate = s.sim.services["alarms"].alarm("worker.alarms.0")
    duration = s.sim.services["alarms"].alarm("worker.alarms.1")
    # Invoked at 08:00:30, it fails at 08:01:10: Lambda stamps it 08:00:30.
    run(s, "advance 30s")
    start_invocation(s, 40_000, fails=True)
    run(s, "advance 2m")
    assert [p.value for p in rate.recent(2)] == [100.0, None]
    assert [p.value for p in duration.recent(2)] == [40_000, None]
    shown = execute(s, "show metrics worker --period 1m").data["periods"]
    assert [(p["start"], p["values"][:2]) for p in shown[:2]] == [
        ("2026-01-05T08:00:00.000Z", [1, 1]),
        ("2026-01-05T08:01:00.000Z", [0, 0]),
    ]


def test_a_late_breaching_datapoint_trips_the_alarm_at_the_next_period_end(
    tmp_path: Path,
) -> None:
    s = late_session(tmp_path)
    rate = s.sim.services["alarms"].alarm("worker.alarms.0")
    run(s, "advance 30s")
    start_invocation(s, 40_000, fails=True)
    # At 08:01:00 the invocation still runs: period 08:00 has no datapoint yet, so the alarm
    # (missing data notBreaching) goes to OK.
    run(s, "advance 30s")
    assert changes(s.sim, "worker")[:2] == [
        (INSUFFICIENT_DATA, OK, "evaluation"),
        (INSUFFICIENT_DATA, OK, "evaluation"),
    ]
    # It ends at 08:01:10; its datapoint, for 08:00, is seen at the next evaluation (08:02).
    run(s, "advance 59999ms")
    assert rate.state == OK
    run(s, "advance 1ms")
    assert rate.state == ALARM
    assert rate.changed_ms == START + 2 * MINUTE
    assert rate.reason == (
        "Threshold Crossed: 1 out of the last 1 datapoints [100.0 (05/01/26 08:00:00)] was "
        "greater than the threshold (10.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    data = json.loads(rate.reason_data or "{}")
    assert data["recentDatapoints"] == [100.0]
    assert data["startDate"] == "2026-01-05T08:00:00.000+0000"


def test_data_too_late_for_the_evaluation_range_is_never_seen(tmp_path: Path) -> None:
    s = late_session(tmp_path)
    rate = s.sim.services["alarms"].alarm("worker.alarms.0")
    # Invoked at 08:00:00, it fails 4 min later: its period, 08:00, left the evaluation
    # range (N + 2 = 3 periods: 08:02 to 08:04) before its datapoint arrived.
    start_invocation(s, 4 * MINUTE, fails=True)
    run(s, "advance 10m")
    assert changes(s.sim, "worker") == [
        (INSUFFICIENT_DATA, OK, "evaluation"),
        (INSUFFICIENT_DATA, OK, "evaluation"),
    ]
    assert rate.state == OK
    # `show metrics` still counts it where Lambda stamps it.
    shown = execute(s, "show metrics worker --period 1m").data["periods"]
    assert shown[0]["values"][:2] == [1, 1]


_RUNS = st.lists(
    st.tuples(
        st.integers(0, MINUTE),  # wait before the invocation
        st.integers(1, 150_000),  # its duration: up to two and a half periods
        st.booleans(),  # whether it fails
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(runs=_RUNS)
def test_each_alarm_datapoint_is_what_show_metrics_gives_for_its_period(
    tmp_path: Path, runs: list[tuple[int, int, bool]]
) -> None:
    # 20 evaluation periods: the range (22 periods) holds the whole run, so the last
    # evaluation's datapoints are every period's, late data included.
    s = late_session(tmp_path, n=20)
    service = s.sim.services["alarms"]
    rate, duration = service.alarm("worker.alarms.0"), service.alarm("worker.alarms.1")
    for wait, length, fails in runs:
        run(s, f"advance {wait}ms")
        start_invocation(s, length, fails)
    run(s, "advance 4m")  # every invocation ended, and the evaluation that saw it ran
    assert rate.evaluated is not None and duration.evaluated is not None
    seen_rate = {p.start_ms: p.value for p in rate.window(rate.evaluated)}
    seen_duration = {p.start_ms: p.value for p in duration.window(duration.evaluated)}
    shown = execute(s, "show metrics worker --period 1m").data
    columns = [c["metric"] for c in shown["columns"]]
    assert columns[:2] == ["Invocations", "Errors"] and columns[3] == "Duration"
    assert shown["columns"][3]["statistic"] == "p95"
    checked = 0
    for period in shown["periods"]:
        start = parse_instant(period["start"])
        if start > rate.evaluated * MINUTE:
            continue  # the partial period now, not evaluated yet (and empty)
        invocations, errors, _, p95 = period["values"][:4]
        assert seen_rate[start] == (errors / invocations * 100 if invocations else None)
        assert seen_duration[start] == (p95 if invocations else None)
        checked += 1
    assert checked >= 1


_STEPS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "send jobs 'bad order'",
                "send jobs 'ok order'",
                "http GET /orders?id=0",
                "http GET /orders?id=1",
                "purge jobsDlq",
                "slow worker 90s",
                "set-alarm-state worker.alarms.0 ALARM",
                "set-alarm-state jobsDlq.alarms.0 OK",
            ]
        ),
        st.integers(1, 400).map(lambda n: f"advance {n}s"),
        st.integers(1, 400).map(lambda n: f"advance {n}m"),
    ),
    min_size=1,
    max_size=10,
)


def _changes_of(lines: list[str], *, every_period: bool) -> list[tuple[Any, ...]]:
    """The state changes of a run of `lines` (then 8 h), by instant and alarm; with
    `every_period`, each alarm is evaluated at the end of every period, as CloudWatch does."""
    from stptui.sim.services.alarm import AlarmSim

    lazy_plan = AlarmSim.plan
    if every_period:
        AlarmSim.plan = lambda self, k: self.schedule(k + 1)  # type: ignore[method-assign]
    try:
        s = Session.open(
            EXAMPLES / "alarms.yml",
            behaviors_path=EXAMPLES / "alarms-behaviors.yml",
            start_ms=START,
        )
        for line in [*lines, "advance 8h"]:
            # A second purge within 60 s is refused, the same way in both runs.
            with contextlib.suppress(CommandError):
                execute(s, line)
    finally:
        AlarmSim.plan = lazy_plan  # type: ignore[method-assign]
    return sorted(
        (r.t, r.get("alarm"), r.get("previous"), r.get("state"), r.get("reason"))
        for r in s.sim.trace.records
        if r.kind == tk.ALARM_STATE_CHANGED
    )


@settings(max_examples=15, deadline=None)
@given(lines=_STEPS)
def test_evaluating_only_where_it_matters_changes_what_evaluating_every_period_changes(
    lines: list[str],
) -> None:
    # The alarms skip the periods where no evaluation could change their state (design.md,
    # fidelity.md): every transition, its instant and its reason are those of an alarm
    # evaluated at every period's end, late data (a 90 s invocation) and SetAlarmState too.
    assert _changes_of(lines, every_period=False) == _changes_of(lines, every_period=True)
