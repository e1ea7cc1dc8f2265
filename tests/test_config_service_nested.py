"""The nested objects of container services read against Stacktape's types: a service's
`loadBalancing` per type (web-services.d.ts, private-services.d.ts), containers' `dependsOn`
and `volumeMounts` (multi-container-workloads.d.ts) and services' `sideContainers`
(`ServiceHelperContainer`, __helpers.d.ts)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stptui.config import Stack, load_stack_text

IMAGE = {"type": "prebuilt-image", "properties": {"image": "nginx"}}
RES = {"cpu": 0.25, "memory": 512}
MOUNT = {"type": "efs", "properties": {"efsFilesystemName": "files", "mountPath": "/data"}}


def _stack(resources: dict[str, Any]) -> Stack:
    return load_stack_text(json.dumps({"resources": resources}, indent=1), "s.yml")


def _errors(stack: Stack) -> list[str]:
    return [d.format() for d in stack.diagnostics if d.severity == "error"]


def _service(rtype: str, **props: Any) -> dict[str, Any]:
    return {"s": {"type": rtype, "properties": {"packaging": IMAGE, "resources": RES, **props}}}


def test_valid_nested_objects_have_no_errors() -> None:
    side = {
        "name": "migrate",
        "containerType": "run-on-init",
        "packaging": IMAGE,
        "volumeMounts": [MOUNT],
    }
    nlb = {
        "type": "network-load-balancer",
        "properties": {
            "healthCheckProtocol": "HTTP",
            "healthcheckPath": "/health",
            "ports": [{"port": 443, "containerPort": 8080, "protocol": "TLS"}],
        },
    }
    container = {
        "name": "app",
        "packaging": IMAGE,
        "dependsOn": [{"containerName": "db", "condition": "HEALTHY"}],
        "volumeMounts": [MOUNT],
    }
    stack = _stack(
        {
            **_service("web-service", loadBalancing=nlb, sideContainers=[side]),
            "alb": {
                "type": "web-service",
                "properties": {
                    "packaging": IMAGE,
                    "resources": RES,
                    "loadBalancing": {
                        "type": "application-load-balancer",
                        "properties": {"healthcheckPath": "/", "healthcheckInterval": 10},
                    },
                },
            },
            "priv": {
                "type": "private-service",
                "properties": {
                    "packaging": IMAGE,
                    "resources": RES,
                    "loadBalancing": {"type": "application-load-balancer"},
                },
            },
            "mcw": {
                "type": "multi-container-workload",
                "properties": {
                    "containers": [container, {"name": "db", "packaging": IMAGE}],
                    "resources": RES,
                },
            },
            "files": {"type": "efs-filesystem"},
        }
    )
    assert _errors(stack) == []


def test_the_newer_docs_shapes_are_left_as_written() -> None:
    """Stacktape's newer docs attach a service to a load balancer of the stack by name and
    write mounts flat: shapes no stored schema holds, so never reported."""
    alb = {
        "type": "application-load-balancer",
        "properties": {"loadBalancerName": "alb", "priority": 1, "paths": ["/*"]},
    }
    gateway = {"type": "http-api-gateway", "properties": {"httpApiGatewayName": "api"}}
    mount = {"efsStorageName": "files", "containerPath": "/data", "readOnly": True}
    stack = _stack(
        {
            **_service("web-service", loadBalancing=alb, volumeMounts=[mount]),
            "gw": _service("web-service", loadBalancing=gateway)["s"],
            "alb": {"type": "application-load-balancer"},
            "api": {"type": "http-api-gateway"},
            "files": {"type": "efs-filesystem"},
        }
    )
    assert [e for e in _errors(stack) if "unknown-property" in e or "missing" in e] == []


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        (
            _service(
                "web-service",
                loadBalancing={
                    "type": "application-load-balancer",
                    "properties": {"healthCheckPath": "/"},
                },
            ),
            "unknown property `healthCheckPath` in the `application-load-balancer` load "
            "balancing\n    hint: did you mean `healthcheckPath`?",
        ),
        (
            _service("web-service", loadBalancing={"type": "network-load-balancer"}),
            "`loadBalancing` 'network-load-balancer' needs `properties`",
        ),
        (
            _service(
                "web-service",
                loadBalancing={"type": "network-load-balancer", "properties": {}},
            ),
            "`network-load-balancer` load balancing needs `ports`",
        ),
        (
            _service(
                "web-service",
                loadBalancing={
                    "type": "network-load-balancer",
                    "properties": {"ports": [{"port": 3000, "protocol": "HTTP"}]},
                },
            ),
            "`protocol` is 'HTTP'; allowed: TCP, TLS",
        ),
        (
            _service(
                "web-service",
                loadBalancing={
                    "type": "network-load-balancer",
                    "properties": {"ports": [{"containerPort": 3000}]},
                },
            ),
            "`ports[0]` needs `port`",
        ),
        (
            _service(
                "web-service",
                loadBalancing={"type": "http-api-gateway", "properties": {"cors": {}}},
            ),
            "unknown property `properties` in `loadBalancing`",
        ),
        (
            _service(
                "private-service",
                loadBalancing={
                    "type": "application-load-balancer",
                    "properties": {"healthcheckPath": "/"},
                },
            ),
            "unknown property `properties` in `loadBalancing`",
        ),
        (
            _service("worker-service", volumeMounts=[{"type": "ebs", "properties": {}}]),
            "`type` is 'ebs'; allowed: efs",
        ),
        (
            _service(
                "worker-service",
                volumeMounts=[{"type": "efs", "properties": {"efsFilesystemName": "f"}}],
            ),
            "`efs` volume mount needs `mountPath`",
        ),
        (
            _service(
                "web-service",
                sideContainers=[{"name": "side", "packaging": IMAGE}],
            ),
            "`sideContainers[0]` needs `containerType`",
        ),
        (
            _service(
                "web-service",
                sideContainers=[
                    {"name": "side", "packaging": IMAGE, "containerType": "on-init"},
                ],
            ),
            "`containerType` is 'on-init'",
        ),
        (
            _service(
                "web-service",
                sideContainers=[
                    {
                        "name": "side",
                        "containerType": "always-running",
                        "packaging": {"type": "prebuilt-image", "properties": {}},
                    },
                ],
            ),
            "`prebuilt-image` packaging needs `image`",
        ),
        (
            _service(
                "private-service",
                sideContainers=[
                    {
                        "name": "side",
                        "containerType": "always-running",
                        "packaging": IMAGE,
                        "dependsOn": [{"containerName": "main", "condition": "READY"}],
                    },
                ],
            ),
            "`condition` is 'READY'; allowed: COMPLETE, HEALTHY, START, SUCCESS",
        ),
        (
            {
                "w": {
                    "type": "multi-container-workload",
                    "properties": {
                        "resources": RES,
                        "containers": [
                            {"name": "a", "packaging": IMAGE, "dependsOn": [{"condition": "START"}]}
                        ],
                    },
                }
            },
            "`dependsOn[0]` needs `containerName`",
        ),
    ],
)
def test_a_wrong_nested_object_is_reported(resources: dict[str, Any], expected: str) -> None:
    errors = _errors(_stack(resources))
    assert any(expected in e for e in errors), errors


def test_a_web_service_cdn_is_read_against_its_type() -> None:
    rewrite = {
        "path": "/assets/*",
        "routeTo": {"type": "bucket", "properties": {"bucketName": "assets"}},
        "cachingOptions": {"cacheMethods": ["GET", "HEAD"], "defaultTTL": 60},
    }
    good = {
        "enabled": True,
        "cloudfrontPriceClass": "PriceClass_100",
        "cachingOptions": {"cacheKeyParameters": {"queryString": {"whitelist": ["page"]}}},
        "forwardingOptions": {
            "allowedMethods": ["GET", "POST"],
            "customRequestHeaders": [{"headerName": "x-origin", "value": "cdn"}],
            "headers": {"allViewer": True},
        },
        "routeRewrites": [rewrite],
    }
    lb = {"type": "application-load-balancer"}
    stack = _stack(
        {**_service("web-service", cdn=good, loadBalancing=lb), "assets": {"type": "bucket"}}
    )
    assert _errors(stack) == []
    bad = {
        "cloudfrontPriceClass": "PriceClass_50",
        "cachingOptions": {"cacheMethods": ["POST"], "ttl": 5},
        "forwardingOptions": {"headers": {"allViewers": True}},
        "routeRewrites": [{"path": "/a", "routeTo": {"type": "bucket", "properties": {}}}],
    }
    errors = "\n".join(_errors(_stack(_service("web-service", cdn=bad, loadBalancing=lb))))
    assert "`cdn` needs `enabled`" in errors
    assert "`cloudfrontPriceClass` is 'PriceClass_50'" in errors
    assert "`cacheMethods[0]` is 'POST'; allowed: GET, HEAD, OPTIONS" in errors
    assert "unknown property `ttl` in `cachingOptions`" in errors
    assert "unknown property `allViewers` in `headers`" in errors
    assert "`bucket` routeTo needs `bucketName`" in errors


def test_firewall_custom_response_bodies_are_read_against_their_type() -> None:
    bodies = {
        "denied": {"contentType": "application/json", "content": "{}"},
        "html": {"contentType": "text/html"},
        "text": {"content": "no", "contentType": "text/plain", "status": 403},
    }
    waf = {
        "type": "web-app-firewall",
        "properties": {"scope": "cdn", "customResponseBodies": bodies},
    }
    stack = _stack({"waf": waf})
    errors = "\n".join(_errors(stack))
    assert "`html` needs `content`" in errors
    assert "unknown property `status` in `text`" in errors
    assert "denied" not in errors


def test_web_service_alarms_are_read_against_their_type() -> None:
    lb = {"type": "application-load-balancer"}
    good = [
        {
            "trigger": {
                "type": "application-load-balancer-custom",
                "properties": {"metric": "RequestCount", "threshold": 100, "statistic": "sum"},
            },
            "evaluation": {"period": 60, "evaluationPeriods": 5, "breachedPeriods": 3},
            "description": "busy",
        }
    ]
    assert _errors(_stack(_service("web-service", loadBalancing=lb, alarms=good))) == []
    bad = [
        {"evaluation": {"periods": 2}},
        {"trigger": {"type": "application-load-balancer-error-rate", "properties": {}}},
        {
            "trigger": {
                "type": "application-load-balancer-unhealthy-targets",
                "properties": {"thresholdPercent": 5, "comparisonOperator": "GreaterThan"},
            }
        },
    ]
    errors = "\n".join(_errors(_stack(_service("web-service", loadBalancing=lb, alarms=bad))))
    assert "`alarms[0]` needs `trigger`" in errors
    assert "unknown property `periods` in `evaluation`" in errors
    assert "`application-load-balancer-error-rate` trigger needs `thresholdPercent`" in errors
    assert "`comparisonOperator` is 'GreaterThan'" in errors
