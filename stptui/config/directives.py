"""Stacktape directives (`$Var().x`, `$Stage()`, `$Format(...)`, `$ResourceParam(...)`, ...).

A directive is a whole string value `$Name(arg, ...)` with an optional property path
`.a.b` (reference §1.3). We parse it with Stacktape's own rules (`src/utils/directives.ts`):
detection looks only at the start and at the text after the last `)`, arguments are split
on commas outside quotes and parentheses, `\\'` does not close a quote (the backslash is
kept), and empty arguments are dropped.

Resolution follows the deployer where it can run locally and stands in for AWS where it
cannot: local directives give real values, runtime ones give a visible `Placeholder` (or,
for `$ResourceParam`, a well-formed fake ARN/URL/name as a `ResourceParamValue`). Config
code is never run: custom directives and `$File` on a code file become placeholders.

Where runtime directives may appear: Stacktape's docs say `resources` and `scripts`; its own
published examples also put them in `stackConfig.outputs` (`$ResourceParam`) and in
`providerConfig` (`$Secret`), so those are accepted too. In `variables` they are left as
text, because `$Var()` hands Stacktape the raw string and it is resolved where it is used.

Every problem is a Diagnostic at the value's position and the value keeps its original
text; nothing raises, and nesting, evaluation chains, copied data and file sizes are capped
so that any input is dealt with in bounded time.
"""

from __future__ import annotations

import hashlib
import math
import os
import posixpath
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

from stptui.config import aws_names
from stptui.config.aws_names import batch_job_definition_name, batch_state_machine_name
from stptui.config.diagnostics import ConfigError, Diagnostic, Position, Severity, did_you_mean
from stptui.config.inifile import parse_ini
from stptui.config.loader import MAX_DEPTH, DataPath, LoadedYaml, line_column, parse_yaml
from stptui.config.model import Queue, SnsTopic, Stack, canonical_type
from stptui.sim.logs import batch_group_name

MAX_NESTING = 32
MAX_DIRECTIVE_CHARS = 10_000
MAX_FILE_BYTES = 1024 * 1024
MAX_STRING_CHARS = 4 * 1024 * 1024
# Upper bound on directive evaluations plus copied values in one config: `$Var()` chains
# that use a variable twice per level would otherwise grow exponentially ("billion laughs").
# Real configs stay far below it; reaching it costs well under a second.
_MAX_WORK = 500_000
# Each value (a property of the config, or a variable resolved for its users) may spend only
# this share of it, so that the value that grows too large is the one blamed and the others
# still resolve. Before a doubling chain builds a value over its share, its smaller values
# have been built and copied to their users for about 8 shares in all: within the total.
_VALUE_SHARE = 10

GIT_INFO_PROPERTIES = ("commit", "branch", "username", "gitUrl")
# (section path prefix) where Stacktape resolves runtime directives; see the module docstring.
RUNTIME_PLACES: tuple[DataPath, ...] = (
    ("resources",),
    ("scripts",),
    ("stackConfig", "outputs"),
    ("providerConfig",),
)
_CODE_EXTENSIONS = frozenset({"js", "ts", "py"})  # what Stacktape's $File would import and run
# Directive names from older Stacktape versions that configs found online still use.
_LEGACY_HINTS = {
    "GetParam": "$GetParam is from an older Stacktape; write $ResourceParam('name', 'param')",
    "Param": "$Param is from an older Stacktape; write $ResourceParam('name', 'param')",
}
# Legacy attribute names whose `$ResourceParam` parameter is not the attribute lower-cased.
_LEGACY_ATTRIBUTES = {"Endpoint.Address": "host", "Endpoint.Port": "port"}


# -- context and value types ---------------------------------------------------------------


@dataclass(frozen=True)
class DirectiveContext:
    """What local directives read: stage, region, account, where `$File` looks, CLI args.

    `resource_types` feeds `$ResourceParam`; resources it does not name are looked up in
    the config's own `resources` section.
    """

    stage: str = "dev"
    region: str = "us-east-1"
    account_id: str = "123456789012"
    project: str = "app"
    config_dir: Path | None = None
    resource_types: Mapping[str, str] = field(default_factory=dict)
    cli_args: Mapping[str, str] = field(default_factory=dict)
    profile: str = "default"
    # FIFO queues and topics: AWS names them with a `.fifo` suffix (Stacktape adds it).
    fifo: frozenset[str] = frozenset()
    # Buses with an `eventSourceName`: the AWS bus is named after the partner event source.
    bus_names: Mapping[str, str] = field(default_factory=dict)
    # The custom domains of resources with an enabled CDN (their `cdnCustomDomains`).
    cdn_domains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Resource -> its properties that its parameters' values depend on (PARAM_PROPERTIES).
    param_props: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def stack_context(stack: Stack) -> DirectiveContext:
    """The context a loaded stack's fake names, ARNs and URLs come from."""
    return DirectiveContext(
        stage=stack.stage,
        region=stack.region,
        account_id=stack.account_id,
        project=stack.service_name,
        resource_types={n: r.type for n, r in stack.resources.items()},
        fifo=frozenset(
            n for n, r in stack.resources.items() if isinstance(r, Queue | SnsTopic) and r.fifo
        ),
        bus_names=bus_names(stack),
        cdn_domains={
            n: tuple(domains)
            for n, r in stack.resources.items()
            if (domains := resource_cdn_domains(r.type, r.properties))
        },
        param_props={
            n: r.properties
            for n, r in stack.resources.items()
            if canonical_type(r.type) in PARAM_PROPERTIES
        },
    )


def bus_names(stack: Stack) -> dict[str, str]:
    """The buses of a stack whose AWS name is their `eventSourceName` (§2.5)."""
    return {b.name: b.event_source_name for b in stack.buses if b.event_source_name}


class ResourceParamValue(str):
    """A $ResourceParam result.

    Behaves as the fake value string (ARN/URL/name) but remembers .resource and .param.
    """

    resource: str
    param: str

    def __new__(cls, value: str, resource: str, param: str) -> ResourceParamValue:
        obj = super().__new__(cls, value)
        obj.resource = resource
        obj.param = param
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.resource, self.param))

    def __repr__(self) -> str:
        return (
            f"ResourceParamValue({str(self)!r}, resource={self.resource!r}, param={self.param!r})"
        )


class Placeholder(str):
    """A value that exists only in AWS, or only by running code.

    Made by $Secret, $SsmParam, $CfResourceParam, $CfStackOutput, $StackOutput, $CfFormat,
    $GitInfo and custom directives. The text is visible, e.g. '<secret:db.password>';
    .directive holds the directive name. Its repr is its text's, as messages quote config
    values with repr.
    """

    directive: str

    def __new__(cls, text: str, directive: str) -> Placeholder:
        obj = super().__new__(cls, text)
        obj.directive = directive
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.directive))


class CfResourceParamValue(Placeholder):
    """A $CfResourceParam result: the placeholder `<cf:LogicalId.Attr>` that also remembers
    .logical_id and .attribute, so that a reference written with it can be followed to a
    `cloudformationResources` entry."""

    logical_id: str
    attribute: str

    def __new__(cls, logical_id: str, attribute: str) -> CfResourceParamValue:
        obj = super().__new__(cls, f"<cf:{logical_id}.{attribute}>", "CfResourceParam")
        obj.logical_id = logical_id
        obj.attribute = attribute
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.logical_id, self.attribute))

    def __repr__(self) -> str:
        return f"CfResourceParamValue({self.logical_id!r}, {self.attribute!r})"


# -- fake AWS values -------------------------------------------------------------------------


def stack_name(ctx: DirectiveContext) -> str:
    """The CloudFormation stack name Stacktape uses: `{project}-{stage}`."""
    return f"{ctx.project}-{ctx.stage}"


def aws_resource_name(ctx: DirectiveContext, name: str) -> str:
    """`{project}-{stage}-{name}`: the stand-in name of a resource whose name Stacktape's
    `awsResourceNames` does not give (the types stptui.config.aws_names names have theirs)."""
    return f"{stack_name(ctx)}-{name}"


def stack_hash(ctx: DirectiveContext) -> str:
    """Stacktape's globally unique stack hash of the simulated stack, region and account."""
    return aws_names.globally_unique_stack_hash(ctx.region, stack_name(ctx), ctx.account_id)


def bucket_name(ctx: DirectiveContext, name: str) -> str:
    """Bucket `name`'s AWS name, as Stacktape names it (stptui.config.aws_names)."""
    return aws_names.bucket_name(stack_name(ctx), name, stack_hash(ctx))


def function_name(ctx: DirectiveContext, name: str) -> str:
    """Function `name`'s AWS name, as Stacktape names it (at most 64 characters)."""
    return aws_names.lambda_name(stack_name(ctx), name)


def fake_id(ctx: DirectiveContext, name: str, length: int = 10) -> str:
    """A deterministic lowercase alphanumeric id (API ids, URL ids) for resource `name`."""
    seed = f"{ctx.account_id}/{ctx.region}/{stack_name(ctx)}/{name}".encode()
    number = int.from_bytes(hashlib.sha256(seed).digest(), "big")
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 36)
        chars.append("0123456789abcdefghijklmnopqrstuvwxyz"[digit])
    return "".join(chars)


def _queue_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    name = aws_names.sqs_queue_name(stack_name(ctx), res, fifo=res in ctx.fifo)
    return {
        "arn": f"arn:aws:sqs:{ctx.region}:{ctx.account_id}:{name}",
        "url": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account_id}/{name}",
        "name": name,
    }


def _topic_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    name = aws_names.sns_topic_name(stack_name(ctx), res, fifo=res in ctx.fifo)
    return {"arn": f"arn:aws:sns:{ctx.region}:{ctx.account_id}:{name}", "name": name}


def event_bus_name(ctx: DirectiveContext, res: str) -> str:
    """A bus's AWS name: its `eventSourceName` when it has one, else `{project}-{stage}-{name}`
    (reference §2.5)."""
    return ctx.bus_names.get(res) or aws_names.event_bus_name(stack_name(ctx), res)


def _bus_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    prefix = f"arn:aws:events:{ctx.region}:{ctx.account_id}"
    # An archive name may not hold the `/` of a partner bus name: it keeps the stack's naming.
    return {
        "arn": f"{prefix}:event-bus/{event_bus_name(ctx, res)}",
        "archiveArn": f"{prefix}:archive/{aws_resource_name(ctx, res)}-archive",
    }


def cdn_domains(properties: Mapping[str, Any]) -> list[str] | None:
    """The custom domain names of a resource's enabled CDN ([] for none), or None when the
    resource has no enabled CDN."""
    cdn = properties.get("cdn")
    if not isinstance(cdn, dict) or not cdn.get("enabled"):
        return None
    custom = cdn.get("customDomains")
    if not isinstance(custom, list):
        return []
    return [str(d["domainName"]) for d in custom if isinstance(d, dict) and d.get("domainName")]


def resource_cdn_domains(rtype: str | None, properties: Mapping[str, Any]) -> list[str] | None:
    """`cdn_domains` of a resource of type `rtype`. A hosting bucket's CDN is always on, with
    the hosting bucket's own `customDomains` (Stacktape's hosting-bucket resolver gives them
    to the CDN of its nested bucket)."""
    if rtype == "hosting-bucket":
        custom = properties.get("customDomains")
        return cdn_domains({"cdn": {"enabled": True, "customDomains": custom}})
    return cdn_domains(properties)


def _cdn_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """A CDN's domain parameters, on a CloudFront-shaped domain of its own; its custom
    domains are the config's own, joined as Stacktape joins them."""
    domain = f"d{fake_id(ctx, res, 13)}.cloudfront.net"
    custom = ctx.cdn_domains.get(res, ())
    return {
        "cdnDomain": domain,
        "cdnUrl": f"https://{domain}",
        "cdnCanonicalDomain": domain,
        "cdnCanonicalUrl": f"https://{domain}",
        "cdnCustomDomains": ", ".join(custom),
        "cdnCustomDomainUrls": ", ".join(f"https://{d}" for d in custom),
    }


def _bucket_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    name = bucket_name(ctx, res)
    return {"name": name, "arn": f"arn:aws:s3:::{name}", **_cdn_params(ctx, res)}


def _efs_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """An EFS file system's id (`fs-` and 17 hex digits, as AWS gives them) and its ARN."""
    seed = f"{ctx.account_id}/{ctx.region}/{stack_name(ctx)}/{res}".encode()
    fs_id = "fs-" + hashlib.sha256(seed).hexdigest()[:17]
    return {
        "id": fs_id,
        "arn": f"arn:aws:elasticfilesystem:{ctx.region}:{ctx.account_id}:file-system/{fs_id}",
    }


def _log_group_arn(ctx: DirectiveContext, group: str) -> str:
    """A log group's ARN as Stacktape's `logGroupArn` gives it, `GetAtt(LogGroup, 'Arn')`:
    CloudFormation's form, which ends in `:*` (all the group's streams)."""
    return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}:*"


def _function_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    name = function_name(ctx, res)
    return {
        "arn": f"arn:aws:lambda:{ctx.region}:{ctx.account_id}:function:{name}",
        "name": name,
        "logGroupArn": _log_group_arn(ctx, aws_names.lambda_log_group_name(name)),
        "url": f"https://{fake_id(ctx, res, 32)}.lambda-url.{ctx.region}.on.aws/",
        **_cdn_params(ctx, res),
    }


def _batch_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """`Ref` of the job's JobDefinition (its ARN, first revision) and of its StateMachine,
    named as Stacktape names them (stptui.config.aws_names)."""
    stack = stack_name(ctx)
    definition = batch_job_definition_name(stack, res)
    machine = batch_state_machine_name(stack, res)
    return {
        "jobDefinitionArn": (
            f"arn:aws:batch:{ctx.region}:{ctx.account_id}:job-definition/{definition}:1"
        ),
        "stateMachineArn": f"arn:aws:states:{ctx.region}:{ctx.account_id}:stateMachine:{machine}",
        # Stacktape's batchJobLogGroup, named by the job's name in the config, not its AWS name.
        "logGroupArn": _log_group_arn(ctx, batch_group_name(stack_name(ctx), res)),
    }


def _http_api_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    domain = f"{fake_id(ctx, res)}.execute-api.{ctx.region}.amazonaws.com"
    return {"url": f"https://{domain}", "domain": domain}


def _user_pool_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """A Cognito user pool and the one app client Stacktape gives it: the pool id is
    `{region}_{9 characters}`, the client id 26 lowercase characters (the JWT authorizer's
    audience); the pool's tokens are issued by `https://cognito-idp.{region}.amazonaws.com/{id}`."""
    pool_id = f"{ctx.region}_{fake_id(ctx, res, 9)}"
    return {
        "id": pool_id,
        "clientId": fake_id(ctx, f"{res}/client", 26),
        "arn": f"arn:aws:cognito-idp:{ctx.region}:{ctx.account_id}:userpool/{pool_id}",
    }


def _database_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    host, reader = f"{res}.local", f"{res}-reader.local"
    return {
        "connectionString": f"postgres://user:password@{host}:5432/{res}",
        "jdbcConnectionString": f"jdbc:postgresql://{host}:5432/{res}",
        "host": host,
        "port": "5432",
        "dbName": res,
        "readerHost": reader,
        "readerPort": "5432",
        "readerConnectionString": f"postgres://user:password@{reader}:5432/{res}",
        "readerJdbcConnectionString": f"jdbc:postgresql://{reader}:5432/{res}",
        "hosts": host,
    }


def _table_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    name = aws_names.dynamo_table_name(stack_name(ctx), res, stack_hash(ctx))
    arn = f"arn:aws:dynamodb:{ctx.region}:{ctx.account_id}:table/{name}"
    return {"name": name, "arn": arn, "streamArn": f"{arn}/stream/1970-01-01T00:00:00.000"}


def _redis_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    host, reader = f"{res}.local", f"{res}-reader.local"
    return {
        "host": host,
        "port": "6379",
        "connectionString": f"redis://{host}:6379",
        "readerHost": reader,
        "readerPort": "6379",
        "readerConnectionString": f"redis://{reader}:6379",
    }


def _atlas_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """A MongoDB Atlas cluster: its one referenceable parameter, `connectionString` (the
    reference's connectTo table, `STP_*_CONNECTION_STRING`), in the SRV form Atlas gives a
    cluster, `mongodb+srv://{cluster}.{id}.mongodb.net` (a choice of the cluster's name:
    the stack's, as its other resources are named)."""
    name = aws_resource_name(ctx, res).lower()
    return {"connectionString": f"mongodb+srv://{name}.{fake_id(ctx, res, 5)}.mongodb.net"}


def _stream_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    name = aws_names.kinesis_stream_name(stack_name(ctx), res)
    return {"arn": f"arn:aws:kinesis:{ctx.region}:{ctx.account_id}:stream/{name}", "name": name}


def _state_machine_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    name = aws_names.state_machine_name(stack_name(ctx), res)
    return {
        "arn": f"arn:aws:states:{ctx.region}:{ctx.account_id}:stateMachine:{name}",
        "name": name,
    }


# -- the newest types: the values their resolvers give (apps/cli/src/domain/
# calculated-stack-overview-manager/resource-resolvers/{websocket-api-gateways,kafka-clusters,
# appsync-apis,dsql-databases,email-senders}/index.ts of stacktape/stacktape, commits 0dfd37e5
# and 8f81403c), in the shapes AWS gives the attributes they read.

# The properties, per type, that its parameters' values depend on.
PARAM_PROPERTIES: dict[str, tuple[str, ...]] = {
    "websocket-api-gateway": ("customDomains",),
    "appsync-api": ("customDomain",),
    "email-sender": ("identity", "manageIdentity", "configurationSetName"),
}


def _domain_names(value: Any) -> list[str]:
    """The `domainName`s of a `customDomains` list (or of one `customDomain`)."""
    items = value if isinstance(value, list) else [value]
    return [str(d["domainName"]) for d in items if isinstance(d, dict) and d.get("domainName")]


def _websocket_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """An API Gateway WebSocket API on its `default` stage (WEBSOCKET_API_STAGE_NAME): the
    client URL is the API's `wss://` ApiEndpoint with the stage, the management endpoint
    (for @connections) its `https://` twin. With custom domains the client URL is the first
    one's, and the canonical domain the domains' regional `d-...` names, joined by `,`."""
    api_id = fake_id(ctx, res)
    domain = f"{api_id}.execute-api.{ctx.region}.amazonaws.com"
    params = {
        "apiId": api_id,
        "url": f"wss://{domain}/default",
        "managementEndpoint": f"https://{domain}/default",
        "canonicalDomain": domain,
    }
    custom = _domain_names(ctx.param_props.get(res, {}).get("customDomains"))
    if custom:
        regional = (
            f"d-{fake_id(ctx, f'{res}/{d}')}.execute-api.{ctx.region}.amazonaws.com" for d in custom
        )
        params |= {
            "url": f"wss://{custom[0]}",
            "canonicalDomain": ",".join(regional),
            "customDomains": ", ".join(custom),
            "customDomainUrl": f"wss://{custom[0]}",
            "customDomainUrls": ", ".join(f"wss://{d}" for d in custom),
        }
    return params


def _fake_uuid(ctx: DirectiveContext, name: str) -> str:
    digits = hashlib.sha256(f"{stack_name(ctx)}/{name}".encode()).hexdigest()
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-a{digits[17:20]}-{digits[20:32]}"


def _kafka_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """An MSK Serverless cluster with IAM authentication: its ARN ends in `{uuid}-s{n}` and
    its one bootstrap server is `boot-{id}.c{n}.kafka-serverless.{region}.amazonaws.com` on
    port 9098, the SASL/IAM port (the port Stacktape's security group opens)."""
    name = aws_resource_name(ctx, res)
    arn = f"arn:aws:kafka:{ctx.region}:{ctx.account_id}:cluster/{name}/{_fake_uuid(ctx, res)}-s1"
    boot = f"boot-{fake_id(ctx, f'{res}/boot', 8)}.c1.kafka-serverless.{ctx.region}.amazonaws.com"
    return {"arn": arn, "name": name, "bootstrapServers": f"{boot}:9098"}


def _appsync_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """An AppSync GraphQL API: a 26-character API id, its GraphQLUrl and RealtimeUrl on a host
    id of their own, and a `da2-` API key. With a `customDomain`, Stacktape's URLs are
    `https://{domain}/graphql` and `wss://{domain}/graphql/realtime`."""
    api_id = fake_id(ctx, res, 26)
    host = fake_id(ctx, f"{res}/graphql", 26)
    params = {
        "apiId": api_id,
        "arn": f"arn:aws:appsync:{ctx.region}:{ctx.account_id}:apis/{api_id}",
        "url": f"https://{host}.appsync-api.{ctx.region}.amazonaws.com/graphql",
        "realtimeUrl": f"wss://{host}.appsync-realtime-api.{ctx.region}.amazonaws.com/graphql",
        "apiKey": f"da2-{fake_id(ctx, f'{res}/api-key', 26)}",
    }
    custom = _domain_names(ctx.param_props.get(res, {}).get("customDomain"))
    if custom:
        url = f"https://{custom[0]}/graphql"
        params |= {
            "url": url,
            "customDomainUrl": url,
            "realtimeUrl": f"wss://{custom[0]}/graphql/realtime",
        }
    return params


def _dsql_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """An Aurora DSQL cluster: its 26-character identifier names its endpoint
    `{id}.dsql.{region}.on.aws`; Stacktape gives PostgreSQL's port, the `postgres` database
    and the `admin` role."""
    cluster_id = fake_id(ctx, res, 26)
    return {
        "endpoint": f"{cluster_id}.dsql.{ctx.region}.on.aws",
        "port": "5432",
        "databaseName": "postgres",
        "username": "admin",
        "region": ctx.region,
        "id": cluster_id,
        "arn": f"arn:aws:dsql:{ctx.region}:{ctx.account_id}:cluster/{cluster_id}",
    }


def _email_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """An SES identity as the config writes it. A managed identity (the default) has the
    shared stack's configuration set and feedback topic, named after a hash of the identity
    (Stacktape's naming/shared-stacks.ts); an unmanaged one the set the config names."""
    props = ctx.param_props.get(res, {})
    identity = props.get("identity")
    identity = identity if isinstance(identity, str) else res
    digest = hashlib.sha256(f"email-identity\0{identity}".encode()).hexdigest()[:20]
    params = {
        "identity": identity,
        "identityArn": f"arn:aws:ses:{ctx.region}:{ctx.account_id}:identity/{identity}",
        "region": ctx.region,
    }
    if props.get("manageIdentity") is not False:
        topic = f"stacktape-email-feedback-{digest}"
        params["configurationSetName"] = f"stacktape-email-{digest}"
        params["feedbackTopicArn"] = f"arn:aws:sns:{ctx.region}:{ctx.account_id}:{topic}"
    elif isinstance(props.get("configurationSetName"), str):
        params["configurationSetName"] = props["configurationSetName"]
    return params


def _upstash_kafka_params(ctx: DirectiveContext, res: str) -> dict[str, str]:
    """A topic of an Upstash Kafka cluster (the legacy `upstash-kafka-topic`): Upstash's
    endpoint shapes, `{id}-us1-kafka.upstash.io:9092` for Kafka clients and its
    `-rest-kafka` twin for the REST API; the topic is named like the stack's other
    resources (a choice: Stacktape's naming of these topics is not in its public sources)."""
    host = f"{fake_id(ctx, f'{res}/cluster', 12)}-us1"
    return {
        "topicName": aws_resource_name(ctx, res),
        "topicId": _fake_uuid(ctx, res),
        "username": fake_id(ctx, f"{res}/username", 32),
        "password": fake_id(ctx, f"{res}/password", 32),
        "tcpEndpoint": f"{host}-kafka.upstash.io:9092",
        "restUrl": f"https://{host}-rest-kafka.upstash.io",
    }


_FAKE_PARAMS: dict[str, Callable[[DirectiveContext, str], dict[str, str]]] = {
    "sqs-queue": _queue_params,
    "sns-topic": _topic_params,
    "event-bus": _bus_params,
    "bucket": _bucket_params,
    # Its parameters are those of the bucket it holds, whose CDN is always on.
    "hosting-bucket": _bucket_params,
    "efs-filesystem": _efs_params,
    "function": _function_params,
    "batch-job": _batch_params,
    "http-api-gateway": _http_api_params,
    "user-auth-pool": _user_pool_params,
    "relational-database": _database_params,
    "dynamo-db-table": _table_params,
    "redis-cluster": _redis_params,
    "mongo-db-atlas-cluster": _atlas_params,
    "kinesis-stream": _stream_params,
    "state-machine": _state_machine_params,
    "websocket-api-gateway": _websocket_params,
    "kafka-cluster": _kafka_params,
    "upstash-kafka-topic": _upstash_kafka_params,
    "appsync-api": _appsync_params,
    "dsql-database": _dsql_params,
    "email-sender": _email_params,
}


def fake_resource_param(ctx: DirectiveContext, resource: str, param: str, rtype: str | None) -> str:
    """A well-formed, deterministic stand-in for `$ResourceParam(resource, param)`.

    Known (type, param) pairs get the shape AWS uses (queue ARN/URL/name, bucket name/ARN,
    bus ARN, function ARN, API URL, database connection string, ...); anything else gets
    `arn:aws:stacktape:{region}:{account}:{type}/{project}-{stage}-{name}/{param}`.
    """
    maker = _FAKE_PARAMS.get(canonical_type(rtype or ""))
    value = maker(ctx, resource).get(param) if maker else None
    if value is not None:
        return value
    kind = rtype or "resource"
    return (
        f"arn:aws:stacktape:{ctx.region}:{ctx.account_id}:{kind}/"
        f"{aws_resource_name(ctx, resource)}/{param}"
    )


# -- parsing ---------------------------------------------------------------------------------


class DirectiveSyntaxError(ValueError):
    """A string that looks like a directive but cannot be parsed; `offset` is 0-based."""

    def __init__(self, message: str, offset: int, hint: str | None = None) -> None:
        super().__init__(f"{message} (at character {offset + 1})")
        self.message = message
        self.offset = offset
        self.hint = hint


@dataclass(frozen=True)
class DirectiveCall:
    """One parsed directive: `$name(args...)` followed by the property path `path`."""

    name: str
    args: tuple[DirectiveArg, ...]
    path: tuple[str, ...]
    text: str


DirectiveArg = str | int | float | bool | DirectiveCall

_NAME_RE = re.compile(r"[A-Za-z_$][\w$]*")
_SPECIAL_RE = re.compile(r"[(),'\"]")
_NUMBER_RE = re.compile(
    # `\d+(?:\.\d*)?`, not `\d+\.?\d*`: the latter can split a run of digits in as many
    # ways as it is long, and a long non-number then takes quadratic time to refuse.
    r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+"
    r"|[+-]?Infinity"
)
_SEGMENT_RE = re.compile(r"[^\s'\"(),.]+")


def _looks_like_directive(text: str) -> bool:
    """Stacktape's `getIsDirective`: `$`, a `(` on the first line, nothing or `.` after the
    last `)`."""
    if not text.startswith("$"):
        return False
    paren = text.find("(")
    if paren < 0 or "\n" in text[:paren]:
        return False
    close = text.rfind(")")
    return close >= 0 and text[close + 1 : close + 2] in ("", ".")


def _js_number(raw: str) -> int | float:
    """What JavaScript's Number() gives for a numeric literal; integral values become int."""
    if raw.endswith("Infinity"):
        return -math.inf if raw.startswith("-") else math.inf
    if raw[:2].lower() in ("0x", "0o", "0b"):
        return int(raw, 0)
    value = float(raw)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    def call(self, start: int, end: int, depth: int) -> DirectiveCall:
        text = self.text
        if depth >= MAX_NESTING:
            raise DirectiveSyntaxError(f"directives are nested more than {MAX_NESTING} deep", start)
        open_ = text.find("(", start, end)
        name = text[start + 1 : open_]
        if not _NAME_RE.fullmatch(name):
            problem = f"{name!r} is not a directive name" if name else "no directive name after '$'"
            raise DirectiveSyntaxError(problem, start + 1)
        spans, close = self._split(open_, end)
        path = self._path(close + 1, end)
        args = tuple(a for s, e in spans if (a := self._argument(s, e, depth)) is not None)
        return DirectiveCall(name, args, path, text[start:end])

    def _split(self, open_: int, end: int) -> tuple[list[tuple[int, int]], int]:
        """Argument spans up to the `(`'s matching `)`, and that `)`'s index."""
        text = self.text
        depth, quote, quote_at, seg = 0, "", -1, open_ + 1
        spans: list[tuple[int, int]] = []
        for m in _SPECIAL_RE.finditer(text, open_ + 1, end):
            i = m.start()
            ch = text[i]
            if quote:
                if ch == quote and text[i - 1] != "\\":
                    quote = ""
            elif ch in "'\"":
                if text[i - 1] != "\\":
                    quote, quote_at = ch, i
            elif ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    spans.append((seg, i))
                    return spans, i
                depth -= 1
            elif depth == 0:
                spans.append((seg, i))
                seg = i + 1
        if quote:
            raise DirectiveSyntaxError(f"unterminated {quote} quote", quote_at)
        raise DirectiveSyntaxError("unbalanced parentheses: '(' is never closed", open_)

    def _path(self, start: int, end: int) -> tuple[str, ...]:
        text = self.text
        if start == end:
            return ()
        if text[start] != ".":
            raise DirectiveSyntaxError("unexpected text after the closing ')'", start)
        segments = text[start + 1 : end].split(".")
        offset = start + 1
        for seg in segments:
            if not _SEGMENT_RE.fullmatch(seg):
                problem = f"invalid property name {seg!r}" if seg else "empty property name"
                hint = None
                if seg.startswith("$"):
                    # `$Var().memory.$Stage()`: a value per stage is what was meant.
                    hint = (
                        "a property path holds names, not directives; for a value per stage, "
                        "read a file named after it: $File($Format('config/{}.yml', $Stage()))"
                        ".memory"
                    )
                raise DirectiveSyntaxError(f"{problem} in the path", offset, hint)
            offset += len(seg) + 1
        return tuple(segments)

    def _argument(self, start: int, end: int, depth: int) -> DirectiveArg | None:
        text = self.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            return None  # Stacktape drops empty arguments: `$F(a,)` has one
        raw = text[start:end]
        if raw[0] == "$" and "(" in raw:
            return self.call(start, end, depth + 1)
        if raw in ("true", "false"):
            return raw == "true"
        if _NUMBER_RE.fullmatch(raw):
            return _js_number(raw)
        quote = raw[0]
        if quote in "'\"":
            close = text.find(quote, start + 1, end)
            while close > 0 and text[close - 1] == "\\":
                close = text.find(quote, close + 1, end)
            if close != end - 1:
                raise DirectiveSyntaxError("unexpected text after the quoted string", close + 1)
            return raw[1:-1]
        return raw


def parse_directive(text: str) -> DirectiveCall | None:
    """Parse `text` as a directive.

    Returns None when the string is not a directive at all (Stacktape's detection rule);
    raises DirectiveSyntaxError(message, offset) when it looks like one but is malformed.
    """
    if not _looks_like_directive(text):
        return None
    if len(text) > MAX_DIRECTIVE_CHARS:
        raise DirectiveSyntaxError(
            f"the directive is {len(text):,} characters long; the limit is {MAX_DIRECTIVE_CHARS:,}",
            MAX_DIRECTIVE_CHARS,
        )
    return _Parser(text).call(0, len(text), 0)


# -- directive table -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    required: tuple[str, ...] = ()  # string parameters, checked like Stacktape's requiredParams
    optional: int = 0  # how many more arguments are used; -1 for any number
    runtime: bool = False


_BUILTINS: dict[str, _Spec] = {
    "Stage": _Spec(),
    "Region": _Spec(),
    "Profile": _Spec(),
    "AwsAccountId": _Spec(),
    "Var": _Spec(),
    "This": _Spec(),
    "File": _Spec(("filePath",)),
    "FileRaw": _Spec(("filePath",)),
    "Format": _Spec(("interpolatedString",), optional=-1),
    "CliArgs": _Spec(("argName",), optional=1),
    "GitInfo": _Spec(("property",)),
    "StackOutput": _Spec(("stackName", "outputName"), optional=1),
    "Secret": _Spec(("secretName",), runtime=True),
    "SsmParam": _Spec(("paramName",), runtime=True),
    "ResourceParam": _Spec(("resourceName", "param"), runtime=True),
    "CfResourceParam": _Spec(("logicalId", "attribute"), runtime=True),
    "CfFormat": _Spec(("interpolatedString",), optional=-1, runtime=True),
    "CfStackOutput": _Spec(("stackName", "outputName"), optional=1, runtime=True),
}
_RUNTIME_NAMES = frozenset(n for n, s in _BUILTINS.items() if s.runtime)
# Results that come from outside the config may themselves hold directives (Stacktape
# resolves them too); `$Var`/`$This` results are resolved by the lookup already.
_FRESH_RESULTS = frozenset({"File", "FileRaw", "Format", "CliArgs"})


# -- JavaScript string semantics (what `$Format` produces in the deployer) -------------------


def _js_string(value: Any, depth: int = 0) -> str:
    """JavaScript's String(value) for JSON-like data."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        if 1e-6 <= abs(value) < 1e21:  # JavaScript writes these without an exponent
            return format(Decimal(repr(value)), "f")
        return re.sub(r"e([+-])0*(\d)", r"e\1\2", repr(value))
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        if depth > MAX_NESTING:
            return ""
        return ",".join("" if v is None else _js_string(v, depth + 1) for v in value)
    return str(value)


_JS_REPLACEMENT_RE = re.compile(r"\$([$&`'])")


def _js_replace_first(subject: str, value: str) -> str:
    """JavaScript's `subject.replace('{}', value)`, with its `$$`, `$&`, `` $` `` and `$'`."""
    at = subject.find("{}")
    expansions = {"$": "$", "&": "{}", "`": subject[:at], "'": subject[at + 2 :]}
    return (
        subject[:at] + _JS_REPLACEMENT_RE.sub(lambda m: expansions[m[1]], value) + subject[at + 2 :]
    )


# -- file loading ----------------------------------------------------------------------------


class _FileProblem(Exception):
    def __init__(
        self,
        message: str,
        hint: str | None = None,
        close: str | None = None,
        kin: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # A missing file's nearest name in its folder, which `hint_for` writes as the path
        # the directive should name (`config/app.json`, not `app.json`).
        self.close = close
        # Else the files of its folder with its extension (a few): `config/{stage}.yml`
        # for a stage with no file has its siblings, the stages that have one.
        self.kin = kin

    def hint_for(self, written: str, stage: str | None = None) -> str | None:
        """The hint, a missing file's did-you-mean written as the directive's path is, or
        the files beside it of its kind (with the stage, when the name was made with it)."""
        folder = posixpath.dirname(written.replace("\\", "/"))
        if self.close is not None:
            meant = posixpath.join(folder, self.close) if folder else self.close
            return f"did you mean {meant!r}?"
        if not self.kin:
            return self.hint
        where = f"{folder}/" if folder else "its folder"
        # The stage as a word of the name (`config/prod.yml`, `prod-settings.json`).
        staged = stage is not None and bool(
            re.search(rf"(?<![^\W_]){re.escape(stage)}(?![^\W_])", posixpath.basename(written))
        )
        other = f" (the stage is {stage}: --stage names another)" if staged else ""
        return f"{where} holds {', '.join(self.kin)}{other}"


# The operating system's own files: regular files to stat(), but they hold the state of the
# machine (a process's environment, with its secrets), never a config's data.
_SYSTEM_TREES = ("/proc", "/sys", "/dev")


# A missing file's did-you-mean compares its name with those of its folder, when the folder
# holds at most this many (the hint's cost stays bounded in a folder of generated files).
_HINT_NAMES = 5000
# The most files of a missing file's kind its hint lists.
_KIN_NAMES = 8


def _read_text(
    target: Path, shown: str, *, strip_bom: bool, read: dict[Path, str | None] | None = None
) -> str:
    """A regular file's UTF-8 text; refuses links, devices, FIFOs, directories, files over
    1 MB and the files of /proc, /sys and /dev. `shown` names the file in messages. `read`
    gets the SHA-256 of the bytes read at `target`, or None when none could be read."""
    if read is not None:
        read.setdefault(target, None)
    data = _read_bytes(target, shown)
    if read is not None:
        read[target] = hashlib.sha256(data).hexdigest()
    try:
        return data.decode("utf-8-sig" if strip_bom else "utf-8")
    except UnicodeDecodeError as exc:
        # valid up to the bad byte; a leading byte order mark takes no column in an editor
        before = data[: exc.start].decode("utf-8-sig")
        line, column = line_column(before, len(before))
        raise _FileProblem(
            f"the file is not UTF-8 text (byte {exc.start}) (see {shown}:{line}:{column})"
        ) from None


def included_digest(target: Path) -> str | None:
    """The SHA-256 of the bytes `$File` or `$FileRaw` would read at `target` now, by the
    same rules (no link, no device, at most 1 MB, no file of the operating system); None
    when it would read none. What a session compares a file it read with: a link or a
    file of /proc that the loader refused is not read here either."""
    try:
        return hashlib.sha256(_read_bytes(target, str(target), hint=False)).hexdigest()
    except _FileProblem:
        return None


def _read_bytes(target: Path, shown: str, *, hint: bool = True) -> bytes:
    """`_read_text`'s bytes and refusals; `hint`: a missing file's did-you-mean (a folder
    listing) is made."""
    try:
        resolved = str(target.resolve())
    except RuntimeError:  # pathlib's "Symlink loop": a link to itself was a traceback
        raise _FileProblem("the path is a symbolic link, which stptui does not follow") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate
        raise _FileProblem(
            f"cannot read the file: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if any(resolved == tree or resolved.startswith(tree + "/") for tree in _SYSTEM_TREES):
        raise _FileProblem(
            f"{resolved} is a file of the operating system, not of the stack",
            "$File and $FileRaw read the stack's own files",
        )
    try:
        info = target.lstat()
    except FileNotFoundError:
        close, kin = None, ()
        try:
            # Sorted, and all of them or none: the file system lists a folder in an order of
            # its own, which would otherwise choose the names compared and, between names
            # differing only in case, the one suggested.
            if hint:
                with os.scandir(target.parent) as entries:
                    names = sorted(e.name for e in islice(entries, _HINT_NAMES + 1))
                if len(names) <= _HINT_NAMES:
                    close = did_you_mean(target.name, names)
                    suffix = target.suffix
                    same = [n for n in names if suffix and n.endswith(suffix)]
                    kin = tuple(same) if len(same) <= _KIN_NAMES else ()
        except OSError:
            pass
        raise _FileProblem(f"{shown} does not exist", close=close, kin=kin) from None
    except (OSError, ValueError) as exc:
        raise _FileProblem(
            f"cannot read the file: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if stat.S_ISLNK(info.st_mode):
        raise _FileProblem("the path is a symbolic link, which stptui does not follow")
    if not stat.S_ISREG(info.st_mode):
        raise _FileProblem("not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise _FileProblem(f"the file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    try:
        # the path may have become a link or a FIFO since lstat(): neither follow nor block
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(target, flags)
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _FileProblem(f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _FileProblem(f"the file is over {MAX_FILE_BYTES:,} bytes")
    return data


def _parse_env(text: str) -> list[dict[str, str]]:
    """A .env file as Stacktape gives it: `[{name, value}]` in first-seen order (dotenv rules)."""
    values: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"\s*(?:export\s+)?([\w.-]+)(?:\s*=|:\s)(.*)", lines[i])
        i += 1
        if not m:
            continue
        name, rest = m[1], m[2].strip()
        quote = rest[:1]
        if quote in ("'", '"', "`"):
            end = rest.find(quote, 1)
            parts, j = [rest[1 : end if end >= 0 else None]], i
            # dotenv lets a quoted value run over several lines
            while end < 0 and j < len(lines):
                end = lines[j].find(quote)
                parts.append(lines[j][: end if end >= 0 else None])
                j += 1
            if end >= 0:
                value = "\n".join(parts)
                if quote == '"':
                    value = value.replace("\\n", "\n").replace("\\r", "\r")
                values[name], i = value, j
                continue
        values[name] = rest.split("#", 1)[0].strip()
    return [{"name": k, "value": v} for k, v in values.items()]


# -- resolution ------------------------------------------------------------------------------


class _Mode(Enum):
    RUNTIME_OK = "runtime-ok"
    DEFER = "defer"  # `variables`: runtime directives stay text, resolved where used
    FORBIDDEN = "forbidden"


def _mode_for(path: DataPath) -> _Mode:
    if any(path[: len(p)] == p for p in RUNTIME_PLACES):
        return _Mode.RUNTIME_OK
    if path[:1] == ("variables",):
        return _Mode.DEFER
    return _Mode.FORBIDDEN


class _Failed(Exception):
    """Evaluation stopped; its diagnostic is recorded at `where` and the value stays as written."""

    def __init__(self, where: Position, severity: Severity) -> None:
        super().__init__(str(where))
        self.where = where
        self.severity = severity


class _Deferred(Exception):
    """A runtime directive inside `variables`: left as text."""


@dataclass(frozen=True)
class _Frame:
    mode: _Mode
    origin: DataPath  # where the text being evaluated is written (or its nearest config place)
    use: DataPath  # the config value being computed; placement errors are reported there
    chain: tuple[str, ...] = ()
    # The included file `origin` is a path in, when the text was read by `$File` (None: the
    # config itself), so that its problems are reported where they are written.
    doc: LoadedYaml | None = None


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _js_falsy(value: Any) -> bool:
    """JavaScript's `!value` (Stacktape checks required directive parameters with it)."""
    if value is None or value is False or value == "":
        return True
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return value == 0 or math.isnan(value)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else "string"


def _head(call: DirectiveCall) -> str:
    """The directive's text without its property path: `$File('a.json')`."""
    if not call.path:
        return call.text
    return call.text[: len(call.text) - len(".".join(call.path)) - 1]


def _name_value_hint(items: list[Any], seg: str, shown: str) -> str | None:
    """For a property of a list of `{name, value}` entries (what `$File` reads a .env file
    as, the shape `environment` takes): the index that reaches the value, or the names."""
    names = [
        item["name"]
        for item in items
        if isinstance(item, dict) and set(item) == {"name", "value"} and type(item["name"]) is str
    ]
    if not names or len(names) != len(items):
        return None
    shape = "its entries are {name, value} (a .env file reads so, as `environment` takes it)"
    if seg in names:
        at = names.index(seg)
        return f"{shape}: write {shown}.{at}.value for {seg}, or `environment: {shown}` for all"
    close = did_you_mean(seg, names)
    return f"{shape}; did you mean {close!r}?" if close else f"{shape}; names: {', '.join(names)}"


def _without_handler(written: str) -> str:
    """The file part of `path:handler`, split the way Stacktape's parseUserCodeFilepath does."""
    parts = written.split(":")
    if len(parts) == 2 and ("." in parts[0] or len(parts[0]) > 1):
        return parts[0]
    return ":".join(parts[:2])


def _index(segment: str, length: int) -> int | None:
    """`segment` as an index into a list of `length`, if it is one."""
    if segment.isascii() and segment.isdigit() and len(segment) < 10 and int(segment) < length:
        return int(segment)
    return None


def _path_in(data: Any, segments: tuple[str, ...]) -> DataPath:
    """A property path as the data path it follows in `data` (list indices are numbers, as
    in a document's marks), up to where `data` does not hold it."""
    path: list[str | int] = []
    for seg in segments:
        if isinstance(data, list) and (idx := _index(seg, len(data))) is not None:
            path.append(idx)
            data = data[idx]
        elif isinstance(data, dict) and seg in data:
            path.append(seg)
            data = data[seg]
        else:
            return (*path, *segments[len(path) :])
    return tuple(path)


_Handler = Callable[["_Resolver", DirectiveCall, list[Any], _Frame], Any]
# Where a value that is wholly another file's data was read from: the file's document and
# the path in it (see LoadedYaml.includes).
_Source = tuple[LoadedYaml, DataPath]

_EXAMPLES = {
    "File": "$File('config.json')",
    "FileRaw": "$FileRaw('template.txt')",
    "Format": "$Format('{}-api', $Stage())",
    "CfFormat": "$CfFormat('{}/path', $ResourceParam('api', 'url'))",
    "CliArgs": "$CliArgs('name', 'default')",
    "GitInfo": "$GitInfo('branch')",
    "StackOutput": "$StackOutput('other-stack-dev', 'OutputName')",
    "CfStackOutput": "$CfStackOutput('other-stack-dev', 'OutputName')",
    "Secret": "$Secret('db.password')",
    "SsmParam": "$SsmParam('/app/param')",
    "ResourceParam": "$ResourceParam('myQueue', 'arn')",
    "CfResourceParam": "$CfResourceParam('LogicalId', 'Arn')",
}


class _Resolver:
    def __init__(self, loaded: LoadedYaml, ctx: DirectiveContext) -> None:
        self.loaded = loaded
        self.ctx = ctx
        self.raw = self._copy(loaded.data, None)  # what `$Var()` and `$This()` read
        self.custom: dict[str, str] = {}  # custom directive name -> its code file
        self.types: dict[str, str] = {}
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.failed: dict[tuple[Any, ...], _Failed] = {}
        self.active: set[tuple[Any, ...]] = set()
        self.files: dict[tuple[str, Path], Any] = {}
        self.cycles: dict[frozenset[str], _Failed] = {}
        self.seen: set[tuple[Any, ...]] = set()
        self.work = _MAX_WORK  # left for the whole config
        self.value_work = _MAX_WORK // _VALUE_SHARE
        self.left = self.value_work  # left for the value being resolved
        self.exhausted: _Failed | None = None  # the total ran out here; nothing more resolves
        if isinstance(self.raw, dict):
            self._read_declarations(self.raw)
        self.types.update(ctx.resource_types)
        # Older Stacktape's names too: an unclosed `$Param('x'` is as literal as `$Var('x'`.
        names = sorted({*_BUILTINS, *self.custom, *_LEGACY_HINTS}, key=len, reverse=True)
        self.embedded = re.compile(r"\$(" + "|".join(map(re.escape, names)) + r")\(")

    def _read_declarations(self, raw: dict[str, Any]) -> None:
        resources = raw.get("resources")
        if isinstance(resources, dict):
            for name, res in resources.items():
                if isinstance(res, dict) and isinstance(res.get("type"), str):
                    self.types[name] = res["type"]
        declared = raw.get("directives")
        for i, entry in enumerate(declared if isinstance(declared, list) else []):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str):
                continue
            if name in _BUILTINS:
                self._emit(
                    ("directives", i, "name"),
                    "error",
                    "directive-duplicate",
                    f"custom directive {name!r} has the name of a built-in directive",
                    hint="Stacktape refuses two directives with one name; rename it",
                )
                continue
            self.custom[name] = str(entry.get("filePath", "?"))

    # -- diagnostics --

    def _emit(
        self,
        path: DataPath,
        severity: Severity,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        key: bool = False,
        doc: LoadedYaml | None = None,
        use: DataPath | None = None,
    ) -> Position:
        # A problem of a directive is where the directive is written, even where the value it
        # gives is found in an included file; `path` is in `doc` when it is given, and `use`
        # is then the config value the included text is a part of.
        pos = (doc or self.loaded).pos(path, key=key, included=False)
        ident = (pos, code, message)
        if ident in self.seen:
            return pos
        self.seen.add(ident)
        owner = use if doc is not None and use is not None else path
        resource = owner[1] if len(owner) > 1 and owner[0] == "resources" else None
        self.loaded.diagnostics.append(
            Diagnostic.at(
                pos,
                severity,
                code,
                message,
                resource=resource if isinstance(resource, str) else None,
                hint=hint,
            )
        )
        return pos

    def _fail(
        self,
        frame: _Frame,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> _Failed:
        """Record a problem where the text being evaluated is written; raise the result."""
        return _Failed(self._emit_at(frame, severity, code, message, hint=hint), severity)

    def _emit_at(
        self, frame: _Frame, severity: Severity, code: str, message: str, *, hint: str | None = None
    ) -> Position:
        """Record a problem where the text being evaluated is written (in the config or in
        the file it was read from)."""
        return self._emit(
            frame.origin, severity, code, message, hint=hint, doc=frame.doc, use=frame.use
        )

    def _spend(self, amount: int, frame: _Frame) -> None:
        self.work -= amount
        self.left -= amount
        if self.work >= 0 and self.left >= 0:
            return
        if self.work >= 0:
            raise self._fail(
                frame,
                "directive-too-large",
                f"resolving this value builds more than {self.value_work:,} values",
                hint="look for variables that use each other many times over",
            )
        if self.exhausted is None:
            self.exhausted = self._fail(
                frame,
                "directive-work-limit",
                "directive resolution stopped here: the config's directives together take "
                f"more than {_MAX_WORK:,} steps",
                hint="look for large variables that are used in many places",
            )
        raise self.exhausted

    # -- data helpers --

    def _copy(self, value: Any, frame: _Frame | None) -> Any:
        """An independent copy of JSON-like data, counted against the work budget when
        `frame` is given. Iterative, so that deep data cannot exhaust the Python stack."""
        if not isinstance(value, dict | list):
            return value
        root = value.copy()
        todo = [root]
        while todo:
            node = todo.pop()
            if frame is not None:
                self._spend(len(node), frame)
            # replacing values while iterating is safe: no key is added or removed
            for k, v in node.items() if isinstance(node, dict) else enumerate(node):
                if isinstance(v, dict | list):
                    node[k] = child = v.copy()
                    todo.append(child)
        return root

    def _raw_at(self, path: DataPath) -> Any:
        node = self.raw
        for part in path:
            node = node[part]
        return node

    # -- walking --

    def run(self) -> None:
        holder = [self.loaded.data]
        self._resolve_in_place(holder, 0, (), _Frame(_Mode.FORBIDDEN, (), ()), top=True)
        self.loaded.data = holder[0]
        self._cut_too_deep()

    def _cut_too_deep(self) -> None:
        """Cut off what nests deeper than the loader allows once `$Var()` values are put in
        place (a few variables that each nest the next can build thousands of levels, which
        every recursive reader of the stack would then fail on), with an error there."""
        # A value may be shared where a variable is used twice: each container is walked
        # again only when reached deeper than before.
        deepest: dict[int, int] = {}
        todo: list[tuple[Any, DataPath, int]] = [(self.loaded.data, (), 0)]
        while todo:
            node, path, depth = todo.pop()
            if deepest.get(id(node), -1) >= depth:
                continue
            deepest[id(node)] = depth
            if isinstance(node, dict):
                children: list[tuple[Any, Any]] = list(node.items())
            elif isinstance(node, list):
                children = list(enumerate(node))
            else:
                continue
            for key, child in children:
                if not isinstance(child, dict | list):
                    continue
                if depth + 1 <= MAX_DEPTH:
                    todo.append((child, (*path, key), depth + 1))
                    continue
                node[key] = None
                self.loaded.diagnostics.append(
                    Diagnostic.at(
                        self.loaded.pos(path),
                        "error",
                        "directive-nesting",
                        f"nesting deeper than {MAX_DEPTH} levels once variables are substituted",
                        hint="a $Var() value that nests another $Var() nests as deep as both",
                    )
                )

    def _resolve_in_place(
        self,
        container: Any,
        key: Any,
        path: DataPath | None,
        frame: _Frame,
        *,
        top: bool,
        doc: LoadedYaml | None = None,
    ) -> _Failed | None:
        """Replace the directive strings under container[key]; the first failure, if any.

        `path` is where container[key] sits in the config (None for data from elsewhere), or
        in `doc` when it is data read from that file; `top` marks the walk over the document
        itself, where each value is its own use site. A value that is wholly a `$File` result
        is entered in the `includes` of the document it is written in.
        """
        within = self.loaded if doc is None else doc
        # Text written where it is walked (the document, or an included file's part) is
        # checked for directives that stay literal; a value resolved again for another use
        # was checked where it is written.
        written = top or (doc is not None and path is not None)
        first: _Failed | None = None
        todo: list[tuple[Any, Any, DataPath | None]] = [(container, key, path)]
        while todo:
            c, k, p = todo.pop()
            value = c[k]
            if isinstance(value, dict):
                for kk in reversed(value):  # reversed on a stack: document order
                    child = None if p is None else (*p, kk)
                    if (
                        written
                        and child is not None
                        and isinstance(kk, str)
                        and _looks_like_directive(kk)
                    ):
                        self._key_directive(kk, _frame_in(frame, child, top, doc))
                    todo.append((value, kk, child))
            elif isinstance(value, list):
                todo.extend(
                    (value, i, None if p is None else (*p, i)) for i in reversed(range(len(value)))
                )
            elif type(value) is str:
                # Most strings are plain: the frame for one is built only when it is needed.
                if _looks_like_directive(value):
                    here = _frame_in(frame, p, top, doc)
                    if top:
                        self.left = self.value_work  # each value has its own share
                    c[k], failure, source = self._eval_string(value, here)
                    if source is not None and p is not None:
                        within.includes[p] = source
                    if failure is not None and top:
                        self._point_to(failure, value, here)
                    if first is None:
                        first = failure
                elif written and p is not None and self.embedded.search(value) is not None:
                    self._check_embedded(value, _frame_in(frame, p, top, doc))
        return first

    def _point_to(self, failure: _Failed, text: str, frame: _Frame) -> None:
        """Say at a use site that its value failed because of a problem reported elsewhere."""
        if failure.where == self.loaded.pos(frame.origin, included=False):
            return
        if failure is self.exhausted:  # the total ran out, whichever values spent it
            self._emit_at(
                frame,
                "error",
                "directive-work-limit",
                f"{_clip(text)!r} is not resolved: directive resolution stopped once the "
                f"config's directives together took more than {_MAX_WORK:,} steps "
                f"(see {failure.where})",
            )
        else:
            self._emit_at(
                frame,
                failure.severity,
                "directive-unresolved",
                f"{_clip(text)!r} stays unresolved: it uses a value with a problem "
                f"(see {failure.where})",
            )

    def _key_directive(self, key: str, frame: _Frame) -> None:
        """Report a directive used as a key (the frame's origin is the key's path)."""
        self._emit(
            frame.origin,
            "error",
            "directive-in-key",
            f"{_clip(key)!r} is used as a key; directives are resolved only in values",
            hint="Stacktape rejects directives in keys; move it into a value",
            key=True,
            doc=frame.doc,
            use=frame.use,
        )

    def _check_embedded(self, text: str, frame: _Frame) -> None:
        m = self.embedded.search(text)
        if m is None:
            return
        if m.start() == 0:
            self._emit_at(
                frame,
                "warning",
                "directive-incomplete",
                f"{_clip(text)!r} starts like ${m[1]}(...) but is not a whole directive, "
                "so Stacktape keeps it as literal text",
                hint="a directive ends with its closing ')' or a property path such as ').name'",
            )
            return
        self._emit_at(
            frame,
            "warning",
            "directive-embedded",
            f"${m[1]}(...) inside the longer string {_clip(text)!r} stays literal text: "
            "Stacktape resolves only values that are a whole directive",
            hint=f"build the string with $Format('...{{}}...', ${m[1]}(...))",
        )

    def _eval_string(self, text: str, frame: _Frame) -> tuple[Any, _Failed | None, _Source | None]:
        """The value of a string (itself unless it is a directive), the failure, if any, and
        where the value was read from when it is wholly a `$File` result."""
        try:
            call = self._parse(text, frame)
            if call is None:
                return text, None, None
            value, source = self._eval_traced(call, frame)
            return value, None, source
        except _Deferred:
            return text, None, None
        except _Failed as failure:
            return text, failure, None

    def _parse(self, text: str, frame: _Frame) -> DirectiveCall | None:
        try:
            return parse_directive(text)
        except DirectiveSyntaxError as exc:
            raise self._fail(
                frame,
                "directive-syntax",
                f"malformed directive {_clip(text)!r}: {exc}",
                hint=exc.hint,
            ) from None

    # -- evaluating one call --

    def _eval_call(self, call: DirectiveCall, frame: _Frame) -> Any:
        return self._eval_traced(call, frame)[0]

    def _eval_traced(self, call: DirectiveCall, frame: _Frame) -> tuple[Any, _Source | None]:
        """A directive's value, and where it was read from when it is wholly a `$File` result
        (a YAML or JSON file's data, or a part of it named by the property path)."""
        if call.text in frame.chain:
            members = frame.chain[frame.chain.index(call.text) :]
            # one report per loop, whichever member it is entered from
            if frozenset(members) not in self.cycles:
                loop = " -> ".join(_clip(t, 40) for t in (*members, call.text))
                self.cycles[frozenset(members)] = self._fail(
                    frame, "directive-cycle", f"directives refer to each other: {loop}"
                )
            raise self.cycles[frozenset(members)]
        if len(frame.chain) >= MAX_NESTING:
            raise self._fail(
                frame,
                "directive-too-deep",
                f"directives depend on each other more than {MAX_NESTING} levels deep",
            )
        self._spend(1, frame)
        frame = replace(frame, chain=(*frame.chain, call.text))
        spec = _BUILTINS.get(call.name)
        if spec is None and call.name not in self.custom:
            close = did_you_mean(call.name, [*_BUILTINS, *self.custom])
            hint = self._legacy_hint(call) or (
                f"did you mean ${close}()?"
                if close
                else "custom directives must be declared under `directives:`"
            )
            raise self._fail(
                frame, "directive-unknown", f"unknown directive ${call.name}", hint=hint
            )
        if spec is None or not spec.runtime:
            for arg in call.args:
                if isinstance(arg, DirectiveCall) and arg.name in _RUNTIME_NAMES:
                    raise self._fail(
                        frame,
                        "directive-runtime-in-local",
                        f"${call.name} is resolved before deployment and cannot use "
                        f"${arg.name}, which has a value only at deploy time",
                        hint="use $CfFormat(...) to combine runtime values",
                    )
        if spec is None:
            self._emit_at(
                frame,
                "warning",
                "directive-custom",
                f"${call.name} is a custom directive (code in {self.custom[call.name]!r}); "
                "stptui never runs config code, so its value is a placeholder",
            )
            return Placeholder(f"<directive:{call.text[1:]}>", call.name), None
        if spec.runtime and frame.mode is _Mode.DEFER:
            raise _Deferred()
        if spec.runtime and frame.mode is _Mode.FORBIDDEN:
            # Reported where the value is used: a `$Var()` there may hold the directive,
            # written elsewhere, which the message then names.
            written = (frame.doc or self.loaded).pos(frame.origin, included=False)
            used = self.loaded.pos(frame.use, included=False)
            via = f"; this value takes it from {written}" if written != used else ""
            where = self._emit(
                frame.use,
                "error",
                "directive-placement",
                f"${call.name} is a runtime directive (resolved by CloudFormation); Stacktape "
                "resolves those only under `resources`, `scripts`, `stackConfig.outputs` "
                f"and `providerConfig`{via}",
                hint="move the value into a resource or script property",
            )
            raise _Failed(where, "error")
        args = [self._eval_call(a, frame) if isinstance(a, DirectiveCall) else a for a in call.args]
        args = self._check_args(call, spec, args, frame)
        if call.name == "Var":
            return self._var(call, args, frame), None
        if call.name == "This":
            return self._lookup((), call.path, frame, call, "directive-path"), None
        source: _Source | None = None
        if call.name == "File":
            value, doc = self._file(args, frame)
            if doc is not None:
                source = (doc, _path_in(doc.data, call.path))
        else:
            value = self._HANDLERS[call.name](self, call, args, frame)
        value = self._follow(value, call.path, frame, call)
        if call.name in _FRESH_RESULTS:
            value = self._resolve_fresh(value, frame, source)
        return value, source

    def _check_args(
        self, call: DirectiveCall, spec: _Spec, args: list[Any], frame: _Frame
    ) -> list[Any]:
        """Stacktape's requiredParams check (present, truthy, strings); extras are dropped."""
        for i, pname in enumerate(spec.required):
            actual = args[i] if i < len(args) else None
            if _js_falsy(actual):
                example = _EXAMPLES.get(call.name)
                raise self._fail(
                    frame,
                    "directive-args",
                    f"${call.name} needs a {pname} argument at position {i + 1}",
                    hint=f"for example {example}" if example else None,
                )
            if not isinstance(actual, str):
                raise self._fail(
                    frame,
                    "directive-args",
                    f"${call.name}: the {pname} argument must be a string, "
                    f"not a {_type_name(actual)}",
                )
        limit = len(spec.required) + spec.optional
        if spec.optional >= 0 and len(args) > limit and call.name != "Var":
            self._emit_at(
                frame,
                "warning",
                "directive-args",
                f"${call.name} takes {limit} argument{'s' * (limit != 1)}; "
                f"Stacktape ignores the other {len(args) - limit}",
            )
            return args[:limit]
        return args

    # -- lookups into the config ($Var, $This) --

    def _var(self, call: DirectiveCall, args: list[Any], frame: _Frame) -> Any:
        path = call.path
        if args:
            written = _js_string(args[0])
            path = (*written.split("."), *path)
            self._emit_at(
                frame,
                "warning",
                "directive-var-argument",
                f"$Var() takes no arguments: Stacktape ignores {written!r} and returns the "
                "whole `variables` object",
                hint=f"write $Var().{'.'.join(path)}",
            )
        if not isinstance(self.raw, dict) or "variables" not in self.raw:
            raise self._fail(
                frame,
                "directive-var-missing",
                f"{_clip(call.text)}: the config has no `variables` section",
            )
        return self._lookup(("variables",), path, frame, call, "directive-var-missing")

    def _lookup(
        self,
        base: DataPath,
        segments: tuple[str, ...],
        frame: _Frame,
        call: DirectiveCall,
        code: str,
    ) -> Any:
        """Follow `segments` from `base` in the config, resolving only what is reached."""
        node = self._raw_at(base)
        path = base
        walked = 0
        for seg in segments:
            if isinstance(node, dict) and seg in node:
                node, path = node[seg], (*path, seg)
            elif isinstance(node, list) and (idx := _index(seg, len(node))) is not None:
                node, path = node[idx], (*path, idx)
            else:
                break
            walked += 1
        if walked < len(segments) and isinstance(node, dict | list):
            # the key is missing: report it without resolving the rest of its parent
            self._follow(node, segments[walked:], frame, call, code, segments[:walked])
        value = self._resolved_at(path, frame)
        if walked < len(segments):
            value = self._follow(value, segments[walked:], frame, call, code, segments[:walked])
        return self._copy(value, frame)

    def _resolved_at(self, path: DataPath, frame: _Frame) -> Any:
        """The config value at `path` with its directives resolved (memoised; do not mutate)."""
        key = (path, frame.mode, frame.use if frame.mode is _Mode.FORBIDDEN else None)
        if key in self.memo:
            return self.memo[key]
        if key in self.failed:
            raise self.failed[key]
        if key in self.active:
            where = ".".join(map(str, path)) or "the whole config"
            raise self._fail(frame, "directive-cycle", f"{where} refers back to itself")
        self.active.add(key)
        # The value has its own bound, whoever asks for it first: it is memoised for every
        # user, and a value too large is then too large for all of them alike.
        outer, self.left = self.left, self.value_work
        try:
            holder = [self._copy(self._raw_at(path), _frame_at(frame, path, False))]
            failure = self._resolve_in_place(holder, 0, path, frame, top=False)
        finally:
            self.active.discard(key)
            self.left = outer
        if failure is not None:
            self.failed[key] = failure
            raise failure
        self.memo[key] = holder[0]
        return holder[0]

    def _follow(
        self,
        value: Any,
        segments: tuple[str, ...],
        frame: _Frame,
        call: DirectiveCall,
        code: str = "directive-path",
        done: tuple[str, ...] = (),
    ) -> Any:
        """Apply a property path to a directive's result (numeric segments index lists)."""
        walked = [_head(call), *done]
        for i, seg in enumerate(segments):
            if type(value) is str and (inner := self._parse(value, frame)) is not None:
                value = self._eval_call(inner, frame)  # a directive inside data: resolve, go on
            if isinstance(value, Placeholder):
                # known only in AWS or by running code: so are its properties
                rest = ".".join(segments[i:])
                return Placeholder(f"{value}.{rest}", value.directive)
            shown = _clip(".".join(walked), 60)
            if isinstance(value, dict):
                if seg not in value:
                    close = did_you_mean(seg, [k for k in value if isinstance(k, str)])
                    problem = (
                        f"there is no variable {seg!r}"
                        if code == "directive-var-missing" and len(walked) == 1
                        else f"{shown} has no property {seg!r}"
                    )
                    raise self._fail(
                        frame,
                        code,
                        f"{_clip(call.text)}: {problem}",
                        hint=f"did you mean {close!r}?" if close else None,
                    )
                value = value[seg]
            elif isinstance(value, list):
                idx = _index(seg, len(value))
                if idx is None:
                    raise self._fail(
                        frame,
                        code,
                        f"{_clip(call.text)}: {shown} is a list of {len(value)}, "
                        f"and {seg!r} is not an index in it",
                        hint=_name_value_hint(value, seg, ".".join(walked)),
                    )
                value = value[idx]
            else:
                raise self._fail(
                    frame,
                    code,
                    f"{_clip(call.text)}: {shown} is a {_type_name(value)}, "
                    f"not an object, so it has no property {seg!r}",
                )
            walked.append(seg)
        return value

    def _resolve_fresh(self, value: Any, frame: _Frame, source: _Source | None = None) -> Any:
        """Resolve directives inside data that came from outside the config (files, CLI);
        `source` is the file and path the data was read from, where it has one."""
        doc, base = source if source is not None else (None, None)
        if isinstance(value, dict | list):
            holder = [value]
            failure = self._resolve_in_place(holder, 0, base, frame, top=False, doc=doc)
            if failure is not None:
                raise failure
            return holder[0]
        if type(value) is str:
            if doc is not None and base is not None:
                frame = replace(frame, origin=base, doc=doc)
            inner = self._parse(value, frame)
            if inner is None:
                return value
            value, inner_source = self._eval_traced(inner, frame)
            if doc is not None and base is not None and inner_source is not None:
                doc.includes[base] = inner_source
        return value

    # -- handlers --

    def _file_target(self, written: str) -> Path:
        p = Path(written)
        return p if p.is_absolute() else (self.ctx.config_dir or Path.cwd()) / p

    @cached_property
    def _config_folder(self) -> str | None:
        """The config's folder as the user named it (`sub` for `sub/stacktape.yml`), when it
        is the folder `$File` reads from; None when they differ or cannot be compared."""
        folder = os.path.dirname(self.loaded.file)
        try:
            same = Path(folder).resolve() == (self.ctx.config_dir or Path.cwd()).resolve()
        except (OSError, ValueError):
            return None
        return folder if same else None

    def _shown(self, written: str, target: Path) -> str:
        """How diagnostics name a file `$File` reads: beside the config as the user named it,
        so that the user can open it from where they ran the command (the config's own
        diagnostics name it the same way), or else absolute."""
        if self._config_folder is None or Path(written).is_absolute():
            return str(target)
        return os.path.normpath(os.path.join(self._config_folder, written))

    def _cached_file(self, kind: str, target: Path, load: Callable[[], Any]) -> Any:
        """`load()` once per file and kind; a _FileProblem is cached and returned too."""
        key = (kind, target)
        if key not in self.files:
            try:
                self.files[key] = load()
            except _FileProblem as exc:
                self.files[key] = exc
        return self.files[key]

    def _file(self, args: list[Any], frame: _Frame) -> tuple[Any, LoadedYaml | None]:
        """`$File`'s value, and the document it was parsed from when the file is YAML or JSON
        (whose positions are then those of the value's problems)."""
        written = args[0]
        if isinstance(written, Placeholder):  # the file is named by code stptui never runs
            return Placeholder(f"<file:{written}>", "File"), None
        target = self._file_target(_without_handler(written))
        name = target.name.lower()
        # Stacktape reads any file whose name starts with `.env` as dotenv, by extension otherwise
        ext = (
            "dotenv" if name.startswith(".env") else name.rsplit(".", 1)[-1] if "." in name else ""
        )
        if ext in _CODE_EXTENSIONS:
            self._emit_at(
                frame,
                "warning",
                "directive-file-code",
                f"$File({written!r}) would run code; stptui never runs config code, "
                "so its value is a placeholder",
            )
            return Placeholder(f"<file:{written}>", "File"), None
        if ext not in ("json", "yml", "yaml", "dotenv", "ini"):
            raise self._fail(
                frame,
                "directive-file",
                f"$File({written!r}): only .env*, .json, .yml, .yaml and .ini files can be parsed",
                hint=f"to read the file as text, use $FileRaw({written!r})",
            )

        shown = self._shown(_without_handler(written), target)

        def load() -> Any:
            text = _read_text(target, shown, strip_bom=True, read=self.loaded.files)
            if ext == "dotenv":
                return _parse_env(text)
            if ext == "ini":
                return parse_ini(text)
            try:
                parsed = parse_yaml(text, shown)
            except ConfigError as exc:
                d = exc.diagnostic
                if d.line is None:
                    raise _FileProblem(f"cannot parse the file: {d.message}", d.hint) from None
                raise _FileProblem(
                    f"cannot parse the file (line {d.line}, column {d.column}): {d.message} "
                    f"(see {d.location})",
                    d.hint,
                ) from None
            self.loaded.diagnostics.extend(parsed.diagnostics)
            return parsed

        result = self._cached_file("parsed", target, load)
        if isinstance(result, _FileProblem):
            raise self._fail(
                frame,
                "directive-file",
                f"$File({written!r}): {result.message}",
                hint=result.hint_for(_without_handler(written), self.ctx.stage),
            )
        if isinstance(result, LoadedYaml):
            return self._copy(result.data, frame), result
        return self._copy(result, frame), None

    def _h_file_raw(self, call: DirectiveCall, args: list[Any], frame: _Frame) -> Any:
        written = args[0]
        if isinstance(written, Placeholder):  # the file is named by code stptui never runs
            return Placeholder(f"<file:{written}>", "FileRaw")
        target = self._file_target(written)
        shown = self._shown(written, target)
        result = self._cached_file(
            "raw",
            target,
            lambda: _read_text(target, shown, strip_bom=False, read=self.loaded.files),
        )
        if isinstance(result, _FileProblem):
            raise self._fail(
                frame,
                "directive-file",
                f"$FileRaw({written!r}): {result.message}",
                hint=result.hint_for(written, self.ctx.stage),
            )
        return result

    def _format(self, call: DirectiveCall, args: list[Any], frame: _Frame, *, js: bool) -> str:
        template, values = args[0], args[1:]
        slots = template.count("{}")
        if slots != len(values):
            raise self._fail(
                frame,
                "directive-format",
                f"${call.name} has {slots} placeholder{'s' * (slots != 1)} ({{}}) but "
                f"{len(values)} value{'s' * (len(values) != 1)}",
                hint=f"for example {_EXAMPLES[call.name]}",
            )
        out = template
        for value in values:
            text = _js_string(value)
            # Each `$`` or `$'` pattern in the value copies up to the whole subject into the
            # result (JavaScript's replace), so the result is bounded before it is built.
            copies = text.count("$`") + text.count("$'") if js else 0
            if len(out) + len(text) + copies * len(out) > MAX_STRING_CHARS:
                raise self._fail(
                    frame,
                    "directive-too-large",
                    f"${call.name} builds a string over {MAX_STRING_CHARS:,} characters",
                )
            # JavaScript's replace() expands `$` patterns in the value; Fn::Sub does not
            out = _js_replace_first(out, text) if js else out.replace("{}", text, 1)
        return out

    def _h_format(self, call: DirectiveCall, args: list[Any], frame: _Frame) -> Any:
        return self._format(call, args, frame, js=True)

    def _h_cf_format(self, call: DirectiveCall, args: list[Any], frame: _Frame) -> Any:
        return Placeholder(self._format(call, args, frame, js=False), "CfFormat")

    def _h_cli_args(self, call: DirectiveCall, args: list[Any], frame: _Frame) -> Any:
        name = args[0]
        if name in self.ctx.cli_args:
            return self.ctx.cli_args[name]
        # Stacktape's CLI arguments include the stage and region of the command (§1.3); a
        # session always has both (`--stage` and `--region`, or their defaults).
        session = {"stage": self.ctx.stage, "region": self.ctx.region}
        if name in session:
            return session[name]
        if len(args) > 1:
            return args[1]
        raise self._fail(
            frame,
            "directive-cli-arg",
            f"$CliArgs({name!r}): no such CLI argument and no default",
            hint="stptui's only CLI arguments are stage and region; give a default: "
            f"$CliArgs({name!r}, 'value')",
            severity="warning",
        )

    def _h_git_info(self, call: DirectiveCall, args: list[Any], frame: _Frame) -> Any:
        prop = args[0]
        if prop not in GIT_INFO_PROPERTIES:
            close = did_you_mean(prop, GIT_INFO_PROPERTIES)
            raise self._fail(
                frame,
                "directive-args",
                f"$GitInfo({prop!r}): not a git property",
                hint=f"did you mean {close!r}?"
                if close
                else f"valid properties: {', '.join(GIT_INFO_PROPERTIES)}",
            )
        return Placeholder(f"<git:{prop}>", "GitInfo")

    def _h_resource_param(self, call: DirectiveCall, args: list[Any], frame: _Frame) -> Any:
        resource, param = args
        rtype = self.types.get(resource)
        ctx = self.ctx
        if rtype == "event-bus" and resource not in ctx.bus_names:
            source = self._property(resource, "eventSourceName", frame)
            if isinstance(source, str) and source:
                ctx = replace(ctx, bus_names={**ctx.bus_names, resource: source})
        keys = PARAM_PROPERTIES.get(canonical_type(rtype or ""), ())
        if keys and resource not in ctx.param_props:
            props = {k: v for k in keys if (v := self._property(resource, k, frame)) is not None}
            ctx = replace(ctx, param_props={**ctx.param_props, resource: props})
        value = fake_resource_param(ctx, resource, param, rtype)
        return ResourceParamValue(value, resource, param)

    def _legacy_hint(self, call: DirectiveCall) -> str | None:
        """For `$Param('res', 'Child::Attr')` and `$GetParam`, the `$ResourceParam` that reads
        the same value, when the resource's parameters include the attribute's translation;
        otherwise the general advice for the legacy name (None for other names)."""
        advice = _LEGACY_HINTS.get(call.name)
        if advice is None or len(call.args) != 2:
            return advice
        resource, attribute = call.args
        if not isinstance(resource, str) or not isinstance(attribute, str):
            return advice
        rtype = self.types.get(resource) or self._legacy_type(resource)
        if rtype is None:
            # `$Param('SHARED_GLOBAL', ...)`: older Stacktape's own resources have no
            # parameter today; the placeholder 'name' would read as this one's to keep.
            return f"{advice}; {resource!r} is no resource of this stack"
        maker = _FAKE_PARAMS.get(canonical_type(rtype))
        if maker is None:
            return advice
        params = maker(self.ctx, resource)
        # Older Stacktape named a CloudFormation child and its attribute ("Bucket::Arn",
        # "JobStateMachine::Arn", "DbInstance::Endpoint.Address"); today's parameter is the
        # attribute's name, or for a resource with several children, the child's and the
        # attribute's together ("stateMachineArn").
        child, _, attr = attribute.rpartition("::")
        # A debug copy of a config writes `DbInstance.Endpoint.Address`, the child joined
        # with a dot.
        legacy = next(
            (v for k, v in _LEGACY_ATTRIBUTES.items() if f".{attr}".endswith(f".{k}")), None
        )
        wanted = legacy or attr[:1].lower() + attr[1:]
        if wanted not in params:
            whole = (child + attr).lower()
            wanted = next((p for p in sorted(params) if whole.endswith(p.lower())), "")
        if not wanted:
            choices = ", ".join(sorted(params))
            return (
                f"${call.name} is from an older Stacktape; write "
                f"$ResourceParam({resource!r}, PARAM) with PARAM one of: {choices}"
            )
        return (
            f"${call.name} is from an older Stacktape; "
            f"write $ResourceParam({resource!r}, {wanted!r})"
        )

    def _legacy_type(self, resource: str) -> str | None:
        """The type of a resource written as older Stacktape wrote it, `Type:` (the configs
        that use `$GetParam` do): its own diagnostic says to write `type`, and the hint of
        its `$GetParam` reads as if it were."""
        resources = self.raw.get("resources") if isinstance(self.raw, dict) else None
        res = resources.get(resource) if isinstance(resources, dict) else None
        rtype = res.get("Type") if isinstance(res, dict) else None
        return rtype if isinstance(rtype, str) else None

    def _property(self, resource: str, key: str, frame: _Frame) -> Any:
        """A resource's property as resolved (it may be a directive itself), or None."""
        path: DataPath = ("resources", resource, "properties", key)
        raw = self.raw
        for part in path:
            if not isinstance(raw, dict) or part not in raw:
                return None
            raw = raw[part]
        return self._resolved_at(path, frame)

    _HANDLERS: ClassVar[dict[str, _Handler]] = {
        "Stage": lambda self, call, args, frame: self.ctx.stage,
        "Region": lambda self, call, args, frame: self.ctx.region,
        "Profile": lambda self, call, args, frame: self.ctx.profile,
        "AwsAccountId": lambda self, call, args, frame: self.ctx.account_id,
        "FileRaw": _h_file_raw,
        "Format": _h_format,
        "CfFormat": _h_cf_format,
        "CliArgs": _h_cli_args,
        "GitInfo": _h_git_info,
        "ResourceParam": _h_resource_param,
        "StackOutput": lambda self, call, args, frame: Placeholder(
            f"<stack-output:{args[0]}:{args[1]}>", "StackOutput"
        ),
        "CfStackOutput": lambda self, call, args, frame: Placeholder(
            f"<cf-stack-output:{args[0]}:{args[1]}>", "CfStackOutput"
        ),
        "Secret": lambda self, call, args, frame: Placeholder(f"<secret:{args[0]}>", "Secret"),
        "SsmParam": lambda self, call, args, frame: Placeholder(f"<ssm:{args[0]}>", "SsmParam"),
        "CfResourceParam": lambda self, call, args, frame: CfResourceParamValue(args[0], args[1]),
    }


def resolve_directives(loaded: LoadedYaml, ctx: DirectiveContext) -> None:
    """Replace every directive string in `loaded.data` by its value, in place.

    Problems become diagnostics in `loaded.diagnostics` at the value's position and leave
    the value as written; nothing raises. `$Var()` reads the `variables` section, resolving
    the directives in it first (cycles are reported). Runtime directives resolve only where
    Stacktape resolves them (`resources`, `scripts`, `stackConfig.outputs`, `providerConfig`);
    elsewhere they are an error, and inside `variables` they stay text until used.
    """
    _Resolver(loaded, ctx).run()


def _frame_in(frame: _Frame, path: DataPath | None, top: bool, doc: LoadedYaml | None) -> _Frame:
    """The frame for a value at `path`, which is in `doc` when it is given (text read from an
    included file, whose problems are reported where they are written there)."""
    if doc is None:
        return _frame_at(frame, path, top)
    return frame if path is None else replace(frame, origin=path, doc=doc)


def _frame_at(frame: _Frame, path: DataPath | None, top: bool) -> _Frame:
    """The frame for a value at `path`: its origin, and on the document walk its use site."""
    if path is None:
        return frame
    if top:
        return replace(frame, origin=path, use=path, mode=_mode_for(path))
    return replace(frame, origin=path)
