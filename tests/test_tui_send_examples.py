"""The send dialog's example key (ctrl+n): the body filled, indented, with what each
producer of the picked queue sends it, then the example body, in turn, as the REPL offers
them at `send QUEUE `; its label says what the example stands for; a body typed and
replaced comes back with ctrl+z; the message sent is the one the producer sends. The
mechanism is the invoke dialog's (`ExampleDialog`)."""

from __future__ import annotations

import json
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import TextArea
from tui_support import START, Problems, drive, shown, wait_until

from stptui.commands import Session
from stptui.commands.examples import GENERIC_MESSAGE, MESSAGE_BODY
from stptui.repl.candidates import candidates
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import EXAMPLE_KEY, SendDialog

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
RULE = "what rule app-dev-shipments-event-bus-1 on bus orders delivers (shop, Example)"


async def press(pilot: Pilot[None], key: str) -> None:
    """Press `key` and let the dialog handle what it changed (the field's Changed event)."""
    await pilot.press(key)
    await pilot.pause()
    await pilot.pause()


def test_the_example_key_fills_cycles_restores_and_sends_the_producers_body() -> None:
    problems = Problems()
    app = StptuiApp(Session.open(EXAMPLES / "aws-choices.yml", start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("shipments")
        await pilot.pause()
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, SendDialog), "the dialog")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        area = dialog.query_one("#send-body", TextArea)
        assert area.text == MESSAGE_BODY and shown(app, "#send-body-label") == "body (JSON)"
        (rule,) = [
            json.loads(c.text) for c in candidates(app.session, "send shipments ") if c.meta == RULE
        ]

        await press(pilot, EXAMPLE_KEY)
        with problems.check("first press", "the rule's delivery, indented, said so"):
            assert area.text == json.dumps(rule, indent=2, ensure_ascii=False)
            label = shown(app, "#send-body-label")
            assert label == f"body: {RULE} — ctrl+n: next example (1 of 2)", label
        with problems.check("second press", "the example body, said so"):
            await press(pilot, EXAMPLE_KEY)
            assert json.loads(area.text) == json.loads(MESSAGE_BODY)
            assert GENERIC_MESSAGE in shown(app, "#send-body-label")
        with problems.check("a body typed", "replaced, and ctrl+z brings it back"):
            area.select_all()
            await pilot.press(*'{"mine": 1}')
            await pilot.pause()
            assert shown(app, "#send-body-label") == "body (JSON)"
            await press(pilot, EXAMPLE_KEY)
            assert json.loads(area.text) == rule
            assert "ctrl+z: what you typed" in shown(app, "#send-body-label")
            await press(pilot, "ctrl+z")
            assert area.text == '{"mine": 1}', area.text
            assert app.session.log == []
        with problems.check("sent", "the queue holds the rule's body"):
            await press(pilot, EXAMPLE_KEY)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not isinstance(app.screen, SendDialog), "sent")
            assert app.session.log[-1].startswith("send shipments ")
            (msg,) = app.session.sim.queues["shipments"].listing()
            assert json.loads(msg.body) == rule

    drive(app, script)
    problems.assert_none()
