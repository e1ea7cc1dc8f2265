"""The environment a workload (or each of its containers) gets: its own variables plus
Stacktape's `STP_*` connectTo ones and NODE_OPTIONS.

Names follow Stacktape's `injectedParameterEnvVarName`:
``snakeCase(f"STP_{ref.replaceAll('.', '_')}_{param}").toUpperCase()`` with change-case v5.
A variable the config sets itself wins over a connectTo one of the same name (Stacktape's
`mergeConnectToEnvironmentVariables`, resource-resolvers/_utils/connect-to-helper.ts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from stptui.config.aws_names import case_words
from stptui.config.directives import (
    PARAM_PROPERTIES,
    DirectiveContext,
    cdn_domains,
    fake_resource_param,
)
from stptui.config.model import (
    SERVICE_CONTAINER_NAME,
    WEB_SERVICE_HOST,
    WEB_SERVICE_PORT,
    BatchJob,
    Containerized,
    ContainerService,
    EnvVar,
    EventBus,
    Function,
    Queue,
    Ref,
    Resource,
    SnsTopic,
    Stack,
    WebSocketTrigger,
    Workload,
    canonical_type,
)


def snake_upper(value: str) -> str:
    """change-case v5 `snakeCase(value).toUpperCase()` for ASCII identifiers."""
    return "_".join(case_words(value)).upper()


@lru_cache(maxsize=4096)
def _words(text: str) -> str:
    return snake_upper(text)


def env_var_name(resource_ref: str, param: str) -> str:
    """The variable Stacktape injects for `param` of the connected resource `resource_ref`:
    `snakeCase(f"STP_{ref}_{param}").toUpperCase()`.

    Computed per part: no change-case split rule looks across an underscore, so the name is
    the parts' names joined with `_`, and caching the parts keeps a large stack cheap."""
    parts = ("STP", _words(resource_ref.replace(".", "_")), _words(param))
    return "_".join(w for w in parts if w)


# The parameters a CDN adds to a bucket (and to what lint accepts for functions with one).
CDN_PARAMS = (
    "cdnDomain",
    "cdnUrl",
    "cdnCanonicalDomain",
    "cdnCanonicalUrl",
    "cdnCustomDomains",
    "cdnCustomDomainUrls",
)


def cdn_params(properties: Mapping[str, Any]) -> list[str]:
    """The `cdn*` parameters a resource's enabled CDN adds, as Stacktape's CDN resolver adds
    them: the default domain's `cdnUrl` without custom domains, the custom domains and their
    URLs with them (no `cdnUrl` then)."""
    domains = cdn_domains(properties)
    if domains is None:
        return []
    if domains:
        return [
            "cdnCustomDomainUrls",
            "cdnCustomDomains",
            "cdnDomain",
            "cdnCanonicalDomain",
            "cdnCanonicalUrl",
        ]
    return ["cdnUrl", "cdnDomain", "cdnCanonicalDomain", "cdnCanonicalUrl"]


def _hosting_cdn(properties: Mapping[str, Any]) -> dict[str, Any]:
    """The CDN of a hosting bucket's nested bucket: always on, with the hosting bucket's
    `customDomains`."""
    return {"cdn": {"enabled": True, "customDomains": properties.get("customDomains")}}


# The agentcore resources' parameters (Stacktape's agentcore resolver): a runtime always has
# at least its `default` endpoint, whose name and ARN it adds.
_AGENTCORE_PARAMS: dict[str, list[str]] = {
    "agentcore-runtime": ["id", "arn", "endpointName", "endpointArn"],
    "agentcore-memory": ["id", "arn"],
    "agentcore-gateway": ["id", "arn", "url"],
    "agentcore-browser": ["id", "arn"],
    "agentcore-code-interpreter": ["id", "arn"],
}


def _newest_params(t: str, p: Mapping[str, Any]) -> list[str] | None:
    """The parameters of the newest types, in the order their resolvers add them
    (apps/cli/src/domain/calculated-stack-overview-manager/resource-resolvers/
    {websocket-api-gateways,kafka-clusters,appsync-apis,dsql-databases,email-senders}/index.ts
    of stacktape/stacktape, commits 8f81403c and 0dfd37e5); None for any other type.
    Stacktape's connectTo injects every referenceable parameter (connect-to-helper.ts)."""
    if t == "websocket-api-gateway":
        domains = p.get("customDomains")
        custom = ["customDomains", "customDomainUrl", "customDomainUrls"]
        own = ["apiId", "url", "managementEndpoint", "canonicalDomain"]
        return (custom if isinstance(domains, list) and domains else []) + own
    if t == "kafka-cluster":
        return ["arn", "name", "bootstrapServers"]
    if t == "appsync-api":
        auth = p.get("authentication")
        params = ["apiKey"] if isinstance(auth, dict) and auth.get("type") == "api-key" else []
        if isinstance(p.get("customDomain"), dict):
            params.append("customDomainUrl")
        return [*params, "apiId", "arn", "url", "realtimeUrl"]
    if t == "dsql-database":
        return ["endpoint", "port", "databaseName", "username", "region", "id", "arn"]
    if t == "email-sender":
        managed = p.get("manageIdentity") is not False
        params = ["identity", "identityArn", "region"]
        # A managed identity has Stacktape's shared configuration set; an unmanaged one only
        # the set the config names.
        if managed or p.get("configurationSetName"):
            params.append("configurationSetName")
        return [*params, "feedbackTopicArn"] if managed else params
    return None


def injected_params(resource: Resource) -> list[str]:
    """Referenceable parameters Stacktape injects for a connectTo target (reference §4.3, and
    Stacktape's efs-filesystem, hosting-bucket, agentcore and newest types' resolvers)."""
    p = resource.properties
    t = canonical_type(resource.type)
    newest = _newest_params(t, p)
    if newest is not None:
        return newest
    if t in _AGENTCORE_PARAMS:
        return list(_AGENTCORE_PARAMS[t])
    if t == "efs-filesystem":
        return ["arn", "id"]
    if t == "hosting-bucket":
        # Its nested bucket's parameters, named after the hosting bucket.
        return ["name", "arn", *cdn_params(_hosting_cdn(p))]
    if t == "sqs-queue":
        return ["arn", "url", "name"]
    if t == "sns-topic":
        return ["arn", "name"]
    if t == "event-bus":
        archived = isinstance(p.get("archivation"), dict) and p["archivation"].get("enabled")
        return ["arn", "archiveArn"] if archived else ["arn"]
    if t == "bucket":
        return ["name", "arn", *cdn_params(p)]
    if t == "function":
        params = ["arn"]
        logging = p.get("logging")
        if not (isinstance(logging, dict) and logging.get("disabled")):
            params.append("logGroupArn")
        url = p.get("url")
        cdn = cdn_params(p)
        if (isinstance(url, dict) and url.get("enabled")) or cdn:
            params.append("url")
        return params + cdn
    if t == "batch-job":
        params = ["jobDefinitionArn", "stateMachineArn"]
        logging = p.get("logging")
        if not (isinstance(logging, dict) and logging.get("disabled")):
            params.append("logGroupArn")
        return params
    if t == "relational-database":
        params = ["connectionString", "jdbcConnectionString", "host", "port", "dbName"]
        engine = p.get("engine")
        engine_type = engine.get("type") if isinstance(engine, dict) else None
        if isinstance(engine_type, str) and engine_type.startswith("aurora"):
            params += [
                "readerHost",
                "readerPort",
                "readerConnectionString",
                "readerJdbcConnectionString",
                "hosts",
            ]
        return params
    if t == "dynamo-db-table":
        return ["name", "arn", "streamArn"] if p.get("streamType") else ["name", "arn"]
    if t == "redis-cluster":
        return [
            "host",
            "port",
            "connectionString",
            "readerHost",
            "readerConnectionString",
            "readerPort",
            "sharding",
        ]
    if t in ("kinesis-stream", "state-machine"):
        return ["arn", "name"]
    if t == "user-auth-pool":
        return ["id", "clientId", "arn", "clientSecret", "providerUrl", "domain"]
    if t == "mongo-db-atlas-cluster":
        return ["connectionString"]
    if t == "upstash-kafka-topic":
        # The legacy type: `TOPIC_NAME`, `TOPIC_ID`, `USERNAME`, `PASSWORD`, `TCP_ENDPOINT`,
        # `REST_URL` (the connectTo docs of Stacktape's types; its kafka-stream-processing
        # starter reads STP_KAFKA_TOPIC_TOPIC_NAME, _TCP_ENDPOINT, _USERNAME, _PASSWORD).
        return ["topicName", "topicId", "username", "password", "tcpEndpoint", "restUrl"]
    if t == "upstash-redis":
        return ["host", "port", "password", "restToken", "readOnlyRestToken", "restUrl", "redisUrl"]
    if t == "private-service":
        return ["address"]
    if t == "web-service":
        return ["domain", "url"]
    if t == "open-search-domain":
        return ["arn", "domainEndpoint"]
    return []


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """One variable of a workload's environment and where it comes from.

    `overrides` names the connected resources whose injected variable of the same name this
    config entry replaced (Stacktape keeps the config's value)."""

    name: str
    value: str
    source: str  # "config", the connected resource's name, or STACKTAPE_SOURCE
    overrides: tuple[str, ...] = ()


# The source of a variable Stacktape's deployer adds by itself (NODE_OPTIONS).
STACKTAPE_SOURCE = "stacktape"

# Stacktape's `getAugmentedEnvironment` (src/utils/environment.ts, reference §4.3): JS/TS
# workloads packaged by Stacktape get Node flags; packaging the user builds gets none.
_USER_MANAGED_PACKAGING = frozenset(
    {"prebuilt-image", "custom-dockerfile", "nixpacks", "external-buildpack", "custom-artifact"}
)
_JS_TS_EXTENSIONS = frozenset({"js", "ts", "mjs", "mts", "cjs", "cts", "jsx", "tsx"})
# DEFAULT_LAMBDA_NODE_VERSION and DEFAULT_CONTAINER_NODE_VERSION in Stacktape's config.
DEFAULT_NODE_VERSION = 24
_SOURCE_MAPS = "--enable-source-maps"
# CJS/ESM interop flags Stacktape adds from Node 22 on.
_NODE_22_FLAGS = ("--experimental-require-module", "--experimental-detect-module")
_NODEJS_RUNTIME = re.compile(r"nodejs(\d+)")


def _packaging(w: Workload) -> dict[str, Any]:
    """The workload's `packaging` (a batch job's is under `container`)."""
    holder = w.properties.get("container") if isinstance(w, BatchJob) else w.properties
    pack = holder.get("packaging") if isinstance(holder, dict) else None
    return pack if isinstance(pack, dict) else {}


def _number(value: object) -> float | None:
    """A JavaScript-truthy number (or numeric text), as Stacktape's `||` chain reads it."""
    if isinstance(value, bool) or not value:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _node_version(pack: Mapping[str, Any], runtime: str | None) -> float:
    """The Node.js major version Stacktape builds for: `languageSpecificConfig.nodeVersion`,
    else the `nodejsNN.x` runtime's (functions), else 24."""
    props = pack.get("properties")
    lang = props.get("languageSpecificConfig") if isinstance(props, dict) else None
    version = _number(lang.get("nodeVersion")) if isinstance(lang, dict) else None
    if version is None and isinstance(runtime, str):
        m = _NODEJS_RUNTIME.search(runtime)
        version = _number(m.group(1)) if m else None
    return DEFAULT_NODE_VERSION if version is None else version


def _node_option_flags(pack: Mapping[str, Any], runtime: str | None, existing: str) -> list[str]:
    """The flags Stacktape appends to NODE_OPTIONS (`existing` is the workload's own value):
    `--enable-source-maps`, plus the Node 22+ interop flags, each unless already there; none
    for packaging the user builds or an entry file that is not JavaScript/TypeScript."""
    kind = pack.get("type")
    if isinstance(kind, str) and kind in _USER_MANAGED_PACKAGING:
        return []
    props = pack.get("properties")
    entry = props.get("entryfilePath") if isinstance(props, dict) else None
    if not isinstance(entry, str) or entry.split(".")[-1].lower() not in _JS_TS_EXTENSIONS:
        return []
    wanted = [_SOURCE_MAPS, *(_NODE_22_FLAGS if _node_version(pack, runtime) >= 22 else ())]
    return [flag for flag in wanted if flag not in existing]


def _with_node_options(
    pack: Mapping[str, Any], runtime: str | None, entries: list[EnvEntry]
) -> list[EnvEntry]:
    """`entries` as Stacktape deploys them: every NODE_OPTIONS entry replaced by one, at the
    end, holding the first one's value followed by the flags Stacktape adds (unchanged when
    it adds none)."""
    existing = next((e.value for e in entries if e.name == "NODE_OPTIONS"), "")
    flags = _node_option_flags(pack, runtime, existing)
    if not flags:
        return entries
    value = " ".join([existing, *flags] if existing else flags)
    return [
        *(e for e in entries if e.name != "NODE_OPTIONS"),
        EnvEntry("NODE_OPTIONS", value, STACKTAPE_SOURCE),
    ]


def _connect_entries(
    stack: Stack, connect_to: list[Ref], cache: dict[str, list[EnvEntry]]
) -> list[EnvEntry]:
    """The `STP_*` variables a connectTo list injects, each target's from `cache` when there."""
    entries: list[EnvEntry] = []
    ctx: DirectiveContext | None = None
    for ref in connect_to:
        target = stack.resources.get(ref.target or "")
        if target is None:
            continue
        hit = cache.get(target.name)
        if hit is None:
            if ctx is None:
                # Not `stack_context`: it reads every resource, and a large stack's graph
                # asks this of every workload. A target's values need its own FIFO-ness only.
                ctx = DirectiveContext(
                    stage=stack.stage,
                    region=stack.region,
                    account_id=stack.account_id,
                    project=stack.service_name,
                )
            target_ctx = ctx
            value_type, cdn_props = target.type, target.properties
            if target.type == "hosting-bucket":
                # Its values are its nested bucket's.
                value_type, cdn_props = "bucket", _hosting_cdn(target.properties)
            if isinstance(target, Queue | SnsTopic) and target.fifo:
                target_ctx = replace(ctx, fifo=frozenset({target.name}))
            elif isinstance(target, EventBus) and target.event_source_name:
                target_ctx = replace(ctx, bus_names={target.name: target.event_source_name})
            elif domains := cdn_domains(cdn_props):
                target_ctx = replace(ctx, cdn_domains={target.name: tuple(domains)})
            elif canonical_type(target.type) in PARAM_PROPERTIES:
                target_ctx = replace(ctx, param_props={target.name: target.properties})
            hit = cache[target.name] = [
                EnvEntry(
                    env_var_name(target.name, param),
                    str(fake_resource_param(target_ctx, target.name, param, value_type)),
                    target.name,
                )
                for param in injected_params(target)
            ]
        entries += hit
    return entries


def _merge_connect_to(own: list[EnvVar], injected: list[EnvEntry]) -> list[EnvEntry]:
    """The config's entries, each marked with the connected resources whose variable of the
    same name it replaces, then the injected entries the config does not set: Stacktape's
    `mergeConnectToEnvironmentVariables` keeps an explicit value and appends only the
    connectTo variables whose names are missing."""
    replaced: dict[str, list[str]] = {}
    own_names = {v.name for v in own}
    for e in injected:
        if e.name in own_names and e.source not in replaced.setdefault(e.name, []):
            replaced[e.name].append(e.source)
    entries = [EnvEntry(v.name, v.value, "config", tuple(replaced.get(v.name, ()))) for v in own]
    return entries + [e for e in injected if e.name not in own_names]


def _compose(
    own: list[EnvVar], pack: Mapping[str, Any], runtime: str | None, injected: list[EnvEntry]
) -> list[EnvEntry]:
    """One environment: the config's entries, then the connectTo ones the config does not
    set, then the NODE_OPTIONS Stacktape sets for JS/TS packaging (Lambda's and ECS's
    environments are maps, so the order only keeps the config's entries first). connectTo
    injects only `STP_*` names, so the NODE_OPTIONS entries are the config's own."""
    return _with_node_options(pack, runtime, _merge_connect_to(own, injected))


def workload_environment(
    stack: Stack,
    workload: Workload | ContainerService,
    injected: dict[str, list[EnvEntry]] | None = None,
) -> list[EnvEntry]:
    """The exact environment a function, batch job or web, private or worker service would
    get: its own entries, then connectTo's, then the NODE_OPTIONS Stacktape sets.

    `injected` caches each connected resource's entries across calls (the graph of a large
    stack asks for every workload's environment, and many share targets)."""
    cache = {} if injected is None else injected
    if isinstance(workload, ContainerService):
        return next((env for _, env in environments(stack, workload, cache)), [])
    runtime = workload.runtime if isinstance(workload, Function) else None
    connected = _connect_entries(stack, effective_connect_to(workload), cache)
    return _compose(workload.environment, _packaging(workload), runtime, connected)


def effective_connect_to(workload: Workload | Containerized) -> list[Ref]:
    """A workload's connectTo as Stacktape resolves it: the written entries, then each
    WebSocket API its `websocket-api-gateway` events name and connectTo does not
    (`getConnectToIncludingWebsocketApiGateways`, config-manager/utils/websocket-api-gateways.ts:
    a route handler gets its gateway's management endpoint without asking)."""
    refs = list(workload.connect_to)
    named = {r.target for r in refs}
    for t in getattr(workload, "events", ()):  # a web, private or worker service has none
        if isinstance(t, WebSocketTrigger) and t.gateway and t.gateway.target not in named:
            named.add(t.gateway.target)
            refs.append(t.gateway)
    return refs


def environments(
    stack: Stack,
    resource: Resource,
    injected: dict[str, list[EnvEntry]] | None = None,
) -> list[tuple[str | None, list[EnvEntry]]]:
    """Every environment a resource's code gets, as (container, entries): one with container
    None for a function or batch job; one for the single container of a web, private or worker
    service, which Stacktape names `service-container`; one per named container of a
    multi-container workload, in config order; none for anything else.

    Stacktape gives each container its own `environment` and NODE_OPTIONS (from the
    container's packaging, Node 24 by default) plus the workload's connectTo variables
    (`resolveContainerWorkload`: every container definition gets them). `injected` as for
    `workload_environment`."""
    cache = {} if injected is None else injected
    if isinstance(resource, Workload):
        return [(None, workload_environment(stack, resource, cache))]
    if not isinstance(resource, Containerized):
        return []
    connected = _connect_entries(stack, resource.connect_to, cache)
    service = isinstance(resource, ContainerService)
    return [
        (
            SERVICE_CONTAINER_NAME if service else c.name,
            _web_service_variables(resource, _compose(c.environment, c.packaging, None, connected)),
        )
        for c in resource.container_specs
    ]


def _web_service_variables(resource: Resource, entries: list[EnvEntry]) -> list[EnvEntry]:
    """A web service's container also gets `PORT` 3000 (not behind a network load balancer)
    and `HOST` 0.0.0.0, appended to its `environment` (Stacktape's `webServices` transform);
    **a choice**: a name the config sets keeps the config's value only."""
    if resource.type != "web-service":
        return entries
    balancing = resource.properties.get("loadBalancing")
    kind = balancing.get("type") if isinstance(balancing, dict) else None
    added = [] if kind == "network-load-balancer" else [("PORT", str(WEB_SERVICE_PORT))]
    added.append(("HOST", WEB_SERVICE_HOST))
    names = {e.name for e in entries}
    own = [e for e in entries if e.source == "config"]
    rest = [e for e in entries if e.source != "config"]
    extra = [EnvEntry(n, v, STACKTAPE_SOURCE) for n, v in added if n not in names]
    return [*own, *extra, *rest]
