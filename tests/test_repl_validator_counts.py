"""What the REPL refuses before Enter is what running the line refuses, with the same words:
counts (`step 0`, `fail worker next 0`, `show trace 0`, a schedule's index) and HTTP
methods, which the validator used to let through to a failed run. And two hints that
send the user to the right next line: an empty `send` body, and `purge` of two queues."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.commands.handlers.inspect import SHOW_WHATS
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"


@pytest.fixture
def session() -> Session:
    return Session.open(COMBINED, start_ms=parse_instant("2026-01-05T08:00:00Z"))


def refused(session: Session, line: str) -> CommandError:
    """The error running `line` gives (it must give one)."""
    with pytest.raises(CommandError) as info:
        execute(session, line)
    return info.value


@pytest.mark.parametrize(
    "line",
    [
        "step 0",
        "step -1",
        "step x",
        "fail worker next 0",
        "show trace 0",
        "fire dailyReport 0",
        "pause dailyReport 0",
        "http FOO /jobs",
        "http PSOT /jobs",
    ],
)
def test_the_validator_refuses_before_enter_what_the_run_refuses(
    session: Session, line: str
) -> None:
    problem = check(session, line, final=True)
    err = refused(session, line)
    assert problem is not None, f"{line!r} passes the validator but the run refuses it"
    assert (problem.message, problem.hint) == (err.message, err.hint)
    # The word is judged as soon as it is typed (a space after it), not only on Enter.
    typing = check(session, line + " ", final=False)
    assert typing is not None and typing.message == err.message
    # The cursor goes to the wrong word: the method, or the count that ends the line.
    bad = line.split()[1] if line.startswith("http") else line.split()[-1]
    assert line[problem.position :].split()[0] == bad


@pytest.mark.parametrize(
    "line",
    ["step 3", "fail worker next 2", "show trace 5", "fire dailyReport 1", "http get /jobs"],
)
def test_good_counts_and_methods_pass(session: Session, line: str) -> None:
    assert check(session, line, final=True) is None
    execute(session, line)


def test_a_function_named_like_a_mode_word_is_still_read_by_its_modes(tmp_path: Path) -> None:
    # `next` says the word after it is a count; a function called `next` does not.
    stack = tmp_path / "stacktape.yml"
    stack.write_text(
        "resources:\n"
        "  next:\n"
        "    type: function\n"
        "    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n",
        encoding="utf-8",
    )
    s = Session.open(stack, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    assert check(s, "fail next always") is None
    assert check(s, "fail next next 2") is None
    problem = check(s, "fail next next 0")
    assert problem is not None and problem.message.startswith("fail next next N must be")


def test_an_empty_body_gets_a_hint_that_says_sqs_refuses_it(session: Session) -> None:
    for line in ('send jobQueue ""', "send jobQueue ''"):
        err = refused(session, line)
        assert "help send" not in (err.hint or "")
        # AWS's own answer is the message; the hint says what it means and how to fix it.
        assert err.message == (
            "MissingParameter: The request must contain the parameter MessageBody."
        )
        assert err.hint == (
            "SQS refuses an empty message body; give at least one character, e.g. "
            "send jobQueue '{}'"
        )
    assert session.sim.queue_stats("jobQueue")["depth"] == 0


def test_purging_two_queues_suggests_one_purge_each(session: Session) -> None:
    execute(session, "send jobQueue a")
    execute(session, "send deadLetterQueue b")
    err = refused(session, "purge jobQueue deadLetterQueue")
    assert err.message == "purge empties one queue, not 2"
    assert err.hint == "one purge per queue: `purge jobQueue`, then `purge deadLetterQueue`"
    # Nothing was deleted, and the REPL says the same before Enter.
    assert session.sim.queue_stats("jobQueue")["depth"] == 1
    assert session.sim.queue_stats("deadLetterQueue")["depth"] == 1
    problem = check(session, "purge jobQueue deadLetterQueue")
    assert problem is not None and (problem.message, problem.hint) == (err.message, err.hint)


# After one order over the worker's limit has failed 3 times into the dead-letter queue.
COMPLETED = [
    ("expect queue.deadLetterQueue.depth", "1"),
    ("expect count message.sent jobQueue", "1"),
    ("expect count invocation.failed worker error=PaymentDeclined", "3"),
    ("expect time", "2026-01-05T08:20:00.000Z"),
]


@pytest.mark.parametrize(("line", "now"), COMPLETED, ids=[line for line, _ in COMPLETED])
def test_an_expect_without_its_comparison_gets_the_line_with_the_value_now(
    session: Session, line: str, now: str
) -> None:
    execute(session, "send jobQueue '{\"amount\": 5000}'")
    execute(session, "advance 20m")
    err = refused(session, line)
    assert err.message == "expect needs OP"
    # The value the path has now, ready to check: no usage line to puzzle over.
    offered = f"{line} == {now}"
    assert err.hint == f"add a comparison and a value, e.g. with the value now: {offered}"
    assert execute(session, offered).text.startswith("ok: ")
    # The REPL says the same before Enter (it once read `message.sent` as a misspelt OP).
    problem = check(session, line, final=True)
    assert problem is not None and (problem.message, problem.hint) == (err.message, err.hint)


def test_an_expect_path_without_its_statistic_lists_the_paths_it_may_become(
    session: Session,
) -> None:
    for line in ("expect queue.deadLetterQueue", "expect queue.deadLetterQueue == 0"):
        err = refused(session, line)
        assert err.message == "'queue.deadLetterQueue' needs a statistic after it"
        assert err.hint == (
            "one of queue.deadLetterQueue.visible, queue.deadLetterQueue.in_flight, "
            "queue.deadLetterQueue.delayed, queue.deadLetterQueue.depth"
        )
        problem = check(session, line, final=True)
        assert problem is not None and (problem.message, problem.hint) == (err.message, err.hint)


def _answer(session: Session, line: str) -> tuple[str, str | None] | None:
    """What running `line` refuses it with, or None when it runs."""
    try:
        execute(session, line)
    except CommandError as exc:
        return exc.message, exc.hint
    return None


# Every word `show` answers: the kinds it shows, and words it does not know.
SHOW_WORDS = (*SHOW_WHATS, "tabel", "queu", "everything")


@pytest.mark.parametrize("what", SHOW_WORDS)
@pytest.mark.parametrize("rest", ["", " jobQueue", " analyticsDb", " nope"])
def test_the_check_before_enter_answers_every_show_kind_as_show_does(
    session: Session, what: str, rest: str
) -> None:
    """Before, `show tables` and `show streams` got "did you mean table?" before Enter,
    though `show` answered them otherwise."""
    line = f"show {what}{rest}"
    problem = check(session, line)
    answer = _answer(session, line)
    if problem is None:
        # Only a message, execution or invocation id, which has no closed list, is left to
        # the command.
        assert answer is None or what in ("message", "execution", "event"), answer
    else:
        assert (problem.message, problem.hint) == answer


@pytest.mark.parametrize("plural", ["tables", "streams"])
def test_show_tables_and_streams_pass_the_check_before_enter(session: Session, plural: str) -> None:
    # Both are listings now: nothing to refuse, before Enter or while typing.
    assert check(session, f"show {plural}") is None
    assert check(session, f"show {plural} ", final=False) is None


@pytest.mark.parametrize(
    "line",
    [
        "log heavyJb hi",
        "show logs heavyJb",
        "log nobodyAtAll hi",
        "show logs nobodyAtAll",
        "fail nobodyAtAll always",
        "log jobQueue hi",
    ],
)
def test_a_wrong_workload_name_lists_functions_and_batch_jobs_alike(
    session: Session, line: str
) -> None:
    """`log`, `show logs` and the overrides take a function or a batch job: the did-you-mean
    finds a batch job, and the list names both kinds, before Enter as on Enter (the hint
    used to list only functions)."""
    err = refused(session, line)
    problem = check(session, line, final=True)
    assert problem is not None and (problem.message, problem.hint) == (err.message, err.hint)
    name = next(w for w in line.split() if w in ("heavyJb", "nobodyAtAll", "jobQueue"))
    if name == "heavyJb":
        assert err.message == "no function or batch job named 'heavyJb'"
        assert err.hint == "did you mean heavyJob?"
    elif name == "jobQueue":
        assert err.message == "'jobQueue' is an sqs-queue, not a function or batch job"
    else:
        assert err.message == f"no function or batch job named {name!r}"
    if name != "heavyJb":
        assert err.hint is not None
        assert err.hint.startswith("functions and batch jobs in this stack: ")
        assert "heavyJob" in err.hint and "worker" in err.hint
