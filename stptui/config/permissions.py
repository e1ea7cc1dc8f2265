"""Whether a workload's IAM role lets it make the AWS call an emission stands for.

Stacktape gives a function or batch job a role whose policies come from two places
(stacktape/stacktape: `getPoliciesForRoles` and its `getStatementsForAccessing*` helpers):
its `connectTo` list (one fixed set of statements per target type, e.g. `sqs:SendMessage`
on a queue it names) and its own `iamRoleStatements`. Anything else is an implicit deny:
the SDK call fails with the service's AccessDenied error, which is what `Permissions.check`
returns. Pure (no trace, no clock): the simulated handlers and `stptui validate` both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stptui.config.diagnostics import Diagnostic, Position
from stptui.config.directives import fake_resource_param, stack_context, stack_name
from stptui.config.envvars import effective_connect_to
from stptui.config.model import DEFAULT_BUS, BatchJob, Stack, Workload

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
}
# The resource type each emission kind writes to, which is also the type whose `connectTo`
# grants it (Stacktape's statements for that type include the action: `sqs:SendMessage`,
# `events:PutEvents`, `sns:Publish`, `s3:*Object*`, `lambda:InvokeFunction`,
# `kinesis:PutRecord`, `dynamodb:PutItem` / `DeleteItem` / `UpdateItem`,
# `states:StartExecution`).
EMISSION_TARGET_TYPES: dict[str, str] = {
    "send": "sqs-queue",
    "publish": "event-bus",
    "notify": "sns-topic",
    "put": "bucket",
    "invoke": "function",
    "putRecord": "kinesis-stream",
    "putItem": "dynamo-db-table",
    "deleteItem": "dynamo-db-table",
    "updateItem": "dynamo-db-table",
    "startExecution": "state-machine",
}


@dataclass(frozen=True, slots=True)
class Denial:
    """An AWS call the role does not allow: the service's error code and message."""

    code: str
    message: str
    operation: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ClientError(Exception):
    """What a Python handler's `context` call raises when the role does not allow it: named
    and shaped as botocore's (`response["Error"]["Code"]`, `operation_name`), so that an
    unhandled one fails the invocation with errorType `ClientError`, as boto3's would."""

    def __init__(self, denial: Denial) -> None:
        super().__init__(
            f"An error occurred ({denial.code}) when calling the {denial.operation} "
            f"operation: {denial.message}"
        )
        self.response = {"Error": {"Code": denial.code, "Message": denial.message}}
        self.operation_name = denial.operation


@lru_cache(maxsize=512)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's `*` (any run of characters, `/` and `:` included) and `?` (one character)."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _entries(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _may_match(pattern: str, prefix: str) -> bool:
    """Whether the resource pattern matches some ARN that starts with `prefix` (an object
    of a bucket whose key is not known before the handler runs)."""
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=-1)
    if cut < 0:
        return pattern.startswith(prefix)
    literal = pattern[:cut]
    return literal.startswith(prefix) or prefix.startswith(literal)


def _statement_allows(statement: Any, action: str, resource: str, prefix: bool = False) -> bool:
    """Whether one `iamRoleStatements` entry allows `action` on `resource` (with `prefix`,
    on some resource whose ARN starts with `resource`).

    Stacktape writes a missing Effect as Allow and a missing Action as `*`
    (`getFormattedRuleStatements`). A statement this cannot read (a Condition, a value that
    is not text) counts as allowing: the simulator must never refuse what AWS would allow."""
    if not isinstance(statement, dict):
        return True
    if statement.get("Effect", "Allow") != "Allow":
        return False
    if statement.get("Condition") is not None:
        return True
    actions = _entries(statement.get("Action", "*"))
    resources = _entries(statement.get("Resource", "*"))
    if not all(isinstance(a, str) for a in actions + resources):
        return True
    if not any(_wildcard(a, True).fullmatch(action) for a in actions):
        return False
    if prefix:
        return any(_may_match(r, resource) for r in resources)
    return any(_wildcard(r, False).fullmatch(resource) for r in resources)


class Permissions:
    """The grants of every workload in a stack, and the check of one call against them."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._ctx = stack_context(stack)
        self._connected: dict[str, set[str]] = {}
        # Decisions by (workload, kind, target), asked at every emission; not for PutObject,
        # whose object keys are unbounded.
        self._decided: dict[tuple[str, str, str], bool] = {}

    def resource_arn(self, kind: str, target: str, fields: dict[str, Any]) -> str:
        """The ARN IAM checks the call against: the queue, bus, topic, function, stream or
        table; for PutObject the object (`BUCKET_ARN/KEY`)."""
        if kind == "publish" and target == DEFAULT_BUS:
            return f"arn:aws:events:{self.stack.region}:{self.stack.account_id}:event-bus/default"
        res = self.stack.resources.get(target)
        arn = fake_resource_param(self._ctx, target, "arn", res.type if res else None)
        if kind == "put":
            return f"{arn}/{fields.get('key', '*')}"
        return arn

    def principal(self, workload: str, session: str) -> str:
        """The assumed-role ARN AWS names in its message: the role `{stack}-{workload}-role`
        (see docs/fidelity.md), the session the function's name or the batch job's id."""
        return (
            f"arn:aws:sts::{self.stack.account_id}:assumed-role/"
            f"{stack_name(self._ctx)}-{workload}-role/{session}"
        )

    def session(self, workload: str, request_id: str) -> str:
        """Lambda names the role session after the function; a batch job's container gets
        the job's id."""
        res = self.stack.resources.get(workload)
        if isinstance(res, BatchJob):
            return request_id
        return f"{stack_name(self._ctx)}-{workload}"

    def _connect_targets(self, workload: Workload) -> set[str]:
        hit = self._connected.get(workload.name)
        if hit is None:
            hit = self._connected[workload.name] = {
                ref.target
                for ref in effective_connect_to(workload)
                if ref.by == "name" and ref.target is not None
            }
        return hit

    def allowed(self, workload: str, kind: str, target: str, fields: dict[str, Any]) -> bool:
        """Whether `workload`'s role allows the `kind` call on `target`. A workload the
        stack does not model as a function or batch job is not checked."""
        if kind == "put":
            return self._allowed(workload, kind, target, fields)
        key = (workload, kind, target)
        hit = self._decided.get(key)
        if hit is None:
            hit = self._decided[key] = self._allowed(workload, kind, target, fields)
        return hit

    def _allowed(self, workload: str, kind: str, target: str, fields: dict[str, Any]) -> bool:
        res = self.stack.resources.get(workload)
        if not isinstance(res, Workload):
            return True
        granted = self.stack.resources.get(target)
        if (
            granted is not None
            and granted.type == EMISSION_TARGET_TYPES[kind]
            and target in self._connect_targets(res)
        ):
            return True
        statements = res.properties.get("iamRoleStatements")
        if not isinstance(statements, list):
            return False
        action = _CALLS[kind][0]
        if kind == "put" and not isinstance(fields.get("key"), str):
            # The key is only known when the handler runs: any object of the bucket will do.
            arn = self.resource_arn(kind, target, {"key": ""})
            return any(_statement_allows(s, action, arn, prefix=True) for s in statements)
        arn = self.resource_arn(kind, target, fields)
        return any(_statement_allows(s, action, arn) for s in statements)

    def check(
        self, workload: str, kind: str, target: str, fields: dict[str, Any], request_id: str
    ) -> Denial | None:
        """None when the call is allowed, else the error AWS answers with."""
        if self.allowed(workload, kind, target, fields):
            return None
        _, operation, code, spelled = _CALLS[kind]
        arn = self.resource_arn(kind, target, fields)
        shown = f'"{arn}"' if kind == "put" else arn
        who = self.principal(workload, self.session(workload, request_id))
        message = (
            f"User: {who} is not authorized to perform: {spelled} on resource: {shown} "
            f"because no identity-based policy allows the {spelled} action"
        )
        return Denial(code, message, operation)

    def fix(self, workload: str, kind: str, target: str) -> str:
        """What to add to `workload` so that the call is allowed."""
        if kind == "publish" and target == DEFAULT_BUS:
            arn = self.resource_arn(kind, target, {})
            return (
                "the default bus cannot be named in connectTo; add an iamRoleStatements entry "
                f"with Action [events:PutEvents] and Resource ['{arn}']"
            )
        return f"add {target} to {workload}'s connectTo: `connectTo: [{target}]`"


@dataclass(frozen=True, slots=True)
class EmitSite:
    """An emission a behaviours file declares: who emits what to which target, where.
    `key` is a `put`'s object key when it is a constant, else None."""

    workload: str
    kind: str
    target: str
    key: str | None
    pos: Position | None


def emission_diagnostics(stack: Stack, sites: list[EmitSite]) -> list[Diagnostic]:
    """A warning for each declared emission the workload's role would not allow on AWS."""
    perms = Permissions(stack)
    out: list[Diagnostic] = []
    for site in sites:
        fields = {} if site.key is None else {"key": site.key}
        if perms.allowed(site.workload, site.kind, site.target, fields):
            continue
        action = _CALLS[site.kind][0]
        out.append(
            Diagnostic.at(
                site.pos,
                "warning",
                "emission-not-permitted",
                f"{site.workload}'s role does not allow {action} on {site.target!r}: neither "
                "its connectTo nor its iamRoleStatements grant it, so the call fails with "
                "AccessDenied",
                resource=site.workload,
                hint=perms.fix(site.workload, site.kind, site.target),
            )
        )
    return out
