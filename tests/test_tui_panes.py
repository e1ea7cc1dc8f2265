"""Pilot tests of how the panes keep up with large simulations (issue 6): the events list
reads the trace's own ring and draws only the rows on screen, the message list and the
inspector show what they showed before at any size, and hidden or slow panes catch up."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest
import tui_support  # first: pins the environment before Textual loads
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input
from tui_support import (
    app_for,
    as_checks,
    checks_on_one_launch,
    drive,
    no_filter,
    real_collector,
    rebuilt,
)

from stptui.commands import execute
from stptui.sim.trace import Record, Trace
from stptui.tui.app import StptuiApp
from stptui.tui.widgets import events_pane
from stptui.tui.widgets.agenda_pane import AgendaPane
from stptui.tui.widgets.events_pane import EventsPane, RecordList, matches
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.queues_pane import MAX_MESSAGE_ROWS, MessageList, QueuesPane


def fill_queue(app: StptuiApp, queue: str, n: int) -> None:
    """`n` messages straight into the simulator (as many commands would)."""
    sim = app.session.sim
    for i in range(n):
        sim.send(queue, f'{{"orderId": {i}}}')
    # Reading the trace settles it: its subscribers (the app) get the records now, as
    # they do at the end of a command.
    assert len(sim.trace.records) >= n


def row_text(lst: RecordList | MessageList, y: int) -> str:
    """The text of line `y` of a list's viewport."""
    return lst.render_line(y).text


async def paste(pilot: Pilot[None], text: str) -> None:
    """Paste `text` into the filter, as a terminal delivers a paste: typed, each character
    is a key press with Pilot's waits after it (280 of them took 25 s)."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    assert pilot.app.query_one("#event-filter", Input).value == text


# Room enough for whole rows whatever the layout gives each pane.
ROOMY = (240, 60)


def test_the_events_list_reads_the_trace_and_shows_the_newest_of_many() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        fill_queue(app, "deadLetterQueue", 30_000)
        app.run_command("send jobQueue '{\"amount\": 1}'")
        await pilot.pause()
        lst = app.query_one(RecordList)
        trace = app.session.sim.trace
        # No copy of the trace: the list is a view on the simulator's ring.
        assert lst.records is trace.records
        assert len(lst.view) == trace.seq == 30_001
        assert lst.selected is not None and lst.selected.seq == trace.seq
        last = lst.size.height - 1
        assert lst.scroll_offset.y + last == 30_000
        assert "message.sent" in row_text(lst, last) and "jobQueue" in row_text(lst, last)
        assert "deadLetterQueue" in row_text(lst, last - 1)
        status = str(app.query_one("#event-status").render())
        assert "30,001 of 30,001 records" in status

    drive(app_for(), script, size=ROOMY)


def test_the_filter_works_on_many_records_and_follows_new_ones() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        fill_queue(app, "deadLetterQueue", 20_000)
        app.run_command("send jobQueue '{\"amount\": 1}'")
        await pilot.press("slash")
        await paste(pilot, "resource:jobQueue")
        await pilot.press("enter")
        lst = app.query_one(RecordList)
        assert [r.kind for r in lst.view] == ["message.sent"]
        app.run_command("send jobQueue '{\"amount\": 2}'")
        app.run_command("send deadLetterQueue '{\"amount\": 3}'")
        assert [r.resource for r in lst.view] == ["jobQueue", "jobQueue"]
        assert lst.selected is lst.view[-1]
        assert "2 of 20,003 records" in str(app.query_one("#event-status").render())
        await pilot.press("slash")
        app.query_one("#event-filter", Input).value = ""
        await pilot.press("enter")
        assert len(lst.view) == 20_003

    drive(app_for(), script)


def emit(trace: Trace, n: int, resource: str = "q") -> list[Record]:
    """Append `n` records to the trace; returns them as a subscriber receives them."""
    for _ in range(n):
        trace.emit((0, "message.sent", resource, {}))
    return trace.tail(n)


def add(pane: EventsPane, batch: list[Record]) -> None:
    """What a frame of the app does with new records (see `StptuiApp.flush`)."""
    pane.note(batch)
    pane.catch_up(0)


class ListApp(App[None]):
    """Just an events pane."""

    def compose(self) -> ComposeResult:
        yield EventsPane()


def test_rows_the_ring_drops_leave_the_list_and_the_cursor_keeps_its_record() -> None:
    async def main() -> None:
        trace = Trace(ring_size=50)
        app = ListApp()
        async with app.run_test(size=(80, 30)) as pilot:
            pane = app.query_one(EventsPane)
            pane.show(trace.records, 0)
            add(pane, emit(trace, 40))
            lst = pane.records
            lst.focus()
            await pilot.press("up", "up")
            held = lst.selected
            assert held is not None and held.seq == 38
            add(pane, emit(trace, 30))  # the ring drops records 1-20
            assert len(lst.view) == 50
            assert lst.selected is not None and lst.selected.seq == 38
            await pilot.press("end")
            assert lst.selected is not None and lst.selected.seq == 70
            # A filter keeps its matches, and drops those the ring no longer has.
            lst.set_filter("resource:other")
            add(pane, emit(trace, 1, "other"))
            add(pane, emit(trace, 49))
            assert [r.seq for r in lst.view] == [71]
            add(pane, emit(trace, 1))
            assert lst.view == []

    asyncio.run(main())


def test_the_message_list_shows_the_first_messages_of_a_deep_queue() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        fill_queue(app, "jobQueue", 5_000)
        app.jump_to("jobQueue")
        app.flush()
        await pilot.pause()
        assert app.query_one(QueuesPane).queue_name == "jobQueue"
        caption = str(app.query_one("#message-caption").render())
        assert f"jobQueue: first {MAX_MESSAGE_ROWS} of 5,000 messages" in caption
        messages = app.query_one(MessageList)
        assert len(messages.rows) == MAX_MESSAGE_ROWS
        header = row_text(messages, 0)
        for column in ("message", "recv", "state", "visible at", "body"):
            assert column in header
        assert "visible" in row_text(messages, 1)
        assert messages.rows[0][2:] == ("visible", "", '{"orderId": 0}')

    drive(app_for(), script, size=ROOMY)


def test_a_hidden_agenda_catches_up_when_shown() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        agenda = app.query_one(AgendaPane)
        assert not agenda.display
        before = agenda.text.plain
        app.run_command("send jobQueue '{\"amount\": 1}'")
        assert agenda.text.plain == before  # hidden: not redrawn
        await pilot.press("5")
        await pilot.pause()
        assert agenda.display
        assert agenda.text.plain != before and "jobQueue" in agenda.text.plain

    drive(app_for(), script, size=(80, 24))


def test_the_loaded_simulation_is_frozen_out_of_the_collector() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert gc.get_freeze_count() > 0

    with real_collector():
        drive(app_for(), script)


def test_after_load_the_panes_show_the_loaded_simulation(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("send jobQueue '{\"amount\": 1}'")
        app.run_command("advance 10s")
        app.run_command(f"save {tmp_path / 's.json'}")
        saved = app.session.sim.trace.seq
        app.run_command("advance 1m")
        app.run_command("send jobQueue '{\"amount\": 2}'")
        app.run_command(f"load {tmp_path / 's.json'}")
        await rebuilt(pilot, app)
        lst = app.query_one(RecordList)
        assert lst.records is app.session.sim.trace.records
        assert len(lst.view) == saved and lst.selected is not None and lst.selected.seq == saved
        app.jump_to("worker")
        await pilot.pause()
        recent = app.query_one(InspectorPane).text.plain.split("Recent invocations", 1)[1]
        assert recent.count("succeeded") == 1

    drive(app_for(), script)


async def a_long_filter_caption_ends_in_an_ellipsis(pilot: Pilot[None], app: StptuiApp) -> None:
    # First on its app: the trace is empty.
    words = " ".join(f"word{i}" for i in range(40))
    await pilot.press("slash")
    await paste(pilot, words)
    await pilot.press("enter")
    status = app.query_one("#event-status")
    (line,) = [status.render_line(0).text.rstrip()]
    # It was cut off where the pane ended, with nothing to say it went on.
    assert line.startswith("0 of 0 records  filter: word0 word1")
    assert line.endswith("…") and len(line) <= status.size.width

    await no_filter(pilot, app)


async def filter_field_names_ignore_case_as_their_values_do(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Before any other check sends to the job queue.
    app.run_command("send jobQueue '{\"amount\": 1}'")
    app.run_command("send deadLetterQueue '{\"amount\": 2}'")
    lst = app.query_one(RecordList)
    # `Resource:` was a bare word, looked for in the text and found nowhere.
    await pilot.press("slash")
    await paste(pilot, "Resource:JOBQUEUE KIND:Message.")
    await pilot.press("enter")
    assert [(r.kind, r.resource) for r in lst.view] == [("message.sent", "jobQueue")]

    await no_filter(pilot, app)


async def every_cell_of_the_text_panes_has_the_panes_background(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Without it the terminal's own background shows through behind the text: grey patches
    # in the dark theme, unreadable rows in a light one.
    app.run_command("send jobQueue '{\"amount\": 1}'")
    app.run_command("advance 1s")
    await pilot.pause()
    views = (app.query_one(RecordList), app.query_one(InspectorPane), app.query_one(AgendaPane))
    for view in views:
        for y in range(2):
            segments = [s for s in view.render_line(y) if s.text]
            assert segments and all(s.style and s.style.bgcolor for s in segments), view


async def the_inspector_keeps_recent_invocations_past_many_other_records(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command("send jobQueue '{\"amount\": 1}'")
    app.run_command("advance 5s")
    fill_queue(app, "deadLetterQueue", 25_000)
    app.flush()
    app.jump_to("worker")
    await pilot.pause()
    page = app.query_one(InspectorPane).text.plain
    recent = page.split("Recent invocations", 1)[1]
    assert "succeeded" in recent and "(none yet)" not in recent


def test_the_panes_at_120x36_on_one_app() -> None:
    """The checks of the panes that need no trace of their own, on one app of job-queue:
    the caption's first (on the empty trace), the filter's names before any other message
    reaches the job queue (each filter cleared after), the 25,000 records last."""
    checks = [
        a_long_filter_caption_ends_in_an_ellipsis,
        filter_field_names_ignore_case_as_their_values_do,
        every_cell_of_the_text_panes_has_the_panes_background,
        the_inspector_keeps_recent_invocations_past_many_other_records,
    ]
    checks_on_one_launch(app_for(), as_checks(checks))


def test_a_filter_on_a_long_trace_shows_the_newest_matches_first_and_the_rest_as_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A step of the search looks at one chunk, and none runs by itself: the test runs them,
    # so that it sees the list part of the way through, as a user does on a long trace.
    monkeypatch.setattr(events_pane, "SEARCH_STEP_S", 0.0)
    monkeypatch.setattr(events_pane, "SEARCH_GAP_S", 3600.0)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for i in range(10):
            fill_queue(app, "deadLetterQueue", 2_500)
            app.run_command(f"send jobQueue '{{\"amount\": {i}}}'")
        trace = app.session.sim.trace
        pane = app.query_one(EventsPane)
        lst = pane.records
        await pilot.press("slash")
        sends = [r.seq for r in trace.records if r.resource == "jobQueue"]
        await paste(pilot, "COMMAND resource:jobqueue")
        await pilot.press("enter")
        # The first chunk (the newest records) is searched as the filter is set.
        assert [r.seq for r in lst.view] == sends[-1:]
        assert lst.selected is lst.view[-1] and lst.searching
        status = str(app.query_one("#event-status").render())
        assert "1 of 25,010 records (searching: " in status and "looked at)" in status
        # The list answers meanwhile: its cursor moves, and stays on its record as older
        # matches arrive above it; records that land meanwhile are matched too.
        while len(lst.view) < 3:
            pane._search_more()
        await pilot.press("up")
        held = lst.selected
        app.run_command("send jobQueue '{\"amount\": 10}'")
        app.run_command("send deadLetterQueue '{\"amount\": 11}'")
        steps = 0
        while lst.searching:
            pane._search_more()
            steps += 1
        await pilot.pause()
        assert steps > 5
        assert lst.selected is held
        want = [r.seq for r in trace.records if matches(r, lst.words)]
        assert [r.seq for r in lst.view] == want and len(want) == 11
        assert want[:10] == sends
        assert "11 of 25,012 records  filter: COMMAND resource:jobqueue" in str(
            app.query_one("#event-status").render()
        )

    drive(app_for(), script)


FILTERS = [
    "kind:message.",
    "resource:jobqueue",
    "failed",
    "Invocation kind:invocation",
    "kind:schedule. report",
    "command",
    "no-such-word",
]


@pytest.mark.parametrize("text", FILTERS)
def test_a_filter_searched_in_steps_shows_what_matches_says(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(events_pane, "SEARCH_STEP_S", 0.0)
    monkeypatch.setattr(events_pane, "SEARCH_CHUNK", 17)
    s = tui_support.session("combined")
    execute(s, f"source {tui_support.SAMPLES / 'combined' / 'demo.stp'}")
    execute(s, "advance 2d")
    trace = s.sim.trace
    assert len(trace.records) > 80

    async def main() -> None:
        app = ListApp()
        async with app.run_test(size=(80, 30)):
            pane = app.query_one(EventsPane)
            pane.show(trace.records, s.sim.clock.now)
            lst = pane.records
            lst.set_filter(text)
            while lst.search_more(0.0):
                pass
            want = [r for r in trace.records if matches(r, text.split())]
            assert [(r.seq, r.data) for r in lst.view] == [(r.seq, r.data) for r in want]
            assert bool(want) == (text != "no-such-word")

    asyncio.run(main())
