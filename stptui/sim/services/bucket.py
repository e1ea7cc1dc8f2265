"""S3 buckets: objects, PutObject / DeleteObject, and event notifications.

Rules (reference aws-semantics §5; stacktape-config §2.6, §3.2):

* Each `s3` trigger of a function or batch job is one notification configuration: one event
  type (`s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, ...; `:*` covers its family) and an
  optional key filter of one prefix and one suffix. Both must hold; the comparison is a
  plain, case-sensitive startswith/endswith on the URL-encoded key (no wildcards).
* The event is `{"Records": [one record]}` with `eventVersion` 2.1, `eventName` without the
  `s3:` prefix, the key form-URL-encoded (space -> `+`, `@` -> `%40`, `/` kept), and for
  deletes no size or eTag. Functions are invoked asynchronously; a batch job's trigger
  function starts an execution.
* A delete without a version id on a versioned bucket creates a delete marker and is
  `ObjectRemoved:DeleteMarkerCreated`; otherwise it is `ObjectRemoved:Delete`.
* `enableEventBusNotifications` sends every event to the default EventBridge bus as
  `Object Created` / `Object Deleted` from `aws.s3` (the key there is not URL-encoded, as
  in AWS's examples).

Simulation choices: a delete of a key that is not in the bucket is refused (S3 answers 204
and, on a versioned bucket, even adds a delete marker); an object made with `size` only has
a stand-in ETag that is stable per size; sequencers are 18 hex digits, the virtual time then
a counter, so they grow with every event. The payload's `configurationId` is the SHA-1 Id
Stacktape gives the configuration (see `stacktape_configuration_id`); the trace and the
commands name a configuration `{workload}-s3-{index}`.

Every upload and delete records which notifications matched (`notification.matched`) and,
for the others, exactly why not (`notification.skipped` with the reason).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.model import S3Trigger
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms

if TYPE_CHECKING:
    from stptui.sim.behavior import Emission
    from stptui.sim.engine import Simulator

MAX_KEY_BYTES = 1024
MAX_SINGLE_UPLOAD_BYTES = 5 * 1024**3  # PutObject, POST and CopyObject: 5 GiB
MAX_OBJECT_BYTES = 5 * 1024**4  # a multipart upload: 5 TiB
MAX_PARTS = 10_000
PART_BYTES = 8 * 1024 * 1024  # the AWS CLI's default part size
EMPTY_ETAG = hashlib.md5(b"").hexdigest()  # a delete marker's ETag in EventBridge events

# The operations that create an object: (eventName, the EventBridge detail's `reason`).
CREATE_OPERATIONS: dict[str, tuple[str, str]] = {
    "put": ("ObjectCreated:Put", "PutObject"),
    "post": ("ObjectCreated:Post", "POST Object"),
    "copy": ("ObjectCreated:Copy", "CopyObject"),
    "multipart": ("ObjectCreated:CompleteMultipartUpload", "CompleteMultipartUpload"),
}

# Fixed identities in the payloads (AWS's own documentation examples).
REQUESTER_PRINCIPAL = "AWS:AIDAJDPLRKLG7UEXAMPLE"
OWNER_PRINCIPAL = "A3NL1KOZZKExample"
SOURCE_IP = "203.0.113.10"

# Bytes S3 leaves as they are in an event's key: what Java's URLEncoder keeps, plus `/`.
_KEY_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-*_/")
_VERSION_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"


def encode_key(key: str) -> str:
    """An object key as S3 writes it in an event: application/x-www-form-urlencoded.

    `red flower.jpg` -> `red+flower.jpg`, `a@b` -> `a%40b`, `dir/x` -> `dir/x`."""
    out: list[str] = []
    for byte in key.encode("utf-8", "surrogatepass"):
        if byte in _KEY_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def multipart_etag(content: bytes | None, size: int, fake_seed: str) -> str:
    """A multipart upload's ETag: the MD5 of the parts' MD5s, `-` and the part count.

    Without content the part MD5s are derived from `fake_seed` (deterministic)."""
    part = max(PART_BYTES, math.ceil(size / MAX_PARTS))
    parts = max(1, math.ceil(size / part))
    digests = b"".join(
        hashlib.md5(
            content[i * part : (i + 1) * part]
            if content is not None
            else f"{fake_seed}:part{i + 1}".encode()
        ).digest()
        for i in range(parts)
    )
    return f"{hashlib.md5(digests).hexdigest()}-{parts}"


@dataclass(slots=True)
class S3Object:
    """One version of an object (the current one, an older one or a delete marker)."""

    key: str
    size: int
    etag: str
    sequencer: str
    last_modified: int
    version_id: str | None = None
    delete_marker: bool = False
    # The bytes, when the upload gave them (not for a size-only upload): what a Distributed
    # Map's ItemReader reads.
    content: bytes | None = None


def stacktape_configuration_id(
    lambda_arn: str, event_types: list[str], prefix: str | None, suffix: str | None
) -> str:
    """The `Id` Stacktape gives a notification configuration, which S3 sends as the
    payload's `configurationId` (stacktapeServiceLambda's s3-event resolver,
    `getNotificationConfigurationId`): the SHA-1 hex of the Lambda ARN, the event type and,
    when a `filterRule` is set, its `JSON.stringify`.

    The model keeps the rule's values, not its text: the rule is rebuilt with `prefix`
    before `suffix` (how Stacktape's docs write it), and an empty `filterRule: {}` counts as
    none."""
    digest = hashlib.sha1(lambda_arn.encode("utf-8", "surrogatepass"))
    digest.update(",".join(event_types).encode("utf-8", "surrogatepass"))
    if prefix is not None or suffix is not None:
        rule = {k: v for k, v in (("prefix", prefix), ("suffix", suffix)) if v is not None}
        text = json.dumps(rule, separators=(",", ":"), ensure_ascii=False)
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class Notification:
    """One notification configuration of a bucket: an `s3` trigger of a workload.

    `configuration_id` is stptui's readable name for it (`{workload}-s3-{index}`, in the
    trace and the commands); `aws_id` is the Id Stacktape gives it, which the payload
    carries as `configurationId`."""

    __slots__ = (
        "aws_id",
        "configuration_id",
        "event_types",
        "prefix",
        "suffix",
        "target",
        "target_type",
    )

    def __init__(self, trigger: S3Trigger, target_type: str, lambda_arn: str) -> None:
        self.target = trigger.owner
        self.target_type = target_type
        self.configuration_id = f"{trigger.owner}-s3-{trigger.index}"
        self.event_types = list(trigger.event_types)
        self.prefix = trigger.prefix
        self.suffix = trigger.suffix
        self.aws_id = stacktape_configuration_id(
            lambda_arn, self.event_types, self.prefix, self.suffix
        )

    def skip_reason(self, event_name: str, key: str, encoded: str) -> str | None:
        """Why this configuration does not fire for the event (None when it does)."""
        family = event_name.rsplit(":", 1)[0]
        if f"s3:{event_name}" not in self.event_types and f"s3:{family}:*" not in self.event_types:
            return f"event {event_name} is not in [{', '.join(self.event_types)}]"
        shown = _quote(key) if key == encoded else f"{_quote(key)} (URL-encoded {_quote(encoded)})"
        problems = []
        if self.prefix and not encoded.startswith(self.prefix):
            problems.append(f"does not start with prefix {_quote(self.prefix)}")
        if self.suffix and not encoded.endswith(self.suffix):
            problems.append(f"does not end with suffix {_quote(self.suffix)}")
        if problems:
            return f"key {shown} {' and '.join(problems)}"
        return None

    def describe(self) -> str:
        """`s3:ObjectCreated:* prefix "incoming/"`: the configuration on one line."""
        text = ", ".join(self.event_types)
        if self.prefix:
            text += f" prefix {_quote(self.prefix)}"
        if self.suffix:
            text += f" suffix {_quote(self.suffix)}"
        return text


class BucketSim:
    """One bucket: its objects (current versions), older versions and notifications."""

    def __init__(self, name: str, aws_name: str, versioning: bool, event_bus: bool) -> None:
        self.name = name
        self.aws_name = aws_name
        self.arn = f"arn:aws:s3:::{aws_name}"
        self.versioning = versioning
        self.event_bus = event_bus
        self.notifications: list[Notification] = []
        self.objects: dict[str, S3Object] = {}
        # Versioned buckets: every version of each key, oldest first (delete markers too).
        self.versions: dict[str, list[S3Object]] = {}

    @property
    def total_bytes(self) -> int:
        """The size of the current versions."""
        return sum(o.size for o in self.objects.values())


class _Request:
    """One S3 request that changed an object: what every notification of it shares."""

    __slots__ = ("event_name", "host_id", "obj", "reason", "request_id", "time")

    def __init__(self, sim: Simulator, event_name: str, reason: str, obj: S3Object) -> None:
        self.event_name = event_name
        self.reason = reason
        self.obj = obj
        self.time = sim.clock.now
        rid = sim.new_id().replace("-", "").upper()
        self.request_id = rid[:16]
        self.host_id = base64.b64encode(hashlib.sha384(rid.encode()).digest()).decode()


class BucketService:
    """Every bucket of the stack; PutObject and DeleteObject with their notifications."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.buckets: dict[str, BucketSim] = {}
        self._sequence = 0
        for b in sim.stack.buckets:
            self.buckets[b.name] = BucketSim(
                b.name,
                sim.resource_param(b.name, "name"),
                b.versioning,
                b.event_bus_notifications,
            )
        for w in sim.stack.workloads:
            for trig in w.events:
                if isinstance(trig, S3Trigger) and trig.bucket and trig.bucket.target:
                    bucket = self.buckets.get(trig.bucket.target)
                    if bucket is not None:
                        bucket.notifications.append(
                            Notification(trig, w.type, self._lambda_arn(w.name, w.type))
                        )

    def _lambda_arn(self, workload: str, workload_type: str) -> str:
        """The function S3 invokes for a workload's notification: the function itself, or a
        batch job's trigger function, which Stacktape names as it would a function called
        after the job (`{stack}-{job}`; inferred from its `-TRIGGER` role suffix)."""
        sim = self.sim
        if workload_type == "function":
            return sim.resource_param(workload, "arn")
        name = f"{sim.stack.stack_name}-{workload}"
        return f"arn:aws:lambda:{sim.region}:{sim.account_id}:function:{name}"

    # -- lookups -------------------------------------------------------------------------

    def bucket(self, name: str) -> BucketSim:
        """The bucket called `name`, or a SimError with a did-you-mean."""
        from stptui.config.diagnostics import did_you_mean, with_article
        from stptui.sim.engine import SimError

        hit = self.buckets.get(name)
        if hit is not None:
            return hit
        other = self.sim.stack.resources.get(name)
        choices = (
            f"buckets in this stack: {', '.join(sorted(self.buckets))}"
            if self.buckets
            else "this stack has no buckets"
        )
        if other is not None:
            raise SimError(f"{name!r} is {with_article(other.type)}, not a bucket", choices)
        guess = did_you_mean(name, self.buckets)
        raise SimError(
            f"no bucket named {name!r}", f"did you mean {guess!r}?" if guess else choices
        )

    # -- actions -------------------------------------------------------------------------

    def put_object(
        self,
        bucket: str,
        key: str,
        *,
        content: bytes | None = None,
        size: int | None = None,
        operation: str = "put",
        source: str = "command",
    ) -> S3Object:
        """Create (or overwrite) an object and send its notifications.

        `content` gives the size and a real MD5 ETag; without it a `size` above 0 gets a
        deterministic stand-in ETag (no size: an empty object). `operation` is put, post,
        copy or multipart. Raises SimError, changing nothing, on a bad bucket, key, size or
        operation."""
        from stptui.sim.engine import SimError

        b = self.bucket(bucket)
        _check_key(key)
        if operation not in CREATE_OPERATIONS:
            raise SimError(
                f"unknown upload operation {operation!r}", f"one of {', '.join(CREATE_OPERATIONS)}"
            )
        if content is None and not size:
            content = b""  # an empty object: its ETag is the real MD5 of nothing
        if content is not None:
            size = len(content)
        size = size or 0
        if size < 0:
            raise SimError(f"an object size cannot be negative ({size})")
        limit = MAX_OBJECT_BYTES if operation == "multipart" else MAX_SINGLE_UPLOAD_BYTES
        if size > limit:
            raise SimError(
                f"EntityTooLarge: {size:,} bytes; a {operation} upload takes at most {limit:,}",
                "a multipart upload takes up to 5 TiB" if operation != "multipart" else None,
            )
        if operation == "multipart":
            etag = multipart_etag(content, size, f"{b.name}/{key}")
        elif content is not None:
            etag = hashlib.md5(content).hexdigest()
        else:
            # No bytes to hash: a stand-in that is stable for a given size.
            etag = hashlib.md5(f"stptui:size={size}".encode()).hexdigest()
        sim = self.sim
        obj = S3Object(
            key,
            size,
            etag,
            self._sequencer(),
            sim.clock.now,
            self._version_id() if b.versioning else None,
            content=content,
        )
        b.objects[key] = obj
        if b.versioning:
            b.versions.setdefault(key, []).append(obj)
        event_name, reason = CREATE_OPERATIONS[operation]
        req = _Request(sim, event_name, reason, obj)
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": key,
            "size": size,
            "etag": etag,
            "sequencer": obj.sequencer,
            "event": event_name,
            "request_id": req.request_id,
            "source": source,
        }
        if obj.version_id is not None:
            data["version_id"] = obj.version_id
        sim.trace.emit((sim.clock.now, tk.OBJECT_CREATED, b.name, data))
        self._notify(b, req)
        return obj

    def delete_object(self, bucket: str, key: str, *, source: str = "command") -> S3Object:
        """DeleteObject without a version id; returns the object that was current.

        On a versioned bucket this adds a delete marker (ObjectRemoved:DeleteMarkerCreated),
        otherwise it removes the object (ObjectRemoved:Delete). Raises SimError, changing
        nothing, when the key is not in the bucket."""
        from stptui.sim.engine import SimError

        b = self.bucket(bucket)
        _check_key(key)
        old = b.objects.get(key)
        if old is None:
            raise SimError(
                f"no object {_quote(key)} in bucket {b.name}",
                f"`show bucket {b.name}` lists its keys",
            )
        sim = self.sim
        del b.objects[key]
        if b.versioning:
            marker = S3Object(
                key, 0, EMPTY_ETAG, self._sequencer(), sim.clock.now, self._version_id(), True
            )
            b.versions[key].append(marker)
            event_name, removed = "ObjectRemoved:DeleteMarkerCreated", marker
        else:
            removed = S3Object(key, 0, "", self._sequencer(), sim.clock.now)
            event_name = "ObjectRemoved:Delete"
        req = _Request(sim, event_name, "DeleteObject", removed)
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": key,
            "size": old.size,
            "etag": old.etag,
            "sequencer": removed.sequencer,
            "event": event_name,
            "request_id": req.request_id,
            "source": source,
        }
        if removed.version_id is not None:
            data["version_id"] = removed.version_id
        sim.trace.emit((sim.clock.now, tk.OBJECT_DELETED, b.name, data))
        self._notify(b, req)
        return old

    # -- notifications -------------------------------------------------------------------

    def _notify(self, b: BucketSim, req: _Request) -> None:
        from stptui.sim.services.batch import submit_job

        sim = self.sim
        now = sim.clock.now
        key = req.obj.key
        encoded = encode_key(key)
        origin = f"{b.name}/{key}"
        for n in b.notifications:
            base = {
                "key": key,
                "event": req.event_name,
                "target": n.target,
                "configuration": n.configuration_id,
            }
            why = n.skip_reason(req.event_name, key, encoded)
            if why is not None:
                sim.trace.emit((now, tk.NOTIFICATION_SKIPPED, b.name, {**base, "reason": why}))
                continue
            # The S3 request id links the notification (and through its event or execution
            # id, what it triggered) back to the object record for `explain`.
            base["request_id"] = req.request_id
            event = {"Records": [self._record(b, req, n.aws_id, encoded)]}
            if n.target_type == "batch-job":
                # The execution starts (and is traced) at once: name it first so that the
                # match can be recorded before it, in causal order.
                base["execution_id"] = eid = sim.new_id()
                sim.trace.emit((now, tk.NOTIFICATION_MATCHED, b.name, base))
                submit_job(
                    sim,
                    n.target,
                    event,
                    "s3",
                    origin,
                    {"request_id": req.request_id},
                    execution_id=eid,
                )
            else:
                base["event_id"] = sim.invoke_async(n.target, event, "s3", origin)
                sim.trace.emit((now, tk.NOTIFICATION_MATCHED, b.name, base))
        if b.event_bus:
            self._to_event_bus(b, req)

    def _record(
        self, b: BucketSim, req: _Request, configuration_id: str, encoded: str
    ) -> dict[str, Any]:
        """One S3 event record, keys in AWS's order."""
        obj = req.obj
        s3_object: dict[str, Any] = {"key": encoded}
        if req.event_name.startswith("ObjectCreated"):
            s3_object["size"] = obj.size
            s3_object["eTag"] = obj.etag
        if obj.version_id is not None:
            s3_object["versionId"] = obj.version_id
        s3_object["sequencer"] = obj.sequencer
        return {
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": self.sim.region,
            "eventTime": iso_ms(req.time),
            "eventName": req.event_name,
            "userIdentity": {"principalId": REQUESTER_PRINCIPAL},
            "requestParameters": {"sourceIPAddress": SOURCE_IP},
            "responseElements": {"x-amz-request-id": req.request_id, "x-amz-id-2": req.host_id},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": configuration_id,
                "bucket": {
                    "name": b.aws_name,
                    "ownerIdentity": {"principalId": OWNER_PRINCIPAL},
                    "arn": b.arn,
                },
                "object": s3_object,
            },
        }

    def _to_event_bus(self, b: BucketSim, req: _Request) -> None:
        """The bucket-level EventBridge switch: every event goes to the default bus."""
        from stptui.config.model import DEFAULT_BUS
        from stptui.sim.engine import SimError

        sim = self.sim
        obj = req.obj
        created = req.event_name.startswith("ObjectCreated")
        detail_object: dict[str, Any] = {"key": obj.key}
        if created:
            detail_object["size"] = obj.size
            detail_object["etag"] = obj.etag
        elif obj.delete_marker:
            detail_object["etag"] = obj.etag  # AWS's example shows the empty object's MD5
        if obj.version_id is not None:
            detail_object["version-id"] = obj.version_id
        detail_object["sequencer"] = obj.sequencer
        detail: dict[str, Any] = {
            "version": "0",
            "bucket": {"name": b.aws_name},
            "object": detail_object,
            "request-id": req.request_id,
            "requester": sim.account_id,
            "source-ip-address": SOURCE_IP,
            "reason": req.reason,
        }
        if not created:
            detail["deletion-type"] = (
                "Delete Marker Created" if obj.delete_marker else "Permanently Deleted"
            )
        entry = {
            "Source": "aws.s3",
            "DetailType": "Object Created" if created else "Object Deleted",
            "Detail": detail,
            "Resources": [b.arn],
        }
        base = {
            "key": obj.key,
            "event": req.event_name,
            "target": DEFAULT_BUS,
            "configuration": "EventBridgeConfiguration",
        }
        try:
            event_id = sim.services["buses"].publish_event(
                DEFAULT_BUS, entry, origin=f"{b.name}/{obj.key}"
            )
        except SimError as exc:
            sim.trace.emit(
                (sim.clock.now, tk.NOTIFICATION_SKIPPED, b.name, {**base, "reason": str(exc)})
            )
            return
        matched = {**base, "request_id": req.request_id, "event_id": event_id}
        sim.trace.emit((sim.clock.now, tk.NOTIFICATION_MATCHED, b.name, matched))

    # -- hooks for behaviours and Lambda destinations ------------------------------------

    def on_emission(self, emission: Emission, source: str) -> None:
        """A handler's `put` emission: PutObject with the content (SimError when refused)."""
        f = emission.fields
        content = f["content"].encode("utf-8", "surrogatepass")
        self.put_object(emission.target, f["key"], content=content, source=source)

    def on_destination(
        self, function: str, which: str, target: str, record: dict[str, Any]
    ) -> None:
        """A Lambda on-failure destination that is a bucket: the record becomes an object
        under `aws/lambda/async/{function}/YYYY/MM/DD/`. (Stacktape's config refuses bucket
        destinations, e36; AWS allows them for onFailure only.)"""
        from stptui.sim.engine import SimError

        if which != "onFailure":
            raise SimError(f"a bucket can only be an onFailure destination, not {which}")
        sim = self.sim
        when = iso_ms(sim.clock.now)
        day = when[:10].replace("-", "/")
        stamp = when[:19].replace(":", ".")
        key = f"aws/lambda/async/{function}/{day}/{stamp}-{sim.new_id()}"
        body = json.dumps(record, separators=(",", ":")).encode()
        self.put_object(target, key, content=body, source=f"{function}:{which}")

    # -- helpers -------------------------------------------------------------------------

    def _sequencer(self) -> str:
        """An 18-digit hex sequencer that grows with every event (time, then a counter)."""
        self._sequence += 1
        return f"{self.sim.clock.now:012X}{self._sequence:06X}"

    def _version_id(self) -> str:
        """A 32-character version id in S3's alphabet, from the simulation's id stream."""
        digest = hashlib.sha256(self.sim.new_id().encode()).digest()
        return "".join(_VERSION_ALPHABET[b & 63] for b in digest)


def _check_key(key: str) -> None:
    from stptui.sim.engine import SimError

    size = len(key.encode("utf-8", "surrogatepass"))
    if size == 0:
        raise SimError("an object key cannot be empty")
    if size > MAX_KEY_BYTES:
        raise SimError(f"KeyTooLongError: the key is {size:,} bytes; S3 allows {MAX_KEY_BYTES:,}")


def wire(sim: Simulator) -> None:
    """Build the buckets and their notifications; serve `put` emissions and bucket
    destinations."""
    service = BucketService(sim)
    sim.services["buckets"] = service
    sim.emission_handlers["put"] = service.on_emission
    sim.destination_handlers["bucket"] = service.on_destination
