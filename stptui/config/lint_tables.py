"""Whole-stack checks of a `dynamo-db-table`'s `secondaryIndexes` that Stacktape's schema or
DynamoDB's CreateTable would refuse: the shape Stacktape declares for an index
(`DynamoDbTableGlobalSecondaryIndex`: `name`, `partitionKey`, optional `sortKey` and
`projections`), DynamoDB's rules for index names, unique names, a key schema that uses two
attributes, one type per key attribute, and its limits on indexes and projected attributes.

`TableChecks` is a part of the linter (`lint.Linter` inherits it): its methods report
through the linter's `report` and read the stack it indexed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import Placeholder
from stptui.config.lint_listener_access import TABLE_KEY_TYPES
from stptui.config.loader import DataPath
from stptui.config.model import Resource

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
else:
    _LinterBase = object

# The keys of one entry of `secondaryIndexes` (DynamoDbTableGlobalSecondaryIndex in
# dynamo-db-tables.d.ts and packages/config/src/dynamo-db-tables.ts; the schema admits no other).
INDEX_KEYS = ("name", "partitionKey", "sortKey", "projections")
# DynamoDB's IndexName: 3 to 255 characters of [a-zA-Z0-9_.-] (CreateTable,
# GlobalSecondaryIndex.IndexName). Stacktape's docs call `name` the name used when querying.
_INDEX_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")
# DynamoDB's default quota of global secondary indexes per table (adjustable on request).
MAX_GLOBAL_INDEXES = 20
# DynamoDB's limit on the NonKeyAttributes of all of a table's secondary indexes together
# (Projection.NonKeyAttributes: "summed across all of the secondary indexes, must not exceed
# 100"; the same attribute in two indexes counts twice).
MAX_PROJECTED_ATTRIBUTES = 100


def _key_name(spec: Any) -> str | None:
    """The attribute name of a key written as `{name, type}`, when it is a plain string."""
    name = spec.get("name") if isinstance(spec, dict) else None
    return name if isinstance(name, str) and name and not isinstance(name, Placeholder) else None


class TableChecks(_LinterBase):
    """The linter's checks of DynamoDB tables' secondary indexes."""

    def check_table_indexes(self, table: Resource) -> None:
        """Each entry of `secondaryIndexes` has Stacktape's shape and a name DynamoDB takes,
        once per table; its key schema uses two attributes; each key attribute has one type
        across the table and its indexes; and the table stays within DynamoDB's limits."""
        indexes = table.properties.get("secondaryIndexes")
        base = (*table.path, "properties", "secondaryIndexes")
        if indexes is None or isinstance(indexes, Placeholder):
            return
        if not isinstance(indexes, list):
            self.report(
                base,
                "error",
                "table-secondary-index",
                f"secondaryIndexes of dynamo-db-table {table.name!r} is not a list",
                resource=table.name,
                hint="write a list of indexes: - {name: byEmail, partitionKey: {name: email, "
                "type: string}}",
            )
            return
        types = self._key_types(table)
        names: dict[str, DataPath] = {}
        count = projected = 0
        for i, entry in enumerate(indexes):
            path = (*base, i)
            if isinstance(entry, Placeholder):
                continue
            if not isinstance(entry, dict):
                self.report(
                    path,
                    "error",
                    "table-secondary-index",
                    f"secondaryIndexes[{i}] of dynamo-db-table {table.name!r} is not a mapping",
                    resource=table.name,
                    hint="write {name: byEmail, partitionKey: {name: email, type: string}}",
                )
                continue
            count += 1
            if count == MAX_GLOBAL_INDEXES + 1:
                self._too_many_indexes(table, path, len(indexes))
            self._index_keys(table, entry, path, i)
            self._index_name(table, entry, path, i, names)
            label = f"secondaryIndexes[{i}]"
            for part in ("partitionKey", "sortKey"):
                spec = entry.get(part)
                if isinstance(spec, Placeholder) or (spec is None and part == "sortKey"):
                    continue
                if spec is None and any(
                    did_you_mean(str(k), (part,)) for k in entry if k not in INDEX_KEYS
                ):
                    continue  # a misspelt key, reported with the real name as its hint
                self.check_key_part(table, entry, part, path, label, "table-secondary-index")
                self._one_type_per_attribute(table, spec, (*path, part), label, part, types)
            self.check_distinct_keys(table, entry, path, label)
            before = projected
            projected += self._projected_count(table, entry, path)
            if before <= MAX_PROJECTED_ATTRIBUTES < projected:
                self._too_many_projections(table, path, projected)

    def _key_types(self, table: Resource) -> dict[str, tuple[str, str]]:
        """Attribute name -> (type, where it is declared) for the table's valid primary key
        parts: what each index key on the same attribute must agree with."""
        primary = table.properties.get("primaryKey")
        types: dict[str, tuple[str, str]] = {}
        for part in ("partitionKey", "sortKey"):
            spec = primary.get(part) if isinstance(primary, dict) else None
            name, kind = _key_name(spec), spec.get("type") if isinstance(spec, dict) else None
            if name is not None and kind in TABLE_KEY_TYPES:
                types.setdefault(name, (kind, f"primaryKey.{part}"))
        return types

    def _index_keys(self, table: Resource, entry: dict[str, Any], path: DataPath, i: int) -> None:
        """Keys Stacktape's schema does not have in an index (it refuses them)."""
        for key in entry:
            if key in INDEX_KEYS:
                continue
            guess = did_you_mean(str(key), INDEX_KEYS)
            if key in ("projectionType", "projection"):
                # Stacktape's newer docs show `projectionType: ALL`; its schema has no such key.
                hint = (
                    "remove it: Stacktape's schema has no projection type; list the non-key "
                    "attributes the index needs in `projections`"
                )
            elif guess:
                hint = f"did you mean `{guess}`?"
            else:
                hint = f"known: {', '.join(INDEX_KEYS)}"
            self.report(
                (*path, key),
                "error",
                "table-secondary-index",
                f"unknown property `{key}` in secondaryIndexes[{i}] of dynamo-db-table "
                f"{table.name!r}",
                resource=table.name,
                hint=hint,
                key=True,
            )

    def _index_name(
        self,
        table: Resource,
        entry: dict[str, Any],
        path: DataPath,
        i: int,
        names: dict[str, DataPath],
    ) -> None:
        """`name` is required, a name DynamoDB takes for an index, and unique in the table."""
        name = entry.get("name")
        where = f"secondaryIndexes[{i}] of dynamo-db-table {table.name!r}"
        if isinstance(name, Placeholder):
            return
        if name is None:
            if not any(did_you_mean(str(k), ("name",)) for k in entry if k not in INDEX_KEYS):
                self.report(
                    path,
                    "error",
                    "table-secondary-index",
                    f"{where} has no name (Stacktape requires it)",
                    resource=table.name,
                    hint="add name: the index name queries use, e.g. name: byEmail",
                )
            return
        if not isinstance(name, str) or not _INDEX_NAME.fullmatch(name):
            self.report(
                (*path, "name"),
                "error",
                "table-secondary-index",
                f"{where} has the name {name!r}; DynamoDB takes index names of 3 to 255 "
                "letters, digits, '_', '-' and '.'",
                resource=table.name,
                hint="rename the index, e.g. byEmail",
            )
            return
        first = names.setdefault(name, (*path, "name"))
        if first == (*path, "name"):
            return
        self.report(
            (*path, "name"),
            "error",
            "table-secondary-index",
            f"{where} is named {name!r}, like the index at {self.place_of(first)}; DynamoDB "
            "refuses two indexes of one name in a table",
            resource=table.name,
            hint="give each index its own name",
        )

    def _one_type_per_attribute(
        self,
        table: Resource,
        spec: Any,
        path: DataPath,
        label: str,
        part: str,
        types: dict[str, tuple[str, str]],
    ) -> None:
        """A table defines each key attribute once, with one type (AttributeDefinitions):
        an index key on an attribute the table or another index keys with another type
        cannot be."""
        name, kind = _key_name(spec), spec.get("type") if isinstance(spec, dict) else None
        if name is None or kind not in TABLE_KEY_TYPES:
            return  # reported by check_key_part, or known only at deploy time
        other, where = types.setdefault(name, (kind, f"{label}.{part}"))
        if other == kind:
            return
        self.report(
            (*path, "type"),
            "error",
            "table-key-attribute-type",
            f"{label}.{part} of dynamo-db-table {table.name!r} makes {name!r} a {kind}, but "
            f"{where} makes it a {other}; a DynamoDB table gives each key attribute one type",
            resource=table.name,
            hint=f"write type: {other}, or key the index on another attribute",
        )

    def _projected_count(self, table: Resource, entry: dict[str, Any], path: DataPath) -> int:
        """How many non-key attributes an index projects (each counted once), after checking
        that `projections` is a list of attribute names. Key attributes are left out: a count
        that errs low never reports a table DynamoDB would take."""
        projections = entry.get("projections")
        if projections is None or isinstance(projections, Placeholder):
            return 0
        if not isinstance(projections, list):
            self.report(
                (*path, "projections"),
                "error",
                "table-secondary-index",
                f"projections of an index of dynamo-db-table {table.name!r} is not a list",
                resource=table.name,
                hint="list attribute names: projections: [email, displayName]",
            )
            return 0
        keys = {
            _key_name(spec)
            for holder in (table.properties.get("primaryKey"), entry)
            if isinstance(holder, dict)
            for spec in (holder.get("partitionKey"), holder.get("sortKey"))
        }
        seen: set[str] = set()
        for j, attribute in enumerate(projections):
            if isinstance(attribute, Placeholder):
                continue
            if not isinstance(attribute, str) or not attribute:
                self.report(
                    (*path, "projections", j),
                    "error",
                    "table-secondary-index",
                    f"projections entry {attribute!r} of an index of dynamo-db-table "
                    f"{table.name!r} is not an attribute name",
                    resource=table.name,
                    hint="write the name of an attribute of the table's items",
                )
                continue
            if attribute not in keys:
                seen.add(attribute)
        return len(seen)

    def _too_many_indexes(self, table: Resource, path: DataPath, total: int) -> None:
        self.report(
            path,
            "warning",
            "table-index-count",
            f"dynamo-db-table {table.name!r} has {total} secondary indexes; DynamoDB's quota "
            f"is {MAX_GLOBAL_INDEXES} global secondary indexes per table, so the deploy fails "
            "unless the account's quota was raised",
            resource=table.name,
            hint=f"keep at most {MAX_GLOBAL_INDEXES} indexes (overloaded index keys can serve "
            "several access patterns), or ask AWS to raise the quota",
        )

    def _too_many_projections(self, table: Resource, path: DataPath, total: int) -> None:
        self.report(
            (*path, "projections"),
            "error",
            "table-projection-count",
            f"the secondary indexes of dynamo-db-table {table.name!r} project {total} "
            f"non-key attributes by here; DynamoDB takes at most {MAX_PROJECTED_ATTRIBUTES} "
            "across all of a table's indexes (an attribute in two indexes counts twice)",
            resource=table.name,
            hint="project fewer attributes, or read the rest from the table by key",
        )
