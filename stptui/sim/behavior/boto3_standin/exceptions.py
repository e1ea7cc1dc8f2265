"""botocore.exceptions as the stand-in raises them: botocore's own errors (BotoCoreError and
its kinds), the ClientError classes botocore models per service (`client.exceptions`), and
the refusals of what stptui cannot carry out (BehaviorError).
"""

from __future__ import annotations

from typing import Any

from stptui.config.permissions import ClientError
from stptui.sim.behavior.errors import BehaviorError
from stptui.sim.behavior.handler_reads import (
    InvalidObjectState,
    NoSuchBucket,
    NoSuchKey,
    ResourceNotFoundException,
)

# Where a user reads what the stand-in has, named in its errors.
SEE_DOCS = '(docs/python-handlers.md, "boto3 in handlers")'


class BotoCoreError(Exception):
    """botocore's base of the errors it raises itself (not AWS's answers)."""

    fmt = "An unspecified error occurred"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(self.fmt.format(**kwargs))
        self.kwargs = kwargs


class ParamValidationError(BotoCoreError):
    """Parameters botocore refuses before sending the request, in botocore's words."""

    fmt = "Parameter validation failed:\n{report}"


class UnknownServiceError(BotoCoreError):
    """A service name the stand-in has no client for (botocore: one it has no model of)."""

    fmt = "Unknown service: '{service_name}'. Valid service names are: {known_service_names}"


class OutsideInvocationError(BotoCoreError):
    """A stand-in client called while no handler runs (at import): it has no invocation to
    act for."""

    fmt = (
        "{service}.{operation} was called outside an invocation: stptui's boto3 stand-in acts "
        "for the handler invocation that is running, and none is (make clients at import, "
        "call them in the handler)"
    )


class OperationNotPageableError(BotoCoreError):
    """`get_paginator` of an operation that has no paginator (in the stand-in)."""

    fmt = "Operation cannot be paginated: {operation_name}"


class NoRegionError(BotoCoreError):
    """botocore's class for a client without a region (kept for code that catches it)."""

    fmt = "You must specify a region."


# The errors botocore models, per service: class name -> the error code AWS answers with.
# A ClientError of such a code is raised as that class, as boto3's client raises it (an
# unhandled one is reported under its class's name).
_MODELLED: dict[str, dict[str, str]] = {
    "sqs": {
        "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
        "InvalidMessageContents": "InvalidMessageContents",
        "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
        "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
        "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
        "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
        "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
        "ReceiptHandleIsInvalid": "ReceiptHandleIsInvalid",
    },
    "sns": {
        "NotFoundException": "NotFound",
        "InvalidParameterException": "InvalidParameter",
        "InvalidParameterValueException": "ParameterValueInvalid",
        "AuthorizationErrorException": "AuthorizationError",
        "EmptyBatchRequestException": "EmptyBatchRequest",
        "TooManyEntriesInBatchRequestException": "TooManyEntriesInBatchRequest",
        "BatchEntryIdsNotDistinctException": "BatchEntryIdsNotDistinct",
        "InvalidBatchEntryIdException": "InvalidBatchEntryId",
        "BatchRequestTooLongException": "BatchRequestTooLong",
    },
    "events": {"ResourceNotFoundException": "ResourceNotFoundException"},
    "s3": {
        "NoSuchKey": "NoSuchKey",
        "NoSuchBucket": "NoSuchBucket",
        "InvalidObjectState": "InvalidObjectState",
    },
    "dynamodb": {
        "ConditionalCheckFailedException": "ConditionalCheckFailedException",
        "ResourceNotFoundException": "ResourceNotFoundException",
        "ProvisionedThroughputExceededException": "ProvisionedThroughputExceededException",
        "ItemCollectionSizeLimitExceededException": "ItemCollectionSizeLimitExceededException",
        "TransactionConflictException": "TransactionConflictException",
        "TransactionCanceledException": "TransactionCanceledException",
    },
    "lambda": {
        "ResourceNotFoundException": "ResourceNotFoundException",
        "InvalidRequestContentException": "InvalidRequestContentException",
        "RequestTooLargeException": "RequestTooLargeException",
        "TooManyRequestsException": "TooManyRequestsException",
        "InvalidParameterValueException": "InvalidParameterValueException",
    },
    "stepfunctions": {
        "ExecutionAlreadyExists": "ExecutionAlreadyExists",
        "InvalidExecutionInput": "InvalidExecutionInput",
        "InvalidName": "InvalidName",
        "InvalidArn": "InvalidArn",
        "StateMachineDoesNotExist": "StateMachineDoesNotExist",
        "ExecutionDoesNotExist": "ExecutionDoesNotExist",
        "ExecutionNotRedrivable": "ExecutionNotRedrivable",
        "ExecutionLimitExceeded": "ExecutionLimitExceeded",
        "ValidationException": "ValidationException",
        "InvalidToken": "InvalidToken",
        "InvalidOutput": "InvalidOutput",
        "TaskDoesNotExist": "TaskDoesNotExist",
        "TaskTimedOut": "TaskTimedOut",
        "ResourceNotFound": "ResourceNotFound",
    },
    "kinesis": {
        "ResourceNotFoundException": "ResourceNotFoundException",
        "InvalidArgumentException": "InvalidArgumentException",
        "ProvisionedThroughputExceededException": "ProvisionedThroughputExceededException",
    },
    "apigatewaymanagementapi": {
        "GoneException": "GoneException",
        "ForbiddenException": "ForbiddenException",
        "PayloadTooLargeException": "PayloadTooLargeException",
        "LimitExceededException": "LimitExceededException",
    },
}
# The classes handler_reads raises for S3's and DynamoDB's reads: the same ones here, so that
# `except s3.exceptions.NoSuchKey` catches what `context.get_object` raises.
_CLASSES: dict[str, type[ClientError]] = {
    "NoSuchKey": NoSuchKey,
    "NoSuchBucket": NoSuchBucket,
    "InvalidObjectState": InvalidObjectState,
    "ResourceNotFoundException": ResourceNotFoundException,
}


def _modelled_class(name: str) -> type[ClientError]:
    """The ClientError subclass botocore names `name` (one class per name, process-wide)."""
    found = _CLASSES.get(name)
    if found is None:
        found = _CLASSES[name] = type(name, (ClientError,), {"__module__": "botocore.errorfactory"})
    return found


class ClientExceptions:
    """A client's `exceptions`: `ClientError` and the service's modelled error classes."""

    def __init__(self, service: str) -> None:
        self._service = service
        self.ClientError = ClientError

    def __getattr__(self, name: str) -> type[ClientError]:
        if name.startswith("_"):
            raise AttributeError(name)  # copy asks before `_service` is set (Client's)
        if name in _MODELLED[self._service]:
            return _modelled_class(name)
        known = ", ".join(["ClientError", *_MODELLED[self._service]])
        raise AttributeError(
            f"{self._service} client's exceptions have no {name!r} in stptui's boto3 stand-in: "
            f"it has {known} (catch ClientError and read response['Error']['Code'] for others)"
        )


def as_modelled(service: str, exc: ClientError) -> ClientError:
    """`exc` as the class botocore raises for its code, when the service models one."""
    code = exc.response.get("Error", {}).get("Code")
    for name, modelled in _MODELLED[service].items():
        if modelled == code:
            cls = _modelled_class(name)
            if isinstance(exc, cls):
                return exc
            return cls(exc.response, exc.operation_name)
    return exc


def aws_error(error_code: str, message: str, operation: str) -> ClientError:
    """AWS's refusal `error_code` of `operation`, as botocore raises it."""
    return ClientError({"Error": {"Code": error_code, "Message": message}}, operation)


def refuse(call: str, what: str, hint: str | None = None) -> BehaviorError:
    """A parameter or value the real API takes that stptui cannot carry out."""
    return BehaviorError(f"{call}: stptui's boto3 stand-in {what}", hint)
