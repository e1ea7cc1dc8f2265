"""The help screen: every binding of the app and of the panes, with its tooltip."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def bindings_text(groups: Iterable[tuple[str, Iterable[Binding]]]) -> Text:
    """A table of key, description and tooltip per group of bindings."""
    text = Text()
    for title, bindings in groups:
        text.append(f"{title}\n", "bold underline")
        for b in bindings:
            key = b.key_display or b.key
            text.append(f"  {key:<14}", "bold cyan")
            text.append(f"{b.description:<22}")
            text.append(f"{b.tooltip}\n", "dim")
        text.append("\n")
    text.rstrip()
    return text


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
            yield Static(bindings_text(self.groups), id="help-body", markup=False)
