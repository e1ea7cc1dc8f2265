"""Simulated handler behaviours: the sidecar file, outcomes, overrides and Python handlers."""

from __future__ import annotations

import json
import random
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands.registry import tokenize
from stptui.config import load_stack_text
from stptui.config.diagnostics import Diagnostic
from stptui.config.model import Stack
from stptui.sim.behavior import (
    BehaviorError,
    Behaviors,
    Emission,
    InvocationInput,
    Outcome,
    Override,
    add_override,
    find_sidecar,
    format_duration,
    parse_duration,
    parse_override,
)
from stptui.sim.behavior.declared import DEFAULT_DURATION_MS
from stptui.sim.behavior.python_handlers import batch_item_failures

STACK_TEXT = """
serviceName: t
resources:
  jobs:
    type: sqs-queue
    properties: {visibilityTimeoutSeconds: 120}
  orders:
    type: sqs-queue
    properties: {fifoEnabled: true, visibilityTimeoutSeconds: 120}
  dedupOrders:
    type: sqs-queue
    properties: {fifoEnabled: true, contentBasedDeduplication: true}
  notificationQueue: {type: sqs-queue}
  eventBus: {type: event-bus}
  uploads: {type: bucket}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.ts}}
      timeout: 20
      events:
        - type: sqs
          properties: {sqsQueueName: jobs}
      connectTo: [notificationQueue, eventBus, uploads, audit, jobs, orders, dedupOrders]
      iamRoleStatements:
        - Action: [events:PutEvents]
          Resource: [arn:aws:events:us-east-1:123456789012:event-bus/default]
  fifoWorker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/f.ts}}
      timeout: 20
      events:
        - type: sqs
          properties: {sqsQueueName: orders}
  audit:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/a.ts}}
      connectTo: [notificationQueue, eventBus, uploads, audit, jobs, orders, dedupOrders]
      iamRoleStatements:
        - Action: [events:PutEvents]
          Resource: [arn:aws:events:us-east-1:123456789012:event-bus/default]
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/n.ts}}
      resources: {cpu: 1, memory: 1024}
      timeout: 3600
      connectTo: [notificationQueue, eventBus, uploads, audit, jobs, orders, dedupOrders]
      iamRoleStatements:
        - Action: [events:PutEvents]
          Resource: [arn:aws:events:us-east-1:123456789012:event-bus/default]
"""

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


STACK = load_stack_text(STACK_TEXT)


@pytest.fixture
def stack() -> Stack:
    return STACK


def load(
    stack: Stack, text: str, *, allow_code: bool = False, base_dir: Path | None = None
) -> tuple[Behaviors, list[Diagnostic]]:
    return Behaviors.from_text(
        textwrap.dedent(text), "stptui.yml", stack, allow_code=allow_code, base_dir=base_dir
    )


def ok(stack: Stack, text: str, **kw: Any) -> Behaviors:
    """Load behaviours that must produce no error or warning."""
    behaviors, diags = load(stack, text, **kw)
    assert diags == [], [d.format() for d in diags]
    return behaviors


def record(mid: str, body: Any, *, fifo: bool = False) -> dict[str, Any]:
    queue = "orders.fifo" if fifo else "jobs"
    return {
        "messageId": mid,
        "receiptHandle": f"rh-{mid}",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(T0)},
        "messageAttributes": {},
        "md5OfBody": "x",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{queue}",
        "awsRegion": "us-east-1",
    }


def sqs(
    function: str, records: list[dict[str, Any]], *, nth: int = 1, timeout_ms: int = 20_000
) -> InvocationInput:
    return InvocationInput(
        function, 1, nth, "sqs", T0, timeout_ms, lambda: {"Records": records}, lambda: records, "r1"
    )


def direct(
    function: str,
    event: dict[str, Any],
    *,
    trigger: str = "event-bus",
    nth: int = 1,
    timeout_ms: int = 20_000,
) -> InvocationInput:
    return InvocationInput(function, 1, nth, trigger, T0, timeout_ms, lambda: event, None, "r1")


def no_event() -> dict[str, Any]:
    raise AssertionError("the event must not be built")


def where(diags: list[Diagnostic], code: str) -> Diagnostic:
    hits = [d for d in diags if d.code == code]
    assert hits, f"no {code} in {[d.format() for d in diags]}"
    return hits[0]


RNG = random.Random(0)


# ---------------------------------------------------------------------------------------------
# Durations


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("250ms", 250),
        ("90s", 90_000),
        ("5m", 300_000),
        ("2h30m", 9_000_000),
        ("1d", 86_400_000),
        ("1.5s", 1500),
        ("1m30s", 90_000),
        ("1m 30s", 90_000),
        ("200 ms", 200),
        ("2 minutes", 120_000),
        (".5s", 500),
        ("0", 0),
        ("0s", 0),
        ("1h1m1s1ms", 3_661_001),
    ],
)
def test_parse_duration(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("", "empty", "250ms"),
        ("90", "has no unit", "write 90s for seconds or 90ms for milliseconds"),
        ("-5s", "cannot be negative", None),
        ("5x", "unknown unit 'x'", None),
        ("5sec2s", "same unit twice", None),
        ("0.5ms", "whole milliseconds", None),
        ("5 m x", "cannot read", None),
        ("s5", "cannot read", None),
        ("1m30", "has no unit", None),
        ("5secnds", "unknown unit", "did you mean 5seconds?"),
        ("99999d", "3650-day limit", None),
        # past Python's 4,300-digit limit for int(): a message, not a bare ValueError
        ("9" * 5000 + "s", "more than 100 digits", "250ms"),
        ("9" * 5000, "more than 100 digits", None),
    ],
)
def test_parse_duration_errors(text: str, message: str, hint: str | None) -> None:
    with pytest.raises(BehaviorError) as err:
        parse_duration(text)
    assert message in str(err.value)
    assert err.value.hint
    if hint:
        assert hint in err.value.hint


def test_format_duration() -> None:
    assert [format_duration(ms) for ms in (0, 250, 1500, 2000, 90_000, 7_200_000, 93_600_000)] == [
        "0 ms",
        "250 ms",
        "1.5 s",
        "2 s",
        "1 min 30 s",
        "2 h",
        "1 d 2 h",
    ]


# ---------------------------------------------------------------------------------------------
# Defaults and durations


def _lazy(function: str, **kw: Any) -> InvocationInput:
    """An input whose event must never be built."""
    defaults: dict[str, Any] = {"timeout_ms": 20_000, "nth": 1, "trigger": "sqs"}
    defaults.update(kw)
    return InvocationInput(
        function, 1, defaults["nth"], defaults["trigger"], T0, defaults["timeout_ms"], no_event
    )


def test_defaults_without_a_sidecar(stack: Stack) -> None:
    behaviors, diags = Behaviors.load(None, stack)
    assert diags == []
    state = RNG.getstate()
    out = behaviors.decide(_lazy("worker"), RNG, [])
    assert (out.duration_ms, out.status, out.emissions, out.response) == (100, "success", [], None)
    assert RNG.getstate() == state  # the default draws nothing
    assert behaviors.describe("worker") == "100 ms; always succeeds (default)"
    assert not behaviors.report_batch_item_failures("worker")
    assert behaviors.skipped_handlers() == []


def test_unlisted_function_uses_the_default(stack: Stack) -> None:
    behaviors = ok(stack, "behaviors:\n  worker: {duration: 2s}\n")
    assert behaviors.decide(_lazy("audit"), RNG, []).duration_ms == DEFAULT_DURATION_MS
    assert behaviors.decide(_lazy("worker"), RNG, []).duration_ms == 2000


def test_empty_entry_and_empty_file(stack: Stack) -> None:
    assert ok(stack, "").describe("worker").startswith("100 ms")
    assert ok(stack, "behaviors:\n  worker:\n").describe("worker") == "100 ms; always succeeds"


def test_duration_range_is_seeded_whole_ms_and_inclusive(stack: Stack) -> None:
    behaviors = ok(stack, "behaviors:\n  worker:\n    duration: {min: 100ms, max: 103ms}\n")
    a = [behaviors.decide(_lazy("worker"), random.Random(7), []).duration_ms for _ in range(3)]
    rng = random.Random(7)
    b = [behaviors.decide(_lazy("worker"), rng, []).duration_ms for _ in range(200)]
    assert a == [b[0]] * 3
    assert set(b) == {100, 101, 102, 103}
    assert behaviors.describe("worker").startswith("100 ms to 103 ms")


def test_fixed_duration_draws_nothing(stack: Stack) -> None:
    behaviors = ok(stack, "behaviors:\n  nightly: {duration: 1m30s}\n")
    rng = random.Random(3)
    state = rng.getstate()
    inp = _lazy("nightly", trigger="batch", timeout_ms=3_600_000)
    assert behaviors.decide(inp, rng, []).duration_ms == 90_000
    assert rng.getstate() == state


# ---------------------------------------------------------------------------------------------
# fail


def test_fail_rate(stack: Stack) -> None:
    behaviors = ok(
        stack,
        """
        behaviors:
          worker:
            duration: 200ms
            fail: {rate: 0.3, error: PaymentDeclined, message: card declined}
        """,
    )
    rng = random.Random(42)
    outs = [behaviors.decide(_lazy("worker"), rng, []) for _ in range(2000)]
    failed = [o for o in outs if o.status == "error"]
    assert 500 < len(failed) < 700
    assert {(o.error_type, o.error_message, o.duration_ms) for o in failed} == {
        ("PaymentDeclined", "card declined", 200)
    }
    assert behaviors.describe("worker") == "200 ms; fails with probability 0.3 (PaymentDeclined)"


@pytest.mark.parametrize(("rate", "status"), [(0, "success"), (1, "error"), (1.0, "error")])
def test_fail_rate_0_and_1_draw_nothing(stack: Stack, rate: float, status: str) -> None:
    behaviors = ok(stack, f"behaviors:\n  worker:\n    fail: {{rate: {rate}}}\n")
    rng = random.Random(1)
    state = rng.getstate()
    assert behaviors.decide(_lazy("worker"), rng, []).status == status
    assert rng.getstate() == state


def test_fail_first_n(stack: Stack) -> None:
    behaviors = ok(stack, "behaviors:\n  worker:\n    fail: {first: 2}\n")
    statuses = [behaviors.decide(_lazy("worker", nth=n), RNG, []).status for n in (1, 2, 3, 4)]
    assert statuses == ["error", "error", "success", "success"]
    out = behaviors.decide(_lazy("worker", nth=1), RNG, [])
    assert out.error_type == "Error"
    assert out.error_message == "simulated failure (invocation 1 of the first 2)"


def test_fail_always_and_shorthands(stack: Stack) -> None:
    for text in ("fail: {always: true}", "fail: true"):
        behaviors = ok(stack, f"behaviors:\n  worker:\n    {text}\n")
        out = behaviors.decide(_lazy("worker"), RNG, [])
        assert (out.status, out.error_type, out.error_message) == (
            "error",
            "Error",
            "simulated failure (always)",
        )
    for text in ("fail: {always: false}", "fail: false"):
        behaviors = ok(stack, f"behaviors:\n  worker:\n    {text}\n")
        assert behaviors.decide(_lazy("worker"), RNG, []).status == "success"


@pytest.mark.parametrize(
    ("entry", "timeout_ms", "same_every_time"),
    [
        ("", 20_000, True),  # the default: 100 ms, succeeds
        ("{fail: true}", 20_000, True),  # a consumer failing forever
        ("{duration: 2s, fail: {always: true, error: Boom}}", 20_000, True),
        ("{fail: {rate: 0}}", 20_000, True),
        ("{fail: true}", 0, True),  # no timeout at all
        ("{duration: 2s, fail: true}", 1_000, False),  # times out instead
        ("{fail: {rate: 0.3}}", 20_000, False),  # a draw each time
        ("{fail: {first: 2}}", 20_000, False),  # depends on the count
        ("{duration: {min: 100ms, max: 103ms}}", 20_000, False),
        ("{timeout: {rate: 0.5}}", 20_000, False),
    ],
)
def test_a_fixed_outcome_is_what_every_invocation_gets_without_a_draw(
    stack: Stack, entry: str, timeout_ms: int, same_every_time: bool
) -> None:
    # A function whose every invocation ends the same way takes that outcome without asking
    # its decider (FunctionSim.start): it must be the outcome `decide` gives, every time.
    behaviors = ok(stack, f"behaviors:\n  worker: {entry}\n" if entry else "")
    quick = behaviors.quick("worker")
    assert quick is not None
    fixed = quick.fixed(timeout_ms)
    assert (fixed is not None) == same_every_time
    if fixed is None:
        return
    rng = random.Random(5)
    state = rng.getstate()
    for nth in (1, 2, 3, 50):
        inp = _lazy("worker", nth=nth, timeout_ms=timeout_ms)
        assert behaviors.decide(inp, rng, []) == fixed
        assert quick(nth, timeout_ms, "sqs", rng) is fixed
    assert rng.getstate() == state


def test_fail_when_on_an_event(stack: Stack) -> None:
    behaviors = ok(stack, 'behaviors:\n  audit:\n    fail: {when: "detail.amount > `100`"}\n')
    big = behaviors.decide(direct("audit", {"detail": {"amount": 150}}), RNG, [])
    small = behaviors.decide(direct("audit", {"detail": {"amount": 50}}), RNG, [])
    assert (big.status, small.status) == ("error", "success")
    assert big.error_message == "simulated failure (when detail.amount > `100`)"


def test_fail_when_on_sqs_fails_the_whole_batch_if_any_record_matches(stack: Stack) -> None:
    behaviors = ok(stack, 'behaviors:\n  worker:\n    fail: {when: "body.amount > `100`"}\n')
    batch = [record("m1", {"amount": 5}), record("m2", {"amount": 500})]
    out = behaviors.decide(sqs("worker", batch), RNG, [])
    assert out.status == "error"
    assert "message m2" in (out.error_message or "")
    assert out.failed_item_ids is None
    assert behaviors.decide(sqs("worker", batch[:1]), RNG, []).status == "success"


def test_fail_rule_list_first_match_wins(stack: Stack) -> None:
    behaviors = ok(
        stack,
        """
        behaviors:
          audit:
            fail:
              - {when: "detail.kind == 'fraud'", error: Fraud}
              - {first: 1, error: ColdStart}
              - {when: "detail.amount > `100`", error: TooBig}
        """,
    )

    def error(event: dict[str, Any], nth: int) -> str | None:
        return behaviors.decide(direct("audit", {"detail": event}, nth=nth), RNG, []).error_type

    assert error({"kind": "fraud", "amount": 500}, 1) == "Fraud"
    assert error({"kind": "ok", "amount": 500}, 1) == "ColdStart"
    assert error({"kind": "ok", "amount": 500}, 2) == "TooBig"
    assert error({"kind": "ok", "amount": 5}, 2) is None
    assert "then" not in behaviors.describe("audit")
    assert "fails when detail.kind == 'fraud' (Fraud)" in behaviors.describe("audit")


# ---------------------------------------------------------------------------------------------
# timeout


def test_timeout_true(stack: Stack) -> None:
    behaviors = ok(stack, "behaviors:\n  worker:\n    timeout: true\n")
    out = behaviors.decide(_lazy("worker", timeout_ms=20_000), RNG, [])
    assert (out.status, out.duration_ms, out.error_type, out.error_message) == (
        "timeout",
        20_000,
        "Sandbox.Timedout",
        "Task timed out after 20.00 seconds",
    )
    assert "always times out" in behaviors.describe("worker")


def test_timeout_when_and_rate(stack: Stack) -> None:
    behaviors = ok(
        stack,
        """
        behaviors:
          audit: {timeout: {when: "detail.slow"}}
          worker: {timeout: {rate: 0}}
        """,
    )
    assert behaviors.decide(direct("audit", {"detail": {"slow": True}}), RNG, []).status == (
        "timeout"
    )
    assert behaviors.decide(direct("audit", {"detail": {}}), RNG, []).status == "success"
    assert behaviors.decide(_lazy("worker"), RNG, []).status == "success"


def test_duration_past_the_timeout_times_out(stack: Stack) -> None:
    behaviors, diags = load(stack, "behaviors:\n  worker:\n    duration: 25s\n")
    d = where(diags, "behavior-duration-over-timeout")
    assert (d.severity, d.line) == ("warning", 3)
    out = behaviors.decide(_lazy("worker", timeout_ms=20_000), RNG, [])
    assert (out.status, out.duration_ms) == ("timeout", 20_000)
    # Exactly the timeout is still in time.
    assert behaviors.decide(_lazy("worker", timeout_ms=25_000), RNG, []).status == "success"


def test_batch_job_timeout_wording_and_no_timeout(stack: Stack) -> None:
    behaviors, diags = load(stack, "behaviors:\n  nightly: {duration: 2h}\n")
    assert "2 h is longer than nightly's timeout of 3600 s" in diags[0].message
    out = behaviors.decide(_lazy("nightly", trigger="batch", timeout_ms=3_600_000), RNG, [])
    assert (out.status, out.error_type, out.error_message) == (
        "timeout",
        "Timeout",
        "Job attempt duration exceeded timeout",
    )
    # timeout_ms <= 0: no timeout at all.
    no_limit = behaviors.decide(_lazy("nightly", trigger="batch", timeout_ms=0), RNG, [])
    assert (no_limit.status, no_limit.duration_ms) == ("success", 7_200_000)


# ---------------------------------------------------------------------------------------------
# partial batch responses


PARTIAL = """
behaviors:
  worker:
    reportBatchItemFailures: true
    partial: {when: "body.fail == `true`"}
    emit:
      - send: {queue: notificationQueue, body: "body"}
"""


def test_partial_reports_matching_records_and_skips_their_emissions(stack: Stack) -> None:
    behaviors = ok(stack, PARTIAL)
    batch = [record("m1", {"fail": True}), record("m2", {"n": 2}), record("m3", {"fail": True})]
    out = behaviors.decide(sqs("worker", batch), RNG, [])
    assert out.status == "success"
    assert out.failed_item_ids == ["m1", "m3"]
    assert out.response == {
        "batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]
    }
    assert [e.fields["body"] for e in out.emissions] == ['{"n":2}']
    assert behaviors.report_batch_item_failures("worker")


def test_partial_with_nothing_failing_is_an_empty_list(stack: Stack) -> None:
    behaviors = ok(stack, PARTIAL)
    out = behaviors.decide(sqs("worker", [record("m1", {"n": 1})]), RNG, [])
    assert out.failed_item_ids == []


def test_partial_without_report_batch_item_failures_is_ignored(stack: Stack) -> None:
    behaviors, diags = load(stack, "behaviors:\n  worker:\n    partial: {when: body.fail}\n")
    d = where(diags, "behavior-partial-ignored")
    assert (d.severity, d.line, d.resource) == ("warning", 3, "worker")
    out = behaviors.decide(sqs("worker", [record("m1", {"fail": True})]), RNG, [])
    assert out.failed_item_ids is None  # Lambda ignores the response: the batch is deleted
    assert out.response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert "ignored: reportBatchItemFailures is off" in behaviors.describe("worker")


def test_partial_on_fifo_reports_every_record_after_the_first_failure(stack: Stack) -> None:
    behaviors = ok(
        stack,
        """
        behaviors:
          fifoWorker:
            reportBatchItemFailures: true
            partial: {when: body.fail}
        """,
    )
    batch = [
        record("m1", {}, fifo=True),
        record("m2", {"fail": True}, fifo=True),
        record("m3", {}, fifo=True),
    ]
    assert behaviors.decide(sqs("fifoWorker", batch), RNG, []).failed_item_ids == ["m2", "m3"]


def test_partial_rate_draws_once_per_record(stack: Stack) -> None:
    behaviors = ok(
        stack,
        "behaviors:\n  worker:\n    reportBatchItemFailures: true\n    partial: {rate: 0.5}\n",
    )
    batch = [record(f"m{i}", {}) for i in range(10)]
    rng = random.Random(5)
    out = behaviors.decide(sqs("worker", batch), rng, [])
    expected_rng = random.Random(5)
    expected = [f"m{i}" for i in range(10) if expected_rng.random() < 0.5]
    assert out.failed_item_ids == expected
    assert rng.getstate() == expected_rng.getstate()


def test_report_batch_item_failures_without_sqs_warns(stack: Stack) -> None:
    _, diags = load(stack, "behaviors:\n  audit:\n    reportBatchItemFailures: true\n")
    d = where(diags, "behavior-rbif-not-sqs")
    assert (d.severity, d.line, d.column) == ("warning", 3, 30)
    _, quiet = load(stack, "behaviors:\n  worker:\n    reportBatchItemFailures: true\n")
    assert not [d for d in quiet if d.code == "behavior-rbif-not-sqs"]


def test_partial_on_a_function_without_sqs_warns(stack: Stack) -> None:
    _, diags = load(
        stack, "behaviors:\n  audit:\n    reportBatchItemFailures: true\n    partial: {rate: 1}\n"
    )
    assert where(diags, "behavior-partial-not-sqs").line == 4


@pytest.mark.parametrize(
    ("response", "expected", "problem"),
    [
        (None, None, None),
        ({"ok": True}, None, None),
        ("done", None, None),
        ({"batchItemFailures": None}, [], None),
        ({"batchItemFailures": []}, [], None),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, ["b"], None),
        ({"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "b"}]}, ["b"], None),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, ["a", "b"], "missing, null or empty"),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, ["a", "b"], "missing, null or empty"),
        ({"batchItemFailures": [{"itemIdentifer": "a"}]}, ["a", "b"], "missing, null or empty"),
        ({"batchItemFailures": [{"itemIdentifier": "zz"}]}, ["a", "b"], "'zz' is not a message"),
        ({"batchItemFailures": "a"}, ["a", "b"], "not a list"),
        ({"batchItemFailures": ["a"]}, ["a", "b"], "not an object"),
    ],
)
def test_batch_item_failures_rules(response: Any, expected: Any, problem: str | None) -> None:
    failed, why = batch_item_failures(response, ["a", "b"])
    assert failed == expected
    if problem is None:
        assert why is None
    else:
        assert why is not None and problem in why


# ---------------------------------------------------------------------------------------------
# emissions and responses


EMITTING = """
behaviors:
  worker:
    emit:
      - send: {queue: notificationQueue, body: "body", delay: 5, group: "body.customer",
               attributes: "{kind: 'order', amount: body.amount}"}
      - publish: {bus: eventBus, source: "'orders'", detailType: "'OrderCreated'", detail: "body"}
      - put: {bucket: uploads, key: "join('', ['processed/', body.id, '.json'])", content: "body"}
      - invoke: {function: audit, payload: "@", when: "body.amount > `100`"}
"""


def test_emissions_are_evaluated_per_record(stack: Stack) -> None:
    behaviors = ok(stack, EMITTING)
    batch = [
        record("m1", {"id": "a", "customer": "c1", "amount": 5}),
        record("m2", {"id": "b", "customer": 7, "amount": 500}),
    ]
    out = behaviors.decide(sqs("worker", batch), RNG, [])
    assert [(e.kind, e.target) for e in out.emissions] == [
        ("send", "notificationQueue"),
        ("publish", "eventBus"),
        ("put", "uploads"),
        ("send", "notificationQueue"),
        ("publish", "eventBus"),
        ("put", "uploads"),
        ("invoke", "audit"),
    ]
    send, publish, put = out.emissions[:3]
    assert send == Emission(
        "send",
        "notificationQueue",
        {
            "body": '{"id":"a","customer":"c1","amount":5}',
            "delay": 5,
            "group": "c1",
            "dedupId": None,
            "attributes": {"kind": "order", "amount": 5},
        },
    )
    assert publish.fields == {
        "source": "orders",
        "detailType": "OrderCreated",
        "detail": {"id": "a", "customer": "c1", "amount": 5},
    }
    assert put.fields["key"] == "processed/a.json"
    assert out.emissions[3].fields["group"] == "7"  # a number becomes text
    payload = out.emissions[6].fields["payload"]
    assert payload["body"]["id"] == "b" and payload["record"]["messageId"] == "m2"
    assert "emits send->notificationQueue, publish->eventBus" in behaviors.describe("worker")


def test_the_summary_names_repeated_emissions_once_with_their_count(stack: Stack) -> None:
    # An order service publishing one of three detail-types read `emits publish->eventBus,
    # publish->eventBus, publish->eventBus` in `show functions`.
    behaviors = ok(
        stack,
        """
        behaviors:
          worker:
            emit:
              - publish: {bus: eventBus, source: "'o'", detailType: "'A'", detail: "@", when: "a"}
              - send: {queue: notificationQueue, body: "body"}
              - publish: {bus: eventBus, source: "'o'", detailType: "'B'", detail: "@", when: "b"}
              - publish: {bus: eventBus, source: "'o'", detailType: "'C'", detail: "@"}
        """,
    )
    summary = behaviors.describe("worker")
    assert summary.endswith("; emits publish->eventBus ×3, send->notificationQueue")
    assert summary.count("publish->") == 1


def test_emissions_once_for_other_triggers_and_not_on_failure(stack: Stack) -> None:
    behaviors = ok(
        stack,
        """
        behaviors:
          audit:
            fail: {when: detail.bad}
            emit:
              - put: {bucket: uploads, key: "Records[0].s3.object.key", content: "'seen'"}
        """,
    )
    event = {"Records": [{"s3": {"object": {"key": "in/a.csv"}}}]}
    out = behaviors.decide(direct("audit", event, trigger="s3"), RNG, [])
    assert out.emissions == [Emission("put", "uploads", {"key": "in/a.csv", "content": "seen"})]
    failed = behaviors.decide(direct("audit", {"detail": {"bad": 1}}), RNG, [])
    assert (failed.status, failed.emissions) == ("error", [])


def test_sqs_body_that_is_not_json_is_the_string(stack: Stack) -> None:
    behaviors = ok(
        stack,
        "behaviors:\n  worker:\n    emit:\n      - invoke: {function: audit, payload: body}\n",
    )
    out = behaviors.decide(sqs("worker", [record("m1", "plain text")]), RNG, [])
    assert out.emissions[0].fields["payload"] == "plain text"


def test_response_expression_and_constant(stack: Stack) -> None:
    behaviors = ok(
        stack,
        """
        behaviors:
          audit:
            response: "{statusCode: `200`, body: pathParameters.provider}"
          worker:
            response: {ok: true}
        """,
    )
    event = {"pathParameters": {"provider": "stripe"}}
    out = behaviors.decide(direct("audit", event, trigger="http"), RNG, [])
    assert out.response == {"statusCode": 200, "body": "stripe"}
    assert behaviors.decide(_lazy("worker"), RNG, []).response == {"ok": True}


def test_runtime_expression_error_is_an_error_outcome(stack: Stack) -> None:
    behaviors = ok(
        stack,
        "behaviors:\n  audit:\n    emit:\n"
        "      - put: {bucket: uploads, key: \"join('', detail.parts)\", content: detail}\n",
    )
    out = behaviors.decide(direct("audit", {"detail": {"parts": 3}}), RNG, [])
    assert (out.status, out.error_type) == ("error", "BehaviorError")
    assert "audit.emit[0].put.key" in (out.error_message or "")


def test_emitted_detail_must_be_an_object(stack: Stack) -> None:
    behaviors = ok(
        stack,
        "behaviors:\n  audit:\n    emit:\n"
        "      - publish: {bus: default, source: \"'a'\", detailType: \"'b'\", detail: detail}\n",
    )
    assert behaviors.decide(direct("audit", {"detail": [1]}), RNG, []).status == "error"
    out = behaviors.decide(direct("audit", {"detail": '{"a": 1}'}), RNG, [])
    assert out.emissions[0].fields["detail"] == {"a": 1}


# ---------------------------------------------------------------------------------------------
# Diagnostics


@pytest.mark.parametrize(
    ("text", "code", "line", "column", "message"),
    [
        (
            "behaviors:\n  wroker: {}\n",
            "behavior-unknown-function",
            2,
            3,
            "no function or batch job named 'wroker' in the stack; did you mean 'worker'?",
        ),
        ("behaviors:\n  jobs: {}\n", "behavior-not-a-workload", 2, 3, "'jobs' is an sqs-queue"),
        (
            "behaviors:\n  worker:\n    duraton: 2s\n",
            "behavior-unknown-key",
            3,
            5,
            "unknown key 'duraton'; did you mean 'duration'?",
        ),
        ("behaviour:\n  worker: {}\n", "behavior-unknown-key", 1, 1, "did you mean 'behaviors'"),
        ("behaviors:\n  worker:\n    duration: 2 parsecs\n", "behavior-bad-duration", 3, 15, ""),
        ("behaviors:\n  worker:\n    duration: 200\n", "behavior-bad-duration", 3, 15, "no unit"),
        (
            "behaviors:\n  worker:\n    duration: {min: 2s, max: 1s}\n",
            "behavior-bad-duration",
            3,
            15,
            "min (2 s) is more than max (1 s)",
        ),
        (
            "behaviors:\n  worker:\n    fail: {rate: 1.5}\n",
            "behavior-bad-probability",
            3,
            18,
            "between 0 and 1",
        ),
        (
            "behaviors:\n  worker:\n    fail:\n      - {first: 1}\n      - {rate: -0.1}\n",
            "behavior-bad-probability",
            5,
            16,
            "-0.1",
        ),
        (
            "behaviors:\n  worker:\n    fail:\n      when: 'body.amount >'\n",
            "behavior-bad-jmespath",
            4,
            13,
            "invalid JMESPath 'body.amount >': Incomplete expression at column 14",
        ),
        (
            "behaviors:\n  worker:\n    fail: {rate: 0.1, first: 2}\n",
            "behavior-bad-rule",
            3,
            11,
            "not both rate and first",
        ),
        (
            "behaviors:\n  worker:\n    fail: {error: Boom}\n",
            "behavior-bad-rule",
            3,
            11,
            "needs one of rate, first, always, when",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - send: {queue: notifQueue, body: body}\n",
            "behavior-unknown-target",
            4,
            23,
            "no sqs-queue named 'notifQueue' in the stack; did you mean 'notificationQueue'?",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - send: {queue: eventBus, body: body}\n",
            "behavior-wrong-target-type",
            4,
            23,
            "'eventBus' is an event-bus; send needs an sqs-queue",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - invoke: {function: nightly, payload: '@'}\n",
            "behavior-wrong-target-type",
            4,
            28,
            "invoke needs a function",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n"
            "      - publish: {bus: uploads, source: a, detailType: b, detail: c}\n",
            "behavior-wrong-target-type",
            4,
            24,
            "publish needs an event-bus",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - put: {bucket: jobs, key: a, content: b}\n",
            "behavior-wrong-target-type",
            4,
            23,
            "put needs a bucket",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - sned: {queue: jobs}\n",
            "behavior-unknown-key",
            4,
            9,
            "unknown emission 'sned'; did you mean 'send'?",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - send: {queue: jobs}\n",
            "behavior-missing-key",
            4,
            15,
            "send needs `body`",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - send: {queue: jobs, body: b, delay: 901}\n",
            "behavior-bad-value",
            4,
            45,
            "0..900",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - send: {queue: orders, body: b}\n",
            "behavior-fifo-group",
            4,
            15,
            "orders is a FIFO queue: send needs `group`",
        ),
        (
            "behaviors:\n  worker:\n    emit:\n      - send: {queue: orders, body: b, group: c}\n",
            "behavior-fifo-dedup",
            4,
            15,
            "needs `dedupId`",
        ),
        (
            "behaviors:\n  worker:\n    handler: not a ref\n",
            "behavior-bad-handler",
            3,
            14,
            "module:function",
        ),
        ("behaviors: [1]\n", "behavior-bad-file", 1, 12, "`behaviors` must map"),
        ("- a\n", "behavior-bad-file", 1, 1, "must be a mapping"),
        ("behaviors:\n  worker: {a: [}\n", "yaml-syntax", 2, 16, "YAML syntax error"),
        (
            "behaviors:\n  worker:\n    reportBatchItemFailures: yes\n",
            "behavior-bad-value",
            3,
            30,
            "true or false",
        ),
        ("behaviors:\n  worker: {fail: {first: -1}}\n", "behavior-bad-value", 2, 26, "first"),
    ],
)
def test_diagnostics(
    stack: Stack, text: str, code: str, line: int, column: int, message: str
) -> None:
    _, diags = Behaviors.from_text(text, "stptui.yml", stack)
    d = where(diags, code)
    assert (d.file, d.line, d.column) == ("stptui.yml", line, column), d.format()
    assert message in d.message
    assert d.severity == "error"


def test_one_item_or_a_list_is_reported_where_the_item_is_written(stack: Stack) -> None:
    # `fail` and `log` take one item or a list: a lone item's error points at the key's
    # value and names the key; a list's at its item, with the index; null is no item at all.
    text = (
        "behaviors:\n"
        "  worker:\n"
        "    fail: {rate: 2}\n"
        "    log: null\n"
        "  audit:\n"
        "    fail: [{rate: 0.5}, {first: -1}]\n"
        "    log: ['@', null]\n"
    )
    behaviors, diags = Behaviors.from_text(text, "stptui.yml", stack)
    found = [(d.line, d.column, d.code) for d in diags]
    assert found == [
        (3, 18, "behavior-bad-probability"),
        (6, 33, "behavior-bad-value"),
        (7, 16, "behavior-bad-value"),
    ], [d.format() for d in diags]
    assert "first needs a whole number" in diags[1].message
    assert "a log line is null" in diags[2].message
    # The items that were right are kept; a bad lone item leaves nothing.
    assert behaviors.describe("worker") == "100 ms; always succeeds"
    assert behaviors.describe("audit") == (
        "100 ms; fails with probability 0.5 (Error); logs 1 line"
    )


def test_fifo_queue_with_content_based_dedup_needs_no_dedup_id(stack: Stack) -> None:
    ok(
        stack,
        "behaviors:\n  worker:\n    emit:\n      - send: {queue: dedupOrders, body: b, group: c}\n",
    )


def test_default_bus_is_a_valid_publish_target(stack: Stack) -> None:
    ok(
        stack,
        "behaviors:\n  worker:\n    emit:\n"
        "      - publish: {bus: default, source: \"'a'\", detailType: \"'b'\", detail: body}\n",
    )


def test_bad_entries_fall_back_to_defaults_and_never_raise(stack: Stack) -> None:
    for text in ("behaviors:\n  worker: 3\n", "behaviors:\n  worker:\n    fail: [1, {rate: x}]\n"):
        behaviors, diags = Behaviors.from_text(text, "stptui.yml", stack)
        assert diags
        assert behaviors.decide(_lazy("worker"), RNG, []).status == "success"


def test_load_from_a_file_and_find_sidecar(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK_TEXT)
    assert find_sidecar(tmp_path / "stacktape.yml") is None
    side = tmp_path / "stptui.yml"
    side.write_text("behaviors:\n  worker: {duration: 3s}\n")
    assert find_sidecar(tmp_path / "stacktape.yml") == side
    behaviors, diags = Behaviors.load(side, stack)
    assert diags == []
    assert behaviors.decide(_lazy("worker"), RNG, []).duration_ms == 3000
    missing, diags = Behaviors.load(tmp_path / "nope.yml", stack)
    assert diags[0].code == "file-unreadable"
    assert missing.decide(_lazy("worker"), RNG, []).duration_ms == 100


# ---------------------------------------------------------------------------------------------
# Overrides


@pytest.mark.parametrize(
    ("words", "kind", "mode", "command"),
    [
        (["fail", "worker"], "fail", "always", "fail worker always"),
        (["fail", "worker", "always"], "fail", "always", "fail worker always"),
        (["fail", "worker", "next", "3"], "fail", "next", "fail worker next 3"),
        (["fail", "worker", "rate", "0.25"], "fail", "rate", "fail worker rate 0.25"),
        (["fail", "worker", "rate", "30%"], "fail", "rate", "fail worker rate 0.3"),
        (
            ["fail", "worker", "when", "body.amount", ">", "`100`"],
            "fail",
            "when",
            'fail worker when "body.amount > `100`"',
        ),
        (["succeed", "worker"], "succeed", None, "succeed worker"),
        (["slow", "worker", "1m", "30s"], "slow", None, "slow worker 90000ms"),
    ],
)
def test_parse_override(words: list[str], kind: str, mode: str | None, command: str) -> None:
    ov = parse_override(words)
    assert (ov.function, ov.kind, ov.mode, ov.command()) == ("worker", kind, mode, command)
    # Round-trips through the command line's tokeniser: the condition is one word.
    assert parse_override(tokenize(ov.command())).command() == command


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["fail", "worker", "next", "x"], "next needs a whole number, e.g. `fail worker next 3`"),
        (["fail", "worker", "next", "9" * 5000], "at most 999,999,999"),
        (["fail", "worker", "next"], "`fail worker next N` needs a count"),
        (["fail", "worker", "next", "0"], "at least 1"),
        (["fail", "worker", "rate", "2"], "between 0 and 1"),
        (["fail", "worker", "rate", "nan"], "between 0 and 1"),
        (["fail", "worker", "rate", "lots"], "rate needs a number"),
        (["fail", "worker", "when"], "when needs a JMESPath condition"),
        (["fail", "worker", "when", "a", ">"], "invalid JMESPath"),
        # Functions are checked when the override is given, not when it first runs.
        (["fail", "worker", "when", "not_a_fn(@)"], "unknown function not_a_fn()"),
        (["fail", "worker", "when", "length(body, body)"], "length() takes 1 argument, not 2"),
        (["fail", "worker", "when", "not_null()"], "not_null() takes at least 1 argument, not 0"),
        (["fail", "worker", "nxt", "3"], "did you mean next?"),
        (["fail", "worker", "always", "now"], "takes nothing more"),
        (["fail"], "fail needs a function name"),
        (["succeed", "worker", "now"], "succeed takes only a function name"),
        (["slow", "worker"], "slow needs a duration"),
        (["slow", "worker", "fast"], "slow:"),
        (["explode", "worker"], "unknown override"),
        ([], "empty override"),
    ],
)
def test_parse_override_errors(words: list[str], message: str) -> None:
    with pytest.raises(BehaviorError) as err:
        parse_override(words)
    assert message in str(err.value)


def test_fail_next_n_is_used_up(stack: Stack) -> None:
    behaviors = ok(stack, "")
    overrides: list[Override] = []
    add_override(overrides, parse_override(["fail", "worker", "next", "2"]))
    outs = [behaviors.decide(_lazy("worker"), RNG, overrides) for _ in range(3)]
    assert [o.status for o in outs] == ["error", "error", "success"]
    assert outs[0].error_message == "failed by override `fail worker next 2`"
    assert overrides[0].used_up
    assert overrides[0].describe() == "fail worker next 2 (used up)"


def test_fail_override_beats_a_python_handler_and_declared_success(stack: Stack) -> None:
    behaviors = ok(stack, "behaviors:\n  worker: {duration: 300ms}\n")
    overrides = [parse_override(["fail", "worker", "always"])]
    out = behaviors.decide(_lazy("worker"), RNG, overrides)
    assert (out.status, out.duration_ms, out.error_type) == ("error", 300, "Error")


def test_fail_rate_and_when_overrides(stack: Stack) -> None:
    behaviors = ok(stack, "")
    rate = [parse_override(["fail", "worker", "rate", "0.5"])]
    rng = random.Random(9)
    statuses = {behaviors.decide(_lazy("worker"), rng, rate).status for _ in range(50)}
    assert statuses == {"error", "success"}
    when = [parse_override(["fail", "worker", "when", "body.vip"])]
    assert behaviors.decide(sqs("worker", [record("m1", {"vip": 1})]), RNG, when).status == "error"
    assert behaviors.decide(sqs("worker", [record("m1", {})]), RNG, when).status == "success"


def test_succeed_clears_overrides_and_forces_success(stack: Stack) -> None:
    # 30 s on a 20 s function would time out; every declared failure is suppressed.
    text = "behaviors:\n  worker: {duration: 30s, fail: true, timeout: true}\n"
    behaviors, _ = load(stack, text)
    overrides: list[Override] = []
    add_override(overrides, parse_override(["fail", "worker", "next", "5"]))
    add_override(overrides, parse_override(["slow", "worker", "40s"]))
    add_override(overrides, parse_override(["succeed", "worker"]))
    assert [o.kind for o in overrides] == ["succeed"]
    out = behaviors.decide(_lazy("worker", timeout_ms=20_000), RNG, overrides)
    assert (out.status, out.duration_ms) == ("success", 20_000)


def test_add_override_replacement_rules() -> None:
    overrides: list[Override] = []
    add_override(overrides, parse_override(["slow", "w", "2s"]))
    add_override(overrides, parse_override(["fail", "w", "next", "1"]))
    add_override(overrides, parse_override(["fail", "w", "rate", "0.5"]))
    assert [o.command() for o in overrides] == ["slow w 2000ms", "fail w rate 0.5"]
    add_override(overrides, parse_override(["slow", "w", "3s"]))
    assert [o.describe() for o in overrides] == ["fail w rate 0.5", "slow w 3 s"]


def test_slow_override(stack: Stack) -> None:
    behaviors = ok(stack, "behaviors:\n  worker: {duration: {min: 1ms, max: 9ms}}\n")
    rng = random.Random(2)
    state = rng.getstate()
    slow = [parse_override(["slow", "worker", "2s"])]
    assert behaviors.decide(_lazy("worker"), rng, slow).duration_ms == 2000
    assert rng.getstate() == state  # the range is not drawn under `slow`
    too_slow = [parse_override(["slow", "worker", "21s"])]
    assert behaviors.decide(_lazy("worker", timeout_ms=20_000), rng, too_slow).status == "timeout"


# ---------------------------------------------------------------------------------------------
# Python handlers


HANDLERS = """
import json

def process(event, context):
    records = event.get("Records", [])
    for r in records:
        body = json.loads(r["body"])
        context.send("notificationQueue", {"id": body["id"]}, delay=2)
        context.publish("eventBus", "orders", "OrderSeen", {"id": body["id"]})
        context.put_object("uploads", "out/" + body["id"], b"bytes")
        context.invoke("audit", {"id": body["id"]})
    context.log(f"{context.function_name} {context.aws_request_id} {context.now.isoformat()}")
    print("printed line")
    context.sleep("1s")
    event["mutated"] = True
    return {"remaining": context.get_remaining_time_in_millis(), "attempt": context.attempt}

def boom(event, context):
    context.log("about to fail")
    raise KeyError("missing")

def bad_target(event, context):
    context.send("nope", "x")

def unmarshalable(event, context):
    return {1, 2}

def partial(event, context):
    return {"batchItemFailures": [{"itemIdentifier": i} for i in event["ids"]]}

def partial_sqs(event, context):
    return {"batchItemFailures": [{"itemIdentifier": r["body"]} for r in event["Records"]]}

def slow(event, context):
    context.sleep(25_000)
    context.send("notificationQueue", "never")

def draw(event, context):
    return context.random.random()
"""


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    (tmp_path / "bh_handlers_mod.py").write_text(HANDLERS)
    return tmp_path


def with_handler(
    stack: Stack, code_dir: Path, fn: str, name: str = "worker", **extra: str
) -> Behaviors:
    lines = [f"behaviors:\n  {name}:\n    handler: bh_handlers_mod:{fn}\n"]
    lines += [f"    {k}: {v}\n" for k, v in extra.items()]
    return ok(stack, "".join(lines), allow_code=True, base_dir=code_dir)


def test_python_handler_emits_logs_and_returns(stack: Stack, code_dir: Path) -> None:
    behaviors = with_handler(stack, code_dir, "process", duration="200ms")
    batch = [record("m1", {"id": "a"})]
    event = {"Records": batch}
    inp = InvocationInput("worker", 1, 1, "sqs", T0, 20_000, lambda: event, lambda: batch, "r1")
    out = behaviors.decide(inp, RNG, [])
    assert out.status == "success", out
    assert out.duration_ms == 1200  # declared 200 ms + 1 s slept
    assert out.response == {"remaining": 19_000, "attempt": 1}
    assert [e.kind for e in out.emissions] == ["send", "publish", "put", "invoke"]
    assert out.emissions[0].fields == {
        "body": '{"id":"a"}',
        "delay": 2,
        "group": None,
        "dedupId": None,
        "attributes": None,
    }
    assert out.emissions[1].fields == {
        "source": "orders",
        "detailType": "OrderSeen",
        "detail": {"id": "a"},
    }
    assert out.emissions[2].fields == {"key": "out/a", "content": "bytes"}
    # Lambda's context.function_name is the AWS name, `{stack}-{function}`.
    assert out.logs == ["t-dev-worker r1 2026-01-01T00:00:00+00:00", "printed line"]
    assert "mutated" not in event  # the handler got a copy: the engine's event is untouched
    assert behaviors.describe("worker").startswith("200 ms; Python handler bh_handlers_mod:process")
    assert behaviors.skipped_handlers() == []


def test_python_handler_exception_is_an_error(stack: Stack, code_dir: Path) -> None:
    behaviors = with_handler(stack, code_dir, "boom")
    out = behaviors.decide(direct("worker", {}), RNG, [])
    assert (out.status, out.error_type, out.error_message) == ("error", "KeyError", "'missing'")
    assert out.logs == ["about to fail"]


def test_python_handler_bad_target_and_marshal_error(stack: Stack, code_dir: Path) -> None:
    out = with_handler(stack, code_dir, "bad_target").decide(direct("worker", {}), RNG, [])
    assert (out.status, out.error_type) == ("error", "BehaviorError")
    assert "no sqs-queue named 'nope'" in (out.error_message or "")
    out = with_handler(stack, code_dir, "unmarshalable").decide(direct("worker", {}), RNG, [])
    assert (out.status, out.error_type) == ("error", "Runtime.MarshalError")
    assert (out.error_message or "").startswith("Unable to marshal response:")


def test_python_handler_sleeping_past_the_timeout(stack: Stack, code_dir: Path) -> None:
    out = with_handler(stack, code_dir, "slow").decide(direct("worker", {}), RNG, [])
    assert (out.status, out.duration_ms, out.emissions) == ("timeout", 20_000, [])


def test_python_handler_batch_item_failures(stack: Stack, code_dir: Path) -> None:
    batch = [record("a", "a"), record("b", "b")]
    on = with_handler(stack, code_dir, "partial_sqs", reportBatchItemFailures="true")
    assert on.decide(sqs("worker", batch), RNG, []).failed_item_ids == ["a", "b"]
    # An id that is not in the batch fails the whole batch (a success with every id).
    bad = [record("a", "a"), record("b", "zz")]
    out = on.decide(sqs("worker", bad), RNG, [])
    assert (out.status, out.failed_item_ids) == ("success", ["a", "b"])
    assert "the whole batch fails" in out.logs[-1]
    off = with_handler(stack, code_dir, "partial_sqs")
    out = off.decide(sqs("worker", batch), RNG, [])
    assert out.failed_item_ids is None
    assert out.logs[-1] == (
        "batchItemFailures ignored: ReportBatchItemFailures is not enabled, so Lambda deletes "
        "the whole batch (Stacktape does not enable it: `reportBatchItemFailures: true` in "
        "the behaviours file simulates a stack whose overrides do)"
    )


def test_python_handler_uses_the_seeded_rng(stack: Stack, code_dir: Path) -> None:
    behaviors = with_handler(stack, code_dir, "draw")
    first = behaviors.decide(direct("worker", {}), random.Random(4), []).response
    assert first == random.Random(4).random()


def test_handler_skipped_without_allow_code(stack: Stack, code_dir: Path) -> None:
    text = "behaviors:\n  worker:\n    handler: bh_handlers_mod:boom\n    duration: 5s\n"
    behaviors, diags = load(stack, text, base_dir=code_dir)
    assert len(diags) == 1
    d = diags[0]
    assert (d.severity, d.code, d.line, d.column) == ("warning", "behavior-handler-skipped", 3, 14)
    assert d.message == (
        "handler bh_handlers_mod:boom skipped: Python handlers run only with --allow-code; "
        "the declared behaviour is used instead"
    )
    assert behaviors.skipped_handlers() == [("worker", d.message)]
    out = behaviors.decide(_lazy("worker"), RNG, [])
    assert (out.status, out.duration_ms) == ("success", 5000)
    assert "handler bh_handlers_mod:boom skipped (needs --allow-code)" in behaviors.describe(
        "worker"
    )


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no_such_module_xyz:fn", "cannot import handler module 'no_such_module_xyz'"),
        ("bh_handlers_mod:missing", "has no 'missing'"),
        ("bh_broken_mod:fn", "SyntaxError"),
    ],
)
def test_unimportable_handler_is_an_error(
    stack: Stack, code_dir: Path, ref: str, message: str
) -> None:
    (code_dir / "bh_broken_mod.py").write_text("def fn(:\n")
    text = f"behaviors:\n  worker:\n    handler: {ref}\n"
    behaviors, diags = load(stack, text, allow_code=True, base_dir=code_dir)
    d = where(diags, "behavior-handler-import")
    assert (d.severity, d.line) == ("error", 3)
    assert message in d.message
    assert behaviors.skipped_handlers()[0][0] == "worker"
    assert behaviors.decide(_lazy("worker"), RNG, []).status == "success"


# ---------------------------------------------------------------------------------------------
# Determinism


DETERMINISM = """
behaviors:
  worker:
    duration: {min: 10ms, max: 5s}
    fail:
      - {rate: 0.2, error: A}
      - {when: "body.n > `7`", error: B}
    timeout: {rate: 0.05}
    reportBatchItemFailures: true
    partial: {rate: 0.3}
    emit:
      - send: {queue: notificationQueue, body: "body"}
  audit:
    duration: {min: 1ms, max: 50ms}
    fail: {rate: 0.5}
"""


def _key(o: Outcome) -> tuple[Any, ...]:
    return (o.duration_ms, o.status, o.error_type, o.failed_item_ids, len(o.emissions))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    plan=st.lists(
        st.tuples(st.sampled_from(["worker", "audit", "nightly"]), st.integers(0, 10)),
        max_size=25,
    ),
)
def test_same_seed_same_outcomes(seed: int, plan: list[tuple[str, int]]) -> None:
    behaviors = ok(STACK, DETERMINISM)

    def run() -> list[tuple[Any, ...]]:
        rng = random.Random(seed)
        overrides = [parse_override(["fail", "worker", "rate", "0.1"])]
        out = []
        for nth, (fn, n) in enumerate(plan, 1):
            if fn == "worker":
                batch = [record(f"m{nth}-{i}", {"n": i}) for i in range(n)]
                inp = sqs(fn, batch, nth=nth)
            else:
                inp = direct(fn, {"n": n}, nth=nth)
            out.append(_key(behaviors.decide(inp, rng, overrides if fn == "worker" else [])))
        return out

    assert run() == run()


def test_handler_module_named_like_a_standard_module_is_refused(
    stack: Stack, code_dir: Path
) -> None:
    (code_dir / "json.py").write_text("def dumps(e, c):\n    return 1\n")
    text = "behaviors:\n  worker: {handler: 'json:dumps'}\n"
    _, diags = load(stack, text, allow_code=True, base_dir=code_dir)
    assert "standard-library module" in where(diags, "behavior-handler-import").message
    _, diags = load(stack, "behaviors:\n  worker: {handler: 'yaml:x'}\n", allow_code=True)
    assert "installed module" in where(diags, "behavior-handler-import").message


def test_reloading_picks_up_an_edited_handler(stack: Stack, tmp_path: Path) -> None:
    module = tmp_path / "bh_reload_mod.py"
    text = "behaviors:\n  worker: {handler: 'bh_reload_mod:fn'}\n"
    module.write_text("def fn(event, context):\n    return 1\n")
    first = ok(stack, text, allow_code=True, base_dir=tmp_path)
    module.write_text("def fn(event, context):\n    return 2  # edited\n")
    second = ok(stack, text, allow_code=True, base_dir=tmp_path)
    assert second.decide(direct("worker", {}), RNG, []).response == 2
    assert first.decide(direct("worker", {}), RNG, []).response == 1


@pytest.mark.parametrize(
    "text",
    [
        "behaviors:\n  worker:\n    emit:\n      - send: {queue: jobs, body: b, delay: .inf}\n",
        "behaviors:\n  worker:\n    emit:\n      - send: {queue: jobs, body: b, delay: .nan}\n",
        "behaviors:\n  worker:\n    fail: {rate: .nan}\n",
        "behaviors:\n  worker:\n    duration: {min: [1], max: {a: 1}}\n",
        "behaviors:\n  worker:\n    emit: [[], {}, null, {send: 3}, {send: {queue: [x]}}]\n",
        "behaviors:\n  worker:\n    partial: [1]\n    response: 3\n",
        "behaviors:\n  worker:\n    handler: 3\n",
        "behaviors:\n  1: {}\n  null: {}\n",
        "behaviors:\n  worker: &a {fail: *a}\n",
        "\x00\x01",
        "behaviors: {worker: {fail: {when: '`{'}}}\n",
    ],
)
def test_nasty_input_never_raises(stack: Stack, text: str) -> None:
    behaviors, diags = Behaviors.from_text(text, "stptui.yml", stack, allow_code=True)
    assert diags
    for inp in (_lazy("worker"), sqs("worker", [record("m1", {})])):
        assert behaviors.decide(inp, RNG, []).status in ("success", "error", "timeout")


def test_a_first_n_rule_reads_in_the_singular_or_plural_and_a_batch_job_counts_attempts(
    stack: Stack,
) -> None:
    behaviors = ok(
        stack,
        """
        behaviors:
          worker:
            fail: {first: 1}
          audit:
            timeout: {first: 3}
          nightly:
            fail: {first: 2, error: SpotInterruption}
        """,
    )
    assert behaviors.describe("worker") == "100 ms; fails on the first invocation (Error)"
    assert behaviors.describe("audit") == "100 ms; times out on the first 3 invocations"
    assert behaviors.describe("nightly") == (
        "100 ms; fails on the first 2 attempts (SpotInterruption)"
    )


@pytest.mark.parametrize(
    ("emit", "hint"),
    [
        ("publish: {bus: evntBus, source: a, detailType: b, detail: c}", "event-buses: "),
        ("send: {queue: jbs, body: b}", "sqs-queues: "),
    ],
)
def test_an_unknown_target_s_hint_heads_its_list_with_the_type_s_plural(
    stack: Stack, emit: str, hint: str
) -> None:
    _, diags = load(stack, f"behaviors:\n  worker:\n    emit:\n      - {emit}\n")
    assert (where(diags, "behavior-unknown-target").hint or "").startswith(hint)
