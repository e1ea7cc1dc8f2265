"""The terminal UI driving Step Functions without typing commands: the answer-task dialog
(`a`) for callback tasks, `r` redriving an execution (from its Events row or its state
machine), and the Inspector's Map Runs, nested executions and batch jobs; with the two
rough edges fixed beside them (the Queues pane's cursor and the app's selection, the main
footer under a dialog). On docs/examples: workflow-callback.yml, photo-batch.yml and
report-jobs.yml (docs/state-machines.md)."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_one_app import on_one_app, steps_at
from tui_support import (
    EXAMPLES,
    START,
    app_for,
    drive,
    example_session,
    inspector,
    records_of,
    screen_text,
    shown,
)

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim import trace as tk
from stptui.sim.trace import Trace
from stptui.tui.app import StptuiApp
from stptui.tui.screens.answer_dialog import AnswerTaskDialog
from stptui.tui.widgets.events_pane import RecordList

SMALL = 'start-execution orderApproval \'{"orderId": "o-1", "amount": 120}\' --name small'
BIG = 'start-execution orderApproval \'{"orderId": "o-2", "amount": 5000}\' --name big'


def notes(app: StptuiApp) -> list[str]:
    """The messages of the notifications the app has shown, oldest first."""
    return [n.message for n in app._notifications]


def replayed(name: str, lines: list[str]) -> str:
    """The trace digest of the lines typed into a fresh session of example `name`."""
    typed = example_session(name)
    for line in lines:
        execute(typed, line)
    return trace_sha256(typed.sim.trace)


# -- the answer-task dialog (a) -------------------------------------------------------------


def test_a_answers_the_selected_machines_waiting_task_with_an_output_checked_as_typed() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("orderApproval")
        app.run_command(SMALL)
        app.run_command("advance 5s")
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AnswerTaskDialog)
        assert app.focused is dialog.query_one("#answer-output")
        hint = shown(app, "#answer-hint")
        assert "state Ship of execution small (orderApproval), waiting since 08:00:00.200" in hint
        assert "heartbeat every 600 s" in hint
        assert "a success's output goes to $.shipment (ResultPath)" in hint
        assert "(answered as small)" in hint
        area = dialog.query_one("#answer-output", TextArea)
        area.text = '{"trackingId": '
        await pilot.pause()
        assert shown(app, "#answer-error").startswith("InvalidOutput: the output is not valid JSON")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, AnswerTaskDialog)
        assert app.session.log == [SMALL, "advance 5s"]
        area.text = '{"trackingId": "T-1"}'
        await pilot.pause()
        assert shown(app, "#answer-error") == ""
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, AnswerTaskDialog)
        line = 'send-task-success small \'{"trackingId": "T-1"}\''
        assert app.session.log == [SMALL, "advance 5s", line]
        # Exactly what typing the line does.
        assert replayed("workflow-callback", app.session.log) == trace_sha256(app.session.sim.trace)
        assert "small SUCCEEDED" in inspector(app)
        assert "Waiting for a task token" not in inspector(app)

    drive(StptuiApp(example_session("workflow-callback")), script)


def test_a_fails_or_heartbeats_the_task_of_the_events_row() -> None:
    # The clock stays at the start: approver has not run, both executions wait in
    # RequestApproval, one task each.
    session = example_session("workflow-callback")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # The machine is selected, but the focused Events pane's row decides.
        app.jump_to("orderApproval")
        app.run_command(SMALL)
        app.run_command(BIG)
        waiting = records_of(app.session, tk.SFN_TASK_WAITING)
        assert [r.data["execution_arn"].rsplit(":", 1)[1] for r in waiting] == ["small", "big"]
        # The row of big's task, in the Events pane (focused): the dialog opens on it.
        await pilot.press("3", "end")
        events = app.query_one(RecordList)
        while events.selected is not None and events.selected.kind != tk.SFN_TASK_WAITING:
            await pilot.press("up")
        assert events.selected is waiting[1] or events.selected == waiting[1]
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AnswerTaskDialog)
        assert dialog.query_one("#answer-task", Select).value == waiting[1].data["token"]
        dialog.query_one("#answer-kind", Select).value = "send-task-failure"
        await pilot.pause()
        assert not dialog.query_one("#answer-success").display
        dialog.query_one("#answer-fail-error", Input).value = "Rejected"
        dialog.query_one("#answer-fail-cause", Input).value = "x" * 32_769
        await pilot.pause()
        assert shown(app, "#answer-error") == (
            "ValidationException: the cause is 32,769 characters; at most 32,768"
        )
        dialog.query_one("#answer-fail-cause", Input).value = "over the limit"
        await pilot.pause()
        assert shown(app, "#answer-error") == ""
        await pilot.press("ctrl+s")
        fail = "send-task-failure big --error Rejected --cause 'over the limit'"
        assert app.session.log[-1] == fail
        # The catch sends big to NotApproved; small still waits, and a heartbeat is one key.
        assert "big FAILED" in inspector(app)
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AnswerTaskDialog)
        assert dialog.query_one("#answer-task", Select).value == waiting[0].data["token"]
        dialog.query_one("#answer-kind", Select).value = "send-task-heartbeat"
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.session.log[-1] == "send-task-heartbeat small"
        (beat,) = records_of(app.session, tk.SFN_TASK_CALLBACK)[-1:]
        assert beat.data["outcome"] == "heartbeat" and beat.data["source"] == "command"

    drive(StptuiApp(session), script)


def test_a_refusal_shows_in_the_dialog_and_changes_nothing() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("orderApproval")
        app.run_command(SMALL)
        app.run_command("advance 5s")
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AnswerTaskDialog)
        # The task is answered meanwhile (a script, a handler): the command refuses.
        execute(app.session, "send-task-success small")
        log, seq = list(app.session.log), app.session.sim.trace.seq
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, AnswerTaskDialog)
        assert shown(app, "#answer-error").startswith(
            "execution small has no task waiting for a token (SUCCEEDED)"
        )
        assert app.session.log == log and app.session.sim.trace.seq == seq

    drive(StptuiApp(example_session("workflow-callback")), script)


async def a_with_no_task_waiting_says_so(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("a")
    await pilot.pause()
    assert not isinstance(app.screen, AnswerTaskDialog)
    assert notes(app)[0].startswith("no task waits for a task token now")
    assert app.session.log == []


def test_a_is_not_offered_without_callback_tasks() -> None:
    # workflow.yml's tasks invoke functions and wait for them: nothing to answer, no key.
    app = StptuiApp(example_session("workflow"))
    assert app.check_action("start_execution", ()) is True
    assert app.check_action("answer_task", ()) is False


def test_a_task_whose_execution_name_is_ambiguous_is_named_by_its_token() -> None:
    session = example_session("workflow-callback")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("orderApproval")
        app.run_command(SMALL)
        # A second waiting task of the same execution: its name no longer says which.
        app.run_command(BIG.replace("--name big", "--name small2"))
        await pilot.press("a")
        dialog = app.screen
        assert isinstance(dialog, AnswerTaskDialog)
        first = records_of(app.session, tk.SFN_TASK_WAITING)[0].data["token"]
        assert dialog.reference(dialog.tasks[first]) == "small"
        other = next(t for t in dialog.tasks.values() if t.token != first)
        dialog.query_one("#answer-task", Select).value = other.token
        await pilot.pause()
        # small2 is a name of its own; an answer by name runs on that execution's one task.
        assert "(answered as small2)" in shown(app, "#answer-hint")

    drive(StptuiApp(session), script)


# -- r redrives an execution -----------------------------------------------------------------


def photo_session(ring: int | None = None) -> Session:
    """photo-batch.yml after its first night: `nightly` FAILED (tolerated failures exceeded);
    with a trace whose ring keeps `ring` records when given."""
    session = Session.open(
        EXAMPLES / "photo-batch.yml",
        behaviors_path=EXAMPLES / "photo-batch-behaviors.yml",
        start_ms=START,
    )
    if ring is not None:
        session.sim.trace = Trace(ring_size=ring)
    for line in (
        f"upload uploads manifests/photos.csv --from {EXAMPLES / 'photos.csv'}",
        'start-execution resizeAll \'{"manifest": "manifests/photos.csv", "width": 640}\' '
        "--name nightly",
        "advance 1m",
    ):
        execute(session, line)
    return session


def test_r_on_a_state_machine_redrives_its_latest_failed_execution() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("resizeAll")
        page = inspector(app)
        assert "nightly FAILED" in page
        assert "r redrives nightly (redrive-execution)" in page
        assert (
            "ResizeEach of nightly FAILED: 5 items in 3 child executions, 1 succeeded, 1 failed"
        ) in page
        app.run_command("succeed resize")
        await pilot.press("r")
        assert app.session.log[-1] == "redrive-execution nightly"
        assert notes(app)[-1].startswith("redrove execution nightly of resizeAll (redrive 1,")
        app.run_command("advance 1m")
        page = inspector(app)
        assert "nightly SUCCEEDED 08:00:00.000 in 1 min 2 s (redriven 1x)" in page
        assert (
            "ResizeEach of nightly SUCCEEDED: 5 items in 3 child executions, 3 succeeded, "
            "0 failed (redriven 1x)"
        ) in page
        # Succeeded, it is refused as the command refuses it, and nothing changes.
        log = list(app.session.log)
        await pilot.press("r")
        await pilot.pause()
        assert app.session.log == log
        assert "ExecutionNotRedrivable" in notes(app)[-1]

    drive(StptuiApp(photo_session()), script, notifications=True)


async def r_on_an_execution_row_of_the_events_pane_redrives_that_execution(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command(BIG)
    app.run_command("advance 5s")
    app.run_command(SMALL)
    app.run_command("stop-execution small")
    # A DLQ-less, machine-less selection would be refused: the row decides, with the
    # Events pane focused.
    app.jump_to("approvals")
    await pilot.press("3", "end")
    row = app.query_one(RecordList).selected
    assert row is not None and row.kind == tk.SFN_EXECUTION_ABORTED
    await pilot.press("r")
    assert app.session.log[-1] == "redrive-execution small"
    assert (
        app.session.sim.services["state_machines"]["orderApproval"]
        .executions["small"]
        .redrive_count
        == 1
    )
    # From another pane the row does not count: `r` goes by the selection.
    await pilot.press("1")
    log = list(app.session.log)
    await pilot.press("r")
    await pilot.pause()
    assert app.session.log == log
    assert notes(app)[-1].startswith("select a state machine, or an execution's row")


def test_a_says_no_task_waits_then_r_redrives_the_execution_of_an_events_row() -> None:
    """Before anything ran, `a` says no task waits; then `r` on an execution's row."""
    checks = [
        a_with_no_task_waiting_says_so,
        r_on_an_execution_row_of_the_events_pane_redrives_that_execution,
    ]
    steps = steps_at((120, 36), checks)
    on_one_app(StptuiApp(example_session("workflow-callback")), steps, notifications=True)


# -- Map Runs, nested executions and batch jobs in the Inspector ------------------------------


def test_the_inspector_shows_a_running_map_run_and_the_maps_settings() -> None:
    session = photo_session()
    execute(session, "succeed resize")
    execute(session, "redrive-execution nightly")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("resizeAll")
        page = inspector(app)
        assert (
            "ResizeEach Map distributed, items from a bucket (CSV), 2 items per child "
            "execution, tolerates 1 failed item end"
        ) in page
        assert "  Resize Task end" in page
        assert (
            "ResizeEach of nightly RUNNING: 5 items in 3 child executions, 1 succeeded, "
            "0 failed, 2 running (redriven 1x)"
        ) in page

    drive(StptuiApp(session), script)


def test_the_inspector_shows_map_runs_the_trace_ring_dropped() -> None:
    # A ring of 5 records: the run's sfn.map_run.* records are long gone when the app opens
    # (it reads the ring when it starts) and when the redriven run goes on.
    session = photo_session(ring=5)
    assert not records_of(session, tk.SFN_MAP_RUN_STARTED)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("resizeAll")
        page = inspector(app)
        assert (
            "ResizeEach of nightly FAILED: 5 items in 3 child executions, 1 succeeded, 1 failed"
        ) in page
        app.run_command("succeed resize")
        app.run_command("redrive-execution nightly")
        app.run_command("advance 1m")
        app.jump_to("resizeAll")
        assert not records_of(app.session, tk.SFN_MAP_RUN_STARTED)
        assert (
            "ResizeEach of nightly SUCCEEDED: 5 items in 3 child executions, 3 succeeded, "
            "0 failed (redriven 1x)"
        ) in inspector(app)

    drive(StptuiApp(session), script)


def test_the_inspector_shows_what_sync_tasks_wait_for_and_who_started_a_child() -> None:
    session = Session.open(EXAMPLES / "report-jobs.yml", start_ms=START)
    execute(session, "slow generateReport 2h")
    execute(session, 'start-execution nightly \'{"date": "2026-01-05"}\' --name jan-5')
    execute(session, "advance 1m")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("nightly")
        page = inspector(app)
        assert (
            "runReport Task states:startExecution.sync:2 on reportFlow (waits for the "
            "execution) end"
        ) in page
        assert "jan-5 RUNNING in runReport, since 08:00:00.000" in page
        assert "waits for execution report-2026-01-05 of reportFlow, in generate" in page
        app.jump_to("reportFlow")
        page = inspector(app)
        assert (
            "generate Task batch:submitJob.sync on generateReport (waits for the job) → upload"
        ) in page
        assert (
            "report-2026-01-05 RUNNING in generate, since 08:00:00.000 (started by jan-5 " in page
        )
        (job,) = records_of(app.session, tk.BATCH_ATTEMPT_STARTED)
        assert f"waits for batch job generateReport {job.data['execution_id']}, attempt 1" in page
        # The task times out after an hour: the nested execution's whole description, the
        # cause, is cut in the history (`show execution` has it whole).
        app.run_command("advance 2h")
        app.jump_to("nightly")
        page = inspector(app)
        failed = next(line for line in page.splitlines() if "StateFailed runReport" in line)
        assert failed.endswith("…") and len(failed) < 200

    drive(StptuiApp(session), script)


# -- rough edges ------------------------------------------------------------------------------


async def pressing_2_selects_the_queue_the_queue_table_s_cursor_is_on(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("deadLetterQueue")
    await pilot.press("2")
    assert app.selected == "deadLetterQueue"
    # Another resource selected in the graph: the table's cursor stays on the DLQ...
    await pilot.press("1")
    app.jump_to("worker")
    assert app.selected == "worker"
    # ... and `2` makes it the selection at once, so `r` redrives what the table shows.
    await pilot.press("2", "r")
    assert app.selected == "deadLetterQueue"
    assert app.session.log == ["redrive deadLetterQueue"]
    assert "deadLetterQueue  sqs-queue" in inspector(app)


async def the_main_footer_is_hidden_while_a_dialog_is_open(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    assert "q Quit" in screen_text(app)
    await pilot.press("s")
    await pilot.pause()
    assert "q Quit" not in screen_text(app)
    await pilot.press("escape")
    await pilot.pause()
    assert "q Quit" in screen_text(app)
    await pilot.press("question_mark")
    await pilot.pause()
    assert "q Quit" not in screen_text(app)


def test_the_footer_under_a_dialog_then_2_selecting_the_queue_table_s_queue() -> None:
    """The footer (nothing run), then the Queues pane's cursor, which runs a redrive."""
    checks = [
        the_main_footer_is_hidden_while_a_dialog_is_open,
        pressing_2_selects_the_queue_the_queue_table_s_cursor_is_on,
    ]
    on_one_app(app_for("job-queue"), steps_at((120, 36), checks))
