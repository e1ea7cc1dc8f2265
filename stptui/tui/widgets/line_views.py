"""Line-API views the panes are built from (the toolong design, textual-facts 1.3/1.4).

A pane body drawn by a Static is measured, wrapped and converted again on every repaint
(and a pane repaints whenever focus moves in or out of it); a new page also asks for a
layout of the whole screen, which re-renders every scrollbar on it. These views keep
their lines rendered and change their scrollable size without a layout pass. Their page,
home and end keys jump (`InstantScroll`, which the help and the dialogs' frames share).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.actions import SkipAction
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from stptui.tui.render import wrapped_lines


class InstantScroll(Widget):
    """Page up/down, home and end that jump, as the Events pane's and the command line's
    do: Textual's smooth scroll took 0.4 s (a page) to 1 s (home, end) to come to rest in
    the Graph pane, the Inspector, the help and a tall dialog, each key a glide to wait
    out. A mixin that goes after the scrolling class among a widget's bases: Textual
    takes a widget's default CSS (its overflow, which lets it scroll) from its first
    base's line only."""

    def action_page_down(self) -> None:
        """Scroll down a page, at once."""
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        """Scroll up a page, at once."""
        if not self.allow_vertical_scroll:
            raise SkipAction()
        self.scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        """Scroll to the top (and to the left edge when already there), at once."""
        if not self._allow_scroll:
            raise SkipAction()
        self.scroll_home(animate=False, x_axis=self.scroll_y == 0)

    def action_scroll_end(self) -> None:
        """Scroll to the bottom (and to the right edge when already there), at once."""
        if not self._allow_scroll:
            raise SkipAction()
        self.scroll_end(animate=False, x_axis=self.is_vertical_scroll_end)


class LineView(ScrollView, InstantScroll):
    """A scroll view whose content size changes without a layout of the screen, drawing
    its lines in styles it works out once per restyle, and keeping what it drew through
    restyles that leave those styles as they were."""

    # The styles lines are drawn in now (None: to be worked out), and those the kept
    # lines were drawn in.
    _line_styles: tuple[Style, ...] | None = None
    _drawn_in: tuple[Style, ...] | None = None

    def notify_style_update(self) -> None:
        """Work the line styles out again when next drawing."""
        super().notify_style_update()
        self._line_styles = None

    def line_styles(self) -> tuple[Style, ...]:
        """The styles lines are drawn in (the view's own first), worked out once per
        restyle: Textual computes `rich_style` afresh on each call, up the whole DOM. When
        they changed (the theme, the view's own focus), the kept lines are dropped; focus
        moving into or out of a pane restyles everything in it, mostly to the same
        styles, and drawing those lines again would be most of the cost of a number key."""
        styles = self._line_styles
        if styles is None:
            styles = self._line_styles = self.compute_line_styles()
            if styles != self._drawn_in:
                self._drawn_in = styles
                self.forget_lines()
        return styles

    def compute_line_styles(self) -> tuple[Style, ...]:
        """The styles lines are drawn in: the view's own, then any its lines use."""
        return (self.rich_style,)

    def forget_lines(self) -> None:
        """Drop the kept lines, if the view keeps any (they are drawn again as needed)."""

    def set_virtual_size(self, size: Size) -> None:
        """Set the scrollable size. The view's own size is fixed by CSS, so only its
        scrollbars change: they are updated in place, as Textual's `_size_updated` does
        for a size change that needs no layout (Textual is pinned, see pyproject.toml)."""
        if size == self.virtual_size:
            return
        shown = (self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)
        # A scrollbar that appears or goes changes the content area: that needs a layout.
        layout = shown != (self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        self.refresh(layout=layout)


class TextView(LineView):
    """Rich text in a scrollable view: wrapped once per width (a line marked by
    `render.hanging` going on under its own text), its rendered lines kept until the text
    or the width changes (they carry the text's own styles only; the view's background is
    added as each line is drawn)."""

    # The scrollbar's column is kept free, so that the wrap width does not depend on
    # whether the text needs one.
    DEFAULT_CSS = """
    TextView { height: 1fr; scrollbar-gutter: stable; }
    """

    def __init__(self, text: Text | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._text = Text() if text is None else text
        self._lines: list[Strip] = []
        self._width = -1  # the width `_lines` were rendered at (-1: not rendered)

    @property
    def text(self) -> Text:
        """The text shown."""
        return self._text

    def update(self, text: Text) -> None:
        """Show `text` (safe: a Text is never parsed as markup); the same text again is a
        no-op."""
        if text == self._text and text.style == self._text.style:
            return
        self._text = text
        self._width = -1
        self._fit()
        self.refresh()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        # Lines are wrapped to the view's width: nothing to scroll sideways.
        self.set_virtual_size(Size(0, len(self._rendered())))

    def _rendered(self) -> list[Strip]:
        width = self.scrollable_content_region.width
        if width <= 0:
            return []  # not laid out yet
        if width != self._width:
            console = self.app.console
            self._lines = [Strip(line) for line in wrapped_lines(console, self._text, width)]
            self._width = width
        return self._lines

    def render_line(self, y: int) -> Strip:
        """Draw row `y` of the viewport from the rendered lines."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        lines = self._rendered()
        index = scroll_y + y
        base = self.line_styles()[0]
        if index >= len(lines):
            return Strip.blank(width, base)
        return lines[index].crop_extend(scroll_x, scroll_x + width, base).apply_style(base)
