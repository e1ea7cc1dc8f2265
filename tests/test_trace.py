"""The trace keeps numbering, counts, the ring and subscribers exact, however records are
settled in bulk: checked against a plain list model with random emits and queries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.sim.clock import iso_ms
from stptui.sim.payloads import Deferred
from stptui.sim.trace import EndsAtInstant, Record, Trace
from tests.simkit import make_sim

KINDS = ("message.sent", "message.received", "invocation.started")
RESOURCES = ("jobQueue", "worker")

emits = st.tuples(st.sampled_from(KINDS), st.sampled_from(RESOURCES), st.integers(0, 9))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("emit"), emits),
        st.tuples(st.just("since"), st.integers(0, 60)),
        st.tuples(st.just("tail"), st.integers(0, 12)),
        st.tuples(st.just("count"), st.sampled_from(KINDS)),
        st.tuples(st.just("records"), st.none()),
        st.tuples(st.just("settle"), st.none()),
    ),
    max_size=80,
)


def as_tuples(records: object) -> list[tuple[int, int, str, str, dict[str, int]]]:
    return [(r.seq, r.t, r.kind, r.resource, r.data) for r in records]  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(ring=st.integers(1, 8), script=steps)
def test_the_trace_matches_a_list_of_every_record(ring: int, script: list) -> None:
    trace = Trace(ring_size=ring)
    seen: list[Record] = []
    trace.subscribe(seen.append)
    model: list[tuple[int, int, str, str, dict[str, int]]] = []
    for op, arg in script:
        if op == "emit":
            kind, resource, n = arg
            data = {"n": n, "odd": n % 2}
            # Odd values are emitted packed (values, then their names): every reader still
            # gets the same dict.
            head = (len(model) * 10, kind, resource)
            trace.emit((*head, n, n % 2, ("n", "odd")) if n % 2 else (*head, data))
            model.append((len(model) + 1, len(model) * 10, kind, resource, data))
            assert trace.seq == len(model)
            continue
        if op == "since":
            kept = model[-ring:]
            assert as_tuples(trace.since(arg)) == [m for m in kept if m[0] > arg]
        elif op == "tail":
            assert as_tuples(trace.tail(arg)) == (model[-ring:][-arg:] if arg else [])
        elif op == "count":
            assert trace.count(arg) == sum(1 for m in model if m[2] == arg)
            for res in RESOURCES:
                expected = sum(1 for m in model if m[2] == arg and m[3] == res)
                assert trace.count(arg, res) == expected
        elif op == "records":
            records = trace.records
            assert as_tuples(records) == model[-ring:]
            assert len(records) == len(model[-ring:])
            if model:
                assert as_tuples([records[-1]]) == [model[-1]]
                assert as_tuples(records[-2:]) == model[-ring:][-2:]
        else:
            trace.settle()
        # Any query settles: by then every subscriber has seen every record, in order.
        assert as_tuples(seen) == model


def test_a_subscriber_added_later_sees_only_later_records() -> None:
    trace = Trace(ring_size=4)
    trace.emit((0, "message.sent", "q", {}))
    late: list[Record] = []
    trace.subscribe(late.append)
    trace.emit((5, "message.deleted", "q", {}))
    trace.settle()
    assert [(r.seq, r.kind) for r in late] == [(2, "message.deleted")]


def test_sends_outside_a_run_keep_no_more_records_than_the_ring() -> None:
    sim = make_sim("resources:\n  q:\n    type: sqs-queue\n")
    sim.trace = Trace(ring_size=10)
    for i in range(10_000):
        sim.queues["q"].send(str(i))
    # Nothing ran the clock or queried the trace: the records were settled (and all but
    # the ring's dropped) as they came, not kept waiting.
    assert len(sim.trace._pending) < 5000
    assert sim.trace.count("message.sent", "q") == 10_000
    assert len(sim.trace.records) == 10


def test_a_deferred_field_is_built_when_its_record_is_read_and_then_kept() -> None:
    trace = Trace()
    built: list[int] = []

    def env(n: int) -> dict[str, str]:
        built.append(n)
        return {"N": str(n)}

    trace.emit((0, "batch.attempt.started", "job", "ex-1", Deferred(env, 7), ("id", "env")))
    trace.settle()
    assert built == []  # emitting and settling build nothing
    first = trace.tail(1)[0]
    assert first.data == {"id": "ex-1", "env": {"N": "7"}}
    again = trace.tail(1)[0]
    assert again.get("env") is first.get("env") and built == [7]
    assert '"env":{"N":"7"}' in again.to_line()


@given(st.integers(0, 253_402_300_799_999))
def test_a_packed_instant_reads_as_the_iso_text_a_deferred_one_did(ms: int) -> None:
    # A retried batch packs its `at` as integer milliseconds (EndsAtInstant) where it used to
    # pack a Deferred of `iso_ms`: every way of reading the record sees the same text.
    packed, deferred = Trace(), Trace()
    names = ("invocation_id", "retries", "at")
    packed.emit((0, "stream.batch_retried", "reader", "inv-1", 2, ms, EndsAtInstant(names)))
    deferred.emit((0, "stream.batch_retried", "reader", "inv-1", 2, Deferred(iso_ms, ms), names))
    record = packed.tail(1)[0]
    assert record.data == {"invocation_id": "inv-1", "retries": 2, "at": iso_ms(ms)}
    assert record.to_line() == deferred.tail(1)[0].to_line()
    assert list(packed.since(0)) == list(deferred.since(0))
