"""The terminal UI on a few real-world Stacktape configs (../shared/reference/real-stacks),
chosen for variety: the largest (an HTTP API with a Cognito authorizer and a database), a
state machine, a Kafka consumer, one with config errors and one where nothing is
simulated. Each opens at 120x36 or 80x24; every pane is shown and paged through, every
dialog the stack has a use for opens (whole at 120x36) and is cancelled, the help opens
and closes, and the Inspector shows each node; nothing raises.

The folder is test data outside this repository; a user's clone has no ../shared, so these
tests skip there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from test_tui_dialog_fit import OPENS, fits
from textual.pilot import Pilot
from textual.widget import Widget
from tui_support import START, drawn_text, drive, inspector

from stptui.commands import Session
from stptui.tui.app import PANES, StptuiApp
from stptui.tui.screens.help import HelpScreen

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"
GITHUB = "github/stacktape__stacktape__"
# (file under REAL, terminal size).
WALKS = [
    (f"{GITHUB}starter-projects__typescript-lambda-api-postgres-prisma-auth__stacktape.yml", 120),
    (f"{GITHUB}starter-projects__typescript-lambda-api-postgres-prisma-auth__stacktape.yml", 80),
    (f"{GITHUB}starter-projects__multi-step-workflow__stacktape.yml", 80),
    (f"{GITHUB}starter-projects__kafka-stream-processing__stacktape.yml", 120),
    (f"{GITHUB}examples__typescript-lambda-api__stacktape.yml", 80),
    (f"{GITHUB}examples__typescript-MERN-stack-container__stacktape.yml", 120),
]
SIZES = {120: (120, 36), 80: (80, 24)}
# The action each dialog key runs (what `check_action` is asked about).
ACTIONS = {
    "s": "send",
    "v": "invoke",
    "k": "put_record",
    "m": "produce",
    "i": "item",
    "t": "start_execution",
    "a": "answer_task",
    "p": "publish",
    "P": "publish_sns",
    "u": "upload",
    "h": "http",
    "w": "websocket",
    "x": "fire",
    "l": "log",
    "o": "restore",
    "y": "replay",
    "c": "set_alarm_state",
    "b": "override",
    "f": "fast_forward",
}

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")


def test_every_dialog_key_is_walked() -> None:
    assert set(ACTIONS) == set(OPENS)


@pytest.mark.parametrize(
    ("name", "width"), WALKS, ids=[f"{n.split('__')[-2]}-{w}" for n, w in WALKS]
)
def test_a_real_stack_walked_through_the_ui(name: str, width: int) -> None:
    session = Session.open(REAL / name, start_ms=START)
    size = SIZES[width]

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        main = app.screen
        for key, (pane_id, _, title) in PANES.items():
            await pilot.press(key)
            pane = app.query_one(f"#{pane_id}", Widget)
            if key == "2" and not app.session.sim.queues:
                # Left out (beside the others, the Events pane taking its room; narrow,
                # from the strip); the key says why.
                assert not pane.region and "-no-queues" in main.classes
                continue
            assert pane.region.height, f"{title} is not shown at {size}"
            leaves = pane.walk_children(Widget, with_self=True)
            shown = [drawn_text(w) for w in leaves if w.display and not w.children]
            # An empty pane says why (`this stack has no queues`, `nothing is scheduled`).
            assert "".join(shown).strip(), f"{title} is blank"
            await pilot.press("down", "pagedown", "end", "pageup", "home")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("end", "escape")
        opened = []
        for key, dialog in OPENS.items():
            if not app.check_action(ACTIONS[key], ()):
                continue
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, dialog), f"{key} opened {app.screen!r}"
            if size == (120, 36) and app.screen.query(".dialog-box"):
                assert fits(app.screen), f"{dialog.__name__} scrolls at 120x36"
            opened.append(key)
            await pilot.press("escape")
            assert app.screen is main, f"escape left {app.screen!r} open"
        assert "f" in opened  # fast-forward is for every stack
        for node in list(app.graph.nodes):
            app.selected = node
            await pilot.pause()
            label = str(app.graph.nodes[node].get("label", node))
            assert inspector(app).startswith(label), (node, inspector(app)[:80])

    drive(StptuiApp(session), script, size=size)
