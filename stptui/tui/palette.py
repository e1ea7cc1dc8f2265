"""The command palette (ctrl+p): every command of the language and every resource.

Choosing a command opens the command line with its name typed; choosing a resource selects
it everywhere and focuses the graph. Names from the stack reach the palette as `Text`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from stptui.commands import REGISTRY
from stptui.tui.render import safe

if TYPE_CHECKING:
    from stptui.tui.app import StptuiApp


class StackProvider(Provider):
    """Commands (`run: send`) and resources (`go to: jobQueue`)."""

    def _entries(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("StptuiApp", self.app)
        out: list[tuple[str, Callable[[], object], str]] = []
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
        for title, callback, help_text in self._entries():
            # Hit help and highlighted titles are parsed as markup: names are escaped.
            yield DiscoveryHit(Text(title), callback, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        """Entries whose title matches the query (fuzzy)."""
        matcher = self.matcher(query)
        for title, callback, help_text in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(escape(title)),
                    callback,
                    text=title,
                    help=escape(help_text),
                )
