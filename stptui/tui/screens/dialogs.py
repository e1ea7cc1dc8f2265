"""Dialogs that build a command line and run it: send, put-record, publish, upload, http,
fire; and a read-only page for a record.

A dialog never changes the simulation itself: it builds the line the user could have typed
(`send jobQueue '{"id": 1}'`), runs it through the app's `run_command`, and shows the error
in the dialog when the command refuses, so nothing is lost and nothing crashes. A dialog
whose command `repeat` runs has a repeat field: `100 every 50ms` makes the line
`repeat 100 --every 50ms send ...`. Names,
patterns, bodies and responses from the stack or the simulation are shown as `Text`
through `safe`/`printable`, never as markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, cast

from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.css.scalar import Unit
from textual.geometry import Region, Size
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Collapsible,
    Input,
    Label,
    Select,
    Static,
    TextArea,
)
from textual.widgets.collapsible import CollapsibleTitle
from textual.widgets.input import Selection
from textual.widgets.select import InvalidSelectValueError

from stptui import jsontext
from stptui.commands import CommandError, CommandResult, Session, complete_values
from stptui.commands import registry as kinds
from stptui.commands.examples import (
    EVENT_DETAIL,
    MESSAGE_BODY,
    STREAM_DATA,
    BodyOffer,
    example_key,
    message_examples,
)
from stptui.commands.handlers.repeat import REPEATABLE, number_words
from stptui.commands.registry import format_line, quote_word
from stptui.commands.result import render_plain
from stptui.graph import DEFAULT_BUS_ID
from stptui.sim.behavior import BehaviorError, parse_duration
from stptui.sim.engine import Simulator
from stptui.sim.s3_lifecycle import rule_words
from stptui.sim.services.schedule import ScheduleRule
from stptui.sim.services.stream import (
    DEFAULT_PARTITION_KEY,
    HASH_SPACE,
    MAX_PARTITION_KEY,
    StreamConsumer,
    StreamSim,
    hash_key_of,
)
from stptui.textsafe import flat
from stptui.tui.render import (
    Wrapped,
    display_time,
    fire_times,
    hanging,
    output_text,
    preview,
    problem_text,
    safe,
    token_breaks,
)
from stptui.tui.screens.modal import QuickModal
from stptui.tui.screens.output_page import OutputPage, shortened, whole_output_binding
from stptui.tui.signals import subscribe_loudly
from stptui.tui.widgets.fields import SafeInput, SafeTextArea
from stptui.tui.widgets.line_views import InstantScroll
from stptui.tui.widgets.sized_text import SizedText

DIALOG_CSS = """
{name} {{ align: center middle; }}
/* 95%: at 36 rows a dialog keeps a row above and below (34 rows), the most that every
   dialog of a real stack needs at 120x36 (tests/test_tui_dialog_fit.py). */
{name} > .dialog-box {{
    width: 90%; max-width: 100; height: auto; max-height: 95%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
/* A field's label wraps in its column: left to its own width it is cut where the column
   ends, and in a row of fields it runs under the next field's label. (Only a container's
   labels: a progress bar's percentage is a Label too.) */
{name} Vertical > Label, {name} VerticalScroll > Label {{ width: 100%; }}
{name} .dialog-error {{ color: $error; height: auto; }}
{name} .dialog-hint {{ color: $text-muted; height: auto; }}
{name} .dialog-notice {{ color: $warning; height: auto; }}
{name} .dialog-buttons {{ height: auto; align-horizontal: right; }}
/* The repeat field shares the buttons' row (it says how many times they run the line):
   its own row made the taller dialogs scroll at 120x36. */
{name} .dialog-buttons > .dialog-repeat {{ width: 1fr; }}
{name} .dialog-buttons > Button {{ min-width: 10; }}
/* A picker shows one line: a long name wrapped made it a row taller (and cut its end). */
{name} SelectCurrent #label {{ text-wrap: nowrap; text-overflow: ellipsis; }}
{name} .dialog-row {{ height: auto; }}
{name} .dialog-row > Vertical {{ height: auto; }}
/* A row's label shorter than another of the row that wrapped is made as tall, its text at
   its foot (see `line_up_labels`): the field under the label that wrapped was a row below
   the others. */
{name} .dialog-row > Vertical > Label.-lined-up {{ content-align-vertical: bottom; }}
/* A row too narrow for its fields side by side has them one under another (see
   `CommandDialog.fit_rows`); a column of a fixed width keeps it, up to the dialog's. */
{name} .dialog-row.-stacked {{ layout: vertical; }}
{name} .dialog-row.-stacked > * {{ width: 1fr; max-width: 100%; margin: 0; }}
{name} TextArea {{ height: 10; }}
"""
# The border of a read-only page: its keys (the footer is under the modal).
CLOSE_HINT = "arrows and page keys scroll, escape closes"
# How many rules, notifications or routes a dialog lists under its picker.
HINT_LINES = 4
NEXT_FIRES = 3
# The upload dialog's: a rule with a tag or prefix filter takes two lines at 80 columns,
# and four of them made the dialog scroll at 80x24 (the Inspector lists them all).
UPLOAD_HINT_LINES = 3
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
UPLOAD_OPS = ("put", "post", "copy", "multipart")
# The upload dialog's operation that starts a multipart upload and never completes it
# (`upload --incomplete`, which takes no --op): a choice of its own rather than a checkbox,
# whose row made the dialog scroll at 120x36.
INCOMPLETE_OP = "incomplete"
# The publish dialog's example source and detail-type, for a bus whose rules name none.
DEFAULT_EVENT_EXAMPLE = ("orders", "OrderCreated")
# The HTTP dialog puts the response beside the request only from this many columns (the
# main screen's own breakpoint): there its form keeps HTTP_FORM_WIDTH columns and the
# response gets the 40 or more left. Narrower, side by side would squeeze both (routes
# and labels wrapping word by word, the path field a few characters wide), so the
# response goes under the form at the dialog's full width, and is scrolled into sight
# when it comes. The response scrolls in a box that fits inside the dialog (90% of the
# screen's height) whole, so that its end is never below the dialog's fold.
HTTP_SIDE_BY_SIDE = 120
HTTP_FORM_WIDTH = 56
# A JSON field holding more characters than this is checked once typing stops for
# JSON_CHECK_DELAY seconds (and when the command runs), not on every key: a dense 1 MB
# JSON takes a tenth of a second to parse. A shorter one is checked on every key.
JSON_CHECK_NOW = 10_000
JSON_CHECK_DELAY = 0.4
# The repeat field of the dialogs whose command `repeat` runs (see `repeat_prefix`).
# One line at the dialogs' width: a wrapped label pushed the buttons of the taller dialogs
# below the fold at 120x36.
REPEAT_LABEL = "repeat (optional; {i} in a field counts 1 to N)"
# Short enough for the field beside the buttons at 60 columns (22 cells there, a dialog
# that scrolls giving one to its scrollbar): `N or N every D (10 every 1s)` was cut.
REPEAT_PLACEHOLDER = "10, or 10 every 1s"
# The fewest rows a dialog's text area is given to fit a short terminal: its border and
# one line of text.
MIN_AREA_HEIGHT = 3
# The fewest cells a field of a row is given beside others (see `column_needs`): its
# border and padding (4), and six characters of what is typed in sight (the upload
# dialog's key beside the size and operation at 60 columns). With less, the row has its
# fields one under another: at 40 columns that key field was one cell wide.
MIN_FIELD_CELLS = 10
# The cells a border's label leaves to the border: a corner, a stroke and a space each side.
BORDER_LABEL_GUTTER = 6
# The key that opens (and closes) a dialog's folded optional fields (`MoreFields`); no
# field of a dialog binds it.
MORE_KEY = "ctrl+t"
# The most picks a dialog made again makes to fill its pickers with what was carried over
# (see `CommandDialog.carry_over`): a few pickers, each picked again once or twice.
MAX_REPICKS = 32
# An answer from a simulation a rebuild replaced is marked in a style no status line has
# (those are green, yellow and red on the dialog's background).
STALE_ANSWER_STYLE = "bold black on yellow"
# The send dialog's body label, as it opens.
SEND_BODY_LABEL = "body (JSON)"
# The key that fills a field with the next example (`ExampleDialog`). Not ctrl+e, which
# the text fields bind (the end of the line, before a dialog's key); no dialog or app binds
# ctrl+n, nor do Textual's fields.
EXAMPLE_KEY = "ctrl+n"
# The indent of an example in its field (a multi-line field: an event's nesting in sight).
EXAMPLE_INDENT = 2
REPEAT_FORM = re.compile(r"(\S+)(?:\s+every\s+(\S+))?")
REPEAT_HINT = "write N (100), or N every D (100 every 50ms); empty runs it once"


def repeat_prefix(text: str) -> str:
    """The `repeat N [--every D]` a repeat field's text asks for, or "" for once (empty or
    `1`); raises CommandError when it is neither N nor `N every D`, or when D is not a wait
    of at least 1 ms. D is checked here because `repeat` would name its `--every` option,
    which the field does not show; N is `repeat`'s to check (`repeat N ...` is what the
    field's placeholder calls it too)."""
    text = text.strip()
    if text in ("", "1"):
        return ""
    form = REPEAT_FORM.fullmatch(text)
    if form is None:
        raise CommandError(f"repeat: cannot read {text!r} as N or N every D", REPEAT_HINT)
    count, every = form.groups()
    if every is not None:
        try:
            every_ms = parse_duration(every)
        except BehaviorError as exc:
            raise CommandError(f"repeat: every {every}: {exc}", exc.hint or REPEAT_HINT) from None
        if every_ms < 1:
            raise CommandError(
                f"repeat: every {every} is no wait: D must be at least 1 ms",
                f"e.g. {count} every 50ms; write {count} alone to run them all at once",
            )
    return format_line("repeat", [count], [("--every", every)] if every else [])


def json_problem(text: str, *, want_object: bool = False) -> str | None:
    """Why `text` is not JSON (or not a JSON object, with `want_object`), or None."""
    try:
        value = jsontext.loads(text)
    except ValueError as exc:
        return f"not valid JSON: {exc}"
    if want_object and not isinstance(value, dict):
        return "not a JSON object: write {...}"
    return None


def dialog_bindings(verb: str, tooltip: str, *, more: str = "") -> list[BindingType]:
    """Escape closes, ctrl+s runs: the keys every command dialog shares; with `more` (what
    its folded section holds), MORE_KEY opens and closes that section."""
    bindings: list[BindingType] = [
        Binding("escape", "dismiss(None)", "Cancel", id="dialog-cancel", tooltip="Close"),
        Binding("ctrl+s", "run", verb, id="dialog-run", tooltip=tooltip, priority=True),
    ]
    if more:
        bindings.append(
            Binding(MORE_KEY, "more", "More", id="dialog-more", tooltip=f"Open or close {more}")
        )
    return bindings


def hint_lines(lines: list[Text], empty: str, limit: int = HINT_LINES) -> Text:
    """At most `limit` lines, then how many more; `empty` when there are none. A line
    that wraps (a pattern, a key filter) goes on indented, between JSON tokens."""
    if not lines:
        return Text(empty)
    shown = [hanging(line, 2, token_breaks(line.plain)) for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(Text(f"… and {len(lines) - limit} more"))
    return Text("\n").join(shown)


def reader_lines(consumers: Iterable[StreamConsumer]) -> list[Text]:
    """A stream's readers, one line each (`→ clickProcessor batches of up to 10`), or that
    nothing reads it."""
    lines = [
        Text.assemble((f"→ {safe(c.target)} ", "bold"), f"batches of up to {c.settings.batch_size}")
        for c in consumers
    ]
    return lines or [Text("nothing in the stack reads it")]


def picked_source(readers: dict[str, list[StreamConsumer]], selected: str | None) -> str:
    """The stream (or table) a dialog opens on: the selected one, else the one the selected
    function reads (its first, if it reads several), else the first."""
    if selected in readers:
        return selected
    read = [name for name, consumers in readers.items() for c in consumers if c.target == selected]
    return (read or list(readers))[0]


def choices(names: Iterable[str]) -> list[tuple[Text, str]]:
    """Select options for resource names, shown as text (never markup)."""
    return [(Text(safe(name)), name) for name in names]


def shown_in(widget: Widget, box: Widget) -> bool:
    """Whether `widget` is laid out in `box`: neither it nor a container between them is
    hidden (a folded section, the fields of another mode)."""
    node: Widget | None = widget
    while node is not None and node is not box:
        if not node.display:
            return False
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return node is box


def css_height(area: Widget) -> int:
    """The rows the CSS gives `area` (border included, as its outer height counts them),
    rather than the rows given it since (`CommandDialog.fit_text_areas`)."""
    height = area.styles.base.height
    if height is None or height.unit is not Unit.CELLS:
        return area.outer_size.height
    return int(height.value) + area.styles.margin.top + area.styles.margin.bottom


def grown(widget: Widget, heights: dict[Widget, int], holders: set[Widget]) -> int:
    """How many rows taller `widget` is laid out with the text areas at `heights` (rows by
    area) than as it is: a container whose height follows its content grows as its
    children laid out one under another do together, side by side as its tallest; one of
    a height of its own does not. `holders`: the areas and the containers they are in."""
    if widget in heights:
        return heights[widget] - widget.outer_size.height
    height = widget.styles.height
    if height is not None and not height.is_auto:
        return 0
    children = [c for c in widget.children if c.display and isinstance(c, Widget)]
    growth = {c: grown(c, heights, holders) for c in children if c in holders}
    layout = widget.styles.layout
    if layout is None or layout.name != "horizontal":
        return sum(growth.values())
    tall = {c: c.outer_size.height + c.styles.margin.top + c.styles.margin.bottom for c in children}
    if not tall:
        return 0
    return max(h + growth.get(c, 0) for c, h in tall.items()) - max(tall.values())


def least_heights(heights: dict[Widget, int]) -> dict[Widget, int]:
    """The rows text areas keep at the least (MIN_AREA_HEIGHT), of their `heights`."""
    return {area: min(height, MIN_AREA_HEIGHT) for area, height in heights.items()}


def areas_shortened(
    areas: Sequence[Widget],
    heights: dict[Widget, int],
    rows: Callable[[dict[Widget, int]], int],
    limit: int,
) -> dict[Widget, int]:
    """`heights` (rows by area) with rows taken from `areas`, one at a time, until
    `rows(heights)` is at most `limit` (which it is with each at MIN_AREA_HEIGHT): the
    tallest whose row less makes `rows` fewer; else the tallest (an area beside another as
    tall saves a row once both are shorter); of two as tall, the later."""
    heights = dict(heights)
    while (now := rows(heights)) > limit:
        shorter = sorted(
            (a for a in reversed(areas) if heights[a] > MIN_AREA_HEIGHT),
            key=heights.__getitem__,
            reverse=True,
        )
        saving = (a for a in shorter if rows({**heights, a: heights[a] - 1}) < now)
        heights[next(saving, shorter[0])] -= 1
    return heights


def side_by_side(columns: list[Widget], width: int) -> list[int]:
    """The cells each of a row's `columns` gets side by side in `width` cells, as their CSS
    widths share it: cells, a percentage of the row, fractions of what those leave (a
    container with no width of its own takes `1fr`); margins come off first."""
    fixed: list[int | None] = []
    shares: list[float] = []
    for column in columns:
        given = column.styles.base.width
        if given is not None and given.unit is Unit.CELLS:
            fixed.append(int(given.value))
        elif given is not None and given.unit is Unit.PERCENT:
            fixed.append(int(given.value * width / 100))
        else:
            fixed.append(None)
        shares.append(0 if fixed[-1] is not None else given.value if given is not None else 1)
    margins = sum(c.styles.margin.left + c.styles.margin.right for c in columns)
    rest = max(width - margins - sum(f for f in fixed if f is not None), 0)
    total = sum(shares) or 1
    return [
        cells if cells is not None else int(rest * share / total)
        for cells, share in zip(fixed, shares, strict=True)
    ]


def column_needs(column: Widget) -> int:
    """The fewest cells a column of a row needs beside the others: its label's longest word
    (a narrower column breaks it, `detail-typ` over `e`), and MIN_FIELD_CELLS for a field
    (a column may be a field alone)."""
    if isinstance(column, Input | Select | TextArea):
        # A field on its own in the row (the HTTP dialog's method, path and gateway).
        return MIN_FIELD_CELLS
    texts = [label.content for label in column.query_children(Label)]
    words = [
        cell_len(word)
        for text in texts
        for word in (text.plain if isinstance(text, Text | Content) else str(text)).split()
    ]
    fields = column.query_children("Input, Select, TextArea")
    return max([*words, MIN_FIELD_CELLS if fields else 0])


def line_up_labels(columns: list[Widget], *, stacked: bool) -> None:
    """Make the labels of a row's columns as tall as the tallest at the widths they have,
    so that the fields under them start on one line (their text at the foot: `-lined-up`);
    a row `stacked`, one under another, has its labels at their own heights."""
    labels = [label for column in columns for label in column.query_children(Label)]
    natural = {
        label: label.get_content_height(label.size, label.app.size, label.content_size.width)
        for label in labels
        if label.content_size.width and not stacked
    }
    tallest = max(natural.values(), default=1)
    for label in labels:
        wanted = tallest if natural.get(label, tallest) < tallest else None
        given = label.styles.inline.min_height
        if wanted != (None if given is None else int(given.value)):
            label.styles.min_height = wanted
            label.set_class(wanted is not None, "-lined-up")


def heading_parts(heading: str) -> tuple[str, str]:
    """A dialog's heading as what it does and its keys: `send a message (ctrl+s sends,
    escape cancels)` -> (`send a message`, `ctrl+s sends, escape cancels`); no keys, ""."""
    what, paren, keys = heading.rpartition(" (")
    if not paren or not keys.endswith(")"):
        return heading, ""
    return what, keys.removesuffix(")")


def fit_heading(box: Widget, heading: str, width: int) -> None:
    """Write `heading` on the upper border of `box` (`width` cells wide), or, when it is
    too narrow for it whole, what the dialog does there and its keys on the lower border:
    cut with `…`, the keys were what a 60-column terminal lost (`escape canc…`)."""
    what, keys = heading_parts(heading)
    if not keys or cell_len(heading) + BORDER_LABEL_GUTTER <= width:
        title, subtitle = heading, ""
    else:
        title, subtitle = what, keys
    # Content: a str border title is read as markup (and read back as markup).
    if box.border_title != Content(title).markup:
        box.border_title = Content(title)
    if (box.border_subtitle or "") != Content(subtitle).markup:
        box.border_subtitle = Content(subtitle) if subtitle else None


def stale_answer_mark() -> Text:
    """The line over an answer shown again in a dialog made anew after a rebuild: whose
    answer it is, so that it is not read as the new simulation's. (What rebuilt it is the
    dialog's notice.)"""
    # One line at 80 columns, to leave the answer's rows to the answer.
    return Text("before the rebuild: the answer of the simulation it replaced", STALE_ANSWER_STYLE)


class Hint(SizedText):
    """A dialog's hint under a field (the rules on a bus, the routes): Text whose lines
    marked by `hanging` go on under their own start."""

    def __init__(self, text: Text, **kwargs: str) -> None:
        super().__init__(Wrapped(text), classes="dialog-hint", markup=False, **kwargs)

    def show(self, text: Text) -> None:
        """Show `text` instead."""
        self.update(Wrapped(text))


class ErrorLine(SizedText):
    """A dialog's error line: below the fields, it may be below the fold of a short
    terminal, so it is scrolled into sight when shown and again when it grows (scrolling
    when shown goes by the height it had before the new text was laid out), as far as
    the field that has the focus stays in sight (see `DialogFrame.show`)."""

    def on_resize(self) -> None:
        if self.content:
            self.in_sight()

    def in_sight(self) -> None:
        """Scroll the line into the dialog's sight, the focused field kept in sight."""
        frame = next((a for a in self.ancestors if isinstance(a, DialogFrame)), None)
        if frame is None:
            self.scroll_visible(animate=False)
        else:
            frame.show(self)


class DialogFrame(VerticalScroll, InstantScroll, can_focus=False):
    """A dialog's scrolling frame. Not a tab stop: focused, it showed nothing (tab seemed
    to go nowhere). The keys still scroll a dialog taller than the terminal, as its
    bindings act for the field that has the focus (page up and down, and up and down from
    a one-line field), and a field tabbed to is scrolled into sight.

    The field that has the focus stays in sight as the dialog is laid out again under it:
    Textual scrolls a field into sight as it takes the focus, by the layout of that
    moment, and the layouts that follow (a hint or an error that grows above it, a row
    whose fields go one under another, text areas given rows, the terminal resized) moved
    it, a button tabbed to left half below the fold. After each layout that moves the
    field (or resizes the frame), one that was in sight, or was just scrolled there as it
    took the focus, is scrolled into sight again. One out of sight is left there: the
    dialog opens at its top (see `CommandDialog.on_screen_resume`), and a dialog scrolled
    away from its field, with the page keys or the wheel, stays where it was put (a
    scroll is a layout that moves nothing). Something else shown on purpose (`keep`)
    is kept in sight so instead, until the focus moves or the dialog is scrolled away."""

    def __init__(self, *children: Widget, classes: str | None = None) -> None:
        super().__init__(*children, classes=classes)
        # The field focused at the last layout: where it was in the frame's content (None
        # before a layout), the frame's size then, and whether it was (or, just focused,
        # is to be) wholly in sight.
        self._kept: tuple[Widget, Region | None, Size | None, bool] | None = None
        # The widget kept in sight in place of the focused field (see `keep`): how many of
        # its rows (None: all), the field focused when it was asked for, and where the
        # widget was in the frame's content and the frame's size at the last layout (None
        # before the first with it shown).
        self._shown: tuple[Widget, int | None, Widget | None, Region | None, Size | None] | None = (
            None
        )

    def on_mount(self) -> None:
        """Follow the focused field through each layout of the screen."""
        subscribe_loudly(
            self.screen.screen_layout_refresh_signal, self, self._focus_in_sight, immediate=True
        )

    def show(self, widget: Widget) -> None:
        """Scroll `widget` into sight, as far as the field that has the focus stays in
        sight: at 70x22 the SNS dialog's error, shown as its structure box was checked,
        scrolled the box, at the top, out of sight. Both at once, each from where the
        other left the frame (deferred, the second went by the scroll before the first)."""
        self.scroll_to_widget(widget, animate=False, immediate=True)
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            self.scroll_to_widget(focused, animate=False, immediate=True)

    def focusing(self, field: Widget, *, scrolled: bool) -> None:
        """Say that `field` takes the focus, scrolled into sight as it does (`scrolled`,
        Textual's way) or left where it is (the first field of a dialog that opens). Where
        it is is noted once the screen is refreshed: a focus moves nothing, and the next
        layout may come after the dialog was scrolled away from it."""
        self._kept = (field, None, None, scrolled)
        self.call_after_refresh(self._focused_now)

    def keep(self, widget: Widget, rows: int | None = None) -> None:
        """Scroll `widget` (its first `rows` rows, with `rows`) into sight once it is laid
        out, and again after each layout that moves it (or resizes the frame), in place of
        the focused field, until the focus moves or the dialog is scrolled away from it.
        Scrolled once, as soon as it was laid out, the HTTP response at 60x20 ended a row
        below the frame: the frame's scrollbar came only after, narrowing the form, which
        wrapped a row taller. One taller than the frame is scrolled to its top; `rows`
        keeps as much of the form above in sight as it can (the mark over an answer kept
        over a rebuild: its first line)."""
        self._kept = None
        self._shown = (widget, rows, self.screen.focused, None, None)

    def _keeps_shown(self) -> bool:
        """After a layout, keep the widget of `keep` in sight; whether it is still kept."""
        if self._shown is None:
            return False
        widget, rows, focused, before, size = self._shown
        if self.screen.focused is not focused or self not in widget.ancestors:
            self._shown = None
            return False
        if not widget.virtual_region:
            # Not laid out yet (the HTTP response box takes rows once there is a response).
            return True
        place = place_in(widget, self)
        if rows is not None:
            place = Region(place.x, place.y, place.width, min(rows, place.height))
        if (place, self.size) == (before, size):
            if Region.get_scroll_to_visible(
                self.scrollable_content_region.at_offset(self.scroll_offset), place
            ):
                # Nothing moved, yet it is out of sight: the dialog was scrolled away from it.
                self._shown = None
                return False
        elif rows is None:
            self.scroll_to_widget(widget, animate=False, immediate=True)
        else:
            self.scroll_to_region(place, animate=False, immediate=True)
        self._shown = (widget, rows, focused, place, self.size)
        return True

    def _focused_now(self) -> None:
        kept = self._kept
        if kept is not None and kept[1] is None and kept[0] is self.screen.focused:
            self._kept = (kept[0], place_in(kept[0], self), self.size, kept[3])

    def _focus_in_sight(self, _screen: object) -> None:
        if self._keeps_shown():
            return
        focused = self.screen.focused
        if focused is None or self not in focused.ancestors or not focused.virtual_region:
            self._kept = None
            return
        place = place_in(focused, self)
        in_sight = self.can_view_entire(focused)
        kept = self._kept
        if (
            kept is not None
            and kept[0] is focused
            and kept[3]
            and not in_sight
            and kept[1:3] != (place, self.size)
        ):
            self.scroll_to_widget(focused, animate=False)
            in_sight = True
        self._kept = (focused, place, self.size, in_sight)


def place_in(widget: Widget, frame: Widget) -> Region:
    """Where `widget` is laid out in `frame`'s content, whatever the frame's scroll: its
    screen region is not, and that of a widget scrolled out of sight is the one it had
    when last in sight. A child is laid out inside its container's border, which its
    place (its `virtual_region`) leaves out: the HTTP response's first line is a row
    below where its box starts."""
    region = widget.virtual_region
    node = widget.parent
    while isinstance(node, Widget) and node is not frame:
        region = region.translate(node.styles.border.spacing.top_left).translate(
            node.virtual_region.offset
        )
        node = node.parent
    return region


class MoreFields(Collapsible):
    """A dialog's optional fields folded under one line that counts what they hold
    (`▶ headers 2, query 1 (ctrl+t opens)`): at 80x24 they made the dialog scroll. The
    line is a tab stop; enter on it or MORE_KEY anywhere in the dialog opens the section
    (MORE_KEY also moves the focus into it) and closes it again."""

    DEFAULT_CSS = """
    MoreFields { border-top: none; padding: 0; background: $surface; }
    MoreFields > Contents { padding: 0; }
    MoreFields > CollapsibleTitle { padding: 0; width: 100%; }
    """

    def __init__(self, *children: Widget, summary: str, id: str) -> None:
        # Made with the class Collapsible gives a folded section as it is mounted: given
        # then, it restyled the section and every field in it a second time.
        super().__init__(*children, title="", collapsed=True, id=id, classes="-collapsed")
        self.summary = summary
        self._label()

    def show_summary(self, summary: str) -> None:
        """Count what the fields hold anew (`summary`: what the title line says)."""
        self.summary = summary
        self._label()

    def _label(self) -> None:
        # Content, not a str: a str title is read as markup.
        verb = "opens" if self.collapsed else "closes"
        self._title.label = Content(f"{self.summary} ({MORE_KEY} {verb})")

    def _watch_collapsed(self, collapsed: bool) -> None:
        super()._watch_collapsed(collapsed)
        self._label()

    def scroll_visible(self, *args: Any, **kwargs: Any) -> None:
        """Into sight at once (opened, Collapsible scrolls it there with a glide)."""
        super().scroll_visible(*args, **{**kwargs, "animate": False})


class CommandDialog(QuickModal[CommandResult | None]):
    """A form that builds one command line, runs it, and shows a refusal in place.

    Subclasses give the form (`form`) and the line it makes (`command_line`, raising
    CommandError when the form is incomplete); `ran` decides what a success does (close,
    by default). Widget ids start with `PREFIX`: `-error`, `-button`, `-cancel`."""

    PREFIX: ClassVar[str] = "dialog"
    HEADING: ClassVar[str] = ""
    VERB: ClassVar[str] = "Run"
    HELP_TITLE: ClassVar[str] = ""
    # The field that has the focus when the dialog opens (see `on_screen_resume`).
    FIRST_FIELD: ClassVar[str] = ""
    # The command the dialog's line runs: when `repeat` runs it, the form has a repeat field.
    COMMAND: ClassVar[str] = ""
    # The commands a dialog of several runs, as its fields pick one (see `line_command`).
    COMMANDS: ClassVar[tuple[str, ...]] = ()
    # Where a dialog that stays open on its answer draws it ("": it closes on it).
    ANSWER: ClassVar[str] = ""
    AUTO_FOCUS = ""
    DEFAULT_CSS = DIALOG_CSS.format(name="CommandDialog")

    class Stale(Message):
        """A dialog whose simulation was replaced (see `stale`) is on top again: the app
        makes it anew."""

        def __init__(self, dialog: CommandDialog) -> None:
            super().__init__()
            self.dialog = dialog

    def __init__(self, run: Callable[[str], CommandResult]) -> None:
        super().__init__()
        self.run = run
        # The simulation the dialog's pickers, hints and checks were made from, and how to
        # make the dialog again on the session as it is (see `opened_on`).
        self.built_on: Simulator | None = None
        self.remake: Callable[[], CommandDialog | None] | None = None
        # What replaced the simulation while the dialog was open (an undo, a reload on
        # save), said in the dialog made again; "" while it is the session's own.
        self.stale = ""
        # What the dialog this one replaces held, to fill in once laid out, and what
        # replaced its simulation (see `carry_over`).
        self._carried: tuple[dict[str, object], str] | None = None
        # The answer shown, of a dialog that stays open on it (see `show_answer`), and, when
        # it came from a simulation a rebuild replaced, what replaced it ("" while it is
        # this simulation's own).
        self.last: CommandResult | None = None
        self.last_before = ""
        self._carried_answer: CommandResult | None = None
        # Pickers whose pick is no longer in the stack: select id -> the name it had. The
        # first run after is refused, saying so (see `action_run`).
        self._gone: dict[str, str] = {}
        # The pickers set to what was carried over whose change is not handled yet, and
        # how many picks were made (bounded: two pickers' handlers could reset each other).
        self._settling: set[str] = set()
        self._repicks = 0
        # Seconds of no typing before a long JSON field is checked (see JSON_CHECK_NOW).
        self.json_check_delay = JSON_CHECK_DELAY
        self._json_check: Timer | None = None

    def on_mount(self) -> None:
        """Fit the text areas again after each layout of the dialog: its content changes
        height as a mode's fields show, a section opens, a hint grows, where the frame,
        already as tall as it may be, is not resized (see `fit_text_areas`)."""
        frame = self.query(".dialog-box").first(Widget)
        subscribe_loudly(self.screen_layout_refresh_signal, frame, self._laid_out, immediate=True)
        if self._carried is not None:
            self.call_after_refresh(self._fill_pickers)

    def _laid_out(self, _screen: object) -> None:
        self.fit()

    # -- a simulation replaced while the dialog is open --------------------------------

    def opened_on(self, sim: Simulator, remake: Callable[[], CommandDialog | None]) -> None:
        """Say which simulation the dialog was made from (`sim`), and how to make it again
        on the session as it is: an undo, redo, reload or load that replaces the simulation
        while it is open has the app make it anew (its pickers listed names, its hints and
        checks read services, of the simulation replaced)."""
        self.built_on = sim
        self.remake = remake

    def field_values(self) -> dict[str, object]:
        """What the form's fields hold, by widget id, and the id of the one focused (under
        the key ""), for the dialog made again to take over (`carry_over`)."""
        values: dict[str, object] = {}
        for widget in self.query("Input, TextArea, Select, Checkbox, MoreFields"):
            if widget.id is None:
                continue
            if isinstance(widget, TextArea):
                values[widget.id] = widget.text
            elif isinstance(widget, Input | Select | Checkbox):
                values[widget.id] = widget.value
            elif isinstance(widget, MoreFields):
                values[widget.id] = widget.collapsed
        if self.focused is not None and self.focused.id is not None:
            values[""] = self.focused.id
        return values

    def carry_over(
        self, values: dict[str, object], what: str, answer: CommandResult | None = None
    ) -> None:
        """Fill the form, once laid out, with what the dialog it replaces held (`values`,
        from `field_values`), and say `what` replaced the simulation. A pick the stack no
        longer has is not made: the picker keeps its own, and the dialog says which. The
        answer that dialog showed (`answer`) is shown again, marked as the replaced
        simulation's: a user must not take it for the new one's."""
        self._carried = (values, what)
        self._carried_answer = answer

    def _fill_pickers(self) -> None:
        # The pickers first: a dialog's mode picker shows the fields the others are. The
        # rest once each pick's handlers ran (see `_picked`).
        self._pick_carried()
        if not self._settling:
            self.call_after_refresh(self._fill_fields)

    def _pick_carried(self) -> None:
        """Make the picks carried over that the pickers do not show (again: a pick's
        handler may reset another picker, as the alarm dialog's does its state), each then
        settling until its own change is handled."""
        values = self._carried[0] if self._carried is not None else {}
        for select in self.query(Select):
            if select.id is None or select.id not in values or select.id in self._gone:
                continue
            if values[select.id] == select.value or self._repicks >= MAX_REPICKS:
                continue
            self._repicks += 1
            try:
                select.value = values[select.id]
            except InvalidSelectValueError:
                self._gone[select.id] = str(values[select.id])
            else:
                self._settling.add(select.id)

    def _fill_fields(self) -> None:
        if self._carried is None:
            return
        values, what = self._carried
        self._carried = None
        for widget in self.query("Input, TextArea, Checkbox, MoreFields"):
            if widget.id not in values:
                continue
            value = values[widget.id]
            if isinstance(widget, TextArea) and isinstance(value, str) and value != widget.text:
                widget.text = value
                if isinstance(widget, SafeTextArea):
                    # What was typed, not the new dialog's own start: kept when focused.
                    widget.starting = False
            elif isinstance(widget, Input) and isinstance(value, str) and value != widget.value:
                widget.value = value
            elif isinstance(value, bool):
                # A Checkbox's state, or whether a folded section is closed.
                if isinstance(widget, Checkbox):
                    widget.value = value
                elif isinstance(widget, MoreFields):
                    widget.collapsed = value
        answer, self._carried_answer = self._carried_answer, None
        if answer is not None:
            self.show_answer(answer, before=what)
        focused = values.get("")
        if isinstance(focused, str) and (found := self.query(f"#{focused}")):
            field = found.first(Widget)
            if field.focusable:
                self.set_focus(field, scroll_visible=False)
        if answer is not None:
            # Under the form, as a new answer is (see `ran`): its mark, the first line, in
            # sight with as much of the form as fits. Asked once the focus is where it
            # stays, as `keep` lets go of it when the focus moves.
            frame = self.query(".dialog-box").first(DialogFrame)
            frame.keep(self.query_one(self.ANSWER), rows=1)
        self.show_notice(self.notice_text(what))

    def notice_text(self, what: str) -> Text:
        """What the dialog made again says: what replaced the simulation, what it kept, and
        the picks the stack no longer has."""
        # One line at 80 columns: the rows are the form's and the kept answer's (the whole
        # of what the rebuild said is in a note and the events).
        text = Text(safe(what), "bold")
        text.append("; fields and answer kept" if self.last_before else "; fields kept")
        for name in self._gone.values():
            text.append(f"\n{safe(name)} is no longer in the stack: its picker shows another")
        return text

    def show_notice(self, text: Text) -> None:
        """Say `text` above the error line (which the checks as typed rewrite)."""
        notices = self.query(".dialog-notice")
        if notices:
            notices.first(Static).update(Wrapped(text))
            return
        error = self.query_one(f"#{self.PREFIX}-error")
        notice = SizedText(Wrapped(text), classes="dialog-notice", markup=False)
        parent = error.parent
        if isinstance(parent, Widget):
            parent.mount(notice, before=error)

    def fit(self) -> None:
        """Fit the dialog to its width and height after a layout: the heading, the rows of
        fields (side by side or one under another, their labels lined up), the text areas."""
        box = self.query(".dialog-box").first(Widget)
        fit_heading(box, self.HEADING, box.outer_size.width)
        self.fit_rows(box)
        self.fit_text_areas()

    def fit_rows(self, box: Widget) -> None:
        """Put the fields of a row too narrow for them side by side (a column narrower than
        `column_needs`) one under another, and line up the labels of the others. The width
        is the row's as if the dialog scrolled (less its scrollbar, shown or not), so that
        a scrollbar that comes or goes as rows stack does not undo it."""
        spare = 0 if box.show_vertical_scrollbar else box.styles.scrollbar_size_vertical
        for row in self.query(".dialog-row"):
            if not shown_in(row, box) or not row.size.width:
                continue
            columns = [c for c in row.children if c.display]
            widths = side_by_side(columns, row.size.width - spare)
            stacked = any(w < column_needs(c) for c, w in zip(columns, widths, strict=True))
            row.set_class(stacked, "-stacked")
            line_up_labels(columns, stacked=stacked)

    def on_screen_resume(self) -> None:
        """Focus the first field, leaving the dialog at its top: Textual's auto-focus
        scrolls a dialog taller than the terminal to centre the field, out of sight of the
        picker above it. Back on top after its simulation was replaced (under a page of
        its own), it asks the app to make it anew."""
        if self.stale:
            self.post_message(self.Stale(self))
        if self.focused is None and self.FIRST_FIELD:
            self.focus_at_once(self.query_one(self.FIRST_FIELD))

    def focus_at_once(self, field: Widget) -> None:
        """Focus `field`, drawn focused in the dialog's first frame: `set_focus` leaves
        the field's `:focus` styles and what its focus selects to its Focus event, handled
        after that frame, and the dialog was drawn twice as it opened, the second time
        20-40 ms later, with the field focused (Textual's auto-focus sets `has_focus`
        first, as here; the field's Focus event then finds it done)."""
        field.has_focus = True
        self.set_focus(field, scroll_visible=False)
        if isinstance(field, SafeInput | SafeTextArea):
            field.select_for_focus()

    def set_focus(
        self, widget: Widget | None, scroll_visible: bool = True, from_app_focus: bool = False
    ) -> None:
        """Focus `widget` (see Screen.set_focus), telling the frame whether it is scrolled
        into sight, to be kept there (see DialogFrame)."""
        if widget is not None and widget is not self.focused and widget.focusable:
            for frame in self.query(DialogFrame):
                frame.focusing(widget, scrolled=scroll_visible)
        super().set_focus(widget, scroll_visible, from_app_focus)

    def fit_text_areas(self) -> None:
        """Take the rows the dialog lacks from its text areas, one at a time from the
        tallest (of two as tall, the later: the body keeps its rows longer than the
        headers), down to MIN_AREA_HEIGHT: the HTTP dialog of a real stack with five routes
        and a Cognito authorizer had its Send button below the fold at 120x36, and a
        send dialog's 8-line body scrolled it at 80x24. A text area scrolls its own text. A
        dialog that would not fit even so keeps its rows and scrolls: fields of one line
        that still scroll would be the worse of both. But while its error line shows a
        refusal, the areas between it and the focused field give up rows (down to
        MIN_AREA_HEIGHT) until the two are in sight together (`refusal_span`): the fix
        the refusal suggests matters more than a row of the field's text.

        The rows are worked out from the heights the CSS gives the areas shown, so that
        the result depends only on what the dialog shows, not on the rows given before:
        it runs after every layout (see `on_mount`), and a second call with nothing
        changed changes nothing. Two areas side by side in a row make it as tall as the
        taller: one of them a row shorter saves no row (counted as a row each, the SNS
        dialog's message and attributes were shortened and given their rows back on
        every other layout, without end, and the dialog moved under the focus)."""
        box = self.query(".dialog-box").first(Widget)
        areas: list[Widget] = [area for area in self.query(TextArea) if shown_in(area, box)]
        if not areas:
            return
        wanted = {area: css_height(area) for area in areas}
        holders = {node for area in areas for node in area.ancestors_with_self}
        limit = self.content_rows(box)

        def rows(heights: dict[Widget, int]) -> int:
            return box.virtual_size.height + sum(
                grown(child, heights, holders) for child in box.children if child in holders
            )

        heights = dict(wanted)
        refusal = None
        if rows(wanted) > limit >= rows(least_heights(wanted)):
            heights = areas_shortened(areas, wanted, rows, limit)
        elif rows(wanted) > limit and (refusal := self.refusal_span(box, areas)) is not None:
            # The dialog scrolls however few rows its areas have: while a refusal shows,
            # those between it and the focused field give up rows until both are in sight
            # together (at 70x22 the SNS dialog's hint, the fix, was a row below the fold).
            inside, span = refusal
            within = {area: wanted[area] for area in inside}
            if inside and span(within) > limit >= span(least_heights(within)):
                heights.update(areas_shortened(inside, within, span, limit))
        changed = False
        for area, height in heights.items():
            given = None if height == wanted[area] else height
            inline = area.styles.inline.height
            if given != (None if inline is None else int(inline.value)):
                area.styles.height = given
                changed = True
        if refusal is not None and changed:
            # Once laid out with those rows, the refusal is scrolled into sight again (only
            # then: a dialog scrolled away from it by hand stays where it was put).
            error = self.query_one(f"#{self.PREFIX}-error", ErrorLine)
            self.call_after_refresh(error.in_sight)

    def refusal_span(
        self, box: Widget, areas: list[Widget]
    ) -> tuple[list[Widget], Callable[[dict[Widget, int]], int]] | None:
        """While the error line shows a refusal: the text `areas` laid out between it and
        the field that has the focus (that field among them), and the rows from the top
        of the one to the foot of the other with those areas at the heights given (rows by
        area). None without a refusal."""
        error = self.query_one(f"#{self.PREFIX}-error", ErrorLine)
        if not error.content or not shown_in(error, box):
            return None
        ends = [place_in(error, box)]
        focused = self.focused
        if focused is not None and box in focused.ancestors:
            ends.append(place_in(focused, box))
        top, bottom = min(r.y for r in ends), max(r.bottom for r in ends)
        inside = [
            area
            for area in areas
            if top <= (place := place_in(area, box)).y and place.bottom <= bottom
        ]
        holders = {node for area in inside for node in area.ancestors_with_self}

        def span(heights: dict[Widget, int]) -> int:
            return (
                bottom
                - top
                + sum(grown(child, heights, holders) for child in box.children if child in holders)
            )

        return inside, span

    def content_rows(self, box: Widget) -> int:
        """The rows of content the dialog's box holds at most on this screen: its
        max-height less its border (it is shorter while its content is)."""
        limit = box.styles.max_height
        if limit is None:
            return box.scrollable_content_region.height
        rows = int(limit.resolve(self.size, self.app.size))
        return rows - box.gutter.height - box.scrollbar_size_horizontal

    def action_more(self) -> None:
        """Open the dialog's folded section and focus its first field, or close it (the
        focus, if it was in there, going to its title line)."""
        box = self.query(".dialog-box").first(Widget)
        section = next((s for s in self.query(MoreFields) if shown_in(s, box)), None)
        if section is None:
            # None here, or not in the fields of the mode picked.
            self.app.bell()
            return
        section.collapsed = not section.collapsed
        if section.collapsed:
            if self.focused is not None and section in self.focused.ancestors:
                self.set_focus(section.query_one(CollapsibleTitle), scroll_visible=False)
            return
        fields = [w for w in section.query(Widget) if w.can_focus and w.display]
        fields = [w for w in fields if not isinstance(w, CollapsibleTitle)]
        if fields:
            self.call_after_refresh(self.set_focus, fields[0])

    def scroll_to_center(self, widget: Widget, animate: bool = True, **kwargs: Any) -> None:
        """Scroll `widget` to the frame's centre at once: Textual scrolls a field tabbed to
        into sight this way, and its glide was one to wait out on every tab of a dialog
        taller than the terminal (the page keys jump too: `InstantScroll`)."""
        super().scroll_to_center(widget, animate=False, **kwargs)

    def compose(self) -> ComposeResult:
        with DialogFrame(classes="dialog-box") as box:
            box.border_title = self.HEADING
            yield from self.body()

    def body(self) -> ComposeResult:
        """The form, then the error line and the buttons."""
        yield from self.form()
        yield from self.controls()

    def form(self) -> ComposeResult:
        """The dialog's fields."""
        raise NotImplementedError

    @property
    def has_repeat_field(self) -> bool:
        """Whether the form has a repeat field: `repeat` runs the dialog's command (one of
        them, for a dialog of several)."""
        return any(name in REPEATABLE for name in (self.COMMAND, *self.COMMANDS))

    def line_command(self) -> str:
        """The command the form's line runs now: COMMAND; a dialog of several commands
        says which one its fields pick."""
        return self.COMMAND

    @property
    def repeatable(self) -> bool:
        """Whether `repeat` runs the command the form's line runs now, so that its repeat
        field counts (and is shown)."""
        return self.has_repeat_field and self.line_command() in REPEATABLE

    def show_repeat_field(self) -> None:
        """Show the repeat field only while `repeat` runs the line's command: a dialog of
        several commands calls it when its fields pick another (`ws-disconnect` has none)."""
        shown = self.repeatable
        for widget in self.query(f"#{self.PREFIX}-repeat, #{self.PREFIX}-repeat-label"):
            widget.display = shown

    def controls(self) -> ComposeResult:
        """The error line, then the repeat field (when `repeat` runs the command) beside
        the run and cancel buttons, its label above them. The repeat field goes last among
        the fields: the first keeps the focus and the top of the dialog, as without it."""
        yield ErrorLine("", id=f"{self.PREFIX}-error", classes="dialog-error", markup=False)
        if self.has_repeat_field:
            yield Label(REPEAT_LABEL, id=f"{self.PREFIX}-repeat-label")
        with Horizontal(classes="dialog-buttons"):
            if self.has_repeat_field:
                yield SafeInput(
                    placeholder=REPEAT_PLACEHOLDER,
                    id=f"{self.PREFIX}-repeat",
                    classes="dialog-repeat",
                )
            # Made with the classes Button gives itself as it is made (its variant's, its
            # style's): each one it added restyled the button, not yet mounted, for nothing.
            yield Button(
                self.VERB,
                id=f"{self.PREFIX}-button",
                classes="dialog-run -primary -style-default",
                variant="primary",
            )
            yield Button(
                "Cancel", id=f"{self.PREFIX}-cancel", classes="dialog-cancel -style-default"
            )

    def command_line(self) -> str:
        """The line this dialog would run; raises CommandError when it is incomplete."""
        raise NotImplementedError

    def repeat_text(self) -> str:
        """What the repeat field holds ("" without one)."""
        return self.value(f"#{self.PREFIX}-repeat") if self.repeatable else ""

    def full_line(self) -> str:
        """The dialog's line, under `repeat` when the repeat field asks for more than one;
        raises CommandError when the repeat field or the form is incomplete."""
        prefix = repeat_prefix(self.repeat_text())
        line = self.command_line()
        return f"{prefix} {line}" if prefix else line

    def repeating(self) -> bool:
        """Whether the repeat field asks for more than one run (well written or not)."""
        return self.repeat_text().strip() not in ("", "1")

    def as_first(self, text: str) -> str:
        """A field's text as the line's first run reads it: `{i}` as 1 when the repeat
        field asks for more than one run, so that the checks and previews as it is typed
        say what repetition 1 would do; else as typed."""
        return number_words([text], 1)[0] if self.repeating() else text

    def json_problem(self, text: str, *, want_object: bool = False) -> str | None:
        """`json_problem` of a JSON field's text as the command reads it: repeated, as
        repetition 1 does (`{i}` as 1), for a body with `{i}` is JSON only once numbered;
        once, saying what `{i}` needs."""
        if self.repeating():
            return json_problem(self.as_first(text), want_object=want_object)
        problem = json_problem(text, want_object=want_object)
        if problem and self.repeatable and "{i}" in text:
            problem += "; {i} stands for a number only when the repeat field says how many"
        return problem

    def show_error(self, text: str) -> None:
        """Show why the command cannot run (an empty text clears it)."""
        error = self.query_one(f"#{self.PREFIX}-error", ErrorLine)
        error.update(Wrapped(problem_text(text)) if text else Text())
        if text:
            error.in_sight()

    @on(Button.Pressed, ".dialog-run")
    @on(Input.Submitted)
    def action_run(self) -> None:
        """Run the command; show the error in the dialog when it refuses."""
        # The command checks the JSON itself: a check still to come would replace its error.
        self._stop_json_check()
        if self._gone:
            names = ", ".join(safe(name) for name in self._gone.values())
            self._gone.clear()
            self.show_error(
                render_plain(
                    CommandResult(
                        CommandError(
                            f"{names} is no longer in the stack (the simulation was rebuilt)",
                            "the picker shows another: ctrl+s again runs the line with it",
                        ).format()
                    )
                )
            )
            return
        try:
            line = self.full_line()
            result = self.run(line)
        except CommandError as exc:
            self.show_error(render_plain(CommandResult(exc.format())))
            return
        self.show_error("")
        if line.startswith("repeat "):
            # A repeat's answer is its summary, not the command's: the dialog closes on it
            # (the HTTP dialog too, whose repeated requests answer on the clock).
            self.dismiss(result)
        else:
            self.ran(result)

    def ran(self, result: CommandResult) -> None:
        """What a command that ran does to the dialog: close it with the result."""
        self.dismiss(result)

    def show_answer(self, result: CommandResult, before: str = "") -> None:
        """Keep `result`, the answer of the line run, as the one shown (`last`, which ctrl+o
        shows whole) and draw it (`draw_answer`); `before`, for the answer of a simulation
        a rebuild replaced, says what replaced it, and the answer says so over its first
        line. The next line run replaces it."""
        self.last = result
        self.last_before = before
        self.draw_answer(self.answer_text(result))

    def answer_text(self, result: CommandResult) -> Text:
        """`result` as the dialog shows it: the marking of an answer from before a rebuild
        (see `show_answer`), then the dialog's own rendering of it (`render_answer`)."""
        if not self.last_before:
            return self.render_answer(result)
        text = stale_answer_mark()
        text.append("\n")
        text.append_text(self.render_answer(result))
        return text

    def render_answer(self, result: CommandResult) -> Text:
        """`result` as the dialog shows it (a dialog with an answer colours its status)."""
        return Text(render_plain(result))

    def draw_answer(self, text: Text) -> None:
        """Put `text` where the dialog shows its answer (a dialog that stays open on its
        answer has one: the base class closes on it)."""
        raise NotImplementedError

    def whole_answer(self, title: str) -> None:
        """The answer shown, whole, on a page of its own (ctrl+o), marked as the dialog
        marks it; a bell when there is none yet."""
        if self.last is None:
            self.app.bell()
            return
        text = output_text(render_plain(self.last))
        if self.last_before:
            text = Text.assemble(stale_answer_mark(), "\n", text)
        self.app.push_screen(OutputPage(title, text))

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        # After the dialog's own handlers of the change (this is the base class's).
        ident = event.select.id
        if ident is None:
            return
        if self._carried is None:
            # A pick made once the form is filled is the user's own: nothing to refuse.
            self._gone.pop(ident, None)
            return
        if event.value == self._carried[0].get(ident):
            self._settling.discard(ident)
        self._pick_carried()
        if not self._settling:
            self.call_after_refresh(self._fill_fields)

    @on(Button.Pressed, ".dialog-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(TextArea.Changed, ".json")
    def _check_json(self, event: TextArea.Changed) -> None:
        area = event.text_area
        # Lengths only: counting the characters must not cost what parsing them does.
        self.check_as_typed(
            sum(map(len, area.document.lines)), lambda: self._show_json_problem(area)
        )

    def check_as_typed(self, length: int, check: Callable[[], None]) -> None:
        """Run `check` of a field `length` characters long now, or, for a long one (a pasted
        megabyte of JSON), once typing has stopped for `json_check_delay` seconds."""
        self._stop_json_check()
        if length <= JSON_CHECK_NOW:
            check()
        else:
            self._json_check = self.set_timer(self.json_check_delay, check)

    def _stop_json_check(self) -> None:
        if self._json_check is not None:
            self._json_check.stop()
            self._json_check = None

    def _show_json_problem(self, area: TextArea) -> None:
        self._json_check = None
        self.show_error(self.field_problem(area) or "")

    def field_problem(self, area: TextArea) -> str | None:
        """Why the JSON field `area` would be refused, or None: not JSON (or not an object,
        for a `json-object` field). A dialog whose command checks more says more."""
        return self.json_problem(area.text, want_object=area.has_class("json-object"))

    @on(Input.Changed, ".dialog-repeat")
    def _repeat_changed(self) -> None:
        self.recheck()

    def recheck(self) -> None:
        """Check the form again as the repeat field changes: whether `{i}` is a number
        changes whether a JSON field holds JSON. A dialog whose checks read other fields
        (see `as_first`) runs them again."""
        areas = list(self.query(".json").results(TextArea))
        if areas:
            self._stop_json_check()
            problems = (self.field_problem(area) for area in areas)
            self.show_error(next((p for p in problems if p), ""))

    def value(self, selector: str) -> str:
        """The text of an Input or TextArea of the form."""
        widget = self.query_one(selector)
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Input):
            return widget.value
        raise TypeError(f"{selector} is not a text field")

    def picked(self, selector: str) -> str:
        """The value of a Select of names (never blank: none of them allows a blank)."""
        return str(self.query_one(selector, Select).value)


def example_text(payload: str) -> str:
    """An example (compact JSON) as a dialog's field shows it: indented."""
    return json.dumps(json.loads(payload), indent=EXAMPLE_INDENT, ensure_ascii=False)


def example_label(word: str, about: str, number: int, count: int, *, typed: bool) -> Text:
    """A field's label while it holds example `number` (from 1) of `count`: `word` (what
    the field is: payload, event, body), what the example stands for and the key to the
    next; with `typed`, that ctrl+z in the field brings back what it replaced."""
    text = Text(f"{word}: {safe(about)}")
    if count > 1:
        text.append(f" — {EXAMPLE_KEY}: next example ({number} of {count})")
    if typed:
        text.append("; ctrl+z: what you typed")
    return text


def example_binding(ident: str, tooltip: str) -> Binding:
    """EXAMPLE_KEY, which fills a dialog's field with its next example (`ExampleDialog`)."""
    return Binding(EXAMPLE_KEY, "next_example", "Example", id=ident, tooltip=tooltip)


class ExampleDialog(CommandDialog):
    """A command dialog whose text field (EXAMPLE_FIELD, of the class `example-field`)
    EXAMPLE_KEY fills with an example, the next at each press, as the REPL offers them at
    the command's body (`examples`), indented, its label (EXAMPLE_LABEL) saying what it
    stands for. Filling is an edit of the field, so that ctrl+z in it brings back what
    was typed before; an edit makes the label the field's own again."""

    EXAMPLE_FIELD: ClassVar[str] = ""
    EXAMPLE_LABEL: ClassVar[str] = ""

    def __init__(self, run: Callable[[str], CommandResult]) -> None:
        super().__init__(run)
        # The example the field was last filled with: (the target it was made for, its
        # text, whether it replaced text typed), while the field holds it as filled; None
        # once edited.
        self.example: tuple[str, str, bool] | None = None

    def example_target(self) -> str:
        """What the examples are made for: the function, job or queue picked."""
        raise NotImplementedError

    def examples(self, target: str) -> list[BodyOffer]:
        """The examples of `target`, in the order the key goes through them."""
        raise NotImplementedError

    def opening_text(self) -> str:
        """What the field holds as the dialog opens (selected: what is typed replaces it)."""
        raise NotImplementedError

    def field_label(self) -> Text:
        """The field's own label, for the target picked."""
        raise NotImplementedError

    def example_word(self) -> str:
        """What the field is, at the start of its label while it holds an example."""
        raise NotImplementedError

    def example_note(self, target: str, count: int) -> str:
        """What the label adds to the help line of `target`'s only example ("": nothing)."""
        return ""

    def action_next_example(self) -> None:
        """Fill the field with the example after the one it holds (the first when it holds
        none: what it opens on, or what was typed), say in its label what it stands for,
        and focus it."""
        target = self.example_target()
        examples = [(example_text(o.text), o.about) for o in self.examples(target)]
        if not examples:
            self.app.bell()
            return
        area = self.query_one(self.EXAMPLE_FIELD, SafeTextArea)
        now = area.text
        texts = [text for text, _ in examples]
        at = (texts.index(now) + 1) % len(texts) if now in texts else 0
        # Typed before this example or the ones that went before it: ctrl+z brings it back.
        shown = self.example
        untouched = ("", self.opening_text())
        typed = (now.strip() not in untouched and now not in texts) or (
            shown is not None and shown[2] and shown[1] == now
        )
        text, about = examples[at]
        note = self.example_note(target, len(examples))
        if note:
            about = f"{about}; {note}"
        self.fill(area, text)
        self.example = (target, text, typed)
        label = example_label(self.example_word(), about, at + 1, len(examples), typed=typed)
        self.query_one(self.EXAMPLE_LABEL, Label).update(label)
        if self.focused is not area:
            self.set_focus(area)

    def target_changed(self, target: str) -> None:
        """Another target is picked: an example of the one before is not its own, and the
        field goes back to what the dialog opens on (ctrl+z in the field brings it back);
        the label is the field's own."""
        shown = self.example
        if shown is not None and shown[0] != target:
            self.example = None
            area = self.query_one(self.EXAMPLE_FIELD, SafeTextArea)
            if area.text == shown[1]:
                self.fill(area, self.opening_text())
        if self.example is None:
            self.query_one(self.EXAMPLE_LABEL, Label).update(self.field_label())

    def fill(self, area: SafeTextArea, text: str) -> None:
        """Replace what `area` holds with `text` as an edit (a `text` set clears the field's
        undo history), the cursor at its start; what the dialog opens on selected, as it
        opens, so that what is typed replaces it."""
        if area.text == text:
            return
        area.replace(text, (0, 0), area.document.end, maintain_selection_offset=False)
        if text == self.opening_text():
            area.select_all()
        else:
            area.move_cursor((0, 0))

    @on(TextArea.Changed, ".example-field")
    def _example_edited(self, event: TextArea.Changed) -> None:
        """An example edited is no longer what the label says: it goes back to the field's
        own (the example's own change, handled after it, leaves it)."""
        shown = self.example
        if shown is None:
            return
        area = event.text_area
        # Lengths first: a pasted megabyte is not joined into a string on every key.
        length = sum(map(len, area.document.lines)) + area.document.line_count - 1
        if length == len(shown[1]) and area.text == shown[1]:
            return
        self.example = None
        self.query_one(self.EXAMPLE_LABEL, Label).update(self.field_label())


class SendDialog(ExampleDialog):
    """Queue picker, JSON editor that validates as you type, optional delay; for a FIFO
    queue, its message group id and deduplication id instead of the delay (SQS takes no
    per-message delay on a FIFO queue, and refuses a message without a group). EXAMPLE_KEY
    fills the body with what each producer of the queue sends it, then the example the
    dialog opens on (`message_examples`)."""

    COMMAND = "send"
    PREFIX = "send"
    FIRST_FIELD = "#send-body"
    EXAMPLE_FIELD = "#send-body"
    EXAMPLE_LABEL = "#send-body-label"
    # The example key last: at 40 columns the keys are cut at their end (`fit_heading`).
    HEADING = f"send a message (ctrl+s sends, escape cancels, {EXAMPLE_KEY} examples)"
    VERB = "Send"
    HELP_TITLE = "Send dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        *dialog_bindings("Send", "Send the message"),
        example_binding(
            "send-example",
            "Fill the body with the next example: what each producer of the queue in the "
            "stack sends it, then an example body; ctrl+z in the field undoes it",
        ),
    ]

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        self.sims = session.sim.queues
        self.queues = list(self.sims)
        # Not a dead-letter queue unless picked: a new user's first send is to the queue a
        # worker reads, and a stack lists its dead-letter queue first as often as not.
        working = [name for name in self.queues if not self.sims[name].sources]
        self.selected = selected if selected in self.queues else (working or self.queues)[0]

    def form(self) -> ComposeResult:
        """Queue, body, and the delay, or a FIFO queue's group and deduplication ids."""
        yield Label("queue")
        yield Select(choices(self.queues), value=self.selected, allow_blank=False, id="send-queue")
        yield Label(SEND_BODY_LABEL, id="send-body-label")
        yield SafeTextArea(MESSAGE_BODY, id="send-body", classes="json example-field")
        fifo = self.sims[self.selected].fifo
        with Horizontal(classes="dialog-row", id="send-fifo") as row:
            row.display = fifo
            with Vertical():
                yield Label("message group id")
                yield SafeInput(placeholder="e.g. customer-1", id="send-group")
            with Vertical():
                yield Label("deduplication id", id="send-dedup-label")
                yield SafeInput(placeholder=self.dedup_placeholder(), id="send-dedup")
        delay_fields = (
            Label("delay (optional, e.g. 30s)", id="send-delay-label", classes="-delay"),
            SafeInput(placeholder="0s", id="send-delay", classes="-delay"),
        )
        for field in delay_fields:
            field.display = not fifo
            yield field

    def dedup_placeholder(self) -> str:
        """What the deduplication id field says empty: whether the queue needs one."""
        if self.sims[self.selected].content_dedup:
            return "optional: the body's hash (content-based)"
        return "required, e.g. order-1"

    @on(Select.Changed, "#send-queue")
    def _queue_changed(self, event: Select.Changed) -> None:
        self.selected = str(event.value)
        fifo = self.sims[self.selected].fifo
        self.query_one("#send-fifo").display = fifo
        for widget in self.query(".-delay"):
            widget.display = not fifo
        self.query_one("#send-dedup", Input).placeholder = self.dedup_placeholder()
        self.target_changed(self.selected)

    def example_target(self) -> str:
        """The queue picked."""
        return self.picked("#send-queue")

    def examples(self, target: str) -> list[BodyOffer]:
        """What each producer of the queue sends it, then the example body."""
        return message_examples(self.session.sim, target)

    def opening_text(self) -> str:
        """The example body the dialog opens on."""
        return MESSAGE_BODY

    def field_label(self) -> Text:
        """`body (JSON)`."""
        return Text(SEND_BODY_LABEL)

    def example_word(self) -> str:
        """The body's."""
        return "body"

    def command_line(self) -> str:
        """`send QUEUE BODY [--delay D]`; a FIFO queue's `send QUEUE BODY --group G
        [--dedup-id ID]`."""
        queue = self.picked("#send-queue")
        body = self.value("#send-body")
        problem = self.json_problem(body)
        if problem:
            raise CommandError(problem, "the body must be a JSON document")
        sim = self.sims[queue]
        if not sim.fifo:
            delay = self.value("#send-delay").strip()
            return format_line("send", [queue, body], [("--delay", delay)] if delay else [])
        group = self.value("#send-group").strip()
        dedup = self.value("#send-dedup").strip()
        if not group:
            raise CommandError(
                f"{queue} is a FIFO queue: every message needs a message group id",
                "fill in the message group id (messages of one group are delivered in order)",
            )
        if not dedup and not sim.content_dedup:
            raise CommandError(
                f"{queue} has no content-based deduplication: give a deduplication id",
                "fill in the deduplication id (a repeat of it within 5 minutes is dropped)",
            )
        options = [("--group", group)] + ([("--dedup-id", dedup)] if dedup else [])
        return format_line("send", [queue, body], options)


class PutRecordDialog(CommandDialog):
    """Stream picker (with its shards and readers), the data (JSON checked as you type, as
    the send dialog checks a body, or any text), the partition key (and the shard it picks)
    and an optional explicit hash key."""

    COMMAND = "put-record"
    PREFIX = "put"
    FIRST_FIELD = "#put-data"
    HEADING = "put a record on a stream (ctrl+s puts, escape cancels)"
    VERB = "Put"
    HELP_TITLE = "Put-record dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Put", "Put the record")
    DEFAULT_CSS = """
    PutRecordDialog #put-data { height: 6; }
    PutRecordDialog #put-format { width: 20; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.streams: dict[str, StreamSim] = session.sim.services["streams"]
        readers = {name: stream.consumers for name, stream in self.streams.items()}
        self.selected: str = picked_source(readers, selected)

    def form(self) -> ComposeResult:
        """Stream, its shards and readers, data, partition key, data format, hash key."""
        yield Label("stream")
        yield Select(choices(self.streams), value=self.selected, allow_blank=False, id="put-stream")
        yield Hint(self.stream_text(self.selected, ""), id="put-hint")
        yield Label("data")
        yield SafeTextArea(STREAM_DATA, id="put-data", classes="json")
        # One row: the optional hash key on a row of its own made the dialog scroll at
        # 80x24. The labels are short enough for a third of it; the hint above says which
        # shard the key (or the hash key, instead) picks.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("partition key")
                yield SafeInput(placeholder=DEFAULT_PARTITION_KEY, id="put-key")
            with Vertical(id="put-format"):
                yield Label("data is")
                yield Select(
                    [("JSON", "json"), ("text", "text")],
                    value="json",
                    allow_blank=False,
                    id="put-format-select",
                )
            with Vertical():
                yield Label("hash key (optional)")
                yield SafeInput(placeholder="0 to 2^128 - 1", id="put-hash-key")

    def stream_text(self, name: str, key: str, hash_key: str = "") -> Text:
        """The stream's shards and records, the shard the record goes to (by `hash_key`
        when it is one, else by `key`), and its readers."""
        stream = self.streams[name]
        held = sum(len(shard.records) for shard in stream.shards)
        count = len(stream.shards)
        lines = [
            Text(f"{count} shard{'s' * (count != 1)}, {held:,} record{'s' * (held != 1)} held")
        ]
        if hash_key.isascii() and hash_key.isdigit() and int(hash_key) < HASH_SPACE:
            shard = stream.shard_for(int(hash_key)).id
            lines.append(Text(f"explicit hash key → {shard}"))
        elif len(key) <= MAX_PARTITION_KEY:
            shown = safe(key) if key else f"{DEFAULT_PARTITION_KEY} (the default)"
            shard = stream.shard_for(hash_key_of(key or DEFAULT_PARTITION_KEY)).id
            lines.append(Text(f"partition key {shown} → {shard}"))
        return hint_lines(lines + reader_lines(stream.consumers), "")

    def _show_stream(self) -> None:
        self.query_one("#put-hint", Hint).show(
            self.stream_text(
                self.picked("#put-stream"),
                self.value("#put-key"),
                self.value("#put-hash-key").strip(),
            )
        )

    @on(Select.Changed, "#put-stream")
    @on(Input.Changed, "#put-key")
    @on(Input.Changed, "#put-hash-key")
    def _stream_or_key_changed(self) -> None:
        self._show_stream()

    @on(Select.Changed, "#put-format-select")
    def _format_changed(self, event: Select.Changed) -> None:
        area = self.query_one("#put-data", SafeTextArea)
        as_json = event.value == "json"
        area.set_class(as_json, "json")
        # Text is any text: nothing to check; JSON is checked at once.
        self._stop_json_check()
        if as_json:
            self._show_json_problem(area)
        else:
            self.show_error("")

    def command_line(self) -> str:
        """`put-record STREAM DATA [--partition-key K] [--explicit-hash-key H]`."""
        data = self.value("#put-data")
        if self.picked("#put-format-select") == "json":
            problem = self.json_problem(data)
            if problem:
                raise CommandError(problem, "the data must be a JSON document, or pick text")
        options = []
        key = self.value("#put-key")
        if key:
            options.append(("--partition-key", key))
        hash_key = self.value("#put-hash-key").strip()
        if hash_key:
            options.append(("--explicit-hash-key", hash_key))
        return format_line("put-record", [self.picked("#put-stream"), data], options)


class PublishDialog(CommandDialog):
    """Bus picker (with the rules on the bus), source, detail-type, a JSON detail checked as
    you type, and optional resources."""

    COMMAND = "publish"
    PREFIX = "publish"
    HEADING = "publish an event (ctrl+s publishes, escape cancels)"
    VERB = "Publish"
    HELP_TITLE = "Publish dialog"
    FIRST_FIELD = "#publish-source"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Publish", "Publish the event")
    DEFAULT_CSS = "PublishDialog #publish-detail { height: 6; }"

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        service = session.sim.services["buses"]
        self.buses = service.buses
        self.names = complete_values(session, kinds.BUS)
        own = [n for n in self.names if not self.buses[n].account_default]
        with_rules = [n for n in own if self.buses[n].rules]
        if selected == DEFAULT_BUS_ID:
            # The graph's node of the account's default bus: `default`, or its ARN when a
            # bus of the stack is named `default` (that bus is the node `default`).
            selected = service.default_key
        if selected in self.names:
            self.selected: str = selected
        else:
            self.selected = (with_rules or own or [service.default_key])[0]

    def form(self) -> ComposeResult:
        """Bus, its rules, source and detail-type, detail, resources."""
        yield Label("bus")
        yield Select(choices(self.names), value=self.selected, allow_blank=False, id="publish-bus")
        yield Hint(self.rules_text(self.selected), id="publish-rules")
        # The optional resources share the row of source and detail-type: on a row of
        # their own they made the dialog scroll at 80x24.
        with Horizontal(classes="dialog-row"):
            source, detail_type = self.examples(self.selected)
            with Vertical():
                yield Label("source")
                yield SafeInput(placeholder=source, id="publish-source")
            with Vertical():
                yield Label("detail-type")
                yield SafeInput(placeholder=detail_type, id="publish-detail-type")
            with Vertical():
                yield Label("resources (optional)")
                yield SafeInput(placeholder="arn:…, arn:…", id="publish-resources")
        yield Label("detail (a JSON object)")
        yield SafeTextArea(EVENT_DETAIL, id="publish-detail", classes="json json-object")

    def rules_text(self, bus: str) -> Text:
        """The rules on `bus`: each target and its event pattern."""
        lines = []
        for rule in self.buses[bus].rules:
            pattern = json.dumps(rule.pattern, separators=(",", ":"), default=str)
            lines.append(
                Text.assemble((f"→ {safe(rule.owner)} ", "bold"), preview(pattern, 70, flat))
            )
        return hint_lines(lines, "no rules on this bus: the event will match nothing")

    def examples(self, bus: str) -> tuple[str, str]:
        """The source and detail-type shown in their empty fields: the first each of the
        bus's rules matches exactly (a new user copies the examples: `OrderCreated` against
        a rule on `OrderProcessed` started nothing), else `orders` and `OrderCreated`."""
        found = {"source": "", "detail-type": ""}
        for rule in self.buses[bus].rules:
            for field, example in found.items():
                values = rule.pattern.get(field) if isinstance(rule.pattern, dict) else None
                if not example and isinstance(values, list):
                    found[field] = next((safe(v) for v in values if isinstance(v, str)), "")
        return (
            found["source"] or DEFAULT_EVENT_EXAMPLE[0],
            found["detail-type"] or DEFAULT_EVENT_EXAMPLE[1],
        )

    @on(Select.Changed, "#publish-bus")
    def _bus_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one("#publish-rules", Hint).show(self.rules_text(event.value))
            source, detail_type = self.examples(event.value)
            self.query_one("#publish-source", Input).placeholder = source
            self.query_one("#publish-detail-type", Input).placeholder = detail_type

    def command_line(self) -> str:
        """`publish BUS SOURCE DETAIL_TYPE DETAIL [--resources ARN,...]`."""
        bus = self.picked("#publish-bus")
        detail = self.value("#publish-detail")
        problem = self.json_problem(detail, want_object=True)
        if problem:
            raise CommandError(problem, 'the detail must be a JSON object, e.g. {"id": 1}')
        words = [bus, self.value("#publish-source"), self.value("#publish-detail-type"), detail]
        resources = [r for r in re.split(r"[,\s]+", self.value("#publish-resources")) if r]
        options = [("--resources", ",".join(resources))] if resources else []
        return format_line("publish", words, options)


class UploadDialog(CommandDialog):
    """Bucket picker (with its notifications and lifecycle rules), key, either a size or text
    content, tags; the operation, or a multipart upload left incomplete."""

    COMMAND = "upload"
    PREFIX = "upload"
    HEADING = "upload an object (ctrl+s uploads, escape cancels)"
    VERB = "Upload"
    HELP_TITLE = "Upload dialog"
    FIRST_FIELD = "#upload-key"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings(
        "Upload", "Upload the object", more="the content"
    )
    DEFAULT_CSS = """
    UploadDialog #upload-content { height: 5; }
    UploadDialog #upload-op { width: 20; }
    UploadDialog #upload-size-box { width: 18; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.buckets = session.sim.services["buckets"].buckets
        names = list(self.buckets)
        self.selected = selected if selected in self.buckets else names[0]

    def form(self) -> ComposeResult:
        """Bucket and tags, its notifications, key, size and operation, content."""
        # The tags share the bucket's row (the rules they are for are listed under it), and
        # the content, which a size can stand for, is folded (counted on its line): the
        # dialog scrolled by 11 rows at 80x24 on a bucket with lifecycle rules.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("bucket")
                yield Select(
                    choices(self.buckets),
                    value=self.selected,
                    allow_blank=False,
                    id="upload-bucket",
                )
            with Vertical():
                # What lifecycle rules filter on; S3's tag limits are the command's to check.
                yield Label("tags (KEY=VALUE,...)")
                yield SafeInput(placeholder="class=scratch", id="upload-tags")
        yield Hint(self.notifications_text(self.selected), id="upload-notes")
        # The key shares the row of size and operation: on a row of its own it made the
        # dialog four rows taller, which scrolled it at 80x24 on a bucket with a rule.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("key")
                # Filled in (and selected, so typing replaces it) with a key the bucket's
                # notifications fire for: ctrl+s at once uploads, where an empty key with
                # the example as a placeholder was refused.
                example = self.key_example(self.selected)
                yield SafeInput(example, placeholder=safe(example), id="upload-key")
            with Vertical(id="upload-size-box"):
                # Short enough for its column on an 80-column terminal: a label that wraps
                # there would put its field a row below the operation's.
                yield Label("size (e.g. 5MB)")
                yield SafeInput(placeholder="0", id="upload-size")
            with Vertical(id="upload-op"):
                yield Label("operation")
                yield Select(
                    [(op, op) for op in (*UPLOAD_OPS, INCOMPLETE_OP)],
                    value=UPLOAD_OPS[0],
                    allow_blank=False,
                    id="upload-op-select",
                    tooltip="put, post, copy or multipart: the way S3 is told the object "
                    "came (its event's name); incomplete starts a multipart upload and never "
                    "completes it (upload --incomplete)",
                )
        with MoreFields(summary=content_summary(""), id="upload-more"):
            yield Label("content (text, instead of a size)")
            yield SafeTextArea("", id="upload-content")

    @on(TextArea.Changed, "#upload-content")
    def _content_changed(self) -> None:
        summary = content_summary(self.value("#upload-content"))
        self.query_one("#upload-more", MoreFields).show_summary(summary)

    def notifications_text(self, bucket: str) -> Text:
        """The bucket's notifications (each target and its event types and key filter), then
        its lifecycle rules (what tags and the `incomplete` operation are for)."""
        b = self.buckets[bucket]
        lines = [
            Text.assemble((f"→ {safe(n.target)} ", "bold"), safe(n.describe()))
            for n in b.notifications
        ]
        if not lines:
            lines.append(Text("no notifications: an upload starts nothing"))
        # A rule's name (`lifecycleRules[0]`) says it is one.
        lines += [Text(safe(rule_words(rule))) for rule in b.rules]
        return hint_lines(lines, "", UPLOAD_HINT_LINES)

    def key_example(self, bucket: str) -> str:
        """The key the field starts with: one the bucket's notifications fire for
        (`uploads/example.jpg` for a prefix `uploads/` and suffix `.jpg`; `example_key`),
        so that an upload at once starts what the bucket is for."""
        return example_key(self.buckets[bucket])

    @on(Select.Changed, "#upload-bucket")
    def _bucket_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            notes = self.query_one("#upload-notes", Hint)
            notes.show(self.notifications_text(event.value))
            key = self.query_one("#upload-key", Input)
            # Untouched (or emptied), the key follows the bucket; one typed stays.
            if key.value in ("", self.key_example(self.selected)):
                key.value = self.key_example(event.value)
            key.placeholder = safe(self.key_example(event.value))
            self.selected = event.value

    def command_line(self) -> str:
        """`upload BUCKET KEY [--size N | --content TEXT] [--op OP] [--tag K=V ...]
        [--incomplete]`."""
        bucket = self.picked("#upload-bucket")
        if not self.value("#upload-key"):
            raise CommandError(
                "the object needs a key",
                f"type one in the key field, e.g. {safe(self.key_example(bucket))}",
            )
        size = self.value("#upload-size").strip()
        content = self.value("#upload-content")
        if size and content:
            raise CommandError("give a size or the content, not both", "empty one of them")
        options: list[tuple[str, str | None]] = [("--size", size)] if size else []
        if content:
            options.append(("--content", content))
        op = self.picked("#upload-op-select")
        if op not in (UPLOAD_OPS[0], INCOMPLETE_OP):
            options.append(("--op", op))
        # S3 tag keys and values hold no comma: it can only separate them.
        tags = self.value("#upload-tags").split(",")
        options += [("--tag", tag.strip()) for tag in tags if tag.strip()]
        if op == INCOMPLETE_OP:
            # The command says which of the other fields an incomplete upload cannot take.
            options.append(("--incomplete", None))
        return format_line("upload", [bucket, self.value("#upload-key")], options)


def content_summary(text: str) -> str:
    """The folded content's line: what it holds, or that a size stands for it."""
    if not text:
        return "content (text, instead of a size): none"
    return f"content: {len(text):,} character{'s' * (len(text) != 1)}"


def response_text(result: CommandResult) -> Text:
    """An `http` result as the dialog shows it: the status line coloured by its class,
    then the headers and the body as the command printed them (a long body cut, with a
    note: see `shortened`)."""
    shown, note = shortened(result)
    text = Text(render_plain(shown))
    if note:
        text.append(f"\n{note}", "bold")
    status = result.data.get("status") if isinstance(result.data, dict) else None
    if isinstance(status, int):
        style = "bold green" if status < 400 else "bold yellow" if status < 500 else "bold red"
        text.stylize(style, 0, len(text.plain.split("\n", 1)[0]))
    return text


def first_request(
    routes: list[dict[str, Any]], selected: str | None
) -> tuple[str, str, str | None]:
    """The method, path and gateway the HTTP dialog opens on, from `show routes`' listing:
    the selected workload's first route without path parameters, else (a gateway or
    anything else selected) the first such route of the selected gateway, or of the stack;
    so that a stack whose route is `POST /orders` is one key from its first request (the
    dialog opened on `GET /`, a 404). Where every route has parameters, the first of them,
    its path as written (`POST /webhooks/{provider}`: the dialog selects `{provider}` for
    the value to be typed over it, `path_parameter`). `ANY` opens as GET. A stack with no
    route of a path (`$default`, none) opens on `GET /`."""
    mine = [r for r in routes if r["target"] == selected]
    if not mine and any(r["gateway"] == selected for r in routes):
        mine = [r for r in routes if r["gateway"] == selected]
    with_paths = [r for r in mine or routes if str(r["route"]).partition(" ")[2].startswith("/")]
    picked = next((r for r in with_paths if "{" not in str(r["route"])), None)
    if picked is None and with_paths:
        picked = with_paths[0]
    if picked is None:
        return "GET", "/", None
    method, _, path = str(picked["route"]).partition(" ")
    return (method if method in HTTP_METHODS else "GET"), path, str(picked["gateway"])


def path_parameter(path: str) -> tuple[int, int] | None:
    """Where a route's first path parameter is in `path` (`{provider}`, `{proxy+}`), to
    select it; None without one."""
    found = re.search(r"\{[^{}/]*\}", path)
    return found.span() if found else None


class PathInput(SafeInput):
    """The HTTP dialog's path, opened on a route's path as written: its first focus
    selects the route's parameter (`{provider}`), not the whole path, for the value to be
    typed over it. A text typed or pasted over the parameter that starts with `/` is a
    whole path: it replaces all of the field (`/webhooks/stripe` typed over `/{proxy+}`'s
    parameter made `//webhooks/stripe`)."""

    def __init__(self, path: str, **kwargs: Any) -> None:
        # The parameter's span, while the path is the route's as written.
        self.parameter = path_parameter(path)
        self._route_path = path
        super().__init__(path, **kwargs)

    def validate_value(self, value: str) -> str:
        """`value` as SafeInput takes it; any other path than the route's, typed or set by
        the app (a field carried over a rebuild), has no parameter to select."""
        if value != self._route_path:
            self.parameter = None
        return super().validate_value(value)

    def on_focus(self, event: events.Focus) -> None:
        """Select the parameter, once Input's own handler (which runs next) has selected
        all of the path."""
        if self.parameter is not None and not event.from_app_focus:
            self.call_next(self.select_for_focus)

    def select_for_focus(self) -> None:
        """Select the route's parameter (see `on_focus`), else all of the path."""
        if self.parameter is None:
            super().select_for_focus()
        else:
            self.selection = Selection(*self.parameter)

    def replace(self, text: str, start: int, end: int) -> None:
        """Replace `start`..`end` with `text`; all of the path when `text` is a path typed
        over the parameter."""
        if (start, end) == self.parameter and text.startswith("/"):
            start, end = 0, len(self.value)
        super().replace(text, start, end)


class HttpDialog(CommandDialog):
    """Method, path (and gateway, load balancer or function URL when the stack has several),
    body, headers and query; the response is shown beside the request (under it on a narrow
    terminal), which can be edited and sent again."""

    COMMAND = "http"
    PREFIX = "http"
    HEADING = "HTTP request (ctrl+s sends, escape closes)"
    VERB = "Send"
    HELP_TITLE = "HTTP dialog"
    FIRST_FIELD = "#http-path"
    ANSWER = "#http-response"
    BINDINGS: ClassVar[list[BindingType]] = [
        *dialog_bindings("Send", "Send the request", more="the headers, query and claims"),
        whole_output_binding("The last response in full, on a page of its own"),
    ]
    DEFAULT_CSS = """
    HttpDialog > .dialog-box { max-width: 140; }
    HttpDialog #http-columns { height: auto; }
    HttpDialog #http-request { width: {form}; height: auto; }
    HttpDialog #http-response-box {
        width: 1fr; height: auto; max-height: 70vh; margin-left: 1;
        border-left: vkey $panel-lighten-2; padding-left: 1;
    }
    /* A tab stop (to scroll a long response): focused, its rule and label light up. */
    HttpDialog #http-response-box:focus { border-left: vkey $accent; }
    HttpDialog #http-response-box:focus > Label { color: $accent; text-style: bold; }
    HttpDialog.-stacked #http-columns { layout: vertical; }
    HttpDialog.-stacked #http-request { width: 1fr; }
    HttpDialog.-stacked #http-gateway { width: 24; }
    /* Under the form, the response takes rows only once there is one: its placeholder
       made the dialog scroll at 80x24. */
    HttpDialog.-stacked #http-response-box {
        margin: 1 0 0 0; padding: 0; display: none;
        border-left: none; border-top: hkey $panel-lighten-2;
    }
    HttpDialog.-stacked.-answered #http-response-box { display: block; }
    HttpDialog.-stacked #http-response-box:focus { border-left: none; border-top: hkey $accent; }
    HttpDialog #http-method { width: 14; }
    /* The path takes what the method and the gateway leave: as wide as the form, it pushed
       the gateway picker out of the form's column (out of sight beside the response). */
    HttpDialog #http-path { width: 1fr; }
    HttpDialog #http-gateway { width: 30; }
    HttpDialog #http-body { height: 5; }
    HttpDialog #http-headers { height: 5; }
    """.replace("{form}", str(HTTP_FORM_WIDTH))

    def __init__(
        self,
        session: Session,
        run: Callable[[str], CommandResult],
        selected: str | None = None,
    ) -> None:
        super().__init__(run)
        balancers = session.sim.services["load_balancers"]
        # HTTP APIs first: without --gateway, `http` sends to one of them when there are any.
        # Function URLs last: a stack with only one of them sends there without --url.
        urls = session.sim.services["function_urls"].urls
        self.url_functions = list(urls)
        # The function URLs only a signed request reaches: the form offers `--signed` then.
        self.iam_urls = {n for n, u in urls.items() if u.config.auth_type == "AWS_IAM"}
        self.gateways = [
            *session.sim.services["http"].apis,
            *balancers.balancers,
            *self.url_functions,
        ]
        self.routes = (
            session.sim.services["http"].listing()
            + [
                {
                    "gateway": lis["load_balancer"],
                    "route": f":{lis['port']} priority {rule['priority']} "
                    + ("; ".join(rule["conditions"]) or "(no conditions)"),
                    "target": rule["target"],
                    "container": rule["container"],
                    "container_port": rule["container_port"],
                }
                for lis in balancers.listing()
                for rule in lis["rules"]
            ]
            + [
                {"gateway": name, "route": "any path (function URL)", "target": name}
                for name in self.url_functions
            ]
        )
        self.apis = session.sim.services["http"].apis
        # (gateway, route key) -> `cognito users`, `lambda gatekeeper`: the routes hint and
        # the JWT field say which routes check what.
        self.authorizers = {
            (api.name, r.key): f"{r.authorizer.type} {r.authorizer.target.target}"
            if r.authorizer.target is not None
            else r.authorizer.type
            for api in self.apis.values()
            for r in api.routes
            if r.authorizer is not None
        }
        self.start = first_request(session.sim.services["http"].listing(), selected)
        # `--jwt` mints a token of a route's cognito pool, else of the stack's one pool.
        self.jwt = any(a.startswith("cognito") for a in self.authorizers.values()) or any(
            r.type == "user-auth-pool" for r in session.stack.resources.values()
        )

    def on_mount(self) -> None:
        self._arrange(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._arrange(event.size.width)

    def _arrange(self, width: int) -> None:
        # See HTTP_SIDE_BY_SIDE.
        self.set_class(width < HTTP_SIDE_BY_SIDE, "-stacked")

    def body(self) -> ComposeResult:
        """The request line and the routes across the dialog, then the rest of the form,
        and the last response beside it or under it. Across, the routes wrap less than in
        the form's column (a load balancer's rules took two or three lines each there),
        and the path field keeps room beside the gateway picker."""
        yield from self.request_line()
        yield Hint(self.routes_text(), id="http-routes")
        with Horizontal(id="http-columns"):
            with Vertical(id="http-request"):
                yield from self.form()
                yield from self.controls()
            # Scrolled (and a tab stop, to scroll it from the keyboard): a response longer
            # than the box was cut at its foot.
            with VerticalScroll(id="http-response-box"):
                yield Label("response")
                yield Static(Text("(send the request to see it)"), id="http-response", markup=False)

    def request_line(self) -> ComposeResult:
        """Method, path, and the gateway when there are several."""
        with Horizontal(classes="dialog-row"):
            method, path, gateway = self.start
            yield Select(
                [(m, m) for m in HTTP_METHODS], value=method, allow_blank=False, id="http-method"
            )
            yield PathInput(path, placeholder="/path", id="http-path")
            if len(self.gateways) > 1:
                yield Select(
                    [
                        (
                            Text(f"{safe(name)} URL" if name in self.url_functions else safe(name)),
                            name,
                        )
                        for name in self.gateways
                    ],
                    value=gateway if gateway in self.gateways else self.gateways[0],
                    allow_blank=False,
                    id="http-gateway",
                )

    def form(self) -> ComposeResult:
        """Body; then headers, query (and JWT claims, signing, where the stack has a use),
        folded under a line that counts them: unfolded, the dialog needed 34 to 37 rows,
        and scrolled by 15 at 80x24."""
        yield Label("body (optional)")
        yield SafeTextArea("", id="http-body")
        with MoreFields(summary=self.more_summary(), id="http-more"):
            yield Label("headers (one name: value per line)")
            yield SafeTextArea("", id="http-headers")
            yield Label("query (name=value&name=value)")
            yield SafeInput(placeholder="page=2&sort=asc", id="http-query")
            if self.jwt:
                yield Label("JWT claims (CLAIM=VALUE,...; empty: no token)")
                yield SafeInput(placeholder="sub=u1,email=ann@example.com", id="http-jwt")
                method, path, gateway = self.start
                many = len(self.gateways) > 1
                yield Hint(
                    self.route_auth_text(method, path, gateway if many else None), id="http-auth"
                )
            if self.iam_urls:
                yield Checkbox(
                    "signed (SigV4): an AWS_IAM function URL refuses a request without it",
                    id="http-signed",
                )

    def more_summary(
        self, headers: str = "", query: str = "", jwt: str = "", signed: bool = False
    ) -> str:
        """The folded fields' line: how many headers, query pairs and claims the request
        has, and whether it is signed."""
        counts = [
            ("headers", sum(1 for line in headers.splitlines() if line.strip())),
            ("query", sum(1 for pair in query.split("&") if pair.strip())),
        ]
        if self.jwt:
            counts.append(("JWT", sum(1 for c in jwt.split(",") if c.strip())))
        words = [f"{name}: {count or 'none'}" for name, count in counts]
        if self.iam_urls:
            words.append("signed" if signed else "not signed")
        return ", ".join(words)

    @on(TextArea.Changed, "#http-headers")
    @on(Input.Changed, "#http-query")
    @on(Input.Changed, "#http-jwt")
    @on(Checkbox.Changed, "#http-signed")
    def _more_changed(self) -> None:
        summary = self.more_summary(
            self.value("#http-headers"),
            self.value("#http-query"),
            self.value("#http-jwt") if self.jwt else "",
            bool(self.iam_urls) and self.query_one("#http-signed", Checkbox).value,
        )
        self.query_one("#http-more", MoreFields).show_summary(summary)

    def routes_text(self) -> Text:
        """The routes of every gateway: `POST /jobs → api`, `ANY /{proxy+} → web (container
        app:3000)`."""
        many = len(self.gateways) > 1
        lines = []
        for r in self.routes:
            line = Text(f"{safe(r['gateway'])}: " if many else "")
            line.append(safe(r["route"]), "bold")
            line.append(f" → {safe(r['target'])}")
            container = r.get("container")
            if container is not None:
                port = r.get("container_port")
                where = safe(container) + (f":{port}" if port is not None else "")
                line.append(f" (container {where})", "italic")
            auth = self.authorizers.get((r["gateway"], r["route"]))
            if auth is not None:
                line.append(f" ({safe(auth)} authorizer)", "italic")
            lines.append(line)
        return hint_lines(lines, "no routes: every request gets a 404")

    def route_auth_text(self, method: str, path: str, gateway: str | None) -> Text:
        """What the JWT claims do for the request as it stands: the route it goes to and
        its authorizer (the route API Gateway would pick, read without sending)."""
        api = self.apis.get(gateway) if gateway else next(iter(self.apis.values()), None)
        if gateway in self.url_functions:
            return Text("a function URL checks no token: the claims are not sent")
        if api is None:
            return Text("a load balancer checks no token: the claims are not sent")
        picked = api.select(method, path.partition("?")[0]) if path.startswith("/") else None
        if picked is None:
            return Text("no route takes this request (a 404): the claims are not checked")
        route = picked[0]
        auth = self.authorizers.get((api.name, route.key))
        line = Text.assemble((safe(route.key), "bold"), " ")
        if auth is not None and auth.startswith("cognito"):
            line.append(f"checks a token of {safe(auth.partition(' ')[2])}: ")
            line.append("the claims make one it would issue now, as http --jwt does")
        elif auth is not None:
            line.append(f"has a {safe(auth)} authorizer, which checks no token of a pool")
        else:
            line.append("has no authorizer: a token is sent but nothing checks it")
        return line

    @on(Input.Changed, "#http-path")
    @on(Select.Changed, "#http-method")
    @on(Select.Changed, "#http-gateway")
    def _request_changed(self) -> None:
        if not self.jwt:
            return
        gateway = self.picked("#http-gateway") if len(self.gateways) > 1 else None
        text = self.route_auth_text(
            self.picked("#http-method"), self.value("#http-path").strip(), gateway
        )
        self.query_one("#http-auth", Hint).show(text)

    def command_line(self) -> str:
        """`http METHOD PATH [BODY] [--header N:V ...] [--query N=V ...] [--gateway G | --url FN]
        [--jwt CLAIMS] [--signed]`."""
        values = [self.picked("#http-method"), self.value("#http-path").strip()]
        body = self.value("#http-body")
        if body:
            values.append(body)
        options = [
            ("--header", header.strip())
            for header in self.value("#http-headers").splitlines()
            if header.strip()
        ]
        pairs = self.value("#http-query").split("&")
        options += [("--query", pair.strip()) for pair in pairs if pair.strip()]
        # With one entry, a stack whose entry is a function URL sends there without --url.
        many = len(self.gateways) > 1
        picked = self.picked("#http-gateway") if many else next(iter(self.gateways), "")
        to_url = picked in self.url_functions
        if many:
            options.append(("--url" if to_url else "--gateway", picked))
        # Only an AWS_IAM URL reads a signature; `http` refuses --signed for an API's request.
        if picked in self.iam_urls and self.query_one("#http-signed", Checkbox).value:
            options.append(("--signed", None))
        # A function URL checks no token (the auth hint says so): the claims stay unsent.
        jwt = self.value("#http-jwt").strip() if self.jwt and not to_url else ""
        if jwt:
            options.append(("--jwt", jwt))
        return format_line("http", values, options)

    def action_whole_output(self) -> None:
        """Show the last response in full on a page of its own."""
        self.whole_answer("HTTP response")

    def render_answer(self, result: CommandResult) -> Text:
        """The response, its status line coloured (see `response_text`)."""
        return response_text(result)

    def draw_answer(self, text: Text) -> None:
        """Show the response box (under the form, it takes rows only once there is one),
        with `text` read from its first line."""
        self.add_class("-answered")
        self.query_one("#http-response", Static).update(text)
        self.query_one("#http-response-box", VerticalScroll).scroll_home(animate=False)

    def ran(self, result: CommandResult) -> None:
        """Show the response and stay open, to edit the request and send it again."""
        self.show_answer(result)
        if self.has_class("-stacked"):
            # Under the form, it may be below the fold: in sight once laid out, and kept
            # there through the layouts that follow (the box shown for the first response
            # takes its height, the dialog's scrollbar comes and the form wraps taller).
            frame = self.query(".dialog-box").first(DialogFrame)
            frame.keep(self.query_one("#http-response-box"))


class SchedulePicker(Select[int]):
    """The fire dialog's picker, which has the focus as it opens: enter fires the schedule
    picked, as enter runs a dialog from a one-line field (`x` then enter opened the list,
    and enter again only picked the schedule picked); down, up and space open the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.run", "Fire", show=False),
        Binding("down,space,up", "show_overlay", "Show menu", show=False),
    ]


class FireDialog(CommandDialog):
    """Picker of the schedules (functions and batch jobs with schedule triggers), with the
    chosen one's expression and next fire times."""

    COMMAND = "fire"
    PREFIX = "fire"
    FIRST_FIELD = "#fire-rule"
    HEADING = "fire a schedule now (ctrl+s or enter fires, escape cancels)"
    VERB = "Fire"
    HELP_TITLE = "Fire dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Fire", "Fire the schedule now")

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        service = session.sim.services["schedules"]
        self.rules: list[ScheduleRule] = service.rules
        self.several = {owner for owner, rules in service.by_owner.items() if len(rules) > 1}
        self.selected = next((i for i, r in enumerate(self.rules) if r.owner == selected), 0)

    def rule_label(self, rule: ScheduleRule) -> str:
        """`cleanup 2` for a workload's second schedule; the name alone when it has one."""
        return f"{rule.owner} {rule.number}" if rule.owner in self.several else rule.owner

    def form(self) -> ComposeResult:
        """The schedule and when it fires."""
        yield Label("schedule (down opens the list)")
        yield SchedulePicker(
            [
                (Text(f"{safe(self.rule_label(r))}  {safe(r.expression)}"), i)
                for i, r in enumerate(self.rules)
            ],
            value=self.selected,
            allow_blank=False,
            id="fire-rule",
        )
        yield Hint(self.next_text(self.selected), id="fire-next")

    def next_text(self, index: int) -> Text:
        """The schedule in words, and its next fire times (or why it does not fire)."""
        rule = self.rules[index]
        text = hanging(Text(f"{safe(rule.describe)} (rule {safe(rule.name)})"), 2)
        text.append("\n")
        if rule.schedule is None:
            text.append("it never fires, and `fire` refuses it", "bold")
        elif rule.paused:
            text.append("paused: it fires only when fired by hand, until resumed")
        else:
            fires = []
            t = self.session.sim.clock.now
            while len(fires) < NEXT_FIRES:
                nxt = rule.schedule.next_after_ms(t, self.session.start_ms)
                if nxt is None:
                    break
                fires.append(display_time(nxt))
                t = nxt
            text.append_text(fire_times("next: ", fires) if fires else Text("it fires no more"))
        return text

    @on(Select.Changed, "#fire-rule")
    def _rule_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, int):
            self.query_one("#fire-next", Hint).show(self.next_text(event.value))

    def command_line(self) -> str:
        """`fire FUNCTION [INDEX]`."""
        rule = self.rules[cast(int, self.query_one("#fire-rule", Select).value)]
        line = f"fire {quote_word(rule.owner)}"
        return f"{line} {rule.number}" if rule.owner in self.several else line


class TextDialog(QuickModal[None]):
    """A read-only page of text (a record's JSON, an explanation); escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", tooltip="Close")
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="TextDialog")

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            # A str border title is parsed as markup; Text is shown as it is.
            box.border_title = Text(safe(self.title_text))
            # A modal hides the footer: the page says itself how it closes, as the command
            # dialogs and the whole-output page do.
            box.border_subtitle = CLOSE_HINT
            with VerticalScroll():
                yield Static(Wrapped(self.body), id="text-body", markup=False)
