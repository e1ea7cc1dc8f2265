"""The main screen's bottom row is shared by what the stack has, decided when a simulation
is built (at the start, and after an undo, redo, reload or load), never as it runs."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import app_for, drive

from stptui.tui.app import StptuiApp
from stptui.tui.widgets.agenda_pane import AgendaPane

WIDE_SIZES = [(120, 36), (160, 48), (200, 50)]


def widths(app: StptuiApp) -> dict[str, int]:
    """Each pane's width on screen (0: not shown)."""
    names = ("graph", "inspector", "queues", "events", "agenda")
    return {name: app.query_one(f"#{name}-pane").region.width for name in names}


@pytest.mark.parametrize("size", WIDE_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_stack_with_schedules_and_no_queue_gives_the_queues_room_away(
    size: tuple[int, int],
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        shown = widths(app)
        assert shown["queues"] == 0
        # The Events pane under the graph, the Agenda under the inspector, edge to edge.
        assert shown["events"] == shown["graph"]
        assert shown["agenda"] == shown["inspector"]
        assert shown["events"] + shown["agenda"] == size[0]
        # The schedule's row (`09:00:00.000  +1 h  schedule  NAME  NAME's schedule
        # cron(…) fires`) on four lines at most (in the 24 columns beside a Queues pane it
        # took six, at 160 columns too).
        agenda = app.query_one(AgendaPane)
        assert len(app.session.sim.agenda(30)) == 1
        assert agenda.virtual_size.height <= 4
        # Running does not move a pane.
        app.run_command("advance 2h")
        await pilot.pause()
        assert widths(app) == shown

    drive(app_for("scheduled-job"), script, size=size)


@pytest.mark.parametrize("size", WIDE_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_stack_with_nothing_scheduled_and_no_queue_gives_the_events_the_room(
    size: tuple[int, int],
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        shown = widths(app)
        assert shown["queues"] == 0
        # The Agenda keeps its width (retries come to it), the Events pane takes the rest.
        assert shown["events"] + shown["agenda"] == size[0]
        assert shown["events"] > shown["graph"] > shown["agenda"]

    drive(app_for("event-driven"), script, size=size)


@pytest.mark.parametrize("size", WIDE_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_stack_with_queues_keeps_its_layout(size: tuple[int, int]) -> None:
    expected = {
        (120, 36): {"queues": 40, "events": 57, "agenda": 23},
        (160, 48): {"queues": 58, "events": 76, "agenda": 26},
        (200, 50): {"queues": 73, "events": 95, "agenda": 32},
    }[size]

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        shown = widths(app)
        assert {k: shown[k] for k in expected} == expected
        app.run_command("send jobQueue '{\"orderId\": 1}'")
        app.run_command("advance 20m")
        await pilot.pause()
        assert widths(app) == shown

    drive(app_for("job-queue"), script, size=size)


def test_the_queues_key_says_why_there_is_no_queues_pane() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("2")
        await pilot.pause()
        notes = [(n.title, n.message) for n in app._notifications]
        assert notes[-1] == ("Queues", "this stack has no queues")
        assert app.current_pane != "2"
        # Made narrow, it is not in the strip either (`2 Queues` there read as a count of
        # the stack's queues), and the key says the same.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        strip = str(app.query_one("#pane-tabs").render())
        assert "Queues" not in strip and " [1] Graph " in strip and " [3] Events " in strip
        app.clear_notifications()
        await pilot.press("2")
        await pilot.pause()
        assert app.current_pane != "2" and not app.query_one("#queues-pane").region
        notes = [(n.title, n.message) for n in app._notifications]
        assert notes == [("Queues", "this stack has no queues")]

    drive(app_for("scheduled-job"), script, size=(160, 48), notifications=True)


def test_reload_fits_the_panes_to_the_new_stack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    stack = tmp_path / "stacktape.yml"
    stack.write_text(
        "resources:\n"
        "  fn:\n"
        "    type: function\n"
        "    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfile: a.ts}}\n"
    )
    from stptui.commands import Session

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert widths(app)["queues"] == 0
        stack.write_text(stack.read_text() + "  q:\n    type: sqs-queue\n")
        app.run_command("reload")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert widths(app)["queues"] == 40

    drive(StptuiApp(Session.open(stack)), script, size=(120, 36))
