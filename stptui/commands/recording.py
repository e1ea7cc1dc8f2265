"""`record FILE`: the session log written, as it grows, to a script that `stptui run` replays.

The script begins with a header naming what the simulation was made from (stack,
behaviours, seed, start instant, stage, region, and the project name when one was given)
and the exact `stptui run` line that replays it, then the commands applied before the
recording started, then every state-changing command as it is logged. Because the session
log holds only lines that replay exactly (an interrupted `advance` is logged as the `until`
it amounted to), the replayed trace is byte-identical.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from stptui import __version__
from stptui.commands.registry import CommandError
from stptui.commands.session import writable_target
from stptui.sim.clock import iso_ms

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
    return shlex.join(words)


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
        if path.is_dir():
            raise CommandError(f"{target} is a directory", "give a file name: record run.stp")
        writable_target(path)
        session.refuse_overwriting_inputs(path, "record to another file, e.g. record run.stp")
        replay = replay_command(session, path)
        project = f", project name {session.project}" if session.project is not None else ""
        header = [
            f"# Recorded by stptui {__version__} `record`. Replay it to the identical trace with:",
            f"#   {replay} --trace trace.jsonl",
            f"# seed {session.seed}, start {iso_ms(session.start_ms)}, "
            f"stage {session.stage}, region {session.region}{project}",
            f"# stack {_shown(session.stack_path)} (sha256 {session.stack_sha256})",
        ]
        if session.behaviors_path is not None:
            header.append(
                f"# behaviours {_shown(session.behaviors_path)} (sha256 {session.behaviors_sha256})"
            )
        if session.log:
            header.append("# the commands applied before the recording started:")
        try:
            # newline="\n": the script reads the same on every platform.
            stream = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(
                f"cannot write {target}: {exc.strerror or exc}", "record to a file you can write"
            ) from None
        rec = cls(path, stream, replay)
        try:
            stream.write("\n".join(header) + "\n")
            for line in session.log:
                rec.write(line)
        except OSError as exc:
            stream.close()
            raise CommandError(
                f"cannot write {target}: {exc.strerror or exc}", "record to a file you can write"
            ) from None
        if session.log:
            stream.write("# recorded from here:\n")
            stream.flush()
        return rec

    def write(self, line: str) -> None:
        """Append one logged command and flush, so that a crash loses nothing typed."""
        self.stream.write(line + "\n")
        self.stream.flush()
        self.count += 1

    def close(self) -> None:
        """Finish the script."""
        self.stream.close()
