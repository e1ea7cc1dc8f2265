"""Standard output that cannot be written (a full disk, `| head` that has gone away): every
sub-command says so in one line, or nothing for a closed pipe, and exits 2 as `stptui run`
does, never with a traceback or an exit code that hides the failure."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"
FULL = "stptui: cannot write the output: No space left on device\n"

COMMANDS = {
    "validate": ["validate", str(JOB_QUEUE)],
    "validate-json": ["validate", str(JOB_QUEUE), "--format", "json"],
    "graph": ["graph", str(JOB_QUEUE)],
    "open-no-tui": [str(JOB_QUEUE), "--no-tui"],
    "match": ["match", '{"source": ["orders"]}', '{"source": "orders"}'],
    "schedule": ["schedule", "rate(1 day)", "--after", START],
}


class _Unwritable(io.StringIO):
    """A standard output that fails as a full disk or a closed pipe does."""

    def __init__(self, errno_: int) -> None:
        super().__init__()
        self.errno = errno_

    def write(self, text: str) -> int:
        raise OSError(self.errno, os.strerror(self.errno))

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize(("errno_", "message"), [(errno.ENOSPC, FULL), (errno.EPIPE, "")])
def test_a_sub_command_whose_output_fails_exits_2_with_one_line(
    name: str,
    errno_: int,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdout", _Unwritable(errno_))
    assert main(COMMANDS[name]) == 2
    assert capsys.readouterr().err == message


@pytest.mark.parametrize(("errno_", "message"), [(errno.ENOSPC, FULL), (errno.EPIPE, "")])
def test_a_piped_repl_whose_output_fails_exits_like_stptui_run(
    errno_: int,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("send jobQueue a\nshow queues\n"))
    monkeypatch.setattr(sys, "stdout", _Unwritable(errno_))
    assert main(["repl", str(JOB_QUEUE), "--start", START]) == 2
    assert capsys.readouterr().err == message


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("name", ["graph", "repl"])
def test_a_full_disk_is_one_line_at_exit_too(name: str) -> None:
    # In a real process the output is buffered: what is still unwritten when stptui returns
    # must not fail again, with a traceback, as Python flushes it on the way out.
    argv = COMMANDS["graph"] if name == "graph" else ["repl", str(JOB_QUEUE), "--start", START]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "stptui", *argv],
            input="show queues\n",
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert (done.returncode, done.stderr) == (2, FULL)
