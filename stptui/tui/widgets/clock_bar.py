"""The clock bar: simulated date-time, paused or running, speed, events so far."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from stptui.tui.render import display_time, safe


class ClockBar(Static):
    """One line at the top of the main screen."""

    DEFAULT_CSS = """
    ClockBar { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self._shown = Text()

    def show(self, *, stack: str, now_ms: int, running: bool, speed: str, events: int) -> None:
        """Redraw with the current state (called once per frame, not per record)."""
        # The clock's state first: on a narrow terminal the line is cut at its end, and the
        # stack's name (which may be long) is the part to lose.
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(display_time(now_ms), "bold")
        text.append("  ")
        if running:
            text.append(" ▶ running ", "black on green")
        else:
            text.append(" ⏸ paused ", "black on yellow")
        text.append(f"  speed {speed}  events {events:,}  ")
        text.append("stptui ", "bold")
        text.append(safe(stack), "italic")
        if text == self._shown:
            return
        self._shown = text
        # One line, as wide as the screen whatever it says: no layout pass needed.
        self.update(text, layout=False)
