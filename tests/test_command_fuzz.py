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

import pytest
from example_stacks import FEATURE_STACKS
from session_checks import state
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
