"""A subscriber to a Textual signal that raises fails the app (and the test), as an error in
any other handler does: Textual's `Signal.publish` logs an immediate subscriber's exception
and goes on, so a dialog whose layout callback broke kept running, unfitted, and the test
that drove it passed. Every subscription in stptui/tui goes through `subscribe_loudly`."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_tui_dialog_fit import open_dialog, open_stack
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Static
from tui_support import drive

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import CommandDialog
from stptui.tui.signals import subscribe_loudly
from stptui.tui.widgets.footer import StableFooter

TUI = Path(__file__).resolve().parents[1] / "stptui" / "tui"


class LayoutBroke(Exception):
    """The error the broken subscribers below raise."""


def test_a_dialog_whose_layout_callback_raises_fails_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dialog's fit runs from the screen's layout signal, an immediate subscriber."""

    def broken(self: CommandDialog) -> None:
        raise LayoutBroke("fit broke")

    monkeypatch.setattr(CommandDialog, "fit", broken)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await open_dialog(pilot, app, "P", {})

    with pytest.raises(LayoutBroke, match="fit broke"):
        drive(open_stack("sns-filtered", ()), script, size=(80, 24))


def test_a_footer_whose_screen_callback_raises_fails_the_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The footer follows the screen on top through a subscriber called later (posted to
    it): its error, too, ends the run."""

    def broken(self: StableFooter, screen: object) -> None:
        raise LayoutBroke("footer broke")

    monkeypatch.setattr(StableFooter, "_screen_changed", broken)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("P")
        await pilot.pause()

    with pytest.raises(LayoutBroke, match="footer broke"):
        drive(open_stack("sns-filtered", ()), script, size=(80, 24))


class Publisher(App[None]):
    """A screen with one widget subscribed to its layout signal (`immediate` or not)."""

    def __init__(self, immediate: bool) -> None:
        super().__init__()
        self.immediate = immediate
        self.calls = 0

    def compose(self) -> ComposeResult:
        yield Static("x", id="subscriber")

    def on_mount(self) -> None:
        widget = self.query_one("#subscriber")
        subscribe_loudly(
            self.screen.screen_layout_refresh_signal, widget, self._laid_out, self.immediate
        )

    def _laid_out(self, _screen: object) -> None:
        self.calls += 1
        raise LayoutBroke(f"call {self.calls}")


@pytest.mark.parametrize("immediate", [True, False], ids=["immediate", "posted"])
def test_a_loud_subscriber_that_raises_ends_the_app_with_its_error(immediate: bool) -> None:
    async def main() -> None:
        app = Publisher(immediate)
        async with app.run_test(size=(20, 5)) as pilot:
            app.query_one("#subscriber", Static).update("a layout")
            app.screen.refresh(layout=True)
            await pilot.pause()

    with pytest.raises(LayoutBroke, match="call 1"):
        asyncio.run(main())


def test_every_signal_subscription_in_the_tui_is_loud() -> None:
    """`signal.subscribe(...)` called directly would let its callback's errors pass in
    silence: only stptui/tui/signals.py calls it."""
    direct = []
    for path in sorted(TUI.rglob("*.py")):
        if path.name == "signals.py" and path.parent == TUI:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if isinstance(func, ast.Attribute) and func.attr == "subscribe":
                direct.append(f"{path.relative_to(TUI)}:{node.lineno}")
    assert not direct, direct
