"""Step Functions' StartExecution, DescribeExecution, ListExecutions, StopExecution,
RedriveExecution, GetExecutionHistory, DescribeStateMachine,
DescribeStateMachineForExecution, ListMapRuns and DescribeMapRun, and a worker's
SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat, through the context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim.behavior.boto3_standin.exceptions import as_modelled, aws_error, refuse
from stptui.sim.behavior.boto3_standin.invocation import Operation
from stptui.sim.behavior.boto3_standin.paginators import Paging
from stptui.sim.behavior.boto3_standin.params import P
from stptui.sim.behavior.boto3_standin.responses import boto3_response

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


def _sfn_start_execution(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    if p.get("traceHeader") is not None:
        raise refuse("StartExecution", "does not take traceHeader")
    result = ctx.start_execution(p["stateMachineArn"], p.get("input"), name=p.get("name"))
    return boto3_response(result, {})


def _sfn_describe_execution(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    result = ctx.describe_execution(p["executionArn"], p.get("includedData"))
    return boto3_response(result, {})


def _sfn_list_executions(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    result = ctx.list_executions(
        p.get("stateMachineArn"),
        p.get("statusFilter"),
        p.get("maxResults"),
        p.get("nextToken"),
        p.get("mapRunArn"),
        p.get("redriveFilter"),
    )
    return boto3_response(result, {})


def _sfn_stop_execution(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    result = ctx.stop_execution(p["executionArn"], p.get("error"), p.get("cause"))
    return boto3_response(result, {})


def _sfn_redrive_execution(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    if p.get("clientToken") is not None:
        raise refuse("RedriveExecution", "does not take clientToken (idempotent retries)")
    return boto3_response(ctx.redrive_execution(p["executionArn"]), {})


def _sfn_get_execution_history(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    result = ctx.get_execution_history(
        p["executionArn"],
        p.get("maxResults"),
        p.get("reverseOrder"),
        p.get("nextToken"),
        p.get("includeExecutionData"),
    )
    return boto3_response(result, {})


def _all_data(operation: str, p: dict[str, Any]) -> None:
    # METADATA_ONLY leaves out what a customer managed key encrypts, which stptui has none of.
    if p.get("includedData") not in (None, "ALL_DATA"):
        raise refuse(operation, "takes includedData ALL_DATA only (stptui models no encryption)")


def _sfn_describe_state_machine(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    _all_data("DescribeStateMachine", p)
    return boto3_response(ctx.describe_state_machine(p["stateMachineArn"]), {})


def _sfn_describe_state_machine_for_execution(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    _all_data("DescribeStateMachineForExecution", p)
    return boto3_response(ctx.describe_state_machine_for_execution(p["executionArn"]), {})


def _sfn_list_map_runs(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    result = ctx.list_map_runs(p["executionArn"], p.get("maxResults"), p.get("nextToken"))
    return boto3_response(result, {})


def _sfn_describe_map_run(ctx: HandlerContext, p: dict[str, Any], client: Client) -> dict[str, Any]:
    return boto3_response(ctx.describe_map_run(p["mapRunArn"]), {})


def _token_machine(ctx: HandlerContext, token: str) -> str:
    """The state machine whose task `token` is: a worker's SendTask* names only the token."""
    sim = ctx._sim
    tokens = None if sim is None else sim.services.get("task_tokens")
    task = None if tokens is None else tokens.tasks.get(token)
    if task is not None:
        return str(task.machine.name)
    machines = [n for n, r in ctx._behaviors.stack.resources.items() if r.type == "state-machine"]
    if not machines:
        raise as_modelled(
            "stepfunctions",
            aws_error("TaskDoesNotExist", "Task Does Not Exist", "SendTaskSuccess"),
        )
    # A token no task was given: the first state machine answers, with Step Functions'
    # refusal of it (InvalidToken or TaskDoesNotExist).
    return machines[0]


def _sfn_send_task_success(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    token = p["taskToken"]
    result = ctx.send_task_success(_token_machine(ctx, token), token, p["output"])
    return boto3_response(result, {})


def _sfn_send_task_failure(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    token = p["taskToken"]
    result = ctx.send_task_failure(
        _token_machine(ctx, token), token, error=p.get("error"), cause=p.get("cause")
    )
    return boto3_response(result, {})


def _sfn_send_task_heartbeat(
    ctx: HandlerContext, p: dict[str, Any], client: Client
) -> dict[str, Any]:
    token = p["taskToken"]
    return boto3_response(ctx.send_task_heartbeat(_token_machine(ctx, token), token), {})


OPERATIONS: dict[str, Operation] = {
    "start_execution": Operation(
        "StartExecution",
        {
            "stateMachineArn": P("string", True),
            "name": P("string"),
            "input": P("string"),
            "traceHeader": P("string"),
        },
        _sfn_start_execution,
    ),
    "describe_execution": Operation(
        "DescribeExecution",
        {"executionArn": P("string", True), "includedData": P("string")},
        _sfn_describe_execution,
    ),
    "list_executions": Operation(
        "ListExecutions",
        {
            "stateMachineArn": P("string"),
            "statusFilter": P("string"),
            "maxResults": P("integer"),
            "nextToken": P("string"),
            "mapRunArn": P("string"),
            "redriveFilter": P("string"),
        },
        _sfn_list_executions,
    ),
    "stop_execution": Operation(
        "StopExecution",
        {"executionArn": P("string", True), "error": P("string"), "cause": P("string")},
        _sfn_stop_execution,
    ),
    "redrive_execution": Operation(
        "RedriveExecution",
        {"executionArn": P("string", True), "clientToken": P("string")},
        _sfn_redrive_execution,
    ),
    "get_execution_history": Operation(
        "GetExecutionHistory",
        {
            "executionArn": P("string", True),
            "maxResults": P("integer"),
            "reverseOrder": P("boolean"),
            "nextToken": P("string"),
            "includeExecutionData": P("boolean"),
        },
        _sfn_get_execution_history,
    ),
    "describe_state_machine": Operation(
        "DescribeStateMachine",
        {"stateMachineArn": P("string", True), "includedData": P("string")},
        _sfn_describe_state_machine,
    ),
    "describe_state_machine_for_execution": Operation(
        "DescribeStateMachineForExecution",
        {"executionArn": P("string", True), "includedData": P("string")},
        _sfn_describe_state_machine_for_execution,
    ),
    "list_map_runs": Operation(
        "ListMapRuns",
        {"executionArn": P("string", True), "maxResults": P("integer"), "nextToken": P("string")},
        _sfn_list_map_runs,
    ),
    "describe_map_run": Operation(
        "DescribeMapRun", {"mapRunArn": P("string", True)}, _sfn_describe_map_run
    ),
    "send_task_success": Operation(
        "SendTaskSuccess",
        {"taskToken": P("string", True), "output": P("string", True)},
        _sfn_send_task_success,
    ),
    "send_task_failure": Operation(
        "SendTaskFailure",
        {"taskToken": P("string", True), "error": P("string"), "cause": P("string")},
        _sfn_send_task_failure,
    ),
    "send_task_heartbeat": Operation(
        "SendTaskHeartbeat", {"taskToken": P("string", True)}, _sfn_send_task_heartbeat
    ),
}

# botocore's paginators-1.json: GetExecutionHistory, ListExecutions and ListMapRuns page by
# nextToken, maxResults a page.
PAGINATORS = {
    "get_execution_history": Paging("nextToken", "nextToken", "maxResults", ("events",)),
    "list_executions": Paging("nextToken", "nextToken", "maxResults", ("executions",)),
    "list_map_runs": Paging("nextToken", "nextToken", "maxResults", ("mapRuns",)),
}
