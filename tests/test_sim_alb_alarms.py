"""Application load balancer alarms end to end on docs/examples/alb-alarms.yml: Stacktape's
error rate (the targets' 4xx and 5xx over the requests), a custom alarm on ELB's own 5xx, the
unhealthy-targets alarm of container targets, the alarms that are not simulated and why, and
that idle load balancer alarms cost nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.config.alarms import resolve_alarms
from stptui.sim import trace as tk
from stptui.sim.alarms import ALARM, INSUFFICIENT_DATA, OK
from stptui.sim.clock import parse_instant

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
START = parse_instant("2026-01-05T08:00:00Z")


def session() -> Session:
    return Session.open(
        EXAMPLES / "alb-alarms.yml",
        behaviors_path=EXAMPLES / "alb-alarms-behaviors.yml",
        start_ms=START,
    )


def run(s: Session, *lines: str) -> None:
    for line in lines:
        execute(s, line)


def state(s: Session, ref: str) -> str:
    return s.sim.services["alarms"].alarm(ref).state


def test_alarms_resolve_with_stacktapes_settings() -> None:
    stack = load_stack_text((EXAMPLES / "alb-alarms.yml").read_text(), "stacktape.yml")
    specs = {s.reference: s for s in resolve_alarms(stack)}
    rate = specs["mainLb.alarms.0"]
    assert rate.aws_name == "shop-dev-ApplicationLoadBalancerErrorRateForMainLb0"
    assert (rate.treat_missing, rate.statistic, rate.simulated) == ("notBreaching", None, True)
    custom = specs["mainLb.alarms.1"]
    # getCustomAlarmDescription: the metric for the trigger, the statistic always; no
    # TreatMissingData (the compiler has it commented out), so CloudWatch's `missing`.
    assert custom.description == (
        "Monitors Sum HTTPCode_ELB_5XX_Count of mainLb in stack shop-dev. "
        "Triggered when GreaterThanThreshold (0)."
    )
    assert (custom.metric, custom.statistic, custom.treat_missing) == (
        "HTTPCode_ELB_5XX_Count",
        "Sum",
        "missing",
    )
    assert specs["mainLb.alarms.2"].treat_missing == "notBreaching"
    other = specs["mainLb.alarms.3"]
    assert not other.simulated
    assert "ActiveConnectionCount" in (other.not_simulated or "")


def test_a_failing_function_trips_elbs_5xx_alarm_but_not_the_error_rate() -> None:
    s = session()
    run(s, "http GET /checkout/a?order=0", "http GET /checkout/a", "advance 1m")
    # The function's failure is ELB's 502, not a target's 5xx: Stacktape's error rate
    # has no datapoint (notBreaching: OK); the custom alarm on HTTPCode_ELB_5XX_Count fires.
    assert state(s, "mainLb.alarms.1") == ALARM
    assert state(s, "mainLb.alarms.0") == OK
    custom = s.sim.services["alarms"].alarm("mainLb.alarms.1")
    assert "[1.0 (05/01/26 08:00:00)]" in custom.reason
    notified = [r.data for r in s.sim.trace.records if r.kind == tk.ALARM_NOTIFIED]
    assert [(d["state"], d["recipient"]) for d in notified] == [(ALARM, "oncall@example.com")]
    # No 5xx in a period: ELB reports no HTTPCode_ELB_5XX_Count, and with `missing` the
    # alarm goes to INSUFFICIENT_DATA.
    # (the breaching datapoint decides while it is in the 3-period evaluation range).
    run(s, "http GET /checkout/a", "advance 2m")
    assert state(s, "mainLb.alarms.1") == ALARM
    run(s, "advance 1m")
    assert state(s, "mainLb.alarms.1") == INSUFFICIENT_DATA


def test_the_error_rate_counts_targets_4xx_and_5xx_over_requests() -> None:
    s = session()
    run(
        s,
        "http GET /checkout/a?status=404",
        "http GET /checkout/a?status=503",
        "http GET /checkout/a",
        "http GET /",  # the container's stand-in: a request, no status of the container's
        "advance 1m",
    )
    alarm = s.sim.services["alarms"].alarm("mainLb.alarms.0")
    assert alarm.state == ALARM
    assert "[50.0 (05/01/26 08:00:00)]" in alarm.reason  # (1 + 1) / 4
    rows = {row[0]: row for row in execute(s, "show alarms").table[1]}
    assert rows["mainLb.alarms.0"][2:5] == ["ALARM", "2026-01-05T08:01:00.000Z", "- - 50.0"]
    assert rows["mainLb.alarms.3"][2] == "not simulated"


def test_a_period_with_5xx_but_no_4xx_has_no_error_rate_datapoint() -> None:
    s = session()
    run(s, "http GET /checkout/a?status=500", "advance 1m")
    # HTTPCode_Target_4XX_Count is not reported (zero), and metric math over a missing
    # operand has no result: the alarm, notBreaching, is OK.
    alarm = s.sim.services["alarms"].alarm("mainLb.alarms.0")
    assert alarm.state == OK
    assert alarm.recent(1)[0].value is None


def test_unhealthy_targets_are_zero_percent_and_the_alarm_settles_ok() -> None:
    s = session()
    run(s, "advance 1m")
    alarm = s.sim.services["alarms"].alarm("mainLb.alarms.2")
    assert alarm.state == OK
    assert [p.value for p in alarm.recent(1)] == [0.0]
    metrics = alarm.metric.metrics()
    assert metrics[-1]["expression"] == (
        "MAX([IF((unhealthy_0 + healthy_0) > 0, (unhealthy_0 / (unhealthy_0 + healthy_0)) * 100, 0)])"
    )
    assert metrics[0]["metricStat"]["metric"]["name"] == "UnHealthyHostCount"


def test_unhealthy_targets_without_a_container_target_is_not_simulated() -> None:
    text = (EXAMPLES / "alb-alarms.yml").read_text()
    text = text.replace(
        "properties: {thresholdPercent: 50}",
        "properties: {thresholdPercent: 50, onlyIncludeTargets: [checkout]}",
    )
    stack = load_stack_text(text, "stacktape.yml")
    spec = {s.reference: s for s in resolve_alarms(stack)}["mainLb.alarms.2"]
    assert not spec.simulated
    assert "e127" in (spec.not_simulated or "")


def test_not_simulated_alarms_say_why_when_set() -> None:
    s = session()
    with pytest.raises(CommandError, match="ActiveConnectionCount"):
        execute(s, "set-alarm-state mainLb.alarms.3 ALARM")


def test_the_state_change_event_carries_stacktapes_metrics() -> None:
    s = session()
    alarm = s.sim.services["alarms"].alarm("mainLb.alarms.0")
    metrics = alarm.metric.metrics()
    assert [m["id"] for m in metrics] == [
        "error_4xx_count",
        "error_5xx_count",
        "all_count",
        "application_load_balancer_error_rate",
    ]
    assert [m["metricStat"]["metric"]["name"] for m in metrics[:3]] == [
        "HTTPCode_Target_4XX_Count",
        "HTTPCode_Target_5XX_Count",
        "RequestCount",
    ]
    assert metrics[3]["expression"] == "( ( error_4xx_count + error_5xx_count ) / all_count ) * 100"
    dims = metrics[0]["metricStat"]["metric"]["dimensions"]
    assert dims["LoadBalancer"].startswith("app/shop-dev-mainLb/")


def test_idle_load_balancer_alarms_run_no_events() -> None:
    s = session()
    run(s, "http GET /checkout/a?order=0", "advance 10m")
    before = s.sim.clock.events_run
    run(s, "advance 365d")
    assert s.sim.clock.events_run - before < 5


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["200", "404", "500", "0"]), min_size=1, max_size=8))
def test_the_error_rate_is_targets_errors_over_requests(statuses: list[str]) -> None:
    s = session()
    for status in statuses:
        query = "order=0" if status == "0" else f"status={status}"
        execute(s, f"http GET /checkout/a?{query}")
    run(s, "advance 1m")
    got = s.sim.services["alarms"].alarm("mainLb.alarms.0").recent(1)[0].value
    fours, fives = statuses.count("404"), statuses.count("500")
    expected = (fours + fives) / len(statuses) * 100 if fours and fives else None
    assert got == expected


def test_a_web_services_alarms_are_evaluated_on_its_own_load_balancer(tmp_path: Path) -> None:
    # Stacktape puts them on the load balancer it makes for the service: its requests feed
    # them, and the service's container is the unhealthy-targets alarm's target.
    text = """\
serviceName: shop
resources:
  api:
    type: web-service
    properties:
      packaging:
        type: stacktape-image-buildpack
        properties: {entryfilePath: src/server.ts}
      resources: {cpu: 0.25, memory: 512}
      loadBalancing: {type: application-load-balancer}
      alarms:
        - trigger:
            type: application-load-balancer-custom
            properties: {metric: RequestCount, statistic: sum, threshold: 1}
        - trigger:
            type: application-load-balancer-unhealthy-targets
            properties: {thresholdPercent: 20}
"""
    specs = resolve_alarms(load_stack_text(text, "stacktape.yml"))
    assert [(s.aws_name, s.entry, s.simulated) for s in specs] == [
        ("shop-dev-ApplicationLoadBalancerCustomForApi0", "api.loadBalancer", True),
        ("shop-dev-ApplicationLoadBalancerUnhealthyTargetsForApi1", "api.loadBalancer", True),
    ]
    (tmp_path / "stacktape.yml").write_text(text)
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    run(s, "http GET /a", "http GET /b --gateway api", "advance 1m")
    assert state(s, "api.alarms.0") == ALARM  # 2 requests > 1
    assert state(s, "api.alarms.1") == OK
    metrics = s.sim.services["alarms"].alarm("api.alarms.1").metric.metrics()
    assert metrics[0]["metricStat"]["metric"]["dimensions"]["TargetGroup"].startswith(
        "targetgroup/"
    )
    # An HTTP API's trigger on a service balanced by a load balancer is Stacktape's e80,
    # reported by lint: not an alarm of the service.
    other = text.replace("application-load-balancer-custom", "http-api-gateway-error-rate")
    assert [s.trigger for s in resolve_alarms(load_stack_text(other, "stacktape.yml"))] == [
        "application-load-balancer-unhealthy-targets"
    ]


def test_a_web_service_http_apis_error_rate_counts_the_gateways_answers_only(
    tmp_path: Path,
) -> None:
    # The 501 stptui gives for the container is no status of the container's: a request in
    # Count, not an error; the gateway's own 400 (a path it cannot decode twice) is one.
    text = """\
serviceName: shop
resources:
  api:
    type: web-service
    properties:
      packaging:
        type: stacktape-image-buildpack
        properties: {entryfilePath: src/server.ts}
      resources: {cpu: 0.25, memory: 512}
      alarms:
        - trigger:
            type: http-api-gateway-error-rate
            properties: {thresholdPercent: 40}
"""
    (tmp_path / "stacktape.yml").write_text(text)
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    run(s, "http GET /orders", "http GET /orders/2", "http GET /a%25zz", "advance 1m")
    alarm = s.sim.services["alarms"].alarm("api.alarms.0")
    assert alarm.recent(1)[0].value == pytest.approx(100 / 3)
    assert alarm.state == OK
    run(s, "http GET /a%25zz", "advance 1m")
    assert alarm.recent(1)[0].value == 100
    assert alarm.state == ALARM
    assert alarm.dimensions() == {"ApiId": s.sim.services["http"].apis["api.httpApiGateway"].api_id}


def test_a_head_elb_refuses_is_neither_a_request_nor_a_fixed_response(tmp_path: Path) -> None:
    # ELB refuses a header over 16 K before choosing a rule: its own 400
    # (HTTPCode_ELB_4XX_Count), not a request the error rate divides by, and no listener's
    # fixed response (HTTP_Fixed_Response_Count), which a request no rule takes is.
    text = (EXAMPLES / "alb-alarms.yml").read_text()
    fixed = (
        "        - trigger:\n"
        "            type: application-load-balancer-custom\n"
        "            properties: {metric: HTTP_Fixed_Response_Count, statistic: sum, "
        "threshold: 0}\n"
    )
    marker = "        # A metric the simulator has no model of"
    stack = tmp_path / "stacktape.yml"
    stack.write_text(text.replace(marker, fixed + marker))
    s = Session.open(stack, behaviors_path=EXAMPLES / "alb-alarms-behaviors.yml", start_ms=START)
    pad = "v" * (16 * 1024)
    run(
        s,
        "http GET /checkout/a?status=404",
        "http GET /checkout/a?status=503",
        "http GET /checkout/a",
        f"http GET /checkout/a --header 'X-Pad:{pad}'",
        "advance 1m",
    )
    rate = s.sim.services["alarms"].alarm("mainLb.alarms.0")
    assert "[66.66666666666666 (05/01/26 08:00:00)]" in rate.reason  # (1 + 1) / 3, not / 4
    fixed_alarm = s.sim.services["alarms"].alarm("mainLb.alarms.3")
    assert fixed_alarm.spec.metric == "HTTP_Fixed_Response_Count"
    assert fixed_alarm.state == INSUFFICIENT_DATA  # no datapoint: nothing was counted
