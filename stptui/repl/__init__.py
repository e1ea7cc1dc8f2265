"""`stptui repl STACK`: a prompt_toolkit shell over the command language.

It is a thin front end: every line goes to `stptui.commands.execute`, like a line of a
`stptui run` script or of the terminal UI's command line. When stdin is not a terminal the
lines are read without any prompt and run by the script runner itself, so the output and
the exit code are those of `stptui run`. When stdin is a terminal but stdout is not
(`stptui repl stack.yml | tee log`), line mode (`lines`) reads what the person types and
writes plain text only. prompt_toolkit and Rich are imported only for the interactive
session.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from stptui.commands import Session
from stptui.commands.script import (
    EXIT_ERROR,
    STDIN_NAME,
    NotUtf8Error,
    StackOptions,
    open_session,
    readable_to_end,
    run_script,
    script_lines,
    stream_lines,
    terminable,
)
from stptui.textsafe import printable


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplOptions(StackOptions):
    """What `stptui repl` was asked to do: the stack, and how the shell behaves."""

    vi: bool = False
    confirm_exit: bool = False
    # Reload when a file the session was built from is saved (the interactive shell only).
    watch: bool = True


def main(
    opts: ReplOptions,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Open the stack and run the REPL (or, from a pipe, the script); the exit code."""
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    stderr = sys.stderr if stderr is None else stderr
    if not stdin.isatty():
        # Commands from a pipe, as CI gives them: SIGTERM (a job's timeout or cancel) ends
        # the run as it ends `stptui run`, saying where, exit 143.
        return terminable(lambda: _open_and_run_piped(opts, stdin, stdout, stderr))
    session = open_session(opts, err=stderr, prog="stptui repl")
    if session is None:
        return EXIT_ERROR
    if not stdout.isatty():
        # A person types, but the output goes to a pipe or a file (`| tee log`): no escape
        # codes there, only what `stptui run` prints.
        from stptui.repl.lines import LineSession

        return LineSession(session, stdin, stdout, stderr).run()
    from stptui.repl.app import Repl

    return Repl(session, vi=opts.vi, confirm_exit=opts.confirm_exit, watch=opts.watch).run()


def _open_and_run_piped(opts: ReplOptions, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    session = open_session(opts, err=err, prog="stptui repl")
    if session is None:
        return EXIT_ERROR
    return run_piped(session, stdin, out, err)


def run_piped(session: Session, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Run the commands read from `stdin` as `stptui run` runs a script file."""
    try:
        lines = script_lines(stream_lines(stdin))
        rest = readable_to_end(stdin)
        return run_script(session, lines, STDIN_NAME, out, err, count_rest=rest)
    except NotUtf8Error as exc:
        err.write(f"{STDIN_NAME}: cannot read the script: {printable(str(exc))}\n")
        return EXIT_ERROR
