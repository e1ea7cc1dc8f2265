"""Running a script of commands non-interactively: what `stptui run` does (CI's use).

A script holds one command per line; blank lines and `#` comments are skipped. Each command
is echoed as `> LINE` with its output below. The run stops at the first failed `expect`
(exit 1) or the first command error (exit 2), naming `SCRIPT:LINE`; a stack, behaviours or
script file that cannot be read also exits 2. Exit 0 means every line ran.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from stptui.commands import execute
from stptui.commands.registry import CommandError, ExpectationFailed, strip_comment
from stptui.commands.result import render_plain
from stptui.commands.session import Session, SessionError
from stptui.sim.trace import JsonlWriter
from stptui.textsafe import printable

EXIT_OK = 0
EXIT_EXPECT = 1
EXIT_ERROR = 2
MAX_SCRIPT_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ScriptOptions:
    """What `stptui run` was asked to do."""

    stack: str
    script: str
    start_ms: int
    behaviors: str | None = None
    seed: int = 0
    trace: str | None = None
    allow_code: bool = False


def read_script(path: str) -> list[tuple[int, str]]:
    """(line number, command) for every line that holds a command. Raises OSError or
    UnicodeDecodeError when the file cannot be read as UTF-8 text."""
    p = Path(path)
    if p.stat().st_size > MAX_SCRIPT_BYTES:
        raise OSError(f"the script is larger than {MAX_SCRIPT_BYTES:,} bytes")
    text = p.read_text(encoding="utf-8")
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = strip_comment(raw).strip()
        if line:
            out.append((n, line))
    return out


def run_script(
    session: Session, lines: list[tuple[int, str]], name: str, out: TextIO, err: TextIO
) -> int:
    """Execute script lines in order, echoing each; returns the exit code."""
    for n, line in lines:
        out.write(f"> {printable(line)}\n")
        try:
            result = execute(session, line)
        except ExpectationFailed as exc:
            out.flush()
            err.write(f"{printable(name)}:{n}: expectation failed: {printable(exc.format())}\n")
            return EXIT_EXPECT
        except CommandError as exc:
            out.flush()
            err.write(f"{printable(name)}:{n}: error: {printable(exc.format())}\n")
            return EXIT_ERROR
        text = render_plain(result)
        if text:
            out.write(text + "\n")
    return EXIT_OK


def run_from_files(
    opts: ScriptOptions, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Open the stack, read the script, run it (writing the trace if asked); exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        lines = read_script(opts.script)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        err.write(f"{printable(opts.script)}: cannot read the script: {printable(reason)}\n")
        return EXIT_ERROR
    try:
        session = Session.open(
            opts.stack,
            behaviors_path=opts.behaviors,
            seed=opts.seed,
            start_ms=opts.start_ms,
            allow_code=opts.allow_code,
        )
    except SessionError as exc:
        for d in exc.diagnostics:
            err.write(printable(d.format()) + "\n")
        err.write(f"{printable(exc.message)}\n")
        return EXIT_ERROR
    for d in session.diagnostics:
        err.write(printable(d.format()) + "\n")
    if opts.trace is None:
        return run_script(session, lines, opts.script, out, err)
    try:
        stream = open(opts.trace, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        err.write(f"{printable(opts.trace)}: cannot write the trace: {exc.strerror or exc}\n")
        return EXIT_ERROR
    try:
        session.add_sink(JsonlWriter(stream))
        return run_script(session, lines, opts.script, out, err)
    finally:
        stream.close()
