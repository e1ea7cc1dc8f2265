"""Resource names and `overrides`: the checks of what a resource is called in CloudFormation.

A resource's name must be alphanumeric and differ from the others in more than case; the
logical ids its `overrides` name must be ones Stacktape gives (they start with a resource's
name in PascalCase). Apart from the readers of each type because they look at the names of the
whole `resources` mapping, before any resource is read.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from stptui.config.loader import DataPath
from stptui.config.normalize_props import describe_value
from stptui.config.normalize_schema import NO_OVERRIDES_TYPES

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object

NAME_RE = re.compile(r"^[A-Za-z0-9]+$")

# CloudFormation resource attributes: not properties, so never the head of an override path.
# (`Type` and `Condition` are also properties of some types, e.g. a Batch job definition's.)
_RESOURCE_ATTRIBUTES = frozenset(
    {"Properties", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy"}
)

# The ends of the logical ids of an alarm's resources (cfLogicalNames.cloudwatchAlarm...).
_ALARM_CHILD_SUFFIXES = ("alarm", "rule", "permission")

# The logical id of the main CloudFormation resource of a type, after the PascalCase name.
_MAIN_LOGICAL_ID = {
    "function": "Function",
    "bucket": "Bucket",
    "sqs-queue": "Queue",
    "sns-topic": "Topic",
    "dynamo-db-table": "Table",
    "relational-database": "DbInstance",
    "event-bus": "EventBus",
}


def _alnum_lower(text: str) -> str:
    """`text` as lowercase letters and digits only."""
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


def pascal_case(name: str) -> str:
    """change-case's `pascalCase`, with which Stacktape starts its logical ids: words split
    where case changes (`myApi`, `rawCSV`) and at what is no letter or digit (`my-api`),
    each written as one capital and lowercase letters (`myAPIData` -> `MyApiData`)."""
    spaced = re.sub(r"([A-Z])([A-Z][a-z])", r"\1 \2", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name))
    return "".join(w[:1].upper() + w[1:].lower() for w in re.split(r"[^A-Za-z0-9]+", spaced))


def _alphanumeric_name(name: str) -> str:
    """A resource name Stacktape accepts for `name`: accents dropped (`ünïcode` → `unicode`),
    words after `-` or `_` capitalised (`my-queue` → `myQueue`), anything else removed."""
    ascii_name = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    )
    words = ascii_name.title() if "-" in name or "_" in name else ascii_name
    kept = re.sub(r"[^A-Za-z0-9]", "", words)
    return kept[:1].lower() + kept[1:]


class NameChecks(_BuilderBase):
    """Name and override checks (a part of `normalize.StackBuilder`, which inherits them)."""

    def _check_overrides(self, resources: dict[str, Any]) -> None:
        """Each resource's `overrides`: logical id -> {property path: value}, applied to the
        `Properties` of a CloudFormation resource the resource creates (Stacktape's
        resolveOverrides refuses other logical ids, e101)."""
        # Every logical id Stacktape gives starts with a resource name in PascalCase (its own,
        # or another's where two resources meet, e.g. `<function><gateway>Permission`) or
        # with `Stp`; only an alarm's is named after the alarm, which a console's global alarm
        # names freely. Compared as lowercase letters and digits: PascalCase may add `_`.
        prefixes = ("stp", *(_alnum_lower(n) for n in resources if isinstance(n, str)))
        for name, body in resources.items():
            overrides = body.get("overrides") if isinstance(body, dict) else None
            if (
                overrides is None
                or not isinstance(name, str)
                or not isinstance(body.get("type"), str)
            ):
                continue  # without a type, what the resource creates is not known
            path: DataPath = ("resources", name, "overrides")
            rtype = body["type"]
            if rtype in NO_OVERRIDES_TYPES:
                self.diag(
                    path,
                    "error",
                    "unknown-property",
                    f"{'an' if rtype[0] in 'aeiou' else 'a'} {rtype} takes no `overrides`",
                    key=True,
                    resource=name,
                    hint="remove `overrides`; set the properties in the construct's own code "
                    "(CDK's addPropertyOverride)"
                    if rtype == "aws-cdk-construct"
                    else "remove `overrides`; Stacktape lets no property of this type be "
                    "overridden",
                )
                continue
            if not isinstance(overrides, dict):
                self.diag(
                    path,
                    "error",
                    "wrong-type",
                    f"`overrides` must be a mapping of CloudFormation logical ids, not "
                    f"{describe_value(overrides)}",
                    resource=name,
                    hint=f"for example overrides: {{{pascal_case(name)}Function: {{Timeout: 15}}}}",
                )
                continue
            for logical_id, entry in overrides.items():
                self._override_entry(name, (*path, logical_id), entry)
                low = _alnum_lower(str(logical_id))
                if low.startswith(prefixes) or low.endswith(_ALARM_CHILD_SUFFIXES):
                    continue
                main = _MAIN_LOGICAL_ID.get(rtype)
                self.diag(
                    (*path, logical_id),
                    "error",
                    "override-target",
                    f"overrides name the CloudFormation resource {str(logical_id)!r}, which "
                    f"{name!r} does not create: Stacktape names the CloudFormation resources of "
                    f"{name!r} {pascal_case(name)}... (e101)",
                    key=True,
                    resource=name,
                    hint=(f"did you mean {pascal_case(name)}{main}? " if main else "")
                    + "`stacktape compile-template` lists the logical ids of a stack",
                )

    def _override_entry(self, name: str, path: DataPath, entry: Any) -> None:
        """One logical id's overrides: property paths (dots go down) set on its `Properties`,
        so a resource attribute such as `DependsOn` or `Properties.X` lands inside them."""
        if not isinstance(entry, dict):
            self.diag(
                path,
                "error",
                "wrong-type",
                f"the overrides of {path[-1]!r} must be a mapping of property paths to values "
                f"(e.g. Timeout: 15), not {describe_value(entry)}",
                resource=name,
            )
            return
        for key in entry:
            head, _, rest = str(key).partition(".")
            if head not in _RESOURCE_ATTRIBUTES:
                continue
            inside = rest if head == "Properties" and rest else None
            self.diag(
                (*path, key),
                "error",
                "override-path",
                f"override {str(key)!r} is set inside the resource's `Properties` (Stacktape "
                f"applies overrides there), so CloudFormation finds an unknown property {head!r}",
                key=True,
                resource=name,
                hint=f"write the path from inside `Properties`: {inside}"
                if inside
                else "overrides set properties only; remove this entry",
            )

    def _check_names(self, resources: dict[str, Any]) -> None:
        seen: dict[str, str] = {}
        for name in resources:
            path = ("resources", name)
            if not NAME_RE.match(name):
                suggestion = _alphanumeric_name(name)
                self.diag(
                    path,
                    "error",
                    "invalid-name",
                    f"resource name {name!r} must be alphanumeric (letters and digits only)",
                    key=True,
                    resource=name,
                    hint=f"rename it to {suggestion!r}" if suggestion else None,
                )
            low = name.lower()
            if low in seen:
                self.diag(
                    path,
                    "error",
                    "duplicate-name",
                    f"resource names {seen[low]!r} and {name!r} differ only in case; "
                    "they collide in the deployed stack",
                    key=True,
                    resource=name,
                )
            seen[low] = name
