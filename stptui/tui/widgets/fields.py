"""Text fields that keep control characters out: what a user types or pastes is shown in the
field as it is, so it must hold nothing a terminal would act on.

Textual's Input and TextArea take a paste as it comes and draw it raw: an ESC from a
pasted log line reached the terminal as the start of an escape sequence (recolouring,
moving the cursor, clearing the screen), a BEL rang it. Typed keys never carry controls
(Textual inserts only printable characters), so pastes are what this guards against, and
what the app itself puts into a field (a completion, a line from the history, a key or
JSON a dialog starts with), which is cleaned the same way as it is set; the app offers no
value that cleaning would change (`fits_one_line`, `textsafe.json_shown`).

The rule: carriage returns (`\\r\\n`, `\\r`, what some terminals paste line breaks as)
become newlines; every other character `stptui.textsafe.printable` would escape is
dropped (C0 controls but tab and newline, DEL, C1 controls, bidirectional marks and
overrides, zero-width spaces, byte-order marks, line and paragraph separators). So a field
shows exactly what the command receives. A JSON body can still carry any of them as an
escape (`"\\u001b"`).

A paste of several lines into a one-line field keeps every line, joined by spaces (see
SafeInput). A body of one very long line (a minified 1 MB JSON) is drawn a row at a time
without cutting the whole line for each row (see `_Sections`), and is not wrapped at all
while a line is over LONG_LINE characters (see `SafeTextArea`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, overload

from rich.containers import Lines
from rich.text import Span, Text
from textual import events
from textual.strip import Strip
from textual.widgets import Input, TextArea
from textual.widgets.text_area import Edit, EditResult, Selection

from stptui.textsafe import ESCAPED

# The characters `stptui.textsafe.printable` escapes (not tab and newline).
DROPPED = ESCAPED
_RETURNS = re.compile("\r\n?")
# A field with a line longer than this does not wrap its lines: Textual works out where a
# wrapped line breaks again, from its start, on every key typed into it (half a second a
# key in a 1 MB line), and maps the cursor through the line cut into all its rows.
LONG_LINE = 10_000
UNWRAPPED_NOTE = f"a line over {LONG_LINE:,} characters: not wrapped"


def clean_typed(text: str) -> str:
    """`text` as a field keeps it: carriage returns made newlines, the characters in
    `DROPPED` left out."""
    return DROPPED.sub("", _RETURNS.sub("\n", text))


def fits_one_line(text: str) -> bool:
    """Whether a one-line field can hold `text` as it is: no line break, nothing `DROPPED`.
    A value that does not (an object key with an ESC in it) is never offered to a field,
    where cleaning it would name something else."""
    return "\n" not in text and DROPPED.search(text) is None


def one_line(text: str) -> str:
    """`text` pasted into a one-line field: cleaned, its line breaks made spaces (the line
    breaks around it left out)."""
    return " ".join(clean_typed(text).strip("\n").split("\n"))


class SafeInput(Input):
    """An Input that drops control characters from what is typed or pasted into it, and
    takes a paste of several lines whole, on one line.

    Textual's Input keeps the first line of a paste and silently drops the rest: a list of
    ARNs pasted one per line lost all but the first. Joined with spaces, every line is in
    the field, where the user sees it (and a field that takes one word refuses it)."""

    def _on_paste(self, event: events.Paste) -> None:
        # Input's own handler (which runs next) inserts the text; it now holds no line break.
        event.text = one_line(event.text)

    def replace(self, text: str, start: int, end: int) -> None:
        """Replace `start`..`end` with `text` cleaned (every insertion ends here)."""
        super().replace(clean_typed(text), start, end)

    def validate_value(self, value: str) -> str:
        """A value the app sets (a completion, a line from the history, a key offered)
        cleaned as what is typed: Textual draws the field's value as it is."""
        return value if fits_one_line(value) else one_line(value)

    def select_for_focus(self) -> None:
        """Select what the field's Focus event selects (Input's `select_on_focus`: all of
        it), for a dialog that draws the field focused before that event is handled."""
        if self.select_on_focus:
            self.selection = Selection(0, len(self.value))


class _Sections(Lines):
    """The pieces of a line cut at `offsets`, as `Text.divide` gives them, each made when
    it is asked for.

    A TextArea draws a row of a wrapped line by cutting the whole line into its rows and
    keeping one: for a 1 MB line without breaks (a minified JSON body) that made ~20,000
    Texts per row drawn, on every focus change and cursor blink (a quarter of a second).
    Made lazily, a row costs its own piece; the rows before it are asked for only to count
    their tabs, so in a line without tabs they get one empty stand-in (`wanted`: the
    piece the row being drawn shows, when known)."""

    def __init__(self, line: Text, offsets: Iterable[int], wanted: int | None = None) -> None:
        # `_lines` (what Lines' other methods use) is made whole only if one of them is
        # called: see __getattr__.
        self._line = line
        self._plain = line.plain
        self._bounds = [0, *offsets, len(self._plain)]
        self._spans = list(line.spans)
        self._wanted = wanted if wanted is not None and "\t" not in self._plain else None
        self._no_tabs = Text("")

    def __getattr__(self, name: str) -> list[Text]:
        if name != "_lines":
            raise AttributeError(name)
        self._lines = [self._section(i) for i in range(len(self))]
        return self._lines

    def _section(self, index: int) -> Text:
        start, end = self._bounds[index], self._bounds[index + 1]
        line = self._line
        text = Text(
            self._plain[start:end], style=line.style, justify=line.justify, overflow=line.overflow
        )
        for span in self._spans:
            # A span's part in the piece, as `Text.divide` keeps it (empty parts dropped).
            low, high = max(span.start, start), min(span.end, end)
            if high > low:
                text.spans.append(Span(low - start, high - start, span.style))
        return text

    def __len__(self) -> int:
        return len(self._bounds) - 1

    def __iter__(self) -> Iterator[Text]:
        if "_lines" in self.__dict__:
            return iter(self._lines)
        return (self._section(i) for i in range(len(self)))

    @overload
    def __getitem__(self, index: int) -> Text: ...

    @overload
    def __getitem__(self, index: slice) -> list[Text]: ...

    def __getitem__(self, index: int | slice) -> Text | list[Text]:
        # The stand-ins first: a row far down a long line asks for thousands of them.
        wanted = self._wanted
        if wanted is not None and type(index) is int and 0 <= index < wanted:
            return self._no_tabs
        if "_lines" in self.__dict__:
            return self._lines[index]
        if isinstance(index, slice):
            return [self._section(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._section(index)


class _Line(Text):
    """A TextArea's line whose `divide` makes its pieces only when they are asked for;
    cut at `row_offsets` (the wrapping of the row being drawn) it knows the piece
    `wanted` is the one drawn."""

    def __init__(
        self, text: str, row_offsets: list[int] | None = None, wanted: int | None = None
    ) -> None:
        super().__init__(text, end="", no_wrap=True)
        self._row_offsets = row_offsets
        self._wanted = wanted

    def divide(self, offsets: Iterable[int]) -> Lines:
        """The text cut at `offsets` (see `_Sections`)."""
        known = offsets is self._row_offsets
        return _Sections(self, offsets, self._wanted if known else None)


class SafeTextArea(TextArea):
    """A TextArea that drops control characters from what is typed or pasted into it, and
    draws a row of a very long line in time that does not grow with the line.

    While one of its lines is over LONG_LINE characters it does not wrap (its border says
    so, UNWRAPPED_NOTE), so that a key typed into the line costs what Textual's own
    unwrapped editing costs; it wraps again once no line is that long."""

    # (line index, piece) of the row being drawn, while `render_line` draws it.
    _drawing: tuple[int, int] | None = None
    # Whether wrapping was turned off here for a long line (not by whoever made the field).
    _unwrapped: bool = False
    # Whether the field holds the text the app started it with (a dialog's example body),
    # nothing typed into it yet: it is selected when the field gets the focus with the
    # cursor still at its start (see `on_focus`).
    starting: bool = False

    def _fit_wrap(self, longest: int) -> None:
        """Wrap or not for a document whose longest line is `longest` characters (or more,
        where only the edited lines were measured). Set before an edit, the wrapping of the
        long line is never worked out."""
        if longest > LONG_LINE and self.soft_wrap:
            self._unwrapped = True
            self.border_subtitle = UNWRAPPED_NOTE
            self.soft_wrap = False
        elif longest <= LONG_LINE and self._unwrapped:
            self._unwrapped = False
            self.border_subtitle = None
            self.soft_wrap = True

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(clean_typed(text), **kwargs)
        self.starting = bool(text)

    def on_focus(self, event: events.Focus) -> None:
        """Select the text the app started the field with, so that what is typed replaces
        it, as an Input's text is (`select_on_focus`): a body typed into the send dialog
        went in front of its example, `{"orderId": 7}{"orderId": 1, "amount": 20}`, and
        was refused as JSON with extra data. Sent as it is, it is the example still. A
        cursor or a selection put elsewhere first (by a key, a click or the app) stays."""
        if not event.from_app_focus:
            self.select_for_focus()

    def select_for_focus(self) -> None:
        """Select what the field's Focus event selects (see `on_focus`), for a dialog that
        draws the field focused before that event is handled."""
        if self.starting and self.selection == Selection():
            self.select_all()

    def load_text(self, text: str) -> None:
        """Load `text` cleaned, unwrapped when a line of it is over LONG_LINE characters."""
        text = clean_typed(text)
        self._fit_wrap(max(map(len, text.split("\n")), default=0))
        super().load_text(text)

    def _on_text_area_changed(self) -> None:
        # Undo and redo bypass `edit`; and a long line edited away lets the field wrap.
        # (Lengths only: a scan of the lines, not of their text.)
        self._fit_wrap(max(map(len, self.document.lines), default=0))

    def render_line(self, y: int) -> Strip:
        """Row `y`, noting which line and piece of it the row shows (see `get_line`)."""
        # Textual's own map of rows to (line, piece), read as its drawing code reads it;
        # without it, rows are drawn all the same, only without the stand-ins.
        rows = getattr(self.wrapped_document, "_offset_to_line_info", None)
        row = y + self.scroll_offset.y
        self._drawing = rows[row] if rows is not None and 0 <= row < len(rows) else None
        try:
            return super().render_line(y)
        finally:
            self._drawing = None

    def get_line(self, line_index: int) -> Text:
        """Line `line_index`, as a Text that cuts itself into rows lazily (`_Sections`)."""
        text = self.document.get_line(line_index)
        drawing = self._drawing
        if drawing is None or drawing[0] != line_index:
            return _Line(text)
        return _Line(text, self.wrapped_document.get_offsets(line_index), drawing[1])

    def edit(self, edit: Edit) -> EditResult:
        """Perform `edit` with its text cleaned (keys, pastes and the app's clipboard all
        end here)."""
        edit.text = clean_typed(edit.text)
        self.starting = False
        if self.soft_wrap:
            # The edited line's new length, or the longest line the edit makes.
            parts = edit.text.split("\n")
            (_, top_column), (bottom_row, bottom_column) = edit.top, edit.bottom
            bottom_row = min(bottom_row, self.document.line_count - 1)
            rest = max(0, len(self.document[bottom_row]) - bottom_column)
            lengths = [len(part) for part in parts]
            lengths[0] += top_column
            lengths[-1] += rest
            self._fit_wrap(max(lengths))
        return super().edit(edit)
