"""Untrusted text is data: markup-like and ANSI text passes through every pane, dialog and
notification literally, and `[@click=app.quit]` never quits the app (design rule 6)."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea
from tui_support import START, drive

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.dialogs import SendDialog, TextDialog

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
        detail = str(app.query_one("#event-detail", Static).render())
        assert "\x1b" not in detail
        # Inspector of the function: environment and the behaviour's words.
        app.jump_to(FUNCTION)
        await pilot.pause()
        page = str(app.query_one("#inspector-body", Static).render())
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
        assert '"[@click=app.quit]"' in str(
            app.screen.query_one("#command-result", Static).render()
        )
        app.screen.query_one(Input).value = "send nosuch '[@click=app.quit]'"
        await pilot.press("enter")
        await pilot.press("escape")
        app.jump_to(DLQ)
        await pilot.press("r")
        await pilot.pause()
        assert app.is_running
        assert app.session.sim.queues[QUEUE].depth >= 1

    drive(hostile_app(tmp_path), script, size=(200, 50), notifications=True)
