"""`expect`: assertions on statistics, trace counts and time."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from stptui import jsontext
from stptui.commands.handlers.base import (
    TRACE_KINDS,
    as_number,
    command,
    due_now_note,
    function_named,
    queue_named,
    shorten,
)
from stptui.commands.handlers.metrics import failed_metric_hint, metric_value, since_ms
from stptui.commands.handlers.metrics import value_text as figure_text
from stptui.commands.registry import (
    DURATION,
    EXPECT_PATH,
    ITEM_ATTRIBUTE,
    ITEM_KEY,
    OPERATOR,
    QUEUE,
    RECORD_FIELD,
    RECORD_RESOURCE,
    RESPONSE_PART,
    TABLE,
    TRACE_KIND,
    VALUE,
    Arg,
    Call,
    CommandError,
    ExpectationFailed,
    Option,
    comparison_missing,
    names,
    place_word,
    quote_word,
    unglued,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.config.diagnostics import did_you_mean, with_article
from stptui.sim import ddbjson
from stptui.sim import trace as tk
from stptui.sim.clock import InstantRangeError, iso_ms, parse_instant
from stptui.sim.engine import SimError, Simulator
from stptui.sim.explain import cut
from stptui.sim.payloads import message_attributes
from stptui.sim.services.http import KEPT_ANSWERS
from stptui.sim.services.queue import Message, QueueSim
from stptui.sim.services.stream import lookup_stream
from stptui.sim.services.table import lookup_table
from stptui.sim.trace import Record
from stptui.sim.trace_index import id_field, trace_index
from stptui.textsafe import one_line

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
# Comparisons written as words, as test frameworks and shells write them (`is`, `-eq`).
OP_WORDS = {
    "is": "==",
    "eq": "==",
    "equals": "==",
    "ne": "!=",
    "gt": ">",
    "ge": ">=",
    "gte": ">=",
    "lt": "<",
    "le": "<=",
    "lte": "<=",
}
# The comparison that holds with its sides swapped: `0 < x` is `x > 0`.
FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
QUEUE_FIELDS = ("visible", "in_flight", "delayed", "depth")
FUNCTION_FIELDS = ("invocations", "successes", "failures", "throttles", "running")
JOB_FIELDS = (
    "submitted",
    "attempts",
    "attempt_failures",
    "succeeded",
    "failed",
    "running",
    "redriven",
)
# `show stream`'s figures (StreamSource.figures), summed over every reader and shard.
STREAM_FIELDS = ("records", "waiting", "in_flight", "retries", "expired")
# A table's items, then its stream's figures (a table without streamType has only items).
TABLE_FIELDS = ("items", *STREAM_FIELDS)
# A state machine's executions: how many were started, and how many are in each status now.
STATE_MACHINE_FIELDS = (
    "started",
    "running",
    "succeeded",
    "failed",
    "timed_out",
    "aborted",
    "redriven",
)
# A container workload's figures, as `show containers` lists them (ContainerService.figures):
# requests served, failed and running; polled messages processed, failed and in hand.
CONTAINER_FIELDS = ("served", "failed", "running", "processed", "messages_failed", "in_hand")
PATH_KINDS = ("queue", "function", "job", "stream", "table", "state_machine", "container")
# The names the AWS console gives a queue's attributes (GetQueueAttributes, CloudWatch) and
# a function's metrics, and the figure each is here: an on-call types what AWS shows.
_AWS_FIGURES = {
    "queue": {
        "ApproximateNumberOfMessages": "visible",
        "ApproximateNumberOfMessagesVisible": "visible",
        "ApproximateNumberOfMessagesNotVisible": "in_flight",
        "ApproximateNumberOfMessagesDelayed": "delayed",
    },
    "function": {
        "Invocations": "invocations",
        "Errors": "failures",
        "Throttles": "throttles",
        "ConcurrentExecutions": "running",
    },
}
_AWS_OWNER = {"queue": "SQS's", "function": "Lambda's"}
_FIELDS = {
    "queue": QUEUE_FIELDS,
    "function": FUNCTION_FIELDS,
    "job": JOB_FIELDS,
    "stream": STREAM_FIELDS,
    "table": TABLE_FIELDS,
    "state_machine": STATE_MACHINE_FIELDS,
    "container": CONTAINER_FIELDS,
}
_RESOURCE_TYPES = {"stream": "kinesis-stream", "table": "dynamo-db-table"}
EXPECT_PATHS = (
    f"queue.Q.{'|'.join(QUEUE_FIELDS)}",
    f"function.F.{'|'.join(FUNCTION_FIELDS)}",
    f"job.J.{'|'.join(JOB_FIELDS)}",
    f"stream.S.{'|'.join(STREAM_FIELDS)}",
    f"table.T.{'|'.join(TABLE_FIELDS)}",
    f"state_machine.SM.{'|'.join(STATE_MACHINE_FIELDS)}",
    f"container.W.{'|'.join(CONTAINER_FIELDS)}",
    "metric.RESOURCE.METRIC.STATISTIC",
    "item TABLE KEY=VALUE [KEY=VALUE] ATTRIBUTE",
    "object BUCKET KEY exists|size",
    "response [REQUEST_ID] status|header NAME|body[.PATH]",
    "messages QUEUE [FIELD=VALUE ...]",
    "count KIND [RESOURCE] [FIELD=VALUE ...]",
    "time",
)
# What `expect object BUCKET KEY` reads of the object (its current version).
OBJECT_FIELDS = ("exists", "size")
ITEM_EXAMPLE = "e.g. expect item carts id=c-1 status == CLOSED"
OBJECT_EXAMPLE = "e.g. expect object uploads reports/a.csv exists == true"
# What `expect response [REQUEST_ID]` reads of an HTTP answer: a `body` word may go on
# into the body as a document path (`body.items[0].sku`).
RESPONSE_PARTS = ("status", "header", "body")
RESPONSE_EXAMPLE = "e.g. expect response status == 201, or expect response body.orderId == 7"
# The states of a message in a queue, as `show queue` names them; `expect messages` counts
# every message the queue holds (its depth) unless a state= filter narrows it.
MESSAGE_STATES = ("visible", "in_flight", "delayed")
# The fields a `expect messages QUEUE` filter reads; `attr.NAME` is a message attribute
# (as `send --attr NAME=VALUE` gives one), `body.PATH` a field of a JSON body.
MESSAGE_FIELDS = ("body", "body.PATH", "state", "group", "attr.NAME")
MESSAGES_EXAMPLE = "e.g. expect messages deadLetterQueue body.orderId=7 == 1"

PATH_ARG = Arg(
    "PATH",
    EXPECT_PATH,
    "queue.Q.FIELD, function.F.FIELD, job.J.FIELD, stream.S.FIELD, table.T.FIELD, "
    "state_machine.SM.FIELD, container.W.FIELD, metric.RESOURCE.METRIC.STATISTIC, item "
    "TABLE KEY=VALUE [KEY=VALUE] ATTRIBUTE, object BUCKET KEY exists|size, count KIND [RESOURCE] "
    "[FIELD=VALUE ...], response [REQUEST_ID] status|header NAME|body[.PATH], messages QUEUE "
    "[FIELD=VALUE ...] or time",
    rest=True,
    kind_after=(
        ("count", TRACE_KIND),
        ("item", TABLE),
        ("object", "bucket"),
        ("response", RESPONSE_PART),
        ("messages", QUEUE),
    ),
)


class Absent:
    """The value of an `item` or `object` path whose item, attribute or object is not
    there now: a failed expect (what the check is for), not a command error."""

    def __init__(self, reason: str, hint: str | None) -> None:
        self.reason = reason
        self.hint = hint


SINCE_EXAMPLE = "e.g. expect metric.worker.Errors.Sum == 0 --since 10m"


def _check_since(words: list[str], since: str | None) -> None:
    """Refuse a bad `--since D` (as `show metrics` refuses it) and one given to a path
    other than a metric's: the other paths are values now, with no window."""
    if since is None:
        return
    since_ms(since, SINCE_EXAMPLE)
    if not (len(words) == 1 and words[0].startswith("metric.")):
        shown = " ".join(words) or "PATH"
        raise CommandError(f"--since is for metric paths, not {shorten(shown)!r}", SINCE_EXAMPLE)


def check_expect(sim: Simulator, call: Call) -> None:
    """The check of a bound `expect` line before it runs (the REPL asks it before Enter):
    its `--since`, then a comparison left out (`expect count message.sent q 1`), which the
    REPL would otherwise blame on the word binding read as a resource or a filter."""
    words = call.args.get("path") or []
    words = words if isinstance(words, list) else [words]
    _check_since(words, call.opts.get("since"))
    if (missing := missing_comparison(sim, call)) is not None:
        raise missing
    if words and words[0] == "messages" and call.args.get("op") in OPS:
        # The queue and the filters, not the count: the REPL checks a line at each key
        # press, and a queue may hold 100,000 bodies to read.
        _messages_read(sim, words)
    elif words and words[0] in _VALUE_WORDS and call.args.get("op") in OPS:
        # Its words (the table, the key, the attribute; a response's parts) are judged
        # together, as `expect` judges them: a key attribute is one only of the table
        # named before it.
        _expect_actual(sim, words)


# The paths of several words that a bound line's check reads whole (see `check_expect`).
_VALUE_WORDS = ("item", "object", "response")


@command(
    "expect",
    "assert",
    "Check a statistic, a trace count, an item or object in the stack, an HTTP answer, the "
    "messages in a queue, or the time; a script stops if it does not hold.",
    args=(
        PATH_ARG,
        Arg(
            "OP",
            OPERATOR,
            " ".join(OPS),
            choices=tuple(OPS),
            # Defined below, with the other refusals of a comparison.
            check=lambda sim, op: check_comparison(sim, op),
        ),
        Arg(
            "VALUE",
            VALUE,
            "a whole number (a metric's may have decimals: 0.05); an ISO-8601 instant for "
            "time; JSON, or else text, for an item's attribute or a response's part; true or "
            "false for exists",
        ),
    ),
    options=(
        Option(
            "--since",
            DURATION,
            "metric paths only: the statistic over the last D of virtual time, as `show "
            "metrics --since D` (default: all the trace holds)",
            "D",
        ),
    ),
    details=f"queue FIELDs: {', '.join(QUEUE_FIELDS)}\n"
    f"function FIELDs: {', '.join(FUNCTION_FIELDS)}\n"
    f"job (batch job) FIELDs: {', '.join(JOB_FIELDS)}\n"
    f"stream (Kinesis stream) FIELDs: {', '.join(STREAM_FIELDS)}: records held now, "
    "records waiting for a reader, records in a running batch and retries of the batches "
    "now blocking their shards (each summed over every reader and shard, as `show stream` "
    "lists them), records expired so far\n"
    f"table (DynamoDB table) FIELDs: {', '.join(TABLE_FIELDS)}: its items now, then its "
    "stream's figures as for a stream (only with a streamType)\n"
    f"state_machine FIELDs: {', '.join(STATE_MACHINE_FIELDS)}: executions started so far, "
    "then how many are in each status now, then the redrives made so far\n"
    f"container (container workload) FIELDs: {', '.join(CONTAINER_FIELDS)}: requests its "
    "routes and rules sent it, those it failed and those it is still answering; messages its "
    "pollers processed, failed, and hold now (`show containers`' columns)\n"
    "metric: a CloudWatch metric of a resource `show metrics` measures (a queue, function, "
    "HTTP API, load balancer, job, state machine, bus, rule by its AWS name, topic, stream, "
    "table, Kafka topic or bucket; an HTTP API's route as 'API ROUTE_KEY', quoted, when its "
    "stage has detailed metrics) by a statistic: those `show metrics` lists, or any other "
    "CloudWatch statistic the metric defines (Sum, Average, Minimum, Maximum, SampleCount, "
    "pNN, pNN.NN: any of a time's; a per-request or per-minute count's; a gauge's Maximum), "
    "over all the trace holds or the last D with --since (times in milliseconds); one "
    "without a datapoint (no sample) fails every comparison.\n"
    "item: the attribute ATTRIBUTE (a document path: status, address.city, lines[0]; or a "
    "name as a whole, one with = or a dot in it, x.y; quote one with spaces, 'my attr') of "
    "the item of dynamo-db-table TABLE with the key KEY=VALUE (each key attribute once; a "
    "word as the key schema types it), read as plain JSON, as DocumentClient reads it ({'N': "
    "'5'} is the number 5), and compared as JSON with VALUE read as JSON or else as text "
    "(CANCELLED is text, 5000 a number, '\"5000\"' text): a string is never a number. A "
    "key with no item, or an item without the attribute, fails the expect.\n"
    "object: whether the current version of the object KEY of BUCKET exists (true or "
    "false), or its size in bytes (an object that is not there fails the expect).\n"
    "response: the answer to the last `http` line, or to the request REQUEST_ID (the id "
    "`http` printed: $last after it; $newest:http.response; the last "
    f"{KEPT_ANSWERS} answers are kept): its status, its header NAME (in any case, as HTTP "
    "reads names; several of one name joined by ', '), its body, or a field of a JSON body "
    "by a document path (body.orderId, body.items[0].sku). A header's value and the body "
    "are read as JSON when they are JSON, else as text, and compared as an item's "
    "attribute is; a header or field the answer lacks fails the expect (a response to HEAD "
    "has no body).\n"
    "messages: how many messages QUEUE holds now (visible, in flight and delayed alike, as "
    "its depth counts them) that pass every FIELD=VALUE: body (the whole body), body.PATH "
    "(a field of a JSON body), state (visible, in_flight or delayed), group, attr.NAME (a "
    "message attribute; a Number compared as a number). VALUE is read as JSON or else as "
    "text, as count's, and a body as JSON when it is JSON, else as its text.\n"
    "count: trace records of KIND (on RESOURCE when given) since the start; RESOURCE may be "
    "a bus that is in no stack (default). Each FIELD=VALUE keeps the records whose field "
    "equals VALUE, read as JSON (status=404 is a number, timeout=true a boolean) or else as "
    "text (error=TimeoutError)",
    examples=(
        "expect queue.jobQueue.depth == 0",
        "expect function.worker.failures >= 3",
        "expect stream.clicks.waiting == 0",
        "expect table.carts.items == 0",
        "expect metric.jobQueue.ApproximateNumberOfMessagesVisible.Maximum <= 200",
        "expect metric.worker.Duration.p95 < 3000",
        "expect metric.worker.Errors.Average < 0.1 --since 10m",
        "expect item carts id=c-1 status == CLOSED",
        "expect object uploads reports/a.csv size > 0",
        "expect response status == 201",
        "expect response header content-type == application/json",
        "expect response body.orderId == 7",
        "expect messages deadLetterQueue body.orderId=7 == 1",
        "expect count message.dead_lettered jobQueue == 1",
        "expect count http.response httpApi status=404 == 1",
        "expect count event.published default >= 1",
        "expect time == 2026-01-05T08:01:30Z",
    ),
    check_call=check_expect,
)
def cmd_expect(session: Session, call: Call) -> CommandResult:
    """expect PATH OP VALUE"""
    try:
        return _expect(session.sim, call)
    except ExpectationFailed as exc:
        # Counts and figures of what happens, not values a command stores at once (an
        # item, an object) nor the time, which running the work due now does not change.
        stored = call.args["path"][:1] in (["item"], ["object"], ["response"], ["time"])
        settled = stored or _answered(session.sim, call.args["path"])
        # `send q x` then `expect queue.q.visible == 0`: the poll the send set off is due
        # at this very instant, and no command runs the clock but the clock's own.
        if not settled and (note := due_now_note(session.sim)):
            exc.hint = note if exc.hint is None else f"{exc.hint}; {note}"
        if session.sim.drew_random():
            # A figure drawn from the seed reads as a flaky test when the seed changes: say
            # so where CI's reader looks, on the failure.
            note = (
                "the run drew random numbers (a `rate`, a duration range): on another seed "
                f"than {session.sim.seed} its figures may differ; run with the --seed the "
                "script was written for, or expect a bound"
            )
            exc.hint = note if exc.hint is None else f"{exc.hint}; {note}"
        raise


def _answered(sim: Simulator, words: list[str]) -> bool:
    """Whether `count http.request|http.response ... request_id=ID` counts a request that
    was answered already: a request has one record of each, so the work still due (what its
    handler sent on) cannot change the count, and `advance 0` is no hint for it."""
    if words[:1] != ["count"] or words[1:2] not in ([tk.HTTP_REQUEST], [tk.HTTP_RESPONSE]):
        return False
    wanted = _wanted([w for w in words[2:] if "=" in w])
    ident = next((v for f, v in wanted if f == "request_id" and isinstance(v, str)), None)
    if not ident:
        return False
    index = trace_index(sim.trace)
    return any(r.kind == words[1] for r in index.records(index.of_id(ident)))


def _expect(sim: Simulator, call: Call) -> CommandResult:
    """The check of `expect`, its failure an ExpectationFailed."""
    path_words: list[str] = call.args["path"]
    op: str = call.args["op"]
    value_text: str = call.args["value"]
    if (refused := comparison_error(sim, call)) is not None:
        raise refused
    since: str | None = call.opts.get("since")
    # A metric's window, when not all the trace holds: the same figure differs by window.
    window = "" if since is None else f" over the last {since}"
    try:
        path, actual = _expect_actual(sim, path_words, since)
    except CommandError as exc:
        if path_words and path_words[0] in TRACE_KINDS:
            line = " ".join(quote_word(w) for w in ["expect", "count", *path_words, op, value_text])
            raise CommandError(exc.message, f"records are counted: {line}", word=exc.word) from None
        if len(path_words) == 1 and statistic(sim, value_text) is not None:
            # `expect 0 == queue.q.depth`: the sides are swapped (and so is the comparison).
            swapped = f"expect {value_text} {FLIPPED[op]} {quote_word(path_words[0])}"
            raise CommandError(exc.message, f"the path goes first: {swapped}") from None
        raise
    if _is_value_path(path):
        return _compare_value(path, op, value_text, actual)
    if isinstance(actual, Absent):
        _check_number(path, op, value_text)
        raise ExpectationFailed(f"expected {path} {op} {value_text}, {actual.reason}", actual.hint)
    if path == "time":
        try:
            expected: Any = parse_instant(value_text)
        except InstantRangeError as exc:
            raise CommandError(str(exc), "e.g. 2026-01-05T08:01:30Z") from None
        except (ValueError, OverflowError):
            raise CommandError(
                f"{value_text!r} is not an ISO-8601 instant",
                "e.g. 2026-01-05T08:01:30Z",
                word=value_text,
            ) from None
        shown_expected, shown_actual = iso_ms(expected), iso_ms(actual)
    else:
        expected = _check_number(path, op, value_text)
        if actual is None:
            # A metric without a datapoint: CloudWatch has nothing to compare either.
            raise ExpectationFailed(
                f"expected {path} {op} {expected}, but it has no datapoint (no sample in the "
                f"window{window})",
                "`show metrics` lists the figures; a time needs one deletion, invocation or "
                "request",
            )
        shown_expected, shown_actual = figure_text(expected), figure_text(actual)
    ok = OPS[op](actual, expected)
    data = {"path": path, "op": op, "expected": shown_expected, "actual": shown_actual, "ok": ok}
    if since is not None:
        data["since"] = since
    if not ok:
        raise ExpectationFailed(
            f"expected {path} {op} {shown_expected}{window}, actual {shown_actual}",
            (_elsewhere(sim, path_words) if actual == 0 else None)
            or _filter_values(sim, path_words)
            or _messages_held(sim, path_words)
            or _messages_to_explain(sim, path_words)
            or _invocations_to_explain(sim, path_words)
            or (failed_metric_hint(sim, path, since) if path.startswith("metric.") else None),
        )
    return CommandResult(
        f"ok: {path} {op} {shown_expected}{window} (actual {shown_actual})", data=data
    )


def _check_number(path: str, op: str, value_text: str) -> int | float:
    """VALUE of a numeric path as a number, or the CommandError that says why not."""
    # A path of several words (`count KIND`, `object B KEY size`) is its words, not one.
    example = f"e.g. expect {path if ' ' in path else quote_word(path)} {op} 0"
    # [0-9], not \d: \d and int() also read other scripts' digits (`０`), which no
    # count of the language is written in.
    if re.fullmatch(r"-?[0-9]{16,}", value_text):
        # A whole number, but no count reaches it: int() would refuse 4,300 digits.
        raise CommandError(
            f"{shorten(value_text, 24)} is too large to compare {path} with (at most 15 digits)",
            example,
        )
    # A metric's statistic may be a fraction (an Average: Errors' is an error rate).
    if path.startswith("metric.") and re.fullmatch(r"-?[0-9]{1,15}\.[0-9]{1,6}", value_text):
        return float(value_text)
    if not re.fullmatch(r"-?[0-9]{1,15}", value_text):
        kind = "a number" if path.startswith("metric.") else "a whole number"
        raise CommandError(
            f"{path} is {kind}; cannot compare it with {shorten(value_text)!r}", example
        )
    return int(value_text)


def comparison_error(sim: Simulator, call: Call, *, static: bool = False) -> CommandError | None:
    """The refusal of a bound `expect` line whose OP is no comparison: missing (see
    `missing_comparison`) or misspelt (`=`); None when it is one. With `static` (a script
    checked before it runs: `commands.check_written`), None too where the refusal's hint
    would be the path's value now, which only the line's own turn knows."""
    op = call.args.get("op")
    if not isinstance(op, str) or op in OPS:
        return None
    if (missing := missing_comparison(sim, call, static=static)) is not None:
        return missing
    if not re.fullmatch(r"[=!<>]+", op):
        return None  # static, and left to the line's turn
    return _unknown_comparison(op)


def _unknown_comparison(op: str) -> CommandError:
    guess = OP_TYPOS.get(op) or did_you_mean(op, OPS)
    return CommandError(
        f"unknown comparison {op!r}",
        f"did you mean {guess}?" if guess else f"use one of {' '.join(OPS)}",
        word=op,
    )


def check_comparison(sim: Simulator, op: str) -> None:
    """Raise the CommandError `expect` gives for an OP that is no comparison (`=`: did you
    mean ==?). The REPL checks the word with this before Enter (`Arg.check`)."""
    if op not in OPS:
        raise _unknown_comparison(op)


def missing_comparison(sim: Simulator, call: Call, *, static: bool = False) -> CommandError | None:
    """The error of an `expect` line whose OP is no comparison at all: no word of the line
    is one (binding ends PATH at the first that is), so OP is missing, not misspelt
    (`expect count message.sent 1`). None when OP looks like a misspelt comparison, and,
    with `static`, when the error would be `incomplete`'s (the path's value now). The
    REPL checks a line with it before Enter, as the command would."""
    op = call.args.get("op")
    if not isinstance(op, str) or op in OPS or re.fullmatch(r"[=!<>]+", op):
        return None
    glued = unglued(call.command, call.words, tuple(OPS))
    compared = comparison_missing(call.command, call.command.args[1], call.words)
    meant = OP_WORDS.get(op.lower().lstrip("-"))
    if meant is not None and op in call.words:
        at = len(call.words) - 1 - call.words[::-1].index(op)
        words = [*call.words[:at], meant, *call.words[at + 1 :]]
        line = " ".join(quote_word(w) for w in ["expect", *words])
        return CommandError(f"{op!r} is no comparison", f"write it as {meant}: {line}", word=op)
    if glued:
        hint = f"put spaces around the comparison: {glued}"
    elif compared:
        if (unread := unread_path(sim, call.words[:-1])) is not None:
            # `expect X foo 1`: `==` before the 1 would not make it a check of anything.
            # A path whose names the run makes may read at the line's turn.
            return None if static and run_named(call.words[:-1]) else unread
        hint = f"put a comparison before the value: {compared}"
    elif static:
        return None
    elif (error := incomplete(sim, call.words)) is not None:
        return error
    else:
        hint = f"usage: {call.command.usage}"
    return CommandError("expect needs OP", hint)


# The paths whose names a run makes (records' resources, metrics' datapoints, items,
# objects): a script checked before it runs leaves them to the line's turn.
_RUN_NAMED = ("count", "metric", "item", "object", "response", "messages")


def run_named(path: list[str]) -> bool:
    """Whether the `expect` PATH `path` is one whose names the run makes (`_RUN_NAMED`)."""
    return bool(path) and path[0].split(".", 1)[0] in _RUN_NAMED


def unread_path(sim: Simulator, words: list[str]) -> CommandError | None:
    """What is wrong with `words`, the words before the value of an `expect` line that
    lacks its comparison, as a PATH (`X foo`, `jobQueue.depth`: `expect` names the path
    meant where it can), or None when they read as one: a suggestion to put `==` after
    them would name nothing."""
    try:
        _expect_actual(sim, words)
    except CommandError as exc:
        return exc
    return None


def incomplete(sim: Simulator, words: list[str]) -> CommandError | None:
    """The error of `expect PATH` with no comparison and no value: `expect needs OP`, with
    the line completed by `==` and the path's value now (to check what the session shows);
    or what is wrong with PATH itself (a dotted path that stops before its statistic,
    `queue.jobQueue`, gets the paths it may become). None when a word is a comparison."""
    if not words or any(w in OPS for w in words):
        return None
    try:
        path, actual = _expect_actual(sim, words)
    except CommandError as exc:
        return exc  # the path itself is wrong: that first
    if actual is None or isinstance(actual, Absent):
        why = "has no datapoint yet" if actual is None else "has no value now"
        return CommandError("expect needs OP", f"add a comparison and a value; {path} {why}")
    value = value_word(path, actual)
    line = " ".join(quote_word(w) for w in ["expect", *words, "==", value])
    return CommandError(
        "expect needs OP", f"add a comparison and a value, e.g. with the value now: {line}"
    )


# The kind a path starts with, for each resource type that has one.
_PATH_KIND_OF_TYPE = {
    "sqs-queue": "queue",
    "function": "function",
    "batch-job": "job",
    "kinesis-stream": "stream",
    "dynamo-db-table": "table",
    "state-machine": "state_machine",
    "web-service": "container",
    "private-service": "container",
    "worker-service": "container",
    "multi-container-workload": "container",
}


def _with_kind(sim: Simulator, parts: list[str]) -> str | None:
    """The hint for a path that starts at a resource of the stack, its kind left out
    (`worker.invocations`, `jobQueue.depth`, `jobQueue`): the path meant,
    `function.worker.invocations`, or the paths the resource has when the statistic is none
    of them. Else the closest kind (`queue...`) would be all the hint says."""
    name = ".".join(parts[:-1]) if len(parts) > 1 else parts[0]
    res = sim.stack.resources.get(name)
    if res is None and len(parts) > 2:
        # Another word for its kind (`execution.flow.failed`, `lambda.worker.errors`): the
        # resource after it says which kind is meant.
        name = ".".join(parts[1:-1])
        res = sim.stack.resources.get(name)
    kind = _PATH_KIND_OF_TYPE.get(res.type) if res is not None else None
    if kind is None:
        return None
    # AWS's metric name, in any case (`errors`: Lambda's Errors are failures), as a path
    # with its kind gets.
    aws = {m.lower(): f for m, f in _AWS_FIGURES.get(kind, {}).items()}
    field = (
        (aws.get(parts[-1].lower()) or did_you_mean(parts[-1], _FIELDS[kind]))
        if len(parts) > 1
        else None
    )
    if field is None:
        return _statistics(f"{kind}.{name}")
    return f"did you mean {kind}.{name}.{field}?"


# What a path can start with, as the hint for a path that starts with none of them says.
_PATH_STARTS = (*PATH_KINDS, "metric", "count", "time")


def _kinds_hint(sim: Simulator, parts: list[str], paths: str) -> str:
    """The hint for a path whose first word is no kind: which kinds a path starts with, and
    what the word was (a resource of the stack that expect has no kind for, `database.x`,
    or a misspelt kind, `queu.q.depth`); `paths` (every path's form) when it is neither."""
    kinds = f"a path starts with {', '.join(_PATH_STARTS[:-1])} or {_PATH_STARTS[-1]}"
    name = ".".join(parts[:-1]) if len(parts) > 1 else parts[0]
    res = sim.stack.resources.get(name) or sim.stack.resources.get(parts[0])
    if res is not None:
        return (
            f"{res.type} {res.name!r} has no figures of its own in expect: {kinds} "
            f"(`count KIND {quote_word(res.name)}` counts its trace records)"
        )
    guess = did_you_mean(parts[0], _PATH_STARTS)
    # Only a near spelling is a kind meant: `database` is not far enough from `table`
    # for difflib's cut-off, yet no one means one for the other.
    if guess and guess != parts[0] and _near(parts[0], guess):
        return f"did you mean {guess}.{'.'.join(parts[1:]) or '...'}? ({kinds})"
    return paths


def _near(word: str, kind: str) -> bool:
    """Whether `word` is a misspelling of `kind`: a shared first letter and at most two
    edits apart (a letter left out, doubled, swapped or mistyped)."""
    if not word or word[0].lower() != kind[0]:
        return False
    before = list(range(len(kind) + 1))
    for i, a in enumerate(word.lower(), 1):
        now = [i]
        for j, b in enumerate(kind, 1):
            now.append(min(before[j] + 1, now[j - 1] + 1, before[j - 1] + (a != b)))
        before = now
    return before[-1] <= 2


def _statistics(start: str) -> str:
    """`one of queue.q.visible, ...`: the paths that end `start` (`KIND.NAME`)."""
    kind = start.split(".", 1)[0]
    return "one of " + ", ".join(f"{start}.{field}" for field in _FIELDS[kind])


def statistic(sim: Simulator, path: str | list[str]) -> float | None:
    """The value now of an expect PATH (`queue.Q.F`, `function.F.F`, `job.J.F`, `stream.S.F`,
    `table.T.F`, `metric.R.M.S`, or the words of `count KIND [RESOURCE] [FIELD=VALUE ...]`),
    or None when it names no statistic of this stack (or a metric without a datapoint)."""
    try:
        value: Any = _expect_actual(sim, [path] if isinstance(path, str) else path)[1]
    except CommandError:
        return None
    # A number, as the name says: an item's attribute or an object's `exists` is none.
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return value if numeric else None


def _is_value_path(path: str) -> bool:
    """Whether the path (as `_expect_actual` writes it) is a JSON value, compared as JSON:
    an item's attribute (`size` too), an object's `exists` or a part of an HTTP answer, not
    an object's size."""
    return path.startswith(("item ", "response ")) or (
        path.startswith("object ") and path.endswith(" exists")
    )


def value_now(sim: Simulator, words: list[str]) -> str | None:
    """The value now of the expect PATH `words`, written as VALUE would be (a JSON value
    for an item's attribute, true or false for exists, the time as an instant), or None
    when it has none."""
    try:
        path, value = _expect_actual(sim, words)
    except CommandError:
        return None
    if value is None or isinstance(value, Absent):
        return None
    return value_word(path, value)


def value_word(path: str, value: Any) -> str:
    """How VALUE writes `value`, the value of `path` now."""
    if path == "time":
        return iso_ms(value)
    if _is_value_path(path):
        return value if isinstance(value, str) and _text_only(value) else _json_text(value)
    return figure_text(value)


def _text_only(text: str) -> bool:
    """Whether VALUE `text` reads as that text: it is no JSON (CANCELLED, not 5000)."""
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def check_path(sim: Simulator, word: str) -> None:
    """Refuse a dotted expect PATH (`queue.Q.F`, `stream.S.F` ...) that names no statistic
    of this stack, as `expect` would: the error's hint names the valid kinds, names or
    fields; and a first word that is none of `_PATH_WORDS` (a did-you-mean for `conut`).
    Those are left to `expect` itself."""
    if (misspelt := _misspelt_word(word)) is not None:
        raise misspelt
    if word not in _PATH_WORDS:
        _expect_actual(sim, [word])


# The words a PATH starts with that hold no dot.
_PATH_WORDS = ("count", "time", "item", "object", "response", "messages")


# Each path of words by its first word, as the hint of a path of words has: its form.
_WORD_PATH_FORMS = {form.split()[0]: form for form in EXPECT_PATHS if " " in form}


def _dotted_word_path(word: str) -> CommandError | None:
    """The refusal of a path of words written with dots as the resource paths are
    (`response.status`, `object.uploads.a.csv`): the path in words when it can be told
    (a response's), else the form; None for another word."""
    head, dot, rest = word.partition(".")
    form = _WORD_PATH_FORMS.get(head)
    if not dot or form is None:
        return None
    part, _, after = rest.partition(".")
    meant = None
    if head == "response" and part in ("status", "body"):
        meant = f"response {rest}"
    elif head == "response" and part in ("header", "headers"):
        meant = f"response header {after or 'NAME'}"
    said = f"{head} takes words, not dots: {form}"
    hint = f"did you mean {meant}? ({said})" if meant else said
    return CommandError(f"unknown path {word!r}", hint, word=word)


def _misspelt_word(word: str) -> CommandError | None:
    """The refusal of a PATH's first word that is none of `_PATH_WORDS` but close to one
    (`conut`), whose hint listed every path there is; None for any other word."""
    if "." in word or word in _PATH_WORDS:
        return None
    guess = did_you_mean(word, _PATH_WORDS)
    if guess is None:
        return None
    return CommandError(f"unknown path {word!r}", f"did you mean {guess}?", word=word)


def _elsewhere(sim: Simulator, words: list[str]) -> str | None:
    """For `count KIND RESOURCE` at 0: the resources that do have KIND records, when there
    are some. Each kind happens on one kind of resource (`message.received` on a queue, not
    on the function that consumes it), and a count on the other kind stays 0 for ever."""
    if len(words) != 3 or words[0] != "count" or "=" in words[2]:
        return None
    kind = words[1]
    on = sorted({r for (k, r), n in sim.trace.counts.items() if k == kind and n})
    if not on:
        return None
    return f"{kind} records so far are on {', '.join(on)}, not on {words[2]}"


def _invocations_to_explain(sim: Simulator, words: list[str]) -> str | None:
    """For a failed `function.F.FIELD`: the page that lists F's invocations and, for its
    failures, the latest failed invocation's `explain` (the line a CI log's reader runs
    next); None for another path."""
    kind, _, rest = words[0].partition(".") if len(words) == 1 else ("", "", "")
    name, _, field = rest.rpartition(".")
    if kind != "function" or name not in sim.functions:
        return None
    word = quote_word(name)
    page = f"show function {word} lists its latest invocations"
    if field != "failures":
        return page
    ring = sim.trace.records
    newest = ring.of_kinds({tk.INVOCATION_FAILED}, len(ring), 1)
    latest = next((r for r in newest if r.resource == name), None)
    if latest is None:
        return page
    error = cut(one_line(f"{latest.get('error')}: {latest.get('error_message')}"), 80)
    return (
        f"explain {latest.get('invocation_id')} follows {word}'s latest failure ({error}); {page}"
    )


# How many message ids a failed expect offers to `explain`.
EXPLAIN_IDS = 3


def _messages_to_explain(sim: Simulator, words: list[str]) -> str | None:
    """For a failed `queue.Q.depth` or `count message.dead_lettered [Q]`: the messages whose
    `explain` says why, up to EXPLAIN_IDS: those dead-lettered (newest first), else those in
    the queue (in receive order); None when there are none."""
    queue: str | None = None
    ids: list[str] = []
    if len(words) == 1 and words[0].startswith("queue.") and words[0].endswith(".depth"):
        queue = queue_named(sim, words[0][len("queue.") : -len(".depth")]).name
    elif len(words) >= 2 and words[:2] == ["count", tk.MESSAGE_DEAD_LETTERED]:
        queue = words[2] if len(words) > 2 and "=" not in words[2] else None
        # The newest records of each queue, the newest first.
        ring = sim.trace.records
        records = ring.of_kinds({tk.MESSAGE_DEAD_LETTERED}, len(ring), EXPLAIN_IDS)
        ids = [
            str(r.get("message_id"))
            for r in reversed(records)
            if queue is None or r.resource == queue
        ][:EXPLAIN_IDS]
    else:
        return None
    total = len(ids)
    if not ids and queue in sim.queues:
        q = sim.queues[queue]
        if not q.depth:
            return _dead_letter_sources(sim, queue)
        if words[0] == "count" and q.dlq is not None:
            # Nothing dead-lettered yet: how far its messages are from the move.
            dlq = quote_word(q.dlq.name)
            moves = f"after {q.max_receive_count} receives (maxReceiveCount)"
            return f"{quote_word(q.name)} moves a message to {dlq} {moves}; {_still_in(q, 'it')}"
        ids, total = [m.id for m in q.listing(EXPLAIN_IDS)], q.depth
    if not ids:
        return None
    return _explain_ids(ids, total, queue or "")


def _explain_ids(ids: list[str], total: int, queue: str) -> str:
    """`explain ID`, or which of several messages of `queue` (`total` in all) to explain."""
    if len(ids) == 1 and total == 1:
        return f"explain {ids[0]}"
    hint = f"explain a message: explain {ids[0]} (or {', '.join(ids[1:])})"
    if total > len(ids):
        hint += f"; show queue {quote_word(queue)} lists all {total:,}"
    return hint


def _dead_letter_sources(sim: Simulator, dlq: str) -> str | None:
    """For an empty dead-letter queue whose depth was expected higher: after how many
    receives the queues it serves move a message to it, and the messages still in them
    (those a reader expected here: the CI log then says whether maxReceiveCount or the
    clock falls short, without a rerun); None when `dlq` is no queue's dead-letter queue."""
    sources = [q for q in sim.queues.values() if q.dlq is not None and q.dlq.name == dlq]
    if not sources:
        return None
    after = ", ".join(f"from {quote_word(q.name)} after {q.max_receive_count}" for q in sources)
    hint = f"{quote_word(dlq)} takes a message {after} receives (maxReceiveCount)"
    waiting = next((q for q in sources if q.depth), None)
    return hint if waiting is None else f"{hint}; {_still_in(waiting)}"


def _still_in(queue: QueueSim, subject: str | None = None) -> str:
    """What `queue` holds, how often it was received, and which messages to explain;
    `subject` names the queue in the sentence (its name by default)."""
    most = max(m.receive_count for m in queue.messages.values())
    times = "once" if most == 1 else f"{most} times"
    received = f"received {times}" if queue.depth == 1 else f"received up to {times}"
    if most == 0:
        received = "not received yet"
    ids = [m.id for m in queue.listing(EXPLAIN_IDS)]
    subject = subject or quote_word(queue.name)
    return f"{subject} holds {queue.depth:,} ({received}): " + _explain_ids(
        ids, queue.depth, queue.name
    )


def record_resources(sim: Simulator) -> set[str]:
    """The names a `count KIND RESOURCE` may name: the stack's resources, the simulator's
    event buses (the account's `default` bus is in no stack) and whatever trace records are
    on so far."""
    buses = sim.services["buses"].buses if "buses" in sim.services else {}
    return {*sim.stack.resources, *buses, *(r for _, r in sim.trace.counts)}


def _expect_actual(sim: Simulator, words: list[str], since: str | None = None) -> tuple[str, Any]:
    """(the path as text, its current value) for an expect PATH; a metric's over the last
    `since` (a duration text) when given, which no other path takes."""
    hint = "paths: " + ", ".join(EXPECT_PATHS)
    _check_since(words, since)
    if words == ["time"]:
        return "time", sim.clock.now
    if words and words[0] == "item":
        return _item_value(sim, words)
    if words and words[0] == "object":
        return _object_value(sim, words)
    if words and words[0] == "response":
        return _response_value(sim, words)
    if words and words[0] == "messages":
        return _messages_value(sim, words)
    if words and words[0] == "count":
        if len(words) < 2:
            raise CommandError(
                "expect count needs KIND [RESOURCE] [FIELD=VALUE ...] then OP VALUE", hint
            )
        kind = words[1]
        check_record_kind(kind)
        read = list(zip(words, PATH_ARG.rest_kinds(words), strict=True))
        resource = next((w for w, k in read if k == RECORD_RESOURCE), None)
        filters = [w for w, k in read if k == RECORD_FIELD]
        if resource is not None:
            check_record_resource(sim, kind, resource)
        for word in filters:
            check_record_filter(kind, word, resource)
        path = " ".join(["count", kind, *([resource] if resource else []), *filters])
        if filters:
            return path, _count_matching(sim, kind, resource, filters)
        return path, sim.trace.count(kind, resource)
    if words and words[0] in TRACE_KINDS:
        # `expect message.dead_lettered jobQueue == 1`: a record kind is counted.
        counted = " ".join(quote_word(w) for w in ["count", *words])
        raise CommandError(
            f"{words[0]!r} is a trace record kind, not a path",
            f"records are counted: did you mean {counted}?",
            word=words[0],
        )
    if words and (dotted := _dotted_word_path(words[0])) is not None:
        raise dotted
    if words and (misspelt := _misspelt_word(words[0])) is not None:
        raise misspelt
    if len(words) != 1:
        raise CommandError(f"cannot read {' '.join(words)!r} as a path", hint)
    parts = words[0].split(".")
    if parts[0] == "metric":
        return words[0], metric_value(sim, words[0], since)
    if len(parts) == 2 and parts[0] in PATH_KINDS and parts[1]:
        # `function.worker`: a resource, but which of its figures?
        raise CommandError(
            f"{words[0]!r} needs a statistic after it", _statistics(words[0]), word=words[0]
        )
    if len(parts) < 3 or parts[0] not in PATH_KINDS:
        if (meant := _with_kind(sim, parts)) is not None:
            raise CommandError(f"unknown path {words[0]!r}", meant, word=words[0])
        raise CommandError(
            f"unknown path {words[0]!r}", _kinds_hint(sim, parts, hint), word=words[0]
        )
    # The statistic is the last part: a name written with AWS's `.fifo` suffix then gets a
    # did-you-mean of its stack name.
    kind, name, field = parts[0], ".".join(parts[1:-1]), parts[-1]
    fields = _FIELDS[kind]
    if field not in fields:
        # AWS's metric name, in any case (`errors`: Lambda's Errors are failures).
        metric = next((m for m in _AWS_FIGURES.get(kind, {}) if m.lower() == field.lower()), None)
        aws = _AWS_FIGURES[kind][metric] if metric is not None else None
        guess = aws or did_you_mean(field, fields)
        hint = (
            f"did you mean {kind}.{name}.{guess}?" if guess else f"use one of {', '.join(fields)}"
        )
        if metric is not None:
            hint += f" ({_AWS_OWNER[kind]} {metric})"
        raise CommandError(f"{kind} has no statistic {field!r}", hint, word=words[0])
    try:
        return words[0], _figure(sim, kind, name, field)
    except CommandError as exc:
        # The name is a part of the path word: the error points at it there.
        if place_word(exc) == name:
            exc.word, exc.within = words[0], len(kind) + 1
        raise


def _figure(sim: Simulator, kind: str, name: str, field: str) -> Any:
    """The statistic `field` of the resource `name` of `kind` (a checked path's parts)."""
    if kind == "queue":
        return sim.queue_stats(queue_named(sim, name).name)[field]
    if kind == "job":
        return _job_stats(sim, name)[field]
    if kind == "container":
        service = sim.services["containers"]
        if name not in service.workloads:
            guess = did_you_mean(name, list(service.workloads))
            known = ", ".join(service.workloads) or "none"
            raise CommandError(
                f"no container workload named {name!r}",
                f"did you mean {guess!r}?" if guess else f"container workloads: {known}",
                word=name,
            )
        return service.figures(name)[field]
    if kind == "state_machine":
        # Lazily: the state machine service (and Step Functions' interpreter) loads only for
        # a session that asks about one.
        from stptui.sim.services.state_machine import lookup_machine

        return _looked_up(lookup_machine, sim, name).figures()[field]
    if kind in ("stream", "table"):
        other = "table" if kind == "stream" else "stream"
        res = sim.stack.resources.get(name)
        if res is not None and res.type == _RESOURCE_TYPES[other] and field in STREAM_FIELDS:
            # `stream.carts.waiting`: a table's stream is read through the table's path.
            raise CommandError(
                f"{name!r} is {with_article(res.type)}, not {with_article(_RESOURCE_TYPES[kind])}",
                f"did you mean {other}.{name}.{field}?",
                word=name,
            )
        if kind == "table":
            return _table_figure(sim, name, field)
        return _looked_up(lookup_stream, sim, name).figures()[field]
    return sim.function_stats(function_named(sim, name).name)[field]


# Record kinds are named by what happens, not by the resource it happens to: a user who
# writes `function.invoked` means an invocation.* record, and the closest spelling over all
# kinds (`sfn.execution.failed`) would send them astray.
_KIND_FAMILIES = {
    "function": "invocation",
    "lambda": "invocation",
    "queue": "message",
    "sqs": "message",
    "bus": "event",
    "eventbridge": "event",
    "bucket": "object",
    "s3": "object",
    "table": "item",
    "dynamodb": "item",
    "kinesis": "stream",
    "state_machine": "sfn.execution",
    "execution": "sfn.execution",
    "job": "batch",
    "api": "http",
}


def check_record_kind(kind: str) -> None:
    """Refuse a `count KIND` whose KIND is no trace record kind, with a did-you-mean."""
    if kind in TRACE_KINDS:
        return
    guess = did_you_mean(kind, TRACE_KINDS)
    head, _, tail = kind.partition(".")
    family = _KIND_FAMILIES.get(head.lower().replace("-", "_"))
    if family is None and any(k.startswith(f"{head}.") for k in TRACE_KINDS):
        # `http.answered`: the family is right, only the rest is not; the whole list of
        # kinds would bury the three that are meant.
        members = [k for k in TRACE_KINDS if k.startswith(f"{head}.")]
        # The tails alone are compared: the shared `batch.` makes any tail look close.
        near = did_you_mean(tail, [k.removeprefix(f"{head}.") for k in members])
        raise CommandError(
            f"unknown trace record kind {kind!r}",
            f"did you mean {head}.{near}?" if near else f"the {head}.* kinds: {', '.join(members)}",
            word=kind,
        )
    if family is not None:
        members = [k for k in TRACE_KINDS if k.startswith(f"{family}.")]
        # The part after the family is compared alone: `invocation.` shared by every
        # member would make any tail look close.
        near = did_you_mean(tail, [k.removeprefix(f"{family}.") for k in members])
        if near:
            hint = f"did you mean {family}.{near}?"
        elif guess and guess.startswith(f"{head}."):
            hint = f"did you mean {quote_word(guess)}?"  # `queue.purge`: queue.purged
        else:
            hint = f"{with_article(head)}'s records are {family}.*: {', '.join(members)}"
    elif guess:
        hint = f"did you mean {quote_word(guess)}?"
    else:
        hint = f"kinds: {', '.join(TRACE_KINDS)}"
    raise CommandError(f"unknown trace record kind {kind!r}", hint, word=kind)


def check_record_resource(sim: Simulator, kind: str, resource: str) -> None:
    """Refuse a `count KIND RESOURCE` whose RESOURCE is nowhere (a count on it would stay 0
    for ever), with a did-you-mean, or the filter meant when it is a field of KIND."""
    known = record_resources(sim)
    if resource in known:
        return
    if resource in tk.KIND_FIELDS.get(kind, ()):
        hint = f"a filter is one word, FIELD=VALUE: {resource}=VALUE"
    elif guess := did_you_mean(resource, known):
        hint = f"did you mean {quote_word(guess)}?"
    else:
        hint = f"resources: {names(known)}"
    raise CommandError(f"no resource named {resource!r}", hint, word=resource)


def check_record_filter(kind: str, word: str, resource: str | None = None) -> None:
    """Refuse a FIELD=VALUE filter of `count KIND` (on `resource`, when one was given) that
    is no such thing: a word without `=` (a second RESOURCE, or one after the filters), no
    FIELD, or a field records of KIND never have."""
    fields = tk.KIND_FIELDS.get(kind, ())
    field, eq, value = word.partition("=")
    if not eq:
        if word in fields:
            hint = f"a filter is one word, FIELD=VALUE: {word}=VALUE"
        elif resource is not None:
            hint = f"a count is on one resource ({resource} here); the words after it are filters"
        else:
            hint = f"the resource goes straight after the kind: count {kind} {word} FIELD=VALUE"
        raise CommandError(
            f"{word!r} is not a FIELD=VALUE filter (count KIND [RESOURCE] [FIELD=VALUE ...])",
            hint,
            word=word,
        )
    if not field:
        raise CommandError(
            f"{word!r} names no field", "write FIELD=VALUE, e.g. status=404", word=word
        )
    # A field the kind never has is a typo, not a count of 0, even before any record exists.
    if field not in fields:
        guess = did_you_mean(field, fields)
        hint = f"did you mean {guess}?" if guess else f"fields: {', '.join(fields)}"
        if kind == tk.HTTP_RESPONSE and field in tk.KIND_FIELDS[tk.HTTP_REQUEST]:
            # What was asked (`target`, `gateway`) is the request's: they share request_id.
            hint = (
                f"{tk.HTTP_REQUEST} records have {field} (count {tk.HTTP_REQUEST} "
                f"{quote_word(word)}); a response goes with its request by request_id: "
                "request_id=$last, after the `http` line"
            )
        elif field == "resource":
            # `resource=worker`: the column `explain` prints is the count's RESOURCE word.
            hint = (
                f"the resource is a word of its own, after the kind: count {kind} "
                f"{quote_word(value or 'RESOURCE')}"
                if resource is None
                else f"a count is on one resource ({resource} here)"
            )
        raise CommandError(f"{kind} records have no field {field!r}", hint, word=word)


def _count_matching(sim: Simulator, kind: str, resource: str | None, filters: list[str]) -> int:
    """How many records of `kind` (on `resource`) have every FIELD=VALUE of `filters`.

    A VALUE that reads as JSON is compared as JSON (`status=404` is the number 404,
    `timeout=true` the boolean); anything else, or a JSON string (`'status="404"'`), is
    text. Only records still in the trace's ring can be read field by field, so a count
    that needs older ones is refused rather than silently short. The filters were checked
    (`check_record_filter`)."""
    wanted = _wanted(filters)
    ring = sim.trace.records
    ident = next((v for f, v in wanted if id_field(f) and type(v) is str and v), None)
    raws: list[tuple[Any, ...]] = []
    if ident is None or ring.first_seq > 1:
        # Raw tuples first: only the records of the kind become Records (`RecordRing`). A
        # ring that never dropped a record holds every one of the kind: no need to count.
        raws = [r for r in ring.raw if r[1] == kind and (resource is None or r[2] == resource)]
        if len(raws) != sim.trace.count(kind, resource):
            raise CommandError(
                f"only the last {ring.maxlen:,} trace records are kept, and "
                f"{kind} records older than those cannot be filtered by field",
                f"count them all without FIELD=VALUE: expect count {kind} ... OP VALUE",
            )
    if ident is not None:
        # One message's or invocation's records: those the trace's index has for the id.
        index = trace_index(sim.trace)
        records = [
            r
            for r in index.records(index.of_id(ident))
            if r.kind == kind and (resource is None or r.resource == resource)
        ]
    else:
        records = [Record(0, *r) for r in raws]
    return sum(all(_same(r.data.get(f, _MISSING), v) for f, v in wanted) for r in records)


def _wanted(filters: list[str]) -> list[tuple[str, Any]]:
    """(FIELD, VALUE) of each FIELD=VALUE filter, VALUE read as JSON or else as text."""
    wanted: list[tuple[str, Any]] = []
    for word in filters:
        field, _, text = word.partition("=")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        wanted.append((field, value))
    return wanted


# How many of a field's values a failed filtered count lists.
FILTER_VALUES = 3


def _filter_values(sim: Simulator, words: list[str]) -> str | None:
    """For a failed `count KIND [RESOURCE] FIELD=VALUE ...`: the first filter that no
    record of KIND (on RESOURCE) passes while some have the field, with the values they
    have, as filters to copy (those holding what was typed first: `rule=emailService`
    is part of the rule's AWS name). Without it a count at 0 says nothing of why."""
    if len(words) < 3 or words[0] != "count":
        return None
    kind = words[1]
    read = list(zip(words, PATH_ARG.rest_kinds(words), strict=True))
    resource = next((w for w, k in read if k == RECORD_RESOURCE), None)
    filters = [w for w, k in read if k == RECORD_FIELD]
    if not filters:
        return None
    ring = sim.trace.records
    records = [
        Record(0, *r) for r in ring.raw if r[1] == kind and (resource is None or r[2] == resource)
    ]
    for word, (field, value) in zip(filters, _wanted(filters), strict=True):
        seen = [r.data[field] for r in records if field in r.data]
        if not seen or any(_same(v, value) for v in seen):
            continue
        typed = word.partition("=")[2].lower()
        shown: list[str] = []
        for v in seen:
            text = v if isinstance(v, str) and _text_only(v) else _json_text(v)
            if text not in shown:
                shown.append(text)
        # A stable sort: the values that hold the typed text first, else as they came.
        shown.sort(key=lambda t: typed not in t.lower())
        listed = ", ".join(quote_word(f"{field}={cut(t, 80)}") for t in shown[:FILTER_VALUES])
        more = f" (and {len(shown) - FILTER_VALUES:,} more)" if len(shown) > FILTER_VALUES else ""
        on = f" on {quote_word(resource)}" if resource else ""
        return f"no {kind} record{on} has {quote_word(word)}; they have {listed}{more}"
    return None


_MISSING = object()


def _same(actual: Any, expected: Any) -> bool:
    """JSON equality: `true` is not 1 (Python's True == 1 is), 404 is 404.0."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


def _looked_up(lookup: Callable[[Simulator, str], Any], sim: Simulator, name: str) -> Any:
    """`lookup(sim, name)`, its SimError (a did-you-mean, the valid names) a CommandError."""
    try:
        return lookup(sim, name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _table_figure(sim: Simulator, name: str, field: str) -> int:
    """A table's items, or a figure of its stream."""
    table = _looked_up(lookup_table, sim, name)
    if field == "items":
        return len(table.items)
    if table.stream is None:
        raise CommandError(
            f"table {table.name} has no stream (no streamType), so no {field}",
            f"its one figure is table.{table.name}.items",
        )
    figure: int = table.stream.figures()[field]
    return figure


def _job_stats(sim: Simulator, name: str) -> dict[str, int]:
    """A batch job's statistics, counted from the trace."""
    try:
        name = sim.services["batch"].job(name).name
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    count = sim.trace.count
    submitted = count(tk.BATCH_SUBMITTED, name)
    succeeded = count(tk.BATCH_SUCCEEDED, name)
    # A redrive runs a failed (or aborted) execution on: it is no longer failed, and its
    # next end counts it again, once (as `show jobs` counts it).
    redriven = count(tk.BATCH_REDRIVEN, name)
    failed = count(tk.BATCH_FAILED, name) - redriven
    return {
        "submitted": submitted,
        "attempts": count(tk.BATCH_ATTEMPT_STARTED, name),
        "attempt_failures": count(tk.BATCH_ATTEMPT_FAILED, name),
        "succeeded": succeeded,
        "failed": failed,
        "running": submitted - succeeded - failed,
        "redriven": redriven,
    }


# -- values: an item's attribute, an object ---------------------------------------------------

# A document path as DynamoDB writes one: names joined by dots, each maybe indexed, `a.b[0]`.
_DOC_PATH = re.compile(r"[^.\[\]]+(?:\[[0-9]{1,6}\])*(?:\.[^.\[\]]+(?:\[[0-9]{1,6}\])*)*")
_DOC_STEP = re.compile(r"[^.\[\]]+|\[([0-9]+)\]")


def _item_value(sim: Simulator, words: list[str]) -> tuple[str, Any]:
    """(the path as text, the attribute's value as plain JSON, or Absent) for `item TABLE
    KEY=VALUE ... ATTRIBUTE`; a CommandError for a table, key or attribute path that is
    wrong whatever the table holds."""
    if len(words) < 2:
        raise CommandError("expect item needs TABLE KEY=VALUE ... ATTRIBUTE", ITEM_EXAMPLE)
    table = _looked_up(lookup_table, sim, words[1])
    read = list(zip(words, PATH_ARG.rest_kinds(words), strict=True))[2:]
    key_types = dict(table.key)
    if _names_an_attribute(read, key_types):
        # DynamoDB's attribute names are any text: the last word, after the whole key, is
        # the attribute even when it holds `=` and so reads as KEY=VALUE.
        read[-1] = (read[-1][0], ITEM_ATTRIBUTE)
    keys = [w for w, k in read if k == ITEM_KEY]
    attributes = [w for w, k in read if k == ITEM_ATTRIBUTE]
    raw: dict[str, Any] = {}
    for word in keys:
        name, _, text = word.partition("=")
        if name not in key_types:
            guess = did_you_mean(name, key_types)
            hint = f"did you mean {guess}?" if guess else f"its key: {table.key_text()}"
            if word == read[-1][0]:
                hint += (
                    "; an attribute whose name holds = comes last, after the whole key: "
                    f"expect item {quote_word(table.name)} "
                    + " ".join(f"{n}=..." for n, _ in table.key)
                    + f" {quote_word(word)} == VALUE"
                )
            raise CommandError(f"{table.name} has no key attribute {name!r}", hint, word=word)
        if name in raw:
            raise CommandError(f"the key names {name} twice", f"its key: {table.key_text()}")
        raw[name] = _key_value(table.name, name, key_types[name], text, word)
    head = ["item", table.name, *keys]
    usage = f"e.g. expect {' '.join(quote_word(w) for w in head)} ATTRIBUTE == VALUE"
    for name, _ in table.key:
        if name not in raw:
            raise CommandError(
                f"a key of {table.name} has {table.key_text()}: {name}= is missing",
                f"e.g. expect item {table.name} "
                + " ".join(f"{n}=..." for n, _ in table.key)
                + " ATTRIBUTE == VALUE",
            )
    if not attributes:
        raise CommandError("expect item needs an ATTRIBUTE after the key", usage)
    attribute = attributes[0]
    extra = [w for w, _ in read[read.index((attribute, ITEM_ATTRIBUTE)) + 1 :]]
    if extra:
        raise CommandError(
            f"expect item reads one ATTRIBUTE, after the key: {shorten(' '.join(extra))!r} "
            f"after {attribute} is too much",
            usage,
        )
    if not _DOC_PATH.fullmatch(attribute):
        raise CommandError(
            f"{attribute!r} is not an attribute path",
            "an attribute's name, names joined by dots or indexed: status, address.city, lines[0]",
            word=attribute,
        )
    path = " ".join(quote_word(w) for w in [*head, attribute])
    try:
        item = table.get(raw)
    except ddbjson.DynamoDBError as exc:
        raise CommandError(str(exc), exc.hint) from None
    if item is None:
        return path, Absent(
            f"but {table.name} has no item {' '.join(quote_word(k) for k in keys)}",
            f"`show table {table.name}` lists its items",
        )
    return path, _attribute(ddbjson.item_to_plain(item), attribute)


def _names_an_attribute(read: list[tuple[str, str | None]], key_types: dict[str, str]) -> bool:
    """Whether the last of the words after the table, read as KEY=VALUE by its shape, is
    the attribute: the words before it give every key attribute, and its name is none of
    them (`id=1 id=2` names the key twice)."""
    if len(read) < 2 or read[-1][1] != ITEM_KEY:
        return False
    given = {w.partition("=")[0] for w, k in read[:-1] if k == ITEM_KEY}
    return given >= key_types.keys() and read[-1][0].partition("=")[0] not in key_types


def _key_value(table: str, name: str, kind: str, text: str, word: str) -> dict[str, Any]:
    """The key attribute `name` as DynamoDB JSON, its word's text typed as the key schema
    types it: a string key takes the word as it is (`id=42` is the string "42")."""
    if kind == "N":
        try:
            return {"N": ddbjson.canonical_number(text, name)}
        except ddbjson.DynamoDBError:
            raise CommandError(
                f"{name} is a number key of {table}: {shorten(text)!r} is not a number",
                f"e.g. {name}=7",
                word=word,
            ) from None
    return {kind: text}


def _attribute(item: dict[str, Any], attribute: str, holder: str = "the item") -> Any:
    """The value at the document path `attribute` of the plain item, else of its attribute
    named `attribute` as a whole, or Absent; `holder` names the item in its reason."""
    value: Any = item
    walked = ""
    for step in _DOC_STEP.finditer(attribute):
        index = step.group(1)
        if index is None and isinstance(value, dict) and step.group() in value:
            value = value[step.group()]
        elif index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            if attribute in item:
                # No such path, but an attribute of that very name (`x.y`): DynamoDB's
                # names may hold dots, which a document path would read as steps.
                return item[attribute]
            if not walked:
                guess = did_you_mean(step.group(), item)
                known = f"its attributes: {', '.join(sorted(item))}"
                return Absent(
                    f"but the item has no attribute {quote_word(step.group())}",
                    f"did you mean {guess}? ({known})" if guess else known,
                )
            return Absent(
                f"but {holder} has no {quote_word(attribute)} ({walked} is {_json_type(value)}: "
                f"{shorten(_json_text(value), 60)})",
                None,
            )
        walked += f".{step.group()}" if index is None and walked else step.group()
    return value


def _object_value(sim: Simulator, words: list[str]) -> tuple[str, Any]:
    """(the path as text, whether the object exists or its size, or Absent) for `object
    BUCKET KEY exists|size`."""
    if len(words) < 2 or "buckets" not in sim.services:
        raise CommandError("expect object needs BUCKET KEY exists|size", OBJECT_EXAMPLE)
    try:
        bucket = sim.services["buckets"].bucket(words[1])
    except SimError as exc:
        raise CommandError(str(exc), exc.hint, word=words[1]) from None
    if len(words) < 4:
        shown = " ".join(quote_word(w) for w in ["object", bucket.name, *words[2:3]])
        raise CommandError(
            "expect object needs BUCKET KEY, then exists or size",
            f"e.g. expect {shown if len(words) > 2 else shown + ' KEY'} exists == true",
        )
    if len(words) > 4:
        raise CommandError(
            f"expect object reads one KEY and one field, not {shorten(' '.join(words[2:]))!r}",
            "quote a key with spaces in it: expect object uploads 'a b.csv' exists == true",
        )
    key, field = words[2], words[3]
    if field not in OBJECT_FIELDS:
        guess = did_you_mean(field, OBJECT_FIELDS)
        raise CommandError(
            f"an object has no field {field!r}",
            f"did you mean {guess}?" if guess else f"use one of {', '.join(OBJECT_FIELDS)}",
            word=field,
        )
    path = " ".join(quote_word(w) for w in ["object", bucket.name, key, field])
    obj = bucket.objects.get(key)
    if field == "exists":
        return path, obj is not None
    if obj is None:
        guess = did_you_mean(key, bucket.objects)
        return path, Absent(
            f"but {bucket.name} has no object {quote_word(key)}",
            f"did you mean {guess}?" if guess else f"`show bucket {bucket.name}` lists its objects",
        )
    return path, obj.size


# -- values: an HTTP answer, the messages in a queue ------------------------------------------


def _body_path(word: str) -> bool:
    """Whether `word` is `body` or a document path into it (`body.items[0].sku`)."""
    return word == "body" or (
        word.startswith(("body.", "body[")) and bool(_DOC_PATH.fullmatch(word))
    )


def _response_value(sim: Simulator, words: list[str]) -> tuple[str, Any]:
    """(the path as text, the part's value, or Absent) for `response [REQUEST_ID]
    status|header NAME|body[.PATH]`: the answer to REQUEST_ID, else to the last `http`
    line. A header's value and the body are read as JSON, or else as text, as VALUE is."""
    rest = words[1:]
    ident = None
    if rest and rest[0] not in RESPONSE_PARTS and not rest[0].startswith(("body.", "body[")):
        ident, rest = rest[0], rest[1:]
    head = ["response", *([ident] if ident is not None else [])]
    shown_head = " ".join(quote_word(w) for w in head)
    if not rest:
        if ident is not None and (guess := did_you_mean(ident, RESPONSE_PARTS)) is not None:
            raise CommandError(
                f"a response has no part {ident!r}", f"did you mean {guess}?", word=ident
            )
        raise CommandError(
            f"expect {shown_head} needs status, header NAME or body[.PATH]", RESPONSE_EXAMPLE
        )
    part = rest[0]
    if part.startswith(("body.", "body[")) and not _body_path(part):
        raise CommandError(
            f"{part!r} is not a path into the body",
            "names joined by dots or indexed: body.orderId, body.items[0].sku",
            word=part,
        )
    if part not in RESPONSE_PARTS and not _body_path(part):
        guess = did_you_mean(part.partition(".")[0], RESPONSE_PARTS)
        raise CommandError(
            f"a response has no part {part!r}",
            f"did you mean {guess}?"
            if guess
            else "its parts: status, header NAME, body, "
            "body.PATH (a field of a JSON body: body.orderId, body.items[0].sku)",
            word=part,
        )
    wanted = 2 if part == "header" else 1
    if len(rest) != wanted:
        usage = (
            f"e.g. expect {shown_head} header content-type == application/json"
            if part == "header"
            else RESPONSE_EXAMPLE
        )
        what = "a header NAME after header" if part == "header" and len(rest) < 2 else None
        raise CommandError(
            f"expect response reads {what}"
            if what
            else f"expect response reads one part: {shorten(' '.join(rest[1:]))!r} after "
            f"{' '.join(rest[:wanted])} is too much",
            usage,
        )
    path = " ".join(quote_word(w) for w in [*head, *rest])
    resp = _answer(sim, ident)
    if isinstance(resp, Absent):
        return path, resp
    if part == "status":
        return path, resp.status
    if part == "header":
        name = rest[1].lower()
        values = [v for n, v in resp.headers if n.lower() == name]
        if not values:
            had = ", ".join(dict.fromkeys(n.lower() for n, _ in resp.headers)) or "none"
            return path, Absent(
                f"but the response has no header {quote_word(rest[1])}", f"its headers: {had}"
            )
        # Several field lines of one name are one value, joined as HTTP joins them (RFC
        # 9110, 5.3).
        return path, _json_or_text(", ".join(values))
    # A response to HEAD has no body, whatever the function returned (`http` prints none).
    body = _json_or_text("" if resp.method.upper() == "HEAD" else resp.body)
    if part == "body":
        return path, body
    return path, _attribute({"body": body}, part, "the response")


def _answer(sim: Simulator, ident: str | None) -> Any:
    """The HttpResponse to the request `ident` (to the last `http` line's when None), or
    Absent when there is none yet; a CommandError when there is no such request."""
    answers = sim.services["http"].answers
    if ident is None:
        if answers.awaited is None:
            return Absent(
                "but no `http` line has been answered yet (expect response reads the answer "
                "to the last)",
                "the answers so far are to a `repeat`'s requests: name one, e.g. expect "
                "response $newest:http.response status == 200"
                if answers.by_id
                else "send a request first, e.g. http GET /health; or name a request: "
                "expect response REQUEST_ID status == 200",
            )
        return answers.by_id[answers.awaited]
    resp = answers.by_id.get(ident)
    if resp is not None:
        return resp
    index = trace_index(sim.trace)
    kinds = {r.kind for r in index.records(index.of_id(ident))}
    if tk.HTTP_RESPONSE in kinds:
        return Absent(
            f"but the answer to {quote_word(ident)} is no longer kept (only the last "
            f"{KEPT_ANSWERS} are)",
            "check a response before later requests push it out: right after its `http` line",
        )
    if tk.HTTP_REQUEST in kinds:
        return Absent(
            f"but request {quote_word(ident)} has no answer yet",
            "run the clock on until it is answered: advance 30s",
        )
    guess = did_you_mean(ident, list(answers.by_id))
    raise CommandError(
        f"no HTTP request {ident!r}",
        f"did you mean {quote_word(guess)}?"
        if guess
        else "a request id is the one `http` printed: $last after the `http` line; "
        "$newest:http.response names the newest answered request",
        word=ident,
    )


def _json_or_text(text: str) -> Any:
    """`text` read as JSON when it is JSON (strictly: `jsontext.loads`), else the text."""
    try:
        return jsontext.loads(text)
    except ValueError:
        return text


def _messages_value(sim: Simulator, words: list[str]) -> tuple[str, int]:
    """(the path as text, how many messages QUEUE holds now that pass every filter) for
    `messages QUEUE [FIELD=VALUE ...]`: visible, in flight and delayed alike unless a
    `state=` filter names one. VALUE is read as JSON or else as text, as `count`'s filters
    are; a body as JSON when it is JSON, else as its text."""
    q, tests, path = _messages_read(sim, words)
    return path, sum(all(t(m) for t in tests) for m in q.messages.values())


def _messages_read(
    sim: Simulator, words: list[str]
) -> tuple[QueueSim, list[Callable[[Message], bool]], str]:
    """(the queue, the test of each filter, the path as text) of `messages QUEUE [FIELD=VALUE
    ...]`, or the CommandError that says what is wrong with its words."""
    if len(words) < 2:
        raise CommandError("expect messages needs QUEUE [FIELD=VALUE ...]", MESSAGES_EXAMPLE)
    try:
        q = queue_named(sim, words[1])
    except CommandError as exc:
        exc.word = words[1]
        raise
    filters = words[2:]
    tests = [_message_test(word) for word in filters]
    return q, tests, " ".join(quote_word(w) for w in ["messages", q.name, *filters])


# How many messages of a queue completion reads for the fields their bodies have.
_COMPLETION_MESSAGES = 100


def path_completions(sim: Simulator, kind: str, words: list[str]) -> list[str]:
    """What completion offers for a word of `kind` (RESPONSE_PART or MESSAGE_FILTER) of
    `expect response ...` or `expect messages QUEUE ...`, after `words` (the words of that
    kind before it, and the queue): the parts of the answer there is, its body's top-level
    fields and its headers after `header`; each filter a message of the queue can pass."""
    if kind == RESPONSE_PART:
        answers = sim.services["http"].answers
        ident = words[0] if words and words[0] not in RESPONSE_PARTS else None
        parts = words[1:] if ident is not None else words
        resp = answers.by_id.get(ident or answers.awaited or "")
        if parts == ["header"]:
            return list(dict.fromkeys(n.lower() for n, _ in resp.headers)) if resp else []
        if parts:
            return []
        body = _json_or_text(resp.body) if resp is not None else None
        fields = (
            [f"body.{k}" for k in body if _DOC_PATH.fullmatch(k)] if isinstance(body, dict) else []
        )
        return [*RESPONSE_PARTS, *fields]
    queue = sim.queues.get(words[0]) if words else None
    if queue is None:
        return []
    offers = [f"state={state}" for state in MESSAGE_STATES]
    keys: dict[str, None] = {"body=": None}
    for msg in queue.listing(_COMPLETION_MESSAGES):
        body = _json_or_text(msg.body)
        if isinstance(body, dict):
            keys.update((f"body.{k}=", None) for k in body if _DOC_PATH.fullmatch(k))
        keys.update((f"attr.{name}=", None) for name in msg.attrs or {})
        if msg.group is not None:
            keys["group="] = None
    return [*offers, *keys]


def _message_test(word: str) -> Callable[[Message], bool]:
    """The test of one `expect messages` filter, FIELD=VALUE, or the CommandError that says
    what is wrong with it."""
    read, value = _message_filter(word)
    return lambda m: (v := read(m)) is not _MISSING and _json_equal(v, value)


def _message_filter(word: str) -> tuple[Callable[[Message], Any], Any]:
    """(what a message has in the field of the filter `word`, FIELD=VALUE, or _MISSING;
    VALUE read as JSON or else as text), or the CommandError that says what is wrong."""
    field, eq, text = word.partition("=")
    if not eq or not field:
        raise CommandError(
            f"{word!r} is not a FIELD=VALUE filter (messages QUEUE [FIELD=VALUE ...])",
            f"its fields: {', '.join(MESSAGE_FIELDS)}; {MESSAGES_EXAMPLE}",
            word=word,
        )
    value = _wanted([word])[0][1]
    if field == "state":
        if value not in MESSAGE_STATES:
            guess = did_you_mean(str(value), MESSAGE_STATES)
            raise CommandError(
                f"a message's state is {', '.join(MESSAGE_STATES[:-1])} or "
                f"{MESSAGE_STATES[-1]}, not {shorten(text)!r}",
                f"did you mean state={guess}?" if guess else "e.g. state=in_flight",
                word=word,
            )
        return (lambda m: m.state_name), value
    if field == "group":
        return (lambda m: _MISSING if m.group is None else m.group), value
    if _body_path(field):
        return (lambda m: _at(_json_or_text(m.body), field)), value
    if field.startswith(("body.", "body[")):
        raise CommandError(
            f"{field!r} is not a path into the body",
            "names joined by dots or indexed: body.orderId=7, body.items[0].sku=A-1",
            word=word,
        )
    attr = next((field[len(p) :] for p in ("attr.", "attribute.") if field.startswith(p)), None)
    if attr:
        return (lambda m: _attribute_value(m, attr)), value
    guess = did_you_mean(field, ["body", "state", "group", "attr"])
    raise CommandError(
        f"a message has no field {field!r}",
        f"did you mean {guess}?" if guess else f"its fields: {', '.join(MESSAGE_FIELDS)}",
        word=word,
    )


def _messages_held(sim: Simulator, words: list[str]) -> str | None:
    """For a failed `messages QUEUE FIELD=VALUE ...`: the first filter no message of QUEUE
    passes, with the values its messages have in that field (as filters to copy), or that
    QUEUE holds none (and where a dead-letter queue's come from); None for another path."""
    if len(words) < 2 or words[0] != "messages" or words[1] not in sim.queues:
        return None
    q = sim.queues[words[1]]
    if not q.depth:
        return _dead_letter_sources(sim, q.name) or f"{quote_word(q.name)} holds no messages now"
    for word in words[2:]:
        read, _ = _message_filter(word)
        if any(_message_test(word)(m) for m in q.messages.values()):
            continue
        field = word.partition("=")[0]
        shown: list[str] = []
        for m in q.listing(_COMPLETION_MESSAGES):
            v = read(m)
            if v is _MISSING:
                continue
            text = v if isinstance(v, str) and _text_only(v) else _json_text(v)
            if text not in shown:
                shown.append(text)
        held = f"{quote_word(q.name)} holds {q.depth:,} message{'s' * (q.depth != 1)}"
        if not shown:
            return f"{held}, none with {field}"
        listed = ", ".join(quote_word(f"{field}={cut(t, 80)}") for t in shown[:FILTER_VALUES])
        more = f" (and {len(shown) - FILTER_VALUES:,} more)" if len(shown) > FILTER_VALUES else ""
        return f"{held}; none has {quote_word(word)}; they have {listed}{more}"
    return None


def _at(body: Any, path: str) -> Any:
    """The value at the document path `path` (`body.x[0]`) of `body`, or _MISSING."""
    value = _attribute({"body": body}, path)
    return _MISSING if isinstance(value, Absent) else value


def _attribute_value(msg: Message, name: str) -> Any:
    """The message attribute `name` of `msg` as VALUE compares it: a Number as a number,
    a String as JSON or else text (as a body is); _MISSING when it has none."""
    attrs = msg.attrs or {}
    if name not in attrs:
        return _MISSING
    typed = message_attributes({name: attrs[name]})[name]
    text = typed["stringValue"]
    if typed["dataType"].startswith("Number"):
        number = as_number(text)
        return text if number is None else number
    return _json_or_text(text)


def _compare_value(path: str, op: str, value_text: str, actual: Any) -> CommandResult:
    """`expect PATH OP VALUE` for a JSON value (an item's attribute, an object's exists, a
    part of an HTTP answer): VALUE read as JSON, or else as text, compared as JSON."""
    try:
        expected: Any = json.loads(value_text)
    except ValueError:
        expected = value_text
    if path.endswith(" exists"):
        if not isinstance(expected, bool):
            raise CommandError(
                f"{path} is true or false, not {shorten(value_text)!r}",
                f"e.g. expect {path} == true",
                word=value_text,
            )
        if op not in ("==", "!="):
            raise CommandError(f"{path} is true or false: compare it with == or !=")
    shown_expected = shorten(_json_text(expected), 80)
    if isinstance(actual, Absent):
        raise ExpectationFailed(
            f"expected {path} {op} {shown_expected}, {actual.reason}", actual.hint
        )
    shown_actual = shorten(_json_text(actual), 80)
    same_type = _json_type(actual) == _json_type(expected)
    ordered = same_type and _json_type(actual) in ("a number", "a string")
    if op in ("==", "!="):
        ok = _json_equal(actual, expected) == (op == "==")
    else:
        ok = ordered and OPS[op](actual, expected)
    data = {"path": path, "op": op, "expected": shown_expected, "actual": shown_actual, "ok": ok}
    if ok:
        return CommandResult(f"ok: {path} {op} {shown_expected} (actual {shown_actual})", data=data)
    if same_type:
        unordered = not ordered and op not in ("==", "!=")
        raise ExpectationFailed(
            f"expected {path} {op} {shown_expected}, actual {shown_actual}",
            "only numbers and strings have an order: use == or !="
            if unordered
            else _parameters_hint(path, actual, expected),
        )
    holder = "the response" if path.startswith("response ") else "the item"
    hint = (
        f"{holder} holds {_json_type(actual)} and {shorten(value_text)} is "
        f"{_json_type(expected)}: values of two JSON types never match"
    )
    if isinstance(actual, str):
        hint += f"; to compare with the text, write {quote_word(json.dumps(value_text))}"
    raise ExpectationFailed(
        f"expected {path} {op} {shown_expected} ({_json_type(expected)}), actual "
        f"{shown_actual} ({_json_type(actual)})",
        hint,
    )


def _parameters_hint(path: str, actual: Any, expected: Any) -> str | None:
    """For a header compared with its value less the parameters after `;`
    (`application/json` for `application/json; charset=utf-8`): the whole value to write."""
    if not path.startswith("response ") or " header " not in path or not isinstance(actual, str):
        return None
    if not isinstance(expected, str) or not actual.lower().startswith(expected.lower() + ";"):
        return None
    return f"the header's value goes on after ;: compare the whole of it, {quote_word(actual)}"


def _json_text(value: Any) -> str:
    """A JSON value as one line of JSON (a control character escaped, as JSON escapes it)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _json_type(value: Any) -> str:
    """`a string`, `a number`...: what JSON calls the type of `value`."""
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _json_equal(a: Any, b: Any) -> bool:
    """JSON equality, all the way down: `true` is not 1, 5 is 5.0, key order is no matter."""
    if _json_type(a) != _json_type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
