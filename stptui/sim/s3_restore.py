"""S3 RestoreObject (pure): how long a retrieval takes, what a request may ask, when the
restored copy expires, and the `x-amz-restore` header.

Rules (S3 User Guide, "Restoring an archived object" and "Understanding archive retrieval
options"; the RestoreObject API reference; stptui's choices are in docs/fidelity.md,
"S3 RestoreObject"):

* Only GLACIER and DEEP_ARCHIVE objects are restored; any other class answers
  `InvalidObjectState`. `Days` is required and at least 1; `Tier` is Expedited, Standard
  (the default) or Bulk, and Expedited is not available for DEEP_ARCHIVE.
* A retrieval takes, per class and tier, GLACIER: Expedited 1-5 minutes, Standard 3-5 hours,
  Bulk 5-12 hours; DEEP_ARCHIVE: Standard within 12 hours, Bulk within 48 hours. stptui
  takes the upper bound of each (`RETRIEVAL_MS`), so a restore completes at a predictable
  instant.
* The restored copy lives `Days` days, counted from when the restore completes (and, for an
  extension of a restored copy, from the new request), rounded to the next midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from stptui.sim.s3_lifecycle import ARCHIVED, due_at

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
TIERS = ("Expedited", "Standard", "Bulk")  # fastest first
DEFAULT_TIER = "Standard"
# How long a retrieval takes: the upper bound of the range the guide gives (a choice).
RETRIEVAL_MS: dict[str, dict[str, int]] = {
    "GLACIER": {"Expedited": 5 * MINUTE_MS, "Standard": 5 * HOUR_MS, "Bulk": 12 * HOUR_MS},
    "DEEP_ARCHIVE": {"Standard": 12 * HOUR_MS, "Bulk": 48 * HOUR_MS},
}
# The S3 event names of a restore and their EventBridge detail types.
POST = "ObjectRestore:Post"
COMPLETED = "ObjectRestore:Completed"
DELETE = "ObjectRestore:Delete"
DETAIL_TYPES = {
    POST: "Object Restore Initiated",
    COMPLETED: "Object Restore Completed",
    DELETE: "Object Restore Expired",
}


def request_problem(storage_class: str, tier: str, days: object) -> tuple[str, str] | None:
    """Why S3 refuses to restore an object of `storage_class` with `tier` and `days`, as
    (error code, message); None when it accepts the request."""
    if storage_class not in ARCHIVED:
        return "InvalidObjectState", "Restore is not allowed for the object's current storage class"
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        return "InvalidArgument", f"Days must be a whole number of at least 1, not {days!r}"
    if tier not in TIERS:
        return "MalformedXML", f"Tier must be one of {', '.join(TIERS)}, not {tier!r}"
    if tier not in RETRIEVAL_MS[storage_class]:
        return "InvalidArgument", f"{tier} retrieval is not available for {storage_class}"
    return None


def retrieval_ms(storage_class: str, tier: str) -> int:
    """How long stptui's retrieval of an archived object takes (a checked request)."""
    return RETRIEVAL_MS[storage_class][tier]


def faster(tier: str, than: str) -> bool:
    """Whether `tier` is a faster retrieval than `than` (a restore speed upgrade)."""
    return TIERS.index(tier) < TIERS.index(than)


def expiry_at(start_ms: int, days: int) -> int:
    """When a restored copy goes: `days` after `start_ms`, rounded to the next midnight UTC
    (the guide's example: 10:30 on Oct 15 with 3 days lasts until 00:00 on Oct 19)."""
    return due_at(start_ms, days)


def http_date(ms: int) -> str:
    """`Fri, 21 Dec 2012 00:00:00 GMT`: an HTTP date, in English whatever the locale."""
    when = datetime.fromtimestamp(ms // 1000, UTC)
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[when.weekday()]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov")
    month += ("Dec",)
    return f"{day}, {when.day:02d} {month[when.month - 1]} {when:%Y %H:%M:%S} GMT"


def restore_header(expiry: int | None) -> str:
    """The `x-amz-restore` header (HeadObject's `Restore`): `ongoing-request="true"` while
    the retrieval runs, then `ongoing-request="false", expiry-date="..."`."""
    if expiry is None:
        return 'ongoing-request="true"'
    return f'ongoing-request="false", expiry-date="{http_date(expiry)}"'
