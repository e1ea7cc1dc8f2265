"""The terminal UI on Kafka topics: the produce dialog (`m`) with the command's checks as it
is typed, the Inspector's page of a topic (partitions, offsets, each consumer group's
committed offset, lag and retries), a topic's box in the Graph and the palette's entry, on
docs/examples/kafka-orders.yml."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from tui_one_app import on_one_app, steps_at
from tui_support import (
    EXAMPLES,
    START,
    app_for,
    drive,
    enabled_actions,
    inspector,
    shown,
    wait_for_hit,
    wait_until,
)

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.services.kafka import partition_of_key
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import CommandDialog, TextDialog
from stptui.tui.screens.produce_dialog import ProduceDialog
from stptui.tui.widgets.graph_pane import badges

# The story of docs/examples/kafka-orders.stp: orderWorker's first batch fails twice, so
# customer-1's partition waits while customer-2's goes on.
STORY = [
    "fail orderWorker next 2",
    "produce order-events '{\"orderId\": 1}' --key customer-1 --header source=checkout",
    "produce order-events '{\"orderId\": 2}' --key customer-1",
    "produce order-events '{\"orderId\": 3}' --key customer-2",
    "produce order-events '{\"orderId\": 4}' --key customer-1",
]


def kafka_session(path: Path = EXAMPLES / "kafka-orders.yml") -> Session:
    """A session on the Kafka example stack (or the stack at `path`), at the fixed start."""
    return Session.open(path, start_ms=START)


# -- the produce dialog ---------------------------------------------------------------------


async def the_produce_dialog_shows_the_commands_refusals_as_typed_and_changes_nothing(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    log, seq = list(app.session.log), app.session.sim.trace.seq
    app.jump_to("orderWorker")
    await pilot.press("m")
    dialog = app.screen
    assert isinstance(dialog, ProduceDialog)
    # A partition the topic lacks: the broker's error, worded as the command words it.
    dialog.query_one("#produce-partition", Input).value = "7"
    await pilot.pause()
    error = shown(app, "#produce-error")
    assert "UNKNOWN_TOPIC_OR_PARTITION: order-events has no partition 7" in error
    assert "its partitions are 0 to 2" in error
    assert shown(app, "#produce-where") == ""
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, ProduceDialog)
    dialog.query_one("#produce-partition", Input).value = "two"
    await pilot.pause()
    assert "--partition must be a whole number of at least 0, not 'two'" in shown(
        app, "#produce-error"
    )
    # The one asked for wins over the key's.
    dialog.query_one("#produce-partition", Input).value = "2"
    await pilot.pause()
    assert shown(app, "#produce-error") == ""
    assert shown(app, "#produce-where") == ("the partition asked for → partition 2, offset 0")
    dialog.query_one("#produce-headers", TextArea).text = "source"
    await pilot.pause()
    assert "--header needs KEY=VALUE, not 'source'" in shown(app, "#produce-error")
    await pilot.press("ctrl+s")
    dialog.query_one("#produce-headers", TextArea).text = ""
    # Over the broker's message.max.bytes (1 MB and 12 bytes): checked once typing
    # stops, as a long JSON body is.
    dialog.json_check_delay = 0.01
    dialog.query_one("#produce-value", TextArea).text = "x" * 1_048_589
    await wait_until(
        pilot,
        lambda: "MESSAGE_TOO_LARGE: the record is 1,048,589 bytes" in shown(app, "#produce-error"),
        "the size check once typing stopped",
    )
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, ProduceDialog)
    assert app.session.log == log and app.session.sim.trace.seq == seq
    await pilot.press("escape")
    assert not isinstance(app.screen, ProduceDialog)
    assert app.session.log == log and app.session.sim.trace.seq == seq


async def m_produces_a_record_exactly_as_typing_the_command_does(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    log = list(app.session.log)
    # From the selected reader, the dialog opens on the topic it reads.
    app.jump_to("auditor")
    await pilot.press("m")
    dialog = app.screen
    assert isinstance(dialog, ProduceDialog)
    assert dialog.query_one("#produce-topic", Select).value == "audit"
    assert app.focused is dialog.query_one("#produce-value")
    hint = shown(app, "#produce-topic-hint")
    assert "topic audit on kafka-cluster events (MSK Serverless)" in hint
    assert "3 partitions, 0 records held" in hint
    assert "→ auditor batches of up to 100" in hint
    await pilot.press("escape")
    # From the topic's own node (`kafka:NAME`), on that topic.
    app.jump_to("kafka:order-events")
    await pilot.press("m")
    dialog = app.screen
    assert isinstance(dialog, ProduceDialog)
    assert dialog.query_one("#produce-topic", Select).value == "order-events"
    assert "→ orderWorker batches of up to 3" in shown(app, "#produce-topic-hint")
    where = "no key: the next partition in turn → partition 0, offset 0"
    assert shown(app, "#produce-where") == where
    # The hint says where the key typed sends the record: murmur2's partition.
    dialog.query_one("#produce-key", Input).focus()
    await pilot.press(*"customer-2")
    partition = partition_of_key(b"customer-2", 3)
    where = f"key customer-2 (murmur2) → partition {partition}, offset 0"
    assert shown(app, "#produce-where") == where
    dialog.query_one("#produce-value", TextArea).text = '{"orderId": 3}'
    dialog.query_one("#produce-headers", TextArea).text = "source=checkout\n\nretry=0\n"
    await pilot.pause()
    assert shown(app, "#produce-error") == ""
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, ProduceDialog)
    line = (
        "produce order-events '{\"orderId\": 3}' --key customer-2 "
        "--header source=checkout --header retry=0"
    )
    assert app.session.log == [*log, line]
    typed = kafka_session()
    for typed_line in [*log, line]:
        execute(typed, typed_line)
    assert trace_sha256(typed.sim.trace) == trace_sha256(app.session.sim.trace)
    # Opened again, the next record of that partition gets the next offset.
    await pilot.press("m")
    app.screen.query_one("#produce-key", Input).value = "customer-2"
    await pilot.pause()
    assert f"→ partition {partition}, offset 1" in shown(app, "#produce-where")


async def palette(pilot: Pilot[None], query: str) -> None:
    """Open the palette (ctrl+p) with `query` pasted, and wait until it found all it finds."""
    await pilot.press("ctrl+p")
    pilot.app.post_message(events.Paste(query))
    field = pilot.app.screen.query_one(Input)
    await wait_until(pilot, lambda: field.value == query, "the palette taking the paste")
    # The search runs in a worker: what the palette shows is then all it found.
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_m_is_not_offered_without_a_kafka_topic() -> None:
    async def absent(pilot: Pilot[None], app: StptuiApp) -> None:
        keys = enabled_actions(app)
        assert "produce" not in keys
        await pilot.press("m")
        assert not isinstance(app.screen, CommandDialog)
        await palette(pilot, "open: produce")
        assert "open: produce dialog" not in app.export_screenshot()

    drive(app_for("job-queue"), absent)


async def m_is_offered_with_a_kafka_topic_and_the_palette_opens_it(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    keys = enabled_actions(app)
    assert "produce" in keys
    await palette(pilot, "open: produce")
    await wait_for_hit(pilot, app, "open: produce dialog")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ProduceDialog)


async def e_explains_a_produced_record_by_its_id_not_its_key(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command(STORY[1])
    # The newest record: the one just produced (those of the checks before come first).
    await pilot.press("3", "end", "e")
    dialog = app.screen
    assert isinstance(dialog, TextDialog)
    body = dialog.body.plain
    # The record has a `key` field too (its Kafka key): its id is what explains it.
    assert "explain order-events-0@0" in body
    assert "nothing in the trace mentions" not in body


def test_the_produce_dialog_refuses_produces_and_opens_from_the_palette() -> None:
    """On one app of the Kafka example: the refusals first (nothing run), the palette's
    entry, a record produced on customer-2's partition, then customer-1's record explained
    (on a partition of its own, offset 0 still)."""
    checks = [
        the_produce_dialog_shows_the_commands_refusals_as_typed_and_changes_nothing,
        m_is_offered_with_a_kafka_topic_and_the_palette_opens_it,
        m_produces_a_record_exactly_as_typing_the_command_does,
        e_explains_a_produced_record_by_its_id_not_its_key,
    ]
    on_one_app(StptuiApp(kafka_session()), steps_at((120, 36), checks))


# -- the inspector and the graph --------------------------------------------------------------


def test_the_inspector_shows_a_topics_partitions_and_each_consumer_groups_lag() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("kafka:order-events")
        for line in STORY:
            app.run_command(line)
        app.run_command("advance 500ms")
        page = inspector(app)
        assert "order-events  kafka-topic" in page
        assert (
            "topic order-events on self-managed Kafka at "
            "broker-1.example.com:9092,broker-2.example.com:9092"
        ) in page
        assert "3 partitions, retention 7 d, 4 records held" in page
        one, two = partition_of_key(b"customer-1", 3), partition_of_key(b"customer-2", 3)
        assert f"partition {one}: offsets 0..2 (3 records), next offset 3" in page
        assert f"partition {two}: offsets 0..0 (1 record), next offset 1" in page
        assert "orderWorker (batch 3, window 2 s, retries forever)" in page
        # customer-1's full batch failed once and waits for its retry, blocking its
        # partition; customer-2's record waits for the 2 s batching window.
        assert f"partition {one}: committed 0, lag 3, 0 in flight, 1 retry" in page
        assert f"partition {two}: committed 0, lag 1, 0 in flight, 0 retries" in page
        held = [t.plain for t in badges(app.session.sim, app.graph, "kafka:order-events")]
        assert held[0] == "4 held · 4 to read"
        # The consumer's records alone (its retries, its commits) bring the page up to date.
        app.run_command("advance 10s")
        page = inspector(app)
        assert f"partition {one}: committed 3, lag 0, 0 in flight, 0 retries" in page
        assert f"partition {two}: committed 1, lag 0, 0 in flight, 0 retries" in page
        held = [t.plain for t in badges(app.session.sim, app.graph, "kafka:order-events")]
        assert held[0] == "4 held · 0 to read"
        # A topic on the stack's cluster names the cluster that hosts it.
        app.jump_to("kafka:audit")
        page = inspector(app)
        assert "topic audit on kafka-cluster events (MSK Serverless)" in page
        assert "← events hosts(audit)" in page and "→ auditor kafka(audit)" in page

    drive(StptuiApp(kafka_session()), script)


HOSTILE = """\
resources:
  reader:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: kafka-topic
          properties:
            customKafkaConfiguration:
              bootstrapServers: ['[red]broker[/red]:9092']
              topicName: '[bold]orders[/bold]'
"""


def test_topic_names_keys_and_servers_stay_literal(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(HOSTILE, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        node = "kafka:[bold]orders[/bold]"
        assert node in app.graph
        app.jump_to(node)
        page = inspector(app)
        assert "topic [bold]orders[/bold] on self-managed Kafka at [red]broker[/red]:9092" in page
        await pilot.press("m")
        assert isinstance(app.screen, ProduceDialog)
        assert "topic [bold]orders[/bold]" in shown(app, "#produce-topic-hint")
        app.screen.query_one("#produce-key", Input).value = "[i]k[/i]"
        await pilot.pause()
        assert "key [i]k[/i] (murmur2) → partition" in shown(app, "#produce-where")
        await pilot.press("ctrl+s")
        assert app.session.log == [
            "produce '[bold]orders[/bold]' '{\"orderId\": 1}' --key '[i]k[/i]'"
        ]
        assert "1 record held" in inspector(app)

    drive(StptuiApp(kafka_session(tmp_path)), script)


def test_a_legacy_upstash_topic_has_its_counts_page_and_produce_dialog() -> None:
    """Stacktape's Kafka starter reads a legacy `upstash-kafka-topic`, whose node is the
    resource itself, not `kafka:NAME`: its box showed `upstash kafka topic` and its page
    no partition or consumer group, though the simulator runs it."""
    session = Session.open(EXAMPLES / "kafka-starter.yml", start_ms=START)
    execute(session, "produce kafkaTopic '{\"n\": 1}' --key k")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        graph = app.graph
        assert badges(session.sim, graph, "kafkaTopic")[0].plain == "1 held · 1 to read"
        app.selected = "kafkaTopic"
        await pilot.pause()
        page = inspector(app)
        assert "3 partitions, retention 7 d, 1 record held" in page
        assert "kafkaConsumer (batch 5, window 10 s, retries forever)" in page
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ProduceDialog)
        assert dialog.query_one("#produce-topic", Select).value == "kafkaTopic"

    drive(StptuiApp(session), script)
