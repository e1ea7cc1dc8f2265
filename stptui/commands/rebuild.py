"""A rebuild of a session (`undo`, `redo`, `reload`, `load`) in two steps, so that a front
end can run the slow one away from its UI.

Building makes a new Session by replaying commands from the stack's start and touches
nothing of the session being replaced, so it may run on any thread (it reads the files and
the settings, which only adopting changes). Adopting swaps the new simulation in, on the
session's own thread, and answers what the command says. Between the two the session must
not change: adopting refuses when it did (the front end refuses state-changing commands
meanwhile; this catches what slips through, such as a live clock).

A replay reports its progress (commands replayed of the total, each repetition of a
`repeat` counting as one command) and can be cancelled: between commands, and inside a long
run of the clock or a burst `repeat`, through the `should_stop` hook these already poll
(every 256 events or repetitions), where the command stops at a consistent instant and the
new session is dropped. A cancelled or failed build leaves the session exactly as it was.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from stptui.commands.registry import CommandError
from stptui.sim.teardown import dismantle

if TYPE_CHECKING:
    from stptui.commands.session import Session
    from stptui.sim.engine import Simulator

T = TypeVar("T")
U = TypeVar("U")

# What the progress line calls each rebuild while it runs.
GERUNDS = {"undo": "undoing", "redo": "redoing", "reload": "reloading", "load": "loading"}
# The least time between two progress reports inside a command: a clock run polls its hook
# every 256 events, and a front end redraws what it is told.
PROGRESS_EVERY_S = 0.05
# How many objects were frozen before any simulation: the interpreter's own (Python 3.12
# starts with some), then what the process's start-up froze (`freeze_start_up`).
_frozen_at_start = gc.get_freeze_count()


def freeze_start_up() -> None:
    """Freeze what the process has made so far, the modules it imported to start, out of
    the cyclic collector (`stptui.cli`, before it opens a stack): they live as long as the
    process, and the collections would scan them again and again. A replay still freezes
    the simulation it replaces when nothing else is frozen (see `Rebuild.run`)."""
    global _frozen_at_start
    gc.freeze()
    _frozen_at_start = gc.get_freeze_count()


def freeze_collected(*, everything: bool = False) -> None:
    """Collect what was made since the last freeze, then freeze what is left out of the
    cyclic collector: a front end's simulation (130,000 objects at 2,000 resources) lives
    until a rebuild replaces it, and every full collection would scan it again (200-240 ms
    on a 2-core machine, landing on whichever key press was due). Collected first, because
    a frozen object is never collected, garbage or not. `everything`: thaw and collect what
    was frozen too (the start-up's modules and any simulation frozen before), a full pass
    over the whole heap."""
    if everything:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


def retire(replaced: list[Simulator]) -> bool:
    """Free the simulations a rebuild replaced (the list is emptied) without the full
    collection their cycles would need: frozen as they were, taken apart (`dismantle`),
    reference counting frees them. False when one is still alive, a cycle left in a part
    `dismantle` does not know or a reference kept elsewhere: the caller then collects
    everything (`freeze_collected(everything=True)`), as that frees it."""
    gone = [dismantle(sim) for sim in replaced]
    replaced.clear()
    return all(ref() is None for ref in gone)


class FrozenSimulation:
    """The simulation a front end shows, kept out of the cyclic collector (the REPL's;
    the terminal UI takes the same two steps, between frames): `settle` after the stack
    opened and after each command, which finds whether the simulation was replaced."""

    def __init__(self) -> None:
        self._sim: Simulator | None = None

    def settle(self, sim: Simulator) -> None:
        """Freeze `sim` when it is not the simulation last frozen, and free the one it
        replaced (`retire`). Nothing when it is the same: a command's new objects (the
        messages it sent) are few, and left to the collector."""
        if sim is self._sim:
            return
        replaced = [] if self._sim is None else [self._sim]
        self._sim = sim
        freeze_collected()
        if not retire(replaced):
            freeze_collected(everything=True)


@dataclass(frozen=True, slots=True)
class RebuildProgress:
    """How far a rebuild's replay has come: commands replayed of the total (a `repeat N`
    counts as N, one per repetition made)."""

    verb: str
    done: int
    total: int

    def text(self) -> str:
        """`undoing: replaying 3,120 of 10,004 commands`."""
        noun = "command" if self.total == 1 else "commands"
        gerund = GERUNDS.get(self.verb, self.verb)
        return f"{gerund}: replaying {self.done:,} of {self.total:,} {noun}"


class RebuildCancelled(CommandError):
    """A rebuild cancelled before it was adopted: the session is exactly as it was."""

    def __init__(self, verb: str) -> None:
        super().__init__(
            f"{verb} cancelled: the session is as it was",
            f"`{verb}` again replays the session from its start",
        )


def weight(line: str) -> int:
    """The commands a logged line stands for in the progress: N for `repeat N ...`
    (whose repetitions are what take the time), else 1."""
    if not line.startswith("repeat "):
        return 1
    from stptui.commands.handlers import REGISTRY

    # Bound as the command binds it: `--every D` may come before N.
    try:
        call = REGISTRY.parse(line)
    except CommandError:
        return 1
    count = call.args.get("n") if call is not None else None
    return (
        max(1, int(count)) if isinstance(count, str) and count.isascii() and count.isdigit() else 1
    )


class Replay:
    """One replay's progress reports and its cancellation, shared by the thread that
    builds and the one that may cancel."""

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.progress: Callable[[RebuildProgress], None] | None = None
        # The front end's own stop test (the REPL's Ctrl-C), asked as `cancel` is.
        self.should_stop: Callable[[], bool] | None = None
        self._cancel = threading.Event()
        self._next_report = 0.0
        self._fresh: Session | None = None
        # Commands replayed before the current one, repeats' repetitions left out (they
        # are counted from the repeats themselves, as they are made).
        self._done_lines = 0
        self._total = 0

    def cancel(self) -> None:
        """Ask the replay to stop (thread-safe): at the next command, or within a long one."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """Whether the replay was asked to stop (by `cancel` or the front end's test)."""
        if not self._cancel.is_set() and self.should_stop is not None and self.should_stop():
            self._cancel.set()
        return self._cancel.is_set()

    def run(
        self,
        fresh: Session,
        lines: Sequence[str],
        refusal: Callable[[int, str, CommandError], CommandError],
    ) -> None:
        """Replay `lines` on `fresh`, reporting progress; RebuildCancelled when cancelled,
        or what `refusal` makes of a command's error (its number, line and error)."""
        from stptui.commands import execute

        self._fresh = fresh
        self._total = sum(weight(line) for line in lines)
        self._report(force=True)
        # The simulation being replaced (hundreds of thousands of objects, maybe) is kept
        # out of the cyclic collector while the replay runs: it is neither garbage nor
        # changing. Freezing is process-wide and unfreezing cannot pick what it thaws, so a
        # process that froze objects itself (the TUI and the REPL freeze their simulation,
        # `FrozenSimulation`) keeps them so; what its start-up froze is modules, no
        # simulation (see `freeze_start_up`).
        freezing = gc.get_freeze_count() <= _frozen_at_start
        if freezing:
            gc.freeze()
        try:
            for k, line in enumerate(lines, 1):
                if self.cancelled:
                    raise RebuildCancelled(self.verb)
                try:
                    execute(fresh, line, should_stop=self._poll)
                except CommandError as exc:
                    if self.cancelled:
                        raise RebuildCancelled(self.verb) from None
                    raise refusal(k, line, exc) from None
                if not line.startswith("repeat "):
                    self._done_lines += 1
                self._report()
            # A stop asked during the last command cut it short: that is no replay either.
            if self.cancelled:
                raise RebuildCancelled(self.verb)
            self._report(force=True)
        finally:
            if freezing:
                gc.unfreeze()
            # Not kept past the replay: the session adopting it lets its simulation go
            # when replaced again, and a front end may keep this replay longer.
            self._fresh = None

    def _poll(self) -> bool:
        """The `should_stop` the replayed commands poll: a report when one is due, then
        whether to stop."""
        self._report()
        return self.cancelled

    def _report(self, *, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if not force and now < self._next_report:
            return
        self._next_report = now + PROGRESS_EVERY_S
        done = self._done_lines
        repeats = self._fresh.sim.services.get("repeats") if self._fresh is not None else None
        if repeats is not None:
            done += sum(rep.ran for rep in repeats.every.values())
        # A repeat cancelled early makes fewer repetitions than its N: the total is what
        # the lines ask for, and the count never passes it.
        self.progress(RebuildProgress(self.verb, min(done, self._total), self._total))


class Rebuild(Generic[T]):
    """A rebuild checked and ready: `build` (on any thread), then `adopt` (on the
    session's); `run` does both in turn."""

    def __init__(
        self,
        session: Session,
        verb: str,
        build: Callable[[Replay], Session],
        adopt: Callable[[Session], T],
    ) -> None:
        self.session = session
        self.verb = verb
        self.replay = Replay(verb)
        self._build = build
        self._adopt = adopt
        self._fresh: Session | None = None
        # Where the session stood when the rebuild was planned: adopting requires it there.
        self._where = session.where()
        # What a refusal of the build or the adoption is raised as: `plan_rebuild` gives it
        # the hint `execute` gives the command's errors (`commands.explained`).
        self.explain: Callable[[CommandError], CommandError] = lambda exc: exc

    def then(self, answer: Callable[[T], U]) -> Rebuild[U]:
        """The same rebuild, adopting with `answer` applied to what adopting returns."""
        adopt = self._adopt
        return Rebuild(self.session, self.verb, self._build, lambda fresh: answer(adopt(fresh)))

    def cancel(self) -> None:
        """Ask the build to stop (thread-safe); a build that ended is not adopted."""
        self.replay.cancel()

    def build(
        self,
        *,
        progress: Callable[[RebuildProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        """Make the new session, touching nothing of the current one. Raises CommandError
        (RebuildCancelled when cancelled); `progress` is called from this thread."""
        self.replay.progress = progress
        self.replay.should_stop = should_stop
        try:
            self._fresh = self._build(self.replay)
        except CommandError as exc:
            raise self.explain(exc) from None

    def adopt(self) -> T:
        """Carry on with the session built (on the session's own thread); refused, the
        session unchanged, when the build was cancelled or the session changed since."""
        fresh = self._fresh
        if fresh is None:
            raise RuntimeError("adopt() before build() ended")
        if self.replay.cancelled:
            raise self.explain(RebuildCancelled(self.verb))
        if self.session.where() != self._where:
            raise self.explain(
                CommandError(
                    f"cannot {self.verb}: the simulation changed while it was rebuilt",
                    f"`{self.verb}` again rebuilds it as it is now",
                )
            )
        self._fresh = None
        try:
            return self._adopt(fresh)
        except CommandError as exc:
            raise self.explain(exc) from None

    def run(
        self,
        *,
        progress: Callable[[RebuildProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> T:
        """Build, then adopt, on this thread."""
        self.build(progress=progress, should_stop=should_stop)
        return self.adopt()
