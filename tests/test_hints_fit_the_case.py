"""Hints that say what is true of the line typed: malformed JSON that was quoted is mended,
not re-quoted; the REPL's check before Enter gives `run`'s hint; names that need quotes are
offered quoted, as they must be typed; `validate` tells a directory or FIFO from a missing
behaviours file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import stptui
from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.commands.handlers.base import UNQUOTED_JSON_HINT, broken_json_hint
from stptui.commands.registry import tokenize, typed_form
from stptui.repl.validator import check
from tests.simkit import START

SAMPLE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"
MEND = "mend the JSON at the line and column the error gives (a comma, bracket or quote?)"

# Names a command line must quote: Stacktape refuses them (`invalid-name`), stptui still
# opens the stack, so its hints must name them as they are typed.
ODD_NAMES = """\
resources:
  my worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
  sub:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
  "it's":
    type: sqs-queue
  q:
    type: sqs-queue
"""


@pytest.fixture
def session() -> Session:
    return Session.open(SAMPLE, start_ms=START)


def refusal(session: Session, line: str) -> CommandError:
    with pytest.raises(CommandError) as refused:
        execute(session, line)
    return refused.value


# -- JSON arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        # Quoted, and malformed: the quotes are there, the JSON is wrong where it says.
        ("invoke worker '{bad json'", MEND),
        ('invoke worker "{bad: 1}"', MEND),
        ("invoke worker {bad:1}", MEND),
        ("invoke worker '[1, 2'", MEND),
        # Typed bare: the line took its double quotes away.
        ('invoke worker {"a":1}', UNQUOTED_JSON_HINT),
        ("publish default orders placed '{bad json'", MEND),
        ('publish default orders placed {"a":1}', UNQUOTED_JSON_HINT),
    ],
)
def test_the_json_hint_fits_how_the_json_was_typed(session: Session, line: str, hint: str) -> None:
    seq = session.sim.trace.seq
    error = refusal(session, line)
    assert "line 1 column" in error.message
    assert error.hint == hint
    assert session.sim.trace.seq == seq


def test_start_job_reads_its_payload_the_same_way() -> None:
    combined = Path(stptui.__file__).parent / "sample_stacks" / "combined"
    session = Session.open(combined, start_ms=START)
    assert refusal(session, "start-job heavyJob '{bad json'").hint == MEND
    assert refusal(session, 'start-job heavyJob {"a":1}').hint == UNQUOTED_JSON_HINT


def test_typed_form_gives_a_word_as_the_line_wrote_it() -> None:
    line = "publish default s d '{bad json' # a comment '{x'"
    assert typed_form(line, "{bad json") == "'{bad json'"
    assert typed_form('invoke w {"a":1}', "{a:1}") == '{"a":1}'
    assert typed_form(r"send q a\ b", "a b") == r"a\ b"
    assert typed_form("send q x", "{x") is None
    # Without the line, the text alone decides, as before.
    assert broken_json_hint("{a:1}") == UNQUOTED_JSON_HINT
    assert broken_json_hint("{a:1}", "invoke w '{a:1}'") == MEND


# -- the REPL's check before Enter ---------------------------------------------------------


@pytest.mark.parametrize("line", ["ws-connect", "ws-connect x"])
def test_ws_connect_without_a_websocket_api_is_checked_as_run_refuses_it(
    session: Session, line: str
) -> None:
    error = refusal(session, line)
    problem = check(session, line, final=True)
    assert problem is not None
    assert (problem.message, problem.hint) == (error.message, error.hint)
    assert problem.hint  # `help ws-connect` for the first, the APIs (none) for the second


def test_a_value_refused_with_no_hint_of_its_own_gets_runs_help_hint(session: Session) -> None:
    line = "ws-connect"
    problem = check(session, line, final=True)
    assert problem is not None
    assert problem.hint == "`help ws-connect` shows its arguments and examples"


# -- names shown as they are typed ---------------------------------------------------------


@pytest.fixture
def odd(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(ODD_NAMES)
    return Session.open(tmp_path, start_ms=START)


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("invoke nope", "functions in this stack: 'my worker', sub"),
        ("send nope x", 'queues in this stack: "it\'s", q'),
        ("purge nope", 'queues in this stack: "it\'s", q'),
        ("fail nope next 1", "functions and batch jobs in this stack: 'my worker', sub"),
        (
            "show function",
            "this stack's functions: 'my worker', sub; e.g. show function 'my worker'",
        ),
    ],
)
def test_a_hint_names_what_needs_quotes_as_it_must_be_typed(
    odd: Session, line: str, hint: str
) -> None:
    error = refusal(odd, line)
    assert error.hint is not None and error.hint.startswith(hint)
    # Each name in the list reads back as one word, the name itself.
    listed = hint.partition(": ")[2].partition(";")[0]
    words = [tokenize(name)[0] for name in listed.split(", ")]
    assert set(words) <= {"my worker", "sub", "it's", "q"}


def test_the_name_offered_runs_as_typed(odd: Session) -> None:
    assert "my worker succeeded" in execute(odd, "invoke 'my worker'").text
    assert execute(odd, 'send "it\'s" hi').data["message_id"]


# -- validate --behaviors ------------------------------------------------------------------


def test_validate_says_a_behaviours_directory_or_fifo_is_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "fifo.yml"
    os.mkfifo(fifo)
    for target in (tmp_path, fifo):
        assert main(["validate", str(SAMPLE), "--behaviors", str(target)]) == 2
        err = capsys.readouterr().err
        assert "not found" not in err
        assert f"the behaviours file {target} is not a regular file" in err
        assert "give the YAML file itself" in err
    assert main(["validate", str(SAMPLE), "--behaviors", str(tmp_path / "nope.yml")]) == 2
    assert "behaviours file not found" in capsys.readouterr().err
