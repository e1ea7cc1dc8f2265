"""Every dialog the app opens fits a default 80x24 terminal, and 120x36, whole: its content
does not scroll, no field is pushed out of its row or column (out of sight beside the HTTP
response, as the gateway picker once was), and tab reaches every field, each in sight when
it has the focus (a folded section's once opened). Each dialog is opened by its key, on
the stack of the examples where it is tallest (the most rules, routes or fields)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea
from textual.widgets.collapsible import CollapsibleTitle
from tui_support import (
    EXAMPLES,
    SAMPLES,
    START,
    Problems,
    drawn_text,
    drive,
    press_settled,
    resized_to,
    send_key,
    settled,
    wait_until,
)

from stptui.commands import Session, execute
from stptui.commands.handlers.repeat import REPEATABLE
from stptui.tui.app import DIALOGS, StptuiApp
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.answer_dialog import AnswerTaskDialog
from stptui.tui.screens.dialogs import (
    MORE_KEY,
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
# The stacks of the modes, each with the lines run on it first: one app for each, on which
# the dialogs of its modes are opened one after another. A dialog's state is new each time
# it opens (the app makes it anew), and each closes having run nothing (see `on_one_app`):
# the app is as it was for the next. Cases on different stacks, or on one stack after other
# lines, never share an app.
STACKS: list[tuple[str, tuple[str, ...]]] = list(dict.fromkeys((s, ls) for _, s, ls, _ in MODES))
# A stack's id: its name, then the command of each line run first (`restore+upload+advance`).
STACK_IDS = ["+".join((stack, *(line.split()[0] for line in lines))) for stack, lines in STACKS]


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


RESTORE_LINES = ("upload archive reports/2025.csv --size 200KB", "advance 1d")
ANSWER_LINES = CASES[5][2]
WS_LINES = ("ws-connect realtime --query token=t-1",)
# (key, stack, lines, fields): fields of a dialog that share one row at 80x24, left to right.
ROWS: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
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
    ("w", "chat", WS_LINES, ("#ws-action", "#ws-message")),
]


def has_repeat_field(dialog: type) -> bool:
    """Whether `repeat` runs a command of the dialog, which then has a repeat field."""
    commands = (getattr(dialog, "COMMAND", ""), *getattr(dialog, "COMMANDS", ()))
    return any(command in REPEATABLE for command in commands)


def test_every_dialog_of_the_app_is_checked() -> None:
    """A dialog added to the app (its DIALOGS) needs a key in OPENS and a case above; each
    row checked (ROWS) is of a mode checked, as it opens, nothing picked."""
    assert set(OPENS.values()) == set(DIALOGS)
    assert {key for key, _, _ in CASES} == set(OPENS)
    unpicked = {(key, stack, lines) for key, stack, lines, picks in MODES if not picks}
    assert {(key, stack, lines) for key, stack, lines, _ in ROWS} <= unpicked


def fits(dialog: Widget) -> bool:
    """Whether a dialog's content is all in its box, nothing to scroll."""
    box = dialog.query_one(".dialog-box", Widget)
    return box.virtual_size.height <= box.scrollable_content_region.height


def assert_fits(dialog: Widget) -> None:
    """The dialog's content is all in its box (see `fits`), or says by how many rows not."""
    box = dialog.query_one(".dialog-box", Widget)
    rows, shown = box.virtual_size.height, box.scrollable_content_region.height
    assert fits(dialog), f"{rows} rows of content in a box that shows {shown}"


def box_of(dialog: Widget) -> Widget:
    """The dialog's box (the frame its fields scroll in)."""
    return dialog.query_one(".dialog-box", Widget)


async def laid_out(pilot: Pilot[None], dialog: Widget) -> None:
    """Wait until the dialog is laid out for good (see `settled`)."""
    await settled(pilot, box_of(dialog), f"the {type(dialog).__name__}")


@dataclass
class Case:
    """A dialog (its key, with picks) on a stack (after lines) at a size: what a failure
    names."""

    key: str
    stack: str
    lines: tuple[str, ...]
    picks: dict[str, str]
    size: tuple[int, int]

    def __str__(self) -> str:
        after = f" after {list(self.lines)}" if self.lines else ""
        picked = "".join(f" with {selector} = {value}" for selector, value in self.picks.items())
        width, height = self.size
        dialog = OPENS[self.key].__name__
        return f"{dialog} ({self.key}) on {self.stack}{after}{picked} at {width}x{height}"


DialogCheck = Callable[[Pilot[None], Widget, Case, Problems], Awaitable[None]]


async def open_dialog(
    pilot: Pilot[None], app: StptuiApp, key: str, picks: dict[str, str]
) -> Widget:
    """Press `key`, pick the values `picks` gives its pickers, and wait for the layout."""
    main = app.screen
    send_key(app, key)
    await wait_until(pilot, lambda: app.screen is not main, f"a screen opened by {key!r}")
    dialog = app.screen
    assert isinstance(dialog, OPENS[key]), f"{key!r} opened {dialog!r}"
    await wait_until(pilot, lambda: bool(dialog.query(".dialog-box")), f"the {dialog!r} composed")
    await laid_out(pilot, dialog)
    if picks:
        for selector, value in picks.items():
            # As picked by hand: the picker keeps the focus (the field it had may be hidden).
            picker = dialog.query_one(selector, Select)
            picker.value = value
            picker.focus()
        await laid_out(pilot, dialog)
    return dialog


async def close_dialog(pilot: Pilot[None], app: StptuiApp, main: Screen[object]) -> None:
    """Close the dialog on top with escape, and wait until it is gone: nothing run, the
    session's log and trace as they were."""
    dialog = app.screen
    log, seq = list(app.session.log), app.session.sim.trace.seq
    send_key(app, "escape")
    await wait_until(
        pilot,
        lambda: app.screen is main and dialog not in app.screen_stack and not dialog.is_running,
        f"{dialog!r} closed by escape",
    )
    assert app.session.log == log, app.session.log
    assert app.session.sim.trace.seq == seq, "the trace grew"


def each_dialog(
    stack: str, lines: tuple[str, ...], sizes: list[tuple[int, int]], check: DialogCheck
) -> None:
    """On one app of `stack` (after `lines`), at each of `sizes` in turn, open the dialog of
    each mode of the stack (MODES) and run `check` on it (see `on_one_app`)."""
    modes = [(key, picks) for key, s, ls, picks in MODES if (s, ls) == (stack, lines)]
    on_one_app(stack, lines, sizes, modes, check)


def on_one_app(
    stack: str,
    lines: tuple[str, ...],
    sizes: list[tuple[int, int]],
    modes: list[tuple[str, dict[str, str]]],
    check: DialogCheck,
) -> None:
    """On one app of `stack` (after `lines`), at each of `sizes` in turn (the terminal
    resized with no dialog open), open the dialog of each mode (its key, its picks), run
    `check` on it, and close it with escape. What is wrong is noted with its case, and the
    test fails at the end with all of it."""
    problems = Problems()

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        main = app.screen
        for size in sizes:
            if app.screen.size != size:
                await resized_to(pilot, app, size)
            for key, picks in modes:
                case = Case(key, stack, lines, picks, size)
                opened: list[Widget] = []
                with problems.check(str(case), "opens by its key"):
                    opened.append(await open_dialog(pilot, app, key, picks))
                for dialog in opened:
                    with problems.check(str(case), "checked"):
                        await check(pilot, dialog, case, problems)
                with problems.check(str(case), "closes on escape, having run nothing"):
                    if app.screen is not main:
                        await close_dialog(pilot, app, main)
                if app.screen is not main:
                    problems.found.append(f"{case}: left open, the cases after it unchecked")
                    problems.assert_none()

    drive(open_stack(stack, lines), script, size=sizes[0])
    problems.assert_none()


def assert_whole(dialog: Widget) -> None:
    """Every field of the dialog shown whole in its box, none out of its row."""
    box = box_of(dialog)
    pushed = [w for w in box.walk_children(Widget) if outside(w)]
    assert not pushed, f"pushed past its container's right edge: {pushed}"
    # Each field whole on screen (a label that wrapped in its column would push its field
    # a row below the others of the row, or past the bottom).
    view = box.scrollable_content_region
    for field in dialog.query("Input, TextArea, Select, Checkbox").results(Widget):
        if shown_in(field, box):
            assert view.contains_region(field.region), f"{field!r} at {field.region}, box {view}"


def assert_share_a_row(dialog: Widget, row: tuple[str, ...]) -> None:
    """The fields `row` names are on one line, left to right, none over the next."""
    fields = [dialog.query_one(selector, Widget) for selector in row]
    assert len({field.region.y for field in fields}) == 1, [f.region for f in fields]
    for left, right in pairwise(fields):
        assert left.region.right <= right.region.x, (left.region, right.region)


# More stops than any dialog has: a cycle longer than this is a tab that never returns.
MAX_TAB_STOPS = 40


async def tab_round(pilot: Pilot[None], dialog: Widget) -> list[Widget]:
    """Tab from the focused field round to it again: each stop, checked to be in sight
    in the dialog's box when it has the focus."""
    box = box_of(dialog)
    first = dialog.focused
    assert first is not None, "nothing has the focus"
    stops = [first]
    for _ in range(MAX_TAB_STOPS):
        await press_settled(pilot, dialog.app, "tab", box)
        focused = dialog.focused
        assert focused is not None, f"tab from {stops[-1]!r} left nothing focused"
        view = box.scrollable_content_region
        assert view.contains_region(focused.region), (
            f"{focused!r} out of sight when tabbed to: at {focused.region}, box {view}"
        )
        if focused is first:
            return stops
        stops.append(focused)
    raise AssertionError(f"tab never came back to {first!r}")


def fields_shown(dialog: Widget) -> list[Widget]:
    """The fields and buttons the dialog's mode shows (a folded section's are not)."""
    box = box_of(dialog)
    return [
        w
        for w in dialog.query("Input, TextArea, Select, Checkbox, Button").results(Widget)
        if shown_in(w, box)
    ]


async def assert_tab_reaches(pilot: Pilot[None], dialog: Widget) -> list[Widget]:
    """Tab reaches every field the dialog shows, each in sight when it has the focus; the
    stops of the round."""
    fields = fields_shown(dialog)
    assert fields, "no field shown"
    stops = await tab_round(pilot, dialog)
    missed = [field for field in fields if field not in stops]
    assert not missed, f"never reached by tab: {missed}"
    return stops


async def assert_folded_fields_reached(
    pilot: Pilot[None], dialog: Widget, stops: list[Widget]
) -> None:
    """The fields of a folded section, not stops while it is folded, are once MORE_KEY
    opens it (the focus going to its first field), each in sight."""
    box = box_of(dialog)
    sections = [s for s in dialog.query(MoreFields) if shown_in(s, box)]
    if not sections:
        return
    (section,) = sections
    hidden = [w for w in section.query("Input, TextArea, Checkbox").results(Widget)]
    assert hidden, "a folded section with no field"
    assert not any(w in stops for w in hidden), "a folded field was a tab stop"
    await press_settled(pilot, dialog.app, MORE_KEY, box)
    assert not section.collapsed, f"{MORE_KEY} left the section folded"
    assert dialog.focused is hidden[0], f"{MORE_KEY} focused {dialog.focused!r}"
    missed = [field for field in hidden if field not in await tab_round(pilot, dialog)]
    assert not missed, f"never reached by tab, the section open: {missed}"


async def fit_checks(pilot: Pilot[None], dialog: Widget, case: Case, problems: Problems) -> None:
    """What each dialog mode is checked for at 120x36 and 80x24 (see the test)."""
    name = str(case)
    with problems.check(name, "fits without scrolling"):
        assert_fits(dialog)
    with problems.check(name, "every field whole in its box, none out of its row"):
        assert_whole(dialog)
    if case.size != (80, 24):
        return
    if not case.picks:
        for key, stack, lines, row in ROWS:
            if (key, stack, lines) == (case.key, case.stack, case.lines):
                with problems.check(name, f"the optional fields {' '.join(row)} share a row"):
                    assert_share_a_row(dialog, row)
    stops: list[Widget] | None = None
    with problems.check(name, "tab reaches every field, in sight when it has the focus"):
        stops = await assert_tab_reaches(pilot, dialog)
    if stops is not None:  # the round went wrong: the section's fields are not checked
        with problems.check(name, f"tab reaches a folded section's fields, {MORE_KEY} opening it"):
            await assert_folded_fields_reached(pilot, dialog, stops)


@pytest.mark.parametrize(("stack", "lines"), STACKS, ids=STACK_IDS)
def test_every_dialog_fits_whole_shares_its_rows_and_tab_reaches_its_fields(
    stack: str, lines: tuple[str, ...]
) -> None:
    """Every dialog of the app, in each of its modes, on the stack where it is tallest,
    at 120x36 and at 80x24, fits without scrolling and shows every field whole: at 80x24
    the HTTP dialog scrolled by 15 rows, upload by 11, produce by 9, answer-task and
    restore by 5, replay, alarm state and the item dialog updating by 4, WebSocket by 3.
    Optional fields share rows (ROWS), and some are folded under a line that counts them.
    At 80x24 tab reaches every field the mode shows, each in sight when it has the focus;
    a folded section's fields too, once MORE_KEY opens it (the focus goes to its first
    field), the dialog scrolling to each then if it must."""
    each_dialog(stack, lines, [SIZE, (80, 24)], fit_checks)


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
        dialog = await open_dialog(pilot, app, "h", {})
        assert isinstance(dialog, HttpDialog)
        assert "… and 1 more" in drawn_text(dialog.query_one("#http-routes", Static))
        assert_fits(dialog)
        # The body keeps its rows: the headers, query and claims are folded.
        assert dialog.query_one("#http-body", TextArea).outer_size.height == 5
        assert dialog.query_one("#http-more", MoreFields).collapsed

    drive(StptuiApp(session), script, size=SIZE)


def test_a_dialog_that_fits_once_its_body_is_shorter_does_and_gets_its_rows_back() -> None:
    """At 80x24 the send dialog's 8-line body gives up the four rows that made the
    dialog scroll; made 120x36, the body has its ten rows again."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, "s", {})
        body = dialog.query_one("#send-body", TextArea)
        assert_fits(dialog)
        assert body.outer_size.height == 6
        await pilot.resize_terminal(*SIZE)
        await wait_until(pilot, lambda: dialog.size.height == SIZE[1], "the dialog at 120x36")
        await laid_out(pilot, dialog)
        assert body.outer_size.height == 10
        assert_fits(dialog)

    drive(open_stack("combined", ()), script, size=(80, 24))


def test_a_dialog_too_tall_even_so_keeps_its_text_areas_and_scrolls() -> None:
    """The HTTP dialog of a load balancer's five rules with its headers, query and claims
    opened needs 30 rows: at 80x24 text areas of one line would not save it, so they keep
    their rows and the dialog scrolls. Closed again, it fits, the body down to the rows
    it can spare."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app, "h", {})
        body = dialog.query_one("#http-body", TextArea)
        assert fits(dialog) and body.outer_size.height == 3
        await pilot.press(MORE_KEY)
        await laid_out(pilot, dialog)
        assert not fits(dialog)
        assert body.outer_size.height == 5
        assert dialog.query_one("#http-headers", TextArea).outer_size.height == 5
        await pilot.press(MORE_KEY)
        await laid_out(pilot, dialog)
        assert fits(dialog) and body.outer_size.height == 3

    drive(open_stack("load-balancer-rules", ()), script, size=(80, 24))


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
        counted = "headers: 2, query: 2, JWT: 1 (ctrl+t opens)"
        await wait_until(pilot, lambda: counted in str(title.render()), "the fields counted")
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
        assert_fits(dialog)
        dialog.query_one("#item-op-select", Select).value = "put"
        await laid_out(pilot, dialog)
        assert not update.display or not shown_in(update, box_of(dialog))
        assert_fits(dialog)

    drive(open_stack("cart-audit", ()), script, size=(80, 24))
