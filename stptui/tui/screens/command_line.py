"""The command line (`:`): any command of the language, with completion and its output.

The line goes to `stptui.commands.execute`, exactly as in the REPL and scripts. The result
or the error is shown in the dialog (never raised), as plain text. Up and down go through
the lines run before (the app keeps them while it runs, as the REPL does); page up and page
down scroll a long output, since the line keeps the focus. A very long output is shown in
part, and whole on a page of its own (`stptui.tui.screens.output_page`).

A paste of several lines is a few commands (Textual's Input keeps the first line of a paste
and drops the rest). They are read as a script's lines are (a quote left open goes on on
the next line) and each is checked: a mistake in any runs none. Then they wait, listed,
until enter on an empty line runs them in order (as a shell runs a bracketed paste), each
echoed with its output; a refused one stops them and goes into the line to be fixed, and
the ones after it wait again. Escape drops them. One pasted line goes into the line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from stptui.commands import REGISTRY, CommandError, CommandResult, Session
from stptui.commands.result import render_plain
from stptui.commands.script import script_lines, split_lines
from stptui.repl.candidates import DURATION_EXAMPLES, Candidate, file_offers, offers
from stptui.repl.words import read_words
from stptui.textsafe import quote_word
from stptui.tui.render import Wrapped, output_text, problem_text, result_view
from stptui.tui.screens.dialogs import fit_heading
from stptui.tui.screens.modal import QuickModal
from stptui.tui.screens.output_page import OutputPage, shortened, whole_output_binding, with_note
from stptui.tui.widgets.fields import SafeInput, clean_typed
from stptui.tui.widgets.sized_text import SizedText

# How many lines the history keeps (the oldest go first).
HISTORY_LIMIT = 1000
# The box takes at most BOX_SHARE % of the screen's rows; the output at most OUTPUT_ROWS of
# them, and no more than the box leaves it beside its border and the line (BOX_FRAME).
BOX_SHARE = 60
OUTPUT_ROWS = 16
BOX_FRAME = 5
HEADING = "command (tab completes, enter runs, escape closes)"


def point_at(field: Input, exc: CommandError) -> None:
    """Select the word `exc` is about in `field`, which holds the line that ran (the app
    leaves out what comes before the command: spaces, a `:`), so that what is typed next
    replaces it; or put the cursor at the fault inside it (JSON broken there). A field
    holding another line, or an error about the whole line, is left as it is."""
    located = exc.located
    if located is None or not field.value.endswith(located.line):
        return
    shift = len(field.value) - len(located.line)
    if located.point == located.start:
        field.selection = Selection(shift + located.start, shift + located.end)
    else:
        field.cursor_position = shift + located.point


def completions(session: Session, line: str) -> list[str]:
    """Whole-line completions of `line`: the REPL's offers (`stptui.repl.candidates.offers`)
    for the word being typed, then for a FILE value the file names it starts
    (`file_offers`: a directory's with a `/`, hidden ones once a `.` is typed), each as the
    whole line it makes. Each replaces the word as typed (`purge "oth` makes
    `purge 'other queue'`), with its value quoted as the line needs it; what was typed
    before the word stays exactly as typed.

    The one difference: on an empty word the REPL's duration examples (`30s`, `5m`, ...)
    are left out, since Tab takes the first offer and would type an example the user did
    not choose; a number typed (`advance 5`) still offers its units (`5ms`, `5s`, ...).
    A value with a control or invisible character (an object key with an ESC or a line
    break in it) is offered in `$'...'` (`quote_word`), which the one-line field holds as
    it is, where the character itself would be dropped and the line name another key."""
    made = (
        line[: len(line) - o.replaces] + o.text
        for o in [*offers(session, line), *file_offers(line)]
        if o.word or o.candidate not in UNTYPED_EXAMPLES
    )
    return list(dict.fromkeys(made))


def _directory(line: str) -> bool:
    """Whether the last word of `line` is a directory's path (`runs/`, `'dir sp/'`)."""
    words = read_words(line).words
    return bool(words) and words[-1].text.endswith("/")


# The REPL's examples of a duration, offered when nothing is typed yet (see `completions`).
UNTYPED_EXAMPLES = frozenset(Candidate(d, "duration") for d in DURATION_EXAMPLES)


class CommandSuggester(Suggester):
    """Suggests the first completion of the line (accepted with the right arrow), drawn
    after the cursor."""

    def __init__(self, session: Callable[[], Session]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._session = session

    async def get_suggestion(self, value: str) -> str | None:
        """The first completion, when there is one and it only adds to the line: the field
        draws a suggestion's text from the line's length on, so one that rewrites the word
        typed (quotes it, as `purge "oth` is completed, or changes its case) would be drawn
        as garbage. Tab makes that one."""
        found = completions(self._session(), value)
        return found[0] if found and found[0].startswith(value) else None


class CommandInput(SafeInput):
    """The command line's field: a paste with line breaks in it is handed to the screen
    whole (with what the field held around it), to run as commands."""

    class PastedLines(Message):
        """Text with line breaks, pasted: the field's text with the paste in place."""

        def __init__(self, field: CommandInput, text: str) -> None:
            super().__init__()
            self.field = field
            self.text = text

        @property
        def control(self) -> CommandInput:
            """The field pasted into."""
            return self.field

    def _on_paste(self, event: events.Paste) -> None:
        text = clean_typed(event.text)
        if "\n" not in text:
            return  # Input's own handler inserts it
        # Input's handler, which would keep the first line, is not run.
        event.prevent_default()
        event.stop()
        start, end = sorted(self.selection)
        self.post_message(self.PastedLines(self, self.value[:start] + text + self.value[end:]))


def example_line(session: Session) -> str:
    """The placeholder's examples: a `send` to the stack's first queue that is no
    dead-letter queue (with the ids a FIFO queue needs), when it has one, as the stack's
    own names are what a reader can copy."""
    examples = ["advance 5m", "help"]
    queue = next((q for q in session.sim.queues.values() if not q.sources), None)
    if queue is not None:
        send = f"send {quote_word(queue.name)} '{{\"id\": 1}}'"
        if queue.fifo:
            send += " --group g1" + ("" if queue.content_dedup else " --dedup-id d1")
        examples.insert(0, send)
    return "   ".join(examples)


class CommandLineScreen(QuickModal[CommandResult | None]):
    """A one-line prompt with its output below; escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "dismiss(None)",
            "Close",
            tooltip="Close the command line (and drop pasted commands that wait)",
        ),
        Binding("tab", "complete", "Complete", priority=True, tooltip="Take the first completion"),
        Binding("up", "history(-1)", "Previous", tooltip="The line run before this one"),
        Binding("down", "history(1)", "Next", tooltip="The line run after this one"),
        Binding("pageup", "scroll_output(-1)", "Scroll up", tooltip="Scroll the output up"),
        Binding("pagedown", "scroll_output(1)", "Scroll down", tooltip="Scroll the output down"),
        whole_output_binding("The last output in full, on a page of its own (a long one is cut)"),
    ]
    DEFAULT_CSS = """
    CommandLineScreen { align: center bottom; }
    CommandLineScreen > Vertical {
        height: auto; max-height: {share}%; border: thick $primary; background: $surface;
    }
    CommandLineScreen #command-output { height: auto; max-height: {rows}; }
    CommandLineScreen .-error { color: $error; }
    """.replace("{share}", str(BOX_SHARE)).replace("{rows}", str(OUTPUT_ROWS))

    def __init__(
        self,
        run: Callable[[str], CommandResult],
        session: Callable[[], Session],
        initial: str = "",
        history: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.run = run
        self.session = session
        self.initial = initial
        # Shared with the app, so that the next command line has this one's lines too.
        self.history = [] if history is None else history
        # Where up and down are in the history (len(history): the line being typed), and
        # what was typed before going up, given back when coming down past the newest line.
        self._at = len(self.history)
        self._draft = initial
        # The last line run and its whole output as plain text (for ctrl+o).
        self._whole: tuple[str, str] | None = None
        # Pasted commands waiting for enter (on an empty line) to run them.
        self._pending: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = HEADING
            yield CommandInput(
                self.initial,
                placeholder=example_line(self.session()),
                suggester=CommandSuggester(self.session),
                id="command-input",
                # Opened from the palette with a command's name typed, the line goes on
                # after it: selected, the name was replaced by the first key typed.
                select_on_focus=False,
            )
            with VerticalScroll(id="command-output"):
                yield SizedText("", id="command-result", markup=False)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the output in the box: taller than what the box leaves it (below 36 rows),
        its foot was cut off by the box, where the page keys could not scroll to it."""
        room = event.size.height * BOX_SHARE // 100 - BOX_FRAME
        self.query_one("#command-output").styles.max_height = max(1, min(OUTPUT_ROWS, room))
        # The box is as wide as the screen.
        fit_heading(self.query_one(Vertical), HEADING, event.size.width)

    def action_complete(self) -> None:
        """Tab takes the first completion."""
        field = self.query_one(Input)
        found = completions(self.session(), field.value)
        if found:
            # A single completion is a whole word, and the next one is typed after a
            # space; but a filter's VALUE goes straight after its `FIELD=`, and a file's
            # name after its directory's `/`.
            whole = len(found) == 1 and not found[0].endswith("=") and not _directory(found[0])
            field.value = found[0] + (" " if whole else "")
            field.cursor_position = len(field.value)

    def action_history(self, step: int) -> None:
        """Show the line run before (-1) or after (1) the one shown."""
        at = max(0, min(self._at + step, len(self.history)))
        if at == self._at:
            return
        field = self.query_one(Input)
        if self._at == len(self.history):
            self._draft = field.value
        self._at = at
        field.value = self.history[at] if at < len(self.history) else self._draft
        field.cursor_position = len(field.value)

    def action_scroll_output(self, direction: int) -> None:
        """Scroll the output by a page, up (-1) or down (1)."""
        output = self.query_one("#command-output", VerticalScroll)
        if direction < 0:
            output.scroll_page_up(animate=False)
        else:
            output.scroll_page_down(animate=False)

    def _remember(self, line: str) -> None:
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
            del self.history[:-HISTORY_LIMIT]
        self._at = len(self.history)
        self._draft = ""

    def action_whole_output(self) -> None:
        """Show the last output in full on a page of its own."""
        if self._whole is None:
            self.app.bell()
            return
        line, text = self._whole
        self.app.push_screen(OutputPage(line, output_text(text)))

    @on(Input.Submitted, "#command-input")
    def _submit(self, event: Input.Submitted) -> None:
        if self._pending and not event.value.strip():
            self._run_pending()
            return
        self._remember(event.value)
        self.query_one("#command-output", VerticalScroll).anchor(False)
        output = self.query_one("#command-result", Static)
        try:
            result = self.run(event.value)
        except CommandError as exc:
            result = CommandResult(exc.format())
            self._whole = (event.value, render_plain(result))
            shown, note = shortened(result)
            output.add_class("-error")
            error: RenderableType = Wrapped(problem_text(render_plain(shown)))
            if self._pending:
                error = Group(error, self._waiting_note())
            output.update(with_note(error, note))
            point_at(event.input, exc)
            return
        self._whole = (event.value, render_plain(result))
        shown, note = shortened(result)
        output.remove_class("-error")
        # Rich tables fit the pane's width (cells fold); plain columns would wrap row by row.
        body = result_view(shown) if result.text or result.table else Text("ok")
        if self._pending:
            # A refused pasted command, fixed and run: the ones after it still wait.
            body = Group(body, self._waiting_note())
        output.update(with_note(body, note))
        event.input.value = ""

    def show_ended(self, line: str, text: str) -> None:
        """Show how a command that went on in the fast-forward dialog ended (`text`), in
        place of the output that said it went on there."""
        result = CommandResult(text)
        self._whole = (line, text)
        shown, note = shortened(result)
        body: RenderableType = result_view(shown)
        if self._pending:
            body = Group(body, self._waiting_note())
        output = self.query_one("#command-result", Static)
        output.remove_class("-error")
        output.update(with_note(body, note))

    @on(CommandInput.PastedLines, "#command-input")
    def _pasted(self, event: CommandInput.PastedLines) -> None:
        """Take pasted lines as commands: one goes into the line, as typed; several wait
        for enter, listed, once each has been checked (a mistake in any runs none)."""
        commands = [line for _, line in script_lines(split_lines([event.text]))]
        field = self.query_one(CommandInput)
        if len(commands) == 1 and "\n" not in commands[0]:
            field.value = commands[0]
            field.cursor_position = len(field.value)
            return
        field.value = ""
        self._pending = []
        for n, line in enumerate(commands, 1):
            try:
                REGISTRY.parse(line.lstrip().removeprefix(":"))
            except CommandError as exc:
                error = render_plain(CommandResult(exc.format()))
                listing = "\n".join(f"  {c}" for c in commands)
                self._show(
                    [
                        Text(f"pasted command {n} of {len(commands)}: {error}", "red"),
                        Text(f"so none of them was run:\n{listing}", "bold"),
                    ]
                )
                return
        if not commands:
            self._show([Text("nothing to run in the paste", "bold")])
            return
        self._pending = commands
        self._show([self._waiting_note()])

    def _waiting_note(self) -> Text:
        n = len(self._pending)
        text = Text(
            f"{n} pasted command{'s' * (n != 1)} wait{'s' * (n == 1)}: enter on an empty "
            "line runs them in order, escape drops them\n",
            "bold",
        )
        text.append("\n".join(f"  {c}" for c in self._pending))
        return text

    def _show(self, parts: list[RenderableType]) -> None:
        """Show `parts` as the output, its end in sight (kept there while it is laid out,
        as a long output grows when it wraps, until the next line runs or the user
        scrolls)."""
        output = self.query_one("#command-result", Static)
        output.remove_class("-error")
        output.update(Group(*parts))
        self.query_one("#command-output", VerticalScroll).anchor()

    def _run_pending(self) -> None:
        """Run the pasted commands in order, up to the first one refused; show each with
        its output, then what happened. A refused one goes into the line to be fixed (if
        it is one line) and the ones after it wait again."""
        commands, self._pending = self._pending, []
        field = self.query_one(CommandInput)
        shown: list[RenderableType] = []
        whole: list[str] = []

        def say(text: str, style: str = "") -> None:
            shown.append(Text(text, style))
            whole.append(text)

        for n, line in enumerate(commands):
            self._remember(line)
            say(f"> {line}", "bold")
            try:
                result = self.run(line)
            except CommandError as exc:
                say(render_plain(CommandResult(exc.format())), "red")
                if "\n" not in line:
                    field.value = line
                    field.cursor_position = len(line)
                    point_at(field, exc)
                self._pending = commands[n + 1 :]
                if self._pending:
                    shown.append(self._waiting_note())
                    whole.append(self._waiting_note().plain)
                break
            if result.text or result.table:
                cut, note = shortened(result)
                shown.append(with_note(result_view(cut), note))
                whole.append(render_plain(result))
            if "continued" in result.data:
                # The clock goes on in the fast-forward dialog: the commands after this one
                # wait for it, as they would have waited for the command.
                self._pending = commands[n + 1 :]
                if self._pending:
                    shown.append(self._waiting_note())
                    whole.append(self._waiting_note().plain)
                break
        else:
            n = len(commands)
            say(f"ran {n} pasted command{'s' * (n != 1)}", "bold")
        self._whole = ("pasted commands", "\n".join(whole))
        self._show(shown)
