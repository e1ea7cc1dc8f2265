"""The footer, rebuilt only when the keys it shows change.

Textual's Footer recomposes its key widgets whenever the focused widget changes, twice per
focus change, about 30 widgets each time: most of the cost of pressing a pane's number key
on a loaded app. The keys shown rarely change, so the rebuild is skipped when they have not.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

COMPACT_BELOW = 160


class StableFooter(Footer):
    """A Footer that recomposes only when its keys, descriptions or enabled states change."""

    _shown: tuple[tuple[str, str, bool], ...] | None = None

    def on_resize(self) -> None:
        """Below COMPACT_BELOW columns, where the keys of a stack with every kind of
        resource would not fit, drop the padding between keys and the palette's key
        (ctrl+p still opens it, and the help lists it)."""
        narrow = self.size.width < COMPACT_BELOW
        self.compact = narrow
        self.show_command_palette = not narrow

    def bindings_changed(self, screen: Screen) -> None:
        """Recompose (as Footer does) unless the shown bindings are the same as last time."""
        shown = tuple(
            (binding.key, binding.description, enabled)
            for _, binding, enabled, _ in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown:
            return
        # Footer skips the rebuild while the app is unfocused or the screen is not its own:
        # remember these keys only when it does rebuild.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown
        super().bindings_changed(screen)
