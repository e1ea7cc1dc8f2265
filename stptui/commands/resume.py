"""Commands a front end stops for now and runs on later, in parts (the terminal UI).

A front end that must stay responsive (the terminal UI runs commands on its own thread)
calls `execute(..., resumable=True)` with a `should_stop` that says "enough for now" (a
time budget), not "stop" (the REPL's Ctrl-C). A command that runs the simulator for an
unbounded time (`advance`, `until`, `step`, `run`, a burst `repeat`, `source`, a `redo`
applied in place) then hands back, instead of ending there, a `Resumption` in
`CommandResult.resumption`: what is left of it, which the front end runs on in parts
(`go`, each under its own budget) and ends when it is done or the user stops it (`end`,
which gives the command's final result).

The session log always ends with the lines that replay exactly what has run so far
(`Resumption.lines`: one line, the whole command as far as it went), rewritten after each
part in place of the previous ones, so that `undo` takes the whole command back as one
step. The recording (`record FILE`) gets them once, when the command ends. A `source` (or
a `redo`) keeps a log line per command it runs, as it does when it runs at once.
"""

from __future__ import annotations

from collections.abc import Callable

from stptui.commands.result import CommandResult
from stptui.commands.session import Session

StopTest = Callable[[], bool]
# The commands that go on when stopped for now; a front end that runs on stops no other
# (a `load` or an `undo` stopped is cancelled, not held).
RESUMABLE = frozenset({"advance", "until", "step", "run", "repeat", "source", "redo"})


class Resumption:
    """What is left of one command: run on with `go`, close with `end`.

    A subclass implements `_go` (run on until done, True, or until `should_stop` says so,
    False, leaving a state that `lines` replays exactly) and `_end` (the command's result,
    `cancelled` when the user stopped it short), and keeps `lines`, `done` and `total`."""

    def __init__(self, session: Session, total: int, unit: str) -> None:
        self.session = session
        # The log lines that replay what has run so far; the log ends with them (`execute`
        # sets them first, to the line it logged).
        self.lines: list[str] = []
        # Progress in the command's own unit (events, repetitions, commands, milliseconds).
        self.done = 0
        self.total = total
        self.unit = unit
        self.finished = False
        # Where it goes (`to 2026-02-04T08:00:00.000Z`), said when it is handed over.
        self.aim = f"to {total:,} {unit}"

    def go(self, should_stop: StopTest) -> bool:
        """Run on until the command is done (True) or `should_stop` says so (False); the
        session log is kept replaying what has run. Raises CommandError when a command of it
        fails (the state is then what the log replays: `end` closes it)."""
        if self.finished:
            return True
        before = list(self.lines)
        try:
            self.finished = self._go(should_stop)
        finally:
            self._relog(before)
        return self.finished

    def end(self, *, cancelled: bool = False) -> CommandResult:
        """Close the command where it is (the user stopped it when `cancelled`): its result,
        and its final lines handed to the recording."""
        before = list(self.lines)
        try:
            result = self._end(cancelled=cancelled and not self.finished)
        finally:
            self._relog(before)
        notes = [note for line in self.lines if (note := self.session.record(line)) is not None]
        if notes:
            result.text = "\n".join([result.text, notes[0]]) if result.text else notes[0]
        return result

    def fraction(self) -> float:
        """How much of the command is done, 0 to 1."""
        return 1.0 if self.total <= 0 else min(self.done / self.total, 1.0)

    def status(self) -> str:
        """`12,000 of 50,000 events`: how far it has come."""
        return f"{self.done:,} of {self.total:,} {self.unit}"

    def _relog(self, before: list[str]) -> None:
        """Put `lines` in place of `before` at the end of the session log."""
        if before == self.lines:
            return
        log = self.session.log
        if before and log[-len(before) :] == before:
            del log[-len(before) :]
        log.extend(self.lines)

    def _go(self, should_stop: StopTest) -> bool:
        raise NotImplementedError

    def _end(self, *, cancelled: bool) -> CommandResult:
        raise NotImplementedError
