"""The terminal UI on small terminals (80x24, 60x20): the dialogs' labels and the help stay
readable, never cut mid-word or drawn over each other, a dialog taller than the terminal
opens at its top and scrolls its error into sight, and an event row cut short shows it."""

from __future__ import annotations

import re

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Label
from tui_support import app_for, drawn_text, drive

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import HTTP_FORM_WIDTH, HTTP_SIDE_BY_SIDE
from stptui.tui.screens.help import HelpScreen
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.graph_pane import GraphPane

SMALL = [(80, 24), (60, 20)]
# The dialog keys; the combined stack has something for each.
DIALOG_KEYS = ["s", "p", "u", "h", "x", "f"]


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_dialog_label_fits_its_column(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for key in DIALOG_KEYS:
            await pilot.press(key)
            await pilot.pause()
            for label in app.screen.query(Label):
                column = label.parent
                assert column is not None
                # A label wider than its column is cut where the column ends, and in a row
                # of fields it runs under the next field's label.
                inside = column.content_region.right  # type: ignore[attr-defined]
                assert label.region.right <= inside, (key, str(label.render()))
            if key == "u":
                # Fields side by side start on one row.
                size_y = app.screen.query_one("#upload-size").region.y
                assert size_y == app.screen.query_one("#upload-op-select").region.y
            await pilot.press("escape")
            await pilot.pause()

    drive(app_for("combined"), script, size=size)


# Shorter than the small terminals above: the dialogs fit those whole.
SHORT = [(80, 16), (60, 16)]


@pytest.mark.parametrize("size", SHORT, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_dialog_opens_at_its_top_with_the_picker_in_sight(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # (Every dialog fits 80x24 with its sections folded: see test_tui_dialog_fit. The
        # HTTP dialog's picker is the method.)
        for key, picker, field in [
            ("h", "#http-method", "#http-path"),
            ("u", "#upload-bucket", "#upload-key"),
        ]:
            await pilot.press(key)
            await pilot.pause()
            box = app.screen.query_one(".dialog-box", VerticalScroll)
            # Too tall for the terminal, the dialog scrolls; it opens at its top, with the
            # picker in sight and the first field to type in focused.
            assert box.virtual_size.height > box.scrollable_content_region.height
            assert box.scroll_offset.y == 0, key
            assert box.can_view_entire(app.screen.query_one(picker))
            assert app.focused is app.screen.query_one(field)
            await pilot.press("escape")
            await pilot.pause()

    drive(app_for("combined"), script, size=size)


def test_an_error_below_the_fold_is_scrolled_into_sight() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("ctrl+a", "{", "ctrl+s")
        await pilot.pause()
        box = app.screen.query_one(".dialog-box", VerticalScroll)
        error = app.screen.query_one("#send-error")
        assert "not valid JSON" in drawn_text(error)
        assert box.can_view_entire(error)

    drive(app_for("combined"), script, size=(60, 20))


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_help_wraps_a_long_tooltip_in_its_own_column(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        lines = [line.rstrip() for line in drawn_text(screen.query_one("#help-body")).split("\n")]
        titles = {title for title, _ in screen.groups}
        column = lines[1].index("Leave stptui")
        for line in lines:
            if not line or line in titles:
                continue
            assert line.startswith("  "), line
            if not line[:column].strip():
                # A tooltip's next line starts under its first, not under the keys.
                assert len(line) - len(line.lstrip()) == column, line
        tooltips = " ".join(line[column:].strip() for line in lines if len(line) > column)
        assert "Run the virtual clock at the chosen speed, or pause it" in tooltips

    drive(app_for("combined"), script, size=size)


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_line_of_the_help_is_reached_by_the_keys_it_names(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        scroll = app.screen.query_one(VerticalScroll)
        body = app.screen.query_one("#help-body")
        lines = drawn_text(body).split("\n")
        # Nothing is out of sight sideways; the page keys (its subtitle) page down.
        assert scroll.max_scroll_x == 0 and app.screen.focused is scroll
        assert "page keys scroll" in str(scroll.border_subtitle)
        seen: set[int] = set()
        while True:
            top = round(scroll.scroll_y)
            seen.update(range(top, top + scroll.scrollable_content_region.height))
            if top >= scroll.max_scroll_y:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        assert seen >= set(range(len(lines))), sorted(set(range(len(lines))) - seen)
        assert any(line.startswith("  ctrl+p    Palette") for line in lines)

    drive(app_for("combined"), script, size=size)


def test_an_event_row_cut_short_shows_its_ellipsis_beside_the_scrollbar() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in ['send jobQueue \'{"orderId": 2, "amount": 5000}\'', "advance 20m"]:
            app.run_command(line)
        await pilot.press("3")
        await pilot.pause()
        rows = app.query_one(RecordList)
        assert rows.show_vertical_scrollbar
        shown = rows.scrollable_content_region.width
        for y in range(rows.size.height):
            line = rows.render_line(y).text.rstrip()
            # Cut to the width left of the scrollbar, not under it with its `…`.
            assert line.endswith("…") and cell_len(line) <= shown, line

    drive(app_for("job-queue"), script, size=(80, 24))


@pytest.mark.parametrize("size", [(60, 20), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_graph_opens_at_its_top_with_its_legend(size: tuple[int, int]) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("1")
        await pilot.pause()
        pane = app.query_one(GraphPane)
        # The combined stack's first resource is lower than the view is tall at 60x20.
        assert pane.diagram.boxes[app.selected].y > 0
        legend = drawn_text(pane).split("\n")[0]
        assert "trigger" in legend and "connectTo" in legend, legend
        # Once the user moves, the view follows the selection.
        await pilot.press("down", "down")
        await pilot.pause()
        box = pane.diagram.boxes[pane.selected]
        assert pane.selected != "httpApi"
        view = pane.scrollable_content_region
        assert pane.scroll_offset.y <= box.y
        assert box.y + box.height <= pane.scroll_offset.y + view.height

    drive(app_for("combined"), script, size=size)


@pytest.mark.parametrize("size", [*SMALL, (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_http_form_keeps_its_width_and_the_response_what_is_left(
    size: tuple[int, int],
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        await pilot.pause()
        box = app.screen.query_one(".dialog-box", VerticalScroll)
        form = app.screen.query_one("#http-request")
        routes = drawn_text(app.screen.query_one("#http-routes")).split("\n")
        # Each route on one line: a form squeezed to half the dialog wrapped them.
        assert "POST /webhooks/{provider} → webhookReceiver" in [r.rstrip() for r in routes]
        await pilot.press("ctrl+s")
        await pilot.pause()
        response = app.screen.query_one("#http-response")
        # The dialog opens on the stack's first route: its answer is what must fit.
        assert re.search(r"HTTP \d{3}", drawn_text(response))
        assert box.can_view_entire(response)
        if size[0] < HTTP_SIDE_BY_SIDE:
            # The form takes the dialog's width; the response comes under it.
            assert form.region.width == box.scrollable_content_region.width
            assert response.region.y >= form.region.bottom
        else:
            assert form.region.width == HTTP_FORM_WIDTH
            assert response.region.x >= form.region.right

    drive(app_for("combined"), script, size=size)


def test_tab_goes_on_to_the_next_pane_when_one_pane_is_shown() -> None:
    """Below 120 columns only the current pane is shown, and tab went round its own stops
    (on the graph, one: tab did nothing). Past its last stop it shows the next pane."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        visited = []
        for _ in range(8):
            focused = app.screen.focused
            assert focused is not None and focused.region.area > 0
            visited.append((app.current_pane, focused.id))
            await pilot.press("tab")
        assert visited == [
            ("1", "graph-pane"),
            ("2", "queue-table"),
            ("2", "message-table"),
            ("3", "event-list"),
            ("3", "event-detail"),
            ("4", "inspector-pane"),
            ("5", "agenda-pane"),
            ("1", "graph-pane"),
        ]
        # Back from the queues pane: the graph, then round to the agenda, the inspector
        # and the events pane's last stop.
        back = []
        for _ in range(4):
            await pilot.press("shift+tab")
            focused = app.screen.focused
            assert focused is not None
            back.append((app.current_pane, focused.id))
        assert back == [
            ("1", "graph-pane"),
            ("5", "agenda-pane"),
            ("4", "inspector-pane"),
            ("3", "event-detail"),
        ]

    drive(app_for(), script, size=(80, 24))


def test_tab_passes_over_the_queues_pane_of_a_stack_without_queues() -> None:
    """Its Queues pane has nothing to focus: tab from the graph found no next stop there and
    left the focus on the graph, for good (shift+tab went round the other way)."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert not app.session.sim.queues
        visited = []
        for _ in range(4):
            await pilot.press("tab")
            focused = app.screen.focused
            assert focused is not None
            visited.append((app.current_pane, focused.id))
        assert visited == [
            ("3", "event-list"),
            ("3", "event-detail"),
            ("4", "inspector-pane"),
            ("5", "agenda-pane"),
        ]
        await pilot.press("tab")
        assert (app.current_pane, app.screen.focused) == ("1", app.query_one("#graph-pane"))
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        assert (app.current_pane, app.screen.focused) == ("3", app.query_one("#event-detail"))
        await pilot.press("shift+tab", "shift+tab")
        assert (app.current_pane, app.screen.focused) == ("1", app.query_one("#graph-pane"))

    drive(app_for("scheduled-job"), script, size=(80, 24))


def test_the_strip_of_a_40_column_terminal_names_the_current_pane_and_numbers_the_others() -> None:
    """` [1] Graph  [2] Queues  [3] Events  [4] Inspector  [5] Agenda ` takes 62 cells: at
    40 columns `[4] Inspector` and `[5] Agenda` were cut off. A click on a key still shows
    its pane."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        strip = app.query_one("#pane-tabs", Widget)
        assert strip.render_line(0).text.rstrip() == " [1] Graph  [2]  [3]  [4]  [5]"
        await pilot.press("4")
        await pilot.pause()
        assert strip.render_line(0).text.rstrip() == " [1]  [2]  [3]  [4] Inspector  [5]"
        # ` [1]  [2]  [3]  [4] Inspector  [5] `: column 7 is in `[2]`; then in
        # ` [1]  [2] Queues  [3]  [4]  [5] `, column 29 is in `[5]`.
        await pilot.click("#pane-tabs", offset=(7, 0))
        assert app.current_pane == "2"
        await pilot.click("#pane-tabs", offset=(29, 0))
        assert app.current_pane == "5"
        # Wide enough again, every name is back.
        await pilot.resize_terminal(70, 20)
        await pilot.pause()
        assert (
            strip.render_line(0).text.rstrip()
            == " [1] Graph  [2] Queues  [3] Events  [4] Inspector  [5] Agenda"
        )

    drive(app_for(), script, size=(40, 15))


def test_a_wrapped_line_of_the_command_lines_output_goes_on_under_its_own_text() -> None:
    """At 60 columns `help all` went on at the margin (`(SendMessage).` under `send`, read
    as a line of its own); its descriptions go on under themselves, and so on the page
    ctrl+o opens."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"help all", "enter")
        await pilot.pause()
        lines = drawn_text(app.screen.query_one("#command-result")).split("\n")
        send = next(i for i, line in enumerate(lines) if line.startswith("  send "))
        column = lines[send].index("Send a message")
        assert lines[send + 1][:column].strip() == "", lines[send : send + 2]
        assert lines[send + 1][column:].strip() == "(SendMessage)."
        # Lines that are not wrapped parts start where they did.
        assert lines[send - 1].rstrip() == "Send work into the stack:"
        await pilot.press("ctrl+o")
        await pilot.pause()
        page = drawn_text(app.screen.query_one("#output-page")).split("\n")
        send = next(i for i, line in enumerate(page) if line.startswith("  send "))
        column = page[send].index("Send a message")
        assert page[send + 1][:column].strip() == "" and page[send + 1][column:].strip()

    drive(app_for(), script, size=(60, 20))
