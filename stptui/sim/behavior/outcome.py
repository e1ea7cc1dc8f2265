"""The engine-facing data types: what the engine knows about an invocation before deciding it
(`InvocationInput`) and what the invocation did (`Outcome`, with the `Emission`s it makes).

These are what the simulator's services import (most of them only for type hints); they
depend on nothing else in the package. A timed-out invocation's Outcome, which has AWS's
own wording, is built here too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

EmissionKind = Literal[
    "send",
    "publish",
    "notify",
    "put",
    "restoreObject",
    "deleteObject",
    "copyObject",
    "deleteMessage",
    "invoke",
    "putRecord",
    "produce",
    "putItem",
    "deleteItem",
    "updateItem",
    "startExecution",
    "sendTaskSuccess",
    "sendTaskFailure",
    "sendTaskHeartbeat",
    "postToConnection",
]
Status = Literal["success", "error", "timeout"]


@dataclass(frozen=True, slots=True)
class Emission:
    """A write: what a declared behaviour emits when its invocation succeeds, or a Python
    handler's call; `fields` are already evaluated.

    send: body (str), delay (int seconds or None), group, dedupId (str or None),
    attributes (dict of name -> str | number, or None);
    publish: source, detailType (str), detail (dict); put: key, content (str);
    restoreObject: key (str), days (int >= 1), tier (Expedited/Standard/Bulk), versionId
    (str or None);
    deleteObject (a Python handler's only, as are the next two): key, versionId (str or
    None); copyObject: key, sourceBucket (stptui's name), sourceKey, sourceVersionId (str or
    None); deleteMessage: receiptHandle (str; the target is the queue);
    invoke: payload (any JSON value); putRecord: data (str), partitionKey (str, or None
    for put-record's default);
    produce: value (str, or None for a null value: a tombstone), key
    (str or None), headers (list of (name, value) text pairs, in the order given),
    partition (int >= 0, or None for the key's or the next in turn);
    putItem: item, deleteItem: key (DynamoDB JSON, marshalled from the plain JSON given);
    updateItem: key, update, condition (str or None), names (dict or None), values (DynamoDB
    JSON values by placeholder, or None); startExecution: input (the JSON text), name (str
    or None); sendTaskSuccess: token, output (the JSON text); sendTaskFailure: token, error,
    cause (str or None); sendTaskHeartbeat: token; postToConnection: connectionId (str),
    data (str; the target is the WebSocket API).
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
    # becomes an `emission.failed` record when the invocation ends, whatever its status (a
    # Python handler's are recorded at the call, in a simulation).
    denied: list[tuple[Emission, str]] = field(default_factory=list)
    # A Python handler's exception: its frames in the handler's own files, each as
    # `traceback.format_list` writes one (Lambda's runtime's `stackTrace`). A tuple, so that
    # the outcomes that share one hold no list of their own.
    stack_trace: tuple[str, ...] = ()
    # The status a batch job's Python program exited with (None: it returned or raised an
    # Exception, whose process exits 0 or 1 with its status).
    exit_code: int | None = None
    # Whether Lambda resets the execution environment after it: a timeout, an error in
    # RUNTIME_EXITS, or an init phase that failed (its module raised or exited as it was
    # imported). Set by what builds such an outcome, so that a failure's end tests one
    # flag (a shared outcome carries it once).
    resets: bool = False


# The execution environment number of a batch job attempt's container: one at a time (its
# handler runs when the attempt starts), each importing its modules afresh.
ATTEMPT_ENV = 0


def container_env(index: int) -> int:
    """The execution environment number of a container workload's container (its `index`
    among the workload's containers): a process of its own, which imports its behaviour's
    handler module once, when its code first runs (ContainerService.code_started)."""
    return -1 - index


@dataclass(slots=True)
class InvocationInput:
    """What the engine knows about an invocation before deciding its outcome.

    `nth` is the 1-based count of this workload's invocations so far (for `first: N`);
    `event` builds the AWS-shaped event lazily (only conditions, emissions and Python
    handlers call it); `sqs_records` returns the batch's records for SQS triggers.
    `timeout_ms <= 0` means no timeout (a batch job without one, a container). `workload`
    is whose role its calls are checked against when that is not `function` (a container's
    behaviour is named `WORKLOAD.CONTAINER`; its calls are the workload's). `environment`
    gives the variables the caller adds to a Python handler's environment (a batch attempt's
    ContainerOverrides, a function's log stream; stptui.sim.behavior.handler_env), built only
    when a handler runs; `container` names the container a container workload's behaviour
    serves. `sim` is the simulation the invocation runs in, whose state a Python handler's
    reads see and its writes change, as it makes them (None: no reads, and the writes are
    only collected in the Outcome's `emissions`, as in a behaviour decided outside a
    simulation). `invocation_id` names the invocation in the `source` of what its handler's
    writes make, and `chain` is its count in its chain of requests (recursive loop
    detection; 0 where Lambda does not track it). `execution_env` numbers a function's
    execution environment (ATTEMPT_ENV: a batch attempt's container; `container_env`: a
    container workload's container).
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
    workload: str = ""
    environment: Callable[[], Mapping[str, str]] | None = None
    container: str = ""
    sim: Simulator | None = None
    invocation_id: str = ""
    chain: int = 0
    # The execution environment a function's invocation runs in (its number), whose own
    # Python modules its handler runs with; ATTEMPT_ENV for a batch attempt's container and
    # `container_env` for a container workload's, which have their own too; None otherwise.
    execution_env: int | None = None

    @property
    def role(self) -> str:
        """The workload whose IAM role the invocation's calls are made with."""
        return self.workload or self.function


def timed_out(inp: InvocationInput) -> Outcome:
    """A timed-out invocation: it lasts exactly the timeout, with AWS's own wording."""
    return timeout_outcome(inp.trigger, inp.timeout_ms)


# The errors that say the function's runtime process ended (it exited, or ran out of memory
# and was killed): Lambda reports them itself. After one, or a timeout, Lambda resets the
# execution environment ("If the Lambda function crashes or times out during the Invoke
# phase, Lambda resets the execution environment", Lambda developer guide, "Failures during
# the invoke phase"); an error the handler raised does not: the runtime reports it and
# waits for the next event in the same process.
RUNTIME_EXITS = frozenset({"Runtime.ExitError", "Runtime.OutOfMemory"})

# Lambda's errorType for an invocation that outlived its timeout (the runtime interface
# emulator's `ErrorSandboxTimedout`; docs/fidelity.md, "Timeouts").
TIMEOUT_ERROR = "Sandbox.Timedout"


def timeout_message(timeout_ms: int) -> str:
    """Lambda's words for an invocation that outlived its timeout of `timeout_ms`: `Task
    timed out after 3.00 seconds`. Its response puts the request id before them
    (payloads.lambda_timeout_response); the trace and stptui's own lines quote them bare,
    beside the invocation's id."""
    return f"Task timed out after {timeout_ms / 1000:.2f} seconds"


def timeout_outcome(trigger: str, timeout_ms: int) -> Outcome:
    """A timed-out invocation of a function (or attempt of a batch job, in AWS Batch's
    words): it lasts exactly `timeout_ms`; a function's resets its execution environment."""
    if trigger == "batch":
        return Outcome(timeout_ms, "timeout", "Timeout", "Job attempt duration exceeded timeout")
    return Outcome(timeout_ms, "timeout", TIMEOUT_ERROR, timeout_message(timeout_ms), resets=True)
