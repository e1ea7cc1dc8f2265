"""The item dialog (`i`) updates an item (update-item) and writes conditionally, its update
and condition expressions and their placeholders checked as they are typed by the
simulator's own expression parser, on docs/examples/cart-audit.yml."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_support import drive, example_session, records_of, shown

from stptui.commands import execute
from stptui.commands.session import trace_sha256
from stptui.tui.app import StptuiApp
from stptui.tui.screens.item_dialog import ItemDialog

PUT = 'put-item carts \'{"cartId": {"S": "c-1"}, "total": {"N": "20"}}\''
KEY = '{"cartId": {"S": "c-1"}}'


def test_update_takes_the_key_and_an_update_expression_with_placeholders() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(PUT)
        await pilot.press("i")
        dialog = app.screen
        assert isinstance(dialog, ItemDialog)
        area = dialog.query_one("#item-json", TextArea)
        area.text = '{"cartId": {"S": "c-1"}, "total": {"N": "20"}}'
        # The update field shows for an update only; the key is kept of the item typed.
        assert not dialog.query_one("#item-update-box").display
        dialog.query_one("#item-op-select", Select).value = "update"
        await pilot.pause()
        assert dialog.query_one("#item-update-box").display
        assert area.text == KEY
        assert shown(app, "#item-error") == ""
        update = dialog.query_one("#item-update", Input)
        update.value = "SET total = total + :n, status = :s"
        await pilot.pause()
        # The simulator's parser, as typed: a reserved word, then unknown placeholders.
        error = shown(app, "#item-error")
        assert "Attribute name is a reserved keyword; reserved keyword: total" in error
        assert """add --names '{"#total": "total"}'""" in error
        update.value = "SET #t = #t + :n, #s = :s"
        await pilot.pause()
        assert "An expression attribute name used in the document path is not defined" in (
            shown(app, "#item-error")
        )
        dialog.query_one("#item-names", Input).value = '{"#t": "total", "#s": "status"}'
        values = dialog.query_one("#item-values", Input)
        values.value = '{":n": {"N": "5"}'
        await pilot.pause()
        assert "--values is not JSON" in shown(app, "#item-error")
        values.value = '{":n": {"N": "5"}, ":s": {"S": "open"}, ":x": {"N": "1"}}'
        await pilot.pause()
        assert "unused in expressions: keys: {:x}" in shown(app, "#item-error")
        values.value = '{":n": {"N": "5"}, ":s": {"S": "open"}}'
        await pilot.pause()
        assert shown(app, "#item-error") == ""
        await pilot.press("ctrl+s")
        assert not isinstance(app.screen, ItemDialog)
        line = (
            f"update-item carts '{KEY}' --update 'SET #t = #t + :n, #s = :s' "
            '--names \'{"#t": "total", "#s": "status"}\' --values \'{":n": {"N": "5"}, ":s": {"S": "open"}}\''
        )
        assert app.session.log == [PUT, line]
        typed = example_session("cart-audit")
        execute(typed, PUT)
        execute(typed, line)
        assert trace_sha256(typed.sim.trace) == trace_sha256(app.session.sim.trace)
        (updated,) = records_of(app.session, "item.updated")
        assert updated.data["event_name"] == "MODIFY"
        items = app.session.sim.services["tables"]["carts"].items
        assert list(items.values()) == [
            {"cartId": {"S": "c-1"}, "total": {"N": "25"}, "status": {"S": "open"}}
        ]

    drive(StptuiApp(example_session("cart-audit")), script)


def test_a_condition_that_fails_refuses_the_write_in_the_dialog() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(PUT)
        await pilot.press("i")
        dialog = app.screen
        dialog.query_one(
            "#item-json", TextArea
        ).text = '{"cartId": {"S": "c-1"}, "total": {"N": "99"}}'
        condition = dialog.query_one("#item-condition", Input)
        condition.value = "attribute_not_exists(cartId"
        await pilot.pause()
        assert "Invalid ConditionExpression: Syntax error" in shown(app, "#item-error")
        condition.value = "attribute_not_exists(cartId)"
        await pilot.pause()
        assert shown(app, "#item-error") == ""
        seq = app.session.sim.trace.seq
        await pilot.press("ctrl+s")
        # The item is there: the put is refused, the dialog stays, and nothing changes.
        assert isinstance(app.screen, ItemDialog)
        assert "ConditionalCheckFailedException" in shown(app, "#item-error")
        assert app.session.log == [PUT] and app.session.sim.trace.seq == seq
        # A put cannot take an update expression: its field is not part of the line.
        dialog.query_one("#item-update", Input).value = "SET total = :t"
        condition.value = "attribute_exists(cartId)"
        await pilot.pause()
        assert shown(app, "#item-error") == ""
        await pilot.press("ctrl+s")
        assert app.session.log[-1] == (
            'put-item carts \'{"cartId": {"S": "c-1"}, "total": {"N": "99"}}\' '
            "--condition 'attribute_exists(cartId)'"
        )

    drive(StptuiApp(example_session("cart-audit")), script)
