"""The dimmed screen under a dialog (`stptui.tui.screens.modal.QuickModal`): drawn once as
the dialog opens and kept while the focus moves in it, its lines dimmed once for all the
dialogs opened over the screen in turn, yet always the screen below as it is: a change
there shows at once, and a dialog back on top from under a page shows what changed below
meanwhile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from textual.color import Color
from textual.pilot import Pilot
from textual.renderables.background_screen import BackgroundScreen
from textual.visual import Visual, visualize
from tui_support import app_for, drive, screen_text

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import PublishDialog, SendDialog
from stptui.tui.screens.invoke_dialog import InvokeDialog
from stptui.tui.screens.modal import Backdrop, QuickModal
from stptui.tui.screens.output_page import OutputPage


def clock_row(app: StptuiApp) -> str:
    """The screen's first row: the main screen's clock bar, dimmed under a dialog."""
    return screen_text(app).splitlines()[0]


@pytest.fixture
def backdrops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times a modal screen has drawn the screen below it (one entry each)."""
    drawn: list[int] = []
    draw = BackgroundScreen.__rich_console__

    def counted(self: BackgroundScreen, console: Console, options: ConsoleOptions) -> RenderResult:
        drawn.append(1)
        return draw(self, console, options)

    monkeypatch.setattr(BackgroundScreen, "__rich_console__", counted)
    yield drawn


@pytest.fixture
def dimmed_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many lines of the screen below have been dimmed (one entry each)."""
    dimmed: list[int] = []
    dim = BackgroundScreen.process_segments

    def counted(segments: list[Segment], color: Color) -> list[Segment]:
        dimmed.append(1)
        return list(dim(segments, color))

    monkeypatch.setattr(BackgroundScreen, "process_segments", staticmethod(counted))
    yield dimmed


def textual_backdrop(dialog: QuickModal[object]) -> list[object]:
    """The screen below `dialog` dimmed as Textual draws it: every line rendered and tinted."""
    below = dialog.app.screen_stack[-2]
    width, height = dialog.size
    tinted = BackgroundScreen(below, dialog.styles.background)
    return list(
        Visual.to_strips(dialog, visualize(dialog, tinted), width, height, dialog.visual_style)
    )


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Backdrop]]:
    """The lines each dialog drew under itself, as it drew them (one entry a draw)."""
    backdrops: list[Backdrop] = []
    render = QuickModal.render

    def kept(self: QuickModal[object]) -> object:
        rendered = render(self)
        if isinstance(rendered, Backdrop):
            backdrops.append(rendered)
        return rendered

    monkeypatch.setattr(QuickModal, "render", kept)
    yield backdrops


def test_a_dialog_opened_after_another_dims_no_line_again(
    dimmed_lines: list[int], drawn: list[Backdrop]
) -> None:
    """Each dialog is a screen of its own: each rendered and tinted every line of the screen
    below again as it opened, though the screen below was the one the dialog before had
    dimmed. The lines it draws are those Textual draws."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SendDialog)
        assert dimmed_lines
        assert drawn[-1].strips == textual_backdrop(app.screen)
        await pilot.press("escape")
        await pilot.pause()
        dimmed_lines.clear()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PublishDialog)
        assert dimmed_lines == []
        assert drawn[-1].strips == textual_backdrop(app.screen)

    drive(app_for("combined"), script)


def test_a_change_below_between_two_dialogs_shows_in_the_second(
    dimmed_lines: list[int], drawn: list[Backdrop]
) -> None:
    """Only the lines that changed are dimmed again: the clock bar, not the rest."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.pause()
        assert "2026-01-05 08:00:00" in clock_row(app)
        await pilot.press("escape")
        await pilot.pause()
        app.run_command("advance 90m")
        await pilot.pause()
        dimmed_lines.clear()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SendDialog)
        assert "2026-01-05 09:30:00" in clock_row(app)
        assert 1 <= len(dimmed_lines) < app.screen.size.height // 2
        assert drawn[-1].strips == textual_backdrop(app.screen)

    drive(app_for("combined"), script)


def test_moving_the_focus_in_a_dialog_does_not_draw_the_screen_below_again(
    backdrops: list[int],
) -> None:
    """Each focus change repainted the dialog's screen whole, and with it every cell of the
    screen below, rendered and tinted again (as did each layout as the dialog opened)."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SendDialog)
        opened = len(backdrops)
        # At most twice: once more if the main screen hid its footer after the first draw.
        assert 1 <= opened <= 2
        focused = app.screen.focused
        await pilot.press("tab", "tab", "shift+tab")
        await pilot.pause()
        assert app.screen.focused is not focused
        assert len(backdrops) == opened
        assert "08:00:00" in clock_row(app)

    drive(app_for("combined"), script)


def test_a_change_below_an_open_dialog_shows_in_its_dimmed_screen() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SendDialog)
        assert "2026-01-05 08:00:00" in clock_row(app)
        # What the clock running under the dialog does (the clock's key works there).
        app.run_command("advance 90m")
        await pilot.pause()
        assert "2026-01-05 09:30:00" in clock_row(app)
        await pilot.press("tab")
        await pilot.pause()
        assert "2026-01-05 09:30:00" in clock_row(app)

    drive(app_for("combined"), script)


def test_a_dialog_back_on_top_shows_what_changed_below_while_a_page_covered_it() -> None:
    """A change below while the whole answer's page is over the dialog repaints the page,
    not the dialog: back on top, the dialog draws the screen below anew."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("v")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, InvokeDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        before = clock_row(app)
        assert "2026-01-05 08:" in before, before
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, OutputPage)
        app.run_command("advance 2h")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is dialog
        assert "2026-01-05 10:" in clock_row(app), clock_row(app)

    drive(app_for("combined"), script)
