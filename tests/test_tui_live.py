"""The live clock: speeds, budgeted slices and the replayable session log."""

from __future__ import annotations

import json
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from tui_support import SAMPLES, session

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.clock import MAX_MS, iso_ms, parse_instant
from stptui.tui.live import SPEEDS, LiveClock, speed_label


def test_speed_labels_and_bounds() -> None:
    assert [speed_label(s) for s in SPEEDS] == ["1x", "10x", "60x", "600x", "3600x", "max"]
    clock = LiveClock(session())
    clock.slower()
    assert clock.speed == 1
    for _ in range(10):
        clock.faster()
    assert clock.speed is None


def test_a_paused_clock_does_nothing() -> None:
    s = session()
    before = s.sim.clock.now
    assert LiveClock(s).frame(1.0) == 0
    assert s.sim.clock.now == before
    assert s.log == []


def test_slices_merge_into_one_replayable_until() -> None:
    s = session()
    execute(s, "send jobQueue '{\"amount\": 5000}'")
    clock = LiveClock(s, speed_index=SPEEDS.index(60))
    clock.running = True
    for _ in range(20):
        clock.frame(0.5)
    assert s.sim.clock.now - s.start_ms == 20 * 30_000
    assert s.log == ["send jobQueue '{\"amount\": 5000}'", "until 2026-01-05T08:10:00.000Z"]


def test_a_budget_stop_logs_steps_that_replay_exactly(tmp_path: Path) -> None:
    s = session()
    for i in range(300):
        execute(s, f'send jobQueue \'{{"orderId": {i}, "amount": {i * 10}}}\'')
    # The scheduler asks should_stop every 256 events, so budgets are multiples of that.
    clock = LiveClock(s, speed_index=len(SPEEDS) - 1, event_budget=256)
    clock.running = True
    ran = [clock.frame(0.05) for _ in range(3)]
    assert ran == [256, 256, 256]
    assert s.log[-1] == "step 768"
    path = tmp_path / "live.json"
    execute(s, f"save {path}")
    fresh = Session.restore(path)
    assert fresh.sim.clock.now == s.sim.clock.now
    assert trace_sha256(fresh.sim.trace) == trace_sha256(s.sim.trace)
    assert json.loads(path.read_text())["commands"][-1] == "step 768"


def test_a_command_between_slices_starts_a_new_log_line() -> None:
    s = session()
    clock = LiveClock(s, speed_index=SPEEDS.index(60))
    clock.running = True
    clock.frame(1.0)
    clock.frame(1.0)
    execute(s, "send jobQueue '{\"amount\": 1}'")
    clock.frame(1.0)
    clock.frame(1.0)
    assert s.log == [
        "until 2026-01-05T08:02:00.000Z",
        "send jobQueue '{\"amount\": 1}'",
        "until 2026-01-05T08:04:00.000Z",
    ]


def recorded(script: Path) -> list[str]:
    """The commands of a script `record` wrote."""
    return [ln for ln in script.read_text().splitlines() if ln and not ln.startswith("#")]


def test_a_recording_gets_each_live_line_once_it_is_final(tmp_path: Path) -> None:
    s = session()
    script = tmp_path / "live.stp"
    execute(s, f"record {script}")
    clock = LiveClock(s, speed_index=SPEEDS.index(60))
    clock.running = True
    clock.frame(1.0)
    clock.frame(1.0)
    assert recorded(script) == []  # still growing
    assert clock.commit() is None  # the clock paused
    clock.frame(1.0)
    clock.commit()  # a command is about to run
    execute(s, "send jobQueue '{\"amount\": 1}'")
    execute(s, "record stop")
    assert (
        recorded(script)
        == s.log
        == [
            "until 2026-01-05T08:02:00.000Z",
            "until 2026-01-05T08:03:00.000Z",
            "send jobQueue '{\"amount\": 1}'",
        ]
    )


def test_a_running_clock_stops_at_the_end_of_its_range(tmp_path: Path) -> None:
    s = Session.open(SAMPLES / "job-queue", start_ms=parse_instant("9999-12-31T23:00:00Z"))
    for speed_index in (SPEEDS.index(3600), len(SPEEDS) - 1):
        clock = LiveClock(s, speed_index=speed_index)
        clock.running = True
        for _ in range(3):
            clock.frame(1.0)
        assert s.sim.clock.now == MAX_MS
        assert clock.running is False
        assert s.log[-1] == "until 9999-12-31T23:59:59.999Z"
    path = tmp_path / "end.json"
    execute(s, f"save {path}")
    assert Session.restore(path).sim.clock.now == MAX_MS


def test_a_run_cut_short_is_one_until_line_once_the_clock_pauses(tmp_path: Path) -> None:
    # A busy run at full speed is cut short by its budgets mid-instant (`until`, then
    # `step`): once paused, the rest of that instant runs and the run is one line, so
    # that `undo` takes back all of it and a recording gets what the log has.
    s = session()
    script = tmp_path / "run.stp"
    execute(s, f"record {script}")
    for i in range(300):
        execute(s, f'send jobQueue \'{{"orderId": {i}, "amount": {i * 10}}}\' --delay 5m')
    clock = LiveClock(s, speed_index=SPEEDS.index(60), event_budget=256)
    clock.running = True
    clock.frame(1.0)  # a quiet minute: `until 08:01`
    clock.speed_index = len(SPEEDS) - 1
    clock.frame(0.05)  # the messages arrive at 08:05: cut short
    assert s.log[-2:] == ["until 2026-01-05T08:01:00.000Z", "step 256"]
    clock.running = False
    assert clock.commit() is None
    assert s.log[300:] == [f"until {iso_ms(s.sim.clock.now)}"]
    execute(s, "record stop")
    assert recorded(script) == s.log
    path = tmp_path / "run.json"
    execute(s, f"save {path}")
    assert trace_sha256(Session.restore(path).sim.trace) == trace_sha256(s.sim.trace)
    execute(s, "undo")
    assert s.sim.clock.now == s.start_ms
    assert len(s.log) == 300
