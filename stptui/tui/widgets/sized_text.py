"""Text sized by what it says, laid out anew after each change of it, however the app's
widgets take their turns.

Textual works out a widget's size in a layout of its screen and keeps it, keyed by how many
layouts the widget has asked for; `refresh(layout=True)` counts one only when none is
pending, and a pending one is handed to the screen in the widget's own turn (its idle). A
layout of the screen in between, asked by another widget, worked out the size for the text
of that moment under the count; text set after it, before the widget's turn, asked for a
layout that counted nothing, and was laid out at the size kept, for good. On a loaded
machine a dialog's error line, resized as the dialog opened, waited for its turn while the
typed delay laid the dialog out again; ctrl+s then set the refusal, which kept the empty
line's one row and never drew its hint (tests/test_tui_first_hour.py).
"""

from __future__ import annotations

from typing import Self

from textual.geometry import Region
from textual.widgets import Static


class SizedText(Static):
    """A Static whose size follows its text: each layout it asks for is counted, so that
    the size worked out before a change is never the one kept for it."""

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """Refresh the widget (see Widget.refresh), a layout asked for counted even while
        one is pending."""
        if layout:
            self._layout_updates += 1
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
