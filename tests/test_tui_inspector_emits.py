"""The Inspector says what a function emits: each declared `emit` item with the fields a rule,
a subscription or a notification filter reads (an event's source and detail-type, an
object's key) as the behaviours file writes them, and what its last invocations emitted
with the values they had, how many rules matched, or why one was refused. It said
`emits publish->bus` only: a user whose rule did not match could not see why."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import START, app_for, drive, inspector

from stptui.commands import Session
from stptui.sim import trace as tk
from stptui.sim.trace import Record
from stptui.tui.app import StptuiApp
from stptui.tui.widgets.inspector_emits import EmissionLog
from stptui.tui.widgets.inspector_pane import InspectorPane

STACK = """\
resources:
  bus: {type: event-bus}
  jobs: {type: sqs-queue}
  files: {type: bucket}
  pub:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: pub.ts}}
      connectTo: [bus, jobs, CONNECT_FILES]
  handler:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: h.ts}}
      events:
        - type: event-bus
          properties:
            eventBusName: bus
            eventPattern: {source: [shop], detail-type: [OrderPlaced]}
"""
BEHAVIORS = """\
behaviors:
  pub:
    emit:
      - publish: {bus: bus, source: "'shop'", detailType: kind, detail: "`{}`"}
      - send: {queue: jobs, body: "'job'"}
      - put: {bucket: files, key: "join('', ['out/', kind])", content: "'x'", when: "!no_put"}
"""


def _app(folder: Path, *, may_write_files: bool = True) -> StptuiApp:
    stack = STACK.replace("CONNECT_FILES", "files" if may_write_files else "jobs")
    (folder / "stacktape.yml").write_text(stack, encoding="utf-8")
    (folder / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    return StptuiApp(Session.open(folder, start_ms=START))


def _emits_part(app: StptuiApp) -> str:
    page = inspector(app)
    return page[page.index("emits:") : page.index("Recent invocations")]


def test_the_page_shows_the_declared_source_and_detail_type_and_what_was_published(
    tmp_path: Path,
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "pub"
        await pilot.pause()
        before = _emits_part(app)
        # As the file writes them: a literal as its value, an expression as its text.
        assert 'publish → bus: source "shop", detail-type `kind`' in before
        assert "send → jobs\n" in before
        assert "put → files: key `join('', ['out/', kind])` when `!no_put`" in before
        assert "last emitted: nothing yet" in before
        app.run_command('invoke pub \'{"kind": "Orderd"}\'')
        app.run_command("advance 1s")
        await pilot.pause()
        after = _emits_part(app)
        # The misspelt detail-type the rule does not want, and that no rule matched it.
        assert 'publish → bus: source "shop", detail-type "Orderd", no rule matched' in after
        assert "send → jobs: message " in after
        assert 'put → files: key "out/Orderd"' in after
        app.run_command('invoke pub \'{"kind": "OrderPlaced", "no_put": true}\'')
        app.run_command("advance 1s")
        await pilot.pause()
        latest = _emits_part(app).split("last emitted:\n")[1].splitlines()
        # Newest first: the second invocation's event, which the rule matched, and its
        # message (`when` held no put back).
        assert [line.split(" ", 3)[3] for line in latest[:2]] == [
            f"send → jobs: message {latest[0].rsplit(' ', 1)[1]}",
            'publish → bus: source "shop", detail-type "OrderPlaced", 1 rule matched',
        ]
        assert "08:00:01.200" in latest[0] and "08:00:00.100" in latest[2]

    drive(_app(tmp_path), script, size=(200, 60))


def test_a_refused_emission_says_why(tmp_path: Path) -> None:
    # Without `connectTo: files` the function's role may not PutObject: the write is
    # refused, and the page says so where it lists what was emitted.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "pub"
        app.run_command('invoke pub \'{"kind": "OrderPlaced"}\'')
        app.run_command("advance 1s")
        await pilot.pause()
        part = _emits_part(app)
        assert "put → files refused: " in part
        assert "AccessDenied" in part

    drive(_app(tmp_path, may_write_files=False), script, size=(200, 60))


def test_what_a_function_emitted_is_shown_as_text(tmp_path: Path) -> None:
    # The detail-type comes from the input: markup and an escape sequence in it are shown
    # as the characters they are, never applied.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "pub"
        app.run_command('invoke pub \'{"kind": "[bold]x[/bold]\\u001b[2J", "no_put": true}\'')
        app.run_command("advance 1s")
        await pilot.pause()
        page = app.query_one(InspectorPane).text
        assert 'detail-type "[bold]x[/bold]\\x1b[2J"' in page.plain
        assert "\x1b" not in page.plain
        start = page.plain.index("[bold]x")
        assert not any(
            "bold" in str(span.style) and span.start <= start < span.end
            for span in page.spans
            if span.end - span.start < 40
        )

    drive(_app(tmp_path), script, size=(200, 60))


def test_a_function_of_the_sample_stack_lists_each_item_it_may_publish() -> None:
    # The event-driven sample's order service publishes one of three detail-types, each
    # under a condition: the line said `emits publish->eventBus` three times.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "orderService"
        await pilot.pause()
        part = _emits_part(app)
        for detail_type in ("OrderCreated", "OrderShipped", "OrderCancelled"):
            assert f'source "orders", detail-type "{detail_type}" when `' in part

    drive(app_for("event-driven"), script, size=(200, 60))


def test_only_what_a_handler_emitted_is_kept_under_its_workload() -> None:
    # A `send` command, a redrive, a Lambda destination, a bus's delivery and a Step
    # Functions task send too; none of them is the handler's, and an execution's ARN
    # must not become a name of its own.
    log = EmissionLog()
    sources = [
        "command",
        "redrive:jobsDlq",
        "pub:onFailure",
        "1195ab03-495b-43b9-acc5-1bbcb903c314",
        "arn:aws:states:us-east-1:123456789012:execution:flow:run-1",
        "pub:21f87f34-4584-4845-a32b-133a35242656",
        "web:7c0e7a52",
    ]
    log.note(
        Record(i, 0, tk.MESSAGE_SENT, "jobs", {"message_id": f"m{i}", "source": source})
        for i, source in enumerate(sources)
    )
    assert [r.data["source"] for r in log.of("pub")] == [sources[5]]
    assert [r.data["source"] for r in log.of("web")] == [sources[6]]
    assert set(log._kept) == {"pub", "web", "arn"}
