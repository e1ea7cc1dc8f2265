"""Event sources: a simulated year of every schedule in the combined sample stack, and
100,000 EventBridge pattern matches on the sample patterns, each as a ratio to the same
count of bare heapq steps measured in this run.

Targets (issue 4): at most 10x the bare steps for the year, and under 5 s on a CI core.
"""

from __future__ import annotations

import heapq
import sys
import time
from pathlib import Path

from baseline import bare_steps

from stptui.commands import Session
from stptui.sim.clock import parse_instant
from stptui.sim.engine import Simulator
from stptui.sim.patterns import compile_pattern
from stptui.sim.trace import Trace

COMBINED = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "combined"
YEAR_MS = 365 * 86_400_000
YEAR_ROUNDS = 9
EVENTS = [
    {"source": "orders", "detail-type": "OrderCreated", "detail": {"orderId": 1, "email": "a@b.c"}},
    {"source": "orders", "detail-type": "OrderDeleted", "detail": {"orderId": 2}},
    {"source": "billing", "detail-type": "InvoicePaid", "detail": {"amount": 30}},
    {"source": "", "detail-type": "Ping", "detail": {}},
]


def year_simulator() -> Simulator:
    """The combined stack at the start of the year, with a trace ring of 10,000 records."""
    # Default behaviours: this measures the schedules and the invocations they cause, not the
    # JMESPath conditions a demo sidecar adds to each handler.
    session = Session.open(
        COMBINED, start_ms=parse_instant("2026-01-01T00:00:00Z"), default_behaviors=False
    )
    sim = session.sim
    sim.trace = Trace(ring_size=10_000)
    return sim


def year_of_schedules() -> tuple[float, int, int]:
    """Seconds to simulate a year of the combined stack's schedules; events run; fires."""
    sim = year_simulator()
    t0 = time.perf_counter()
    sim.advance(YEAR_MS)
    elapsed = time.perf_counter() - t0
    return elapsed, sim.clock.events_run, sim.trace.count("schedule.fired")


def year_work() -> tuple[int, int, int]:
    """What the year does, counted in an untimed run: events, trace records, ids drawn."""
    sim = year_simulator()
    before = sim.ids_issued
    sim.advance(YEAR_MS)
    return sim.clock.events_run, sim.trace.seq, sim.ids_issued - before


def floor_plan(events: int, records: int, ids: int) -> list[tuple[range, range]]:
    """Each step's share of the records and ids, spread as evenly as whole numbers allow."""
    return [
        (
            range((i + 1) * records // events - i * records // events),
            range((i + 1) * ids // events - i * ids // events),
        )
        for i in range(events)
    ]


def floor_steps(events: int, records: int, ids: int) -> float:
    """Seconds for the least any simulator in Python could do for the same work: `events`
    bare heapq steps that between them append `records` packed trace records and draw `ids`
    ids from the simulator's own id stream, and do nothing else (no payloads, no state).

    It shows how much of the year's ratio is the work the trace itself demands. The loop is
    `bare_steps`'s, written out again so that the two differ in that work alone."""
    draw = year_simulator().new_id
    out: list[tuple[object, ...]] = []
    emit = out.append
    names = ("invocation_id", "trigger", "attempt")
    plan = floor_plan(events, records, ids)
    heap: list[list[object]] = []
    done = 0

    def tick(_: object) -> None:
        nonlocal done
        record_share, id_share = plan[done]
        for _ in id_share:
            draw()
        for _ in record_share:
            emit((done, "invocation.started", "fn", "id", "schedule", 1, names))
        done += 1
        if done < events:
            heapq.heappush(heap, [done, done, tick, None])

    heapq.heappush(heap, [0, 0, tick, None])
    t0 = time.perf_counter()
    while heap:
        entry = heapq.heappop(heap)
        entry[2](entry[3])  # type: ignore[operator]
    return time.perf_counter() - t0


def pattern_matches(n: int) -> float:
    """Seconds for `n` matches of the sample patterns against sample events."""
    patterns = [
        compile_pattern({"source": ["orders"], "detail-type": ["OrderCreated", "OrderShipped"]}),
        compile_pattern({"source": [{"prefix": ""}]}),
    ]
    pairs = [(p, e) for p in patterns for e in EVENTS]
    rounds = n // len(pairs)
    t0 = time.perf_counter()
    for _ in range(rounds):
        for p, e in pairs:
            p.matches(e)
    return time.perf_counter() - t0


def main() -> int:
    # Each figure is the best of several rounds, so that a burst of load on a shared machine
    # skews no ratio. The year and its bare steps take milliseconds, so they get more rounds
    # than the matches, and their rounds alternate: a change of load while they run then
    # falls on both sides of the ratio instead of on one.
    _, events, fires = year_of_schedules()  # also warms the imports and caches up
    work = year_work()
    years: list[float] = []
    bares: list[float] = []
    floors: list[float] = []
    for _ in range(YEAR_ROUNDS):
        years.append(year_of_schedules()[0])
        bares.append(bare_steps(events))
        floors.append(floor_steps(*work))
    year, bare_year, floor_year = min(years), min(bares), min(floors)
    matches = min(pattern_matches(100_000) for _ in range(3))
    bare_match = min(bare_steps(100_000) for _ in range(3))
    print(f"one simulated year of the combined stack: {fires} schedule fires, {events:,} events")
    print(
        f"  {year:.3f} s; {year / bare_year:.2f}x the same count of bare heapq steps "
        "(target <= 10x, < 5 s)"
    )
    print(
        f"  the same work's floor ({work[1]:,} trace records and {work[2]:,} ids in "
        f"{work[0]:,} bare steps, nothing else): {floor_year / bare_year:.2f}x"
    )
    print(
        f"100,000 pattern matches: {matches:.3f} s; {matches / bare_match:.2f}x 100,000 bare "
        "heapq steps"
    )
    ok = year / bare_year <= 10 and year < 5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
