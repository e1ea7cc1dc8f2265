"""Relational databases (engines and their properties), Redis clusters, DynamoDB tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.loader import DataPath
from stptui.config.model import Resource
from stptui.config.normalize_schema import (
    ALARM_TRIGGERS,
    DATABASE_ENGINES,
    DYNAMO_TABLE_PROPS,
    REDIS_PROPS,
    REDIS_REQUIRED,
    RELATIONAL_DATABASE_PROPS,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


class DatabaseReaders(_BuilderBase):
    """Readers of relational databases, Redis clusters and DynamoDB tables (a part of
    `normalize.StackBuilder`)."""

    def _dynamo_table(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """A DynamoDB table: the names of its properties, of its key parts and throughput
        (the key parts' values and the indexes' shape are the linter's), its stream type."""
        props = self.read_props(raw, path, DYNAMO_TABLE_PROPS, name)
        primary = self.nested(props, "primaryKey", path, name)
        for part in ("partitionKey", "sortKey"):
            self.nested(primary, part, (*path, "primaryKey"), name, "key attribute")
        indexes = props.get("secondaryIndexes")
        for i, entry in enumerate(indexes if isinstance(indexes, list) else []):
            if isinstance(entry, dict):  # else the linter says what an index is
                for part in ("partitionKey", "sortKey"):
                    ipath = (*path, "secondaryIndexes", i)
                    self.nested(entry, part, ipath, name, "key attribute")
        throughput = self.nested(props, "provisionedThroughput", path, name)
        for key in ("writeScaling", "readScaling"):
            tpath = (*path, "provisionedThroughput")
            self.nested(throughput, key, tpath, name, "throughput scaling")
        return Resource(name=name, type="dynamo-db-table", path=path[:2], properties=raw)

    def _relational_database(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, RELATIONAL_DATABASE_PROPS, name)
        what = f"relational-database {name!r}"
        self.require_all(
            props, raw, RELATIONAL_DATABASE_PROPS, ("credentials", "engine"), path, name, what
        )
        self.nested(props, "credentials", path, name)
        self.nested(props, "accessibility", path, name, "database accessibility")
        logging = self.nested(props, "logging", path, name, "database logging")
        self.nested(logging, "engineSpecificOptions", (*path, "logging"), name)
        self._alarms(props, path, name, ALARM_TRIGGERS["relational-database"])
        if "engine" in props:
            epath = (*path, "engine")
            got = self.typed_object(
                props["engine"],
                epath,
                name,
                "engine",
                DATABASE_ENGINES,
                optional_properties=("aurora-mysql-serverless", "aurora-postgresql-serverless"),
            )
            ppath = (*epath, "properties")
            self.nested(got, "primaryInstance", ppath, name)
            self.nested(got, "storage", ppath, name)
            self.each_item(got, "readReplicas", ppath, name)
            self.each_item(got, "instances", ppath, name)
        return Resource(name=name, type="relational-database", path=path[:2], properties=raw)

    def _redis_cluster(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, REDIS_PROPS, name)
        what = f"redis-cluster {name!r}"
        self.require_all(props, raw, REDIS_PROPS, REDIS_REQUIRED, path, name, what)
        self.nested(props, "accessibility", path, name, "redis accessibility")
        self.nested(props, "logging", path, name, "redis logging")
        return Resource(name=name, type="redis-cluster", path=path[:2], properties=raw)
