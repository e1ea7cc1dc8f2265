"""Running a script of commands non-interactively: what `stptui run` does (CI's use).

A script holds one command per line; blank lines and `#` comments are skipped, and a command
whose quote is still open at the end of a line goes on on the next (a JSON body written over
several lines). Each command is echoed as `> LINE` with its output below. The run stops at
the first failed `expect` (exit 1) or the first command error (exit 2), naming
`SCRIPT:LINE` (`SCRIPT:LINE:COL` for an error about one word: see `position`), then how
many of its lines did not run, from which (`_say_unrun`); a stack,
behaviours or script file that cannot be read also exits 2. Exit 0 means every line ran.
A script read from a file is checked before its first line runs: a line that cannot run
as written, whatever the simulation holds (a quote never closed, an unknown command, words
that do not fit its usage, a name the stack lacks), is named, each of them, and none runs
(exit 2: `unrunnable`), the lines of the scripts its `source` lines run with it. A failed
line of a script a `source` line runs is named at its own `FILE:LINE[:COL]`, after a note
at the `source` line (`failure_text`).
With `keep_going` (`--keep-going`) a failed `expect` is reported and the run goes on, as
does a script a `source` line runs; it exits 1 at the end, saying how many failed. A
command error still stops it (exit 2): the lines after it would run on a state the script
did not mean. The script `-` is read from standard input. With `junit` (`--junit FILE`)
the run also writes a JUnit XML report (stptui.commands.junit), whatever its end.
SIGTERM (a CI job's timeout or cancel) ends the run as Ctrl-C does, its report written,
with exit 143 (see `sigterm_interrupts`). With `save_on_failure` (`--save-on-failure
FILE`) a run that fails saves its session to FILE as `save FILE` does, and one that passes
leaves none there (see `_Keeper`). Several scripts run in turn, each on a new session of
the stack read once (`run_scripts`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import signal
import stat
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, TextIO

from stptui.commands import check_written, execute
from stptui.commands.handlers.session_files import running_script
from stptui.commands.registry import (
    WORD_SEPARATORS,
    CommandError,
    ExpectationFailed,
    command_text,
    open_quote,
    sourced,
    strip_comment,
    tokenize,
)
from stptui.commands.result import CommandResult, render_fitted, render_plain
from stptui.commands.session import (
    DEFAULT_REGION,
    DEFAULT_STAGE,
    Session,
    SessionError,
    same_file,
    stack_option_words,
)
from stptui.config import SCRIPT_SUFFIX
from stptui.sim.clock import fewer_collections, iso_ms
from stptui.sim.trace import JsonlWriter, Writable
from stptui.textsafe import printable, quote_word, typed_words

if TYPE_CHECKING:
    from types import FrameType

    from stptui.commands.junit import JunitReport, JunitReports, Tee

EXIT_OK = 0
EXIT_EXPECT = 1
EXIT_ERROR = 2
# A run ended by SIGTERM: 128 + the signal's number, as a shell reports a process it ended.
EXIT_TERMINATED = 143
STDIN_SCRIPT = "-"
STDIN_NAME = "<stdin>"
MAX_SCRIPT_BYTES = 16 * 1024 * 1024
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True, slots=True)
class StackOptions:
    """How to open a stack: what `stptui STACK`, `stptui repl` and `stptui run` share, and
    what `open_session` takes."""

    stack: str
    start_ms: int
    behaviors: str | None = None
    seed: int = 0
    allow_code: bool = False
    stage: str = DEFAULT_STAGE
    region: str = DEFAULT_REGION
    project: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScriptOptions(StackOptions):
    """What `stptui run` was asked to do: the stack, and the script and how to run it."""

    script: str
    trace: str | None = None
    keep_going: bool = False
    junit: str | None = None
    save_on_failure: str | None = None


class NotUtf8Error(ValueError):
    """Script bytes that are not UTF-8; the message says where, as an editor counts."""

    def __init__(self, data: bytes, exc: UnicodeDecodeError, first_line: int = 1) -> None:
        before = data[: exc.start]
        line = first_line + before.count(b"\n")
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        super().__init__(
            f"line {line}, column {column}: byte 0x{bad} is not UTF-8 text "
            "(save the script as UTF-8)"
        )


def decode_script(data: bytes, first_line: int = 1) -> str:
    """`data` (a script, or its line `first_line`) as UTF-8 text; NotUtf8Error if it is not.

    A byte-order mark at the very start (Windows editors write one) is not part of the first
    command, so it is dropped; anywhere else U+FEFF is data."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(data, exc, first_line) from None
    return text.removeprefix(BYTE_ORDER_MARK) if first_line == 1 else text


def read_script(path: str) -> list[ScriptLine]:
    """(line number, command) for every line that holds a command. Raises OSError, or
    NotUtf8Error (a ValueError) when the file is not UTF-8 text."""
    p = Path(path)
    info = p.stat()
    if not stat.S_ISREG(info.st_mode):
        # /dev/zero never ends and a FIFO blocks until someone writes to it.
        raise OSError(errno.EINVAL, "not a regular file")
    if info.st_size > MAX_SCRIPT_BYTES:
        raise OSError(f"the script is larger than {MAX_SCRIPT_BYTES:,} bytes")
    # Bytes, decoded: reading text would translate a lone "\r" into a line break.
    return list(script_lines(split_lines([decode_script(p.read_bytes())])))


def split_lines(pieces: Iterable[str]) -> Iterator[str]:
    """The lines of a text that comes in pieces (a file's whole text, or a stream's lines as
    they are read), split at "\\n" only. A "\\r" before it stays: inside a quoted body it is
    data (a recorded body keeps its "\\r\\n"), and elsewhere `script_lines` drops it as the
    whitespace it is.

    Not `str.splitlines`, which also splits at U+2028, U+2029, U+0085, \\v, \\f, \\x1c-\\x1e and a
    lone \\r: those are data in a quoted body and in a comment, and the line numbers in
    errors are those an editor shows."""
    held: list[str] = []  # the start of a line that has not ended yet
    for piece in pieces:
        *ended, rest = piece.split("\n")
        if ended:
            held.append(ended[0])
            ended[0] = "".join(held)
            held = []
        yield from ended
        if rest:
            held.append(rest)
    if held:
        yield "".join(held)


class ScriptLine(tuple[int, str]):
    """(number of its first line, command): a command of a script as `script_lines` reads
    it. `indent` counts what was typed before the command on that line (its leading
    spaces and tabs, which the command leaves out), so that a column in the command is one
    in the file."""

    indent: int

    def __new__(cls, n: int, line: str, indent: int = 0) -> ScriptLine:
        self = super().__new__(cls, (n, line))
        self.indent = indent
        return self


def position(n: int, exc: CommandError, indent: int = 0) -> str:
    """`LINE:COL` of the word `exc` is about, the command starting on line `n` after
    `indent` characters (a later line of a command that spans several counts from its own
    start), or `LINE` (`n`) for an error about the whole command."""
    if exc.located is None:
        return str(n)
    breaks, column = exc.located.where(indent)
    return f"{n + breaks}:{column}"


class CommandJoiner:
    """Joins a script's or a typed session's lines into commands: a command goes on on the
    next line while a quote is open, or after a backslash that escapes the line break (as
    the REPL reads a typed line: `send q {a\\` then `b}` sends "{a\\nb}")."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self._quote: str | None = None
        # What was typed before the last command `feed` completed, on its first line.
        self.indent = 0

    def feed(self, raw: str) -> str | None:
        """Take one line; returns the command it completes (None while the command goes on,
        and "" for a blank line)."""
        # Only the new line is scanned, with the state it starts in: linear in the script.
        after = open_quote(raw, self._quote)
        if after is None and raw.endswith("\r"):
            # Outside quotes, the "\r" of a "\r\n" is part of the line break, not data.
            raw = raw[:-1]
            after = open_quote(raw, self._quote)
        self.pending.append(raw)
        self._quote = after
        if after is not None:
            return None
        joined = strip_comment("\n".join(self.pending))
        self.indent = len(joined) - len(joined.lstrip(WORD_SEPARATORS))
        self.pending = []
        return command_text(joined)

    def unfinished(self) -> str | None:
        """At the end of input, a command left unfinished: its first line alone, which fails
        to split (not joined, so that the error points at where it began)."""
        if not self.pending:
            return None
        first = self.pending[0]
        self.indent = len(first) - len(first.lstrip(WORD_SEPARATORS))
        return command_text(first)

    def reset(self) -> None:
        """Drop a half-read command."""
        self.pending = []
        self._quote = None


def script_lines(lines: Iterable[str]) -> Iterator[ScriptLine]:
    """(number of its first line, command) for every command in a script's lines, joined
    by CommandJoiner, with its indent. Lines are read lazily, so a script can come from a
    pipe."""
    joiner = CommandJoiner()
    first = 0
    for n, raw in enumerate(lines, 1):
        if not joiner.pending:
            first = n
        line = joiner.feed(raw)
        if line is not None and line.strip():
            yield ScriptLine(first, line, joiner.indent)
    if (rest := joiner.unfinished()) is not None:
        yield ScriptLine(first, rest, joiner.indent)


class Unrunnable(NamedTuple):
    """A line of a script that cannot run as written, with the error its turn would stop the
    run with. When the fault is in a script that a `source` line runs, `chain` holds each
    line on the way to it, as (its script, the line): the `source` lines, then the line at
    fault."""

    line: ScriptLine
    error: CommandError
    chain: tuple[tuple[str, ScriptLine], ...] = ()


def unrunnable(
    session: Session, lines: Iterable[ScriptLine], script: Path | None = None
) -> list[Unrunnable]:
    """The lines of a script (the file `script`, when it is one) that cannot run as
    written (`check_written`): found before the first runs, so that a typo on line 40
    costs neither the time lines 1 to 39 take nor a second run for the next typo. A word
    that must name a resource of the stack is judged up to the first line that may open
    another stack (`opens_stack`); after it, the words that name are left to their turn.
    The lines of a script that a `source` line runs are judged as well, each script once,
    and a refusal of one of them is placed at its own FILE:LINE[:COL] as its turn would
    place it (`sourced`)."""
    problems: list[Unrunnable] = []
    judged = set() if script is None else {script.resolve()}
    _judge(session, lines, True, problems, set(), judged)
    return problems


def _judge(
    session: Session,
    lines: Iterable[ScriptLine],
    names: bool,
    problems: list[Unrunnable],
    looked: set[str],
    judged: set[Path],
) -> None:
    """Add the lines of `lines` that cannot run as written to `problems`, judging the words
    that name resources while `names` holds. `looked` holds the lines found to open no stack
    (a `source`d file is read once for that), `judged` the scripts whose lines are judged."""
    for item in lines:
        line = item[1]
        if (exc := check_written(session, line, names=names)) is not None:
            problems.append(Unrunnable(item, exc))
        else:
            problems.extend(
                Unrunnable(item, error, chain)
                for error, chain in _sourced_problems(session, line, names, looked, judged)
            )
        if names and line not in looked:
            names = not opens_stack(line)
            looked.add(line)


def _sourced_problems(
    session: Session, line: str, names: bool, looked: set[str], judged: set[Path]
) -> list[tuple[CommandError, tuple[tuple[str, ScriptLine], ...]]]:
    """The refusals of the lines of the script `line` runs, when it is a `source` line of a
    script not yet judged, each placed in that script, with its `Unrunnable.chain`. One that
    cannot be read, or sources itself, is left to the `source` line's turn, which refuses it."""
    from stptui.commands.handlers.base import local_path

    words = tokenize(line)  # `check_written` has split it
    if len(words) != 2 or words[0] != "source":
        return []
    try:
        path = local_path(words[1])
        key = path.resolve()
        if key in judged:
            return []
        judged.add(key)
        lines = read_script(str(path))
    except (CommandError, OSError, ValueError):
        return []
    found: list[Unrunnable] = []
    _judge(session, lines, names, found, looked, judged)
    name = str(path)  # as `source` names it
    return [
        (
            sourced(p.error, name, position(p.line[0], p.error, p.line.indent)),
            ((name, p.line), *p.chain),
        )
        for p in found
    ]


# The commands that replace the stack the lines after them run on: a saved session's (of
# any stack), the stack file read again.
OPENING_COMMANDS = frozenset({"load", "reload"})


def opens_stack(line: str, sourcing: frozenset[Path] = frozenset()) -> bool:
    """Whether `line` may replace the stack the lines after it name resources of: a `load`,
    a `reload`, or a `source` of a script that has one of them (its file as it reads now;
    one that cannot be read, may). `sourcing` holds the scripts being looked into."""
    from stptui.commands.handlers.base import local_path

    try:
        words = tokenize(line)
    except CommandError:
        return False  # refused at its turn: no line after it runs
    if not words or words[0] in OPENING_COMMANDS:
        return bool(words)
    if words[0] != "source" or len(words) != 2:
        return False
    try:
        path = local_path(words[1])
    except CommandError:
        return False  # refused at its turn: no line after it runs
    try:
        key = path.resolve()
        if key in sourcing:
            return False  # a script that sources itself is refused at its turn
        lines = read_script(str(path))
    except (OSError, ValueError):
        return True
    return any(opens_stack(item[1], sourcing | {key}) for item in lines)


def say_unrunnable(
    problems: list[Unrunnable], name: str, err: TextIO
) -> list[tuple[Unrunnable, str, str | None]]:
    """Write each of `problems` to `err` as the run would have at its line, then that no
    line ran; (problem, the text written, its LINE:COL when about one word of the script's
    own line) of each."""
    said = []
    for problem in problems:
        item, exc = problem.line, problem.error
        at = position(item[0], exc, item.indent)
        text = failure_text(name, at, "error", exc)
        err.write(text + "\n")
        said.append((problem, text, at if exc.located is not None else None))
    many = "1 line cannot" if len(problems) == 1 else f"{len(problems)} lines cannot"
    err.write(f"{printable(name)}: {many} run as written; no line ran\n")
    return said


def failure_text(name: str, at: str, what: str, exc: CommandError) -> str:
    """How the run writes `exc`, a failure (`what`: `error` or `expectation failed`) of
    the line at `at` (LINE or LINE:COL) of the script `name`: `NAME:AT: WHAT: MESSAGE` and
    its hint. A line of a script that a `source` line runs is named at its own place, after
    a note line for each `source` line that led to it, as a compiler names a line of an
    included file: an editor, and a CI problem matcher, then mark the line at fault."""
    places = [(printable(name), at), *((printable(f), a) for f, a in exc.places)]
    notes = [
        f"{file}:{where}: note: sources {places[i + 1][0]}\n"
        for i, (file, where) in enumerate(places[:-1])
    ]
    said = exc.format().removeprefix("".join(f"{f}:{a}: " for f, a in exc.places))
    file, where = places[-1]
    return "".join(notes) + f"{file}:{where}: {what}: {printable(said)}"


def terminal_width(out: object) -> int | None:
    """The terminal's width when `out` writes to one, else None (a pipe, a file, CI's log,
    a test's buffer: their output stays as it always was, whatever the width)."""
    isatty = getattr(out, "isatty", None)
    try:
        if isatty is None or not isatty():
            return None
    except (OSError, ValueError):  # a closed or detached stream
        return None
    return shutil.get_terminal_size().columns


def _echo(out: Output) -> Callable[[str, CommandResult | None], None]:
    """What run_script prints for a command: `> LINE` before it runs, its output after;
    tables fitted to the terminal's width when `out` is one, as the REPL fits them."""
    width = terminal_width(out)

    def report(line: str, result: CommandResult | None) -> None:
        if result is None:
            out.write(f"> {printable(line)}\n")
        elif text := (render_plain(result) if width is None else render_fitted(result, width)):
            out.write(text + "\n")

    return report


class ScriptWatch(Protocol):
    """What follows a run line by line (the JUnit report): where each line is, when it
    starts and ends, and how a line failed."""

    def at_line(self, file: str, n: int) -> None:
        """The next line reported comes from line `n` of `file` (the script, or the script
        a `source` line runs)."""
        ...

    def reported(self, line: str, result: CommandResult | None) -> None:
        """`line` starts (result None), or ended with `result`."""
        ...

    def failed(
        self, exc: CommandError, text: str, *, going_on: bool = False, at: str | None = None
    ) -> None:
        """The line running failed with `exc`, which the run wrote to stderr as `text`;
        `going_on` for a sourced line's failed `expect` under `--keep-going`, after which
        the lines that run it (`source`) go on; `at`, the LINE:COL of the word at fault
        when the error is about one."""
        ...


def _watched(
    echo: Callable[[str, CommandResult | None], None], watch: ScriptWatch
) -> Callable[[str, CommandResult | None], None]:
    """The echo, and the watch told of the same line."""

    def report(line: str, result: CommandResult | None) -> None:
        echo(line, result)
        watch.reported(line, result)

    return report


def run_script(
    session: Session,
    lines: Iterable[tuple[int, str]],
    name: str,
    out: Output,
    err: TextIO,
    *,
    keep_going: bool = False,
    watch: ScriptWatch | None = None,
    count_rest: bool = True,
) -> int:
    """Execute script lines in order, echoing each; returns the exit code.

    A `source` line echoes the commands of the script it runs in the same way. With
    `keep_going` a failed `expect` does not stop the run, nor the script a `source` line
    runs (see the module's docstring). `watch` is told of each line, sourced ones too, as
    it runs. A run that stops early says which of its lines did not run (`_say_unrun`):
    how many and from which, or, without `count_rest` (a pipe, whose writer may never
    close it), only that those after the failed line were not read."""
    report = _echo(out) if watch is None else _watched(_echo(out), watch)
    at_line = None if watch is None else watch.at_line
    failed = 0
    code = EXIT_OK
    n = 0  # the script's line running, which `expect_failed` names

    def expect_failed(exc: ExpectationFailed, *, going_on: bool = False) -> None:
        nonlocal failed
        out.flush()
        text = failure_text(name, str(n), "expectation failed", exc)
        err.write(text + "\n")
        if watch is not None:
            watch.failed(exc, text, going_on=going_on)
        failed += 1

    def sourced_failed(exc: ExpectationFailed) -> None:
        expect_failed(exc, going_on=True)

    running = False  # a line runs, as opposed to the next one being read
    it = iter(lines)
    with fewer_collections():
        try:
            for item in it:
                running = True
                n, line = item
                if at_line is not None:
                    at_line(name, n)
                report(line, None)
                try:
                    result = execute(
                        session,
                        line,
                        report=report,
                        at_line=at_line,
                        expect_failed=sourced_failed if keep_going else None,
                    )
                except ExpectationFailed as exc:
                    expect_failed(exc)
                    if keep_going:
                        running = False
                        continue
                    _say_unrun(it, name, n, err, count_rest)
                    return EXIT_EXPECT
                except CommandError as exc:
                    out.flush()
                    at = position(n, exc, getattr(item, "indent", 0))
                    text = failure_text(name, at, "error", exc)
                    err.write(text + "\n")
                    if watch is not None:
                        watch.failed(exc, text, at=at if exc.located is not None else None)
                    _say_unrun(it, name, n, err, count_rest)
                    code = EXIT_ERROR
                    break
                report(line, result)
                running = False
        except KeyboardInterrupt:
            # Ctrl-C ends the run (exit 130), SIGTERM too (143), but not without a word: a
            # long `until` (a minute's schedule to the year 9999 is some 15 hours) says how
            # far it got; a script from a pipe may be waiting for its next line.
            out.flush()
            where = f"{printable(name)}:{n}: " if running else f"{printable(name)}: "
            after = "" if running or not n else f" after line {n},"
            err.write(
                f"{where}{interruption()}{after} with the clock at "
                f"{iso_ms(session.sim.clock.now)}\n"
            )
            raise
    if keep_going and failed:
        out.flush()
        stopped = " before the error stopped the run" if code == EXIT_ERROR else ""
        failures = "1 expectation" if failed == 1 else f"{failed} expectations"
        err.write(f"{printable(name)}: {failures} failed{stopped}\n")
        return code or EXIT_EXPECT
    return code


def _say_unrun(
    rest: Iterator[tuple[int, str]], name: str, n: int, err: TextIO, count_rest: bool
) -> None:
    """After the run stopped at line `n`: one line on `err` saying how many of the lines
    still in `rest` did not run, from which line (nothing when none is left), so that a
    log does not read as if the failed line were the script's last. Without `count_rest`
    the rest is left unread: a pipe's writer may hold it open, and reading on would keep
    the run from ending."""
    if not count_rest:
        err.write(f"{printable(name)}: nothing after line {n} was read\n")
        return
    first = 0
    left = 0
    try:
        for item in rest:
            first = first or item[0]
            left += 1
    except NotUtf8Error:
        # The rest cannot be counted past a line that is not UTF-8: say no number.
        err.write(f"{printable(name)}: the lines after line {n} did not run\n")
        return
    if left:
        lines = "1 more line" if left == 1 else f"{left} more lines"
        err.write(f"{printable(name)}: {lines} not run, from line {first}\n")


def open_session(opts: StackOptions, *, err: TextIO, prog: str = "stptui run") -> Session | None:
    """Open the stack as `stptui run` does, writing its diagnostics to `err`; None when it
    cannot be simulated (the caller exits 2). `prog` starts the summary line that says why,
    as it starts every other error line of that sub-command."""
    try:
        session = Session.open(
            opts.stack,
            behaviors_path=opts.behaviors,
            seed=opts.seed,
            start_ms=opts.start_ms,
            allow_code=opts.allow_code,
            stage=opts.stage,
            region=opts.region,
            project=opts.project,
        )
    except SessionError as exc:
        _say_session_error(exc, err, prog)
        return None
    from stptui.sim.behavior.reader import grouped_skips

    for d in grouped_skips(session.diagnostics):
        err.write(printable(d.format()) + "\n")
    return session


def _say_session_error(exc: SessionError, err: TextIO, prog: str) -> None:
    """Why the stack cannot be simulated: its diagnostics, then a summary line."""
    for d in exc.diagnostics:
        err.write(printable(d.format()) + "\n")
    # "cannot read the file" already says it all; after other errors (a file that is
    # not a mapping) the summary says why nothing runs.
    if not any(d.code in ("file-unreadable", "not-a-config") for d in exc.diagnostics):
        err.write(f"{prog}: {printable(exc.message)}\n")


class _Opener:
    """The sessions of a run of several scripts: the stack read once, at the first, and a
    new session of it for each script (`Session.again`). `stopped` says why the scripts
    after the one running cannot run (its stack does not open, the output is closed)."""

    def __init__(self, opts: StackOptions) -> None:
        self.opts = opts
        self.first: Session | None = None
        self.stopped: str | None = None

    def open(self, err: TextIO | Tee) -> Session | None:
        """A session at the start, its diagnostics written to `err` (the first time only:
        the others have the same); None, with why on `err`, when it cannot be opened."""
        if self.first is None:
            self.first = open_session(self.opts, err=err)
            if self.first is None:
                self.stopped = "the stack cannot be opened"
            return self.first
        try:
            return self.first.again()
        except SessionError as exc:
            # The behaviours file, read again for each script, was changed in between.
            _say_session_error(exc, err, "stptui run")
            self.stopped = "the stack cannot be opened"
            return None


def stream_lines(stream: TextIO) -> Iterator[str]:
    """A stream's lines as they come, split and decoded as `read_script` does a file's: at
    "\n" only, as UTF-8 whatever the locale says. Each line is decoded when it is read, so
    the commands before a line that is not UTF-8 run, and NotUtf8Error names its line."""
    source: Iterable[str] = stream
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        source = (decode_script(data, n) for n, data in enumerate(buffer, 1))
    return split_lines(source)


# True once SIGTERM came during the run `sigterm_interrupts` watches.
_TERMINATED: list[bool] = []


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _TERMINATED.append(True)
    # Raised as SIGINT's handler raises it: while a Python handler runs, that is the one
    # that tells the user's interrupt from a handler's own `raise KeyboardInterrupt`.
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)
    raise KeyboardInterrupt


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM interrupts it as Ctrl-C does,
    noted so that `interruption` names it: a CI job's timeout or cancel (GitLab's runner,
    `timeout`, GitHub Actions after its SIGINT) sends SIGTERM, which by default ends the
    process at once, with no word of where and no JUnit report. The handler before is put
    back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _TERMINATED.clear()
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def interruption() -> str:
    """What interrupted the run, in the words its messages use."""
    return "terminated (SIGTERM)" if _TERMINATED else "interrupted (Ctrl-C)"


def terminable(run: Callable[[], int]) -> int:
    """`run()`'s exit code, SIGTERM interrupting it as Ctrl-C does (`sigterm_interrupts`):
    EXIT_TERMINATED once the run has said where it stopped. Ctrl-C's KeyboardInterrupt is
    raised on (the caller exits 130)."""
    with sigterm_interrupts():
        try:
            return run()
        except KeyboardInterrupt:
            if not _TERMINATED:
                raise
            return EXIT_TERMINATED


def run_from_files(
    opts: ScriptOptions,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Open the stack, read the script (`-`: standard input, read as it runs), run it
    (writing the trace and the JUnit report if asked); the exit code. SIGTERM ends the
    run as Ctrl-C does, with EXIT_TERMINATED (Ctrl-C's KeyboardInterrupt is raised on)."""
    return terminable(lambda: _run_from_files(opts, out, err, stdin))


# Where --trace and --save-on-failure put the script's name: one file per script.
NAME_PLACEHOLDER = "{name}"


def file_for(path: str | None, script: str) -> str | None:
    """`path` with each `{name}` replaced by the script's file name without its extension
    (`stdin` for `-`): the trace or session file of that script."""
    if path is None:
        return None
    name = "stdin" if script == STDIN_SCRIPT else Path(script).stem
    return path.replace(NAME_PLACEHOLDER, name)


def run_scripts(
    opts: ScriptOptions,
    scripts: list[str],
    *,
    fail_fast: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run each script in turn on a new session of the stack (read once), as run_from_files
    runs one (`opts.script` is not read: `scripts` are), each headed `==> SCRIPT <==` on
    the output; the worst exit code: 2 over 1 over 0. `fail_fast`: the scripts after the
    first that fails do not run. --trace and --save-on-failure name one file per script
    (`file_for`); --junit one report, a `<testsuite>` per script. Ctrl-C or SIGTERM stops
    every script (130, 143), the report written."""
    if len(scripts) == 1:
        one = replace(
            opts,
            script=scripts[0],
            trace=file_for(opts.trace, scripts[0]),
            save_on_failure=file_for(opts.save_on_failure, scripts[0]),
        )
        return run_from_files(one, out, err, stdin)
    return terminable(
        lambda: _run_several(opts, scripts, fail_fast, out or sys.stdout, err or sys.stderr, stdin)
    )


def _several_refusal(opts: ScriptOptions, scripts: list[str]) -> str | None:
    """Why several scripts cannot run with these options, found before any runs."""
    seen: dict[str, str] = {}
    for script in scripts:
        key = script if script == STDIN_SCRIPT else str(Path(script).absolute())
        if key in seen:
            return f"{printable(script)} is given twice; give each script once"
        seen[key] = script
    for option, path in (("--trace", opts.trace), ("--save-on-failure", opts.save_on_failure)):
        if path is None:
            continue
        if NAME_PLACEHOLDER not in path:
            example = "traces/{name}.jsonl" if option == "--trace" else "{name}-session.json"
            return (
                f"{option} with several scripts writes a file for each: put {{name}} in "
                f"{printable(path)} (the script's file name without .stp), e.g. "
                f"{option} {example}"
            )
        named: dict[str, str] = {}
        for script in scripts:
            target = file_for(path, script)
            assert target is not None
            if target in named:
                return (
                    f"{option} {printable(path)} names the same file for "
                    f"{printable(named[target])} and {printable(script)}, "
                    f"{printable(target)}; rename one of the scripts"
                )
            named[target] = script
    if opts.trace is not None:
        # Else every script would stop at its first line, each saying so.
        folders = {Path(file_for(opts.trace, script) or "").parent for script in scripts}
        for folder in sorted(folders):
            if not folder.is_dir():
                return f"no directory {printable(str(folder))} for the traces; create it first"
    return None


def _run_several(
    opts: ScriptOptions,
    scripts: list[str],
    fail_fast: bool,
    out: TextIO,
    err: TextIO,
    stdin: TextIO | None,
) -> int:
    if (refusal := _several_refusal(opts, scripts)) is not None:
        err.write(f"stptui run: {refusal}\n")
        return EXIT_ERROR
    each = [
        replace(
            opts,
            script=script,
            trace=file_for(opts.trace, script),
            save_on_failure=file_for(opts.save_on_failure, script),
        )
        for script in scripts
    ]
    if not all(_accepted(one, err) for one in each):
        return EXIT_ERROR
    keepers = [_Keeper(one) if one.save_on_failure is not None else None for one in each]
    if not all(keeper.clear(err) for keeper in keepers if keeper is not None):
        return EXIT_ERROR
    from stptui.commands.junit import JunitReport

    opener = _Opener(opts)
    reports: list[JunitReport] = []
    codes: dict[str, int] = {}
    worst = EXIT_OK
    try:
        for i, (one, keeper) in enumerate(zip(each, keepers, strict=True)):
            name = script_name(one.script)
            sep = "\n" if i else ""
            try:
                out.write(f"{sep}==> {printable(name)} <==\n")
            except OSError as exc:
                _silence(out)
                if exc.errno != errno.EPIPE:
                    err.write(f"stptui: cannot write the output: {exc.strerror or exc}\n")
                opener.stopped = "the output cannot be written"
                worst = EXIT_ERROR
                break
            report = None
            if opts.junit is not None:
                report = JunitReport(opts.junit, name)
                reports.append(report)
            code = _kept(
                keeper, err, partial(_run_one, one, out, err, stdin, report, keeper, opener)
            )
            if report is not None:
                report.end()
                if report.refused:
                    return EXIT_ERROR
            codes[name] = code
            # The worst: a script to mend (2) over a regression (1) over a pass.
            worst = max(worst, code)
            if opener.stopped is not None or (fail_fast and code != EXIT_OK):
                break
    except KeyboardInterrupt:
        left = [script_name(one.script) for one in each[len(codes) + 1 :]]
        if left:
            with contextlib.suppress(OSError):
                listed = ", ".join(printable(name) for name in left)
                err.write(f"stptui run: {interruption()}: not run: {listed}\n")
        if reports:
            reports[-1].end()
            _not_run(reports, each, opener, interruption())
            _write_several(reports, err)
        raise
    left = [script_name(one.script) for one in each[len(codes) :]]
    failed = [(name, code) for name, code in codes.items() if code != EXIT_OK]
    if failed:
        out.flush()
        listed = ", ".join(f"{printable(name)} (exit {code})" for name, code in failed)
        ran = f"{len(failed)} of {len(each)} scripts failed: {listed}"
        if left:
            why = opener.stopped or "--fail-fast"
            ran += f"; {why}: not run: {', '.join(printable(n) for n in left)}"
        err.write(f"stptui run: {ran}\n")
    if opts.junit is not None:
        if left:
            why = opener.stopped or f"--fail-fast stopped the run after {failed[-1][0]} failed"
            _not_run(reports, each, opener, why)
        if not _write_several(reports, err):
            return EXIT_ERROR
    return worst


def _run_one(
    opts: ScriptOptions,
    out: TextIO,
    err: TextIO,
    stdin: TextIO | None,
    report: JunitReport | None,
    keeper: _Keeper | None,
    opener: _Opener,
) -> int:
    """One of several scripts' runs, told to its `report` when there is one."""
    if report is None:
        return _run(opts, out, err, stdin, None, keeper, opener)
    return _run_teed(opts, out, err, stdin, report, keeper, opener)


def _not_run(
    reports: list[JunitReport], each: list[ScriptOptions], opener: _Opener, why: str
) -> None:
    """A `<testsuite>` for each script after those `reports` has: its `expect` lines
    skipped, as not run for the reason `why`."""
    from stptui.commands.junit import JunitReport

    for one in each[len(reports) :]:
        name = script_name(one.script)
        assert one.junit is not None
        report = JunitReport(one.junit, name)
        if opener.first is not None:
            report.describe(opener.first, one)
        if one.script != STDIN_SCRIPT:
            with contextlib.suppress(OSError, NotUtf8Error):
                report.lines = read_script(one.script)
        report.skip_rest(f"not run: {why}")
        report.end()
        reports.append(report)


def _write_several(reports: list[JunitReport], err: TextIO) -> bool:
    """Write the report of several scripts; False, with one line on stderr, when it
    cannot be."""
    from stptui.commands.junit import JunitReport

    return _write_report(JunitReport.combined(reports), err)


def _run_from_files(
    opts: ScriptOptions,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if not _accepted(opts, err):
        return EXIT_ERROR
    keeper = None
    if opts.save_on_failure is not None:
        keeper = _Keeper(opts)
        if not keeper.clear(err):
            return EXIT_ERROR
    return _kept(keeper, err, lambda: _run_reported(opts, out, err, stdin, keeper))


def _accepted(opts: ScriptOptions, err: TextIO) -> bool:
    """Whether --save-on-failure and --junit may name their files (one line on stderr
    saying why not, when one may not)."""
    refusals = []
    if opts.save_on_failure is not None:
        refusals.append((opts.save_on_failure, _save_refusal(opts)))
    if opts.junit is not None:
        refusals.append((opts.junit, _junit_refusal(opts)))
    for path, refusal in refusals:
        if refusal is not None:
            err.write(f"{printable(path)}: {refusal}\n")
            return False
    return True


def _kept(keeper: _Keeper | None, err: TextIO, run: Callable[[], int]) -> int:
    """`run()`'s exit code, its session saved by `keeper` (when there is one) if it fails,
    however it fails; EXIT_ERROR when that session cannot be saved."""
    try:
        code = run()
    except KeyboardInterrupt:
        if keeper is not None:
            keeper.save(err)
        raise
    if keeper is not None and code != EXIT_OK and not keeper.save(err):
        # As a JUnit report that cannot be written: the run's artifact is missing.
        return EXIT_ERROR
    return code


def _run_reported(
    opts: ScriptOptions,
    out: TextIO,
    err: TextIO,
    stdin: TextIO | None,
    keeper: _Keeper | None,
) -> int:
    """The run, with its JUnit report written (when asked for) however it ends."""
    if opts.junit is None:
        return _run(opts, out, err, stdin, None, keeper)
    from stptui.commands.junit import JunitReport

    report = JunitReport(opts.junit, script_name(opts.script))
    try:
        code = _run_teed(opts, out, err, stdin, report, keeper)
    except KeyboardInterrupt:
        _write_report(report, err)
        raise
    if report.refused:
        return code
    return code if _write_report(report, err) else EXIT_ERROR


def _run_teed(
    opts: ScriptOptions,
    out: TextIO,
    err: TextIO,
    stdin: TextIO | None,
    report: JunitReport,
    keeper: _Keeper | None,
    opener: _Opener | None = None,
) -> int:
    """The run, told to `report` with what it prints; Ctrl-C or SIGTERM marks the line
    running as stopped there and the `expect` lines after it as skipped."""
    from stptui.commands.junit import Tee

    try:
        return _run(opts, Tee(out, report.out), Tee(err, report.err), stdin, report, keeper, opener)
    except KeyboardInterrupt:
        report.aborted(interruption())
        report.skip_rest()
        raise


def script_name(script: str) -> str:
    """What messages and reports call a script: its path as given, `<stdin>` for `-`."""
    return STDIN_NAME if script == STDIN_SCRIPT else script


def _junit_refusal(opts: ScriptOptions) -> str | None:
    """Why --junit cannot name its file, found before anything runs (a report that could
    not be written at the end would lose the run's); None when it can."""
    assert opts.junit is not None
    if NAME_PLACEHOLDER in opts.junit:
        # Learnt from --trace and --save-on-failure, it would name a file `{name}.xml`.
        return (
            f"--junit writes one report (a test suite for each script): {NAME_PLACEHOLDER} is "
            "for --trace and --save-on-failure; name one file, e.g. --junit report.xml"
        )
    target = Path(opts.junit)
    given = [("script", opts.script)] if opts.script != STDIN_SCRIPT else []
    given += [("stack", opts.stack), ("behaviours file", opts.behaviors or "")]
    for what, path in given:
        if path and same_file(target, Path(path)):
            return (
                f"--junit names the {what} of this run, which it would overwrite; write the "
                "report to another file, e.g. --junit report.xml"
            )
    if opts.trace is not None and Path(opts.trace).absolute() == target.absolute():
        return "--junit and --trace name the same file; give each its own"
    if target.is_dir():
        return "--junit names a directory; give a file name, e.g. --junit report.xml"
    if not target.parent.is_dir():
        return f"no directory {printable(str(target.parent))} for the JUnit report; create it first"
    with contextlib.suppress(OSError):
        if not stat.S_ISREG(target.stat().st_mode):
            return "--junit names something that is not a regular file; give a file name"
    return None


def _save_refusal(opts: ScriptOptions) -> str | None:
    """Why --save-on-failure cannot name its file, found before anything runs (the file is
    removed at the start, so it must be no other file of the run, nor any file but a
    session file); None when it can."""
    assert opts.save_on_failure is not None
    target = Path(opts.save_on_failure)
    given = [("script", opts.script)] if opts.script != STDIN_SCRIPT else []
    given += [("stack", opts.stack), ("behaviours file", opts.behaviors or "")]
    given += [("JUnit report", opts.junit or ""), ("trace", opts.trace or "")]
    for what, path in given:
        if path and (same_file(target, Path(path)) or target.absolute() == Path(path).absolute()):
            return (
                f"--save-on-failure names the {what} of this run; save the session to a "
                "file of its own, e.g. --save-on-failure session.json"
            )
    if target.is_dir():
        return (
            "--save-on-failure names a directory; give a file name, e.g. "
            "--save-on-failure session.json"
        )
    if not target.parent.is_dir():
        return f"no directory {printable(str(target.parent))} for the session file; create it first"
    try:
        info = target.stat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return "--save-on-failure names something that is not a regular file; give a file name"
    from stptui.commands.session import is_session_file

    if not is_session_file(target):
        # The file is removed when the run starts: only a session file is fair game.
        return (
            "--save-on-failure names a file that is not a session file, which the run would "
            "remove or replace; give the name of a new file, e.g. --save-on-failure session.json"
        )
    return None


class _Lines:
    """A run's lines as `run_script` takes them, noting whether the run is between two
    (reading the next) or inside one: a command stopped midway leaves the simulation
    where no replay of the session's log leads."""

    def __init__(self, lines: Iterable[tuple[int, str]]) -> None:
        self._lines = lines
        self.between = True
        self.n = 0  # the script's line running, or the last that ran

    def __iter__(self) -> Iterator[tuple[int, str]]:
        it = iter(self._lines)
        while True:
            self.between = True
            try:
                item = next(it)
            except StopIteration:
                return
            self.between = False
            self.n = item[0]
            yield item


class _Keeper:
    """`--save-on-failure FILE`: the run's session, saved to FILE when the run fails."""

    def __init__(self, opts: ScriptOptions) -> None:
        assert opts.save_on_failure is not None
        self.opts = opts
        self.path = opts.save_on_failure
        self.session: Session | None = None
        self.lines: _Lines | None = None
        # The script's run returned: the session is where its log leads.
        self.ended = False

    def follow(self, session: Session, lines: Iterable[tuple[int, str]]) -> _Lines:
        """The run's lines, followed, on `session`."""
        self.session = session
        self.lines = _Lines(lines)
        return self.lines

    def clear(self, err: TextIO) -> bool:
        """Remove the session file an earlier run left: after the run the file is this
        run's, or absent, as CI uploads it. False, with one line on stderr, when it
        cannot be removed."""
        try:
            Path(self.path).unlink(missing_ok=True)
        except OSError as exc:
            err.write(
                f"{printable(self.path)}: cannot remove the session file of an earlier run: "
                f"{printable(exc.strerror or str(exc))}\n"
            )
            return False
        return True

    def save(self, err: TextIO) -> bool:
        """Save the session as `save FILE` does, saying where on stderr; False, with one
        line on stderr, when it cannot be saved. Nothing when the stack never opened."""
        session = self.session
        if session is None:
            return True
        prog = "stptui run"
        before = ""
        if not self.ended and self.lines is not None and not self.lines.between:
            # Stopped inside a command (Ctrl-C, SIGTERM): `load` would refuse the
            # simulation as it stands, which its log does not replay to. The log replayed
            # is the session before that line.
            before = f" as it stood before line {self.lines.n}"
            try:
                session.rewind(0).run()
            except KeyboardInterrupt:
                err.write(f"{prog}: the session was not saved: interrupted again\n")
                raise
            except CommandError as exc:
                err.write(f"{prog}: cannot save the session: {printable(exc.message)}\n")
                return False
        try:
            session.save(self.path)
        except CommandError as exc:
            err.write(f"{prog}: cannot save the session: {printable(exc.message)}\n")
            return False
        n = len(session.log)
        words = ["stptui", "repl", self.opts.stack]
        words += stack_option_words(self.opts.stage, self.opts.region, self.opts.project)
        if session.allow_code:
            behaviors = [] if self.opts.behaviors is None else ["--behaviors", self.opts.behaviors]
            words += [*behaviors, "--allow-code"]
        err.write(
            f"{prog}: saved the session{before} to {printable(self.path)} "
            f"({n} command{'s' * (n != 1)}, the clock at {iso_ms(session.sim.clock.now)}); "
            f"to look at it: {typed_words(*words)}, then load {quote_word(self.path)}\n"
        )
        return True


# What a shell leaves of a pattern that matches no file: the pattern itself.
_GLOB_CHARACTERS = frozenset("*?[")


def _unread_script_hint(name: str) -> str | None:
    """The `hint:` line for a script that cannot be read, where there is one to give: a
    folder (as `pytest tests/` takes one) names the scripts in it to give instead, a pipe
    or device points to `-`, and a shell pattern that matched no file (`tests/*.stp` in the
    wrong folder) is said to be one; None otherwise."""
    path = Path(name)
    try:
        if path.is_dir():
            # Unquoted, for the shell to expand.
            pattern = printable(f"{name.rstrip('/')}/*{SCRIPT_SUFFIX}")
            found = sum(1 for p in path.glob(f"*{SCRIPT_SUFFIX}") if p.is_file())
            if not found:
                return f"    hint: a folder, with no *{SCRIPT_SUFFIX} file in it"
            scripts = f"{found} script{'s' * (found != 1)}"
            return f"    hint: a folder: give its scripts, {pattern} ({scripts} there)"
        if path.exists() and not path.is_file():
            # /dev/stdin, a named pipe: a script read as it comes is `-`'s.
            return (
                "    hint: to read the script from standard input, give - in its place: "
                "... | stptui run STACK -"
            )
        if _GLOB_CHARACTERS.intersection(name) and not os.path.lexists(path):
            return (
                "    hint: no file matches this pattern: a shell passes a pattern that "
                "matches nothing on as it is written"
            )
    except (OSError, ValueError):  # a name no file system takes
        return None
    return None


def _write_report(report: JunitReport | JunitReports, err: TextIO) -> bool:
    """Write the JUnit report; False, with one line on stderr, when it cannot be."""
    try:
        report.write()
    except (OSError, CommandError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        with contextlib.suppress(OSError):
            err.write(
                f"stptui: cannot write the JUnit report {printable(report.path)}: "
                f"{printable(reason)}\n"
            )
        return False
    return True


def _run(
    opts: ScriptOptions,
    out: TextIO | Tee,
    err: TextIO | Tee,
    stdin: TextIO | None,
    report: JunitReport | None,
    keeper: _Keeper | None = None,
    opener: _Opener | None = None,
) -> int:
    """What run_from_files does, telling `report` (when there is one) of each line and
    of what stopped the run before its lines could run, and `keeper` of the session.
    `opener` gives the session (one of several scripts'), else the stack is opened."""
    from_stdin = opts.script == STDIN_SCRIPT
    name = STDIN_NAME if from_stdin else opts.script
    lines: Iterable[tuple[int, str]]
    count_rest = True
    if from_stdin:
        lines = script_lines(stream_lines(stdin or sys.stdin))
        count_rest = readable_to_end(stdin or sys.stdin)
    else:
        try:
            lines = read_script(opts.script)
        except (OSError, NotUtf8Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            text = f"{printable(name)}: cannot read the script: {printable(reason)}"
            said = text if (hint := _unread_script_hint(name)) is None else f"{text}\n{hint}"
            err.write(said + "\n")
            if report is not None:
                report.error("read the script", name, None, text, said)
            return EXIT_ERROR
    mark = 0 if report is None else report.err.written
    session = open_session(opts, err=err) if opener is None else opener.open(err)
    if session is None:
        if report is not None:
            said = report.err.since(mark).rstrip("\n") or "the stack cannot be opened"
            report.error("open the stack", opts.stack, None, said.splitlines()[-1], said)
        return EXIT_ERROR
    if report is not None:
        if (refusal := _report_overwrites(session, opts)) is not None:
            err.write(refusal + "\n")
            report.refused = True
            return EXIT_ERROR
        report.describe(session, opts)
        if isinstance(lines, list):
            report.lines = lines
    if isinstance(lines, list) and (
        problems := unrunnable(session, lines, None if from_stdin else Path(opts.script))
    ):
        # Nothing runs: no trace is written, and no session kept (it would hold nothing).
        said = say_unrunnable(problems, name, err)
        if report is not None:
            report.unrunnable(said)
        return EXIT_ERROR
    if keeper is not None:
        lines = keeper.follow(session, lines)
    output = _Guarded(out, "the output")
    # A `source` line of the script that names a file beside it, not in the current folder,
    # is told so (see `running_script`).
    running = contextlib.nullcontext() if from_stdin else running_script(Path(opts.script))
    try:
        with running:
            if opts.trace is None:
                code = run_script(
                    session,
                    lines,
                    name,
                    output,
                    err,
                    keep_going=opts.keep_going,
                    watch=report,
                    count_rest=count_rest,
                )
            else:
                code = _run_with_trace(session, lines, opts, output, err, report, count_rest)
        if keeper is not None:
            keeper.ended = True
        output.flush()
    except NotUtf8Error as exc:
        output.flush()
        text = f"{name}: cannot read the script: {printable(str(exc))}"
        err.write(text + "\n")
        if report is not None:
            report.aborted(text)
        return EXIT_ERROR
    except _WriteFailed as exc:
        if exc.stream is output:
            _silence(out)
            if opener is not None:
                opener.stopped = "the output cannot be written"
        text = f"stptui: cannot write {printable(exc.what)}: {exc.reason}"
        if exc.errno != errno.EPIPE:
            # A reader that went away (`stptui run ... | head`) needs no message.
            err.write(text + "\n")
        if report is not None:
            report.aborted(text)
        return EXIT_ERROR
    if report is not None and code != EXIT_OK:
        report.skip_rest()
    return code


def readable_to_end(stream: TextIO) -> bool:
    """Whether the rest of `stream` can be read without waiting on a writer: a file
    redirected to stdin (`stptui repl STACK < FILE`), or text already in memory; not a
    pipe, a terminal or any other stream, which may wait."""
    if isinstance(stream, io.StringIO):
        return True
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _report_overwrites(session: Session, opts: ScriptOptions) -> str | None:
    """The refusal of a --junit that names the stack or behaviours file the session read
    (found only once it is open: a stack folder's config, the behaviours file beside it)."""
    assert opts.junit is not None
    for what, path in session.inputs():
        if same_file(Path(opts.junit), path):
            return (
                f"{printable(opts.junit)}: --junit names the {what} of this run, which it "
                "would overwrite; write the report to another file, e.g. --junit report.xml"
            )
    return None


def _run_with_trace(
    session: Session,
    lines: Iterable[tuple[int, str]],
    opts: ScriptOptions,
    out: Output,
    err: TextIO | Tee,
    report: JunitReport | None,
    count_rest: bool,
) -> int:
    assert opts.trace is not None
    # Opening the trace truncates it: it must not be one of the run's own inputs.
    script = [] if opts.script == STDIN_SCRIPT else [("script", Path(opts.script))]
    inputs = [*script, *session.inputs()]
    for what, path in inputs:
        if same_file(Path(opts.trace), path):
            text = (
                f"{printable(opts.trace)}: --trace names the {what} of this run, which it "
                "would overwrite; write the trace to another file, e.g. --trace trace.jsonl"
            )
            err.write(text + "\n")
            if report is not None:
                report.aborted(text)
            return EXIT_ERROR
    try:
        stream = open(opts.trace, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        text = f"{printable(opts.trace)}: cannot write the trace: {exc.strerror or exc}"
        err.write(text + "\n")
        if report is not None:
            report.aborted(text)
        return EXIT_ERROR
    trace = _Guarded(stream, f"the trace {opts.trace}")
    try:
        session.add_sink(JsonlWriter(trace))
        name = STDIN_NAME if opts.script == STDIN_SCRIPT else opts.script
        code = run_script(
            session,
            lines,
            name,
            out,
            err,
            keep_going=opts.keep_going,
            watch=report,
            count_rest=count_rest,
        )
    except BaseException:
        with contextlib.suppress(OSError):
            stream.close()
        raise
    trace.close()
    return code


class _WriteFailed(Exception):
    """Writing one of the run's streams failed (a full disk, a closed pipe)."""

    def __init__(self, stream: _Guarded, error: OSError) -> None:
        super().__init__(stream.what)
        self.stream = stream
        self.what = stream.what
        self.reason = error.strerror or str(error)
        self.errno = error.errno


class Output(Writable, Protocol):
    """Where a run writes its echo and results: a text stream, or anything that writes and
    flushes like one."""

    def flush(self) -> None:
        """Flush what was written."""
        ...


class _Guarded:
    """A text stream whose write errors say which stream failed, so that `stptui run`
    reports a full disk or a closed pipe as a message naming it, not a traceback."""

    def __init__(self, stream: TextIO, what: str) -> None:
        self._stream = stream
        self.what = what

    def write(self, text: str, /) -> int:
        """Write `text` to the stream."""
        try:
            return self._stream.write(text)
        except OSError as exc:
            raise _WriteFailed(self, exc) from None

    def flush(self) -> None:
        """Flush the stream."""
        try:
            self._stream.flush()
        except OSError as exc:
            raise _WriteFailed(self, exc) from None

    def isatty(self) -> bool:
        """Whether the stream is a terminal (tables are then fitted to its width)."""
        isatty = getattr(self._stream, "isatty", None)
        return bool(isatty()) if isatty is not None else False

    def close(self) -> None:
        """Close the stream (flushing it first)."""
        try:
            self._stream.close()
        except OSError as exc:
            raise _WriteFailed(self, exc) from None


def _silence(out: TextIO) -> None:
    """Point the output's file at /dev/null: what is still buffered for a closed pipe or a
    full disk would otherwise fail again, with a traceback, when Python exits."""
    try:
        fd = out.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
