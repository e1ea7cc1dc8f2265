"""The terminal UI's invoke dialog (`v`): `invoke` (sync or async) and `start-job` from a
form, the payload checked as it is typed by the commands' own checks (JSON, Invoke's 6 MB
and 1 MB, StartExecution's 256 KiB on a job's input), refusals shown in place with nothing
changed, the answer shown in the dialog, which stays open; the key offered only on a stack
with a function or a batch job. On the combined sample stack: `api` answers 202 and queues
the body on jobQueue, `dailyReport` fails on any event but its schedule's, `heavyJob` is a
batch job."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Button, Input, Label, Select, TextArea
from tui_one_app import on_one_app, steps_at
from tui_support import (
    START,
    app_for,
    drive,
    enabled_actions,
    key_does_nothing,
    rebuilt,
    records_of,
    screen_text,
    session,
    shown,
    wait_until,
)

from stptui.commands import CommandResult, Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.services.function import ASYNC_PAYLOAD_BYTES
from stptui.tui.app import StptuiApp
from stptui.tui.palette import StackProvider
from stptui.tui.screens.dialogs import CommandDialog
from stptui.tui.screens.invoke_dialog import InvokeDialog, answer_text, picked_target
from stptui.tui.screens.output_page import OutputPage

API_LINE = 'invoke api \'{"body": {"orderId": 7}}\''


async def open_invoke(pilot: Pilot[None], app: StptuiApp) -> InvokeDialog:
    """Press `v` and wait for the dialog."""
    await pilot.press("v")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, InvokeDialog), dialog
    return dialog


async def set_payload(pilot: Pilot[None], dialog: InvokeDialog, text: str) -> None:
    """Replace the payload and wait for its check (a long one's after JSON_CHECK_DELAY)."""
    dialog.json_check_delay = 0.01
    dialog.query_one("#invoke-payload", TextArea).text = text
    await pilot.pause()
    await pilot.pause(0.05)
    await pilot.pause()


async def v_invokes_the_selected_function_and_shows_its_response_in_place(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("api")
    await pilot.pause()
    # The Inspector's border offers the key while a function is selected.
    assert any("v invoke" in line for line in screen_text(app).splitlines())
    dialog = await open_invoke(pilot, app)
    assert dialog.query_one("#invoke-target", Select).value == "api"
    assert app.focused is dialog.query_one("#invoke-payload")
    about = shown(app, "#invoke-about")
    assert "api: function, timeout 20 s; 0 invocations so far, 0 running" in about
    assert "triggered by http-api-gateway" in about
    await set_payload(pilot, dialog, '{"body": {"orderId": 7}}')
    assert shown(app, "#invoke-error") == ""
    await pilot.press("ctrl+s")
    await pilot.pause()
    # Open still, with the response where the request was made.
    assert app.screen is dialog and dialog.has_class("-answered")
    answer = shown(app, "#invoke-answer")
    assert answer.startswith("api succeeded in 50 ms")
    assert 'response: {"statusCode":202,"body":"queued"}' in answer
    assert "1 invocation so far" in shown(app, "#invoke-about")
    # The line a user could have typed, through the command layer and logged.
    assert app.session.log == [API_LINE]
    typed = session("combined")
    execute(typed, API_LINE)
    assert trace_sha256(typed.sim.trace) == trace_sha256(app.session.sim.trace)
    # What it did is in the panes behind: the message it queued.
    assert app.session.sim.queues["jobQueue"].depth == 1
    await pilot.press("escape")
    await pilot.pause()
    assert not isinstance(app.screen, CommandDialog)


async def a_failed_invocation_shows_the_function_error_response_and_ctrl_o_has_it_whole(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    dialog = await open_invoke(pilot, app)
    assert dialog.query_one("#invoke-target", Select).value == "dailyReport"
    # It runs from its schedule: the hint says how to send that event instead.
    assert "`x` fires its schedule" in shown(app, "#invoke-about")
    await pilot.press("ctrl+s")
    await pilot.pause()
    answer = shown(app, "#invoke-answer")
    assert "dailyReport failed after" in answer and "UnexpectedEvent" in answer
    assert "response (FunctionError Unhandled):" in answer
    assert '"errorType":"UnexpectedEvent"' in answer
    await pilot.press("ctrl+o")
    await pilot.pause()
    assert isinstance(app.screen, OutputPage)


def test_async_queues_the_event_and_shows_its_id_without_moving_the_clock() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("api")
        dialog = await open_invoke(pilot, app)
        dialog.query_one("#invoke-type", Select).value = "async"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.log == ["invoke api '{}' --async"]
        answer = shown(app, "#invoke-answer")
        assert answer.startswith("api: queued event ") and "(202)" in answer
        assert app.session.sim.clock.now == START
        # Its attempt runs as the clock does, under the id the answer gave.
        execute(app.session, "step")
        (started,) = records_of(app.session, "invocation.started")
        assert started.data["event_id"] in answer

    drive(app_for("combined"), script)


async def a_payload_over_the_async_limit_is_refused_as_typed_and_changes_nothing(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    big = '{"data": "' + "x" * ASYNC_PAYLOAD_BYTES + '"}'
    app.jump_to("api")
    dialog = await open_invoke(pilot, app)
    await set_payload(pilot, dialog, big)
    # 1 MB is over async's limit only: sync takes 6 MB.
    assert shown(app, "#invoke-error") == ""
    dialog.query_one("#invoke-type", Select).value = "async"
    await pilot.pause()
    error = shown(app, "#invoke-error")
    assert "RequestEntityTooLargeException" in error and "1,048,576" in error
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.screen is dialog and not dialog.has_class("-answered")
    assert app.session.log == [] and app.session.sim.trace.seq == 0
    # Back to sync, it is no problem.
    dialog.query_one("#invoke-type", Select).value = "sync"
    await pilot.pause()
    assert shown(app, "#invoke-error") == ""


async def a_payload_that_is_not_json_is_refused_in_place(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    dialog = await open_invoke(pilot, app)
    await set_payload(pilot, dialog, "{orderId: 1}")
    assert "not valid JSON" in shown(app, "#invoke-error")
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.screen is dialog
    assert app.session.log == [] and app.session.sim.trace.seq == 0
    # Empty sends {}, as `invoke FUNCTION` does.
    await set_payload(pilot, dialog, "")
    assert shown(app, "#invoke-error") == ""
    assert dialog.command_line() == "invoke dailyReport"


async def a_batch_job_picked_starts_a_job_and_shows_its_execution_id(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    log = list(app.session.log)
    app.jump_to("heavyJob")
    dialog = await open_invoke(pilot, app)
    assert dialog.query_one("#invoke-target", Select).value == "heavyJob"
    # A job has no invocation type; its verb and field say what it takes.
    assert not dialog.query_one("#invoke-type-column").display
    assert str(dialog.query_one("#invoke-button", Button).label) == "Start"
    assert "event (JSON" in str(dialog.query_one("#invoke-payload-label", Label).render())
    assert "heavyJob: batch job, up to" in shown(app, "#invoke-about")
    await set_payload(pilot, dialog, '{"date": "2026-01-05"}')
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.session.log[len(log) :] == ['start-job heavyJob \'{"date": "2026-01-05"}\'']
    answer = shown(app, "#invoke-answer")
    (submitted,) = records_of(app.session, "batch.submitted")
    assert answer.startswith(f"started execution {submitted.data['execution_id']} of heavyJob")


async def a_job_input_over_256_kib_is_refused_in_the_commands_words(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("heavyJob")
    dialog = await open_invoke(pilot, app)
    await set_payload(pilot, dialog, '{"data": "' + "x" * 300_000 + '"}')
    error = shown(app, "#invoke-error")
    assert "start-job heavyJob: InvalidExecutionInput" in error
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.session.log == [] and app.session.sim.trace.seq == 0
    # The same payload is no problem for a function's sync invoke (6 MB).
    dialog.query_one("#invoke-target", Select).value = "api"
    await pilot.pause()
    assert shown(app, "#invoke-error") == ""


async def the_repeat_field_invokes_n_times_and_ctrl_z_takes_it_back(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # A rebuild (undo): the last check on its app.
    log, seq = list(app.session.log), app.session.sim.trace.seq
    app.jump_to("api")
    dialog = await open_invoke(pilot, app)
    await set_payload(pilot, dialog, '{"body": {"orderId": {i}}}')
    assert "{i} stands for a number" in shown(app, "#invoke-error")
    dialog.query_one("#invoke-repeat", Input).value = "3"
    await pilot.pause()
    assert shown(app, "#invoke-error") == ""
    await pilot.press("ctrl+s")
    await pilot.pause()
    # A repeat closes the dialog on its summary, as every dialog's does.
    assert not isinstance(app.screen, CommandDialog)
    assert app.session.log[len(log) :] == ['repeat 3 invoke api \'{"body": {"orderId": {i}}}\'']
    execute(app.session, "run")
    succeeded = records_of(app.session, "invocation.succeeded")
    assert [r.resource for r in succeeded if r.seq > seq].count("api") == 3
    # Undone twice (the run, then the repeat), nothing of it is left.
    for _ in range(2):
        await pilot.press("ctrl+z")
        await rebuilt(pilot, app)
    assert app.session.log == log and app.session.sim.trace.seq == seq


async def the_palette_s_entry_opens_the_invoke_dialog(pilot: Pilot[None], app: StptuiApp) -> None:
    assert "invoke" in enabled_actions(app)
    entries = {title: run for title, run, _ in StackProvider(app.screen)._list_entries()}
    entries["open: invoke dialog"]()
    await pilot.pause()
    assert isinstance(app.screen, InvokeDialog)


def test_the_dialog_refuses_in_place_then_invokes_the_selected_function() -> None:
    """On the combined stack as it opens (no function selected): the refusals, which run
    nothing, and the palette's entry; then the first line run, the invoke of `api`."""
    checks = [
        a_payload_that_is_not_json_is_refused_in_place,
        a_payload_over_the_async_limit_is_refused_as_typed_and_changes_nothing,
        a_job_input_over_256_kib_is_refused_in_the_commands_words,
        the_palette_s_entry_opens_the_invoke_dialog,
        v_invokes_the_selected_function_and_shows_its_response_in_place,
    ]
    on_one_app(app_for("combined"), steps_at((120, 36), checks))


def test_the_dialog_answers_a_failure_a_started_job_and_a_repeat_undone() -> None:
    """On the combined stack as it opens (the failure's dialog opens on the first
    function), then the checks that compare with what ran before them; the undo last."""
    checks = [
        a_failed_invocation_shows_the_function_error_response_and_ctrl_o_has_it_whole,
        a_batch_job_picked_starts_a_job_and_shows_its_execution_id,
        the_repeat_field_invokes_n_times_and_ctrl_z_takes_it_back,
    ]
    on_one_app(app_for("combined"), steps_at((120, 36), checks))


QUEUE_ONLY = """\
resources:
  inbox: {type: sqs-queue}
"""


def test_v_is_not_offered_on_a_stack_without_a_function_or_a_batch_job(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(QUEUE_ONLY, encoding="utf-8")

    async def absent(pilot: Pilot[None], app: StptuiApp) -> None:
        await key_does_nothing(
            pilot,
            app,
            "v",
            "invoke",
            "open: invoke dialog",
            "v Invoke Invoke a function (sync or async) or start a batch job; see the answer",
        )

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), absent, size=(160, 60))


def test_the_answers_first_line_says_how_it_ended_by_its_colour() -> None:
    def first_style(status: str | None) -> str:
        data = {} if status is None else {"status": status}
        text = answer_text(CommandResult("first\nsecond", data=data))
        (span,) = text.spans
        assert (span.start, span.end) == (0, len("first"))
        return str(span.style)

    assert first_style("success") == "bold green"
    # A queued event, a started execution: no status, and nothing went wrong.
    assert first_style(None) == "bold green"
    assert first_style("throttled") == "bold yellow"
    assert first_style("error") == first_style("timeout") == "bold red"


def test_the_dialog_opens_on_the_selected_function_or_job_else_the_first() -> None:
    assert picked_target(["a", "b"], ["job"], "b") == "b"
    assert picked_target(["a", "b"], ["job"], "job") == "job"
    # A queue, a bus or nothing selected: the first function.
    assert picked_target(["a", "b"], ["job"], "jobQueue") == "a"
    assert picked_target(["a"], ["job"], None) == "a"
    # A stack of batch jobs alone: the first job.
    assert picked_target([], ["job", "other"], None) == "job"


def never(line: str) -> CommandResult:
    raise AssertionError(line)


HOSTILE = """\
resources:
  "f[bold]x[/foo]":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
"""


def test_hostile_names_and_responses_are_shown_as_text(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(HOSTILE, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        'behaviors:\n  "f[bold]x[/foo]":\n    response: "\'[red]r[/] \\u001b[31m\'"\n',
        encoding="utf-8",
    )
    hostile = Session.open(tmp_path, start_ms=START)
    assert InvokeDialog(hostile, None, never).selected == "f[bold]x[/foo]"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await open_invoke(pilot, app)
        assert "f[bold]x[/foo]: function" in shown(app, "#invoke-about")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.is_running
        answer = shown(app, "#invoke-answer")
        assert "[red]r[/]" in answer
        assert "\x1b" not in screen_text(app)

    drive(StptuiApp(hostile), script)


def test_the_answer_is_scrolled_into_sight_at_80x24() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_invoke(pilot, app)
        await pilot.press("ctrl+s")
        await wait_until(
            pilot,
            lambda: dialog.query_one("#invoke-answer-box").region.height > 0,
            "the answer laid out",
        )
        await pilot.pause()
        box = dialog.query_one(".dialog-box")
        answer = dialog.query_one("#invoke-answer-box")
        # Under the form, below the fold of a short terminal: its status line is in sight.
        assert box.region.contains_point(answer.region.offset), (box.region, answer.region)
        assert "dailyReport failed after" in screen_text(app)

    drive(app_for("combined"), script, size=(80, 24))
