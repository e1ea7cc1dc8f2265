"""Checks of container workloads Stacktape's deployer makes (config-manager/utils/
multi-container-workloads.ts and web-services.ts): `resources` without `instanceTypes` needs
`cpu` and `memory` (e87), a warm pool needs exactly one instance type (e125), `deployment`
cannot be used with `service-connect` events (e75), and a web-service's alarms must be of
its load balancing type (e80)."""

from __future__ import annotations

import pytest
from lintkit import codes, found, one, where

SERVICE = """\
resources:
  svc:
    type: %s
    properties:
      packaging: {type: prebuilt-image, properties: {image: nginx}}
      resources: %s
"""

WORKLOAD = """\
resources:
  app:
    type: multi-container-workload
    properties:
      containers:
        - name: a
          packaging: {type: prebuilt-image, properties: {image: nginx}}
"""


# -- e87: cpu and memory, or instanceTypes ---------------------------------------------------


@pytest.mark.parametrize("rtype", ["web-service", "private-service", "worker-service"])
def test_fargate_resources_without_memory_is_an_error_at_resources(rtype: str) -> None:
    d = one(SERVICE % (rtype, "{cpu: 0.25}"), "container-resources")
    assert where(d) == ("error", "s.yml", 6, 18)
    assert d.resource == "svc"
    assert "e87" in d.message and "`memory`" in d.message
    assert d.hint is not None and "memory: 512" in d.hint


def test_a_zero_cpu_is_missing_for_stacktape_and_not_also_a_fargate_size_finding() -> None:
    text = SERVICE % ("web-service", "{cpu: 0, memory: 512}")
    d = one(text, "container-resources")
    assert "`cpu`" in d.message
    assert "fargate-cpu-memory" not in codes(text)


def test_a_workload_without_resources_is_left_alone() -> None:
    # Stacktape's own starters deploy services without `resources`.
    assert "container-resources" not in codes(WORKLOAD)


@pytest.mark.parametrize(
    "resources",
    [
        "{cpu: 0.25, memory: 512}",
        "{instanceTypes: [t3.small]}",  # EC2: cpu and memory are optional
        "{instanceTypes: [], cpu: 1}",  # an empty list is still written (JavaScript truth)
        "{cpu: $Var().cpu, memory: 512}",
    ],
)
def test_resources_stacktape_accepts_are_fine(resources: str) -> None:
    text = "variables: {cpu: 1}\n" + SERVICE % ("web-service", resources)
    assert "container-resources" not in codes(text)


# -- e125: a warm pool needs exactly one instance type -----------------------------------------


def test_a_warm_pool_without_instance_types_is_an_error() -> None:
    text = SERVICE % ("web-service", "{cpu: 0.25, memory: 512, enableWarmPool: true}")
    d = one(text, "instance-types-conflict")
    assert where(d) == ("error", "s.yml", 6, 43)
    assert "e125" in d.message and "no `instanceTypes`" in d.message


# -- e75: deployment with service-connect events ---------------------------------------------

SERVICE_CONNECT = """\
resources:
  lb: {type: application-load-balancer}
  app:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      deployment: {strategy: AllAtOnce}
      containers:
        - name: web
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          events:
            - type: application-load-balancer
              properties: {loadBalancerName: lb, priority: 1, containerPort: 80}
        - name: internal
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          events:
            - type: service-connect
              properties: {containerPort: 9000}
"""


def test_deployment_with_a_service_connect_event_is_an_error_at_deployment() -> None:
    d = one(SERVICE_CONNECT, "deployment-service-connect")
    assert where(d) == ("error", "s.yml", 7, 7)
    assert d.resource == "app"
    assert "e75" in d.message and "service-connect" in d.message
    assert "line 17" in d.message  # the event
    assert [x.code for x in found(SERVICE_CONNECT, "load-balancing-required")] == []


def test_service_connect_without_deployment_is_fine() -> None:
    text = SERVICE_CONNECT.replace("      deployment: {strategy: AllAtOnce}\n", "")
    assert "deployment-service-connect" not in codes(text)


# -- e80: a web-service's alarms follow its load balancing -----------------------------------

WEB_ALARMS = """\
resources:
  web:
    type: web-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: nginx}}
      resources: {cpu: 0.25, memory: 512}
      %s
      alarms:
        - trigger:
            type: %s
            properties: {thresholdPercent: 5}
"""


@pytest.mark.parametrize(
    ("balancing", "alarm"),
    [
        ("", "application-load-balancer-error-rate"),  # the default is http-api-gateway
        ("loadBalancing: {type: application-load-balancer}", "http-api-gateway-error-rate"),
        ("loadBalancing: {type: network-load-balancer}", "http-api-gateway-latency"),
    ],
)
def test_an_alarm_of_another_load_balancing_type_is_an_error_at_its_type(
    balancing: str, alarm: str
) -> None:
    d = one(WEB_ALARMS % (balancing, alarm), "web-service-alarm")
    assert where(d) == ("error", "s.yml", 10, 19)
    assert d.resource == "web"
    assert "e80" in d.message and alarm in d.message


@pytest.mark.parametrize(
    ("balancing", "alarm"),
    [
        ("", "http-api-gateway-latency"),
        ("loadBalancing: {type: http-api-gateway}", "http-api-gateway-error-rate"),
        ("loadBalancing: {type: application-load-balancer}", "application-load-balancer-custom"),
    ],
)
def test_an_alarm_of_the_services_load_balancing_is_fine(balancing: str, alarm: str) -> None:
    assert "web-service-alarm" not in codes(WEB_ALARMS % (balancing, alarm))


def test_resources_that_are_not_a_mapping_are_a_wrong_type() -> None:
    text = WORKLOAD.replace("    properties:\n", "    properties:\n      resources: 5\n")
    d = one(text, "wrong-type")
    assert where(d) == ("error", "s.yml", 5, 18)
    assert "`resources`" in d.message


@pytest.mark.parametrize("name", ["[nlb]", "{a: 1}"])
def test_a_service_load_balancer_name_that_is_not_a_string_is_no_traceback(name: str) -> None:
    text = f"""\
    resources:
      nlb:
        type: network-load-balancer
        properties:
          listeners: [{{port: 443, protocol: TLS}}]
      service:
        type: web-service
        properties:
          packaging: {{type: prebuilt-image, properties: {{image: nginx}}}}
          resources: {{cpu: 0.5, memory: 1024}}
          loadBalancing:
            type: network-load-balancer
            properties: {{loadBalancerName: {name}, port: 443}}
    """
    # No service takes the listener by a name, so it has no integration.
    assert "listener-integrations" in codes(text)
