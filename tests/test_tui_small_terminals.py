"""The terminal UI on small terminals (80x24, 60x20): the dialogs' labels and the help stay
readable, never cut mid-word or drawn over each other, a dialog taller than the terminal
opens at its top and scrolls its error into sight, and an event row cut short shows it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Label, TextArea
from tui_one_app import (
    Check,
    Size,
    Step,
    focus_moved,
    on_one_app,
    press_until,
    put_back,
    screen_opened,
    send_keys,
)
from tui_support import (
    app_for,
    drawn_text,
    drive,
    press_settled,
    resized_to,
    send_key,
    settled,
    wait_until,
)

from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.dialogs import (
    HTTP_FORM_WIDTH,
    HTTP_SIDE_BY_SIDE,
    FireDialog,
    HttpDialog,
    PublishDialog,
    SendDialog,
    UploadDialog,
)
from stptui.tui.screens.fast_forward import FastForwardScreen
from stptui.tui.screens.help import HelpScreen
from stptui.tui.screens.output_page import OutputPage
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.graph_pane import GraphPane

SMALL = [(80, 24), (60, 20)]
# Shorter than the small terminals above: the dialogs fit those whole.
SHORT = [(80, 16), (60, 16)]
# The dialog each key opens; the combined stack has something for each.
DIALOGS: dict[str, type[Screen[object]]] = {
    "s": SendDialog,
    "p": PublishDialog,
    "u": UploadDialog,
    "h": HttpDialog,
    "x": FireDialog,
    "f": FastForwardScreen,
}


async def dialog(pilot: Pilot[None], app: StptuiApp, key: str) -> Screen[object]:
    """Press `key`, and wait until its dialog is laid out for good."""
    return await screen_opened(pilot, app, key, DIALOGS[key], ".dialog-box")


async def every_dialog_label_fits_its_column(pilot: Pilot[None], app: StptuiApp) -> None:
    main = app.screen
    for key in DIALOGS:
        screen = await dialog(pilot, app, key)
        for label in screen.query(Label):
            column = label.parent
            assert column is not None
            # A label wider than its column is cut where the column ends, and in a row
            # of fields it runs under the next field's label.
            inside = column.content_region.right  # type: ignore[attr-defined]
            assert label.region.right <= inside, (key, str(label.render()))
        if key == "u":
            # Fields side by side start on one row.
            size_y = screen.query_one("#upload-size").region.y
            assert size_y == screen.query_one("#upload-op-select").region.y
        await put_back(pilot, app, main)


async def a_dialog_opens_at_its_top_with_the_picker_in_sight(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # (Every dialog fits 80x24 with its sections folded: see test_tui_dialog_fit. The
    # HTTP dialog's picker is the method.)
    main = app.screen
    for key, picker, field in [
        ("h", "#http-method", "#http-path"),
        ("u", "#upload-bucket", "#upload-key"),
    ]:
        screen = await dialog(pilot, app, key)
        box = screen.query_one(".dialog-box", VerticalScroll)
        # Too tall for the terminal, the dialog scrolls; it opens at its top, with the
        # picker in sight and the first field to type in focused.
        assert box.virtual_size.height > box.scrollable_content_region.height, key
        assert box.scroll_offset.y == 0, key
        assert box.can_view_entire(screen.query_one(picker)), key
        assert app.focused is screen.query_one(field), key
        await put_back(pilot, app, main)


async def an_error_below_the_fold_is_scrolled_into_sight(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    screen = await dialog(pilot, app, "s")
    box = screen.query_one(".dialog-box", VerticalScroll)
    error = screen.query_one("#send-error")
    body = screen.query_one("#send-body", TextArea)
    await press_until(pilot, app, "ctrl+a", lambda: body.selected_text == body.text, "all")
    await press_until(pilot, app, "{", lambda: body.text == "{", "typed over")
    # (ctrl+s is the dialog's key, before the text area's: sent with keys still to type
    # into it, it would send what they had not changed yet.)
    await press_until(pilot, app, "ctrl+s", lambda: bool(drawn_text(error).strip()), "error")
    await settled(pilot, box, "the send dialog with its error")
    assert "not valid JSON" in drawn_text(error)
    assert box.can_view_entire(error)
    assert app.session.log == []


async def the_help_wraps_a_long_tooltip_in_its_own_column(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    screen = await screen_opened(pilot, app, "question_mark", HelpScreen, "#help-body")
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


async def every_line_of_the_help_is_reached_by_the_keys_it_names(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    screen = await screen_opened(pilot, app, "question_mark", HelpScreen, "#help-body")
    scroll = screen.query_one(VerticalScroll)
    lines = drawn_text(screen.query_one("#help-body")).split("\n")
    # Nothing is out of sight sideways; the page keys (its subtitle) page down.
    assert scroll.max_scroll_x == 0 and screen.focused is scroll
    assert "page keys scroll" in str(scroll.border_subtitle)
    # The help opens at its top (a help scrolled before is made anew).
    assert scroll.scroll_y == 0
    seen: set[int] = set()
    while True:
        top = round(scroll.scroll_y)
        seen.update(range(top, top + scroll.scrollable_content_region.height))
        if top >= scroll.max_scroll_y:
            break
        await press_settled(pilot, app, "pagedown", scroll)
        assert round(scroll.scroll_y) > top, f"pagedown at row {top} did not scroll"
    assert seen >= set(range(len(lines))), sorted(set(range(len(lines))) - seen)
    assert any(line.startswith("  ctrl+p    Palette") for line in lines)


def the_http_form_keeps_its_width_and_the_response_what_is_left(size: Size) -> Check:
    """The check at `size` (its layout depends on the width)."""

    async def check(pilot: Pilot[None], app: StptuiApp) -> None:
        screen = await dialog(pilot, app, "h")
        box = screen.query_one(".dialog-box", VerticalScroll)
        form = screen.query_one("#http-request")
        routes = drawn_text(screen.query_one("#http-routes")).split("\n")
        # Each route on one line: a form squeezed to half the dialog wrapped them.
        assert "POST /webhooks/{provider} → webhookReceiver" in [r.rstrip() for r in routes]
        sent = len(app.session.log)
        # As a terminal sends it, with no idle wait around it: so sent at 60x20 the response
        # ended a row below the box (tests/test_tui_http_response_sight.py).
        send_key(app, "ctrl+s")
        await wait_until(pilot, lambda: len(app.session.log) > sent, "the request sent")
        await settled(pilot, box, "the HTTP dialog with its response")
        response = screen.query_one("#http-response")
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

    return check


# The checks of the dialogs and the help, each at its sizes, on one app of the combined
# stack. Each opens its dialogs anew (the app makes a dialog or the help each time it opens)
# and closes them; only the HTTP requests run anything, and they come last, so every check
# before them sees the app as it launched (but for its size).
COMBINED_STEPS = [
    *(
        Step("every dialog label fits its column", s, every_dialog_label_fits_its_column)
        for s in SMALL
    ),
    *(
        Step(
            "the help wraps a long tooltip in its own column",
            s,
            the_help_wraps_a_long_tooltip_in_its_own_column,
        )
        for s in SMALL
    ),
    *(
        Step(
            "every line of the help is reached by the keys it names",
            s,
            every_line_of_the_help_is_reached_by_the_keys_it_names,
        )
        for s in SMALL
    ),
    Step(
        "an error below the fold is scrolled into sight",
        (60, 20),
        an_error_below_the_fold_is_scrolled_into_sight,
    ),
    *(
        Step(
            "a dialog opens at its top with the picker in sight",
            s,
            a_dialog_opens_at_its_top_with_the_picker_in_sight,
        )
        for s in SHORT
    ),
    *(
        Step(
            "the HTTP form keeps its width and the response what is left",
            s,
            the_http_form_keeps_its_width_and_the_response_what_is_left(s),
        )
        for s in [*SMALL, (120, 40)]
    ),
]


def test_the_dialogs_and_the_help_read_whole_on_small_terminals() -> None:
    """Labels never cut or drawn over each other, a dialog taller than the terminal opening
    at its top and scrolling its error into sight, the help's columns and pages, the HTTP
    form beside or above its response (each check named in a failure, with its size)."""
    on_one_app(app_for("combined"), COMBINED_STEPS)


@pytest.mark.parametrize("size", [(60, 20), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_graph_opens_at_its_top_with_its_legend(size: tuple[int, int]) -> None:
    """(A fresh app each: what is checked is how the graph is at launch.)"""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(GraphPane)
        await press_until(pilot, app, "1", lambda: app.current_pane == "1", "graph shown")
        await settled(pilot, pane, "the graph")
        # The combined stack's first resource is lower than the view is tall at 60x20.
        assert pane.diagram.boxes[app.selected].y > 0
        legend = drawn_text(pane).split("\n")[0]
        assert "trigger" in legend and "connectTo" in legend, legend
        # Once the user moves, the view follows the selection.
        for _ in range(2):
            await press_until(pilot, app, "down", moved_from(pane, pane.selected), "moved")
        await settled(pilot, pane, "the graph after down, down")
        box = pane.diagram.boxes[pane.selected]
        assert pane.selected != "httpApi"
        view = pane.scrollable_content_region
        assert pane.scroll_offset.y <= box.y
        assert box.y + box.height <= pane.scroll_offset.y + view.height

    drive(app_for("combined"), script, size=size)


def moved_from(pane: GraphPane, selected: str | None) -> Callable[[], bool]:
    """Whether the graph's selection is no longer `selected`."""
    return lambda: pane.selected != selected


async def focus_of(pilot: Pilot[None], app: StptuiApp) -> tuple[str, str | None]:
    """The pane shown and the id of what has the focus, once that is drawn: a pane tabbed
    to is shown as the focus moves to it and laid out at the screen's next update, which on
    a loaded machine came after the test saw the focus move (its region still empty)."""
    await wait_until(
        pilot,
        lambda: (focused := app.screen.focused) is not None and focused.region.area > 0,
        f"{app.screen.focused!r} drawn",
    )
    focused = app.screen.focused
    assert focused is not None
    return (app.current_pane, focused.id)


async def tab_goes_on_to_the_next_pane_when_one_pane_is_shown(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    """Below 120 columns only the current pane is shown, and tab went round its own stops
    (on the graph, one: tab did nothing). Past its last stop it shows the next pane."""
    visited = [await focus_of(pilot, app)]
    for _ in range(7):
        await focus_moved(pilot, app, "tab")
        visited.append(await focus_of(pilot, app))
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
    await focus_moved(pilot, app, "tab")
    back = []
    for _ in range(4):
        await focus_moved(pilot, app, "shift+tab")
        back.append(await focus_of(pilot, app))
    assert back == [
        ("1", "graph-pane"),
        ("5", "agenda-pane"),
        ("4", "inspector-pane"),
        ("3", "event-detail"),
    ]


async def the_strip_names_the_current_pane_and_numbers_the_others(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    """` [1] Graph  [2] Queues  [3] Events  [4] Inspector  [5] Agenda ` takes 62 cells: at
    40 columns `[4] Inspector` and `[5] Agenda` were cut off. A click on a key still shows
    its pane."""
    strip = app.query_one("#pane-tabs", Widget)
    # The graph shown again (the check before left the events pane shown).
    await press_until(pilot, app, "1", lambda: app.current_pane == "1", "graph shown")
    await settled(pilot, strip, "the strip")
    assert strip.render_line(0).text.rstrip() == " [1] Graph  [2]  [3]  [4]  [5]"
    await press_until(pilot, app, "4", lambda: app.current_pane == "4", "inspector shown")
    await settled(pilot, strip, "the strip")
    assert strip.render_line(0).text.rstrip() == " [1]  [2]  [3]  [4] Inspector  [5]"
    # ` [1]  [2]  [3]  [4] Inspector  [5] `: column 7 is in `[2]`; then in
    # ` [1]  [2] Queues  [3]  [4]  [5] `, column 29 is in `[5]`.
    await pilot.click("#pane-tabs", offset=(7, 0))
    assert app.current_pane == "2"
    await settled(pilot, strip, "the strip")
    await pilot.click("#pane-tabs", offset=(29, 0))
    assert app.current_pane == "5"
    # Wide enough again, every name is back.
    await resized_to(pilot, app, (70, 20))
    assert (
        strip.render_line(0).text.rstrip()
        == " [1] Graph  [2] Queues  [3] Events  [4] Inspector  [5] Agenda"
    )


async def a_wrapped_line_of_the_command_lines_output_goes_on_under_its_own_text(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    """At 60 columns `help all` went on at the margin (`(SendMessage).` under `send`, read
    as a line of its own); its descriptions go on under themselves, and so on the page
    ctrl+o opens."""
    screen = await screen_opened(pilot, app, "colon", CommandLineScreen, "#command-input")
    result = screen.query_one("#command-result")
    send_keys(app, *"help all")
    await press_until(pilot, app, "enter", lambda: bool(drawn_text(result).strip()), "output")
    await settled(pilot, result, "the command's output")
    lines = drawn_text(result).split("\n")
    send = next(i for i, line in enumerate(lines) if line.startswith("  send "))
    column = lines[send].index("Send a message")
    assert lines[send + 1][:column].strip() == "", lines[send : send + 2]
    assert lines[send + 1][column:].strip() == "(SendMessage)."
    # Lines that are not wrapped parts start where they did.
    assert lines[send - 1].rstrip() == "Send work into the stack:"
    page = await screen_opened(pilot, app, "ctrl+o", OutputPage, "#output-page")
    drawn = drawn_text(page.query_one("#output-page")).split("\n")
    send = next(i for i, line in enumerate(drawn) if line.startswith("  send "))
    column = drawn[send].index("Send a message")
    assert drawn[send + 1][:column].strip() == "" and drawn[send + 1][column:].strip()


async def an_event_row_cut_short_shows_its_ellipsis_beside_the_scrollbar(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    for line in ['send jobQueue \'{"orderId": 2, "amount": 5000}\'', "advance 20m"]:
        app.run_command(line)
    rows = app.query_one(RecordList)
    await press_until(pilot, app, "3", lambda: app.current_pane == "3", "events shown")
    await settled(pilot, rows, "the events pane")
    assert rows.show_vertical_scrollbar
    shown = rows.scrollable_content_region.width
    for y in range(rows.size.height):
        line = rows.render_line(y).text.rstrip()
        # Cut to the width left of the scrollbar, not under it with its `…`.
        assert line.endswith("…") and cell_len(line) <= shown, line


# The checks of the panes, the strip and the command line on one app of job-queue: tab's
# round first, from where the app starts; the strip's from the graph, shown again; the
# events pane's last, after the only commands any of them runs (`help all` runs nothing).
JOB_QUEUE_STEPS = [
    Step(
        "tab goes on to the next pane when one pane is shown",
        (80, 24),
        tab_goes_on_to_the_next_pane_when_one_pane_is_shown,
    ),
    Step(
        "the strip of a 40-column terminal names the current pane and numbers the others",
        (40, 15),
        the_strip_names_the_current_pane_and_numbers_the_others,
    ),
    Step(
        "a wrapped line of the command line's output goes on under its own text",
        (60, 20),
        a_wrapped_line_of_the_command_lines_output_goes_on_under_its_own_text,
    ),
    Step(
        "an event row cut short shows its ellipsis beside the scrollbar",
        (80, 24),
        an_event_row_cut_short_shows_its_ellipsis_beside_the_scrollbar,
    ),
]


def test_the_panes_the_strip_and_the_command_line_on_small_terminals() -> None:
    on_one_app(app_for("job-queue"), JOB_QUEUE_STEPS)


def test_tab_passes_over_the_queues_pane_of_a_stack_without_queues() -> None:
    """Its Queues pane has nothing to focus: tab from the graph found no next stop there and
    left the focus on the graph, for good (shift+tab went round the other way)."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert not app.session.sim.queues
        visited = []
        for _ in range(4):
            await focus_moved(pilot, app, "tab")
            visited.append(await focus_of(pilot, app))
        assert visited == [
            ("3", "event-list"),
            ("3", "event-detail"),
            ("4", "inspector-pane"),
            ("5", "agenda-pane"),
        ]
        await focus_moved(pilot, app, "tab")
        assert (app.current_pane, app.screen.focused) == ("1", app.query_one("#graph-pane"))
        for _ in range(3):
            await focus_moved(pilot, app, "shift+tab")
        assert (app.current_pane, app.screen.focused) == ("3", app.query_one("#event-detail"))
        for _ in range(2):
            await focus_moved(pilot, app, "shift+tab")
        assert (app.current_pane, app.screen.focused) == ("1", app.query_one("#graph-pane"))

    drive(app_for("scheduled-job"), script, size=(80, 24))
