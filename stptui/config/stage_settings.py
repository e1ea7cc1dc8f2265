"""An HTTP API stage's route settings, as `overrides` of the stage set them.

Stacktape's stage (`getHttpApiStage`) sets no route settings, so only `overrides` of its
logical id (`{Name}Stage`) do. Stacktape applies each override key in order as a property
path whose dots go down (`RouteSettings.GET /orders.DetailedMetricsEnabled`), a later key
replacing what an earlier one set at the same place; a value may be a mapping at any depth
(`RouteSettings: {GET /orders: {DetailedMetricsEnabled: true}}`). The result must have the
shape CloudFormation's schema of AWS::ApiGatewayV2::Stage gives: `DefaultRouteSettings` a
RouteSettings object, `RouteSettings` (Json) a mapping of route keys to RouteSettings
objects, whose properties are five (`additionalProperties: false`) of the types in
`FIELDS`. CloudFormation hands a resource's primitive values to its handler as text, which
reads them by the schema's types, so `"true"` reads as `true` and `"100"` as `100`.

`read_stage` returns what the simulator needs, whether detailed metrics are on, by default
and per route key, and the problems of a malformed override, each at its data path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.loader import DataPath

DEFAULT = "DefaultRouteSettings"
PER_ROUTE = "RouteSettings"
DETAILED = "DetailedMetricsEnabled"
# A RouteSettings object's properties and the type CloudFormation's schema gives each.
FIELDS = {
    "DataTraceEnabled": "boolean",
    DETAILED: "boolean",
    "LoggingLevel": "string",
    "ThrottlingBurstLimit": "integer",
    "ThrottlingRateLimit": "number",
}
# How each type's value may be written as text (CloudFormation's handlers read it so).
_AS_TEXT = {
    "boolean": re.compile(r"true|false"),
    "integer": re.compile(r"-?\d+"),
    "number": re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"),
}
_EXAMPLES = {"boolean": "true", "integer": "100", "number": "50.5", "string": "INFO"}
# An HTTP API route key: `$default`, or a method (or ANY) and a path.
ROUTE_KEY = re.compile(r"\$default|(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) /\S*")


@dataclass(slots=True)
class Problem:
    """A malformed part of the stage's overrides: where it is, its code and its words."""

    path: DataPath
    code: str
    message: str
    hint: str | None = None
    key: bool = False


@dataclass(slots=True)
class StageSettings:
    """What the stage's overrides say: detailed metrics by default and per route key (a
    route not listed takes the default), and what is malformed in them."""

    detailed_metrics: bool = False
    route_detailed_metrics: dict[str, bool] = field(default_factory=dict)
    # Every well-formed route key RouteSettings names, where it is written: API Gateway
    # refuses a stage whose RouteSettings name a route the API lacks (checked in `lint`).
    route_keys: dict[str, DataPath] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class _Node:
    """A value the override keys set, where the file writes it: a mapping's entries in
    `children` (None for a scalar or list, in `value`)."""

    path: DataPath
    value: Any = None
    children: dict[str, _Node] | None = None


def _node(value: Any, path: DataPath) -> _Node:
    if not isinstance(value, dict):
        return _Node(path, value)
    return _Node(path, children={str(k): _node(v, (*path, k)) for k, v in value.items()})


def _intrinsic(node: _Node) -> bool:
    """Whether `node` is a CloudFormation function (`{Ref: X}`, `{Fn::If: ...}`), whose
    value is known only at deployment: it is read as unset."""
    names = list(node.children or ())
    return len(names) == 1 and (names[0] == "Ref" or names[0].startswith("Fn::"))


def read_stage(stage: dict[Any, Any], path: DataPath) -> StageSettings:
    """The route settings the overrides `stage` (of the stage's logical id, at `path`)
    give the stage, with the problems of those that CloudFormation would refuse."""
    top: dict[str, _Node] = {}
    for key, value in stage.items():
        parts = str(key).split(".")
        if parts[0] not in (DEFAULT, PER_ROUTE):
            continue
        where = (*path, key)
        children = top
        for part in parts[:-1]:
            # A path through a value that is no mapping makes it one, as Stacktape's does.
            child = children.get(part)
            inner = child.children if child is not None else None
            if inner is None:
                inner = {}
                children[part] = _Node(where, children=inner)
            children = inner
        children[parts[-1]] = _node(value, where)
    out = StageSettings()
    default = top.get(DEFAULT)
    if default is not None:
        out.detailed_metrics = _settings(default, DEFAULT, out.problems) is True
    routes = top.get(PER_ROUTE)
    if routes is not None and routes.children is None:
        out.problems.append(
            Problem(
                routes.path,
                "wrong-type",
                f"`{PER_ROUTE}` of the stage must be a mapping of route keys to route "
                f"settings, not {_kind(routes.value)}",
                f"for example {PER_ROUTE}: {{'GET /orders': {{{DETAILED}: true}}}}",
            )
        )
    for route_key, settings in (routes.children or {}).items() if routes is not None else ():
        if not ROUTE_KEY.fullmatch(route_key):
            out.problems.append(
                Problem(
                    settings.path,
                    "invalid-value",
                    f"{route_key!r} in `{PER_ROUTE}` is no route key of an HTTP API",
                    "a route key is `$default` or a method (or ANY) and a path: 'GET /orders'",
                    key=True,
                )
            )
            continue
        reported = len(out.problems)
        detailed = _settings(settings, f"{PER_ROUTE}.{route_key}", out.problems)
        if len(out.problems) == reported:
            # A malformed entry is reported once, for what is wrong in it: a dotted path
            # through `GET /a.json` makes the key `GET /a`, a route nobody meant.
            out.route_keys[route_key] = settings.path
        if detailed is not None:
            out.route_detailed_metrics[route_key] = detailed
    return out


def _settings(node: _Node, label: str, problems: list[Problem]) -> bool | None:
    """The DetailedMetricsEnabled of the RouteSettings object `node` (None when unset),
    after checking each of its properties against the schema."""
    if node.children is None:
        problems.append(
            Problem(
                node.path,
                "wrong-type",
                f"`{label}` must be a mapping of route settings, not {_kind(node.value)}",
                f"for example {label}: {{{DETAILED}: true}}",
            )
        )
        return None
    detailed = None
    for name, value in node.children.items():
        kind = FIELDS.get(name)
        if kind is None:
            guess = did_you_mean(name, list(FIELDS))
            written = value.path[-1]
            if guess:
                hint: str | None = f"did you mean {guess!r}?"
            elif isinstance(written, str) and written.startswith(f"{PER_ROUTE}."):
                # `RouteSettings.GET /a.json.DetailedMetricsEnabled` goes down at each dot.
                hint = (
                    "each dot of an override path goes down a level: write a route key "
                    f"with a dot in it in the mapping form, {PER_ROUTE}: {{'GET /a.json': "
                    f"{{{DETAILED}: true}}}}"
                )
            else:
                hint = None
            problems.append(
                Problem(
                    value.path,
                    "unknown-property",
                    f"`{label}` has no property {name!r}: CloudFormation's RouteSettings "
                    f"takes {', '.join(FIELDS)}",
                    hint,
                    key=True,
                )
            )
            continue
        if value.children is not None and _intrinsic(value):
            continue
        read = _typed(value.value, kind) if value.children is None else None
        if read is None:
            problems.append(
                Problem(
                    value.path,
                    "wrong-type",
                    f"`{label}.{name}` must be {'an' if kind == 'integer' else 'a'} {kind}, "
                    f"not {_kind(value.value if value.children is None else {})}",
                    f"for example {name}: {_EXAMPLES[kind]}",
                )
            )
        elif name == DETAILED:
            detailed = read == "true" if isinstance(read, str) else read
    return detailed


def _typed(value: Any, kind: str) -> Any:
    """`value` if it is of the schema type `kind` (or that type's text), else None."""
    if kind == "string":
        return value if isinstance(value, str) else None
    if isinstance(value, str):
        return value if _AS_TEXT[kind].fullmatch(value) else None
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if isinstance(value, bool):
        return None
    if kind == "integer":
        return value if isinstance(value, int) else None
    return value if isinstance(value, int | float) else None


def _kind(value: Any) -> str:
    """What a value is, in a message: `a list`, `the text 'yes'`, `the number 3`."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"the number {value}"
