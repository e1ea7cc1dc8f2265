"""The environment a workload gets: its own variables plus Stacktape's `STP_*` connectTo ones.

Names follow Stacktape's `injectedParameterEnvVarName`:
``snakeCase(f"STP_{ref.replaceAll('.', '_')}_{param}").toUpperCase()`` with change-case v5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from stptui.config.directives import DirectiveContext, fake_resource_param
from stptui.config.model import Queue, Resource, SnsTopic, Stack, Workload

# change-case v5 `split`: lower/digit -> upper, acronym -> Capitalised word, strip the rest.
_LOWER_UPPER = re.compile(r"([a-z\d])([A-Z])")
_UPPER_UPPER = re.compile(r"([A-Z])([A-Z][a-z])")
_STRIP = re.compile(r"[^A-Za-z\d]+")


def snake_upper(value: str) -> str:
    """change-case v5 `snakeCase(value).toUpperCase()` for ASCII identifiers."""
    text = _LOWER_UPPER.sub("\\1\0\\2", value.strip())
    text = _UPPER_UPPER.sub("\\1\0\\2", text)
    text = _STRIP.sub("\0", text)
    return "_".join(w for w in text.split("\0") if w).upper()


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


def injected_params(resource: Resource) -> list[str]:
    """Referenceable parameters Stacktape injects for a connectTo target (reference §4.3)."""
    p = resource.properties
    t = resource.type
    if t == "sqs-queue":
        return ["arn", "url", "name"]
    if t == "sns-topic":
        return ["arn", "name"]
    if t == "event-bus":
        archived = isinstance(p.get("archivation"), dict) and p["archivation"].get("enabled")
        return ["arn", "archiveArn"] if archived else ["arn"]
    if t == "bucket":
        return ["name", "arn", *CDN_PARAMS] if p.get("cdn") else ["name", "arn"]
    if t == "function":
        params = ["arn"]
        logging = p.get("logging")
        if not (isinstance(logging, dict) and logging.get("disabled")):
            params.append("logGroupArn")
        url = p.get("url")
        if (isinstance(url, dict) and url.get("enabled")) or p.get("cdn"):
            params.append("url")
        return params
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
    """One variable of a workload's environment and where it comes from."""

    name: str
    value: str
    source: str  # "config" or the connected resource's name


def workload_environment(
    stack: Stack,
    workload: Workload,
    injected: dict[str, list[EnvEntry]] | None = None,
) -> list[EnvEntry]:
    """The exact environment the workload would get: its own entries, then connectTo's.

    `injected` caches each connected resource's entries across calls (the graph of a large
    stack asks for every workload's environment, and many share targets)."""
    entries = [EnvEntry(v.name, v.value, "config") for v in workload.environment]
    cache = {} if injected is None else injected
    ctx: DirectiveContext | None = None
    for ref in workload.connect_to:
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
            fifo = isinstance(target, Queue | SnsTopic) and target.fifo
            target_ctx = replace(ctx, fifo=frozenset({target.name})) if fifo else ctx
            hit = cache[target.name] = [
                EnvEntry(
                    env_var_name(target.name, param),
                    str(fake_resource_param(target_ctx, target.name, param, target.type)),
                    target.name,
                )
                for param in injected_params(target)
            ]
        entries += hit
    return entries
