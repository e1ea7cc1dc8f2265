"""Confirmed mismatches with Stacktape, fixed (reference: shared/reference/stacktape-config.md):

1. container workloads' ingress events (§2.9): their HTTP API routes reach the graph, `show
   routes` and the HTTP API's route selection (the container itself is not simulated);
2. a batch job's `retryConfig.attempts` has no maximum (§2.3);
3. `$CliArgs('stage')` and `$CliArgs('region')` read the session's stage and region (§1.3);
4. a bus's `eventSourceName` is its AWS name (§2.5);
5. the NODE_OPTIONS Stacktape sets for JS/TS packaging (§4.3, `src/utils/environment.ts`);
6. a destination written with `$CfResourceParam` names a `cloudformationResources` entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.config import load_stack, load_stack_text
from stptui.config.directives import DirectiveContext, resolve_directives
from stptui.config.envvars import workload_environment
from stptui.config.loader import parse_yaml
from stptui.config.model import ContainerWorkload, HttpTrigger, Stack
from stptui.graph import TRIGGER, build_graph, to_text
from stptui.sim import trace as tk
from tests.simkit import START, make_sim, records

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
IMAGE = "packaging: {type: prebuilt-image, properties: {image: 'org/web:1'}}"


def stack(text: str, **kwargs: Any) -> Stack:
    """A linted stack from inline YAML."""
    return load_stack_text(text, "stacktape.yml", **kwargs)


def codes(s: Stack) -> list[str]:
    return [d.code for d in s.diagnostics]


def env_of(s: Stack, workload: str) -> dict[str, str]:
    return {e.name: e.value for e in workload_environment(s, s.resources[workload])}  # type: ignore[arg-type]


# -- 1. container workloads' ingress events --------------------------------------------------

CONTAINERS = f"""
resources:
  gw: {{type: http-api-gateway}}
  publicAlb: {{type: application-load-balancer}}
  web:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      containers:
        - name: app
          {IMAGE}
          events:
            - type: http-api-gateway
              properties:
                containerPort: 3000
                httpApiGatewayName: gw
                method: '*'
                path: '/{{proxy+}}'
            - type: http-api-gateway
              properties: {{containerPort: 3000, httpApiGatewayName: gw, method: GET, path: /health}}
        - name: sidecar
          {IMAGE}
          events:
            - type: application-load-balancer
              properties: {{loadBalancerName: publicAlb, priority: 1, paths: ['/*'], containerPort: 8080}}
            - type: workload-internal
              properties: {{containerPort: 9000}}
  api:
    type: function
    properties:
      {PKG}
      events:
        - type: http-api-gateway
          properties: {{httpApiGatewayName: gw, method: GET, path: '/api/{{proxy+}}'}}
        - type: http-api-gateway
          properties: {{httpApiGatewayName: gw, method: GET, path: /health/deep}}
"""


def test_container_events_are_read_into_the_model() -> None:
    s = stack(CONTAINERS)
    assert not s.errors, [d.format() for d in s.errors]
    web = s.resources["web"]
    assert isinstance(web, ContainerWorkload)
    assert web.containers == ["app", "sidecar"]
    assert [(t.type, t.container, t.container_port, t.index) for t in web.events] == [
        ("http-api-gateway", "app", 3000, 0),
        ("http-api-gateway", "app", 3000, 1),
        ("application-load-balancer", "sidecar", 8080, 2),
        ("workload-internal", "sidecar", 9000, 3),
    ]
    route = web.events[0]
    assert isinstance(route, HttpTrigger)
    assert route.gateway is not None and route.gateway.target == "gw"
    assert (route.method, route.route_path) == ("*", "/{proxy+}")
    assert route.path == ("resources", "web", "properties", "containers", 0, "events", 0)
    assert route in list(s.triggers())


def test_container_routes_and_load_balancers_are_drawn() -> None:
    g = build_graph(stack(CONTAINERS))
    edges = {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True) if d["kind"] == TRIGGER}
    route = edges[("gw", "web", "trigger:0")]
    assert (route["method"], route["path"]) == ("*", "/{proxy+}")
    assert (route["container"], route["container_port"]) == ("app", 3000)
    assert "payload_format" not in route  # the container gets the HTTP request itself
    assert edges[("publicAlb", "web", "trigger:2")]["container"] == "sidecar"
    assert not any(v == "web" and k == "trigger:3" for _, v, k in edges)  # internal: no source
    text = to_text(g)
    assert "gw --http(ANY /{proxy+}, container app:3000)--> web" in text
    assert "gw --http(GET /health, container app:3000)--> web" in text
    assert "publicAlb --application-load-balancer(container sidecar:8080)--> web" in text


def open_session(tmp_path: Path, text: str) -> Session:
    (tmp_path / "stacktape.yml").write_text(text)
    return Session.open(tmp_path, start_ms=START)


def test_show_routes_lists_container_routes(tmp_path: Path) -> None:
    session = open_session(tmp_path, CONTAINERS)
    out = execute(session, "show routes")
    assert out.table is not None
    rows = out.table[1]
    assert [
        "gw",
        "ANY /{proxy+}",
        "web (multi-container-workload, container app:3000)",
        "-",
    ] in rows
    assert ["gw", "GET /api/{proxy+}", "api (function)", "1.0"] in rows
    data = {r["route"]: r for r in out.data}  # type: ignore[union-attr]
    assert data["GET /health"]["container"] == "app"
    assert data["GET /health"]["container_port"] == 3000
    assert data["GET /health"]["payload_format"] is None
    assert "container" not in data["GET /api/{proxy+}"]


@pytest.mark.parametrize(
    ("path", "route", "target"),
    [
        ("/other", "ANY /{proxy+}", "web"),  # only the container's greedy route matches
        ("/api/users", "GET /api/{proxy+}", "api"),  # the longer static prefix wins
        ("/health", "GET /health", "web"),  # a full match beats every greedy route
        ("/health/deep", "GET /health/deep", "api"),
        ("/health/x", "ANY /{proxy+}", "web"),
    ],
)
def test_container_routes_take_part_in_route_selection(path: str, route: str, target: str) -> None:
    sim = make_sim(CONTAINERS)
    resp = sim.services["http"].call("GET", path)
    assert (resp.route, resp.target) == (route, target)
    assert resp.invocation_id is not None  # the function ran, or the container served it
    served = [r.get("invocation_id") for r in records(sim, tk.CONTAINER_REQUEST)]
    assert served == ([] if target == "api" else [resp.invocation_id])


def test_a_request_routed_to_a_container_is_served_by_it() -> None:
    sim = make_sim(CONTAINERS)
    resp = sim.services["http"].call("POST", "/other?x=1", "hello")
    # No behaviour: the container answers as a function without one does, 200 after 100 ms.
    assert (resp.status, resp.body, resp.latency_ms, resp.reason) == (200, "", 100, None)
    (req,) = records(sim, tk.HTTP_REQUEST)
    assert (req.get("route"), req.get("target")) == ("ANY /{proxy+}", "web")
    (served,) = records(sim, tk.CONTAINER_REQUEST)
    assert served.resource == "web"
    assert (served.get("container"), served.get("port"), served.get("path")) == (
        "app",
        3000,
        "/other",
    )
    (res,) = records(sim, tk.HTTP_RESPONSE)
    assert res.get("status") == 200 and res.get("invocation_id") == served.get("invocation_id")
    assert not records(sim, tk.INVOCATION_STARTED)


def test_the_http_command_shows_the_route_and_target(tmp_path: Path) -> None:
    session = open_session(tmp_path, CONTAINERS)
    out = execute(session, "http GET /other")
    lines = out.text.splitlines()
    assert lines[0] == "HTTP 200  (gw: ANY /{proxy+} -> web, 100 ms)"
    assert out.data["target"] == "web" and out.data["route"] == "ANY /{proxy+}"  # type: ignore[index]


LEGACY = """
serviceName: faustwp
resources:
  mainApiGateway: {type: http-api-gateway}
  nextJsApp:
    type: container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      containers:
        - name: next-container
          packaging: {type: custom-dockerfile, properties: {buildContextPath: ./}}
          events:
            - type: http-api-gateway
              properties:
                containerPort: 3000
                httpApiGatewayName: mainApiGateway
                method: '*'
                path: /{proxy+}
"""


def test_the_legacy_container_workload_routes_too() -> None:
    s = stack(LEGACY)
    assert codes(s) == ["legacy-type"]  # still named, and nothing else
    app = s.resources["nextJsApp"]
    assert isinstance(app, ContainerWorkload) and app.type == "container-workload"
    g = build_graph(s)
    assert len(g.edges) == 1
    sim = make_sim(LEGACY)
    resp = sim.services["http"].call("GET", "/other")
    assert (resp.status, resp.route, resp.target) == (200, "ANY /{proxy+}", "nextJsApp")


@needs_real
def test_the_real_faustwp_stack_has_its_route() -> None:
    s = load_stack(REAL / "github" / "imjlk__faustwp-stp-deploy__stacktape.yml")
    text = to_text(build_graph(s))
    assert text.startswith("stack faustwp-dev: 2 nodes, 1 edge\n")
    assert (
        "mainApiGateway --http(ANY /{proxy+}, container next-container:3000)--> nextJsApp" in text
    )


def test_a_container_route_without_a_gateway_name_binds_to_the_only_gateway() -> None:
    s = stack(
        f"""
resources:
  gw: {{type: http-api-gateway}}
  web:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      containers:
        - name: app
          {IMAGE}
          events:
            - type: http-api-gateway
              properties: {{containerPort: 80, method: GET, path: /}}
"""
    )
    assert codes(s) == ["missing-gateway-name"]
    (route,) = s.resources["web"].events  # type: ignore[attr-defined]
    assert route.gateway.target == "gw"


@pytest.mark.parametrize(
    ("event", "code", "message"),
    [
        (
            "{type: sqs, properties: {sqsQueueName: q}}",
            "invalid-trigger",
            "a container's `events` take only http-api-gateway, application-load-balancer, "
            "network-load-balancer, service-connect, workload-internal, not 'sqs'",
        ),
        (
            "{type: http-api-gateway, properties: {httpApiGatewayName: gw, method: GET, path: /}}",
            "missing-property",
            "an `http-api-gateway` event of a container needs `containerPort`",
        ),
        (
            "{type: workload-internal, properties: {containerPort: 70000}}",
            "out-of-range",
            "`containerPort` is 70000; allowed: 1-65535",
        ),
        (
            "{type: http-api-gateway, properties: "
            "{httpApiGatewayName: gw, method: GET, path: /, containerPort: x}}",
            "wrong-type",
            "`containerPort` must be an integer, not the string 'x'",
        ),
    ],
)
def test_bad_container_events_are_reported(event: str, code: str, message: str) -> None:
    s = stack(
        f"""
resources:
  gw: {{type: http-api-gateway}}
  q: {{type: sqs-queue}}
  web:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      containers:
        - name: app
          {IMAGE}
          events:
            - {event}
""",
        lint=False,
    )
    assert [(d.code, d.message) for d in s.diagnostics] == [(code, message)]


@pytest.mark.parametrize(
    "event",
    [
        "{type: application-load-balancer, properties: {loadBalancerName: lb, priority: 1, "
        "paths: [/a], containerPort: %s}}",
        "{type: http-api-gateway, properties: {httpApiGatewayName: gw, method: GET, path: /, "
        "containerPort: %s}}",
        "{type: network-load-balancer, properties: {loadBalancerName: nlb, listenerPort: 80, "
        "containerPort: %s}}",
        "{type: service-connect, properties: {containerPort: %s}}",
        "{type: workload-internal, properties: {containerPort: %s}}",
    ],
)
@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("x", "`containerPort` must be an integer, not the string 'x'"),
        ("0", "`containerPort` is 0; allowed: 1-65535"),
    ],
)
def test_a_bad_container_port_is_reported_once_at_the_port(
    event: str, port: str, message: str
) -> None:
    # An application-load-balancer event's containerPort was checked by its event's reader
    # and again by the container's: the same error twice.
    s = stack(
        f"""
resources:
  gw: {{type: http-api-gateway}}
  lb: {{type: application-load-balancer}}
  nlb:
    type: network-load-balancer
    properties: {{listeners: [{{port: 80, protocol: TCP}}]}}
  web:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      containers:
        - name: app
          {IMAGE}
          events:
            - {event % port}
""",
        lint=False,
    )
    line = "            - " + event % port
    column = line.index("containerPort: ") + len("containerPort: ") + 1
    assert [(d.message, d.line, d.column) for d in s.diagnostics] == [(message, 16, column)]


# -- 2. batch retryConfig.attempts -----------------------------------------------------------

BATCH = """
resources:
  job:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
      retryConfig: {attempts: 15}
"""


def test_attempts_above_ten_are_valid() -> None:
    s = stack(BATCH)
    assert codes(s) == []
    assert s.resources["job"].attempts == 15  # type: ignore[attr-defined]


def test_fifteen_attempts_are_simulated() -> None:
    sim = make_sim(BATCH, "behaviors:\n  job: {duration: 1s, fail: true}\n")
    sim.services["batch"].start("job", {}, "manual", "test")
    sim.run(86_400_000)
    started = records(sim, tk.BATCH_ATTEMPT_STARTED, "job")
    assert [r.get("attempt") for r in started] == list(range(1, 16))
    (failed,) = records(sim, tk.BATCH_FAILED, "job")
    assert failed.get("attempts") == 15


def test_attempts_0_is_one_attempt_as_in_stacktapes_state_machine() -> None:
    # `const totalAttempts = workload.retryConfig?.attempts || 1` (batch-jobs/utils.ts).
    s = stack(BATCH.replace("attempts: 15", "attempts: 0"), lint=False)
    assert s.diagnostics == []
    sim = make_sim(
        BATCH.replace("attempts: 15", "attempts: 0"), "behaviors:\n  job: {fail: true}\n"
    )
    sim.services["batch"].start("job", {}, "manual", "test")
    sim.run(86_400_000)
    [started] = records(sim, tk.BATCH_ATTEMPT_STARTED, "job")
    assert started.get("env")["STP_MAXIMUM_ATTEMPTS"] == "1"
    s = stack(BATCH.replace("attempts: 15", "attempts: -1"), lint=False)
    assert [(d.code, d.message) for d in s.diagnostics] == [
        ("out-of-range", "`attempts` is -1; allowed: at least 0")
    ]


# -- 3. $CliArgs('stage') and $CliArgs('region') ---------------------------------------------

CLI = """
variables:
  where: $CliArgs('stage')
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      environment:
        - {name: STAGE, value: "$CliArgs('stage')"}
        - {name: REGION, value: "$CliArgs('region', 'us-east-1')"}
        - {name: VIA_VAR, value: $Var().where}
"""


def test_cli_args_stage_and_region_are_the_sessions() -> None:
    s = stack(CLI, stage="prod", region="eu-west-1")
    assert codes(s) == []
    assert env_of(s, "worker") == {"STAGE": "prod", "REGION": "eu-west-1", "VIA_VAR": "prod"}


def test_cli_args_stage_defaults_to_the_default_stage() -> None:
    s = stack(CLI)
    assert codes(s) == []
    assert env_of(s, "worker")["STAGE"] == "dev"


def test_explicit_cli_args_still_win_and_others_still_warn() -> None:
    loaded = parse_yaml("a: $CliArgs('stage')\nb: $CliArgs('other')\n", "x.yml")
    resolve_directives(loaded, DirectiveContext(stage="prod", cli_args={"stage": "given"}))
    assert loaded.data["a"] == "given"
    assert loaded.data["b"] == "$CliArgs('other')"
    assert [d.code for d in loaded.diagnostics] == ["directive-cli-arg"]


# -- 4. a bus's eventSourceName is its name --------------------------------------------------

PARTNER_ARN = "arn:aws:events:us-east-1:123456789012:event-bus/aws.partner/acme.com/123/orders"
PARTNER = """
resources:
  partnerBus:
    type: event-bus
    properties:
      eventSourceName: aws.partner/acme.com/123/orders
      archivation: {enabled: true}
  appBus: {type: event-bus}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      connectTo: [partnerBus, appBus]
      environment:
        - {name: PARTNER, value: "$ResourceParam('partnerBus', 'arn')"}
      events:
        - type: event-bus
          properties:
            eventBusArn: PARTNER_ARN
            eventPattern: {source: [acme.orders]}
""".replace("PARTNER_ARN", PARTNER_ARN)


def test_the_event_source_name_names_the_bus() -> None:
    s = stack(PARTNER)
    assert codes(s) == []
    env = env_of(s, "worker")
    assert env["STP_PARTNER_BUS_ARN"] == PARTNER_ARN
    assert env["PARTNER"] == PARTNER_ARN
    # The archive keeps the stack's naming: an archive name may not hold `/`.
    assert env["STP_PARTNER_BUS_ARCHIVE_ARN"] == (
        "arn:aws:events:us-east-1:123456789012:archive/app-dev-partnerBus-archive"
    )
    assert env["STP_APP_BUS_ARN"].endswith(":event-bus/app-dev-appBus")


def test_a_literal_arn_of_a_partner_bus_is_the_bus_in_the_stack() -> None:
    s = stack(PARTNER)
    (trig,) = s.resources["worker"].events  # type: ignore[attr-defined]
    assert trig.bus.target == "partnerBus"
    g = build_graph(s)
    assert g.has_edge("partnerBus", "worker", "trigger:0")


def test_the_simulated_bus_has_the_partner_arn() -> None:
    sim = make_sim(PARTNER)
    assert sim.arn("partnerBus") == PARTNER_ARN
    buses = sim.services["buses"]
    assert buses.bus("partnerBus").arn == PARTNER_ARN
    assert buses.bus("partnerBus").name == "aws.partner/acme.com/123/orders"
    buses.publish(PARTNER_ARN, "acme.orders", "OrderPlaced", {"id": 1})
    sim.run(60_000)
    assert [r.resource for r in records(sim, tk.INVOCATION_STARTED)] == ["worker"]


def test_an_event_source_name_from_a_directive_names_the_bus_too() -> None:
    s = stack(
        PARTNER.replace(
            "eventSourceName: aws.partner/acme.com/123/orders",
            "eventSourceName: $Format('aws.partner/acme.com/123/{}', $Stage())",
        ),
        stage="orders",
    )
    assert env_of(s, "worker")["PARTNER"] == PARTNER_ARN.replace("app-dev", "app-orders")


def test_a_literal_arn_of_a_resource_defined_later_is_that_resource() -> None:
    # The ARN index knows every resource's type before the first reference is read.
    s = stack(
        """
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: s3
          properties:
            bucketArn: 'arn:aws:s3:::app-dev-uploads-e6e91c68'
            s3EventType: 's3:ObjectCreated:*'
  uploads: {type: bucket}
"""
    )
    (trig,) = s.resources["worker"].events  # type: ignore[attr-defined]
    assert trig.bucket.target == "uploads"
    assert build_graph(s).has_edge("uploads", "worker", "trigger:0")


# -- 5. NODE_OPTIONS -------------------------------------------------------------------------

ALL_FLAGS = "--enable-source-maps --experimental-require-module --experimental-detect-module"


def fn_env(packaging: str, extra: str = "") -> dict[str, str]:
    s = stack(
        f"""
resources:
  f:
    type: function
    properties:
      packaging: {packaging}
{extra}"""
    )
    return env_of(s, "f")


@pytest.mark.parametrize(
    ("packaging", "extra", "expected"),
    [
        # Stacktape's Lambda default is Node 24: source maps plus the Node 22+ interop flags.
        (
            "{type: stacktape-lambda-buildpack, properties: {entryfilePath: src/a.ts}}",
            "",
            ALL_FLAGS,
        ),
        ("{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.MJS}}", "", ALL_FLAGS),
        ("{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.jsx}}", "", ALL_FLAGS),
        # The runtime's Node version counts when no nodeVersion is given.
        (
            "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.js}}",
            "      runtime: nodejs20.x\n",
            "--enable-source-maps",
        ),
        (
            "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.js}}",
            "      runtime: nodejs22.x\n",
            ALL_FLAGS,
        ),
        # languageSpecificConfig.nodeVersion comes first.
        (
            "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts, "
            "languageSpecificConfig: {nodeVersion: 22}}}",
            "      runtime: nodejs20.x\n",
            ALL_FLAGS,
        ),
        (
            "{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts, "
            "languageSpecificConfig: {nodeVersion: 18}}}",
            "",
            "--enable-source-maps",
        ),
        # Not JavaScript or TypeScript, or packaged by the user: nothing.
        ("{type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}", "", None),
        (
            "{type: custom-artifact, properties: {packagePath: a.zip, handler: 'a.js:handler'}}",
            "      runtime: nodejs22.x\n",
            None,
        ),
    ],
)
def test_node_options_of_functions(packaging: str, extra: str, expected: str | None) -> None:
    assert fn_env(packaging, extra).get("NODE_OPTIONS") == expected


def test_node_options_extend_the_configs_own() -> None:
    s = stack(
        """
resources:
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      runtime: nodejs20.x
      environment:
        - {name: NODE_OPTIONS, value: --max-old-space-size=512}
        - {name: MODE, value: fast}
"""
    )
    env = workload_environment(s, s.resources["f"])  # type: ignore[arg-type]
    assert [(e.name, e.value, e.source) for e in env] == [
        ("MODE", "fast", "config"),
        ("NODE_OPTIONS", "--max-old-space-size=512 --enable-source-maps", "stacktape"),
    ]


def test_node_options_that_hold_every_flag_are_left_alone() -> None:
    s = stack(
        """
resources:
  f:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      runtime: nodejs20.x
      environment:
        - {name: NODE_OPTIONS, value: --enable-source-maps}
        - {name: MODE, value: fast}
"""
    )
    env = workload_environment(s, s.resources["f"])  # type: ignore[arg-type]
    assert [(e.name, e.source) for e in env] == [("NODE_OPTIONS", "config"), ("MODE", "config")]


@pytest.mark.parametrize(
    ("packaging", "expected"),
    [
        # Stacktape's container default is Node 24 too.
        ("{type: stacktape-image-buildpack, properties: {entryfilePath: src/job.js}}", ALL_FLAGS),
        (
            "{type: stacktape-image-buildpack, properties: {entryfilePath: src/job.ts, "
            "languageSpecificConfig: {nodeVersion: 20}}}",
            "--enable-source-maps",
        ),
        ("{type: stacktape-image-buildpack, properties: {entryfilePath: job.py}}", None),
        ("{type: prebuilt-image, properties: {image: node:22}}", None),
        ("{type: custom-dockerfile, properties: {buildContextPath: ., entryfilePath: a.ts}}", None),
    ],
)
def test_node_options_of_batch_jobs(packaging: str, expected: str | None) -> None:
    s = stack(
        f"""
resources:
  job:
    type: batch-job
    properties:
      container: {{packaging: {packaging}}}
      resources: {{cpu: 1, memory: 1024}}
""",
        lint=False,
    )
    assert env_of(s, "job").get("NODE_OPTIONS") == expected


# -- 6. destinations in cloudformationResources ----------------------------------------------

CF = """
cloudformationResources:
  MySnsTopic:
    Type: AWS::SNS::Topic
resources:
  processData:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      destinations:
        onFailure: $CfResourceParam('MySnsTopic', 'Arn')
        onSuccess: $CfResourceParam('OtherTopic', 'Arn')
"""


def test_a_cloudformation_destination_is_a_node_of_the_stack() -> None:
    s = stack(CF)
    assert s.cloudformation_resources == {"MySnsTopic": "AWS::SNS::Topic"}
    g = build_graph(s)
    assert g.has_edge("processData", "cf:MySnsTopic", "destination:onFailure")
    node = g.nodes["cf:MySnsTopic"]
    assert node["kind"] == "cloudformation-resource"
    assert node["label"] == "MySnsTopic"
    assert node["props"] == {"cfn_type": "AWS::SNS::Topic"}
    assert node["missing"] is False and node["external"] is False
    assert "processData --destination(onFailure)--> cf:MySnsTopic\n" in to_text(g)
    assert "cf:MySnsTopic (cloudformation-resource, AWS::SNS::Topic)" in to_text(g)


def test_a_logical_id_the_config_does_not_list_is_outside_it() -> None:
    # It may be one Stacktape generates (`$CfResourceParam('MyBucketBucket', 'Name')`).
    g = build_graph(stack(CF))
    node = g.nodes["<cf:OtherTopic.Arn>"]
    assert node["kind"] == "external" and node["missing"] is False
    assert g.has_edge("processData", "<cf:OtherTopic.Arn>", "destination:onSuccess")


@needs_real
def test_the_directives_doc_stack_has_no_missing_node() -> None:
    s = load_stack(REAL / "docs" / "docs__docs__configuration__directives.mdx__2.yml")
    text = to_text(build_graph(s))
    assert "processData --destination(onFailure)--> cf:MySnsTopic\n" in text
    assert "(missing)" not in text
