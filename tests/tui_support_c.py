"""Helpers for TUI tests that check many cases on one app: each case a step at a terminal
size, run in order on the one app and reported with `Problems`, and key presses that wait
for what they do rather than for the app to idle (see tui_support)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.events import Key
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from tui_support import Problems, drive, key_of, resized_to, send_key, settled, wait_until

from stptui.tui.app import StptuiApp

Size = tuple[int, int]
Check = Callable[[Pilot[None], StptuiApp], Awaitable[None]]
S = TypeVar("S", bound=Screen[object])
# Screens a check may leave open (a dialog over the help over a page): more is a key that
# does not close them.
MAX_OPEN = 4


@dataclass(frozen=True)
class Step:
    """One check of a test (its name: what a failure says failed) at a terminal size."""

    name: str
    size: Size
    check: Check


def size_name(size: Size) -> str:
    """`80x24`."""
    return f"{size[0]}x{size[1]}"


def send_keys(app: StptuiApp, *keys: str) -> None:
    """Send the app each of `keys` as `Pilot.press` does (a character that is not a letter
    or digit by its key's name, `{` as `left_curly_bracket`: a text area types only what
    comes so), without waiting for what they do (see `send_key`)."""
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            name = key_of(key)
            app.post_message(Key(KEY_NAME_REPLACEMENTS.get(name, name), key))
        else:
            send_key(app, key)


async def press_until(
    pilot: Pilot[None], app: StptuiApp, key: str, done: Callable[[], bool], what: str
) -> None:
    """Press `key` and let the app run until `done()` holds (`what` names it in a hang)."""
    send_keys(app, key)
    await wait_until(pilot, done, f"{key} pressed: {what}")


async def ran(pilot: Pilot[None], app: StptuiApp, key: str) -> list[str]:
    """Press `key` (a dialog's ctrl+s or enter) and wait until the session has run a line:
    the lines it ran."""
    before = len(app.session.log)
    await press_until(pilot, app, key, lambda: len(app.session.log) > before, "a line run")
    return app.session.log[before:]


async def typed(pilot: Pilot[None], app: StptuiApp, text: str, value: Callable[[], str]) -> None:
    """Type `text` into the focused field, and wait until `value()` (the field's text)
    changed with its last character. (A dialog's ctrl+s is a priority key: sent before the
    field has taken what was typed, it would run the line without it.)"""
    before = value()
    send_keys(app, *text)
    await wait_until(pilot, lambda: value() != before and value().endswith(text[-1]), "typed")


async def focus_moved(pilot: Pilot[None], app: StptuiApp, key: str) -> Widget | None:
    """Press `key` (tab, shift+tab) and wait until the focus is on another widget: the one
    it is on now."""
    before = app.screen.focused
    await press_until(pilot, app, key, lambda: app.screen.focused is not before, "focus moved")
    return app.screen.focused


async def screen_opened(
    pilot: Pilot[None], app: StptuiApp, key: str, kind: type[S], widget: str | None = None
) -> S:
    """Press `key`, wait until a `kind` screen is on top, and (`widget` a selector in it)
    until that widget is laid out for good; the screen."""
    send_key(app, key)
    await wait_until(pilot, lambda: isinstance(app.screen, kind), f"{key} opened a {kind}")
    screen = app.screen
    assert isinstance(screen, kind)
    if widget is not None:
        await wait_until(pilot, lambda: bool(screen.query(widget)), f"{widget} composed")
        await settled(pilot, screen.query_one(widget), f"{widget} of the {kind.__name__}")
    return screen


def closed(app: StptuiApp, screen: Screen[object]) -> Callable[[], bool]:
    """Whether `screen` is no longer on top."""
    return lambda: app.screen is not screen


W = TypeVar("W", bound=Widget)


async def focused_in(
    pilot: Pilot[None], app: StptuiApp, key: str, kind: type[Screen[object]], field: type[W]
) -> W:
    """Press `key`, wait until its `kind` dialog is on top with a `field` focused in it
    (a dialog focuses its first field after it is laid out): that field."""
    dialog = await screen_opened(pilot, app, key, kind)
    await wait_until(
        pilot,
        lambda: isinstance(app.focused, field) and app.focused.screen is dialog,
        f"a {field.__name__} of the {kind.__name__} focused",
    )
    focused = app.focused
    assert isinstance(focused, field)
    return focused


async def back_to(pilot: Pilot[None], app: StptuiApp, main: Screen[object]) -> None:
    """Press escape until `main` is on top again (what a check left open closed)."""
    for _ in range(MAX_OPEN):
        if app.screen is main:
            return
        await press_until(pilot, app, "escape", closed(app, app.screen), "it closed")
    assert app.screen is main, f"{app.screen!r} left open after {MAX_OPEN} escapes"


def on_one_app(app: StptuiApp, steps: list[Step], *, notifications: bool = False) -> None:
    """Run each step's check on `app` in turn, the terminal resized to its size first, and
    whatever screens it left open closed after it (escape): the next starts on the main
    screen. A failure is noted as `WxH: step: why`, the steps after it still run (unless
    the screens it left would not close), and the test fails at the end with them all."""
    problems = Problems()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        main = app.screen
        for step in steps:
            case = size_name(step.size)
            with problems.check(case, f"resized for {step.name}"):
                if app.screen.size != step.size:
                    await resized_to(pilot, app, step.size)
            with problems.check(case, step.name):
                await step.check(pilot, app)
            with problems.check(case, f"{step.name}: what it opened closes on escape"):
                await back_to(pilot, app, main)
            if app.screen is not main:
                problems.found.append(f"{case}: {step.name}: left open, the steps after unrun")
                break

    drive(app, script, size=steps[0].size, notifications=notifications)
    problems.assert_none()
