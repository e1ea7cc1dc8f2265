"""The terminal UI's `undo`, `redo`, `reload` and `load` build in a thread worker: the clock bar
shows how far the replay is, the UI answers keys meanwhile, state-changing commands are
refused, escape cancels (the session as it was) and the end is adopted as before.

The worker is held on an Event inside its progress report, so that what the UI does
"meanwhile" is certain, not a race with the worker's speed."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import (
    HANG_S,
    START,
    drawn_text,
    drive,
    real_collector,
    rebuilt,
    session,
    wait_until,
)

from stptui.commands import CommandError, RebuildProgress, Session, execute
from stptui.commands import rebuild as rebuild_module
from stptui.commands.result import render_plain
from stptui.commands.session import trace_sha256
from stptui.sim.clock import parse_instant
from stptui.sim.engine import Simulator
from stptui.tui.app import PANES, StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.widgets.clock_bar import ClockBar

LINES = ["repeat 3000 send jobQueue '{\"orderId\": {i}}'", "advance 10s", "send jobQueue x"]
ROOT = Path(__file__).resolve().parents[1]


class Held:
    """The app's progress report, held at the first report inside the replay's long
    repeat until `release` (a test that fails never leaves the worker waiting for good)."""

    def __init__(self, app: StptuiApp) -> None:
        self.app = app
        self.reached = threading.Event()
        self.release = threading.Event()
        self._report = app.rebuild_progressed
        app.rebuild_progressed = self.report  # type: ignore[method-assign]

    def report(self, progress: RebuildProgress) -> None:
        self._report(progress)
        if 0 < progress.done < 3000 and not self.reached.is_set():
            self.reached.set()
            self.release.wait(HANG_S)

    async def wait(self, pilot: Pilot[None]) -> None:
        """Until the worker is held (the UI's loop runs meanwhile)."""
        await wait_until(
            pilot, self.reached.is_set, "the rebuild's worker reporting from inside the repeat"
        )


def loaded_app(*, undone: int = 0) -> StptuiApp:
    s = session()
    for line in LINES:
        execute(s, line)
    if undone:
        execute(s, f"undo {undone}")
    return StptuiApp(s)


@pytest.fixture(autouse=True)
def every_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rebuild_module, "PROGRESS_EVERY_S", 0.0)


def test_the_ui_answers_keys_and_shows_progress_while_an_undo_builds() -> None:
    app = loaded_app()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        held = Held(app)
        await pilot.press("ctrl+z")
        await held.wait(pilot)
        # The clock bar says how far the replay is, until the worker moves on.
        bar = app.query_one(ClockBar)
        await wait_until(pilot, lambda: "undoing: replaying" in drawn_text(bar), "the bar")
        assert "of 3,001 commands - esc cancels" in drawn_text(bar)
        # A key switches the pane while the worker is still held.
        pane = app.query_one(f"#{PANES['3'][0]}")
        assert app.focused not in pane.query("*")
        await pilot.press("3")
        assert app.focused in pane.query("*") and app.current_pane == "3"
        assert app.rebuilding is not None
        # Reading runs; a command that would change the simulation is refused.
        assert "jobQueue" in render_plain(app.run_command("show queues"))
        with pytest.raises(CommandError, match="send is refused while undo rebuilds"):
            app.run_command("send jobQueue y")
        with pytest.raises(CommandError, match="reload is refused while undo rebuilds"):
            app.run_command("reload")
        assert app.session.log == LINES
        held.release.set()
        await rebuilt(pilot, app)
        assert app.rebuilding is None
        assert app.session.log == LINES[:2]
        assert "undoing" not in drawn_text(bar)
        notes = [n.message for n in app._notifications]
        assert any(n.startswith("undid 1 command; now ") for n in notes), notes
        # The simulation adopted is the one its commands make.
        again = session()
        for line in LINES[:2]:
            execute(again, line)
        assert trace_sha256(app.session.sim.trace) == trace_sha256(again.sim.trace)

    drive(app, script, notifications=True)


def test_escape_cancels_an_undo_and_leaves_the_session_as_it_was() -> None:
    app = loaded_app()
    sim = app.session.sim
    digest = trace_sha256(sim.trace)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        held = Held(app)
        await pilot.press("ctrl+z")
        await held.wait(pilot)
        await pilot.press("escape")
        held.release.set()
        await rebuilt(pilot, app)
        assert app.rebuilding is None
        assert app.session.sim is sim and trace_sha256(sim.trace) == digest
        assert app.session.log == LINES
        notes = [n.message for n in app._notifications]
        assert any("undo cancelled: the session is as it was" in n for n in notes), notes
        # Escape goes back to what it did (nothing runs to cancel), and undo works again.
        await pilot.press("ctrl+z")
        await rebuilt(pilot, app)
        assert app.session.log == LINES[:2]

    drive(app, script, notifications=True)


def test_a_load_refused_in_the_worker_says_what_the_command_would(tmp_path: Path) -> None:
    # The session file's start edited: the refusal has no hint of its own, and the note
    # gives the command's fallback hint, as the same `load` typed in a script does.
    saved = session()
    execute(saved, "send jobQueue x")
    execute(saved, f"save {tmp_path / 's.json'}")
    edited = (tmp_path / "s.json").read_text("utf-8").replace('"start": "2026', '"start": "x2026')
    (tmp_path / "s.json").write_text(edited, "utf-8")
    line = f"load {tmp_path / 's.json'}"
    with pytest.raises(CommandError) as typed:
        execute(session(), line)
    app = loaded_app()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(line)
        await rebuilt(pilot, app)
        assert app.session.log == LINES
        notes = [n.message for n in app._notifications]
        assert typed.value.format() in notes, notes
        assert "`help load` shows its arguments and examples" in typed.value.format()

    drive(app, script, notifications=True)


def test_the_live_clock_holds_while_a_rebuild_runs() -> None:
    app = loaded_app()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        held = Held(app)
        await pilot.press("space")
        await pilot.press("ctrl+z")
        await held.wait(pilot)
        now = app.session.sim.clock.now
        await asyncio.sleep(0.3)
        await pilot.pause()
        assert app.session.sim.clock.now == now
        held.release.set()
        await rebuilt(pilot, app)
        # And it goes on once the undo is adopted.
        assert app.live.running

    drive(app, script)


CODE_STACK = """\
resources:
  jobs: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      connectTo: [jobs]
"""
CODE_HANDLER = """\
import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["STP_JOBS_URL"], MessageBody=json.dumps(event))
    return {"ok": True}
"""
CODE_LINES = ["repeat 40 invoke worker '{\"n\": {i}}'", "advance 1m"]


def test_with_allow_code_a_reload_builds_in_the_background_and_holds_other_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handlers' imports and calls put their folder first on sys.path and swap their
    # modules into sys.modules: while the worker builds, another thread's import of a
    # module not yet loaded waits for it to end, and the rebuilt session is the same.
    (tmp_path / "stacktape.yml").write_text(CODE_STACK, encoding="utf-8")
    (tmp_path / "code_handlers.py").write_text(CODE_HANDLER, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        'behaviors:\n  worker: {duration: 10ms, handler: "code_handlers:handler"}\n',
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "imported_while_rebuilding.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(elsewhere))
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    for line in CODE_LINES:
        execute(s, line)
    digest = trace_sha256(s.sim.trace)
    assert s.sim.trace.count("invocation.succeeded") == 40

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        held = Held(app)
        result = app.run_command("reload")
        assert "rebuilding the simulation in the background" in render_plain(result)
        await held.wait(pilot)
        imported = threading.Event()

        def other_thread() -> None:
            __import__("imported_while_rebuilding")
            imported.set()

        threading.Thread(target=other_thread, daemon=True).start()
        # The UI answers meanwhile; the other thread's import waits for the worker.
        await pilot.press("3")
        await pilot.pause(0.2)
        assert not imported.is_set()
        held.release.set()
        await rebuilt(pilot, app)
        assert imported.wait(HANG_S)
        assert app.session.log == CODE_LINES
        assert trace_sha256(app.session.sim.trace) == digest

    drive(StptuiApp(s), script)


def test_the_clock_bar_while_undoing_is_the_one_the_guide_shows() -> None:
    guide = (ROOT / "docs" / "tui.md").read_text("utf-8")
    shown = guide.split(
        "<!-- clock bar while undoing: tests/test_tui_rebuild.py -->\n```text\n", 1
    )[1]
    shown = shown.split("\n", 1)[0]

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        bar = app.query_one(ClockBar)
        bar.show(
            stack="job-queue-demo-dev",
            now_ms=parse_instant("2026-01-05T09:00:00Z"),
            running=False,
            speed="1x",
            events=31_234,
            status=f"{RebuildProgress('undo', 3120, 10_004).text()} - esc cancels",
        )
        await pilot.pause()
        assert drawn_text(bar).rstrip() == shown.rstrip()

    drive(StptuiApp(session()), script, size=(122, 36))


def test_a_redo_builds_in_the_background_too_and_refuses_what_would_change_the_simulation() -> None:
    app = loaded_app(undone=1)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        held = Held(app)
        await pilot.press("ctrl+y")
        await held.wait(pilot)
        bar = app.query_one(ClockBar)
        await wait_until(pilot, lambda: "redoing: replaying" in drawn_text(bar), "the bar")
        # The log kept (a repeat of 3,000 and an advance) and the line applied again.
        assert "of 3,002 commands - esc cancels" in drawn_text(bar)
        await pilot.press("3")
        assert app.current_pane == "3" and app.rebuilding is not None
        assert "jobQueue" in render_plain(app.run_command("show queues"))
        with pytest.raises(CommandError, match="send is refused while redo rebuilds"):
            app.run_command("send jobQueue y")
        with pytest.raises(CommandError, match="undo is refused while redo rebuilds"):
            app.run_command("undo")
        assert app.session.log == LINES[:2]
        held.release.set()
        await rebuilt(pilot, app)
        assert app.rebuilding is None and app.session.log == LINES
        notes = [n.message for n in app._notifications]
        assert any(n.startswith("redid 1 command; now ") for n in notes), notes
        again = session()
        for line in LINES:
            execute(again, line)
        assert trace_sha256(app.session.sim.trace) == trace_sha256(again.sim.trace)

    drive(app, script, notifications=True)


def test_escape_cancels_a_redo_and_leaves_the_session_and_what_to_redo_as_they_were() -> None:
    app = loaded_app(undone=1)
    sim = app.session.sim
    digest = trace_sha256(sim.trace)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        held = Held(app)
        await pilot.press("ctrl+y")
        await held.wait(pilot)
        await pilot.press("escape")
        held.release.set()
        await rebuilt(pilot, app)
        assert app.session.sim is sim and trace_sha256(sim.trace) == digest
        assert app.session.log == LINES[:2] and app.session.undone == [LINES[2]]
        notes = [n.message for n in app._notifications]
        assert any("redo cancelled: the session is as it was" in n for n in notes), notes
        # And the redo, left alone, applies the line.
        await pilot.press("ctrl+y")
        await rebuilt(pilot, app)
        assert app.session.log == LINES

    drive(app, script, notifications=True)


def test_the_simulations_undo_and_redo_replace_are_freed_and_the_new_one_frozen() -> None:
    # The replaced simulation is taken apart and freed by reference counting (the UI
    # runs no full collection for it), and none stays behind after undos and redos.
    app = loaded_app()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        thawed: list[bool] = []
        freeze = app._freeze_simulation

        def spied(everything: bool) -> None:
            thawed.append(everything)
            freeze(everything)

        app._freeze_simulation = spied  # type: ignore[method-assign]
        replaced: list[weakref.ref[Simulator]] = []
        for key in ("ctrl+z", "ctrl+y", "ctrl+z", "ctrl+z", "ctrl+y"):
            replaced.append(weakref.ref(app.session.sim))
            await pilot.press(key)
            await rebuilt(pilot, app)
            await wait_until(
                pilot, lambda: not app._replaced and gc.isenabled(), "the old simulation freed"
            )
            # Gone without a collection of what is frozen: no thaw, no full collection.
            assert replaced[-1]() is None
            assert thawed == [False] * len(replaced) and gc.get_freeze_count() > 0
        assert app.session.log == LINES[:2]
        assert all(ref() is None for ref in replaced)

    with real_collector():
        drive(app, script)


def test_a_screen_opened_on_the_old_simulation_keeps_it_until_it_closes() -> None:
    # An undo typed on the command line is adopted while that screen is open: what it
    # (or a dialog) holds of the old simulation stays whole until it closes.
    app = loaded_app()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        old = weakref.ref(app.session.sim)
        await pilot.press("colon", *"undo", "enter")
        await rebuilt(pilot, app)
        assert isinstance(app.screen, CommandLineScreen)
        assert app.session.log == LINES[:2]
        await pilot.pause(0.3)
        sim = old()
        assert sim is not None and app._replaced == [sim]
        # Whole: its services answer as they did (the message the undo took back is in
        # its queue, not in the new one's).
        new = app.session.sim
        assert sim.clock.now == new.clock.now
        assert sim.queue_stats("jobQueue")["depth"] == new.queue_stats("jobQueue")["depth"] + 1
        del new
        del sim
        await pilot.press("escape")
        await wait_until(pilot, lambda: old() is None, "the old simulation freed")
        assert not app._replaced

    drive(app, script)


def test_ctrl_z_takes_back_a_whole_run_of_the_clock() -> None:
    # A run the budgets cut short mid-instant was logged `until`, `step N`: ctrl+z took
    # back only the `step`, leaving the clock where the run's `until` had taken it.
    s = session()
    for i in range(300):
        execute(s, f"send jobQueue '{{\"orderId\": {i}}}' --delay 5m")
    sent = trace_sha256(s.sim.trace)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        live = app.live
        live.event_budget = 256
        live.running = True
        live.speed_index = 3  # 600x: a quiet minute, then the messages arrive at 08:05
        live.frame(0.1)
        live.speed_index = 5  # as fast as possible, cut short by the budget
        live.frame(0.05)
        live.running = False
        assert app.session.log[300:] == ["until 2026-01-05T08:01:00.000Z", "step 256"]
        await pilot.press("ctrl+z")
        await rebuilt(pilot, app)
        assert app.session.sim.clock.now == START
        assert len(app.session.log) == 300
        assert trace_sha256(app.session.sim.trace) == sent

    drive(StptuiApp(s), script)
