"""ListMapRuns' items and DescribeMapRun's answer of a Distributed Map's run, and
ListExecutions' items, DescribeExecution's answer, GetExecutionHistory's events and the
item processor (DescribeStateMachineForExecution) of its child executions, shaped as
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
    "PENDING_REDRIVE": "pendingRedrive",
}


def statuses(run: MapRun, ex: Execution) -> list[str]:
    """Each child execution's status, by index (stptui.sim.services.state_machine's
    MapRun.children); a child that ran before its run's redrive and has not run again is
    PENDING_REDRIVE while the run goes on, ABORTED once it ended."""
    out = run.children(ex)
    waiting = "PENDING_REDRIVE" if run.outcome(ex)[0] == "RUNNING" else "ABORTED"
    for i in run.started:
        if out[i] == "PENDING":
            out[i] = waiting
    return out


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
    for size, child in zip(run.sizes, statuses(run, ex), strict=True):
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


def find_child(machine: MachineSim, arn: str) -> tuple[MapRun, Execution, int] | None:
    """The child execution `arn` of a Map Run of one of `machine`'s executions: the run,
    its execution and the child's index. A child not started yet is none: Step Functions
    has not made it."""
    label = arn.split(":")[6].partition("/")[2]
    for ex in machine.executions.values():
        for run in ex.map_runs.values():
            if run.machine_arn.rpartition("/")[2] != label:
                continue
            for index, context in enumerate(run.executions):
                if context["Id"] == arn and index in run.started:
                    return run, ex, index
    return None


def child_items(run: MapRun, ex: Execution) -> list[dict[str, Any]]:
    """ListExecutions' items for `run`: its child executions that started, the most recent
    first (of two started at one instant, the one started later)."""
    now = statuses(run, ex)
    order = sorted(run.started, key=lambda i: (run.started[i], i), reverse=True)
    return [_child_item(run, ex, i, now[i]) for i in order]


def _child_item(run: MapRun, ex: Execution, index: int, status: str) -> dict[str, Any]:
    context = run.executions[index]
    item: dict[str, Any] = {
        "executionArn": context["Id"],
        "stateMachineArn": run.machine_arn,
        "name": context["Name"],
        "status": status,
        "startDate": datetime_of(run.started[index]),
    }
    stop = _child_stop(run, ex, index, status)
    if stop is not None:
        item["stopDate"] = datetime_of(stop)
    item["mapRunArn"] = run.arn
    item["itemCount"] = run.sizes[index]
    if context.get("RedriveCount"):
        item["redriveCount"] = context["RedriveCount"]
    if index in run.redriven:
        item["redriveDate"] = datetime_of(run.redriven[index])
    return item


def _child_stop(run: MapRun, ex: Execution, index: int, status: str) -> int | None:
    if status == "SUCCEEDED":
        fan = run.fan
        return None if fan is None else fan.stops.get(index)
    if status == "FAILED":
        return run.errors[index][1]
    if status == "ABORTED":
        # Stopped when the run failed, or when its execution ended.
        return run.outcome(ex)[1]
    return None


def describe_child(run: MapRun, ex: Execution, index: int) -> dict[str, Any]:
    """DescribeExecution of a child execution: as ListExecutions lists it, with its input,
    its output (succeeded) or error and cause (failed), the Map Run that dispatched it and
    its redrive status (a child the run would rerun is REDRIVABLE_BY_MAP_RUN)."""
    from stptui.jsontext import compact_json

    status = statuses(run, ex)[index]
    item = _child_item(run, ex, index, status)
    out = {k: v for k, v in item.items() if k not in ("itemCount", "mapRunArn")}
    context = run.executions[index]
    out["input"] = compact_json(context["Input"])
    out["inputDetails"] = {"included": True}
    fan = run.fan
    if status == "SUCCEEDED" and fan is not None:
        out["output"] = compact_json(fan.results[index])
        out["outputDetails"] = {"included": True}
    if status == "FAILED":
        value = run.errors[index][0]
        for key in ("Error", "Cause"):
            if value.get(key) is not None:
                out[key.lower()] = value[key]
    out["mapRunArn"] = run.arn
    out["redriveCount"] = context.get("RedriveCount", 0)
    if status in ("RUNNING", "SUCCEEDED"):
        out["redriveStatus"] = "NOT_REDRIVABLE"
        out["redriveStatusReason"] = f"Execution is {status} and cannot be redriven"
    elif status == "PENDING_REDRIVE" or run.outcome(ex)[0] in ("FAILED", "ABORTED"):
        # Rerun when its execution is redriven (the execution's own redrivability is
        # DescribeExecution's of the execution).
        out["redriveStatus"] = "REDRIVABLE_BY_MAP_RUN"
    else:
        # A failure its run tolerated, or one while its run goes on: nothing reruns it.
        out["redriveStatus"] = "NOT_REDRIVABLE"
    return out


def child_history(run: MapRun, ex: Execution, index: int) -> list[dict[str, Any]]:
    """GetExecutionHistory's events of child execution `index` of `run`
    (stptui.sim.sfn_history): its lines in its parent's history, its start and its end."""
    from stptui.sim.sfn_history import child_events

    status = statuses(run, ex)[index]
    return child_events(run, ex, index, status, _child_stop(run, ex, index, status))


def processor(run: MapRun, ex: Execution) -> Any:
    """The item processor (`ItemProcessor`, or the older `Iterator`) of the Distributed Map
    that started `run`: the state machine its child executions run."""
    from stptui.sim.sfn_history import state_of

    state = state_of(ex.machine.definition, run.state) or {}
    return state.get("ItemProcessor") or state.get("Iterator")
