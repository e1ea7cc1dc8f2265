"""`expect`: assertions on statistics, trace counts and time."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stptui.commands.handlers.base import TRACE_KINDS, _function, _queue, _short, command
from stptui.commands.registry import (
    EXPECT_PATH,
    OPERATOR,
    TRACE_KIND,
    VALUE,
    Arg,
    Call,
    CommandError,
    ExpectationFailed,
    names,
    unglued,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.config.diagnostics import did_you_mean
from stptui.sim import trace as tk
from stptui.sim.clock import InstantRangeError, iso_ms, parse_instant
from stptui.sim.engine import SimError, Simulator

# -- assert ----------------------------------------------------------------------------------

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
# Comparisons people type by habit from other languages (SQL's = and <>, JavaScript's ===
# and !==, =<, => and a reversed =!): close to one of OPS in meaning, not in spelling
# (did_you_mean("=") is ">=").
OP_TYPOS = {"=": "==", "===": "==", "<>": "!=", "=!": "!=", "!==": "!=", "=<": "<=", "=>": ">="}
QUEUE_FIELDS = ("visible", "in_flight", "delayed", "depth")
FUNCTION_FIELDS = ("invocations", "successes", "failures", "throttles", "running")
JOB_FIELDS = ("submitted", "attempts", "attempt_failures", "succeeded", "failed", "running")
EXPECT_PATHS = (
    f"queue.Q.{'|'.join(QUEUE_FIELDS)}",
    f"function.F.{'|'.join(FUNCTION_FIELDS)}",
    f"job.J.{'|'.join(JOB_FIELDS)}",
    "count KIND [RESOURCE]",
    "time",
)


@command(
    "expect",
    "assert",
    "Check a statistic, a trace count or the time; a script stops if it does not hold.",
    args=(
        Arg(
            "PATH",
            EXPECT_PATH,
            "queue.Q.FIELD, function.F.FIELD, count KIND [RESOURCE] or time",
            rest=True,
            kind_after=(("count", TRACE_KIND),),
        ),
        Arg("OP", OPERATOR, " ".join(OPS), choices=tuple(OPS)),
        Arg("VALUE", VALUE, "a whole number; an ISO-8601 instant for time"),
    ),
    details=f"queue FIELDs: {', '.join(QUEUE_FIELDS)}\n"
    f"function FIELDs: {', '.join(FUNCTION_FIELDS)}\n"
    f"job (batch job) FIELDs: {', '.join(JOB_FIELDS)}\n"
    "count: trace records of KIND (on RESOURCE when given) since the start",
    examples=(
        "expect queue.jobQueue.depth == 0",
        "expect function.worker.failures >= 3",
        "expect count message.dead_lettered jobQueue == 1",
        "expect time == 2026-01-05T08:01:30Z",
    ),
)
def cmd_expect(session: Session, call: Call) -> CommandResult:
    """expect PATH OP VALUE"""
    sim = session.sim
    path_words: list[str] = call.args["path"]
    op: str = call.args["op"]
    value_text: str = call.args["value"]
    if op not in OPS:
        if not re.fullmatch(r"[=!<>]+", op):
            # No word of the line is a comparison (binding ends PATH at the first that
            # is), so OP is missing, not misspelt: `expect count message.sent 1`.
            glued = unglued(call.command, call.words, tuple(OPS))
            hint = (
                f"put spaces around the comparison: {glued}"
                if glued
                else f"usage: {call.command.usage}"
            )
            raise CommandError("expect needs OP", hint)
        guess = OP_TYPOS.get(op) or did_you_mean(op, OPS)
        raise CommandError(
            f"unknown comparison {op!r}",
            f"did you mean {guess}?" if guess else f"use one of {' '.join(OPS)}",
        )
    path, actual = _expect_actual(sim, path_words)
    if path == "time":
        try:
            expected: Any = parse_instant(value_text)
        except InstantRangeError as exc:
            raise CommandError(str(exc), "e.g. 2026-01-05T08:01:30Z") from None
        except (ValueError, OverflowError):
            raise CommandError(
                f"{value_text!r} is not an ISO-8601 instant", "e.g. 2026-01-05T08:01:30Z"
            ) from None
        shown_expected, shown_actual = iso_ms(expected), iso_ms(actual)
    else:
        example = f"e.g. expect {path} {op} 0"
        if re.fullmatch(r"-?\d{16,}", value_text):
            # A whole number, but no count reaches it: int() would refuse 4,300 digits.
            raise CommandError(
                f"{_short(value_text, 24)} is too large to compare {path} with (at most 15 digits)",
                example,
            )
        if not re.fullmatch(r"-?\d{1,15}", value_text):
            raise CommandError(
                f"{path} is a whole number; cannot compare it with {_short(value_text)!r}",
                example,
            )
        expected = int(value_text)
        shown_expected, shown_actual = str(expected), str(actual)
    ok = OPS[op](actual, expected)
    data = {"path": path, "op": op, "expected": shown_expected, "actual": shown_actual, "ok": ok}
    if not ok:
        raise ExpectationFailed(
            f"expected {path} {op} {shown_expected}, actual {shown_actual}",
            _elsewhere(sim, path_words) if actual == 0 else None,
        )
    return CommandResult(f"ok: {path} {op} {shown_expected} (actual {shown_actual})", data=data)


def statistic(sim: Simulator, path: str) -> int | None:
    """The value now of a one-word expect PATH (`queue.Q.F`, `function.F.F`, `job.J.F`), or
    None when it names no statistic of this stack."""
    try:
        return _expect_actual(sim, [path])[1]
    except CommandError:
        return None


def _elsewhere(sim: Simulator, words: list[str]) -> str | None:
    """For `count KIND RESOURCE` at 0: the resources that do have KIND records, when there
    are some. Each kind happens on one kind of resource (`message.received` on a queue, not
    on the function that consumes it), and a count on the other kind stays 0 for ever."""
    if len(words) != 3 or words[0] != "count":
        return None
    kind = words[1]
    on = sorted({r for (k, r), n in sim.trace.counts.items() if k == kind and n})
    if not on:
        return None
    return f"{kind} records so far are on {', '.join(on)}, not on {words[2]}"


def _expect_actual(sim: Simulator, words: list[str]) -> tuple[str, int]:
    """(the path as text, its current value) for an expect PATH."""
    hint = "paths: " + ", ".join(EXPECT_PATHS)
    if words == ["time"]:
        return "time", sim.clock.now
    if words and words[0] == "count":
        if len(words) not in (2, 3):
            raise CommandError("expect count needs KIND [RESOURCE] then OP VALUE", hint)
        kind = words[1]
        if kind not in TRACE_KINDS:
            guess = did_you_mean(kind, TRACE_KINDS)
            raise CommandError(
                f"unknown trace record kind {kind!r}",
                f"did you mean {guess!r}?" if guess else f"kinds: {', '.join(TRACE_KINDS)}",
            )
        resource = words[2] if len(words) == 3 else None
        if resource is not None and resource not in sim.stack.resources:
            guess = did_you_mean(resource, sim.stack.resources)
            raise CommandError(
                f"no resource named {resource!r}",
                f"did you mean {guess!r}?" if guess else f"resources: {names(sim.stack.resources)}",
            )
        path = f"count {kind}" + (f" {resource}" if resource else "")
        return path, sim.trace.count(kind, resource)
    if len(words) != 1:
        raise CommandError(f"cannot read {' '.join(words)!r} as a path", hint)
    parts = words[0].split(".")
    if len(parts) < 3 or parts[0] not in ("queue", "function", "job"):
        guess = did_you_mean(parts[0], ("queue", "function", "job", "count", "time"))
        raise CommandError(
            f"unknown path {words[0]!r}",
            f"did you mean {guess}...?" if guess and guess != parts[0] else hint,
        )
    # The statistic is the last part: a name written with AWS's `.fifo` suffix then gets a
    # did-you-mean of its stack name.
    kind, name, field = parts[0], ".".join(parts[1:-1]), parts[-1]
    fields = {"queue": QUEUE_FIELDS, "function": FUNCTION_FIELDS, "job": JOB_FIELDS}[kind]
    if field not in fields:
        guess = did_you_mean(field, fields)
        raise CommandError(
            f"{kind} has no statistic {field!r}",
            f"did you mean {kind}.{name}.{guess}?" if guess else f"use one of {', '.join(fields)}",
        )
    if kind == "queue":
        return words[0], sim.queue_stats(_queue(sim, name).name)[field]
    if kind == "job":
        return words[0], _job_stats(sim, name)[field]
    return words[0], sim.function_stats(_function(sim, name).name)[field]


def _job_stats(sim: Simulator, name: str) -> dict[str, int]:
    """A batch job's statistics, counted from the trace."""
    try:
        name = sim.services["batch"].job(name).name
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    count = sim.trace.count
    submitted = count(tk.BATCH_SUBMITTED, name)
    succeeded = count(tk.BATCH_SUCCEEDED, name)
    failed = count(tk.BATCH_FAILED, name)
    return {
        "submitted": submitted,
        "attempts": count(tk.BATCH_ATTEMPT_STARTED, name),
        "attempt_failures": count(tk.BATCH_ATTEMPT_FAILED, name),
        "succeeded": succeeded,
        "failed": failed,
        "running": submitted - succeeded - failed,
    }
