"""Helpers for TUI tests that check many cases on one app: each case a step at a terminal
size, run in order on the one app and reported with `Problems`, what it left open closed
and its notes cleared before the next; and key presses that wait for what they do rather
than for the app to idle (see tui_support). A launch is most of a short test's CPU."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import NamedTuple, TypeVar

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets._toast import Toast
from tui_support import (
    Problems,
    as_checks,
    drive,
    key_event,
    resized_to,
    send_key,
    settled,
    wait_until,
)

from stptui.tui.app import StptuiApp

Size = tuple[int, int]
Check = Callable[[Pilot[None], StptuiApp], Awaitable[None]]
S = TypeVar("S", bound=Screen[object])


class Step(NamedTuple):
    """One check of a test (its name: what a failure says failed) at a terminal size."""

    name: str
    size: Size
    check: Check


def steps_at(size: Size, checks: Sequence[Check]) -> list[Step]:
    """A `Step` at `size` of each check, named by its function's words (`as_checks`)."""
    return [Step(name, size, check) for name, check in as_checks(list(checks))]


def size_name(size: Size) -> str:
    """`80x24`."""
    return f"{size[0]}x{size[1]}"


def send_keys(app: StptuiApp, *keys: str) -> None:
    """Send the app each of `keys` as `Pilot.press` does (a character that is not a letter
    or digit as the key a terminal sends for it: `key_event`), without waiting for what
    they do (see `send_key`)."""
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            app.post_message(key_event(key))
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


async def put_back(pilot: Pilot[None], app: StptuiApp, main: Screen[object]) -> None:
    """Close what is open over the panes with escape, one screen at a time, and take every
    note off the screen: the app as a check found it, for the next."""
    while app.screen is not main:
        depth = len(app.screen_stack)
        send_key(app, "escape")
        await wait_until(
            pilot,
            lambda depth=depth: len(app.screen_stack) < depth,
            f"{app.screen!r} closed by escape",
        )
    app.clear_notifications()
    await wait_until(
        pilot,
        lambda: not any(toast.region.area for toast in app.screen.query(Toast)),
        "the notes gone",
    )


def on_one_app(
    app: StptuiApp, steps: Sequence[tuple[str, Size, Check]], *, notifications: bool = False
) -> None:
    """Run each step (a `Step`: its name, the terminal's size, its check) on `app` in turn,
    the terminal resized to its size first, and after it what it left open closed by escape
    and its notes cleared (`put_back`): each step starts on the panes with no note up, as
    on a new app. What it ran stays run, so a step that runs commands checks only what
    does not depend on the ones before. A failure is noted as `WxH: step: why`, the steps
    after it still run (unless what it left open would not close), and the test fails at
    the end with them all."""
    problems = Problems()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        main = app.screen
        for index, (name, size, check) in enumerate(steps):
            case = size_name(size)
            with problems.check(case, f"resized for {name}"):
                if app.screen.size != size:
                    await resized_to(pilot, app, size)
            with problems.check(case, name):
                await check(pilot, app)
            with problems.check(case, f"{name}: what it opened closes on escape"):
                await put_back(pilot, app, main)
            if app.screen is not main:
                left = [later[0] for later in steps[index + 1 :]]
                problems.found.append(f"{case}: {name}: left open; unchecked: {left}")
                break

    drive(app, script, size=steps[0][1], notifications=notifications)
    problems.assert_none()
