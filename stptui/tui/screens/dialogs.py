"""Dialogs that build a command line and run it: send a message, show a record.

A dialog never changes the simulation itself: it builds the line the user could have typed
(`send jobQueue '{"id": 1}'`), runs it through the app's `execute`, and shows the error in
the dialog when the command refuses, so nothing is lost and nothing crashes.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from stptui.commands import CommandError, CommandResult
from stptui.commands.result import render_plain
from stptui.tui.render import safe

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90%; max-width: 100; height: auto; max-height: 90%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .dialog-error {{ color: $error; height: auto; }}
{name} .dialog-buttons {{ height: auto; align-horizontal: right; }}
{name} TextArea {{ height: 10; }}
"""


def json_problem(text: str) -> str | None:
    """Why `text` is not JSON, or None when it is."""
    try:
        json.loads(text)
    except ValueError as exc:
        return f"not valid JSON: {exc}"
    return None


class SendDialog(ModalScreen[CommandResult | None]):
    """Queue picker, JSON editor that validates as you type, optional delay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", tooltip="Close without sending"),
        Binding("ctrl+s", "send", "Send", tooltip="Send the message", priority=True),
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="SendDialog")

    def __init__(
        self, queues: list[str], selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__()
        self.queues = queues
        self.selected = selected if selected in queues else (queues[0] if queues else None)
        self.run = run

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "send a message (ctrl+s sends, escape cancels)"
            yield Label("queue")
            yield Select(
                [(Text(safe(q)), q) for q in self.queues],
                value=self.selected if self.selected is not None else Select.NULL,
                allow_blank=not self.queues,
                id="send-queue",
            )
            yield Label("body (JSON)")
            yield TextArea('{"orderId": 1, "amount": 20}', id="send-body")
            yield Label("delay (optional, e.g. 30s)")
            yield Input(placeholder="0s", id="send-delay")
            yield Static("", id="send-error", classes="dialog-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send", id="send-button", variant="primary")
                yield Button("Cancel", id="send-cancel")

    def command_line(self) -> str:
        """The `send` line this dialog would run; raises CommandError when incomplete."""
        queue = self.query_one("#send-queue", Select).value
        if not isinstance(queue, str):
            raise CommandError("pick a queue")
        body = self.query_one("#send-body", TextArea).text
        problem = json_problem(body)
        if problem:
            raise CommandError(problem, "the body must be a JSON document")
        line = f"send {shlex.quote(queue)} {shlex.quote(body)}"
        delay = self.query_one("#send-delay", Input).value.strip()
        if delay:
            line += f" --delay {shlex.quote(delay)}"
        return line

    @on(TextArea.Changed, "#send-body")
    def _validate(self, event: TextArea.Changed) -> None:
        problem = json_problem(event.text_area.text)
        self.query_one("#send-error", Static).update(Text(problem or ""))

    @on(Button.Pressed, "#send-button")
    def action_send(self) -> None:
        """Run the send command; close on success, show the error otherwise."""
        error = self.query_one("#send-error", Static)
        try:
            result = self.run(self.command_line())
        except CommandError as exc:
            error.update(Text(render_plain(CommandResult(exc.format()))))
            return
        self.dismiss(result)

    @on(Button.Pressed, "#send-cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[None]):
    """A read-only page of text (a record's JSON, an explanation); escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", tooltip="Close")
    ]
    DEFAULT_CSS = DIALOG_CSS.format(name="TextDialog")

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            # A str border title is parsed as markup; Text is shown as it is.
            box.border_title = Text(safe(self.title_text))
            with VerticalScroll():
                yield Static(self.body, id="text-body", markup=False)
