"""Commands that override what a function, batch job or container workload does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stptui.commands.handlers.base import command, parse_payload, read_duration, whole_number
from stptui.commands.handlers.containers import unreached_note
from stptui.commands.registry import (
    COUNT,
    DURATION,
    PAYLOAD,
    WORD,
    WORKLOAD,
    Arg,
    Call,
    CommandError,
    Option,
    quote_word,
    typed_after,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim import trace as tk
from stptui.sim.behavior import (
    BehaviorError,
    Override,
    add_override,
    format_duration,
    parse_override,
    quoted_text_warning,
)
from stptui.sim.behavior.errors import compact_json
from stptui.sim.behavior.overrides import FAIL_FORMS, drop_replaced
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.batch import BatchJobSim
from stptui.sim.services.function import FunctionSim
from stptui.textsafe import printable

# -- behaviour -------------------------------------------------------------------------------

_TARGET_HELP = (
    "a function, batch job or container workload of the stack (WORKLOAD.CONTAINER: one container)"
)


@dataclass(slots=True)
class _Target:
    """Where an override goes: `name` as the override names it, `resource` the stack
    resource its trace record is on, `overrides` the list it joins, `replaced` the lists in
    which it replaces the same kind (a container workload's containers' own lists)."""

    name: str
    resource: str
    overrides: list[Override]
    replaced: list[list[Override]]
    active: Callable[[], list[Override]]


def _target(sim: Simulator, name: str) -> _Target:
    """The function, batch job, container workload or `WORKLOAD.CONTAINER` called `name`
    (they take the same overrides); else a CommandError whose did-you-mean looks at all."""
    try:
        hit = sim.override_target(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    if isinstance(hit, FunctionSim | BatchJobSim):
        fn = hit
        return _Target(fn.name, fn.name, fn.overrides, [], lambda: fn.overrides)
    ws, container = hit
    if container is None:
        lists = list(ws.container_overrides.values())
        return _Target(ws.name, ws.name, ws.overrides, lists, ws.active_overrides)
    own = ws.container_overrides[container]
    # What applies to the container: its own, then the workload's.
    return _Target(f"{ws.name}.{container}", ws.name, own, [], lambda: [*own, *ws.overrides])


def _override(session: Session, verb: str, call: Call, words: list[str]) -> CommandResult:
    sim = session.sim
    target, ov = _parsed(sim, verb, call, words)
    name = target.name
    add_override(target.overrides, ov)
    for replaced in target.replaced:
        drop_replaced(replaced, ov)
    active = [o.describe() for o in target.active()]
    sim.trace.emit(
        (
            sim.clock.now,
            tk.BEHAVIOR_OVERRIDDEN,
            target.resource,
            {"override": ov.label(), "active": active},
        )
    )
    text = f"{quote_word(name)} overrides: {_phrases(active, name)}"
    quoted = quoted_text_warning(ov.expression) if ov.expression else None
    if quoted is not None:
        # Valid JMESPath, so the override applies; but it almost never holds as written.
        text += f"\nnote: {quoted[0]}; {quoted[1]}"
    behaviors = session.behaviors_path.name if session.behaviors_path else "stptui.yml"
    if (idle := unreached_note(sim, target.resource, printable(behaviors))) is not None:
        # Accepted (a `poll` item added and reloaded makes it apply), but said: a worker
        # whose override never fires looks like an override that does nothing.
        text += f"\nnote: {idle}"
    return CommandResult(text, data={"function": name, "override": ov.label(), "active": active})


def _parsed(sim: Simulator, verb: str, call: Call, words: list[str]) -> tuple[_Target, Override]:
    """Where the override `call` asks for goes and the override, read as `parse_override`
    reads it (`words`: what follows the function); a CommandError in its words otherwise.
    Nothing changes: the REPL's check before Enter asks it too (`_check_fail`)."""
    target = _target(sim, call.args["function"])
    name = target.name
    if verb == "fail" and len(words) >= 2 and words[0].lower() == "next":
        # Read here: the override reader's int() refuses over 4,300 digits with a ValueError,
        # and its message would call -1 and 1.5 no whole numbers without saying N's bounds.
        # A bad count is named first even with words after it, as the REPL names it on Enter.
        whole_number(words[1], f"fail {quote_word(name)} next N")
    typed: str | None = None
    if verb == "fail" and len(words) > 2 and words[0].lower() == "when":
        # The condition as typed, quotes and all: splitting the line into words drops them.
        typed = typed_after(call.line, 3)
    try:
        ov = parse_override([verb, name, *words], typed)
    except BehaviorError as exc:
        raise CommandError(str(exc), exc.hint) from None
    if verb == "succeed" and (text := call.opts.get("returns")) is not None:
        ov.returns = _returns(sim, target, text, call.line)
    return target, ov


def _returns(sim: Simulator, target: _Target, text: str, line: str) -> str:
    """`succeed TARGET --returns JSON`'s JSON, as compact JSON text; a CommandError for
    text that is not JSON, or a batch job, which returns nothing to anyone."""
    batch = sim.services.get("batch")
    if batch is not None and target.resource in batch.jobs:
        raise CommandError(
            f"{quote_word(target.name)} is a batch job: its container exits with a status "
            "and returns nothing to a caller, so there is nothing for --returns to replace",
            f"write `succeed {quote_word(target.name)}` alone to make its attempts succeed",
            word="--returns",
        )
    value = parse_payload(
        text,
        "--returns needs JSON",
        f"succeed {quote_word(target.name)} --returns",
        line,
    )
    try:
        return compact_json(value, "--returns")
    except BehaviorError as exc:
        raise CommandError(str(exc), exc.hint, word=text) from None


def _check_succeed(sim: Simulator, call: Call) -> None:
    """`succeed`'s own check of a bound line: the REPL refuses a `--returns` that is not
    JSON (or is given to a batch job) before Enter runs it, in the command's words."""
    _parsed(sim, "succeed", call, [])


def _check_fail(sim: Simulator, call: Call) -> None:
    """`fail`'s own check of a bound line: its form read as the command reads it, so that
    the REPL refuses `fail worker sometimes` (and `fail worker rate`) in the command's
    words before Enter runs it."""
    _parsed(sim, "fail", call, call.args["mode"])


@command(
    "fail",
    "behaviour",
    "Make a function fail (always, the next N times, at a rate, or on a condition).",
    args=(
        Arg("FUNCTION", WORKLOAD, _TARGET_HELP),
        Arg(
            "MODE",
            WORD,
            FAIL_FORMS,
            optional=True,
            rest=True,
            choices=("always", "next", "rate", "when"),
            choice_help=(
                ("always", "every invocation fails"),
                ("next", "next N: the next N invocations fail"),
                ("rate", "rate P: each invocation fails with probability P (0.3 or 30%)"),
                ("when", "when JMESPATH: the invocations for which it holds fail"),
            ),
            # The word after `next` is a count: the REPL checks it before Enter.
            kind_after=(("next", COUNT),),
        ),
    ),
    usage=f"fail FUNCTION [{FAIL_FORMS}]",
    examples=(
        "fail worker",
        "fail worker next 3",
        "fail worker rate 0.3",
        "fail worker when \"body.kind == 'poison'\"",
    ),
    details=(
        "A new `fail` replaces the function's previous fail override; `succeed` clears it. "
        "A container workload's override applies to each of its containers and replaces "
        "their own; `WORKLOAD.CONTAINER` overrides one container. A container that fails "
        "a request resets the connection: the HTTP API answers 503, a load balancer 502. "
        "A workload that polls a queue takes them per message: a failed one is not deleted."
    ),
    changes_state=True,
    check_call=_check_fail,
)
def cmd_fail(session: Session, call: Call) -> CommandResult:
    """fail FUNCTION [always | next N | rate P | when JMESPATH]"""
    return _override(session, "fail", call, call.args["mode"])


@command(
    "succeed",
    "behaviour",
    "Clear a function's overrides and make it succeed (declared failures suppressed).",
    args=(Arg("FUNCTION", WORKLOAD, _TARGET_HELP),),
    options=(
        Option(
            "--returns",
            PAYLOAD,
            "what each successful invocation returns (a container: its HTTP answer)",
            "JSON",
        ),
    ),
    examples=(
        "succeed worker",
        'succeed api --returns \'{"statusCode": 200, "body": "ok"}\'',
    ),
    details=(
        "As a deploy of fixed code would: its `fail` and `slow` overrides go, and what the "
        "behaviours file declares that fails no longer does: `fail`, `timeout` and "
        "`partial` rules, and a duration past the timeout. A Python handler's own "
        "exceptions still fail. `undo` takes it back: the declared failures return.\n"
        "With --returns JSON, each invocation that succeeds returns JSON instead of what "
        "the behaviours file's `response` or the Python handler returns (the handler still "
        "runs: its calls and logs stand): for an HTTP API route of payload format 1.0 an "
        "object with a statusCode and a string body; for a container workload, its answer "
        'as a behaviour\'s `response` gives one ({"status": 201, "body": "ok"}). '
        "`succeed FUNCTION` alone puts the declared response back; a batch job returns "
        "nothing, so takes no --returns."
    ),
    changes_state=True,
    check_call=_check_succeed,
)
def cmd_succeed(session: Session, call: Call) -> CommandResult:
    """succeed FUNCTION [--returns JSON]"""
    return _override(session, "succeed", call, [])


@command(
    "slow",
    "behaviour",
    "Make every invocation of a function take DURATION.",
    args=(
        Arg("FUNCTION", WORKLOAD, _TARGET_HELP),
        Arg("DURATION", DURATION, "how long each invocation runs, e.g. 2s"),
    ),
    examples=("slow worker 2s", "slow worker 10m"),
    changes_state=True,
)
def cmd_slow(session: Session, call: Call) -> CommandResult:
    """slow FUNCTION DURATION"""
    ms = read_duration(call.args["duration"], "slow")  # the same reader as advance, for its message
    result = _override(session, "slow", call, [call.args["duration"]])
    fn = session.sim.functions.get(call.args["function"])
    if fn is not None and ms > fn.timeout_ms:
        # Legal, and a way to test timeouts; but said, so that a slowed function's failures
        # are not a surprise.
        result.text += (
            f"\nnote: {format_duration(ms)} is over {fn.name}'s timeout of "
            f"{format_duration(fn.timeout_ms)}: every invocation times out (Sandbox.Timedout)"
        )
    return result


def overrides_in_force(sim: Simulator, name: str) -> str:
    """The overrides in force on the function, batch job or container workload `name`, as
    `fail`, `succeed` and `slow` say them (`fail next 2 (1 left); slow 6m`, `none`); a
    CommandError for a name that is none of them."""
    target = _target(sim, name)
    return _phrases([o.describe() for o in target.active()], target.name)


def _phrases(active: list[str], name: str) -> str:
    return "; ".join(_without_name(d, name) for d in active) or "none"


def _without_name(described: str, name: str) -> str:
    """An active override as a phrase about the function already named: `fail next 2 (2
    left)` for `fail worker next 2 (2 left)`, and `succeed` (`--returns` or not) with what
    it means."""
    verb, _, rest = described.partition(" ")
    typed = quote_word(name)  # as `describe` names it
    if rest != typed and not rest.startswith(f"{typed} "):
        return described  # another's: a container workload's, or one of its containers'
    phrase = f"{verb}{rest[len(typed) :]}"
    if phrase == "succeed" or phrase.startswith("succeed --returns "):
        return f"{phrase} (declared failures suppressed)"
    return phrase
