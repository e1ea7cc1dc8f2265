"""More helpers for the terminal UI tests (see tui_support.py): typing a text at once, and
running several cases on one app.

`Pilot.press` waits for the app to idle twice after each key: typing a word key by key
cost some 40 ms of CPU a key, the screen restyled and drawn after each. `typed` sends the
keys of a text as the terminal's driver would, all at once, and waits for their effect."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.app import App
from textual.events import Key
from textual.keys import KEY_NAME_REPLACEMENTS
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea
from textual.widgets._toast import Toast
from tui_support import Problems, drive, send_key, settled, wait_until

from stptui.tui.app import StptuiApp


def key_of(character: str) -> Key:
    """The key event a terminal's driver sends for `character` (a line break: enter), named
    as `Pilot.press` names it (`/` is `slash`, a space `space`)."""
    if character == "\n":
        return Key("enter", "\r")
    if character.isalnum():
        return Key(character, character)
    name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    return Key(KEY_NAME_REPLACEMENTS.get(name, name), character)


def content(field: Widget) -> str:
    """What a one-line field or a text area holds."""
    if isinstance(field, TextArea):
        return field.text
    assert isinstance(field, Input), f"{field!r} is no field to type in"
    return field.value


async def typed(pilot: Pilot[None], app: App[object], text: str, field: Widget) -> None:
    """Type `text` into `field`, which must have the focus, key by key as a user would (a
    line break as enter), and wait until the field ends with it and the app has idled
    (what reacts to the field changing has run). Only characters: a key bound to an action
    (backspace, tab) acts after the characters sent with it, so a test sends such a key on
    its own and waits for its effect first."""
    assert app.focused is field, f"typing {text!r}: the focus is on {app.focused!r}, not {field!r}"
    for character in text:
        app.post_message(key_of(character))
    await wait_until(pilot, lambda: content(field).endswith(text), f"{text!r} typed in {field!r}")
    await pilot.pause()


Check = Callable[[Pilot[None], StptuiApp], Awaitable[None]]


async def resized(pilot: Pilot[None], app: App[object], size: tuple[int, int]) -> None:
    """Make the terminal `size`, and wait until the app's screen is laid out for it."""
    await pilot.resize_terminal(*size)
    await wait_until(pilot, lambda: app.screen.size == size, f"the screen at {size}")
    await settled(pilot, app.screen, f"the screen at {size}")


async def put_back(pilot: Pilot[None], app: App[object], main: Screen[object]) -> None:
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


def cases_on_one_app(
    app: StptuiApp,
    cases: list[tuple[str, tuple[int, int], Check]],
    *,
    notifications: bool = False,
) -> None:
    """Run each case (its name, the terminal's size, its check) on one app, in turn, the
    terminal resized between cases of different sizes. After each, what the check left
    open is closed and its notes cleared (`put_back`): each case starts on the panes with
    no note up, as on a new app; what it ran stays run, so a case that runs commands
    checks only what does not depend on the ones before. A failure is noted with its case
    and the test goes on to the next; it fails at the end with all of them (`Problems`)."""
    problems = Problems()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        main = app.screen
        for index, (name, size, check) in enumerate(cases):
            with problems.check(name, f"the terminal at {size}"):
                if app.screen.size != size:
                    await resized(pilot, app, size)
            with problems.check(name, "checked"):
                await check(pilot, app)
            with problems.check(name, "put back as it was (closed by escape, notes cleared)"):
                await put_back(pilot, app, main)
            if app.screen is not main:
                left = [later for later, _, _ in cases[index + 1 :]]
                problems.found.append(f"{name}: left {app.screen!r} open; unchecked: {left}")
                break

    drive(app, script, cases[0][1], notifications=notifications)
    problems.assert_none()
