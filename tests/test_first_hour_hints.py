"""A new user's first hour on real stacks: the mistakes they make at the prompt, each refused
with a hint whose line works (or at least points at the right command), the simulation
untouched. Found by driving Stacktape's starter projects (a FIFO order pipeline, an SNS
fan-out, a DynamoDB stream audit, a scheduled checker) with `stptui repl` and `stptui run`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from session_checks import refused

from stptui.commands import Session, execute
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")

# The shapes of the starter projects, in one stack: a FIFO queue without content-based
# deduplication, a bus, a topic, a table (one-attribute and two-attribute keys), a bucket.
STACK = """
resources:
  orderQueue:
    type: sqs-queue
    properties:
      fifoEnabled: true
  eventBus:
    type: event-bus
  notificationTopic:
    type: sns-topic
  productsTable:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {name: id, type: string}
  auditTable:
    type: dynamo-db-table
    properties:
      primaryKey:
        partitionKey: {name: entityId, type: string}
        sortKey: {name: version, type: number}
  uploads:
    type: bucket
  api:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    path = tmp_path / "stacktape.yml"
    path.write_text(STACK, encoding="utf-8")
    return Session.open(path, start_ms=T0)


def test_a_fifo_send_missing_both_ids_gets_a_hint_that_names_both(session: Session) -> None:
    err = refused(session, "send orderQueue '{\"orderId\": 1}'")
    assert "needs a message group id" in err.message
    assert err.hint == "send orderQueue BODY --group GROUP --dedup-id ID"
    # The hint's line, filled in, is taken: no second refusal for the deduplication id.
    execute(session, "send orderQueue '{\"orderId\": 1}' --group GROUP --dedup-id ID")
    # With the deduplication id given, only the group is asked for.
    err = refused(session, "send orderQueue x --dedup-id d2")
    assert err.hint == "send orderQueue BODY --group GROUP"


@pytest.mark.parametrize(
    ("line", "option", "hint"),
    [
        # A fuzzy match would have offered --resources, which is something else entirely.
        (
            "publish eventBus --source orders --detail-type OrderProcessed '{}'",
            "--source",
            "SOURCE is a plain word, not an option: publish eventBus orders OrderProcessed {}",
        ),
        (
            "publish eventBus orders OrderProcessed --detail '{}'",
            "--detail",
            "DETAIL_JSON is a plain word, not an option: publish eventBus orders OrderProcessed {}",
        ),
        (
            "http POST /orders --body '{}'",
            "--body",
            "BODY is a plain word, not an option: http POST /orders {}",
        ),
        (
            "send orderQueue --body hi",
            "--body",
            "BODY is a plain word, not an option: send orderQueue hi",
        ),
        ("show --queues", "--queues", "queues is a plain word, not an option: show queues"),
        # A command without options said only that it takes none.
        (
            "invoke api --payload '{}'",
            "--payload",
            "PAYLOAD is a plain word, not an option: invoke api {}",
        ),
    ],
)
def test_an_argument_written_as_an_option_is_named_as_a_word(
    session: Session, line: str, option: str, hint: str
) -> None:
    err = refused(session, line)
    assert err.message.endswith(f"has no option {option}")
    assert err.hint == hint


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("fail api --times 2", "next is a plain word, not an option: fail api next 2"),
        ("fail api --next=2", "next is a plain word, not an option: fail api next 2"),
        ("fail api --probability 0.5", "rate is a plain word, not an option: fail api rate 0.5"),
    ],
)
def test_a_mode_written_as_an_option_gets_the_line_with_the_mode_in_its_place(
    session: Session, line: str, hint: str
) -> None:
    # `fail api --times 2`: the hint was the usage (for --times) or `fail next` (for
    # --next), the command and the word alone; the line now runs as the hint writes it.
    assert refused(session, line).hint == hint
    assert execute(session, hint.split(": ", 1)[1]).text.startswith("api overrides: fail ")


def test_every_argument_written_as_an_option_is_put_in_its_place(session: Session) -> None:
    # The usage line left the user to rebuild the line; the hint's line now runs as it is.
    err = refused(
        session,
        "publish --bus eventBus --detail-type OrderProcessed --source orders "
        "--detail '{\"a\": 1}' --resources arn:x",
    )
    assert err.hint == (
        "BUS is a plain word, not an option: publish eventBus orders OrderProcessed "
        "'{\"a\": 1}' --resources arn:x"
    )
    execute(session, err.hint.split(": ", 1)[1])
    err = refused(session, "send --queue orderQueue --body hi --group g --dedup-id d")
    assert (
        err.hint
        == "QUEUE is a plain word, not an option: send orderQueue hi --group g --dedup-id d"
    )
    execute(session, err.hint.split(": ", 1)[1])
    # A line whose words cannot be put in place keeps the usage: a value missing, given
    # twice, or a word left over.
    for line in (
        "publish eventBus --detail-type OrderProcessed",
        "send orderQueue --body a --body b",
        "send orderQueue extra --body hi",
    ):
        hint = refused(session, line).hint
        assert hint is not None and (": publish BUS" in hint or ": send QUEUE" in hint), hint


def test_a_misspelt_option_still_gets_a_did_you_mean(session: Session) -> None:
    assert refused(session, "send orderQueue x --gruop g").hint == "did you mean --group?"


def test_content_typed_after_an_upload_key_is_offered_as_content(session: Session) -> None:
    err = refused(session, "upload uploads data.zip hello --tag a=b")
    assert err.hint == (
        "the content is an option's value: upload uploads data.zip --content hello --tag a=b"
    )
    execute(session, "upload uploads data.zip --content hello --tag a=b")
    # With a size already given, the extra word cannot be content: the usage is the hint.
    err = refused(session, "upload uploads b.zip hello --size 5")
    assert err.hint is not None and err.hint.startswith("usage: upload BUCKET KEY")


@pytest.mark.parametrize(
    ("kind", "hint"),
    [
        # The closest spelling over all kinds was 'sfn.execution.failed'.
        ("function.invoked", "a function's records are invocation.*: invocation.discarded, "),
        ("function.failed", "did you mean invocation.failed?"),
        ("queue.sent", "did you mean message.sent?"),
        ("queue.purge", "did you mean queue.purged?"),
        ("message.snt", "did you mean message.sent?"),
        ("execution.failed", "did you mean sfn.execution.failed?"),
        # A family's own name with a wrong rest: its kinds, not all 150 of every family.
        ("http.answered", "the http.* kinds: http.authorization, http.request, http.response"),
        ("batch.ok", "the batch.* kinds: batch.attempt.failed, "),
        ("batch.succeed", "did you mean batch.succeeded?"),
    ],
)
def test_a_record_kind_named_after_a_resource_suggests_its_records(
    session: Session, kind: str, hint: str
) -> None:
    err = refused(session, f"expect count {kind} > 0")
    assert err.message == f"unknown trace record kind {kind!r}"
    assert err.hint is not None and err.hint.startswith(hint), err.hint


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "send notificationTopic hi",
            "'notificationTopic' is an sns-topic, not a queue",
            "queues in this stack: orderQueue; "
            "for an sns-topic: publish-sns notificationTopic MESSAGE",
        ),
        # Short of words for an event: the topic is the mistake, not the missing words.
        (
            "publish notificationTopic hi",
            "publish needs DETAIL_TYPE",
            "for an sns-topic: publish-sns notificationTopic MESSAGE",
        ),
        (
            "upload productsTable k.txt hi",
            "upload: unexpected hi",
            "for a dynamo-db-table: put-item productsTable ITEM",
        ),
        (
            "invoke orderQueue",
            "'orderQueue' is an sqs-queue, not a function",
            "functions in this stack: api; for an sqs-queue: send orderQueue BODY",
        ),
        (
            "put-item uploads '{}'",
            "'uploads' is a bucket, not a dynamo-db-table",
            "for a bucket: upload uploads KEY [--content TEXT]",
        ),
    ],
)
def test_a_stimulus_to_a_resource_of_another_kind_names_the_one_that_fits(
    session: Session, line: str, message: str, hint: str
) -> None:
    err = refused(session, line)
    assert err.message == message
    assert err.hint is not None and err.hint.endswith(hint), err.hint


def test_the_repl_offers_the_fitting_stimulus_before_enter(session: Session) -> None:
    problem = check(session, "send notificationTopic hi")
    assert problem is not None and problem.position == len("send ")
    assert problem.hint is not None
    assert problem.hint.endswith("for an sns-topic: publish-sns notificationTopic MESSAGE")


def test_a_resource_of_the_right_kind_gets_no_other_command(session: Session) -> None:
    err = refused(session, "send orderQeue hi")
    assert err.hint == "did you mean orderQueue?"


@pytest.mark.parametrize(
    ("word", "hint"),
    [
        ("+1h", "until takes an instant; to move the clock by 1h: advance 1h"),
        ("30m", "until takes an instant; to move the clock by 30m: advance 30m"),
        ("08:05", "write the date too, in UTC: until 2026-01-05T08:05:00Z"),
        # 07:05 has passed today (the clock is at 08:00): tomorrow's.
        ("07:05", "write the date too, in UTC: until 2026-01-06T07:05:00Z"),
        # The example is an instant of this session, not a fixed date that may be past.
        ("tomorrow", "e.g. until 2026-01-05T09:00:00Z"),
        # Until the stack has settled: what `run` does.
        (
            "idle",
            "until takes an instant; to run until nothing but recurring work (schedules, "
            "retention) is pending: run",
        ),
    ],
)
def test_until_with_no_instant_says_what_to_type(session: Session, word: str, hint: str) -> None:
    err = refused(session, f"until {word}")
    assert err.message == f"{word!r} is not an ISO-8601 instant"
    assert err.hint == hint


def test_until_given_a_condition_says_run_then_expect(session: Session) -> None:
    # The hint was to write an instant as one word, after the condition's `== 3`.
    line = "until function.processOrder.invocations == 3"
    err = refused(session, line)
    assert err.message == "until takes an instant, not a condition"
    assert err.hint is not None and err.hint.startswith("run moves the clock until nothing")
    assert err.hint.endswith("then `expect function.processOrder.invocations == 3` checks it")
    problem = check(session, line)
    assert problem is not None and problem.position == len("until ")


def test_until_suggests_an_instant_ahead_of_a_later_clock(tmp_path: Path) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(STACK, encoding="utf-8")
    later = Session.open(path, start_ms=parse_instant("2026-11-30T03:52:37Z"))
    assert refused(later, "until soon").hint == "e.g. until 2026-11-30T04:00:00Z"


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        (
            "delete-item productsTable p1",
            'a key of productsTable in DynamoDB JSON: \'{"id": {"S": "p1"}}\'',
        ),
        (
            "update-item productsTable p1 --update 'SET a = :a'",
            'a key of productsTable in DynamoDB JSON: \'{"id": {"S": "p1"}}\'',
        ),
        (
            "put-item productsTable p1",
            'an item of productsTable in DynamoDB JSON, with its key: \'{"id": {"S": "p1"}}\'',
        ),
        # The key as `expect item` writes it: the value is what follows `=`.
        (
            "update-item productsTable id=p1 --update 'SET a = :a'",
            'a key of productsTable in DynamoDB JSON: \'{"id": {"S": "p1"}}\'',
        ),
        (
            "delete-item auditTable version=3",
            "a key of auditTable in DynamoDB JSON: "
            '\'{"entityId": {"S": "text"}, "version": {"N": "3"}}\'',
        ),
        # Two key attributes: samples of each type, the word typed fits neither alone.
        (
            "delete-item auditTable e1",
            "a key of auditTable in DynamoDB JSON: "
            '\'{"entityId": {"S": "text"}, "version": {"N": "1"}}\'',
        ),
        # No file is read here: the sample stands in for it.
        (
            "put-item productsTable @item.json",
            'an item of productsTable in DynamoDB JSON, with its key: \'{"id": {"S": "text"}}\'',
        ),
    ],
)
def test_a_key_that_is_not_json_gets_the_tables_own_key_shape(
    session: Session, line: str, hint: str
) -> None:
    err = refused(session, line)
    assert err.hint == hint
    if "p1" in hint:
        fixed = hint.split(": ", 1)[1]
        execute(session, f"put-item productsTable {fixed}")


def test_the_hinted_key_deletes_the_item(session: Session) -> None:
    execute(session, 'put-item productsTable \'{"id": {"S": "p1"}}\'')
    hint = refused(session, "delete-item productsTable p1").hint
    assert hint is not None
    out = execute(session, f"delete-item productsTable {hint.split(': ', 1)[1]}")
    assert out.text.startswith('REMOVE item {"id":{"S":"p1"}} from productsTable')


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["graph", "STACK", "--fromat", "json"], "did you mean --format?"),
        (["repl", "STACK", "--strt=2026-01-05T08:00:00Z"], "did you mean --start?"),
        (["run", "STACK", "SCRIPT", "--keepgoing"], "did you mean --keep-going?"),
        # Other tools' flag for a format: a value of --format here.
        (["validate", "STACK", "--json"], "did you mean --format json?"),
        (["graph", "STACK", "--mermaid"], "did you mean --format mermaid?"),
        # Other tools' flags for where the output goes.
        (["init", "STACK", "--stdout"], "--out - writes it to standard output, and nothing else"),
        (["init", "STACK", "--dry-run"], "--out - writes it to standard output, and nothing else"),
        (
            ["graph", "STACK", "-o", "graph.md"],
            "stptui graph writes to standard output: send it to a file with `> FILE`",
        ),
        (
            ["validate", "STACK", "--output=report.txt"],
            "stptui validate writes to standard output: send it to a file with `> FILE`",
        ),
    ],
)
def test_a_misspelt_option_on_the_command_line_gets_a_did_you_mean(
    tmp_path: Path, args: list[str], hint: str
) -> None:
    stack = tmp_path / "stacktape.yml"
    stack.write_text(STACK, encoding="utf-8")
    script = tmp_path / "s.stp"
    script.write_text("advance 1s\n", encoding="utf-8")
    argv = [str(stack) if a == "STACK" else str(script) if a == "SCRIPT" else a for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "stptui", *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.rstrip().endswith(f"  hint: {hint}"), done.stderr


def test_an_unknown_word_that_is_no_option_gets_no_guess(tmp_path: Path) -> None:
    stack = tmp_path / "stacktape.yml"
    stack.write_text(STACK, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "stptui", "validate", str(stack), "extra"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.rstrip().endswith("error: unrecognized arguments: extra")


def test_slow_past_the_timeout_says_every_invocation_times_out(session: Session) -> None:
    # `api` has Stacktape's default timeout, 20 s.
    out = execute(session, "slow api 25s")
    assert out.text == (
        "api overrides: slow 25 s\n"
        "note: 25 s is over api's timeout of 20 s: every invocation times out (Sandbox.Timedout)"
    )
    assert execute(session, "slow api 20s").text == "api overrides: slow 20 s"
    execute(session, "invoke api")
    assert session.sim.function_stats("api")["successes"] == 1


# An HTTP stack with a function URL beside it: `http` names its entry with an option.
HTTP_STACK = """
resources:
  api:
    type: http-api-gateway
  handler:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /orders, method: GET}
  report:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: b.ts}}
      url: {enabled: true}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /report, method: GET}
"""


@pytest.mark.parametrize(
    ("line", "message", "meant"),
    [
        (
            "http GET report /daily",
            "'report' is a function with a URL, not a path",
            "http GET /daily --url report",
        ),
        (
            "http post report '{\"a\": 1}'",
            "'report' is a function with a URL, not a path",
            "http POST / '{\"a\": 1}' --url report",
        ),
        (
            "http GET api /orders",
            "'api' is an http-api-gateway, not a path",
            "http GET /orders --gateway api",
        ),
        # `GET /report` is a route: the word is that path without its slash.
        ("http GET report", "the path must start with '/', not 'report'", None),
    ],
)
def test_an_entry_named_where_the_path_goes_gets_the_option_that_names_it(
    tmp_path: Path, line: str, message: str, meant: str | None
) -> None:
    # `http GET report /daily`, as a URL is written (host, then path): the refusal was
    # "the path must start with '/'" with an example path, --url left for the user to find.
    path = tmp_path / "stacktape.yml"
    path.write_text(HTTP_STACK, encoding="utf-8")
    session = Session.open(path, start_ms=T0)
    err = refused(session, line)
    if meant is None:
        assert (err.message, err.hint) == (message, "did you mean /report?")
        return
    assert check(session, line) is not None  # refused before Enter too
    assert (err.message, err.hint) == (message, f"the path goes after the method: {meant}")
    # The line hinted reaches the entry (a function without a behaviour answers null: a
    # route's 500, a function URL's 200).
    assert execute(session, meant).text.startswith("HTTP ")


WORKER_STACK = """
resources:
  orders:
    type: sqs-queue
  processor:
    type: worker-service
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: a.ts}}
      resources: {cpu: 0.25, memory: 512}
      connectTo: [orders]
"""


def test_an_override_of_a_worker_nothing_runs_says_what_would_run_it(tmp_path: Path) -> None:
    # A worker service opened without a behaviours file polls nothing: `fail processor`
    # was accepted without a word, and the messages sent then sat in the queue.
    path = tmp_path / "stacktape.yml"
    path.write_text(WORKER_STACK, encoding="utf-8")
    session = Session.open(path, start_ms=T0)
    assert execute(session, "fail processor").text == (
        "processor overrides: fail always\n"
        "note: nothing runs processor yet: no route or rule reaches it, and its behaviour "
        "polls no queue; its code polls orders? add processor: {poll: {queue: orders}} in "
        "stptui.yml"
    )
    # With the item the note names, the override applies and is not noted.
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  processor: {poll: {queue: orders}}\n", encoding="utf-8"
    )
    polled = Session.open(path, start_ms=T0)
    assert execute(polled, "fail processor").text == "processor overrides: fail always"
    execute(polled, "send orders hi")
    execute(polled, "advance 1s")
    assert polled.sim.trace.count("container.message.failed", "processor") == 1
