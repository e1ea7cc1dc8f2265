"""The terminal UI on Step Functions state machines: the start-execution dialog (`t`), the
Inspector's page of a state machine, the Events pane's rows of the `sfn.*` kinds and the
Graph's count of running executions, on docs/examples/workflow.yml (the order workflow of
docs/state-machines.md)."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_one_app import on_one_app, steps_at
from tui_support import (
    EXAMPLES,
    START,
    drawn_text,
    drive,
    example_session,
    inspector,
    records_of,
    shown,
)

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.graph import build_graph
from stptui.sim import trace as tk
from stptui.tui.app import StptuiApp
from stptui.tui.render import record_style, record_text
from stptui.tui.screens.dialogs import TextDialog
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.widgets.graph_pane import badges
from stptui.tui.widgets.inspector_pane import InspectorPane

SMALL = '{"orderId": "o-1", "amount": 120}'
BIG = '{"orderId": "o-2", "amount": 900}'
STORY = [
    f"start-execution orderFlow '{SMALL}' --name small-order",
    f"start-execution orderFlow '{BIG}' --name big-order",
    "advance 5s",
]

# -- the start-execution dialog -------------------------------------------------------------


def test_t_starts_an_execution_that_runs_its_states() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("checkOrder")
        await pilot.press("t")
        dialog = app.screen
        assert isinstance(dialog, StartExecutionDialog)
        assert dialog.query_one("#exec-machine", Select).value == "orderFlow"
        assert app.focused is dialog.query_one("#exec-input")
        assert "starts at CheckOrder, 6 states no executions yet" in shown(app, "#exec-hint")
        dialog.query_one("#exec-input", TextArea).text = SMALL
        dialog.query_one("#exec-name", Input).focus()
        await pilot.press(*"small-order")
        assert shown(app, "#exec-error") == ""
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, StartExecutionDialog)
        line = f"start-execution orderFlow '{SMALL}' --name small-order"
        assert app.session.log == [line]
        # Exactly what typing the line does.
        typed = example_session("workflow")
        execute(typed, line)
        assert trace_sha256(typed.sim.trace) == trace_sha256(app.session.sim.trace)
        (started,) = records_of(app.session, tk.SFN_EXECUTION_STARTED)
        assert started.data["name"] == "small-order"
        # The next opening starts from that input, to start another like it, and says so.
        await pilot.press("t")
        assert app.screen.query_one("#exec-input", TextArea).text == SMALL
        assert "1 started: 1 running" in shown(app, "#exec-hint")

    drive(StptuiApp(example_session("workflow")), script)


async def the_input_and_the_name_are_checked_as_they_are_typed(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    log = list(app.session.log)
    app.run_command(STORY[0])
    run = [*log, STORY[0]]
    await pilot.press("t")
    dialog = app.screen
    area = dialog.query_one("#exec-input", TextArea)
    area.text = '{"orderId": '
    await pilot.pause()
    assert "not valid JSON" in shown(app, "#exec-error")
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, StartExecutionDialog) and app.session.log == run
    area.text = BIG
    await pilot.pause()
    assert shown(app, "#exec-error") == ""
    name = dialog.query_one("#exec-name", Input)
    name.value = "big order"
    await pilot.pause()
    assert "InvalidName: Invalid Name: 'big order'" in shown(app, "#exec-error")
    assert "letters, digits, - and _" in shown(app, "#exec-error")
    # A name already used, with another input: ExecutionAlreadyExists.
    name.value = "small-order"
    await pilot.pause()
    assert "ExecutionAlreadyExists: small-order is already an execution" in shown(
        app, "#exec-error"
    )
    seq = app.session.sim.trace.seq
    await pilot.press("ctrl+s")
    # The command refuses too: in the dialog, and nothing changes.
    assert isinstance(app.screen, StartExecutionDialog)
    assert "ExecutionAlreadyExists: Execution Already Exists" in shown(app, "#exec-error")
    assert app.session.log == run and app.session.sim.trace.seq == seq
    # The running one's own input under its name is StartExecution's idempotent retry.
    area.text = SMALL
    await pilot.pause()
    assert shown(app, "#exec-error") == ""
    name.value = ""
    await pilot.pause()
    assert shown(app, "#exec-error") == ""
    await pilot.press("escape")
    assert not isinstance(app.screen, StartExecutionDialog)
    assert app.session.log == run


# -- the inspector --------------------------------------------------------------------------


def test_the_inspector_shows_states_executions_and_the_latest_history() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("orderFlow")
        await pilot.pause()
        page = inspector(app)
        assert "States (start at CheckOrder)" in page
        assert "CheckOrder Task → IsPayable; catch States.ALL → OrderFailed" in page
        assert "IsPayable Choice → ChargeCard | else OrderFailed" in page
        assert "ChargeCard Task → CoolDown; 1 retrier; catch States.ALL → OrderFailed" in page
        assert "WriteReceipt Task end" in page
        assert "OrderFailed Fail ends the execution (OrderFailed)" in page
        assert "none yet (t starts one)" in page
        # The machine's records alone bring the page up to date: retries of the card...
        app.run_command(STORY[0])
        app.run_command("advance 5s")
        page = inspector(app)
        assert "1 started: 1 running" in page
        assert "small-order RUNNING in ChargeCard, since 08:00:00.000" in page
        assert "History of small-order" in page
        assert "08:00:01.200 Retry ChargeCard ProviderUnavailable: attempt 2 in 2000 ms" in page
        # ... why the Choice of the latest execution went to the Fail state ...
        app.run_command(f"start-execution orderFlow '{BIG}' --name big-order")
        app.run_command("advance 1m")
        page = inspector(app)
        assert "2 started: 1 succeeded, 1 failed" in page
        assert "big-order FAILED 08:00:05.000 in 200 ms OrderFailed" in page
        assert "small-order SUCCEEDED 08:00:00.000 in 39.5 s" in page
        assert page.index("big-order FAILED") < page.index("small-order SUCCEEDED")
        assert "History of big-order" in page
        assert (
            "08:00:05.200 Choice IsPayable rule 1 did not match: $.check.payable is false; "
            "BooleanEquals wants true; Default: OrderFailed -> OrderFailed"
        ) in page
        assert "08:00:05.200 ExecutionFailed OrderFailed" in page
        # ... and the catch of an error no retrier matches.
        app.run_command("fail chargeCard always")
        app.run_command(f"start-execution orderFlow '{SMALL}' --name refused")
        app.run_command("advance 1m")
        page = inspector(app)
        assert "refused FAILED 08:01:05.000 in 1.2 s OrderFailed" in page
        assert "08:01:06.200 Caught ChargeCard Error -> OrderFailed" in page
        # The page is the pane's.
        assert app.query_one(InspectorPane).text.plain == page

    drive(StptuiApp(example_session("workflow")), script)


def test_at_80x24_the_page_opens_on_the_executions_states_and_keys_not_the_definition() -> None:
    """The definition's JSON (eight wrapped lines) opened the page at 80x24, before what
    the machine runs and how to start one; it is under them now, in the Properties."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(STORY[0])
        app.run_command("advance 5s")
        app.jump_to("orderFlow")
        await pilot.press("4")
        await pilot.pause()
        first = drawn_text(app.query_one(InspectorPane))
        assert "small-order RUNNING in ChargeCard, since 08:00:00.000" in first
        assert "t starts another" in first
        assert "States (start at CheckOrder)" in first
        assert "OrderFailed Fail ends the execution (OrderFailed)" in first
        assert "definition:" not in first
        page = inspector(app)
        order = ["Executions", "States (start at", "History of small-order", "Properties"]
        assert [page.index(h) for h in order] == sorted(page.index(h) for h in order)
        assert page.index("Properties") < page.index("definition: {")

    drive(StptuiApp(example_session("workflow")), script, size=(80, 24))


def test_a_running_parallel_shows_each_branch_state_it_is_in(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(PARALLEL, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("fan")
        app.run_command("start-execution fan --name run-1")
        page = inspector(app)
        assert "run-1 RUNNING in Both/0/Short, Both/1/Long, since 08:00:00.000" in page
        app.run_command("advance 5s")
        assert "run-1 RUNNING in Both/1/Long, since" in inspector(app)
        app.run_command("advance 10s")
        assert "run-1 SUCCEEDED 08:00:00.000 in 10 s" in inspector(app)

    drive(StptuiApp(session), script)


PARALLEL = """\
resources:
  fan:
    type: state-machine
    properties:
      definition:
        StartAt: Both
        States:
          Both:
            Type: Parallel
            End: true
            Branches:
              - StartAt: Short
                States: {Short: {Type: Wait, Seconds: 2, End: true}}
              - StartAt: Long
                States: {Long: {Type: Wait, Seconds: 10, End: true}}
"""


# -- the events pane ------------------------------------------------------------------------


def test_every_sfn_kind_reads_in_a_row_of_the_events_pane(tmp_path: Path) -> None:
    session = example_session("workflow")
    for line in [
        *STORY,
        "advance 1m",
        "fail chargeCard always",
        f"start-execution orderFlow '{SMALL}' --name refused",
        f"start-execution orderFlow '{SMALL}' --name stopped",
        "stop-execution stopped --error Cancelled --cause 'the customer called'",
        "advance 1m",
    ]:
        execute(session, line)
    (tmp_path / "stacktape.yml").write_text(TIMEOUT, encoding="utf-8")
    slow = Session.open(tmp_path, start_ms=START)
    execute(slow, "start-execution slow --name late")
    execute(slow, "advance 5s")
    calls = Session.open(EXAMPLES / "workflow-integrations.yml", start_ms=START)
    execute(calls, 'start-execution fulfil \'{"orderId": "o-1"}\' --name first')
    photos = Session.open(
        EXAMPLES / "photo-batch.yml",
        behaviors_path=EXAMPLES / "photo-batch-behaviors.yml",
        start_ms=START,
    )
    for line in (
        f"upload uploads m.csv --from {EXAMPLES / 'photos.csv'}",
        'start-execution resizeAll \'{"manifest": "m.csv", "width": 1}\' --name n',
        "advance 1m",
        "redrive-execution n",
    ):
        execute(photos, line)
    callback = example_session("workflow-callback")
    execute(callback, 'start-execution orderApproval \'{"orderId": "o-1", "amount": 5}\' --name a')
    execute(callback, "advance 5s")
    texts: dict[str, str] = {}
    styles: dict[str, str] = {}
    records = [
        *session.sim.trace.records,
        *slow.sim.trace.records,
        *calls.sim.trace.records,
        *photos.sim.trace.records,
        *callback.sim.trace.records,
    ]
    for rec in records:
        texts.setdefault(rec.kind, record_text(rec).plain)
        styles.setdefault(rec.kind, record_style(rec))
    sfn = {kind for kind in vars(tk).values() if isinstance(kind, str) and kind.startswith("sfn.")}
    assert sfn <= set(texts)
    rows = {kind: texts[kind].split(None, 2)[2] for kind in sfn}
    assert rows["sfn.execution.started"] == (
        "orderFlow execution=small-order input_bytes=33 source=command"
    )
    assert rows["sfn.state.entered"] == (
        "orderFlow execution=small-order state=CheckOrder type=Task input_bytes=33"
    )
    assert rows["sfn.task.started"].startswith(
        "orderFlow execution=small-order state=CheckOrder function=checkOrder invocation_id="
    )
    assert rows["sfn.task.called"] == (
        "fulfil execution=first state=SaveOrder integration=dynamodb:putItem target=orders "
        "delivered_id=100000000000000000001"
    )
    assert rows["sfn.choice"] == (
        "orderFlow execution=small-order state=IsPayable next=ChargeCard verdicts=rule 1 "
        "matched: $.check.payable is true; BooleanEquals wants true (holds)"
    )
    assert rows["sfn.retry"] == (
        "orderFlow execution=small-order state=ChargeCard error=ProviderUnavailable attempt=2 "
        "delay_ms=2000 at=2026-01-05T08:00:03.200Z"
    )
    assert rows["sfn.caught"] == (
        "orderFlow execution=refused state=ChargeCard error=Error next=OrderFailed"
    )
    assert rows["sfn.execution.failed"] == (
        "orderFlow execution=big-order error=OrderFailed "
        "cause=The order could not be checked or charged duration_ms=200"
    )
    assert rows["sfn.execution.aborted"] == (
        "orderFlow execution=stopped error=Cancelled cause=the customer called duration_ms=0"
    )
    assert rows["sfn.execution.timed_out"].startswith(
        "slow execution=late error=States.Timeout duration_ms=1000"
    )
    assert rows["sfn.execution.succeeded"].startswith("orderFlow execution=small-order ")
    assert rows["sfn.execution.redriven"] == "resizeAll execution=n redrive_count=1"
    assert rows["sfn.map_run.started"].startswith(
        "resizeAll execution=n state=ResizeEach items=5 child_executions=3 map_run_arn="
    )
    assert rows["sfn.map_run.ended"].startswith(
        "resizeAll execution=n state=ResizeEach status=FAILED succeeded=1 failed=1 map_run_arn="
    )
    # The token comes last in a row: the pane is narrow, and the record's JSON has it whole.
    assert rows["sfn.task.waiting"].startswith(
        "orderApproval execution=a state=RequestApproval heartbeat_s=null timeout_s=3600 token="
    )
    assert rows["sfn.task.callback"].startswith(
        "orderApproval execution=a state=RequestApproval outcome=success error=null "
        "source=approver:"
    )
    assert styles == {
        **styles,
        "sfn.execution.started": "bright_blue",
        "sfn.execution.succeeded": "green",
        "sfn.execution.failed": "bold red",
        "sfn.execution.timed_out": "bold red",
        "sfn.execution.aborted": "magenta",
        "sfn.task.failed": "red",
        "sfn.choice": "magenta",
        "sfn.retry": "yellow",
        "sfn.caught": "yellow",
        "sfn.task.waiting": "yellow",
        "sfn.task.callback": "bright_blue",
    }


TIMEOUT = """\
resources:
  slow:
    type: state-machine
    properties:
      definition:
        StartAt: Nap
        TimeoutSeconds: 1
        States: {Nap: {Type: Wait, Seconds: 5, End: true}}
"""


async def e_explains_an_execution_from_one_of_its_state_records(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command(STORY[1])
    # The first record, the execution's start, carries its ARN alone.
    await pilot.press("3", "home", "e")
    dialog = app.screen
    assert isinstance(dialog, TextDialog)
    body = dialog.body.plain
    assert "explain arn:aws:states:us-east-1:123456789012:execution:" in body
    assert "execution big-order of orderFlow: RUNNING" in body


def test_e_explains_an_execution_then_the_dialog_checks_what_is_typed() -> None:
    """`e` on the first record of the workflow (its first line run), then the dialog's
    checks, which compare with the lines run before them."""
    checks = [
        e_explains_an_execution_from_one_of_its_state_records,
        the_input_and_the_name_are_checked_as_they_are_typed,
    ]
    on_one_app(StptuiApp(example_session("workflow")), steps_at((120, 36), checks))


# -- the graph ------------------------------------------------------------------------------


def test_a_state_machines_box_counts_its_done_failed_and_running_executions() -> None:
    session = example_session("workflow")
    g = build_graph(session.stack)
    assert badges(session.sim, g, "orderFlow")[0].plain == "idle"
    execute(session, STORY[0])
    assert badges(session.sim, g, "orderFlow")[0].plain == "0 done · 0 failed · 1 running"
    execute(session, STORY[1])
    execute(session, "advance 5s")
    counts = badges(session.sim, g, "orderFlow")[0]
    assert counts.plain == "0 done · 1 failed · 1 running"
    assert any(str(span.style) == "red" for span in counts.spans)
    execute(session, "advance 1m")
    # The first order's execution succeeded, the second's failed.
    assert badges(session.sim, g, "orderFlow")[0].plain == "1 done · 1 failed · 0 running"


# -- untrusted names ------------------------------------------------------------------------

HOSTILE = """\
resources:
  "m[bold]x[/foo]":
    type: state-machine
    properties:
      definition:
        StartAt: "[@click=app.quit]go"
        States:
          "[@click=app.quit]go":
            Type: Fail
            Error: "Err[/x]"
            Cause: "[bold]cause"
"""


def test_state_machine_and_state_names_stay_literal(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(HOSTILE, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("m[bold]x[/foo]")
        await pilot.press("t")
        assert "starts at [@click=app.quit]go, 1 state" in shown(app, "#exec-hint")
        app.screen.query_one("#exec-name", Input).value = "run-1"
        await pilot.press("ctrl+s")
        assert app.session.log == ["start-execution 'm[bold]x[/foo]' '{}' --name run-1"]
        page = inspector(app)
        assert "[@click=app.quit]go Fail ends the execution (Err[/x])" in page
        assert "run-1 FAILED 08:00:00.000 in 0 ms Err[/x]" in page
        row = record_text(records_of(app.session, tk.SFN_EXECUTION_FAILED)[0]).plain
        assert "error=Err[/x] cause=[bold]cause" in row
        assert app.is_running

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


def test_the_inspector_lists_the_tasks_waiting_for_a_token() -> None:
    session = example_session("workflow-callback")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("orderApproval")
        app.run_command(
            'start-execution orderApproval \'{"orderId": "o-1", "amount": 5}\' --name a'
        )
        app.run_command("advance 5s")
        page = inspector(app)
        (waiting,) = records_of(session, tk.SFN_TASK_WAITING)[-1:]
        token = waiting.data["token"]
        assert f"a Ship since 08:00:00.200 {token[:16]}…" in page
        assert "a answers one (success, failure or heartbeat); so does :send-task-success" in page
        app.run_command("send-task-success a")
        assert "Waiting for a task token" not in inspector(app)

    drive(StptuiApp(session), script)


def test_the_inspector_lists_what_a_state_machine_starts_and_reads() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("nightly")
        await pilot.pause()
        assert "→ reportFlow starts-execution(runReport, sync:2)" in inspector(app)
        app.jump_to("reportFlow")
        await pilot.pause()
        page = inspector(app)
        assert "← nightly starts-execution(runReport, sync:2)" in page
        assert "→ generateReport submits-job(generate, sync)" in page
        assert "→ uploadReport task(upload)" in page

    drive(StptuiApp(Session.open(EXAMPLES / "report-jobs.yml", start_ms=START)), script)
