"""The in-run baseline the event-source and state-machine benchmarks divide by: a bare
heapq callback loop, the least a discrete-event simulator in Python does per event."""

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
