"""What a look at one item costs on a long trace: `show message ID` and `explain ID` on a
trace of 10,000 records and of 1,000,000 (in a ring that keeps them all), as a ratio of
the two, measured in one run.

The session: the job-queue sample stack with its behaviours, `send` to `jobQueue` in a burst
and `advance 1h`, which runs the worker on every message (five records a message), in
a trace ring large enough to keep every record. The message looked at is the first one
named in the trace's second half. Printed for each size: the records, the first look after the run
(which brings the trace's index up to date: it reads each record emitted since the last
look once) and the best of `--rounds` looks after it (the index up to date, as when a user
moves the queue's message list and presses enter on message after message).

Targets: `show message` and `explain` at 1M records at most 5x what they cost at 10k: a
look reads the item's own records through the trace's index, not the trace (before the
index, a look read every record: 270-480 ms for `show message` at 100,000 records, 4-7 s at
a million, 10x and 100x the look at 10k). What is left is indexing the ring's deque, which
walks it from its nearer end, some 8,000 blocks to the middle of a million records: 0.2
ms against 0.04 ms. The process exits 1 when one is missed.
Run: `.venv/bin/python benchmarks/bench_inspect.py [--quick]` (`--quick`: 10k and 100k).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant
from stptui.sim.trace import RecordRing

STACK = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "job-queue"
START = parse_instant("2026-01-05T08:00:00Z")
# The worker's run of a message: sent, received, invocation started and succeeded,
# deleted.
RECORDS_A_MESSAGE = 5
TARGET = 5.0
LOOKS = ("show message", "explain")


def session_of(records: int) -> tuple[Session, str]:
    """A session whose trace holds about `records` records, every one in its ring, and the
    id of the message in the middle of it."""
    s = Session.open(STACK, start_ms=START)
    trace = s.sim.trace
    trace.settle()
    trace.records = RecordRing(max(records * 2, 200_000), trace.settle)
    n = max(1, records // RECORDS_A_MESSAGE)
    execute(s, f'repeat {n} send jobQueue \'{{"orderId": {{i}}, "amount": 10}}\'')
    execute(s, "advance 1h")
    ring = trace.records
    mid = next(r.data["message_id"] for r in ring[len(ring) // 2 :] if "message_id" in r.data)
    return s, mid


def looks(s: Session, mid: str, rounds: int) -> dict[str, tuple[float, float]]:
    """Seconds of each look at message `mid`: (the first, the best of `rounds` after it)."""
    out = {}
    for look in LOOKS:
        line = f"{look} {mid}"
        t0 = time.perf_counter()
        first = execute(s, line)
        took = time.perf_counter() - t0
        best = float("inf")
        for _ in range(rounds):
            t0 = time.perf_counter()
            again = execute(s, line)
            best = min(best, time.perf_counter() - t0)
            assert again.data == first.data
        out[look] = (took, best)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k records")
    parser.add_argument("--rounds", type=int, default=20, help="best of this many (default 20)")
    args = parser.parse_args(argv)
    small, large = (10_000, 100_000) if args.quick else (10_000, 1_000_000)
    figures = {}
    for size in (small, large):
        s, mid = session_of(size)
        count = len(s.sim.trace.records)
        figures[size] = looks(s, mid, args.rounds)
        for look, (first, best) in figures[size].items():
            print(
                f"  {count:>9,} records  {look:<13} first {first * 1000:8.2f} ms  "
                f"then {best * 1000:7.3f} ms"
            )
    ok = True
    for look in LOOKS:
        ratio = figures[large][look][1] / figures[small][look][1]
        print(f"{look}: {large:,} records / {small:,} records = {ratio:.2f}x (target <= {TARGET}x)")
        ok = ok and ratio <= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
