"""Start-up cost: what opening a stack loads. A module that only one command's work needs is
imported when that work first happens, so `stptui repl` and `stptui run` start sooner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"

PROBE = f"""
import sys
from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.sim.clock import parse_instant
session = Session.open({str(COMBINED)!r}, start_ms=parse_instant("2026-01-05T08:00:00Z"))
print("email.utils" in sys.modules)
result = execute(session, "http GET /health")
print("email.utils" in sys.modules)
print(render_plain(result))
"""


def test_email_utils_loads_with_the_first_http_response_not_with_the_stack() -> None:
    # email.utils (with socket and calendar) only formats a response's Date header.
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out[:2] == ["False", "True"]
    assert "date: Mon, 05 Jan 2026 08:00:00 GMT" in out[2:]
