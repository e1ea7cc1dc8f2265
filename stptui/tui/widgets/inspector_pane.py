"""The Inspector pane: everything about the selected resource in one scrollable page.

The config's errors and warnings about it, properties (defaults marked, Stacktape's or AWS's),
triggers with their patterns, filters and schedules (with the next fire times), a queue's
counts, a stream's shards and readers, a Kafka topic's partitions and consumer groups, a
load balancer's rules and a bucket's objects and lifecycle rules (`inspector_sources`), a
WebSocket API's routes and connections (`inspector_websocket`), a user pool's hooks and
users (`inspector_users`), a resource's CloudWatch alarms with their states
(`inspector_alarms`), a state machine's states and executions (`inspector_machines`), the
environment the workload would get (its own variables and the exact `STP_*` names
`connectTo` injects), recent invocations from the trace, the behaviour declared in the
sidecar plus runtime overrides, what it declares it emits and what it emitted last
(`inspector_emits`), and a workload's log group with its newest lines and
subscriptions (`inspector_logs`).
"""

from __future__ import annotations

import contextlib
import json
from collections import deque
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from rich.text import Text

from stptui import graph as graphs
from stptui.config.envvars import STACKTAPE_SOURCE, EnvEntry, environments
from stptui.config.model import (
    BatchJob,
    Containerized,
    Function,
    HttpApiGateway,
    Queue,
    Stack,
    Workload,
)
from stptui.sim import trace as tk
from stptui.sim.behavior import Override, format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import Simulator
from stptui.sim.mappings import all_mappings
from stptui.sim.schedules import ScheduleError, parse_schedule
from stptui.sim.services.container import ContainerSim
from stptui.sim.trace import Record, RecordRing
from stptui.textsafe import flat, json_text, quote_word
from stptui.tui.render import (
    WHITESPACE,
    clock_time,
    display_time,
    fire_times,
    hanging,
    label_breaks,
    preview,
    safe,
    token_breaks,
)
from stptui.tui.widgets.agenda_pane import word_breaks
from stptui.tui.widgets.inspector_alarms import alarm_section
from stptui.tui.widgets.inspector_emits import EmissionLog, emits_section
from stptui.tui.widgets.inspector_logs import log_section
from stptui.tui.widgets.inspector_machines import state_machine_section
from stptui.tui.widgets.inspector_sources import (
    bucket_section,
    bus_section,
    kafka_section,
    load_balancer_section,
    stream_section,
    table_section,
)
from stptui.tui.widgets.inspector_users import users_section
from stptui.tui.widgets.inspector_websocket import websocket_section
from stptui.tui.widgets.line_views import TextView

RECENT_INVOCATIONS = 8
# Invocation records kept per function: enough for RECENT_INVOCATIONS starts and their ends
# among the throttles and retries of a busy function.
KEPT_PER_FUNCTION = RECENT_INVOCATIONS * 16
# How far back in the trace the invocation log looks when a simulation is (re)loaded.
SCAN_RECORDS = 20_000
# Every `invocation.*` kind, every `batch.*` kind (a batch job's runs) and a request and its
# response (a function URL's are the function's own records): a set lookup per record is
# cheaper than a prefix test.
INVOCATION_KINDS = frozenset(
    v for v in vars(tk).values() if isinstance(v, str) and v.startswith(("invocation.", "batch."))
) | {tk.HTTP_REQUEST, tk.HTTP_RESPONSE}
# A batch job's attempt ends in one of these; the execution's own end (batch.failed) follows
# the last attempt's and adds nothing to it (it ends a run that made no attempt: `_attempts`).
_ATTEMPT_ENDS = (tk.BATCH_ATTEMPT_FAILED, tk.BATCH_SUCCEEDED)
# What starts a run of an execution of a batch job's state machine: the execution, and
# each redrive of it.
_RUN_STARTS = (tk.BATCH_SUBMITTED, tk.BATCH_REDRIVEN)
# The error `batch.failed` gives an execution StopExecution ended (stptui's name): its run
# reads `aborted`, as Step Functions' status ABORTED.
_ABORTED = "ExecutionAborted"
# A line that wraps goes on this far in, so that the start of each entry stands out.
HANG = 2
# The characters of a property's JSON the page shows: a value cut at 72 (when it was one
# line) hid a third of the properties of the real configs, a database's engine version, a
# web service's environment and load balancing among them; nine in ten are shorter than
# 250. A state machine's definition, which the page shows state by state, is cut.
PROPERTY_LIMIT = 480
# The config's errors and warnings about a resource its page lists (`validate` has all).
MAX_CONFIG_PROBLEMS = 8
# What `pause` turned off reads as a paused schedule's box does.
PAUSED = "yellow"
# Recent invocations go on under the text after their time.
RECENT_HANG = len("00:00:00.000 ")
# Characters of a failed invocation's (or attempt's) error message on its line, as `show
# job` cuts it: eight of them must fit the page, and `explain ID` has the message whole.
ERROR_MESSAGE_PREVIEW = 60

# (typed attribute, the config key Stacktape reads it from) per resource class.
PROPERTY_KEYS: dict[type, tuple[tuple[str, str], ...]] = {
    Function: (
        ("timeout_s", "timeout"),
        ("memory_mb", "memory"),
        ("runtime", "runtime"),
        ("reserved_concurrency", "reservedConcurrency"),
    ),
    BatchJob: (
        ("cpu", "cpu"),
        ("memory_mb", "memory"),
        ("timeout_s", "timeout"),
        ("attempts", "attempts"),
        ("retry_interval_s", "retryIntervalSeconds"),
        ("retry_multiplier", "retryIntervalMultiplier"),
    ),
    Queue: (
        ("visibility_timeout_s", "visibilityTimeoutSeconds"),
        ("retention_s", "messageRetentionPeriodSeconds"),
        ("delay_s", "delayMessagesSecond"),
        ("max_message_bytes", "maxMessageSizeBytes"),
        ("long_polling_s", "longPollingSeconds"),
        ("fifo", "fifo"),
        ("max_receive_count", "maxReceiveCount"),
    ),
    HttpApiGateway: (("payload_format", "payloadFormat"),),
}
# The properties of PROPERTY_KEYS that Stacktape leaves out of the template when the config
# does not write them, so that AWS's own default applies: its queue resolver passes each of
# these through as it is (`resolveSqsQueue`: `MaximumMessageSize:
# resource.maxMessageSizeBytes`, ...), and SQS fills in what is missing (1 MiB, 30 s, 4 days,
# 0, 0). The others are Stacktape's: a function's timeout and memory (`RESOURCE_DEFAULTS`), a
# batch job's retries (its state machine) and an HTTP API's payload format ('1.0').
AWS_DEFAULTS: dict[type, frozenset[str]] = {
    Queue: frozenset(
        {
            "visibilityTimeoutSeconds",
            "messageRetentionPeriodSeconds",
            "delayMessagesSecond",
            "maxMessageSizeBytes",
            "longPollingSeconds",
        }
    ),
}


def compact(value: Any, limit: int = PROPERTY_LIMIT) -> str:
    """A config value as one line of JSON (which the page wraps between its tokens), cut
    past `limit` characters with how many more there are."""
    text = json_text(value, separators=(",", ":"), default=str)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text) - limit + 1:,} more characters)"


def _edge_line(text: Text, line: Text) -> None:
    """Add an edge's `line` (its label may hold compact JSON): wrapped as `_json_line`
    wraps, and also after the parenthesis a label's words follow (`label_breaks`)."""
    text.append_text(hanging(line, HANG, label_breaks(line.plain)))
    text.append("\n")


def _heading(text: Text, title: str) -> None:
    text.append(f"\n{title}\n", "bold underline")


def _json_line(text: Text, line: Text) -> None:
    """Add `line`, which may hold compact JSON: wrapped between its tokens, not inside a
    string or a number, and indented under its start."""
    text.append_text(hanging(line, HANG, token_breaks(line.plain)))
    text.append("\n")


class InvocationLog:
    """The latest `invocation.*` records of each function (and the batch records of
    `INVOCATION_KINDS`), and what each workload emitted (`emissions`), kept as the trace
    grows (a frame's batch at a time), so that showing a resource never scans the trace."""

    def __init__(self) -> None:
        self._kept: dict[str, deque[Record]] = {}
        self.emissions = EmissionLog()

    def reset(self, records: RecordRing) -> None:
        """Start over from a simulation's trace (its last SCAN_RECORDS records)."""
        self._kept.clear()
        self.note(records.of_kinds(INVOCATION_KINDS, SCAN_RECORDS, KEPT_PER_FUNCTION))
        self.emissions.reset(records, SCAN_RECORDS)

    def note(self, batch: Iterable[Record]) -> None:
        """Keep the invocation and emission records among `batch`."""
        self.emissions.note(batch)
        kept = self._kept
        for rec in [r for r in batch if r.kind in INVOCATION_KINDS]:
            log = kept.get(rec.resource)
            if log is None:
                log = kept[rec.resource] = deque(maxlen=KEPT_PER_FUNCTION)
            log.append(rec)

    def of(self, name: str) -> Sequence[Record]:
        """`name`'s kept invocation records, oldest first."""
        return self._kept.get(name, ())


def _invocations(name: str, records: Sequence[Record]) -> list[tuple[Record, Record | None]]:
    """The last invocations of `name`: (started, ended or None while running), newest first."""
    ends: dict[str, Record] = {}
    out: list[tuple[Record, Record | None]] = []
    for i in range(len(records) - 1, -1, -1):
        rec = records[i]
        if rec.resource != name or not rec.kind.startswith("invocation."):
            continue
        inv = rec.data.get("invocation_id")
        if rec.kind == tk.INVOCATION_STARTED:
            out.append((rec, ends.get(inv) if isinstance(inv, str) else None))
            if len(out) >= RECENT_INVOCATIONS:
                break
        elif isinstance(inv, str):
            ends.setdefault(inv, rec)
    return out


def _attempts(name: str, records: Sequence[Record]) -> list[tuple[Record, Record | None]]:
    """The last attempts of batch job `name`: (started, ended or None while running),
    newest first; an attempt is known by its execution and number (a redrive runs one
    again: each run has its own end). A run of an execution that made no attempt is an
    entry too, (its `batch.submitted` or `batch.redriven`, its `batch.failed` or None):
    Step Functions failed its first Task (States.Runtime) or it was stopped before that, or
    a redrive ran only Stacktape's Fail state. So is each failure of its trigger function,
    which started no execution (its `batch.trigger_failed`, as start and end)."""
    ends: dict[tuple[object, object], Record] = {}
    # Per execution, the end of its latest run seen (scanning back) and whether it made
    # an attempt: what a run's start finds of its own run.
    run_ends: dict[object, Record] = {}
    attempted: set[object] = set()
    out: list[tuple[Record, Record | None]] = []
    for i in range(len(records) - 1, -1, -1):
        rec = records[i]
        if rec.resource != name:
            continue
        kind = rec.kind
        execution = rec.data.get("execution_id")
        if kind == tk.BATCH_ATTEMPT_STARTED:
            out.append((rec, ends.pop((execution, rec.data.get("attempt")), None)))
            attempted.add(execution)
        elif kind in _ATTEMPT_ENDS:
            ends.setdefault((execution, rec.data.get("attempt")), rec)
            continue
        elif kind == tk.BATCH_FAILED:
            run_ends[execution] = rec
            continue
        elif kind == tk.BATCH_TRIGGER_FAILED:
            out.append((rec, rec))
        elif kind in _RUN_STARTS:
            end = run_ends.pop(execution, None)
            if execution in attempted:
                attempted.discard(execution)
                continue
            out.append((rec, end))
        else:
            continue
        if len(out) >= RECENT_INVOCATIONS:
            break
    return out


def describe_resource(
    name: str,
    stack: Stack,
    g: nx.MultiDiGraph,
    sim: Simulator,
    records: Sequence[Record],
    start_ms: int,
    init_command: str | None = None,
    emitted: Sequence[Record] = (),
) -> Text:
    """The inspector's page for one resource (or graph node) as Text. `init_command`: the
    `stptui init` line to point to on a handler's page when the session has no behaviours
    file (None when it has one); `emitted`: what the workload emitted last, oldest first
    (`EmissionLog.of`)."""
    text = Text()
    attrs: dict[str, Any] = dict(g.nodes[name]) if name in g else {}
    res = stack.resources.get(name)
    is_machine = res is not None and name in sim.services.get("state_machines", {})
    text.append(safe(attrs.get("label", name)), "bold")
    text.append(f"  {safe(res.type if res else attrs.get('kind', '?'))}\n", "italic")
    if res is None:
        props = attrs.get("props") or {}
        text.append("not defined in the stack\n" if attrs.get("missing") else "")
        if attrs.get("kind") == "schedule":
            # The node id is the name `fire`, `pause` and `resume` take for this schedule.
            text.append(f"{safe(name)}: fire, pause and resume take this id\n", "dim")
        for key, value in props.items():
            _json_line(text, Text(f"{safe(key)}: {safe(compact(value))}"))
    else:
        _config_problems(text, name, stack)
        # A state machine's executions and states come before its properties: its
        # definition is most of them, eight lines of JSON that filled an 80x24 page.
        if is_machine:
            state_machine_section(text, sim, name)
        _properties(text, res)
    _edges(text, name, g, sim, start_ms)
    if name in sim.queues:
        q = sim.queues[name]
        stats = sim.queue_stats(name)
        _heading(text, "Queue now")
        text.append(
            f"visible {stats['visible']:,}, in flight {stats['in_flight']:,}, "
            f"delayed {stats['delayed']:,}\n"
        )
        # The figures a narrow Queues pane leaves out of its table are all here.
        # When, not how old: the page is redrawn when the queue changes, not as time goes.
        age = q.oldest_age_ms(sim.clock.now)
        if age is not None:
            text.append(f"oldest message enqueued {iso_ms(sim.clock.now - age)}\n")
        if q.dlq is not None:
            depth = q.dlq.depth
            text.append(
                f"dead-letter queue {safe(q.dlq.name)} after {q.max_receive_count}, "
                f"{depth:,} message{'s' * (depth != 1)} in it\n",
                "red" if depth else "",
            )
        # Why messages wait with a consumer in sight, in `show queue`'s words.
        # A worker's pollers `pause` stopped wait the same way.
        stopped = {(m.workload, m.source) for m in all_mappings(sim) if m.polls and m.disabled}
        for workload, source in sorted(_disabled_mappings(sim)):
            if source == name:
                what = (
                    "pollers are stopped"
                    if (workload, source) in stopped
                    else "event source mapping is disabled"
                )
                line = Text(
                    f"{safe(workload)}'s {what}: its messages wait "
                    f"here ({_resume_line(workload, source)})",
                    PAUSED,
                )
                text.append_text(hanging(line, HANG))
                text.append("\n")
        if q.sources:
            srcs = ", ".join(safe(s.name) for s in q.sources)
            text.append(f"dead-letter queue of {srcs}", "red")
            text.append(" (r redrives it)\n")
    alarm_section(text, sim, name)
    stream_section(text, sim, name)
    topic = graphs.kafka_topic_name(g, name)
    if topic is not None:
        # A topic's node is `kafka:NAME`, known to the simulator by NAME; a legacy Upstash
        # topic (`upstash-kafka-topic`, as real starter projects write it) by its own.
        kafka_section(text, sim, topic)
    table_section(text, sim, name)
    load_balancer_section(text, sim, name)
    websocket_section(text, sim, name)
    users_section(text, sim, name)
    bucket_section(text, sim, name)
    bus_section(text, sim, name)
    if isinstance(res, Workload | Containerized):
        for container, env in environments(stack, res):
            _environment(text, env, container)
    batch = sim.services.get("batch")
    if name in sim.functions:
        _behaviour(text, name, sim, sim.functions[name].overrides, init_command, emitted)
        _recent(text, "Recent invocations", _invocations(name, records))
        _function_url(text, sim, name, records)
    elif batch is not None and name in batch.jobs:
        _behaviour(text, name, sim, batch.jobs[name].overrides, init_command, emitted)
        _recent(text, "Recent attempts", _attempts(name, records))
    containers = sim.services.get("containers")
    ws = containers.workloads.get(name) if containers is not None else None
    if ws is not None:
        _container_requests(text, sim, ws, init_command, emitted)
        _worker_polls(text, sim, name)
        if len(ws.containers) > 1:  # each container's group goes by WORKLOAD.CONTAINER
            for container in ws.containers:
                log_section(text, sim, f"{name}.{container}")
    log_section(text, sim, name)
    return text


def _config_problems(text: Text, name: str, stack: Stack) -> None:
    """The config's errors and warnings about the resource, first: a resource of an old
    syntax (`Type:`, `Properties:`) is `unknown` with no properties written, and only its
    diagnostics say why (`unknown key `Type` ... did you mean `type`?`); the note the UI
    opens with names only their count, and goes."""
    found = [d for d in stack.diagnostics if d.resource == name and d.severity != "info"]
    if not found:
        return
    errors = sum(d.severity == "error" for d in found)
    warnings = len(found) - errors
    counts = [
        f"{n} {word}{'s' * (n != 1)}" for n, word in ((errors, "error"), (warnings, "warning")) if n
    ]
    _heading(text, f"Config: {', '.join(counts)}")
    for d in found[:MAX_CONFIG_PROBLEMS]:
        # As `stptui validate` writes it, the file by its name: the page is narrow.
        name = safe(Path(d.file).name) if d.file else "<config>"
        where = f":{d.line}:{d.column or 1}" if d.file and d.line is not None else ""
        line = Text(f"{name}{where}: ", "dim")
        line.append(d.severity, "red" if d.severity == "error" else "yellow")
        line.append(f" {safe(d.code)}: ", "dim")
        # Composed lines, whose names `textsafe.named` quoted and escaped: as `flat` shows
        # a line, not as a value, whose escapes' backslashes would be written twice.
        line.append(flat(d.message))
        if d.hint:
            line.append(f"; {flat(d.hint)}", "italic")
        # A file name too long for the line goes on with `:line:col` whole after it: folded
        # at a `:` as a path is, `app.stacktape.yml:15:` then `11:` read as another place.
        breaks = [len(name), *(m.end() for m in WHITESPACE.finditer(line.plain))]
        text.append_text(hanging(line, HANG, breaks))
        text.append("\n")
    if len(found) > MAX_CONFIG_PROBLEMS:
        text.append(
            f"… and {len(found) - MAX_CONFIG_PROBLEMS} more: stptui validate lists them all\n",
            "dim",
        )


def _properties(text: Text, res: Any) -> None:
    _heading(text, "Properties")
    keys = PROPERTY_KEYS.get(type(res))
    if keys is None:
        if not res.properties:
            text.append("(none written)\n", "dim")
        for key, value in res.properties.items():
            _json_line(text, Text(f"{safe(key)}: {safe(compact(value))}"))
        return
    for attr, key in keys:
        value = getattr(res, attr, None)
        if value is None:
            continue
        # As the config writes it (`fifo: false`), not as Python prints a bool.
        shown = json.dumps(value) if isinstance(value, bool) else safe(value)
        line = Text(f"{key}: {shown}")
        if key in res.defaults or (attr == "timeout_s" and "timeout" in res.defaults):
            whose = "AWS" if key in AWS_DEFAULTS.get(type(res), ()) else "Stacktape"
            line.append(f"  ({whose} default)", "dim italic")
        text.append_text(hanging(line, HANG))
        text.append("\n")


def _disabled_mappings(sim: Simulator) -> set[tuple[str, str]]:
    """(workload, source node) of each event source mapping `pause --trigger` disabled."""
    return {(m.workload, m.source) for m in all_mappings(sim) if m.disabled}


def _resume_line(workload: str, source: str) -> str:
    """The command that enables the mapping again, as the command line types it."""
    return safe(f"resume {quote_word(workload)} --trigger {quote_word(source)}")


def _edges(text: Text, name: str, g: nx.MultiDiGraph, sim: Simulator, start_ms: int) -> None:
    if name not in g:
        return
    # A trigger whose mapping is disabled still draws its edge: the words say it is off.
    off = _disabled_mappings(sim)
    ins = list(g.in_edges(name, data=True))
    outs = list(g.out_edges(name, data=True))
    triggers = [(u, d) for u, _, d in ins if d.get("kind") == graphs.TRIGGER]
    if triggers:
        _heading(text, "Triggers")
        for u, d in triggers:
            expr = d.get("expression")
            if isinstance(expr, str):
                # A schedule's node is named by its expression: once is enough.
                line = _schedule_line(expr)
                text.append_text(hanging(line, HANG, word_breaks(line.plain)))
                text.append("\n")
                _next_fires(text, expr, sim.clock.now, start_ms)
                continue
            line = Text.assemble((f"{safe(g.nodes[u].get('label', u))} ", "bold"))
            line.append(safe(graphs.edge_label(d)))
            if (name, u) in off:
                line.append(f"  mapping disabled: {_resume_line(name, u)}", PAUSED)
            _edge_line(text, line)
    other_in = [(u, d) for u, _, d in ins if d.get("kind") != graphs.TRIGGER]
    if other_in or outs:
        _heading(text, "Edges")
        for u, d in other_in:
            line = Text.assemble((f"← {safe(u)} ", "bold"))
            line.append(safe(graphs.edge_label(d)))
            _edge_line(text, line)
        for _, v, d in outs:
            line = Text.assemble((f"→ {safe(v)} ", "bold"))
            line.append(safe(graphs.edge_label(d)))
            if d.get("kind") == graphs.TRIGGER and (v, name) in off:
                line.append("  mapping disabled", PAUSED)
            env = d.get("env")
            if env:
                line.append(f" [{safe(' '.join(env))}]", "dim")
            _edge_line(text, line)


def _schedule_line(expr: str) -> Text:
    """`schedule cron(0 9 * * ? *): at 09:00 UTC every day` (the expression alone when it
    does not parse: the config's diagnostics say why)."""
    line = Text.assemble(("schedule ", "bold"), safe(expr))
    with contextlib.suppress(ScheduleError):
        line.append(f": {parse_schedule(expr).describe()}")
    return line


def _next_fires(text: Text, expr: str, now: int, start_ms: int) -> None:
    try:
        sched = parse_schedule(expr)
    except ScheduleError:
        return
    t = now
    fires = []
    for _ in range(3):
        nxt = sched.next_after_ms(t, start_ms)
        if nxt is None:
            break
        fires.append(display_time(nxt))
        t = nxt
    if fires:
        text.append_text(fire_times("  next: ", fires, "dim"))
        text.append("\n")


def _environment(text: Text, env: list[EnvEntry], container: str | None) -> None:
    _heading(text, "Environment" if container is None else f"Environment of {safe(container)}")
    if not env:
        text.append("(none)\n", "dim")
    for entry in env:
        line = Text.assemble((safe(entry.name), "bold"))
        line.append(f"={safe(entry.value)}")
        source = _env_source(entry.source)
        if entry.overrides:
            source += f"; overrides connectTo {safe(', '.join(entry.overrides))}"
        line.append(f"  ({source})", "dim")
        text.append_text(hanging(line, HANG))
        text.append("\n")


def _env_source(source: str) -> str:
    """Where an environment variable comes from, in the inspector's words."""
    if source == "config":
        return "config"
    if source == STACKTAPE_SOURCE:
        return "set by Stacktape"
    return f"connectTo {safe(source)}"


def _behaviour(
    text: Text,
    name: str,
    sim: Simulator,
    overrides: Sequence[Override],
    init_command: str | None,
    emitted: Sequence[Record],
) -> None:
    _heading(text, "Behaviour")
    text.append_text(hanging(Text(f"declared: {safe(sim.behaviors.describe(name))}"), HANG))
    text.append("\n")
    if not sim.behaviors.declared(name):
        _init_line(text, init_command)
    if overrides:
        line = Text.assemble(("overridden: ", "magenta"))
        line.append("; ".join(safe(o.describe()) for o in overrides))
        text.append_text(hanging(line, HANG))
        text.append("\n")
    behaviors = sim.behaviors
    emits_section(text, behaviors.emit_items(name), emitted, behaviors.runs_code(name))


def _init_line(text: Text, init_command: str | None) -> None:
    """Where a handler with the default behaviour (null, in 100 ms) is on a page: the
    command that writes a starter behaviours file, when the session has none. The REPL's
    banner says the same (`starter_note`); a page is where the null result is seen."""
    if init_command is None:
        return
    line = Text.assemble(("no behaviours file: ", "dim"), (safe(init_command), "bold"))
    line.append(" writes a starter", "dim")
    text.append_text(hanging(line, HANG))
    text.append("\n")


def _recent(text: Text, title: str, recent: list[tuple[Record, Record | None]]) -> None:
    """Recent invocations (or batch attempts): when, how triggered, the outcome."""
    _heading(text, title)
    if not recent:
        text.append("(none yet)\n", "dim")
    for started, ended in recent:
        line = Text.assemble((clock_time(started.t), "dim"))
        kind = started.kind
        if kind == tk.BATCH_TRIGGER_FAILED:
            _trigger_failed(line, started)
            text.append_text(hanging(line, RECENT_HANG))
            text.append("\n")
            continue
        if kind == tk.BATCH_ATTEMPT_STARTED:
            how = f"attempt {started.get('attempt')}"
        elif kind == tk.BATCH_REDRIVEN:
            how = f"redrive {started.get('redrive_count')}"
        else:
            how = safe(started.get("trigger", ""))
        line.append(f" {how} ")
        # A run of a batch job's execution that made no attempt (`_attempts`).
        no_attempt = kind in _RUN_STARTS
        if ended is None:
            line.append("running", "bright_blue")
            if no_attempt:
                line.append(", no attempt started yet")
        else:
            # `invocation.failed` says failed; `batch.attempt.failed` and
            # `batch.succeeded` say it of the attempt, `batch.failed` of the execution.
            outcome = ended.kind.rsplit(".", 1)[1]
            error = ended.get("error")
            # A stopped execution's message is StopExecution's error and cause, if any.
            aborted = error == _ABORTED
            if aborted:
                outcome, error = "aborted", None
            line.append(outcome, "green" if outcome == "succeeded" else "red")
            if no_attempt:
                line.append(", no attempt started")
            duration = ended.get("duration_ms")
            if isinstance(duration, int):
                line.append(f" in {format_duration(duration)}")
            if error:
                line.append(f" {safe(error)}", "red")
            message = ended.get("error_message")
            if message and (error or aborted):
                # Only its start is escaped: a message can be 256 KB.
                cut = preview(str(message), ERROR_MESSAGE_PREVIEW)
                line.append(f": {cut}" if error else f" {cut}")
            # The time above is the handler's, as REPORT's Duration: the init phase of a
            # cold start came before it.
            init = ended.get("init_ms")
            if isinstance(init, int) and init:
                line.append(f", cold start {format_duration(init)}", "yellow")
            # A suppressed init (a reset environment's) is inside the time above.
            again = ended.get("suppressed_init_ms")
            if isinstance(again, int) and again:
                line.append(f", init again {format_duration(again)}", "yellow")
        text.append_text(hanging(line, RECENT_HANG))
        text.append("\n")


def _trigger_failed(line: Text, failed: Record) -> None:
    """A batch job's trigger function that failed (StartExecution refused its input): the
    trigger, why, and its source (a queue, a message's or a request's id)."""
    line.append(f" {safe(failed.get('trigger', ''))} ")
    line.append("trigger failed", "red")
    line.append(", no execution started")
    line.append(f" {safe(failed.get('error', ''))}", "red")
    line.append(f": {preview(str(failed.get('error_message', '')), ERROR_MESSAGE_PREVIEW)}")
    line.append(f" (from {safe(failed.get('source', ''))})", "dim")


def _url_requests(name: str, records: Sequence[Record]) -> list[tuple[Record, Record | None]]:
    """The last requests to function `name`'s URL: (request, response or None while the
    function runs), newest first; a request is known by its id."""
    answers: dict[object, Record] = {}
    out: list[tuple[Record, Record | None]] = []
    for i in range(len(records) - 1, -1, -1):
        rec = records[i]
        if rec.resource != name:
            continue
        if rec.kind == tk.HTTP_REQUEST:
            out.append((rec, answers.get(rec.data.get("request_id"))))
            if len(out) >= RECENT_INVOCATIONS:
                break
        elif rec.kind == tk.HTTP_RESPONSE:
            answers.setdefault(rec.data.get("request_id"), rec)
    return out


def _function_url(text: Text, sim: Simulator, name: str, records: Sequence[Record]) -> None:
    """A function's URL (`url: {enabled: true}`): where it answers, its auth type, CORS and
    invoke mode as `show routes` has them, and the requests it answered last: when, the
    request, the status (with the reason when Lambda answered it itself) and how long."""
    url = sim.services["function_urls"].urls.get(name)
    if url is None:
        return
    _heading(text, "Function URL")
    text.append_text(hanging(Text(safe(url.url)), HANG))
    text.append("\n")
    mode = "RESPONSE_STREAM" if url.config.streaming else "BUFFERED"
    cors = "CORS on" if url.cors is not None else "no CORS"
    text.append(f"auth {safe(url.config.auth_type)}, {cors}, invoke mode {mode}\n")
    _heading(text, "Recent URL requests")
    recent = _url_requests(name, records)
    if not recent:
        text.append("(none yet: h sends one)\n", "dim")
    for request, response in recent:
        line = Text.assemble((clock_time(request.t), "dim"))
        line.append(f" {safe(request.get('method', ''))} {safe(request.get('path', ''))} ")
        status = response.get("status") if response is not None else None
        if not isinstance(status, int):
            line.append("running", "bright_blue")
        else:
            line.append(
                str(status), "green" if status < 400 else "yellow" if status < 500 else "red"
            )
            latency = response.get("latency_ms") if response is not None else None
            if isinstance(latency, int):
                line.append(f" in {format_duration(latency)}")
            reason = response.get("reason") if response is not None else None
            if reason:
                line.append(f" {safe(reason)}", "dim")
        text.append_text(hanging(line, RECENT_HANG))
        text.append("\n")


def _container_requests(
    text: Text,
    sim: Simulator,
    ws: ContainerSim,
    init_command: str | None,
    emitted: Sequence[Record],
) -> None:
    """A container workload's behaviours (its containers' own, else its) and the requests
    it served last: when, which container, the request, its answer or failure."""
    _heading(text, "Behaviour")
    keys = [sim.behaviors.container_key(ws.name, container) for container in ws.containers]
    for container, key in zip(ws.containers, keys, strict=True):
        line = Text.assemble((safe(container), "bold"), f": {safe(sim.behaviors.describe(key))}")
        if key != ws.name:
            line.append(f" ({safe(key)})", "dim")
        text.append_text(hanging(line, HANG))
        text.append("\n")
    if not any(sim.behaviors.declared(key) for key in keys):
        _init_line(text, init_command)
    overrides = ws.active_overrides()
    if overrides:
        line = Text.assemble(("overridden: ", "magenta"))
        line.append("; ".join(safe(o.describe()) for o in overrides))
        text.append_text(hanging(line, HANG))
        text.append("\n")
    # Containers that share the workload's behaviour share its items: listed once.
    specs = [spec for key in dict.fromkeys(keys) for spec in sim.behaviors.emit_items(key)]
    code = any(sim.behaviors.runs_code(key) for key in keys)
    emits_section(text, specs, emitted, code)
    recent = list(ws.recent)[-RECENT_INVOCATIONS:]
    if not recent and ws.model.type == "worker-service":
        return  # Stacktape gives a worker service no ingress: it never serves a request
    _heading(text, "Recent requests")
    if not recent:
        text.append("(none yet)\n", "dim")
    for served in reversed(recent):
        line = Text.assemble((clock_time(served.started), "dim"))
        line.append(f" {safe(served.container)} {safe(served.method)} {safe(served.path)} ")
        if served.ended is None:
            line.append("running", "bright_blue")
        elif served.status is not None:
            status = served.status
            line.append(
                str(status), "green" if status < 400 else "yellow" if status < 500 else "red"
            )
        else:
            line.append(f"failed {safe(served.error or '')}", "red")
        if served.ended is not None:
            line.append(f" in {format_duration(served.ended - served.started)}")
        line.append(f" via {safe(served.via)}", "dim")
        text.append_text(hanging(line, RECENT_HANG))
        text.append("\n")


def _worker_polls(text: Text, sim: Simulator, name: str) -> None:
    """The queues a workload's code polls (its behaviours' `poll` items) and the messages it
    processed last: when, from which queue, which receive, how it ended."""
    workers = sim.services.get("workers")
    polls = workers.of_workload(name) if workers is not None else []
    if not polls:
        return
    _heading(text, "Polls")
    for poll in polls:
        spec = poll.spec
        line = Text.assemble((safe(spec.queue), "bold"))
        wait = f"long polling {spec.wait_s} s" if spec.wait_s else "short polling"
        visibility = (
            f", visibility timeout {format_duration(spec.visibility_s * 1000)}"
            if spec.visibility_s is not None
            else ""
        )
        line.append(
            f": {safe(spec.container)}, {poll.busy} of {spec.concurrency} pollers busy, up to "
            f"{spec.max_messages} a receive, {wait}{visibility}"
        )
        if poll.paused:
            line.append(f"  pollers stopped: {_resume_line(name, spec.queue)}", PAUSED)
        text.append_text(hanging(line, HANG))
        text.append("\n")
    _heading(text, "Recent messages")
    recent = list(workers.recent.get(name, ()))[-RECENT_INVOCATIONS:]
    if not recent:
        text.append("(none yet)\n", "dim")
    for handled in reversed(recent):
        line = Text.assemble((clock_time(handled.started), "dim"))
        line.append(f" {handled.message_id[:8]} from {safe(handled.queue)} ")
        line.append(f"receive {handled.receive_count} ", "dim")
        if handled.ended is None:
            line.append("processing", "bright_blue")
        elif handled.error is None:
            line.append("deleted", "green")
        else:
            line.append(f"failed {safe(handled.error)}", "red")
        if handled.ended is not None:
            line.append(f" in {format_duration(handled.ended - handled.started)}")
        text.append_text(hanging(line, RECENT_HANG))
        text.append("\n")


class InspectorPane(TextView):
    """A scrollable page about the selected resource (wrapped to the pane's width)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(Text("select a resource"), **kwargs)
        self.invocations = InvocationLog()

    def show(self, page: Text) -> None:
        """Replace the page (an unchanged page costs nothing)."""
        self.update(page)
