"""The REPL's line for a failure record keeps what failed in sight: its `error` and
`error_message` come first among its fields, and a line too wide for the terminal goes on
once, under its kind, instead of being cut before the message (an on-call dogfood: at 80
columns `invocation.failed worker invocation_id=... duration_ms=2000 error=Payment…` hid
the one thing the user came for)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory

from stptui.commands import Session
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.repl.printer import Printer
from stptui.sim.clock import parse_instant
from stptui.sim.trace import Record

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


def _declined_order(width: int) -> list[str]:
    """What the REPL prints, `width` columns wide, for an order the worker declines."""
    out = io.StringIO()
    repl = Repl(
        Session.open(STACK, start_ms=T0),
        console=make_console(file=out, width=width),
        history=InMemoryHistory(),
    )
    repl.run_line("""send jobQueue '{"orderId": 2, "amount": 5000}'""")
    repl.run_line("advance 1m")
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_at_80_columns_the_error_and_its_message_are_on_screen() -> None:
    lines = _declined_order(80)
    i = next(i for i, line in enumerate(lines) if " invocation.failed " in line)
    assert lines[i] == "  01-05 08:00:02.000 invocation.failed worker error=PaymentDeclined"
    # The second line goes on under the kind, and is cut at the width as any record is.
    assert lines[i + 1] == (
        "                     error_message=amount over the limit invocation_id=468f6a19…"
    )
    assert all(len(line) <= 80 for line in lines)


def test_at_120_columns_the_message_is_whole_on_the_first_line() -> None:
    lines = _declined_order(120)
    i = next(i for i, line in enumerate(lines) if " invocation.failed " in line)
    assert lines[i] == (
        "  01-05 08:00:02.000 invocation.failed worker error=PaymentDeclined "
        "error_message=amount over the limit"
    )
    assert (
        lines[i + 1] == "                     invocation_id=468f6a19 duration_ms=2000 timeout=false"
    )


def test_a_record_without_an_error_stays_on_one_line_cut_at_the_width() -> None:
    lines = _declined_order(80)
    started = [line for line in lines if " invocation.started " in line]
    assert started == [
        "  01-05 08:00:00.000 invocation.started worker invocation_id=468f6a19 trigger=s…"
    ]
    # The line after it is a record of its own, not a continuation.
    i = lines.index(started[0])
    assert lines[i + 1].startswith("  01-05 ")


def _printed(rec: Record, width: int) -> list[str]:
    out = io.StringIO()
    Printer(make_console(file=out, width=width)).records([rec])
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_a_long_message_takes_two_lines_at_most() -> None:
    rec = Record(
        1,
        T0,
        "invocation.failed",
        "worker",
        {
            "invocation_id": "x",
            "duration_ms": 5,
            "error": "Error",
            "error_message": "word " * 10_000,
            "timeout": False,
        },
    )
    lines = _printed(rec, 80)
    assert len(lines) == 2
    assert lines[0].startswith("  01-05 08:00:00.000 invocation.failed worker error=Error ")
    assert lines[1].startswith(" " * 21 + "word") and lines[1].endswith("…")
    assert all(len(line) <= 80 for line in lines)


def test_a_null_error_is_not_put_first_nor_wrapped() -> None:
    # A callback that succeeded has `error` null: no failure to show first.
    rec = Record(
        1,
        T0,
        "sfn.task.callback",
        "flow",
        {
            "execution_arn": "arn",
            "state": "Wait",
            "token": "t" * 90,
            "outcome": "success",
            "error": None,
            "source": "command",
        },
    )
    lines = _printed(rec, 80)
    assert len(lines) == 1
    assert lines[0].startswith("  01-05 08:00:00.000 sfn.task.callback flow execution_arn=arn")


def test_hostile_error_text_stays_on_its_lines() -> None:
    rec = Record(
        1,
        T0,
        "invocation.failed",
        "worker",
        {"error": "Bad\x1b[31m", "error_message": "line\nbreak \u202e" + "x " * 60},
    )
    lines = _printed(rec, 80)
    assert len(lines) == 2
    assert "\x1b" not in "".join(lines) and "\u202e" not in "".join(lines)
    assert lines[0].startswith("  01-05 08:00:00.000 invocation.failed worker error=Bad\\x1b[31m")


def test_at_40_columns_the_break_comes_after_the_kind_not_inside_the_resource() -> None:
    rec = Record(1, T0, "invocation.failed", "worker", {"error": "Bad", "error_message": "no"})
    assert _printed(rec, 40) == [
        "  01-05 08:00:00.000 invocation.failed",
        "    worker error=Bad error_message=no",
    ]
