"""The one command language of stptui: `send`, `invoke`, `advance`, `fail`, `show`, `expect`...

Every front end (the `stptui run` script runner, the REPL, the TUI's command line, palette
and dialogs) ends in `execute(session, line)`, which parses the line with shell rules,
runs the command and returns a `CommandResult`. A command that cannot run raises
`CommandError(message, hint)` and changes nothing; a failed `expect` raises
`ExpectationFailed`, a subclass. The registry (`REGISTRY`) declares every command once and
is the source of help, usage lines and completion.
"""

from __future__ import annotations

from stptui.commands.handlers import REGISTRY, TRACE_KINDS
from stptui.commands.registry import (
    Arg,
    Call,
    Command,
    CommandError,
    ExpectationFailed,
    Option,
    Registry,
    strip_comment,
    tokenize,
)
from stptui.commands.result import CommandResult, record_line, render_plain
from stptui.commands.session import Session, SessionError
from stptui.sim.engine import SimError


def execute(session: Session, line: str) -> CommandResult:
    """Run one command line against the session and return what it did.

    A blank or comment-only line returns an empty result. Raises CommandError (with a hint)
    when the command cannot run; the simulation is then exactly as it was."""
    call = REGISTRY.parse(line)
    if call is None:
        return CommandResult()
    sim = session.sim
    before = sim.trace.seq
    try:
        result = call.command.handler(session, call)
    except SimError as exc:
        # Handlers validate before acting, so a SimError here was raised before any change.
        raise CommandError(str(exc), exc.hint) from None
    if call.command.changes_state:
        session.log.append(strip_comment(line).strip())
    if session.sim is sim and not result.records:
        result.records = list(sim.trace.since(before))
    return result


def complete_values(session: Session, kind: str) -> list[str]:
    """The values an argument of `kind` can take in this session (for completion)."""
    from stptui.commands import registry as r

    sim = session.sim
    if kind == r.QUEUE:
        return sorted(sim.queues)
    if kind == r.DLQ:
        return sorted(n for n, q in sim.queues.items() if q.sources)
    if kind == r.FUNCTION:
        return sorted(sim.functions)
    if kind == r.COMMAND:
        return list(REGISTRY.commands)
    if kind == r.BUS:
        return sorted(k for k, b in sim.services["buses"].buses.items() if not b.external)
    if kind == r.TOPIC:
        return sorted(k for k, t in sim.services["topics"].topics.items() if not t.external)
    if kind == r.SCHEDULED:
        return sorted(sim.services["schedules"].by_owner)
    return []


__all__ = [
    "REGISTRY",
    "TRACE_KINDS",
    "Arg",
    "Call",
    "Command",
    "CommandError",
    "CommandResult",
    "ExpectationFailed",
    "Option",
    "Registry",
    "Session",
    "SessionError",
    "complete_values",
    "execute",
    "record_line",
    "render_plain",
    "tokenize",
]
