"""The base of stptui's modal screens: the dimmed screen below drawn once per change there.

A ModalScreen draws the screen below it, dimmed, as its own background: every cell of that
screen rendered again and tinted one by one (a tenth of the work of opening a dialog at
120x36, more on a larger terminal). Textual does it whenever the modal screen is repainted
whole, and it is repainted whole far more often than the screen below changes: as it is
laid out when it opens, each time the focus moves from field to field, each time a layout
changes its own size. `QuickModal` keeps the dimmed lines and draws them again only when
the screen below has changed (Textual then repaints the modal screen with the regions that
changed, see `refresh`), when the modal screen is back on top (the screen below may have
changed under another screen), or when the size, the tint or the screen below is another.
Each dialog is a QuickModal of its own, and the lines are kept for the next one too (see
`DIMMED`): it renders the screen below again, to see what changed there, but dims only the
lines that did (the dimming and its line splitting were half of the work of drawing them).

A focus change repaints the field the focus leaves and the one it enters (and what their
styles change), not the whole screen: Textual's Screen repaints itself whole when its
`focused` changes, a frame drawn before either field had taken in the change (their Focus
and Blur events come after it), then a second frame with the two fields. On every tab in a
dialog that first frame was about half of the work of the key.

It also leaves out two things Textual did again as a modal screen opens: the styles of
every widget, worked out as each was mounted and again as the screen first came on top
(see `post_message`), and a second layout, of the screen and of the one below, on the
Resize that a screen's first layout sends it (see `on_resize`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar
from weakref import WeakKeyDictionary

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from textual import events
from textual.color import Color
from textual.css.styles import RulesMap
from textual.geometry import Region
from textual.message import Message
from textual.reactive import Reactive
from textual.renderables.background_screen import BackgroundScreen
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual, visualize
from textual.widget import Widget

ResultType = TypeVar("ResultType")

# A line of a screen as drawn: its segments.
Line = tuple[Segment, ...]

# The dimmed lines drawn of each screen below a QuickModal, by the line undimmed, and what
# they were dimmed with (the tint, the width, the style): the next QuickModal over it dims
# only its lines that changed since. Each dialog is a QuickModal of its own, and between two
# the screen below changes little if at all (its footer blanks its keys under any of them).
DIMMED: WeakKeyDictionary[Screen[object], tuple[tuple[object, ...], dict[Line, Strip]]] = (
    WeakKeyDictionary()
)


class Undimmed(BackgroundScreen):
    """The screen below as drawn: its lines, each ended by a new line, not tinted."""

    @classmethod
    def process_segments(cls, segments: Iterable[Segment], color: Color) -> Iterable[Segment]:
        """`segments` as they are."""
        return segments


class Lines:
    """Lines of segments as a Rich renderable, each ended by a new line."""

    def __init__(self, lines: list[list[Segment]]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for line in self.lines:
            yield from line
            yield new_line


def split_lines(segments: Iterable[Segment]) -> list[Line]:
    """The lines of `segments`, each ended by a new line segment (as Textual's lines of a
    screen are given)."""
    lines: list[Line] = []
    line: list[Segment] = []
    for segment in segments:
        if segment.text == "\n":
            lines.append(tuple(line))
            line = []
        else:
            line.append(segment)
    return lines


class Backdrop(Visual):
    """Lines already rendered, given back as they are."""

    def __init__(self, strips: list[Strip]) -> None:
        self.strips = strips

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        """The lines kept (rendered at this width and height)."""
        return self.strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        """The width of the lines (a screen's: the terminal's)."""
        return max((strip.cell_length for strip in self.strips), default=container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        """How many lines there are."""
        return len(self.strips)


class QuickModal(ModalScreen[ResultType]):
    """A ModalScreen that renders the dimmed screen below it only when that has changed,
    and repaints only what a focus change changes."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        # What the dimmed lines were drawn from (the screen below, its tint, the size, the
        # style), and the lines; None until drawn, and once the screen below has changed.
        self._backdrop: tuple[tuple[object, ...], list[Strip]] | None = None
        self._resumed = False

    def render(self) -> RenderableType | Visual:
        """The dimmed screen below: the lines kept, unless the screen below has changed
        since they were drawn (or the size, the tint, the screen below is another)."""
        rendered = super().render()
        if not isinstance(rendered, BackgroundScreen):
            return rendered
        key = (rendered.screen, rendered.color, self.size, self.visual_style)
        if self._backdrop is None or self._backdrop[0] != key:
            self._backdrop = (key, self._dimmed(rendered))
        return Backdrop(self._backdrop[1])

    def _dimmed(self, rendered: BackgroundScreen) -> list[Strip]:
        """The lines of the screen below dimmed (`rendered`): those the screen below drew
        as it did under the QuickModal over it last (at this tint, width and style) are that
        one's; the others dimmed as Textual dims them (a line at a time, as here)."""
        width, height = self.size
        below, color, style = rendered.screen, rendered.color, self.visual_style
        options = self.app.console_options.update(width=width, height=height)
        lines = split_lines(self.app.console.render(Undimmed(below, color), options))[:height]
        key = (color, width, style)
        kept = DIMMED.get(below)
        known = kept[1] if kept is not None and kept[0] == key else {}
        new = [line for line in dict.fromkeys(lines) if line not in known]
        if new:
            tinted = Lines([list(BackgroundScreen.process_segments(line, color)) for line in new])
            strips = Visual.to_strips(self, visualize(self, tinted), width, None, style)
            known = {**known, **dict(zip(new, strips, strict=True))}
        DIMMED[below] = (key, {line: known[line] for line in lines})
        return [known[line] for line in lines]

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Widget:
        """Repaint the screen; with `regions`, Textual says that the screen below changed
        there (its only use of them on a screen): the dimmed lines are drawn again."""
        if regions:
            self._backdrop = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def post_message(self, message: Message) -> bool:
        """Post `message`; the first ScreenResume (the screen pushed) without the styles
        worked out again: Textual works them out for each widget as it is mounted (and for
        those whose order, focus or classes change as they do), and again for every widget
        of a screen coming on top, which matters for a screen back on top (the CSS may have
        changed under another one), not for one just mounted."""
        if isinstance(message, events.ScreenResume) and not self._resumed:
            self._resumed = True
            message.refresh_styles = False
        return super().post_message(message)

    def on_screen_resume(self) -> None:
        """Back on top: the screen below may have changed while another was over this one
        (which was not repainted then), so its dimmed lines are drawn again."""
        self._backdrop = None

    def on_resize(self, event: events.Resize) -> None:
        """Leave out Textual's layout of the screen (and of every screen below) on a Resize
        to the size it is already laid out at: the first layout of a screen sends it one,
        and the layout was the second of the dialog's opening, the screen below's for
        nothing. A Resize to another size (the terminal's) is Textual's to handle."""
        # `outer_size` is the size laid out at (`size` is the terminal's, less the gutter).
        if self.is_attached and event.size == self.outer_size:
            # Stops the Resize before the base classes' handlers (Screen's lays out).
            event.prevent_default()
