"""The log dialog (`l`): write a line into a function's, batch job's or container's CloudWatch
Logs group.

It builds `log FUNCTION MESSAGE` and runs it as the other command dialogs do
(stptui.tui.screens.dialogs), so the line is logged and recorded like a typed one; its
repeat field makes it `repeat N [--every D] log ...`. While
the message is typed, each subscription filter of the group says whether it would match
the line and why (`stptui.sim.log_patterns.explain`, the simulator's own matcher), so what
reaches which subscriber is seen before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, Select

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.registry import format_line
from stptui.sim import log_patterns
from stptui.sim.services.log_group import MAX_WRITTEN_BYTES, LogGroupSim
from stptui.tui.render import safe
from stptui.tui.screens.dialogs import (
    CommandDialog,
    Hint,
    choices,
    dialog_bindings,
)
from stptui.tui.widgets.fields import SafeInput

# How many of a filter's reasons a verdict lists (a JSON pattern's clauses can be many).
REASONS_SHOWN = 2


def picked_group(groups: dict[str, LogGroupSim], selected: str | None) -> str:
    """The workload whose group the dialog opens on: the selected one when it has a group
    (a workload of several containers: its first container's, `WORKLOAD.CONTAINER`), else
    the first whose group the selected one subscribes to, else the first group with a
    subscription filter, else the first."""
    if selected in groups:
        return selected
    # Each container of a multi-container workload has its own group, named by both.
    own = [owner for owner in groups if selected and owner.startswith(f"{selected}.")]
    if own:
        return own[0]
    subscribed = [
        owner
        for owner, group in groups.items()
        if any(sub.subscriber == selected for sub in group.subscriptions)
    ]
    with_filters = [o for o, g in groups.items() if g.subscriptions]
    return (subscribed or with_filters or list(groups))[0]


def verdict_lines(group: LogGroupSim, message: str) -> Text:
    """What each of the group's subscription filters does with `message`: `→ alerter
    ?ERROR ?"Status: timeout": matched (ERROR appears)` (green), or not and why."""
    if not group.subscriptions:
        return Text("no subscription filter on this group: the line goes to no one")
    if not message:
        return Text.assemble(
            f"{len(group.subscriptions)} subscription filter"
            f"{'s' * (len(group.subscriptions) != 1)}: type a line to see which match it"
        )
    lines = []
    for sub in group.subscriptions:
        line = Text.assemble("→ ", (safe(sub.subscriber), "bold"), " ")
        if sub.pattern is None:
            line.append(f"invalid filter, delivers nothing: {safe(sub.error)}", "red")
            lines.append(line)
            continue
        shown = sub.pattern.text if sub.pattern.text.strip() else "(empty filter)"
        line.append(f"{safe(shown)}: ")
        verdict = log_patterns.explain(sub.pattern, message)
        line.append(
            "matched" if verdict.matched else "not matched",
            "bold green" if verdict.matched else "yellow",
        )
        reasons = verdict.reasons[:REASONS_SHOWN]
        if reasons:
            more = len(verdict.reasons) - len(reasons)
            line.append(f" ({safe('; '.join(reasons))}{f'; {more} more' if more else ''})")
        lines.append(line)
    return Text("\n").join(lines)


class LogLineDialog(CommandDialog):
    """Picker of the workloads with a log group (with its name and streams), the message,
    and each subscription filter's verdict on it, updated as it is typed."""

    COMMAND = "log"
    PREFIX = "log"
    FIRST_FIELD = "#log-message"
    HEADING = "write a log line (ctrl+s or enter writes, escape cancels)"
    VERB = "Write"
    HELP_TITLE = "Log dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Write", "Write the line")

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.groups: dict[str, LogGroupSim] = session.sim.services["logs"].groups
        self.selected: str = picked_group(self.groups, selected)

    def form(self) -> ComposeResult:
        """Workload, its group, the message and the verdicts."""
        yield Label("function, batch job or container")
        yield Select(choices(self.groups), value=self.selected, allow_blank=False, id="log-owner")
        yield Hint(self.group_text(self.selected), id="log-group")
        yield Label("message (one line, as the code would print it)")
        yield SafeInput(placeholder="ERROR payment failed for order 42", id="log-message")
        yield Label("subscription filters")
        yield Hint(verdict_lines(self.groups[self.selected], ""), id="log-verdicts")

    def group_text(self, owner: str) -> Text:
        """The group's name and how many log streams it has (the line goes into the newest)."""
        group = self.groups[owner]
        streams = group.stream_count
        where = "the newest" if streams else "a new one"
        return Text(
            f"{safe(group.name)}: {streams} log stream{'s' * (streams != 1)}; "
            f"the line goes into {where}"
        )

    @on(Select.Changed, "#log-owner")
    def _owner_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.groups:
            self._stop_json_check()
            self.query_one("#log-group", Hint).show(self.group_text(event.value))
            self._show_verdicts()

    @on(Input.Changed, "#log-message")
    def _message_changed(self) -> None:
        # As a long JSON body is checked: a pasted line of a megabyte is matched (a JSON
        # pattern parses it, a space-delimited one splits it) once typing stops.
        self.check_as_typed(len(self.value("#log-message")), self._show_verdicts)

    def recheck(self) -> None:
        """The verdicts again: repeated, they are those of repetition 1's line."""
        self._stop_json_check()
        self._show_verdicts()

    def _show_verdicts(self) -> None:
        self._json_check = None
        owner = self.picked("#log-owner")
        message = self.as_first(self.value("#log-message"))
        self.query_one("#log-verdicts", Hint).show(verdict_lines(self.groups[owner], message))
        self.show_error(self.problem(message) or "")

    @staticmethod
    def problem(message: str) -> str | None:
        """Why PutLogEvents would refuse the message (over its size), or None; an empty
        one is refused only when run, not while the field is still empty."""
        size = len(message.encode("utf-8", "surrogatepass"))
        if size > MAX_WRITTEN_BYTES:
            return f"a log event is at most {MAX_WRITTEN_BYTES:,} bytes of UTF-8, not {size:,}"
        return None

    def command_line(self) -> str:
        """`log FUNCTION MESSAGE`."""
        message = self.value("#log-message")
        if not message:
            raise CommandError(
                "a log event needs a message of at least one character", "write some text"
            )
        return format_line("log", [self.picked("#log-owner"), message], [])
