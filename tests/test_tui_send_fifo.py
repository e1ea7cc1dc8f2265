"""The send dialog on a stack of FIFO queues (the shape of Stacktape's event-driven starter:
an API's function sends orders to a FIFO queue whose dead-letter queue is declared first;
the Graph's first node, selected as the app opens, is the API).
It opened on the dead-letter queue and had no field for a message group id: every send
from it was refused, and the line the refusal suggested could only be typed at the command
line."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select
from tui_support import START, drive, records_of, shown

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import SendDialog

STACK = """\
resources:
  apiGateway:
    type: http-api-gateway
  orderDlq:
    type: sqs-queue
    properties: {fifoEnabled: true}
  orderQueue:
    type: sqs-queue
    properties:
      fifoEnabled: true
      redrivePolicy: {targetSqsQueueName: orderDlq, maxReceiveCount: 3}
  hashedQueue:
    type: sqs-queue
    properties: {fifoEnabled: true, contentBasedDeduplication: true}
  plainQueue:
    type: sqs-queue
  processOrder:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: orderQueue}
"""


def fifo_app(tmp_path: Path) -> StptuiApp:
    """The app on STACK (clock paused)."""
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    assert not session.stack.errors, session.stack.errors
    return StptuiApp(session)


def displayed(dialog: SendDialog, selector: str) -> bool:
    """Whether the dialog shows the field (or row) `selector`."""
    return dialog.query_one(selector, Widget).display


async def open_send(pilot: Pilot[None], app: StptuiApp) -> SendDialog:
    """Press `s` and wait for the dialog."""
    await pilot.press("s")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, SendDialog), dialog
    return dialog


def test_the_send_dialog_opens_on_the_queue_a_worker_reads_not_its_dead_letter_queue(
    tmp_path: Path,
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_send(pilot, app)
        assert dialog.query_one("#send-queue", Select).value == "orderQueue"

    drive(fifo_app(tmp_path), script)


def test_a_fifo_queue_takes_its_group_and_deduplication_ids_from_the_dialog(
    tmp_path: Path,
) -> None:
    app = fifo_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_send(pilot, app)
        assert displayed(dialog, "#send-fifo")
        # SQS takes no per-message delay on a FIFO queue: the field is not offered.
        assert not displayed(dialog, "#send-delay")
        assert dialog.query_one("#send-dedup", Input).placeholder.startswith("required")
        # The body has the focus; tab goes to the group, then to the deduplication id.
        await pilot.press("tab", *"customer-1", "tab", *"order-1", "ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog

    drive(app, script)
    sent = records_of(app.session, "message.sent")
    assert [r.resource for r in sent] == ["orderQueue"]
    message = app.session.sim.queues["orderQueue"].messages[sent[0].data["message_id"]]
    assert (message.group, message.dedup_id) == ("customer-1", "order-1")


def test_a_fifo_send_without_a_group_says_which_field_to_fill_and_sends_nothing(
    tmp_path: Path,
) -> None:
    app = fifo_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_send(pilot, app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = shown(app, "#send-error")
        assert "orderQueue is a FIFO queue: every message needs a message group id" in error
        assert "fill in the message group id" in error
        await pilot.press("tab", *"customer-1", "ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "fill in the deduplication id" in shown(app, "#send-error")

    drive(app, script)
    assert records_of(app.session, "message.sent") == []


def test_picking_another_queue_shows_the_fields_that_queue_takes(tmp_path: Path) -> None:
    app = fifo_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_send(pilot, app)
        picker = dialog.query_one("#send-queue", Select)
        picker.value = "hashedQueue"
        await pilot.pause()
        # Content-based deduplication: the id is optional, the body's hash stands for it.
        assert dialog.query_one("#send-dedup", Input).placeholder.startswith("optional")
        picker.value = "plainQueue"
        await pilot.pause()
        assert not displayed(dialog, "#send-fifo")
        assert displayed(dialog, "#send-delay")
        picker.value = "hashedQueue"
        await pilot.pause()
        assert displayed(dialog, "#send-fifo") and not displayed(dialog, "#send-delay")
        await pilot.press("tab", *"customer-1", "ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog

    drive(app, script)
    assert [r.resource for r in records_of(app.session, "message.sent")] == ["hashedQueue"]
