"""The modules `import boto3` and `import botocore` find: boto3's client, resource and
Session, botocore's Config, each as a fresh ModuleType per session; and their install in
sys.modules (hiding any real boto3 and botocore) and removal.
"""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from types import ModuleType
from typing import Any

from stptui.config.permissions import ClientError
from stptui.sim.behavior.boto3_standin.client import SERVICES, Client
from stptui.sim.behavior.boto3_standin.conditions import Attr, AttributeBase, ConditionBase, Key
from stptui.sim.behavior.boto3_standin.ddb_types import TypeDeserializer, TypeSerializer
from stptui.sim.behavior.boto3_standin.dynamodb_resource import DynamoDBResource
from stptui.sim.behavior.boto3_standin.exceptions import (
    SEE_DOCS,
    BotoCoreError,
    NoRegionError,
    OperationNotPageableError,
    OutsideInvocationError,
    ParamValidationError,
    UnknownServiceError,
    refuse,
)
from stptui.sim.behavior.errors import shown

# The parameters of boto3's `client` and `resource` after the service's name, in order:
# boto3 takes them as positional arguments too (`boto3.client("s3", "eu-west-1")`).
_CLIENT_PARAMS = (
    "region_name",
    "api_version",
    "use_ssl",
    "verify",
    "endpoint_url",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "config",
    "aws_account_id",
)


def _options(call: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """`client`'s or `resource`'s arguments after the service's name, by name."""
    if len(args) > len(_CLIENT_PARAMS):
        raise TypeError(
            f"{call}() takes at most {len(_CLIENT_PARAMS) + 1} positional arguments "
            f"({len(args) + 1} given)"
        )
    options = dict(zip(_CLIENT_PARAMS, args, strict=False))
    for name in kwargs:
        if name not in _CLIENT_PARAMS:
            raise TypeError(f"{call}() got an unexpected keyword argument {name!r}")
        if name in options:
            raise TypeError(f"{call}() got multiple values for argument {name!r}")
    return {**options, **kwargs}


def _region(options: dict[str, Any], default: str | None = None) -> str:
    """The region a client is made in, as botocore picks it: `region_name`, the Config's,
    the session's, then AWS_DEFAULT_REGION (which Lambda sets to the function's region)."""
    config = options.get("config")
    return (
        options.get("region_name")
        or (config.kwargs.get("region_name") if isinstance(config, Config) else None)
        or default
        or os.environ.get("AWS_DEFAULT_REGION")
        or "us-east-1"
    )


def _client(service_name: str, *args: Any, **kwargs: Any) -> Client:
    return _make_client(service_name, _options("client", args, kwargs))


def _make_client(service_name: str, options: dict[str, Any], region: str | None = None) -> Client:
    if service_name not in SERVICES:
        raise UnknownServiceError(
            service_name=service_name,
            known_service_names=", ".join(SERVICES)
            + f" (stptui's boto3 stand-in simulates these) {SEE_DOCS}",
        )
    return Client(service_name, _region(options, region), options.get("endpoint_url"))


def _resource(service_name: str, *args: Any, **kwargs: Any) -> DynamoDBResource:
    return _make_resource(service_name, _options("resource", args, kwargs))


def _make_resource(
    service_name: str, options: dict[str, Any], region: str | None = None
) -> DynamoDBResource:
    if service_name != "dynamodb":
        raise refuse(
            f"boto3.resource({shown(service_name)})",
            "has the dynamodb resource only; use boto3.client for the others",
        )
    return DynamoDBResource(_make_client("dynamodb", options, region))


class Session:
    """boto3.Session: its `client` and `resource` are the module's, its clients in its region
    (credentials and profile are accepted and have no effect)."""

    def __init__(self, **kwargs: Any) -> None:
        self.region_name = kwargs.get("region_name") or os.environ.get(
            "AWS_DEFAULT_REGION", "us-east-1"
        )

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Client:
        """A stand-in client of `service_name`, in the session's region unless told."""
        return _make_client(service_name, _options("client", args, kwargs), self.region_name)

    def resource(self, service_name: str, *args: Any, **kwargs: Any) -> DynamoDBResource:
        """The stand-in dynamodb resource, in the session's region unless told."""
        options = _options("resource", args, kwargs)
        return _make_resource(service_name, options, self.region_name)

    def get_available_services(self) -> list[str]:
        """The services the stand-in has clients of."""
        return list(SERVICES)


class Config:
    """botocore.config.Config: accepted; only its `region_name` has an effect (a client's
    `meta.region_name`): there are no retries or timeouts to set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.kwargs = kwargs

    def merge(self, other: Config) -> Config:
        """A Config of both."""
        return Config(**{**self.kwargs, **other.kwargs})


_MB = 1024 * 1024


class TransferConfig:
    """boto3.s3.transfer.TransferConfig: its settings kept; the managed transfers read
    `multipart_threshold` (whether a file is uploaded, or a copy made, in parts)."""

    def __init__(
        self,
        multipart_threshold: int = 8 * _MB,
        max_concurrency: int = 10,
        multipart_chunksize: int = 8 * _MB,
        num_download_attempts: int = 5,
        max_io_queue: int = 100,
        io_chunksize: int = 256 * 1024,
        use_threads: bool = True,
        max_bandwidth: int | None = None,
        **more: Any,
    ) -> None:
        for name, value in (
            ("multipart_threshold", multipart_threshold),
            ("max_concurrency", max_concurrency),
            ("multipart_chunksize", multipart_chunksize),
            ("num_download_attempts", num_download_attempts),
            ("max_io_queue", max_io_queue),
            ("io_chunksize", io_chunksize),
        ):
            # s3transfer's TransferConfig._validate_attrs_are_nonzero, in its words.
            if value <= 0:
                raise ValueError(
                    f"Provided parameter {name} of value {value} must be greater than 0."
                )
        self.multipart_threshold = multipart_threshold
        self.max_concurrency = max_concurrency
        self.multipart_chunksize = multipart_chunksize
        self.num_download_attempts = num_download_attempts
        self.max_io_queue = max_io_queue
        self.io_chunksize = io_chunksize
        self.use_threads = use_threads
        self.max_bandwidth = max_bandwidth
        self.__dict__.update(more)


def _module(name: str, doc: str, **attrs: Any) -> ModuleType:
    module = ModuleType(name, doc)
    module.__dict__.update(attrs)
    return module


def modules() -> dict[str, ModuleType]:
    """A fresh set of the stand-in's modules, by the names `import` finds them under: one set
    per session, so that what a handler sets on `boto3` stays in its session."""
    conditions = _module(
        "boto3.dynamodb.conditions",
        "stptui's stand-in of boto3.dynamodb.conditions.",
        Key=Key,
        Attr=Attr,
        ConditionBase=ConditionBase,
        AttributeBase=AttributeBase,
    )
    types = _module(
        "boto3.dynamodb.types",
        "stptui's stand-in of boto3.dynamodb.types.",
        TypeSerializer=TypeSerializer,
        TypeDeserializer=TypeDeserializer,
        Decimal=Decimal,
    )
    dynamodb = _module(
        "boto3.dynamodb", "stptui's stand-in of boto3.dynamodb.", conditions=conditions, types=types
    )
    session = _module("boto3.session", "stptui's stand-in of boto3.session.", Session=Session)
    transfer = _module(
        "boto3.s3.transfer",
        "stptui's stand-in of boto3.s3.transfer.",
        TransferConfig=TransferConfig,
    )
    s3 = _module("boto3.s3", "stptui's stand-in of boto3.s3.", transfer=transfer)
    boto3 = _module(
        "boto3",
        "stptui's stand-in of boto3 (stptui.sim.behavior.boto3_standin): its clients act for "
        "the handler invocation that is running.",
        client=_client,
        resource=_resource,
        Session=Session,
        session=session,
        dynamodb=dynamodb,
        s3=s3,
        setup_default_session=lambda **kwargs: None,
        __version__="0.0.0+stptui",
    )
    exceptions = _module(
        "botocore.exceptions",
        "stptui's stand-in of botocore.exceptions.",
        ClientError=ClientError,
        BotoCoreError=BotoCoreError,
        ParamValidationError=ParamValidationError,
        UnknownServiceError=UnknownServiceError,
        NoRegionError=NoRegionError,
        OperationNotPageableError=OperationNotPageableError,
        OutsideInvocationError=OutsideInvocationError,
    )
    config = _module("botocore.config", "stptui's stand-in of botocore.config.", Config=Config)
    botocore = _module(
        "botocore",
        "stptui's stand-in of botocore.",
        exceptions=exceptions,
        config=config,
        __version__="0.0.0+stptui",
    )
    made = [conditions, types, dynamodb, transfer, s3, session, boto3, exceptions, config, botocore]
    return {m.__name__: m for m in made}


_PREFIXES = ("boto3", "botocore")


def _sdk(name: str) -> bool:
    return name in _PREFIXES or name.startswith(("boto3.", "botocore."))


def install(ours: dict[str, ModuleType]) -> dict[str, ModuleType]:
    """Put the stand-in's modules in sys.modules, hiding any real boto3 and botocore (and
    their submodules); returns what was hidden, for `uninstall`."""
    hidden: dict[str, ModuleType] = {}
    if "boto3" in sys.modules or "botocore" in sys.modules:
        for name in [n for n in sys.modules if _sdk(n)]:
            hidden[name] = sys.modules.pop(name)
    sys.modules.update(ours)
    return hidden


def uninstall(ours: dict[str, ModuleType], hidden: dict[str, ModuleType]) -> None:
    """Take the stand-in's modules out of sys.modules (or what a handler put in their place)
    and put back what `install` hid."""
    for name in ours:
        sys.modules.pop(name, None)
    sys.modules.update(hidden)
