"""What a simulated handler does: declared behaviours, Python handlers and runtime overrides.

A Stacktape config says *what triggers what*; it cannot say what a handler does. The
behaviours file (`stptui.yml` next to the stack, or `--behaviors FILE`) declares it for each
function and batch job. Without the file, or for a workload it does not list, a handler
succeeds after 100 ms, returns nothing and emits nothing.

The behaviours file
===================

::

    behaviors:
      worker:                        # a function or batch-job name from the stack
        duration: 200ms
        fail: {rate: 0.3, error: PaymentDeclined, message: card declined}
        timeout: false
        partial: {when: "body.fail == `true`"}
        reportBatchItemFailures: true
        emit:
          - send: {queue: notificationQueue, body: "body", group: "body.customer"}
          - publish: {bus: eventBus, source: "'orders'", detailType: "'OrderCreated'",
                      detail: "body"}
          - put: {bucket: uploads, key: "join('', ['out/', body.id, '.json'])", content: "body"}
          - invoke: {function: audit, payload: "@", when: "body.amount > `100`"}
        response: "{ok: `true`}"
        handler: handlers:worker

The only top-level key is `behaviors`, a mapping from workload name to its behaviour (an
empty entry means the default). Every key of an entry is optional:

`duration`
    How long an invocation runs in virtual time. A duration text: a number and a unit, one
    or more times: `250ms`, `2s`, `1.5s`, `1m30s`, `2h`, `1d` (units `ms`, `s`, `m`, `h`, `d`
    and their long forms `sec`, `min`, `hours`...; whole milliseconds only; a bare number
    other than 0 is refused because `200` could mean seconds or milliseconds). Or a range
    `{min: 100ms, max: 2s}`: a whole number of milliseconds drawn uniformly (both ends
    included) from the simulator's seeded random generator. Default `100ms`.

`fail`
    When the invocation fails with an error. One rule, or a list of rules of which the first
    that matches wins. A rule is a mapping with exactly one of:

    * `rate: P` -- fails with probability P (0..1; 0 and 1 draw no random number);
    * `first: N` -- fails the first N invocations of the workload (retries count), then
      succeeds;
    * `always: true` -- always fails (`always: false` disables the rule);
    * `when: EXPR` -- fails when the JMESPath condition holds (see below);

    plus optionally `error` (the errorType, default `Error`) and `message` (the
    errorMessage, default a sentence naming the rule). `fail: true` is short for
    `fail: {always: true}`, `fail: false` for no rule.

`timeout`
    When the handler runs past the function's timeout: `true`, `false` (the default), or a
    mapping with exactly one of `rate`, `first`, `always`, `when` as for `fail`. A timed-out
    invocation lasts exactly the timeout and reports `Sandbox.Timedout` / `Task timed out
    after 20.00 seconds` (batch jobs: `Timeout` / `Job attempt duration exceeded timeout`).
    A `duration` longer than the timeout times out the same way.

`partial`
    SQS partial batch response: records reported in `batchItemFailures`. A mapping with
    exactly one of `when: EXPR` (the records for which the condition holds) or `rate: P`
    (each record independently with probability P, one draw per record in batch order). On
    a FIFO queue the handler does what AWS asks of it: after the first failed record, every
    later record of the batch is reported too. The handler's return value becomes
    `{"batchItemFailures": [{"itemIdentifier": messageId}, ...]}`. Records reported as
    failed emit nothing.

`reportBatchItemFailures`
    `false` by default, because Stacktape does not set `FunctionResponseTypes` on its SQS
    event source mappings: Lambda then ignores a `batchItemFailures` response and deletes
    the whole batch. `true` simulates a stack where an override enables it.

`emit`
    A list of things the handler does when an invocation succeeds: once per input record
    for SQS-triggered invocations (records in batch order, each record's emissions in list
    order), once otherwise. Each item has exactly one key naming its kind:

    * `send: {queue, body, delay?, group?, dedupId?, attributes?}` -- SQS SendMessage.
      `delay` is in seconds (0..900; absent = the queue's own delay); `group` and `dedupId`
      are the MessageGroupId and MessageDeduplicationId (required on FIFO queues, `dedupId`
      unless the queue has content-based deduplication); `attributes` must produce an object
      of message attributes, name -> string (String) or number (Number).
    * `publish: {bus, source, detailType, detail}` -- EventBridge PutEvents; `bus` may be
      `default`; `detail` must produce an object.
    * `put: {bucket, key, content}` -- S3 PutObject.
    * `invoke: {function, payload}` -- an asynchronous Lambda invoke of a `function`.
    * `putRecord: {stream, data, partitionKey?}` -- Kinesis PutRecord; `partitionKey`
      absent means `put-record`'s default.
    * `putItem: {table, item}`, `deleteItem: {table, key}` -- DynamoDB PutItem and
      DeleteItem; `item` and `key` must produce plain JSON objects, marshalled to DynamoDB
      JSON as DocumentClient does (strings S, numbers N, booleans BOOL, null NULL, lists L,
      objects M).
    * `updateItem: {table, key, update, names?, values?, condition?}` -- DynamoDB
      UpdateItem: `update` (and `condition`) are DynamoDB expressions, `names` the
      ExpressionAttributeNames, `values` the ExpressionAttributeValues as plain JSON
      (marshalled as `item` is).
    * `startExecution: {stateMachine, input?, name?}` -- Step Functions StartExecution;
      `input` is the execution's input (a string is read as the JSON text the SDK sends;
      absent means `{}`), `name` the execution's name (absent: a generated UUID).
    * `sendTaskSuccess: {stateMachine, token, output?}`, `sendTaskFailure: {stateMachine,
      token, error?, cause?}`, `sendTaskHeartbeat: {stateMachine, token}` -- a callback
      worker's answer to a `.waitForTaskToken` task of `stateMachine` (the token is read
      from the input, e.g. `body.taskToken`); `output` is JSON text or any JSON value
      (absent: `{}`).

    The target (`queue`, `bus`, `bucket`, `function`, `stream`, `table`, `stateMachine`) is a
    resource name from the stack, checked when the file is loaded. Every other field is a
    JMESPath expression over the input when it is a string, and a constant when it is any
    other YAML value (`delay: 0`, `detail: {a: 1}`); a constant string is a JMESPath raw
    literal: `"'orders'"`. Any item may also have `when: EXPR`: it is emitted only when the
    condition holds. `body`, `content` and `data` that are not strings are written as
    compact JSON. A `body`, `message` or `data` that finds null is a request without it,
    which the service refuses (an `emission.failed` record); a null `content` writes an
    empty object, as PutObject without a Body does.

`response`
    The handler's return value (an HTTP response, a direct invoke's result): a JMESPath
    expression evaluated once against the AWS event, or a constant. Not used with `partial`.

`handler`
    `module:function`, a Python handler imported relative to the behaviours file's directory.
    It runs only when the simulator is started with `--allow-code`; otherwise it is skipped
    with a warning and the declared keys above are used instead. When it runs, it replaces
    `fail`, `partial`, `emit` and `response`; `duration` and `timeout` still apply.

JMESPath input
--------------
Conditions (`fail.when`, `timeout.when`, `partial.when`, `emit[].when`) and emission fields
see, for an SQS-triggered invocation, one record at a time::

    {"body": <the body parsed as JSON, or the string when it is not JSON>,
     "record": <the SQS record>, "attributes": ..., "messageAttributes": ...}

A Kinesis-triggered invocation's expressions see one record at a time too::

    {"data": <the data decoded from base64, parsed as JSON when it is JSON>,
     "partitionKey": ..., "record": <the Kinesis record>}

and `partial` reports sequence numbers. So does a DynamoDB-stream-triggered one, whose
expressions see each stream record with its key and images turned into plain JSON
(`{"N": "5"}` becomes 5)::

    {"eventName": "INSERT" | "MODIFY" | "REMOVE", "keys": {...},
     "newImage": {...} or null, "oldImage": {...} or null, "record": <the stream record>}

`fail.when` and `timeout.when` hold when they hold
for any record. For every other trigger
(S3, EventBridge, schedule, HTTP, SNS, direct invoke, batch) they see the AWS event itself:
`detail.amount`, `Records[0].s3.object.key`, `pathParameters.provider`. A condition holds
when its value is JMESPath-true: not null, false, an empty string, list or object (0 is
true). An ordering comparison (`<`, `>`...) of anything but two numbers or two strings is
null, as the JMESPath specification says. An expression that fails while running (a
function given the wrong type), and an emission field or response whose value does not fit
(a wrong type, NaN or an infinity, which JSON cannot write), fail the invocation with
errorType `BehaviorError` and a message that says where the expression is written
(file:line:col and the key), what it found in JSON's words (`null`, `a string ("5")`) and
the fix (see `Site`, `FieldError`).

Python handlers
---------------
`fn(event, context)` receives a deep copy of the AWS-shaped event. `context` has
`function_name`, `function_version`, `memory_limit_in_mb`, `aws_request_id`, `attempt`,
`now` (UTC datetime of the simulated time), `now_ms`, `random` (the simulator's seeded
generator: use it instead of the `random` module to stay deterministic),
`remaining_time_ms()` (alias `get_remaining_time_in_millis()`), `sleep(duration)` (adds
simulated time to the invocation, ms or a duration text), `send(queue, body, delay=None,
group=None, dedup_id=None, attributes=None)`, `publish(bus, source, detail_type, detail)`,
`put_object(bucket, key, content)`, `invoke(function, payload)`, `put_record(stream, data,
partition_key=None)`, `put_item(table, item)`, `delete_item(table, key)`,
`update_item(table, key, update, names=None, values=None, condition=None)`,
`start_execution(state_machine, input, name=None)`, `send_task_success(state_machine,
task_token, output=None)`, `send_task_failure(state_machine, task_token, error=None,
cause=None)`, `send_task_heartbeat(state_machine, task_token)` and `log(text)`.
The emissions take effect when the invocation ends, and only if it succeeds; a target that is
not in the stack (or has the wrong type) raises `BehaviorError` inside the handler. A
`sleep` past the timeout makes the outcome a timeout (emissions dropped, logs kept). What
the handler prints goes to the invocation's log lines. An exception gives errorType = its class name
and errorMessage = `str(exc)`; a return value that is not JSON-serialisable gives
`Runtime.MarshalError` (so do NaN, the infinities and a value nested too deeply). For SQS
events, a returned `{"batchItemFailures": [...]}` is read
by AWS's rules (below) when `reportBatchItemFailures` is on, and ignored (with a log line)
when it is off. Each Behaviors imports its handlers into fresh modules: whatever was loaded
from the handlers' folder before is dropped from sys.modules first (see _HandlerModules).

Partial batch responses (AWS rules)
-----------------------------------
A null response, a response without `batchItemFailures`, or an empty/null list: complete
success. A `batchItemFailures` that is not a list, an entry that is not an object, a missing,
null or empty `itemIdentifier`, or an id not in the batch: the whole batch fails -- the
outcome is a success whose `failed_item_ids` lists every message, with a log line saying why
(Lambda reports no function error; the event source mapping keeps every message).

Runtime overrides
-----------------
The `fail`, `succeed` and `slow` commands layer `Override`s on top of the declared
behaviour: `fail F` / `fail F always`, `fail F next N`, `fail F rate P`, `fail F when EXPR`,
`succeed F` (drops every override of F and suppresses F's declared failures: timeout, fail
and partial rules, and a duration longer than the timeout; a Python handler's own exceptions
still fail), `slow F DURATION` (replaces the declared duration). A fail override that fires
fails the invocation without running a Python handler; one that does not fire leaves the
declared behaviour in charge. Use `add_override` to keep a function's list tidy: a new
`fail` replaces the previous `fail` (and `succeed`), a new `slow` the previous `slow`.

Determinism
-----------
The only randomness is the `random.Random` passed to `Behaviors.decide`. Per invocation the
draws are, in this order and only when needed: (1) a `fail rate` override (one draw),
(2) a duration range (one `randint`), (3) a `timeout` rate rule (one draw), (4) the `fail`
rate rules in order until one fires (one draw each), (5) a `partial` rate (one draw per
record), (6) whatever a Python handler draws from `context.random`. Rates of 0 and 1 and the
default behaviour draw nothing.
"""

from __future__ import annotations

import base64
import copy
import importlib
import io
import json
import math
import os
import random
import re
import sys
from collections.abc import Callable, Iterable
from contextlib import redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import jmespath
from jmespath import exceptions as jmespath_errors
from jmespath.functions import Functions
from jmespath.lexer import Lexer
from jmespath.visitor import TreeInterpreter

from stptui import jsontext
from stptui.config.diagnostics import (
    ConfigError,
    Diagnostic,
    Position,
    Severity,
    did_you_mean,
    with_article,
)
from stptui.config.loader import DataPath, LoadedYaml, parse_yaml, read_text
from stptui.config.model import DEFAULT_BUS, BatchJob, Queue, SqsTrigger, Stack, Workload
from stptui.config.permissions import (
    EMISSION_TARGET_TYPES,
    ClientError,
    EmitSite,
    Permissions,
)
from stptui.sim.clock import EPOCH, MAX_MS
from stptui.sim.ddbjson import DynamoDBError, from_plain_item, item_to_plain
from stptui.sim.handler_logs import log_events

# The triggers whose event is a batch of records, read one record at a time.
BATCH_TRIGGERS = frozenset({"sqs", "kinesis", "dynamodb"})

SIDECAR_NAMES = ("stptui.yml", "stptui.yaml")
DEFAULT_DURATION_MS = 100
MAX_DURATION_MS = 3650 * 86_400_000  # ten years: far beyond anything a stack schedules
MAX_SQS_DELAY_S = 900
# Lambda's largest response, in bytes, as its error message gives it (6 MB and 100 bytes).
MAX_RESPONSE_BYTES = 6_291_556

EmissionKind = Literal[
    "send",
    "publish",
    "notify",
    "put",
    "invoke",
    "putRecord",
    "putItem",
    "deleteItem",
    "updateItem",
    "startExecution",
    "sendTaskSuccess",
    "sendTaskFailure",
    "sendTaskHeartbeat",
]
Status = Literal["success", "error", "timeout"]


class BehaviorError(ValueError):
    """A bad duration, override or behaviour value; `hint` says how to write it instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class DurationTooLongError(BehaviorError):
    """A duration over the 3650-day limit; `ms` is how long it is, so that a caller can say
    where it would lead (`advance` offers `until` that instant)."""

    def __init__(self, message: str, hint: str, ms: int) -> None:
        super().__init__(message, hint)
        self.ms = ms


# ---------------------------------------------------------------------------------------------
# Durations

_UNIT_MS: dict[str, int] = {}
for _names, _ms in (
    (("ms", "msec", "msecs", "millisecond", "milliseconds"), 1),
    (("s", "sec", "secs", "second", "seconds"), 1000),
    (("m", "min", "mins", "minute", "minutes"), 60_000),
    (("h", "hr", "hrs", "hour", "hours"), 3_600_000),
    (("d", "day", "days"), 86_400_000),
):
    for _name in _names:
        _UNIT_MS[_name] = _ms

_DURATION_PART = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z]*)\s*")
_DURATION_HINT = "write a number and a unit: 250ms, 90s, 1.5s, 5m, 2h30m or 1d"
_MAX_DURATION_DIGITS = 100
_MAX_COUNT_DIGITS = 9
_LONG_NUMBER = re.compile(rf"[0-9]{{{_MAX_DURATION_DIGITS + 1}}}")


def _quote(text: str, limit: int = 40) -> str:
    """Quote user text for a message, shortened so that a huge input stays readable."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"'{text}'"


def parse_duration(text: str) -> int:
    """A duration text (`90s`, `5m`, `2h30m`, `1d`, `250ms`, `1.5s`, `1m 30s`) in milliseconds.

    Raises BehaviorError, with a hint, for anything else: a bare number (except 0), an
    unknown unit, a negative value, a unit written twice, a fraction of a millisecond.
    """
    if not isinstance(text, str):
        raise BehaviorError("a duration must be text such as 90s or 250ms", _DURATION_HINT)
    s = text.strip()
    if not s:
        raise BehaviorError("the duration is empty", _DURATION_HINT)
    if s.startswith("-"):
        raise BehaviorError(f"a duration cannot be negative: {_quote(s)}", _DURATION_HINT)
    if _LONG_NUMBER.search(s):
        # Fraction() and int() refuse more than 4,300 digits with a bare ValueError; no
        # duration within the clock's range needs a hundred.
        raise BehaviorError(
            f"a number in the duration has more than {_MAX_DURATION_DIGITS} digits",
            _DURATION_HINT,
        )
    if re.fullmatch(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+", s):
        if Fraction(s) == 0:
            return 0
        # `200` could mean seconds (Stacktape's unit) or milliseconds: make the writer say.
        raise BehaviorError(
            f"the duration {_quote(s)} has no unit",
            f"write {s}s for seconds or {s}ms for milliseconds",
        )
    total = Fraction(0)
    seen: set[int] = set()
    pos = 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if m is None or m.end() == pos:
            raise BehaviorError(
                f"cannot read {_quote(s)} as a duration (stuck at {_quote(s[pos:], 12)})",
                _DURATION_HINT,
            )
        number, unit = m.group(1), m.group(2).lower()
        if not unit:
            raise BehaviorError(f"{_quote(number)} in {_quote(s)} has no unit", _DURATION_HINT)
        factor = _UNIT_MS.get(unit)
        if factor is None:
            guess = did_you_mean(unit, _UNIT_MS)
            hint = f"did you mean {number}{guess}?" if guess else _DURATION_HINT
            raise BehaviorError(
                f"unknown unit {_quote(unit)} in {_quote(s)}; use ms, s, m, h or d", hint
            )
        if factor in seen:
            raise BehaviorError(f"{_quote(s)} gives the same unit twice", _DURATION_HINT)
        seen.add(factor)
        total += Fraction(number) * factor
        pos = m.end()
    if total.denominator != 1:
        raise BehaviorError(
            f"{_quote(s)} is {float(total):g} ms; durations are whole milliseconds",
            "round it to a whole number of milliseconds, e.g. 1.5s or 1500ms",
        )
    if total > MAX_DURATION_MS:
        raise DurationTooLongError(
            f"{_quote(s)} is longer than the 3650-day limit",
            "a duration is at most 3650d (about ten years)",
            int(total),
        )
    return int(total)


def format_duration(ms: int) -> str:
    """Milliseconds as short readable text: `250 ms`, `1.5 s`, `1 min 30 s`, `2 h`, `1 d 2 h`."""
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:g} s"
    parts: list[str] = []
    days, rest = divmod(ms, 86_400_000)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    for value, unit in ((days, "d"), (hours, "h"), (minutes, "min")):
        if value:
            parts.append(f"{value} {unit}")
    if rest:
        parts.append(f"{rest / 1000:g} s")
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# The engine-facing data types


@dataclass(frozen=True, slots=True)
class Emission:
    """Something a handler does when its invocation succeeds; `fields` are already evaluated.

    send: body (str), delay (int seconds or None), group, dedupId (str or None),
    attributes (dict of name -> str | number, or None);
    publish: source, detailType (str), detail (dict); put: key, content (str);
    invoke: payload (any JSON value); putRecord: data (str), partitionKey (str, or None
    for put-record's default);
    putItem: item, deleteItem: key (DynamoDB JSON, marshalled from the plain JSON given);
    updateItem: key, update, condition (str or None), names (dict or None), values (DynamoDB
    JSON values by placeholder, or None); startExecution: input (the JSON text), name (str
    or None); sendTaskSuccess: token, output (the JSON text); sendTaskFailure: token, error,
    cause (str or None); sendTaskHeartbeat: token.
    """

    kind: EmissionKind
    target: str
    fields: dict[str, Any]
    # Where the behaviours file declares it (`stptui.yml:4:9: api.emit[0].send`), and for a
    # whole message that an expression found null, what found it and the fix: added to the
    # service's error when the request is refused. None for a Python handler's call.
    origin: str | None = field(default=None, compare=False)


@dataclass(slots=True)
class Outcome:
    """What one invocation did: how long it ran, how it ended, what it returned and emitted.

    `failed_item_ids` is set only for SQS invocations of a workload whose
    `reportBatchItemFailures` is on; it is already validated against the batch.
    """

    duration_ms: int
    status: Status
    error_type: str | None = None
    error_message: str | None = None
    failed_item_ids: list[str] | None = None
    response: Any = None
    emissions: list[Emission] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    # Calls the workload's role refused (see permissions.py), with AWS's error text: each
    # becomes an `emission.failed` record when the invocation ends, whatever its status.
    denied: list[tuple[Emission, str]] = field(default_factory=list)


@dataclass(slots=True)
class InvocationInput:
    """What the engine knows about an invocation before deciding its outcome.

    `nth` is the 1-based count of this workload's invocations so far (for `first: N`);
    `event` builds the AWS-shaped event lazily (only conditions, emissions and Python
    handlers call it); `sqs_records` returns the batch's records for SQS triggers.
    `timeout_ms <= 0` means no timeout (a batch job without one).
    """

    function: str
    attempt: int
    nth: int
    trigger: str
    now_ms: int
    timeout_ms: int
    event: Callable[[], dict[str, Any]]
    sqs_records: Callable[[], list[dict[str, Any]]] | None = None
    request_id: str = ""


# ---------------------------------------------------------------------------------------------
# JMESPath helpers


class _Interpreter(TreeInterpreter):
    """jmespath's interpreter, with `<`, `<=`, `>`, `>=` on a number and a string giving null.

    The specification makes an ordering comparison of anything but two numbers (jmespath
    also allows two strings) null; jmespath 1.1 lets Python compare a number with a string,
    which raises TypeError: a condition `body.amount > 1000` on `{"amount": "5000"}` would
    fail the invocation instead of not holding."""

    def visit_comparator(self, node: dict[str, Any], value: Any) -> Any:
        if node["value"] in self._EQUALITY_OPS:
            return super().visit_comparator(node, value)
        left = self.visit(node["children"][0], value)
        right = self.visit(node["children"][1], value)
        if isinstance(left, str) and isinstance(right, str):
            return self.COMPARATOR_FUNC[node["value"]](left, right)
        if _is_number(left) and _is_number(right):
            return self.COMPARATOR_FUNC[node["value"]](left, right)
        return None

    def visit_function_expression(self, node: dict[str, Any], value: Any) -> Any:
        args = [self.visit(child, value) for child in node["children"]]
        try:
            return self._functions.call_function(node["value"], args)
        except jmespath_errors.JMESPathTypeError as exc:
            # Raised with the call, so that the message can name the argument that found
            # the wrong value (jmespath's own names the function only, in Python's words).
            raise _CallError(node, args, exc) from None


# One interpreter for every search: ParsedResult.search builds a new one per call.
_INTERPRETER = _Interpreter()


# JMESPath's built-in functions by name, with their signatures.
_FUNCTIONS: dict[str, Any] = Functions().FUNCTION_TABLE


# How to write constants: what most invalid expressions get wrong.
_CONSTANTS_HINT = "string constants are raw literals: 'text'; JSON constants use backticks"

# A condition that parses, for the hint of one that does not.
_CONDITION_EXAMPLE = "body.amount > `1000`"


def _compile(expression: str, example: str | None = None) -> Any:
    """Compile a JMESPath expression; raise BehaviorError with jmespath's own message, or
    for a function that does not exist or is called with the wrong number of arguments
    (which jmespath would only find when the expression runs). The hint of an expression
    that does not parse shows `example`, a valid one written where this one was."""
    hint = f"e.g. {example}; {_CONSTANTS_HINT}" if example else _CONSTANTS_HINT
    try:
        compiled = jmespath.compile(expression)
    except jmespath_errors.LexerError as exc:
        if exc.lexer_value == "=":
            hint = "compare with ==" + (f", e.g. {example}" if example else "")
        raise BehaviorError(_jmespath_message(expression, exc), hint) from None
    except jmespath_errors.JMESPathError as exc:
        raise BehaviorError(_jmespath_message(expression, exc), hint) from None
    except Exception as exc:  # the lexer can fail in odd ways on hostile input
        raise BehaviorError(f"invalid JMESPath {_quote(expression)}: {exc}", hint) from None
    _check_calls(expression, compiled.parsed)
    return compiled


# Tokens after which a value is compared: a quoted identifier there is a field, not text.
_COMPARATORS = frozenset({"eq", "ne", "lt", "lte", "gt", "gte"})


def quoted_text(expression: str) -> tuple[str, str] | None:
    """`(word, comparator)` when `expression` compares with a double-quoted word that is not
    the start of a path: `body.type == "invoice"`. In JMESPath double quotes name a field,
    so that compares with the field `invoice` of the input (null, nearly always) rather than
    with the text; raw literals (`'invoice'`) are text. None when there is no such word, or
    when the expression does not tokenize (compiling it says why)."""
    try:
        tokens = list(Lexer().tokenize(expression))
    except Exception:  # the lexer's own errors, and odd ones on hostile input
        return None
    for before, token, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            token["type"] == "quoted_identifier"
            and before["type"] in _COMPARATORS
            and after["type"] not in ("dot", "lbracket", "filter", "flatten")
        ):
            return str(token["value"]), str(before["value"])
    return None


def quoted_text_warning(expression: str) -> tuple[str, str] | None:
    """The message and hint of `quoted_text` for `expression`, or None."""
    found = quoted_text(expression)
    if found is None:
        return None
    word, comparator = found
    literal = "'" + word.replace("'", "\\'") + "'"
    return (
        f'{comparator} "{word}" compares with the field {word!r} of the input, not with the '
        "text: in JMESPath double quotes name a field",
        f'for the text, write the raw literal {literal}; for the field, write @."{word}"',
    )


def _check_calls(expression: str, tree: dict[str, Any]) -> None:
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if not isinstance(node, dict):
            continue
        children = node.get("children", [])
        nodes.extend(children)
        if node.get("type") != "function_expression":
            continue
        name = node["value"]
        spec = _FUNCTIONS.get(name)
        if spec is None:
            guess = did_you_mean(name, _FUNCTIONS)
            raise BehaviorError(
                f"invalid JMESPath {_quote(expression)}: unknown function {name}()",
                f"did you mean {guess}()?" if guess else "see jmespath.org for its functions",
            )
        signature = spec["signature"]
        variadic = bool(signature) and signature[-1].get("variadic", False)
        given = len(children)
        if given < len(signature) or (given > len(signature) and not variadic):
            plural = "" if len(signature) == 1 else "s"
            wanted = f"at least {len(signature)}" if variadic else str(len(signature))
            raise BehaviorError(
                f"invalid JMESPath {_quote(expression)}: {name}() takes {wanted} "
                f"argument{plural}, not {given}"
            )


# jmespath's token types, as a person would name them in a message.
_TOKEN_WORDS = {
    "unquoted_identifier": "a name",
    "quoted_identifier": "a name",
    "lbracket": "`[`",
    "rbracket": "`]`",
    "lbrace": "`{`",
    "rbrace": "`}`",
    "lparen": "`(`",
    "rparen": "`)`",
    "comma": "`,`",
    "colon": "`:`",
    "dot": "`.`",
    "star": "`*`",
    "number": "a number",
}


def _jmespath_message(expression: str, exc: jmespath_errors.JMESPathError) -> str:
    """One line: what is wrong with the expression and at which 1-based column.

    jmespath's own message spans three lines (the expression and a caret under it) and
    names tokens by their grammar names; this says the same in words."""
    if isinstance(exc, jmespath_errors.EmptyExpressionError):
        return "the JMESPath expression is empty"
    start = f"invalid JMESPath {_quote(expression)}"
    if isinstance(exc, jmespath_errors.LexerError):
        return f"{start}: {exc.message} at column {exc.lexer_position + 1}"
    position = getattr(exc, "lex_position", None)  # ArityError, say, has none
    if not isinstance(exc, jmespath_errors.ParseError) or not isinstance(position, int):
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{start}: {first.rstrip(':')}"
    column = position + 1
    at_end = isinstance(exc, jmespath_errors.IncompleteExpressionError) or (
        str(exc.token_type).upper() == "EOF"
    )
    expecting = re.fullmatch(r"Expecting: (.*), got: \w+", exc.msg)
    if expecting is not None:
        names = re.findall(r"[a-z_]+", expecting.group(1))
        words = list(dict.fromkeys(_TOKEN_WORDS.get(n, f"`{n}`") for n in names))
        wanted = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
        if at_end:
            return f"{start}: Incomplete expression at column {column}: expected {wanted}"
        return f"{start}: expected {wanted} at column {column}, not {_quote(str(exc.token_value))}"
    if at_end:
        return f"{start}: Incomplete expression at column {column}"
    if exc.msg in ("invalid token", "syntax error") or exc.msg.startswith("Unexpected token"):
        return f"{start}: unexpected {_quote(str(exc.token_value))} at column {column}"
    return f"{start}: {exc.msg.rstrip('.')} at column {column}"


def _search(compiled: Any, data: Any, site: Site | str) -> Any:
    """Evaluate a compiled expression; a runtime failure becomes a BehaviorError that says
    where it was written (`site`), what it found and the fix."""
    try:
        return _INTERPRETER.visit(compiled.parsed, data)
    except Exception as exc:  # a function given the wrong type, or anything odd in user data
        raise _runtime_error(site, exc) from None


def _truthy(value: Any) -> bool:
    """JMESPath truth: false, null and empty strings, lists and objects are false; 0 is true."""
    if value is None or value is False:
        return False
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return True


def _dumps(value: Any, where: str) -> str:
    """`value` as compact JSON (the separators JavaScript's JSON.stringify writes); a
    BehaviorError naming `where` for what JSON cannot hold: NaN and the infinities (which
    Python's json would write as bare words no JSON reader accepts), other types, cycles."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        if "Circular" in str(exc):
            raise BehaviorError(f"{where}: not JSON: it contains itself") from None
        raise BehaviorError(f"{where}: not JSON: NaN and Infinity have no JSON form") from None
    except TypeError as exc:
        raise BehaviorError(f"{where}: not JSON: {exc}") from None
    except RecursionError:
        raise BehaviorError(f"{where}: not JSON: nested too deeply") from None


def _json_text(value: Any, where: str) -> str:
    """A body or object content: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return _dumps(value, where)


# ---------------------------------------------------------------------------------------------
# Runtime errors in the behaviours file's terms: JSON words, the expression, its place, a fix


def json_kind(value: Any) -> str:
    """What `value` is, in JSON's words, with a short view of it: `null`, `true`, `a number
    (5)`, `a string ("5")`, `an empty array`, `an object with keys id, total`. Messages
    about a value the input held say this rather than Python's repr (`None`, `{'a': 1}`)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"a number ({_dumps_or_repr(value)})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"a string ({json.dumps(shown, ensure_ascii=False)})"
    if isinstance(value, (list, tuple)):
        if not value:
            return "an empty array"
        return f"an array of {len(value)} value{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        if not value:
            return "an empty object"
        names = [str(k) for k in list(value)[:3]]
        more = ", …" if len(value) > 3 else ""
        return f"an object with key{'s' if len(value) != 1 else ''} {', '.join(names)}{more}"
    return f"a {type(value).__name__}, which JSON cannot hold"


def _dumps_or_repr(value: float) -> str:
    """A number as JSON writes it (`5`, `2.5`); NaN and the infinities by name."""
    return json.dumps(value) if math.isfinite(value) else repr(value)


# JMESPath's type names (in its functions' signatures) as a person says them.
_TYPE_WORDS = {
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "boolean": "a boolean",
    "null": "null",
    "any": "any value",
    "expref": "an expression reference (&field)",
    "array-number": "an array of numbers",
    "array-string": "an array of strings",
}


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _node_text(node: Any) -> str | None:
    """The JMESPath text of a simple expression tree (a path, an index, `@`, a literal, a
    function call of these), as a message quotes it; None for anything more complex."""
    if not isinstance(node, dict):
        return None
    kind, children = node.get("type"), node.get("children", [])
    if kind == "field":
        name = str(node["value"])
        return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else json.dumps(name)
    if kind == "current":
        return "@"
    if kind == "literal":
        value = node.get("value")
        if isinstance(value, str):
            return "'" + value.replace("'", "\\'") + "'"
        return "`" + json.dumps(value, separators=(",", ":")) + "`"
    if kind == "index":
        return f"[{node['value']}]"
    if kind == "expref":
        inner = _node_text(children[0]) if children else None
        return None if inner is None else f"&{inner}"
    parts = [_node_text(child) for child in children]
    if any(p is None for p in parts):
        return None
    if kind == "subexpression":
        return ".".join(parts)  # type: ignore[arg-type]
    if kind == "index_expression" and len(parts) == 2:
        return f"{parts[0]}{parts[1]}"
    if kind == "function_expression":
        return f"{node['value']}({', '.join(parts)})"  # type: ignore[arg-type]
    return None


class _CallError(Exception):
    """A JMESPath function given a value of the wrong type, with the call's tree and the
    values of its arguments, so that the message can say which argument found what."""

    def __init__(self, node: dict[str, Any], args: list[Any], exc: Any) -> None:
        super().__init__(str(exc))
        self.node = node
        self.args_values = args
        self.exc = exc


def _call_message(err: _CallError) -> tuple[str, str]:
    """What a function call refused, in JSON's words, and the fix: `abs() takes a number, but
    body.name found null`."""
    exc, node = err.exc, err.node
    name = node["value"]
    wanted = _either([_TYPE_WORDS.get(t, t) for t in exc.expected_types])
    bad = exc.current_value
    children = node.get("children", [])
    index = next((i for i, v in enumerate(err.args_values) if v is bad), None)
    if index is None:  # an element of an array argument, or a key an &expression gave
        index = next(
            (
                i
                for i, v in enumerate(err.args_values)
                if isinstance(v, list) and any(item is bad for item in v)
            ),
            None,
        )
        arg = _node_text(children[index]) if index is not None else None
        if arg is None:
            key = next((_node_text(c) for c in children if c.get("type") == "expref"), None)
            what = f"the key {key} gave" if key else "a value given to it is"
            return (
                f"{name}() takes {wanted}, but {what} {json_kind(bad)}",
                f"see jmespath.org for what {name}() takes",
            )
        return (
            f"{name}() takes {wanted}, but `{arg}` holds {json_kind(bad)}",
            f"pick the values of one type, e.g. `{arg}[?type(@) == 'number']`",
        )
    arg = _node_text(children[index]) if index < len(children) else None
    which = f"`{arg}`" if arg else f"its argument {index + 1}"
    message = f"{name}() takes {wanted}, but {which} found {json_kind(bad)}"
    shown = arg or "…"
    expected = set(exc.expected_types)
    if bad is None:
        hint = (
            f"the input has no value at {shown}: check the path against the input (docs/"
            f"behaviors.md, JMESPath input), or give a default: not_null({shown}, `0`)"
        )
    elif expected == {"number"} and isinstance(bad, str):
        hint = f"convert the text: to_number({shown})"
    elif expected == {"string"} and _is_number(bad):
        hint = f"convert the number: to_string({shown})"
    else:
        hint = f"give {name}() {wanted}"
    return message, hint


@dataclass(frozen=True, slots=True)
class Site:
    """Where a JMESPath expression or a value was written in the behaviours file: the key
    path as messages name it (`worker.emit[0].send.body`), its file:line:col, and the
    expression's text (None for a constant). A command's expression (`fail F when EXPR`)
    has no position."""

    where: str
    pos: Position | None = None
    expression: str | None = None

    def at(self) -> str:
        """`stptui.yml:4:35: worker.emit[0].send.body`, or just the key path."""
        return f"{self.pos}: {self.where}" if self.pos is not None else self.where


def _runtime_error(site: Site | str, exc: BaseException) -> BehaviorError:
    """A JMESPath expression that failed while running, as a BehaviorError whose message
    says where it was written, what it found (in JSON's words) and how to fix it."""
    if isinstance(site, str):
        site = Site(site)
    written = f" `{site.expression}`" if site.expression else ""
    if isinstance(exc, _CallError):
        text, hint = _call_message(exc)
        return BehaviorError(f"{site.at()}{written}: {text}", hint)
    if isinstance(exc, RecursionError):
        return BehaviorError(
            f"{site.at()}{written}: the input is nested too deeply to search",
            "search a part of it nearer the top",
        )
    return BehaviorError(f"{site.at()}{written}: {exc}")


class _Input:
    """Lazy views of an invocation's input: the event and the per-record JMESPath contexts."""

    __slots__ = ("_contexts", "_event", "_records", "inp")

    def __init__(self, inp: InvocationInput) -> None:
        self.inp = inp
        self._event: dict[str, Any] | None = None
        self._records: list[dict[str, Any]] | None = None
        self._contexts: list[tuple[str | None, Any]] | None = None

    def event(self) -> dict[str, Any]:
        if self._event is None:
            self._event = self.inp.event()
        return self._event

    def records(self) -> list[dict[str, Any]]:
        if self._records is None:
            if self.inp.sqs_records is not None:
                self._records = self.inp.sqs_records()
            else:
                records = self.event().get("Records")
                self._records = records if isinstance(records, list) else []
        return self._records

    @property
    def is_sqs(self) -> bool:
        """A batch of records: SQS messages, Kinesis or DynamoDB stream records (one
        context per record)."""
        return self.inp.trigger in BATCH_TRIGGERS

    def contexts(self) -> list[tuple[str | None, Any]]:
        """(messageId, data) per SQS record, (sequenceNumber, data) per Kinesis or DynamoDB
        stream record; one (None, event) for everything else."""
        if self._contexts is None:
            if self.inp.trigger == "dynamodb":
                records = self.records()
                self._contexts = [(_ddb_sequence_number(r), _ddb_context(r)) for r in records]
            elif self.inp.trigger == "kinesis":
                records = self.records()
                self._contexts = [(_sequence_number(r), _kinesis_context(r)) for r in records]
            elif self.is_sqs:
                self._contexts = [(_message_id(r), _record_context(r)) for r in self.records()]
            else:
                self._contexts = [(None, self.event())]
        return self._contexts


def _has_record_batches(workload: Workload) -> bool:
    """Whether an event source mapping hands the workload batches of records."""
    return any(
        isinstance(t, SqsTrigger) or t.type in ("kinesis-stream", "dynamo-db-stream")
        for t in workload.events
    )


def _message_id(record: dict[str, Any]) -> str | None:
    mid = record.get("messageId") if isinstance(record, dict) else None
    return mid if isinstance(mid, str) else None


def _sequence_number(record: dict[str, Any]) -> str | None:
    kinesis = record.get("kinesis") if isinstance(record, dict) else None
    seq = kinesis.get("sequenceNumber") if isinstance(kinesis, dict) else None
    return seq if isinstance(seq, str) else None


def _ddb_sequence_number(record: dict[str, Any]) -> str | None:
    change = record.get("dynamodb") if isinstance(record, dict) else None
    seq = change.get("SequenceNumber") if isinstance(change, dict) else None
    return seq if isinstance(seq, str) else None


def _ddb_context(record: dict[str, Any]) -> dict[str, Any]:
    """The JMESPath input for one DynamoDB stream record: its key and images as plain JSON
    (an image the stream's view type leaves out is null)."""
    change = record.get("dynamodb") if isinstance(record, dict) else None
    change = change if isinstance(change, dict) else {}
    return {
        "eventName": record.get("eventName") if isinstance(record, dict) else None,
        "keys": item_to_plain(change.get("Keys")),
        "newImage": item_to_plain(change.get("NewImage")),
        "oldImage": item_to_plain(change.get("OldImage")),
        "record": record,
    }


def _kinesis_context(record: dict[str, Any]) -> dict[str, Any]:
    """The JMESPath input for one Kinesis record: its data decoded from base64, as JSON when
    it is UTF-8 JSON, else as text (bytes that are not UTF-8 stay base64)."""
    kinesis = record.get("kinesis") if isinstance(record, dict) else None
    kinesis = kinesis if isinstance(kinesis, dict) else {}
    raw = kinesis.get("data")
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = base64.b64decode(raw, validate=True).decode("utf-8")
        except ValueError:
            data = raw
        else:
            with suppress(ValueError):
                data = jsontext.loads(data)
    return {"data": data, "partitionKey": kinesis.get("partitionKey"), "record": record}


def _record_context(record: dict[str, Any]) -> dict[str, Any]:
    """The JMESPath input for one SQS record: its body parsed as JSON when it is JSON (and
    not NaN, an infinity or nested beyond `jsontext.MAX_DEPTH`: such a body stays text)."""
    raw = record.get("body") if isinstance(record, dict) else None
    body: Any = raw
    if isinstance(raw, str):
        try:
            body = jsontext.loads(raw)
        except ValueError:
            body = raw
    return {
        "body": body,
        "record": record,
        "attributes": record.get("attributes") if isinstance(record, dict) else None,
        "messageAttributes": record.get("messageAttributes") if isinstance(record, dict) else None,
    }


# ---------------------------------------------------------------------------------------------
# Declared behaviour (compiled at load time)


class _Rule:
    """One `fail`, `timeout` or `partial` rule."""

    __slots__ = ("count", "error_type", "expr", "expression", "message", "mode", "rate", "where")

    def __init__(self, mode: str, where: Site) -> None:
        self.mode = mode  # always | never | first | rate | when
        self.where = where
        self.rate = 0.0
        self.count = 0
        self.expression = ""
        self.expr: Any = None
        self.error_type = "Error"
        self.message: str | None = None

    def fires(self, inp: InvocationInput, rng: random.Random, data: _Input | None) -> str | None:
        """None when the rule does not fire; else a short reason (with a messageId for `when`)."""
        if self.mode != "when":
            return self.fires_nth(inp.nth, rng)
        if data is None:
            return None
        noun = "message" if data.inp.trigger == "sqs" else "record"
        for mid, ctx in data.contexts():
            if _truthy(_search(self.expr, ctx, self.where)):
                return f"when {self.expression}" + (f" ({noun} {mid})" if mid else "")
        return None

    def fires_nth(self, nth: int, rng: random.Random) -> str | None:
        """`fires` for every mode but `when`: only the invocation count and the rng matter."""
        mode = self.mode
        if mode == "rate":
            # Rates of 0 and 1 are decided without a draw (fewer draws, same meaning).
            if self.rate <= 0.0:
                return None
            if self.rate >= 1.0 or rng.random() < self.rate:
                return f"probability {self.rate:g}"
            return None
        if mode == "first":
            return f"invocation {nth} of the first {self.count}" if nth <= self.count else None
        if mode == "always":
            return "always"
        return None

    def describe(self, verb: str, suffix: str = "", unit: str = "invocation") -> str:
        """E.g. `fails with probability 0.3 (PaymentDeclined)`, `fails on the first 2
        invocations (Error)`; `unit` is what a run of the workload is called (a batch job
        has attempts)."""
        mode = self.mode
        if mode == "rate":
            text = f"{verb} with probability {self.rate:g}"
        elif mode == "first":
            counted = unit if self.count == 1 else f"{self.count} {unit}s"
            text = f"{verb} on the first {counted}"
        elif mode == "always":
            text = f"always {verb}"
        elif mode == "never":
            text = f"never {verb}"
        else:
            text = f"{verb} when {self.expression}"
        return text + suffix


class _EmitSpec:
    """One `emit` item: kind, literal target, and (name, value, is_expression) fields, with
    the place of each field (and of `when`) in the file, for the messages of a field whose
    value does not fit when the emission runs."""

    __slots__ = (
        "fields",
        "kind",
        "origin",
        "pos",
        "sites",
        "target",
        "when",
        "when_site",
        "where",
    )

    def __init__(
        self, kind: EmissionKind, target: str, where: str, pos: Position | None = None
    ) -> None:
        self.kind: EmissionKind = kind
        self.target = target
        self.where = where
        self.pos = pos  # the target's place in the file, for `stptui validate`
        # The item's place and key path, which a refusal of the request names.
        self.origin = where
        self.fields: list[tuple[str, Any, bool]] = []
        self.sites: dict[str, Site] = {}
        self.when: Any = None
        self.when_site: Site | str = f"{where}.when"

    def build(self, ctx: Any) -> Emission | None:
        """Evaluate the fields against one input; None when `when` does not hold."""
        if self.when is not None and not _truthy(_search(self.when, ctx, self.when_site)):
            return None
        values: dict[str, Any] = {}
        for name, value, is_expr in self.fields:
            site = self.sites.get(name) or f"{self.where}.{name}"
            values[name] = _search(value, ctx, site) if is_expr else value
        try:
            fields = _normalise(self.kind, values, self.where)
        except FieldError as exc:
            raise self._refused(exc, ctx) from None
        origin = self.origin
        missing = WHOLE_MESSAGE_FIELDS.get(self.kind)
        if missing is not None and fields[missing] is None:
            origin = self._null_note(missing, ctx)
        return Emission(self.kind, self.target, fields, origin)

    def _expression(self, name: str) -> tuple[Any, Site]:
        """The compiled expression of field `name` (None for a constant) and its place."""
        compiled = next((v for n, v, is_expr in self.fields if n == name and is_expr), None)
        return compiled, self.sites.get(name) or Site(f"{self.where}.{name}")

    def _refused(self, exc: FieldError, ctx: Any) -> BehaviorError:
        """A field whose value does not fit, said with the expression that found it, where
        it is written and the fix."""
        compiled, site = self._expression(exc.name)
        if compiled is None or site.expression is None:
            return exc
        at = Site(f"{self.where}.{exc.label}", site.pos).at()
        found = json_kind(exc.value)
        if exc.label != exc.name:  # a part of the value: an attribute of `attributes`
            found = f"an object whose {exc.label.partition('.')[2]!r} is {found}"
        message = f"{at}: {exc.need}, but `{site.expression}` found {found}"
        return BehaviorError(message, self._fix(exc, compiled, site.expression, ctx))

    def _fix(self, exc: FieldError, compiled: Any, expression: str, ctx: Any) -> str | None:
        """How to write the field so that it fits: for a bare name that found nothing, the
        raw literal a constant needs (`source: orders` meant the text 'orders' far more
        often than a field `orders`); for other nulls, the path to check or the `when` that
        skips such inputs; for text where a number goes, to_number()."""
        value, tree = exc.value, compiled.parsed
        if value is None and exc.label == exc.name:
            if tree.get("type") == "field" and not (isinstance(ctx, dict) and tree["value"] in ctx):
                word = tree["value"]
                return (
                    f"`{exc.name}: {word}` reads the input's field {word!r}, which this input "
                    f"does not have; a constant string is a raw literal: {exc.name}: \"'{word}'\""
                )
            text = _text_on_the_way(tree, ctx)
            if text is not None:
                return (
                    f"`{text}` is a string in this input (an HTTP event's body is one), and "
                    f"JMESPath reads no field of a string: write `{text}` whole, or read its "
                    "fields where it arrives as JSON (an SQS body is parsed)"
                )
            return _null_fix(expression)
        if isinstance(value, str) and exc.name == "delay":
            return f'convert the text: {exc.name}: "to_number({expression})"'
        return exc.hint

    def _null_note(self, name: str, ctx: Any) -> str:
        """What the service's refusal of a whole message that found null is told: where the
        field is written, what found nothing, and the fix."""
        compiled, site = self._expression(name)
        at = Site(f"{self.where}.{name}", site.pos).at()
        if compiled is None or site.expression is None:
            return f"{at} is null; fix: give the {name}"
        exc = FieldError(self.where, name, "", None)
        parameter = _WHOLE_MESSAGE_PARAMETERS[name][0]
        return (
            f"{at}: `{site.expression}` found null, so the request has no {parameter}; fix: "
            f"{self._fix(exc, compiled, site.expression, ctx)}"
        )


def _text_on_the_way(tree: dict[str, Any], ctx: Any) -> str | None:
    """The longest start of the path `tree` that is a string in `ctx`, as written: `body`
    of `body.id` when the body is text, for which JMESPath finds null."""
    node = tree
    while node.get("type") in ("subexpression", "index_expression"):
        left = node["children"][0]
        try:
            found = _INTERPRETER.visit(left, ctx)
        except Exception:  # the start fails as the whole did: nothing more to say
            return None
        if isinstance(found, str):
            return _node_text(left)
        node = left
    return None


def _null_fix(expression: str) -> str:
    """The fix for an expression that found null in this input."""
    return (
        f"check the path against the input (docs/behaviors.md, JMESPath input), or add "
        f'when: "{expression}" to the item to skip inputs without it'
    )


class FieldError(BehaviorError):
    """An emission field whose value does not fit: `name` is the field (`delay`), `label`
    the part refused (`attributes.color`), `need` what it must be and `value` what it was.
    Its message says the value in JSON's words; an emission read from the behaviours file
    adds the expression that found it and where it is written (see `_EmitSpec.build`)."""

    def __init__(
        self,
        where: str,
        name: str,
        need: str,
        value: Any,
        hint: str | None = None,
        label: str | None = None,
    ) -> None:
        self.where = where
        self.name = name
        self.label = label or name
        self.need = need
        self.value = value
        super().__init__(f"{where}.{self.label}: {need}, not {json_kind(value)}", hint)


# The fields that are a whole request's payload and that the service needs: a null one is
# a request without it, which the service refuses (`put`'s content is optional: PutObject
# without a Body writes an empty object).
WHOLE_MESSAGE_FIELDS = {"send": "body", "notify": "message", "putRecord": "data"}
# Those fields' names in the service's API, and the service.
_WHOLE_MESSAGE_PARAMETERS = {
    "body": ("MessageBody", "SQS SendMessage"),
    "message": ("Message", "SNS Publish"),
    "data": ("Data", "Kinesis PutRecord"),
}


def _normalise(kind: str, values: dict[str, Any], where: str) -> dict[str, Any]:
    """Give evaluated emission fields the types the engine expects; BehaviorError otherwise.

    A null `send.body`, `notify.message` or `putRecord.data` stays None: the service refuses
    the request as it refuses one without that parameter (see WHOLE_MESSAGE_FIELDS)."""
    if kind == "send":
        delay = values.get("delay")
        if delay is not None:
            if (
                isinstance(delay, bool)
                or not isinstance(delay, (int, float))
                or (isinstance(delay, float) and not delay.is_integer())
            ):
                raise FieldError(
                    where,
                    "delay",
                    "must be whole seconds",
                    delay,
                    "a number of seconds: delay: 5 (a constant), or a JSON constant in "
                    'JMESPath: delay: "`5`"',
                )
            delay = int(delay)
            if not 0 <= delay <= MAX_SQS_DELAY_S:
                raise FieldError(
                    where,
                    "delay",
                    "must be 0..900 seconds",
                    delay,
                    "SQS delays a message by at most 900 seconds (15 minutes)",
                )
        return {
            "body": _message_text(values.get("body"), f"{where}.body"),
            "delay": delay,
            "group": _id_text(values.get("group"), where, "group"),
            "dedupId": _id_text(values.get("dedupId"), where, "dedupId"),
            "attributes": _attributes(values.get("attributes"), where),
        }
    if kind == "publish":
        source, detail_type, detail = (
            values.get("source"),
            values.get("detailType"),
            values.get("detail"),
        )
        for name, value in (("source", source), ("detailType", detail_type)):
            if not isinstance(value, str) or not value:
                raise FieldError(
                    where,
                    name,
                    "must be a non-empty string",
                    value,
                    "a constant string is a raw literal: \"'orders'\"",
                )
        if isinstance(detail, str):  # a JSON string holding an object is what the SDK sends
            with suppress(ValueError):
                detail = jsontext.loads(detail)
        if not isinstance(detail, dict):
            raise FieldError(
                where,
                "detail",
                "EventBridge needs a JSON object",
                values.get("detail"),
                "an object: detail: body, or one made of fields: detail: '{id: body.id}'",
            )
        _dumps(detail, f"{where}.detail")
        # Copies: the value may be (part of) the engine's own event or record.
        return {"source": source, "detailType": detail_type, "detail": copy.deepcopy(detail)}
    if kind == "notify":
        subject = values.get("subject")
        if subject is not None and not isinstance(subject, str):
            raise FieldError(where, "subject", "must be a string", subject)
        return {
            "message": _message_text(values.get("message"), f"{where}.message"),
            "subject": subject,
            "attributes": _attributes(values.get("attributes"), where),
        }
    if kind == "put":
        key = values.get("key")
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            key = str(key)
        if not isinstance(key, str) or not key:
            raise FieldError(where, "key", "must be a non-empty string", values.get("key"))
        content = values.get("content")
        # PutObject without a Body writes an empty object (the Body is optional).
        text = "" if content is None else _json_text(content, f"{where}.content")
        return {"key": key, "content": text}
    if kind == "putRecord":
        return {
            "data": _message_text(values.get("data"), f"{where}.data"),
            "partitionKey": _id_text(values.get("partitionKey"), where, "partitionKey"),
        }
    if kind in ("putItem", "deleteItem"):
        name = "item" if kind == "putItem" else "key"
        value = values.get(name)
        if not isinstance(value, dict):
            raise FieldError(
                where,
                name,
                "DynamoDB needs a JSON object",
                value,
                "write plain JSON, as DocumentClient takes it: {id: body.id, total: body.total}",
            )
        _dumps(value, f"{where}.{name}")
        return {name: from_plain_item(value)}
    if kind == "updateItem":
        return _update_fields(values, where)
    if kind == "startExecution":
        return _execution_fields(values, where)
    if kind in ("sendTaskSuccess", "sendTaskFailure", "sendTaskHeartbeat"):
        return _answer_fields(kind, values, where)
    payload = values.get("payload")
    _dumps(payload, f"{where}.payload")
    return {"payload": copy.deepcopy(payload)}


def _message_text(value: Any, where: str) -> str | None:
    """A whole message (a body, an SNS message, a record's data): as `_json_text`, but null
    stays None, a request without it, which the service refuses."""
    return None if value is None else _json_text(value, where)


def _update_fields(values: dict[str, Any], where: str) -> dict[str, Any]:
    """An updateItem's fields: the key and values marshalled, the expressions as text."""
    key = values.get("key")
    if not isinstance(key, dict):
        raise FieldError(
            where,
            "key",
            "DynamoDB needs a JSON object",
            key,
            "write plain JSON, as DocumentClient takes it: {id: body.id}",
        )
    _dumps(key, f"{where}.key")
    out: dict[str, Any] = {"key": from_plain_item(key)}
    for name in ("update", "condition"):
        text = values.get(name)
        if (text is not None or name == "update") and not isinstance(text, str):
            raise FieldError(
                where,
                name,
                "a DynamoDB expression is text",
                text,
                f"a constant expression is a JMESPath raw literal: {name}: \"'SET n = :n'\"",
            )
        out[name] = text
    names = values.get("names")
    if names is not None and (
        not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values())
    ):
        raise FieldError(
            where,
            "names",
            "ExpressionAttributeNames map placeholders to names",
            names,
            'e.g. names: {"#s": status}',
        )
    out["names"] = names
    given = values.get("values")
    if given is not None and not isinstance(given, dict):
        raise FieldError(
            where,
            "values",
            "ExpressionAttributeValues are a JSON object",
            given,
            'e.g. values: {":n": 1}',
        )
    if given is not None:
        _dumps(given, f"{where}.values")
    out["values"] = None if given is None else from_plain_item(given)
    return out


def _execution_fields(values: dict[str, Any], where: str) -> dict[str, Any]:
    """A startExecution's input as the JSON text StartExecution carries (a string is that
    text already, as the SDK sends it; read when the call is made) and its name."""
    given = values.get("input")
    text = "{}" if given is None else _json_text(given, f"{where}.input")
    name = values.get("name")
    if name is not None and not isinstance(name, str):
        raise FieldError(
            where,
            "name",
            "an execution's name is text",
            name,
            "a constant name is a JMESPath raw literal: name: \"'order-1'\"",
        )
    return {"input": text, "name": name}


def _answer_fields(kind: str, values: dict[str, Any], where: str) -> dict[str, Any]:
    """A callback worker's answer: the token (text, as the triggering message or payload
    carried it), and SendTaskSuccess's output as JSON text or SendTaskFailure's error and
    cause."""
    token = values.get("token")
    if not isinstance(token, str) or not token:
        raise FieldError(
            where,
            "token",
            "a task token is non-empty text",
            token,
            "read it from the input where the state machine put it, e.g. token: body.taskToken",
        )
    out: dict[str, Any] = {"token": token}
    if kind == "sendTaskSuccess":
        given = values.get("output")
        out["output"] = "{}" if given is None else _json_text(given, f"{where}.output")
    elif kind == "sendTaskFailure":
        for name in ("error", "cause"):
            text = values.get(name)
            if text is not None and not isinstance(text, str):
                raise FieldError(
                    where,
                    name,
                    "must be text",
                    text,
                    f"a constant is a JMESPath raw literal: {name}: \"'Rejected'\"",
                )
            out[name] = text
    return out


def _attributes(value: Any, where: str) -> dict[str, str | int | float] | None:
    """SQS message attributes: an object of names to strings or numbers (or absent)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FieldError(
            where, "attributes", "must be an object", value, "e.g. attributes: '{kind: body.kind}'"
        )
    for name, item in value.items():
        label = f"attributes.{name}"
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise FieldError(where, "attributes", "must be a string or a number", item, None, label)
        if isinstance(item, float) and not math.isfinite(item):
            raise BehaviorError(f"{where}.{label}: NaN and Infinity have no JSON form")
    return dict(value)


def _id_text(value: Any, where: str, name: str) -> str | None:
    """MessageGroupId / MessageDeduplicationId: text, a number written as text, or absent."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise FieldError(where, name, "must be a string", value)


class _Behavior:
    """One workload's compiled behaviour."""

    __slots__ = (
        "description",
        "dur_hi",
        "dur_lo",
        "emits",
        "fail_rules",
        "handler",
        "handler_ref",
        "memory_mb",
        "name",
        "partial",
        "rbif",
        "response",
        "response_is_expr",
        "response_site",
        "simple",
        "timeout_rule",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.dur_lo = DEFAULT_DURATION_MS
        self.dur_hi = DEFAULT_DURATION_MS
        self.fail_rules: list[_Rule] = []
        self.timeout_rule: _Rule | None = None
        self.partial: _Rule | None = None
        self.rbif = False
        self.emits: list[_EmitSpec] = []
        self.response: Any = None
        self.response_is_expr = False
        self.response_site: Site | str = f"{name}.response"
        self.handler: Callable[..., Any] | None = None
        self.handler_ref: str | None = None
        self.memory_mb: int | None = None
        self.description = ""
        # True when deciding needs neither the event nor a handler (the fast path).
        self.simple = True

    def finish(self) -> None:
        """Work out the fast-path flag once everything is read."""
        self.simple = (
            self.handler is None
            and not self.emits
            and self.partial is None
            and self.response is None
            and all(r.mode != "when" for r in self.fail_rules)
            and (self.timeout_rule is None or self.timeout_rule.mode != "when")
        )


_DEFAULT = _Behavior("")


# ---------------------------------------------------------------------------------------------
# Overrides

OverrideKind = Literal["fail", "succeed", "slow"]
FailMode = Literal["always", "next", "rate", "when"]
_OVERRIDE_FORMS = (
    "fail F [always] | fail F next N | fail F rate P | fail F when EXPR"
    " | succeed F | slow F DURATION"
)


@dataclass(eq=False)
class Override:
    """A runtime change to one workload's behaviour (the `fail`, `succeed`, `slow` commands).

    `decide` consumes `fail next N` (it decrements `count`); `used_up` tells when it is spent.
    """

    function: str
    kind: OverrideKind
    mode: FailMode | None = None
    count: int = 0
    total: int = 0
    rate: float = 0.0
    expression: str | None = None
    duration_ms: int | None = None
    compiled: Any = field(default=None, repr=False)

    @property
    def used_up(self) -> bool:
        """True once a `fail next N` has failed its N invocations."""
        return self.mode == "next" and self.count <= 0

    def command(self) -> str:
        """The command that recreates this override as it is now (for saved sessions)."""
        if self.kind == "succeed":
            return f"succeed {self.function}"
        if self.kind == "slow":
            return f"slow {self.function} {self.duration_ms}ms"
        if self.mode == "next":
            return f"fail {self.function} next {self.count}"
        if self.mode == "rate":
            return f"fail {self.function} rate {self.rate:g}"
        if self.mode == "when":
            return f"fail {self.function} when {self.expression}"
        return f"fail {self.function} always"

    def label(self) -> str:
        """The command as the user typed it (`fail worker next 3`, whatever is left of it)."""
        if self.mode == "next":
            return f"fail {self.function} next {self.total}"
        return self.command()

    def describe(self) -> str:
        """One line for the UI: `fail worker next 3 (2 left)`, `slow worker 2 s`."""
        if self.kind == "slow":
            return f"slow {self.function} {format_duration(self.duration_ms or 0)}"
        if self.mode == "next":
            left = "used up" if self.used_up else f"{self.count} left"
            return f"fail {self.function} next {self.total} ({left})"
        return self.command()

    def _fires(self, inp: InvocationInput, rng: random.Random, data: _Input) -> bool:
        mode = self.mode
        if mode == "next":
            if self.count <= 0:
                return False
            self.count -= 1
            return True
        if mode == "rate":
            if self.rate <= 0.0:
                return False
            return self.rate >= 1.0 or rng.random() < self.rate
        if mode == "when":
            where = f"override `{self.command()}`"
            return any(_truthy(_search(self.compiled, c, where)) for _, c in data.contexts())
        return True


def parse_override(words: list[str], typed: str | None = None) -> Override:
    """Parse an override command given as words, verb and function included.

    `["fail", "worker", "next", "3"]`, `["succeed", "worker"]`, `["slow", "worker", "2s"]`.
    Raises BehaviorError with a message and an example on anything else.

    `typed` is a `when` condition as it was typed, before the line was split into words:
    a condition typed without quotes that the split changed (`'poison'` became `poison`,
    a field name) is refused with the quoted line that means what was typed.
    """
    if not words:
        raise BehaviorError("empty override", f"forms: {_OVERRIDE_FORMS}")
    verb = words[0].lower()
    if verb not in ("fail", "succeed", "slow"):
        raise BehaviorError(
            f"unknown override {_quote(words[0])}; use fail, succeed or slow",
            f"forms: {_OVERRIDE_FORMS}",
        )
    examples = {"fail": "fail worker next 3", "succeed": "succeed worker", "slow": "slow worker 2s"}
    if len(words) < 2 or not words[1]:
        raise BehaviorError(f"{verb} needs a function name", f"e.g. `{examples[verb]}`")
    fn, rest = words[1], words[2:]
    if verb == "succeed":
        if rest:
            raise BehaviorError(
                f"succeed takes only a function name, not {_quote(' '.join(rest))}",
                f"e.g. `succeed {fn}`",
            )
        return Override(fn, "succeed")
    if verb == "slow":
        if not rest:
            raise BehaviorError("slow needs a duration", f"e.g. `slow {fn} 2s`")
        try:
            ms = parse_duration(" ".join(rest))
        except BehaviorError as exc:
            raise BehaviorError(f"slow: {exc}", exc.hint or f"e.g. `slow {fn} 2s`") from None
        return Override(fn, "slow", duration_ms=ms)
    if not rest:
        return Override(fn, "fail", "always")
    mode = rest[0].lower()
    args = rest[1:]
    if mode == "always":
        if args:
            raise BehaviorError(
                f"`fail {fn} always` takes nothing more, not {_quote(' '.join(args))}",
                f"e.g. `fail {fn} always`",
            )
        return Override(fn, "fail", "always")
    if mode == "next":
        if not args:
            raise BehaviorError(
                f"`fail {fn} next N` needs a count",
                f"write a whole number from 1 to {10**_MAX_COUNT_DIGITS - 1:,}",
            )
        if len(args) > 1:
            raise BehaviorError(
                f"`fail {fn} next N` takes one count, not {_quote(' '.join(args))}",
                f"e.g. `fail {fn} next {args[0]}`",
            )
        if not re.fullmatch(r"[0-9]+", args[0]):
            raise BehaviorError(f"next needs a whole number, e.g. `fail {fn} next 3`")
        if len(args[0].lstrip("0")) > _MAX_COUNT_DIGITS:
            raise BehaviorError(
                f"next needs a whole number of at most {10**_MAX_COUNT_DIGITS - 1:,}",
                f"e.g. `fail {fn} next 3`",
            )
        n = int(args[0])
        if n < 1:
            raise BehaviorError(f"next needs a whole number of at least 1, e.g. `fail {fn} next 3`")
        return Override(fn, "fail", "next", count=n, total=n)
    if mode == "rate":
        example = f"e.g. `fail {fn} rate 0.3` or `fail {fn} rate 30%`"
        if len(args) != 1:
            raise BehaviorError("rate needs one probability between 0 and 1", example)
        text = args[0]
        try:
            p = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise BehaviorError(f"rate needs a number, not {_quote(text)}", example) from None
        if not 0.0 <= p <= 1.0:
            raise BehaviorError(f"a probability is between 0 and 1, not {text}", example)
        return Override(fn, "fail", "rate", rate=p)
    if mode == "when":
        expression = " ".join(args).strip()
        example = f'fail {fn} when "{_CONDITION_EXAMPLE}"'
        if not expression:
            raise BehaviorError("when needs a JMESPath condition", f"e.g. {example}")
        if len(args) > 1:
            return _split_condition(fn, args, expression, typed)
        compiled = _compile(expression, example)
        return Override(fn, "fail", "when", expression=expression, compiled=compiled)
    guess = did_you_mean(mode, ("always", "next", "rate", "when"))
    raise BehaviorError(
        f"unknown fail form {_quote(rest[0])}" + (f"; did you mean {guess}?" if guess else ""),
        f"forms: fail {fn} [always] | next N | rate P | when EXPR",
    )


def _split_condition(fn: str, args: list[str], expression: str, typed: str | None) -> Override:
    """`fail FN when ...` whose condition was typed without quotes, so arrived as several
    words: taken as they read joined, unless the split lost quotes from what was typed.
    A refusal offers the whole line, the condition quoted as one word, when it knows one."""
    # Quotes counted, not words compared: quotes typed with backslashes (\'poison\') reach
    # the condition as they read, so the line already means what it says.
    if typed is not None and _quote_count(typed) != _quote_count(expression):
        typed = typed.strip()
        raise BehaviorError(
            "quote the whole condition: split into words, it loses its own quotes and reads "
            + _quote(expression),
            f"fail {fn} when {_one_word(_repaired(typed) or typed)}",
        )
    try:
        compiled = _compile(expression)
    except BehaviorError as exc:
        repaired = _repaired(expression)
        hint = (
            f"numbers are JSON constants in backticks: fail {fn} when {_one_word(repaired)}"
            if repaired
            else f'e.g. fail {fn} when "{_CONDITION_EXAMPLE}"; {_CONSTANTS_HINT}'
        )
        raise BehaviorError(str(exc), hint) from None
    return Override(fn, "fail", "when", expression=expression, compiled=compiled)


def _quote_count(text: str) -> int:
    """How many of JMESPath's quote characters (' " `) `text` holds."""
    return sum(text.count(q) for q in "'\"`")


def _one_word(text: str) -> str:
    """`text` as one word of a command line: in double quotes, as JMESPath's raw strings use
    single ones (a double quote or backslash inside is escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# A quoted part of a JMESPath expression (raw string, quoted name or JSON constant), left as
# it is, and a bare number beside a comparison, which JMESPath writes as `1000`.
_QUOTED_PART = re.compile(r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)""")
_NUMBER_COMPARED = re.compile(r"(==|!=|<=|>=|<|>)(\s*)(-?\d+(?:\.\d+)?)(?![\w.])")


def _repaired(expression: str) -> str | None:
    """`expression`, which does not parse, with each bare number compared with something
    written as a JSON constant (body.amount > 1000 becomes body.amount > `1000`), when that
    parses; else None."""
    if _parses(expression):
        return None
    parts = _QUOTED_PART.split(expression)
    for i in range(0, len(parts), 2):
        parts[i] = _NUMBER_COMPARED.sub(r"\1\2`\3`", parts[i])
    repaired = "".join(parts)
    return repaired if _parses(repaired) else None


def _parses(expression: str) -> bool:
    try:
        _compile(expression)
    except BehaviorError:
        return False
    return True


def add_override(overrides: list[Override], new: Override) -> None:
    """Add `new` to one function's override list, dropping what it replaces (and spent ones).

    `succeed` clears the list; `fail` replaces earlier `fail` and `succeed` overrides;
    `slow` replaces an earlier `slow`.
    """
    if new.kind == "succeed":
        overrides.clear()
    elif new.kind == "fail":
        overrides[:] = [o for o in overrides if o.kind == "slow"]
    else:
        overrides[:] = [o for o in overrides if o.kind != "slow" and not o.used_up]
    overrides.append(new)


# ---------------------------------------------------------------------------------------------
# Partial batch responses


def batch_item_failures(
    response: Any, message_ids: list[str]
) -> tuple[list[str] | None, str | None]:
    """Read a handler's SQS response by Lambda's ReportBatchItemFailures rules.

    Returns (failed ids, problem). (None, None): no partial response (complete success);
    ([], None): an empty list (complete success); (ids, None): those messages failed;
    (every id, reason): an invalid response, which fails the whole batch.
    """
    if not isinstance(response, dict) or "batchItemFailures" not in response:
        return None, None
    items = response["batchItemFailures"]
    if items is None:
        return [], None
    if not isinstance(items, list):
        return list(message_ids), "batchItemFailures is not a list"
    batch = set(message_ids)
    failed: list[str] = []
    for item in items:
        if not isinstance(item, dict):
            return list(message_ids), f"a batchItemFailures entry is not an object: {item!r}"
        ident = item.get("itemIdentifier")
        if ident is None or ident == "":
            return list(message_ids), "an itemIdentifier is missing, null or empty"
        if ident not in batch:
            return list(message_ids), f"itemIdentifier {ident!r} is not a message of this batch"
        if ident not in failed:
            failed.append(ident)
    return failed, None


# ---------------------------------------------------------------------------------------------
# Python handlers

_HANDLER_REF = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")


class HandlerContext:
    """The `context` a Python handler receives: Lambda's usual fields plus simulator hooks."""

    __slots__ = (
        "_behaviors",
        "_timeout_ms",
        "attempt",
        "aws_request_id",
        "denied",
        "emissions",
        "function_name",
        "function_version",
        "logs",
        "memory_limit_in_mb",
        "now_ms",
        "random",
        "slept_ms",
    )

    def __init__(
        self,
        behaviors: Behaviors,
        inp: InvocationInput,
        rng: random.Random,
        memory_mb: int | None,
    ) -> None:
        self._behaviors = behaviors
        self._timeout_ms = inp.timeout_ms
        self.function_name = inp.function
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = inp.request_id
        self.attempt = inp.attempt
        self.now_ms = inp.now_ms
        self.random = rng
        self.slept_ms = 0
        self.emissions: list[Emission] = []
        self.denied: list[tuple[Emission, str]] = []
        self.logs: list[str] = []

    @property
    def now(self) -> datetime:
        """The simulated time as a UTC datetime (at most the clock's last instant: an
        invocation started near the end of the clock's range can outrun it)."""
        return EPOCH + timedelta(milliseconds=min(self.now_ms, MAX_MS))

    def remaining_time_ms(self) -> int:
        """Milliseconds left before the timeout (a large number when there is none)."""
        if self._timeout_ms <= 0:
            return MAX_DURATION_MS
        return max(0, self._timeout_ms - self.slept_ms)

    def get_remaining_time_in_millis(self) -> int:
        """Lambda's spelling of `remaining_time_ms`."""
        return self.remaining_time_ms()

    def sleep(self, duration: int | float | str) -> None:
        """Spend simulated time: whole milliseconds, or a duration text such as `2s`."""
        if isinstance(duration, str):
            try:
                ms = parse_duration(duration)
            except BehaviorError as exc:
                raise BehaviorError(f"sleep: {exc}", exc.hint) from None
        elif isinstance(duration, int) and not isinstance(duration, bool):
            ms = duration
        elif isinstance(duration, float) and math.isfinite(duration) and duration.is_integer():
            ms = int(duration)
        else:
            raise BehaviorError(
                f"sleep needs whole milliseconds or a duration text, not {duration!r}",
                'e.g. context.sleep(500) or context.sleep("2s")',
            )
        if ms < 0:
            raise BehaviorError("sleep needs a duration of at least 0")
        if self.slept_ms + ms > MAX_DURATION_MS:
            raise BehaviorError("sleep: an invocation cannot sleep past the 3650-day limit")
        self.slept_ms += ms
        self.now_ms += ms

    def log(self, text: Any) -> None:
        """Add a line to the invocation's log."""
        self.logs.append(str(text))

    def send(
        self,
        queue: str,
        body: Any,
        delay: int | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        attributes: dict[str, str | int | float] | None = None,
    ) -> None:
        """SQS SendMessage (done when the invocation ends, if it succeeds)."""
        values = {
            "body": body,
            "delay": delay,
            "group": group,
            "dedupId": dedup_id,
            "attributes": attributes,
        }
        self._emit("send", queue, values)

    def publish(self, bus: str, source: str, detail_type: str, detail: Any) -> None:
        """EventBridge PutEvents with one entry (`bus` may be `default`)."""
        self._emit("publish", bus, {"source": source, "detailType": detail_type, "detail": detail})

    def notify(
        self,
        topic: str,
        message: Any,
        subject: str | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """SNS Publish; a message that is not text is sent as JSON."""
        self._emit(
            "notify", topic, {"message": message, "subject": subject, "attributes": attributes}
        )

    def put_object(self, bucket: str, key: str, content: Any) -> None:
        """S3 PutObject; content that is not text is written as JSON."""
        self._emit("put", bucket, {"key": key, "content": content})

    def invoke(self, function: str, payload: Any) -> None:
        """An asynchronous Lambda invoke."""
        self._emit("invoke", function, {"payload": payload})

    def put_record(self, stream: str, data: Any, partition_key: str | None = None) -> None:
        """Kinesis PutRecord; data that is not text is written as JSON."""
        self._emit("putRecord", stream, {"data": data, "partitionKey": partition_key})

    def put_item(self, table: str, item: dict[str, Any]) -> None:
        """DynamoDB PutItem of a plain JSON item (marshalled as DocumentClient does)."""
        self._emit("putItem", table, {"item": item})

    def delete_item(self, table: str, key: dict[str, Any]) -> None:
        """DynamoDB DeleteItem by a plain JSON key."""
        self._emit("deleteItem", table, {"key": key})

    def update_item(
        self,
        table: str,
        key: dict[str, Any],
        update: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        condition: str | None = None,
    ) -> None:
        """DynamoDB UpdateItem by a plain JSON key; `values` are plain JSON, marshalled."""
        fields = {"key": key, "update": update, "names": names, "values": values}
        self._emit("updateItem", table, {**fields, "condition": condition})

    def start_execution(
        self, state_machine: str, input: Any = None, name: str | None = None
    ) -> None:
        """Step Functions StartExecution: `input` is JSON text (as boto3 takes it) or any
        JSON value; `name` None gives a generated one."""
        self._emit("startExecution", state_machine, {"input": input, "name": name})

    def send_task_success(self, state_machine: str, task_token: str, output: Any = None) -> None:
        """Step Functions SendTaskSuccess for a task of `state_machine`: `output` is JSON
        text (as boto3 takes it) or any JSON value (None: `{}`)."""
        self._emit("sendTaskSuccess", state_machine, {"token": task_token, "output": output})

    def send_task_failure(
        self,
        state_machine: str,
        task_token: str,
        error: str | None = None,
        cause: str | None = None,
    ) -> None:
        """Step Functions SendTaskFailure for a task of `state_machine`."""
        fields = {"token": task_token, "error": error, "cause": cause}
        self._emit("sendTaskFailure", state_machine, fields)

    def send_task_heartbeat(self, state_machine: str, task_token: str) -> None:
        """Step Functions SendTaskHeartbeat for a task of `state_machine`."""
        self._emit("sendTaskHeartbeat", state_machine, {"token": task_token})

    def _emit(self, kind: EmissionKind, target: str, values: dict[str, Any]) -> None:
        self._behaviors._check_target(kind, target)
        fields = _normalise(kind, values, f"context.{kind}")
        denial = self._behaviors.permissions.check(
            self.function_name, kind, target, fields, self.aws_request_id
        )
        if denial is not None:
            # The SDK call throws in the handler, which may catch it; uncaught, it fails
            # the invocation as any exception does.
            self.denied.append((Emission(kind, target, fields), str(denial)))
            raise ClientError(denial)
        self.emissions.append(Emission(kind, target, fields))


# ---------------------------------------------------------------------------------------------
# Reading the behaviours file

FUNCTION_KEYS = (
    "duration",
    "fail",
    "timeout",
    "partial",
    "reportBatchItemFailures",
    "emit",
    "response",
    "handler",
)
_RULE_FORMS = ("rate", "first", "always", "when")
_EMIT_FIELDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # kind: (target key, required fields, optional fields)
    "send": ("queue", ("body",), ("delay", "group", "dedupId", "attributes")),
    "publish": ("bus", ("source", "detailType", "detail"), ()),
    "notify": ("topic", ("message",), ("subject", "attributes")),
    "put": ("bucket", ("key", "content"), ()),
    "invoke": ("function", ("payload",), ()),
    "putRecord": ("stream", ("data",), ("partitionKey",)),
    "putItem": ("table", ("item",), ()),
    "deleteItem": ("table", ("key",), ()),
    "updateItem": ("table", ("key", "update"), ("names", "values", "condition")),
    "startExecution": ("stateMachine", (), ("input", "name")),
    "sendTaskSuccess": ("stateMachine", ("token",), ("output",)),
    "sendTaskFailure": ("stateMachine", ("token",), ("error", "cause")),
    "sendTaskHeartbeat": ("stateMachine", ("token",), ()),
}


def _path_text(path: DataPath) -> str:
    """`fail[0].when` for ("fail", 0, "when"): how messages name a place in an entry."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# Valid stand-ins for the other fields when a constant field is checked at load time.
_PLACEHOLDERS: dict[str, Any] = {
    "body": "",
    "source": "s",
    "detailType": "d",
    "detail": {},
    "key": "k",
    "content": "",
    "payload": None,
    "data": "",
    "item": {},
    "update": "",
    "token": "t",
}
# Where a field of one emission has another's name: updateItem's key is an object.
_KIND_PLACEHOLDERS: dict[str, dict[str, Any]] = {"updateItem": {"key": {}}}


def _file_hint(exc: BehaviorError | DynamoDBError) -> str | None:
    """The hint of a refused updateItem, said in the behaviours file's terms: DynamoDB's
    own hints name the `update-item` command's options and DynamoDB JSON, but an emission
    gives `names` and `values`, the latter plain JSON."""
    undefined = re.search(r"not defined; attribute (name|value): (\S+)", str(exc))
    if undefined is not None:
        kind, placeholder = undefined.groups()
        if kind == "value":
            return f'add it to values, in plain JSON: values: {{"{placeholder}": 1}}'
        return f'add it to names: names: {{"{placeholder}": attributeName}}'
    if exc.hint is not None and "--" in exc.hint:
        return "see docs/behaviors.md, Updating items"
    return exc.hint


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Reader:
    """Turns the parsed sidecar into compiled behaviours plus diagnostics."""

    def __init__(self, loaded: LoadedYaml, stack: Stack, allow_code: bool, base_dir: Path) -> None:
        self.y = loaded
        self.stack = stack
        self.allow_code = allow_code
        self.base_dir = base_dir
        # The modules the handlers are imported into: made at the first handler.
        self.handler_modules: _HandlerModules | None = None
        self.diags: list[Diagnostic] = list(loaded.diagnostics)
        self.skipped: list[tuple[str, str]] = []
        self.fn = ""

    # -- diagnostics

    def report(
        self,
        path: DataPath,
        code: str,
        message: str,
        *,
        key: bool = False,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> None:
        self.diags.append(
            Diagnostic.at(
                self.y.pos(path, key=key),
                severity,
                code,
                message,
                resource=self.fn or None,
                hint=hint,
            )
        )

    def unknown_keys(self, data: dict[str, Any], path: DataPath, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for k in data:
            if k not in allowed:
                guess = did_you_mean(k, allowed)
                self.report(
                    (*path, k),
                    "behavior-unknown-key",
                    f"unknown key {k!r}" + (f"; did you mean {guess!r}?" if guess else ""),
                    key=True,
                    hint=f"allowed here: {', '.join(allowed)}",
                )

    def compile(self, text: Any, path: DataPath, *, condition: bool = False) -> Any:
        """Compile a JMESPath string at `path` (a `when:` key when `condition`); None (with a
        diagnostic) when it is invalid."""
        if not isinstance(text, str):
            self.report(path, "behavior-bad-value", "a JMESPath expression must be a string")
            return None
        try:
            compiled = _compile(text, f'when: "{_CONDITION_EXAMPLE}"' if condition else None)
        except BehaviorError as exc:
            self.report(path, "behavior-bad-jmespath", str(exc), hint=exc.hint)
            return None
        quoted = quoted_text_warning(text)
        if quoted is not None:
            self.report(path, "behavior-quoted-text", quoted[0], hint=quoted[1], severity="warning")
        return compiled

    # -- the file

    def read(self) -> dict[str, _Behavior]:
        data = self.y.data
        out: dict[str, _Behavior] = {}
        if data is None:
            return out
        if not isinstance(data, dict):
            self.report((), "behavior-bad-file", "the behaviours file must be a mapping")
            return out
        self.unknown_keys(data, (), ("behaviors",))
        entries = data.get("behaviors")
        if entries is None:
            return out
        if not isinstance(entries, dict):
            self.report(
                ("behaviors",),
                "behavior-bad-file",
                "`behaviors` must map function and batch-job names to their behaviour",
            )
            return out
        workloads = {w.name: w for w in self.stack.workloads}
        for name, spec in entries.items():
            self.fn = name
            path: DataPath = ("behaviors", name)
            resource = self.stack.resources.get(name)
            if resource is None:
                guess = did_you_mean(name, workloads)
                self.report(
                    path,
                    "behavior-unknown-function",
                    f"no function or batch job named {name!r} in the stack"
                    + (f"; did you mean {guess!r}?" if guess else ""),
                    key=True,
                    hint=f"workloads: {', '.join(workloads) or '(none)'}",
                )
                continue
            if not isinstance(resource, Workload):
                self.report(
                    path,
                    "behavior-not-a-workload",
                    f"{name!r} is {with_article(resource.type)}; behaviours describe functions "
                    "and batch jobs",
                    key=True,
                )
                continue
            out[name] = self.entry(resource, spec, path)
        self.fn = ""
        return out

    def entry(self, workload: Workload, spec: Any, path: DataPath) -> _Behavior:
        b = _Behavior(workload.name)
        b.memory_mb = getattr(workload, "memory_mb", None)
        if spec is None:
            b.description = _describe(b, None)
            return b
        if not isinstance(spec, dict):
            self.report(path, "behavior-bad-value", "a behaviour must be a mapping of keys")
            b.description = _describe(b, None)
            return b
        self.unknown_keys(spec, path, FUNCTION_KEYS)
        if "duration" in spec:
            self.duration(b, spec["duration"], (*path, "duration"), workload)
        if "fail" in spec:
            self.fail(b, spec["fail"], (*path, "fail"))
        if "timeout" in spec:
            b.timeout_rule = self.timeout(spec["timeout"], (*path, "timeout"))
        if "reportBatchItemFailures" in spec:
            value = spec["reportBatchItemFailures"]
            if isinstance(value, bool):
                b.rbif = value
                no_sqs = not _has_record_batches(workload)
                if value and no_sqs and "partial" not in spec:  # `partial` warns on its own
                    self.report(
                        (*path, "reportBatchItemFailures"),
                        "behavior-rbif-not-sqs",
                        f"{workload.name} has no sqs event: reportBatchItemFailures applies "
                        "only to an SQS, Kinesis or DynamoDB event source mapping, so it changes "
                        "nothing here",
                        severity="warning",
                        hint="remove it, or add the `sqs` event it is meant for",
                    )
            else:
                self.report(
                    (*path, "reportBatchItemFailures"),
                    "behavior-bad-value",
                    "reportBatchItemFailures must be true or false",
                )
        if "partial" in spec:
            self.partial(b, spec["partial"], (*path, "partial"), workload)
        if "emit" in spec:
            self.emit(b, spec["emit"], (*path, "emit"))
        if "response" in spec:
            self.response(b, spec["response"], (*path, "response"))
        skipped_reason = None
        if "handler" in spec:
            skipped_reason = self.handler(b, spec["handler"], (*path, "handler"))
        b.finish()
        unit = "attempt" if isinstance(workload, BatchJob) else "invocation"
        b.description = _describe(b, skipped_reason, unit)
        return b

    # -- keys

    def duration(self, b: _Behavior, value: Any, path: DataPath, workload: Workload) -> None:
        if isinstance(value, dict):
            self.unknown_keys(value, path, ("min", "max"))
            lo = self.one_duration(value.get("min"), (*path, "min"), required="min")
            hi = self.one_duration(value.get("max"), (*path, "max"), required="max")
            if lo is None or hi is None:
                return
            if lo > hi:
                self.report(
                    path,
                    "behavior-bad-duration",
                    f"min ({format_duration(lo)}) is more than max ({format_duration(hi)})",
                )
                return
            b.dur_lo, b.dur_hi = lo, hi
        else:
            ms = self.one_duration(value, path)
            if ms is None:
                return
            b.dur_lo = b.dur_hi = ms
        timeout_s = getattr(workload, "timeout_s", None)
        if timeout_s and b.dur_lo > timeout_s * 1000:
            self.report(
                path,
                "behavior-duration-over-timeout",
                f"{format_duration(b.dur_lo)} is longer than {workload.name}'s timeout of "
                f"{timeout_s} s: every invocation times out",
                severity="warning",
                hint="lower the duration, or raise the function's `timeout`",
            )

    def one_duration(self, value: Any, path: DataPath, required: str | None = None) -> int | None:
        if value is None and required:
            self.report(path, "behavior-bad-duration", f"the range needs `{required}`")
            return None
        if _is_number(value):
            if value == 0:
                return 0
            self.report(
                path,
                "behavior-bad-duration",
                f"the duration {value} has no unit",
                hint=f"write {value}ms or {value}s",
            )
            return None
        try:
            return parse_duration(value)
        except BehaviorError as exc:
            self.report(path, "behavior-bad-duration", f"bad duration: {exc}", hint=exc.hint)
            return None

    def rule(
        self,
        value: Any,
        path: DataPath,
        what: str,
        extra: tuple[str, ...] = (),
        allowed: tuple[str, ...] = _RULE_FORMS,
    ) -> _Rule | None:
        """A mapping with exactly one of `allowed` (rate / first / always / when) + `extra`."""
        if not isinstance(value, dict):
            self.report(
                path,
                "behavior-bad-value",
                f"a {what} rule is a mapping with one of {', '.join(allowed)}",
                hint=f"e.g. {what}: {{rate: 0.3}}",
            )
            return None
        self.unknown_keys(value, path, (*allowed, *extra))
        forms = [k for k in allowed if k in value]
        if len(forms) != 1:
            if forms:
                msg = (
                    f"a {what} rule takes one of {', '.join(allowed)}, "
                    f"not both {forms[0]} and {forms[1]}"
                )
                hint = f"write a list of rules to combine them: {what}: [{{...}}, {{...}}]"
                if what != "fail":
                    hint = f"keep one of {', '.join(forms)}"
            else:
                msg = f"a {what} rule needs one of {', '.join(allowed)}"
                hint = f"e.g. {what}: {{{allowed[0]}: ...}}"
            self.report(path, "behavior-bad-rule", msg, hint=hint)
            return None
        form = forms[0]
        raw = value[form]
        fpath = (*path, form)
        rule = _Rule(form, Site(f"{self.fn}.{_path_text(fpath[2:])}", self.y.pos(fpath), None))
        if form == "rate":
            if not _is_number(raw) or not 0.0 <= raw <= 1.0:
                self.report(
                    fpath,
                    "behavior-bad-probability",
                    f"rate is a probability between 0 and 1, not {raw!r}",
                    hint="e.g. rate: 0.3 for 30%",
                )
                return None
            rule.rate = float(raw)
        elif form == "first":
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                self.report(
                    fpath,
                    "behavior-bad-value",
                    f"first needs a whole number of invocations, not {raw!r}",
                    hint="e.g. first: 2",
                )
                return None
            rule.count = raw
        elif form == "always":
            if not isinstance(raw, bool):
                self.report(fpath, "behavior-bad-value", "always must be true or false")
                return None
            rule.mode = "always" if raw else "never"
        else:
            compiled = self.compile(raw, fpath, condition=True)
            if compiled is None:
                return None
            rule.expr, rule.expression = compiled, raw
            rule.where = Site(rule.where.where, rule.where.pos, raw)
        return rule

    def fail(self, b: _Behavior, value: Any, path: DataPath) -> None:
        if value is True or value is False:
            if value:
                b.fail_rules.append(_Rule("always", Site(f"{self.fn}.fail", self.y.pos(path))))
            return
        if value is None:
            return
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            ipath = (*path, i) if isinstance(value, list) else path
            rule = self.rule(item, ipath, "fail", ("error", "message"))
            if rule is None:
                continue
            for key in ("error", "message"):
                text = item.get(key)
                if text is None:
                    continue
                if not isinstance(text, str) or (key == "error" and not text):
                    self.report(
                        (*ipath, key), "behavior-bad-value", f"{key} must be a non-empty string"
                    )
                    continue
                if key == "error":
                    rule.error_type = text
                else:
                    rule.message = text
            b.fail_rules.append(rule)

    def timeout(self, value: Any, path: DataPath) -> _Rule | None:
        if value is True:
            return _Rule("always", Site(f"{self.fn}.timeout", self.y.pos(path)))
        if value is False or value is None:
            return None
        return self.rule(value, path, "timeout")

    def partial(self, b: _Behavior, value: Any, path: DataPath, workload: Workload) -> None:
        if not isinstance(value, dict):
            self.report(
                path, "behavior-bad-value", "partial is a mapping with `when: EXPR` or `rate: P`"
            )
            return
        rule = self.rule(value, path, "partial", allowed=("when", "rate"))
        if rule is None:
            return
        b.partial = rule
        if not _has_record_batches(workload):
            self.report(
                path,
                "behavior-partial-not-sqs",
                f"{workload.name} has no sqs event: partial applies only to SQS, Kinesis and "
                "DynamoDB stream batches",
                severity="warning",
            )
        if not b.rbif:
            self.report(
                path,
                "behavior-partial-ignored",
                "the batchItemFailures response is ignored: Stacktape does not enable "
                "ReportBatchItemFailures, so Lambda deletes the whole batch",
                severity="warning",
                hint="add `reportBatchItemFailures: true` to simulate a stack that enables it",
            )

    def emit(self, b: _Behavior, value: Any, path: DataPath) -> None:
        if not isinstance(value, list):
            self.report(
                path,
                "behavior-bad-value",
                "emit is a list of send / publish / notify / put / invoke / putRecord / putItem / "
                "deleteItem / updateItem / startExecution / sendTaskSuccess / sendTaskFailure "
                "/ sendTaskHeartbeat items",
                hint='emit:\n      - send: {queue: myQueue, body: "body"}',
            )
            return
        for i, item in enumerate(value):
            ipath = (*path, i)
            if not isinstance(item, dict) or len(item) != 1:
                hint = None
                if isinstance(item, dict) and "when" in item:
                    hint = "put `when` inside the item: - send: {queue: q, body: body, when: EXPR}"
                self.report(
                    ipath,
                    "behavior-bad-value",
                    "each emit item has exactly one key: send, publish, notify, put, invoke, "
                    "putRecord, putItem, deleteItem, updateItem, startExecution, "
                    "sendTaskSuccess, sendTaskFailure or sendTaskHeartbeat",
                    hint=hint,
                )
                continue
            kind, fields = next(iter(item.items()))
            if kind not in _EMIT_FIELDS:
                guess = did_you_mean(kind, _EMIT_FIELDS)
                self.report(
                    (*ipath, kind),
                    "behavior-unknown-key",
                    f"unknown emission {kind!r}" + (f"; did you mean {guess!r}?" if guess else ""),
                    key=True,
                    hint="emissions: " + ", ".join(_EMIT_FIELDS),
                )
                continue
            spec = self.emission(kind, fields, (*ipath, kind), f"{self.fn}.emit[{i}].{kind}")
            if spec is not None:
                b.emits.append(spec)

    def emission(self, kind: str, fields: Any, path: DataPath, where: str) -> _EmitSpec | None:
        target_key, required, optional = _EMIT_FIELDS[kind]
        if not isinstance(fields, dict):
            self.report(
                path, "behavior-bad-value", f"{kind} needs a mapping with {target_key} and fields"
            )
            return None
        self.unknown_keys(fields, path, (target_key, *required, *optional, "when"))
        ok = True
        for name in (target_key, *required):
            if name not in fields:
                self.report(path, "behavior-missing-key", f"{kind} needs `{name}`")
                ok = False
        target = fields.get(target_key)
        if target is not None and not self.check_target_decl(kind, target, (*path, target_key)):
            ok = False
        spec = _EmitSpec(
            kind,  # type: ignore[arg-type]
            target if isinstance(target, str) else "",
            where,
            self.y.pos((*path, target_key)),
        )
        spec.origin = f"{self.y.pos(path, key=True)}: {where}"
        for name in (*required, *optional):
            if name not in fields:
                continue
            raw = fields[name]
            if isinstance(raw, str):
                compiled = self.compile(raw, (*path, name))
                if compiled is None:
                    ok = False
                    continue
                spec.fields.append((name, compiled, True))
                spec.sites[name] = Site(f"{where}.{name}", self.y.pos((*path, name)), raw)
                # A literal (`'5'`, `` `[1]` ``) gives the same value at every invocation:
                # check it now, as a YAML constant is checked.
                tree = compiled.parsed
                if tree.get("type") == "literal" and not self.check_constant(
                    kind, name, tree.get("value"), path, where
                ):
                    ok = False
                if kind == "updateItem" and not self.check_expression(name, compiled, path):
                    ok = False
                if kind == "startExecution" and not self.check_execution_name(name, compiled, path):
                    ok = False
            else:
                if not self.check_constant(kind, name, raw, path, where):
                    ok = False
                    continue
                spec.fields.append((name, raw, False))
        if "when" in fields:
            compiled = self.compile(fields["when"], (*path, "when"), condition=True)
            if compiled is None:
                ok = False
            spec.when = compiled
            spec.when_site = Site(f"{where}.when", self.y.pos((*path, "when")), fields["when"])
        if ok and kind == "send":
            self.check_fifo(target, fields, path)
        if ok and kind == "updateItem" and not self.check_update_request(spec, path):
            ok = False
        return spec if ok else None

    def check_update_request(self, spec: _EmitSpec, path: DataPath) -> bool:
        """An updateItem whose expressions and placeholders are all known when the file
        loads (constants, literals or absent) is checked as DynamoDB checks the request:
        a placeholder used but not given, or given but not used, or a key attribute
        updated, is refused whatever the input, so it is an error at `update` now."""
        known: dict[str, Any] = {"key": {}}
        for name, value, is_expr in spec.fields:
            if name == "key":
                continue
            if is_expr:
                if value.parsed.get("type") != "literal":
                    return True  # depends on the input: checked when the emission runs
                value = value.parsed.get("value")
            known[name] = value
        # Imported here, as for the emission itself: most behaviours files have no updateItem.
        from stptui.sim import ddb_expressions
        from stptui.sim.services.table import key_schema  # the config layer's view of keys

        table = self.stack.resources.get(spec.target)
        try:
            fields = _update_fields(known, spec.where)
            ddb_expressions.prepare(
                update=fields["update"],
                condition=fields["condition"],
                names=fields["names"],
                values=fields["values"],
                key_names=tuple(n for n, _ in (key_schema(table) if table else None) or ()),
                null_text="UpdateExpression and ConditionExpression are null",
            )
        except (BehaviorError, DynamoDBError) as exc:
            self.report((*path, "update"), "behavior-bad-value", str(exc), hint=_file_hint(exc))
            return False
        return True

    def check_constant(self, kind: str, name: str, value: Any, path: DataPath, where: str) -> bool:
        """A field whose value is known when the file loads (a constant, or a JMESPath
        literal) is checked now rather than at every invocation: False after reporting it."""
        placeholders = {**_PLACEHOLDERS, **_KIND_PLACEHOLDERS.get(kind, {})}
        if value is None and WHOLE_MESSAGE_FIELDS.get(kind) == name:
            parameter, service = _WHOLE_MESSAGE_PARAMETERS[name]
            self.report(
                (*path, name),
                "behavior-bad-value",
                f"{where}.{name} is null: {service} refuses a request without its {parameter}",
                hint=f"give the {name}, e.g. {name}: body (the input's body) or {name}: \"'done'\"",
            )
            return False
        try:
            _normalise(kind, {**placeholders, name: value}, where)
        except BehaviorError as exc:
            self.report((*path, name), "behavior-bad-value", str(exc), hint=exc.hint)
            return False
        return True

    def check_expression(self, name: str, compiled: Any, path: DataPath) -> bool:
        """An updateItem's `update` or `condition` written as a constant (a raw literal) is
        parsed now, so that its syntax errors and reserved words show with their place."""
        tree = compiled.parsed
        text = tree.get("value")
        if name not in ("update", "condition") or tree.get("type") != "literal":
            return True
        if not isinstance(text, str):
            return True  # _normalise refuses it when the emission runs
        # Lazily: the expression grammar is a large module that only a sidecar writing
        # updateItem expressions needs, and every REPL start reads behaviours.
        from stptui.sim import ddb_expressions

        parse = (
            ddb_expressions.parse_update if name == "update" else ddb_expressions.parse_condition
        )
        try:
            found = parse(text)
        except DynamoDBError as exc:
            self.report((*path, name), "behavior-bad-value", str(exc), hint=exc.hint)
            return False
        reserved = [w for w in found.bare if w.upper() in ddb_expressions.RESERVED_WORDS]
        if reserved:
            word = reserved[0]
            self.report(
                (*path, name),
                "behavior-bad-value",
                f"{word} is a DynamoDB reserved word: DynamoDB refuses the expression",
                hint=f"write #{word} and add names: {{'#{word}': {word}}}",
            )
            return False
        return True

    def check_execution_name(self, name: str, compiled: Any, path: DataPath) -> bool:
        """A startExecution's `name` written as a constant (a raw literal) is checked now
        against StartExecution's name rules, rather than refused at every call."""
        # Lazily: `validate` reads behaviours without a simulator, and only a sidecar that
        # starts executions needs the state machine service's rules.
        from stptui.sim.services.state_machine import ExecutionError, check_execution_name

        tree = compiled.parsed
        text = tree.get("value")
        if name != "name" or tree.get("type") != "literal" or not isinstance(text, str):
            return True
        try:
            check_execution_name(text)
        except ExecutionError as exc:
            self.report((*path, name), "behavior-bad-value", str(exc), hint=exc.hint)
            return False
        return True

    def check_target_decl(self, kind: str, target: Any, path: DataPath) -> bool:
        wanted = EMISSION_TARGET_TYPES[kind]
        if not isinstance(target, str) or not target:
            self.report(
                path, "behavior-bad-value", f"the target must be {with_article(wanted)} name"
            )
            return False
        if kind == "publish" and target == DEFAULT_BUS:
            return True
        resource = self.stack.resources.get(target)
        if resource is None:
            pool = [r.name for r in self.stack.resources.values() if r.type == wanted]
            if kind == "publish":
                pool.append(DEFAULT_BUS)
            guess = did_you_mean(target, pool)
            self.report(
                path,
                "behavior-unknown-target",
                f"no {wanted} named {target!r} in the stack"
                + (f"; did you mean {guess!r}?" if guess else ""),
                hint=f"{wanted}s: {', '.join(pool) or '(none)'}",
            )
            return False
        if resource.type != wanted:
            self.report(
                path,
                "behavior-wrong-target-type",
                f"{target!r} is {with_article(resource.type)}; {kind} needs {with_article(wanted)}",
            )
            return False
        return True

    def check_fifo(self, target: str, fields: dict[str, Any], path: DataPath) -> None:
        queue = self.stack.resources.get(target)
        if not isinstance(queue, Queue) or not queue.fifo:
            return
        if "group" not in fields:
            self.report(
                path,
                "behavior-fifo-group",
                f"{target} is a FIFO queue: send needs `group` (the MessageGroupId)",
                hint='e.g. group: "body.customerId"',
            )
        if "dedupId" not in fields and not queue.content_based_dedup:
            self.report(
                path,
                "behavior-fifo-dedup",
                f"{target} is a FIFO queue without content-based deduplication: send needs "
                "`dedupId` (AWS rejects the message otherwise)",
                hint='add dedupId: "record.messageId", or enable contentBasedDeduplication',
            )

    def response(self, b: _Behavior, value: Any, path: DataPath) -> None:
        if b.partial is not None:
            self.report(
                path,
                "behavior-response-ignored",
                "response is not used with partial: the handler returns the batchItemFailures",
                severity="warning",
            )
            return
        if isinstance(value, str):
            compiled = self.compile(value, path)
            if compiled is not None:
                b.response, b.response_is_expr = compiled, True
                b.response_site = Site(f"{self.fn}.response", self.y.pos(path), value)
        else:
            try:  # a constant: check it now rather than at every invocation
                _dumps(value, f"{self.fn}.response")
            except BehaviorError as exc:
                self.report(path, "behavior-bad-value", str(exc))
                return
            b.response, b.response_is_expr = value, False

    def handler(self, b: _Behavior, ref: Any, path: DataPath) -> str | None:
        """Import the handler; the reason it was skipped, or None when it loaded."""
        if not isinstance(ref, str) or not _HANDLER_REF.fullmatch(ref):
            self.report(
                path,
                "behavior-bad-handler",
                f"handler must be module:function, not {ref!r}",
                hint="e.g. handler: handlers:process_order (handlers.py next to stptui.yml)",
            )
            return None
        b.handler_ref = ref
        if not self.allow_code:
            reason = (
                f"handler {ref} skipped: Python handlers run only with --allow-code; "
                "the declared behaviour is used instead"
            )
            self.report(path, "behavior-handler-skipped", reason, severity="warning")
            self.skipped.append((self.fn, reason))
            return "needs --allow-code"
        if self.handler_modules is None:
            self.handler_modules = _HandlerModules(self.base_dir)
            self.handler_modules.begin()
        try:
            b.handler = self.handler_modules.import_handler(ref)
        except BehaviorError as exc:
            self.report(path, "behavior-handler-import", str(exc), hint=exc.hint)
            self.skipped.append((self.fn, str(exc)))
            return "cannot be imported"
        return None


# This package's top-level name: a stack at the root of a checkout of stptui has the package
# in its folder, and it is never a handler module.
_OWN_PACKAGE = __name__.partition(".")[0]


def _loaded_from(module: ModuleType, base: Path) -> bool:
    """Whether `module` was found with `base` as its sys.path entry: module `a.b` is
    base/a/b.py (or .pyc, .so...), package `a.b` is base/a/b/__init__.py, namespace package
    `a.b` is the folder base/a/b. A site-packages folder inside `base` does not qualify:
    `yaml` from base/.venv/lib/.../yaml is not base/yaml."""
    try:  # sys.modules may hold odd objects (None, lazy modules, class instances)
        spec = module.__spec__
        name, origin = spec.name, spec.origin if spec.has_location else None
        locations = spec.submodule_search_locations
    except Exception:
        return False
    if not isinstance(name, str) or name.partition(".")[0] == _OWN_PACKAGE:
        return False
    prefix = os.path.join(base, "")
    where = base.joinpath(*name.split("."))
    if isinstance(origin, str):
        if not origin.startswith(prefix):  # the common case, decided without a Path
            return False
        found = Path(origin)
        if locations is not None:  # a package: its __init__ file
            return found.parent == where
        return found.parent == where.parent and found.name.split(".")[0] == where.name
    try:
        return any(isinstance(p, str) and Path(p) == where for p in locations or ())
    except TypeError:  # not a list of folders after all
        return False


# The _HandlerModules whose modules sys.modules holds now (see _HandlerModules.activate).
_ACTIVE: _HandlerModules | None = None


class _HandlerModules:
    """The modules one behaviours file's Python handlers run with, loaded from `base`.

    A handler keeps state in module globals (its own module's and its helpers'), and
    `import` takes a module from sys.modules before looking on disk. So every Behaviors
    (every session) imports its handlers from modules loaded afresh, and keeps them: while
    one of its handlers runs, sys.modules holds its own modules, so a handler that imports a
    helper as it runs gets the one its module imported, never another session's. Modules
    from anywhere else (the standard library, installed packages, stptui) are imported once
    per process, as usual.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.modules: dict[str, ModuleType] = {}

    def begin(self) -> None:
        """Take sys.modules over with no module from `base` in it, before the first import."""
        global _ACTIVE
        if _ACTIVE is not None:
            _ACTIVE.withdraw()
        for name, module in list(sys.modules.items()):
            if _loaded_from(module, self.base):
                del sys.modules[name]
        _ACTIVE = self

    def import_handler(self, ref: str) -> Callable[..., Any]:
        """Import `module:function` with `base` first on sys.path; BehaviorError on failure.

        A module that an earlier handler of this file imported is reused, not reloaded."""
        module_name, attr = ref.split(":")
        base = str(self.base)
        top = module_name.split(".")[0]
        rename = "rename the handler module (e.g. handlers.py) and its `handler:` entry"
        if top in sys.stdlib_module_names:
            raise BehaviorError(
                f"handler module {top!r} has the name of a Python standard-library module", rename
            )
        if top in sys.modules and top not in self.modules:
            # Replacing a module the process already uses (yaml, stptui...) would break it.
            raise BehaviorError(
                f"handler module {top!r} has the name of an installed module", rename
            )
        sys.path.insert(0, base)
        importlib.invalidate_caches()
        try:
            module = importlib.import_module(module_name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit, or the module's own BaseException subclass
            raise BehaviorError(
                f"cannot import handler module {module_name!r} from {base}: "
                f"{type(exc).__name__}: {exc}",
                f"the module is imported relative to {base}",
            ) from None
        finally:
            with suppress(ValueError):  # the module may have removed it itself
                sys.path.remove(base)
            self.collect()
        fn = getattr(module, attr, None)
        if fn is None:
            raise BehaviorError(f"module {module_name!r} has no {attr!r} (handler {ref})")
        if not callable(fn):
            raise BehaviorError(f"{ref} is not a function")
        return fn  # type: ignore[no-any-return]

    def collect(self) -> None:
        """Claim the modules from `base` that sys.modules holds: what the handlers imported."""
        for name, module in list(sys.modules.items()):
            if name not in self.modules and _loaded_from(module, self.base):
                self.modules[name] = module

    def activate(self) -> None:
        """Put these modules (back) in sys.modules before one of the handlers runs."""
        global _ACTIVE
        if _ACTIVE is self:
            return
        if _ACTIVE is not None:
            _ACTIVE.withdraw()
        sys.modules.update(self.modules)
        _ACTIVE = self

    def withdraw(self) -> None:
        """Take these modules out of sys.modules (another Behaviors' handlers run next),
        with those the handlers imported as they ran."""
        self.collect()
        for name, module in self.modules.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _describe(b: _Behavior, skipped: str | None, unit: str = "invocation") -> str:
    """The one-line summary `describe` returns, built once at load time; `unit` is what one
    run of the workload is called (`attempt` for a batch job)."""
    if b.dur_lo == b.dur_hi:
        parts = [format_duration(b.dur_lo)]
    else:
        parts = [f"{format_duration(b.dur_lo)} to {format_duration(b.dur_hi)}"]
    if b.handler_ref:
        if b.handler is not None:
            parts.append(f"Python handler {b.handler_ref}")
        else:
            parts.append(f"handler {b.handler_ref} skipped ({skipped})")
    if b.timeout_rule is not None:
        parts.append(b.timeout_rule.describe("times out", unit=unit))
    if b.handler is None:
        for rule in b.fail_rules:
            parts.append(rule.describe("fails", f" ({rule.error_type})", unit))
        if b.partial is not None:
            if b.partial.mode == "rate":
                text = f"reports each record failed with probability {b.partial.rate:g}"
            else:
                text = f"reports records where {b.partial.expression} as failed items"
            if not b.rbif:
                text += " (ignored: reportBatchItemFailures is off)"
            parts.append(text)
        if not b.fail_rules and b.timeout_rule is None and b.partial is None:
            parts.append("always succeeds")
        if b.emits:
            parts.append("emits " + ", ".join(f"{e.kind}->{e.target}" for e in b.emits))
        if b.response is not None:
            parts.append("returns a declared response")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------
# The engine's entry point


def find_sidecar(stack_file: str | Path) -> Path | None:
    """The `stptui.yml` (or `.yaml`) next to a stack file, if there is one."""
    folder = Path(stack_file).parent
    for name in SIDECAR_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


class Behaviors:
    """Every workload's declared behaviour, and the decision of each invocation's outcome."""

    def __init__(
        self,
        stack: Stack,
        behaviors: dict[str, _Behavior] | None = None,
        skipped: list[tuple[str, str]] | None = None,
        file: str | None = None,
        handler_modules: _HandlerModules | None = None,
    ) -> None:
        self.stack = stack
        self.file = file
        self._handler_modules = handler_modules
        self._by_name: dict[str, _Behavior] = behaviors or {}
        self._quick: dict[str, QuickDecider] = {}
        self._skipped = skipped or []
        self._targets: dict[str, set[str]] = {kind: set() for kind in EMISSION_TARGET_TYPES}
        for r in stack.resources.values():
            for kind, wanted in EMISSION_TARGET_TYPES.items():
                if r.type == wanted:
                    self._targets[kind].add(r.name)
        self._targets["publish"].add(DEFAULT_BUS)
        self.permissions = Permissions(stack)

    @classmethod
    def load(
        cls, path: Path | None, stack: Stack, *, allow_code: bool = False
    ) -> tuple[Behaviors, list[Diagnostic]]:
        """Read a behaviours file (None: the defaults only). Never raises on bad input."""
        if path is None:
            return cls(stack), []
        p = Path(path)
        try:
            text = read_text(p)
        except ConfigError as exc:
            return cls(stack, file=str(p)), [exc.diagnostic]
        return cls.from_text(text, str(p), stack, allow_code=allow_code, base_dir=p.parent)

    @classmethod
    def from_text(
        cls,
        text: str,
        file: str,
        stack: Stack,
        *,
        allow_code: bool = False,
        base_dir: Path | None = None,
    ) -> tuple[Behaviors, list[Diagnostic]]:
        """Read behaviours from text; `base_dir` is where handler modules are imported from
        (default: the file's directory). Never raises on bad input."""
        try:
            loaded = parse_yaml(text, file)
        except ConfigError as exc:
            return cls(stack, file=file), [exc.diagnostic]
        folder = (base_dir if base_dir is not None else Path(file).parent).resolve()
        reader = _Reader(loaded, stack, allow_code, folder)
        try:
            behaviors = reader.read()
        except RecursionError:  # a pathologically nested value: report, don't crash
            reader.diags.append(
                Diagnostic("error", "behavior-bad-file", "the file is nested too deeply", file)
            )
            behaviors = {}
        modules = reader.handler_modules
        return cls(stack, behaviors, reader.skipped, file, modules), reader.diags

    # -- queries

    def report_batch_item_failures(self, function: str) -> bool:
        """Whether `function`'s SQS event source mapping honours batchItemFailures."""
        b = self._by_name.get(function)
        return b is not None and b.rbif

    def describe(self, function: str) -> str:
        """One line: `200 ms; fails with probability 0.3 (PaymentDeclined); emits send->q`."""
        b = self._by_name.get(function)
        if b is None:
            return f"{format_duration(DEFAULT_DURATION_MS)}; always succeeds (default)"
        return b.description

    def skipped_handlers(self) -> list[tuple[str, str]]:
        """(function, reason) for every declared Python handler that was not loaded."""
        return list(self._skipped)

    def emit_sites(self) -> list[EmitSite]:
        """Every declared emission with its place in the file (Python handlers' calls are
        known only when they run)."""
        sites: list[EmitSite] = []
        for name, b in self._by_name.items():
            for spec in b.emits:
                key = next((v for n, v, is_expr in spec.fields if n == "key" and not is_expr), None)
                key = key if spec.kind == "put" and isinstance(key, str) else None
                sites.append(EmitSite(name, spec.kind, spec.target, key, spec.pos))
        return sites

    def declared(self, function: str) -> bool:
        """Whether the behaviours file describes `function`."""
        return function in self._by_name

    def _check_target(self, kind: EmissionKind, target: str) -> None:
        """A handler's emission target must exist with the right type (raised in the handler)."""
        if target in self._targets[kind]:
            return
        wanted = EMISSION_TARGET_TYPES[kind]
        guess = did_you_mean(str(target), self._targets[kind])
        raise BehaviorError(
            f"no {wanted} named {target!r} in the stack"
            + (f"; did you mean {guess!r}?" if guess else "")
        )

    # -- deciding

    def quick(self, function: str) -> QuickDecider | None:
        """The fast decider of `function` when its behaviour needs neither the event nor a
        handler (the default behaviour, durations and rate/first/always rules), else None.
        It decides exactly as `decide` does with no overrides, drawing the same numbers."""
        b = self._by_name.get(function, _DEFAULT)
        if not b.simple:
            return None
        hit = self._quick.get(function)
        if hit is None:
            hit = self._quick[function] = QuickDecider(b)
        return hit

    def decide(
        self, inp: InvocationInput, rng: random.Random, overrides: list[Override]
    ) -> Outcome:
        """The outcome of one invocation (see the module docstring for the rules and draws).

        Consumes `fail next N` overrides. Never raises for problems in the behaviours: an
        expression that fails at run time gives an error outcome of type `BehaviorError`.
        """
        b = self._by_name.get(inp.function)
        if not overrides:
            quick = self.quick(inp.function)
            if quick is not None:
                return quick(inp.nth, inp.timeout_ms, inp.trigger, rng)
        try:
            return self._decide(b or _DEFAULT, inp, rng, overrides)
        except BehaviorError as exc:
            # The invocation's error message is all a user sees of it: the fix goes in it.
            message = f"{exc}; fix: {exc.hint}" if exc.hint else str(exc)
            duration = b.dur_lo if b else DEFAULT_DURATION_MS
            return Outcome(duration, "error", "BehaviorError", message)

    def _decide(
        self, b: _Behavior, inp: InvocationInput, rng: random.Random, overrides: list[Override]
    ) -> Outcome:
        data = _Input(inp)
        forced = False
        slow: int | None = None
        fired: Override | None = None
        for ov in overrides:
            if ov.kind == "succeed":
                forced = True
            elif ov.kind == "slow":
                slow = ov.duration_ms
        if not forced:
            for ov in overrides:
                if ov.kind == "fail" and ov._fires(inp, rng, data):
                    fired = ov
                    break
        if slow is not None:
            duration = slow
        elif b.dur_lo == b.dur_hi:
            duration = b.dur_lo
        else:
            duration = rng.randint(b.dur_lo, b.dur_hi)
        timeout_ms = inp.timeout_ms
        if fired is not None:
            if timeout_ms > 0 and duration > timeout_ms:
                return _timeout(inp)
            return Outcome(duration, "error", "Error", f"failed by override `{fired.label()}`")
        if forced:
            # `succeed` suppresses declared failures, including a duration past the timeout.
            if timeout_ms > 0:
                duration = min(duration, timeout_ms)
        else:
            if timeout_ms > 0 and duration > timeout_ms:
                return _timeout(inp)
            if b.timeout_rule is not None and b.timeout_rule.fires(inp, rng, data) is not None:
                return _timeout(inp)
            if b.handler is None:
                for rule in b.fail_rules:
                    reason = rule.fires(inp, rng, data)
                    if reason is not None:
                        return _failure(rule, duration, reason)
        if b.handler is not None:
            return self._run_handler(b, inp, rng, duration, data)
        return self._succeed(b, inp, rng, duration, data, forced)

    def _succeed(
        self,
        b: _Behavior,
        inp: InvocationInput,
        rng: random.Random,
        duration: int,
        data: _Input,
        forced: bool,
    ) -> Outcome:
        """A successful declared invocation: partial failures, emissions, response."""
        out = Outcome(duration, "success")
        failed: set[str] = set()
        if b.partial is not None and not forced and data.is_sqs:
            ids = self._partial_ids(b.partial, data, rng)
            failed = set(ids)
            out.response = {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}
            if b.rbif:
                out.failed_item_ids = ids
        if b.emits:
            for mid, ctx in data.contexts():
                if mid is not None and mid in failed:
                    continue  # the handler gave up on this record: it emits nothing for it
                for spec in b.emits:
                    emission = spec.build(ctx)
                    if emission is not None:
                        out.emissions.append(emission)
            for emission in out.emissions:
                denial = self.permissions.check(
                    inp.function, emission.kind, emission.target, emission.fields, inp.request_id
                )
                if denial is not None:
                    # A handler's SDK call that AWS refuses throws; unhandled, it fails the
                    # invocation, and nothing the invocation emitted is carried out.
                    return Outcome(
                        duration,
                        "error",
                        denial.code,
                        denial.message,
                        denied=[(emission, str(denial))],
                    )
        if b.response is not None and b.partial is None:
            if b.response_is_expr:
                out.response = _search(b.response, data.event(), b.response_site)
                _dumps(out.response, f"{b.name}.response")
            else:
                out.response = copy.deepcopy(b.response)
        return out

    @staticmethod
    def _partial_ids(rule: _Rule, data: _Input, rng: random.Random) -> list[str]:
        records = data.records()
        fifo = bool(records) and str(records[0].get("eventSourceARN", "")).endswith(".fifo")
        ids: list[str] = []
        for mid, ctx in data.contexts():
            if mid is None:
                continue
            if fifo and ids:
                # FIFO: AWS asks the handler to stop at the first failure and report the rest.
                ids.append(mid)
                continue
            if rule.mode == "rate":
                hit = rule.rate >= 1.0 or (rule.rate > 0.0 and rng.random() < rule.rate)
            else:
                hit = _truthy(_search(rule.expr, ctx, rule.where))
            if hit:
                ids.append(mid)
        return ids

    def _run_handler(
        self,
        b: _Behavior,
        inp: InvocationInput,
        rng: random.Random,
        duration: int,
        data: _Input,
    ) -> Outcome:
        """Call a Python handler and turn what it did into an Outcome."""
        assert b.handler is not None and self._handler_modules is not None
        self._handler_modules.activate()
        ctx = HandlerContext(self, inp, rng, b.memory_mb)
        event = copy.deepcopy(data.event())  # the handler must not change the engine's records
        captured = io.StringIO()
        error: BaseException | None = None
        result: Any = None
        try:
            # A handler's print() would write over the TUI: it goes to the invocation's log.
            with redirect_stdout(captured), redirect_stderr(captured):
                result = b.handler(event, ctx)
        except KeyboardInterrupt:
            raise  # the user's Ctrl-C stops the command, as it would any slow command
        except BaseException as exc:  # SystemExit, or a handler's own BaseException subclass
            error = exc
        printed = captured.getvalue()
        logs = log_events([*ctx.logs, *printed.rstrip("\n").split("\n")] if printed else ctx.logs)
        total = duration + ctx.slept_ms
        if inp.timeout_ms > 0 and total > inp.timeout_ms:
            out = _timeout(inp)
            out.logs = logs
            return out
        if error is not None:
            error_type, message = type(error).__name__, str(error)
            size = _error_response_bytes(error_type, message, inp.request_id)
            if size > MAX_RESPONSE_BYTES and inp.trigger != "batch":
                # The runtime posts the error response through the Runtime API, which takes
                # no more than a response: Lambda reports the size instead of the error.
                error_type, message = "Function.ResponseSizeTooLarge", _too_large(size)
            return Outcome(total, "error", error_type, message, logs=logs, denied=ctx.denied)
        try:
            text = _dumps(result, "the return value")
        except BehaviorError as exc:
            return Outcome(
                total,
                "error",
                "Runtime.MarshalError",
                f"Unable to marshal response: {exc}",
                logs=logs,
                denied=ctx.denied,
            )
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_RESPONSE_BYTES and inp.trigger != "batch":
            # The runtime cannot hand Lambda the response: the invocation fails, and what
            # the handler emitted is dropped with it.
            return Outcome(
                total,
                "error",
                "Function.ResponseSizeTooLarge",
                _too_large(size),
                logs=logs,
                denied=ctx.denied,
            )
        response = json.loads(text)
        out = Outcome(
            total,
            "success",
            response=response,
            emissions=ctx.emissions,
            logs=logs,
            denied=ctx.denied,
        )
        if data.is_sqs and isinstance(response, dict) and "batchItemFailures" in response:
            if not b.rbif:
                done = (
                    "moves past the whole batch"
                    if inp.trigger != "sqs"
                    else "deletes the whole batch"
                )
                logs.append(
                    f"batchItemFailures ignored: ReportBatchItemFailures is not enabled, "
                    f"so Lambda {done}"
                )
            else:
                ids = [i for i, _ in data.contexts() if i is not None]
                failed, problem = batch_item_failures(response, ids)
                out.failed_item_ids = failed
                if problem is not None:
                    logs.append(f"invalid batchItemFailures ({problem}): the whole batch fails")
        return out


def _too_large(size: int) -> str:
    """Lambda's message for a response (or error response) of `size` bytes over the limit."""
    return (
        f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({MAX_RESPONSE_BYTES} bytes)."
    )


def _error_response_bytes(error_type: str, message: str, request_id: str) -> int:
    """The size of the Python runtime's error response for an exception, as compact JSON
    (`{errorMessage, errorType, requestId, stackTrace}`; the simulated stack is empty), or
    0 for a message too short to come near MAX_RESPONSE_BYTES, which is not measured."""
    # JSON writes a character in at most 6 bytes (`\u001f`): a short message always fits.
    if 6 * (len(message) + len(error_type)) + 1024 < MAX_RESPONSE_BYTES:
        return 0
    text = json.dumps(
        {"errorMessage": message, "errorType": error_type, "requestId": request_id},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return len(text.encode("utf-8", "surrogatepass")) + len(',"stackTrace":[]')


def _timeout(inp: InvocationInput) -> Outcome:
    """A timed-out invocation: it lasts exactly the timeout, with AWS's own wording."""
    return _timeout_outcome(inp.trigger, inp.timeout_ms)


def _timeout_outcome(trigger: str, timeout_ms: int) -> Outcome:
    if trigger == "batch":
        return Outcome(timeout_ms, "timeout", "Timeout", "Job attempt duration exceeded timeout")
    return Outcome(
        timeout_ms,
        "timeout",
        "Sandbox.Timedout",
        f"Task timed out after {timeout_ms / 1000:.2f} seconds",
    )


# How many distinct outcomes a QuickDecider keeps (a wide duration range stops caching).
_QUICK_CACHE_LIMIT = 1024


class QuickDecider:
    """Decides a simple behaviour's invocations from the invocation count and the rng alone.

    Outcomes that do not depend on the invocation (a success of a given duration, a failure
    with a rate rule's fixed reason) are built once and shared: nothing mutates an Outcome
    after it is decided, and building one costs more than the rest of the decision."""

    __slots__ = ("_b", "_cache", "_duration", "_rates", "_success")

    def __init__(self, b: _Behavior) -> None:
        self._b = b
        self._cache: dict[tuple[Any, ...], Outcome] = {}
        # The commonest behaviour (a fixed duration, failing with some probabilities) is
        # decided from precomputed outcomes: one draw per rule and nothing else.
        self._duration = b.dur_lo
        self._success = Outcome(b.dur_lo, "success")
        self._rates: list[tuple[float, Outcome]] | None = None
        live = [
            r for r in b.fail_rules if not (r.mode == "never" or (r.mode == "rate" and r.rate <= 0))
        ]
        if (
            b.dur_lo == b.dur_hi
            and b.timeout_rule is None
            and all(r.mode == "rate" and r.rate < 1.0 for r in live)
        ):
            self._rates = [(r.rate, _failure(r, b.dur_lo, f"probability {r.rate:g}")) for r in live]

    def __call__(self, nth: int, timeout_ms: int, trigger: str, rng: random.Random) -> Outcome:
        """The outcome of invocation `nth` (1-based) of a workload with this timeout."""
        rates = self._rates
        if rates is not None and not 0 < timeout_ms < self._duration:
            for rate, failure in rates:
                if rng.random() < rate:
                    return failure
            return self._success
        b = self._b
        duration = b.dur_lo if b.dur_lo == b.dur_hi else rng.randint(b.dur_lo, b.dur_hi)
        if (0 < timeout_ms < duration) or (
            b.timeout_rule is not None and b.timeout_rule.fires_nth(nth, rng) is not None
        ):
            key: Any = ("timeout", trigger, timeout_ms)
            return self._shared(key, _timeout_outcome, trigger, timeout_ms)
        for rule in b.fail_rules:
            reason = rule.fires_nth(nth, rng)
            if reason is not None:
                if rule.mode == "first":
                    return _failure(rule, duration, reason)
                return self._shared((id(rule), duration, reason), _failure, rule, duration, reason)
        hit = self._cache.get(duration)
        return hit if hit is not None else self._shared(duration, Outcome, duration, "success")

    def _shared(self, key: Any, build: Callable[..., Outcome], *args: Any) -> Outcome:
        hit = self._cache.get(key)
        if hit is None:
            hit = build(*args)
            if len(self._cache) < _QUICK_CACHE_LIMIT:
                self._cache[key] = hit
        return hit


def _failure(rule: _Rule, duration: int, reason: str) -> Outcome:
    return Outcome(
        duration, "error", rule.error_type, rule.message or f"simulated failure ({reason})"
    )


__all__ = [
    "DEFAULT_DURATION_MS",
    "FUNCTION_KEYS",
    "SIDECAR_NAMES",
    "BehaviorError",
    "Behaviors",
    "Emission",
    "FieldError",
    "HandlerContext",
    "InvocationInput",
    "Outcome",
    "Override",
    "Site",
    "add_override",
    "batch_item_failures",
    "find_sidecar",
    "format_duration",
    "json_kind",
    "parse_duration",
    "parse_override",
]
