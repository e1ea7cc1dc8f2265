"""The answer-task dialog (`a`): answer a Step Functions callback task waiting for its token.

It builds `send-task-success TASK OUTPUT`, `send-task-failure TASK [--error E] [--cause C]`
or `send-task-heartbeat TASK` and runs it as the other command dialogs do
(stptui.tui.screens.dialogs), so the answer is logged and recorded like a typed line. The
task is named as a user would type it: by its execution when that is the only execution of
the name and it has only this task waiting, else by the start of its token. What the form
holds is checked as it is typed by SendTaskSuccess's and SendTaskFailure's own limits (the
output JSON of at most 256 KiB, the error 256 characters, the cause 32,768), so a refusal
shows before anything runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, TextArea

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.registry import format_line
from stptui.tui.render import clock_time, safe
from stptui.tui.screens.dialogs import CommandDialog, Hint, dialog_bindings, json_problem
from stptui.tui.widgets.fields import SafeInput, SafeTextArea

if TYPE_CHECKING:
    from stptui.sim.asl_callbacks import WaitingTask

# The answers, as the picker offers them (short enough for it beside the task's at 80
# columns), and the command each runs.
ANSWERS = (
    ("success: ends with an output", "send-task-success"),
    ("failure: Retry and Catch apply", "send-task-failure"),
    ("heartbeat: its worker is alive", "send-task-heartbeat"),
)
OUTPUT_HINT = 'the output must be JSON text, e.g. {"approved": true}'


def task_label(task: WaitingTask) -> Text:
    """A waiting task in the picker: `small · Ship (orderApproval) since 08:00:00.200`."""
    return Text(
        f"{safe(task.execution.name)} · {safe(task.shown)} ({safe(task.machine.name)}) "
        f"since {clock_time(task.since_ms)}"
    )


def task_reference(task: WaitingTask, waiting: list[WaitingTask], session: Session) -> str:
    """How the command names `task`: its execution's name when no other execution has that
    name and no other task of it waits (what `show execution` suggests), else the shortest
    start of its token (16 characters or more) that no other token starts with."""
    from stptui.sim.asl_callbacks import SHORT, tokens_of

    ex = task.execution
    machines = session.sim.services.get("state_machines", {})
    same_name = [e for m in machines.values() for e in m.executions.values() if e.name == ex.name]
    if len(same_name) == 1 and [t for t in waiting if t.execution is ex] == [task]:
        return ex.name
    others = [t.token for t in tokens_of(session.sim).tasks.values() if t is not task]
    for length in range(SHORT, len(task.token)):
        start = task.token[:length]
        if not any(other.startswith(start) for other in others):
            return start
    return task.token


class AnswerTaskDialog(CommandDialog):
    """Picker of the tasks waiting for a token (with the state, its timers and where its
    output goes), the answer (success, failure or heartbeat), and its fields: the output
    (JSON, checked as it is typed), or the error and cause."""

    PREFIX = "answer"
    FIRST_FIELD = "#answer-output"
    HEADING = "answer a waiting task (ctrl+s answers, escape cancels)"
    VERB = "Answer"
    HELP_TITLE = "Answer-task dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Answer", "Send the answer")
    DEFAULT_CSS = """
    AnswerTaskDialog #answer-output { height: 6; }
    AnswerTaskDialog .answer-fields { height: auto; }
    AnswerTaskDialog #answer-kind-column { width: 38; }
    """

    def __init__(
        self,
        session: Session,
        waiting: list[WaitingTask],
        token: str | None,
        run: Callable[[str], CommandResult],
    ) -> None:
        """`waiting` are the open tasks (at least one); `token` picks the one shown first."""
        super().__init__(run)
        self.session = session
        self.tasks = {task.token: task for task in waiting}
        self.selected: str = token if token in self.tasks else waiting[0].token

    def form(self) -> ComposeResult:
        """Task, its state and timers, the answer, then the output or the error and cause."""
        # The answer shares the task's row: on a row of its own it made the dialog scroll
        # at 80x24. The task's picker may cut its label; the hint under them has it all.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("waiting task")
                yield Select(
                    [(task_label(t), t.token) for t in self.tasks.values()],
                    value=self.selected,
                    allow_blank=False,
                    id="answer-task",
                )
            with Vertical(id="answer-kind-column"):
                yield Label("answer")
                yield Select(
                    [(label, command) for label, command in ANSWERS],
                    value=ANSWERS[0][1],
                    allow_blank=False,
                    id="answer-kind",
                )
        yield Hint(self.task_text(self.selected), id="answer-hint")
        with Vertical(id="answer-success", classes="answer-fields"):
            yield Label("output (JSON: the task's result)")
            yield SafeTextArea("{}", id="answer-output", classes="json")
        # The error and the cause share a row: on rows of their own they made the dialog
        # scroll at 80x24. The error's placeholder says what an empty one means.
        with Horizontal(id="answer-failure", classes="answer-fields dialog-row"):
            with Vertical():
                yield Label("error (Retry and Catch match it)")
                yield SafeInput(placeholder="empty: States.ALL only", id="answer-fail-error")
            with Vertical():
                yield Label("cause (optional, in words)")
                yield SafeInput(placeholder="e.g. over the credit limit", id="answer-fail-cause")

    def on_mount(self) -> None:
        self._show_fields(ANSWERS[0][1])

    def task_text(self, token: str) -> Text:
        """The task's state and execution, since when it waits, its HeartbeatSeconds and
        TimeoutSeconds, where a success's output goes, and the start of its token."""
        from stptui.sim.asl_callbacks import short

        task = self.tasks[token]
        state = task.state
        lines = [
            f"state {safe(task.shown)} of execution {safe(task.execution.name)} "
            f"({safe(task.machine.name)}), waiting since {clock_time(task.since_ms)}"
        ]
        timers = [
            f"{word} {state[key]} s"
            for word, key in (
                ("heartbeat every", "HeartbeatSeconds"),
                ("timeout", "TimeoutSeconds"),
            )
            if isinstance(state.get(key), int)
        ]
        if timers:
            lines.append(", ".join(timers))
        if "ResultPath" in state:
            where = state["ResultPath"]
            lines.append(
                "a success's output is discarded (ResultPath null)"
                if where is None
                else f"a success's output goes to {safe(where)} (ResultPath)"
            )
        lines.append(f"token {short(task.token)} (answered as {safe(self.reference(task))})")
        return Text("\n".join(lines))

    def reference(self, task: WaitingTask) -> str:
        """How the command line names `task` (see `task_reference`)."""
        return task_reference(task, list(self.tasks.values()), self.session)

    def _show_fields(self, command: str) -> None:
        self.query_one("#answer-success").display = command == "send-task-success"
        self.query_one("#answer-failure").display = command == "send-task-failure"

    @on(Select.Changed, "#answer-task")
    def _task_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.tasks:
            self.selected = event.value
            self.query_one("#answer-hint", Hint).show(self.task_text(event.value))

    @on(Select.Changed, "#answer-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._show_fields(event.value)
            self.show_error(self.problem() or "")

    @on(Input.Changed, "#answer-fail-error")
    @on(Input.Changed, "#answer-fail-cause")
    def _failure_changed(self) -> None:
        self.show_error(self.problem() or "")

    def field_problem(self, area: TextArea) -> str | None:
        """The output's problem (only a success has one)."""
        return self.problem()

    def problem(self) -> str | None:
        """Why Step Functions would refuse the answer the form holds, or None: a success's
        output not JSON or over 256 KiB, a failure's error or cause too long."""
        from stptui.sim.asl_callbacks import MAX_CAUSE, MAX_ERROR, MAX_OUTPUT_BYTES

        command = self.picked("#answer-kind")
        if command == "send-task-success":
            text = self.value("#answer-output")
            problem = json_problem(text)
            if problem:
                return f"InvalidOutput: the output is {problem}"
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > MAX_OUTPUT_BYTES:
                return (
                    f"InvalidOutput: the output is {size:,} bytes; at most "
                    f"{MAX_OUTPUT_BYTES:,} (256 KiB)"
                )
        elif command == "send-task-failure":
            for field, limit, what in (
                ("#answer-fail-error", MAX_ERROR, "error"),
                ("#answer-fail-cause", MAX_CAUSE, "cause"),
            ):
                length = len(self.value(field))
                if length > limit:
                    return (
                        f"ValidationException: the {what} is {length:,} characters; "
                        f"at most {limit:,}"
                    )
        return None

    def command_line(self) -> str:
        """`send-task-success TASK OUTPUT`, `send-task-failure TASK [--error E] [--cause C]`
        or `send-task-heartbeat TASK`."""
        command = self.picked("#answer-kind")
        task = self.tasks[self.picked("#answer-task")]
        words = [self.reference(task)]
        options: list[tuple[str, str]] = []
        if command == "send-task-success":
            output = self.value("#answer-output")
            problem = json_problem(output)
            if problem:
                raise CommandError(f"InvalidOutput: the output is {problem}", OUTPUT_HINT)
            words.append(output)
        elif command == "send-task-failure":
            for option, field in (
                ("--error", "#answer-fail-error"),
                ("--cause", "#answer-fail-cause"),
            ):
                value = self.value(field)
                if value:
                    options.append((option, value))
        return format_line(command, words, options)
