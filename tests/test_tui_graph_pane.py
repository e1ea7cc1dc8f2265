"""Pilot tests of the Graph pane: moving and clicking select the resource everywhere, enter
inspects it, badges follow the simulation, and a large stack shows a neighbourhood."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.pilot import Pilot
from tui_support import (
    SAMPLE_NAMES,
    SAMPLES,
    START,
    app_for,
    drawn_text,
    drive,
    echo_session,
    screen_text,
)
from tui_support import session as open_session

from stptui import graph as graphs
from stptui.commands import Session, execute
from stptui.graph import build_graph
from stptui.tui.app import StptuiApp
from stptui.tui.diagram import Box
from stptui.tui.widgets.graph_pane import BADGE_ROOM, FULL_LAYOUT_LIMIT, GraphPane, badges
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.queues_pane import QueuesPane

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from stackgen import generate_stack


def box_lines(app: StptuiApp, node: str) -> list[str]:
    """The text inside `node`'s box, one string per interior row."""
    d = app.query_one(GraphPane).diagram
    box = d.boxes[node]
    rows = d.text().splitlines()[box.y + 1 : box.y + box.height - 1]
    return [row[box.x + 1 : box.x + box.width - 1].strip() for row in rows]


def test_arrow_keys_move_the_selection_and_select_everywhere() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("1")
        assert app.selected == "httpApi"
        moves = [
            ("right", "api"),
            ("right", "jobQueue"),
            ("down", "deadLetterQueue"),  # right below the queue it serves
            ("down", "deadLetterQueue"),  # the last in its layer
            ("up", "jobQueue"),
            ("right", "worker"),
            ("right", "database"),
            ("down", "database"),  # alone in its layer
            ("left", "worker"),
        ]
        for key, expected in moves:
            await pilot.press(key)
            assert app.selected == expected, key
            assert app.query_one(GraphPane).selected == expected
        await pilot.press("left", "left")
        assert app.selected == "api"
        await pilot.press("right")
        assert app.query_one(QueuesPane).queue_name == "jobQueue"

    drive(app_for(), script)


def test_the_selection_scrolls_into_view() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        await pilot.press("1", "right", "right", "right", "right")
        await pilot.pause()
        box = pane.diagram.boxes["database"]
        view = pane.scrollable_content_region
        x, y = pane.scroll_offset
        assert x <= box.x and box.x + box.width <= x + view.width
        assert y <= box.y and box.y + box.height <= y + view.height

    drive(app_for(), script)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_sample_opens_on_its_first_resource_in_view(name: str, size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("1")
        await pilot.pause()
        pane = app.query_one(GraphPane)
        assert pane.selected == app.selected and app.selected in pane.shown
        assert len(pane.shown) == len(app.graph)
        box = pane.diagram.boxes[app.selected]
        view = pane.scrollable_content_region
        x, y = pane.scroll_offset
        assert y <= box.y and box.y + box.height <= y + view.height
        assert x <= box.x < x + view.width
        drawn = [pane.render_line(row).text for row in range(view.height)]
        assert any("╭" in line for line in drawn)

    drive(app_for(name), script, size=size)


def test_a_click_selects_and_a_double_click_inspects() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        box = pane.diagram.boxes["api"]
        region = pane.content_region
        at = (region.x + box.x + 2, region.y + box.y + 1)
        assert region.contains(*at)
        assert await pilot.click(offset=at)
        assert app.selected == "api"
        assert app.focused is pane
        assert await pilot.click(offset=at, times=2)
        assert app.focused is not None and app.focused.id == "inspector-pane"

    drive(app_for(), script)


def test_enter_inspects_the_selection() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("1", "right", "right", "enter")
        assert app.selected == "jobQueue"
        assert app.focused is not None and app.focused.id == "inspector-pane"

    drive(app_for(), script)


def test_badges_follow_the_simulation() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        assert box_lines(app, "jobQueue")[1] == "0 visible · 0 in flight"
        assert box_lines(app, "worker")[1] == "idle"
        assert box_lines(app, "deadLetterQueue")[1] == "DLQ empty"
        app.run_command("send jobQueue '{\"amount\": 1}'")
        await pilot.pause()
        assert box_lines(app, "jobQueue")[1] == "1 visible · 0 in flight"
        app.run_command("advance 1s")
        await pilot.pause()
        assert box_lines(app, "jobQueue")[1] == "0 visible · 1 in flight"
        assert box_lines(app, "worker")[1] == "0 done · 0✗ · 1▸"
        app.run_command("send jobQueue '{\"amount\": 5000}'")
        app.run_command("advance 20m")
        await pilot.pause()
        assert box_lines(app, "worker")[1] == "1 done · 3✗ · 0▸"
        assert box_lines(app, "deadLetterQueue")[1] == "DLQ 1 message"
        box = pane.diagram.boxes["deadLetterQueue"]
        assert pane.diagram.styles[box.y][box.x].color.name == "red"  # type: ignore[union-attr]

    drive(app_for(), script)


def test_a_box_counts_the_runs_done_after_a_day_at_80x24() -> None:
    # A day fast-forwarded: the boxes said `idle` (nothing running, nothing failed) whether
    # the function had run once, 500 times or never.
    async def report(pilot: Pilot[None], app: StptuiApp) -> None:
        assert box_lines(app, "dailyReport")[1] == "idle"
        app.run_command("advance 1d")
        await pilot.pause()
        assert box_lines(app, "dailyReport")[1] == "1 done · 0✗ · 0▸"

    drive(app_for("scheduled-job"), report, size=(80, 24))

    async def worker(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("repeat 500 send jobQueue '{\"amount\": {i}}'")
        app.run_command("advance 1h")
        await pilot.pause()
        # Too many for the words in the box's room: each count whole, by its mark.
        assert box_lines(app, "worker")[1] == "500✓ · 0✗ · 0▸"

    drive(app_for(), worker, size=(80, 24))


def test_a_function_box_counts_done_failed_and_running_invocations() -> None:
    session = open_session("job-queue")
    g = build_graph(session.stack)
    execute(session, "send jobQueue '{\"amount\": 1}'")
    execute(session, "advance 1s")
    words = [t.plain for t in badges(session.sim, g, "worker")]
    assert words[0] == "0 done · 0 failed · 1 running"
    execute(session, "advance 5s")
    words = [t.plain for t in badges(session.sim, g, "worker")]
    assert words == [
        "1 done · 0 failed · 0 running",
        "1 done · 0 fail · 0 run",
        "1 done · 0✗ · 0▸",
        "1✓ · 0✗ · 0▸",
    ]
    # The narrowest words fit the room a function's box keeps.
    assert all(cell_len(w) <= BADGE_ROOM["function"] for w in words[2:])


def test_a_schedule_shows_its_next_fire() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        node = "schedule:dailyReport:1"
        assert box_lines(app, node) == ["◷ cron(0 9 * * ? *)", "next 09:00"]
        app.run_command("advance 2h")
        await pilot.pause()
        assert box_lines(app, node)[1] == "next Tue 09:00"

    drive(app_for("scheduled-job"), script)


def test_a_large_stack_shows_the_neighbourhood_of_the_selection(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(generate_stack(300), encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        assert len(app.graph) > FULL_LAYOUT_LIMIT
        assert 0 < len(pane.shown) <= FULL_LAYOUT_LIMIT
        assert "around gateway" in str(pane.border_subtitle)
        far = next(n for n in reversed(list(app.graph)) if n not in pane.shown)
        app.jump_to(far)
        await pilot.pause()
        assert far in pane.shown and pane.selected == far == app.selected
        assert len(pane.shown) <= FULL_LAYOUT_LIMIT
        # Moving onto a box at the edge of the view lays out its neighbourhood instead.
        edge = next(
            n
            for n in pane.shown
            if any(
                m not in pane.shown for m in (*app.graph.successors(n), *app.graph.predecessors(n))
            )
        )
        pane.select(edge)
        assert all(m in pane.shown for m in app.graph.successors(edge))

    drive(app, script)


def test_the_border_counts_one_edge_in_the_singular(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert str(app.query_one(GraphPane).border_subtitle) == "2 nodes, 1 edge"

    drive(StptuiApp(echo_session(tmp_path)), script)


def test_a_box_writes_its_counts_with_thousands_separators() -> None:
    # A box wrote `1234 vis` where the Events pane, the Inspector and the commands write
    # `1,234`: the project's counts have separators.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # Not advanced: the worker has received none yet.
        app.run_command("repeat 1234 send jobQueue '{\"amount\": {i}}'")
        app.run_command("repeat 1234 send deadLetterQueue x")
        await pilot.pause()
        assert box_lines(app, "jobQueue")[1].startswith("1,234 vis")
        assert box_lines(app, "deadLetterQueue")[1].startswith("DLQ 1,234")

    drive(app_for(), script)


def test_a_selection_repaints_only_the_rows_of_the_diagram_in_view() -> None:
    # Textual paints the box around every region a move marks, in every pane it covers: a
    # lit edge's row below the view (or a wide row past the pane's right edge) stretched
    # a move in the graph over the panes below it.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        await pilot.press("1")
        await pilot.pause()
        view = pane.scrollable_content_region
        assert pane.diagram.height > view.height  # rows below the view
        marked: list[Region] = []
        refresh = pane.refresh

        def noted(*regions: Region, **kwargs: bool) -> None:
            marked.extend(regions)
            refresh(*regions, **kwargs)

        pane.refresh = noted  # type: ignore[method-assign]
        for key in ("down", "down", "right", "up"):
            marked.clear()
            await pilot.press(key)
            # The pane's own cells (a scroll repaints them all, its scrollbars too).
            own = pane.size.region
            assert marked and all(own.contains_region(r) for r in marked), key
            # What changed in view is repainted: the selected box's rows.
            box = pane.diagram.boxes[pane.selected]
            top = box.y - pane.scroll_offset.y
            rows = {y for r in marked for y in range(r.y, r.bottom)}
            assert set(range(max(top, 0), min(top + box.height, view.height))) <= rows, key

    drive(app_for("combined"), script)


def redrives(name: str) -> list[tuple[str, str]]:
    """The sample stack's queues and the dead-letter queue each redrives to."""
    g = build_graph(Session.open(SAMPLES / name).stack)
    return [(u, v) for u, v, kind in g.edges(data="kind") if kind == graphs.REDRIVE]


def in_view(pane: GraphPane, box: Box) -> bool:
    """Whether all of `box` is in the pane's view."""
    view = pane.scrollable_content_region
    x, y = pane.scroll_offset
    return (
        x <= box.x
        and box.x + box.width <= x + view.width
        and y <= box.y
        and box.y + box.height <= y + view.height
    )


DLQ_SAMPLES = [name for name in SAMPLE_NAMES if redrives(name)]


def test_the_samples_with_a_dead_letter_queue() -> None:
    assert DLQ_SAMPLES == ["combined", "container-jobs", "job-queue"]


@pytest.mark.parametrize("name", DLQ_SAMPLES)
def test_at_80x24_a_dead_letter_queue_is_in_view_right_below_its_queue(name: str) -> None:
    # It was drawn in the last column, after the data stores: at 80 columns off to the
    # right of its queue, often a screen away.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        await pilot.press("1")
        for queue, dlq in redrives(name):
            for node in (queue, dlq):
                app.jump_to(node)
                await pilot.pause()
                q, d = pane.diagram.boxes[queue], pane.diagram.boxes[dlq]
                assert (d.x, d.width) == (q.x, q.width) and d.y == q.y + q.height + 1, node
                assert in_view(pane, q) and in_view(pane, d), node
                # The redrive line's arrowhead, on screen beside the dead-letter queue.
                (line,) = (e for e in pane.diagram.edges if (e.source, e.target) == (queue, dlq))
                x, y = line.cells[-1]
                sx, sy = pane.scroll_offset
                assert (x, y) == (d.x + d.width, d.y + 1)
                assert pane.render_line(y - sy).text[x - sx] == "◄", node

    drive(app_for(name), script, size=(80, 24))


def test_at_80_columns_names_are_cut_to_fit_and_whole_when_the_terminal_widens() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        await pilot.press("1")
        await pilot.pause()
        d = pane.diagram
        assert d.width < d.natural_width  # narrowed to the pane (76 cells)
        # Too wide for 76 cells even narrowed, the diagram scrolls: the three columns
        # from the left are narrowed until they are in sight whole, the queues' counts
        # whole in shorter words, a schedule's rule cut in the middle.
        queues = d.boxes["notificationQueue"]
        assert queues.x + queues.width <= 76
        assert box_lines(app, "notificationQueue") == ["≡ notificationQueue", "0 vis · 0 in flight"]
        assert box_lines(app, "jobQueue")[1] == "0 vis · 0 in flight"
        assert box_lines(app, "schedule:dailyReport:1")[0] == "◷ cron(0…* ? *)"
        # The whole name: in a tooltip over the box, and in the Inspector.
        app.jump_to("dailyReport")
        await pilot.pause()
        region = pane.content_region

        def over(node: str) -> tuple[int, int]:
            box, (sx, sy) = pane.diagram.boxes[node], pane.scroll_offset
            return (region.x + box.x + 2 - sx, region.y + box.y + 1 - sy)

        await pilot.hover(offset=over("schedule:dailyReport:1"))
        assert isinstance(pane.tooltip, Text) and pane.tooltip.plain == "cron(0 9 * * ? *)"
        await pilot.hover(offset=over("dailyReport"))  # whole: no tooltip
        assert pane.tooltip is None
        await pilot.click(offset=over("dailyReport"), times=2)
        await pilot.pause()
        assert app.selected == "dailyReport"
        assert "dailyReport" in drawn_text(app.query_one(InspectorPane))
        await pilot.resize_terminal(220, 50)
        await pilot.pause()
        d = pane.diagram
        assert d.width == d.natural_width
        assert box_lines(app, "schedule:dailyReport:1")[0] == "◷ cron(0 9 * * ? *)"
        assert box_lines(app, "jobQueue")[1] == "0 visible · 0 in flight"
        # Still selected, and in view.
        assert pane.selected == "dailyReport"
        assert in_view(pane, d.boxes["dailyReport"])

    drive(app_for("combined"), script, size=(80, 24))


def test_at_80x24_the_job_queue_worker_is_named_in_sight() -> None:
    # The diagram (107 cells) scrolls sideways at 80 columns. Narrowed as far as allowed
    # or not at all, its worker's box began at the pane's edge, which cut its name to
    # `λ w`: now the columns before it are narrowed until its name is in sight.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("1")
        await pilot.pause()
        pane = app.query_one(GraphPane)
        d = pane.diagram
        assert d.width > 76  # it still scrolls
        lines = screen_text(app).splitlines()
        worker = d.boxes["worker"]
        row = lines[pane.content_region.y + worker.y + 1 - int(pane.scroll_y)]
        assert "│ λ worker " in row, row
        # What was narrowed for it: the queues' words, not their counts nor names.
        assert box_lines(app, "jobQueue") == ["≡ jobQueue", "0 vis · 0 in flight"]
        assert box_lines(app, "deadLetterQueue")[0] == "≡ deadLetterQueue"
        # Wide enough for it all, nothing is narrowed.
        await pilot.resize_terminal(220, 50)
        await pilot.pause()
        assert pane.diagram.width == pane.diagram.natural_width
        assert box_lines(app, "jobQueue")[1] == "0 visible · 0 in flight"

    drive(app_for("job-queue"), script, size=(80, 24))
