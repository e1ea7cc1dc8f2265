"""The stptui Textual app: the main screen's panes, the clock, bindings and actions.

Data flows one way. The app subscribes to the session's trace and buffers records; once
per frame (a timer while the clock runs, or right after a command) it flushes the batch to
the panes, which redraw from it and from the simulator's queries. Every change of state is
a command line run through `stptui.commands.execute`, except the live clock's slices
(`stptui.tui.live`), which log their replayable equivalent.
"""

from __future__ import annotations

import shlex
import time
from typing import ClassVar

import networkx as nx
from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import DataTable, Footer, OptionList, Static

from stptui.commands import REGISTRY, CommandError, CommandResult, Session, execute
from stptui.commands.result import render_plain
from stptui.graph import build_graph
from stptui.sim.trace import Record
from stptui.tui.live import LiveClock, speed_label
from stptui.tui.palette import StackProvider
from stptui.tui.render import pretty_json
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.dialogs import SendDialog, TextDialog
from stptui.tui.screens.help import HelpScreen
from stptui.tui.widgets.agenda_pane import AgendaPane
from stptui.tui.widgets.clock_bar import ClockBar
from stptui.tui.widgets.events_pane import EventsPane, RecordList
from stptui.tui.widgets.graph_pane import GraphPane
from stptui.tui.widgets.inspector_pane import InspectorPane, describe_resource
from stptui.tui.widgets.queues_pane import QueuesPane

FRAME_S = 1 / 20
# Queue counts (the oldest age scans every message), message lists and the agenda (which
# sorts the scheduler's heap) cost O(messages): while running they redraw a few times a
# second; the clock, the events and the graph badges redraw every frame.
SLOW_PANES_EVERY_S = 0.25
NARROW_WIDTH = 120
# Number key -> (pane id, the widget inside it that takes focus, title).
PANES: dict[str, tuple[str, str, str]] = {
    "1": ("graph-pane", "#graph-pane", "Graph"),
    "2": ("queues-pane", "#queue-table", "Queues"),
    "3": ("events-pane", "#event-list", "Events"),
    "4": ("inspector-pane", "#inspector-pane", "Inspector"),
    "5": ("agenda-pane", "#agenda-pane", "Agenda"),
}
# Record fields whose value `explain` takes, in order of preference.
EXPLAIN_KEYS = ("message_id", "event_id", "invocation_id", "execution_id", "key")
# Keys that open a dialog for a command other engineers may add to the registry.
OPTIONAL_COMMANDS: dict[str, str] = {
    "publish": "p",
    "upload": "u",
    "http": "h",
    "fire": "x",
}


class StptuiApp(App[None]):
    """See and drive one stack's simulation."""

    CSS_PATH = "app.tcss"
    TITLE = "stptui"
    COMMANDS = App.COMMANDS | {StackProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave stptui"),
        Binding(
            "question_mark",
            "help",
            "Help",
            key_display="?",
            id="help",
            tooltip="Every key and what it does",
        ),
        Binding(
            "space",
            "toggle_run",
            "Play/Pause",
            id="toggle-run",
            tooltip="Run the virtual clock at the chosen speed, or pause it",
        ),
        Binding("n", "step", "Step", id="step", tooltip="Run the next scheduled event"),
        Binding(
            "plus,equals_sign",
            "faster",
            "Faster",
            key_display="+",
            id="faster",
            tooltip="Next speed: 1x 10x 60x 600x 3600x max",
        ),
        Binding(
            "minus", "slower", "Slower", key_display="-", id="slower", tooltip="Previous speed"
        ),
        Binding(
            "colon",
            "command_line",
            "Command",
            key_display=":",
            id="command-line",
            tooltip="Type any command (send, advance, fail, show, ...)",
        ),
        Binding("s", "send", "Send", id="send", tooltip="Send a message to a queue"),
        Binding(
            "r",
            "redrive",
            "Redrive",
            id="redrive",
            tooltip="Move the selected dead-letter queue's messages back",
        ),
        Binding(
            "e", "explain", "Explain", id="explain", tooltip="Explain the selected trace record"
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            id="filter",
            tooltip="Filter the events by words, kind:PREFIX or resource:NAME",
        ),
        *(
            Binding(
                key,
                f"command_dialog('{name}')",
                name.capitalize(),
                id=name,
                tooltip=f"Open the {name} command",
            )
            for name, key in OPTIONAL_COMMANDS.items()
        ),
        *(
            Binding(
                key,
                f"focus_pane('{key}')",
                title,
                show=False,
                id=f"pane-{key}",
                tooltip=f"Focus the {title} pane",
            )
            for key, (_, _, title) in PANES.items()
        ),
    ]

    selected: reactive[str | None] = reactive(None, init=False)
    """The resource selected in every pane."""

    def __init__(self, session: Session, *, speed_index: int = 0) -> None:
        super().__init__()
        self.session = session
        self.live = LiveClock(session, speed_index=speed_index)
        self.graph: nx.MultiDiGraph = build_graph(session.stack)
        self._pending: list[Record] = []
        # Resources touched since the slow panes last redrew.
        self._touched: set[str] = set()
        self._last_frame = time.perf_counter()
        self._last_slow = 0.0
        self._sim = session.sim
        self.current_pane = "1"

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ClockBar(id="clock-bar")
        yield Static("", id="pane-tabs", markup=False)
        with Container(id="panes"):
            yield GraphPane(id="graph-pane", classes="pane")
            yield QueuesPane(id="queues-pane", classes="pane")
            yield InspectorPane(id="inspector-pane", classes="pane")
            yield AgendaPane(id="agenda-pane", classes="pane")
            yield EventsPane(id="events-pane", classes="pane")
        yield Footer()

    def on_mount(self) -> None:
        for key, (pane_id, _, title) in PANES.items():
            self.query_one(f"#{pane_id}").border_title = f"{key} {title}"
        self.session.add_sink(self._pending.append)
        self._timer = self.set_interval(FRAME_S, self._frame, pause=True)
        self._load()
        self._layout_for(self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._layout_for(event.size.width)

    def _layout_for(self, width: int) -> None:
        if self.screen_stack:
            self.screen_stack[0].set_class(width < NARROW_WIDTH, "-narrow")
        self._show_current()

    def _show_current(self) -> None:
        for key, (pane_id, _, _) in PANES.items():
            self.query_one(f"#{pane_id}").set_class(key == self.current_pane, "-current")
        tabs = Text(no_wrap=True)
        for key, (_, _, title) in PANES.items():
            tabs.append(f" {key} {title} ", "reverse" if key == self.current_pane else "")
        self.query_one("#pane-tabs", Static).update(tabs)

    def _load(self) -> None:
        """Build every pane for the session's simulation (at start and after `load`)."""
        sim = self.session.sim
        self._sim = sim
        self.graph = build_graph(self.session.stack)
        self._pending.clear()
        events = self.query_one(EventsPane)
        events.records.clear()
        events.add(list(sim.trace.records))
        first = next((n for n in self.graph.nodes if n in self.session.stack.resources), None)
        self.query_one(GraphPane).load(self.graph, sim, first)
        self.query_one(QueuesPane).load(sim)
        self.query_one(AgendaPane).show(sim)
        self._show_clock()
        if first is not None:
            self.selected = first
            self.query_one(GraphPane).select(first)

    # -- frames ------------------------------------------------------------------------

    def _frame(self) -> None:
        now = time.perf_counter()
        dt, self._last_frame = now - self._last_frame, now
        self.live.frame(min(dt, 0.25))
        self.flush()

    def flush(self) -> None:
        """Hand the records buffered since the last frame to the panes, in one batch."""
        if self.session.sim is not self._sim:
            self._load()
            return
        batch = list(self._pending)
        self._pending.clear()
        sim = self._sim
        touched = {r.resource for r in batch}
        for name in list(touched):
            q = sim.queues.get(name)
            if q is not None and q.dlq is not None:
                touched.add(q.dlq.name)
        if batch:
            self.query_one(EventsPane).add(batch)
        self._touched |= touched
        self.query_one(GraphPane).refresh_badges(sim, touched)
        now = time.perf_counter()
        if not self.live.running or now - self._last_slow >= SLOW_PANES_EVERY_S:
            self._last_slow = now
            touched, self._touched = self._touched, set()
            queues = self.query_one(QueuesPane)
            queues.refresh_stats(sim)
            if queues.queue_name in touched:
                queues.refresh_messages(sim)
            if self.selected in touched:
                self._inspect(self.selected)
            self.query_one(AgendaPane).show(sim)
        self._show_clock()

    def _show_clock(self) -> None:
        self.query_one(ClockBar).show(
            stack=self.session.stack.stack_name,
            now_ms=self.session.sim.clock.now,
            running=self.live.running,
            speed=speed_label(self.live.speed),
            events=self.session.sim.trace.seq,
        )

    # -- selection ---------------------------------------------------------------------

    def watch_selected(self, name: str | None) -> None:
        if name is None:
            return
        self.query_one(GraphPane).select(name)
        self.query_one(QueuesPane).select(self.session.sim, name)
        self._inspect(name)

    def _inspect(self, name: str) -> None:
        page = describe_resource(
            name,
            self.session.stack,
            self.graph,
            self.session.sim,
            self.query_one(RecordList).records,
            self.session.start_ms,
        )
        self.query_one(InspectorPane).show(page)

    # Only a highlight the user moves selects: the panes also highlight rows themselves
    # when they are built or follow the selection, and such a message may arrive after the
    # selection moved on (it is stale when the cursor is no longer on its row).
    @on(OptionList.OptionHighlighted, "#graph-pane")
    def _graph_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        pane = event.option_list
        current = pane.highlighted == event.option_index
        if event.option.id is not None and pane.has_focus and current:
            self.selected = event.option.id

    @on(DataTable.RowHighlighted, "#queue-table")
    def _queue_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        current = table.cursor_row == event.cursor_row
        if event.row_key.value is not None and table.has_focus and current:
            self.selected = event.row_key.value

    @on(OptionList.OptionSelected, "#graph-pane")
    def _graph_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_focus_pane("4")

    def jump_to(self, node: str) -> None:
        """Select `node` everywhere and focus the graph on it (from the palette)."""
        if len(self.graph) and node in self.graph:
            graph_pane = self.query_one(GraphPane)
            if node not in graph_pane.shown:
                graph_pane.load(self.graph, self.session.sim, node)
            self.selected = node
            self.action_focus_pane("1")

    # -- running commands --------------------------------------------------------------

    def run_command(self, line: str) -> CommandResult:
        """Execute one command line on the session and flush the panes; errors propagate
        (as CommandError) to the caller, which shows them."""
        # `:` opens the command line; typing it again there (a Vim habit) means nothing more.
        line = line.lstrip().removeprefix(":")
        try:
            result = execute(self.session, line)
        finally:
            self.flush()
        return result

    def _run_and_notify(self, line: str) -> CommandResult | None:
        try:
            result = self.run_command(line)
        except CommandError as exc:
            self.notify(exc.format(), title="command refused", severity="error", markup=False)
            return None
        text = render_plain(result)
        if text:
            self.notify(text, markup=False)
        return result

    # -- actions -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the dialogs of commands the registry does not have (yet)."""
        if action == "command_dialog":
            return parameters[0] in REGISTRY.commands
        return True

    def action_toggle_run(self) -> None:
        """Play or pause the virtual clock."""
        self.live.running = not self.live.running
        if self.live.running:
            self._last_frame = time.perf_counter()
            self._timer.resume()
        else:
            self._timer.pause()
        self._show_clock()

    def action_step(self) -> None:
        """Run the next scheduled event."""
        self._run_and_notify("step")

    def action_faster(self) -> None:
        """The next speed up."""
        self.live.faster()
        self._show_clock()

    def action_slower(self) -> None:
        """The next speed down."""
        self.live.slower()
        self._show_clock()

    def action_focus_pane(self, key: str) -> None:
        """Focus pane `key` (1-5); on a narrow terminal it becomes the one shown."""
        _, selector, _ = PANES[key]
        self.current_pane = key
        self._show_current()
        widget = self.query_one(selector, Widget)
        widget.focus()

    def action_help(self) -> None:
        """Show every binding."""
        groups: list[tuple[str, list[Binding]]] = [
            ("Main screen", [b for b in self.BINDINGS if isinstance(b, Binding)]),
            ("Events pane", [b for b in RecordList.BINDINGS if isinstance(b, Binding)]),
            ("Command line", [b for b in CommandLineScreen.BINDINGS if isinstance(b, Binding)]),
            ("Send dialog", [b for b in SendDialog.BINDINGS if isinstance(b, Binding)]),
            (
                "Everywhere",
                [
                    Binding(
                        "ctrl+p",
                        "command_palette",
                        "Palette",
                        tooltip="Every command and every resource",
                    )
                ],
            ),
        ]
        self.push_screen(HelpScreen(groups))

    def open_command_line(self, initial: str = "") -> None:
        """Open the command line, optionally with text typed."""
        self.push_screen(CommandLineScreen(self.run_command, lambda: self.session, initial))

    def action_command_line(self) -> None:
        """Open the command line."""
        self.open_command_line()

    def action_command_dialog(self, name: str) -> None:
        """A command other than send (publish, upload, http, fire): its usage, typed in."""
        target = self.selected if name == "fire" and self.selected else ""
        self.open_command_line(f"{name} {shlex.quote(target)}".rstrip() + " ")

    def action_send(self) -> None:
        """Open the send dialog on the selected queue."""
        queues = list(self.session.sim.queues)
        if not queues:
            self.notify("this stack has no queues", severity="warning")
            return
        self.push_screen(SendDialog(queues, self.selected, self.run_command), self._sent)

    def _sent(self, result: CommandResult | None) -> None:
        if result is not None and result.text:
            self.notify(render_plain(result), markup=False)

    def action_redrive(self) -> None:
        """Redrive the selected dead-letter queue."""
        name = self.selected
        if name is None:
            self.notify("select a dead-letter queue first", severity="warning")
            return
        self._run_and_notify(f"redrive {shlex.quote(name)}")

    def action_explain(self) -> None:
        """The selected trace record's JSON, and the `explain` chain of the id it carries."""
        rec = self.query_one(RecordList).selected
        if rec is None:
            self.notify("no trace record selected", severity="warning")
            return
        body = pretty_json(rec.to_json())
        ident = next((rec.data[k] for k in EXPLAIN_KEYS if isinstance(rec.data.get(k), str)), None)
        if "explain" in REGISTRY.commands and ident is not None:
            line = f"explain {shlex.quote(ident)}"
            try:
                explained = render_plain(execute(self.session, line))
            except CommandError as exc:
                explained = render_plain(CommandResult(exc.format()))
            body.append(f"\n\n{line}\n", "bold")
            body.append(explained)
        self.push_screen(TextDialog(f"record {rec.seq}: {rec.kind}", body))

    def action_filter(self) -> None:
        """Open the events pane's filter line."""
        self.action_focus_pane("3")
        self.query_one(EventsPane).open_filter()
