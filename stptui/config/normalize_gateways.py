"""What stands in front of the workloads: HTTP and WebSocket API gateways, AppSync APIs,
application and network load balancers (with their listeners), web-app firewalls, and the
user pools whose hooks run the stack's functions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.loader import DataPath
from stptui.config.model import (
    STANDARD_USER_ATTRIBUTES,
    USER_POOL_HOOKS,
    AppSyncApi,
    HttpApiGateway,
    Resource,
    UserAttributeRule,
    UserAuthPool,
)
from stptui.config.normalize_names import pascal_case
from stptui.config.normalize_schema import (
    ALARM_TRIGGERS,
    ALB_CDN_PROPS,
    ALB_DEFAULT_ACTIONS,
    ALB_LISTENER_PROPS,
    ALB_PROPS,
    ALL_NESTED,
    APPSYNC_API_PROPS,
    APPSYNC_API_REQUIRED,
    APPSYNC_AUTHENTICATIONS,
    DICT,
    FIREWALL_PROPS,
    FIREWALL_RULES,
    GATEWAY_PROPS,
    METHOD_ITEMS,
    NLB_LISTENER_PROPS,
    NLB_PROPS,
    OAUTH_FLOW_ITEMS,
    USER_AUTH_POOL_PROPS,
    WEBSOCKET_API_GATEWAY_PROPS,
    P,
)
from stptui.config.stage_settings import read_stage

# A user pool's access and ID tokens: Cognito's default unit for their validity (an hour),
# and the most hours it accepts (a day).
TOKEN_HOUR_S = 3600
MAX_TOKEN_HOURS = 24
# A refresh token lasts 60 minutes to 10 years (Cognito), days as Stacktape passes them.
DEFAULT_REFRESH_DAYS = 30
MAX_REFRESH_DAYS = 3650

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object

# A variable of an API Gateway selection expression: `${...}` or `$name.path`; `\$` is a
# dollar sign, not a variable.
SELECTION_VARIABLE = re.compile(r"(?<!\\)\$(?:\{(?P<braced>[^}]*)\}|(?P<bare>[\w.\-]*))")
# What a WebSocket API's route selection evaluates (AWS: `$request.body.{path}`).
BODY_PATH = "request.body."


def unevaluated_selection(expression: str) -> str | None:
    """The first variable of a WebSocket route selection expression that API Gateway does
    not evaluate for WebSocket APIs (any but `$request.body.{path}`: a header, the bare
    body, a context variable), written as it is in the expression; None when all are."""
    for match in SELECTION_VARIABLE.finditer(expression):
        variable = match["braced"] if match["braced"] is not None else match["bare"]
        if not variable.startswith(BODY_PATH) or len(variable) == len(BODY_PATH):
            return match[0]
    return None


class GatewayReaders(_BuilderBase):
    """Readers of gateways, load balancers and firewalls (a part of `normalize.StackBuilder`)."""

    def _gateway(self, name: str, raw: dict[str, Any], path: DataPath) -> HttpApiGateway:
        props = self.read_props(raw, path, GATEWAY_PROPS, name)
        g = HttpApiGateway(
            name=name, type="http-api-gateway", path=(path[0], path[1]), properties=raw
        )
        self.nested(props, "logging", path, name, "gateway logging")
        cors = self.nested(props, "cors", path, name)
        self.items(cors, "allowedMethods", (*path, "cors"), name, METHOD_ITEMS)
        if cors.get("enabled") is True:
            g.cors = cors
            if "allowedHeaders" in cors:
                # Stacktape's getCorsConfiguration sets AllowHeaders from `allowedMethods`
                # (else its default list) and never reads `allowedHeaders`.
                self.diag(
                    (*path, "cors", "allowedHeaders"),
                    "warning",
                    "ignored-property",
                    "`allowedHeaders` has no effect: Stacktape's CORS configuration takes the "
                    "allowed headers from `allowedMethods` when it is set, else its default "
                    "list (Content-Type, X-Amz-Date, Authorization, X-Api-Key, "
                    "X-Amz-Security-Token, X-Amz-User-Agent)",
                    resource=name,
                    hint="rely on the default header list, or add the headers an override "
                    "of the API's CorsConfiguration needs",
                    key=True,
                )
        self.each_item(props, "customDomains", path, name)
        self._cdn(props, path, name)
        self._alarms(props, path, name, ALARM_TRIGGERS["http-api-gateway"])
        if "payloadFormat" in props:
            g.payload_format = props["payloadFormat"]
        else:
            g.defaults.add("payloadFormat")
        return g

    def _stage_metrics(self, g: HttpApiGateway, overrides: Any) -> None:
        """Whether the API's stage has detailed (per-route) metrics. Stacktape's stage
        (`getHttpApiStage`) sets no route settings, so API Gateway's default, off, holds
        unless `overrides` of the stage's logical id (`{Name}Stage`: Stacktape's
        `cfLogicalNames.httpApiStage`) set DetailedMetricsEnabled, by default or per route
        key, in any form CloudFormation takes (`stage_settings`); a malformed one is
        reported where it is written."""
        logical_id = f"{pascal_case(g.name)}Stage"
        stage = overrides.get(logical_id) if isinstance(overrides, dict) else None
        if not isinstance(stage, dict):
            return
        read = read_stage(stage, ("resources", g.name, "overrides", logical_id))
        g.detailed_metrics = read.detailed_metrics
        g.route_detailed_metrics = read.route_detailed_metrics
        g.route_settings_at = read.route_keys
        for p in read.problems:
            self.diag(p.path, "error", p.code, p.message, key=p.key, resource=g.name, hint=p.hint)

    def _web_app_firewall(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, FIREWALL_PROPS, name)
        self.require_all(
            props, raw, FIREWALL_PROPS, ("scope",), path, name, f"web-app-firewall {name!r}"
        )
        rules = props.get("rules")
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            rpath = (*path, "rules", i)
            got = self.typed_object(rule, rpath, name, "rule", FIREWALL_RULES)
            self.nested(got, "forwardedIPConfig", (*rpath, "properties"), name)
        bodies = props.get("customResponseBodies")
        for key in bodies if isinstance(bodies, dict) else {}:
            bpath = (*path, "customResponseBodies")
            if self.check_value(
                DICT, bodies[key], (*bpath, key), f"customResponseBodies.{key}", name
            ):
                self.nested(bodies, key, bpath, name, "custom response body")
        return Resource(name=name, type="web-app-firewall", path=path[:2], properties=raw)

    def _application_load_balancer(
        self, name: str, raw: dict[str, Any], path: DataPath
    ) -> Resource:
        """An application load balancer's properties and each of its custom `listeners`."""
        props = self.read_props(raw, path, ALB_PROPS, name)
        self._listeners(props, path, name, ALB_LISTENER_PROPS)
        self._balancer_domains(props, path, name)
        self._cdn(props, path, name, ALB_CDN_PROPS)
        self._alarms(props, path, name, ALARM_TRIGGERS["application-load-balancer"])
        return Resource(name=name, type="application-load-balancer", path=path[:2], properties=raw)

    def _network_load_balancer(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """A network load balancer's properties and each of its `listeners` (required)."""
        props = self.read_props(raw, path, NLB_PROPS, name)
        what = f"network-load-balancer {name!r}"
        self.require_all(props, raw, NLB_PROPS, ("listeners",), path, name, what)
        self._listeners(props, path, name, NLB_LISTENER_PROPS)
        self._balancer_domains(props, path, name)
        return Resource(name=name, type="network-load-balancer", path=path[:2], properties=raw)

    def _balancer_domains(self, props: dict[str, Any], path: DataPath, name: str) -> None:
        """A load balancer's `customDomains`: each a domain name, or (newer) a mapping of the
        shape every other `customDomains` entry has (`DomainConfiguration[] | string[]`,
        packages/config/src/application-load-balancers.ts of stacktape/stacktape, 8a45e4c1)."""
        domains = props.get("customDomains")
        for i, entry in enumerate(domains if isinstance(domains, list) else []):
            ipath = (*path, "customDomains", i)
            if not self.check_value(P("str|dict"), entry, ipath, f"customDomains[{i}]", name):
                continue
            if isinstance(entry, dict):
                spec, required = ALL_NESTED["customDomains"]
                where = f" in `customDomains[{i}]`"
                got = self.read_props(entry, ipath, spec, name, where=where)
                self.require_all(got, entry, spec, required, ipath, name, f"`customDomains[{i}]`")

    def _listeners(
        self, props: dict[str, Any], path: DataPath, name: str, table: dict[str, P]
    ) -> None:
        """Each of a load balancer's `listeners` against its listener table, with the
        `protocol` and `port` every listener needs."""
        listeners = props.get("listeners")
        for i, entry in enumerate(listeners if isinstance(listeners, list) else []):
            lpath = (*path, "listeners", i)
            if not self.check_value(DICT, entry, lpath, f"listeners[{i}]", name):
                continue
            got = self.read_props(entry, lpath, table, name, where=f" in listeners[{i}]")
            required = ("protocol", "port")
            self.require_all(got, entry, table, required, lpath, name, f"listeners[{i}]")
            if "defaultAction" in got:
                apath = (*lpath, "defaultAction")
                action = got["defaultAction"]
                self.typed_object(action, apath, name, "defaultAction", ALB_DEFAULT_ACTIONS)

    def _websocket_api_gateway(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, WEBSOCKET_API_GATEWAY_PROPS, name)
        expression = props.get("routeSelectionExpression")
        if isinstance(expression, str) and not expression.strip():
            # Stacktape's CONFIG_WEBSOCKET_ROUTE_SELECTION_EXPRESSION_EMPTY.
            self.diag(
                (*path, "routeSelectionExpression"),
                "error",
                "invalid-value",
                "`routeSelectionExpression` is empty",
                resource=name,
                hint="remove it to use $request.body.action, or write an API Gateway "
                "selection expression",
            )
        elif isinstance(expression, str) and (variable := unevaluated_selection(expression)):
            # AWS: "For WebSocket-based APIs, the expression should be of the form
            # $request.body.{path_to_body_element}"; a header or the whole body selects nothing.
            whole = variable.rstrip(".}") in ("$request.body", "${request.body")
            self.diag(
                (*path, "routeSelectionExpression"),
                "error",
                "invalid-value",
                f"`routeSelectionExpression` reads {variable}, which a WebSocket API does not "
                "evaluate: its route selection reads a field of the message's JSON body"
                + (", not the whole body" if whole else ""),
                resource=name,
                hint="write $request.body.{path}, e.g. $request.body.action (the default)",
            )
        self.nested(props, "logging", path, name, "websocket logging")
        self.each_item(props, "customDomains", path, name)
        return Resource(name=name, type="websocket-api-gateway", path=path[:2], properties=raw)

    def _user_auth_pool(self, name: str, raw: dict[str, Any], path: DataPath) -> UserAuthPool:
        """A user pool: the names of its properties and of the objects in them, its `hooks`
        (each a function's ARN), whether only admins create accounts, its password policy
        and how users verify."""
        pool = UserAuthPool(name=name, type="user-auth-pool", path=path[:2], properties=raw)
        props = self.read_props(raw, path, USER_AUTH_POOL_PROPS, name)
        for key in (
            "emailConfiguration",
            "inviteMessageConfig",
            "userVerificationMessageConfig",
            "mfaConfiguration",
            "passwordPolicy",
        ):
            self.nested(props, key, path, name)
        self.nested(props, "customDomain", path, name, "customDomains")
        self.items(props, "allowedOAuthFlows", path, name, OAUTH_FLOW_ITEMS)
        self.each_item(props, "identityProviders", path, name)
        self.each_item(props, "schema", path, name, "attribute schema")
        hooks = raw.get("hooks")
        hpath = (*path, "hooks")
        if hooks is not None and not isinstance(hooks, dict):
            self.diag(hpath, "error", "wrong-type", "`hooks` must be a mapping", resource=name)
        elif isinstance(hooks, dict):
            for key, value in hooks.items():
                kpath = (*hpath, key)
                if key not in USER_POOL_HOOKS:
                    guess = did_you_mean(str(key), USER_POOL_HOOKS)
                    self.diag(
                        kpath,
                        "error",
                        "unknown-property",
                        f"unknown user pool hook `{key}`",
                        key=True,
                        resource=name,
                        hint=f"did you mean `{guess}`?"
                        if guess
                        else f"known: {', '.join(USER_POOL_HOOKS)}",
                    )
                    continue
                ref = self.ref_by_arn(value, kpath)
                if ref is None:
                    self.diag(
                        kpath,
                        "error",
                        "wrong-type",
                        f"hook `{key}` must be a function's ARN",
                        resource=name,
                        hint=f"e.g. {key}: $ResourceParam('myFunction', 'arn')",
                    )
                    continue
                pool.hooks[key] = ref
        admins = raw.get("allowOnlyAdminsToCreateAccount")
        pool.admins_only = admins is True
        policy = raw.get("passwordPolicy")
        pool.password_policy = policy if isinstance(policy, dict) else None
        verification = props.get("userVerificationType")
        if isinstance(verification, str):
            pool.verification = verification
        pool.refresh_days = self._refresh_validity(raw, path, name)
        pool.access_token_s = self._token_validity(raw, path, name, "accessTokenValiditySeconds")
        pool.id_token_s = self._token_validity(raw, path, name, "idTokenValiditySeconds")
        # Stacktape writes UsernameAttributes [phone_number, email], leaving out one whose
        # allow...AsUserName is exactly false: usernames are then emails or phone numbers.
        pool.username_attributes = tuple(
            attr
            for attr, prop in (
                ("phone_number", "allowPhoneNumberAsUserName"),
                ("email", "allowEmailAsUserName"),
            )
            if raw.get(prop) is not False
        )
        self._attribute_schema(pool, raw, path, name)
        return pool

    def _attribute_schema(
        self, pool: UserAuthPool, raw: dict[str, Any], path: DataPath, name: str
    ) -> None:
        """The attributes a pool's `schema` declares. Its custom ones, as users carry them
        (`custom_attributes`): Cognito makes `custom:NAME` of an entry named NAME that is not
        a standard attribute (an entry of a standard one sets its options), `dev:custom:NAME`
        when it is `developerOnlyAttribute` (DescribeUserPool's SchemaAttributes in the API
        reference's CreateUserPool example: `mydev` becomes `dev:custom:mydev`). A name
        written with its prefix already is taken as that name (**a choice**: Cognito
        documents only the bare form). What each entry says of its values
        (`attribute_rules`), and the standard attributes it marks `required`
        (`required_attributes`)."""
        schema = raw.get("schema")
        if schema is None:
            return
        if not isinstance(schema, list):
            self.diag(
                (*path, "schema"),
                "error",
                "wrong-type",
                "`schema` must be a list of attributes",
                resource=name,
                hint="e.g. schema: [{name: plan, attributeDataType: String}]",
            )
            return
        declared: list[str] = []
        rules: dict[str, UserAttributeRule] = {}
        required: list[str] = []
        for i, entry in enumerate(schema):
            attr = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(attr, str) or not attr:
                continue
            developer = False
            if attr in STANDARD_USER_ATTRIBUTES:
                full = attr
                if entry.get("required") is True and attr not in required:
                    required.append(attr)
            else:
                developer = entry.get("developerOnlyAttribute") is True
                prefix = "dev:custom:" if developer else "custom:"
                full = attr if attr.startswith(prefix) else prefix + attr
                if full not in declared:
                    declared.append(full)
                if entry.get("required") is True:
                    # CreateUserPool refuses it ("InvalidParameterException: Required custom
                    # attributes are not supported currently."), so the stack never deploys.
                    self.diag(
                        (*path, "schema", i, "required"),
                        "error",
                        "user-attribute-required",
                        f"the custom attribute {full} is `required`; Cognito refuses the "
                        "pool: Required custom attributes are not supported currently",
                        resource=name,
                        hint="only standard attributes can be required: remove `required: "
                        f"true`; a preSignUp hook can refuse a sign-up that leaves {full} out",
                    )
            rules[full] = _attribute_rule(entry, developer)
        pool.custom_attributes = tuple(declared)
        pool.attribute_rules = rules
        pool.required_attributes = tuple(required)

    def _token_validity(self, raw: dict[str, Any], path: DataPath, name: str, prop: str) -> int:
        """How long a pool's access or ID token lasts, in seconds. Stacktape writes `prop` to
        the app client as AccessTokenValidity / IdTokenValidity (`|| 1`) with no
        TokenValidityUnits, so Cognito reads hours: 1 to 24 (its 5 minutes to 1 day) are
        accepted; Stacktape refuses below 1 or over 86400, Cognito over 24. A value either
        refuses is reported, and the default hour applies."""
        value = raw.get(prop)
        if value is None or value == 0:
            # 0 is falsy to Stacktape's `|| 1`: the app client gets the default hour.
            return TOKEN_HOUR_S
        vpath = (*path, prop)
        if not self.check_value(P("int"), value, vpath, prop, name):
            return TOKEN_HOUR_S
        hours = int(value)
        if not 1 <= hours <= MAX_TOKEN_HOURS:
            if 1 <= hours <= 86_400:
                why = (
                    "Stacktape sends it to Cognito with no TokenValidityUnits, so it is "
                    f"{hours} hours, over Cognito's limit of a day (InvalidParameterException: "
                    "Invalid range for token validity)"
                )
            else:
                why = f"Stacktape refuses it (`{prop}` must be between 1 and 86400)"
            self.diag(
                vpath,
                "error",
                "out-of-range",
                f"`{prop}: {hours}`: {why}",
                resource=name,
                hint=f"write 1 to 24 (hours); {prop}: 1 is the default",
            )
            return TOKEN_HOUR_S
        return hours * TOKEN_HOUR_S

    def _refresh_validity(self, raw: dict[str, Any], path: DataPath, name: str) -> int:
        """How many days a pool's refresh tokens last. Stacktape writes
        `refreshTokenValidityDays` to the app client as RefreshTokenValidity with no
        TokenValidityUnits, so Cognito reads days, its default unit for refresh tokens: 60
        minutes to 10 years, 1 to 3650 days, are accepted. A value outside is reported, and
        Cognito's default 30 days applies, as when the property is not written (or is 0)."""
        prop = "refreshTokenValidityDays"
        value = raw.get(prop)
        if value is None or value == 0:
            return DEFAULT_REFRESH_DAYS
        vpath = (*path, prop)
        if not self.check_value(P("int"), value, vpath, prop, name):
            return DEFAULT_REFRESH_DAYS
        days = int(value)
        if not 1 <= days <= MAX_REFRESH_DAYS:
            if days < 1:
                why = "a refresh token lasts at least Cognito's 60 minutes"
            else:
                why = (
                    "Stacktape sends it to Cognito with no TokenValidityUnits, so it is "
                    f"{days} days, over Cognito's limit of 10 years ({MAX_REFRESH_DAYS} days)"
                )
            self.diag(
                vpath,
                "error",
                "out-of-range",
                f"`{prop}: {days}`: {why} (InvalidParameterException: Invalid range for token "
                "validity)",
                resource=name,
                hint=f"write 1 to {MAX_REFRESH_DAYS} (days); 30 is Cognito's default",
            )
            return DEFAULT_REFRESH_DAYS
        return days

    def _appsync_api(self, name: str, raw: dict[str, Any], path: DataPath) -> AppSyncApi:
        props = self.read_props(raw, path, APPSYNC_API_PROPS, name)
        what = f"appsync-api {name!r}"
        self.require_all(props, raw, APPSYNC_API_PROPS, APPSYNC_API_REQUIRED, path, name, what)
        api = AppSyncApi(name=name, type="appsync-api", path=path[:2], properties=raw)
        path_value = props.get("schemaFilePath")
        if isinstance(path_value, str) and not path_value.strip():
            # Stacktape's CONFIG_APPSYNC_SCHEMA_PATH_EMPTY.
            self.diag(
                (*path, "schemaFilePath"),
                "error",
                "invalid-value",
                "`schemaFilePath` is empty",
                resource=name,
                hint="remove it to use schema.graphql, or write a project-relative path",
            )
        self.nested(props, "logging", path, name, "appsync logging")
        self.nested(props, "customDomain", path, name, "customDomains")
        if "authentication" in props:
            apath = (*path, "authentication")
            got = self.typed_object(
                props["authentication"],
                apath,
                name,
                "authentication",
                APPSYNC_AUTHENTICATIONS,
                optional_properties=("aws-iam",),
            )
            kind = props["authentication"].get("type")
            api.authentication = kind if kind in APPSYNC_AUTHENTICATIONS else None
            pool = got.get("userAuthPoolName")
            if isinstance(pool, str):
                api.user_pool = self.ref_by_name(pool, (*apath, "properties", "userAuthPoolName"))
        return api


def _bound(value: Any) -> int | None:
    """A schema entry's length or value bound: an integer (or its text), else None (not
    applied)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    # ASCII digits: isdigit() alone takes `²`, which int() refuses, and `１０`.
    digits = value.strip().lstrip("-") if isinstance(value, str) else ""
    if digits.isascii() and digits.isdigit():
        return int(value)
    return None


def _attribute_rule(entry: dict[str, Any], developer_only: bool) -> UserAttributeRule:
    """What one `schema` entry says of its attribute's values (Stacktape's `AttributeSchema`:
    `attributeDataType`, `stringMinLength`, `stringMaxLength`, `numberMinValue`,
    `numberMaxValue`, written to Cognito's StringAttributeConstraints and
    NumberAttributeConstraints)."""
    data_type = entry.get("attributeDataType")
    return UserAttributeRule(
        data_type if isinstance(data_type, str) else "String",
        _bound(entry.get("stringMinLength")),
        _bound(entry.get("stringMaxLength")),
        _bound(entry.get("numberMinValue")),
        _bound(entry.get("numberMaxValue")),
        developer_only,
    )
