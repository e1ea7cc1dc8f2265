"""Batch jobs, run the way Stacktape deploys them (reference stacktape-config §2.3).

Every trigger of a batch job `X` (schedule, sqs, s3, event-bus, sns, http-api-gateway) calls
the hidden helper Lambda `X.triggerFunction`. The helper starts one execution of the job's
Step Functions state machine with the input `{triggerEvent: JSON.stringify(event), jobName}`
and returns at once; for an `sqs` trigger its success deletes the batch, so the queue sees
the message acknowledged as soon as the job starts, not when it finishes. StartExecution
takes an input of at most 256 KiB: over it the helper fails (TriggerFailed), no execution
starts, and each trigger answers for a failed function (an `sqs` batch returns later, a
stream batch is retried at its shard's position, an HTTP request gets a 500 or 502, and an
event that invoked it asynchronously, from SNS, EventBridge, a schedule or a log
subscription, is retried by Lambda 1 and then 2 minutes later, failing the same way, and
then dropped: `BatchService.retry_async`; S3 invokes it asynchronously too, but its event
of one record is never that big).

The state machine holds one `batch:submitJob.sync` task per attempt (`attempts` in total,
default 1). Each task's `Catch` on `States.ALL` goes to a Wait of
`retryIntervalSeconds * i * retryIntervalMultiplier` seconds after failed attempt `i` (a
multiplier of 0 counts as 1: the code writes `retryIntervalMultiplier || 1`), then to the next
attempt: the wait grows linearly with `i`. (Stacktape's docs describe
exponential backoff, "5s, 10s, 20s"; its code waits 10, 20, 30 s for 5 and 2. The simulator
follows the code.) Each attempt is its own AWS Batch job with the job's `timeout` as
`AttemptDurationSeconds` and the environment `STP_TRIGGER_EVENT_DATA`,
`STP_MAXIMUM_ATTEMPTS`, `STP_CURRENT_ATTEMPT` (1-based) and `AWS_REGION` in its
ContainerOverrides, to which Step Functions adds `MANAGED_BY_AWS`. The whole trigger event
rides in those overrides, so a big one meets AWS's limits: SubmitJob refuses a job over
30 KiB, and AWS Batch fails one whose overrides are over 8,192 characters (ECS's limit)
before its container starts. Either fails every attempt at once, the same way.

A timed-out attempt: AWS Batch does not retry a job that its own `retryStrategy` saw time out
(aws-semantics §7), but Stacktape does not use `retryStrategy`; its state machine catches the
failed task whatever the reason, so a timed-out attempt is retried like any other failure.
`BatchService.retry_timed_out` (default True, Stacktape's behaviour) switches to AWS Batch's
rule when False.

Simulation choices: the helper Lambda, Step Functions and the Batch queue add no latency
(an attempt starts at the instant of its trigger or the end of its wait), and a timed-out
attempt ends exactly at its timeout (the 30 s SIGTERM-to-SIGKILL grace is not simulated).

A function's code may start the job's state machine itself, as Stacktape's docs tell it to
(`connectTo` the job gives it `STP_{JOB}_STATE_MACHINE_ARN` and the grant): a `startExecution`
emission or a Python handler's StartExecution that names the job (`BatchService.
start_execution`). Its input is the caller's, and the state machine reads it as Stacktape
wrote it: `JobName.$: $.jobName` and `STP_TRIGGER_EVENT_DATA` `Value.$: $.triggerEvent`. An
input without either, or with one that is not a string, fails the execution at its first
Task with `States.Runtime`, which Stacktape's `Catch` of `States.ALL` does not catch: no
attempt runs. A `jobName` AWS Batch refuses fails every attempt as a refused SubmitJob.

RedriveExecution (`redrive`) of an execution that failed or was stopped goes on from the state
it stopped in, as Step Functions redrives any STANDARD execution: the attempt's Task or the
Wait it was stopped in runs again; after the last attempt it ended in Stacktape's Fail
state, which runs again and fails it at once.

A user's own state machine may also submit the job's definition to AWS Batch itself (the
`batch:submitJob` integration, stptui.sim.asl_jobs): `BatchService.submit` runs that one
AWS Batch job by AWS Batch's rules (its `RetryStrategy.Attempts`, default 1, retried at once;
a timed-out attempt is not retried; `Timeout.AttemptDurationSeconds`), without Stacktape's
trigger function, state machine and STP_* variables, and can `terminate` it. The same two
limits hold there (`submit_request_sizes`): SubmitJob over 30 KiB is refused before any job
exists, and a job whose overrides are over 8,192 characters fails before any container starts,
with no attempt (DescribeJobs lists none).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NoReturn

from stptui import jsontext
from stptui.config.aws_names import (
    EXECUTION_NAME_BASE_CHARS,
    batch_job_name_base,
    batch_job_queue_name,
)
from stptui.config.model import SqsTrigger
from stptui.jsontext import compact_json
from stptui.sim import trace as tk
from stptui.sim.behavior import InvocationInput, Outcome
from stptui.sim.behavior.outcome import ATTEMPT_ENV
from stptui.sim.clock import ARG, LABEL, datetime_of, iso_ms
from stptui.sim.handler_logs import bounded_message
from stptui.sim.payloads import Deferred, json_string_sizes, sqs_event
from stptui.sim.services.function import (
    ASYNC_MAX_EVENT_AGE_MS,
    SYNC_PAYLOAD_BYTES,
    BatchingWindow,
    QueuePoller,
    async_retry,
)
from stptui.textsafe import quote_word, typed_names

if TYPE_CHECKING:
    from stptui.config.model import BatchJob
    from stptui.sim.behavior import Emission, Override
    from stptui.sim.behavior.runtime import QuickDecider
    from stptui.sim.clock import Entry
    from stptui.sim.engine import Simulator
    from stptui.sim.services.log_group import LogGroupSim
    from stptui.sim.services.queue import Message, QueueSim

RECENT_EXECUTIONS = 1000  # kept per job for `show jobs`; the trace keeps the full history

# Agenda subjects, read from a timer's argument only when the agenda is shown: an
# execution's id, or the id of an asynchronous event the trigger function retries.
_EXECUTION_ID = attrgetter("id")


# What an attempt's end needs: its execution, job, outcome, start, and the key of its
# container's log stream (None when the job has no log group).
AttemptArg = tuple["Execution", "BatchJobSim", Outcome, int, str | None]


def _attempt_execution_id(arg: AttemptArg) -> str:
    return arg[0].id


def _failing_execution_id(arg: tuple[Execution, str]) -> str:
    return arg[0].id


# The fields of the busiest batch records, packed (see stptui.sim.trace.Raw).
_SUBMITTED_FIELDS = ("execution_id", "execution_arn", "trigger", "source", "attempts")
_ATTEMPT_STARTED_FIELDS = ("execution_id", "attempt", "batch_job_id", "env")
_SUCCEEDED_FIELDS = ("execution_id", "attempt", "duration_ms")


def trigger_event_json(event: Any) -> str:
    """`JSON.stringify(event)`: compact, non-ASCII kept, as the helper Lambda writes it."""
    return compact_json(event)


# Step Functions' `batch:submitJob` adds this to every job's ContainerOverrides.Environment
# (as users' DescribeJobs outputs show), Stacktape's attempts and a user's state machine's alike.
SFN_FLAG = ("MANAGED_BY_AWS", "STARTED_BY_STEP_FUNCTIONS")

# "Maximum job payload size (for SubmitJob API operations): 30 KiB" (AWS Batch service quotas);
# over it SubmitJob answers ClientException "Job size must be less than 30 KiB, got N KiB".
MAX_SUBMIT_JOB_BYTES = 30 * 1024
# ECS's RunTask: "A total of 8192 characters are allowed for overrides. This limit includes the
# JSON formatting characters of the override structure." AWS Batch accepts the job and fails it
# when it would start its container, with the status reason below.
MAX_OVERRIDES_CHARS = 8192
OVERRIDES_REASON = f"Container Overrides length must be at most {MAX_OVERRIDES_CHARS}"
# StartExecution's `input`: "Maximum input or output size for a task, state, or execution:
# 256 KiB of data as a UTF-8 encoded string" (Step Functions quotas). The trigger function's
# input holds the event's JSON as a string, so its quotes and backslashes count twice.
MAX_EXECUTION_INPUT_BYTES = 262_144
# The shape of every id the simulator draws (a UUID's 36 characters).
_ID_SHAPE = "00000000-0000-0000-0000-000000000000"
# SubmitJob's jobName: "It can be up to 128 letters long. The first character must be
# alphanumeric, can contain uppercase and lowercase letters, numbers, hyphens (-), and
# underscores (_)" (AWS Batch API reference, SubmitJob).
JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
# The `trigger` of an execution a function's code started (its StartExecution call).
START_EXECUTION_TRIGGER = "startExecution"


def job_name_problem(name: str) -> str | None:
    """Why AWS Batch refuses `name` as a SubmitJob jobName (our wording), or None."""
    if JOB_NAME.fullmatch(name):
        return None
    return (
        f"Job name {name!r} is not valid: 1 to 128 letters, numbers, hyphens and "
        "underscores, starting with a letter or a number"
    )


def _input_bytes(job: BatchJobSim, event_bytes: int) -> int:
    """The trigger function's StartExecution input for an event whose JSON string has
    `event_bytes` UTF-8 bytes: `{"triggerEvent":<that string>,"jobName":"<the job's name>"}`."""
    return event_bytes + len('{"triggerEvent":,"jobName":""}') + job.job_name_bytes


def job_size_message(payload: int) -> str:
    """SubmitJob's ClientException for a request of `payload` bytes over 30 KiB (N rounded up)."""
    return f"Job size must be less than 30 KiB, got {-(-payload // 1024)} KiB"


def submit_request_sizes(params: Mapping[str, Any]) -> tuple[int, int]:
    """A state machine's own SubmitJob, its Task's effective Parameters, as the integration
    sends it: the request in UTF-8 bytes and its container overrides in characters, both
    compact JSON, with the flag Step Functions adds to the environment. AWS Batch's JSON names
    are the Parameters' with a lower-case first letter, so the lengths are the same; every
    field counts, the ones not simulated too (validated as objects and arrays already)."""
    overrides = dict(params.get("ContainerOverrides") or {})
    flag = {"Name": SFN_FLAG[0], "Value": SFN_FLAG[1]}
    overrides["Environment"] = [*(overrides.get("Environment") or []), flag]
    request = {**params, "ContainerOverrides": overrides}
    return len(compact_json(request).encode()), len(compact_json(overrides))


class TriggerFailed(Exception):
    """The job's trigger function failed: StartExecution refused its input, so no execution
    started (`batch.trigger_failed` is recorded). `request_id` is the trigger function's
    request id, which would have named the execution."""

    def __init__(self, request_id: str, message: str) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.message = message


class AsyncTrigger:
    """An asynchronous event (`sns`, `event-bus`, `schedule`, `cloudwatch-log`) the job's
    trigger function failed on, which Lambda invokes it with again: what every attempt
    passes to `BatchService.start`, and its request id (`id`), the same for every attempt."""

    __slots__ = ("attempts", "event", "extra", "first_at", "id", "job", "source", "trigger")

    def __init__(
        self,
        eid: str,
        job: str,
        event: Any,
        trigger: str,
        source: str,
        extra: dict[str, Any] | None,
        now: int,
    ) -> None:
        self.id = eid
        self.job = job
        self.event = event
        self.trigger = trigger
        self.source = source
        self.extra = extra
        self.first_at = now
        self.attempts = 1


def _attempt_env_entries(attempts: int, attempt: int, region: str) -> list[dict[str, str]]:
    """ContainerOverrides.Environment of one attempt, as AWS Batch's API writes it, with an
    empty STP_TRIGGER_EVENT_DATA (what `_refusal` measures the rest of the request by)."""
    return [
        {"name": name, "value": value}
        for name, value in _attempt_env_values("", attempts, attempt, region).items()
    ]


def _attempt_env_values(
    event_json: str, attempts: int, attempt: int, region: str
) -> dict[str, str]:
    return {
        "STP_TRIGGER_EVENT_DATA": event_json,
        "STP_MAXIMUM_ATTEMPTS": str(attempts),
        "STP_CURRENT_ATTEMPT": str(attempt),
        "AWS_REGION": region,
        SFN_FLAG[0]: SFN_FLAG[1],
    }


def _attempt_env(ex: Execution, attempts: int, attempt: int, region: str) -> dict[str, str]:
    """The container environment of one attempt: what Stacktape's state machine passes in
    ContainerOverrides, and the flag Step Functions adds."""
    return _attempt_env_values(ex.event_json, attempts, attempt, region)


@dataclass(slots=True)
class AttemptRecord:
    """One finished attempt of a submitted job, as DescribeJobs lists it."""

    started_at: int
    stopped_at: int
    reason: str
    exit_code: int | None
    # The key of its container's log stream (None when the job has no log group): the stream
    # is named only when DescribeJobs is read (LogGroupSim.container_stream).
    log_key: str | None = None


@dataclass(slots=True)
class DirectJob:
    """A job a state machine submitted to AWS Batch itself (SubmitJob): the request's
    values and what DescribeJobs reports of it. `on_end` hears the job end (not a
    termination, which its caller asked for)."""

    name: str
    queue: str
    definition: str
    parameters: dict[str, str]
    environment: dict[str, str]
    attempts: int
    timeout_s: int | None
    on_end: Callable[[Execution], None] | None = None
    history: list[AttemptRecord] = field(default_factory=list)
    started_at: int | None = None  # of the attempt that runs now
    status_reason: str | None = None
    # Why AWS Batch fails the job before any container starts (its overrides are too long).
    refused: str | None = None

    def env(self) -> dict[str, str]:
        """The container environment the request gives (Step Functions adds its flag)."""
        return {**self.environment, SFN_FLAG[0]: SFN_FLAG[1]}


@dataclass(slots=True, frozen=True)
class FailedTrigger:
    """One failure of the job's trigger function (`batch.trigger_failed`): StartExecution
    refused its input, so no execution started. `request_id` is the trigger function's."""

    at: int
    request_id: str
    trigger: str
    source: str
    error: str
    message: str


# DescribeJobs' statusReason of an attempt: the container's exit, or Batch's own timeout.
EXITED_REASON = "Essential container in task exited"
TIMEOUT_REASON = "Job attempt duration exceeded timeout"


class Execution:
    """One state machine execution: the job's attempts for one trigger event (or, with
    `direct`, one AWS Batch job a user's state machine submitted)."""

    __slots__ = (
        "_event",
        "_event_json",
        "_event_sizes",
        "arn",
        "attempt",
        "cause",
        "direct",
        "ended_at",
        "error",
        "error_message",
        "fits",
        "given_job_name",
        "id",
        "input_text",
        "job",
        "pending",
        "redrive_count",
        "redrive_ms",
        "source",
        "status",
        "stopped_in",
        "submitted_at",
        "trigger",
    )

    def __init__(
        self, eid: str, arn: str, job: str, trigger: str, source: str, event: Any, now: int
    ) -> None:
        self.id = eid
        self.arn = arn
        self.job = job
        self.trigger = trigger
        self.source = source
        self._event = event  # may be a Deferred, like the schedule envelope
        self._event_json: str | None = None
        self._event_sizes: tuple[int, int] | None = None
        self.submitted_at = now
        self.attempt = 0
        # RUNNING (an attempt runs or a retry waits), SUCCEEDED, FAILED, ABORTED (stopped).
        self.status = "RUNNING"
        self.ended_at: int | None = None
        self.error: str | None = None
        # DescribeExecution's cause: States.Runtime's, or StopExecution's (Stacktape's Fail
        # state names none).
        self.cause: str | None = None
        # What `show job` gives beside the error, which Stacktape's Fail state does not
        # pass on to DescribeExecution: the last attempt's error message (as its
        # `batch.attempt.failed` record holds it), TerminateJob's reason, or the cause.
        self.error_message: str | None = None
        self.direct: DirectJob | None = None
        # The `jobName` a function's own StartExecution gave (None: the trigger function's).
        self.given_job_name: str | None = None
        # The input text a function's own StartExecution gave (None: the trigger function's
        # `{triggerEvent, jobName}`, made when DescribeExecution asks for it).
        self.input_text: str | None = None
        # Whether the trigger event is short enough for every size check of every attempt
        # (`BatchJobSim.event_room`): measured once, when the execution starts, so that only
        # the rare longer event is measured against each attempt's requests.
        self.fits = True
        # The clock entry that ends the running attempt or starts the next one.
        self.pending: Entry | None = None
        # Where StopExecution found it ("attempt": an attempt's Task, "wait": the Wait
        # before the next, None: not stopped): where a redrive goes on from.
        self.stopped_in: str | None = None
        # RedriveExecution: how many times, and when last.
        self.redrive_count = 0
        self.redrive_ms: int | None = None

    @property
    def event(self) -> Any:
        """The trigger event."""
        event = self._event
        if type(event) is Deferred:
            event = self._event = event.get()
        return event

    @property
    def event_json(self) -> str:
        """`STP_TRIGGER_EVENT_DATA`: the trigger event as the helper Lambda stringifies it."""
        if self._event_json is None:
            self._event_json = trigger_event_json(self.event)
        return self._event_json

    @event_json.setter
    def event_json(self, text: str) -> None:
        # A StartExecution's own triggerEvent string, given as the caller wrote it.
        self._event_json = text

    def event_sizes(self) -> tuple[int, int]:
        """`STP_TRIGGER_EVENT_DATA` as a JSON string inside a request's JSON: its length in
        characters and in UTF-8 bytes (each `"` and `\\` of the event's JSON is escaped; the
        JSON text holds no control character unescaped). A method, not a property: every
        execution's start reads it, and CPython 3.11 does not specialise a property's call."""
        if self._event_sizes is None:
            # A schedule's envelope knows them unbuilt (payloads.Deferred.json_sizes).
            known = getattr(self._event, "json_sizes", None)
            self._event_sizes = known or json_string_sizes(self.event_json)
        return self._event_sizes

    def behavior_event(self) -> dict[str, Any]:
        """What behaviour conditions and Python handlers see: the raw trigger event (the
        parsed `STP_TRIGGER_EVENT_DATA`); a non-object event is wrapped as `{payload: ...}`."""
        return self.event if isinstance(self.event, dict) else {"payload": self.event}


class BatchJobSim:
    """The simulated state of one batch job: its configuration and its executions."""

    def __init__(
        self,
        model: BatchJob,
        state_machine_arn: str,
        stack_name: str,
        quick: QuickDecider | None = None,
        imports: bool = False,
    ) -> None:
        self.name = model.name
        self.model = model
        self.state_machine_arn = state_machine_arn
        self.attempts = model.attempts
        self.interval_s = model.retry_interval_s
        # Stacktape writes `retryIntervalMultiplier || 1` into the Wait state: 0 counts as 1.
        self.multiplier = model.retry_multiplier or 1
        self.timeout_ms = (model.timeout_s or 0) * 1000
        # Overrides (`fail`, `succeed`, `slow`) apply to attempts as they do to invocations.
        self.overrides: list[Override] = []
        # Deciding without building the attempt's input, for simple behaviours (resolved
        # once, as a function's is: the behaviours do not change while the simulator runs).
        self.quick = quick
        # ... and without calling it, when every attempt of Stacktape's state machine gets the
        # same outcome (FunctionSim._fixed); a submitted job's own timeout may differ.
        self.fixed = None if quick is None else quick.fixed(self.timeout_ms)
        # Its log group (services.log_group wires it; None with logging disabled).
        self.logs: LogGroupSim | None = None
        # Whether each attempt's container imports its Python handler's module afresh (a
        # new process each: Behaviors.open_attempt).
        self.imports = imports
        self.attempts_run = 0
        # Per attempt number: its SubmitJob's size without the event and the job's name,
        # and its overrides' without the event (BatchService._request_sizes).
        self.request_sizes: dict[int, tuple[int, int]] = {}
        # The longest trigger event (characters, UTF-8 bytes, as `Execution.event_sizes`)
        # that every check of AWS's sizes passes at every attempt (BatchService._event_room):
        # nearly every event is shorter, and is then measured against nothing more.
        self.event_room: tuple[int, int] | None = None
        self.running: dict[str, Execution] = {}
        self.recent: deque[Execution] = deque(maxlen=RECENT_EXECUTIONS)
        # Its trigger function's failures, which started no execution (kept as `recent`),
        # and how many there were in all.
        self.failed_triggers: deque[FailedTrigger] = deque(maxlen=RECENT_EXECUTIONS)
        self.triggers_failed = 0
        # Each execution once, by how it stands (a redrive takes it out of `failed` until
        # it ends again); and how many redrives were made.
        self.counts = {"submitted": 0, "succeeded": 0, "failed": 0}
        self.redriven = 0
        # Its job definition's ARN (what a `JobDefinition` parameter may give), and the ARN
        # of the job queue Stacktape's state machine submits its attempts to.
        self.definition_arn = ""
        self.queue_arn = ""
        # The trigger function's BATCH_JOB_NAME_BASE: the jobs its executions submit are
        # named by it, its executions by its first 40 characters (both then `-{request id}`).
        self.job_name_base = batch_job_name_base(stack_name, model.name)
        self.name_base = self.job_name_base[:EXECUTION_NAME_BASE_CHARS]
        # The UTF-8 length of every `jobName` of Stacktape's attempts (`job_name`): the
        # execution ids in them all have the length of a UUID.
        self.job_name_bytes = len(self.job_name_base.encode()) + 1 + len(_ID_SHAPE)
        # An execution's ARN is this, `:` and its name.
        self.executions_arn = state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        # The trigger function's executions' ARN is this followed by its id.
        self.execution_arn_prefix = f"{self.executions_arn}:{self.name_base}-"
        # The executions a function's code named, by name, with the input each started with:
        # StartExecution's name is unique per state machine (`BatchService.start_execution`).
        self.named: dict[str, tuple[Any, Execution]] = {}
        self.attempt_label = ("batch-attempt", self.name, _attempt_execution_id)
        # The end of an attempt whose job AWS refused (`BatchService._refused`): the agenda
        # reads it as any attempt's end, but it is a tuple of its own.
        self.refused_label = ("batch-attempt", self.name, _attempt_execution_id)
        self.retry_label = ("batch-retry", self.name, _EXECUTION_ID)
        self.start_failed_label = ("batch-start-failed", self.name, _failing_execution_id)
        # A job a state machine submitted that AWS Batch fails before its container starts.
        self.job_failed_label = ("batch-job-failed", self.name, _failing_execution_id)
        # Lambda's retry of an asynchronous event its trigger function failed on, read in the
        # agenda as a function's is.
        self.trigger_retry_label = ("async-retry", self.name, _EXECUTION_ID)

    def execution_input(self, ex: Execution) -> str:
        """Execution `ex`'s input as DescribeExecution gives it: the text a function's own
        StartExecution gave, else the trigger function's `JSON.stringify({triggerEvent,
        jobName})`."""
        if ex.input_text is not None:
            return ex.input_text
        return compact_json({"triggerEvent": ex.event_json, "jobName": self.job_name(ex)})

    def job_name(self, ex: Execution) -> str:
        """The `jobName` execution `ex` gives SubmitJob: the trigger function's
        `{BATCH_JOB_NAME_BASE}-{request id}` (the execution's id stands for the request id),
        the `jobName` of a function's own StartExecution input, or what a user's state
        machine asked for."""
        if ex.direct is not None:
            return ex.direct.name
        if ex.given_job_name is not None:
            return ex.given_job_name
        return f"{self.job_name_base}-{ex.id}"

    def retry_wait_ms(self, failed_attempt: int) -> int:
        """The Wait state after failed attempt `failed_attempt` (1-based), in milliseconds."""
        return round(self.interval_s * failed_attempt * self.multiplier * 1000)


class BatchService:
    """Every batch job of the stack, and the state machine that runs their attempts."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.jobs: dict[str, BatchJobSim] = {}
        # Stacktape's state machine retries a timed-out attempt; False gives AWS Batch's
        # own rule (a job its retryStrategy saw time out is not retried).
        self.retry_timed_out = True
        # The mappings of the jobs' `sqs` events (stptui.sim.mappings pauses them).
        self.sqs_sources: list[BatchSqsSource] = []
        # One bound method for the timers of all attempts' ends, not one made for each.
        self._end_attempt_cb = self._end_attempt
        for job in sim.stack.batch_jobs:
            simulated = self.jobs[job.name] = BatchJobSim(
                job,
                sim.resource_param(job.name, "stateMachineArn"),
                sim.stack.stack_name,
                sim.behaviors.quick(job.name),
                sim.behaviors.imports_per_attempt(job.name),
            )
            simulated.definition_arn = sim.resource_param(job.name, "jobDefinitionArn")
            queue = batch_job_queue_name(sim.stack.stack_name, spot=job.use_spot, gpu=bool(job.gpu))
            simulated.queue_arn = f"arn:aws:batch:{sim.region}:{sim.account_id}:job-queue/{queue}"

    def job(self, name: str) -> BatchJobSim:
        """The batch job called `name`, or a SimError with a did-you-mean."""
        from stptui.sim.engine import SimError

        hit = self.jobs.get(name)
        if hit is not None:
            return hit
        from stptui.config.diagnostics import did_you_mean, with_article

        other = self.sim.stack.resources.get(name)
        if other is not None:
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not a batch job",
                _job_choices(self.jobs),
                word=name,
            )
        guess = did_you_mean(name, self.jobs)
        raise SimError(
            f"no batch job named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else _job_choices(self.jobs),
            word=name,
        )

    def find(self, text: str) -> Execution | None:
        """The one execution of a job's state machine kept (`recent`) that `text` names: its
        ARN, its name, or a unique start of its id; None when none or several do."""
        if not text:
            return None
        found = [
            ex
            for job in self.jobs.values()
            for ex in job.recent
            if ex.direct is None
            and (text == ex.arn or text == ex.arn.rsplit(":", 1)[1] or ex.id.startswith(text))
        ]
        return found[0] if len(found) == 1 else None

    def start(
        self,
        job_name: str,
        trigger_event: Any,
        trigger: str,
        source: str,
        extra: dict[str, Any] | None = None,
        execution_id: str | None = None,
        direct: DirectJob | None = None,
        arn: str | None = None,
    ) -> str:
        """Start an execution of `job_name` for one trigger event now; returns its id.

        The first attempt starts at once (the helper Lambda and Step Functions add no
        simulated latency). `extra` fields go into the `batch.submitted` record;
        `execution_id` is for a caller that must name the execution before it starts.
        `direct` makes it one AWS Batch job of that request (see `submit`), and `arn` the
        ARN its records carry. Raises TriggerFailed when the trigger function's
        StartExecution input would be over 256 KiB (no execution starts; callers decide what
        the failed trigger function means for their event). (No keyword-only parameters:
        CPython 3.11 does not specialise a call of a function that has them, and every
        scheduled job's fire calls this.)"""
        sim = self.sim
        job = self.jobs.get(job_name)
        if job is None:
            job = self.job(job_name)  # raises, with a did-you-mean
        now = sim.clock.now
        ready = sim.ids_ready  # `Simulator.new_id`'s commonest case, inlined
        eid = execution_id or (ready.pop() if ready else sim.new_id())
        ex = Execution(
            eid,
            arn or job.execution_arn_prefix + eid,
            job.name,
            trigger,
            source,
            trigger_event,
            now,
        )
        ex.direct = direct
        if direct is None:
            chars, size = ex.event_sizes()
            room = job.event_room or self._event_room(job)
            if chars > room[0] or size > room[1]:
                ex.fits = False
                refused = self._input_refusal(job, ex)
                if refused is not None:
                    self._trigger_failed(job, ex, refused, extra)
        attempts = job.attempts if direct is None else direct.attempts
        self._submitted(job, ex, trigger, source, attempts, extra, now)
        if direct is not None and direct.refused is not None:
            # AWS Batch fails the job before any container starts, after SubmitJob answered:
            # no attempt (DescribeJobs lists none), and its RetryStrategy retries nothing.
            ex.pending = sim.clock.at(
                now, self._fail_at_start, (ex, direct.refused), job.job_failed_label
            )
        else:
            self._start_attempt(ex, job)
        return eid

    def _submitted(
        self,
        job: BatchJobSim,
        ex: Execution,
        trigger: str,
        source: str,
        attempts: int,
        extra: dict[str, Any] | None,
        now: int,
    ) -> None:
        """Count and keep the new execution `ex` of `job` as running, and record its
        `batch.submitted` (`extra` fields after the usual ones)."""
        job.counts["submitted"] += 1
        job.running[ex.id] = ex
        job.recent.append(ex)
        emit = self.sim.trace.emit
        if extra:
            data = {
                "execution_id": ex.id,
                "execution_arn": ex.arn,
                "trigger": trigger,
                "source": source,
                "attempts": attempts,
                **extra,
            }
            emit((now, tk.BATCH_SUBMITTED, job.name, data))
        else:
            emit(
                (
                    now,
                    tk.BATCH_SUBMITTED,
                    job.name,
                    ex.id,
                    ex.arn,
                    trigger,
                    source,
                    attempts,
                    _SUBMITTED_FIELDS,
                )
            )

    def input_error(self, job_name: str, event: Any) -> str | None:
        """Why StartExecution would refuse the trigger function's input for `event` (too
        big), or None: what a command checks before it changes anything."""
        job = self.job(job_name)
        # Measured with an id of the length every execution id has: it is in the job name.
        probe = Execution(_ID_SHAPE, "", job.name, "", "", event, 0)
        return self._input_refusal(job, probe)

    def _input_refusal(self, job: BatchJobSim, ex: Execution) -> str | None:
        """The trigger function's `JSON.stringify({triggerEvent, jobName})`, measured: the
        error text when it is over StartExecution's 256 KiB, else None."""
        size = _input_bytes(job, ex.event_sizes()[1])
        if size <= MAX_EXECUTION_INPUT_BYTES:
            return None
        return (
            f"InvalidExecutionInput: the input is {size:,} bytes; an execution's input is at "
            f"most {MAX_EXECUTION_INPUT_BYTES:,} (256 KiB)"
        )

    def _trigger_failed(
        self, job: BatchJobSim, ex: Execution, message: str, extra: dict[str, Any] | None
    ) -> NoReturn:
        """Record that the trigger function failed on StartExecution, and raise it."""
        sim = self.sim
        error, _, text = message.partition(": ")
        data = {
            "invocation_id": ex.id,
            "trigger": ex.trigger,
            "source": ex.source,
            "error": error,
            "error_message": text,
            **(extra or {}),
        }
        now = sim.clock.now
        sim.trace.emit((now, tk.BATCH_TRIGGER_FAILED, job.name, data))
        job.failed_triggers.append(FailedTrigger(now, ex.id, ex.trigger, ex.source, error, text))
        job.triggers_failed += 1
        raise TriggerFailed(ex.id, message)

    def retry_async(
        self,
        failed: TriggerFailed,
        job_name: str,
        event: Any,
        trigger: str,
        source: str,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """The trigger function failed (`failed`, raised by `start`) on an event Lambda had
        queued for it asynchronously, which answered the service that sent it as delivered:
        Lambda invokes the function with the event again, as for any function (1 and then 2
        minutes later, `function.async_retry`), each attempt starting the execution with the
        same request id or failing as the first did; the trigger function has no
        destination, so after the last the event is dropped (`invocation.discarded`).
        Returns the event's request id."""
        now = self.sim.clock.now
        ev = AsyncTrigger(failed.request_id, job_name, event, trigger, source, extra, now)
        self._trigger_retry_or_drop(ev)
        return ev.id

    def _retry_trigger(self, ev: AsyncTrigger) -> None:
        ev.attempts += 1
        try:
            self.start(ev.job, ev.event, ev.trigger, ev.source, ev.extra, execution_id=ev.id)
        except TriggerFailed:
            self._trigger_retry_or_drop(ev)

    def _trigger_retry_or_drop(self, ev: AsyncTrigger) -> None:
        """After a failed attempt of `ev`: its next attempt, or the end of it."""
        sim = self.sim
        now = sim.clock.now
        at, condition = async_retry(ev.attempts, ev.first_at, now, ASYNC_MAX_EVENT_AGE_MS)
        if at is None:
            data = {"event_id": ev.id, "condition": condition, "attempts": ev.attempts}
            sim.trace.emit((now, tk.INVOCATION_DISCARDED, ev.job, data))
            return
        data = {"event_id": ev.id, "attempt": ev.attempts + 1, "at": iso_ms(at)}
        sim.trace.emit((now, tk.INVOCATION_RETRY_SCHEDULED, ev.job, data))
        sim.clock.at(at, self._retry_trigger, ev, self.jobs[ev.job].trigger_retry_label)

    def submit(self, job_name: str, request: DirectJob, event: Any, source: str, arn: str) -> str:
        """SubmitJob of the job's definition by a state machine (execution `arn`): one AWS
        Batch job, its id returned, whose attempts follow `request`. Behaviours see
        `event`; the job's records carry `arn`, so `explain` links them to the execution."""
        return self.start(job_name, event, "step-functions", source, direct=request, arn=arn)

    def start_execution(self, emission: Emission, source: str) -> dict[str, Any]:
        """A function's StartExecution of the job's state machine (a `startExecution`
        emission naming the job, or its `STP_{JOB}_STATE_MACHINE_ARN`): StartExecution's
        rules (input JSON of at most 256 KiB, the name's rules, ExecutionAlreadyExists; a
        SimError with Step Functions' words), then the execution as Stacktape's state machine
        runs it on that input (see the module's docstring). Returns StartExecution's answer
        (boto3 reads `startDate` as a datetime). `source` names the invocation."""
        from stptui.sim.engine import SimError
        from stptui.sim.services.state_machine import ExecutionError, execution_input

        sim = self.sim
        job = self.job(emission.target)
        text: str = emission.fields["input"]
        try:
            raw = execution_input(text)
        except ExecutionError as exc:
            raise SimError(str(exc), exc.hint) from None
        name: str | None = emission.fields["name"]
        if name is not None:
            old = self._named(job, name, raw)
            if old is not None:
                return _started(old)
        ready = sim.ids_ready
        eid = ready.pop() if ready else sim.new_id()
        now = sim.clock.now
        fields = raw if isinstance(raw, dict) else {}
        event_text = fields.get("triggerEvent")
        ex = Execution(
            eid,
            f"{job.executions_arn}:{name or eid}",
            job.name,
            START_EXECUTION_TRIGGER,
            source,
            _trigger_event(event_text),
            now,
        )
        ex.input_text = text
        if name is not None:
            job.named[name] = (raw, ex)
        failure = _first_task_failure(job, raw)
        if failure is None:
            # STP_TRIGGER_EVENT_DATA is the string the caller gave, as it gave it.
            ex.event_json = event_text
            ex.given_job_name = fields["jobName"]
            # Measured against AWS's limits at each attempt (`_refusal`): the caller's
            # jobName has its own length.
            ex.fits = False
        self._submitted(job, ex, START_EXECUTION_TRIGGER, source, job.attempts, None, now)
        if failure is None:
            self._start_attempt(ex, job)
        else:
            # After StartExecution has answered, as the execution's first state runs.
            ex.pending = sim.clock.at(
                now, self._fail_at_start, (ex, failure), job.start_failed_label
            )
        return _started(ex)

    def _named(self, job: BatchJobSim, name: str, raw: Any) -> Execution | None:
        """StartExecution's rules for a `name`: its characters (InvalidName,
        ValidationException), and one name per state machine (ExecutionAlreadyExists), but
        a running execution started with the same input is answered again (StartExecution is
        idempotent then). That execution, or None for a new one."""
        from stptui.sim.engine import SimError

        # Lazily: the rules live with Step Functions' service, which most stacks never load.
        from stptui.sim.services.state_machine import ExecutionError, check_execution_name

        try:
            check_execution_name(name)
        except ExecutionError as exc:
            raise SimError(str(exc), exc.hint) from None
        used = job.named.get(name)
        if used is None:
            return None
        old_input, old = used
        if old.status == "RUNNING" and old_input == raw:
            return old
        raise SimError(
            f"ExecutionAlreadyExists: Execution Already Exists: '{old.arn}'",
            "names are unique per state machine for 90 days; give another name or none for a "
            "generated one",
        )

    def _fail_at_start(self, arg: tuple[Execution, str]) -> None:
        """`ex` ends before any attempt: the execution's first Task could not start
        (`_first_task_failure`; States.Runtime, the cause given), or AWS Batch failed the
        job a state machine submitted before its container started (`DirectJob.refused`,
        the status reason given; its Task fails with States.TaskFailed)."""
        ex, cause = arg
        ex.pending = None
        job = self.jobs[ex.job]
        direct = ex.direct
        error = "States.Runtime" if direct is None else "States.TaskFailed"
        data = {"execution_id": ex.id, "attempts": 0, "error": error, "error_message": cause}
        self.sim.trace.emit((self.sim.clock.now, tk.BATCH_FAILED, job.name, data))
        self._finish(ex, job, "FAILED", error, cause)
        if direct is None:
            ex.cause = cause
        else:
            direct.status_reason = cause
            self._ended(ex)

    def terminate(self, ex: Execution, reason: str) -> None:
        """TerminateJob: a running job fails now with `reason` (its caller is not told)."""
        direct = ex.direct
        if ex.status != "RUNNING" or direct is None:
            return
        sim = self.sim
        now = sim.clock.now
        job = self.jobs[ex.job]
        running: AttemptArg | None = None
        if ex.pending is not None:
            if direct.started_at is not None:
                running = ex.pending[ARG]
            sim.clock.cancel(ex.pending)
            ex.pending = None
        direct.status_reason = reason
        if direct.started_at is not None:
            key = running[4] if running is not None else None
            direct.history.append(AttemptRecord(direct.started_at, now, reason, None, key))
            self._attempt_terminated(ex, job, reason, direct.started_at)
            if running is not None:
                self._container_logs(running)
            direct.started_at = None
        sim.trace.emit(
            (
                now,
                tk.BATCH_FAILED,
                job.name,
                {"execution_id": ex.id, "attempts": ex.attempt, "error": "JobTerminated"},
            )
        )
        self._finish(ex, job, "FAILED", "JobTerminated", reason)

    def stop_execution(self, ex: Execution, error: str | None, cause: str | None) -> None:
        """StopExecution of an execution of the job's state machine (not a job a user's state
        machine submitted): it ends ABORTED now. Its running attempt is a `.sync` task, so
        Step Functions terminates that AWS Batch job (`batch.attempt.failed` JobTerminated);
        a retry's Wait just ends. `batch.failed` records the end with the error
        `ExecutionAborted` (stptui's name) and StopExecution's error and cause, if any."""
        from stptui.sim.asl_jobs import TERMINATE_REASON

        sim = self.sim
        now = sim.clock.now
        job = self.jobs[ex.job]
        running: AttemptArg | None = None
        if ex.pending is not None:
            if ex.pending[LABEL] in (job.attempt_label, job.refused_label):
                running = ex.pending[ARG]
            if running is not None:
                ex.stopped_in = "attempt"
            elif ex.pending[LABEL] is job.retry_label:
                ex.stopped_in = "wait"
            sim.clock.cancel(ex.pending)
            ex.pending = None
        if running is not None:
            self._attempt_terminated(ex, job, TERMINATE_REASON, running[3])
            self._container_logs(running)
        data: dict[str, Any] = {
            "execution_id": ex.id,
            "attempts": ex.attempt,
            "error": "ExecutionAborted",
        }
        detail = ": ".join(t for t in (error, cause) if t)
        if detail:
            data["error_message"] = detail
        sim.trace.emit((now, tk.BATCH_FAILED, job.name, data))
        self._finish(ex, job, "ABORTED", error, cause)
        ex.cause = cause

    def redrive(self, ex: Execution) -> None:
        """RedriveExecution of an execution of the job's state machine (Stacktape makes it
        STANDARD, so Step Functions takes the call): it goes on from the state it stopped
        in, as a state machine's does. Stopped during an attempt, that attempt's Task runs
        again (a new AWS Batch job, the same STP_CURRENT_ATTEMPT); during the Wait after
        attempt N, the Wait runs again in full, then attempt N + 1. Failed after its last
        attempt, it ended in Stacktape's `fail` state, which is what runs again: it fails
        again at once, with no attempt. Failed with States.Runtime (an input the first Task
        cannot read), that Task runs again and fails the same way. Raises SimError with
        ExecutionNotRedrivable and AWS's reason otherwise."""
        from stptui.sim.engine import SimError

        sim = self.sim
        now = sim.clock.now
        if ex.direct is not None:
            raise SimError(
                f"{ex.id} is an AWS Batch job a state machine submitted, not an execution",
                "redrive the execution whose task submitted it",
            )
        reason = redrive_status(ex, now)[1]
        if reason is not None:
            raise SimError(
                f"ExecutionNotRedrivable: {reason}",
                "only a FAILED or ABORTED execution can be redriven, within 14 days of its "
                "stop; start the job again instead",
            )
        job = self.jobs[ex.job]
        where, ex.stopped_in = ex.stopped_in, None
        error, cause, message = ex.error, ex.cause, ex.error_message
        ex.redrive_count += 1
        ex.redrive_ms = now
        ex.status, ex.ended_at, ex.error, ex.cause = "RUNNING", None, None, None
        ex.error_message = None
        job.counts["failed"] -= 1
        job.redriven += 1
        job.running[ex.id] = ex
        sim.trace.emit(
            (
                now,
                tk.BATCH_REDRIVEN,
                job.name,
                {
                    "execution_id": ex.id,
                    "execution_arn": ex.arn,
                    "redrive_count": ex.redrive_count,
                    # The attempt it goes on with (None: it fails again at once).
                    "attempt": {"attempt": ex.attempt, "wait": ex.attempt + 1}.get(where),
                },
            )
        )
        if where == "wait":
            at = now + job.retry_wait_ms(ex.attempt)
            ex.pending = sim.clock.at(at, self._retry, ex, job.retry_label)
        elif where == "attempt":
            ex.attempt -= 1
            self._start_attempt(ex, job)
        elif ex.attempt == 0:
            # The same input: the first Task fails the same way (stopped as it failed, its
            # cause is worked out again).
            failure = _first_task_failure(job, jsontext.loads(job.execution_input(ex)))
            self._fail_at_start((ex, failure or cause or ""))
        else:
            # Stacktape's `fail` state again (it names no error or cause): the record keeps
            # the last attempt's error, as the first end's did.
            data = {"execution_id": ex.id, "attempts": ex.attempt, "error": error}
            sim.trace.emit((now, tk.BATCH_FAILED, job.name, data))
            self._finish(ex, job, "FAILED", error, message)

    def _attempt_terminated(
        self, ex: Execution, job: BatchJobSim, reason: str, started: int
    ) -> None:
        """The running attempt (started at `started`) of `ex` ended now by TerminateJob."""
        now = self.sim.clock.now
        self.sim.trace.emit(
            (
                now,
                tk.BATCH_ATTEMPT_FAILED,
                job.name,
                {
                    "execution_id": ex.id,
                    "attempt": ex.attempt,
                    "error": "JobTerminated",
                    "error_message": reason,
                    "timeout": False,
                    "duration_ms": now - started,
                    "retry_at": None,
                },
            )
        )

    def _start_attempt(self, ex: Execution, job: BatchJobSim) -> None:
        sim = self.sim
        now = sim.clock.now
        ex.attempt += 1
        direct = ex.direct
        timeout_ms = job.timeout_ms
        # What AWS refuses of the job (see `_refusal`): (error, message, whether AWS Batch
        # made a job), else None.
        refusal: tuple[str, str, bool] | None = None
        if direct is None:
            # The environment goes into the record unbuilt: most attempts' records are never
            # opened, and building the event's JSON again is the costliest part of an attempt.
            env = Deferred(_attempt_env, ex, job.attempts, ex.attempt, sim.region)
            # Measured when the execution started (`start`).
            if not ex.fits:
                refusal = self._refusal(ex, job, ex.attempt)
            # Each attempt is its own AWS Batch job, but SubmitJob refused makes none
            # (`Simulator.new_id`, inlined).
            if refusal is None or refusal[2]:
                ready = sim.ids_ready
                batch_job_id = ready.pop() if ready else sim.new_id()
            else:
                batch_job_id = None
        else:
            env = Deferred(direct.env)
            batch_job_id = ex.id  # AWS Batch's attempts of one job keep its id
            direct.started_at = now
            timeout_ms = (direct.timeout_s or 0) * 1000
        sim.trace.emit(
            (
                now,
                tk.BATCH_ATTEMPT_STARTED,
                job.name,
                ex.id,
                ex.attempt,
                batch_job_id,
                env,
                _ATTEMPT_STARTED_FIELDS,
            )
        )
        if refusal is not None:
            self._refused(ex, job, refusal[0], refusal[1])
            return
        job.attempts_run += 1
        logs = job.logs
        key = None
        if logs is not None:
            # Each attempt runs a new container with a log stream of its own, named by its
            # AWS Batch job id (a submitted job's attempts share that id: add the attempt).
            key = batch_job_id if direct is None else f"{batch_job_id}:{ex.attempt}"
            # LogGroupSim.container, inlined: every attempt of every job passes here.
            logs.containers += 1
            logs.newest = key
        # Simple behaviours decide without the attempt's input, as a function's do.
        quick = None if job.overrides else job.quick
        if quick is not None:
            outcome = job.fixed if direct is None else None
            if outcome is None:
                outcome = quick(job.attempts_run, timeout_ms, "batch", sim.rng)
        else:
            inp = InvocationInput(
                job.name,
                ex.attempt,
                job.attempts_run,
                "batch",
                now,
                timeout_ms,
                ex.behavior_event,
                None,
                batch_job_id,
                environment=env.get,
                sim=sim,
                invocation_id=ex.id,
            )
            if job.imports:
                # A new container: its process imports the handler's module first, and
                # writes what that printed before the attempt's own lines.
                inp.execution_env = ATTEMPT_ENV
                lines = sim.behaviors.open_attempt(inp)
                for line in lines:
                    sim.trace.emit((now, tk.HANDLER_LOG, job.name, {"text": line}))
                if lines and logs is not None and key is not None:
                    logs.init(logs.container_stream(key), now, lines)
            outcome = sim.behaviors.decide(inp, sim.rng, job.overrides)
            if job.overrides:
                job.overrides = [o for o in job.overrides if not o.used_up]
        for line in outcome.logs:
            sim.trace.emit((now, tk.HANDLER_LOG, job.name, {"execution_id": ex.id, "text": line}))
        ex.pending = sim.clock.at(
            now + outcome.duration_ms,
            self._end_attempt_cb,
            (ex, job, outcome, now, key),
            job.attempt_label,
        )

    def no_container(self, ex: Execution) -> tuple[str, str] | None:
        """Why no attempt of `ex` made so far started a container, when AWS refused the job
        of every one (`_refusal`; a submitted job: AWS Batch failed it first, so that it made
        no attempt): the error and the message of the last; None when one started, or none
        was made. Worked out again when asked (what `show event` says), so that an attempt
        records nothing more."""
        direct = ex.direct
        if direct is not None:
            return None if direct.refused is None else ("States.TaskFailed", direct.refused)
        if ex.attempt == 0 or ex.fits:
            return None
        job = self.jobs[ex.job]
        last: tuple[str, str, bool] | None = None
        for attempt in range(1, ex.attempt + 1):
            last = self._refusal(ex, job, attempt)
            if last is None:
                return None
        return None if last is None else (last[0], last[1])

    def _refusal(
        self, ex: Execution, job: BatchJobSim, attempt: int
    ) -> tuple[str, str, bool] | None:
        """What AWS refuses of the job attempt `attempt` of Stacktape's state machine submits,
        as (the error its Task state gets, the message, whether AWS Batch made a job): a
        `jobName` AWS Batch does not take (given by a function's own StartExecution), a
        SubmitJob over 30 KiB, or container overrides over 8,192 characters. The request is
        the state machine's (stacktape `batch-jobs/utils.ts`), as JSON in AWS Batch's names;
        the event's JSON, a string in it, is measured once per execution."""
        given = ex.given_job_name
        if given is not None:
            problem = job_name_problem(given)
            if problem is not None:
                return ("Batch.AWSBatchException", problem, False)
        payload, overrides = self._submit_sizes(job, attempt, *ex.event_sizes())
        if given is not None:
            # The request holds the caller's name (no character of it escaped), not one of
            # the trigger function's.
            payload += len(given) - job.job_name_bytes
        if payload > MAX_SUBMIT_JOB_BYTES:
            return ("Batch.ClientException", job_size_message(payload), False)
        if overrides > MAX_OVERRIDES_CHARS:
            return ("States.TaskFailed", OVERRIDES_REASON, True)
        return None

    def _submit_sizes(
        self, job: BatchJobSim, attempt: int, chars: int, size: int
    ) -> tuple[int, int]:
        """Attempt `attempt`'s SubmitJob request in UTF-8 bytes and its container overrides
        in characters, for an event whose JSON string has `chars` characters and `size` UTF-8
        bytes (`Execution.event_sizes`)."""
        fixed = job.request_sizes.get(attempt)
        if fixed is None:
            fixed = job.request_sizes[attempt] = self._request_sizes(job, attempt)
        return fixed[0] + job.job_name_bytes + size, fixed[1] + chars

    def _event_room(self, job: BatchJobSim) -> tuple[int, int]:
        """The longest event, in characters and in UTF-8 bytes as a JSON string, that
        StartExecution's input, SubmitJob's payload and the container overrides all take at
        every attempt of the job (kept in `job.event_room`): each limit less the size that
        request has with an empty event (each grows by the event's size and no more)."""
        most_bytes = MAX_EXECUTION_INPUT_BYTES - _input_bytes(job, 0)
        most_chars = most_bytes
        for attempt in range(1, job.attempts + 1):
            payload, overrides = self._submit_sizes(job, attempt, 0, 0)
            most_bytes = min(most_bytes, MAX_SUBMIT_JOB_BYTES - payload)
            most_chars = min(most_chars, MAX_OVERRIDES_CHARS - overrides)
        job.event_room = (most_chars, most_bytes)
        return job.event_room

    def _request_sizes(self, job: BatchJobSim, attempt: int) -> tuple[int, int]:
        """Attempt `attempt`'s SubmitJob request in UTF-8 bytes and its containerOverrides in
        characters, as JSON, without the event's JSON string (and the request without the
        job's name): the same for every execution of the job."""
        env = _attempt_env_entries(job.attempts, attempt, self.sim.region)
        overrides = {"environment": env}
        request: dict[str, Any] = {
            "jobName": "",
            "jobQueue": job.queue_arn,
            "jobDefinition": job.definition_arn.rsplit(":", 1)[0],
            "containerOverrides": overrides,
        }
        if job.timeout_ms:
            request["timeout"] = {"attemptDurationSeconds": job.timeout_ms // 1000}
        # Less the empty event's quotes, which the event's own sizes count.
        return len(compact_json(request).encode()) - 2, len(compact_json(overrides)) - 2

    def _refused(self, ex: Execution, job: BatchJobSim, error: str, message: str) -> None:
        """An attempt whose job AWS refused (see `_refusal`; its start is recorded): no
        container runs, so no behaviour decides it and it writes no log stream; its Task state
        fails at once, and Stacktape's Catch retries it as any failed attempt (the same event
        fails again). Its end has a label of its own (`refused_attempt` knows it by that)."""
        sim = self.sim
        now = sim.clock.now
        # It ends at this instant, after what its caller does (an SQS batch's delete, an HTTP
        # answer naming the running execution), as an attempt that runs does.
        outcome = Outcome(0, "error", error_type=error, error_message=message)
        ex.pending = sim.clock.at(
            now, self._end_attempt_cb, (ex, job, outcome, now, None), job.refused_label
        )

    def _container_logs(self, arg: AttemptArg) -> None:
        """Write what an ended attempt's container printed into the job's log group."""
        ex, job, outcome, started, key = arg
        if key is not None and job.logs is not None:
            job.logs.attempt(ex.id, key, started, outcome, ex.id)

    def _end_attempt(self, arg: AttemptArg) -> None:
        ex, job, outcome, started, key = arg
        sim = self.sim
        now = sim.clock.now
        ex.pending = None
        duration = now - started
        direct = ex.direct
        timed_out = outcome.status == "timeout"
        if direct is not None:
            direct.started_at = None
            direct.status_reason = TIMEOUT_REASON if timed_out else EXITED_REASON
            exit_code = outcome.exit_code
            if exit_code is None and not timed_out:
                exit_code = 0 if outcome.status == "success" else 1
            direct.history.append(AttemptRecord(started, now, direct.status_reason, exit_code, key))
        for emission, error in outcome.denied:
            sim.emission_refused(job.name, ex.id, emission, error)
        if outcome.status == "success":
            sim.trace.emit(
                (now, tk.BATCH_SUCCEEDED, job.name, ex.id, ex.attempt, duration, _SUCCEEDED_FIELDS)
            )
            self._finish(ex, job, "SUCCEEDED", None)
            for emission in outcome.emissions:
                sim.apply_emission(job.name, ex.id, emission)
            if outcome.logs and key is not None:
                self._container_logs(arg)
            if direct is not None:
                self._ended(ex)
            return
        error = outcome.error_type or "Error"
        retry_at = self._next_attempt_at(ex, job, now, timed_out)
        message, size = bounded_message(outcome.error_message or "")
        data: dict[str, Any] = {
            "execution_id": ex.id,
            "attempt": ex.attempt,
            "error": error,
            "error_message": message,
            "timeout": timed_out,
            "duration_ms": duration,
            "retry_at": iso_ms(retry_at) if retry_at is not None else None,
        }
        if size is not None:
            data["error_message_bytes"] = size
        sim.trace.emit((now, tk.BATCH_ATTEMPT_FAILED, job.name, data))
        if outcome.logs and key is not None:
            self._container_logs(arg)
        if retry_at is not None:
            ex.pending = sim.clock.at(retry_at, self._retry, ex, job.retry_label)
            return
        sim.trace.emit(
            (
                now,
                tk.BATCH_FAILED,
                job.name,
                {"execution_id": ex.id, "attempts": ex.attempt, "error": error},
            )
        )
        self._finish(ex, job, "FAILED", error, message or None)
        if direct is not None:
            self._ended(ex)

    def _next_attempt_at(
        self, ex: Execution, job: BatchJobSim, now: int, timed_out: bool
    ) -> int | None:
        """When the next attempt of `ex` starts, its current one having failed now (None:
        the execution fails)."""
        direct = ex.direct
        if direct is None:
            retry = ex.attempt < job.attempts and (self.retry_timed_out or not timed_out)
            return now + job.retry_wait_ms(ex.attempt) if retry else None
        # AWS Batch's own retryStrategy: the job goes back to RUNNABLE at once, and an
        # attempt that timed out is not retried.
        return now if ex.attempt < direct.attempts and not timed_out else None

    def refused_attempt(self, ex: Execution) -> tuple[str, str, int | None] | None:
        """The attempt of `ex` whose job AWS refused at this instant, when its end is still
        due (`_refused`): its Task's error, the message, and when the next attempt starts
        (None: the execution fails); None when the attempt running, if any, started its
        container. What a command that started the execution reads of it."""
        pending = ex.pending
        job = self.jobs[ex.job]
        if pending is None or pending[LABEL] is not job.refused_label:
            return None
        outcome: Outcome = pending[ARG][2]
        now = self.sim.clock.now
        return (
            outcome.error_type or "Error",
            outcome.error_message or "",
            self._next_attempt_at(ex, job, now, False),
        )

    def _ended(self, ex: Execution) -> None:
        """Tell a submitted job's caller (a `.sync` task) that it ended (called only for a
        submitted job: a trigger's execution, the commoner, skips the call)."""
        if ex.direct is not None and ex.direct.on_end is not None:
            ex.direct.on_end(ex)

    def _retry(self, ex: Execution) -> None:
        ex.pending = None
        self._start_attempt(ex, self.jobs[ex.job])

    def _finish(
        self,
        ex: Execution,
        job: BatchJobSim,
        status: str,
        error: str | None,
        message: str | None = None,
    ) -> None:
        ex.status = status
        ex.error = error
        ex.error_message = message
        ex.ended_at = self.sim.clock.now
        job.counts["succeeded" if status == "SUCCEEDED" else "failed"] += 1
        del job.running[ex.id]


class BatchSqsSource(QueuePoller):
    """The event source mapping from a queue to a batch job's trigger function.

    It polls like a function's mapping (batch size, batching window) but the helper Lambda
    only starts an execution, so every batch is deleted the instant it is handed over (one
    whose input StartExecution refuses fails the helper: it returns after its visibility
    timeout). The helper returns at once: a window's messages stay in flight for the queue's
    visibility timeout, or window + 30 s when the window is longer (AWS's rule with no run
    time)."""

    def __init__(
        self,
        service: BatchService,
        queue: QueueSim,
        job: str,
        batch_size: int,
        window_s: float | None,
    ) -> None:
        self.service = service
        self.sim = service.sim
        self.queue = queue
        self.job = job
        self.batch_size = batch_size
        self.pending_poll: list[Any] | None = None
        # As for functions, a batching window is for standard queues only.
        window_ms = 0 if queue.fifo else int((window_s or 0) * 1000)
        self.window = (
            BatchingWindow(
                self.sim,
                queue,
                batch_size,
                window_ms,
                0,
                self._drain,
                ("batch-window", queue.name, job),
            )
            if window_ms
            else None
        )
        # `pause JOB --trigger QUEUE` (stptui.sim.mappings): no poll while set.
        self.disabled = False
        queue.on_visible.append(self.wake)

    def wake(self) -> None:
        """Messages became visible: poll at the current instant."""
        if self.pending_poll is None and not self.disabled:
            self.pending_poll = self.sim.clock.at(
                self.sim.clock.now, self._run_poll, None, ("poll", self.queue.name, self.job)
            )

    def _run_poll(self, _: Any) -> None:
        self.pending_poll = None
        self._drain()

    def _drain(self) -> None:
        if self.disabled:
            return
        q = self.queue
        while True:
            if self.window is not None:
                msgs = self.window.gather(self.sim.clock.now)
                if msgs is None:
                    return
            else:
                if q.visible_count == 0:
                    return
                before = q.visible_count
                msgs = q.receive(self.batch_size, max_bytes=SYNC_PAYLOAD_BYTES)
                if not msgs:
                    if q.visible_count < before:
                        continue  # the receive moved messages to the DLQ; others may be left
                    return  # FIFO: every available group is blocked by a message in flight
            self._start(msgs)

    def _start(self, msgs: list[Message]) -> None:
        q = self.queue
        receipts = [m.receipt for m in msgs]
        event = sqs_event(msgs, q, self.sim.region)
        try:
            self.service.start(
                self.job,
                event,
                "sqs",
                q.name,
                {"queue": q.name, "message_ids": [m.id for m in msgs]},
            )
        except TriggerFailed:
            # The helper Lambda failed: the batch stays in flight and returns when its
            # visibility timeout ends (then the queue's redrive policy counts the receive).
            for m, r in zip(msgs, receipts, strict=True):
                q.release(m, r)
            return
        # The helper Lambda returned: the mapping deletes the whole batch at once.
        for m, r in zip(msgs, receipts, strict=True):
            q.delete(m, r)


def _started(ex: Execution) -> dict[str, Any]:
    """StartExecution's answer for execution `ex`."""
    return {
        "executionArn": ex.arn,
        "startDate": datetime_of(ex.submitted_at),
    }


def _trigger_event(text: Any) -> Any:
    """What the job's behaviours see of a `triggerEvent` string: the JSON it holds, or the
    text itself when it holds none (the container gets the text either way)."""
    if not isinstance(text, str):
        return None
    try:
        return jsontext.loads(text)
    except ValueError:
        return text


def redrive_status(ex: Execution, now: int) -> tuple[str, str | None]:
    """DescribeExecution's redriveStatus and redriveStatusReason of an execution of a job's
    state machine at `now`: Step Functions' rules for any STANDARD execution (its history
    is a few events per attempt, far from the 24,999 that bar a redrive)."""
    from stptui.sim.services.state_machine import (
        MAX_EXECUTION_MS,
        NOT_REDRIVABLE,
        REDRIVABLE,
        REDRIVE_LAUNCH_MS,
        REDRIVE_PERIOD_MS,
    )

    if ex.status in ("RUNNING", "SUCCEEDED"):
        return NOT_REDRIVABLE, f"Execution is {ex.status} and cannot be redriven"
    if ex.submitted_at < REDRIVE_LAUNCH_MS:
        return NOT_REDRIVABLE, "Execution was started before the launch of RedriveExecution"
    if now - ex.submitted_at >= MAX_EXECUTION_MS:
        return NOT_REDRIVABLE, "Execution has exceeded the max execution time"
    if ex.ended_at is not None and now - ex.ended_at > REDRIVE_PERIOD_MS:
        return NOT_REDRIVABLE, "Execution redrivable period exceeded"
    return REDRIVABLE, None


def _first_task_failure(job: BatchJobSim, raw: Any) -> str | None:
    """Why the first Task of Stacktape's state machine cannot start on the execution input
    `raw` (States.Runtime's cause), or None. Its Parameters read `JobName.$: $.jobName`, then
    ContainerOverrides' `Value.$: $.triggerEvent`, both strings in SubmitJob's request
    (stacktape `batch-jobs/utils.ts`): checked in that order."""
    state = f"{'spot' if job.model.use_spot else 'onDemand'}1"
    prefix = f"An error occurred while executing the state '{state}'."
    for key, path, field_name in (
        ("jobName", "$.jobName", "JobName"),
        ("triggerEvent", "$.triggerEvent", "Value"),
    ):
        if not isinstance(raw, dict) or key not in raw:
            return (
                f"{prefix} The JSONPath '{path}' specified for the field '{field_name}.$' could "
                f"not be found in the input '{compact_json(raw)}'"
            )
        if not isinstance(raw[key], str):
            return (
                f"{prefix} The Parameters could not be used to start the Task: [The value for "
                f"the field '{field_name}' must be a STRING]"
            )
    return None


def submit_job(
    sim: Simulator,
    job_name: str,
    trigger_event: Any,
    trigger_type: str,
    source: str,
    extra: dict[str, Any] | None = None,
    *,
    execution_id: str | None = None,
) -> str:
    """Start an execution of a batch job for one trigger event (what its trigger function
    does); returns the execution id. See `BatchService.start` for `extra`, `execution_id`."""
    service: BatchService = sim.services["batch"]
    return service.start(
        job_name, trigger_event, trigger_type, source, extra, execution_id=execution_id
    )


def start_execution_emission(sim: Simulator, emission: Emission, source: str) -> dict[str, Any]:
    """A handler's `startExecution`: of a batch job's state machine here, of a state
    machine of the stack by Step Functions' service (loaded only for such a call)."""
    service: BatchService = sim.services["batch"]
    if emission.target in service.jobs:
        return service.start_execution(emission, source)
    from stptui.sim.services.state_machine import start_execution_emission as of_machine

    return of_machine(sim, emission, source)


def wire(sim: Simulator) -> None:
    """Build the batch service and the batch jobs' `sqs` triggers, and take the handlers'
    StartExecution calls (a batch job's state machine, or a state machine's)."""
    service = BatchService(sim)
    sim.services["batch"] = service
    sim.emission_handlers["startExecution"] = lambda e, src: start_execution_emission(sim, e, src)
    for job in sim.stack.batch_jobs:
        for trig in job.events:
            if isinstance(trig, SqsTrigger) and trig.queue and trig.queue.target in sim.queues:
                service.sqs_sources.append(
                    BatchSqsSource(
                        service,
                        sim.queues[trig.queue.target],
                        job.name,
                        trig.batch_size,
                        trig.max_batch_window_s,
                    )
                )


def _job_choices(jobs: dict[str, BatchJobSim]) -> str:
    if not jobs:
        return "this stack has no batch jobs"
    return f"batch jobs in this stack: {typed_names(sorted(jobs))}"
