"""Pilot tests of the command dialogs (`p` publish, `u` upload, `h` http, `x` fire): each
builds the line the user could have typed and changes the simulation exactly as typing it
would; a refusal is shown in the dialog and changes nothing; escape cancels; and a key the
stack has nothing for is neither shown nor active."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_tui_resize import footer_letters
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea
from textual.widgets.collapsible import CollapsibleTitle
from tui_one_app import on_one_app
from tui_support import (
    EXAMPLES,
    SAMPLES,
    START,
    app_for,
    drawn_text,
    drive,
    echo_session,
    enabled_actions,
    send_key,
    session,
    typed,
    wait_until,
)

from stptui.commands import CommandResult, Session, execute
from stptui.commands.registry import format_line
from stptui.commands.session import trace_sha256
from stptui.tui.app import DIALOGS, StptuiApp
from stptui.tui.screens.dialogs import (
    CommandDialog,
    FireDialog,
    HttpDialog,
    PublishDialog,
    UploadDialog,
)
from stptui.tui.screens.help import HelpScreen


def shown(app: StptuiApp, selector: str) -> str:
    """The text a Static of the current screen shows, line by line as drawn."""
    lines = drawn_text(app.screen.query_one(selector, Static)).split("\n")
    return "\n".join(line.rstrip() for line in lines)


def fill(app: StptuiApp, **fields: str) -> None:
    """Type into the open dialog's inputs and text areas, by id."""
    for ident, text in fields.items():
        widget = app.screen.query_one(f"#{ident.replace('_', '-')}")
        if isinstance(widget, TextArea):
            widget.text = text
        else:
            assert isinstance(widget, Input)
            widget.value = text


def assert_as_typed(app: StptuiApp, *lines: str) -> None:
    """The session logged exactly `lines`, and typing them into a fresh session of the same
    stack gives the identical trace."""
    s = app.session
    assert s.log == list(lines)
    fresh = Session.open(s.stack_path, start_ms=START)
    for line in lines:
        execute(fresh, line)
    assert trace_sha256(fresh.sim.trace) == trace_sha256(s.sim.trace)


def assert_unchanged(app: StptuiApp) -> None:
    """Nothing ran: no log line, no trace record, the clock where it started."""
    s = app.session
    assert s.log == [] and s.sim.trace.seq == 0 and s.sim.clock.now == START


# -- publish --------------------------------------------------------------------------------


def test_p_publishes_on_the_stack_bus_and_matches_its_rules() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PublishDialog)
        assert dialog.query_one(Select).value == "eventBus"
        assert "→ emailService" in shown(app, "#publish-rules")
        fill(
            app,
            publish_source="orders",
            publish_detail_type="OrderCreated",
            publish_detail='{"orderId": 7}',
            publish_resources="arn:aws:s3:::b/k, arn:aws:s3:::b/j",
        )
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, PublishDialog)
        assert_as_typed(
            app,
            "publish eventBus orders OrderCreated '{\"orderId\": 7}' "
            "--resources arn:aws:s3:::b/k,arn:aws:s3:::b/j",
        )
        assert any(r.kind == "event.matched" for r in app.session.sim.trace.records)

    drive(app_for("combined"), script)


async def publish_offers_the_default_bus_and_shows_refusals(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("p")
    dialog = app.screen
    assert isinstance(dialog, PublishDialog)
    picker = dialog.query_one(Select)
    picker.value = "default"
    await pilot.pause()
    assert "no rules on this bus" in shown(app, "#publish-rules")
    fill(app, publish_detail="[1, 2]")
    await pilot.pause()
    assert "not a JSON object" in shown(app, "#publish-error")
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, PublishDialog)
    # Valid JSON, but no source: the command itself refuses, and says why.
    fill(app, publish_detail="{}")
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, PublishDialog)
    assert "Source is a required argument" in shown(app, "#publish-error")
    assert_unchanged(app)
    await pilot.press("escape")
    assert not isinstance(app.screen, PublishDialog)
    assert_unchanged(app)


def test_publish_lists_a_stack_bus_named_default_and_the_account_bus_apart(
    tmp_path: Path,
) -> None:
    # The stack's `default` is `{stack}-default` in AWS; the account's bus is its ARN here.
    account = "arn:aws:events:us-east-1:123456789012:event-bus/default"
    rule = "{type: event-bus, properties: {%s, eventPattern: {source: [shop]}}}"
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  default: {type: event-bus}\n"
        f"  mine: {{type: sqs-queue, properties: {{events: [{rule % 'eventBusName: default'}]}}}}\n"
        f"  theirs: {{type: sqs-queue, properties: {{events: [{rule % 'useDefaultBus: true'}]}}}}\n"
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("p")
        dialog = app.screen
        assert isinstance(dialog, PublishDialog)
        picker = dialog.query_one(Select)
        assert dialog.names == sorted([account, "default"])
        assert picker.value == "default"
        assert "→ mine" in shown(app, "#publish-rules")
        picker.value = account
        await pilot.pause()
        assert "→ theirs" in shown(app, "#publish-rules")
        fill(app, publish_source="shop", publish_detail_type="T")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, PublishDialog)
        assert_as_typed(app, f"publish {account} shop T '{{}}'")
        matched = [r.get("target") for r in app.session.sim.trace.records]
        assert "theirs" in matched and "mine" not in matched

    drive(StptuiApp(Session.open(tmp_path / "stacktape.yml", start_ms=START)), script)


# -- upload ---------------------------------------------------------------------------------


def test_u_uploads_text_content_and_starts_the_notified_function() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("u")
        assert isinstance(app.screen, UploadDialog)
        assert "→ fileProcessor" in shown(app, "#upload-notes")
        assert 'prefix "incoming/"' in shown(app, "#upload-notes")
        await typed(pilot, app.screen.query_one("#upload-key"), "incoming/a b.csv")
        fill(app, upload_content="id,amount\n1,20")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, UploadDialog)
        # A line break in a value is written in $'...': the line reads on one line.
        assert_as_typed(app, "upload uploads 'incoming/a b.csv' --content $'id,amount\\n1,20'")
        assert any(r.kind == "notification.matched" for r in app.session.sim.trace.records)

    drive(app_for("combined"), script)


def test_upload_with_a_size_and_an_operation() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("u")
        await typed(pilot, app.screen.query_one("#upload-key"), "incoming/big.bin")
        fill(app, upload_size="6GiB")
        app.screen.query_one("#upload-op-select", Select).value = "multipart"
        await pilot.press("ctrl+s")
        assert_as_typed(app, "upload uploads incoming/big.bin --size 6GiB --op multipart")

    drive(app_for("combined"), script)


async def upload_refusals_stay_in_the_dialog(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("u")
    await typed(pilot, app.screen.query_one("#upload-key"), "incoming/x.csv")
    fill(app, upload_size="5MB", upload_content="both")
    await pilot.press("ctrl+s")
    assert "a size or the content, not both" in shown(app, "#upload-error")
    fill(app, upload_size="5 parsecs", upload_content="")
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, UploadDialog)
    assert "--size must be a whole number" in shown(app, "#upload-error")
    assert_unchanged(app)
    await pilot.press("escape")
    assert not isinstance(app.screen, UploadDialog)
    assert_unchanged(app)


# -- http -----------------------------------------------------------------------------------


def test_h_shows_the_response_and_sends_again() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        assert "POST /webhooks/{provider} → webhookReceiver" in shown(app, "#http-routes")
        assert not dialog.query("#http-gateway")  # one gateway: no picker
        dialog.query_one("#http-method", Select).value = "POST"
        await typed(pilot, dialog.query_one("#http-path"), "/webhooks/stripe")
        fill(app, http_body='{"id": "evt_1"}', http_query="a=1&b=two")
        await pilot.press("ctrl+s")
        assert app.screen is dialog  # stays open with the response
        response = shown(app, "#http-response")
        assert response.startswith("HTTP 401") and "bad signature" in response
        fill(app, http_headers="stripe-signature: t=1,v1=x\n\ncontent-type:application/json")
        await pilot.press("ctrl+s")
        response = shown(app, "#http-response")
        assert response.startswith("HTTP 200") and "ok" in response
        await pilot.press("escape")
        assert not isinstance(app.screen, HttpDialog)
        first = 'http POST /webhooks/stripe \'{"id": "evt_1"}\' --query a=1 --query b=two'
        assert_as_typed(
            app,
            first,
            first.replace(
                " --query a=1",
                " --header 'stripe-signature: t=1,v1=x'"
                " --header content-type:application/json --query a=1",
            ),
        )

    drive(app_for("combined"), script)


async def http_refusals_stay_in_the_dialog(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("h")
    fill(app, http_headers="no colon here")
    await pilot.press("ctrl+s")
    assert "--header needs NAME:VALUE" in shown(app, "#http-error")
    fill(app, http_headers="", http_path="jobs")
    await pilot.press("ctrl+s")
    assert "must start with '/'" in shown(app, "#http-error")
    assert "send the request" in shown(app, "#http-response")
    assert_unchanged(app)
    await pilot.press("escape")
    assert not isinstance(app.screen, HttpDialog)


def test_http_picks_a_gateway_when_the_stack_has_several(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        """\
resources:
  publicApi: {type: http-api-gateway}
  adminApi: {type: http-api-gateway}
  health:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: adminApi, path: /health, method: GET}
""",
        encoding="utf-8",
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        app.screen.query_one("#http-gateway", Select).value = "adminApi"
        await typed(pilot, app.screen.query_one("#http-path"), "/health")
        await pilot.press("ctrl+s")
        assert "(adminApi: GET /health -> health" in shown(app, "#http-response")
        assert app.session.log == ["http GET /health --gateway adminApi"]

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


def test_http_offers_function_urls_beside_the_gateway(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        """\
resources:
  api: {type: http-api-gateway}
  bot:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      url: {enabled: true}
""",
        encoding="utf-8",
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        assert "bot: any path (function URL) → bot" in shown(app, "#http-routes")
        app.screen.query_one("#http-gateway", Select).value = "bot"
        await typed(pilot, app.screen.query_one("#http-path"), "/telegram")
        await pilot.press("ctrl+s")
        assert "(bot function URL, 100 ms)" in shown(app, "#http-response")
        assert app.session.log == ["http GET /telegram --url bot"]

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


def test_h_opens_for_a_stack_whose_only_entry_is_a_function_url(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        """\
resources:
  bot:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      url: {enabled: true}
""",
        encoding="utf-8",
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        assert isinstance(app.screen, HttpDialog)
        assert not app.screen.query("#http-gateway")  # one entry: no picker, no --url
        await typed(pilot, app.screen.query_one("#http-path"), "/telegram")
        await pilot.press("ctrl+s")
        assert shown(app, "#http-response").startswith("HTTP 200  (bot function URL")
        assert app.session.log == ["http GET /telegram"]

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


def test_http_lists_a_load_balancers_rules_and_sends_to_it(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    session = Session.open(
        root / "docs/examples/load-balancer.yml",
        behaviors_path=root / "docs/examples/load-balancer-behaviors.yml",
        start_ms=START,
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        rules = shown(app, "#http-routes")
        assert ":443 priority 5 path-pattern /api/*; http-header x-tenant: beta* → betaApi" in (
            " ".join(rules.split())
        )
        assert not app.screen.query("#http-gateway")  # one load balancer: no picker
        await typed(pilot, app.screen.query_one("#http-path"), "/api/orders")
        await pilot.press("ctrl+s")
        response = " ".join(shown(app, "#http-response").split())
        assert response.startswith("HTTP 200 (mainLb: priority 10 on :443 -> orders, 40 ms)")
        assert app.session.log == ["http GET /api/orders"]

    drive(StptuiApp(session), script)


def test_a_long_response_scrolls_from_the_keyboard(tmp_path: Path) -> None:
    async def check(pilot: Pilot[None], app: StptuiApp, sent: int) -> None:
        await pilot.press("h")
        app.screen.query_one("#http-method", Select).value = "POST"
        fill(app, http_path="/echo", http_body="\n".join(f"line {i}" for i in range(100)))
        await pilot.press("ctrl+s")
        box = app.screen.query_one("#http-response-box", VerticalScroll)
        # The box shows the status line first; the body's last line (and the clock line
        # after it) were cut off at its foot, out of reach.
        assert box.scroll_y == 0 and box.max_scroll_y > 0
        # Tab goes from the form's last button to the response.
        app.screen.query_one("#http-cancel").focus()
        # A form taller than the terminal (30 rows) scrolls the dialog to the button first.
        await pilot.wait_for_scheduled_animations()
        await pilot.press("tab")
        assert app.screen.focused is box
        # A form taller than the terminal (30 rows) scrolls the dialog: the response comes
        # back into sight as it takes the focus, once the frame has scrolled (animated).
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.press("end")
        assert box.scroll_y == box.max_scroll_y
        # The box fits in the dialog whole, its end above the dialog's fold (it was 30
        # rows high in a dialog of 27 on a 30-row terminal).
        assert app.screen.query_one(".dialog-box").region.contains_region(box.region)
        lines = shown(app, "#http-response").splitlines()
        # Each request takes 100 ms of the clock; two are sent at each size before this.
        now = f"now 2026-01-05T08:00:00.{100 * (sent + 1):03d}Z (+100 ms)"
        assert lines[-2:] == ["line 99", now]
        # The next response is shown from its top.
        fill(app, http_body="short")
        await pilot.press("ctrl+s")
        assert box.scroll_y == 0

    # Each size in turn on one app, the dialog closed by escape between them.
    sizes = [(140, 40), (130, 30), (90, 30)]
    cases = [
        (f"at {size}", size, partial(check, sent=2 * index)) for index, size in enumerate(sizes)
    ]
    on_one_app(StptuiApp(echo_session(tmp_path)), cases)


# -- fire -----------------------------------------------------------------------------------


def test_x_fires_the_selected_schedule() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("heavyJob")
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, FireDialog)
        assert dialog.query_one(Select).value == 1
        assert "next: 2026-01-06 02:00:00.000 UTC, 2026-01-07" in shown(app, "#fire-next")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, FireDialog)
        assert_as_typed(app, "fire heavyJob")
        assert app.session.sim.services["batch"].jobs["heavyJob"].counts["submitted"] == 1

    drive(app_for("combined"), script)


async def x_on_a_selected_schedule_box_fires_its_owners_schedule(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("schedule:heavyJob:1")
    await pilot.press("x")
    dialog = app.screen
    assert isinstance(dialog, FireDialog)
    assert dialog.query_one(Select).value == 1  # heavyJob's, not the first (dailyReport)


def test_fire_names_the_schedule_and_shows_a_refusal(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        """\
resources:
  cleanup:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: schedule
          properties: {scheduleRate: rate(1 hour)}
        - type: schedule
          properties: {scheduleRate: cron(99 * * * ? *)}
""",
        encoding="utf-8",
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("x")
        picker = app.screen.query_one(Select)
        assert picker.value == 0
        assert "next: 2026-01-05 09:00:00.000 UTC" in shown(app, "#fire-next")
        picker.value = 1
        await pilot.pause()
        assert "never fires" in shown(app, "#fire-next")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, FireDialog)
        assert "never fires" in shown(app, "#fire-error")
        assert app.session.log == []
        await pilot.press("escape")
        assert not isinstance(app.screen, FireDialog)
        await pilot.press("x", "ctrl+s")
        assert app.session.log == ["fire cleanup 1"]

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


# -- keys, help -----------------------------------------------------------------------------


def test_keys_the_stack_has_nothing_for_are_hidden_and_inactive() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # batch-job: a schedule, but no queue, bus, bucket or HTTP API.
        footer = enabled_actions(app)
        assert {"fire", "fast_forward"} <= footer
        assert not {"send", "publish", "upload", "http"} & footer
        for key in "spuh":
            await pilot.press(key)
            assert not isinstance(app.screen, CommandDialog), key
        assert app.session.log == []
        await pilot.press("x")
        assert isinstance(app.screen, FireDialog)

    drive(app_for("batch-job"), script)


@pytest.mark.parametrize(
    ("name", "publishes"),
    [("file-processing", False), ("event-driven", True), ("lifecycle", True)],
)
def test_p_is_for_a_stack_with_a_bus_or_a_rule_on_the_default_bus(
    name: str, publishes: bool
) -> None:
    """An event on the default bus with no rule on it goes nowhere. On file-processing (a
    bucket, no bus) the 80-column footer had `p Publish` where `u Upload` belonged."""
    path = SAMPLES / name if name != "lifecycle" else EXAMPLES / "lifecycle.yml"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # lifecycle.yml: no bus of its own, but a function with `useDefaultBus`.
        shown = footer_letters(app)
        assert ("p" in shown) is publishes
        await pilot.press("p")
        assert isinstance(app.screen, PublishDialog) is publishes
        if not publishes:
            assert "u" in shown
            assert app.session.log == []

    drive(StptuiApp(Session.open(path, start_ms=START)), script, size=(80, 24))


async def help_lists_the_dialog_keys(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    body = drawn_text(app.screen.query_one("#help-body"))
    for dialog in DIALOGS:
        assert dialog.HELP_TITLE in body
    assert "Publish the event" in body and "stop at the instant reached" in body


def test_dialog_bindings_have_ids_and_tooltips() -> None:
    for dialog in DIALOGS:
        for b in dialog.BINDINGS:
            assert isinstance(b, Binding) and b.id and b.tooltip, (dialog, b)


def test_dialogs_preselect_the_selected_resource() -> None:
    s = session("combined")

    def never(line: str) -> CommandResult:
        raise AssertionError(line)

    assert PublishDialog(s, "default", never).selected == "default"
    assert PublishDialog(s, "worker", never).selected == "eventBus"
    assert UploadDialog(s, "worker", never).selected == "uploads"
    assert FireDialog(s, "heavyJob", never).selected == 1
    assert FireDialog(s, None, never).selected == 0


def test_a_dialog_value_that_starts_with_dashes_stays_a_value() -> None:
    # A source named `--` used to end the options, so that the publish went out with the
    # detail type as its source and the detail as its detail type.
    line = format_line("publish", ["eventBus", "--", "OrderCreated", '{"id": 7}'], [])
    assert line == "publish -- eventBus -- OrderCreated '{\"id\": 7}'"
    s = session("combined")
    published = [r for r in execute(s, line).records if r.kind == "event.published"]
    assert [(r.get("event_source"), r.get("detail_type")) for r in published] == [
        ("--", "OrderCreated")
    ]
    # Without such a value the line reads as before: values, then options.
    assert (
        format_line("send", ["jobQueue", "hi"], [("--delay", "5s")])
        == "send jobQueue hi --delay 5s"
    )
    assert format_line("upload", ["uploads", "--content"], [("--size", "1")]) == (
        "upload --size 1 -- uploads --content"
    )


async def the_send_and_fire_dialogs_open_ready_to_type(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("s")
    await pilot.pause()
    assert app.focused is not None and app.focused.id == "send-body"
    await pilot.press("escape", "x")
    await pilot.pause()
    assert app.focused is not None and app.focused.id == "fire-rule"


def test_enter_in_a_one_line_field_runs_the_dialog_and_a_refusal_keeps_the_form() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("3", "u")
        dialog = app.screen
        await typed(pilot, dialog.query_one("#upload-key"), "in/a.csv")
        await pilot.press("tab")
        await typed(pilot, dialog.query_one("#upload-size"), "5XB")
        await pilot.press("enter")
        assert app.screen is dialog and isinstance(dialog, UploadDialog)
        assert "--size must be a whole number" in shown(app, "#upload-error")
        assert dialog.query_one("#upload-key", Input).value == "in/a.csv"
        assert dialog.query_one("#upload-size", Input).value == "5XB"
        assert app.focused is dialog.query_one("#upload-size")
        assert_unchanged(app)
        size = dialog.query_one("#upload-size", Input)
        for _ in range(3):
            send_key(app, "backspace")
        # A key bound to an action (backspace) acts after the characters sent with it.
        await wait_until(pilot, lambda: size.value == "", "the size erased by backspace")
        await typed(pilot, size, "5MB")
        await pilot.press("enter")
        assert not isinstance(app.screen, UploadDialog)
        assert app.session.log == ["upload uploads in/a.csv --size 5MB"]
        # The focus is back where it was before the dialog.
        assert app.focused is not None and app.focused.id == "event-list"
        # In a body (several lines) enter is a new line; ctrl+s sends.
        await pilot.press("s", "ctrl+a", "enter")
        assert isinstance(app.screen, CommandDialog)
        await pilot.press("escape")
        assert app.session.log == ["upload uploads in/a.csv --size 5MB"]

    drive(app_for("combined"), script)


# -- tab stops ------------------------------------------------------------------------------

DIALOG_KEYS = {"s": "send", "p": "publish", "u": "upload", "h": "http", "x": "fire"}


async def tabs_round(pilot: Pilot[None], app: StptuiApp, key: str) -> list[Widget | None]:
    """Press tab once for each widget the dialog can focus and once more, the keys sent at
    once: where the focus went, tab after tab (seen as it moves, not after each key)."""
    screen = app.screen
    count = len(screen.focus_chain) + 1
    went: list[Widget | None] = []
    screen.watch(screen, "focused", lambda widget: went.append(widget), init=False)
    for _ in range(count):
        send_key(app, "tab")
    await wait_until(pilot, lambda: len(went) >= count, f"{key}: the focus moved by {count} tabs")
    return went


def test_tab_stops_only_on_what_shows_it_has_the_focus() -> None:
    """The dialog's scrolling frame was a tab stop that showed nothing: tab seemed to go
    nowhere. Every stop is a field (the upload's `incomplete` checkbox too), a button, the
    line of a folded section (which lights up, and enter opens), or the HTTP response,
    which lights up. Each dialog at 80x24 and 200x50, in turn on one app (each closed by
    escape, having run nothing)."""

    async def check(pilot: Pilot[None], app: StptuiApp, key: str) -> None:
        await pilot.press(key)
        dialog = app.screen
        assert isinstance(dialog, CommandDialog)
        # Round the whole cycle, back to where the first tab went: every stop is seen,
        # and a second lap (16 presses were two laps of most dialogs) would add none.
        went = await tabs_round(pilot, app, key)
        assert None not in went, f"{key}: a tab left nothing focused: {went}"
        first = went[0]
        if first not in went[1:]:
            raise AssertionError(f"{key}: tab never came back to {first!r}: {went}")
        stops = went[: went.index(first, 1)]
        for widget in stops:
            assert isinstance(
                widget, Input | TextArea | Select | Checkbox | Button | CollapsibleTitle
            ) or (widget.id == "http-response-box"), f"{key}: tab stopped on {widget!r}"
        assert app.session.log == []

    cases = [
        (f"{key} ({name}) at {size}", size, partial(check, key=key))
        for size in [(80, 24), (200, 50)]
        for key, name in DIALOG_KEYS.items()
    ]
    on_one_app(app_for("combined"), cases)


async def the_http_response_shows_when_it_has_the_focus(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("h")
    box = app.screen.query_one("#http-response-box", VerticalScroll)
    label = box.query_one(Label)
    rule, heading = box.styles.border_left, label.styles.color
    app.screen.query_one("#http-cancel").focus()
    await pilot.press("tab")
    assert app.screen.focused is box
    # Its rule and its heading light up (both were as they are unfocused).
    assert box.styles.border_left != rule and label.styles.color != heading


async def a_dialog_taller_than_the_terminal_still_scrolls_from_the_keyboard(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The upload dialog of the combined stack is taller than 80x16 gives it (it fits 80x24:
    # see test_tui_dialog_fit).
    await pilot.press("u")
    frame = app.screen.query_one(".dialog-box", VerticalScroll)
    await pilot.pause()
    assert frame.max_scroll_y > 0 and not frame.can_focus
    # From a one-line field, page down and up scroll the dialog.
    await pilot.press("pagedown")
    assert frame.scroll_y > 0
    await pilot.press("pageup")
    assert frame.scroll_y == 0
    # The last stop is scrolled into sight when tabbed to.
    app.screen.query_one("#upload-repeat").focus()
    await pilot.press("tab", "tab")
    assert app.screen.focused is app.screen.query_one("#upload-cancel")
    assert frame.scroll_y == frame.max_scroll_y


async def a_field_tabbed_to_below_the_fold_is_in_sight_at_once(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    """Tab scrolls the frame to the field as the page keys do, with no glide to wait out
    (Pilot waits for animations to end, so the test watches for one being started)."""

    await pilot.press("u")
    await pilot.pause()
    dialog = app.screen
    frame = dialog.query_one(".dialog-box", VerticalScroll)
    assert frame.scroll_y == 0
    animator = app.animator
    animate = animator.animate
    glides: list[str] = []

    def watched(obj: object, attribute: str, *args: object, **kwargs: object) -> None:
        if obj is frame:
            glides.append(attribute)
        animate(obj, attribute, *args, **kwargs)  # type: ignore[arg-type]

    animator.animate = watched  # type: ignore[method-assign]
    try:
        # From the operation, past the folded content's line, to the repeat field below
        # the fold.
        dialog.query_one("#upload-op-select").focus(scroll_visible=False)
        await pilot.press("tab", "tab")
        await pilot.pause()
        assert dialog.focused is dialog.query_one("#upload-repeat")
        assert frame.scroll_y > 0
        assert not glides, glides
        assert frame.scrollable_content_region.contains_region(dialog.focused.region)
    finally:
        # The app's animator as it was, for the checks after this one on the app.
        del animator.animate


# Checks of the combined stack that run nothing: each in turn on one app, what it opened
# closed by escape after it (`on_one_app`), so that each starts on the panes with
# nothing run, as on a new app. The one that moves the selection (x on a schedule box)
# goes last: the dialogs open on what is selected.
NOTHING_RUN = [
    publish_offers_the_default_bus_and_shows_refusals,
    upload_refusals_stay_in_the_dialog,
    http_refusals_stay_in_the_dialog,
    help_lists_the_dialog_keys,
    the_send_and_fire_dialogs_open_ready_to_type,
    the_http_response_shows_when_it_has_the_focus,
    x_on_a_selected_schedule_box_fires_its_owners_schedule,
]
# At 80x16, where the upload dialog is taller than the terminal.
NOTHING_RUN_SMALL = [
    a_dialog_taller_than_the_terminal_still_scrolls_from_the_keyboard,
    a_field_tabbed_to_below_the_fold_is_in_sight_at_once,
]


def test_dialogs_that_run_nothing() -> None:
    cases = [(check.__name__, (120, 36), check) for check in NOTHING_RUN]
    cases += [(check.__name__, (80, 16), check) for check in NOTHING_RUN_SMALL]
    on_one_app(app_for("combined"), cases)


def test_h_signs_a_request_to_an_aws_iam_function_url(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        """\
resources:
  report:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      url: {enabled: true, authMode: AWS_IAM}
""",
        encoding="utf-8",
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        await typed(pilot, app.screen.query_one("#http-path"), "/daily")
        await pilot.press("ctrl+s")
        assert shown(app, "#http-response").startswith("HTTP 403  (report function URL")
        app.screen.query_one("#http-signed", Checkbox).value = True
        await pilot.press("ctrl+s")
        assert shown(app, "#http-response").startswith("HTTP 200  (report function URL")
        assert app.session.log == ["http GET /daily", "http GET /daily --signed"]

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)
