"""Python handlers (`handler: module:function`, run with --allow-code): what one invocation
costs, as ratios measured in one run.

The stack: three functions (the first two configured alike) and a queue nobody consumes.
`declared` has a declared behaviour (`duration: 10ms`); `trivial` a Python handler that returns
`{"ok": true}`; `sender` one that makes one `context.send` and one boto3 `send_message` to
the queue. Each scenario is `repeat N --every 1ms invoke FUNCTION '{}'` then `advance 1h`,
from a fresh session, as a user types it. Printed for each: seconds, microseconds an
invocation, and the ratio to N bare heapq steps and (for the handlers) to the declared
behaviour's N invocations: the best of `--rounds` rounds, each of which runs every scenario
and its bare steps, so that a change of load on a shared machine falls on both sides.

What a handler costs beyond a declared behaviour is its call's set-up: the handler's
environment put in `os.environ` and the shell's put back (handler_env: on Linux the whole
environment swapped in and out; elsewhere every variable of the shell unset and set again,
every variable of the handler's set and unset, a call), its modules and the boto3 stand-in
put in sys.modules and taken out (handler_modules), print() captured, the event copied, the
return value checked as JSON. Changed variable by variable, the environment's share grows
with the shell's size: the process's environment is padded to SHELL_VARIABLES variables for
the run (and is as it was after), so that a small shell does not flatter the figures; a
larger one costs more there (the line printed first gives its size).

Targets, set from figures measured on a shared 2-core machine (a bare step there is
0.15-0.25 us; a declared invocation with its command and records 17-30 us), with a margin
for its noise:
- a trivial handler: <= 6x the declared behaviour (it was 60-75x: every call walked
  sys.modules, some 400 modules, to claim the modules the handler imported, because the
  count that saves the walk spanned the stand-in's install; and `os.environ` was copied,
  decoded, twice a call; then 6.3-7.2x, about 35 us of it the environment's change and
  back, 100 putenv and unsetenv with a shell of 35 variables, which the C library does in
  time linear in the environment's size, now two pointers swapped). What is left, some
  45 us over the declared behaviour's, is the call's set-up (the context, print()
  captured, the event copied, the clock's and the boto3 stand-in's modules, the result
  checked as JSON);
- a handler that makes a `context.send` and a boto3 `send_message`: <= 12x the declared
  behaviour (it was 75-90x): two messages written at the call, each checked as SQS
  checks it (and as botocore checks the parameters), given an id and traced, some 30 us
  each, on top of the trivial handler.

`--quick` runs a tenth of each count, one round.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from baseline import bare_steps

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}"
STACK = f"""
serviceName: bench
resources:
  jobs:
    type: sqs-queue
  declared:
    type: function
    properties:
      {PKG}
  trivial:
    type: function
    properties:
      {PKG}
  sender:
    type: function
    properties:
      {PKG}
      connectTo: [jobs]
"""
HANDLERS = """
import os

import boto3

sqs = boto3.client("sqs")


def trivial(event, context):
    return {"ok": True}


def sender(event, context):
    context.send("jobs", {"from": "context"})
    sqs.send_message(QueueUrl=os.environ["STP_JOBS_URL"], MessageBody="from boto3")
    return {"ok": True}
"""
BEHAVIORS = """
behaviors:
  declared: {duration: 10ms}
  trivial: {duration: 10ms, handler: "handlers:trivial"}
  sender: {duration: 10ms, handler: "handlers:sender"}
"""
# name: (the function invoked, its invocations, the target ratio to the declared behaviour)
SCENARIOS: dict[str, tuple[str, int, float | None]] = {
    # More of them, so that both sides of a ratio take about as long (as much of a shared
    # machine's changes of load falls on each).
    "declared behaviour": ("declared", 25_000, None),
    "trivial Python handler": ("trivial", 5_000, 6.0),
    "handler, send + boto3 send": ("sender", 5_000, 12.0),
}
# The shell the handlers' environment replaces at each call, padded to this many variables.
SHELL_VARIABLES = 35


def session(folder: Path) -> Session:
    """The benchmark's stack, its behaviours and handlers written in `folder`, opened with
    --allow-code."""
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "handlers.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    (folder / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    return Session.open(
        folder / "stacktape.yml",
        behaviors_path=folder / "stptui.yml",
        start_ms=START,
        allow_code=True,
    )


def invocations(s: Session, function: str, n: int) -> None:
    """N invocations of `function`, one a millisecond (a burst would pass the account's
    1,000 concurrent executions and time the throttle), then the clock run an hour on."""
    execute(s, f"repeat {n} --every 1ms invoke {function} '{{}}'")
    execute(s, "advance 1h")


def run(folder: Path, function: str, n: int) -> tuple[float, Session]:
    """Seconds for N invocations of `function` from a fresh session, and the session."""
    s = session(folder)
    t0 = time.perf_counter()
    invocations(s, function, n)
    return time.perf_counter() - t0, s


@contextmanager
def padded_shell() -> Iterator[int]:
    """The process's environment with variables added up to SHELL_VARIABLES (none removed);
    yields how many it has."""
    added = [f"STPTUI_BENCH_PAD_{i}" for i in range(SHELL_VARIABLES - len(os.environ))]
    for name in added:
        os.environ[name] = "x" * 40
    try:
        yield len(os.environ)
    finally:
        for name in added:
            os.environ.pop(name, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of each count, one round")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many (default 3)")
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else max(1, args.rounds)
    ok = True
    with tempfile.TemporaryDirectory() as tmp, padded_shell() as shell:
        print(
            f"Python handlers, N invocations then `advance 1h`, a shell of {shell} "
            f"variables, best of {rounds}:"
        )
        folder = Path(tmp)
        best = dict.fromkeys(SCENARIOS, float("inf"))
        bare = dict.fromkeys(SCENARIOS, float("inf"))
        # Each round runs every scenario, so that a ratio's two sides are measured minutes
        # apart at most.
        for _ in range(rounds):
            for name, (function, n, _) in SCENARIOS.items():
                n = n // 10 if args.quick else n
                best[name] = min(best[name], run(folder, function, n)[0])
                bare[name] = min(bare[name], bare_steps(n))
        each = {
            name: best[name] / (n // 10 if args.quick else n)
            for name, (_, n, _) in SCENARIOS.items()
        }
        for name, (_, n, target) in SCENARIOS.items():
            n = n // 10 if args.quick else n
            per_step = best[name] / bare[name]
            line = (
                f"  {name:<28} {n:>6,} invocations {best[name]:6.2f} s "
                f"{each[name] * 1e6:7.1f} us each {per_step:7.0f}x a bare step"
            )
            if target is not None:
                ratio = each[name] / each["declared behaviour"]
                line += f", {ratio:4.2f}x the declared behaviour (target <= {target:g}x)"
                ok = ok and ratio <= target
            print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
