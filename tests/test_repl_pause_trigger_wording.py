"""`pause W --trigger S` and `resume W --trigger S`: the REPL's check before Enter says what
the command says, message and hint, for a function's mapping source and a worker service's
queue. It used to look W up as a schedule's owner (`no function or batch job named
'wrker'`, hint `this stack has no schedules`) where the command looks it up as a mapping's
workload, and to let an INDEX after `--trigger`, or after a polling workload, through."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, check_written, execute
from stptui.repl.validator import check
from tests.simkit import EXAMPLES, START

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"


def function_session() -> Session:
    """The job-queue sample: `worker` reads `jobQueue` through an event source mapping."""
    return Session.open(SAMPLES / "job-queue", start_ms=START)


def worker_session() -> Session:
    """A worker service whose code polls `jobs` (docs/examples/worker-poll.yml)."""
    return Session.open(
        EXAMPLES / "worker-poll.yml",
        behaviors_path=EXAMPLES / "worker-poll-behaviors.yml",
        start_ms=START,
    )


def said_by_both(session: Session, line: str) -> tuple[str, str | None]:
    """The refusal of `line`, which the REPL's check and the command give alike."""
    problem = check(session, line, final=True)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert problem is not None, line
    assert (problem.message, problem.hint) == (info.value.message, info.value.hint), line
    # The cursor goes to the word the refusal names, when it names one.
    if info.value.word:
        assert line[problem.position :].startswith(info.value.word), line
    return problem.message, problem.hint


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("pause worker --trigger jobQeue", "worker has no event source mapping from jobQeue"),
        ("resume worker --trigger deadLetterQueue", "worker has no event source mapping from"),
        ("pause wrker --trigger jobQueue", "no function, batch job or container workload named"),
        ("pause jobQueue --trigger jobQueue", "jobQueue is an sqs-queue, not a function, batch"),
        ("pause api --trigger jobQueue", "api has no event source mapping (an sqs,"),
        ("pause worker --trigger jobQueue 1", "pause --trigger names a workload's event source"),
        ("resume schedule:worker:1 --trigger jobQueue", "resume --trigger names a workload's"),
    ],
)
def test_a_functions_mapping_source_is_judged_as_the_command_judges_it(
    line: str, message: str
) -> None:
    session = function_session()
    said, _ = said_by_both(session, line)
    assert said.startswith(message)
    assert session.log == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("pause resizer --trigger jbos", "resizer polls no queue named jbos"),
        ("resume resizer --trigger jobsDlq", "resizer polls no queue named jobsDlq"),
        ("pause resizr --trigger jobs", "no function, batch job or container workload named"),
        ("pause jobs --trigger jobs", "jobs is an sqs-queue, not a function, batch job or"),
        ("pause resizer 1", "resizer has no schedule: pause INDEX numbers"),
        ("resume resizer --trigger jobs 2", "resizer has no schedule: resume INDEX numbers"),
    ],
)
def test_a_worker_services_queue_is_judged_as_the_command_judges_it(
    line: str, message: str
) -> None:
    session = worker_session()
    said, hint = said_by_both(session, line)
    assert said.startswith(message)
    assert hint
    assert session.log == []


def test_lines_that_run_are_not_refused_before_enter() -> None:
    session = function_session()
    for line in ("pause worker --trigger jobQueue", "resume worker --trigger jobQueue"):
        assert check(session, line, final=True) is None
        execute(session, line)
    session = worker_session()
    for line in ("pause resizer --trigger jobs", "resume resizer", "pause resizer"):
        assert check(session, line, final=True) is None
        execute(session, line)


@pytest.mark.parametrize(
    ("opened", "line", "suggestion"),
    [
        (function_session, "pause wrker --trigger jobQueue", "worker"),
        (function_session, "resume wrker --trigger jobQueue", "worker"),
        (function_session, "pause wrker", "worker"),
        (worker_session, "pause resizr --trigger jobs", "resizer"),
        (worker_session, "resume resizr", "resizer"),
    ],
)
def test_a_misspelt_workload_gets_a_did_you_mean_in_either_form(
    opened: Callable[[], Session], line: str, suggestion: str
) -> None:
    # The function form used to suggest only a schedule's owner ("this stack has no
    # schedules"), the --trigger form nothing; the word names nothing either way, so both
    # say so alike: on Enter, while the rest of the line is typed, and ahead of a run.
    session = opened()
    said = said_by_both(session, line)
    assert said == (
        f"no function, batch job or container workload named {line.split()[1]}",
        f"did you mean {suggestion}?",
    )
    typing = check(session, line + " x" if "--trigger" not in line else line, final=False)
    assert typing is not None and (typing.message, typing.hint) == said
    ahead = check_written(session, line)
    assert ahead is not None and (ahead.message, ahead.hint) == said
    assert session.log == []


@pytest.mark.parametrize(
    ("opened", "queue", "reader"),
    [(function_session, "jobQueue", "worker"), (worker_session, "jobs", "resizer")],
)
@pytest.mark.parametrize("form", ["pause {q}", "pause {q} --trigger {q}", "resume {q} --trigger x"])
def test_a_queue_given_as_the_workload_is_refused_alike_live_on_enter_and_ahead(
    opened: Callable[[], Session], queue: str, reader: str, form: str
) -> None:
    # The live check used to say `sqs-queue 'jobs' has no schedule trigger` (a schedule's
    # owner looked up) where Enter said `no function, batch job or container workload
    # named jobs`: a queue is no workload in either form, and what reads it is the one to
    # pause.
    session = opened()
    line = form.format(q=queue)
    verb = line.split()[0]
    said = said_by_both(session, line)
    assert said == (
        f"{queue} is an sqs-queue, not a function, batch job or container workload",
        f"{reader} reads it: {verb} {reader} --trigger {queue}",
    )
    typing = check(session, f"{verb} {queue} ", final=False)
    assert typing is not None and (typing.message, typing.hint) == said
    ahead = check_written(session, line)
    assert ahead is not None and (ahead.message, ahead.hint) == said
    assert session.log == []


@pytest.mark.parametrize(
    ("opened", "line"),
    [
        (function_session, "pause wrker --trigger"),
        (function_session, "resume jobQueue --trigger"),
        (worker_session, "pause resizr --trigger"),
        (worker_session, "pause jobs --trigger"),
    ],
)
def test_a_trigger_without_its_value_is_refused_for_that_on_enter(
    opened: Callable[[], Session], line: str
) -> None:
    # Enter used to show the workload's refusal while the command said the option's: both
    # now say what the command says first, the live check the word until the line ends.
    session = opened()
    problem = check(session, line, final=True)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert info.value.message == "--trigger needs a value"
    assert problem is not None
    assert (problem.message, problem.hint) == (info.value.message, info.value.hint)
    assert problem.position == len(line)  # where its value goes
    typing = check(session, line + " ", final=False)
    assert typing is not None and typing.message.split()[0] in ("no", line.split()[1])
    assert session.log == []


@pytest.mark.parametrize(
    ("opened", "line"),
    [
        (function_session, "pause api --trigger jobQueue"),
        (function_session, "resume worker --trigger jobQeue"),
        (worker_session, "pause resizer --trigger jbos"),
    ],
)
def test_the_live_check_judges_the_workload_as_the_form_the_line_takes(
    opened: Callable[[], Session], line: str
) -> None:
    # With `--trigger` typed, the workload is a mapping's: the live check used to look it
    # up as a schedule's owner (`function 'api' has no schedule trigger`) while Enter said
    # `api has no event source mapping`.
    session = opened()
    said = said_by_both(session, line)
    typing = check(session, line + " ", final=False)
    assert typing is not None and (typing.message, typing.hint) == said
