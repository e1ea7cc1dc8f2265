"""The footer, rebuilt only when the keys it shows change, showing only whole keys.

Textual's Footer recomposes its key widgets whenever the focused widget changes, twice per
focus change, about 30 widgets each time: most of the cost of pressing a pane's number key
on a loaded app. The keys shown rarely change, so the rebuild is skipped when they have not.

A footer narrower than its keys would cut the last one it reaches mid-word ("eExpla"); this
one leaves out the keys from the first that does not fit (the help lists every key).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

COMPACT_BELOW = 160


class StableFooter(Footer):
    """A Footer that recomposes only when its keys, descriptions or enabled states change."""

    _shown: tuple[tuple[str, str, bool], ...] | None = None
    # What the keys on show were built from (see `recompose`).
    _built: tuple[object, ...] | None = None

    def on_mount(self) -> None:
        """Follow which screen is on top (see `_screen_changed`)."""
        self.app.screen_change_signal.subscribe(self, self._screen_changed)

    def _screen_changed(self, screen: Screen) -> None:
        """Hidden while another screen (a dialog, the help, the command line) is on top of
        its own: that screen's keys are not these, and these would still show under a
        dialog, dimmed but listed, though none of them works there. Hidden, not removed:
        the panes keep their height, so nothing behind the dialog is laid out again."""
        self.visible = screen is self.screen

    def on_resize(self) -> None:
        """Below COMPACT_BELOW columns, where the keys of a stack with every kind of
        resource would not fit, drop the padding between keys and the palette's key
        (ctrl+p still opens it, and the help lists it)."""
        narrow = self.size.width < COMPACT_BELOW
        self.compact = narrow
        if self.show_command_palette == narrow and self._bindings_ready:
            # Footer reads show_command_palette only when it builds its keys: a terminal
            # resized across COMPACT_BELOW kept the palette's key it started with (and,
            # narrowed, left out keys for it) until the keys next changed.
            self.show_command_palette = not narrow
            self.refresh(recompose=True)
            return
        self.show_command_palette = not narrow
        self.call_after_refresh(self._fit)

    async def recompose(self) -> None:
        """Rebuild the keys, then leave out those that do not fit; nothing when what the keys
        are built from is as it was for the last rebuild: a rebuild asked for while another
        waits to run (the app's start asks for two, one for its keys, one for the palette's
        key its width leaves out) would build the same widgets again."""
        built: tuple[object, ...] | None = None
        if self.is_attached:
            built = (_shown(self.screen), self.show_command_palette, self.compact)
            if built == self._built:
                return
        await super().recompose()
        if self._bindings_ready and built is not None:
            self._built = built
        self._fit()

    def _fit(self) -> None:
        keys = list(self.query_children(FooterKey))
        # The palette's key is docked at the right: the others share what it leaves.
        room = self.size.width - sum(_width(k) for k in keys if k.has_class("-command-palette"))
        fits = True
        for key in keys:
            if not key.has_class("-command-palette"):
                room -= _width(key)
                fits = fits and room >= 0
                key.display = fits

    def bindings_changed(self, screen: Screen) -> None:
        """Recompose (as Footer does) unless the shown bindings are the same as last time."""
        shown = _shown(screen)
        if shown == self._shown:
            return
        # Footer skips the rebuild while the app is unfocused or the screen is not its own:
        # remember these keys only when it does rebuild.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown
        super().bindings_changed(screen)


def _shown(screen: Screen) -> tuple[tuple[str, str, bool], ...]:
    """The keys `screen`'s footer shows: each binding's key, description and enabled state."""
    return tuple(
        (binding.key, binding.description, enabled)
        for _, binding, enabled, _ in screen.active_bindings.values()
        if binding.show
    )


def _width(key: FooterKey) -> int:
    """The columns a key takes: its text (with the padding Footer draws in it), its own
    padding and border, and its margins."""
    margin = key.styles.margin
    return key.render().cell_len + key.styles.gutter.width + margin.left + margin.right
