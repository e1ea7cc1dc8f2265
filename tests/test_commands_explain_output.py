"""`explain` prints its chain once: the chain is the command's text (and its `data`), not
records the command caused, which front ends print after a command's text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"


def test_explain_in_the_repl_prints_its_chain_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    mid = execute(session, """send jobQueue '{"amount":5000}'""").data["message_id"]
    execute(session, "advance 6m")
    out = io.StringIO()
    repl = Repl(session, console=make_console(file=out, width=2000))
    repl.run_line(f"explain {mid[:8]}")
    printed = out.getvalue().splitlines()
    chain = execute(session, f"explain {mid[:8]}")
    assert chain.records == []
    assert len(chain.data["records"]) > 3
    # Every printed line is a line of the chain, each printed once.
    assert [line.rstrip() for line in printed] == chain.text.split("\n")
