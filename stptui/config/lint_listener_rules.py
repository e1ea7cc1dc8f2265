"""Checks of the listener rules that `application-load-balancer` events make, as Stacktape's
compiler and Elastic Load Balancing refuse them or as they would never take a request (the
load balancer's own properties and listeners are read by their tables in normalize_gateways.py).

Each event is one `AWS::ElasticLoadBalancingV2::ListenerRule` (Stacktape's getListenerRule,
resource-resolvers/_utils/lb-listener-rule-helpers.ts): its `priority`, and a condition per
`paths`, `methods`, `hosts`, `sourceIps` and per entry of `headers` and `queryParams`. ELB's
limits are those of its user guide ("Condition types for listener rules", "Quotas for your
Application Load Balancers") and API reference (`PathPatternConditionConfig`,
`HttpRequestMethodConditionConfig`, `HostHeaderConditionConfig`, `HttpHeaderConditionConfig`,
`SourceIpConditionConfig`, `CreateRule`).

`ListenerRuleChecks` is a part of the linter (`lint.Linter` inherits it): its methods report
through the linter's `report`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import Placeholder
from stptui.config.loader import DataPath
from stptui.config.model import Resource, Trigger
from stptui.textsafe import named

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
else:
    _LinterBase = object

# The event properties Stacktape turns into conditions, in the order it writes them.
CONDITION_KEYS = ("paths", "headers", "methods", "hosts", "sourceIps", "queryParams")
# CreateRule: "Priority ... Valid Range: Minimum value of 1. Maximum value of 50000."
PRIORITY_RANGE = (1, 50_000)
# Quotas: "Condition values per rule: 5" (not adjustable); ELB answers "A rule can only have
# '5' condition values".
MAX_CONDITION_VALUES = 5
# The longest path pattern, host name and header value (128) and header name (40).
MAX_VALUE_CHARS = 128
MAX_NAME_CHARS = 40
# "A path pattern ... can contain any of the following characters: A-Z, a-z, 0-9,
# _ - . $ / ~ " ' @ : +, & (using &amp;), * (matches 0 or more characters), ? (matches exactly
# 1 character)".
_PATH_CHARS = re.compile(r"[A-Za-z0-9_\-.$/~\"'@:+&*?]*")
# "A host name ... can contain any of the following characters: A-Z, a-z, 0-9, - ., *, ?.
# You must include at least one "." character. You can include only alphabetical characters
# after the final "." character."
# An API Gateway style path parameter (`{id}`, `{proxy+}`), which ELB does not have.
_PARAMETER = re.compile(r"\{[^}]*\}?")
_HOST = re.compile(r"[A-Za-z0-9\-.*?]*\.[A-Za-z*?]+")
# "The allowed characters are A-Z, hyphen (-), and underscore (_)" (at most 40).
_METHOD = re.compile(r"[A-Z_\-]{1,40}")
# The methods of RFC 9110 and PATCH (RFC 5789); ELB takes others too ("You can also define
# custom HTTP methods"), but one a client never sends makes a rule that takes nothing.
STANDARD_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")


def _known(value: Any) -> bool:
    """A string written in the config (not one known only at deploy time)."""
    return isinstance(value, str) and not isinstance(value, Placeholder)


def _truthy(value: Any) -> bool:
    """JavaScript's truth of a value, as Stacktape's `!resolvedLbReference.paths` tests it."""
    return isinstance(value, (dict, list)) or bool(value)


def _shown(chars: set[str]) -> str:
    return " ".join(repr(c) for c in sorted(chars))


class ListenerRuleChecks(_LinterBase):
    """The linter's checks of application load balancer listener rules."""

    def check_listener_rule(self, owner: Resource, t: Trigger) -> None:
        """One `application-load-balancer` event: it has a condition (Stacktape refuses one
        without), a priority ELB takes, at most five condition values, and values ELB takes
        and that can match a request."""
        props = t.properties
        base = (*t.path, "properties")
        self._rule_priority(owner, t)
        if not any(_truthy(props.get(k)) for k in CONDITION_KEYS):
            self.report(
                base,
                "error",
                "alb-rule-conditions",
                f'Error in workload: {named(owner.name)}. At least one of the "paths", "headers", '
                '"hosts", "methods", "queryParams" or "sourceIps" properties must be present '
                "when using loadBalancer event integration (its listener rule would have no "
                "condition)",
                resource=owner.name,
                hint="add a condition, e.g. paths: ['/*'] to take every request that rules "
                "with lower priority numbers leave",
                key=True,
            )
            return
        values: list[DataPath] = []
        for key in ("paths", "methods", "hosts", "sourceIps"):
            values.extend(self._condition_list(owner, props.get(key), (*base, key), key))
        for key, name_key in (("headers", "headerName"), ("queryParams", "paramName")):
            entries = props.get(key)
            if not isinstance(entries, list):
                continue
            if not entries:
                self._empty(owner, (*base, key), key)
            for i, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    continue
                epath = (*base, key, i)
                if key == "headers":
                    self._header_name(owner, entry.get(name_key), (*epath, name_key))
                what = f"{key}[{i}].values"
                values.extend(
                    self._condition_list(owner, entry.get("values"), (*epath, "values"), what)
                )
        if len(values) > MAX_CONDITION_VALUES:
            self.report(
                values[MAX_CONDITION_VALUES],
                "error",
                "alb-condition-values",
                f"this rule has {len(values)} condition values; ELB refuses more than "
                f'{MAX_CONDITION_VALUES} in one rule ("A rule can only have '
                f"'{MAX_CONDITION_VALUES}' condition values\")",
                resource=owner.name,
                hint="split the event into several events (rules) with their own priorities, "
                "or use wildcards: '/api/*' takes every path under /api",
            )

    def _rule_priority(self, owner: Resource, t: Trigger) -> None:
        priority = t.properties.get("priority")
        if not isinstance(priority, (int, float)) or isinstance(priority, bool):
            return  # missing (reported by the schema) or known only at deploy time
        low, high = PRIORITY_RANGE
        if isinstance(priority, int) and low <= priority <= high:
            return
        self.report(
            (*t.path, "properties", "priority"),
            "error",
            "alb-rule-priority",
            f"priority {priority!r} is not a whole number from {low} to {high:,}: ELB refuses "
            "the listener rule",
            resource=owner.name,
            hint=f"use a whole number from {low} to {high}; the lowest priority is tried first",
        )

    def _empty(self, owner: Resource, path: DataPath, what: str) -> None:
        self.report(
            path,
            "error",
            "alb-condition-invalid",
            f"`{what}` is empty: Stacktape writes it as a condition without values, which ELB "
            "refuses",
            resource=owner.name,
            hint=f"list at least one value, or remove {what.split('[', 1)[0]}",
        )

    def _condition_list(
        self, owner: Resource, values: Any, path: DataPath, what: str
    ) -> list[DataPath]:
        """Check one condition's values; return the paths of its values (for the count)."""
        if not isinstance(values, list):
            return []  # missing, or of the wrong type
        if not values:
            self._empty(owner, path, what)
        check = {
            "paths": self._path_value,
            "methods": self._method_value,
            "hosts": self._host_value,
            "sourceIps": self._source_ip_value,
        }.get(what, self._header_or_query_value)
        for i, value in enumerate(values):
            if _known(value):
                check(owner, value, (*path, i))
        return [(*path, i) for i in range(len(values))]

    def _invalid(self, owner: Resource, path: DataPath, message: str, hint: str) -> None:
        self.report(path, "error", "alb-condition-invalid", message, resource=owner.name, hint=hint)

    def _path_value(self, owner: Resource, value: str, path: DataPath) -> None:
        bad = {c for c in value if not _PATH_CHARS.fullmatch(c)}
        if len(value) > MAX_VALUE_CHARS:
            self._invalid(
                owner,
                path,
                f"path pattern is {len(value)} characters long; ELB takes at most "
                f"{MAX_VALUE_CHARS}",
                "shorten it, with a wildcard: '/reports/*'",
            )
        elif bad:
            hint = (
                "ELB has no path parameters: match any segment with a wildcard, e.g. "
                + repr(_PARAMETER.sub("*", value))
                if "{" in value or "}" in value
                else "use only letters, digits, _ - . $ / ~ \" ' @ : + & and the wildcards * and ?"
            )
            self._invalid(
                owner,
                path,
                f"path pattern {value!r} has characters ELB does not take in one: {_shown(bad)}",
                hint,
            )
        elif not value.startswith(("/", "*", "?")):
            self.report(
                path,
                "warning",
                "alb-condition-unmatchable",
                f"path pattern {value!r} does not start with '/': ELB compares it with the whole "
                "path of a request, which always does, so it never matches",
                resource=owner.name,
                hint=f"write it as {'/' + value!r}",
            )

    def _method_value(self, owner: Resource, value: str, path: DataPath) -> None:
        if not _METHOD.fullmatch(value):
            upper = value.upper()
            self._invalid(
                owner,
                path,
                f"HTTP method {value!r} is not one ELB takes: upper-case letters, '-' and '_', "
                "at most 40 (the comparison is case-sensitive)",
                f"write it as {upper!r}"
                if _METHOD.fullmatch(upper)
                else f"use one of {', '.join(STANDARD_METHODS)}",
            )
        elif value not in STANDARD_METHODS:
            guess = did_you_mean(value, STANDARD_METHODS)
            self.report(
                path,
                "warning",
                "alb-condition-unmatchable",
                f"HTTP method {value!r} is no standard method: ELB takes it as a custom one, and "
                "the rule takes only requests that send exactly it",
                resource=owner.name,
                hint=f"did you mean {guess!r}?"
                if guess
                else f"standard methods: {', '.join(STANDARD_METHODS)}",
            )

    def _host_value(self, owner: Resource, value: str, path: DataPath) -> None:
        if len(value) <= MAX_VALUE_CHARS and _HOST.fullmatch(value):
            return
        if ":" in value or "/" in value:
            hint = "write the host name alone, without a scheme, port or path: " + repr(
                value.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
            )
        else:
            hint = (
                "use letters, digits, '-', '.' and the wildcards * and ?, with at least one '.' "
                "and only letters after the last one (api.example.com, *.example.com)"
            )
        self._invalid(
            owner,
            path,
            f"host {value!r} is not a host name ELB takes in a host-header condition",
            hint,
        )

    def _source_ip_value(self, owner: Resource, value: str, path: DataPath) -> None:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            ok = False
        else:
            ok = "/" in value
        if ok:
            return
        try:
            single = ipaddress.ip_address(value)
        except ValueError:
            hint = "write a CIDR block, e.g. 203.0.113.0/24 or 2001:db8::/32"
        else:
            hint = f"write the single address as {value}/{single.max_prefixlen}"
        self._invalid(
            owner,
            path,
            f"source IP {value!r} is not a CIDR block: a source-ip condition takes IPv4 or IPv6 "
            "CIDR blocks only",
            hint,
        )

    def _header_or_query_value(self, owner: Resource, value: str, path: DataPath) -> None:
        if len(value) > MAX_VALUE_CHARS:
            self._invalid(
                owner,
                path,
                f"condition value is {len(value)} characters long; ELB takes at most "
                f"{MAX_VALUE_CHARS}",
                "shorten it, with a wildcard",
            )

    def _header_name(self, owner: Resource, name: Any, path: DataPath) -> None:
        if not _known(name):
            return
        if name.lower() == "host":
            self._invalid(
                owner,
                path,
                "an http-header condition cannot name the Host header: ELB refuses it",
                "list the host names in `hosts` instead",
            )
        elif len(name) > MAX_NAME_CHARS:
            self._invalid(
                owner,
                path,
                f"header name is {len(name)} characters long; ELB takes at most {MAX_NAME_CHARS}",
                "use a shorter header",
            )
