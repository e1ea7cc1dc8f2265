"""What every command module shares: the registry, the `command` decorator and the argument
readers. The commands themselves are declared once in `REGISTRY`, one module per topic.

Every handler follows the same discipline (design rule 2): read and validate every argument
first (names, durations, numbers, JSON) and raise CommandError on the first problem; only
then call the Simulator. So a command either applies fully or changes nothing. Handlers never
print: they return a CommandResult.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from stptui import jsontext
from stptui.commands.registry import (
    FILE,
    Arg,
    Call,
    Command,
    CommandError,
    Option,
    Registry,
    typed_form,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim import trace as tk
from stptui.sim.behavior import BehaviorError, Override, format_duration, parse_duration
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.payloads import NUMBER_ATTRIBUTE_RULE, NumberText, number_attribute_fault
from stptui.sim.services.function import FunctionSim
from stptui.sim.services.queue import QueueSim
from stptui.textsafe import json_text, quoted, shown

REGISTRY = Registry()

DEFAULT_RUN_MAX = "1d"
DEFAULT_TRACE_ROWS = 20
MAX_SHOWN_MESSAGES = 100
BODY_PREVIEW = 60
MAX_ATTRIBUTES = 10  # SQS allows at most 10 message attributes

# Every record kind the trace module defines: `expect count KIND` checks against these.
TRACE_KINDS: tuple[str, ...] = tuple(
    sorted(
        v
        for k, v in vars(tk).items()
        if k.isupper() and isinstance(v, str) and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v)
    )
)


def command(
    name: str,
    topic: str,
    summary: str,
    *,
    args: tuple[Arg, ...] = (),
    options: tuple[Option, ...] = (),
    examples: tuple[str, ...] = (),
    changes_state: bool = False,
    usage: str | None = None,
    details: str = "",
    check_words: Callable[[list[str]], None] | None = None,
    check_call: Callable[[Any, Call], None] | None = None,
    body_file: str | None = None,
) -> Callable[[Callable[[Session, Call], CommandResult]], Callable[[Session, Call], CommandResult]]:
    """Declare a command in REGISTRY with the decorated function as its handler. With
    `body_file`, the name of its body argument, the command also takes `--from PATH`: that
    argument read from a file when the command runs (`read_body_file`)."""
    if body_file is not None:
        arg = next(a for a in args if a.name == body_file)
        options = (
            *options,
            Option(
                "--from",
                FILE,
                f"read {arg.name} from this file: its text as it is, instead of typing it",
                "PATH",
            ),
        )

    def register(
        fn: Callable[[Session, Call], CommandResult],
    ) -> Callable[[Session, Call], CommandResult]:
        REGISTRY.add(
            Command(
                name,
                topic,
                summary,
                fn,
                args,
                options,
                examples,
                changes_state,
                usage,
                details,
                check_words,
                check_call,
                None if body_file is None else body_file.lower().replace("-", "_"),
            )
        )
        return fn

    return register


# -- shared argument readers (raise CommandError, change nothing) ----------------------------


def local_path(text: str) -> Path:
    """A file name a command takes, with a leading `~` or `~user` read as that home folder,
    as a shell reads it (the REPL's and the TUI's completion offer such paths). Raises
    CommandError for a name no file can have: one holding a NUL (`$'a\\x00b'`) or a lone
    surrogate (pasted text), or the home folder of a user the system does not know."""
    hint = "type the file's name as the folder lists it"
    if "\x00" in text:
        raise CommandError(f"'{shown(text)}' holds a NUL character, which no file name can", hint)
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        raise CommandError(
            f"'{shown(text)}' is not a file name this system can write", hint
        ) from None
    try:
        return Path(text).expanduser()
    except RuntimeError:
        user = text[1:].split("/", 1)[0]
        raise CommandError(
            f"no home folder for ~{shown(user)}: no such user",
            "give the path without ~user, or the name of a user of this system",
        ) from None


# The most `--from PATH` reads for a body: more than any command takes (an HTTP API's
# 10 MB payload is the largest), so that a file too large for its command is refused in
# that command's own words (SQS's for a message), as the same text typed would be.
MAX_BODY_FILE = 16 * 1024 * 1024
_BODY_FILE_HINT = "give the path of a text file you can read (relative to where stptui runs)"


def read_body_file(text: str) -> str:
    """The text of the file `--from PATH` names for a command's body, read now, or the
    CommandError that says why not: a file that is missing, unreadable, not a regular file
    (a FIFO would block), larger than MAX_BODY_FILE, or binary (not UTF-8, or holding NUL
    characters). The text is the file's as it is, but for a UTF-8 byte-order mark: a final
    line break is kept, as the AWS CLI's `file://` keeps it."""
    path = local_path(text)
    named = f"--from {quoted(text)}"
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise CommandError(f"{named}: {what}", _BODY_FILE_HINT, word=text)
        with path.open("rb") as f:
            raw = f.read(MAX_BODY_FILE + 1)
    except OSError as exc:
        raise CommandError(
            f"{named}: cannot read it: {exc.strerror or exc}", _BODY_FILE_HINT, word=text
        ) from None
    if len(raw) > MAX_BODY_FILE:
        raise CommandError(
            f"{named}: more than {MAX_BODY_FILE:,} bytes, more than any command takes as a body",
            "send a reference (an S3 key, an id) instead of the data itself",
            word=text,
        )
    binary = "a body from a file is its text; upload BUCKET KEY --from PATH puts bytes in a bucket"
    try:
        # A byte-order mark (Windows editors save one) is no part of the text, as a script's
        # is not: the AWS CLI keeps it, and then calls the JSON after it invalid.
        body = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{named}: not UTF-8 text (byte {exc.start:,} is {raw[exc.start]:#04x}): a binary "
            "file?",
            binary,
            word=text,
        ) from None
    if "\x00" in body:
        raise CommandError(
            f"{named}: holds a NUL character (byte {raw.index(0):,}): a binary file?",
            binary,
            word=text,
        )
    return body


def queue_named(sim: Simulator, name: str) -> QueueSim:
    """The stack's queue `name`, or a CommandError with the simulator's did-you-mean."""
    try:
        return sim.queue(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def function_named(sim: Simulator, name: str) -> FunctionSim:
    """The stack's function `name`, or a CommandError with the simulator's did-you-mean."""
    try:
        return sim.function(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def read_duration(text: str, what: str) -> int:
    """A duration text (`250ms`, `2h30m`) in milliseconds, or a CommandError that names
    `what` it was given for."""
    try:
        return parse_duration(text)
    except BehaviorError as exc:
        raise CommandError(f"{what}: {exc}", exc.hint, word=text) from None


# Python refuses to read an int of more digits than this (sys.get_int_max_str_digits()).
_INT_DIGITS = 4300
# The largest count a command takes (`step N`, `show trace N`, a schedule's index).
MAX_WHOLE = 999_999_999


def step_lines(events: int) -> list[str]:
    """The `step N` lines that replay `events` events: one per MAX_WHOLE of them, so that a
    run of more events than one `step` takes still records lines that `step` accepts."""
    lines = [f"step {MAX_WHOLE}"] * (events // MAX_WHOLE)
    if events % MAX_WHOLE:
        lines.append(f"step {events % MAX_WHOLE}")
    return lines


def due_now_note(sim: Simulator) -> str | None:
    """What a view of the work a command set off adds while that work waits at this very
    instant (`send q x` then `explain $last`: the poll it set off has not run): a command
    only schedules it and no command but one that runs the clock runs it. None when
    nothing is due now."""
    due = sim.clock.due_now()
    if not due:
        return None
    events, them = ("1 event is", "it") if due == 1 else (f"{due:,} events are", "them")
    return (
        f"{events} due at this instant, not run yet: a command only schedules the work it "
        f"sets off, `advance 0` runs {them}"
    )


def whole_number(text: str, what: str, *, minimum: int = 1, maximum: int = MAX_WHOLE) -> int:
    """`text` as a count from `minimum` to `maximum` (at most MAX_WHOLE), or a CommandError
    that says which bound it misses (a count of ten digits is a whole number, just too
    large)."""
    hint = f"write a whole number from {minimum} to {maximum:,}"
    if not (text.isascii() and text.isdigit()):
        raise CommandError(
            f"{what} must be a whole number of at least {minimum}, not {text!r}", hint, word=text
        )
    # By its digits, not int(): Python refuses to read an int of over 4,300 digits.
    digits = text.lstrip("0") or "0"
    if len(digits) > len(str(maximum)) or int(digits) > maximum:
        raise CommandError(
            f"{what} must be at most {maximum:,}, not {shorten(text, 24)}", hint, word=text
        )
    if int(digits) < minimum:
        raise CommandError(
            f"{what} must be a whole number of at least {minimum}, not {text!r}", hint, word=text
        )
    return int(digits)


def behaviour_summary(sim: Simulator, name: str, overrides: list[Override]) -> str:
    """What a workload's handler does: its declared behaviour, then the overrides in force."""
    behaviour = sim.behaviors.describe(name)
    if overrides:
        behaviour += "; override: " + "; ".join(o.describe() for o in overrides)
    return behaviour


def as_number(text: str) -> int | float | None:
    """`text` as a number when it is one (`5`, `-2`, `1.5`, `1e3`), else None. An integer
    too long for int() (over 4,300 digits) reads as the float it overflows to: the limits
    of SQS and SNS refuse it with their own messages."""
    # ASCII digits only (re.ASCII): `１２` is text, as a consumer's Number("１２") reads it.
    if re.fullmatch(r"-?\d+", text, re.ASCII):
        return int(text) if len(text) <= _INT_DIGITS else float(text)
    if re.fullmatch(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text, re.ASCII):
        return float(text)
    return None


_ATTR_NAME = re.compile(r"[A-Za-z0-9_\-.]{1,256}")


def _sqs_number(key: str, text: str) -> NumberText:
    """A Number attribute's text, kept as written, when SQS would take it."""
    if number_attribute_fault(text) is not None:
        raise CommandError(
            f"--attr {key}={shorten(text, 24)}: not a Number SQS takes", NUMBER_ATTRIBUTE_RULE
        )
    return NumberText(text)


def sqs_attributes(pairs: list[str]) -> dict[str, Any]:
    """`--attr k=v` values as SQS message attributes; numbers become Number attributes."""
    attrs: dict[str, Any] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise CommandError(
                f"--attr needs NAME=VALUE, not {pair!r}", "e.g. --attr priority=5", word=pair
            )
        # SQS's own rules for attribute names (reference aws-semantics §1).
        if (
            not _ATTR_NAME.fullmatch(key)
            or key.startswith(".")
            or key.endswith(".")
            or ".." in key
            or key.lower().startswith(("aws.", "amazon."))
        ):
            raise CommandError(
                f"{key!r} is not a valid message attribute name",
                "letters, digits, _ - and . (not first, last or doubled); not AWS.* or Amazon.*",
                word=pair,
            )
        if key in attrs:
            raise CommandError(f"--attr {key} given twice", "give each attribute once")
        if value == "":
            raise CommandError(
                f"--attr {key} has an empty value; SQS requires one", f"e.g. --attr {key}=1"
            )
        attrs[key] = _sqs_number(key, value) if as_number(value) is not None else value
    if len(attrs) > MAX_ATTRIBUTES:
        raise CommandError(f"{len(attrs)} attributes; SQS allows at most {MAX_ATTRIBUTES}")
    return attrs


def query_pairs(pairs: list[str], example: str) -> list[tuple[str, str]]:
    """`--query NAME=VALUE` words as (name, value) pairs, in order (a name may repeat, as in
    a query string); a CommandError whose hint is `example` for a word without a name or
    `=`."""
    out = []
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name:
            raise CommandError(f"--query needs NAME=VALUE, not {pair!r}", example, word=pair)
        out.append((name, value))
    return out


# What a JSON object or array typed without quotes around it becomes: the line's shell-style
# quoting takes its double quotes away ({"a": 1} reads as {a: 1}).
UNQUOTED_JSON_HINT = "put JSON in single quotes so that its double quotes stay: '{\"orderId\": 1}'"


def parse_payload(
    text: str | None, refusal: str, command_start: str, line: str | None = None
) -> Any:
    """A payload that must be JSON, as Lambda's Invoke and Step Functions' StartExecution
    take it (default `{}`).

    Text that is not JSON is refused with `refusal` (the AWS error and its words) before
    the reader's message; the hint says how to send it as a JSON string (`command_start`
    is the line up to the payload). Text that starts as an object or an array does is
    almost always JSON whose quotes the line took away, else JSON broken where the message
    says (`line`, the command line, tells which: see `lost_its_quotes`). JSON only Python
    would read (NaN, 1e400, nesting beyond `jsontext.MAX_DEPTH`) is refused too."""
    if text is None:
        return {}
    try:
        return jsontext.loads(text)
    except jsontext.JsonLimitError as exc:
        raise CommandError(f"the payload is not usable JSON: {exc}", word=text) from None
    except ValueError as exc:
        if looks_like_json(text):
            hint = broken_json_hint(text, line)
        elif "'" in text:
            hint = "the payload must be JSON: write text as a JSON string, in double quotes"
        else:
            quoted = json_text(text)
            hint = (
                f"the payload must be JSON; to send the text, quote it: {command_start} '{quoted}'"
            )
        raise CommandError(
            f"{refusal}: {exc}", hint, word=text, within=json_error_at(exc)
        ) from None


def json_error_at(exc: ValueError) -> int:
    """Where in the text JSON's reader stopped (`JSONDecodeError.pos`), 0 when it does not
    say: the character a column points at."""
    pos = getattr(exc, "pos", 0)
    return pos if isinstance(pos, int) else 0


def looks_like_json(text: str) -> bool:
    """True for text that opens as a JSON object or array does."""
    return text.lstrip().startswith(("{", "["))


def json_fault(text: str) -> tuple[str, int] | None:
    """Why `text`, which opens as JSON does, does not read as JSON, and where in it JSON's
    reader stopped (None when it reads, or does not open as JSON, or has another fault than
    its syntax: NaN, say)."""
    if not looks_like_json(text):
        return None
    try:
        jsontext.loads(text)
    except jsontext.JsonLimitError:
        return None
    except ValueError as exc:
        return str(exc), json_error_at(exc)
    return None


def lost_its_quotes(text: str, line: str | None = None) -> bool:
    """True for text that opens as JSON does but does not read as JSON and holds no double
    quote: the line's quoting took them away (`{"a": 1}` typed bare reads as `{a: 1}`).
    Given the command `line`, the word as typed there must have held them inside it:
    `'{bad json'` and `"{bad: 1}"`, quoted without one inside, lost nothing."""
    if '"' in text or json_fault(text) is None:
        return False
    typed = None if line is None else typed_form(line, text)
    return typed is None or '"' in typed.strip('"')


def refuse_unquoted_json(call: Call, key: str, what: str) -> None:
    """Refuse the free text of argument `key` (a message body, a record's data) when it was
    typed as JSON with no quotes around it: the line's quoting took its double quotes away,
    so the text that would be sent is not the JSON the line shows (`{"amount": 5000}` reads
    as `{amount: 5000}`), and a consumer that reads `body.amount` would see nothing, without
    a word. Text that cannot be JSON as typed (`{a: 1}`, `'{bad json'`) is the user's own,
    sent as it is. `what` names the argument in the message ("the body")."""
    text = call.args.get(key)
    # Text holding a double quote lost none: decided here, as most bodies are, without a call
    # (a `repeat` checks each repetition's body).
    if type(text) is str and '"' not in text:
        refuse_lost_quotes(text, call.line, what)


def unquoted_json_check(key: str, what: str) -> Callable[[Any, Call], None]:
    """A command's `check_call` (and the first check its handler makes) that is
    `refuse_unquoted_json` of argument `key`: the REPL's check before Enter then refuses
    what the command would, where it would."""

    def check(sim: Any, call: Call) -> None:
        refuse_unquoted_json(call, key, what)

    return check


def refuse_lost_quotes(text: str, line: str, what: str = "the word") -> None:
    """The CommandError of `refuse_unquoted_json` for the word `text` of `line`, when it
    lost its double quotes there (`repeat` checks its inner command's words with it: the
    line it binds them in is written anew, without the quotes as typed)."""
    if lost_its_quotes(text, line):
        raise CommandError(
            f"{what} lost its double quotes: the line's quoting reads it as {quoted(text)}, "
            "which is not JSON",
            UNQUOTED_JSON_HINT,
            word=text,
        )


def broken_json_hint(text: str, line: str | None = None) -> str:
    """What to do about JSON that does not read: quote it, when the line took its quotes
    away; else mend it where the error says (its quotes are there, something else is not)."""
    if lost_its_quotes(text, line):
        return UNQUOTED_JSON_HINT
    return "mend the JSON at the line and column the error gives (a comma, bracket or quote?)"


def shorten(text: str, limit: int = BODY_PREVIEW) -> str:
    """`text` cut to `limit` characters, its last one `…` when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def refuse_past_end(sim: Simulator, what: str) -> NoReturn:
    """Refuse a move of the clock beyond MAX_MS: `what` says where it would go; the hint
    says how much time is left before the maximum."""
    now = sim.clock.now
    left = MAX_MS - now
    raise CommandError(
        f"{what}; the clock cannot pass {iso_ms(MAX_MS)}",
        f"now {iso_ms(now)}: at most {format_duration(left)} of virtual time is left"
        if left > 0
        else "the clock is at the end of its range: nothing moves it further",
    )


def now_line(sim: Simulator, before_ms: int) -> str:
    """`now 2026-01-05T08:00:01.000Z (+1 s)`: the clock, and how far it moved since
    `before_ms`; the last line of a command that runs the clock."""
    moved = sim.clock.now - before_ms
    return f"now {iso_ms(sim.clock.now)} (+{format_duration(moved)})"
