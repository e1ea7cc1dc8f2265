"""An on-call engineer who knows AWS and not stptui, reproducing a night of dead-lettered
messages: what they type from the AWS CLI (`receive-message`, `get-queue-attributes`,
`aws sqs start-message-move-task`, `list-message-move-tasks`), `show dlq`, a session file
given where the stack goes or loaded away from its stack, and what `show queue` of a
dead-letter queue tells them (how old its oldest message is, how to learn why a message
is there and how to move them back). Each refusal changes nothing and names the line
stptui takes instead. Then what they write and read next: a behaviour that reads the
event's `Records` where one record is seen at a time, `explain` of a message retried in a
queue that has no dead-letter queue, a FIFO dead-letter queue's deduplication id, and the
failed CI `expect` on a function's failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from session_checks import refused

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config import load_stack
from stptui.repl.validator import check
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture()
def session() -> Session:
    return Session.open(JOB_QUEUE, start_ms=T0)


@pytest.mark.parametrize(
    ("line", "meant"),
    [
        ("receive-message deadLetterQueue", "show queue deadLetterQueue"),
        ("receive-message --queue-url deadLetterQueue", "show queue deadLetterQueue"),
        ("get-queue-attributes deadLetterQueue", "show queue deadLetterQueue"),
        ("list-dead-letter-source-queues deadLetterQueue", "show queue deadLetterQueue"),
        ("receive deadLetterQueue", "show queue deadLetterQueue"),
        ("peek deadLetterQueue", "show queue deadLetterQueue"),
        ("list-queues", "show queues"),
    ],
)
def test_the_aws_cli_s_queue_reads_name_show(session: Session, line: str, meant: str) -> None:
    # `receive` used to get "did you mean redrive?", a wrong lead for someone who wants to
    # look at the messages; `receive-message` got no lead at all.
    err = refused(session, line)
    assert err.message == f"unknown command {line.split()[0]!r}"
    assert err.hint is not None and err.hint.endswith(f": {meant}"), err.hint
    problem = check(session, line)
    assert problem is not None and problem.hint == err.hint
    execute(session, meant)


@pytest.mark.parametrize(
    ("line", "hint_end"),
    [
        (
            "aws sqs start-message-move-task --source-arn deadLetterQueue",
            "did you mean redrive? usage: redrive DLQ [--to QUEUE]",
        ),
        ("sqs receive-message deadLetterQueue", "show queue deadLetterQueue"),
        ("aws sqs get-queue-attributes --queue-url jobQueue", "show queue jobQueue"),
        ("aws sqs send-message", "did you mean send? usage: send QUEUE BODY"),
        ("aws send-message jobQueue", "did you mean send? usage: send QUEUE BODY"),
    ],
)
def test_an_aws_cli_line_names_stptui_s_command(session: Session, line: str, hint_end: str) -> None:
    err = refused(session, line)
    assert err.message == f"unknown command {line.split()[0]!r}"
    prefix = " ".join(line.split()[: 2 if line.startswith("aws sqs ") else 1])
    assert err.hint is not None and err.hint.startswith(f"stptui's commands have no `{prefix}`")
    assert hint_end in err.hint, err.hint
    problem = check(session, line)
    assert problem is not None and problem.hint == err.hint


def test_an_aws_cli_line_stptui_has_nothing_for_says_so(session: Session) -> None:
    err = refused(session, "aws sqs create-queue --queue-name x")
    assert err.hint == (
        "stptui's commands have no `aws sqs` prefix and no create-queue: "
        "type `help` for the list of commands"
    )


def test_listing_move_tasks_says_a_redrive_is_done_at_once(session: Session) -> None:
    err = refused(session, "list-message-move-tasks --source-arn deadLetterQueue")
    assert err.message == (
        "unknown command 'list-message-move-tasks': a redrive moves its messages at once"
    )
    assert err.hint is not None and "`redrive DLQ` prints each message it moved" in err.hint


@pytest.mark.parametrize("word", ["dlq", "dlqs", "dead-letters", "dead-letter-queues"])
def test_show_dlq_names_the_stack_s_dead_letter_queues(session: Session, word: str) -> None:
    err = refused(session, f"show {word}")
    assert err.message == f"cannot show {word!r}"
    assert err.hint == (
        "this stack's dead-letter queues: deadLetterQueue; e.g. show queue deadLetterQueue"
    )


def test_show_queue_of_a_dead_letter_queue_says_how_old_and_what_next(
    session: Session,
) -> None:
    execute(session, "fail worker")
    execute(session, "send jobQueue '{\"orderId\": 1}'")
    execute(session, "advance 30m")
    text = render_plain(execute(session, "show queue deadLetterQueue"))
    # Moved at 15 min (three receives 5 min apart, the move on the fourth): a standard
    # queue keeps the message's first enqueue time, as the TUI's Inspector says.
    assert "oldest message enqueued 2026-01-05T08:00:00.000Z (30 min ago)" in text
    assert "`explain ID` says why a message is here; `redrive deadLetterQueue` moves them back" in (
        text
    )
    # An empty queue, or one that is no dead-letter queue, says neither.
    source = render_plain(execute(session, "show queue jobQueue"))
    assert "oldest message" not in source and "moves them back" not in source
    data = execute(session, "show queue deadLetterQueue").data
    assert data["oldest_enqueued"] == "2026-01-05T08:00:00.000Z"


def test_a_session_file_given_as_the_stack_says_how_to_open_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = tmp_path / "stacktape.yml"
    shutil.copy(JOB_QUEUE / "stacktape.yml", stack)
    s = Session.open(stack, start_ms=T0)
    execute(s, "send jobQueue hello")
    execute(s, f"save {tmp_path / 'night.json'}")
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "night.json"]) == 1
    out = capsys.readouterr().out
    # One finding, not one per key of the JSON.
    assert len([line for line in out.splitlines() if " error " in line]) == 1, out
    assert "this is a session file `save` wrote, not a stack" in out
    assert "open its stack (`stptui repl stacktape.yml`), then `load night.json`" in out
    # Opened as the stack (the terminal UI's way), it says the same and opens nothing.
    assert main(["night.json", "--no-tui"]) == 2
    assert "then `load night.json`" in capsys.readouterr().err


def test_loading_a_session_away_from_its_stack_says_where_it_looks(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    stack = tmp_path / "app" / "stacktape.yml"
    shutil.copy(JOB_QUEUE / "stacktape.yml", stack)
    s = Session.open(stack, start_ms=T0)
    execute(s, "send jobQueue hello")
    execute(s, f"save {tmp_path / 'app' / 'night.json'}")
    (tmp_path / "shared").mkdir()
    shared = tmp_path / "shared" / "night.json"
    shutil.copy(tmp_path / "app" / "night.json", shared)
    # Opened on a stack of other bytes (an edited one), the session cannot find its own.
    (tmp_path / "edited").mkdir()
    edited = tmp_path / "edited" / "stacktape.yml"
    edited.write_text(stack.read_text() + "# edited\n")
    err = refused(Session.open(edited, start_ms=T0), f"load {shared}")
    assert err.message.startswith("cannot read the saved session's stack")
    assert err.hint == (
        "a session file names its stack and behaviours file relative to its own folder: "
        "keep night.json beside them (share them together)"
    )
    # Opened on the very stack (the same bytes), the session loads from it.
    opened = Session.open(stack, start_ms=T0)
    execute(opened, f"load {shared}")
    assert opened.sim.queues["jobQueue"].depth >= 1


RECORD_STACK = """\
resources:
  orders: {type: sqs-queue}
  posts:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
      streamType: NEW_AND_OLD_IMAGES
  uploads:
    type: bucket
  handle:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: orders}
  fanout:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: b.ts}}
      events:
        - type: dynamo-db-stream
          properties: {streamArn: "$ResourceParam('posts', 'streamArn')"}
  resize:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: c.ts}}
      events:
        - type: s3
          properties: {bucketArn: "$ResourceParam('uploads', 'arn')", s3EventType: 's3:ObjectCreated:*'}
"""


def _record_diags(tmp_path: Path, behaviors: str) -> list[str]:
    (tmp_path / "stacktape.yml").write_text(RECORD_STACK)
    (tmp_path / "stptui.yml").write_text(behaviors)
    stack = load_stack(tmp_path / "stacktape.yml")
    _, diags = Behaviors.from_text(behaviors, "stptui.yml", stack)
    return [d.format() for d in diags]


def test_records_in_a_per_record_handler_s_expression_is_a_warning(tmp_path: Path) -> None:
    # An AWS user writes the event's `Records[...]`; an SQS or stream invocation's
    # expressions see one record at a time, so the path is null: a `when` that never holds
    # (the consumer never fails, silently) or a runtime BehaviorError.
    diags = _record_diags(
        tmp_path,
        "behaviors:\n"
        "  handle:\n"
        "    fail:\n"
        "      when: \"Records[0].body == 'x'\"\n"
        "  fanout:\n"
        "    fail:\n"
        "      when: \"length(Records[?dynamodb.NewImage.title.S == 'boom']) > `0`\"\n"
        "    response: 'Records'\n"
        "  resize:\n"
        "    fail:\n"
        '      when: "Records[0].s3.object.size > `10`"\n',
    )
    assert len(diags) == 2, diags
    assert diags[0] == (
        "stptui.yml:4:13: warning behavior-records-per-record [handle]: handle's "
        "expressions see one SQS message at a time (body, record, attributes, "
        "messageAttributes), not the event: `Records` is null here\n"
        "    hint: read the message's fields, e.g. body.amount"
    )
    assert diags[1].startswith(
        "stptui.yml:7:13: warning behavior-records-per-record [fanout]: fanout's expressions "
        "see one DynamoDB stream record at a time (eventName, keys, newImage, oldImage, "
        "record), not the event"
    )
    assert diags[1].endswith("hint: read the record's fields, e.g. newImage.total")


NO_DLQ_STACK = """\
resources:
  hooks:
    type: sqs-queue
    properties: {visibilityTimeoutSeconds: 120}
  process:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      timeout: 60
      events:
        - type: sqs
          properties: {sqsQueueName: hooks, batchSize: 10}
"""


def test_explain_says_why_a_message_keeps_coming_back_to_a_queue_without_dlq(
    tmp_path: Path,
) -> None:
    # A queue with no redrivePolicy: the failing message is never dead-lettered, and the
    # on-call looking for "the DLQ" finds none. `explain` says so, with the failures.
    (tmp_path / "stacktape.yml").write_text(NO_DLQ_STACK)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  process:\n    fail: {when: \"body.provider == 'stripe'\", "
        "error: SignatureError}\n"
    )
    s = Session.open(tmp_path, start_ms=T0)
    execute(s, 'send hooks \'{"provider": "stripe"}\'')
    execute(s, "advance 5m")
    lines = render_plain(execute(s, "explain 21f87f34")).splitlines()
    # Received at 0, 2 and 4 min (the visibility timeout apart), each failed in 100 ms.
    assert lines[0] == (
        "why: in hooks after 3 receives; process failed each: SignatureError: simulated "
        "failure (when body.provider == 'stripe' (message 21f87f34-4584-4845-a32b-"
        "133a35242656)); hooks has no dead-letter queue, so it is received again until a "
        "consumer deletes it or its retention ends at 2026-01-09T08:00:00.000Z"
    )
    # A message that succeeded gets no such line.
    execute(s, 'send hooks \'{"provider": "github"}\'')
    execute(s, "advance 1s")
    assert not render_plain(execute(s, "explain 468f6a19")).startswith("why:")


FIFO_STACK = """\
resources:
  ordersDlq:
    type: sqs-queue
    properties: {fifoEnabled: true}
  orders:
    type: sqs-queue
    properties:
      fifoEnabled: true
      redrivePolicy: {targetSqsQueueName: ordersDlq, maxReceiveCount: 3}
  handle:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: orders, batchSize: 1}
"""


def test_a_fifo_dead_letter_queue_gives_the_message_its_id_as_deduplication_id(
    tmp_path: Path,
) -> None:
    # "When a message is moved from a FIFO queue to a FIFO DLQ, the original message's
    # deduplication ID will be replaced with the original message's ID" (SQS developer
    # guide, "Learn how to configure a dead-letter queue redrive"); the enqueue time resets.
    (tmp_path / "stacktape.yml").write_text(FIFO_STACK)
    s = Session.open(tmp_path, start_ms=T0)
    execute(s, "fail handle")
    execute(s, "send orders '{\"id\": 1}' --group g1 --dedup-id night-1")
    before = render_plain(execute(s, "show message 21f87f34"))
    assert "group g1, deduplication id night-1" in before
    execute(s, "advance 10m")
    after = render_plain(execute(s, "show message 21f87f34"))
    assert "queue ordersDlq, visible, received 3 times" in after
    assert "group g1, deduplication id 21f87f34-4584-4845-a32b-133a35242656" in after
    # Moved at 90 s (receives at 0, 30 and 60 s): a FIFO DLQ counts its retention from then.
    assert "oldest message enqueued 2026-01-05T08:01:30.000Z (8 min 30 s ago)" in render_plain(
        execute(s, "show queue ordersDlq")
    )


def test_a_failed_expect_on_a_function_s_failures_names_the_latest_failure(
    session: Session,
) -> None:
    # The CI check that proves the fix (`expect function.worker.failures == 0`) used to fail
    # with no hint; the one that follows the failure is `explain` of an invocation.
    execute(session, "fail worker")
    execute(session, "send jobQueue '{\"orderId\": 1}'")
    execute(session, "advance 11m")
    err = refused(session, "expect function.worker.failures == 0")
    assert err.message == "expected function.worker.failures == 0, actual 3"
    assert err.hint is not None
    assert err.hint.startswith("explain ") and err.hint.endswith(
        " follows worker's latest failure (Error: failed by override `fail worker always`); "
        "show function worker lists its latest invocations"
    ), err.hint
    # Its other figures name the page that lists them.
    err = refused(session, "expect function.worker.successes == 1")
    assert err.hint == "show function worker lists its latest invocations"
