"""Pilot tests of a worker that polls a queue in the terminal UI: its Inspector (polls, the
messages it processed, its override, its log lines as text), the Graph pane's `polls` edge,
the Events pane's container.message records, and the log dialog (`l`) on its group."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import drawn_text, drive, example_session, inspector, screen_text, shown

from stptui.commands import execute
from stptui.tui.app import StptuiApp
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.widgets.events_pane import EventsPane

# An image name that is Rich markup: the worker logs it, the views must show it as text.
HOSTILE = "[bold red]x[/]"


def worker_app() -> StptuiApp:
    """docs/examples/worker-poll.yml after `resizer` processed cat.png, failed a huge image
    named HOSTILE, and was given `fail resizer next 2`."""
    session = example_session("worker-poll")
    for line in (
        'send jobs \'{"image": "cat.png", "width": 800}\'',
        f'send jobs \'{{"image": "{HOSTILE}", "width": 9000}}\'',
        "advance 5s",
        "fail resizer next 2",
    ):
        execute(session, line)
    return StptuiApp(session)


def test_the_inspector_of_a_worker_shows_its_polls_messages_override_and_lines() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("resizer")
        await pilot.pause()
        page = inspector(app)
        assert "← jobs polls(container service-container)" in page
        assert "jobs: service-container, 0 of 1 pollers busy, up to 10 a receive" in page
        assert "468f6a19 from jobs receive 1 failed RangeError in 2 s" in page
        assert "21f87f34 from jobs receive 1 deleted in 2 s" in page
        assert "overridden: fail resizer next 2 (2 left)" in page
        assert f"resizing {HOSTILE} receive 1" in page  # the markup as text
        assert "Recent requests" not in page  # a worker service takes no request
        # The graph draws the queue's polls edge to the worker, with its legend.
        assert "━━► polls" in screen_text(app)

    drive(worker_app(), script, size=(160, 50))


def test_the_events_pane_lists_a_worker_s_message_records() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        pane = app.query_one(EventsPane)
        pane.records.set_filter("kind:container.message")
        await pilot.pause()
        text = drawn_text(pane.records)
        assert len(text.split("container.message.")) == 3
        # From 160 columns the Events pane has room for the whole of each kind.
        assert "container.message.processed  resizer" in text
        assert "container.message.failed     resizer" in text

    drive(worker_app(), script, size=(160, 50))


def test_the_log_dialog_opens_on_the_worker_s_own_group() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("resizer")
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LogLineDialog)
        assert shown(app, "#log-group").startswith(
            "/stp/resizer-dev/ecs/resizer/service-container/process-logs: 1 log stream"
        )

    drive(worker_app(), script, size=(160, 50))
