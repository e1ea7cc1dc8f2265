"""boto3.resource("dynamodb") and its Table: DynamoDB's item operations on one table, taking
and giving plain Python values (numbers as Decimal).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stptui.sim.behavior.boto3_standin.client import _Meta
from stptui.sim.behavior.boto3_standin.dynamodb import _dynamodb_ops
from stptui.sim.behavior.boto3_standin.dynamodb_codec import _Codec, _decimals, _plain_item_in
from stptui.sim.behavior.boto3_standin.exceptions import _SEE
from stptui.sim.behavior.boto3_standin.invocation import _method

_TABLE_OPS = _dynamodb_ops(_Codec(lambda i, w: _plain_item_in(i, w), lambda i: _decimals(i)), True)


class Table:
    """`boto3.resource("dynamodb").Table(name)`: DynamoDB's item operations on one table,
    taking and giving plain Python values (numbers as Decimal)."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Table name must be a string, not {type(name).__name__}")
        self.name = self.table_name = name

    def _target_table(self, params: dict[str, Any]) -> str:
        """The table every operation of this resource names."""
        return self.name

    def __getattr__(self, name: str) -> Callable[..., Any]:
        op = _TABLE_OPS.get(name)
        if op is None or name.startswith("_"):
            raise AttributeError(
                f"stptui's boto3 stand-in has no Table method {name!r}: a Table has "
                f"{', '.join(_TABLE_OPS)} {_SEE}"
            )
        return _method("dynamodb", name, op, self)

    def __repr__(self) -> str:
        return f"dynamodb.Table(name={self.name!r})"


class _DynamoDBResource:
    """`boto3.resource("dynamodb")`: its `Table`."""

    def __init__(self) -> None:
        self.meta = _Meta("dynamodb", "us-east-1", None)

    def Table(self, name: str) -> Table:
        """The stand-in of one table."""
        return Table(name)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"stptui's boto3 stand-in's dynamodb resource has only Table, not {name!r}"
        )
