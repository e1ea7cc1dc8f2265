"""`log` and `show logs`: writing a line into a function's (or batch job's) CloudWatch Logs
group, and reading the group's recent lines."""

from __future__ import annotations

from stptui.commands.handlers.base import command, unquoted_json_check
from stptui.commands.registry import LOG_OWNER, TEXT, Arg, Call, CommandError
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.textsafe import Shown, log_line

# How many of a group's newest events `show logs` lists.
SHOWN_LOG_EVENTS = 50


_check_log = unquoted_json_check("message", "the line")


@command(
    "log",
    "messages",
    "Write a line into a function's (batch job's, container's) CloudWatch Logs group now, as "
    "its code would print it; the group's subscription filters match and deliver it.",
    args=(
        Arg(
            "FUNCTION",
            LOG_OWNER,
            "a function or batch job of the stack, or a container (WORKLOAD, or "
            "WORKLOAD.CONTAINER when it has several)",
        ),
        Arg("MESSAGE", TEXT, "the line, quoted as one word"),
    ),
    examples=(
        "log worker 'ERROR payment failed for order 42'",
        'log worker \'{"level": "ERROR", "orderId": 42}\'',
    ),
    details=(
        "The line goes into the log stream of the function's newest execution environment "
        "(a batch job's: of its newest attempt's container); before the first, into a "
        "stream of its own, as an environment's stream starts with its INIT_START line and "
        "a written line makes no environment (the first invocation is still a cold start). "
        "Each `cloudwatch-log` subscription of the group matches it against its filter "
        "pattern (`log.matched` / `log.skipped` with the reason) and delivers it at once; "
        "the answer gives each filter's delivery (`-> SUBSCRIBER (FILTER): EVENT ID`) or "
        "why the line did not pass."
    ),
    check_call=_check_log,
    changes_state=True,
    body_file="MESSAGE",
)
def cmd_log(session: Session, call: Call) -> CommandResult:
    """log FUNCTION MESSAGE"""
    sim = session.sim
    _check_log(sim, call)
    before = sim.trace.seq
    try:
        ev = sim.services["logs"].write(call.args["function"], call.args["message"])
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    # What each subscription filter did with the line, as `upload` says of notifications.
    lines = [f"wrote log event {ev.id} to {ev.stream}"]
    for r in sim.trace.since(before):
        where = f"{r.get('subscriber')} ({r.get('filter')})"
        if r.kind == tk.LOG_DELIVERED:
            lines.append(f"  -> {where}: {r.get('delivered_id')}")
        elif r.kind == tk.LOG_SKIPPED:
            why = r.get("reason")
            lines.append(f"  skipped {where}: {'; '.join(why) if isinstance(why, list) else why}")
        elif r.kind in (tk.LOG_DELIVERY_FAILED, tk.LOG_LOOP_STOPPED):
            lines.append(f"  not delivered to {where}: {r.get('error') or r.get('reason')}")
    return CommandResult(
        "\n".join(lines),
        data={"log_event_id": ev.id, "stream": ev.stream, "timestamp": ev.timestamp},
    )


def show_logs(sim: Simulator, name: str) -> CommandResult:
    """The newest lines of a workload's log group, with their streams and ids (messages
    are untrusted text, shown printable)."""
    try:
        group = sim.services["logs"].group(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    events = group.recent(SHOWN_LOG_EVENTS)
    streams = group.stream_count
    lines = [f"{group.name}: {streams} log stream{'s' * (streams != 1)}"]
    for sub in group.subscriptions:
        # The pattern as the config writes it: repr would double a regex's backslashes.
        if sub.pattern is None:
            pattern = f"invalid: {sub.error}"
        elif not sub.pattern.text.strip():
            pattern = "'' (every line passes)"
        else:
            pattern = f"'{sub.pattern.text}'"
        lines.append(f"subscription {sub.name} -> {sub.subscriber}: filter {pattern}")
    if not events:
        lines.append("no log events yet")
    # The stream's last 8 hex digits tell the environments apart. A line's event id (56
    # digits, wider than most lines) stays in the data: the trace records that name a line
    # (`log.written`, `log.matched`, `log.delivered`) carry it for `explain`.
    headers = ["time", "stream", "message"]
    # A tab is a gap to the next tab stop, as the console shows REPORT's fields (`log_line`).
    rows = [
        [iso_ms(ev.timestamp), ev.stream[-8:], Shown(log_line(ev.message.rstrip("\n")))]
        for ev in events
    ]
    data = {
        "group": group.name,
        "events": [
            {"id": ev.id, "timestamp": ev.timestamp, "stream": ev.stream, "message": ev.message}
            for ev in events
        ],
    }
    return CommandResult("\n".join(lines), table=(headers, rows) if rows else None, data=data)
