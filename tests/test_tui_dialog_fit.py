"""Every dialog the app opens fits a 120x36 terminal whole: its content does not scroll,
and no field is pushed out of its row or column (out of sight beside the HTTP response, as
the gateway picker once was). Each dialog is opened by its key, on the stack of the
examples where it is tallest (the most rules, routes or fields)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea
from tui_support import EXAMPLES, SAMPLES, START, drawn_text, drive

from stptui.commands import Session, execute
from stptui.commands.handlers.repeat import REPEATABLE
from stptui.tui.app import DIALOGS, StptuiApp
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.answer_dialog import AnswerTaskDialog
from stptui.tui.screens.dialogs import (
    REPEAT_PLACEHOLDER,
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


def fits(dialog: Widget) -> bool:
    """Whether a dialog's content is all in its box, nothing to scroll."""
    box = dialog.query_one(".dialog-box", Widget)
    return box.virtual_size.height <= box.scrollable_content_region.height


# The shape of a real starter project (a posts API): five function routes on one HTTP API,
# three of them behind a Cognito authorizer. The routes hint takes five lines and the JWT
# claims' note two: the dialog was three rows taller than 120x36 gives it, its Send button
# below the fold.
POSTS_API = """\
resources:
  api: {type: http-api-gateway}
  writers: {type: user-auth-pool}
"""
for _name, _method, _path, _auth in (
    ("getPost", "GET", "/post/{id}", False),
    ("getPosts", "GET", "/post", False),
    ("createPost", "POST", "/post", True),
    ("updatePost", "PUT", "/post/{id}", True),
    ("deletePost", "DELETE", "/post/{id}", True),
):
    POSTS_API += f"""\
  {_name}:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: a.ts}}}}
      events:
        - type: http-api-gateway
          properties:
            httpApiGatewayName: api
            path: {_path}
            method: {_method}
"""
    if _auth:
        POSTS_API += (
            "            authorizer: {type: cognito, properties: {userPoolName: writers}}\n"
        )


def test_the_http_dialog_of_a_posts_api_with_cognito_fits_120x36(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(POSTS_API, encoding="utf-8")
    session = Session.open(tmp_path, start_ms=START)
    assert not session.stack.errors, session.stack.errors

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        assert "… and 1 more" in drawn_text(dialog.query_one("#http-routes", Static))
        assert fits(dialog)
        # The rows came from the body and the headers, which keep a line of text each.
        body, headers = (dialog.query_one(f"#http-{n}", TextArea) for n in ("body", "headers"))
        assert body.size.height >= 1 and headers.size.height >= 1
        assert body.outer_size.height + headers.outer_size.height < 10

    drive(StptuiApp(session), script, size=SIZE)


def test_a_dialog_that_fits_once_its_body_is_shorter_does_and_gets_its_rows_back() -> None:
    """At 80x24 the send dialog's 8-line body gives up the four rows that made the
    dialog scroll; made 120x36, the body has its ten rows again."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("s")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        body = dialog.query_one("#send-body", TextArea)
        assert fits(dialog)
        assert body.outer_size.height == 6
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        await pilot.pause()
        assert body.outer_size.height == 10
        assert fits(dialog)

    drive(open_stack("combined", ()), script, size=(80, 24))


def test_a_dialog_too_tall_even_so_keeps_its_text_areas_and_scrolls() -> None:
    """The upload dialog of a bucket with lifecycle rules needs 35 rows: at 80x24 a content
    field of one line would not save it, so it keeps its rows and the dialog scrolls."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("u")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, UploadDialog)
        assert not fits(dialog)
        assert dialog.query_one("#upload-content", TextArea).outer_size.height == 5

    drive(open_stack("lifecycle", ()), script, size=(80, 24))


def has_repeat_field(dialog: type) -> bool:
    """Whether `repeat` runs a command of the dialog, which then has a repeat field."""
    commands = (getattr(dialog, "COMMAND", ""), *getattr(dialog, "COMMANDS", ()))
    return any(command in REPEATABLE for command in commands)


REPEATING = [case for case in CASES if has_repeat_field(OPENS[case[0]])]


@pytest.mark.parametrize(
    ("key", "stack", "lines"), REPEATING, ids=[f"{k}-{s}" for k, s, _ in REPEATING]
)
def test_the_repeat_fields_placeholder_is_whole_at_60_columns(
    key: str, stack: str, lines: tuple[str, ...]
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press(key)
        await pilot.pause()
        (field,) = app.screen.query(".dialog-repeat").results(Input)
        assert field.placeholder == REPEAT_PLACEHOLDER
        assert field.content_region.width > cell_len(REPEAT_PLACEHOLDER)

    drive(open_stack(stack, lines), script, size=(60, 20))


# The dialogs that fit 80x24 whole on their tallest stack (with their text areas at one
# line at the least). The others still scroll there, for want of rows no field can give:
# the HTTP dialog (34-35 rows: request line, routes, body, headers, query, JWT claims and
# the response under them), upload (28-31: a bucket's notifications and rules), produce
# (29), answer-task (25), WebSocket (23), restore (25), replay (24) and alarm state (24).
FIT_80X24 = [case for case in CASES if case[0] in {"s", "k", "i", "t", "p", "x", "l", "f"}]


@pytest.mark.parametrize(
    ("key", "stack", "lines"), FIT_80X24, ids=[f"{k}-{s}" for k, s, _ in FIT_80X24]
)
def test_the_dialog_fits_80x24_without_scrolling(
    key: str, stack: str, lines: tuple[str, ...]
) -> None:
    """The put-record, item and publish dialogs put their optional fields beside others
    (they scrolled by 4 to 8 rows here): every field stays on screen, none out of its row."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press(key)
        await pilot.pause()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OPENS[key])
        assert fits(dialog), type(dialog).__name__
        box = dialog.query_one(".dialog-box", Widget)
        pushed = [w for w in box.walk_children(Widget) if outside(w)]
        assert not pushed, pushed
        # Each field whole on screen (a label that wrapped in its column would push its
        # field a row below the others of the row, or past the bottom).
        for field in dialog.query("Input, TextArea, Select").results(Widget):
            if field.display and field.parent is not None and field.parent.display:
                assert box.scrollable_content_region.contains_region(field.region), field

    drive(open_stack(stack, lines), script, size=(80, 24))


@pytest.mark.parametrize(
    ("key", "row"),
    [
        ("p", ("#publish-source", "#publish-detail-type", "#publish-resources")),
        ("k", ("#put-key", "#put-format-select", "#put-hash-key")),
        ("i", ("#item-condition", "#item-names", "#item-values")),
        ("u", ("#upload-key", "#upload-size", "#upload-op-select")),
    ],
)
def test_the_optional_fields_share_a_row_at_80_columns(key: str, row: tuple[str, ...]) -> None:
    stack = {"p": "combined", "k": "clickstream", "i": "cart-audit", "u": "lifecycle"}[key]

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press(key)
        await pilot.pause()
        fields = [app.screen.query_one(selector, Widget) for selector in row]
        assert len({field.region.y for field in fields}) == 1, [f.region for f in fields]
        for left, right in pairwise(fields):
            assert left.region.right <= right.region.x

    drive(open_stack(stack, ()), script, size=(80, 24))
