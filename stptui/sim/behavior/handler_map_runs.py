"""ListMapRuns' items and DescribeMapRun's answer of a Distributed Map's run, shaped as
boto3's (camelCase keys, dates as datetimes), from the Map Run the state machine keeps on
its execution (stptui.sim.services.state_machine.MapRun). The calls themselves (lookup,
IAM, paging) are stptui.sim.behavior.handler_executions'. docs/fidelity.md ("Step Functions
redrive and the Distributed Map") has the sources and the choices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim.clock import datetime_of

if TYPE_CHECKING:
    from stptui.sim.services.state_machine import Execution, MachineSim, MapRun

# MapRunItemCounts / MapRunExecutionCounts, in the API reference's order.
COUNTS = (
    "pending",
    "running",
    "succeeded",
    "failed",
    "timedOut",
    "aborted",
    "total",
    "resultsWritten",
    "failuresNotRedrivable",
    "pendingRedrive",
)
# A child's status as stptui keeps it -> its count's key.
_COUNTED = {
    "PENDING": "pending",
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "ABORTED": "aborted",
}


def list_item(run: MapRun, ex: Execution) -> dict[str, Any]:
    """One MapRunListItem: its execution's ARN, its own, the state machine that started it
    and when it started (and stopped)."""
    item: dict[str, Any] = {
        "executionArn": ex.arn,
        "mapRunArn": run.arn,
        "stateMachineArn": ex.machine.arn,
        "startDate": datetime_of(run.start_ms),
    }
    stop = run.outcome(ex)[1]
    if stop is not None:
        item["stopDate"] = datetime_of(stop)
    return item


def describe(run: MapRun, ex: Execution) -> dict[str, Any]:
    """DescribeMapRun's answer: the run's configuration (MaxConcurrency, tolerated
    failures), its status and dates, its redrives, and how many items and child executions
    are in each status."""
    status, stop = run.outcome(ex)
    executions = dict.fromkeys(COUNTS, 0)
    items = dict.fromkeys(COUNTS, 0)
    for size, child in zip(run.sizes, run.children(ex), strict=True):
        key = _COUNTED[child]
        executions[key] += 1
        items[key] += size
    executions["total"], items["total"] = len(run.sizes), sum(run.sizes)
    if run.written:
        # The ResultWriter wrote every child that had ended (succeeded or failed).
        executions["resultsWritten"] = executions["succeeded"] + executions["failed"]
        items["resultsWritten"] = items["succeeded"] + items["failed"]
    tolerance = run.tolerance
    out: dict[str, Any] = {
        "mapRunArn": run.arn,
        "executionArn": ex.arn,
        "status": status,
        "startDate": datetime_of(run.start_ms),
    }
    if stop is not None:
        out["stopDate"] = datetime_of(stop)
    out.update(
        maxConcurrency=run.max_concurrency,
        toleratedFailurePercentage=float(tolerance.percentage or 0),
        toleratedFailureCount=tolerance.count or 0,
        itemCounts=items,
        executionCounts=executions,
        redriveCount=run.redrive_count,
    )
    if run.redrive_ms is not None:
        out["redriveDate"] = datetime_of(run.redrive_ms)
    return out


def find(machine: MachineSim, arn: str) -> tuple[MapRun, Execution] | None:
    """The Map Run `arn` of one of `machine`'s executions, and that execution."""
    for ex in machine.executions.values():
        run = ex.map_runs.get(arn)
        if run is not None:
            return run, ex
    return None
