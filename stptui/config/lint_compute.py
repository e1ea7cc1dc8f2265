"""Whole-stack checks of load balancers and container compute, as Stacktape's deployer makes
them: load balancer references, listener ports and rule priorities, network load balancer
integrations, a web-service's load balancing, firewall, alarms and custom domains, deployment
hooks (and their conflict with service-connect), EFS mounts, container `cpu` and `memory`,
Fargate CPU and memory pairs, instance types, scaling ranges and container names and ports.

`ComputeChecks` is a part of the linter (`lint.Linter` inherits it): its methods report
through the linter's `report` and read the stack it indexed.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import Placeholder
from stptui.config.loader import DataPath
from stptui.config.model import (
    ALB_DEFAULT_LISTENER_PORT,
    ALB_DEFAULT_LISTENERS,
    Containerized,
    ContainerService,
    ContainerWorkload,
    Function,
    Ref,
    Resource,
    Trigger,
    canonical_type,
)
from stptui.textsafe import named
from stptui.yamltext import yaml_key

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
else:
    _LinterBase = object

# The event types that name a load balancer in `loadBalancerName`; each names a resource of
# its own type (Stacktape's resolveReferenceToApplicationLoadBalancer / ...NetworkLoadBalancer).
LOAD_BALANCER_TYPES = ("application-load-balancer", "network-load-balancer")

# A load balancer event without `listenerPort` is on the listener at 443 (Stacktape:
# config-manager/utils/application-load-balancers.ts and network-load-balancers.ts,
# `listenerPort || 443`).
_DEFAULT_LISTENER_PORT = ALB_DEFAULT_LISTENER_PORT
# How the default listeners read in a message: "80, redirected, and 443".
_DEFAULT_LISTENERS_TEXT = ", and ".join(
    f"{entry['port']}, redirected" if "defaultAction" in entry else str(entry["port"])
    for entry in ALB_DEFAULT_LISTENERS
)
_ALB, _NLB = LOAD_BALANCER_TYPES
# Functions a `deployment` runs around the traffic shift, which Stacktape resolves as functions
# of the stack (resolveReferenceToLambdaFunction, in its function and container resolvers).
_DEPLOYMENT_HOOKS = ("beforeAllowTrafficFunction", "afterTrafficShiftFunction")
# A web-service's load balancing when `loadBalancing` is not written (Stacktape:
# config-manager/utils/web-services.ts).
_WEB_SERVICE_LOAD_BALANCING = "http-api-gateway"

# The memory (MB) Fargate allows for each CPU size (vCPU), as Stacktape checks it for a
# container workload without `instanceTypes` (ALLOWED_MEMORY_VALUES_FOR_CPU, used by
# validateFargateMemorySetting in config-manager/utils/multi-container-workloads.ts).
FARGATE_MEMORY_MB: dict[float, tuple[int, ...]] = {
    0.25: (512, 1024, 2048),
    0.5: (1024, 2048, 3072, 4096),
    1: tuple(range(2048, 8192 + 1, 1024)),
    2: tuple(range(4096, 16384 + 1, 1024)),
    4: tuple(range(8192, 30720 + 1, 1024)),
    8: tuple(range(16384, 61440 + 1, 4096)),
    16: tuple(range(32768, 122880 + 1, 8192)),
}


def _is_port(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: float) -> str:
    """A number as written in a config (`0.25`, `2`); an int of any length as itself."""
    return str(value) if isinstance(value, int) else f"{value:g}"


def _falsy_text(value: Any) -> str:
    """How a value JavaScript counts as false reads in a message."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "false"
    return "empty" if value == "" else f"{value!r}"


def _truthy(value: Any) -> bool:
    """JavaScript's truth of a config value, as Stacktape's `if (resource.cdn && ...)` tests
    it: every mapping and list is true, even an empty one."""
    return isinstance(value, (dict, list)) or bool(value)


def _listener_ports(lb: Resource) -> list[int] | None:
    """The ports of a load balancer's custom `listeners`, in order ([] when it has none);
    None when they are not a list of mappings with numeric ports (the schema's concern, or
    known only at deploy time)."""
    listeners = lb.properties.get("listeners")
    if listeners is None:
        return []
    if not isinstance(listeners, list):
        return None
    ports: list[int] = []
    for entry in listeners:
        port = entry.get("port") if isinstance(entry, dict) else None
        if not _is_port(port):
            return None
        ports.append(port)
    return ports


class ComputeChecks(_LinterBase):
    """The linter's checks of load balancers and container compute."""

    def check_firewall(self, r: Resource) -> None:
        """A web-service's `useFirewall` names a `web-app-firewall` (Stacktape e36)."""
        name = r.properties.get("useFirewall")
        if r.type != "web-service" or not isinstance(name, str) or isinstance(name, Placeholder):
            return
        ref = Ref(raw=name, path=(*r.path, "properties", "useFirewall"), target=name)
        self.check_ref(ref, ("web-app-firewall",), r.name, "useFirewall")

    def check_load_balancer(self, owner: Resource, t: Trigger) -> None:
        """`loadBalancerName` of a load balancer event (of a function, batch job or
        container) names a load balancer of the event's type (Stacktape e36) that listens
        on the event's `listenerPort`."""
        name = t.properties.get("loadBalancerName")
        if not isinstance(name, str) or isinstance(name, Placeholder):
            return  # missing, not a name, or known only to AWS
        if name not in self.res and "." in name and name.split(".", 1)[0] in self.res:
            self.check_web_service_balancer(owner, t, name)
            return  # a child resource (a service's own `loadBalancer`): its parent exists
        ref = Ref(raw=name, path=(*t.path, "properties", "loadBalancerName"), target=name)
        lb = self.check_ref(ref, (t.type,), owner.name, "loadBalancerName")
        if lb is not None:
            self.check_listener_port(owner, t, lb)

    def check_web_service_balancer(self, owner: Resource, t: Trigger, name: str) -> None:
        """A load balancer event naming a web-service's own (`web.loadBalancer`): the service
        makes one of that name and type only by its `loadBalancing` (Stacktape's
        `webServices` transform), and writes its listeners, so the event's `listenerPort`
        is checked against them (80 and 443; the `ports` of a network load balancer)."""
        parent = self.res[name.split(".", 1)[0]]
        if not isinstance(parent, ContainerService) or parent.type != "web-service":
            return  # a private service's children are not modelled
        entry = parent.entry
        if entry is None:
            return  # its loadBalancing is malformed (reported) or attaches it elsewhere
        path, key = self._prop_at(t, "loadBalancerName")
        if entry.name != name or entry.type != t.type:
            self.report(
                path,
                "error",
                "missing-resource",
                f"loadBalancerName {name!r} names no {t.type} of web-service {parent.name!r}: "
                f"its loadBalancing makes {entry.type} {entry.name!r}",
                resource=owner.name,
                hint=f"name {entry.name!r} from an event of type {entry.type}, or change the "
                f"service's loadBalancing to {t.type}",
                key=key,
            )
            return
        if entry.ports:
            listeners = [{"port": p.port} for p in entry.ports]
        else:
            listeners = [dict(listener) for listener in ALB_DEFAULT_LISTENERS]
        own = Resource(name=name, type=entry.type, path=entry.path)
        own.properties = {"listeners": listeners}
        self.check_listener_port(owner, t, own)

    def check_listener_port(self, owner: Resource, t: Trigger, lb: Resource) -> None:
        """The event's `listenerPort` against the load balancer's `listeners`: for an
        application load balancer, a port only with custom listeners (Stacktape e44), one of
        them (e45), and required when there are some (e46); for a network load balancer, one
        of its listeners' ports."""
        listeners = lb.properties.get("listeners")
        if listeners is None and t.type == "network-load-balancer":
            return  # the schema requires a network load balancer's listeners
        if listeners is not None and not isinstance(listeners, list):
            return  # the schema's concern
        ports = [entry.get("port") for entry in listeners or [] if isinstance(entry, dict)]
        port = t.properties.get("listenerPort")
        if not all(_is_port(p) for p in ports) or not (port is None or _is_port(port)):
            return  # a port only known at deploy time, or of the wrong type
        written = ", ".join(str(p) for p in ports)
        path, key = self._prop_at(t, "listenerPort")
        if port is None:
            if not ports:
                return  # the application load balancer's default HTTPS listener on 443
            message = (
                f"{lb.type} {lb.name!r} has custom `listeners` (ports {written}), so its "
                "events must name one in `listenerPort`"
                + (" (Stacktape e46)" if t.type == "application-load-balancer" else "")
            )
            hint = f"add listenerPort: {ports[0]} (or another of {written})"
        elif port in ports:
            return
        elif not ports and t.type == "application-load-balancer":
            message = (
                f"listenerPort {port}: {lb.type} {lb.name!r} has no custom `listeners` (only "
                f"its default ones: {_DEFAULT_LISTENERS_TEXT}), so Stacktape refuses a "
                "listenerPort (e44)"
            )
            hint = (
                f"remove listenerPort (the event then uses port {_DEFAULT_LISTENER_PORT}), or add "
                f"`listeners` to {lb.name!r}"
            )
        else:
            message = f"{lb.type} {lb.name!r} has no listener on port {port}" + (
                " (Stacktape e45)" if t.type == "application-load-balancer" else ""
            )
            hint = (
                f"use one of its listener ports: {written}"
                if ports
                else f"add a listener on port {port} to {lb.name!r}"
            )
        self.report(
            path, "error", "listener-port", message, resource=owner.name, hint=hint, key=key
        )

    def _lb_of_event(self, t: Trigger) -> Resource | None:
        """The load balancer of the stack, of the event's own type, that an event names
        (None when the name is missing, known only at deploy time, or wrong: reported by
        check_load_balancer)."""
        name = t.properties.get("loadBalancerName")
        if not isinstance(name, str) or isinstance(name, Placeholder):
            return None
        lb = self.res.get(name)
        return lb if lb is not None and canonical_type(lb.type) == t.type else None

    def check_load_balancers(self, events: list[tuple[Resource, Trigger]]) -> None:
        """Each load balancer's listeners use distinct ports; rule priorities are unique per
        application load balancer listener (e93); each network load balancer listener has
        exactly one integration (e116). `events` are the load balancer events of functions,
        batch jobs and containers, in config order."""
        for lb in self.res.values():
            if canonical_type(lb.type) in LOAD_BALANCER_TYPES:
                self.check_listener_ports_unique(lb)
        self.check_rule_priorities(events)
        self.check_network_integrations(events)

    def check_listener_ports_unique(self, lb: Resource) -> None:
        """Two listeners of one load balancer on one port (Stacktape's validateListenerPortOverlap,
        config-manager/utils/application-load-balancers.ts and network-load-balancers.ts)."""
        seen: set[int] = set()
        for i, port in enumerate(_listener_ports(lb) or []):
            if port in seen:
                self.report(
                    (*lb.path, "properties", "listeners", i, "port"),
                    "error",
                    "duplicate-listener-port",
                    f"Error in load-balancer {named(lb.name)}. Two or more listeners are using "
                    f'the same port "{port}".',
                    resource=lb.name,
                    hint="Each listener must use unique port: change or remove this listener",
                )
            seen.add(port)

    def check_rule_priorities(self, events: list[tuple[Resource, Trigger]]) -> None:
        """Two `application-load-balancer` events on one listener with one `priority`: Stacktape
        refuses them (e93, validateApplicationLoadBalancerIntegrations in
        config-manager/utils/application-load-balancers.ts), even on one resource."""
        rules: dict[tuple[str, int], list[tuple[int, Resource, Trigger]]] = defaultdict(list)
        for owner, t in events:
            lb = self._lb_of_event(t) if t.type == _ALB else None
            priority = t.properties.get("priority")
            if lb is None or not _is_port(priority):
                continue
            ports = _listener_ports(lb)
            port = t.properties.get("listenerPort")
            if ports is None:
                continue
            # Without custom listeners the event takes none (e44) and is on 443; with them it
            # names one (e45, e46). check_listener_port reports the others.
            if not ports and port is None:
                port = _DEFAULT_LISTENER_PORT
            elif not ports or not _is_port(port) or port not in ports:
                continue
            rules[(lb.name, port)].append((priority, owner, t))
        for (lb_name, port), group in rules.items():
            first: dict[int, tuple[Resource, Trigger]] = {}
            free = max(p for p, _, _ in group) + 1
            for priority, owner, t in group:
                other_owner, other = first.setdefault(priority, (owner, t))
                if other is t:
                    continue
                by = other_owner.name + (f".{other.container}" if other.container else "")
                self.report(
                    (*t.path, "properties", "priority"),
                    "error",
                    "duplicate-listener-priority",
                    f"priority {priority} on listener {port} of application-load-balancer "
                    f"{lb_name!r} is already used by {by!r} "
                    f"({self.place_of((*other.path, 'properties', 'priority'))}); each "
                    "rule of a listener needs its own priority (Stacktape e93)",
                    resource=owner.name,
                    hint=f"give this event another priority, e.g. priority: {free}",
                )

    def check_network_integrations(self, events: list[tuple[Resource, Trigger]]) -> None:
        """Each listener of a network load balancer is the target of exactly one container's
        `network-load-balancer` event (e116, validateNetworkLoadBalancerIntegrations in
        config-manager/utils/network-load-balancers.ts)."""
        by_listener: dict[tuple[str, Any], list[tuple[Resource, Trigger]]] = defaultdict(list)
        # An event whose load balancer or port is unknown might be a listener's integration.
        unknown = False
        for owner, t in events:
            if t.type != _NLB or not isinstance(owner, ContainerWorkload):
                continue  # only containers integrate (a function's event is not accepted)
            name = t.properties.get("loadBalancerName")
            port = t.properties.get("listenerPort") or _DEFAULT_LISTENER_PORT
            if not isinstance(name, str) or isinstance(name, Placeholder) or not _is_port(port):
                unknown = True
                continue
            by_listener[(name, port)].append((owner, t))
        # Stacktape's published examples also let a service take a load balancer of the stack
        # (`loadBalancing.properties.loadBalancerName`): such a load balancer has an
        # integration this check cannot count.
        served = {
            lb_name
            for r in self.res.values()
            if isinstance(r, Containerized)
            and isinstance(balancing := r.properties.get("loadBalancing"), dict)
            and isinstance(balancing.get("properties"), dict)
            and isinstance(lb_name := balancing["properties"].get("loadBalancerName"), str)
        }
        for lb in self.res.values():
            if canonical_type(lb.type) != _NLB:
                continue
            seen: set[int] = set()
            for i, port in enumerate(_listener_ports(lb) or []):
                if port in seen:
                    continue  # the port used twice is an error of its own
                seen.add(port)
                group = by_listener.get((lb.name, port), [])
                if not group and not unknown and lb.name not in served:
                    self.report(
                        (*lb.path, "properties", "listeners", i, "port"),
                        "error",
                        "listener-integrations",
                        f"Error in network load-balancer {lb.name!r}. Listener with port {port} "
                        "has 0 integrations. Each network load balancer listener must have "
                        "exactly one integration. (Stacktape e116)",
                        resource=lb.name,
                        hint="add a `network-load-balancer` event with loadBalancerName: "
                        f"{yaml_key(lb.name)} and listenerPort: {port} to a container, or remove "
                        "the listener",
                    )
                names = [f"{o.name}.{t.container}" if t.container else o.name for o, t in group]
                first_at = (
                    self.place_of(self._prop_at(group[0][1], "listenerPort")[0]) if group else ""
                )
                for owner, t in group[1:]:
                    path, key = self._prop_at(t, "listenerPort")
                    self.report(
                        path,
                        "error",
                        "listener-integrations",
                        f"Error in network load-balancer {lb.name!r}. Listener with port {port} "
                        f"has {len(group)} integrations ({', '.join(names)}; the first at "
                        f"{first_at}). Each network load balancer listener must have exactly "
                        "one integration. (Stacktape e116)",
                        resource=owner.name,
                        hint=f"add a listener of its own to {lb.name!r} and name its port in "
                        "listenerPort, or remove this event",
                        key=key,
                    )

    def check_deployment_hooks(self, r: Resource) -> None:
        """`deployment.beforeAllowTrafficFunction` / `afterTrafficShiftFunction` of a function
        or container workload name functions of the stack (Stacktape e36)."""
        deployment = r.properties.get("deployment")
        if not isinstance(deployment, dict):
            return
        for key in _DEPLOYMENT_HOOKS:
            name = deployment.get(key)
            if not isinstance(name, str) or isinstance(name, Placeholder):
                continue
            if name not in self.res and "." in name and name.split(".", 1)[0] in self.res:
                continue  # a child resource of a resource of the stack
            ref = Ref(raw=name, path=(*r.path, "properties", "deployment", key), target=name)
            self.check_ref(ref, ("function",), r.name, f"deployment.{key}")

    def check_efs_mounts(self, r: Resource) -> None:
        """Each `volumeMounts[].properties.efsFilesystemName` names an efs-filesystem of the
        stack (Stacktape e36, resolveReferencesToMountedEfsFilesystems in
        config-manager/utils/efs-filesystems.ts): a function's `efs` mounts, a service's
        mounts and those of each container of a multi-container workload."""
        props = r.properties
        holders: list[tuple[DataPath, Any]] = []
        if isinstance(r, ContainerWorkload):
            containers = props.get("containers")
            for i, c in enumerate(containers if isinstance(containers, list) else []):
                if isinstance(c, dict):
                    holders.append(
                        ((*r.path, "properties", "containers", i), c.get("volumeMounts"))
                    )
        else:
            holders.append(((*r.path, "properties"), props.get("volumeMounts")))
        for base, mounts in holders:
            for i, mount in enumerate(mounts if isinstance(mounts, list) else []):
                if not isinstance(mount, dict):
                    continue
                if isinstance(r, Function) and mount.get("type") != "efs":
                    continue  # Stacktape resolves only a function's `efs` mounts
                mprops = mount.get("properties")
                name = mprops.get("efsFilesystemName") if isinstance(mprops, dict) else None
                if not isinstance(name, str) or isinstance(name, Placeholder):
                    continue
                path = (*base, "volumeMounts", i, "properties", "efsFilesystemName")
                ref = Ref(raw=name, path=path, target=name)
                self.check_ref(ref, ("efs-filesystem",), r.name, "efsFilesystemName")

    def check_load_balancing(self, r: Containerized) -> None:
        """What a container workload's `deployment`, `useFirewall` and `cdn` need of its load
        balancing, and a web-service's custom domains (Stacktape:
        config-manager/utils/web-services.ts, e79, e1003, e117, e118, and
        multi-container-workloads.ts, e54, e61)."""
        if r.type == "web-service":
            self._web_service_load_balancing(r)
            self._web_service_alarms(r)
            self.check_custom_domain_certificates(r)
            self._web_service_ports(r)
        elif isinstance(r, ContainerWorkload) and _truthy(r.properties.get("deployment")):
            self._workload_deployment_target(r)
            self._deployment_without_service_connect(r)

    def _web_service_load_balancing(self, r: Containerized) -> None:
        props = r.properties
        balancing = props.get("loadBalancing")
        lb_type = balancing.get("type") if isinstance(balancing, dict) else None
        lb_type = lb_type or _WEB_SERVICE_LOAD_BALANCING
        if not isinstance(lb_type, str) or isinstance(lb_type, Placeholder):
            return
        needs = (
            ("deployment", (_ALB,), "e79"),
            ("useFirewall", (_ALB,), "e1003"),
            ("cdn", (_WEB_SERVICE_LOAD_BALANCING, _ALB), "e117"),
        )
        for key, allowed, code in needs:
            if not _truthy(props.get(key)) or lb_type in allowed:
                continue
            wanted = " or ".join(allowed)
            self.report(
                (*r.path, "properties", key),
                "error",
                "load-balancing-required",
                f"web-service {r.name!r} uses `{key}`, which needs load balancing type {wanted}; "
                f"its loadBalancing is {lb_type} (Stacktape {code})",
                resource=r.name,
                hint="set loadBalancing: {type: application-load-balancer}, or remove " + key,
                key=True,
            )

    def _web_service_ports(self, r: Containerized) -> None:
        """A web-service's network load balancer gets one listener per entry of
        `loadBalancing.properties.ports` (Stacktape's transform of web services into their
        nested resources), so a port written twice is two listeners on one port, which
        validateListenerPortOverlap refuses."""
        balancing = r.properties.get("loadBalancing")
        if not isinstance(balancing, dict) or balancing.get("type") != _NLB:
            return
        body = balancing.get("properties")
        ports = body.get("ports") if isinstance(body, dict) else None
        first: dict[int, DataPath] = {}
        for i, entry in enumerate(ports if isinstance(ports, list) else []):
            port = entry.get("port") if isinstance(entry, dict) else None
            if not _is_port(port):
                continue  # missing or of the wrong type: the schema's concern
            path = (*r.path, "properties", "loadBalancing", "properties", "ports", i, "port")
            other = first.setdefault(port, path)
            if other == path:
                continue
            self.report(
                path,
                "error",
                "duplicate-listener-port",
                f"web-service {r.name!r} lists port {port} twice in its network load "
                f"balancing `ports` (first at {self.place_of(other)}); each entry becomes a "
                "listener of its network load balancer, and Stacktape refuses two listeners "
                "on one port",
                resource=r.name,
                hint="Each listener must use unique port: change or remove this entry",
            )

    def check_custom_domain_certificates(self, r: Resource) -> None:
        """A custom domain whose DNS record Stacktape does not create gets no certificate from
        Stacktape either (it validates a certificate through that record): it needs its own
        `customCertificateArn`. Stacktape refuses it (e118) in a web-service
        (validateWebServiceConfig) and, since its CLI moved to apps/cli, in an application or
        network load balancer (validateApplicationLoadBalancerConfig,
        validateNetworkLoadBalancerConfig)."""
        domains = r.properties.get("customDomains")
        for i, domain in enumerate(domains if isinstance(domains, list) else []):
            if not isinstance(domain, dict) or not _truthy(domain.get("disableDnsRecordCreation")):
                continue
            if _truthy(domain.get("customCertificateArn")):
                continue
            name = domain.get("domainName")
            self.report(
                (*r.path, "properties", "customDomains", i, "disableDnsRecordCreation"),
                "error",
                "custom-domain-certificate",
                f"Error in {r.type} {named(r.name)}: custom domain "
                + (f"{name!r} " if isinstance(name, str) else "")
                + "sets `disableDnsRecordCreation` without a `customCertificateArn`; Stacktape "
                "refuses it (e118)",
                resource=r.name,
                hint="add customCertificateArn: <ARN of an ACM certificate for the domain>, or "
                "let Stacktape create the DNS record",
                key=True,
            )

    def _web_service_alarms(self, r: Containerized) -> None:
        """Each alarm of a web-service is one of its load balancing type: its trigger type
        starts with it (Stacktape e80, validateWebServiceConfig)."""
        balancing = r.properties.get("loadBalancing")
        lb_type = balancing.get("type") if isinstance(balancing, dict) else None
        lb_type = lb_type or _WEB_SERVICE_LOAD_BALANCING
        alarms = r.properties.get("alarms")
        if not isinstance(lb_type, str) or isinstance(lb_type, Placeholder):
            return
        if not isinstance(alarms, list):
            return
        for i, alarm in enumerate(alarms):
            trigger = alarm.get("trigger") if isinstance(alarm, dict) else None
            kind = trigger.get("type") if isinstance(trigger, dict) else None
            if not isinstance(kind, str) or isinstance(kind, Placeholder):
                continue  # missing or not a type: the schema's concern
            if kind.startswith(lb_type):
                continue
            self.report(
                (*r.path, "properties", "alarms", i, "trigger", "type"),
                "error",
                "web-service-alarm",
                f"Error in web-service {named(r.name)}. You can only use `alarms` compatible with "
                "web service load balancing type (i.e application-load-balancer alarms for "
                "application-load-balancer and http-api-gateway alarms for http-api-gateway); "
                f"alarm {kind!r} is not one of {lb_type} (Stacktape e80)",
                resource=r.name,
                hint=(
                    f"use an alarm whose type starts with {lb_type}-, or change loadBalancing"
                    if lb_type != "network-load-balancer"
                    else "a network load balancer has no alarms of its own: remove the alarm, "
                    "or change loadBalancing"
                ),
            )

    def _deployment_without_service_connect(self, r: ContainerWorkload) -> None:
        """`deployment` cannot be used on a workload with `service-connect` events (Stacktape
        e75, validateServiceConnectLimitations)."""
        connect = next((t for t in r.events if t.type == "service-connect"), None)
        if connect is None:
            return
        self.report(
            (*r.path, "properties", "deployment"),
            "error",
            "deployment-service-connect",
            f"Error in {r.type} {named(r.name)}: Property `deployment` cannot be used when using "
            f'"service-connect" events (Stacktape e75); container {connect.container!r} has one '
            f"at {self.place_of(connect.path)}",
            resource=r.name,
            hint="remove deployment, or reach the container through a load balancer event "
            "instead of service-connect",
            key=True,
        )

    def _workload_deployment_target(self, r: ContainerWorkload) -> None:
        """A multi-container workload's `deployment` shifts the traffic of one application
        load balancer listener to one container port: it needs such an event (e54), and all
        of them must target that same container, port and listener (e61)."""
        alb = [t for t in r.events if t.type == _ALB]
        if not alb:
            self.report(
                (*r.path, "properties", "deployment"),
                "error",
                "load-balancing-required",
                f"Error in multi-container-workload {named(r.name)}: The compute resource must use "
                "application-load-balancer event integration to use `deployment` (Stacktape e54)",
                resource=r.name,
                hint="add an `application-load-balancer` event to the container that serves "
                "traffic, or remove deployment",
                key=True,
            )
            return

        def target(t: Trigger) -> tuple[Any, ...]:
            # Stacktape compares the values as written: a missing listenerPort is not 443.
            p = t.properties
            return (t.container, p.get("containerPort"), p.get("listenerPort"))

        for previous, t in pairwise(alb):
            if target(t) == target(previous):
                continue
            container, port, listener = target(previous)
            self.report(
                t.path,
                "error",
                "deployment-load-balancer-target",
                f"Error in multi-container-workload {named(r.name)}: Only one container of compute "
                "resource can be targeted by exactly one application-load-balancer listener "
                f"when using `deployment` (Stacktape e61); the event at "
                f"{self.place_of(previous.path)} targets container {container!r} port {port} on "
                f"listener {listener or _DEFAULT_LISTENER_PORT}",
                resource=r.name,
                hint="send the load balancer's traffic to one container port on one listener, "
                "or remove deployment",
            )
            return

    # -- container workloads (Stacktape: config-manager/utils/multi-container-workloads.ts) -

    def check_container_resources(self, r: Containerized) -> None:
        """`resources` and `scaling` of a container workload as Stacktape's
        validateResourcesConfiguration, validateCpuArchitecture and validateScalingConfiguration
        check them: `cpu` and `memory` without `instanceTypes` (e87), Fargate's CPU and memory
        pairs, the settings only EC2 instance types take (e125, e126), and at least as many
        instances at most as at least (e89)."""
        base = (*r.path, "properties")
        res = r.properties.get("resources")
        # A workload without `resources` is left alone: Stacktape's published starters deploy
        # services without them, so a default must apply before its e87 check.
        if isinstance(res, dict):
            if _truthy(res.get("instanceTypes")):
                self._instance_type_settings(r, res)
            elif self._fargate_needs(r, res):
                self._fargate_size(r, res)
            self._warm_pool(r, res)
        scaling = r.properties.get("scaling")
        if isinstance(scaling, dict):
            low, high = scaling.get("minInstances"), scaling.get("maxInstances")
            if _is_port(low) and _is_port(high) and high < low:
                self.report(
                    (*base, "scaling", "maxInstances"),
                    "error",
                    "scaling-range",
                    f"Error in {r.type} {named(r.name)}: maxInstances {high} is below minInstances "
                    f"{low}; it must be higher or equal to minInstances (Stacktape e89)",
                    resource=r.name,
                    hint=f"set maxInstances: {low} (or more), or lower minInstances",
                )

    def _fargate_needs(self, r: Containerized, res: dict[str, Any]) -> bool:
        """Without `instanceTypes` Stacktape needs a `cpu` and a `memory` that JavaScript
        counts as true (e87: a 0 is missing too); False when one is missing (reported)."""
        cpu, memory = res.get("cpu"), res.get("memory")
        missing = [k for k, v in (("cpu", cpu), ("memory", memory)) if not _truthy(v)]
        if not missing:
            return True
        what = " and ".join(f"`{k}` is {_falsy_text(res.get(k))}" for k in missing)
        if missing == ["memory"] and isinstance(cpu, (int, float)) and cpu in FARGATE_MEMORY_MB:
            fix = f"memory: {FARGATE_MEMORY_MB[cpu][0]}"
        elif missing == ["cpu"] and _is_port(memory):
            fits = [c for c, mems in FARGATE_MEMORY_MB.items() if memory in mems]
            fix = f"cpu: {fits[0]:g}" if fits else "cpu: 0.25, memory: 512"
        else:
            fix = "cpu: 0.25, memory: 512"
        self.report(
            (*r.path, "properties", "resources"),
            "error",
            "container-resources",
            f"Error in {r.type} {named(r.name)}: When configuring `resources` you must choose one "
            "of: `cpu` and `memory` (Fargate), or `instanceTypes` (EC2, where cpu and memory are "
            f"optional); here {what} (Stacktape e87)",
            resource=r.name,
            hint=f"add {fix} to resources, or run on EC2 with instanceTypes",
        )
        return False

    def _warm_pool(self, r: Containerized, res: dict[str, Any]) -> None:
        """`enableWarmPool` needs exactly one instance type (e125); the count is checked with
        the other instance type settings."""
        if not _truthy(res.get("enableWarmPool")) or _truthy(res.get("instanceTypes")):
            return
        self.report(
            (*r.path, "properties", "resources", "enableWarmPool"),
            "error",
            "instance-types-conflict",
            f"Error in {r.type} {named(r.name)}. Property `enableWarmPool` can only be used when "
            "you specify exactly one instance type in `instanceTypes` (Stacktape e125); this one "
            "has no `instanceTypes` (a warm pool keeps EC2 instances, Fargate has none)",
            resource=r.name,
            hint="add instanceTypes with one instance type, or remove enableWarmPool",
            key=True,
        )

    def _fargate_size(self, r: Containerized, res: dict[str, Any]) -> None:
        cpu, memory = res.get("cpu"), res.get("memory")
        if not isinstance(cpu, (int, float)) or isinstance(cpu, bool) or not _is_port(memory):
            return  # missing, or of the wrong type: the schema's concern
        path = (*r.path, "properties", "resources")
        allowed = FARGATE_MEMORY_MB.get(cpu)
        sizes = ", ".join(f"{c:g}" for c in FARGATE_MEMORY_MB)
        if allowed is None:
            self.report(
                (*path, "cpu"),
                "error",
                "fargate-cpu-memory",
                f"cpu {_number(cpu)} is not a Fargate size ({sizes} vCPU); Stacktape finds no "
                "memory value compatible with it",
                resource=r.name,
                hint="use one of those sizes, or run on EC2 with `instanceTypes`",
            )
            return
        if memory in allowed:
            return
        fits = [f"{c:g}" for c, mems in FARGATE_MEMORY_MB.items() if memory in mems]
        self.report(
            (*path, "memory"),
            "error",
            "fargate-cpu-memory",
            f"Error in resources of container compute resource {named(r.name)}. Memory value "
            f"'{memory}' is not compatible with CPU value '{_number(cpu)}'. (Fargate)",
            resource=r.name,
            hint=f"Allowed memory values for cpu {_number(cpu)}: {', '.join(map(str, allowed))}"
            + (f"; or set cpu to {' or '.join(fits)}" if fits else ""),
        )

    def _instance_type_settings(self, r: Containerized, res: dict[str, Any]) -> None:
        path = (*r.path, "properties", "resources")
        if res.get("architecture") is not None:
            self.report(
                (*path, "architecture"),
                "error",
                "instance-types-conflict",
                f"Error in {r.type} {named(r.name)}. Property `architecture` cannot be used when "
                "`instanceTypes` is specified (Stacktape e126): the instance type decides the "
                "CPU architecture",
                resource=r.name,
                hint="remove architecture (pick arm instance types such as t4g.* for arm64)",
                key=True,
            )
        types = res.get("instanceTypes")
        if _truthy(res.get("enableWarmPool")) and isinstance(types, list) and len(types) != 1:
            self.report(
                (*path, "enableWarmPool"),
                "error",
                "instance-types-conflict",
                f"Error in {r.type} {named(r.name)}. Property `enableWarmPool` can only be used "
                "when you specify exactly one instance type in `instanceTypes` (Stacktape e125); "
                f"this one has {len(types)}",
                resource=r.name,
                hint="keep one instance type, or remove enableWarmPool",
                key=True,
            )

    def check_containers(self, r: ContainerWorkload) -> None:
        """Container names are unique in a workload and `dependsOn` names one of them
        (validateContainerNamesConsistency); two containers do not take traffic on one port
        (validatePortOverlapOfContainerWorkload)."""
        containers = r.properties.get("containers")
        if not isinstance(containers, list):
            return
        cpath = (*r.path, "properties", "containers")
        names: list[str] = []
        for i, c in enumerate(containers):
            name = c.get("name") if isinstance(c, dict) else None
            if not isinstance(name, str):
                continue
            if name in names:
                self.report(
                    (*cpath, i, "name"),
                    "error",
                    "container-names",
                    f"Conflict within container names of {r.type} {r.name!r}: two or more "
                    f'containers are using the same name "{named(name)}"',
                    resource=r.name,
                    hint="give each container its own name",
                )
            names.append(name)
        for i, c in enumerate(containers):
            deps = c.get("dependsOn") if isinstance(c, dict) else None
            for j, dep in enumerate(deps if isinstance(deps, list) else []):
                wanted = dep.get("containerName") if isinstance(dep, dict) else None
                if not isinstance(wanted, str) or wanted in names:
                    continue
                guess = did_you_mean(wanted, [n for n in names if n != c.get("name")])
                self.report(
                    (*cpath, i, "dependsOn", j, "containerName"),
                    "error",
                    "container-names",
                    f"Container {c.get('name')!r} of {r.name!r} depends on non-existent "
                    f"container {wanted!r}; its containers are {', '.join(names)}",
                    resource=r.name,
                    hint=f"did you mean {guess!r}?"
                    if guess
                    else "name one of the workload's containers, or remove the entry",
                )
        first: dict[int, Trigger] = {}
        for t in r.events:
            if t.container_port is None or t.container is None:
                continue
            other = first.setdefault(t.container_port, t)
            if other.container == t.container:
                continue
            self.report(
                (*t.path, "properties", "containerPort"),
                "error",
                "duplicate-container-port",
                f"Port overlap detected within {r.type} {named(r.name)}. Container "
                f"{other.container!r} "
                f"({self.place_of(other.path)}) and container {t.container!r} are using the same "
                f"port number {t.container_port}",
                resource=r.name,
                hint=f"each container port mapped using `events` must be unique within the "
                f"{r.type}: give {t.container!r} another port",
            )

    # -- driver ------------------------------------------------------------------------
