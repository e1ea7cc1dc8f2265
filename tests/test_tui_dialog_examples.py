"""The examples in a dialog's empty fields follow the stack, so that what a new user copies
from them starts something.

The upload dialog's key on a bucket whose notification filters keys (the shape of
Stacktape's S3 image-processor starter: a function fires for `uploads/` only) was
`incoming/report.csv` whatever the bucket, and an upload with the key left empty was
refused with a pointer to the command line's help. The publish dialog's detail-type was
`OrderCreated` under a rule on `OrderProcessed` (Stacktape's event-driven starter)."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select
from tui_support import START, drive, records_of, shown

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import (
    DEFAULT_EVENT_EXAMPLE,
    DEFAULT_KEY_EXAMPLE,
    PublishDialog,
    UploadDialog,
)

STACK = """\
resources:
  imagesBucket:
    type: bucket
  scratchBucket:
    type: bucket
  processImage:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}
      events:
        - type: s3
          properties:
            bucketArn: $ResourceParam('imagesBucket', 'arn')
            s3EventType: "s3:ObjectCreated:*"
            filterRule: {prefix: uploads/, suffix: .jpg}
"""


def bucket_app(tmp_path: Path) -> StptuiApp:
    """The app on STACK (clock paused)."""
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    assert not session.stack.errors, session.stack.errors
    return StptuiApp(session)


async def open_upload(pilot: Pilot[None], app: StptuiApp) -> UploadDialog:
    """Press `u` and wait for the dialog."""
    await pilot.press("u")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, UploadDialog), dialog
    return dialog


def test_the_example_key_is_one_the_bucket_notification_fires_for(tmp_path: Path) -> None:
    app = bucket_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_upload(pilot, app)
        key = dialog.query_one("#upload-key", Input)
        assert key.placeholder == "uploads/report.jpg"
        # Typed as shown, it starts the function.
        await pilot.press(*key.placeholder, "ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog

    drive(app, script)
    # S3 matched the notification (the function's invocation is queued on the clock).
    matched = records_of(app.session, "notification.matched")
    assert [r.resource for r in matched] == ["imagesBucket"]
    assert records_of(app.session, "notification.skipped") == []


def test_a_bucket_without_key_filters_keeps_the_plain_example(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_upload(pilot, app)
        dialog.query_one("#upload-bucket", Select).value = "scratchBucket"
        await pilot.pause()
        assert dialog.query_one("#upload-key", Input).placeholder == DEFAULT_KEY_EXAMPLE

    drive(bucket_app(tmp_path), script)


def test_an_empty_key_is_refused_in_the_dialog_with_the_example(tmp_path: Path) -> None:
    app = bucket_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_upload(pilot, app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = shown(app, "#upload-error")
        assert "the object needs a key" in error
        assert "type one in the key field, e.g. uploads/report.jpg" in error

    drive(app, script)
    assert records_of(app.session, "object.created") == []


BUS_STACK = """\
resources:
  eventBus:
    type: event-bus
  quietBus:
    type: event-bus
  onOrderProcessed:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}
      events:
        - type: event-bus
          properties:
            eventBusName: eventBus
            eventPattern:
              source: [orders]
              detail-type: [OrderProcessed]
"""


def test_the_example_event_is_one_a_rule_on_the_bus_matches(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(BUS_STACK, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    assert not session.stack.errors, session.stack.errors
    app = StptuiApp(session)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PublishDialog)
        source = dialog.query_one("#publish-source", Input).placeholder
        detail_type = dialog.query_one("#publish-detail-type", Input).placeholder
        assert (source, detail_type) == ("orders", "OrderProcessed")
        # Typed as shown (the source has the focus), the event matches the rule.
        await pilot.press(*source, "tab", *detail_type, "ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog

    drive(app, script)
    assert [r.resource for r in records_of(session, "event.matched")] == ["eventBus"]
    assert records_of(session, "event.unmatched") == []


def test_a_bus_without_rules_keeps_the_plain_example_event(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(BUS_STACK, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PublishDialog)
        dialog.query_one("#publish-bus", Select).value = "quietBus"
        await pilot.pause()
        source = dialog.query_one("#publish-source", Input).placeholder
        detail_type = dialog.query_one("#publish-detail-type", Input).placeholder
        assert (source, detail_type) == DEFAULT_EVENT_EXAMPLE

    drive(StptuiApp(session), script)
