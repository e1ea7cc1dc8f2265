"""Commands given what a hostile user types: numbers too long for int(), operators glued to
their path, instants split by a space, broken JSON that kept its quotes, empty file names, a
case slip in a batch job's name, a count on a resource its kind never happens on. Each gets
one CommandError with a hint that says what to do, and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_checks import refused as refused_unchanged

import stptui
from stptui.commands import CommandError, Session, execute
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
COMBINED = Path(stptui.__file__).parent / "sample_stacks" / "combined"
# Python's int() and Fraction() refuse more than 4,300 digits with a ValueError.
HUGE = "9" * 5000


@pytest.fixture
def session() -> Session:
    """The combined stack with one message sent; each test gets it fresh."""
    s = Session.open(COMBINED, start_ms=T0)
    execute(s, "send jobQueue '{\"orderId\": 1}'")
    return s


def refused(session: Session, line: str) -> CommandError:
    """The error `line` raises, one line with a hint; it changed nothing."""
    err = refused_unchanged(session, line)
    assert err.hint, f"{line!r} gives no hint"
    assert "\n" not in err.message
    return err


@pytest.mark.parametrize(
    "line",
    [
        f"advance {HUGE}s",
        f"send jobQueue x --delay {HUGE}ms",
        f"slow worker {HUGE}s",
        f"run --max {HUGE}m",
        f"fail worker next {HUGE}",
        f"step {HUGE}",
        f"show trace {HUGE}",
        f"fire dailyReport {HUGE}",
        f"send jobQueue x --attr n={HUGE}",
        f"expect queue.jobQueue.depth == {HUGE}",
    ],
    ids=lambda line: line.split()[0] + " " + line.split()[-1][:12],
)
def test_a_number_too_long_for_int_is_refused_not_a_crash(session: Session, line: str) -> None:
    err = refused(session, line)
    assert len(err.message) < 200  # the 5,000 digits are not echoed back


def test_the_repl_checks_a_too_long_duration_as_it_is_typed(session: Session) -> None:
    problem = check(session, f"advance {HUGE}s", final=True)
    assert problem is not None
    assert "more than 100 digits" in problem.message


@pytest.mark.parametrize(
    ("line", "what"),
    [("step 1000000000", "step N"), ("show trace 1000000000", "show trace N")],
)
def test_a_count_of_ten_digits_is_called_too_large(session: Session, line: str, what: str) -> None:
    err = refused(session, line)
    assert err.message == f"{what} must be at most 999,999,999, not 1000000000"
    assert err.hint == "write a whole number from 1 to 999,999,999"


def test_a_comparison_too_large_to_hold_is_not_called_a_non_number(session: Session) -> None:
    err = refused(session, "expect queue.jobQueue.depth == 10000000000000000")
    assert "too large" in err.message
    assert "is a whole number; cannot compare" not in err.message
    assert err.hint == "e.g. expect queue.jobQueue.depth == 0"


@pytest.mark.parametrize(
    ("line", "spaced"),
    [
        ("expect queue.jobQueue.depth==1", "expect queue.jobQueue.depth == 1"),
        ("expect queue.jobQueue.depth>=1", "expect queue.jobQueue.depth >= 1"),
        ("expect count message.sent ==1", "expect count message.sent == 1"),
        ("expect count message.sent jobQueue!=0", "expect count message.sent jobQueue != 0"),
        ("expect time>=2026-01-05T08:00:00Z", "expect time >= 2026-01-05T08:00:00Z"),
    ],
)
def test_an_operator_glued_to_its_path_gets_the_line_with_spaces(
    session: Session, line: str, spaced: str
) -> None:
    err = refused(session, line)
    assert err.message == "expect needs OP"
    assert err.hint == f"put spaces around the comparison: {spaced}"
    execute(session, spaced)  # the suggestion runs


@pytest.mark.parametrize(
    "line",
    [
        "invoke worker '{\"orderId\": 1'",
        'start-job heavyJob \'{"date": "2026-01-05",}\'',
        "publish eventBus orders OrderCreated '{\"orderId\": 1'",
    ],
)
def test_broken_json_that_kept_its_quotes_is_not_told_to_quote_them(
    session: Session, line: str
) -> None:
    err = refused(session, line)
    assert err.hint is not None and "single quotes" not in err.hint
    assert "line 1 column" in err.message  # where the JSON breaks


def test_a_publish_detail_that_lost_its_quotes_still_gets_the_quoting_hint(
    session: Session,
) -> None:
    err = refused(session, 'publish eventBus orders OrderCreated {"orderId":1}')
    assert err.hint is not None and "single quotes" in err.hint


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            'publish orderEvents orders OrderCreated {"orderId":1}',
            "no event bus named 'orderEvents'",
            "did you mean eventBus?",
        ),
        (
            "publish eventBus '' OrderCreated '{bad'",
            "PutEvents put nothing: its entry failed (FailedEntryCount 1) with InvalidArgument: "
            "Parameter Source is not valid. Reason: Source is a required argument.",
            "`help publish` shows its arguments and examples",
        ),
    ],
)
def test_a_publish_refused_before_its_detail_is_read_says_why_alone(
    session: Session, line: str, message: str, hint: str
) -> None:
    # The bus or the source is wrong: that is the refusal, with its own hint, not the
    # detail's JSON error added to it (the detail is never read).
    err = refused(session, line)
    assert err.message == message
    assert err.hint == hint


@pytest.mark.parametrize(
    ("line", "suggestion"),
    [("fail heavyjob", "heavyJob"), ("slow heavyjob 2s", "heavyJob"), ("succeed Worker", "worker")],
)
def test_a_misspelt_workload_is_matched_against_batch_jobs_too(
    session: Session, line: str, suggestion: str
) -> None:
    err = refused(session, line)
    assert err.message.startswith("no function or batch job named")
    assert err.hint == f"did you mean {suggestion}?"


def test_a_resource_of_another_kind_is_named_with_its_kind(session: Session) -> None:
    err = refused(session, "fail jobQueue")
    assert err.message == "'jobQueue' is an sqs-queue, not a function or batch job"
    assert err.hint is not None and "heavyJob" in err.hint and "worker" in err.hint


@pytest.mark.parametrize("verb", ["save", "load", "source", "record"])
def test_an_empty_file_name_names_no_file(session: Session, verb: str) -> None:
    err = refused(session, f"{verb} ''")
    assert err.message == f"{verb} needs a file name, not an empty one"
    assert err.hint is not None and err.hint.startswith(f"e.g. {verb} ")


def test_show_message_without_an_id_says_where_ids_are(session: Session) -> None:
    err = refused(session, "show message")
    assert err.message == "show message needs a message id"
    assert err.hint == "`show queue QUEUE` lists its messages' ids"


def test_a_body_that_starts_with_two_dashes_is_told_how_to_pass(session: Session) -> None:
    err = refused(session, "send jobQueue --verbose")
    assert err.hint is not None and "goes after --" in err.hint
    execute(session, "send jobQueue -- --verbose")


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        # AWS's own refusals, which name no fix: the command's help is the place to look.
        ("send jobQueue x --delay 16m", "SQS delays a message at most 15m"),
        ("publish eventBus '' OrderCreated", "`help publish` shows its arguments and examples"),
        ("upload uploads ''", "`help upload` shows its arguments and examples"),
        ("fail worker next", "write a whole number from 1 to 999,999,999"),
        # Refusals of the command layer's own say what to do instead.
        ("redrive deadLetterQueue --to deadLetterQueue", "name another queue: redrive "),
        ("send jobQueue x --attr k=", "e.g. --attr k=1"),
        ("send jobQueue x --attr k=1 --attr k=2", "give each attribute once"),
        ("show queues jobQueue", "`show queue jobQueue` shows one; `show queues` lists them"),
        ("show agenda jobQueue", "write just `show agenda`"),
        ("fail worker next x", "write a whole number from 1 to 999,999,999"),
        ("fail worker next -1", "write a whole number from 1 to 999,999,999"),
        ("upload uploads k --size 1 --content a", "keep the one that says"),
    ],
)
def test_every_refusal_says_what_to_do(session: Session, line: str, hint: str) -> None:
    err = refused(session, line)
    assert err.hint is not None and err.hint.startswith(hint)


def test_a_failed_expect_shows_expected_and_actual_and_what_to_explain(
    session: Session,
) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "expect queue.jobQueue.depth == 5")
    assert info.value.message == "expected queue.jobQueue.depth == 5, actual 1"
    # No usage hint: the line was right; the message in the queue is the next step.
    assert info.value.hint is not None and info.value.hint.startswith("explain ")


def test_a_count_on_a_resource_its_kind_never_happens_on_names_where_it_does(
    session: Session,
) -> None:
    execute(session, "advance 1s")  # the worker receives the message
    with pytest.raises(CommandError) as info:
        execute(session, "expect count message.received worker == 1")
    assert info.value.message == "expected count message.received worker == 1, actual 0"
    assert info.value.hint == "message.received records so far are on jobQueue, not on worker"


@pytest.mark.parametrize(
    ("line", "instant"),
    [
        ("until 2026-01-05 09:00", "2026-01-05T09:00"),
        ("until 2026-01-05 09:00:00Z", "2026-01-05T09:00:00Z"),
        ("expect time == 2026-01-05 08:00", "2026-01-05T08:00"),
    ],
)
def test_an_instant_written_with_a_space_gets_it_as_one_word(
    session: Session, line: str, instant: str
) -> None:
    err = refused(session, line)
    assert err.hint == f"write the instant as one word: {instant}"
