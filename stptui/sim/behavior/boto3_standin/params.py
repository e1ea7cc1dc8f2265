"""An operation's parameters, checked as botocore checks them (ParamValidationError, in
botocore's words), and the values they hold as the handler context takes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from stptui.sim.behavior.boto3_standin.exceptions import ParamValidationError, refuse
from stptui.sim.behavior.errors import BehaviorError, shown


@dataclass(frozen=True, slots=True)
class P:
    """One parameter of an operation's input: its botocore type, whether it is required,
    and for a structure or a list of structures the members."""

    kind: str  # string, integer, boolean, blob, list, map, structure, any
    required: bool = False
    members: dict[str, P] = field(default_factory=dict)
    min_items: int = 0


_VALID: dict[str, tuple[tuple[type, ...], str]] = {
    "string": ((str,), "<class 'str'>"),
    "integer": ((int,), "<class 'int'>"),
    "boolean": ((bool,), "<class 'bool'>"),
    "blob": ((bytes, bytearray, str), "<class 'bytes'>, <class 'bytearray'>, file-like object"),
    "list": ((list, tuple), "<class 'list'>, <class 'tuple'>"),
    "map": ((dict,), "<class 'dict'>"),
    "structure": ((dict,), "<class 'dict'>"),
}


def _validate(params: dict[str, Any], members: dict[str, P], where: str, report: list[str]) -> None:
    for name, spec in members.items():
        if spec.required and name not in params:
            report.append(f'Missing required parameter in {where}: "{name}"')
    for name, value in params.items():
        spec = members.get(name)
        if spec is None:
            report.append(
                f'Unknown parameter in {where}: "{name}", must be one of: {", ".join(members)}'
            )
            continue
        path = name if where == "input" else f"{where}.{name}"
        validate_value(value, spec, path, report)


def validate_value(value: Any, spec: P, path: str, report: list[str]) -> None:
    """botocore's checks of one value against `spec`; each problem joins `report`."""
    if spec.kind == "any":
        return
    types, valid = _VALID[spec.kind]
    ok = isinstance(value, types) and not (spec.kind == "integer" and isinstance(value, bool))
    if spec.kind == "blob" and hasattr(value, "read"):
        ok = True
    if not ok:
        report.append(
            f"Invalid type for parameter {path}, value: {shown(value)}, type: {type(value)}, "
            f"valid types: {valid}"
        )
        return
    if spec.kind == "list":
        if len(value) < spec.min_items:
            report.append(
                f"Invalid length for parameter {path}, value: {len(value)}, "
                f"valid min length: {spec.min_items}"
            )
        if spec.members:
            item = P("structure", members=spec.members)
            for i, entry in enumerate(value):
                validate_value(entry, item, f"{path}[{i}]", report)
    elif spec.kind == "structure" and spec.members:
        _validate(value, spec.members, path, report)


def check_params(params: dict[str, Any], members: dict[str, P]) -> None:
    """An operation's parameters checked as botocore does (ParamValidationError, every
    problem listed)."""
    report: list[str] = []
    _validate(params, members, "input", report)
    if report:
        raise ParamValidationError(report="\n".join(report))


def blob_param(value: Any, call: str, name: str) -> bytes:
    """A blob parameter (bytes, bytearray, text or a file-like object) as bytes."""
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise refuse(call, f"read {name} as {type(value).__name__}, not bytes")


def text_of(data: bytes, call: str, name: str) -> str:
    """A blob the simulated service keeps as text: its UTF-8 decoding."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse(
            call, f"keeps {name} as UTF-8 text, and these bytes are not UTF-8", None
        ) from None


def plain_number(number: Decimal, where: str) -> int | float:
    """A number as the context takes it (int, or a float that holds it exactly)."""
    if not number.is_finite():
        raise BehaviorError(f"{where}: {number} is not a number DynamoDB or JSON holds")
    if number == number.to_integral_value():
        return int(number)
    value = float(number)
    if not math.isfinite(value) or Decimal(repr(value)) != number:
        raise refuse(
            where,
            f"passes numbers to the simulation as Python floats, which cannot hold {number} "
            "exactly",
            "use at most 15 significant digits",
        )
    return value
