"""A web-service's own HTTP API or load balancer in the terminal UI: the graph draws it, the
inspector shows it when it is selected, and the `h` dialog lists its route and sends to it;
the `l` dialog writes into its container's log group."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Select, Static
from tui_support import START, drawn_text, drive

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import HttpDialog
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.widgets.graph_pane import GraphPane
from stptui.tui.widgets.inspector_pane import InspectorPane

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def shown(app: StptuiApp, selector: str) -> str:
    """What a Static of the current screen draws, its lines joined with single spaces."""
    return " ".join(drawn_text(app.screen.query_one(selector, Static)).split())


def test_h_lists_the_services_route_and_sends_to_it() -> None:
    session = Session.open(EXAMPLES / "web-service.yml", start_ms=START)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        assert isinstance(app.screen, HttpDialog)
        assert "ANY /{proxy+} → web" in shown(app, "#http-routes")
        await pilot.press(*"/orders/7", "ctrl+s")
        response = shown(app, "#http-response")
        assert response.startswith("HTTP 200 (web.httpApiGateway: ANY /{proxy+} -> web, 100 ms)")
        assert app.session.log == ["http GET /orders/7"]

    drive(StptuiApp(session), script)


def test_the_graph_draws_the_entry_and_the_inspector_shows_its_rules() -> None:
    session = Session.open(EXAMPLES / "web-service-alb.yml", start_ms=START)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.pause()
        drawn = drawn_text(app.query_one(GraphPane))
        assert "web.loadBalancer" in drawn and "mqtt.networkLoadBalancer" in drawn
        app.jump_to("web.loadBalancer")
        await pilot.pause()
        inspector = drawn_text(app.query_one(InspectorPane))
        assert "web.loadBalancer" in inspector
        assert "path-pattern * → web (container service-container:3000" in " ".join(
            inspector.split()
        )
        app.jump_to("mqtt.networkLoadBalancer")  # a node that is no resource: no error
        await pilot.pause()
        assert "mqtt.networkLoadBalancer" in drawn_text(app.query_one(InspectorPane))

    drive(StptuiApp(session), script, size=(160, 44))


def test_l_writes_into_a_web_services_container_group_and_its_subscriber_gets_it() -> None:
    session = Session.open(
        EXAMPLES / "web-service-logs.yml",
        behaviors_path=EXAMPLES / "web-service-logs-behaviors.yml",
        start_ms=START,
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("web")
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LogLineDialog)
        assert app.screen.query_one("#log-owner", Select).value == "web"
        group = shown(app, "#log-group")
        assert group.startswith("/stp/shop-dev/ecs/web/service-container/process-logs: 1 log")
        await pilot.press(*'{"level": "ERROR"}')
        assert ": matched" in shown(app, "#log-verdicts")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.log[-1] == 'log web \'{"level": "ERROR"}\''
        delivered = [r for r in app.session.sim.trace.records if r.kind == "log.delivered"]
        assert [(r.resource, r.get("subscriber")) for r in delivered] == [("web", "alerter")]

    drive(StptuiApp(session), script, size=(160, 44))
