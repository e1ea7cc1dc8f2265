"""The command line (`:`): any command of the language, with completion and its output.

The line goes to `stptui.commands.execute`, exactly as in the REPL and scripts. The result
or the error is shown in the dialog (never raised), as plain text.
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
        values = complete_values(session, kind)
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
    ) -> None:
        super().__init__()
        self.run = run
        self.session = session
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "command (tab completes, enter runs, escape closes)"
            yield Input(
                self.initial,
                placeholder="send jobQueue '{\"id\": 1}'   advance 5m   help",
                suggester=CommandSuggester(self.session),
                id="command-input",
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

    @on(Input.Submitted, "#command-input")
    def _submit(self, event: Input.Submitted) -> None:
        output = self.query_one("#command-result", Static)
        try:
            result = self.run(event.value)
        except CommandError as exc:
            output.add_class("-error")
            output.update(Text(render_plain(CommandResult(exc.format()))))
            return
        output.remove_class("-error")
        # Rich tables fit the pane's width (cells fold); plain columns would wrap row by row.
        output.update(rich_result(result) if result.text or result.table else Text("ok"))
        event.input.value = ""
