"""What the terminal UI says as it opens, before the first key: that the config has errors
(which the graph shows only as `(missing)` nodes), with the `stptui validate` line that
lists them, and that nothing in the stack runs on the simulator (the line the CLI and the
REPL print: test_cli_idle_stack.py). Each stays long enough to read."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import START, drive, session

from stptui import cli
from stptui.commands import Session
from stptui.commands.session import idle_note
from stptui.tui import app as app_module
from stptui.tui.app import OPENING_NOTE_S, StptuiApp

ROOT = Path(__file__).resolve().parents[1]
IDLE = ROOT / "docs" / "examples" / "worker-and-database.yml"
GUIDE = ROOT / "docs" / "examples" / "job-queue-guide.yml"


def notifications_on_opening(app: StptuiApp, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """(message, title, severity, timeout) of every notification the app posts as it opens."""
    seen: list[Any] = []

    def notify(message: str, *, title: str = "", severity: str = "information", **kw: Any) -> None:
        seen.append((message, title, severity, kw.get("timeout")))

    monkeypatch.setattr(app, "notify", notify)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.pause()

    drive(app, script)
    return seen


def test_a_worker_and_database_stack_says_nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    app = StptuiApp(Session.open(IDLE, start_ms=START))
    note = idle_note(app.session.stack)
    assert note is not None and "'worker'" in note
    assert notifications_on_opening(app, monkeypatch) == [
        (note, "nothing to run", "information", OPENING_NOTE_S)
    ]


def test_a_stack_that_runs_opens_without_a_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    assert notifications_on_opening(StptuiApp(session("job-queue")), monkeypatch) == []


def test_config_errors_are_an_error_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    line = "1 error in the config; run `stptui validate x.yml`"
    app = StptuiApp(Session.open(GUIDE, start_ms=START), config_errors=line)
    assert notifications_on_opening(app, monkeypatch) == [
        (line, "config errors", "error", OPENING_NOTE_S)
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_stptui_on_a_terminal_passes_the_errors_line_the_ui_shows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[dict[str, Any]] = []

    class Recorded:
        def __init__(self, session: Session, **kwargs: Any) -> None:
            opened.append(kwargs)

        def run(self) -> None:
            pass

    monkeypatch.setattr(app_module, "StptuiApp", Recorded)
    monkeypatch.setattr(cli.sys, "stdin", _Terminal())
    monkeypatch.setattr(cli.sys, "stdout", _Terminal())
    assert cli.main([str(GUIDE), "--stage", "prod"]) == 0
    assert cli.main([str(IDLE)]) == 0
    assert opened == [
        {
            "speed_index": 0,
            "config_errors": f"1 error in the config; run `stptui validate {GUIDE} --stage prod`",
        },
        {"speed_index": 0, "config_errors": None},
    ]
