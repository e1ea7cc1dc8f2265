"""The command line (`:`): any command of the language, with completion and its output.

The line goes to `stptui.commands.execute`, exactly as in the REPL and scripts. The result
or the error is shown in the dialog (never raised), as plain text. Up and down go through
the lines run before (the app keeps them while it runs, as the REPL does); page up and page
down scroll a long output, since the line keeps the focus. A very long output is shown in
part, and whole on a page of its own (`stptui.tui.screens.output_page`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from stptui.commands import REGISTRY, CommandError, CommandResult, Session, complete_values
from stptui.commands import registry as kinds
from stptui.commands.registry import tokenize
from stptui.commands.result import render_plain, rich_result
from stptui.tui.screens.output_page import OutputPage, shortened, whole_output_binding, with_note
from stptui.tui.widgets.fields import SafeInput

# How many lines the history keeps (the oldest go first).
HISTORY_LIMIT = 1000


def completions(session: Session, line: str) -> list[str]:
    """Whole-line completions of `line`: a command name first, then argument values."""
    words = line.split(" ")
    if len(words) == 1:
        return [name for name in REGISTRY.commands if name.startswith(words[0])]
    cmd = REGISTRY.commands.get(words[0])
    if cmd is None:
        return []
    try:
        done = tokenize(" ".join(words[:-1]))[1:]
    except CommandError:
        return []
    positional = [w for w in done if not w.startswith("--")]
    partial = words[-1]
    if len(positional) < len(cmd.args):
        kind = cmd.args[len(positional)].kind
        # The values before narrow this one (that bus's sources, that bucket's keys). A
        # `rest` argument's words have kinds of their own, so pairing stops at it.
        before: list[tuple[str, str]] = []
        for arg, word in zip(cmd.args, positional, strict=False):
            if arg.rest:
                break
            before.append((arg.kind, word))
        values = complete_values(session, kind, before)
        if kind in (kinds.TEXT, kinds.PAYLOAD, kinds.WORD):
            values = []
    else:
        values = [o.name for o in cmd.options]
    head = " ".join(words[:-1])
    return [f"{head} {v}" for v in values if v.startswith(partial)]


class CommandSuggester(Suggester):
    """Suggests the first completion of the line (accepted with the right arrow)."""

    def __init__(self, session: Callable[[], Session]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self._session = session

    async def get_suggestion(self, value: str) -> str | None:
        """The first completion, when there is one."""
        found = completions(self._session(), value)
        return found[0] if found else None


class CommandLineScreen(ModalScreen[CommandResult | None]):
    """A one-line prompt with its output below; escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Close", tooltip="Close the command line"),
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
        height: auto; max-height: 60%; border: thick $primary; background: $surface;
    }
    CommandLineScreen #command-output { height: auto; max-height: 16; }
    CommandLineScreen .-error { color: $error; }
    """

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

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "command (tab completes, enter runs, escape closes)"
            yield SafeInput(
                self.initial,
                placeholder="send jobQueue '{\"id\": 1}'   advance 5m   help",
                suggester=CommandSuggester(self.session),
                id="command-input",
                # Opened from the palette with a command's name typed, the line goes on
                # after it: selected, the name was replaced by the first key typed.
                select_on_focus=False,
            )
            with VerticalScroll(id="command-output"):
                yield Static("", id="command-result", markup=False)

    def action_complete(self) -> None:
        """Tab takes the first completion."""
        field = self.query_one(Input)
        found = completions(self.session(), field.value)
        if found:
            field.value = found[0] + (" " if len(found) == 1 else "")
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
        self.app.push_screen(OutputPage(line, Text(text)))

    @on(Input.Submitted, "#command-input")
    def _submit(self, event: Input.Submitted) -> None:
        self._remember(event.value)
        output = self.query_one("#command-result", Static)
        try:
            result = self.run(event.value)
        except CommandError as exc:
            result = CommandResult(exc.format())
            self._whole = (event.value, render_plain(result))
            shown, note = shortened(result)
            output.add_class("-error")
            output.update(with_note(Text(render_plain(shown)), note))
            return
        self._whole = (event.value, render_plain(result))
        shown, note = shortened(result)
        output.remove_class("-error")
        # Rich tables fit the pane's width (cells fold); plain columns would wrap row by row.
        body = rich_result(shown) if result.text or result.table else Text("ok")
        output.update(with_note(body, note))
        event.input.value = ""
