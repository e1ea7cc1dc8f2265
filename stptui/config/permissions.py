"""Whether a workload's IAM role lets it make the AWS call an emission stands for.

Stacktape gives a function or batch job a role whose policies come from several places
(stacktape/stacktape: `getLambdaFunctionRole`, `getPoliciesForRoles` and its
`getStatementsForAccessing*` helpers): its own `iamRoleStatements`, what its events need
(`resolveSqsEvents`, `resolveKinesisEvents` ...: reading the source, sending to a stream
event's `onFailure`), its `connectTo` list (one fixed set of statements per target type, e.g.
`sqs:SendMessage` on a queue it names) and its `destinations`. IAM evaluates them together:
an explicit Deny wins, then an Allow, and anything else is an implicit deny; a refused SDK
call fails with the service's AccessDenied error, which is what `Permissions.check` returns.
Pure (no trace, no clock): the simulator and `stptui validate` both use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stptui.config.aws_names import lambda_role_name, workload_role_name
from stptui.config.diagnostics import Diagnostic, Position
from stptui.config.directives import fake_resource_param, function_name, stack_context, stack_name
from stptui.config.envvars import effective_connect_to
from stptui.config.loader import DataPath
from stptui.config.model import (
    BatchJob,
    Containerized,
    Function,
    Ref,
    SqsTrigger,
    Stack,
    Trigger,
    Workload,
    canonical_type,
)
from stptui.textsafe import named
from stptui.yamltext import yaml_key

# Per emission kind: (the IAM action, the operation's name, the error code the service
# answers with, how the service spells the action in its message, the target's type).
# Codes and spellings as the services write them: SQS `AccessDenied` with the action in
# lower case (aws/serverless-application-model#3633), SNS `AuthorizationError` with
# `SNS:Publish` (aws-ia/terraform-aws-control_tower_account_factory#151), S3 `AccessDenied`
# with the object ARN in quotes; Lambda, EventBridge, Kinesis, DynamoDB and Step Functions
# `AccessDeniedException`.
_CALLS: dict[str, tuple[str, str, str, str]] = {
    "send": ("sqs:SendMessage", "SendMessage", "AccessDenied", "sqs:sendmessage"),
    "publish": ("events:PutEvents", "PutEvents", "AccessDeniedException", "events:PutEvents"),
    "notify": ("sns:Publish", "Publish", "AuthorizationError", "SNS:Publish"),
    "put": ("s3:PutObject", "PutObject", "AccessDenied", "s3:PutObject"),
    "restoreObject": ("s3:RestoreObject", "RestoreObject", "AccessDenied", "s3:RestoreObject"),
    # A Python handler's DeleteObject and CopyObject: CopyObject needs s3:PutObject on the
    # object it writes (and s3:GetObject on its source, checked as a read), DeleteObject of
    # a version s3:DeleteObjectVersion (S3 API Reference, "CopyObject" and "DeleteObject",
    # Permissions).
    "deleteObject": ("s3:DeleteObject", "DeleteObject", "AccessDenied", "s3:DeleteObject"),
    "deleteObjectVersion": (
        "s3:DeleteObjectVersion",
        "DeleteObject",
        "AccessDenied",
        "s3:DeleteObjectVersion",
    ),
    "copyObject": ("s3:PutObject", "CopyObject", "AccessDenied", "s3:PutObject"),
    # A Python handler's DeleteMessage by receipt handle.
    "deleteMessage": ("sqs:DeleteMessage", "DeleteMessage", "AccessDenied", "sqs:deletemessage"),
    # A Python handler that polls a queue itself: ReceiveMessage, ChangeMessageVisibility.
    "receiveMessage": (
        "sqs:ReceiveMessage",
        "ReceiveMessage",
        "AccessDenied",
        "sqs:receivemessage",
    ),
    "changeMessageVisibility": (
        "sqs:ChangeMessageVisibility",
        "ChangeMessageVisibility",
        "AccessDenied",
        "sqs:changemessagevisibility",
    ),
    "invoke": (
        "lambda:InvokeFunction",
        "Invoke",
        "AccessDeniedException",
        "lambda:InvokeFunction",
    ),
    "putRecord": ("kinesis:PutRecord", "PutRecord", "AccessDeniedException", "kinesis:PutRecord"),
    "putItem": ("dynamodb:PutItem", "PutItem", "AccessDeniedException", "dynamodb:PutItem"),
    "deleteItem": (
        "dynamodb:DeleteItem",
        "DeleteItem",
        "AccessDeniedException",
        "dynamodb:DeleteItem",
    ),
    "updateItem": (
        "dynamodb:UpdateItem",
        "UpdateItem",
        "AccessDeniedException",
        "dynamodb:UpdateItem",
    ),
    "startExecution": (
        "states:StartExecution",
        "StartExecution",
        "AccessDeniedException",
        "states:StartExecution",
    ),
    **{
        kind: (f"states:{op}", op, "AccessDeniedException", f"states:{op}")
        for kind, op in (
            ("sendTaskSuccess", "SendTaskSuccess"),
            ("sendTaskFailure", "SendTaskFailure"),
            ("sendTaskHeartbeat", "SendTaskHeartbeat"),
            # A Python handler's calls on executions (stptui.sim.behavior.handler_executions),
            # which make no emission: IAM authorises DescribeExecution and StopExecution on
            # the execution's ARN, ListExecutions on the state machine's (Service
            # Authorization Reference, "Actions defined by AWS Step Functions"; of a Map
            # Run's children on the Map Run's, a choice: docs/fidelity.md).
            ("describeExecution", "DescribeExecution"),
            ("stopExecution", "StopExecution"),
            ("listExecutions", "ListExecutions"),
            # RedriveExecution too, on the execution's ARN; no `connectTo` grants it. Nor
            # ListMapRuns (on the execution's ARN) or DescribeMapRun (on the Map Run's).
            ("redriveExecution", "RedriveExecution"),
            ("listMapRuns", "ListMapRuns"),
            ("describeMapRun", "DescribeMapRun"),
            # Nor GetExecutionHistory or DescribeStateMachineForExecution (on the
            # execution's ARN), or DescribeStateMachine (on the state machine's).
            ("getExecutionHistory", "GetExecutionHistory"),
            ("describeStateMachineForExecution", "DescribeStateMachineForExecution"),
            ("describeStateMachine", "DescribeStateMachine"),
        )
    },
    "postToConnection": (
        "execute-api:ManageConnections",
        "PostToConnection",
        "AccessDeniedException",
        "execute-api:ManageConnections",
    ),
    # A Python handler's reads (stptui.sim.behavior.handler_reads), which make no emission:
    # GetObject of a version needs s3:GetObjectVersion, ListObjectsV2 s3:ListBucket on the
    # bucket (S3 API Reference, "GetObject" and "ListObjectsV2", Permissions).
    "getObject": ("s3:GetObject", "GetObject", "AccessDenied", "s3:GetObject"),
    "getObjectVersion": (
        "s3:GetObjectVersion",
        "GetObject",
        "AccessDenied",
        "s3:GetObjectVersion",
    ),
    "listObjects": ("s3:ListBucket", "ListObjectsV2", "AccessDenied", "s3:ListBucket"),
    # BatchWriteItem: each of its puts and deletes is checked as dynamodb:BatchWriteItem.
    "batchWriteItem": (
        "dynamodb:BatchWriteItem",
        "BatchWriteItem",
        "AccessDeniedException",
        "dynamodb:BatchWriteItem",
    ),
    "getItem": ("dynamodb:GetItem", "GetItem", "AccessDeniedException", "dynamodb:GetItem"),
    # TransactWriteItems checks each action as its own call; a ConditionCheck needs
    # dynamodb:ConditionCheckItem. BatchGetItem needs dynamodb:BatchGetItem on each table
    # (DynamoDB developer guide, "Using IAM policies with DynamoDB transactions"; API
    # Reference, BatchGetItem).
    "conditionCheckItem": (
        "dynamodb:ConditionCheckItem",
        "ConditionCheckItem",
        "AccessDeniedException",
        "dynamodb:ConditionCheckItem",
    ),
    "batchGetItem": (
        "dynamodb:BatchGetItem",
        "BatchGetItem",
        "AccessDeniedException",
        "dynamodb:BatchGetItem",
    ),
    "query": ("dynamodb:Query", "Query", "AccessDeniedException", "dynamodb:Query"),
    "scan": ("dynamodb:Scan", "Scan", "AccessDeniedException", "dynamodb:Scan"),
}
# The resource type each emission kind writes to, which is also the type whose `connectTo`
# grants it (Stacktape's statements for that type include the action: `sqs:SendMessage`,
# `events:PutEvents`, `sns:Publish`, `s3:*Object*` (PutObject, RestoreObject),
# `lambda:InvokeFunction`,
# `kinesis:PutRecord`, `dynamodb:PutItem` / `DeleteItem` / `UpdateItem`,
# `states:StartExecution`).
EMISSION_TARGET_TYPES: dict[str, str] = {
    "send": "sqs-queue",
    "publish": "event-bus",
    "notify": "sns-topic",
    "put": "bucket",
    "restoreObject": "bucket",
    "deleteObject": "bucket",
    "copyObject": "bucket",
    "deleteMessage": "sqs-queue",
    "invoke": "function",
    "putRecord": "kinesis-stream",
    "putItem": "dynamo-db-table",
    "deleteItem": "dynamo-db-table",
    "updateItem": "dynamo-db-table",
    "startExecution": "state-machine",
    # Checked against the state machine whose task the token is of: IAM names its ARN in
    # the refusal (NOAA-OWP/hydrovis#837), and a grant on it works (aws/aws-cdk#8486).
    "sendTaskSuccess": "state-machine",
    "sendTaskFailure": "state-machine",
    "sendTaskHeartbeat": "state-machine",
    # Checked against the @connections route of the API's stage (`API_ARN/default/POST/
    # @connections/ID`), the resource IAM names for PostToConnection.
    "postToConnection": "websocket-api-gateway",
}
# Kinds whose target may also be a resource of another type: a batch job's StartExecution
# names the state machine Stacktape runs the job's attempts with (its `stateMachineArn`, the
# STP_{JOB}_STATE_MACHINE_ARN its `connectTo` gives), which IAM checks.
ALSO_TARGET_TYPES: dict[str, str] = {"startExecution": "batch-job"}
# The stage Stacktape deploys a WebSocket API on (WEBSOCKET_API_STAGE_NAME), which the
# @connections ARN names.
WS_STAGE = "default"
# Kinds IAM checks against one object of the bucket (`BUCKET_ARN/KEY`), not the bucket.
OBJECT_KINDS = frozenset(
    {
        "put",
        "restoreObject",
        "deleteObject",
        "deleteObjectVersion",
        "copyObject",
        "getObject",
        "getObjectVersion",
    }
)
# Kinds whose refusal S3 writes, the resource's ARN in quotes.
_S3_KINDS = OBJECT_KINDS | {"listObjects"}
# Calls whose resource is one execution (`fields["executionArn"]`), not the state machine.
EXECUTION_KINDS = frozenset(
    {
        "describeExecution",
        "stopExecution",
        "redriveExecution",
        "listMapRuns",
        "getExecutionHistory",
        "describeStateMachineForExecution",
    }
)
# Calls whose resource is one Map Run (`fields["mapRunArn"]`).
MAP_RUN_KINDS = frozenset({"describeMapRun"})
# Kinds whose action Stacktape's `connectTo` statements for their target type leave out:
# for a state machine they are StartExecution, StopExecution, ListExecutions and
# DescribeExecution (getStatementsForAccessingStateMachine), so a callback worker needs an
# iamRoleStatements entry for SendTask*.
_NOT_BY_CONNECT_TO = frozenset({"sendTaskSuccess", "sendTaskFailure", "sendTaskHeartbeat"})


@dataclass(frozen=True, slots=True)
class Denial:
    """An AWS call the role does not allow: the service's error code and message."""

    code: str
    message: str
    operation: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def operation_name(kind: str) -> str:
    """The operation a handler's call of `kind` makes (`send`: SendMessage); Kafka's
    `Produce` for a record produced, which IAM does not check."""
    call = _CALLS.get(kind)
    return "Produce" if call is None else call[1]


class ClientError(Exception):
    """What a Python handler's `context` call raises when the role does not allow it: named
    and shaped as botocore's (`response["Error"]["Code"]`, `operation_name`), so that an
    unhandled one fails the invocation with errorType `ClientError`, as boto3's would.

    It is also `botocore.exceptions.ClientError` of the boto3 stand-in
    (stptui.sim.behavior.boto3_standin), so it takes botocore's arguments as well:
    `ClientError({"Error": {"Code": ..., "Message": ...}}, operation_name)`, as a handler or
    its tests raise one."""

    def __init__(self, denial: Denial | Mapping[str, Any], operation_name: str = "") -> None:
        # botocore keeps the whole response: a modelled error's own members (DynamoDB's
        # CancellationReasons) sit beside `Error`.
        extra: dict[str, Any] = {}
        if isinstance(denial, Mapping):
            extra = {k: v for k, v in denial.items() if k != "Error" and isinstance(k, str)}
        if not isinstance(denial, Denial):
            error = denial.get("Error", {}) if isinstance(denial, Mapping) else {}
            denial = Denial(
                str(error.get("Code", "Unknown")),
                str(error.get("Message", "Unknown")),
                operation_name,
            )
        super().__init__(
            f"An error occurred ({denial.code}) when calling the {denial.operation} "
            f"operation: {denial.message}"
        )
        self.response: dict[str, Any] = {
            "Error": {"Code": denial.code, "Message": denial.message},
            **extra,
        }
        self.operation_name = denial.operation


@lru_cache(maxsize=1024)
def _resource_pattern(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards in a `Resource` ARN (IAM User Guide, "IAM JSON policy elements:
    Resource", "Using wildcards in resource ARNs"): they work within the colon-separated
    segments of the ARN, `?` one character and `*` any run of them (`/` included), and a `*`
    that ends a segment "can expand to match beyond the colon boundaries". Case-sensitive."""
    out: list[str] = []
    for i, c in enumerate(pattern):
        if c == "*":
            ends_segment = i + 1 == len(pattern) or pattern[i + 1] == ":"
            out.append(".*" if ends_segment else "[^:]*")
        elif c == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(c))
    return re.compile("".join(out), re.DOTALL)


@lru_cache(maxsize=1024)
def _action_pattern(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards in an `Action` (`*` any run of characters, `?` one), matched without
    regard to case (IAM User Guide, "IAM JSON policy elements: Action")."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def resource_matches(pattern: str, arn: str) -> bool:
    """Whether an IAM `Resource` pattern matches the ARN `arn`."""
    return _resource_pattern(pattern).fullmatch(arn) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Whether an IAM `Action` pattern matches the action `action` (`service:Operation`)."""
    return _action_pattern(pattern).fullmatch(action) is not None


@dataclass(frozen=True, slots=True)
class Target:
    """The resource a request is for: one ARN, or (`prefix`) some ARN that starts with it and
    goes on, which is what is known of a PutObject before its handler has named the key."""

    arn: str
    prefix: bool = False

    def may_match(self, pattern: str) -> bool:
        """Whether the pattern matches the ARN, or some ARN of the prefix."""
        if not self.prefix:
            return resource_matches(pattern, self.arn)
        cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=-1)
        if cut < 0:
            return pattern.startswith(self.arn) and len(pattern) > len(self.arn)
        literal = pattern[:cut]
        return literal.startswith(self.arn) or self.arn.startswith(literal)

    def must_match(self, pattern: str) -> bool:
        """Whether the pattern matches the ARN, or every ARN of the prefix: a pattern whose
        last `*` (which crosses colons) follows a part that matches the prefix."""
        if not self.prefix:
            return resource_matches(pattern, self.arn)
        return pattern.endswith("*") and resource_matches(pattern, self.arn)


@dataclass(frozen=True, slots=True)
class Statement:
    """One policy statement as IAM reads it. `actions` / `resources` are the patterns of
    `Action` / `Resource`, or, when `not_action` / `not_resource`, of `NotAction` /
    `NotResource`. `index` is its place in `iamRoleStatements` (None: one of the statements
    Stacktape writes itself). `conditional`: it has a `Condition`, which is not evaluated."""

    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False
    not_resource: bool = False
    conditional: bool = False
    index: int | None = None

    def covers_action(self, action: str) -> bool:
        """Whether the statement applies to `action` (its Action lists it, or its NotAction
        does not)."""
        listed = any(action_matches(a, action) for a in self.actions)
        return listed is not self.not_action

    def may_cover(self, target: Target) -> bool:
        """Whether the statement may apply to the target's resource."""
        if self.not_resource:
            return not any(target.must_match(r) for r in self.resources)
        return any(target.may_match(r) for r in self.resources)

    def must_cover(self, target: Target) -> bool:
        """Whether the statement applies to the target's resource for sure."""
        if self.not_resource:
            return not any(target.may_match(r) for r in self.resources)
        return any(target.must_match(r) for r in self.resources)


def _patterns(value: Any) -> tuple[str, ...] | None:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        return None
    return tuple(str(v) for v in values)


def read_statement(raw: Any, index: int | None = None) -> Statement | None:
    """An `iamRoleStatements` entry as IAM reads it, or None when it cannot be read.

    Stacktape writes a missing Effect as Allow and a missing Action as `*`
    (`getFormattedRuleStatements`); a missing Resource is read as `*` (IAM and Stacktape's
    schema both need one, and `stptui validate` reports its absence). `NotAction` and
    `NotResource` are read as IAM reads them, though Stacktape's schema refuses them."""
    if not isinstance(raw, dict):
        return None
    effect = raw.get("Effect", "Allow")
    if effect not in ("Allow", "Deny"):
        return None
    if ("Action" in raw and "NotAction" in raw) or ("Resource" in raw and "NotResource" in raw):
        return None
    not_action = "NotAction" in raw
    not_resource = "NotResource" in raw
    actions = _patterns(raw["NotAction"] if not_action else raw.get("Action", "*"))
    resources = _patterns(raw["NotResource"] if not_resource else raw.get("Resource", "*"))
    if actions is None or resources is None:
        return None
    return Statement(
        str(effect),
        actions,
        resources,
        not_action,
        not_resource,
        raw.get("Condition") is not None,
        index,
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """IAM's answer to one request: allowed, or denied explicitly (by the `iamRoleStatements`
    entry `denied_by`) or implicitly (no statement allows it)."""

    allowed: bool
    denied_by: int | None = None

    @property
    def explicit(self) -> bool:
        """Whether a Deny statement refused the request (rather than no Allow granting it)."""
        return self.denied_by is not None


ALLOWED = Decision(True)
IMPLICIT_DENY = Decision(False)


def evaluate(statements: list[Statement | None], action: str, target: Target) -> Decision:
    """IAM's evaluation of one role's identity-based policies (IAM User Guide, "Policy
    evaluation logic"): a Deny that applies wins over everything, then an Allow that applies
    allows, and anything else is an implicit deny.

    The simulator must never refuse what AWS would allow, so what is not known for sure
    leans to allowing: an unreadable statement counts as an Allow that applies; a statement
    with a Condition counts as applying when it is an Allow and as not applying when it is a
    Deny; and with a prefix target an Allow applies when it may, a Deny only when it must."""
    allowed = False
    for st in statements:
        if st is None:
            allowed = True
            continue
        if not st.covers_action(action):
            continue
        if st.effect == "Deny":
            if not st.conditional and st.must_cover(target):
                return Decision(False, st.index)
        elif not allowed and st.may_cover(target):
            allowed = True
    return ALLOWED if allowed else IMPLICIT_DENY


def _allow(actions: tuple[str, ...], *resources: str) -> Statement:
    return Statement("Allow", actions, tuple(resources))


# Stacktape's connectTo statements for the target types an emission writes to
# (`getStatementsForAccessing*` in stacktape/stacktape's role-helpers.ts), each a list of
# (actions, resource suffixes appended to the target's ARN).
_CONNECT_STATEMENTS: dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]] = {
    "sqs-queue": (
        (
            (
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ListQueueTags",
                "sqs:PurgeQueue",
                "sqs:ReceiveMessage",
                "sqs:SendMessage",
            ),
            ("",),
        ),
    ),
    "sns-topic": (
        (
            (
                "sns:ConfirmSubscription",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:Publish",
                "sns:Subscribe",
                "sns:Unsubscribe",
            ),
            ("",),
        ),
    ),
    "event-bus": ((("events:PutEvents",), ("",)),),
    "bucket": (
        (("s3:ListBucket", "s3:GetBucket*"), ("",)),
        (("s3:*Object*", "s3:Abort*", "s3:*MultipartUpload*"), ("/*",)),
    ),
    "function": ((("lambda:InvokeFunction",), ("",)),),
    "kinesis-stream": (
        (
            (
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
                "kinesis:ListStreams",
                "kinesis:PutRecord",
                "kinesis:PutRecords",
            ),
            ("",),
        ),
    ),
    "dynamo-db-table": (
        (
            (
                "dynamodb:BatchGet*",
                "dynamodb:ConditionCheckItem",
                "dynamodb:DescribeStream",
                "dynamodb:DescribeTable",
                "dynamodb:Get*",
                "dynamodb:Query",
                "dynamodb:Scan",
                "dynamodb:BatchWrite*",
                "dynamodb:DeleteItem",
                "dynamodb:UpdateItem",
                "dynamodb:PutItem",
            ),
            ("", "/index/*"),
        ),
    ),
    "state-machine": (
        (
            (
                "states:StartExecution",
                "states:StopExecution",
                "states:ListExecutions",
                "states:DescribeExecution",
            ),
            ("",),
        ),
    ),
    # getStatementsForAccessingBatchJobs: these on the job's state machine (`Ref`, its ARN),
    # and DescribeExecution on its executions (`_EXECUTIONS_GRANT`). Its other statements
    # (batch:SubmitJob on the definition and queues, batch:DescribeJobs, TerminateJob and
    # ListJobs) are for calls no handler makes.
    "batch-job": (
        (
            ("states:StartExecution", "states:StopExecution", "states:ListExecutions"),
            ("",),
        ),
    ),  # The @connections management API of every stage (a choice: see docs/fidelity.md,
    # "WebSocket APIs"); a route handler gets it without asking (effective_connect_to).
    "websocket-api-gateway": ((("execute-api:ManageConnections",), ("/*",)),),
}
# What both getStatementsForAccessingStateMachine and getStatementsForAccessingBatchJobs add:
# states:DescribeExecution on `arn:...:execution:{state machine name}:*` (the state machine's
# ARN with `stateMachine` replaced by `execution`, then `:*`). StopExecution is granted on the
# state machine's ARN only, where IAM does not look for it.
_EXECUTIONS_GRANT = ("states:DescribeExecution",)
# What Lambda does with a function's `destinations` (getLambdaFunctionRole's
# `allow-destinations` policy): not knowing the destination's type, Stacktape allows all four
# calls on every destination ARN.
_DESTINATION_ACTIONS = (
    "lambda:InvokeFunction",
    "sqs:SendMessage",
    "sns:Publish",
    "events:PutEvents",
)
# A stream event's `onFailure` by its `type` (resolveKinesisEvents / resolveDynamoEvents).
_STREAM_FAILURE_ACTIONS = {"sqs": ("sqs:ListQueues", "sqs:SendMessage"), "sns": ("sns:Publish",)}
# The emission kind a destination or `onFailure` delivery is, by the target's type: the same
# call, with the same AccessDenied, as a handler's.
DELIVERY_KINDS = {
    "sqs-queue": "send",
    "sns-topic": "notify",
    "function": "invoke",
    "event-bus": "publish",
}


class Permissions:
    """The policies of every workload's role in a stack, and the check of one call."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._ctx = stack_context(stack)
        self._policies: dict[str, list[Statement | None]] = {}
        # Decisions by (workload, kind, target), asked at every emission; not for PutObject,
        # whose object keys are unbounded.
        self._decided: dict[tuple[str, str, str], Decision] = {}

    def arn_of(self, name: str) -> str:
        """The ARN of the stack resource `name` (a WebSocket API's: the `execute-api` ARN
        of its id, which IAM policies name; a batch job's: its state machine's, which its
        StartExecution names and its `connectTo` grants)."""
        res = self.stack.resources.get(name)
        if res is not None and res.type == "websocket-api-gateway":
            api_id = fake_resource_param(self._ctx, name, "apiId", res.type)
            return f"arn:aws:execute-api:{self.stack.region}:{self.stack.account_id}:{api_id}"
        if res is not None and res.type == "batch-job":
            return fake_resource_param(self._ctx, name, "stateMachineArn", res.type)
        return fake_resource_param(self._ctx, name, "arn", res.type if res else None)

    def resource_arn(self, kind: str, target: str, fields: dict[str, Any]) -> str:
        """The ARN IAM checks the call against: the queue, bus, topic, function, stream or
        table; for PutObject, RestoreObject and GetObject the object (`BUCKET_ARN/KEY`);
        for PostToConnection the connection's @connections route (`API_ARN/default/POST/
        @connections/ID`); for a Query of a secondary index the index
        (`TABLE_ARN/index/NAME`)."""
        if kind == "publish" and target == self.stack.default_bus_key:
            return self.stack.default_bus_arn
        if kind in EXECUTION_KINDS:
            return str(fields["executionArn"])
        if kind in MAP_RUN_KINDS or (kind == "listExecutions" and fields.get("mapRunArn")):
            # ListExecutions of a Map Run's child executions names the Map Run.
            return str(fields["mapRunArn"])
        arn = self.arn_of(target)
        if kind in OBJECT_KINDS:
            return f"{arn}/{fields.get('key', '*')}"
        if kind == "postToConnection":
            return f"{arn}/{WS_STAGE}/POST/@connections/{fields.get('connectionId', '*')}"
        if fields.get("index"):  # a Query of a secondary index: IAM names the index
            return f"{arn}/index/{fields['index']}"
        return arn

    def principal(self, workload: str, session: str) -> str:
        """The assumed-role ARN AWS names in its message: the workload's role as Stacktape
        names it, `{stack}-{workload}-{region}` (cut to 64), the session the function's name
        or the batch job's id."""
        stack, region = stack_name(self._ctx), self.stack.region
        res = self.stack.resources.get(workload)
        if isinstance(res, (BatchJob, Containerized)):
            role = workload_role_name(stack, region, workload)
        else:
            role = lambda_role_name(stack, region, workload)
        return f"arn:aws:sts::{self.stack.account_id}:assumed-role/{role}/{session}"

    def session(self, workload: str, request_id: str) -> str:
        """Lambda names the role session after the function; a batch job's container gets
        the job's id, a container workload's the ECS task's id (the `request_id` given)."""
        res = self.stack.resources.get(workload)
        if isinstance(res, (BatchJob, Containerized)):
            return request_id
        return function_name(self._ctx, workload)

    def policies(self, workload: Workload | Containerized) -> list[Statement | None]:
        """Every statement of the workload's role, as Stacktape writes them: its
        `iamRoleStatements` (unreadable ones as None), then what its `connectTo`, its
        stream events' `onFailure` and its `destinations` add."""
        hit = self._policies.get(workload.name)
        if hit is not None:
            return hit
        own = workload.properties.get("iamRoleStatements")
        out: list[Statement | None] = [
            read_statement(raw, i) for i, raw in enumerate(own if isinstance(own, list) else [])
        ]
        for ref in effective_connect_to(workload):
            if ref.by != "name" or ref.target is None:
                continue
            res = self.stack.resources.get(ref.target)
            grants = _CONNECT_STATEMENTS.get(canonical_type(res.type)) if res else None
            arn = self.arn_of(ref.target)
            for actions, suffixes in grants or ():
                out.append(_allow(actions, *(arn + s for s in suffixes)))
            if grants and ":stateMachine:" in arn:
                executions = arn.replace(":stateMachine:", ":execution:", 1) + ":*"
                out.append(_allow(_EXECUTIONS_GRANT, executions))
        for t in getattr(workload, "events", ()):  # a web, private or worker service has none
            failure = t.properties.get("onFailure") if t.type.endswith("-stream") else None
            if isinstance(failure, dict) and isinstance(failure.get("arn"), str):
                actions = _STREAM_FAILURE_ACTIONS.get(str(failure.get("type")))
                if actions:
                    out.append(_allow(actions, str(failure["arn"])))
        if isinstance(workload, Function):
            arns = [self.ref_arn(r) for r in (workload.on_failure, workload.on_success)]
            if any(arns):
                out.extend(_allow((a,), *(x for x in arns if x)) for a in _DESTINATION_ACTIONS)
        self._policies[workload.name] = out
        return out

    def ref_arn(self, ref: Ref | None) -> str | None:
        """The ARN a reference stands for: its stack resource's, or the ARN written."""
        if ref is None:
            return None
        if ref.target is not None:
            return self.arn_of(ref.target)
        return ref.raw if ref.raw.startswith("arn:") else None

    def decide(self, workload: str, kind: str, target: str, fields: dict[str, Any]) -> Decision:
        """IAM's answer to `workload`'s `kind` call on `target`. A workload the stack does
        not model as a function or batch job is not checked, nor a call IAM does not
        authorise (a Kafka produce: the brokers authenticate the client, see
        docs/fidelity.md)."""
        if kind not in _CALLS:
            return ALLOWED
        # The answer depends on the key, the index, the execution or the Map Run (that a
        # ListExecutions of a Map Run's children names).
        if (
            kind in OBJECT_KINDS
            or kind in EXECUTION_KINDS
            or kind in MAP_RUN_KINDS
            or fields.get("index")
            or fields.get("mapRunArn")
        ):
            return self._decide(workload, kind, target, fields)
        key = (workload, kind, target)
        hit = self._decided.get(key)
        if hit is None:
            hit = self._decided[key] = self._decide(workload, kind, target, fields)
        return hit

    def allowed(self, workload: str, kind: str, target: str, fields: dict[str, Any]) -> bool:
        """Whether `workload`'s role allows the `kind` call on `target`."""
        return self.decide(workload, kind, target, fields).allowed

    def _decide(self, workload: str, kind: str, target: str, fields: dict[str, Any]) -> Decision:
        res = self.stack.resources.get(workload)
        if not isinstance(res, (Workload, Containerized)):
            return ALLOWED
        action = _CALLS[kind][0]
        if kind in OBJECT_KINDS and not isinstance(fields.get("key"), str):
            # The key is only known when the handler runs: any object of the bucket.
            where = Target(self.resource_arn(kind, target, {"key": ""}), prefix=True)
        elif kind == "postToConnection":
            # Decided once per API (the decision is kept by target): for any connection.
            where = Target(self.resource_arn(kind, target, {"connectionId": ""}), prefix=True)
        else:
            where = Target(self.resource_arn(kind, target, fields))
        return evaluate(self.policies(res), action, where)

    def check(
        self, workload: str, kind: str, target: str, fields: dict[str, Any], request_id: str
    ) -> Denial | None:
        """None when the call is allowed, else the error AWS answers with: "because no
        identity-based policy allows" it, or "with an explicit deny in an identity-based
        policy" (IAM User Guide, "Troubleshoot access denied error messages")."""
        decision = self.decide(workload, kind, target, fields)
        if decision.allowed:
            return None
        _, operation, code, spelled = _CALLS[kind]
        arn = self.resource_arn(kind, target, fields)
        shown = f'"{arn}"' if kind in _S3_KINDS else arn
        who = self.principal(workload, self.session(workload, request_id))
        why = (
            "with an explicit deny in an identity-based policy"
            if decision.explicit
            else f"because no identity-based policy allows the {spelled} action"
        )
        message = f"User: {who} is not authorized to perform: {spelled} on resource: {shown} {why}"
        return Denial(code, message, operation)

    def delivery_denial(self, workload: str, target: str, request_id: str) -> Denial | None:
        """The error of a delivery Lambda makes with `workload`'s role to the stack resource
        `target` (a destination, a stream event's `onFailure`), or None when it is allowed:
        the same call, and the same AccessDenied, as a handler's."""
        res = self.stack.resources.get(target)
        kind = DELIVERY_KINDS.get(canonical_type(res.type)) if res else None
        if kind is None:
            return None
        return self.check(workload, kind, target, {}, request_id)

    def statement_path(self, workload: str, index: int) -> DataPath:
        """Where the `iamRoleStatements` entry `index` of `workload` is in the config."""
        res = self.stack.resources[workload]
        return (*res.path, "properties", "iamRoleStatements", index)

    def fix(self, workload: str, kind: str, target: str, decision: Decision = IMPLICIT_DENY) -> str:
        """What to change in `workload` so that the call is allowed."""
        if decision.denied_by is not None:
            return (
                f"narrow or remove the Deny in {workload}'s "
                f"iamRoleStatements[{decision.denied_by}]: an explicit deny wins over connectTo "
                "and every Allow"
            )
        if kind == "publish" and target == self.stack.default_bus_key:
            arn = self.resource_arn(kind, target, {})
            return (
                "the default bus cannot be named in connectTo; add an iamRoleStatements entry "
                f"with Action [events:PutEvents] and Resource ['{arn}']"
            )
        if kind in _NOT_BY_CONNECT_TO:
            arn = self.resource_arn(kind, target, {})
            return (
                f"connectTo {named(target)} does not grant {_CALLS[kind][0]}; add an "
                "iamRoleStatements entry with Action [states:SendTaskSuccess, "
                f"states:SendTaskFailure, states:SendTaskHeartbeat] and Resource ['{arn}']"
            )
        return (
            f"add {named(target)} to {named(workload)}'s connectTo: "
            f"`connectTo: [{yaml_key(target)}]`"
        )


@dataclass(frozen=True, slots=True)
class EmitSite:
    """An emission a behaviours file declares: who emits what to which target, where.
    `key` is a `put`'s or `restoreObject`'s object key when it is a constant, else None."""

    workload: str
    kind: str
    target: str
    key: str | None
    pos: Position | None


def _statement_place(stack: Stack, perms: Permissions, workload: str, index: int) -> str:
    pos = stack.pos(perms.statement_path(workload, index))
    return f"iamRoleStatements[{index}]" + (f" (line {pos.line})" if pos else "")


def emission_diagnostics(stack: Stack, sites: list[EmitSite]) -> list[Diagnostic]:
    """A warning for each declared emission the workload's role would not allow on AWS,
    saying why: no statement allows it, or a Deny statement refuses it."""
    perms = Permissions(stack)
    out: list[Diagnostic] = []
    for site in sites:
        fields = {} if site.key is None else {"key": site.key}
        decision = perms.decide(site.workload, site.kind, site.target, fields)
        if decision.allowed:
            continue
        action = _CALLS[site.kind][0]
        if decision.denied_by is not None:
            place = _statement_place(stack, perms, site.workload, decision.denied_by)
            message = (
                f"{named(site.workload)}'s role explicitly denies {action} on {site.target!r}: its "
                f"{place} is a Deny that covers the call, and an explicit deny overrides "
                "every Allow (connectTo included), so the call fails with AccessDenied"
            )
        else:
            message = (
                f"{named(site.workload)}'s role does not allow {action} on {site.target!r}: "
                "neither its connectTo nor its iamRoleStatements grant it, so the call fails "
                "with AccessDenied"
            )
        out.append(
            Diagnostic.at(
                site.pos,
                "warning",
                "emission-not-permitted",
                message,
                resource=site.workload,
                hint=perms.fix(site.workload, site.kind, site.target, decision),
            )
        )
    return out


# What Lambda's event source mapping reads a source with, on the function's role (Lambda
# developer guide, "execution role permissions" of each source; Stacktape grants exactly
# these: resolveSqsEvents, resolveKinesisEvents, resolveDynamoEvents).
_SOURCE_ACTIONS = {
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    "kinesis-stream": ("kinesis:GetRecords", "kinesis:GetShardIterator"),
    "dynamo-db-stream": ("dynamodb:GetRecords", "dynamodb:GetShardIterator"),
}


def _source_arn(perms: Permissions, t: Trigger) -> str | None:
    """The ARN an sqs, kinesis-stream or dynamo-db-stream event reads."""
    if isinstance(t, SqsTrigger):
        return perms.ref_arn(t.queue)
    if t.type == "kinesis-stream" and isinstance(t.properties.get("kinesisStreamName"), str):
        return perms.arn_of(t.properties["kinesisStreamName"])
    arn = t.properties.get("streamArn")
    return str(arn) if isinstance(arn, str) else None


def role_diagnostics(stack: Stack) -> list[Diagnostic]:
    """What a workload's own `iamRoleStatements` refuse among the calls AWS makes with its
    role for it: Stacktape always grants them, so only an explicit Deny can. A refused
    destination or stream `onFailure` delivery is lost (`delivery-denied`); a refused read
    of an event source fails the deploy (`event-source-denied`)."""
    perms = Permissions(stack)
    out: list[Diagnostic] = []

    def denied(w: Function, action: str, arn: str) -> int | None:
        return evaluate(perms.policies(w), action, Target(arn)).denied_by

    # A batch job's events, and their `onFailure`, belong to Stacktape's trigger function,
    # whose role has none of the job's statements.
    for w in stack.functions:
        own = w.properties.get("iamRoleStatements")
        if not isinstance(own, list) or not any(
            isinstance(s, dict) and s.get("Effect") == "Deny" for s in own
        ):
            continue  # nothing else can refuse what Stacktape grants
        deliveries: list[tuple[Ref | None, str, DataPath | None]] = [
            (w.on_success, "destinations.onSuccess", None),
            (w.on_failure, "destinations.onFailure", None),
        ]
        for t in w.events:
            failure = t.properties.get("onFailure") if t.type.endswith("-stream") else None
            name = (
                getattr(failure.get("arn"), "resource", None) if isinstance(failure, dict) else None
            )
            if isinstance(name, str):
                path = (*t.path, "properties", "onFailure", "arn")
                deliveries.append((Ref(str(failure["arn"]), path, name), "onFailure", path))
            actions = _SOURCE_ACTIONS.get(t.type)
            arn = _source_arn(perms, t) if actions else None
            for action in actions if arn else ():
                index = denied(w, action, str(arn))
                if index is None:
                    continue
                place = _statement_place(stack, perms, w.name, index)
                out.append(
                    Diagnostic.at(
                        stack.pos(t.path),
                        "warning",
                        "event-source-denied",
                        f"{named(w.name)}'s {place} explicitly denies {action} on the {t.type} "
                        "event's source, which Lambda reads with the function's role: on a "
                        "first deploy CloudFormation fails to create the event source mapping "
                        "(InvalidParameterValueException), and an existing one stops reading",
                        resource=w.name,
                        hint=f"narrow or remove the Deny in iamRoleStatements[{index}]",
                    )
                )
                break
        for ref, what, path in deliveries:
            res = stack.resources.get(ref.target or "") if ref else None
            kind = DELIVERY_KINDS.get(canonical_type(res.type)) if res else None
            if ref is None or kind is None:
                continue
            index = denied(w, _CALLS[kind][0], perms.arn_of(res.name))
            if index is None:
                continue
            place = _statement_place(stack, perms, w.name, index)
            out.append(
                Diagnostic.at(
                    stack.pos(path or ref.path),
                    "warning",
                    "delivery-denied",
                    f"{named(w.name)}'s {place} explicitly denies {_CALLS[kind][0]} on "
                    f"{res.name!r}, its {what}: Lambda sends the records with the function's "
                    "role, so every one is refused with AccessDenied and lost",
                    resource=w.name,
                    hint=f"narrow or remove the Deny in iamRoleStatements[{index}]",
                )
            )
    return out
