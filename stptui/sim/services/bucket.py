"""S3 buckets: objects, PutObject / DeleteObject, and event notifications.

Rules (reference aws-semantics §5; stacktape-config §2.6, §3.2):

* Each `s3` trigger of a function or batch job is one notification configuration: one event
  type (`s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, ...; `:*` covers its family) and an
  optional key filter of one prefix and one suffix. Both must hold; the comparison is a
  plain, case-sensitive startswith/endswith on the URL-encoded key (no wildcards).
* The event is `{"Records": [one record]}` with `eventVersion` 2.5 (S3's one version for
  every event type since 2.4), `eventName` without the `s3:` prefix, the bucket's
  `awsGeneratedTags` (the three `aws:cloudformation:*` tags CloudFormation gives every
  Stacktape bucket), the key form-URL-encoded (space -> `+`, `@` -> `%40`, `/` kept), and for
  deletes no size or eTag. Functions are invoked asynchronously; a batch job's trigger
  function starts an execution.
* A delete without a version id on a versioned bucket creates a delete marker and is
  `ObjectRemoved:DeleteMarkerCreated`; otherwise it is `ObjectRemoved:Delete`.
* `enableEventBusNotifications` sends every event to the default EventBridge bus as
  `Object Created` / `Object Deleted` from `aws.s3` (the key there is not URL-encoded, as
  in AWS's examples), `event-version` 1.1, the same tags as `bucket.aws-generated-tags`.

A delete of a key with no current object succeeds as S3's does (204): a versioned bucket
gets a delete marker, an unversioned one loses nothing (the record says so in its `reason`).

Simulation choices: that unversioned delete still sends `ObjectRemoved:Delete`, as observed
of S3 (docs/fidelity.md gives the sources); an object made with `size` only has a stand-in
ETag that is stable per size; sequencers are 18 hex digits, the virtual time then a
counter, so they grow with every event. The payload's `configurationId` is the SHA-1 Id
Stacktape gives the configuration (see `stacktape_configuration_id`); the trace and the
commands name a configuration `{workload}-s3-{index}`.

Every upload and delete records which notifications matched (`notification.matched`) and,
for the others, exactly why not (`notification.skipped` with the reason).

Lifecycle rules (stptui.sim.s3_lifecycle says when each acts): every version, and every
incomplete multipart upload, has at most one scheduler entry, its next lifecycle action,
re-planned whenever the version changes (overwritten, deleted, moved). An action records
`lifecycle.expired`, `lifecycle.transitioned` or `lifecycle.aborted` with the rule and how its
day was counted, then goes through the notifications as S3's `LifecycleExpiration:*` or
`LifecycleTransition` event: no `s3` trigger can name those, EventBridge receives them.

RestoreObject (stptui.sim.s3_restore says how long, and what S3 refuses): an archived
version's restore is one scheduler entry, its completion, then its restored copy's expiry;
each step records `restore.*` and sends `ObjectRestore:Post`, `:Completed` or `:Delete`
(EventBridge: `Object Restore Initiated`, `Completed`, `Expired`). A version that leaves the
bucket takes its restore with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from stptui.config.aws_names import lambda_name
from stptui.config.model import S3Trigger
from stptui.config.normalize_names import pascal_case
from stptui.sim import s3_restore
from stptui.sim import trace as tk
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.s3_lifecycle import (
    ARCHIVED,
    DAY_MS,
    DEFAULT_CLASS,
    EXPIRE,
    EXPIRE_NONCURRENT,
    TRANSITION,
    Due,
    abort_action,
    due_at,
    held_by_size,
    next_action,
    rule_words,
    transition_block,
)
from stptui.textsafe import double_quoted, quote_word, typed_names

if TYPE_CHECKING:
    from stptui.config.model import LifecycleRule
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
LIFECYCLE_REQUESTER = "s3.amazonaws.com"
# The version of every record (S3 guide, "Event message structure": one unified version for
# all event types since 2.4; 2.5 adds `s3.bucket.awsGeneratedTags`) and of EventBridge's
# detail (`event-version`, S3 guide, "EventBridge event message structure").
EVENT_VERSION = "2.5"
EVENTBRIDGE_EVENT_VERSION = "1.1"
# S3's tag limits (PutObject's x-amz-tagging): 10 tags, keys of 128 characters, values of 256.
MAX_OBJECT_TAGS = 10
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256

# Bytes S3 leaves as they are in an event's key: what Java's URLEncoder keeps, plus `/`.
_KEY_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-*_/")
_VERSION_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"


# The event an `s3` trigger of a family (`s3:ObjectCreated:*`) is shown with: the one the
# commands make most (`upload`, `delete`).
_FAMILY_EXAMPLES = {
    "ObjectCreated": "ObjectCreated:Put",
    "ObjectRemoved": "ObjectRemoved:Delete",
}


def example_event_name(event_types: list[str]) -> str | None:
    """The event name (`ObjectCreated:Put`) an example of a notification of `event_types`
    stands for: its first type's, a family's commonest; None when none is one."""
    for written in event_types:
        name = written.removeprefix("s3:")
        family, _, which = name.rpartition(":")
        if which != "*":
            return name
        if family in _FAMILY_EXAMPLES:
            return _FAMILY_EXAMPLES[family]
    return None


def version_id_of(uuid: str) -> str:
    """A 32-character version id in S3's alphabet made of an id of the simulation."""
    digest = hashlib.sha256(uuid.encode()).digest()
    return "".join(_VERSION_ALPHABET[b & 63] for b in digest)


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
    return double_quoted(text)


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
    storage_class: str = DEFAULT_CLASS
    tags: dict[str, str] = field(default_factory=dict)
    # The next lifecycle action on this version and its scheduler entry (None: no rule acts).
    lifecycle: _Pending | None = None
    # The Content-Type the upload gave (Step Functions' s3:putObject), else None.
    content_type: str | None = None
    # An archived version's restore: running, or its restored copy (None: not restored).
    restore: _Restore | None = None

    @property
    def readable(self) -> bool:
        """Whether GetObject serves it: not archived, or archived with a restored copy."""
        return self.storage_class not in ARCHIVED or (
            self.restore is not None and self.restore.expiry is not None
        )


@dataclass(slots=True)
class MultipartUpload:
    """A multipart upload that was started and not completed (CreateMultipartUpload)."""

    upload_id: str
    key: str
    initiated: int
    lifecycle: _Pending | None = None


class _Pending:
    """A lifecycle action waiting on the scheduler: the bucket, what it acts on, the action."""

    __slots__ = ("bucket", "due", "entry", "target")

    def __init__(self, bucket: BucketSim, target: S3Object | MultipartUpload, due: Due) -> None:
        self.bucket = bucket
        self.target = target
        self.due = due
        self.entry: list[Any] | None = None

    def describe(self) -> str:
        """`expire "logs/a.txt" (lifecycleRules[0])`: the agenda's words."""
        target = self.target
        version = target.version_id if isinstance(target, S3Object) else None
        what = self.due.words(target.key, self.bucket.versioning, version)
        return f"{what} ({self.due.rule.name})"


class _Restore:
    """A restore of one archived version: running until `done`, then a restored copy until
    `expiry` (None while running); `entry` is the scheduler entry of the next of these."""

    __slots__ = ("bucket", "days", "done", "entry", "expiry", "obj", "tier")

    def __init__(self, bucket: BucketSim, obj: S3Object, tier: str, days: int, done: int) -> None:
        self.bucket = bucket
        self.obj = obj
        self.tier = tier
        self.days = days
        self.done = done
        self.expiry: int | None = None
        self.entry: list[Any] | None = None

    def state(self) -> str:
        """`restoring (Standard) until 2026-01-06T13:00:00.000Z`, or `restored until ...`:
        the restore in a table cell."""
        if self.expiry is None:
            return f"restoring ({self.tier}) until {iso_ms(self.done)}"
        return f"restored until {iso_ms(self.expiry)}"

    def data(self) -> dict[str, Any]:
        """The restore as `show bucket`'s data gives it (with S3's x-amz-restore header)."""
        out: dict[str, Any] = {"ongoing": self.expiry is None, "tier": self.tier, "days": self.days}
        if self.expiry is None:
            out["completes_at"] = iso_ms(self.done)
        else:
            out["expiry"] = iso_ms(self.expiry)
        out["header"] = s3_restore.restore_header(self.expiry)
        return out

    def describe(self) -> str:
        """`"a.csv" restored (Standard from GLACIER)`: the agenda's words."""
        obj = self.obj
        shown = double_quoted(obj.key)
        if obj.version_id is not None and self.bucket.objects.get(obj.key) is not obj:
            shown = f"version {obj.version_id} of {shown}"
        if self.expiry is None:
            return f"{shown} restored ({self.tier} from {obj.storage_class})"
        return f"the restored copy of {shown} expires"


def stack_id(stack_name: str, region: str, account_id: str) -> str:
    """A stand-in for the ARN CloudFormation gives stack `stack_name`: `stack/NAME/UUID`, the
    UUID made from the stack's name alone, so that the same stack has the same id on every run
    and no other id the simulation draws changes."""
    digits = hashlib.sha256(f"cloudformation-stack/{stack_name}".encode()).hexdigest()
    uuid = f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:32]}"
    return f"arn:aws:cloudformation:{region}:{account_id}:stack/{stack_name}/{uuid}"


def bucket_logical_id(name: str) -> str:
    """Stacktape's logical id of bucket `name`: `cfLogicalNames.bucket` is
    `pascalCase(`${name}-bucket`)` (`userUploads` -> `UserUploadsBucket`, `rawCSV` ->
    `RawCsvBucket`)."""
    return pascal_case(f"{name}-bucket")


def aws_generated_tags(
    stack_name: str, region: str, account_id: str, bucket: str
) -> dict[str, str]:
    """The `aws:` tags CloudFormation puts on Stacktape's bucket `bucket`, in the order S3's
    events list them: the stack's id, the bucket's logical id and the stack's name."""
    return {
        "aws:cloudformation:stack-id": stack_id(stack_name, region, account_id),
        "aws:cloudformation:logical-id": bucket_logical_id(bucket),
        "aws:cloudformation:stack-name": stack_name,
    }


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

    def __init__(
        self,
        name: str,
        aws_name: str,
        versioning: bool,
        event_bus: bool,
        rules: list[LifecycleRule] | None = None,
        start_ms: int = 0,
        *,
        tags: dict[str, str],
    ) -> None:
        self.name = name
        self.aws_name = aws_name
        self.arn = f"arn:aws:s3:::{aws_name}"
        # The bucket's `aws:` tags, which S3's events carry (`awsGeneratedTags`).
        self.aws_tags = tags
        self.versioning = versioning
        self.event_bus = event_bus
        self.rules: list[LifecycleRule] = rules or []
        self.notifications: list[Notification] = []
        self.objects: dict[str, S3Object] = {}
        # Versioned buckets: every version of each key, oldest first (delete markers too).
        self.versions: dict[str, list[S3Object]] = {}
        # Multipart uploads begun and not completed, by upload id.
        self.uploads: dict[str, MultipartUpload] = {}
        # S3's daily storage metrics: (midnight, NumberOfObjects, BucketSizeBytes of
        # StandardStorage) of each midnight passed, as the bucket stood just before it. The
        # contents depend on everything since the bucket was made, which the trace's ring
        # may have dropped, so they are written down here (once a day at most, by the
        # first change after a midnight) rather than replayed.
        self.daily: list[tuple[int, int, int]] = []
        # The last midnight measured (the one before the bucket was made, at first).
        self.measured_to = (start_ms - 1) // DAY_MS * DAY_MS

    def storage(self) -> tuple[int, int]:
        """(NumberOfObjects, BucketSizeBytes of StandardStorage) now: every version S3
        keeps (current and noncurrent, delete markers included) and the STANDARD ones'
        bytes. An incomplete multipart upload adds its parts, which are not modelled: none."""
        kept = (
            [v for versions in self.versions.values() for v in versions]
            if self.versioning
            else self.objects.values()
        )
        count = standard = 0
        for obj in kept:
            count += 1
            if obj.storage_class == DEFAULT_CLASS:
                standard += obj.size
        return count, standard

    def measure(self, now: int) -> None:
        """Write down the storage at each midnight up to `now` not yet measured: called
        before a change at `now`, so that a midnight's figures are the bucket's before what
        happens at that instant."""
        midnight = self.measured_to + DAY_MS
        if midnight > now:
            return
        count, standard = self.storage()
        while midnight <= now:
            self.daily.append((midnight, count, standard))
            midnight += DAY_MS
        self.measured_to = midnight - DAY_MS

    def datapoints(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """The daily storage datapoints of the midnights in [start, end] (`end` not after
        now): those written down, then the contents now for the midnights since."""
        out = [d for d in self.daily if start <= d[0] <= end]
        midnight = max(self.measured_to + DAY_MS, -(-start // DAY_MS) * DAY_MS)
        if midnight <= end:
            count, standard = self.storage()
            out += [(m, count, standard) for m in range(midnight, end + 1, DAY_MS)]
        return out

    def noncurrent_since(self, obj: S3Object) -> int | None:
        """When a version became noncurrent (its successor's creation); None if current."""
        versions = self.versions.get(obj.key, ())
        for older, newer in pairwise(versions):
            if older is obj:
                return newer.last_modified
        return None

    def held_by_size(self, obj: S3Object) -> list[LifecycleRule]:
        """The transition rules that select `obj` and would move it but for S3's 128 KB
        minimum (`show bucket` and a refused restore say so)."""
        return held_by_size(
            self.rules,
            obj.key,
            tags=obj.tags,
            size=obj.size,
            storage_class=obj.storage_class,
            noncurrent=self.objects.get(obj.key) is not obj,
        )

    @property
    def total_bytes(self) -> int:
        """The size of the current versions."""
        return sum(o.size for o in self.objects.values())


class _Request:
    """One S3 request that changed an object: what every notification of it shares."""

    __slots__ = ("event_name", "expiry", "host_id", "obj", "reason", "request_id", "time")

    def __init__(
        self, sim: Simulator, event_name: str, reason: str, obj: S3Object, uuid: str = ""
    ) -> None:
        self.event_name = event_name
        self.reason = reason
        self.obj = obj
        self.time = sim.clock.now
        # A completed restore's copy expires then (the event's restore data).
        self.expiry: int | None = None
        # An example's request is made of the id it is given, not of the id stream.
        rid = (uuid or sim.new_id()).replace("-", "").upper()
        self.request_id = rid[:16]
        self.host_id = base64.b64encode(hashlib.sha384(rid.encode()).digest()).decode()


class BucketService:
    """Every bucket of the stack; PutObject and DeleteObject with their notifications."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.buckets: dict[str, BucketSim] = {}
        self._sequence = 0
        # The S3 request id of the latest put, delete or restore request that changed an
        # object (None after a restore that only upgraded or extended one): what a state
        # machine's S3 integration delivered, so that `explain` goes from its task to this
        # request's records and not to every request on the same key.
        self.last_request_id: str | None = None
        for b in sim.stack.buckets:
            self.buckets[b.name] = BucketSim(
                b.name,
                sim.resource_param(b.name, "name"),
                b.versioning,
                b.event_bus_notifications,
                b.lifecycle_rules,
                sim.start_ms,
                tags=aws_generated_tags(sim.stack.stack_name, sim.region, sim.account_id, b.name),
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
        name = lambda_name(sim.stack.stack_name, workload)
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
            f"buckets in this stack: {typed_names(sorted(self.buckets))}"
            if self.buckets
            else "this stack has no buckets"
        )
        if other is not None:
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not a bucket", choices, word=name
            )
        bucket = name.removeprefix("s3://").partition("/")[0]
        if name.startswith("s3://") and bucket in self.buckets:
            # The AWS CLI's way to name a bucket (`show bucket s3://uploads`).
            raise SimError(
                f"no bucket named {name!r}", f"name it as the stack does: {bucket}", word=name
            )
        guess = did_you_mean(name, self.buckets)
        raise SimError(
            f"no bucket named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else choices,
            word=name,
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
        tags: dict[str, str] | None = None,
    ) -> S3Object:
        """Create (or overwrite) an object and send its notifications.

        `content` gives the size and a real MD5 ETag; without it a `size` above 0 gets a
        deterministic stand-in ETag (no size: an empty object). `operation` is put, post,
        copy or multipart; `tags` are the object's tags (what lifecycle rules filter on).
        Raises SimError, changing nothing, on a bad bucket, key, size, operation or tag."""
        from stptui.sim.engine import SimError

        b = self.bucket(bucket)
        _check_key(key)
        _check_tags(tags or {})
        if operation not in CREATE_OPERATIONS:
            raise SimError(
                f"unknown upload operation {operation!r}",
                f"one of {', '.join(CREATE_OPERATIONS)}",
                word=operation,
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
            tags=dict(tags or {}),
        )
        previous = b.objects.get(key)
        b.measure(sim.clock.now)
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
        if obj.tags:
            data["tags"] = dict(obj.tags)
        sim.trace.emit((sim.clock.now, tk.OBJECT_CREATED, b.name, data))
        # The version it replaces becomes noncurrent (versioned) or is gone.
        if previous is not None:
            self._plan(b, previous)
        self._plan(b, obj)
        self._notify(b, req)
        self.last_request_id = req.request_id
        return obj

    def create_multipart_upload(
        self, bucket: str, key: str, *, source: str = "command"
    ) -> MultipartUpload:
        """CreateMultipartUpload without completing it: an incomplete upload, which only an
        `abort-incomplete-multipart-upload` rule removes. S3 sends no event for it."""
        b = self.bucket(bucket)
        _check_key(key)
        sim = self.sim
        upload = MultipartUpload(_upload_id(sim.new_id()), key, sim.clock.now)
        b.measure(sim.clock.now)
        b.uploads[upload.upload_id] = upload
        data = {"bucket": b.name, "key": key, "upload_id": upload.upload_id, "source": source}
        sim.trace.emit((sim.clock.now, tk.MULTIPART_INITIATED, b.name, data))
        self._plan(b, upload)
        return upload

    def delete_object(
        self,
        bucket: str,
        key: str,
        *,
        version_id: str | None = None,
        source: str = "command",
    ) -> S3Object | None:
        """DeleteObject; returns the object that was current (None when the key had none),
        or with `version_id` the version deleted.

        Without a version id, on a versioned bucket this adds a delete marker
        (ObjectRemoved:DeleteMarkerCreated), otherwise it removes the object
        (ObjectRemoved:Delete). A key with no current object is no error: S3 answers 204 all
        the same, adds its delete marker on a versioned bucket, and (our reading of observed
        behaviour, docs/fidelity.md) sends the event on an unversioned one though it removed
        nothing. With a version id, that version (or delete marker) is deleted for good
        (ObjectRemoved:Delete; see `_delete_version`). Raises SimError, changing nothing, on
        a bad bucket, key or version id."""
        b = self.bucket(bucket)
        _check_key(key)
        if version_id is not None:
            return self._delete_version(b, key, version_id, source)
        sim = self.sim
        b.measure(sim.clock.now)
        old = b.objects.pop(key, None)
        if b.versioning:
            marker = S3Object(
                key, 0, EMPTY_ETAG, self._sequencer(), sim.clock.now, self._version_id(), True
            )
            b.versions.setdefault(key, []).append(marker)
            event_name, removed = "ObjectRemoved:DeleteMarkerCreated", marker
        else:
            removed = S3Object(key, 0, "", self._sequencer(), sim.clock.now)
            event_name = "ObjectRemoved:Delete"
        req = _Request(sim, event_name, "DeleteObject", removed)
        data: dict[str, Any] = {"bucket": b.name, "key": key}
        if old is not None:
            data["size"] = old.size
            data["etag"] = old.etag
        data.update(
            sequencer=removed.sequencer,
            event=event_name,
            request_id=req.request_id,
            source=source,
        )
        if removed.version_id is not None:
            data["version_id"] = removed.version_id
        if old is None:
            data["reason"] = self._missing_delete_reason(b, key)
        sim.trace.emit((sim.clock.now, tk.OBJECT_DELETED, b.name, data))
        if old is not None:
            self._plan(b, old)
        self._notify(b, req)
        self.last_request_id = req.request_id
        return old

    def _delete_version(self, b: BucketSim, key: str, version_id: str, source: str) -> S3Object:
        """DeleteObject with a version id: "To delete a specific version, you must be the
        bucket owner and you must use the version Id subresource. Using this subresource
        permanently deletes the version" (DeleteObject API reference). The event is
        `ObjectRemoved:Delete`, "a versioned object is permanently deleted" (S3 User Guide,
        event types). Deleting the current version makes the one before it current again;
        deleting a current delete marker brings the object back."""
        from stptui.sim.engine import SimError

        if not b.versioning:
            # S3's answer to a version id a bucket without versioning cannot have.
            raise SimError(
                "InvalidArgument: Invalid version id specified",
                f"bucket {b.name} has no versioning: leave out the version id",
            )
        versions = b.versions.get(key, [])
        found = next((v for v in versions if v.version_id == version_id), None)
        if found is None:
            raise SimError(
                f"NoSuchVersion: no version {version_id!r} of {_quote(key)} in bucket {b.name}",
                f"`show bucket {quote_word(b.name)}` lists the versions",
                word=version_id,
            )
        sim = self.sim
        now = sim.clock.now
        b.measure(now)
        was_current = versions[-1] is found
        versions.remove(found)
        if not versions:
            del b.versions[key]
        if was_current:
            b.objects.pop(key, None)
            if versions and not versions[-1].delete_marker:
                b.objects[key] = versions[-1]
        # The event names the version removed; no size or ETag, as any permanent delete.
        removed = S3Object(key, 0, "", self._sequencer(), now, version_id)
        req = _Request(sim, "ObjectRemoved:Delete", "DeleteObject", removed)
        data: dict[str, Any] = {"bucket": b.name, "key": key}
        if not found.delete_marker:
            data["size"] = found.size
            data["etag"] = found.etag
        data.update(
            sequencer=removed.sequencer,
            event=req.event_name,
            request_id=req.request_id,
            source=source,
            version_id=version_id,
            reason=self._version_delete_reason(b, key, found, was_current),
        )
        sim.trace.emit((now, tk.OBJECT_DELETED, b.name, data))
        # The version leaves (its lifecycle entry and restore with it); the others' days
        # may count from another successor now, or from nothing (current again).
        self._plan(b, found)
        for version in b.versions.get(key, ()):
            self._plan(b, version)
        self._notify(b, req)
        self.last_request_id = req.request_id
        return found

    @staticmethod
    def _version_delete_reason(b: BucketSim, key: str, found: S3Object, was_current: bool) -> str:
        """What a delete of one version did (the record's `reason`)."""
        what = "delete marker" if found.delete_marker else "version"
        text = f"{what} {found.version_id} of {_quote(key)} deleted for good"
        if not was_current:
            return f"{text}; the current version is unchanged"
        current = b.objects.get(key)
        if current is not None:
            return f"{text}; version {current.version_id} is current again"
        if key in b.versions:
            return f"{text}; the delete marker before it is current now"
        return f"{text}; the key has no versions left"

    @staticmethod
    def _missing_delete_reason(b: BucketSim, key: str) -> str:
        """What a delete of a key with no current object did (the record's `reason`)."""
        what = f"no object {_quote(key)} in bucket {b.name}"
        if b.versioning:
            versions = b.versions.get(key, ())
            if len(versions) > 1 and versions[-2].delete_marker:
                what = f"{_quote(key)} was already deleted (its current version a delete marker)"
            return f"{what}: S3 answers 204 and adds a delete marker all the same"
        return f"{what}: S3 removes nothing, answers 204 and sends the event all the same"

    # -- RestoreObject -------------------------------------------------------------------

    def check_restore(
        self,
        bucket: str,
        key: str,
        *,
        days: int,
        tier: str = s3_restore.DEFAULT_TIER,
        version_id: str | None = None,
    ) -> S3Object:
        """The version a RestoreObject of these arguments would act on, or SimError as S3
        refuses it (what `restore_object` raises); changes nothing. Dialogs ask it while
        the request is typed."""
        from stptui.sim.engine import SimError

        b = self.bucket(bucket)
        _check_key(key)
        obj = self._version_of(b, key, version_id)
        problem = s3_restore.request_problem(obj.storage_class, tier, days)
        if problem is not None:
            code, message = problem
            hint = (
                self._not_archived_hint(b, obj)
                if code == "InvalidObjectState"
                else "e.g. --days 3 --tier Standard (Expedited only from GLACIER)"
            )
            raise SimError(f"{code}: {message}", hint)
        current = obj.restore
        if current is not None and current.expiry is None:
            if s3_restore.faster(tier, current.tier) and days == current.days:
                return obj  # a restore speed upgrade
            raise SimError(
                "RestoreAlreadyInProgress: Object restore is already in progress",
                f"it completes at {iso_ms(current.done)}; a faster tier with the same days "
                "upgrades it (409 Conflict otherwise)",
            )
        # A restored copy's days count from now; a new restore's from its completion.
        done = self.sim.clock.now
        if current is None:
            done += s3_restore.retrieval_ms(obj.storage_class, tier)
        if s3_restore.expiry_at(done, days) > MAX_MS:
            raise SimError(
                f"InvalidArgument: {days:,} days of restored copy outlast the simulated calendar",
                "give fewer days",
            )
        return obj

    @staticmethod
    def _not_archived_hint(b: BucketSim, obj: S3Object) -> str:
        """What a refused restore of a version that is not archived says: why it is not,
        when a rule would have archived it but for its size."""
        held = b.held_by_size(obj)
        rule = next((r for r in held if r.storage_class in ARCHIVED), None)
        if rule is not None and rule.storage_class is not None:
            why = transition_block(obj.size, obj.storage_class, rule.storage_class)
            return (
                f"{obj.key!r} is {obj.storage_class}, not moved to {rule.storage_class} by "
                f"{rule.name}: {why}; it can be read as it is"
            )
        return (
            f"{obj.key!r} is {obj.storage_class}: only GLACIER and DEEP_ARCHIVE objects "
            "are restored, the others can be read as they are"
        )

    def restore_object(
        self,
        bucket: str,
        key: str,
        *,
        days: int,
        tier: str = s3_restore.DEFAULT_TIER,
        version_id: str | None = None,
        source: str = "command",
    ) -> tuple[int, S3Object]:
        """RestoreObject of an archived version; returns S3's status and the version.

        202: a restore starts (or a running one is upgraded to a faster tier); 200: the
        restored copy's days are counted again from now. Raises SimError, changing
        nothing, as S3 refuses: no such key or version, a class that is not archived, bad
        Days or Tier, RestoreAlreadyInProgress while the retrieval runs (`check_restore`)."""
        obj = self.check_restore(bucket, key, days=days, tier=tier, version_id=version_id)
        b = self.bucket(bucket)
        sim = self.sim
        now = sim.clock.now
        current = obj.restore
        self.last_request_id = None
        if current is not None and current.expiry is None:
            self._upgrade(b, current, tier, source)
            return 202, obj
        if current is not None:
            self._extend(b, current, days, source)
            return 200, obj
        done = now + s3_restore.retrieval_ms(obj.storage_class, tier)
        restore = _Restore(b, obj, tier, days, done)
        obj.restore = restore
        req = _Request(sim, s3_restore.POST, "RestoreObject", obj)
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": obj.key,
            "storage_class": obj.storage_class,
            "tier": tier,
            "days": days,
            "completes_at": iso_ms(done),
            "status": 202,
            "request_id": req.request_id,
            "source": source,
        }
        if obj.version_id is not None:
            data["version_id"] = obj.version_id
        sim.trace.emit((now, tk.RESTORE_INITIATED, b.name, data))
        self._schedule_restore(restore, done, background=False)
        self._notify(b, req)
        self.last_request_id = req.request_id
        return 202, obj

    def _version_of(self, b: BucketSim, key: str, version_id: str | None) -> S3Object:
        """The version a request names: the current one, or `version_id` (SimError as S3)."""
        from stptui.sim.engine import SimError

        if version_id is None:
            obj = b.objects.get(key)
            if obj is None:
                raise SimError(
                    f"NoSuchKey: no object {_quote(key)} in bucket {b.name}",
                    f"`show bucket {quote_word(b.name)}` lists its keys",
                )
            return obj
        if not b.versioning:
            raise SimError(
                f"NoSuchVersion: bucket {b.name} has no versioning, so no version {version_id!r}",
                "leave out --version-id",
                word=version_id,
            )
        found = next((v for v in b.versions.get(key, ()) if v.version_id == version_id), None)
        if found is None:
            raise SimError(
                f"NoSuchVersion: no version {version_id!r} of {_quote(key)} in bucket {b.name}",
                f"`show bucket {quote_word(b.name)}` lists the versions",
                word=version_id,
            )
        if found.delete_marker:
            raise SimError(
                f"MethodNotAllowed: version {version_id!r} of {_quote(key)} is a delete marker",
                "name a version that holds the object",
                word=version_id,
            )
        return found

    def _schedule_restore(self, restore: _Restore, at: int, *, background: bool) -> None:
        """(Re)arm the restore's one scheduler entry: its completion, or its expiry."""
        clock = self.sim.clock
        if restore.entry is not None:
            clock.cancel(restore.entry)
        # The completion is the outcome of a request (`run` waits for it); the expiry is
        # housekeeping days away, like lifecycle (`advance` and `until` reach it).
        restore.entry = clock.at(
            at,
            self._restore_step,
            restore,
            ("restore", restore.bucket.name, _Restore.describe),
            background=background,
        )

    def _upgrade(self, b: BucketSim, restore: _Restore, tier: str, source: str) -> None:
        """A faster tier for a running restore: it completes when the faster retrieval
        would, unless the one running finishes first."""
        sim = self.sim
        obj = restore.obj
        done = min(restore.done, sim.clock.now + s3_restore.retrieval_ms(obj.storage_class, tier))
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": obj.key,
            "from_tier": restore.tier,
            "tier": tier,
            "completes_at": iso_ms(done),
            "source": source,
        }
        if obj.version_id is not None:
            data["version_id"] = obj.version_id
        restore.tier = tier
        if done != restore.done:
            restore.done = done
            self._schedule_restore(restore, done, background=False)
        sim.trace.emit((sim.clock.now, tk.RESTORE_UPGRADED, b.name, data))

    def _extend(self, b: BucketSim, restore: _Restore, days: int, source: str) -> None:
        """RestoreObject of a restored copy: its days count again from now (200 OK)."""
        sim = self.sim
        now = sim.clock.now
        obj = restore.obj
        previous = restore.expiry
        restore.days = days
        restore.expiry = s3_restore.expiry_at(now, days)
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": obj.key,
            "days": days,
            "expiry": iso_ms(restore.expiry),
            "previous_expiry": iso_ms(previous or now),
            "status": 200,
            "source": source,
        }
        if obj.version_id is not None:
            data["version_id"] = obj.version_id
        sim.trace.emit((now, tk.RESTORE_EXTENDED, b.name, data))
        self._schedule_restore(restore, restore.expiry, background=True)

    def _restore_step(self, restore: _Restore) -> None:
        """A restore's instant has come: the retrieval completes, or the copy expires."""
        sim = self.sim
        now = sim.clock.now
        b, obj = restore.bucket, restore.obj
        restore.entry = None
        completed = restore.expiry is None
        if completed:
            restore.expiry = s3_restore.expiry_at(now, restore.days)
            event, kind = s3_restore.COMPLETED, tk.RESTORE_COMPLETED
        else:
            obj.restore = None
            event, kind = s3_restore.DELETE, tk.RESTORE_EXPIRED
        req = _Request(sim, event, "RestoreObject", obj)
        req.expiry = restore.expiry
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": obj.key,
            "storage_class": obj.storage_class,
        }
        if completed:
            data |= {"tier": restore.tier, "days": restore.days}
            data["expiry"] = iso_ms(restore.expiry)
        data["request_id"] = req.request_id
        if obj.version_id is not None:
            data["version_id"] = obj.version_id
        sim.trace.emit((now, kind, b.name, data))
        if completed:
            self._schedule_restore(restore, restore.expiry, background=True)
        self._notify(b, req)

    def _drop_restore(self, obj: S3Object) -> None:
        """A version left the bucket: its restore (running, or its copy) goes with it."""
        restore = obj.restore
        if restore is not None and restore.entry is not None:
            self.sim.clock.cancel(restore.entry)
        obj.restore = None

    # -- lifecycle -----------------------------------------------------------------------

    def _plan(self, b: BucketSim, target: S3Object | MultipartUpload) -> None:
        """(Re)schedule the next lifecycle action on a version or an incomplete upload,
        after anything about it changed; cancel it when none applies any more."""
        pending = target.lifecycle
        if pending is not None and pending.entry is not None:
            self.sim.clock.cancel(pending.entry)
        target.lifecycle = None
        if isinstance(target, S3Object) and target.restore and not self._kept(b, target):
            self._drop_restore(target)
        if not b.rules:
            return
        now = self.sim.clock.now
        if isinstance(target, MultipartUpload):
            due = (
                abort_action(b.rules, target.key, target.initiated)
                if target.upload_id in b.uploads
                else None
            )
        elif target.delete_marker or not self._kept(b, target):
            due = None
        else:
            due = next_action(
                b.rules,
                target.key,
                tags=target.tags,
                size=target.size,
                storage_class=target.storage_class,
                created=target.last_modified,
                noncurrent_since=b.noncurrent_since(target) if b.versioning else None,
                versioned=b.versioning,
                now=now,
            )
        if due is None:
            return
        pending = _Pending(b, target, due)
        # Background: lifecycle is recurring housekeeping, like a schedule; it does not keep
        # `run` going, and `advance`/`until` run it when its midnight comes.
        pending.entry = self.sim.clock.at(
            due.at,
            self._lifecycle_due,
            pending,
            ("lifecycle", b.name, _Pending.describe),
            background=True,
        )
        target.lifecycle = pending

    @staticmethod
    def _kept(b: BucketSim, obj: S3Object) -> bool:
        """Whether a version is still in the bucket (current, or a kept older version)."""
        if b.versioning:
            return any(v is obj for v in b.versions.get(obj.key, ()))
        return b.objects.get(obj.key) is obj

    def _lifecycle_due(self, pending: _Pending) -> None:
        """A lifecycle action's midnight has come: apply it."""
        b, target, due = pending.bucket, pending.target, pending.due
        target.lifecycle = None
        b.measure(self.sim.clock.now)
        if isinstance(target, MultipartUpload):
            self._abort(b, target, due)
        elif due.action == EXPIRE:
            self._expire_current(b, target, due)
        elif due.action == EXPIRE_NONCURRENT:
            self._expire_noncurrent(b, target, due)
        else:
            self._transition(b, target, due)

    @staticmethod
    def _why(due: Due, what: str) -> str:
        """The `reason` of a lifecycle record: the rule, and how its day was computed."""
        text = (
            f"{rule_words(due.rule)}: {what} {iso_ms(due.since)}, "
            f"+ {due.rule.days} day{'s' * (due.rule.days != 1)}, "
            "rounded to the next midnight UTC"
        )
        if due.at != due_at(due.since, due.rule.days):
            text += f" ({iso_ms(due_at(due.since, due.rule.days))}; another action took "
            text += "precedence then)"
        return text

    def _expire_current(self, b: BucketSim, obj: S3Object, due: Due) -> None:
        """Expiration of the current version: removed (unversioned), or a delete marker."""
        sim = self.sim
        now = sim.clock.now
        del b.objects[obj.key]
        if b.versioning:
            # S3 Lifecycle sets the delete marker's creation time to the midnight it runs at.
            marker = S3Object(
                obj.key, 0, EMPTY_ETAG, self._sequencer(), now, self._version_id(), True
            )
            b.versions[obj.key].append(marker)
            event_name, removed = "LifecycleExpiration:DeleteMarkerCreated", marker
        else:
            removed = S3Object(obj.key, 0, "", self._sequencer(), now)
            event_name = "LifecycleExpiration:Delete"
        self._lifecycle_removed(b, obj, removed, event_name, due, "uploaded")
        if b.versioning:
            self._plan(b, obj)  # now noncurrent

    def _expire_noncurrent(self, b: BucketSim, obj: S3Object, due: Due) -> None:
        """NoncurrentVersionExpiration: the version is permanently deleted."""
        versions = b.versions[obj.key]
        versions.remove(obj)
        if not versions:
            del b.versions[obj.key]
        removed = S3Object(obj.key, 0, "", self._sequencer(), self.sim.clock.now, obj.version_id)
        self._lifecycle_removed(
            b, obj, removed, "LifecycleExpiration:Delete", due, "became noncurrent"
        )

    def _lifecycle_removed(
        self, b: BucketSim, obj: S3Object, removed: S3Object, event: str, due: Due, what: str
    ) -> None:
        sim = self.sim
        if obj.restore is not None and not self._kept(b, obj):
            self._drop_restore(obj)
        req = _Request(sim, event, "Lifecycle Expiration", removed)
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": obj.key,
            "size": obj.size,
            "storage_class": obj.storage_class,
            "event": event,
            "rule": due.rule.name,
            "request_id": req.request_id,
        }
        if removed.version_id is not None:
            data["version_id"] = removed.version_id
        data["reason"] = self._why(due, what)
        sim.trace.emit((sim.clock.now, tk.LIFECYCLE_EXPIRED, b.name, data))
        self._notify(b, req)

    def _transition(self, b: BucketSim, obj: S3Object, due: Due) -> None:
        """A (noncurrent) version moves to the rule's storage class."""
        sim = self.sim
        before = obj.storage_class
        obj.storage_class = due.storage_class or before
        req = _Request(sim, "LifecycleTransition", "Lifecycle Transition", obj)
        data: dict[str, Any] = {
            "bucket": b.name,
            "key": obj.key,
            "from_class": before,
            "storage_class": obj.storage_class,
            "rule": due.rule.name,
            "request_id": req.request_id,
        }
        if obj.version_id is not None:
            data["version_id"] = obj.version_id
        noncurrent = due.action != TRANSITION
        data["reason"] = self._why(due, "became noncurrent" if noncurrent else "uploaded")
        sim.trace.emit((sim.clock.now, tk.LIFECYCLE_TRANSITIONED, b.name, data))
        self._plan(b, obj)
        self._notify(b, req)

    def _abort(self, b: BucketSim, upload: MultipartUpload, due: Due) -> None:
        """AbortIncompleteMultipartUpload: the upload and its parts are gone (no event)."""
        sim = self.sim
        del b.uploads[upload.upload_id]
        data = {
            "bucket": b.name,
            "key": upload.key,
            "upload_id": upload.upload_id,
            "rule": due.rule.name,
            "reason": self._why(due, "initiated"),
        }
        sim.trace.emit((sim.clock.now, tk.LIFECYCLE_ABORTED, b.name, data))

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
            # The S3 request id links the notification (and through its event or execution
            # id, what it triggered) back to the object record for `explain`; a skipped one
            # too, so that the chain of a request (or of the invocation that made the object)
            # says why a notification did not fire.
            base["request_id"] = req.request_id
            why = n.skip_reason(req.event_name, key, encoded)
            if why is not None:
                sim.trace.emit((now, tk.NOTIFICATION_SKIPPED, b.name, {**base, "reason": why}))
                continue
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
        event = req.event_name
        s3_object: dict[str, Any] = {"key": encoded}
        if event.startswith(("ObjectCreated", "ObjectRestore")):
            s3_object["size"] = obj.size
            s3_object["eTag"] = obj.etag
        elif obj.delete_marker:
            # Events captured from S3 give a delete marker the empty object's ETag and no
            # size (a permanent delete has neither), as EventBridge's `Object Deleted` does.
            s3_object["eTag"] = obj.etag
        if obj.version_id is not None:
            s3_object["versionId"] = obj.version_id
        s3_object["sequencer"] = obj.sequencer
        # A restore's completion and expiry are S3's own doing, not a request from an address
        # by a user: events captured from S3 name the bucket owner and S3 itself.
        by_s3 = event in (s3_restore.COMPLETED, s3_restore.DELETE)
        principal = f"AmazonCustomer:{OWNER_PRINCIPAL}" if by_s3 else REQUESTER_PRINCIPAL
        record: dict[str, Any] = {
            "eventVersion": EVENT_VERSION,
            "eventSource": "aws:s3",
            "awsRegion": self.sim.region,
            "eventTime": iso_ms(req.time),
            "eventName": event,
            "userIdentity": {"principalId": principal},
            "requestParameters": {"sourceIPAddress": LIFECYCLE_REQUESTER if by_s3 else SOURCE_IP},
            "responseElements": {"x-amz-request-id": req.request_id, "x-amz-id-2": req.host_id},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": configuration_id,
                "bucket": {
                    "name": b.aws_name,
                    "ownerIdentity": {"principalId": OWNER_PRINCIPAL},
                    "arn": b.arn,
                    "awsGeneratedTags": dict(b.aws_tags),
                },
                "object": s3_object,
            },
        }
        if event == s3_restore.COMPLETED and req.expiry is not None:
            record["glacierEventData"] = {
                "restoreEventData": {
                    "lifecycleRestorationExpiryTime": iso_ms(req.expiry),
                    "lifecycleRestoreStorageClass": obj.storage_class,
                }
            }
        return record

    def _to_event_bus(self, b: BucketSim, req: _Request) -> None:
        """The bucket-level EventBridge switch: every event goes to the default bus."""
        self._publish(b, req, *self._bus_detail(b, req))

    def _bus_detail(self, b: BucketSim, req: _Request) -> tuple[str, dict[str, Any]]:
        """The detail-type and detail of the event S3 puts on the default bus for `req`."""
        sim = self.sim
        obj = req.obj
        if req.event_name.startswith("ObjectRestore"):
            return s3_restore.DETAIL_TYPES[req.event_name], self._restore_detail(b, req)
        created = req.event_name.startswith("ObjectCreated")
        transition = req.event_name == "LifecycleTransition"
        lifecycle = req.event_name.startswith("Lifecycle")
        detail_object: dict[str, Any] = {"key": obj.key}
        if created or transition:
            detail_object["size"] = obj.size
            detail_object["etag"] = obj.etag
        elif obj.delete_marker:
            detail_object["etag"] = obj.etag  # AWS's example shows the empty object's MD5
        if obj.version_id is not None:
            detail_object["version-id"] = obj.version_id
        if not transition:
            detail_object["sequencer"] = obj.sequencer
        detail: dict[str, Any] = {
            "version": "0",
            "event-version": EVENTBRIDGE_EVENT_VERSION,
            "bucket": self._detail_bucket(b),
            "object": detail_object,
            "request-id": req.request_id,
            # Lifecycle acts as S3 itself, not from an address: the guide's lifecycle example
            # has this requester and no source-ip-address.
            "requester": LIFECYCLE_REQUESTER if lifecycle else sim.account_id,
        }
        if not lifecycle:
            detail["source-ip-address"] = SOURCE_IP
        if transition:
            detail["destination-storage-class"] = obj.storage_class
            detail_type = "Object Storage Class Changed"
        else:
            detail["reason"] = req.reason
            detail_type = "Object Created" if created else "Object Deleted"
        if not created and not transition:
            detail["deletion-type"] = (
                "Delete Marker Created" if obj.delete_marker else "Permanently Deleted"
            )
        return detail_type, detail

    @staticmethod
    def _detail_bucket(b: BucketSim) -> dict[str, Any]:
        """EventBridge's `bucket`: its name and its `aws:` tags, as `aws-generated-tags` (the
        guide: "Only present when AWS generated tags exist on the bucket", as they do on every
        bucket CloudFormation made)."""
        return {"name": b.aws_name, "aws-generated-tags": dict(b.aws_tags)}

    def _restore_detail(self, b: BucketSim, req: _Request) -> dict[str, Any]:
        """The detail of `Object Restore Initiated` / `Completed` / `Expired`."""
        obj = req.obj
        expired = req.event_name == s3_restore.DELETE
        detail_object: dict[str, Any] = {"key": obj.key}
        if not expired:
            detail_object["size"] = obj.size
        detail_object["etag"] = obj.etag
        if obj.version_id is not None:
            detail_object["version-id"] = obj.version_id
        detail: dict[str, Any] = {
            "version": "0",
            "event-version": EVENTBRIDGE_EVENT_VERSION,
            "bucket": self._detail_bucket(b),
            "object": detail_object,
            "request-id": req.request_id,
        }
        if req.event_name == s3_restore.POST:
            detail["requester"] = self.sim.account_id
            detail["source-ip-address"] = SOURCE_IP
        else:
            detail["requester"] = LIFECYCLE_REQUESTER
        if req.event_name == s3_restore.COMPLETED and req.expiry is not None:
            # Whole seconds, as the guide's example writes it.
            detail["restore-expiry-time"] = iso_ms(req.expiry)[:19] + "Z"
        if not expired:
            detail["source-storage-class"] = obj.storage_class
        return detail

    def _publish(self, b: BucketSim, req: _Request, detail_type: str, detail: Any) -> None:
        """Send one S3 event to the default bus and record whether it was taken."""
        from stptui.sim.engine import SimError

        sim = self.sim
        buses = sim.services["buses"]
        obj = req.obj
        entry = {
            "Source": "aws.s3",
            "DetailType": detail_type,
            "Detail": detail,
            "Resources": [b.arn],
        }
        base = {
            "key": obj.key,
            "event": req.event_name,
            "target": buses.default_key,
            "configuration": "EventBridgeConfiguration",
        }
        base["request_id"] = req.request_id
        try:
            event_id = buses.publish_event(buses.default_key, entry, origin=f"{b.name}/{obj.key}")
        except SimError as exc:
            sim.trace.emit(
                (sim.clock.now, tk.NOTIFICATION_SKIPPED, b.name, {**base, "reason": str(exc)})
            )
            return
        matched = {**base, "event_id": event_id}
        sim.trace.emit((sim.clock.now, tk.NOTIFICATION_MATCHED, b.name, matched))

    # -- hooks for behaviours and Lambda destinations ------------------------------------

    def on_emission(self, emission: Emission, source: str) -> dict[str, Any]:
        """A handler's `put` emission: PutObject with the content, or a multipart upload
        of it (SimError when refused); the answer (ETag, and VersionId in a versioned
        bucket)."""
        f = emission.fields
        content = f["content"].encode("utf-8", "surrogatepass")
        operation = "multipart" if f.get("multipart") else "put"
        obj = self.put_object(
            emission.target, f["key"], content=content, operation=operation, source=source
        )
        out = {"ETag": f'"{obj.etag}"'}
        if obj.version_id is not None:
            out["VersionId"] = obj.version_id
        return out

    def on_restore_emission(self, emission: Emission, source: str) -> None:
        """A handler's `restoreObject` emission: RestoreObject, as the `restore` command
        makes it (SimError, changing nothing, when S3 refuses it)."""
        f = emission.fields
        self.restore_object(
            emission.target,
            f["key"],
            days=f["days"],
            tier=f["tier"],
            version_id=f["versionId"],
            source=source,
        )

    def on_delete_emission(self, emission: Emission, source: str) -> dict[str, Any]:
        """A Python handler's `deleteObject`: DeleteObject, as the `delete` command makes
        it; its answer as boto3's (DeleteMarker and VersionId where S3 sends them)."""
        f = emission.fields
        version = f["versionId"]
        gone = self.delete_object(emission.target, f["key"], version_id=version, source=source)
        b = self.buckets[emission.target]
        if version is not None:
            # x-amz-delete-marker is sent only when the version deleted was a delete marker.
            out: dict[str, Any] = {"DeleteMarker": True} if gone and gone.delete_marker else {}
            return {**out, "VersionId": version}
        if not b.versioning:
            return {}
        return {"DeleteMarker": True, "VersionId": b.versions[f["key"]][-1].version_id}

    def on_copy_emission(self, emission: Emission, source: str) -> dict[str, Any]:
        """A Python handler's `copyObject`: CopyObject, a PutObject of the source's bytes
        whose event is ObjectCreated:Copy (ObjectCreated:CompleteMultipartUpload for a copy
        in parts); its answer as boto3's."""
        from stptui.sim.engine import SimError

        f = emission.fields
        src = self.bucket(f["sourceBucket"])
        obj = self._version_of(src, f["sourceKey"], f["sourceVersionId"])
        multipart = bool(f.get("multipart"))
        if not multipart and is_self_copy(src, obj, self.bucket(emission.target).name, f["key"]):
            raise SimError(SELF_COPY, "copy it to another key, or upload the new content")
        if not obj.readable:
            # CopyObject reads its source as GetObject does: an archive is restored first.
            raise SimError(
                "InvalidObjectState: The operation is not valid for the object's storage class",
                f"restore {f['sourceKey']} first (context.restore_object)",
            )
        made = self.put_object(
            emission.target,
            f["key"],
            content=obj.content,
            size=obj.size,
            operation="multipart" if multipart else "copy",
            source=source,
        )
        made.content_type = obj.content_type  # MetadataDirective COPY, S3's default
        # boto3 parses the XML's timestamp to an aware UTC datetime.
        modified = datetime.fromtimestamp(made.last_modified / 1000, UTC)
        result = {"ETag": f'"{made.etag}"', "LastModified": modified}
        out: dict[str, Any] = {"CopyObjectResult": result}
        if obj.version_id is not None:
            out["CopySourceVersionId"] = obj.version_id
        if made.version_id is not None:
            out["VersionId"] = made.version_id
        return out

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
        return version_id_of(self.sim.new_id())

    def example_event(
        self, bucket: str, configuration: str, key: str, uuid: str
    ) -> tuple[dict[str, Any], str] | None:
        """The event the notification `configuration` (`{workload}-s3-{index}`) of `bucket`
        sends for an empty object `key` uploaded now (or deleted, for a notification of
        deletes only), and that event's name, built as an upload's is without one: its
        request and version ids are made of `uuid`, its sequencer is the next one, nothing
        is stored or traced. None when the notification does not fire for it."""
        b = self.buckets.get(bucket)
        notes = b.notifications if b is not None else []
        note = next((n for n in notes if n.configuration_id == configuration), None)
        if b is None or note is None:
            return None
        event_name = example_event_name(note.event_types)
        encoded = encode_key(key)
        if event_name is None or note.skip_reason(event_name, key, encoded) is not None:
            return None
        sim = self.sim
        now = sim.clock.now
        created = event_name.startswith("ObjectCreated")
        obj = S3Object(
            key,
            0,
            hashlib.md5(b"").hexdigest() if created else "",
            f"{now:012X}{self._sequence + 1:06X}",
            now,
            version_id_of(uuid) if b.versioning and created else None,
        )
        req = _Request(sim, event_name, "example", obj, uuid)
        return {"Records": [self._record(b, req, note.aws_id, encoded)]}, event_name

    def example_bus_entry(self, bucket: str, key: str, uuid: str) -> dict[str, Any] | None:
        """The PutEvents entry (Source, DetailType, Detail, Resources) `bucket` puts on the
        default bus for an empty object `key` put now, built as a PutObject's is without
        one: its request and version ids made of `uuid`, its sequencer the next one,
        nothing stored or traced. None for a bucket that sends no events there."""
        b = self.buckets.get(bucket)
        if b is None or not b.event_bus:
            return None
        now = self.sim.clock.now
        obj = S3Object(
            key,
            0,
            EMPTY_ETAG,
            f"{now:012X}{self._sequence + 1:06X}",
            now,
            version_id_of(uuid) if b.versioning else None,
        )
        event_name, reason = CREATE_OPERATIONS["put"]
        req = _Request(self.sim, event_name, reason, obj, uuid)
        detail_type, detail = self._bus_detail(b, req)
        return {
            "Source": "aws.s3",
            "DetailType": detail_type,
            "Detail": detail,
            "Resources": [b.arn],
        }


# CopyObject's refusal of a copy onto itself (S3 API reference, CopyObject; the message S3
# answers, as SDK users and S3 emulators record it). A copy of an older version onto its key
# is how the S3 guide restores one ("Restoring previous versions"), and is allowed.
SELF_COPY = (
    "InvalidRequest: This copy request is illegal because it is trying to copy an object to "
    "itself without changing the object's metadata, storage class, website redirect location "
    "or encryption attributes."
)


def is_self_copy(src: BucketSim, obj: S3Object, bucket: str, key: str) -> bool:
    """Whether CopyObject of `obj` (of bucket `src`) to `bucket`/`key` copies the current
    object onto itself, which S3 refuses when nothing else changes: stptui's copies keep the
    source's metadata, storage class and encryption (MetadataDirective COPY)."""
    return src.name == bucket and src.objects.get(key) is obj


def _check_key(key: str) -> None:
    from stptui.sim.engine import SimError

    size = len(key.encode("utf-8", "surrogatepass"))
    if size == 0:
        raise SimError("an object key cannot be empty")
    if size > MAX_KEY_BYTES:
        raise SimError(f"KeyTooLongError: the key is {size:,} bytes; S3 allows {MAX_KEY_BYTES:,}")


def _check_tags(tags: dict[str, str]) -> None:
    """S3's limits on an object's tags (SimError with S3's error, changing nothing)."""
    from stptui.sim.engine import SimError

    if len(tags) > MAX_OBJECT_TAGS:
        raise SimError(
            f"BadRequest: Object tags cannot be greater than {MAX_OBJECT_TAGS} ({len(tags)} given)"
        )
    for key, value in tags.items():
        if not key:
            raise SimError("InvalidTag: a tag key cannot be empty", "e.g. --tag class=archive")
        if len(key) > MAX_TAG_KEY:
            raise SimError(
                f"InvalidTag: The TagKey you have provided is too long, max {MAX_TAG_KEY}"
            )
        if len(value) > MAX_TAG_VALUE:
            raise SimError(
                f"InvalidTag: The TagValue you have provided is too long, max {MAX_TAG_VALUE}"
            )


def _upload_id(seed: str) -> str:
    """A multipart upload id: long URL-safe text, as S3's are (from the id stream)."""
    digest = hashlib.sha384(seed.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def wire(sim: Simulator) -> None:
    """Build the buckets and their notifications; serve `put` and `restoreObject` emissions
    and bucket destinations."""
    service = BucketService(sim)
    sim.services["buckets"] = service
    sim.emission_handlers["put"] = service.on_emission
    sim.emission_handlers["restoreObject"] = service.on_restore_emission
    sim.emission_handlers["deleteObject"] = service.on_delete_emission
    sim.emission_handlers["copyObject"] = service.on_copy_emission
    sim.destination_handlers["bucket"] = service.on_destination
