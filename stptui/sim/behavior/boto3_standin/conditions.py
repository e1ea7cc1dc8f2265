"""boto3.dynamodb.conditions: Key and Attr conditions, and the builder that writes one out as
expression text with #n/:v placeholders.
"""

from __future__ import annotations

from typing import Any

from stptui.sim.behavior.boto3_standin.dynamodb_codec import plain_value_in
from stptui.sim.behavior.boto3_standin.exceptions import refuse


class ConditionBase:
    """A condition of boto3.dynamodb.conditions: combined with &, | and ~."""

    def __init__(self, op: str, *values: Any) -> None:
        self.op = op
        self.values = values

    def __and__(self, other: ConditionBase) -> ConditionBase:
        return ConditionBase("AND", self, other)

    def __or__(self, other: ConditionBase) -> ConditionBase:
        return ConditionBase("OR", self, other)

    def __invert__(self) -> ConditionBase:
        return ConditionBase("NOT", self)

    def __repr__(self) -> str:
        return f"Condition({self.op}, {self.values!r})"


class AttributeBase:
    """An attribute named in a condition (`Key("id")`, `Attr("status")`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def eq(self, value: Any) -> ConditionBase:
        """name = value"""
        return ConditionBase("=", self, value)

    def lt(self, value: Any) -> ConditionBase:
        """name < value"""
        return ConditionBase("<", self, value)

    def lte(self, value: Any) -> ConditionBase:
        """name <= value"""
        return ConditionBase("<=", self, value)

    def gt(self, value: Any) -> ConditionBase:
        """name > value"""
        return ConditionBase(">", self, value)

    def gte(self, value: Any) -> ConditionBase:
        """name >= value"""
        return ConditionBase(">=", self, value)

    def begins_with(self, value: Any) -> ConditionBase:
        """begins_with(name, value)"""
        return ConditionBase("begins_with", self, value)

    def between(self, low: Any, high: Any) -> ConditionBase:
        """name BETWEEN low AND high"""
        return ConditionBase("BETWEEN", self, low, high)


class Key(AttributeBase):
    """A key attribute of a KeyConditionExpression."""


class Attr(AttributeBase):
    """An attribute of a ConditionExpression or FilterExpression."""

    def ne(self, value: Any) -> ConditionBase:
        """name <> value"""
        return ConditionBase("<>", self, value)

    def is_in(self, values: list[Any]) -> ConditionBase:
        """name IN (values...)"""
        return ConditionBase("IN", self, *values)

    def exists(self) -> ConditionBase:
        """attribute_exists(name)"""
        return ConditionBase("attribute_exists", self)

    def not_exists(self) -> ConditionBase:
        """attribute_not_exists(name)"""
        return ConditionBase("attribute_not_exists", self)

    def contains(self, value: Any) -> ConditionBase:
        """contains(name, value)"""
        return ConditionBase("contains", self, value)

    def size(self) -> Size:
        """size(name), compared as an attribute is."""
        return Size(self.name)

    def attribute_type(self, value: str) -> ConditionBase:
        """attribute_type(name, value)"""
        return ConditionBase("attribute_type", self, value)


class Size(Attr):
    """size(name) of a condition."""


class ConditionExpressionBuilder:
    """A condition object as expression text with #n/:v placeholders, as boto3's
    ConditionExpressionBuilder writes it."""

    def __init__(self) -> None:
        self.is_key = False
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def build(self, cond: ConditionBase, *, is_key: bool) -> str:
        """The expression text of `cond`; its placeholders join `names` and `values`."""
        self.is_key = is_key
        return self._cond(cond, top=True)

    def _name(self, attr: AttributeBase) -> str:
        if self.is_key and not isinstance(attr, Key):
            raise refuse(
                "KeyConditionExpression", "takes Key(...) conditions only", "use Key, not Attr"
            )
        parts = []
        for part in attr.name.split("."):
            placeholder = f"#n{len(self.names)}"
            self.names[placeholder] = part
            parts.append(placeholder)
        text = ".".join(parts)
        return f"size({text})" if isinstance(attr, Size) else text

    def _value(self, value: Any) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = plain_value_in(value, placeholder)
        return placeholder

    def _cond(self, cond: ConditionBase, top: bool = False) -> str:
        op, vals = cond.op, cond.values
        if op in ("AND", "OR"):
            text = f"{self._cond(vals[0])} {op} {self._cond(vals[1])}"
            return text if top else f"({text})"
        if op == "NOT":
            return f"(NOT {self._cond(vals[0])})"
        name = self._name(vals[0])
        if op in ("=", "<>", "<", "<=", ">", ">="):
            return f"{name} {op} {self._value(vals[1])}"
        if op == "BETWEEN":
            return f"{name} BETWEEN {self._value(vals[1])} AND {self._value(vals[2])}"
        if op == "IN":
            return f"{name} IN ({', '.join(self._value(v) for v in vals[1:])})"
        if op in ("attribute_exists", "attribute_not_exists"):
            return f"{op}({name})"
        return f"{op}({name}, {self._value(vals[1])})"
