"""Completion narrows a value by the words before it: `delete BUCKET <tab>` offers that
bucket's keys, `publish BUS <tab>` the sources of that bus's rules, `publish BUS SOURCE <tab>`
the detail-types of the rules that source can match, `http METHOD <tab>` the routes that
serve the method, `fire F <tab>` the schedules of F, and a command that takes a queue then a
message id the ids of that queue's messages. Driven through the REPL completer with
prompt_toolkit's `Document` and `CompleteEvent`, as Tab is."""

from __future__ import annotations

from pathlib import Path

import pytest
from replkit import complete, metas, tabbed

from stptui.commands import REGISTRY, Arg, Command, CommandResult, Session, execute
from stptui.commands import registry as kinds
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
START = parse_instant("2026-01-05T08:00:00Z")
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def fn(name: str, *events: str) -> str:
    lines = [f"  {name}:", "    type: function", "    properties:", f"      {PACKAGING}"]
    if events:
        lines.append("      events:")
        lines += [f"        - {e}" for e in events]
    return "\n".join(lines) + "\n"


def bus_rule(bus: str, pattern: str) -> str:
    return f"{{type: event-bus, properties: {{eventBusName: {bus}, eventPattern: {pattern}}}}}"


def route(gateway: str, method: str, path: str) -> str:
    props = f"httpApiGatewayName: {gateway}, method: '{method}', path: '{path}'"
    return f"{{type: http-api-gateway, properties: {{{props}}}}}"


STACK = (
    "serviceName: ctx\n"
    "resources:\n"
    "  photos: {type: bucket}\n"
    "  reports: {type: bucket}\n"
    "  orderBus: {type: event-bus}\n"
    "  billingBus: {type: event-bus}\n"
    "  api: {type: http-api-gateway}\n"
    "  adminApi: {type: http-api-gateway}\n"
    "  inbox: {type: sqs-queue}\n"
    "  outbox: {type: sqs-queue}\n"
    + fn(
        "orders",
        bus_rule("orderBus", "{source: [shop.orders], detail-type: [OrderCreated, OrderPaid]}"),
        bus_rule("orderBus", "{source: [shop.returns], detail-type: [ReturnOpened]}"),
        # No source pinned: whatever the source, this rule's detail-type can match.
        bus_rule("orderBus", "{detail-type: [AnySourceAudit]}"),
        # A prefix filter lets `shop.orders` through too, not `shop.returns`.
        bus_rule("orderBus", "{source: [{prefix: shop.ord}], detail-type: [PrefixMatched]}"),
    )
    + fn("billing", bus_rule("billingBus", "{source: [billing], detail-type: [InvoiceDue]}"))
    + fn(
        "web",
        route("api", "GET", "/items"),
        route("api", "POST", "/items"),
        route("api", "*", "/any/{proxy+}"),
        route("api", "DELETE", "/items/{id}"),
        route("adminApi", "GET", "/admin/health"),
    )
    + fn(
        "cleanup",
        "{type: schedule, properties: {scheduleRate: rate(5 minutes)}}",
        "{type: schedule, properties: {scheduleRate: cron(0 9 * * ? *)}}",
    )
    + fn("nightly", "{type: schedule, properties: {scheduleRate: rate(1 day)}}")
)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    path = tmp_path_factory.mktemp("ctx") / "stacktape.yml"
    path.write_text(STACK)
    session = Session.open(path, start_ms=START)
    for line in (
        "upload photos cat.jpg",
        "upload photos dog.jpg",
        "upload reports q1.csv",
        "send inbox first",
        "send inbox second",
        "send outbox other",
    ):
        execute(session, line)
    return session


def test_delete_offers_the_keys_of_the_bucket_named_before(session: Session) -> None:
    assert complete(session, "delete photos ") == ["cat.jpg", "dog.jpg"]
    assert complete(session, "delete reports ") == ["q1.csv"]
    assert complete(session, "delete photos d") == ["dog.jpg"]
    # A bucket that does not exist has no keys to offer.
    assert complete(session, "delete nosuch ") == []


def test_publish_offers_the_sources_of_that_bus(session: Session) -> None:
    assert complete(session, "publish orderBus ") == ["shop.orders", "shop.returns"]
    assert complete(session, "publish billingBus ") == ["billing"]
    assert complete(session, "publish default ") == []


def test_publish_offers_the_detail_types_that_source_can_match(session: Session) -> None:
    assert complete(session, "publish orderBus shop.orders ") == [
        "AnySourceAudit",
        "OrderCreated",
        "OrderPaid",
        "PrefixMatched",
    ]
    assert complete(session, "publish orderBus shop.returns ") == [
        "AnySourceAudit",
        "ReturnOpened",
    ]
    # Another bus's rules do not count, even for a source they pin.
    assert complete(session, "publish billingBus shop.orders ") == []
    assert complete(session, "publish billingBus billing ") == ["InvoiceDue"]


def test_http_offers_the_routes_that_serve_the_method(session: Session) -> None:
    assert complete(session, "http GET ") == ["/admin/health", "/any/{proxy+}", "/items"]
    assert complete(session, "http delete ") == ["/any/{proxy+}", "/items/{id}"]
    assert complete(session, "http PATCH ") == ["/any/{proxy+}"]
    # A gateway given before the path narrows to its routes.
    assert complete(session, "http --gateway adminApi GET ") == ["/admin/health"]
    assert complete(session, "http --gateway=api GET ") == ["/any/{proxy+}", "/items"]


def test_http_paths_say_which_route_they_reach(session: Session) -> None:
    # The rows `show routes` lists: gateway, route key and target (several gateways here).
    shown = metas(session, "http GET ")
    assert shown["/items"] == "api: GET /items → web (function)"
    assert shown["/any/{proxy+}"] == "api: ANY /any/{proxy+} → web (function)"
    assert metas(session, "http POST ")["/items"] == "api: POST /items → web (function)"


WEB_STACK = (
    "resources:\n"
    "  site:\n"
    "    type: web-service\n"
    "    properties:\n"
    "      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: a.ts}}\n"
    "      resources: {cpu: 0.25, memory: 512}\n"
    "  api: {type: http-api-gateway}\n"
    + fn(
        "hook",
        "{type: http-api-gateway, properties: {httpApiGatewayName: api, method: GET, path: /hook}}",
    )
    + "      url: {enabled: true}\n"
)


def test_http_paths_of_a_web_service_and_none_for_a_function_url(tmp_path: Path) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(WEB_STACK)
    s = Session.open(path, start_ms=START)
    url = s.sim.services["function_urls"].urls["hook"].url
    assert complete(s, "http GET ") == ["/hook", "/{proxy+}", url]
    # A web service's name stands for its own HTTP API, as `--gateway` reads it.
    assert complete(s, "http --gateway site GET ") == ["/{proxy+}"]
    assert complete(s, "http --gateway api GET ") == ["/hook"]
    # A function URL takes any path: no route of a gateway is what it reaches.
    assert complete(s, "http --url hook GET ") == []
    assert metas(s, "http GET ")[url] == "hook: hook's function URL (auth NONE)"


def test_fire_offers_the_schedules_of_that_workload(session: Session) -> None:
    assert complete(session, "fire cleanup ") == ["1", "2"]
    shown = metas(session, "fire cleanup ")
    assert shown == {"1": "schedule rate(5 minutes)", "2": "schedule cron(0 9 * * ? *)"}
    # One schedule needs no index: nothing to type.
    assert complete(session, "pause nightly ") == []


def test_fire_pause_resume_offer_each_schedules_node_id(session: Session) -> None:
    # The workloads, then each schedule by the id the graph gives it: the one word that
    # names one schedule of a workload that has several.
    offered = ["cleanup", "nightly", "schedule:cleanup:1", "schedule:cleanup:2"]
    offered.append("schedule:nightly:1")
    for verb in ("fire", "pause", "resume"):
        assert complete(session, f"{verb} ") == offered
    assert complete(session, "pause schedule:c") == ["schedule:cleanup:1", "schedule:cleanup:2"]
    shown = metas(session, "fire schedule:")
    assert shown["schedule:cleanup:2"] == "schedule cron(0 9 * * ? *) of cleanup"
    # A node id names one schedule: no INDEX follows it.
    assert complete(session, "fire schedule:cleanup:2 ") == []


def test_a_paused_schedules_node_id_says_it_is_paused(tmp_path: Path) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(STACK)
    session = Session.open(path, start_ms=START)
    execute(session, "pause schedule:cleanup:1")
    shown = metas(session, "resume schedule:")
    assert shown["schedule:cleanup:1"] == "schedule rate(5 minutes) of cleanup, paused"
    assert shown["schedule:cleanup:2"] == "schedule cron(0 9 * * ? *) of cleanup"
    # What is offered runs: the node id fires that one schedule.
    assert execute(session, "fire schedule:cleanup:2").data["function"] == "cleanup"


def test_a_message_id_after_a_queue_is_one_of_that_queues_messages(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No built-in command takes QUEUE then ID yet; the registry's declarations are what
    # completion reads, so one declared so completes in that queue's context.
    peek = Command(
        "peek",
        "inspect",
        "Show one message of a queue.",
        lambda s, c: CommandResult(),
        args=(Arg("QUEUE", kinds.QUEUE, "a queue"), Arg("ID", kinds.MESSAGE, "a message id")),
    )
    monkeypatch.setitem(REGISTRY.commands, "peek", peek)
    inbox = list(session.sim.queues["inbox"].messages)
    outbox = list(session.sim.queues["outbox"].messages)
    assert len(inbox) == 2 and len(outbox) == 1
    # The ids, then the references that name one by how it came about.
    assert complete(session, "peek inbox ") == [*inbox, "$last", "$newest:"]
    assert complete(session, "peek outbox ") == [*outbox, "$last", "$newest:"]
    # Without a queue before it, `show message` still offers every recent id.
    assert set(complete(session, "show message ")) == {*inbox, *outbox, "$last", "$newest:"}


def test_expect_count_offers_the_resources_that_have_such_records() -> None:
    session = Session.open(ROOT / "stptui/sample_stacks/job-queue", start_ms=START)
    # Before any dead-lettering, no resource has such records: only the kind's fields to
    # filter by, and the comparisons.
    assert complete(session, "expect count message.dead_lettered ") == [
        "message_id=",
        "target=",
        "receive_count=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
    ]
    for line in ("fail worker always", "send jobQueue x", "advance 20m"):
        execute(session, line)
    # A message is dead-lettered from its queue, not from the DLQ or the function.
    found = metas(session, "expect count message.dead_lettered ")
    assert next(iter(found)) == "jobQueue"
    assert found["jobQueue"] == "sqs-queue: 1 message.dead_lettered record so far"
    # The fields are offered there too, each as a field.
    assert found["receive_count="] == "a field of message.dead_lettered records"
    assert "worker" not in found and "deadLetterQueue" not in found
    assert complete(session, "expect count message.received j") == ["jobQueue"]


def test_expect_offers_the_value_now_of_its_path() -> None:
    session = Session.open(ROOT / "stptui/sample_stacks/job-queue", start_ms=START)
    for line in ("fail worker always", "send jobQueue x", "advance 20m"):
        execute(session, line)
    assert metas(session, "expect queue.deadLetterQueue.depth == ") == {"1": "the value now"}
    assert complete(session, "expect function.worker.failures >= ") == ["3"]
    assert complete(session, "expect count message.received jobQueue == ") == ["3"]
    assert complete(session, "expect count invocation.failed == ") == ["3"]
    assert complete(session, "expect time <= ") == ["2026-01-05T08:20:00.000Z"]
    # A path that names nothing has no value to offer.
    assert complete(session, "expect queue.nosuch.depth == ") == []


def test_expect_count_offers_the_fields_of_the_kind_to_filter_by() -> None:
    session = Session.open(ROOT / "stptui/sample_stacks/job-queue", start_ms=START)
    operators = ["==", "!=", "<", "<=", ">", ">="]
    # After a resource, and after each filter, before any record of the kind exists.
    failed = ["invocation_id=", "duration_ms=", "error=", "error_message=", "timeout="]
    fields = [*failed, "error_message_bytes=", "init_ms=", "suppressed_init_ms="]
    assert complete(session, "expect count invocation.failed worker ") == [*fields, *operators]
    assert complete(session, "expect count invocation.failed worker error=X ") == [
        *fields,
        *operators,
    ]
    assert complete(session, "expect count invocation.failed worker err") == [
        "error=",
        "error_message=",
        "error_message_bytes=",
    ]
    # Straight after the kind, where a resource may also go.
    assert complete(session, "expect count http.response sta") == ["status="]
    # A response holds its request's line too (a route's responses are counted by it).
    assert complete(session, "expect count http.response httpApi pa") == ["path="]
    assert complete(session, "expect count http.response httpApi rout") == ["route="]
    assert complete(session, "expect count message.received jobQueue receive_count=1 tar") == []


def test_a_filter_after_the_resource_narrows_the_value_offered() -> None:
    session = Session.open(ROOT / "stptui/sample_stacks/job-queue", start_ms=START)
    for line in ("fail worker always", "send jobQueue x", "advance 20m"):
        execute(session, line)
    assert complete(session, "expect count message.received jobQueue == ") == ["3"]
    second_receives = "expect count message.received jobQueue receive_count=2 == "
    assert complete(session, second_receives) == ["1"]
    assert complete(session, "expect count message.received receive_count=2 == ") == ["1"]


def test_the_menu_calls_a_field_a_field() -> None:
    session = Session.open(ROOT / "stptui/sample_stacks/job-queue", start_ms=START)
    after_kind = metas(session, "expect count http.response sta")
    assert after_kind["status="] == "a field of http.response records"
    after_resource = metas(session, "expect count invocation.failed worker err")
    assert after_resource["error="] == "a field of invocation.failed records"


COMMON_HEADERS = [
    "content-type:application/json",
    "content-type:text/plain",
    "accept:application/json",
    "authorization:",
    "origin:https://app.example.com",
]


def test_http_header_offers_what_the_rules_of_the_request_read_then_common_headers() -> None:
    # `--header ` offered nothing. A load balancer rule that may take the request and has a
    # condition on a header offers a value that meets it, with the rule it reaches.
    session = Session.open(ROOT / "docs/examples/load-balancer.yml", start_ms=START)
    line = "http GET /api/orders --header "
    assert complete(session, line) == ["x-tenant:beta", *COMMON_HEADERS]
    assert metas(session, line)["x-tenant:beta"] == "rule 5 of mainLb:443 → betaApi"
    assert metas(session, line)["content-type:application/json"] == "the body is JSON"
    # Typed as offered, the header meets the rule's condition.
    result = execute(session, tabbed(session, line)[0])
    assert "priority 5 on :443 -> betaApi" in result.text
    # A path the rule does not take, or a header given already, offers only the common ones.
    assert complete(session, "http GET /admin/x --header ") == COMMON_HEADERS
    assert complete(session, "http GET /api/x --header x-tenant:acme --header ") == COMMON_HEADERS
    # A CORS preflight asks for a method.
    assert complete(session, "http OPTIONS /api/x --header ")[-1] == (
        "access-control-request-method:GET"
    )


def test_http_header_offers_what_the_routes_authorizers_and_cors_read() -> None:
    session = Session.open(ROOT / "docs/examples/http-auth.yml", start_ms=START)
    reports = metas(session, "http GET /reports --header ")
    assert list(reports)[:2] == ["x-api-key:", "origin:https://app.example.com"]
    assert reports["x-api-key:"] == "read by api's authorizer gatekeeper: type the value"
    assert reports["origin:https://app.example.com"] == (
        "an origin the CORS configuration of api allows"
    )
    me = metas(session, "http GET /me --header ")
    assert me["authorization:"] == "read by api's cognito authorizer: --user or --jwt sends a token"
    assert "x-api-key:" not in me


def test_http_port_offers_the_listeners_of_the_load_balancer() -> None:
    # `--port ` offered nothing; the ports are the listeners the config gives the load
    # balancer (Stacktape's two here), in their order.
    session = Session.open(ROOT / "docs/examples/load-balancer.yml", start_ms=START)
    assert metas(session, "http GET /api/orders --port ") == {
        "80": "HTTP listener of mainLb: redirects to HTTPS",
        "443": "HTTPS listener of mainLb: 4 rules, the one without --port",
    }
    assert complete(session, "http GET /api/orders --gateway mainLb --port 4") == ["443"]
    assert "HTTP 301" in execute(session, tabbed(session, "http GET /api/orders --port 8")[0]).text
    # Its own listeners, where the config writes them.
    access = Session.open(ROOT / "docs/examples/listener-access.yml", start_ms=START)
    assert complete(access, "http GET / --port ") == ["443", "8443"]
    # An HTTP API has no port to pick (`http` refuses --port for it).
    auth = Session.open(ROOT / "docs/examples/http-auth.yml", start_ms=START)
    assert complete(auth, "http GET /me --port ") == []


HANDSHAKE_HEADERS = [
    "authorization:",
    "sec-websocket-protocol:",
    "origin:https://app.example.com",
    "user-agent:",
]


def test_ws_connect_header_offers_what_the_authorizer_reads_then_handshake_headers(
    tmp_path: Path,
) -> None:
    # `ws-connect --header ` offered nothing. chat.yml's authorizer reads a query parameter:
    # the headers a client may set of its handshake are offered.
    chat = Session.open(ROOT / "docs/examples/chat.yml", start_ms=START)
    assert complete(chat, "ws-connect realtime --header ") == HANDSHAKE_HEADERS
    assert metas(chat, "ws-connect --header ")["user-agent:"] == (
        "the client's name: the $connect event's identity.userAgent"
    )
    # An authorizer reading a header has it offered first, with the function that reads it.
    stack = (ROOT / "docs/examples/chat.yml").read_text()
    (tmp_path / "stacktape.yml").write_text(
        stack.replace("route.request.querystring.token", "route.request.header.X-Api-Key")
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    line = "ws-connect realtime --header "
    assert complete(session, line) == ["x-api-key:", *HANDSHAKE_HEADERS]
    assert metas(session, line)["x-api-key:"] == (
        "read by realtime's authorizer gatekeeper: type the value"
    )
    # Without it the authorizer is not asked (401); with the value typed after the colon
    # the identity source is there and the authorizer decides.
    refused = execute(session, "ws-connect realtime").text
    assert "HTTP 401" in refused
    assert "HTTP 401" not in execute(session, tabbed(session, line)[0] + "k-1").text
    # A header given already is not offered again.
    assert complete(session, f"{line}X-Api-Key:k-1 --header ") == HANDSHAKE_HEADERS
    # Without identitySources the authorizer reads Authorization (API Gateway's default).
    (tmp_path / "stacktape.yml").write_text(
        stack.replace("identitySources: [route.request.querystring.token]", "")
    )
    default = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    assert metas(default, line)["authorization:"] == (
        "read by realtime's authorizer gatekeeper: type the value"
    )
