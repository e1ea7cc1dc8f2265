"""`record FILE`: the session log written, as it grows, to a script that `stptui run` replays.

The script begins with a header naming what the simulation was made from (stack,
behaviours, seed, start instant, stage, region, and the project name when one was given)
and the exact `stptui run` line that replays it, then the commands applied before the
recording started, then every state-changing command as it is logged, and every `expect`
that held (it changes nothing: the script is then the test the session was). Because the
session log holds only lines that replay exactly (an interrupted `advance` is logged as the
`until` it amounted to), the replayed trace is byte-identical.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from stptui import __version__
from stptui.commands.quoting import NEEDS_ANSI_C, ansi_c_quoted
from stptui.commands.registry import CommandError
from stptui.commands.session import create_temporary, existing_mode, writable_target
from stptui.sim.clock import iso_ms
from stptui.textsafe import one_line

if TYPE_CHECKING:
    from stptui.commands.session import Session


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it lies inside it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


def replay_command(session: Session, script: Path) -> str:
    """The `stptui run` line that replays `script` against the session's stack."""
    words = [
        "stptui",
        "run",
        _shown(session.stack_path),
        _shown(script),
        "--seed",
        str(session.seed),
        "--start",
        iso_ms(session.start_ms),
        # Always named: names and ARNs in the trace depend on them.
        "--stage",
        session.stage,
        "--region",
        session.region,
    ]
    if session.project is not None:
        # Only when given: without it the stack is named as before (serviceName or "app").
        words += ["--project-name", session.project]
    if session.behaviors_path is not None:
        words += ["--behaviors", _shown(session.behaviors_path)]
    if session.allow_code:
        words.append("--allow-code")
    return " ".join(_shell_word(w) for w in words)


def _shell_word(word: str) -> str:
    """`word` as bash reads it back: a control or invisible character (a folder's name from
    a cloned repository) in `$'...'`, as escapes, so that the line, shown or in a file,
    acts on no terminal and pasted is the same word; any other word as `shlex` quotes it."""
    return ansi_c_quoted(word) if NEEDS_ANSI_C.search(word) else shlex.quote(word)


class Recorder:
    """An open script that receives each state-changing command as it is logged."""

    def __init__(self, path: Path, stream: TextIO, replay: str) -> None:
        self.path = path
        self.stream = stream
        self.replay = replay
        self.count = 0

    @classmethod
    def start(cls, session: Session, target: str) -> Recorder:
        """Create (or overwrite) `target` with the header and the commands so far."""
        path = Path(target)
        try:
            if path.is_dir():
                raise CommandError(f"{target} is a directory", "give a file name: record run.stp")
            writable_target(path)
        except OSError as exc:  # a link to itself, a folder on the way we may not enter
            raise CommandError(
                f"cannot write {target}: {exc.strerror or exc}", "record to a file you can write"
            ) from None
        session.refuse_overwriting_inputs(path, "record to another file, e.g. record run.stp")
        replay = replay_command(session, path)
        project = f", project name {session.project}" if session.project is not None else ""
        # The comments name the files and the region as every output shows a value.
        header = [
            f"# Recorded by stptui {__version__} `record`. Replay it to the identical trace with:",
            f"#   {replay} --trace trace.jsonl",
            f"# seed {session.seed}, start {iso_ms(session.start_ms)}, "
            f"stage {session.stage}, region {one_line(session.region)}{project}",
            f"# stack {one_line(_shown(session.stack_path))} (sha256 {session.stack_sha256})",
        ]
        if session.behaviors_path is not None:
            header.append(
                f"# behaviours {one_line(_shown(session.behaviors_path))} "
                f"(sha256 {session.behaviors_sha256})"
            )
        if session.log:
            header.append("# the commands applied before the recording started:")
        try:
            mode = existing_mode(path)
            fd, tmp = create_temporary(path)
        except OSError as exc:
            raise CommandError(
                f"cannot write {target}: {exc.strerror or exc}", "record to a file you can write"
            ) from None
        # newline="\n": the script reads the same on every platform.
        stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        rec = cls(path, stream, replay)
        try:
            stream.write("\n".join(header) + "\n")
            for line in session.log:
                rec.write(line)
            if session.log:
                stream.write("# recorded from here:\n")
            stream.flush()
            if mode is not None:
                os.chmod(tmp, mode)
            # Written beside it first, as `save` writes: a script this replaces is kept
            # whole until the new one holds its header and the commands so far.
            os.replace(tmp, path)
        except OSError as exc:
            stream.close()
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise CommandError(
                f"cannot write {target}: {exc.strerror or exc}", "record to a file you can write"
            ) from None
        return rec

    def write(self, line: str) -> None:
        """Append one logged command and flush, so that a crash loses nothing typed."""
        self.stream.write(line + "\n")
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        """Finish the script."""
        self.stream.close()
