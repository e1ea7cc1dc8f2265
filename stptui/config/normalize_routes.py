"""The events of API gateways: `http-api-gateway` routes (and their authorizers),
`websocket-api-gateway` routes (and theirs), `appsync-api` resolvers, and the gateway a
route that names none is bound to once every resource is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean, indefinite_article
from stptui.config.loader import DataPath
from stptui.config.model import (
    COGNITO_IDENTITY_SOURCES,
    AppSyncTrigger,
    HttpApiGateway,
    HttpAuthorizer,
    HttpTrigger,
    Ref,
    WebSocketTrigger,
)
from stptui.config.normalize_schema import (
    GRAPHQL_FIELD,
    HTTP_AUTHORIZERS,
    HTTP_IDENTITY_SOURCE,
    IDENTITY_SOURCE,
    WEBSOCKET_AUTHORIZERS,
    WEBSOCKET_LIFECYCLE_ROUTES,
)
from stptui.yamltext import yaml_key

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


class RouteReaders(_BuilderBase):
    """Readers of route events and authorizers (a part of `normalize.StackBuilder`)."""

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
            if not isinstance(source, str) or not HTTP_IDENTITY_SOURCE.match(source):
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
            if not isinstance(source, str) or not IDENTITY_SOURCE.match(source):
                self.diag(
                    (*spath, i),
                    "error",
                    "invalid-value",
                    f"identity source {source!r} is not route.request.header.<name> or "
                    "route.request.querystring.<name>",
                    resource=owner,
                )

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
                hint=(
                    f"add `httpApiGatewayName: {yaml_key(gateway.name)}` (Stacktape's deployer "
                    "requires it)"
                )
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
