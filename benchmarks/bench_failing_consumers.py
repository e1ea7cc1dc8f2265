"""Consumers that fail forever, fast-forwarded a simulated week: seconds, and ratios per
event and per trace record to bare heapq steps measured in this run.

The stack (benchmarks/stacks/failing-consumers) has one consumer for each source Lambda
retries a failed batch of, and every consumer fails every invocation after 100 ms:

- Kafka: one record on one partition of `orders`. Lambda reads the batch again a second
  after each failure until the record expires with the topic's 7-day retention, so the
  partition is blocked all week (about 600,000 invocations).
- Kinesis: one record on `clicks` (a 168-hour retention), retried each second all week.
- DynamoDB stream: an item written to `carts` at the start of each day; the stream keeps a
  record 24 hours and is polled every 250 ms, so a failing batch is read about 3 times a
  second, all week.
- SQS: 100 messages on `jobs` (no dead-letter queue): each batch of 10 fails, returns after
  the 30 s visibility timeout and is received again, until the messages expire with the
  4-day retention.

Each scenario runs alone, from a fresh session, as a user does: the commands that set it up,
then `advance 7d` (in daily slices for the table's daily items). Printed for each: events,
trace records, seconds, and the seconds per event and per record as ratios to a bare heapq
step measured in the same run (the best of `--rounds` runs of each, alternating).

Targets:
- at most 15x a bare step per event. An attempt on a stream is two events (the read, the
  invocation's end) and three records (started, failed, retried) with an id and a log
  group entry; a scheduled invocation of the year in bench_event_sources.py is one or two
  records an event at up to 10x, so 15x is that work plus the batch's retry and its
  record. For SQS the target is per trace record: each of its events moves a poll's 10
  batches (about 16 records), so a ratio per event says nothing of the cost per message.
- a week of one blocked Kafka partition or Kinesis shard (1.1 million events) in under
  5 s: a run that took 14 s, which a user takes for a hang, is then a short wait. The
  table's stream, polled four times as often, and SQS are held to the ratio alone.

`--quick` runs a day instead of a week, one round, without the time target.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from baseline import bare_steps

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

STACK = Path(__file__).resolve().parent / "stacks" / "failing-consumers"
START = parse_instant("2026-01-01T00:00:00Z")
TARGET_SECONDS = 5.0
TARGET_RATIO = 15.0
# The scenarios held to TARGET_SECONDS for a week, and the one whose ratio is per record.
TIMED = ("Kafka partition", "Kinesis shard")
PER_RECORD = "SQS queue, no DLQ"


def session() -> Session:
    """The failing-consumers stack, with its behaviours (every consumer fails)."""
    return Session.open(STACK, start_ms=START)


def kafka(s: Session, hours: int) -> None:
    """One record on one partition, then `advance`."""
    execute(s, "produce orders '{\"orderId\": 1}' --key order-1")
    execute(s, f"advance {hours}h")


def kinesis(s: Session, hours: int) -> None:
    """One record on the stream's shard, then `advance`."""
    execute(s, 'put-record clicks \'{"page": "/"}\' --partition-key home')
    execute(s, f"advance {hours}h")


def dynamodb(s: Session, hours: int) -> None:
    """An item written at the start of each day (the stream keeps a record 24 hours)."""
    for day, start in enumerate(range(0, hours, 24)):
        execute(s, f'put-item carts \'{{"cartId": {{"S": "cart-{day}"}}}}\'')
        execute(s, f"advance {min(24, hours - start)}h")


def sqs(s: Session, hours: int) -> None:
    """100 messages, then `advance`."""
    for i in range(100):
        execute(s, f"send jobs '{{\"job\": {i}}}'")
    execute(s, f"advance {hours}h")


SCENARIOS: dict[str, Callable[[Session, int], None]] = {
    "Kafka partition": kafka,
    "Kinesis shard": kinesis,
    "DynamoDB stream": dynamodb,
    "SQS queue, no DLQ": sqs,
}


def run(scenario: Callable[[Session, int], None], hours: int) -> tuple[float, int, int]:
    """Seconds for the scenario's commands over `hours` simulated hours, the events they ran
    and the records emitted."""
    s = session()
    t0 = time.perf_counter()
    scenario(s, hours)
    elapsed = time.perf_counter() - t0
    return elapsed, s.sim.clock.events_run, s.sim.trace.seq


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a day, one round, no time target")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many (default 3)")
    args = parser.parse_args(argv)
    days = 1 if args.quick else 7
    rounds = 1 if args.quick else max(1, args.rounds)
    ok = True
    print(f"consumers failing forever for {days} simulated day(s), best of {rounds}:")
    for name, scenario in SCENARIOS.items():
        # Rounds alternate with their bare steps, so that a change of load on a shared
        # machine falls on both sides of the ratio.
        times: list[float] = []
        bares: list[float] = []
        events = records = 0
        for _ in range(rounds):
            elapsed, events, records = run(scenario, 24 * days)
            times.append(elapsed)
            bares.append(bare_steps(events))
        best, bare = min(times), min(bares)
        per_event = best / bare
        per_record = best / records / (bare / events)
        print(
            f"  {name:<18} {events:>10,} events {records:>10,} records  {best:6.2f} s  "
            f"{per_event:6.2f}x a bare step per event, {per_record:5.2f}x per record"
        )
        ratio = per_record if name == PER_RECORD else per_event
        ok = ok and ratio <= TARGET_RATIO
        ok = ok and (args.quick or name not in TIMED or best < TARGET_SECONDS)
    print(
        f"  (targets: <= {TARGET_RATIO:g}x a bare step per event, per record for SQS; a week "
        f"of the Kafka partition or Kinesis shard in < {TARGET_SECONDS:g} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
