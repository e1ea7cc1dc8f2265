"""Mistakes a person makes at the prompt: arguments in the wrong order, a swapped `expect`,
a bad count or size. Each is refused, changes nothing, and the hint is the line to type."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_checks import refused

from stptui.commands import Session, execute
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture(scope="module")
def session() -> Session:
    return Session.open(COMBINED, start_ms=T0)


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("send x jobQueue", "no queue named 'x'", "QUEUE comes before BODY: send jobQueue x"),
        (
            "publish orders eventBus OrderCreated",
            "no event bus named 'orders'",
            "BUS comes before SOURCE: publish eventBus orders OrderCreated",
        ),
        (
            "invoke '{\"a\": 1}' worker",
            "no function named '{\"a\": 1}'",
            "FUNCTION comes before PAYLOAD: invoke worker '{\"a\": 1}'",
        ),
        ("upload k uploads", "no bucket named 'k'", "BUCKET comes before KEY: upload uploads k"),
        ("slow 2s worker", "slow: cannot read 'worker'", "FUNCTION comes before DURATION"),
        ("fire 1 dailyReport", "fire INDEX", "FUNCTION comes before INDEX: fire dailyReport 1"),
        # The method as typed, not upper-cased into `/JOBS`.
        (
            "http /jobs POST",
            "unknown HTTP method '/jobs'",
            "METHOD comes before PATH: http POST /jobs",
        ),
    ],
)
def test_arguments_in_the_wrong_order_get_the_line_swapped(
    session: Session, line: str, message: str, hint: str
) -> None:
    err = refused(session, line)
    assert err.message.startswith(message)
    assert err.hint is not None and err.hint.startswith(hint)


def test_no_swap_is_offered_when_none_explains_the_mistake(session: Session) -> None:
    err = refused(session, "send nosuch x")
    assert err.hint == "queues in this stack: deadLetterQueue, jobQueue, notificationQueue"


def test_the_repl_check_offers_the_same_swap_before_enter(session: Session) -> None:
    problem = check(session, "send x jobQueue")
    assert problem is not None and problem.position == len("send ")
    assert problem.hint == "QUEUE comes before BODY: send jobQueue x"


def test_a_misspelt_http_method_gets_a_did_you_mean(session: Session) -> None:
    err = refused(session, "http GTE /jobs")
    assert (err.message, err.hint) == ("unknown HTTP method 'GTE'", "did you mean GET?")


def test_an_expect_with_its_sides_swapped_gets_them_back(session: Session) -> None:
    err = refused(session, "expect 0 == queue.jobQueue.depth")
    assert err.hint == "the path goes first: expect queue.jobQueue.depth == 0"
    # The comparison turns round with the sides.
    err = refused(session, "expect 1 < function.worker.invocations")
    assert err.hint == "the path goes first: expect function.worker.invocations > 1"


@pytest.mark.parametrize("count", ["-1", "1.5", "x"])
def test_fail_next_says_what_a_count_must_be(session: Session, count: str) -> None:
    err = refused(session, f"fail worker next {count}")
    assert err.message == f"fail worker next N must be a whole number of at least 1, not {count!r}"
    assert err.hint == "write a whole number from 1 to 999,999,999"


def test_a_size_larger_than_any_object_is_called_that(session: Session) -> None:
    err = refused(session, "upload uploads k --size 99999999999999999999")
    assert err.message == (
        "--size 99999999999999999999 is more bytes than an S3 object holds "
        "(at most 5 TiB, 5,497,558,138,880 bytes, in a multipart upload)"
    )
    # Leading zeros are no size.
    assert "1 byte," in execute(session, "upload uploads k --size 00000000000000000001").text


def test_an_instant_finer_than_a_millisecond_gets_it_cut_to_one(session: Session) -> None:
    err = refused(session, "until 2026-01-05T08:00:00.123456Z")
    # Not the clock's end, which has nothing to do with it.
    assert err.hint == "write it to the millisecond: until 2026-01-05T08:00:00.123Z"


def test_explain_says_what_a_key_that_is_no_id_is() -> None:
    s = Session.open(COMBINED, start_ms=T0)
    sent = execute(s, "send jobQueue a").data["message_id"]
    execute(s, "advance 1s")
    err = refused(s, "explain jobQueue")
    assert err.message == (
        "'jobQueue' is a resource; explain follows one message, event, invocation or object"
    )
    assert err.hint == f"its latest message id: explain {sent}"
    assert refused(s, "explain uploads").hint == "nothing has happened on uploads yet"
    err = refused(s, "explain message.sent")
    assert err.message.startswith("'message.sent' is a kind of trace record")
    err = refused(s, f"explain {sent[:2]}")
    assert (
        err.message == f"{sent[:2]!r} is too short a prefix: give at least 4 characters of the id"
    )
    assert sent in (err.hint or "")
    # Four characters are enough.
    assert execute(s, f"explain {sent[:4]}").data["records"]


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        (
            "send jobQueue it's",
            "the ' at column 17 is never closed; a body that holds ' goes in double quotes: "
            'send q "it\'s"',
        ),
        (
            'send jobQueue "unterminated',
            'the " at column 15 is never closed; a body that holds " goes in single quotes: '
            "send q '{\"id\": 1}'",
        ),
        ("send jobQueue x\\", "a backslash at the end escapes nothing: write \\\\ for a backslash"),
    ],
)
def test_a_line_that_cannot_be_split_says_where(session: Session, line: str, hint: str) -> None:
    assert (refused(session, line).hint or "").startswith(hint)


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("help expect count", "write just `help expect`"),
        ("show queue jobQueue extra", "write just `show queue jobQueue`"),
        # A command with a body: the extra words may belong to it.
        ("send jobQueue hello world", "usage: send QUEUE BODY"),
    ],
)
def test_words_too_many_get_the_line_without_them(session: Session, line: str, hint: str) -> None:
    assert (refused(session, line).hint or "").startswith(hint)


CART_AUDIT = ROOT / "docs" / "examples" / "cart-audit.yml"


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        (
            """update-item carts '{"cartId": {"S": "c1"}}' 'SET qty = :q' """
            """--values '{":q": {"N": "2"}}'""",
            """update-item carts '{"cartId": {"S": "c1"}}' --update 'SET qty = :q' """
            """--values '{":q": {"N": "2"}}'""",
        ),
        (
            """put-item carts '{"cartId": {"S": "c1"}}' 'attribute_not_exists(cartId)'""",
            """put-item carts '{"cartId": {"S": "c1"}}' --condition """
            """attribute_not_exists(cartId)""",
        ),
    ],
)
def test_an_expression_given_as_an_argument_is_shown_with_its_option(line: str, hint: str) -> None:
    """An update or condition expression typed after the key, already quoted, was answered
    with "quote a body or payload that holds spaces": the hint now is the line that runs,
    the option's name put before the expression and the line's other options kept."""
    session = Session.open(CART_AUDIT, start_ms=T0)
    err = refused(session, line)
    assert err.hint == f"an expression is an option's value: {hint}"
    assert execute(session, hint).records


def test_show_table_without_a_name_names_the_stacks_tables() -> None:
    """Before, `show table` pointed to `stptui graph`, outside the session: it named no
    table."""
    err = refused(Session.open(CART_AUDIT, start_ms=T0), "show table")
    hint = "this stack's dynamo-db-tables: carts; e.g. show table carts"
    assert (err.message, err.hint) == ("show table needs a dynamo-db-table name", hint)
    assert execute(Session.open(CART_AUDIT, start_ms=T0), hint.split("e.g. ")[1]).text


def test_show_tables_lists_every_table_with_its_key_items_and_stream() -> None:
    session = Session.open(CART_AUDIT, start_ms=T0)
    before = execute(session, "show tables")
    assert before.table is not None
    headers, rows = before.table
    assert headers == ["table", "key", "items", "stream", "stream records"]
    [row] = rows
    assert row[0] == "carts" and row[2] == "0"
    [item] = before.data
    assert item["table"] == "carts" and item["items"] == 0


def test_show_streams_lists_the_streams_or_says_there_are_none(session: Session) -> None:
    assert execute(session, "show streams").text == "this stack has no kinesis-stream"
    clicks = Session.open(ROOT / "docs" / "examples" / "clickstream.yml", start_ms=T0)
    execute(clicks, 'put-record clicks \'{"page": "/"}\' --partition-key u1')
    listed = execute(clicks, "show streams")
    assert listed.table is not None
    assert listed.table[0] == ["stream", "shards", "mode", "retention", "records", "readers"]
    [row] = listed.table[1]
    assert row[0] == "clicks" and row[4] == "1"
    assert refused(clicks, "show stream").hint == (
        "this stack's kinesis-streams: clicks; e.g. show stream clicks"
    )


def test_a_duration_with_an_unknown_unit_word_is_told_to_join_a_known_one(
    session: Session,
) -> None:
    # The line without the unknown word (`advance 3`) would be refused for its missing
    # unit, so the hint does not offer it.
    err = refused(session, "advance 3 fortnights")
    assert err.hint == "write the duration and its unit as one word: 3m, 3h or 3d"
    # A unit the duration parser knows is joined on.
    assert refused(session, "advance 3 days").hint == "write the duration as one word: 3days"


def test_until_with_a_duration_is_pointed_to_an_instant(session: Session) -> None:
    err = refused(session, "until 3 weeks")
    assert err.hint == (
        "write an ISO-8601 instant as one word, e.g. 2026-01-05T09:00:00Z "
        "(advance 3d moves the clock by a duration)"
    )


def test_a_backslash_ending_a_line_is_not_taken_for_a_shells_line_continuation(
    session: Session,
) -> None:
    # A script line split as in a shell (`\` at its end) ran as the line break as a word:
    # `send: unexpected $'\n'`, with the usage as the only hint.
    err = refused(session, "send jobQueue x \\\n  --delay 5s")
    assert err.message == "send: unexpected $'\\n'"
    assert err.hint == (
        "a backslash before a line break makes the line break a character, not a line "
        "continuation: write the command on one line (only an open quote or bracket carries "
        "it on)"
    )


def test_explain_of_a_dead_letter_queue_names_a_message_it_holds() -> None:
    # Its messages arrive by the source queue's `message.dead_lettered` (resource: the
    # source queue, target: the dead-letter queue): the hint said nothing had happened on it.
    s = Session.open(COMBINED, start_ms=T0)
    execute(s, "fail worker")
    sent = execute(s, "send jobQueue a").data["message_id"]
    execute(s, "advance 30m")
    err = refused(s, "explain deadLetterQueue")
    assert err.hint == f"its latest message id: explain {sent}"


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        (
            "expect queue.deadLetterQueue.ApproximateNumberOfMessagesVisible == 0",
            "did you mean queue.deadLetterQueue.visible? (SQS's "
            "ApproximateNumberOfMessagesVisible)",
        ),
        (
            "expect queue.jobQueue.ApproximateNumberOfMessages == 0",
            "did you mean queue.jobQueue.visible? (SQS's ApproximateNumberOfMessages)",
        ),
        (
            "expect queue.jobQueue.ApproximateNumberOfMessagesNotVisible == 0",
            "did you mean queue.jobQueue.in_flight?",
        ),
        ("expect function.worker.Errors == 0", "did you mean function.worker.failures?"),
    ],
)
def test_an_aws_name_for_a_figure_gets_the_figure_it_is(
    session: Session, line: str, hint: str
) -> None:
    # An on-call engineer types the attribute or metric name the AWS console shows.
    err = refused(session, line)
    assert err.hint is not None and err.hint.startswith(hint)


URL = "https://sqs.us-east-1.amazonaws.com/123456789012/background-jobs-demo-dev-jobQueue"


@pytest.mark.parametrize(
    ("line", "word", "name"),
    [
        (
            "send background-jobs-demo-dev-jobQueue hi",
            "background-jobs-demo-dev-jobQueue",
            "jobQueue",
        ),
        (
            "redrive arn:aws:sqs:us-east-1:123456789012:background-jobs-demo-dev-deadLetterQueue",
            "arn:aws:sqs:us-east-1:123456789012:background-jobs-demo-dev-deadLetterQueue",
            "deadLetterQueue",
        ),
        (f"show queue {URL}", URL, "jobQueue"),
        (
            "show logs /aws/lambda/background-jobs-demo-dev-worker",
            "/aws/lambda/background-jobs-demo-dev-worker",
            "worker",
        ),
        ("fail background-jobs-demo-dev-worker", "background-jobs-demo-dev-worker", "worker"),
    ],
)
def test_an_aws_name_of_a_resource_gets_the_stacks_name(
    session: Session, line: str, word: str, name: str
) -> None:
    # What an on-call pastes from the AWS console, an alarm or a log: the physical name,
    # ARN, queue URL or log group. Commands take the stack's names; the hint gives it.
    what = "the log group of" if word.startswith("/aws/") else "AWS's name for"
    hint = f"{word} is {what} {name}; commands take the stack's names: {name}"
    err = refused(session, line)
    assert err.hint == hint
    problem = check(session, line)
    assert problem is not None and problem.hint == hint


def test_explain_given_a_command_says_to_run_it_and_explain_its_id(session: Session) -> None:
    # The hint was `write just \`explain http\``, which then found nothing in the trace.
    err = refused(session, "explain http POST /jobs")
    assert err.message == "explain takes the id a command printed, not the command"
    assert err.hint == "run `http POST /jobs` first, then `explain $last` (the id it printed)"
    problem = check(session, "explain send jobQueue hi")
    assert problem is not None and problem.position == len("explain ")


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("expect response.status == 200", "did you mean response status? "),
        ("expect response.body.orderId == 7", "did you mean response body.orderId? "),
        ("expect response.header.etag == x", "did you mean response header etag? "),
        ("expect object.uploads.a.csv == 1", "object takes words, not dots: object BUCKET KEY"),
    ],
)
def test_a_path_of_words_written_with_dots_gets_its_words(
    session: Session, line: str, hint: str
) -> None:
    # Written as the resource paths are (`queue.q.depth`); the hint listed every path.
    err = refused(session, line)
    assert err.message.startswith("unknown path ")
    assert err.hint is not None and err.hint.startswith(hint), err.hint


def test_show_invocation_points_at_show_event_explain_and_the_functions_view(
    session: Session,
) -> None:
    err = refused(session, "show invocation 3f2a9c1e")
    assert err.hint is not None and err.hint.startswith(
        "show event ID shows the event an invocation received; explain ID follows it; show"
    )
    assert " lists its latest" in err.hint
    # A view word before a resource's name is placed at the word, as a lone one is (a
    # script's error said `s.stp:2:` with no column).
    err = refused(session, "show workload worker")
    assert err.located is not None and err.located.start == len("show ")
