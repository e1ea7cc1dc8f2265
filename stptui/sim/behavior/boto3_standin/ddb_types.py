"""boto3.dynamodb.types: TypeSerializer and TypeDeserializer (named so as not to shadow the
standard library's `types`).
"""

from __future__ import annotations

from typing import Any

from stptui.sim import ddbjson
from stptui.sim.behavior.boto3_standin.dynamodb_codec import (
    ddb_value_in,
    plain_value_in,
    with_decimals,
)


class TypeSerializer:
    """boto3's TypeSerializer: a Python value as DynamoDB JSON (numbers must be Decimal or
    int; sets and binary values are not simulated)."""

    def serialize(self, value: Any) -> dict[str, Any]:
        """One value in DynamoDB JSON."""
        return ddbjson.from_plain(plain_value_in(value, "serialize"))


class TypeDeserializer:
    """boto3's TypeDeserializer: DynamoDB JSON as Python values, numbers as Decimal."""

    def deserialize(self, value: dict[str, Any]) -> Any:
        """One value from DynamoDB JSON."""
        return with_decimals(ddb_value_in(value, "deserialize"))
