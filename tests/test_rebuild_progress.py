"""A rebuild (`undo`, `redo`, `reload`, `load`) split into building, which touches nothing of the
session and may run on another thread, and adopting: the same trace either way, progress
that counts a repeat's repetitions, and a cancel (or failure) at any point that leaves the
session exactly as it was."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import (
    CommandError,
    RebuildCancelled,
    RebuildProgress,
    Session,
    execute,
    plan_rebuild,
)
from stptui.commands import rebuild as rebuild_module
from stptui.commands.session import trace_sha256
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")
LINES = [
    "fail worker rate 0.3",
    'repeat 600 send jobQueue \'{"orderId": {i}, "amount": 20}\'',
    "advance 2m",
    "repeat 50 --every 1s send jobQueue '{\"orderId\": {i}}'",
    "advance 1m",
    "send jobQueue '{\"orderId\": 0}'",
]


@pytest.fixture(autouse=True)
def every_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every poll of a replay reports its progress (not once per 50 ms): the reports, and
    so the points a test cancels at, do not depend on the machine's speed."""
    monkeypatch.setattr(rebuild_module, "PROGRESS_EVERY_S", 0.0)


def opened(lines: list[str] = LINES) -> Session:
    session = Session.open(JOB_QUEUE, start_ms=T0)
    for line in lines:
        execute(session, line)
    return session


def fingerprint(session: Session) -> tuple[object, ...]:
    """What a cancelled rebuild must leave alone: the simulation itself, its trace, its
    clock, the log and what redo would apply."""
    sim = session.sim
    return (
        id(sim),
        trace_sha256(sim.trace),
        sim.clock.now,
        sim.clock.events_run,
        list(session.log),
        list(session.undone),
    )


def test_a_build_on_another_thread_gives_the_trace_of_one_on_this_thread() -> None:
    here, there = opened(), opened()
    plan_here = plan_rebuild(here, "undo 2")
    plan_there = plan_rebuild(there, "undo 2")
    assert plan_here is not None and plan_there is not None
    plan_here.run()
    worker = threading.Thread(target=plan_there.build)
    worker.start()
    worker.join()
    plan_there.adopt()
    assert trace_sha256(there.sim.trace) == trace_sha256(here.sim.trace)
    assert there.sim.clock.now == here.sim.clock.now
    assert there.log == here.log == LINES[:-2]
    # And both are the session of the commands kept, opened afresh.
    assert trace_sha256(opened(LINES[:-2]).sim.trace) == trace_sha256(here.sim.trace)


def test_progress_counts_each_repetition_and_ends_at_the_total() -> None:
    session = opened()
    plan = plan_rebuild(session, "undo")
    assert plan is not None
    seen: list[RebuildProgress] = []
    plan.run(progress=seen.append)
    # Five lines kept, two of them repeats of 600 and 50: 3 + 650 commands.
    assert {p.total for p in seen} == {653}
    assert seen[0].done == 0 and seen[-1].done == 653
    done = [p.done for p in seen]
    assert done == sorted(done)
    # Reported within the burst of 600, not only between lines.
    assert any(1 < d < 600 for d in done)
    assert seen[-1].text() == "undoing: replaying 653 of 653 commands"


def test_a_repeat_with_its_option_first_counts_its_repetitions_in_the_total() -> None:
    # `--every D` may come before N: the total still counts the repeat as N commands.
    session = opened(
        ["repeat --every 1s 50 send jobQueue x", "advance 1m", "repeat 100 send jobQueue y"]
    )
    plan = plan_rebuild(session, "reload")
    assert plan is not None
    seen: list[RebuildProgress] = []
    plan.run(progress=seen.append)
    assert {p.total for p in seen} == {151}
    # Before the last repeat runs, its 100 are still to come: not reported as done.
    assert seen[-1].done == 151 and any(p.done == 51 for p in seen)


@pytest.mark.parametrize("verb", ["undo", "redo"])
@settings(max_examples=15, deadline=None)
@given(at=st.integers(min_value=1, max_value=10))
def test_a_cancel_at_any_point_leaves_the_session_as_it_was(verb: str, at: int) -> None:
    session = opened(LINES[:3]) if verb == "undo" else undone(LINES[:3], 1)
    before = fingerprint(session)
    plan = plan_rebuild(session, verb)
    assert plan is not None
    reports = [0]

    def progress(_: RebuildProgress) -> None:
        reports[0] += 1
        if reports[0] == at:
            plan.cancel()

    try:
        plan.run(progress=progress)
    except RebuildCancelled as exc:
        assert exc.message == f"{verb} cancelled: the session is as it was"
        # The log and the redo list too: the same command, uncancelled, still applies.
        assert fingerprint(session) == before
        execute(session, verb)
    else:
        # The replay ended before its `at`-th report: nothing was cancelled.
        assert reports[0] < at
    assert session.log == (LINES[:2] if verb == "undo" else LINES[:3])


def test_a_cancel_inside_a_long_command_stops_it_there() -> None:
    session = opened(["repeat 5000 send jobQueue x", "advance 1s"])
    before = fingerprint(session)
    plan = plan_rebuild(session, "undo")
    assert plan is not None
    seen: list[int] = []

    def progress(p: RebuildProgress) -> None:
        seen.append(p.done)
        if p.done >= 1000:
            plan.cancel()

    with pytest.raises(RebuildCancelled):
        plan.run(progress=progress)
    # The repeat polls every 256 repetitions: it stopped soon after the cancel.
    assert seen[-1] < 1300
    assert fingerprint(session) == before


def test_the_front_ends_stop_test_cancels_too() -> None:
    session = opened(LINES[:3])
    before = fingerprint(session)
    plan = plan_rebuild(session, "reload")
    assert plan is not None
    with pytest.raises(RebuildCancelled, match="reload cancelled"):
        plan.run(should_stop=lambda: True)
    assert fingerprint(session) == before


def test_a_cancel_after_the_build_is_not_adopted() -> None:
    session = opened(LINES[:3])
    before = fingerprint(session)
    plan = plan_rebuild(session, "undo")
    assert plan is not None
    plan.build()
    plan.cancel()
    with pytest.raises(RebuildCancelled):
        plan.adopt()
    assert fingerprint(session) == before


def test_a_session_changed_during_the_build_is_not_replaced() -> None:
    session = opened(LINES[:3])
    plan = plan_rebuild(session, "undo")
    assert plan is not None
    plan.build()
    execute(session, "advance 1s")
    before = fingerprint(session)
    with pytest.raises(CommandError, match="the simulation changed while it was rebuilt"):
        plan.adopt()
    assert fingerprint(session) == before


def test_a_load_cancelled_leaves_the_session_as_it_was(tmp_path: Path) -> None:
    saved = opened()
    execute(saved, f"save {tmp_path / 's.json'}")
    session = opened(LINES[:1])
    before = fingerprint(session)
    plan = plan_rebuild(session, f"load {tmp_path / 's.json'}")
    assert plan is not None
    seen: list[RebuildProgress] = []

    def progress(p: RebuildProgress) -> None:
        seen.append(p)
        if p.done > 100:
            plan.cancel()

    with pytest.raises(RebuildCancelled, match="load cancelled"):
        plan.run(progress=progress)
    assert fingerprint(session) == before
    assert seen[0].text() == "loading: replaying 0 of 654 commands"


def test_a_failed_build_leaves_the_session_as_it_was(tmp_path: Path) -> None:
    stack = tmp_path / "stack"
    stack.mkdir()
    config = stack / "stacktape.yml"
    config.write_text((JOB_QUEUE / "stacktape.yml").read_text("utf-8"), "utf-8")
    session = Session.open(stack, start_ms=T0, default_behaviors=False)
    execute(session, "send jobQueue x")
    before = fingerprint(session)
    config.write_text(config.read_text("utf-8").replace("jobQueue", "jobsQueue"), "utf-8")
    plan = plan_rebuild(session, "reload")
    assert plan is not None
    with pytest.raises(CommandError, match=r"cannot reload: command 1 \('send jobQueue x'\)"):
        plan.build()
    assert fingerprint(session) == before


def test_plan_rebuild_is_none_for_other_commands_and_checks_as_execute_does() -> None:
    session = opened(LINES[:2])
    assert plan_rebuild(session, "send jobQueue x") is None
    assert plan_rebuild(session, "  # a comment") is None
    with pytest.raises(CommandError, match="nothing to redo"):
        plan_rebuild(session, "redo")
    with pytest.raises(CommandError, match="only 2 commands to undo") as caught:
        plan_rebuild(session, "undo 5")
    assert caught.value.hint == "undo 2 takes back the 2 commands"
    assert session.log == LINES[:2]


def test_a_replay_keeps_what_the_process_froze_frozen() -> None:
    # The TUI freezes its simulation out of the collector; a replay must not thaw it.
    session = opened(LINES[:3])
    gc.freeze()
    try:
        execute(session, "undo")
        # (Frozen objects the undo freed are no longer counted: a thaw would leave none.)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    # And one in a process that froze nothing thaws what it froze.
    execute(session, "redo")
    execute(session, "undo")
    assert gc.get_freeze_count() == 0


def test_a_replay_after_the_start_up_froze_its_modules_still_freezes_the_simulation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The CLI freezes the modules it imported to start (`freeze_start_up`), no simulation:
    # a replay keeps the simulation it replaces out of the collector all the same, and then
    # thaws, as in a process that froze nothing.
    session = opened(LINES[:3])
    monkeypatch.setattr(rebuild_module, "_frozen_at_start", 0)
    try:
        rebuild_module.freeze_start_up()
        frozen = gc.freeze
        calls: list[int] = []

        def counted() -> None:
            calls.append(gc.get_freeze_count())
            frozen()

        monkeypatch.setattr(gc, "freeze", counted)
        execute(session, "undo")
        assert len(calls) == 1
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_a_rebuild_built_apart_refuses_as_the_command_does(tmp_path: Path) -> None:
    # A session file whose start was edited: the refusal has no hint of its own, so the
    # command's fallback hint is given, whether `load` runs through `execute` (a script)
    # or its rebuild is built apart (the REPL's progress line, the TUI's worker thread).
    saved = opened(LINES[:1])
    execute(saved, f"save {tmp_path / 's.json'}")
    edited = (tmp_path / "s.json").read_text("utf-8").replace('"start": "2026', '"start": "x2026')
    (tmp_path / "s.json").write_text(edited, "utf-8")
    session = opened(LINES[:1])
    line = f"load {tmp_path / 's.json'}"
    with pytest.raises(CommandError) as run:
        execute(session, line)
    plan = plan_rebuild(session, line)
    assert plan is not None
    with pytest.raises(CommandError) as built:
        plan.build()
    assert run.value.hint == "`help load` shows its arguments and examples"
    assert built.value.format() == run.value.format()


def undone(lines: list[str] = LINES, n: int = 2) -> Session:
    session = opened(lines)
    execute(session, f"undo {n}")
    return session


def test_a_redo_built_on_another_thread_gives_the_trace_of_one_applied_here() -> None:
    # `execute` applies the lines on the session's own simulation; the plan replays the
    # log and then the lines on a new one, in a thread: the same simulation either way.
    here, there = undone(), undone()
    answered = execute(here, "redo 2")
    plan = plan_rebuild(there, "redo 2")
    assert plan is not None
    worker = threading.Thread(target=plan.build)
    worker.start()
    worker.join()
    assert plan.adopt().text == answered.text
    assert answered.text.startswith("redid 2 commands; now 2026-01-05T08:03:00.000Z")
    assert trace_sha256(there.sim.trace) == trace_sha256(here.sim.trace)
    assert there.sim.clock.now == here.sim.clock.now
    assert there.log == here.log == LINES
    # What is left to redo, and where it may be redone from, are the same too.
    execute(here, "undo 3")
    execute(there, "undo 3")
    assert plan_rebuild(there, "redo").run().text == execute(here, "redo").text  # type: ignore[union-attr]
    assert there.undone == here.undone == [LINES[5], LINES[4]]
    assert there.log == here.log == LINES[:4]


def test_a_redos_progress_counts_the_log_and_the_lines_it_applies() -> None:
    session = undone()
    plan = plan_rebuild(session, "redo")
    assert plan is not None
    seen: list[RebuildProgress] = []
    plan.run(progress=seen.append)
    # The four lines kept (repeats of 600 and 50 among them) and the one applied again.
    assert {p.total for p in seen} == {653}
    assert seen[0].done == 0 and any(1 < p.done < 600 for p in seen)
    assert seen[-1].text() == "redoing: replaying 653 of 653 commands"
    assert session.log == LINES[:5]


def test_a_redo_is_not_adopted_once_the_session_moved() -> None:
    session = undone(LINES[:3], 1)
    plan = plan_rebuild(session, "redo")
    assert plan is not None
    plan.build()
    # A reading command moves nothing; the redo still applies.
    execute(session, "show queues")
    assert plan.adopt().text.startswith("redid 1 command")
    execute(session, "undo")
    plan = plan_rebuild(session, "redo")
    assert plan is not None
    plan.build()
    execute(session, "advance 1s")
    before = fingerprint(session)
    with pytest.raises(CommandError, match="the simulation changed while it was rebuilt"):
        plan.adopt()
    assert fingerprint(session) == before


def test_a_redo_goes_to_the_recording_as_the_lines_applied_here_do(tmp_path: Path) -> None:
    session = undone(LINES[:3], 2)
    execute(session, f"record {tmp_path / 'r.stp'}")
    plan = plan_rebuild(session, "redo 2")
    assert plan is not None
    plan.run()
    execute(session, "record stop")
    script = (tmp_path / "r.stp").read_text("utf-8")
    assert script.rstrip().endswith(f"{LINES[1]}\n{LINES[2]}")


def test_a_redo_on_changed_files_is_left_to_execute_which_applies_it_here(
    tmp_path: Path,
) -> None:
    # A replay on the edited stack would not give the simulation back: the lines are
    # applied on the simulation as it is, as `execute` always did.
    stack = tmp_path / "stack"
    stack.mkdir()
    config = stack / "stacktape.yml"
    config.write_text((JOB_QUEUE / "stacktape.yml").read_text("utf-8"), "utf-8")
    session = Session.open(stack, start_ms=T0, default_behaviors=False)
    execute(session, "send jobQueue x")
    execute(session, "undo")
    config.write_text(config.read_text("utf-8") + "\n# edited\n", "utf-8")
    assert plan_rebuild(session, "redo") is None
    sim = session.sim
    assert execute(session, "redo").text.startswith("redid 1 command")
    assert session.sim is sim and session.log == ["send jobQueue x"]
