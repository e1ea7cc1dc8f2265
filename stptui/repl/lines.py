"""Line mode: `stptui repl` typed at a terminal whose output goes elsewhere
(`stptui repl stack.yml | tee log`, `stptui repl stack.yml > session.txt`).

The prompt_toolkit shell draws its prompt, menu and toolbar with escape codes on standard
output, which would land in the pipe. Here a person still types, so the session still goes
on after a mistake; but standard output gets only plain text, what `stptui run` prints
for the same commands (`> LINE`, then the command's output) and, where a command fails,
the REPL's `error: ...` or `expectation failed: ...` line, so the log is the whole
transcript. What only the person at the terminal needs, the banner and the prompts, goes to
standard error, when that is a terminal (Python's own REPL writes its prompts there too).
Ctrl-C drops a half-typed command or stops a long run of the clock; Ctrl-D (end of input)
ends the session, stopping a `record` in progress.

No prompt_toolkit or Rich here: nothing in this mode draws on the terminal.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TextIO

from stptui.commands import CommandError, CommandResult, ExpectationFailed, Session, execute
from stptui.commands.result import render_plain
from stptui.commands.script import EXIT_OK, CommandJoiner
from stptui.commands.session import banner_lines, idle_note, starter_note
from stptui.textsafe import printable

PROMPT = "stptui> "
CONTINUATION = "....... "


class LineSession:
    """One session over one simulation, read a line at a time from a terminal."""

    def __init__(self, session: Session, stdin: TextIO, out: TextIO, err: TextIO) -> None:
        self.session = session
        self.stdin = stdin
        self.out = out
        self.err = err
        self.prompts = err.isatty()
        self._interrupt = threading.Event()

    def run(self) -> int:
        """Read and run commands until end of input; returns the exit code (0, as the
        interactive REPL: a person's typo is not the session's failure)."""
        if self.prompts:
            s = self.session
            self.err.write(
                "".join(f"{line}\n" for line in banner_lines(s))
                + "line mode (the output is not a terminal): no completion or toolbar; Ctrl-C "
                "stops a long run, Ctrl-D exits\n"
            )
            if (
                idle := idle_note(s.stack, bool(s.sim.behaviors.polls()), s.behaviors_path)
            ) is not None:
                self.err.write(printable(idle) + "\n")
            elif (starter := starter_note(s)) is not None:
                self.err.write(printable(starter) + "\n")
        for line in self.commands():
            self.run_line(line)
        if self.session.recorder is not None:
            self.run_line("record stop")
        return EXIT_OK

    def commands(self) -> Iterator[str]:
        """The commands typed, one a time; a command whose quote is open (or whose line
        ends in a backslash) goes on on the next line, as in a script. Ctrl-C while typing
        drops what was typed of the command."""
        joiner = CommandJoiner()
        while True:
            self._prompt(CONTINUATION if joiner.pending else PROMPT)
            try:
                raw = self._read()
            except KeyboardInterrupt:
                joiner.reset()
                self.err.write("\n")
                continue
            if raw is None:
                if (rest := joiner.unfinished()) is not None:
                    yield rest
                if self.prompts:
                    self.err.write("\n")
                return
            line = joiner.feed(raw)
            if line is not None and line.strip():
                yield line

    def _prompt(self, text: str) -> None:
        if self.prompts:
            self.err.write(text)
            self.err.flush()

    def _read(self) -> str | None:
        """One line without its line break, None at end of input. Typed text is read as
        UTF-8 whatever the locale says, as scripts are; a line that is not is reported and
        dropped."""
        buffer = getattr(self.stdin, "buffer", None)
        while True:
            data: str | bytes = buffer.readline() if buffer is not None else self.stdin.readline()
            if not data:
                return None
            if isinstance(data, str):
                return data.removesuffix("\n")
            try:
                return data.removesuffix(b"\n").decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = data[exc.start : exc.start + 1].hex()
                self.err.write(f"error: byte 0x{bad} is not UTF-8 text; the line was dropped\n")
                self._prompt(PROMPT)

    def run_line(self, line: str) -> None:
        """Run one command: `> LINE` and its output on standard output, as `stptui run`
        prints them; then an error or a failed `expect` as the REPL prints it."""
        self._echo(line)
        self._interrupt.clear()
        on_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self._on_sigint) if on_main else None
        try:
            result = execute(
                self.session, line, should_stop=self._interrupt.is_set, report=self._report
            )
        except CommandError as exc:
            # In the output, as the interactive REPL prints it: the session goes on, and a
            # log that showed a failed `expect` with nothing under it would read as a pass.
            label = "expectation failed" if isinstance(exc, ExpectationFailed) else "error"
            self.out.write(f"{label}: {printable(exc.format())}\n")
            self.out.flush()
            return
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        self._report(line, result)

    def _echo(self, line: str) -> None:
        self.out.write(f"> {printable(line)}\n")

    def _report(self, line: str, result: CommandResult | None) -> None:
        """What `source` shows of each command it runs, and what a command printed."""
        if result is None:
            self._echo(line)
        elif text := render_plain(result):
            self.out.write(text + "\n")
        self.out.flush()

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self._interrupt.set()
