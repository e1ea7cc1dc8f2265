"""`show function NAME`, one function's page, and the small hints a new user met: `show`'s
did-you-mean for its views, `show logs` without the 56-digit event ids, `repeat` without a
count, and `show streams` on a stack whose only stream is a table's."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from session_checks import refused

from stptui.commands import Session, execute
from stptui.commands.handlers.inspect import SHOW_WHATS, view_guess
from stptui.commands.result import render_plain
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")

# A function with every part of the page: an SQS trigger, an SNS one (asynchronous), a
# stream mapping, destinations, reserved concurrency, connectTo, and a handler whose error
# message carries Rich markup and a control character.
STACK = """
resources:
  jobs: {type: sqs-queue}
  failed: {type: sqs-queue}
  alerts: {type: sns-topic}
  clicks: {type: kinesis-stream}
  carts:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_IMAGE
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      memory: 512
      timeout: 10
      reservedConcurrency: 5
      connectTo: [jobs]
      destinations:
        onFailure: $ResourceParam('failed', 'arn')
      events:
        - type: sqs
          properties: {sqsQueueName: jobs, batchSize: 5}
        - type: sns
          properties: {snsTopicName: alerts}
        - type: kinesis-stream
          properties: {kinesisStreamName: clicks, batchSize: 20, maximumRetryAttempts: 2}
  heavy:
    type: batch-job
    properties:
      container: {packaging: {type: prebuilt-image, properties: {image: x}}}
      resources: {cpu: 1, memory: 1024}
"""

BEHAVIORS = """
behaviors:
  worker:
    duration: 200ms
    fail:
      when: "Records[0].Sns.Message == 'bad'"
      error: Declined
      message: "[bold red]no[/] \\x1b[31m"
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    return Session.open(tmp_path, start_ms=T0)


def test_the_page_gives_the_configuration_as_the_simulator_has_it(session: Session) -> None:
    shown = execute(session, "show function worker")
    lines = shown.text.splitlines()
    assert lines[0] == "worker (function): 512 MB, timeout 10 s, reserved concurrency 5"
    assert lines[1] == "triggered by:"
    triggers = "\n".join(lines[2:5])
    assert "jobs: sqs(batch 5)" in triggers
    assert "alerts: sns" in triggers
    # The stream's mapping reads with settings the graph's label leaves out.
    assert (
        "clicks: kinesis-stream (batch 20, no batching window, from the oldest record "
        "(TRIM_HORIZON), a failed batch retried at most 2 time(s))"
    ) in triggers
    assert "destination onFailure -> failed" in lines
    assert "connectTo jobs: STP_JOBS_ARN STP_JOBS_URL STP_JOBS_NAME" in lines
    assert "async queue: empty" in lines
    assert lines[-1] == "no invocations yet"
    assert shown.table is None
    data = shown.data
    assert (data["memory_mb"], data["timeout_ms"], data["reserved_concurrency"]) == (
        512,
        10_000,
        5,
    )
    assert data["destinations"] == {"onFailure": "failed"}
    [mapping] = [t["mapping"] for t in data["triggers"] if "mapping" in t]
    assert mapping["batch_size"] == 20 and mapping["maximum_retry_attempts"] == 2


def test_the_page_follows_an_asynchronous_event_through_its_retries(session: Session) -> None:
    execute(session, "fail worker next 5")
    execute(session, "publish-sns alerts fine")
    execute(session, "advance 1s")
    shown = execute(session, "show function worker")
    text = shown.text
    assert "behaviour: 200 ms; fails when" in text
    assert "override: fail worker next 5 (4 left)" in text
    assert "1 invocation: 0 succeeded, 1 failed, 0 throttled; 0 running now" in text
    # Lambda retries a failed asynchronous event 1 minute after the attempt ended.
    [event] = shown.data["async_queue"]
    assert event["attempt"] == 2 and event["at"] == "2026-01-05T08:01:00.200Z"
    assert (
        "async queue: 1 event waiting; next at 2026-01-05T08:01:00.200Z (+59.2 s): "
        f"event {event['event_id']}, attempt 2"
    ) in text
    assert (
        "latest 1 invocation, newest first (`explain ID` gives one's chain, `show event ID` "
        "its event):" in text
    )
    execute(session, "advance 2m")
    shown = execute(session, "show function worker")
    headers, rows = shown.table  # type: ignore[misc]
    assert headers == ["invocation", "trigger", "start", "duration", "outcome", "error"]
    newest, first = (dict(zip(headers, r, strict=True)) for r in rows)
    assert (newest["trigger"], newest["outcome"], newest["duration"]) == (
        "sns (attempt 2)",
        "failed",
        "200 ms",
    )
    assert newest["start"] == "2026-01-05T08:01:00.200Z"
    assert first["start"] == "2026-01-05T08:00:00.000Z"
    # Both attempts are the same event's; the third waits 2 minutes after the second.
    assert {inv["event_id"] for inv in shown.data["latest"]} == {event["event_id"]}
    assert shown.data["async_queue"][0]["attempt"] == 3
    # A row's id is what `explain` follows.
    chain = execute(session, f"explain {newest['invocation']}").text
    assert f"invocation_id={newest['invocation']}" in chain


def test_untrusted_error_text_is_shown_as_text(session: Session) -> None:
    execute(session, "publish-sns alerts bad")
    execute(session, "advance 1s")
    shown = execute(session, "show function worker")
    [row] = shown.table[1]  # type: ignore[index]
    error = row[-1]
    # The control character is made visible, the markup left as the characters it is.
    assert "\x1b" not in error and "[bold red]no[/]" in error
    assert error.startswith("Declined: [bold red]no[/] ")
    assert "[bold red]no[/]" in render_plain(shown)


def test_a_running_invocation_is_listed_as_running(session: Session) -> None:
    execute(session, "send jobs hello")
    execute(session, "advance 50ms")
    shown = execute(session, "show function worker")
    assert "1 running now" in shown.text
    [row] = shown.table[1]  # type: ignore[index]
    assert (row[1], row[3], row[4]) == ("sqs", "", "running")


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "show function",
            "show function needs a function name",
            "this stack's functions: worker; e.g. show function worker",
        ),
        ("show function wroker", "no function named 'wroker'", "did you mean worker?"),
        (
            "show function heavy",
            "'heavy' is a batch-job, not a function",
            "`show job heavy` shows it; `show logs heavy` its log lines",
        ),
        ("show function jobs", "'jobs' is an sqs-queue, not a function", None),
    ],
)
def test_a_wrong_name_is_refused_with_a_hint_and_changes_nothing(
    session: Session, line: str, message: str, hint: str | None
) -> None:
    err = refused(session, line)
    assert err.message == message
    if hint is not None:
        assert err.hint == hint
    # The REPL's check before Enter says the same.
    problem = check(session, line)
    assert problem is not None and problem.message == message


def test_completion_offers_the_functions_after_show_function(session: Session) -> None:
    assert [c.text for c in candidates(session, "show function ")] == ["worker"]
    assert "function" in [c.text for c in candidates(session, "show fun")]


# -- show's did-you-mean ----------------------------------------------------------------------


@pytest.mark.parametrize("word", ["bogus", "bsu", "zzz", "lambda"])
def test_show_suggests_no_view_for_a_word_that_only_shares_letters(
    session: Session, word: str
) -> None:
    err = refused(session, f"show {word}")
    assert err.message == f"cannot show {word!r}"
    assert err.hint is not None and err.hint.startswith("this stack's views: show ")


@pytest.mark.parametrize(
    ("word", "view"),
    [
        ("queus", "queues"),
        ("fuctions", "functions"),
        ("funtion", "function"),
        ("tabel", "table"),
        ("alram", "alarms"),
        ("que", "queues"),
        ("exec", "executions"),
        ("Queues", "queues"),
    ],
)
def test_show_still_suggests_the_view_a_typo_meant(session: Session, word: str, view: str) -> None:
    err = refused(session, f"show {word}")
    assert err.hint == f"did you mean {view}?"


_LONG_VIEWS = [v for v in SHOW_WHATS if len(v) >= 5]


@given(st.sampled_from(_LONG_VIEWS), st.data())
def test_one_slip_of_the_finger_in_a_view_of_five_letters_or_more_is_still_guessed(
    view: str, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(view) - 2))
    slips = (
        view[:i] + view[i + 1 :],  # a letter dropped
        view[:i] + view[i + 1] + view[i] + view[i + 2 :],  # two letters swapped
        view[:i] + "x" + view[i + 1 :],  # a letter mistyped
    )
    for slip in slips:
        assert view_guess(slip) is not None, slip


# -- show logs ----------------------------------------------------------------------------------


def test_show_logs_leaves_the_event_ids_out_of_the_table_and_in_the_data() -> None:
    session = Session.open(SAMPLES / "job-queue", start_ms=T0)
    written = execute(session, "log worker 'hello'")
    shown = execute(session, "show logs worker")
    headers, rows = shown.table  # type: ignore[misc]
    assert headers == ["time", "stream", "message"]
    assert rows == [["2026-01-05T08:00:00.000Z", "96877075", "hello"]]
    assert written.data["log_event_id"] not in render_plain(shown)
    assert [e["id"] for e in shown.data["events"]] == [written.data["log_event_id"]]


# -- repeat without a count ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        (
            "repeat put-record clicks '{\"n\": 1}' --partition-key k",
            "e.g. repeat 10 put-record clicks '{\"n\": 1}' --partition-key k",
        ),
        ("repeat --every 1s send jobs hello", "e.g. repeat 10 --every 1s send jobs hello"),
        (
            "repeat put-record",
            "e.g. repeat 10 put-record STREAM DATA [--partition-key K] [--explicit-hash-key H]"
            " [--from PATH]",
        ),
    ],
)
def test_repeat_without_a_count_shows_the_line_with_one(
    session: Session, line: str, hint: str
) -> None:
    err = refused(session, line)
    assert err.message.startswith("repeat needs a count before the command")
    assert err.hint == hint
    # The hint's line, made concrete, runs.
    if "STREAM" not in hint:
        execute(session, hint.removeprefix("e.g. "))


# -- show streams with only a table's stream ----------------------------------------------------


def test_show_streams_points_to_where_table_streams_are_shown(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  carts:\n    type: dynamo-db-table\n    properties:\n"
        "      primaryKey: {partitionKey: {name: id, type: string}}\n"
        "      streamType: NEW_IMAGE\n",
        encoding="utf-8",
    )
    session = Session.open(tmp_path, start_ms=T0)
    shown = execute(session, "show streams")
    assert shown.text.splitlines() == [
        "this stack has no kinesis-stream",
        "DynamoDB table streams (carts) are shown by `show tables` and `show table TABLE`, "
        "e.g. show table carts",
    ]
    err = refused(session, "show stream")
    assert err.hint is not None and err.hint.endswith("e.g. show table carts")
    assert "stream NEW_IMAGE" in execute(session, "show table carts").text


def test_a_container_workload_is_sent_to_show_containers() -> None:
    session = Session.open(ROOT / "docs" / "examples" / "web-service-logs.yml", start_ms=T0)
    err = refused(session, "show function web")
    assert err.message == "'web' is a web-service, not a function"
    assert err.hint == "`show containers` shows it; `show logs web` its log lines"
