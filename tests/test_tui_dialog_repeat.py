"""Pilot tests of the dialogs' repeat field: `3 every 1s` in the send dialog makes
`repeat 3 --every 1s send ...`, whose repetitions number the body through `{i}` as the
clock advances; a repeat value that cannot be read, or that `repeat` refuses, is shown in
the dialog and changes nothing; the HTTP dialog repeated makes that many requests and
closes on repeat's summary. The log, produce, restore, item and start-execution dialogs
have the field too, their checks reading repetition 1's fields; the WebSocket dialog has it
for a connect, a send and a post, not a disconnect."""

from __future__ import annotations

import json
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, TextArea
from tui_one_app import on_one_app, steps_at
from tui_support import (
    EXAMPLES,
    START,
    app_for,
    drawn_text,
    drive,
    echo_session,
    example_session,
    records_of,
    shown,
)

from stptui.commands import CommandError, CommandResult, Session, execute
from stptui.commands.handlers.repeat import REPEATABLE, repeats_of
from stptui.tui.app import StptuiApp
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.dialogs import (
    REPEAT_LABEL,
    CommandDialog,
    FireDialog,
    HttpDialog,
    PublishDialog,
    PutRecordDialog,
    SendDialog,
    UploadDialog,
    repeat_prefix,
)
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.screens.invoke_dialog import InvokeDialog
from stptui.tui.screens.item_dialog import ItemDialog
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.screens.produce_dialog import ProduceDialog
from stptui.tui.screens.restore_dialog import RestoreDialog
from stptui.tui.screens.sns_dialog import SnsDialog
from stptui.tui.screens.websocket_dialog import NEW, WebSocketDialog
from stptui.tui.widgets.agenda_pane import AgendaPane

# A queue of the combined stack that nothing consumes: what is sent stays to be read.
UNREAD = "deadLetterQueue"


def error_of(app: StptuiApp) -> str:
    """The open dialog's error line, as drawn, its lines joined by spaces."""
    dialog = app.screen
    assert isinstance(dialog, CommandDialog)
    return " ".join(drawn_text(dialog.query_one(f"#{dialog.PREFIX}-error")).split())


def bodies(app: StptuiApp, queue: str) -> list[object]:
    """The JSON bodies of the messages waiting in `queue`, oldest first."""
    return [json.loads(m.body) for m in app.session.sim.queues[queue].listing()]


def test_repeat_prefix_reads_n_or_n_every_d() -> None:
    assert repeat_prefix("") == repeat_prefix(" 1 ") == ""
    assert repeat_prefix("100") == "repeat 100"
    assert repeat_prefix(" 100  every 50ms ") == "repeat 100 --every 50ms"
    for bad in ("100 evry 50ms", "100 every", "every 5s", "3 4"):
        try:
            repeat_prefix(bad)
        except CommandError as exc:
            assert "N every D" in exc.format()
        else:
            raise AssertionError(bad)


def next_repeat(app: StptuiApp) -> str:
    """The id the session's next repeat gets (`repeat-N`, numbered as they are made)."""
    return f"repeat-{repeats_of(app.session.sim).made + 1}"


async def send_repeated_every_second_numbers_each_message(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    before = len(bodies(app, UNREAD))
    repeat = next_repeat(app)
    await pilot.press("s")
    dialog = app.screen
    assert isinstance(dialog, SendDialog)
    dialog.query_one("#send-queue", Select).value = UNREAD
    dialog.query_one("#send-body", TextArea).text = '{"n": {i}}'
    await pilot.pause()
    # Not JSON until {i} is a number: the dialog says what makes it one.
    assert "repeat field" in error_of(app)
    dialog.query_one("#send-repeat", Input).value = "3 every 1s"
    await pilot.pause()
    assert error_of(app) == ""
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, CommandDialog)
    assert app.session.log[-1] == f"repeat 3 --every 1s send {UNREAD} '{{\"n\": {{i}}}}'"
    # The first now; the agenda shows the rest waiting on the clock.
    assert bodies(app, UNREAD)[before:] == [{"n": 1}]
    agenda = " ".join(drawn_text(app.query_one(AgendaPane)).split())
    assert repeat in agenda
    execute(app.session, "advance 2s")
    assert bodies(app, UNREAD)[before:] == [{"n": 1}, {"n": 2}, {"n": 3}]


async def the_notification_is_repeats_summary(pilot: Pilot[None], app: StptuiApp) -> None:
    repeat = next_repeat(app)
    await pilot.press("s")
    app.screen.query_one("#send-queue", Select).value = UNREAD
    app.screen.query_one("#send-repeat", Input).value = "4"
    await pilot.press("ctrl+s")
    notes = [str(n.message) for n in app._notifications]
    assert any(n.startswith(f"{repeat}: 4 × send") and "4 accepted" in n for n in notes), notes


async def a_bad_repeat_is_refused_in_place_and_changes_nothing(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    s = app.session
    log, seq, now = list(s.log), s.sim.trace.seq, s.sim.clock.now
    await pilot.press("s")
    field = app.screen.query_one("#send-repeat", Input)
    for bad, said in (
        ("3 evry 1s", "cannot read '3 evry 1s' as N or N every D"),
        ("0", "repeat N must be a whole number of at least 1"),
        # The field's words, not the command line's `--every` option.
        ("3 every 0ms", "repeat: every 0ms is no wait: D must be at least 1 ms"),
        ("5 every -1s", "repeat: every -1s: a duration cannot be negative: '-1s'"),
        ("5 every 2x", "repeat: every 2x: "),
    ):
        field.value = bad
        # As typing it would: the field's Changed (which rechecks the form) comes first.
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SendDialog), bad
        assert said in error_of(app) and "hint:" in error_of(app), error_of(app)
        assert "--every" not in error_of(app), error_of(app)
        assert field.value == bad
    assert s.log == log and s.sim.trace.seq == seq and s.sim.clock.now == now


def test_http_repeated_five_times_makes_five_requests_and_closes(tmp_path: Path) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        dialog.query_one("#http-method", Select).value = "POST"
        dialog.query_one("#http-path", Input).value = "/echo"
        dialog.query_one("#http-body", TextArea).text = "hello {i}"
        dialog.query_one("#http-repeat", Input).value = "5"
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, CommandDialog)
        assert app.session.log == ["repeat 5 http POST /echo 'hello {i}'"]
        execute(app.session, "run")
        assert len(records_of(app.session, "http.request")) == 5
        assert len(records_of(app.session, "http.response")) == 5

    drive(StptuiApp(echo_session(tmp_path)), script)


def never(line: str) -> CommandResult:
    raise AssertionError(line)


def test_only_dialogs_whose_command_repeat_runs_have_the_field() -> None:
    repeated = (
        SendDialog,
        PutRecordDialog,
        PublishDialog,
        UploadDialog,
        HttpDialog,
        FireDialog,
        LogLineDialog,
        ProduceDialog,
        RestoreDialog,
        StartExecutionDialog,
        SnsDialog,
    )
    assert [d.COMMAND for d in repeated] == [
        "send",
        "put-record",
        "publish",
        "upload",
        "http",
        "fire",
        "log",
        "produce",
        "restore",
        "start-execution",
        "publish-sns",
    ]
    assert all(d.COMMAND in REPEATABLE for d in repeated)
    assert all(c in REPEATABLE for c in ItemDialog.COMMANDS)
    # The invoke dialog runs `invoke` or `start-job`, both repeated.
    assert all(c in REPEATABLE for c in InvokeDialog.COMMANDS)
    s = app_for("combined").session
    assert SendDialog(s, None, never).has_repeat_field
    assert LogLineDialog(s, None, never).has_repeat_field
    # A dialog whose command `repeat` refuses (set-alarm-state sets state) has none.
    shop = Session.open(EXAMPLES / "alarms.yml", start_ms=START)
    assert not AlarmStateDialog(shop, None, never).has_repeat_field
    # The WebSocket dialog runs four commands, three of which repeat.
    assert [c in REPEATABLE for c in WebSocketDialog.COMMANDS] == [True, True, True, False]


async def the_repeat_field_keeps_the_first_field_focused_at_80x24(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    for key, first in (("s", "send-body"), ("p", "publish-source"), ("h", "http-path")):
        await pilot.press(key)
        dialog = app.screen
        assert isinstance(dialog, CommandDialog)
        assert app.focused is not None and app.focused.id == first, key
        frame = dialog.query_one(".dialog-box")
        assert frame.scroll_y == 0, key
        # Tabbed to, the repeat field and its label are scrolled into sight.
        dialog.query_one(f"#{dialog.PREFIX}-repeat").focus()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        field = dialog.query_one(f"#{dialog.PREFIX}-repeat")
        assert frame.region.contains_region(field.region), key
        labels = [str(label.render()) for label in dialog.query(Label)]
        assert REPEAT_LABEL in labels, key
        await pilot.press("escape")


def test_the_send_dialog_repeats_refuses_a_bad_repeat_and_keeps_its_focus_at_80x24() -> None:
    """On one app of the combined stack: a refusal first (nothing run), a repeat every
    second, a repeat's summary note, then the first field of three dialogs at 80x24 (last:
    the one at that size)."""
    checks = [
        a_bad_repeat_is_refused_in_place_and_changes_nothing,
        send_repeated_every_second_numbers_each_message,
        the_notification_is_repeats_summary,
    ]
    steps = steps_at((120, 36), checks)
    steps += steps_at((80, 24), [the_repeat_field_keeps_the_first_field_focused_at_80x24])
    on_one_app(app_for("combined"), steps, notifications=True)


# -- the log, produce, restore and WebSocket dialogs ------------------------------------------


def test_the_log_dialog_repeated_writes_each_line_with_its_number() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("l")
        dialog = app.screen
        assert isinstance(dialog, LogLineDialog)
        dialog.query_one("#log-message", Input).value = "ERROR order {i} failed"
        dialog.query_one("#log-repeat", Input).value = "3 every 1s"
        await pilot.pause()
        assert error_of(app) == ""
        await pilot.press("enter")
        assert not isinstance(app.screen, CommandDialog)
        assert app.session.log == ["repeat 3 --every 1s log payments 'ERROR order {i} failed'"]
        execute(app.session, "advance 2s")
        written = [r.data["message"] for r in records_of(app.session, "log.written")]
        assert written == [f"ERROR order {i} failed" for i in (1, 2, 3)]

    drive(StptuiApp(example_session("log-alerts")), script, size=(120, 40))


def test_the_produce_dialog_repeated_shows_repetition_1s_partition_and_produces_n() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("kafka:order-events")
        await pilot.press("m")
        dialog = app.screen
        assert isinstance(dialog, ProduceDialog)
        dialog.query_one("#produce-value", TextArea).text = '{"orderId": {i}}'
        dialog.query_one("#produce-key", Input).value = "customer-{i}"
        await pilot.pause()
        assert "key customer-{i} (murmur2)" in shown(app, "#produce-where")
        dialog.query_one("#produce-repeat", Input).value = "4"
        await pilot.pause()
        # Repeated, the partition is the one repetition 1's key picks.
        assert "key customer-1 (murmur2)" in shown(app, "#produce-where")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, CommandDialog)
        assert app.session.log == [
            "repeat 4 produce order-events '{\"orderId\": {i}}' --key 'customer-{i}'"
        ]
        keys = [r.data["key"] for r in records_of(app.session, "kafka.record_produced")]
        assert keys == [f"customer-{i}" for i in range(1, 5)]

    drive(StptuiApp(Session.open(EXAMPLES / "kafka-orders.yml", start_ms=START)), script)


def test_the_restore_dialog_repeated_checks_repetition_1s_key() -> None:
    s = Session.open(EXAMPLES / "restore.yml", start_ms=START)
    execute(s, "repeat 3 upload archive reports/r-{i}.csv --size 200KB")
    execute(s, "advance 1d")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("o")
        dialog = app.screen
        assert isinstance(dialog, RestoreDialog)
        dialog.query_one("#restore-key", Input).value = "reports/r-{i}.csv"
        await pilot.pause()
        # Once, the key is the text typed: no such object.
        assert "reports/r-{i}.csv" in error_of(app)
        dialog.query_one("#restore-repeat", Input).value = "3"
        await pilot.pause()
        assert error_of(app) == ""
        assert shown(app, "#restore-plan").startswith("202 Accepted: a Standard retrieval")
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, CommandDialog)
        assert app.session.log[-1] == "repeat 3 restore archive 'reports/r-{i}.csv'"
        restored = [r.data["key"] for r in records_of(app.session, "restore.initiated")]
        assert restored == [f"reports/r-{i}.csv" for i in (1, 2, 3)]

    drive(StptuiApp(s), script, size=(120, 40))


async def the_websocket_dialog_repeats_a_send_and_the_clock_carries_the_answers(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command("ws-connect realtime --query token=t-1")
    await pilot.press("w")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, WebSocketDialog)
    conn = str(dialog.query_one("#ws-connection", Select).value)
    repeat = dialog.query_one("#ws-repeat", Input)
    assert repeat.display
    dialog.query_one("#ws-message", Input).value = '{"action": "sendMessage", "n": {i}}'
    repeat.value = "5 every 100ms"
    await pilot.pause()
    assert error_of(app) == ""
    assert "sendMessage -> sendMessage" in shown(app, "#ws-plan")
    await pilot.press("ctrl+s")
    # A repeat's answer is its summary: the dialog closes on it.
    assert not isinstance(app.screen, CommandDialog)
    line = f'repeat 5 --every 100ms ws-send {conn} \'{{"action": "sendMessage", "n": {{i}}}}\''
    assert app.session.log[-1] == line
    execute(app.session, "advance 1s")
    echoes = [r for r in records_of(app.session, "ws.received") if r.data["connection_id"] == conn]
    assert len(echoes) == 5


async def the_websocket_dialog_has_no_repeat_field_for_a_disconnect(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    connected = len(records_of(app.session, "ws.connected"))
    app.run_command("ws-connect realtime --query token=t-1")
    # The dialog opens on the newest connection: the one just made.
    await pilot.press("w")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, WebSocketDialog)
    repeat = dialog.query_one("#ws-repeat", Input)
    label = dialog.query_one("#ws-repeat-label", Label)
    repeat.value = "3"
    dialog.query_one("#ws-action", Select).value = "disconnect"
    await pilot.pause()
    assert not repeat.display and not label.display
    # What the field held does not count for a command `repeat` refuses.
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.session.log[-1].startswith("ws-disconnect ")
    # Back on a new connection: a connect repeats, one connection per repetition.
    assert dialog.query_one("#ws-connection", Select).value == NEW
    assert repeat.display and label.display
    dialog.query_one("#ws-query", Input).value = "token=t-1"
    repeat.value = "3"
    await pilot.pause()
    assert shown(app, "#ws-plan").startswith("the authorizer gatekeeper decides")
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, CommandDialog)
    assert app.session.log[-1] == "repeat 3 ws-connect realtime --query token=t-1"
    execute(app.session, "advance 1s")
    assert len(records_of(app.session, "ws.connected")) == connected + 4


def test_the_websocket_dialog_repeats_a_send_and_a_connect_but_not_a_disconnect() -> None:
    """On one app of the chat example, each check on a connection of its own."""
    checks = [
        the_websocket_dialog_repeats_a_send_and_the_clock_carries_the_answers,
        the_websocket_dialog_has_no_repeat_field_for_a_disconnect,
    ]
    on_one_app(StptuiApp(example_session("chat")), steps_at((120, 40), checks))


def test_the_item_dialog_repeated_checks_repetition_1s_item_and_writes_n() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("i")
        dialog = app.screen
        assert isinstance(dialog, ItemDialog)
        item = dialog.query_one("#item-json", TextArea)
        item.text = '{"cartId": {"S": "c-{i}"}, "total": {"N": "{i}"}}'
        await pilot.pause()
        # Once, `{i}` is no number: DynamoDB's own check says so.
        assert "cannot be converted into a number" in error_of(app)
        dialog.query_one("#item-repeat", Input).value = "3"
        await pilot.pause()
        assert error_of(app) == ""
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, CommandDialog)
        assert app.session.log == [
            'repeat 3 put-item carts \'{"cartId": {"S": "c-{i}"}, "total": {"N": "{i}"}}\''
        ]
        items = app.session.sim.services["tables"]["carts"].items
        assert sorted(str(v["total"]) for v in items.values()) == [
            "{'N': '1'}",
            "{'N': '2'}",
            "{'N': '3'}",
        ]

    drive(StptuiApp(Session.open(EXAMPLES / "cart-audit.yml", start_ms=START)), script)


def test_the_start_execution_dialog_repeated_names_each_execution() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("t")
        dialog = app.screen
        assert isinstance(dialog, StartExecutionDialog)
        dialog.query_one("#exec-input", TextArea).text = '{"orderId": "o-{i}", "amount": {i}}'
        dialog.query_one("#exec-name", Input).value = "run-{i}"
        await pilot.pause()
        assert "repeat field" in error_of(app)
        dialog.query_one("#exec-repeat", Input).value = "2 every 1s"
        await pilot.pause()
        assert error_of(app) == ""
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, CommandDialog)
        execute(app.session, "advance 1s")
        machine = app.session.sim.services["state_machines"]["orderFlow"]
        assert list(machine.executions) == ["run-1", "run-2"]

    drive(StptuiApp(example_session("workflow")), script)
