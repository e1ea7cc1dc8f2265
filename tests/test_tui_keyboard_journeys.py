"""A first-time user drives the bundled sample stacks with the keyboard only, as their
demo scripts do: what was in the way. A body typed into a dialog's example goes in
place of it, not in front of it; the HTTP dialog of a stack whose routes all have path
parameters opens on one of them, its parameter selected to be typed over, not on a
`GET /` that no route answers; the Events pane keeps its kinds whole at 160 columns; and
`b` makes a workload fail, run slow or succeed again (the demos' `fail`, `slow` and
`succeed`), which only the command line did; `x` then enter fires."""

from __future__ import annotations

from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_support import START, app_for, drawn_text, drive, key_does_nothing, shown

from stptui.commands import Session
from stptui.tui.app import MainScreen, StptuiApp
from stptui.tui.render import KIND_COLUMN
from stptui.tui.screens.dialogs import CommandDialog, HttpDialog
from stptui.tui.screens.override_dialog import OverrideDialog
from stptui.tui.widgets.events_pane import RecordList


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_body_typed_into_a_dialog_replaces_its_example(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # The send dialog opens in its body, which holds an example: typing replaces it.
        await pilot.press("s", *'{"orderId": 7}', "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.session.log == ["send jobQueue '{\"orderId\": 7}'"]
        # Sent untouched, it is the example.
        await pilot.press("s", "ctrl+s")
        await pilot.pause()
        assert app.session.log[-1] == 'send jobQueue \'{"orderId": 1, "amount": 20}\''
        # The invoke dialog's payload, `{}` to start with, likewise.
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, CommandDialog)
        assert isinstance(app.focused, TextArea) and app.focused.text == "{}"
        await pilot.press(*'{"body": "{}"}', "ctrl+s")
        await pilot.pause()
        assert app.session.log[-1] == 'invoke api \'{"body": "{}"}\''

    drive(app_for("job-queue"), script, size=size)


def test_what_was_typed_is_kept_when_the_focus_comes_back() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # Tab reaches the publish dialog's detail; once typed into, tabbing away and back
        # leaves the cursor where it was, and what is typed next goes on after it.
        await pilot.press("p", *"orders", "tab", *"OrderCreated", "tab", "tab")
        await pilot.pause()
        assert isinstance(app.focused, TextArea) and app.focused.id == "publish-detail"
        await pilot.press(*'{"orderId": 1')
        await pilot.press("shift+tab", "tab", "}", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.session.log == ["publish eventBus orders OrderCreated '{\"orderId\": 1}'"]

    drive(app_for("event-driven"), script, size=(80, 24))


def test_a_whole_path_typed_over_the_parameter_replaces_the_path() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # combined's first route is `ANY /{proxy+}`: a path typed from its `/` is a path.
        await pilot.press("h")
        await pilot.pause()
        path = app.screen.query_one("#http-path", Input)
        assert path.value == "/{proxy+}" and path.selected_text == "{proxy+}"
        await pilot.press(*"/webhooks/stripe")
        assert path.value == "/webhooks/stripe"
        # Once edited, a `/` is a `/`: the path goes on.
        await pilot.press(*"/x")
        assert path.value == "/webhooks/stripe/x"

    drive(app_for("combined"), script, size=(80, 24))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_http_dialog_opens_on_a_route_with_its_parameter_to_type(
    size: tuple[int, int],
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # The stack's one route is `POST /webhooks/{provider}`: the dialog opens on it, the
        # parameter selected, so that typing the provider makes the path.
        await pilot.press("h")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        assert dialog.query_one("#http-method", Select).value == "POST"
        path = dialog.query_one("#http-path", Input)
        assert app.focused is path and path.selected_text == "{provider}"
        await pilot.press(*"stripe", "tab", *'{"id": "evt_2"}', "ctrl+s")
        await pilot.pause()
        assert app.session.log == ['http POST /webhooks/stripe \'{"id": "evt_2"}\'']
        # The route answered (unsigned: 401), not the gateway's 404 for `GET /`.
        assert "HTTP 401" in drawn_text(dialog.query_one("#http-response"))
        # Back in the path later, the whole of it is selected again, as in any field.
        await pilot.press("shift+tab")
        assert app.focused is path and path.selected_text == "/webhooks/stripe"

    drive(app_for("webhook-processor"), script, size=size)


def test_a_greedy_route_opens_with_its_proxy_selected() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        await pilot.pause()
        path = app.screen.query_one("#http-path", Input)
        # `ANY /orders/{proxy+}` opens as GET, on `/orders/` and the part to type.
        assert path.value == "/orders/{proxy+}" and path.selected_text == "{proxy+}"
        await pilot.press(*"new", "ctrl+s")
        await pilot.pause()
        assert app.session.log == ["http GET /orders/new"]

    drive(app_for("event-driven"), script, size=(80, 24))


def test_the_events_pane_never_narrows_as_the_terminal_widens() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command('send jobQueue \'{"orderId": 2, "amount": 5000}\'')
        app.run_command("advance 15m")
        widths = []
        for width in (120, 140, 159, 160, 161, 200, 240):
            await pilot.resize_terminal(width, 48)
            await pilot.pause()
            widths.append(app.query_one(RecordList).size.width)
        # At 160 columns the pane had 18 cells fewer than at 159 (the bottom row split
        # evenly from there), its kinds cut to 22 cells: `invocation.retry_sche…`.
        assert widths == sorted(widths), widths
        await pilot.resize_terminal(160, 48)
        await pilot.press("3")
        await pilot.pause()
        rows = drawn_text(app.query_one(RecordList)).split("\n")
        row = next(row for row in rows if "message.dead_lettered" in row)
        # The kind column as wide as the longest kind: the resource starts after it.
        start = len("08:00:30.000 ") + KIND_COLUMN
        assert row[start] == " " and row[start + 1 :].startswith("jobQueue"), row

    drive(app_for("job-queue"), script, size=(160, 48))


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
        await pilot.press("b", "shift+tab", "enter", "down", "enter", "tab")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OverrideDialog) and app.focused is not None
        assert app.focused.id == "override-how"
        # No duration: refused in the dialog's own words, nothing run.
        await pilot.press("enter")
        await pilot.pause()
        assert "say how long each invocation runs" in shown(app, "#override-error")
        assert app.session.log == []
        await pilot.press(*"6m", "enter")
        await pilot.pause()
        assert app.session.log == ["slow dailyReport 6m"]
        assert isinstance(app.screen, MainScreen)
        # Opened again, it says what is in force; a count `fail` cannot read is refused
        # with the command's own message, and the dialog keeps what was typed.
        await pilot.press("b")
        await pilot.pause()
        assert "dailyReport now: slow 6 min" in shown(app, "#override-now")
        await pilot.press(*"next x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, OverrideDialog)
        assert "next N must be a whole number of at least 1, not 'x'" in shown(
            app, "#override-error"
        )
        assert app.screen.query_one("#override-how", Input).value == "next x"
        assert app.session.log == ["slow dailyReport 6m"]
        await pilot.press("ctrl+u", *"next 2", "enter")
        await pilot.pause()
        assert app.session.log[-1] == "fail dailyReport next 2"

    drive(app_for("scheduled-job"), script, size=(80, 24))


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


def test_x_then_enter_fires_the_schedule() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # The picker has the focus: enter fires (it opened the list, and enter again
        # only picked the schedule already picked); down opens the list.
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.session.log == ["fire dailyReport"]
        await pilot.press("x", "down", "down", "enter")
        await pilot.pause()
        assert app.screen.query_one("#fire-rule", Select).value == 1
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.log == ["fire dailyReport", "fire heavyJob"]

    drive(app_for("combined"), script, size=(80, 24))
