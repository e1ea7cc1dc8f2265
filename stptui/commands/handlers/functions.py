"""`show function NAME` (through `show`): one function's page, as `show queue Q` is one
queue's: its configuration as the simulator has it, what reaches it and where it sends,
its behaviour, its counts, its asynchronous queue and its latest invocations."""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from stptui.commands.handlers.base import behaviour_summary, shorten
from stptui.commands.registry import CommandError, names, quote_word
from stptui.commands.result import CommandResult
from stptui.config.diagnostics import with_article
from stptui.config.model import BatchJob, Containerized
from stptui.sim import trace as tk
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.mappings import mappings_of
from stptui.sim.services.function import ACCOUNT_CONCURRENCY, AsyncEvent, FunctionSim
from stptui.sim.services.stream import Settings
from stptui.textsafe import Shown, one_line, printable

# How many of a function's newest invocations the page lists.
SHOWN_INVOCATIONS = 10
# The error column's width: the whole message is in the data and `explain ID`.
ERROR_PREVIEW = 60
# A value of the function's own environment in `show function`: cut to this many characters,
# which hold a $ResourceParam's ARN whole (`arn:aws:sqs:REGION:ACCOUNT:` is 35 before the
# name): cut at 40, the part a user checks their directives by was the part cut off.
ENV_PREVIEW = 100
# Each simulator's stack graph, for as long as the simulator lives (`reload` and `load`
# make a new one).
_GRAPHS: WeakKeyDictionary[Simulator, Any] = WeakKeyDictionary()
_INVOCATION_KINDS = frozenset(
    (tk.INVOCATION_STARTED, tk.INVOCATION_SUCCEEDED, tk.INVOCATION_FAILED)
)


def lookup_function(sim: Simulator, name: str) -> FunctionSim:
    """The function `name`, or the CommandError that says what else the name is (a batch
    job or container workload has a view of its own) or which function was meant."""
    try:
        return sim.function(name)
    except SimError as exc:
        other = sim.stack.resources.get(name)
        view = (
            f"show job {quote_word(name)}"
            if isinstance(other, BatchJob)
            else "show containers"
            if isinstance(other, Containerized)
            else None
        )
        if other is not None and view is not None:
            raise CommandError(
                f"{name!r} is {with_article(other.type)}, not a function",
                f"`{view}` shows it; `show logs {quote_word(name)}` its log lines",
                word=name,
            ) from None
        raise CommandError(str(exc), exc.hint) from None


def functions_hint(sim: Simulator) -> str:
    """The hint of `show function` without a name: the stack's functions and a line."""
    found = list(sim.functions)
    if not found:
        return "this stack has no functions"
    return f"this stack's functions: {names(found)}; e.g. show function {quote_word(found[0])}"


def show_function(sim: Simulator, name: str) -> CommandResult:
    """One function's page: configuration, triggers, destinations, connectTo variables,
    behaviour, counts, asynchronous queue (text), then its newest invocations (table)."""
    fn = lookup_function(sim, name)
    model = fn.model
    stats = sim.function_stats(fn.name)
    if fn.reserved is not None:
        reserved = f"reserved concurrency {fn.reserved}"
    elif sim.unreserved_limit < ACCOUNT_CONCURRENCY:
        # The other functions' reservations are theirs alone.
        reserved = (
            f"no reserved concurrency (shares the account's {sim.unreserved_limit:,} left "
            "unreserved)"
        )
    else:
        reserved = f"no reserved concurrency (shares the account's {ACCOUNT_CONCURRENCY:,})"
    config = _config(sim, fn)
    lines = [
        f"{fn.name} (function): {model.memory_mb:,} MB, timeout "
        f"{format_duration(fn.timeout_ms)}, {reserved}",
        *config.pop("lines"),
        f"behaviour: {behaviour_summary(sim, fn.name, fn.overrides)}",
        f"{stats['invocations']:,} invocation{'s' * (stats['invocations'] != 1)}: "
        f"{stats['successes']:,} succeeded, {stats['failures']:,} failed, "
        f"{stats['throttles']:,} throttled; {stats['running']:,} running now",
    ]
    queue_lines, waiting = _async_queue(sim, fn)
    lines += queue_lines
    invocations = _latest(sim, fn.name)
    if invocations:
        lines.append(
            f"latest {len(invocations)} invocation{'s' * (len(invocations) != 1)}, newest "
            "first (`explain ID` gives one's chain, `show event ID` its event):"
        )
    else:
        lines.append("no invocations yet")
    headers = ["invocation", "trigger", "start", "duration", "outcome", "error"]
    rows = [
        [
            inv["invocation_id"],
            inv["trigger"] + (f" (attempt {inv['attempt']})" if inv["attempt"] > 1 else ""),
            inv["start"],
            "" if inv["duration_ms"] is None else format_duration(inv["duration_ms"]),
            inv["outcome"],
            Shown(shorten(one_line(inv["error"] or ""), ERROR_PREVIEW)),
        ]
        for inv in invocations
    ]
    data = {
        "function": fn.name,
        **config,
        **stats,
        "behaviour": sim.behaviors.describe(fn.name),
        "overrides": [o.describe() for o in fn.overrides],
        "async_queue": waiting,
        "latest": invocations,
    }
    return CommandResult("\n".join(lines), table=(headers, rows) if rows else None, data=data)


def stack_graph(sim: Simulator) -> Any:
    """The simulator's stack graph (`stptui.graph`), built once per simulator: its stack
    never changes, and a 2,000-resource stack's graph takes a third of a second."""
    # Imported here: the graph module brings networkx, which start-up does without.
    from stptui.graph import build_graph

    g = _GRAPHS.get(sim)
    if g is None:
        g = _GRAPHS[sim] = build_graph(sim.stack)
    return g


def _config(sim: Simulator, fn: FunctionSim) -> dict[str, Any]:
    """The function's configuration: the data fields, and under `lines` their text. What
    reaches the function and where it sends come from the stack's graph, so that they read
    as `stptui graph` writes them."""
    # Imported here: the graph module brings networkx, which start-up does without.
    from stptui.graph import CONNECT, DESTINATION, STREAM_VIAS, TASK, TRIGGER, edge_label

    model = fn.model
    g = stack_graph(sim)
    lines: list[str] = []
    triggers: list[dict[str, Any]] = []
    # A stream's mapping reads with settings the graph's label says in short (or leaves out,
    # a Kafka topic's): its line says them in full, after the event's type alone.
    mappings = dict(_mappings(sim, fn.name))
    # Event source mappings `pause --trigger` disabled, and the others, by source node.
    refs = mappings_of(sim, fn.name)
    disabled = {m.source for m in refs if m.disabled}
    enabled = {m.source for m in refs if not m.disabled}
    for source, _, d in g.in_edges(fn.name, data=True):
        if d.get("kind") not in (TRIGGER, TASK):
            continue
        label = edge_label(d)
        # Where the config writes it: its line, or the file and line of a `$File` include.
        where = f"line {d.get('line')}"
        if d.get("file") != sim.stack.file:
            where = f"{d.get('file')}:{d.get('line')}"
        # A schedule's node is the schedule itself: its label says all.
        text = label if g.nodes[source].get("kind") == "schedule" else f"{source}: {label}"
        trigger: dict[str, Any] = {"source": source, "trigger": label, "at": where}
        settings = mappings.pop(source, None)
        if settings is not None:
            if d.get("via") in STREAM_VIAS:
                text = f"{source}: {d['via']}"
            text += f" ({_mapping_text(settings)})"
            trigger["mapping"] = _mapping_data(settings)
        if source in disabled:
            text += f" [mapping disabled: `resume {fn.name} --trigger {source}`]"
        if source in disabled or source in enabled:
            trigger["enabled"] = source not in disabled
        lines.append(f"  {printable(text)}  ({printable(where)})")
        triggers.append(trigger)
    if model.url is not None:
        lines.append(f"  function URL (auth {model.url.auth_type})")
        triggers.append({"source": "function-url", "trigger": model.url.auth_type, "at": None})
    lines.insert(0, "triggered by:" if lines else "nothing in the stack triggers it")
    # Its own `environment` as the config's directives resolved it ($File, $Var, $Secret's
    # placeholder): what a newcomer checks first. connectTo's variables follow, by target.
    own = [e for e in g.nodes[fn.name].get("env") or [] if e.get("source") == "config"]
    if own:
        shown = ", ".join(
            f"{e['name']}={shorten(one_line(str(e['value'])), ENV_PREVIEW)}" for e in own
        )
        lines.append(f"environment: {printable(shown)}")
    destinations = {}
    connected = []
    for _, target, d in g.out_edges(fn.name, data=True):
        if d.get("kind") == DESTINATION and d.get("via"):
            # A stream event's `onFailure`: where its mapping sends a batch it gives up on.
            lines.append(f"a {d['via']} batch given up on -> {printable(target)}")
        elif d.get("kind") == DESTINATION:
            destinations[d["condition"]] = target
            lines.append(f"destination {d['condition']} -> {printable(target)}")
        elif d.get("kind") == CONNECT:
            env = list(d.get("env") or [])
            connected.append({"resource": target, "env": env})
            listed = " ".join(env) if env else "no variables"
            lines.append(f"connectTo {printable(target)}: {printable(listed)}")
    # The name a console, an alarm or a log shows it by, as its $ResourceParam gives it.
    aws_name = sim.behaviors.target_forms.identifiers(fn.name).get("name")
    if aws_name is not None:
        lines.append(f"AWS name {printable(aws_name)}")
    group = sim.services["logs"].groups.get(fn.name)
    lines.append(
        f"log group {group.name}" if group is not None else "no log group (logging disabled)"
    )
    return {
        "lines": lines,
        "memory_mb": model.memory_mb,
        "timeout_ms": fn.timeout_ms,
        "reserved_concurrency": fn.reserved,
        "triggers": triggers,
        "destinations": destinations,
        "connect_to": connected,
        "environment": {e["name"]: e["value"] for e in own},
        "aws_name": aws_name,
        "log_group": None if group is None else group.name,
    }


def _mappings(sim: Simulator, name: str) -> list[tuple[str, Settings]]:
    """The event source mappings that read a stream (Kinesis, a table's, a Kafka topic's)
    into function `name`, with their settings as the simulator applies them."""
    sources: list[Any] = [
        *sim.services["streams"].values(),
        *(t.stream for t in sim.services["tables"].values() if t.stream is not None),
        *sim.services.get("kafka", {}).values(),
    ]
    return [(src.name, c.settings) for src in sources for c in src.consumers if c.target == name]


def _mapping_text(settings: Settings) -> str:
    """`batch 100, no batching window, from the oldest record, ...`: how a mapping reads."""
    retries = (
        "retried until its records expire"
        if settings.max_retries < 0
        else f"retried at most {settings.max_retries} time(s)"
    )
    bits = [
        f"batch {settings.batch_size}",
        f"window {format_duration(settings.window_ms)}"
        if settings.window_ms
        else "no batching window",
        "from the newest record (LATEST)"
        if settings.latest
        else "from the oldest record (TRIM_HORIZON)",
        f"a failed batch {retries}" + (", split in two" if settings.bisect else ""),
    ]
    if settings.parallel > 1:
        bits.append(f"parallelization {settings.parallel}")
    return ", ".join(bits)


def _mapping_data(settings: Settings) -> dict[str, Any]:
    return {
        "batch_size": settings.batch_size,
        "batch_window_ms": settings.window_ms,
        "starting_position": "LATEST" if settings.latest else "TRIM_HORIZON",
        "maximum_retry_attempts": None if settings.max_retries < 0 else settings.max_retries,
        "bisect_batch_on_function_error": settings.bisect,
        "parallelization_factor": settings.parallel,
        "on_failure": None if settings.on_failure is None else str(settings.on_failure),
    }


def _async_queue(sim: Simulator, fn: FunctionSim) -> tuple[list[str], list[dict[str, Any]]]:
    """The events waiting in the function's asynchronous queue: a line for how many and
    the next attempt, and each event's data, soonest first."""
    now = sim.clock.now
    waiting = sim.async_invokers[fn.name].waiting()
    data = [_waiting_data(t, ev, now) for t, ev in waiting]
    if not data:
        return ["async queue: empty"], data
    first = data[0]
    why = (
        "its first attempt"
        if first["attempt"] == 1 and not first["throttles"]
        else f"attempt {first['attempt']}"
        + (f", after {first['throttles']} throttle(s)" if first["throttles"] else "")
    )
    line = (
        f"async queue: {len(data):,} event{'s' * (len(data) != 1)} waiting; next at "
        f"{first['at']} (+{format_duration(waiting[0][0] - now)}): event {first['event_id']}, "
        f"{why}"
    )
    return [line], data


def _waiting_data(t: int, ev: AsyncEvent, now: int) -> dict[str, Any]:
    return {
        "event_id": ev.id,
        "trigger": ev.trigger,
        "at": iso_ms(t),
        "attempt": ev.attempts + 1,
        "throttles": ev.throttles,
        "age_ms": now - ev.first_at,
    }


def _latest(sim: Simulator, name: str) -> list[dict[str, Any]]:
    """The function's newest invocations the trace still holds, newest first, each with
    how it ended (or that it is running)."""
    ends: dict[str, tk.Record] = {}
    found: list[dict[str, Any]] = []
    for rec in sim.trace.newest(name, _INVOCATION_KINDS):
        inv = rec.get("invocation_id")
        if rec.kind != tk.INVOCATION_STARTED:
            ends[inv] = rec
            continue
        end = ends.pop(inv, None)
        found.append(_invocation(rec, end))
        if len(found) == SHOWN_INVOCATIONS:
            break
    return found


def _invocation(start: tk.Record, end: tk.Record | None) -> dict[str, Any]:
    """One invocation's row data: its start record and its end record (None: running)."""
    outcome, error = "running", None
    if end is not None and end.kind == tk.INVOCATION_SUCCEEDED:
        failed = end.get("batch_item_failures")
        outcome = f"succeeded, {len(failed)} item(s) reported failed" if failed else "succeeded"
    elif end is not None:
        outcome = "timed out" if end.get("timeout") else "failed"
        error = f"{end.get('error')}: {end.get('error_message')}"
    return {
        "invocation_id": start.get("invocation_id"),
        # An asynchronous event's id, the same for each of its attempts (None otherwise).
        "event_id": start.get("event_id"),
        "trigger": str(start.get("trigger")),
        "attempt": start.get("attempt") or 1,
        "start": iso_ms(start.t),
        "duration_ms": None if end is None else end.get("duration_ms"),
        "outcome": outcome,
        "error": error,
    }
