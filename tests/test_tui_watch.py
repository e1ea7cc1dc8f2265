"""Pilot tests of the terminal UI's reload on save (`stptui STACK`, unless --no-watch): a
saved stack is reloaded as ctrl+r reloads it, with a note of what changed and what the
reload did; an edit that breaks the stack is a note with where, and the session stays. The
watcher's clock is the test's, moved by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import START, drawn_text, drive, rebuilt

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.widgets.queues_pane import QueuesPane

JOB_QUEUE = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "job-queue"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def look(pilot: Pilot[None], app: StptuiApp) -> None:
    """One look at the files, as the app's timer takes it, ended (and any reload it
    started, built and adopted)."""
    await rebuilt(pilot, app)
    app._watch_inputs()
    await rebuilt(pilot, app)
    await rebuilt(pilot, app)


def notes(app: StptuiApp) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


def test_a_saved_stack_is_reloaded_with_a_note_and_a_broken_one_is_not(tmp_path: Path) -> None:
    shutil.copytree(JOB_QUEUE, tmp_path / "stack")
    config = tmp_path / "stack" / "stacktape.yml"
    text = config.read_text("utf-8")
    session = Session.open(tmp_path / "stack", start_ms=START)
    app = StptuiApp(session, watch=True)
    clock = Clock()
    assert app.watcher is not None
    app.watcher.clock = clock

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"send jobQueue '{\"id\": 1}'", "enter", "escape")
        await look(pilot, app)
        config.write_text(text.replace("maxReceiveCount: 3", "maxReceiveCount: 4"))
        await look(pilot, app)
        assert not any("changed on disk" in title for title, _ in notes(app))
        clock.now += 1
        await look(pilot, app)
        said = dict(notes(app))
        assert said["stacktape.yml changed on disk: reloaded"].startswith(
            "reloaded (stacktape.yml changed, stptui.yml unchanged): replayed 1 command"
        )
        redrive = app.session.stack.resources["jobQueue"].properties["redrivePolicy"]
        assert redrive["maxReceiveCount"] == 4
        # The user's commands were replayed on it: the message is still there.
        assert app.session.log == ["send jobQueue '{\"id\": 1}'"]
        queues = app.query_one(QueuesPane)
        assert "jobQueue: 1 message" in drawn_text(queues.query_one("#message-caption"))
        # A save that breaks the stack: said, with where, and the session stays.
        sim = app.session.sim
        config.write_text(text.replace("    type: sqs-queue\n", "    type: [sqs-queue\n", 1))
        await look(pilot, app)
        clock.now += 1
        await look(pilot, app)
        said = dict(notes(app))
        refused = said["stacktape.yml changed on disk: not reloaded"]
        assert "cannot reload: cannot read the stack" in refused
        assert "stacktape.yml:34:15: error yaml-syntax" in refused
        assert app.session.sim is sim
        # Not tried again while the file stays so.
        clock.now += 1
        await look(pilot, app)
        assert app.session.sim is sim

    drive(app, script, notifications=True)
