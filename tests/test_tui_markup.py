"""Untrusted text is data: markup-like and ANSI text passes through every pane, dialog and
notification literally, and `[@click=app.quit]` never quits the app (design rule 6)."""

from __future__ import annotations

import html
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from tui_support import START, drawn_text, drive

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.dialogs import (
    FireDialog,
    HttpDialog,
    PublishDialog,
    SendDialog,
    TextDialog,
    UploadDialog,
)
from stptui.tui.widgets.graph_pane import GraphPane
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.line_views import TextView

QUEUE = "q[bold]x[/foo]"
DLQ = "d[@click=app.quit]"
FUNCTION = "w[/foo]\x1b[31m"
BODY = "[bold]b[/foo] [@click=app.quit]boom[/]"

STACK = """\
resources:
  "q[bold]x[/foo]":
    type: sqs-queue
    properties:
      redrivePolicy:
        targetSqsQueueName: "d[@click=app.quit]"
        maxReceiveCount: 1
  "d[@click=app.quit]":
    type: sqs-queue
  "w[/foo]\\e[31m":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      environment:
        - name: "E[bold]"
          value: "[@click=app.quit]v"
      events:
        - type: sqs
          properties:
            sqsQueueName: "q[bold]x[/foo]"
            batchSize: 1
"""
BEHAVIORS = """\
behaviors:
  "w[/foo]\\e[31m":
    duration: 1s
    fail:
      always: true
      error: "[bold]Err[/foo]"
      message: "[@click=app.quit]m\\e[31m"
"""


def hostile_app(tmp_path: Path) -> StptuiApp:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    return StptuiApp(Session.open(tmp_path, start_ms=START))


def shown(app: StptuiApp) -> str:
    """Everything on the screen, as exported (text content of the SVG)."""
    return app.export_screenshot()


def test_hostile_names_bodies_and_details_stay_literal(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(f"send '{QUEUE}' '{BODY}'")
        app.run_command("advance 1500ms")
        app.jump_to(QUEUE)
        await pilot.pause()
        screen = shown(app)
        for literal in (QUEUE, DLQ, "w[/foo]\\x1b[31m", "[bold]b[/foo]"):
            assert literal.replace("&", "&amp;") in screen.replace("&#160;", " "), literal
        assert "\x1b" not in screen
        # The record detail shows the failure's error and message, JSON-escaped.
        app.run_command("advance 1m")
        detail = app.query_one("#event-detail", TextView).text.plain
        assert "\x1b" not in detail
        # Inspector of the function: environment and the behaviour's words.
        app.jump_to(FUNCTION)
        await pilot.pause()
        page = app.query_one(InspectorPane).text.plain
        assert "E[bold]=[@click=app.quit]v" in page and "w[/foo]\\x1b[31m" in page
        # Dialogs: the send dialog's queue picker and body; the record dialog; the command
        # line's output; notifications from redrive (with notifications on).
        await pilot.press("s")
        assert isinstance(app.screen, SendDialog)
        app.screen.query_one(TextArea).text = '"[@click=app.quit]"'
        await pilot.press("ctrl+s")
        await pilot.press("3", "e")
        assert isinstance(app.screen, TextDialog)
        await pilot.press("escape", "colon")
        assert isinstance(app.screen, CommandLineScreen)
        app.screen.query_one(Input).value = f"show queue '{QUEUE}'"
        await pilot.press("enter")
        assert '"[@click=app.quit]"' in drawn_text(app.screen.query_one("#command-result"))
        app.screen.query_one(Input).value = "send nosuch '[@click=app.quit]'"
        await pilot.press("enter")
        await pilot.press("escape")
        app.jump_to(DLQ)
        await pilot.press("r")
        await pilot.pause()
        assert app.is_running
        assert app.session.sim.queues[QUEUE].depth >= 1

    drive(hostile_app(tmp_path), script, size=(200, 50), notifications=True)


def test_hostile_names_in_the_graph_pane_are_drawn_as_written(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        app.run_command(f"send '{QUEUE}' '{BODY}'")
        app.run_command("advance 2m")
        await pilot.pause()
        drawn = pane.diagram.text()
        for literal in (QUEUE, DLQ, "w[/foo]\\x1b[31m", "DLQ 1 message"):
            assert literal in drawn, literal
        assert "\x1b" not in drawn
        await pilot.press("1", "down")  # the dead-letter queue is right below its queue
        assert app.selected == DLQ
        assert app.is_running

    drive(hostile_app(tmp_path), script, size=(200, 50))


DIALOG_STACK = """\
resources:
  "b[bold]k[/foo]":
    type: bucket
  "e[@click=app.quit]":
    type: event-bus
  "g[/foo]":
    type: http-api-gateway
  "w[/foo]\\e[31m":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: schedule
          properties: {scheduleRate: rate(1 hour)}
        - type: event-bus
          properties:
            eventBusName: "e[@click=app.quit]"
            eventPattern: {source: ["[bold]src[/foo]"]}
        - type: s3
          properties:
            bucketArn: $ResourceParam('b[bold]k[/foo]', 'arn')
            s3EventType: s3:ObjectCreated:*
            filterRule: {prefix: "[@click=app.quit]/"}
        - type: http-api-gateway
          properties: {httpApiGatewayName: "g[/foo]", path: "/[bold]", method: GET}
"""
DIALOG_BEHAVIORS = """\
behaviors:
  "w[/foo]\\e[31m":
    response: "{statusCode: `200`, body: '[bold]r[/foo] [@click=app.quit]x\\e[31m'}"
"""


def test_hostile_text_passes_literally_through_the_command_dialogs(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(DIALOG_STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(DIALOG_BEHAVIORS, encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    def literal_on_screen(*texts: str) -> None:
        screen = html.unescape(shown(app)).replace("\xa0", " ")
        for text in texts:
            assert text in screen, text
        assert "\x1b" not in screen

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("p")
        assert isinstance(app.screen, PublishDialog)
        literal_on_screen("e[@click=app.quit]", "→ w[/foo]\\x1b[31m", '["[bold]src[/foo]"]')
        app.screen.query_one("#publish-source", Input).value = "[bold]src[/foo]"
        app.screen.query_one("#publish-detail-type", Input).value = "[@click=app.quit]"
        app.screen.query_one("#publish-detail", TextArea).text = '{"k": "[/foo]\\u001b[31m"}'
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, PublishDialog)
        assert "'[bold]src[/foo]' '[@click=app.quit]'" in app.session.log[-1]

        await pilot.press("u")
        assert isinstance(app.screen, UploadDialog)
        literal_on_screen("b[bold]k[/foo]", 'prefix "[@click=app.quit]/"')
        app.screen.query_one("#upload-key", Input).value = "[@click=app.quit]/[bold]k"
        app.screen.query_one("#upload-content", TextArea).text = "[/foo]"
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, UploadDialog)
        assert app.session.log[-1].startswith("upload 'b[bold]k[/foo]' '[@click=app.quit]/")

        await pilot.press("h")
        assert isinstance(app.screen, HttpDialog)
        literal_on_screen("GET /[bold]", " → w[/foo]\\x1b[31m")
        app.screen.query_one("#http-path", Input).value = "/[bold]"
        app.screen.query_one("#http-headers", TextArea).text = "x-a: [@click=app.quit]"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, HttpDialog)
        literal_on_screen("HTTP 200", "[bold]r[/foo] [@click=app.quit]x\\x1b[31m")
        await pilot.press("escape")

        await pilot.press("x")
        assert isinstance(app.screen, FireDialog)
        literal_on_screen("w[/foo]\\x1b[31m  rate(1 hour)")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, FireDialog)
        await pilot.pause()
        assert app.is_running
        assert len(app.session.log) == 4

    drive(app, script, size=(200, 50), notifications=True)
