"""Lambda invocation rules: asynchronous retries, maximum event age, destinations, sync
invocations and concurrency (aws-semantics §2-§3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors, Outcome, parse_override
from stptui.sim.engine import SimError, Simulator
from stptui.sim.explain import explain
from tests.simkit import START, capture_inputs, make_sim, records, seconds

ASYNC = """
resources:
  failures: {type: sqs-queue}
  successes: {type: sqs-queue}
  handler:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: h.ts}}
      destinations:
        onFailure: $ResourceParam('failures', 'arn')
        onSuccess: $ResourceParam('successes', 'arn')
"""


def test_async_errors_are_retried_twice_one_then_two_minutes_later() -> None:
    sim = make_sim(ASYNC)
    sim.functions["handler"].overrides.append(parse_override(["fail", "handler", "always"]))
    sim.invoke_async("handler", {"detail": {"n": 1}}, "event-bus", "test")
    sim.run(3_600_000)
    # attempt 1 at 0 (fails at 0.1 s), attempt 2 at 60.1 s, attempt 3 at 180.2 s
    assert seconds(sim, tk.INVOCATION_STARTED, "handler") == [0, 60.1, 180.2]
    assert [r.get("attempt") for r in records(sim, tk.INVOCATION_STARTED)] == [1, 2, 3]
    discarded = records(sim, tk.INVOCATION_DISCARDED, "handler")
    assert [r.get("condition") for r in discarded] == ["RetriesExhausted"]


def test_on_failure_destination_gets_awss_invocation_record() -> None:
    sim = make_sim(ASYNC)
    sim.functions["handler"].overrides.append(parse_override(["fail", "handler", "always"]))
    event = {"detail": {"n": 1}}
    sim.invoke_async("handler", event, "event-bus", "test")
    sim.run(3_600_000)
    (msg,) = sim.queues["failures"].messages.values()
    record = json.loads(msg.body)
    assert list(record) == [
        "version",
        "timestamp",
        "requestContext",
        "requestPayload",
        "responseContext",
        "responsePayload",
    ]
    assert record["version"] == "1.0"
    ctx = record["requestContext"]
    assert ctx["condition"] == "RetriesExhausted"
    assert ctx["approximateInvokeCount"] == 3
    assert ctx["functionArn"] == sim.functions["handler"].arn + ":$LATEST"
    assert record["requestPayload"] == event
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "Error"
    assert sim.queue_stats("successes")["depth"] == 0


@pytest.mark.parametrize(
    ("arn", "shown"),
    [
        ("arn:aws:sqs:us-east-1:999999999999:elsewhere", None),
        ("$CfResourceParam('MySnsTopic', 'Arn')", "<cf:MySnsTopic.Arn>"),
    ],
)
def test_a_destination_outside_the_stack_is_a_failed_delivery_explain_shows(
    arn: str, shown: str | None
) -> None:
    # AWS delivers to it; the simulation cannot, and says so where the event is followed
    # rather than leaving the record out (as a stream's on-failure ARN outside the stack).
    stack = ASYNC.replace("$ResourceParam('failures', 'arn')", arn)
    sim = make_sim("cloudformationResources:\n  MySnsTopic: {Type: AWS::SNS::Topic}\n" + stack)
    sim.functions["handler"].overrides.append(parse_override(["fail", "handler", "always"]))
    event_id = sim.invoke_async("handler", {"n": 1}, "event-bus", "test")
    sim.run(3_600_000)
    (failed,) = records(sim, tk.EMISSION_FAILED, "handler")
    assert failed.data["emission"] == "onFailure" and failed.data["event_id"] == event_id
    assert failed.data["target"] == (shown or arn)
    assert failed.data["error"] == f"{shown or arn} names no resource the simulation runs"
    assert failed in explain(sim.trace, event_id).records


def test_on_success_destination() -> None:
    sim = make_sim(ASYNC, 'behaviors:\n  handler:\n    response: "{ok: `true`}"\n')
    sim.invoke_async("handler", {"x": 1}, "s3", "test")
    sim.run(60_000)
    (msg,) = sim.queues["successes"].messages.values()
    record = json.loads(msg.body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["responsePayload"] == {"ok": True}
    assert "functionError" not in record["responseContext"]
    assert len(records(sim, tk.DESTINATION_DELIVERED, "handler")) == 1


def test_a_retry_that_would_pass_the_maximum_event_age_is_dropped() -> None:
    sim = make_sim(ASYNC)
    invoker = sim.async_invokers["handler"]
    invoker.max_age_ms = 90_000  # as with MaximumEventAgeInSeconds=90: 2 attempts
    sim.functions["handler"].overrides.append(parse_override(["fail", "handler", "always"]))
    sim.invoke_async("handler", {}, "s3", "test")
    sim.run(3_600_000)
    assert len(records(sim, tk.INVOCATION_STARTED)) == 2
    assert [r.get("condition") for r in records(sim, tk.INVOCATION_DISCARDED)] == [
        "EventAgeExceeded"
    ]
    invoker.max_age_ms = 60_000


def test_max_event_age_60_gives_one_attempt() -> None:
    sim = make_sim(ASYNC)
    sim.async_invokers["handler"].max_age_ms = 60_000
    sim.functions["handler"].overrides.append(parse_override(["fail", "handler", "always"]))
    sim.invoke_async("handler", {}, "s3", "test")
    sim.run(3_600_000)
    assert len(records(sim, tk.INVOCATION_STARTED)) == 1


def test_throttled_async_events_back_off_and_do_not_use_retries() -> None:
    sim = make_sim(
        ASYNC.replace("      destinations:", "      reservedConcurrency: 1\n      destinations:"),
        "behaviors:\n  handler:\n    duration: 5s\n",
    )
    sim.invoke_async("handler", {"n": 1}, "s3", "test")
    sim.invoke_async("handler", {"n": 2}, "s3", "test")
    sim.run(600_000)
    throttles = records(sim, tk.INVOCATION_THROTTLED, "handler")
    # second event throttled at 0, 1 and 3 s (backoff 1 s, 2 s, 4 s), runs at 7 s
    assert [(r.t - START) / 1000 for r in throttles] == [0, 1, 3]
    assert seconds(sim, tk.INVOCATION_STARTED) == [0, 7]
    assert [r.get("attempt") for r in records(sim, tk.INVOCATION_STARTED)] == [1, 1]
    assert sim.function_stats("handler")["successes"] == 2


def test_sync_invoke_reports_the_outcome_and_throttles_at_once() -> None:
    sim = make_sim(
        ASYNC.replace("      destinations:", "      reservedConcurrency: 1\n      destinations:"),
        'behaviors:\n  handler:\n    duration: 2s\n    response: "{echo: n}"\n',
    )
    results: list[Outcome] = []
    sim.invoke_sync("handler", {"n": 7}, lambda outcome, _id: results.append(outcome))
    with pytest.raises(SimError, match="TooManyRequestsException"):
        sim.invoke_sync("handler", {"n": 8}, lambda outcome, _id: results.append(outcome))
    sim.run(60_000)
    assert [o.response for o in results] == [{"echo": 7}]
    assert seconds(sim, tk.INVOCATION_SUCCEEDED) == [2]
    # Synchronous invocations never go to destinations.
    assert sim.queue_stats("successes")["depth"] == 0


def test_an_sqs_triggered_function_never_sends_records_to_its_destinations() -> None:
    # Destinations are the asynchronous invocation's: a failed SQS batch returns to its
    # queue and its redrive policy dead-letters it; nothing reaches onFailure or onSuccess.
    stack = ASYNC + (
        "      events: [{type: sqs, properties: {sqsQueueName: jobs}}]\n"
        "  jobs:\n"
        "    type: sqs-queue\n"
        "    properties:\n"
        "      visibilityTimeoutSeconds: 30\n"
        "      redrivePolicy: {targetSqsQueueName: jobsDlq, maxReceiveCount: 2}\n"
        "  jobsDlq: {type: sqs-queue}\n"
    )
    sim = make_sim(stack, "behaviors:\n  handler:\n    fail: {when: \"body == 'bad'\"}\n")
    sim.send("jobs", "bad")
    sim.run(3_600_000)
    sim.send("jobs", "good")
    sim.run(3_600_000)
    assert len(records(sim, tk.INVOCATION_FAILED, "handler")) == 2
    assert len(records(sim, tk.INVOCATION_SUCCEEDED, "handler")) == 1
    assert sim.queue_stats("jobsDlq")["depth"] == 1
    assert sim.queue_stats("failures")["depth"] == 0
    assert sim.queue_stats("successes")["depth"] == 0
    assert not records(sim, tk.DESTINATION_DELIVERED)


def test_emissions_happen_when_the_invocation_succeeds() -> None:
    sim = make_sim(
        """
resources:
  inbox: {type: sqs-queue}
  outbox: {type: sqs-queue}
  relay:
    type: function
    properties:
      connectTo: [outbox]
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}
      events: [{type: sqs, properties: {sqsQueueName: inbox}}]
  sink:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.ts}}
      events: [{type: sqs, properties: {sqsQueueName: outbox}}]
""",
        "behaviors:\n  relay:\n    duration: 1s\n    emit:\n      - send: {queue: outbox, body: body}\n",
    )
    sim.send("inbox", '{"order": 42}')
    sim.run(60_000)
    sent = records(sim, tk.MESSAGE_SENT, "outbox")
    assert [(r.t - START) / 1000 for r in sent] == [1]
    assert sent[0].get("source").startswith("relay:")
    assert sim.function_stats("sink")["successes"] == 1


def test_same_seed_same_trace_different_seed_different_failures() -> None:
    def run(seed: int) -> list[str]:
        sim = make_sim(
            ASYNC.replace(
                "h.ts}}",
                "h.ts}}\n      events: [{type: sqs, properties: {sqsQueueName: failures}}]",
            ),
            "behaviors:\n  handler:\n    fail: {rate: 0.5}\n",
            seed=seed,
        )
        for i in range(40):
            sim.send("failures", f"m{i}")
        sim.run(3_600_000)
        return [r.to_line() for r in sim.trace.records]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_reserved_concurrency_zero_sends_async_events_to_on_failure_without_retries() -> None:
    stack = ASYNC.replace(
        "      destinations:", "      reservedConcurrency: 0\n      destinations:"
    )
    sim = make_sim(stack)
    event = {"detail": {"n": 1}}
    sim.invoke_async("handler", event, "event-bus", "test")
    sim.run(3_600_000)
    assert records(sim, tk.INVOCATION_STARTED, "handler") == []
    [throttled] = records(sim, tk.INVOCATION_THROTTLED, "handler")
    assert throttled.get("retry_in_ms") is None and throttled.t == START
    [discarded] = records(sim, tk.INVOCATION_DISCARDED, "handler")
    assert discarded.t == START and discarded.get("condition") == "RetriesExhausted"
    (msg,) = sim.queues["failures"].messages.values()
    record = json.loads(msg.body)
    assert record["requestPayload"] == event
    assert record["requestContext"]["approximateInvokeCount"] == 0


@pytest.mark.parametrize(
    ("entry", "keys"),
    [
        ("h.ts", ["errorType", "errorMessage", "trace"]),
        ("h.py", ["errorMessage", "errorType", "requestId", "stackTrace"]),
    ],
)
def test_on_failure_response_payload_is_the_runtimes_error_response(
    entry: str, keys: list[str]
) -> None:
    sim = make_sim(ASYNC.replace("h.ts", entry))
    sim.functions["handler"].overrides.append(parse_override(["fail", "handler", "always"]))
    sim.invoke_async("handler", {"n": 1}, "event-bus", "test")
    sim.run(3_600_000)
    (msg,) = sim.queues["failures"].messages.values()
    record = json.loads(msg.body)
    response = record["responsePayload"]
    assert list(response) == keys and response["errorType"] == "Error"
    if "requestId" in response:  # Python names the request: the event's, for every attempt
        assert response["requestId"] == record["requestContext"]["requestId"]


REQUEST_ID_HANDLER = """
def fail(event, context):
    context.log(context.aws_request_id)
    raise RuntimeError("boom")
"""


def test_every_async_attempt_has_the_request_id_the_invoke_answered_with(
    tmp_path: Path,
) -> None:
    (tmp_path / "lambda_request_id_handlers.py").write_text(REQUEST_ID_HANDLER)
    stack = load_stack_text(ASYNC.replace("h.ts", "h.py"), "stacktape.yml")
    behaviors, diags = Behaviors.from_text(
        "behaviors:\n  handler:\n    handler: lambda_request_id_handlers:fail\n",
        "stptui.yml",
        stack,
        allow_code=True,
        base_dir=tmp_path,
    )
    assert diags == []
    sim = Simulator(stack, behaviors, start_ms=START)
    request_id = sim.invoke_async("handler", {"n": 1}, "event-bus", "test")
    sim.run(3_600_000)
    # The handler sees one request id in all three attempts: the one Invoke returned.
    logs = records(sim, tk.HANDLER_LOG, "handler")
    assert [r.get("text") for r in logs] == [request_id] * 3
    # The trace still names each attempt, and links them through the event id.
    started = records(sim, tk.INVOCATION_STARTED, "handler")
    assert len({r.get("invocation_id") for r in started}) == 3
    assert {r.get("event_id") for r in started} == {request_id}
    chain = explain(sim.trace, logs[-1].get("invocation_id"))
    assert [r.seq for r in chain.records if r.kind == tk.INVOCATION_STARTED] == [
        r.seq for r in started
    ]
    (msg,) = sim.queues["failures"].messages.values()
    record = json.loads(msg.body)
    assert record["requestContext"]["requestId"] == request_id
    assert record["responsePayload"]["requestId"] == request_id


def test_a_retry_that_succeeds_reports_the_events_request_id() -> None:
    sim = make_sim(ASYNC, "behaviors:\n  handler:\n    fail: {first: 2}\n")
    seen = capture_inputs(sim, lambda inp: inp.request_id)
    request_id = sim.invoke_async("handler", {"n": 1}, "s3", "test")
    sim.run(3_600_000)
    assert seen == [request_id] * 3
    (msg,) = sim.queues["successes"].messages.values()
    record = json.loads(msg.body)
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["approximateInvokeCount"] == 3


ONE_AT_A_TIME = ASYNC.replace(
    "      destinations:", "      reservedConcurrency: 1\n      timeout: 900\n      destinations:"
)
# Each invocation takes 100 s; the first two fail.
FIRST_TWO_FAIL = "behaviors:\n  handler:\n    duration: 100s\n    fail: {first: 2}\n"


def throttle_waits(sim: Simulator, event_id: str) -> list[int | None]:
    """The backoffs of an asynchronous event's throttles, in order."""
    return [
        r.get("retry_in_ms")
        for r in records(sim, tk.INVOCATION_THROTTLED, "handler")
        if r.get("event_id") == event_id
    ]


def test_a_throttled_retry_backs_off_from_1_s_again() -> None:
    # `second` is throttled seven times before its first attempt (1 s ... 64 s), runs at
    # 128 s and fails; its retry, a minute after, finds `first`'s retry running and backs
    # off from 1 s again, as a stream's throttled batch does, not from where it stopped.
    sim = make_sim(ONE_AT_A_TIME, FIRST_TWO_FAIL)
    first = sim.invoke_async("handler", {"n": 1}, "s3", "test")
    sim.advance(1_000)
    second = sim.invoke_async("handler", {"n": 2}, "s3", "test")
    sim.run(3_600_000)
    waits = throttle_waits(sim, second)
    assert waits[:7] == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000]
    assert waits[7] == 1_000
    starts = [r for r in records(sim, tk.INVOCATION_STARTED) if r.get("event_id") == second]
    assert [(r.t - START) // 1000 for r in starts][:1] == [128]
    assert first != second


def test_an_event_that_ages_out_while_throttled_reports_its_last_error() -> None:
    # `first` fails at 100 s; its retry at 160 s finds `second` running until 228 s, and
    # with a maximum age of 200 s it is given up while throttled. The record still says how
    # its one invocation ended (AWS's EventAgeExceeded record after a failed attempt has
    # functionError and the error response: LocalStack's AWS-validated test_maxeventage).
    sim = make_sim(ONE_AT_A_TIME, FIRST_TWO_FAIL)
    sim.async_invokers["handler"].max_age_ms = 200_000
    first = sim.invoke_async("handler", {"n": 1}, "s3", "test")
    sim.advance(1_000)
    sim.invoke_async("handler", {"n": 2}, "s3", "test")
    sim.run(3_600_000)
    [given_up] = [r for r in records(sim, tk.INVOCATION_DISCARDED) if r.get("event_id") == first]
    assert given_up.get("condition") == "EventAgeExceeded"
    assert throttle_waits(sim, first)  # it was throttled when it aged out
    bodies = [json.loads(m.body) for m in sim.queues["failures"].messages.values()]
    [record] = [b for b in bodies if b["requestContext"]["requestId"] == first]
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "Error"


def test_throttled_events_wait_up_to_the_maximum_age_then_go_to_on_failure() -> None:
    # Reserved concurrency 1 and 30 events of 15 minutes each: 7.5 hours of work, and an
    # event may wait 6 hours. Throttles use no retry; the events still throttled when their
    # next wait would pass 6 hours go to the destination as EventAgeExceeded, never invoked.
    stack = ASYNC.replace(
        "      destinations:",
        "      reservedConcurrency: 1\n      timeout: 900\n      destinations:",
    )
    sim = make_sim(stack, "behaviors:\n  handler:\n    duration: 15m\n")
    for i in range(30):
        sim.invoke_async("handler", {"n": i}, "s3", "test")
    sim.run(24 * 3_600_000)
    started = records(sim, tk.INVOCATION_STARTED, "handler")
    assert all(r.get("attempt") == 1 for r in started)
    assert all(r.get("age_ms") <= 6 * 3_600_000 for r in started)
    dropped = records(sim, tk.INVOCATION_DISCARDED, "handler")
    assert dropped and {r.get("condition") for r in dropped} == {"EventAgeExceeded"}
    assert {r.get("attempts") for r in dropped} == {0}
    assert len(started) + len(dropped) == 30
    assert sim.function_stats("handler")["successes"] == len(started)
    failures = [json.loads(m.body) for m in sim.queues["failures"].messages.values()]
    assert len(failures) == len(dropped)
    assert {f["requestContext"]["approximateInvokeCount"] for f in failures} == {0}
