"""A command's extra help is stored as whole paragraphs, never wrapped at a fixed width, so
that each front end wraps it to its own: `help publish` in a 60-column REPL reads as an
evenly filled paragraph, not lines broken at 88 columns and again at 60."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest

from stptui.commands import REGISTRY, Session
from stptui.commands.docs import render_command
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
FACT = ("FIELDs: ", "count: ")


def test_every_details_line_is_a_whole_paragraph_or_a_fact() -> None:
    for cmd in REGISTRY.commands.values():
        for line in cmd.details.splitlines():
            assert line.endswith(".") or any(f in line for f in FACT), (cmd.name, line)


def test_help_publish_fills_a_narrow_repl(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    session = Session.open(
        ROOT / "stptui/sample_stacks/event-driven", start_ms=parse_instant("2026-01-05T08:00:00Z")
    )
    out = io.StringIO()
    Repl(session, console=make_console(file=out, width=60)).run_line("help publish")
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    start = next(n for n, line in enumerate(lines) if line.startswith("  Each rule on the bus"))
    end = lines.index("", start)
    paragraph = lines[start:end]
    assert " ".join(p.strip() for p in paragraph) == REGISTRY.commands["publish"].details
    # Filled: the next line's first word would not have fitted on the line before it.
    for line, after in itertools.pairwise(paragraph):
        assert len(line) + 1 + len(after.split()[0]) > 60, (line, after)


def test_the_reference_page_keeps_paragraphs_and_lists() -> None:
    http = render_command(REGISTRY.commands["http"])
    paragraphs = REGISTRY.commands["http"].details.split("\n")
    assert len(paragraphs) > 1
    assert "\n" + "\n\n".join(paragraphs) + "\n" in http
    expect = render_command(REGISTRY.commands["expect"])
    assert "\n- queue FIELDs: " in expect and "\n- job (batch job) FIELDs: " in expect
