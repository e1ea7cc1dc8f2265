"""A first-time user drives the bundled sample stacks with the keyboard only, as their
demo scripts do: what was in the way. A body typed into a dialog's example goes in
place of it, not in front of it; the HTTP dialog of a stack whose routes all have path
parameters opens on one of them, its parameter selected to be typed over, not on a
`GET /` that no route answers; the Events pane keeps its kinds whole at 160 columns; and
`b` makes a workload fail, run slow or succeed again (the demos' `fail`, `slow` and
`succeed`), which only the command line did; `x` then enter fires."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_one_app import Step, focus_moved, focused_in, on_one_app, press_until, ran, screen_opened
from tui_support import (
    START,
    app_for,
    drawn_text,
    drive,
    key_does_nothing,
    resized_to,
    settled,
    shown,
    typed,
    wait_until,
)

from stptui.commands import Session
from stptui.tui.app import MainScreen, StptuiApp
from stptui.tui.render import KIND_COLUMN
from stptui.tui.screens.dialogs import FireDialog, HttpDialog, PublishDialog, SendDialog
from stptui.tui.screens.invoke_dialog import InvokeDialog
from stptui.tui.screens.override_dialog import OverrideDialog
from stptui.tui.widgets.events_pane import RecordList


async def the_events_pane_never_narrows_as_the_terminal_widens(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command('send jobQueue \'{"orderId": 2, "amount": 5000}\'')
    app.run_command("advance 15m")
    widths = []
    for width in (120, 140, 159, 160, 161, 200, 240):
        await resized_to(pilot, app, (width, 48))
        widths.append(app.query_one(RecordList).size.width)
    # At 160 columns the pane had 18 cells fewer than at 159 (the bottom row split
    # evenly from there), its kinds cut to 22 cells: `invocation.retry_sche…`.
    assert widths == sorted(widths), widths
    await resized_to(pilot, app, (160, 48))
    await press_until(pilot, app, "3", lambda: app.current_pane == "3", "the events pane shown")
    await settled(pilot, app.query_one(RecordList), "the events pane")
    rows = drawn_text(app.query_one(RecordList)).split("\n")
    row = next(row for row in rows if "message.dead_lettered" in row)
    # The kind column as wide as the longest kind: the resource starts after it.
    start = len("08:00:30.000 ") + KIND_COLUMN
    assert row[start] == " " and row[start + 1 :].startswith("jobQueue"), row


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_dead_lettered_job_is_fixed_and_redriven_from_the_keyboard(
    size: tuple[int, int],
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # job-queue's demo: an order over the limit fails each receive and is dead-lettered;
        # `succeed worker` (a deploy of the fix), a redrive, and it is processed.
        app.run_command('send jobQueue \'{"orderId": 2, "amount": 5000}\'')
        app.run_command("advance 16m")
        # The Queues pane's first queue is selected: `b` opens on the worker it triggers.
        await pilot.press("2", "b")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OverrideDialog)
        assert dialog.query_one("#override-target", Select).value == "worker"
        assert "worker now: none" in shown(app, "#override-now")
        # The action: shift+tab to its picker, then succeed, the last of fail, slow, succeed.
        await pilot.press("shift+tab", "enter", "down", "down", "enter")
        await pilot.pause()
        assert not dialog.query_one("#override-how").display
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.session.log[-1] == "succeed worker"
        # The dead-letter queue, selected in the Queues pane, redriven by `r`: processed.
        await pilot.press("down", "r")
        app.run_command("advance 1m")
        await pilot.pause()
        assert app.session.log[-2] == "redrive deadLetterQueue"
        assert app.session.sim.queues["deadLetterQueue"].depth == 0
        assert app.session.sim.queues["jobQueue"].depth == 0

    drive(app_for("job-queue"), script, size=size)


def test_a_function_is_slowed_and_failed_and_a_refusal_stays_in_the_dialog() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # scheduled-job's demo: `slow dailyReport 6m`, past its 300 s timeout.
        dialog = await screen_opened(pilot, app, "b", OverrideDialog, ".dialog-box")
        # (The picker's keys by Pilot's press: each waits until the list has taken the one
        # before.)
        await pilot.press("shift+tab", "enter", "down", "enter", "tab")
        how = dialog.query_one("#override-how", Input)
        assert app.focused is how
        # No duration: refused in the dialog's own words, nothing run.
        await press_until(pilot, app, "enter", refused(app), "a refusal")
        assert "say how long each invocation runs" in shown(app, "#override-error")
        assert app.session.log == []
        await typed(pilot, how, "6m")
        assert await ran(pilot, app, "enter") == ["slow dailyReport 6m"]
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")
        # Opened again, it says what is in force; a count `fail` cannot read is refused
        # with the command's own message, and the dialog keeps what was typed.
        how = await focused_in(pilot, app, "b", OverrideDialog, Input)
        assert how.id == "override-how"
        assert "dailyReport now: slow 6 min" in shown(app, "#override-now")
        await typed(pilot, how, "next x")
        await press_until(pilot, app, "enter", refused(app), "a refusal")
        assert isinstance(app.screen, OverrideDialog)
        assert "next N must be a whole number of at least 1, not 'x'" in shown(
            app, "#override-error"
        )
        assert how.value == "next x"
        assert app.session.log == ["slow dailyReport 6m"]
        await press_until(pilot, app, "ctrl+u", lambda: how.value == "", "the field emptied")
        await typed(pilot, how, "next 2")
        assert await ran(pilot, app, "enter") == ["fail dailyReport next 2"]

    drive(app_for("scheduled-job"), script, size=(80, 24))


def refused(app: StptuiApp) -> Callable[[], bool]:
    """Whether the dialog on top shows a refusal."""
    return lambda: bool(shown(app, "#override-error"))


def test_the_behaviour_key_does_nothing_on_a_stack_without_a_workload(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  inbox: {type: sqs-queue}\n", encoding="utf-8"
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await key_does_nothing(
            pilot,
            app,
            "b",
            "override",
            "open: behaviour dialog",
            "b Behaviour Make a function, batch job or container fail, run slow or succeed again",
        )

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script, size=(160, 60))


SIZES = [(80, 24), (160, 48)]


async def a_body_typed_into_a_dialog_replaces_its_example(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The send dialog opens in its body, which holds an example: typing replaces it.
    body = await focused_in(pilot, app, "s", SendDialog, TextArea)
    await typed(pilot, body, '{"orderId": 7}')
    assert await ran(pilot, app, "ctrl+s") == ["send jobQueue '{\"orderId\": 7}'"]
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")
    # Sent untouched, it is the example.
    await focused_in(pilot, app, "s", SendDialog, TextArea)
    assert await ran(pilot, app, "ctrl+s") == ['send jobQueue \'{"orderId": 1, "amount": 20}\'']
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")
    # The invoke dialog's payload, `{}` to start with, likewise.
    payload = await focused_in(pilot, app, "v", InvokeDialog, TextArea)
    assert payload.text == "{}"
    await typed(pilot, payload, '{"body": "{}"}')
    assert await ran(pilot, app, "ctrl+s") == ['invoke api \'{"body": "{}"}\'']


def test_the_dialogs_and_events_pane_of_job_queue() -> None:
    """The events pane as the terminal widens first (the one message dead-lettered, whose
    row it reads in sight), then a body typed at 80x24 and at 160x48 (the dialogs are
    made anew each time, and each pass checks the lines it ran itself)."""
    check = a_body_typed_into_a_dialog_replaces_its_example
    steps = [
        Step(
            "the events pane never narrows as the terminal widens",
            (160, 48),
            the_events_pane_never_narrows_as_the_terminal_widens,
        ),
        *(Step("a body typed replaces its example", size, check) for size in SIZES),
    ]
    on_one_app(app_for("job-queue"), steps)


async def what_was_typed_is_kept_when_the_focus_comes_back(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Tab reaches the publish dialog's detail; once typed into, tabbing away and back
    # leaves the cursor where it was, and what is typed next goes on after it.
    source = await focused_in(pilot, app, "p", PublishDialog, Input)
    await typed(pilot, source, "orders")
    detail_type = await focus_moved(pilot, app, "tab")
    assert isinstance(detail_type, Input)
    await typed(pilot, detail_type, "OrderCreated")
    await focus_moved(pilot, app, "tab")
    detail = await focus_moved(pilot, app, "tab")
    assert isinstance(detail, TextArea) and detail.id == "publish-detail"
    await typed(pilot, detail, '{"orderId": 1')
    await focus_moved(pilot, app, "shift+tab")
    assert await focus_moved(pilot, app, "tab") is detail
    await typed(pilot, detail, "}")
    line = "publish eventBus orders OrderCreated '{\"orderId\": 1}'"
    assert await ran(pilot, app, "ctrl+s") == [line]
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")


async def a_greedy_route_opens_with_its_proxy_selected(pilot: Pilot[None], app: StptuiApp) -> None:
    path = await focused_in(pilot, app, "h", HttpDialog, Input)
    # `ANY /orders/{proxy+}` opens as GET, on `/orders/` and the part to type.
    assert path.value == "/orders/{proxy+}" and path.selected_text == "{proxy+}"
    await typed(pilot, path, "new")
    assert await ran(pilot, app, "ctrl+s") == ["http GET /orders/new"]


def test_the_publish_and_http_dialogs_of_event_driven() -> None:
    """Each check on the one app counts only the lines it ran itself; each dialog is
    made anew, and closed after its check."""
    steps = [
        Step(
            "what was typed is kept when the focus comes back",
            (80, 24),
            what_was_typed_is_kept_when_the_focus_comes_back,
        ),
        Step(
            "a greedy route opens with its proxy selected",
            (80, 24),
            a_greedy_route_opens_with_its_proxy_selected,
        ),
    ]
    on_one_app(app_for("event-driven"), steps)


async def a_whole_path_typed_over_the_parameter_replaces_the_path(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # combined's first route is `ANY /{proxy+}`: a path typed from its `/` is a path.
    path = await focused_in(pilot, app, "h", HttpDialog, Input)
    assert path.value == "/{proxy+}" and path.selected_text == "{proxy+}"
    await typed(pilot, path, "/webhooks/stripe")
    assert path.value == "/webhooks/stripe"
    # Once edited, a `/` is a `/`: the path goes on.
    await typed(pilot, path, "/x")
    assert path.value == "/webhooks/stripe/x"
    # Closed by escape (on_one_app) having run nothing: the fires after it see the app new.
    assert app.session.log == []


async def x_then_enter_fires_the_schedule(pilot: Pilot[None], app: StptuiApp) -> None:
    # The picker has the focus: enter fires (it opened the list, and enter again
    # only picked the schedule already picked); down opens the list.
    await focused_in(pilot, app, "x", FireDialog, Select)
    assert await ran(pilot, app, "enter") == ["fire dailyReport"]
    await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), "the dialog closed")
    picker = await focused_in(pilot, app, "x", FireDialog, Select)
    # (The list's keys by Pilot's press: each waits until the list has taken the one before.)
    await pilot.press("down", "down", "enter")
    await wait_until(pilot, lambda: not picker.expanded, "the list closed")
    assert picker.value == 1
    assert await ran(pilot, app, "enter") == ["fire heavyJob"]


def test_the_http_and_fire_dialogs_of_combined() -> None:
    steps = [
        Step(
            "a whole path typed over the parameter replaces the path",
            (80, 24),
            a_whole_path_typed_over_the_parameter_replaces_the_path,
        ),
        Step("x then enter fires the schedule", (80, 24), x_then_enter_fires_the_schedule),
    ]
    on_one_app(app_for("combined"), steps)


async def the_http_dialog_opens_on_a_route_with_its_parameter_to_type(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The stack's one route is `POST /webhooks/{provider}`: the dialog opens on it, the
    # parameter selected, so that typing the provider makes the path.
    path = await focused_in(pilot, app, "h", HttpDialog, Input)
    dialog = app.screen
    assert dialog.query_one("#http-method", Select).value == "POST"
    assert path.id == "http-path" and path.selected_text == "{provider}"
    await typed(pilot, path, "stripe")
    body = await focus_moved(pilot, app, "tab")
    assert isinstance(body, TextArea)
    await typed(pilot, body, '{"id": "evt_2"}')
    assert await ran(pilot, app, "ctrl+s") == ['http POST /webhooks/stripe \'{"id": "evt_2"}\'']
    # The route answered (unsigned: 401), not the gateway's 404 for `GET /`.
    response = dialog.query_one("#http-response")
    await wait_until(pilot, lambda: "HTTP " in drawn_text(response), "the response shown")
    assert "HTTP 401" in drawn_text(response)
    # Back in the path later, the whole of it is selected again, as in any field.
    assert await focus_moved(pilot, app, "shift+tab") is path
    assert path.selected_text == "/webhooks/stripe"


def test_the_http_dialog_opens_on_a_route_with_its_parameter_to_type() -> None:
    """At 80x24, then 160x48 on the same app: the dialog is made anew each time."""
    check = the_http_dialog_opens_on_a_route_with_its_parameter_to_type
    steps = [Step("the HTTP dialog opens on its route's parameter", s, check) for s in SIZES]
    on_one_app(app_for("webhook-processor"), steps)
