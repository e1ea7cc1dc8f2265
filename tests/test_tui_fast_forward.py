"""Fast-forward (`f`): target parsing, budgeted slices that end at consistent instants, one
replayable `until` line in the session log, and the progress screen with its cancel."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, ProgressBar, Static
from tui_support import START, app_for, drawn_text, drive, session, wait_until

from stptui.commands import CommandError, Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.clock import iso_ms, parse_instant
from stptui.tui.app import StptuiApp
from stptui.tui.fast_forward import MIN_SLICES, Continued, FastForward, parse_target
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.fast_forward import FastForwardScreen

DAY_MS = 24 * 3600 * 1000


def replayed(s: Session, tmp_path: Path) -> Session:
    """The session rebuilt from its saved log, as `load` does."""
    path = tmp_path / "ff.json"
    execute(s, f"save {path}")
    return Session.restore(path)


# -- parsing the target ---------------------------------------------------------------------


def test_a_target_is_a_duration_or_an_instant() -> None:
    assert parse_target("2h", START) == START + 2 * 3600 * 1000
    assert parse_target(" 3d ", START) == START + 3 * DAY_MS
    assert parse_target("2026-01-06T09:00:00Z", START) == parse_instant("2026-01-06T09:00:00Z")
    assert parse_target(iso_ms(START), START) == START


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "say how far"),
        ("tomorrow", "cannot read 'tomorrow' as a duration"),
        ("200", "has no unit"),
        ("2026-13-01T00:00:00Z", "is not an ISO-8601 instant"),
        ("2026-01-04T00:00:00Z", "in the simulation's past"),
        ("9999d", "longer than the 3650-day limit"),
        ("9999-12-31T23:00:00-05:00", "outside the virtual clock's range"),
    ],
)
def test_a_bad_target_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_target(text, START)
    assert message in caught.value.message


def test_a_duration_that_would_pass_the_clocks_end_is_refused() -> None:
    near_end = parse_instant("9999-12-31T00:00:00Z")
    assert parse_target("1h", near_end) == near_end + 3_600_000
    with pytest.raises(CommandError, match=r"past its end, 9999-12-31T23:59:59\.999Z"):
        parse_target("2d", near_end)


# -- slices ---------------------------------------------------------------------------------


def test_a_quiet_run_takes_min_slices_and_logs_one_until() -> None:
    s = session("combined")
    run = FastForward(s, START + 30 * DAY_MS)
    fractions = []
    while not run.done:
        run.slice()
        fractions.append(run.fraction)
        assert len(s.log) == 1 and s.log[0] == f"until {iso_ms(s.sim.clock.now)}"
    assert len(fractions) == MIN_SLICES
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert run.finished and not run.cancelled
    assert s.log == ["until 2026-02-04T08:00:00.000Z"]
    assert run.events == s.sim.clock.events_run > 0
    assert run.summary().startswith("fast-forward reached 2026-02-04T08:00:00.000Z: +30 d of 30 d")
    assert run.slice() == 0  # done: nothing more


def test_budget_cut_slices_stop_at_consistent_instants(tmp_path: Path) -> None:
    s = session()
    execute(s, "fail worker")
    for i in range(400):
        execute(s, f"send jobQueue '{{\"orderId\": {i}}}'")
    # A wall clock that stands still: only the event budget cuts the slices.
    run = FastForward(s, START + 2 * DAY_MS, event_budget=256, min_slices=1, wall_clock=lambda: 0.0)
    ran = [run.slice() for _ in range(3)]
    # The scheduler asks every 256 events; a cut slice also runs what is left of its instant.
    assert all(n >= 256 for n in ran)
    assert not run.done and 0 < run.fraction < 1
    assert s.log[-1] == f"until {iso_ms(s.sim.clock.now)}"
    assert len(s.log) == 402
    fresh = replayed(s, tmp_path)
    assert fresh.sim.clock.now == s.sim.clock.now
    assert trace_sha256(fresh.sim.trace) == trace_sha256(s.sim.trace)


def test_cancel_stops_between_slices_and_the_log_replays(tmp_path: Path) -> None:
    s = session("combined")
    execute(s, 'send jobQueue \'{"orderId": 2, "amount": 5000}\'')
    run = FastForward(s, START + 30 * DAY_MS)
    for _ in range(3):
        run.slice()
    reached = s.sim.clock.now
    run.cancel()
    assert run.cancelled and run.done and run.slice() == 0
    assert s.sim.clock.now == reached < run.target_ms
    assert s.log[-1] == f"until {iso_ms(reached)}"
    assert run.summary().startswith(f"fast-forward stopped at {iso_ms(reached)}")
    fresh = replayed(s, tmp_path)
    assert trace_sha256(fresh.sim.trace) == trace_sha256(s.sim.trace)


def test_cancel_before_any_slice_changes_nothing() -> None:
    s = session()
    run = FastForward(s, START + DAY_MS)
    run.cancel()
    assert s.log == [] and s.sim.clock.now == START


def test_a_recording_gets_the_final_line_once(tmp_path: Path) -> None:
    s = session("combined")
    script = tmp_path / "run.stp"
    execute(s, f"record {script}")
    run = FastForward(s, START + 3 * DAY_MS)
    while not run.done:
        run.slice()
    execute(s, "record stop")
    lines = [ln for ln in script.read_text().splitlines() if not ln.startswith("#")]
    assert lines == ["until 2026-01-08T08:00:00.000Z"]


class FullDisk(io.StringIO):
    """A script file whose writes fail as on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


def test_a_recording_that_cannot_be_written_stops_and_says_so(tmp_path: Path) -> None:
    s = session("combined")
    execute(s, f"record {tmp_path / 'run.stp'}")
    assert s.recorder is not None
    s.recorder.stream = FullDisk()
    run = FastForward(s, START + DAY_MS)
    while not run.done:
        run.slice()
    assert s.recorder is None
    assert s.log == ["until 2026-01-06T08:00:00.000Z"]  # the simulation keeps its run
    assert "recording stopped: cannot write" in run.summary()
    assert "No space left on device" in run.summary()


def test_the_fast_forward_module_needs_no_textual() -> None:
    probe = (
        "import sys, stptui.tui.fast_forward\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# -- the screen -----------------------------------------------------------------------------


def start(app: StptuiApp) -> FastForwardScreen:
    """Start the run typed in the open screen, as enter does, without Pilot's wait for
    idle (a running fast-forward keeps the app busy until it ends)."""
    screen = app.screen
    assert isinstance(screen, FastForwardScreen)
    screen.action_start()
    return screen


async def _wait_closed(pilot: Pilot[None], app: StptuiApp) -> None:
    # For the run's end, not for a time or a count of frames: a loaded machine gets to each
    # frame late.
    await wait_until(
        pilot, lambda: not isinstance(app.screen, FastForwardScreen), "the fast-forward's end"
    )
    # Its dismiss callback (which plays the clock on) runs as the next message: let it.
    await pilot.pause()


def test_f_runs_30_days_with_progress_to_the_end() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("f")
        assert isinstance(app.screen, FastForwardScreen)
        await pilot.press(*"30d")
        assert "until 2026-02-04T08:00:00.000Z (+30 d)" in str(
            app.screen.query_one("#ff-preview", Static).render()
        )
        screen = start(app)
        assert screen.forward is not None
        bar = screen.query_one(ProgressBar)
        assert bar.total == 30 * DAY_MS and 0 < bar.progress < bar.total
        assert "events" in str(screen.query_one("#ff-status", Static).render())
        await _wait_closed(pilot, app)
        assert app.session.sim.clock.now == START + 30 * DAY_MS
        assert app.session.log == ["until 2026-02-04T08:00:00.000Z"]
        assert app.session.sim.function_stats("dailyReport")["invocations"] == 30
        assert not app.live.running

    drive(app_for("combined"), script)


def test_escape_stops_a_30_day_run_at_a_consistent_instant(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command('send jobQueue \'{"orderId": 2, "amount": 5000}\'')
        await pilot.press("f", *"30d")
        start(app)
        # No palette (and so no command) during the run.
        assert not app.check_action("command_palette", ())
        await pilot.press("escape")
        assert not isinstance(app.screen, FastForwardScreen)
        s = app.session
        now = s.sim.clock.now
        assert START < now < START + 30 * DAY_MS
        assert s.log[-1] == f"until {iso_ms(now)}"
        await pilot.pause(0.2)
        assert s.sim.clock.now == now  # stopped: no timer runs on
        fresh = replayed(s, tmp_path)
        assert fresh.sim.clock.now == now
        assert trace_sha256(fresh.sim.trace) == trace_sha256(s.sim.trace)

    drive(app_for("combined"), script)


def test_a_bad_target_shows_its_error_and_runs_nothing() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("f", *"2026-01-01T00:00:00Z", "enter")
        screen = app.screen
        assert isinstance(screen, FastForwardScreen) and screen.forward is None
        preview = screen.query_one("#ff-preview", Static)
        assert preview.has_class("-error")
        assert "in the simulation's past" in str(preview.render())
        screen.query_one(Input).value = "nonsense"
        await pilot.press("ctrl+s")
        assert screen.forward is None
        await pilot.press("escape")
        assert not isinstance(app.screen, FastForwardScreen)
        assert app.session.log == [] and app.session.sim.clock.now == START

    drive(app_for("combined"), script)


def test_a_playing_clock_pauses_for_the_run_and_plays_on() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("space")
        assert app.live.running
        await pilot.press("f")
        assert not app.live.running
        # The clock played for a moment of real time: the hour counts from where it paused.
        paused_at = app.session.sim.clock.now
        await pilot.press(*"1h", "enter")
        await _wait_closed(pilot, app)
        assert app.live.running
        assert f"until {iso_ms(paused_at + 3_600_000)}" in app.session.log
        await pilot.press("space")

    drive(app_for("combined"), script)


def test_only_escape_or_stop_ends_a_run_not_a_stray_enter_or_space() -> None:
    """The Stop button had the focus once the run began: the next enter (pressed twice, or
    held) ended a long run at once. Nothing has the focus while it runs; escape stops it,
    and so does Stop, clicked or tabbed to."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for stop in (["escape"], ["tab", "enter"]):
            # One slice per hour of real time: the run goes on until stopped.
            app.push_screen(FastForwardScreen(app.session, app.flush, frame_s=3600.0))
            await pilot.pause()
            await pilot.press(*"365d", "enter")
            screen = app.screen
            assert isinstance(screen, FastForwardScreen) and screen.forward is not None
            assert "escape" in str(screen.query_one("#ff-stop-hint", Static).render())
            await pilot.press("enter", "space", "enter")
            assert app.screen is screen and not screen.forward.done
            assert not app.live.running  # space did not play the clock behind the dialog
            await pilot.press(*stop)
            assert app.screen is not screen and screen.forward.cancelled
            assert app.session.sim.clock.now < START + 120 * DAY_MS

    drive(app_for("combined"), script)


def test_a_tick_or_an_escape_arriving_after_the_run_ended_changes_nothing() -> None:
    """A tick the interval queued before the run's end stopped it (or an escape pressed as
    it ended) still arrives: a second dismiss crashed the app (`Can't pop screen`)."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("f")
        screen = app.screen
        assert isinstance(screen, FastForwardScreen)
        await pilot.press(*"1h", "enter")
        await _wait_closed(pilot, app)
        ended = app.session.sim.clock.now
        log = list(app.session.log)
        screen.tick()
        screen.action_stop()
        await pilot.pause()
        assert app.screen is app.screen_stack[0]
        assert (app.session.sim.clock.now, app.session.log) == (ended, log)

    drive(app_for("combined"), script)


# -- a long `advance` or `until` typed on the command line ----------------------------------

MINUTE_STACK = """\
resources:
  ticker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: t.ts}}
      events:
        - type: schedule
          properties: {scheduleRate: rate(1 minute)}
"""


def minute_app(tmp_path: Path, budget_s: float) -> StptuiApp:
    """The app on a stack whose function a schedule fires every minute."""
    (tmp_path / "stacktape.yml").write_text(MINUTE_STACK)
    app = StptuiApp(Session.open(tmp_path / "stacktape.yml", start_ms=START))
    app.clock_command_budget_s = budget_s
    # The dialog's slices are cut by their event budget alone, the same on any machine. Cut
    # by the wall clock too, a run on a loaded machine took more, smaller slices, each with
    # a frame's repaint: 60 days of this schedule, 5 slices on an idle machine, outlasted a
    # minute with the cores busy eight times over.
    app.fast_forward_slice_s = math.inf
    return app


def test_an_until_to_the_clocks_end_goes_on_in_the_fast_forward_dialog(tmp_path: Path) -> None:
    # `until 9999-12-31T00:00:00Z` on a stack with a minute's schedule is 4 billion fires,
    # some 15 hours of work: the command line ran it on the UI's thread, the screen frozen
    # with no word and no key to stop it. It now runs there for a moment, then goes on in
    # the fast-forward dialog, whose escape stops it at a consistent instant.
    target = parse_instant("9999-12-31T00:00:00Z")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        result = app.run_command("until 9999-12-31T00:00:00Z")
        reached = app.session.sim.clock.now
        assert START < reached < target
        assert result.text.startswith(
            f"this until is long work: after 0 s the clock is at {iso_ms(reached)} (+"
        )
        assert result.text.endswith(
            "; it goes on to 9999-12-31T00:00:00.000Z in the fast-forward dialog, with its "
            "progress (escape there stops it where it got)"
        )
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FastForwardScreen) and isinstance(screen.forward, Continued)
        assert screen.forward.rest.aim == "to 9999-12-31T00:00:00.000Z"
        # Its slices begin a frame after the dialog opens.
        await wait_until(
            pilot, lambda: app.session.sim.clock.now > reached, "a slice run by the dialog"
        )
        assert not screen.forward.done
        await pilot.press("escape")
        assert not isinstance(app.screen, FastForwardScreen)
        now = app.session.sim.clock.now
        assert reached < now < target
        # One line, which `undo` takes back at once: the instant it was stopped at.
        assert app.session.log == [f"until {iso_ms(now)}"]
        fresh = replayed(app.session, tmp_path)
        assert fresh.sim.clock.now == now
        assert trace_sha256(fresh.sim.trace) == trace_sha256(app.session.sim.trace)

    app = minute_app(tmp_path, 0.0)
    # Stopped after a slice, the run is replayed and its trace hashed: slices of a millisecond
    # (a few hundred events, not the event budget's 20,000) leave little to replay.
    app.fast_forward_slice_s = 0.001
    drive(app, script)


def test_an_advance_typed_on_the_command_line_reaches_its_target_through_the_dialog(
    tmp_path: Path,
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        field = app.screen.query_one("#command-input", Input)
        field.value = "advance 10d"
        # Enter, without Pilot's wait for the app to settle (up to 2 s while the dialog
        # runs): the command line, under the dialog, is read as soon as it says where the
        # run goes on, before the dialog has begun. 10 days of a minute's schedule are 14,400
        # fires, 43,200 events: 3 slices of the event budget's 20,000, a frame each. (Read
        # after Pilot's wait, the run had to outlast it: 120 days, 26 slices.)
        app.simulate_key("enter")

        def under_the_dialog() -> str:
            if not isinstance(app.screen, FastForwardScreen):
                return ""
            output = app.screen_stack[-2].query_one("#command-result", Static)
            # (Its words: a wrapped line goes on indented under its own text.)
            return " ".join(drawn_text(output).split())

        said = "it goes on to 2026-01-15T08:00:00.000Z in the fast-forward"
        await wait_until(pilot, lambda: said in under_the_dialog(), f"{said!r} under the dialog")
        await _wait_closed(pilot, app)
        assert app.session.sim.clock.now == START + 10 * DAY_MS
        assert app.session.sim.function_stats("ticker")["invocations"] == 10 * 24 * 60
        # Once it ends, the command line says how.
        assert "now 2026-01-15T08:00:00.000Z (+10 d)" in drawn_text(
            app.screen.query_one("#command-result")
        )
        assert app.session.log == ["until 2026-01-15T08:00:00.000Z"]

    drive(minute_app(tmp_path, 0.0), script)


def test_a_short_advance_runs_on_the_command_line_as_before(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        result = app.run_command("advance 1h")
        assert result.text == "now 2026-01-05T09:00:00.000Z (+1 h)"
        await pilot.pause()
        assert not isinstance(app.screen, FastForwardScreen)
        assert app.session.log == ["advance 1h"]

    drive(minute_app(tmp_path, 5.0), script)


def test_pasted_commands_after_a_long_advance_wait_for_its_fast_forward(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        line = app.screen
        assert isinstance(line, CommandLineScreen)
        app.post_message(events.Paste("advance 10d\npause ticker"))
        await pilot.pause()
        await pilot.press("enter")
        # The second waits: run now, it would pause the schedule at the instant the first
        # stopped, before the dialog ran the rest of its 10 days (43,200 events: 3 slices).
        # (The command line is read where it is: under the dialog, or on top once the run
        # ended, which a fast machine can reach while Pilot waits for the enter to settle.)
        assert "1 pasted command waits" in drawn_text(line.query_one("#command-result"))
        assert "pause ticker" not in app.session.log
        await _wait_closed(pilot, app)
        assert app.session.sim.clock.now == START + 10 * DAY_MS
        # The schedule fired every minute of the 10 days: nothing paused it on the way.
        assert app.session.sim.function_stats("ticker")["invocations"] == 10 * 24 * 60
        assert "1 pasted command waits" in drawn_text(line.query_one("#command-result"))
        await pilot.press("enter")
        assert app.session.log[-2:] == ["until 2026-01-15T08:00:00.000Z", "pause ticker"]

    drive(minute_app(tmp_path, 0.0), script)
