"""Reading one property table: the generic checks every resource and event reader uses.

A value is checked against its `P` (kind, enum, range), a mapping against its table (unknown
names, alternate spellings, required properties), a reference read by name or by ARN. These
are apart from the readers of each type because every one of them calls them; they report
through `StackBuilder.diag`.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import (
    Placeholder,
    ResourceParamValue,
    fake_resource_param,
)
from stptui.config.loader import DataPath
from stptui.config.model import Ref, Resource
from stptui.config.normalize_schema import (
    ALL_NESTED,
    ANY,
    DICT,
    LOG_FORWARDING,
    NO_OVERRIDES_TYPES,
    POLICY_STATEMENTS,
    QUEUE_ALIASES,
    REDRIVE_ALIASES,
    S3_EVENT_TYPES,
    STR,
    TRIGGER_ALIASES,
    P,
    PackagingType,
)
from stptui.textsafe import named

if TYPE_CHECKING:
    from collections.abc import Mapping

    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object

_KIND_WORDS = {
    "int": "an integer",
    "num": "a number",
    "str": "a string",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping",
    "scalar": "a string, number or boolean",
}


def describe_value(value: Any) -> str:
    """How an error message names a value the config holds: its type and a short form."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, Placeholder):  # its repr is Python's, not what the user wrote
        return f"${value.directive}'s value {str(value)[:40]!r} (a string, known at deploy time)"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {short!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def kind_ok(kind: str, value: Any) -> bool:
    """Whether `value` is of a property table's `kind` (`int`, `num`, `str`, ... `any`)."""
    if kind == "any":
        return True
    if kind == "int":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "num":
        # An int is finite however long (and too long for math.isfinite, which converts it).
        if isinstance(value, int):
            return not isinstance(value, bool)
        return isinstance(value, float) and math.isfinite(value)
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, dict)
    if kind == "scalar":
        return isinstance(value, (str, int, float, bool))
    raise AssertionError(kind)


def written_key(raw: dict[str, Any], canonical: str, default: str) -> str:
    """The key actually written for a canonical property (it may be an alternate spelling)."""
    if canonical in raw:
        return canonical
    for aliases in (QUEUE_ALIASES, *TRIGGER_ALIASES.values()):
        for alias, real in aliases.items():
            if real == canonical and alias in raw:
                return alias
    for alias in REDRIVE_ALIASES:
        if alias in raw:
            return alias
    return default


def number_text(value: float) -> str:
    """A number as people write it in a config: no exponent, no trailing `.0`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _quoting_hint(spec: P, kinds: list[str], value: Any) -> str | None:
    """The hint of a number where only a string goes (`payloadFormat: 1.0`, `version: 13.3`):
    YAML read the digits as a number, quoted they are the string meant."""
    if kinds != ["str"] or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if spec.enum is None:
        # The text as written is gone (13.10 was read as 13.1): the hint does not echo it.
        return "quote the value as written: YAML reads digits unquoted as a number"
    texts = [t for t in dict.fromkeys([str(value), number_text(value)]) if t in spec.enum]
    if not texts:
        return None
    return f"quote it: '{texts[0]}' (YAML reads {texts[0]} unquoted as a number)"


class PropertyReaders(_BuilderBase):
    """The generic property checks (a part of `normalize.StackBuilder`, which inherits them)."""

    def check_value(
        self, spec: P, value: Any, path: DataPath, label: str, resource: str | None
    ) -> bool:
        """True when `value` fits `spec`; otherwise report why."""
        kinds = spec.kind.split("|")
        if not any(kind_ok(k, value) for k in kinds):
            want = " or ".join(_KIND_WORDS.get(k, k) for k in kinds)
            self.diag(
                path,
                "error",
                "wrong-type",
                f"`{label}` must be {want}, not {describe_value(value)}",
                resource=resource,
                hint=_quoting_hint(spec, kinds, value),
            )
            return False
        if isinstance(value, Placeholder):
            return True  # known at deploy time only: its value cannot be held to a list
        if spec.enum is not None and value not in spec.enum:
            guess = did_you_mean(str(value), spec.enum) if isinstance(value, str) else None
            allowed = (
                ", ".join(map(str, spec.enum))
                if len(spec.enum) <= 12
                else ", ".join(map(str, spec.enum[:12])) + ", ..."
            )
            self.diag(
                path,
                "error",
                "invalid-value",
                f"`{label}` is {value!r}; allowed: {allowed}",
                resource=resource,
                hint=f"did you mean {guess!r}?" if guess else None,
            )
            return False
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            too_low = spec.lo is not None and value < spec.lo
            if too_low or (spec.hi is not None and value > spec.hi):
                lo = "" if spec.lo is None else number_text(spec.lo)
                hi = "" if spec.hi is None else number_text(spec.hi)
                # `-1-10000` would read as a subtraction: a negative bound takes words.
                dash = " to " if spec.lo is not None and spec.lo < 0 else "-"
                rng = (
                    f"{lo}{dash}{hi}"
                    if lo and hi
                    else (f"at least {lo}" if lo else f"at most {hi}")
                )
                self.diag(
                    path,
                    "error",
                    "out-of-range",
                    f"`{label}` is {number_text(value)}; allowed: {rng}",
                    resource=resource,
                )
                return False
        return True

    def read_props(
        self,
        raw: dict[str, Any],
        path: DataPath,
        spec: dict[str, P],
        resource: str | None,
        *,
        aliases: dict[str, str] | None = None,
        where: str = "",
        unexposed: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Check each property of `raw`; return canonical name -> value for the good ones.

        `unexposed` names AWS settings Stacktape has no property for at this place, each with
        the hint that says so (and what the simulator does instead), rather than a
        did-you-mean that would point at an unrelated property."""
        out: dict[str, Any] = {}
        aliases = aliases or {}
        for key, value in raw.items():
            kpath = (*path, key)
            name = key
            if key not in spec and key in aliases:
                name = aliases[key]
                if name in raw:
                    self.diag(
                        kpath,
                        "error",
                        "conflicting-spelling",
                        f"both `{named(key)}` and `{name}` are set{where}; keep `{name}`",
                        key=True,
                        resource=resource,
                    )
                    continue
                self.diag(
                    kpath,
                    "warning",
                    "alternate-spelling",
                    f"`{named(key)}` is not Stacktape's spelling{where}; the real property is "
                    f"`{name}`",
                    key=True,
                    resource=resource,
                    hint=respelling_hint(key, name, value),
                )
            if name not in spec:
                # Every table passed here holds all the names the schema allows at that place
                # (normalize_schema's docstring), so the deployer rejects this key.
                guess = did_you_mean(key, spec)
                hint = (
                    _resource_key_hint(key, path, self.stack.resources.get(resource or ""))
                    or (f"did you mean `{guess}`?" if guess else None)
                    or f"known: {', '.join(sorted(spec))}"
                )
                if guess and key not in (unexposed or {}):
                    self.misspelt.setdefault(path, set()).add(guess)
                self.diag(
                    kpath,
                    "error",
                    "unknown-property",
                    f"unknown property `{named(key)}`{where}",
                    key=True,
                    resource=resource,
                    hint=(unexposed or {}).get(key, hint),
                )
                continue
            if name in aliases.values() and key != name:
                # Alternate spellings may carry an alternate shape; their readers convert them.
                out[name] = value
                continue
            if self.check_value(spec[name], value, kpath, name, resource):
                out[name] = value
        return out

    def num(self, props: dict[str, Any], key: str, default: Any, defaults: set[str]) -> Any:
        """A numeric property as int where whole, recording when the default applied."""
        if key not in props:
            defaults.add(key)
            return default
        value = props[key]
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def ref_by_name(self, value: Any, path: DataPath) -> Ref | None:
        """A reference written as a resource name (or, tolerantly, as an ARN)."""
        if not isinstance(value, str):
            return None
        if isinstance(value, ResourceParamValue) or value.startswith("arn:"):
            return self.ref_by_arn(value, path)
        return Ref(raw=value, path=path, target=value, by="name")

    def ref_by_arn(self, value: Any, path: DataPath) -> Ref | None:
        """A reference written as an ARN: `$ResourceParam(...)` or a literal ARN."""
        if not isinstance(value, str):
            return None
        if isinstance(value, ResourceParamValue):
            return Ref(raw=str(value), path=path, target=value.resource, by="arn")
        if not self._arn_index:
            for rname, res in self.stack.resources.items():
                self._arn_index[fake_resource_param(self.ctx, rname, "arn", res.type)] = rname
        return Ref(raw=value, path=path, target=self._arn_index.get(value), by="arn")

    def exactly_one(
        self,
        props: dict[str, Any],
        keys: tuple[str, ...],
        path: DataPath,
        resource: str,
        what: str,
        *,
        required: bool = True,
    ) -> str | None:
        """The one key of `keys` that is set; report none or several."""
        present = [k for k in keys if k in props and props[k] not in (None, False)]
        if len(present) > 1:
            self.diag(
                (*path, present[1]),
                "error",
                "exactly-one-of",
                f"{what}: set exactly one of {', '.join(f'`{k}`' for k in keys)}, not "
                f"{' and '.join(f'`{k}`' for k in present)}",
                key=True,
                resource=resource,
            )
            return present[0]
        if not present:
            if required:
                self.diag(
                    path,
                    "error",
                    "exactly-one-of",
                    f"{what}: set one of {', '.join(f'`{k}`' for k in keys)}",
                    resource=resource,
                )
            return None
        return present[0]

    def name_or_arn(
        self,
        props: dict[str, Any],
        raw: dict[str, Any],
        keys: tuple[str, str],
        path: DataPath,
        owner: str,
        what: str,
    ) -> Ref | None:
        """The reference set by exactly one of a (name key, ARN key) pair, as Stacktape's
        `sqsQueueName | sqsQueueArn`-style properties are; reports none or both."""
        which = self.exactly_one(props, keys, path, owner, what)
        if which is None:
            return None
        kpath = (*path, written_key(raw, which, which))
        if which == keys[0]:
            ref = self.ref_by_name(props[which], kpath)
            if ref is None:  # an alternate spelling is not type-checked earlier
                self.check_value(STR, props[which], kpath, kpath[-1], owner)
            return ref
        return self.ref_by_arn(props[which], kpath)

    def require(
        self,
        props: dict[str, Any],
        raw: dict[str, Any],
        key: str,
        path: DataPath,
        resource: str,
        what: str,
    ) -> bool:
        """Report a missing required property (unless it was there but wrong: reported already)."""
        if key in props:
            return True
        if key not in raw:
            self.diag(path, "error", "missing-property", f"{what} needs `{key}`", resource=resource)
        return False

    def require_all(
        self,
        props: dict[str, Any],
        raw: dict[str, Any],
        spec: dict[str, P],
        required: tuple[str, ...],
        path: DataPath,
        resource: str,
        what: str,
    ) -> None:
        """`require` each of `required`, but for one whose misspelling is in `raw`: that was
        reported as an unknown property already, with the real name as its hint."""
        unknown = [str(k) for k in raw if k not in spec]
        for key in required:
            if not any(did_you_mean(k, (key,)) for k in unknown):
                self.require(props, raw, key, path, resource, what)

    def nested(
        self, props: dict[str, Any], key: str, path: DataPath, owner: str, shape: str = ""
    ) -> dict[str, Any]:
        """The checked properties of the mapping `props[key]` (at `path`), read against
        NESTED or SERVICE_NESTED[shape or key], with its required ones reported; {} when it is
        absent."""
        value = props.get(key)
        if not isinstance(value, dict):
            return {}
        spec, required = ALL_NESTED[shape or key]
        kpath = (*path, key)
        out = self.read_props(value, kpath, spec, owner, where=f" in `{key}`")
        self.require_all(out, value, spec, required, kpath, owner, f"`{key}`")
        if "logForwarding" in out:  # every logging table holds it
            fpath = (*kpath, "logForwarding")
            self.typed_object(out["logForwarding"], fpath, owner, "logForwarding", LOG_FORWARDING)
        return out

    def items(self, props: dict[str, Any], key: str, path: DataPath, owner: str, spec: P) -> None:
        """Check each item of the list `props[key]` against `spec`."""
        values = props.get(key)
        if isinstance(values, list):
            for i, value in enumerate(values):
                self.check_value(spec, value, (*path, key, i), f"{key}[{i}]", owner)

    def each_item(
        self, props: dict[str, Any], key: str, path: DataPath, owner: str, shape: str = ""
    ) -> None:
        """Check each entry of the list `props[key]` against ALL_NESTED[shape or key]."""
        values = props.get(key)
        spec, required = ALL_NESTED[shape or key]
        for i, item in enumerate(values if isinstance(values, list) else []):
            ipath = (*path, key, i)
            if self.check_value(DICT, item, ipath, f"{key}[{i}]", owner):
                got = self.read_props(item, ipath, spec, owner, where=f" in `{key}[{i}]`")
                self.require_all(got, item, spec, required, ipath, owner, f"`{key}[{i}]`")

    def statements(self, props: dict[str, Any], key: str, path: DataPath, owner: str) -> None:
        """Each IAM statement of the list `props[key]` against POLICY_STATEMENTS[key], with
        its `Action` and `Resource` entries as strings."""
        values = props.get(key)
        spec, required = POLICY_STATEMENTS[key]
        for i, item in enumerate(values if isinstance(values, list) else []):
            ipath = (*path, key, i)
            if not self.check_value(DICT, item, ipath, f"{key}[{i}]", owner):
                continue
            got = self.read_props(item, ipath, spec, owner, where=f" in `{key}[{i}]`")
            self.require_all(got, item, spec, required, ipath, owner, f"`{key}[{i}]`")
            for part in ("Action", "Resource"):
                self.items(got, part, ipath, owner, STR)

    def typed_object(
        self,
        raw: Any,
        path: DataPath,
        owner: str,
        what: str,
        types: dict[str, PackagingType],
        *,
        optional_properties: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """A `{type, properties}` mapping whose `type` picks the table of its `properties`
        (a database engine, a firewall rule); returns its properties as read."""
        if not self.check_value(DICT, raw, path, what, owner):
            return {}
        where = f" in `{what}`"
        # `{type: cognito, userPoolName: pool}`: the older shape, properties beside `type`.
        shape_of = types.get(raw["type"]) if isinstance(raw.get("type"), str) else None
        stray = [k for k in raw if shape_of is not None and k in shape_of.props]
        under = ", ".join(f"{k}: ..." for k in stray)
        moved = {
            k: f"`{k}` goes under `properties`: {{type: {raw['type']}, properties: {{{under}}}}}"
            for k in stray
        }
        if stray and "properties" not in raw:
            self.misspelt.setdefault(path, set()).add("properties")  # one error, not two
        top = self.read_props(
            raw, path, {"type": ANY, "properties": DICT}, owner, where=where, unexposed=moved
        )
        if not self.require(top, raw, "type", path, owner, f"`{what}`"):
            return {}
        kind = top["type"]
        if not self.check_value(P("str", enum=tuple(types)), kind, (*path, "type"), "type", owner):
            return {}
        if "properties" not in top:
            if kind not in optional_properties:
                self.require(top, raw, "properties", path, owner, f"`{what}` of type {kind!r}")
            return {}
        ppath = (*path, "properties")
        shape = types[kind]
        body = top["properties"]
        got = self.read_props(body, ppath, shape.props, owner, where=f" in a `{kind}` {what}")
        self.require_all(got, body, shape.props, shape.required, ppath, owner, f"`{kind}` {what}")
        return got


# A value written into a hint as it is, plain YAML: a bucket's name or a key prefix.
_PLAIN_RE = re.compile(r"[\w./-]+")


def respelling_hint(key: str, name: str, value: Any) -> str:
    """The hint of an alternate spelling: the rename, or, where the real property takes the
    value in another shape (the guide's `s3` event: an ARN for a bucket's name, one event
    type for a list, a mapping for a list of rules), the line to write instead."""
    rejects = f"(Stacktape's deployer rejects `{key}`)"
    written: str | None = None
    if name == "bucketArn" and isinstance(value, str) and _PLAIN_RE.fullmatch(value):
        written = f"bucketArn: $ResourceParam('{value}', 'arn')"
    elif name == "s3EventType" and isinstance(value, list) and len(value) == 1:
        (event_type,) = value
        if event_type in S3_EVENT_TYPES:
            written = f"s3EventType: {event_type}"
    elif name == "filterRule" and isinstance(value, list) and value:
        rule: dict[str, str] = {}
        for item in value:
            kind = item.get("type", item.get("name")) if isinstance(item, dict) else None
            text = item.get("value") if isinstance(item, dict) else None
            if kind not in ("prefix", "suffix") or kind in rule or not isinstance(text, str):
                break
            if not _PLAIN_RE.fullmatch(text):
                break
            rule[kind] = text
        else:
            written = "filterRule: {" + ", ".join(f"{k}: {v}" for k, v in rule.items()) + "}"
    if written is None:
        return f"rename `{named(key)}` to `{name}` {rejects}"
    return f"write `{written}` instead {rejects}"


def _resource_key_hint(key: str, path: DataPath, res: Resource | None) -> str | None:
    """The hint of `overrides` written inside a resource's `properties` (as some of
    Stacktape's own doc examples write it): it belongs beside `properties`, where the
    deployer reads it; None for any other key or place."""
    if key != "overrides" or res is None or path != ("resources", res.name, "properties"):
        return None
    if res.type in NO_OVERRIDES_TYPES:
        return f"remove it: a resource of type {res.type} takes no `overrides`"
    return "`overrides` goes beside `properties`, not inside it: move it up one level"
