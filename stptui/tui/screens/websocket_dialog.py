"""The WebSocket dialog (`w`): connect a client to a WebSocket API (`ws-connect`), or, with
one of its open connections chosen, send a message (`ws-send`), post one to it as the
backend does (`ws-post`), or close it (`ws-disconnect`).

It builds the command line and runs it as the other command dialogs do
(stptui.tui.screens.dialogs), and stays open with the command's answer, as the HTTP dialog
does, to send the next message. A connect, a send and a post have a repeat field (`repeat`
runs them; a repeated connect or send does not wait for API Gateway, and the dialog closes
on repeat's summary); a disconnect has none. As the form changes, the command's own checks
say what it would refuse (`check_ws_connect`, `check_ws_send`, `check_ws_post`,
`check_websocket_value`) and what API
Gateway would do: who decides a connection (`connect_plan_lines`), and which route a
message takes, by the value of the API's route selection expression
(`route_plan_lines`). Messages, headers and answers are shown as text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands import registry as kinds
from stptui.commands.handlers.websocket import (
    check_websocket_value,
    check_ws_connect,
    check_ws_post,
    connect_plan_lines,
    connection_cells,
    connection_data,
    route_plan_lines,
)
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.tui.render import hanging, safe
from stptui.tui.screens.dialogs import (
    CommandDialog,
    DialogFrame,
    Hint,
    MoreFields,
    choices,
    dialog_bindings,
    shown_in,
)
from stptui.tui.widgets.fields import SafeInput, SafeTextArea

# The connection picker's choice that connects a new client: no connection id (base64)
# has parentheses.
NEW = "(new)"
SEND, POST, DISCONNECT = "send", "post", "disconnect"
# The actions that take a message: the client's, and the backend's through @connections.
WITH_MESSAGE = (SEND, POST)


def headers_summary(text: str) -> str:
    """The folded headers' line: how many a new connection sends."""
    count = sum(1 for line in text.splitlines() if line.strip())
    return f"headers: {count or 'none'}"


def websocket_apis(session: Session) -> list[str]:
    """The stack's WebSocket APIs, in the stack's order."""
    service = session.sim.services.get("websocket")
    return list(service.apis) if service is not None else []


def open_connections(session: Session) -> list[dict[str, object]]:
    """The open connections, as `show connections` has them, oldest first."""
    return [e for e in connection_data(session.sim) if e["state"] == "open"]


class WebSocketDialog(CommandDialog):
    """Connection picker (a new one, or an open one), the gateway, query and headers of a
    new connection, or the action (send, post, disconnect) and message for an open one;
    what the command would do
    or why it would refuse, as it is typed; the last answer."""

    PREFIX = "ws"
    COMMANDS = ("ws-connect", "ws-send", "ws-post", "ws-disconnect")
    ANSWER = "#ws-answer"
    HEADING = "WebSocket client (ctrl+s runs, escape closes)"
    VERB = "Connect"
    HELP_TITLE = "WebSocket dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings(
        "Run", "Connect, send or disconnect", more="a new connection's headers"
    )
    DEFAULT_CSS = """
    WebSocketDialog #ws-headers { height: 4; }
    WebSocketDialog .ws-fields { height: auto; }
    WebSocketDialog #ws-action-column { width: 28; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        self.apis = websocket_apis(session)
        self.gateway = selected if selected in self.apis else self.apis[0]
        # The newest open connection of the selected API (of any, else none) to begin with.
        live = open_connections(session)
        own = [e for e in live if e["gateway"] == selected]
        self.start = str((own or live)[-1]["connection_id"]) if live else NEW

    def connection_options(self) -> list[tuple[Text, str]]:
        """`new connection`, then each open connection with its gateway and inbox."""
        options = [(Text("new connection"), NEW)]
        for entry in open_connections(self.session):
            label = Text(safe(entry["connection_id"]))
            label.append(f"  {safe(entry['gateway'])}", "dim")
            options.append((label, str(entry["connection_id"])))
        return options

    def form(self) -> ComposeResult:
        """Connection; gateway, query, headers (new); action, message (open); the plan."""
        yield Label("connection")
        yield Select(
            self.connection_options(), value=self.start, allow_blank=False, id="ws-connection"
        )
        yield Hint(Text(""), id="ws-about")
        with Vertical(id="ws-connect-fields", classes="ws-fields"):
            if len(self.apis) > 1:
                yield Label("gateway")
                yield Select(
                    choices(self.apis), value=self.gateway, allow_blank=False, id="ws-gateway"
                )
            yield Label("query (name=value&name=value)")
            yield SafeInput(placeholder="token=t-1", id="ws-query")
            # Folded (counted on its line): unfolded, the headers made the dialog scroll
            # at 80x24.
            with MoreFields(summary=headers_summary(""), id="ws-more"):
                yield Label("headers (one name: value per line)")
                yield SafeTextArea("", id="ws-headers")
        # The action and its message share a row: on rows of their own they made the
        # dialog scroll at 80x24.
        with Horizontal(id="ws-send-fields", classes="ws-fields dialog-row"):
            with Vertical(id="ws-action-column"):
                yield Label("action")
                yield Select(
                    [
                        (Text("send a message"), SEND),
                        (Text("post via @connections"), POST),
                        (Text("disconnect"), DISCONNECT),
                    ],
                    value=SEND,
                    allow_blank=False,
                    id="ws-action",
                )
            with Vertical():
                yield Label(self.message_label(SEND), id="ws-message-label")
                yield SafeInput(
                    placeholder='{"action": "sendMessage", "text": "hi"}', id="ws-message"
                )
        yield Hint(Text(""), id="ws-plan")

    def body(self) -> ComposeResult:
        """The form, the repeat field, error line and buttons, then the last answer: the
        repeat field stays next to the fields it repeats."""
        yield from self.form()
        yield from self.controls()
        yield Label("answer")
        yield Static(Text("(run to see it)"), id="ws-answer", markup=False)

    def on_mount(self) -> None:
        self._mode()

    def on_screen_resume(self) -> None:
        """Focus the field to type in: the message of an open connection, or the query."""
        if self.focused is None:
            self._focus_field()

    def _focus_field(self) -> None:
        field = "#ws-query" if self.connection() == NEW else "#ws-message"
        self.focus_at_once(self.query_one(field))

    @staticmethod
    def message_label(action: str) -> str:
        """The message field's label: what the message is to the picked action."""
        if action == POST:
            return "message (the client gets it as is)"
        return "message (JSON selects the route)"

    def connection(self) -> str:
        """The picked connection id, or NEW."""
        return self.picked("#ws-connection")

    def action(self) -> str:
        """SEND, POST or DISCONNECT (for an open connection)."""
        return self.picked("#ws-action")

    def line_command(self) -> str:
        """The command the picked connection and action run."""
        if self.connection() == NEW:
            return "ws-connect"
        return {SEND: "ws-send", POST: "ws-post", DISCONNECT: "ws-disconnect"}[self.action()]

    @on(Select.Changed, "#ws-connection")
    @on(Select.Changed, "#ws-action")
    def _mode(self) -> None:
        """Show the fields of the picked connection's mode, and what it would do."""
        new = self.connection() == NEW
        self.query_one("#ws-connect-fields").display = new
        self.query_one("#ws-send-fields").display = not new
        action = self.action()
        self.query_one("#ws-message").display = action in WITH_MESSAGE
        self.query_one("#ws-message-label", Label).display = action in WITH_MESSAGE
        self.query_one("#ws-message-label", Label).update(Text(self.message_label(action)))
        verbs = {SEND: "Send", POST: "Post", DISCONNECT: "Disconnect"}
        verb = "Connect" if new else verbs[action]
        self.query_one(f"#{self.PREFIX}-button", Button).label = verb
        self.query_one("#ws-about", Hint).show(self.about())
        self.show_repeat_field()
        self._check()

    def about(self) -> Text:
        """An open connection as `show connections` has it; a new one's API's routes."""
        ref = self.connection()
        entry = next(
            (e for e in connection_data(self.session.sim) if e["connection_id"] == ref), None
        )
        if entry is None:
            return Text("a new client connects; its id comes with the answer", "dim")
        _, gateway, state, age, idle, inbox, last = connection_cells(
            entry, self.session.sim.clock.now
        )
        line = f"{safe(gateway)}: {state}, age {age}, idle {idle}, {inbox} received"
        lines = [Text(line)] + ([Text(f"last: {safe(last)}")] if last else [])
        return Text("\n").join(hanging(x, 2) for x in lines)

    @on(TextArea.Changed, "#ws-headers")
    def _headers_changed(self) -> None:
        self.query_one("#ws-more", MoreFields).show_summary(
            headers_summary(self.value("#ws-headers"))
        )
        self._check()

    @on(Input.Changed, "#ws-query")
    @on(Input.Changed, "#ws-message")
    @on(Select.Changed, "#ws-gateway")
    def _check(self) -> None:
        """Show what the command would do, or why it would refuse."""
        plan = self.query_one("#ws-plan", Hint)
        try:
            lines = self.plan()
        except CommandError as exc:
            plan.show(Text(""))
            self.show_error(render_plain(CommandResult(exc.format())))
            return
        plan.show(Text("\n").join(hanging(Text(line), 2) for line in lines))
        self.show_error("")

    def recheck(self) -> None:
        """What the command would do again: repeated, repetition 1's."""
        self._check()

    def plan(self) -> list[str]:
        """The command's own check, and what API Gateway would do with the request."""
        sim = self.session.sim
        ref = self.connection()
        if ref == NEW:
            api, headers, query = check_ws_connect(
                sim,
                self.picked_gateway(),
                [self.as_first(h) for h in self.header_words()],
                [self.as_first(q) for q in self.query_words()],
            )
            return connect_plan_lines(api, headers, query)
        if self.action() == SEND:
            return route_plan_lines(sim, ref, self.as_first(self.value("#ws-message")))
        if self.action() == POST:
            return check_ws_post(sim, ref, self.as_first(self.value("#ws-message")))
        check_websocket_value(sim, kinds.CONNECTION, ref)
        return ["closes it (code 1000); its $disconnect route runs if it has one"]

    def picked_gateway(self) -> str:
        """The gateway a new connection goes to."""
        return self.picked("#ws-gateway") if len(self.apis) > 1 else self.apis[0]

    def header_words(self) -> list[str]:
        """The headers typed, one `name: value` a line (blank lines skipped)."""
        return [h.strip() for h in self.value("#ws-headers").splitlines() if h.strip()]

    def query_words(self) -> list[str]:
        """The query typed, `name=value` pairs split at `&`."""
        return [p.strip() for p in self.value("#ws-query").split("&") if p.strip()]

    def command_line(self) -> str:
        """`ws-connect GATEWAY [--query ...] [--header ...]`, `ws-send ID MESSAGE`,
        `ws-post ID MESSAGE` or `ws-disconnect ID`."""
        ref = self.connection()
        if ref == NEW:
            options = [("--query", q) for q in self.query_words()]
            options += [("--header", h) for h in self.header_words()]
            return format_line("ws-connect", [self.picked_gateway()], options)
        if self.action() == SEND:
            return format_line("ws-send", [ref, self.value("#ws-message")], [])
        if self.action() == POST:
            return format_line("ws-post", [ref, self.value("#ws-message")], [])
        return format_line("ws-disconnect", [ref], [])

    def draw_answer(self, text: Text) -> None:
        """Put `text` under the form, where the last answer goes."""
        self.query_one("#ws-answer", Static).update(text)

    def ran(self, result: CommandResult) -> None:
        """Show the answer and stay open: on the new connection after a connect, on a new
        one after a disconnect, with the message cleared after a send or a post."""
        self.show_answer(result)
        data = result.data if isinstance(result.data, dict) else {}
        ref = self.connection()
        if ref == NEW and data.get("connected"):
            ref = str(data["connection_id"])
        elif ref != NEW and self.action() == DISCONNECT:
            ref = NEW
        options = self.connection_options()
        picker = self.query_one("#ws-connection", Select)
        picker.set_options(options)
        # The connection may have closed meanwhile (its 10 idle minutes ran out).
        picker.value = ref if any(value == ref for _, value in options) else NEW
        if picker.value != NEW and self.action() in WITH_MESSAGE:
            self.query_one("#ws-message", Input).value = ""
        self._mode()
        # The field the line was run from may be hidden now (the query, once connected):
        # nothing had the focus, and typing went nowhere until a tab.
        focused = self.focused
        box = self.query(".dialog-box").first(DialogFrame)
        if focused is None or not shown_in(focused, box):
            self._focus_field()
        # Under the form, it was below the fold at 80x24 (a refused connect's answer showed
        # its first line only): in sight once laid out, and kept there through the layouts
        # that follow (its rows known, a scrollbar narrowing the form: `DialogFrame.keep`).
        # Asked once the focus is where it stays, as `keep` lets go when the focus moves.
        box.keep(self.query_one("#ws-answer"))
