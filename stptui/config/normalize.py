"""Raw config data -> the typed `Stack`: type checks, defaults and accepted alternate spellings.

Each property is checked against a small schema. A value of the wrong type is reported and
dropped (the default applies), so one mistake never hides the rest of the stack. Spellings
from Stacktape's published examples are read into the same model with a warning that names
the real spelling (reference: stacktape-config §8).

The property tables (the ones below and the nested ones written where they are read) hold
exactly the property names of Stacktape's JSON schema (`@generated/schemas/config-schema.json`
of stacktape/stacktape, commit c80796ef, where every one of these objects is
`additionalProperties: false`; plus `region` at the top level from the newer
`types/stacktape-config/_root.d.ts`). Since they are complete, a property they do not hold is
an error: Stacktape's deployer rejects the config. `tests/test_schema_tables.py` checks every
table against the schema's names.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any, ClassVar

from stptui.config.diagnostics import Diagnostic, Severity, did_you_mean, indefinite_article
from stptui.config.directives import (
    DirectiveContext,
    Placeholder,
    ResourceParamValue,
    fake_resource_param,
)
from stptui.config.loader import DataPath, LoadedYaml
from stptui.config.model import (
    COGNITO_IDENTITY_SOURCES,
    CONTAINER_SERVICE_TYPES,
    CONTAINER_TRIGGER_TYPES,
    LEGACY_RESOURCE_TYPES,
    RESOURCE_TYPES,
    TRIGGER_TYPES,
    AppSyncApi,
    AppSyncTrigger,
    BatchJob,
    Bucket,
    Container,
    Containerized,
    ContainerService,
    ContainerWorkload,
    EnvVar,
    EventBus,
    EventBusTrigger,
    Function,
    HttpApiGateway,
    HttpAuthorizer,
    HttpTrigger,
    KafkaTopicTrigger,
    LifecycleRule,
    Queue,
    Ref,
    Resource,
    S3Trigger,
    ScheduleTrigger,
    SnsTopic,
    SnsTrigger,
    SqsTrigger,
    Stack,
    StateMachine,
    Trigger,
    WebSocketTrigger,
    Workload,
)

NAME_RE = re.compile(r"^[A-Za-z0-9]+$")


@dataclass(frozen=True, slots=True)
class P:
    """The expected shape of one property: a kind ('int', 'num', 'str', 'bool', 'list',
    'dict', 'scalar', 'any', or several joined by '|'), optional enum and range."""

    kind: str
    enum: tuple[str | int, ...] | None = None
    lo: float | None = None
    hi: float | None = None


_ANY = P("any")
_LIST = P("list")
_DICT = P("dict")
_BOOL = P("bool")
_STR = P("str")
_MIN_PORT, _MAX_PORT = 1, 65535
_PORT = P("int", lo=_MIN_PORT, hi=_MAX_PORT)
_NUM = P("num")

TOP_LEVEL = {
    # `region` is newer than the schema snapshot above (`_root.d.ts`, commit 69ac010e).
    "region": _STR,
    "serviceName": _STR,
    "providerConfig": _DICT,
    "budgetControl": _DICT,
    "variables": _DICT,
    "hooks": _DICT,
    "scripts": _DICT,
    "directives": _LIST,
    "deploymentConfig": _DICT,
    "stackConfig": _DICT,
    "resources": _DICT,
    "cloudformationResources": _DICT,
}

# The schema's `LambdaRuntime` enum, plus `dotnet8` and `ruby3.3`, which the deployer at a
# later HEAD accepts (reference: stacktape-config §2.2). There is no `java21`.
RUNTIMES = [
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "java8",
    "java8.al2",
    "java11",
    "java17",
    "dotnet6",
    "dotnet7",
    "dotnet8",
    "ruby3.2",
    "ruby3.3",
    "provided.al2",
    "provided.al2023",
]

FUNCTION_PROPS = {
    "packaging": _DICT,
    "events": _LIST,
    "environment": P("list|dict"),
    "connectTo": _LIST,
    "iamRoleStatements": _LIST,
    "runtime": P("str", enum=tuple(RUNTIMES)),
    "architecture": P("str", enum=("x86_64", "arm64")),
    "memory": P("int", lo=128, hi=10240),
    "timeout": P("int", lo=1, hi=900),
    "storage": P("int", lo=512, hi=10240),
    "joinDefaultVpc": _BOOL,
    "destinations": _DICT,
    "reservedConcurrency": P("int", lo=0),
    "provisionedConcurrency": P("int", lo=0),
    "layers": _LIST,
    "logging": _DICT,
    "deployment": _DICT,
    "url": _DICT,
    "cdn": _DICT,
    "alarms": _LIST,
    "disabledGlobalAlarms": _LIST,
    "tags": _LIST,
    "volumeMounts": _LIST,
}
BATCH_PROPS = {
    "container": _DICT,
    "resources": _DICT,
    # AWS Batch's attemptDurationSeconds is at least 60 (aws-semantics §7).
    "timeout": P("int", lo=60),
    "useSpotInstances": _BOOL,
    "retryConfig": _DICT,
    "logging": _DICT,
    "events": _LIST,
    "connectTo": _LIST,
    "iamRoleStatements": _LIST,
}
# Nested objects of the common resource types (types/stacktape-config/*.d.ts of
# stacktape/stacktape; each `additionalProperties: false` in the schema): name -> (its
# properties, the required ones).
# CloudWatch Logs' retention periods, the only values the schema's `retentionDays` takes.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*")
_LOGGING = {
    "disabled": _BOOL,
    "retentionDays": P("int", enum=LOG_RETENTION_DAYS),
    "logForwarding": _DICT,
}
_CORS = {
    "enabled": _BOOL,
    "allowedOrigins": _LIST,
    "allowedHeaders": _LIST,
    "allowedMethods": _LIST,
    "allowCredentials": _BOOL,
    "exposedResponseHeaders": _LIST,
    "maxAge": P("num", lo=0),
}
_STORAGE_CLASSES = ("DEEP_ARCHIVE", "GLACIER", "INTELLIGENT_TIERING", "ONEZONE_IA", "STANDARD_IA")
_RULE_BASE = {"prefix": _STR, "tags": _LIST}
NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    # LambdaFunctionLogging, BatchJobLogging
    "logging": (_LOGGING, ()),
    # HttpApiAccessLogsConfig
    "gateway logging": ({**_LOGGING, "format": P("str", enum=("CLF", "JSON", "XML", "CSV"))}, ()),
    # LambdaUrlConfig, LambdaUrlCorsConfig, HttpApiCorsConfig
    "url": (
        {
            "enabled": _BOOL,
            "cors": _DICT,
            "authMode": P("str", enum=("AWS_IAM", "NONE")),
            "responseStreamEnabled": _BOOL,
        },
        ("enabled",),
    ),
    "cors": (_CORS, ("enabled",)),
    # LambdaDeploymentConfig
    "deployment": (
        {
            "strategy": P(
                "str",
                enum=(
                    "Canary10Percent5Minutes",
                    "Canary10Percent10Minutes",
                    "Canary10Percent15Minutes",
                    "Canary10Percent30Minutes",
                    "Linear10PercentEvery1Minute",
                    "Linear10PercentEvery2Minutes",
                    "Linear10PercentEvery3Minutes",
                    "Linear10PercentEvery10Minutes",
                    "AllAtOnce",
                ),
            ),
            "beforeAllowTrafficFunction": _STR,
            "afterTrafficShiftFunction": _STR,
        },
        ("strategy",),
    ),
    # BucketAccessibility, BucketCorsConfig, BucketCorsRule
    "accessibility": (
        {
            "accessibilityMode": P("str", enum=("private", "public-read-write", "public-read")),
            "accessPolicyStatements": _LIST,
        },
        ("accessibilityMode",),
    ),
    "bucket cors": ({"enabled": _BOOL, "corsRules": _LIST}, ("enabled",)),
    "corsRules": ({k: v for k, v in _CORS.items() if k not in ("enabled", "allowCredentials")}, ()),
}
# The bucket `lifecycleRules` entries: type -> (properties, required ones).
LIFECYCLE_RULES: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "expiration": ({**_RULE_BASE, "daysAfterUpload": P("num", lo=0)}, ("daysAfterUpload",)),
    "non-current-version-expiration": (
        {**_RULE_BASE, "daysAfterVersioned": P("num", lo=0)},
        ("daysAfterVersioned",),
    ),
    "class-transition": (
        {
            **_RULE_BASE,
            "daysAfterUpload": P("num", lo=0),
            "storageClass": P("str", enum=_STORAGE_CLASSES),
        },
        ("daysAfterUpload", "storageClass"),
    ),
    "non-current-version-class-transition": (
        {
            **_RULE_BASE,
            "daysAfterVersioned": P("num", lo=0),
            "storageClass": P("str", enum=_STORAGE_CLASSES),
        },
        ("daysAfterVersioned", "storageClass"),
    ),
    "abort-incomplete-multipart-upload": (
        {**_RULE_BASE, "daysAfterInitiation": P("num", lo=0)},
        ("daysAfterInitiation",),
    ),
}
# The items of an `allowedMethods` list (a bucket's CORS rules take no OPTIONS).
_METHOD_ITEMS = P("str", enum=_HTTP_METHODS)
_BUCKET_METHOD_ITEMS = P("str", enum=tuple(m for m in _HTTP_METHODS if m != "OPTIONS"))

# `packaging`: a `type` and its `properties` (types/stacktape-config/deployment-artifacts.d.ts
# of stacktape/stacktape, commit 51440748, every object `additionalProperties: false` in the
# schema). Each table holds every property name of one packaging type's properties.
# `type` is checked against the types of the resource (StackBuilder._packaging).
PACKAGING_KEYS = {"type": _ANY, "properties": _DICT}
_BUILDPACK_SHARED = {
    "entryfilePath": _STR,
    "includeFiles": _LIST,
    "excludeFiles": _LIST,
    "excludeDependencies": _LIST,
    "languageSpecificConfig": _DICT,
}
_IMAGE_BUILDPACK = {
    **_BUILDPACK_SHARED,
    "requiresGlibcBinaries": _BOOL,
    "customDockerBuildCommands": _LIST,
}
_PREBUILT_BJ = {"image": _STR, "command": _LIST}
_DOCKERFILE_BJ = {
    "dockerfilePath": _STR,
    "buildContextPath": _STR,
    "buildArgs": _LIST,
    "command": _LIST,
}
_EXTERNAL_BUILDPACK = {
    "builder": _STR,
    "buildpacks": _LIST,
    "sourceDirectoryPath": _STR,
    "command": _LIST,
}
_NIXPACKS = {
    "sourceDirectoryPath": _STR,
    "buildImage": _STR,
    "providers": _LIST,
    "startCmd": _STR,
    "startRunImage": _STR,
    "startOnlyIncludeFiles": _LIST,
    "phases": _LIST,
}


@dataclass(frozen=True, slots=True)
class PackagingType:
    """One packaging `type`: its properties and which of them are required."""

    props: dict[str, P]
    required: tuple[str, ...]


# Holder ("function", "batch-job", "container") -> type -> its properties. A batch job's
# image takes no `entryPoint` or registry credentials (`...BjImagePackagingProps`); a
# container's does (`...CwImagePackagingProps`).
PACKAGING: dict[str, dict[str, PackagingType]] = {
    "function": {
        "stacktape-lambda-buildpack": PackagingType(
            {**_BUILDPACK_SHARED, "handlerFunction": _STR}, ("entryfilePath",)
        ),
        "custom-artifact": PackagingType({"packagePath": _STR, "handler": _STR}, ("packagePath",)),
    },
    "batch-job": {
        "stacktape-image-buildpack": PackagingType(_IMAGE_BUILDPACK, ("entryfilePath",)),
        "external-buildpack": PackagingType(_EXTERNAL_BUILDPACK, ("sourceDirectoryPath",)),
        "nixpacks": PackagingType(_NIXPACKS, ("sourceDirectoryPath",)),
        "custom-dockerfile": PackagingType(_DOCKERFILE_BJ, ("buildContextPath",)),
        "prebuilt-image": PackagingType(_PREBUILT_BJ, ("image",)),
    },
    "container": {
        "stacktape-image-buildpack": PackagingType(_IMAGE_BUILDPACK, ("entryfilePath",)),
        "external-buildpack": PackagingType(_EXTERNAL_BUILDPACK, ("sourceDirectoryPath",)),
        "nixpacks": PackagingType(_NIXPACKS, ("sourceDirectoryPath",)),
        "custom-dockerfile": PackagingType(
            {**_DOCKERFILE_BJ, "entryPoint": _LIST}, ("buildContextPath",)
        ),
        "prebuilt-image": PackagingType(
            {**_PREBUILT_BJ, "repositoryCredentialsSecretArn": _STR, "entryPoint": _LIST},
            ("image",),
        ),
    },
}
# A `stacktape-lambda-buildpack`'s `languageSpecificConfig`: one of the language configs of
# `StpBuildpackLambdaPackagingProps`, as Stacktape's generated reference lists them
# (@generated/llm-docs/config-reference/deployment-artifacts/stpbuildpacklambdapackagingprops.md
# of stacktape/stacktape, commit 72109519), keyed by language. The union has no tag: the
# buildpack of the entry file's language reads its own.
LANGUAGE_SPECIFIC_CONFIGS: dict[str, dict[str, P]] = {
    "JavaScript/TypeScript": {
        "tsConfigPath": _STR,
        "emitTsDecoratorMetadata": _BOOL,
        "dependenciesToExcludeFromBundle": _LIST,
        "outputModuleFormat": P("str", enum=("cjs", "esm")),
        "nodeVersion": P("int", enum=tuple(range(16, 25))),
        "disableSourceMaps": _BOOL,
        "outputSourceMapsTo": _STR,
        "dependenciesToExcludeFromDeploymentPackage": _LIST,
        # Newer than that reference: Stacktape's own generated packaging benchmark
        # (stacktape/packaging-benchmark, fixtures/generate.ts) sets it with `nodeVersion`.
        "minify": _BOOL,
    },
    "Python": {
        "packageManagerFile": _STR,
        "packageManager": _STR,
        "uvOptionalDependencies": _LIST,
        "uvWithGroups": _LIST,
        "uvWithoutGroups": _LIST,
        "uvOnlyGroups": _LIST,
        # Numbers: YAML reads `3.10` as 3.1, which is none of them.
        "pythonVersion": P("num", enum=(2.7, 3.6, 3.7, 3.8, 3.9, 3.11, 3.12, 3.13, 3.14)),
        "runAppAs": P("str", enum=("ASGI", "WSGI")),
        "minify": _BOOL,
    },
    "Java": {
        "useMaven": _BOOL,
        "packageManagerFile": _STR,
        "javaVersion": P("int", enum=(8, 11, 17, 19)),
    },
    "PHP": {"phpVersion": P("num", enum=(8.2, 8.3))},
    ".NET": {"projectFile": _STR, "dotnetVersion": P("int", enum=(6, 8))},
    "Go": {},
    "Ruby": {"rubyVersion": P("num", enum=(3.2, 3.3))},
}
# Every language config's properties (where two share a name, they share its shape).
_ANY_LANGUAGE_CONFIG = {k: v for t in LANGUAGE_SPECIFIC_CONFIGS.values() for k, v in t.items()}
# The language of an entry file, by its extension; any other extension is checked against
# every language's options.
_LANGUAGE_BY_EXTENSION = {
    **dict.fromkeys(
        (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"), "JavaScript/TypeScript"
    ),
    ".py": "Python",
    ".java": "Java",
    ".php": "PHP",
    **dict.fromkeys((".cs", ".csproj"), ".NET"),
    ".go": "Go",
    ".rb": "Ruby",
}
_HOLDER_WORDS = {"function": "a function", "batch-job": "a batch job", "container": "a container"}
# The buildpack of the other kind of workload, for a type written on the wrong one.
_BUILDPACK_SWAP = {
    "stacktape-image-buildpack": "stacktape-lambda-buildpack",
    "stacktape-lambda-buildpack": "stacktape-image-buildpack",
}
QUEUE_PROPS = {
    "delayMessagesSecond": P("int", lo=0, hi=900),
    "maxMessageSizeBytes": P("int", lo=1024, hi=1_048_576),
    "messageRetentionPeriodSeconds": P("int", lo=60, hi=1_209_600),
    "longPollingSeconds": P("int", lo=0, hi=20),
    "visibilityTimeoutSeconds": P("int", lo=0, hi=43_200),
    "fifoEnabled": _BOOL,
    "fifoHighThroughput": _BOOL,
    "contentBasedDeduplication": _BOOL,
    "redrivePolicy": _DICT,
    "policyStatements": _LIST,
    "alarms": _LIST,
    "disabledGlobalAlarms": _LIST,
    "events": _LIST,
}
QUEUE_ALIASES = {
    "delayMessageSeconds": "delayMessagesSecond",
    "delaySeconds": "delayMessagesSecond",
    "fifoQueue": "fifoEnabled",
    "longPollingWaitTimeSeconds": "longPollingSeconds",
    "receiveMessageWaitTimeSeconds": "longPollingSeconds",
    "messageRetentionPeriod": "messageRetentionPeriodSeconds",
    "visibilityTimeout": "visibilityTimeoutSeconds",
}
REDRIVE_ALIASES = {
    "deadLetterQueueName": "targetSqsQueueName",
    "deadLetterQueue": "targetSqsQueueName",
    "deadLetterTargetArn": "targetSqsQueueArn",
    "deadLetterQueueArn": "targetSqsQueueArn",
}
BUS_PROPS = {"eventSourceName": _STR, "archivation": _DICT}
BUCKET_PROPS = {
    "directoryUpload": _DICT,
    "accessibility": _DICT,
    "cors": _DICT,
    "versioning": _BOOL,
    "encryption": _BOOL,
    "lifecycleRules": _LIST,
    "enableEventBusNotifications": _BOOL,
    "cdn": _DICT,
}
GATEWAY_PROPS = {
    "payloadFormat": P("str", enum=("1.0", "2.0")),
    "cors": _DICT,
    "logging": _DICT,
    "customDomains": _LIST,
    "cdn": _DICT,
    "alarms": _LIST,
    "disabledGlobalAlarms": _LIST,
}
TOPIC_PROPS = {"smsDisplayName": _STR, "fifoEnabled": _BOOL, "contentBasedDeduplication": _BOOL}

# -- container services and workloads ---------------------------------------------------------
# types/stacktape-config/multi-container-workloads.d.ts (commit 5bb1eb5b) and __helpers.d.ts
# (`SimpleServiceContainer`, `ResourceAccessProps`, `DomainConfiguration`; a later commit adds
# `sideContainers` and `usePrivateSubnetsWithNAT`), web-services.d.ts, private-services.d.ts,
# worker-services.d.ts (5bb1eb5b): every object `additionalProperties: false` in the schema.
# Numbers carry no range: the schema gives none (the ranges in the docs are prose).
# `environment` also takes a map, as a function's does (reference: stacktape-config §8).
_RESOURCE_ACCESS = {"connectTo": _LIST, "iamRoleStatements": _LIST}
SIMPLE_SERVICE_PROPS = {
    **_RESOURCE_ACCESS,
    "packaging": _DICT,
    "environment": P("list|dict"),
    "logging": _DICT,
    "resources": _DICT,
    "scaling": _DICT,
    "internalHealthCheck": _DICT,
    "stopTimeout": _NUM,
    "enableRemoteSessions": _BOOL,
    "volumeMounts": _LIST,
    "sideContainers": _LIST,
    "usePrivateSubnetsWithNAT": _BOOL,
}
WEB_SERVICE_PROPS = {
    **SIMPLE_SERVICE_PROPS,
    "cors": _DICT,
    "customDomains": _LIST,
    "loadBalancing": _DICT,
    "cdn": _DICT,
    "alarms": _LIST,
    "disabledGlobalAlarms": _LIST,
    "deployment": _DICT,
    "useFirewall": _STR,
}
PRIVATE_SERVICE_PROPS = {
    **SIMPLE_SERVICE_PROPS,
    "port": _NUM,
    "protocol": P("str", enum=("http", "http2", "grpc")),
    "loadBalancing": _DICT,
}
WORKER_SERVICE_PROPS = SIMPLE_SERVICE_PROPS
SERVICE_TABLES = {
    "web-service": WEB_SERVICE_PROPS,
    "private-service": PRIVATE_SERVICE_PROPS,
    "worker-service": WORKER_SERVICE_PROPS,
}
# The `loadBalancing` each service takes: its `type` -> the properties of that type, or None
# when it takes no `properties` (web-services.d.ts: `WebServiceHttpApiGatewayLoadBalancing`,
# `WebServiceAlbLoadBalancing` (`properties` optional), `WebServiceNlbLoadBalancing`
# (`properties` required); private-services.d.ts: `PrivateServiceLoadBalancing`, `type` only;
# commit 5bb1eb5b, the same in every later version stored).
_HEALTHCHECK = {"healthcheckPath": _STR, "healthcheckInterval": _NUM, "healthcheckTimeout": _NUM}
SERVICE_LOAD_BALANCING: dict[str, dict[str, PackagingType | None]] = {
    "web-service": {
        "http-api-gateway": None,
        "application-load-balancer": PackagingType(_HEALTHCHECK, ()),
        "network-load-balancer": PackagingType(
            {
                **_HEALTHCHECK,
                "healthCheckProtocol": P("str", enum=("HTTP", "TCP")),
                "healthCheckPort": _NUM,
                "ports": _LIST,
            },
            ("ports",),
        ),
    },
    "private-service": {"service-connect": None, "application-load-balancer": None},
}
# The load balancing types whose `properties` may be left out.
_OPTIONAL_BALANCING_PROPERTIES = ("application-load-balancer",)
# Stacktape's newer docs (new-docs/networking, new-docs/compute) write `loadBalancing.properties`
# with these names, attaching a service to a gateway or load balancer of the stack (lint_compute
# honours `loadBalancerName`): a shape no stored schema holds, so `properties` holding any of
# them are left as written rather than rejected.
_NEWER_DOCS_BALANCING = ("loadBalancerName", "httpApiGatewayName", "port", "priority", "paths")
WORKLOAD_PROPS = {
    **_RESOURCE_ACCESS,
    "containers": _LIST,
    "resources": _DICT,
    "scaling": _DICT,
    "deployment": _DICT,
    "enableRemoteSessions": _BOOL,
    "usePrivateSubnetsWithNAT": _BOOL,
}
# `ContainerWorkloadContainerBase`: what a workload's containers and a service's
# `sideContainers` entries share.
_CONTAINER_BASE = {
    "name": _STR,
    "packaging": _DICT,
    "essential": _BOOL,
    "logging": _DICT,
    "dependsOn": _LIST,
    "environment": P("list|dict"),
    "internalHealthCheck": _DICT,
    "stopTimeout": _NUM,
    "volumeMounts": _LIST,
}
# `ContainerWorkloadContainer`
CONTAINER_PROPS = {**_CONTAINER_BASE, "events": _LIST, "loadBalancerHealthCheck": _DICT}
# `ServiceHelperContainer` (__helpers.d.ts, the commit that adds `sideContainers`): the
# entries of a service's `sideContainers`, the base and its type.
SIDE_CONTAINER_PROPS = {
    **_CONTAINER_BASE,
    "containerType": P("str", enum=("run-on-init", "always-running")),
}
SIDE_CONTAINER_REQUIRED = ("name", "packaging", "containerType")

# -- relational-database: relational-databases.d.ts (commit 5bb1eb5b); `dev` from the later
# schema (reference: stacktape-config §2.9).
RELATIONAL_DATABASE_PROPS = {
    "credentials": _DICT,
    "engine": _DICT,
    "accessibility": _DICT,
    "deletionProtection": _BOOL,
    "automatedBackupRetentionDays": _NUM,
    "preferredMaintenanceWindow": _STR,
    "alarms": _LIST,
    "disabledGlobalAlarms": _LIST,
    "logging": _DICT,
    "dev": _DICT,
}
_ENGINE_SHARED = {"version": _STR, "disableAutoMinorVersionUpgrade": _BOOL}
_RDS_ENGINE = PackagingType(
    {
        **_ENGINE_SHARED,
        "dbName": _STR,
        "port": _NUM,
        "storage": _DICT,
        "primaryInstance": _DICT,
        "readReplicas": _LIST,
    },
    ("version", "primaryInstance"),
)
_AURORA_ENGINE = PackagingType(
    {**_ENGINE_SHARED, "dbName": _STR, "port": _NUM, "instances": _LIST},
    ("version", "instances"),
)
_AURORA_SERVERLESS_ENGINE = PackagingType(
    {
        **_ENGINE_SHARED,
        "dbName": _STR,
        "minCapacity": _NUM,
        "maxCapacity": _NUM,
        "pauseAfterSeconds": _NUM,
    },
    (),
)
_AURORA_SERVERLESS_V2_ENGINE = PackagingType(
    {
        **_ENGINE_SHARED,
        "dbName": _STR,
        "minCapacity": _NUM,
        "maxCapacity": _NUM,
        # Newer than 5bb1eb5b (relational-databases.d.ts at HEAD).
        "serverlessReadersCount": _NUM,
    },
    ("version",),
)
# `engine.type` -> the properties of its engine (`RdsEngine`, `AuroraEngine`,
# `AuroraServerlessEngine`, `AuroraServerlessV2Engine`); only the serverless (v1) engine may
# leave out `properties`.
DATABASE_ENGINES: dict[str, PackagingType] = {
    **{
        t: _RDS_ENGINE
        for t in (
            "postgres",
            "mariadb",
            "mysql",
            "oracle-ee",
            "oracle-se2",
            "sqlserver-ee",
            "sqlserver-ex",
            "sqlserver-se",
            "sqlserver-web",
        )
    },
    "aurora-mysql": _AURORA_ENGINE,
    "aurora-postgresql": _AURORA_ENGINE,
    "aurora-mysql-serverless": _AURORA_SERVERLESS_ENGINE,
    "aurora-postgresql-serverless": _AURORA_SERVERLESS_ENGINE,
    "aurora-mysql-serverless-v2": _AURORA_SERVERLESS_V2_ENGINE,
    "aurora-postgresql-serverless-v2": _AURORA_SERVERLESS_V2_ENGINE,
}

# -- redis-cluster: redis-cluster.d.ts (commit 1f09d2a2).
REDIS_INSTANCE_SIZES = tuple(
    f"cache.{size}"
    for family, sizes in (
        ("t3", "micro small medium"),
        ("t4g", "micro small medium"),
        ("m6g", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"),
        ("m7g", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"),
        ("m5", "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge"),
        ("m4", "large xlarge 2xlarge 4xlarge 10xlarge"),
        ("t2", "micro small medium"),
        ("r6g", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"),
        ("r7g", "large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge"),
        ("r5", "large xlarge 2xlarge 4xlarge 12xlarge 24xlarge"),
        ("r4", "large xlarge 2xlarge 4xlarge 8xlarge 16xlarge"),
    )
    for size in (f"{family}.{s}" for s in sizes.split())
)
REDIS_PROPS = {
    "enableSharding": _BOOL,
    "numShards": _NUM,
    "numReplicaNodes": _NUM,
    "enableAutomaticFailover": _BOOL,
    "instanceSize": P("str", enum=REDIS_INSTANCE_SIZES),
    "logging": _DICT,
    "automatedBackupRetentionDays": _NUM,
    "port": _NUM,
    "defaultUserPassword": _STR,
    "accessibility": _DICT,
    "engineVersion": P("str", enum=("7.1", "7.0", "6.2", "6.0")),
    "dev": _DICT,
}
REDIS_REQUIRED = ("defaultUserPassword", "instanceSize")

# -- web-app-firewall: web-app-firewall.d.ts (commit 5bb1eb5b).
FIREWALL_PROPS = {
    "scope": P("str", enum=("regional", "cdn")),
    "defaultAction": P("str", enum=("Allow", "Block")),
    "rules": _LIST,
    "customResponseBodies": _DICT,
    "captchaImmunityTime": _NUM,
    "challengeImmunityTime": _NUM,
    "tokenDomains": _LIST,
    "disableMetrics": _BOOL,
    "sampledRequestsEnabled": _BOOL,
}
_RULE_COMMON = {
    "priority": _NUM,
    "name": _STR,
    "disableMetrics": _BOOL,
    "sampledRequestsEnabled": _BOOL,
}
_OVERRIDE_ACTION = P("str", enum=("None", "Count"))
# A firewall rule's `type` -> its properties (`ManagedRuleGroupProps`, `CustomRuleGroupProps`,
# `RateBasedStatementProps`, each extending `CommonRuleProps`).
FIREWALL_RULES: dict[str, PackagingType] = {
    "managed-rule-group": PackagingType(
        {
            **_RULE_COMMON,
            "vendorName": _STR,
            "excludedRules": _LIST,
            "overrideAction": _OVERRIDE_ACTION,
        },
        ("priority", "name", "vendorName"),
    ),
    "custom-rule-group": PackagingType(
        {**_RULE_COMMON, "arn": _STR, "overrideAction": _OVERRIDE_ACTION},
        ("priority", "name", "arn"),
    ),
    "rate-based-rule": PackagingType(
        {
            **_RULE_COMMON,
            "limit": _NUM,
            "aggregateBasedOn": P("str", enum=("IP", "FORWARDED_IP")),
            "forwardedIPConfig": _DICT,
            "action": P("str", enum=("Allow", "Block", "Count", "Captcha", "Challenge")),
        },
        ("priority", "name", "limit"),
    ),
}

# The entries of `volumeMounts` (`ContainerEfsMount`, `ContainerEfsMountProps` in
# multi-container-workloads.d.ts, commit 5bb1eb5b): EFS is the one type.
VOLUME_MOUNTS: dict[str, PackagingType] = {
    "efs": PackagingType(
        {"efsFilesystemName": _STR, "rootDirectory": _STR, "mountPath": _STR},
        ("efsFilesystemName", "mountPath"),
    ),
}
# Stacktape's newer docs (new-docs/storage/efs-filesystem and the compute pages) write a mount
# flat, with these names and no `type`: a shape no stored schema holds, left as written.
_NEWER_DOCS_MOUNT = ("efsStorageName", "containerPath", "readOnly")

# -- a web service's `cdn`: `CdnConfiguration` and the objects in it (cdn.d.ts, commit 5bb1eb5b;
# the later versions stored hold the same names).
_CACHE_METHODS = P("str", enum=("GET", "HEAD", "OPTIONS"))
_FORWARD_METHODS = P("str", enum=("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"))
CDN_PROPS = {
    "enabled": _BOOL,
    "cachingOptions": _DICT,
    "forwardingOptions": _DICT,
    "routeRewrites": _LIST,
    "customDomains": _LIST,
    "edgeFunctions": _DICT,
    "cloudfrontPriceClass": P("str", enum=("PriceClass_100", "PriceClass_200", "PriceClass_All")),
    "defaultRoutePrefix": _STR,
    "errorDocument": _STR,
    "indexDocument": _STR,
    "disableInvalidationAfterDeploy": _BOOL,
    "useFirewall": _STR,
}
# A bucket's `cdn`: `BucketCdnConfiguration` (buckets.d.ts, commit 5bb1eb5b), a
# `CdnConfiguration` with two more properties. A function's and an HTTP API gateway's `cdn`
# is a `CdnConfiguration` (functions.d.ts, http-api-gateways.d.ts), read with CDN_PROPS.
BUCKET_CDN_PROPS = {
    **CDN_PROPS,
    "rewriteRoutesForSinglePageApp": _BOOL,
    "disableUrlNormalization": _BOOL,
}
# Stacktape's older docs and starter projects (docs/code-snippets/cdns/disable-invalidation,
# starter-projects/angular-starter) write `invalidateAfterDeploy: false`; today's schema has
# `disableInvalidationAfterDeploy: true`.
_OLD_INVALIDATION, _NEW_INVALIDATION = "invalidateAfterDeploy", "disableInvalidationAfterDeploy"
# A route rewrite's `routeTo`: its `type` -> its origin (`CdnLoadBalancerOrigin`,
# `CdnHttpApiGatewayOrigin`, `CdnLambdaFunctionOrigin`, `CdnCustomOrigin`, `CdnBucketOrigin`).
CDN_ROUTES: dict[str, PackagingType] = {
    "application-load-balancer": PackagingType(
        {"loadBalancerName": _STR, "listenerPort": _NUM, "originDomainName": _STR},
        ("loadBalancerName",),
    ),
    "http-api-gateway": PackagingType({"httpApiGatewayName": _STR}, ("httpApiGatewayName",)),
    "function": PackagingType({"functionName": _STR}, ("functionName",)),
    "custom-origin": PackagingType(
        {"domainName": _STR, "protocol": P("str", enum=("HTTP", "HTTPS")), "port": _NUM},
        ("domainName",),
    ),
    "bucket": PackagingType(
        {"bucketName": _STR, "disableUrlNormalization": _BOOL}, ("bucketName",)
    ),
}
_ALL_NONE_WHITELIST = {"all": _BOOL, "none": _BOOL, "whitelist": _LIST}
CDN_NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    # CdnCachingOptions, CdnCacheKey, CacheKeyCookies, CacheKeyHeaders, CacheKeyQueryString
    "cachingOptions": (
        {
            "cacheMethods": _LIST,
            "minTTL": _NUM,
            "maxTTL": _NUM,
            "defaultTTL": _NUM,
            "disableCompression": _BOOL,
            "cacheKeyParameters": _DICT,
            "cachePolicyId": _STR,
        },
        (),
    ),
    "cacheKeyParameters": ({"cookies": _DICT, "headers": _DICT, "queryString": _DICT}, ()),
    "cache key cookies": ({**_ALL_NONE_WHITELIST, "allExcept": _LIST}, ()),
    "cache key headers": ({"none": _BOOL, "whitelist": _LIST}, ()),
    "cache key queryString": (_ALL_NONE_WHITELIST, ()),
    # CdnForwardingOptions, CdnCustomRequestHeader, ForwardCookies, ForwardHeaders,
    # ForwardQueryString
    "forwardingOptions": (
        {
            "customRequestHeaders": _LIST,
            "allowedMethods": _LIST,
            "cookies": _DICT,
            "headers": _DICT,
            "queryString": _DICT,
            "originRequestPolicyId": _STR,
        },
        (),
    ),
    "customRequestHeaders": ({"headerName": _STR, "value": _STR}, ("headerName", "value")),
    "forward cookies": (_ALL_NONE_WHITELIST, ()),
    "forward headers": (
        {
            "none": _BOOL,
            "whitelist": _LIST,
            "allViewer": _BOOL,
            "allViewerAndWhitelistCloudFront": _LIST,
            "allExcept": _LIST,
        },
        (),
    ),
    "forward queryString": (_ALL_NONE_WHITELIST, ()),
    # EdgeFunctionsConfig, CdnRouteRewrite
    "edgeFunctions": (
        {"onRequest": _STR, "onResponse": _STR, "onOriginRequest": _STR, "onOriginResponse": _STR},
        (),
    ),
    "routeRewrites": (
        {
            "path": _STR,
            "routePrefix": _STR,
            "routeTo": _DICT,
            "cachingOptions": _DICT,
            "forwardingOptions": _DICT,
            "edgeFunctions": _DICT,
        },
        ("path",),
    ),
}

# -- a web service's `alarms`: `HttpApiGatewayAlarm | ApplicationLoadBalancerAlarm` (alarms.d.ts,
# commit fec08833; `includeInHistory` from the later 09ba1d4f) and their triggers, with
# `ApplicationLoadBalancerCustomTrigger` from alarm-metrics.d.ts.
ALARM_PROPS = {
    "trigger": _DICT,
    "evaluation": _DICT,
    "notificationTargets": _LIST,
    "includeInHistory": _BOOL,
    "description": _STR,
}
_COMPARISON = P(
    "str",
    enum=(
        "GreaterThanThreshold",
        "GreaterThanOrEqualToThreshold",
        "LessThanThreshold",
        "LessThanOrEqualToThreshold",
    ),
)
_STATISTIC = P("str", enum=("avg", "p90", "p95", "p99", "min", "max", "sum"))
WEB_SERVICE_ALARM_TRIGGERS: dict[str, PackagingType] = {
    "http-api-gateway-error-rate": PackagingType(
        {"thresholdPercent": _NUM, "comparisonOperator": _COMPARISON}, ("thresholdPercent",)
    ),
    "http-api-gateway-latency": PackagingType(
        {"thresholdMilliseconds": _NUM, "comparisonOperator": _COMPARISON, "statistic": _STATISTIC},
        ("thresholdMilliseconds",),
    ),
    "application-load-balancer-error-rate": PackagingType(
        {"thresholdPercent": _NUM, "comparisonOperator": _COMPARISON}, ("thresholdPercent",)
    ),
    "application-load-balancer-unhealthy-targets": PackagingType(
        {"thresholdPercent": _NUM, "onlyIncludeTargets": _LIST, "comparisonOperator": _COMPARISON},
        ("thresholdPercent",),
    ),
    "application-load-balancer-custom": PackagingType(
        {
            "metric": _STR,
            "threshold": _NUM,
            "statistic": _STATISTIC,
            "comparisonOperator": _COMPARISON,
        },
        ("metric", "threshold"),
    ),
}
# An alarm whose type has neither prefix belongs to another resource type: lint_compute
# reports it against the service's load balancing (Stacktape e80), so it is not read here.
_WEB_SERVICE_ALARM_PREFIXES = ("http-api-gateway-", "application-load-balancer-")

# -- the alarms of the other types: `LambdaAlarm`, `SqsQueueAlarm`, `RelationalDatabaseAlarm`,
# `HttpApiGatewayAlarm` (alarms.d.ts, commit 09ba1d4f), each an `AlarmDefinitionBase`
# (ALARM_PROPS) whose trigger is one of its type's. A trigger with a `statistic` extends
# `TriggerWithCustomStatFunction`; every one with properties `TriggerWithCustomComparison`.
_CMP = {"comparisonOperator": _COMPARISON}
_CMP_STAT = {"comparisonOperator": _COMPARISON, "statistic": _STATISTIC}


def _threshold(name: str, extra: dict[str, P]) -> PackagingType:
    return PackagingType({name: _NUM, **extra}, (name,))


ALARM_TRIGGERS: dict[str, dict[str, PackagingType]] = {
    "function": {
        "lambda-error-rate": _threshold("thresholdPercent", _CMP),
        "lambda-duration": _threshold("thresholdMilliseconds", _CMP_STAT),
    },
    "sqs-queue": {
        "sqs-queue-received-messages-count": _threshold("thresholdCount", _CMP_STAT),
        # `SqsQueueNotEmptyTrigger` has a `type` only.
        "sqs-queue-not-empty": PackagingType({}, ()),
    },
    "relational-database": {
        "database-read-latency": _threshold("thresholdSeconds", _CMP_STAT),
        "database-write-latency": _threshold("thresholdSeconds", _CMP_STAT),
        "database-cpu-utilization": _threshold("thresholdPercent", _CMP_STAT),
        "database-free-storage": _threshold("thresholdMB", _CMP_STAT),
        "database-free-memory": _threshold("thresholdMB", _CMP_STAT),
        "database-connection-count": _threshold("thresholdCount", _CMP_STAT),
    },
    "http-api-gateway": {
        k: v for k, v in WEB_SERVICE_ALARM_TRIGGERS.items() if k.startswith("http-api-gateway-")
    },
}
# Triggers that take no `properties`.
_NO_PROPERTIES_TRIGGERS = ("sqs-queue-not-empty",)
# An alarm's `notificationTargets` (`AlarmUserIntegration` in alarms.d.ts, 09ba1d4f): the
# integrations of user-integrations.d.ts (fec08833, where `slack` and `ms-teams` may leave out
# `properties`) and the `discord` and `webhook` ones of packages/config/src/user-integrations.ts
# (commit 82ce9777).
NOTIFICATION_TARGETS: dict[str, PackagingType] = {
    "slack": PackagingType(
        {"conversationId": _STR, "accessToken": _STR}, ("conversationId", "accessToken")
    ),
    "ms-teams": PackagingType({"webhookUrl": _STR}, ("webhookUrl",)),
    "email": PackagingType({"sender": _STR, "recipient": _STR}, ("sender", "recipient")),
    "discord": PackagingType({"webhookUrl": _STR}, ("webhookUrl",)),
    "webhook": PackagingType({"url": _STR, "secret": _STR, "headers": _DICT}, ("url",)),
}
_OPTIONAL_TARGET_PROPERTIES = ("slack", "ms-teams")
# Stacktape's newer docs (packages/config/src/user-integrations.ts, 82ce9777) write an alarm's
# targets as `notificationChannels`, which also take a `slack-app` channel: a name no stored
# schema holds, so it is read as written, with those types.
_NEWER_DOCS_ALARM = {"notificationChannels": _LIST}
_NEWER_DOCS_CHANNELS = {
    **NOTIFICATION_TARGETS,
    "slack-app": PackagingType({"channel": _STR}, ("channel",)),
}

# -- `logging.logForwarding`: `HttpEndpointLogForwarding | HighlightLogForwarding |
# DatadogLogForwarding` (log-forwarding.d.ts, commit 5bb1eb5b), on every logging that has it.
LOG_FORWARDING: dict[str, PackagingType] = {
    "http-endpoint": PackagingType(
        {
            "endpointUrl": _STR,
            "gzipEncodingEnabled": _BOOL,
            "parameters": _DICT,
            "retryDuration": _NUM,
            "accessKey": _STR,
        },
        ("endpointUrl",),
    ),
    "highlight": PackagingType({"projectId": _STR, "endpointUrl": _STR}, ("projectId",)),
    "datadog": PackagingType({"apiKey": _STR, "endpointUrl": _STR}, ("apiKey",)),
}

# -- IAM statements (__helpers.d.ts, commit fec08833): a workload's `iamRoleStatements` are
# `StpIamRoleStatement`s, a bucket's `accessPolicyStatements` `BucketPolicyIamRoleStatement`s
# (the same with a `Principal`); a queue's `policyStatements` are `SqsQueuePolicyStatement`s
# (sqs-queues.d.ts, 5bb1eb5b). `Effect` is a string in the types; IAM takes only these two
# (IAM JSON policy element reference: "Effect": "Allow" | "Deny"), so a policy with another
# fails to deploy.
_EFFECT = P("str", enum=("Allow", "Deny"))
IAM_STATEMENT_PROPS = {
    "Sid": _STR,
    "Effect": _EFFECT,
    "Action": _LIST,
    "Condition": _ANY,
    "Resource": _LIST,
}
BUCKET_POLICY_STATEMENT_PROPS = {**IAM_STATEMENT_PROPS, "Principal": _ANY}
SQS_POLICY_STATEMENT_PROPS = {
    "Effect": _EFFECT,
    "Action": _LIST,
    "Condition": _ANY,
    "Principal": _ANY,
}
# name of the list -> (the table of its statements, their required properties).
POLICY_STATEMENTS: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "iamRoleStatements": (IAM_STATEMENT_PROPS, ("Resource",)),
    "accessPolicyStatements": (BUCKET_POLICY_STATEMENT_PROPS, ("Resource", "Principal")),
    "policyStatements": (SQS_POLICY_STATEMENT_PROPS, ("Effect", "Action", "Principal")),
}
# Nested objects of the types above (each `additionalProperties: false` in the schema; same
# sources as the tables they belong to): name -> (its properties, the required ones).
SERVICE_NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    # DomainConfiguration (__helpers.d.ts): the entries of `customDomains`.
    "customDomains": (
        {"domainName": _STR, "customCertificateArn": _STR, "disableDnsRecordCreation": _BOOL},
        ("domainName",),
    ),
    # ContainerWorkloadResourcesConfig; Fargate's cpu/memory pairs are lint_compute's.
    "container resources": (
        {
            "cpu": _NUM,
            "memory": _NUM,
            "instanceTypes": _LIST,
            "enableWarmPool": _BOOL,
            "architecture": P("str", enum=("x86_64", "arm64")),
        },
        (),
    ),
    # ContainerWorkloadScaling, ContainerWorkloadScalingPolicy
    "scaling": (
        {"minInstances": _NUM, "maxInstances": _NUM, "scalingPolicy": _DICT},
        (),
    ),
    "scalingPolicy": (
        {"keepAvgCpuUtilizationUnder": _NUM, "keepAvgMemoryUtilizationUnder": _NUM},
        (),
    ),
    # ContainerWorkloadDeploymentConfig
    "container deployment": (
        {
            "strategy": P(
                "str",
                enum=(
                    "Canary10Percent5Minutes",
                    "Canary10Percent15Minutes",
                    "Linear10PercentEvery1Minutes",
                    "Linear10PercentEvery3Minutes",
                    "AllAtOnce",
                ),
            ),
            "beforeAllowTrafficFunction": _STR,
            "afterTrafficShiftFunction": _STR,
            "testListenerPort": _NUM,
        },
        ("strategy",),
    ),
    # ContainerHealthCheck
    "internalHealthCheck": (
        {
            "healthCheckCommand": _LIST,
            "intervalSeconds": _NUM,
            "timeoutSeconds": _NUM,
            "retries": _NUM,
            "startPeriodSeconds": _NUM,
        },
        ("healthCheckCommand",),
    ),
    # LoadBalancerHealthCheck (multi-container-workloads.d.ts): a workload container's
    # `loadBalancerHealthCheck`.
    "loadBalancerHealthCheck": (
        {
            **_HEALTHCHECK,
            "healthCheckProtocol": P("str", enum=("HTTP", "TCP")),
            "healthCheckPort": _NUM,
        },
        (),
    ),
    # ContainerDependency (multi-container-workloads.d.ts): the entries of `dependsOn`.
    "dependsOn": (
        {
            "containerName": _STR,
            "condition": P("str", enum=("COMPLETE", "HEALTHY", "START", "SUCCESS")),
        },
        ("containerName", "condition"),
    ),
    # WebServiceNlbLoadBalancingPort: the entries of a network load balancer's `ports`.
    "ports": (
        {"port": _PORT, "protocol": P("str", enum=("TCP", "TLS")), "containerPort": _NUM},
        ("port",),
    ),
    # RelationalDatabaseCredentials, DatabaseAccessibility, RelationalDatabaseLogging
    "credentials": (
        {"masterUserName": _STR, "masterUserPassword": _STR},
        ("masterUserPassword",),
    ),
    "engine": ({"type": _ANY, "properties": _DICT}, ("type",)),
    "database accessibility": (
        {
            "accessibilityMode": P(
                "str",
                enum=("internet", "vpc", "scoping-workloads-in-vpc", "whitelisted-ips-only"),
            ),
            "forceDisablePublicIp": _BOOL,
            "whitelistedIps": _LIST,
        },
        ("accessibilityMode",),
    ),
    "database logging": (
        {**_LOGGING, "logTypes": _LIST, "engineSpecificOptions": _DICT},
        (),
    ),
    # RdsEnginePrimaryInstance (and its read replicas), AuroraEngineInstance, RdsEngineStorage
    "primaryInstance": ({"instanceSize": _STR, "multiAz": _BOOL}, ("instanceSize",)),
    "readReplicas": ({"instanceSize": _STR, "multiAz": _BOOL}, ("instanceSize",)),
    "instances": ({"instanceSize": _STR}, ("instanceSize",)),
    "storage": ({"initialSize": _NUM, "maxSize": _NUM}, ()),
    # RedisAccessibility, RedisLogging
    "redis accessibility": (
        {"accessibilityMode": P("str", enum=("vpc", "scoping-workloads-in-vpc"))},
        ("accessibilityMode",),
    ),
    "redis logging": ({**_LOGGING, "format": P("str", enum=("text", "json"))}, ()),
    # AlarmEvaluation (alarms.d.ts)
    "alarm evaluation": ({"period": _NUM, "evaluationPeriods": _NUM, "breachedPeriods": _NUM}, ()),
    # CustomResponseBodies (web-app-firewall.d.ts): each value of the firewall's map.
    "custom response body": ({"contentType": _STR, "content": _STR}, ("contentType", "content")),
    # ForwardedIPConfig of a rate-based firewall rule
    "forwardedIPConfig": (
        {"fallbackBehavior": P("str", enum=("MATCH", "NO_MATCH")), "headerName": _STR},
        ("fallbackBehavior", "headerName"),
    ),
}
# -- the newest types: packages/config/src/websocket-api-gateways.ts, kafka-clusters.ts,
# appsync-apis.ts, dsql-databases.ts, email-senders.ts and events.ts of stacktape/stacktape
# (commit df5bebdf; newer than the schema snapshot above, so tests/test_schema_tables.py does
# not hold them). `logClass` is read by the newer resolvers (resource-resolvers/
# websocket-api-gateways and appsync-apis, commit 0dfd37e5), as on a function's logging.
_LOG_CLASS = P("str", enum=("standard", "infrequent-access"))
WEBSOCKET_API_GATEWAY_PROPS = {
    "routeSelectionExpression": _STR,
    "customDomains": _LIST,
    "logging": _DICT,
}
KAFKA_CLUSTER_PROPS = {"dev": _DICT}
# The types whose resource has no `overrides` (`KafkaCluster`, `EmailSender`).
NO_OVERRIDES_TYPES = ("kafka-cluster", "email-sender")
APPSYNC_API_PROPS = {
    "authentication": _DICT,
    "schemaFilePath": _STR,
    "logging": _DICT,
    # Stacktape's validateAppSyncApiConfig (config-manager/utils/appsync-apis.ts) refuses
    # values outside these ranges.
    "queryDepthLimit": P("int", lo=0, hi=75),
    "resolverCountLimit": P("int", lo=0, hi=10_000),
    "introspectionEnabled": _BOOL,
    "xrayEnabled": _BOOL,
    "customDomain": _DICT,
}
APPSYNC_API_REQUIRED = ("authentication",)
# `AppSyncApiAuthentication`: only `aws-iam` has no `properties`.
APPSYNC_AUTHENTICATIONS: dict[str, PackagingType] = {
    "aws-iam": PackagingType({}, ()),
    "user-auth-pool": PackagingType({"userAuthPoolName": _STR}, ("userAuthPoolName",)),
    "api-key": PackagingType({"expiresAt": _STR}, ("expiresAt",)),
}
DSQL_DATABASE_PROPS = {"deletionProtection": _BOOL, "kmsKeyArn": _STR}
EMAIL_SENDER_PROPS = {"identity": _STR, "manageIdentity": _BOOL, "configurationSetName": _STR}
EMAIL_SENDER_REQUIRED = ("identity",)
# `StateMachineProps` (packages/config/src/state-machines.ts of stacktape/stacktape, commit
# 8a45e4c1): the definition only; what is inside it is checked by stptui.sim.asl.
STATE_MACHINE_PROPS = {"definition": _DICT}
# `KinesisStreamProps` (kinesis-streams.d.ts); retention as Kinesis takes it, 24 to 8,760 h.
KINESIS_STREAM_PROPS = {
    "capacityMode": P("str", enum=("ON_DEMAND", "PROVISIONED")),
    "shardCount": P("int", lo=1, hi=10_000),
    "retentionPeriodHours": P("int", lo=24, hi=8760),
    "encryption": _DICT,
    "enableEnhancedFanOut": _BOOL,
}
# Types read by their property table alone: (table, required properties).
TABLE_ONLY_TYPES: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "kinesis-stream": (KINESIS_STREAM_PROPS, ()),
    "kafka-cluster": (KAFKA_CLUSTER_PROPS, ()),
    "dsql-database": (DSQL_DATABASE_PROPS, ()),
    "email-sender": (EMAIL_SENDER_PROPS, EMAIL_SENDER_REQUIRED),
}
# The events these types bring (events.ts): `WebSocketApiIntegrationProps`,
# `AppSyncApiIntegrationProps`, and the `lambda` variant of `WebSocketAuthorizer`.
WEBSOCKET_EVENT_PROPS = {
    "websocketApiGatewayName": _STR,
    "routeKey": _STR,
    "authorizer": _DICT,
    "returnResponse": _BOOL,
}
APPSYNC_EVENT_PROPS = {"appsyncApiName": _STR, "field": _STR}
# `KinesisIntegrationProps` and `DynamoDbIntegrationProps` (events.ts), with the ranges AWS's
# CreateEventSourceMapping takes (a DynamoDB stream's batch is at most 1,000 records).
_STREAM_EVENT_PROPS = {
    "maxBatchWindowSeconds": P("num", lo=0, hi=300),
    "batchSize": P("int", lo=1, hi=10_000),
    "startingPosition": P("str", enum=("LATEST", "TRIM_HORIZON")),
    "maximumRetryAttempts": P("int", lo=-1, hi=10_000),
    "onFailure": _DICT,
    "parallelizationFactor": P("int", lo=1, hi=10),
    "bisectBatchOnFunctionError": _BOOL,
}
KINESIS_EVENT_PROPS = {
    "kinesisStreamName": _STR,
    "streamArn": _STR,
    "consumerArn": _STR,
    "autoCreateConsumer": _BOOL,
    **_STREAM_EVENT_PROPS,
}
DYNAMO_STREAM_EVENT_PROPS = {
    "streamArn": _STR,
    **_STREAM_EVENT_PROPS,
    "batchSize": P("int", lo=1, hi=1000),
}
NEWER_TRIGGERS: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "websocket-api-gateway": (WEBSOCKET_EVENT_PROPS, ("websocketApiGatewayName", "routeKey")),
    "appsync-api": (APPSYNC_EVENT_PROPS, ("appsyncApiName", "field")),
    # Stream events are checked by their tables and kept as plain Triggers.
    "kinesis-stream": (KINESIS_EVENT_PROPS, ()),
    "dynamo-db-stream": (DYNAMO_STREAM_EVENT_PROPS, ("streamArn",)),
}
# An HTTP API route's `authorizer` (`StpAuthorizer`, user-pools.d.ts): `CognitoAuthorizer` and
# `LambdaAuthorizer`; AWS caps a Lambda authorizer's result TTL at 3,600 s.
HTTP_AUTHORIZERS: dict[str, PackagingType] = {
    "cognito": PackagingType({"userPoolName": _STR, "identitySources": _LIST}, ("userPoolName",)),
    "lambda": PackagingType(
        {
            "functionName": _STR,
            "iamResponse": _BOOL,
            "identitySources": _LIST,
            "cacheResultSeconds": P("int", lo=0, hi=3600),
        },
        ("functionName",),
    ),
}
_HTTP_IDENTITY_SOURCE = re.compile(
    r"^\$(request\.(header|querystring)|context|stageVariables)\.[^\s,]+$"
)
WEBSOCKET_AUTHORIZERS: dict[str, PackagingType] = {
    "aws-iam": PackagingType({}, ()),
    "lambda": PackagingType({"functionName": _STR, "identitySources": _LIST}, ("functionName",)),
}
# Route keys API Gateway gives a meaning; any other `$` key is refused (Stacktape's
# validateWebsocketApiGatewayConfig, config-manager/utils/websocket-api-gateways.ts).
WEBSOCKET_LIFECYCLE_ROUTES = ("$connect", "$disconnect", "$default")
_IDENTITY_SOURCE = re.compile(r"^route\.request\.(header|querystring)\.[^.\s]+$")
# `Type.field`, as Stacktape's GRAPHQL_FIELD_REFERENCE (config-manager/utils/appsync-apis.ts).
GRAPHQL_FIELD = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$")
NEWEST_NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    # WebSocketApiAccessLogsConfig
    "websocket logging": ({**_LOGGING, "logClass": _LOG_CLASS}, ()),
    # AppSyncApiLogging
    "appsync logging": (
        {
            **_LOGGING,
            "fieldLogLevel": P("str", enum=("error", "all")),
            "includeVerboseContent": _BOOL,
            "logClass": _LOG_CLASS,
        },
        (),
    ),
}
# What `StackBuilder.nested` reads: the common types' objects and these.
_ALL_NESTED = {**NESTED, **SERVICE_NESTED, **CDN_NESTED, **NEWEST_NESTED}

PAYLOAD_PROPS = {"input": P("dict|str|list|scalar"), "inputPath": _STR, "inputTransformer": _DICT}
# The keys of a resource and of an event (each `additionalProperties: false` in the schema).
RESOURCE_KEYS = ("type", "properties", "overrides")
# CloudFormation resource attributes: not properties, so never the head of an override path.
# (`Type` and `Condition` are also properties of some types, e.g. a Batch job definition's.)
_RESOURCE_ATTRIBUTES = frozenset(
    {"Properties", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy"}
)
# The ends of the logical ids of an alarm's resources (cfLogicalNames.cloudwatchAlarm...).
_ALARM_CHILD_SUFFIXES = ("alarm", "rule", "permission")
# The logical id of the main CloudFormation resource of a type, after the PascalCase name.
_MAIN_LOGICAL_ID = {
    "function": "Function",
    "bucket": "Bucket",
    "sqs-queue": "Queue",
    "sns-topic": "Topic",
    "dynamo-db-table": "Table",
    "relational-database": "DbInstance",
    "event-bus": "EventBus",
}
# How many of a batch job's retry waits are checked one by one (see _retry_waits).
_MAX_SCANNED_WAITS = 10_000
# The longest Step Functions Wait state (its `Seconds` is an integer from 0 to 99,999,999).
_MAX_WAIT_S = 99_999_999
EVENT_KEYS = ("type", "properties")
# Required properties of events read without a schema (Stacktape's
# `ApplicationLoadBalancerIntegrationProps`, `NetworkLoadBalancerIntegrationProps`).
OPAQUE_TRIGGER_REQUIRED: dict[str, tuple[str, ...]] = {
    "application-load-balancer": ("loadBalancerName", "priority"),
    "network-load-balancer": ("loadBalancerName",),
}
# `ApplicationLoadBalancerIntegrationProps` (a container's adds `containerPort`) and its
# `LbHeaderCondition` and `LbQueryParamCondition` entries; the linter checks the values
# (lint_listener_rules.py).
ALB_EVENT_PROPS = {
    "loadBalancerName": _STR,
    "listenerPort": _NUM,
    "priority": _NUM,
    "paths": _LIST,
    "methods": _LIST,
    "hosts": _LIST,
    "headers": _LIST,
    "queryParams": _LIST,
    "sourceIps": _LIST,
}
# `ApplicationLoadBalancerProps` and its `ApplicationLoadBalancerListener` entries
# (application-load-balancers.d.ts, stacktape/stacktape 5bb1eb5b); a listener's port is one
# ELB's CreateListener takes.
ALB_PROPS = {
    "interface": P("str", enum=("internet", "internal")),
    "customDomains": _LIST,
    "listeners": _LIST,
    "cdn": _DICT,
    "alarms": _LIST,
    "disabledGlobalAlarms": _LIST,
    "useFirewall": _STR,
}
ALB_LISTENER_PROPS = {
    "protocol": P("str", enum=("HTTP", "HTTPS")),
    "port": _PORT,
    "customCertificateArns": _LIST,
    "whitelistIps": _LIST,
    "defaultAction": _DICT,
}
# NetworkLoadBalancerProps and NetworkLoadBalancerListener (network-load-balancer.d.ts; the
# same in packages/config/src/network-load-balancer.ts): `listeners`, and each listener's
# `protocol` and `port`, are required.
NLB_PROPS = {
    "interface": P("str", enum=("internet", "internal")),
    "customDomains": _LIST,
    "listeners": _LIST,
}
NLB_LISTENER_PROPS = {
    "protocol": P("str", enum=("TCP", "TLS")),
    "port": _PORT,
    "customCertificateArns": _LIST,
    "whitelistIps": _LIST,
}
ALB_CONDITION_ENTRIES: dict[str, tuple[str, dict[str, P]]] = {
    "headers": ("headerName", {"headerName": _STR, "values": _LIST}),
    "queryParams": ("paramName", {"paramName": _STR, "values": _LIST}),
}
TRIGGER_PROPS: dict[str, dict[str, P]] = {
    "schedule": {"scheduleRate": _STR, **PAYLOAD_PROPS},
    "sqs": {
        "sqsQueueName": _STR,
        "sqsQueueArn": _STR,
        "batchSize": P("int", lo=1, hi=10_000),
        "maxBatchWindowSeconds": P("num", lo=0, hi=300),
    },
    "s3": {"bucketArn": _STR, "s3EventType": _STR, "filterRule": _DICT},
    "event-bus": {
        "eventBusName": _STR,
        "eventBusArn": _STR,
        "useDefaultBus": _BOOL,
        "eventPattern": _DICT,
        "onDeliveryFailure": _DICT,
        **PAYLOAD_PROPS,
    },
    "sns": {
        "snsTopicName": _STR,
        "snsTopicArn": _STR,
        "filterPolicy": _DICT,
        "onDeliveryFailure": _DICT,
    },
    "http-api-gateway": {
        "httpApiGatewayName": _STR,
        "method": P("str", enum=("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*")),
        "path": _STR,
        "authorizer": _DICT,
        "payloadFormat": P("str", enum=("1.0", "2.0")),
    },
}
TRIGGER_ALIASES: dict[str, dict[str, str]] = {
    "sqs": {
        "maxBatchingWindowSeconds": "maxBatchWindowSeconds",
        "maxBatchingWindow": "maxBatchWindowSeconds",
        "maximumBatchingWindowInSeconds": "maxBatchWindowSeconds",
        "queueName": "sqsQueueName",
    },
    "s3": {"bucketName": "bucketArn", "s3Events": "s3EventType", "filterRules": "filterRule"},
    "event-bus": {},
    "sns": {},
    "schedule": {"rate": "scheduleRate", "schedule": "scheduleRate"},
    "http-api-gateway": {},
}
S3_EVENT_TYPES = tuple(
    "s3:" + t
    for t in [
        "ObjectCreated:*",
        "ObjectCreated:Put",
        "ObjectCreated:Post",
        "ObjectCreated:Copy",
        "ObjectCreated:CompleteMultipartUpload",
        "ObjectRemoved:*",
        "ObjectRemoved:Delete",
        "ObjectRemoved:DeleteMarkerCreated",
        "ObjectRestore:*",
        "ObjectRestore:Post",
        "ObjectRestore:Completed",
        "Replication:*",
        "Replication:OperationFailedReplication",
        "Replication:OperationNotTracked",
        "Replication:OperationMissedThreshold",
        "Replication:OperationReplicatedAfterThreshold",
        "ReducedRedundancyLostObject",
    ]
)

_KIND_WORDS = {
    "int": "an integer",
    "num": "a number",
    "str": "a string",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping",
    "scalar": "a string, number or boolean",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, Placeholder):  # its repr is Python's, not what the user wrote
        return f"${value.directive}'s value {str(value)[:40]!r} (a string, known at deploy time)"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {short!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _kind_ok(kind: str, value: Any) -> bool:
    if kind == "any":
        return True
    if kind == "int":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "num":
        # An int is finite however long (and too long for math.isfinite, which converts it).
        if isinstance(value, int):
            return not isinstance(value, bool)
        return isinstance(value, float) and math.isfinite(value)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, dict)
    if kind == "scalar":
        return isinstance(value, (str, int, float, bool))
    raise AssertionError(kind)


class StackBuilder:
    """Builds a Stack from a loaded (directive-resolved) document, collecting diagnostics."""

    def __init__(self, loaded: LoadedYaml, ctx: DirectiveContext) -> None:
        self.loaded = loaded
        # Literal ARNs are matched against the resources' fake ARNs, which name a bus with an
        # `eventSourceName` after it (§2.5).
        self.ctx = replace(ctx, bus_names={**ctx.bus_names, **_event_source_names(loaded.data)})
        self.stack = Stack(
            file=loaded.file,
            source=loaded,
            service_name=ctx.project,
            stage=ctx.stage,
            region=ctx.region,
            account_id=ctx.account_id,
        )
        self.diags = self.stack.diagnostics
        self._arn_index: dict[str, str] = {}

    # -- diagnostics -------------------------------------------------------------------

    def diag(
        self,
        path: DataPath,
        severity: Severity,
        code: str,
        message: str,
        *,
        key: bool = False,
        resource: str | None = None,
        hint: str | None = None,
    ) -> None:
        """Record a diagnostic at a data path."""
        self.diags.append(
            Diagnostic.at(
                self.loaded.pos(path, key=key),
                severity,
                code,
                message,
                resource=resource,
                hint=hint,
            )
        )

    # -- generic property reading ------------------------------------------------------

    def check_value(
        self, spec: P, value: Any, path: DataPath, label: str, resource: str | None
    ) -> bool:
        """True when `value` fits `spec`; otherwise report why."""
        kinds = spec.kind.split("|")
        if not any(_kind_ok(k, value) for k in kinds):
            want = " or ".join(_KIND_WORDS.get(k, k) for k in kinds)
            self.diag(
                path,
                "error",
                "wrong-type",
                f"`{label}` must be {want}, not {_describe(value)}",
                resource=resource,
            )
            return False
        if spec.enum is not None and value not in spec.enum:
            guess = did_you_mean(str(value), spec.enum) if isinstance(value, str) else None
            allowed = (
                ", ".join(map(str, spec.enum))
                if len(spec.enum) <= 12
                else ", ".join(map(str, spec.enum[:12])) + ", ..."
            )
            self.diag(
                path,
                "error",
                "invalid-value",
                f"`{label}` is {value!r}; allowed: {allowed}",
                resource=resource,
                hint=f"did you mean {guess!r}?" if guess else None,
            )
            return False
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            too_low = spec.lo is not None and value < spec.lo
            if too_low or (spec.hi is not None and value > spec.hi):
                lo = "" if spec.lo is None else _num_text(spec.lo)
                hi = "" if spec.hi is None else _num_text(spec.hi)
                rng = f"{lo}-{hi}" if lo and hi else (f"at least {lo}" if lo else f"at most {hi}")
                self.diag(
                    path,
                    "error",
                    "out-of-range",
                    f"`{label}` is {_num_text(value)}; allowed: {rng}",
                    resource=resource,
                )
                return False
        return True

    def read_props(
        self,
        raw: dict[str, Any],
        path: DataPath,
        spec: dict[str, P],
        resource: str | None,
        *,
        aliases: dict[str, str] | None = None,
        where: str = "",
    ) -> dict[str, Any]:
        """Check each property of `raw`; return canonical name -> value for the good ones."""
        out: dict[str, Any] = {}
        aliases = aliases or {}
        for key, value in raw.items():
            kpath = (*path, key)
            name = key
            if key not in spec and key in aliases:
                name = aliases[key]
                if name in raw:
                    self.diag(
                        kpath,
                        "error",
                        "conflicting-spelling",
                        f"both `{key}` and `{name}` are set{where}; keep `{name}`",
                        key=True,
                        resource=resource,
                    )
                    continue
                self.diag(
                    kpath,
                    "warning",
                    "alternate-spelling",
                    f"`{key}` is not Stacktape's spelling{where}; the real property is `{name}`",
                    key=True,
                    resource=resource,
                    hint=f"rename `{key}` to `{name}` (Stacktape's deployer rejects `{key}`)",
                )
            if name not in spec:
                # Every table passed here holds all the names the schema allows at that place
                # (module docstring), so the deployer rejects this key.
                guess = did_you_mean(key, spec)
                self.diag(
                    kpath,
                    "error",
                    "unknown-property",
                    f"unknown property `{key}`{where}",
                    key=True,
                    resource=resource,
                    hint=f"did you mean `{guess}`?"
                    if guess
                    else f"known: {', '.join(sorted(spec))}",
                )
                continue
            if name in aliases.values() and key != name:
                # Alternate spellings may carry an alternate shape; their readers convert them.
                out[name] = value
                continue
            if self.check_value(spec[name], value, kpath, name, resource):
                out[name] = value
        return out

    def num(self, props: dict[str, Any], key: str, default: Any, defaults: set[str]) -> Any:
        """A numeric property as int where whole, recording when the default applied."""
        if key not in props:
            defaults.add(key)
            return default
        value = props[key]
        return int(value) if isinstance(value, float) and value.is_integer() else value

    # -- references --------------------------------------------------------------------

    def ref_by_name(self, value: Any, path: DataPath) -> Ref | None:
        """A reference written as a resource name (or, tolerantly, as an ARN)."""
        if not isinstance(value, str):
            return None
        if isinstance(value, ResourceParamValue) or value.startswith("arn:"):
            return self.ref_by_arn(value, path)
        return Ref(raw=value, path=path, target=value, by="name")

    def ref_by_arn(self, value: Any, path: DataPath) -> Ref | None:
        """A reference written as an ARN: `$ResourceParam(...)` or a literal ARN."""
        if not isinstance(value, str):
            return None
        if isinstance(value, ResourceParamValue):
            return Ref(raw=str(value), path=path, target=value.resource, by="arn")
        if not self._arn_index:
            for rname, res in self.stack.resources.items():
                self._arn_index[fake_resource_param(self.ctx, rname, "arn", res.type)] = rname
        return Ref(raw=value, path=path, target=self._arn_index.get(value), by="arn")

    def exactly_one(
        self,
        props: dict[str, Any],
        keys: tuple[str, ...],
        path: DataPath,
        resource: str,
        what: str,
        *,
        required: bool = True,
    ) -> str | None:
        """The one key of `keys` that is set; report none or several."""
        present = [k for k in keys if k in props and props[k] not in (None, False)]
        if len(present) > 1:
            self.diag(
                (*path, present[1]),
                "error",
                "exactly-one-of",
                f"{what}: set exactly one of {', '.join(f'`{k}`' for k in keys)}, not "
                f"{' and '.join(f'`{k}`' for k in present)}",
                key=True,
                resource=resource,
            )
            return present[0]
        if not present:
            if required:
                self.diag(
                    path,
                    "error",
                    "exactly-one-of",
                    f"{what}: set one of {', '.join(f'`{k}`' for k in keys)}",
                    resource=resource,
                )
            return None
        return present[0]

    def name_or_arn(
        self,
        props: dict[str, Any],
        raw: dict[str, Any],
        keys: tuple[str, str],
        path: DataPath,
        owner: str,
        what: str,
    ) -> Ref | None:
        """The reference set by exactly one of a (name key, ARN key) pair, as Stacktape's
        `sqsQueueName | sqsQueueArn`-style properties are; reports none or both."""
        which = self.exactly_one(props, keys, path, owner, what)
        if which is None:
            return None
        kpath = (*path, _written(raw, which, which))
        if which == keys[0]:
            ref = self.ref_by_name(props[which], kpath)
            if ref is None:  # an alternate spelling is not type-checked earlier
                self.check_value(_STR, props[which], kpath, kpath[-1], owner)
            return ref
        return self.ref_by_arn(props[which], kpath)

    def require(
        self,
        props: dict[str, Any],
        raw: dict[str, Any],
        key: str,
        path: DataPath,
        resource: str,
        what: str,
    ) -> bool:
        """Report a missing required property (unless it was there but wrong: reported already)."""
        if key in props:
            return True
        if key not in raw:
            self.diag(path, "error", "missing-property", f"{what} needs `{key}`", resource=resource)
        return False

    def require_all(
        self,
        props: dict[str, Any],
        raw: dict[str, Any],
        spec: dict[str, P],
        required: tuple[str, ...],
        path: DataPath,
        resource: str,
        what: str,
    ) -> None:
        """`require` each of `required`, but for one whose misspelling is in `raw`: that was
        reported as an unknown property already, with the real name as its hint."""
        unknown = [str(k) for k in raw if k not in spec]
        for key in required:
            if not any(did_you_mean(k, (key,)) for k in unknown):
                self.require(props, raw, key, path, resource, what)

    # -- the stack ---------------------------------------------------------------------

    def build(self) -> Stack:
        """Read the whole document."""
        data = self.loaded.data
        if data is None:
            self.diag(
                (),
                "error",
                "empty-config",
                "the file is empty; a Stacktape config needs `resources`",
            )
            return self.stack
        if not isinstance(data, dict):
            self.diag(
                (), "error", "wrong-type", f"the config must be a mapping, not {_describe(data)}"
            )
            return self.stack
        top = self.read_props(data, (), TOP_LEVEL, None, where=" at the top level")
        if isinstance(top.get("serviceName"), str) and top["serviceName"]:
            if not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]*", top["serviceName"]):
                self.diag(
                    ("serviceName",),
                    "error",
                    "invalid-name",
                    f"serviceName {top['serviceName']!r} must start with a letter and hold only "
                    "letters, digits and '-'",
                )
            else:
                self.stack.service_name = top["serviceName"]
        cfn = top.get("cloudformationResources")
        if isinstance(cfn, dict):
            for logical_id, body in cfn.items():
                cfn_type = body.get("Type") if isinstance(body, dict) else None
                self.stack.cloudformation_resources[logical_id] = (
                    cfn_type if isinstance(cfn_type, str) else ""
                )
        if "resources" not in data:
            # A behaviours file (stptui.yml) given where the stack goes is the usual cause
            # when its one key, `behaviors`, is there: name the option it belongs to.
            hint = (
                "this is a behaviours file (its key is `behaviors`): give the stack's "
                "stacktape.yml, and this file with --behaviors"
                if "behaviors" in data
                else None
            )
            self.diag((), "error", "missing-property", "the config has no `resources`", hint=hint)
            return self.stack
        resources = top.get("resources")
        if not isinstance(resources, dict):
            return self.stack
        # Types first, so that ARNs and references can be resolved whatever the order.
        for name, body in resources.items():
            rtype = body.get("type") if isinstance(body, dict) else None
            self.stack.resources[name] = Resource(
                name=name, type=rtype if isinstance(rtype, str) else "?", path=("resources", name)
            )
        self._check_names(resources)
        self._check_overrides(resources)
        for name, body in resources.items():
            res = self._resource(name, body)
            if res is None:
                del self.stack.resources[name]
            else:
                self.stack.resources[name] = res
        self._arn_index.clear()
        self._bind_http_routes()
        return self.stack

    def _check_overrides(self, resources: dict[str, Any]) -> None:
        """Each resource's `overrides`: logical id -> {property path: value}, applied to the
        `Properties` of a CloudFormation resource the resource creates (Stacktape's
        resolveOverrides refuses other logical ids, e101)."""
        # Every logical id Stacktape gives starts with a resource name in PascalCase (its own,
        # or another's where two resources meet, e.g. `<function><gateway>Permission`) or
        # with `Stp`; only an alarm's is named after the alarm, which a console's global alarm
        # names freely. Compared as lowercase letters and digits: PascalCase may add `_`.
        prefixes = ("stp", *(_alnum_lower(n) for n in resources if isinstance(n, str)))
        for name, body in resources.items():
            overrides = body.get("overrides") if isinstance(body, dict) else None
            if (
                overrides is None
                or not isinstance(name, str)
                or not isinstance(body.get("type"), str)
            ):
                continue  # without a type, what the resource creates is not known
            path: DataPath = ("resources", name, "overrides")
            if not isinstance(overrides, dict):
                self.diag(
                    path,
                    "error",
                    "wrong-type",
                    f"`overrides` must be a mapping of CloudFormation logical ids, not "
                    f"{_describe(overrides)}",
                    resource=name,
                    hint=f"for example overrides: {{{pascal_case(name)}Function: {{Timeout: 15}}}}",
                )
                continue
            if body.get("type") in NO_OVERRIDES_TYPES:
                self.diag(
                    path,
                    "error",
                    "unknown-property",
                    f"a {body['type']} takes no `overrides`",
                    key=True,
                    resource=name,
                    hint="remove `overrides`; Stacktape lets no property of this type be "
                    "overridden",
                )
                continue
            cdk = body.get("type") == "aws-cdk-construct"
            for logical_id, entry in overrides.items():
                self._override_entry(name, (*path, logical_id), entry)
                low = _alnum_lower(str(logical_id))
                if cdk or low.startswith(prefixes) or low.endswith(_ALARM_CHILD_SUFFIXES):
                    continue
                main = _MAIN_LOGICAL_ID.get(body.get("type"))
                self.diag(
                    (*path, logical_id),
                    "error",
                    "override-target",
                    f"overrides name the CloudFormation resource {str(logical_id)!r}, which "
                    f"{name!r} does not create: Stacktape names the CloudFormation resources of "
                    f"{name!r} {pascal_case(name)}... (e101)",
                    key=True,
                    resource=name,
                    hint=(f"did you mean {pascal_case(name)}{main}? " if main else "")
                    + "`stacktape compile-template` lists the logical ids of a stack",
                )

    def _override_entry(self, name: str, path: DataPath, entry: Any) -> None:
        """One logical id's overrides: property paths (dots go down) set on its `Properties`,
        so a resource attribute such as `DependsOn` or `Properties.X` lands inside them."""
        if not isinstance(entry, dict):
            self.diag(
                path,
                "error",
                "wrong-type",
                f"the overrides of {path[-1]!r} must be a mapping of property paths to values "
                f"(e.g. Timeout: 15), not {_describe(entry)}",
                resource=name,
            )
            return
        for key in entry:
            head, _, rest = str(key).partition(".")
            if head not in _RESOURCE_ATTRIBUTES:
                continue
            inside = rest if head == "Properties" and rest else None
            self.diag(
                (*path, key),
                "error",
                "override-path",
                f"override {str(key)!r} is set inside the resource's `Properties` (Stacktape "
                f"applies overrides there), so CloudFormation finds an unknown property {head!r}",
                key=True,
                resource=name,
                hint=f"write the path from inside `Properties`: {inside}"
                if inside
                else "overrides set properties only; remove this entry",
            )

    def _check_names(self, resources: dict[str, Any]) -> None:
        seen: dict[str, str] = {}
        for name in resources:
            path = ("resources", name)
            if not NAME_RE.match(name):
                suggestion = _alphanumeric_name(name)
                self.diag(
                    path,
                    "error",
                    "invalid-name",
                    f"resource name {name!r} must be alphanumeric (letters and digits only)",
                    key=True,
                    resource=name,
                    hint=f"rename it to {suggestion!r}" if suggestion else None,
                )
            low = name.lower()
            if low in seen:
                self.diag(
                    path,
                    "error",
                    "duplicate-name",
                    f"resource names {seen[low]!r} and {name!r} differ only in case; "
                    "they collide in the deployed stack",
                    key=True,
                    resource=name,
                )
            seen[low] = name

    def _resource(self, name: str, body: Any) -> Resource | None:
        path: DataPath = ("resources", name)
        if not isinstance(body, dict):
            self.diag(
                path,
                "error",
                "wrong-type",
                f"resource {name!r} must be a mapping with `type`",
                resource=name,
            )
            return None
        for key in body:
            if key not in RESOURCE_KEYS:
                guess = did_you_mean(key, RESOURCE_KEYS)
                self.diag(
                    (*path, key),
                    "error",
                    "unknown-property",
                    f"unknown key `{key}` on resource {name!r} (only `type`, `properties` and "
                    "`overrides`)",
                    key=True,
                    resource=name,
                    hint=f"did you mean `{guess}`?" if guess else "move it under `properties`",
                )
        rtype = body.get("type")
        if not isinstance(rtype, str):
            if "type" not in body:
                self.diag(
                    path,
                    "error",
                    "missing-property",
                    f"resource {name!r} has no `type`",
                    resource=name,
                )
            else:
                self.diag(
                    (*path, "type"), "error", "wrong-type", "`type` must be a string", resource=name
                )
            return Resource(name=name, type="unknown", path=path)
        props = body.get("properties")
        ppath = (*path, "properties")
        if props is None:
            props = {}
        elif not isinstance(props, dict):
            self.diag(
                ppath,
                "error",
                "wrong-type",
                f"`properties` must be a mapping, not {_describe(props)}",
                resource=name,
            )
            props = {}
        if rtype not in RESOURCE_TYPES:
            if rtype in LEGACY_RESOURCE_TYPES:
                today = LEGACY_RESOURCE_TYPES[rtype]
                self.diag(
                    (*path, "type"),
                    "warning",
                    "legacy-type",
                    f"resource type {rtype!r} is from an older Stacktape; today it is {today!r}",
                    resource=name,
                )
                if today == "multi-container-workload":
                    # Same shape today: its containers' routes are read like the new type's.
                    return self._container_workload(name, props, ppath)
            else:
                guess = did_you_mean(rtype, RESOURCE_TYPES)
                self.diag(
                    (*path, "type"),
                    "error",
                    "unknown-type",
                    f"unknown resource type {rtype!r}",
                    resource=name,
                    hint=f"did you mean {guess!r}?" if guess else None,
                )
            return Resource(name=name, type=rtype, path=path, properties=props)
        self.stack.resources[name].type = rtype
        # Containers are not simulated: their properties are checked against the schema and
        # kept as written; connectTo, environments and the containers' ingress events are read.
        if rtype == "multi-container-workload":
            return self._container_workload(name, props, ppath)
        if rtype in CONTAINER_SERVICE_TYPES:
            return self._container_service(name, props, ppath)
        if rtype in TABLE_ONLY_TYPES:
            return self._by_table(name, rtype, props, ppath)
        builder = self._BUILDERS.get(rtype)
        if builder is None:
            return Resource(name=name, type=rtype, path=path, properties=props)
        return builder(self, name, props, ppath)

    # -- kinds -------------------------------------------------------------------------

    def _function(self, name: str, raw: dict[str, Any], path: DataPath) -> Function:
        raw = dict(raw)
        if "accessControl" in raw:
            self._legacy_access_control(raw, path, name)
        props = self.read_props(raw, path, FUNCTION_PROPS, name)
        fn = Function(name=name, type="function", path=(path[0], path[1]), properties=raw)
        self.require(props, raw, "packaging", path, name, f"function {name!r}")
        fn.timeout_s = self.num(props, "timeout", fn.timeout_s, fn.defaults)
        fn.memory_mb = self.num(props, "memory", fn.memory_mb, fn.defaults)
        fn.runtime = props.get("runtime")
        if fn.runtime is None:
            fn.defaults.add("runtime")
        pack = props.get("packaging")
        if isinstance(pack, dict):
            self._packaging(pack, (*path, "packaging"), name, "function")
            fn.packaging_type = pack.get("type") if isinstance(pack.get("type"), str) else None
            pp = pack.get("properties")
            if isinstance(pp, dict):
                entry = pp.get("entryfilePath") or pp.get("handler") or pp.get("packagePath")
                fn.entry = entry if isinstance(entry, str) else None
        fn.reserved_concurrency = props.get("reservedConcurrency")
        url = self.nested(props, "url", path, name)
        fn.url_enabled = bool(url.get("enabled"))
        cors = self.nested(url, "cors", (*path, "url"), name)
        self.items(cors, "allowedMethods", (*path, "url", "cors"), name, _METHOD_ITEMS)
        fn.logging_disabled = bool(self.nested(props, "logging", path, name).get("disabled"))
        self.nested(props, "deployment", path, name)
        self._cdn(props, path, name)
        self._alarms(props, path, name, ALARM_TRIGGERS["function"])
        self.statements(props, "iamRoleStatements", path, name)
        dest = props.get("destinations")
        if isinstance(dest, dict):
            dpath = (*path, "destinations")
            dp = self.read_props(
                dest,
                dpath,
                {"onSuccess": _STR, "onFailure": _STR},
                name,
                where=" in `destinations`",
            )
            fn.on_success = self.ref_by_arn(dp.get("onSuccess"), (*dpath, "onSuccess"))
            fn.on_failure = self.ref_by_arn(dp.get("onFailure"), (*dpath, "onFailure"))
        self._workload_common(fn, props, path)
        return fn

    def _batch_job(self, name: str, raw: dict[str, Any], path: DataPath) -> BatchJob:
        raw = dict(raw)
        container = raw.get("container")
        # Where a top-level `packaging` read as the container's is written.
        pack_path: DataPath | None = None
        for moved in ("packaging", "environment"):
            if moved in raw:
                self.diag(
                    (*path, moved),
                    "warning",
                    "alternate-spelling",
                    f"a batch job's `{moved}` belongs under `container`",
                    key=True,
                    resource=name,
                    hint=(
                        f"write `container: {{{moved}: ...}}` (Stacktape's deployer rejects a "
                        f"top-level `{moved}`)"
                    ),
                )
                if container is None:
                    container = {}
                if isinstance(container, dict) and moved not in container:
                    container = {**container, moved: raw[moved]}
                    if moved == "packaging":
                        pack_path = (*path, moved)
                del raw[moved]
        if container is not None:
            raw["container"] = container
        if "accessControl" in raw:
            self._legacy_access_control(raw, path, name)
        props = self.read_props(raw, path, BATCH_PROPS, name)
        job = BatchJob(name=name, type="batch-job", path=(path[0], path[1]), properties=raw)
        self.require(props, raw, "container", path, name, f"batch job {name!r}")
        self.require(props, raw, "resources", path, name, f"batch job {name!r}")
        cont = props.get("container")
        env_raw: Any = None
        if isinstance(cont, dict):
            cpath = (*path, "container")
            cprops = self.read_props(
                cont,
                cpath,
                {"packaging": _DICT, "environment": P("list|dict")},
                name,
                where=" in `container`",
            )
            self.require(cprops, cont, "packaging", cpath, name, f"batch job {name!r} `container`")
            pack = cprops.get("packaging")
            if isinstance(pack, dict):
                self._packaging(pack, pack_path or (*cpath, "packaging"), name, "batch-job")
                if isinstance(pack.get("type"), str):
                    job.packaging_type = pack["type"]
            env_raw = cprops.get("environment")
            if env_raw is not None:
                job.environment = self._environment(env_raw, (*cpath, "environment"), name)
        res = props.get("resources")
        if isinstance(res, dict):
            rpath = (*path, "resources")
            rprops = self.read_props(
                res,
                rpath,
                {"cpu": P("num", lo=0.25), "memory": P("int", lo=1), "gpu": P("int", lo=0)},
                name,
                where=" in `resources`",
            )
            self.require(rprops, res, "cpu", rpath, name, f"batch job {name!r} `resources`")
            self.require(rprops, res, "memory", rpath, name, f"batch job {name!r} `resources`")
            job.cpu = rprops.get("cpu", job.cpu)
            job.memory_mb = rprops.get("memory", job.memory_mb)
            job.gpu = rprops.get("gpu")
        job.timeout_s = props.get("timeout")
        if job.timeout_s is None:
            job.defaults.add("timeout")
        job.use_spot = bool(props.get("useSpotInstances", False))
        retry = props.get("retryConfig")
        if isinstance(retry, dict):
            rp = self.read_props(
                retry,
                (*path, "retryConfig"),
                {
                    # The total, run by Stacktape's state machine: no maximum (the 1-10 limit is
                    # AWS Batch's own retryStrategy, which Stacktape does not use; §2.3).
                    "attempts": P("int", lo=1),
                    "retryIntervalSeconds": P("num", lo=0),
                    "retryIntervalMultiplier": P("num", lo=0),
                },
                name,
                where=" in `retryConfig`",
            )
            job.attempts = self.num(rp, "attempts", job.attempts, job.defaults)
            job.retry_interval_s = self.num(
                rp, "retryIntervalSeconds", job.retry_interval_s, job.defaults
            )
            job.retry_multiplier = self.num(
                rp, "retryIntervalMultiplier", job.retry_multiplier, job.defaults
            )
            self._retry_waits(rp, (*path, "retryConfig"), name)
        else:
            job.defaults.update({"attempts", "retryIntervalSeconds", "retryIntervalMultiplier"})
        job.logging_disabled = bool(self.nested(props, "logging", path, name).get("disabled"))
        self.statements(props, "iamRoleStatements", path, name)
        self._workload_common(job, props, path)
        return job

    def nested(
        self, props: dict[str, Any], key: str, path: DataPath, owner: str, shape: str = ""
    ) -> dict[str, Any]:
        """The checked properties of the mapping `props[key]` (at `path`), read against
        NESTED or SERVICE_NESTED[shape or key], with its required ones reported; {} when it is
        absent."""
        value = props.get(key)
        if not isinstance(value, dict):
            return {}
        spec, required = _ALL_NESTED[shape or key]
        kpath = (*path, key)
        out = self.read_props(value, kpath, spec, owner, where=f" in `{key}`")
        self.require_all(out, value, spec, required, kpath, owner, f"`{key}`")
        if "logForwarding" in out:  # every logging table holds it
            fpath = (*kpath, "logForwarding")
            self.typed_object(out["logForwarding"], fpath, owner, "logForwarding", LOG_FORWARDING)
        return out

    def items(self, props: dict[str, Any], key: str, path: DataPath, owner: str, spec: P) -> None:
        """Check each item of the list `props[key]` against `spec`."""
        values = props.get(key)
        if isinstance(values, list):
            for i, value in enumerate(values):
                self.check_value(spec, value, (*path, key, i), f"{key}[{i}]", owner)

    def _lifecycle_rules(
        self, rules: Any, path: DataPath, owner: str, versioning: bool
    ) -> list[LifecycleRule]:
        """A bucket's `lifecycleRules`: each a {type, properties} of one of LIFECYCLE_RULES.

        Returns the rules the simulator applies: those of a good shape that S3 would accept
        (`_lifecycle_refusals` reports the others)."""
        out: list[LifecycleRule] = []
        if not isinstance(rules, list):
            return out
        for i, rule in enumerate(rules):
            rpath = (*path, i)
            if not self.check_value(_DICT, rule, rpath, f"lifecycleRules[{i}]", owner):
                continue
            where = " in a lifecycle rule"
            top = self.read_props(
                rule, rpath, {"type": _ANY, "properties": _DICT}, owner, where=where
            )
            rtype = top.get("type")
            if not self.require(top, rule, "type", rpath, owner, "a lifecycle rule"):
                continue
            spec = P("str", enum=tuple(LIFECYCLE_RULES))
            if not self.check_value(spec, rtype, (*rpath, "type"), "type", owner):
                continue
            if not self.require(top, rule, "properties", rpath, owner, f"`{rtype}` rule"):
                continue
            shape, required = LIFECYCLE_RULES[rtype]
            ppath = (*rpath, "properties")
            where = f" in a `{rtype}` rule"
            raw = top["properties"]
            got = self.read_props(raw, ppath, shape, owner, where=where)
            self.require_all(got, raw, shape, required, ppath, owner, f"`{rtype}` rule")
            tags = self._lifecycle_tags(got.get("tags"), (*ppath, "tags"), owner)
            if any(name not in got for name in required) or tags is None:
                continue
            values = [got[required[0]], got.get("prefix", ""), got.get("storageClass", "")]
            if any(isinstance(v, Placeholder) for v in values):
                continue  # known at deploy time only: nothing to simulate
            days = got[required[0]]
            if self._lifecycle_refusals(rtype, got, ppath, owner, versioning, tags):
                continue
            out.append(
                LifecycleRule(
                    index=i,
                    type=rtype,
                    days=int(days),
                    storage_class=got.get("storageClass"),
                    prefix=got.get("prefix") or "",
                    tags=tuple(tags),
                )
            )
        return out

    def _lifecycle_tags(
        self, tags: Any, path: DataPath, owner: str
    ) -> list[tuple[str, str]] | None:
        """A lifecycle rule's `tags` ({key, value} pairs, Stacktape's KeyValuePair) as pairs;
        None when one is malformed (reported)."""
        if tags is None:
            return []
        pairs: list[tuple[str, str]] = []
        good = True
        for j, tag in enumerate(tags):
            tpath = (*path, j)
            if not self.check_value(_DICT, tag, tpath, f"tags[{j}]", owner):
                good = False
                continue
            spec = {"key": _STR, "value": _STR}
            got = self.read_props(tag, tpath, spec, owner, where=" in a rule's tag")
            self.require_all(got, tag, spec, ("key", "value"), tpath, owner, "a rule's tag")
            if isinstance(got.get("key"), str) and isinstance(got.get("value"), str):
                pairs.append((got["key"], got["value"]))
            else:
                good = False
        keys = [k for k, _ in pairs]
        for j, key in enumerate(keys):
            if key in keys[:j]:
                # "When you specify multiple tags in a filter, each tag key must be unique."
                self.diag(
                    (*path, j, "key"),
                    "error",
                    "lifecycle-rule-refused",
                    f"tag key {key!r} appears twice in one lifecycle rule; S3 refuses a "
                    "filter whose tag keys are not unique",
                    resource=owner,
                    hint="keep one value per tag key",
                )
                good = False
        return pairs if good else None

    def _lifecycle_refusals(
        self,
        rtype: str,
        props: dict[str, Any],
        path: DataPath,
        owner: str,
        versioning: bool,
        tags: list[tuple[str, str]],
    ) -> bool:
        """Report what S3 (or CloudFormation's Integer properties) refuses in a well-shaped
        rule, and what it accepts but never applies; True when the rule is refused.

        Sources: the S3 API reference's Expiration, NoncurrentVersionExpiration and
        Transition; the S3 User Guide's "Lifecycle configuration elements" and
        "Transitioning objects using Amazon S3 Lifecycle" (stptui.sim.s3_lifecycle)."""
        from stptui.sim.s3_lifecycle import IA_CLASSES, IA_MIN_DAYS

        days_name = LIFECYCLE_RULES[rtype][1][0]
        days = props[days_name]
        dpath = (*path, days_name)
        refused = False
        if days != int(days):
            self.diag(
                dpath,
                "error",
                "lifecycle-rule-refused",
                f"`{days_name}: {days}` is not a whole number of days; Stacktape passes it to "
                "CloudFormation, whose lifecycle days are an Integer",
                resource=owner,
                hint=f"e.g. `{days_name}: {max(1, math.ceil(days))}`",
            )
            return True
        if days == 0 and rtype in ("expiration", "non-current-version-expiration"):
            self.diag(
                dpath,
                "error",
                "lifecycle-rule-refused",
                f"`{days_name}: 0`: S3 takes expiration days as a non-zero positive integer",
                resource=owner,
                hint=f"`{days_name}: 1` expires at the second midnight UTC after the upload",
            )
            refused = True
        target = props.get("storageClass")
        if target in IA_CLASSES and days < IA_MIN_DAYS:
            when = "upload" if rtype == "class-transition" else "becoming noncurrent"
            self.diag(
                dpath,
                "error",
                "lifecycle-rule-refused",
                f"`{days_name}: {days}` to {target}: S3 transitions objects to STANDARD_IA or "
                f"ONEZONE_IA only {IA_MIN_DAYS} days or more after {when}",
                resource=owner,
                hint=f"`{days_name}: {IA_MIN_DAYS}` or more, or GLACIER, DEEP_ARCHIVE or "
                "INTELLIGENT_TIERING, which take any number of days",
            )
            refused = True
        if rtype == "abort-incomplete-multipart-upload" and tags:
            self.diag(
                (*path, "tags"),
                "error",
                "lifecycle-rule-refused",
                "an `abort-incomplete-multipart-upload` rule cannot filter on tags: S3 refuses "
                "AbortIncompleteMultipartUpload in a rule with a tag filter",
                key=True,
                resource=owner,
                hint="remove `tags` (a multipart upload has no tags until it completes); "
                "`prefix` is allowed",
            )
            refused = True
        if rtype.startswith("non-current-version") and not versioning:
            self.diag(
                path,
                "warning",
                "lifecycle-rule-inert",
                f"a `{rtype}` rule acts on noncurrent versions, which a bucket without "
                "`versioning: true` never has: the rule does nothing",
                resource=owner,
                hint="set `versioning: true` on the bucket, or use an `expiration` rule",
            )
        return refused

    def _packaging(self, pack: Any, path: DataPath, owner: str, holder: str) -> str | None:
        """Check a `packaging` (at `path`) against the types `holder` may use, and that
        type's properties; the type when it is one of them."""
        if not self.check_value(_DICT, pack, path, "packaging", owner):
            return None
        types = PACKAGING[holder]
        allowed = ", ".join(types)
        self.read_props(pack, path, PACKAGING_KEYS, owner, where=" in `packaging`")
        ptype = pack.get("type")
        if "type" not in pack:
            self.diag(
                path,
                "error",
                "missing-property",
                f"`packaging` needs `type`; {_HOLDER_WORDS[holder]}'s is one of: {allowed}",
                resource=owner,
            )
            return None
        tpath = (*path, "type")
        if isinstance(ptype, Placeholder):
            return None  # known at deploy time only
        if not isinstance(ptype, str) or ptype not in types:
            is_str = isinstance(ptype, str)
            others = [_HOLDER_WORDS[h] for h, t in PACKAGING.items() if is_str and ptype in t]
            note = f"{ptype!r} is for {' or '.join(others)}" if others else ""
            if others:
                guess = _BUILDPACK_SWAP.get(ptype)
            else:
                guess = _packaging_guess(ptype, types) if is_str else None
            self.diag(
                tpath,
                "error",
                "invalid-value" if is_str else "wrong-type",
                f"packaging `type` is {repr(ptype) if is_str else _describe(ptype)}; "
                f"{_HOLDER_WORDS[holder]}'s is one of: {allowed}" + (f" ({note})" if note else ""),
                resource=owner,
                hint=f"did you mean {guess!r}?" if guess else None,
            )
            return None
        kind = types[ptype]
        if "properties" not in pack:
            self.diag(
                path,
                "error",
                "missing-property",
                f"`{ptype}` packaging needs `properties` (with "
                f"{' and '.join(f'`{k}`' for k in kind.required)})",
                resource=owner,
            )
            return ptype
        raw = pack["properties"]
        if not isinstance(raw, dict):
            return ptype  # reported by read_props above
        ppath = (*path, "properties")
        props = self.read_props(
            raw, ppath, kind.props, owner, where=f" in `{ptype}` packaging properties"
        )
        self.require_all(
            props, raw, kind.props, kind.required, ppath, owner, f"`{ptype}` packaging"
        )
        if ptype == "stacktape-lambda-buildpack":
            self._language_config(props, ppath, owner)
        return ptype

    def _retry_waits(self, rp: dict[str, Any], path: DataPath, name: str) -> None:
        """Each wait between a batch job's attempts is a Step Functions Wait state whose
        `Seconds` Stacktape computes as `(retryIntervalSeconds || 0) * i *
        (retryIntervalMultiplier || 1)` after attempt i (batch-jobs/utils.ts); Step Functions
        takes only a whole number of seconds up to _MAX_WAIT_S, so the deploy would fail."""
        attempts = int(rp.get("attempts", 1))  # "int" takes a whole float (3.0) too
        interval = _js_number(rp.get("retryIntervalSeconds") or 0)
        multiplier = _js_number(rp.get("retryIntervalMultiplier") or 1)
        # The waits grow with i: past the first few thousand only the last can be too long
        # (and a state machine with that many states is over Step Functions' size limit).
        scanned = range(1, min(attempts, _MAX_SCANNED_WAITS + 1))
        for i in (*scanned, *([attempts - 1] if attempts - 1 > _MAX_SCANNED_WAITS else [])):
            # The same IEEE product, in the same order, as the JavaScript that writes it.
            wait = interval * i * multiplier
            fits = math.isfinite(wait) and wait <= _MAX_WAIT_S
            if fits and wait.is_integer():
                continue
            culprit = "retryIntervalSeconds"
            if not fits:
                problem = f"Step Functions waits at most {_MAX_WAIT_S:,} seconds"
                hint = "lower retryIntervalSeconds, retryIntervalMultiplier or attempts"
            else:
                problem = "Step Functions takes only a whole number of seconds"
                if interval.is_integer():  # a whole interval: the multiplier did it
                    culprit = "retryIntervalMultiplier"
                    fix = math.ceil(multiplier)
                else:
                    fix = math.ceil(interval)
                hint = f"use whole numbers, e.g. {culprit}: {fix}"
            self.diag(
                (*path, culprit),
                "error",
                "batch-retry-wait",
                f"the wait after attempt {i} of batch job {name!r} would be "
                f"{_wait_text(wait)} seconds "
                f"(retryIntervalSeconds x {i} "
                "x retryIntervalMultiplier), the `Seconds` of a Step Functions Wait state in the "
                f"job's state machine; {problem}, so the deploy fails",
                resource=name,
                hint=hint,
            )
            return

    def _legacy_access_control(self, raw: dict[str, Any], path: DataPath, name: str) -> None:
        ac = raw.pop("accessControl")
        allow = ac.get("allowAccessTo") if isinstance(ac, dict) else None
        self.diag(
            (*path, "accessControl"),
            "warning",
            "alternate-spelling",
            "`accessControl.allowAccessTo` is the pre-3.x spelling; today it is `connectTo`",
            key=True,
            resource=name,
            hint="write `connectTo: [...]`",
        )
        if allow is not None and "connectTo" not in raw:
            raw["connectTo"] = allow
            # Positions of the list entries stay those under accessControl.allowAccessTo.
            src = (*path, "accessControl", "allowAccessTo")
            for p, mark in list(self.loaded.value_marks.items()):
                if p[: len(src)] == src:
                    self.loaded.value_marks[(*path, "connectTo", *p[len(src) :])] = mark

    def _workload_common(self, w: Workload, props: dict[str, Any], path: DataPath) -> None:
        if "environment" in props:
            w.environment = self._environment(props["environment"], (*path, "environment"), w.name)
        w.connect_to = self._connect_to(props.get("connectTo"), path, w.name)
        events = props.get("events")
        if isinstance(events, list):
            for i, ev in enumerate(events):
                trig = self._trigger(w.name, ev, (*path, "events", i), i, allowed=None)
                if trig is not None:
                    w.events.append(trig)

    def _connect_to(self, connect: Any, path: DataPath, owner: str) -> list[Ref]:
        """The references of a `connectTo` list (`path` is the owner's properties): resource
        names, and `aws:` macros, of which only `aws:ses` exists. Anything else is None or
        was reported as not a list already."""
        refs: list[Ref] = []
        if not isinstance(connect, list):
            return refs
        for i, entry in enumerate(connect):
            epath = (*path, "connectTo", i)
            if not isinstance(entry, str):
                self.diag(
                    epath,
                    "error",
                    "wrong-type",
                    f"connectTo entries must be resource names, not {_describe(entry)}",
                    resource=owner,
                )
                continue
            if entry.startswith("aws:"):
                if entry != "aws:ses":
                    self.diag(
                        epath,
                        "warning",
                        "unknown-aws-macro",
                        f"{entry!r} is not a Stacktape macro; only 'aws:ses' exists, so this "
                        "entry grants nothing",
                        resource=owner,
                    )
                refs.append(Ref(raw=entry, path=epath, target=None, by="macro"))
                continue
            refs.append(Ref(raw=entry, path=epath, target=entry, by="name"))
        return refs

    def _environment(self, raw: Any, path: DataPath, owner: str) -> list[EnvVar]:
        out: list[EnvVar] = []
        if isinstance(raw, dict):
            self.diag(
                path,
                "warning",
                "alternate-spelling",
                "`environment` written as a map; Stacktape's YAML schema wants a list of "
                "{name, value}",
                key=True,
                resource=owner,
                hint="write `- name: KEY` / `value: ...` entries",
            )
            for key, value in raw.items():
                if self._env_value_ok(value, (*path, key), key, owner):
                    out.append(EnvVar(key, _env_text(value), (*path, key)))
            return out
        if not isinstance(raw, list):
            return out
        for i, item in enumerate(raw):
            ipath = (*path, i)
            if not isinstance(item, dict):
                self.diag(
                    ipath,
                    "error",
                    "wrong-type",
                    f"environment entries must be {{name, value}}, not {_describe(item)}",
                    resource=owner,
                )
                continue
            props = self.read_props(
                item,
                ipath,
                {"name": _STR, "value": P("scalar")},
                owner,
                where=" in an environment entry",
            )
            if "name" not in props:
                if "name" not in item:
                    self.diag(
                        ipath,
                        "error",
                        "missing-property",
                        "environment entry needs `name`",
                        resource=owner,
                    )
                continue
            if "value" not in item:
                self.diag(
                    ipath,
                    "error",
                    "missing-property",
                    f"environment variable {props['name']!r} needs `value`",
                    resource=owner,
                )
                continue
            if "value" in props:
                out.append(EnvVar(props["name"], _env_text(props["value"]), ipath))
        return out

    def _env_value_ok(self, value: Any, path: DataPath, key: str, owner: str) -> bool:
        return self.check_value(P("scalar"), value, path, f"environment.{key}", owner)

    def _queue(self, name: str, raw: dict[str, Any], path: DataPath) -> Queue:
        props = self.read_props(raw, path, QUEUE_PROPS, name, aliases=QUEUE_ALIASES)
        for alias, real in QUEUE_ALIASES.items():  # alternate spellings bypass the type check above
            if (
                alias in raw
                and real in props
                and not self.check_value(
                    QUEUE_PROPS[real], props[real], (*path, alias), alias, name
                )
            ):
                del props[real]
        q = Queue(name=name, type="sqs-queue", path=(path[0], path[1]), properties=raw)
        q.visibility_timeout_s = self.num(
            props, "visibilityTimeoutSeconds", q.visibility_timeout_s, q.defaults
        )
        q.retention_s = self.num(props, "messageRetentionPeriodSeconds", q.retention_s, q.defaults)
        q.delay_s = self.num(props, "delayMessagesSecond", q.delay_s, q.defaults)
        q.max_message_bytes = self.num(
            props, "maxMessageSizeBytes", q.max_message_bytes, q.defaults
        )
        q.long_polling_s = self.num(props, "longPollingSeconds", q.long_polling_s, q.defaults)
        q.fifo = bool(props.get("fifoEnabled", False))
        q.high_throughput = bool(props.get("fifoHighThroughput", False))
        q.content_based_dedup = bool(props.get("contentBasedDeduplication", False))
        for flag, code in (("contentBasedDeduplication", "e81"), ("fifoHighThroughput", "e81")):
            if props.get(flag) and not q.fifo:
                self.diag(
                    (*path, flag),
                    "error",
                    "fifo-only",
                    f"`{flag}` requires `fifoEnabled: true` (Stacktape {code})",
                    key=True,
                    resource=name,
                )
        rp = props.get("redrivePolicy")
        if isinstance(rp, dict):
            rpath = (*path, "redrivePolicy")
            rprops = self.read_props(
                rp,
                rpath,
                {
                    "targetSqsQueueName": _STR,
                    "targetSqsQueueArn": _STR,
                    "maxReceiveCount": P("int", lo=1, hi=1000),
                },
                name,
                aliases=REDRIVE_ALIASES,
                where=" in `redrivePolicy`",
            )
            q.redrive_target = self.name_or_arn(
                rprops,
                rp,
                ("targetSqsQueueName", "targetSqsQueueArn"),
                rpath,
                name,
                "redrivePolicy (Stacktape e112)",
            )
            if self.require(rprops, rp, "maxReceiveCount", rpath, name, "redrivePolicy"):
                q.max_receive_count = int(rprops["maxReceiveCount"])
        self._alarms(props, path, name, ALARM_TRIGGERS["sqs-queue"])
        self.statements(props, "policyStatements", path, name)
        events = props.get("events")
        if isinstance(events, list):
            for i, ev in enumerate(events):
                trig = self._trigger(
                    name,
                    ev,
                    (*path, "events", i),
                    i,
                    allowed=("event-bus",),
                    extra={"messageGroupId": _STR},
                )
                if isinstance(trig, EventBusTrigger):
                    q.events.append(trig)
        return q

    def _bus(self, name: str, raw: dict[str, Any], path: DataPath) -> EventBus:
        raw = dict(raw)
        if "archive" in raw:
            self.diag(
                (*path, "archive"),
                "warning",
                "alternate-spelling",
                "`archive` is not Stacktape's spelling; the real property is `archivation`",
                key=True,
                resource=name,
                hint="write `archivation: {enabled: true, retentionDays: N}`",
            )
            arch = raw.pop("archive")
            if "archivation" not in raw:
                raw["archivation"] = arch if isinstance(arch, dict) else {"enabled": bool(arch)}
        props = self.read_props(raw, path, BUS_PROPS, name)
        bus = EventBus(name=name, type="event-bus", path=(path[0], path[1]), properties=raw)
        arch = props.get("archivation")
        if isinstance(arch, dict):
            apath = (*path, "archivation")
            ap = self.read_props(
                arch,
                apath,
                {"enabled": _BOOL, "retentionDays": P("int", lo=1)},
                name,
                where=" in `archivation`",
            )
            self.require(ap, arch, "enabled", apath, name, "`archivation`")
            bus.archive_enabled = bool(ap.get("enabled", False))
            bus.archive_retention_days = ap.get("retentionDays")
        bus.event_source_name = props.get("eventSourceName")
        return bus

    def _bucket(self, name: str, raw: dict[str, Any], path: DataPath) -> Bucket:
        props = self.read_props(raw, path, BUCKET_PROPS, name)
        b = Bucket(name=name, type="bucket", path=(path[0], path[1]), properties=raw)
        b.event_bus_notifications = bool(props.get("enableEventBusNotifications", False))
        b.versioning = bool(props.get("versioning", False))
        access = self.nested(props, "accessibility", path, name)
        self.statements(access, "accessPolicyStatements", (*path, "accessibility"), name)
        self._cdn(props, path, name, BUCKET_CDN_PROPS)
        cors = self.nested(props, "cors", path, name, "bucket cors")
        rules = cors.get("corsRules")
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            rpath = (*path, "cors", "corsRules", i)
            if self.check_value(_DICT, rule, rpath, f"corsRules[{i}]", name):
                spec = NESTED["corsRules"][0]
                got = self.read_props(rule, rpath, spec, name, where=" in a CORS rule")
                self.items(got, "allowedMethods", rpath, name, _BUCKET_METHOD_ITEMS)
        b.lifecycle_rules = self._lifecycle_rules(
            props.get("lifecycleRules"), (*path, "lifecycleRules"), name, b.versioning
        )
        return b

    def _gateway(self, name: str, raw: dict[str, Any], path: DataPath) -> HttpApiGateway:
        props = self.read_props(raw, path, GATEWAY_PROPS, name)
        g = HttpApiGateway(
            name=name, type="http-api-gateway", path=(path[0], path[1]), properties=raw
        )
        self.nested(props, "logging", path, name, "gateway logging")
        cors = self.nested(props, "cors", path, name)
        self.items(cors, "allowedMethods", (*path, "cors"), name, _METHOD_ITEMS)
        if cors.get("enabled") is True:
            g.cors = cors
            if "allowedHeaders" in cors:
                # Stacktape's getCorsConfiguration sets AllowHeaders from `allowedMethods`
                # (else its default list) and never reads `allowedHeaders`.
                self.diag(
                    (*path, "cors", "allowedHeaders"),
                    "warning",
                    "ignored-property",
                    "`allowedHeaders` has no effect: Stacktape's CORS configuration takes the "
                    "allowed headers from `allowedMethods` when it is set, else its default "
                    "list (Content-Type, X-Amz-Date, Authorization, X-Api-Key, "
                    "X-Amz-Security-Token, X-Amz-User-Agent)",
                    resource=name,
                    hint="rely on the default header list, or add the headers an override "
                    "of the API's CorsConfiguration needs",
                    key=True,
                )
        self.each_item(props, "customDomains", path, name)
        self._cdn(props, path, name)
        self._alarms(props, path, name, ALARM_TRIGGERS["http-api-gateway"])
        if "payloadFormat" in props:
            g.payload_format = props["payloadFormat"]
        else:
            g.defaults.add("payloadFormat")
        return g

    def _topic(self, name: str, raw: dict[str, Any], path: DataPath) -> SnsTopic:
        props = self.read_props(raw, path, TOPIC_PROPS, name)
        t = SnsTopic(name=name, type="sns-topic", path=(path[0], path[1]), properties=raw)
        t.fifo = bool(props.get("fifoEnabled", False))
        t.content_based_dedup = bool(props.get("contentBasedDeduplication", False))
        if t.content_based_dedup and not t.fifo:
            self.diag(
                (*path, "contentBasedDeduplication"),
                "error",
                "fifo-only",
                "`contentBasedDeduplication` requires `fifoEnabled: true` (Stacktape e82)",
                key=True,
                resource=name,
            )
        return t

    def _containerized_common(
        self, c: Containerized, raw: dict[str, Any], path: DataPath
    ) -> dict[str, Any]:
        """The workload-level `connectTo` (or the pre-3.x `accessControl.allowAccessTo`) of a
        containerized workload, read as a function's; returns the properties as read."""
        raw = dict(raw)
        if "accessControl" in raw:
            self._legacy_access_control(raw, path, c.name)
        c.properties = raw
        if "resources" in raw:
            self.check_value(_DICT, raw["resources"], (*path, "resources"), "resources", c.name)
        if "connectTo" in raw and self.check_value(
            _LIST, raw["connectTo"], (*path, "connectTo"), "connectTo", c.name
        ):
            c.connect_to = self._connect_to(raw["connectTo"], path, c.name)
        return raw

    def _container(
        self, cname: str | None, body: dict[str, Any], path: DataPath, owner: str
    ) -> Container:
        """A container's environment (checked as a function's) and packaging; `body` holds
        them: the container itself, or a service's properties."""
        spec = Container(name=cname, path=path)
        env = body.get("environment")
        epath = (*path, "environment")
        if "environment" in body and self.check_value(
            P("list|dict"), env, epath, "environment", owner
        ):
            spec.environment = self._environment(env, epath, owner)
        pack = body.get("packaging")
        if "packaging" in body:
            self._packaging(pack, (*path, "packaging"), owner, "container")
        else:
            # A service's one container is its properties; a workload's are in `containers`.
            res = self.stack.resources[owner]
            in_list = len(path) > len(res.path) + 1
            what = f"container {cname or path[-1]!r} of" if in_list else res.type
            self.require(body, body, "packaging", path, owner, f"{what} {owner!r}")
        if isinstance(pack, dict):
            spec.packaging = pack
        return spec

    def _container_service(
        self, name: str, raw: dict[str, Any], path: DataPath
    ) -> ContainerService:
        """A web, private or worker service: its connectTo and its one container's environment;
        the rest is kept as written, since containers are not simulated."""
        svc = ContainerService(name=name, type=self.stack.resources[name].type, path=path[:2])
        raw = self._containerized_common(svc, raw, path)
        svc.container_specs.append(self._container(None, raw, path, name))
        self._service_props(svc, raw, path)
        return svc

    def _container_workload(
        self, name: str, raw: dict[str, Any], path: DataPath
    ) -> ContainerWorkload:
        """The workload's connectTo, and its containers' names, environments and ingress
        events: the rest (resources, scaling...) is kept as written, since containers are not
        simulated."""
        cw = ContainerWorkload(name=name, type=self.stack.resources[name].type, path=path[:2])
        raw = self._containerized_common(cw, raw, path)
        # A legacy `container-workload` (warned already) is read, not held to today's names.
        strict = cw.type == "multi-container-workload"
        if strict:
            body = self._container_body(raw, path, name, WORKLOAD_PROPS, "")
            self._workload_nested(body, path, name)
            self.statements(body, "iamRoleStatements", path, name)
        containers = raw.get("containers")
        if "containers" not in raw:
            self.require(raw, raw, "containers", path, name, f"container workload {name!r}")
            return cw
        if not self.check_value(_LIST, containers, (*path, "containers"), "containers", name):
            return cw
        index = 0
        for i, container in enumerate(containers):
            cpath = (*path, "containers", i)
            if not isinstance(container, dict):
                self.diag(
                    cpath,
                    "error",
                    "wrong-type",
                    f"a container must be a mapping with `name` and `packaging`, not "
                    f"{_describe(container)}",
                    resource=name,
                )
                continue
            cname = container.get("name")
            if not isinstance(cname, str):
                if "name" in container:
                    self.check_value(_STR, cname, (*cpath, "name"), "name", name)
                else:
                    self.require(container, container, "name", cpath, name, "a container")
                cname = None
            else:
                cw.containers.append(cname)
            spec = self._container(cname, container, cpath, name)
            if strict:
                got = self._container_body(
                    container, cpath, name, CONTAINER_PROPS, " in a container"
                )
                self.nested(got, "loadBalancerHealthCheck", cpath, name)
            if cname is not None:
                cw.container_specs.append(spec)
            events = container.get("events")
            if events is None or not self.check_value(
                _LIST, events, (*cpath, "events"), "events", name
            ):
                continue
            for j, ev in enumerate(events):
                trig = self._trigger(
                    name,
                    ev,
                    (*cpath, "events", j),
                    index,
                    allowed=CONTAINER_TRIGGER_TYPES,
                    holder="a container's `events`",
                    extra={"containerPort": _PORT},
                )
                if trig is None:
                    continue
                trig.container = cname
                trig.container_port = self._container_port(trig, name)
                cw.events.append(trig)
                index += 1
        return cw

    # Read by _containerized_common and _container with their own checks: not checked twice.
    _READ_ELSEWHERE: ClassVar[frozenset[str]] = frozenset(
        ("packaging", "environment", "connectTo", "resources", "containers", "name", "events")
    )

    def _container_body(
        self, body: dict[str, Any], path: DataPath, owner: str, spec: dict[str, P], where: str
    ) -> dict[str, Any]:
        """Check the properties a service and a workload's container share (`body` holds
        them) against `spec`, and their nested objects; returns them as read."""
        checked = {k: _ANY if k in self._READ_ELSEWHERE else kind for k, kind in spec.items()}
        props = self.read_props(body, path, checked, owner, where=where)
        self._container_nested(props, path, owner)
        return props

    def _container_nested(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """The nested objects every container has: `logging`, `internalHealthCheck`,
        `dependsOn` and `volumeMounts`."""
        self.nested(props, "logging", path, owner)
        self.nested(props, "internalHealthCheck", path, owner)
        self.each_item(props, "dependsOn", path, owner)
        mounts = props.get("volumeMounts")
        for i, mount in enumerate(mounts if isinstance(mounts, list) else []):
            newer = isinstance(mount, dict) and "type" not in mount
            if newer and any(k in mount for k in _NEWER_DOCS_MOUNT):
                continue
            mpath = (*path, "volumeMounts", i)
            self.typed_object(mount, mpath, owner, "volume mount", VOLUME_MOUNTS)

    def _alarms(
        self,
        props: dict[str, Any],
        path: DataPath,
        owner: str,
        triggers: dict[str, PackagingType],
        *,
        foreign_prefixes: tuple[str, ...] = (),
    ) -> None:
        """Each of `alarms` against ALARM_PROPS, its trigger against `triggers` and its
        notification targets; a trigger whose type has none of `foreign_prefixes` is left to
        lint (a web service's alarms of its load balancing's other type)."""
        alarms = props.get("alarms")
        spec = {**ALARM_PROPS, **_NEWER_DOCS_ALARM}
        for i, alarm in enumerate(alarms if isinstance(alarms, list) else []):
            apath = (*path, "alarms", i)
            if not self.check_value(_DICT, alarm, apath, f"alarms[{i}]", owner):
                continue
            got = self.read_props(alarm, apath, spec, owner, where=f" in `alarms[{i}]`")
            self.require_all(got, alarm, spec, ("trigger",), apath, owner, f"`alarms[{i}]`")
            self.nested(got, "evaluation", apath, owner, "alarm evaluation")
            for key, kinds in (
                ("notificationTargets", NOTIFICATION_TARGETS),
                ("notificationChannels", _NEWER_DOCS_CHANNELS),
            ):
                targets = got.get(key)
                for j, target in enumerate(targets if isinstance(targets, list) else []):
                    self.typed_object(
                        target,
                        (*apath, key, j),
                        owner,
                        "notification target",
                        kinds,
                        optional_properties=_OPTIONAL_TARGET_PROPERTIES,
                    )
            trigger = got.get("trigger")
            kind = trigger.get("type") if isinstance(trigger, dict) else None
            if trigger is None or (
                isinstance(kind, str) and foreign_prefixes and not kind.startswith(foreign_prefixes)
            ):
                continue
            self.typed_object(
                trigger,
                (*apath, "trigger"),
                owner,
                "trigger",
                triggers,
                optional_properties=_NO_PROPERTIES_TRIGGERS,
            )

    def _cdn(
        self, props: dict[str, Any], path: DataPath, owner: str, spec: dict[str, P] = CDN_PROPS
    ) -> None:
        """A `cdn` against `spec` (CDN_PROPS, or BUCKET_CDN_PROPS for a bucket's), its nested
        objects and route rewrites."""
        raw = props.get("cdn")
        if not isinstance(raw, dict):
            return  # absent, or the wrong type: reported with the resource's properties
        cpath = (*path, "cdn")
        if _OLD_INVALIDATION in raw:
            raw = self._old_invalidation(raw, cpath, owner)
        cdn = self.read_props(raw, cpath, spec, owner, where=" in `cdn`")
        self.require_all(cdn, raw, spec, ("enabled",), cpath, owner, "`cdn`")
        self.each_item(cdn, "customDomains", cpath, owner)
        self._cdn_behaviour(cdn, cpath, owner)
        self.each_item(cdn, "routeRewrites", cpath, owner)
        rewrites = cdn.get("routeRewrites")
        for i, rewrite in enumerate(rewrites if isinstance(rewrites, list) else []):
            if not isinstance(rewrite, dict):
                continue  # reported by each_item
            rpath = (*cpath, "routeRewrites", i)
            self._cdn_behaviour(rewrite, rpath, owner)
            if isinstance(rewrite.get("routeTo"), dict):
                self.typed_object(
                    rewrite["routeTo"], (*rpath, "routeTo"), owner, "routeTo", CDN_ROUTES
                )

    def _old_invalidation(self, raw: dict[str, Any], path: DataPath, owner: str) -> dict[str, Any]:
        """`raw` without the older `invalidateAfterDeploy` (at `path`), reported with the real
        property, whose value is its opposite."""
        kpath = (*path, _OLD_INVALIDATION)
        old = raw[_OLD_INVALIDATION]
        if _NEW_INVALIDATION in raw:
            self.diag(
                kpath,
                "error",
                "conflicting-spelling",
                f"both `{_OLD_INVALIDATION}` and `{_NEW_INVALIDATION}` are set in `cdn`; keep "
                f"`{_NEW_INVALIDATION}`",
                key=True,
                resource=owner,
            )
        else:
            written = f"`{_NEW_INVALIDATION}: {str(not old).lower()}`"
            self.diag(
                kpath,
                "warning",
                "alternate-spelling",
                f"`{_OLD_INVALIDATION}` is an older spelling in `cdn`; the real "
                f"property is `{_NEW_INVALIDATION}`, its opposite",
                key=True,
                resource=owner,
                hint=f"write {written}" if isinstance(old, bool) else None,
            )
        return {k: v for k, v in raw.items() if k != _OLD_INVALIDATION}

    def _cdn_behaviour(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """The caching, forwarding and edge function options of a CDN or a route rewrite."""
        caching = self.nested(props, "cachingOptions", path, owner)
        self.items(caching, "cacheMethods", (*path, "cachingOptions"), owner, _CACHE_METHODS)
        kpath = (*path, "cachingOptions", "cacheKeyParameters")
        key = self.nested(caching, "cacheKeyParameters", (*path, "cachingOptions"), owner)
        for part in ("cookies", "headers", "queryString"):
            self.nested(key, part, kpath, owner, f"cache key {part}")
        fpath = (*path, "forwardingOptions")
        forwarding = self.nested(props, "forwardingOptions", path, owner)
        self.items(forwarding, "allowedMethods", fpath, owner, _FORWARD_METHODS)
        self.each_item(forwarding, "customRequestHeaders", fpath, owner)
        for part in ("cookies", "headers", "queryString"):
            self.nested(forwarding, part, fpath, owner, f"forward {part}")
        self.nested(props, "edgeFunctions", path, owner)

    def _side_containers(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """Each of a service's `sideContainers` against SIDE_CONTAINER_PROPS, with its
        packaging and nested objects."""
        sides = props.get("sideContainers")
        for i, side in enumerate(sides if isinstance(sides, list) else []):
            spath = (*path, "sideContainers", i)
            if not self.check_value(_DICT, side, spath, f"sideContainers[{i}]", owner):
                continue
            where = f" in `sideContainers[{i}]`"
            got = self.read_props(side, spath, SIDE_CONTAINER_PROPS, owner, where=where)
            what = f"`sideContainers[{i}]`"
            self.require_all(
                got, side, SIDE_CONTAINER_PROPS, SIDE_CONTAINER_REQUIRED, spath, owner, what
            )
            if "packaging" in got:
                self._packaging(got["packaging"], (*spath, "packaging"), owner, "container")
            self._container_nested(got, spath, owner)

    def _workload_nested(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """`resources`, `scaling` and `deployment` of a service or a workload."""
        self.nested(props, "resources", path, owner, "container resources")
        scaling = self.nested(props, "scaling", path, owner)
        self.nested(scaling, "scalingPolicy", (*path, "scaling"), owner)
        self.nested(props, "deployment", path, owner, "container deployment")

    def _service_props(self, svc: ContainerService, raw: dict[str, Any], path: DataPath) -> None:
        """A web, private or worker service's properties against its table, with its CORS,
        custom domains and load balancing."""
        name, rtype = svc.name, svc.type
        # A service's `events` are reported by lint (event-not-accepted), with their own hint.
        spec = {**SERVICE_TABLES[rtype], "events": _ANY}
        props = self._container_body(raw, path, name, spec, "")
        self._workload_nested(props, path, name)
        cors = self.nested(props, "cors", path, name)
        self.items(cors, "allowedMethods", (*path, "cors"), name, _METHOD_ITEMS)
        self.each_item(props, "customDomains", path, name)
        self._side_containers(props, path, name)
        self.statements(props, "iamRoleStatements", path, name)
        if rtype == "web-service":
            self._cdn(props, path, name)
            self._alarms(
                props,
                path,
                name,
                WEB_SERVICE_ALARM_TRIGGERS,
                foreign_prefixes=_WEB_SERVICE_ALARM_PREFIXES,
            )
        self._load_balancing(props.get("loadBalancing"), (*path, "loadBalancing"), name, rtype)

    def _load_balancing(self, raw: Any, path: DataPath, owner: str, rtype: str) -> None:
        """A service's `loadBalancing` (at `path`): its `type` among the service's, and the
        `properties` that type takes (none for some)."""
        if not isinstance(raw, dict):
            return  # absent, or the wrong type: reported with the service's properties
        variants = SERVICE_LOAD_BALANCING.get(rtype)
        if variants is None:
            return  # a worker service has no `loadBalancing`: reported as unknown already
        kind = raw.get("type")
        known = isinstance(kind, str) and kind in variants
        shape = variants[kind] if known else None
        body = raw.get("properties")
        newer = isinstance(body, dict) and any(k in body for k in _NEWER_DOCS_BALANCING)
        keys = {"type": _ANY, "properties": _DICT}
        if known and shape is None and not newer:
            keys = {"type": _ANY}
        got = self.read_props(raw, path, keys, owner, where=" in `loadBalancing`")
        if not self.require(got, raw, "type", path, owner, "`loadBalancing`"):
            return
        spec = P("str", enum=tuple(variants))
        if shape is None or newer:
            self.check_value(spec, kind, (*path, "type"), "type", owner)
            return
        if "properties" not in got:
            if kind not in _OPTIONAL_BALANCING_PROPERTIES:
                self.require(got, raw, "properties", path, owner, f"`loadBalancing` {kind!r}")
            return
        body = got["properties"]
        ppath = (*path, "properties")
        where = f" in the `{kind}` load balancing"
        read = self.read_props(body, ppath, shape.props, owner, where=where)
        what = f"`{kind}` load balancing"
        self.require_all(read, body, shape.props, shape.required, ppath, owner, what)
        self.each_item(read, "ports", ppath, owner)

    def each_item(self, props: dict[str, Any], key: str, path: DataPath, owner: str) -> None:
        """Check each entry of the list `props[key]` against SERVICE_NESTED[key]."""
        values = props.get(key)
        spec, required = _ALL_NESTED[key]
        for i, item in enumerate(values if isinstance(values, list) else []):
            ipath = (*path, key, i)
            if self.check_value(_DICT, item, ipath, f"{key}[{i}]", owner):
                got = self.read_props(item, ipath, spec, owner, where=f" in `{key}[{i}]`")
                self.require_all(got, item, spec, required, ipath, owner, f"`{key}[{i}]`")

    def statements(self, props: dict[str, Any], key: str, path: DataPath, owner: str) -> None:
        """Each IAM statement of the list `props[key]` against POLICY_STATEMENTS[key], with
        its `Action` and `Resource` entries as strings."""
        values = props.get(key)
        spec, required = POLICY_STATEMENTS[key]
        for i, item in enumerate(values if isinstance(values, list) else []):
            ipath = (*path, key, i)
            if not self.check_value(_DICT, item, ipath, f"{key}[{i}]", owner):
                continue
            got = self.read_props(item, ipath, spec, owner, where=f" in `{key}[{i}]`")
            self.require_all(got, item, spec, required, ipath, owner, f"`{key}[{i}]`")
            for part in ("Action", "Resource"):
                self.items(got, part, ipath, owner, _STR)

    def _language_config(self, pp: dict[str, Any], path: DataPath, owner: str) -> None:
        """A lambda buildpack's `languageSpecificConfig` (in the packaging properties `pp` at
        `path`): its properties against the config of the entry file's language, or of any
        language when the extension names none. A property of another language's config is
        one Stacktape's schema takes but its buildpack for this language never reads."""
        raw = pp.get("languageSpecificConfig")
        if not isinstance(raw, dict):
            return
        lpath = (*path, "languageSpecificConfig")
        entry = pp.get("entryfilePath")
        suffix = PurePosixPath(entry).suffix.lower() if isinstance(entry, str) else ""
        language = _LANGUAGE_BY_EXTENSION.get(suffix)
        own = LANGUAGE_SPECIFIC_CONFIGS[language] if language else _ANY_LANGUAGE_CONFIG
        where = f" in `languageSpecificConfig`{f' for a {language} entry file' if language else ''}"
        for key, value in raw.items():
            kpath = (*lpath, key)
            if key in own:
                self.check_value(own[key], value, kpath, key, owner)
                continue
            if key in _ANY_LANGUAGE_CONFIG:
                others = [n for n, t in LANGUAGE_SPECIFIC_CONFIGS.items() if key in t]
                self.diag(
                    kpath,
                    "warning",
                    "ignored-property",
                    f"`{key}` is an option of the {' and '.join(others)} config; the buildpack "
                    f"ignores it for the {language} entry file {entry!r}",
                    key=True,
                    resource=owner,
                    hint=f"remove it, or point `entryfilePath` at the {others[0]} entry file",
                )
                continue
            guess = did_you_mean(key, own) or did_you_mean(key, _ANY_LANGUAGE_CONFIG)
            known = ", ".join(sorted(own)) or "none"
            self.diag(
                kpath,
                "error",
                "unknown-property",
                f"unknown property `{key}`{where}",
                key=True,
                resource=owner,
                hint=f"did you mean `{guess}`?" if guess else f"known: {known}",
            )

    def typed_object(
        self,
        raw: Any,
        path: DataPath,
        owner: str,
        what: str,
        types: dict[str, PackagingType],
        *,
        optional_properties: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """A `{type, properties}` mapping whose `type` picks the table of its `properties`
        (a database engine, a firewall rule); returns its properties as read."""
        if not self.check_value(_DICT, raw, path, what, owner):
            return {}
        where = f" in `{what}`"
        top = self.read_props(raw, path, {"type": _ANY, "properties": _DICT}, owner, where=where)
        if not self.require(top, raw, "type", path, owner, f"`{what}`"):
            return {}
        kind = top["type"]
        if not self.check_value(P("str", enum=tuple(types)), kind, (*path, "type"), "type", owner):
            return {}
        if "properties" not in top:
            if kind not in optional_properties:
                self.require(top, raw, "properties", path, owner, f"`{what}` of type {kind!r}")
            return {}
        ppath = (*path, "properties")
        shape = types[kind]
        body = top["properties"]
        got = self.read_props(body, ppath, shape.props, owner, where=f" in a `{kind}` {what}")
        self.require_all(got, body, shape.props, shape.required, ppath, owner, f"`{kind}` {what}")
        return got

    def _relational_database(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, RELATIONAL_DATABASE_PROPS, name)
        what = f"relational-database {name!r}"
        self.require_all(
            props, raw, RELATIONAL_DATABASE_PROPS, ("credentials", "engine"), path, name, what
        )
        self.nested(props, "credentials", path, name)
        self.nested(props, "accessibility", path, name, "database accessibility")
        self.nested(props, "logging", path, name, "database logging")
        self._alarms(props, path, name, ALARM_TRIGGERS["relational-database"])
        if "engine" in props:
            epath = (*path, "engine")
            got = self.typed_object(
                props["engine"],
                epath,
                name,
                "engine",
                DATABASE_ENGINES,
                optional_properties=("aurora-mysql-serverless", "aurora-postgresql-serverless"),
            )
            ppath = (*epath, "properties")
            self.nested(got, "primaryInstance", ppath, name)
            self.nested(got, "storage", ppath, name)
            self.each_item(got, "readReplicas", ppath, name)
            self.each_item(got, "instances", ppath, name)
        return Resource(name=name, type="relational-database", path=path[:2], properties=raw)

    def _redis_cluster(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, REDIS_PROPS, name)
        what = f"redis-cluster {name!r}"
        self.require_all(props, raw, REDIS_PROPS, REDIS_REQUIRED, path, name, what)
        self.nested(props, "accessibility", path, name, "redis accessibility")
        self.nested(props, "logging", path, name, "redis logging")
        return Resource(name=name, type="redis-cluster", path=path[:2], properties=raw)

    def _web_app_firewall(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, FIREWALL_PROPS, name)
        self.require_all(
            props, raw, FIREWALL_PROPS, ("scope",), path, name, f"web-app-firewall {name!r}"
        )
        rules = props.get("rules")
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            rpath = (*path, "rules", i)
            got = self.typed_object(rule, rpath, name, "rule", FIREWALL_RULES)
            self.nested(got, "forwardedIPConfig", (*rpath, "properties"), name)
        bodies = props.get("customResponseBodies")
        for key in bodies if isinstance(bodies, dict) else {}:
            bpath = (*path, "customResponseBodies")
            if self.check_value(
                _DICT, bodies[key], (*bpath, key), f"customResponseBodies.{key}", name
            ):
                self.nested(bodies, key, bpath, name, "custom response body")
        return Resource(name=name, type="web-app-firewall", path=path[:2], properties=raw)

    def _application_load_balancer(
        self, name: str, raw: dict[str, Any], path: DataPath
    ) -> Resource:
        """An application load balancer's properties and each of its custom `listeners`."""
        props = self.read_props(raw, path, ALB_PROPS, name)
        self._listeners(props, path, name, ALB_LISTENER_PROPS)
        return Resource(name=name, type="application-load-balancer", path=path[:2], properties=raw)

    def _network_load_balancer(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """A network load balancer's properties and each of its `listeners` (required)."""
        props = self.read_props(raw, path, NLB_PROPS, name)
        what = f"network-load-balancer {name!r}"
        self.require_all(props, raw, NLB_PROPS, ("listeners",), path, name, what)
        self._listeners(props, path, name, NLB_LISTENER_PROPS)
        return Resource(name=name, type="network-load-balancer", path=path[:2], properties=raw)

    def _listeners(
        self, props: dict[str, Any], path: DataPath, name: str, table: dict[str, P]
    ) -> None:
        """Each of a load balancer's `listeners` against its listener table, with the
        `protocol` and `port` every listener needs."""
        listeners = props.get("listeners")
        for i, entry in enumerate(listeners if isinstance(listeners, list) else []):
            lpath = (*path, "listeners", i)
            if not self.check_value(_DICT, entry, lpath, f"listeners[{i}]", name):
                continue
            got = self.read_props(entry, lpath, table, name, where=f" in listeners[{i}]")
            required = ("protocol", "port")
            self.require_all(got, entry, table, required, lpath, name, f"listeners[{i}]")

    def _by_table(self, name: str, rtype: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """A resource of a type that has nothing to read but its property table (and the
        properties that table requires)."""
        table, required = TABLE_ONLY_TYPES[rtype]
        props = self.read_props(raw, path, table, name)
        if required:
            what = f"{rtype} {name!r}"
            self.require_all(props, raw, table, required, path, name, what)
        return Resource(name=name, type=rtype, path=path[:2], properties=raw)

    def _websocket_api_gateway(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, WEBSOCKET_API_GATEWAY_PROPS, name)
        expression = props.get("routeSelectionExpression")
        if isinstance(expression, str) and not expression.strip():
            # Stacktape's CONFIG_WEBSOCKET_ROUTE_SELECTION_EXPRESSION_EMPTY.
            self.diag(
                (*path, "routeSelectionExpression"),
                "error",
                "invalid-value",
                "`routeSelectionExpression` is empty",
                resource=name,
                hint="remove it to use $request.body.action, or write an API Gateway "
                "selection expression",
            )
        self.nested(props, "logging", path, name, "websocket logging")
        self.each_item(props, "customDomains", path, name)
        return Resource(name=name, type="websocket-api-gateway", path=path[:2], properties=raw)

    def _appsync_api(self, name: str, raw: dict[str, Any], path: DataPath) -> AppSyncApi:
        props = self.read_props(raw, path, APPSYNC_API_PROPS, name)
        what = f"appsync-api {name!r}"
        self.require_all(props, raw, APPSYNC_API_PROPS, APPSYNC_API_REQUIRED, path, name, what)
        api = AppSyncApi(name=name, type="appsync-api", path=path[:2], properties=raw)
        path_value = props.get("schemaFilePath")
        if isinstance(path_value, str) and not path_value.strip():
            # Stacktape's CONFIG_APPSYNC_SCHEMA_PATH_EMPTY.
            self.diag(
                (*path, "schemaFilePath"),
                "error",
                "invalid-value",
                "`schemaFilePath` is empty",
                resource=name,
                hint="remove it to use schema.graphql, or write a project-relative path",
            )
        self.nested(props, "logging", path, name, "appsync logging")
        self.nested(props, "customDomain", path, name, "customDomains")
        if "authentication" in props:
            apath = (*path, "authentication")
            got = self.typed_object(
                props["authentication"],
                apath,
                name,
                "authentication",
                APPSYNC_AUTHENTICATIONS,
                optional_properties=("aws-iam",),
            )
            kind = props["authentication"].get("type")
            api.authentication = kind if kind in APPSYNC_AUTHENTICATIONS else None
            pool = got.get("userAuthPoolName")
            if isinstance(pool, str):
                api.user_pool = self.ref_by_name(pool, (*apath, "properties", "userAuthPoolName"))
        return api

    def _container_port(self, t: Trigger, owner: str) -> int | None:
        """The required `containerPort` of a container's event. Events read with a schema
        (http-api-gateway) had it checked already; the opaque ones are checked here."""
        ppath = (*t.path, "properties")
        if "containerPort" not in t.properties:
            what = f"{indefinite_article(t.type)} `{t.type}` event of a container"
            self.require(t.properties, t.properties, "containerPort", ppath, owner, what)
            return None
        port = t.properties["containerPort"]
        if t.type in TRIGGER_PROPS:
            ok = _kind_ok("int", port) and _MIN_PORT <= port <= _MAX_PORT
        else:
            ok = self.check_value(_PORT, port, (*ppath, "containerPort"), "containerPort", owner)
        return int(port) if ok else None

    def _state_machine(self, name: str, raw: dict[str, Any], path: DataPath) -> StateMachine:
        # The definition's own checks (stptui.sim.asl) run in the linter, which reports them
        # at their line inside it; here it only has to be there and be a mapping.
        props = self.read_props(raw, path, STATE_MACHINE_PROPS, name)
        sm = StateMachine(name=name, type="state-machine", path=path[:2], properties=raw)
        sm.definition_path = (*path, "definition")
        if self.require(props, raw, "definition", path, name, f"state-machine {name!r}"):
            sm.definition = props["definition"]
        return sm

    _BUILDERS: ClassVar[
        dict[str, Callable[[StackBuilder, str, dict[str, Any], DataPath], Resource]]
    ] = {
        "function": _function,
        "batch-job": _batch_job,
        "sqs-queue": _queue,
        "event-bus": _bus,
        "bucket": _bucket,
        "http-api-gateway": _gateway,
        "sns-topic": _topic,
        "relational-database": _relational_database,
        "redis-cluster": _redis_cluster,
        "web-app-firewall": _web_app_firewall,
        "application-load-balancer": _application_load_balancer,
        "network-load-balancer": _network_load_balancer,
        "websocket-api-gateway": _websocket_api_gateway,
        "appsync-api": _appsync_api,
        "state-machine": _state_machine,
    }

    # -- triggers ----------------------------------------------------------------------

    def _trigger(
        self,
        owner: str,
        ev: Any,
        path: DataPath,
        index: int,
        allowed: tuple[str, ...] | None,
        *,
        holder: str = "a queue's `events`",
        extra: dict[str, P] | None = None,
    ) -> Trigger | None:
        """One event of `owner`. `allowed` limits its types (`holder` names what is limited
        in the message); `extra` adds properties the holder allows beyond the event's own
        (a queue subscription's `messageGroupId`, a container's `containerPort`)."""
        if not isinstance(ev, dict):
            self.diag(
                path,
                "error",
                "wrong-type",
                f"an event must be a mapping with `type` and `properties`, not {_describe(ev)}",
                resource=owner,
            )
            return None
        for key in ev:
            if key not in EVENT_KEYS:
                self.diag(
                    (*path, key),
                    "error",
                    "unknown-property",
                    f"unknown key `{key}` on an event",
                    key=True,
                    resource=owner,
                    hint="an event has only `type` and `properties`",
                )
        etype = ev.get("type")
        if not isinstance(etype, str):
            self.diag(
                path,
                "error",
                "missing-property" if "type" not in ev else "wrong-type",
                "an event needs a string `type`",
                resource=owner,
            )
            return None
        raw = ev.get("properties", {})
        ppath = (*path, "properties")
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            self.diag(
                ppath,
                "error",
                "wrong-type",
                f"event `properties` must be a mapping, not {_describe(raw)}",
                resource=owner,
            )
            raw = {}
        if allowed is not None and etype not in allowed:
            self.diag(
                (*path, "type"),
                "error",
                "invalid-trigger",
                f"{holder} take only {', '.join(allowed)}, not {etype!r}",
                resource=owner,
            )
            return None
        if etype not in TRIGGER_TYPES:
            guess = did_you_mean(etype, TRIGGER_TYPES)
            self.diag(
                (*path, "type"),
                "error",
                "unknown-trigger-type",
                f"unknown event type {etype!r}",
                resource=owner,
                hint=f"did you mean {guess!r}?" if guess else None,
            )
            return Trigger(type=etype, owner=owner, index=index, path=path, properties=raw)
        if etype in NEWER_TRIGGERS:
            spec, required = NEWER_TRIGGERS[etype]
            what = f"{indefinite_article(etype)} `{etype}` event"
            props = self.read_props(raw, ppath, spec, owner, where=f" in {what}")
            self.require_all(props, raw, spec, required, ppath, owner, what)
            reader = getattr(self, "_t_" + etype.replace("-", "_"))
            return reader(owner, raw, props, path, ppath, index)
        spec = TRIGGER_PROPS.get(etype)
        if spec is None:
            # Read without a schema (not simulated), but their required properties still are.
            what = f"{indefinite_article(etype)} `{etype}` event"
            for key in OPAQUE_TRIGGER_REQUIRED.get(etype, ()):
                self.require(raw, raw, key, ppath, owner, what)
            if etype == "application-load-balancer":
                self._alb_event_props(owner, raw, ppath, what, extra)
            if etype == "kafka-topic":
                return self._t_kafka_topic(owner, raw, path, ppath, index)
            return Trigger(type=etype, owner=owner, index=index, path=path, properties=raw)
        if extra:
            spec = {**spec, **extra}
        props = self.read_props(
            raw,
            ppath,
            spec,
            owner,
            aliases=TRIGGER_ALIASES.get(etype),
            where=f" in {indefinite_article(etype)} `{etype}` event",
        )
        return getattr(self, "_t_" + etype.replace("-", "_"))(owner, raw, props, path, ppath, index)

    def _alb_event_props(
        self,
        owner: str,
        raw: dict[str, Any],
        ppath: DataPath,
        what: str,
        extra: dict[str, P] | None,
    ) -> None:
        """An `application-load-balancer` event's properties and its header and query
        conditions, by Stacktape's types (the event stays a plain Trigger)."""
        props = self.read_props(
            raw, ppath, {**ALB_EVENT_PROPS, **(extra or {})}, owner, where=f" in {what}"
        )
        for key, (name, spec) in ALB_CONDITION_ENTRIES.items():
            entries = props.get(key)
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                epath = (*ppath, key, i)
                if not self.check_value(_DICT, entry, epath, f"{key}[{i}]", owner):
                    continue
                got = self.read_props(entry, epath, spec, owner, where=f" in {key}[{i}]")
                self.require_all(got, entry, spec, (name, "values"), epath, owner, f"{key}[{i}]")

    def _payload_options(self, props: dict[str, Any], ppath: DataPath, owner: str) -> None:
        given = [k for k in ("input", "inputPath", "inputTransformer") if k in props]
        if len(given) > 1:
            self.diag(
                (*ppath, given[1]),
                "error",
                "at-most-one-of",
                "set at most one of `input`, `inputPath` and `inputTransformer`, not "
                f"{' and '.join(given)}",
                key=True,
                resource=owner,
            )
        tr = props.get("inputTransformer")
        if isinstance(tr, dict):
            tp = self.read_props(
                tr,
                (*ppath, "inputTransformer"),
                {"inputPathsMap": _DICT, "inputTemplate": P("str|dict")},
                owner,
                where=" in `inputTransformer`",
            )
            self.require(
                tp, tr, "inputTemplate", (*ppath, "inputTransformer"), owner, "`inputTransformer`"
            )

    def _t_schedule(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> ScheduleTrigger:
        t = ScheduleTrigger(type="schedule", owner=owner, index=index, path=path, properties=raw)
        if self.require(props, raw, "scheduleRate", ppath, owner, "a `schedule` event"):
            # An alternate spelling (`rate:`) reaches here without read_props' type check.
            spath = (*ppath, _written(raw, "scheduleRate", "scheduleRate"))
            if self.check_value(_STR, props["scheduleRate"], spath, spath[-1], owner):
                t.rate = props["scheduleRate"]
        self._payload_options(props, ppath, owner)
        t.input, t.input_path, t.input_transformer = (
            props.get("input"),
            props.get("inputPath"),
            props.get("inputTransformer"),
        )
        return t

    def _t_sqs(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> SqsTrigger:
        t = SqsTrigger(type="sqs", owner=owner, index=index, path=path, properties=raw)
        t.queue = self.name_or_arn(
            props,
            raw,
            ("sqsQueueName", "sqsQueueArn"),
            ppath,
            owner,
            "an `sqs` event (Stacktape e84)",
        )
        if "batchSize" in props:
            t.batch_size = int(props["batchSize"])
        if "maxBatchWindowSeconds" in props and self.check_value(
            TRIGGER_PROPS["sqs"]["maxBatchWindowSeconds"],
            props["maxBatchWindowSeconds"],
            (*ppath, _written(raw, "maxBatchWindowSeconds", "maxBatchWindowSeconds")),
            "maxBatchWindowSeconds",
            owner,
        ):
            t.max_batch_window_s = props["maxBatchWindowSeconds"]
        return t

    def _t_s3(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> S3Trigger:
        t = S3Trigger(type="s3", owner=owner, index=index, path=path, properties=raw)
        bucket = props.get("bucketArn")
        if "bucketName" in raw and "bucketArn" not in raw:
            t.bucket = (
                self.ref_by_name(bucket, (*ppath, "bucketName"))
                if isinstance(bucket, str)
                else None
            )
            if not isinstance(bucket, str):
                self.diag(
                    (*ppath, "bucketName"),
                    "error",
                    "wrong-type",
                    "`bucketName` must be a string",
                    resource=owner,
                )
        elif isinstance(bucket, str):
            t.bucket = self.ref_by_arn(bucket, (*ppath, "bucketArn"))
        else:
            self.require(props, raw, "bucketArn", ppath, owner, "an `s3` event")
        types = props.get("s3EventType")
        tpath = (*ppath, _written(raw, "s3EventType", "s3EventType"))
        if types is None:
            self.require(props, raw, "s3EventType", ppath, owner, "an `s3` event")
        else:
            listed = types if isinstance(types, list) else [types]
            for i, et in enumerate(listed):
                epath = (*tpath, i) if isinstance(types, list) else tpath
                if isinstance(et, str) and et in S3_EVENT_TYPES:
                    t.event_types.append(et)
                else:
                    guess = did_you_mean(str(et), S3_EVENT_TYPES) if isinstance(et, str) else None
                    self.diag(
                        epath,
                        "error",
                        "invalid-value",
                        f"{et!r} is not an S3 event type",
                        resource=owner,
                        hint=f"did you mean {guess!r}?" if guess else "e.g. s3:ObjectCreated:*",
                    )
        rule = props.get("filterRule")
        if rule is not None:
            self._s3_filter(t, rule, (*ppath, _written(raw, "filterRule", "filterRule")), owner)
        return t

    def _s3_filter(self, t: S3Trigger, rule: Any, path: DataPath, owner: str) -> None:
        if isinstance(rule, dict):
            fp = self.read_props(
                rule, path, {"prefix": _STR, "suffix": _STR}, owner, where=" in `filterRule`"
            )
            t.prefix, t.suffix = fp.get("prefix"), fp.get("suffix")
            return
        if not isinstance(rule, list):
            self.diag(
                path,
                "error",
                "wrong-type",
                f"`filterRule` must be a mapping {{prefix, suffix}}, not {_describe(rule)}",
                resource=owner,
            )
            return
        for i, item in enumerate(rule):
            ipath = (*path, i)
            kind = item.get("type", item.get("name")) if isinstance(item, dict) else None
            value = item.get("value") if isinstance(item, dict) else None
            if (
                not isinstance(kind, str)
                or kind.lower() not in ("prefix", "suffix")
                or not isinstance(value, str)
            ):
                self.diag(
                    ipath,
                    "error",
                    "invalid-value",
                    "a filter rule is {type: prefix|suffix, value: text}",
                    resource=owner,
                )
                continue
            attr = kind.lower()
            if getattr(t, attr) is not None:
                # S3's own PutBucketNotificationConfiguration message.
                self.diag(
                    ipath,
                    "error",
                    "invalid-value",
                    f"Cannot specify more than one {attr} rule in a filter.",
                    resource=owner,
                )
                continue
            setattr(t, attr, value)

    def _t_event_bus(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> EventBusTrigger:
        t = EventBusTrigger(type="event-bus", owner=owner, index=index, path=path, properties=raw)
        which = self.exactly_one(
            props,
            ("eventBusName", "eventBusArn", "useDefaultBus"),
            ppath,
            owner,
            "an `event-bus` event (Stacktape e83)",
        )
        if which == "eventBusName":
            t.bus = self.ref_by_name(props[which], (*ppath, which))
        elif which == "eventBusArn":
            t.bus = self.ref_by_arn(props[which], (*ppath, which))
        elif which == "useDefaultBus":
            t.use_default_bus = True
        if "eventPattern" in props:
            t.pattern = props["eventPattern"]
            if not t.pattern:
                self.diag(
                    (*ppath, "eventPattern"),
                    "error",
                    "missing-event-pattern",
                    "`eventPattern` is empty; EventBridge rejects an empty pattern",
                    resource=owner,
                )
        elif "eventPattern" not in raw:
            self.diag(
                ppath,
                "error",
                "missing-event-pattern",
                "an `event-bus` event needs `eventPattern`",
                resource=owner,
                hint="e.g. eventPattern: {source: [my.app]}",
            )
        t.on_delivery_failure = self._on_delivery_failure(props, ppath, owner)
        self._payload_options(props, ppath, owner)
        t.input, t.input_path, t.input_transformer = (
            props.get("input"),
            props.get("inputPath"),
            props.get("inputTransformer"),
        )
        t.message_group_id = props.get("messageGroupId")
        return t

    def _on_delivery_failure(
        self, props: dict[str, Any], ppath: DataPath, owner: str
    ) -> Ref | None:
        odf = props.get("onDeliveryFailure")
        if not isinstance(odf, dict):
            return None
        opath = (*ppath, "onDeliveryFailure")
        op = self.read_props(
            odf,
            opath,
            {"sqsQueueName": _STR, "sqsQueueArn": _STR},
            owner,
            where=" in `onDeliveryFailure`",
        )
        return self.name_or_arn(
            op,
            odf,
            ("sqsQueueName", "sqsQueueArn"),
            opath,
            owner,
            "onDeliveryFailure (Stacktape e109)",
        )

    def _t_sns(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> SnsTrigger:
        t = SnsTrigger(type="sns", owner=owner, index=index, path=path, properties=raw)
        t.topic = self.name_or_arn(
            props,
            raw,
            ("snsTopicName", "snsTopicArn"),
            ppath,
            owner,
            "an `sns` event (Stacktape e85)",
        )
        t.filter_policy = props.get("filterPolicy")
        written = raw.get("filterPolicy") if isinstance(raw, dict) else None
        if written is not None and "filterPolicy" not in props:
            # Written but refused (reported as wrong-type): simulating the subscription
            # without a policy would deliver what the config filters out. Stacktape refuses
            # the config, so SNS never gets a subscription: it delivers nothing, as an
            # `eventPattern` that is not a mapping matches nothing.
            t.filter_policy_error = (
                f"`filterPolicy` is {_describe(written)}, not a mapping, so Stacktape refuses "
                "the config and the subscription delivers nothing (see `stptui validate`)"
            )
        t.on_delivery_failure = self._on_delivery_failure(props, ppath, owner)
        return t

    def _t_http_api_gateway(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> HttpTrigger:
        t = HttpTrigger(
            type="http-api-gateway", owner=owner, index=index, path=path, properties=raw
        )
        if "httpApiGatewayName" in props:
            t.gateway = self.ref_by_name(
                props["httpApiGatewayName"], (*ppath, "httpApiGatewayName")
            )
        if self.require(props, raw, "method", ppath, owner, "an `http-api-gateway` event"):
            t.method = props["method"]
        if self.require(props, raw, "path", ppath, owner, "an `http-api-gateway` event"):
            t.route_path = props["path"]
            # `*` is Stacktape's catch-all (the `$default` route), as its own docs write it.
            if not t.route_path.startswith("/") and t.route_path not in ("*", "$default"):
                self.diag(
                    (*ppath, "path"),
                    "error",
                    "invalid-value",
                    f"route path {t.route_path!r} must start with '/'",
                    resource=owner,
                )
        t.payload_format = props.get("payloadFormat")
        if "authorizer" in props:
            t.authorizer = self._http_authorizer(props["authorizer"], (*ppath, "authorizer"), owner)
        return t

    def _http_authorizer(self, raw: Any, path: DataPath, owner: str) -> HttpAuthorizer | None:
        """An HTTP API route's `authorizer` (`StpAuthorizer`), with the checks AWS makes of
        the authorizer Stacktape creates from it: identity sources are `$request.header.X`,
        `$request.querystring.X`, `$context.X` or `$stageVariables.X`, and a lambda
        authorizer that caches needs at least one (CreateAuthorizer refuses it otherwise)."""
        got = self.typed_object(raw, path, owner, "authorizer", HTTP_AUTHORIZERS)
        if not got or not isinstance(raw, dict):
            return None
        kind = raw["type"]
        ref_key = "userPoolName" if kind == "cognito" else "functionName"
        target = got.get(ref_key)
        ppath = (*path, "properties")
        ref = self.ref_by_name(target, (*ppath, ref_key)) if isinstance(target, str) else None
        sources = got.get("identitySources")
        spath = (*ppath, "identitySources")
        written = [s for s in sources if isinstance(s, str)] if isinstance(sources, list) else None
        for i, source in enumerate(sources if isinstance(sources, list) else []):
            if not isinstance(source, str) or not _HTTP_IDENTITY_SOURCE.match(source):
                self.diag(
                    (*spath, i),
                    "error",
                    "invalid-value",
                    f"identity source {source!r} is not $request.header.NAME, "
                    "$request.querystring.NAME, $context.NAME or $stageVariables.NAME",
                    resource=owner,
                    hint="e.g. $request.header.Authorization",
                )
        if kind == "cognito":
            identity = tuple(written) if written else COGNITO_IDENTITY_SOURCES
            return HttpAuthorizer(kind, ref, identity)
        cache = got.get("cacheResultSeconds")
        cache = cache if isinstance(cache, int) and not isinstance(cache, bool) else 0
        if cache > 0 and not written:
            self.diag(
                (*ppath, "cacheResultSeconds"),
                "error",
                "invalid-value",
                f"`cacheResultSeconds: {cache}` without `identitySources`: API Gateway caches "
                "a Lambda authorizer's results by its identity sources, and refuses an "
                "authorizer that caches without any",
                resource=owner,
                hint="add identitySources (e.g. [$request.header.Authorization]), or remove "
                "cacheResultSeconds",
                key=True,
            )
        iam = got.get("iamResponse") is True
        return HttpAuthorizer(kind, ref, tuple(written or ()), iam, cache)

    def _t_websocket_api_gateway(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> WebSocketTrigger:
        """A WebSocket route, with the rules of Stacktape's validateWebsocketApiGatewayConfig
        that need only the event itself (route key, authorizer, returnResponse)."""
        t = WebSocketTrigger(
            type="websocket-api-gateway", owner=owner, index=index, path=path, properties=raw
        )
        if "websocketApiGatewayName" in props:
            t.gateway = self.ref_by_name(
                props["websocketApiGatewayName"], (*ppath, "websocketApiGatewayName")
            )
        key = props.get("routeKey")
        kpath = (*ppath, "routeKey")
        if isinstance(key, str):
            t.route_key = key
            if not key.strip() or key != key.strip():
                self.diag(
                    kpath,
                    "error",
                    "invalid-value",
                    f"route key {key!r} is empty or starts or ends with blanks",
                    resource=owner,
                )
            elif key.startswith("$") and key not in WEBSOCKET_LIFECYCLE_ROUTES:
                guess = did_you_mean(key, WEBSOCKET_LIFECYCLE_ROUTES)
                self.diag(
                    kpath,
                    "error",
                    "invalid-value",
                    f"route key {key!r} starts with `$` but is not one of "
                    f"{', '.join(WEBSOCKET_LIFECYCLE_ROUTES)}",
                    resource=owner,
                    hint=f"did you mean {guess!r}?" if guess else "drop the `$` for a custom route",
                )
        t.return_response = props.get("returnResponse") is True
        if t.return_response and key in ("$connect", "$disconnect"):
            self.diag(
                (*ppath, "returnResponse"),
                "error",
                "invalid-value",
                f"`returnResponse` on the {key} route: a lifecycle route cannot send a "
                "message to the client",
                resource=owner,
                hint="use it on $default or a custom route; reply after connecting through "
                "the API Gateway Management API",
                key=True,
            )
        if "authorizer" in props:
            self._websocket_authorizer(t, props["authorizer"], (*ppath, "authorizer"), owner)
        return t

    def _websocket_authorizer(
        self, t: WebSocketTrigger, raw: Any, path: DataPath, owner: str
    ) -> None:
        got = self.typed_object(
            raw, path, owner, "authorizer", WEBSOCKET_AUTHORIZERS, optional_properties=("aws-iam",)
        )
        if isinstance(raw, dict) and t.route_key is not None and t.route_key != "$connect":
            self.diag(
                path,
                "error",
                "invalid-value",
                f"an authorizer on the {t.route_key!r} route: WebSocket APIs authorize only "
                "the $connect route",
                resource=owner,
                hint="move the authorizer to the function's $connect event",
                key=True,
            )
        function = got.get("functionName")
        if isinstance(function, str):
            t.authorizer_function = self.ref_by_name(
                function, (*path, "properties", "functionName")
            )
        sources = got.get("identitySources")
        spath = (*path, "properties", "identitySources")
        if isinstance(sources, list) and not sources:
            self.diag(
                spath,
                "error",
                "invalid-value",
                "`identitySources` is empty",
                resource=owner,
                hint="remove it to use the Authorization header, or list at least one source",
            )
        for i, source in enumerate(sources if isinstance(sources, list) else []):
            if not isinstance(source, str) or not _IDENTITY_SOURCE.match(source):
                self.diag(
                    (*spath, i),
                    "error",
                    "invalid-value",
                    f"identity source {source!r} is not route.request.header.<name> or "
                    "route.request.querystring.<name>",
                    resource=owner,
                )

    def _t_kinesis_stream(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> Trigger:
        what = "a `kinesis-stream` event"
        self.exactly_one(props, ("kinesisStreamName", "streamArn"), ppath, owner, what)
        # Stacktape refuses both (resolveKinesisEvents, functions/events/kinesis/index.ts).
        self.exactly_one(
            props, ("consumerArn", "autoCreateConsumer"), ppath, owner, what, required=False
        )
        self._stream_on_failure(props, ppath, owner, what)
        return Trigger(type="kinesis-stream", owner=owner, index=index, path=path, properties=raw)

    def _t_dynamo_db_stream(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> Trigger:
        self._stream_on_failure(props, ppath, owner, "a `dynamo-db-stream` event")
        return Trigger(type="dynamo-db-stream", owner=owner, index=index, path=path, properties=raw)

    def _stream_on_failure(
        self, props: dict[str, Any], ppath: DataPath, owner: str, what: str
    ) -> None:
        """`onFailure` is `DestinationOnFailure`: an `arn` and a `type` of sns or sqs."""
        failure = props.get("onFailure")
        if not isinstance(failure, dict):
            return
        fpath = (*ppath, "onFailure")
        spec = {"arn": _STR, "type": P("str", enum=("sns", "sqs"))}
        checked = self.read_props(failure, fpath, spec, owner, where=f" in {what}'s onFailure")
        self.require_all(checked, failure, spec, ("arn", "type"), fpath, owner, "onFailure")

    def _t_appsync_api(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> AppSyncTrigger:
        t = AppSyncTrigger(type="appsync-api", owner=owner, index=index, path=path, properties=raw)
        if "appsyncApiName" in props:
            t.api = self.ref_by_name(props["appsyncApiName"], (*ppath, "appsyncApiName"))
        field = props.get("field")
        if isinstance(field, str):
            t.field_name = field
            if not GRAPHQL_FIELD.match(field):
                # Stacktape's CONFIG_APPSYNC_RESOLVER_FIELD_INVALID.
                self.diag(
                    (*ppath, "field"),
                    "error",
                    "invalid-value",
                    f"AppSync field {field!r} is not written as Type.field",
                    resource=owner,
                    hint="for example Query.user or Mutation.createOrder",
                )
        return t

    def _t_kafka_topic(
        self, owner: str, raw: dict[str, Any], path: DataPath, ppath: DataPath, index: int
    ) -> KafkaTopicTrigger:
        """A `kafka-topic` event, kept as written; a `kafkaClusterName` (the newer
        `StacktapeKafkaEventSource`) is read as a reference to the stack's cluster."""
        t = KafkaTopicTrigger(
            type="kafka-topic", owner=owner, index=index, path=path, properties=raw
        )
        cluster = raw.get("kafkaClusterName")
        if cluster is not None:
            cpath = (*ppath, "kafkaClusterName")
            if self.check_value(_STR, cluster, cpath, "kafkaClusterName", owner):
                t.cluster = self.ref_by_name(cluster, cpath)
        topic = raw.get("topicName")
        t.topic = topic if isinstance(topic, str) else None
        return t

    def _bind_http_routes(self) -> None:
        """Give routes that name no gateway the stack's only gateway, or an implicit one."""
        unbound = [
            t
            for t in self.stack.triggers()
            if isinstance(t, HttpTrigger)
            and t.gateway is None
            and "httpApiGatewayName" not in t.properties
        ]
        if not unbound:
            return
        gateways = self.stack.gateways
        if len(gateways) > 1:
            for t in unbound:
                self.diag(
                    (*t.path, "properties"),
                    "error",
                    "missing-property",
                    "this route names no `httpApiGatewayName` and the stack has several gateways",
                    resource=t.owner,
                    hint=f"add httpApiGatewayName: one of {', '.join(g.name for g in gateways)}",
                )
            return
        if gateways:
            gateway = gateways[0]
        else:
            name = "httpApi"
            n = 2
            while name in self.stack.resources:
                name = f"httpApi{n}"
                n += 1
            gateway = HttpApiGateway(
                name=name, type="http-api-gateway", path=("resources",), implicit=True
            )
            gateway.defaults.add("payloadFormat")
            self.stack.resources[name] = gateway
        for t in unbound:
            self.diag(
                (*t.path, "properties"),
                "warning",
                "missing-gateway-name",
                "this route names no gateway; it is bound to "
                f"{gateway.name!r}{' (implicit)' if gateway.implicit else ''}",
                resource=t.owner,
                hint=f"add `httpApiGatewayName: {gateway.name}` (Stacktape's deployer requires it)"
                + (
                    ""
                    if not gateway.implicit
                    else (
                        f" and {indefinite_article(gateway.name)} `{gateway.name}` resource of "
                        "type http-api-gateway"
                    )
                ),
            )
            t.gateway = Ref(
                raw=gateway.name, path=(*t.path, "properties"), target=gateway.name, by="default"
            )


def _packaging_guess(written: str, types: dict[str, PackagingType]) -> str | None:
    """The packaging type meant by `written`: the closest spelling, or the one made of the
    same words in another order (`dockerfile-custom`)."""
    guess = did_you_mean(written, types)
    if guess is not None:
        return guess
    words = sorted(written.lower().replace("_", "-").split("-"))
    return next((t for t in types if sorted(t.split("-")) == words), None)


def _event_source_names(data: Any) -> dict[str, str]:
    """Bus name -> its `eventSourceName`, read from the (directive-resolved) document."""
    resources = data.get("resources") if isinstance(data, dict) else None
    out: dict[str, str] = {}
    for name, body in resources.items() if isinstance(resources, dict) else ():
        props = body.get("properties") if isinstance(body, dict) else None
        if isinstance(props, dict) and body.get("type") == "event-bus":
            source = props.get("eventSourceName")
            if isinstance(source, str) and source:
                out[name] = source
    return out


def _written(raw: dict[str, Any], canonical: str, default: str) -> str:
    """The key actually written for a canonical property (it may be an alternate spelling)."""
    if canonical in raw:
        return canonical
    for aliases in (QUEUE_ALIASES, *TRIGGER_ALIASES.values()):
        for alias, real in aliases.items():
            if real == canonical and alias in raw:
                return alias
    for alias in REDRIVE_ALIASES:
        if alias in raw:
            return alias
    return default


def _wait_text(seconds: float) -> str:
    """A computed wait for a message: exact while short, rounded when huge, and JavaScript's
    Infinity for a number too large for a double."""
    if not math.isfinite(seconds):
        return "Infinity"
    return _num_text(seconds) if seconds < 1e15 else f"about {seconds:.3g}"


def _js_number(value: float) -> float:
    """A number as JavaScript holds it: a double (an int too large for one is Infinity)."""
    try:
        return float(value)
    except OverflowError:
        return math.inf


def _alnum_lower(text: str) -> str:
    """`text` as lowercase letters and digits only."""
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def pascal_case(name: str) -> str:
    """A resource name in PascalCase, as Stacktape starts its logical ids (`myApi` -> `MyApi`,
    `my-api` -> `MyApi`)."""
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)
    return "".join(w[:1].upper() + w[1:] for w in words)


def _alphanumeric_name(name: str) -> str:
    """A resource name Stacktape accepts for `name`: accents dropped (`ünïcode` → `unicode`),
    words after `-` or `_` capitalised (`my-queue` → `myQueue`), anything else removed."""
    ascii_name = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    )
    words = ascii_name.title() if "-" in name or "_" in name else ascii_name
    kept = re.sub(r"[^A-Za-z0-9]", "", words)
    return kept[:1].lower() + kept[1:]


def _num_text(value: float) -> str:
    """A number as people write it in a config: no exponent, no trailing `.0`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _env_text(value: Any) -> str:
    """A value as the JavaScript deployer writes it into the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_stack(loaded: LoadedYaml, ctx: DirectiveContext) -> Stack:
    """Read a loaded, directive-resolved document into a typed Stack with diagnostics."""
    builder = StackBuilder(loaded, ctx)
    stack = builder.build()
    stack.diagnostics[:0] = loaded.diagnostics
    return stack
