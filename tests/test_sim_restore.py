"""S3 RestoreObject on the virtual clock: the retrieval time per class and tier, the restored
copy's days and expiry, the refusals that change nothing, re-restores and tier upgrades, the
notifications and EventBridge events a restore sends, versions, `show bucket` / `show
agenda`, and Step Functions' s3:restoreObject / getObject / headObject around a restore."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms, parse_instant
from stptui.sim.engine import SimError, Simulator
from stptui.sim.s3_restore import expiry_at, http_date, restore_header
from stptui.sim.services.state_machine import lookup_machine
from tests.simkit import capture_inputs, make_sim, records

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
BIG = 200 * 1024  # over the 128 KB S3 transitions at least
HOUR = 3_600_000
MINUTE = 60_000


def stack(*, versioning: bool = False, event_type: str = "s3:ObjectRestore:*") -> str:
    """A bucket `vault` archiving `g/` to GLACIER and `d/` to DEEP_ARCHIVE at the first
    midnight, a function `watcher` on its restore events and `auditor` on its EventBridge
    events."""
    rules = [
        {
            "type": "class-transition",
            "properties": {"prefix": p, "daysAfterUpload": 0, "storageClass": c},
        }
        for p, c in (("g/", "GLACIER"), ("d/", "DEEP_ARCHIVE"))
    ]
    props = {"versioning": versioning, "enableEventBusNotifications": True, "lifecycleRules": rules}
    watcher_event = {
        "type": "s3",
        "properties": {"bucketArn": "$ResourceParam('vault', 'arn')", "s3EventType": event_type},
    }
    auditor_event = {
        "type": "event-bus",
        "properties": {"useDefaultBus": True, "eventPattern": {"source": ["aws.s3"]}},
    }
    pkg = {"type": "stacktape-lambda-buildpack", "properties": {"entryfilePath": "f.ts"}}
    return json.dumps(
        {
            "resources": {
                "vault": {"type": "bucket", "properties": props},
                "watcher": {
                    "type": "function",
                    "properties": {"packaging": pkg, "events": [watcher_event]},
                },
                "auditor": {
                    "type": "function",
                    "properties": {"packaging": pkg, "events": [auditor_event]},
                },
            }
        }
    )


def archived(key: str, **kw: Any) -> Simulator:
    """A simulator whose `vault` holds `key`, archived by the lifecycle rule at midnight;
    the clock is at 2026-01-06T08:00Z."""
    sim = make_sim(stack(**kw))
    sim.services["buckets"].put_object("vault", key, content=b"x" * BIG)
    sim.clock.run_until(parse_instant("2026-01-06T08:00:00Z"))
    return sim


def restore(sim: Simulator, key: str, **kw: Any) -> tuple[int, Any]:
    return sim.services["buckets"].restore_object("vault", key, **kw)


def kinds(sim: Simulator) -> list[tuple[str, str]]:
    return [(iso_ms(r.t), r.kind) for r in records(sim) if r.kind.startswith("restore.")]


# -- how long a retrieval takes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "tier", "takes"),
    [
        ("g/a.csv", "Expedited", 5 * MINUTE),
        ("g/a.csv", "Standard", 5 * HOUR),
        ("g/a.csv", "Bulk", 12 * HOUR),
        ("d/a.csv", "Standard", 12 * HOUR),
        ("d/a.csv", "Bulk", 48 * HOUR),
    ],
)
def test_a_restore_completes_at_the_upper_bound_of_its_class_and_tier(
    key: str, tier: str, takes: int
) -> None:
    sim = archived(key)
    obj = sim.services["buckets"].buckets["vault"].objects[key]
    assert obj.storage_class == ("GLACIER" if key.startswith("g/") else "DEEP_ARCHIVE")
    asked = sim.clock.now
    assert restore(sim, key, days=1, tier=tier)[0] == 202
    sim.clock.run_until(asked + takes - 1)
    assert not obj.readable
    assert restore_header(obj.restore.expiry) == 'ongoing-request="true"'
    sim.clock.run_until(asked + takes)
    assert obj.readable
    done = records(sim, tk.RESTORE_COMPLETED)
    assert [r.t for r in done] == [asked + takes]
    assert done[0].get("tier") == tier
    assert obj.storage_class in ("GLACIER", "DEEP_ARCHIVE")  # the archive stays where it is


def test_the_copy_lasts_its_days_from_completion_rounded_to_the_next_midnight() -> None:
    sim = archived("g/a.csv")  # asked at 2026-01-06T08:00Z, done at 13:00Z
    restore(sim, "g/a.csv", days=3)
    obj = sim.services["buckets"].buckets["vault"].objects["g/a.csv"]
    sim.clock.run_until(parse_instant("2026-01-10T00:00:00Z") - 1)
    assert obj.readable
    assert obj.restore.expiry == parse_instant("2026-01-10T00:00:00Z")
    assert restore_header(obj.restore.expiry) == (
        'ongoing-request="false", expiry-date="Sat, 10 Jan 2026 00:00:00 GMT"'
    )
    sim.clock.run_until(parse_instant("2026-01-10T00:00:00Z"))
    assert not obj.readable and obj.restore is None
    assert obj.storage_class == "GLACIER"
    assert kinds(sim) == [
        ("2026-01-06T08:00:00.000Z", tk.RESTORE_INITIATED),
        ("2026-01-06T13:00:00.000Z", tk.RESTORE_COMPLETED),
        ("2026-01-10T00:00:00.000Z", tk.RESTORE_EXPIRED),
    ]


def test_the_guides_example_day_count() -> None:
    # "if an object was restored on Oct 15, 2012 10:30 AM UTC, and the number of days that
    # you specified is 3, the object is available until Oct 19, 2012 00:00 UTC".
    restored = parse_instant("2012-10-15T10:30:00Z")
    assert expiry_at(restored, 3) == parse_instant("2012-10-19T00:00:00Z")
    # "If, on Oct 16, 2012 11:00 AM UTC, you change the number of days ... to 1, Amazon S3
    # makes the restored object available until Oct 18, 2012 00:00 UTC."
    assert expiry_at(parse_instant("2012-10-16T11:00:00Z"), 1) == parse_instant(
        "2012-10-18T00:00:00Z"
    )
    assert http_date(parse_instant("2012-12-21T00:00:00Z")) == "Fri, 21 Dec 2012 00:00:00 GMT"


@given(
    done=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9000, 1, 1)),
    days=st.integers(min_value=1, max_value=3650),
)
def test_a_copy_expires_at_a_midnight_after_its_days_and_within_a_day_of_them(
    done: datetime, days: int
) -> None:
    ms = (done.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    end = expiry_at(ms, days)
    assert end % 86_400_000 == 0
    assert ms + days * 86_400_000 < end <= ms + (days + 1) * 86_400_000


# -- refusals change nothing ------------------------------------------------------------------


def _unchanged(sim: Simulator, call: Any, match: str) -> None:
    before = (sim.trace.seq, sim.clock.pending())
    with pytest.raises(SimError, match=match):
        call()
    assert (sim.trace.seq, sim.clock.pending()) == before


def test_refusals_change_nothing() -> None:
    sim = archived("d/a.csv")
    files = sim.services["buckets"]
    files.put_object("vault", "plain.txt", content=b"hi")
    _unchanged(sim, lambda: restore(sim, "plain.txt", days=1), "InvalidObjectState")
    _unchanged(sim, lambda: restore(sim, "nope", days=1), "NoSuchKey")
    _unchanged(sim, lambda: restore(sim, "d/a.csv", days=1, tier="Expedited"), "InvalidArgument")
    _unchanged(sim, lambda: restore(sim, "d/a.csv", days=0), "InvalidArgument")
    _unchanged(sim, lambda: restore(sim, "d/a.csv", days=1, version_id="v1"), "NoSuchVersion")
    assert files.buckets["vault"].objects["d/a.csv"].restore is None
    restore(sim, "d/a.csv", days=2)
    _unchanged(sim, lambda: restore(sim, "d/a.csv", days=2), "RestoreAlreadyInProgress")
    # Slower, or faster with other days, is no upgrade.
    _unchanged(sim, lambda: restore(sim, "d/a.csv", days=2, tier="Bulk"), "AlreadyInProgress")
    assert [k for _, k in kinds(sim)] == [tk.RESTORE_INITIATED]


def test_a_faster_tier_with_the_same_days_upgrades_a_running_restore() -> None:
    sim = archived("g/a.csv")
    asked = sim.clock.now
    restore(sim, "g/a.csv", days=2, tier="Bulk")
    sim.clock.run_until(asked + HOUR)
    assert restore(sim, "g/a.csv", days=2, tier="Expedited")[0] == 202
    (upgraded,) = records(sim, tk.RESTORE_UPGRADED)
    assert (upgraded.get("from_tier"), upgraded.get("tier")) == ("Bulk", "Expedited")
    sim.clock.run_until(asked + 2 * HOUR)
    assert [r.t for r in records(sim, tk.RESTORE_COMPLETED)] == [asked + HOUR + 5 * MINUTE]
    # One restore, one Post: the upgrade sends no event of its own.
    events = [r.get("event") for r in records(sim, tk.NOTIFICATION_MATCHED)]
    assert events.count("ObjectRestore:Post") == 2  # the watcher and the default bus


def test_restoring_a_restored_object_counts_its_days_again_from_now() -> None:
    sim = archived("g/a.csv")
    restore(sim, "g/a.csv", days=5)
    sim.clock.run_until(parse_instant("2026-01-07T10:00:00Z"))
    obj = sim.services["buckets"].buckets["vault"].objects["g/a.csv"]
    assert obj.restore.expiry == parse_instant("2026-01-12T00:00:00Z")
    assert restore(sim, "g/a.csv", days=1, tier="Bulk")[0] == 200
    assert obj.restore.expiry == parse_instant("2026-01-09T00:00:00Z")  # shorter is allowed
    (ext,) = records(sim, tk.RESTORE_EXTENDED)
    assert ext.get("previous_expiry") == "2026-01-12T00:00:00.000Z"
    sim.clock.run_until(parse_instant("2026-01-13T00:00:00Z"))
    assert [r.t for r in records(sim, tk.RESTORE_EXPIRED)] == [
        parse_instant("2026-01-09T00:00:00Z")
    ]


# -- events -----------------------------------------------------------------------------------


def test_the_notification_records_of_a_restore() -> None:
    sim = archived("g/red flower.csv")
    seen = capture_inputs(sim, lambda inp: (inp.function, inp.event()))
    restore(sim, "g/red flower.csv", days=1, tier="Expedited")
    sim.clock.run_until(parse_instant("2026-01-09T00:00:00Z"))
    s3 = [e["Records"][0] for f, e in seen if f == "watcher"]
    assert [r["eventName"] for r in s3] == [
        "ObjectRestore:Post",
        "ObjectRestore:Completed",
        "ObjectRestore:Delete",
    ]
    post, completed, deleted = s3
    # One version for every event type since 2.4 (the restore delete's was 2.3).
    assert [r["eventVersion"] for r in s3] == ["2.5", "2.5", "2.5"]
    assert post["s3"]["object"]["key"] == "g/red+flower.csv"
    assert set(post["s3"]["object"]) == {"key", "size", "eTag", "sequencer"}
    assert "glacierEventData" not in post and "glacierEventData" not in deleted
    assert list(completed)[-1] == "glacierEventData"
    assert completed["glacierEventData"] == {
        "restoreEventData": {
            "lifecycleRestorationExpiryTime": "2026-01-08T00:00:00.000Z",
            "lifecycleRestoreStorageClass": "GLACIER",
        }
    }
    assert completed["eventTime"] == "2026-01-06T08:05:00.000Z"
    assert completed["requestParameters"] == {"sourceIPAddress": "s3.amazonaws.com"}
    # S3 itself completes and expires a restore: events captured from S3 (2024) name the
    # bucket owner, `AmazonCustomer:` and its id, not the requester of the restore.
    owner = completed["s3"]["bucket"]["ownerIdentity"]["principalId"]
    assert completed["userIdentity"] == {"principalId": f"AmazonCustomer:{owner}"}
    assert deleted["userIdentity"] == completed["userIdentity"]
    assert deleted["requestParameters"] == completed["requestParameters"]
    assert post["userIdentity"]["principalId"].startswith("AWS:")
    bus = [e for f, e in seen if f == "auditor" and e["detail-type"].startswith("Object Restore")]
    assert [e["detail-type"] for e in bus] == [
        "Object Restore Initiated",
        "Object Restore Completed",
        "Object Restore Expired",
    ]
    detail = bus[1]["detail"]
    assert list(detail) == [
        "version",
        "event-version",
        "bucket",
        "object",
        "request-id",
        "requester",
        "restore-expiry-time",
        "source-storage-class",
    ]
    assert detail["object"] == {
        "key": "g/red flower.csv",
        "size": BIG,
        "etag": detail["object"]["etag"],
    }
    assert detail["restore-expiry-time"] == "2026-01-08T00:00:00Z"
    assert detail["requester"] == "s3.amazonaws.com"
    assert bus[0]["detail"]["source-storage-class"] == "GLACIER"
    assert "source-ip-address" in bus[0]["detail"]


def test_stacktapes_completed_type_hears_only_the_completion() -> None:
    sim = archived("g/a.csv", event_type="s3:ObjectRestore:Completed")
    restore(sim, "g/a.csv", days=1, tier="Expedited")
    sim.clock.run_until(parse_instant("2026-01-09T00:00:00Z"))
    matched = [
        r.get("event")
        for r in records(sim, tk.NOTIFICATION_MATCHED)
        if r.get("target") == "watcher"
    ]
    assert matched == ["ObjectRestore:Completed"]
    skipped = [
        r for r in records(sim, tk.NOTIFICATION_SKIPPED) if r.get("event") == "ObjectRestore:Delete"
    ]
    assert "is not in [s3:ObjectRestore:Completed]" in skipped[0].get("reason")


# -- versions, deletes, lifecycle -------------------------------------------------------------


def test_a_noncurrent_version_is_restored_by_its_id() -> None:
    sim = archived("g/a.csv", versioning=True)
    files = sim.services["buckets"]
    old = files.buckets["vault"].objects["g/a.csv"]
    files.put_object("vault", "g/a.csv", content=b"new")
    status, obj = restore(sim, "g/a.csv", days=1, tier="Expedited", version_id=old.version_id)
    assert (status, obj) == (202, old)
    assert records(sim, tk.RESTORE_INITIATED)[0].get("version_id") == old.version_id
    sim.clock.run_until(sim.clock.now + 5 * MINUTE)
    assert old.readable
    # The current version is STANDARD (too small to move): no restore for it.
    with pytest.raises(SimError, match="InvalidObjectState"):
        restore(sim, "g/a.csv", days=1)


def test_a_deleted_object_takes_its_restore_with_it() -> None:
    sim = archived("g/a.csv")
    restore(sim, "g/a.csv", days=1)
    assert any(kind == "restore" for _, kind, _, _ in sim.agenda())
    sim.services["buckets"].delete_object("vault", "g/a.csv")
    assert not any(kind == "restore" for _, kind, _, _ in sim.agenda())
    sim.clock.run_until(sim.clock.now + 10 * HOUR)
    assert records(sim, tk.RESTORE_COMPLETED) == []


# -- commands -----------------------------------------------------------------------------------


def _session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack(), encoding="utf-8")
    session = Session.open(tmp_path, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    execute(session, "upload vault g/report.csv --size 200KB")
    execute(session, "advance 1d")
    return session


def test_the_command_show_bucket_and_the_agenda(tmp_path: Path) -> None:
    session = _session(tmp_path)
    table = execute(session, "show bucket vault").table
    assert table is not None and table[0][6] == "restore"
    assert table[1][0][6] == "archived (restore KEY to read)"
    result = execute(session, "restore vault g/report.csv --days 2 --tier bulk")
    assert result.text.startswith(
        "ObjectRestore:Post vault/g/report.csv: 202 Accepted; Bulk retrieval from GLACIER "
        "completes at 2026-01-06T20:00:00.000Z"
    )
    assert result.data["status"] == 202
    agenda = execute(session, "show agenda").text + str(execute(session, "show agenda").table)
    assert '"g/report.csv" restored (Bulk from GLACIER)' in agenda
    data = execute(session, "show bucket vault").data["objects"][0]["restore"]
    assert data == {
        "ongoing": True,
        "tier": "Bulk",
        "days": 2,
        "completes_at": "2026-01-06T20:00:00.000Z",
        "header": 'ongoing-request="true"',
    }
    with pytest.raises(CommandError, match="RestoreAlreadyInProgress"):
        execute(session, "restore vault g/report.csv --days 2 --tier Bulk")
    execute(session, "advance 12h")
    row = execute(session, "show bucket vault").table[1][0]
    assert row[6] == "restored until 2026-01-09T00:00:00.000Z"
    assert "200 OK" in execute(session, "restore vault g/report.csv --days 9").text
    chain = execute(session, "explain g/report.csv").text
    for kind in (tk.RESTORE_INITIATED, tk.RESTORE_COMPLETED, tk.RESTORE_EXTENDED):
        assert kind in chain


def test_restore_of_an_object_too_small_to_archive_says_why(tmp_path: Path) -> None:
    session = _session(tmp_path)
    execute(session, "upload vault g/small.csv --size 1KB")
    execute(session, "upload vault plain.csv --size 1KB")
    execute(session, "advance 1d")
    with pytest.raises(CommandError) as refused:
        execute(session, "restore vault g/small.csv")
    assert str(refused.value).startswith("InvalidObjectState:")
    assert refused.value.hint == (
        "'g/small.csv' is STANDARD, not moved to GLACIER by lifecycleRules[0]: it is 1,000 "
        "bytes, under the 128 KB S3 transitions at least; it can be read as it is"
    )
    # No rule would archive this one: the refusal says what can be restored.
    with pytest.raises(CommandError) as refused:
        execute(session, "restore vault plain.csv")
    assert refused.value.hint.startswith("'plain.csv' is STANDARD: only GLACIER and DEEP")


def test_the_agenda_shows_a_restored_keys_control_characters_as_stptui_does() -> None:
    sim = archived('g/"\x1b".csv')
    restore(sim, 'g/"\x1b".csv', days=1)
    (what,) = [e[3] for e in sim.agenda() if e[1] == "restore"]
    assert '"g/\\"\\x1b\\".csv" restored (Standard from GLACIER)' in what


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ("restore vault g/report.csv --days 0", "--days must be a whole number"),
        ("restore vault g/report.csv --days many", "--days must be a whole number"),
        ("restore vault g/report.csv --days 12345678", "from 1 to 9,999,999, not '12345678'"),
        ("restore vault g/report.csv --tier fast", "--tier must be one of"),
        ("restore vault nope.csv", "NoSuchKey"),
        ("restore nobucket g/report.csv", "no bucket named"),
    ],
)
def test_bad_restore_commands_are_refused_and_change_nothing(
    tmp_path: Path, line: str, match: str
) -> None:
    session = _session(tmp_path)
    seq = session.sim.trace.seq
    with pytest.raises(CommandError, match=match):
        execute(session, line)
    assert session.sim.trace.seq == seq


def test_the_command_restores_the_version_version_id_names(tmp_path: Path) -> None:
    # `--version-id` used to be read under the wrong key and ignored: the command restored
    # the current version, and took any id at all without a NoSuchVersion.
    (tmp_path / "stacktape.yml").write_text(stack(versioning=True), encoding="utf-8")
    session = Session.open(tmp_path, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    old = execute(session, "upload vault g/report.csv --size 200KB").data["version_id"]
    execute(session, "advance 1d")
    execute(session, "upload vault g/report.csv --size 200KB")  # current, STANDARD
    seq = session.sim.trace.seq
    with pytest.raises(CommandError, match="NoSuchVersion"):
        execute(session, "restore vault g/report.csv --version-id nosuch")
    assert session.sim.trace.seq == seq
    result = execute(session, f"restore vault g/report.csv --version-id {old}")
    assert result.text.startswith(f"ObjectRestore:Post vault/g/report.csv version {old}: 202")
    assert result.data["version_id"] == old
    assert records(session.sim, tk.RESTORE_INITIATED)[0].get("version_id") == old


def test_an_unversioned_bucket_refuses_a_version_id(tmp_path: Path) -> None:
    session = _session(tmp_path)
    seq = session.sim.trace.seq
    with pytest.raises(CommandError, match="NoSuchVersion: bucket vault has no versioning"):
        execute(session, "restore vault g/report.csv --version-id abc")
    assert session.sim.trace.seq == seq


# -- Step Functions -----------------------------------------------------------------------------


def _machine(tmp_path: Path) -> Session:
    sdk = "arn:aws:states:::aws-sdk:s3:"
    definition = {
        "StartAt": "Restore",
        "States": {
            "Restore": {
                "Type": "Task",
                "Resource": sdk + "restoreObject",
                "Parameters": {
                    "Bucket": "vault",
                    "Key": "g/report.csv",
                    "RestoreRequest": {"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}},
                },
                "ResultPath": "$.restore",
                "Next": "Head",
            },
            "Head": {
                "Type": "Task",
                "Resource": sdk + "headObject",
                "Parameters": {"Bucket": "vault", "Key": "g/report.csv"},
                "ResultPath": "$.head",
                "Next": "TooSoon",
            },
            "TooSoon": {
                "Type": "Task",
                "Resource": sdk + "getObject",
                "Parameters": {"Bucket": "vault", "Key": "g/report.csv"},
                "Catch": [
                    {
                        "ErrorEquals": ["S3.InvalidObjectStateException"],
                        "ResultPath": "$.error",
                        "Next": "Wait",
                    }
                ],
                "End": True,
            },
            "Wait": {"Type": "Wait", "Seconds": 300, "Next": "Read"},
            "Read": {
                "Type": "Task",
                "Resource": sdk + "getObject",
                "Parameters": {"Bucket": "vault", "Key": "g/report.csv"},
                "ResultSelector": {"Restore.$": "$.Restore", "Body.$": "$.Body"},
                "ResultPath": "$.read",
                "End": True,
            },
        },
    }
    text = json.loads(stack())
    text["resources"]["flow"] = {"type": "state-machine", "properties": {"definition": definition}}
    (tmp_path / "stacktape.yml").write_text(json.dumps(text), encoding="utf-8")
    session = Session.open(tmp_path, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    execute(session, "upload vault g/report.csv --content " + "'" + "x" * BIG + "'")
    execute(session, "advance 1d")
    return session


def test_a_workflow_restores_reads_too_soon_waits_and_reads(tmp_path: Path) -> None:
    session = _machine(tmp_path)
    execution = lookup_machine(session.sim, "flow").start({}, "fetch")
    session.sim.advance(3_600_000)
    (done,) = records(session.sim, tk.SFN_EXECUTION_SUCCEEDED)
    history = {r.get("state"): r for r in records(session.sim, tk.SFN_TASK_FAILED)}
    assert history["TooSoon"].get("error") == "S3.InvalidObjectStateException"
    result = execution.output
    assert result["restore"] == {}
    assert result["head"]["Restore"] == 'ongoing-request="true"'
    assert result["head"]["StorageClass"] == "GLACIER"
    assert result["read"]["Restore"] == (
        'ongoing-request="false", expiry-date="Thu, 08 Jan 2026 00:00:00 GMT"'
    )
    assert result["read"]["Body"] == "x" * BIG
    assert done.t == parse_instant("2026-01-06T08:05:00Z")


def test_a_second_restore_in_a_workflow_fails_with_the_sdk_error(tmp_path: Path) -> None:
    session = _machine(tmp_path)
    # Other days than the workflow's: no upgrade, a refusal.
    execute(session, "restore vault g/report.csv --days 3 --tier Bulk")
    lookup_machine(session.sim, "flow").start({}, "again")
    session.sim.advance(60_000)
    (failed,) = records(session.sim, tk.SFN_EXECUTION_FAILED)
    assert failed.get("error") == "S3.RestoreAlreadyInProgressException"
    assert failed.get("cause") == "Object restore is already in progress"


def test_the_bucket_inspector_shows_the_restore_next_to_the_class_as_plain_text() -> None:
    from rich.text import Text

    from stptui.tui.widgets.inspector_sources import bucket_section

    sim = archived("g/[bold red]x[/]")
    restore(sim, "g/[bold red]x[/]", days=1)
    text = Text()
    bucket_section(text, sim, "vault")
    line = next(ln for ln in text.plain.splitlines() if ln.startswith("g/"))
    assert (
        line
        == f"g/[bold red]x[/] {BIG:,} B GLACIER restoring (Standard) until 2026-01-06T13:00:00.000Z"
    )
