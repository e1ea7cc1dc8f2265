"""The help line Tab shows beside a function counts its invocations in words that agree:
`1 invocation`, `2 invocations`."""

from __future__ import annotations

from pathlib import Path

from replkit import metas

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"


def test_one_invocation_is_singular_and_more_plural() -> None:
    s = Session.open(SAMPLES / "job-queue", start_ms=parse_instant("2026-01-05T08:00:00Z"))
    execute(s, "invoke api '{}'")
    assert metas(s, "show function ")["api"] == "function: 1 invocation, 0 failed"
    execute(s, "invoke api '{}'")
    assert metas(s, "show function ")["api"] == "function: 2 invocations, 0 failed"
