"""Container workloads and services (web, private and worker services).

Containers run only as behaviours (answering the HTTP requests routed to them): their
properties are checked against the schema and kept as written; connectTo, environments and
the containers' ingress events (with their `containerPort`) are read, and a service's load
balancing and side containers checked. A
web-service's `loadBalancing` is also read into the entry point Stacktape makes for it
(`ContainerService.entry`: its HTTP API or load balancer), which the simulator builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from stptui.config.diagnostics import indefinite_article
from stptui.config.directives import Placeholder
from stptui.config.loader import DataPath
from stptui.config.model import (
    CONTAINER_TRIGGER_TYPES,
    NLB_DEFAULT_PROTOCOL,
    WEB_SERVICE_ENTRY_IDS,
    WEB_SERVICE_LOAD_BALANCING,
    Container,
    Containerized,
    ContainerService,
    ContainerWorkload,
    NlbPort,
    Trigger,
    WebServiceEntry,
)
from stptui.config.normalize_compute import legacy_image_config
from stptui.config.normalize_props import (
    describe_value,
    kind_ok,
)
from stptui.config.normalize_schema import (
    ANY,
    CONTAINER_PROPS,
    DICT,
    LIST,
    MAX_PORT,
    MAX_STOP_TIMEOUT_S,
    METHOD_ITEMS,
    MIN_PORT,
    MIN_STOP_TIMEOUT_S,
    NEWER_DOCS_BALANCING,
    NEWER_DOCS_MOUNT,
    OPTIONAL_BALANCING_PROPERTIES,
    PORT,
    SERVICE_LOAD_BALANCING,
    SERVICE_TABLES,
    SIDE_CONTAINER_PROPS,
    SIDE_CONTAINER_REQUIRED,
    STR,
    TRIGGER_PROPS,
    VOLUME_MOUNTS,
    WEB_SERVICE_ALARM_PREFIXES,
    WEB_SERVICE_ALARM_TRIGGERS,
    WORKLOAD_PROPS,
    P,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


class ContainerReaders(_BuilderBase):
    """Readers of container workloads and services (a part of `normalize.StackBuilder`)."""

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
            self.check_value(DICT, raw["resources"], (*path, "resources"), "resources", c.name)
        if "connectTo" in raw and self.check_value(
            LIST, raw["connectTo"], (*path, "connectTo"), "connectTo", c.name
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
        # A service's `logging` is its container's (and its HTTP API's access logs');
        # a wrong type is reported with the container's nested objects.
        logging = body.get("logging")
        spec.logging_disabled = isinstance(logging, dict) and logging.get("disabled") is True
        # A wrong type or a value outside 2-120 s is reported with the properties, and the
        # default kept.
        stop = body.get("stopTimeout")
        if kind_ok("num", stop) and MIN_STOP_TIMEOUT_S <= stop <= MAX_STOP_TIMEOUT_S:
            spec.stop_timeout_s = stop
        return spec

    def _container_service(
        self, name: str, raw: dict[str, Any], path: DataPath
    ) -> ContainerService:
        """A web, private or worker service: its connectTo and its one container's environment;
        the rest is kept as written, since containers run only as behaviours."""
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
        if not self.check_value(LIST, containers, (*path, "containers"), "containers", name):
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
                    f"{describe_value(container)}",
                    resource=name,
                )
                continue
            cname = container.get("name")
            if not isinstance(cname, str):
                if "name" in container:
                    self.check_value(STR, cname, (*cpath, "name"), "name", name)
                else:
                    self.require(container, container, "name", cpath, name, "a container")
                cname = None
            else:
                cw.containers.append(cname)
            legacy = legacy_image_config(container)
            if legacy:
                # One error, at `imageConfig`, with today's `packaging` written out: not a
                # missing `packaging` besides (nor, in a legacy workload, instead).
                self.misspelt.setdefault(cpath, set()).add("packaging")
                if not strict:
                    self.diag(
                        (*cpath, "imageConfig"),
                        "error",
                        "unknown-property",
                        "unknown property `imageConfig` in a container",
                        key=True,
                        resource=name,
                        hint=legacy["imageConfig"],
                    )
            spec = self._container(cname, container, cpath, name)
            if strict:
                got = self._container_body(
                    container, cpath, name, CONTAINER_PROPS, " in a container", legacy
                )
                self.nested(got, "loadBalancerHealthCheck", cpath, name)
            if cname is not None:
                cw.container_specs.append(spec)
            events = container.get("events")
            if events is None or not self.check_value(
                LIST, events, (*cpath, "events"), "events", name
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
                    extra={"containerPort": PORT},
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
        self,
        body: dict[str, Any],
        path: DataPath,
        owner: str,
        spec: dict[str, P],
        where: str,
        unexposed: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Check the properties a service and a workload's container share (`body` holds
        them) against `spec`, and their nested objects; returns them as read. `unexposed`:
        the hints of keys Stacktape no longer takes (see `read_props`)."""
        checked = {k: ANY if k in self._READ_ELSEWHERE else kind for k, kind in spec.items()}
        props = self.read_props(body, path, checked, owner, where=where, unexposed=unexposed)
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
            if newer and any(k in mount for k in NEWER_DOCS_MOUNT):
                continue
            mpath = (*path, "volumeMounts", i)
            self.typed_object(mount, mpath, owner, "volume mount", VOLUME_MOUNTS)

    def _side_containers(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """Each of a service's `sideContainers` against SIDE_CONTAINER_PROPS, with its
        packaging and nested objects."""
        sides = props.get("sideContainers")
        for i, side in enumerate(sides if isinstance(sides, list) else []):
            spath = (*path, "sideContainers", i)
            if not self.check_value(DICT, side, spath, f"sideContainers[{i}]", owner):
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
        spec = {**SERVICE_TABLES[rtype], "events": ANY}
        props = self._container_body(raw, path, name, spec, "")
        self._workload_nested(props, path, name)
        cors = self.nested(props, "cors", path, name)
        self.items(cors, "allowedMethods", (*path, "cors"), name, METHOD_ITEMS)
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
                foreign_prefixes=WEB_SERVICE_ALARM_PREFIXES,
            )
        self._load_balancing(props.get("loadBalancing"), (*path, "loadBalancing"), name, rtype)
        if rtype == "web-service":
            svc.entry = _web_service_entry(
                svc, raw.get("loadBalancing", _ABSENT), props, cors, path
            )

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
        newer = isinstance(body, dict) and any(k in body for k in NEWER_DOCS_BALANCING)
        keys = {"type": ANY, "properties": DICT}
        if known and shape is None and not newer:
            keys = {"type": ANY}
        got = self.read_props(raw, path, keys, owner, where=" in `loadBalancing`")
        if not self.require(got, raw, "type", path, owner, "`loadBalancing`"):
            return
        spec = P("str", enum=tuple(variants))
        if shape is None or newer:
            self.check_value(spec, kind, (*path, "type"), "type", owner)
            return
        if "properties" not in got:
            if kind not in OPTIONAL_BALANCING_PROPERTIES:
                self.require(got, raw, "properties", path, owner, f"`loadBalancing` {kind!r}")
            return
        body = got["properties"]
        ppath = (*path, "properties")
        where = f" in the `{kind}` load balancing"
        read = self.read_props(body, ppath, shape.props, owner, where=where)
        what = f"`{kind}` load balancing"
        self.require_all(read, body, shape.props, shape.required, ppath, owner, what)
        self.each_item(read, "ports", ppath, owner)

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
            ok = kind_ok("int", port) and MIN_PORT <= port <= MAX_PORT
        else:
            ok = self.check_value(PORT, port, (*ppath, "containerPort"), "containerPort", owner)
        return int(port) if ok else None


# `loadBalancing` not written at all (None may be written: Stacktape reads it as absent).
_ABSENT = object()


def _web_service_entry(
    svc: ContainerService,
    raw: Any,
    props: dict[str, Any],
    cors: dict[str, Any],
    path: DataPath,
) -> WebServiceEntry | None:
    """The HTTP API or load balancer Stacktape makes for a web-service (its `webServices`
    transform) from its `loadBalancing` as written (`raw`), or None when that is malformed
    (reported already) or attaches the service to a gateway or load balancer of the stack
    (the newer docs' shape)."""
    written = isinstance(raw, dict)
    if raw is not _ABSENT and raw is not None and not written:
        return None
    kind = raw.get("type") if isinstance(raw, dict) else WEB_SERVICE_LOAD_BALANCING
    if not isinstance(kind, str) or isinstance(kind, Placeholder):
        return None
    if kind not in WEB_SERVICE_ENTRY_IDS:
        return None
    body = raw.get("properties") if isinstance(raw, dict) else None
    body = body if isinstance(body, dict) else {}
    if any(k in body for k in NEWER_DOCS_BALANCING):
        return None
    domains = props.get("customDomains")
    names = tuple(
        d["domainName"]
        for d in (domains if isinstance(domains, list) else [])
        if isinstance(d, dict)
        and isinstance(d.get("domainName"), str)
        and not isinstance(d["domainName"], Placeholder)
        # Stacktape gives a load balancer only the domains whose DNS record it creates.
        and (kind == WEB_SERVICE_LOAD_BALANCING or d.get("disableDnsRecordCreation") is not True)
    )
    entry = WebServiceEntry(
        type=kind,
        name=f"{svc.name}.{WEB_SERVICE_ENTRY_IDS[kind]}",
        service=svc.name,
        path=(*path, "loadBalancing") if written else svc.path,
        custom_domains=names,
    )
    if kind == WEB_SERVICE_LOAD_BALANCING and cors.get("enabled") is True:
        entry.cors = cors
    if kind == "network-load-balancer":
        entry.container_port = None
        entry.ports = tuple(_nlb_ports(body.get("ports")))
    return entry


def _nlb_ports(raw: Any) -> list[NlbPort]:
    """A network load balancing's `ports` as listeners: `containerPort || port`, `protocol
    || 'TLS'`; an entry whose numbers are malformed (reported already) is left out, and so is
    a port written twice (Stacktape refuses it: lint's duplicate-listener-port)."""
    out: list[NlbPort] = []
    seen: set[int] = set()
    for entry in raw if isinstance(raw, list) else []:
        port = entry.get("port") if isinstance(entry, dict) else None
        if not kind_ok("int", port) or not MIN_PORT <= port <= MAX_PORT or port in seen:
            continue
        seen.add(port)
        target = entry.get("containerPort")
        if not (kind_ok("int", target) and MIN_PORT <= target <= MAX_PORT):
            target = port
        protocol = entry.get("protocol")
        protocol = protocol if protocol in ("TCP", "TLS") else NLB_DEFAULT_PROTOCOL
        out.append(NlbPort(port, target, protocol))
    return out
