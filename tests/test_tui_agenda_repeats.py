"""A repeat's pending repetition in the Agenda pane: listed with its command while it runs,
gone as soon as `cancel-repeat` is typed on the command line (with the clock paused, no
frame of the clock redraws the pane), and a command holding markup and an escape character
is listed as written."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import START, app_for, drawn_text, drive

from stptui.tui.app import StptuiApp
from stptui.tui.widgets.agenda_pane import AgendaPane

# An HTTP body may hold any text (SQS refuses an escape character in a message body).
REPEAT = "repeat 100 --every 1s http POST /jobs '[red]job {i}\x1b[31m'"


def agenda(app: StptuiApp) -> str:
    """The Agenda pane as drawn, its lines joined by spaces."""
    return " ".join(drawn_text(app.query_one(AgendaPane)).split())


def test_cancel_repeat_on_the_command_line_takes_the_repeat_off_the_agenda() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(REPEAT)
        app.flush()
        await pilot.pause()
        listed = agenda(app)
        # The repeat's id once, in the resource column, not again in the text.
        assert "repeat repeat-1 repetition 2 of 100: http POST /jobs" in listed, listed
        # The body as a line types it: its markup as text, its escape character in $'...'.
        assert "$'[red]job 2\\e[31m'" in listed
        assert "\x1b" not in drawn_text(app.query_one(AgendaPane))
        await pilot.press("colon")
        await pilot.press(*"cancel-repeat repeat-1", "enter")
        await pilot.press("escape")
        await pilot.pause()
        # The clock never ran: the command line's own update redrew the pane.
        assert app.session.sim.clock.now == START
        assert "repeat-1" not in agenda(app), agenda(app)
        # What the first repetition's request started is still due.
        assert "http-timeout" in agenda(app)

    drive(app_for("job-queue"), script, size=(160, 50))
