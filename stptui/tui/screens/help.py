"""The help screen: every binding of the app and of the panes, with its tooltip."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def bindings_help(groups: Iterable[tuple[str, Iterable[Binding]]]) -> Group:
    """A table of key, description and tooltip per group of bindings, its columns as wide
    in every group; a tooltip too long for the screen wraps in its own column."""
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
        for b in bindings:
            table.add_row(b.key_display or b.key, b.description, b.tooltip)
        parts.append(Padding(table, (0, 0, 1, 2)))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """A modal listing every binding; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", tooltip="Close the help"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            yield Static(bindings_help(self.groups), id="help-body", markup=False)
