"""The terminal UI on DynamoDB tables: the item dialog (`i`), the Inspector's page of a table
(its key, first items and stream), the Events pane's rows of item writes and the Graph's
counts of a table with a stream, on docs/examples/cart-audit.yml."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Select, TextArea
from tui_one_app import on_one_app, steps_at
from tui_support import (
    START,
    drive,
    example_session,
    inspector,
    records_of,
    shown,
)

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.graph import build_graph
from stptui.tui.app import StptuiApp
from stptui.tui.render import kind_style, record_style, record_text
from stptui.tui.screens.dialogs import TextDialog
from stptui.tui.screens.item_dialog import ItemDialog
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.graph_pane import badges

# The story of the "DynamoDB tables and streams" section of docs/simulating.md: a cart is
# written, changed to a total cartAudit fails on, and deleted.
STORY = [
    'put-item carts \'{"cartId": {"S": "c-1"}, "total": {"N": "20"}}\'',
    'put-item carts \'{"cartId": {"S": "c-1"}, "total": {"N": "2000"}}\'',
    'delete-item carts \'{"cartId": {"S": "c-1"}}\'',
]


def carts() -> Session:
    """A session on docs/examples/cart-audit.yml with its behaviours, at the fixed start."""
    return example_session("cart-audit")


# -- the item dialog ------------------------------------------------------------------------


async def i_puts_an_item_whose_stream_record_reaches_the_reader(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # From the selected reader, the dialog opens on the table whose stream it reads.
    app.jump_to("cartAudit")
    await pilot.press("i")
    dialog = app.screen
    assert isinstance(dialog, ItemDialog)
    assert dialog.query_one("#item-table", Select).value == "carts"
    assert app.focused is dialog.query_one("#item-json")
    hint = shown(app, "#item-hint")
    assert "partition key cartId (S)" in hint
    assert "0 items, stream NEW_AND_OLD_IMAGES" in hint
    assert "→ cartAudit batches of up to 10" in hint
    # It starts with an item of the table's key: valid as it is.
    area = dialog.query_one("#item-json", TextArea)
    assert area.text == '{"cartId": {"S": "id-1"}, "total": {"N": "20"}}'
    assert shown(app, "#item-error") == ""
    area.text = '{"cartId": {"S": "c-1"}, "total": {"N": "20"}}'
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, ItemDialog)
    assert app.session.log == [STORY[0]]
    # Exactly what typing the line does.
    typed = carts()
    execute(typed, STORY[0])
    assert trace_sha256(typed.sim.trace) == trace_sha256(app.session.sim.trace)
    # The record reaches the function: its batch's invocation carries its number.
    (put,) = records_of(app.session, "item.put")
    assert put.data["event_name"] == "INSERT"
    await pilot.press("n")
    (started,) = records_of(app.session, "invocation.started")
    assert started.resource == "cartAudit" and started.data["trigger"] == "dynamodb"
    assert started.data["sequence_numbers"] == [put.data["sequence_number"]]


async def delete_takes_the_key_of_the_item_typed(pilot: Pilot[None], app: StptuiApp) -> None:
    # The put puts c-1 (again after the put's check: the table's one item either way).
    app.run_command(STORY[0])
    app.jump_to("carts")
    await pilot.press("i")
    dialog = app.screen
    assert "1 item, stream" in shown(app, "#item-hint")
    area = dialog.query_one("#item-json", TextArea)
    area.text = '{"cartId": {"S": "c-1"}, "total": {"N": "20"}}'
    # Switched to delete, the item keeps only its key attributes.
    dialog.query_one("#item-op-select", Select).value = "delete"
    await pilot.pause()
    assert area.text == '{"cartId": {"S": "c-1"}}'
    assert shown(app, "#item-error") == ""
    # A delete takes the key alone: DynamoDB's refusal shows before anything runs.
    area.text = '{"cartId": {"S": "c-1"}, "total": {"N": "20"}}'
    await pilot.pause()
    assert "The provided key element does not match the schema" in shown(app, "#item-error")
    area.text = '{"cartId": {"S": "c-1"}}'
    await pilot.press("ctrl+s")
    assert app.session.log[-1] == STORY[2]
    (deleted,) = records_of(app.session, "item.deleted")
    assert deleted.data["key"] == '{"cartId":{"S":"c-1"}}'
    assert app.session.sim.services["tables"]["carts"].items == {}


async def a_refused_item_is_shown_in_the_dialog_and_changes_nothing(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("i")
    area = app.screen.query_one("#item-json", TextArea)
    # Checked as typed, by the simulator's own DynamoDB JSON rules.
    area.text = '{"cartId": "c-1"}'
    await pilot.pause()
    assert "Supplied AttributeValue is empty" in shown(app, "#item-error")
    area.text = '{"total": {"N": "20"}}'
    await pilot.pause()
    error = shown(app, "#item-error")
    assert "Missing the key cartId in the item" in error
    assert "hint: an item of carts has cartId (S)" in error
    # Run anyway, the command refuses it: the dialog stays, with its error.
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, ItemDialog)
    assert "Missing the key cartId in the item" in shown(app, "#item-error")
    assert app.session.log == [] and app.session.sim.trace.seq == 0
    assert app.session.sim.services["tables"]["carts"].items == {}
    await pilot.press("escape")
    assert not isinstance(app.screen, ItemDialog)
    assert app.session.log == []


# -- the inspector --------------------------------------------------------------------------


def test_the_inspector_shows_a_tables_items_and_where_its_reader_is() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("carts")
        for line in STORY[:2]:
            app.run_command(line)
        page = inspector(app)
        assert "partition key cartId (S)\n1 item\n" in page
        assert '  {"cartId":{"S":"c-1"},"total":{"N":"2000"}}' in page
        assert "NEW_AND_OLD_IMAGES, retention 24 h, 2 records held" in page
        assert "cartAudit (batch 10, 1 retry, bisects on error, on failure → failedAudits)" in page
        assert "checkpoint none yet, 2 waiting, 0 in flight, 0 retries" in page
        # The reader's records alone bring the page up to date: the batch is bisected, the
        # first record read, the second to be retried (it fails cartAudit's behaviour).
        app.run_command("advance 600ms")
        assert "checkpoint …00000001, 1 waiting, 0 in flight, 1 retry" in inspector(app)
        app.run_command("advance 10s")
        assert "checkpoint …00000002, 0 waiting, 0 in flight, 0 retries" in inspector(app)

    drive(StptuiApp(carts()), script)


async def the_inspector_lists_as_many_items_as_show_table_does(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # On a table with no item (as it opens, or emptied by the delete's check).
    for i in range(23):
        app.run_command(f'put-item carts \'{{"cartId": {{"S": "c-{i:02}"}}}}\'')
    app.jump_to("carts")
    await pilot.pause()
    page = inspector(app)
    assert "23 items" in page
    assert '{"cartId":{"S":"c-19"}}' in page and '{"cartId":{"S":"c-20"}}' not in page
    assert "… and 3 more" in page


def test_the_item_dialog_refuses_puts_and_deletes_then_the_inspector_lists_items() -> None:
    """On cart-audit as it opens: a refusal (nothing run), the first put (what typing the
    line does), a delete of that item, then 23 items in the table emptied by it."""
    checks = [
        a_refused_item_is_shown_in_the_dialog_and_changes_nothing,
        i_puts_an_item_whose_stream_record_reaches_the_reader,
        delete_takes_the_key_of_the_item_typed,
        the_inspector_lists_as_many_items_as_show_table_does,
    ]
    on_one_app(StptuiApp(carts()), steps_at((120, 36), checks))


# -- the events pane ------------------------------------------------------------------------


def test_item_writes_lead_with_their_event_name_and_key() -> None:
    session = carts()
    for line in [STORY[0], STORY[0], *STORY[1:], "advance 10s"]:
        execute(session, line)
    puts = records_of(session, "item.put")
    texts = [record_text(r).plain.split(None, 2)[2] for r in puts]
    assert texts[0].startswith('carts INSERT key={"cartId":{"S":"c-1"}} size=16 ')
    assert texts[1].startswith('carts unchanged key={"cartId":{"S":"c-1"}} size=16 ')
    assert texts[2].startswith('carts MODIFY key={"cartId":{"S":"c-1"}} size=')
    assert "sequence_number=…00000002 shard=shardId-" in texts[2]
    assert "event_name" not in texts[0]
    (deleted,) = records_of(session, "item.deleted")
    assert (
        record_text(deleted)
        .plain.split(None, 2)[2]
        .startswith('carts REMOVE key={"cartId":{"S":"c-1"}} sequence_number=…00000003')
    )
    # A record on the stream arrives cyan, as a Kinesis record does; a put that changed
    # nothing (no record) is dim. The batches of the table's reader read as a stream's.
    assert [record_style(r) for r in puts] == ["cyan", "dim", "cyan"]
    assert record_style(deleted) == kind_style("stream.record_put") == "cyan"
    (retried,) = records_of(session, "stream.batch_retried")
    assert record_style(retried) == "yellow"
    assert "retries=1 shard=shardId-" in record_text(retried).plain


def test_e_explains_an_item_write_by_its_sequence_number() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(STORY[0])
        await pilot.press("3", "home", "e")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        (put,) = records_of(app.session, "item.put")
        body = dialog.body.plain
        assert f"explain {put.data['sequence_number']}" in body
        assert "nothing in the trace mentions" not in body
        selected = app.query_one(RecordList).selected
        assert selected is not None and selected.seq == put.seq

    drive(StptuiApp(carts()), script)


# -- the graph ------------------------------------------------------------------------------


def test_a_tables_box_counts_its_items_and_what_is_left_to_read() -> None:
    session = carts()
    g = build_graph(session.stack)
    assert badges(session.sim, g, "carts")[0].plain == "0 items · 0 to read"
    for line in STORY[:2]:
        execute(session, line)
    assert badges(session.sim, g, "carts")[0].plain == "1 item · 2 to read"
    execute(session, "advance 600ms")
    retrying = badges(session.sim, g, "carts")[0]
    assert retrying.plain == "1 item · 1 to read"
    assert any(str(span.style) == "red" for span in retrying.spans)
    execute(session, STORY[2])
    execute(session, "advance 10s")
    assert badges(session.sim, g, "carts")[0].plain == "0 items · 0 to read"


# -- untrusted names and values -------------------------------------------------------------

HOSTILE = """\
resources:
  "t[bold]x[/foo]":
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: "k[@click=app.quit]", type: string}}
      streamType: NEW_IMAGE
  "r[/foo]":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: dynamo-db-stream
          properties: {streamArn: "$ResourceParam('t[bold]x[/foo]', 'streamArn')"}
"""


def test_table_names_and_item_values_stay_literal(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(HOSTILE, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("t[bold]x[/foo]")
        await pilot.press("i")
        hint = shown(app, "#item-hint")
        assert "partition key k[@click=app.quit] (S)" in hint
        assert "→ r[/foo] batches" in hint
        item = '{"k[@click=app.quit]": {"S": "[/foo]\\u001b[31m"}, "v": {"S": "[bold]"}}'
        app.screen.query_one("#item-json", TextArea).text = item
        await pilot.pause()
        assert shown(app, "#item-error") == ""
        await pilot.press("ctrl+s")
        assert app.session.log == [f"put-item 't[bold]x[/foo]' '{item}'"]
        page = inspector(app)
        assert '{"k[@click=app.quit]":{"S":"[/foo]\\u001b[31m"},"v":{"S":"[bold]"}}' in page
        assert "r[/foo] (batch 100, retries forever)" in page
        row = record_text(records_of(app.session, "item.put")[0])
        assert isinstance(row, Text) and "t[bold]x[/foo] INSERT key=" in row.plain
        assert badges(app.session.sim, app.graph, "t[bold]x[/foo]")[0].plain == (
            "1 item · 1 to read"
        )
        assert app.is_running

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)
