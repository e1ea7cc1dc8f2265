"""`cloudwatch-alarm` events whose `alarmName` names no alarm of the stack (Stacktape's e60),
the global-alarm form the config cannot hold, and alarm `evaluation`s CloudWatch refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands.handlers.alarms import alarm_data
from stptui.config import load_stack, load_stack_text
from stptui.config.alarms import resolve_alarms
from stptui.config.model import Stack
from stptui.sim.engine import Simulator

ROOT = Path(__file__).resolve().parents[1]

STACK = """\
serviceName: shop
resources:
  jobsDlq:
    type: sqs-queue
    properties:
      alarms:
        - trigger:
            type: sqs-queue-not-empty
  pager:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties:
          entryfilePath: src/pager.ts
      events:
        - type: cloudwatch-alarm
          properties:
            alarmName: {name}
"""


def alarm_diags(name: str) -> list:
    stack = load_stack_text(STACK.format(name=name))
    return [d for d in stack.diagnostics if d.code.startswith("alarm-event")]


def test_an_alarm_of_the_stack_is_no_finding() -> None:
    assert alarm_diags("jobsDlq.alarms.0") == []
    assert [
        d
        for d in load_stack(ROOT / "docs/examples/alarms.yml").diagnostics
        if d.code.startswith("alarm-event")
    ] == []


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        # AWS's and Stacktape's names of the alarm are not what Stacktape resolves.
        ("shop-dev-SqsQueueNotEmptyForJobsDlq0", "did you mean 'jobsDlq.alarms.0'?"),
        ("SqsQueueNotEmptyForJobsDlq0", "did you mean 'jobsDlq.alarms.0'?"),
        ("jobsdlq.alarms.0", "did you mean 'jobsDlq.alarms.0'?"),
        ("jobsDlq.alarms.1", "did you mean 'jobsDlq.alarms.0'?"),
        ("nothing", "name one as RESOURCE.alarms.N: jobsDlq.alarms.0"),
    ],
)
def test_an_alarm_name_naming_no_alarm_is_stacktapes_e60(name: str, hint: str) -> None:
    (d,) = alarm_diags(name)
    assert (d.severity, d.code, d.resource) == ("error", "alarm-event-unknown", "pager")
    assert (d.file, d.line, d.column) == ("stacktape.yml", 19, 24)
    assert d.message == (
        f"Alarm {name!r} referenced from pager (function) is not defined in this config "
        "(Stacktape e60)"
    )
    assert d.hint == hint


def test_the_global_alarm_form_is_an_info() -> None:
    (d,) = alarm_diags("jobsDlq.alarms.dlqNotEmpty")
    assert (d.severity, d.code) == ("info", "alarm-event-global")
    assert "global alarm" in d.message


def test_an_unhealthy_targets_alarm_without_a_container_target_is_e127() -> None:
    # Stacktape watches container target groups only: with the container workload gone,
    # the load balancer forwards to a function alone and the alarm cannot be deployed.
    text = (ROOT / "docs/examples/alb-alarms.yml").read_text()
    stack = load_stack_text(text.split("\n  web:\n")[0] + "\n", "alb.yml")
    found = [d for d in stack.diagnostics if d.code == "alarm-no-target"]
    assert len(found) == 1
    assert found[0].severity == "error" and "e127" in found[0].message
    assert (found[0].line, found[0].column) == (22, 11)
    # With the container behind it, the same alarm is fine.
    full = load_stack_text(text, "alb.yml")
    assert not [d for d in full.diagnostics if d.code == "alarm-no-target"]


WEB_SERVICE = """\
serviceName: shop
resources:
  api:
    type: web-service
    properties:
      packaging:
        type: stacktape-image-buildpack
        properties: {{entryfilePath: src/server.ts}}
      resources: {{cpu: 0.25, memory: 512}}
      loadBalancing: {{type: application-load-balancer}}
      alarms:
        - trigger:
            type: application-load-balancer-unhealthy-targets
            properties: {{thresholdPercent: 20}}
  pager:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties: {{entryfilePath: src/pager.ts}}
      events:
        - type: cloudwatch-alarm
          properties: {{alarmName: {name}}}
"""


def test_a_web_services_alarm_can_be_named_and_has_its_own_containers_as_targets() -> None:
    # Stacktape deploys a web service's alarms on its load balancer, whose target is the
    # service itself: naming one is no e60, and its unhealthy-targets alarm is no e127.
    stack = load_stack_text(WEB_SERVICE.format(name="api.alarms.0"))
    codes = [d.code for d in stack.diagnostics]
    assert "alarm-event-unknown" not in codes and "alarm-no-target" not in codes
    wrong = load_stack_text(WEB_SERVICE.format(name="api.alarms.1"))
    found = [d for d in wrong.diagnostics if d.code == "alarm-event-unknown"]
    assert len(found) == 1 and "did you mean 'api.alarms.0'?" in (found[0].hint or "")


EVALUATION = """\
serviceName: shop
resources:
  worker:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties: {{entryfilePath: src/worker.ts}}
      alarms:
        - trigger:
            type: lambda-error-rate
            properties: {{thresholdPercent: 5{comparison}}}
          evaluation: {evaluation}
"""


def evaluation_stack(evaluation: str, comparison: str = "") -> Stack:
    return load_stack_text(EVALUATION.format(evaluation=evaluation, comparison=comparison))


@pytest.mark.parametrize(
    ("evaluation", "key", "words"),
    [
        # PutMetricAlarm: "Valid values are 10, 20, 30, and any multiple of 60".
        ("{period: 45}", "period", "`period` 45 is not 10, 20, 30 or a multiple of 60"),
        ("{period: 0.5}", "period", "`period` 0.5 is not 10, 20, 30"),
        ("{period: -60}", "period", "`period` -60 is not"),
        ("{evaluationPeriods: 2.5}", "evaluationPeriods", "is not a whole number of at least 1"),
        ("{breachedPeriods: 0}", "breachedPeriods", "`breachedPeriods` 0 is not a whole number"),
        # CloudWatch: "DatapointsToAlarm must be less than or equal to EvaluationPeriods".
        (
            "{evaluationPeriods: 3, breachedPeriods: 5}",
            "breachedPeriods",
            "`breachedPeriods` 5 is more than `evaluationPeriods` 3",
        ),
        # Without `evaluationPeriods` it is 1 (`|| 1`): a breachedPeriods of 2 is too many.
        ("{breachedPeriods: 2}", "breachedPeriods", "more than `evaluationPeriods` 1"),
        # At most one day with a period under an hour, seven days otherwise.
        ("{period: 60, evaluationPeriods: 1441}", "evaluationPeriods", "86,460 seconds"),
        ("{period: 3600, evaluationPeriods: 169}", "evaluationPeriods", "608,400 seconds"),
    ],
)
def test_an_evaluation_cloudwatch_refuses_is_an_error_and_not_simulated(
    evaluation: str, key: str, words: str
) -> None:
    stack = evaluation_stack(evaluation)
    (d,) = [d for d in stack.diagnostics if d.code == "alarm-evaluation-invalid"]
    assert (d.severity, d.resource, d.line) == ("error", "worker", 13)
    assert words in d.message and d.message.startswith("worker.alarms.0: ")
    assert key in (d.hint or "")
    (spec,) = resolve_alarms(stack)
    assert spec.refusals[0][0] == key and not spec.simulated
    # The simulation opens (it used to divide by a period of 0 s) and lists it as not
    # simulated, with CloudWatch's reason.
    sim = Simulator(stack, start_ms=0)
    assert sim.services["alarms"].alarms == {}
    (entry,) = alarm_data(sim)
    assert entry["simulated"] is False
    assert entry["reason"].startswith("CloudWatch refuses it: ") and words in entry["reason"]


@pytest.mark.parametrize(
    "evaluation",
    [
        "{period: 10}",
        "{period: 20, evaluationPeriods: 4320}",
        "{period: 30}",
        "{period: 0, evaluationPeriods: 0}",  # Stacktape's `|| 60` and `|| 1`
        "{period: 300, evaluationPeriods: 288, breachedPeriods: 288}",
        "{period: 3600, evaluationPeriods: 168}",
        "{period: 86400, evaluationPeriods: 7, breachedPeriods: 1}",
    ],
)
def test_an_evaluation_cloudwatch_takes_is_no_finding(evaluation: str) -> None:
    stack = evaluation_stack(evaluation)
    assert [d for d in stack.diagnostics if d.code == "alarm-evaluation-invalid"] == []
    (spec,) = resolve_alarms(stack)
    assert spec.simulated


def test_a_comparison_stacktape_does_not_take_is_reported_and_the_default_stands_in() -> None:
    # It used to reach the evaluation as is, which raised KeyError when the simulation opened.
    stack = evaluation_stack("{period: 60}", ", comparisonOperator: GreaterThan")
    (d,) = [d for d in stack.diagnostics if d.code == "invalid-value"]
    assert "comparisonOperator" in d.message
    (spec,) = resolve_alarms(stack)
    assert spec.comparison == "GreaterThanThreshold"
    sim = Simulator(stack, start_ms=0)
    sim.advance(120_000)
    assert sim.services["alarms"].alarm("worker.alarms.0").state == "OK"


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["period", "evaluationPeriods", "breachedPeriods"]),
        st.one_of(
            st.integers(-100, 100_000),
            st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
        ),
    )
)
def test_any_evaluation_either_is_refused_or_simulated(evaluation: dict[str, float]) -> None:
    # A refused evaluation is an error and not simulated; any other opens and is evaluated,
    # with CloudWatch's limits holding.
    text = "{" + ", ".join(f"{k}: {v!r}" for k, v in evaluation.items()) + "}"
    stack = evaluation_stack(text)
    (spec,) = resolve_alarms(stack)
    errors = [d for d in stack.diagnostics if d.code == "alarm-evaluation-invalid"]
    assert bool(errors) == bool(spec.refusals) == (not spec.simulated)
    sim = Simulator(stack, start_ms=0)
    if spec.simulated:
        assert spec.period_s in (10, 20, 30) or spec.period_s % 60 == 0
        assert 1 <= spec.datapoints_to_alarm <= spec.evaluation_periods
        assert spec.period_s * spec.evaluation_periods <= 604_800
        sim.advance(spec.period_s * 1000)
        assert sim.services["alarms"].alarm("worker.alarms.0").state in ("OK", "ALARM")
