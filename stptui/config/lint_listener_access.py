"""Whole-stack checks that a deploy would refuse and that no schema type catches: a load
balancer listener's `whitelistIps` and its HTTPS or TLS certificate, and a `dynamo-db-table`'s
`primaryKey`.

`ListenerAccessChecks` is a part of the linter (`lint.Linter` inherits it): its methods
report through the linter's `report` and read the stack it indexed.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import Placeholder
from stptui.config.loader import DataPath
from stptui.config.model import Resource

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
else:
    _LinterBase = object

# The attribute types of a DynamoDB key as Stacktape spells them (DynamoDbAttribute in
# stacktape/stacktape's dynamo-db-tables.d.ts; they become S, N and B).
TABLE_KEY_TYPES = ("string", "number", "binary")
# DynamoDB's AttributeType letters for the same types.
_DYNAMODB_LETTERS = {"S": "string", "N": "number", "B": "binary"}


def whitelist_problem(entry: str) -> str | None:
    """Why a `whitelistIps` entry cannot be deployed, or None when it can. Stacktape writes
    each entry as a security group rule's `CidrIp` (an IPv4 range), adding `/32` to an entry
    without a slash (transformToCidr in src/utils/misc.ts)."""
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return "is not an IPv4 address or CIDR block"
    if network.version == 6:
        return (
            "is IPv6; Stacktape writes whitelistIps as a security group's CidrIp, which takes "
            "IPv4 ranges only"
        )
    return None


def _misspelt(mapping: dict[str, Any], key: str) -> bool:
    """Whether `mapping` holds a misspelling of `key`: reported where the table's names are
    read (an unknown property with `key` as its did-you-mean), so not reported missing too."""
    return any(did_you_mean(str(k), (key,)) for k in mapping if k != key)


class ListenerAccessChecks(_LinterBase):
    """The linter's checks of listener access (IP whitelists, certificates) and table keys."""

    def check_listener_access(self, lb: Resource) -> None:
        """Each `whitelistIps` entry of a load balancer's listeners is an IPv4 address or CIDR
        block; each HTTPS listener of an application load balancer, and each TLS listener of
        a network load balancer, gets a certificate."""
        listeners = lb.properties.get("listeners")
        if not isinstance(listeners, list):
            return
        for i, listener in enumerate(listeners):
            if isinstance(listener, dict):
                path = (*lb.path, "properties", "listeners", i)
                self._check_whitelist(lb, listener, path)
                self._check_certificate(lb, listener, path)

    def _check_whitelist(self, lb: Resource, listener: dict[str, Any], path: DataPath) -> None:
        entries = listener.get("whitelistIps")
        if not isinstance(entries, list):
            return
        for j, entry in enumerate(entries):
            if not isinstance(entry, str) or isinstance(entry, Placeholder):
                continue  # a wrong type is the schema's finding; a directive is known later
            problem = whitelist_problem(entry)
            if problem is None:
                continue
            self.report(
                (*path, "whitelistIps", j),
                "error",
                "whitelist-ip",
                f"whitelistIps entry {entry!r} of listener {listener.get('port')} of "
                f"{lb.type} {lb.name!r} {problem}",
                resource=lb.name,
                hint="write an IPv4 address (203.0.113.7) or an IPv4 CIDR block (203.0.113.0/24)",
            )

    def _check_certificate(self, lb: Resource, listener: dict[str, Any], path: DataPath) -> None:
        """Stacktape picks the certificates of an HTTPS (application) or TLS (network) listener
        the same way (getLoadBalancersListeners and getNetworkLoadBalancerListeners in its
        resource builders): the listener's `customCertificateArns` when written (JavaScript
        truth: even an empty list); else the default domain's certificate when the load
        balancer has no `customDomains`; else each custom domain's `customCertificateArn`, or
        its generated one unless `disableDnsRecordCreation`, a domain Stacktape refuses
        (`custom-domain-certificate`). An empty `customCertificateArns` is an empty pick, a
        listener AWS refuses."""
        network = lb.type == "network-load-balancer"
        secure = "TLS" if network else "HTTPS"
        arns = listener.get("customCertificateArns")
        if listener.get("protocol") != secure or not isinstance(arns, list) or arns:
            return
        self.report(
            (*path, "customCertificateArns"),
            "error",
            "tls-listener-certificate" if network else "https-listener-certificate",
            f"{secure} listener {listener.get('port')} of {lb.type} {lb.name!r} has an empty "
            "customCertificateArns, so it gets no certificate and AWS refuses the listener",
            resource=lb.name,
            hint="list a certificate ARN in customCertificateArns, or remove the key to get the "
            "certificates of the load balancer's domains (or its default domain's)",
        )

    def check_table_key(self, table: Resource) -> None:
        """A `dynamo-db-table` has `primaryKey.partitionKey` (and an optional `sortKey`), each
        with a `name` and a `type` of string, number or binary (Stacktape's schema requires
        them; the simulator cannot simulate a table without them)."""
        base = (*table.path, "properties")
        primary = table.properties.get("primaryKey")
        if isinstance(primary, Placeholder):
            return
        fix = "write primaryKey: {partitionKey: {name: id, type: string}}"
        if not isinstance(primary, dict):
            missing = primary is None
            if missing and _misspelt(table.properties, "primaryKey"):
                return
            self.report(
                (*base, "primaryKey") if not missing else table.path,
                "error",
                "table-primary-key",
                f"dynamo-db-table {table.name!r} "
                + ("has no primaryKey" if missing else "has a primaryKey that is not a mapping")
                + " (Stacktape requires it; the simulator does not simulate the table)",
                resource=table.name,
                hint=fix,
                key=missing,
            )
            return
        for part in ("partitionKey", "sortKey"):
            spec = primary.get(part)
            if isinstance(spec, Placeholder) or (spec is None and part == "sortKey"):
                continue
            if spec is None and _misspelt(primary, part):
                continue
            self.check_key_part(table, primary, part, (*base, "primaryKey"), "primaryKey")
        self.check_distinct_keys(table, primary, (*base, "primaryKey"), "primaryKey")

    def check_distinct_keys(
        self, table: Resource, keys: dict[str, Any], path: DataPath, label: str
    ) -> None:
        """A key schema's sort key is another attribute than its partition key: DynamoDB
        refuses a KeySchema that names one attribute as both HASH and RANGE."""
        names = [
            spec.get("name") if isinstance(spec, dict) else None
            for spec in (keys.get("partitionKey"), keys.get("sortKey"))
        ]
        name = names[0]
        if not isinstance(name, str) or isinstance(name, Placeholder) or not name:
            return
        if names[1] != name or isinstance(names[1], Placeholder):
            return
        self.report(
            (*path, "sortKey", "name"),
            "error",
            "table-primary-key" if label == "primaryKey" else "table-secondary-index",
            f"{label} of dynamo-db-table {table.name!r} names {name!r} as both its "
            "partitionKey and its sortKey; DynamoDB refuses a key schema that uses one "
            "attribute twice",
            resource=table.name,
            hint="give the sortKey another attribute, or remove the sortKey",
        )

    def check_key_part(
        self,
        table: Resource,
        keys: dict[str, Any],
        part: str,
        path: DataPath,
        label: str,
        code: str = "table-primary-key",
    ) -> None:
        """`keys[part]` (at `path`, `label` in messages) is a mapping with a non-empty
        `name` and a `type` of string, number or binary, as DynamoDbAttribute declares."""
        spec = keys.get(part)
        where = f"{label}.{part} of dynamo-db-table {table.name!r}"
        if not isinstance(spec, dict):
            self.report(
                path if spec is None else (*path, part),
                "error",
                code,
                f"{where} is " + ("missing" if spec is None else "not a mapping"),
                resource=table.name,
                hint=f"write {part}: {{name: id, type: string}}",
                key=spec is None,
            )
            return
        name, kind = spec.get("name"), spec.get("type")
        misspelt = name is None and _misspelt(spec, "name")
        if (
            not misspelt
            and not isinstance(name, Placeholder)
            and (not isinstance(name, str) or not name)
        ):
            self.report(
                (*path, part, "name") if name is not None else (*path, part),
                "error",
                code,
                f"{where} has " + ("no name" if name is None else f"the name {name!r}"),
                resource=table.name,
                hint=f"give {part} a name: the attribute every item carries, e.g. name: id",
                key=name is None,
            )
        if isinstance(kind, Placeholder) or kind in TABLE_KEY_TYPES:
            return
        if kind is None and _misspelt(spec, "type"):
            return
        letter = _DYNAMODB_LETTERS.get(kind) if isinstance(kind, str) else None
        message = f"{where} has " + ("no type" if kind is None else f"the type {kind!r}")
        if letter is not None:
            # Stacktape's newer docs show DynamoDB's own letters, which its schema refuses.
            message += f", DynamoDB's letter for {letter}; Stacktape's schema takes the word"
        self.report(
            (*path, part, "type") if kind is not None else (*path, part),
            "error",
            code,
            message,
            resource=table.name,
            hint=f"write type: {letter}" if letter else "write type: string, number or binary",
            key=kind is None,
        )
