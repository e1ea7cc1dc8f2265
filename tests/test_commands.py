"""The command language (stptui.commands): every command's success and failure paths, the
"a failed command changes nothing" rule, help from the registry, expect, save/load."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import (
    REGISTRY,
    CommandError,
    CommandResult,
    ExpectationFailed,
    Session,
    execute,
    render_plain,
    tokenize,
)
from stptui.commands.registry import TOPICS, strip_comment
from stptui.commands.session import SessionError, trace_sha256
from stptui.sim.clock import iso_ms, parse_instant
from stptui.sim.payloads import message_attributes

START = "2026-01-05T08:00:00Z"
T0 = parse_instant(START)

STACK = """\
serviceName: cmdtest
resources:
  jobQueue:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {targetSqsQueueName: deadLetterQueue, maxReceiveCount: 3}
  deadLetterQueue:
    type: sqs-queue
  otherQueue:
    type: sqs-queue
  ordersQueue:
    type: sqs-queue
    properties: {fifoEnabled: true}
  aQueue:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: sharedDlq, maxReceiveCount: 1}
  bQueue:
    type: sqs-queue
    properties:
      redrivePolicy: {targetSqsQueueName: sharedDlq, maxReceiveCount: 1}
  sharedDlq:
    type: sqs-queue
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      timeout: 5
      reservedConcurrency: 1
      events:
        - type: sqs
          properties: {sqsQueueName: jobQueue, batchSize: 1}
  api:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      timeout: 10
"""

BEHAVIORS = """\
behaviors:
  api:
    response: "{ok: `true`, got: @}"
"""


@pytest.fixture
def stack_dir(tmp_path: Path) -> Path:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    return tmp_path


@pytest.fixture
def s(stack_dir: Path) -> Session:
    return Session.open(stack_dir, start_ms=T0)


def run(session: Session, *lines: str) -> CommandResult:
    """Execute lines in order; the last result."""
    result = CommandResult()
    for line in lines:
        result = execute(session, line)
    return result


def state(session: Session) -> Any:
    """Everything a failed command must leave as it was."""
    sim = session.sim
    return (
        sim.trace.seq,
        sim.clock.now,
        sim.pending(),
        {name: sim.queue_stats(name) for name in sim.queues},
        [o.describe() for f in sim.functions.values() for o in f.overrides],
        list(session.log),
    )


def fails(session: Session, line: str) -> CommandError:
    """Run a line that must fail, and check that it changed nothing."""
    before = state(session)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert state(session) == before, line
    return info.value


def kinds(result: CommandResult) -> list[str]:
    return [r.kind for r in result.records]


# -- parsing ---------------------------------------------------------------------------------


def test_tokenize_follows_shell_rules_and_comments() -> None:
    assert tokenize("send q '{\"a\": 1}' --delay 5s") == ["send", "q", '{"a": 1}', "--delay", "5s"]
    assert tokenize("send q abc#1  # a comment") == ["send", "q", "abc#1"]
    assert tokenize("send q 'a # b'") == ["send", "q", "a # b"]
    assert tokenize('send q "it\'s"') == ["send", "q", "it's"]
    assert tokenize("   # only a comment") == []
    assert strip_comment('x "#y" #z') == 'x "#y" '


def test_blank_and_comment_lines_do_nothing(s: Session) -> None:
    before = state(s)
    assert render_plain(execute(s, "")) == ""
    assert render_plain(execute(s, "  # nothing")) == ""
    assert state(s) == before


def test_unclosed_quote_is_a_command_error(s: Session) -> None:
    err = fails(s, 'send jobQueue \'{"a": 1}')
    assert "closing quotation" in err.message
    assert err.hint and "quote" in err.hint


def test_unknown_command_suggests_the_closest(s: Session) -> None:
    err = fails(s, "sned jobQueue hi")
    assert err.message == "unknown command 'sned'"
    assert err.hint == "did you mean send?"
    assert "help" in (fails(s, "zzzz").hint or "")


def test_unknown_option_suggests_the_closest(s: Session) -> None:
    err = fails(s, "send jobQueue hi --dealy 5s")
    assert err.hint == "did you mean --delay?"
    assert "takes no options" in fails(s, "purge jobQueue --force").message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("send jobQueue", "send needs BODY"),
        ("send jobQueue hello world", "send: unexpected world"),
        ("send jobQueue hi --delay", "--delay needs a value"),
        ("send jobQueue hi --delay 1s --delay 2s", "--delay given twice"),
        ("advance", "advance needs DURATION"),
    ],
)
def test_argument_binding_errors(s: Session, line: str, message: str) -> None:
    err = fails(s, line)
    assert err.message == message
    assert err.hint and err.hint.startswith("usage: ")


def test_option_with_equals_and_double_dash(s: Session) -> None:
    run(s, "send otherQueue hi --delay=30s")
    assert s.sim.queue_stats("otherQueue")["delayed"] == 1
    result = run(s, "send otherQueue -- --not-an-option")
    msg = s.sim.find_message(result.data["message_id"])
    assert msg.body == "--not-an-option"


# -- send ------------------------------------------------------------------------------------


def test_send_records_and_log(s: Session) -> None:
    result = run(s, "send otherQueue '{\"jobId\": 42}'")
    mid = result.data["message_id"]
    assert result.text == f"sent message {mid} to otherQueue"
    assert kinds(result) == ["message.sent"]
    assert s.sim.find_message(mid).body == '{"jobId": 42}'
    assert s.log == ["send otherQueue '{\"jobId\": 42}'"]


def test_send_delay_attributes_and_fifo(s: Session) -> None:
    result = run(
        s,
        "send otherQueue hi --delay 1m --attr priority=5 --attr src=cli --attr r=1.5e3 --attr z=007",
    )
    assert "visible in 1 min" in result.text
    msg = s.sim.find_message(result.data["message_id"])
    shaped = message_attributes(msg.attrs)
    # A Number keeps the text its sender wrote, as SQS does.
    assert {k: (v["dataType"], v["stringValue"]) for k, v in shaped.items()} == {
        "priority": ("Number", "5"),
        "src": ("String", "cli"),
        "r": ("Number", "1.5e3"),
        "z": ("Number", "007"),
    }
    assert s.sim.queue_stats("otherQueue")["delayed"] == 1

    first = run(s, "send ordersQueue x --group g1 --dedup-id d1")
    again = run(s, "send ordersQueue x --group g1 --dedup-id d1")
    assert again.data == {**first.data, "deduplicated": True}
    assert "duplicate" in again.text
    assert s.sim.queue_stats("ordersQueue")["depth"] == 1


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("send jobQeue hi", "no queue named 'jobQeue'", "did you mean jobQueue?"),
        ("send worker hi", "'worker' is a function, not a queue", "queues in this stack"),
        ("send ordersQueue hi", "MissingParameter", "--group"),
        # A group id is a fair queue's tenant; a deduplication id is for FIFO queues only.
        ("send jobQueue hi --dedup-id d", "MessageDeduplicationId is invalid", "standard queue"),
        ("send jobQueue hi --delay 1.5s", "--delay is a whole number of seconds", None),
        ("send jobQueue hi --delay 20m", "delay must be 0-900 seconds", None),
        ("send jobQueue hi --delay 5", "--delay: the duration '5' has no unit", "5s"),
        ("send jobQueue hi --attr novalue", "--attr needs NAME=VALUE", None),
        ("send jobQueue hi --attr AWS.x=1", "not a valid message attribute name", None),
        ("send jobQueue hi --attr a=1 --attr a=2", "--attr a given twice", None),
        ("send jobQueue hi --attr a=1e400", "not a Number SQS takes", "between 1e-128 and 1e126"),
        ("send jobQueue hi --attr a=1" + "2" * 38, "not a Number SQS takes", "38 significant"),
        (
            "send jobQueue ''",
            "MissingParameter: The request must contain the parameter MessageBody.",
            "SQS refuses an empty message body",
        ),
    ],
)
def test_send_failures_change_nothing(s: Session, line: str, message: str, hint: str) -> None:
    err = fails(s, line)
    assert message in err.message
    if hint is not None:
        assert hint in (err.hint or "")


# -- invoke ----------------------------------------------------------------------------------


def test_invoke_runs_the_clock_until_the_invocation_ends(s: Session) -> None:
    result = run(s, "invoke api '{\"a\": 1}'")
    assert result.data["status"] == "success"
    assert result.data["response"] == {"ok": True, "got": {"a": 1}}
    assert result.data["duration_ms"] == 100
    assert s.sim.clock.now == T0 + 100
    assert kinds(result) == ["invocation.started", "invocation.succeeded"]
    assert 'response: {"ok":true,"got":{"a":1}}' in result.text
    # A JSON string arrives as a string.
    assert run(s, """invoke api '"hello"'""").data["response"] == {"ok": True, "got": "hello"}


def test_invoke_lets_other_due_events_happen(s: Session) -> None:
    run(s, "send jobQueue job")  # the worker's poll is due now
    result = run(s, "invoke api")
    assert "message.received" in kinds(result)
    # Both take 100 ms; the api's end was scheduled first, so invoke stops before the
    # worker's end, which stays on the agenda.
    assert [r.resource for r in result.records if r.kind == "invocation.started"] == [
        "api",
        "worker",
    ]
    assert s.sim.queue_stats("jobQueue")["in_flight"] == 1


def test_invoke_failure_and_timeout_are_results(s: Session) -> None:
    run(s, "fail api")
    failed = run(s, "invoke api")
    assert failed.data["status"] == "error"
    assert failed.text.startswith("api failed after 100 ms: Error")
    run(s, "slow worker 20s")
    timed_out = run(s, "invoke worker")
    assert timed_out.data["status"] == "timeout"
    assert timed_out.data["duration_ms"] == 5_000
    assert "timed out after 5 s: Sandbox.Timedout: Task timed out after 5.00 seconds" in (
        timed_out.text
    )
    # What Invoke answers: FunctionError Unhandled, and Lambda's own error object, its
    # message naming the request.
    request_id = timed_out.data["invocation_id"]
    response = {
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 5.00 seconds",
        "errorType": "Sandbox.Timedout",
    }
    assert timed_out.data["function_error"] == "Unhandled"
    assert timed_out.data["response"] == response
    assert timed_out.text.splitlines()[2] == (
        "response (FunctionError Unhandled): " + json.dumps(response, separators=(",", ":"))
    )
    assert failed.data["response"]["errorType"] == "Error"
    # `succeed` suppresses failures, including a duration past the timeout.
    run(s, "succeed api", "slow api 20s")
    assert run(s, "invoke api").data["status"] == "success"


def test_invoke_throttled_is_reported(s: Session) -> None:
    run(s, "slow worker 3s", "send jobQueue job", "step")
    assert s.sim.functions["worker"].running == 1
    result = run(s, "invoke worker")
    assert result.data["status"] == "throttled"
    assert "TooManyRequestsException" in result.text
    assert kinds(result) == ["invocation.throttled"]


def test_invoke_failures_change_nothing(s: Session) -> None:
    err = fails(s, "invoke apii")
    assert err.hint == "did you mean api?"
    assert "function" in fails(s, "invoke jobQueue").message
    assert "unexpected" in fails(s, "invoke api a b").message


@pytest.mark.parametrize(
    "line",
    [
        'invoke api {"a":1}',  # the line's quoting leaves {a:1}
        'invoke api ["a","b"]',  # [a,b]
        'start-job heavyJob {"a":1}',
        'publish eventBus orders OrderCreated {"a":1}',
    ],
)
def test_json_that_lost_its_quotes_is_refused_with_how_to_quote_it(line: str) -> None:
    combined = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "combined"
    session = Session.open(combined, start_ms=T0)
    err = fails(session, line)
    assert err.hint is not None and "single quotes" in err.hint


@pytest.mark.parametrize(
    ("line", "refusal", "hint"),
    [
        (
            "invoke api hello",
            "InvalidRequestContentException: Could not parse request body into json: ",
            """to send the text, quote it: invoke api '"hello"'""",
        ),
        (
            "start-job heavyJob 'two words'",
            "InvalidExecutionInput: the input is not JSON: ",
            """to send the text, quote it: start-job heavyJob '"two words"'""",
        ),
        (
            'invoke api "it\'s"',
            "InvalidRequestContentException: Could not parse request body into json: ",
            "write text as a JSON string, in double quotes",
        ),
    ],
)
def test_a_payload_that_is_not_json_is_refused_as_aws_refuses_it(
    line: str, refusal: str, hint: str
) -> None:
    """Lambda's Invoke answers InvalidRequestContentException to a body that is not JSON,
    and StartExecution InvalidExecutionInput: nothing runs, and the hint sends the text as
    the JSON string it must be."""
    combined = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "combined"
    session = Session.open(combined, start_ms=T0)
    err = fails(session, line)
    assert err.message.startswith(refusal)
    assert err.hint is not None and err.hint.endswith(hint)
    assert len(session.sim.trace.records) == 0
    if "quote it: " in err.hint:
        assert execute(session, err.hint.split("quote it: ")[1]).records


# -- time ------------------------------------------------------------------------------------


def test_advance_until_step_run(s: Session) -> None:
    assert run(s, "advance 90s").data["now"] == "2026-01-05T08:01:30.000Z"
    assert run(s, "advance 2h30m").text.startswith("now 2026-01-05T10:31:30.000Z (+2 h 30 min)")
    run(s, "until 2026-01-06T00:00:00Z")
    assert s.sim.clock.now == parse_instant("2026-01-06T00:00:00Z")
    run(s, "send jobQueue a")
    step = run(s, "step")
    assert step.data["ran"] == 1
    assert kinds(step) == ["message.received", "invocation.started"]
    done = run(s, "run")
    assert done.data["quiet"] is True
    assert s.sim.queue_stats("jobQueue")["depth"] == 0
    # Nothing is left (the emptied queue's retention check went with its last message):
    # step does not jump days ahead to a check that would find nothing.
    now = s.sim.clock.now
    last = run(s, "step 2")
    assert last.data["ran"] == 0
    assert last.text.endswith("nothing more is scheduled")
    assert s.sim.clock.now == now


def test_run_stops_at_max(s: Session) -> None:
    run(s, "fail worker", "send jobQueue a")
    result = run(s, "run --max 45s")
    assert result.data["quiet"] is False
    assert result.text.startswith("still busy after 45 s")
    assert s.sim.clock.now == T0 + 45_000


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("advance 5x", "unknown unit"),
        ("advance -5s", "negative"),
        ("advance 90", "has no unit"),
        ("until yesterday", "not an ISO-8601 instant"),
        ("until 2026-01-05T07:00:00Z", "in the simulation's past"),
        ("step 0", "at least 1"),
        ("step many", "whole number"),
        ("run --max soon", "--max"),
    ],
)
def test_time_failures_change_nothing(s: Session, line: str, message: str) -> None:
    assert message in fails(s, line).message


# -- behaviour overrides ---------------------------------------------------------------------


def test_fail_succeed_slow_store_overrides_and_trace(s: Session) -> None:
    result = run(s, "fail worker next 3")
    assert [o.describe() for o in s.sim.functions["worker"].overrides] == [
        "fail worker next 3 (3 left)"
    ]
    assert kinds(result) == ["behavior.overridden"]
    assert result.records[0].resource == "worker"
    assert result.records[0].data["override"] == "fail worker next 3"
    run(s, "slow worker 2s", "fail worker rate 0.5")
    assert [o.describe() for o in s.sim.functions["worker"].overrides] == [
        "slow worker 2 s",
        "fail worker rate 0.5",
    ]
    run(s, "fail worker when \"body.kind == 'poison'\"")
    assert s.sim.functions["worker"].overrides[-1].expression == "body.kind == 'poison'"
    run(s, "succeed worker")
    assert [o.kind for o in s.sim.functions["worker"].overrides] == ["succeed"]
    assert s.sim.trace.count("behavior.overridden", "worker") == 5


def test_fail_defaults_to_always(s: Session) -> None:
    run(s, "fail api")
    assert s.sim.functions["api"].overrides[0].mode == "always"


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("fail wroker", "no function or batch job named 'wroker'", "did you mean worker?"),
        ("fail worker nxt 3", "unknown fail form", None),
        ("fail worker next 0", "at least 1", None),
        ("fail worker rate 2", "between 0 and 1", None),
        ("fail worker when", "needs a JMESPath condition", None),
        ("fail worker always now", "takes nothing more", None),
        ("succeed worker now", "succeed: unexpected now", "write just `succeed worker`"),
        ("slow worker", "slow needs DURATION", None),
        ("slow worker fast", "slow:", None),
        ("slow worker 2 s", "slow: unexpected s", "write the duration as one word: 2s"),
        ("advance 1 day", "advance: unexpected day", "write the duration as one word: 1day"),
        ("advance 1m 30s", "unexpected 30s", "write the duration as one word: 1m30s"),
        ("advance 1d x", "advance: unexpected x", "write just `advance 1d`"),
    ],
)
def test_override_failures_change_nothing(
    s: Session, line: str, message: str, hint: str | None
) -> None:
    err = fails(s, line)
    assert message in err.message
    if hint is not None:
        assert err.hint == hint


# -- redrive and purge -----------------------------------------------------------------------


def _dead_letter_one(s: Session) -> str:
    mid = run(s, "fail worker", "send jobQueue job").data["message_id"]
    run(s, "advance 2m")
    assert s.sim.queue_stats("deadLetterQueue")["visible"] == 1
    return mid


def test_redrive_back_to_the_source_queue(s: Session) -> None:
    old = _dead_letter_one(s)
    run(s, "slow worker 10s")  # keep the redriven message in flight: timeout 5 s -> fails
    result = run(s, "redrive deadLetterQueue")
    new = result.data["moved"][0]["new_message_id"]
    assert result.text == f"moved 1 message from deadLetterQueue to jobQueue\n  {old} -> {new}"
    assert result.data["moved"][0]["message_id"] == old
    assert kinds(result) == ["message.sent", "message.redriven"]
    assert s.sim.queue_stats("jobQueue")["depth"] == 1
    assert s.sim.queue_stats("deadLetterQueue")["depth"] == 0


def test_redrive_to_another_queue_and_empty_redrive(s: Session) -> None:
    _dead_letter_one(s)
    run(s, "redrive deadLetterQueue --to otherQueue")
    assert s.sim.queue_stats("otherQueue")["visible"] == 1
    assert run(s, "redrive deadLetterQueue").data["moved"] == []
    # --to works from any queue.
    run(s, "redrive otherQueue --to aQueue")
    assert s.sim.queue_stats("aQueue")["visible"] == 1


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("redrive otherQueue", "not a dead-letter queue", "--to QUEUE"),
        ("redrive deadLetterQueue --to deadLetterQueue", "into itself", None),
        ("redrive deadLetterQueue --to nowhere", "no queue named 'nowhere'", None),
        ("redrive deadLeterQueue", "no queue named", "did you mean deadLetterQueue?"),
    ],
)
def test_redrive_failures_change_nothing(
    s: Session, line: str, message: str, hint: str | None
) -> None:
    _dead_letter_one(s)
    err = fails(s, line)
    assert message in err.message
    if hint is not None:
        assert hint in (err.hint or "")


def test_redrive_checks_every_message_before_moving_any(s: Session) -> None:
    _dead_letter_one(s)
    # ordersQueue is FIFO without content-based deduplication, but redrive supplies the
    # MessageId as deduplication id: this one works ...
    run(s, "redrive deadLetterQueue --to ordersQueue")
    assert s.sim.queue_stats("ordersQueue")["depth"] == 1
    # ... and a body too large for the target stops the command before anything moves.
    run(s, "send otherQueue small", f"send otherQueue {'x' * 2000}")
    s.sim.queues["aQueue"].max_bytes = 1000
    err = fails(s, "redrive otherQueue --to aQueue")
    assert "cannot move to aQueue" in err.message


def test_purge(s: Session) -> None:
    run(s, "send otherQueue a", "send otherQueue b --delay 10s")
    result = run(s, "purge otherQueue")
    assert result.text == "purged 2 messages from otherQueue"
    assert kinds(result) == ["queue.purged"]
    assert s.sim.queue_stats("otherQueue")["depth"] == 0
    assert fails(s, "purge otherQeue").hint == "did you mean otherQueue?"


def test_a_second_purge_within_a_minute_is_refused_and_not_logged(s: Session) -> None:
    run(s, "purge otherQueue", "send otherQueue a", "advance 20s")
    err = fails(s, "purge otherQueue")
    assert err.message == (
        "PurgeQueueInProgress: Only one PurgeQueue operation on otherQueue is allowed every "
        "60 seconds."
    )
    assert err.hint == (
        "the queue was purged at 2026-01-05T08:00:00.000Z; `advance 40s`, then purge again"
    )
    assert s.sim.queue_stats("otherQueue")["depth"] == 1
    assert s.log == ["purge otherQueue", "send otherQueue a", "advance 20s"]
    assert run(s, "advance 40s", "purge otherQueue").text == "purged 1 message from otherQueue"


# -- show ------------------------------------------------------------------------------------


def test_show_queues_and_queue(s: Session) -> None:
    run(s, "send otherQueue 'a\x9b31m body'")
    result = run(s, "show queues")
    assert result.table is not None
    headers, rows = result.table
    assert headers[:3] == ["queue", "type", "visible"]
    row = next(r for r in rows if r[0] == "jobQueue")
    assert row[-1] == "-> deadLetterQueue after 3"
    assert next(r for r in rows if r[0] == "ordersQueue")[1] == "fifo"
    one = run(s, "show queue otherQueue")
    assert one.text.startswith("otherQueue (standard): 1 visible")
    assert one.table is not None
    assert one.table[1][0][-1] == "a\x9b31m body"  # kept as-is in the result ...
    assert "a\\x9b31m body" in render_plain(one)  # ... and made visible when rendered
    assert run(s, "show queue deadLetterQueue").text.endswith("dead-letter queue of jobQueue")


def test_show_functions_agenda_trace(s: Session) -> None:
    run(s, "fail worker next 2", "send jobQueue a", "step")
    fns = run(s, "show functions")
    assert fns.table is not None
    worker = next(r for r in fns.table[1] if r[0] == "worker")
    assert worker[1:6] == ["1", "1", "0", "0", "0"]
    assert "override: fail worker next 2 (1 left)" in worker[6]
    agenda = run(s, "show agenda")
    assert agenda.table is not None
    assert agenda.table[1][0][:2] == ["2026-01-05T08:00:00.100Z", "+100 ms"]
    assert agenda.table[1][0][2:4] == ["invocation", "worker"]
    trace = run(s, "show trace 2")
    assert trace.table is not None
    assert [r[2] for r in trace.table[1]] == ["message.received", "invocation.started"]
    assert len(run(s, "show trace").table[1]) == 4  # type: ignore[index]


def test_show_message_live_and_past(s: Session) -> None:
    mid = run(s, "send otherQueue '{\"x\": 1}' --attr n=2").data["message_id"]
    live = run(s, f"show message {mid[:8]}")
    assert live.data["message_id"] == mid
    assert live.data["attributes"] == {"n": "2"}  # a Number keeps its text
    assert 'body {"x": 1}' in live.text
    err = fails(s, f"show message {mid[:2]}")
    assert (err.message, err.hint) == (
        f"'{mid[:2]}' is too short",
        "give at least 4 characters of the id",
    )
    run(s, "purge otherQueue")
    gone = run(s, f"show message {mid}")
    assert gone.data["live"] is False
    assert [h["kind"] for h in gone.data["history"]] == ["message.sent"]


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("show queus", "cannot show 'queus'", "did you mean queues?"),
        ("show queue", "show queue needs a queue name", None),
        ("show queue nope", "no queue named 'nope'", None),
        # The listing's name and a resource: the view of one was meant.
        (
            "show functions worker",
            "takes nothing more",
            "`show function worker` shows one; `show functions` lists them all",
        ),
        ("show agenda worker", "takes nothing more", "write just `show agenda`"),
        ("show message abcdef", "no message 'abcdef'", None),
        ("show trace -1", "whole number", None),
    ],
)
def test_show_failures(s: Session, line: str, message: str, hint: str | None) -> None:
    err = fails(s, line)
    assert message in err.message
    if hint is not None:
        assert err.hint == hint


def test_show_is_not_logged(s: Session) -> None:
    run(s, "show queues", "show trace", "help", "expect time == 2026-01-05T08:00:00Z")
    assert s.log == []


# -- expect ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "value", "ok"),
    [
        ("==", "1", True),
        ("==", "2", False),
        ("!=", "2", True),
        ("!=", "1", False),
        ("<", "2", True),
        ("<", "1", False),
        ("<=", "1", True),
        ("<=", "0", False),
        (">", "0", True),
        (">", "1", False),
        (">=", "1", True),
        (">=", "2", False),
    ],
)
def test_expect_ops(s: Session, op: str, value: str, ok: bool) -> None:
    run(s, "send otherQueue a")
    line = f"expect queue.otherQueue.depth {op} {value}"
    if ok:
        assert run(s, line).text == f"ok: queue.otherQueue.depth {op} {value} (actual 1)"
    else:
        err = fails(s, line)
        assert isinstance(err, ExpectationFailed)
        assert err.message == f"expected queue.otherQueue.depth {op} {value}, actual 1"


def test_expect_paths(s: Session) -> None:
    run(s, "fail worker next 1", "send jobQueue a", "send otherQueue b --delay 1m", "advance 1s")
    for line in (
        "expect queue.jobQueue.visible == 0",
        "expect queue.jobQueue.in_flight == 1",
        "expect queue.otherQueue.delayed == 1",
        "expect queue.otherQueue.depth == 1",
        "expect function.worker.invocations == 1",
        "expect function.worker.failures == 1",
        "expect function.worker.successes == 0",
        "expect function.worker.throttles == 0",
        "expect function.worker.running == 0",
        "expect count message.sent == 2",
        "expect count message.sent jobQueue == 1",
        "expect count invocation.failed worker >= 1",
        "expect time == 2026-01-05T08:00:01Z",
        "expect time < 2026-01-05T09:00:00+00:30",
    ):
        assert run(s, line).data["ok"] is True, line
    err = fails(s, "expect time > 2026-01-05T08:00:01Z")
    assert err.message == (
        "expected time > 2026-01-05T08:00:01.000Z, actual 2026-01-05T08:00:01.000Z"
    )


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "expect queue.jobQueue.depth",
            "expect needs OP",
            "add a comparison and a value, e.g. with the value now: "
            "expect queue.jobQueue.depth == 0",
        ),
        ("expect queue.jobQueue.dpeth == 0", "queue has no statistic 'dpeth'", "depth"),
        ("expect queue.jobQeue.depth == 0", "no queue named 'jobQeue'", "mean jobQueue?"),
        ("expect function.wroker.failures == 0", "no function named", "mean worker?"),
        ("expect queues.jobQueue.depth == 0", "unknown path", "did you mean queue.jobQueue.depth?"),
        ("expect queue.jobQueue.depth =! 0", "unknown comparison '=!'", None),
        ("expect queue.jobQueue.depth == many", "cannot compare it with 'many'", None),
        ("expect count message.dead_letterd == 0", "unknown trace record kind", "dead_lettered"),
        ("expect count message.sent jobQeue == 0", "no resource named 'jobQeue'", "mean jobQueue?"),
        ("expect count == 0", "expect count needs KIND", None),
        ("expect time == tomorrow", "not an ISO-8601 instant", None),
    ],
)
def test_expect_errors(s: Session, line: str, message: str, hint: str | None) -> None:
    err = fails(s, line)
    assert not isinstance(err, ExpectationFailed)
    assert message in err.message
    if hint is not None:
        assert hint in (err.hint or "")


# -- help and the registry -------------------------------------------------------------------

COMMANDS = [
    "send",
    "put-record",
    "produce",
    "put-item",
    "delete-item",
    "update-item",
    "start-execution",
    "stop-execution",
    "redrive-execution",
    "send-task-success",
    "send-task-failure",
    "send-task-heartbeat",
    "set-alarm-state",
    "invoke",
    "advance",
    "until",
    "step",
    "run",
    "fail",
    "succeed",
    "slow",
    "redrive",
    "purge",
    "show",
    "save",
    "load",
    "expect",
    "help",
    # event sources (issue 4)
    "publish",
    "publish-sns",
    "replay",
    "cancel-replay",
    # load on the clock
    "repeat",
    "cancel-repeat",
    "fire",
    "pause",
    "resume",
    "upload",
    "delete",
    "restore",
    "http",
    "start-job",
    "explain",
    # WebSocket APIs
    "ws-connect",
    "ws-send",
    "ws-post",
    "ws-disconnect",
    # CloudWatch Logs subscriptions
    "log",
    # user pools
    "sign-up",
    "confirm-sign-up",
    "admin-create-user",
    "sign-in",
    "forgot-password",
    "confirm-forgot-password",
    "admin-add-user-to-group",
    "admin-remove-user-from-group",
    "answer-challenge",
    "global-sign-out",
    "admin-user-global-sign-out",
    "revoke-token",
    # scripting (the REPL issue)
    "source",
    "record",
    # taking commands back, and running them on edited files
    "undo",
    "redo",
    "reload",
]


def test_registry_declares_every_command() -> None:
    assert sorted(REGISTRY.commands) == sorted(COMMANDS)
    for cmd in REGISTRY.commands.values():
        assert cmd.topic in TOPICS
        assert cmd.usage.startswith(cmd.name)
        assert cmd.examples, cmd.name
        for example in cmd.examples:
            assert tokenize(example)[0] == cmd.name
    state_changing = {c.name for c in REGISTRY.commands.values() if c.changes_state}
    read_only = {"show", "save", "load", "expect", "help", "explain", "source", "record"}
    # undo, redo and reload are not logged either: they rebuild the log itself (redo logs
    # the commands it applies again, as they run).
    read_only |= {"undo", "redo", "reload"}
    assert state_changing == set(COMMANDS) - read_only


def test_help_lists_commands_by_topic(s: Session) -> None:
    text = run(s, "help all").text
    for title in TOPICS.values():
        assert f"{title}:" in text
    for name in COMMANDS:
        # A name longer than the others' column has its summary on the next line.
        assert f"\n  {name} " in text or f"\n  {name}\n" in text
    order = [text.index(f"\n  {name} ") for name in ("send", "advance", "fail", "expect")]
    assert order == sorted(order)


def test_help_for_one_command_comes_from_the_registry(s: Session) -> None:
    text = run(s, "help send").text
    cmd = REGISTRY.commands["send"]
    assert text.startswith(
        "usage: send QUEUE BODY [--delay D] [--group G] [--dedup-id ID] [--attr K=V ...]"
    )
    assert cmd.summary in text
    for example in cmd.examples:
        assert f"  {example}" in text
    assert (
        "usage: fail FUNCTION [always | next N | rate P | when JMESPATH]"
        in run(s, "help fail").text
    )
    assert fails(s, "help sedn").hint == "did you mean send?"


# -- save / load -----------------------------------------------------------------------------

SCENARIO = (
    "fail worker next 2",
    "send jobQueue '{\"jobId\": 1}' --attr n=1",
    "send jobQueue '{\"jobId\": 2}'",
    "advance 45s",
    'invoke api \'{"hello": "world"}\'',
    "slow worker 1s",
    "run",
)


def test_save_and_load_round_trip(s: Session, stack_dir: Path, tmp_path: Path) -> None:
    run(s, *SCENARIO, "show queues", "expect function.worker.failures == 2")
    target = tmp_path / "saved.json"
    assert run(s, f"save {target}").text.startswith(f"saved {len(SCENARIO)} commands")
    doc = json.loads(target.read_text())
    assert list(doc) == [
        "version",
        "stack",
        "stack_sha256",
        "behaviors",
        "behaviors_sha256",
        "seed",
        "stage",
        "region",
        "start",
        "allow_code",
        "commands",
        "now",
        "trace_sha256",
    ]
    assert doc["stack"] == "stacktape.yml"  # relative: the pair can move together
    assert doc["behaviors"] == "stptui.yml"
    assert doc["commands"] == list(SCENARIO)
    assert doc["start"] == "2026-01-05T08:00:00.000Z"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    other = Session.open(stack_dir, start_ms=T0 + 1_000, seed=9)
    run(other, "send otherQueue unrelated")
    run(other, f"load {target}")
    assert other.sim.clock.now == s.sim.clock.now
    assert trace_sha256(other.sim.trace) == trace_sha256(s.sim.trace)
    assert [r.to_line() for r in other.sim.trace.records] == [
        r.to_line() for r in s.sim.trace.records
    ]
    assert state(other) == state(s)
    assert other.seed == 0 and other.start_ms == T0
    # The loaded session goes on identically.
    for session in (s, other):
        run(session, "fail worker rate 0.5", "send jobQueue again", "advance 5m")
    assert trace_sha256(other.sim.trace) == trace_sha256(s.sim.trace)


def test_the_stage_and_region_name_everything_and_survive_save_and_load(
    stack_dir: Path, tmp_path: Path
) -> None:
    prod = Session.open(stack_dir, start_ms=T0, stage="prod", region="eu-west-1")
    run(prod, "send otherQueue a")
    arn = prod.sim.queues["otherQueue"].arn
    assert ":eu-west-1:" in arn and "-prod-" in arn
    target = tmp_path / "prod.json"
    run(prod, f"save {target}")
    doc = json.loads(target.read_text())
    assert (doc["stage"], doc["region"]) == ("prod", "eu-west-1")
    other = Session.open(stack_dir, start_ms=T0)
    run(other, f"load {target}")
    assert (other.stage, other.region) == ("prod", "eu-west-1")
    assert other.sim.queues["otherQueue"].arn == arn
    assert trace_sha256(other.sim.trace) == trace_sha256(prod.sim.trace)
    # A file saved before sessions had a stage and a region loads at the defaults.
    dev = Session.open(stack_dir, start_ms=T0)
    run(dev, "send otherQueue a", f"save {tmp_path / 'dev.json'}")
    old = json.loads((tmp_path / "dev.json").read_text())
    del old["stage"], old["region"]
    (tmp_path / "dev.json").write_text(json.dumps(old))
    run(other, f"load {tmp_path / 'dev.json'}")
    assert (other.stage, other.region) == ("dev", "us-east-1")


def test_load_keeps_sinks_and_does_not_resend_replayed_records(
    s: Session, stack_dir: Path, tmp_path: Path
) -> None:
    run(s, "send otherQueue a", f"save {tmp_path / 'x.json'}")
    seen: list[str] = []
    other = Session.open(stack_dir, start_ms=T0)
    other.add_sink(lambda r: seen.append(r.kind))
    run(other, f"load {tmp_path / 'x.json'}", "send otherQueue b")
    assert seen == ["message.sent"]
    assert other.sim.trace.seq == 2


def test_save_overwrites_atomically(s: Session, tmp_path: Path) -> None:
    target = tmp_path / "saved.json"
    target.write_text("old")
    run(s, "send otherQueue a", f"save {target}")
    assert json.loads(target.read_text())["commands"] == ["send otherQueue a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "saved.json",
        "stacktape.yml",
        "stptui.yml",
    ]


def test_failed_save_keeps_the_old_file_and_no_temp_file(
    s: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "saved.json"
    target.write_text("old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("stptui.commands.session.os.replace", broken_replace)
    err = fails(s, f"save {target}")
    assert "No space left on device" in err.message
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "saved.json",
        "stacktape.yml",
        "stptui.yml",
    ]


def test_save_errors(s: Session, tmp_path: Path) -> None:
    assert "is a directory" in fails(s, f"save {tmp_path}").message
    assert "no directory" in fails(s, f"save {tmp_path / 'missing' / 'x.json'}").message


def test_load_detects_a_changed_stack(s: Session, stack_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "saved.json"
    run(s, "send otherQueue a", f"save {target}")
    (stack_dir / "stacktape.yml").write_text(STACK + "\n# edited\n")
    other = Session.open(stack_dir, start_ms=T0)
    err = fails(other, f"load {target}")
    assert "stacktape.yml changed since the session was saved" in err.message
    assert str(stack_dir / "stacktape.yml") in err.message


def test_load_detects_changed_behaviours(s: Session, stack_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "saved.json"
    run(s, f"save {target}")
    (stack_dir / "stptui.yml").write_text(BEHAVIORS + "  worker: {duration: 1s}\n")
    assert "behaviours file" in fails(s, f"load {target}").message


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(now="2026-01-05T09:00:00.000Z"), "does not reproduce"),
        (lambda d: d.update(trace_sha256="0" * 64), "does not reproduce"),
        (lambda d: d.update(commands=["show queues"]), "not a state-changing command"),
        (lambda d: d.update(commands=["send nowhere x"]), "does not replay"),
        (lambda d: d.update(version=99), "version 99"),
        (lambda d: d.pop("seed"), "it has no 'seed'"),
        (lambda d: d.update(seed=True), "'seed' has the wrong type"),
        (lambda d: d.update(allow_code=True), "--allow-code"),
        (lambda d: d.update(included_sha256={"x.yml": 3}), "'included_sha256' has the wrong"),
        (lambda d: d.update(included_sha256=["x.yml"]), "'included_sha256' has the wrong"),
        (lambda d: d.update(code_sha256={"x.py": None}), "'code_sha256' has the wrong"),
        (lambda d: d.update(code_sha256="x.py"), "'code_sha256' has the wrong"),
        (
            lambda d: d.update(code_sha256={"x.py": "0" * 64}),
            "cannot read the saved session's handler module",
        ),
        # No file's name: said, never a traceback.
        (lambda d: d.update(stack="a\x00b.yml"), "cannot read the saved session's stack"),
        (lambda d: d.update(stack="\ud800.yml"), "cannot read the saved session's stack"),
        (
            lambda d: d.update(included_sha256={"a\x00b.yml": "0" * 64}),
            "cannot read the saved session's included file",
        ),
    ],
)
def test_load_refuses_tampered_files(s: Session, tmp_path: Path, edit: Any, message: str) -> None:
    target = tmp_path / "saved.json"
    run(s, "send otherQueue a", "advance 1m", f"save {target}")
    doc = json.loads(target.read_text())
    edit(doc)
    target.write_text(json.dumps(doc))
    run(s, "send otherQueue more")  # the session to keep
    assert message in fails(s, f"load {target}").message


def test_load_unreadable_files(s: Session, tmp_path: Path) -> None:
    assert "cannot read" in fails(s, f"load {tmp_path / 'none.json'}").message
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert "not a session file" in fails(s, f"load {bad}").message
    bad.write_text("[1, 2]")
    assert "expected a JSON object" in fails(s, f"load {bad}").message


@pytest.mark.parametrize("name", ["incident.stp", "incident.txt"])
def test_load_of_a_script_points_to_source(s: Session, tmp_path: Path, name: str) -> None:
    script = tmp_path / name
    script.write_text("# what happened last night\nsend otherQueue a\nadvance 1m\n")
    run(s, "send otherQueue kept")
    err = fails(s, f"load {script}")
    assert err.message == f"{script} is a script, not a session file"
    assert err.hint == f"run its commands in this session with `source {script}`"
    assert s.log == ["send otherQueue kept"]  # the session is as it was


def test_load_of_a_stack_says_it_is_one(s: Session, tmp_path: Path) -> None:
    stack = tmp_path / "stacktape.yml"
    stack.write_text("# the stack\nresources:\n  q: {type: sqs-queue}\n")
    run(s, "send otherQueue kept")
    err = fails(s, f"load {stack}")
    assert err.message == f"{stack} is a stack's config, not a session file"
    assert err.hint == f"open it with `stptui repl {stack}`; load takes a file that save wrote"
    assert s.log == ["send otherQueue kept"]


# -- the job-queue timeline, seen through commands --------------------------------------------


def test_job_queue_timeline(s: Session) -> None:
    run(s, "fail worker always", "send jobQueue '{\"jobId\": 1}'", "advance 2m")
    run(s, "expect count message.received jobQueue == 3")
    run(s, "expect count message.dead_lettered jobQueue == 1")
    run(s, "expect queue.deadLetterQueue.depth == 1")
    trace = run(s, "show trace 100").data
    times = {
        kind: [r["t"] for r in trace if r["kind"] == kind]
        for kind in ("message.received", "message.dead_lettered")
    }
    assert times["message.received"] == [
        "2026-01-05T08:00:00.000Z",
        "2026-01-05T08:00:30.000Z",
        "2026-01-05T08:01:00.000Z",
    ]
    assert times["message.dead_lettered"] == ["2026-01-05T08:01:30.000Z"]


# -- rendering -------------------------------------------------------------------------------


def test_render_plain_aligns_tables_and_escapes_control_characters() -> None:
    result = CommandResult(
        text="hello \x1b[31mred\x1b[0m",
        table=(["name", "value"], [["a", "1"], ["longer", "two\nlines"]]),
    )
    assert render_plain(result) == (
        "hello \\x1b[31mred\\x1b[0m\nname    value\na       1\nlonger  two\\nlines"
    )


def test_render_plain_with_records(s: Session) -> None:
    result = run(s, "send otherQueue a")
    text = render_plain(result, with_records=True)
    mid = result.data["message_id"]
    assert text.splitlines()[-1] == (
        f"{iso_ms(T0)} message.sent otherQueue message_id={mid} source=command"
    )


def test_session_open_errors(tmp_path: Path) -> None:
    with pytest.raises(SessionError) as info:
        Session.open(tmp_path / "missing.yml")
    assert info.value.diagnostics[0].severity == "error"
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "b.yml").write_text("behaviors:\n  nobody: {}\n")
    with pytest.raises(SessionError) as info:
        Session.open(tmp_path, behaviors_path=tmp_path / "b.yml")
    assert "b.yml has errors" in info.value.message
    with pytest.raises(SessionError):
        Session.open(tmp_path, behaviors_path=tmp_path / "none.yml")
    # Without a stptui.yml next to the stack, every handler has the default behaviour.
    session = Session.open(tmp_path)
    assert session.behaviors_path is None


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
@pytest.mark.parametrize(
    "line",
    ["source /dev/zero", "load /dev/zero", "save /dev/null", "record /dev/null", "source {fifo}"],
)
def test_session_files_must_be_regular_files(s: Session, tmp_path: Path, line: str) -> None:
    # /dev/zero never ends, a FIFO blocks until written, and a save renames its file over
    # the target: a device would be replaced by a JSON file.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    before = list(s.log)
    with pytest.raises(CommandError, match="not a regular file"):
        execute(s, line.format(fifo=fifo))
    assert s.log == before and Path("/dev/null").is_char_device()


def test_overrides_echo_what_is_active_without_repeating_the_name(s: Session) -> None:
    assert run(s, "fail worker next 2").text == "worker overrides: fail next 2 (2 left)"
    assert run(s, "succeed worker").text == (
        "worker overrides: succeed (declared failures suppressed)"
    )
    assert run(s, "slow worker 3s").text == (
        "worker overrides: succeed (declared failures suppressed); slow 3 s"
    )
    assert run(s, "fail worker").text == "worker overrides: slow 3 s; fail always"
