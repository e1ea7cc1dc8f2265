"""What a first-time user meets on opening a stack: the Inspector's border names the key
that gives the selected resource its first work (`s send` on a queue, `u upload` on a
bucket, `h request` on an HTTP API, `x fire` on a schedule, `t start` on a state machine,
`p publish` on a bus), and that key opens its dialog on that resource; the fast-forward
dialog says what the clock meets first, not the words of its label again; and until the
clock first moves, a dialog's note says it is paused and which keys run it."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Select, Static
from tui_support import app_for, drive, example_session

from stptui.tui.app import PAUSED_TITLE, StptuiApp
from stptui.tui.screens.fast_forward import FastForwardScreen


@pytest.mark.parametrize(
    ("stack", "node", "hint", "key", "picker", "value"),
    [
        ("job-queue", "jobQueue", "s send", "s", "#send-queue", "jobQueue"),
        ("job-queue", "deadLetterQueue", "s send", "s", "#send-queue", "deadLetterQueue"),
        ("file-processing", "uploads", "u upload", "u", "#upload-bucket", "uploads"),
        ("event-driven", "eventBus", "p publish", "p", "#publish-bus", "eventBus"),
        ("scheduled-job", "schedule:dailyReport:1", "x fire", "x", "#fire-rule", 0),
        ("workflow", "orderFlow", "t start", "t", "#exec-machine", "orderFlow"),
        ("job-queue", "httpApi", "h request", "h", "#http-path", None),
        ("container-jobs", "api.httpApiGateway", "h request", "h", "#http-path", None),
    ],
)
def test_the_inspector_names_the_first_step_and_its_key_opens_on_the_selection(
    stack: str, node: str, hint: str, key: str, picker: str, value: object
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to(node)
        await pilot.pause()
        # The first of the border's keys.
        border = app.query_one("#inspector-pane").border_subtitle
        assert Text.from_markup(str(border)).plain.split("  ")[0] == hint
        await pilot.press(key)
        await pilot.pause()
        field = app.screen.query_one(picker)
        if value is not None:
            assert isinstance(field, Select) and field.value == value
        assert app.session.log == []

    app = StptuiApp(example_session("workflow")) if stack == "workflow" else app_for(stack)
    drive(app, script, size=(120, 36))


def test_a_resource_with_no_first_step_names_none() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("database")
        await pilot.pause()
        assert app.query_one("#inspector-pane").border_subtitle is None

    drive(app_for("job-queue"), script)


def test_the_fast_forward_dialog_says_what_the_clock_meets_first() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("f")
        assert isinstance(app.screen, FastForwardScreen)
        note = str(app.screen.query_one("#ff-preview", Static).render())
        assert note == "next (+1 h): dailyReport's schedule cron(0 9 * * ? *) fires"

    drive(app_for("scheduled-job"), script)


def test_the_fast_forward_dialog_of_an_idle_stack_says_nothing_is_scheduled() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("f")
        note = str(app.screen.query_one("#ff-preview", Static).render())
        assert note.startswith("nothing is scheduled yet: fast-forwarding only moves the clock")
        # Once something is sent, the dialog says when it is picked up.
        await pilot.press("escape")
        app.run_command("send notificationQueue hello --delay 30s")
        await pilot.press("f")
        note = str(app.screen.query_one("#ff-preview", Static).render())
        assert note.startswith("next (+30 s): "), note

    drive(app_for("webhook-processor"), script)


def test_a_dialogs_note_says_the_clock_is_paused_until_it_first_moves() -> None:
    """An upload sent as the stack opened showed its worker `idle`, the note about the
    object only: nothing said the clock stood until a key ran it."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("u")
        await pilot.press("ctrl+s")
        await pilot.pause()
        notes = [(n.title, n.message) for n in app._notifications]
        assert notes[-1][0] == PAUSED_TITLE
        assert notes[-1][1].startswith("ObjectCreated:Put uploads/incoming/example.txt")
        # Once the clock has moved, the user has found its keys: the note is the upload's.
        await pilot.press("n")
        await pilot.press("u")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app._notifications and list(app._notifications)[-1].title == ""

    drive(app_for("file-processing"), script, notifications=True)
