"""Running a script of commands non-interactively: what `stptui run` does (CI's use).

A script holds one command per line; blank lines and `#` comments are skipped, and a command
whose quote is still open at the end of a line goes on on the next (a JSON body written over
several lines). Each command is echoed as `> LINE` with its output below. The run stops at
the first failed `expect` (exit 1) or the first command error (exit 2), naming
`SCRIPT:LINE`; a stack, behaviours or script file that cannot be read also exits 2. Exit 0
means every line ran. With `keep_going` (`--keep-going`) a failed `expect` is reported and
the run goes on; it exits 1 at the end, saying how many failed. A command error still stops
it (exit 2): the lines after it would run on a state the script did not mean. The script
`-` is read from standard input.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from stptui.commands import execute
from stptui.commands.registry import CommandError, ExpectationFailed, command_text, open_quote
from stptui.commands.result import CommandResult, render_fitted, render_plain
from stptui.commands.session import (
    DEFAULT_REGION,
    DEFAULT_STAGE,
    Session,
    SessionError,
    same_file,
)
from stptui.sim.clock import fewer_collections
from stptui.sim.trace import JsonlWriter, Writable
from stptui.textsafe import printable

EXIT_OK = 0
EXIT_EXPECT = 1
EXIT_ERROR = 2
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


def read_script(path: str) -> list[tuple[int, str]]:
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


class CommandJoiner:
    """Joins a script's or a typed session's lines into commands: a command goes on on the
    next line while a quote is open, or after a backslash that escapes the line break (as
    the REPL reads a typed line: `send q {a\\` then `b}` sends "{a\\nb}")."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self._quote: str | None = None

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
        line = command_text("\n".join(self.pending))
        self.pending = []
        return line

    def unfinished(self) -> str | None:
        """At the end of input, a command left unfinished: its first line alone, which fails
        to split (not joined, so that the error points at where it began)."""
        return command_text(self.pending[0]) if self.pending else None

    def reset(self) -> None:
        """Drop a half-read command."""
        self.pending = []
        self._quote = None


def script_lines(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(number of its first line, command) for every command in a script's lines, joined
    by CommandJoiner. Lines are read lazily, so a script can come from a pipe."""
    joiner = CommandJoiner()
    first = 0
    for n, raw in enumerate(lines, 1):
        if not joiner.pending:
            first = n
        line = joiner.feed(raw)
        if line is not None and line.strip():
            yield first, line
    if (rest := joiner.unfinished()) is not None:
        yield first, rest


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


def run_script(
    session: Session,
    lines: Iterable[tuple[int, str]],
    name: str,
    out: Output,
    err: TextIO,
    *,
    keep_going: bool = False,
) -> int:
    """Execute script lines in order, echoing each; returns the exit code.

    A `source` line echoes the commands of the script it runs in the same way. With
    `keep_going` a failed `expect` does not stop the run (see the module's docstring)."""
    report = _echo(out)
    failed = 0
    code = EXIT_OK
    with fewer_collections():
        for n, line in lines:
            report(line, None)
            try:
                result = execute(session, line, report=report)
            except ExpectationFailed as exc:
                out.flush()
                err.write(f"{printable(name)}:{n}: expectation failed: {printable(exc.format())}\n")
                failed += 1
                if keep_going:
                    continue
                return EXIT_EXPECT
            except CommandError as exc:
                out.flush()
                err.write(f"{printable(name)}:{n}: error: {printable(exc.format())}\n")
                code = EXIT_ERROR
                break
            report(line, result)
    if keep_going and failed:
        out.flush()
        stopped = " before the error stopped the run" if code == EXIT_ERROR else ""
        failures = "1 expectation" if failed == 1 else f"{failed} expectations"
        err.write(f"{printable(name)}: {failures} failed{stopped}\n")
        return code or EXIT_EXPECT
    return code


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
        for d in exc.diagnostics:
            err.write(printable(d.format()) + "\n")
        # "cannot read the file" already says it all; after other errors (a file that is
        # not a mapping) the summary says why nothing runs.
        if not any(d.code in ("file-unreadable", "not-a-config") for d in exc.diagnostics):
            err.write(f"{prog}: {printable(exc.message)}\n")
        return None
    for d in session.diagnostics:
        err.write(printable(d.format()) + "\n")
    return session


def stream_lines(stream: TextIO) -> Iterator[str]:
    """A stream's lines as they come, split and decoded as `read_script` does a file's: at
    "\n" only, as UTF-8 whatever the locale says. Each line is decoded when it is read, so
    the commands before a line that is not UTF-8 run, and NotUtf8Error names its line."""
    source: Iterable[str] = stream
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        source = (decode_script(data, n) for n, data in enumerate(buffer, 1))
    return split_lines(source)


def run_from_files(
    opts: ScriptOptions,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Open the stack, read the script (`-`: standard input, read as it runs), run it
    (writing the trace if asked); the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    from_stdin = opts.script == STDIN_SCRIPT
    name = STDIN_NAME if from_stdin else opts.script
    lines: Iterable[tuple[int, str]]
    if from_stdin:
        lines = script_lines(stream_lines(stdin or sys.stdin))
    else:
        try:
            lines = read_script(opts.script)
        except (OSError, NotUtf8Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            err.write(f"{printable(name)}: cannot read the script: {printable(reason)}\n")
            return EXIT_ERROR
    session = open_session(opts, err=err)
    if session is None:
        return EXIT_ERROR
    output = _Guarded(out, "the output")
    try:
        if opts.trace is None:
            code = run_script(session, lines, name, output, err, keep_going=opts.keep_going)
        else:
            code = _run_with_trace(session, lines, opts, output, err)
        output.flush()
    except NotUtf8Error as exc:
        output.flush()
        err.write(f"{name}: cannot read the script: {printable(str(exc))}\n")
        return EXIT_ERROR
    except _WriteFailed as exc:
        if exc.stream is output:
            _silence(out)
        if exc.errno != errno.EPIPE:
            # A reader that went away (`stptui run ... | head`) needs no message.
            err.write(f"stptui: cannot write {printable(exc.what)}: {exc.reason}\n")
        return EXIT_ERROR
    return code


def _run_with_trace(
    session: Session,
    lines: Iterable[tuple[int, str]],
    opts: ScriptOptions,
    out: Output,
    err: TextIO,
) -> int:
    assert opts.trace is not None
    # Opening the trace truncates it: it must not be one of the run's own inputs.
    script = [] if opts.script == STDIN_SCRIPT else [("script", Path(opts.script))]
    inputs = [*script, *session.inputs()]
    for what, path in inputs:
        if same_file(Path(opts.trace), path):
            err.write(
                f"{printable(opts.trace)}: --trace names the {what} of this run, which it "
                "would overwrite; write the trace to another file, e.g. --trace trace.jsonl\n"
            )
            return EXIT_ERROR
    try:
        stream = open(opts.trace, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        err.write(f"{printable(opts.trace)}: cannot write the trace: {exc.strerror or exc}\n")
        return EXIT_ERROR
    trace = _Guarded(stream, f"the trace {opts.trace}")
    try:
        session.add_sink(JsonlWriter(trace))
        name = STDIN_NAME if opts.script == STDIN_SCRIPT else opts.script
        code = run_script(session, lines, name, out, err, keep_going=opts.keep_going)
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
