"""Relational databases (engines and their properties) and Redis clusters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.directives import Placeholder
from stptui.config.loader import DataPath
from stptui.config.model import Resource
from stptui.config.normalize_schema import (
    ALARM_TRIGGERS,
    DATABASE_ENGINES,
    DYNAMO_STREAM_TYPE,
    REDIS_PROPS,
    REDIS_REQUIRED,
    RELATIONAL_DATABASE_PROPS,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


class DatabaseReaders(_BuilderBase):
    """Readers of relational databases and Redis clusters, and a DynamoDB table's stream
    type (a part of `normalize.StackBuilder`)."""

    def _table_stream_type(self, name: str, raw: dict[str, Any], path: DataPath) -> None:
        # A misspelt streamType would leave the table without a stream, and its readers with
        # nothing to read, where Stacktape's schema refuses the config.
        value = raw.get("streamType")
        if value is not None and not isinstance(value, Placeholder):
            self.check_value(DYNAMO_STREAM_TYPE, value, (*path, "streamType"), "streamType", name)

    def _relational_database(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        props = self.read_props(raw, path, RELATIONAL_DATABASE_PROPS, name)
        what = f"relational-database {name!r}"
        self.require_all(
            props, raw, RELATIONAL_DATABASE_PROPS, ("credentials", "engine"), path, name, what
        )
        self.nested(props, "credentials", path, name)
        self.nested(props, "accessibility", path, name, "database accessibility")
        self.nested(props, "logging", path, name, "database logging")
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
