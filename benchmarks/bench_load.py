"""Load put on a stack with `repeat`: seconds, and ratios per repetition and per event to
bare heapq steps measured in this run.

Every scenario runs from a fresh session of the job-queue sample stack with its behaviours
(the `api` function answers a route and sends a job to `jobQueue`, whose `worker` takes 2 s
a job), as a user types it:

- a burst of 100,000 `send` to `deadLetterQueue`, a standard queue with no consumer;
- 100,000 `send` to `jobQueue`, then `advance 1h`, which runs the worker on every one;
- 20,000 `http POST /jobs BODY`, one a millisecond, to the `api` function's route, then
  `advance 1h` (each request's job runs the worker too);
- `repeat 60000 --every 1ms send ...` to `jobQueue`, then `advance 1h`: one repetition a
  clock entry, with the consumer running between them.

Printed for each: repetitions, events the clock ran, seconds, and the seconds per
repetition and per event as ratios to the same count of bare heapq steps (the best of
`--rounds` runs of each, alternating with its bare steps).

Targets, per repetition (what the user asked for), set from figures measured on a shared
2-core machine (a bare step there is 0.15-0.25 us), with a margin for its noise:
- a burst `send` with no consumer: <= 100x (it was 150-165x). A send checks the body, makes an
  id, a message and its expiry entry and appends one trace record; the repetition's call is
  bound once for the whole repeat (its `{i}` written in), and `send` learns from the
  queue's answer whether a FIFO queue deduplicated it.
- a `send` the consumer runs out: <= 340x (it was 365-430x). Each message is also received,
  given to the worker in an SQS event, decided (its declared `fail: when` reads the JSON
  body) and deleted: about one event and four records more.
- an `http` request run out: <= 1,400x (it was 1,575-1,770x). A request is the route's match,
  the API Gateway event (headers, request context), the api function's invocation, whose
  declared behaviour sends a job and answers, the response, and the worker's run of that
  job: 4 events and 9 records, two of them invocations that evaluate JMESPath.
- a 1 ms `--every` send run out: <= 340x (it was 375-430x), as a burst's send run out,
  with one clock entry a repetition on top.
The clock does not run for a burst with no consumer, so it has no ratio per event.

`--quick` runs a tenth of each count, one round.
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

STACK = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "job-queue"
START = parse_instant("2026-01-05T08:00:00Z")


def session() -> Session:
    """The job-queue stack, with its behaviours."""
    return Session.open(STACK, start_ms=START)


def burst(s: Session, n: int) -> None:
    """N sends to a standard queue nobody consumes."""
    execute(s, f"repeat {n} send deadLetterQueue '{{\"orderId\": {{i}}}}'")


def consumed(s: Session, n: int) -> None:
    """N sends to the worker's queue, run out."""
    execute(s, f'repeat {n} send jobQueue \'{{"orderId": {{i}}, "amount": 10}}\'')
    execute(s, "advance 1h")


def http(s: Session, n: int) -> None:
    """N requests to the api function's route, one a millisecond (a burst would pass the
    function's 1,000 concurrent executions and time the throttle), run out."""
    execute(s, f'repeat {n} --every 1ms http POST /jobs \'{{"orderId": {{i}}, "amount": 10}}\'')
    execute(s, "advance 1h")


def every_ms(s: Session, n: int) -> None:
    """N sends one a millisecond, with the consumer running between them, run out."""
    execute(s, f'repeat {n} --every 1ms send jobQueue \'{{"orderId": {{i}}, "amount": 10}}\'')
    execute(s, "advance 1h")


# name: (the scenario, its repetitions, the target ratio per repetition)
SCENARIOS: dict[str, tuple[Callable[[Session, int], None], int, float]] = {
    "burst send, no consumer": (burst, 100_000, 100.0),
    "send, consumer run out": (consumed, 100_000, 340.0),
    "http to a function": (http, 20_000, 1_400.0),
    "send --every 1ms, run out": (every_ms, 60_000, 340.0),
}


def run(scenario: Callable[[Session, int], None], n: int) -> tuple[float, int]:
    """Seconds for the scenario's commands with `n` repetitions, and the events they ran."""
    s = session()
    t0 = time.perf_counter()
    scenario(s, n)
    elapsed = time.perf_counter() - t0
    return elapsed, s.sim.clock.events_run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each count, one round")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many (default 3)")
    parser.add_argument("--only", help="run only the scenarios whose name contains this")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else max(1, args.rounds)
    ok = True
    print(f"load with repeat on the job-queue stack, best of {rounds}:")
    for name, (scenario, n, target) in SCENARIOS.items():
        if args.only and args.only not in name:
            continue
        n = n // 10 if args.quick else n
        # Rounds alternate with their bare steps, so that a change of load on a shared
        # machine falls on both sides of the ratio.
        times: list[float] = []
        bare_reps: list[float] = []
        bare_events: list[float] = []
        events = 0
        for _ in range(rounds):
            elapsed, events = run(scenario, n)
            times.append(elapsed)
            bare_reps.append(bare_steps(n))
            if events:
                bare_events.append(bare_steps(events))
        best = min(times)
        per_rep = best / min(bare_reps)
        per_event = f"{best / min(bare_events):6.1f}x per event" if events else "no events"
        print(
            f"  {name:<26} {n:>8,} reps {events:>9,} events  {best:6.2f} s  "
            f"{per_rep:7.1f}x a bare step per repetition (target <= {target:,g}x), {per_event}"
        )
        ok = ok and per_rep <= target
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
