"""The AWS names Stacktape gives resources: its `buildResourceName` (a name over AWS's limit
is cut and ends in a hash), change-case's word split (its `kebabCase`, and the `snakeCase`
of STP_* variable names), and the names of what it makes for a batch job.

Sources (stacktape/stacktape): `shared/naming/aws-resource-names.ts` (commit 0221f6fc:
`batchJobDefinition`, `batchStateMachine`, `batchJobQueue`), `shared/naming/utils.ts`
(commit 5bb1eb5b: `buildResourceName`), `resource-resolvers/batch-jobs/utils.ts` (commit
5bb1eb5b: the job definition, the queue and the state machine's SubmitJob parameters),
`src/domain/config-manager/utils/lambdas.ts` (commit 5bb1eb5b: the trigger function's
`BATCH_JOB_NAME_BASE`, `kebabCase(`${job}-${stack}`)`) and
`helper-lambdas/batchJobTriggerLambda/index.ts`, which names its executions and the jobs
they submit by it. docs/fidelity.md ("Batch jobs") gives the names.
"""

from __future__ import annotations

import hashlib
import re

# The longest names AWS takes, as Stacktape's awsResourceNames passes them.
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
