"""Lambda's asynchronous invocation metrics in `show metrics` (AsyncEventsReceived,
AsyncEventAge, AsyncEventsDropped, DestinationDeliveryFailures, RecursiveInvocationsDropped):
each counting rule against a run whose answer is known, and the books balance on random
runs (docs/fidelity.md, "Metrics: show metrics")."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import ExpectationFailed, Session, execute
from stptui.repl.candidates import candidates
from stptui.sim.clock import iso_ms
from stptui.sim.engine import Simulator
from stptui.sim.metrics import compute, window
from stptui.sim.metrics.figures import Periods
from stptui.sim.metrics.functions import function_series
from stptui.sim.metrics.periods import series
from stptui.sim.trace import Trace
from tests.simkit import START, make_sim, records
from tests.test_metric_periods import _agree

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"

# A function that only asynchronous invokes reach, its failures sent to a queue.
STACK = f"""
resources:
  failures: {{type: sqs-queue}}
  fn:
    type: function
    properties:
      {PACKAGING}
      timeout: 600
      {{reserved}}
      destinations:
        onFailure: $ResourceParam('failures', 'arn')
"""
ASYNC = (
    "AsyncEventsReceived",
    "AsyncEventAge",
    "AsyncEventsDropped",
    "DestinationDeliveryFailures",
    "RecursiveInvocationsDropped",
)


def _sim(behaviours: str, reserved: int | None = None) -> Simulator:
    line = "" if reserved is None else f"reservedConcurrency: {reserved}"
    return make_sim(STACK.replace("{reserved}", line), behaviours)


def _figures(sim: Simulator, name: str = "fn") -> dict[tuple[str, str], float | None]:
    res = compute(sim).resources[name]
    return {(f.metric, f.statistic): f.value for f in res.figures}


def _async(sim: Simulator, name: str = "fn") -> dict[str, object]:
    """The Sum figures of the asynchronous block and AsyncEventAge's Maximum ("absent" when
    the function does not list them)."""
    got = _figures(sim, name)
    return {m: got.get((m, "Maximum" if m == "AsyncEventAge" else "Sum"), "absent") for m in ASYNC}


def test_retries_after_1_and_2_minutes_age_the_event_and_the_drop_reaches_the_queue() -> None:
    sim = _sim("behaviors:\n  fn: {duration: 300ms, fail: true}\n")
    sim.invoke_async("fn", {}, "invoke", "test")
    assert sim.advance(10 * 60_000)
    got = _figures(sim)
    assert got[("Invocations", "Sum")] == 3
    assert got[("AsyncEventsReceived", "Sum")] == 1  # an event, not an attempt
    # Each attempt is a sample, aged from the instant Lambda queued the event: the first at
    # once, the retries 1 min after the first attempt's end and 2 min after the second's.
    assert got[("AsyncEventAge", "p50")] == 60_300
    assert got[("AsyncEventAge", "Average")] == (0 + 60_300 + 180_600) / 3
    assert got[("AsyncEventAge", "Maximum")] == 180_600
    res = compute(sim).resources["fn"]
    oldest = res.figure("AsyncEventAge", "Maximum")
    assert oldest is not None and oldest.at == START + 180_600  # the third attempt's start
    # Dropped though the on-failure destination took it: "sent there before being dropped".
    assert got[("AsyncEventsDropped", "Sum")] == 1
    assert got[("DestinationDeliveryFailures", "Sum")] == 0
    assert sim.queue("failures").depth == 1


def test_each_figure_is_stamped_when_lambda_did_it() -> None:
    sim = _sim("behaviors:\n  fn: {duration: 300ms, fail: true}\n")
    sim.invoke_async("fn", {}, "invoke", "test")
    assert sim.advance(5 * 60_000)
    raws = list(sim.trace.records.raw)
    found = series(sim, "fn", "function", Periods.of(START, sim.clock.now, 60_000), raws)
    names = [f"{m} {s}" for m, s, _ in found.columns]
    table = [dict(zip(names, (f.value for f in row), strict=True)) for row in found.rows]
    # Received when queued (the first minute), each age when its attempt was invoked, the
    # drop when the third attempt ended (08:03:00.900).
    assert [r["AsyncEventsReceived Sum"] for r in table] == [1, 0, 0, 0, 0]
    assert [r["AsyncEventAge Maximum"] for r in table] == [0, 60_300, None, 180_600, None]
    assert [r["AsyncEventsDropped Sum"] for r in table] == [0, 0, 0, 1, 0]


def test_an_event_older_than_the_maximum_age_is_dropped_without_its_last_retry() -> None:
    sim = _sim("behaviors:\n  fn: {duration: 300ms, fail: true}\n")
    # Stacktape sets no maximumEventAge (6 hours): a minute and a half shows the rule.
    sim.async_invokers["fn"].max_age_ms = 90_000
    sim.invoke_async("fn", {}, "invoke", "test")
    assert sim.advance(10 * 60_000)
    assert [r.get("condition") for r in records(sim, "invocation.discarded")] == [
        "EventAgeExceeded"
    ]
    got = _figures(sim)
    assert got[("Invocations", "Sum")] == 2  # the retry at 180.6 s would be too old
    assert got[("AsyncEventAge", "Maximum")] == 60_300
    assert got[("AsyncEventsReceived", "Sum")] == got[("AsyncEventsDropped", "Sum")] == 1


def test_a_throttled_event_is_received_once_and_aged_by_its_wait() -> None:
    sim = _sim("behaviors:\n  fn: {duration: 5s}\n", reserved=1)
    sim.invoke_async("fn", {"n": 1}, "invoke", "test")
    sim.invoke_async("fn", {"n": 2}, "invoke", "test")
    assert sim.advance(60_000)
    got = _figures(sim)
    # The second waits for the first: throttled at 0, 1 s, 3 s (1 s, then 2 s of backoff),
    # invoked at 7 s (4 s more), when the first had ended at 5 s.
    assert got[("Throttles", "Sum")] == 3
    assert got[("AsyncEventsReceived", "Sum")] == 2
    assert got[("AsyncEventAge", "Maximum")] == 7_000
    assert got[("AsyncEventAge", "Average")] == 3_500
    assert got[("AsyncEventsDropped", "Sum")] == 0


def test_reserved_concurrency_0_drops_each_event_as_it_is_queued() -> None:
    sim = _sim("behaviors:\n  fn: {duration: 5s}\n", reserved=0)
    sim.invoke_async("fn", {}, "invoke", "test")
    assert sim.advance(60_000)
    got = _figures(sim)
    assert got[("Invocations", "Sum")] == 0
    assert got[("Throttles", "Sum")] == 1
    assert got[("AsyncEventsReceived", "Sum")] == got[("AsyncEventsDropped", "Sum")] == 1
    assert got[("AsyncEventAge", "Maximum")] is None  # never invoked: no sample
    assert sim.queue("failures").depth == 1


def test_a_destination_that_refuses_the_record_is_a_delivery_failure() -> None:
    sim = make_sim(
        STACK.replace("{reserved}", "").replace(
            "failures: {type: sqs-queue}",
            "failures: {type: sqs-queue, properties: {maxMessageSizeBytes: 1024}}",
        ),
        "behaviors:\n  fn: {fail: true}\n",
    )
    sim.invoke_async("fn", {"pad": "x" * 900}, "invoke", "test")
    assert sim.advance(10 * 60_000)
    got = _async(sim)
    assert got["AsyncEventsDropped"] == 1
    assert got["DestinationDeliveryFailures"] == 1
    assert sim.queue("failures").depth == 0


def test_a_recursive_loop_stopped_is_received_dropped_and_counted() -> None:
    sim = make_sim(
        STACK.replace("{reserved}", "connectTo: [fn]"),
        'behaviors:\n  fn: {duration: 0, emit: [{invoke: {function: fn, payload: "@"}}]}\n',
    )
    sim.invoke_async("fn", {}, "invoke", "test")
    assert sim.advance(60_000)
    got = _figures(sim)
    # 16 invocations in the chain, the 17th stopped before it ran.
    assert got[("Invocations", "Sum")] == 16
    assert got[("AsyncEventsReceived", "Sum")] == 17
    assert got[("RecursiveInvocationsDropped", "Sum")] == 1
    assert got[("AsyncEventsDropped", "Sum")] == 1
    assert got[("AsyncEventAge", "Maximum")] == 0


def test_a_function_nothing_reached_asynchronously_has_no_such_figures(
    tmp_path: Path,
) -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "job-queue", start_ms=START)
    execute(session, "send jobQueue '{\"orderId\": 1}'")
    execute(session, "advance 1m")
    got = _async(session.sim, "worker")
    assert set(got.values()) == {"absent"}  # CloudWatch has no datapoint of them
    with pytest.raises(ExpectationFailed, match="no datapoint"):
        execute(session, "expect metric.worker.AsyncEventsReceived.Sum == 0")
    # Any statistic of its age too: no datapoint, not a refusal of the statistic.
    with pytest.raises(ExpectationFailed, match="no datapoint"):
        execute(session, "expect metric.worker.AsyncEventAge.Minimum == 0")
    shown = execute(session, "show metrics worker --period 1m")
    assert not any("Async" in c["metric"] for c in shown.data["columns"])


def test_the_age_survives_a_ring_that_dropped_the_events_first_record() -> None:
    sim = _sim("behaviors:\n  fn: {duration: 300ms, fail: true}\n")
    sim.trace = Trace(ring_size=5)
    sim.invoke_async("fn", {}, "invoke", "test")
    assert sim.advance(10 * 60_000)
    got = _figures(sim)
    # The ring keeps the last attempt's start and end and the drop: the event was received
    # before the oldest kept record, so outside the window the figures count from.
    assert got[("AsyncEventsReceived", "Sum")] == 0
    assert got[("AsyncEventAge", "Maximum")] == 180_600
    assert got[("AsyncEventsDropped", "Sum")] == 1


def test_a_schedule_to_a_failing_function_through_the_commands() -> None:
    session = Session.open(
        EXAMPLES / "async-metrics.yml",
        behaviors_path=EXAMPLES / "async-metrics-behaviors.yml",
        start_ms=START,
    )
    execute(session, "advance 15m")
    ok = execute(session, "expect metric.syncInvoices.AsyncEventAge.Maximum == 180600")
    assert ok.data["ok"] is True
    shown = execute(session, "show metrics syncInvoices")
    figures = shown.data["resources"]["syncInvoices"]["metrics"]
    oldest = next(
        f for f in figures if (f["metric"], f["statistic"]) == ("AsyncEventAge", "Maximum")
    )
    assert oldest["at"] == iso_ms(START + 13 * 60_000 + 600)


def test_completion_offers_the_asynchronous_paths() -> None:
    session = Session.open(EXAMPLES / "async-metrics.yml", start_ms=START)
    offered = [c.text for c in candidates(session, "expect metric.syncInvoices.Async")]
    paths = sorted(p for p in offered if p.startswith("metric.syncInvoices.Async"))
    # The statistics the table lists, and those completion suggests besides for a time.
    assert paths == [
        "metric.syncInvoices.AsyncEventAge.Average",
        "metric.syncInvoices.AsyncEventAge.Maximum",
        "metric.syncInvoices.AsyncEventAge.Minimum",
        "metric.syncInvoices.AsyncEventAge.SampleCount",
        "metric.syncInvoices.AsyncEventAge.Sum",
        "metric.syncInvoices.AsyncEventAge.p50",
        "metric.syncInvoices.AsyncEventAge.p90",
        "metric.syncInvoices.AsyncEventAge.p95",
        "metric.syncInvoices.AsyncEventAge.p99.9",
        "metric.syncInvoices.AsyncEventsDropped.Sum",
        "metric.syncInvoices.AsyncEventsReceived.Sum",
    ]


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    reserved=st.sampled_from((None, 1, 2)),
    steps=st.lists(
        st.tuples(st.integers(0, 4), st.sampled_from((0, 1_000, 30_000, 90_000))),
        min_size=1,
        max_size=12,
    ),
    length=st.sampled_from((1_000, 60_000, 3_600_000)),
    since=st.sampled_from((None, 90_000, 4 * 3_600_000)),
)
def test_every_event_received_is_invoked_successfully_dropped_or_still_queued(
    seed: int,
    reserved: int | None,
    steps: list[tuple[int, int]],
    length: int,
    since: int | None,
) -> None:
    line = "" if reserved is None else f"reservedConcurrency: {reserved}"
    sim = make_sim(
        STACK.replace("{reserved}", line),
        "behaviors:\n  fn: {duration: 20s, fail: {rate: 0.5}}\n",
        seed=seed,
    )
    sent = 0
    for n, wait in steps:
        for _ in range(n):
            sim.invoke_async("fn", {"n": sent}, "invoke", "test")
            sent += 1
        assert sim.advance(wait) or wait == 0
        got = _figures(sim)
        received = got.get(("AsyncEventsReceived", "Sum"), 0)
        succeeded = got[("Invocations", "Sum")] - got[("Errors", "Sum")]
        dropped = got.get(("AsyncEventsDropped", "Sum"), 0)
        # Only this test's invokes reach fn, each received as it is queued.
        assert received == sent
        assert succeeded + dropped <= received
    # Run out: retries end within minutes, throttled events within their 6 hours.
    assert sim.advance(7 * 3_600_000)
    got = _figures(sim)
    if sent:
        succeeded = got[("Invocations", "Sum")] - got[("Errors", "Sum")]
        assert got[("AsyncEventsReceived", "Sum")] == succeeded + got[("AsyncEventsDropped", "Sum")]
        assert sim.queue("failures").depth == got[("AsyncEventsDropped", "Sum")]
    else:
        assert ("AsyncEventsReceived", "Sum") not in got
    # Period by period, the Sums add up to the window's and the greatest age is one period's.
    raws, start, _, _ = window(sim, since)
    periods = Periods.of(start, sim.clock.now, length)
    if periods.count <= 1_000:
        _agree(compute(sim, since).resources["fn"], function_series(sim, raws, periods)["fn"])
