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


ANY = P("any")

LIST = P("list")

DICT = P("dict")

BOOL = P("bool")

STR = P("str")

MIN_PORT, MAX_PORT = 1, 65535

PORT = P("int", lo=MIN_PORT, hi=MAX_PORT)

_NUM = P("num")

# A container's `stopTimeout`: "The timeout must be between 2 and 120 seconds" (Stacktape,
# `ContainerWorkloadContainerBase.stopTimeout`, prose the schema does not carry); ECS takes
# at most 120 s on Fargate (`ContainerDefinition.stopTimeout`).
MIN_STOP_TIMEOUT_S, MAX_STOP_TIMEOUT_S = 2, 120

STOP_TIMEOUT = P("num", lo=MIN_STOP_TIMEOUT_S, hi=MAX_STOP_TIMEOUT_S)

TOP_LEVEL = {
    # `region` is newer than the schema snapshot above (`_root.d.ts`, commit 69ac010e).
    "region": STR,
    "serviceName": STR,
    "providerConfig": DICT,
    "budgetControl": DICT,
    "variables": DICT,
    # A list is the older spelling many of Stacktape's starter projects still use (warned).
    "hooks": P("dict|list"),
    "scripts": DICT,
    "directives": LIST,
    "deploymentConfig": DICT,
    "stackConfig": DICT,
    "resources": DICT,
    "cloudformationResources": DICT,
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
    "packaging": DICT,
    "events": LIST,
    "environment": P("list|dict"),
    "connectTo": LIST,
    "iamRoleStatements": LIST,
    "runtime": P("str", enum=tuple(RUNTIMES)),
    "architecture": P("str", enum=("x86_64", "arm64")),
    "memory": P("int", lo=128, hi=10240),
    "timeout": P("int", lo=1, hi=900),
    "storage": P("int", lo=512, hi=10240),
    "joinDefaultVpc": BOOL,
    "destinations": DICT,
    "reservedConcurrency": P("int", lo=0),
    "provisionedConcurrency": P("int", lo=0),
    "layers": LIST,
    "logging": DICT,
    "deployment": DICT,
    "url": DICT,
    "cdn": DICT,
    "alarms": LIST,
    "disabledGlobalAlarms": LIST,
    "tags": LIST,
    "volumeMounts": LIST,
}

# AWS Batch's least timeout.attemptDurationSeconds (aws-semantics §7).
MIN_ATTEMPT_DURATION_S = 60

BATCH_PROPS = {
    "container": DICT,
    "resources": DICT,
    # AWS Batch's attemptDurationSeconds is at least 60 (aws-semantics §7); 0 is no timeout
    # (StackBuilder's batch job checks both).
    "timeout": P("int", lo=0),
    "useSpotInstances": BOOL,
    "retryConfig": DICT,
    "logging": DICT,
    "events": LIST,
    "connectTo": LIST,
    "iamRoleStatements": LIST,
}

# Nested objects of the common resource types (types/stacktape-config/*.d.ts of
# stacktape/stacktape; each `additionalProperties: false` in the schema): name -> (its
# properties, the required ones).
# CloudWatch Logs' retention periods, the only values the schema's `retentionDays` takes.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)

_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*")

_LOGGING = {
    "disabled": BOOL,
    "retentionDays": P("int", enum=LOG_RETENTION_DAYS),
    "logForwarding": DICT,
}

_CORS = {
    "enabled": BOOL,
    "allowedOrigins": LIST,
    "allowedHeaders": LIST,
    "allowedMethods": LIST,
    "allowCredentials": BOOL,
    "exposedResponseHeaders": LIST,
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

_RULE_BASE = {"prefix": STR, "tags": LIST}

NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    # LambdaFunctionLogging, BatchJobLogging
    "logging": (_LOGGING, ()),
    # HttpApiAccessLogsConfig
    "gateway logging": ({**_LOGGING, "format": P("str", enum=("CLF", "JSON", "XML", "CSV"))}, ()),
    # LambdaUrlConfig, LambdaUrlCorsConfig, HttpApiCorsConfig
    "url": (
        {
            "enabled": BOOL,
            "cors": DICT,
            "authMode": P("str", enum=("AWS_IAM", "NONE")),
            "responseStreamEnabled": BOOL,
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
            "beforeAllowTrafficFunction": STR,
            "afterTrafficShiftFunction": STR,
        },
        ("strategy",),
    ),
    # BucketAccessibility, BucketCorsConfig, BucketCorsRule
    "accessibility": (
        {
            "accessibilityMode": P("str", enum=("private", "public-read-write", "public-read")),
            "accessPolicyStatements": LIST,
        },
        ("accessibilityMode",),
    ),
    "bucket cors": ({"enabled": BOOL, "corsRules": LIST}, ("enabled",)),
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
METHOD_ITEMS = P("str", enum=_HTTP_METHODS)

BUCKET_METHOD_ITEMS = P("str", enum=tuple(m for m in _HTTP_METHODS if m != "OPTIONS"))

# `packaging`: a `type` and its `properties` (types/stacktape-config/deployment-artifacts.d.ts
# of stacktape/stacktape, commit 51440748, every object `additionalProperties: false` in the
# schema). Each table holds every property name of one packaging type's properties.
# `type` is checked against the types of the resource (StackBuilder._packaging).
PACKAGING_KEYS = {"type": ANY, "properties": DICT}

_BUILDPACK_SHARED = {
    "entryfilePath": STR,
    "includeFiles": LIST,
    "excludeFiles": LIST,
    "excludeDependencies": LIST,
    "languageSpecificConfig": DICT,
}

_IMAGE_BUILDPACK = {
    **_BUILDPACK_SHARED,
    "requiresGlibcBinaries": BOOL,
    "customDockerBuildCommands": LIST,
}

_PREBUILT_BJ = {"image": STR, "command": LIST}

_DOCKERFILE_BJ = {
    "dockerfilePath": STR,
    "buildContextPath": STR,
    "buildArgs": LIST,
    "command": LIST,
}

_EXTERNAL_BUILDPACK = {
    "builder": STR,
    "buildpacks": LIST,
    "sourceDirectoryPath": STR,
    "command": LIST,
}

_NIXPACKS = {
    "sourceDirectoryPath": STR,
    "buildImage": STR,
    "providers": LIST,
    "startCmd": STR,
    "startRunImage": STR,
    "startOnlyIncludeFiles": LIST,
    "phases": LIST,
}


# The entries of a packaging's `buildArgs` (`DockerBuildArg`) and `phases` (`NixpacksPhase`),
# deployment-artifacts.d.ts (636f4cd0).
PACKAGING_ITEMS: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "buildArgs": ({"argName": STR, "value": STR}, ("argName", "value")),
    "phases": (
        {
            "name": STR,
            "cmds": LIST,
            "nixPkgs": LIST,
            "nixLibs": LIST,
            "nixOverlay": LIST,
            "nixpkgsArchive": STR,
            "aptPkgs": LIST,
            "cacheDirectories": LIST,
            "onlyIncludeFiles": LIST,
        },
        ("name",),
    ),
}

# The buildpacks whose properties hold a `languageSpecificConfig` (`StpBuildpackSharedProps`).
LANGUAGE_CONFIG_PACKAGING = ("stacktape-lambda-buildpack", "stacktape-image-buildpack")


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
            {**_BUILDPACK_SHARED, "handlerFunction": STR}, ("entryfilePath",)
        ),
        "custom-artifact": PackagingType({"packagePath": STR, "handler": STR}, ("packagePath",)),
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
            {**_DOCKERFILE_BJ, "entryPoint": LIST}, ("buildContextPath",)
        ),
        "prebuilt-image": PackagingType(
            {**_PREBUILT_BJ, "repositoryCredentialsSecretArn": STR, "entryPoint": LIST},
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
        "tsConfigPath": STR,
        "emitTsDecoratorMetadata": BOOL,
        "dependenciesToExcludeFromBundle": LIST,
        "outputModuleFormat": P("str", enum=("cjs", "esm")),
        "nodeVersion": P("int", enum=tuple(range(16, 25))),
        "disableSourceMaps": BOOL,
        "outputSourceMapsTo": STR,
        "dependenciesToExcludeFromDeploymentPackage": LIST,
        # Newer than that reference: Stacktape's own generated packaging benchmark
        # (stacktape/packaging-benchmark, fixtures/generate.ts) sets it with `nodeVersion`.
        "minify": BOOL,
    },
    "Python": {
        "packageManagerFile": STR,
        "packageManager": STR,
        "uvOptionalDependencies": LIST,
        "uvWithGroups": LIST,
        "uvWithoutGroups": LIST,
        "uvOnlyGroups": LIST,
        # Numbers: YAML reads `3.10` as 3.1, which is none of them.
        "pythonVersion": P("num", enum=(2.7, 3.6, 3.7, 3.8, 3.9, 3.11, 3.12, 3.13, 3.14)),
        "runAppAs": P("str", enum=("ASGI", "WSGI")),
        "minify": BOOL,
    },
    "Java": {
        "useMaven": BOOL,
        "packageManagerFile": STR,
        "javaVersion": P("int", enum=(8, 11, 17, 19)),
    },
    "PHP": {"phpVersion": P("num", enum=(8.2, 8.3))},
    ".NET": {"projectFile": STR, "dotnetVersion": P("int", enum=(6, 8))},
    "Go": {},
    "Ruby": {"rubyVersion": P("num", enum=(3.2, 3.3))},
}

# Every language config's properties (where two share a name, they share its shape).
ANY_LANGUAGE_CONFIG = {k: v for t in LANGUAGE_SPECIFIC_CONFIGS.values() for k, v in t.items()}

# The language of an entry file, by its extension; any other extension is checked against
# every language's options.
LANGUAGE_BY_EXTENSION = {
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

HOLDER_WORDS = {"function": "a function", "batch-job": "a batch job", "container": "a container"}

# The buildpack of the other kind of workload, for a type written on the wrong one.
BUILDPACK_SWAP = {
    "stacktape-image-buildpack": "stacktape-lambda-buildpack",
    "stacktape-lambda-buildpack": "stacktape-image-buildpack",
}

QUEUE_PROPS = {
    "delayMessagesSecond": P("int", lo=0, hi=900),
    "maxMessageSizeBytes": P("int", lo=1024, hi=1_048_576),
    "messageRetentionPeriodSeconds": P("int", lo=60, hi=1_209_600),
    "longPollingSeconds": P("int", lo=0, hi=20),
    "visibilityTimeoutSeconds": P("int", lo=0, hi=43_200),
    "fifoEnabled": BOOL,
    "fifoHighThroughput": BOOL,
    "contentBasedDeduplication": BOOL,
    "redrivePolicy": DICT,
    "policyStatements": LIST,
    "alarms": LIST,
    "disabledGlobalAlarms": LIST,
    "events": LIST,
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

BUS_PROPS = {"eventSourceName": STR, "archivation": DICT}

BUCKET_PROPS = {
    "directoryUpload": DICT,
    "accessibility": DICT,
    "cors": DICT,
    "versioning": BOOL,
    "encryption": BOOL,
    "lifecycleRules": LIST,
    "enableEventBusNotifications": BOOL,
    "cdn": DICT,
}

GATEWAY_PROPS = {
    "payloadFormat": P("str", enum=("1.0", "2.0")),
    "cors": DICT,
    "logging": DICT,
    "customDomains": LIST,
    "cdn": DICT,
    "alarms": LIST,
    "disabledGlobalAlarms": LIST,
}

TOPIC_PROPS = {"smsDisplayName": STR, "fifoEnabled": BOOL, "contentBasedDeduplication": BOOL}

# -- container services and workloads ---------------------------------------------------------
# types/stacktape-config/multi-container-workloads.d.ts (commit 5bb1eb5b) and __helpers.d.ts
# (`SimpleServiceContainer`, `ResourceAccessProps`, `DomainConfiguration`; a later commit adds
# `sideContainers` and `usePrivateSubnetsWithNAT`), web-services.d.ts, private-services.d.ts,
# worker-services.d.ts (5bb1eb5b): every object `additionalProperties: false` in the schema.
# Numbers carry no range: the schema gives none (the ranges in the docs are prose).
# `environment` also takes a map, as a function's does (reference: stacktape-config §8).
_RESOURCE_ACCESS = {"connectTo": LIST, "iamRoleStatements": LIST}

SIMPLE_SERVICE_PROPS = {
    **_RESOURCE_ACCESS,
    "packaging": DICT,
    "environment": P("list|dict"),
    "logging": DICT,
    "resources": DICT,
    "scaling": DICT,
    "internalHealthCheck": DICT,
    "stopTimeout": STOP_TIMEOUT,
    "enableRemoteSessions": BOOL,
    "volumeMounts": LIST,
    "sideContainers": LIST,
    "usePrivateSubnetsWithNAT": BOOL,
}

WEB_SERVICE_PROPS = {
    **SIMPLE_SERVICE_PROPS,
    "cors": DICT,
    "customDomains": LIST,
    "loadBalancing": DICT,
    "cdn": DICT,
    "alarms": LIST,
    "disabledGlobalAlarms": LIST,
    "deployment": DICT,
    "useFirewall": STR,
}

PRIVATE_SERVICE_PROPS = {
    **SIMPLE_SERVICE_PROPS,
    "port": _NUM,
    "protocol": P("str", enum=("http", "http2", "grpc")),
    "loadBalancing": DICT,
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
_HEALTHCHECK = {"healthcheckPath": STR, "healthcheckInterval": _NUM, "healthcheckTimeout": _NUM}

SERVICE_LOAD_BALANCING: dict[str, dict[str, PackagingType | None]] = {
    "web-service": {
        "http-api-gateway": None,
        "application-load-balancer": PackagingType(_HEALTHCHECK, ()),
        "network-load-balancer": PackagingType(
            {
                **_HEALTHCHECK,
                "healthCheckProtocol": P("str", enum=("HTTP", "TCP")),
                "healthCheckPort": _NUM,
                "ports": LIST,
            },
            ("ports",),
        ),
    },
    "private-service": {"service-connect": None, "application-load-balancer": None},
}

# The load balancing types whose `properties` may be left out.
OPTIONAL_BALANCING_PROPERTIES = ("application-load-balancer",)

# Stacktape's newer docs (new-docs/networking, new-docs/compute) write `loadBalancing.properties`
# with these names, attaching a service to a gateway or load balancer of the stack (lint_compute
# honours `loadBalancerName`): a shape no stored schema holds, so `properties` holding any of
# them are left as written rather than rejected.
NEWER_DOCS_BALANCING = ("loadBalancerName", "httpApiGatewayName", "port", "priority", "paths")

WORKLOAD_PROPS = {
    **_RESOURCE_ACCESS,
    "containers": LIST,
    "resources": DICT,
    "scaling": DICT,
    "deployment": DICT,
    "enableRemoteSessions": BOOL,
    "usePrivateSubnetsWithNAT": BOOL,
}

# `ContainerWorkloadContainerBase`: what a workload's containers and a service's
# `sideContainers` entries share.
_CONTAINER_BASE = {
    "name": STR,
    "packaging": DICT,
    "essential": BOOL,
    "logging": DICT,
    "dependsOn": LIST,
    "environment": P("list|dict"),
    "internalHealthCheck": DICT,
    "stopTimeout": STOP_TIMEOUT,
    "volumeMounts": LIST,
}

# `ContainerWorkloadContainer`
CONTAINER_PROPS = {**_CONTAINER_BASE, "events": LIST, "loadBalancerHealthCheck": DICT}

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
    "credentials": DICT,
    "engine": DICT,
    "accessibility": DICT,
    "deletionProtection": BOOL,
    "automatedBackupRetentionDays": _NUM,
    "preferredMaintenanceWindow": STR,
    "alarms": LIST,
    "disabledGlobalAlarms": LIST,
    "logging": DICT,
    "dev": DICT,
}

_ENGINE_SHARED = {"version": STR, "disableAutoMinorVersionUpgrade": BOOL}

_RDS_ENGINE = PackagingType(
    {
        **_ENGINE_SHARED,
        "dbName": STR,
        "port": _NUM,
        "storage": DICT,
        "primaryInstance": DICT,
        "readReplicas": LIST,
    },
    ("version", "primaryInstance"),
)

_AURORA_ENGINE = PackagingType(
    {**_ENGINE_SHARED, "dbName": STR, "port": _NUM, "instances": LIST},
    ("version", "instances"),
)

_AURORA_SERVERLESS_ENGINE = PackagingType(
    {
        **_ENGINE_SHARED,
        "dbName": STR,
        "minCapacity": _NUM,
        "maxCapacity": _NUM,
        "pauseAfterSeconds": _NUM,
    },
    (),
)

_AURORA_SERVERLESS_V2_ENGINE = PackagingType(
    {
        **_ENGINE_SHARED,
        "dbName": STR,
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
    "enableSharding": BOOL,
    "numShards": _NUM,
    "numReplicaNodes": _NUM,
    "enableAutomaticFailover": BOOL,
    "instanceSize": P("str", enum=REDIS_INSTANCE_SIZES),
    "logging": DICT,
    "automatedBackupRetentionDays": _NUM,
    "port": _NUM,
    "defaultUserPassword": STR,
    "accessibility": DICT,
    "engineVersion": P("str", enum=("7.1", "7.0", "6.2", "6.0")),
    "dev": DICT,
}

REDIS_REQUIRED = ("defaultUserPassword", "instanceSize")

# -- web-app-firewall: web-app-firewall.d.ts (commit 5bb1eb5b).
FIREWALL_PROPS = {
    "scope": P("str", enum=("regional", "cdn")),
    "defaultAction": P("str", enum=("Allow", "Block")),
    "rules": LIST,
    "customResponseBodies": DICT,
    "captchaImmunityTime": _NUM,
    "challengeImmunityTime": _NUM,
    "tokenDomains": LIST,
    "disableMetrics": BOOL,
    "sampledRequestsEnabled": BOOL,
}

_RULE_COMMON = {
    "priority": _NUM,
    "name": STR,
    "disableMetrics": BOOL,
    "sampledRequestsEnabled": BOOL,
}

_OVERRIDE_ACTION = P("str", enum=("None", "Count"))

# A firewall rule's `type` -> its properties (`ManagedRuleGroupProps`, `CustomRuleGroupProps`,
# `RateBasedStatementProps`, each extending `CommonRuleProps`).
FIREWALL_RULES: dict[str, PackagingType] = {
    "managed-rule-group": PackagingType(
        {
            **_RULE_COMMON,
            "vendorName": STR,
            "excludedRules": LIST,
            "overrideAction": _OVERRIDE_ACTION,
        },
        ("priority", "name", "vendorName"),
    ),
    "custom-rule-group": PackagingType(
        {**_RULE_COMMON, "arn": STR, "overrideAction": _OVERRIDE_ACTION},
        ("priority", "name", "arn"),
    ),
    "rate-based-rule": PackagingType(
        {
            **_RULE_COMMON,
            "limit": _NUM,
            "aggregateBasedOn": P("str", enum=("IP", "FORWARDED_IP")),
            "forwardedIPConfig": DICT,
            "action": P("str", enum=("Allow", "Block", "Count", "Captcha", "Challenge")),
        },
        ("priority", "name", "limit"),
    ),
}

# The entries of `volumeMounts` (`ContainerEfsMount`, `ContainerEfsMountProps` in
# multi-container-workloads.d.ts, commit 5bb1eb5b): EFS is the one type.
VOLUME_MOUNTS: dict[str, PackagingType] = {
    "efs": PackagingType(
        {"efsFilesystemName": STR, "rootDirectory": STR, "mountPath": STR},
        ("efsFilesystemName", "mountPath"),
    ),
}

# A function's `volumeMounts` (`LambdaEfsMount`, functions.d.ts 5bb1eb5b; and `s3files`, whose
# `accessPointArn` may be a CloudFormation intrinsic: packages/config's LambdaS3FilesMount).
FUNCTION_VOLUME_MOUNTS: dict[str, PackagingType] = {
    **VOLUME_MOUNTS,
    "s3files": PackagingType(
        {"accessPointArn": P("str|dict"), "mountPath": STR}, ("accessPointArn", "mountPath")
    ),
}

# Stacktape's newer docs (new-docs/storage/efs-filesystem and the compute pages) write a mount
# flat, with these names and no `type`: a shape no stored schema holds, left as written.
NEWER_DOCS_MOUNT = ("efsStorageName", "containerPath", "readOnly")

# -- a web service's `cdn`: `CdnConfiguration` and the objects in it (cdn.d.ts, commit 5bb1eb5b;
# the later versions stored hold the same names).
CACHE_METHODS = P("str", enum=("GET", "HEAD", "OPTIONS"))

FORWARD_METHODS = P("str", enum=("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"))

CDN_PROPS = {
    "enabled": BOOL,
    "cachingOptions": DICT,
    "forwardingOptions": DICT,
    "routeRewrites": LIST,
    "customDomains": LIST,
    "edgeFunctions": DICT,
    "cloudfrontPriceClass": P("str", enum=("PriceClass_100", "PriceClass_200", "PriceClass_All")),
    "defaultRoutePrefix": STR,
    "errorDocument": STR,
    "indexDocument": STR,
    "disableInvalidationAfterDeploy": BOOL,
    "useFirewall": STR,
}

# A bucket's `cdn`: `BucketCdnConfiguration` (buckets.d.ts, commit 5bb1eb5b), a
# `CdnConfiguration` with two more properties. A function's and an HTTP API gateway's `cdn`
# is a `CdnConfiguration` (functions.d.ts, http-api-gateways.d.ts), read with CDN_PROPS.
BUCKET_CDN_PROPS = {
    **CDN_PROPS,
    "rewriteRoutesForSinglePageApp": BOOL,
    "disableUrlNormalization": BOOL,
}

# Stacktape's older docs and starter projects (docs/code-snippets/cdns/disable-invalidation,
# starter-projects/angular-starter) write `invalidateAfterDeploy: false`; today's schema has
# `disableInvalidationAfterDeploy: true`.
OLD_INVALIDATION, NEW_INVALIDATION = "invalidateAfterDeploy", "disableInvalidationAfterDeploy"

# A route rewrite's `routeTo`: its `type` -> its origin (`CdnLoadBalancerOrigin`,
# `CdnHttpApiGatewayOrigin`, `CdnLambdaFunctionOrigin`, `CdnCustomOrigin`, `CdnBucketOrigin`).
CDN_ROUTES: dict[str, PackagingType] = {
    "application-load-balancer": PackagingType(
        {"loadBalancerName": STR, "listenerPort": _NUM, "originDomainName": STR},
        ("loadBalancerName",),
    ),
    "http-api-gateway": PackagingType({"httpApiGatewayName": STR}, ("httpApiGatewayName",)),
    "function": PackagingType({"functionName": STR}, ("functionName",)),
    "custom-origin": PackagingType(
        {"domainName": STR, "protocol": P("str", enum=("HTTP", "HTTPS")), "port": _NUM},
        ("domainName",),
    ),
    "bucket": PackagingType({"bucketName": STR, "disableUrlNormalization": BOOL}, ("bucketName",)),
}

_ALL_NONE_WHITELIST = {"all": BOOL, "none": BOOL, "whitelist": LIST}

CDN_NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    # CdnCachingOptions, CdnCacheKey, CacheKeyCookies, CacheKeyHeaders, CacheKeyQueryString
    "cachingOptions": (
        {
            "cacheMethods": LIST,
            "minTTL": _NUM,
            "maxTTL": _NUM,
            "defaultTTL": _NUM,
            "disableCompression": BOOL,
            "cacheKeyParameters": DICT,
            "cachePolicyId": STR,
        },
        (),
    ),
    "cacheKeyParameters": ({"cookies": DICT, "headers": DICT, "queryString": DICT}, ()),
    "cache key cookies": ({**_ALL_NONE_WHITELIST, "allExcept": LIST}, ()),
    "cache key headers": ({"none": BOOL, "whitelist": LIST}, ()),
    "cache key queryString": (_ALL_NONE_WHITELIST, ()),
    # CdnForwardingOptions, CdnCustomRequestHeader, ForwardCookies, ForwardHeaders,
    # ForwardQueryString
    "forwardingOptions": (
        {
            "customRequestHeaders": LIST,
            "allowedMethods": LIST,
            "cookies": DICT,
            "headers": DICT,
            "queryString": DICT,
            "originRequestPolicyId": STR,
        },
        (),
    ),
    "customRequestHeaders": ({"headerName": STR, "value": STR}, ("headerName", "value")),
    "forward cookies": (_ALL_NONE_WHITELIST, ()),
    "forward headers": (
        {
            "none": BOOL,
            "whitelist": LIST,
            "allViewer": BOOL,
            "allViewerAndWhitelistCloudFront": LIST,
            "allExcept": LIST,
        },
        (),
    ),
    "forward queryString": (_ALL_NONE_WHITELIST, ()),
    # EdgeFunctionsConfig, CdnRouteRewrite
    "edgeFunctions": (
        {"onRequest": STR, "onResponse": STR, "onOriginRequest": STR, "onOriginResponse": STR},
        (),
    ),
    "routeRewrites": (
        {
            "path": STR,
            "routePrefix": STR,
            "routeTo": DICT,
            "cachingOptions": DICT,
            "forwardingOptions": DICT,
            "edgeFunctions": DICT,
        },
        ("path",),
    ),
}

# -- a web service's `alarms`: `HttpApiGatewayAlarm | ApplicationLoadBalancerAlarm` (alarms.d.ts,
# commit fec08833; `includeInHistory` from the later 09ba1d4f) and their triggers, with
# `ApplicationLoadBalancerCustomTrigger` from alarm-metrics.d.ts.
ALARM_PROPS = {
    "trigger": DICT,
    "evaluation": DICT,
    "notificationTargets": LIST,
    "includeInHistory": BOOL,
    "description": STR,
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
        {"thresholdPercent": _NUM, "onlyIncludeTargets": LIST, "comparisonOperator": _COMPARISON},
        ("thresholdPercent",),
    ),
    "application-load-balancer-custom": PackagingType(
        {
            "metric": STR,
            "threshold": _NUM,
            "statistic": _STATISTIC,
            "comparisonOperator": _COMPARISON,
        },
        ("metric", "threshold"),
    ),
}

# An alarm whose type has neither prefix belongs to another resource type: lint_compute
# reports it against the service's load balancing (Stacktape e80), so it is not read here.
WEB_SERVICE_ALARM_PREFIXES = ("http-api-gateway-", "application-load-balancer-")

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
    # `ApplicationLoadBalancerAlarm` (application-load-balancers.d.ts, alarms.d.ts).
    "application-load-balancer": {
        k: v
        for k, v in WEB_SERVICE_ALARM_TRIGGERS.items()
        if k.startswith("application-load-balancer-")
    },
}

# Triggers that take no `properties`.
NO_PROPERTIES_TRIGGERS = ("sqs-queue-not-empty",)

# An alarm's `notificationTargets` (`AlarmUserIntegration` in alarms.d.ts, 09ba1d4f): the
# integrations of user-integrations.d.ts (fec08833, where `slack` and `ms-teams` may leave out
# `properties`) and the `discord` and `webhook` ones of packages/config/src/user-integrations.ts
# (commit 82ce9777).
NOTIFICATION_TARGETS: dict[str, PackagingType] = {
    "slack": PackagingType(
        {"conversationId": STR, "accessToken": STR}, ("conversationId", "accessToken")
    ),
    "ms-teams": PackagingType({"webhookUrl": STR}, ("webhookUrl",)),
    "email": PackagingType({"sender": STR, "recipient": STR}, ("sender", "recipient")),
    "discord": PackagingType({"webhookUrl": STR}, ("webhookUrl",)),
    "webhook": PackagingType({"url": STR, "secret": STR, "headers": DICT}, ("url",)),
}

OPTIONAL_TARGET_PROPERTIES = ("slack", "ms-teams")

# Stacktape's newer docs (packages/config/src/user-integrations.ts, 82ce9777) write an alarm's
# targets as `notificationChannels`, which also take a `slack-app` channel: a name no stored
# schema holds, so it is read as written, with those types.
NEWER_DOCS_ALARM = {"notificationChannels": LIST}

NEWER_DOCS_CHANNELS = {
    **NOTIFICATION_TARGETS,
    "slack-app": PackagingType({"channel": STR}, ("channel",)),
}

# -- `logging.logForwarding`: `HttpEndpointLogForwarding | HighlightLogForwarding |
# DatadogLogForwarding` (log-forwarding.d.ts, commit 5bb1eb5b), on every logging that has it.
LOG_FORWARDING: dict[str, PackagingType] = {
    "http-endpoint": PackagingType(
        {
            "endpointUrl": STR,
            "gzipEncodingEnabled": BOOL,
            "parameters": DICT,
            "retryDuration": _NUM,
            "accessKey": STR,
        },
        ("endpointUrl",),
    ),
    "highlight": PackagingType({"projectId": STR, "endpointUrl": STR}, ("projectId",)),
    "datadog": PackagingType({"apiKey": STR, "endpointUrl": STR}, ("apiKey",)),
}

# -- IAM statements (__helpers.d.ts, commit fec08833): a workload's `iamRoleStatements` are
# `StpIamRoleStatement`s, a bucket's `accessPolicyStatements` `BucketPolicyIamRoleStatement`s
# (the same with a `Principal`); a queue's `policyStatements` are `SqsQueuePolicyStatement`s
# (sqs-queues.d.ts, 5bb1eb5b). `Effect` is a string in the types; IAM takes only these two
# (IAM JSON policy element reference: "Effect": "Allow" | "Deny"), so a policy with another
# fails to deploy.
_EFFECT = P("str", enum=("Allow", "Deny"))

IAM_STATEMENT_PROPS = {
    "Sid": STR,
    "Effect": _EFFECT,
    "Action": LIST,
    "Condition": ANY,
    "Resource": LIST,
}

BUCKET_POLICY_STATEMENT_PROPS = {**IAM_STATEMENT_PROPS, "Principal": ANY}

SQS_POLICY_STATEMENT_PROPS = {
    "Effect": _EFFECT,
    "Action": LIST,
    "Condition": ANY,
    "Principal": ANY,
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
        {"domainName": STR, "customCertificateArn": STR, "disableDnsRecordCreation": BOOL},
        ("domainName",),
    ),
    # ContainerWorkloadResourcesConfig; Fargate's cpu/memory pairs are lint_compute's.
    "container resources": (
        {
            "cpu": _NUM,
            "memory": _NUM,
            "instanceTypes": LIST,
            "enableWarmPool": BOOL,
            "architecture": P("str", enum=("x86_64", "arm64")),
        },
        (),
    ),
    # ContainerWorkloadScaling, ContainerWorkloadScalingPolicy
    "scaling": (
        {"minInstances": _NUM, "maxInstances": _NUM, "scalingPolicy": DICT},
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
            "beforeAllowTrafficFunction": STR,
            "afterTrafficShiftFunction": STR,
            "testListenerPort": _NUM,
        },
        ("strategy",),
    ),
    # ContainerHealthCheck
    "internalHealthCheck": (
        {
            "healthCheckCommand": LIST,
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
            "containerName": STR,
            "condition": P("str", enum=("COMPLETE", "HEALTHY", "START", "SUCCESS")),
        },
        ("containerName", "condition"),
    ),
    # WebServiceNlbLoadBalancingPort: the entries of a network load balancer's `ports`.
    "ports": (
        {"port": PORT, "protocol": P("str", enum=("TCP", "TLS")), "containerPort": _NUM},
        ("port",),
    ),
    # RelationalDatabaseCredentials, DatabaseAccessibility, RelationalDatabaseLogging
    "credentials": (
        {"masterUserName": STR, "masterUserPassword": STR},
        ("masterUserPassword",),
    ),
    "engine": ({"type": ANY, "properties": DICT}, ("type",)),
    "database accessibility": (
        {
            "accessibilityMode": P(
                "str",
                enum=("internet", "vpc", "scoping-workloads-in-vpc", "whitelisted-ips-only"),
            ),
            "forceDisablePublicIp": BOOL,
            "whitelistedIps": LIST,
        },
        ("accessibilityMode",),
    ),
    "database logging": (
        {**_LOGGING, "logTypes": LIST, "engineSpecificOptions": DICT},
        (),
    ),
    # PostgresLoggingOptions | MysqlLoggingOptions (relational-databases.d.ts, fec08833): the
    # union has no tag, so a key of either is taken.
    "engineSpecificOptions": (
        {
            "log_connections": BOOL,
            "log_disconnections": BOOL,
            "log_lock_waits": BOOL,
            "log_min_duration_statement": _NUM,
            "log_statement": P("str", enum=("none", "ddl", "mod", "all")),
            "server_audit_events": LIST,
            "long_query_time": _NUM,
        },
        (),
    ),
    # RdsEnginePrimaryInstance (and its read replicas), AuroraEngineInstance, RdsEngineStorage
    "primaryInstance": ({"instanceSize": STR, "multiAz": BOOL}, ("instanceSize",)),
    "readReplicas": ({"instanceSize": STR, "multiAz": BOOL}, ("instanceSize",)),
    "instances": ({"instanceSize": STR}, ("instanceSize",)),
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
    "custom response body": ({"contentType": STR, "content": STR}, ("contentType", "content")),
    # ForwardedIPConfig of a rate-based firewall rule
    "forwardedIPConfig": (
        {"fallbackBehavior": P("str", enum=("MATCH", "NO_MATCH")), "headerName": STR},
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
    "routeSelectionExpression": STR,
    "customDomains": LIST,
    "logging": DICT,
}

KAFKA_CLUSTER_PROPS = {"dev": DICT}

# The types whose resource has no `overrides` (`KafkaCluster`, `EmailSender`, and
# `AwsCdkConstruct`, whose `overrides?` is commented out in aws-cdk-construct.d.ts of
# stacktape/stacktape: the schema made from the types refuses the key).
NO_OVERRIDES_TYPES = ("kafka-cluster", "email-sender", "aws-cdk-construct")

APPSYNC_API_PROPS = {
    "authentication": DICT,
    "schemaFilePath": STR,
    "logging": DICT,
    # Stacktape's validateAppSyncApiConfig (config-manager/utils/appsync-apis.ts) refuses
    # values outside these ranges.
    "queryDepthLimit": P("int", lo=0, hi=75),
    "resolverCountLimit": P("int", lo=0, hi=10_000),
    "introspectionEnabled": BOOL,
    "xrayEnabled": BOOL,
    "customDomain": DICT,
}

APPSYNC_API_REQUIRED = ("authentication",)

# `AppSyncApiAuthentication`: only `aws-iam` has no `properties`.
APPSYNC_AUTHENTICATIONS: dict[str, PackagingType] = {
    "aws-iam": PackagingType({}, ()),
    "user-auth-pool": PackagingType({"userAuthPoolName": STR}, ("userAuthPoolName",)),
    "api-key": PackagingType({"expiresAt": STR}, ("expiresAt",)),
}

DSQL_DATABASE_PROPS = {"deletionProtection": BOOL, "kmsKeyArn": STR}

EMAIL_SENDER_PROPS = {"identity": STR, "manageIdentity": BOOL, "configurationSetName": STR}

EMAIL_SENDER_REQUIRED = ("identity",)

# `StateMachineProps` (packages/config/src/state-machines.ts of stacktape/stacktape, commit
# 8a45e4c1): the definition only; what is inside it is checked by stptui.sim.asl.
STATE_MACHINE_PROPS = {"definition": DICT}

# `KinesisStreamProps` (kinesis-streams.d.ts); retention as Kinesis takes it, 24 to 8,760 h.
KINESIS_STREAM_PROPS = {
    "capacityMode": P("str", enum=("ON_DEMAND", "PROVISIONED")),
    "shardCount": P("int", lo=1, hi=10_000),
    "retentionPeriodHours": P("int", lo=24, hi=8760),
    "encryption": DICT,
    "enableEnhancedFanOut": BOOL,
}

DYNAMO_STREAM_TYPE = P("str", enum=("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"))

# `DynamoDbTableProps` (types/stacktape-config/dynamo-db-tables.d.ts of stacktape/stacktape,
# commit fec08833, which adds `dev` to the schema snapshot's names). The shapes of `primaryKey`
# and of each `secondaryIndexes` entry (their parts' names and types) are the linter's
# (lint_listener_access, lint_tables): here they are `any`, and only the names in the key
# parts and in the throughput are checked (DYNAMO_NESTED).
DYNAMO_TABLE_PROPS = {
    "primaryKey": ANY,
    "provisionedThroughput": DICT,
    "enablePointInTimeRecovery": BOOL,
    "streamType": DYNAMO_STREAM_TYPE,
    "secondaryIndexes": ANY,
    "dev": DICT,
}

_SCALING_UNITS = {"minUnits": _NUM, "maxUnits": _NUM, "keepUtilizationUnder": _NUM}

# DynamoDbTablePrimaryKey, DynamoDbAttribute (name and type: the linter's words),
# DynamoDbProvisionedThroughput, DynamoDbWriteScaling / DynamoDbReadScaling.
DYNAMO_NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "primaryKey": ({"partitionKey": ANY, "sortKey": ANY}, ()),
    "key attribute": ({"name": ANY, "type": ANY}, ()),
    "provisionedThroughput": (
        {"readUnits": _NUM, "writeUnits": _NUM, "writeScaling": DICT, "readScaling": DICT},
        ("readUnits", "writeUnits"),
    ),
    "throughput scaling": (_SCALING_UNITS, tuple(_SCALING_UNITS)),
}

# -- types stptui does not simulate, read by their property table alone so that a misspelt
# property is reported as on every other type (types/stacktape-config/*.d.ts of
# stacktape/stacktape, commit fec08833; every one of these objects is
# `additionalProperties: false` in the schema).

# BastionProps; its `logging` (BastionLoggingConfig) holds one BastionLogging per log.
BASTION_PROPS = {"instanceSize": STR, "runCommandsAtLaunch": LIST, "logging": DICT}

# UpstashRedisProps: its one property (Stacktape's older starters also write `enableTls`,
# which no stored version of the type has).
UPSTASH_REDIS_PROPS = {"enableEviction": BOOL}

# EfsFilesystemProps.
EFS_FILESYSTEM_PROPS = {
    "backupEnabled": BOOL,
    "throughputMode": P("str", enum=("elastic", "provisioned", "bursting")),
    "provisionedThroughputInMibps": _NUM,
}

# MongoDbAtlasClusterProps (`clusterTier` required). Tiers and versions are strings: an
# unquoted `version: 6.0` is read by YAML as a number, which the schema refuses.
MONGO_DB_ATLAS_CLUSTER_PROPS = {
    "diskSizeGB": _NUM,
    "clusterTier": STR,
    "version": STR,
    "numShards": P("int", lo=1),
    "replication": DICT,
    "enableBackups": BOOL,
    "enablePointInTimeRecovery": BOOL,
    "biConnector": DICT,
    "autoScaling": DICT,
    "adminUserCredentials": DICT,
}

# EdgeLambdaFunctionProps: Lambda@Edge's limits are 128-10,240 MB and at most 30 s (an origin
# event's; a viewer event's are lower).
EDGE_LAMBDA_FUNCTION_PROPS = {
    "packaging": DICT,
    "runtime": P("str", enum=tuple(r for r in RUNTIMES if r.startswith(("nodejs", "python")))),
    "memory": P("int", lo=128, hi=10240),
    "timeout": P("int", lo=1, hi=30),
    "connectTo": LIST,
    "iamRoleStatements": LIST,
    "logging": DICT,
}

# `SupportedHeaderPreset` (buckets.d.ts): a directory upload's `headersPreset`, a hosting
# bucket's `hostingContentType`.
HEADER_PRESET = P(
    "str",
    enum=(
        "gatsby-static-website",
        "static-website",
        "single-page-app",
        "astro-static-website",
        "sveltekit-static-website",
        "nuxt-static-website",
    ),
)

# HostingBucketProps (`uploadDirectoryPath` required), hosting-buckets.d.ts at stacktape/stacktape
# HEAD (the version that adds `build` and `dev`, which Stacktape's starter projects use).
HOSTING_BUCKET_PROPS = {
    "uploadDirectoryPath": STR,
    "build": DICT,
    "dev": DICT,
    "excludeFilesPatterns": LIST,
    "hostingContentType": HEADER_PRESET,
    "customDomains": LIST,
    "disableUrlNormalization": BOOL,
    "edgeFunctions": DICT,
    "errorDocument": STR,
    "indexDocument": STR,
    "injectEnvironment": LIST,
    "writeDotenvFilesTo": STR,
    "useFirewall": STR,
    "fileOptions": LIST,
    "routeRewrites": LIST,
}

# UserAuthPoolProps (user-pools.d.ts at stacktape/stacktape HEAD, as its generated config
# reference quotes it). `hooks`, `schema` and the token validities are checked where the
# simulator reads them (normalize_gateways), so they are `any` here.
USER_AUTH_POOL_PROPS = {
    "allowOnlyAdminsToCreateAccount": BOOL,
    "unusedAccountValidityDays": _NUM,
    "requireEmailVerification": BOOL,
    "requirePhoneNumberVerification": BOOL,
    "enableHostedUi": BOOL,
    "hostedUiDomainPrefix": STR,
    "hostedUiCSS": STR,
    "hooks": ANY,
    "emailConfiguration": DICT,
    "inviteMessageConfig": DICT,
    "userVerificationType": P("str", enum=("email-link", "email-code", "sms", "none")),
    "userVerificationMessageConfig": DICT,
    "mfaConfiguration": DICT,
    "passwordPolicy": DICT,
    "schema": ANY,
    "allowPhoneNumberAsUserName": BOOL,
    "allowEmailAsUserName": BOOL,
    "accessTokenValiditySeconds": ANY,
    "idTokenValiditySeconds": ANY,
    "refreshTokenValidityDays": ANY,
    "allowedOAuthFlows": LIST,
    "allowedOAuthScopes": LIST,
    "callbackURLs": LIST,
    "logoutURLs": LIST,
    "identityProviders": LIST,
    "useFirewall": STR,
    "customDomain": DICT,
    "generateClientSecret": BOOL,
    "allowOnlyExternalIdentityProviders": BOOL,
}

OAUTH_FLOW_ITEMS = P("str", enum=("code", "implicit", "client_credentials"))

_LAMBDA_MEMORY = P("int", lo=128, hi=10240)

# CustomResourceDefinitionProps (custom-resources.d.ts at stacktape/stacktape HEAD, as its
# generated config reference quotes it) and DeploymentScriptProps (deployment-script.d.ts):
# both `extends ResourceAccessProps`, a function's packaging and limits.
CUSTOM_RESOURCE_DEFINITION_PROPS = {
    "packaging": DICT,
    "environment": P("list|dict"),
    "runtime": P("str", enum=tuple(RUNTIMES)),
    "timeout": P("int", lo=1, hi=900),
    "memory": _LAMBDA_MEMORY,
    **_RESOURCE_ACCESS,
}

DEPLOYMENT_SCRIPT_PROPS = {
    "trigger": P("str", enum=("after:deploy", "before:delete")),
    "packaging": DICT,
    "runtime": P("str", enum=tuple(RUNTIMES)),
    "environment": P("list|dict"),
    "parameters": DICT,
    "memory": _LAMBDA_MEMORY,
    "timeout": P("int", lo=1, hi=900),
    "joinDefaultVpc": BOOL,
    "storage": P("int", lo=512, hi=10240),
    **_RESOURCE_ACCESS,
}

# The types that are a Lambda function Stacktape makes and stptui does not run: their
# properties, the required ones (`packaging` is read as a function's).
LAMBDA_BACKED_TYPES: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "edge-lambda-function": (EDGE_LAMBDA_FUNCTION_PROPS, ("packaging",)),
    "custom-resource-definition": (CUSTOM_RESOURCE_DEFINITION_PROPS, ("packaging",)),
    "deployment-script": (DEPLOYMENT_SCRIPT_PROPS, ("trigger", "packaging")),
}

# CustomResourceInstanceProps; AwsCdkConstructProps (aws-cdk-construct.d.ts, same reference).
CUSTOM_RESOURCE_INSTANCE_PROPS = {"definitionName": STR, "resourceProperties": DICT}

AWS_CDK_CONSTRUCT_PROPS = {"entryfilePath": STR, "exportName": STR, "constructProperties": ANY}

# OpenSearchDomainProps (open-search.d.ts, same reference). Versions are strings: YAML reads
# an unquoted `2.11` as a number, which the schema refuses.
OPEN_SEARCH_DOMAIN_PROPS = {
    "version": STR,
    "clusterConfig": DICT,
    "storage": DICT,
    "userPool": STR,
    "logging": DICT,
    "accessibility": DICT,
}

# The SSR frontends' properties (`AstroWebProps`, `NuxtWebProps`, `RemixWebProps`,
# `SolidStartWebProps`, `SvelteKitWebProps`, `TanStackWebProps`: one shape, and
# `NextjsWebProps`), @generated/llm-docs/config-reference/*/*webprops.md of
# stacktape/stacktape (commit 72109519), which quote each type's definition. `cdn`
# (`SsrWebCdnConfig`) and Next.js's `dev` (`unknown` there) are kept as written.
SSR_WEB_PROPS = {
    "appDirectory": STR,
    "buildCommand": STR,
    "cdn": DICT,
    "customDomains": LIST,
    "dev": DICT,
    "environment": P("list|dict"),
    "fileOptions": LIST,
    "serverLambda": DICT,
    "useFirewall": STR,
    **_RESOURCE_ACCESS,
}

NEXTJS_WEB_PROPS = {
    **SSR_WEB_PROPS,
    "dev": ANY,
    "streamingEnabled": BOOL,
    "useEdgeLambda": BOOL,
    "warmServerInstances": P("int", lo=0),
}

# Type -> (its properties, the required ones).
WEB_APP_TYPES: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    **dict.fromkeys(
        (
            "astro-web",
            "nuxt-web",
            "remix-web",
            "solidstart-web",
            "sveltekit-web",
            "tanstack-web",
        ),
        (SSR_WEB_PROPS, ()),
    ),
    "nextjs-web": (NEXTJS_WEB_PROPS, ("appDirectory",)),
}

# ConvexProps (`appDirectory` required), @generated/llm-docs/config-reference/convex/
# convexprops.md of stacktape/stacktape (72109519); its objects are kept as written.
CONVEX_PROPS = {
    "appDirectory": STR,
    "alarms": LIST,
    "backend": DICT,
    "customDomains": DICT,
    "dashboard": DICT,
    "database": DICT,
    "deletionProtection": BOOL,
    "dev": DICT,
    "disabledGlobalAlarms": LIST,
    "functionsDeployment": DICT,
    "storage": DICT,
}

# The AgentCore types' properties (@generated/llm-docs/config-reference/agentcore.md of
# stacktape/stacktape, a45bcd7a); their objects are kept as written.
_AGENTCORE_BASE = {"description": STR, "tags": LIST}

AGENTCORE_RUNTIME_PROPS = {
    **_AGENTCORE_BASE,
    **_RESOURCE_ACCESS,
    "packaging": DICT,
    "protocol": P("str", enum=("HTTP", "MCP", "A2A", "AGUI")),
    "environment": P("list|dict"),
    "useMemory": STR,
    "useGateway": STR,
    "useBrowser": STR,
    "useCodeInterpreter": STR,
    "endpoints": LIST,
    "lifecycle": DICT,
    "requestHeaders": LIST,
    "authorizer": DICT,
}

AGENTCORE_MEMORY_PROPS = {
    **_AGENTCORE_BASE,
    "expirationDays": _NUM,
    "eventExpiryDuration": _NUM,
    "encryptionKeyArn": STR,
    "memoryStrategies": LIST,
}

AGENTCORE_GATEWAY_PROPS = {
    **_AGENTCORE_BASE,
    "authorizer": DICT,
    "tools": LIST,
    "instructions": STR,
    "supportedVersions": LIST,
    "searchType": STR,
    "exceptionLevel": P("str", enum=("DEBUG",)),
}

AGENTCORE_BROWSER_PROPS = {**_AGENTCORE_BASE, "recording": DICT}

# Their nested objects, read by `StackBuilder.nested`: name -> (properties, required ones).
OPAQUE_NESTED: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    # BastionLoggingConfig
    "bastion logging": ({"messages": DICT, "secure": DICT, "audit": DICT}, ()),
    # MongoDbReplication, MongoDbBiConnector, MongoDbAutoScaling, MongoDbAdminUserCredentials
    "mongo replication": (
        {
            "numAnalyticsNodes": P("int", lo=0),
            "numElectableNodes": P("int", enum=(3, 5, 7)),
            "numReadOnlyNodes": P("int", lo=0),
        },
        (),
    ),
    "mongo biConnector": (
        {"readPreference": P("str", enum=("primary", "secondary", "analytics")), "enabled": BOOL},
        ("enabled",),
    ),
    "mongo autoScaling": (
        {
            "minClusterTier": STR,
            "maxClusterTier": STR,
            "disableDiskScaling": BOOL,
            "disableScaleDown": BOOL,
        },
        (),
    ),
    "mongo adminUserCredentials": ({"userName": STR, "password": STR}, ("userName", "password")),
    # A bucket's `directoryUpload` (`DirectoryUpload`, buckets.d.ts at stacktape/stacktape
    # HEAD as its generated config reference quotes it), each of its `fileOptions`
    # (`DirectoryUploadFilter`) and their `headers` and `tags` (`KeyValuePair`).
    "directoryUpload": (
        {
            "directoryPath": STR,
            "fileOptions": LIST,
            "excludeFilesPatterns": LIST,
            "headersPreset": HEADER_PRESET,
            "disableS3TransferAcceleration": BOOL,
        },
        ("directoryPath",),
    ),
    "fileOptions": (
        {"includePattern": STR, "excludePattern": STR, "headers": LIST, "tags": LIST},
        ("includePattern",),
    ),
    "key value pair": ({"key": STR, "value": STR}, ("key", "value")),
    # A hosting bucket's `build` and `dev` (`HostingBucketBuild`), `injectEnvironment` entries
    # (`EnvironmentVar`).
    "hosting build": ({"command": STR, "workingDirectory": STR}, ("command",)),
    "injectEnvironment": ({"name": STR, "value": P("scalar")}, ("name", "value")),
    # An SSR frontend's `serverLambda` (SsrWebServerLambdaConfig, ssr-web-shared.d.ts
    # 3c2f4571; Next.js's NextjsServerLambdaProperties) and `dev` (SsrWebDevConfig).
    "serverLambda": (
        {
            "memory": P("int", lo=128, hi=10240),
            "timeout": P("int", lo=1),
            "joinDefaultVpc": BOOL,
            "logging": DICT,
        },
        (),
    ),
    "web dev": ({"command": STR, "workingDirectory": STR}, ()),
    # A user pool's EmailConfiguration, InviteMessageConfig, UserVerificationMessageConfig,
    # MfaConfiguration, PasswordPolicy, IdentityProvider and AttributeSchema (its
    # `customDomain` has the shape of a `customDomains` entry).
    "emailConfiguration": ({"sesAddressArn": STR, "from": STR, "replyToEmailAddress": STR}, ()),
    "inviteMessageConfig": ({"emailMessage": STR, "emailSubject": STR, "smsMessage": STR}, ()),
    "userVerificationMessageConfig": (
        {
            "emailMessageUsingCode": STR,
            "emailMessageUsingLink": STR,
            "emailSubjectUsingCode": STR,
            "emailSubjectUsingLink": STR,
            "smsMessage": STR,
        },
        (),
    ),
    "mfaConfiguration": (
        {"status": P("str", enum=("ON", "OFF", "OPTIONAL")), "enabledTypes": LIST},
        (),
    ),
    "passwordPolicy": (
        {
            "minimumLength": P("int"),
            "requireLowercase": BOOL,
            "requireNumbers": BOOL,
            "requireSymbols": BOOL,
            "requireUppercase": BOOL,
            "temporaryPasswordValidityDays": P("int"),
        },
        (),
    ),
    "identityProviders": (
        {
            "type": P(
                "str",
                enum=("Facebook", "Google", "LoginWithAmazon", "OIDC", "SAML", "SignInWithApple"),
            ),
            "clientId": STR,
            "clientSecret": STR,
            "attributeMapping": DICT,
            "authorizeScopes": LIST,
            "providerDetails": DICT,
        },
        ("type", "clientId", "clientSecret"),
    ),
    "attribute schema": (
        {
            "name": STR,
            "attributeDataType": STR,
            "developerOnlyAttribute": BOOL,
            "mutable": BOOL,
            "required": BOOL,
            "numberMaxValue": _NUM,
            "numberMinValue": _NUM,
            "stringMaxLength": _NUM,
            "stringMinLength": _NUM,
        },
        (),
    ),
    # OpenSearchClusterConfig, OpenSearchStorage, OpenSearchLogConfiguration and its
    # OpenSearchLogRetentionSettings (`logClass` read by the newer resolvers, as on other
    # logs), OpenSearchAccessibility.
    "clusterConfig": (
        {
            "instanceType": STR,
            "instanceCount": P("int", lo=1),
            "dedicatedMasterType": STR,
            "dedicatedMasterCount": P("int", lo=1),
            "warmType": STR,
            "warmCount": P("int", lo=0),
            "multiAzDisabled": BOOL,
            "standbyEnabled": BOOL,
        },
        ("instanceType", "instanceCount"),
    ),
    "search storage": ({"size": _NUM, "iops": _NUM, "throughput": _NUM}, ("size",)),
    "search logging": ({"errorLogs": DICT, "searchSlowLogs": DICT, "indexSlowLogs": DICT}, ()),
    "search log": (
        {
            "disabled": BOOL,
            "retentionDays": P("int", enum=LOG_RETENTION_DAYS),
            "logClass": _LOG_CLASS,
        },
        (),
    ),
    "search accessibility": (
        {"accessibilityMode": P("str", enum=("internet", "vpc", "scoping-workloads-in-vpc"))},
        ("accessibilityMode",),
    ),
    # KinesisStreamEncryption (kinesis-streams.d.ts, fec08833)
    "kinesis encryption": ({"enabled": BOOL, "kmsKeyArn": STR}, ("enabled",)),
    # A function's `tags` entries (`CloudformationTag`: name and value, both required)
    "tags": ({"name": STR, "value": STR}, ("name", "value")),
}

# Types read by their property table alone: (table, required properties).
TABLE_ONLY_TYPES: dict[str, tuple[dict[str, P], tuple[str, ...]]] = {
    "kinesis-stream": (KINESIS_STREAM_PROPS, ()),
    "kafka-cluster": (KAFKA_CLUSTER_PROPS, ()),
    "dsql-database": (DSQL_DATABASE_PROPS, ()),
    "email-sender": (EMAIL_SENDER_PROPS, EMAIL_SENDER_REQUIRED),
    "bastion": (BASTION_PROPS, ()),
    "upstash-redis": (UPSTASH_REDIS_PROPS, ()),
    "efs-filesystem": (EFS_FILESYSTEM_PROPS, ()),
    "mongo-db-atlas-cluster": (MONGO_DB_ATLAS_CLUSTER_PROPS, ("clusterTier",)),
    "custom-resource-instance": (
        CUSTOM_RESOURCE_INSTANCE_PROPS,
        ("definitionName", "resourceProperties"),
    ),
    "aws-cdk-construct": (AWS_CDK_CONSTRUCT_PROPS, ("entryfilePath",)),
    "open-search-domain": (OPEN_SEARCH_DOMAIN_PROPS, ()),
    "convex": (CONVEX_PROPS, ("appDirectory",)),
    "agentcore-runtime": (AGENTCORE_RUNTIME_PROPS, ("packaging",)),
    "agentcore-memory": (AGENTCORE_MEMORY_PROPS, ()),
    "agentcore-gateway": (AGENTCORE_GATEWAY_PROPS, ()),
    "agentcore-browser": (AGENTCORE_BROWSER_PROPS, ()),
    "agentcore-code-interpreter": (_AGENTCORE_BASE, ()),
}

# The nested objects of those types: type -> ((the path of the object from `properties`, the
# ALL_NESTED shape it is read against), ...), a parent before its children.
TABLE_ONLY_NESTED: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "bastion": (
        (("logging",), "bastion logging"),
        *((("logging", log), "logging") for log in ("messages", "secure", "audit")),
    ),
    "mongo-db-atlas-cluster": tuple(
        ((key,), f"mongo {key}")
        for key in ("replication", "biConnector", "autoScaling", "adminUserCredentials")
    ),
    "kinesis-stream": ((("encryption",), "kinesis encryption"),),
    "open-search-domain": (
        (("clusterConfig",), "clusterConfig"),
        (("storage",), "search storage"),
        (("accessibility",), "search accessibility"),
        (("logging",), "search logging"),
        *(
            (("logging", log), "search log")
            for log in ("errorLogs", "searchSlowLogs", "indexSlowLogs")
        ),
    ),
}

# The events these types bring (events.ts): `WebSocketApiIntegrationProps`,
# `AppSyncApiIntegrationProps`, and the `lambda` variant of `WebSocketAuthorizer`.
WEBSOCKET_EVENT_PROPS = {
    "websocketApiGatewayName": STR,
    "routeKey": STR,
    "authorizer": DICT,
    "returnResponse": BOOL,
}

APPSYNC_EVENT_PROPS = {"appsyncApiName": STR, "field": STR}

# `KinesisIntegrationProps` and `DynamoDbIntegrationProps` (events.ts), with the ranges AWS's
# CreateEventSourceMapping takes (a DynamoDB stream's batch is at most 1,000 records).
_STREAM_EVENT_PROPS = {
    "maxBatchWindowSeconds": P("int", lo=0, hi=300),
    "batchSize": P("int", lo=1, hi=10_000),
    "startingPosition": P("str", enum=("LATEST", "TRIM_HORIZON")),
    "maximumRetryAttempts": P("int", lo=-1, hi=10_000),
    "onFailure": DICT,
    "parallelizationFactor": P("int", lo=1, hi=10),
    "bisectBatchOnFunctionError": BOOL,
}

KINESIS_EVENT_PROPS = {
    "kinesisStreamName": STR,
    "streamArn": STR,
    "consumerArn": STR,
    "autoCreateConsumer": BOOL,
    **_STREAM_EVENT_PROPS,
}

DYNAMO_STREAM_EVENT_PROPS = {
    "streamArn": STR,
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
    "customKafkaConfiguration": DICT,
    "kafkaClusterName": STR,
    "mskClusterArn": STR,
    KAFKA_LEGACY_SOURCE: STR,
    "topicName": STR,
    "startFrom": P("str", enum=("earliest", "latest")),
    "consumerGroupId": STR,
    "vpc": DICT,
    "batchSize": P("int", lo=1, hi=10_000),
    "maxBatchWindowSeconds": P("int", lo=0, hi=300),
}

# `CustomKafkaEventSource`, its `authentication` (`KafkaSASLAuth` | `KafkaMTLSAuth`) and the
# newest types' `KafkaEventSourceVpcConfig`.
CUSTOM_KAFKA_PROPS = {"bootstrapServers": LIST, "topicName": STR, "authentication": DICT}

CUSTOM_KAFKA_REQUIRED = ("bootstrapServers", "topicName", "authentication")

_SASL = PackagingType({"authenticationSecretArn": STR}, ("authenticationSecretArn",))

KAFKA_AUTHENTICATIONS: dict[str, PackagingType] = {
    "BASIC_AUTH": _SASL,
    "SASL_SCRAM_256_AUTH": _SASL,
    "SASL_SCRAM_512_AUTH": _SASL,
    "MTLS": PackagingType(
        {"clientCertificate": STR, "serverRootCaCertificate": STR}, ("clientCertificate",)
    ),
}

KAFKA_VPC_PROPS = {"securityGroupIds": LIST, "subnetIds": LIST}

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
    "cognito": PackagingType({"userPoolName": STR, "identitySources": LIST}, ("userPoolName",)),
    "lambda": PackagingType(
        {
            "functionName": STR,
            "iamResponse": BOOL,
            "identitySources": LIST,
            "cacheResultSeconds": P("int", lo=0, hi=3600),
        },
        ("functionName",),
    ),
}

HTTP_IDENTITY_SOURCE = re.compile(
    r"^\$(request\.(header|querystring)|context|stageVariables)\.[^\s,]+$"
)

WEBSOCKET_AUTHORIZERS: dict[str, PackagingType] = {
    "aws-iam": PackagingType({}, ()),
    "lambda": PackagingType({"functionName": STR, "identitySources": LIST}, ("functionName",)),
}

# Route keys API Gateway gives a meaning; any other `$` key is refused (Stacktape's
# validateWebsocketApiGatewayConfig, config-manager/utils/websocket-api-gateways.ts).
WEBSOCKET_LIFECYCLE_ROUTES = ("$connect", "$disconnect", "$default")

IDENTITY_SOURCE = re.compile(r"^route\.request\.(header|querystring)\.[^.\s]+$")

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
            "includeVerboseContent": BOOL,
            "logClass": _LOG_CLASS,
        },
        (),
    ),
}

# What `StackBuilder.nested` reads: the common types' objects and these.
ALL_NESTED = {
    **NESTED,
    **SERVICE_NESTED,
    **CDN_NESTED,
    **NEWEST_NESTED,
    **DYNAMO_NESTED,
    **OPAQUE_NESTED,
    **PACKAGING_ITEMS,
}

PAYLOAD_PROPS = {"input": P("dict|str|list|scalar"), "inputPath": STR, "inputTransformer": DICT}

# The keys of a resource and of an event (each `additionalProperties: false` in the schema).
RESOURCE_KEYS = ("type", "properties", "overrides")

EVENT_KEYS = ("type", "properties")

# Required properties of events read without a schema (Stacktape's
# `ApplicationLoadBalancerIntegrationProps`, `NetworkLoadBalancerIntegrationProps`).
OPAQUE_TRIGGER_REQUIRED: dict[str, tuple[str, ...]] = {
    "application-load-balancer": ("loadBalancerName", "priority"),
    "network-load-balancer": ("loadBalancerName",),
}

# The properties of the events read without a table of their own (events.d.ts at
# stacktape/stacktape HEAD, as its generated types quote them:
# `ContainerWorkloadNetworkLoadBalancerIntegrationProps`,
# `ContainerWorkloadServiceConnectIntegrationProps`,
# `ContainerWorkloadInternalIntegrationProps`, `AlarmIntegrationProps`); a container's
# `containerPort` is added by its reader. `alarmName` is checked by lint_alarms.
OPAQUE_TRIGGER_PROPS: dict[str, dict[str, P]] = {
    "network-load-balancer": {"loadBalancerName": STR, "listenerPort": PORT},
    "service-connect": {"alias": STR, "protocol": P("str", enum=("http", "http2", "grpc"))},
    "workload-internal": {},
    "cloudwatch-alarm": {"alarmName": ANY},
}

# `ApplicationLoadBalancerIntegrationProps` (a container's adds `containerPort`) and its
# `LbHeaderCondition` and `LbQueryParamCondition` entries; the linter checks the values
# (lint_listener_rules.py).
ALB_EVENT_PROPS = {
    "loadBalancerName": STR,
    "listenerPort": _NUM,
    "priority": _NUM,
    "paths": LIST,
    "methods": LIST,
    "hosts": LIST,
    "headers": LIST,
    "queryParams": LIST,
    "sourceIps": LIST,
}

# `ApplicationLoadBalancerProps` and its `ApplicationLoadBalancerListener` entries
# (application-load-balancers.d.ts, stacktape/stacktape 5bb1eb5b); a listener's port is one
# ELB's CreateListener takes.
ALB_PROPS = {
    "interface": P("str", enum=("internet", "internal")),
    "customDomains": LIST,
    "listeners": LIST,
    "cdn": DICT,
    "alarms": LIST,
    "disabledGlobalAlarms": LIST,
    "useFirewall": STR,
}

ALB_LISTENER_PROPS = {
    "protocol": P("str", enum=("HTTP", "HTTPS")),
    "port": PORT,
    "customCertificateArns": LIST,
    "whitelistIps": LIST,
    "defaultAction": DICT,
}

# A listener's `defaultAction` (`LbRedirect`, whose one type is `redirect`, and
# `LbRedirectProperties`: `statusCode` required), application-load-balancers.d.ts (fec08833).
ALB_DEFAULT_ACTIONS: dict[str, PackagingType] = {
    "redirect": PackagingType(
        {
            "path": STR,
            "query": STR,
            "port": P("int|str"),
            "host": STR,
            "protocol": P("str", enum=("HTTP", "HTTPS")),
            "statusCode": P("str", enum=("HTTP_301", "HTTP_302")),
        },
        ("statusCode",),
    )
}

# `ApplicationLoadBalancerCdnConfiguration`: a CDN's properties and the listener and origin
# domain it reaches the load balancer by.
ALB_CDN_PROPS = {**CDN_PROPS, "listenerPort": PORT, "originDomainName": STR}

# NetworkLoadBalancerProps and NetworkLoadBalancerListener (network-load-balancer.d.ts; the
# same in packages/config/src/network-load-balancer.ts): `listeners`, and each listener's
# `protocol` and `port`, are required.
NLB_PROPS = {
    "interface": P("str", enum=("internet", "internal")),
    "customDomains": LIST,
    "listeners": LIST,
}

NLB_LISTENER_PROPS = {
    "protocol": P("str", enum=("TCP", "TLS")),
    "port": PORT,
    "customCertificateArns": LIST,
    "whitelistIps": LIST,
}

ALB_CONDITION_ENTRIES: dict[str, tuple[str, dict[str, P]]] = {
    "headers": ("headerName", {"headerName": STR, "values": LIST}),
    "queryParams": ("paramName", {"paramName": STR, "values": LIST}),
}

TRIGGER_PROPS: dict[str, dict[str, P]] = {
    "schedule": {"scheduleRate": STR, **PAYLOAD_PROPS},
    "sqs": {
        "sqsQueueName": STR,
        "sqsQueueArn": STR,
        "batchSize": P("int", lo=1, hi=10_000),
        # Whole seconds, as every mapping's: MaximumBatchingWindowInSeconds is an integer
        # ("in increments of seconds", CreateEventSourceMapping), which CloudFormation checks.
        "maxBatchWindowSeconds": P("int", lo=0, hi=300),
    },
    "s3": {"bucketArn": STR, "s3EventType": STR, "filterRule": DICT},
    "event-bus": {
        "eventBusName": STR,
        "eventBusArn": STR,
        "useDefaultBus": BOOL,
        "eventPattern": DICT,
        "onDeliveryFailure": DICT,
        **PAYLOAD_PROPS,
    },
    "sns": {
        "snsTopicName": STR,
        "snsTopicArn": STR,
        "filterPolicy": DICT,
        "onDeliveryFailure": DICT,
    },
    "http-api-gateway": {
        "httpApiGatewayName": STR,
        "method": P("str", enum=("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*")),
        "path": STR,
        "authorizer": DICT,
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
