"""`show job JOB`: one batch job's page, its settings, counts and newest executions.

`show jobs` lists only the executions running now; a finished one's id, which `explain`,
`show event` and `redrive-execution` take, was otherwise found only in `start-job`'s answer
or the trace. The rows come from the executions the job keeps (`BatchJobSim.recent`), and,
among them by time, its trigger function's failures, which started none
(`BatchJobSim.failed_triggers`)."""

from __future__ import annotations

from heapq import merge
from itertools import islice
from typing import Any

from stptui.commands.handlers.base import behaviour_summary, shorten
from stptui.commands.registry import CommandError, quote_word
from stptui.commands.result import CommandResult
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.batch import BatchJobSim, Execution, FailedTrigger
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


def failed_trigger_data(failed: FailedTrigger) -> dict[str, Any]:
    """One kept failure of a job's trigger function as `show job` gives it in its data."""
    return {
        "request_id": failed.request_id,
        "trigger": failed.trigger,
        "source": failed.source,
        "at": iso_ms(failed.at),
        "error": failed.error,
        "error_message": failed.message,
    }


def _started_at(entry: Execution | FailedTrigger) -> int:
    return entry.submitted_at if isinstance(entry, Execution) else entry.at


def _row(job: BatchJobSim, entry: Execution | FailedTrigger) -> list[Any]:
    """A row of the page's table: an execution, or a failure of the trigger function (its
    request id, which `explain` takes, where an execution has its id)."""
    if isinstance(entry, FailedTrigger):
        error = one_line(f"{entry.error}: {entry.message}")
        return [
            entry.request_id,
            entry.trigger,
            "trigger failed",
            "-",
            iso_ms(entry.at),
            "-",
            Shown(shorten(error, ERROR_PREVIEW)),
        ]
    return [
        entry.id,
        entry.trigger,
        _status(entry),
        _attempts(job, entry),
        iso_ms(entry.submitted_at),
        iso_ms(entry.ended_at) if entry.ended_at is not None else "",
        Shown(shorten(_error(entry), ERROR_PREVIEW)),
    ]


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def failed_triggers(job: BatchJobSim) -> str:
    """`2 failed triggers`: how many times `job`'s trigger function failed to start an
    execution (`show job` and `show jobs` count them so)."""
    return _plural(job.triggers_failed, "failed trigger")


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
        f"{_plural(counts['submitted'], 'execution')}: "
        f"{counts['succeeded']:,} succeeded, {counts['failed']:,} failed, {running:,} running"
        + (f"; {_plural(job.redriven, 'redrive')}" if job.redriven else "")
        + (f"; {failed_triggers(job)} (no execution started)" if job.triggers_failed else ""),
    ]
    # Newest first, a failed trigger among the executions by when it failed.
    entries = merge(
        reversed(job.recent), reversed(job.failed_triggers), key=_started_at, reverse=True
    )
    newest = list(islice(entries, SHOWN_JOB_EXECUTIONS))
    executions = [e for e in newest if isinstance(e, Execution)]
    failures = [e for e in newest if isinstance(e, FailedTrigger)]
    if newest:
        kept_count = len(job.recent) + len(job.failed_triggers)
        kept = f" of the {kept_count:,} kept" if kept_count > len(newest) else ""
        shown = " and ".join(
            _plural(n, word)
            for n, word in ((len(executions), "execution"), (len(failures), "failed trigger"))
            if n
        )
        # A failed trigger's ID is its trigger function's request id.
        of_failed = "; of a failed trigger, `explain ID` gives what started it" if failures else ""
        lines.append(
            f"latest {shown}{kept}, newest first "
            "(`explain ID` gives one's attempts, `show event ID` its event, "
            f"`redrive-execution ID` reruns a failed one{of_failed}):"
        )
    else:
        lines.append(f"no executions yet (`start-job {quote_word(job.name)}` starts one)")
    headers = ["execution", "trigger", "status", "attempts", "start", "end", "error"]
    rows = [_row(job, entry) for entry in newest]
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
        "latest": [execution_data(job, ex) for ex in executions],
        "triggers_failed": job.triggers_failed,
        "failed_triggers": [failed_trigger_data(f) for f in failures],
    }
    return CommandResult("\n".join(lines), table=(headers, rows) if rows else None, data=data)
