"""Container workloads serving the HTTP requests routes and rules send them, through their
behaviours (stptui.sim.services.container, docs/behaviors.md "Containers")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import BehaviorError, Behaviors
from stptui.sim.behavior.http_answers import http_answer
from stptui.sim.engine import Simulator
from stptui.sim.explain import explain
from stptui.sim.services.http import HttpResponse
from tests.simkit import START, make_sim, records

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"

# `web` has two containers: `app` behind an HTTP API route and an ALB rule, `side` behind
# another route. `api` is a web service (one container), `jobs` a queue `web` may send to.
STACK = """
resources:
  gw: {type: http-api-gateway}
  lb: {type: application-load-balancer}
  jobs: {type: sqs-queue}
  other: {type: sqs-queue}
  web:
    type: multi-container-workload
    properties:
      resources: {cpu: 0.25, memory: 512}
      connectTo: [jobs]
      containers:
        - name: app
          packaging: {type: prebuilt-image, properties: {image: app}}
          events:
            - type: http-api-gateway
              properties: {httpApiGatewayName: gw, containerPort: 3000, path: '/{proxy+}', method: '*'}
            - type: application-load-balancer
              properties: {loadBalancerName: lb, containerPort: 3000, priority: 1, paths: ['/*']}
        - name: side
          packaging: {type: prebuilt-image, properties: {image: side}}
          events:
            - type: http-api-gateway
              properties: {httpApiGatewayName: gw, containerPort: 9000, path: /side, method: GET}
  api:
    type: web-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: api}}
      resources: {cpu: 0.25, memory: 512}
"""


def sim_with(behaviors: str | None = None) -> Simulator:
    return make_sim(STACK, behaviors)


def api_call(
    sim: Simulator, method: str, path: str, body: str | None = None, **kw: Any
) -> HttpResponse:
    return sim.services["http"].call(method, path, body, gateway="gw", **kw)


def lb_call(
    sim: Simulator, method: str, path: str, body: str | None = None, **kw: Any
) -> HttpResponse:
    return (
        sim.services["http"]
        .sim.services["load_balancers"]
        .call(method, path, body, load_balancer="lb", **kw)
    )


# What `app` saw: its whole request view, answered as the body.
ECHO = 'behaviors:\n  web.app:\n    response: "{status: `200`, body: @}"\n'


def test_a_container_without_a_behaviour_answers_an_empty_200_after_100_ms() -> None:
    sim = sim_with()
    for resp in (api_call(sim, "GET", "/x"), lb_call(sim, "GET", "/x")):
        assert (resp.status, resp.body, resp.latency_ms, resp.reason) == (200, "", 100, None)
    assert [r.get("status") for r in records(sim, tk.CONTAINER_RESPONSE)] == [200, 200]
    assert not records(sim, tk.INVOCATION_STARTED)


def test_over_an_http_api_the_container_gets_the_request_as_sent_with_the_gateways_headers() -> (
    None
):
    sim = sim_with(ECHO)
    resp = api_call(
        sim,
        "POST",
        "/orders/a%20b?tag=x&tag=y&q=a+b",
        '{"amount": 5}',
        headers=[("X-Tenant", "t1")],
    )
    seen = json.loads(resp.body)
    assert (seen["method"], seen["path"]) == ("POST", "/orders/a%20b")  # not decoded
    assert seen["rawQuery"] == "tag=x&tag=y&q=a+b"
    assert seen["query"] == {"tag": "x,y", "q": "a b"}
    assert (seen["body"], seen["rawBody"]) == ({"amount": 5}, '{"amount": 5}')
    assert (seen["container"], seen["port"]) == ("app", 3000)
    headers = seen["headers"]
    assert all(name == name.lower() for name in headers)
    assert headers["x-tenant"] == "t1"
    assert headers["x-forwarded-for"] == "203.0.113.10"
    assert (headers["x-forwarded-proto"], headers["x-forwarded-port"]) == ("https", "443")
    assert headers["x-amzn-trace-id"].startswith("Root=1-")
    domain = sim.services["http"].apis["gw"].domain
    assert headers["forwarded"] == f"for=203.0.113.10;host={domain};proto=https"
    assert headers["content-type"] == "application/json"


def test_over_a_load_balancer_the_container_gets_elbs_forwarded_headers() -> None:
    sim = sim_with(ECHO)
    resp = lb_call(sim, "GET", "/p?x=1", headers=[("X-Forwarded-For", "198.51.100.1")])
    seen = json.loads(resp.body)
    headers = seen["headers"]
    assert headers["x-forwarded-for"] == "198.51.100.1, 203.0.113.10"
    assert (headers["x-forwarded-port"], headers["x-forwarded-proto"]) == ("443", "https")
    assert headers["x-amzn-trace-id"] == resp.request_id
    assert "forwarded" not in headers
    assert (seen["body"], seen["rawBody"], seen["query"]) == (None, None, {"x": "1"})


@pytest.mark.parametrize(
    ("response", "status", "headers", "body"),
    [
        (
            "\"{status: `201`, headers: {location: '/o/1'}, body: 'made'}\"",
            201,
            [("location", "/o/1")],
            "made",
        ),
        (
            '"{status: `202`, body: {id: `1`}}"',
            202,
            [("content-type", "application/json")],
            '{"id":1}',
        ),
        ("\"'plain'\"", 200, [("content-type", "text/plain; charset=utf-8")], "plain"),
        ("{id: 1}", 200, [("content-type", "application/json")], '{"id":1}'),
        ('"{status: `204`}"', 204, [], ""),
    ],
)
def test_the_response_is_the_answer_the_client_gets(
    response: str, status: int, headers: list[tuple[str, str]], body: str
) -> None:
    sim = sim_with(f"behaviors:\n  web:\n    response: {response}\n")
    for resp in (api_call(sim, "GET", "/x"), lb_call(sim, "GET", "/x")):
        assert (resp.status, resp.body) == (status, body)
        for header in headers:
            assert header in resp.headers


def test_a_failed_request_is_a_reset_the_gateway_and_elb_answer_for() -> None:
    sim = sim_with(
        "behaviors:\n  web:\n    duration: 20ms\n"
        "    fail: {when: \"path == '/bad'\", error: ECONNRESET, message: crashed}\n"
    )
    api = api_call(sim, "GET", "/bad")
    assert (api.status, api.body, api.latency_ms) == (503, '{"message":"Service Unavailable"}', 20)
    assert api.reason == "the container reset the connection (ECONNRESET: crashed)"
    lb = lb_call(sim, "GET", "/bad")
    assert lb.status == 502 and "502 Bad Gateway" in lb.body
    assert lb.reason == "the target reset the connection (ECONNRESET: crashed)"
    failed = records(sim, tk.CONTAINER_FAILED, "web")
    assert [(r.get("error"), r.get("error_message"), r.get("duration_ms")) for r in failed] == [
        ("ECONNRESET", "crashed", 20),
        ("ECONNRESET", "crashed", 20),
    ]


def test_a_response_that_does_not_fit_fails_the_request() -> None:
    sim = sim_with('behaviors:\n  web:\n    response: "{status: to_number(path)}"\n')
    resp = api_call(sim, "GET", "/x")
    assert resp.status == 503
    (failed,) = records(sim, tk.CONTAINER_FAILED)
    assert failed.get("error") == "BehaviorError"
    assert "status must be a whole number from 100 to 599" in str(failed.get("error_message"))


def test_a_slow_container_times_out_at_the_gateway_but_runs_on() -> None:
    sim = sim_with(
        "behaviors:\n  web:\n    duration: 61s\n"
        "    emit:\n      - send: {queue: jobs, body: path}\n"
    )
    api = api_call(sim, "GET", "/a")
    assert (api.status, api.latency_ms) == (503, 30_000)
    assert api.reason == "the container did not answer within the 30 s integration timeout"
    lb = lb_call(sim, "GET", "/b")
    assert (lb.status, lb.latency_ms) == (504, 60_000)
    assert "504 Gateway Time-out" in lb.body
    sim.clock.run_until(sim.clock.now + 60_000)
    # Both containers answered in the end, and what they emitted happened.
    assert len(records(sim, tk.CONTAINER_RESPONSE)) == 2
    assert [r.get("source", "").split(":")[0] for r in records(sim, tk.MESSAGE_SENT)] == [
        "web",
        "web",
    ]


def test_a_load_balancer_waits_for_a_container_under_its_idle_timeout() -> None:
    sim = sim_with("behaviors:\n  web:\n    duration: 45s\n")
    assert lb_call(sim, "GET", "/x").status == 200


def test_a_containers_own_behaviour_wins_over_its_workloads() -> None:
    sim = sim_with(
        "behaviors:\n  web:\n    response: \"'workload'\"\n  web.side:\n    response: \"'side'\"\n"
    )
    assert api_call(sim, "GET", "/side").body == "side"
    assert api_call(sim, "GET", "/other").body == "workload"  # app has no entry of its own
    assert sim.behaviors.container_key("web", "side") == "web.side"
    assert sim.behaviors.container_key("web", "app") == "web"


def test_emissions_use_the_workloads_role() -> None:
    sim = sim_with(
        "behaviors:\n  web:\n    emit:\n"
        "      - send: {queue: jobs, body: rawBody}\n"
        "      - send: {queue: other, body: rawBody, when: \"path == '/both'\"}\n"
    )
    ok = api_call(sim, "POST", "/one", "hello")
    assert ok.status == 200
    (sent,) = records(sim, tk.MESSAGE_SENT)
    assert sent.resource == "jobs" and sent.get("source") == f"web:{ok.invocation_id}"
    # `other` is not in web's connectTo: the call is refused, the request fails with it.
    refused = api_call(sim, "POST", "/both", "hello")
    assert refused.status == 503
    (denied,) = records(sim, tk.EMISSION_FAILED)
    task = sim.services["containers"].workloads["web"].task_id
    assert denied.resource == "web" and denied.get("target") == "other"
    assert f"assumed-role/app-dev-web-us-east-1/{task}" in str(denied.get("error"))
    assert len(records(sim, tk.MESSAGE_SENT)) == 1  # nothing of the failed request was sent


def test_log_lines_go_to_the_containers_log_group() -> None:
    sim = sim_with("behaviors:\n  web.app:\n    log: \"join(' ', [method, path])\"\n")
    resp = api_call(sim, "DELETE", "/items/1")
    logs = sim.services["logs"]
    group = logs.group("web.app")
    assert group.name == "/stp/app-dev/ecs/web/app/process-logs"
    (event,) = group.recent(10)
    assert (event.message, event.invocation_id) == ("DELETE /items/1", resp.invocation_id)
    # Stacktape's task definitions give the awslogs driver the stream prefix `ecs`:
    # `ecs/{container}/{task id}`.
    assert event.stream == f"ecs/app/{sim.services['containers'].workloads['web'].task_id}"
    (line,) = records(sim, tk.HANDLER_LOG, "web")
    assert line.get("invocation_id") == resp.invocation_id
    # A service has one container: its group goes by the service's name.
    assert logs.group("api").name == "/stp/app-dev/ecs/api/service-container/process-logs"


def test_show_logs_of_a_workload_with_several_containers_names_them(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    with pytest.raises(CommandError) as err:
        execute(session, "show logs web")
    assert err.value.message == "web has 2 containers, each with its own log group"
    assert err.value.hint == "name one: web.app, web.side"


def test_explain_follows_a_request_through_the_container_to_its_emissions() -> None:
    sim = sim_with("behaviors:\n  web:\n    emit:\n      - send: {queue: jobs, body: rawBody}\n")
    resp = api_call(sim, "POST", "/x", "hi")
    kinds = [r.kind for r in explain(sim.trace, resp.request_id).records]
    assert kinds == [
        tk.HTTP_REQUEST,
        tk.CONTAINER_REQUEST,
        tk.CONTAINER_RESPONSE,
        tk.MESSAGE_SENT,
        tk.HTTP_RESPONSE,
    ]


def test_the_same_run_twice_writes_the_same_trace() -> None:
    def run() -> list[str]:
        sim = sim_with(
            "behaviors:\n  web:\n    duration: {min: 10ms, max: 900ms}\n    fail: {rate: 0.3}\n"
        )
        for i in range(20):
            api_call(sim, "GET", f"/{i}")
        return [json.dumps(r.to_json()) for r in sim.trace.records]

    assert run() == run()


# -- the behaviours file ----------------------------------------------------------------------


def diagnostics(behaviors: str) -> list[tuple[str, str, str]]:
    stack = load_stack_text(STACK, "stacktape.yml")
    _, diags = Behaviors.from_text(behaviors, "stptui.yml", stack)
    return [(d.severity, d.code, d.message) for d in diags]


def test_keys_that_make_no_sense_for_a_container_are_refused_naming_those_that_do() -> None:
    stack = load_stack_text(STACK, "stacktape.yml")
    text = "behaviors:\n  web.app:\n    timeout: true\n    reportBatchItemFailures: true\n"
    _, diags = Behaviors.from_text(text, "stptui.yml", stack)
    assert [(d.code, d.line) for d in diags] == [
        ("behavior-container-key", 3),
        ("behavior-container-key", 4),
    ]
    assert all(
        d.hint
        == "keys that apply to a container: duration, fail, emit, log, response, handler, poll"
        for d in diags
    )


def test_a_container_the_workload_does_not_have_is_an_error_with_a_guess() -> None:
    assert diagnostics("behaviors:\n  web.aap: {}\n") == [
        (
            "error",
            "behavior-unknown-container",
            "web has no container named 'aap'; did you mean 'web.app'?",
        )
    ]


def test_a_web_service_takes_a_behaviour_and_a_constant_answer_is_checked() -> None:
    assert diagnostics("behaviors:\n  api:\n    response: {status: 201}\n") == []
    ((severity, code, message),) = diagnostics(
        "behaviors:\n  api:\n    response: {status: 201, headers: {a: {b: 1}}}\n"
    )
    assert (severity, code) == ("error", "behavior-bad-value")
    assert message.startswith("api.response: header 'a' must be text")


def test_validate_reports_a_container_key_that_does_not_apply(tmp_path: Path) -> None:
    from stptui.cli import main

    code = main(
        [
            "validate",
            str(EXAMPLES / "container-shop.yml"),
            "--behaviors",
            str(EXAMPLES / "container-typo-behaviors.yml"),
        ]
    )
    assert code == 1


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.one_of(
        _JSON,
        st.fixed_dictionaries(
            {},
            optional={
                "status": st.one_of(st.integers(0, 800), _JSON),
                "headers": _JSON,
                "body": _JSON,
            },
        ),
    )
)
def test_any_response_value_is_an_answer_or_a_behavior_error(value: Any) -> None:
    try:
        status, headers, body = http_answer(value, "x.response")
    except BehaviorError:
        return
    assert 100 <= status <= 599
    assert isinstance(body, str)
    assert all(isinstance(n, str) and n == n.lower() and isinstance(v, str) for n, v in headers)
