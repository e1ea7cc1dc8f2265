"""`M`: the metrics view, `show metrics [RESOURCE] [--since D]` on a page of its own.

The figures come from the command layer (`show metrics`), run in a thread worker: on a
long run the command replays a couple of hundred thousand trace records (about a second),
which on the UI's thread would freeze every key. The page says "computing..." meanwhile
and keeps the figures it had. The simulator is not thread-safe, so while the worker reads
it the app's live clock holds its slices (`hold`); nothing else can change the simulation
then, since the page is modal and the app's palette is off while it is open.

While the page is open, the figures are computed again when the virtual clock has moved,
at most once per REFRESH_MIN_S and never sooner than REFRESH_WAIT_FACTOR times what the
last computation took after it: a clock running at full speed on a long run spends most of
its time running, not waiting for figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from stptui.commands import CommandError, CommandResult, Session, execute
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.sim.clock import iso_ms
from stptui.sim.metrics import measured
from stptui.tui.render import output_text, problem_text, result_view, safe
from stptui.tui.screens.modal import QuickModal
from stptui.tui.screens.output_page import OutputPage, shortened, whole_output_binding, with_note
from stptui.tui.widgets.fields import SafeInput

# How often the page looks whether the clock has moved, and the least time between two
# computations; after one, the next waits this many times as long as it took.
CHECK_EVERY_S = 0.25
REFRESH_MIN_S = 1.0
REFRESH_WAIT_FACTOR = 4
COMPUTING = "computing..."
SINCE_LABEL = "--since (a window of virtual time, e.g. 10m; empty: all the trace keeps)"


def metrics_line(name: str | None, since: str) -> str:
    """The `show metrics` line the page runs for `name` (every resource when None) and the
    window field's text (`--since` only when it holds one)."""
    words = ["metrics"] if name is None else ["metrics", name]
    since = since.strip()
    return format_line("show", words, [("--since", since)] if since else [])


def measured_choice(session: Session, selected: str | None) -> tuple[str | None, str]:
    """The resource the page shows for the selection: itself when `show metrics` measures
    it, else None (every resource), with a note saying why ("" when none is needed)."""
    if selected is None:
        return None, ""
    if selected in measured(session.sim):
        return selected, ""
    return None, f"`show metrics` does not measure {safe(selected)}: every resource it measures"


class MetricsScreen(QuickModal[None]):
    """CloudWatch's figures of one resource (or every one), refreshed as the clock moves."""

    HELP_TITLE = "Metrics view (M)"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close", tooltip="Close the metrics"),
        Binding(
            "ctrl+r",
            "compute",
            "Compute now",
            id="metrics-compute",
            tooltip="Compute the figures again now, with the window typed",
        ),
        whole_output_binding("Open every row of the figures on a page of its own"),
    ]
    DEFAULT_CSS = """
    MetricsScreen { align: center middle; }
    MetricsScreen > Vertical {
        width: 95%; max-width: 120; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    MetricsScreen Horizontal { height: auto; }
    MetricsScreen #metrics-since-label { width: 100%; }
    MetricsScreen #metrics-status { height: auto; color: $text-muted; }
    MetricsScreen #metrics-status.-error { color: $error; }
    MetricsScreen #metrics-note { height: auto; color: $text-muted; }
    """

    def __init__(
        self,
        session: Session,
        selected: str | None,
        hold: Callable[[bool], None],
        *,
        check_every_s: float = CHECK_EVERY_S,
    ) -> None:
        """`hold(True)` stops the app's live clock from running the simulator while the
        worker reads it; `hold(False)` lets it go on (always called, once per True)."""
        super().__init__()
        self.session = session
        self.name_shown, self.note = measured_choice(session, selected)
        self._hold = hold
        self._check_every_s = check_every_s
        self.computing = False
        # The line and the clock the figures shown were computed for (None: none yet).
        self.result: CommandResult | None = None
        self.computed_line = ""
        self.computed_at: int | None = None
        # When the last computation ended and what it took (wall time: the throttle only).
        self._ended = 0.0
        self._cost = 0.0
        # A request made while a computation ran: made when it ends.
        self._again = False
        self._error = ""
        # What the status line says (see `_show_status`).
        self._status_shown: str | Text = COMPUTING

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            # A str border title is parsed as markup; Text is shown as it is.
            what = "every resource" if self.name_shown is None else self.name_shown
            box.border_title = Text(f"metrics: {safe(what)}")
            box.border_subtitle = "enter computes with the window, escape closes"
            if self.note:
                yield Static(self.note, id="metrics-note", markup=False)
            yield Label(SINCE_LABEL, id="metrics-since-label", markup=False)
            with Horizontal():
                yield SafeInput(placeholder="all the trace keeps", id="metrics-since")
            yield Static(COMPUTING, id="metrics-status", markup=False)
            with VerticalScroll(id="metrics-scroll"):
                yield Static("", id="metrics-body", markup=False)

    def on_mount(self) -> None:
        self.query_one("#metrics-since", Input).focus()
        # Once the page is painted: the worker's thread takes turns with the UI's for the
        # interpreter, and the page's first paint would wait for its turns.
        self.call_after_refresh(self.compute)
        self.set_interval(self._check_every_s, self.clock_check)

    def line(self) -> str:
        """The `show metrics` line for what the page shows and the window typed."""
        return metrics_line(self.name_shown, self.query_one("#metrics-since", Input).value)

    def on_input_submitted(self) -> None:
        """Enter in the window field: compute with the window typed."""
        self.compute()

    def action_compute(self) -> None:
        """Compute the figures again now."""
        self.compute()

    def compute(self) -> None:
        """Start computing the figures in a thread worker; one at a time (a request made
        meanwhile is made when it ends)."""
        if not self.is_attached:
            # Closed before its first paint came (see `on_mount`): nothing to compute for.
            return
        if self.computing:
            self._again = True
            return
        line = self.line()
        self.computing = True
        self._again = False
        self._show_status()
        at = self.session.sim.clock.now
        self._hold(True)
        # Taken here: a page closed while its worker runs is no longer linked to the app.
        app = self.app
        self.run_worker(
            lambda: self._read(app, line, at), thread=True, group="metrics", exit_on_error=False
        )

    def _read(self, app: App[object], line: str, at: int) -> None:
        # In the worker's thread: the command layer's answer, or its refusal, goes back to
        # the UI's thread, which releases the hold whatever happened here.
        started = time.perf_counter()
        outcome: CommandResult | CommandError | None = None
        try:
            outcome = execute(self.session, line)
        except CommandError as exc:
            outcome = exc
        finally:
            cost = time.perf_counter() - started
            app.call_from_thread(self._ended_with, line, at, outcome, cost)

    def _ended_with(
        self, line: str, at: int, outcome: CommandResult | CommandError | None, cost: float
    ) -> None:
        self._hold(False)
        self.computing = False
        self._ended = time.perf_counter()
        self._cost = cost
        if not self.is_attached:
            return
        if isinstance(outcome, CommandResult):
            self.result = outcome
            self.computed_line = line
            self.computed_at = at
            self._error = ""
            shown, note = shortened(outcome)
            self.query_one("#metrics-body", Static).update(with_note(result_view(shown), note))
        elif isinstance(outcome, CommandError):
            # The figures shown stay: the window typed is refused, the last good one is not.
            self._error = outcome.format()
        self._show_status()
        if self._again:
            self.compute()

    def _show_status(self) -> None:
        status = self.query_one("#metrics-status", Static)
        status.set_class(bool(self._error) and not self.computing, "-error")
        if self.computing:
            shown: str | Text = COMPUTING
        elif self._error:
            shown = problem_text(self._error)
        elif self.computed_at is not None:
            shown = (
                f"as of {iso_ms(self.computed_at)}: `{self.computed_line}`, computed again "
                "as the clock moves"
            )
        else:
            return
        # An update lays the page out and draws it again, with the dimmed screen under it,
        # as the worker starts (it says "computing..." already as the page opens): twice
        # the time then, the worker's thread taking turns with the UI's for the interpreter.
        if shown != self._status_shown:
            self._status_shown = shown
            status.update(shown)

    def clock_check(self) -> None:
        """Compute again when the clock has moved since the figures shown, unless the last
        computation ended too recently (see the module's docstring)."""
        if self.computing or self.computed_at is None:
            return
        if self.session.sim.clock.now == self.computed_at:
            return
        wait = max(REFRESH_MIN_S, self._cost * REFRESH_WAIT_FACTOR)
        if time.perf_counter() - self._ended >= wait:
            self.compute()

    def action_whole_output(self) -> None:
        """Every row of the figures, as plain text on a page of its own."""
        if self.result is not None:
            text = output_text(render_plain(self.result))
            self.app.push_screen(OutputPage(self.computed_line, text))
