"""Stacktape's config schema as tables: the expected shape of every property stptui reads.

Raw config data becomes the typed `Stack` in `normalize.py` and its `normalize_*` readers;
this module holds only data (and `P`, `PackagingType`, the shapes the tables are made of), so
every reader and the tests that compare the tables with Stacktape's schema share one copy.

The property tables (the ones below and the nested ones written where they are read) hold
exactly the property names of Stacktape's JSON schema (`@generated/schemas/config-schema.json`
of stacktape/stacktape, commit c80796ef, where every one of these objects is
`additionalProperties: false`; plus `region` at the top level from the newer
`types/stacktape-config/_root.d.ts`). Since they are complete, a property they do not hold is
an error: Stacktape's deployer rejects the config. `tests/test_schema_tables.py` checks every
table against the schema's names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
    # A list is the older spelling many of Stacktape's starter projects still use (warned).
    "hooks": P("dict|list"),
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

# Stacktape's AllowHeaders for a function URL's CORS when `allowedMethods` is not written
# (getDefaultCorsConfiguration, the same list as an HTTP API's).
DEFAULT_URL_CORS_HEADERS = (
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
)

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
    # AWS::Lambda::Url Cors: MaxAge is an integer from 0 to 86,400 seconds.
    "url cors": ({**_CORS, "maxAge": P("int", lo=0, hi=86400)}, ("enabled",)),
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

# A `dynamo-db-table`'s `streamType` (DynamoDbTableProps), the one property of a table read
# here: `primaryKey` and `secondaryIndexes` are checked by the linter (lint_listener_access,
# lint_tables); the others (throughput, recovery, `dev`) change nothing the simulator runs.
DYNAMO_STREAM_TYPE = P("str", enum=("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"))

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

# `KafkaTopicIntegrationProps` in each shape real configs use: the older
# `customKafkaConfiguration` (types/stacktape-config/events.d.ts of stacktape/stacktape), the
# newest `kafkaClusterName` / `mskClusterArn` ones with `startFrom`, `consumerGroupId` and a
# custom source's `vpc` (packages/config's events.ts), and the legacy `upstashKafkaTopic`
# (Stacktape's kafka-stream-processing starter). The ranges are those Lambda's
# CreateEventSourceMapping takes for Kafka sources: BatchSize 1-10,000,
# MaximumBatchingWindowInSeconds 0-300.
KAFKA_EVENT_SOURCES = ("customKafkaConfiguration", "kafkaClusterName", "mskClusterArn")
KAFKA_LEGACY_SOURCE = "upstashKafkaTopic"

KAFKA_EVENT_PROPS = {
    "customKafkaConfiguration": _DICT,
    "kafkaClusterName": _STR,
    "mskClusterArn": _STR,
    KAFKA_LEGACY_SOURCE: _STR,
    "topicName": _STR,
    "startFrom": P("str", enum=("earliest", "latest")),
    "consumerGroupId": _STR,
    "vpc": _DICT,
    "batchSize": P("int", lo=1, hi=10_000),
    "maxBatchWindowSeconds": P("num", lo=0, hi=300),
}

# `CustomKafkaEventSource`, its `authentication` (`KafkaSASLAuth` | `KafkaMTLSAuth`) and the
# newest types' `KafkaEventSourceVpcConfig`.
CUSTOM_KAFKA_PROPS = {"bootstrapServers": _LIST, "topicName": _STR, "authentication": _DICT}

CUSTOM_KAFKA_REQUIRED = ("bootstrapServers", "topicName", "authentication")

_SASL = PackagingType({"authenticationSecretArn": _STR}, ("authenticationSecretArn",))

KAFKA_AUTHENTICATIONS: dict[str, PackagingType] = {
    "BASIC_AUTH": _SASL,
    "SASL_SCRAM_256_AUTH": _SASL,
    "SASL_SCRAM_512_AUTH": _SASL,
    "MTLS": PackagingType(
        {"clientCertificate": _STR, "serverRootCaCertificate": _STR}, ("clientCertificate",)
    ),
}

KAFKA_VPC_PROPS = {"securityGroupIds": _LIST, "subnetIds": _LIST}

# A topic name Kafka accepts (its `Topic.validate`: at most 249 of these characters, not `.`
# or `..`), and not starting with `.` (the `Topics` pattern of Lambda's
# CreateEventSourceMapping, `^[^.]([a-zA-Z0-9\-_.]+)`).
KAFKA_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,248}$")

# Lambda event source mapping settings that Stacktape's stream and Kafka events have no
# property for (its compilers pass none: docs/fidelity.md, "Kinesis streams", "Kafka
# topics"), written as a user who knows the AWS API would write them: `validate` says so,
# with what the simulator does instead, where a did-you-mean would point elsewhere.
_NO_RBIF = (
    "Stacktape sets no FunctionResponseTypes, so Lambda ignores a batchItemFailures "
    "response; `reportBatchItemFailures: true` in the behaviours file simulates a stack "
    "that enables it"
)
_STREAM_UNEXPOSED = {
    "maximumRecordAgeInSeconds": (
        "Stacktape does not expose MaximumRecordAgeInSeconds (AWS's default -1: no age "
        "limit): a failing batch is retried until its records expire or "
        "`maximumRetryAttempts` is used up"
    ),
    "tumblingWindowInSeconds": "Stacktape does not expose Lambda's tumbling windows",
    "functionResponseTypes": _NO_RBIF,
    "reportBatchItemFailures": _NO_RBIF,
    "startingPositionTimestamp": (
        "Stacktape's `startingPosition` is LATEST or TRIM_HORIZON: AT_TIMESTAMP is not exposed"
    ),
    "filterCriteria": "Stacktape does not expose event filtering: every record is delivered",
}
_KAFKA_NO_CONTROLS = (
    "Stacktape's kafka-topic event does not expose Lambda's Kafka error handling controls "
    "(retry limit, record age, bisection, on-failure destination, partial batch response): "
    "a failed batch is read again until it succeeds or its records expire"
)
UNEXPOSED_EVENT_SETTINGS: dict[str, dict[str, str]] = {
    "kinesis-stream": _STREAM_UNEXPOSED,
    "dynamo-db-stream": _STREAM_UNEXPOSED,
    "kafka-topic": {
        key: _KAFKA_NO_CONTROLS
        for key in (
            "maximumRetryAttempts",
            "maximumRecordAgeInSeconds",
            "bisectBatchOnFunctionError",
            "onFailure",
            "destinationConfig",
            "functionResponseTypes",
            "reportBatchItemFailures",
        )
    },
}

NEWER_TRIGGERS: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "websocket-api-gateway": (WEBSOCKET_EVENT_PROPS, ("websocketApiGatewayName", "routeKey")),
    "appsync-api": (APPSYNC_EVENT_PROPS, ("appsyncApiName", "field")),
    # Stream events are checked by their tables and kept as plain Triggers.
    "kinesis-stream": (KINESIS_EVENT_PROPS, ()),
    "dynamo-db-stream": (DYNAMO_STREAM_EVENT_PROPS, ("streamArn",)),
    "kafka-topic": (KAFKA_EVENT_PROPS, ()),
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
