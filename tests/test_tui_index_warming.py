"""The terminal UI brings the trace's index (which `show message` and `explain` read) up to
date between frames while the clock stands, so that the first look after a long run does
not index the whole run at once on the UI's thread; what the looks say is the same."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import START, drive, session

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.sim.trace_index import TraceIndex, trace_index
from stptui.tui import app as tui_app
from stptui.tui.app import StptuiApp
from stptui.tui.screens.output_page import OutputPage
from stptui.tui.widgets.line_views import TextView
from stptui.tui.widgets.queues_pane import MessageList

SEND = 'repeat {n} send jobQueue \'{{"orderId": {{i}}, "amount": 10}}\''


def warming_steps(
    monkeypatch: pytest.MonkeyPatch, *, chunk: int, gap_s: float, wait_s: float
) -> list[int]:
    """The steps the app's warming of the trace's index takes from now on (each the most
    records it is asked to index), made small: `chunk` records a step, `gap_s` between
    steps, `wait_s` while the clock runs, no time budget."""
    monkeypatch.setattr(tui_app, "WARM_STEP_S", 0.0)
    monkeypatch.setattr(tui_app, "WARM_CHUNK", chunk)
    monkeypatch.setattr(tui_app, "WARM_GAP_S", gap_s)
    monkeypatch.setattr(tui_app, "WARM_WAIT_S", wait_s)
    steps: list[int] = []
    warm = TraceIndex.warm

    def counted(index: TraceIndex, most: int) -> bool:
        steps.append(most)
        return warm(index, most)

    monkeypatch.setattr(TraceIndex, "warm", counted)
    return steps


def test_the_index_is_warmed_in_steps_while_the_clock_stands_and_reads_as_a_cold_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small steps, so that warming takes many of them and records land part of the way.
    steps = warming_steps(monkeypatch, chunk=400, gap_s=0.03, wait_s=0.02)
    s = session()
    execute(s, SEND.format(n=1500))
    execute(s, "advance 1h")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        trace = app.session.sim.trace
        index = trace_index(trace)
        for _ in range(300):
            if len(steps) >= 5:
                break
            await pilot.pause(0.01)
        assert len(steps) >= 5 and index.behind > 0
        # The simulator runs between two steps: its records are indexed by later ones.
        app.run_command(SEND.format(n=300))
        app.run_command("advance 10m")
        # Not while the clock runs: that time is the simulator's.
        app.action_toggle_run()
        await pilot.pause(0.05)
        held = len(steps)
        await pilot.pause(0.1)
        assert len(steps) == held
        app.action_toggle_run()
        for _ in range(1000):
            if not index.behind:
                break
            await pilot.pause(0.01)
        assert index.behind == 0 and len(steps) > 20
        # A look reads as it does in a session that never warmed: the log replayed.
        cold = Session.open(app.session.stack_path, start_ms=START)
        for line in app.session.log:
            execute(cold, line)
        assert cold.sim.trace.seq == trace.seq > 9_000
        mids = sorted(trace_index(cold.sim.trace).named_messages())
        for mid in mids[:: len(mids) // 12]:
            for look in ("show message", "explain"):
                got = execute(app.session, f"{look} {mid}").data
                assert got == execute(cold, f"{look} {mid}").data
        # And enter on a message of the Queues pane shows what `show message` says.
        for one in (app.session, cold):
            execute(one, SEND.format(n=3))
        app.flush()
        app.jump_to("jobQueue")
        await pilot.press("2", "tab")
        messages = app.screen.focused
        assert isinstance(messages, MessageList) and messages.rows
        await pilot.press("enter")
        page = app.screen
        assert isinstance(page, OutputPage)
        view = page.query_one(TextView)
        for _ in range(250):
            if view.text.plain:
                break
            await pilot.pause(0.02)
        mid = view.text.plain.split()[1]
        assert view.text.plain == render_plain(execute(cold, f"show message {mid}"))

    drive(StptuiApp(s), script)
