"""Helpers for the terminal UI tests: a pinned environment, sessions, and running a Pilot.

Importing this module first clears the environment variables Textual reads when
`textual.constants` is imported (they change colours and so every snapshot).
"""

from __future__ import annotations

import os

for _var in (
    "NO_COLOR",
    "TEXTUAL_THEME",
    "TEXTUAL_COLOR_SYSTEM",
    "TEXTUAL_ANIMATIONS",
    "TEXTUAL_FILTERS",
    "TEXTUAL_DIM_FACTOR",
):
    os.environ.pop(_var, None)

import asyncio  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import time  # noqa: E402
import unicodedata  # noqa: E402
from collections.abc import Awaitable, Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

from rich.console import Console  # noqa: E402
from textual.app import App  # noqa: E402
from textual.command import CommandList  # noqa: E402
from textual.events import Key  # noqa: E402
from textual.keys import KEY_NAME_REPLACEMENTS  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widget import Widget  # noqa: E402
from textual.widgets import Input, Static, TextArea  # noqa: E402

from stptui.commands import Session  # noqa: E402
from stptui.sim.clock import parse_instant  # noqa: E402
from stptui.sim.trace import Record  # noqa: E402
from stptui.tui import app as tui_app  # noqa: E402
from stptui.tui.app import StptuiApp  # noqa: E402
from stptui.tui.widgets.events_pane import RecordList  # noqa: E402
from stptui.tui.widgets.inspector_pane import InspectorPane  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "stptui" / "sample_stacks"
START = parse_instant("2026-01-05T08:00:00Z")
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
SAMPLE_NAMES = sorted(p.parent.name for p in SAMPLES.glob("*/stacktape.yml"))

# No blinking cursors: the blink timer races a screenshot.
Input.cursor_blink = False
TextArea.cursor_blink = False
# An `advance` or `until` typed on the command line runs there for a second at most, then
# goes on in the fast-forward dialog: on a loaded machine a test's week of work could take
# that second, and a test would see a dialog it did not ask for. The tests of the handoff
# set the app's own budget (tests/test_tui_fast_forward.py).
tui_app.CLOCK_COMMAND_BUDGET_S = 60.0
# Likewise the launch's hold of its first frame (`tui_app.MainScreen`): cut short on a loaded
# machine, the launch would go on painting under what a test does next.
tui_app.LAUNCH_HOLD_LIMIT_S = 60.0


def drawn_text(widget: Widget) -> str:
    """What a widget draws, line by line: the text of content that is not one `Text` (a
    table, a group), as laid out at the widget's width."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def enabled_actions(app: StptuiApp) -> set[str]:
    """The actions of the current screen's keys that act now."""
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}


async def key_does_nothing(
    pilot: Pilot[None], app: StptuiApp, key: str, action: str, palette: str, help_line: str
) -> None:
    """On a stack without what its dialog needs, `key` (for `action`) is not offered, the
    palette has no `palette` entry, pressing it opens nothing and runs nothing, and the help
    lists `help_line` as a key that does nothing here."""
    from stptui.tui.palette import StackProvider
    from stptui.tui.screens.dialogs import CommandDialog
    from stptui.tui.screens.help import IDLE_NOTE, HelpScreen

    assert action not in enabled_actions(app)
    titles = [title for title, _, _ in StackProvider(app.screen)._list_entries()]
    assert palette not in titles
    await pilot.press(key)
    await pilot.pause()
    # Neither a dialog with an empty picker nor anything run.
    assert not isinstance(app.screen, CommandDialog)
    assert app.session.log == []
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    body = " ".join(drawn_text(app.screen.query_one("#help-body")).split())
    assert f"{help_line}{IDLE_NOTE}" in body


def example_session(name: str) -> Session:
    """A session on docs/examples/NAME.yml with its NAME-behaviors.yml, at the fixed start."""
    return Session.open(
        EXAMPLES / f"{name}.yml",
        behaviors_path=EXAMPLES / f"{name}-behaviors.yml",
        start_ms=START,
    )


def shown(app: StptuiApp, selector: str) -> str:
    """The text a Static of the current screen draws, its lines joined by spaces."""
    return " ".join(drawn_text(app.screen.query_one(selector, Static)).split())


def inspector(app: StptuiApp) -> str:
    """The Inspector's page as plain text (each entry on one line, as it was built)."""
    return app.query_one(InspectorPane).text.plain


def records_of(session: Session, kind: str) -> list[Record]:
    """The session's trace records of one kind, oldest first."""
    return [r for r in session.sim.trace.records if r.kind == kind]


def screen_text(app: StptuiApp) -> str:
    """The whole screen as drawn (borders, titles and dialogs over the panes), as text."""
    console = Console(width=app.size.width, record=True, file=io.StringIO())
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def session(name: str = "job-queue", **kwargs: object) -> Session:
    """A session on a bundled sample stack, at the fixed start instant, seed 0."""
    return Session.open(SAMPLES / name, start_ms=START, **kwargs)  # type: ignore[arg-type]


ECHO_STACK = """\
resources:
  gw: {type: http-api-gateway}
  echo:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: gw, path: /echo, method: POST}
"""


def echo_session(folder: Path) -> Session:
    """A session on a stack in `folder` whose `POST /echo` answers 200 with the body sent."""
    (folder / "stacktape.yml").write_text(ECHO_STACK, encoding="utf-8")
    (folder / "stptui.yml").write_text(
        "behaviors:\n  echo:\n    response: '{statusCode: `200`, body: body}'\n",
        encoding="utf-8",
    )
    return Session.open(folder, start_ms=START)


# The app freezes its first simulation out of the cyclic collector after thawing and
# collecting everything (`freeze_collected`): in a test worker that is a full collection of
# every test item collected, some 350,000 objects, 0.2-0.4 s, up to a fifth of a short app
# test. The tests here leave the collector to itself; the tests of that freezing (what is
# frozen, thawed and freed) put the app's own back with `real_collector`.
_APP_FREEZE = tui_app.freeze_collected


def _collector_left_alone(*, everything: bool = False) -> None:
    """Stands for `freeze_collected` in the app under test: freeze nothing, collect nothing."""


tui_app.freeze_collected = _collector_left_alone


@contextmanager
def real_collector() -> Iterator[None]:
    """The app freezes its simulation as it does outside the tests (see above)."""
    tui_app.freeze_collected = _APP_FREEZE
    try:
        yield
    finally:
        tui_app.freeze_collected = _collector_left_alone


def app_for(name: str = "job-queue") -> StptuiApp:
    """The app on a bundled sample stack (clock paused)."""
    return StptuiApp(session(name))


Script = Callable[[Pilot[None], StptuiApp], Awaitable[None]]


def drive(
    app: StptuiApp,
    script: Script,
    size: tuple[int, int] = (120, 36),
    *,
    notifications: bool = False,
) -> None:
    """Run `script(pilot, app)` against the app in a headless test run."""

    async def main() -> None:
        async with app.run_test(size=size, notifications=notifications) as pilot:
            # On the screen as a user first sees it, and what the app does then (the
            # freeze of its simulation) done.
            await launched(app)
            await pilot.pause()
            await script(pilot, app)

    try:
        asyncio.run(main())
    finally:
        # What the app froze (a long run's index, see `StptuiApp._warm_index`) must not
        # outlive its test: thawed, its garbage is collected.
        gc.unfreeze()


# What the app does in its own time (the clock's slices, a worker thread, a timer) a test
# waits for by its effect, never for a duration: on a loaded machine any duration can be too
# short, and so can any count of pauses. This bound turns a hang into a failure; it is no
# speed test (the slowest of these waits takes a few seconds with the machine's cores busy
# three times over).
HANG_S = 60.0


async def wait_until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """Let the app run until `done()` holds, however long that takes (up to HANG_S, a hang:
    an AssertionError saying `what` never came)."""
    deadline = time.monotonic() + HANG_S
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {HANG_S:g} s")
        await pilot.pause(0.02)


async def launched(app: StptuiApp) -> None:
    """Let the app run until its main screen has painted its first frame: it holds it until
    the launch has settled (`tui_app.MainScreen`), which Pilot's pause, finding the app
    idle between two of the launch's steps on a loaded machine, may not wait for."""
    main = app.screen_stack[0]
    assert isinstance(main, tui_app.MainScreen)
    # Slept, not paused: Pilot's pause updates the screen itself (a layout of its own).
    await slept_until(lambda: not main.paints_held, "the launch's first frame", 0.01)


async def slept_until(done: Callable[[], bool], what: str, step_s: float = 0.02) -> None:
    """Let the app run until `done()` holds (up to HANG_S, a hang: an AssertionError saying
    `what` never came), by sleeping `step_s` at a time, where Pilot's pause would not do:
    it first waits for every widget to handle what it has been sent, and lays the screen
    out itself."""
    deadline = time.monotonic() + HANG_S
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {HANG_S:g} s")
        await asyncio.sleep(step_s)


def layout_of(widget: Widget) -> tuple[object, ...]:
    """Where `widget` and everything in it are drawn: each one's region, scroll offset,
    virtual size and display, and which has the focus."""
    return (
        widget.screen.focused,
        *(
            (node, node.region, node.scroll_offset, node.virtual_size, node.display)
            for node in widget.walk_children(Widget, with_self=True)
        ),
    )


async def settled(pilot: Pilot[None], widget: Widget, what: str) -> None:
    """Let the app run until `widget` is laid out and stays as it is: a screen pushed is
    first laid out after a timer (Textual holds updates as screens switch), the focus
    moved is scrolled to after a refresh (an animation), and a dialog fits its text areas
    after each layout, which may lay it out again. `what` names the wait in the
    AssertionError of a layout that never settles (see HANG_S)."""
    await wait_until(pilot, lambda: bool(widget.region.area), f"{what}: laid out")
    deadline = time.monotonic() + HANG_S
    while True:
        # The app run until it idles, the screen updated, its animations ended.
        await pilot.pause()
        await pilot.wait_for_animation()
        before = layout_of(widget)
        # Then what was left for after that update (a scroll to the focus) handled, and the
        # screen updated again: it is settled if nothing moved.
        await pilot.pause(0)
        await pilot.wait_for_animation()
        if layout_of(widget) == before:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not laid out for good after {HANG_S:g} s")


# The character a terminal sends with a named key, as `Pilot.press` sends it (a key of one
# character sends it; another named key, none).
KEY_CHARACTERS = {"tab": "\t", "escape": "\x1b", "space": " ", "enter": "\r"}


def send_key(app: App[object], key: str) -> None:
    """Send the app `key` as the terminal's driver does (the event `Pilot.press` sends),
    without waiting for what it does. `Pilot.press` waits twice for the app to idle (in
    slices of 20 ms), then `pause` once more: over a dialog's tab round that waiting took
    longer than the app's own work (see `press_settled`)."""
    app.post_message(Key(key, key if len(key) == 1 else KEY_CHARACTERS.get(key)))


async def press_settled(pilot: Pilot[None], app: App[object], key: str, widget: Widget) -> None:
    """Press `key` and wait until `widget` is laid out for good (`settled`)."""
    send_key(app, key)
    await settled(pilot, widget, f"{key} pressed")


class Problems:
    """What a test of many cases finds wrong, each said with its case and the property
    that failed: the test goes on to the other cases, then fails with all of them
    (`assert_none`)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    @contextmanager
    def check(self, case: str, what: str) -> Iterator[None]:
        """Run the checks of the block, and note a failure of them as `case: what: why`
        (an exception other than an assertion's too, named by its type)."""
        try:
            yield
        except AssertionError as error:
            self.found.append(f"{case}: {what}: {error}")
        except Exception as error:  # a query that found nothing, a wait that timed out
            self.found.append(f"{case}: {what}: {type(error).__name__}: {error}")

    def assert_none(self) -> None:
        """Fail with every problem noted, one a line."""
        count = len(self.found)
        assert not self.found, f"{count} problem(s):\n" + "\n".join(self.found)


async def wait_for_hit(pilot: Pilot[None], app: StptuiApp, text: str) -> None:
    """Wait until the palette highlights a hit containing `text`: its search runs in the
    background, and a fixed wait was too short on a loaded machine."""

    def highlighted() -> bool:
        hits = app.screen.query(CommandList)
        option = hits.first().highlighted_option if hits else None
        return option is not None and text in str(option.prompt)

    await wait_until(pilot, highlighted, f"a palette hit with {text!r}")


async def rebuilt(pilot: Pilot[None], app: StptuiApp) -> None:
    """Wait for the undo, reload or load the app builds in a thread worker: its worker
    ends once the UI's thread has adopted (or refused) what it built."""
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- several checks on one launch ----------------------------------------------------------

Check = tuple[str, Script]


async def resized_to(pilot: Pilot[None], app: App[object], size: tuple[int, int]) -> None:
    """Make the terminal `size`, and wait until the app's screen is laid out for it."""
    await pilot.resize_terminal(*size)
    await wait_until(pilot, lambda: app.screen.size == size, f"the screen at {size}")
    await settled(pilot, app.screen, f"the screen at {size}")


async def closed_to_main(pilot: Pilot[None], app: App[object], what: str) -> None:
    """Press escape until the app's first screen is on top again (a dialog, the help, the
    command line closed as a user closes them)."""
    main = app.screen_stack[0]
    for _ in range(len(app.screen_stack) - 1):
        top = app.screen
        send_key(app, "escape")
        await wait_until(pilot, lambda top=top: app.screen is not top, f"{what}: closed by escape")
    assert app.screen is main, f"{what}: {app.screen!r} left on top"


def as_checks(scripts: list[Script], case: str = "") -> list[Check]:
    """Each script named by its function's words (`q_quits`: `q quits`), after `case`."""
    checks: list[Check] = []
    for script in scripts:
        function = script.func if isinstance(script, partial) else script
        name = function.__name__.replace("_", " ")  # type: ignore[attr-defined]
        checks.append((f"{case} {name}" if case else name, script))
    return checks


def checks_on_one_launch(
    app: StptuiApp,
    checks: list[Check],
    size: tuple[int, int] = (120, 36),
    *,
    notifications: bool = False,
) -> None:
    """Run `checks` (each a name and a script) one after another on one launch of `app` at
    `size`, then fail with every problem found, each named by its check (`Problems`).

    A launch is most of a short test's CPU. The first check sees the app as it opened. Each
    check must leave the main screen on top and the terminal at `size` (both checked, and
    put back for the next check when a check failed to); the focus is put back where it was
    at the start. What a check changes in the session (a message sent, the clock moved, the
    selection) stays: the checks that depend on it are ordered for it, or compare with what
    there was when they began. A check that quits the app is the last."""
    problems = Problems()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        main, focus = app.screen, app.focused
        for at, (name, check) in enumerate(checks):
            if not app.is_running:
                problems.found.append(f"{name}: not run, the app quit in {checks[at - 1][0]}")
                continue
            with problems.check(name, "its checks"):
                await check(pilot, app)
            if not app.is_running:
                continue
            with problems.check(name, "leaves the main screen on top"):
                assert app.screen is main, f"{app.screen!r} on top"
            if app.screen is not main:
                with problems.check(name, "its screens closed for the next check"):
                    while app.screen is not main:
                        app.pop_screen()
                    await wait_until(pilot, lambda: app.screen is main, "the main screen")
            with problems.check(name, f"leaves the terminal at {size}"):
                assert app.screen.size == size, app.screen.size
            if app.screen.size != size:
                await resized_to(pilot, app, size)
            if app.focused is not focus:
                app.set_focus(focus)
                await wait_until(pilot, lambda: app.focused is focus, "the focus put back")

    drive(app, script, size, notifications=notifications)
    problems.assert_none()


def key_event(character: str) -> Key:
    """The key event a terminal's driver sends for `character` (a line break: enter), named
    as `Pilot.press` names it (`/` is `slash`, a space `space`)."""
    if character == "\n":
        return Key("enter", "\r")
    if character.isalnum():
        return Key(character, character)
    name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    return Key(KEY_NAME_REPLACEMENTS.get(name, name), character)


def field_text(field: Widget) -> str:
    """What a one-line field or a text area holds."""
    if isinstance(field, TextArea):
        return field.text
    assert isinstance(field, Input), f"{field!r} is no field to type in"
    return field.value


async def typed(pilot: Pilot[None], field: Widget, text: str) -> None:
    """Type `text` in `field` once it has the focus, each key the event a terminal's driver
    sends (a line break as enter), all at once; wait until the field holds it (where its
    cursor was), then until the app idles (what reacts to the field's change has run).

    Pilot.press waits for the app to idle twice after each key, and the app redraws the
    screen after each: some 40 ms of CPU a key. Only characters: a key bound to an action
    (backspace, tab) acts after the characters sent with it, so a test sends such a key on
    its own and waits for its effect first."""
    app = field.app
    await wait_until(pilot, lambda: app.focused is field, f"{field!r} focused to type {text!r}")
    before = field_text(field)
    for character in text:
        app.post_message(key_event(character))
    # A field that held the text already (typed over its selection) tells nothing by its
    # value: the idle wait after is what lets the keys land.
    await wait_until(
        pilot,
        lambda: text in field_text(field) and (text in before or field_text(field) != before),
        f"{text!r} typed in {field!r}",
    )
    await pilot.pause()


async def no_filter(pilot: Pilot[None], app: StptuiApp) -> None:
    """Close what is open over the main screen, and clear the Events pane's filter as a
    user does (`/`, ctrl+u, enter): what a check that filters leaves for the next."""
    await closed_to_main(pilot, app, "before clearing the filter")
    await pilot.press("slash", "ctrl+u", "enter")
    await wait_until(pilot, lambda: not app.query_one(RecordList).words, "the filter cleared")
