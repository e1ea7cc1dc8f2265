"""The AWS names Stacktape gives resources: its `buildResourceName` (a name over AWS's limit
is cut and ends in a hash), its `shortHash` and the `globallyUniqueStackHash` buckets and
tables end in, change-case's word split (its `kebabCase`, and the `snakeCase` of STP_*
variable names), the physical names of functions, queues, topics, buckets, tables, buses,
streams, state machines, alarms, log groups and roles, and the names of what it makes for a
batch job.

Sources (stacktape/stacktape): `shared/naming/aws-resource-names.ts` (commit 0221f6fc:
`lambda`, `lambdaRole`, `batchJobRole`, `containerWorkloadRole`, `sqsQueue`, `snsTopic`,
`bucket`, `dynamoGlobalTable`, `eventBus`, `kinesisStream`, `stateMachine`,
`cloudwatchAlarm`, `lambdaLogGroup`, `batchJobLogGroup`, `containerLogGroup`,
`batchJobDefinition`, `batchStateMachine`, `batchJobQueue`), `shared/naming/utils.ts`
(commit 5bb1eb5b: `buildResourceName`, `getLogGroupBaseName`), `shared/utils/hashing.ts`
(commit 5bb1eb5b: `getGloballyUniqueStackHash`), `packages/naming/src/short-hash.ts` (commit
81fd24b0: `shortHash`), `resource-resolvers/dynamo-db-tables/{index,utils}.ts` (commit
5bb1eb5b: every table is a `GlobalTable` named by `dynamoGlobalTable`),
`resource-resolvers/buckets/utils.ts` (commit 5bb1eb5b: `BucketName`),
`resource-resolvers/batch-jobs/utils.ts` (commit
5bb1eb5b: the job definition, the queue and the state machine's SubmitJob parameters),
`src/domain/config-manager/utils/lambdas.ts` (commit 5bb1eb5b: the trigger function's
`BATCH_JOB_NAME_BASE`, `kebabCase(`${job}-${stack}`)`) and
`helper-lambdas/batchJobTriggerLambda/index.ts`, which names its executions and the jobs
they submit by it. docs/fidelity.md ("AWS names") has the table of names.
"""

from __future__ import annotations

import hashlib
import re

# The longest names AWS takes, as Stacktape's awsResourceNames passes them.
LAMBDA_NAME_MAX = 64
ROLE_NAME_MAX = 64
SQS_QUEUE_NAME_MAX = 80
SNS_TOPIC_NAME_MAX = 256
BUCKET_NAME_MAX = 63
DYNAMO_TABLE_NAME_MAX = 255
EVENT_BUS_NAME_MAX = 256
KINESIS_STREAM_NAME_MAX = 128
ALARM_NAME_MAX = 255
LOG_GROUP_NAME_MAX = 512
JOB_DEFINITION_NAME_MAX = 128
STATE_MACHINE_NAME_MAX = 80
JOB_QUEUE_NAME_MAX = 128
# The trigger function names an execution `${BATCH_JOB_NAME_BASE.slice(0, 40)}-${requestId}`.
EXECUTION_NAME_BASE_CHARS = 40

# change-case v5's `split` (Stacktape's `kebabCase`, `snakeCase`): a word ends before an
# upper-case letter that follows a lower-case letter or a digit, and before the last of a run
# of upper-case letters that a lower-case letter follows; anything but letters and digits
# separates words. ASCII classes: resource names are letters and digits only (NAME_RE), a
# stack name those and hyphens.
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_UPPER_UPPER = re.compile(r"([A-Z])([A-Z][a-z])")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


def build_resource_name(proposed: str, limit: int) -> str:
    """Stacktape's `buildResourceName`: `proposed` as it is when it fits `limit` characters,
    else its first `limit - 7` characters, `-` and the 3-byte shake256 hex digest of it all."""
    if len(proposed) <= limit:
        return proposed
    digest = hashlib.shake_256(proposed.encode()).hexdigest(3)
    return f"{proposed[: limit - len(digest) - 1]}-{digest}"


def case_words(text: str) -> list[str]:
    """change-case v5's `split` of `text` into words: `DLQQueue2Job` -> DLQ, Queue2, Job."""
    split = _UPPER_UPPER.sub(r"\1 \2", _LOWER_UPPER.sub(r"\1 \2", text.strip()))
    return [word for word in _SEPARATORS.split(split) if word]


def kebab_case(text: str) -> str:
    """change-case's `kebabCase`: `processJob-app-dev` -> `process-job-app-dev`."""
    return "-".join(word.lower() for word in case_words(text))


def batch_job_definition_name(stack: str, job: str) -> str:
    """The job's job definition: `{stack}-{job}-job-definition` (at most 128 characters)."""
    return build_resource_name(f"{stack}-{job}-job-definition", JOB_DEFINITION_NAME_MAX)


def batch_state_machine_name(stack: str, job: str) -> str:
    """The state machine that runs the job's attempts: `{stack}-{job}-batch-state-machine`
    (at most 80 characters)."""
    return build_resource_name(f"{stack}-{job}-batch-state-machine", STATE_MACHINE_NAME_MAX)


def batch_job_queue_name(stack: str, *, spot: bool, gpu: bool) -> str:
    """The stack's job queue a job is submitted to, by its `useSpotInstances` and `gpu`:
    `{stack}-batch-onDemand--job-queue` (Stacktape writes an empty word where `gpu` would
    go, hence the two hyphens), `{stack}-batch-spot-gpu-job-queue` ..."""
    kind = "spot" if spot else "onDemand"
    return build_resource_name(
        f"{stack}-batch-{kind}-{'gpu' if gpu else ''}-job-queue", JOB_QUEUE_NAME_MAX
    )


def batch_job_name_base(stack: str, job: str) -> str:
    """The trigger function's `BATCH_JOB_NAME_BASE`, `kebabCase(`${job}-${stack}`)`: the
    SubmitJob `jobName` is it, `-` and the request id; the execution's name its first 40
    characters, `-` and the request id."""
    return kebab_case(f"{job}-{stack}")


def short_hash(text: str) -> str:
    """Stacktape's `shortHash`: djb2 with XOR over the UTF-16 code units of `text`, last to
    first, as an unpadded lowercase hex number (`us-east-1app-dev123456789012` -> e6e91c68)."""
    units = text.encode("utf-16-le")
    value = 5381
    for i in range(len(units) - 2, -1, -2):
        # JavaScript's `(hash * 33) ^ unit` works on 32 bits: the product is taken mod 2**32.
        value = ((value * 33) & 0xFFFFFFFF) ^ (units[i] | units[i + 1] << 8)
    return format(value, "x")


def globally_unique_stack_hash(region: str, stack: str, account: str) -> str:
    """Stacktape's `getGloballyUniqueStackHash`: `shortHash(region + stack + account)`, the
    suffix of the stack's bucket and table names."""
    return short_hash(region + stack + account)


def lambda_name(stack: str, function: str) -> str:
    """A function's name: `{stack}-{function}` (at most 64 characters). A batch job's trigger
    function has the job's name, so it is named as a function of that name would be."""
    return build_resource_name(f"{stack}-{function}", LAMBDA_NAME_MAX)


def lambda_log_group_name(function_aws_name: str) -> str:
    """A function's log group, `/aws/lambda/{its name}`: AWS's name, which Stacktape never cuts."""
    return f"/aws/lambda/{function_aws_name}"


def lambda_role_name(stack: str, region: str, function: str, *, batch_trigger: bool = False) -> str:
    """A function's role: `{stack}-{function}-{region}`, or for a batch job's trigger function
    `{stack}-{job}-TRIGGER-{region}` (at most 64 characters)."""
    trigger = "-TRIGGER" if batch_trigger else ""
    return build_resource_name(f"{stack}-{function}{trigger}-{region}", ROLE_NAME_MAX)


def workload_role_name(stack: str, region: str, workload: str) -> str:
    """A batch job's (`batchJobRole`) or container workload's (`containerWorkloadRole`) role:
    `{stack}-{workload}-{region}` (at most 64 characters)."""
    return build_resource_name(f"{stack}-{workload}-{region}", ROLE_NAME_MAX)


def sqs_queue_name(stack: str, queue: str, *, fifo: bool) -> str:
    """A queue's name: `{stack}-{queue}`, `.fifo` appended for a FIFO queue, then cut to 80
    characters (a cut FIFO name loses its `.fifo`, as Stacktape's does)."""
    return build_resource_name(f"{stack}-{queue}{'.fifo' if fifo else ''}", SQS_QUEUE_NAME_MAX)


def sns_topic_name(stack: str, topic: str, *, fifo: bool) -> str:
    """A topic's name: `{stack}-{topic}` (`.fifo` for a FIFO topic), at most 256 characters."""
    return build_resource_name(f"{stack}-{topic}{'.fifo' if fifo else ''}", SNS_TOPIC_NAME_MAX)


def bucket_name(stack: str, bucket: str, stack_hash: str) -> str:
    """A bucket's name: `{stack}-{bucket in lower case}-{globally unique stack hash}`, at most
    63 characters (S3's limit)."""
    return build_resource_name(f"{stack}-{bucket.lower()}-{stack_hash}", BUCKET_NAME_MAX)


def dynamo_table_name(stack: str, table: str, stack_hash: str) -> str:
    """A table's name: Stacktape makes every table a global table,
    `{stack}-{table}-{globally unique stack hash}` (at most 255 characters)."""
    return build_resource_name(f"{stack}-{table}-{stack_hash}", DYNAMO_TABLE_NAME_MAX)


def event_bus_name(stack: str, bus: str) -> str:
    """A bus's name (one without an `eventSourceName`): `{stack}-{bus}`, at most 256."""
    return build_resource_name(f"{stack}-{bus}", EVENT_BUS_NAME_MAX)


def kinesis_stream_name(stack: str, stream: str) -> str:
    """A Kinesis stream's name: `{stack}-{stream}`, at most 128 characters."""
    return build_resource_name(f"{stack}-{stream}", KINESIS_STREAM_NAME_MAX)


def state_machine_name(stack: str, machine: str) -> str:
    """A state machine's name: `{stack}-{machine}`, at most 80 characters."""
    return build_resource_name(f"{stack}-{machine}", STATE_MACHINE_NAME_MAX)


def cloudwatch_alarm_name(stack: str, alarm: str) -> str:
    """An alarm's AlarmName: `{stack}-{Stacktape's name of the alarm}`, at most 255."""
    return build_resource_name(f"{stack}-{alarm}", ALARM_NAME_MAX)


def stp_log_group_name(stack: str, kind: str, resource: str, namespace: str) -> str:
    """Stacktape's own log group names (`getLogGroupBaseName`, cut at CloudWatch's 512):
    `/stp/{stack}/{kind}/{resource}/{namespace}`, kind `batch` or `ecs`."""
    return build_resource_name(f"/stp/{stack}/{kind}/{resource}/{namespace}", LOG_GROUP_NAME_MAX)


# What CloudFormation appends to a name it makes up: 12 upper-case letters and digits here.
_CFN_SUFFIX_CHARS = 12
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def cloudformation_name(stack: str, logical_id: str, limit: int) -> str:
    """A stand-in for a name CloudFormation makes up at deploy time for a resource Stacktape
    gives no name: `{stack}-{logicalId}-{random}` in at most `limit` characters. AWS draws the
    random part; here it comes from a hash of the rest, so the same stack gives the same name."""
    number = int.from_bytes(hashlib.sha256(f"{stack}/{logical_id}".encode()).digest(), "big")
    chars = []
    for _ in range(_CFN_SUFFIX_CHARS):
        number, digit = divmod(number, len(_ALPHANUMERIC))
        chars.append(_ALPHANUMERIC[digit])
    prefix = f"{stack}-{logical_id}"[: limit - _CFN_SUFFIX_CHARS - 1]
    return f"{prefix}-{''.join(chars)}"


def state_machines_role_name(stack: str) -> str:
    """The one role every state machine of a stack runs with: Stacktape gives its
    `StpGlobalStateMachineRole` no RoleName, so CloudFormation names it (a stand-in)."""
    return cloudformation_name(stack, "StpGlobalStateMachineRole", ROLE_NAME_MAX)
