"""A Task state's Parameters come from its input, so any JSON may reach a service
integration: nulls, numbers where a key goes, objects where an expression goes. Whatever
they are, each integration stptui simulates (the optimized `sqs:sendMessage`, `sns:publish`,
`events:putEvents`, DynamoDB's, and every `aws-sdk:` one) answers or fails the state with
Step Functions' error (StatesRuntimeError); none ends in a Python error, which would stop
the whole simulation instead of the one state.

Found this way, before: a null S3 `Key` or `Prefix`, a non-string DynamoDB expression, a
non-string `MessageGroupId`, and a Number attribute that is no number (SNS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session
from stptui.sim import asl_integrations, asl_sdk
from stptui.sim.asl_jsonpath import StatesRuntimeError
from stptui.sim.clock import parse_instant
from stptui.sim.engine import Simulator

STACK = Path(__file__).resolve().parents[1] / "docs" / "examples" / "commands-stack.yml"
ARNS = (
    "arn:aws:states:us-east-1:123456789012:execution:flow:e-1",
    "arn:aws:states:us-east-1:123456789012:stateMachine:flow",
)
# The optimized integrations' fields (the SDK ones list their own).
OPTIMIZED_FIELDS = (
    "QueueUrl",
    "MessageBody",
    "MessageAttributes",
    "MessageGroupId",
    "MessageDeduplicationId",
    "DelaySeconds",
    "TopicArn",
    "Message",
    "Subject",
    "Entries",
    "Item",
    "Key",
    "UpdateExpression",
    "ConditionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
)
# Words the services read with meaning, so that objects built of them get past the first
# check more often than random text would.
WORDS = (
    "S",
    "N",
    "B",
    "M",
    "L",
    "BOOL",
    "NULL",
    "SS",
    "DataType",
    "StringValue",
    "Id",
    "MessageBody",
    "Source",
    "DetailType",
    "Detail",
    "Days",
    "GlacierJobParameters",
    "Tier",
    "cartId",
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        ["", "abc", "1e400", "NaN", "Number", "{}", "#n", ":v", "SET #a = :v", "a = :v", "*"]
    ),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def sim() -> Simulator:
    session = Session.open(STACK, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    return session.sim


def _target(sim: Simulator, rtype: str) -> str:
    """The name of the stack's first resource of `rtype` (an archive's is its bus's)."""
    wanted = "event-bus" if rtype == "event-bus-archive" else rtype
    return next((r.name for r in sim.stack.resources.values() if r.type == wanted), "missing")


CALLS = sorted(asl_sdk.APIS) + sorted(asl_integrations.TARGETS)


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(resource=st.sampled_from(CALLS), data=st.data())
def test_any_parameters_answer_or_fail_the_state(
    sim: Simulator, resource: str, data: st.DataObject
) -> None:
    api = asl_sdk.APIS.get(resource)
    kind = api.kind if api is not None else asl_integrations.TARGETS[resource]
    fields = sorted(api.fields) if api is not None else list(OPTIMIZED_FIELDS)
    params: dict[str, Any] = {}
    if kind is not None:
        params[kind.param] = _target(sim, kind.rtype)
    for name in data.draw(st.lists(st.sampled_from(fields), max_size=5)):
        params[name] = data.draw(VALUES)
    try:
        asl_integrations.call(sim, resource, params, "flow:e-1", ARNS)
    except StatesRuntimeError as exc:
        assert exc.error and exc.cause is not None


@pytest.mark.parametrize(
    ("resource", "params", "error"),
    [
        # What the search above found, kept as examples it need not find again.
        ("aws-sdk:s3:putObject", {"Bucket": "uploads", "Key": None}, "States.Runtime"),
        ("aws-sdk:s3:deleteObject", {"Bucket": "uploads", "Key": None}, "States.Runtime"),
        (
            "aws-sdk:s3:listObjectsV2",
            {"Bucket": "uploads", "Prefix": None, "ContinuationToken": None},
            None,
        ),
        (
            "aws-sdk:dynamodb:scan",
            {"TableName": "carts", "FilterExpression": {}},
            "DynamoDb.ValidationException",
        ),
        (
            "aws-sdk:dynamodb:query",
            {"TableName": "carts", "KeyConditionExpression": False},
            "DynamoDb.ValidationException",
        ),
        (
            "sqs:sendMessage",
            {"QueueUrl": "jobQueue", "MessageBody": "b", "MessageGroupId": {"a": 1}},
            "SQS.InvalidParameterValue",
        ),
        (
            "sns:publish",
            {"TopicArn": "alerts", "Message": "m", "Subject": 5},
            "SNS.InvalidParameterValue",
        ),
    ],
)
def test_parameters_of_the_wrong_type_fail_the_state(
    sim: Simulator, resource: str, params: dict[str, Any], error: str | None
) -> None:
    call = f"arn:aws:states:::{resource}"
    if error is None:  # a null optional field is no field: the call answers
        result, _, _ = asl_integrations.call(sim, call, params, "flow:e-1", ARNS)
        assert "Contents" in result or result.get("KeyCount") == 0
        return
    with pytest.raises(StatesRuntimeError) as failed:
        asl_integrations.call(sim, call, params, "flow:e-1", ARNS)
    assert failed.value.error.startswith(error), failed.value.error
