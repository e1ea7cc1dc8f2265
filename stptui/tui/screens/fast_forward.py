"""The fast-forward screen (`f`): how far to go, then a progress bar while the clock runs.

It asks for a duration (`3d`) or an instant, previewing the target as you type. Then a
timer runs one `stptui.tui.fast_forward.FastForward` slice per frame and flushes the panes,
so the UI stays responsive and the panes follow behind the dialog. Escape (or Stop)
cancels between two slices, at a consistent instant; the session log then holds the
`until` line that instant amounts to.

A command typed on the command line that outlasts its budget goes on here, without asking
(`stptui.tui.fast_forward.Continued`): the same slices, progress and escape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Button, Input, Label, ProgressBar, Static

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.result import render_plain
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.textsafe import printable
from stptui.tui.fast_forward import Continued, FastForward, parse_target
from stptui.tui.live import FRAME_S, MAX_SPEED_WALL_BUDGET_S
from stptui.tui.render import display_time, relative
from stptui.tui.screens.dialogs import DIALOG_CSS, fit_heading
from stptui.tui.screens.modal import QuickModal
from stptui.tui.signals import subscribe_loudly
from stptui.tui.widgets.fields import SafeInput

STOP_HINT = "escape (or Stop: a click, or tab then enter) stops at the instant reached"
GOES_ON_STOP_HINT = (
    "escape (or Stop: a click, or tab then enter) stops it where it got: what ran stays"
)


class FastForwardScreen(QuickModal[str | None]):
    """Ask for the target, then run there slice by slice; dismissed with a summary (None
    when closed before starting)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "stop",
            "Cancel",
            id="fast-forward-stop",
            tooltip="Close; while running, stop at the instant reached",
        ),
        Binding(
            "ctrl+s",
            "start",
            "Start",
            id="fast-forward-start",
            tooltip="Start the fast-forward (enter in the field too)",
            priority=True,
        ),
    ]
    HELP_TITLE = "Fast-forward dialog"
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="FastForwardScreen")
        + """
    FastForwardScreen #ff-ask, FastForwardScreen #ff-running { height: auto; }
    FastForwardScreen #ff-running { display: none; }
    FastForwardScreen.-running #ff-ask { display: none; }
    FastForwardScreen.-running #ff-running { display: block; }
    FastForwardScreen #ff-preview.-error { color: $error; }
    FastForwardScreen #ff-progress { margin: 1 0; }
    FastForwardScreen #ff-progress Bar { width: 1fr; }
    """
    )

    def __init__(
        self,
        session: Session,
        flush: Callable[[], None],
        *,
        frame_s: float = FRAME_S,
        continued: Continued | None = None,
        wall_budget_s: float = MAX_SPEED_WALL_BUDGET_S,
    ) -> None:
        """`continued`: a command to run on at once, without asking (one the command line
        handed over); `wall_budget_s`: the most of the UI's thread a slice of the run asked
        for here takes."""
        super().__init__()
        self.session = session
        self.flush = flush
        self.frame_s = frame_s
        self.wall_budget_s = wall_budget_s
        self._given = continued
        # The box's heading: what the dialog does, then its keys (see `fit_heading`).
        self.heading = "fast-forward (enter starts, escape cancels)"
        self.forward: FastForward | Continued | None = None
        self._timer: Timer | None = None
        # Whether the screen has been dismissed: a tick the interval queued before it was
        # stopped, or an escape pressed meanwhile, still arrives, and a second dismiss
        # crashed the app (`Can't pop screen`, seen with the clock playing on a loaded
        # machine).
        self._dismissed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box") as box:
            box.border_title = self.heading
            with Vertical(id="ff-ask"):
                yield Label("how far: a duration (2h, 3d) or an instant (2026-01-06T09:00:00Z)")
                yield SafeInput(placeholder="3d", id="ff-target")
                yield Static(self._next_up(), id="ff-preview", markup=False)
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Start", id="ff-start", variant="primary")
                    yield Button("Cancel", id="ff-cancel")
            with Vertical(id="ff-running"):
                yield Static("", id="ff-heading", markup=False)
                yield ProgressBar(show_eta=False, id="ff-progress")
                yield Static("", id="ff-status", markup=False)
                yield Static(Text(STOP_HINT), id="ff-stop-hint", classes="dialog-hint")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Stop", id="ff-stop", variant="error")

    def on_mount(self) -> None:
        box = self.query_one(".dialog-box")
        subscribe_loudly(
            self.screen_layout_refresh_signal,
            box,
            lambda _: fit_heading(box, self.heading, box.outer_size.width),
            immediate=True,
        )
        given = self._given
        if given is not None:
            self.forward = given
            self._show_running(
                f"{printable(given.line.split(maxsplit=1)[0])} goes on (escape stops it)",
                f"{printable(given.line)}: from {display_time(given.start_ms)}",
                given.span,
            )
            self.query_one("#ff-stop-hint", Static).update(Text(GOES_ON_STOP_HINT))

    def _next_up(self) -> Text:
        """What an empty field says: what the clock meets first, to judge how far to go by
        (it repeated the label above it), or that nothing is scheduled."""
        sim = self.session.sim
        now = sim.clock.now
        entries = sim.agenda(1)
        if not entries:
            return Text(
                "nothing is scheduled yet: fast-forwarding only moves the clock (send some "
                "work first: a message, a request, an upload)"
            )
        t, _, _, description = entries[0]
        # The instant itself is left to the agenda pane: at 40x15 it pushed the buttons below
        # the dialog's fold.
        return Text(f"next ({relative(t - now)}): {description}")

    def on_unmount(self) -> None:
        # Quitting while it runs: it ends where it got, and a recording gets its line.
        if self.forward is not None and not self.forward.done:
            self.forward.cancel()

    def _target(self) -> int:
        return parse_target(self.query_one("#ff-target", Input).value, self.session.sim.clock.now)

    @on(Input.Changed, "#ff-target")
    def _preview(self) -> None:
        preview = self.query_one("#ff-preview", Static)
        try:
            target = self._target()
        except CommandError as exc:
            preview.add_class("-error")
            preview.update(Text(render_plain(CommandResult(exc.format()))))
            return
        preview.remove_class("-error")
        ahead = format_duration(target - self.session.sim.clock.now)
        preview.update(Text(f"until {iso_ms(target)} (+{ahead})"))

    @on(Input.Submitted, "#ff-target")
    @on(Button.Pressed, "#ff-start")
    def action_start(self) -> None:
        """Start running to the target typed; a bad target is shown, nothing runs."""
        if self.forward is not None:
            return
        try:
            target = self._target()
        except CommandError:
            self._preview()
            return
        self.forward = FastForward(self.session, target, wall_budget_s=self.wall_budget_s)
        self._show_running(
            f"fast-forward to {iso_ms(target)} (escape stops)",
            f"from {display_time(self.forward.start_ms)} to {display_time(target)}",
            self.forward.span_ms,
        )

    def _show_running(self, heading: str, line: str, total: int) -> None:
        """Show the run's progress from now on, under `heading` (the box's, keys and all)
        and `line` (what runs, from when), and start its slices."""
        self.add_class("-running")
        box = self.query_one(".dialog-box")
        self.heading = heading
        fit_heading(box, heading, box.outer_size.width)
        self.query_one("#ff-heading", Static).update(Text(line))
        self.query_one(ProgressBar).update(total=total, progress=0)
        # Nothing keeps the focus: a Stop button focused here was pressed by the next enter
        # (a double press, a key repeat) and ended a year-long run by accident. Escape, a
        # click, or tab to Stop and enter end it on purpose.
        self.set_focus(None)
        if isinstance(self.forward, FastForward):
            self.tick()
        # A command that goes on takes its first slice a frame from now: the screen is
        # still mounting, and ended at once it was gone before the focus settled in it.
        if self.forward is not None and not self.forward.done:
            self._timer = self.set_interval(self.frame_s, self.tick)

    def tick(self) -> None:
        """One frame: a slice of simulation, the panes flushed, the progress redrawn."""
        run = self.forward
        if run is None or self._dismissed:
            return
        run.slice()
        self.flush()
        done = run.progress if isinstance(run, Continued) else run.elapsed_ms
        self.query_one(ProgressBar).update(progress=done)
        self.query_one("#ff-status", Static).update(
            Text(f"{display_time(run.now_ms)}   {run.status()}")
        )
        if run.done:
            self._finish(run)

    @on(Button.Pressed, "#ff-cancel, #ff-stop")
    def action_stop(self) -> None:
        """Close before starting; while running, stop at the instant the last slice reached."""
        if self._dismissed:
            return
        if self.forward is None:
            self._dismissed = True
            self.dismiss(None)
            return
        self.forward.cancel()
        self._finish(self.forward)

    def _finish(self, run: FastForward | Continued) -> None:
        if self._dismissed:
            return
        self._dismissed = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.dismiss(run.summary())
