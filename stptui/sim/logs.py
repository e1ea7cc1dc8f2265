"""CloudWatch Logs as Lambda and subscription filters use it (pure, deterministic).

A function's log group is `/aws/lambda/{physical name}` and a batch job's Stacktape's
`/stp/{stack}/batch/{job}/process-logs`, the groups `$ResourceParam(name, 'logGroupArn')` names.
Each execution environment of a function writes one log stream,
`YYYY/MM/DD/[$LATEST]{32 hex digits}`, which Lambda starts with an `INIT_START` line naming the
runtime version. Lambda writes `START`, `END` and `REPORT` lines around each invocation (the
first in an environment, a cold start, reports its `Init Duration`) and the runtime's error
line when the handler raises; a timeout has no line of its own, only `Status: timeout` in the
REPORT line (docs/fidelity.md, "CloudWatch Logs").
Each attempt of a batch job runs a new container, whose `awslogs` log driver writes its
output, and nothing else, to a stream of its own, `batch/default/{ECS task id}` (Stacktape's
`awslogs-stream-prefix` is `batch`). A container workload's container writes what it prints to
Stacktape's `/stp/{stack}/ecs/{workload}/{container}/process-logs`, in its task's one stream,
`ecs/{container}/{ECS task id}` (Stacktape's prefix `ecs`). A
subscription filter hands the events that pass it to its destination as
`{"awslogs": {"data": base64(gzip(json))}}`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from stptui.config.aws_names import stp_log_group_name
from stptui.sim.clock import iso_ms

LAMBDA_PREFIX = "/aws/lambda/"
# The `awslogs-stream-prefix` Stacktape's job definitions and task definitions give the awslogs
# driver (batch-jobs/utils.ts and multi-container-workloads/utils.ts, docs/fidelity.md).
BATCH_STREAM_PREFIX = "batch"
ECS_STREAM_PREFIX = "ecs"
# How many deliveries in a row stptui lets a subscriber's own lines cause (services.log_group).
LOOP_LIMIT = 16
# "Max Memory Used" is not modelled: stptui reports the smaller of the function's memory and
# this figure, the one in the Lambda developer guide's CloudWatch Logs example.
MAX_MEMORY_USED_MB = 72
# What the Python runtime indents a traceback's lines with in its error line
# (awslambdaric's ERROR_LOG_IDENT: a no-break space, U+00A0, for each space).
ERROR_LOG_INDENT = "\u00a0"
# A CloudWatch Logs event id: the timestamp in the top bits, above 144 bits of sequence, as
# the ids in AWS's examples are (their value shifted right by 144 is their timestamp).
_ID_SHIFT = 144


def group_from_arn(arn: str) -> str | None:
    """The log group name an ARN names (`arn:aws:logs:{region}:{account}:log-group:{name}`,
    optionally ending in `:*`), or None when it is not a log group's ARN."""
    parts = arn.split(":", 6)
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "logs":
        return None
    kind, _, name = parts[5], None, parts[6]
    if kind != "log-group":
        return None
    if name.endswith(":*"):
        name = name[:-2]
    return name or None


def stream_name(created_ms: int, key: str) -> str:
    """The log stream of one execution environment, created at `created_ms`; `key` makes its
    32 hex digits (the same key, the same stream)."""
    day = datetime.fromtimestamp(created_ms // 1000, UTC).strftime("%Y/%m/%d")
    return f"{day}/[$LATEST]{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def batch_stream_name(key: str) -> str:
    """The log stream of one batch job attempt's container, as the awslogs driver names it
    with Stacktape's prefix (`batch/default/{ECS task id}`: AWS Batch's container is
    `default`); `key` makes the task id's 32 hex digits (the same key, the same stream)."""
    return f"{BATCH_STREAM_PREFIX}/default/{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def batch_group_name(stack_name: str, job: str) -> str:
    """Stacktape's log group of a batch job (its `batchJobLogGroup`, the group
    `$ResourceParam(job, 'logGroupArn')` names): `/stp/{stack}/batch/{job}/process-logs`."""
    return stp_log_group_name(stack_name, "batch", job, "process-logs")


def container_group_name(stack_name: str, workload: str, container: str) -> str:
    """Stacktape's log group of one container of a container workload (its
    `containerLogGroup`): `/stp/{stack}/ecs/{workload}/{container}/process-logs`."""
    return stp_log_group_name(stack_name, "ecs", workload, f"{container}/process-logs")


def container_group_key(workload: str, containers: list[str], container: str) -> str:
    """How commands name a container's log group: by its workload when it has one container
    (`web`), else `WORKLOAD.CONTAINER`."""
    return workload if len(containers) == 1 else f"{workload}.{container}"


def ecs_stream_name(container: str, task_id: str) -> str:
    """The log stream of a container of a container workload's task, in the form ECS's
    awslogs driver gives it (`prefix/container name/task id`) with Stacktape's prefix:
    `ecs/{container}/{task id}`."""
    return f"{ECS_STREAM_PREFIX}/{container}/{task_id}"


def event_id(timestamp_ms: int, seq: int) -> str:
    """A log event id: 56 decimal digits (fewer before 2004) from the timestamp and the
    group's sequence number."""
    return str((timestamp_ms << _ID_SHIFT) | seq)


# The runtime version each runtime's INIT_START line names: `{language}:{version}.v{N}`, the
# form of the lines users publish, N a version seen in one of them (2023-26; the two with none
# found take a plausible N). A choice: AWS releases a new version of each runtime every few
# weeks, which no config names (docs/fidelity.md, "CloudWatch Logs").
RUNTIME_VERSIONS = {
    "nodejs18.x": "nodejs:18.v71",
    "nodejs20.x": "nodejs:20.v106",
    "nodejs22.x": "nodejs:22.v78",
    "nodejs24.x": "nodejs:24.v48",
    "python3.8": "python:3.8.v33",
    "python3.9": "python:3.9.v18",
    "python3.10": "python:3.10.v36",
    "python3.11": "python:3.11.v109",
    "python3.12": "python:3.12.mainlinev2.v11",
    "python3.13": "python:3.13.v14",
    "java8": "java:8.v14",
    "java8.al2": "java:8.al2.v40",
    "java11": "java:11.v43",
    "java17": "java:17.v66",
    "java21": "java:21.v38",
    "dotnet6": "dotnet:6.v13",
    "dotnet7": "dotnet:7.v20",
    "dotnet8": "dotnet:8.v71",
    "ruby3.2": "ruby:3.2.v88",
    "ruby3.3": "ruby:3.3.v12",
    "provided.al2": "provided:al2.v143",
    "provided.al2023": "provided:al2023.v109",
}
# The runtime of a function without `runtime`, by its entry file's extension, as Stacktape's
# `getLambdaRuntime` picks it for stacktape-lambda-buildpack: the first of its
# `lambdaRuntimesForFileExtension` (src/config/random.ts), Node.js 24 for JS and TS.
_ENTRY_RUNTIMES = {
    ".py": "python3.13",
    ".go": "provided.al2",
    ".java": "java21",
    ".rb": "ruby3.3",
    ".php": "provided.al2",
}
DEFAULT_RUNTIME = "nodejs24.x"
# How long the init phase of a new execution environment takes in virtual time without a
# behaviours file's `initDuration`: none, so a cold start starts its invocation when a warm
# one would (docs/fidelity.md, "Cold starts").
INIT_DURATION_MS = 0
# An on-demand function's init phase "is limited to 10 seconds. If all three tasks do not
# complete within 10 seconds, Lambda retries the Init phase at the time of the first
# function invocation with the configured function timeout" (Lambda developer guide,
# "Understanding the Lambda execution environment lifecycle").
INIT_LIMIT_MS = 10_000
# What an init phase that outlasted INIT_LIMIT_MS ended with (its INIT_REPORT's status).
INIT_TIMEOUT = "timeout"
# The error type of a suppressed init that the function's timeout cut off (`INIT_REPORT Init
# Duration: 45045.69 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.Unknown`, then
# `Task timed out after 45.05 seconds`, in lines published in 2024).
INIT_CUT_OFF_ERROR = "Runtime.Unknown"


def function_runtime(runtime: str | None, entry: str | None) -> str:
    """The runtime a function runs on: its `runtime`, else the one stptui takes for its entry
    file's extension (Node.js's for any other)."""
    if runtime:
        return runtime
    for ext, picked in _ENTRY_RUNTIMES.items():
        if (entry or "").endswith(ext):
            return picked
    return DEFAULT_RUNTIME


# The runtime of a function that a Python handler (--allow-code) serves when its config
# names another one (a `.ts` entry file, `runtime: nodejs22.x`): the code that runs is
# Python, so its lines are the Python runtime's, the one Stacktape deploys a `.py` entry on.
PYTHON_HANDLER_RUNTIME = _ENTRY_RUNTIMES[".py"]


def served_runtime(runtime: str | None, entry: str | None, python_handler: bool) -> str:
    """The runtime whose lines a function's log stream and errors have: `function_runtime`,
    or PYTHON_HANDLER_RUNTIME when a Python handler serves a function whose runtime is not
    Python's (docs/fidelity.md, "CloudWatch Logs")."""
    picked = function_runtime(runtime, entry)
    if python_handler and not picked.startswith("python"):
        return PYTHON_HANDLER_RUNTIME
    return picked


def init_start_line(runtime: str, region: str) -> str:
    """Lambda's first line in a new execution environment's stream: the runtime version and
    its ARN (`arn:aws:lambda:{region}::runtime:` and 64 hex digits, here the SHA-256 of the
    version, so the same runtime gives the same ARN)."""
    version = RUNTIME_VERSIONS.get(runtime) or RUNTIME_VERSIONS[DEFAULT_RUNTIME]
    digest = hashlib.sha256(version.encode()).hexdigest()
    return (
        f"INIT_START Runtime Version: {version}\t"
        f"Runtime Version ARN: arn:aws:lambda:{region}::runtime:{digest}\n"
    )


def init_report_line(init_ms: int, phase: str, error_type: str) -> str:
    """Lambda's line after an init phase that failed: its duration, the phase it ran in
    (`init` for a new environment's, `invoke` for one retried within an invocation) and
    the error (`INIT_REPORT Init Duration: 206.72 ms\tPhase: init\tStatus: error\tError
    Type: Runtime.ExitError`, cargo-lambda/cargo-lambda#572); INIT_TIMEOUT for one that
    outlasted Lambda's 10 s limit, which has no error type (`INIT_REPORT Init Duration:
    10337.01 ms\tPhase: init\tStatus: timeout`, lines published in 2024)."""
    if error_type == INIT_TIMEOUT:
        return f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: {phase}\tStatus: timeout\n"
    return (
        f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: {phase}\t"
        f"Status: error\tError Type: {error_type}\n"
    )


def start_line(request_id: str) -> str:
    """Lambda's first line of an invocation."""
    return f"START RequestId: {request_id} Version: $LATEST\n"


def end_line(request_id: str) -> str:
    """Lambda's line when the invocation ends."""
    return f"END RequestId: {request_id}\n"


def report_line(
    request_id: str,
    duration_ms: int,
    memory_mb: int,
    *,
    timed_out: bool = False,
    init_ms: int | None = None,
    exited: str | None = None,
) -> str:
    """Lambda's report of an invocation, billed by the millisecond: each field followed by a
    tab; after a cold start (`init_ms` not None) `Init Duration`, which is billed too (since
    August 2025); then, for an invocation that timed out, `Status: timeout`, and for one
    whose runtime exited, `Status: error` and the error (`exited`: `Runtime.ExitError`,
    `Runtime.OutOfMemory`) (docs/fidelity.md, "CloudWatch Logs")."""
    used = min(memory_mb, MAX_MEMORY_USED_MB)
    billed = duration_ms if init_ms is None else duration_ms + init_ms
    init = "" if init_ms is None else f"Init Duration: {init_ms:.2f} ms\t"
    status = "Status: timeout" if timed_out else ""
    if exited is not None:
        status = f"Status: error\tError Type: {exited}"
    return (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
        f"Billed Duration: {billed} ms\tMemory Size: {memory_mb} MB\t"
        f"Max Memory Used: {used} MB\t{init}{status}\n"
    )


def error_line(
    python: bool,
    at_ms: int,
    request_id: str,
    error_type: str,
    message: str,
    frames: Sequence[str] = (),
) -> str:
    """The runtime's line when the handler raises.

    Python (the runtime interface client's `log_error`): `[ERROR] Type: message`, the
    traceback header and the lines of each of `frames` (a Python handler's, as
    `traceback.format_list` writes them; none for a declared behaviour), their indentation
    in no-break spaces, all one event whose lines are joined by line breaks. Node.js: the
    runtime's `console.error("Invoke Error", ...)`: time, request id, `ERROR`, then
    `Invoke Error \\t` and the error as JSON."""
    if python:
        lines = [f"[ERROR] {error_type}: {message}", "Traceback (most recent call last):"]
        for frame in frames:
            for line in frame.splitlines():
                spaces = len(line) - len(line.lstrip(" "))
                lines.append(ERROR_LOG_INDENT * spaces + line[spaces:])
        return "\n".join(lines) + "\n"
    detail = json.dumps(
        {"errorType": error_type, "errorMessage": message, "stack": [f"{error_type}: {message}"]},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f"{iso_ms(at_ms)}\t{request_id}\tERROR\tInvoke Error \t{detail}\n"


def subscription_data(
    owner: str,
    group: str,
    stream: str,
    filters: list[str],
    events: list[tuple[str, int, str]],
) -> dict[str, Any]:
    """The decoded data of a delivery, keys in AWS's order; `events` are (id, timestamp,
    message)."""
    return {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": filters,
        "logEvents": [{"id": i, "timestamp": t, "message": m} for i, t, m in events],
    }


def encode_awslogs(data: dict[str, Any]) -> dict[str, Any]:
    """The event a subscribed function receives: the data as compact JSON, gzipped (with a
    zero modification time, so the same data gives the same bytes) and base64-encoded."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )
    packed = gzip.compress(raw, mtime=0)
    return {"awslogs": {"data": base64.b64encode(packed).decode("ascii")}}


def decode_awslogs(event: Any) -> dict[str, Any]:
    """The data of a CloudWatch Logs event (what a handler does with `awslogs.data`); raises
    ValueError when `event` is not one."""
    try:
        data = event["awslogs"]["data"]
        doc = json.loads(gzip.decompress(base64.b64decode(data, validate=True)))
    except (KeyError, TypeError, ValueError, OSError, EOFError) as exc:
        raise ValueError(f"not a CloudWatch Logs event: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError("not a CloudWatch Logs event: the data is not a JSON object")
    return doc
