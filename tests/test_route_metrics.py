"""Per-route HTTP API metrics: API Gateway publishes them (ApiId, Stage, Method and Resource
dimensions) only with detailed metrics on, which Stacktape's stage leaves off and only
`overrides` of the stage turn on; `expect metric...` and `show metrics` name a route as
`API ROUTE_KEY`, and are refused one CloudWatch has no metrics of, saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.config.model import HttpApiGateway
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
START = parse_instant("2026-01-05T08:00:00Z")


# A function whose routes on `api` the stage's RouteSettings may name, after the gateway so
# that the line numbers of the stage's overrides stay where the tests expect them.
ROUTES = (
    "  fn:\n    type: function\n    properties:\n"
    "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
    "      events:\n"
    + "".join(
        f"        - {{type: http-api-gateway, properties: {{httpApiGatewayName: api, "
        f"method: '{method}', path: '{path}'}}}}\n"
        for method, path in (("GET", "/x"), ("GET", "/y"), ("GET", "/a.json"), ("*", "*"))
    )
)


def _gateway(overrides: str) -> HttpApiGateway:
    text = f"resources:\n  api:\n    type: http-api-gateway\n{overrides}{ROUTES}"
    stack = load_stack_text(text, "stacktape.yml")
    assert not stack.errors, stack.errors
    gateway = stack.resources["api"]
    assert isinstance(gateway, HttpApiGateway)
    return gateway


def test_stacktapes_stage_has_no_detailed_metrics() -> None:
    assert not _gateway("").route_has_detailed_metrics("GET /x")


@pytest.mark.parametrize(
    "stage",
    [
        "        DefaultRouteSettings: {DetailedMetricsEnabled: true}\n",
        "        DefaultRouteSettings.DetailedMetricsEnabled: true\n",
    ],
)
def test_overrides_of_the_stage_turn_them_on(stage: str) -> None:
    gateway = _gateway(f"    overrides:\n      ApiStage:\n{stage}")
    assert gateway.route_has_detailed_metrics("GET /x")


def test_route_settings_override_the_stage_default_per_route() -> None:
    gateway = _gateway(
        "    overrides:\n      ApiStage:\n        RouteSettings:\n"
        "          GET /x: {DetailedMetricsEnabled: true}\n"
    )
    assert gateway.route_has_detailed_metrics("GET /x")
    assert not gateway.route_has_detailed_metrics("GET /y")
    # Another logical id is another resource's, not the stage's.
    other = _gateway(
        "    overrides:\n      ApiHttpApi:\n        DefaultRouteSettings: "
        "{DetailedMetricsEnabled: true}\n"
    )
    assert not other.route_has_detailed_metrics("GET /x")


def _session() -> Session:
    session = Session.open(
        EXAMPLES / "route-metrics.yml",
        behaviors_path=EXAMPLES / "route-metrics-behaviors.yml",
        start_ms=START,
    )
    for line in ("http GET /orders/1", "http GET /orders/2", "http GET /health", "advance 1s"):
        execute(session, line)
    return session


def test_a_route_with_detailed_metrics_is_named_by_its_route_key() -> None:
    session = _session()
    execute(session, "expect 'metric.api GET /orders/{id}.Count.Sum' == 2")
    execute(session, "expect 'metric.api GET /orders/{id}.4xx.Average' == 0.5")
    # A route that answered nothing has its zeros: CloudWatch has the metric.
    execute(session, "expect 'metric.api POST /orders.Count.Sum' == 0")
    shown = execute(session, "show metrics 'api GET /orders/{id}'")
    assert list(shown.data["resources"]) == ["api GET /orders/{id}"]


def test_a_route_without_them_is_refused_saying_why() -> None:
    session = _session()
    with pytest.raises(CommandError) as off:
        execute(session, "expect 'metric.api GET /health.Count.Sum' == 1")
    assert "only with detailed metrics on" in off.value.message
    assert "RouteSettings" in (off.value.hint or "")
    with pytest.raises(CommandError) as missing:
        execute(session, "show metrics 'api GET /order'")
    assert missing.value.hint == "did you mean 'api GET /orders/{id}'?"


def test_the_hint_says_which_override_turns_them_on() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "combined", start_ms=START)
    with pytest.raises(CommandError) as info:
        execute(session, "expect 'metric.httpApi ANY /{proxy+}.Count.Sum' == 0")
    hint = info.value.hint or ""
    assert (
        "overrides: {HttpApiStage: {DefaultRouteSettings: {DetailedMetricsEnabled: true}}}" in hint
    )


def _stage(*entries: str) -> tuple[HttpApiGateway, list[str]]:
    """The gateway whose stage `overrides` are `entries` (lines under `ApiStage:`), and its
    diagnostics as `line:col code message`."""
    body = "".join(f"        {e}\n" for e in entries)
    text = (
        f"resources:\n  api:\n    type: http-api-gateway\n    overrides:\n      ApiStage:\n{body}"
        f"{ROUTES}"
    )
    stack = load_stack_text(text, "stacktape.yml")
    gateway = stack.resources["api"]
    assert isinstance(gateway, HttpApiGateway)
    found = [f"{d.line}:{d.column} {d.code} {d.message}" for d in stack.diagnostics]
    return gateway, found


@pytest.mark.parametrize(
    "entries",
    [
        # Stacktape's override paths: each dot goes down a level.
        ("RouteSettings.GET /x.DetailedMetricsEnabled: true",),
        ("RouteSettings.GET /x: {DetailedMetricsEnabled: true}",),
        ("RouteSettings: {GET /x: {DetailedMetricsEnabled: 'true'}}",),  # CloudFormation's text
        (
            "RouteSettings: {GET /x: {DetailedMetricsEnabled: {Ref: Detailed}}}",
            "RouteSettings.GET /x.DetailedMetricsEnabled: true",
        ),
    ],
)
def test_every_form_cloudformation_takes_turns_a_route_on(entries: tuple[str, ...]) -> None:
    gateway, found = _stage(*entries)
    assert found == []
    assert gateway.route_has_detailed_metrics("GET /x")
    assert not gateway.route_has_detailed_metrics("GET /y")


def test_a_later_override_replaces_what_an_earlier_one_set_there() -> None:
    # The whole mapping first, then one of its properties: the property wins.
    off, _ = _stage(
        "DefaultRouteSettings: {DetailedMetricsEnabled: true, ThrottlingBurstLimit: 10}",
        "DefaultRouteSettings.DetailedMetricsEnabled: 'false'",
    )
    assert not off.route_has_detailed_metrics("GET /x")
    # The property first, then the whole mapping, which replaces it.
    on, _ = _stage(
        "DefaultRouteSettings.DetailedMetricsEnabled: false",
        "DefaultRouteSettings: {DetailedMetricsEnabled: true}",
    )
    assert on.route_has_detailed_metrics("GET /x")
    # A route's own settings win over the default, either way.
    both, _ = _stage(
        "DefaultRouteSettings.DetailedMetricsEnabled: true",
        "RouteSettings.GET /x.DetailedMetricsEnabled: false",
    )
    assert both.route_has_detailed_metrics("GET /y")
    assert not both.route_has_detailed_metrics("GET /x")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "RouteSettings: [GET /x]",
            "6:24 wrong-type `RouteSettings` of the stage must be a mapping of route keys",
        ),
        (
            "DefaultRouteSettings: true",
            "6:31 wrong-type `DefaultRouteSettings` must be a mapping of route settings, not true",
        ),
        (
            "DefaultRouteSettings: {DetailedMetricsEnabled: yes please}",
            "6:56 wrong-type `DefaultRouteSettings.DetailedMetricsEnabled` must be a boolean, "
            "not the text 'yes please'",
        ),
        (
            "RouteSettings.GET /x.ThrottlingBurstLimit: 1.5",
            "6:52 wrong-type `RouteSettings.GET /x.ThrottlingBurstLimit` must be an integer",
        ),
        (
            "RouteSettings: {GET /x: {DetailedMetricEnabled: true}}",
            "6:34 unknown-property `RouteSettings.GET /x` has no property 'DetailedMetricEnabled'",
        ),
        (
            "RouteSettings: {orders: {DetailedMetricsEnabled: true}}",
            "6:25 invalid-value 'orders' in `RouteSettings` is no route key of an HTTP API",
        ),
    ],
)
def test_a_malformed_stage_override_is_reported_where_it_is_written(
    entry: str, expected: str
) -> None:
    gateway, found = _stage(entry)
    assert len(found) == 1 and found[0].startswith(expected), found
    assert not gateway.route_has_detailed_metrics("GET /x")


def test_a_route_key_with_a_dot_in_a_dotted_path_says_to_use_the_mapping() -> None:
    text = (
        "resources:\n  api:\n    type: http-api-gateway\n    overrides:\n      ApiStage:\n"
        "        RouteSettings.GET /a.json.DetailedMetricsEnabled: true\n"
        f"{ROUTES}"
    )
    stack = load_stack_text(text, "stacktape.yml")
    (diag,) = stack.diagnostics
    assert diag.code == "unknown-property" and (diag.line, diag.column) == (6, 9)
    assert "has no property 'json'" in diag.message
    assert "RouteSettings: {'GET /a.json': {DetailedMetricsEnabled: true}}" in (diag.hint or "")
    # Written as a mapping, the key is the route's.
    text = text.replace(
        "RouteSettings.GET /a.json.DetailedMetricsEnabled: true",
        "RouteSettings: {'GET /a.json': {DetailedMetricsEnabled: true}}",
    )
    gateway = load_stack_text(text, "stacktape.yml").resources["api"]
    assert isinstance(gateway, HttpApiGateway)
    assert gateway.route_has_detailed_metrics("GET /a.json")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "RouteSettings: {GET /z: {ThrottlingBurstLimit: 10}}",
            "6:25 route-settings-unknown-route RouteSettings of 'api''s stage name the route "
            "'GET /z', which the API does not have; API Gateway refuses the stage",
        ),
        # The method is part of the key: GET /x exists, POST /x does not.
        ("RouteSettings.POST /x.DetailedMetricsEnabled: true", "6:9 route-settings-unknown-route"),
        # Stacktape's `method: '*'` and `path: '*'` are API Gateway's ANY and $default.
        ("RouteSettings.ANY /x.DetailedMetricsEnabled: true", "6:9 route-settings-unknown-route"),
    ],
)
def test_route_settings_of_a_route_the_api_lacks_are_refused(entry: str, expected: str) -> None:
    _, found = _stage(entry)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_the_refusal_suggests_the_route_meant() -> None:
    stack = load_stack_text(
        "resources:\n  api:\n    type: http-api-gateway\n    overrides:\n      ApiStage:\n"
        "        RouteSettings: {GET /a.jsn: {DetailedMetricsEnabled: true}}\n" + ROUTES,
        "stacktape.yml",
    )
    (diag,) = stack.diagnostics
    assert (
        diag.code == "route-settings-unknown-route" and diag.hint == "did you mean 'GET /a.json'?"
    )
    assert diag.severity == "error"


def test_the_catch_all_route_is_named_default() -> None:
    _, found = _stage("RouteSettings: {$default: {DetailedMetricsEnabled: true}}")
    assert found == []
