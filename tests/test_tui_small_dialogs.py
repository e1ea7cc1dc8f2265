"""Every dialog on terminals smaller than 80x24 (70x22, 60x20, a 40x15 split pane), in each
of its modes, on the stack where it is tallest: the fields of a row start on one line
under labels that wrapped to different heights, a row too narrow for its fields side by
side has them one under another, nothing is pushed past the dialog's edge, tab reaches
every field and button, each in sight when it has the focus, and a heading too wide for
the dialog keeps its keys whole on the lower border. Resized while open, a dialog lays
its rows out for the new width and keeps the field being typed in in sight."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from rich.text import Text
from test_tui_dialog_fit import (
    CASES,
    OPENS,
    STACK_IDS,
    STACKS,
    Case,
    assert_tab_reaches,
    box_of,
    each_dialog,
    has_repeat_field,
    laid_out,
    on_one_app,
    open_dialog,
    open_stack,
    outside,
)
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Input
from tui_support import Problems, drive, screen_text, shown, wait_until

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import (
    MIN_AREA_HEIGHT,
    MIN_FIELD_CELLS,
    REPEAT_PLACEHOLDER,
    DialogFrame,
    Hint,
    heading_parts,
    shown_in,
)
from stptui.tui.screens.log_dialog import LogLineDialog

SMALL = [(70, 22), (60, 20), (40, 15)]
# The dialogs (key, stack, lines) with a repeat field, as they open on their tallest stack.
REPEATING = {case for case in CASES if has_repeat_field(OPENS[case[0]])}


def rows_of(dialog: Widget) -> list[Widget]:
    """The rows of fields the dialog shows."""
    box = box_of(dialog)
    return [row for row in dialog.query(".dialog-row") if shown_in(row, box)]


def field_tops(row: Widget) -> dict[str, int]:
    """The first line of each field shown in a row, by its id."""
    return {
        str(field.id): field.region.y
        for column in row.children
        if column.display
        for field in column.query_children("Input, Select, TextArea").results(Widget)
        if field.display
    }


def assert_rows_laid_out(dialog: Widget) -> None:
    """Side by side, a row's fields start on one line; one under another, each field has
    the dialog's width or its own, and at least MIN_FIELD_CELLS."""
    for row in rows_of(dialog):
        tops = field_tops(row)
        if row.has_class("-stacked"):
            assert len(set(tops.values())) == len(tops), f"stacked {row!r}: {tops}"
        else:
            assert len(set(tops.values())) <= 1, f"side by side {row!r}: {tops}"
        for field in row.query("Input, Select, TextArea").results(Widget):
            if shown_in(field, row):
                assert field.region.width >= MIN_FIELD_CELLS, f"{field!r} at {field.region}"


def assert_repeat_placeholder_whole(dialog: Widget) -> None:
    """The dialog's one repeat field shows its placeholder whole."""
    (field,) = dialog.query(".dialog-repeat").results(Input)
    assert field.placeholder == REPEAT_PLACEHOLDER, field.placeholder
    width = field.content_region.width
    assert width > cell_len(REPEAT_PLACEHOLDER), f"{width} cells for {REPEAT_PLACEHOLDER!r}"


async def small_checks(pilot: Pilot[None], dialog: Widget, case: Case, problems: Problems) -> None:
    """What each dialog mode is checked for at each small size (see the test)."""
    name = str(case)
    box = box_of(dialog)
    with problems.check(name, "its box on the screen, nothing past its container's edge"):
        assert dialog.region.contains_region(box.region), f"box {box.region}, {dialog.region}"
        pushed = [w for w in box.walk_children(Widget) if outside(w)]
        assert not pushed, pushed
    with problems.check(name, "each row's fields on one line or one under another"):
        assert_rows_laid_out(dialog)
    if case.size == (60, 20) and not case.picks and (case.key, case.stack, case.lines) in REPEATING:
        with problems.check(name, "the repeat field's placeholder whole"):
            assert_repeat_placeholder_whole(dialog)
    with problems.check(name, "tab reaches every field and button, in sight when focused"):
        await assert_tab_reaches(pilot, dialog)


@pytest.mark.parametrize(("stack", "lines"), STACKS, ids=STACK_IDS)
def test_every_dialog_on_a_small_terminal_lines_up_its_fields_and_reaches_them(
    stack: str, lines: tuple[str, ...]
) -> None:
    """At 60x20 and 70x22 the publish, put-record and item dialogs' optional fields, the
    restore dialog's version, the replay dialog's window and the answer-task dialog's task
    were a row below their neighbours (a label that wrapped); at 40x15 the upload
    dialog's key field was one cell wide, its operation out of the dialog and out of
    sight when tabbed to. At 60 columns a dialog's repeat field shows its placeholder
    whole."""
    each_dialog(stack, lines, SMALL, small_checks)


def test_a_row_goes_one_under_another_and_back_as_the_terminal_shrinks_and_grows() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, "u", {})
        key = dialog.query_one("#upload-key", Input)
        row = key.parent.parent  # type: ignore[union-attr]
        assert isinstance(row, Widget) and not row.has_class("-stacked")
        await pilot.press(*"in/a.csv")
        await pilot.resize_terminal(40, 15)
        await wait_until(pilot, lambda: dialog.size.width == 40, "the dialog at 40x15")
        await laid_out(pilot, dialog)
        # The key's column would be narrower than a field: the three are one under another.
        assert row.has_class("-stacked")
        assert key.region.width >= MIN_FIELD_CELLS
        assert app.screen.region.contains_region(key.region)
        await pilot.press(*"v")
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: dialog.size.width == 80, "the dialog at 80x24")
        await laid_out(pilot, dialog)
        assert not row.has_class("-stacked")
        assert len(set(field_tops(row).values())) == 1
        assert app.focused is key and key.value == "in/a.csvv"
        assert app.screen.region.contains_region(key.region)

    drive(open_stack("lifecycle", ()), script, size=(80, 24))


def test_a_heading_too_wide_for_the_dialog_puts_its_keys_on_the_lower_border() -> None:
    """`write a log line (ctrl+s or enter writes, escape cancels)` was cut at 60 columns
    to `... escap…`: there the keys go on the lower border, whole, as a page's do; at 40
    columns, narrower than the keys too, they are cut at the end, marked as cut."""
    what, keys = heading_parts(LogLineDialog.HEADING)
    assert (what, keys) == ("write a log line", "ctrl+s or enter writes, escape cancels")

    async def check(pilot: Pilot[None], dialog: Widget, case: Case, problems: Problems) -> None:
        with problems.check(str(case), "the heading's keys whole, on the lower border if cut"):
            box = box_of(dialog)
            lines = screen_text(dialog.app).split("\n")
            top, bottom = lines[box.region.y], lines[box.region.bottom - 1]
            width = case.size[0]
            if width == 120:
                assert LogLineDialog.HEADING in top and keys not in bottom, (top, bottom)
            else:
                assert what in top and keys not in top, top
                if width == 60:
                    assert keys in bottom, bottom
                else:
                    # Narrower than the keys too: they are cut at the end, marked as cut.
                    assert "ctrl+s or enter writes" in bottom and "…" in bottom, bottom

    on_one_app("log-alerts", (), [(120, 24), (60, 24), (40, 24)], [("l", {})], check)


def test_the_sns_structure_box_checked_keeps_every_field_in_reach() -> None:
    """Checked, the box has the sample message refused in place: the error line and the
    rows laid out again under the focus. At 70x22 the message and attributes, side by side,
    were given rows and had them taken back on every other layout, without end, and the
    Publish button tabbed to was left a row below the fold; and at 40x15."""

    async def check(pilot: Pilot[None], dialog: Widget, case: Case, problems: Problems) -> None:
        with problems.check(str(case), "structure checked: the fields in reach"):
            box = box_of(dialog)
            structure = await checked_structure(pilot, dialog)
            assert 'no "default" key whose value is a string' in shown(dialog.app, "#sns-error")
            assert box.scrollable_content_region.contains_region(structure.region)
            assert_rows_laid_out(dialog)
            await assert_tab_reaches(pilot, dialog)

    on_one_app("sns-filtered", (), [(70, 22), (40, 15)], [("P", {})], check)


async def checked_structure(pilot: Pilot[None], dialog: Widget) -> Checkbox:
    """Check the SNS dialog's message-structure box by its key, as a user would, and wait
    until the dialog is laid out again (the sample message refused); the box."""
    structure = dialog.query_one("#sns-structure", Checkbox)
    structure.focus()
    await pilot.press("space")
    await laid_out(pilot, dialog)
    assert structure.value, "space left the structure box unchecked"
    return structure


def test_the_focused_field_stays_in_sight_as_the_dialog_is_laid_out_again() -> None:
    """A hint that grows above the focused button pushes it down: the frame follows it. A
    dialog scrolled away from its field (page up) is left where it was put."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, "P", {})
        frame = dialog.query_one(DialogFrame)
        button = dialog.query_one("#sns-button", Widget)
        hint = dialog.query_one("#sns-subscriptions", Hint)
        view = frame.scrollable_content_region
        button.focus()
        await laid_out(pilot, dialog)
        assert view.contains_region(button.region)
        bottom = frame.scroll_y
        hint.show(Text("\n".join(f"→ subscriber {i}: delivered" for i in range(12))))
        await laid_out(pilot, dialog)
        assert frame.scroll_y > bottom
        assert view.contains_region(button.region), button.region
        await pilot.press("pageup")
        await laid_out(pilot, dialog)
        top = frame.scroll_y
        assert not view.contains_region(button.region)
        hint.show(Text("→ pager: delivered"))
        await laid_out(pilot, dialog)
        assert frame.scroll_y == min(top, frame.max_scroll_y)
        assert app.focused is button

    drive(open_stack("sns-filtered", ()), script, size=(40, 15))


def test_a_refusal_is_in_sight_whole_with_the_field_that_made_it() -> None:
    """At 70x22 the structure box's refusal ended a row below the fold: its hint, the fix
    (`'{"default": "for all", "lambda": "for functions"}'`), was out of sight. The dialog
    scrolls there whatever its text areas' rows; while a refusal shows, they give up rows
    (down to MIN_AREA_HEIGHT) until it and the focused field are in sight together; and
    at 80x24."""

    async def check(pilot: Pilot[None], dialog: Widget, case: Case, problems: Problems) -> None:
        with problems.check(str(case), "the refusal in sight with the structure box"):
            app = dialog.app
            box = box_of(dialog)
            structure = await checked_structure(pilot, dialog)
            error = dialog.query_one("#sns-error", Widget)
            assert '"lambda": "for functions"}' in shown(app, "#sns-error")
            view = box.scrollable_content_region
            assert view.contains_region(error.region), (error.region, view)
            assert view.contains_region(structure.region)
            message = dialog.query_one("#sns-message", Widget)
            assert message.outer_size.height >= MIN_AREA_HEIGHT
            # Unchecked, the refusal goes and the message gets its rows back.
            await pilot.press("space")
            await laid_out(pilot, dialog)
            assert not shown(app, "#sns-error")
            assert message.outer_size.height == 5

    on_one_app("sns-filtered", (), [(70, 22), (80, 24)], [("P", {})], check)
