"""The footer, rebuilt only when the keys it shows change, showing only whole keys.

Textual's Footer recomposes its key widgets whenever the focused widget changes, twice per
focus change, about 30 widgets each time: most of the cost of pressing a pane's number key
on a loaded app. The keys shown rarely change, so the rebuild is skipped when they have not.

A footer narrower than its keys would cut the last one it reaches mid-word ("eExpla"). This
one first shows the dialogs' keys without their words, from the last one back (`P`, not
left out: hovering shows what it does, a click presses it), so that a user at 80 or 100
columns sees every key a stack has a use for; only where even that does not fit does it
leave out the keys from the first that does not fit (the help lists every key).
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from stptui.tui.signals import subscribe_loudly

COMPACT_BELOW = 160
# The keys that keep their words however narrow the footer (until it leaves them out): what
# a user needs first, quitting, the help, the command line and the clock. A dialog's key
# without its word still says there is a dialog, and the help and its tooltip say which.
DESCRIBED_ALWAYS = frozenset({"quit", "help", "command_line", "toggle_run", "step", "fast_forward"})


class StableFooter(Footer):
    """A Footer that recomposes only when its keys, descriptions or enabled states change."""

    _shown: tuple[tuple[str, str, bool], ...] | None = None
    # Whether another screen is on top of its own (see `_screen_changed`).
    _covered = False
    # What the keys on show were built from (see `recompose`).
    _built: tuple[object, ...] | None = None

    def on_mount(self) -> None:
        """Follow which screen is on top (see `_screen_changed`)."""
        subscribe_loudly(self.app.screen_change_signal, self, self._screen_changed)

    def _screen_changed(self, screen: Screen) -> None:
        """Blank while another screen (a dialog, the help, the command line) is on top of
        its own: that screen's keys are not these, and these would still show under a
        dialog, dimmed but listed, though none of them works there. Made transparent, not
        hidden: hiding or showing a widget lays its screen out again, and that layout's
        frame drew the keys alone, a frame (30-50 ms) before the panes came back from under
        the dialog's tint; an opacity is repainted in the screen's own next frame, with the
        dialog or the panes (tests/test_tui_footer_frames.py). Inline styles, not a class:
        restyling the keys from the stylesheet took longer than the frame it saved."""
        self._covered = screen is not self.screen
        self.styles.opacity = 0.0 if self._covered else 1.0
        self._blank_keys()

    def _blank_keys(self) -> None:
        """The keys' text drawn as blanks while covered (an opacity alone leaves it in the
        cells, in the background's colour)."""
        opacity = 0.0 if self._covered else 1.0
        for key in self.query_children(FooterKey):
            key.styles.text_opacity = opacity

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
        if self._covered:
            self._blank_keys()
        self._fit()

    def _fit(self) -> None:
        """Show every key with its words if they fit; else the dialogs' keys without theirs,
        from the last back, until they fit; else leave out keys from the first that does
        not fit. Worked out afresh from the bindings' words at each width, by arithmetic:
        laying each key out again for each try took 28 ms at 80 columns."""
        keys = list(self.query_children(FooterKey))
        # The palette's key is docked at the right: the others share what it leaves.
        room = self.size.width - sum(_width(k) for k in keys if k.has_class("-command-palette"))
        keys = [k for k in keys if not k.has_class("-command-palette")]
        if not keys:
            return
        words = {key: description for key, description, _ in _shown(self.screen)}
        described = [words.get(k.key, k.description) for k in keys]
        # The cells the words add to a key: Footer pads the key and its words (the key's
        # padding is drawn only beside words, see FooterKey.render).
        pads = keys[0].get_component_styles("footer-key--key").padding
        pads_words = keys[0].get_component_styles("footer-key--description").padding
        extra = pads.left + pads.right + pads_words.left + pads_words.right
        bare_widths = [_bare_width(k) for k in keys]
        widths = [
            bare + (extra + cell_len(text) if text else 0)
            for bare, text in zip(bare_widths, described, strict=True)
        ]
        last_margin = keys[-1].styles.margin.right
        for index in reversed(range(len(keys))):
            if sum(widths) - last_margin <= room:
                break
            if keys[index].action not in DESCRIBED_ALWAYS:
                widths[index] = bare_widths[index]
                described[index] = ""
        used = 0
        fits = True
        for key, text, width in zip(keys, described, widths, strict=True):
            used += width
            # The last key shown needs no margin after it.
            fits = fits and used - key.styles.margin.right <= room
            key.display = fits
            if key.description != text:
                key.description = text
                key.refresh(layout=True)

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


def _bare_width(key: FooterKey) -> int:
    """The columns a key takes without its words: the key alone, its own padding and border,
    and its margins."""
    margin = key.styles.margin
    return cell_len(key.key_display) + key.styles.gutter.width + margin.left + margin.right


def _width(key: FooterKey) -> int:
    """The columns a key takes: its text (with the padding Footer draws in it), its own
    padding and border, and its margins."""
    margin = key.styles.margin
    return key.render().cell_len + key.styles.gutter.width + margin.left + margin.right
