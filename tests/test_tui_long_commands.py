"""Every command typed on the TUI's command line that can run the simulator for long goes on
in the fast-forward dialog after its budget, as a long `advance` does: `step`, `run`, a burst
`repeat`, `source` (`advance` and `until`: tests/test_tui_fast_forward.py). The screen
answers keys while the command goes on, escape stops it, and what ran is kept as the
session log's line(s), which replay exactly, `undo` takes back as one step, and a recording
gets once."""

from __future__ import annotations

import math
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Button, Input, ProgressBar
from tui_support import START, drawn_text, drive, wait_until

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.tui.app import StptuiApp
from stptui.tui.fast_forward import Continued
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.fast_forward import FastForwardScreen

# A queue whose consumer the tests make fail (its messages come back every 30 s until
# they expire), and a schedule every minute: work that goes on for a long time.
STACK = """\
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: jobs, batchSize: 1}
  ticker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: t.ts}}
      events:
        - type: schedule
          properties: {scheduleRate: rate(1 minute)}
  jobs:
    type: sqs-queue
  parked:
    type: sqs-queue
"""


# A millisecond of wall-clock time for each of the fast-forward dialog's slices (the app's
# is 80 ms; a slowed machine's, smaller): a slice then ends at about the simulator's first
# stop check, a few hundred events (`stptui.sim.clock.STOP_CHECK_EVERY`) a 50 ms frame. The
# command goes on in the dialog, answers keys and stops where it got just the same; but
# with 80 ms slices, thousands of events ran each frame before escape, and
# `replays_exactly` ran them twice again and hashed their trace four times: most of each
# test's time. It also bounds how far a long command gets in the seconds of a test's keys.
# (Not 0: a script's line is begun only while its slice has time left.)
SLICE_S = 0.001


def long_app(tmp_path: Path, *setup: str, slice_s: float = SLICE_S) -> StptuiApp:
    """The app on STACK after the `setup` commands, handing a command over at once to
    slices of `slice_s` of wall-clock time (and the app's event budget)."""
    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    for line in setup:
        execute(session, line)
    app = StptuiApp(session)
    app.clock_command_budget_s = 0.0
    app.fast_forward_slice_s = slice_s
    return app


def replays_exactly(session: Session, tmp_path: Path) -> None:
    """The session's log, saved and loaded, gives the very same simulation."""
    path = tmp_path / "long.json"
    execute(session, f"save {path}")
    fresh = Session.restore(path)
    assert fresh.sim.clock.now == session.sim.clock.now
    assert trace_sha256(fresh.sim.trace) == trace_sha256(session.sim.trace)


async def handed_over(pilot: Pilot[None], app: StptuiApp, line: str) -> Continued:
    """Type `line` on the command line; it goes on in the fast-forward dialog, where a key
    is answered while it runs (tab moves to Stop) and the run keeps going."""
    await pilot.press("colon")
    app.screen.query_one("#command-input", Input).value = line
    # Enter, without Pilot's wait for the app to settle (up to 2 s while the command goes
    # on): the dialog is looked at as soon as it runs the command.
    app.simulate_key("enter")
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, FastForwardScreen) and app.screen.has_class("-running"),
        "the fast-forward dialog running the command",
    )
    screen = app.screen
    assert isinstance(screen, FastForwardScreen) and isinstance(screen.forward, Continued)
    run = screen.forward
    assert not run.done
    trace = app.session.sim.trace
    before = trace.seq
    await pilot.press("tab")
    assert screen.focused is screen.query_one("#ff-stop", Button)
    await wait_until(pilot, lambda: trace.seq > before, "a slice after the key")
    assert not run.done
    return run


async def stopped(pilot: Pilot[None], app: StptuiApp) -> str:
    """Escape stops the command; what the command line then says of it."""
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, CommandLineScreen)
    return " ".join(drawn_text(app.screen.query_one("#command-result")).split())


def test_a_long_step_goes_on_in_the_dialog_and_stops_as_one_step_line(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        run = await handed_over(pilot, app, "step 100000000")
        said = await stopped(pilot, app)
        ran = run.rest.done
        assert 0 < ran < 100_000_000
        assert said.startswith(f"stopped; ran {ran} events; now ")
        assert app.session.log == [f"step {ran}"]
        replays_exactly(app.session, tmp_path)

    drive(long_app(tmp_path), script)


def test_a_long_run_goes_on_in_the_dialog_and_stops_as_the_events_it_ran(
    tmp_path: Path,
) -> None:
    setup = ("fail worker", "repeat 200 send jobs 'm{i}'")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        events = app.session.sim.clock.events_run
        await handed_over(pilot, app, "run --max 14d")
        said = await stopped(pilot, app)
        assert said.startswith("stopped; now ")
        # `run --max 14d` would not stop where this one did: the events it ran replay it.
        ran = app.session.sim.clock.events_run - events
        assert app.session.log[2:] == [f"step {ran}"]
        replays_exactly(app.session, tmp_path)

    drive(long_app(tmp_path, *setup), script)


def test_a_long_repeat_goes_on_as_one_repeat_and_is_recorded_once(tmp_path: Path) -> None:
    recording = tmp_path / "rec.stp"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        execute(app.session, f"record {recording}")
        run = await handed_over(pilot, app, "repeat 1000000 send parked 'n{i}'")
        said = await stopped(pilot, app)
        made = run.rest.done
        assert 0 < made < 1_000_000
        assert f"stopped after {made:,}; repeat-1: 1,000,000 × send parked n{{i}}" in said
        # One repeat, finished once: its numbers run on, and `explain` says what the log has.
        assert app.session.log == [f"repeat {made} send parked n{{i}}"]
        assert app.session.sim.queues["parked"].depth == made
        assert "completed" in execute(app.session, "explain repeat-1").text
        execute(app.session, "record stop")
        commands = [line for line in recording.read_text().splitlines() if line and line[0] != "#"]
        assert commands == [f"repeat {made} send parked n{{i}}"]
        replays_exactly(app.session, tmp_path)
        # `undo` takes the whole of it back, as one command.
        execute(app.session, "undo")
        assert app.session.log == []
        assert app.session.sim.queues["parked"].depth == 0

    drive(long_app(tmp_path), script)


def test_a_long_source_goes_on_and_stops_in_the_line_that_runs(tmp_path: Path) -> None:
    (tmp_path / "s.stp").write_text(
        "send parked first\nstep 100000000\nsend parked third\npause ticker\n"
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        run = await handed_over(pilot, app, f"source {tmp_path / 's.stp'}")
        assert run.rest.status().startswith("1 of 4 commands, at ")
        # The bar shows the commands done: a quarter, and the part of the step done.
        assert app.screen.query_one(ProgressBar).progress >= 250
        said = await stopped(pilot, app)
        log = app.session.log
        assert log[0] == "send parked first" and log[1].startswith("step ") and len(log) == 2
        assert (
            f"ran 2 of 4 commands; stopped in {tmp_path / 's.stp'}:2, which ran as far as it "
            "got; 2 commands after it not run"
        ) in said
        # The commands after it did not run: the schedule is not paused.
        assert not any(r.paused for r in app.session.sim.services["schedules"].rules)
        replays_exactly(app.session, tmp_path)

    drive(long_app(tmp_path), script)


def test_a_source_handed_over_between_its_commands_runs_to_its_end(tmp_path: Path) -> None:
    # Handed over as soon as its budget is spent, between two commands or inside the
    # `advance` (14,400 fires, 43,200 events: over twice a slice's event budget of 20,000,
    # so it takes slices whatever the machine), it goes on to its end. The slices are cut by
    # their event budget alone: cut by a loaded machine's wall clock, they were many more.
    (tmp_path / "s.stp").write_text("send parked a\nadvance 10d\nsend parked b\n")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        app.screen.query_one("#command-input", Input).value = f"source {tmp_path / 's.stp'}"
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: not isinstance(app.screen, FastForwardScreen), "the source's end"
        )
        await pilot.pause()
        said = " ".join(drawn_text(app.screen.query_one("#command-result")).split())
        assert said.endswith(f"{tmp_path / 's.stp'}: ran 3 of 3 commands")
        assert app.session.log == [
            "send parked a",
            "until 2026-01-15T08:00:00.000Z",
            "send parked b",
        ]
        replays_exactly(app.session, tmp_path)

    drive(long_app(tmp_path, slice_s=math.inf), script)


def test_quitting_while_a_command_goes_on_records_what_it_ran(tmp_path: Path) -> None:
    recording = tmp_path / "rec.stp"
    app = long_app(tmp_path)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        execute(app.session, f"record {recording}")
        await handed_over(pilot, app, "step 100000000")
        app.exit()
        await pilot.pause()

    drive(app, script)
    (logged,) = app.session.log
    assert logged.startswith("step ")
    commands = [line for line in recording.read_text().splitlines() if line and line[0] != "#"]
    assert commands == [logged]


def test_a_repeat_every_d_arms_at_once_and_the_clock_makes_it_in_the_dialog(
    tmp_path: Path,
) -> None:
    # `--every` only arms the repetitions: the line answers at once, and the `advance`
    # that makes them is the command that goes on.
    line = "repeat 500000 --every 1s send parked 'e{i}'"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        app.screen.query_one("#command-input", Input).value = line
        await pilot.press("enter")
        assert isinstance(app.screen, CommandLineScreen)
        assert app.session.log == [line]
        await pilot.press("escape")
        await handed_over(pilot, app, "advance 5d")
        said = await stopped(pilot, app)
        assert said.startswith("stopped; now ")
        reached = app.session.log[-1]
        assert app.session.log == [line, reached] and reached.startswith("until ")
        replays_exactly(app.session, tmp_path)

    drive(long_app(tmp_path), script)


def test_a_redo_applied_in_place_goes_on_in_the_dialog(tmp_path: Path) -> None:
    # After an edit of the stack, `redo` applies its commands on the simulation as it is,
    # here, rather than rebuilding in the background: a long one goes on as any does. The
    # setup runs it whole once: 30 days of the schedule, 129,600 events, some ten times what
    # the dialog's slices (SLICE_S) get through before escape (a year took 20 s to set up).
    app = long_app(tmp_path, "send parked x", "advance 30d", "undo 2")
    with (tmp_path / "stacktape.yml").open("a") as stack:
        stack.write("# edited\n")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await handed_over(pilot, app, "redo 2")
        said = await stopped(pilot, app)
        assert said.startswith("stopped; redid 1 command; now ")
        reached = app.session.log[-1]
        assert app.session.log == ["send parked x", reached] and reached.startswith("until ")
        assert f"advance 30d ran as far as it got: {reached}" in said
        (tmp_path / "stacktape.yml").write_text(STACK)
        replays_exactly(app.session, tmp_path)

    drive(app, script)
