"""The Agenda pane: what the simulation will do next, and when."""

from __future__ import annotations

from rich.text import Text

from stptui.sim.clock import iso_ms
from stptui.sim.engine import Simulator
from stptui.textsafe import flat
from stptui.tui.render import clock_time, dated_clock_time, hanging, relative, safe
from stptui.tui.widgets.line_views import TextView

AGENDA_ROWS = 30
# The time columns: `09:00:00.000 ` (`01-06 02:00:00.000 ` when an entry is on another
# day than the clock) and `      +1 h ` (right-aligned). A row that wraps
# goes on under the text beside them, so that the times stay a column of their own.
RELATIVE_WIDTH = 10


def agenda_text(sim: Simulator, limit: int = AGENDA_ROWS) -> Text:
    """The next `limit` scheduled entries: time, how soon, resource, what."""
    now = sim.clock.now
    entries = sim.agenda(limit)
    text = Text()
    if not entries:
        text.append("nothing is scheduled", "dim")
        return text
    rows = []
    # Times alone read as if a retention check in four days came before tomorrow's 02:00
    # (`08:00:00.000` after `09:00:00.000`): with an entry on another day, each has its date.
    dated = any(iso_ms(t)[:10] != iso_ms(now)[:10] for t, *_ in entries)
    for t, kind, resource, what in entries:
        row = Text()
        row.append(dated_clock_time(t) if dated else clock_time(t), "dim")
        wait = relative(t - now)
        # Where the wait starts (after the spaces that right-align it).
        wait_at = len(row) + 1 + max(0, RELATIVE_WIDTH - len(wait))
        row.append(f" {wait:>{RELATIVE_WIDTH}} ", "cyan")
        # Under this row's own kind, when a long wait (`+13 d 23 h 44 min`) pushed it on.
        hang = len(row)
        row.append(f"{kind:<12} ", "yellow" if "retry" in kind else "")
        row.append(safe(resource), "bold")
        # What is due is composed (a repeat's line as it is typed, keys double-quoted):
        # made flat, not escaped again as one value is.
        row.append(f"  {flat(what)}")
        # The time and the wait each stay whole on a line: in a narrow pane `+3 d 23 h`
        # cut after `+3` read as a wait of three (of what?) and a stray `d 23 h`.
        breaks = [at for at in word_breaks(row.plain) if at >= hang or at == wait_at]
        rows.append(hanging(row, hang, breaks))
    return Text("\n").join(rows)


def word_breaks(plain: str) -> list[int]:
    """Where an agenda row may wrap: after a run of spaces, but not inside parentheses,
    so that a schedule's `cron(0 9 * * ? *)` or `rate(5 minutes)` stays on one line
    (split, `cron(0` ended one line and `9 * * ? *)` began the next)."""
    breaks = []
    depth = 0
    for i, ch in enumerate(plain):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == " " and not depth and plain[i + 1 : i + 2] not in ("", " "):
            breaks.append(i + 1)
    return breaks


class AgendaPane(TextView):
    """A scrollable list of what happens next."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._sim: Simulator | None = None
        self._stale = False

    def show(self, sim: Simulator) -> None:
        """Redraw from the simulator's agenda. The agenda scans the scheduler's whole heap:
        while the pane is hidden (a narrow terminal shows one pane) that waits until it
        is shown again."""
        self._sim = sim
        self._stale = not self.display
        if not self._stale:
            self.update(agenda_text(sim))

    def on_show(self) -> None:
        """Catch up with what was skipped while hidden."""
        if self._stale and self._sim is not None:
            self.show(self._sim)
