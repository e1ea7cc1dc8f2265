"""The status the REPL shows: in the bottom toolbar at the prompt, and on the progress line
while a long command runs.

Between commands the simulated clock does not move (it moves only with commands), so the
toolbar says "paused"; its figures are computed once per change of the simulation, not on
every keystroke.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from stptui.commands import Session
from stptui.commands.watch import FileDigests
from stptui.sim.clock import iso_ms
from stptui.textsafe import printable

# How often the toolbar looks at the stack and behaviours files, in seconds.
CHANGE_CHECK_S = 1.0


@dataclass(frozen=True, slots=True)
class Status:
    """A snapshot of the figures the toolbar shows."""

    now_ms: int
    pending: int
    visible: int
    in_flight: int
    dlq: int
    events: int

    @classmethod
    def of(cls, session: Session) -> Status:
        """The figures of the session's simulation now. Messages in dead-letter queues
        (queues that another queue redrives into) count as DLQ, not as visible."""
        sim = session.sim
        visible = in_flight = dlq = 0
        for q in sim.queues.values():
            if q.sources:
                dlq += q.depth
            else:
                visible += q.visible_count
                in_flight += q.in_flight_count
        return cls(
            now_ms=sim.clock.now,
            pending=sim.pending(),
            visible=visible,
            in_flight=in_flight,
            dlq=dlq,
            events=sim.clock.events_run,
        )

    def time_text(self) -> str:
        """`2026-01-05 08:00:30.000Z`."""
        return iso_ms(self.now_ms).replace("T", " ")

    def counts_text(self) -> str:
        """`3 pending | 2 visible, 1 in flight, 0 in DLQs`."""
        return (
            f"{self.pending:,} pending | {self.visible:,} visible, "
            f"{self.in_flight:,} in flight, {self.dlq:,} in DLQs"
        )


class Toolbar:
    """The bottom toolbar's fragments, recomputed only when the simulation changed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.last_error: str | None = None
        self._key: tuple[int, int, int, int] | None = None
        self._status: Status | None = None
        # The input files changed on disk, checked at most once a second (a toolbar is
        # drawn on every keystroke), with a stat of each: a file is read and hashed only
        # when its stat moved.
        self._changed: list[str] = []
        self._checked_at = -CHANGE_CHECK_S
        self._digests = FileDigests()

    def status(self) -> Status:
        """The current figures (cached until the clock, the trace or the session moves)."""
        sim = self.session.sim
        key = (id(sim), sim.clock.now, sim.clock.events_run, sim.trace.seq)
        if key != self._key or self._status is None:
            self._status = Status.of(self.session)
            self._key = key
        return self._status

    def __call__(self) -> list[tuple[str, str]]:
        """prompt_toolkit formatted text: (style class, text) pairs, never markup."""
        st = self.status()
        parts = [
            ("class:toolbar.time", f" {st.time_text()} "),
            ("class:toolbar.paused", " paused "),
            ("class:toolbar", f" {st.counts_text()} "),
        ]
        recorder = self.session.recorder
        if recorder is not None:
            where = printable(str(recorder.path))
            parts.append(("class:toolbar.recording", f" recording {where} "))
        changed = self.changed_files()
        if changed:
            parts.append(("class:toolbar.changed", f" {', '.join(changed)} changed: reload "))
        if self.last_error is not None:
            first = (printable(self.last_error).splitlines() or [""])[0]
            parts.append(("class:toolbar.error", f" last error: {first} "))
        return parts

    def changed_files(self) -> list[str]:
        """The names of the session's files changed on disk since it opened or reloaded."""
        now = time.monotonic()
        if now - self._checked_at >= CHANGE_CHECK_S:
            self._checked_at = now
            changed = self._digests.changed(self.session)
            self._changed = [printable(path.name) for _, path in changed]
        return self._changed
