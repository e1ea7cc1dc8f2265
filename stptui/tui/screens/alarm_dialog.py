"""The alarm dialog (`c`): set a CloudWatch alarm's state by hand (SetAlarmState), as
`set-alarm-state` does to test what listens to it.

It builds `set-alarm-state ALARM STATE [--reason TEXT]` and runs it as the other command
dialogs do (stptui.tui.screens.dialogs). As the form changes, the command's own
`check_set_alarm_state` says whether it would refuse (a reason over 1,023 characters) and
`state_change_lines` what it would do: the change, or that the alarm is already in that
state; the functions whose `cloudwatch-alarm` event it invokes (ALARM); the notification
targets told (ALARM and OK). Alarm names and reasons are shown as text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.handlers.alarms import (
    DEFAULT_REASON,
    alarm_data,
    check_set_alarm_state,
    datapoints_text,
    listeners,
    state_change_lines,
)
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.sim.alarms import ALARM, OK, STATES
from stptui.sim.clock import iso_ms
from stptui.sim.explain import cut
from stptui.tui.render import hanging, safe
from stptui.tui.screens.dialogs import CommandDialog, Hint, dialog_bindings
from stptui.tui.widgets.fields import SafeInput

# How much of the alarm's reason (up to 1,023 characters) the dialog shows: with the cut's
# `… (N more characters)`, two lines of an 80-column dialog, so that a long reason leaves
# the fields below on an 80x24 screen. The Inspector shows it whole.
REASON_WIDTH = 100

if TYPE_CHECKING:
    from stptui.sim.services.alarm import AlarmSim


def simulated_alarms(session: Session) -> dict[str, AlarmSim]:
    """The stack's simulated alarms by `resource.alarms.N`, in the stack's order."""
    service = session.sim.services.get("alarms")
    return dict(service.by_reference) if service is not None else {}


def picked_alarm(session: Session, selected: str | None) -> str:
    """The alarm the dialog opens on: the selected resource's first, else the first that
    the selected function's `cloudwatch-alarm` event names, else the first in ALARM, else
    the first."""
    alarms = simulated_alarms(session)
    own = [ref for ref, a in alarms.items() if a.spec.resource == selected]
    heard = [ref for ref in alarms if selected in listeners(session.sim, ref)]
    raised = [ref for ref, a in alarms.items() if a.state == ALARM]
    return (own or heard or raised or list(alarms))[0]


class AlarmStateDialog(CommandDialog):
    """Alarm picker (with its state now, since when, its reason and last periods), the state
    to set (the other of ALARM and OK, to start with), an optional reason, and what the
    command would do, or why it would refuse, as it is typed."""

    PREFIX = "alarm"
    FIRST_FIELD = "#alarm-reason"
    HEADING = "set an alarm's state (ctrl+s or enter sets, escape cancels)"
    VERB = "Set"
    HELP_TITLE = "Alarm dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Set", "Set the alarm's state")
    DEFAULT_CSS = "AlarmStateDialog #alarm-state-column { width: 24; }"

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        self.alarms = simulated_alarms(session)
        self.selected: str = picked_alarm(session, selected)

    def form(self) -> ComposeResult:
        """Alarm, its state now, the state to set, the reason, what setting it would do."""
        yield Label("alarm")
        options = [
            (Text.assemble(safe(ref), (f"  {a.state}", "dim")), ref)
            for ref, a in self.alarms.items()
        ]
        yield Select(options, value=self.selected, allow_blank=False, id="alarm-name")
        yield Hint(self.now_text(self.selected), id="alarm-now")
        # The state and the reason share a row: on rows of their own they made the dialog
        # scroll at 80x24. The reason's placeholder is the one the command gives.
        with Horizontal(classes="dialog-row"):
            with Vertical(id="alarm-state-column"):
                yield Label("state")
                yield Select(
                    [(Text(state), state) for state in STATES],
                    value=self.other_state(self.selected),
                    allow_blank=False,
                    id="alarm-state",
                )
            with Vertical():
                yield Label("reason (optional)")
                yield SafeInput(placeholder=DEFAULT_REASON, id="alarm-reason")
        yield Hint(Text(""), id="alarm-plan")

    def on_mount(self) -> None:
        self._check()

    def other_state(self, ref: str) -> str:
        """The state the dialog offers for `ref`: OK for an alarm in ALARM, else ALARM."""
        return OK if self.alarms[ref].state == ALARM else ALARM

    def now_text(self, ref: str) -> Text:
        """The alarm's AWS name and trigger, its state since when, its reason (its first
        REASON_WIDTH characters) and the datapoints of its last periods, as `show alarms`
        has them."""
        entry = next(e for e in alarm_data(self.session.sim) if e["reference"] == ref)
        lines = [
            f"{safe(entry['alarm'])} ({safe(entry['trigger'])})",
            f"{entry['state']} since {iso_ms(entry['since'])}: "
            f"{safe(cut(entry['reason'], REASON_WIDTH))}",
            f"last periods (oldest first, - missing): {datapoints_text(entry)}",
        ]
        return Text("\n").join(hanging(Text(line), 2) for line in lines)

    @on(Select.Changed, "#alarm-name")
    def _alarm_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.alarms:
            self.query_one("#alarm-now", Hint).show(self.now_text(event.value))
            self.query_one("#alarm-state", Select).value = self.other_state(event.value)
            self._check()

    @on(Select.Changed, "#alarm-state")
    @on(Input.Changed, "#alarm-reason")
    def _request_changed(self) -> None:
        self._check()

    def _check(self) -> None:
        """Show what `set-alarm-state` would do, or why it would refuse."""
        plan = self.query_one("#alarm-plan", Hint)
        ref, state = self.picked("#alarm-name"), self.picked("#alarm-state")
        try:
            check_set_alarm_state(self.session.sim, ref, state, self.reason() or DEFAULT_REASON)
        except CommandError as exc:
            plan.show(Text(""))
            self.show_error(render_plain(CommandResult(exc.format())))
            return
        lines = state_change_lines(self.session.sim, ref, state)
        plan.show(
            Text("\n").join(hanging(Text(line), 4 if i else 2) for i, line in enumerate(lines))
        )
        self.show_error("")

    def reason(self) -> str:
        """The reason typed (empty: the command's default is given)."""
        return self.value("#alarm-reason")

    def command_line(self) -> str:
        """`set-alarm-state ALARM STATE [--reason TEXT]`."""
        reason = self.reason()
        options = [("--reason", reason)] if reason else []
        return format_line(
            "set-alarm-state", [self.picked("#alarm-name"), self.picked("#alarm-state")], options
        )
