"""`expect stream.S.FIELD` and `expect table.T.FIELD`: the figures `show stream` and `show
table` list, read by `expect`, offered by completion and checked before Enter."""

from __future__ import annotations

from pathlib import Path

import pytest
from replkit import complete, metas

from stptui.commands import CommandError, Session, complete_values, execute
from stptui.commands import registry as kinds
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"

# A stream nothing reads, a table with a stream its reader fails on, a table without one.
STACK = """\
serviceName: figures
resources:
  clicks:
    type: kinesis-stream
    properties: {retentionPeriodHours: 24}
  carts:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_IMAGE
  audit:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: dynamo-db-stream
          properties:
            streamArn: $ResourceParam('carts', 'streamArn')
            maximumRetryAttempts: 1
  plain:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    path = tmp_path / "stacktape.yml"
    path.write_text(STACK)
    return Session.open(path, start_ms=T0)


def value(session: Session, path: str) -> int:
    """The actual value `expect PATH` reads (the comparison is made to hold)."""
    result = execute(session, f"expect {path} >= 0")
    return int(result.data["actual"])


def refused(session: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        execute(session, line)
    return info.value


def item(key: str) -> str:
    return f'\'{{"id": {{"S": "{key}"}}}}\''


def test_a_stream_nobody_reads_holds_its_records_until_they_expire(session: Session) -> None:
    for n in range(3):
        execute(session, f"put-record clicks r{n} --partition-key k{n}")
    assert value(session, "stream.clicks.records") == 3
    # No reader: nothing waits for one.
    assert value(session, "stream.clicks.waiting") == 0
    assert value(session, "stream.clicks.expired") == 0
    execute(session, "advance 24h")
    assert value(session, "stream.clicks.records") == 0
    assert execute(session, "expect stream.clicks.expired == 3").text == (
        "ok: stream.clicks.expired == 3 (actual 3)"
    )


def test_the_kinesis_example_blocked_then_drained() -> None:
    """The poison record of docs/examples/clickstream.yml: 2 records wait behind a batch that
    has used 2 retries; during its last attempt 1 record is in flight; then all is done."""
    s = Session.open(
        EXAMPLES / "clickstream.yml",
        start_ms=T0,
        behaviors_path=EXAMPLES / "clickstream-behaviors.yml",
    )
    execute(s, 'put-record clicks \'{"page": "/cart", "bad": true}\' --partition-key u1')
    execute(s, 'put-record clicks \'{"page": "/pay"}\' --partition-key u1')
    # Put, and not read until the clock moves.
    assert value(s, "stream.clicks.waiting") == 2
    execute(s, "advance 2500ms")
    figures = {f: value(s, f"stream.clicks.{f}") for f in ("waiting", "in_flight", "retries")}
    assert figures == {"waiting": 2, "in_flight": 0, "retries": 2}
    # The same figures as `show stream`'s rows, summed.
    lanes = [lane for r in execute(s, "show stream clicks").data["readers"] for lane in r["lanes"]]
    assert figures == {f: sum(lane[f] for lane in lanes) for f in figures}
    execute(s, "advance 850ms")
    assert value(s, "stream.clicks.in_flight") == 1
    execute(s, "advance 1m")
    for field in ("waiting", "in_flight", "retries"):
        assert execute(s, f"expect stream.clicks.{field} == 0").data["ok"]
    assert value(s, "stream.clicks.records") == 2  # read, and still held until they expire


def test_table_items_and_its_stream(session: Session) -> None:
    execute(session, "fail audit always")
    for key in ("a", "b", "c"):
        execute(session, f"put-item carts {item(key)}")
    execute(session, f"put-item plain {item('x')}")
    execute(session, f"delete-item carts {item('b')}")
    assert value(session, "table.carts.items") == 2
    assert value(session, "table.plain.items") == 1
    # 3 INSERTs and a REMOVE, in one batch that fails and waits for its retry.
    assert value(session, "table.carts.records") == 4
    execute(session, "advance 150ms")
    assert value(session, "table.carts.waiting") == 4
    assert value(session, "table.carts.retries") == 1
    execute(session, "advance 1s")
    # maximumRetryAttempts 1: given up.
    assert value(session, "table.carts.waiting") == 0
    assert value(session, "table.carts.retries") == 0


def test_a_failed_figure_says_both_values(session: Session) -> None:
    execute(session, f"put-item carts {item('a')}")
    with pytest.raises(CommandError) as info:
        execute(session, "expect table.carts.items == 3")
    assert info.value.message == "expected table.carts.items == 3, actual 1"


def test_errors_name_what_is_valid(session: Session) -> None:
    e = refused(session, "expect stream.clics.waiting == 0")
    assert (e.message, e.hint) == ("no kinesis-stream named 'clics'", "did you mean clicks?")
    e = refused(session, "expect stream.clicks.wiating == 0")
    assert (e.message, e.hint) == (
        "stream has no statistic 'wiating'",
        "did you mean stream.clicks.waiting?",
    )
    e = refused(session, "expect stream.clicks.depth == 0")
    assert e.hint == "use one of records, waiting, in_flight, retries, expired"
    e = refused(session, "expect table.nosuch.items == 0")
    assert e.message == "no dynamo-db-table named 'nosuch'"
    assert e.hint == "dynamo-db tables in this stack: carts, plain"
    # A table's stream goes by the table's path.
    e = refused(session, "expect stream.carts.waiting == 0")
    assert (e.message, e.hint) == (
        "'carts' is a dynamo-db-table, not a kinesis-stream",
        "did you mean table.carts.waiting?",
    )
    e = refused(session, "expect table.plain.waiting == 0")
    assert e.message == "table plain has no stream (no streamType), so no waiting"
    assert e.hint == "its one figure is table.plain.items"
    e = refused(session, "expect strem.clicks.waiting == 0")
    assert e.message == "unknown path 'strem.clicks.waiting'"
    assert e.hint == "did you mean stream.clicks.waiting?"


def test_completion_offers_each_stream_and_table_figure(session: Session) -> None:
    paths = complete_values(session, kinds.EXPECT_PATH)
    assert [p for p in paths if p.startswith(("stream.", "table."))] == [
        "stream.clicks.records",
        "stream.clicks.waiting",
        "stream.clicks.in_flight",
        "stream.clicks.retries",
        "stream.clicks.expired",
        "table.carts.items",
        "table.carts.records",
        "table.carts.waiting",
        "table.carts.in_flight",
        "table.carts.retries",
        "table.carts.expired",
        # No streamType: only its items.
        "table.plain.items",
    ]
    execute(session, "put-record clicks x")
    assert metas(session, "expect stream.clicks.rec")["stream.clicks.records"] == "now 1"
    assert complete(session, "expect stream.clicks.records == ") == ["1"]


def test_a_bad_path_is_refused_before_enter(session: Session) -> None:
    p = check(session, "expect stream.clics.waiting == 0")
    assert p is not None
    assert p.format() == "no kinesis-stream named 'clics' (did you mean clicks?)"
    assert p.position == len("expect ")
    # While the path is being typed it is not judged yet; once a space follows, it is.
    assert check(session, "expect stream.clicks.wait", final=False) is None
    p = check(session, "expect stream.clicks.wait ", final=False)
    assert p is not None and p.hint == "did you mean stream.clicks.waiting?"
    p = check(session, "expect table.plain.in_flight == 0")
    assert p is not None and p.hint == "its one figure is table.plain.items"
    # Queues are checked the same way now.
    p = check(session, "expect queue.nosuch.depth == 0")
    assert p is not None and p.message == "no queue named 'nosuch'"
    assert check(session, "expect table.carts.items == 0") is None
    assert check(session, "expect stream.clicks.expired >= 0") is None
