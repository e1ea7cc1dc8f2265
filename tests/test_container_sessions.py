"""Containers and web services across the promises every command keeps: `http` to a
container (through an HTTP API route, a load balancer rule, a web-service's own HTTP API and
its own load balancer), the overrides on a workload and on one container, and `log` into a
container's group are saved and loaded, recorded and sourced, to the identical trace and
views; the same script gives the same trace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from tests.session_checks import assert_replays, run_line, trace_lines, views_of, write_stack
from tests.simkit import START

# `shop` (two containers) behind an HTTP API route and a load balancer rule; `site`, a
# web-service on its own HTTP API with an error-rate alarm; `admin`, a web-service on its
# own load balancer; `fulfil` reads the queue `shop.app` sends to.
STACK = """\
serviceName: mall
resources:
  api:
    type: http-api-gateway
  lb:
    type: application-load-balancer
  orders:
    type: sqs-queue
  shop:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      connectTo: [orders]
      containers:
        - name: app
          packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: a.ts}}
          events:
            - type: http-api-gateway
              properties: {httpApiGatewayName: api, containerPort: 3000, path: /orders, method: POST}
            - type: application-load-balancer
              properties: {loadBalancerName: lb, containerPort: 3000, priority: 5, paths: ['/orders']}
        - name: stats
          packaging: {type: prebuilt-image, properties: {image: statsd}}
          events:
            - type: http-api-gateway
              properties: {httpApiGatewayName: api, containerPort: 9102, path: /stats, method: GET}
  site:
    type: web-service
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: s.ts}}
      resources: {cpu: 0.25, memory: 512}
      alarms:
        - trigger:
            type: http-api-gateway-error-rate
            properties: {thresholdPercent: 20}
  admin:
    type: web-service
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: s.ts}}
      resources: {cpu: 0.25, memory: 512}
      loadBalancing: {type: application-load-balancer}
  fulfil:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: orders}
"""

BEHAVIORS = """\
behaviors:
  shop:
    duration: {min: 2ms, max: 40ms}
    response: "'ok'"
  shop.app:
    duration: {min: 10ms, max: 90ms}
    fail: {when: "body.amount > `100`", error: ECONNRESET}
    log: "join(' ', [method, path])"
    emit:
      - send: {queue: orders, body: rawBody}
    response: "{status: `201`, body: {id: body.id}}"
  site:
    duration: 15ms
    fail: {rate: 0.3}
    log: "path"
    response: "{status: `200`, body: path}"
  admin:
    duration: 5ms
"""

VIEWS = (
    "show routes",
    "show rules",
    "show logs shop.app",
    "show logs site",
    "show alarms",
    "show queue orders",
)
ORDER = 'http POST /orders \'{{"id": {n}, "amount": {amount}}}\' --gateway api'


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    return write_stack(tmp_path, STACK, BEHAVIORS)


def _open(stack_file: Path, *, start_ms: int = START, seed: int = 0) -> Session:
    return Session.open(stack_file, start_ms=start_ms, seed=seed)


SCENARIOS = {
    "a container route of an HTTP API": [
        ORDER.format(n=1, amount=5),
        "http GET /stats --gateway api",
    ],
    "a container rule of a load balancer": ["http POST /orders '{\"id\": 2}' --gateway lb"],
    "a container that fails the request": [ORDER.format(n=3, amount=500)],
    "a web-service's own HTTP API": [
        "http GET /a/b?x=1 --gateway site",
        "http GET / --gateway site",
        "advance 2m",
    ],
    "a web-service's own load balancer": ["http GET /admin --gateway admin"],
    "overrides of a workload and a container": [
        "fail shop.app next 1",
        ORDER.format(n=4, amount=5),
        "slow shop 45s",
        "http GET /stats --gateway api",
        "succeed shop",
        ORDER.format(n=5, amount=5),
    ],
    "a line logged into a container's group": ["log shop.stats 'hello'", "log site 'x'"],
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_save_and_load_give_the_identical_trace_and_views(
    stack_file: Path, tmp_path: Path, name: str
) -> None:
    first = _open(stack_file)
    for line in SCENARIOS[name]:
        execute(first, line)  # each is accepted
    assert first.log == list(SCENARIOS[name])
    target = tmp_path / "saved.json"
    execute(first, f"save {target}")
    assert json.loads(target.read_text())["commands"] == first.log

    other = _open(stack_file, start_ms=START + 5_000, seed=7)
    execute(other, "http GET /stats --gateway api")  # what the load replaces
    execute(other, f"load {target}")
    assert trace_lines(other) == trace_lines(first)
    assert views_of(other, VIEWS) == views_of(first, VIEWS)
    # Both go on identically: requests in flight end, the queue is read, alarms evaluate.
    for session in (first, other):
        execute(session, ORDER.format(n=99, amount=1))
        execute(session, "advance 10m")
    assert trace_sha256(other.sim.trace) == trace_sha256(first.sim.trace)
    assert views_of(other, VIEWS) == views_of(first, VIEWS)


def test_a_recording_sources_to_the_identical_trace(stack_file: Path, tmp_path: Path) -> None:
    first = _open(stack_file)
    execute(first, f"record {tmp_path / 'run.stp'}")
    for line in (
        "fail shop.stats rate 0.5",
        ORDER.format(n=1, amount=5),
        "http GET /stats --gateway api",
        "http GET /x/y --gateway site.httpApiGateway",
        "http GET /admin --gateway admin.loadBalancer",
        "advance 1m",
    ):
        execute(first, line)
    execute(first, "record stop")
    again = _open(stack_file)
    execute(again, f"source {tmp_path / 'run.stp'}")
    assert trace_lines(again) == trace_lines(first)
    assert views_of(again, VIEWS) == views_of(first, VIEWS)


TEMPLATES = [
    ORDER.format(n=1, amount=5),
    ORDER.format(n=2, amount=500),
    "http POST /orders '{\"id\": 3}' --gateway lb",
    "http GET /stats --gateway api",
    "http GET /stats --gateway lb",  # no rule: the listener's default answer
    "http GET /p/{n} --gateway api",
    "http GET /p/{n} --gateway site",
    "http GET /admin/{n} --gateway admin",
    "fail shop next 2",
    "fail shop.app rate 0.5",
    "fail site when \"path == '/p/1'\"",
    "slow shop.stats 31s",
    "slow admin 61s",
    "succeed shop",
    "succeed shop.app",
    "succeed site",
    "log shop.app 'line {n}'",
    "log shop 'refused: two containers'",
    "fail shop.nope",
    "advance 1s",
    "advance 40s",
    "advance 5m",
]

scripts = st.lists(
    st.tuples(st.sampled_from(TEMPLATES), st.integers(0, 3)), min_size=1, max_size=14
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=scripts)
def test_the_same_script_gives_the_same_trace_and_replays_from_a_save(
    script: list[tuple[str, int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    def drive(session: Session) -> None:
        for template, n in script:
            run_line(session, template.replace("{n}", str(n)))
        execute(session, "advance 2m")

    stack = write_stack(tmp_path_factory.mktemp("stack"), STACK, BEHAVIORS)
    assert_replays(stack, START, drive, VIEWS)
