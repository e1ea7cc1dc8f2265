"""The invoke dialog (`v`): invoke a function, or start a batch job, with a JSON payload.

One dialog for both, as one picker of the stack's functions, then its batch jobs: each is
"run this now with this event", the payload field is the same, and one key reaches either
from the graph's selection. It builds `invoke FUNCTION [PAYLOAD] [--async]` or `start-job
JOB [PAYLOAD]` and runs it as the other command dialogs do (stptui.tui.screens.dialogs),
so it is logged, undone, saved and recorded like a typed line; its repeat field makes it
`repeat N [--every D] ...`. The payload is checked as it is typed by the command's own
checks: JSON, then Invoke's size limits (6 MB synchronous, 1 MB asynchronous:
`invoke_size_error`) or StartExecution's on a job's input (`start_job_input_error`). The
dialog stays open with the answer under the form, as the HTTP dialog shows a response: a
synchronous invoke's status and response (the FunctionError response of a failure), an
asynchronous one's event id, a job's execution id; to edit the payload and run it again.
EXAMPLE_KEY fills the payload with an example, the next at each press: the event each
trigger of the function delivers, then `{}` (a job's example event, then `{}`), as the
REPL offers them at `invoke FUNCTION ` (`stptui.commands.examples.payload_examples`),
indented, with the label saying what it stands for. It is an edit of the field, so that
ctrl+z in the field brings back what was typed before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Label, Select, Static, TextArea

from stptui import jsontext
from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.examples import INVOKE_PAYLOAD, BodyOffer, payload_examples
from stptui.commands.handlers.buckets_http_jobs import start_job_input_error
from stptui.commands.handlers.messages import invoke_size_error
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.config.model import ScheduleTrigger
from stptui.sim.behavior import format_duration
from stptui.tui.render import safe
from stptui.tui.screens.dialogs import (
    EXAMPLE_KEY,
    DialogFrame,
    ExampleDialog,
    Hint,
    dialog_bindings,
    example_binding,
    hint_lines,
)
from stptui.tui.screens.output_page import shortened, whole_output_binding
from stptui.tui.widgets.fields import SafeTextArea

SYNC, ASYNC = "sync", "async"
PAYLOAD_HINT = 'the payload must be a JSON document, e.g. {"orderId": 1}; empty sends {}'


def payload_label(function: bool) -> str:
    """The payload field's label as the dialog opens, for a function or a batch job."""
    return f"{'payload' if function else 'event'} (JSON; empty sends {{}})"


def picked_target(functions: list[str], jobs: list[str], selected: str | None) -> str:
    """The function or batch job the dialog opens on: the selected one, else the first
    function, else the first job."""
    names = functions + jobs
    return selected if selected in names else names[0]


def answer_text(result: CommandResult) -> Text:
    """A command's answer as the dialog shows it: its first line coloured by how the
    invocation ended (green a success or a queued event or started execution, yellow a
    throttle, red a failure or timeout), a long answer cut with a note (see `shortened`)."""
    shown, note = shortened(result)
    text = Text(render_plain(shown))
    if note:
        text.append(f"\n{note}", "bold")
    data = result.data if isinstance(result.data, dict) else {}
    status = data.get("status")
    style = (
        "bold green"
        if status in (None, "success")
        else "bold yellow"
        if status == "throttled"
        else "bold red"
    )
    text.stylize(style, 0, len(text.plain.split("\n", 1)[0]))
    return text


class InvokeDialog(ExampleDialog):
    """Picker of the functions and batch jobs (what the chosen one is, what triggers it,
    its invocations or executions so far), the invocation type of a function (sync or
    async), the payload (JSON, checked as it is typed), and the last answer."""

    PREFIX = "invoke"
    COMMANDS = ("invoke", "start-job")
    FIRST_FIELD = "#invoke-payload"
    EXAMPLE_FIELD = "#invoke-payload"
    EXAMPLE_LABEL = "#invoke-payload-label"
    ANSWER = "#invoke-answer"
    # The example key last: at 40 columns the keys are cut at their end (`fit_heading`),
    # and the two every dialog has stay whole.
    HEADING = (
        f"invoke a function or start a batch job (ctrl+s runs, escape closes, {EXAMPLE_KEY} "
        "examples)"
    )
    VERB = "Invoke"
    HELP_TITLE = "Invoke dialog"
    BINDINGS: ClassVar[list[BindingType]] = [
        *dialog_bindings("Run", "Invoke the function or start the job"),
        example_binding(
            "invoke-example",
            "Fill the payload with the next example: the event each trigger of the "
            "function delivers, then {} (a job's example event); ctrl+z in the field undoes it",
        ),
        whole_output_binding("The last answer in full, on a page of its own"),
    ]
    DEFAULT_CSS = """
    InvokeDialog #invoke-target-column { width: 2fr; }
    InvokeDialog #invoke-type-column { width: 1fr; }
    InvokeDialog #invoke-payload { height: 6; }
    /* The answer takes rows only once there is one: its placeholder made the dialog
       scroll at 80x24. It scrolls in a box that fits inside the dialog. */
    InvokeDialog #invoke-answer-box {
        height: auto; max-height: 12; display: none;
        border-top: hkey $panel-lighten-2;
    }
    InvokeDialog.-answered #invoke-answer-box { display: block; }
    InvokeDialog #invoke-answer-box:focus { border-top: hkey $accent; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        self.functions = list(session.sim.functions)
        self.jobs = list(session.sim.services["batch"].jobs)
        self.selected = picked_target(self.functions, self.jobs, selected)

    def form(self) -> ComposeResult:
        """Function or job and the invocation type; what it is; the payload."""
        # The invocation type shares the picker's row: on a row of its own it made the
        # dialog taller than 80x24 gives it once an answer shows.
        with Horizontal(classes="dialog-row"):
            with Vertical(id="invoke-target-column"):
                yield Label("function or batch job")
                yield Select(
                    self.target_options(),
                    value=self.selected,
                    allow_blank=False,
                    id="invoke-target",
                )
            with Vertical(id="invoke-type-column") as column:
                column.display = self.is_function(self.selected)
                yield Label("invocation type")
                yield Select(
                    [
                        (Text("sync: wait for it"), SYNC),
                        (Text("async: queue the event"), ASYNC),
                    ],
                    value=SYNC,
                    allow_blank=False,
                    id="invoke-type",
                    tooltip="sync is Invoke's RequestResponse: the clock runs until the "
                    "function returns, and the dialog shows its response; async is Event: "
                    "Lambda queues the event (retried twice if it fails) and answers 202",
                )
        yield Hint(self.about(self.selected), id="invoke-about")
        yield Label(payload_label(self.is_function(self.selected)), id="invoke-payload-label")
        yield SafeTextArea("{}", id="invoke-payload", classes="json example-field")

    def body(self) -> ComposeResult:
        """The form, the error line, repeat field and buttons, then the last answer."""
        yield from self.form()
        yield from self.controls()
        # Scrolled (and a tab stop, to scroll it from the keyboard) once it shows.
        with VerticalScroll(id="invoke-answer-box"):
            yield Static(Text(""), id="invoke-answer", markup=False)

    def target_options(self) -> list[tuple[Text, str]]:
        """The functions by name, then the batch jobs, each marked `(batch job)`."""
        options = [(Text(safe(name)), name) for name in self.functions]
        for name in self.jobs:
            label = Text(safe(name))
            label.append(" (batch job)", "dim")
            options.append((label, name))
        return options

    def is_function(self, name: str) -> bool:
        """Whether `name` is a function (else a batch job)."""
        return name in self.session.sim.functions

    def target(self) -> str:
        """The picked function or batch job."""
        return self.picked("#invoke-target")

    def asynchronous(self) -> bool:
        """Whether a function is to be invoked asynchronously (--async)."""
        return self.is_function(self.target()) and self.picked("#invoke-type") == ASYNC

    def line_command(self) -> str:
        """`invoke` for a function, `start-job` for a batch job."""
        return "invoke" if self.is_function(self.target()) else "start-job"

    def about(self, name: str) -> Text:
        """What the function or job is and what triggers it, and what it has run so far."""
        sim = self.session.sim
        if self.is_function(name):
            fn = sim.functions[name]
            lines = [
                Text(
                    f"{safe(name)}: function, timeout {format_duration(fn.timeout_ms)}; "
                    f"{fn.invocations:,} invocation{'s' * (fn.invocations != 1)} so far, "
                    f"{fn.running:,} running"
                )
            ]
            events = fn.model.events
        else:
            job = sim.services["batch"].jobs[name]
            done = ", ".join(f"{n:,} {k}" for k, n in job.counts.items())
            lines = [
                Text(
                    f"{safe(name)}: batch job, up to {job.attempts} attempt"
                    f"{'s' * (job.attempts != 1)}; {done}, {len(job.running):,} running"
                )
            ]
            events = job.model.events
        kinds = sorted({t.type for t in events})
        if kinds:
            lines.append(Text(f"triggered by {safe(', '.join(kinds))}; the payload is its event"))
        if any(isinstance(t, ScheduleTrigger) for t in events):
            lines.append(Text("`x` fires its schedule with the schedule's own event"))
        return hint_lines(lines, "")

    @on(Select.Changed, "#invoke-target")
    @on(Select.Changed, "#invoke-type")
    def _mode(self) -> None:
        """Show the fields and the verb of the picked function or job, and check again."""
        name = self.target()
        function = self.is_function(name)
        self.query_one("#invoke-type-column").display = function
        self.query_one("#invoke-about", Hint).show(self.about(name))
        verb = "Invoke" if function else "Start"
        self.query_one(f"#{self.PREFIX}-button", Button).label = verb
        self.target_changed(name)
        self.show_repeat_field()
        self.recheck()

    def example_target(self) -> str:
        """The function or job picked."""
        return self.target()

    def examples(self, target: str) -> list[BodyOffer]:
        """The event each trigger of the function delivers, then `{}` (a job's example
        event, then `{}`)."""
        return payload_examples(self.session.sim, target)

    def opening_text(self) -> str:
        """`{}`, what invoke sends without a payload."""
        return INVOKE_PAYLOAD

    def field_label(self) -> Text:
        """The payload's (a job's event's) own label."""
        return Text(payload_label(self.is_function(self.target())))

    def example_word(self) -> str:
        """`payload`, or `event` for a job."""
        return "payload" if self.is_function(self.target()) else "event"

    def example_note(self, target: str, count: int) -> str:
        """Why a function is offered `{}` alone (`no_examples`)."""
        return self.no_examples(target) if count == 1 and self.is_function(target) else ""

    def no_examples(self, name: str) -> str:
        """Why a function is offered `{}` alone: it has no trigger, or none whose event is
        made here (Kafka, logs, alarms, WebSocket, AppSync)."""
        events = self.session.sim.functions[name].model.events
        if not events:
            return f"{safe(name)} has no trigger"
        kinds = ", ".join(sorted({t.type for t in events}))
        return f"no example is made of what {safe(kinds)} delivers"

    def payload(self, text: str) -> Any:
        """The payload the field's `text` gives (`{}` for none); raises ValueError when it
        is not JSON."""
        return jsontext.loads(text) if text.strip() else {}

    def problem(self) -> str | None:
        """Why the command would refuse the payload, in its words, or None: not JSON, or
        over Invoke's limit (of the invocation type picked), or over StartExecution's on a
        job's input. Repeated, repetition 1's."""
        text = self.value("#invoke-payload")
        try:
            # Read once: a payload of megabytes takes a tenth of a second to parse.
            payload = self.payload(self.as_first(text))
        except ValueError:
            # In json_problem's words, which say what `{i}` needs too.
            return self.json_problem(text)
        name = self.target()
        if self.is_function(name):
            error = invoke_size_error(name, payload, asynchronous=self.asynchronous())
        else:
            error = start_job_input_error(self.session.sim.services["batch"], name, payload)
        return None if error is None else render_plain(CommandResult(error.format()))

    def field_problem(self, area: TextArea) -> str | None:
        """The payload's problem (see `problem`)."""
        return self.problem()

    def recheck(self) -> None:
        """The payload's check again: repeated, repetition 1's; for the picked mode."""
        self._stop_json_check()
        self.show_error(self.problem() or "")

    def command_line(self) -> str:
        """`invoke FUNCTION [PAYLOAD] [--async]` or `start-job JOB [PAYLOAD]`."""
        text = self.value("#invoke-payload")
        if text.strip():
            problem = self.json_problem(text)
            if problem:
                raise CommandError(problem, PAYLOAD_HINT)
        words = [self.target()] + ([text] if text.strip() else [])
        options: list[tuple[str, str | None]] = [("--async", None)] if self.asynchronous() else []
        return format_line(self.line_command(), words, options)

    def action_whole_output(self) -> None:
        """Show the last answer in full on a page of its own."""
        self.whole_answer("Invoke answer")

    def render_answer(self, result: CommandResult) -> Text:
        """The answer, its first line coloured (see `answer_text`)."""
        return answer_text(result)

    def draw_answer(self, text: Text) -> None:
        """Show the answer box under the form (it takes rows only once there is one), with
        `text` read from its first line."""
        self.add_class("-answered")
        self.query_one("#invoke-answer", Static).update(text)
        self.query_one("#invoke-answer-box", VerticalScroll).scroll_home(animate=False)

    def ran(self, result: CommandResult) -> None:
        """Show the answer under the form and stay open, to run it again; the panes show
        what it did."""
        self.show_answer(result)
        self.query_one("#invoke-about", Hint).show(self.about(self.target()))
        # Under the form, it may be below the fold: in sight once laid out, and kept there
        # through the layouts that follow (the dialog's scrollbar narrows the form, which
        # wraps taller: see `DialogFrame.keep`).
        frame = self.query(".dialog-box").first(DialogFrame)
        frame.keep(self.query_one("#invoke-answer-box", VerticalScroll))
