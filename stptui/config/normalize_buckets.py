"""Buckets: their properties, their lifecycle rules, and the `s3` events that watch them.

Lifecycle rules have checks of their own (tags, the transitions S3 refuses); an `s3` event
names its bucket by ARN and filters keys by prefix and suffix.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import Placeholder
from stptui.config.loader import DataPath
from stptui.config.model import (
    Bucket,
    LifecycleRule,
    Resource,
    S3Trigger,
)
from stptui.config.normalize_props import (
    describe_value,
    written_key,
)
from stptui.config.normalize_schema import (
    ANY,
    BUCKET_CDN_PROPS,
    BUCKET_METHOD_ITEMS,
    BUCKET_PROPS,
    DICT,
    HOSTING_BUCKET_PROPS,
    LIFECYCLE_RULES,
    NESTED,
    S3_EVENT_TYPES,
    STR,
    WEB_APP_TYPES,
    P,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder as _BuilderBase
else:
    _BuilderBase = object


def legacy_auto_sync(raw: dict[str, Any]) -> dict[str, str] | None:
    """The hint for an older Stacktape's `autoSync: {syncDirectory}` on a bucket: today's
    `directoryUpload` written out with its folder, where the list of known properties left
    the user to find which one it became (its key inside is renamed too)."""
    old = raw.get("autoSync")
    if "directoryUpload" in raw or not isinstance(old, dict):
        return None
    folder = old.get("syncDirectory")
    path = folder if isinstance(folder, str) and folder else "FOLDER"
    # A JSON string is a YAML double-quoted one.
    shown = path if re.fullmatch(r"[\w./-]+", path) else json.dumps(path)
    return {
        "autoSync": "`autoSync` is an older Stacktape's; today's is directoryUpload: "
        f"{{directoryPath: {shown}}} (it replaces the bucket's contents on deploy)"
    }


def hosting_cdn(raw: dict[str, Any]) -> dict[str, str] | None:
    """The hint for a hosting bucket's `cdn`, as some of Stacktape's doc examples write
    it (`cdn: {customDomains: [...]}`): a hosting bucket always has its CDN, and the
    settings a bucket's `cdn` holds are the hosting bucket's own properties. The list of
    known properties left the user to guess that they move up one level."""
    cdn = raw.get("cdn")
    if not isinstance(cdn, dict):
        return None
    own = [f"`{key}`" for key in cdn if key in HOSTING_BUCKET_PROPS]
    said = "a hosting-bucket always has a CDN, whose settings are its own properties"
    if not own:
        return {"cdn": f"remove it: {said}"}
    return {"cdn": f"{said}: move {' and '.join(own)} up one level, beside `uploadDirectoryPath`"}


class BucketReaders(_BuilderBase):
    """Readers of buckets and `s3` events (a part of `normalize.StackBuilder`)."""

    def _lifecycle_rules(
        self, rules: Any, path: DataPath, owner: str, versioning: bool
    ) -> list[LifecycleRule]:
        """A bucket's `lifecycleRules`: each a {type, properties} of one of LIFECYCLE_RULES.

        Returns the rules the simulator applies: those of a good shape that S3 would accept
        (`_lifecycle_refusals` reports the others)."""
        out: list[LifecycleRule] = []
        if not isinstance(rules, list):
            return out
        for i, rule in enumerate(rules):
            rpath = (*path, i)
            if not self.check_value(DICT, rule, rpath, f"lifecycleRules[{i}]", owner):
                continue
            where = " in a lifecycle rule"
            top = self.read_props(
                rule, rpath, {"type": ANY, "properties": DICT}, owner, where=where
            )
            rtype = top.get("type")
            if not self.require(top, rule, "type", rpath, owner, "a lifecycle rule"):
                continue
            spec = P("str", enum=tuple(LIFECYCLE_RULES))
            if not self.check_value(spec, rtype, (*rpath, "type"), "type", owner):
                continue
            if not self.require(top, rule, "properties", rpath, owner, f"`{rtype}` rule"):
                continue
            shape, required = LIFECYCLE_RULES[rtype]
            ppath = (*rpath, "properties")
            where = f" in a `{rtype}` rule"
            raw = top["properties"]
            got = self.read_props(raw, ppath, shape, owner, where=where)
            self.require_all(got, raw, shape, required, ppath, owner, f"`{rtype}` rule")
            tags = self._lifecycle_tags(got.get("tags"), (*ppath, "tags"), owner)
            if any(name not in got for name in required) or tags is None:
                continue
            values = [got[required[0]], got.get("prefix", ""), got.get("storageClass", "")]
            if any(isinstance(v, Placeholder) for v in values):
                continue  # known at deploy time only: nothing to simulate
            days = got[required[0]]
            if self._lifecycle_refusals(rtype, got, ppath, owner, versioning, tags):
                continue
            out.append(
                LifecycleRule(
                    index=i,
                    type=rtype,
                    days=int(days),
                    storage_class=got.get("storageClass"),
                    prefix=got.get("prefix") or "",
                    tags=tuple(tags),
                )
            )
        return out

    def _lifecycle_tags(
        self, tags: Any, path: DataPath, owner: str
    ) -> list[tuple[str, str]] | None:
        """A lifecycle rule's `tags` ({key, value} pairs, Stacktape's KeyValuePair) as pairs;
        None when one is malformed (reported)."""
        if tags is None:
            return []
        pairs: list[tuple[str, str]] = []
        good = True
        for j, tag in enumerate(tags):
            tpath = (*path, j)
            if not self.check_value(DICT, tag, tpath, f"tags[{j}]", owner):
                good = False
                continue
            spec = {"key": STR, "value": STR}
            got = self.read_props(tag, tpath, spec, owner, where=" in a rule's tag")
            self.require_all(got, tag, spec, ("key", "value"), tpath, owner, "a rule's tag")
            if isinstance(got.get("key"), str) and isinstance(got.get("value"), str):
                pairs.append((got["key"], got["value"]))
            else:
                good = False
        keys = [k for k, _ in pairs]
        for j, key in enumerate(keys):
            if key in keys[:j]:
                # "When you specify multiple tags in a filter, each tag key must be unique."
                self.diag(
                    (*path, j, "key"),
                    "error",
                    "lifecycle-rule-refused",
                    f"tag key {key!r} appears twice in one lifecycle rule; S3 refuses a "
                    "filter whose tag keys are not unique",
                    resource=owner,
                    hint="keep one value per tag key",
                )
                good = False
        return pairs if good else None

    def _lifecycle_refusals(
        self,
        rtype: str,
        props: dict[str, Any],
        path: DataPath,
        owner: str,
        versioning: bool,
        tags: list[tuple[str, str]],
    ) -> bool:
        """Report what S3 (or CloudFormation's Integer properties) refuses in a well-shaped
        rule, and what it accepts but never applies; True when the rule is refused.

        Sources: the S3 API reference's Expiration, NoncurrentVersionExpiration and
        Transition; the S3 User Guide's "Lifecycle configuration elements" and
        "Transitioning objects using Amazon S3 Lifecycle" (stptui.sim.s3_lifecycle)."""
        from stptui.sim.s3_lifecycle import IA_CLASSES, IA_MIN_DAYS

        days_name = LIFECYCLE_RULES[rtype][1][0]
        days = props[days_name]
        dpath = (*path, days_name)
        refused = False
        if days != int(days):
            self.diag(
                dpath,
                "error",
                "lifecycle-rule-refused",
                f"`{days_name}: {days}` is not a whole number of days; Stacktape passes it to "
                "CloudFormation, whose lifecycle days are an Integer",
                resource=owner,
                hint=f"e.g. `{days_name}: {max(1, math.ceil(days))}`",
            )
            return True
        if days == 0 and rtype in ("expiration", "non-current-version-expiration"):
            self.diag(
                dpath,
                "error",
                "lifecycle-rule-refused",
                f"`{days_name}: 0`: S3 takes expiration days as a non-zero positive integer",
                resource=owner,
                hint=f"`{days_name}: 1` expires at the second midnight UTC after the upload",
            )
            refused = True
        target = props.get("storageClass")
        if target in IA_CLASSES and days < IA_MIN_DAYS:
            when = "upload" if rtype == "class-transition" else "becoming noncurrent"
            self.diag(
                dpath,
                "error",
                "lifecycle-rule-refused",
                f"`{days_name}: {days}` to {target}: S3 transitions objects to STANDARD_IA or "
                f"ONEZONE_IA only {IA_MIN_DAYS} days or more after {when}",
                resource=owner,
                hint=f"`{days_name}: {IA_MIN_DAYS}` or more, or GLACIER, DEEP_ARCHIVE or "
                "INTELLIGENT_TIERING, which take any number of days",
            )
            refused = True
        if rtype == "abort-incomplete-multipart-upload" and tags:
            self.diag(
                (*path, "tags"),
                "error",
                "lifecycle-rule-refused",
                "an `abort-incomplete-multipart-upload` rule cannot filter on tags: S3 refuses "
                "AbortIncompleteMultipartUpload in a rule with a tag filter",
                key=True,
                resource=owner,
                hint="remove `tags` (a multipart upload has no tags until it completes); "
                "`prefix` is allowed",
            )
            refused = True
        if rtype.startswith("non-current-version") and not versioning:
            self.diag(
                path,
                "warning",
                "lifecycle-rule-inert",
                f"a `{rtype}` rule acts on noncurrent versions, which a bucket without "
                "`versioning: true` never has: the rule does nothing",
                resource=owner,
                hint="set `versioning: true` on the bucket, or use an `expiration` rule",
            )
        return refused

    def _directory_upload(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """A bucket's `directoryUpload`, its `fileOptions` and their headers and tags."""
        upload = self.nested(props, "directoryUpload", path, owner)
        self._file_options(upload, (*path, "directoryUpload"), owner)

    def _hosting_bucket(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """A hosting bucket (not simulated): its properties and the objects in them."""
        props = self.read_props(raw, path, HOSTING_BUCKET_PROPS, name, unexposed=hosting_cdn(raw))
        what = f"hosting-bucket {name!r}"
        self.require(props, raw, "uploadDirectoryPath", path, name, what)
        for key in ("build", "dev"):
            self.nested(props, key, path, name, "hosting build")
        self.each_item(props, "customDomains", path, name)
        self.each_item(props, "injectEnvironment", path, name)
        self.nested(props, "edgeFunctions", path, name)
        self._file_options(props, path, name)
        self._route_rewrites(props, path, name)
        return Resource(name=name, type="hosting-bucket", path=path[:2], properties=raw)

    def _web_app(self, name: str, raw: dict[str, Any], path: DataPath) -> Resource:
        """An SSR frontend (Next.js, Astro, Nuxt ...; not simulated): its properties and the
        objects in them."""
        rtype = self.stack.resources[name].type
        table, required = WEB_APP_TYPES[rtype]
        props = self.read_props(raw, path, table, name)
        self.require_all(props, raw, table, required, path, name, f"{rtype} {name!r}")
        server = self.nested(props, "serverLambda", path, name)
        self.nested(server, "logging", (*path, "serverLambda"), name)
        if rtype != "nextjs-web":
            self.nested(props, "dev", path, name, "web dev")
        self.each_item(props, "customDomains", path, name)
        self._file_options(props, path, name)
        self.statements(props, "iamRoleStatements", path, name)
        return Resource(name=name, type=rtype, path=path[:2], properties=raw)

    def _file_options(self, props: dict[str, Any], path: DataPath, owner: str) -> None:
        """Each of `fileOptions` (`DirectoryUploadFilter`) and its headers and tags."""
        self.each_item(props, "fileOptions", path, owner)
        options = props.get("fileOptions")
        for i, option in enumerate(options if isinstance(options, list) else []):
            if isinstance(option, dict):  # else reported by each_item
                for key in ("headers", "tags"):
                    opath = (*path, "fileOptions", i)
                    self.each_item(option, key, opath, owner, "key value pair")

    def _bucket(self, name: str, raw: dict[str, Any], path: DataPath) -> Bucket:
        props = self.read_props(raw, path, BUCKET_PROPS, name, unexposed=legacy_auto_sync(raw))
        b = Bucket(name=name, type="bucket", path=(path[0], path[1]), properties=raw)
        b.event_bus_notifications = bool(props.get("enableEventBusNotifications", False))
        b.versioning = bool(props.get("versioning", False))
        access = self.nested(props, "accessibility", path, name)
        self.statements(access, "accessPolicyStatements", (*path, "accessibility"), name)
        self._cdn(props, path, name, BUCKET_CDN_PROPS)
        self._directory_upload(props, path, name)
        cors = self.nested(props, "cors", path, name, "bucket cors")
        rules = cors.get("corsRules")
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            rpath = (*path, "cors", "corsRules", i)
            if self.check_value(DICT, rule, rpath, f"corsRules[{i}]", name):
                spec = NESTED["corsRules"][0]
                got = self.read_props(rule, rpath, spec, name, where=" in a CORS rule")
                self.items(got, "allowedMethods", rpath, name, BUCKET_METHOD_ITEMS)
        b.lifecycle_rules = self._lifecycle_rules(
            props.get("lifecycleRules"), (*path, "lifecycleRules"), name, b.versioning
        )
        return b

    def _t_s3(
        self,
        owner: str,
        raw: dict[str, Any],
        props: dict[str, Any],
        path: DataPath,
        ppath: DataPath,
        index: int,
    ) -> S3Trigger:
        t = S3Trigger(type="s3", owner=owner, index=index, path=path, properties=raw)
        bucket = props.get("bucketArn")
        if "bucketName" in raw and "bucketArn" not in raw:
            t.bucket = (
                self.ref_by_name(bucket, (*ppath, "bucketName"))
                if isinstance(bucket, str)
                else None
            )
            if not isinstance(bucket, str):
                self.diag(
                    (*ppath, "bucketName"),
                    "error",
                    "wrong-type",
                    "`bucketName` must be a string",
                    resource=owner,
                )
        elif isinstance(bucket, str):
            t.bucket = self.ref_by_arn(bucket, (*ppath, "bucketArn"))
        else:
            self.require(props, raw, "bucketArn", ppath, owner, "an `s3` event")
        types = props.get("s3EventType")
        tpath = (*ppath, written_key(raw, "s3EventType", "s3EventType"))
        if types is None:
            self.require(props, raw, "s3EventType", ppath, owner, "an `s3` event")
        else:
            listed = types if isinstance(types, list) else [types]
            for i, et in enumerate(listed):
                epath = (*tpath, i) if isinstance(types, list) else tpath
                if isinstance(et, str) and et in S3_EVENT_TYPES:
                    t.event_types.append(et)
                else:
                    guess = did_you_mean(str(et), S3_EVENT_TYPES) if isinstance(et, str) else None
                    self.diag(
                        epath,
                        "error",
                        "invalid-value",
                        f"{et!r} is not an S3 event type",
                        resource=owner,
                        hint=f"did you mean {guess!r}?" if guess else "e.g. s3:ObjectCreated:*",
                    )
        rule = props.get("filterRule")
        if rule is not None:
            self._s3_filter(t, rule, (*ppath, written_key(raw, "filterRule", "filterRule")), owner)
        return t

    def _s3_filter(self, t: S3Trigger, rule: Any, path: DataPath, owner: str) -> None:
        if isinstance(rule, dict):
            fp = self.read_props(
                rule, path, {"prefix": STR, "suffix": STR}, owner, where=" in `filterRule`"
            )
            t.prefix, t.suffix = fp.get("prefix"), fp.get("suffix")
            for attr in ("prefix", "suffix"):
                self._s3_filter_value(attr, fp.get(attr), (*path, attr), owner)
            return
        if not isinstance(rule, list):
            self.diag(
                path,
                "error",
                "wrong-type",
                f"`filterRule` must be a mapping {{prefix, suffix}}, not {describe_value(rule)}",
                resource=owner,
            )
            return
        for i, item in enumerate(rule):
            ipath = (*path, i)
            kind = item.get("type", item.get("name")) if isinstance(item, dict) else None
            value = item.get("value") if isinstance(item, dict) else None
            if (
                not isinstance(kind, str)
                or kind.lower() not in ("prefix", "suffix")
                or not isinstance(value, str)
            ):
                self.diag(
                    ipath,
                    "error",
                    "invalid-value",
                    "a filter rule is {type: prefix|suffix, value: text}",
                    resource=owner,
                )
                continue
            attr = kind.lower()
            if getattr(t, attr) is not None:
                # S3's own PutBucketNotificationConfiguration message.
                self.diag(
                    ipath,
                    "error",
                    "invalid-value",
                    f"Cannot specify more than one {attr} rule in a filter.",
                    resource=owner,
                )
                continue
            setattr(t, attr, value)
            self._s3_filter_value(attr, value, ipath, owner)

    def _s3_filter_value(self, attr: str, value: Any, path: DataPath, owner: str) -> None:
        """Warn of a prefix or suffix S3 would never match as written: S3 compares it with
        the key as an event carries it, URL-encoded ("If your prefix or suffix contains a
        space, you must replace it with the "+" character. If you use any other special
        characters ... you must enter them in URL-encoded (percent-encoded) format"), and
        "A wildcard character ("*") can't be used in filters" (S3 user guide, "Configuring
        event notifications using object key name filtering")."""
        if not isinstance(value, str) or not value or isinstance(value, Placeholder):
            return  # a value only AWS knows ($SsmParam ...) cannot be judged
        from urllib.parse import unquote_plus

        # The simulator imports the config layer, not back: lazily.
        from stptui.sim.services.bucket import encode_key

        # A value already encoded reads back to itself; one S3 could never write does not.
        encoded = encode_key(unquote_plus(value))
        if encoded != value:
            self.diag(
                path,
                "warning",
                "s3-filter-unencoded",
                f"the {attr} {value!r} holds characters S3 writes URL-encoded in the key it "
                "compares (a space as +, others percent-encoded): as written it matches no key",
                resource=owner,
                hint=f"write it as S3 writes keys: {attr}: {encoded!r}",
            )
        if "*" in value:
            bare = value.replace("*", "")
            self.diag(
                path,
                "warning",
                "s3-filter-wildcard",
                f"the {attr} {value!r} holds `*`, which is no wildcard in an S3 filter: it "
                "matches only keys with a `*` there",
                resource=owner,
                hint=f"leave the `*` out: {attr}: {bare!r} matches every key that "
                + ("starts so" if attr == "prefix" else "ends so"),
            )
