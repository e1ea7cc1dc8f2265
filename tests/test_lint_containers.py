"""Whole-stack checks of container workloads' references (stptui.config.lint): `connectTo`
of multi-container workloads and web, private and worker services, the load balancer a load
balancer event names (and its listener port), and a web-service's firewall.

Each finding is tested at the exact position of the value to fix, and against the stacks
Stacktape accepts (no finding). Containers run inside the VPC, so the function-only VPC rule
of connectTo must not reach them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lintkit import found, one, where

from stptui.cli import main

CONTAINER_TYPES = [
    "multi-container-workload",
    "container-workload",  # the legacy spelling, read as a multi-container-workload
    "web-service",
    "private-service",
    "worker-service",
]

# What each type needs besides connectTo (one line, so that every stack has the same lines).
BODY = {
    "multi-container-workload": "containers: [{name: app, packaging: {type: prebuilt-image, "
    "properties: {image: nginx}}}]",
    "service": "packaging: {type: prebuilt-image, properties: {image: nginx}}",
}

DATABASE = """\
  database:
    type: relational-database
    properties:
      engine: {type: postgres, properties: {primaryInstance: {instanceSize: db.t4g.micro}}}
      credentials: {masterUserPassword: secret}
"""

REFERENCE_CODES = (
    "missing-resource",
    "wrong-resource-type",
    "connect-to-unsupported",
    "connect-to-needs-vpc",
    "listener-port",
)


def connect(rtype: str, target: str, extra: str = "") -> str:
    """A stack whose container workload `api` connects to `files` (line 8) and `target`
    (line 9, column 11), with `extra` resources after the bucket `files`."""
    body = BODY["multi-container-workload" if "container" in rtype else "service"]
    return (
        f"resources:\n  api:\n    type: {rtype}\n    properties:\n      {body}\n"
        "      resources: {cpu: 0.25, memory: 512}\n"
        f"      connectTo:\n        - files\n        - {target}\n"
        "  files:\n    type: bucket\n" + extra
    )


def pos_of(text: str, needle: str) -> tuple[int, int]:
    """(line, column), 1-based, of the first `needle` in `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in the stack")


def reference_codes(text: str) -> list[str]:
    return [d.format() for code in REFERENCE_CODES for d in found(text, code)]


# -- 1. connectTo ---------------------------------------------------------------------------


@pytest.mark.parametrize("rtype", CONTAINER_TYPES)
def test_a_connect_to_entry_naming_no_resource_is_an_error(rtype: str) -> None:
    d = one(connect(rtype, "databse", DATABASE), "missing-resource")
    assert where(d) == ("error", "s.yml", 9, 11)
    assert d.resource == "api"
    assert d.message == "connectTo names 'databse', which is not a resource in this stack"
    assert d.hint == "did you mean 'database'?"


@pytest.mark.parametrize("rtype", CONTAINER_TYPES)
def test_a_connect_to_entry_of_a_type_connect_to_cannot_scope_is_an_error(rtype: str) -> None:
    d = one(
        connect(rtype, "gateway", "  gateway:\n    type: http-api-gateway\n"),
        "connect-to-unsupported",
    )
    assert where(d) == ("error", "s.yml", 9, 11)
    assert d.resource == "api"
    assert d.message == "Resource type http-api-gateway cannot be scoped by connectTo ('gateway')"
    assert d.hint == "reference it with $ResourceParam() in `environment` instead"


def test_an_efs_filesystem_in_connect_to_is_accepted() -> None:
    # Current Stacktape's resolveConnectToList takes it (it injects its variables).
    text = connect("web-service", "shared", "  shared:\n    type: efs-filesystem\n")
    assert reference_codes(text) == []


REDIS = "  cache:\n    type: redis-cluster\n    properties: {instanceSize: cache.t3.micro}\n"
VPC_DATABASE = DATABASE + "      accessibility: {accessibilityMode: vpc}\n"


@pytest.mark.parametrize("rtype", CONTAINER_TYPES)
@pytest.mark.parametrize("target", ["cache", "database"])
def test_containers_run_in_the_vpc_so_they_reach_vpc_only_targets(rtype: str, target: str) -> None:
    # A function outside the VPC may not connect to these (connect-to-needs-vpc); Stacktape's
    # container resolver has no such check, as a container always runs in the VPC.
    text = connect(rtype, target, REDIS + VPC_DATABASE)
    assert reference_codes(text) == []


@pytest.mark.parametrize("rtype", CONTAINER_TYPES)
def test_macros_child_resources_and_every_connectable_type_are_accepted(rtype: str) -> None:
    extra = (
        "  site:\n    type: hosting-bucket\n    properties: {uploadDirectoryPath: dist}\n"
        "  queue:\n    type: sqs-queue\n  topic:\n    type: sns-topic\n"
        "  other:\n    type: worker-service\n    properties: {" + BODY["service"] + "}\n"
    )
    text = connect(rtype, "aws:ses", extra).replace(
        "        - files\n",
        "        - files\n        - site.bucket\n        - queue\n"
        "        - topic\n        - other\n",
    )
    assert reference_codes(text) == []


def test_the_pre_3x_allow_access_to_of_a_container_workload_is_checked_too() -> None:
    text = """\
resources:
  mongo:
    type: mongo-db-atlas-cluster
    properties: {clusterTier: M2}
  apiContainer:
    type: container-workload
    properties:
      containers: [{name: api, packaging: {type: prebuilt-image, properties: {image: nginx}}}]
      resources: {cpu: 0.25, memory: 512}
      accessControl:
        allowAccessTo:
          - mongoDb
"""
    d = one(text, "missing-resource")
    assert where(d) == ("error", "s.yml", 12, 13)
    assert d.resource == "apiContainer"
    assert d.hint == "did you mean 'mongo'?"


def test_a_worker_service_polling_a_queue_through_connect_to_is_its_consumer() -> None:
    text = connect("worker-service", "jobs", "  jobs:\n    type: sqs-queue\n")
    assert not found(text, "queue-no-consumer")
    assert found(text.replace("        - jobs\n", ""), "queue-no-consumer")


# -- 2. load balancers --------------------------------------------------------------------

LOAD_BALANCERS = """\
  alb:
    type: application-load-balancer
  nlb:
    type: network-load-balancer
    properties:
      listeners:
        - {port: 5432, protocol: TCP}
"""


def container_event(event_type: str, props: str, extra: str = LOAD_BALANCERS) -> str:
    """A multi-container workload whose container `web` has one event of `event_type`
    (flow-style properties `props`, on line 11), then `extra` resources."""
    return (
        "resources:\n  app:\n    type: multi-container-workload\n    properties:\n"
        "      resources: {cpu: 0.25, memory: 512}\n      containers:\n        - name: web\n"
        "          packaging: {type: prebuilt-image, properties: {image: nginx}}\n"
        f"          events:\n            - type: {event_type}\n"
        f"              properties: {{containerPort: 80, {props}}}\n" + extra
    )


ALB_EVENT = "application-load-balancer"
NLB_EVENT = "network-load-balancer"


def test_a_load_balancer_event_naming_no_resource_is_an_error() -> None:
    text = container_event(ALB_EVENT, "priority: 1, loadBalancerName: albb")
    d = one(text, "missing-resource")
    assert where(d) == ("error", "s.yml", *pos_of(text, "albb"))
    assert d.resource == "app"
    assert d.message == (
        "loadBalancerName 'albb' is not a resource in this stack "
        "(expected application-load-balancer)"
    )
    assert d.hint == "did you mean 'alb'?"


def test_a_missing_load_balancer_with_no_look_alike_says_what_to_add() -> None:
    text = container_event(NLB_EVENT, "listenerPort: 5432, loadBalancerName: edge", extra="")
    d = one(text, "missing-resource")
    assert d.hint == "add a resource named 'edge' of type network-load-balancer"


def test_an_application_load_balancer_event_naming_a_network_one_is_an_error() -> None:
    text = container_event(ALB_EVENT, "priority: 1, loadBalancerName: nlb")
    d = one(text, "wrong-resource-type")
    assert where(d) == ("error", "s.yml", *pos_of(text, "nlb}"))
    assert d.message == (
        "loadBalancerName 'nlb' is a network-load-balancer, not an application-load-balancer "
        "(Stacktape e36)"
    )
    assert d.hint == "did you mean 'alb'?"


def test_a_network_load_balancer_event_naming_an_application_one_is_an_error() -> None:
    text = container_event(NLB_EVENT, "listenerPort: 5432, loadBalancerName: alb")
    d = one(text, "wrong-resource-type")
    assert d.line == 11
    assert "is an application-load-balancer, not a network-load-balancer" in d.message


def test_a_functions_load_balancer_event_is_checked_the_same_way() -> None:
    text = """\
resources:
  fn:
    type: function
    properties:
      {PKG}
      events:
        - type: application-load-balancer
          properties: {priority: 1, loadBalancerName: publicLb}
"""
    d = one(text, "missing-resource")
    assert where(d) == ("error", "s.yml", 8, 55)
    assert d.resource == "fn"


def test_a_web_services_own_load_balancer_may_be_named_by_its_child_name() -> None:
    web = (
        "  site:\n    type: web-service\n    properties:\n      " + BODY["service"] + "\n"
        "      loadBalancing: {type: application-load-balancer}\n"
    )
    props = "priority: 1, loadBalancerName: site.loadBalancer, listenerPort: 443"
    assert reference_codes(container_event(ALB_EVENT, props, web)) == []
    # Stacktape writes the nested load balancer's listeners (80 and 443) itself: they are
    # its `listeners`, so an event on it must name one (e46), as the service's own does.
    bare = container_event(ALB_EVENT, "priority: 1, loadBalancerName: site.loadBalancer", web)
    assert [d.code for d in found(bare, "listener-port")] == ["listener-port"]


# -- listener ports -----------------------------------------------------------------------

ALB_LISTENERS = """\
  alb:
    type: application-load-balancer
    properties:
      listeners:
        - {port: 443, protocol: HTTPS}
        - {port: 8080, protocol: HTTP}
"""


def test_a_listener_port_on_a_load_balancer_without_custom_listeners_is_e44() -> None:
    text = container_event(ALB_EVENT, "priority: 1, loadBalancerName: alb, listenerPort: 443")
    d = one(text, "listener-port")
    assert where(d) == ("error", "s.yml", *pos_of(text, "443}"))
    assert d.resource == "app"
    assert d.message == (
        "listenerPort 443: application-load-balancer 'alb' has no custom `listeners` (only its "
        "default ones: 80, redirected, and 443), so Stacktape refuses a listenerPort (e44)"
    )
    assert d.hint is not None and d.hint.startswith("remove listenerPort")


def test_a_listener_port_the_load_balancer_does_not_listen_on_is_e45() -> None:
    props = "priority: 1, loadBalancerName: alb, listenerPort: 80"
    text = container_event(ALB_EVENT, props, ALB_LISTENERS)
    d = one(text, "listener-port")
    assert where(d) == ("error", "s.yml", *pos_of(text, "80}"))
    assert d.message == "application-load-balancer 'alb' has no listener on port 80 (Stacktape e45)"
    assert d.hint == "use one of its listener ports: 443, 8080"


def test_custom_listeners_need_a_listener_port_e46() -> None:
    text = container_event(ALB_EVENT, "priority: 1, loadBalancerName: alb", ALB_LISTENERS)
    d = one(text, "listener-port")
    # No listenerPort to point at: the event's `properties` key.
    assert where(d) == ("error", "s.yml", 11, 15)
    assert "has custom `listeners` (ports 443, 8080)" in d.message
    assert d.message.endswith("(Stacktape e46)")
    assert d.hint == "add listenerPort: 443 (or another of 443, 8080)"


def test_a_network_load_balancer_event_needs_one_of_its_listener_ports() -> None:
    text = container_event(NLB_EVENT, "listenerPort: 5433, loadBalancerName: nlb")
    d = one(text, "listener-port")
    assert where(d) == ("error", "s.yml", *pos_of(text, "5433"))
    assert d.message == "network-load-balancer 'nlb' has no listener on port 5433"
    assert d.hint == "use one of its listener ports: 5432"


@pytest.mark.parametrize(
    ("event_type", "props", "extra"),
    [
        (ALB_EVENT, "priority: 1, loadBalancerName: alb", LOAD_BALANCERS),
        (ALB_EVENT, "priority: 1, loadBalancerName: alb, listenerPort: 8080", ALB_LISTENERS),
        (NLB_EVENT, "listenerPort: 5432, loadBalancerName: nlb", LOAD_BALANCERS),
    ],
    ids=["alb-default-listeners", "alb-custom-listener", "nlb-listener"],
)
def test_load_balancer_events_stacktape_accepts_have_no_finding(
    event_type: str, props: str, extra: str
) -> None:
    assert reference_codes(container_event(event_type, props, extra)) == []


# -- a web-service's firewall -------------------------------------------------------------


def firewall(name: str) -> str:
    return (
        "resources:\n  web:\n    type: web-service\n    properties:\n      "
        + BODY["service"]
        + f"\n      useFirewall: {name}\n  waf:\n    type: web-app-firewall\n"
        "    properties: {scope: regional}\n  files:\n    type: bucket\n"
    )


def test_a_web_service_firewall_naming_no_resource_is_an_error() -> None:
    d = one(firewall("wafs"), "missing-resource")
    assert where(d) == ("error", "s.yml", 6, 20)
    assert d.resource == "web"
    assert d.hint == "did you mean 'waf'?"


def test_a_web_service_firewall_naming_a_bucket_is_an_error() -> None:
    d = one(firewall("files"), "wrong-resource-type")
    assert d.message == ("useFirewall 'files' is a bucket, not a web-app-firewall (Stacktape e36)")


def test_a_web_service_firewall_naming_a_firewall_has_no_finding() -> None:
    assert reference_codes(firewall("waf")) == []


# -- what a user sees -----------------------------------------------------------------------


def test_validate_prints_the_container_finding_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(connect("web-service", "databse", DATABASE), encoding="utf-8")
    rc = main(["validate", str(path)])
    out = capsys.readouterr().out
    assert rc == 1
    assert (
        f"{path}:9:11: error missing-resource [api]: connectTo names 'databse', which is not a "
        "resource in this stack"
    ) in out
    assert "did you mean 'database'?" in out
