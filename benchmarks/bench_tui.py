"""Terminal UI responsiveness, measured with Textual's Pilot in one run.

1. Key press latency: the job-queue stack with 100,000 messages queued and 100,000 trace
   records in the app; each measured key press is handled and the screen repainted
   (`pilot.press` returns once the app is idle again). Target: under 100 ms.
2. Live throughput: trace records per second while the app runs the clock at full speed
   (frames, batching and pane updates included), against the headless simulator on the same
   workload in the same process. Target: a ratio of at least 0.5.

Run: `.venv/bin/python benchmarks/bench_tui.py` (add `--messages N` for a smaller run).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from stptui.commands import Session
from stptui.sim.clock import parse_instant
from stptui.tui.app import StptuiApp
from stptui.tui.live import SPEEDS

STACK = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "job-queue"
START = parse_instant("2026-01-05T08:00:00Z")
KEYS = ("down", "down", "up", "2", "down", "up", "3", "up", "up", "end", "1", "down", "4", "5")


def loaded_session(messages: int, records: int) -> Session:
    """The job-queue stack with `messages` queued and at least `records` trace records."""
    s = Session.open(STACK, start_ms=START)
    sim = s.sim
    # Sent straight to the simulator: building 100,000 command lines would measure the
    # parser, not the UI.
    for i in range(records):
        sim.send("deadLetterQueue", f'{{"orderId": {i}}}')
    for i in range(messages):
        sim.send("jobQueue", f'{{"orderId": {i}, "amount": {i % 2000}}}')
    return s


async def key_latency(messages: int, records: int) -> list[float]:
    """Milliseconds per key press (handled and repainted) on a loaded app."""
    app = StptuiApp(loaded_session(messages, records))
    times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        for key in KEYS:
            t0 = time.perf_counter()
            await pilot.press(key)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def headless_rate(messages: int, seconds: float) -> float:
    """Trace records per second of the bare simulator on the workload."""
    s = loaded_session(messages, 0)
    sim = s.sim
    start_seq = sim.trace.seq
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while time.perf_counter() < deadline:
        sim.clock.run_until(sim.clock.now + 60_000)
    return (sim.trace.seq - start_seq) / (time.perf_counter() - t0)


async def app_rate(messages: int, seconds: float) -> float:
    """Trace records per second with the app mounted and running at full speed."""
    app = StptuiApp(loaded_session(messages, 0), speed_index=len(SPEEDS) - 1)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        sim = app.session.sim
        start_seq = sim.trace.seq
        await pilot.press("space")
        t0 = time.perf_counter()
        await pilot.pause(seconds)
        await pilot.press("space")
        elapsed = time.perf_counter() - t0
        return (sim.trace.seq - start_seq) / elapsed


def main() -> int:
    """Run both measurements and print the figures; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    lat = asyncio.run(key_latency(args.messages, args.records))
    print(
        f"key press with {args.messages:,} messages and {args.records:,}+ records: "
        f"median {statistics.median(lat):.1f} ms, max {max(lat):.1f} ms over {len(lat)} keys"
    )
    headless = headless_rate(args.messages, args.seconds)
    live = asyncio.run(app_rate(args.messages, args.seconds))
    ratio = live / headless
    print(f"headless simulator: {headless:,.0f} records/s")
    print(f"app at full speed:  {live:,.0f} records/s")
    print(f"ratio app/headless: {ratio:.2f} (target >= 0.5)")
    ok = max(lat) < 100 and ratio >= 0.5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
