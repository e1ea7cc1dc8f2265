"""S3 Lifecycle rules on the virtual clock: each Stacktape rule type, prefix and tag filters,
versioned and unversioned buckets, the next-midnight rounding, S3's transition constraints,
the notifications lifecycle sends (EventBridge only) and the rules `validate` refuses."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.config.model import LifecycleRule
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms, parse_instant
from stptui.sim.engine import SimError, Simulator
from stptui.sim.s3_lifecycle import DAY_MS, due_at, next_action
from stptui.textsafe import double_quoted, printable
from tests.simkit import START, capture_inputs, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
BIG = 200 * 1024  # over the 128 KB S3 transitions at least


def bucket(rules: list[dict[str, Any]], *, versioning: bool = False, bus: bool = False) -> str:
    """A stack of one bucket `files` with the given lifecycle rules."""
    props = {"versioning": versioning, "lifecycleRules": rules}
    if bus:
        props["enableEventBusNotifications"] = True
    return json.dumps({"resources": {"files": {"type": "bucket", "properties": props}}})


def rule(rtype: str, **props: Any) -> dict[str, Any]:
    return {"type": rtype, "properties": props}


def at(text: str) -> int:
    return parse_instant(text)


def advance_to(sim: Simulator, text: str) -> None:
    sim.clock.run_until(at(text))


def kinds(sim: Simulator) -> list[tuple[str, str, str]]:
    """(time, kind, key) of every lifecycle record."""
    wanted = (tk.LIFECYCLE_EXPIRED, tk.LIFECYCLE_TRANSITIONED, tk.LIFECYCLE_ABORTED)
    return [(iso_ms(r.t), r.kind, r.get("key")) for r in records(sim) if r.kind in wanted]


# -- the day a rule acts ---------------------------------------------------------------------


def test_the_guides_example_is_due_at_the_fourth_midnight() -> None:
    # "if an object was created at 1/15/2014 10:30 AM UTC and you specify 3 days in a
    # transition rule, then the transition date of the object would be calculated as
    # 1/19/2014 00:00 UTC."
    assert due_at(at("2014-01-15T10:30:00Z"), 3) == at("2014-01-19T00:00:00Z")
    # "... on 1/2/2014 11:30 AM UTC, you accidentally delete photo.gif ... On 1/8/2014 00:00
    # UTC, the Lifecycle rule for expiration executes": noncurrent for 5 days.
    assert due_at(at("2014-01-02T11:30:00Z"), 5) == at("2014-01-08T00:00:00Z")


def test_a_sum_exactly_at_midnight_goes_on_to_the_next_midnight() -> None:
    assert due_at(at("2026-01-05T00:00:00Z"), 1) == at("2026-01-07T00:00:00Z")


@given(
    start=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9000, 1, 1)),
    days=st.integers(min_value=0, max_value=3650),
)
def test_due_at_is_the_midnight_after_the_start_plus_the_days(start: datetime, days: int) -> None:
    start = start.replace(tzinfo=UTC)
    ms = (start - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    # Reference: the calendar day after the one `days` later, at 00:00 UTC.
    later = start + timedelta(days=days)
    expected = datetime(later.year, later.month, later.day, tzinfo=UTC) + timedelta(days=1)
    due = due_at(ms, days)
    assert iso_ms(due) == expected.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert ms + days * DAY_MS < due <= ms + (days + 1) * DAY_MS


# -- each rule type ----------------------------------------------------------------------------


def test_expiration_removes_an_unversioned_object_at_its_midnight_and_only_with_the_prefix() -> (
    None
):
    sim = make_sim(bucket([rule("expiration", daysAfterUpload=30, prefix="tmp/")]))
    files = sim.services["buckets"]
    files.put_object("files", "tmp/a.txt", size=10)
    files.put_object("files", "keep/a.txt", size=10)
    advance_to(sim, "2026-02-04T23:59:59.999Z")
    assert set(files.bucket("files").objects) == {"tmp/a.txt", "keep/a.txt"}
    advance_to(sim, "2026-02-05T00:00:00Z")
    assert set(files.bucket("files").objects) == {"keep/a.txt"}
    [expired] = records(sim, tk.LIFECYCLE_EXPIRED)
    assert expired.get("event") == "LifecycleExpiration:Delete"
    assert expired.get("rule") == "lifecycleRules[0]"
    assert "uploaded 2026-01-05T08:00:00.000Z, + 30 days" in expired.get("reason")


def test_expiration_on_a_versioned_bucket_adds_a_delete_marker_and_keeps_the_version() -> None:
    sim = make_sim(bucket([rule("expiration", daysAfterUpload=1)], versioning=True))
    files = sim.services["buckets"]
    obj = files.put_object("files", "a.txt", size=10)
    advance_to(sim, "2026-01-08T00:00:00Z")
    b = files.bucket("files")
    assert "a.txt" not in b.objects
    [kept, marker] = b.versions["a.txt"]
    assert kept is obj and marker.delete_marker
    assert iso_ms(marker.last_modified) == "2026-01-07T00:00:00.000Z"
    [expired] = records(sim, tk.LIFECYCLE_EXPIRED)
    assert expired.get("event") == "LifecycleExpiration:DeleteMarkerCreated"
    assert expired.get("version_id") == marker.version_id
    # The delete marker is current now: the rule does not expire it again.
    advance_to(sim, "2026-03-01T00:00:00Z")
    assert len(records(sim, tk.LIFECYCLE_EXPIRED)) == 1


def test_noncurrent_expiration_counts_from_the_successor_and_removes_the_version() -> None:
    sim = make_sim(
        bucket([rule("non-current-version-expiration", daysAfterVersioned=5)], versioning=True)
    )
    files = sim.services["buckets"]
    old = files.put_object("files", "photo.gif", size=10)
    advance_to(sim, "2026-01-10T11:30:00Z")
    new = files.put_object("files", "photo.gif", size=11)  # old is noncurrent from here
    advance_to(sim, "2026-01-15T23:59:59Z")
    assert files.bucket("files").versions["photo.gif"] == [old, new]
    advance_to(sim, "2026-01-16T00:00:00Z")
    assert files.bucket("files").versions["photo.gif"] == [new]
    [expired] = records(sim, tk.LIFECYCLE_EXPIRED)
    assert expired.get("version_id") == old.version_id
    assert "became noncurrent 2026-01-10T11:30:00.000Z, + 5 days" in expired.get("reason")
    # The current version is never touched by a noncurrent rule.
    advance_to(sim, "2027-01-01T00:00:00Z")
    assert files.bucket("files").objects["photo.gif"] is new


def test_a_delete_makes_the_version_noncurrent_too() -> None:
    sim = make_sim(
        bucket([rule("non-current-version-expiration", daysAfterVersioned=1)], versioning=True)
    )
    files = sim.services["buckets"]
    files.put_object("files", "a", size=1)
    files.delete_object("files", "a")
    advance_to(sim, "2026-01-07T00:00:00Z")
    [marker] = files.bucket("files").versions["a"]
    assert marker.delete_marker


def test_deleting_the_current_version_makes_the_older_one_current_for_lifecycle_too() -> None:
    # v1 is noncurrent from v2's upload and due to expire; deleting v2 for good makes v1
    # current again, which a noncurrent rule no longer acts on. Deleting the delete marker
    # a later delete adds makes v1 current again after it was noncurrent a second time.
    sim = make_sim(
        bucket([rule("non-current-version-expiration", daysAfterVersioned=1)], versioning=True)
    )
    files = sim.services["buckets"]
    old = files.put_object("files", "a", size=1)
    advance_to(sim, "2026-01-05T12:00:00Z")
    new = files.put_object("files", "a", size=2)
    assert old.lifecycle is not None
    files.delete_object("files", "a", version_id=new.version_id)
    assert old.lifecycle is None and new.lifecycle is None
    advance_to(sim, "2026-01-20T00:00:00Z")
    assert files.bucket("files").versions["a"] == [old]
    assert records(sim, tk.LIFECYCLE_EXPIRED) == []
    files.delete_object("files", "a")  # a delete marker: `old` is noncurrent again
    marker = files.bucket("files").versions["a"][-1]
    files.delete_object("files", "a", version_id=marker.version_id)
    advance_to(sim, "2026-02-01T00:00:00Z")
    assert files.bucket("files").objects["a"] is old
    assert records(sim, tk.LIFECYCLE_EXPIRED) == []


def test_class_transition_moves_objects_of_128_kb_or_more() -> None:
    sim = make_sim(bucket([rule("class-transition", daysAfterUpload=30, storageClass="GLACIER")]))
    files = sim.services["buckets"]
    big = files.put_object("files", "big.bin", size=BIG)
    small = files.put_object("files", "small.bin", size=128 * 1024 - 1)
    advance_to(sim, "2026-02-05T00:00:00Z")
    assert (big.storage_class, small.storage_class) == ("GLACIER", "STANDARD")
    [moved] = records(sim, tk.LIFECYCLE_TRANSITIONED)
    assert (moved.get("from_class"), moved.get("storage_class")) == ("STANDARD", "GLACIER")


def test_noncurrent_transition_moves_the_older_version_only() -> None:
    stack = bucket(
        [
            rule(
                "non-current-version-class-transition",
                daysAfterVersioned=30,
                storageClass="STANDARD_IA",
            )
        ],
        versioning=True,
    )
    sim = make_sim(stack)
    files = sim.services["buckets"]
    old = files.put_object("files", "a", size=BIG)
    new = files.put_object("files", "a", size=BIG)
    advance_to(sim, "2026-02-06T00:00:00Z")
    assert (old.storage_class, new.storage_class) == ("STANDARD_IA", "STANDARD")


def test_abort_incomplete_multipart_upload_removes_the_upload_and_sends_nothing() -> None:
    sim = make_sim(bucket([rule("abort-incomplete-multipart-upload", daysAfterInitiation=2)]))
    files = sim.services["buckets"]
    upload = files.create_multipart_upload("files", "huge.bin")
    assert files.bucket("files").uploads == {upload.upload_id: upload}
    advance_to(sim, "2026-01-08T00:00:00Z")
    assert files.bucket("files").uploads == {}
    [aborted] = records(sim, tk.LIFECYCLE_ABORTED)
    assert aborted.get("upload_id") == upload.upload_id
    assert records(sim, tk.OBJECT_CREATED) == []


def test_tag_filters_need_every_tag() -> None:
    tags = [{"key": "class", "value": "scratch"}, {"key": "team", "value": "a"}]
    sim = make_sim(bucket([rule("expiration", daysAfterUpload=1, tags=tags)]))
    files = sim.services["buckets"]
    files.put_object("files", "both", tags={"class": "scratch", "team": "a", "x": "y"})
    files.put_object("files", "one", tags={"class": "scratch"})
    files.put_object("files", "other-value", tags={"class": "scratch", "team": "b"})
    advance_to(sim, "2026-01-10T00:00:00Z")
    assert set(files.bucket("files").objects) == {"one", "other-value"}


def test_an_overwrite_restarts_the_days_of_an_unversioned_object() -> None:
    sim = make_sim(bucket([rule("expiration", daysAfterUpload=2)]))
    files = sim.services["buckets"]
    files.put_object("files", "a", size=1)
    advance_to(sim, "2026-01-06T12:00:00Z")
    files.put_object("files", "a", size=2)
    advance_to(sim, "2026-01-08T00:00:00Z")  # the first upload's day
    assert "a" in files.bucket("files").objects
    advance_to(sim, "2026-01-09T00:00:00Z")
    assert "a" not in files.bucket("files").objects
    assert len(records(sim, tk.LIFECYCLE_EXPIRED)) == 1


# -- precedence and the waterfall --------------------------------------------------------------


def test_deletion_beats_a_transition_due_the_same_midnight() -> None:
    stack = bucket(
        [
            rule("class-transition", daysAfterUpload=30, storageClass="GLACIER"),
            rule("expiration", daysAfterUpload=30),
        ]
    )
    sim = make_sim(stack)
    sim.services["buckets"].put_object("files", "a", size=BIG)
    advance_to(sim, "2026-03-01T00:00:00Z")
    assert [k for _, k, _ in kinds(sim)] == [tk.LIFECYCLE_EXPIRED]


def test_a_transition_beats_a_delete_marker_which_follows_a_day_later() -> None:
    stack = bucket(
        [
            rule("expiration", daysAfterUpload=30),
            rule("class-transition", daysAfterUpload=30, storageClass="GLACIER"),
        ],
        versioning=True,
    )
    sim = make_sim(stack)
    sim.services["buckets"].put_object("files", "a", size=BIG)
    advance_to(sim, "2026-03-01T00:00:00Z")
    assert kinds(sim) == [
        ("2026-02-05T00:00:00.000Z", tk.LIFECYCLE_TRANSITIONED, "a"),
        ("2026-02-06T00:00:00.000Z", tk.LIFECYCLE_EXPIRED, "a"),
    ]


def test_glacier_beats_standard_ia_and_ia_never_follows_glacier() -> None:
    stack = bucket(
        [
            rule("class-transition", daysAfterUpload=30, storageClass="STANDARD_IA"),
            rule("class-transition", daysAfterUpload=30, storageClass="GLACIER"),
        ]
    )
    sim = make_sim(stack)
    obj = sim.services["buckets"].put_object("files", "a", size=BIG)
    advance_to(sim, "2026-06-01T00:00:00Z")
    assert obj.storage_class == "GLACIER"
    assert len(records(sim, tk.LIFECYCLE_TRANSITIONED)) == 1


def test_a_chain_of_transitions_goes_down_the_waterfall() -> None:
    stack = bucket(
        [
            rule("class-transition", daysAfterUpload=30, storageClass="STANDARD_IA"),
            rule("class-transition", daysAfterUpload=90, storageClass="DEEP_ARCHIVE"),
        ]
    )
    sim = make_sim(stack)
    obj = sim.services["buckets"].put_object("files", "a", size=BIG)
    advance_to(sim, "2026-02-05T00:00:00Z")
    assert obj.storage_class == "STANDARD_IA"
    advance_to(sim, "2026-04-06T00:00:00Z")
    assert obj.storage_class == "DEEP_ARCHIVE"


@given(
    days=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=4),
    classes=st.lists(
        st.sampled_from(["GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING"]), min_size=4
    ),
    size=st.integers(min_value=0, max_value=1_000_000),
)
def test_the_next_action_is_never_before_the_next_midnight_nor_a_refused_transition(
    days: list[int], classes: list[str], size: int
) -> None:
    rules = [
        LifecycleRule(i, "class-transition", d, storage_class=c)
        for i, (d, c) in enumerate(zip(days, classes, strict=False))
    ]
    now = START + 5 * DAY_MS
    due = next_action(
        rules,
        "k",
        tags={},
        size=size,
        storage_class="STANDARD",
        created=START,
        noncurrent_since=None,
        versioned=False,
        now=now,
    )
    if size < 128 * 1024:
        assert due is None
    else:
        assert due is not None and due.at > now and due.at % DAY_MS == 0


# -- notifications -----------------------------------------------------------------------------

NOTIFIED = {
    "resources": {
        "files": {
            "type": "bucket",
            "properties": {
                "versioning": True,
                "enableEventBusNotifications": True,
                "lifecycleRules": [
                    rule("class-transition", daysAfterUpload=1, storageClass="GLACIER"),
                    rule("expiration", daysAfterUpload=3),
                ],
            },
        },
        "watcher": {
            "type": "function",
            "properties": {
                "packaging": {
                    "type": "stacktape-lambda-buildpack",
                    "properties": {"entryfilePath": "f.ts"},
                },
                "events": [
                    {
                        "type": "event-bus",
                        "properties": {
                            "useDefaultBus": True,
                            "eventPattern": {"source": ["aws.s3"]},
                        },
                    }
                ],
            },
        },
        "onRemoved": {
            "type": "function",
            "properties": {
                "packaging": {
                    "type": "stacktape-lambda-buildpack",
                    "properties": {"entryfilePath": "g.ts"},
                },
                "events": [
                    {
                        "type": "s3",
                        "properties": {
                            "bucketArn": "$ResourceParam('files', 'arn')",
                            "s3EventType": "s3:ObjectRemoved:*",
                        },
                    }
                ],
            },
        },
    }
}


def test_lifecycle_goes_to_eventbridge_but_not_to_s3_notifications() -> None:
    sim = make_sim(json.dumps(NOTIFIED))
    seen = capture_inputs(sim, lambda inp: (inp.function, inp.event()))
    files = sim.services["buckets"]
    obj = files.put_object("files", "a.bin", size=BIG)
    advance_to(sim, "2026-01-10T00:00:00Z")
    assert [f for f, _ in seen] == ["watcher", "watcher", "watcher"]
    created, moved, deleted = (e for _, e in seen)
    assert created["detail-type"] == "Object Created"
    aws_name = sim.resource_param("files", "name")
    assert moved["detail-type"] == "Object Storage Class Changed"
    assert moved["detail"] == {
        "version": "0",
        "event-version": "1.1",
        "bucket": {
            "name": aws_name,
            "aws-generated-tags": moved["detail"]["bucket"]["aws-generated-tags"],
        },
        "object": {
            "key": "a.bin",
            "size": BIG,
            "etag": obj.etag,
            "version-id": obj.version_id,
        },
        "request-id": moved["detail"]["request-id"],
        "requester": "s3.amazonaws.com",
        "destination-storage-class": "GLACIER",
    }
    assert moved["time"] == "2026-01-07T00:00:00Z"
    assert deleted["detail-type"] == "Object Deleted"
    detail = deleted["detail"]
    assert list(detail) == [
        "version",
        "event-version",
        "bucket",
        "object",
        "request-id",
        "requester",
        "reason",
        "deletion-type",
    ]
    assert (detail["reason"], detail["deletion-type"], detail["requester"]) == (
        "Lifecycle Expiration",
        "Delete Marker Created",
        "s3.amazonaws.com",
    )
    assert list(detail["object"]) == ["key", "etag", "version-id", "sequencer"]
    # Stacktape's s3EventType cannot name a lifecycle event, so the ObjectRemoved:*
    # function is not invoked and the trace says why.
    skipped = [r.get("reason") for r in records(sim, tk.NOTIFICATION_SKIPPED)]
    assert skipped == [
        "event ObjectCreated:Put is not in [s3:ObjectRemoved:*]",
        "event LifecycleTransition is not in [s3:ObjectRemoved:*]",
        "event LifecycleExpiration:DeleteMarkerCreated is not in [s3:ObjectRemoved:*]",
    ]


# -- commands ----------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Any) -> Session:
    stack = tmp_path / "stacktape.yml"
    stack.write_text(
        bucket(
            [
                rule("expiration", daysAfterUpload=7, tags=[{"key": "class", "value": "tmp"}]),
                rule("abort-incomplete-multipart-upload", daysAfterInitiation=1),
            ]
        ),
        encoding="utf-8",
    )
    return Session.open(stack, start_ms=START)


def test_show_bucket_and_the_agenda_say_when_a_rule_acts(session: Session) -> None:
    execute(session, "upload files a.txt --tag class=tmp")
    execute(session, "upload files b.txt")
    execute(session, "upload files big.bin --incomplete")
    shown = execute(session, "show bucket files")
    rows = {row[0]: row for row in shown.table[1]}
    assert rows["a.txt"][-2:] == [
        "STANDARD",
        "expire at 2026-01-13T00:00:00.000Z (lifecycleRules[0])",
    ]
    assert rows["b.txt"][-1] == "-"
    assert 'abort the multipart upload of "big.bin"' in shown.text
    agenda = execute(session, "show agenda").table[1]
    assert [row[-1] for row in agenda] == [
        'files\'s lifecycle: abort the multipart upload of "big.bin" (lifecycleRules[1])',
        'files\'s lifecycle: expire "a.txt" (lifecycleRules[0])',
    ]


def test_show_bucket_says_why_a_small_object_is_not_moved(tmp_path: Any) -> None:
    stack = tmp_path / "stacktape.yml"
    rules = [
        rule("class-transition", daysAfterUpload=0, storageClass="GLACIER", prefix="g/"),
        rule("expiration", daysAfterUpload=30),
    ]
    stack.write_text(bucket(rules), encoding="utf-8")
    session = Session.open(stack, start_ms=START)
    execute(session, "upload files g/small.csv --size 1KB")
    execute(session, "upload files g/big.csv --size 200KB")
    execute(session, "upload files other.csv --size 1KB")
    execute(session, "advance 1d")
    rows = {row[0]: row for row in execute(session, "show bucket files").table[1]}
    # The lifecycle column gives the next action, then why the transition rule leaves it.
    assert rows["g/small.csv"][5] == "STANDARD"
    assert rows["g/small.csv"][-1] == (
        "expire at 2026-02-05T00:00:00.000Z (lifecycleRules[1]); "
        "not moved: under 128 KB (lifecycleRules[0])"
    )
    # A moved object, and one no transition rule selects, get no such words.
    assert "not moved" not in rows["g/big.csv"][-1]
    assert rows["other.csv"][-1] == "expire at 2026-02-05T00:00:00.000Z (lifecycleRules[1])"


# A key with every character the agenda must quote unambiguously: a quote, a backslash, an
# escape that looks like one stptui writes, a real ESC, a newline.
AWKWARD_KEY = 'g/a"b\\x1b\x1b\n.csv'


def test_the_agenda_quotes_keys_as_the_rest_of_stptui_escapes_them() -> None:
    sim = make_sim(bucket([rule("expiration", daysAfterUpload=1)]))
    sim.services["buckets"].put_object("files", AWKWARD_KEY, size=10)
    (what,) = [e[3] for e in sim.agenda() if e[1] == "lifecycle"]
    assert what == ('files\'s lifecycle: expire "g/a\\"b\\\\x1b\\x1b\\n.csv" (lifecycleRules[0])')


@given(st.text())
@example("\U000e0000")  # an unprintable character past U+FFFF: \U and 8 digits
def test_double_quoted_is_one_printable_line_that_reads_back_one_way(text: str) -> None:
    shown = double_quoted(text)
    assert printable(shown) == shown and "\n" not in shown and "\t" not in shown
    # Unambiguous: reading the escapes back gives the text (so two keys never look alike).
    assert shown[0] == shown[-1] == '"'
    back = re.sub(
        r'\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|n|t|"|\\)',
        lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m[1]) or chr(int(m[1][1:], 16)),
        shown[1:-1],
    )
    assert back == text


def test_explain_says_why_an_object_disappeared(session: Session) -> None:
    execute(session, "upload files a.txt --tag class=tmp")
    execute(session, "advance 8d")
    text = execute(session, "explain a.txt").text
    assert "lifecycle.expired" in text
    assert (
        "lifecycleRules[0] (expiration 7 days after upload, tags class=tmp): uploaded "
        "2026-01-05T08:00:00.000Z, + 7 days, rounded to the next midnight UTC" in text
    )


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("upload files a --tag nokey", "--tag needs KEY=VALUE"),
        ("upload files a --tag k=1 --tag k=2", "Cannot provide multiple Tags with the same key"),
        (
            "upload files a " + " ".join(f"--tag k{i}=v" for i in range(11)),
            "Object tags cannot be greater than 10",
        ),
        ("upload files a --tag " + "k" * 129 + "=v", "TagKey you have provided is too long"),
        ("upload files a --incomplete --size 5", "it takes no --size"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(
    session: Session, line: str, words: str
) -> None:
    before = session.sim.trace.seq
    with pytest.raises(CommandError, match=words):
        execute(session, line)
    assert session.sim.trace.seq == before
    assert session.sim.services["buckets"].bucket("files").objects == {}


def test_the_service_refuses_too_many_tags_changing_nothing() -> None:
    sim = make_sim(bucket([]))
    with pytest.raises(SimError, match="greater than 10"):
        sim.services["buckets"].put_object("files", "a", tags={str(i): "" for i in range(11)})
    assert sim.services["buckets"].bucket("files").objects == {}


# -- validate ----------------------------------------------------------------------------------


def _diags(rules: list[dict[str, Any]], versioning: bool = True) -> list[tuple[str, str, str]]:
    stack = load_stack_text(bucket(rules, versioning=versioning), "s.yml")
    return [(d.severity, d.code, d.message) for d in stack.diagnostics]


@pytest.mark.parametrize(
    ("given", "words"),
    [
        (rule("expiration", daysAfterUpload=0), "non-zero positive integer"),
        (rule("non-current-version-expiration", daysAfterVersioned=0), "non-zero positive"),
        (rule("expiration", daysAfterUpload=1.5), "not a whole number of days"),
        (
            rule("class-transition", daysAfterUpload=29, storageClass="STANDARD_IA"),
            "only 30 days or more after upload",
        ),
        (
            rule(
                "non-current-version-class-transition",
                daysAfterVersioned=1,
                storageClass="ONEZONE_IA",
            ),
            "30 days or more after becoming noncurrent",
        ),
        (
            rule(
                "abort-incomplete-multipart-upload",
                daysAfterInitiation=1,
                tags=[{"key": "a", "value": "b"}],
            ),
            "cannot filter on tags",
        ),
        (
            rule(
                "expiration",
                daysAfterUpload=1,
                tags=[{"key": "a", "value": "b"}, {"key": "a", "value": "c"}],
            ),
            "appears twice",
        ),
    ],
)
def test_validate_refuses_what_s3_refuses_and_the_rule_is_not_simulated(
    given: dict[str, Any], words: str
) -> None:
    [(severity, code, message)] = _diags([given])
    assert (severity, code) == ("error", "lifecycle-rule-refused")
    assert words in message
    stack = load_stack_text(bucket([given], versioning=True), "s.yml")
    assert stack.resources["files"].lifecycle_rules == []


@pytest.mark.parametrize(
    "accepted",
    [
        rule("class-transition", daysAfterUpload=0, storageClass="GLACIER"),
        rule("class-transition", daysAfterUpload=30, storageClass="STANDARD_IA"),
        rule("abort-incomplete-multipart-upload", daysAfterInitiation=1, prefix="up/"),
        rule("expiration", daysAfterUpload=1.0),
    ],
)
def test_validate_accepts_what_s3_accepts(accepted: dict[str, Any]) -> None:
    assert _diags([accepted]) == []


def test_a_noncurrent_rule_without_versioning_is_a_warning() -> None:
    [(severity, code, message)] = _diags(
        [rule("non-current-version-expiration", daysAfterVersioned=3)], versioning=False
    )
    assert (severity, code) == ("warning", "lifecycle-rule-inert")
    assert "versioning: true" in message
