"""`show job JOB`: one batch job's page, its settings, counts and newest executions.

`show jobs` lists only the executions running now; a finished one's id, which `explain`,
`show event` and `redrive-execution` take, was otherwise found only in `start-job`'s answer
or the trace. The rows come from the executions the job keeps (`BatchJobSim.recent`)."""

from __future__ import annotations

from typing import Any

from stptui.commands.handlers.base import behaviour_summary, shorten
from stptui.commands.registry import CommandError, quote_word
from stptui.commands.result import CommandResult
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.batch import BatchJobSim, Execution
from stptui.textsafe import Shown, one_line

# The newest executions `show job` lists (of the RECENT_EXECUTIONS each job keeps).
SHOWN_JOB_EXECUTIONS = 20
# Characters of an execution's error and message in the table (the data, `explain ID` and
# `show event ID` have them whole).
ERROR_PREVIEW = 60


def execution_data(job: BatchJobSim, ex: Execution) -> dict[str, Any]:
    """One kept execution of `job` as `show jobs` and `show job` give it in their data."""
    return {
        "execution_id": ex.id,
        "job_name": job.job_name(ex),
        "trigger": ex.trigger,
        "source": ex.source,
        "status": ex.status,
        "attempts": ex.attempt,
        "submitted": iso_ms(ex.submitted_at),
        "ended": iso_ms(ex.ended_at) if ex.ended_at is not None else None,
        "error": ex.error,
        "error_message": ex.error_message,
        "redrive_count": ex.redrive_count,
    }


def _job(sim: Simulator, name: str) -> BatchJobSim:
    batch = sim.services.get("batch")
    if batch is None or not batch.jobs:
        raise CommandError("this stack has no batch jobs", "`show functions` lists what runs")
    try:
        job: BatchJobSim = batch.job(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint, word=name) from None
    return job


def _status(ex: Execution) -> str:
    """The execution's status as Step Functions gives it, and its redrives."""
    if not ex.redrive_count:
        return ex.status
    return f"{ex.status} (redriven {ex.redrive_count}x)"


def _error(ex: Execution) -> str:
    """`Error: disk full`: the execution's error and the message of its last attempt (or
    its cause), on one line."""
    return one_line(": ".join(t for t in (ex.error, ex.error_message) if t))


def _attempts(job: BatchJobSim, ex: Execution) -> str:
    """`2 of 3`: the attempts it made (a job a state machine submitted: of its own
    RetryStrategy's)."""
    most = ex.direct.attempts if ex.direct is not None else job.attempts
    return f"{ex.attempt} of {most}"


def show_job(sim: Simulator, name: str) -> CommandResult:
    """One batch job's page: its attempts, waits and timeout, its behaviour, its counts,
    then its newest executions, newest first, each with its status, attempts, start, end
    and the id that `explain`, `show event` and `redrive-execution` take."""
    job = _job(sim, name)
    waits = ", ".join(format_duration(job.retry_wait_ms(i)) for i in range(1, job.attempts))
    timeout = format_duration(job.timeout_ms) if job.timeout_ms else "none"
    counts = job.counts
    running = len(job.running)
    lines = [
        f"{job.name} (batch job): {job.attempts} attempt{'s' * (job.attempts != 1)}"
        + (f", retry waits {waits}" if waits else "")
        + f", timeout {timeout}",
        f"behaviour: {behaviour_summary(sim, job.name, job.overrides)}",
        f"{counts['submitted']:,} execution{'s' * (counts['submitted'] != 1)}: "
        f"{counts['succeeded']:,} succeeded, {counts['failed']:,} failed, {running:,} running"
        + (f"; {job.redriven:,} redrive{'s' * (job.redriven != 1)}" if job.redriven else ""),
    ]
    newest = list(reversed(job.recent))[:SHOWN_JOB_EXECUTIONS]
    if newest:
        kept = f" of the {len(job.recent):,} kept" if len(job.recent) > len(newest) else ""
        lines.append(
            f"latest {len(newest)} execution{'s' * (len(newest) != 1)}{kept}, newest first "
            "(`explain ID` gives one's attempts, `show event ID` its event, "
            "`redrive-execution ID` reruns a failed one):"
        )
    else:
        lines.append(f"no executions yet (`start-job {quote_word(job.name)}` starts one)")
    headers = ["execution", "trigger", "status", "attempts", "start", "end", "error"]
    rows = [
        [
            ex.id,
            ex.trigger,
            _status(ex),
            _attempts(job, ex),
            iso_ms(ex.submitted_at),
            iso_ms(ex.ended_at) if ex.ended_at is not None else "",
            Shown(shorten(_error(ex), ERROR_PREVIEW)),
        ]
        for ex in newest
    ]
    data = {
        "job": job.name,
        "state_machine_arn": job.state_machine_arn,
        **counts,
        "running": running,
        "redriven": job.redriven,
        "attempts": job.attempts,
        "retry_waits_ms": [job.retry_wait_ms(i) for i in range(1, job.attempts)],
        "timeout_ms": job.timeout_ms or None,
        "behaviour": sim.behaviors.describe(job.name),
        "overrides": [o.describe() for o in job.overrides],
        "latest": [execution_data(job, ex) for ex in newest],
    }
    return CommandResult("\n".join(lines), table=(headers, rows) if rows else None, data=data)
