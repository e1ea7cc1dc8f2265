"""Lambda's OffsetLag of a Kafka consumer: the topic's end offsets less the consumer group's
committed offsets, summed over the partitions, replayed from the trace as a gauge."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import ExpectationFailed, Session, execute
from stptui.sim.clock import parse_instant
from stptui.sim.metrics import compute
from stptui.sim.metrics.figures import Periods
from stptui.sim.metrics.functions import offset_lags
from stptui.sim.trace import Trace

ROOT = Path(__file__).resolve().parent.parent
KAFKA = ROOT / "docs" / "examples" / "kafka-orders.yml"
START = parse_instant("2026-01-05T08:00:00Z")


def _live_lag(session: Session) -> int:
    """orderWorker's lag as the topic and its consumer group hold it now."""
    topic = session.sim.services["kafka"]["order-events"]
    (consumer,) = topic.consumers
    return sum(p.next_offset - consumer.commits.get(p.index, 0) for p in topic.shards)


def _lag(session: Session, name: str = "orderWorker") -> tuple[float | None, int | None]:
    got = compute(session.sim).resources[name].figure("OffsetLag", "Maximum")
    assert got is not None
    return got.value, got.at


def test_a_failing_batch_holds_its_records_in_the_lag() -> None:
    session = Session.open(KAFKA, start_ms=START)
    execute(session, "fail orderWorker next 2")
    for i, key in enumerate(("customer-1", "customer-1", "customer-2")):
        execute(session, f"produce order-events '{{\"orderId\": {i}}}' --key {key}")
    # Produced, not yet read: every record is lag.
    assert _lag(session) == (3, START)
    execute(session, "advance 10s")
    assert _live_lag(session) == 0
    # The greatest lag was before the first read; nothing raised it after.
    assert _lag(session) == (3, START)
    execute(session, "expect metric.orderWorker.OffsetLag.Maximum == 3")
    # The auditor's mapping reads another topic, where nothing was produced.
    assert _lag(session, "auditor") == (0, START)
    # The last 5 s opened with everything committed.
    execute(session, "expect metric.orderWorker.OffsetLag.Maximum == 0 --since 5s")


def test_offset_lag_is_a_gauge_and_of_kafka_consumers_only() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "job-queue", start_ms=START)
    execute(session, "send jobQueue hello")
    execute(session, "advance 1s")
    assert compute(session.sim).resources["worker"].figure("OffsetLag", "Maximum") is None
    try:
        execute(session, "expect metric.worker.OffsetLag.Maximum == 0")
    except ExpectationFailed as failed:
        assert "no datapoint" in failed.message
    else:
        raise AssertionError("a function with no Kafka mapping has no OffsetLag")


def test_each_period_opens_with_the_lag_it_inherits() -> None:
    session = Session.open(KAFKA, start_ms=START)
    execute(session, "fail orderWorker next 4")
    execute(session, "produce order-events one --key a")
    execute(session, "advance 3s")
    sim = session.sim
    trace = sim.trace
    trace.settle()
    lags = offset_lags(sim, trace.records.raw, Periods.of(START, sim.clock.now, 1000))
    # The batch keeps failing (once a second): its record is lag in every period.
    assert [level for level, _ in lags["orderWorker"]] == [1, 1, 1]
    assert [at for _, at in lags["orderWorker"]] == [START, START + 1000, START + 2000]


_ACTIONS = st.one_of(
    st.tuples(st.just("produce"), st.sampled_from(("a", "b", "c", "d"))),
    st.tuples(st.just("fail"), st.integers(1, 3)),
    st.tuples(st.just("advance"), st.sampled_from(("100ms", "1s", "3s", "10s"))),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ACTIONS, min_size=1, max_size=25), st.sampled_from((None, 12, 40)))
def test_the_replayed_lag_is_the_consumer_groups(
    actions: list[tuple[str, object]], ring: int | None
) -> None:
    """Lag rises only when a record is produced (a command here), so its greatest level is
    the greatest seen after a command; with a ring that dropped records, the replay still
    ends at the group's lag now."""
    session = Session.open(KAFKA, start_ms=START)
    if ring is not None:
        session.sim.trace = Trace(ring_size=ring)
    seen = [0]
    for action in actions:
        if action[0] == "produce":
            line = f"produce order-events x --key {action[1]}"
        elif action[0] == "fail":
            line = f"fail orderWorker next {action[1]}"
        else:
            line = f"advance {action[1]}"
        execute(session, line)
        seen.append(_live_lag(session))
    sim = session.sim
    sim.trace.settle()
    now = sim.clock.now
    after = offset_lags(sim, sim.trace.records.raw, Periods(now + 1, 1, 1))
    assert after["orderWorker"][0][0] == seen[-1]
    if ring is None:
        assert _lag(session)[0] == max(seen)
    else:
        value = _lag(session)[0]
        assert value is not None and seen[-1] <= value <= max(seen)
