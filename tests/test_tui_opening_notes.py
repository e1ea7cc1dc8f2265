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
from tui_support import START, drawn_text, drive, inspector, session

from stptui import cli
from stptui.commands import Session
from stptui.commands.session import idle_note
from stptui.tui import app as app_module
from stptui.tui.app import OPENING_NOTE_S, StptuiApp
from stptui.tui.widgets.inspector_pane import InspectorPane

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
            "watch": True,
        },
        {"speed_index": 0, "config_errors": None, "watch": True},
    ]


# A resource in Stacktape's old syntax (`Type:`, `Properties:`), as some real examples
# still write it, beside a valid one.
OLD_SYNTAX = """\
resources:
  uploads: {type: bucket}
  getPosts:
    Type: function
    Properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
"""


def test_a_resources_config_errors_stay_on_its_inspector_page(tmp_path: Path) -> None:
    """The opening note counts the errors and goes; the page of the resource they are
    about lists them first (`unknown` with no properties written says nothing of why)."""
    (tmp_path / "stacktape.yml").write_text(OLD_SYNTAX, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    assert session.stack.errors

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "getPosts"
        await pilot.pause()
        page = inspector(app).splitlines()
        assert page[0] == "getPosts  unknown"
        # `Type` is one error, its did-you-mean: not also `type` missing.
        start = page.index("Config: 2 errors")
        assert page[start + 1 : start + 3] == [
            "stacktape.yml:4:5: error unknown-property: unknown key `Type` on resource "
            "'getPosts' (only `type`, `properties` and `overrides`); `Type` is an older "
            "Stacktape's capitalised key: write `type`: until then its properties go unchecked",
            "stacktape.yml:5:5: error unknown-property: unknown key `Properties` on resource "
            "'getPosts' (only `type`, `properties` and `overrides`); `Properties` is an older "
            "Stacktape's capitalised key: write `properties`",
        ]
        assert start < page.index("Properties")
        # A resource the config has nothing to say about has no such section.
        app.selected = "uploads"
        await pilot.pause()
        assert not any(line.startswith("Config:") for line in inspector(app).splitlines())

    drive(StptuiApp(session), script)


def test_a_resources_page_lists_8_of_its_config_problems_then_how_many_more(
    tmp_path: Path,
) -> None:
    keys = "\n".join(f"      unknownKey{i}: 1" for i in range(10))
    (tmp_path / "stacktape.yml").write_text(
        f"resources:\n  jobs:\n    type: sqs-queue\n    properties:\n{keys}\n", encoding="utf-8"
    )
    session = Session.open(tmp_path, start_ms=START)
    # Ten unknown keys, and a queue nothing consumes.
    about = [d.code for d in session.stack.diagnostics if d.resource == "jobs"]
    assert sorted(about) == ["queue-no-consumer"] + ["unknown-property"] * 10

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "jobs"
        await pilot.pause()
        page = inspector(app).splitlines()
        start = page.index("Config: 10 errors, 1 warning")
        # As `validate` orders them: by position (the warning is about the queue's name).
        assert "warning queue-no-consumer" in page[start + 1]
        assert all("unknownKey" in line for line in page[start + 2 : start + 9])
        assert page[start + 9] == "… and 3 more: stptui validate lists them all"

    drive(StptuiApp(session), script)


def test_a_long_file_name_keeps_its_line_and_column_together(tmp_path: Path) -> None:
    # Folded at a `:` as a path is, `backend-orders.stacktape.yml:12:` ended a line and
    # `7: error` began the next, which read as another place.
    pad = "\n".join(f"      # line {i}" for i in range(7))
    config = tmp_path / "backend-orders.stacktape.yml"
    config.write_text(
        f"resources:\n  jobs:\n    type: sqs-queue\n    properties:\n{pad}\n      oops: 1\n",
        encoding="utf-8",
    )
    session = Session.open(config, start_ms=START)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "jobs"
        await pilot.pause()
        shown = drawn_text(app.query_one(InspectorPane))
        assert "backend-orders.stacktape.yml:12:7: error" not in shown  # too wide for a line
        # The name on a line, then its line and column whole (drawn lines end in `\n`).
        assert ":12:7: error unknown-property:" in shown, shown

    drive(StptuiApp(session), script)
