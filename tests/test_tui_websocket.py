"""Pilot tests of WebSocket APIs in the terminal UI (docs/examples/chat.yml, clock paused,
fixed start): the Inspector's routes and connections (`show connections`'s figures, kept
up to date as the clock runs), the WebSocket dialog (`w`) with the command's own checks and
the route a message would take before enter, the `ws.*` rows of the Events pane, and the
key left out on a stack without a WebSocket API; untrusted text shown as text."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea
from textual.widgets._footer import FooterKey
from tui_one_app import on_one_app
from tui_support import (
    app_for,
    drawn_text,
    drive,
    example_session,
    inspector,
    records_of,
    screen_text,
    shown,
    typed,
)

from stptui.commands import execute
from stptui.sim.services.websocket import MAX_MESSAGE_BYTES
from stptui.sim.trace import Record
from stptui.tui.app import StptuiApp
from stptui.tui.palette import StackProvider
from stptui.tui.render import record_style, record_text
from stptui.tui.screens.dialogs import CommandDialog
from stptui.tui.screens.websocket_dialog import NEW, WebSocketDialog
from stptui.tui.widgets.footer import StableFooter

HOSTILE = "[bold red]x[/] [@click=app.quit]q[/] \x1b[31mred"
# The first connection the chat example's session opens (docs/examples/chat.stp).
FIRST = "Ro9qGRMCRkecAoY="
CONNECT = "ws-connect realtime --query token=t-1"
HI = """ws-send Ro9qGRMCRkecAoY= '{"action": "sendMessage", "text": "hi"}'"""


def chat_app() -> StptuiApp:
    return StptuiApp(example_session("chat"))


def footer_keys(app: StptuiApp) -> list[str]:
    return [k.key for k in app.query_one(StableFooter).query(FooterKey) if k.display]


def section(app: StptuiApp, title: str) -> list[str]:
    """The lines of one section of the Inspector's page, after its heading."""
    page = inspector(app)
    body = page[page.index(f"\n{title}\n") + len(title) + 2 :]
    return body.split("\n\n", 1)[0].splitlines()


# -- the Inspector ------------------------------------------------------------------------


async def the_inspector_lists_the_routes_with_their_functions_and_the_authorizer(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("realtime")
    await pilot.pause()
    assert section(app, "Routes") == [
        "route selection: $request.body.action",
        "$connect -> onConnect  authorizer gatekeeper (route.request.querystring.token)",
        "$disconnect -> onDisconnect",
        "sendMessage -> sendMessage  two-way",
        "$default -> fallback  one-way",
    ]
    assert section(app, "Connections") == [
        "none yet (w connects a client; ws-connect on the command line)"
    ]


def test_the_inspector_shows_each_connection_as_show_connections_does() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(CONNECT)
        app.run_command(HI)
        app.run_command("ws-connect realtime --query token=nope")
        app.jump_to("realtime")
        await pilot.pause()
        rows = {row[0]: row for row in execute(app.session, "show connections").table[1]}
        refused, first = rows.pop(next(r for r in rows if r != FIRST)), rows[FIRST]
        assert section(app, "Connections") == [
            "1 open of 2; newest first",
            f"{refused[0]} {refused[2]}  age {refused[3]}, 0 received",
            f"{FIRST} open  age {first[3]}, idle {first[4]}, 1 received",
            f"  last: {first[6]}",
        ]
        assert refused[2] == "refused with 403" and first[6].startswith("management-api: echo:")

    drive(chat_app(), script)


def test_the_inspector_follows_an_open_connections_age_without_a_record() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(CONNECT)
        app.jump_to("realtime")
        await pilot.pause()
        seq = app.session.sim.trace.seq
        app.run_command("advance 1m")
        await pilot.pause()
        # No record in that minute (the idle close is 10 minutes away), yet the page moved on.
        assert app.session.sim.trace.seq == seq
        row = execute(app.session, "show connections").table[1][0]
        assert row[4] == "1 min"
        assert section(app, "Connections")[1] == (
            f"{FIRST} open  age {row[3]}, idle 1 min, 0 received"
        )

    drive(chat_app(), script)


# -- the dialog ---------------------------------------------------------------------------


async def open_dialog(pilot: Pilot[None], app: StptuiApp) -> WebSocketDialog:
    await pilot.press("w")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, WebSocketDialog)
    return dialog


def test_the_dialog_says_who_decides_a_connection_and_refuses_a_bad_header() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_dialog(pilot, app)
        assert dialog.query_one("#ws-connection", Select).value == NEW
        assert app.focused is not None and app.focused.id == "ws-query"
        assert shown(app, "#ws-plan") == (
            "refused 401: identity source route.request.querystring.token is missing or "
            "empty; the authorizer gatekeeper is not invoked"
        )
        await typed(pilot, dialog.query_one("#ws-query"), "token=t-1")
        assert shown(app, "#ws-plan") == (
            "the authorizer gatekeeper decides; then $connect -> onConnect"
        )
        # The command's own check: a header without a colon, before enter.
        dialog.query_one("#ws-headers", TextArea).text = "x-client web"
        await pilot.pause()
        assert shown(app, "#ws-error").startswith(
            "--header needs NAME:VALUE with a valid header name, not 'x-client web'"
        )
        assert shown(app, "#ws-plan") == ""
        seq = app.session.sim.trace.seq
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.sim.trace.seq == seq and app.session.log == []
        dialog.query_one("#ws-headers", TextArea).text = "x-client: web"
        await pilot.pause()
        assert shown(app, "#ws-error") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.log == ["ws-connect realtime --query token=t-1 --header 'x-client: web'"]
        # It stays open, on the new connection, with the answer.
        assert app.screen is dialog
        assert dialog.query_one("#ws-connection", Select).value == FIRST
        assert shown(app, "#ws-answer").startswith(f"connected {FIRST} to realtime")

    drive(chat_app(), script, size=(120, 40))


def test_the_dialog_shows_the_route_a_message_would_take_as_it_is_typed() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(CONNECT)
        dialog = await open_dialog(pilot, app)
        # The newest open connection, its message field focused.
        assert dialog.query_one("#ws-connection", Select).value == FIRST
        assert app.focused is not None and app.focused.id == "ws-message"
        await typed(pilot, dialog.query_one("#ws-message"), '{"action": "sendMessage"}')
        assert shown(app, "#ws-plan") == (
            "$request.body.action is 'sendMessage' "
            "sendMessage -> sendMessage (two-way: the answer comes back)"
        )
        message = dialog.query_one("#ws-message", Input)
        message.value = '{"action": 7}'
        await pilot.pause()
        assert shown(app, "#ws-plan") == (
            "$request.body.action is '7' $default -> fallback (one-way: no answer back)"
        )
        message.value = "not json"
        await pilot.pause()
        assert shown(app, "#ws-plan") == (
            "$request.body.action finds nothing in it $default -> fallback "
            "(one-way: no answer back)"
        )
        # What API Gateway does with a message over its quota, before enter: it closes the
        # connection (1009).
        message.value = "x" * (MAX_MESSAGE_BYTES + 1)
        await pilot.pause()
        assert shown(app, "#ws-error") == ""
        assert shown(app, "#ws-plan") == (
            "the message is 131,073 bytes, over the 131,072 a WebSocket API takes: API "
            "Gateway closes the connection (code 1009) $disconnect runs"
        )
        message.value = '{"action": "sendMessage", "text": "hi"}'
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.log == [CONNECT, HI]
        assert "received (management-api): echo:" in shown(app, "#ws-answer")
        assert message.value == "" and app.screen is dialog

    drive(chat_app(), script, size=(120, 40))


def test_the_dialog_disconnects_and_goes_back_to_a_new_connection() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(CONNECT)
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#ws-action", Select).value = "disconnect"
        await pilot.pause()
        assert not dialog.query_one("#ws-message", Input).display
        assert shown(app, "#ws-plan") == (
            "closes it (code 1000); its $disconnect route runs if it has one"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.log == [CONNECT, f"ws-disconnect {FIRST}"]
        assert dialog.query_one("#ws-connection", Select).value == NEW
        assert len(records_of(app.session, "ws.disconnected")) == 1

    drive(chat_app(), script, size=(120, 40))


def test_the_dialog_posts_as_the_backend_with_the_commands_checks_before_enter() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(CONNECT)
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#ws-action", Select).value = "post"
        await pilot.pause()
        message = dialog.query_one("#ws-message", Input)
        assert message.display
        assert str(dialog.query_one("#ws-button").label) == "Post"
        message.value = "x" * (MAX_MESSAGE_BYTES + 1)
        await pilot.pause()
        # PostToConnection's own refusal, before enter; nothing is posted.
        assert shown(app, "#ws-error").startswith(
            "PayloadTooLargeException: 131,073 bytes; PostToConnection takes at most 131,072"
        )
        assert shown(app, "#ws-plan") == ""
        message.value = '{"from": "server"}'
        await pilot.pause()
        assert shown(app, "#ws-error") == ""
        assert "the client receives these 18 bytes as they are; no route runs" in shown(
            app, "#ws-plan"
        )
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.log == [CONNECT, f"""ws-post {FIRST} '{{"from": "server"}}'"""]
        assert shown(app, "#ws-answer") == f"posted 18 bytes to {FIRST}"
        assert message.value == "" and app.screen is dialog
        assert "1 received" in shown(app, "#ws-about")
        # Closed meanwhile (by its client): the backend's post would answer GoneException.
        app.session.sim.services["websocket"].disconnect(FIRST)
        message.value = "late"
        await pilot.pause()
        assert shown(app, "#ws-error").startswith(f"GoneException: connection {FIRST} closed")
        assert "PostToConnection answers GoneException (410)" in shown(app, "#ws-error")
        assert len(app.session.log) == 2

    drive(chat_app(), script, size=(120, 40))


def test_a_hostile_message_is_shown_as_text() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(CONNECT)
        dialog = await open_dialog(pilot, app)
        # Pasted: the field leaves out the escape character, the markup stays text.
        dialog.query_one("#ws-message", Input).insert_text_at_cursor(HOSTILE)
        await pilot.pause()
        text = HOSTILE.replace("\x1b", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.log[-1] == f"ws-send {FIRST} '{text}'"
        app.run_command(f"ws-post {FIRST} '{text}'")
        await pilot.press("escape")
        app.jump_to("realtime")
        await pilot.pause()
        # Cut at show connections' 40 characters, as its table does.
        shown_part = "last: management-api: [bold red]x[/] [@click=app.quit]q[/]"
        assert shown_part in inspector(app)
        await open_dialog(pilot, app)
        assert shown_part in shown(app, "#ws-about")
        assert "[bold red]x[/] [@click=app.quit]q[/]" in screen_text(app)
        assert app.is_running

    drive(chat_app(), script, size=(120, 40))


# -- the key ------------------------------------------------------------------------------


async def the_key_is_listed_in_the_footer_the_help_and_the_palette(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    assert "w" in footer_keys(app)
    provider = StackProvider(app.screen)
    titles = [title for title, _, _ in provider._list_entries()]
    assert "open: websocket dialog" in titles
    await pilot.press("question_mark")
    await pilot.pause()
    text = drawn_text(app.screen.query_one("#help-body"))
    assert "WebSocket dialog" in text and "Connect, send or disconnect" in text


def test_on_one_app_the_key_is_listed_and_the_inspector_lists_the_routes() -> None:
    """Checks that run nothing, in turn on one chat app: the key as a new app shows it
    first, then the routes with no connection yet (the help page the first leaves open is
    closed by escape between them, see `on_one_app`)."""
    on_one_app(
        chat_app(),
        [
            ("the key listed", (120, 40), the_key_is_listed_in_the_footer_the_help_and_the_palette),
            (
                "the routes listed",
                (120, 36),
                the_inspector_lists_the_routes_with_their_functions_and_the_authorizer,
            ),
        ],
    )


def test_a_stack_without_a_websocket_api_has_no_w() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "w" not in footer_keys(app)
        titles = [title for title, _, _ in StackProvider(app.screen)._list_entries()]
        assert "open: websocket dialog" not in titles
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, CommandDialog)
        assert "Routes" not in inspector(app)

    drive(app_for("job-queue"), script)


# -- the Events pane ----------------------------------------------------------------------


def test_the_events_pane_says_what_each_ws_record_means() -> None:
    session = example_session("chat")
    for line in (CONNECT, HI, f"ws-send {FIRST} '{HOSTILE}'", "ws-connect realtime"):
        execute(session, line)
    execute(session, "ws-connect realtime --query token=nope")
    execute(session, f"ws-disconnect {FIRST}")

    def row(rec: Record) -> str:
        return record_text(rec).plain[13:]

    hi, hostile = records_of(session, "ws.message")
    assert row(hi).startswith(
        f"{'ws.message':28} realtime conn={FIRST} route=sendMessage target=sendMessage "
        "selected=sendMessage size=39 request_id="
    )
    # The client's text: no escape character reaches the terminal.
    assert "\x1b" not in row(hostile) and "route=$default target=fallback" in row(hostile)
    unauthorized, denied = records_of(session, "ws.authorization")[1:]
    assert row(unauthorized).startswith(f"{'ws.authorization':28} realtime unauthorized 401 conn=")
    assert record_style(unauthorized) == record_style(denied) == "yellow"
    assert "denied 403" in row(denied)
    refusals = records_of(session, "ws.refused")
    assert [row(r).split()[2:4] for r in refusals] == [["refused", "401"], ["refused", "403"]]
    assert "status=" not in row(refusals[0])
    (closed,) = records_of(session, "ws.disconnected")
    assert row(closed).startswith(
        f"{'ws.disconnected':28} realtime conn={FIRST} reason=the client closed the connection "
        "status_code=1000"
    )
    assert record_style(records_of(session, "ws.connected")[0]) == "green"


def test_after_a_connect_at_80x24_the_message_has_the_focus_and_the_answer_is_in_sight() -> None:
    # The query the connect was run from is hidden once connected: nothing had the focus,
    # so the message typed next went nowhere; and the answer under the form was below the
    # fold, a refused connect's first line only in sight.
    from textual.widget import Widget

    def in_sight(dialog: CommandDialog, selector: str) -> bool:
        box = dialog.query_one(".dialog-box", Widget)
        return box.scrollable_content_region.contains_region(dialog.query_one(selector).region)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("w")
        dialog = app.screen
        assert isinstance(dialog, WebSocketDialog)
        assert app.focused is dialog.query_one("#ws-query")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        # Refused (no token): the query keeps the focus, the whole answer is in sight.
        assert shown(app, "#ws-answer").startswith(f"refused {FIRST}: HTTP 401 (realtime)")
        assert app.focused is dialog.query_one("#ws-query")
        assert in_sight(dialog, "#ws-answer") and in_sight(dialog, "#ws-query")
        await typed(pilot, dialog.query_one("#ws-query"), "token=t-1")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert shown(app, "#ws-answer").startswith("connected")
        message = dialog.query_one("#ws-message", Input)
        assert app.focused is message
        assert in_sight(dialog, "#ws-answer") and in_sight(dialog, "#ws-message")
        await typed(pilot, message, "hello")
        await pilot.press("ctrl+s")
        sent = app.session.log[-1]
        assert sent.startswith("ws-send ") and sent.endswith(" hello")

    drive(chat_app(), script, size=(80, 24))
