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
from stptui.commands.registry import CommandError
from stptui.sim import asl
from stptui.sim import trace as tk
from stptui.sim.ddb_expressions import prepare
from stptui.sim.ddbjson import DynamoDBError
from stptui.sim.engine import SimError
from stptui.sim.metrics import compute
from stptui.sim.services.kafka import KafkaError
from stptui.sim.services.state_machine import lookup_machine
from stptui.sim.services.topic import policy_problems
from tests.simkit import START, capture_inputs, http_route_function, make_sim, records
from tests.test_function_urls import call as url_call
from tests.test_function_urls import stack as url_stack
from tests.test_sim_alarms import session as alarms_session
from tests.test_sim_batch import STACK as BATCH_STACK
from tests.test_sim_containers import STACK as CONTAINERS_STACK
from tests.test_sim_dynamodb import put as ddb_put
from tests.test_sim_dynamodb import stack as ddb_stack
from tests.test_sim_dynamodb import table as ddb_table
from tests.test_sim_http_header_case import STACK as HTTP_CASE_STACK
from tests.test_sim_kafka import EXAMPLE as KAFKA_EXAMPLE
from tests.test_sim_kafka import custom as kafka_custom
from tests.test_sim_kafka import fn as kafka_fn
from tests.test_sim_kafka import stack as kafka_stack
from tests.test_sim_kinesis import FAIL_BAD as KIN_FAIL_BAD
from tests.test_sim_kinesis import put as kin_put
from tests.test_sim_kinesis import stack as kin_stack
from tests.test_sim_kinesis import started as kin_started
from tests.test_sim_lambda import ASYNC as ASYNC_STACK
from tests.test_sim_lambda_limits import RELAY as RELAY_STACK
from tests.test_sim_lambda_limits import RELAY_BEHAVIORS
from tests.test_sim_load_balancer import EXAMPLE as LB_EXAMPLE
from tests.test_sim_load_balancer import EXAMPLE_BEHAVIORS as LB_EXAMPLE_BEHAVIORS
from tests.test_sim_load_balancer import stack as lb_stack
from tests.test_sim_restore import archived as restore_archived
from tests.test_sim_websocket import _stack as ws_stack
from tests.test_state_machine import open_stack as sm_open_stack
from tests.test_state_machine import start as sm_start
from tests.test_state_machine_callbacks import STACK as CB_STACK
from tests.test_state_machine_callbacks import send_task as cb_send_task
from tests.test_state_machine_jobs import CHILD_ARN as JOBS_CHILD_ARN
from tests.test_state_machine_jobs import open_flow as jobs_open_flow
from tests.test_state_machine_jobs import run as jobs_run
from tests.test_state_machine_jobs import start_child as jobs_start_child
from tests.test_state_machine_sdk import DONE, catch_all, open_flow, sdk
from tests.test_state_machine_sdk import run as run_flow
from tests.test_user_pool_accounts import confirmed as pool_confirmed
from tests.test_user_pool_accounts import record_events as pool_record_events
from tests.test_user_pool_accounts import refused as pool_refused
from tests.test_user_pool_accounts import sent_events as pool_sent_events
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


def test_an_sqs_event_has_no_maximum_concurrency_to_cap_its_mapping() -> None:
    # Row "ScalingConfig.MaximumConcurrency": Stacktape's sqs event has no property for it,
    # so `validate` refuses one and names the properties it has.
    stack = f"""
        resources:
          jobs: {{type: sqs-queue}}
          fn:
            type: function
            properties:
              {PKG}
              events:
                - type: sqs
                  properties: {{sqsQueueName: jobs, maximumConcurrency: 5}}
        """
    d = one(stack, "unknown-property")
    assert d.severity == "error" and "`maximumConcurrency`" in d.message
    assert "maxBatchWindowSeconds" in (d.hint or "")


def test_a_mapping_is_disabled_and_enabled_at_the_instant_of_the_command(tmp_path: Path) -> None:
    # Disabling rows "A mapping's State" and "Enabled again, an SQS mapping polls at that
    # instant": no Disabling or Enabling state on the virtual clock.
    (tmp_path / "stacktape.yml").write_text(JOBS)
    s = Session.open(tmp_path, start_ms=START)
    run(s, "advance 3s", "pause worker --trigger jobs")
    run(s, "send jobs waiting", "advance 7s", "resume worker --trigger jobs", "advance 1s")
    (paused,) = records(s.sim, tk.MAPPING_DISABLED, "worker")
    (resumed,) = records(s.sim, tk.MAPPING_ENABLED, "worker")
    (received,) = records(s.sim, tk.MESSAGE_RECEIVED, "jobs")
    assert (paused.t - START, resumed.t - START, received.t - START) == (3_000, 10_000, 10_000)


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


@pytest.mark.parametrize(
    "prop",
    [
        "maximumRetryAttempts: 0",
        "maximumEventAgeInSeconds: 60",
        "destinations: {maximumRetryAttempts: 0}",
    ],
)
def test_a_function_has_no_retry_or_event_age_setting(prop: str) -> None:
    # Row "MaximumRetryAttempts 0-2 and MaximumEventAgeInSeconds 60-21,600": Stacktape has no
    # property for them (nor in `destinations`), so every function keeps 2 retries and 6 hours.
    stack = f"""
        resources:
          fn:
            type: function
            properties:
              {PKG}
              {prop}
        """
    d = one(stack, "unknown-property")
    assert d.severity == "error" and "`maximum" in d.message


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


# -- Recursive loop detection ----------------------------------------------------------------------


def test_a_function_has_no_recursion_setting_so_every_loop_is_terminated() -> None:
    # Row "Recursive loop detection is per function, Terminate by default": Stacktape's
    # function has no property for PutFunctionRecursionConfig, so `validate` refuses one.
    stack = f"""
        resources:
          fn:
            type: function
            properties:
              {PKG}
              recursiveLoop: Allow
        """
    d = one(stack, "unknown-property")
    assert d.severity == "error" and "`recursiveLoop`" in d.message


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


def test_a_failed_stream_batch_is_retried_whole_a_second_after_it_failed() -> None:
    # Row "A function error retries the whole batch": AWS documents no delay, stptui's is the
    # 1 s poll interval.
    stack = THROTTLED_READER.replace("      reservedConcurrency: 0\n", "      timeout: 5\n")
    stack = stack.replace("maximumRetryAttempts: 0", "maximumRetryAttempts: 2")
    sim = make_sim(stack, "behaviors:\n  reader: {duration: 300ms, fail: {first: 1}}\n")
    streams = sim.services["streams"]["clicks"]
    a = streams.put(b'{"n": 1}', "k").sequence_number
    sim.advance(10_000)
    starts = records(sim, tk.INVOCATION_STARTED, "reader")
    assert [r.t - START for r in starts] == [0, 1_300]
    assert [r.get("sequence_numbers") for r in starts] == [[a], [a]]
    assert sim.queue_stats("failed")["depth"] == 0


def test_a_failing_batch_is_split_before_any_retry_even_with_no_retries_allowed() -> None:
    # Row "Splitting batches doesn't consume the retry quota": with maximumRetryAttempts 0 a
    # failing batch of two is still split; only the failing record is given up, untried again.
    event = "            bisectBatchOnFunctionError: true\n            maximumRetryAttempts: 0"
    sim = make_sim(kin_stack(event), KIN_FAIL_BAD)
    good, bad = (kin_put(sim, json.dumps({"bad": b})) for b in (False, True))
    sim.advance(60_000)
    assert kin_started(sim) == [[good, bad], [good], [bad]]
    (discarded,) = records(sim, tk.STREAM_BATCH_DISCARDED)
    assert discarded.get("sequence_numbers") == [bad]
    assert not records(sim, tk.STREAM_BATCH_RETRIED)


# -- Step Functions executions -------------------------------------------------------------------


def test_start_execution_from_a_file_replays_what_it_read_though_the_file_changed(
    tmp_path: Path,
) -> None:
    # Row "start-execution @FILE" (corrected): the session log keeps the file's text in the
    # line's place, so `load` replays the input the command read, the file since edited.
    s = open_flow(tmp_path, ("Done", {"Type": "Pass", "End": True}))
    (tmp_path / "in.json").write_text('{"n": 1}')
    run(s, f"start-execution flow @{tmp_path / 'in.json'} --name first", "advance 1s")
    run(s, f"save {tmp_path / 'saved.json'}")
    (first,) = lookup_machine(s.sim, "flow").executions.values()
    assert first.input == {"n": 1}
    (tmp_path / "in.json").write_text('{"n": 2}')
    (tmp_path / "other").mkdir()
    other = open_flow(tmp_path / "other", ("Done", {"Type": "Pass", "End": True}))
    run(other, f"load {tmp_path / 'saved.json'}")
    (replayed,) = lookup_machine(other.sim, "flow").executions.values()
    assert replayed.input == {"n": 1}


def test_states_entered_at_one_instant_run_in_the_order_they_were_reached() -> None:
    # Row "Transitions at the same instant": a queue, so two branches of a Parallel take turns,
    # a state each, and a task's records come entered, started, failed, retry, exited.
    def branch() -> dict:
        a = {"Type": "Pass", "Next": "B"}
        return {"StartAt": "A", "States": {"A": a, "B": {"Type": "Pass", "End": True}}}

    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    fan = {"Type": "Parallel", "Next": "Work", "Branches": [branch(), branch()]}
    work = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
    work |= {"Parameters": {"FunctionName": "worker"}, "Retry": retry}
    definition = json.dumps({"StartAt": "Fan", "States": {"Fan": fan, "Work": work}})
    stack = f"""
resources:
  worker:
    type: function
    properties:
      {PKG}
  flow:
    type: state-machine
    properties:
      definition: {definition}
"""
    sim = make_sim(stack, "behaviors:\n  worker: {duration: 0ms, fail: {first: 1}}\n")
    lookup_machine(sim, "flow").start({}, "e1")
    sim.advance(5_000)
    seen = [
        (r.t - START, r.kind.removeprefix("sfn."), r.get("state"))
        for r in records(sim)
        if r.kind.startswith("sfn.") and r.get("state")
    ]
    assert seen == [
        (0, "state.entered", "Fan"),
        (0, "state.entered", "Fan/0/A"),
        (0, "state.exited", "Fan/0/A"),
        (0, "state.entered", "Fan/1/A"),
        (0, "state.exited", "Fan/1/A"),
        (0, "state.entered", "Fan/0/B"),
        (0, "state.exited", "Fan/0/B"),
        (0, "state.entered", "Fan/1/B"),
        (0, "state.exited", "Fan/1/B"),
        (0, "state.exited", "Fan"),
        (0, "state.entered", "Work"),
        (0, "task.started", "Work"),
        (0, "task.failed", "Work"),
        (0, "retry", "Work"),
        (1_000, "task.started", "Work"),
        (1_000, "state.exited", "Work"),
    ]


# -- Step Functions variables --------------------------------------------------------------------


def test_a_variable_name_is_a_unicode_identifier_of_at_most_80_characters() -> None:
    # Row "Names follow the rules for Unicode identifiers, at most 80 characters".
    def problems(name: str) -> list[str]:
        state = {"Type": "Pass", "End": True, "Assign": {name: 1}}
        found = asl.check_definition({"StartAt": "A", "States": {"A": state}})
        return [p.message for p in found if p.severity == "error"]

    for good in ("_x", "prénom", "Größe_2", "é" * 80):
        assert problems(good) == [], good
    for bad in ("é" * 81, "2nd", "a-b", "a b"):
        assert problems(bad), bad


# -- Step Functions redrive and the Distributed Map ----------------------------------------------


def test_redrive_time_is_in_the_context_object_only_after_a_redrive(tmp_path: Path) -> None:
    # Row "$$.Execution.RedriveCount": RedriveTime, the last redrive's instant, is added after
    # a redrive only; RedriveCount counts them.
    work = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "work", "Payload": {"ctx.$": "$$.Execution"}},
        "End": True,
    }
    s = sm_open_stack(tmp_path, {"StartAt": "Work", "States": {"Work": work}})
    seen = capture_inputs(s.sim, lambda inp: inp.event()["ctx"])
    run(s, "fail work next 1")
    sm_start(s, name="run-1")
    run(s, "advance 1m", "redrive-execution run-1", "advance 1m")
    first, second = seen
    assert first["RedriveCount"] == 0 and "RedriveTime" not in first
    assert second["RedriveCount"] == 1
    assert second["RedriveTime"] == "2026-01-05T08:01:00.000Z"


# -- Step Functions: Batch jobs and nested executions --------------------------------------------


def test_a_child_execution_gets_the_parents_id_as_data_and_a_missing_machine_is_named(
    tmp_path: Path,
) -> None:
    # Row "StartExecution": AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID from $$.Execution.Id
    # reaches the child as data; a state machine of no stack fails the task with
    # StepFunctions.StateMachineDoesNotExistException.
    given = {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"}
    s = jobs_open_flow(tmp_path, jobs_start_child("", Input=given, Name="kid"))
    parent = jobs_run(s)
    child = lookup_machine(s.sim, "child").executions["kid"]
    assert child.input == {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": parent.arn}
    (tmp_path / "b").mkdir()
    missing = JOBS_CHILD_ARN.replace("app-dev-child", "app-dev-nope")
    s = jobs_open_flow(tmp_path / "b", jobs_start_child("", StateMachineArn=missing))
    ex = jobs_run(s)
    assert ex.error == "StepFunctions.StateMachineDoesNotExistException"


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


def test_get_object_answers_bytes_that_are_not_utf_8_as_u_fffd_and_binary_octet_stream(
    tmp_path: Path,
) -> None:
    # Row "GetObject's Body is a stream (blob)": the bytes as UTF-8, a byte that is not UTF-8
    # replaced by U+FFFD; an upload that gave no ContentType is binary/octet-stream.
    s = open_flow(tmp_path, ("Get", sdk("s3:getObject", {"Bucket": "files", "Key": "b.bin"})))
    s.sim.services["buckets"].put_object("files", "b.bin", content=b"ok\xff\xfe!")
    ex = run_flow(s)
    assert ex.status == "SUCCEEDED", ex.cause
    assert ex.output["Body"] == "ok\ufffd\ufffd!"
    assert ex.output["ContentType"] == "binary/octet-stream"
    assert ex.output["ContentLength"] == 5


# -- Step Functions callback tasks ---------------------------------------------------------------


def test_a_callback_answer_over_its_limits_is_refused_and_an_error_left_out_is_empty(
    tmp_path: Path,
) -> None:
    # Rows "SendTaskSuccess: output at most 256 KiB" and "SendTaskFailure: error at most 256,
    # cause at most 32,768; an error left out is the empty string, which only States.ALL and
    # States.TaskFailed match".
    catch = [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.caught", "Next": "Done"}]
    wait = {**cb_send_task(), "Catch": catch, "Next": "Done"}
    machine = {"StartAt": "Wait", "States": {"Wait": wait, "Done": DONE[1]}}
    text = CB_STACK.replace("DEFINITION", json.dumps(machine)).replace("WORKER_EXTRA", "")
    sessions = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "stacktape.yml").write_text(text)
        sessions.append(Session.open(tmp_path / name, start_ms=START))
    executions = [lookup_machine(s.sim, "flow").start({"id": "o-1"}, "e1") for s in sessions]
    s, ex = sessions[0], executions[0]
    exactly = json.dumps("x" * (256 * 1024 - 2))  # 262,144 bytes of JSON, its quotes counted
    (tmp_path / "256k.json").write_text(exactly)
    (tmp_path / "over.json").write_text(exactly[:-1] + 'x"')
    with pytest.raises(CommandError, match=r"^InvalidOutput:"):
        execute(s, f"send-task-success e1 @{tmp_path / 'over.json'}")
    with pytest.raises(CommandError, match=r"^ValidationException:"):
        execute(s, f"send-task-failure e1 --error E --cause {'c' * 32_769}")
    assert ex.status == "RUNNING"
    execute(s, f"send-task-failure e1 --cause {'c' * 32_768}")
    assert ex.status == "SUCCEEDED"
    assert ex.output["caught"] == {"Error": "", "Cause": "c" * 32_768}
    execute(sessions[1], f"send-task-success e1 @{tmp_path / '256k.json'}")
    assert executions[1].status == "SUCCEEDED"


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


def test_nested_or_groups_add_their_branches_and_multiply_their_siblings() -> None:
    # Row "Filter policy constraints": the row's own example, 2 x (1 + 25 x 3) = 152, is
    # refused; with 24 values, 2 x (1 + 24 x 3) = 146, it is taken.
    def policy(values: int) -> dict:
        inner = {"c": list(range(values)), "$or": [{"d": [1, 2]}, {"e": [1]}]}
        return {"a": [1, 2], "$or": [{"b": [1]}, inner]}

    assert policy_problems(policy(24)) == []
    assert policy_problems(policy(25)) == ["FilterPolicy: Filter policy is too complex"]


SNS_READER = f"""
resources:
  alerts: {{type: sns-topic}}
  reader:
    type: function
    properties:
      {PKG}
      events: [{{type: sns, properties: {{snsTopicName: alerts}}}}]
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Publish
        States:
          Publish:
            Type: Task
            Resource: arn:aws:states:::aws-sdk:sns:publish
            Parameters:
              TopicArn: alerts
              Message: '{{"default": "d", "lambda": "for a function"}}'
              MessageStructure: json
            End: true
"""


def test_a_subject_of_100_characters_is_published_and_101_are_refused() -> None:
    # Row "Publish: Subjects must be ... less than 100 characters long": read as at most 100,
    # the length moto accepts; one more is refused and publishes nothing.
    sim = make_sim(SNS_READER)
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0]["Sns"]["Subject"])
    topics = sim.services["topics"]
    topics.publish("alerts", "m", subject="s" * 100)
    with pytest.raises(SimError, match="Subject must be 1-100 characters"):
        topics.publish("alerts", "m", subject="s" * 101)
    sim.advance(1_000)
    assert seen == ["s" * 100]


def test_message_structure_json_gives_a_lambda_subscriber_its_lambda_string() -> None:
    # Row "MessageStructure: json": Step Functions' aws-sdk:sns:publish takes it as Publish
    # does; the subscriber gets the `lambda` key's string.
    sim = make_sim(SNS_READER)
    seen = capture_inputs(sim, lambda inp: inp.event()["Records"][0]["Sns"]["Message"])
    ex = lookup_machine(sim, "flow").start({}, "e1")
    sim.advance(10_000)
    assert ex.status == "SUCCEEDED"
    assert seen == ["for a function"]


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


def test_header_names_are_in_code_point_order_and_2_0_sorts_its_query_parameters() -> None:
    # Row "Order of header names": whatever order the client sends, the event lists names in
    # code-point order (1.0's capitalised ones first); 2.0's queryStringParameters sorted by
    # name, 1.0's in the order first sent.
    sim = make_sim(HTTP_CASE_STACK)
    seen = capture_inputs(sim, lambda inp: inp.event())
    headers = [("x-foo", "1"), ("accept", "*/*"), ("x-baz", "2"), ("Accept-Encoding", "gzip")]
    query = [("hoge", "1"), ("piyo", "2"), ("fuga", "3")]
    http = sim.services["http"]
    for gateway in ("v1", "v2"):
        http.call("GET", "/echo", None, gateway=gateway, headers=headers, query=query)
    v1, v2 = seen
    assert list(v1["headers"]) == sorted(v1["headers"])
    assert next(iter(v1["headers"])) == "Content-Length" and "accept" in v1["headers"]
    assert list(v1["multiValueHeaders"]) == list(v1["headers"])
    assert list(v2["headers"]) == sorted(v2["headers"])
    assert list(v2["queryStringParameters"]) == ["fuga", "hoge", "piyo"]
    assert list(v1["queryStringParameters"]) == ["hoge", "piyo", "fuga"]
    assert v2["rawQueryString"] == "hoge=1&piyo=2&fuga=3"


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


def test_sign_up_and_confirm_run_their_hooks_in_order_and_a_second_confirm_is_refused(
    tmp_path: Path,
) -> None:
    # Rows "Order of the hooks" (SignUp: PreSignUp_SignUp then CustomMessage_SignUp when a
    # code is sent; ConfirmSignUp: PostConfirmation_ConfirmSignUp) and "ConfirmSignUp" (a
    # user that is not UNCONFIRMED is refused in Cognito's words, changing nothing).
    hooks = ("preSignUp", "customMessage", "postConfirmation")
    s = pool_session(tmp_path, pool_stack(*hooks), pool_record_events(*hooks))
    run(s, "sign-up users ann --attr email=ann@example.com")
    run(s, "advance 1s", "confirm-sign-up users ann", "advance 1s")
    sources = [e["triggerSource"] for e in pool_sent_events(s)]
    assert sources == [
        "PreSignUp_SignUp",
        "CustomMessage_SignUp",
        "PostConfirmation_ConfirmSignUp",
    ]
    assert pool_refused(s, "confirm-sign-up users ann") == (
        "NotAuthorizedException: User cannot confirm because user status is not UNCONFIRMED."
    )
    assert pool_refused(s, "sign-up userz bob").startswith("ResourceNotFoundException")


# -- Application Load Balancers ------------------------------------------------------------------


def test_http_to_a_load_balancer_prints_the_trace_id_the_target_got_and_explain_takes_it() -> None:
    # Row "ELB answers the client with no request id of its own": the line under the status
    # is the X-Amzn-Trace-Id the function got, not a response header; explain takes it.
    s = Session.open(LB_EXAMPLE, behaviors_path=LB_EXAMPLE_BEHAVIORS, start_ms=START)
    seen = capture_inputs(s.sim, lambda inp: inp.event()["headers"]["x-amzn-trace-id"])
    out = execute(s, "http GET /api/orders")
    line = out.text.splitlines()[1]
    assert re.fullmatch(r"request (Root=1-[0-9a-f]{8}-[0-9a-f]{24}) \(its X-Amzn-Trace-Id\)", line)
    trace_id = line.split()[1]
    assert seen == [trace_id] and out.data["request_id"] == trace_id
    assert not any(k.lower() == "x-amzn-trace-id" for k, _ in out.data["headers"])
    why = execute(s, f"explain {trace_id}").text
    assert "invocation.started" in why and "orders" in why


@pytest.mark.parametrize(
    ("lb_props", "host"),
    [
        ("", r"shop-dev-shopLb-\d{1,10}\.us-east-1\.elb\.amazonaws\.com"),
        (
            "    properties: {interface: internal}\n",
            r"internal-shop-dev-shopLb-\d{1,10}\.us-east-1\.elb\.amazonaws\.com",
        ),
        (
            "    properties: {customDomains: [api.example.com, www.example.com]}\n",
            "api.example.com",
        ),
    ],
)
def test_the_stand_in_clients_host_is_the_first_custom_domain_else_elbs_dns_name(
    lb_props: str, host: str
) -> None:
    # Row "host-header": the client's Host is the first of `customDomains`, else a DNS name
    # in ELB's shape, `internal-` first for `interface: internal`.
    sim = make_sim(lb_stack(lb_props=lb_props))
    seen = capture_inputs(sim, lambda inp: inp.event()["headers"]["host"])
    sim.services["load_balancers"].call("GET", "/api/x", None)
    (got,) = seen
    assert re.fullmatch(host, got), got


# -- Containers -----------------------------------------------------------------------------------


def test_one_task_serves_any_number_of_requests_at_once_and_a_failure_never_stops_it() -> None:
    # Rows "ECS runs scaling.minInstances tasks" (one task, no concurrency limit, no queueing)
    # and "A container that exits" (a failed request is a reset; the task never stops).
    behaviors = (
        "behaviors:\n  web:\n    duration: 1s\n"
        "    fail: {when: \"path == '/bad'\", error: ECONNRESET, message: crashed}\n"
    )
    sim = make_sim(CONTAINERS_STACK, behaviors)
    http = sim.services["http"]
    exchanges = [http.start("GET", "/bad" if n == 0 else f"/r{n}", gateway="gw") for n in range(50)]
    sim.advance(1_000)
    answers = [x.response for x in exchanges]
    assert all(a is not None for a in answers)
    assert [a.status for a in answers] == [503] + [200] * 49  # type: ignore[union-attr]
    assert {a.latency_ms for a in answers} == {1_000}  # type: ignore[union-attr]
    after = http.start("GET", "/again", gateway="gw")
    sim.advance(1_000)
    assert after.response is not None and after.response.status == 200


# -- Payload size limits --------------------------------------------------------------------------


def test_an_asynchronous_invoke_takes_exactly_1_mib_of_compact_json_and_no_more() -> None:
    # Row "Lambda asynchronous Invoke": 1,048,576 bytes of compact JSON, counted to the byte.
    sim = make_sim(RELAY_STACK, RELAY_BEHAVIORS)
    fits = {"x": "y" * (1_048_576 - len('{"x":""}'))}
    assert len(json.dumps(fits, separators=(",", ":"))) == 1_048_576
    sim.invoke_async("relay", fits, "invoke", "test")
    sim.invoke_async("relay", {"x": fits["x"] + "y"}, "invoke", "test")
    sim.run(60_000)
    (failed,) = records(sim, tk.EMISSION_FAILED)
    assert failed.get("error").startswith("RequestEntityTooLargeException")
    assert len(records(sim, tk.INVOCATION_STARTED, "sink")) == 1


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


# -- DynamoDB tables and streams ------------------------------------------------------------------


def test_a_table_stream_shard_has_dynamodbs_id_and_a_failed_batch_returns_in_250_ms() -> None:
    # Rows "Shards" (shardId- + 20-digit creation time + 8 hex digits) and "4 times per
    # second" (a failed batch is read again 250 ms after it failed).
    sim = make_sim(ddb_stack(), "behaviors:\n  audit: {duration: 100ms, fail: {first: 1}}\n")
    (shard,) = ddb_table(sim).stream.shards  # type: ignore[union-attr]
    assert re.fullmatch(r"shardId-\d{20}-[0-9a-f]{8}", shard.id)
    sim.advance(300)
    seq = ddb_put(sim, "1", n=1)
    sim.advance(5_000)
    starts = records(sim, tk.INVOCATION_STARTED, "audit")
    assert [r.t - START for r in starts] == [500, 850]  # it failed at 600
    assert [r.get("sequence_numbers") for r in starts] == [[seq], [seq]]


def test_no_item_expires_by_a_time_to_live() -> None:
    # Row "Time to live": not simulated (Stacktape's table has no TTL property), so an item
    # whose would-be TTL attribute is long past stays, and its stream gets no REMOVE.
    sim = make_sim(ddb_stack())
    orders = ddb_table(sim)
    orders.put({"id": {"S": "1"}, "expiresAt": {"N": str(START // 1000 - 86_400)}})
    sim.advance(3 * 86_400_000)
    assert list(orders.items.values()) == [
        {"id": {"S": "1"}, "expiresAt": {"N": str(START // 1000 - 86_400)}}
    ]
    assert not records(sim, tk.ITEM_DELETED)


def test_an_expression_of_4096_bytes_is_taken_and_one_byte_more_is_refused() -> None:
    # Row "Expressions of at most 4 KB", counted in UTF-8 bytes.
    text = "SET a = :v" + " " * (4096 - len("SET a = :v"))
    prepare(update=text, values={":v": {"N": "1"}}, key_names=("Id",))
    with pytest.raises(DynamoDBError, match="expression size: 4097"):
        prepare(update=text + " ", values={":v": {"N": "1"}}, key_names=("Id",))
    two_bytes = "SET #e = :v" + " " * (4096 - len("SET #e = :v") - 1) + "é"  # 4,096 characters
    with pytest.raises(DynamoDBError, match="expression size: 4097"):
        prepare(update=two_bytes, values={":v": {"N": "1"}}, names={"#e": "e"})


def test_put_item_replaces_the_whole_item_of_its_key() -> None:
    # Row "PutItem replaces the whole item with the key": an attribute the new item lacks is
    # gone, in the table and in the stream's NewImage.
    sim = make_sim(ddb_stack())
    orders = ddb_table(sim)
    orders.put({"id": {"S": "1"}, "a": {"N": "1"}, "b": {"S": "x"}})
    assert orders.put({"id": {"S": "1"}, "a": {"N": "2"}})[0] == "MODIFY"
    assert list(orders.items.values()) == [{"id": {"S": "1"}, "a": {"N": "2"}}]
    last = orders.stream.shards[0].records[-1]  # type: ignore[union-attr]
    assert last.event["dynamodb"]["NewImage"] == {"id": {"S": "1"}, "a": {"N": "2"}}


def test_put_item_takes_no_return_values_and_update_item_prints_the_new_item(
    tmp_path: Path,
) -> None:
    # Row "PutItem, UpdateItem and DeleteItem take ReturnValues": left; `update-item` answers
    # the item as it is after the update instead.
    (tmp_path / "stacktape.yml").write_text(ddb_stack())
    s = Session.open(tmp_path, start_ms=START)
    with pytest.raises(CommandError, match="return-values"):
        execute(s, """put-item orders '{"id": {"S": "1"}}' --return-values ALL_OLD""")
    assert s.sim.services["tables"]["orders"].items == {}
    out = execute(
        s,
        """update-item orders '{"id": {"S": "1"}}' --update "SET n = :n" """
        """--values '{":n": {"N": "2"}}'""",
    )
    assert out.data["item"] == {"id": {"S": "1"}, "n": {"N": "2"}}
    assert '"n": {"N": "2"}' in out.text or '"n":{"N":"2"}' in out.text


# -- Kafka topics -------------------------------------------------------------------------------


def test_an_msk_serverless_topic_takes_records_of_8_mib_and_no_more() -> None:
    # Row of the brokers' limits: MSK Serverless takes 8 MiB (self-managed Kafka's default
    # `message.max.bytes` is held by test_sim_kafka.py).
    session = Session.open(KAFKA_EXAMPLE, start_ms=START)
    audit = session.sim.services["kafka"]["audit"]
    audit.check_produce(b"x" * 8 * 1024 * 1024, None, [], None)
    with pytest.raises(KafkaError, match="MESSAGE_TOO_LARGE: the record is 8,388,609 bytes"):
        audit.check_produce(b"x" * (8 * 1024 * 1024 + 1), None, [], None)


KAFKA_READER = kafka_stack(kafka_fn("reader", kafka_custom()))


def test_a_kafka_batch_holds_100_records_when_the_event_gives_no_batch_size() -> None:
    # Row "BatchSize default 100": 150 records waiting on one partition go as 100, then 50.
    sim = make_sim(KAFKA_READER)
    orders = sim.services["kafka"]["orders"]
    for n in range(150):
        orders.produce(str(n).encode(), partition=0)
    sim.advance(10_000)
    sizes = [len(r.get("record_ids")) for r in records(sim, tk.INVOCATION_STARTED, "reader")]
    assert sizes == [100, 50]


def test_a_repeated_header_name_is_the_last_one_to_expressions_and_every_one_to_lambda() -> None:
    # Row "A Kafka record may repeat a header name": expressions see the last (Kafka's
    # Headers.lastHeader), the event's `headers` list keeps both as Lambda sends them.
    behaviors = "behaviors:\n  reader:\n    fail: {when: \"headers.kind == 'second'\"}\n"
    sim = make_sim(KAFKA_READER, behaviors)
    seen = capture_inputs(sim, lambda inp: inp.event())
    headers = [("kind", b"first"), ("kind", b"second")]
    sim.services["kafka"]["orders"].produce(b"{}", headers=headers, partition=0)
    sim.advance(1_000)
    assert len(records(sim, tk.INVOCATION_FAILED, "reader")) == 1
    (record,) = seen[0]["records"]["orders-0"]
    assert record["headers"] == [
        {"kind": list(b"first")},
        {"kind": list(b"second")},
    ]


@pytest.mark.parametrize("server", ["broker:²", "broker:９０９２", "broker:0", "broker:65536"])
def test_a_bootstrap_servers_port_is_1_to_65535_in_ascii_digits(server: str) -> None:
    # Row "SelfManagedEventSource.Endpoints": `host:port` with a port of ASCII digits.
    d = one(kafka_stack(kafka_fn("reader", kafka_custom(servers=f"['{server}']"))), "invalid-value")
    assert d.severity == "error" and "is not `host:port`" in d.message
    assert (
        load(kafka_stack(kafka_fn("reader", kafka_custom(servers="[broker:65535]")))).errors == []
    )


# -- Batch jobs ---------------------------------------------------------------------------------


def test_a_job_runs_more_attempts_than_aws_batchs_limit_of_10() -> None:
    # Row "attempts total": Stacktape's state machine retries, not Batch's retryStrategy, so
    # 12 attempts all run (linear waits, 1 s x i).
    stack = BATCH_STACK.replace(
        "retryConfig: {attempts: 3, retryIntervalSeconds: 60, retryIntervalMultiplier: 2}",
        "retryConfig: {attempts: 12, retryIntervalSeconds: 1}",
    )
    sim = make_sim(stack, "behaviors:\n  nightly: {duration: 1s, fail: true}\n")
    sim.services["batch"].start("nightly", {}, "manual", "test")
    sim.advance(3_600_000)
    started = [r.t - START for r in records(sim, tk.BATCH_ATTEMPT_STARTED, "nightly")]
    assert len(started) == 12
    assert started[:4] == [0, 2_000, 5_000, 9_000]
    (final,) = records(sim, tk.BATCH_FAILED, "nightly")
    assert final.get("attempts") == 12


# -- S3 Lifecycle and RestoreObject --------------------------------------------------------------


def test_a_delete_marker_cannot_be_restored_and_nothing_changes() -> None:
    # Row "Versions": a delete marker's version id is refused with MethodNotAllowed.
    sim = restore_archived("g/a.csv", versioning=True)
    vault = sim.services["buckets"]
    vault.delete_object("vault", "g/a.csv")
    (marker,) = [v for v in vault.buckets["vault"].versions["g/a.csv"] if v.delete_marker]
    before = sim.trace.seq
    with pytest.raises(SimError, match="MethodNotAllowed"):
        vault.restore_object("vault", "g/a.csv", days=1, version_id=marker.version_id)
    assert sim.trace.seq == before
    assert all(v.restore is None for v in vault.buckets["vault"].versions["g/a.csv"])


@pytest.mark.parametrize(
    ("field", "request_"),
    [
        ("OutputLocation", {"Days": 1, "OutputLocation": {"S3": {"BucketName": "x"}}}),
        ("Type", {"Days": 1, "Type": "SELECT"}),
    ],
)
def test_s3_select_restores_are_not_simulated_and_fail_the_task_naming_the_field(
    tmp_path: Path, field: str, request_: dict
) -> None:
    # Row "S3 Select (RestoreRequest.Type SELECT), OutputLocation, RequestPayer".
    params = {"Bucket": "files", "Key": "k", "RestoreRequest": request_}
    s = open_flow(tmp_path, ("Restore", sdk("s3:restoreObject", params)))
    ex = run_flow(s)
    assert ex.status == "FAILED" and ex.error == "States.Runtime"
    assert f"stptui does not simulate the field 'RestoreRequest.{field}'" in (ex.cause or "")
    assert not records(s.sim, tk.RESTORE_INITIATED)


def test_run_does_not_wait_for_a_lifecycle_rule_to_act(tmp_path: Path) -> None:
    # Row "S3 Lifecycle is asynchronous": lifecycle entries are background work, so `run`
    # ends without reaching the rule's midnight.
    stack = """
resources:
  files:
    type: bucket
    properties:
      lifecycleRules: [{type: expiration, properties: {daysAfterUpload: 1}}]
"""
    (tmp_path / "stacktape.yml").write_text(stack)
    s = Session.open(tmp_path, start_ms=START)
    run(s, "upload files a.txt --size 10", "run")
    assert s.sim.clock.now < START + 86_400_000
    assert "a.txt" in s.sim.services["buckets"].buckets["files"].objects
    run(s, "advance 2d")
    assert "a.txt" not in s.sim.services["buckets"].buckets["files"].objects


# -- CloudWatch alarms -----------------------------------------------------------------------------


def test_an_empty_queues_metrics_stop_six_hours_after_its_last_action(tmp_path: Path) -> None:
    # Row "SQS publishes its metrics ... for queues that are active": up to six hours after
    # any action, so the DLQ's not-empty alarm (missing data as missing) turns
    # INSUFFICIENT_DATA within its evaluation range after those six hours, not before.
    s = alarms_session(tmp_path)
    run(s, "send jobs 'bad order'", "advance 3m", "purge jobsDlq")
    purged = s.sim.clock.now
    run(s, "advance 8h")
    (last,) = [
        r
        for r in records(s.sim, tk.ALARM_STATE_CHANGED, "jobsDlq")
        if r.get("state") == "INSUFFICIENT_DATA" and r.t > purged
    ]
    assert 6 * 3_600_000 < last.t - purged <= 6 * 3_600_000 + 5 * 60_000


# -- Metrics: `show metrics` ------------------------------------------------------------------------


def figures(session: Session, name: str) -> dict[tuple[str, str], float | None]:
    """`show metrics`' figures of one resource, by (metric, statistic)."""
    return {(f.metric, f.statistic): f.value for f in compute(session.sim).resources[name].figures}


def test_a_streams_incoming_bytes_are_its_records_data_and_redrives_are_counted(
    tmp_path: Path,
) -> None:
    # Rows "AWS/Kinesis IncomingRecords and IncomingBytes" (the data's bytes) and "AWS/States":
    # ExecutionsRedriven counts redrives.
    (tmp_path / "stacktape.yml").write_text(THROTTLED_READER)
    s = Session.open(tmp_path, start_ms=START)
    run(
        s,
        "put-record clicks 'hello' --partition-key a",
        "put-record clicks 'héllo!' --partition-key b",
    )
    clicks = figures(s, "clicks")
    assert clicks[("IncomingRecords", "Sum")] == 2
    assert clicks[("IncomingBytes", "Sum")] == len(b"hello") + len("héllo!".encode())
    work = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "work"},
        "End": True,
    }
    (tmp_path / "sm").mkdir()
    sm = sm_open_stack(tmp_path / "sm", {"StartAt": "Work", "States": {"Work": work}})
    run(sm, "fail work next 1")
    sm_start(sm, name="run-1")
    run(sm, "advance 1m", "redrive-execution run-1", "advance 1m")
    flow = figures(sm, "flow")
    assert flow[("ExecutionsRedriven", "Sum")] == 1
    assert flow[("ExecutionsStarted", "Sum")] == 1 and flow[("ExecutionsSucceeded", "Sum")] == 1


# -- Function URLs ------------------------------------------------------------------------------


def test_a_function_url_takes_headers_far_over_an_http_apis_10_kb() -> None:
    # Row "Request line and headers" (left open): no header limit is simulated, only the
    # event's 6 MB; 12 KB of cookies, as in the report, reach the function.
    sim = make_sim(url_stack("bot: url: {enabled: true}"))
    seen = capture_inputs(sim, lambda inp: inp.event()["cookies"])
    cookies = "; ".join(f"c{i}={'v' * 2_000}" for i in range(6))
    answer = url_call(sim, "GET", "/", headers=[("cookie", cookies)])
    assert answer.status == 200
    assert seen == [cookies.split("; ")]


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
