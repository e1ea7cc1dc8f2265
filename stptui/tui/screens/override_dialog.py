"""The behaviour dialog (`b`): make a function, batch job or container workload fail,
succeed, run slow or return given JSON, as `fail`, `succeed`, `slow` and `succeed
--returns` do, to see what the stack does when a worker fails (its retries, its dead-letter
queue) and then when it is fixed, or what a route's caller gets when its function answers.

It builds `fail WORKLOAD [always | next N | rate P | when JMESPATH]`, `succeed WORKLOAD`,
`succeed WORKLOAD --returns JSON` or `slow WORKLOAD DURATION` and runs it as the other
command dialogs do (stptui.tui.screens.dialogs); what the command refuses (a count or a
rate it cannot read, a JMESPath that does not parse, a duration, JSON that does not read)
is shown in the dialog. The workload's overrides in force are shown under its picker.
Names are shown as text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Select

from stptui.commands import CommandError, CommandResult, Session, complete_values
from stptui.commands.handlers.behaviour import overrides_in_force
from stptui.commands.registry import WORKLOAD, format_line
from stptui.sim.behavior.overrides import FAIL_FORMS
from stptui.tui.render import hanging, safe
from stptui.tui.screens.dialogs import CommandDialog, Hint, choices, dialog_bindings
from stptui.tui.widgets.fields import SafeInput

# What each action's field takes: its label and placeholder ("": the action takes none).
HOW: dict[str, tuple[str, str]] = {
    # The command's own words, as its usage writes them (empty: always).
    "fail": (f"how [{FAIL_FORMS}]", "next 3"),
    "slow": ("how long each invocation runs", "6m"),
    "succeed": ("", ""),
    "returns": (
        "what each invocation returns: JSON (a container: its answer)",
        '{"statusCode": 200, "body": "ok"}',
    ),
}
SUCCEED_NOTE = (
    "succeed: its fail and slow overrides go, and what the behaviours file declares that "
    "fails no longer does, as a deploy of fixed code would"
)


class OverrideDialog(CommandDialog):
    """Workload picker (with its overrides in force), the action (fail, slow, succeed or
    returns: `succeed --returns`) and how: a fail's mode, a slow's duration, the JSON."""

    COMMANDS = ("fail", "slow", "succeed")
    # What the action picker offers: the commands, and `returns`, which runs `succeed`.
    ACTIONS = (*COMMANDS, "returns")
    PREFIX = "override"
    FIRST_FIELD = "#override-how"
    HEADING = "fail, slow or fix a workload (ctrl+s or enter applies, escape cancels)"
    VERB = "Apply"
    HELP_TITLE = "Behaviour dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Apply", "Apply the override")
    DEFAULT_CSS = "OverrideDialog #override-action-column { width: 20; }"

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        self.targets = complete_values(session, WORKLOAD)
        self.selected: str = selected if selected in self.targets else self.targets[0]

    def form(self) -> ComposeResult:
        """Workload and action, the overrides in force, how."""
        # The picker and the action share a row: on rows of their own they made the
        # dialog taller than an 80x24 screen needs.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("function, batch job or container workload")
                yield Select(
                    choices(self.targets),
                    value=self.selected,
                    allow_blank=False,
                    id="override-target",
                )
            with Vertical(id="override-action-column"):
                yield Label("action")
                yield Select(
                    [(Text(action), action) for action in self.ACTIONS],
                    value="fail",
                    allow_blank=False,
                    id="override-action",
                )
        yield Hint(self.now_text(self.selected), id="override-now")
        label, placeholder = HOW["fail"]
        yield Label(label, id="override-how-label")
        yield SafeInput(placeholder=placeholder, id="override-how")

    def now_text(self, name: str) -> Text:
        """The overrides in force on `name`, as the commands say them."""
        now = overrides_in_force(self.session.sim, name)
        return hanging(Text(f"{safe(name)} now: {safe(now)}"), 2)

    def line_command(self) -> str:
        """The command the action picks (`returns` is `succeed --returns`)."""
        action = self.picked("#override-action")
        return "succeed" if action == "returns" else action

    @on(Select.Changed, "#override-target")
    def _target_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.targets:
            self.query_one("#override-now", Hint).show(self.now_text(event.value))

    @on(Select.Changed, "#override-action")
    def _action_changed(self, event: Select.Changed) -> None:
        action = str(event.value)
        label, placeholder = HOW.get(action, HOW["fail"])
        field = self.query_one("#override-how", SafeInput)
        field.placeholder = placeholder
        field.display = bool(label)
        self.query_one("#override-how-label", Label).update(Text(label or SUCCEED_NOTE))
        self.show_error("")

    def command_line(self) -> str:
        """`fail W [MODE]`, `slow W DURATION`, `succeed W` or `succeed W --returns JSON`."""
        target = self.picked("#override-target")
        action = self.picked("#override-action")
        how = self.value("#override-how").strip()
        if action == "returns":
            if not how:
                raise CommandError(
                    "say what it returns", 'JSON, e.g. {"statusCode": 200, "body": "ok"}'
                )
            return format_line("succeed", [target], [("--returns", how)])
        if action == "succeed":
            return format_line("succeed", [target], [])
        if action == "slow":
            if not how:
                raise CommandError(
                    "say how long each invocation runs", "a duration: 250ms, 30s, 6m, 1h"
                )
            return format_line("slow", [target, how], [])
        # A mode as the command line takes it: `when` and its JMESPath, quotes and all.
        line = format_line("fail", [target], [])
        return f"{line} {how}" if how else line
