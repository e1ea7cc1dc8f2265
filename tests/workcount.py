"""Deterministic measures of the work an operation does, for tests that guard against blowups
(exponential expansion, quadratic loops, unbounded reads) without timing anything.

Wall-clock time on a shared machine is noise. The number of Python calls, built-in calls and
executed source lines an operation makes is the same on every run of the same code on the same
input, so a test can assert that it stays under a bound derived from the input's size, or that
doubling the input about doubles it. `CountWork` can also track the peak memory the operation
allocates (tracemalloc): that is what bounds work done inside C code (building a huge string,
reading a whole file), which a count of calls cannot see.

A bound can also be a hard limit: once the count (or the memory) passes it, the operation is
stopped at its next Python-level step, so a regression fails its test at once instead of
hanging the suite or exhausting the machine's memory.

Counting slows the measured code about ten times (three times with `lines=False`): measure
modest inputs. Blind spot: one built-in call is one step whatever it costs, and `x in a_list`
is no call at all, so C work that grows with the data is invisible to the count (a list used
where a set was, inside a Python loop, makes that loop quadratic without adding a step). Where
such work allocates (strings, reads), the memory measure sees it.

`hang_guard` is the other tool here, for suites that run many inputs and only need to know
that none of them hangs: a generous timeout that fires on a hang, never a speed check.
"""

from __future__ import annotations

import gc
import signal
import sys
import threading
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any


class _Stop(BaseException):
    """Raised from the hooks to stop a runaway operation. Not an Exception, so that the code
    under test cannot swallow it with `except Exception`."""


class CountWork:
    """Context manager counting the work done by the code called inside its block.

    `calls` are Python function calls (a generator counts again each time it is resumed),
    `c_calls` calls of built-in functions and methods, `lines` executed source lines (every loop
    iteration counts; only with `lines=True`); `steps` is their sum. The block's own lines are
    not counted, only what it calls. With `memory=True` (implied by `max_bytes`), `peak_bytes`
    is the most memory held at once by allocations made during the block.

    `max_steps` and `max_bytes` stop the operation once it exceeds them: the block then ends in
    an AssertionError naming the limit. Only the current thread is measured. A trace or profile
    function already in force (a debugger, coverage) is suspended for the block and restored.

    Counts include one-time work (a lazy import, filling a cache): run the operation once
    before counting it when the bound should not depend on which tests ran first.
    """

    def __init__(
        self,
        *,
        max_steps: int | None = None,
        max_bytes: int | None = None,
        memory: bool = False,
        lines: bool = True,
    ) -> None:
        self.max_steps = max_steps
        self.max_bytes = max_bytes
        self.memory = memory or max_bytes is not None
        self.count_lines = lines
        self.calls = 0
        self.c_calls = 0
        self.lines = 0
        self.peak_bytes = 0
        self.stopped: str | None = None  # which limit stopped the operation, if one did
        self._step_limit = sys.maxsize if max_steps is None else max_steps
        self._base_bytes = 0
        self._started_tracemalloc = False
        self._saved: tuple[Any, Any] = (None, None)
        self._gc_callbacks: list[Any] = []
        self._collecting = True  # whether the collector ran when the block began

    @property
    def steps(self) -> int:
        """Python calls + built-in calls + executed lines."""
        return self.calls + self.c_calls + self.lines

    def __repr__(self) -> str:
        memory = f", peak_bytes={self.peak_bytes:,}" if self.memory else ""
        return (
            f"CountWork(steps={self.steps:,}: calls={self.calls:,}, c_calls={self.c_calls:,}, "
            f"lines={self.lines:,}{memory})"
        )

    # -- hooks: they run for every event of the measured code, so they stay small --

    def _check(self) -> None:
        if self.calls + self.c_calls + self.lines > self._step_limit:
            self._stop(f"more than {self.max_steps:,} steps")
        # Memory is checked at Python-level steps only: a C routine that allocates more than
        # the limit (one huge string) is caught right after it returns, not during it.
        limit = self.max_bytes
        if limit is not None and tracemalloc.get_traced_memory()[0] - self._base_bytes > limit:
            self._stop(f"more than {limit:,} bytes allocated")

    def _stop(self, why: str) -> None:
        # Both hooks go: CPython removes only the one that raises, and the other would raise
        # again at the first step of the cleanup (even inside __exit__).
        self.stopped = why
        sys.settrace(None)
        sys.setprofile(None)
        raise _Stop

    def _trace_call(self, frame: FrameType, event: str, arg: Any) -> Any:
        # The global trace function sees only the start (or resumption) of a Python frame;
        # what it returns becomes the frame's local trace function, which sees its lines.
        self.calls += 1
        self._check()
        return self._trace_line

    def _trace_line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines += 1
            self._check()
        return self._trace_line

    def _profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call":
            self.c_calls += 1
            self._check()
        elif event == "call" and not self.count_lines:  # else counted by _trace_call
            self.calls += 1
            self._check()

    # -- context manager --

    def __enter__(self) -> CountWork:
        if self.memory:
            if tracemalloc.is_tracing():
                tracemalloc.reset_peak()
            else:
                tracemalloc.start()
                self._started_tracemalloc = True
            self._base_bytes = tracemalloc.get_traced_memory()[0]
        # The collector runs when allocations since the last collection pass a threshold,
        # so where it runs inside the block depends on what ran before it; and what it runs
        # then (other tests' garbage's finalizers, gc.callbacks such as hypothesis's timer)
        # is Python code that is not the operation's. So no collection runs in the block,
        # and the callbacks are kept out of the count. Peak memory alone needs the block's
        # own collections (its cyclic garbage freed as it goes): it collects first instead,
        # so that any collection in the block is the block's own. (A full collection costs
        # 0.1-1 s in a test process that ran thousands of tests: not for every block.)
        self._collecting = gc.isenabled()
        if self.memory:
            gc.collect()
        else:
            gc.disable()
        self._gc_callbacks = gc.callbacks[:]
        gc.callbacks.clear()
        self._saved = (sys.gettrace(), sys.getprofile())
        sys.setprofile(self._profile)
        sys.settrace(self._trace_call if self.count_lines else None)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        sys.settrace(self._saved[0])
        sys.setprofile(self._saved[1])
        gc.callbacks[:] = self._gc_callbacks
        if self._collecting:
            gc.enable()
        if self.memory:
            self.peak_bytes = tracemalloc.get_traced_memory()[1] - self._base_bytes
            if self._started_tracemalloc:
                tracemalloc.stop()
        if self.stopped is not None:
            # Also when the code under test swallowed _Stop: the limit was passed either way.
            raise AssertionError(f"stopped after {self.stopped}: {self!r}") from None


class Hang(AssertionError):
    """A block under `hang_guard` was still running when the guard's time was up."""


@contextmanager
def hang_guard(seconds: float = 30.0) -> Iterator[None]:
    """Fail the block with `Hang` (an AssertionError) if it is still running after `seconds`.

    For loops over many inputs where the only timing question is "does any of them hang":
    the default is far beyond what any input needs even on a loaded machine, so slowness
    does not trip it; without it a hang would stall the whole suite with no name attached. It is not a speed check: bound work with `CountWork` for that.

    Uses SIGALRM, so it interrupts Python code and blocking system calls but not a single
    long C routine; on platforms without it, or off the main thread, the block is unguarded.
    Guards do not nest.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds:g} s: a hang, not slowness")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
