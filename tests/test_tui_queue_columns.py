"""The Queues pane at the wide layout's smallest size (120x36): the counts table fits its
pane without sideways scrolling (the age and delayed columns go, heads get shorter), the
inspector has the figures left out, and a message's state reads `in flight`."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.pilot import Pilot
from tui_one_app import on_one_app, steps_at
from tui_support import START, app_for, drawn_text, drive

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.render import cut_name
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.queues_pane import MessageList, QueueTable

# A message dead-lettered, then one received and failing (in flight).
STORY = ("fail worker always", "send jobQueue x", "advance 20m", "send jobQueue y", "advance 1s")


async def play(pilot: Pilot[None], app: StptuiApp) -> None:
    """Run the story (unless a check before ran it: the one app's checks share it) and
    select the job queue."""
    if app.session.log[: len(STORY)] != list(STORY):
        for line in STORY:
            app.run_command(line)
    app.jump_to("jobQueue")
    app.flush()
    await pilot.pause()


async def the_counts_fit_the_pane_at_120_by_36(pilot: Pilot[None], app: StptuiApp) -> None:
    # The first check: the story's counts, before the others add to the dead-letter queue.
    await play(pilot, app)
    table = app.query_one(QueueTable)
    # Nothing to scroll sideways: every column shown is in sight.
    assert table.max_scroll_x == 0
    header, job, dead = drawn_text(table).splitlines()[:3]
    # The Queues pane is 40 cells (the Events pane beside it has the rest): the
    # narrowest heads.
    assert header.split() == ["queue", "vis", "flight", "DLQ"]
    # jobQueue: 0 visible, 1 in flight, its dead-letter queue holds 1; the dead-letter
    # queue has none of its own.
    assert job.split() == ["jobQueue", "0", "1", "1"]
    assert dead.split() == ["deadLetterQueue", "1", "0", "-"]
    # The figures left out of the table are in the inspector.
    page = app.query_one(InspectorPane).text.plain
    assert "oldest message enqueued 2026-01-05T08:20:00.000Z" in page
    assert "dead-letter queue deadLetterQueue after 3, 1 message in it" in page


async def a_wide_pane_shows_every_count_and_a_resize_brings_them_back(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await play(pilot, app)
    table = app.query_one(QueueTable)
    assert drawn_text(table).splitlines()[0].split() == [
        *("queue", "visible", "in", "flight", "delayed", "DLQ", "depth", "oldest")
    ]
    await pilot.resize_terminal(120, 36)
    await pilot.pause()
    assert "oldest" not in drawn_text(table)
    # Rebuilt at the new width, the cursor is still on the queue selected.
    assert table.cursor_row == 0 and app.selected == "jobQueue"
    app.jump_to("deadLetterQueue")
    await pilot.pause()
    await pilot.resize_terminal(200, 50)
    await pilot.pause()
    assert "oldest" in drawn_text(table)
    assert table.cursor_row == 1 and app.selected == "deadLetterQueue"


async def a_message_in_flight_reads_in_flight(pilot: Pilot[None], app: StptuiApp) -> None:
    await play(pilot, app)
    row = drawn_text(app.query_one(MessageList)).splitlines()[1]
    assert " in flight " in row and "in_flight" not in row


async def the_inspector_follows_the_depth_of_the_dead_letter_queue(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await play(pilot, app)
    held = app.session.sim.queues["deadLetterQueue"].depth
    # Only the dead-letter queue changes; the job queue's page counts its messages.
    app.run_command("send deadLetterQueue z")
    app.flush()
    await pilot.pause()
    page = app.query_one(InspectorPane).text.plain
    assert f"dead-letter queue deadLetterQueue after 3, {held + 1} messages in it" in page


LONG_NAMES = """\
resources:
  customerOrderProcessingQueue:
    type: sqs-queue
    properties:
      redrivePolicy:
        targetSqsQueueName: customerOrderProcessingDeadLetterQueue
        maxReceiveCount: 3
  customerOrderProcessingDeadLetterQueue: {type: sqs-queue}
"""


def test_long_queue_names_are_cut_in_the_middle_so_the_counts_stay_in_sight(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(LONG_NAMES, encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("repeat 12345 send customerOrderProcessingQueue x")
        app.run_command("send customerOrderProcessingDeadLetterQueue y")
        app.flush()
        await pilot.pause()
        table = app.query_one(QueueTable)
        # Before, the names took the pane and the counts were off to the right.
        assert table.max_scroll_x == 0
        lines = drawn_text(table).splitlines()
        # No blank row under the two queues (a stale sideways scrollbar).
        assert len(lines) == 3
        assert lines[0].split() == ["queue", "vis", "flight", "DLQ"]
        job, dead = (line.split() for line in lines[1:])
        # Both names keep their start and their own end, so they can be told apart.
        # The count written as the caption under it writes it (it was `12345` here).
        assert job[1:] == ["12,345", "0", "1"] and dead[1:] == ["1", "0", "-"]
        assert job[0].startswith("custom") and job[0].endswith("gQueue") and "…" in job[0]
        assert dead[0].startswith("custom") and dead[0].endswith("rQueue")
        # The caption keeps its count whole, its name cut to what is left.
        caption = drawn_text(app.query_one("#message-caption")).strip()
        assert caption == "cust…eue: first 100 of 12,345 messages"
        # Wider, the names are whole again.
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert "customerOrderProcessingDeadLetterQueue" in drawn_text(table)
        assert "customerOrderProcessingQueue: first 100 of 12,345 messages" in drawn_text(
            app.query_one("#message-caption")
        )

    drive(app, script, size=(120, 36))


def test_columns_that_fill_the_pane_exactly_leave_no_blank_row(tmp_path: Path) -> None:
    # `abcde` makes the heads `queue visible in flight DLQ depth` exactly as wide as the
    # pane at 120 columns (38 cells): the scrollbar the first, wider layout needed stayed.
    (tmp_path / "stacktape.yml").write_text("resources:\n  abcde: {type: sqs-queue}\n")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.pause()
        table = app.query_one(QueueTable)
        assert table.virtual_size.width == table.scrollable_content_region.width
        assert not table.show_horizontal_scrollbar
        assert [line.split() for line in drawn_text(table).splitlines()] == [
            ["queue", "visible", "in", "flight", "DLQ", "depth"],
            ["abcde", "0", "0", "-"],
        ]

    drive(app, script, size=(120, 36))


@given(st.text(min_size=0, max_size=40), st.integers(min_value=2, max_value=50))
def test_a_middle_cut_fits_and_keeps_both_ends(text: str, width: int) -> None:
    # The Queues pane cuts names as the boxes of the Graph pane do (`cut_name`).
    cut = cut_name(text, width)
    if cell_len(text) <= width:
        assert cut == text
    else:
        head, _, tail = cut.partition("…")
        assert cell_len(cut) <= width
        assert text.startswith(head) and text.endswith(tail)
        # The room is used: a wide character that would cross the cut costs a cell a side
        # (an escape or a tag, kept whole, may cost more: tests/test_diagram.py).
        if "\\" not in text and "[" not in text:
            assert cell_len(cut) >= width - 2


async def the_counts_have_thousands_separators(pilot: Pilot[None], app: StptuiApp) -> None:
    # The table wrote `1234` where the Events pane and the commands write `1,234`.
    await play(pilot, app)
    # The dead-letter queue topped up to 1,234 messages (the story's and those of the checks
    # before are in it).
    for _ in range(1234 - app.session.sim.queues["deadLetterQueue"].depth):
        app.session.sim.send("deadLetterQueue", "x")
    app.run_command("advance 0s")
    app.jump_to("deadLetterQueue")
    app.flush()
    await pilot.pause()
    job, dead = drawn_text(app.query_one(QueueTable)).splitlines()[1:3]
    # The story's message is still in flight.
    assert job.split() == ["jobQueue", "0", "1", "1,234"]
    # (the wider count takes a cell from the name, which is cut in the middle)
    assert dead.split()[1:] == ["1,234", "0", "-"]


def test_the_queues_pane_of_the_job_queue_story_at_120x36_then_200x50() -> None:
    """On one app of the job queue, the story run once (by the first check that needs it):
    the checks at 120x36, then those at 200x50, the one that resizes last."""
    narrow = [
        the_counts_fit_the_pane_at_120_by_36,
        the_inspector_follows_the_depth_of_the_dead_letter_queue,
        the_counts_have_thousands_separators,
    ]
    wide = [
        a_message_in_flight_reads_in_flight,
        a_wide_pane_shows_every_count_and_a_resize_brings_them_back,
    ]
    on_one_app(app_for(), steps_at((120, 36), narrow) + steps_at((200, 50), wide))
