"""The help screen: every binding of the app and of the panes, with its tooltip."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import ClassVar

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from stptui.tui.screens.modal import QuickModal
from stptui.tui.widgets.line_views import InstantScroll

# After the tooltip of a key the stack has nothing for (it does nothing).
IDLE_NOTE = " (this stack has none: the key does nothing)"


def bindings_help(
    groups: Iterable[tuple[str, Iterable[Binding]]], idle: Collection[Binding] = ()
) -> Group:
    """A table of key, description and tooltip per group of bindings, its columns as wide
    in every group; a tooltip too long for the screen wraps in its own column. The `idle`
    bindings (dialog keys the stack has nothing for, left out of the footer) are dimmed,
    say so, and come last in their group: among the fourteen dialog keys of the main
    screen, most do nothing on a given stack, and listed in place they pushed the keys of
    the panes, the filter and undo two pages down at 80x24."""
    groups = [(title, list(bindings)) for title, bindings in groups]
    everything = [b for _, bindings in groups for b in bindings]
    key_width = max(len(b.key_display or b.key) for b in everything)
    description_width = max(len(b.description) for b in everything)
    parts: list[RenderableType] = []
    for title, bindings in groups:
        parts.append(Text(title, "bold underline"))
        table = Table.grid(padding=(0, 2))
        table.add_column(width=key_width, style="bold cyan", no_wrap=True)
        table.add_column(width=description_width, no_wrap=True)
        table.add_column(style="dim")
        for b in sorted(bindings, key=lambda b: b in idle):
            key = b.key_display or b.key
            if b in idle:
                table.add_row(Text(key, "dim"), Text(b.description, "dim"), b.tooltip + IDLE_NOTE)
            else:
                table.add_row(key, b.description, b.tooltip)
        parts.append(Padding(table, (0, 0, 1, 2)))
    return Group(*parts)


class RenderedOnce:
    """`renderable` rendered once per width. Textual renders a Static's content for each
    layout pass and each repaint (five layouts as the help opens): the help's tables of
    over a hundred keys were rendered three times over, a third of each opening (0.4 s
    at 80x24 on a loaded CI core, 0.25 s now)."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._lines: dict[int, list[list[Segment]]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        width = options.max_width
        lines = self._lines.get(width)
        if lines is None:
            lines = console.render_lines(self.renderable, options.update(height=None), pad=False)
            self._lines[width] = lines
        for line in lines:
            yield from line
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


class HelpScroll(VerticalScroll, InstantScroll):
    """The help's page: its page, home and end keys jump (see InstantScroll)."""


class HelpScreen(QuickModal[None]):
    """A modal listing every binding; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", tooltip="Close the help"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > HelpScroll {
        width: 90%; max-width: 100; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
        /* The width the tables are rendered at stays the same whether or not the
           scrollbar shows: one rendering (see RenderedOnce), not one per width. */
        scrollbar-gutter: stable;
    }
    """

    def __init__(
        self, groups: list[tuple[str, list[Binding]]], idle: Collection[Binding] = ()
    ) -> None:
        """`idle`: the bindings that do nothing on this stack (see `bindings_help`)."""
        super().__init__()
        self.groups = groups
        self.idle = idle

    def compose(self) -> ComposeResult:
        with HelpScroll() as scroll:
            scroll.border_title = "Keys"
            # A modal hides the footer: the page says itself how it closes.
            scroll.border_subtitle = "arrows and page keys scroll, escape or ? closes"
            yield Static(
                RenderedOnce(bindings_help(self.groups, self.idle)), id="help-body", markup=False
            )
