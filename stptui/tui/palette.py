"""The command palette (ctrl+p): every dialog, every command of the language and every resource.

Choosing a dialog (or the metrics view) opens it, as its key does; choosing a command opens
the command line with its name typed; choosing a resource selects it everywhere and focuses
the graph. Names from the stack reach the palette as `Text`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import Screen

from stptui.commands import REGISTRY
from stptui.tui.render import markup_literal, safe

if TYPE_CHECKING:
    from stptui.tui.app import StptuiApp


Entry = tuple[str, Callable[[], object], str]


def highlighted(matcher: Matcher, title: str) -> Content:
    """`title` as plain text with the letters the query matched highlighted.

    Textual's `Matcher.highlight` reads its candidate as markup, and an escaped candidate
    is longer than the text it shows, so its highlights fell beside the letters (and a
    backslash before `[` in a name showed twice)."""
    content = Content(title)
    score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    if not score:
        return content
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


# The app's actions that open a dialog, offered as `open: put record dialog` when the stack
# has something for them (the app's `check_action`, as for their keys).
DIALOG_ACTIONS = (
    "send",
    "invoke",
    "put_record",
    "produce",
    "item",
    "start_execution",
    "answer_task",
    "publish",
    "publish_sns",
    "upload",
    "http",
    "fire",
    "log",
    "restore",
    "replay",
    "set_alarm_state",
    "websocket",
    "override",
    "fast_forward",
    "metrics",
)
# Those of them that open a view to read, not a dialog to fill in.
VIEW_ACTIONS = ("metrics",)


class StackProvider(Provider):
    """Dialogs (`open: send dialog`), commands (`run: send`) and resources
    (`go to: jobQueue`)."""

    def __init__(self, screen: Screen[Any], match_style: Style | None = None) -> None:
        super().__init__(screen, match_style)
        self._entries: list[Entry] = []

    async def startup(self) -> None:
        """List the entries once per opening of the palette: a search runs on every key
        typed, and listing 2,000 resources again each time was a third of its cost."""
        self._entries = self._list_entries()

    def _list_entries(self) -> list[Entry]:
        app = cast("StptuiApp", self.app)
        out: list[Entry] = []
        for binding in app.BINDINGS:
            if not isinstance(binding, Binding) or binding.action not in DIALOG_ACTIONS:
                continue
            if app.check_action(binding.action, ()):
                key = binding.key_display or binding.key
                what = "view" if binding.action in VIEW_ACTIONS else "dialog"
                out.append(
                    (
                        f"open: {binding.description.lower()} {what}",
                        getattr(app, f"action_{binding.action}"),
                        f"{binding.tooltip} (key {key})",
                    )
                )
        for cmd in REGISTRY.commands.values():
            command_line = partial(app.open_command_line, f"{cmd.name} ")
            out.append((f"run: {cmd.name}", command_line, cmd.summary))
        g = app.graph
        for node in g.nodes:
            label = safe(g.nodes[node].get("label", node))
            kind = safe(g.nodes[node].get("kind", ""))
            out.append((f"go to: {label}", partial(app.jump_to, node), kind))
        return out

    async def discover(self) -> Hits:
        """Every entry, before anything is typed."""
        for title, callback, help_text in self._entries:
            # A hit's help is read as markup: it goes in as a literal (`markup_literal`).
            yield DiscoveryHit(Text(title), callback, help=markup_literal(help_text))

    async def search(self, query: str) -> Hits:
        """Entries whose title matches the query (fuzzy)."""
        matcher = self.matcher(query)
        for title, callback, help_text in self._entries:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, title),
                    callback,
                    text=title,
                    help=markup_literal(help_text),
                )
