"""The clock bar: simulated date-time, paused or running, speed, events so far."""

from __future__ import annotations

from typing import NamedTuple

from rich.text import Text
from textual.widget import Widget

from stptui.tui.render import display_time, safe

# The fewest characters of the stack's name worth showing before its ellipsis: with less
# room a stub such as `j…` says nothing, and the name is left out with its label.
MIN_NAME_CELLS = 4
NAME_LABEL = "stptui "


class ClockState(NamedTuple):
    """What the clock bar shows."""

    stack: str
    now_ms: int
    running: bool
    speed: str
    events: int
    # What runs meanwhile (an undo's progress), shown first; None when nothing does.
    status: str | None = None


def _clock_part(state: ClockState, time: str, gap: str, *, terse: bool = False) -> Text:
    """The clock's state; `terse`, its symbol without its word and the speed unnamed
    (`⏸ 1x 0 events`), the form a 40-column bar keeps whole."""
    text = Text()
    text.append(time, "bold")
    text.append(gap)
    if state.running:
        text.append(" ▶ " if terse else " ▶ running ", "black on green")
    else:
        text.append(" ⏸ " if terse else " ⏸ paused ", "black on yellow")
    if terse:
        text.append(f"{gap}{state.speed}{gap}{state.events:,} events")
    else:
        text.append(f"{gap}speed {state.speed}{gap}events {state.events:,}")
    return text


def clock_line(state: ClockState, width: int) -> Text:
    """The clock bar's line for `width` cells: the clock's state whole, then the stack's name,
    shortened with an ellipsis when only part of it fits, left out when hardly any does."""
    full = display_time(state.now_ms)
    no_zone = full.removesuffix(" UTC")
    # What a narrow bar sheds, in order, to keep the time, state, speed and count whole: the
    # wide gaps, then the time zone (the simulated clock is always UTC), then the
    # milliseconds, then the state's word and the word `speed`.
    seconds = no_zone.partition(".")[0]
    forms = [(full, "  "), (full, " "), (no_zone, " "), (seconds, " ")]
    for time, gap in forms:
        text = _clock_part(state, time, gap)
        if text.cell_len <= width:
            break
    else:
        text = _clock_part(state, seconds, gap, terse=True)
    name = Text(safe(state.stack), "italic")
    room = width - text.cell_len - len(gap) - len(NAME_LABEL)
    if room >= min(name.cell_len, MIN_NAME_CELLS):
        name.truncate(room, overflow="ellipsis")
        text.append(gap)
        text.append(NAME_LABEL, "bold")
        text.append_text(name)
    # Textual wraps a line that is too wide at its spaces, which hides whole words on a
    # one-line bar; cut it here instead, so that what is lost is the end, marked with `…`.
    text.truncate(width, overflow="ellipsis")
    return text


class ClockBar(Widget):
    """One line at the top of the main screen."""

    DEFAULT_CSS = """
    ClockBar { height: 1; background: $panel; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._state: ClockState | None = None

    def show(
        self,
        *,
        stack: str,
        now_ms: int,
        running: bool,
        speed: str,
        events: int,
        status: str | None = None,
    ) -> None:
        """Redraw with the current state (called once per frame, not per record), and
        `status` first when something runs meanwhile (an undo's progress)."""
        state = ClockState(stack, now_ms, running, speed, events, status)
        if state == self._state:
            return
        self._state = state
        # One line, as wide as the screen whatever it says: a repaint, no layout pass.
        self.refresh()

    def render(self) -> Text:
        """The line fitted to the bar's width now (a resize repaints it)."""
        if self._state is None:
            return Text()
        width = self.content_size.width
        if self._state.status is None:
            return clock_line(self._state, width)
        line = Text(f" {self._state.status} ", "black on cyan")
        line.truncate(width, overflow="ellipsis")
        rest = width - line.cell_len - 1
        if rest > 0:
            line.append(" ")
            line.append_text(clock_line(self._state, rest))
        return line
