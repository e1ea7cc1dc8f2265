"""The terminal UI on the event sources that are not queues: the put-record dialog (`k`) on a
Kinesis stream, the Inspector's pages of a stream and of an application load balancer, the
Events pane's rows of their trace kinds and the Graph's counts of a stream, on the example
stacks docs/examples/clickstream.yml and load-balancer.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.text import Text
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_support import (
    START,
    Check,
    Script,
    app_for,
    checks_on_one_launch,
    closed_to_main,
    drive,
    enabled_actions,
    example_session,
    inspector,
    records_of,
    shown,
    typed,
    wait_for_hit,
    wait_until,
)

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.graph import build_graph
from stptui.tui.app import StptuiApp
from stptui.tui.render import record_style, record_text, wrapped_lines
from stptui.tui.screens.dialogs import CommandDialog, PutRecordDialog, TextDialog
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.screens.item_dialog import ItemDialog
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.graph_pane import badges
from stptui.tui.widgets.inspector_pane import InspectorPane

# The poison-record story of docs/examples/clickstream.stp: user-1's second click fails
# clickProcessor until its batch, bisected down to it, is given up after 2 retries.
POISON = [
    'put-record clicks \'{"page": "/home"}\' --partition-key user-1',
    'put-record clicks \'{"page": "/cart", "bad": true}\' --partition-key user-1',
    'put-record clicks \'{"page": "/pay"}\' --partition-key user-1',
    'put-record clicks \'{"page": "/docs"}\' --partition-key user-2',
]


# -- the put-record dialog ------------------------------------------------------------------


async def put_record_refusals_stay_in_the_dialog_and_change_nothing(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # First on its app: nothing has run.
    await pilot.press("k")
    dialog = app.screen
    dialog.query_one("#put-key", Input).value = "k" * 257
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, PutRecordDialog)
    assert "at most 256 characters" in shown(app, "#put-error")
    dialog.query_one("#put-key", Input).value = "user-1"
    dialog.query_one("#put-hash-key", Input).value = "-1"
    await pilot.press("ctrl+s")
    assert "explicit hash key is a whole number" in shown(app, "#put-error")
    assert app.session.log == [] and app.session.sim.trace.seq == 0
    await pilot.press("escape")
    assert not isinstance(app.screen, PutRecordDialog)
    assert app.session.log == []


async def k_puts_a_record_that_reaches_the_reader(pilot: Pilot[None], app: StptuiApp) -> None:
    # On a stack nothing has run on yet: its trace is compared with a fresh session's.
    # From the selected reader, the dialog opens on the stream it reads.
    app.jump_to("clickProcessor")
    await pilot.press("k")
    dialog = app.screen
    assert isinstance(dialog, PutRecordDialog)
    assert dialog.query_one("#put-stream", Select).value == "clicks"
    assert app.focused is dialog.query_one("#put-data")
    hint = shown(app, "#put-hint")
    assert "2 shards, 0 records held" in hint
    assert "→ clickProcessor batches of up to 10" in hint
    assert "partition key stptui (the default) → shardId-000000000001" in hint
    # The hint says where the partition key typed sends the record.
    dialog.query_one("#put-key", Input).focus()
    await typed(pilot, dialog.query_one("#put-key", Input), "user-2")
    assert "partition key user-2 → shardId-000000000000" in shown(app, "#put-hint")
    # An explicit hash key picks the shard instead.
    dialog.query_one("#put-hash-key", Input).value = str(2**127)
    await pilot.pause()
    assert "explicit hash key → shardId-000000000001" in shown(app, "#put-hint")
    dialog.query_one("#put-hash-key", Input).value = ""
    await pilot.pause()
    dialog.query_one("#put-data", TextArea).text = '{"page": "/docs"}'
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, PutRecordDialog)
    line = 'put-record clicks \'{"page": "/docs"}\' --partition-key user-2'
    assert app.session.log == [line]
    # Exactly what typing the line does.
    by_hand = example_session("clickstream")
    execute(by_hand, line)
    assert trace_sha256(by_hand.sim.trace) == trace_sha256(app.session.sim.trace)
    # The record reaches the function: its batch's invocation carries its number.
    (put,) = records_of(app.session, "stream.record_put")
    assert put.data["shard"] == "shardId-000000000000"
    await pilot.press("n")
    (started,) = records_of(app.session, "invocation.started")
    assert started.resource == "clickProcessor" and started.data["trigger"] == "kinesis"
    assert started.data["sequence_numbers"] == [put.data["sequence_number"]]


async def put_record_takes_text_and_checks_json_as_the_send_dialog_does(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    logged = list(app.session.log)
    await pilot.press("k")
    dialog = app.screen
    assert isinstance(dialog, PutRecordDialog)
    data = dialog.query_one("#put-data", TextArea)
    data.text = "plain text, not JSON"
    await pilot.pause()
    assert "not valid JSON" in shown(app, "#put-error")
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, PutRecordDialog) and app.session.log == logged
    # As text, anything goes: the error clears and the record is put.
    dialog.query_one("#put-format-select", Select).value = "text"
    await pilot.pause()
    assert shown(app, "#put-error") == ""
    await pilot.press("ctrl+s")
    assert app.session.log == [*logged, "put-record clicks 'plain text, not JSON'"]
    # Back to JSON, a bad body is caught again at once.
    await pilot.press("k")
    app.screen.query_one("#put-data", TextArea).text = "{"
    app.screen.query_one("#put-format-select", Select).value = "text"
    await pilot.pause()
    app.screen.query_one("#put-format-select", Select).value = "json"
    await pilot.pause()
    assert "not valid JSON" in shown(app, "#put-error")

    await closed_to_main(pilot, app, "the put-record dialog")


async def type_in_palette(pilot: Pilot[None], query: str) -> None:
    """Open the command palette and paste `query` into it, as a terminal delivers a paste
    (a key press each took a second of Pilot waits); then let its search end."""
    await pilot.press("ctrl+p")
    pilot.app.post_message(events.Paste(query))
    field = pilot.app.screen.query_one(Input)
    await wait_until(pilot, lambda: field.value == query, "the palette taking the paste")
    # The search runs in a worker: what the palette shows is then all it found.
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# (key, action, palette entry, dialog, a stack without its source, an example stack with it)
SOURCE_DIALOGS: list[tuple[str, str, str, type, str, str]] = [
    ("k", "put_record", "open: put record", PutRecordDialog, "combined", "clickstream"),
    ("i", "item", "open: item", ItemDialog, "job-queue", "cart-audit"),
    (
        "t",
        "start_execution",
        "open: start execution",
        StartExecutionDialog,
        "job-queue",
        "workflow",
    ),
]


# The put-record dialog needs a stream, the item dialog a table, the start-execution dialog
# a state machine: without one, neither the key nor the palette entry offers it.


def hidden(key: str, action: str, palette: str) -> Script:
    """The check that `key` does nothing and the palette has no `palette` entry; it closes
    the palette after."""

    async def check(pilot: Pilot[None], app: StptuiApp) -> None:
        keys = enabled_actions(app)
        assert action not in keys
        await pilot.press(key)
        assert not isinstance(app.screen, CommandDialog)
        await type_in_palette(pilot, palette)
        assert f"{palette} dialog" not in app.export_screenshot()
        await closed_to_main(pilot, app, "the palette")

    return check


def offered(action: str, palette: str, dialog: type) -> Script:
    """The check that the key of `action` acts and the palette's entry opens `dialog`; it
    closes the dialog after."""

    async def check(pilot: Pilot[None], app: StptuiApp) -> None:
        keys = enabled_actions(app)
        assert action in keys
        await type_in_palette(pilot, palette)
        # The search runs in the background: enter takes the hit once it is highlighted.
        await wait_for_hit(pilot, app, f"{palette} dialog")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, dialog)
        await closed_to_main(pilot, app, f"the {dialog.__name__}")

    return check


@pytest.mark.parametrize("without", sorted({row[4] for row in SOURCE_DIALOGS}))
def test_a_source_dialog_key_is_hidden_without_its_source(without: str) -> None:
    checks: list[Check] = [
        (f"{key} ({action}) on {without}", hidden(key, action, palette))
        for key, action, palette, _, stack, _ in SOURCE_DIALOGS
        if stack == without
    ]
    checks_on_one_launch(app_for(without), checks)


@pytest.mark.parametrize(
    ("key", "action", "palette", "dialog", "with_it"),
    [row[:4] + row[5:] for row in SOURCE_DIALOGS if row[5] != "clickstream"],
)
def test_the_palette_opens_a_source_dialog(
    key: str, action: str, palette: str, dialog: type, with_it: str
) -> None:
    # On clickstream: `test_the_put_record_dialog_on_one_app`.
    checks_on_one_launch(
        StptuiApp(example_session(with_it)),
        [(f"{key} ({action}) on {with_it}", offered(action, palette, dialog))],
    )


def test_the_put_record_dialog_on_one_app() -> None:
    """The put-record dialog's checks on one app of clickstream: the refusals first (they
    change nothing: the trace is still empty after them, as it must be for the check of
    what `k` puts), the palette's entry (closed, nothing run), what `k` puts, then text
    and JSON (which compares the log with what it was before it)."""
    k = next(row for row in SOURCE_DIALOGS if row[0] == "k")
    checks: list[Check] = [
        (
            "put-record refusals stay in the dialog and change nothing",
            put_record_refusals_stay_in_the_dialog_and_change_nothing,
        ),
        ("k (put_record) on clickstream", offered(k[1], k[2], k[3])),
        ("k puts a record that reaches the reader", k_puts_a_record_that_reaches_the_reader),
        (
            "put-record takes text and checks JSON as the send dialog does",
            put_record_takes_text_and_checks_json_as_the_send_dialog_does,
        ),
    ]
    checks_on_one_launch(StptuiApp(example_session("clickstream")), checks)


# -- the inspector --------------------------------------------------------------------------


def test_the_inspector_shows_a_streams_shards_and_where_its_reader_is() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("clicks")
        for line in POISON:
            app.run_command(line)
        page = inspector(app)
        assert "2 shards (provisioned), retention 24 h, 4 records held" in page
        assert "oldest record put 2026-01-05T08:00:00.000Z" in page
        assert "shardId-000000000000: 1 record, newest …00000001" in page
        assert "shardId-000000000001: 3 records, newest …00000003" in page
        assert (
            "clickProcessor (batch 10, 2 retries, bisects on error, on failure → failedClicks)"
        ) in page
        assert "shardId-000000000001: checkpoint none yet, 3 waiting, 0 in flight" in page
        # The reader's records alone (no record of the stream's own) bring the page up to
        # date: the bad record's batch, bisected down to it, is retried, blocking its shard.
        app.run_command("advance 2500ms")
        page = inspector(app)
        assert "shardId-000000000001: checkpoint …00000001, 2 waiting, 0 in flight, 1 retry" in (
            page
        )
        assert "shardId-000000000000: checkpoint …00000001, 0 waiting, 0 in flight" in page
        app.run_command("advance 950ms")
        assert "shardId-000000000001: checkpoint …00000001, 1 waiting, 1 in flight, 1 retry" in (
            inspector(app)
        )
        app.run_command("advance 10s")
        page = inspector(app)
        assert "shardId-000000000001: checkpoint …00000003, 0 waiting, 0 in flight" in page
        # Drawn in the narrow pane, a lane goes on under its own text, past the reader's.
        pane = app.query_one(InspectorPane)
        width = pane.scrollable_content_region.width
        drawn = [
            "".join(seg.text for seg in line).rstrip()
            for line in wrapped_lines(app.console, pane.text, width)
        ]
        at = drawn.index("  shardId-000000000001:")
        assert drawn[at + 1 : at + 3] == [
            "    checkpoint …00000003, 0",
            "    waiting, 0 in flight, 0",
        ]

    drive(StptuiApp(example_session("clickstream")), script)


def test_the_inspector_lists_a_load_balancers_rules_in_priority_order() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("mainLb")
        await pilot.pause()
        page = inspector(app)
        lines = page.split("\n")
        expected = [
            ":80 HTTP",
            "else redirect 301 protocol=HTTPS",
            ":443 HTTPS",
            "5 path-pattern /api/*; http-header x-tenant: beta* → betaApi",
            "10 path-pattern /api/orders | /api/orders/*; http-request-method GET | POST → orders",
            "20 path-pattern /admin/*; source-ip 10.0.0.0/16 → admin",
            "100 path-pattern /* → web (container app:3000)",
            "else fixed 500 text/plain",
        ]
        stripped = [line.strip() for line in lines]
        at = [stripped.index(line) for line in expected]
        assert at == sorted(at), stripped

    drive(StptuiApp(example_session("load-balancer")), script)


# -- the events pane ------------------------------------------------------------------------


def test_stream_records_read_as_sqs_ones_do_in_the_events_pane() -> None:
    session = example_session("clickstream")
    for line in [*POISON, "advance 10s", "advance 25h"]:
        execute(session, line)
    texts: dict[str, Text] = {}
    styles: dict[str, str] = {}
    for rec in session.sim.trace.records:  # the first of each kind
        texts.setdefault(rec.kind, record_text(rec))
        styles.setdefault(rec.kind, record_style(rec))
    put = texts["stream.record_put"].plain
    assert "clicks partition_key=user-1 shard=shardId-000000000001 size=17 " in put
    assert put.endswith("sequence_number=…00000001 source=command")
    assert "clickProcessor split_at=1 shard=shardId-000000000001 stream=clicks " in (
        texts["stream.batch_bisected"].plain
    )
    assert "sequence_numbers=…00000001..…00000003(3)" in texts["stream.batch_bisected"].plain
    assert "retries=1 shard=shardId-000000000001" in texts["stream.batch_retried"].plain
    assert "condition=RetryAttemptsExhausted attempts=3 shard=" in (
        texts["stream.batch_discarded"].plain
    )
    assert "clickProcessor target=failedClicks invocation_id=" in (
        texts["stream.failure_delivered"].plain
    )
    assert "clicks shard=shardId-000000000001 sequence_number=…00000001" in (
        texts["stream.record_expired"].plain
    )
    assert styles == {
        **styles,
        "stream.record_put": "cyan",
        "stream.batch_retried": "yellow",
        "stream.batch_bisected": "yellow",
        "stream.batch_discarded": "bold red",
        "stream.failure_delivered": "red",
        "stream.record_expired": "red",
    }
    # The kind keeps its colour in the row.
    put_row = texts["stream.record_put"]
    assert any(span.style == "cyan" for span in put_row.spans)


def test_load_balancer_requests_show_their_listener_port_and_status() -> None:
    session = example_session("load-balancer")
    for line in ["http GET /api/orders", "http GET /old --port 80", "http GET /admin/x"]:
        execute(session, line)
    requests = records_of(session, "http.request")
    responses = records_of(session, "http.response")
    assert [record_text(r).plain.split(None, 2)[2] for r in requests] == [
        "mainLb method=GET path=/api/orders listener_port=443 target=orders "
        f"route=priority 10 on :443 request_id={requests[0].data['request_id']} gateway=mainLb",
        "mainLb method=GET path=/old listener_port=80 target=null route=null "
        f"request_id={requests[1].data['request_id']} gateway=mainLb",
        "mainLb method=GET path=/admin/x listener_port=443 target=web "
        f"route=priority 100 on :443 request_id={requests[2].data['request_id']} gateway=mainLb",
    ]
    assert [record_text(r).plain.split()[3] for r in responses] == [
        "status=200",
        "status=301",
        "status=403",
    ]
    # Coloured by status, as the HTTP dialog colours its status line.
    assert [record_style(r) for r in responses] == ["green", "green", "yellow"]


def test_e_explains_a_put_record_by_its_sequence_number() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(POISON[0])
        await pilot.press("3", "home", "e")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        body = dialog.body.plain
        (put,) = records_of(app.session, "stream.record_put")
        assert f"explain {put.data['sequence_number']}" in body
        assert "nothing in the trace mentions" not in body
        selected = app.query_one(RecordList).selected
        assert selected is not None and selected.seq == put.seq

    drive(StptuiApp(example_session("clickstream")), script)


# -- the graph ------------------------------------------------------------------------------


def test_a_streams_box_counts_what_it_holds_and_what_is_left_to_read() -> None:
    session = example_session("clickstream")
    g = build_graph(session.stack)
    assert badges(session.sim, g, "clicks")[0].plain == "0 held · 0 to read"
    for line in POISON:
        execute(session, line)
    assert badges(session.sim, g, "clicks")[0].plain == "4 held · 4 to read"
    execute(session, "advance 2500ms")
    retrying = badges(session.sim, g, "clicks")[0]
    assert retrying.plain == "4 held · 2 to read"
    # The backlog of a blocked shard is red, as failures are.
    assert any(str(span.style) == "red" for span in retrying.spans)
    execute(session, "advance 10s")
    assert badges(session.sim, g, "clicks")[0].plain == "4 held · 0 to read"


# -- untrusted names ------------------------------------------------------------------------

HOSTILE = """\
resources:
  "s[bold]x[/foo]":
    type: kinesis-stream
  "lb[@click=app.quit]":
    type: application-load-balancer
  "r[/foo]":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: kinesis-stream
          properties: {kinesisStreamName: "s[bold]x[/foo]"}
        - type: application-load-balancer
          properties:
            loadBalancerName: "lb[@click=app.quit]"
            priority: 1
            paths: ["/[bold]"]
"""


def test_stream_and_load_balancer_names_stay_literal(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(HOSTILE, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("s[bold]x[/foo]")
        await pilot.press("k")
        assert "→ r[/foo] batches" in shown(app, "#put-hint")
        app.screen.query_one("#put-key", Input).value = "[@click=app.quit]k"
        await pilot.press("ctrl+s")
        assert app.session.log == [
            'put-record \'s[bold]x[/foo]\' \'{"page": "/home", "user": "user-1"}\' '
            "--partition-key '[@click=app.quit]k'"
        ]
        assert "r[/foo] (batch 100, retries forever)" in inspector(app)
        row = record_text(records_of(app.session, "stream.record_put")[0])
        assert isinstance(row, Text) and "partition_key=[@click=app.quit]k" in row.plain
        app.jump_to("lb[@click=app.quit]")
        await pilot.pause()
        assert "1 path-pattern /[bold] → r[/foo]" in inspector(app)
        assert app.is_running

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)
