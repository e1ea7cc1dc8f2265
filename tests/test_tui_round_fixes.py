"""Fixes from driving the TUI: the queue pane's body column fits the pane, a schedule
trigger's expression is shown once in the inspector, the HTTP dialog's headers box
shows several lines; `r` and `e` say what they need when they cannot act, and the item
dialog's placeholder fields stay side by side at 80 columns."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import TextArea
from tui_support import app_for, drive, echo_session

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import MORE_KEY, TextDialog
from stptui.tui.widgets.events_pane import EventsPane
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.queues_pane import MessageList

LONG_BODY = '{"orderId": 1, "customer": "someone with a long name", "items": [1, 2, 3, 4, 5]}'


def test_the_message_list_fits_its_pane_with_the_body_cut_short() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(f"send jobQueue '{LONG_BODY}'")
        app.jump_to("jobQueue")
        app.flush()
        await pilot.pause()
        messages = app.query_one(MessageList)
        width = messages.scrollable_content_region.width
        # Nothing to scroll sideways: every column is in sight.
        assert messages.virtual_size.width <= width
        assert messages.max_scroll_x == 0
        row = messages.render_line(1).text.rstrip()
        assert row.endswith("…"), row
        # The body's start (at 120 columns the Queues pane is 40 cells: a dozen of them).
        assert '{"orderId":' in row
        assert len(row) <= width
        header = messages.render_line(0).text
        # The receive count stays; when the message becomes visible again goes first.
        assert "recv" in header and "visible at" not in header

    drive(app_for(), script, size=(120, 36))


def test_a_wide_pane_shows_every_column_and_more_of_the_body() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(f"send jobQueue '{LONG_BODY}'")
        app.jump_to("jobQueue")
        app.flush()
        await pilot.pause()
        messages = app.query_one(MessageList)
        assert "visible at" in messages.render_line(0).text
        # The Queues pane has 66 cells at 200 columns (40 at 120), the Events pane the
        # share its kinds need.
        assert '{"orderId": 1, "customer":' in messages.render_line(1).text
        assert messages.max_scroll_x == 0

    drive(app_for(), script, size=(200, 60))


def test_a_short_body_is_shown_whole_and_a_narrow_pane_scrolls() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("send jobQueue '{\"a\": 1}'")
        app.jump_to("jobQueue")
        app.flush()
        await pilot.pause()
        messages = app.query_one(MessageList)
        assert messages.render_line(1).text.rstrip().endswith('{"a": 1}')
        messages.styles.width = 30
        await pilot.pause()
        # Too narrow for the other columns and a readable body: it scrolls sideways.
        assert messages.max_scroll_x > 0

    drive(app_for(), script, size=(120, 36))


def test_the_inspector_shows_a_schedule_once_in_words() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("dailyReport")
        await pilot.pause()
        page = app.query_one(InspectorPane).text.plain
        triggers = page.split("Triggers\n", 1)[1].split("\n")
        assert triggers[0] == "schedule cron(0 9 * * ? *): at 09:00 UTC every day"
        assert triggers[1].startswith("  next: 2026-01-05 09:00")
        assert page.count("cron(0 9 * * ? *)") == 1

    drive(app_for("scheduled-job"), script, size=(120, 36))


def test_the_http_headers_box_shows_several_lines(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h", MORE_KEY)
        headers = app.screen.query_one("#http-headers", TextArea)
        headers.load_text("x-one: 1\nx-two: 2\nx-three: 3")
        await pilot.pause()
        assert headers.content_region.height >= 3
        assert headers.max_scroll_y == 0

    drive(StptuiApp(echo_session(tmp_path)), script, size=(120, 36))


def test_the_queues_key_of_a_stack_without_queues_says_so() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("2")
        await pilot.pause()
        notes = [(n.title, n.message) for n in app._notifications]
        assert notes[-1] == ("Queues", "this stack has no queues")
        assert app.current_pane == "1"

    drive(app_for("file-processing"), script, size=(80, 24), notifications=True)


def test_agenda_entries_on_other_days_carry_their_date() -> None:
    from stptui.tui.widgets.agenda_pane import agenda_text

    sim = app_for("combined").session.sim
    rows = [line for line in agenda_text(sim).plain.split("\n") if line[:1].isdigit()]
    # Today's 09:00 schedule, tomorrow's 02:00 one, then a retention check days away:
    # in time order, and read so.
    assert rows[0].startswith("01-05 09:00:00.000")
    assert rows[1].startswith("01-06 02:00:00.000")
    only_today = agenda_text(app_for("scheduled-job").session.sim).plain
    assert only_today.startswith("09:00:00.000")


def notes(app: StptuiApp) -> list[str]:
    """The messages of the notifications the app has shown, oldest first."""
    return [n.message for n in app._notifications]


def test_r_says_which_queues_it_can_redrive_and_runs_nothing_else() -> None:
    # `r` with an HTTP API selected (as the app starts) ran `redrive httpApi`, refused with
    # every queue of the stack named, jobQueue too, which is no dead-letter queue.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("r")
        await pilot.pause()
        assert app.selected == "httpApi"
        assert notes(app) == [
            "select a dead-letter queue to redrive: deadLetterQueue "
            "(in the graph, or in the Queues pane: 2)"
        ]
        assert app.session.log == []

    drive(app_for("job-queue"), script, size=(80, 24), notifications=True)


def test_r_on_a_stack_without_a_dead_letter_queue_says_there_is_none() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("r")
        await pilot.pause()
        assert notes(app)[0].startswith("this stack has no dead-letter queue to redrive")
        assert app.session.log == []

    drive(app_for("scheduled-job"), script, size=(120, 40), notifications=True)


def test_e_before_any_record_says_how_to_make_some() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("e")
        await pilot.pause()
        # Nothing is scheduled on this stack: running the clock would make no record.
        assert notes(app) == [
            "no trace records yet, and nothing is scheduled: send work first (the footer's "
            "keys open the dialogs, : types any command)"
        ]
        app.run_command("send jobQueue '{}'")
        app.flush()
        app.query_one(EventsPane).records.set_filter("nosuchword")
        await pilot.press("e")
        await pilot.pause()
        assert notes(app)[-1] == "no record matches the filter (/ changes it)"
        app.query_one(EventsPane).records.set_filter("")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)

    drive(app_for("job-queue"), script, size=(120, 40), notifications=True)


def test_the_item_dialogs_names_and_values_stay_side_by_side_at_80_columns() -> None:
    # "names (optional, for reserved words)" took two lines in half of the dialog, which
    # put its field a line below the values field beside it.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("i")
        await pilot.pause()
        names = app.screen.query_one("#item-names")
        values = app.screen.query_one("#item-values")
        assert names.region.y == values.region.y
        assert names.region.right <= values.region.x

    drive(app_for("combined"), script, size=(80, 24))
