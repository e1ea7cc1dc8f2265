"""Raw config data -> the typed `Stack`: type checks, defaults and accepted alternate spellings.

Each property is checked against a small schema (`normalize_schema.py`). A value of the wrong
type is reported and dropped (the default applies), so one mistake never hides the rest of the
stack. Spellings from Stacktape's published examples are read into the same model with a
warning that names the real spelling (reference: stacktape-config §8).

This module holds the entry point (`build_stack`), the document and resource level of the
reading (top-level keys, each resource's `type`, `properties` and `overrides`) and the
`StackBuilder` that puts the readers together. What each kind of resource or event reads is in
a `normalize_*` module of its own, one mixin class each, all reporting through
`StackBuilder.diag` into the one list of diagnostics:

- `normalize_props`: one property table read and checked (types, enums, ranges, aliases,
  required properties, references by name or ARN)
- `normalize_names`: resource names and the logical ids of `overrides`
- `normalize_compute`: functions, batch jobs and state machines, and their packaging
- `normalize_env`: a workload's `connectTo`, `environment` and legacy `accessControl`
- `normalize_messaging`: queues, event buses and SNS topics, and the events that read them
- `normalize_buckets`: buckets, their lifecycle rules and the `s3` events
- `normalize_sections`: the `alarms` and `cdn` sections several types share
- `normalize_containers`: container workloads and services
- `normalize_gateways`: API gateways, load balancers and web-app firewalls
- `normalize_routes`: HTTP, WebSocket and AppSync events, authorizers, routes' gateways
- `normalize_events`: an event's common reading, schedules and stream events
- `normalize_databases`: relational databases and Redis clusters
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from stptui.config.diagnostics import Diagnostic, Severity, did_you_mean
from stptui.config.directives import DirectiveContext
from stptui.config.loader import DataPath, LoadedYaml
from stptui.config.model import (
    CONTAINER_SERVICE_TYPES,
    LEGACY_RESOURCE_TYPES,
    RESOURCE_TYPES,
    RETIRED_RESOURCE_TYPES,
    HttpApiGateway,
    Resource,
    Stack,
)
from stptui.config.normalize_buckets import BucketReaders
from stptui.config.normalize_compute import ComputeReaders
from stptui.config.normalize_containers import ContainerReaders
from stptui.config.normalize_databases import DatabaseReaders
from stptui.config.normalize_env import EnvironmentReaders
from stptui.config.normalize_events import EventReaders
from stptui.config.normalize_gateways import GatewayReaders
from stptui.config.normalize_messaging import MessagingReaders
from stptui.config.normalize_names import NameChecks
from stptui.config.normalize_props import (
    PropertyReaders,
    describe_value,
)
from stptui.config.normalize_routes import RouteReaders
from stptui.config.normalize_schema import (
    NO_OVERRIDES_TYPES,
    RESOURCE_KEYS,
    TABLE_ONLY_NESTED,
    TABLE_ONLY_TYPES,
    TOP_LEVEL,
    WEB_APP_TYPES,
)
from stptui.config.normalize_sections import SectionReaders
from stptui.textsafe import quote_word


class StackBuilder(
    PropertyReaders,
    NameChecks,
    ComputeReaders,
    EnvironmentReaders,
    MessagingReaders,
    BucketReaders,
    SectionReaders,
    ContainerReaders,
    GatewayReaders,
    RouteReaders,
    EventReaders,
    DatabaseReaders,
):
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
        # The keys a misspelt one of each mapping was taken for (`Type`: `type`): a missing
        # key it names is that same mistake, reported once, by the did-you-mean.
        self.misspelt: dict[DataPath, set[str]] = {}

    def _legacy_hooks(self, hooks: list[Any]) -> None:
        """Warn of `hooks` written as a list of `{triggers, scriptName}`, the older spelling
        many of Stacktape's starter projects still use, and name today's mapping."""
        today: dict[str, list[str]] = {}
        inline: list[str] = []  # what entries without a scriptName ran: `executeFunction`
        for entry in hooks:
            if not isinstance(entry, dict) or not isinstance(entry.get("triggers"), list):
                continue
            script = entry.get("scriptName")
            if not isinstance(script, str):
                # The older inline hook (`executeFunction: file.ts:fn`): today a hook names
                # a script, which the user has yet to write.
                script = "SCRIPT"
                ran = [k for k in entry if isinstance(k, str) and k.startswith("execute")]
                inline += [f"`{k}`" for k in ran[:1] if f"`{k}`" not in inline]
            for trigger in entry["triggers"]:
                if isinstance(trigger, str):
                    words = re.split(r"[:\-]", trigger)
                    key = words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
                    today.setdefault(key, []).append(script)
        spelled = ", ".join(
            f"{key}: [{', '.join(f'{{scriptName: {s}}}' for s in scripts)}]"
            for key, scripts in today.items()
        )
        hint = f"write hooks: {{{spelled}}}" if spelled else "see Stacktape's `hooks` docs"
        if any("SCRIPT" in scripts for scripts in today.values()):
            did = f"what the hook's {' or '.join(inline)} did" if inline else "the hook's work"
            hint += f", SCRIPT being a `scripts` entry (a local-script) that does {did}"
        self.diag(
            ("hooks",),
            "warning",
            "legacy-hooks",
            "`hooks` is a list of {triggers, scriptName}, the spelling of an older Stacktape; "
            "today's is a mapping from the hook to its scripts",
            hint=hint,
        )

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
        """Record a diagnostic at a data path (none for a key missing from a mapping where a
        misspelt key was taken for it: its did-you-mean says it all)."""
        if code in ("missing-property", "exactly-one-of") and any(
            f"`{guess}`" in message for guess in self.misspelt.get(path, ())
        ):
            return
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
                (),
                "error",
                "wrong-type",
                f"the config must be a mapping, not {describe_value(data)}",
            )
            return self.stack
        if "resources" not in data and _is_session_file(data):
            # A session file `save` wrote, handed over and opened as the stack: one finding
            # that says how to open it, not one unknown property per key of the JSON.
            stack = os.path.normpath(os.path.join(os.path.dirname(self.loaded.file), data["stack"]))
            self.diag(
                (),
                "error",
                "missing-property",
                "the config has no `resources`",
                hint="this is a session file `save` wrote, not a stack: open its stack "
                f"(`stptui repl {quote_word(stack)}`), then `load "
                f"{quote_word(self.loaded.file)}`",
            )
            return self.stack
        top = self.read_props(
            data, (), TOP_LEVEL, None, where=" at the top level", unexposed=_legacy_top(data)
        )
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
        if isinstance(top.get("hooks"), list):
            self._legacy_hooks(top["hooks"])
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
        # A type without `overrides` (reported by _check_overrides) is not offered it as the
        # key a misspelt one was meant to be.
        keys = RESOURCE_KEYS[:2] if body.get("type") in NO_OVERRIDES_TYPES else RESOURCE_KEYS
        listed = ", ".join(f"`{k}`" for k in keys[:-1]) + f" and `{keys[-1]}`"
        for key in body:
            if key not in RESOURCE_KEYS:
                guess = did_you_mean(key, keys)
                if guess:
                    self.misspelt.setdefault(path, set()).add(guess)
                self.diag(
                    (*path, key),
                    "error",
                    "unknown-property",
                    f"unknown key `{key}` on resource {name!r} (only {listed})",
                    key=True,
                    resource=name,
                    hint=_resource_key_hint(key, guess, body),
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
                f"`properties` must be a mapping, not {describe_value(props)}",
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
            elif rtype in RETIRED_RESOURCE_TYPES:
                self.diag(
                    (*path, "type"),
                    "warning",
                    "legacy-type",
                    f"resource type {rtype!r} is from an older Stacktape and has no successor; "
                    f"{RETIRED_RESOURCE_TYPES[rtype]}",
                    resource=name,
                )
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
        # Containers run only as behaviours: their properties are checked against the schema
        # and kept as written; connectTo, environments and the containers' ingress events are
        # read.
        if rtype == "multi-container-workload":
            return self._container_workload(name, props, ppath)
        if rtype in CONTAINER_SERVICE_TYPES:
            return self._container_service(name, props, ppath)
        if rtype in TABLE_ONLY_TYPES:
            return self._by_table(name, rtype, props, ppath)
        builder = self._BUILDERS.get(rtype)
        if builder is None:
            return Resource(name=name, type=rtype, path=path, properties=props)
        built = builder(self, name, props, ppath)
        if isinstance(built, HttpApiGateway):
            self._stage_metrics(built, body.get("overrides"))
        return built

    def _by_table(self, name: str, rtype: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """A resource of a type that has nothing to read but its property table (and the
        properties that table requires)."""
        table, required = TABLE_ONLY_TYPES[rtype]
        props = self.read_props(raw, path, table, name)
        if required:
            what = f"{rtype} {name!r}"
            self.require_all(props, raw, table, required, path, name, what)
        checked: dict[tuple[str, ...], dict[str, Any]] = {(): props}
        for where, shape in TABLE_ONLY_NESTED.get(rtype, ()):
            parent = checked.get(where[:-1], {})
            checked[where] = self.nested(parent, where[-1], (*path, *where[:-1]), name, shape)
        return Resource(name=name, type=rtype, path=path[:2], properties=raw)

    _BUILDERS: ClassVar[
        dict[str, Callable[[StackBuilder, str, dict[str, Any], DataPath], Resource]]
    ] = {
        "function": ComputeReaders._function,
        "batch-job": ComputeReaders._batch_job,
        "sqs-queue": MessagingReaders._queue,
        "event-bus": MessagingReaders._bus,
        "bucket": BucketReaders._bucket,
        "hosting-bucket": BucketReaders._hosting_bucket,
        "user-auth-pool": GatewayReaders._user_auth_pool,
        **dict.fromkeys(WEB_APP_TYPES, BucketReaders._web_app),
        "http-api-gateway": GatewayReaders._gateway,
        "sns-topic": MessagingReaders._topic,
        "relational-database": DatabaseReaders._relational_database,
        "redis-cluster": DatabaseReaders._redis_cluster,
        "dynamo-db-table": DatabaseReaders._dynamo_table,
        "web-app-firewall": GatewayReaders._web_app_firewall,
        "application-load-balancer": GatewayReaders._application_load_balancer,
        "network-load-balancer": GatewayReaders._network_load_balancer,
        "websocket-api-gateway": GatewayReaders._websocket_api_gateway,
        "appsync-api": GatewayReaders._appsync_api,
        "state-machine": ComputeReaders._state_machine,
        "edge-lambda-function": ComputeReaders._lambda_backed,
        "custom-resource-definition": ComputeReaders._lambda_backed,
        "deployment-script": ComputeReaders._lambda_backed,
    }


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


def _is_session_file(data: dict[Any, Any]) -> bool:
    """Whether `data` is a session file `save` wrote (its keys, as JSON is YAML)."""
    return (
        isinstance(data.get("stack"), str)
        and "stack_sha256" in data
        and isinstance(data.get("commands"), list)
    )


def build_stack(loaded: LoadedYaml, ctx: DirectiveContext) -> Stack:
    """Read a loaded, directive-resolved document into a typed Stack with diagnostics."""
    builder = StackBuilder(loaded, ctx)
    stack = builder.build()
    stack.diagnostics[:0] = loaded.diagnostics
    return stack


def _resource_key_hint(key: str, guess: str | None, body: dict[Any, Any]) -> str:
    """The hint of an unknown key on a resource `body`: an older Stacktape's capitalised
    `Type` and `Properties` are today's in lower case, and nothing of the resource is
    checked until its `type` reads so (fixing `Type` then found a second round of
    problems)."""
    if key in ("Type", "Properties"):
        said = f"`{key}` is an older Stacktape's capitalised key"
        if key.lower() in body:
            return f"{said}, and `{key.lower()}` is set: remove `{key}`"
        later = ": until then its properties go unchecked" * (key == "Type")
        return f"{said}: write `{key.lower()}`{later}"
    if guess:
        return f"did you mean `{guess}`?"
    if did_you_mean(key, RESOURCE_KEYS) == "overrides":
        # A type without `overrides`: the key a misspelt one was meant to be is not offered.
        return f"remove it: a resource of type {body['type']} takes no `overrides`"
    return "move it under `properties`"


def _legacy_top(data: dict[str, Any]) -> dict[str, str]:
    """The hints for an older Stacktape's top-level keys: `stackName`, today's
    `serviceName`, the line written out with its value (a did-you-mean left the user to
    wonder whether they are the same thing); `outputs`, today's `stackConfig.outputs`."""
    found: dict[str, str] = {}
    if "outputs" in data:
        # `outputs: {values: [{name, value}]}` in an older Stacktape's example.
        found["outputs"] = (
            "`outputs` is an older Stacktape's; today's is "
            "stackConfig: {outputs: [{name: NAME, value: VALUE}]}"
        )
    return found | _legacy_stack_name(data)


def _legacy_stack_name(data: dict[str, Any]) -> dict[str, str]:
    """`_legacy_top`'s hint for a top-level `stackName`."""
    old = data.get("stackName")
    if "stackName" not in data:
        return {}
    said = "`stackName` is an older Stacktape's name for `serviceName`"
    if "serviceName" in data:
        return {"stackName": f"{said}, which is set: remove `stackName`"}
    if isinstance(old, str) and re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]*", old):
        value = old
    elif isinstance(old, str):
        value = json.dumps(old)  # a JSON string is a YAML double-quoted one
    else:
        value = "NAME"
    return {"stackName": f"{said}; write serviceName: {value}"}
