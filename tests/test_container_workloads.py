"""Container workloads (`multi-container-workload`, the legacy `container-workload`, and web,
private and worker services): their `connectTo` and `environment` are read and checked like a
function's, drawn as `connect` edges, and give each container its environment with the
`STP_*` variables Stacktape's container resolver injects (stacktape-config §2.9, §4).
"""

from __future__ import annotations

import json

import pytest

from stptui.config import Stack, load_stack_text
from stptui.config.envvars import EnvEntry, environments, workload_environment
from stptui.graph import CONNECT, build_graph, to_json, to_text

SERVICES = ("web-service", "private-service", "worker-service")
MULTI = ("multi-container-workload", "container-workload")

QUEUE = """\
  jobs:
    type: sqs-queue
"""


def service(rtype: str, body: str) -> str:
    """A stack with the queue `jobs` and a service `api` of `rtype` whose properties end with
    `body` (indented by four spaces)."""
    return (
        "resources:\n"
        + QUEUE
        + f"""  api:
    type: {rtype}
    properties:
      packaging:
        type: stacktape-image-buildpack
        properties: {{entryfilePath: src/main.ts}}
      resources: {{cpu: 0.25, memory: 512}}
"""
        + body
    )


def multi(rtype: str, body: str, containers: str) -> str:
    """A stack with the queue `jobs` and a multi-container workload `app` of `rtype`: its
    properties hold `body`, then `containers`."""
    return (
        "resources:\n"
        + QUEUE
        + f"""  app:
    type: {rtype}
    properties:
      resources: {{cpu: 0.25, memory: 512}}
"""
        + body
        + "      containers:\n"
        + containers
    )


def pos_of(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """(line, column), 1-based, of the `nth` occurrence of `needle` in `text`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number, line.index(needle) + 1
    raise AssertionError(needle)


# Findings these stacks may have besides the ones under test.
NOISE = ("queue-no-consumer", "legacy-type")


def found(stack: Stack) -> list[tuple[str, str, int | None, int | None]]:
    """(severity, code, line, column) of every diagnostic but the NOISE."""
    return [
        (d.severity, d.code, d.line, d.column) for d in stack.diagnostics if d.code not in NOISE
    ]


# -- shape checks --------------------------------------------------------------------------


@pytest.mark.parametrize("rtype", SERVICES)
def test_a_services_connect_to_entries_are_checked_like_a_functions(rtype: str) -> None:
    text = service(rtype, "      connectTo: [jobs, 3, aws:s3, aws:ses]\n")
    stack = load_stack_text(text)
    assert found(stack) == [
        ("error", "wrong-type", *pos_of(text, "3, aws")),
        ("warning", "unknown-aws-macro", *pos_of(text, "aws:s3")),
    ]
    assert "not the number 3" in stack.diagnostics[0].message


@pytest.mark.parametrize("rtype", [*SERVICES, *MULTI])
def test_a_connect_to_that_is_not_a_list_is_a_wrong_type(rtype: str) -> None:
    body = "      connectTo: jobs\n"
    if rtype in MULTI:
        text = multi(rtype, body, "        - name: web\n          packaging: {type: x}\n")
    else:
        text = service(rtype, body)
    stack = load_stack_text(text)
    wrong = [d for d in stack.diagnostics if d.code == "wrong-type"]
    assert [(d.line, d.column) for d in wrong] == [pos_of(text, "jobs", 2)]
    assert "`connectTo` must be a list, not the string 'jobs'" in wrong[0].message
    assert wrong[0].resource in ("api", "app")


@pytest.mark.parametrize("rtype", SERVICES)
def test_a_services_environment_entries_need_name_and_value(rtype: str) -> None:
    body = """\
      environment:
        - name: GOOD
          value: 1
        - value: nameless
        - name: VALUELESS
        - name: EXTRA
          value: x
          secret: true
        - just text
"""
    text = service(rtype, body)
    stack = load_stack_text(text)
    assert found(stack) == [
        ("error", "missing-property", *pos_of(text, "value: nameless")),
        ("error", "missing-property", *pos_of(text, "name: VALUELESS")),
        ("error", "unknown-property", *pos_of(text, "secret")),
        ("error", "wrong-type", *pos_of(text, "just text")),
    ]
    svc = stack.resources["api"]
    assert [e.name for e in workload_environment(stack, svc) if e.source == "config"] == [
        "GOOD",
        "EXTRA",
    ]


@pytest.mark.parametrize("rtype", SERVICES)
def test_a_services_environment_that_is_no_list_is_a_wrong_type(rtype: str) -> None:
    text = service(rtype, "      environment: 5\n")
    stack = load_stack_text(text)
    assert found(stack) == [("error", "wrong-type", *pos_of(text, "5", 2))]


@pytest.mark.parametrize("rtype", MULTI)
def test_each_containers_environment_is_checked_at_that_container(rtype: str) -> None:
    containers = """\
        - name: web
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          environment:
            - value: nameless
        - name: side
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          environment: {MODE: map}
        - name: third
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          environment: text
"""
    text = multi(rtype, "      connectTo: [jobs, 7]\n", containers)
    stack = load_stack_text(text)
    assert found(stack) == [
        ("error", "wrong-type", *pos_of(text, "7]")),
        ("error", "missing-property", *pos_of(text, "value: nameless")),
        ("warning", "alternate-spelling", *pos_of(text, "environment: {MODE")),
        ("error", "wrong-type", *pos_of(text, "text", 1)),
    ]
    assert all(d.resource == "app" for d in stack.diagnostics)


def test_the_pre_3x_access_control_of_a_service_is_read_as_its_connect_to() -> None:
    body = "      accessControl:\n        allowAccessTo: [jobs, aws:sqs]\n"
    text = service("worker-service", body)
    stack = load_stack_text(text)
    assert found(stack) == [
        ("warning", "alternate-spelling", *pos_of(text, "accessControl")),
        ("warning", "unknown-aws-macro", *pos_of(text, "aws:sqs")),
    ]
    g = build_graph(stack)
    assert g.has_edge("api", "jobs", CONNECT)


# -- the graph -----------------------------------------------------------------------------


@pytest.mark.parametrize("rtype", [*SERVICES, *MULTI])
def test_connect_to_is_drawn_from_a_container_workload(rtype: str) -> None:
    body = "      connectTo: [jobs, aws:ses, ghost]\n"
    if rtype in MULTI:
        text = multi(rtype, body, "        - name: web\n          packaging: {type: x}\n")
        owner = "app"
    else:
        text = service(rtype, body)
        owner = "api"
    g = build_graph(load_stack_text(text))
    out = sorted((v, d["kind"]) for _, v, d in g.out_edges(owner, data=True))
    assert out == [("aws:ses", CONNECT), ("ghost", CONNECT), ("jobs", CONNECT)]
    assert g.nodes["ghost"]["missing"]
    edge = g.get_edge_data(owner, "jobs", CONNECT)
    assert edge["env"] == ["STP_JOBS_ARN", "STP_JOBS_URL", "STP_JOBS_NAME"]
    assert edge["line"] == pos_of(text, "[jobs")[0]
    assert f"  {owner} ..connect..> jobs [STP_JOBS_ARN STP_JOBS_URL STP_JOBS_NAME]" in to_text(g)


# -- environments --------------------------------------------------------------------------


def test_a_services_environment_holds_its_own_then_connect_to_then_node_options() -> None:
    body = """\
      environment:
        - name: MODE
          value: prod
      connectTo: [jobs]
"""
    stack = load_stack_text(service("web-service", body))
    env = workload_environment(stack, stack.resources["api"])
    # Stacktape appends PORT and HOST to a web service's `environment`.
    assert [(e.name, e.source) for e in env] == [
        ("MODE", "config"),
        ("PORT", "stacktape"),
        ("HOST", "stacktape"),
        ("STP_JOBS_ARN", "jobs"),
        ("STP_JOBS_URL", "jobs"),
        ("STP_JOBS_NAME", "jobs"),
        ("NODE_OPTIONS", "stacktape"),
    ]
    assert (env[1].value, env[2].value) == ("3000", "0.0.0.0")
    assert env[4].value == "https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-jobs"
    assert env[-1].value == (
        "--enable-source-maps --experimental-require-module --experimental-detect-module"
    )
    # Stacktape names a service's one container `service-container`.
    assert environments(stack, stack.resources["api"]) == [("service-container", env)]
    assert environments(stack, stack.resources["jobs"]) == []


@pytest.mark.parametrize(
    ("balancing", "names"),
    [
        ("", ["PORT", "HOST"]),
        ("      loadBalancing: {type: application-load-balancer}\n", ["PORT", "HOST"]),
        (
            "      loadBalancing:\n        type: network-load-balancer\n"
            "        properties: {ports: [{port: 8883}]}\n",
            ["HOST"],
        ),
    ],
)
def test_a_web_service_gets_port_and_host_unless_a_network_load_balancer_fronts_it(
    balancing: str, names: list[str]
) -> None:
    # A name the config sets keeps the config's value, once.
    body = "      environment:\n        - {name: HOST, value: 127.0.0.1}\n" + balancing
    stack = load_stack_text(service("web-service", body))
    env = workload_environment(stack, stack.resources["api"])
    got = [(e.name, e.value, e.source) for e in env if e.name in ("PORT", "HOST")]
    expected = [("HOST", "127.0.0.1", "config")]
    if "PORT" in names:
        expected.append(("PORT", "3000", "stacktape"))
    assert got == expected


def test_every_container_gets_the_workloads_connect_to_and_its_own_environment() -> None:
    containers = """\
        - name: web
          packaging:
            type: stacktape-image-buildpack
            properties:
              entryfilePath: src/web.ts
              languageSpecificConfig: {nodeVersion: 20}
          environment:
            - name: PORT
              value: 3000
        - name: proxy
          packaging: {type: prebuilt-image, properties: {image: nginx}}
"""
    stack = load_stack_text(
        multi("multi-container-workload", "      connectTo: [jobs]\n", containers)
    )
    stp = [
        EnvEntry(n, v, "jobs")
        for n, v in (
            ("STP_JOBS_ARN", "arn:aws:sqs:us-east-1:123456789012:app-dev-jobs"),
            ("STP_JOBS_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/app-dev-jobs"),
            ("STP_JOBS_NAME", "app-dev-jobs"),
        )
    ]
    assert environments(stack, stack.resources["app"]) == [
        # Node 20: source maps only; an image the user builds gets no NODE_OPTIONS.
        (
            "web",
            [
                EnvEntry("PORT", "3000", "config"),
                *stp,
                EnvEntry("NODE_OPTIONS", "--enable-source-maps", "stacktape"),
            ],
        ),
        ("proxy", stp),
    ]


def test_the_json_graph_names_each_container_of_an_environment_entry() -> None:
    containers = """\
        - name: web
          packaging: {type: prebuilt-image, properties: {image: nginx}}
          environment:
            - name: PORT
              value: 3000
        - name: proxy
          packaging: {type: prebuilt-image, properties: {image: nginx}}
"""
    stack = load_stack_text(
        multi("multi-container-workload", "      connectTo: [jobs]\n", containers)
    )
    nodes = {n["id"]: n for n in json.loads(to_json(build_graph(stack)))["nodes"]}
    env = nodes["app"]["env"]
    assert [(e["container"], e["name"]) for e in env] == [
        ("web", "PORT"),
        ("web", "STP_JOBS_ARN"),
        ("web", "STP_JOBS_URL"),
        ("web", "STP_JOBS_NAME"),
        ("proxy", "STP_JOBS_ARN"),
        ("proxy", "STP_JOBS_URL"),
        ("proxy", "STP_JOBS_NAME"),
    ]


def test_the_inspector_shows_each_containers_environment() -> None:
    from stptui.sim.engine import Simulator
    from stptui.tui.widgets.inspector_pane import describe_resource

    containers = """\
        - name: web
          packaging: {type: prebuilt-image, properties: {image: web}}
          environment:
            - {name: PORT, value: 3000}
        - name: proxy
          packaging: {type: prebuilt-image, properties: {image: nginx}}
"""
    stack = load_stack_text(
        multi("multi-container-workload", "      connectTo: [jobs]\n", containers)
    )
    sim = Simulator(stack)
    page = describe_resource("app", stack, build_graph(stack), sim, [], sim.start_ms).plain
    web, proxy = page.split("Environment of web")[1].split("Environment of proxy")
    assert "PORT=3000" in web and "STP_JOBS_URL=" in web
    assert "PORT" not in proxy and "STP_JOBS_URL=" in proxy
