"""Every command, given lines a user might mistype: each command's own examples (the lines
`help` shows, which test_commands_examples.py runs as written), with words replaced by
hostile values, dropped, repeated, or given options of other commands. Whatever the line,
the command either runs or is refused with a CommandError that says what is wrong and
what to type instead (its hint), and a refused line changes nothing (the standard: "a bad command changes nothing and suggests the
fix; no input ends in a traceback").

The mutations are drawn from a seeded generator, so a run is the same every time and a
failure names the line to paste into `stptui repl`. Hypothesis would shrink a failure, but
each line runs on the session the lines before it left (as a user's would), which its
replays of one example cannot reproduce.
"""

from __future__ import annotations

import random
import shlex
from pathlib import Path

import pytest
from example_stacks import CHAT, FEATURE_STACKS
from session_checks import state, write_stack
from test_commands_examples import (
    SETUP,
    STACK,
    opened,
    scratch,  # noqa: F401 (a fixture)
    with_ids,
)
from workcount import hang_guard

from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands.registry import FLAG, ExpectationFailed, tokenize
from stptui.sim.payloads import message_attributes

# Commands that read or write files, or replace the session: their refusals are tested
# where their files are (a fuzzed path would write into the working folder).
SKIPPED = frozenset({"save", "load", "source", "record", "reload", "undo", "redo"})
LINES_PER_COMMAND = 200
# Values a user may type where a word goes: empty, numbers at and past every limit, broken
# JSON, names that exist nowhere, markup and escapes, paths, durations and instants out of
# range, and text of other scripts.
HOSTILE = (
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e309",
    "-1e309",
    "NaN",
    "99999999999999999999999999",
    "9" * 5000,
    "{",
    '{"a":',
    "[]",
    "{}",
    "null",
    '"text"',
    '{"detail": [1, 2]}',
    "[bold]x[/bold]",
    "\x1b[31mred",
    "a\x00b",
    "\ud800",
    "../../etc/passwd",
    "/",
    "*",
    "$default",
    "--",
    "-",
    "--nope",
    "x" * 3000,
    "ｓｅｎｄ",
    "١٢٣",
    "0s",
    "-5s",
    "1ms",
    "100000d",
    "1e3d",
    "2026-13-45T99:00:00Z",
    "1970-01-01T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "now",
    "-1h",
    "k=v",
    "=",
    "a:b",
    "a=",
    ":",
    "42",
)


def mutations(name: str, rng: random.Random) -> list[str]:
    """LINES_PER_COMMAND lines made from `name`'s examples by one to three mutations each."""
    command = REGISTRY.commands[name]
    options = [o for c in REGISTRY.commands.values() for o in c.options]
    lines = []
    for _ in range(LINES_PER_COMMAND):
        words = shlex.split(rng.choice(command.examples))
        for _ in range(rng.randint(1, 3)):
            how = rng.randrange(5)
            at = rng.randrange(1, len(words)) if len(words) > 1 else None
            if how == 0 and at is not None:
                words[at] = rng.choice(HOSTILE)
            elif how == 1 and at is not None:
                del words[at]
            elif how == 2 and at is not None:
                words.insert(at, words[at])
            elif how == 3:
                option = rng.choice([*command.options, *options])
                words.append(option.name)
                if option.kind != FLAG:
                    words.append(rng.choice(HOSTILE))
            else:
                words.append(rng.choice(HOSTILE))
        lines.append(shlex.join(words))
    return lines


@pytest.mark.usefixtures("scratch")
@pytest.mark.parametrize("name", sorted(set(REGISTRY.commands) - SKIPPED))
def test_a_mistyped_line_runs_or_is_refused_changing_nothing(name: str) -> None:
    session: Session
    session, message_id = opened(FEATURE_STACKS.get(name, STACK), SETUP.get(name, []))
    rng = random.Random(f"fuzz:{name}")
    crashed = []
    with hang_guard(120):
        for line in mutations(name, rng):
            line = with_ids(line, message_id)
            before = state(session)
            try:
                execute(session, line)
            except ExpectationFailed:
                pass  # an expectation that does not hold: the command working
            except CommandError as exc:
                if state(session) != before:
                    crashed.append(f"{line!r}: refused, but changed the simulation")
                if not exc.hint:
                    crashed.append(f"{line!r}: refused without a hint: {exc.message}")
                if not placed(line, exc):
                    crashed.append(f"{line!r}: {exc.message} points outside its word")
            except Exception as exc:
                crashed.append(f"{line!r}: {type(exc).__name__}: {exc}"[:300])
    assert not crashed, "\n".join(crashed)


def placed(line: str, exc: CommandError) -> bool:
    """Whether the place an error names is in its line: the fault inside the word (or just
    past it), the word a whole word of the line that reads as the one the error names."""
    where = exc.located
    if where is None:
        return True
    if where.line != line or not 0 <= where.start <= where.point <= where.end <= len(line):
        return False
    if exc.word is None or exc.message.startswith("cannot split the line"):
        return True
    words = tokenize(line[where.start : where.end])
    return len(words) == 1 and (words[0] == exc.word or words[0].endswith(f"={exc.word}"))


def test_the_mutations_are_lines_of_every_kind() -> None:
    # The lines cover what the test means to cover: replaced, dropped and repeated words,
    # unknown and misplaced options, and they differ from the examples.
    lines = mutations("send", random.Random("fuzz:send"))
    examples = set(REGISTRY.commands["send"].examples)
    assert len(set(lines) - examples) > LINES_PER_COMMAND // 2
    assert any("--" in line and "--delay" not in line for line in lines)
    assert any(len(shlex.split(line)) < 3 for line in lines)


SAMPLES = STACK.parents[2] / "stptui" / "sample_stacks"
LONG_NAME = "x" * 5000  # past any file system's limit on a name (255 bytes on most)
# Lines the grammar-aware fuzzer found ending in a traceback (it builds lines word by word
# from what completion offers, real names mixed with hostile values, on the sample stacks
# and real ones): each now runs or is refused with a hint, changing nothing.
FOUND: dict[str, tuple[Path, str]] = {
    "a NUL in a file to load, typed as ANSI-C quoting writes it": (STACK, "load $'a\\x00b'"),
    "a NUL in a file to save": (STACK, "save 'a\x00b'"),
    "a NUL in a script to source": (STACK, "source 'a\x00b'"),
    "a NUL in a file to record to": (STACK, "record 'a\x00b'"),
    "a NUL in a file to upload": (STACK, "upload uploads k --from 'a\x00b'"),
    "a lone surrogate in a file to load": (STACK, "load '\ud800'"),
    "a lone surrogate in a file to save": (STACK, "save '\ud800'"),
    "the home folder of a user who does not exist": (STACK, "source '~nouser-fuzz/x'"),
    "a file name too long to save": (STACK, f"save {LONG_NAME}"),
    "a file name too long to record to": (STACK, f"record {LONG_NAME}"),
    "a superscript digit as a port": (
        STACK.with_name("load-balancer.yml"),
        "http GET /old --port ²",
    ),
    "a lone surrogate escaped in a batch job's payload": (
        SAMPLES / "batch-job" / "stacktape.yml",
        'start-job heavyJob \'{"a":"\\ud800"}\'',
    ),
}


@pytest.mark.usefixtures("scratch")
@pytest.mark.parametrize("name", list(FOUND))
def test_a_line_the_fuzzer_found_runs_or_is_refused_changing_nothing(name: str) -> None:
    stack, line = FOUND[name]
    session = Session.open(stack, start_ms=0)
    before = state(session)
    try:
        execute(session, line)
    except CommandError as exc:
        assert state(session) == before, "refused, but changed the simulation"
        assert exc.hint, f"refused without a hint: {exc.message}"


# Numbers in the command language are written in ASCII digits, as every count already is
# (`step １２` and `step 1_0` are refused): Python's float() and int(), and the regular
# expression \d, also read other scripts' digits and underscores, which the fuzzer found
# some readers taking (`fail worker rate 1_0%` read as 10%).
@pytest.mark.parametrize(
    "line",
    [
        "fail worker rate ０.５",
        "fail worker rate 1_0%",
        "fail worker rate ٠.٥",
        "expect queue.jobQueue.depth == ０",
        "expect queue.jobQueue.depth == ٠",
        "expect metric.worker.Errors.Average <= ０.５",
        "http GET /old --port ８０",
        "restore archive reports/2025.csv --days ２",
    ],
)
def test_a_number_in_other_digits_or_with_underscores_is_refused(line: str) -> None:
    stack = {"http": "load-balancer.yml", "restore": "restore.yml"}.get(line.split()[0])
    session = Session.open(
        STACK.with_name(stack) if stack else SAMPLES / "job-queue" / "stacktape.yml", start_ms=0
    )
    # An object archived a day ago, which `restore` takes.
    for setup in ("upload archive reports/2025.csv --size 200KB", "advance 1d") * (
        stack == "restore.yml"
    ):
        execute(session, setup)
    before = state(session)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert not isinstance(info.value, ExpectationFailed)
    assert state(session) == before
    # Refused for the number, not for anything else of the line.
    assert repr(line.split()[-1]) in info.value.message, info.value.message
    assert info.value.hint


def test_an_attribute_in_other_digits_is_sent_as_a_string() -> None:
    # `--attr n=１２` is no number as SQS's consumers read one (JavaScript's Number("１２")
    # is NaN): the value goes as the String it was typed as, `--attr n=12` as a Number.
    session = Session.open(SAMPLES / "job-queue" / "stacktape.yml", start_ms=0)
    execute(session, "send jobQueue x --attr n=１２ --attr m=12")
    (message,) = session.sim.queue("jobQueue").messages.values()
    types = {k: v["dataType"] for k, v in message_attributes(message.attrs).items()}
    assert types == {"n": "String", "m": "Number"}


# str.isdigit() is True for `²`, which int() refuses: where a handler's status code or a
# port was read by isdigit() then int(), such a digit ended in a traceback.
API = """\
resources:
  api: {type: http-api-gateway}
  fn:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, path: /x, method: GET}
"""


@pytest.mark.parametrize("status", ["²", "２００"])
def test_a_status_code_in_other_digits_is_a_malformed_response(status: str, tmp_path: Path) -> None:
    stack = write_stack(
        tmp_path, API, f"behaviors:\n  fn:\n    response: \"{{statusCode: '{status}'}}\"\n"
    )
    session = Session.open(stack, start_ms=0)
    result = execute(session, "http GET /x")
    assert result.data["status"] == 500
    assert "malformed Lambda response" in result.text


@pytest.mark.parametrize("status", ["²", "２００"])
def test_a_websocket_status_code_in_other_digits_refuses_the_connection(
    status: str, tmp_path: Path
) -> None:
    # onConnect answers with a status no gateway reads as 200: the connection is refused,
    # as for any status code that is no success.
    chat = CHAT.read_text()
    behaviors = CHAT.with_name("chat-behaviors.yml").read_text()
    behaviors = behaviors.replace(
        "\"{statusCode: queryStringParameters.room == 'closed' && `403` || `200`}\"",
        f"\"{{statusCode: '{status}'}}\"",
    )
    session = Session.open(write_stack(tmp_path, chat, behaviors), start_ms=0)
    result = execute(session, "ws-connect realtime --query token=t-1")
    assert result.data["connected"] is False, result.text
    assert result.data["status"] == 500
