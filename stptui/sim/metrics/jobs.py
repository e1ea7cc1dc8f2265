"""Step Functions' metrics (AWS/States) of each state machine, and of each batch job (which
Stacktape runs under a state machine of its own) with its attempts, from the trace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import trace as tk
from stptui.sim.metrics.figures import (
    BATCH_JOB_METRICS,
    EXECUTION_STATS,
    LATENCY_STATS,
    STATE_MACHINE_METRICS,
    ResourceMetrics,
    counted,
    samples,
)
from stptui.sim.services.alarm_metrics import field as raw_field

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# The column of each execution record in STATE_MACHINE_METRICS' counts.
_SFN_COLUMN = {
    tk.SFN_EXECUTION_STARTED: 0,
    tk.SFN_EXECUTION_SUCCEEDED: 1,
    tk.SFN_EXECUTION_FAILED: 2,
    tk.SFN_EXECUTION_TIMED_OUT: 3,
    tk.SFN_EXECUTION_ABORTED: 4,
    tk.SFN_EXECUTION_REDRIVEN: 5,
}
# The column of each batch record in BATCH_JOB_METRICS' counts.
_BATCH_COLUMN = {
    tk.BATCH_SUBMITTED: 0,
    tk.BATCH_SUCCEEDED: 1,
    tk.BATCH_FAILED: 2,
    tk.BATCH_ATTEMPT_STARTED: 3,
    tk.BATCH_ATTEMPT_FAILED: 4,
}


def state_machines(sim: Simulator) -> list[str]:
    """The stack's state machines."""
    return list(sim.services.get("state_machines", {}))


def batch_jobs(sim: Simulator) -> list[str]:
    """The stack's batch jobs."""
    batch = sim.services.get("batch")
    return [] if batch is None else list(batch.jobs)


def state_machine_metrics(sim: Simulator, raws: Any, start: int) -> dict[str, ResourceMetrics]:
    """Each state machine's executions started and ended from `start` on, and how long the
    ended ones ran (the execution's `duration_ms`, as Step Functions' ExecutionTime)."""
    counts = {name: [0] * 6 for name in state_machines(sim)}
    times: dict[str, list[float]] = {name: [] for name in counts}
    for raw in raws:
        column = _SFN_COLUMN.get(raw[1])
        if column is None or raw[0] < start:
            continue
        row = counts.get(raw[2])
        if row is None:
            continue
        row[column] += 1
        if column in (1, 2, 3, 4):
            took = raw_field(raw, "duration_ms")
            if isinstance(took, (int, float)):
                times[raw[2]].append(took)
    return {
        name: ResourceMetrics(
            name,
            "state-machine",
            counted(STATE_MACHINE_METRICS, row)
            + samples("ExecutionTime", times[name], EXECUTION_STATS),
        )
        for name, row in counts.items()
    }


def batch_job_metrics(
    sim: Simulator, raws: Any, start: int, submitted: dict[str, int] | None = None
) -> dict[str, ResourceMetrics]:
    """Each batch job's executions (jobs submitted, succeeded, failed), its attempts and
    their durations, and each ended execution's time from its submission (while the trace
    still holds that), from `start` on. `submitted` (execution id -> when) carries the
    running executions from one call to the next when the records are given a slice at a
    time."""
    counts = {name: [0] * 5 for name in batch_jobs(sim)}
    attempts: dict[str, list[float]] = {name: [] for name in counts}
    times: dict[str, list[float]] = {name: [] for name in counts}
    submitted = {} if submitted is None else submitted
    for raw in raws:
        kind = raw[1]
        column = _BATCH_COLUMN.get(kind)
        if column is None:
            continue
        row = counts.get(raw[2])
        if row is None:
            continue
        t = raw[0]
        if kind == tk.BATCH_SUBMITTED:
            submitted[raw_field(raw, "execution_id")] = t
        if t < start:
            continue
        row[column] += 1
        if kind in (tk.BATCH_SUCCEEDED, tk.BATCH_ATTEMPT_FAILED):
            took = raw_field(raw, "duration_ms")
            if isinstance(took, (int, float)):
                attempts[raw[2]].append(took)
        if kind in (tk.BATCH_SUCCEEDED, tk.BATCH_FAILED):
            began = submitted.pop(raw_field(raw, "execution_id"), None)
            if began is not None:
                times[raw[2]].append(t - began)
    return {
        name: ResourceMetrics(
            name,
            "batch-job",
            counted(BATCH_JOB_METRICS, row)
            + samples("JobAttemptDuration", attempts[name], LATENCY_STATS)
            + samples("ExecutionTime", times[name], EXECUTION_STATS),
        )
        for name, row in counts.items()
    }
