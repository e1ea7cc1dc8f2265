"""`cloudwatch-alarm` events whose `alarmName` names no alarm of the stack (Stacktape's e60),
and the global-alarm form the config cannot hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.config import load_stack, load_stack_text

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
