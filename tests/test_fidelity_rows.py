"""Rows of docs/fidelity.md that no other test held: each test is named in its row, and fails
if stptui stopped doing what the row says (one section of the page per block). The first test
keeps the page honest: every test a row names exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lintkit import found, load, one

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.engine import SimError
from stptui.sim.services.kafka import KafkaError
from stptui.sim.services.topic import policy_problems
from tests.simkit import START, capture_inputs, http_route_function, make_sim, records
from tests.test_function_urls import call as url_call
from tests.test_function_urls import stack as url_stack
from tests.test_sim_batch import STACK as BATCH_STACK
from tests.test_sim_kafka import EXAMPLE as KAFKA_EXAMPLE
from tests.test_sim_lambda import ASYNC as ASYNC_STACK
from tests.test_sim_websocket import _stack as ws_stack
from tests.test_state_machine_sdk import DONE, catch_all, open_flow, sdk
from tests.test_state_machine_sdk import run as run_flow
from tests.test_user_pool_accounts import confirmed as pool_confirmed
from tests.test_user_pool_accounts import refused as pool_refused
from tests.test_user_pool_accounts import session_of as pool_session
from tests.test_user_pool_accounts import stack as pool_stack

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def run(session: Session, *lines: str) -> list[str]:
    """Each line's output, in order (a refused line raises)."""
    return [execute(session, line).text for line in lines]


def sent_id(text: str) -> str:
    """The message id `send` printed (`sent message ID to QUEUE`)."""
    return text.split()[2]


# -- The page itself ----------------------------------------------------------------------------

TESTS = Path(__file__).resolve().parent
FIDELITY = TESTS.parent / "docs" / "fidelity.md"
# Tests of other projects the page quotes as sources (LocalStack's, recorded against AWS),
# not tests of stptui.
CITED_ELSEWHERE = frozenset(
    {
        "test_base_map",
        "test_base_task",
        "test_delete_objects",
        "test_dynamodb_event_source_mapping_with_on_failure_destination_config",
        "test_empty_or_wrong_message_attributes",
        "test_input_transformer_predefined_variables",
        "test_lambda_integration_dynamodbstreams",
        "test_math_add",
        "test_maxeventage",
        "test_mixed_query_language",
        "test_publish_batch_exceptions",
        "test_publish_too_long_message",
        "test_put_events_malformed_detail",
        "test_put_events_no_source",
        "test_start_large_input",
    }
)


def test_every_test_the_page_names_exists() -> None:
    # A row is held by the tests it names: one renamed or deleted would leave the row
    # unchecked while still looking held.
    defined: dict[str, set[str]] = {}
    for path in TESTS.rglob("*.py"):
        for name in re.findall(r"^\s*def (test_\w+)", path.read_text(encoding="utf-8"), re.M):
            defined.setdefault(name, set()).add(path.name)
    files = {path.name for path in TESTS.rglob("*.py")}
    missing: list[str] = []
    fenced = False
    for line in FIDELITY.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if fenced:
            continue
        for code in re.findall(r"`([^`]+)`", line):
            named = re.fullmatch(r"(?:tests/)?(test_\w+\.py)(?:::(test_\w+))?(?:\[.*\])?", code)
            if named:
                file, test = named.groups()
                if file not in files or (test and file not in defined.get(test, ())):
                    missing.append(code)
            elif re.fullmatch(r"test_\w+", code) and code not in CITED_ELSEWHERE | defined.keys():
                missing.append(code)
    assert not missing, missing


# -- SQS (§1) ----------------------------------------------------------------------------------

JOBS = f"""
resources:
  jobs:
    type: sqs-queue
    properties: {{visibilityTimeoutSeconds: 30}}
  worker:
    type: function
    properties:
      {PKG}
      timeout: 5
      events: [{{type: sqs, properties: {{sqsQueueName: jobs, batchSize: 1}}}}]
"""


def test_a_returned_message_goes_behind_the_messages_that_became_visible_before_it(
    tmp_path: Path,
) -> None:
    # Row "Standard queues deliver at least once": receives go in the order messages became
    # visible, so a failed message that comes back waits behind a later send already there.
    (tmp_path / "stacktape.yml").write_text(JOBS)
    (tmp_path / "stptui.yml").write_text("behaviors:\n  worker: {duration: 1s}\n")
    s = Session.open(tmp_path, start_ms=START)
    run(s, "fail worker next 1")
    (out,) = run(s, "send jobs first")
    first = sent_id(out)
    run(s, "advance 2s", "pause worker --trigger jobs", "advance 3s")
    (out,) = run(s, "send jobs second")  # visible at 5 s; `first` returns at 30 s
    second = sent_id(out)
    run(s, "advance 35s")  # 40 s
    (out,) = run(s, "send jobs third")  # visible at 40 s
    third = sent_id(out)
    run(s, "advance 10s", "resume worker --trigger jobs", "advance 10s")
    received = [r.get("message_id") for r in records(s.sim, tk.MESSAGE_RECEIVED, "jobs")]
    assert received == [first, second, first, third]
    assert s.sim.queue_stats("jobs")["depth"] == 0


FIFO_GROUPS = f"""
resources:
  orders:
    type: sqs-queue
    properties: {{fifoEnabled: true, contentBasedDeduplication: true}}
  worker:
    type: function
    properties:
      {PKG}
      timeout: 20
      events: [{{type: sqs, properties: {{sqsQueueName: orders, batchSize: 1}}}}]
"""


def test_a_fifo_queue_holds_at_most_120_000_messages_in_flight_as_a_standard_one() -> None:
    # Row "In-flight quota": 120,000 for both kinds ("Amazon SQS FIFO queue quotas"; FIFO's
    # was 20,000, which stptui kept after AWS raised it).
    sim = make_sim(FIFO_GROUPS, "behaviors:\n  worker: {duration: 10s}\n")
    q = sim.queues["orders"]
    assert q.inflight_limit == 120_000 == make_sim(JOBS).queues["jobs"].inflight_limit
    q.inflight_limit = 3  # AWS's 120,000, scaled down
    for group in "abcde":
        sim.send("orders", f"m-{group}", group=group)
    sim.advance(1_000)
    # Five groups and five pollers could take five; the quota stops the receives at three.
    stats = sim.queue_stats("orders")
    assert (stats["in_flight"], stats["visible"]) == (3, 2)
    sim.advance(10_000)  # the three are deleted: the other two groups are received
    assert sim.queue_stats("orders")["in_flight"] == 2
    sim.advance(10_000)
    assert len(records(sim, tk.MESSAGE_DELETED, "orders")) == 5


# -- Lambda and the SQS event source mapping (§2) -----------------------------------------------


def test_a_handler_exactly_as_long_as_its_timeout_succeeds() -> None:
    # Row "A handler slower than its timeout fails": at exactly the timeout, it succeeds.
    sim = make_sim(JOBS, "behaviors:\n  worker: {duration: 5s}\n")
    sim.send("jobs", "x")
    sim.advance(10_000)
    (done,) = records(sim, tk.INVOCATION_SUCCEEDED, "worker")
    assert done.t - START == 5_000 and not records(sim, tk.INVOCATION_FAILED)
    assert sim.queue_stats("jobs")["depth"] == 0
    late = make_sim(JOBS, "behaviors:\n  worker: {duration: 5001ms}\n")
    late.send("jobs", "x")
    late.advance(10_000)
    (failed,) = records(late, tk.INVOCATION_FAILED, "worker")
    assert failed.t - START == 5_000 and failed.get("error") == "Sandbox.Timedout"


@pytest.mark.parametrize("window", ["", ", maxBatchWindowSeconds: 20"])
def test_a_batch_holds_at_most_6_mb_of_bodies(window: str) -> None:
    # Row "Batch size (default 10) and batching window": a batch closes when its bodies reach
    # Lambda's 6 MB (6,291,456 bytes) synchronous payload, window or not.
    stack = JOBS.replace("batchSize: 1}", f"batchSize: 10{window}}}").replace(
        "visibilityTimeoutSeconds: 30", "visibilityTimeoutSeconds: 120"
    )
    sim = make_sim(stack, "behaviors:\n  worker: {duration: 1s}\n")
    for letter in "abcdef":
        sim.send("jobs", letter * 1_048_576)  # six bodies of 1 MiB: exactly 6 MB
    sim.send("jobs", "g")  # one byte more than a batch holds
    sim.advance(60_000)
    batches = [
        (r.t - START, len(r.get("message_ids"))) for r in records(sim, tk.INVOCATION_STARTED)
    ]
    # The full batch goes at once, before any window ends; the last byte waits for its own.
    assert batches == [(0, 6), (20_000 if window else 0, 1)]


def test_a_batch_jobs_window_longer_than_the_visibility_timeout_keeps_its_messages() -> None:
    # Row "Batch size (default 10) and batching window": a batch job's `sqs` trigger holds its
    # messages in flight for window + 30 s when the window passes the visibility timeout, so
    # they do not come back before the job starts.
    stack = BATCH_STACK.replace("batchSize: 10}", "batchSize: 10, maxBatchWindowSeconds: 60}")
    stack = stack.replace(
        "jobs: {type: sqs-queue}",
        "jobs: {type: sqs-queue, properties: {visibilityTimeoutSeconds: 20}}",
    )
    sim = make_sim(stack)
    mid = sim.send("jobs", "a")
    sim.advance(100_000)
    assert [r.t - START for r in records(sim, tk.MESSAGE_RECEIVED, "jobs")] == [0]
    assert not records(sim, tk.MESSAGE_RETURNED, "jobs")
    (submitted,) = records(sim, tk.BATCH_SUBMITTED, "worker")
    assert submitted.t - START == 60_000 and submitted.get("message_ids") == [mid]
    assert [r.t - START for r in records(sim, tk.MESSAGE_DELETED, "jobs")] == [60_000]


def test_the_pollers_stop_at_1_000_batches_before_the_account_throttles() -> None:
    # Row "5 concurrent batches at first, then up to 300 more per minute, at most 1,000": the
    # mapping's own cap, reached after four minutes of backlog, not the account's throttle.
    stack = JOBS.replace("visibilityTimeoutSeconds: 30", "visibilityTimeoutSeconds: 5400")
    sim = make_sim(
        stack.replace("timeout: 5", "timeout: 900"), "behaviors:\n  worker: {duration: 15m}\n"
    )
    for i in range(1_500):
        sim.send("jobs", f"m{i}")
    in_flight = []
    for _ in range(6):
        sim.advance(60_000)
        in_flight.append(sim.queue_stats("jobs")["in_flight"])
    assert in_flight == [305, 605, 905, 1_000, 1_000, 1_000]
    assert len(records(sim, tk.INVOCATION_STARTED, "worker")) == 1_000
    assert not records(sim, tk.INVOCATION_THROTTLED)


# -- Asynchronous invocation (§3) ---------------------------------------------------------------


def test_a_dead_letter_queue_on_a_function_is_an_unknown_property() -> None:
    # Row "A function's dead-letter queue (DeadLetterConfig)": Stacktape's function has no
    # property for it, so none is simulated.
    stack = f"""
        resources:
          dlq: {{type: sqs-queue}}
          fn:
            type: function
            properties:
              {PKG}
              deadLetterQueue: {{sqsQueueName: dlq}}
        """
    d = one(stack, "unknown-property")
    assert d.severity == "error" and "`deadLetterQueue`" in d.message
    assert "destinations" in (d.hint or "")  # among the properties a function has


def test_a_throttled_event_is_dropped_when_its_next_wait_would_pass_6_hours() -> None:
    # Row "Maximum event age (default 6 h)": reserved concurrency 1 and 30 events of
    # 15 minutes; an event still throttled is dropped (EventAgeExceeded) at the last wait
    # that would take it past 6 hours, so within the 5-minute wait before 6 hours.
    stack = ASYNC_STACK.replace(
        "      destinations:",
        "      reservedConcurrency: 1\n      timeout: 900\n      destinations:",
    )
    sim = make_sim(stack, "behaviors:\n  handler:\n    duration: 15m\n")
    for i in range(30):
        sim.invoke_async("handler", {"n": i}, "s3", "test")
    sim.run(24 * 3_600_000)
    dropped = records(sim, tk.INVOCATION_DISCARDED, "handler")
    assert dropped
    assert all(21_600_000 - 300_000 < r.t - START <= 21_600_000 for r in dropped)
    assert max(r.t - START for r in records(sim, tk.INVOCATION_STARTED, "handler")) <= 21_600_000


# -- Schedules (§6) -----------------------------------------------------------------------------

SCHEDULED = f"""
resources:
  job:
    type: function
    properties:
      {PKG}
      events:
        - type: schedule
          properties: {{scheduleRate: cron(0 8 * * ? *)}}
        - type: schedule
          properties:
            scheduleRate: rate(1 hour)
            input: '{{"a": [1]}}'
"""


def test_a_cron_matching_the_start_instant_fires_first_at_its_next_match() -> None:
    # START is 2026-01-05T08:00:00Z, which cron(0 8 * * ? *) matches: the first fire is the
    # next day's 08:00, not the start itself.
    sim = make_sim(SCHEDULED)
    sim.advance(2 * 86_400_000)
    fires = [
        r.t - START
        for r in records(sim, tk.SCHEDULE_FIRED, "job")
        if r.get("expression") == "cron(0 8 * * ? *)"
    ]
    assert fires == [86_400_000, 2 * 86_400_000]


def test_a_schedule_input_written_as_json_text_reaches_the_handler_as_the_object() -> None:
    # Row "A schedule's input": Stacktape passes a string unchanged, and the target's Input is
    # JSON text, so the handler gets the object, not a string.
    sim = make_sim(SCHEDULED)
    seen = capture_inputs(sim, lambda inp: inp.event())
    sim.advance(3_600_000)
    assert seen == [{"a": [1]}]


# -- EventBridge (§4) ---------------------------------------------------------------------------


def test_the_rules_of_a_bus_deliver_in_config_order() -> None:
    # Row "Rules on a bus route only events put on that bus": rules evaluated in config order,
    # whatever their names.
    names = ["zeta", "alpha", "mid"]
    stack = "resources:\n  bus: {type: event-bus}\n" + "".join(
        f"""  {name}:
    type: function
    properties:
      {PKG}
      events:
        - {{type: event-bus, properties: {{eventBusName: bus, eventPattern: {{source: [shop]}}}}}}
"""
        for name in names
    )
    sim = make_sim(stack)
    sim.services["buses"].publish("bus", "shop", "Order", "{}")
    sim.advance(1_000)
    assert [r.get("target") for r in records(sim, tk.EVENT_MATCHED, "bus")] == names
    assert [r.resource for r in records(sim, tk.INVOCATION_STARTED)] == names


def test_a_top_level_or_is_refused_in_a_stacktape_event_pattern() -> None:
    # Row "Stacktape's eventPattern": its allowed top-level keys leave `$or` out, although
    # EventBridge takes it.
    stack = f"""
        resources:
          bus: {{type: event-bus}}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: event-bus
                  properties:
                    eventBusName: bus
                    eventPattern: {{$or: [{{source: [a]}}, {{detail-type: [b]}}]}}
        """
    d = one(stack, "invalid-event-pattern")
    assert d.severity == "error"
    assert '"$or" is not allowed at the top level of a Stacktape eventPattern' in d.message
    # The same pattern one level down, in `detail`, is EventBridge's and is taken.
    nested = stack.replace("{$or:", "{detail: {$or:").replace("]}]}", "]}]}}")
    assert not found(nested, "invalid-event-pattern")
    assert not load(nested).errors


def test_a_put_events_entry_s_time_counts_14_bytes_toward_the_limit(tmp_path: Path) -> None:
    # Row "An entry over the size limit": "If specified, the Time parameter is 14 bytes"
    # ("Calculating PutEvents event entry size"), so Time takes 14 bytes of the 1,048,576.
    def entry(pad: int) -> dict[str, str]:
        detail = json.dumps({"pad": "x" * pad})  # shop + t + detail = pad + 16 bytes
        return {
            "EventBusName": "orders",
            "Source": "shop",
            "DetailType": "t",
            "Detail": detail,
            "Time": "2026-01-05T08:00:00Z",
        }

    answers = []
    for pad in (1_048_576 - 14 - 16, 1_048_576 - 14 - 15):
        put = sdk("eventbridge:putEvents", {"Entries": [entry(pad)]}, Catch=catch_all())
        s = open_flow(tmp_path, ("Put", put), DONE)
        out = run_flow(s).output
        answers.append((out.get("error", {}).get("Error"), len(records(s.sim, tk.EVENT_PUBLISHED))))
    assert answers == [(None, 1), ("EventBridge.ValidationException", 0)]


# -- Kinesis streams ----------------------------------------------------------------------------

THROTTLED_READER = f"""
resources:
  clicks:
    type: kinesis-stream
    properties: {{capacityMode: PROVISIONED, shardCount: 1, retentionPeriodHours: 24}}
  failed: {{type: sqs-queue}}
  reader:
    type: function
    properties:
      {PKG}
      reservedConcurrency: 0
      events:
        - type: kinesis-stream
          properties:
            kinesisStreamName: clicks
            maximumRetryAttempts: 0
            onFailure: {{type: sqs, arn: "$ResourceParam('failed', 'arn')"}}
"""


def test_a_throttled_stream_batch_backs_off_to_5_minutes_and_uses_no_retry() -> None:
    # Row "Throttled invocations are retried until the records expire": 1 s doubling to
    # 5 min, and a throttle is no failed attempt, so `maximumRetryAttempts: 0` discards nothing.
    sim = make_sim(THROTTLED_READER)
    sim.services["streams"]["clicks"].put(b'{"n": 1}', "k")
    sim.advance(30 * 60_000)
    throttled = records(sim, tk.INVOCATION_THROTTLED, "reader")
    assert [r.get("retry_in_ms") for r in throttled[:11]] == [
        *(1_000 * 2**i for i in range(9)),
        300_000,
        300_000,
    ]
    assert [r.t - START for r in throttled[:3]] == [0, 1_000, 3_000]
    assert not records(sim, tk.INVOCATION_STARTED, "reader")
    assert not records(sim, tk.STREAM_BATCH_RETRIED) and not records(sim, tk.STREAM_BATCH_DISCARDED)
    assert sim.queue_stats("failed")["depth"] == 0
    # The record expires at its retention; the batch goes with it, with no on-failure record.
    sim.advance(24 * 3_600_000)
    (expired,) = records(sim, tk.STREAM_RECORD_EXPIRED, "clicks")
    assert expired.t - START == 24 * 3_600_000
    count = len(records(sim, tk.INVOCATION_THROTTLED, "reader"))
    sim.advance(3_600_000)
    assert len(records(sim, tk.INVOCATION_THROTTLED, "reader")) == count
    assert sim.queue_stats("failed")["depth"] == 0


# -- Step Functions: AWS SDK integrations -------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        ([], "Sqs.EmptyBatchRequestException"),
        (
            [{"Id": f"m{i}", "MessageBody": "x"} for i in range(11)],
            "Sqs.TooManyEntriesInBatchRequestException",
        ),
        (
            [{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}],
            "Sqs.BatchEntryIdsNotDistinctException",
        ),
    ],
)
def test_a_send_message_batch_task_sqs_refuses_whole_fails_and_sends_nothing(
    tmp_path: Path, entries: list[dict[str, str]], error: str
) -> None:
    # Row "SendMessageBatch: 1 to 10 entries with distinct Ids": the request's own refusals.
    batch = sdk(
        "sqs:sendMessageBatch",
        {"QueueUrl": "jobs", "Entries": entries},
        Catch=catch_all(),
        Next="Done",
    )
    s = open_flow(tmp_path, ("Batch", batch), DONE)
    out = run_flow(s).output
    assert out["error"]["Error"] == error
    assert s.sim.queue_stats("jobs")["depth"] == 0
    assert not records(s.sim, tk.MESSAGE_SENT, "jobs")


# -- SNS --------------------------------------------------------------------------------------


def test_a_filter_policy_takes_150_combinations_and_256_kb_and_no_more() -> None:
    # Rows "Filter policy constraints" and "5 keys, 150 combinations ..., 256 KB": the edges
    # themselves are SNS's ("must not exceed 150"; "The maximum size of a filter policy is
    # 256 KB").
    assert policy_problems({"a": list(range(150))}) == []
    assert policy_problems({"a": list(range(151))}) == [
        "FilterPolicy: Filter policy is too complex"
    ]
    pad = 262_144 - len('{"a":[""]}')  # the policy as compact JSON: exactly 256 KB
    assert policy_problems({"a": ["x" * pad]}) == []
    assert policy_problems({"a": ["x" * (pad + 1)]}) == [
        "FilterPolicy: the policy is over 256 KB, SNS's largest"
    ]


# -- HTTP API (§8) ------------------------------------------------------------------------------


def test_a_404_without_a_near_miss_names_the_first_5_routes_of_the_api() -> None:
    # Row "Route priority": the 404's reason names ... "or else the first 5 routes of the API".
    routes = [http_route_function(f"f{i}", "api", "GET", f"/r{i}", "2.0") for i in range(7)]
    sim = make_sim("resources:\n  api: {type: http-api-gateway}\n" + "".join(routes))
    resp = sim.services["http"].call("GET", "/nowhere", None, gateway="api")
    assert resp.status == 404 and resp.body == '{"message":"Not Found"}'
    assert resp.reason == (
        "no route matches GET /nowhere; its routes: GET /r0, GET /r1, GET /r2, GET /r3, GET /r4 "
        "and 2 more"
    )


# -- WebSocket APIs -----------------------------------------------------------------------------


def test_a_connection_closes_10_minutes_after_its_last_message_or_2_hours_after_it_opened() -> None:
    # Row "Quotas: idle connection timeout 10 minutes, maximum connection duration 2 hours",
    # in milliseconds written out (the other tests read the module's own constants).
    sim = make_sim(ws_stack({"m": "$default"}), "behaviors:\n  m:\n    duration: 0ms\n")
    ws = sim.services["websocket"]
    idle = ws.connect(None).connection
    busy = ws.connect(None).connection
    sim.advance(60_000)
    ws.send(idle.id, "once")
    for _ in range(14):
        ws.send(busy.id, "ping")
        sim.advance(9 * 60_000)
    sim.advance(3_600_000)
    assert idle.closed_at - START == 60_000 + 600_000
    assert busy.closed_at - START == 7_200_000
    reasons = {r.data["reason"] for r in records(sim, tk.WS_DISCONNECTED)}
    assert reasons == {"idle for 10 minutes", "open for 2 hours"}


# -- User pools and their hooks -----------------------------------------------------------------


def test_a_name_taken_is_refused_in_cognitos_words_for_each_operation(tmp_path: Path) -> None:
    # Row "Cognito's own refusals": SignUp and AdminCreateUser word the same refusal apart.
    s = pool_session(tmp_path, pool_stack())
    pool_confirmed(s, "ann")
    assert pool_refused(s, "sign-up users ann --attr email=ann@example.com") == (
        "UsernameExistsException: User already exists"
    )
    assert pool_refused(s, "admin-create-user users ann") == (
        "UsernameExistsException: User account already exists"
    )


# -- S3 ---------------------------------------------------------------------------------------

BUCKET = "resources:\n  files: {type: bucket}\n"


def test_a_key_of_1024_bytes_is_taken_and_one_more_byte_is_refused() -> None:
    # S3's limit of a key, in UTF-8 bytes (the page's "An S3 event never comes near these
    # limits (one record, a key of at most 1,024 bytes)").
    sim = make_sim(BUCKET)
    buckets = sim.services["buckets"]
    buckets.put_object("files", "é" * 511 + "xy")  # 1,024 bytes
    with pytest.raises(SimError, match="KeyTooLongError: the key is 1,025 bytes"):
        buckets.put_object("files", "é" * 511 + "xyz")
    assert list(buckets.bucket("files").objects) == ["é" * 511 + "xy"]


def test_object_tags_take_keys_of_128_and_values_of_256_characters_and_no_more() -> None:
    # Row "Object tags: at most 10; keys of 128 characters, values of 256".
    sim = make_sim(BUCKET)
    buckets = sim.services["buckets"]
    buckets.put_object("files", "ok", tags={"k" * 128: "v" * 256})
    with pytest.raises(SimError, match="InvalidTag: The TagValue you have provided is too long"):
        buckets.put_object("files", "long-value", tags={"k": "v" * 257})
    with pytest.raises(SimError, match="InvalidTag: The TagKey you have provided is too long"):
        buckets.put_object("files", "long-key", tags={"k" * 129: "v"})
    assert list(buckets.bucket("files").objects) == ["ok"]


# -- Kafka topics -------------------------------------------------------------------------------


def test_an_msk_serverless_topic_takes_records_of_8_mib_and_no_more() -> None:
    # Row of the brokers' limits: MSK Serverless takes 8 MiB (self-managed Kafka's default
    # `message.max.bytes` is held by test_sim_kafka.py).
    session = Session.open(KAFKA_EXAMPLE, start_ms=START)
    audit = session.sim.services["kafka"]["audit"]
    audit.check_produce(b"x" * 8 * 1024 * 1024, None, [], None)
    with pytest.raises(KafkaError, match="MESSAGE_TOO_LARGE: the record is 8,388,609 bytes"):
        audit.check_produce(b"x" * (8 * 1024 * 1024 + 1), None, [], None)


# -- Function URLs ------------------------------------------------------------------------------


def test_a_streaming_url_answers_a_result_over_the_old_20_mb_limit() -> None:
    # Row "Errors": a RESPONSE_STREAM URL's response may be 200 MB since July 2025 (it was
    # 20 MB); a buffered one's stays 6 MB.
    behaviours = "behaviors:\n  bot: {response: \"{statusCode: `200`, body: join('', [body, body, body, body])}\"}\n"
    body = "x" * (5 * 1024 * 1024 + 512 * 1024)  # under the 6 MB request; four times is 22 MB
    answers = {}
    for streaming in (True, False):
        url = "{enabled: true" + (", responseStreamEnabled: true}" if streaming else "}")
        sim = make_sim(url_stack(f"bot: url: {url}"), behaviours)
        answers[streaming] = url_call(sim, "POST", "/", body)
    assert answers[True].status == 200 and len(answers[True].body) == 4 * len(body)
    assert answers[False].status == 502 and "the limit is 6,291,456" in answers[False].reason
