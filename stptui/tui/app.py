"""The stptui Textual app: the main screen's panes, the clock, bindings and actions.

Data flows one way. The app subscribes to the session's trace and buffers records; once
per frame (a timer while the clock runs, or right after a command) it flushes the batch to
the panes, which redraw from it and from the simulator's queries. Every change of state is
a command line run through `stptui.commands.execute`, except the slices of the live clock
(`stptui.tui.live`) and of a fast-forward (`stptui.tui.fast_forward`), which log their
replayable equivalent. `undo`, `redo`, `reload` and `load` are planned by the command layer too
(`stptui.commands.plan_rebuild`), built in a thread worker and adopted on the UI's thread.
An `advance` or `until` typed that outlasts a second goes on as a fast-forward.
"""

from __future__ import annotations

import _imp
import asyncio
import gc
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import ClassVar, cast

import networkx as nx
from rich.cells import cell_len
from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import App, ComposeResult, ScreenStackError
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.geometry import Region, Size
from textual.notifications import Notification, Notify, SeverityLevel
from textual.reactive import Reactive, var
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from stptui.commands import (
    REGISTRY,
    CommandError,
    CommandResult,
    Rebuild,
    RebuildCancelled,
    RebuildProgress,
    Session,
    complete_values,
    execute,
    plan_rebuild,
    tokenize,
)
from stptui.commands.rebuild import freeze_collected, retire
from stptui.commands.registry import WORKLOAD, quote_word
from stptui.commands.result import render_plain
from stptui.commands.resume import RESUMABLE
from stptui.commands.session import idle_note, init_line
from stptui.commands.watch import POLL_S, FileChange, FileDigests, InputWatcher
from stptui.graph import PollEdge, build_graph, kafka_topic_name, kafka_topic_nodes
from stptui.sim.clock import iso_ms
from stptui.sim.engine import Simulator
from stptui.sim.explain import FOLLOW_FIELDS
from stptui.sim.mappings import all_mappings
from stptui.sim.metrics import measured
from stptui.sim.trace import Record
from stptui.sim.trace_index import trace_index
from stptui.textsafe import printable, typed_names
from stptui.tui.fast_forward import Continued
from stptui.tui.live import FRAME_S, MAX_SPEED_WALL_BUDGET_S, LiveClock, speed_label
from stptui.tui.palette import StackProvider
from stptui.tui.render import hanging, key_hint, pretty_json
from stptui.tui.screens.alarm_dialog import AlarmStateDialog, simulated_alarms
from stptui.tui.screens.answer_dialog import AnswerTaskDialog
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.dialogs import (
    CommandDialog,
    FireDialog,
    HttpDialog,
    PublishDialog,
    PutRecordDialog,
    SendDialog,
    TextDialog,
    UploadDialog,
)
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.screens.fast_forward import FastForwardScreen
from stptui.tui.screens.help import HelpScreen
from stptui.tui.screens.invoke_dialog import InvokeDialog
from stptui.tui.screens.item_dialog import ItemDialog
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.screens.metrics_view import MetricsScreen
from stptui.tui.screens.output_page import OutputPage
from stptui.tui.screens.override_dialog import OverrideDialog
from stptui.tui.screens.produce_dialog import ProduceDialog
from stptui.tui.screens.replay_dialog import ReplayDialog, archived_buses
from stptui.tui.screens.restore_dialog import RestoreDialog, archives
from stptui.tui.screens.sns_dialog import SnsDialog
from stptui.tui.screens.websocket_dialog import WebSocketDialog
from stptui.tui.widgets.agenda_pane import AgendaPane
from stptui.tui.widgets.clock_bar import ClockBar
from stptui.tui.widgets.events_pane import EventsPane, RecordList
from stptui.tui.widgets.footer import StableFooter
from stptui.tui.widgets.graph_pane import GraphPane
from stptui.tui.widgets.inspector_machines import redrive_candidate
from stptui.tui.widgets.inspector_pane import InspectorPane, describe_resource
from stptui.tui.widgets.queues_pane import MessageList, QueuesPane, QueueTable

# While the clock runs, a frame runs the simulator and notes what its records touched; the
# panes redraw a few times a second. A repaint costs Textual about as much however little
# changed, and covers the box around everything that did (the clock bar at the top and
# the events at the bottom make it the whole screen): repainting every frame would take
# a third of the time at full speed. The agenda scans the scheduler's whole heap: it waits
# this many times as long as it last took (a second or so with 100,000 entries
# scheduled, every redraw with a few).
SLOW_PANES_EVERY_S = 0.25
AGENDA_WAIT_FACTOR = 40
# The longest a focus change holds the screen's repaints (it normally settles in a few ms).
SETTLE_LIMIT_S = 0.25
# The longest the launch holds the main screen's first frame after its first layout (it
# normally settles in 0.1-0.2 s): a widget that never settles shows in a frame of its own.
LAUNCH_HOLD_LIMIT_S = 1.0
# Allocations between two collections of the youngest generation (see `_load`).
GC_THRESHOLD = 50_000
# Between the steps that follow a rebuild's adoption (styling, freeing the simulation
# replaced, freezing the new one), so that a key pressed meanwhile is answered in between.
STEP_S = 0.01
# How often freeing a replaced simulation looks again whether the screens opened on it
# (dialogs, the command line) have closed.
RETIRE_WAIT_S = 0.5
# The trace's index (`stptui.sim.trace_index`), which `show message` and `explain` read, is
# brought up to date between frames while the clock stands: steps of about WARM_STEP_S, in
# chunks of WARM_CHUNK records, WARM_GAP_S apart (the loop answers keys and repaints in
# between). While the clock runs (or a fast-forward, a rebuild or the metrics view's
# worker), it looks again every WARM_WAIT_S: indexing would take the simulator's time; and
# while the metrics view is open (see `_warm_index`).
WARM_STEP_S = 0.012
WARM_CHUNK = 2048
WARM_GAP_S = 0.005
WARM_WAIT_S = 0.25
# The longest a rebuild's worker waits for the UI's thread to stand between two of its
# callbacks before it takes the import lock (see `imports_held`).
PARK_LIMIT_S = 5.0
# How often the clock bar shows a rebuild's progress while its worker runs.
REBUILD_PROGRESS_S = 0.1
# The commands that run while a rebuild does: they read the simulation (or write it to a
# file), and change nothing the rebuild would replace.
READING_COMMANDS = frozenset({"show", "explain", "expect", "help", "save"})
# What a dialog made again after a rebuild says replaced the simulation, by the rebuild's verb.
# (An undo's or redo's says how many commands: "undid 1 command".)
REBUILT = {"reload": "reloaded", "load": "loaded a saved simulation"}
NARROW_WIDTH = 120
# The title of a dialog's note while the clock stands where the session began.
PAUSED_TITLE = "the clock is paused: space plays it, n runs the next event"
# The commands that run the clock (a log line's first word).
CLOCK_VERBS = frozenset({"step", "advance", "until", "run"})
# The resource types the HTTP dialog (`h`) sends a request to, which it opens on.
HTTP_ENTRY_TYPES = frozenset({"http-api-gateway", "application-load-balancer"})
# From this width the bottom row gives the Queues pane more and the Agenda less (app.tcss).
WIDE_WIDTH = 160
# The longest a command that can run the simulator for long (`advance`, `until`, `step`,
# `run`, a burst `repeat`, `source`, `redo`: `stptui.commands.resume.RESUMABLE`) typed on the
# command line runs on the UI's thread: past it the rest goes on in the fast-forward
# dialog, in slices, with its progress and escape to stop. A minute's schedule takes about
# 7 s of work a simulated year (`until 9999-12-31T00:00:00Z` some 15 hours), all of it a
# frozen screen before.
CLOCK_COMMAND_BUDGET_S = 1.0
# The most of the UI's thread one slice of the fast-forward dialog (`f`, or a command handed
# over) takes, besides its event budget: a busy or slowed machine gets smaller slices, not
# a slower screen.
FAST_FORWARD_SLICE_S = MAX_SPEED_WALL_BUDGET_S
# How long the notes shown as the UI opens stay (config errors, a stack where nothing runs):
# longer than a toast's 5 s, since they are what to read before the first key.
OPENING_NOTE_S = 20
# How long any other note stays (`note_timeout`): the time to notice it, then a word every
# NOTE_S_PER_WORD s (200 words a minute, a common figure for reading on a screen), at least
# Textual's 5 s (ERROR_NOTE_S for an error, which says what to fix and often how), at most
# NOTE_MAX_S. A three-line reload note went in 5 s; a click on a note closes it sooner.
NOTE_MIN_S = 5.0
NOTE_NOTICE_S = 2.0
NOTE_S_PER_WORD = 0.3
ERROR_NOTE_S = 10.0
NOTE_MAX_S = 30.0
# How often the app looks at the session's files for an edit, in seconds, when it does not
# watch them (a stat of each, as the watcher's look; it reads a file only when that moved).
WATCH_INPUTS_S = 1.0
# Number key -> (pane id, the widget inside it that takes focus, title).
PANES: dict[str, tuple[str, str, str]] = {
    "1": ("graph-pane", "#graph-pane", "Graph"),
    "2": ("queues-pane", "#queue-table", "Queues"),
    "3": ("events-pane", "#event-list", "Events"),
    "4": ("inspector-pane", "#inspector-pane", "Inspector"),
    "5": ("agenda-pane", "#agenda-pane", "Agenda"),
}
# Record fields whose value `explain` takes, in order of preference.
# An `explain` line starts with the record's time; what wraps goes on under the text after it.
EXPLAIN_TIME = re.compile(r"\S+Z  ")
# The dialogs, in the order the help lists their keys.
DIALOGS: tuple[type[CommandDialog] | type[FastForwardScreen], ...] = (
    SendDialog,
    InvokeDialog,
    PutRecordDialog,
    ProduceDialog,
    ItemDialog,
    StartExecutionDialog,
    AnswerTaskDialog,
    PublishDialog,
    SnsDialog,
    UploadDialog,
    HttpDialog,
    FireDialog,
    LogLineDialog,
    RestoreDialog,
    ReplayDialog,
    AlarmStateDialog,
    WebSocketDialog,
    OverrideDialog,
    FastForwardScreen,
)


def poll_edges(session: Session) -> list[PollEdge]:
    """The `polls` edges the session's behaviours file declares (its `poll` items)."""
    return [
        PollEdge(p.queue, p.workload, p.container, p.pos) for p in session.sim.behaviors.polls()
    ]


def key_mark(key: str) -> str:
    """A pane's key as the strip and the pane's border show it: `[3]`. A bare `2 Queues`
    read as a count of the stack's queues; bracketed, it reads as the key (lazygit's
    `[1]-Status`), and it is drawn bold, as the footer's keys are."""
    return f"[{key}]"


def tab_label(key: str) -> str:
    """A pane's name in the strip of a narrow terminal: ` [3] Events `."""
    return f" {key_mark(key)} {PANES[key][2]} "


def pane_title(key: str) -> Text:
    """A pane's border title: its key, bold, and its name (`[1] Graph`)."""
    return Text.assemble((key_mark(key), "bold"), f" {PANES[key][2]}")


def tab_labels(current: str, width: int, keys: Iterable[str] = PANES) -> dict[str, str]:
    """Each pane's label (of the panes of `keys`) in a strip `width` cells wide: its key
    and name; where they do not all fit (62 cells), the current pane's only, the others'
    keys alone (` [4] `), so that every key is in sight: at 40 columns `4 Inspector
    5 Agenda` were cut off."""
    labels = {key: tab_label(key) for key in keys}
    if sum(map(len, labels.values())) <= width:
        return labels
    return {key: label if key == current else f" {key_mark(key)} " for key, label in labels.items()}


class PaneTabs(Static):
    """The strip of the panes' names on a narrow terminal; a click on a name shows it."""

    labels: ClassVar[dict[str, str]] = {key: tab_label(key) for key in PANES}

    def show(self, current: str, width: int, keys: Iterable[str] = PANES) -> None:
        """The strip of the panes of `keys` for `width` cells, the `current` pane's label
        lit."""
        self.labels = tab_labels(current, width, keys)
        tabs = Text(no_wrap=True)
        for key, label in self.labels.items():
            start = len(tabs)
            tabs.append(label, "reverse" if key == current else "")
            # The key bold, as the footer's keys are (`key_mark`).
            at = start + label.index("[")
            tabs.stylize("bold", at, at + len(key_mark(key)))
        self.update(tabs)

    def on_click(self, event: events.Click) -> None:
        """Show (and focus) the pane whose name was clicked, as its number key does."""
        start = 0
        for key, label in self.labels.items():
            end = start + len(label)
            if start <= event.x < end:
                cast("StptuiApp", self.app).action_focus_pane(key)
                return
            start = end


@contextmanager
def imports_held(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Hold Python's import lock in this (a worker's) thread for the duration: an import by
    another thread of a module not yet loaded waits until the end, so that it never finds
    the handlers' folder on sys.path. This thread's own imports go on (the lock is
    re-entrant). Taken while `loop`'s thread (the UI's) stands between two callbacks, where
    it holds no module's import lock: one it held while this thread waited for the same
    module would deadlock the two."""
    parked = threading.Event()
    taken = threading.Event()

    def park() -> None:
        parked.set()
        taken.wait(PARK_LIMIT_S)

    loop.call_soon_threadsafe(park)
    parked.wait(PARK_LIMIT_S)
    _imp.acquire_lock()
    taken.set()
    try:
        yield
    finally:
        _imp.release_lock()


def message_pumps(roots: Iterable[Widget]) -> list[Widget]:
    """Every widget under `roots` (themselves included), and the scrollbars they show: what
    handles, each in its own task, what a change of the screen posts to it."""
    pumps: list[Widget] = []
    for root in roots:
        for node in root.walk_children(Widget, with_self=True):
            pumps.append(node)
            if node.show_vertical_scrollbar:
                pumps.append(node.vertical_scrollbar)
            if node.show_horizontal_scrollbar:
                pumps.append(node.horizontal_scrollbar)
    return pumps


class MainScreen(Screen[None]):
    """The panes' screen. A focus change repaints what it changes, not all of the screen:
    Textual's Screen repaints itself whole when its `focused` changes, though the widget
    that has lost the focus and the one that has it repaint themselves, and so do the
    panes restyled (`.pane:focus-within`), and the footer shows the keys anew.

    Its first frame is the panes as the launch leaves them (see `_settle`): Textual painted
    a frame at each of the launch's six or seven layouts, the first with an empty Graph
    pane and no keys in the footer (both need their widths, which the first layout gives),
    the screen complete in the fifth that changed a cell, 0.2-0.35 s after the first."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Whether the screen holds its paints (until the launch has settled), and how many
        # times it has been laid out (see `_settle`).
        self.paints_held = True
        self.layouts = 0
        self._settling = False

    def on_resize(self, event: events.Resize) -> None:
        """A resize to the size the screen has already lays nothing out again: the launch
        brings three at that size (the app's own, the terminal's, and the one the screen
        posts itself as it is first laid out), each a layout of the whole screen in
        Textual's Screen; what its widgets ask for is laid out all the same."""
        if event.size == self.outer_size:
            event.prevent_default()

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        self.layouts += 1
        super()._refresh_layout(size, scroll)
        if self.paints_held and not self._settling:
            # The first layout: the widgets now know their sizes, and fill themselves.
            self._settling = True
            self.set_timer(LAUNCH_HOLD_LIMIT_S, self.paint_held)
            self._settle()

    def _compositor_refresh(self) -> None:
        if self.paints_held:
            # What each layout marks to repaint stays marked, for the one frame.
            self._dirty_widgets.clear()
            return
        super()._compositor_refresh()

    def _settle(self) -> None:
        """Paint once the launch has settled: every widget has handled what the last
        layout posted to it (its Resize: the Graph pane lays its diagram out for its width,
        the footer builds its keys, the queues table fits its columns), and the screen's
        next update, after what they asked for, laid nothing out again; else another
        round, as that layout posted more."""
        layouts = self.layouts
        pending = 1

        def settled() -> None:
            nonlocal pending
            pending -= 1
            if not pending:
                self.call_after_refresh(self._settled, layouts)

        for pump in message_pumps([self]):
            if pump.call_later(settled):
                pending += 1
        settled()

    def _settled(self, layouts: int) -> None:
        if not self.paints_held:
            return
        if self.layouts != layouts:
            self._settle()
        else:
            self.paint_held()

    def paint_held(self) -> None:
        """Paint what the screen held, in one frame, and paint as Textual does from then on."""
        if self.paints_held:
            self.paints_held = False
            self._compositor_refresh()


def notes_band(notes: Iterable[Notification], size: Size, *, top: bool) -> Region:
    """Where `notes` would stack at the top (or the bottom) right of a screen of `size`,
    as Textual lays its toasts out (Textual is pinned, see pyproject.toml): 60 columns, at
    most half the width; per note a margin row, a padding row above and below, the title's
    row and the message's, wrapped inside the padding and the left border (an estimate:
    wrapping at words may take a row more)."""
    width = min(60, size.width // 2)
    text = max(1, width - 3)  # the padding each side and the severity's left border
    rows = sum(
        3
        + bool(note.title)
        + sum(max(1, -(-cell_len(line) // text)) for line in note.message.split("\n"))
        for note in notes
    )
    y = 0 if top else max(0, size.height - 1 - rows)
    return Region(size.width - width, y, width, rows)


def note_timeout(message: str, title: str, severity: str) -> float:
    """How long a note of `message` under `title` stays, in seconds: as long as it takes to
    read (see NOTE_S_PER_WORD)."""
    words = len(message.split()) + len(title.split())
    least = ERROR_NOTE_S if severity == "error" else NOTE_MIN_S
    return min(NOTE_MAX_S, max(least, NOTE_NOTICE_S + words * NOTE_S_PER_WORD))


def note(
    message: str,
    title: str,
    severity: SeverityLevel,
    timeout: float | None = None,
    *,
    markup: bool = False,
) -> Notification:
    """The note every notification of the app is: its message and title as `printable`
    shows them, so that a name, key or path in one (a reload's refusal names the stack's
    folder, a redrive the selected resource) never reaches the terminal as a control
    character, and staying `timeout` seconds (as long as it takes to read, `note_timeout`,
    when None). `markup` is for Textual's own notes (`[b]q[/b] to quit`): stptui's are
    text."""
    message, title = printable(message), printable(title)
    if timeout is None:
        timeout = note_timeout(message, title, severity)
    return Notification(message, title, severity, timeout, markup=markup)


class StptuiApp(App[None]):
    """See and drive one stack's simulation."""

    CSS_PATH = "app.tcss"
    TITLE = "stptui"
    COMMANDS = App.COMMANDS | {StackProvider}
    # In order of need: a footer too narrow for every key shows the last dialogs' keys
    # without their words, then leaves out the last ones (StableFooter). The keys that act
    # on one pane's contents (r, e, /, M) are on that pane's border (`key_hint`).
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
            "colon",
            "command_line",
            "Command",
            key_display=":",
            id="command-line",
            tooltip="Type any command (send, advance, fail, show, ...)",
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
            "f",
            "fast_forward",
            "Fast-forward",
            id="fast-forward",
            tooltip="Run the clock ahead by a duration or to an instant",
        ),
        Binding(
            "plus,equals_sign",
            "faster",
            "Faster",
            key_display="+",
            id="faster",
            tooltip="Next speed: 1x 10x 60x 600x 3600x max",
            show=False,
        ),
        Binding(
            "minus",
            "slower",
            "Slower",
            key_display="-",
            id="slower",
            tooltip="Previous speed",
            show=False,
        ),
        Binding("s", "send", "Send", id="send", tooltip="Send a message to a queue"),
        Binding(
            "v",
            "invoke",
            "Invoke",
            id="invoke",
            tooltip="Invoke a function (sync or async) or start a batch job; see the answer",
        ),
        Binding(
            "k",
            "put_record",
            "Put record",
            id="put-record",
            tooltip="Put a data record on a Kinesis stream",
        ),
        Binding(
            "m",
            "produce",
            "Produce",
            id="produce",
            tooltip="Produce a record to a Kafka topic a function reads",
        ),
        Binding(
            "i",
            "item",
            "Item",
            id="item",
            tooltip="Put or delete an item in a DynamoDB table",
        ),
        Binding(
            "t",
            "start_execution",
            "Start execution",
            id="start-execution",
            tooltip="Start an execution of a Step Functions state machine",
        ),
        Binding(
            "a",
            "answer_task",
            "Answer task",
            id="answer-task",
            tooltip="Answer a callback task waiting for its task token",
        ),
        Binding(
            "p", "publish", "Publish", id="publish", tooltip="Publish an event on an event bus"
        ),
        Binding(
            "P",
            "publish_sns",
            "SNS",
            id="publish-sns",
            tooltip="Publish a message to an SNS topic (publish-sns)",
        ),
        Binding("u", "upload", "Upload", id="upload", tooltip="Upload an object to a bucket"),
        Binding(
            "h",
            "http",
            "HTTP",
            id="http",
            tooltip="Send a request to an HTTP API, load balancer or function URL; see the answer",
        ),
        Binding(
            "w",
            "websocket",
            "WebSocket",
            id="websocket",
            tooltip="Connect a WebSocket client, send messages, disconnect it",
        ),
        Binding("x", "fire", "Fire", id="fire", tooltip="Fire a schedule now"),
        Binding(
            "l",
            "log",
            "Log",
            id="log",
            tooltip="Write a line into a function's, batch job's or container's log group",
        ),
        Binding(
            "o",
            "restore",
            "Restore",
            id="restore",
            tooltip="Restore an archived object of a bucket",
        ),
        Binding(
            "y",
            "replay",
            "Replay",
            id="replay",
            tooltip="Replay a bus's archived events from a time window",
        ),
        Binding(
            "c",
            "set_alarm_state",
            "Alarm state",
            id="set-alarm-state",
            tooltip="Set a CloudWatch alarm's state by hand (set-alarm-state)",
        ),
        Binding(
            "b",
            "override",
            "Behaviour",
            id="override",
            tooltip="Make a function, batch job or container fail, run slow or succeed again",
            show=False,
        ),
        Binding(
            "M",
            "metrics",
            "Metrics",
            id="metrics",
            tooltip="CloudWatch's figures of the selected resource, kept current",
            show=False,
        ),
        Binding(
            "r",
            "redrive",
            "Redrive",
            id="redrive",
            tooltip="Redrive the selected dead-letter queue or execution",
            show=False,
        ),
        Binding(
            "e",
            "explain",
            "Explain",
            id="explain",
            tooltip="Explain the selected trace record",
            show=False,
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            id="filter",
            tooltip="Filter the events by words, kind:PREFIX or resource:NAME",
            show=False,
        ),
        Binding(
            "ctrl+z",
            "rebuild('undo')",
            "Undo",
            id="undo",
            tooltip="Take back the last command that changed the simulation (undo)",
            show=False,
        ),
        Binding(
            "ctrl+y",
            "rebuild('redo')",
            "Redo",
            id="redo",
            tooltip="Apply again what undo took back (redo)",
            show=False,
        ),
        Binding(
            "ctrl+r",
            "rebuild('reload')",
            "Reload",
            id="reload",
            tooltip="Read the stack and behaviours files again and run this session on them",
            show=False,
        ),
        Binding(
            # A note (toast) stays as long as it takes to read and a click closes it; this
            # is the keyboard's way, in a dialog too (escape there closes the dialog). The
            # terminal's "clear the screen" key, which no field or screen here binds.
            "ctrl+l",
            "clear_notes",
            "Clear notes",
            id="clear-notes",
            tooltip="Take every note (toast) off the screen now",
            show=False,
            # Textual reads only the priority bindings of the app on a modal screen (every
            # dialog and page), where the notes cover the most.
            priority=True,
        ),
        Binding(
            "escape",
            "cancel_rebuild",
            "Cancel",
            id="cancel-rebuild",
            tooltip="Cancel the undo, redo, reload or load running: the session stays as it was",
            show=False,
            # Before any screen's own escape (the command line's closes it), but only while
            # a rebuild runs: otherwise the action skips and the key goes on as ever.
            priority=True,
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

    # A var, not a reactive: a selection redraws the panes that show it, not the screen.
    selected: var[str | None] = var(None, init=False)
    """The resource selected in every pane."""

    def __init__(
        self,
        session: Session,
        *,
        speed_index: int = 0,
        config_errors: str | None = None,
        watch: bool = False,
    ) -> None:
        """`config_errors`: what to say, as the UI opens, about the errors of the stack's
        config (how many, and the `stptui validate` line that lists them), which the UI
        would otherwise show only as `(missing)` nodes. `watch`: reload when a file the
        session was built from is saved with other content (`stptui` does, unless
        --no-watch); otherwise a note says it changed."""
        super().__init__()
        self.session = session
        # The files' watcher (None: a note says a file changed, ctrl+r reloads), and whether
        # its look at the files runs in a thread worker now.
        self.watcher: InputWatcher | None = InputWatcher() if watch else None
        self._watch_looking = False
        # What the watcher saw change, while the reload it started rebuilds.
        self._reload_cause: FileChange | None = None
        self._config_errors = config_errors
        self.clock_command_budget_s = CLOCK_COMMAND_BUDGET_S
        self.fast_forward_slice_s = FAST_FORWARD_SLICE_S
        self.live = LiveClock(session, speed_index=speed_index)
        self.graph: nx.MultiDiGraph = build_graph(session.stack, poll_edges(session))
        # The stack `graph` was built from: opening the app built it twice (a fifth of a
        # second for 2,000 resources), and a `load` of a session brings its own stack.
        self._graph_stack = session.stack
        self._pending: list[Record] = []
        # Resources touched since the slow panes last redrew.
        self._touched: set[str] = set()
        self._last_frame = time.perf_counter()
        self._last_slow = 0.0
        self._sim = session.sim
        # Reader -> the sources its event source mappings read (see `_load`).
        self._sources_read_by: dict[str, set[str]] = {}
        self.current_pane = "1"
        # Whether a state machine of the stack has a `.waitForTaskToken` task (see `_load`).
        self._has_callbacks = False
        # Whether the stack has an event bus of its own, or a rule on the default bus.
        self._has_bus_rules = False
        # Whether a bucket's lifecycle rule moves objects to GLACIER or DEEP_ARCHIVE.
        self._has_archives = False
        # Whether an event bus of the stack has an archive (`archivation`).
        self._has_archived_bus = False
        # Whether the stack has a simulated CloudWatch alarm (what `c` sets).
        self._has_alarms = False
        # The resources `show metrics` measures (`M` shows the selected one's figures).
        self._measured: frozenset[str] = frozenset()
        # Whether the stack has something for each dialog key's action that needs one
        # (see `check_action`), worked out by `_load` for the simulation `_usable_for`.
        self._usable: dict[str, bool] = {}
        self._usable_for: Simulator | None = None
        # The selection's alarms' current periods when the Inspector last drew it (see
        # `flush`): their last periods' datapoints change as the clock passes a period's
        # end, with no record when the state stays.
        self._alarm_periods: tuple[int, ...] = ()
        # The clock when the Inspector last drew its page (see `_ages_shown`).
        self._inspected_at = 0
        # The command line's history: the lines run there, oldest first.
        self.command_history: list[str] = []
        # The note each command run from a key showed last (see `_notify_replacing`).
        self._latest_notes: dict[str, Notification] = {}
        # How many readers in other threads (the metrics view's worker) are reading the
        # simulation: the live clock runs no slice meanwhile (see `hold_clock`).
        self._clock_holds = 0
        # The session's files found changed on disk when last looked at (said once), and
        # what each read gave (--no-watch: read again only when its stat moves).
        self._inputs_noticed: frozenset[str] = frozenset()
        self._input_digests = FileDigests()
        # The undo, redo, reload or load being built in a thread worker (see `_start_rebuild`),
        # and how far its replay has come, as its thread last said.
        self.rebuilding: Rebuild[CommandResult] | None = None
        self._rebuild_progress: RebuildProgress | None = None
        self._rebuild_timer: Timer | None = None
        # The simulations replaced since the panes were last built, until `_retire` frees
        # them.
        self._replaced: list[Simulator] = []
        # Whether a rebuild turned the cyclic collector off (until its simulation is frozen).
        self._collections_held = False
        # Whether a step of warming the trace's index is due (see `_warm_index`).
        self._warming = False

    # -- layout ------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The panes' screen (see MainScreen)."""
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield ClockBar(id="clock-bar")
        yield PaneTabs("", id="pane-tabs", markup=False)
        with Container(id="panes"):
            # Grid order: the graph and the inspector on top, the live lists below.
            yield GraphPane(self._user_selected, id="graph-pane", classes="pane")
            yield InspectorPane(id="inspector-pane", classes="pane")
            yield QueuesPane(self._user_selected, id="queues-pane", classes="pane")
            yield EventsPane(id="events-pane", classes="pane")
            yield AgendaPane(id="agenda-pane", classes="pane")
        yield StableFooter()

    def on_mount(self) -> None:
        for key, (pane_id, _, _) in PANES.items():
            # A Text, not a str: a str title is read as markup, and `[1]` as a tag.
            self.query_one(f"#{pane_id}").border_title = pane_title(key)
        self.query_one(EventsPane).border_subtitle = key_hint(("e", "explain"), ("/", "filter"))
        self.session.add_sink(self._pending.append)
        self._timer = self.set_interval(FRAME_S, self._frame, pause=True)
        self._load()
        self._layout_for(self.size.width)
        if self._config_errors is not None:
            self.notify(
                self._config_errors,
                title="config errors",
                severity="error",
                markup=False,
                timeout=OPENING_NOTE_S,
            )
        if (
            idle := idle_note(
                self.session.stack, bool(poll_edges(self.session)), self.session.behaviors_path
            )
        ) is not None:
            self.notify(idle, title="nothing to run", markup=False, timeout=OPENING_NOTE_S)
        if self.watcher is not None:
            self.set_interval(POLL_S, self._watch_inputs)
        else:
            self.set_interval(WATCH_INPUTS_S, self._notice_inputs)

    def _watch_inputs(self) -> None:
        """Look at the session's files in a thread worker, unless a look or a rebuild is
        under way, or a screen that a rebuild would refuse is open (the look waits: the
        change is acted on once they end)."""
        watcher = self.watcher
        if watcher is None or self._watch_looking or not self._may_reload():
            return
        # On this thread: it reads the session, which only this thread changes.
        watcher.sync(self.session)
        self._watch_looking = True
        self.run_worker(
            partial(self._look_at_inputs, watcher),
            thread=True,
            group="watch",
            name="watch",
            exit_on_error=False,
        )

    def _may_reload(self) -> bool:
        """Whether a reload may start now: no rebuild runs, and no screen is open that
        reads the simulation from elsewhere (the fast-forward's slices, the metrics view's
        worker), which `_start_rebuild` refuses."""
        return self.rebuilding is None and not any(
            isinstance(s, FastForwardScreen | MetricsScreen) for s in self.screen_stack
        )

    def _look_at_inputs(self, watcher: InputWatcher) -> None:
        # In the worker's thread: stat, and read what changed.
        change = None
        try:
            change = watcher.poll()
        finally:
            if self.is_running:
                self.call_from_thread(self._inputs_looked_at, change)

    def _inputs_looked_at(self, change: FileChange | None) -> None:
        """A look ended: a change is reloaded as ctrl+r reloads it, and a note says what
        changed and what the reload did (or why it did not)."""
        self._watch_looking = False
        if change is None or self.watcher is None:
            return
        if not self._may_reload():
            # Opened while the look ran: the change waits for the next look after it.
            self.watcher.put_back()
            return
        self._reload_cause = change
        try:
            result = self.run_command("reload")
        except CommandError as exc:
            self._reload_cause = None
            self._say_reload(change, exc)
            return
        if self.rebuilding is None:
            # Built here (--allow-code): it has ended.
            self._reload_cause = None
            self._say_reload(change, result)
        else:
            self._notify_replacing(
                "reload", render_plain(result), title=f"{change.text()}: reloading"
            )

    def _say_reload(self, change: FileChange, outcome: CommandResult | CommandError) -> None:
        """The note of a reload the watcher started: what changed, then what `reload` said."""
        severity: SeverityLevel
        if isinstance(outcome, RebuildCancelled):
            title, severity = f"{change.text()}: cancelled", "warning"
        elif isinstance(outcome, CommandError):
            title, severity = f"{change.text()}: not reloaded", "error"
        else:
            self._notify_replacing(
                "reload", render_plain(outcome) or "reloaded", title=f"{change.text()}: reloaded"
            )
            return
        self._notify_replacing("reload", outcome.format(), title=title, severity=severity)

    def _notice_inputs(self) -> None:
        """Without watching: say once when the stack or behaviours file changes on disk, and
        how to run the session on it: a file saved in an editor beside the app is the loop
        `reload` is for."""
        changed = frozenset(path.name for _, path in self._input_digests.changed(self.session))
        if changed and changed != self._inputs_noticed:
            names = ", ".join(sorted(changed))
            self.notify(
                f"{names} changed on disk: ctrl+r reloads, running this session's commands on it",
                title="files changed",
                severity="warning",
                markup=False,
            )
        self._inputs_noticed = changed

    def action_rebuild(self, verb: str) -> None:
        """undo, redo or reload, from its key: the panes are redrawn from the simulation
        it leaves, and a note says what it did or why it could not."""
        self._run_and_notify(verb)

    def on_unmount(self) -> None:
        # Quitting while the clock runs: the recording still gets the run's last line.
        self.live.commit(finish=not self._clock_holds)
        # Quitting while a rebuild runs: its thread stops at its next check, not at its end.
        if self.rebuilding is not None:
            self.rebuilding.cancel()
        self._resume_collections()

    def on_resize(self, event: events.Resize) -> None:
        self._layout_for(event.size.width)

    @on(events.DescendantFocus)
    def _focus_moved(self, event: events.DescendantFocus) -> None:
        # A click or tab into a pane makes it the current one, as its number key does:
        # a terminal made narrow afterwards shows the pane that has the focus, not one
        # chosen before, with the keys going to a pane out of sight.
        widget = event.widget
        # A dialog that ended as it opened (a command handed over that ended in its first
        # slice) is gone when the focus it took on mounting is reported.
        if not self.screen_stack or not widget.is_attached:
            return
        if widget.screen is not self.screen_stack[0]:
            return
        pane = self._pane_of(widget)
        key = next((k for k, (pane_id, _, _) in PANES.items() if pane.id == pane_id), None)
        if key is not None and key != self.current_pane:
            self.current_pane = key
            self._show_current()

    def _layout_for(self, width: int) -> None:
        if self.screen_stack:
            screen = self.screen_stack[0]
            screen.set_class(width < NARROW_WIDTH, "-narrow")
            screen.set_class(width >= WIDE_WIDTH, "-wide")
        self._show_current(width)

    def _show_current(self, width: int | None = None) -> None:
        """Show the current pane alone on a narrow terminal, its name lit in the strip
        (laid out for `width` columns: the terminal's, by default)."""
        # Only the narrow layout shows one pane and the strip of names; restyling panes in
        # the wide one would restyle the screen on every focus change.
        if not self.screen_stack or not self.screen_stack[0].has_class("-narrow"):
            return
        for key, (pane_id, _, _) in PANES.items():
            self.query_one(f"#{pane_id}").set_class(key == self.current_pane, "-current")
        # A stack without queues has no Queues pane, narrow as wide (see `_fit_panes`): a
        # strip that named one (`2 Queues`) read as a count of queues the stack has not.
        no_queues = self.screen_stack[0].has_class("-no-queues")
        keys = [key for key in PANES if not (no_queues and key == "2")]
        self.query_one(PaneTabs).show(self.current_pane, width or self.size.width, keys)

    def _load(self) -> None:
        """Build every pane for the session's simulation (at start and after `load`)."""
        sim = self.session.sim
        replaced = self._sim if self._sim is not sim else None
        self._sim = sim
        # A stream's page and box show where its readers are: a reader's records (its
        # invocations, its batches' retries) touch the stream too. Any source's page says
        # whether its reader's mapping is disabled: `mapping.disabled` is the reader's
        # record, and touches a queue as it does a stream.
        self._sources_read_by = {}
        for mapping in all_mappings(sim):
            self._sources_read_by.setdefault(mapping.workload, set()).add(mapping.source)
        self._has_callbacks = self._callback_tasks(sim)
        # An event on the default bus with no rule on it goes nowhere: `p` is for a stack
        # with a bus of its own or a rule on the default one (it keeps the footer's room for
        # the keys the stack has a use for).
        self._has_bus_rules = any(
            not bus.account_default or bus.rules for bus in sim.services["buses"].buses.values()
        )
        # Only a lifecycle rule archives an object: `o` is for a stack with one.
        self._has_archives = any(archives(b) for b in sim.services["buckets"].buckets.values())
        # Only a bus with `archivation` has events to replay: `y` is for a stack with one.
        self._has_archived_bus = bool(archived_buses(self.session))
        self._has_alarms = bool(simulated_alarms(self.session))
        if self.session.stack is not self._graph_stack:
            self.graph = build_graph(self.session.stack, poll_edges(self.session))
            self._graph_stack = self.session.stack
        # A Kafka topic's node is `kafka:NAME`: its own records (named NAME) and its
        # readers' touch it.
        nodes = kafka_topic_nodes(self.graph)
        for topic in sim.services["kafka"].values():
            node = nodes.get(topic.name)
            if node is not None:
                for name in (topic.name, *(c.target for c in topic.consumers)):
                    self._sources_read_by.setdefault(name, set()).add(node)
        self._pending.clear()
        self._touched.clear()
        self._frame_queued = False
        self._last_agenda = 0.0
        self._agenda_wait = 0.0
        # The events list and the inspector's invocation log read the trace's own ring.
        self.query_one(EventsPane).show(sim.trace.records, sim.clock.now)
        self.query_one(InspectorPane).invocations.reset(sim.trace.records)
        first = next((n for n in self.graph.nodes if n in self.session.stack.resources), None)
        self.query_one(GraphPane).load(self.graph, sim, first)
        self.query_one(QueuesPane).load(sim)
        self._measured = frozenset(measured(sim))
        self._usable, self._usable_for = self._actions_of_use(sim), sim
        self.query_one(AgendaPane).show(sim)
        self._fit_panes(sim)
        self._show_clock()
        if first is not None:
            self.selected = first
            self.query_one(GraphPane).select(first)
        self._show_inspector_hint()
        # `load` may bring another stack, with or without buckets, routes or schedules.
        self.refresh_bindings()
        if replaced is not None:
            # Held here, not as a callback's argument: Textual keeps a callback's arguments
            # while it runs, and the simulation must go when `_retire` lets go.
            self._replaced.append(replaced)
        # After the panes' first layout (at the start, before the screen's first frame: see
        # MainScreen), and each in a turn of the loop of its own (the callbacks
        # `call_after_refresh` queues run together, with no key between them): with the
        # panes' building, the UI would answer no key for all of them in one.
        self.call_after_refresh(self._style_scrollbars)
        self._warm_soon()

    def _fit_panes(self, sim: Simulator) -> None:
        """Give the bottom row's room by what the stack has, decided here (at the start and
        after each rebuild) and never as the simulation runs: a pane whose width moved at
        every step would re-wrap its rows under the reader. A stack with no queue has no
        Queues pane, beside the others or in the narrow strip (its key says why), the Events
        pane taking its room, which it shares with the Agenda when the stack has something
        scheduled from the start (a schedule's row in 23 columns wrapped over six lines). A
        stack with queues keeps the layout its counts need (app.tcss)."""
        if not self.screen_stack:
            return
        screen = self.screen_stack[0]
        no_queues = not sim.queues
        screen.set_class(no_queues, "-no-queues")
        screen.set_class(no_queues and bool(sim.agenda(1)), "-scheduled")
        if no_queues and self.current_pane == "2":
            # A reload that took the last queue away: the pane shown goes with it.
            self.current_pane = "1"
        self._show_current()

    def _style_scrollbars(self) -> None:
        # Textual applies the CSS to a scrollbar only when focus moves into or out of a pane
        # around it; the first time, the bar's size rules go from unset to set, and the key
        # that moved the focus pays for two layouts of the screen. Once the panes are laid
        # out (and their scrollbars made), they are styled here instead. The main screen:
        # after a `load` from the command line, that screen is still on top.
        if self.screen_stack:
            self.screen_stack[0].update_node_styles(animate=False)
        # The first simulation: what opening the app made is collected, all of it. After a
        # rebuild, what was made since the last freeze (the new simulation).
        self.set_timer(STEP_S, partial(self._freeze_simulation, not self._replaced))

    def _retire(self) -> None:
        """Free the simulations an undo, redo, reload or load replaced, without the full
        collection that would otherwise be the longest step of the undo (80-160 ms after
        10,000 sends): taken apart, reference counting frees each, frozen as it was."""
        if len(self.screen_stack) > 1:
            # A screen opened on the old simulation (a dialog holding its services, the
            # command line) may still read it: taken apart, it would fail there.
            self.set_timer(RETIRE_WAIT_S, self._retire)
            return
        # A cycle left (in a service of a kind `dismantle` does not know) keeps one: the
        # full collection then frees it, as it always did.
        if not retire(self._replaced):
            self.set_timer(STEP_S, partial(self._freeze_simulation, True))

    def _resume_collections(self) -> None:
        """Collect again, after a rebuild held collections (see `_start_rebuild`)."""
        if self._collections_held:
            self._collections_held = False
            gc.enable()

    def _freeze_simulation(self, everything: bool) -> None:
        main = self.screen_stack[0] if self.screen_stack else None
        if isinstance(main, MainScreen) and main.paints_held:
            # The launch's frame first: the first freeze's full collection (40-80 ms) held
            # it back.
            self.set_timer(STEP_S, partial(self._freeze_simulation, everything))
            return
        # What exists now (the simulation, a loaded session's hundreds of thousands of
        # messages, the panes) lives as long as the app: frozen out of the cyclic
        # collector, whose full collections would otherwise rescan all of it (300 ms at
        # 100,000 messages) each time the heap grows by a quarter, stalling a key press.
        # What was made since the last freeze is collected first, so that its garbage
        # does not stay frozen; `everything` also thaws and collects what was frozen (at
        # the start, and a replaced simulation that did not go). Then the simulations
        # replaced, frozen as they were, are freed (`_retire`).
        freeze_collected(everything=everything)
        self._resume_collections()
        if self._replaced:
            self.set_timer(STEP_S, self._retire)
        # Between slices, Textual's repaints would start a collection every 700
        # allocations (Python's default); each moves the simulation's newest objects up a
        # generation, and every hundredth is a full collection: a fifth of the time at full
        # speed. The simulator collects this rarely while it runs (`stptui.sim.clock`).
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])

    @staticmethod
    def _callback_tasks(sim: Simulator) -> bool:
        """Whether a state machine of the stack has a `.waitForTaskToken` Task (at any
        depth): what `a` answers."""
        machines = sim.services["state_machines"].values()
        if not machines:
            return False
        # Imported here: Step Functions' modules load only with a stack that has a state
        # machine (design.md, "Performance model").
        from stptui.sim.asl import lambda_function_targets

        return any(
            str(state.get("Resource", "")).endswith(".waitForTaskToken")
            for machine in machines
            for _, state in lambda_function_targets(machine.definition)
        )

    # -- frames ------------------------------------------------------------------------

    def _frame(self) -> None:
        # The timer only asks for a frame, which runs as the app's next callback: a slice
        # may outlast the timer's interval, and a Textual timer whose callback overruns
        # waits for the next interval but one (idling up to twice the interval between
        # slices); a frame queued like this only delays the next tick.
        if self._frame_queued:
            return
        self._frame_queued = True

        def run() -> None:
            self._frame_queued = False
            if not self.is_running:
                # Shutting down, the panes going: a frame queued just before would query
                # one already gone (a NoMatches as the app quit with the clock running).
                return
            now = time.perf_counter()
            dt, self._last_frame = now - self._last_frame, now
            if not self._clock_holds:
                self.live.frame(min(dt, 0.25))
            self.flush()
            self._say_stalled()

        self.call_later(run)

    def _say_stalled(self) -> None:
        """Say why the live clock paused by itself (a loop at one instant), once."""
        if self.live.stalled is not None:
            self.notify(self.live.stalled, title="clock paused", severity="error", markup=False)
            self.live.stalled = None

    def flush(self) -> None:
        """Hand the records buffered since the last frame to the panes, in one batch.

        Per record, the app only notes which resource it touched, the inspector keeps
        invocations and the events list the filter's matches (its rows are the trace's
        ring itself). The panes redraw what was touched a few times a second while the
        clock runs, and at once otherwise."""
        if self.session.sim is not self._sim:
            self._load()
            return
        batch = self._pending[:]
        self._pending.clear()
        sim = self._sim
        events = self.query_one(EventsPane)
        if batch:
            self._touched.update({r.resource for r in batch})
            events.note(batch)
            self.query_one(InspectorPane).invocations.note(batch)
        now = time.perf_counter()
        running = self.live.running
        if running and now - self._last_slow < SLOW_PANES_EVERY_S:
            return
        self._last_slow = now
        events.catch_up(sim.clock.now)
        touched, self._touched = self._touched, set()
        workers = sim.services.get("workers")
        for name in list(touched):
            touched.update(self._sources_read_by.get(name, ()))
            q = sim.queues.get(name)
            if q is not None and q.dlq is not None:
                touched.add(q.dlq.name)
            if q is not None:
                # A queue's inspector page shows its dead-letter queue's depth too.
                touched.update(src.name for src in q.sources)
                # A receive by a worker's poller is a record of the queue's: the worker's
                # box counts the messages in its hands.
                if workers is not None:
                    touched.update(p.spec.workload for p in workers.of_queue(name))
        self.query_one(GraphPane).refresh_badges(sim, touched)
        queues = self.query_one(QueuesPane)
        queues.refresh_stats(sim)
        if queues.queue_name in touched:
            queues.refresh_messages(sim)
        if (
            self.selected in touched
            or self._alarm_periods != self._periods(self.selected)
            or self._ages_shown(self.selected)
        ):
            self._inspect(self.selected)
        if not running or now - self._last_agenda >= self._agenda_wait:
            self.query_one(AgendaPane).show(sim)
            self._last_agenda = time.perf_counter()
            self._agenda_wait = (self._last_agenda - now) * AGENDA_WAIT_FACTOR
        self._show_clock()
        self._warm_soon()

    def _warm_soon(self) -> None:
        """Start warming the trace's index (see `_warm_index`) unless it is up to date or
        already under way."""
        if not self._warming and trace_index(self.session.sim.trace).behind:
            self._warming = True
            self.set_timer(WARM_GAP_S, self._warm_index)

    def _warm_index(self) -> None:
        """One step of bringing the trace's index up to date (see WARM_STEP_S): the first
        `show message` or `explain` after a long run (enter and `e` in the panes) would
        otherwise index the whole run at once on this thread (some 4 s after a million
        records). Only this thread runs the simulator, so no record lands during a step;
        records that land between steps are indexed by the next ones (or by a read)."""
        index = trace_index(self.session.sim.trace)
        busy = (
            self.live.running
            or self._clock_holds
            or self.rebuilding is not None
            # The metrics view: a step landed in the frame its page opens in (some 20 ms
            # more of it), and its worker reads the simulation as the clock moves. Nothing
            # reads the index while its modal page is up.
            or any(isinstance(s, FastForwardScreen | MetricsScreen) for s in self.screen_stack)
        )
        if busy:
            self.set_timer(WARM_WAIT_S, self._warm_index)
            return
        behind = index.behind
        deadline = time.perf_counter() + WARM_STEP_S
        while not (done := index.warm(WARM_CHUNK)) and time.perf_counter() < deadline:
            pass
        if behind - index.behind >= WARM_CHUNK:
            # The index lives as long as its simulation, which is frozen out of the cyclic
            # collector (`_freeze_simulation`): so is what a step of a long run's warming
            # adds to it, after a collection of the youngest generation (at most
            # GC_THRESHOLD objects, a few ms). Otherwise the collections its growth sets
            # off would scan all of it, a list per id, and what the run made (at 200,000
            # records: 75-100 ms for each of the first three, in the middle of a step). A
            # command's few records are left to the collector (a freeze would also keep
            # whatever garbage it holds, for good).
            gc.collect(0)
            gc.freeze()
        if done:
            self._warming = False
        else:
            self.set_timer(WARM_GAP_S, self._warm_index)

    def _show_clock(self) -> None:
        self.query_one(ClockBar).show(
            stack=self.session.stack.stack_name,
            now_ms=self.session.sim.clock.now,
            running=self.live.running,
            speed=speed_label(self.live.speed),
            events=self.session.sim.trace.seq,
            status=(
                f"{progress.text()} - esc cancels"
                if (progress := self._rebuild_progress) is not None
                else None
            ),
        )

    # -- selection ---------------------------------------------------------------------

    def watch_selected(self, name: str | None) -> None:
        if name is None:
            return
        self.query_one(GraphPane).select(name)
        self.query_one(QueuesPane).select(self.session.sim, name)
        self._inspect(name)
        self._show_inspector_hint()

    def _show_inspector_hint(self) -> None:
        """Hint the keys that act on the selection where it is shown, the first thing to do
        with it first: `s` while it is a queue, `u` a bucket, `h` an HTTP API or load
        balancer, `x` a schedule, `t` a state machine, `p` an event bus with rules, `v`
        a function or batch job, `b` one of those or a container workload, `P` an SNS
        topic (their dialogs open on it); `M` only while `show metrics` measures it: on
        another (a container workload, a database) `M` would show every other resource's
        figures, not the selection's, and the hint promised them."""
        keys: list[tuple[str, str]] = []
        sim = self.session.sim
        first = self._first_step(self.selected)
        if first is not None:
            keys.append(first)
        invoked = self.selected in sim.functions or self.selected in sim.services["batch"].jobs
        if invoked:
            keys.append(("v", "invoke"))
        if invoked or self.selected in sim.services["containers"].workloads:
            keys.append(("b", "fail"))
        if self.selected in sim.services["topics"].topics:
            keys.append(("P", "publish"))
        if self.selected in self._measured:
            keys.append(("M", "metrics"))
        self.query_one(InspectorPane).border_subtitle = key_hint(*keys) if keys else None

    def _first_step(self, name: str | None) -> tuple[str, str] | None:
        """The key of the dialog that gives resource `name` its first work, when `name` is
        what that dialog opens on and the key acts on this stack: a new user's "what now"
        on the page of a queue, bucket, API, schedule, state machine or bus."""
        if name is None:
            return None
        sim = self.session.sim
        # A node's kind is its resource's type (a web service's own HTTP API's too).
        node = self.graph.nodes.get(name) or {}
        buses = sim.services["buses"].buses
        if name in sim.queues:
            step = ("s", "send", "send")
        elif name in sim.services["buckets"].buckets:
            step = ("u", "upload", "upload")
        elif node.get("kind") in HTTP_ENTRY_TYPES:
            step = ("h", "request", "http")
        elif node.get("kind") == "schedule":
            step = ("x", "fire", "fire")
        elif name in sim.services.get("state_machines", {}):
            step = ("t", "start", "start_execution")
        elif name in buses and (buses[name].rules or not buses[name].account_default):
            step = ("p", "publish", "publish")
        else:
            return None
        key, words, action = step
        return (key, words) if self.check_action(action, ()) else None

    def _periods(self, name: str | None) -> tuple[int, ...]:
        """The current period of each simulated alarm of `name` (empty for none)."""
        if not self._has_alarms or name is None:
            return ()
        now = self.session.sim.clock.now
        alarms = simulated_alarms(self.session).values()
        return tuple(now // a.period_ms for a in alarms if a.spec.resource == name)

    def _ages_shown(self, name: str | None) -> bool:
        """Whether `name`'s page shows ages that grow with the clock, with no record to
        say so: a WebSocket API's open connections (their age and idle time)."""
        service = self.session.sim.services["websocket"]
        if name not in service.apis or self.session.sim.clock.now == self._inspected_at:
            return False
        return any(c.open for c in service.listing(name))

    def _inspect(self, name: str) -> None:
        self._inspected_at = self.session.sim.clock.now
        self._alarm_periods = self._periods(name)
        page = describe_resource(
            name,
            self.session.stack,
            self.graph,
            self.session.sim,
            self.query_one(InspectorPane).invocations.of(name),
            self.session.start_ms,
            None if self.session.behaviors_path is not None else init_line(self.session),
            self.query_one(InspectorPane).invocations.emissions.of(name),
        )
        self.query_one(InspectorPane).show(page)

    def _user_selected(self, name: str) -> None:
        # The graph and queue panes call this with what the user moved onto, in the same
        # step as the key, so that every pane it changes is painted in one frame.
        self.selected = name

    @on(GraphPane.NodeChosen, "#graph-pane")
    def _graph_chosen(self, event: GraphPane.NodeChosen) -> None:
        self.selected = event.node
        self.action_focus_pane("4")

    def jump_to(self, node: str) -> None:
        """Select `node` everywhere and focus the graph on it (from the palette)."""
        if len(self.graph) and node in self.graph:
            # In a large stack the pane lays out the node's neighbourhood to show it.
            self.query_one(GraphPane).select(node)
            self.selected = node
            self.action_focus_pane("1")

    # -- running commands --------------------------------------------------------------

    def run_command(self, line: str) -> CommandResult:
        """Execute one command line on the session and flush the panes; errors propagate
        (as CommandError) to the caller, which shows them."""
        # `:` opens the command line; typing it again there (a Vim habit) means nothing more.
        line = line.lstrip().removeprefix(":")
        self._refuse_while_rebuilding(line)
        self._commit_live()
        if rebuild := plan_rebuild(self.session, line):
            return self._start_rebuild(rebuild)
        verb = line.split(maxsplit=1)
        if verb and verb[0] in RESUMABLE:
            return self._run_resumable(line)
        try:
            result = execute(self.session, line)
        finally:
            self.flush()
        return result

    def _run_resumable(self, line: str) -> CommandResult:
        """Run a command that can run the simulator for long (RESUMABLE) here for at most
        `clock_command_budget_s`; one that takes longer stops where it got, consistent and
        logged as what it amounts to, and goes on in the fast-forward dialog, whose
        progress shows and whose escape stops it. The result says so and where it got."""
        deadline = time.perf_counter() + self.clock_command_budget_s
        try:
            result = execute(
                self.session,
                line,
                should_stop=lambda: time.perf_counter() >= deadline,
                resumable=True,
            )
        finally:
            self.flush()
        rest = result.resumption
        if rest is None:
            return result
        self._fast_forward(
            Continued(self.session, line, rest, wall_budget_s=self.fast_forward_slice_s)
        )
        budget = self.clock_command_budget_s
        verb = line.split(maxsplit=1)[0]
        now = iso_ms(self.session.sim.clock.now)
        return CommandResult(
            f"this {verb} is long work: after {budget:g} s the clock is at {now} "
            f"({rest.status()}); it goes on {rest.aim} in the fast-forward dialog, with its "
            "progress (escape there stops it where it got)",
            data={"now": now, "continued": verb},
        )

    # -- rebuilding in a thread ----------------------------------------------------------

    def _refuse_while_rebuilding(self, line: str) -> None:
        """While a rebuild runs, refuse what would change the simulation it replaces (or
        replace it): only the commands that read (and `save`) run."""
        rebuild = self.rebuilding
        if rebuild is None:
            return
        try:
            words = tokenize(line)
        except CommandError:
            return  # `execute` says what is wrong with the line
        if not words or words[0] in READING_COMMANDS or words[0] not in REGISTRY.commands:
            return
        raise CommandError(
            f"{words[0]} is refused while {rebuild.verb} rebuilds the simulation: it would "
            "change the one being replaced",
            "wait for it to end (the clock bar shows how far it is), or press escape to cancel it",
        )

    def _start_rebuild(self, rebuild: Rebuild[CommandResult]) -> CommandResult:
        """Build `rebuild` in a thread worker; the clock holds and the clock bar shows the
        progress meanwhile, and the end adopts it here (`_rebuild_ended`)."""
        if any(isinstance(s, FastForwardScreen | MetricsScreen) for s in self.screen_stack):
            # Both read the simulation from elsewhere (a worker, the clock's slices).
            raise CommandError(
                f"cannot {rebuild.verb} while the clock fast-forwards or the metrics view computes",
                "close that screen first",
            )
        self.rebuilding = rebuild
        self._rebuild_progress = RebuildProgress(rebuild.verb, 0, 0)
        # No collection until the simulation built is adopted and frozen: a collection
        # holds the lock every thread needs for all of its length, and with the clock's
        # threshold (a young generation of 200,000 objects, `fewer_collections`) one in the
        # worker stopped the UI for 50-75 ms, and one more followed as soon as collecting
        # resumed. The collection before the freeze (`_freeze_simulation`) scans these
        # objects anyway; a rebuild that is not adopted resumes collecting at once.
        if gc.isenabled():
            gc.disable()
            self._collections_held = True
        self.hold_clock(True)
        self._show_clock()
        self._rebuild_timer = self.set_interval(REBUILD_PROGRESS_S, self._show_clock)
        self.refresh_bindings()
        loop = asyncio.get_running_loop()
        self.run_worker(
            lambda: self._build(rebuild, loop),
            thread=True,
            group="rebuild",
            name=rebuild.verb,
            exit_on_error=False,
        )
        return CommandResult(
            f"{rebuild.verb}: rebuilding the simulation in the background; the clock bar "
            "shows how far it is, escape cancels",
            data={"rebuilding": rebuild.verb},
        )

    def _build(self, rebuild: Rebuild[CommandResult], loop: asyncio.AbstractEventLoop) -> None:
        # In the worker's thread: the outcome goes back to the UI's thread, which adopts.
        outcome: CommandError | None = None
        # With --allow-code, the handlers' imports and calls put their folder first on
        # sys.path and swap their modules into sys.modules: no other thread may import
        # meanwhile (docs/fidelity.md, "Undo, redo, reload and load off the UI's thread").
        held = imports_held(loop) if rebuild.session.allow_code else nullcontext()
        try:
            with held:
                rebuild.build(progress=self.rebuild_progressed)
        except CommandError as exc:
            outcome = exc
        except Exception as exc:
            # A bug in stptui: said, and the session kept as it was.
            outcome = CommandError(f"internal error: {type(exc).__name__}: {exc} (a bug)")
        # The app may have closed meanwhile: then there is nothing to adopt into. (Not a
        # suppressed RuntimeError: that would hide one raised while adopting, too.)
        if self.is_running:
            self.call_from_thread(self._rebuild_ended, rebuild, outcome)

    def rebuild_progressed(self, progress: RebuildProgress) -> None:
        """A rebuild's progress, from its thread: kept for the next frame to show (an
        assignment, which needs no lock)."""
        self._rebuild_progress = progress

    def _rebuild_ended(self, rebuild: Rebuild[CommandResult], failed: CommandError | None) -> None:
        self.rebuilding = None
        self._rebuild_progress = None
        if self._rebuild_timer is not None:
            self._rebuild_timer.stop()
        self.hold_clock(False)
        result = None
        if failed is None:
            try:
                result = rebuild.adopt()
            except CommandError as exc:
                failed = exc
        if failed is not None:
            self._resume_collections()
        # The panes are drawn from the simulation adopted (`flush` sees it is another).
        self.flush()
        self._show_clock()
        self.refresh_bindings()
        cause, self._reload_cause = self._reload_cause, None
        if failed is None:
            # A dialog says only what rebuilt it, in a few words: the whole answer (a
            # reload's, six lines at 80 columns) is the note's, and the dialog's rows are
            # for its form and the answer it kept.
            said = render_plain(result) if result is not None else ""
            what = REBUILT.get(rebuild.verb, said.partition("\n")[0].partition(";")[0])
            what = what or rebuild.verb
            if cause is not None and rebuild.verb == "reload":
                what = f"{cause.text()}: {what}"
            self._renew_dialogs(what)
        if cause is not None and rebuild.verb == "reload":
            self._say_reload(cause, failed if failed is not None else result or CommandResult())
        elif isinstance(failed, RebuildCancelled):
            self._notify_replacing(rebuild.verb, failed.format(), title="cancelled")
        elif failed is not None:
            self._notify_replacing(
                rebuild.verb, failed.format(), title="command refused", severity="error"
            )
        elif result is not None and (text := render_plain(result)):
            self._notify_replacing(rebuild.verb, text)

    def action_cancel_rebuild(self) -> None:
        """Cancel the rebuild running (escape); with none, the key goes on as ever."""
        if self.rebuilding is None:
            raise SkipAction()
        self.rebuilding.cancel()

    def _run_and_notify(self, line: str) -> CommandResult | None:
        """Run `line` from a key (n, r) and say what it did, or why it was refused, in a
        note that replaces the one the same command left: `n` pressed a few times would
        stack a note per step, the older ones out of date, over half an 80x24 screen."""
        verb = line.split(maxsplit=1)[0]
        try:
            result = self.run_command(line)
        except CommandError as exc:
            self._notify_replacing(verb, exc.format(), title="command refused", severity="error")
            return None
        text = render_plain(result)
        if text:
            self._notify_replacing(verb, text)
        return result

    def _notify_replacing(
        self, key: str, message: str, *, title: str = "", severity: SeverityLevel = "information"
    ) -> None:
        """Show `message` (as text, never markup) in place of the note last shown for `key`
        if it is still up."""
        old = self._latest_notes.get(key)
        # `notify` does not hand back its note: it is made here to be removed later, through
        # Textual's own collection (Textual is pinned, see pyproject.toml).
        if old is not None and old in self._notifications:
            self._unnotify(old)
        made = note(message, title, severity)
        self._latest_notes[key] = made
        self.post_message(Notify(made))

    def on_notify(self, event: Notify) -> None:
        """Put the notes where they cover least of what is being read, before Textual's own
        handler shows them: at the top of a screen whose focused widget starts in its
        lower half (the Events pane), as of the command line's (app.tcss: its box sits at
        the bottom); at the bottom right, Textual's place, otherwise (a pane that fills
        the screen). A dialog's are at its top (app.tcss: its repeat field and buttons are
        at its bottom right), unless they would cover the field being typed in there and
        not at the bottom (the HTTP dialog's path, at its top, at 80x24)."""
        try:
            screen = self.screen
        except ScreenStackError:  # quitting: Textual's handler shows nothing either
            return
        focused = screen.focused
        if isinstance(screen, CommandDialog):
            new = event.notification
            self._clear_field(screen, [*(n for n in self._notifications if n is not new), new])
            return
        low = isinstance(screen, CommandLineScreen) or (
            focused is not None and focused.region.y >= screen.size.height / 2
        )
        screen.set_class(low, "-notes-at-top")

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A dialog opening over notes already up, or its next field: the notes move off
        the field (or give way, see `_clear_field`)."""
        try:
            screen = self.screen
        except ScreenStackError:
            return
        if isinstance(screen, CommandDialog) and len(self._notifications):
            # Where the notes already up go is left as it was (the top, over neither the
            # repeat field nor the buttons); only a pile that covers the field either way
            # gives way.
            self._clear_field(screen, list(self._notifications), place=False)

    def _clear_field(
        self, screen: CommandDialog, notes: list[Notification], *, place: bool = True
    ) -> None:
        """Keep `notes` (oldest first) off the dialog's focused field: at its top, or at its
        bottom when only that clears the field; when neither does (a FIFO send's note and a
        step's take 12 rows of a 24-row terminal, the `b` dialog's `how` field is at rows
        11 to 13), the oldest notes are dismissed until the newest ones fit: what is typed
        is never hidden behind what was said before. Without `place` (notes already up),
        they move only when some were dismissed."""
        focused = screen.focused
        if focused is None:
            return
        region = focused.region

        def covers(kept: list[Notification], top: bool) -> bool:
            return region.overlaps(notes_band(kept, screen.size, top=top))

        while len(notes) > 1 and covers(notes, True) and covers(notes, False):
            oldest = notes.pop(0)
            place = True  # what is left goes where it covers the field least
            if oldest in self._notifications:
                self._unnotify(oldest)
        if place:
            screen.set_class(covers(notes, True) and not covers(notes, False), "-notes-at-bottom")

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's note, staying as long as it takes to read (`note_timeout`) unless
        `timeout` is given; its text as `note` makes it."""
        self.post_message(Notify(note(message, title, severity, timeout, markup=markup)))

    # -- actions -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide (and disable) the dialog keys the stack has nothing for: no queues, event
        buses (nor a rule on the default bus, for `p`), SNS topics (for `P`), functions and
        batch jobs (for `v`), buckets, HTTP routes, streams, Kafka topics, tables, state
        machines (with a callback task, for `a`), schedules, log groups, lifecycle rules
        that archive (for `o`), buses with an archive (for `y`), simulated alarms (for
        `c`), WebSocket APIs (for `w`) or anything `show metrics` measures (for `M`). A
        key that is not shown does nothing, rather than opening an empty picker or a
        warning. `http` also reaches a load balancer and a function URL."""
        if action == "command_palette":
            # A command run from the palette during a fast-forward would land between its
            # slices, after the `until` line the run keeps rewriting; the metrics view reads
            # the simulation from a worker thread, so nothing may change it meanwhile.
            return not any(
                isinstance(s, FastForwardScreen | MetricsScreen) for s in self.screen_stack
            )
        if action in ("fast_forward", "metrics") and self.rebuilding is not None:
            # Both run or read the simulation a rebuild is about to replace.
            return False
        if self._usable_for is not self.session.sim:
            # Not worked out for this simulation yet (the app is not mounted): as it stands.
            return self._actions_of_use(self.session.sim).get(action, True)
        return self._usable.get(action, True)

    def _actions_of_use(self, sim: Simulator) -> dict[str, bool]:
        """Whether `sim`'s stack has something for each dialog key's action that needs
        one (see `check_action`). The stack alone decides, so `_load` works them out once
        per simulation (a reload, an undo or a load makes a new one), where `check_action`,
        asked about every binding on every key press, made them all each time."""
        needs = {
            "send": sim.queues,
            "invoke": sim.functions or sim.services["batch"].jobs,
            "put_record": sim.services["streams"],
            "produce": sim.services["kafka"],
            "item": sim.services["tables"],
            "start_execution": sim.services["state_machines"],
            "answer_task": self._has_callbacks,
            "publish": self._has_bus_rules,
            "publish_sns": sim.services["topics"].topics,
            "upload": sim.services["buckets"].buckets,
            "http": sim.services["http"].apis
            or sim.services["load_balancers"].balancers
            or sim.services["function_urls"].urls,
            "fire": sim.services["schedules"].rules,
            "log": sim.services["logs"].groups,
            "restore": self._has_archives,
            "replay": self._has_archived_bus,
            "set_alarm_state": self._has_alarms,
            "websocket": sim.services["websocket"].apis,
            "override": sim.functions
            or sim.services["batch"].jobs
            or sim.services["containers"].workloads,
            "metrics": self._measured,
        }
        return {action: bool(has) for action, has in needs.items()}

    def action_clear_notes(self) -> None:
        """Take every note off the screen (a click closes one; this closes them all)."""
        self.clear_notifications()

    def action_toggle_run(self) -> None:
        """Play or pause the virtual clock."""
        self.live.running = not self.live.running
        if self.live.running:
            self._last_frame = time.perf_counter()
            self._timer.resume()
        else:
            self._timer.pause()
            self._commit_live()
            # While running, some panes redraw only a few times a second: catch them up.
            self.flush()
        self._show_clock()

    def hold_clock(self, held: bool) -> None:
        """Hold the live clock's slices while another thread reads the simulation (True),
        or let them go on (False, once per True): the simulator is not thread-safe."""
        self._clock_holds += 1 if held else -1

    def _commit_live(self) -> None:
        """End the live clock's run (one log line, its instant finished), so that a
        recording gets it before what follows."""
        note = self.live.commit(finish=not self._clock_holds)
        if note is not None:
            self.notify(note, title="record", severity="warning", markup=False)
        self._say_stalled()

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
        main = self.screen_stack[0] if self.screen_stack else None
        if key == "2" and main is not None and main.has_class("-no-queues"):
            # Left out, beside the others and in the narrow strip alike (see `_fit_panes`).
            self.notify("this stack has no queues", title="Queues", markup=False)
            return
        self.current_pane = key
        self._show_current()
        widget = self.query_one(selector, Widget)
        screen = widget.screen
        if screen.focused is widget:
            return
        panes = [self._pane_of(w) for w in (screen.focused, widget) if w is not None]
        self._paint_once_settled(screen, panes)
        # At once, rather than after the messages queued (as `Widget.focus` does).
        screen.set_focus(widget)
        if isinstance(widget, QueueTable):
            # Its cursor's queue becomes the selection now, not when its Focus event comes:
            # a key pressed right after `2` (`r`) acts on the queue the table shows.
            widget.select_under_cursor()

    def action_focus_next(self) -> None:
        """Tab: the next stop; on a narrow terminal, past the last of the pane shown, the
        next pane (Textual's own tab went round the pane shown, the others being hidden)."""
        if not self._step_pane(1):
            super().action_focus_next()

    def action_focus_previous(self) -> None:
        """Shift+tab: the previous stop, or the previous pane's last (see focus_next)."""
        if not self._step_pane(-1):
            super().action_focus_previous()

    def _step_pane(self, direction: int) -> bool:
        """On the main screen of a narrow terminal, when the focus is on the pane's last
        stop (first, going back), show the next pane (previous) by number and focus its
        first stop (last); False when Textual's own focus move is the one to make."""
        screen = self.screen
        if not self.screen_stack or screen is not self.screen_stack[0]:
            return False
        if not screen.has_class("-narrow"):
            return False
        chain = screen.focus_chain
        focused = screen.focused
        if focused in chain and 0 <= chain.index(focused) + direction < len(chain):
            return False
        keys = list(PANES)
        at = keys.index(self.current_pane)
        # The next pane with a stop: a stack without queues has none in its Queues pane,
        # and tab from the graph stopped there (Textual's own move went round the graph).
        for step in range(1, len(keys)):
            key = keys[(at + step * direction) % len(keys)]
            stops = self._stops_in(self.query_one(f"#{PANES[key][0]}"))
            if stops:
                self.current_pane = key
                self._show_current()
                screen.set_focus(stops[0] if direction > 0 else stops[-1])
                return True
        return False

    @staticmethod
    def _stops_in(pane: Widget) -> list[Widget]:
        """The widgets tab stops at in `pane`, in order. The pane itself is hidden until
        shown; what is hidden inside it (the events filter line while closed) stays out of
        reach."""
        return [
            w
            for w in pane.walk_children(Widget, with_self=True)
            if w.can_focus
            and all(
                a.styles.display != "none"
                for a in w.ancestors_with_self
                if a is not pane and pane in a.ancestors
            )
        ]

    def _pane_of(self, widget: Widget) -> Widget:
        """The pane `widget` is in (itself when in none)."""
        return next((a for a in widget.ancestors_with_self if a.has_class("pane")), widget)

    def _paint_once_settled(self, screen: Screen[object], roots: list[Widget]) -> None:
        """Hold the screen's repaints until every widget under `roots` (their scrollbars
        too) has handled what is queued for it by then, and paint once.

        A focus change restyles the pane it leaves and the one it enters, and posts Blur
        and Focus: each widget handles them, and asks for its repaint, in its own task,
        while Textual paints as soon as the screen is idle. What the first paint misses
        would wait for Textual's next frame (17 to 33 ms later), and be painted again."""
        pumps = message_pumps(roots)
        batch = self.batch_update()
        batch.__enter__()
        pending = 1
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                batch.__exit__(None, None, None)
                # The screen may have taken in every repaint asked for while the batch
                # held it, and be idle: it paints on its next idle.
                screen.check_idle()

        def settled() -> None:
            nonlocal pending
            pending -= 1
            if not pending:
                release()

        for pump in pumps:
            if pump.call_later(settled):
                pending += 1
        # A widget closed before it got to its call would hold the screen still for good.
        self.set_timer(SETTLE_LIMIT_S, release)
        # Last, so that the batch ends only with the last of the calls above.
        settled()

    def action_help(self) -> None:
        """Show every binding; those the stack has nothing for say so."""
        main = [b for b in self.BINDINGS if isinstance(b, Binding)]
        # A dialog key with nothing to open does nothing (the footer leaves it out): listed
        # as any other, it read as a key that acts.
        idle = [b for b in main if self.check_action(b.action.partition("(")[0], ()) is False]
        groups: list[tuple[str, list[Binding]]] = [
            ("Main screen", main),
            ("Graph pane", [b for b in GraphPane.BINDINGS if isinstance(b, Binding)]),
            ("Events pane", [b for b in RecordList.BINDINGS if isinstance(b, Binding)]),
            (
                "Queues pane's messages",
                [b for b in MessageList.BINDINGS if isinstance(b, Binding)],
            ),
            ("Command line", [b for b in CommandLineScreen.BINDINGS if isinstance(b, Binding)]),
            *(
                (dialog.HELP_TITLE, [b for b in dialog.BINDINGS if isinstance(b, Binding)])
                for dialog in DIALOGS
            ),
            (
                MetricsScreen.HELP_TITLE,
                [b for b in MetricsScreen.BINDINGS if isinstance(b, Binding)],
            ),
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
        self.push_screen(HelpScreen(groups, idle))

    def open_command_line(self, initial: str = "") -> None:
        """Open the command line, optionally with text typed."""
        self.push_screen(
            CommandLineScreen(self.run_command, lambda: self.session, initial, self.command_history)
        )

    def action_command_line(self) -> None:
        """Open the command line."""
        self.open_command_line()

    def action_send(self) -> None:
        """Open the send dialog on the selected queue."""
        self._open_dialog(
            "send", partial(SendDialog, self.session, self.selected, self.run_command)
        )

    def action_invoke(self) -> None:
        """Open the invoke dialog on the selected function or batch job (or the first); it
        shows each answer and stays open until escape."""
        self._open_dialog(
            "invoke", partial(InvokeDialog, self.session, self.selected, self.run_command)
        )

    def action_put_record(self) -> None:
        """Open the put-record dialog on the selected stream (or the one the selected
        function reads, or the stack's first)."""
        self._open_dialog(
            "put_record", partial(PutRecordDialog, self.session, self.selected, self.run_command)
        )

    def action_produce(self) -> None:
        """Open the produce dialog on the selected Kafka topic (or the one the selected
        function reads, or the stack's first)."""
        # A topic's node is `kafka:NAME`; the dialog knows topics by NAME.
        selected = kafka_topic_name(self.graph, self.selected) or self.selected
        self._open_dialog(
            "produce", partial(ProduceDialog, self.session, selected, self.run_command)
        )

    def action_item(self) -> None:
        """Open the item dialog on the selected table (or the one whose stream the selected
        function reads, or the stack's first)."""
        self._open_dialog(
            "item", partial(ItemDialog, self.session, self.selected, self.run_command)
        )

    def action_start_execution(self) -> None:
        """Open the start-execution dialog on the selected state machine (or the first)."""
        self._open_dialog(
            "start_execution",
            partial(StartExecutionDialog, self.session, self.selected, self.run_command),
        )

    def action_answer_task(self) -> None:
        """Open the answer-task dialog on the task of the Events pane's row (when that pane
        has the focus and its row is of a waiting task), else on the selected state
        machine's first waiting task, else on the first; say so when none waits."""
        from stptui.sim.asl_callbacks import tokens_of

        waiting = tokens_of(self.session.sim).waiting()
        if not waiting:
            self.notify(
                "no task waits for a task token now: a `.waitForTaskToken` task of a running "
                "execution waits for one (t starts an execution)",
                severity="warning",
                markup=False,
            )
            return
        rec = self._focused_record()
        row_token = rec.data.get("token") if rec is not None else None
        mine = [t for t in waiting if t.machine.name == self.selected]
        token = row_token if any(t.token == row_token for t in waiting) else None
        if token is None and mine:
            token = mine[0].token
        self._open_dialog("answer_task", partial(self._answer_task_dialog, token))

    def _answer_task_dialog(self, token: str | None) -> AnswerTaskDialog | None:
        """The answer-task dialog on the tasks waiting now, `token`'s first if it still
        waits; None when none waits."""
        from stptui.sim.asl_callbacks import tokens_of

        waiting = tokens_of(self.session.sim).waiting()
        return AnswerTaskDialog(self.session, waiting, token, self.run_command) if waiting else None

    def _focused_record(self) -> Record | None:
        """The Events pane's selected record when that pane has the focus (the keys that
        act on an event row act on it only then), else None."""
        focused = self.screen_stack[0].focused if self.screen_stack else None
        if focused is None or self._pane_of(focused).id != PANES["3"][0]:
            return None
        return self.query_one(RecordList).selected

    def action_publish(self) -> None:
        """Open the publish dialog on the selected bus (or the stack's first)."""
        self._open_dialog(
            "publish", partial(PublishDialog, self.session, self.selected, self.run_command)
        )

    def action_publish_sns(self) -> None:
        """Open the SNS dialog on the selected topic (or the first the selected workload
        subscribes to, or the stack's first with a subscription)."""
        self._open_dialog(
            "publish_sns", partial(SnsDialog, self.session, self.selected, self.run_command)
        )

    def action_upload(self) -> None:
        """Open the upload dialog on the selected bucket (or the stack's first)."""
        self._open_dialog(
            "upload", partial(UploadDialog, self.session, self.selected, self.run_command)
        )

    def action_http(self) -> None:
        """Open the HTTP dialog on the selected resource's route (or the stack's first); it
        shows each response and stays open until escape."""
        self._open_dialog(
            "http", partial(HttpDialog, self.session, self.run_command, self.selected)
        )

    def action_fire(self) -> None:
        """Open the fire dialog on the selected workload's schedule, or the selected
        schedule box's (or the first)."""
        node = self.graph.nodes.get(self.selected) if self.selected is not None else None
        owner = node.get("owner") if node and node.get("kind") == "schedule" else self.selected
        self._open_dialog("fire", partial(FireDialog, self.session, owner, self.run_command))

    def action_log(self) -> None:
        """Open the log dialog on the selected function's (or batch job's) group, else on
        the group the selection subscribes to, else on the first with a subscription."""
        self._open_dialog(
            "log", partial(LogLineDialog, self.session, self.selected, self.run_command)
        )

    def action_restore(self) -> None:
        """Open the restore dialog on the selected bucket (or the first with an archived
        object, or with a rule that archives)."""
        self._open_dialog(
            "restore", partial(RestoreDialog, self.session, self.selected, self.run_command)
        )

    def action_replay(self) -> None:
        """Open the replay dialog on the selected bus (or the first whose archive holds
        events, or the first with an archive)."""
        self._open_dialog(
            "replay", partial(ReplayDialog, self.session, self.selected, self.run_command)
        )

    def action_set_alarm_state(self) -> None:
        """Open the alarm dialog on the selected resource's alarm (or the one the selected
        function's `cloudwatch-alarm` event names, or the first in ALARM, or the first)."""
        self._open_dialog(
            "set_alarm_state",
            partial(AlarmStateDialog, self.session, self.selected, self.run_command),
        )

    def action_websocket(self) -> None:
        """Open the WebSocket dialog on the newest open connection of the selected API (or
        of any), else on a new connection to the selected API (or the first)."""
        self._open_dialog(
            "websocket", partial(WebSocketDialog, self.session, self.selected, self.run_command)
        )

    def action_override(self) -> None:
        """Open the behaviour dialog on the selected function, batch job or container
        workload, or the one the selected resource triggers (a queue's worker), or the
        first."""
        selected = self.selected
        workloads = complete_values(self.session, WORKLOAD)
        if selected in self.graph and selected not in workloads:
            selected = next(
                (node for node in self.graph.successors(selected) if node in workloads), selected
            )
        self._open_dialog(
            "override", partial(OverrideDialog, self.session, selected, self.run_command)
        )

    def _open_dialog(self, action: str, make: Callable[[], CommandDialog | None]) -> None:
        """Open the dialog `make` makes on the session as it is, and keep `make` to make it
        again if an undo, redo, reload or load replaces the simulation while it is open
        (`_renew_dialogs`); `action` is the key's, which `check_action` hides when the
        stack has nothing for it."""
        dialog = make()
        if dialog is not None:
            dialog.opened_on(self.session.sim, partial(self._remake_dialog, action, make))
            self.push_screen(dialog, self._ran)

    def _remake_dialog(
        self, action: str, make: Callable[[], CommandDialog | None]
    ) -> CommandDialog | None:
        """The dialog of `action` made again on the simulation adopted, or None when the
        stack has nothing for it any more."""
        if not self._usable.get(action, True):
            return None
        dialog = make()
        if dialog is not None:
            dialog.opened_on(self.session.sim, partial(self._remake_dialog, action, make))
        return dialog

    def _renew_dialogs(self, what: str) -> None:
        """After an undo, redo, reload or load replaced the simulation: the command dialog
        on top is made again on it, with what was typed kept and `what` said in it (its
        pickers, hints and checks read the new simulation, never the one replaced), and the
        answer it showed shown again, marked as the replaced simulation's; one under
        another screen is marked, and made again when it is back on top."""
        for screen in self.screen_stack:
            built_on = screen.built_on if isinstance(screen, CommandDialog) else None
            if built_on is not None and built_on is not self.session.sim:
                screen.stale = what
        if isinstance(self.screen, CommandDialog) and self.screen.stale:
            self._renew_dialog(self.screen)

    @on(CommandDialog.Stale)
    def _stale_dialog_resumed(self, event: CommandDialog.Stale) -> None:
        if event.dialog is self.screen:
            self._renew_dialog(event.dialog)

    def _renew_dialog(self, old: CommandDialog) -> None:
        what, values = old.stale, old.field_values()
        new = old.remake() if old.remake is not None else None
        self.pop_screen()
        if new is None:
            self.notify(
                f"{what}; the stack has nothing for this dialog any more: it closed",
                title="dialog closed",
                severity="warning",
                markup=False,
            )
            return
        new.carry_over(values, what, old.last)
        self.push_screen(new, self._ran)

    def _ran(self, result: CommandResult | None) -> None:
        if result is not None and result.text:
            self.notify(render_plain(result), title=self._clock_title(), markup=False)

    def _clock_title(self) -> str:
        """A dialog's note's title while the clock has not been run since the session
        began and work waits on it: a first message sent, its worker shown `idle`, and
        nothing said the clock stands until a key runs it."""
        session = self.session
        sim = session.sim
        if self.live.running or sim.clock.now != session.start_ms or not sim.agenda(1):
            return ""
        if any(line.partition(" ")[0] in CLOCK_VERBS for line in session.log):
            return ""  # stepped, or run for no time: the user has found the clock's keys
        return PAUSED_TITLE

    def action_metrics(self) -> None:
        """Open the metrics view of the selected resource (every measured resource when
        `show metrics` does not measure it)."""
        self.push_screen(MetricsScreen(self.session, self.selected, self.hold_clock))

    def action_fast_forward(self) -> None:
        """Ask how far, then run the clock there with progress; the live clock pauses
        meanwhile and plays on afterwards if it was playing."""
        self._fast_forward()

    def _fast_forward(self, continued: Continued | None = None) -> None:
        """The fast-forward dialog: asking how far, or running on `continued` at once (a
        command too long for one go); its summary is a note when it ends."""
        was_running = self.live.running
        if was_running:
            self.action_toggle_run()

        def done(summary: str | None) -> None:
            line = self.screen
            if (
                summary is not None
                and continued is not None
                and isinstance(line, CommandLineScreen)
            ):
                # The command line it was typed on shows how it ended, whole (a script's
                # transcript), where it said the command went on.
                line.show_ended(continued.line, summary)
                self.notify(summary.splitlines()[-1], markup=False)
            elif summary is not None:
                self.notify(summary, markup=False)
            if was_running:
                self.action_toggle_run()

        screen = FastForwardScreen(
            self.session,
            self.flush,
            continued=continued,
            wall_budget_s=self.fast_forward_slice_s,
        )
        self.push_screen(screen, done)

    def action_redrive(self) -> None:
        """Redrive what is selected: the execution of the Events pane's row (when that pane
        has the focus and the row is a state machine's), the latest unsuccessful execution
        of a selected state machine, or a selected dead-letter queue. With anything else
        selected it says what it can redrive, rather than running `redrive` on a function or
        an API (whose error would name every queue of the stack, dead-letter or not)."""
        sim = self.session.sim
        machines = sim.services["state_machines"]
        rec = self._focused_record()
        arn = rec.data.get("execution_arn") if rec is not None else None
        if isinstance(arn, str) and rec is not None and rec.kind.startswith("sfn."):
            self._redrive_execution(arn)
            return
        if self.selected in machines:
            ex = redrive_candidate(machines[self.selected])
            if ex is None:
                self.notify(
                    f"{quote_word(self.selected)} has no execution to redrive yet (t starts one)",
                    severity="warning",
                    markup=False,
                )
            else:
                self._redrive_execution(ex.arn)
            return
        queues = sim.queues
        dlqs = [name for name, queue in queues.items() if queue.sources]
        if self.selected in dlqs:
            self._run_and_notify(f"redrive {quote_word(self.selected)}")
        elif not dlqs and not machines:
            self.notify(
                "this stack has no dead-letter queue to redrive (a queue that another "
                "queue's redrive policy sends its failed messages to)",
                severity="warning",
                markup=False,
            )
        else:
            what = []
            if dlqs:
                what.append(
                    f"a dead-letter queue to redrive: {typed_names(dlqs)} "
                    "(in the graph, or in the Queues pane: 2)"
                )
            if machines:
                what.append(
                    "a state machine, or an execution's row in the Events pane (3), to "
                    "redrive its execution"
                )
            self.notify(f"select {'; or '.join(what)}", severity="warning", markup=False)

    def _redrive_execution(self, arn: str) -> None:
        """`redrive-execution` of the execution with ARN `arn`, named by its name when no
        other execution has it; the command's refusal is shown as it gives it."""
        machines = self.session.sim.services["state_machines"].values()
        every = [ex for m in machines for ex in m.executions.values()]
        ex = next((e for e in every if e.arn == arn), None)
        unique = ex is not None and sum(e.name == ex.name for e in every) == 1
        name = ex.name if ex is not None and unique else arn
        self._run_and_notify(f"redrive-execution {quote_word(name)}")

    def action_explain(self) -> None:
        """The selected trace record's JSON, and the `explain` chain of the id it carries."""
        records = self.query_one(RecordList)
        rec = records.selected
        if rec is None:
            if records.records:
                self.notify("no record matches the filter (/ changes it)", severity="warning")
            elif self.session.sim.pending():
                self.notify(
                    "no trace records yet: space runs the clock, n the next event",
                    severity="warning",
                )
            else:
                # Neither key would make a record: on a stack with no schedule nothing
                # happens until the user sends work.
                self.notify(
                    "no trace records yet, and nothing is scheduled: send work first (the "
                    "footer's keys open the dialogs, : types any command)",
                    severity="warning",
                    markup=False,
                )
            return
        body = pretty_json(rec.to_json())
        ident = next((rec.data[k] for k in FOLLOW_FIELDS if isinstance(rec.data.get(k), str)), None)
        if rec.kind.startswith("repeat."):
            # A repeat's records carry no id: `explain repeat-N` says what the repeat made.
            ident = rec.resource
        if "explain" in REGISTRY.commands and ident is not None:
            body.append("\n\n", "bold")
            body.append_text(self._explanation(ident))
        self.push_screen(TextDialog(f"record {rec.seq}: {rec.kind}", body))

    def _explanation(self, ident: str) -> Text:
        """The `explain` line of `ident` (bold) and what it answers, or its refusal; a
        wrapped line goes on under the text after its time."""
        line = f"explain {quote_word(ident)}"
        try:
            explained = render_plain(execute(self.session, line))
        except CommandError as exc:
            explained = render_plain(CommandResult(exc.format()))
        text = Text()
        text.append(f"{line}\n", "bold")
        for i, row in enumerate(explained.split("\n")):
            stamp = EXPLAIN_TIME.match(row)
            text.append("\n" if i else "")
            text.append_text(hanging(Text(row), stamp.end() if stamp else 2))
        return text

    @on(MessageList.Explain)
    def _explain_message(self, event: MessageList.Explain) -> None:
        """`e` on a message of the Queues pane: its `explain` chain, as `e` on a record."""
        self.push_screen(
            TextDialog(f"message {event.message_id}", self._explanation(event.message_id))
        )

    @on(MessageList.Show)
    def _show_message(self, event: MessageList.Show) -> None:
        """Enter on a message of the Queues pane: `show message ID` (its body and attributes
        whole, and its history) on the page a long output opens on."""
        line = f"show message {quote_word(event.message_id)}"
        try:
            shown = render_plain(execute(self.session, line))
        except CommandError as exc:
            shown = render_plain(CommandResult(exc.format()))
        self.push_screen(OutputPage(line, Text(shown)))

    def action_filter(self) -> None:
        """Open the events pane's filter line."""
        self.action_focus_pane("3")
        self.query_one(EventsPane).open_filter()
