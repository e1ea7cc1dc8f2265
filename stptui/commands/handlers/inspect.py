"""`show` and `explain`: reading the simulation without changing it."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from typing import Any, NoReturn

from stptui.commands.handlers.alarms import show_alarms
from stptui.commands.handlers.base import (
    DEFAULT_TRACE_ROWS,
    MAX_SHOWN_MESSAGES,
    REGISTRY,
    behaviour_summary,
    command,
    due_now_note,
    queue_named,
    shorten,
    whole_number,
)
from stptui.commands.handlers.buckets_http_jobs import (
    drive_graph,
    show_bucket,
    show_buckets,
    show_jobs,
    show_routes,
    show_rules,
)
from stptui.commands.handlers.containers import poll_data, poll_text, show_containers
from stptui.commands.handlers.functions import functions_hint, show_function, stack_graph
from stptui.commands.handlers.job_view import show_job
from stptui.commands.handlers.kafka import (
    show_kafka_topic,
    show_kafka_topics,
    unproduced_record,
)
from stptui.commands.handlers.logs import show_logs
from stptui.commands.handlers.metrics import (
    check_metric_resource,
    check_period,
    show_metrics,
    since_ms,
)
from stptui.commands.handlers.show_views import empty_views
from stptui.commands.handlers.state_machines import (
    explain_execution,
    show_execution,
    show_executions,
)
from stptui.commands.handlers.streams import show_stream, show_streams, table_streams_note
from stptui.commands.handlers.tables import show_table, show_tables
from stptui.commands.handlers.user_pools import show_users, users_pool
from stptui.commands.handlers.websocket import show_connections
from stptui.commands.registry import (
    BUS,
    COUNT,
    DURATION,
    EXECUTION,
    FUNCTION,
    INVOCATION,
    KAFKA_TOPIC,
    LOG_OWNER,
    MESSAGE,
    METRIC_RESOURCE,
    QUEUE,
    STATE_MACHINE,
    STREAM,
    TABLE,
    TRACE_ID,
    USER_POOL,
    WEBSOCKET_API,
    WORD,
    Arg,
    Call,
    CommandError,
    Option,
    names,
    quote_word,
)
from stptui.commands.result import CommandResult, record_details
from stptui.commands.session import Session
from stptui.config.diagnostics import did_you_mean
from stptui.config.model import CONTAINER_SERVICE_TYPES, Function
from stptui.config.permissions import EMISSION_TARGET_TYPES
from stptui.sim import trace as tk
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.explain import (
    MIN_PREFIX,
    WHY_WIDTH,
    Chain,
    cold_start_note,
    cut,
    dead_letter_why,
    distinct_prefixes,
    explain,
    invocation_started,
    reset_init_note,
    retried_init_note,
    retry_why,
    unmatched_why,
)
from stptui.sim.invocation_events import (
    KEPT_EVENTS,
    Kept,
    batch_execution,
    batch_executions_starting,
    event_of,
    executions_led_to,
    invoked_lines,
    kept_event,
    ran_no_attempt,
    show_event_lines,
)
from stptui.sim.mappings import all_mappings
from stptui.sim.metrics.periods import MAX_PERIODS
from stptui.sim.services.batch import Execution
from stptui.sim.services.queue import Message, QueueSim
from stptui.sim.trace import format_value
from stptui.sim.trace_index import OBJECT_KINDS, trace_index
from stptui.textsafe import Shown, json_shown, json_text, one_line, quoted, shown

# -- inspect ---------------------------------------------------------------------------------

SHOW_WHATS = (
    "queues",
    "queue",
    "functions",
    "function",
    "agenda",
    "graph",
    "message",
    "event",
    "trace",
    "schedules",
    "buses",
    "bus",
    "replays",
    "topics",
    "buckets",
    "bucket",
    "routes",
    "jobs",
    "job",
    "containers",
    "stream",
    "streams",
    "kafka-topics",
    "kafka-topic",
    "rules",
    "table",
    "tables",
    "executions",
    "execution",
    "logs",
    "alarms",
    "connections",
    "users",
    "metrics",
)

# What the menu shows beside each view Tab offers after `show`: its words and what it shows.
SHOW_HELP = (
    ("queues", "every queue: visible, in flight, delayed, redrive"),
    ("queue", "queue Q: one queue, its messages and settings"),
    ("functions", "every function: invocations, failures, behaviour"),
    ("function", "function F: one function, its latest invocations"),
    ("agenda", "what the clock runs next"),
    ("graph", "the stack's resources and what connects them, as `stptui graph` draws it"),
    ("message", "message ID: one message, where it is and its history"),
    ("event", "event ID: the event an invocation received (or a batch job's trigger event)"),
    ("trace", "trace [N]: the newest N trace records"),
    ("schedules", "every schedule: expression, next fire, paused"),
    ("buses", "every event bus and its rules"),
    ("bus", "bus B: one bus, its rules and archive"),
    ("replays", "the event buses' replays"),
    ("topics", "every SNS topic and its subscriptions"),
    ("buckets", "every bucket"),
    ("bucket", "bucket B: one bucket, its objects and notifications"),
    ("routes", "every HTTP route and its target"),
    ("jobs", "every batch job"),
    ("job", "job J: one batch job's executions"),
    ("containers", "every container workload"),
    ("stream", "stream S: one Kinesis stream"),
    ("streams", "every Kinesis stream"),
    ("kafka-topics", "every Kafka topic"),
    ("kafka-topic", "kafka-topic K: one Kafka topic"),
    ("rules", "every load balancer rule"),
    ("table", "table T: one DynamoDB table, its items"),
    ("tables", "every DynamoDB table"),
    ("executions", "executions [SM]: state machine executions"),
    ("execution", "execution ID: one execution"),
    ("logs", "logs FUNCTION: a workload's recent log lines"),
    ("alarms", "every alarm and its state"),
    ("connections", "connections [GW]: WebSocket connections"),
    ("users", "users [POOL]: a user pool's users"),
    ("metrics", "metrics [RESOURCE]: the CloudWatch metrics of the run"),
)

_SHOW_USAGE = (
    "show queues | queue QUEUE | functions | function FUNCTION | agenda | graph | message ID "
    "| event ID | trace [N] | schedules "
    "| buses | bus BUS | replays | topics | buckets | bucket BUCKET | routes | jobs | job JOB "
    "| containers "
    "| streams "
    "| stream STREAM | kafka-topics | kafka-topic TOPIC | rules | tables | table TABLE "
    "| executions [STATE_MACHINE] | execution ID | logs FUNCTION | alarms | connections [GATEWAY] "
    "| users [POOL] | metrics [RESOURCE] [--since D] [--period D]"
)


# How alike a word and a view must be (difflib's ratio) for `show` to suggest the view; a
# word that starts as the view does needs less. The loose default (0.6) offered `bus` for
# `bogus`: the views are short words, and two short words share letters by chance.
_VIEW_LIKENESS = 0.8
_VIEW_LIKENESS_SAME_START = 0.7


def view_guess(word: str) -> str | None:
    """The view `show WORD` probably meant: one it names in another case, one that starts
    with it (`que`, `exec`), or one close to it (`queus`, `fuctions`), else None."""
    lowered = word.lower()
    if lowered in SHOW_WHATS:
        return lowered
    if len(lowered) >= 2:
        started = next((w for w in SHOW_WHATS if w.startswith(lowered)), None)
        if started is not None:
            return started
    scored = sorted(
        ((SequenceMatcher(None, lowered, w).ratio(), -i, w) for i, w in enumerate(SHOW_WHATS)),
        reverse=True,
    )
    for ratio, _, view in scored:
        same_start = lowered[:2] == view[:2] and len(lowered) >= 2
        if ratio >= _VIEW_LIKENESS or (same_start and ratio >= _VIEW_LIKENESS_SAME_START):
            return view
    return None


# The view that shows a resource of each type, as `show`'s words after it: what `show NAME`
# (a resource's name where the view goes) meant.
_VIEW_OF_TYPE = {
    "sqs-queue": "queue {}",
    "function": "function {}",
    "bucket": "bucket {}",
    "kinesis-stream": "stream {}",
    "dynamo-db-table": "table {}",
    "event-bus": "bus {}",
    "state-machine": "executions {}",
    "user-auth-pool": "users {}",
    "websocket-api-gateway": "connections {}",
    "batch-job": "job {}",
    "sns-topic": "topics",
    "http-api-gateway": "routes",
    "application-load-balancer": "rules",
    **dict.fromkeys((*CONTAINER_SERVICE_TYPES, "multi-container-workload"), "containers"),
}


def resource_view(sim: Simulator, name: str) -> str | None:
    """`'NAME' is a TYPE: show VIEW`, the view that shows the resource `name`, or None when
    it is no resource of the stack, or one no view shows."""
    from stptui.config.diagnostics import with_article

    res = sim.stack.resources.get(name)
    view = _VIEW_OF_TYPE.get(res.type) if res is not None else None
    if res is None or view is None:
        return None
    return f"{name!r} is {with_article(res.type)}: show {view.format(quote_word(name))}"


# The listing that shows every resource of a type, as `show`'s word.
_LISTING_OF_TYPE = {
    "sqs-queue": "queues",
    "function": "functions",
    "bucket": "buckets",
    "kinesis-stream": "streams",
    "dynamo-db-table": "tables",
    "event-bus": "buses",
    "state-machine": "executions",
    "user-auth-pool": "users",
    "websocket-api-gateway": "connections",
    "batch-job": "jobs",
    "sns-topic": "topics",
    "http-api-gateway": "routes",
    "application-load-balancer": "rules",
    **dict.fromkeys((*CONTAINER_SERVICE_TYPES, "multi-container-workload"), "containers"),
}


def stack_views_hint(sim: Simulator) -> str:
    """The views that list what this stack has, in `show`'s order, then the agenda and the
    trace, which every stack has: the hint of a view `show` does not know and cannot guess
    (`show all`, `show resources`), where the usage of every view took seven lines."""
    present = {_LISTING_OF_TYPE.get(r.type) for r in sim.stack.resources.values()}
    schedules = sim.services.get("schedules")
    if schedules is not None and schedules.rules:
        present.add("schedules")
    views = [v for v in SHOW_WHATS if v in present]
    listed = ", ".join(f"show {v}" for v in [*views, "agenda", "trace 20"])
    return f"this stack's views: {listed}; `help show` lists every view"


def check_show_what(sim: Simulator, what: str) -> None:
    """Raise the CommandError `show` gives for a WHAT it does not show: an unknown word,
    with a did-you-mean, or, for a resource's name, the view that shows it. The REPL checks
    the word with this before Enter."""
    if what not in SHOW_WHATS:
        guess = view_guess(what)
        hint = (
            resource_view(sim, what)
            or _dead_letter_hint(sim, what)
            or _messages_hint(sim, what)
            or _invocations_hint(sim, what)
            or (f"did you mean {quote_word(guess)}?" if guess else stack_views_hint(sim))
        )
        raise CommandError(f"cannot show {what!r}", hint, word=what)


def _messages_hint(sim: Simulator, what: str) -> str | None:
    """The hint of `show messages`: a queue's view lists its messages (`show message`, the
    closest spelling, takes one message's id); None for another word."""
    if what.lower() not in ("messages", "msgs"):
        return None
    if not sim.queues:
        return "this stack has no queue; `show message ID` shows one message of the trace"
    first = quote_word(next(iter(sim.queues)))
    return f"a queue's view lists its messages: show queue {first} (`show queues` lists them)"


def _invocations_hint(sim: Simulator, what: str) -> str | None:
    """The hint of `show invocation ID`: `explain` follows one, a function's view lists its
    latest; None for another word."""
    if what.lower() not in ("invocation", "invocations"):
        return None
    first = next(iter(sim.functions), None)
    listed = f"show function {quote_word(first)} lists its latest" if first else ""
    return "show event ID shows the event an invocation received; explain ID follows it" + (
        f"; {listed}" if listed else ""
    )


# What a dead-letter queue is called where `show` takes a view (`show dlq`): a DLQ is a queue
# like any other, shown by `show queue`.
_DEAD_LETTER_WORDS = frozenset(
    {"dlq", "dlqs", "dead-letters", "dead-letter", "dead-letter-queue", "dead-letter-queues"}
)


def _dead_letter_hint(sim: Simulator, what: str) -> str | None:
    """The hint of `show dlq`: the stack's dead-letter queues and the line that shows the
    first; None for another word."""
    if what.lower() not in _DEAD_LETTER_WORDS:
        return None
    found = [q.name for q in sim.queues.values() if q.sources]
    if not found:
        return "this stack has no dead-letter queue (no queue's redrivePolicy names one)"
    first = quote_word(found[0])
    return f"this stack's dead-letter queues: {names(found)}; e.g. show queue {first}"


def check_show_view(sim: Simulator, call: Call) -> None:
    """Raise the CommandError `show` gives for a WHAT it does not show, whatever the
    simulation holds: `stptui run` checks a script's `show` lines with this before the
    first runs (`check_written`), as it checks their resource names."""
    what, name = call.args["what"], call.args["name"]
    if what not in SHOW_WHATS and name is not None and (view := resource_view(sim, name)):
        # `show messages deadLetterQueue`: the resource says which view was meant.
        raise CommandError(f"cannot show {what!r}", view, word=what)
    check_show_what(sim, what)


def _event_ids_taken(sim: Simulator) -> str:
    """What `show event` takes in this stack: invocation ids, and where it has batch jobs,
    their executions' ids too."""
    batch = sim.services.get("batch")
    jobs = batch is not None and bool(batch.jobs)
    return "an invocation id" + " or a batch job execution's id" * jobs


def check_show(sim: Simulator, call: Call) -> None:
    """Raise the CommandError `show` gives before it looks anything up: a WHAT it does not
    show, a name missing or one too many. The REPL checks a finished line with this."""
    what, name = call.args["what"], call.args["name"]
    check_show_view(sim, call)
    needs_name = what in (
        "queue",
        "function",
        "message",
        "event",
        "bucket",
        "stream",
        "kafka-topic",
        "table",
        "execution",
        "logs",
        "bus",
        "job",
    )
    if needs_name and name is None:
        needed, hint = {
            "queue": ("a queue name", ""),
            "function": ("a function name", functions_hint(sim)),
            "bucket": ("a bucket name", ""),
            "stream": ("a kinesis-stream name", ""),
            "kafka-topic": ("a Kafka topic name", "`show kafka-topics` lists them"),
            "table": ("a dynamo-db-table name", ""),
            "execution": ("an execution name or ARN", "`show executions` lists them"),
            "logs": ("a function or batch job name", _log_owners_hint(sim)),
            "bus": ("an event bus name", "`show buses` lists them"),
            "job": ("a batch job name", _jobs_hint(sim)),
            "event": (_event_ids_taken(sim), "`show function FUNCTION` lists its latest"),
        }.get(what, ("a message id", "`show queue QUEUE` lists its messages' ids"))
        raise CommandError(f"show {what} needs {needed}", hint or _named(sim, what))
    if what == "users":
        users_pool(sim, name)
    if what == "metrics":
        if name is not None:
            check_metric_resource(sim, name)
        since_ms(call.opts.get("since"))
        check_period(sim, name, call.opts.get("since"), call.opts.get("period"))
    elif "since" in call.opts:
        raise CommandError(
            f"show {what} takes no --since", "--since D is for `show metrics [RESOURCE]`"
        )
    elif "period" in call.opts:
        raise CommandError(
            f"show {what} takes no --period", "--period D is for `show metrics RESOURCE`"
        )
    if (
        not needs_name
        and what not in ("trace", "executions", "connections", "users", "metrics")
        and name is not None
    ):
        one = _ONE_OF_LISTING.get(what)
        hint = (
            f"`show {one} {quote_word(name)}` shows one; `show {what}` lists them all"
            if one is not None
            else f"write just `show {what}`"
        )
        raise CommandError(f"show {what} takes nothing more, not {name!r}", hint, word=name)


# The view of one resource, of each listing that has one: `show functions worker` meant
# `show function worker`.
_ONE_OF_LISTING = {
    "queues": "queue",
    "functions": "function",
    "buckets": "bucket",
    "streams": "stream",
    "kafka-topics": "kafka-topic",
    "tables": "table",
    "buses": "bus",
    "jobs": "job",
}


def _jobs_hint(sim: Simulator) -> str:
    """The hint of `show job` without a name: the stack's batch jobs, and the line that
    shows the first."""
    batch = sim.services.get("batch")
    found = list(batch.jobs) if batch is not None else []
    if not found:
        return "this stack has no batch jobs"
    return f"this stack's batch jobs: {names(found)}; e.g. show job {quote_word(found[0])}"


def _show_what_first() -> NoReturn:
    """`show` alone: the views most asked for, where its usage would list every one of
    them in a line five terminal rows long."""
    raise CommandError(
        "show needs WHAT",
        "e.g. show queues, show functions, show agenda, show trace 20; "
        "`help show` lists every view",
    )


@command(
    "show",
    "inspect",
    "Show queues, one queue, functions, one function, the agenda, the stack's graph, one "
    "message, the event an "
    "invocation received (or the STP_TRIGGER_EVENT_DATA a batch job execution's containers "
    "read), the trace, "
    "schedules, "
    "buses, one bus with its archive, replays, topics, buckets, one bucket, HTTP routes, "
    "batch jobs, one batch job's executions, container workloads, Kinesis streams, one "
    "stream, Kafka topics, one Kafka "
    "topic, load balancer rules, DynamoDB tables, one table, state machine executions, one "
    "execution, a workload's recent log lines, the alarms, WebSocket connections, a user "
    "pool's users or the CloudWatch metrics of the run.",
    args=(
        Arg(
            "WHAT",
            WORD,
            "queues | queue Q | functions | function F | agenda | graph | message ID | "
            "event ID | "
            "trace [N] | "
            "schedules | "
            "buses | bus B | replays | topics | buckets | bucket B | routes | jobs | job J | "
            "containers | "
            "streams | "
            "stream S | kafka-topics | kafka-topic K | rules | tables | table T | "
            "executions [SM] | execution ID | logs FUNCTION | alarms | connections [GW] | "
            "users [POOL] | metrics [RESOURCE]",
            choices=SHOW_WHATS,
            choice_help=SHOW_HELP,
            check=check_show_what,
            unavailable=empty_views,
        ),
        Arg(
            "NAME",
            WORD,
            "the queue, bus, bucket, stream, Kafka topic, table, state machine, function, "
            "batch job, "
            "WebSocket API, user pool, message, invocation or execution id (`show event`: an "
            "invocation's or a batch job execution's), number of records, "
            "or the "
            "resource (queue, function, HTTP API, load balancer, job, state machine, bus, rule, "
            "topic, stream, table, bucket) whose metrics to show",
            optional=True,
            kind_after=(
                ("queue", QUEUE),
                ("function", FUNCTION),
                ("bus", BUS),
                ("message", MESSAGE),
                ("event", INVOCATION),
                ("trace", COUNT),
                ("bucket", "bucket"),
                ("job", "batch-job"),
                ("stream", STREAM),
                ("kafka-topic", KAFKA_TOPIC),
                ("table", TABLE),
                ("executions", STATE_MACHINE),
                ("execution", EXECUTION),
                ("logs", LOG_OWNER),
                ("connections", WEBSOCKET_API),
                ("users", USER_POOL),
                ("metrics", METRIC_RESOURCE),
            ),
        ),
    ),
    options=(
        Option(
            "--since",
            DURATION,
            "`show metrics` only: count the last D of virtual time (default: all the trace holds)",
            "D",
            after=("metrics",),
        ),
        Option(
            "--period",
            DURATION,
            "`show metrics RESOURCE` only: its key figures in each period of D from the "
            f"window's start, a row each (at most {MAX_PERIODS:,} periods)",
            "D",
            after=("metrics",),
        ),
    ),
    usage=_SHOW_USAGE,
    examples=(
        "show queues",
        "show queue jobQueue",
        "show functions",
        "show function worker",
        "show agenda",
        "show graph",
        "show message 3f2a",
        "show event $last",
        "show trace 50",
        "show schedules",
        "show buses",
        "show bus eventBus",
        "show replays",
        "show topics",
        "show bucket uploads",
        "show routes",
        "show jobs",
        "show job heavyJob",
        "show containers",
        "show stream clicks",
        "show kafka-topics",
        "show rules",
        "show table carts",
        "show executions",
        "show logs worker",
        "show alarms",
        "show connections",
        "show users users",
        "show metrics",
        "show metrics jobQueue --since 10m",
        "show metrics jobQueue --period 1m",
    ),
    details=(
        "Tab offers the views this stack has something for (no `tables` on a stack without "
        "DynamoDB tables); a view it has nothing for is offered once typed, where no other "
        'view starts so, with why (`show str`: `stream`, `streams`, "this stack has no '
        'Kinesis streams"). Every view answers, an empty one saying so.'
    ),
    check_call=check_show,
    check_words=lambda words: None if words else _show_what_first(),
)
def cmd_show(session: Session, call: Call) -> CommandResult:
    """show queues | queue QUEUE | functions | function FUNCTION | agenda | graph |
    message ID | event ID | trace [N] | schedules | buses | bus BUS | replays | topics | buckets |
    bucket BUCKET | routes | jobs | job JOB | containers |
    stream STREAM | kafka-topics | kafka-topic TOPIC | rules | table TABLE | executions [SM] |
    execution ID | logs FUNCTION | alarms | connections [GATEWAY] | users [POOL] |
    metrics [RESOURCE] [--since D] [--period D]"""
    what = call.args["what"]
    name = call.args["name"]
    check_show(session.sim, call)
    sim = session.sim
    if what == "queues":
        return _show_queues(sim)
    if what == "queue":
        return _show_queue(sim, queue_named(sim, name))
    if what == "functions":
        return _show_functions(sim)
    if what == "function":
        return show_function(sim, name)
    if what == "agenda":
        return _show_agenda(sim)
    if what == "graph":
        return _show_graph(sim)
    if what == "message":
        return _show_message(sim, name)
    if what == "event":
        return _show_event(sim, name, printed=name == session.last_id)
    if what == "schedules":
        return _show_schedules(sim)
    if what == "buses":
        return _show_buses(sim)
    if what == "bus":
        return _show_bus(sim, name)
    if what == "replays":
        return _show_replays(sim)
    if what == "topics":
        return _show_topics(sim)
    if what == "buckets":
        return show_buckets(sim)
    if what == "bucket":
        return show_bucket(sim, name)
    if what == "routes":
        return show_routes(sim)
    if what == "jobs":
        return show_jobs(sim)
    if what == "job":
        return show_job(sim, name)
    if what == "containers":
        return show_containers(sim)
    if what == "stream":
        return show_stream(sim, name)
    if what == "streams":
        return show_streams(sim)
    if what == "kafka-topics":
        return show_kafka_topics(sim)
    if what == "kafka-topic":
        return show_kafka_topic(sim, name)
    if what == "rules":
        return show_rules(sim)
    if what == "table":
        return show_table(sim, name)
    if what == "tables":
        return show_tables(sim)
    if what == "executions":
        return show_executions(sim, name)
    if what == "execution":
        return show_execution(sim, name)
    if what == "logs":
        return show_logs(sim, name)
    if what == "alarms":
        return show_alarms(sim)
    if what == "connections":
        return show_connections(sim, name)
    if what == "users":
        return show_users(sim, name)
    if what == "metrics":
        return show_metrics(sim, name, call.opts.get("since"), call.opts.get("period"))
    n = DEFAULT_TRACE_ROWS if name is None else whole_number(name, "show trace N")
    return _show_trace(sim, n)


_RESOURCE_TYPES = {
    "table": "dynamo-db-table",
    "stream": "kinesis-stream",
    "queue": "sqs-queue",
    "bucket": "bucket",
}


def _named(sim: Simulator, what: str) -> str:
    """The hint of a `show table`, `show stream`, `show queue` or `show bucket` without a
    name: the stack's resources of that type, and the line that shows the first."""
    kind = _RESOURCE_TYPES[what]
    found = [r.name for r in sim.stack.resources.values() if r.type == kind]
    if not found:
        note = table_streams_note(sim) if what == "stream" else ""
        return f"this stack has no {kind}" + (f"; {note}" if note else "")
    return f"this stack's {kind}s: {names(found)}; e.g. show {what} {quote_word(found[0])}"


def _log_owners_hint(sim: Simulator) -> str:
    """The hint of `show logs` without a name (or `tail`): the workloads whose log lines it
    shows, and the line that shows the first's."""
    jobs = [r.name for r in sim.stack.resources.values() if r.type == "batch-job"]
    found = [*sim.functions, *jobs]
    if not found:
        return "this stack has no function or batch job"
    what = "functions and batch jobs" if jobs else "functions"
    return f"this stack's {what}: {names(found)}; e.g. show logs {quote_word(found[0])}"


def _redrive_text(q: QueueSim) -> str:
    if q.dlq is None:
        return ""
    return f"-> {q.dlq.name} after {q.max_receive_count}"


def _show_queues(sim: Simulator) -> CommandResult:
    headers = ["queue", "type", "visible", "in_flight", "delayed", "depth", "redrive"]
    rows = []
    data = []
    for q in sim.queues.values():
        stats = sim.queue_stats(q.name)
        rows.append(
            [
                q.name,
                "fifo" if q.fifo else "standard",
                *(str(stats[k]) for k in ("visible", "in_flight", "delayed", "depth")),
                _redrive_text(q),
            ]
        )
        data.append({"queue": q.name, **stats})
    text = "" if rows else "this stack has no queues"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)


def _show_queue(sim: Simulator, q: QueueSim) -> CommandResult:
    stats = sim.queue_stats(q.name)
    lines = [
        f"{q.name} ({'FIFO' if q.fifo else 'standard'}): {stats['visible']} visible, "
        f"{stats['in_flight']} in flight, {stats['delayed']} delayed",
        f"visibility timeout {format_duration(q.visibility_ms)}, "
        f"retention {format_duration(q.retention_ms)}",
    ]
    # An on-call comes with the name or URL an alarm or a log gave: as the handlers'
    # environment has them.
    aws = sim.behaviors.target_forms.identifiers(q.name)
    if aws:
        lines += [f"AWS name {aws['name']}", f"URL {aws['url']}"]
    now = sim.clock.now
    age = q.oldest_age_ms(now)
    if age is not None:
        # As the TUI's Inspector gives it: how long the night's first failure has waited is
        # the first thing an on-call asks. The enqueue time retention counts from, which a
        # standard DLQ keeps from the first send (ApproximateAgeOfOldestMessage, in `show
        # metrics`, counts from the move).
        ago = f"{format_duration(age)} ago" if age else "just now"
        lines.append(f"oldest message enqueued {iso_ms(now - age)} ({ago})")
    if q.dlq is not None:
        lines.append(f"dead-letter queue {q.dlq.name} after {q.max_receive_count} receives")
    elif readers := [s.fn.name for s in sim.event_sources if s.queue is q]:
        # What `validate` says as queue-no-dlq, where an on-call looks for the DLQ.
        lines.append(
            f"no dead-letter queue: a message {readers[0]} fails is received again until its "
            f"retention ends; `explain ID` says why it is still here"
        )
    if q.sources:
        lines.append(f"dead-letter queue of {names(s.name for s in q.sources)}")
        if stats["visible"]:
            lines.append(
                f"`explain ID` says why a message is here; "
                f"`redrive {quote_word(q.name)}` moves them back"
            )
    workers = sim.services["workers"].of_queue(q.name) if "workers" in sim.services else []
    for poll in workers:
        lines.append(f"polled by {poll_text(poll)}")
    # A worker's stopped pollers say so on their `polled by` line.
    paused = [
        m.workload for m in all_mappings(sim) if m.source == q.name and m.disabled and not m.polls
    ]
    for workload in paused:
        lines.append(
            f"{workload}'s event source mapping is disabled: its messages wait here "
            f"(`resume {quote_word(workload)} --trigger {quote_word(q.name)}`)"
        )
    msgs = q.listing(MAX_SHOWN_MESSAGES)
    if q.depth > len(msgs):
        lines.append(f"showing the first {len(msgs)} of {q.depth} messages")
    headers = ["message", "state", "receives", "until", "group", "body"]
    rows = [
        [
            m.id,
            m.state_name,
            str(m.receive_count),
            iso_ms(m.visible_at) if m.state_name != "visible" else "",
            m.group or "",
            shorten(m.body),
        ]
        for m in msgs
    ]
    return CommandResult(
        "\n".join(lines),
        table=(headers, rows) if rows else None,
        data={
            "queue": q.name,
            "aws_name": aws.get("name"),
            "url": aws.get("url"),
            **stats,
            "oldest_enqueued": None if age is None else iso_ms(now - age),
            "messages": [_message_data(m) for m in msgs],
            **({"pollers": [poll_data(p) for p in workers]} if workers else {}),
            **({"disabled_mappings": paused} if paused else {}),
        },
    )


def _show_functions(sim: Simulator) -> CommandResult:
    headers = [
        "function",
        "running",
        "invocations",
        "successes",
        "failures",
        "throttles",
        "behaviour",
    ]
    rows = []
    data = []
    for fn in sim.functions.values():
        stats = sim.function_stats(fn.name)
        behaviour = behaviour_summary(sim, fn.name, fn.overrides)
        rows.append(
            [
                fn.name,
                *(
                    str(stats[k])
                    for k in ("running", "invocations", "successes", "failures", "throttles")
                ),
                behaviour,
            ]
        )
        data.append(
            {
                "function": fn.name,
                **stats,
                "behaviour": sim.behaviors.describe(fn.name),
                "overrides": [o.describe() for o in fn.overrides],
            }
        )
    text = "" if rows else "this stack has no functions"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)


def _show_agenda(sim: Simulator) -> CommandResult:
    entries = sim.agenda(50)
    now = sim.clock.now
    if not entries:
        return CommandResult(f"nothing is scheduled; now {iso_ms(now)}", data=[])
    rows = [
        [iso_ms(t), f"+{format_duration(t - now)}", kind, resource, what]
        for t, kind, resource, what in entries
    ]
    data = [
        {"t": iso_ms(t), "kind": kind, "resource": resource, "what": what}
        for t, kind, resource, what in entries
    ]
    return CommandResult(
        f"now {iso_ms(now)}; next {len(entries)} scheduled",
        table=(["time", "in", "kind", "resource", "what"], rows),
        data=data,
    )


def _show_schedules(sim: Simulator) -> CommandResult:
    rows_data = sim.services["schedules"].listing()
    if not rows_data:
        return CommandResult("this stack has no schedules", data=[])
    rows = [
        [
            d["owner"],
            str(d["number"]),
            d["expression"],
            d["describe"],
            "paused" if d["paused"] else "",
            d["next"] or _no_next_fire(d),
            d["input"],
        ]
        for d in rows_data
    ]
    headers = ["workload", "#", "expression", "when", "paused", "next fire", "input"]
    return CommandResult(f"now {iso_ms(sim.clock.now)}", table=(headers, rows), data=rows_data)


def _no_next_fire(row: dict[str, Any]) -> str:
    """The next-fire cell of a schedule that has none: empty when it is paused or invalid;
    else it is a cron() with no fire left up to 2199, cron's last year (a rate() always has
    one, past the clock's end if need be), which `until` past it would run on in silence."""
    if row["paused"] or row["describe"].startswith("invalid"):
        return ""
    return "none up to 2199"


def _show_buses(sim: Simulator) -> CommandResult:
    buses = sim.services["buses"]
    data = buses.listing()
    rows = []
    for bus in data:
        label = bus["bus"] + (" (outside the stack; nothing publishes)" if bus["external"] else "")
        if not bus["rules"]:
            rows.append([label, "", "", "(no rules)", "", ""])
        for r in bus["rules"]:
            group = r["message_group_id"]
            rows.append(
                [
                    label,
                    r["rule"],
                    r["target"],
                    Shown(format_value(r["pattern"])),
                    r["input"] + (f", group {group}" if group else ""),
                    _dlq_notes(r["dlq"], r["problems"]),
                ]
            )
    lines = [f"{owner}: {why}" for owner, why in buses.unattached]
    return CommandResult(
        "\n".join(lines),
        table=(["bus", "rule", "target", "pattern", "input", "dlq / problems"], rows),
        data=data,
    )


def _show_bus(sim: Simulator, name: str) -> CommandResult:
    """One bus: its rules (as `show buses` gives them), its archive and its replays."""
    buses = sim.services["buses"]
    try:
        bus = buses.bus(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    listing = next(b for b in buses.listing() if b["bus"] == bus.key)
    lines = [f"{bus.key} ({bus.name}): {len(bus.rules)} rule{'s' * (len(bus.rules) != 1)}"]
    for r in listing["rules"]:
        notes = _dlq_notes(r["dlq"], r["problems"])
        lines.append(
            f"  rule {r['rule']} -> {r['target']}: {format_value(r['pattern'])}"
            + (f" ({notes})" if notes else "")
        )
    data: dict[str, Any] = {**listing, "archive": None, "replays": []}
    if bus.archive is None:
        # `archivation` is a property of the stack's own buses: the default bus has none.
        why = (
            "Stacktape archives only the stack's own event-bus resources"
            if bus.account_default or bus.external
            else "`archivation` is not enabled"
        )
        lines.append(f"  no archive ({why})")
        return CommandResult("\n".join(lines), data=data)
    info = bus.archive.summary()
    days = info["retention_days"]
    lines.append(
        f"  archive {info['archive']}: {info['event_count']:,} event"
        f"{'s' * (info['event_count'] != 1)}, {info['size_bytes']:,} bytes, "
        f"retention {f'{days} days' if days else 'forever'}"
    )
    if info["oldest"] is not None:
        lines.append(f"    events from {info['oldest']} to {info['newest']}")
    if info["arriving"]:
        lines.append(f"    {info['arriving']:,} more on their way (10 minutes after they arrive)")
    replays = buses.replays.listing(bus.key)
    data.update(archive=info, replays=replays)
    headers = ["replay", "state", "from", "to", "rules", "replayed", "started", "ended"]
    return CommandResult(
        "\n".join(lines),
        table=(headers, [_replay_row(r) for r in replays]) if replays else None,
        data=data,
    )


def _replay_row(r: dict[str, Any]) -> list[str]:
    rules = "all" if r["rules"] is None else ", ".join(r["rules"])
    return [
        r["replay"],
        r["state"],
        r["event_start"],
        r["event_end"],
        rules,
        f"{r['replayed']} of {r['events']}",
        r["started"],
        r["ended"] or "",
    ]


def _show_replays(sim: Simulator) -> CommandResult:
    service = sim.services["buses"].replays
    replays = [] if service is None else service.listing()
    if not replays:
        text = (
            "no replay has been started"
            if service is not None
            else "no event bus of this stack has an archive (`archivation`), so none replays"
        )
        return CommandResult(text, data=[])
    headers = ["replay", "bus", "state", "from", "to", "rules", "replayed", "started", "ended"]
    rows = [[r["replay"], r["bus"], *_replay_row(r)[1:]] for r in replays]
    return CommandResult(table=(headers, rows), data=replays)


def _dlq_notes(dlq: str | None, problems: list[str]) -> str:
    return "; ".join([*([dlq] if dlq else []), *problems])


def _show_topics(sim: Simulator) -> CommandResult:
    data = sim.services["topics"].listing()
    if not data:
        return CommandResult("this stack has no SNS topics", data=[])
    rows = []
    for topic in data:
        label = topic["topic"] + (" (FIFO)" if topic["fifo"] else "")
        if not topic["subscriptions"]:
            rows.append([label, "(no subscriptions)", "", ""])
        for sub in topic["subscriptions"]:
            policy = sub["filter_policy"]
            rows.append(
                [
                    label,
                    sub["target"],
                    "" if policy is None else Shown(format_value(policy)),
                    _dlq_notes(sub["dlq"], sub["problems"]),
                ]
            )
    return CommandResult(
        table=(["topic", "subscriber", "filter policy", "dlq / problems"], rows), data=data
    )


def _message_data(m: Message) -> dict[str, Any]:
    return {
        "message_id": m.id,
        "queue": m.queue.name,
        "state": m.state_name,
        "receive_count": m.receive_count,
        "sent_at": iso_ms(m.sent_at),
        "visible_at": iso_ms(m.visible_at),
        "group": m.group,
        "body": m.body,
        "attributes": m.attrs or {},
    }


def _find_message_id(sim: Simulator, text: str) -> str:
    """The full id of a live or traced message given its id or a unique prefix: unique
    among every message the queues hold or the trace names, live or gone."""
    if sim.find_message(text) is not None:
        return text
    index = trace_index(sim.trace)
    if index.named_message(text):
        return text
    ids = {mid for q in sim.queues.values() for mid in q.messages}
    ids.update(index.named_messages())
    if text in ids:
        return text
    hits = sorted(mid for mid in ids if mid.startswith(text))
    if hits and len(text) < MIN_PREFIX:
        # A one- or two-character prefix that happens to be unique today would name a
        # different message tomorrow: scripts must not depend on it.
        raise CommandError(
            f"{text!r} is too short", f"give at least {MIN_PREFIX} characters of the id", word=text
        )
    if len(hits) > 1:
        _refuse_ambiguous(text, hits, "message ids", "show message")
    if hits:
        return hits[0]
    raise CommandError(f"no message {text!r}", "`show queue QUEUE` lists message ids", word=text)


# How many of the ids an ambiguous prefix could mean a refusal names.
_SHOWN_CANDIDATES = 5


def _refuse_ambiguous(prefix: str, ids: list[str], what: str, command_name: str) -> NoReturn:
    """Refuse a prefix that several ids start with, naming them (each cut to a start that
    tells it from the others) and the line that picks the first."""
    starts = distinct_prefixes(ids)
    shown = [
        start + ("…" if len(start) < len(ident) else "")
        for start, ident in zip(starts, ids, strict=True)
    ][:_SHOWN_CANDIDATES]
    more = len(ids) - len(shown)
    listed = ", ".join(shown) + (f" and {more} more" if more else "")
    raise CommandError(
        f"{prefix!r} is the start of {len(ids)} {what}: {listed}",
        f"type more characters of the id, e.g. {command_name} {starts[0]}",
        word=prefix,
    )


def _show_message(sim: Simulator, text: str) -> CommandResult:
    mid = _find_message_id(sim, text)
    msg = sim.find_message(mid)
    history = trace_index(sim.trace).message_records(mid)
    lines = [f"message {mid}"]
    data: dict[str, Any] = {"message_id": mid, "live": msg is not None}
    story = _message_story(sim, mid, history)
    if msg is not None:
        data.update(_message_data(msg))
        lines.append(
            f"queue {msg.queue.name}, {msg.state_name.replace('_', ' ')}, "
            f"received {msg.receive_count} time{'s' * (msg.receive_count != 1)}"
        )
        lines += story
        lines.append(f"sent {iso_ms(msg.sent_at)}")
        # A standard queue's message may have a group (a fair queue's tenant) and no
        # deduplication id; only a FIFO queue's message has one.
        ident = [f"group {msg.group}"] if msg.group else []
        if msg.dedup_id:
            ident.append(f"deduplication id {msg.dedup_id}")
        if ident:
            lines.append(", ".join(ident))
        if msg.attrs:
            lines.append(
                "attributes " + " ".join(f"{k}={format_value(v)}" for k, v in msg.attrs.items())
            )
        lines.append(f"body {shown(msg.body)}")
    elif published := next((r for r in history if r.kind == tk.TOPIC_PUBLISHED), None):
        lines.append(f"an SNS message published on {published.resource}; its history:")
    else:
        lines += story
        lines.append("no longer in any queue; its history:")
    rows = [[iso_ms(r.t), r.kind, r.resource, record_details(r)] for r in history]
    data["history"] = [r.to_json() for r in history]
    return CommandResult(
        "\n".join(lines),
        table=(["time", "kind", "resource", "details"], rows) if rows else None,
        data=data,
    )


def _show_graph(sim: Simulator) -> CommandResult:
    """The stack's graph as `stptui graph` draws it, with the behaviours' `poll` items (a
    queue a worker polls), and as node-link data; folded to a terminal's width as `stptui
    graph` folds it there."""
    from stptui.graph import to_json, to_text

    g = drive_graph(sim)
    return CommandResult(
        to_text(g).rstrip("\n"),
        data=json.loads(to_json(g)),
        fold=lambda width: to_text(g, width).rstrip("\n"),
    )


def _show_event(sim: Simulator, key: str, *, printed: bool = False) -> CommandResult:
    """The event an invocation received, as pretty JSON, built as its handler got it; or the
    STP_TRIGGER_EVENT_DATA a batch job execution's containers read, as they read it.
    `printed`: `key` is the id the last command printed (`$last`)."""
    entry = kept_event(sim, key)
    if entry is None:
        execution = _batch_execution_named(sim, key)
        if execution is not None and execution.direct is not None:
            return _show_submitted_job(sim, execution)
        if execution is not None:
            return _show_trigger_event(sim, execution)
        entry = _kept_invocation(sim, key, printed)
    inv_id, name, _caller, _extra = entry
    event = event_of(sim, entry)
    return CommandResult(
        f"the event invocation {inv_id} of {name} received:\n{json_text(event, indent=2)}",
        data={"invocation_id": inv_id, "function": name, "event": event},
    )


def _batch_execution_named(sim: Simulator, key: str) -> Execution | None:
    """The kept batch job execution `key` names (see `batch_execution`; a unique start of
    its id too), None when it names none; refused when too short or ambiguous, as an
    invocation id's start is."""
    found = batch_execution(sim, key)
    if found is not None:
        return found
    hits = batch_executions_starting(sim, key)
    if hits and len(key) < MIN_PREFIX:
        raise CommandError(
            f"{key!r} is too short", f"give at least {MIN_PREFIX} characters of the id", word=key
        )
    if len(hits) > 1:
        _refuse_ambiguous(key, [ex.id for ex in hits], "execution ids", "show event")
    return hits[0] if hits else None


def _show_trigger_event(sim: Simulator, ex: Execution) -> CommandResult:
    """What the containers of batch job execution `ex` read as STP_TRIGGER_EVENT_DATA: the
    exact text (JSON with `json_shown`'s escapes, which parse to the same value; other text
    a StartExecution gave as `shown` writes it), or why no container read any: it ran no
    attempt (a CommandError says so), or AWS refused the job of each attempt (said first,
    then the text its attempts passed on)."""
    if ran_no_attempt(ex):
        raise CommandError(
            f"execution {ex.id} of {ex.job} ran no attempt: its input had no jobName and "
            "triggerEvent strings for Stacktape's state machine to pass on",
            f"explain {ex.id} says why it failed",
            word=ex.id,
        )
    text = ex.event_json
    try:
        json.loads(text)
    except ValueError:
        body = shown(text)
    else:
        body = json_shown(text)
    data = {"execution_id": ex.id, "job": ex.job, "execution_arn": ex.arn, "text": text}
    refused = sim.services["batch"].no_container(ex)
    if refused is None:
        head = (
            f"the STP_TRIGGER_EVENT_DATA the containers of execution {ex.id} of {ex.job} read "
            f"({len(text):,} characters):"
        )
    else:
        error, message = refused
        which, they = (
            ("its attempt", "it")
            if ex.attempt == 1
            else (f"each of its {ex.attempt} attempts", "they")
        )
        head = (
            f"no container of execution {ex.id} of {ex.job} started: AWS refused the job of "
            f"{which} ({error}: {shown(message)}). The STP_TRIGGER_EVENT_DATA {they} passed on "
            f"({len(text):,} characters):"
        )
        data["no_container"] = {"error": error, "error_message": message}
    return CommandResult(f"{head}\n{body}", data=data)


def _show_submitted_job(sim: Simulator, ex: Execution) -> CommandResult:
    """What the containers of an AWS Batch job a user's state machine submitted
    (`batch:submitJob`) got instead of a trigger event: the environment and Parameters of
    that SubmitJob. STP_TRIGGER_EVENT_DATA is set only by Stacktape's own state machine of
    the job, unless the SubmitJob's ContainerOverrides set it too."""
    direct = ex.direct
    assert direct is not None  # `_show_event` sends only a submitted job here
    env = direct.env()
    own = "STP_TRIGGER_EVENT_DATA" in direct.environment
    read = (
        "its containers read the STP_TRIGGER_EVENT_DATA that SubmitJob's ContainerOverrides set"
        if own
        else "its containers got no STP_TRIGGER_EVENT_DATA (only Stacktape's own state machine "
        f"of {ex.job} sets it)"
    )
    refused = sim.services["batch"].no_container(ex)
    gave = "What that SubmitJob gave its containers:"
    if refused is not None:
        gave = (
            f"No container of it started: AWS Batch failed it first ({shown(refused[1])}). "
            "What that SubmitJob gave it:"
        )
    lines = [
        f"AWS Batch job {ex.id} ({shown(direct.name)}) of {ex.job} got no trigger event: "
        f"state machine execution {shown(ex.source)} submitted it (batch:submitJob), so "
        f"{read}. {gave}",
        f"  environment: {json_text(env, separators=(',', ':'))}",
        f"  parameters: {json_text(direct.parameters, separators=(',', ':'))}",
        f"show execution {quote_word(ex.arn)} shows the execution that submitted it; "
        f"explain {ex.id} follows its attempts",
    ]
    return CommandResult(
        "\n".join(lines),
        data={
            "execution_id": ex.id,
            "job": ex.job,
            "job_name": direct.name,
            "submitted_by": ex.arn,
            "text": None,
            "environment": env,
            "parameters": dict(direct.parameters),
        },
    )


def _kept_invocation(sim: Simulator, key: str, printed: bool = False) -> Kept:
    """The kept entry of the invocation `key` names (its id or a unique start of it); a
    CommandError saying why there is none: too old to be kept, not an invocation (the
    invocations a message or event id led to named), not run yet (the work the command
    that printed `key` set off is due now) or unknown."""
    entries = list(sim.invocation_events)
    exact = next((e for e in entries if e[0] == key), None)
    if exact is not None:
        return exact
    hits = [e for e in entries if e[0].startswith(key)]
    if hits and len(key) < MIN_PREFIX:
        # A start unique today would name another invocation tomorrow (`show message`'s rule).
        raise CommandError(
            f"{key!r} is too short", f"give at least {MIN_PREFIX} characters of the id", word=key
        )
    if len(hits) > 1:
        _refuse_ambiguous(key, [e[0] for e in hits], "invocation ids", "show event")
    if hits:
        return hits[0]
    chain = explain(sim.trace, key)
    started = invocation_started(chain.records, key) if chain.found else None
    if started is not None:
        raise CommandError(
            f"invocation {started.get('invocation_id')} of {started.resource} is too old: "
            f"only the newest {KEPT_EVENTS} invocations' events are kept",
            "`show event` a newer one (`show function FUNCTION` lists its latest); "
            "explain ID still follows it",
            word=key,
        )
    led = [
        str(r.get("invocation_id"))
        for r in chain.records
        if r.kind == tk.INVOCATION_STARTED and kept_event(sim, str(r.get("invocation_id")))
    ]
    if led:
        raise CommandError(
            f"{key!r} is no invocation id; it led to {len(led)} invocation{'s' * (len(led) != 1)}",
            f"show event {led[-1]}" + (" (the newest of them)" if len(led) > 1 else ""),
            word=key,
        )
    jobs = executions_led_to(sim, chain.records) if chain.found else []
    if jobs:
        raise CommandError(
            f"{key!r} is no invocation id; it started batch job {jobs[-1].job}'s execution",
            f"show event {jobs[-1].id}",
            word=key,
        )
    submitted = executions_led_to(sim, chain.records, submitted=True) if chain.found else []
    if submitted:
        raise CommandError(
            f"{key!r} is no invocation id; it submitted AWS Batch job {submitted[-1].id} of "
            f"{submitted[-1].job}, whose containers got no trigger event",
            f"show event {submitted[-1].id} says what they got",
            word=key,
        )
    if chain.found:
        # The trace knows the id, and what it led to ran no function whose event is kept.
        if (waiting := _waiting_note(sim, chain.records)) is not None:
            raise CommandError(f"{key!r} led to no invocation yet", waiting, word=key)
        raise CommandError(
            _ran_no_kept_invocation(chain.records, key), f"explain {key} follows it", word=key
        )
    if printed and (waiting := due_now_note(sim)) is not None:
        # `invoke F --async` queues an event that no record names until its attempt starts.
        raise CommandError(f"no invocation {key!r} yet", waiting, word=key)
    newest = entries[-1][0] if entries else None
    batch = "batch" in sim.services and bool(sim.services["batch"].jobs)
    raise CommandError(
        f"no invocation{' or batch job execution' * batch} {key!r}",
        f"e.g. show event {newest} (the newest); `show function FUNCTION` lists its latest"
        if newest
        else "no function has been invoked yet"
        + ("; `start-job JOB` starts a batch job's execution, whose id it names" * batch),
        word=key,
    )


def _waiting_note(sim: Simulator, records: list[Any]) -> str | None:
    """The due-now note (`due_now_note`) for a chain whose last record is of this instant:
    the work its command set off waits for the clock to run it. None for a chain that
    ended earlier, whatever else is due now."""
    if not records or records[-1].t != sim.clock.now:
        return None
    return due_now_note(sim)


def _ran_no_kept_invocation(records: list[Any], key: str) -> str:
    """Why `show event` of an id the trace knows shows nothing: the invocations it led to
    are too old to be kept, or it ran none (a container answers a request, or processes a
    message, itself)."""
    if any(r.kind == tk.INVOCATION_STARTED for r in records):
        return (
            f"{key!r} is no invocation id, and the invocations it led to are too old: only "
            f"the newest {KEPT_EVENTS} invocations' events are kept"
        )
    if any(r.kind.startswith("container.") for r in records):
        return (
            f"{key!r} led to no function invocation: a container gets its request or message "
            "itself, not a Lambda event"
        )
    return f"{key!r} led to no function invocation"


def _message_story(sim: Simulator, mid: str, history: list[Any]) -> list[str]:
    """What a message's own records leave to be pieced together: why it was moved to a
    dead-letter queue, and the other id a redrive gave it (the copy it became, or the
    message it is a copy of), whose records go on (or began) under that id."""
    why = _moved_why(sim, mid, history)
    lines = [why] if why else []
    for r in history:
        if r.kind != tk.MESSAGE_REDRIVEN:
            continue
        old, new = str(r.get("message_id")), str(r.get("new_message_id"))
        if old == mid:
            lines.append(
                f"redriven to {r.get('target')} as {new}: `show message {new}` follows it there"
            )
        elif new == mid:
            lines.append(
                f"a redrive of {old} from {r.resource} (`show message {old}` has its life before)"
            )
    return lines


def _moved_why(sim: Simulator, mid: str, history: list[Any]) -> str | None:
    """The `why:` line `explain` starts with for a message that was moved to a dead-letter
    queue, with the pointer to `explain` for the failures themselves, or None. The message's
    own records hold its receives, not the errors: those are on the invocations that
    received it, read here by their ids (at most maxReceiveCount of them)."""
    if not any(r.kind == tk.MESSAGE_DEAD_LETTERED for r in history):
        return None
    index = trace_index(sim.trace)
    invocations = {str(r.get("invocation_id")) for r in history if r.kind == tk.INVOCATION_STARTED}
    seqs = {r.seq for r in history}
    for ident in invocations:
        seqs.update(index.of_id(ident))
    why = dead_letter_why(index.records(sorted(seqs)), mid)
    return f"{why}; `explain {mid}` adds each failure and its log lines" if why else None


def _show_trace(sim: Simulator, n: int) -> CommandResult:
    recs = sim.trace.tail(n)
    if not recs:
        return CommandResult("the trace is empty", data=[])
    rows = [[str(r.seq), iso_ms(r.t), r.kind, r.resource, record_details(r)] for r in recs]
    return CommandResult(
        table=(["seq", "time", "kind", "resource", "details"], rows),
        data=[r.to_json() for r in recs],
    )


def _retry_why(sim: Simulator, chain: Chain, key: str) -> str | None:
    """The `why:` line of a message that failed and is still in a queue with no dead-letter
    queue (whose consumer's on-call looks for a DLQ in vain), or None."""
    sent = next(
        (
            r
            for r in chain.records
            if r.kind == tk.MESSAGE_SENT and str(r.get("message_id")).startswith(key)
        ),
        None,
    )
    msg = sim.find_message(str(sent.get("message_id"))) if sent is not None else None
    if msg is None or msg.queue.dlq is not None or msg.receive_count < 2:
        return None
    until = iso_ms(msg.enqueued_at + msg.queue.retention_ms)
    return retry_why(chain.records, msg.id, msg.queue.name, msg.receive_count, until)


def _dropped_why(sim: Simulator, chain: Chain) -> str | None:
    """The `why:` line of an asynchronous event Lambda gave up on for a function with no
    `destinations.onFailure` (where an on-call looks for it in an onDeliveryFailure queue
    in vain), or None."""
    dropped = next((r for r in reversed(chain.records) if r.kind == tk.INVOCATION_DISCARDED), None)
    fn = sim.stack.resources.get(dropped.resource) if dropped is not None else None
    if dropped is None or not isinstance(fn, Function) or fn.on_failure is not None:
        return None
    errors = list(
        dict.fromkeys(
            cut(one_line(f"{r.get('error')}: {r.get('error_message')}"), WHY_WIDTH)
            for r in chain.records
            if r.kind == tk.INVOCATION_FAILED and r.resource == fn.name
        )
    )
    failed = f"; {fn.name} failed with {'; '.join(errors)}" if errors else ""
    also = (
        " (its onDeliveryFailure queue gets only what could not be delivered to it)"
        if any(getattr(t, "on_delivery_failure", None) is not None for t in fn.events)
        else ""
    )
    return (
        f"why: dropped after {dropped.get('attempts')} attempts ({dropped.get('condition')})"
        f"{failed}; {fn.name} has no destinations.onFailure, so Lambda kept nothing of the "
        f"event{also}"
    )


# What a handler's emission writes first: a record after its invocation of one of these
# kinds, naming it, means the chain went on past it.
_SENT_KINDS = frozenset(
    {
        tk.MESSAGE_SENT,
        tk.EVENT_PUBLISHED,
        tk.TOPIC_PUBLISHED,
        tk.OBJECT_CREATED,
        tk.ITEM_PUT,
        tk.STREAM_RECORD_PUT,
        tk.INVOCATION_STARTED,
    }
)


def _silent_why(sim: Simulator, chain: Chain) -> str | None:
    """The `why:` line of a chain that stops at a function whose behaviour sends nothing
    though its connectTo names what it could send to (the first thing a stack run without
    `emit` items meets: its queue or bus never hears from the function), or None."""
    ran = [r for r in chain.records if r.kind == tk.INVOCATION_SUCCEEDED]
    if not ran:
        return None
    last = ran[-1]
    fn = sim.stack.resources.get(last.resource)
    if not isinstance(fn, Function) or not sim.behaviors.sends_nothing(fn.name):
        return None
    after = chain.records[chain.records.index(last) + 1 :]
    if any(r.kind in _SENT_KINDS for r in after):
        return None
    # Only where the pipeline stops there: a target that triggers a workload (a queue with
    # a consumer, a bus with a rule), not a table or bucket a last consumer writes to.
    from stptui.graph import TRIGGER

    g = stack_graph(sim)
    kinds = set(EMISSION_TARGET_TYPES.values())
    targets = [
        ref.target
        for ref in fn.connect_to
        if ref.target is not None
        and (res := sim.stack.resources.get(ref.target)) is not None
        and res.type in kinds
        and g.has_node(ref.target)
        and any(d.get("kind") == TRIGGER for _, _, d in g.out_edges(ref.target, data=True))
    ]
    if not targets:
        return None
    return (
        f"why: {fn.name} ran and sent nothing on: its behaviour declares no `emit` (its "
        f"connectTo allows {', '.join(dict.fromkeys(targets))}), and a handler sends only "
        "what its `emit` items or its Python handler send (`stptui init` writes them, "
        "commented out)"
    )


def _explain_what_first() -> NoReturn:
    """`explain` alone: where its ID comes from, which `usage: explain ID` did not say."""
    raise CommandError(
        "explain needs ID",
        "a message, event, invocation or request id a command printed (its first 8 "
        "characters do), or an object key: e.g. explain $last; Tab offers the newest",
    )


def _explain_a_command(words: list[str]) -> None:
    """`explain http GET /orders`: a command where the id goes. It is run first, then its
    id explained; the hint said to write `explain http`, which finds nothing."""
    if len(words) < 2 or words[0] not in REGISTRY.commands or words[0] == "explain":
        return
    line = " ".join(quote_word(w) for w in words)
    raise CommandError(
        "explain takes the id a command printed, not the command",
        f"run `{line}` first, then `explain $last` (the id it printed)",
        word=words[0],
        word_index=1,
    )


@command(
    "explain",
    "inspect",
    "Show the causal chain from a stimulus to every effect, and why rules or notifications "
    "did not fire.",
    args=(
        Arg(
            "ID",
            TRACE_ID,
            "a message, event, invocation, request or execution id (or a unique prefix), an "
            "object key (KEY or BUCKET/KEY), a user's email, an execution's name, a FIFO "
            "deduplication id or a Kinesis partition key",
        ),
    ),
    examples=(
        "explain 3f2a9c1e",
        "explain incoming/report.csv",
        "explain uploads/incoming/report.csv",
    ),
    details=(
        "It takes what the stimulus printed: a message, event or invocation id, an HTTP "
        "request id (a load balancer's trace id, Root=1-...), a stream record's sequence "
        "number, a Kafka record's TOPIC-PARTITION@OFFSET, a log event's id, a WebSocket "
        "connection or request id, a user's email or phone number, an execution's name or "
        "ARN; or what the sender chose: a FIFO queue's or topic's deduplication id (the "
        "messages sent with it) and a Kinesis record's partition key (every record put with "
        "it). A message's body is no id and the trace keeps none: `show queue QUEUE` lists "
        "the bodies waiting. An unknown one gets a did-you-mean when the trace holds a close "
        "one. "
        "`explain repeat-1` tells what a repeat runs, where it stands, its own records, and "
        "the first record its first repetitions and its latest made, with the id to explain "
        "next. A message moved to a dead-letter queue starts with a `why:` line: its "
        "receives, the function or worker that failed them and the errors, and the size of "
        "the batch it shared (a poison message fails its batch-mates too); so does one "
        "received more than once and still in a queue without a dead-letter queue, with the "
        "instant its retention ends (when SQS deletes it if no consumer has), an "
        "asynchronous event Lambda dropped for a function with no destinations.onFailure, "
        "and a chain whose bus event matched no rule (or SNS message no subscription): who "
        "published it where, and the conditions each rule's pattern (or subscription's "
        "filter policy) failed, or that the bus (or topic) has none; and a chain that stops at "
        "a function whose behaviour has no emit though its connectTo names a queue, bus or "
        "topic that triggers a workload (a handler sends only what its emit items or its "
        "Python handler send). An invocation that ran in a new execution environment (a "
        "cold start) starts with a line that says so, and with the function's `initDuration` "
        "how long its init phase took and when its handler started after it; so does one "
        "that ran in an environment Lambda reset after an invocation in it timed out or its "
        "runtime exited, which ran the init phase again (a suppressed init) within its "
        "timeout."
    ),
    check_words=lambda words: _explain_a_command(words) if words else _explain_what_first(),
)
def cmd_explain(session: Session, call: Call) -> CommandResult:
    """explain ID"""
    # Imported here: importing the module registers its commands, in the order the
    # handlers package imports them.
    from stptui.commands.handlers.repeat import explain_repeat

    key = call.args["id"]
    execution = _execution_named(session.sim, key, exact=True)
    if execution is not None:
        return explain_execution(session.sim, execution)
    if (repeated := explain_repeat(session.sim, key)) is not None:
        return repeated
    chain = explain(session.sim.trace, key)
    if chain.candidates:
        _refuse_ambiguous(key, chain.candidates, "ids", "explain")
    if not chain.found:
        execution = _execution_named(session.sim, key, exact=False)
        if execution is not None:
            return explain_execution(session.sim, execution)
        _not_explained(session.sim, key, printed=key == session.last_id)
    lines = chain.lines()
    why = dead_letter_why(chain.records, key) or _retry_why(session.sim, chain, key)
    why = why or _dropped_why(session.sim, chain) or unmatched_why(chain.records)
    if why := why or _silent_why(session.sim, chain):
        lines.insert(0, why)
    if cold := _cold_start(session.sim, chain, key):
        lines.insert(1 if why else 0, cold)
    started = invocation_started(chain.records, key)
    if started is not None:
        if kept_event(session.sim, str(started.get("invocation_id"))):
            lines.append(f"show event {started.get('invocation_id')} shows the event it received")
    else:
        lines += invoked_lines(session.sim, chain.records)
    lines += show_event_lines(session.sim, chain.records)
    if (waiting := _waiting_note(session.sim, chain.records)) is not None:
        lines.append(waiting)
    replayed = next(
        (
            r
            for r in chain.records
            if r.kind == tk.EVENT_PUBLISHED
            and r.get("replay_of")
            and str(r.get("event_id")).startswith(key)
        ),
        None,
    )
    if replayed is not None:
        # A replayed event's chain holds its original's: say which is which first.
        lines.insert(
            0,
            f"event {replayed.get('event_id')} is replay {replayed.get('replay')}'s copy of "
            f"event {replayed.get('replay_of')} (explain {replayed.get('replay_of')})",
        )
    return CommandResult(
        "\n".join(lines),
        data={"key": key, "records": [r.to_json() for r in chain.records]},
    )


def _cold_start(sim: Simulator, chain: Chain, key: str) -> str | None:
    """What `explain` says of the invocation `key` names when it ran in a new execution
    environment (`cold_start_note`; `retried_init_note` when its init failed and Lambda ran
    it again within the invocation) or in one Lambda reset after a timeout or a runtime exit
    (`reset_init_note`), or None (a warm start, or no invocation)."""
    started = invocation_started(chain.records, key)
    fn = sim.functions.get(started.resource) if started is not None else None
    if started is None or fn is None:
        return None
    inv_id = str(started.get("invocation_id"))
    reinit = fn.reinits.get(inv_id)
    init_ms = fn.cold_starts.get(inv_id)
    if reinit is not None:
        retry_ms, earlier, error_type = reinit
        declared = fn.init_hi > 0
        if earlier == inv_id and init_ms is not None:  # its own init failed: retried
            return retried_init_note(
                started, init_ms, retry_ms, error_type, fn.timeout_ms, declared
            )
        return reset_init_note(started, retry_ms, earlier, error_type, fn.timeout_ms, declared)
    return None if init_ms is None else cold_start_note(started, init_ms, fn.init_hi > 0)


def _execution_named(sim: Simulator, key: str, *, exact: bool) -> Any:
    """The state machine execution `key` names (its name or ARN; with `exact` False also a
    unique start of its name), or None."""
    machines = sim.services.get("state_machines", {})
    every = [ex for m in machines.values() for ex in m.executions.values()]
    found = [ex for ex in every if key in (ex.name, ex.arn)]
    if not found and not exact and key:  # an empty word starts every name: it names none
        found = [ex for ex in every if ex.name.startswith(key)]
    return found[0] if len(found) == 1 else None


# The record fields that name what `explain` follows best, in the order a hint offers them.
_CHAIN_IDS = ("message_id", "event_id", "invocation_id", "execution_id", "request_id")


def _not_explained(sim: Simulator, key: str, *, printed: bool = False) -> None:
    """Refuse `explain KEY` for a key the trace does not link to anything, saying what the
    key is when it is something else: a resource, a record kind or too short a prefix; or
    when it is the id the last command printed (`printed`), that its work has not run."""
    records = list(sim.trace.records)
    if key in sim.stack.resources or any(r.resource == key for r in records):
        # What reaches a resource may be written on its sender (a dead-letter queue's
        # messages are the source queue's `message.dead_lettered`, its `target`).
        latest = next(
            (
                (name, value)
                for rec in reversed(records)
                if key in (rec.resource, rec.data.get("target"))
                for name in _CHAIN_IDS
                if isinstance(value := rec.data.get(name), str) and value
            ),
            None,
        )
        hint = (
            f"its latest {latest[0].replace('_', ' ')}: explain {latest[1]}"
            if latest
            else f"nothing has happened on {key} yet"
        )
        raise CommandError(
            f"{key!r} is a resource; explain follows one message, event, invocation or object",
            hint,
            word=key,
        )
    replays = sim.services["buses"].replays
    if replays is not None and key in replays.replays:
        # A replay sends many events; explain follows one of them to its original.
        copy = next(
            (
                r.get("event_id")
                for r in records
                if r.kind == tk.EVENT_PUBLISHED and r.get("replay") == key
            ),
            None,
        )
        raise CommandError(
            f"{key!r} is a replay; explain follows one message, event, invocation or object",
            f"`show replays` gives its state; its first replayed event: explain {copy}"
            if copy
            else "`show replays` gives its state; it has replayed no event yet",
            word=key,
        )
    if key in tk.KINDS:
        raise CommandError(
            f"{key!r} is a kind of trace record; explain follows one message, event, "
            "invocation or object",
            f"`show trace` lists the records with their ids; `expect count {key} ...` counts them",
            word=key,
        )
    if 0 < len(key) < MIN_PREFIX:
        ids = sorted(
            {
                value
                for rec in records
                for name, value in rec.data.items()
                if name.endswith("_id") and isinstance(value, str) and value.startswith(key)
            }
        )
        if ids:
            shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
            raise CommandError(
                f"{key!r} is too short a prefix: give at least {MIN_PREFIX} characters of the id",
                f"ids that start with it: {shown}",
                word=key,
            )
    unproduced = unproduced_record(sim, key)
    if unproduced is not None:
        raise CommandError(*unproduced)
    repeats = sim.services.get("repeats")
    if key.startswith("repeat-") and repeats is not None and repeats.every:
        made = list(repeats.every)
        shown = ", ".join(made[:5]) + (f" ... {made[-1]}" if len(made) > 5 else "")
        raise CommandError(f"no repeat {quoted(key)} was made", f"repeats made: {shown}", word=key)
    changes = [
        r.get("event_id")
        for r in records
        if r.kind == tk.ALARM_STATE_CHANGED and key in (r.get("reference"), r.get("alarm"))
    ]
    if changes:
        # An alarm changes state many times; explain follows one change (its event).
        raise CommandError(
            f"{key!r} is an alarm; explain follows one of its state changes",
            f"`show alarms` gives its state; its latest change: explain {changes[-1]}",
            word=key,
        )
    executions = [
        ex.name
        for m in sim.services.get("state_machines", {}).values()
        for ex in m.executions.values()
    ]
    guess = did_you_mean(key, [*_explainable(records), *executions])
    item = _item_key_of(records, key)
    if item is not None:
        # A table item's records name it by its whole key, as DynamoDB writes it.
        hint = f"an item is named by its key in DynamoDB JSON: explain {quote_word(item)}"
    elif guess:
        hint = f"did you mean {quote_word(guess)}?"
    elif printed and (waiting := due_now_note(sim)) is not None:
        # `invoke F --async` printed an id that no record names until its attempt starts.
        raise CommandError(f"nothing in the trace mentions {quoted(key)} yet", waiting, word=key)
    elif _BODY_TEXT.search(key):
        # A body is no id: the trace keeps none (a record per send would carry it).
        hint = (
            "explain takes an id, not a message's text, which the trace does not keep: "
            "`show queue QUEUE` lists the bodies of the messages waiting in it"
        )
    else:
        hint = (
            "give an id `show trace` shows (a message's, event's, invocation's, execution's "
            "or stream record's), an object key, a username, a FIFO deduplication id or a "
            "Kinesis partition key"
        )
    raise CommandError(f"nothing in the trace mentions {quoted(key)}", hint, word=key)


def _item_key_of(records: list[Any], value: str) -> str | None:
    """The key (DynamoDB JSON, as the item's records write it) of the newest table item
    with an attribute of its key equal to `value` (`p3` for `{"id":{"S":"p3"}}`), or None."""
    for rec in reversed(records):
        key = rec.data.get("key")
        if not rec.kind.startswith("item.") or not isinstance(key, str) or value not in key:
            continue
        try:
            attributes = json.loads(key)
        except ValueError:
            continue
        if isinstance(attributes, dict) and any(
            isinstance(typed, dict) and value in (typed.get("S"), typed.get("N"))
            for typed in attributes.values()
        ):
            return key
    return None


# What a message body has and no id `explain` takes does: JSON's brackets and quotes, spaces.
_BODY_TEXT = re.compile(r'^[{\[]|["\s]')


# The most ids a did-you-mean of `explain` compares a key with: difflib compares each, and
# a long run's trace holds millions (object keys and usernames are always compared).
_GUESS_IDS = 20_000


def _explainable(records: list[Any]) -> list[str]:
    """What `explain` takes that the trace holds, for a did-you-mean: object keys (also as
    BUCKET/KEY), users' emails or phone numbers, and the ids of `*_id` fields
    (deduplication ids among them) and Kinesis partition keys while they are few enough."""
    named: dict[str, None] = {}
    ids: dict[str, None] = {}
    for rec in records:
        data = rec.data
        key = data.get("key")
        if isinstance(key, str) and key and rec.kind.startswith(OBJECT_KINDS):
            named[key] = None
            named[f"{rec.resource}/{key}"] = None
        alias = data.get("alias")
        if isinstance(alias, str) and alias:
            named[alias] = None
        if len(ids) <= _GUESS_IDS:
            for name, value in data.items():
                # A partition key is as many as a producer makes (a UUID each, often).
                if (name.endswith("_id") or name == "partition_key") and (
                    isinstance(value, str) and value
                ):
                    ids[value] = None
    return [*named, *ids] if len(ids) <= _GUESS_IDS else list(named)
