"""What a key changes happens in the key's own step (so that the screen is painted once
per key), and the Line-API views keep their drawn lines through restyles that leave their
styles as they were."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.style import Style
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, DataTable
from tui_one_app import on_one_app, steps_at
from tui_support import app_for, drive

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import MORE_KEY, DialogFrame
from stptui.tui.screens.help import HelpScroll
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.graph_pane import GraphPane
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.line_views import LineView, TextView


async def a_queue_row_moved_to_from_elsewhere_does_not_select_by_itself(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    table = app.query_one("#queue-table", DataTable)
    assert not table.has_focus
    table.move_cursor(row=1)
    assert app.selected == "httpApi"
    # The cursor back on the first row, where the next check moves down from.
    table.move_cursor(row=0)


async def a_graph_move_selects_everywhere_in_the_same_step(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("1")
    app.query_one(GraphPane).action_move("right")
    assert app.selected == "api"
    assert "api" in app.query_one(InspectorPane).text.plain.splitlines()[0]


async def a_queue_row_the_user_moves_onto_is_selected_in_the_same_step(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("2")
    table = app.query_one("#queue-table", DataTable)
    table.action_cursor_down()
    # No pause: no message has to reach the app first.
    assert app.selected == "deadLetterQueue"
    assert "deadLetterQueue" in app.query_one(InspectorPane).text.plain


async def an_events_cursor_move_shows_the_record_in_the_same_step(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command("send jobQueue '{\"amount\": 1}'")
    app.run_command("send jobQueue '{\"amount\": 2}'")
    await pilot.press("3")
    detail = app.query_one("#event-detail", TextView)
    lst = app.query_one(RecordList)
    newest = lst.selected
    assert newest is not None and f'"seq": {newest.seq}' in detail.text.plain
    lst.action_cursor(-1)
    assert f'"seq": {newest.seq - 1}' in detail.text.plain


def test_a_key_that_moves_a_cursor_selects_in_its_own_step() -> None:
    """On one app of the job queue: first the queue row moved to from elsewhere (the
    app's first resource selected), then the moves of a user, each from the selection the
    one before left."""
    checks = [
        a_queue_row_moved_to_from_elsewhere_does_not_select_by_itself,
        a_graph_move_selects_everywhere_in_the_same_step,
        a_queue_row_the_user_moves_onto_is_selected_in_the_same_step,
        an_events_cursor_move_shows_the_record_in_the_same_step,
    ]
    on_one_app(app_for(), steps_at((120, 36), checks))


class CountingView(LineView):
    """A line view that counts the times its kept lines are dropped."""

    DEFAULT_CSS = """
    CountingView { height: 3; }
    CountingView:focus { background: red; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.forgotten = 0

    def forget_lines(self) -> None:
        """Count the drop."""
        self.forgotten += 1

    def render_line(self, y: int) -> Strip:
        """A blank line in the view's style."""
        return Strip.blank(self.size.width, self.line_styles()[0])


class LineViewApp(App[None]):
    """A focusable view in a container that other rules restyle."""

    AUTO_FOCUS = None
    CSS: ClassVar[str] = """
    Vertical { border: round grey; }
    Vertical.-marked { border: round blue; }
    Vertical.-marked CountingView { scrollbar-color: blue; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield CountingView()


def test_a_line_view_keeps_its_lines_through_a_restyle_that_leaves_its_style() -> None:
    async def main() -> None:
        app = LineViewApp()
        async with app.run_test(size=(40, 10)) as pilot:
            await pilot.pause()
            view = app.query_one(CountingView)
            drawn = view.forgotten
            before = view.line_styles()
            # The container's border changes, and the view's scrollbar colour (Textual
            # tells the view its styles changed); the style its lines are drawn in does not.
            app.query_one(Vertical).add_class("-marked")
            await pilot.pause()
            assert view.line_styles() == before
            assert view.forgotten == drawn
            # The view's own focus changes its background: its lines are drawn again.
            view.focus()
            await pilot.pause()
            after = view.line_styles()
            assert after != before and after[0].bgcolor == Style(bgcolor="#ff0000").bgcolor
            assert view.forgotten == drawn + 1

    asyncio.run(main())


def test_page_and_home_end_keys_jump_in_the_panes_the_help_and_a_tall_dialog() -> None:
    """Page up/down, home and end move at once, as the Events pane's do: Textual's smooth
    scroll took 0.4 s (a page) to 1 s (home, end) to come to rest in the Graph pane, the
    Inspector, the help and a dialog taller than the terminal, each key a glide to wait
    out."""
    glides: list[str] = []

    def spy(view: Widget) -> None:
        # Textual animates a scroll through the widget's `animate`.
        animate = view.animate

        def recorded(attribute: str, *args: object, **kwargs: object) -> None:
            glides.append(f"{type(view).__name__}.{attribute}")
            animate(attribute, *args, **kwargs)  # type: ignore[arg-type]

        view.animate = recorded  # type: ignore[method-assign]

    async def page_through(pilot: Pilot[None], view: Widget) -> None:
        spy(view)
        assert view.max_scroll_y > 0, f"{view!r} has nothing to scroll"
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("home")
        assert view.scroll_y == 0
        await pilot.press("pagedown")
        assert view.scroll_y == min(view.scrollable_content_region.height, view.max_scroll_y)
        await pilot.press("pageup")
        assert view.scroll_y == 0

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # A function's page (its properties, triggers, environment, behaviour) is long.
        app.selected = next(iter(app.session.sim.functions))
        await pilot.press("1")
        await page_through(pilot, app.query_one(GraphPane))
        await pilot.press("4")
        await page_through(pilot, app.query_one(InspectorPane))
        await pilot.press("question_mark")
        await page_through(pilot, app.screen.query_one(HelpScroll))
        await pilot.press("escape", "h", MORE_KEY)
        # The HTTP dialog with its headers, query and claims opened is taller than 80x24
        # (the focus on a button, which leaves the page keys to the dialog).
        app.screen.query_one("#http-cancel", Button).focus()
        await pilot.pause()
        await page_through(pilot, app.screen.query_one(DialogFrame))
        assert glides == []

    drive(app_for("combined"), script, size=(80, 24))
