"""What a simulated handler does: declared behaviours, Python handlers and runtime overrides.

A Stacktape config says *what triggers what*; it cannot say what a handler does. The
behaviours file (`stptui.yml` next to the stack, or `--behaviors FILE`) declares it for each
function and batch job, and for each container workload (or one of its containers,
`WORKLOAD.CONTAINER`), whose behaviour answers the HTTP requests routed to it. Without the
file, or for a workload it does not list, a handler succeeds after 100 ms, returns nothing
and emits nothing (a container answers an empty 200).

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
        log:
          - "join(' ', ['order', body.id])"
          - {level: INFO, msg: charged}
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

`initDuration`
    How long the init phase of each new execution environment of a function takes (a cold
    start): the first invocation in it starts its handler that much later, and the
    function's timeout counts from then. One duration, or a range drawn at each cold start;
    past Lambda's 10 s limit the init times out and is retried within the invocation, under
    the function's timeout; absent: no time.

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
    * `notify: {topic, message, subject?, group?, dedupId?, attributes?, structure?}` --
      SNS Publish; `group` and `dedupId` as for `send`, on FIFO topics (a standard topic
      takes a `group` and refuses a `dedupId`); `attributes` as for `send`; `structure`
      the MessageStructure (`"'json'"`: a message per protocol).
    * `put: {bucket, key, content}` -- S3 PutObject.
    * `restoreObject: {bucket, key, days, tier?, versionId?}` -- S3 RestoreObject of an
      archived object: `days` a whole number of at least 1, `tier` Expedited, Standard
      (absent) or Bulk, `versionId` absent for the current version.
    * `invoke: {function, payload}` -- an asynchronous Lambda invoke of a `function`.
    * `putRecord: {stream, data, partitionKey?}` -- Kinesis PutRecord; `partitionKey`
      absent means `put-record`'s default.
    * `produce: {topic, value, key?, headers?, partition?}` -- a record to a Kafka topic,
      named as `show kafka-topics` names it, as the `produce` command makes it: `value` as
      `data` is written (null: a tombstone), `key` text (its murmur2 picks the partition),
      `headers` an object of names to text, `partition` one of the topic's (absent: the
      key's, or the next in turn).
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
    resource name from the stack (`topic`: a simulated Kafka topic's name), checked when the
    file is loaded. Every other field is a
    JMESPath expression over the input when it is a string, and a constant when it is any
    other YAML value (`delay: 0`, `detail: {a: 1}`); a constant string is a JMESPath raw
    literal: `"'orders'"`. Any item may also have `when: EXPR`: it is emitted only when the
    condition holds. `body`, `content`, `data` and `value` that are not strings are written
    as compact JSON. A `body`, `message`, `data` or `value` that finds null is a request
    without it, which the service refuses (an `emission.failed` record); a null `content`
    writes an empty object, as PutObject without a Body does.

`log`
    The lines the handler writes to its log group: one line or a list. A string is a
    JMESPath expression over the input (text is written as it is, anything else as compact
    JSON; null writes no line), any other value a constant written as compact JSON, so a
    mapping is a JSON line. Written whatever the invocation's end, once per record of a
    batch, once otherwise.

`response`
    The handler's return value (an HTTP response, a direct invoke's result): a JMESPath
    expression evaluated once against the AWS event, or a constant. Not used with `partial`.

`handler`
    `module:function`, a Python handler imported relative to the behaviours file's directory.
    It runs only when the simulator is started with `--allow-code`; otherwise it is skipped
    with a warning and the declared keys above are used instead. When it runs, it replaces
    `fail`, `partial`, `emit`, `log` and `response`; `duration` and `timeout` still apply.

`poll`
    A container workload's only: the queues its code polls itself, one item or a list, each
    `{queue, maxMessages, waitSeconds, visibilityTimeout, concurrency}`
    (`reader_poll`); the other keys then describe processing one received message
    (stptui.sim.services.worker; docs/behaviors.md, "Workers that poll queues").

The package
===========
One module per concern, each importing only the ones above it (type hints aside):

- `errors`: BehaviorError and its kinds, `Site`, values in JSON's words;
- `durations`: duration texts (`250ms`, `2h30m`) read and written;
- `outcome`: what the engine hands in (`InvocationInput`) and gets back (`Outcome`,
  `Emission`);
- `expressions`: the JMESPath layer: compile, search, truth, runtime errors;
- `contexts`: what expressions see: the event, or one context per record;
- `fields`: emission fields given the types the services take;
- `declared`: a workload's compiled behaviour (rules, emission specs, summary);
- `overrides`: the `fail` / `succeed` / `slow` commands;
- `handler_modules`: the sys.modules each file's Python handlers run with;
- `handler_reads`: the context's reads of the stack (S3 and DynamoDB), imported by
  `python_handlers` when a handler first reads;
- `python_handlers`: a Python handler's context, and running it;
- `http_answers`: a container's `response` read as the HTTP answer it writes;
- `reader_emit`, `reader_poll`, `reader`: the behaviours file read into compiled
  behaviours, with diagnostics;
- `runtime`: `Behaviors`, which loads a file and decides each invocation.

The rest of the reference sits with the code it describes: what expressions see in
`contexts`, their truth and runtime errors in `expressions`, Python handlers and partial
batch responses in `python_handlers`, overrides in `overrides`, the random draws in
`runtime`.

The names below are what the other layers (the simulator's services, the commands, the
REPL and the TUI) use; anything else is imported from the module that holds it.
"""

from stptui.sim.behavior.durations import format_duration, parse_duration
from stptui.sim.behavior.errors import BehaviorError, DurationTooLongError
from stptui.sim.behavior.expressions import quoted_text_warning
from stptui.sim.behavior.outcome import Emission, InvocationInput, Outcome
from stptui.sim.behavior.overrides import Override, add_override, parse_override
from stptui.sim.behavior.runtime import Behaviors, find_sidecar

__all__ = [
    "BehaviorError",
    "Behaviors",
    "DurationTooLongError",
    "Emission",
    "InvocationInput",
    "Outcome",
    "Override",
    "add_override",
    "find_sidecar",
    "format_duration",
    "parse_duration",
    "parse_override",
    "quoted_text_warning",
]
