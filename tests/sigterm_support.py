"""SIGTERM in tests of `stptui run` and a piped `stptui repl`: a real process terminated as
a CI runner does (conftest's `sigterm_guard` keeps the test process alive for a run in it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def terminated_after(args: list[str], script: str, answer: str) -> tuple[int, str]:
    """Run `stptui ARGS` with `script` on its standard input, send it SIGTERM once a line of
    its output starts with `answer` (the run then waits for its next line, or is ending the
    last), and return its exit code and what it wrote to stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "stptui", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(script)
    proc.stdin.flush()
    for line in proc.stdout:
        if line.startswith(answer):
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err
