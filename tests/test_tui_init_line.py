"""The Inspector's page of a handler that runs with the default behaviour (it succeeds in
100 ms and returns null) points to the `stptui init` line that writes a starter behaviours
file, when the session has none: the line the REPL's banner gives (test_cli_idle_stack.py),
with the stack's path as the session was opened with it and its stage options."""

from __future__ import annotations

import contextlib
import io
import shlex
import shutil
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import EXAMPLES, SAMPLES, START, drive, inspector

from stptui.cli import main
from stptui.commands import Session
from stptui.tui.app import StptuiApp


def _page(session: Session, node: str) -> str:
    """The Inspector's page of `node`, as the user who moves onto it sees it."""
    app = StptuiApp(session)
    pages: list[str] = []

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to(node)
        await pilot.pause()
        pages.append(inspector(app))

    drive(app, script)
    return pages[0]


def _init_lines(page: str) -> list[str]:
    return [line for line in page.splitlines() if line.startswith("no behaviours file: ")]


def test_a_function_without_behaviours_points_to_the_init_line_that_runs(
    tmp_path: Path,
) -> None:
    shutil.copy(EXAMPLES / "workflow.yml", tmp_path / "stacktape.yml")
    stack = tmp_path / "stacktape.yml"
    page = _page(Session.open(stack, start_ms=START, stage="prod"), "checkOrder")
    line = f"stptui init {stack} --stage prod"
    assert _init_lines(page) == [f"no behaviours file: {line} writes a starter"]
    # It sits under the declared behaviour it would replace.
    assert page.index("declared: 100 ms; always succeeds (default)") < page.index(line)
    # The line is the command to type: it writes the starter beside the stack.
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(shlex.split(line)[1:]) == 0
    assert (tmp_path / "stptui.yml").is_file()


def test_a_batch_job_and_a_web_service_without_behaviours_point_to_it_too() -> None:
    batch = Session.open(SAMPLES / "batch-job", start_ms=START, default_behaviors=False)
    assert len(_init_lines(_page(batch, "heavyJob"))) == 1
    web = Session.open(EXAMPLES / "web-service.yml", start_ms=START)
    assert _init_lines(_page(web, "web")) == [
        f"no behaviours file: stptui init {EXAMPLES / 'web-service.yml'} writes a starter"
    ]


def test_a_session_with_a_behaviours_file_says_nothing_of_init(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "workflow.yml", tmp_path / "stacktape.yml")
    (tmp_path / "stptui.yml").write_text("behaviors:\n  placeOrder: {duration: 1s}\n", "utf-8")
    # checkOrder, which the file leaves out, runs the default: the file is there to add it to.
    for node in ("placeOrder", "checkOrder"):
        assert _init_lines(_page(Session.open(tmp_path, start_ms=START), node)) == []
