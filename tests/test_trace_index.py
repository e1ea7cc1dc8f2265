"""`explain` and `show message` read an item's records through the trace's index
(stptui.sim.trace_index.TraceIndex) and say exactly what a scan of the whole ring says: every
id, literal and prefix of the sample demos' traces, on a ring that overflows and is pruned,
and after `undo` rebuilds the simulation; its tables split in parts (`SplitTable`) read as
one dict would, and grow a part at a time."""

from __future__ import annotations

import random
import sys
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.commands.handlers.expect import _count_matching
from stptui.commands.handlers.state_machines import explain_execution
from stptui.commands.registry import CommandError
from stptui.sim.clock import parse_instant
from stptui.sim.explain import FOLLOW_FIELDS, MIN_PREFIX, chains_of, explain
from stptui.sim.trace import Record, RecordRing, Trace
from stptui.sim.trace_index import (
    _SHIFT,
    OBJECT_KINDS,
    PARTS,
    SplitTable,
    id_field,
    ids_in,
    trace_index,
)

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "stptui" / "sample_stacks"
DEMOS = sorted(STACKS.glob("*/demo.stp"))
# The docs' examples that run from their stack alone (`stacktape.yml` beside the script),
# among them every kind of Step Functions integration an execution's chain follows.
EXAMPLES = [
    ROOT / "docs" / "examples" / f"{name}.stp"
    for name in (
        "alb-alarms",
        "aws-choices",
        "batch-trigger-size",
        "function-urls",
        "kafka-orders",
        "lifecycle",
        "page-render-limits",
        "replay",
        "report-jobs",
        "restore",
        "result-writer",
        "sns-filtered",
        "web-service",
        "workflow-integrations",
        "workflow-replay",
        "workflow-sdk",
    )
]
START = parse_instant("2026-01-05T08:00:00Z")


# -- the scans the index replaced, kept here as the reference ------------------------------


def scanned_ring(trace: Trace) -> tuple[list[Record], dict[str, list[int]]]:
    """The ring's records, and where each id is among them: a scan of the whole ring."""
    records = list(trace.records)
    by_id: dict[str, list[int]] = {}
    for i, rec in enumerate(records):
        for name, value in rec.data.items():
            for ident in ids_in(name, value):
                by_id.setdefault(ident, []).append(i)
    return records, by_id


def scanned_chain(
    trace: Trace, key: str, scan: tuple[list[Record], dict[str, list[int]]]
) -> tuple[list[Record], list[str], bool]:
    """`explain` as it was: a scan of the ring (`scanned_ring` of it as it is now, made
    once for the many keys of one check) and a walk of it."""
    records, by_id = scan
    seeds = by_id.get(key) or [
        i
        for i, rec in enumerate(records)
        if key in (rec.get("key"), rec.get("path"), rec.get("username"), rec.get("alias"))
    ]
    bucket, _, object_key = key.partition("/")
    if not seeds and bucket and object_key:
        seeds = [
            i
            for i, rec in enumerate(records)
            if rec.resource == bucket
            and rec.get("key") == object_key
            and rec.kind.startswith(OBJECT_KINDS)
        ]
    asked: str | None = key if key in by_id else None
    candidates: list[str] = []
    if not seeds and len(key) >= MIN_PREFIX:
        ids = sorted(i for i in by_id if i.startswith(key)) or sorted(
            i for i in by_id if i.casefold().startswith(key.casefold())
        )
        if len(ids) > 1:
            candidates = ids
        elif ids:
            asked = ids[0]
            seeds = by_id[asked]
    if not seeds:
        return [], candidates, False
    seen, from_seed, todo, followed = set(seeds), frozenset(seeds), deque(seeds), set()
    while todo:
        i = todo.popleft()
        for name, value in records[i].data.items():
            if isinstance(value, list) and (i not in from_seed or asked in ids_in(name, value)):
                continue
            for ident in ids_in(name, value):
                if ident not in followed:
                    followed.add(ident)
                    for j in by_id.get(ident, ()):
                        if j not in seen:
                            seen.add(j)
                            todo.append(j)
    chain = [records[i] for i in sorted(seen)]
    maxlen = trace.records.maxlen
    truncated = len(records) == maxlen and chain[0].seq == records[0].seq
    return chain, [], truncated


def scanned_history(trace: Trace, mid: str) -> list[Record]:
    """`show message`'s history as it was: every record of the ring that names `mid`."""
    return [
        r
        for r in trace.records
        if r.get("message_id") == mid
        or r.get("new_message_id") == mid
        or mid in (r.get("message_ids") or ())
    ]


def scanned_message_ids(trace: Trace) -> set[str]:
    return {
        mid
        for r in trace.records
        for name in ("message_id", "new_message_id")
        if isinstance(mid := r.get(name), str)
    }


def scanned_execution(s: Session, ex: Any) -> list[dict[str, Any]]:
    """`explain EXECUTION`'s records as it read them: scans of the ring, and the chain of
    each id its integrations delivered."""
    trace = s.sim.trace
    every = list(trace.records)
    invocations = {
        r.get("invocation_id")
        for r in every
        if r.kind == "sfn.task.started" and r.get("execution_arn") == ex.arn
    }
    delivered: set[int] = set()
    scan = scanned_ring(trace)
    for r in every:
        if (
            r.kind == "sfn.task.called"
            and r.get("execution_arn") == ex.arn
            and r.get("delivered_id")
        ):
            delivered.update(c.seq for c in scanned_chain(trace, r.get("delivered_id"), scan)[0])
    for r in every:
        if r.get("source") == f"{ex.machine.name}:{ex.name}":
            delivered.add(r.seq)
            ident = next((r.data[f] for f in FOLLOW_FIELDS if f != "key" and r.get(f)), None)
            if isinstance(ident, str):
                delivered.update(c.seq for c in scanned_chain(trace, ident, scan)[0])
    return [
        r.to_json()
        for r in every
        if r.get("execution_arn") == ex.arn
        or (r.kind.startswith("invocation.") and r.get("invocation_id") in invocations)
        or r.seq in delivered
    ]


def scanned_count(trace: Trace, kind: str, field: str, value: str) -> int:
    return sum(r.kind == kind and r.get(field) == value for r in trace.records)


def keys_of(trace: Trace, most: int) -> list[str]:
    """Ids, literals and id prefixes (exact case, upper case, too short) of the trace, at
    most `most` of them, spread over it."""
    keys: dict[str, None] = {}
    for rec in trace.records:
        for name, value in rec.data.items():
            for ident in ids_in(name, value):
                keys[ident] = None
        for name in ("key", "path", "username", "alias"):
            if isinstance(value := rec.get(name), str):
                keys[value] = None
                keys[f"{rec.resource}/{value}"] = None
    every = list(keys)
    step = max(1, len(every) // most)
    picked = every[::step]
    prefixes = [k[:n] for k in picked[:40] for n in (3, 4, 8) if len(k) > n]
    return [*picked, *prefixes, *(p.upper() for p in prefixes), "no-such-key", "ab"]


def same(got: Any, want: Any) -> bool:
    return [(r.seq, r.kind, r.resource, r.data) for r in got] == [
        (r.seq, r.kind, r.resource, r.data) for r in want
    ]


def check_trace(session: Session, most: int = 150) -> int:
    """Compare every kind of key, `expect count` by id and each execution's chain with the
    scans; how many keys were compared."""
    trace = session.sim.trace
    keys = keys_of(trace, most)
    scan = scanned_ring(trace)  # explain reads the ring, never adds to it
    for key in keys:
        chain = explain(trace, key)
        records, candidates, truncated = scanned_chain(trace, key, scan)
        assert same(chain.records, records), key
        assert (chain.candidates, chain.truncated) == (candidates, truncated), key
    index = trace_index(trace)
    named = scanned_message_ids(trace)
    assert set(index.named_messages()) == named
    for mid in sorted(named)[:: max(1, len(named) // most)]:
        assert index.named_message(mid)
        assert same(index.message_records(mid), scanned_history(trace, mid)), mid
    # `expect count KIND FIELD=ID`, one record of each kind and id field.
    pairs = {
        (r.kind, name, value)
        for r in trace.records
        for name, value in r.data.items()
        if id_field(name) and isinstance(value, str) and value and not value.isdigit()
    }
    for kind, name, value in sorted(pairs)[:: max(1, len(pairs) // most)]:
        kept = sum(r.kind == kind for r in trace.records)
        if kept < trace.count(kind):
            # The ring dropped some of the kind's records: the count is refused, as before.
            with pytest.raises(CommandError, match="cannot be filtered by field"):
                _count_matching(session.sim, kind, None, [f"{name}={value}"])
            continue
        got = _count_matching(session.sim, kind, None, [f"{name}={value}"])
        assert got == scanned_count(trace, kind, name, value) > 0, (kind, name, value)
    for machine in session.sim.services.get("state_machines", {}).values():
        for ex in machine.executions.values():
            assert explain_execution(session.sim, ex).data["records"] == scanned_execution(
                session, ex
            ), ex.name
    return len(keys)


# -- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("demo", DEMOS, ids=lambda p: p.parent.name)
def test_explain_and_message_history_match_a_scan_of_the_demo_trace(demo: Path) -> None:
    s = Session.open(demo.parent, start_ms=START)
    execute(s, f"source {demo}")
    assert len(s.sim.trace.records) > 5
    assert check_trace(s) > 5


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.stem)
def test_explain_executions_and_counts_match_a_scan_of_the_examples(script: Path) -> None:
    s = Session.open(script.with_suffix(".yml"), start_ms=START)
    execute(s, f"source {script}")
    assert check_trace(s) > 3


def _long_session(ring: int) -> Session:
    s = Session.open(STACKS / "job-queue", start_ms=START)
    trace = s.sim.trace
    trace.settle()
    trace.records = RecordRing(ring, trace.settle)
    return s


def test_a_ring_that_drops_records_drops_them_from_explain_and_show_message() -> None:
    s = _long_session(300)
    trace = s.sim.trace
    first_ids: list[str] = []
    for round_ in range(6):
        for i in range(40):
            execute(s, f"send jobQueue '{{\"orderId\": {round_ * 40 + i}}}'")
        execute(s, "advance 2m")
        if not first_ids:
            first_ids = sorted(scanned_message_ids(trace))[:5]
        check_trace(s, most=40)
    # The ring turned over several times: the index was pruned, and the first messages are
    # gone from both the scans and the index.
    assert trace.records.first_seq > 2 * 300
    index = trace_index(trace)
    assert index._pruned > 1
    for mid in first_ids:
        assert not index.named_message(mid) and index.message_records(mid) == []
        assert not explain(trace, mid).found
    # What the index keeps is bounded by the ring, not by the records ever emitted.
    held = sum(map(len, index._ids.values()))
    assert held < 4 * 2 * 300


def test_the_chains_of_several_keys_are_each_keys_chain_joined() -> None:
    # `explain EXECUTION` joins the chains of what the execution delivered, and walks a
    # key's chain only when it can add to the ones before: C's records are all in A's
    # chain, but C's own record has a list (`cause_ids`) that C's chain follows, to B.
    a, b, c = (f"00000000-0000-4000-8000-00000000000{n}" for n in "abc")
    trace = Trace()
    for fields in (
        ("sfn.task.called", "flow", "arn:x", a, ("execution_arn", "delivered_id")),
        ("sfn.task.called", "flow", "arn:x", c, ("execution_arn", "delivered_id")),
        ("message.sent", "q", c, [b], ("message_id", "cause_ids")),
        ("message.sent", "q", b, ("message_id",)),
    ):
        trace.emit((START, *fields))
    trace.settle()
    joined = {r.seq: r for key in (a, c, b) for r in explain(trace, key).records}
    assert len(joined) == 4 and len(explain(trace, a).records) == 3
    for keys in ((a, c), (a, c, b), (c, a), (b, a)):
        assert sorted(chains_of(trace, keys)) == sorted(joined), keys


def test_show_message_and_explain_after_undo_read_the_rebuilt_trace() -> None:
    s = Session.open(STACKS / "job-queue", start_ms=START)
    for i in range(5):
        execute(s, f"send jobQueue '{{\"orderId\": {i}}}'")
    execute(s, "advance 1m")
    mid = sorted(scanned_message_ids(s.sim.trace))[0]
    before = execute(s, f"show message {mid}").data
    assert {"message.sent", "message.deleted"} <= {r["kind"] for r in before["history"]}
    execute(s, "send jobQueue '{\"orderId\": 99}'")
    sent = execute(s, "show trace 1").data[0]["message_id"]
    assert execute(s, f"show message {sent}").data["history"]
    execute(s, "undo")
    # The rebuilt simulation has no such message: its index is the new trace's.
    assert sent not in scanned_message_ids(s.sim.trace)
    with pytest.raises(CommandError, match="no message"):
        execute(s, f"show message {sent}")
    assert execute(s, f"show message {mid}").data == before
    check_trace(s)


def test_show_message_takes_a_unique_prefix_and_refuses_a_shared_one() -> None:
    s = Session.open(STACKS / "job-queue", start_ms=START)
    for i in range(30):
        execute(s, f"send jobQueue '{{\"orderId\": {i}}}'")
    execute(s, "advance 5m")
    ids = sorted(scanned_message_ids(s.sim.trace))
    mid = ids[0]
    start = next(
        mid[:n] for n in range(MIN_PREFIX, len(mid)) if sum(i.startswith(mid[:n]) for i in ids) == 1
    )
    assert execute(s, f"show message {start}").data["message_id"] == mid
    # Ids that share their first character: a prefix of one character is too short.
    with pytest.raises(CommandError, match="too short"):
        execute(s, f"show message {mid[0]}")
    with pytest.raises(CommandError, match="no message"):
        execute(s, "show message zzzz")


def _tables(s: Session) -> tuple[Any, ...]:
    index = trace_index(s.sim.trace)
    index.of_id("")  # brings both parts up to date, as a read does
    index.named_message("")
    return (
        index._ids,
        index._literals,
        index._objects,
        index._sources,
        index._messages,
        index._named,
    )


@pytest.mark.parametrize("ring", [100_000, 700], ids=["keeps-all", "turns-over"])
def test_an_index_warmed_in_small_steps_while_the_run_goes_on_reads_as_a_cold_one(
    ring: int,
) -> None:
    # The terminal UI warms the index a few thousand records at a time between frames,
    # while the clock may run between two steps: what `show message` and `explain` then
    # say is what they say of an index made by one read at the end.
    warmed, cold = _long_session(ring), _long_session(ring)
    steps = 0
    for round_ in range(5):
        for s in (warmed, cold):
            execute(s, f"repeat 60 send jobQueue '{{\"orderId\": {round_}{{i}}}}'")
            execute(s, "advance 90s")
        index = trace_index(warmed.sim.trace)
        # Part of the way only: the next round's records land while it is behind.
        for _ in range(3):
            steps += 1
            if index.warm(37):
                break
        assert index.behind > 0 or round_ == 4
    while not trace_index(warmed.sim.trace).warm(37):
        steps += 1
    assert steps > 20 and trace_index(warmed.sim.trace).behind == 0
    assert _tables(warmed) == _tables(cold)
    mids = sorted(scanned_message_ids(cold.sim.trace))
    assert len(mids) > 50
    for mid in mids[::7]:
        for look in ("show message", "explain"):
            assert execute(warmed, f"{look} {mid}").data == execute(cold, f"{look} {mid}").data
    check_trace(warmed, most=40)


# -- the split tables: a plain dict's answers, without a plain dict's stalls ------------------

# Ids as the trace carries them (UUIDs, an S3 request id, a Kinesis sequence number, an ARN),
# and text a user may type: the empty string, other scripts, an id's start.
POOL = [
    "0f8e2c1a-1b2c-4d3e-8f4a-5b6c7d8e9f00",
    "0f8e2c1a-1b2c-4d3e-8f4a-5b6c7d8e9f01",
    "a3c1e5d7-0000-4000-a000-000000000001",
    "4F2A9C0B11D3E5F7",
    "49590338271490256608559692538361571095921575989136588898",
    "arn:aws:states:eu-west-1:000000000000:execution:flow:run-1",
    "",
    "é-日本",
    "0f8e",
]
values = st.one_of(st.sampled_from(POOL), st.none(), st.integers(0, 3))
fields = st.fixed_dictionaries(
    {},
    optional={
        "message_id": values,
        "new_message_id": values,
        "message_ids": st.lists(st.sampled_from(POOL), max_size=3),
        "request_id": values,
        "key": values,
        "source": values,
        "detail": st.sampled_from([f"for {i}" for i in POOL]),
    },
)
index_steps = st.lists(
    st.one_of(
        st.tuples(st.just("emit"), st.tuples(fields, st.booleans())),
        st.tuples(st.just("warm"), st.integers(1, 5)),
        st.tuples(st.just("read"), st.none()),
    ),
    max_size=60,
)


@settings(max_examples=150)
@given(ring=st.integers(2, 12), script=index_steps)
def test_the_split_index_answers_as_a_scan_of_the_ring(ring: int, script: list) -> None:
    # Records carrying the same ids again and again, some packed, in a ring that turns over
    # (so that the index prunes), read between warming steps: every query's answer is what
    # one dict of the ring's records (a scan) gives.
    trace = Trace(ring_size=ring)
    index = trace_index(trace)
    for t, (op, arg) in enumerate(script):
        if op == "emit":
            data, packed = arg
            if packed and data:
                trace.emit((t, "message.sent", "q", *data.values(), tuple(data)))
            else:
                trace.emit((t, "message.sent", "q", data))
            continue
        if op == "warm":
            index.warm(arg)
            continue
        kept = list(trace.records)
        carried = {
            r.seq: {i for name, value in r.data.items() for i in ids_in(name, value)} for r in kept
        }
        named = scanned_message_ids(trace)
        for key in POOL:
            assert index.of_id(key) == [r.seq for r in kept if key in carried[r.seq]], key
            literal = [r.seq for r in kept if r.get("key") == key]
            assert index.literal_seeds(key) == literal, key
            assert [r.seq for r in index.sourced(key)] == [
                r.seq for r in kept if r.get("source") == key
            ], key
            assert index.named_message(key) == (key in named), key
            assert same(index.message_records(key), scanned_history(trace, key)), key
        every = set().union(*carried.values())
        assert sorted(index.ids()) == sorted(every)
        assert sorted(index.named_messages()) == sorted(named)


@settings(max_examples=100)
@given(
    script=st.lists(
        st.tuples(st.text(max_size=6) | st.sampled_from(POOL), st.integers(0, 50)), max_size=80
    ),
    first=st.integers(0, 50),
)
def test_a_split_table_reads_as_one_dict(script: list[tuple[str, int]], first: int) -> None:
    # Written as the index's loops write (the part picked from the key's hash), pruned as the
    # index prunes (part by part): `get`, `items`, `values` and the length say what one dict
    # says; two tables are equal when their dicts are, whatever order the keys came in.
    table: SplitTable[list[int]] = SplitTable()
    plain: dict[str, list[int]] = {}
    for key, seq in script:
        table.pick[hash(key) >> _SHIFT].setdefault(key, []).append(seq)
        plain.setdefault(key, []).append(seq)
    for part in table.parts:
        for key in [key for key, seqs in part.items() if max(seqs) < first]:
            del part[key]
    plain = {key: seqs for key, seqs in plain.items() if max(seqs) >= first}
    for key in {*POOL, *(key for key, _ in script), "absent"}:
        assert table.get(key) == plain.get(key), key
    assert dict(table.items()) == plain and len(table) == len(plain)
    assert sorted(map(tuple, table.values())) == sorted(map(tuple, plain.values()))
    again: SplitTable[list[int]] = SplitTable()
    for key, seqs in reversed(plain.items()):
        again.pick[hash(key) >> _SHIFT][key] = seqs
    assert again == table
    again.pick[hash("absent") >> _SHIFT]["absent"] = []
    assert again != table


def test_a_split_table_grows_a_part_at_a_time() -> None:
    # Python grows a dict by copying it whole: one table of a million ids stalled a warming
    # step of the terminal UI for 50-60 ms. A split table's parts are of staggered sizes, so
    # that in any 2,048 inserts (a warming step's) only a part or two grow, a tenth of the
    # keys at most, however many keys there are.
    table: SplitTable[int] = SplitTable()
    sizes = [sys.getsizeof(part) for part in table.parts]
    worst = 0.0
    draw = random.Random(7)
    for n in range(300_000):
        key = f"{draw.getrandbits(128):032x}"
        table.pick[hash(key) >> _SHIFT][key] = n
        if n % 2048 == 2047:
            now = [sys.getsizeof(part) for part in table.parts]
            copied = sum(len(p) for p, a, b in zip(table.parts, sizes, now, strict=True) if a != b)
            if n > 100_000:
                worst = max(worst, copied / n)
            sizes = now
    assert len(table) == 300_000
    assert max(map(len, table.parts)) < 0.1 * len(table)
    assert 0 < worst < 2 / PARTS * 1.5
