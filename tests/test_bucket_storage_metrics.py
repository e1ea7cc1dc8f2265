"""S3's daily storage metrics of a bucket: NumberOfObjects (every version S3 keeps, delete
markers included) and BucketSizeBytes of StandardStorage, one datapoint a midnight UTC, the
bucket as it stood just before that midnight."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import ExpectationFailed, Session, execute
from stptui.sim.clock import parse_instant
from stptui.sim.metrics import compute
from stptui.sim.s3_lifecycle import DAY_MS
from stptui.sim.trace import Trace

START = parse_instant("2026-01-05T08:00:00Z")
MIDNIGHT = parse_instant("2026-01-06T00:00:00Z")
BIG = 200 * 1024  # over the 128 KB S3 transitions at least


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the stacks of this module (module-scoped: hypothesis reuses it)."""
    return tmp_path_factory.mktemp("stacks")


def _session(
    folder: Path, versioning: bool = False, rules: list[dict[str, Any]] | None = None
) -> Session:
    """A stack of one bucket `files`."""
    props: dict[str, Any] = {"versioning": versioning, "lifecycleRules": rules or []}
    path = folder / f"bucket-{versioning}-{len(rules or [])}.yml"
    path.write_text(json.dumps({"resources": {"files": {"type": "bucket", "properties": props}}}))
    return Session.open(path, start_ms=START)


def _storage(session: Session) -> tuple[float | None, float | None]:
    res = compute(session.sim).resources["files"]
    objects, size = (
        res.figure("NumberOfObjects", "Average"),
        res.figure("BucketSizeBytes", "Average"),
    )
    assert objects is not None and size is not None
    return objects.value, size.value


def test_no_midnight_in_the_window_no_datapoint(stacks: Path) -> None:
    session = _session(stacks)
    execute(session, "upload files a.txt --size 10")
    execute(session, "advance 15h")
    assert _storage(session) == (None, None)
    try:
        execute(session, "expect metric.files.NumberOfObjects.Maximum == 1")
    except ExpectationFailed as failed:
        assert "no datapoint" in failed.message
    else:
        raise AssertionError("S3 publishes its storage metrics once a day")


def test_each_midnight_measures_what_stood_before_it(stacks: Path) -> None:
    session = _session(stacks)
    execute(session, "upload files a.txt --size 100")
    execute(session, "upload files b.txt --size 300")
    execute(session, "advance 16h")  # to the first midnight: the upload there is the next day's
    assert session.sim.clock.now == MIDNIGHT
    execute(session, "upload files c.txt --size 600")
    execute(session, "advance 1d")
    execute(session, "expect metric.files.NumberOfObjects.SampleCount == 2")
    execute(session, "expect metric.files.NumberOfObjects.Minimum == 2")
    execute(session, "expect metric.files.NumberOfObjects.Maximum == 3")
    execute(session, "expect metric.files.BucketSizeBytes.Minimum == 400")
    execute(session, "expect metric.files.BucketSizeBytes.Maximum == 1000")
    assert _storage(session) == (2.5, 700)
    # A window's ends are its own: the last day holds both midnights, the last 23 hours one.
    execute(session, "expect metric.files.NumberOfObjects.SampleCount == 2 --since 1d")
    execute(session, "expect metric.files.NumberOfObjects.Average == 3 --since 23h")


def test_versions_and_delete_markers_count_and_archived_bytes_leave_standard(
    stacks: Path,
) -> None:
    rules = [
        {
            "type": "class-transition",
            "properties": {"daysAfterUpload": 1, "storageClass": "GLACIER"},
        }
    ]
    session = _session(stacks, versioning=True, rules=rules)
    execute(session, f"upload files a.txt --size {BIG}")
    execute(session, f"upload files a.txt --size {BIG}")  # the first is noncurrent now
    # The current version's transition is due a day after its upload, rounded up to the
    # next midnight: 2026-01-07, which measures the bucket before it moved.
    execute(session, "advance 2d16h")
    execute(session, "delete files a.txt")  # a delete marker on top, at 2026-01-08
    execute(session, "advance 1d")
    sim = session.sim
    files = sim.services["buckets"].bucket("files")
    days = files.datapoints(START, sim.clock.now)
    assert [(d - MIDNIGHT) // DAY_MS for d, _, _ in days] == [0, 1, 2, 3]
    # Both versions every day, and the marker from the last; the noncurrent version is
    # under no noncurrent rule and stays STANDARD.
    assert [n for _, n, _ in days] == [2, 2, 2, 3]
    assert [b for _, _, b in days] == [2 * BIG, 2 * BIG, BIG, BIG]


_ACTIONS = st.one_of(
    st.tuples(st.just("upload"), st.sampled_from("abc"), st.integers(0, 5000)),
    st.tuples(st.just("delete"), st.sampled_from("abc"), st.just(0)),
    st.tuples(st.just("advance"), st.sampled_from(("1h", "7h", "16h", "1d")), st.just(0)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ACTIONS, max_size=25), st.booleans(), st.booleans())
def test_a_midnight_holds_the_contents_after_the_last_change_before_it(
    stacks: Path, actions: list[tuple[str, str, int]], versioning: bool, small_ring: bool
) -> None:
    """Only commands change this bucket: a midnight's datapoint is what the last command
    before it left (one at the midnight itself is the next day's), whatever the trace's
    ring dropped."""
    session = _session(stacks, versioning)
    if small_ring:
        session.sim.trace = Trace(ring_size=8)
    sim = session.sim
    files = sim.services["buckets"].bucket("files")
    seen = [(sim.clock.now, files.storage())]
    for verb, key, size in actions:
        if verb == "upload":
            line = f"upload files {key} --size {size}"
        elif verb == "delete":
            line = f"delete files {key}"
        else:
            line = f"advance {key}"
        execute(session, line)
        seen.append((sim.clock.now, files.storage()))
    expected = []
    midnight = MIDNIGHT
    while midnight <= sim.clock.now:
        expected.append((midnight, *[s for t, s in seen if t < midnight][-1]))
        midnight += DAY_MS
    assert files.datapoints(START, sim.clock.now) == expected
