"""S3 Lifecycle rules (pure): which rule acts on an object version, and when.

Rules (S3 User Guide, "Lifecycle configuration elements" and "Transitioning objects using
Amazon S3 Lifecycle"; stptui's choices are in docs/fidelity.md, "S3 Lifecycle"):

* A rule applies to a version whose key starts with the rule's prefix (the key itself, not
  its URL-encoded form) and that has every tag of the rule, key and value exactly.
* `Expiration` and `Transition` count days from the version's creation (its last-modified
  time); `NoncurrentVersionExpiration` and `NoncurrentVersionTransition` from when it became
  noncurrent, which is when its successor (a newer version or a delete marker) was created.
  S3 adds the days and rounds the result to the next midnight UTC (`due_at`).
* Transitions follow S3's waterfall (`TRANSITIONS`); an object smaller than 128 KB is not
  transitioned at all (the default minimum object size of lifecycle configurations made
  since September 2024, `all_storage_classes_128K`, which Stacktape does not change).
* When several actions fall due at once, permanent deletion takes precedence over a
  transition, and a transition over the creation of a delete marker; between two
  transitions the one further down the waterfall wins (S3 chooses Glacier over
  Standard-IA). The action that lost is due again at the next midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stptui.textsafe import double_quoted

if TYPE_CHECKING:
    from stptui.config.model import LifecycleRule

DAY_MS = 86_400_000
# "Objects smaller than 128 KB will not transition to any storage class by default."
MIN_TRANSITION_BYTES = 128 * 1024
# What `show bucket` says of a version a transition rule selects but that minimum holds back.
NOT_MOVED_SMALL = "not moved: under 128 KB"
# Transitions to these need 30 days in the class before (S3 refuses fewer days).
IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
IA_MIN_DAYS = 30
# Every object starts in S3 Standard (stptui's uploads take no storage class).
DEFAULT_CLASS = "STANDARD"
# Storage classes whose objects GetObject refuses until they are restored (S3 User Guide,
# "Restoring an archived object"): Glacier Flexible Retrieval and Deep Archive.
ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})
# The waterfall, top to bottom, with the transitions S3 supports from each class.
WATERFALL = ("STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER")
WATERFALL += ("DEEP_ARCHIVE",)
TRANSITIONS: dict[str, frozenset[str]] = {
    "STANDARD": frozenset(WATERFALL[1:]),
    "STANDARD_IA": frozenset({"INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER", "DEEP_ARCHIVE"}),
    "INTELLIGENT_TIERING": frozenset({"ONEZONE_IA", "GLACIER", "DEEP_ARCHIVE"}),
    "ONEZONE_IA": frozenset({"GLACIER", "DEEP_ARCHIVE"}),
    "GLACIER": frozenset({"DEEP_ARCHIVE"}),
    "DEEP_ARCHIVE": frozenset(),
}

# What each rule type does, and what its days count from.
EXPIRE = "expire"  # the current version: removed, or a delete marker on a versioned bucket
EXPIRE_NONCURRENT = "expire-noncurrent"  # a noncurrent version, permanently
TRANSITION = "transition"
TRANSITION_NONCURRENT = "transition-noncurrent"
ABORT = "abort"  # an incomplete multipart upload
RULE_ACTIONS = {
    "expiration": EXPIRE,
    "non-current-version-expiration": EXPIRE_NONCURRENT,
    "class-transition": TRANSITION,
    "non-current-version-class-transition": TRANSITION_NONCURRENT,
    "abort-incomplete-multipart-upload": ABORT,
}


def due_at(start_ms: int, days: int) -> int:
    """When S3 acts: `days` after `start_ms`, rounded to the next midnight UTC.

    An object created 2014-01-15T10:30Z with 3 days is due 2014-01-19T00:00Z (the guide's
    example). A sum that falls exactly on a midnight goes on to the next one: "rounding the
    resulting time to the next day midnight"."""
    return ((start_ms + days * DAY_MS) // DAY_MS + 1) * DAY_MS


def next_midnight(now: int) -> int:
    """The first midnight UTC after `now`: when lifecycle next runs."""
    return (now // DAY_MS + 1) * DAY_MS


def rule_matches(rule: LifecycleRule, key: str, tags: dict[str, str]) -> bool:
    """Whether the rule's filter (prefix AND every tag) selects a version."""
    return key.startswith(rule.prefix) and all(tags.get(k) == v for k, v in rule.tags)


def transition_block(size: int, storage_class: str, target: str) -> str | None:
    """Why a version of `size` bytes in `storage_class` cannot move to `target` (None: it can)."""
    if target == storage_class:
        return f"it is already {target}"
    if target not in TRANSITIONS[storage_class]:
        return f"S3 does not transition {storage_class} to {target}"
    if size < MIN_TRANSITION_BYTES:
        return f"it is {size:,} bytes, under the 128 KB S3 transitions at least"
    return None


def held_by_size(
    rules: list[LifecycleRule],
    key: str,
    *,
    tags: dict[str, str],
    size: int,
    storage_class: str,
    noncurrent: bool,
) -> list[LifecycleRule]:
    """The transition rules that select a version and would move it but for its size (under
    the 128 KB S3 transitions at least), in config order: why a small object stays where it
    is, which nothing in the trace records."""
    if size >= MIN_TRANSITION_BYTES:
        return []
    wanted = TRANSITION_NONCURRENT if noncurrent else TRANSITION
    return [
        rule
        for rule in rules
        if RULE_ACTIONS[rule.type] == wanted
        and rule.storage_class in TRANSITIONS[storage_class]
        and rule_matches(rule, key, tags)
    ]


@dataclass(frozen=True, slots=True)
class Due:
    """The next lifecycle action on one version (or incomplete upload): what, when, why."""

    at: int
    action: str
    rule: LifecycleRule
    since: int  # the instant the rule's days count from

    @property
    def storage_class(self) -> str | None:
        """The target class of a transition."""
        return self.rule.storage_class

    def words(self, key: str, versioned: bool, version_id: str | None = None) -> str:
        """`expire "logs/a.txt"`, `move "a.csv" to GLACIER`: the action, for `key`'s version
        `version_id` (the agenda and `show bucket`)."""
        shown = double_quoted(key)
        if version_id is not None and self.action in (EXPIRE_NONCURRENT, TRANSITION_NONCURRENT):
            shown = f"version {version_id} of {shown}"
        if self.action == EXPIRE:
            return f"expire {shown}" + (" (delete marker)" if versioned else "")
        if self.action == EXPIRE_NONCURRENT:
            return f"expire {shown}"
        if self.action == ABORT:
            return f"abort the multipart upload of {shown}"
        return f"move {shown} to {self.rule.storage_class}"

    def short(self, versioned: bool) -> str:
        """`expire`, `delete marker`, `to GLACIER`: the action in a table cell."""
        if self.action == EXPIRE:
            return "delete marker" if versioned else "expire"
        if self.action == EXPIRE_NONCURRENT:
            return "expire"
        if self.action == ABORT:
            return "abort"
        return f"to {self.rule.storage_class}"


def _rank(due: Due, versioned: bool) -> tuple[int, int, int, int]:
    """Sort key: soonest first; then permanent deletion, transitions (lowest class first),
    delete markers; then rule order."""
    if due.action == EXPIRE_NONCURRENT or (due.action == EXPIRE and not versioned):
        kind = 0
    elif due.action in (TRANSITION, TRANSITION_NONCURRENT):
        kind = 1
    else:
        kind = 2
    depth = -WATERFALL.index(due.rule.storage_class) if due.rule.storage_class else 0
    return due.at, kind, depth, due.rule.index


def next_action(
    rules: list[LifecycleRule],
    key: str,
    *,
    tags: dict[str, str],
    size: int,
    storage_class: str,
    created: int,
    noncurrent_since: int | None,
    versioned: bool,
    now: int,
) -> Due | None:
    """The next action the rules take on one object version, or None.

    `noncurrent_since` is None for the current version. An action whose time has passed
    (it lost to another at the same midnight) is due at the next midnight."""
    wanted = (EXPIRE, TRANSITION) if noncurrent_since is None else (EXPIRE_NONCURRENT,)
    if noncurrent_since is not None:
        wanted += (TRANSITION_NONCURRENT,)
    since = created if noncurrent_since is None else noncurrent_since
    best: Due | None = None
    for rule in rules:
        action = RULE_ACTIONS[rule.type]
        if action not in wanted or not rule_matches(rule, key, tags):
            continue
        if rule.storage_class and transition_block(size, storage_class, rule.storage_class):
            continue
        at = due_at(since, rule.days)
        if at <= now:
            at = next_midnight(now)
        due = Due(at, action, rule, since)
        if best is None or _rank(due, versioned) < _rank(best, versioned):
            best = due
    return best


def abort_action(rules: list[LifecycleRule], key: str, initiated: int) -> Due | None:
    """When an `abort-incomplete-multipart-upload` rule aborts an upload begun at
    `initiated` (the rules have no tags: S3 refuses tag filters on this action)."""
    best: Due | None = None
    for rule in rules:
        if rule.type != "abort-incomplete-multipart-upload" or not key.startswith(rule.prefix):
            continue
        due = Due(due_at(initiated, rule.days), ABORT, rule, initiated)
        if best is None or (due.at, rule.index) < (best.at, best.rule.index):
            best = due
    return best


def rule_words(rule: LifecycleRule) -> str:
    """`lifecycleRules[0] (expiration after 30 days, prefix "logs/")`: a rule on one line."""
    days = f"{rule.days} day{'s' * (rule.days != 1)}"
    what = {
        "expiration": f"expiration {days} after upload",
        "non-current-version-expiration": f"noncurrent expiration after {days}",
        "class-transition": f"to {rule.storage_class} {days} after upload",
        "non-current-version-class-transition": (
            f"noncurrent to {rule.storage_class} after {days}"
        ),
        "abort-incomplete-multipart-upload": f"abort multipart uploads {days} after initiation",
    }[rule.type]
    if rule.prefix:
        what += f", prefix {double_quoted(rule.prefix)}"
    if rule.tags:
        what += ", tags " + ", ".join(f"{k}={v}" for k, v in rule.tags)
    return f"{rule.name} ({what})"
