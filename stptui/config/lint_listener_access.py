"""Whole-stack checks that a deploy would refuse and that no schema type catches: an
application load balancer listener's `whitelistIps` and its HTTPS certificate, and a
`dynamo-db-table`'s `primaryKey`.

`ListenerAccessChecks` is a part of the linter (`lint._Linter` inherits it): its methods
report through the linter's `report` and read the stack it indexed.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from stptui.config.directives import Placeholder
from stptui.config.loader import DataPath
from stptui.config.model import Resource

if TYPE_CHECKING:
    from stptui.config.lint import _Linter as _LinterBase
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


class ListenerAccessChecks(_LinterBase):
    """The linter's checks of listener access (IP whitelists, certificates) and table keys."""

    def check_listener_access(self, lb: Resource) -> None:
        """Each `whitelistIps` entry of an application load balancer's listeners is an IPv4
        address or CIDR block; each HTTPS listener gets a certificate."""
        listeners = lb.properties.get("listeners")
        if isinstance(listeners, list) and listeners:
            for i, listener in enumerate(listeners):
                if isinstance(listener, dict):
                    path = (*lb.path, "properties", "listeners", i)
                    self._check_whitelist(lb, listener, path)
                    self._check_certificate(lb, listener, path)
        elif listeners is None or listeners == []:
            # Stacktape's default listeners (for none or an empty list) include HTTPS on 443,
            # without customCertificateArns.
            self._check_certificate(lb, {"protocol": "HTTPS", "port": 443}, None)

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
                f"application-load-balancer {lb.name!r} {problem}",
                resource=lb.name,
                hint="write an IPv4 address (203.0.113.7) or an IPv4 CIDR block (203.0.113.0/24)",
            )

    def _check_certificate(
        self, lb: Resource, listener: dict[str, Any], path: DataPath | None
    ) -> None:
        """Stacktape picks an HTTPS listener's certificates (getLoadBalancersListeners in
        its application-load-balancer resource builder): the listener's
        `customCertificateArns` when written (even empty); else the default domain's
        certificate when the load balancer has no `customDomains`; else each custom
        domain's `customCertificateArn`, or its generated one unless
        `disableDnsRecordCreation`. An empty pick is a listener AWS refuses."""
        if listener.get("protocol") != "HTTPS":
            return
        port = listener.get("port")
        arns = listener.get("customCertificateArns")
        if arns is not None:
            if isinstance(arns, list) and not arns and path is not None:
                self.report(
                    (*path, "customCertificateArns"),
                    "error",
                    "https-listener-certificate",
                    f"HTTPS listener {port} of application-load-balancer {lb.name!r} has an "
                    "empty customCertificateArns, so it gets no certificate and AWS refuses "
                    "the listener",
                    resource=lb.name,
                    hint="list a certificate ARN in customCertificateArns, or remove the key "
                    "to get the certificates of the load balancer's domains (or its default "
                    "domain's)",
                )
            return
        domains = lb.properties.get("customDomains")
        if not isinstance(domains, list) or not domains:
            return  # Stacktape attaches its default domain's certificate
        if not all(
            isinstance(d, dict)
            and d.get("disableDnsRecordCreation") is True
            and d.get("customCertificateArn") is None
            for d in domains
        ):
            return
        where = (
            (*path, "protocol") if path is not None else (*lb.path, "properties", "customDomains")
        )
        self.report(
            where,
            "error",
            "https-listener-certificate",
            f"HTTPS listener {port} of application-load-balancer {lb.name!r} gets no "
            "certificate: every custom domain has disableDnsRecordCreation and no "
            "customCertificateArn, so Stacktape makes none, and AWS refuses the listener",
            resource=lb.name,
            hint="give a custom domain a customCertificateArn, or give the listener "
            "customCertificateArns",
            key=path is None,
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
            self._check_key_part(table, primary, part, (*base, "primaryKey"))

    def _check_key_part(
        self, table: Resource, primary: dict[str, Any], part: str, path: DataPath
    ) -> None:
        spec = primary.get(part)
        where = f"primaryKey.{part} of dynamo-db-table {table.name!r}"
        if not isinstance(spec, dict):
            self.report(
                path if spec is None else (*path, part),
                "error",
                "table-primary-key",
                f"{where} is " + ("missing" if spec is None else "not a mapping"),
                resource=table.name,
                hint=f"write {part}: {{name: id, type: string}}",
                key=spec is None,
            )
            return
        name, kind = spec.get("name"), spec.get("type")
        if not isinstance(name, Placeholder) and (not isinstance(name, str) or not name):
            self.report(
                (*path, part, "name") if name is not None else (*path, part),
                "error",
                "table-primary-key",
                f"{where} has " + ("no name" if name is None else f"the name {name!r}"),
                resource=table.name,
                hint=f"give {part} a name: the attribute every item carries, e.g. name: id",
                key=name is None,
            )
        if isinstance(kind, Placeholder) or kind in TABLE_KEY_TYPES:
            return
        letter = _DYNAMODB_LETTERS.get(kind) if isinstance(kind, str) else None
        message = f"{where} has " + ("no type" if kind is None else f"the type {kind!r}")
        if letter is not None:
            # Stacktape's newer docs show DynamoDB's own letters, which its schema refuses.
            message += f", DynamoDB's letter for {letter}; Stacktape's schema takes the word"
        self.report(
            (*path, part, "type") if kind is not None else (*path, part),
            "error",
            "table-primary-key",
            message,
            resource=table.name,
            hint=f"write type: {letter}" if letter else "write type: string, number or binary",
            key=kind is None,
        )
