"""Snapshot tests of the terminal UI (pytest-textual-snapshot, Textual pinned at 8.2.8).

Deterministic by construction: fixed terminal sizes, the clock paused at a fixed start
instant with seed 0, no wall-clock text, no blinking cursors, no notifications on screen.
Update the baselines with `pytest tests/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import SAMPLE_NAMES, START, app_for, wait_for_hit

from stptui.commands import Session, execute
from stptui.tui.app import StptuiApp

WIDE = (120, 36)
NARROW = (80, 24)
STORY = [
    'send jobQueue \'{"orderId": 1, "amount": 20}\'',
    'send jobQueue \'{"orderId": 2, "amount": 5000}\'',
    "advance 20m",
]


def story_app() -> StptuiApp:
    """The job-queue stack after two orders, one dead-lettered (run before mounting)."""
    app = app_for("job-queue")
    from stptui.commands import execute

    for line in STORY:
        execute(app.session, line)
    return app


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_main_screen_of_each_sample_stack(snap_compare, name: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(name), terminal_size=WIDE)


def test_main_screen_narrow(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for("job-queue"), terminal_size=NARROW)


@pytest.mark.parametrize("name", ["combined", "job-queue"])
@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
def test_footer_at_80_and_100_columns(snap_compare, name: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    # combined has SNS topics (P) and nine dialog keys, job-queue neither topics nor room
    # to spare at 80: every key the stack has a use for is on show, the dialogs' keys
    # without their words from the last back.
    assert snap_compare(app_for(name), terminal_size=size)


def test_main_screen_after_the_story(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def select_dlq(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("deadLetterQueue")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(story_app(), terminal_size=WIDE, run_before=select_dlq)


def test_inspector_of_the_worker(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def inspect_worker(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("worker")
        await pilot.press("4")

    assert snap_compare(story_app(), terminal_size=NARROW, run_before=inspect_worker)


def test_inspector_of_a_stream_with_a_shard_blocked(snap_compare) -> None:  # type: ignore[no-untyped-def]
    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    clicks = Session.open(
        examples / "clickstream.yml",
        behaviors_path=examples / "clickstream-behaviors.yml",
        start_ms=START,
    )
    for line in [
        'put-record clicks \'{"page": "/home"}\' --partition-key user-1',
        'put-record clicks \'{"page": "/cart", "bad": true}\' --partition-key user-1',
        'put-record clicks \'{"page": "/docs"}\' --partition-key user-2',
        "advance 2500ms",
    ]:
        execute(clicks, line)

    async def inspect_stream(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("clicks")
        # Down to the readers: the blocked shard's checkpoint, backlog and retries.
        await pilot.press("4", "pagedown", "pagedown", "pagedown")

    assert snap_compare(StptuiApp(clicks), terminal_size=NARROW, run_before=inspect_stream)


def test_inspector_of_a_function_with_a_log_group(snap_compare) -> None:  # type: ignore[no-untyped-def]
    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    logs = Session.open(
        examples / "log-alerts.yml",
        behaviors_path=examples / "log-alerts-behaviors.yml",
        start_ms=START,
    )
    for line in [
        'invoke payments \'{"card": "declined"}\'',
        # A hostile line: markup shown as text, the escape character as `\x1b`.
        "log payments '[bold red]x[/] [@click=app.quit]q[/] \x1b[31mred'",
    ]:
        execute(logs, line)

    async def inspect_payments(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("payments")
        # Down to the log group, its subscription and its newest lines.
        await pilot.press("4", "end")

    assert snap_compare(StptuiApp(logs), terminal_size=NARROW, run_before=inspect_payments)


def test_inspector_and_events_of_a_container_workload(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # Its containers' behaviours, its recent requests (an answer, a failure), and the
    # container.* records in the Events pane.
    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    shop = Session.open(
        examples / "container-shop.yml",
        behaviors_path=examples / "container-shop-behaviors.yml",
        start_ms=START,
    )
    for line in [
        'http POST /orders \'{"id": 1, "amount": 20}\'',
        'http POST /orders \'{"id": 3, "amount": 50000}\' --gateway mainLb',
    ]:
        execute(shop, line)

    async def inspect_web(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("web")
        # Down to the behaviours and the recent requests, under the environments.
        await pilot.press("4", "pagedown", "pagedown", "pagedown")

    assert snap_compare(StptuiApp(shop), terminal_size=(120, 44), run_before=inspect_web)


def test_inspector_of_a_state_machine_with_variables(snap_compare) -> None:  # type: ignore[no-untyped-def]
    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    orders = Session.open(
        examples / "workflow-variables.yml",
        behaviors_path=examples / "workflow-variables-behaviors.yml",
        start_ms=START,
    )
    for line in [
        # A hostile order id: markup shown as text, the escape character as JSON's `\u001b`.
        'start-execution orderFlow \'{"orderId": "[bold]o-2[/] \\u001b[31m", "amount": 900, '
        '"items": [{"sku": "c"}]}\' --name declined',
        "advance 5s",
    ]:
        execute(orders, line)

    async def inspect_machine(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("orderFlow")
        # Up from the end to the variables of the latest execution, above its history.
        await pilot.press("4", "end", "pageup")

    assert snap_compare(StptuiApp(orders), terminal_size=NARROW, run_before=inspect_machine)


def test_graph_of_web_services_with_their_entry_points(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # Each web-service's own load balancer is a node with its rule (or ports) into the
    # service; selected, the inspector shows its listeners.
    examples = Path(__file__).resolve().parents[1] / "docs" / "examples"
    session = Session.open(examples / "web-service-alb.yml", start_ms=START)

    async def select_entry(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("web.loadBalancer")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(StptuiApp(session), terminal_size=WIDE, run_before=select_entry)


def test_help_screen(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(), terminal_size=WIDE, press=["question_mark"])


def test_send_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(), terminal_size=WIDE, press=["s"])


def test_send_dialog_with_an_error(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app_for(), terminal_size=WIDE, press=["s", "ctrl+a", "{", "ctrl+s"])


def test_command_line_with_output(snap_compare) -> None:  # type: ignore[no-untyped-def]
    keys = ["colon", *"show queues", "enter"]
    assert snap_compare(story_app(), terminal_size=WIDE, press=keys)


def test_record_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(story_app(), terminal_size=WIDE, press=["3", "home", "e"])


def test_command_palette(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def search(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+p", *"go to: dead")
        # The search runs in a worker: the picture is of its hits, however late they come.
        await pilot.app.workers.wait_for_complete()
        await wait_for_hit(pilot, pilot.app, "deadLetterQueue")

    assert snap_compare(app_for(), terminal_size=WIDE, run_before=search)


def test_metrics_view_of_a_queue(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def open_metrics(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, StptuiApp)
        await pilot.pause()
        app.jump_to("jobQueue")
        await pilot.pause()
        await pilot.press("M")
        await app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(story_app(), terminal_size=WIDE, run_before=open_metrics)
