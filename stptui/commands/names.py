"""Words that name a resource of the stack, judged by the lookups the commands use.

A command's arguments say what each word is (`registry` kinds): a QUEUE, a FUNCTION, a
BUS... `name_problem` asks the simulator's own lookup of such a word, so that its message
and did-you-mean are the ones the command gives when it runs. Two front ends ask it: the
REPL's check of a line before Enter (`stptui.repl.validator`), and `stptui run`'s check of a
script before its first line (`commands.check_written`), which asks only of the kinds whose
names are fixed for the run (`FIXED_NAME_KINDS`): the stack's resources, which no command
makes or removes, unlike an id, a connection, or the resources trace records are on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from stptui.commands import registry as kinds
from stptui.commands.references import typed_reference
from stptui.commands.registry import Arg, Call, CommandError, Option
from stptui.sim.behavior import BehaviorError
from stptui.sim.engine import SimError

if TYPE_CHECKING:
    from stptui.commands.session import Session

# The kinds whose values name what the stack declares, and nothing a command makes: one
# that names nothing now names nothing at any later line of a run (until a `load` or a
# `reload` opens another stack: see `script.unrunnable`).
FIXED_NAME_KINDS = frozenset(
    {
        kinds.QUEUE,
        kinds.DLQ,
        kinds.FUNCTION,
        kinds.WORKLOAD,
        kinds.LOG_OWNER,
        kinds.BUS,
        kinds.TOPIC,
        kinds.SCHEDULED,
        kinds.PAUSABLE,
        kinds.MAPPING_SOURCE,
        "bucket",
        kinds.STREAM,
        kinds.TABLE,
        kinds.KAFKA_TOPIC,
        kinds.WEBSOCKET_API,
        kinds.USER_POOL,
        kinds.STATE_MACHINE,
        "batch-job",
        kinds.HTTP_ENTRY,
        kinds.FUNCTION_URL,
    }
)


# What `pause` and `resume` look up otherwise with `--trigger`: left to the line's turn.
_BY_TRIGGER = (kinds.PAUSABLE, kinds.MAPPING_SOURCE)


def given(before: Sequence[tuple[str, str]], *wanted: str) -> str | None:
    """The last value of one of `wanted` among the (kind, word) pairs `before`, if any."""
    return next((word for kind, word in reversed(before) if kind in wanted), None)


def name_problem(
    session: Session,
    kind: str,
    value: str,
    before: Sequence[tuple[str, str]] = (),
    command: str = "",
) -> CommandError | None:
    """What is wrong with `value` as a name of `kind` (a kind of FIXED_NAME_KINDS, or a
    WebSocket connection), as the command's own lookup says it (with its did-you-mean), or
    None: a name that is right, or a kind that names no resource. `before` holds the (kind,
    word) pairs of the values before it (the workload a `--trigger SOURCE` is of);
    `command`, the command's name, as a refusal that names it says it."""
    sim = session.sim
    try:
        if kind in (kinds.QUEUE, kinds.DLQ):
            sim.queue(value)  # `redrive` takes any queue with --to: not only DLQs
        elif kind == kinds.FUNCTION:
            sim.function(value)
        elif kind == kinds.WORKLOAD:
            sim.override_target(value)
        elif kind == kinds.LOG_OWNER:
            sim.services["logs"].group(value)
        elif kind == kinds.BUS:
            sim.services["buses"].bus(value)
        elif kind == kinds.TOPIC:
            sim.services["topics"].topic(value)
        elif kind == kinds.SCHEDULED:
            sim.services["schedules"].owner_rules(value)
        elif kind == kinds.PAUSABLE:
            from stptui.sim.mappings import (
                mappings_of,
                refuse_pollerless,
                refuse_unknown_workload,
            )

            refuse_unknown_workload(sim, value, command or "pause")
            refuse_pollerless(sim, value, command or "pause")
            if not mappings_of(sim, value):
                sim.services["schedules"].owner_rules(value)
        elif kind == kinds.MAPPING_SOURCE and (owner := given(before, kinds.PAUSABLE)):
            from stptui.sim.mappings import find_mapping

            find_mapping(sim, owner, value, command or "pause")
        elif kind == "bucket":
            sim.services["buckets"].bucket(value)
        elif kind == kinds.STREAM:
            from stptui.sim.services.stream import lookup_stream

            lookup_stream(sim, value)
        elif kind == kinds.TABLE:
            from stptui.sim.services.table import lookup_table

            lookup_table(sim, value)
        elif kind == kinds.KAFKA_TOPIC:
            from stptui.sim.services.kafka import lookup_topic

            lookup_topic(sim, value)
        elif kind in (kinds.WEBSOCKET_API, kinds.CONNECTION):
            from stptui.commands.handlers.websocket import check_websocket_value

            check_websocket_value(sim, kind, value)
        elif kind == kinds.USER_POOL:
            from stptui.commands.handlers.user_pools import check_pool

            check_pool(sim, value)
        elif kind == kinds.STATE_MACHINE:
            # Imported here: Step Functions' modules load only for the commands that need
            # them (see docs/design.md, Performance model).
            from stptui.sim.services.state_machine import lookup_machine

            lookup_machine(sim, value)
        elif kind == "batch-job" and "batch" in sim.services:
            sim.services["batch"].job(value)
        elif kind == kinds.HTTP_ENTRY:
            from stptui.commands.handlers.buckets_http_jobs import check_http_entry

            check_http_entry(sim, value)
        elif kind == kinds.FUNCTION_URL:
            from stptui.commands.handlers.function_urls import check_function_url

            check_function_url(sim, value)
    except (SimError, BehaviorError) as exc:
        return CommandError(str(exc), exc.hint, word=value)
    except CommandError as exc:
        exc.word = exc.word or value
        return exc
    return None


def bound_values(call: Call) -> Iterator[tuple[str | None, str, Arg | None, Option | None]]:
    """(kind, value, its argument, its option) of each value of the bound `call`, in the
    order `execute` reads them: the arguments (a `rest` argument's words each read as the
    kind its words before make it), then the options."""
    previous: str | None = None
    for arg in call.command.args:
        value = call.args.get(arg.key)
        if isinstance(value, list):
            for word, kind in zip(value, arg.rest_kinds(value, previous), strict=True):
                yield kind, word, arg, None
            previous = value[-1] if value else previous
        elif isinstance(value, str):
            yield arg.kind_for(previous), value, arg, None
            previous = value
    for opt in call.command.options:
        values = call.opts.get(opt.key)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str):
                yield opt.kind, value, None, opt


def misnamed(session: Session, call: Call) -> CommandError | None:
    """The first value of the bound `call` that must name a resource of a kind whose names
    are fixed for the run (FIXED_NAME_KINDS) and names none, with the error the command
    gives for it (its hint as `execute` gives it), or None. A reference (`$last`), and a
    word of a line `repeat` runs that holds `{i}`, are left to the line's turn: what they
    name is known only then. The words of a line `repeat` runs are judged as that
    command's (`repeat 5 send jobQeue x`)."""
    inner = _repeated(call)
    target = inner if inner is not None else call
    by_trigger = target.opts.get("trigger") is not None
    before: list[tuple[str, str]] = []
    for kind, value, _, _ in bound_values(target):
        if kind is None:
            continue
        before.append((kind, value))
        if kind not in FIXED_NAME_KINDS and kind != kinds.EXPECT_PATH:
            continue
        if typed_reference(value) is not None or (inner is not None and "{i}" in value):
            continue
        if kind in _BY_TRIGGER and by_trigger:
            # `pause W --trigger S` looks W up as a mapping's workload, not a schedule's
            # owner: a W that names nothing is refused ahead, the rest at the line's turn.
            if kind != kinds.PAUSABLE:
                continue
            error = unknown_workload(session, value, target.command.name)
        elif kind == kinds.EXPECT_PATH:
            error = _path_problem(session, value)
        else:
            error = name_problem(session, kind, value, before[:-1], target.command.name)
        if error is not None:
            from stptui.commands import explained

            if inner is not None:
                from stptui.commands.handlers.repeat import inner_hint

                error.hint = inner_hint(session, inner, error.hint)
            return explained(session, call, error)
    return None


def unknown_workload(session: Session, word: str, verb: str) -> CommandError | None:
    """The refusal of a `pause`/`resume` (`verb`) WORKLOAD that names no workload, as the
    line's turn gives it (`mappings.refuse_unknown_workload`); None for any other word."""
    from stptui.sim.mappings import refuse_unknown_workload

    try:
        refuse_unknown_workload(session.sim, word, verb)
    except SimError as exc:
        return CommandError(str(exc), exc.hint, word=word)
    return None


def _path_problem(session: Session, path: str) -> CommandError | None:
    """What is wrong with an `expect` PATH that names a figure of a resource of the stack
    (`queue.Q.depth`: its kind, name and field are the stack's), as `expect` says it; None
    for any other path (a metric's, `count ...`), which the line's turn judges."""
    from stptui.commands.handlers.expect import PATH_KINDS, check_path

    if path.split(".", 1)[0] not in PATH_KINDS or path.count(".") != 2:
        return None
    try:
        check_path(session.sim, path)
    except CommandError as exc:
        exc.word = exc.word or path
        return exc
    return None


def _repeated(call: Call) -> Call | None:
    """The line a `repeat` line runs, bound (with `{i}` still in its words), when it binds
    and `repeat` runs its command; else None (`repeat` itself refuses it at its turn)."""
    if call.command.name != "repeat":
        return None
    from stptui.commands.handlers import REGISTRY
    from stptui.commands.handlers.repeat import refusal
    from stptui.commands.registry import bind
    from stptui.textsafe import quote_word

    words = call.args.get("command")
    if not isinstance(words, list) or not words:
        return None
    try:
        inner = REGISTRY.get(words[0])
        if refusal(inner.name) is not None:
            return None
        return bind(inner, " ".join(quote_word(w) for w in words), words[1:])
    except CommandError:
        return None
