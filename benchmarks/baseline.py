"""The in-run baseline the event-source, state-machine, failing-consumer and load benchmarks
divide by: a bare heapq callback loop, the least a discrete-event simulator in Python does per
event. It is warmed up on import (see `warm_baseline`), so that every benchmark divides by the
same, specialised loop."""

from __future__ import annotations

import heapq
import time


def bare_steps(n: int) -> float:
    """Seconds for `n` steps of a bare heapq callback loop (each step schedules the next)."""
    heap: list[list[object]] = []
    done = 0

    def tick(_: object) -> None:
        nonlocal done
        done += 1
        if done < n:
            heapq.heappush(heap, [done, done, tick, None])

    heapq.heappush(heap, [0, 0, tick, None])
    t0 = time.perf_counter()
    while heap:
        entry = heapq.heappop(heap)
        entry[2](entry[3])  # type: ignore[operator]
    return time.perf_counter() - t0


def warm_baseline() -> None:
    """Run the baseline until CPython 3.11 has specialised it: a function's bytecode is
    specialised only from its 8th call, and the first calls of `bare_steps` (and its `tick`)
    would time the slower generic bytecode, flattering every ratio divided by them."""
    for _ in range(10):
        bare_steps(1_000)


warm_baseline()
