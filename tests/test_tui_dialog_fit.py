"""Every dialog the app opens fits a 120x36 terminal whole: its content does not scroll,
and no field is pushed out of its row or column (out of sight beside the HTTP response, as
the gateway picker once was). Each dialog is opened by its key, on the stack of the
examples where it is tallest (the most rules, routes or fields)."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widget import Widget
from tui_support import EXAMPLES, SAMPLES, START, drive

from stptui.commands import Session, execute
from stptui.tui.app import DIALOGS, StptuiApp
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.answer_dialog import AnswerTaskDialog
from stptui.tui.screens.dialogs import (
    FireDialog,
    HttpDialog,
    PublishDialog,
    PutRecordDialog,
    SendDialog,
    UploadDialog,
)
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.screens.fast_forward import FastForwardScreen
from stptui.tui.screens.item_dialog import ItemDialog
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.screens.produce_dialog import ProduceDialog
from stptui.tui.screens.replay_dialog import ReplayDialog
from stptui.tui.screens.restore_dialog import RestoreDialog
from stptui.tui.screens.websocket_dialog import WebSocketDialog

SIZE = (120, 36)
COMBINED = SAMPLES / "combined" / "stacktape.yml"
# The dialog each key opens.
OPENS: dict[str, type] = {
    "s": SendDialog,
    "k": PutRecordDialog,
    "m": ProduceDialog,
    "i": ItemDialog,
    "t": StartExecutionDialog,
    "a": AnswerTaskDialog,
    "p": PublishDialog,
    "u": UploadDialog,
    "h": HttpDialog,
    "w": WebSocketDialog,
    "x": FireDialog,
    "l": LogLineDialog,
    "o": RestoreDialog,
    "y": ReplayDialog,
    "c": AlarmStateDialog,
    "f": FastForwardScreen,
}
# (key, stack, lines run before the key): the stack each dialog is tallest on.
CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("s", "combined", ()),
    ("k", "clickstream", ()),
    ("m", "kafka-orders", ()),
    ("i", "cart-audit", ()),
    ("t", "workflow-callback", ()),
    (
        "a",
        "workflow-callback",
        ('start-execution orderApproval \'{"orderId": "o-1", "amount": 120}\'', "advance 5s"),
    ),
    ("p", "combined", ()),
    ("u", "lifecycle", ()),
    ("u", "restore", ()),
    ("h", "load-balancer-rules", ()),
    ("h", "http-auth", ()),
    ("h", "user-pool", ()),
    ("w", "chat", ()),
    ("x", "combined", ()),
    ("l", "log-alerts", ()),
    ("o", "restore", ("upload archive reports/2025.csv --size 200KB", "advance 1d")),
    ("y", "replay", ()),
    ("c", "alarms", ()),
    ("f", "combined", ()),
]


def open_stack(name: str, lines: tuple[str, ...]) -> StptuiApp:
    """The app on a sample stack (`combined`) or docs/examples/NAME.yml with its
    behaviours, after running `lines`."""
    if name == "combined":
        session = Session.open(COMBINED, start_ms=START)
    else:
        behaviors = EXAMPLES / f"{name}-behaviors.yml"
        session = Session.open(
            EXAMPLES / f"{name}.yml",
            behaviors_path=behaviors if behaviors.exists() else None,
            start_ms=START,
        )
    for line in lines:
        execute(session, line)
    return StptuiApp(session)


def outside(widget: Widget) -> bool:
    """Whether a shown widget reaches past its container's right edge (a row too narrow
    for its fields pushes the last ones out of sight)."""
    parent = widget.parent
    if not isinstance(parent, Widget) or not widget.display or not widget.region.width:
        return False
    return widget.region.right > parent.region.right


@pytest.mark.parametrize(("key", "stack", "lines"), CASES, ids=[f"{k}-{s}" for k, s, _ in CASES])
def test_the_dialog_fits_120x36_without_scrolling(
    key: str, stack: str, lines: tuple[str, ...]
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press(key)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OPENS[key]), f"{key} opened {dialog!r} on {stack}"
        box = dialog.query_one(".dialog-box", Widget)
        content = box.scrollable_content_region.height
        assert box.virtual_size.height <= content, (
            f"{type(dialog).__name__} on {stack}: {box.virtual_size.height} rows of content "
            f"in {content}"
        )
        pushed = [w for w in box.walk_children(Widget) if outside(w)]
        assert not pushed, pushed

    drive(open_stack(stack, lines), script, size=SIZE)


def test_every_dialog_of_the_app_is_checked() -> None:
    """A dialog added to the app (its DIALOGS) needs a key in OPENS and a case above."""
    assert set(OPENS.values()) == set(DIALOGS)
    assert {key for key, _, _ in CASES} == set(OPENS)
