"""The Agenda pane: what the simulation will do next, and when."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from stptui.sim.engine import Simulator
from stptui.tui.render import clock_time, relative, safe

AGENDA_ROWS = 30


def agenda_text(sim: Simulator, limit: int = AGENDA_ROWS) -> Text:
    """The next `limit` scheduled entries: time, how soon, resource, what."""
    now = sim.clock.now
    entries = sim.agenda(limit)
    text = Text(no_wrap=True, overflow="ellipsis")
    if not entries:
        text.append("nothing is scheduled", "dim")
        return text
    for t, kind, resource, what in entries:
        text.append(clock_time(t), "dim")
        text.append(f" {relative(t - now):>10} ", "cyan")
        text.append(f"{kind:<12} ", "yellow" if "retry" in kind else "")
        text.append(safe(resource), "bold")
        text.append(f"  {safe(what)}\n")
    text.rstrip()
    return text


class AgendaPane(VerticalScroll):
    """A scrollable list of what happens next."""

    def compose(self) -> ComposeResult:
        yield Static("", id="agenda-body", markup=False)

    def show(self, sim: Simulator) -> None:
        """Redraw from the simulator's agenda."""
        self.query_one("#agenda-body", Static).update(agenda_text(sim))
