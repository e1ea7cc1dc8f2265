"""Hints that say what is true of the line typed: malformed JSON that was quoted is mended,
not re-quoted; the REPL's check before Enter gives `run`'s hint; names that need quotes are
offered quoted, as they must be typed; `validate` tells a directory or FIFO from a missing
behaviours file."""

from __future__ import annotations

import os
import re
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


def test_graph_says_a_behaviours_directory_is_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It used to draw the graph without a single poll edge, saying nothing.
    assert main(["graph", str(SAMPLE), "--behaviors", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert f"stptui graph: error: the behaviours file {tmp_path} is not a regular file" in (
        captured.err
    )
    assert captured.out == ""
    assert main(["graph", str(SAMPLE), "--behaviors", str(tmp_path / "nope.yml")]) == 2
    assert "behaviours file not found" in capsys.readouterr().err
    # The file itself still draws.
    behaviors = SAMPLE / "stptui.yml"
    assert main(["graph", str(SAMPLE), "--behaviors", str(behaviors)]) == 0


# -- command lines inside hints ------------------------------------------------------------

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
# Names a command line must quote, of every kind a hint writes a command line with.
QUOTED_NAMES = f"""\
resources:
  my q:
    type: sqs-queue
    properties: {{fifoEnabled: true}}
  my dlq:
    type: sqs-queue
  src one:
    type: sqs-queue
    properties: {{redrivePolicy: {{targetSqsQueueName: my dlq, maxReceiveCount: 3}}}}
  two dlq:
    type: sqs-queue
  src two:
    type: sqs-queue
    properties: {{redrivePolicy: {{targetSqsQueueName: two dlq, maxReceiveCount: 3}}}}
  src three:
    type: sqs-queue
    properties: {{redrivePolicy: {{targetSqsQueueName: two dlq, maxReceiveCount: 3}}}}
  my worker:
    type: function
    properties:
      {PKG}
  my topic:
    type: sns-topic
    properties: {{fifoEnabled: true}}
  my pool:
    type: user-auth-pool
    properties: {{allowEmailAsUserName: false, allowPhoneNumberAsUserName: false}}
  my bucket:
    type: bucket
    properties: {{versioning: true}}
  my bus:
    type: event-bus
    properties: {{archivation: {{enabled: true}}}}
  my job:
    type: batch-job
    properties:
      container:
        packaging: {{type: prebuilt-image, properties: {{image: x}}}}
      resources: {{cpu: 1, memory: 512}}
  my ws:
    type: websocket-api-gateway
  "back\\\\slash q":
    type: sqs-queue
  my table:
    type: dynamo-db-table
    properties: {{primaryKey: {{partitionKey: {{name: id, type: string}}}}}}
"""
SIGNED_UP = """sign-up 'my pool' "it's" --password 'Str0ng-enough!'"""


@pytest.fixture
def quoted_names(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(QUOTED_NAMES)
    return Session.open(tmp_path, start_ms=START)


def reads_back(text: str, words: list[str]) -> bool:
    """True when some stretch of `text` that starts with the command's name splits, by the
    command line's own tokeniser, into exactly `words`."""
    start = text.find(words[0] + " ")
    while start != -1:
        for end in range(start + len(words[0]) + 1, len(text) + 1):
            try:
                if tokenize(text[start:end]) == words:
                    return True
            except CommandError:
                continue
        start = text.find(words[0] + " ", start + 1)
    return False


@pytest.mark.parametrize(
    ("setup", "line", "words"),
    [
        ((), "send 'my q' hi", ["send", "my q", "BODY", "--group", "GROUP", "--dedup-id", "ID"]),
        (
            (),
            "send 'my q' hi --group \"g'1\"",
            ["send", "my q", "BODY", "--group", "g'1", "--dedup-id", "ID"],
        ),
        ((), "send 'my dlq' ''", ["send", "my dlq", "{}"]),
        ((), "put-record 'my table' x", ["show", "table", "my table"]),
        # Its own dead-letter queue is the one meant.
        ((), "redrive 'src one'", ["redrive", "my dlq"]),
        (
            ("send 'two dlq' by-hand",),
            "redrive 'two dlq'",
            ["redrive", "two dlq", "--to", "src two"],
        ),
        ((), "redrive 'my dlq' --to 'my dlq'", ["redrive", "my dlq", "--to", "QUEUE"]),
        ((), "invoke 'my worker' hello", ["invoke", "my worker", '"hello"']),
        ((), "start-job 'my job' hello", ["start-job", "my job", '"hello"']),
        ((), "fail 'my worker' next x", ["fail", "my worker", "next", "N"]),
        ((), "fail 'my worker' next 1 2", ["fail", "my worker", "next", "1"]),
        ((), "fail 'my worker' rate", ["fail", "my worker", "rate", "0.3"]),
        ((), "fail 'my worker' when", ["fail", "my worker", "when", "body.amount > `1000`"]),
        (
            (),
            "fail 'my worker' bogus",
            ["fail", "my worker", "[always", "|", "next", "N", "|", "rate", "P", "|", "when"],
        ),
        ((), "fail 'my worker' always x", ["fail", "my worker", "always"]),
        # The condition as typed starts after the name, however many spaces the name holds.
        ((), "fail 'my worker' when body.x == 'a'", ["fail", "my worker", "when", "body.x == 'a'"]),
        ((), "publish-sns 'my topic' hi", ["publish-sns", "my topic", "MESSAGE", "--group", "G"]),
        (
            (),
            "publish-sns 'my topic' hi --group \"g'1\"",
            ["publish-sns", "my topic", "MESSAGE", "--group", "g'1", "--dedup-id", "ID"],
        ),
        ((), "sign-in 'my pool' \"it's\"", ["sign-up", "my pool", "it's"]),
        ((), "forgot-password 'my pool' \"it's\"", ["sign-up", "my pool", "it's"]),
        ((SIGNED_UP,), "sign-in 'my pool' \"it's\"", ["confirm-sign-up", "my pool", "it's"]),
        (
            (SIGNED_UP,),
            "sign-in 'my pool' \"it's\" --refresh --custom",
            ["sign-in", "my pool", "it's", "--custom"],
        ),
        (
            (SIGNED_UP,),
            "sign-in 'my pool' \"it's\" --refresh --password x",
            ["sign-in", "my pool", "it's", "--refresh"],
        ),
        (
            (SIGNED_UP, "confirm-sign-up 'my pool' \"it's\""),
            "sign-in 'my pool' \"it's\" --refresh",
            ["sign-in", "my pool", "it's"],
        ),
        (
            (SIGNED_UP, "confirm-sign-up 'my pool' \"it's\""),
            "global-sign-out 'my pool' \"it's\"",
            ["sign-in", "my pool", "it's"],
        ),
        (
            (SIGNED_UP, "confirm-sign-up 'my pool' \"it's\""),
            "answer-challenge 'my pool' \"it's\" 42",
            ["sign-in", "my pool", "it's", "--custom"],
        ),
        (
            (SIGNED_UP,),
            "confirm-forgot-password 'my pool' \"it's\" 'N3w-passw0rd!'",
            ["forgot-password", "my pool", "it's"],
        ),
        (
            (SIGNED_UP, "confirm-sign-up 'my pool' \"it's\""),
            "admin-remove-user-from-group 'my pool' \"it's\" \"g'1\"",
            ["admin-add-user-to-group", "my pool", "USER", "g'1"],
        ),
        ((), "restore 'my bucket' nokey", ["show", "bucket", "my bucket"]),
        (
            ("upload 'my bucket' k",),
            "restore 'my bucket' k --version-id nope",
            ["show", "bucket", "my bucket"],
        ),
        ((), "replay 'my bus'", ["replay", "my bus", "--from", "-1h", "--to", "now"]),
        ((), "show metrics 'my worker' --period 0ms", ["show", "metrics", "my worker"]),
        ((), "http GET / --gateway 'my ws'", ["ws-connect", "my ws"]),
        ((), "show function 'my job'", ["show", "logs", "my job"]),
    ],
)
def test_a_command_line_in_a_hint_reads_back_as_the_words_it_names(
    quoted_names: Session, setup: tuple[str, ...], line: str, words: list[str]
) -> None:
    for before in setup:
        execute(quoted_names, before)
    try:
        # Cognito's refusals are answers the command prints, not errors.
        text = execute(quoted_names, line).text
    except CommandError as error:
        text = error.format()
    assert reads_back(text, words), text


@pytest.mark.parametrize(
    ("setup", "line", "meant"),
    [
        ((), "send 'my qq' hi", "my q"),
        ((), "invoke 'my workr'", "my worker"),
        ((), "fail 'my workr' next 1", "my worker"),
        ((), "publish-sns 'my topc' hi", "my topic"),
        ((), "sign-up 'my pol' ann", "my pool"),
        ((), "upload 'my buckt' k", "my bucket"),
        ((), "start-job 'my jb'", "my job"),
        (("upload 'my bucket' 'my key'",), "explain 'my kye'", "my key"),
        ((), "sned q x", "send"),
        # repr wrote its backslash twice, which single quotes keep: the line read two.
        ((), r"purge 'back\slsh q'", "back\\slash q"),
    ],
)
def test_did_you_mean_names_the_word_as_the_line_types_it(
    quoted_names: Session, setup: tuple[str, ...], line: str, meant: str
) -> None:
    # It was Python's repr ('my q', and "it's" for a name with a quote), which a line
    # does not always read back as the name.
    for before in setup:
        execute(quoted_names, before)
    hint = refusal(quoted_names, line).hint or ""
    found = re.search(r"did you mean (.+?)\?(?: |$)", hint)
    assert found is not None, hint
    assert tokenize(found.group(1)) == [meant]
    assert found.group(1) == (meant if " " not in meant else f"'{meant}'")  # no backslash doubled


def test_the_starter_files_run_it_line_names_the_workload_as_it_is_typed(
    quoted_names: Session,
) -> None:
    from stptui.starter import starter_file

    text = starter_file(quoted_names.stack).text
    assert reads_back(text, ["invoke", "my worker", "{}"]), text
    assert reads_back(text, ["start-job", "my job"]), text
