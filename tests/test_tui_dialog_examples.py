"""The examples in a dialog's empty fields follow the stack, so that what a new user copies
from them starts something.

The upload dialog's key on a bucket whose notification filters keys (the shape of
Stacktape's S3 image-processor starter: a function fires for `uploads/` only) was
`incoming/report.csv` whatever the bucket, and an upload with the key left empty was
refused with a pointer to the command line's help; then the key was only a placeholder, so
ctrl+s at once was refused too: the field now starts with the key, selected. The publish
dialog's detail-type was `OrderCreated` under a rule on `OrderProcessed` (Stacktape's
event-driven starter). The start-execution dialog's input was `{}` whatever the machine:
on one whose Choice reads `$.valid` it failed at once."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_support import START, drive, records_of, shown

from stptui.commands import Session
from stptui.commands.examples import DEFAULT_KEY
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import DEFAULT_EVENT_EXAMPLE, PublishDialog, UploadDialog
from stptui.tui.screens.execution_dialog import StartExecutionDialog

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


def test_the_key_starts_as_one_the_bucket_notification_fires_for(tmp_path: Path) -> None:
    app = bucket_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_upload(pilot, app)
        key = dialog.query_one("#upload-key", Input)
        assert key.value == key.placeholder == "uploads/example.jpg"
        # Selected, as the send dialog's body is: typing replaces it.
        assert app.focused is key and key.selected_text == key.value
        # ctrl+s at once uploads it, and the notification fires.
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog

    drive(app, script)
    assert app.session.log == ["upload imagesBucket uploads/example.jpg"]
    matched = records_of(app.session, "notification.matched")
    assert [r.resource for r in matched] == ["imagesBucket"]
    assert records_of(app.session, "notification.skipped") == []


def test_the_key_follows_the_bucket_until_it_is_typed(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_upload(pilot, app)
        key = dialog.query_one("#upload-key", Input)
        dialog.query_one("#upload-bucket", Select).value = "scratchBucket"
        await pilot.pause()
        assert key.value == key.placeholder == DEFAULT_KEY == "example.txt"
        await pilot.press(*"mine.bin")
        dialog.query_one("#upload-bucket", Select).value = "imagesBucket"
        await pilot.pause()
        assert key.value == "mine.bin"

    drive(bucket_app(tmp_path), script)


def test_an_emptied_key_is_refused_in_the_dialog_with_the_example(tmp_path: Path) -> None:
    app = bucket_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_upload(pilot, app)
        await pilot.press("backspace", "ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        error = shown(app, "#upload-error")
        assert "the object needs a key" in error
        assert "type one in the key field, e.g. uploads/example.jpg" in error

    drive(app, script)
    assert records_of(app.session, "object.created") == []


FLOW_STACK = """\
resources:
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: IsValid
        States:
          IsValid:
            Type: Choice
            Choices: [{Variable: $.valid, BooleanEquals: true, Next: Done}]
            Default: Invalid
          Done: {Type: Succeed}
          Invalid: {Type: Fail, Error: Invalid}
"""


def test_the_execution_input_starts_as_what_the_machine_reads(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(FLOW_STACK, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    app = StptuiApp(session)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("t")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StartExecutionDialog)
        assert dialog.query_one("#exec-input", TextArea).text == '{"valid":true}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog

    drive(app, script)
    [line] = session.log
    assert line.startswith("start-execution flow '{\"valid\":true}'")
    # It ran the first time: `{}` failed at once with States.Runtime on `$.valid`.
    executions = session.sim.services["state_machines"]["flow"].executions
    assert [ex.status for ex in executions.values()] == ["SUCCEEDED"]


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
