"""Commands that override what a function (or a batch job) does."""

from __future__ import annotations

import re

from stptui.commands.handlers.base import _duration, command, whole_number
from stptui.commands.registry import (
    COUNT,
    DURATION,
    WORD,
    WORKLOAD,
    Arg,
    Call,
    CommandError,
    strip_comment,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim import trace as tk
from stptui.sim.behavior import (
    BehaviorError,
    add_override,
    parse_override,
    quoted_text_warning,
)
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.batch import BatchJobSim
from stptui.sim.services.function import FunctionSim

# -- behaviour -------------------------------------------------------------------------------


def _workload(sim: Simulator, name: str) -> FunctionSim | BatchJobSim:
    """The function or batch job called `name` (both take the same overrides); else a
    CommandError whose did-you-mean looks at both, as the command takes both."""
    try:
        return sim.workload(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _override(session: Session, verb: str, call: Call, words: list[str]) -> CommandResult:
    sim = session.sim
    fn = _workload(sim, call.args["function"])
    if verb == "fail" and len(words) >= 2 and words[0].lower() == "next":
        # Read here: the override reader's int() refuses over 4,300 digits with a ValueError,
        # and its message would call -1 and 1.5 no whole numbers without saying N's bounds.
        # A bad count is named first even with words after it, as the REPL names it on Enter.
        whole_number(words[1], f"fail {fn.name} next N")
    typed: str | None = None
    if verb == "fail" and len(words) > 2 and words[0].lower() == "when":
        # The condition as typed, quotes and all: splitting the line into words drops them.
        typed = re.sub(r"^\s*(?:\S+\s+){3}", "", strip_comment(call.line), count=1)
    try:
        ov = parse_override([verb, fn.name, *words], typed)
    except BehaviorError as exc:
        raise CommandError(str(exc), exc.hint) from None
    add_override(fn.overrides, ov)
    active = [o.describe() for o in fn.overrides]
    sim.trace.emit(
        (sim.clock.now, tk.BEHAVIOR_OVERRIDDEN, fn.name, {"override": ov.label(), "active": active})
    )
    text = f"{fn.name} overrides: {'; '.join(_without_name(d, fn.name) for d in active)}"
    quoted = quoted_text_warning(ov.expression) if ov.expression else None
    if quoted is not None:
        # Valid JMESPath, so the override applies; but it almost never holds as written.
        text += f"\nnote: {quoted[0]}; {quoted[1]}"
    return CommandResult(text, data={"function": fn.name, "override": ov.label(), "active": active})


@command(
    "fail",
    "behaviour",
    "Make a function fail (always, the next N times, at a rate, or on a condition).",
    args=(
        Arg("FUNCTION", WORKLOAD, "a function or batch job of the stack"),
        Arg(
            "MODE",
            WORD,
            "always | next N | rate P | when JMESPATH",
            optional=True,
            rest=True,
            choices=("always", "next", "rate", "when"),
            # The word after `next` is a count: the REPL checks it before Enter.
            kind_after=(("next", COUNT),),
        ),
    ),
    usage="fail FUNCTION [always | next N | rate P | when JMESPATH]",
    examples=(
        "fail worker",
        "fail worker next 3",
        "fail worker rate 0.3",
        "fail worker when \"body.kind == 'poison'\"",
    ),
    details="A new `fail` replaces the function's previous fail override; `succeed` clears it.",
    changes_state=True,
)
def cmd_fail(session: Session, call: Call) -> CommandResult:
    """fail FUNCTION [always | next N | rate P | when JMESPATH]"""
    return _override(session, "fail", call, call.args["mode"])


@command(
    "succeed",
    "behaviour",
    "Clear a function's overrides and make it succeed (declared failures suppressed).",
    args=(Arg("FUNCTION", WORKLOAD, "a function or batch job of the stack"),),
    examples=("succeed worker",),
    changes_state=True,
)
def cmd_succeed(session: Session, call: Call) -> CommandResult:
    """succeed FUNCTION"""
    return _override(session, "succeed", call, [])


@command(
    "slow",
    "behaviour",
    "Make every invocation of a function take DURATION.",
    args=(
        Arg("FUNCTION", WORKLOAD, "a function or batch job of the stack"),
        Arg("DURATION", DURATION, "how long each invocation runs, e.g. 2s"),
    ),
    examples=("slow worker 2s", "slow worker 10m"),
    changes_state=True,
)
def cmd_slow(session: Session, call: Call) -> CommandResult:
    """slow FUNCTION DURATION"""
    _duration(call.args["duration"], "slow")  # the same reader as advance, for its message
    return _override(session, "slow", call, [call.args["duration"]])


def _without_name(described: str, name: str) -> str:
    """An active override as a phrase about the function already named: `fail next 2 (2
    left)` for `fail worker next 2 (2 left)`, and `succeed` with what it means."""
    verb, _, rest = described.partition(" ")
    if rest == name or rest.startswith(f"{name} "):
        rest = rest[len(name) :]
    phrase = f"{verb}{rest}"
    return f"{phrase} (declared failures suppressed)" if phrase == "succeed" else phrase
