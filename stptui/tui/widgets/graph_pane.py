"""The Graph pane: the stack as a layered box-and-arrow diagram with live badges.

`stptui.tui.diagram` lays the graph out once (sources on the left, data stores on the right,
a dead-letter queue below its queue, one line style per edge kind), fitted to the pane's
width (names cut, counts whole; again when the width changes); this widget shows it with the
Line API, so a repaint costs only the rows on screen, and redraws a box's badge line in
place when its resource was touched: queue depth and in flight, DLQ depth (white on red,
and a red box, when non-zero), a function's or batch job's invocations done (succeeded),
failed and running (a state machine's executions), a container workload's requests
served, failed and running (or, when its code polls queues, its messages processed,
failed and in hand), a schedule's next fire; and,
on a third line, the state of a resource's CloudWatch alarms (`alarm ALARM` white on red,
and a red box, while one is in ALARM).

Arrow keys move the selection to the nearest box in that direction, a click selects a box
(a double click or enter inspects it); each selection is handed to the `on_select` callback,
which the app turns into the selection of every pane. Past `FULL_LAYOUT_LIMIT` nodes the pane
shows the neighbourhood of the selection, laid out again when the selection reaches its
edge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import ClassVar

import networkx as nx
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from stptui import graph as graphs
from stptui.commands.handlers.alarms import alarm_data
from stptui.sim import trace as tk
from stptui.sim.alarms import ALARM, INSUFFICIENT_DATA, OK
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.engine import Simulator
from stptui.sim.mappings import mappings_of
from stptui.sim.services.stream import StreamSim, StreamSource
from stptui.tui import diagram as dg
from stptui.tui.render import safe
from stptui.tui.widgets.line_views import LineView

FULL_LAYOUT_LIMIT = 60
NEIGHBOURHOOD_RADIUS = 2

# A box's counts of what ran: done, failed and running (`3 done · 1✗ · 2▸` at the narrowest):
# a function's invocations, a batch job's runs, a state machine's executions, a container
# workload's requests or messages.
RUN_ROOM = len("0 done · 0✗ · 0▸")
# Room kept on a box's badge line, so that the usual counts fit without a new layout (a
# function's counts shorten to "2 done · 1✗ · 0▸" in a narrow box; a queue's are the point).
BADGE_ROOM: dict[str, int] = {
    "sqs-queue": len("0 visible · 0 in flight"),
    "function": RUN_ROOM,
    "batch-job": RUN_ROOM,
    "state-machine": RUN_ROOM,
    "schedule": len("next Mon 09:00"),
    "kinesis-stream": len("0 held · 0 to read"),
    graphs.KAFKA_TOPIC_KIND: len("0 held · 0 to read"),
    graphs.UPSTASH_TOPIC_KIND: len("0 held · 0 to read"),
}
for _kind in (
    "multi-container-workload",
    "container-workload",
    "web-service",
    "private-service",
    "worker-service",
):
    BADGE_ROOM[_kind] = RUN_ROOM
# The room a queue's box keeps when the diagram is narrowed to fit the pane: its counts in
# shorter words (`0 vis · 0 in flight`; larger counts take the shorter wordings still, as in
# a box of any width). Kept for the widest words (`0 visible · 0 in flight`), the queues'
# column at 80 columns pushed the job-queue worker to the pane's edge, which cut its name to
# `λ w`.
QUEUE_FIT_ROOM = len("0 vis · 0 in flight")
# A table with a stream counts its items and backlog (one without shows its kind).
STREAM_TABLE_ROOM = len("0 items · 0 to read")
# A resource with alarms: the third line has room for one alarm's state.
ALARM_ROOM = len("alarm no data")
DLQ_FULL = Style(color="white", bgcolor="red", bold=True)
RUNNING = Style(color="bright_blue")
FAILED = Style(color="red")
QUEUED = Style(color="cyan")
DIM = Style(dim=True)
# A trigger `pause FUNCTION --trigger SOURCE` turned off, as a paused schedule reads.
PAUSED = Style(color="yellow")


def _counts(*parts: tuple[str, Style]) -> Text:
    text = Text()
    for i, (words, style) in enumerate(parts):
        if i:
            text.append(" · ", DIM)
        text.append(words, style)
    return text


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _when(now_ms: int, at_ms: int) -> str:
    """`09:00` today, `Tue 02:00` within the week, `Jan 12 02:00` later (UTC); past the
    clock's end (a schedule armed near it), the date as `iso_ms` writes it."""
    if at_ms > MAX_MS:
        day, _, time_of_day = iso_ms(at_ms).partition("T")
        return f"{day} {time_of_day[:5]}"
    now = datetime.fromtimestamp(now_ms / 1000, UTC)
    at = datetime.fromtimestamp(at_ms / 1000, UTC)
    clock = at.strftime("%H:%M" if at.second == 0 else "%H:%M:%S")
    days = (at.date() - now.date()).days
    if days == 0:
        return clock
    # Named here, not by strftime's %a and %b: those follow LC_TIME, which a Python
    # handler (--allow-code) may set, and the rest of the UI is in English.
    if days < 7:
        return f"{_WEEKDAYS[at.weekday()]} {clock}"
    return f"{_MONTHS[at.month - 1]} {at.day} {clock}"


def badges(sim: Simulator, g: nx.MultiDiGraph, node: str, dead_letter: bool = False) -> list[Text]:
    """A box's live counts, longest wording first (the pane shows the first that fits)."""
    q = sim.queues.get(node)
    if q is not None:
        if dead_letter or q.sources:
            if not q.depth:
                return [Text("DLQ empty", DIM)]
            s = "" if q.depth == 1 else "s"
            return [
                Text(f"DLQ {q.depth:,} message{s}", DLQ_FULL),
                Text(f"DLQ {q.depth:,}", DLQ_FULL),
            ]
        v, f = q.visible_count, q.in_flight_count
        return [
            _counts((f"{v:,} visible", QUEUED), (f"{f:,} in flight", QUEUED)),
            _counts((f"{v:,} vis", QUEUED), (f"{f:,} in flight", QUEUED)),
            _counts((f"{v:,} vis", QUEUED), (f"{f:,} fly", QUEUED)),
        ]
    stream = sim.services.get("streams", {}).get(node)
    if stream is not None:
        return _stream_counts(stream)
    attrs = g.nodes[node]
    name = graphs.kafka_topic_name(g, node)
    if name is not None:
        # A topic's node is named `kafka:NAME` (the simulator knows it by its label), a
        # legacy Upstash topic's by its resource.
        topic = sim.services.get("kafka", {}).get(name)
        if topic is not None:
            return _held_and_backlog(topic.held(), ("held", "held"), topic)
    table = sim.services.get("tables", {}).get(node)
    if table is not None and table.stream is not None:
        return _held_and_backlog(len(table.items), ("item", "items"), table.stream)
    containers = sim.services.get("containers")
    if containers is not None and node in containers.workloads:
        return _container_counts(sim, node)
    machine = sim.services.get("state_machines", {}).get(node)
    if machine is not None:
        figures = machine.figures()
        running = figures["running"]
        # Timed out counts as failed, as a function's timeout does; aborted was asked for.
        failed = figures["failed"] + figures["timed_out"]
        done = sim.trace.count(tk.SFN_EXECUTION_SUCCEEDED, node)
    else:
        done, running, failed = _invocations(sim, node)
    if running is not None:
        counts = _run_counts(done, failed, running)
        if machine is None and _trigger_paused(sim, node):
            return _paused_counts(counts, idle=not (done or failed or running))
        return counts
    if attrs.get("kind") == "schedule":
        return [_next_fire(sim, attrs)]
    if attrs.get("missing"):
        return [Text("missing", FAILED)]
    return _kind_choices(g, node)


def _kind_choices(g: nx.MultiDiGraph, node: str) -> list[Text]:
    """A box's kind in words, longest first: the short words too where there are some."""
    choices = dict.fromkeys((dg.kind_words(g, node), dg.kind_words(g, node, 0)))
    return [Text(words, DIM) for words in choices]


# How each alarm state reads on a box, and its colour: ALARM as a full DLQ does, OK green,
# INSUFFICIENT_DATA (an alarm's state until its first evaluation) dim.
ALARM_WORDS: dict[str, tuple[str, Style]] = {
    ALARM: ("ALARM", DLQ_FULL),
    OK: ("OK", Style(color="green")),
    INSUFFICIENT_DATA: ("no data", DIM),
}


def alarm_badges(sim: Simulator, node: str) -> list[Text]:
    """The states of `node`'s alarms (as `show alarms` has them), longest wording first:
    `alarm ALARM` for one, `alarms: 1 ALARM · 2 OK` for several; an alarm the simulator
    does not evaluate reads `not simulated`."""
    entries = alarm_data(sim, node)
    if len(entries) == 1:
        state = entries[0].get("state")
        if state is None:
            return [Text("alarm not simulated", DIM), Text("alarm", DIM)]
        word, style = ALARM_WORDS[state]
        return [Text.assemble(("alarm ", DIM), (word, style)), Text(word, style)]
    counts: dict[str | None, int] = {}
    for entry in entries:
        counts[entry.get("state")] = counts.get(entry.get("state"), 0) + 1
    parts = [
        (f"{counts[state]} {word}", style)
        for state, (word, style) in ALARM_WORDS.items()
        if counts.get(state)
    ]
    if counts.get(None):
        parts.append((f"{counts[None]} not simulated", DIM))
    shown = _counts(*parts)
    return [Text.assemble(("alarms: ", DIM), shown), shown]


def alarms_room(count: int, unsimulated: int = 0) -> int:
    """The third line's room on a box with `count` alarms: one alarm's state, or the
    shortest wording of several in all three states (`1 ALARM · 1 OK · 4 no data`), each
    count as wide as `count`, so that no state's count is cut off as the states change;
    with the count of those not simulated after them (a load balancer's may be mixed)."""
    if count == 1:
        return ALARM_ROOM
    n = "0" * len(str(count))
    tail = f" · {unsimulated} not simulated" if unsimulated and unsimulated < count else ""
    return cell_len(f"{n} ALARM · {n} OK · {n} no data{tail}")


def alarm_raised(sim: Simulator, node: str) -> bool:
    """Whether an alarm of `node` is in ALARM."""
    return any(entry.get("state") == ALARM for entry in alarm_data(sim, node))


def _stream_counts(stream: StreamSim) -> list[Text]:
    """A stream's records held, and its readers' backlog (see `_held_and_backlog`)."""
    held = sum(len(shard.records) for shard in stream.shards)
    return _held_and_backlog(held, ("held", "held"), stream)


def _held_and_backlog(held: int, words: tuple[str, str], source: StreamSource) -> list[Text]:
    """`3 items · 2 to read`, then shorter wordings: what a stream or a table holds (`words`
    for one and for several), and how many records the reader furthest behind has still to
    read (waiting or in flight), red while a batch of it is being retried (its shard
    blocked)."""
    behind = 0
    retrying = False
    for consumer in source.consumers:
        lanes = consumer.lane_views()
        behind = max(behind, sum(lane["waiting"] + lane["in_flight"] for lane in lanes))
        retrying |= any(lane["retries"] for lane in lanes)
    held_style = QUEUED if held else DIM
    behind_style = FAILED if retrying else RUNNING if behind else DIM
    word = words[held != 1]
    return [
        _counts((f"{held:,} {word}", held_style), (f"{behind:,} to read", behind_style)),
        _counts((f"{held:,} {word}", held_style), (f"{behind:,} left", behind_style)),
        _counts((f"{held:,}", held_style), (f"{behind:,}", behind_style)),
    ]


def _container_counts(sim: Simulator, node: str) -> list[Text]:
    """A container workload's requests (served, failed, running), or, when its code polls
    queues, its messages (processed, failed, in hand): a worker has no route, and a box
    has room for one line; `show containers` gives both."""
    figures = sim.services["containers"].figures(node)
    workers = sim.services.get("workers")
    if workers is not None and workers.of_workload(node):
        done, failed, busy = figures["processed"], figures["messages_failed"], figures["in_hand"]
        words = (("processed", "failed", "in hand"), ("done", "fail", "held"), "done")
    else:
        done, failed, busy = figures["served"], figures["failed"], figures["running"]
        words = (("served", "failed", "running"), ("req", "fail", "run"), "req")
    if not (done or failed or busy):
        if _trigger_paused(sim, node):
            return [Text("pollers stopped", PAUSED)]
        return [Text("idle", DIM)]
    done_style = QUEUED if done else DIM
    fail_style, busy_style = (FAILED if failed else DIM), (RUNNING if busy else DIM)
    (a, b, c), (d, e, f), short = words
    counts = [
        _counts(
            (f"{done:,} {a}", done_style),
            (f"{failed:,} {b}", fail_style),
            (f"{busy:,} {c}", busy_style),
        ),
        _counts(
            (f"{done:,} {d}", done_style),
            (f"{failed:,} {e}", fail_style),
            (f"{busy:,} {f}", busy_style),
        ),
        _counts(
            (f"{done:,} {short}", done_style),
            (f"{failed:,}✗", fail_style),
            (f"{busy:,}▸", busy_style),
        ),
    ]
    # `pause` stopped its pollers: as a function's box with a disabled mapping.
    return _paused_counts(counts, idle=False) if _trigger_paused(sim, node) else counts


def _invocations(sim: Simulator, node: str) -> tuple[int, int | None, int]:
    """(done, running, failed) of a function's invocations or a batch job's jobs, from the
    trace's counts (no scan); running is None for other nodes."""
    fn = sim.functions.get(node)
    if fn is not None:
        count = sim.trace.count
        return count(tk.INVOCATION_SUCCEEDED, node), fn.running, count(tk.INVOCATION_FAILED, node)
    batch = sim.services.get("batch")
    job = getattr(batch, "jobs", {}).get(node)
    if job is not None:
        counts = job.counts
        return int(counts.get("succeeded", 0)), len(job.running), int(counts.get("failed", 0))
    return 0, None, 0


def _run_counts(done: int, failed: int, running: int) -> list[Text]:
    """`5 done · 1 failed · 2 running`, then shorter wordings (the order and the words of a
    container workload's counts) down to `5✓ · 1✗ · 2▸`: how many runs ended well, how many
    failed, how many run now; `idle` before the first."""
    if not (done or failed or running):
        return [Text("idle", DIM)]
    done_style = QUEUED if done else DIM
    fail_style, run_style = (FAILED if failed else DIM), (RUNNING if running else DIM)
    return [
        _counts(
            (f"{done:,} done", done_style),
            (f"{failed:,} failed", fail_style),
            (f"{running:,} running", run_style),
        ),
        _counts(
            (f"{done:,} done", done_style),
            (f"{failed:,} fail", fail_style),
            (f"{running:,} run", run_style),
        ),
        _counts(
            (f"{done:,} done", done_style),
            (f"{failed:,}✗", fail_style),
            (f"{running:,}▸", run_style),
        ),
        # Past the room the box keeps (`500 done · 0✗ · 0▸`): each count whole, by its mark.
        _counts(
            (f"{done:,}✓", done_style),
            (f"{failed:,}✗", fail_style),
            (f"{running:,}▸", run_style),
        ),
    ]


def _trigger_paused(sim: Simulator, node: str) -> bool:
    """Whether an event source mapping of workload `node` is disabled now (or, for a
    container workload, its pollers of a queue stopped): looked for only once the trace has
    a `mapping.disabled` of it, a count it keeps, as a box is redrawn for every record of
    its resource."""
    if not sim.trace.count(tk.MAPPING_DISABLED, node):
        return False
    return any(m.disabled for m in mappings_of(sim, node))


def _paused_counts(counts: list[Text], idle: bool) -> list[Text]:
    """A workload's counts while an event source mapping of it is disabled: `trigger
    paused` in place of `idle` (its source's backlog is why it does nothing), else each
    wording of its counts after the clock bar's pause mark."""
    if idle:
        return [Text("trigger paused", PAUSED)]
    return [Text.assemble(("⏸ ", PAUSED), words) for words in counts]


def _next_fire(sim: Simulator, attrs: dict[str, object]) -> Text:
    schedules = sim.services.get("schedules")
    for rule in getattr(schedules, "rules", ()):
        if rule.owner != attrs.get("owner") or rule.trigger.index != attrs.get("index"):
            continue
        if rule.paused:
            return Text("paused", Style(color="yellow"))
        if rule.next_ms is None:
            return Text("never fires", FAILED)
        return Text(f"next {_when(sim.clock.now, rule.next_ms)}", Style(color="green"))
    return Text("schedule", DIM)


class GraphPane(LineView, can_focus=True):
    """The layered diagram; selecting a box selects the resource everywhere."""

    DEFAULT_CSS = """
    GraphPane > .graph-pane--selected { color: $accent; text-style: bold; }
    GraphPane > .graph-pane--cursor { background: $accent 35%; }
    GraphPane > .graph-pane--edge { color: $accent; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "graph-pane--selected",
        "graph-pane--cursor",
        "graph-pane--edge",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move('up')", "Previous in layer", show=False),
        Binding("down", "move('down')", "Next in layer", show=False),
        Binding("left", "move('left')", "Layer to the left", show=False),
        Binding("right", "move('right')", "Layer to the right", show=False),
        Binding("enter", "choose", "Inspect", show=False),
    ]

    class NodeChosen(Message):
        """The user asked to inspect `node` (enter, or a double click)."""

        def __init__(self, pane: GraphPane, node: str) -> None:
            super().__init__()
            self.pane = pane
            self.node = node

        @property
        def control(self) -> GraphPane:
            """The pane (so that `@on(..., "#graph-pane")` matches)."""
            return self.pane

    def __init__(self, on_select: Callable[[str], None] | None = None, **kwargs: object) -> None:
        """`on_select` is called with each node the user selects, at once rather than by a
        message: a message is handled after the screen has painted the pane, and what the
        selection changes elsewhere waits for Textual's next frame (17 to 33 ms later) to
        be painted a second time."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._on_select = on_select
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.view: nx.MultiDiGraph = self.graph
        self.diagram: dg.Diagram = dg.layout(self.view)
        self.shown: list[str] = []
        self.selected: str | None = None
        self._sim: Simulator | None = None
        self._centre: str | None = None
        self._dead_letter: set[str] = set()
        self._schedules: dict[str, list[str]] = {}
        self._strips: dict[int, Strip] = {}
        self._lit: dict[int, set[int]] = {}  # the selection's edges: row -> columns
        # A new diagram opens at its top, the legend in sight (see `_reveal`), until the
        # selection moves on from the one it opened on.
        self._opening = True
        self._opened_on: str | None = None
        # The width the diagram was fitted to. Before the pane has a size, the first layout
        # waits for it (`_waiting`): laid out at once, a stack would open in two layouts.
        self._fitted_to: int | None = None
        self._waiting = False

    # -- the app's API -------------------------------------------------------------------

    def load(self, g: nx.MultiDiGraph, sim: Simulator, focus: str | None = None) -> None:
        """Lay out the whole graph, or `focus`'s neighbourhood when the graph is large."""
        self.graph = g
        self._sim = sim
        self._dead_letter = {
            v for _, v, k in g.edges(data="kind") if k in (graphs.REDRIVE, graphs.DELIVERY_FAILURE)
        }
        self._schedules = {}
        for n, attrs in g.nodes(data=True):
            if attrs.get("kind") == "schedule" and attrs.get("owner") in g:
                self._schedules.setdefault(str(attrs["owner"]), []).append(n)
        if self.selected not in g:
            self.selected = None
        self._opening = True
        self._opened_on = None
        centre = focus if focus in g else self.selected or next(iter(g), None)
        self._show(centre)

    def refresh_badges(self, sim: Simulator, nodes: Iterable[str]) -> None:
        """Redraw the badges of the shown nodes among `nodes` (and of their schedules)."""
        self._sim = sim
        boxes = self.diagram.boxes
        for node in nodes:
            for n in (node, *self._schedules.get(node, ())):
                if n in boxes and self._write_badge(n):
                    self._repaint(n)

    def select(self, node: str) -> None:
        """Show `node` as selected (laying out its neighbourhood in a large graph)."""
        self._select(node, user=False)

    # -- layout --------------------------------------------------------------------------

    def _fit_width(self) -> int | None:
        """The columns a diagram may take without scrolling sideways: the pane's, less a
        vertical scrollbar's (a tall diagram has one); None before the pane has a size."""
        width = self.size.width - self.styles.scrollbar_size_vertical
        return width if self.size.width > 0 else None

    def _show(self, centre: str | None) -> None:
        g = self.graph
        width = self._fit_width()
        self._centre = centre
        if width is None:
            # No size yet (the app opens the stack before the screen is laid out, or the
            # pane is out of sight on a narrow terminal): laid out on the first resize.
            self._waiting = True
            self.view = g
            self.diagram = dg.layout(nx.MultiDiGraph())
            self.shown = []
            self._lit = {}
            self._strips.clear()
            return
        self._waiting = False
        self._fitted_to = width
        if len(g) > FULL_LAYOUT_LIMIT and centre is not None:
            self.view = dg.around(g, centre, FULL_LAYOUT_LIMIT, NEIGHBOURHOOD_RADIUS)
            # A str subtitle is parsed as markup; the resource name goes in as Text.
            self.border_subtitle = Text(
                f"around {safe(centre)}: {len(self.view)} of {len(g)} nodes"
            )
        else:
            self.view = g
            nodes, edges = len(g), len(g.edges)
            self.border_subtitle = (
                f"{nodes} node{'s' * (nodes != 1)}, {edges} edge{'s' * (edges != 1)}"
            )
        self.diagram = dg.layout(self.view, self._lines, self._room, width, self._least)
        for node in self.diagram.boxes:
            self._write_badge(node)
        self.shown = list(self.diagram.order)
        self._lit = self.diagram.edge_cells(self.selected) if self.selected in self.view else {}
        self._strips.clear()
        self.virtual_size = Size(self.diagram.width, self.diagram.height)
        self.refresh()

    def on_resize(self) -> None:
        """Fit the diagram to the pane's new width: its first layout, or another when the
        diagram was narrowed to the old width or is too wide for the new one."""
        width = self._fit_width()
        if width is None or width == self._fitted_to:
            return
        d = self.diagram
        if not self._waiting and d.natural_width <= min(width, self._fitted_to or width):
            self._fitted_to = width  # as wide as it would be at any width: nothing to fit
            return
        # A selection made while waiting is the centre of a large stack's first view.
        waited = self._waiting and self.selected in self.graph
        self._show(self.selected if waited else self._centre)
        if self.selected in self.diagram.boxes:
            self.call_after_refresh(self._reveal, self.selected)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Over a box whose name is cut, the whole name as its tooltip (as plain text)."""
        offset = event.get_content_offset(self)
        node = None
        if offset is not None:
            node = self.diagram.node_at(
                offset.x + int(self.scroll_x), offset.y + int(self.scroll_y)
            )
        tip = None
        if node is not None:
            full = dg.safe_label(self.view.nodes[node].get("label", node))
            room = self.diagram.boxes[node].width - 4
            if full not in dg.node_title(self.view, node, room).plain:
                tip = Text(full)
        if tip != self.tooltip:
            self.tooltip = tip

    def _badges(self, node: str) -> list[Text]:
        if self._sim is None:
            return _kind_choices(self.view, node)
        return badges(self._sim, self.view, node, node in self._dead_letter)

    def _alarm_badges(self, node: str) -> list[Text]:
        """The third line's wordings, on a resource with alarms only."""
        if not self.view.nodes[node].get("alarms"):
            return []
        if self._sim is None:
            return [Text(graphs.alarm_count(self.view.nodes[node]), DIM)]
        return alarm_badges(self._sim, node)

    def _lines(self, node: str, room: int) -> tuple[Text, ...]:
        alarms = self._alarm_badges(node)
        first = (dg.node_title(self.view, node, room), self._badges(node)[0])
        return (*first, alarms[0]) if alarms else first

    def _room(self, node: str) -> int:
        table = self._sim.services.get("tables", {}).get(node)
        if table is not None and table.stream is not None:
            room = STREAM_TABLE_ROOM
        else:
            room = BADGE_ROOM.get(str(self.view.nodes[node].get("kind")), 0)
        alarms = len(self.view.nodes[node].get("alarms") or ())
        if not alarms:
            return room
        unsimulated = sum(not e["simulated"] for e in alarm_data(self._sim, node))
        return max(room, alarms_room(alarms, unsimulated))

    def _least(self, node: str) -> int:
        """The room `node`'s box keeps when the diagram is narrowed to fit the pane: a
        queue's `QUEUE_FIT_ROOM` (without alarms), any other's `_room`."""
        room = self._room(node)
        attrs = self.view.nodes[node]
        if attrs.get("kind") != "sqs-queue" or attrs.get("alarms"):
            return room
        return min(room, QUEUE_FIT_ROOM)

    def _write_badge(self, node: str) -> bool:
        """Put the longest wording of `node`'s badges that fits (and of its alarms', on
        the line below); True when it changed."""
        room = self.diagram.boxes[node].width - 4
        changed = False
        for row, choices in enumerate((self._badges(node), self._alarm_badges(node)), 1):
            if choices:
                text = next((t for t in choices if cell_len(t.plain) <= room), choices[-1])
                changed = self.diagram.write(node, row, text) or changed
        if not self.view.nodes[node].get("missing"):
            sim = self._sim
            q = sim.queues.get(node) if sim is not None else None
            alarm = q is not None and q.depth > 0 and (node in self._dead_letter or q.sources)
            if not alarm and sim is not None and self.view.nodes[node].get("alarms"):
                alarm = alarm_raised(sim, node)
            border = dg.ALARM_STYLE if alarm else dg.BORDER_STYLE
            changed = self.diagram.set_border(node, border) or changed
        return changed

    # -- painting ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Row `y` of the visible part of the diagram."""
        scroll_x, scroll_y = self.scroll_offset
        row = y + scroll_y
        # First: it drops the kept rows if the styles changed.
        base, selected, cursor, edge = self.line_styles()
        strip = self._strips.get(row)
        if strip is None:
            segments = self.diagram.segments(
                row, self.selected, selected, cursor, self._lit.get(row, ()), edge
            )
            strip = Strip(segments, self.diagram.width if segments else 0).apply_style(base)
            self._strips[row] = strip
        width = self.scrollable_content_region.width
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def compute_line_styles(self) -> tuple[Style, ...]:
        """The pane's style, then the selected box's, the cursor's and the lit edges'."""
        return (
            self.rich_style,
            *(
                self.get_component_rich_style(f"graph-pane--{part}", partial=True)
                for part in ("selected", "cursor", "edge")
            ),
        )

    def forget_lines(self) -> None:
        """Drop the painted rows (drawn in styles that changed)."""
        self._strips.clear()

    def _repaint(self, node: str | None) -> None:
        box = self.diagram.boxes.get(node) if node is not None else None
        if box is None:
            return
        for row in range(box.y, box.y + box.height):
            self._strips.pop(row, None)
        self._refresh_rows(box.y, box.height)

    def _refresh_rows(self, y: int, height: int = 1) -> None:
        """Repaint rows `y` to `y + height` of the diagram, as far as they are in view.

        Textual's `refresh_lines` marks the rows asked for however far out of view they are,
        across the diagram's whole width, and paints the box around everything marked, in
        every pane it covers: a box's row below the view, or the part of a wide row right of
        it, made a selection repaint the panes below the graph and the inspector beside it.
        A row out of view is painted when scrolled to (its kept strip dropped)."""
        view = self.scrollable_content_region
        scroll_y = self.scroll_offset.y
        top = max(y, scroll_y)
        bottom = min(y + height, scroll_y + view.height)
        if top < bottom:
            self.refresh(Region(0, top - scroll_y, view.width, bottom - top))

    # -- selection -----------------------------------------------------------------------

    def _select(self, node: str, *, user: bool) -> None:
        if node not in self.graph:
            return
        relaid = not self._waiting and self._needs_centring(node)
        if relaid:
            self._show(node)
        if node not in self.diagram.boxes and not self._waiting:
            return
        if user or self._opened_on not in (None, node):
            self._opening = False
        self._opened_on = self._opened_on or node
        if self._waiting:
            self.selected = node  # shown once laid out (`on_resize`)
            return
        previous, self.selected = self.selected, node
        self._repaint(previous)
        self._repaint(node)
        lit, self._lit = self._lit, self.diagram.edge_cells(node)
        for row in {*lit, *self._lit}:
            self._strips.pop(row, None)
            self._refresh_rows(row)
        if self.size and not relaid:
            # At once: after a refresh would paint the pane a second time.
            self._reveal(node)
        else:
            # Not laid out yet (the app selects at start), or a new diagram whose size the
            # next layout has to take in first.
            self.call_after_refresh(self._reveal, node)
        if user and self._on_select is not None:
            self._on_select(node)

    def _reveal(self, node: str) -> None:
        box = self.diagram.boxes.get(node)
        if box is None or node != self.selected:
            return
        y0, y1, line = box.y, box.y + box.height, 0
        # A queue and the dead-letter queues drawn below it are shown together, with the
        # redrive line beside them, when the view is tall enough for all of them.
        d = self.diagram
        host = d.hosts.get(node, node)
        group = [d.boxes[n] for n in (host, *(q for q, h in d.hosts.items() if h == host))]
        if len(group) > 1:
            first, last = min(b.y for b in group), max(b.y + b.height for b in group)
            if last - first + 2 <= self.scrollable_content_region.height:
                y0, y1, line = first, last, 2
        # A little of the channel on each side, so the arrows in and out show too.
        top = max(y0 - 1, 0)
        if self._opening:
            # A diagram opens at its top: the legend says what the lines mean, and the box
            # is shown below it when the pane is tall enough (a region taller than the
            # view is scrolled to by its top).
            top = 0
        region = Region(max(box.x - 2, 0), top, box.width + 4 + line, y1 + 1 - top)
        self.scroll_to_region(region, animate=False, immediate=True)

    def _needs_centring(self, node: str) -> bool:
        """Whether a large graph's view must move to `node`: it is not shown, or it is at
        the edge of the view (some of its neighbours are not shown)."""
        if len(self.graph) <= FULL_LAYOUT_LIMIT:
            return False
        boxes = self.diagram.boxes
        if node not in boxes:
            return True
        if node == self._centre:
            return False
        nbrs = (*self.graph.successors(node), *self.graph.predecessors(node))
        return any(n not in boxes for n in nbrs)

    def action_move(self, direction: str) -> None:
        """Move the selection: up, down, left or right."""
        target = self._nearest(direction)
        if target is not None:
            self._select(target, user=True)

    def _nearest(self, direction: str) -> str | None:
        """Up and down: the next box in the same layer. Left and right: the box nearest in
        height in the next layer that way."""
        boxes = self.diagram.boxes
        order = self.diagram.order
        if self.selected not in boxes:
            return order[0] if order else None
        here = boxes[self.selected]
        if direction in ("up", "down"):
            column = [n for n in order if boxes[n].layer == here.layer]
            i = column.index(here.node) + (1 if direction == "down" else -1)
            return column[i] if 0 <= i < len(column) else None
        step = 1 if direction == "right" else -1
        layers = sorted({b.layer for b in boxes.values() if (b.layer - here.layer) * step > 0})
        if not layers:
            return None
        layer = layers[0] if step > 0 else layers[-1]
        _, cy = here.center
        return min(
            (n for n in order if boxes[n].layer == layer),
            key=lambda n: abs(boxes[n].center[1] - cy),
        )

    def action_choose(self) -> None:
        """Inspect the selected node."""
        if self.selected is not None:
            self.post_message(self.NodeChosen(self, self.selected))

    def on_click(self, event: events.Click) -> None:
        """Select the clicked box; a double click inspects it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        node = self.diagram.node_at(offset.x + int(self.scroll_x), offset.y + int(self.scroll_y))
        if node is None:
            return
        self._select(node, user=True)
        if event.chain >= 2:
            self.post_message(self.NodeChosen(self, node))
