"""DynamoDB JSON: attribute values as the AWS CLI and DynamoDB's wire format write them.

Every attribute value is an object with exactly one type descriptor: `{"S": "text"}`,
`{"N": "42"}` (a number written as a string), `{"B": "<base64>"}`, `{"BOOL": true}`,
`{"NULL": true}`, `{"M": {...}}`, `{"L": [...]}`, `{"SS": [...]}`, `{"NS": [...]}`,
`{"BS": [...]}`. This module checks such values with DynamoDB's own error messages, puts
them in one canonical form (numbers normalised as DynamoDB stores them), measures an item
as DynamoDB counts its size, and turns values into plain JSON for behaviour conditions.
Pure functions: no simulator state.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any

TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
# DynamoDB keeps numbers to 38 significant digits, of magnitude 1E-130 to under 1E+126.
MAX_DIGITS = 38
MAX_EXPONENT = 125
MIN_EXPONENT = -130
# Wide enough that normalising never rounds a number DynamoDB would keep (the default
# context keeps 28 digits).
_EXACT = Context(prec=1000)
# "Nested attribute depth: 32" (Service quotas: Attributes).
MAX_DEPTH = 32
# "The maximum item size in DynamoDB is 400 KB" (Service quotas: Items), in bytes.
MAX_ITEM_BYTES = 400 * 1024
# A number as DynamoDB reads one: ASCII decimal digits, an optional point and exponent.
# Python's Decimal alone would also take "1_000" and other scripts' digits ("١٢٣").
_NUMBER_TEXT = re.compile(
    r"(?P<sign>[+-]?)(?:(?P<int>[0-9]+)\.?(?P<frac>[0-9]*)|\.(?P<dec>[0-9]+))"
    r"(?:[eE](?P<exp>[+-]?[0-9]+))?"
)
_SET_NAMES = {"SS": "string", "NS": "number", "BS": "binary"}
_CLIENT_SIDE = ("Unknown parameter", "Invalid type for parameter", "Invalid base64")


class DynamoDBError(ValueError):
    """A request DynamoDB would refuse, with its error code and message."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        # The AWS CLI refuses a malformed value before sending it; DynamoDB refuses the rest.
        client_side = message.startswith(_CLIENT_SIDE)
        code = "Parameter validation failed" if client_side else "ValidationException"
        super().__init__(f"{code}: {message}")
        self.hint = hint


def _invalid(message: str, hint: str | None = None) -> DynamoDBError:
    return DynamoDBError(f"One or more parameter values were invalid: {message}", hint)


def canonical_number(text: Any, where: str) -> str:
    """A number as DynamoDB stores it: no exponent, no leading or trailing zeros."""
    if not isinstance(text, str):
        raise DynamoDBError(
            f"Invalid type for parameter {where}.N, value: {text!r}: a number is written as "
            "a string",
            'write it as {"N": "42"}',
        )
    match = _NUMBER_TEXT.fullmatch(text.strip())
    if match is None:
        raise DynamoDBError(
            "A value provided cannot be converted into a number", 'write it as {"N": "42"}'
        )
    # Digits and exponent are worked out as integers: Decimal's own limits would refuse
    # 1E+99999999999999999999 or round 1E-999999999 to 0, where DynamoDB says out of range.
    whole, frac = match["int"] or "", match["frac"] or match["dec"] or ""
    exponent = _exponent(match["exp"] or "0") - len(frac)
    digits = (whole + frac).lstrip("0")
    if not digits:
        return "0"
    significant = digits.rstrip("0")
    exponent += len(digits) - len(significant)
    if len(significant) > MAX_DIGITS:
        raise DynamoDBError("Attempting to store more than 38 significant digits in a Number")
    adjusted = exponent + len(significant) - 1
    if adjusted > MAX_EXPONENT:
        raise DynamoDBError(
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range"
        )
    if adjusted < MIN_EXPONENT:
        raise DynamoDBError(
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range"
        )
    sign = "-" if match["sign"] == "-" else ""
    if exponent >= 0:
        return sign + significant + "0" * exponent
    point = len(significant) + exponent
    if point > 0:
        return f"{sign}{significant[:point]}.{significant[point:]}"
    return f"{sign}0.{'0' * -point}{significant}"


def _exponent(text: str) -> int:
    """A number's written exponent, its magnitude capped far past DynamoDB's range (int()
    refuses text of over 4,300 digits): the range check then says over- or underflow."""
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > 12:
        return -(10**12) if text.startswith("-") else 10**12
    return int(text)


def check_value(value: Any, where: str, depth: int = 0) -> Any:
    """`value` (one attribute value) checked and in canonical form, or DynamoDBError."""
    if depth > MAX_DEPTH:
        raise DynamoDBError("Nesting Levels have exceeded supported limits")
    if not isinstance(value, dict) or not value:
        raise DynamoDBError(
            "Supplied AttributeValue is empty, must contain exactly one of the supported "
            f"datatypes (at {where})",
            'each attribute is an object with one type, e.g. {"S": "text"} or {"N": "1"}',
        )
    if len(value) > 1:
        raise DynamoDBError(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            f"of the supported datatypes (at {where})",
        )
    ((kind, inner),) = value.items()
    if kind not in TYPES:
        raise DynamoDBError(
            f'Unknown parameter in {where}: "{kind}", must be one of: {", ".join(TYPES)}',
            'DynamoDB JSON names each value\'s type, e.g. {"S": "text"} or {"N": "1"}',
        )
    if kind == "S":
        if not isinstance(inner, str):
            raise DynamoDBError(f"Invalid type for parameter {where}.S: a string is needed")
        return {"S": inner}
    if kind == "N":
        return {"N": canonical_number(inner, where)}
    if kind == "B":
        return {"B": _binary(inner, where)}
    if kind == "BOOL":
        if not isinstance(inner, bool):
            raise DynamoDBError(f"Invalid type for parameter {where}.BOOL: true or false")
        return {"BOOL": inner}
    if kind == "NULL":
        if inner is not True:
            raise _invalid("Null attribute value types must have the value of true")
        return {"NULL": True}
    if kind == "M":
        if not isinstance(inner, dict):
            raise DynamoDBError(f"Invalid type for parameter {where}.M: an object is needed")
        return {"M": {k: check_value(v, f"{where}.{k}", depth + 1) for k, v in inner.items()}}
    if kind == "L":
        if not isinstance(inner, list):
            raise DynamoDBError(f"Invalid type for parameter {where}.L: a list is needed")
        return {"L": [check_value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(inner)]}
    return {kind: _set(kind, inner, where)}


def _binary(inner: Any, where: str) -> str:
    if not isinstance(inner, str):
        raise DynamoDBError(f"Invalid type for parameter {where}.B: base64 text is needed")
    try:
        raw = base64.b64decode(inner, validate=True)
    except (binascii.Error, ValueError):
        raise DynamoDBError(
            f"Invalid base64 for parameter {where}.B: {inner[:40]!r}",
            "a binary value is written as base64 text",
        ) from None
    # DynamoDB stores the bytes: "AAF=" is the bytes of "AAE=" (the pad bits are dropped),
    # the same value, key and set member, and read back as "AAE=".
    return base64.b64encode(raw).decode("ascii")


def _set(kind: str, inner: Any, where: str) -> list[str]:
    noun = _SET_NAMES[kind]
    if not isinstance(inner, list):
        raise DynamoDBError(f"Invalid type for parameter {where}.{kind}: a list is needed")
    if not inner:
        # AWS's own wording, double space included.
        raise _invalid(f"An {noun} set  may not be empty")
    if kind == "NS":
        members = [canonical_number(v, where) for v in inner]
    else:
        members = [_binary(v, where) if kind == "BS" else _string_member(v, where) for v in inner]
    if len(set(members)) < len(members):
        raise _invalid(f"Input collection [{', '.join(map(str, inner))}] contains duplicates.")
    return members


def _string_member(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise DynamoDBError(f"Invalid type for parameter {where}.SS: strings are needed")
    return value


def check_item(item: Any, what: str = "Item") -> dict[str, Any]:
    """A whole item (a JSON object of attribute values), checked and canonical."""
    if not isinstance(item, dict):
        raise DynamoDBError(
            f"Invalid type for parameter {what}: a JSON object of attributes is needed",
            'e.g. \'{"id": {"S": "1"}, "total": {"N": "20"}}\'',
        )
    for name in item:
        if not name:
            raise _invalid("An attribute name cannot be empty")
    return {name: check_value(v, f"{what}.{name}") for name, v in item.items()}


def same_value(a: Any, b: Any) -> bool:
    """Whether two canonical attribute values are equal as DynamoDB compares them (sets
    are unordered)."""
    return _comparable(a) == _comparable(b)


def _comparable(value: Any) -> Any:
    ((kind, inner),) = value.items()
    if kind in _SET_NAMES:
        return kind, frozenset(inner)
    if kind == "M":
        return kind, frozenset((k, _comparable(v)) for k, v in inner.items())
    if kind == "L":
        return kind, tuple(_comparable(v) for v in inner)
    return kind, inner


def same_item(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two items hold the same attributes with the same values."""
    return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)


def _number_size(text: str) -> int:
    digits = len(Decimal(text).normalize(_EXACT).as_tuple().digits) if text != "0" else 1
    return -(-digits // 2) + 1


def value_size(value: Any) -> int:
    """An attribute value's size as DynamoDB counts it ("Item sizes and formats")."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode("utf-8", "surrogatepass"))
    if kind == "N":
        return _number_size(inner)
    if kind == "B":
        return len(base64.b64decode(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8", "surrogatepass")) for v in inner)
    if kind == "NS":
        return sum(_number_size(v) for v in inner)
    if kind == "BS":
        return sum(len(base64.b64decode(v)) for v in inner)
    if kind == "M":
        return 3 + sum(item_size({k: v}) + 1 for k, v in inner.items())
    return 3 + sum(value_size(v) + 1 for v in inner)


def item_size(item: dict[str, Any]) -> int:
    """An item's size: each attribute's name (UTF-8 bytes) plus its value's size."""
    return sum(len(k.encode("utf-8", "surrogatepass")) + value_size(v) for k, v in item.items())


def to_plain(value: Any) -> Any:
    """A canonical attribute value as plain JSON: numbers as numbers, binary as its base64
    text, sets as lists, NULL as null."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return _plain_number(inner)
    if kind == "NS":
        return [_plain_number(v) for v in inner]
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: to_plain(v) for k, v in inner.items()}
    if kind == "L":
        return [to_plain(v) for v in inner]
    if kind in ("SS", "BS"):
        return list(inner)
    return inner


def from_plain(value: Any) -> dict[str, Any]:
    """Plain JSON as an attribute value, as DocumentClient marshals it: strings S, numbers N,
    booleans BOOL, null NULL, lists L, objects M (a set cannot be written this way)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (int, float)):
        return {"N": str(value)}
    if isinstance(value, list):
        return {"L": [from_plain(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {str(k): from_plain(v) for k, v in value.items()}}
    raise TypeError(f"{type(value).__name__} is not JSON")


def typed_item(item: Any, key_types: dict[str, str] | None = None) -> dict[str, Any] | None:
    """`item` rewritten in DynamoDB JSON when some of its values are plain JSON (`{"id":
    "1"}` -> `{"id": {"S": "1"}}`), the values that name their type kept as they are; None
    when it is no object or every value already names its type.

    `key_types` (attribute name -> `S`, `N` or `B`, the table's key schema) types a key
    attribute as the table declares it where the plain value reads as that type: `{"id": 1}`
    on a string key becomes `{"id": {"S": "1"}}`, not a number the table would refuse."""
    if not isinstance(item, dict):
        return None

    def typed(value: Any) -> bool:
        return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TYPES

    if all(typed(v) for v in item.values()):
        return None
    key_types = key_types or {}
    return {
        str(k): v if typed(v) else _as_key(v, key_types.get(str(k))) or from_plain(v)
        for k, v in item.items()
    }


def _as_key(value: Any, kind: str | None) -> dict[str, Any] | None:
    """A plain number or string as the key type `kind` when it reads as one, else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if kind == "S" and not isinstance(value, str):
        return {"S": str(value)}
    if kind == "N" and isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        return {"N": value} if number.is_finite() else None
    return None


def from_plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """A plain JSON object as an item (or key) in DynamoDB JSON."""
    return {str(k): from_plain(v) for k, v in item.items()}


def item_to_plain(item: Any) -> Any:
    """An item (or a record's Keys or image) as plain JSON; anything else as it is."""
    if not isinstance(item, dict):
        return item
    try:
        return {k: to_plain(v) for k, v in item.items()}
    except (AttributeError, ValueError, InvalidOperation):
        return item


def _plain_number(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)
