"""Commands on the session: save, load, source, record, undo, redo, reload and help."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from stptui.commands.handlers.base import REGISTRY, command, local_path, whole_number
from stptui.commands.rebuild import Rebuild
from stptui.commands.registry import (
    COMMAND,
    COUNT,
    FILE,
    Arg,
    Call,
    CommandError,
    ExpectationFailed,
    quote_word,
    sourced,
)
from stptui.commands.result import CommandResult, render_plain, render_table
from stptui.commands.resume import RESUMABLE, Resumption, StopTest
from stptui.commands.session import Session
from stptui.sim.clock import iso_ms
from stptui.sim.trace import JsonlWriter
from stptui.textsafe import printable

if TYPE_CHECKING:
    from stptui.commands.script import ScriptLine

# -- session ---------------------------------------------------------------------------------


def _file(call: Call) -> str:
    """The FILE argument; an empty one names no file (Path("") is the current directory)."""
    name: str = call.args["file"]
    if not name:
        raise CommandError(
            f"{call.command.name} needs a file name, not an empty one",
            f"e.g. {call.command.examples[0]}",
        )
    return str(local_path(name))


@command(
    "save",
    "session",
    "Save the session (stack, behaviours, seed, stage, region, the project name when one "
    "was given, start time, --allow-code and commands) to a JSON file, atomically.",
    args=(Arg("FILE", FILE, "where to write, e.g. run.json"),),
    examples=("save incident.json",),
)
def cmd_save(session: Session, call: Call) -> CommandResult:
    """save FILE"""
    path = session.save(_file(call))
    n = len(session.log)
    return CommandResult(
        f"saved {n} command{'s' * (n != 1)} at {iso_ms(session.sim.clock.now)} to {path}",
        data={"file": str(path), "commands": n},
    )


@command(
    "load",
    "session",
    "Replace the simulation with a saved one (rebuilt by replaying its commands).",
    args=(Arg("FILE", FILE, "a file written by save"),),
    examples=("load incident.json",),
    details=(
        "The stack, the behaviours file and every file the session was made from must hold "
        "the bytes they had when it was saved (their SHA-256), and the replay must reproduce "
        "the saved trace; else the current simulation is kept. A session file names the "
        "stack relative to its own folder when it was saved in the stack's folder, else by "
        "its full path; when the stack is not there and this session's stack has its bytes "
        "(a session `stptui run --save-on-failure` saved in CI, loaded in a checkout), the "
        "files are read from this session's stack's folder.\n"
        "Tab offers the files save wrote, whatever their names (a file that starts as a "
        'session file does: `{"version": 1, "stack": ...`), then the folders to go '
        "into; no other file, which load would refuse. Of the files the name typed starts, it "
        "opens at most the first 200, in name order, to tell."
    ),
)
def cmd_load(session: Session, call: Call) -> CommandResult:
    """load FILE"""
    return load_rebuild(session, call).run(should_stop=call.should_stop)


def load_rebuild(session: Session, call: Call) -> Rebuild[CommandResult]:
    """`load FILE`, checked and planned: its build replays the file's commands."""
    if session.recorder is not None:
        # The recording replays this simulation from its start; a loaded one has another.
        raise CommandError(
            f"cannot load while recording to {session.recorder.path}", "record stop first"
        )
    name = _file(call)

    def answer(_: None) -> CommandResult:
        n = len(session.log)
        now = iso_ms(session.sim.clock.now)
        return CommandResult(
            f"loaded {name}: replayed {n} command{'s' * (n != 1)}; now {now}",
            data={"file": name, "commands": n, "now": now},
        )

    return session.load(name).then(answer)


# Scripts being run (`stptui run`'s) or sourced, innermost last: a script that sources
# itself is refused, and a path missing from the current folder is looked for beside it.
_SOURCING: list[Path] = []


@contextmanager
def running_script(path: Path) -> Iterator[None]:
    """Marks the script at `path` as running for the block: a `source` of it inside itself
    is refused, and one whose path the current folder lacks but its folder has is told
    the path from here."""
    _SOURCING.append(path.resolve())
    try:
        yield
    finally:
        _SOURCING.pop()


def _unread_hint(name: str) -> str:
    """The hint for a script `source` cannot read: a relative path is read from the current
    folder, as a shell reads it; when the running script's folder has the file, the line
    that reads it from here; when a folder above it has it (a script written to run from
    its repository's root, run from elsewhere), that folder, to run from."""
    path = Path(name)
    if _SOURCING and not path.is_absolute():
        folder = _SOURCING[-1].parent
        for above in (folder, *folder.parents):
            found = above / path
            with contextlib.suppress(OSError, ValueError):  # a name no file system takes
                if not found.is_file():
                    continue
                if above == folder:
                    here = quote_word(os.path.relpath(found))
                    return (
                        f"a path is read from the current folder, not the script's: source {here}"
                    )
                # Not the path from here, as above: the script's other paths start there too.
                there = quote_word(os.path.relpath(above))
                return (
                    "a path is read from the current folder, and the script's paths start at "
                    f"{there}: run from there (cd {there})"
                )
    return "give the path of a script file you can read"


@command(
    "source",
    "session",
    "Run a script of commands in this session, echoing each, as `stptui run` does.",
    args=(Arg("FILE", FILE, "a script: one command per line, # comments"),),
    examples=("source docs/examples/tour.stp",),
    details=(
        "It stops at the first command error or failed expect, naming FILE:LINE "
        "(FILE:LINE:COL for an error about one word of the line); the commands before it "
        "stay applied. Under `stptui run --keep-going` a failed expect "
        "is reported and the script goes on. A relative FILE is read from the current folder, "
        "as a shell reads it, in a script too (and `~/` from your home folder, as for every "
        "file a command takes); when only the script's own folder has it, the refusal gives "
        "its path from here, and when a folder above the script's has it (a script written "
        "to run from its repository's root), that folder to run from.\n"
        "In the terminal UI a script that takes more than a second goes on in the "
        "fast-forward dialog, and escape stops it: the commands that ran stay applied, the "
        "one running ends where it got (logged as what it amounted to), the rest do not "
        "run, and the result names the line it stopped in or before."
    ),
)
def cmd_source(session: Session, call: Call) -> CommandResult:
    """source FILE"""
    from stptui.commands.script import NotUtf8Error, read_script

    name = _file(call)
    try:
        lines = read_script(name)
    except (OSError, NotUtf8Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CommandError(f"cannot read {name}: {reason}", _unread_hint(name)) from None
    path = Path(name).resolve()
    if path in _SOURCING:
        raise CommandError(f"{name} is already being sourced", "a script cannot source itself")
    script = _Script(session, call, name, path, lines)
    if script.run_on(call.should_stop):
        return script.result()
    if call.resumable:
        return CommandResult(script.so_far(), resumption=_SourceRest(session, script))
    return script.result(stopped=True)


class _Script:
    """A script being sourced: its lines, where it is, and what it has said."""

    def __init__(
        self, session: Session, call: Call, name: str, path: Path, lines: list[ScriptLine]
    ) -> None:
        self.session = session
        self.call = call
        self.name = name
        self.path = path
        self.lines = lines
        # The index of the next line to run, and the line that goes on (a front end's).
        self.next = 0
        self.going: tuple[ScriptLine, Resumption] | None = None
        self.transcript: list[str] = []
        self.ran = 0
        self.failed = 0

    def _hand_on(self, where: str) -> Callable[[ExpectationFailed], None] | None:
        """Under `--keep-going`: what tells `stptui run` of a failed `expect` of the line
        at `where` (its LINE in this script), or of a script that line sources, with its
        place before its message, as the error raised without `--keep-going` has it."""
        expect_failed = self.call.expect_failed
        if expect_failed is None:
            return None

        def told(exc: ExpectationFailed) -> None:
            self.failed += 1
            expect_failed(sourced(exc, self.name, where))

        return told

    def run_on(self, should_stop: Callable[[], bool] | None) -> bool:
        """Run the script's lines from where it is; False when `should_stop` stopped it
        (at a line's start, or inside a line, which a front end that runs on then holds in
        `going`). Raises the CommandError of a line, FILE:LINE before its message."""
        with running_script(self.path):
            if self.going is not None:
                item, rest = self.going
                if not self._go_on(item, rest, should_stop):
                    return False
            while self.next < len(self.lines):
                if should_stop is not None and should_stop():
                    return False
                item = self.lines[self.next]
                self.next += 1
                if not self._run(item, should_stop):
                    return False
        return True

    def _run(self, item: ScriptLine, should_stop: Callable[[], bool] | None) -> bool:
        """Run one line; False when it stopped short."""
        from stptui.commands import execute

        call = self.call
        n, line = item
        failing = self._hand_on(str(n))
        if call.at_line is not None:
            call.at_line(self.name, n)
        if call.report is not None:
            call.report(line, None)
        else:
            self.transcript.append(f"> {printable(line)}")
        # A front end that runs on stops only the commands that can go on: another one
        # (a `load`, an `undo`) would be cancelled, not held.
        stop = should_stop if not call.resumable or _verb(line) in RESUMABLE else None
        try:
            result = execute(
                self.session,
                line,
                should_stop=stop,
                report=call.report,
                at_line=call.at_line,
                expect_failed=failing,
                resumable=call.resumable,
            )
        except ExpectationFailed as exc:
            if failing is None:
                raise sourced(exc, self.name, str(n)) from None
            # `--keep-going`: reported as the line's own, and the script goes on.
            failing(exc)
            self.ran += 1
            return True
        except CommandError as exc:
            raise self._placed(item, exc) from None
        if result.resumption is not None:
            self.going = (item, result.resumption)
            return False
        return self._ran(line, result)

    def _go_on(
        self, item: ScriptLine, rest: Resumption, should_stop: Callable[[], bool] | None
    ) -> bool:
        """Run on the line that goes on; False when it stopped short again."""
        try:
            if not rest.go(should_stop or _never):
                return False
            result = rest.end()
        except CommandError as exc:
            self.going = None
            rest.end(cancelled=True)
            raise self._placed(item, exc) from None
        self.going = None
        return self._ran(item[1], result)

    def _ran(self, line: str, result: CommandResult) -> bool:
        """Note a line that ran; False when it was interrupted (which ends the script)."""
        self.ran += 1
        if self.call.report is not None:
            self.call.report(line, result)
        elif text := render_plain(result):
            self.transcript.append(text)
        return not (isinstance(result.data, dict) and result.data.get("interrupted"))

    def _placed(self, item: ScriptLine, exc: CommandError) -> CommandError:
        """`exc` with where it is in this file (the line holding the word it is about, and
        its column), of the same class, so that `stptui run` exits alike."""
        from stptui.commands.script import position

        return sourced(exc, self.name, position(item[0], exc, item.indent))

    def stop(self) -> str:
        """Stop where it is: a line that goes on ends at its state now (logged as what it
        amounted to), the lines after it are not run. Says where it stopped."""
        if self.going is not None:
            item, rest = self.going
            self.going = None
            self._ran(item[1], rest.end(cancelled=True))
            return (
                f"stopped in {self.name}:{item[0]}, which ran as far as it got; "
                f"{len(self.lines) - self.next} command{'s' * (len(self.lines) - self.next != 1)} "
                "after it not run"
            )
        left = len(self.lines) - self.next
        if not left:
            return "stopped at its end"
        at = f"stopped before {self.name}:{self.lines[self.next][0]}"
        if left == 1:
            return f"{at}, which was not run"
        return f"{at}: it and the {left - 1} command{'s' * (left != 2)} after it not run"

    def so_far(self) -> str:
        """The transcript so far, and where it is."""
        return "\n".join(
            [*self.transcript, f"{self.name}: {self.ran} of {len(self.lines)} run so far"]
        )

    def result(self, *, stopped: bool = False, where: str = "") -> CommandResult:
        """The script's result: its transcript, how many of its commands ran, and, when it
        was stopped, where (`where`, from `stop`: the commands before it stay applied)."""
        count = len(self.lines)
        summary = f"{self.name}: ran {self.ran} of {count} command{'s' * (count != 1)}"
        if self.failed:
            summary += f"; {self.failed} expectation{'s' * (self.failed != 1)} failed"
        if stopped:
            summary += f"; {where}" if where else " (interrupted)"
        return CommandResult(
            "\n".join([*self.transcript, summary]),
            data={
                "file": self.name,
                "ran": self.ran,
                "commands": count,
                "failed": self.failed,
                "interrupted": stopped,
            },
        )


def _verb(line: str) -> str:
    """The first word of a command line (its command), or "" when it has none."""
    words = line.split(maxsplit=1)
    return words[0].removeprefix(":") if words else ""


class _SourceRest(Resumption):
    """The rest of a `source`: the line that goes on, then the lines after it. Each line is
    logged (and recorded) as it would be run at once, so the script has none of its own.
    Stopped, the lines run stay applied, a line that goes on ends where it got (logged as
    what it amounted to), and the rest do not run; the result names the line it stopped at."""

    def __init__(self, session: Session, script: _Script) -> None:
        super().__init__(session, len(script.lines), "commands")
        self.script = script
        self.done = script.ran
        self.aim = f"to the end of {script.name}"

    def _go(self, should_stop: StopTest) -> bool:
        try:
            return self.script.run_on(should_stop)
        finally:
            self.done = self.script.ran

    def _end(self, *, cancelled: bool) -> CommandResult:
        if not cancelled:
            return self.script.result()
        where = self.script.stop()
        self.done = self.script.ran
        return self.script.result(stopped=True, where=where)

    def fraction(self) -> float:
        """How much of the script is done, the command that goes on counted in part."""
        going = self.script.going
        part = going[1].fraction() if going is not None else 0.0
        return min((self.done + part) / max(self.total, 1), 1.0)

    def status(self) -> str:
        """`3 of 12 commands, at demo.stp:7`: how far the script has come."""
        script = self.script
        text = super().status()
        if script.going is not None:
            item, rest = script.going
            text += f", at {script.name}:{item[0]} ({printable(_verb(item[1]))}: {rest.status()})"
        return text


@command(
    "record",
    "session",
    "Write the state-changing commands to a script that `stptui run` replays.",
    args=(Arg("FILE", FILE, "the script to write, or `stop`", choices=("stop",)),),
    examples=("record incident.stp", "record stop"),
    details=(
        "The script starts with the commands applied before `record`, so it replays the "
        "whole session; its header names the seed, the start and the `stptui run` line "
        "that replays it to the identical trace. An `expect` that holds while it records "
        "is written too (one that fails is not), so that the script is a test for CI."
    ),
)
def cmd_record(session: Session, call: Call) -> CommandResult:
    """record FILE | record stop"""
    from stptui.commands.recording import Recorder

    target = _file(call)
    rec = session.recorder
    if target == "stop":
        if rec is None:
            raise CommandError("not recording", "record FILE starts a recording")
        session.recorder = None
        rec.close()
        return CommandResult(
            f"recorded {rec.count} command{'s' * (rec.count != 1)} to {rec.path}",
            data={"file": str(rec.path), "commands": rec.count},
        )
    if rec is not None:
        raise CommandError(f"already recording to {rec.path}", "record stop first")
    rec = Recorder.start(session, target)
    session.recorder = rec
    return CommandResult(
        f"recording to {rec.path}; replay it with:\n  {rec.replay}",
        data={"file": str(rec.path), "replay": rec.replay},
    )


def _undo_count(session: Session, call: Call, verb: str, available: int) -> int:
    """The N of `undo [N]` / `redo [N]`: 1 by default, at most what there is."""
    n = 1 if call.args["n"] is None else whole_number(call.args["n"], f"{verb} N")
    if verb == "undo":
        # `redo` only runs commands, which a recording and a trace file follow as any.
        _refuse_rebuild_while_writing(session, verb)
    if available == 0 and verb == "undo":
        raise CommandError(
            "nothing to undo: the simulation is as it was opened",
            "redo applies again what undo took back" if session.redoable() else None,
        )
    if available == 0:
        raise CommandError(
            "nothing to redo: no command was undone since the last one that changed the simulation"
        )
    if n > available:
        things = "command" if available == 1 else f"{available} commands"
        raise CommandError(
            f"only {available} command{'s' * (available != 1)} to {verb}",
            f"{verb} {available} takes back the {things}"
            if verb == "undo"
            else f"{verb} {available} applies the {things} again",
        )
    return n


def _listed(lines: list[str]) -> str:
    return "\n".join(f"  {printable(line)}" for line in lines)


@command(
    "undo",
    "session",
    "Take back the last N commands that changed the simulation (default 1), as if they "
    "had never been typed.",
    args=(Arg("N", COUNT, "how many commands", optional=True),),
    examples=("undo", "undo 3"),
    details=(
        "The simulation is rebuilt by replaying, from the stack's start, the commands before "
        "them (so ids, times and the trace are those the commands gave the first time); "
        "`redo` applies them again until anything else changes the simulation. The stack "
        "and behaviours files, the files the stack's $File and $FileRaw read (and, with "
        "--allow-code, the Python modules the handlers loaded from their folder, helpers "
        "included) must be unchanged since the session opened or was last reloaded. A long "
        "replay shows its progress; Ctrl-C in the REPL, escape in the terminal UI, cancels "
        "it and leaves the session as it was."
    ),
)
def cmd_undo(session: Session, call: Call) -> CommandResult:
    """undo [N]"""
    return undo_rebuild(session, call).run(should_stop=call.should_stop)


def undo_rebuild(session: Session, call: Call) -> Rebuild[CommandResult]:
    """`undo [N]`, checked and planned: its build replays the commands it keeps."""
    n = _undo_count(session, call, "undo", len(session.log))

    def answer(taken: list[str]) -> CommandResult:
        now = iso_ms(session.sim.clock.now)
        return CommandResult(
            f"undid {n} command{'s' * (n != 1)}; now {now}\n{_listed(taken)}",
            data={"undone": taken, "now": now, "commands": len(session.log)},
        )

    return session.rewind(n).then(answer)


@command(
    "redo",
    "session",
    "Apply again the last N commands `undo` took back (default 1).",
    args=(Arg("N", COUNT, "how many commands", optional=True),),
    examples=("redo", "redo 3"),
    details=(
        "In the REPL and the terminal UI the simulation is rebuilt as `undo` rebuilds it: "
        "the session's commands are replayed from the stack's start, then these, which "
        "gives the simulation applying them would. A long replay shows its progress; "
        "Ctrl-C in the REPL, escape in the terminal UI, cancels it and leaves the session "
        "as it was, the commands still to redo. After an edit of the stack or behaviours "
        "file, and in a script, the commands are applied on the simulation as it is."
    ),
)
def cmd_redo(session: Session, call: Call) -> CommandResult:
    """redo [N]"""
    undone = session.redoable()
    n = _undo_count(session, call, "redo", len(undone))
    redo = _RedoRest(session, undone[-n:][::-1], undone[: len(undone) - n], call.resumable)
    # Only a front end that runs on stops it: each line applies whole otherwise, as the
    # redo of a rebuild does.
    if redo.go(call.should_stop if call.resumable and call.should_stop else _never):
        return redo.end()
    return CommandResult(f"redid {redo.done} of {n} so far", resumption=redo)


def _never() -> bool:
    """A stop test that never stops."""
    return False


class _RedoRest(Resumption):
    """`redo` applying its lines on the simulation as it is (see `redo_rebuild`), one by
    one, a long one going on as any does (a front end that runs on). Stopped, the lines
    applied stay, the one going ends where it got, and those not started are still to
    redo."""

    def __init__(
        self, session: Session, lines: list[str], rest: list[str], resumable: bool
    ) -> None:
        super().__init__(session, len(lines), "commands")
        self.todo = lines
        self.rest = rest
        self.resumable = resumable
        self.going: Resumption | None = None

    def _go(self, should_stop: StopTest) -> bool:
        from stptui.commands import execute

        if self.going is not None:
            if not self.going.go(should_stop):
                return False
            self.going.end()
            self.going = None
            self.done += 1
        while self.done < self.total:
            if should_stop():
                return False
            line = self.todo[self.done]
            # Each line replays on the simulation it was first applied to, so it applies again.
            if self.resumable and _verb(line) in RESUMABLE:
                result = execute(self.session, line, should_stop=should_stop, resumable=True)
            else:
                result = execute(self.session, line)
            if result.resumption is not None:
                self.going = result.resumption
                return False
            self.done += 1
        return True

    def _end(self, *, cancelled: bool) -> CommandResult:
        session = self.session
        left = self.todo[self.done :]
        partly = ""
        if self.going is not None:
            self.going.end(cancelled=True)
            self.going = None
            partly = f"\n{printable(left[0])} ran as far as it got: {printable(session.log[-1])}"
            left = left[1:]
        session.undone = self.rest + left[::-1]
        session.undone_at = session.where()
        result = _redone(session, self.todo[: self.done])
        if cancelled:
            result.text = f"stopped; {result.text}{partly}"
            result.data["interrupted"] = True
        return result


def redo_rebuild(session: Session, call: Call) -> Rebuild[CommandResult] | None:
    """`redo [N]`, checked and planned for a front end: its build replays the log and the
    lines it applies again, so that it can run away from the UI, show its progress and be
    cancelled. None where only applying the lines here will do (`execute` then does): a
    stack or behaviours file changed since the session opened (a replay would not give
    the simulation back), or a trace file follows every record (`--trace`), which must get
    the records of the lines applied."""
    n = _undo_count(session, call, "redo", len(session.redoable()))
    if session.changed_inputs() or any(isinstance(sink, JsonlWriter) for sink in session.sinks):
        return None
    return session.reapply(n).then(lambda lines: _redone(session, lines))


def _redone(session: Session, lines: list[str]) -> CommandResult:
    n = len(lines)
    now = iso_ms(session.sim.clock.now)
    return CommandResult(
        f"redid {n} command{'s' * (n != 1)}; now {now}\n{_listed(lines)}",
        data={"redone": lines, "now": now, "commands": len(session.log)},
    )


def _refuse_rebuild_while_writing(session: Session, verb: str) -> None:
    """Refuse to replace the simulation while a file is following it record by record or
    command by command: neither can take back what it wrote."""
    if session.recorder is not None:
        # The script being recorded only appends: it cannot take a line back.
        raise CommandError(
            f"cannot {verb} while recording to {session.recorder.path}", "record stop first"
        )
    if any(isinstance(sink, JsonlWriter) for sink in session.sinks):
        # A trace file streams each record as it happens and cannot take one back.
        raise CommandError(
            f"cannot {verb} while the trace is written to a file (--trace)",
            f"run the script without --trace, or leave {verb} out of it",
        )


# Rows of the changed counts `reload` lists; the rest are summed up in one line.
RELOAD_ROWS = 20


@command(
    "reload",
    "session",
    "Read the stack and behaviours files again and replay this session's commands on them: "
    "the same scenario on the config as it is now.",
    examples=("reload",),
    details=(
        "Edit stacktape.yml (a maxReceiveCount, a schedule, an event pattern) or the "
        "behaviours file, then reload: it lists which records the commands now cause more or "
        "less often than before, and the config's new diagnostics. The files the stack's "
        "$File and $FileRaw read are read again, Python handlers (--allow-code) and the "
        "helpers they import from their folder imported again, and an edited one is named. "
        "A command the new config refuses (a queue renamed) stops the reload, naming it, "
        "and the simulation stays as it was; so does a cancel (Ctrl-C in the REPL, escape "
        "in the terminal UI). The REPL and the terminal UI reload by themselves when one of "
        "these files is saved with other content, unless opened with --no-watch."
    ),
)
def cmd_reload(session: Session, call: Call) -> CommandResult:
    """reload"""
    return reload_rebuild(session, call).run(should_stop=call.should_stop)


def reload_rebuild(session: Session, call: Call) -> Rebuild[CommandResult]:
    """`reload`, checked and planned: its build replays every command on the files now."""
    _refuse_rebuild_while_writing(session, "reload")
    return session.reload().then(lambda old: _reloaded(session, old))


def _reloaded(session: Session, old: Session) -> CommandResult:
    """What `reload` answers: the files, what the commands now cause more or less often,
    the new diagnostics (`old` is the session it replaced)."""
    files = [("stack", old.stack_path, old.stack_sha256, session.stack_sha256)]
    if old.behaviors_path is not None:
        files.append(
            ("behaviours", old.behaviors_path, old.behaviors_sha256, session.behaviors_sha256)
        )
    said = ", ".join(
        f"{path.name} {'changed' if before != after else 'unchanged'}"
        for _, path, before, after in files
    )
    # The files the stack's directives read ($File) and the Python modules (--allow-code:
    # handler modules and their helpers) are named only when they changed: they may be
    # many, and what the line is for is the file edited.
    now_read = session.stack.included_files
    edited = [
        p for p, digest in old.stack.included_files.items() if now_read.get(p, digest) != digest
    ]
    edited += [p for p, digest in old.code_sha256.items() if session.code_sha256.get(p) != digest]
    said += "".join(f", {path.name} changed" for path in edited)
    if old.behaviors_path is None and session.behaviors_path is not None:
        # A behaviours file written next to the stack since it opened without one.
        said += f", {session.behaviors_path.name} found"
    n = len(session.log)
    now = iso_ms(session.sim.clock.now)
    lines = [f"reloaded ({said}): replayed {n} command{'s' * (n != 1)}; now {now}"]
    before, after = old.sim.trace.counts, session.sim.trace.counts
    changed = sorted(
        (kind, resource, before.get((kind, resource), 0), after.get((kind, resource), 0))
        for kind, resource in before.keys() | after.keys()
        if before.get((kind, resource), 0) != after.get((kind, resource), 0)
    )
    if changed:
        rows = [[kind, resource, str(b), str(a)] for kind, resource, b, a in changed]
        shown = render_table(["record", "resource", "before", "after"], rows[:RELOAD_ROWS])
        lines += ["the commands now cause:", *(f"  {row}" for row in shown.splitlines())]
        if len(rows) > RELOAD_ROWS:
            lines.append(f"  ... and {len(rows) - RELOAD_ROWS} more (show trace lists them)")
    else:
        # Counted, not compared field by field: hashing both traces would cost as much as
        # the replay (a payload's content shows in `show message`, `explain`).
        lines.append("the commands cause as many records of each kind as before")
    known = {d.format() for d in old.diagnostics}
    new = [d.format() for d in session.diagnostics if d.format() not in known]
    if new:
        lines.append("new diagnostics:")
        lines += [f"  {line}" for text in new for line in text.splitlines()]
    return CommandResult(
        "\n".join(lines),
        data={
            "now": now,
            "commands": n,
            "changed": [
                {"kind": k, "resource": r, "before": b, "after": a} for k, r, b, a in changed
            ],
            "new_diagnostics": new,
        },
    )


# The commands that rebuild the session, as plans a front end builds where it likes
# (`stptui.commands.plan_rebuild`).
REBUILDS = {
    "undo": undo_rebuild,
    "redo": redo_rebuild,
    "reload": reload_rebuild,
    "load": load_rebuild,
}


@command(
    "help",
    "session",
    "List the commands by what they do, or show one command's usage and examples.",
    args=(
        Arg(
            "COMMAND",
            COMMAND,
            "a command name, or `all` for every command with a line on what it does",
            optional=True,
        ),
    ),
    examples=("help", "help send", "help all"),
    details=(
        "`help` alone fits one 80x24 screen: each group's commands by name. "
        "`help all` is the full listing."
    ),
)
def cmd_help(session: Session, call: Call) -> CommandResult:
    """help [COMMAND | all]"""
    name = call.args["command"]
    return CommandResult(REGISTRY.help(name), data={"command": name})
