"""A handler of docs/examples/execution-history.yml that reads a Step Functions execution's
history with boto3, as Lambda code does (docs/python-handlers.md, "Reading an execution's
history")."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

sfn = boto3.client("stepfunctions")
# `connectTo: [checkout]` gives the state machine's ARN; its executions' ARNs add their name.
EXECUTIONS = os.environ["STP_CHECKOUT_ARN"].replace(":stateMachine:", ":execution:")


def audit(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The states execution `event["name"]` went through, what its function answered, and
    how it ended."""
    arn = f"{EXECUTIONS}:{event['name']}"
    states, answers = [], []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
        for e in page["events"]:
            if e["type"].endswith("StateEntered"):
                states.append(e["stateEnteredEventDetails"]["name"])
            elif e["type"] == "LambdaFunctionSucceeded":
                answers.append(json.loads(e["lambdaFunctionSucceededEventDetails"]["output"]))
    # The newest event alone: the execution's end, once it has ended.
    (last,) = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)["events"]
    return {
        "states": states,
        "answers": answers,
        "last": last["type"],
        "at": last["timestamp"].isoformat(),
    }
