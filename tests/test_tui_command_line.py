"""Pilot tests of the command line (`:`) used from the keyboard alone: its history (up and
down, kept between openings), a long output scrolled with page keys while the line keeps
the focus, and commands that change the simulation refreshing the panes behind it."""

from __future__ import annotations

import shutil
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._footer import FooterKey
from tui_support import START, app_for, drawn_text, drive, rebuilt

from stptui.commands import Session
from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.widgets.footer import StableFooter
from stptui.tui.widgets.queues_pane import QueuesPane

JOB_QUEUE = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "job-queue"


def field(app: StptuiApp) -> Input:
    """The command line's input."""
    return app.screen.query_one("#command-input", Input)


def test_up_and_down_go_through_the_lines_run_before_and_back_to_the_draft() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"advance 1m", "enter")
        # A refused line is in the history too: it is the one most worth fixing and rerunning.
        await pilot.press(*"advnce 2m", "enter")
        assert field(app).value == "advnce 2m"
        field(app).value = ""
        await pilot.press(*"show q")
        await pilot.press("up")
        assert field(app).value == "advnce 2m"
        assert field(app).cursor_position == len("advnce 2m")
        await pilot.press("up", "up")
        assert field(app).value == "advance 1m"
        await pilot.press("down")
        assert field(app).value == "advnce 2m"
        await pilot.press("down")
        assert field(app).value == "show q"
        await pilot.press("escape")
        # The next command line has the same history.
        await pilot.press("colon", "up")
        assert isinstance(app.screen, CommandLineScreen)
        assert field(app).value == "advnce 2m"
        await pilot.press("enter")
        await pilot.press("up", "up")
        # The same line run twice in a row is remembered once.
        assert field(app).value == "advance 1m"

    drive(app_for(), script)


def test_page_keys_scroll_a_long_output_while_the_line_keeps_the_focus() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"help all", "enter")
        output = app.screen.query_one("#command-output", VerticalScroll)
        assert output.max_scroll_y > 0
        await pilot.press("pagedown")
        assert output.scroll_y > 0
        assert app.screen.focused is field(app)
        # Enough pages for the whole of `help all` (one more than it takes, whatever its length).
        pages = int(output.max_scroll_y // output.scrollable_content_region.height) + 1
        await pilot.press(*["pagedown"] * pages)
        assert output.scroll_y == output.max_scroll_y
        await pilot.press(*["pageup"] * (pages + 1))
        assert output.scroll_y == 0

    drive(app_for(), script, size=(100, 30))


def test_a_command_that_changes_the_simulation_refreshes_the_panes_behind() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"send jobQueue '{\"id\": 1}'", "enter")
        await pilot.press(*"send jobQueue '{\"id\": 2}'", "enter")
        queues = app.query_one(QueuesPane)
        assert "jobQueue: 2 messages" in drawn_text(queues.query_one("#message-caption"))

    drive(app_for(), script)


def test_tab_offers_only_the_values_that_fit_the_words_before() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"publish eventBus orders Order", "tab")
        # eventBus's rule matches orders with these detail-types; the first is taken.
        assert field(app).value == "publish eventBus orders OrderCreated"
        field(app).value = ""
        # No rule is on the default bus: eventBus's detail-types would not match there.
        await pilot.press(*"publish default orders ", "tab")
        assert field(app).value == "publish default orders "

    drive(app_for("event-driven"), script)


def test_undo_on_the_command_line_redraws_the_panes_from_the_rebuilt_simulation() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"send jobQueue '{\"id\": 1}'", "enter")
        await pilot.press(*"send jobQueue '{\"id\": 2}'", "enter")
        await pilot.press(*"undo", "enter")
        await rebuilt(pilot, app)
        queues = app.query_one(QueuesPane)
        assert "jobQueue: 1 message" in drawn_text(queues.query_one("#message-caption"))
        assert app.session.log == ["send jobQueue '{\"id\": 1}'"]
        await pilot.press(*"redo", "enter")
        await pilot.pause()
        assert "jobQueue: 2 messages" in drawn_text(queues.query_one("#message-caption"))

    drive(app_for(), script)


def test_keys_undo_redo_and_reload_and_an_edit_on_disk_is_noticed(tmp_path: Path) -> None:
    shutil.copytree(JOB_QUEUE, tmp_path / "stack")
    config = tmp_path / "stack" / "stacktape.yml"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon", *"send jobQueue '{\"id\": 1}'", "enter")
        await pilot.press(*"send jobQueue '{\"id\": 2}'", "enter", "escape")
        queues = app.query_one(QueuesPane)
        await pilot.press("ctrl+z")
        await rebuilt(pilot, app)
        assert "jobQueue: 1 message" in drawn_text(queues.query_one("#message-caption"))
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "jobQueue: 2 messages" in drawn_text(queues.query_one("#message-caption"))
        config.write_text(config.read_text("utf-8").replace("jobQueue", "jobsQueue"))
        app._notice_inputs()
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert "stacktape.yml changed on disk: ctrl+r reloads" in " ".join(notes)
        # The behaviours name jobQueue: the reload is refused and the simulation stays.
        await pilot.press("ctrl+r")
        await rebuilt(pilot, app)
        assert any("cannot reload" in n.message for n in app._notifications)
        assert "jobQueue: 2 messages" in drawn_text(queues.query_one("#message-caption"))

    drive(app_for(str(tmp_path / "stack")), script)


def test_a_reload_that_adds_or_removes_a_bus_shows_or_hides_its_key(tmp_path: Path) -> None:
    # Which dialog keys the stack has a use for is worked out once per simulation (it was
    # worked out for every binding on every key press): a reload makes a new one.
    config = tmp_path / "stacktape.yml"
    busless = "resources:\n  jobQueue: {type: sqs-queue}\n"
    config.write_text(busless, encoding="utf-8")

    async def shown(pilot: Pilot[None]) -> set[str]:
        # The footer is recomposed a moment after the bindings change.
        for _ in range(3):
            await pilot.pause()
        keys = app.query_one(StableFooter).query(FooterKey)
        return {k.key for k in keys if k.display}

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        keys = await shown(pilot)
        assert "s" in keys and "p" not in keys
        config.write_text(busless + "  orders: {type: event-bus}\n", encoding="utf-8")
        app.run_command("reload")
        await rebuilt(pilot, app)
        assert "p" in await shown(pilot) and app.check_action("publish", ())
        config.write_text(busless, encoding="utf-8")
        await pilot.press("ctrl+r")
        await rebuilt(pilot, app)
        keys = await shown(pilot)
        assert "s" in keys and "p" not in keys
        assert not app.check_action("publish", ())

    app = StptuiApp(Session.open(tmp_path, start_ms=START))
    drive(app, script, size=(200, 50))
