"""Properties of web, private and worker services, multi-container workloads, relational
databases, Redis clusters and web-app firewalls, checked against Stacktape's schema
(types/stacktape-config/web-services.d.ts, private-services.d.ts, worker-services.d.ts,
multi-container-workloads.d.ts, __helpers.d.ts, relational-databases.d.ts, redis-cluster.d.ts,
web-app-firewall.d.ts of stacktape/stacktape). Before, any name and value was accepted there."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stptui.config import Stack, load_stack_text
from stptui.config import normalize_schema as norm

# The property names of each object, as the .d.ts files have them (`SimpleServiceContainer`
# gained `sideContainers` and `usePrivateSubnetsWithNAT` after 5bb1eb5b).
SIMPLE_SERVICE = {
    "connectTo",
    "iamRoleStatements",
    "packaging",
    "environment",
    "logging",
    "resources",
    "scaling",
    "internalHealthCheck",
    "stopTimeout",
    "enableRemoteSessions",
    "volumeMounts",
    "sideContainers",
    "usePrivateSubnetsWithNAT",
}
TABLES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "WebServiceProps": (
        norm.WEB_SERVICE_PROPS,
        SIMPLE_SERVICE
        | {
            "cors",
            "customDomains",
            "loadBalancing",
            "cdn",
            "alarms",
            "disabledGlobalAlarms",
            "deployment",
            "useFirewall",
        },
    ),
    "PrivateServiceProps": (
        norm.PRIVATE_SERVICE_PROPS,
        SIMPLE_SERVICE | {"port", "protocol", "loadBalancing"},
    ),
    "WorkerServiceProps": (norm.WORKER_SERVICE_PROPS, SIMPLE_SERVICE),
    "ContainerWorkloadProps": (
        norm.WORKLOAD_PROPS,
        {
            "connectTo",
            "iamRoleStatements",
            "containers",
            "resources",
            "scaling",
            "deployment",
            "enableRemoteSessions",
            "usePrivateSubnetsWithNAT",
        },
    ),
    "ContainerWorkloadContainer": (
        norm.CONTAINER_PROPS,
        {
            "name",
            "packaging",
            "essential",
            "logging",
            "dependsOn",
            "environment",
            "internalHealthCheck",
            "stopTimeout",
            "volumeMounts",
            "events",
            "loadBalancerHealthCheck",
        },
    ),
    "RelationalDatabaseProps": (
        norm.RELATIONAL_DATABASE_PROPS,
        {
            "credentials",
            "engine",
            "accessibility",
            "deletionProtection",
            "automatedBackupRetentionDays",
            "preferredMaintenanceWindow",
            "alarms",
            "disabledGlobalAlarms",
            "logging",
            "dev",
        },
    ),
    "RedisClusterProps": (
        norm.REDIS_PROPS,
        {
            "enableSharding",
            "numShards",
            "numReplicaNodes",
            "enableAutomaticFailover",
            "instanceSize",
            "logging",
            "automatedBackupRetentionDays",
            "port",
            "defaultUserPassword",
            "accessibility",
            "engineVersion",
            "dev",
        },
    ),
    "WebAppFirewallProps": (
        norm.FIREWALL_PROPS,
        {
            "scope",
            "defaultAction",
            "rules",
            "customResponseBodies",
            "captchaImmunityTime",
            "challengeImmunityTime",
            "tokenDomains",
            "disableMetrics",
            "sampledRequestsEnabled",
        },
    ),
}
LOGGING = {"disabled", "retentionDays", "logForwarding"}
NESTED: dict[str, tuple[set[str], set[str]]] = {
    "customDomains": (
        {"domainName", "customCertificateArn", "disableDnsRecordCreation"},
        {"domainName"},
    ),
    "container resources": (
        {"cpu", "memory", "instanceTypes", "enableWarmPool", "architecture"},
        set(),
    ),
    "scaling": ({"minInstances", "maxInstances", "scalingPolicy"}, set()),
    "scalingPolicy": ({"keepAvgCpuUtilizationUnder", "keepAvgMemoryUtilizationUnder"}, set()),
    "container deployment": (
        {"strategy", "beforeAllowTrafficFunction", "afterTrafficShiftFunction", "testListenerPort"},
        {"strategy"},
    ),
    "internalHealthCheck": (
        {
            "healthCheckCommand",
            "intervalSeconds",
            "timeoutSeconds",
            "retries",
            "startPeriodSeconds",
        },
        {"healthCheckCommand"},
    ),
    # LoadBalancerHealthCheck (multi-container-workloads.d.ts, 5bb1eb5b)
    "loadBalancerHealthCheck": (
        {
            "healthcheckPath",
            "healthcheckInterval",
            "healthcheckTimeout",
            "healthCheckProtocol",
            "healthCheckPort",
        },
        set(),
    ),
    "ports": ({"port", "protocol", "containerPort"}, {"port"}),
    "dependsOn": ({"containerName", "condition"}, {"containerName", "condition"}),
    "custom response body": ({"contentType", "content"}, {"contentType", "content"}),
    "alarm evaluation": ({"period", "evaluationPeriods", "breachedPeriods"}, set()),
    "credentials": ({"masterUserName", "masterUserPassword"}, {"masterUserPassword"}),
    "engine": ({"type", "properties"}, {"type"}),
    "database accessibility": (
        {"accessibilityMode", "forceDisablePublicIp", "whitelistedIps"},
        {"accessibilityMode"},
    ),
    "database logging": (LOGGING | {"logTypes", "engineSpecificOptions"}, set()),
    # PostgresLoggingOptions | MysqlLoggingOptions (relational-databases.d.ts, fec08833).
    "engineSpecificOptions": (
        {
            "log_connections",
            "log_disconnections",
            "log_lock_waits",
            "log_min_duration_statement",
            "log_statement",
            "server_audit_events",
            "long_query_time",
        },
        set(),
    ),
    "primaryInstance": ({"instanceSize", "multiAz"}, {"instanceSize"}),
    "readReplicas": ({"instanceSize", "multiAz"}, {"instanceSize"}),
    "instances": ({"instanceSize"}, {"instanceSize"}),
    "storage": ({"initialSize", "maxSize"}, set()),
    "redis accessibility": ({"accessibilityMode"}, {"accessibilityMode"}),
    "redis logging": (LOGGING | {"format"}, set()),
    "forwardedIPConfig": ({"fallbackBehavior", "headerName"}, {"fallbackBehavior", "headerName"}),
}
ENGINE_SHARED = {"version", "disableAutoMinorVersionUpgrade"}
RDS = (
    ENGINE_SHARED | {"dbName", "port", "storage", "primaryInstance", "readReplicas"},
    {
        "version",
        "primaryInstance",
    },
)
ENGINES: dict[str, tuple[set[str], set[str]]] = {
    **dict.fromkeys(
        (
            "postgres",
            "mariadb",
            "mysql",
            "oracle-ee",
            "oracle-se2",
            "sqlserver-ee",
            "sqlserver-ex",
            "sqlserver-se",
            "sqlserver-web",
        ),
        RDS,
    ),
    **dict.fromkeys(
        ("aurora-mysql", "aurora-postgresql"),
        (ENGINE_SHARED | {"dbName", "port", "instances"}, {"version", "instances"}),
    ),
    **dict.fromkeys(
        ("aurora-mysql-serverless", "aurora-postgresql-serverless"),
        (ENGINE_SHARED | {"dbName", "minCapacity", "maxCapacity", "pauseAfterSeconds"}, set()),
    ),
    # `serverlessReadersCount` is newer than 5bb1eb5b (HEAD's relational-databases.d.ts).
    **dict.fromkeys(
        ("aurora-mysql-serverless-v2", "aurora-postgresql-serverless-v2"),
        (
            ENGINE_SHARED | {"dbName", "minCapacity", "maxCapacity", "serverlessReadersCount"},
            {"version"},
        ),
    ),
}
RULE_COMMON = {"priority", "name", "disableMetrics", "sampledRequestsEnabled"}
RULES: dict[str, tuple[set[str], set[str]]] = {
    "managed-rule-group": (
        RULE_COMMON | {"vendorName", "excludedRules", "overrideAction"},
        {"priority", "name", "vendorName"},
    ),
    "custom-rule-group": (RULE_COMMON | {"arn", "overrideAction"}, {"priority", "name", "arn"}),
    "rate-based-rule": (
        RULE_COMMON | {"limit", "aggregateBasedOn", "forwardedIPConfig", "action"},
        {"priority", "name", "limit"},
    ),
}


@pytest.mark.parametrize("definition", list(TABLES))
def test_table_holds_exactly_the_schema_names(definition: str) -> None:
    table, names = TABLES[definition]
    assert set(table) == names


# `ServiceHelperContainer` (ContainerWorkloadContainerBase + containerType), ContainerEfsMount,
# and cdn.d.ts's CdnConfiguration, its nested objects and route origins.
SIDE_CONTAINER = (
    {"name", "packaging", "essential", "logging", "dependsOn", "environment"}
    | {"internalHealthCheck", "stopTimeout", "volumeMounts", "containerType"},
    {"name", "packaging", "containerType"},
)
CDN = {
    "enabled",
    "cachingOptions",
    "forwardingOptions",
    "routeRewrites",
    "customDomains",
    "edgeFunctions",
    "cloudfrontPriceClass",
    "defaultRoutePrefix",
    "errorDocument",
    "indexDocument",
    "disableInvalidationAfterDeploy",
    "useFirewall",
}
ALL_NONE_WHITELIST = {"all", "none", "whitelist"}
CDN_NESTED: dict[str, tuple[set[str], set[str]]] = {
    "cachingOptions": (
        {"cacheMethods", "minTTL", "maxTTL", "defaultTTL", "disableCompression"}
        | {"cacheKeyParameters", "cachePolicyId"},
        set(),
    ),
    "cacheKeyParameters": ({"cookies", "headers", "queryString"}, set()),
    "cache key cookies": (ALL_NONE_WHITELIST | {"allExcept"}, set()),
    "cache key headers": ({"none", "whitelist"}, set()),
    "cache key queryString": (ALL_NONE_WHITELIST, set()),
    "forwardingOptions": (
        {"customRequestHeaders", "allowedMethods", "cookies", "headers", "queryString"}
        | {"originRequestPolicyId"},
        set(),
    ),
    "customRequestHeaders": ({"headerName", "value"}, {"headerName", "value"}),
    "forward cookies": (ALL_NONE_WHITELIST, set()),
    "forward headers": (
        {"none", "whitelist", "allViewer", "allViewerAndWhitelistCloudFront", "allExcept"},
        set(),
    ),
    "forward queryString": (ALL_NONE_WHITELIST, set()),
    "edgeFunctions": ({"onRequest", "onResponse", "onOriginRequest", "onOriginResponse"}, set()),
    "routeRewrites": (
        {"path", "routePrefix", "routeTo", "cachingOptions", "forwardingOptions", "edgeFunctions"},
        {"path"},
    ),
}
CDN_ROUTES: dict[str, tuple[set[str], set[str]]] = {
    "application-load-balancer": (
        {"loadBalancerName", "listenerPort", "originDomainName"},
        {"loadBalancerName"},
    ),
    "http-api-gateway": ({"httpApiGatewayName"}, {"httpApiGatewayName"}),
    "function": ({"functionName"}, {"functionName"}),
    "custom-origin": ({"domainName", "protocol", "port"}, {"domainName"}),
    "bucket": ({"bucketName", "disableUrlNormalization"}, {"bucketName"}),
}


def test_nested_and_typed_tables_hold_exactly_the_schema_names() -> None:
    assert {k: (set(p), set(r)) for k, (p, r) in norm.SERVICE_NESTED.items()} == NESTED
    side = (set(norm.SIDE_CONTAINER_PROPS), set(norm.SIDE_CONTAINER_REQUIRED))
    assert side == SIDE_CONTAINER
    mount = norm.VOLUME_MOUNTS["efs"]
    assert set(norm.VOLUME_MOUNTS) == {"efs"}
    assert (set(mount.props), set(mount.required)) == (
        {"efsFilesystemName", "rootDirectory", "mountPath"},
        {"efsFilesystemName", "mountPath"},
    )
    assert set(norm.CDN_PROPS) == CDN
    assert {k: (set(p), set(r)) for k, (p, r) in norm.CDN_NESTED.items()} == CDN_NESTED
    got = {k: (set(t.props), set(t.required)) for k, t in norm.CDN_ROUTES.items()}
    assert got == CDN_ROUTES
    assert set(norm.ALARM_PROPS) == {
        "trigger",
        "evaluation",
        "notificationTargets",
        "includeInHistory",
        "description",
    }
    got = {k: (set(t.props), set(t.required)) for k, t in norm.WEB_SERVICE_ALARM_TRIGGERS.items()}
    compare = {"comparisonOperator"}
    assert got == {
        "http-api-gateway-error-rate": (compare | {"thresholdPercent"}, {"thresholdPercent"}),
        "http-api-gateway-latency": (
            compare | {"thresholdMilliseconds", "statistic"},
            {"thresholdMilliseconds"},
        ),
        "application-load-balancer-error-rate": (
            compare | {"thresholdPercent"},
            {"thresholdPercent"},
        ),
        "application-load-balancer-unhealthy-targets": (
            compare | {"thresholdPercent", "onlyIncludeTargets"},
            {"thresholdPercent"},
        ),
        "application-load-balancer-custom": (
            compare | {"metric", "threshold", "statistic"},
            {"metric", "threshold"},
        ),
    }
    got = {k: (set(t.props), set(t.required)) for k, t in norm.DATABASE_ENGINES.items()}
    assert got == ENGINES
    got = {k: (set(t.props), set(t.required)) for k, t in norm.FIREWALL_RULES.items()}
    assert got == RULES


def test_enums_match_the_schema() -> None:
    assert norm.FIREWALL_PROPS["scope"].enum == ("regional", "cdn")
    assert norm.FIREWALL_PROPS["defaultAction"].enum == ("Allow", "Block")
    assert norm.REDIS_PROPS["engineVersion"].enum == ("7.1", "7.0", "6.2", "6.0")
    assert len(norm.REDIS_INSTANCE_SIZES) == 60
    assert {"cache.t4g.micro", "cache.r7g.16xlarge", "cache.m5.24xlarge"} <= set(
        norm.REDIS_INSTANCE_SIZES
    )
    balancing = norm.SERVICE_LOAD_BALANCING
    assert {k: tuple(v) for k, v in balancing.items()} == {
        "web-service": ("http-api-gateway", "application-load-balancer", "network-load-balancer"),
        "private-service": ("service-connect", "application-load-balancer"),
    }
    # WebServiceAlbLoadBalancingProps, WebServiceNlbLoadBalancingProps; the rest take none.
    health = {"healthcheckPath", "healthcheckInterval", "healthcheckTimeout"}
    alb = balancing["web-service"]["application-load-balancer"]
    nlb = balancing["web-service"]["network-load-balancer"]
    assert alb is not None and (set(alb.props), alb.required) == (health, ())
    assert nlb is not None and set(nlb.props) == health | {
        "healthCheckProtocol",
        "healthCheckPort",
        "ports",
    }
    assert nlb.required == ("ports",)
    assert nlb.props["healthCheckProtocol"].enum == ("HTTP", "TCP")
    assert norm.SERVICE_NESTED["ports"][0]["protocol"].enum == ("TCP", "TLS")
    assert balancing["web-service"]["http-api-gateway"] is None
    assert set(balancing["private-service"].values()) == {None}


# -- behaviour ---------------------------------------------------------------------------------

IMAGE = {"type": "prebuilt-image", "properties": {"image": "nginx"}}
RES = {"cpu": 0.25, "memory": 512}
DB = {
    "credentials": {"masterUserPassword": "secret-password"},
    "engine": {
        "type": "postgres",
        "properties": {"version": "16.6", "primaryInstance": {"instanceSize": "db.t4g.micro"}},
    },
}
REDIS = {"defaultUserPassword": "a-long-redis-password", "instanceSize": "cache.t4g.micro"}


def _stack(resources: dict[str, Any]) -> Stack:
    return load_stack_text(json.dumps({"resources": resources}, indent=1), "s.yml")


def _errors(stack: Stack) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in stack.diagnostics if d.severity == "error"]


def _all(names: set[str]) -> dict[str, None]:
    """Every name, null: a wrong type is reported, but never as an unknown property."""
    return dict.fromkeys(sorted(names))


def test_every_schema_name_is_accepted() -> None:
    container = {**_all(TABLES["ContainerWorkloadContainer"][1]), "name": "app", "packaging": IMAGE}
    stack = _stack(
        {
            "web": {
                "type": "web-service",
                "properties": {**_all(TABLES["WebServiceProps"][1]), "packaging": IMAGE},
            },
            "priv": {
                "type": "private-service",
                "properties": {**_all(TABLES["PrivateServiceProps"][1]), "packaging": IMAGE},
            },
            "worker": {
                "type": "worker-service",
                "properties": {**_all(SIMPLE_SERVICE), "packaging": IMAGE},
            },
            "mcw": {
                "type": "multi-container-workload",
                "properties": {
                    **_all(TABLES["ContainerWorkloadProps"][1]),
                    "containers": [container],
                },
            },
            "db": {
                "type": "relational-database",
                "properties": {**_all(TABLES["RelationalDatabaseProps"][1]), **DB},
            },
            "redis": {
                "type": "redis-cluster",
                "properties": {**_all(TABLES["RedisClusterProps"][1]), **REDIS},
            },
            "waf": {
                "type": "web-app-firewall",
                "properties": {**_all(TABLES["WebAppFirewallProps"][1]), "scope": "regional"},
            },
        }
    )
    assert set(stack.resources) == {"web", "priv", "worker", "mcw", "db", "redis", "waf"}
    assert [d.format() for d in stack.diagnostics if d.code == "unknown-property"] == []


def test_valid_resources_have_no_errors() -> None:
    rules = [
        {
            "type": "managed-rule-group",
            "properties": {
                "name": "AWSManagedRulesCommonRuleSet",
                "vendorName": "AWS",
                "priority": 0,
            },
        },
        {
            "type": "rate-based-rule",
            "properties": {
                "name": "limit",
                "priority": 1,
                "limit": 2000,
                "aggregateBasedOn": "FORWARDED_IP",
                "forwardedIPConfig": {"fallbackBehavior": "MATCH", "headerName": "X-Forwarded-For"},
            },
        },
    ]
    stack = _stack(
        {
            "web": {
                "type": "web-service",
                "properties": {
                    "packaging": IMAGE,
                    "resources": RES,
                    "cors": {"enabled": True, "allowedMethods": ["GET", "POST"]},
                    "customDomains": [{"domainName": "api.example.com"}],
                    "loadBalancing": {"type": "application-load-balancer"},
                    "deployment": {"strategy": "Canary10Percent5Minutes"},
                    "scaling": {"minInstances": 1, "maxInstances": 3},
                },
            },
            "db": {"type": "relational-database", "properties": DB},
            "aurora": {
                "type": "relational-database",
                "properties": {
                    **DB,
                    "engine": {"type": "aurora-mysql-serverless"},
                    "accessibility": {"accessibilityMode": "scoping-workloads-in-vpc"},
                },
            },
            "redis": {"type": "redis-cluster", "properties": REDIS},
            "waf": {"type": "web-app-firewall", "properties": {"scope": "cdn", "rules": rules}},
        }
    )
    assert _errors(stack) == []


@pytest.mark.parametrize(
    ("resource", "code", "words", "hint"),
    [
        (
            {"type": "worker-service", "properties": {"packaging": IMAGE, "cors": {}}},
            "unknown-property",
            "unknown property `cors`",
            None,
        ),
        (
            {"type": "web-service", "properties": {"packaging": IMAGE, "useFirewal": "waf"}},
            "unknown-property",
            "`useFirewal`",
            "did you mean `useFirewall`?",
        ),
        (
            {
                "type": "private-service",
                "properties": {"packaging": IMAGE, "loadBalancing": {"type": "http-api-gateway"}},
            },
            "invalid-value",
            "`type` is 'http-api-gateway'; allowed: service-connect, application-load-balancer",
            None,
        ),
        (
            {"type": "private-service", "properties": {"packaging": IMAGE, "protocol": "https"}},
            "invalid-value",
            "`protocol` is 'https'",
            "did you mean 'http'?",
        ),
        (
            {
                "type": "web-service",
                "properties": {"packaging": IMAGE, "customDomains": [{"domain": "a.example.com"}]},
            },
            "unknown-property",
            "`domain` in `customDomains[0]`",
            "did you mean `domainName`?",
        ),
        (
            {
                "type": "web-service",
                "properties": {"packaging": IMAGE, "deployment": {"strategy": "Canary"}},
            },
            "invalid-value",
            "`strategy` is 'Canary'",
            None,
        ),
        (
            {
                "type": "worker-service",
                "properties": {"packaging": IMAGE, "resources": {**RES, "architecture": "arm"}},
            },
            "invalid-value",
            "`architecture` is 'arm'",
            "did you mean 'arm64'?",
        ),
        (
            {
                "type": "multi-container-workload",
                "properties": {
                    "containers": [{"name": "a", "packaging": IMAGE, "esential": True}],
                    "resources": RES,
                },
            },
            "unknown-property",
            "`esential` in a container",
            "did you mean `essential`?",
        ),
        (
            {
                "type": "multi-container-workload",
                "properties": {"containers": [{"name": "a", "packaging": IMAGE}], "port": 80},
            },
            "unknown-property",
            "unknown property `port`",
            None,
        ),
        (
            {"type": "relational-database", "properties": {**DB, "credentials": {}}},
            "missing-property",
            "`credentials` needs `masterUserPassword`",
            None,
        ),
        (
            {
                "type": "relational-database",
                "properties": {**DB, "engine": {"type": "aurora-postgresql", "properties": {}}},
            },
            "missing-property",
            "`aurora-postgresql` engine needs `instances`",
            None,
        ),
        (
            {
                "type": "relational-database",
                "properties": {**DB, "accessibility": {"accessibilityMode": "private"}},
            },
            "invalid-value",
            "`accessibilityMode` is 'private'",
            None,
        ),
        (
            {"type": "redis-cluster", "properties": {**REDIS, "instanceSize": "cache.t4g.huge"}},
            "invalid-value",
            "`instanceSize` is 'cache.t4g.huge'",
            None,
        ),
        (
            {"type": "redis-cluster", "properties": {**REDIS, "engineVersion": 7.0}},
            "wrong-type",
            "`engineVersion` must be a string, not the number 7.0",
            None,
        ),
        (
            {
                "type": "web-app-firewall",
                "properties": {
                    "scope": "cdn",
                    "rules": [{"type": "managed-rule-group", "properties": {"name": "x"}}],
                },
            },
            "missing-property",
            "`managed-rule-group` rule needs `priority`",
            None,
        ),
        (
            {
                "type": "web-app-firewall",
                "properties": {"scope": "cdn", "rules": [{"type": "ip-rule", "properties": {}}]},
            },
            "invalid-value",
            "`type` is 'ip-rule'",
            None,
        ),
    ],
    ids=[
        "worker has no cors",
        "web misspelt",
        "private lb type",
        "private protocol",
        "custom domain",
        "deployment strategy",
        "architecture",
        "container misspelt",
        "workload property",
        "credentials",
        "aurora instances",
        "db accessibility",
        "redis size",
        "redis version number",
        "firewall rule required",
        "firewall rule type",
    ],
)
def test_a_mistake_is_an_error(
    resource: dict[str, Any], code: str, words: str, hint: str | None
) -> None:
    stack = _stack({"res": resource})
    found = [d for d in stack.diagnostics if d.code == code and words in d.message]
    assert found, [d.format() for d in stack.diagnostics]
    (d,) = found
    assert d.severity == "error"
    assert d.resource == "res"
    assert d.line is not None
    if hint is not None:
        assert d.hint == hint


def test_missing_required_properties_are_named_at_the_properties() -> None:
    text = (
        "resources:\n"
        "  db:\n"
        "    type: relational-database\n"
        "    properties:\n"
        "      deletionProtection: true\n"
        "  cache:\n"
        "    type: redis-cluster\n"
        "    properties:\n"
        "      port: 6380\n"
        "  waf:\n"
        "    type: web-app-firewall\n"
        "    properties: {}\n"
    )
    stack = load_stack_text(text, "s.yml")
    got = {(d.resource, d.message, d.line) for d in stack.diagnostics if d.severity == "error"}
    assert got == {
        ("db", "relational-database 'db' needs `credentials`", 5),
        ("db", "relational-database 'db' needs `engine`", 5),
        ("cache", "redis-cluster 'cache' needs `defaultUserPassword`", 9),
        ("cache", "redis-cluster 'cache' needs `instanceSize`", 9),
        ("waf", "web-app-firewall 'waf' needs `scope`", 12),
    }


def test_a_misspelt_required_property_is_reported_once() -> None:
    props = {"credentials": DB["credentials"], "engin": {}}
    stack = _stack({"db": {"type": "relational-database", "properties": props}})
    assert [(d.code, d.hint) for d in stack.diagnostics if d.severity == "error"] == [
        ("unknown-property", "did you mean `engine`?")
    ]


def test_a_wrong_type_is_reported_once() -> None:
    """`environment`, `resources` and `connectTo` are checked where they are read: the property
    table does not report them a second time."""
    stack = _stack(
        {
            "svc": {
                "type": "worker-service",
                "properties": {"packaging": IMAGE, "resources": [], "connectTo": "x"},
            }
        }
    )
    codes = sorted((d.code, d.line) for d in stack.diagnostics if d.severity == "error")
    assert [c for c, _ in codes] == ["wrong-type", "wrong-type"]


def test_a_legacy_container_workload_is_not_held_to_todays_names() -> None:
    stack = _stack(
        {
            "old": {
                "type": "container-workload",
                "properties": {"containers": [{"name": "a", "packaging": IMAGE, "oldKey": 1}]},
            }
        }
    )
    assert [d.code for d in stack.diagnostics if d.code == "unknown-property"] == []
    assert [d.code for d in stack.diagnostics if d.severity == "warning"] == ["legacy-type"]


def test_an_http_api_gateways_custom_domains_are_checked() -> None:
    stack = _stack(
        {
            "api": {
                "type": "http-api-gateway",
                "properties": {"customDomains": [{"domainName": "a.example.com"}, {"x": 1}]},
            }
        }
    )
    assert sorted(_errors(stack)) == [
        ("missing-property", "`customDomains[1]` needs `domainName`"),
        ("unknown-property", "unknown property `x` in `customDomains[1]`"),
    ]


def test_a_null_containers_list_is_a_wrong_type() -> None:
    stack = load_stack_text(
        "resources:\n  w:\n    type: multi-container-workload\n    properties:\n"
        "      containers: null\n",
        "s.yml",
    )
    (d,) = [d for d in stack.diagnostics if d.severity == "error"]
    assert (d.code, d.line, d.column) == ("wrong-type", 5, 19)
    assert "`containers` must be a list" in d.message


def test_a_services_events_are_reported_once() -> None:
    stack = _stack(
        {"svc": {"type": "web-service", "properties": {"packaging": IMAGE, "events": []}}}
    )
    assert [d.code for d in stack.diagnostics if d.severity == "error"] == ["event-not-accepted"]
