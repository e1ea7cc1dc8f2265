"""The interactive REPL: a prompt_toolkit session whose every line goes to
`stptui.commands.execute`, the path scripts and the terminal UI take too.

The prompt completes from the registry and the live stack (`completer`), highlights
(`lexer`), checks the line before it runs (`validator`), keeps a history in the XDG state
directory (`history`) and shows the simulation's figures in its bottom toolbar (`toolbar`).
A command runs on the main thread while the prompt is down; it is handed a `should_stop`
that the simulator polls every 256 events, which redraws a progress line and reports
whether Ctrl-C was pressed (a SIGINT handler sets a flag meanwhile, so the simulation is
never torn in the middle of an event). An interrupted `advance` stops at a consistent
instant, and the command layer logs it as the `until` it amounted to. Lines pasted at once
run one after the other, as in a shell; the first that fails stops the rest, which come
back at the prompt.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from functools import partial
from types import FrameType
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import get_app, run_in_terminal
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.buffer import ValidationState
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import Condition, has_focus, to_filter
from prompt_toolkit.history import History
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import Dimension, FormattedTextControl, Window
from prompt_toolkit.lexers import DynamicLexer, Lexer, PygmentsLexer
from prompt_toolkit.shortcuts import confirm
from prompt_toolkit.styles import Style
from prompt_toolkit.widgets import ValidationToolbar
from rich.cells import cell_len
from rich.console import Console
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from stptui.commands import (
    REGISTRY,
    CommandError,
    CommandResult,
    RebuildProgress,
    Session,
    execute,
    plan_rebuild,
)
from stptui.commands import registry as kinds
from stptui.commands.rebuild import FrozenSimulation
from stptui.commands.result import make_console
from stptui.commands.session import banner_lines, idle_note, starter_note
from stptui.commands.watch import POLL_S, FileChange, InputWatcher
from stptui.repl.completer import build_completer
from stptui.repl.history import open_history
from stptui.repl.lexer import lexer_for
from stptui.repl.printer import Printer
from stptui.repl.shown import EscapedControls, escape_search_fields
from stptui.repl.toolbar import Toolbar
from stptui.repl.validator import CommandValidator
from stptui.repl.words import commands_in, one_line, read_words
from stptui.sim.behavior import BehaviorError, parse_duration
from stptui.sim.clock import parse_instant
from stptui.textsafe import flat

PROMPT = "stptui> "

# The most lines the reason Enter refuses a line takes above the toolbar.
VALIDATION_LINES = 3

# Commands after which the session has nothing unsaved (Ctrl-D with --confirm-exit).
SAVING_COMMANDS = ("save", "load")

STYLE = Style.from_dict(
    {
        "prompt": "bold ansicyan",
        "prompt-continuation": "ansibrightblack",
        "pygments.keyword": "bold ansicyan",
        "pygments.error": "ansired underline",
        "pygments.name.attribute": "ansimagenta",
        "pygments.name.variable": "bold ansigreen",
        "pygments.name.variable.magic": "bold ansiyellow",
        "pygments.name.builtin": "ansicyan",
        "pygments.name.tag": "ansiblue",
        "pygments.literal.number": "ansiyellow",
        "pygments.literal.date": "ansiyellow",
        "pygments.literal.string": "ansibrightmagenta",
        "pygments.keyword.constant": "ansiyellow",
        "pygments.operator": "ansibrightblue",
        "pygments.comment": "italic ansibrightblack",
        "bottom-toolbar": "noreverse bg:ansiblack ansiwhite",
        "toolbar.time": "bold",
        "escaped-control": "reverse",
        "toolbar.paused": "ansiyellow",
        "toolbar.recording": "bold ansired",
        "toolbar.changed": "bold ansiyellow",
        "toolbar.error": "ansired",
        "validation-toolbar": "bg:ansired ansiwhite",
    }
)


def horizon(session: Session, line: str) -> int | None:
    """The instant a clock command runs to (`advance 30d`, `until T`, `run --max 2h`),
    read from its DURATION or INSTANT argument; None for any other line."""
    try:
        call = REGISTRY.parse(line)
    except CommandError:
        return None
    if call is None or call.command.topic != "time":
        return None
    specs = [(a.kind, call.args.get(a.key)) for a in call.command.args]
    specs += [(o.kind, call.opts.get(o.key)) for o in call.command.options]
    now = session.sim.clock.now
    for kind, value in specs:
        if not isinstance(value, str):
            continue
        try:
            if kind == kinds.DURATION:
                return now + parse_duration(value)
            if kind == kinds.INSTANT:
                return parse_instant(value)
        except (BehaviorError, ValueError, OverflowError):
            return None
    return None


# The progress line leaves this many columns free at its right: Ctrl-C in a cooked terminal
# echoes `^C` after it.
ECHO_ROOM = 2
# The bar's width, and the narrower one below WIDE_PROGRESS columns, where the command and
# the figures need the room; the typed command keeps at least MIN_TYPED_CELLS cells (or a
# quarter of the line), cut with `…` past that.
BAR_CELLS = 24
NARROW_BAR_CELLS = 10
WIDE_PROGRESS = 96
MIN_TYPED_CELLS = 16


class Progress:
    """The live line a long command shows: a bar (when it runs to a known instant), the
    simulated time, the events run and the toolbar's figures. It appears only after a
    moment, so quick commands print nothing extra."""

    DELAY_S = 0.3
    INTERVAL_S = 0.1

    def __init__(self, console: Console, toolbar: Toolbar, line: str, until: int | None) -> None:
        self.console = console
        self.toolbar = toolbar
        self.line = line
        sim = toolbar.session.sim
        self.start_ms = sim.clock.now
        self.start_events = sim.clock.events_run
        self.until = until
        self._started = time.monotonic()
        self._next = self._started + self.DELAY_S
        self._live: Live | None = None
        # How far a rebuild's replay has come, while the line is one (undo, reload, load).
        self._rebuild: RebuildProgress | None = None

    def tick(self) -> None:
        """Redraw, at most ten times a second."""
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self.INTERVAL_S
        if self._live is None:
            self._live = Live(console=self.console, auto_refresh=False, transient=True)
            self._live.start()
        self._live.update(self.render(), refresh=True)

    def rebuilding(self, progress: RebuildProgress) -> None:
        """A rebuild's progress (its replay calls this): shown instead of the simulation's
        figures, which are the session's being replaced."""
        self._rebuild = progress
        self.tick()

    def render(self) -> Table:
        """The progress line: one line that leaves the last two columns free (an echoed
        `^C` lands there: on a full line it would wrap, and the line's erasure would miss
        the line above). The command and the percentage keep their cells; the figures are
        cut short first, and the bar is narrower on a narrow terminal."""
        width = max(self.console.width - ECHO_ROOM, 1)
        # The typed line is untrusted text (a pasted escape), and one line: `flat` shows both.
        typed = flat(self.line)
        cells: list[tuple[Text | ProgressBar, int | None]] = [
            (Text(typed, style="bold"), min(cell_len(typed), max(width // 4, MIN_TYPED_CELLS)))
        ]
        bar = BAR_CELLS if width >= WIDE_PROGRESS else NARROW_BAR_CELLS
        if (rebuild := self._rebuild) is not None:
            total = max(rebuild.total, 1)
            cells.append((ProgressBar(total=total, completed=rebuild.done, width=bar), bar))
            cells.append((Text(f"{100 * rebuild.done // total:>3}%"), 4))
            cells.append((Text(rebuild.text() + " ").append("Ctrl-C cancels", "dim"), None))
            return self._grid(cells, width)
        st = self.toolbar.status()
        if self.until is not None and self.until > self.start_ms:
            total = self.until - self.start_ms
            done = st.now_ms - self.start_ms
            cells.append((ProgressBar(total=total, completed=done, width=bar), bar))
            cells.append((Text(f"{100 * done // total:>3}%"), 4))
        figures = Text(st.time_text(), style="bold")
        figures.append(f" {st.events - self.start_events:,} events | {st.counts_text()} ", "")
        figures.append("Ctrl-C stops", "dim")
        cells.append((figures, None))
        return self._grid(cells, width)

    @staticmethod
    def _grid(cells: list[tuple[Text | ProgressBar, int | None]], width: int) -> Table:
        """The cells on one line of at most `width` cells: those with a width keep it, the
        last (the figures) takes what is left, cut with `…`."""
        grid = Table.grid(padding=(0, 1))
        fixed = [w for _, w in cells if w is not None]
        left = max(width - sum(fixed) - (len(cells) - 1), 1)
        for renderable, cells_wide in cells:
            if cells_wide is None:
                cells_wide = (
                    min(cell_len(renderable.plain), left) if isinstance(renderable, Text) else left
                )
            grid.add_column(no_wrap=True, overflow="ellipsis", width=cells_wide)
        grid.add_row(*(renderable for renderable, _ in cells))
        return grid

    def close(self) -> None:
        """Remove the line."""
        if self._live is not None:
            self._live.stop()
            self._live = None


@contextlib.contextmanager
def _sigint_kept_from_the_prompt() -> Iterator[None]:
    """A SIGINT while a command runs inside the prompt (a reload a save asked for) goes to
    that command alone. The prompt is put aside, the terminal in cooked mode, where Ctrl-C
    is a SIGINT: `run_line`'s handler takes it, but the interpreter also writes it to the
    wakeup descriptor of the prompt's asyncio loop, which would hand it to the prompt's own
    Ctrl-C binding once the command ended, dropping the line put aside. The descriptor is
    off meanwhile (a resize then is not heard either: the prompt measures the terminal as
    it draws itself again)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    wakeup = signal.set_wakeup_fd(-1)
    try:
        yield
    finally:
        signal.set_wakeup_fd(wakeup)


def validation_window(prompt: PromptSession[str]) -> Window | None:
    """The window of the prompt's validation toolbar (the reason Enter refuses a line)."""
    for window in prompt.app.layout.find_all_windows():
        control = window.content
        if (
            isinstance(control, FormattedTextControl)
            and callable(control.text)
            and control.text.__qualname__.startswith(ValidationToolbar.__name__)
        ):
            return window
    return None


def wrap_validation_toolbar(prompt: PromptSession[str]) -> None:
    """Let the reason Enter refuses a line wrap, up to VALIDATION_LINES lines:
    prompt_toolkit gives it one, which cut a hint at the terminal's edge (`cannot show
    'all' (usage: show queues | queue QUE`)."""
    window = validation_window(prompt)
    if window is not None:
        window.height = Dimension(min=1, max=VALIDATION_LINES)
        window.wrap_lines = to_filter(True)
        window.dont_extend_height = to_filter(True)


class Repl:
    """One interactive session over one simulation."""

    def __init__(
        self,
        session: Session,
        *,
        vi: bool = False,
        confirm_exit: bool = False,
        console: Console | None = None,
        history: History | None = None,
        watch: bool = False,
    ) -> None:
        """`watch`: while the prompt waits, reload when a file the session was built from
        is saved with other content (`stptui repl` does, unless --no-watch)."""
        self.session = session
        self.watcher: InputWatcher | None = InputWatcher() if watch else None
        self.watch_every_s = POLL_S
        self.confirm_exit = confirm_exit
        self.printer = Printer(console or make_console())
        self.toolbar = Toolbar(session)
        self._history_note: str | None = None
        if history is None:
            history, self._history_note = open_history()
        self._saved = self._log_state()
        self._interrupt = threading.Event()
        self._progress: Progress | None = None
        self._reported = False
        self._lexer_key: tuple[int, int] | None = None
        self._lexer: Lexer | None = None
        # The simulation kept out of the cyclic collector, from `run` on (`keep_frozen`).
        self._frozen: FrozenSimulation | None = None
        self.prompt: PromptSession[str] = self._make_prompt(vi, history)

    # -- the prompt ------------------------------------------------------------------------

    def _make_prompt(self, vi: bool, history: History) -> PromptSession[str]:
        bindings = KeyBindings()
        continues = Condition(lambda: read_words(get_app().current_buffer.text).open)
        empty = Condition(lambda: not get_app().current_buffer.text)

        @bindings.add("c-c", filter=empty)
        def _nothing(event: KeyPressEvent) -> None:
            """Ctrl-C on an empty line does nothing (on a typed line it drops the line)."""

        @bindings.add("enter", filter=~continues & has_focus(DEFAULT_BUFFER))
        def _accept(event: KeyPressEvent) -> None:
            """Enter runs the line once every quote and bracket is closed, after the full
            check: the one made while typing spared the word under the cursor."""
            buffer = event.current_buffer
            buffer.validation_state = ValidationState.UNKNOWN
            buffer.validate_and_handle()

        def continuation(width: int, line_number: int, wrap_count: int) -> str:
            return "." * (width - 1) + " "

        prompt: PromptSession[str] = PromptSession(
            [("class:prompt", PROMPT)],
            completer=build_completer(lambda: self.session),
            complete_in_thread=True,
            complete_while_typing=True,
            lexer=DynamicLexer(self._current_lexer),
            validator=CommandValidator(lambda: self.session),
            validate_while_typing=True,
            history=history,
            auto_suggest=AutoSuggestFromHistory(),
            bottom_toolbar=self.toolbar,
            input_processors=[EscapedControls()],
            style=STYLE,
            include_default_pygments_style=False,
            multiline=continues,
            prompt_continuation=continuation,
            vi_mode=vi,
            key_bindings=bindings,
            search_ignore_case=True,
            enable_open_in_editor=True,
            reserve_space_for_menu=8,
        )
        escape_search_fields(prompt)
        wrap_validation_toolbar(prompt)
        return prompt

    def _current_lexer(self) -> Lexer:
        """The lexer for the open stack (rebuilt after `load` brings another one). The
        account's buses (`default`) are in no stack, and are resources all the same."""
        key = (id(self.session.stack), len(REGISTRY.commands))
        if self._lexer is None or key != self._lexer_key:
            buses = self.session.sim.services.get("buses")
            resources = [*self.session.stack.resources, *(buses.buses if buses else ())]
            names = lexer_for(REGISTRY.commands, resources)
            self._lexer = PygmentsLexer(names, sync_from_start=True)
            self._lexer_key = key
        return self._lexer

    # -- the loop --------------------------------------------------------------------------

    def run(self) -> int:
        """Read and run lines until Ctrl-D; returns the exit code (0)."""
        self.keep_frozen()
        self._banner()
        pending = ""  # pasted commands that did not run: the next prompt holds them
        while True:
            try:
                text = self.prompt.prompt(default=pending, pre_run=self._start_watching)
            except KeyboardInterrupt:
                pending = ""
                continue
            except EOFError:
                if self._may_exit():
                    break
                continue
            pending = self.run_text(text)
        if self.session.recorder is not None:
            self.run_line("record stop")
        return 0

    def keep_frozen(self) -> None:
        """Keep the simulation out of the cyclic collector from now on: frozen now (after
        a collection of what opening the stack made: 1 ms on the demo, 60 ms at 2,000
        resources), and again after each command that replaced it (an undo, a reload, a
        load), the one replaced freed (`stptui.commands.rebuild.FrozenSimulation`). Its
        full passes otherwise scanned the whole simulation, 200-240 ms at 2,000 resources,
        on whichever key press they fell (`benchmarks/bench_repl.py`)."""
        self._frozen = FrozenSimulation()
        self._frozen.settle(self.session.sim)

    def _start_watching(self) -> None:
        """While the prompt waits (a command runs with the prompt down, and an edit saved
        meanwhile is seen at the next prompt), look at the session's files."""
        if self.watcher is not None:
            get_app().create_background_task(self._watch(self.watcher))

    async def _watch(self, watcher: InputWatcher) -> None:
        """Look at the files every `watch_every_s`, in a thread (a look reads what changed);
        a change is reloaded with the prompt put aside and drawn again after, the line being
        typed kept."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.watch_every_s)
            # Here, on the session's thread: a reload or load replaces what it reads.
            watcher.sync(self.session)
            change = await loop.run_in_executor(None, watcher.poll)
            if change is not None:
                await run_in_terminal(partial(self._reload_for, change))

    def _reload_for(self, change: FileChange) -> None:
        """The `reload` a save asks for, run as if typed: its progress, Ctrl-C to cancel,
        its answer or its refusal (the session then stays as it was)."""
        self.printer.note(f"{change.text()}: reload", style="yellow")
        with _sigint_kept_from_the_prompt():
            self.run_line("reload")

    def _banner(self) -> None:
        s = self.session
        first, second = banner_lines(s)
        self.printer.note(first, style="bold")
        self.printer.note(second)
        self.printer.note(
            # One line at 80 columns (80 characters), as the lines above it.
            "Tab completes, Ctrl-R searches history, Ctrl-C stops a run, Ctrl-D exits; `help`"
        )
        if (
            idle := idle_note(s.stack, bool(s.sim.behaviors.polls()), s.behaviors_path)
        ) is not None:
            self.printer.note(idle, style="yellow")
        elif (starter := starter_note(s)) is not None:
            self.printer.note(starter, style="yellow")
        if self._history_note:
            self.printer.note(self._history_note, style="yellow")

    def _log_state(self) -> tuple[str, ...]:
        return tuple(self.session.log)

    @property
    def unsaved(self) -> int:
        """How many state-changing commands differ from the session last saved or loaded:
        those run since, and those `undo` took back from it."""
        saved, log = self._saved, self.session.log
        common = 0
        for a, b in zip(saved, log, strict=False):
            if a != b:
                break
            common += 1
        return len(log) - common + len(saved) - common

    def _may_exit(self) -> bool:
        n = self.unsaved
        if not self.confirm_exit or n <= 0:
            return True
        try:
            return confirm(
                f"{n} command{'s' * (n != 1)} not saved (run or undone since the last save). "
                "Exit anyway?"
            )
        except (KeyboardInterrupt, EOFError):
            return False

    # -- running a line --------------------------------------------------------------------

    def interrupt(self) -> None:
        """What Ctrl-C does while a command runs: ask it to stop at the next consistent
        instant (the simulator checks every 256 events)."""
        self._interrupt.set()

    def _should_stop(self) -> bool:
        if self._progress is not None:
            self._progress.tick()
        return self._interrupt.is_set()

    def _report(self, line: str, result: CommandResult | None) -> None:
        """A command run by the command being run (`source`): shown as it happens."""
        self._reported = True
        if result is None:
            self.printer.echo(line)
        else:
            self.printer.result(result)

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.interrupt()

    def run_text(self, text: str) -> str:
        """Run what was entered at the prompt: one command, or several when lines were
        pasted at once, each in order as a shell runs them. Each of several is echoed
        before its output. A command that fails (or is interrupted) stops the rest, which
        are returned, to be offered at the next prompt: nothing pasted is lost."""
        commands = [command for _, command in commands_in(text)]
        if len(commands) < 2:
            # The command alone: a comment line pasted before it would comment it out.
            self.run_line(commands[0] if commands else text)
            return ""
        # Ctrl-C between two commands stops the batch too, rather than raising
        # KeyboardInterrupt out of the session (each command sets its own handler).
        on_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self._on_sigint) if on_main else None
        try:
            for n, command in enumerate(commands):
                self.printer.echo(command)
                if n and self._interrupt.is_set():
                    return self._not_run(commands[n:])
                if self.run_line(command) is None or self._interrupt.is_set():
                    return self._not_run(commands[n + 1 :])
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        return ""

    def _not_run(self, rest: list[str]) -> str:
        """Say how many pasted commands did not run; they go back to the prompt."""
        if rest:
            self.printer.note(
                f"{len(rest)} more pasted command{'s' * (len(rest) != 1)} not run: "
                "at the prompt to edit and run with Enter, or drop with Ctrl-C",
                style="yellow",
            )
        return "\n".join(rest)

    def run_line(self, text: str) -> CommandResult | None:
        """Run one typed line (it may span lines) and print what it did; None when it
        failed or was blank. Errors are printed, never raised."""
        line = one_line(text)
        if not line.strip():
            return None
        self._interrupt.clear()
        self._reported = False
        self._progress = Progress(
            self.printer.console, self.toolbar, line.strip(), horizon(self.session, line)
        )
        # signal.signal works on the main thread only; elsewhere `interrupt()` still does.
        on_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, self._on_sigint) if on_main else None
        try:
            result = self._execute(line)
        except CommandError as exc:
            self._end_run(previous)
            self.printer.error(exc)
            self.toolbar.last_error = exc.message
            return None
        except Exception as exc:
            # A bug in stptui: say so and keep the session rather than lose it.
            self._end_run(previous)
            self.printer.note(
                f"internal error: {type(exc).__name__}: {exc} (a bug in stptui; the "
                "simulation may be inconsistent, `save` it and report the steps)",
                style="bold red",
            )
            self.toolbar.last_error = f"internal error: {type(exc).__name__}"
            return None
        else:
            self._end_run(previous)
            # A `source` showed its commands' records as they ran; do not repeat them.
            self.printer.result(result, records=not self._reported)
            words = read_words(line).words
            if words and words[0].text in SAVING_COMMANDS:
                self._saved = self._log_state()
            return result
        finally:
            # Once what the command did is shown: a rebuild replaced the simulation (a
            # failed `source` may have, too), and the one replaced is freed here.
            if self._frozen is not None:
                self._frozen.settle(self.session.sim)

    def _execute(self, line: str) -> CommandResult:
        """Run `line`: a rebuild (undo, reload, load) with its own progress line, whose
        Ctrl-C cancels it and leaves the session as it was; any other command as it is."""
        rebuild = plan_rebuild(self.session, line)
        if rebuild is None:
            return execute(self.session, line, should_stop=self._should_stop, report=self._report)
        progress = self._progress
        return rebuild.run(
            progress=progress.rebuilding if progress is not None else None,
            should_stop=self._interrupt.is_set,
        )

    def _end_run(self, previous_handler: Any) -> None:
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)
        if self._progress is not None:
            self._progress.close()
            self._progress = None
