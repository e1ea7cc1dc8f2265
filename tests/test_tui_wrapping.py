"""Long lines in the panes on narrow terminals: an agenda row, a list of fire times and an
event pattern go on under their own text (a hanging indent), not at the margin, and compact
JSON wraps between its tokens, never inside a string or a number."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.text import Text
from textual.pilot import Pilot
from tui_one_app import Size, Step, on_one_app, size_name, steps_at
from tui_support import START, app_for, drawn_text, drive, example_session

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.render import wrap_hanging, wrapped_lines
from stptui.tui.widgets.agenda_pane import AgendaPane
from stptui.tui.widgets.inspector_pane import InspectorPane

# A row starts with its time, and its date when another row is on another day.
CLOCK = re.compile(r"(\d\d-\d\d )?\d\d:\d\d:\d\d\.\d{3} ")
STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC")


def shown_lines(widget: InspectorPane | AgendaPane) -> list[str]:
    """The widget's rows on screen, without trailing blanks."""
    return [line.rstrip() for line in drawn_text(widget).split("\n")]


async def an_agenda_row_goes_on_under_the_text_beside_its_times(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("5")
    await pilot.pause()
    lines = [line for line in shown_lines(app.query_one(AgendaPane)) if line]
    rows = [line for line in lines if CLOCK.match(line)]
    assert len(rows) == 2 and len(lines) > 2, lines  # the combined stack's two schedules
    kind = rows[0].index("schedule")
    for line in lines:
        if not CLOCK.match(line):
            # Under the kind column, not at the margin beside the times.
            assert len(line) - len(line.lstrip()) == kind, line
    assert "dailyReport's schedule cron(0 9 * * ? *) fires" in " ".join(
        line.strip() for line in lines
    )


async def the_next_fire_times_go_on_under_the_first(pilot: Pilot[None], app: StptuiApp) -> None:
    app.jump_to("dailyReport")
    await pilot.press("4")
    await pilot.pause()
    lines = shown_lines(app.query_one(InspectorPane))
    first = next((i for i, line in enumerate(lines) if line.startswith("  next: ")), None)
    assert first is not None, f"no `next:` line: {lines}"
    column = len("  next: ")
    block = [lines[first]]
    block += [line for line in lines[first + 1 : first + 3] if line.startswith(" " * column)]
    # The three times, each whole on a line; those that go on start under the first.
    assert len(block) > 1 and sum(len(STAMP.findall(line)) for line in block) == 3, block
    assert [line.index("2026") for line in block] == [column] * len(block), block


def pattern_lines(lines: list[str], start: str) -> list[str]:
    """The line that starts with `start` and the lines it wraps onto (indented)."""
    i = next((i for i, line in enumerate(lines) if line.startswith(start)), None)
    assert i is not None, f"no line starts with {start!r}: {lines}"
    block = [lines[i]]
    for line in lines[i + 1 :]:
        if not line.startswith("  "):
            break
        block.append(line)
    return block


async def an_event_pattern_wraps_between_its_tokens(
    pilot: Pilot[None], app: StptuiApp, node: str, start: str, label: str
) -> None:
    app.jump_to(node)
    await pilot.press("4")
    await pilot.pause()
    block = pattern_lines(shown_lines(app.query_one(InspectorPane)), start)
    assert len(block) > 1, block  # too long for 60 columns
    for line in block[:-1]:
        # Cut after a token: `"OrderCrea` / `ted"` would be a cut inside a string.
        assert line.endswith((",", ":")), block
    assert "".join(line.strip() for line in block).replace(" ", "") == label.replace(" ", "")
    assert all(line.startswith("  ") for line in block[1:])


def test_a_token_wider_than_the_line_is_folded() -> None:
    long_string = '"' + "x" * 30 + '"'
    line = Text(f'key: {{"a":{long_string},"b":1}}')
    breaks = [line.plain.index(":") + 2, line.plain.index("{") + 5, line.plain.index(",") + 1]
    lines = [part.plain for part in wrap_hanging(line, 24, 2, breaks)]
    assert lines == ['key: {"a":', '  "xxxxxxxxxxxxxxxxxxxxx', '  xxxxxxxxx","b":1}']


async def the_rules_under_the_bus_picker_wrap_between_tokens(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("p")
    await pilot.pause()
    lines = drawn_text(app.screen.query_one("#publish-rules")).split("\n")
    block = pattern_lines([line.rstrip() for line in lines], "→ emailService ")
    assert len(block) > 1, block
    assert all(line.endswith((",", ":")) for line in block[:-1]), block
    assert all(line.startswith("  ") for line in block[1:]), block


async def a_record_s_json_goes_on_under_its_key(pilot: Pilot[None], app: StptuiApp) -> None:
    app.run_command("send jobQueue '{\"orderId\": 1}'")
    await pilot.press("3", "home", "e")
    await pilot.pause()
    lines = drawn_text(app.screen.query_one("#text-body")).split("\n")
    key = next(i for i, line in enumerate(lines) if line.rstrip() == '  "message_id":')
    # The id, whole, under the key rather than at the margin.
    assert re.fullmatch(r' {4}"[0-9a-f-]{36}",?', lines[key + 1].rstrip()), lines[key + 1]


async def a_wrapped_edge_keeps_only_its_name_bold(pilot: Pilot[None], app: StptuiApp) -> None:
    app.jump_to("worker")
    await pilot.press("4")
    await pilot.pause()
    pane = app.query_one(InspectorPane)
    strips = [pane.render_line(y) for y in range(pane.size.height)]
    edge = next(s for s in strips if s.text.startswith("→ database"))
    bold = {word: bool(seg.style and seg.style.bold) for seg in edge for word in seg.text.split()}
    assert bold["database"] and not bold["connect"], bold


async def a_schedule_expression_in_the_agenda_stays_on_one_line(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # `cron(0 9 * * ? *)` was split at its spaces, `cron(0` ending one line.
    await pilot.press("5")
    await pilot.pause()
    lines = [line.strip() for line in shown_lines(app.query_one(AgendaPane))]
    expressions = ("cron(0 9 * * ? *)", "cron(0 2 * * ? *)")
    for expression in expressions:
        assert any(expression in line for line in lines), (expression, lines)


PATTERN = '{"source":["orders"],"detail-type":["OrderCreated","OrderShipped"]}'


def pattern_step(node: str, start: str) -> Step:
    """The check of the event pattern on `node`'s page, on the line that starts with
    `start`, at 60x20 (too narrow for it)."""
    check = partial(
        an_event_pattern_wraps_between_its_tokens,
        node=node,
        start=start,
        label=f"{start}event-bus({PATTERN})",
    )
    return Step(f"an event pattern wraps between its tokens on {node}'s page", (60, 20), check)


# The checks of each sample stack at each size, one app for them all, in this order: none
# depends on another (only the last on job-queue runs a line).
LONG_LINES: dict[tuple[str, Size], list[Step]] = {
    ("combined", (80, 24)): steps_at(
        (80, 24),
        [
            an_agenda_row_goes_on_under_the_text_beside_its_times,
            a_schedule_expression_in_the_agenda_stays_on_one_line,
            the_next_fire_times_go_on_under_the_first,
        ],
    ),
    ("combined", (60, 20)): steps_at(
        (60, 20),
        [
            an_agenda_row_goes_on_under_the_text_beside_its_times,
            the_next_fire_times_go_on_under_the_first,
        ],
    ),
    ("combined", (200, 50)): steps_at(
        (200, 50), [a_schedule_expression_in_the_agenda_stays_on_one_line]
    ),
    ("event-driven", (60, 20)): [
        pattern_step("emailService", "eventBus "),
        pattern_step("eventBus", "→ emailService "),
        *steps_at((60, 20), [the_rules_under_the_bus_picker_wrap_between_tokens]),
    ],
    ("job-queue", (60, 20)): steps_at(
        (60, 20),
        [a_wrapped_edge_keeps_only_its_name_bold, a_record_s_json_goes_on_under_its_key],
    ),
}


@pytest.mark.parametrize(
    ("name", "size"), list(LONG_LINES), ids=[f"{n}-{size_name(s)}" for n, s in LONG_LINES]
)
def test_long_lines_wrap_under_their_own_text(name: str, size: Size) -> None:
    """The checks of LONG_LINES for the sample stack at the size, on one app."""
    on_one_app(app_for(name), LONG_LINES[(name, size)])


@pytest.mark.parametrize("size", [(120, 36), (140, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_an_agenda_rows_time_and_wait_each_stay_whole_in_a_narrow_pane(
    size: tuple[int, int],
) -> None:
    """Beside a wider Events pane the Agenda is 23 to 30 cells wide: `+3 d 23 h 40 min`
    was cut after `+3` where the date, the time and `+3` fit on a line."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in (
            'send jobQueue \'{"orderId": 1, "amount": 20}\'',
            'send jobQueue \'{"orderId": 2, "amount": 5000}\'',
            "advance 20m",
        ):
            app.run_command(line)
        await pilot.pause()
        agenda = app.query_one(AgendaPane)
        assert agenda.size.width <= 30
        lines = [line.strip() for line in shown_lines(agenda) if line.strip()]
        # Each row's date and time on its first line, its whole wait leading the next.
        # (The dead-letter queue's retention check: the emptied jobQueue keeps none.)
        assert "01-19 08:00:00.000" in lines, lines
        assert any(line.startswith("+13 d 23 h 40 min") for line in lines), lines
        assert not any(line.split()[0] in ("d", "h", "min") for line in lines), lines

    drive(app_for("job-queue"), script, size=size)


def test_an_edge_label_wraps_at_its_words_in_the_narrow_inspector() -> None:
    """At 120 columns the Inspector is 32 cells wide: `application-load-balancer(container
    app:3000)` has no space before its parenthesis, and was folded as `…(cont` / `ainer`."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(InspectorPane)
        for node, start in (("web", "mainLb"), ("mainLb", "→ web")):
            app.selected = node
            await pilot.pause()
            width = pane.scrollable_content_region.width
            drawn = wrapped_lines(app.console, pane.text, width)
            lines = ["".join(segment.text for segment in line).rstrip() for line in drawn]
            block = pattern_lines(lines, start)
            assert len(block) > 1, block  # too long for the line
            words = " ".join(line.strip() for line in block).split()
            # Every word whole on one line: a cut would leave `…(cont` and `ainer`.
            assert words[-3:] == ["application-load-balancer(", "container", "app:3000)"], block
            assert all(line.startswith("  ") for line in block[1:]), block

    drive(StptuiApp(example_session("container-shop")), script, size=(120, 36))


def test_an_arn_wider_than_the_line_folds_between_its_fields() -> None:
    """An ARN has no space to wrap at: it was folded at the line's last cell
    (`...:function:s` / `hop-dev-...`). It folds after a `:` or `/`, or after a `-` where
    that fills the line better, and at a cell only where a word has none."""
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:shop-dev-logProcessor"
    lines = [part.plain for part in wrap_hanging(Text(f"destination {arn}"), 28, 4)]
    assert lines == [
        "destination",
        "    arn:aws:lambda:",
        "    eu-west-1:123456789012:",
        "    function:shop-dev-",
        "    logProcessor",
    ]
    assert [part.plain for part in wrap_hanging(Text("x" * 30), 24, 2)] == [
        "x" * 24,
        "  " + "x" * 6,
    ]


def test_an_alarm_name_wraps_at_its_dashes_in_the_narrow_inspector() -> None:
    """At 120 columns the Inspector is 32 cells wide: the alarm's AWS name
    `shop-dev-LambdaErrorRateForWorker0` was cut as `…RateFor` / `Worker0`."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(InspectorPane)
        app.selected = "worker"
        await pilot.pause()
        width = pane.scrollable_content_region.width
        drawn = wrapped_lines(app.console, pane.text, width)
        lines = ["".join(segment.text for segment in line).rstrip() for line in drawn]
        at = next(i for i, line in enumerate(lines) if line.strip().startswith("shop-dev-"))
        assert lines[at].strip() == "shop-dev-", lines[at - 1 : at + 2]
        assert lines[at + 1].strip() == "LambdaErrorRateForWorker0"

    drive(StptuiApp(example_session("alarms")), script, size=(120, 36))


ARROW_STACK = """\
resources:
  reserveStockItem:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}
  customerOrderFulfilmentMachine:
    type: state-machine
    properties:
      definition:
        StartAt: reserve
        States:
          reserve:
            Type: Task
            Resource: $ResourceParam('reserveStockItem', 'arn')
            End: true
"""


def test_an_edges_arrow_stays_with_the_name_after_it(tmp_path: Path) -> None:
    """At 120 columns the Inspector has 31 cells a line: `← customerOrderFulfilmentMachine
    task(reserve)` wrapped after its arrow, which stood alone on its line, the name on the
    next. The name is folded where a word of it starts instead, the arrow before it."""
    (tmp_path / "stacktape.yml").write_text(ARROW_STACK, encoding="utf-8")
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("reserveStockItem")
        await pilot.pause()
        lines = [line.strip() for line in shown_lines(app.query_one(InspectorPane))]
        edge = lines.index("Edges") + 1
        assert lines[edge] == "← customerOrderFulfilment", lines
        assert lines[edge + 1] == "Machine task(reserve)", lines

    drive(app, script, size=(120, 36))
