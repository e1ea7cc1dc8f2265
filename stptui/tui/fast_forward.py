"""Fast-forward: run the clock by a duration or up to an instant, in slices a UI can show.

This module imports no Textual: the fast-forward screen's timer calls `FastForward.slice`
once per frame and draws its progress; tests call it directly. Each slice runs under an
event budget and a wall-time budget, as the live clock's do, so a busy simulation never
freezes the UI; and it covers at most 1/`MIN_SLICES` of the way, so that even a quiet stack
shows its progress and can be stopped.

Every slice ends at a consistent instant: when a budget stops it between two events, the
events still due at that same millisecond run too, so the state is exactly what
`until <that instant>` gives. The session log holds one line for the whole run, rewritten
after each slice: `until <instant reached>`, the line the REPL logs for an interrupted
`advance`, and in the end `until <target>`. So `save` replays exactly at any moment, and
cancelling has nothing to undo. A recording (`record FILE`) gets the line once, at the end.

A command typed on the command line that outlasts its budget (`advance`, `until`, `step`,
`run`, a burst `repeat`, `source`, `redo`) goes on the same way: `Continued` runs what is
left of it (`stptui.commands.resume.Resumption`) one slice per frame under the same
budgets, and escape ends it where the last slice got. The command keeps its one log line,
rewritten after each slice (a `source`, a line per command of its script), which replays
exactly.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.result import render_plain
from stptui.commands.resume import Resumption
from stptui.sim.behavior import BehaviorError, format_duration, parse_duration
from stptui.sim.clock import (
    CLOCK_RANGE,
    MAX_MS,
    ClockStalled,
    InstantRangeError,
    iso_ms,
    parse_instant,
)
from stptui.tui.live import DEFAULT_EVENT_BUDGET, MAX_SPEED_WALL_BUDGET_S, LogTail

# At 20 frames a second a quiet fast-forward stays on screen for about a second.
MIN_SLICES = 20
TARGET_HINT = "a duration such as 2h or 3d, or an instant such as 2026-01-06T09:00:00Z"
# How finely a command that goes on shows its progress.
PROGRESS_STEPS = 1000
# An instant starts with its date; anything else is read as a duration.
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_target(text: str, now_ms: int) -> int:
    """The instant a fast-forward runs to: `now_ms` plus a duration (`2h`, `3d`), or an
    ISO-8601 instant (`2026-01-06T09:00:00Z`) not in the past. Raises CommandError."""
    value = text.strip()
    if not value:
        raise CommandError("say how far to fast-forward", TARGET_HINT)
    if _INSTANT.match(value):
        try:
            target = parse_instant(value)
        except InstantRangeError as exc:
            raise CommandError(str(exc), TARGET_HINT) from None
        except (ValueError, OverflowError):
            raise CommandError(f"{value!r} is not an ISO-8601 instant", TARGET_HINT) from None
        if target < now_ms:
            raise CommandError(
                f"{iso_ms(target)} is in the simulation's past (now {iso_ms(now_ms)})",
                "time only moves forward",
            )
    else:
        try:
            target = now_ms + parse_duration(value)
        except BehaviorError as exc:
            raise CommandError(str(exc), exc.hint or TARGET_HINT) from None
    if target > MAX_MS:
        raise CommandError(
            f"{value!r} would take the clock past its end, {iso_ms(MAX_MS)}",
            f"the virtual clock's range is {CLOCK_RANGE}",
        )
    return target


class _SlicedRun:
    """What the fast-forward screen reads of a run it goes on with slice by slice, a
    fast-forward or a command handed over: its session, where it got, whether it ended."""

    def __init__(
        self,
        session: Session,
        event_budget: int,
        wall_budget_s: float,
        wall_clock: Callable[[], float],
    ) -> None:
        self.session = session
        self.start_ms = session.sim.clock.now
        self.start_events = session.sim.clock.events_run
        self.event_budget = event_budget
        self.wall_budget_s = wall_budget_s
        self._wall = wall_clock
        self.finished = False
        self.cancelled = False

    @property
    def done(self) -> bool:
        """Whether the run reached its end or was stopped."""
        return self.finished or self.cancelled

    @property
    def now_ms(self) -> int:
        """The instant the simulation has reached."""
        return self.session.sim.clock.now

    @property
    def events(self) -> int:
        """How many events the run has run."""
        return self.session.sim.clock.events_run - self.start_events

    def _budget(self) -> Callable[[], bool]:
        """A slice's stop test: true once it has run its events or its wall-clock time."""
        clock = self.session.sim.clock
        before = clock.events_run
        deadline = self._wall() + self.wall_budget_s
        budget = self.event_budget

        def should_stop() -> bool:
            return clock.events_run - before >= budget or self._wall() >= deadline

        return should_stop


class FastForward(_SlicedRun):
    """One fast-forward of a session's clock to `target_ms`, run slice by slice."""

    def __init__(
        self,
        session: Session,
        target_ms: int,
        *,
        event_budget: int = DEFAULT_EVENT_BUDGET,
        wall_budget_s: float = MAX_SPEED_WALL_BUDGET_S,
        min_slices: int = MIN_SLICES,
        wall_clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        clock = session.sim.clock
        if target_ms < clock.now:
            raise ValueError("a fast-forward cannot go back in time")
        super().__init__(session, event_budget, wall_budget_s, wall_clock)
        self.target_ms = target_ms
        self.slice_ms = max(1, math.ceil((target_ms - clock.now) / min_slices))
        self._tail = LogTail(session)
        # Why the recording (`record FILE`) stopped, when writing the run's line failed.
        self.note: str | None = None
        # Why the run stopped by itself (a loop that keeps the clock at one instant).
        self.stalled: str | None = None

    @property
    def span_ms(self) -> int:
        """How much simulated time the whole run covers."""
        return self.target_ms - self.start_ms

    @property
    def elapsed_ms(self) -> int:
        """How much simulated time has passed since the run began."""
        return self.now_ms - self.start_ms

    @property
    def fraction(self) -> float:
        """Progress in simulated time, 0 to 1."""
        return 1.0 if self.span_ms == 0 else min(self.elapsed_ms / self.span_ms, 1.0)

    def slice(self) -> int:
        """Run one slice within the budgets; returns the number of events it ran."""
        if self.done:
            return 0
        clock = self.session.sim.clock
        before = clock.events_run
        should_stop = self._budget()
        limit = min(self.target_ms, clock.now + self.slice_ms)
        try:
            if not clock.run_until(limit, should_stop):
                # A budget stopped it between two events: the rest of that instant runs
                # too, so the state is what `until <now>` gives.
                clock.run_until(clock.now)
        except ClockStalled as exc:
            # A loop at one instant: the run ends there, logged as the events that ran
            # (replaying `step N` stops exactly where this did).
            self.stalled = str(exc)
            self.cancelled = True
            self._tail.write(f"step {clock.events_run - before}", replace=0)
            self.note = self._tail.commit()
            return clock.events_run - before
        self._tail.write(f"until {iso_ms(clock.now)}", replace=int(self._tail.is_last()))
        if clock.now >= self.target_ms:
            self.finished = True
            self.note = self._tail.commit()
        return clock.events_run - before

    def cancel(self) -> None:
        """Stop between two slices, at the consistent instant the last one reached."""
        if not self.done:
            self.cancelled = True
            self.note = self._tail.commit()

    def status(self) -> str:
        """`+3 d of 30 d, 1,234 events run`: how far the run has come."""
        return (
            f"+{format_duration(self.elapsed_ms)} of {format_duration(self.span_ms)}, "
            f"{self.events:,} events run"
        )

    def summary(self) -> str:
        """What the run did, once done: where it stopped and how many events it ran."""
        verb = "stopped at" if self.cancelled else "reached"
        text = f"fast-forward {verb} {iso_ms(self.now_ms)}: {self.status()}"
        notes = [n for n in (self.stalled, self.note) if n]
        return "\n".join([text, *notes])


class Continued(_SlicedRun):
    """What is left of a command typed on the command line that outlasted its budget, run
    slice by slice as a fast-forward is (the fast-forward screen runs either)."""

    def __init__(
        self,
        session: Session,
        line: str,
        rest: Resumption,
        *,
        event_budget: int = DEFAULT_EVENT_BUDGET,
        wall_budget_s: float = MAX_SPEED_WALL_BUDGET_S,
        wall_clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(session, event_budget, wall_budget_s, wall_clock)
        self.line = line
        self.rest = rest
        # The command's error, when a part of it failed (a line of a script, a loop).
        self.error: str | None = None
        # What the command says once it has ended.
        self.result: CommandResult | None = None

    @property
    def span(self) -> int:
        """The whole of the command's work, in steps of the progress bar."""
        return PROGRESS_STEPS

    @property
    def progress(self) -> int:
        """How much of `span` is done."""
        return round(self.rest.fraction() * PROGRESS_STEPS)

    def slice(self) -> int:
        """Run one slice within the budgets; returns the number of events it ran."""
        if self.done:
            return 0
        clock = self.session.sim.clock
        before = clock.events_run
        should_stop = self._budget()
        try:
            finished = self.rest.go(should_stop)
        except CommandError as exc:
            self.error = render_plain(CommandResult(exc.format()))
            self.cancelled = True
            self.result = self.rest.end(cancelled=True)
            return clock.events_run - before
        if finished:
            self.finished = True
            self.result = self.rest.end()
        return clock.events_run - before

    def cancel(self) -> None:
        """Stop between two slices, where the last one got."""
        if not self.done:
            self.cancelled = True
            self.result = self.rest.end(cancelled=True)

    def status(self) -> str:
        """`12,000 of 50,000 events, 1,234 events run`: how far the command has come."""
        return f"{self.rest.status()}, {self.events:,} events run"

    def summary(self) -> str:
        """What the command did, once ended: its error first when a part of it failed."""
        said = render_plain(self.result) if self.result is not None else ""
        return "\n".join(t for t in (self.error, said) if t)
