"""A dialog open while an undo, redo, reload or reload on save replaces the simulation: it is
made again on the new one, with what was typed kept and what happened said in it; its
pickers list the stack as it is now, a pick the stack lost is refused once with a clear
message, and a dialog the stack has nothing for any more closes with a note."""

from __future__ import annotations

from pathlib import Path

import pytest
import tui_support  # first: pins the environment before Textual loads
from test_tui_rebuild import Held, every_report  # noqa: F401  (the fixture too)
from test_tui_watch import Clock, look, notes
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_support import ECHO_STACK, START, drive, echo_session, rebuilt, shown, wait_until

from stptui.commands import Session, execute
from stptui.tui.app import StptuiApp
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.dialogs import HttpDialog, MoreFields, SendDialog
from stptui.tui.screens.output_page import OutputPage

QUEUES = """\
resources:
  orders: {type: sqs-queue}
  refunds: {type: sqs-queue}
"""
BODY = '{"refund": 7}'


def watched_app(tmp_path: Path, stack: str) -> tuple[StptuiApp, Clock, Path]:
    """The app on `stack` in `tmp_path`, reloading it when saved; the watcher's clock is
    the test's."""
    config = tmp_path / "stacktape.yml"
    config.write_text(stack, encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START), watch=True)
    clock = Clock()
    assert app.watcher is not None
    app.watcher.clock = clock
    return app, clock, config


async def save(pilot: Pilot[None], app: StptuiApp, clock: Clock, config: Path, text: str) -> None:
    """Save `text` as the stack, and let the watcher see it and the reload end."""
    await look(pilot, app)
    config.write_text(text, encoding="utf-8")
    # Seen changed, then acted on once it stays so for a second (the watcher's wait).
    await look(pilot, app)
    clock.now += 1
    await look(pilot, app)


async def open_send(pilot: Pilot[None], app: StptuiApp, queue: str) -> SendDialog:
    app.selected = queue
    await pilot.press("s")
    dialog = app.screen
    assert isinstance(dialog, SendDialog)
    dialog.query_one("#send-body", TextArea).text = BODY
    await pilot.pause()
    return dialog


def test_a_reload_on_save_while_the_send_dialog_is_open_says_so_and_keeps_what_was_typed(
    tmp_path: Path,
) -> None:
    app, clock, config = watched_app(tmp_path, QUEUES)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        old = await open_send(pilot, app, "refunds")
        app.screen.query_one("#send-delay").focus()
        await pilot.press(*"30s")
        sim = app.session.sim
        await save(pilot, app, clock, config, QUEUES + "  invoices: {type: sqs-queue}\n")
        assert app.session.sim is not sim
        assert "stacktape.yml changed on disk: reloaded" in dict(notes(app))
        # The dialog on top is made on the reloaded simulation, with what was typed.
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        await pilot.pause()
        picker = dialog.query_one("#send-queue", Select)
        assert [value for _, value in picker._options] == ["orders", "refunds", "invoices"]
        assert picker.value == "refunds"
        # What rebuilt it and what it kept, in a line: the reload's whole answer is the note's.
        assert (
            shown(app, ".dialog-notice") == "stacktape.yml changed on disk: reloaded; fields kept"
        )
        assert dialog is not old and dialog.built_on is app.session.sim
        assert dialog.query_one("#send-body", TextArea).text == BODY
        assert dialog.value("#send-delay") == "30s"
        assert app.screen.focused is dialog.query_one("#send-delay")
        await pilot.press("ctrl+s")
        # Sent into the simulation shown, and logged.
        assert not isinstance(app.screen, SendDialog)
        assert app.session.log[-1] == f"send refunds '{BODY}' --delay 30s"
        assert app.session.sim.queues["refunds"].delayed_count == 1

    drive(app, script, notifications=True)


def test_a_reload_that_removes_the_picked_queue_refuses_it_once_in_the_dialog(
    tmp_path: Path,
) -> None:
    app, clock, config = watched_app(tmp_path, QUEUES)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await open_send(pilot, app, "refunds")
        await save(pilot, app, clock, config, QUEUES.replace("refunds", "returns"))
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        await pilot.pause()
        picker = dialog.query_one("#send-queue", Select)
        # The picker lists the stack as reloaded: what it had picked is gone from it.
        assert [value for _, value in picker._options] == ["orders", "returns"]
        assert "refunds is no longer in the stack" in shown(app, ".dialog-notice")
        # The first ctrl+s says so rather than send to the queue the picker shows instead.
        await pilot.press("ctrl+s")
        assert app.screen is dialog
        error = shown(app, "#send-error")
        assert "refunds is no longer in the stack (the simulation was rebuilt)" in error
        assert "ctrl+s again runs the line with it" in error
        assert app.session.log == []
        picker.value = "returns"
        await pilot.press("ctrl+s")
        assert app.session.log == [f"send returns '{BODY}'"]

    drive(app, script, notifications=True)


def test_a_reload_that_leaves_the_stack_no_queue_closes_the_send_dialog_with_a_note(
    tmp_path: Path,
) -> None:
    app, clock, config = watched_app(tmp_path, QUEUES)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await open_send(pilot, app, "orders")
        await save(pilot, app, clock, config, "resources:\n  files: {type: bucket}\n")
        assert not isinstance(app.screen, SendDialog)
        said = dict(notes(app))
        assert said["dialog closed"].endswith(
            "the stack has nothing for this dialog any more: it closed"
        )

    drive(app, script, notifications=True)


def test_an_undo_that_ends_while_the_http_dialog_is_open_says_so_and_the_request_runs(
    tmp_path: Path,
) -> None:
    # The HTTP dialog opened while an undo builds: a request is refused meanwhile (it would
    # change the simulation being replaced); once adopted, the dialog says the undo ended,
    # drops that refusal, and the request goes to the simulation shown.
    s = echo_session(tmp_path)
    lines = [
        "repeat 3000 http POST /echo '{\"n\": {i}}'",
        "advance 1m",
        "http POST /echo '{\"n\": 0}'",
    ]
    for line in lines:
        execute(s, line)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        held = Held(app)
        await pilot.press("ctrl+z")
        await held.wait(pilot)
        await pilot.press("h")
        assert isinstance(app.screen, HttpDialog)
        app.screen.query_one("#http-method", Select).value = "POST"
        app.screen.query_one("#http-path", Input).value = "/echo"
        app.screen.query_one("#http-body", TextArea).text = '{"n": 1}'
        await pilot.press("ctrl+t")  # the folded headers, opened
        app.screen.query_one("#http-headers", TextArea).text = "x-trace: 7"
        await pilot.press("ctrl+s")
        assert "http is refused while undo rebuilds" in shown(app, "#http-error")
        held.release.set()
        await rebuilt(pilot, app)
        await pilot.pause()
        assert app.session.log == lines[:2]
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        # The refusal said while it rebuilt is gone, and the dialog says the undo ended.
        assert "refused" not in shown(app, "#http-error")
        assert shown(app, ".dialog-notice").startswith("undid 1 command")
        assert dialog.built_on is app.session.sim
        assert dialog.value("#http-path") == "/echo"
        assert dialog.picked("#http-method") == "POST"
        assert not dialog.query_one("#http-more", MoreFields).collapsed
        await pilot.press("ctrl+s")
        assert shown(app, "#http-response").startswith("HTTP 200")
        sent = "http POST /echo '{\"n\": 1}' --header 'x-trace: 7'"
        assert app.session.log == [*lines[:2], sent]

    drive(StptuiApp(s), script)


@pytest.mark.parametrize("field", ["#send-body", "#send-delay"])
def test_ctrl_z_in_a_dialog_takes_back_typing_not_the_sessions_last_command(field: str) -> None:
    # The app's ctrl+z (undo) does not reach past a dialog: it is the field's own.
    s = tui_support.session()
    execute(s, "send jobQueue x")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        assert isinstance(app.screen, SendDialog)
        app.screen.query_one(field).focus()
        await pilot.press("1", "ctrl+z")
        await rebuilt(pilot, app)
        assert app.rebuilding is None and app.session.log == ["send jobQueue x"]
        assert isinstance(app.screen, SendDialog)

    drive(StptuiApp(s), script)


TWO_ALARMS = (
    "resources:\n  jobs:\n    type: sqs-queue\n    properties:\n      alarms:\n"
    + "        - trigger: {type: sqs-queue-not-empty}\n" * 2
)


def test_an_alarm_a_reload_removed_is_not_offered_by_the_alarm_dialog_open_meanwhile(
    tmp_path: Path,
) -> None:
    # Picking it there read the reloaded simulation for an alarm it no longer has: the
    # app stopped with a traceback.
    app, clock, config = watched_app(tmp_path, TWO_ALARMS)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "jobs"
        await pilot.press("c")
        assert isinstance(app.screen, AlarmStateDialog)
        one = TWO_ALARMS.replace("        - trigger: {type: sqs-queue-not-empty}\n", "", 1)
        await save(pilot, app, clock, config, one)
        dialog = app.screen
        assert isinstance(dialog, AlarmStateDialog)
        await pilot.pause()
        picker = dialog.query_one("#alarm-name", Select)
        assert [value for _, value in picker._options] == ["jobs.alarms.0"]
        picker.focus()
        await pilot.press("enter", "down", "enter")
        assert picker.value == "jobs.alarms.0"
        await pilot.press("ctrl+s")
        assert app.session.log == ["set-alarm-state jobs.alarms.0 ALARM"]

    drive(app, script, notifications=True)


def test_the_alarm_dialog_made_again_keeps_the_state_and_reason_picked(tmp_path: Path) -> None:
    # Its alarm picker resets the state picker when it picks: what the user picked stays.
    app, clock, config = watched_app(tmp_path, TWO_ALARMS)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "jobs"
        await pilot.press("c")
        dialog = app.screen
        assert isinstance(dialog, AlarmStateDialog)
        dialog.query_one("#alarm-name", Select).value = "jobs.alarms.1"
        await pilot.pause()
        dialog.query_one("#alarm-state", Select).value = "OK"
        dialog.query_one("#alarm-reason", Input).value = "checked by hand"
        await save(pilot, app, clock, config, TWO_ALARMS + "  other: {type: sqs-queue}\n")
        dialog = app.screen
        assert isinstance(dialog, AlarmStateDialog)
        await pilot.pause()
        assert dialog.picked("#alarm-name") == "jobs.alarms.1"
        assert dialog.picked("#alarm-state") == "OK"
        await pilot.press("ctrl+s")
        assert app.session.log == ["set-alarm-state jobs.alarms.1 OK --reason 'checked by hand'"]

    drive(app, script, notifications=True)


def test_a_dialog_under_a_page_when_the_stack_is_reloaded_is_made_again_once_back_on_top(
    tmp_path: Path,
) -> None:
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  echo:\n    response: '{statusCode: `200`, body: body}'\n",
        encoding="utf-8",
    )
    app, clock, config = watched_app(tmp_path, ECHO_STACK)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        await pilot.press("ctrl+s")
        assert shown(app, "#http-response").startswith("HTTP 200")
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OutputPage)
        await save(pilot, app, clock, config, ECHO_STACK.replace("/echo", "/say"))
        assert isinstance(app.screen, OutputPage)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        renewed = app.screen
        assert isinstance(renewed, HttpDialog) and renewed is not dialog
        assert "POST /say → echo" in shown(app, "#http-routes")
        assert shown(app, ".dialog-notice").startswith("stacktape.yml changed on disk: reloaded")

    drive(app, script, notifications=True)


ECHO_BEHAVIORS = "behaviors:\n  echo:\n    response: '{statusCode: `200`, body: body}'\n"
# Markup in an answer stays text, marked or not.
HOSTILE = "[bold red]x[/] [@click=app.quit]q[/]"


def echo_app(tmp_path: Path) -> tuple[StptuiApp, Clock, Path]:
    """The app on ECHO_STACK (its function echoes the body) in `tmp_path`, reloaded on save."""
    (tmp_path / "stptui.yml").write_text(ECHO_BEHAVIORS, encoding="utf-8")
    return watched_app(tmp_path, ECHO_STACK)


def test_the_http_response_shown_is_kept_over_a_reload_marked_as_the_old_simulations(
    tmp_path: Path,
) -> None:
    app, clock, config = echo_app(tmp_path)
    sent = f"http POST /echo '{HOSTILE}'"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        assert isinstance(app.screen, HttpDialog)
        app.screen.query_one("#http-body", TextArea).text = HOSTILE
        await pilot.press("ctrl+s")
        assert shown(app, "#http-response").startswith("HTTP 200")
        await save(pilot, app, clock, config, ECHO_STACK.replace("/echo", "/say"))
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        await pilot.pause()
        # The response is still there, and says whose it is before its status line.
        said = shown(app, "#http-response")
        assert said.startswith(
            "before the rebuild: the answer of the simulation it replaced HTTP 200"
        )
        assert HOSTILE in said
        assert shown(app, ".dialog-notice").endswith("; fields and answer kept")
        # Its page says so too.
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OutputPage)
        assert app.screen.text.plain.startswith("before the rebuild: the answer of")
        await pilot.press("escape")
        # The next request's answer replaces it, unmarked: the route is gone on this one.
        await pilot.press("ctrl+s")
        assert shown(app, "#http-response").startswith("HTTP 404")
        assert app.session.log == [sent, sent]

    drive(app, script, notifications=True)


def test_the_invoke_answer_shown_is_kept_over_a_reload_marked_as_the_old_simulations(
    tmp_path: Path,
) -> None:
    from stptui.tui.screens.invoke_dialog import InvokeDialog

    app, clock, config = echo_app(tmp_path)
    payload = f'{{"body": "{HOSTILE}"}}'

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("v")
        assert isinstance(app.screen, InvokeDialog)
        app.screen.query_one("#invoke-payload", TextArea).text = payload
        await pilot.press("ctrl+s")
        first = shown(app, "#invoke-answer")
        assert first.startswith("echo succeeded in 100 ms") and HOSTILE in first
        await save(pilot, app, clock, config, ECHO_STACK + "  other: {type: sqs-queue}\n")
        dialog = app.screen
        assert isinstance(dialog, InvokeDialog)
        await pilot.pause()
        assert dialog.value("#invoke-payload") == payload
        said = shown(app, "#invoke-answer")
        mark = "before the rebuild: the answer of the simulation it replaced"
        assert said.startswith(mark) and said.endswith(first)
        # Invoked again on the reloaded simulation: its own answer, unmarked.
        await pilot.press("ctrl+s")
        again = shown(app, "#invoke-answer")
        assert again.startswith("echo succeeded in 100 ms") and again != first
        assert len(app.session.log) == 2

    drive(app, script, notifications=True)


def test_the_websocket_answer_shown_is_kept_over_a_reload_marked_as_the_old_simulations(
    tmp_path: Path,
) -> None:
    from stptui.tui.screens.websocket_dialog import WebSocketDialog

    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    chat = (examples / "chat.yml").read_text(encoding="utf-8")
    behaviors = (examples / "chat-behaviors.yml").read_text(encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    app, clock, config = watched_app(tmp_path, chat)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("w")
        assert isinstance(app.screen, WebSocketDialog)
        await pilot.press(*"token=t-1", "ctrl+s")
        await pilot.pause()
        first = shown(app, "#ws-answer")
        assert first.startswith("connected")
        await save(pilot, app, clock, config, chat + "  spare: {type: sqs-queue}\n")
        dialog = app.screen
        assert isinstance(dialog, WebSocketDialog)
        await pilot.pause()
        said = shown(app, "#ws-answer")
        assert said.startswith("before the rebuild: the answer of the simulation it replaced")
        assert said.endswith(first)

    drive(app, script, notifications=True)


@pytest.mark.parametrize(
    ("key", "field", "answer"),
    [("h", "#http-body", "#http-response"), ("v", "#invoke-payload", "#invoke-answer")],
)
def test_at_80x24_the_dialog_made_again_shows_its_fields_and_the_kept_answers_mark(
    tmp_path: Path, key: str, field: str, answer: str
) -> None:
    # The notice was the reload's whole answer, six lines at 80 columns, and the mark two:
    # the answer kept was out of sight under the form, 11 to 15 rows down.
    from textual.geometry import Region
    from textual.widget import Widget

    app, clock, config = echo_app(tmp_path)

    def in_sight(region: Region) -> bool:
        box = app.screen.query_one(".dialog-box", Widget)
        return box.scrollable_content_region.contains_region(region)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press(key)
        app.screen.query_one(field, TextArea).text = '{"body": "hi"}'
        await pilot.press("ctrl+s")
        await save(pilot, app, clock, config, ECHO_STACK + "  other: {type: sqs-queue}\n")

        def mark_in_sight() -> bool:
            kept = app.screen.query(answer)
            return bool(kept) and in_sight(kept.first(Widget).region._replace(height=1))

        await wait_until(pilot, mark_in_sight, "the kept answer's mark in sight")
        # And it stays there: the layouts that follow (a scrollbar that comes narrows the
        # focused field) do not scroll back to the field.
        await pilot.pause(0.2)
        notice = app.screen.query_one(".dialog-notice", Widget)
        assert shown(app, ".dialog-notice") == (
            "stacktape.yml changed on disk: reloaded; fields and answer kept"
        )
        assert notice.region.height == 1 and in_sight(notice.region)
        # What was typed, and the mark over the answer kept, its first line.
        typed = app.screen.query_one(field, TextArea)
        assert typed.text == '{"body": "hi"}' and in_sight(typed.region)
        kept = app.screen.query_one(answer, Widget).region
        assert in_sight(kept._replace(height=1))
        assert shown(app, answer).startswith(
            "before the rebuild: the answer of the simulation it replaced"
        )

    drive(app, script, (80, 24), notifications=True)
