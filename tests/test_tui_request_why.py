"""`e` on an HTTP request's row answers "why did my event not reach the consumer" on the
page it opens, in sight at 100x30 without scrolling (the dogfood of a first-time user's
`POST /orders` whose event matched no rule)."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select
from tui_support import START, drive, screen_text

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from tests.test_explain_unmatched_why import BEHAVIORS, STACK


def test_explain_on_the_request_row_shows_why_its_event_reached_no_consumer(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS % "order-service", encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("http POST /orders '{\"orderId\": 1}'")
        app.run_command("advance 1m")
        await pilot.press("3", "home", "e")
        await pilot.pause()
        # The page's lines, without the dialog's borders and the panes behind it.
        lines = [row.split("█")[1].strip() for row in screen_text(app).splitlines()[2:-2]]
        page = " ".join(" ".join(lines).split())
        assert "explain Ifh_NEWESEWjKxM= why: event " in page
        assert (
            "matched no rule, so no target received it; shipOrder's rule failed on source" in page
        )

    drive(app, script, size=(100, 30))


def test_the_http_dialog_opens_on_the_stacks_route(tmp_path: Path) -> None:
    # The only route is POST /orders: the dialog opened on `GET /`, a 404, and a first-time
    # user had to find the method picker behind the path field.
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS % "orders", encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        await pilot.press("ctrl+s")
        assert app.session.log == ["http POST /orders"]
        assert "HTTP 202" in screen_text(app)

    drive(app, script, size=(100, 30))


def test_the_http_dialog_opens_on_the_selected_functions_route(tmp_path: Path) -> None:
    two = STACK.replace(
        "  bus: {type: event-bus}\n",
        """\
  bus: {type: event-bus}
  health:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: h.ts}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /health, method: '*'}
""",
    )
    (tmp_path / "stacktape.yml").write_text(two, encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "health"
        await pilot.press("h")
        # ANY opens as GET.
        assert app.screen.query_one("#http-method", Select).value == "GET"
        assert app.screen.query_one("#http-path", Input).value == "/health"
        await pilot.press("escape")
        app.selected = "takeOrder"
        await pilot.press("h", "ctrl+s")
        assert app.session.log == ["http POST /orders"]

    drive(app, script, size=(100, 30))


def test_the_events_rows_of_a_bus_event_lead_with_what_tells_where_it_went(
    tmp_path: Path,
) -> None:
    # At 100 columns the rows led with the event's 36-character id: the rule's target and
    # how many rules matched were cut off the row.
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS % "order-service", encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("http POST /orders '{\"orderId\": 1}'")
        app.run_command("advance 1m")
        await pilot.press("3")
        await pilot.pause()
        rows = screen_text(app).splitlines()
        published = next(r for r in rows if "event.published" in r)
        assert "bus rules_matched=0 event_source=order-service " in published
        unmatched = next(r for r in rows if "event.unmatched" in r)
        assert "bus target=shipOrder rule=" in unmatched

    drive(app, script, size=(100, 30))
