"""The start-execution dialog (`t`): start an execution of a Step Functions state machine.

It builds `start-execution SM INPUT [--name N]` and runs it as the other command dialogs do
(stptui.tui.screens.dialogs). What it holds is checked as it is typed, by the checks the
command itself runs: the input as JSON and against the 256 KiB limit, the name by
StartExecution's rules (`check_execution_name`) and against the machine's executions
(ExecutionAlreadyExists), so a refusal shows before anything runs. Its repeat field runs
the line under `repeat` (`--name run-{i}` names each execution), and the checks are then
repetition 1's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, Select, TextArea

from stptui import jsontext
from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.handlers.state_machines import INPUT_HINT
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.textsafe import json_shown
from stptui.tui.render import safe
from stptui.tui.screens.dialogs import (
    CommandDialog,
    Hint,
    choices,
    dialog_bindings,
    hint_lines,
)
from stptui.tui.widgets.fields import SafeInput, SafeTextArea

if TYPE_CHECKING:
    from stptui.sim.services.state_machine import MachineSim


def starting_input(machine: MachineSim) -> str:
    """The input the field starts with: the machine's latest execution's (to start another
    like it), else one with what its first states read (`asl_examples.example_input`: a
    Choice on `$.valid` gets `{"valid":true}`, where `{}` failed at once). Characters the
    field would drop are JSON escapes (`json_shown`)."""
    latest = list(machine.executions.values())[-1:]
    if latest:
        return json_shown(json.dumps(latest[0].input, ensure_ascii=False))
    # Imported here, as `examples.execution_example` does: a start without a state machine
    # does without the JSONPath reader it loads.
    from stptui.sim.asl_examples import example_input_text

    return json_shown(example_input_text(machine.definition))


class StartExecutionDialog(CommandDialog):
    """State machine picker (with its start state and executions), the input (JSON, checked
    as it is typed) and an optional name (checked as StartExecution checks it)."""

    COMMAND = "start-execution"
    PREFIX = "exec"
    FIRST_FIELD = "#exec-input"
    HEADING = "start an execution (ctrl+s starts, escape cancels)"
    VERB = "Start"
    HELP_TITLE = "Start-execution dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Start", "Start the execution")
    DEFAULT_CSS = """
    StartExecutionDialog #exec-input { height: 6; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.machines: dict[str, MachineSim] = session.sim.services["state_machines"]
        self.selected: str = selected if selected in self.machines else next(iter(self.machines))

    def form(self) -> ComposeResult:
        """State machine, what it starts with and its executions, input, name."""
        yield Label("state machine")
        yield Select(
            choices(self.machines), value=self.selected, allow_blank=False, id="exec-machine"
        )
        yield Hint(self.machine_text(self.selected), id="exec-hint")
        yield Label("input (JSON)")
        yield SafeTextArea(
            starting_input(self.machines[self.selected]), id="exec-input", classes="json"
        )
        yield Label("name (optional: a UUID otherwise; unique per state machine)")
        yield SafeInput(placeholder="e.g. order-1", id="exec-name")

    def machine_text(self, name: str) -> Text:
        """Where the machine starts, how many states it has, and its executions so far."""
        machine = self.machines[name]
        states = machine.definition.get("States") or {}
        lines = [
            Text(
                f"starts at {safe(machine.definition.get('StartAt', '?'))}, "
                f"{len(states)} state{'s' * (len(states) != 1)}"
            )
        ]
        figures = machine.figures()
        if figures["started"]:
            done = ", ".join(
                f"{figures[k]:,} {k.replace('_', ' ')}"
                for k in ("running", "succeeded", "failed", "timed_out", "aborted")
                if figures[k]
            )
            lines.append(Text(f"{figures['started']:,} started: {done}"))
        else:
            lines.append(Text("no executions yet"))
        if machine.problems:
            lines.append(Text(f"its definition is invalid: {safe(machine.problems[0].message)}"))
        return hint_lines(lines, "")

    def problem(self) -> str | None:
        """Why StartExecution would refuse what the form holds, or None: the input not JSON
        or over 256 KiB, the name invalid or already used."""
        # Lazily: the app imports this dialog for its keys, and the state machine service
        # (with Step Functions' interpreter) is only needed once a stack has a machine.
        from stptui.sim.services.state_machine import (
            MAX_PAYLOAD_BYTES,
            RUNNING,
            ExecutionError,
            check_execution_name,
        )

        text = self.value("#exec-input")
        problem = self.json_problem(text)
        if problem:
            return problem
        # Repeated, the checks are repetition 1's (`{i}` as 1).
        value = jsontext.loads(self.as_first(text))
        size = len(json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        if size > MAX_PAYLOAD_BYTES:
            return (
                f"InvalidExecutionInput: the input is {size:,} bytes; an execution's input is "
                f"at most {MAX_PAYLOAD_BYTES:,} (256 KiB)"
            )
        name = self.as_first(self.value("#exec-name"))
        if not name:
            return None
        try:
            check_execution_name(name)
        except ExecutionError as exc:
            return render_plain(CommandResult(CommandError(str(exc), exc.hint).format()))
        old = self.machines[self.picked("#exec-machine")].executions.get(name)
        if old is not None and not (old.status == RUNNING and old.input == value):
            return (
                f"ExecutionAlreadyExists: {safe(name)} is already an execution of this "
                "state machine; pick another name or leave it empty"
            )
        return None

    def field_problem(self, area: TextArea) -> str | None:
        """The input's problem, else the name's (the error line shows one at a time)."""
        return self.problem()

    @on(Input.Changed, "#exec-name")
    def _name_changed(self) -> None:
        self.show_error(self.problem() or "")

    @on(Select.Changed, "#exec-machine")
    def _machine_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str) or event.value == self.selected:
            return
        area = self.query_one("#exec-input", SafeTextArea)
        # Untouched, the starting input follows the machine.
        if area.text == starting_input(self.machines[self.selected]):
            area.text = starting_input(self.machines[event.value])
        self.selected = event.value
        self.query_one("#exec-hint", Hint).show(self.machine_text(event.value))
        self.show_error(self.problem() or "")

    def command_line(self) -> str:
        """`start-execution SM INPUT [--name N]`."""
        text = self.value("#exec-input")
        problem = self.json_problem(text)
        if problem:
            raise CommandError(problem, INPUT_HINT)
        name = self.value("#exec-name")
        options = [("--name", name)] if name else []
        return format_line("start-execution", [self.picked("#exec-machine"), text], options)
