"""The Events pane's rows keep their columns: a kind longer than the kind column (such as
`container.message.processed`) neither pushes its row's resource to the right nor loses
the column, at 80, 120 and 160 columns; from 160 the longest kind is whole beside the
other panes."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.pilot import Pilot
from tui_support import START, app_for, drawn_text, drive

from stptui.sim.trace import KINDS, Record
from stptui.tui.app import StptuiApp
from stptui.tui.render import (
    KIND_COLUMN,
    NARROW_KIND_COLUMN,
    kind_column,
    record_text,
    safe,
    short_kind,
)
from stptui.tui.widgets.events_pane import RecordList

SIZES = [(80, 24), (120, 36), (160, 50)]
# Where a row's kind starts: after `08:00:30.000 `.
KIND_AT = len("08:00:30.000 ")
JOBS = (
    """http POST /jobs '{"jobId": 1, "report": "sales", "rows": 2000}'""",
    """http POST /jobs '{"jobId": 2, "report": "audit", "rows": 500000}'""",
    "advance 15m",
)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_row_of_the_events_pane_keeps_its_columns(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in JOBS:
            app.run_command(line)
        await pilot.press("3")
        await pilot.pause()
        listing = app.query_one(RecordList)
        rows = [row for row in drawn_text(listing).split("\n") if row.strip()]
        kinds = [rec.kind for rec in listing.view[-len(rows) :]]
        assert "container.message.failed" in kinds and "message.returned" in kinds
        # At 80 columns the Events pane is alone on the screen, and at 160 it has three
        # fifths of the bottom row: room for the longest kind.
        whole = size[0] != 120
        start = KIND_AT + (KIND_COLUMN if whole else NARROW_KIND_COLUMN)
        for row, kind in zip(rows, kinds, strict=True):
            # Every row's resource starts in the same cell, after a space that ends the kind.
            assert row[start] == " " and row[start + 1] != " ", rows
            cell = row[KIND_AT:start]
            # The kind whole, or in its shorter words where the pane is narrow (its start
            # cut off with `…`, `container.message.fai…`, read as something else).
            assert cell.rstrip() == (kind if whole else short_kind(kind, NARROW_KIND_COLUMN))
            assert "…" not in cell
            if kind == "container.message.failed":
                assert cell.rstrip() == (
                    "container.message.failed" if whole else "container.msg.failed"
                )

    drive(app_for("container-jobs"), script, size=size)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    resource=st.text(min_size=1, max_size=30),
    width=st.integers(min_value=40, max_value=200),
)
def test_a_row_puts_its_resource_where_the_column_ends(
    kind: str, resource: str, width: int
) -> None:
    rec = Record(1, START, kind, resource, {})
    row = record_text(rec, width).plain
    column = kind_column(width)
    # The resource (made printable) begins right after the kind column, whatever the kind,
    # and a row that does not fit ends in `…` at the view's width.
    assert row[KIND_AT + column] == " "
    rest, name = row[KIND_AT + column + 1 :], safe(resource)
    cut = rest.endswith("…") and len(rest) <= len(name)
    # A wide character that does not fit whole before the `…` leaves a space in its place.
    assert name.startswith(rest[:-1].rstrip(" ")) if cut else rest.startswith(name)
    assert cell_len(row) <= width


# A story whose newest records name resources of 14 characters and more.
LONG_NAMES = (
    *JOBS,
    """send deadLetterQueue '{"orderId": 1}'""",
    """send deadLetterQueue '{"orderId": 2}'""",
)


def test_events_rows_at_120_columns_show_the_start_of_each_resource() -> None:
    """At 120x36 the Events pane sits beside the Queues and the Agenda; its rows still show
    a resource's first 14 characters after the time and the kind (an even split of the
    bottom row left it 2 or 3)."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in LONG_NAMES:
            app.run_command(line)
        await pilot.pause()
        listing = app.query_one(RecordList)
        rows = [row for row in drawn_text(listing).split("\n") if row.strip()]
        records = listing.view[-len(rows) :]
        assert len(rows) > 3 and any(len(rec.resource) >= 14 for rec in records)
        assert any(len(rec.kind) > NARROW_KIND_COLUMN for rec in records)
        start = KIND_AT + NARROW_KIND_COLUMN + 1
        for row, rec in zip(rows, records, strict=True):
            assert row[start:].startswith(safe(rec.resource)[:14]), (row, rec.resource)
        # The graph and the inspector keep their widths beside it.
        assert app.query_one("#graph-pane").size.width >= 80
        assert app.query_one("#inspector-pane").size.width >= 33

    drive(app_for("container-jobs"), script, size=(120, 36))


def test_rows_of_another_day_than_the_clock_show_their_date() -> None:
    # After a run of days, a row's time alone (`08:00:00.000`) read as today's, under a
    # clock bar days later: with the oldest row on another day, every row has its date,
    # as the Agenda's entries do, and the columns stay in line.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("3")
        listing = app.query_one(RecordList)
        app.run_command("send jobQueue '{\"orderId\": 1}'")
        await pilot.pause()
        assert drawn_text(listing).split("\n")[0].startswith("08:00:00.000 message.sent ")
        app.run_command("advance 2d")
        app.run_command("send jobQueue '{\"orderId\": 2}'")
        await pilot.pause()
        rows = [row for row in drawn_text(listing).split("\n") if row.strip()]
        assert rows[0].startswith("01-05 08:00:00.000 message.sent ")
        assert rows[-1].startswith("01-07 08:00:00.000 message.sent ")
        start = len("01-05 08:00:00.000 ") + kind_column(listing.size.width, dated=True)
        assert all(row[start] == " " and row[start + 1] != " " for row in rows), rows

    drive(app_for("job-queue"), script, size=(80, 24))
