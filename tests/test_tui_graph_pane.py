"""Pilot tests of the Graph pane: moving and clicking select the resource everywhere, enter
inspects it, badges follow the simulation, and a large stack shows a neighbourhood.

A launch is most of a short test's CPU: every sample stack opens once at each size, its
first check the opening's (`opens_on_its_first_resource_in_view`), then the checks of that
stack and size one after another (`checks_on_one_launch`), each named in a failure."""

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
    Script,
    app_for,
    as_checks,
    checks_on_one_launch,
    drawn_text,
    drive,
    echo_session,
    resized_to,
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


async def http_api_again(pilot: Pilot[None], app: StptuiApp) -> None:
    """Select job-queue's first resource again (as the app opens), for the next check."""
    app.jump_to("httpApi")
    await pilot.pause()
    assert app.query_one(GraphPane).selected == "httpApi"


async def opens_on_its_first_resource_in_view(pilot: Pilot[None], app: StptuiApp) -> None:
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


# -- job-queue at 120x36: after the opening, these in this order ----------------------------


async def arrow_keys_move_the_selection_and_select_everywhere(
    pilot: Pilot[None], app: StptuiApp
) -> None:
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
    await http_api_again(pilot, app)


async def the_selection_scrolls_into_view(pilot: Pilot[None], app: StptuiApp) -> None:
    pane = app.query_one(GraphPane)
    await pilot.press("1", "right", "right", "right", "right")
    await pilot.pause()
    box = pane.diagram.boxes["database"]
    view = pane.scrollable_content_region
    x, y = pane.scroll_offset
    assert x <= box.x and box.x + box.width <= x + view.width
    assert y <= box.y and box.y + box.height <= y + view.height
    await http_api_again(pilot, app)


async def enter_inspects_the_selection(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("1", "right", "right", "enter")
    assert app.selected == "jobQueue"
    assert app.focused is not None and app.focused.id == "inspector-pane"


async def a_click_selects_and_a_double_click_inspects(pilot: Pilot[None], app: StptuiApp) -> None:
    pane = app.query_one(GraphPane)
    box = pane.diagram.boxes["api"]
    region = pane.content_region
    sx, sy = pane.scroll_offset
    at = (region.x + box.x + 2 - sx, region.y + box.y + 1 - sy)
    assert region.contains(*at)
    assert await pilot.click(offset=at)
    assert app.selected == "api"
    assert app.focused is pane
    assert await pilot.click(offset=at, times=2)
    assert app.focused is not None and app.focused.id == "inspector-pane"


async def badges_follow_the_simulation(pilot: Pilot[None], app: StptuiApp) -> None:
    # The first check that changes the simulation.
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


# -- combined at 120x36 ---------------------------------------------------------------------


async def a_selection_repaints_only_the_rows_of_the_diagram_in_view(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Textual paints the box around every region a move marks, in every pane it covers: a
    # lit edge's row below the view (or a wide row past the pane's right edge) stretched
    # a move in the graph over the panes below it.
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
    try:
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
    finally:
        del pane.refresh


# -- scheduled-job --------------------------------------------------------------------------


async def a_schedule_shows_its_next_fire(pilot: Pilot[None], app: StptuiApp) -> None:
    node = "schedule:dailyReport:1"
    assert box_lines(app, node) == ["◷ cron(0 9 * * ? *)", "next 09:00"]
    app.run_command("advance 2h")
    await pilot.pause()
    assert box_lines(app, node)[1] == "next Tue 09:00"


# A day fast-forwarded: the boxes said `idle` (nothing running, nothing failed) whether the
# function had run once, 500 times or never. At 80x24: scheduled-job's report after a day,
# job-queue's worker after 500 messages.


async def a_box_counts_the_runs_done_after_a_day(pilot: Pilot[None], app: StptuiApp) -> None:
    assert box_lines(app, "dailyReport")[1] == "idle"
    app.run_command("advance 1d")
    await pilot.pause()
    assert box_lines(app, "dailyReport")[1] == "1 done · 0✗ · 0▸"


async def a_box_counts_500_runs_whole_by_their_marks(pilot: Pilot[None], app: StptuiApp) -> None:
    app.run_command("repeat 500 send jobQueue '{\"amount\": {i}}'")
    app.run_command("advance 1h")
    await pilot.pause()
    # Too many for the words in the box's room: each count whole, by its mark.
    assert box_lines(app, "worker")[1] == "500✓ · 0✗ · 0▸"


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


async def a_dead_letter_queue_is_in_view_right_below_its_queue(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # It was drawn in the last column, after the data stores: at 80 columns off to the
    # right of its queue, often a screen away.
    pane = app.query_one(GraphPane)
    await pilot.press("1")
    pairs = [(u, v) for u, v, kind in app.graph.edges(data="kind") if kind == graphs.REDRIVE]
    assert pairs
    for queue, dlq in pairs:
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


async def names_are_cut_to_fit_at_80_columns_and_whole_when_the_terminal_widens(
    pilot: Pilot[None], app: StptuiApp
) -> None:
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
    await resized_to(pilot, app, (80, 24))


async def at_80x24_the_job_queue_worker_is_named_in_sight(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The diagram (107 cells) scrolls sideways at 80 columns. Narrowed as far as allowed
    # or not at all, its worker's box began at the pane's edge, which cut its name to
    # `λ w`: now the columns before it are narrowed until its name is in sight.
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
    await resized_to(pilot, app, (80, 24))


# The checks after the opening's on each sample stack at each size, in this order: each
# leaves the terminal at its size and says what it needs of the ones before it.
AFTER_OPENING: dict[tuple[str, tuple[int, int]], list[Script]] = {
    # The moves start on httpApi (selected again after each); the click computes where the
    # box is in view; the badges' is the first check that changes the simulation.
    ("job-queue", (120, 36)): [
        arrow_keys_move_the_selection_and_select_everywhere,
        the_selection_scrolls_into_view,
        enter_inspects_the_selection,
        a_click_selects_and_a_double_click_inspects,
        badges_follow_the_simulation,
    ],
    ("combined", (120, 36)): [a_selection_repaints_only_the_rows_of_the_diagram_in_view],
    ("scheduled-job", (120, 36)): [a_schedule_shows_its_next_fire],
    ("scheduled-job", (80, 24)): [a_box_counts_the_runs_done_after_a_day],
    # The worker's name is looked for in the opening's view (it makes the terminal 80x24
    # again after widening it); the 500 messages come last.
    ("job-queue", (80, 24)): [
        at_80x24_the_job_queue_worker_is_named_in_sight,
        a_dead_letter_queue_is_in_view_right_below_its_queue,
        a_box_counts_500_runs_whole_by_their_marks,
    ],
    # The names' check hovers over boxes in the opening's view: before any jump scrolls it.
    ("combined", (80, 24)): [
        names_are_cut_to_fit_at_80_columns_and_whole_when_the_terminal_widens,
        a_dead_letter_queue_is_in_view_right_below_its_queue,
    ],
    ("container-jobs", (80, 24)): [a_dead_letter_queue_is_in_view_right_below_its_queue],
}


def test_every_dead_letter_queue_is_checked_at_80x24() -> None:
    checked = {
        name
        for (name, size), checks in AFTER_OPENING.items()
        if a_dead_letter_queue_is_in_view_right_below_its_queue in checks and size == (80, 24)
    }
    assert checked == set(DLQ_SAMPLES)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_each_sample_at_each_size(name: str, size: tuple[int, int]) -> None:
    """Every sample opens on its first resource in view; then the checks of the stack at
    that size (AFTER_OPENING) on the same app."""
    checks = as_checks(
        [opens_on_its_first_resource_in_view, *AFTER_OPENING.get((name, size), [])], name
    )
    checks_on_one_launch(app_for(name), checks, size)


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
