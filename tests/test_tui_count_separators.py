"""Counts in the terminal UI are written with thousands separators (`1,234`), as the
Events pane, the Inspector's stream sections and the commands write them: a graph box, the
Queues pane, the Inspector's queue and state machine pages and the dialogs' hints wrote
`1234` beside them. (The graph box and the Queues pane's own tests are with theirs.)"""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import EXAMPLES, START, app_for, drive, example_session, inspector, shown

from stptui.commands import Session
from stptui.tui.app import StptuiApp


def test_the_inspectors_queue_page() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("repeat 1234 send jobQueue x")
        app.run_command("repeat 1234 send deadLetterQueue x")
        app.jump_to("jobQueue")
        await pilot.pause()
        page = inspector(app)
        assert "visible 1,234, in flight 0, delayed 0" in page
        assert "dead-letter queue deadLetterQueue after 3, 1,234 messages in it" in page

    drive(app_for(), script)


def test_the_produce_dialogs_hint() -> None:
    s = Session.open(EXAMPLES / "kafka-orders.yml", start_ms=START)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("repeat 1234 produce audit x")
        app.jump_to("auditor")
        await pilot.press("m")
        assert "3 partitions, 1,234 records held" in shown(app, "#produce-topic-hint")

    drive(StptuiApp(s), script)


def test_the_put_record_dialogs_hint() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("repeat 1234 put-record clicks x")
        app.jump_to("clickProcessor")
        await pilot.press("k")
        assert "2 shards, 1,234 records held" in shown(app, "#put-hint")

    drive(StptuiApp(example_session("clickstream")), script)


def test_the_item_dialogs_hint() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command('repeat 1234 put-item carts \'{"cartId": {"S": "c{i}"}}\'')
        app.jump_to("cartAudit")
        await pilot.press("i")
        assert "1,234 items, stream NEW_AND_OLD_IMAGES" in shown(app, "#item-hint")

    drive(StptuiApp(example_session("cart-audit")), script)


def test_the_state_machine_page_and_the_start_execution_dialogs_hint() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command('repeat 1234 start-execution orderFlow \'{"orderId": "o{i}"}\'')
        app.jump_to("orderFlow")
        await pilot.pause()
        assert "1,234 started: 1,000 running" in inspector(app)
        await pilot.press("t")
        assert "1,234 started: 1,000 running" in shown(app, "#exec-hint")

    drive(StptuiApp(example_session("workflow")), script)
