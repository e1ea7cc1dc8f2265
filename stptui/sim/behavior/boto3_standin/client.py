"""A stand-in boto3 client of one service, and the operations each service's client has."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from stptui.sim.behavior.boto3_standin import (
    apigatewaymanagementapi,
    awslambda,
    dynamodb,
    events,
    kinesis,
    s3,
    s3_transfers,
    sns,
    sqs,
    stepfunctions,
)
from stptui.sim.behavior.boto3_standin.exceptions import (
    SEE_DOCS,
    ClientExceptions,
    OperationNotPageableError,
)
from stptui.sim.behavior.boto3_standin.invocation import Operation, operation_method
from stptui.sim.behavior.boto3_standin.paginators import Paginator, Paging

# The services a client is made of, in the order errors list them.
SERVICES: dict[str, dict[str, Operation]] = {
    "sqs": sqs.OPERATIONS,
    "sns": sns.OPERATIONS,
    "events": events.OPERATIONS,
    "s3": s3.OPERATIONS,
    "dynamodb": dynamodb.OPERATIONS,
    "lambda": awslambda.OPERATIONS,
    "stepfunctions": stepfunctions.OPERATIONS,
    "kinesis": kinesis.OPERATIONS,
    "apigatewaymanagementapi": apigatewaymanagementapi.OPERATIONS,
}

# The methods boto3 adds to a service's client that are not API operations (they take
# positional arguments): S3's managed transfers and generate_presigned_url.
INJECTED: dict[str, dict[str, Callable[..., Any]]] = {"s3": s3_transfers.METHODS}

# The operations each service's client pages (botocore's paginators-1.json).
PAGINATORS: dict[str, dict[str, Paging]] = {
    "s3": s3.PAGINATORS,
    "dynamodb": dynamodb.PAGINATORS,
    "stepfunctions": stepfunctions.PAGINATORS,
}


class _Meta:
    """A client's `meta`: its region and endpoint, as boto3's has them."""

    def __init__(self, service: str, region_name: str, endpoint_url: str | None) -> None:
        self.service_name = service
        self.region_name = region_name
        self.endpoint_url = endpoint_url


class Client:
    """A stand-in boto3 client of one service: its operations act for the running invocation."""

    def __init__(self, service: str, region_name: str | None, endpoint_url: str | None) -> None:
        self._service = service
        self.endpoint_url = endpoint_url
        self.exceptions = ClientExceptions(service)
        self.meta = _Meta(service, region_name or "us-east-1", endpoint_url)

    def _target_table(self, params: dict[str, Any]) -> str:
        """The table an operation names (a low-level client's TableName)."""
        return str(params["TableName"])

    def can_paginate(self, operation_name: str) -> bool:
        """Whether `get_paginator(operation_name)` gives a paginator."""
        return operation_name in PAGINATORS.get(self._service, {})

    def get_paginator(self, operation_name: str) -> Paginator:
        """The paginator of `operation_name` (`list_objects_v2`, `query`, `scan`)."""
        paging = PAGINATORS.get(self._service, {}).get(operation_name)
        if paging is None:
            raise OperationNotPageableError(operation_name=operation_name)
        return Paginator(getattr(self, operation_name), paging)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            # Before `_service` is read: copy.copy asks a client it has not initialised
            # for `__setstate__`, and reading `_service` there would ask for it again.
            raise AttributeError(name)
        ops = SERVICES[self._service]
        op = ops.get(name)
        extra = INJECTED.get(self._service, {})
        if op is None and name in extra:
            return functools.partial(extra[name], self)
        if op is None:
            raise AttributeError(
                f"stptui's boto3 stand-in has no {self._service} operation {name!r}: its "
                f"{self._service} client has {', '.join([*ops, *extra])} {SEE_DOCS}"
            )
        return operation_method(self._service, name, op, self)

    def __repr__(self) -> str:
        return f"<stptui boto3 stand-in {self._service} client>"
