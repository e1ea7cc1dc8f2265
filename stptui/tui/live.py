"""The live clock: running the simulator at a chosen speed in slices, one slice per frame.

This module imports no Textual: the app's timer calls `LiveClock.frame`, tests and the
benchmark call it directly. Each slice runs under an event budget (and a wall-time budget),
so a busy simulation never freezes the UI; what a slice did is appended to the session log
as the command that replays it exactly (`until T` when the slice finished, `step K` when the
budget stopped it), so `save` during a live run still reproduces the simulation. When the
run ends (the clock pauses, or a command is about to run: `commit`), the rest of the instant a
budget stopped it in runs too, as a fast-forward's slices do, and the whole run is one
`until T` line: what `undo` takes back. A recording (`record FILE`) only appends, so it gets
a run's line once the line is final.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from stptui.commands import Session
from stptui.sim.clock import MAX_MS, ClockStalled, iso_ms

# The UI's frame: the live clock and a fast-forward each run one slice per frame.
FRAME_S = 1 / 20
# Simulated seconds per real second; None runs as fast as the budget allows.
SPEEDS: tuple[float | None, ...] = (1, 10, 60, 600, 3600, None)
# How far one as-fast-as-possible slice may move the clock when little is scheduled.
MAX_SPEED_HORIZON_MS = 24 * 3600 * 1000
DEFAULT_EVENT_BUDGET = 20_000
DEFAULT_WALL_BUDGET_S = 0.045
# As fast as possible, a slice may take longer: fewer repaints, more simulation per second,
# and a key press still waits at most one slice.
MAX_SPEED_WALL_BUDGET_S = 0.08


def speed_label(speed: float | None) -> str:
    """`60x`, or `max` for as fast as possible."""
    return "max" if speed is None else f"{speed:g}x"


class LogTail:
    """The lines a writer last appended to the session log, so that it can replace them while
    nothing else has been logged since (slices of one run merge into one replayable line, or
    an `until` and the `step` a budget cut the run short at)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.lines: list[str] = []
        self._len = -1

    def is_last(self) -> bool:
        """Whether the log still ends with the lines written here."""
        log = self.session.log
        count = len(self.lines)
        return count > 0 and len(log) == self._len and log[-count:] == self.lines

    def write(self, line: str, *, replace: int) -> None:
        """Append `line`, in place of the last `replace` lines written here (only when
        `is_last()`)."""
        log = self.session.log
        if not self.is_last():
            self.lines = []
        elif replace:
            del log[-replace:]
            del self.lines[-replace:]
        log.append(line)
        self.lines.append(line)
        self._len = len(log)

    def commit(self) -> str | None:
        """The lines are final: hand them to the session's recording, if any, and let the
        next line be a new one. Returns why the recording stopped, when writing it failed."""
        lines, self.lines = self.lines, []
        for line in lines:
            note = self.session.record(line)
            if note is not None:
                return note
        return None


class LiveClock:
    """Play/pause state, speed, and the per-frame slice of simulated time."""

    def __init__(
        self,
        session: Session,
        *,
        speed_index: int = 0,
        event_budget: int = DEFAULT_EVENT_BUDGET,
        wall_budget_s: float = DEFAULT_WALL_BUDGET_S,
        wall_clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.session = session
        self.running = False
        self.speed_index = max(0, min(speed_index, len(SPEEDS) - 1))
        self.event_budget = event_budget
        self.wall_budget_s = wall_budget_s
        self._wall = wall_clock
        # Consecutive slices merge into one log line (`until T1` + `until T2` is `until T2`;
        # `step a` + `step b` is `step a+b`), or two while a budget has cut the run short
        # (`until T1`, `step N`).
        self._tail = LogTail(session)
        self._last_steps = 0
        # Whether a budget stopped the run's last slice between two events of one instant.
        self._cut = False
        # Why the clock paused by itself (a loop at one instant), until the app has said so.
        self.stalled: str | None = None

    @property
    def speed(self) -> float | None:
        """Simulated seconds per real second (None: as fast as possible)."""
        return SPEEDS[self.speed_index]

    def faster(self) -> None:
        """The next speed up (stays at max)."""
        self.speed_index = min(self.speed_index + 1, len(SPEEDS) - 1)

    def slower(self) -> None:
        """The next speed down (stays at 1x)."""
        self.speed_index = max(self.speed_index - 1, 0)

    def commit(self, *, finish: bool = True) -> str | None:
        """End the current run (see `LogTail.commit`): call it when the clock pauses and
        before any command runs. A run a budget cut short in the middle of an instant runs
        the rest of that instant, and is then logged as one `until` line (so that `undo`
        takes back the whole run); one that stalls there is logged as the events it ran.
        `finish=False` (another thread is reading the simulation) runs nothing: the run
        stays an `until` and the `step` it was cut short at."""
        if finish and self._cut and self._tail.is_last():
            clock = self.session.sim.clock
            start_events = clock.events_run
            try:
                clock.run_until(clock.now)
            except ClockStalled as exc:
                self._log("", clock.events_run - start_events)
                self.stalled = str(exc)
            else:
                self._tail.write(f"until {iso_ms(clock.now)}", replace=len(self._tail.lines))
        self._last_steps = 0
        self._cut = False
        return self._tail.commit()

    def frame(self, real_dt_s: float) -> int:
        """Advance the simulation by one frame of `real_dt_s` real seconds; returns the
        number of events run. A paused clock does nothing."""
        if not self.running:
            return 0
        speed = self.speed
        if speed is None:
            return self.slice(
                MAX_SPEED_HORIZON_MS, max(self.wall_budget_s, MAX_SPEED_WALL_BUDGET_S)
            )
        return self.slice(max(int(real_dt_s * speed * 1000), 1))

    def slice(self, sim_ms: int, wall_budget_s: float | None = None) -> int:
        """Run at most `sim_ms` of simulated time within the budgets; returns events run."""
        sim = self.session.sim
        clock = sim.clock
        start_events = clock.events_run
        deadline = self._wall() + (self.wall_budget_s if wall_budget_s is None else wall_budget_s)
        budget = self.event_budget

        def should_stop() -> bool:
            return clock.events_run - start_events >= budget or self._wall() >= deadline

        target = min(clock.now + sim_ms, MAX_MS)
        try:
            finished = clock.run_until(target, should_stop)
        except ClockStalled as exc:
            # A loop at one instant: the clock pauses there, logged as the events that ran
            # (replaying `step N` stops exactly where this did), and the app says why.
            ran = clock.events_run - start_events
            self._log("", ran)
            self._cut = False
            self.running = False
            self.stalled = str(exc)
            return ran
        ran = clock.events_run - start_events
        self._cut = not finished and ran > 0
        if finished:
            self._log(f"until {iso_ms(target)}", 0)
            if target == MAX_MS:
                # The end of the clock's range: nothing can move it further, so it stops.
                self.running = False
        elif ran:
            self._log("", ran)
        return ran

    def _log(self, until_line: str, steps: int) -> None:
        merge = self._tail.is_last()
        if until_line:
            # `until T1`, `step N`, `until T2` replays as `until T2` does: T2 runs what is
            # left of the instant the steps stopped in, and everything up to T2.
            line = until_line
            replace = len(self._tail.lines) if merge else 0
            self._last_steps = 0
        else:
            replace = 1 if merge and self._last_steps > 0 else 0
            if replace:
                steps += self._last_steps
            line = f"step {steps}"
            self._last_steps = steps
        self._tail.write(line, replace=replace)
