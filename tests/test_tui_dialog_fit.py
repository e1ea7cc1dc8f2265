"""Every dialog the app opens fits a default 80x24 terminal, and 120x36, whole: its content
does not scroll, no field is pushed out of its row or column (out of sight beside the HTTP
response, as the gateway picker once was), and tab reaches every field, each in sight when
it has the focus (a folded section's once opened). Each dialog is opened by its key, on
the stack of the examples where it is tallest (the most rules, routes or fields)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea
from textual.widgets.collapsible import CollapsibleTitle
from tui_support import EXAMPLES, SAMPLES, START, drawn_text, drive

from stptui.commands import Session, execute
from stptui.commands.handlers.repeat import REPEATABLE
from stptui.tui.app import DIALOGS, StptuiApp
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.answer_dialog import AnswerTaskDialog
from stptui.tui.screens.dialogs import (
    MORE_KEY,
    REPEAT_PLACEHOLDER,
    FireDialog,
    HttpDialog,
    MoreFields,
    PublishDialog,
    PutRecordDialog,
    SendDialog,
    UploadDialog,
    shown_in,
)
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.screens.fast_forward import FastForwardScreen
from stptui.tui.screens.invoke_dialog import InvokeDialog
from stptui.tui.screens.item_dialog import ItemDialog
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.screens.override_dialog import OverrideDialog
from stptui.tui.screens.produce_dialog import ProduceDialog
from stptui.tui.screens.replay_dialog import ReplayDialog
from stptui.tui.screens.restore_dialog import RestoreDialog
from stptui.tui.screens.sns_dialog import SnsDialog
from stptui.tui.screens.websocket_dialog import WebSocketDialog

SIZE = (120, 36)
COMBINED = SAMPLES / "combined" / "stacktape.yml"
# The dialog each key opens.
OPENS: dict[str, type] = {
    "s": SendDialog,
    "v": InvokeDialog,
    "k": PutRecordDialog,
    "m": ProduceDialog,
    "i": ItemDialog,
    "t": StartExecutionDialog,
    "a": AnswerTaskDialog,
    "p": PublishDialog,
    "P": SnsDialog,
    "u": UploadDialog,
    "h": HttpDialog,
    "w": WebSocketDialog,
    "x": FireDialog,
    "l": LogLineDialog,
    "o": RestoreDialog,
    "y": ReplayDialog,
    "c": AlarmStateDialog,
    "b": OverrideDialog,
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
    ("P", "sns-filtered", ()),
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
    ("b", "container-shop", ()),
    ("f", "combined", ()),
    ("v", "combined", ()),
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
        # The body keeps its rows: the headers, query and claims are folded.
        assert dialog.query_one("#http-body", TextArea).outer_size.height == 5
        assert dialog.query_one("#http-more", MoreFields).collapsed

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
    """The HTTP dialog of a load balancer's five rules with its headers, query and claims
    opened needs 30 rows: at 80x24 text areas of one line would not save it, so they keep
    their rows and the dialog scrolls. Closed again, it fits, the body down to the rows
    it can spare."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        body = dialog.query_one("#http-body", TextArea)
        assert fits(dialog) and body.outer_size.height == 3
        await pilot.press(MORE_KEY)
        await pilot.pause()
        await pilot.pause()
        assert not fits(dialog)
        assert body.outer_size.height == 5
        assert dialog.query_one("#http-headers", TextArea).outer_size.height == 5
        await pilot.press(MORE_KEY)
        await pilot.pause()
        await pilot.pause()
        assert fits(dialog) and body.outer_size.height == 3

    drive(open_stack("load-balancer-rules", ()), script, size=(80, 24))


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


# Besides each dialog's tallest stack, the modes that show other fields: the item dialog
# updating (its expression beside the key) and the WebSocket dialog on an open connection
# (its action and message).
MODES: list[tuple[str, str, tuple[str, ...], dict[str, str]]] = [
    *((key, stack, lines, {}) for key, stack, lines in CASES),
    ("i", "cart-audit", (), {"#item-op-select": "update"}),
    ("i", "cart-audit", (), {"#item-op-select": "delete"}),
    ("w", "chat", ("ws-connect realtime --query token=t-1",), {}),
    # A batch job picked: no invocation type.
    ("v", "combined", (), {"#invoke-target": "heavyJob"}),
    # A FIFO topic's group and deduplication ids share the topic's row.
    ("P", "fifo", (), {}),
    ("w", "chat", ("ws-connect realtime --query token=t-1",), {"#ws-action": "post"}),
    (
        "a",
        "workflow-callback",
        ('start-execution orderApproval \'{"orderId": "o-1", "amount": 120}\'', "advance 5s"),
        {"#answer-kind": "send-task-failure"},
    ),
]
MODE_IDS = [f"{k}-{s}" + "".join(f"-{v}" for v in m.values()) for k, s, _, m in MODES]


async def open_dialog(
    pilot: Pilot[None], app: StptuiApp, key: str, picks: dict[str, str]
) -> Widget:
    """Press `key`, pick the values `picks` gives its pickers, and wait for the layout."""
    await pilot.press(key)
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, OPENS[key]), dialog
    for selector, value in picks.items():
        # As picked by hand: the picker keeps the focus (the field it had may be hidden).
        picker = dialog.query_one(selector, Select)
        picker.value = value
        picker.focus()
    await pilot.pause()
    await pilot.pause()
    return dialog


def assert_whole(dialog: Widget) -> None:
    """Every field of the dialog shown whole in its box, none out of its row."""
    box = dialog.query_one(".dialog-box", Widget)
    pushed = [w for w in box.walk_children(Widget) if outside(w)]
    assert not pushed, pushed
    # Each field whole on screen (a label that wrapped in its column would push its field
    # a row below the others of the row, or past the bottom).
    for field in dialog.query("Input, TextArea, Select, Checkbox").results(Widget):
        if shown_in(field, box):
            assert box.scrollable_content_region.contains_region(field.region), field


@pytest.mark.parametrize("size", [(80, 24), SIZE], ids=["80x24", "120x36"])
@pytest.mark.parametrize(("key", "stack", "lines", "picks"), MODES, ids=MODE_IDS)
def test_the_dialog_fits_without_scrolling(
    key: str,
    stack: str,
    lines: tuple[str, ...],
    picks: dict[str, str],
    size: tuple[int, int],
) -> None:
    """Every dialog of the app, in each of its modes, on the stack where it is tallest:
    at 80x24 the HTTP dialog scrolled by 15 rows, upload by 11, produce by 9, answer-task
    and restore by 5, replay, alarm state and the item dialog updating by 4, WebSocket by
    3. Optional fields share rows, and some are folded under a line that counts them."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, key, picks)
        assert fits(dialog), type(dialog).__name__
        assert_whole(dialog)

    drive(open_stack(stack, lines), script, size=size)


# More stops than any dialog has: a cycle longer than this is a tab that never returns.
MAX_TAB_STOPS = 40


async def tab_round(pilot: Pilot[None], dialog: Widget) -> list[Widget]:
    """Tab from the focused field round to it again: each stop, checked to be in sight
    in the dialog's box when it has the focus."""
    box = dialog.query_one(".dialog-box", Widget)
    first = dialog.focused
    assert first is not None
    stops = [first]
    for _ in range(MAX_TAB_STOPS):
        await pilot.press("tab")
        await pilot.pause()
        focused = dialog.focused
        assert focused is not None
        assert box.scrollable_content_region.contains_region(focused.region), focused
        if focused is first:
            return stops
        stops.append(focused)
    raise AssertionError(f"tab never came back to {first!r}")


@pytest.mark.parametrize(("key", "stack", "lines", "picks"), MODES, ids=MODE_IDS)
def test_every_field_is_reached_by_tab_and_in_sight_when_it_has_the_focus(
    key: str, stack: str, lines: tuple[str, ...], picks: dict[str, str]
) -> None:
    """At 80x24, tab reaches every field the mode shows, and each is in sight when it has
    the focus; a folded section's fields too, once MORE_KEY opens it (the focus goes to
    its first field), the dialog scrolling to each then if it must."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, key, picks)
        box = dialog.query_one(".dialog-box", Widget)
        fields = [
            w
            for w in dialog.query("Input, TextArea, Select, Checkbox, Button").results(Widget)
            if shown_in(w, box)
        ]
        assert fields
        stops = await tab_round(pilot, dialog)
        assert set(fields) <= set(stops), set(fields) - set(stops)
        sections = [s for s in dialog.query(MoreFields) if shown_in(s, box)]
        if not sections:
            return
        (section,) = sections
        hidden = [w for w in section.query("Input, TextArea, Checkbox").results(Widget)]
        assert hidden and not any(w in stops for w in hidden)
        await pilot.press(MORE_KEY)
        await pilot.pause()
        await pilot.pause()
        assert not section.collapsed
        assert dialog.focused is hidden[0]
        assert set(hidden) <= set(await tab_round(pilot, dialog))

    drive(open_stack(stack, lines), script, size=(80, 24))


def test_a_folded_section_counts_what_it_holds() -> None:
    """The HTTP dialog's folded line says how many headers, query pairs and claims the
    request has, so that nothing in it is sent unseen."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, "h", {})
        section = dialog.query_one("#http-more", MoreFields)
        title = section.query_one(CollapsibleTitle)
        assert "headers: none, query: none, JWT: none" in str(title.render())
        dialog.query_one("#http-headers", TextArea).text = "x-a: 1\n\nx-b: 2\n"
        dialog.query_one("#http-query", Input).value = "page=2&sort=asc"
        dialog.query_one("#http-jwt", Input).value = "sub=u1"
        await pilot.pause()
        drawn = str(title.render())
        assert "headers: 2, query: 2, JWT: 1 (ctrl+t opens)" in drawn, drawn
        # Sent as the line says, folded or not.
        line = dialog.command_line()
        assert "--header 'x-a: 1' --header 'x-b: 2'" in line and "--jwt sub=u1" in line

    drive(open_stack("user-pool", ()), script, size=(80, 24))


def test_the_item_dialog_updating_fits_80x24_with_its_expression_beside_the_key() -> None:
    """Picking `update` showed the expression on a row of its own, and the dialog, its key
    field already at one line, scrolled by 4 rows; it has a row of its own no more."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, "i", {"#item-op-select": "update"})
        key, update = (dialog.query_one(f"#item-{n}", Widget) for n in ("json", "update"))
        assert key.region.y == update.region.y and key.region.right < update.region.x
        assert fits(dialog)
        dialog.query_one("#item-op-select", Select).value = "put"
        await pilot.pause()
        await pilot.pause()
        assert not update.display or not shown_in(update, dialog.query_one(".dialog-box"))
        assert fits(dialog)

    drive(open_stack("cart-audit", ()), script, size=(80, 24))


RESTORE_LINES = ("upload archive reports/2025.csv --size 200KB", "advance 1d")
ANSWER_LINES = CASES[5][2]


@pytest.mark.parametrize(
    ("key", "stack", "lines", "row"),
    [
        ("p", "combined", (), ("#publish-source", "#publish-detail-type", "#publish-resources")),
        ("v", "combined", (), ("#invoke-target", "#invoke-type")),
        ("P", "fifo", (), ("#sns-topic", "#sns-subject", "#sns-group", "#sns-dedup")),
        ("P", "sns-filtered", (), ("#sns-message", "#sns-attrs")),
        ("k", "clickstream", (), ("#put-key", "#put-format-select", "#put-hash-key")),
        ("i", "cart-audit", (), ("#item-condition", "#item-names", "#item-values")),
        ("u", "lifecycle", (), ("#upload-key", "#upload-size", "#upload-op-select")),
        ("u", "lifecycle", (), ("#upload-bucket", "#upload-tags")),
        ("m", "kafka-orders", (), ("#produce-topic", "#produce-key", "#produce-partition")),
        ("o", "restore", RESTORE_LINES, ("#restore-bucket", "#restore-tier", "#restore-days")),
        ("o", "restore", RESTORE_LINES, ("#restore-key", "#restore-version")),
        ("y", "replay", (), ("#replay-bus", "#replay-name")),
        ("c", "alarms", (), ("#alarm-state", "#alarm-reason")),
        ("a", "workflow-callback", ANSWER_LINES, ("#answer-task", "#answer-kind")),
        ("w", "chat", ("ws-connect realtime --query token=t-1",), ("#ws-action", "#ws-message")),
    ],
)
def test_the_optional_fields_share_a_row_at_80_columns(
    key: str, stack: str, lines: tuple[str, ...], row: tuple[str, ...]
) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press(key)
        await pilot.pause()
        fields = [app.screen.query_one(selector, Widget) for selector in row]
        assert len({field.region.y for field in fields}) == 1, [f.region for f in fields]
        for left, right in pairwise(fields):
            assert left.region.right <= right.region.x

    drive(open_stack(stack, lines), script, size=(80, 24))
