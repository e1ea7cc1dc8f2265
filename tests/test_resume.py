"""A long command a front end stops for now and runs on in parts (`execute(...,
resumable=True)`, the terminal UI's one-second budget): run to its end it leaves the very
trace the command run at once leaves; stopped, its log replays exactly where it got."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stptui.commands import CommandError, CommandResult, Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")
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
"""
# Work enough for many parts: 40 messages failing and coming back every 30 s. Each long
# line of LINES runs in 8 parts or more, its stops falling after every kind of record they
# fell after with 100 messages (an invocation's start or failure, a message's return), at
# two fifths of the work.
SETUP = ("fail worker", "repeat 40 send jobs 'm{i}'")


def opened(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    for line in SETUP:
        execute(session, line)
    return session


def every(n: int) -> Callable[[], bool]:
    """A stop test that says stop on every n-th question (a part every n * 256 events)."""
    asked = 0

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked % n == 0

    return stop


def in_parts(session: Session, line: str, *, parts: int | None = None) -> CommandResult:
    """Run `line` stopped every few hundred events and run on, to its end or, after
    `parts` parts, stopped for good."""
    result = execute(session, line, should_stop=every(2), resumable=True)
    rest = result.resumption
    assert rest is not None, "the command ended in one part: give it more work"
    n = 0
    while not rest.go(every(3)):
        n += 1
        if parts is not None and n == parts:
            return rest.end(cancelled=True)
    assert parts is None, "the command ended before it was stopped"
    return rest.end()


def replayed(session: Session) -> Session:
    """A fresh session that ran the session's log."""
    fresh = Session.open(session.stack_path, start_ms=START)
    for line in session.log:
        execute(fresh, line)
    return fresh


LINES = [
    "advance 1h",
    "until 2026-01-05T09:00:00Z",
    "step 6000",
    "run --max 1h",
    "repeat 5000 send jobs 'n{i}'",
]


@pytest.mark.parametrize("line", LINES)
def test_a_command_run_in_parts_leaves_the_trace_it_leaves_at_once(
    tmp_path: Path, line: str
) -> None:
    at_once = opened(tmp_path)
    said = execute(at_once, line)
    parts = opened(tmp_path)
    ended = in_parts(parts, line)
    assert trace_sha256(parts.sim.trace) == trace_sha256(at_once.sim.trace)
    assert parts.sim.clock.now == at_once.sim.clock.now
    # One line, which `undo` takes back at once, and which replays it.
    assert len(parts.log) == len(at_once.log)
    assert trace_sha256(replayed(parts).sim.trace) == trace_sha256(at_once.sim.trace)
    if not line.startswith(("advance", "run")):
        assert ended.text == said.text


@pytest.mark.parametrize("line", LINES)
def test_a_command_stopped_in_parts_is_logged_as_one_line_that_replays(
    tmp_path: Path, line: str
) -> None:
    session = opened(tmp_path)
    ended = in_parts(session, line, parts=2)
    assert ended.text.startswith("stopped")
    assert ended.data["interrupted"] is True
    assert len(session.log) == len(SETUP) + 1
    fresh = replayed(session)
    assert fresh.sim.clock.now == session.sim.clock.now
    assert trace_sha256(fresh.sim.trace) == trace_sha256(session.sim.trace)


def test_a_script_run_in_parts_logs_each_of_its_commands(tmp_path: Path) -> None:
    script = tmp_path / "s.stp"
    script.write_text("send jobs a\nadvance 1h\nstep 10000\nsend jobs b\n")
    at_once = opened(tmp_path)
    said = execute(at_once, f"source {script}")
    parts = opened(tmp_path)
    ended = in_parts(parts, f"source {script}")
    assert ended.text.splitlines()[-1] == said.text.splitlines()[-1]
    assert trace_sha256(parts.sim.trace) == trace_sha256(at_once.sim.trace)
    assert parts.log == [*SETUP, "send jobs a", "until 2026-01-05T09:00:00.000Z", *at_once.log[-2:]]


def test_a_script_stopped_in_parts_names_the_line_and_runs_none_after_it(
    tmp_path: Path,
) -> None:
    script = tmp_path / "s.stp"
    script.write_text("send jobs a\nstep 900000\nsend jobs b\npause ticker\n")
    session = opened(tmp_path)
    ended = in_parts(session, f"source {script}", parts=3)
    assert ended.text.splitlines()[-1] == (
        f"{script}: ran 2 of 4 commands; stopped in {script}:2, which ran as far as it got; "
        "2 commands after it not run"
    )
    assert session.log[len(SETUP) :][0] == "send jobs a"
    assert session.log[-1].startswith("step ") and len(session.log) == len(SETUP) + 2
    fresh = replayed(session)
    assert trace_sha256(fresh.sim.trace) == trace_sha256(session.sim.trace)


def test_a_scripts_progress_counts_the_command_that_goes_on_in_part(tmp_path: Path) -> None:
    script = tmp_path / "s.stp"
    script.write_text("send jobs a\nstep 15000\nsend jobs b\nsend jobs c\n")
    session = opened(tmp_path)
    rest = execute(session, f"source {script}", should_stop=every(2), resumable=True).resumption
    assert rest is not None
    rest.go(every(3))
    assert rest.status().startswith(f"1 of 4 commands, at {script}:2 (step: ")
    assert 0.25 < rest.fraction() < 0.5


def test_a_script_whose_command_fails_as_it_goes_on_says_where(tmp_path: Path) -> None:
    script = tmp_path / "s.stp"
    script.write_text("step 10000\nsend nosuch x\nsend jobs b\n")
    session = opened(tmp_path)
    rest = execute(session, f"source {script}", should_stop=every(2), resumable=True).resumption
    assert rest is not None
    with pytest.raises(CommandError) as failed:
        while not rest.go(every(3)):
            pass
    assert failed.value.message.startswith(f"{script}:2:")
    ended = rest.end(cancelled=True)
    assert ended.text.splitlines()[-1] == (
        f"{script}: ran 1 of 3 commands; stopped before {script}:3, which was not run"
    )
    assert session.log[len(SETUP) :] == ["step 10000"]


def test_a_front_end_that_does_not_run_on_gets_no_resumption(tmp_path: Path) -> None:
    # The REPL's Ctrl-C: the command ends where it got, as before.
    session = opened(tmp_path)
    result = execute(session, "step 15000", should_stop=every(2))
    assert result.resumption is None and result.data["interrupted"] is True
    assert session.log[-1] == f"step {result.data['ran']}"


def test_a_redo_applied_on_the_simulation_as_it_is_goes_on_and_stops(tmp_path: Path) -> None:
    # After an edit of the stack, `redo` applies its lines here (no rebuild): a long one
    # goes on as any does; stopped, the lines not started are still to redo.
    session = opened(tmp_path)
    for line in ("advance 1h", "send jobs x", "step 15000"):
        execute(session, line)
    execute(session, "undo 3")
    with (tmp_path / "stacktape.yml").open("a") as stack:
        stack.write("# edited\n")
    result = execute(session, "redo 3", should_stop=every(2), resumable=True)
    rest = result.resumption
    assert rest is not None
    rest.go(every(3))
    ended = rest.end(cancelled=True)
    assert ended.data["interrupted"] is True
    assert ended.text.startswith("stopped; redid ")
    assert session.log[:2] == [*SETUP][:2]
    assert session.log[len(SETUP)].startswith("until ")
    # `advance 1h` ran as far as it got; `send jobs x` and `step 15000` are still to redo.
    assert session.redoable() == ["step 15000", "send jobs x"]
    execute(session, "redo 2")
    assert session.log[-2:] == ["send jobs x", "step 15000"]
