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


def _gateway(overrides: str) -> HttpApiGateway:
    text = f"resources:\n  api:\n    type: http-api-gateway\n{overrides}"
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
    assert missing.value.hint == "did you mean api GET /orders/{id}?"


def test_the_hint_says_which_override_turns_them_on() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "combined", start_ms=START)
    with pytest.raises(CommandError) as info:
        execute(session, "expect 'metric.httpApi ANY /{proxy+}.Count.Sum' == 0")
    hint = info.value.hint or ""
    assert (
        "overrides: {HttpApiStage: {DefaultRouteSettings: {DetailedMetricsEnabled: true}}}" in hint
    )
