"""Snapshot tests of the dialogs behind `v`, `k`, `m`, `i`, `t`, `a`, `p`, `P`, `u`, `h`, `x`, `l`,
`o`, `y`, `c`, `b` and `f` (pytest-textual-snapshot, Textual pinned at 8.2.8).

Each dialog is shown over an empty host screen, not over the main screen, so that these
baselines change only when a dialog does (the main screen has snapshots of its own).
Deterministic by construction: a fixed terminal size, a session paused at the fixed start
instant with seed 0, no blinking cursors (tui_support), no timers running (the
fast-forward's frame interval is set beyond the test). Update the baselines with
`pytest tests/test_tui_dialog_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Select, TextArea
from tui_support import EXAMPLES, START, session

from stptui.commands import CommandResult, Session, execute
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.answer_dialog import AnswerTaskDialog
from stptui.tui.screens.dialogs import (
    FireDialog,
    HttpDialog,
    MoreFields,
    PublishDialog,
    PutRecordDialog,
    UploadDialog,
)
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.screens.fast_forward import FastForwardScreen
from stptui.tui.screens.invoke_dialog import InvokeDialog
from stptui.tui.screens.item_dialog import ItemDialog
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.screens.override_dialog import OverrideDialog
from stptui.tui.screens.produce_dialog import ProduceDialog
from stptui.tui.screens.replay_dialog import ReplayDialog, RuleBox
from stptui.tui.screens.restore_dialog import RestoreDialog
from stptui.tui.screens.sns_dialog import SnsDialog

SIZE = (120, 36)
HOUR_FRAMES = 3600.0


class DialogHost(App[None]):
    """An empty app that opens one dialog on a session of the combined sample stack."""

    def __init__(
        self,
        make: Callable[[Session, Callable[[str], CommandResult]], Screen],
        on: Session | None = None,
    ) -> None:
        super().__init__()
        self.session = on or session("combined")
        self.make = make

    def run_line(self, line: str) -> CommandResult:
        """What the app's run_command does, without panes to flush."""
        return execute(self.session, line)

    def on_mount(self) -> None:
        self.push_screen(self.make(self.session, self.run_line))


def host(make: Callable[[Session, Callable[[str], CommandResult]], Screen]) -> DialogHost:
    """The host app for one dialog."""
    return DialogHost(make)


def test_publish_dialog_with_a_detail_that_is_not_an_object(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#publish-source", Input).value = "orders"
        screen.query_one("#publish-detail-type", Input).value = "OrderCreated"
        screen.query_one("#publish-detail", TextArea).text = '["orderId", 1]'
        await pilot.pause()

    app = host(lambda s, run: PublishDialog(s, None, run))
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_sns_dialog_with_an_attribute_one_policy_filters_out(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#sns-subject", Input).value = "Disk"
        screen.query_one("#sns-message", TextArea).text = "disk full on db-1"
        screen.query_one("#sns-attrs", TextArea).text = "severity=low\nhost=db-1"
        await pilot.pause()

    alerts = Session.open(EXAMPLES / "sns-filtered.yml", start_ms=START)
    app = DialogHost(lambda s, run: SnsDialog(s, "pager", run), alerts)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_invoke_dialog_with_a_sync_response(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#invoke-payload", TextArea).text = '{"body": {"orderId": 7}}'
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()

    app = host(lambda s, run: InvokeDialog(s, "api", run))
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_invoke_dialog_on_a_batch_job(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#invoke-payload", TextArea).text = '{"date": "2026-01-05"}'
        await pilot.pause()

    app = host(lambda s, run: InvokeDialog(s, "heavyJob", run))
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_upload_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        # The key as the dialog fills it in (a key the notification fires for), selected.
        screen.query_one("#upload-content", TextArea).text = "id,amount\n1,20"
        await pilot.pause()

    app = host(lambda s, run: UploadDialog(s, None, run))
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_put_record_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#put-key", Input).value = "user-2"
        await pilot.pause()

    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    clicks = Session.open(examples / "clickstream.yml", start_ms=START)
    app = DialogHost(lambda s, run: PutRecordDialog(s, None, run), clicks)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_produce_dialog_with_a_key_and_headers(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#produce-key", Input).value = "customer-1"
        screen.query_one("#produce-headers", TextArea).text = "source=checkout\nretry=0"
        # Opened, as ctrl+t opens it: the headers are folded under a line that counts them.
        screen.query_one("#produce-more", MoreFields).collapsed = False
        await pilot.pause()

    orders = Session.open(EXAMPLES / "kafka-orders.yml", start_ms=START)
    execute(orders, "produce order-events '{\"orderId\": 1}' --key customer-1")
    app = DialogHost(lambda s, run: ProduceDialog(s, "orderWorker", run), orders)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_item_dialog_with_a_missing_key(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#item-json", TextArea).text = '{"total": {"N": "20"}}'
        await pilot.pause()

    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    carts = Session.open(examples / "cart-audit.yml", start_ms=START)
    app = DialogHost(lambda s, run: ItemDialog(s, None, run), carts)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_start_execution_dialog_with_a_name_already_used(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#exec-input", TextArea).text = '{"orderId": "o-2", "amount": 900}'
        screen.query_one("#exec-name", Input).value = "small-order"
        await pilot.pause()

    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    orders = Session.open(
        examples / "workflow.yml",
        behaviors_path=examples / "workflow-behaviors.yml",
        start_ms=START,
    )
    execute(orders, 'start-execution orderFlow \'{"orderId": "o-1"}\' --name small-order')
    app = DialogHost(lambda s, run: StartExecutionDialog(s, None, run), orders)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_answer_task_dialog_failing_a_task(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#answer-kind", Select).value = "send-task-failure"
        screen.query_one("#answer-fail-error", Input).value = "Rejected"
        screen.query_one("#answer-fail-cause", Input).value = "x" * 32_769
        await pilot.pause()

    from stptui.sim.asl_callbacks import tokens_of

    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    orders = Session.open(
        examples / "workflow-callback.yml",
        behaviors_path=examples / "workflow-callback-behaviors.yml",
        start_ms=START,
    )
    execute(orders, 'start-execution orderApproval \'{"orderId": "o-1", "amount": 5}\' --name a')
    execute(orders, "advance 5s")
    waiting = tokens_of(orders.sim).waiting()
    app = DialogHost(lambda s, run: AnswerTaskDialog(s, waiting, None, run), orders)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_http_dialog_with_a_response(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def send(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, HttpDialog)
        screen.query_one("#http-method", Select).value = "POST"
        screen.query_one("#http-path", Input).value = "/webhooks/stripe"
        screen.query_one("#http-body", TextArea).text = '{"id": "evt_1"}'
        screen.query_one("#http-headers", TextArea).text = "stripe-signature: t=1,v1=x"
        await pilot.pause()
        screen.action_run()
        await pilot.pause()

    app = host(lambda s, run: HttpDialog(s, run))
    assert snap_compare(app, terminal_size=SIZE, run_before=send)


def test_http_dialog_with_jwt_claims_for_a_cognito_route(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#http-path", Input).value = "/me"
        screen.query_one("#http-headers", TextArea).text = "origin: https://app.example.com"
        screen.query_one("#http-jwt", Input).value = "sub=u1,email=ann@example.com"
        screen.query_one("#http-more", MoreFields).collapsed = False
        await pilot.pause()

    auth = Session.open(
        EXAMPLES / "http-auth.yml",
        behaviors_path=EXAMPLES / "http-auth-behaviors.yml",
        start_ms=START,
    )
    app = DialogHost(lambda s, run: HttpDialog(s, run), auth)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_http_dialog_with_a_container_answering(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # The routes name their containers; the container's behaviour writes the answer.
    async def send(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, HttpDialog)
        screen.query_one("#http-method", Select).value = "POST"
        screen.query_one("#http-path", Input).value = "/orders"
        screen.query_one("#http-body", TextArea).text = '{"id": 1, "amount": 20}'
        await pilot.pause()
        screen.action_run()
        await pilot.pause()

    shop = Session.open(
        EXAMPLES / "container-shop.yml",
        behaviors_path=EXAMPLES / "container-shop-behaviors.yml",
        start_ms=START,
    )
    app = DialogHost(lambda s, run: HttpDialog(s, run), shop)
    assert snap_compare(app, terminal_size=SIZE, run_before=send)


def test_upload_dialog_with_tags_on_a_bucket_with_lifecycle_rules(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        # Typed over the key the dialog fills in (selected, so typing replaces it).
        await pilot.press(*"scratch.txt")
        screen.query_one("#upload-tags", Input).value = "class=scratch"
        await pilot.pause()

    lifecycle = Session.open(EXAMPLES / "lifecycle.yml", start_ms=START)
    app = DialogHost(lambda s, run: UploadDialog(s, None, run), lifecycle)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_log_dialog_with_a_line_one_filter_matches(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#log-message", Input).value = "ERROR ledger write failed"
        await pilot.pause()

    logs = Session.open(
        EXAMPLES / "log-alerts.yml",
        behaviors_path=EXAMPLES / "log-alerts-behaviors.yml",
        start_ms=START,
    )
    execute(logs, 'invoke payments \'{"card": "declined"}\'')
    app = DialogHost(lambda s, run: LogLineDialog(s, "payments", run), logs)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_restore_dialog_refusing_a_restore_in_progress(snap_compare) -> None:  # type: ignore[no-untyped-def]
    archive = Session.open(EXAMPLES / "restore.yml", start_ms=START)
    for line in (
        "upload archive reports/2025.csv --size 200KB",
        "upload archive ledgers/2019.csv --size 1MB",
        "upload archive notes.txt --size 2KB",
        "advance 1d",
        "restore archive ledgers/2019.csv",
    ):
        execute(archive, line)

    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#restore-key", Input).value = "ledgers/2019.csv"
        await pilot.pause()

    app = DialogHost(lambda s, run: RestoreDialog(s, None, run), archive)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_replay_dialog_to_one_rule_with_an_event_still_arriving(snap_compare) -> None:  # type: ignore[no-untyped-def]
    orders = Session.open(EXAMPLES / "replay.yml", start_ms=START)
    for line in (
        "publish orderEvents orders OrderPlaced '{\"orderId\": 1}'",
        "advance 20m",
        "publish orderEvents orders OrderPlaced '{\"orderId\": 2}'",
        "advance 5m",
    ):
        execute(orders, line)

    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        for box in screen.query(RuleBox):
            box.value = box.rule_name == "shop-dev-billing-event-bus-1"
        screen.query_one("#replay-name", Input).value = "billing-fix"
        await pilot.pause()

    app = DialogHost(lambda s, run: ReplayDialog(s, None, run), orders)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_alarm_dialog_with_an_alarm_that_pages_a_function(snap_compare) -> None:  # type: ignore[no-untyped-def]
    shop = Session.open(
        EXAMPLES / "alarms.yml",
        behaviors_path=EXAMPLES / "alarms-behaviors.yml",
        start_ms=START,
    )
    for line in ("send jobs 'bad order'", "advance 90s"):
        execute(shop, line)

    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#alarm-reason", Input).value = "paging drill"
        await pilot.pause()

    app = DialogHost(lambda s, run: AlarmStateDialog(s, "pager", run), shop)
    assert snap_compare(app, terminal_size=SIZE, run_before=fill)


def test_fire_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = host(lambda s, run: FireDialog(s, "heavyJob", run))
    assert snap_compare(app, terminal_size=SIZE)


def test_override_dialog_on_a_worker_failing_its_next_two(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def fill(pilot: Pilot[None]) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#override-action", Select).value = "slow"
        pilot.app.screen.query_one("#override-how", Input).value = "6m"
        await pilot.pause()

    failing = session("combined")
    execute(failing, "fail worker next 2")
    app = DialogHost(lambda s, run: OverrideDialog(s, "worker", run), failing)
    assert snap_compare(app, terminal_size=(80, 24), run_before=fill)


def test_fast_forward_dialog_asking(snap_compare) -> None:  # type: ignore[no-untyped-def]
    app = host(lambda s, run: FastForwardScreen(s, lambda: None, frame_s=HOUR_FRAMES))
    assert snap_compare(app, terminal_size=SIZE, press=list("30d"))


def test_fast_forward_dialog_running(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def three_slices(pilot: Pilot[None]) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, FastForwardScreen)
        screen.query_one(Input).value = "30d"
        screen.action_start()
        screen.tick()
        screen.tick()
        await pilot.pause()

    app = host(lambda s, run: FastForwardScreen(s, lambda: None, frame_s=HOUR_FRAMES))
    assert snap_compare(app, terminal_size=SIZE, run_before=three_slices)
