"""The stack as a layered box-and-arrow diagram in terminal cells (no Textual here).

`layout(g)` draws a graph built by `stptui.graph` left to right: one column of boxes per
layer (the graph's `layer` attribute, so sources come first and data stores last), the
edges routed orthogonally through the channels between the columns. A dead-letter queue
that only one resource dead-letters into is drawn right below it instead, in its column
(`_dead_letter_hosts`): ordered and placed as one block with it, the line between them
leaving the host's bottom port for the first trunk of the channel. Given a width, the
widest columns are narrowed to fit it as the diagram is drawn (`_fit_widths`): nothing
before the drawing depends on a box's width, so fitting costs no second layout.

The steps are the classic Sugiyama ones, kept small enough for a 60-node stack to lay out
in a few milliseconds:

1. every edge that spans more than one layer gets a dummy item in each layer it crosses;
   an edge that goes backwards (a `connectTo` to a source, a cycle) is laid out from its
   target to its source and drawn with its arrowhead pointing left;
2. barycenter sweeps order each layer to reduce crossings (ties keep the previous order, so
   the result is deterministic) and the best ordering seen is kept;
3. boxes get one port row per outgoing edge kind and per incoming edge on each side, and
   are placed vertically by weighted isotonic regression towards the rows of their
   neighbours' ports, which straightens edges without ever reordering a layer;
4. each channel is routed like a VLSI channel: one vertical trunk per source port (its
   edges fan out from it), trunks packed into columns by the left-edge algorithm under the
   constraints that keep horizontal stubs from overlapping; when those constraints form a
   cycle, the stub that closes it is routed around the others by a small shortest-path
   search (a dogleg).

Each edge kind has its own line: heavy `━` triggers, dashed `┄` connectTo (a permission, not
a flow), double `═` redrive and delivery failure, light `─` destinations (magenta) and a
state machine's tasks (green), dashed `╌` what a state machine reads (dim green: a table's
item, a Distributed Map's bucket) and dotted `·` bus notifications, with `►` (or `▷` for
connectTo) at the target. Where two edges cross, the vertical one is drawn through and the
horizontal one resumes after it, so a crossing never looks like a junction. Names are
untrusted text: they are drawn as plain characters with control characters made visible
and are cut to a cell width, never interpreted as markup. A box has two lines inside (the
name, then the kind or the Graph pane's live counts), and a third on a resource with
CloudWatch alarms (how many; the Graph pane writes their states there).
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx
from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from stptui import graph as graphs
from stptui.textsafe import one_line
from stptui.tui.render import cut_name

# Directions a line leaves a cell in, as bits.
N, E, S, W = 1, 2, 4, 8

MAX_TITLE_CELLS = 26
MIN_INNER_CELLS = 6
# How narrow a box's name may be cut to fit a width (inside its borders): an icon and
# twelve cells (`λ notifi…orker`), or a kind in words (`dynamodb table`). A box keeps the
# room of its counts in shorter words (`least_inner`): fitting cuts names and shortens the
# words beside the counts (`0 visible · 0 in flight` to `0 vis · 0 in flight`), never counts.
FIT_MIN_INNER_CELLS = 14
# A column is narrowed by this many cells or not at all: a name with three letters cut
# (`λ webhook…ceiver`) is harder to read for the one cell the diagram gains.
FIT_MIN_SAVING = 4
# Cells around a channel's trunks: one for the source stubs (`├┄╮`), two to the arrow
# (`╰┄▷`). A second stub cell (four in all) made the `combined` stack's four channels 4
# cells wider, for lines no easier to follow.
STUB_CELLS = 1
CHANNEL_MARGIN = STUB_CELLS + 2
MAX_SWEEPS = 12
# The least of a column's box that fitting a width keeps in sight when the column before
# it is the last whole one: its border, a space and eight cells of its title (`λ notific`).
PEEK_MIN_CELLS = 2 + 8


@dataclass(frozen=True)
class EdgeStyle:
    """How edges of one kind are drawn."""

    legend: str
    family: str  # the box-drawing set of corners and junctions: "light", "heavy" or "double"
    horizontal: str
    vertical: str
    head_right: str
    head_left: str
    style: Style


EDGE_STYLES: dict[str, EdgeStyle] = {
    graphs.TRIGGER: EdgeStyle("trigger", "heavy", "━", "┃", "►", "◄", Style(bold=True)),
    graphs.CONNECT: EdgeStyle("connectTo", "light", "┄", "┆", "▷", "◁", Style(dim=True)),
    graphs.REDRIVE: EdgeStyle("redrive", "double", "═", "║", "►", "◄", Style(color="red")),
    graphs.DELIVERY_FAILURE: EdgeStyle(
        "delivery failure", "double", "═", "║", "►", "◄", Style(color="red")
    ),
    graphs.DESTINATION: EdgeStyle(
        "destination", "light", "─", "│", "►", "◄", Style(color="magenta")
    ),
    graphs.BUS_NOTIFICATION: EdgeStyle(
        "bus notification", "light", "·", "·", "►", "◄", Style(color="cyan")
    ),
    # A cluster to a topic on it: records travel on to the topic's readers.
    graphs.HOSTS: EdgeStyle("hosts topic", "light", "─", "│", "►", "◄", Style(color="cyan")),
    graphs.TASK: EdgeStyle("task", "light", "─", "│", "►", "◄", Style(color="green")),
    graphs.READ: EdgeStyle("read", "light", "╌", "╎", "►", "◄", Style(color="green", dim=True)),
    # A queue to the worker whose code polls it (a behaviours file's `poll`).
    graphs.POLLS: EdgeStyle("polls", "heavy", "━", "┃", "►", "◄", Style(bold=True, color="yellow")),
}
_DEFAULT_EDGE_STYLE = EdgeStyle("edge", "light", "─", "│", "►", "◄", Style())

_JUNCTIONS: dict[str, dict[int, str]] = {
    "light": {
        S | E: "╭",
        S | W: "╮",
        N | E: "╰",
        N | W: "╯",
        N | S | E: "├",
        N | S | W: "┤",
        E | W | S: "┬",
        E | W | N: "┴",
        N | E | S | W: "┼",
    },
    "heavy": {
        S | E: "┏",
        S | W: "┓",
        N | E: "┗",
        N | W: "┛",
        N | S | E: "┣",
        N | S | W: "┫",
        E | W | S: "┳",
        E | W | N: "┻",
        N | E | S | W: "╋",
    },
    "double": {
        S | E: "╔",
        S | W: "╗",
        N | E: "╚",
        N | W: "╝",
        N | S | E: "╠",
        N | S | W: "╣",
        E | W | S: "╦",
        E | W | N: "╩",
        N | E | S | W: "╬",
    },
}
# A box's border where an edge leaves it, on the right and on the left side.
_PORT_RIGHT = {"light": "├", "heavy": "┝", "double": "╞"}
_PORT_LEFT = {"light": "┤", "heavy": "┥", "double": "╡"}

KIND_ICONS: dict[str, str] = {
    "function": "λ",
    "batch-job": "▣",
    "sqs-queue": "≡",
    "event-bus": "✦",
    "sns-topic": "◎",
    "bucket": "◫",
    "http-api-gateway": "⇄",
    # Gateways in front of functions, as the HTTP API is.
    "websocket-api-gateway": "⇄",
    "appsync-api": "⇄",
    "application-load-balancer": "⇄",
    "network-load-balancer": "⇄",
    # Streams of records a consumer polls.
    "kafka-cluster": "≋",
    graphs.KAFKA_TOPIC_KIND: "≋",
    graphs.UPSTASH_TOPIC_KIND: "≋",
    "kinesis-stream": "≋",
    # Tables a workload connects to.
    "relational-database": "⊞",
    "dsql-database": "⊞",
    "dynamo-db-table": "⊞",
    "email-sender": "✉",
    "schedule": "◷",
    "aws-service": "◇",
    "external": "◇",
    "missing": "?",
}
KIND_WORDS: dict[str, str] = {
    "function": "function",
    "batch-job": "batch job",
    "sqs-queue": "sqs queue",
    "event-bus": "event bus",
    "sns-topic": "sns topic",
    "bucket": "bucket",
    "http-api-gateway": "http api",
    "websocket-api-gateway": "websocket api",
    "appsync-api": "appsync api",
    "schedule": "schedule",
    graphs.KAFKA_TOPIC_KIND: "kafka topic",
    "relational-database": "database",
    "dynamo-db-table": "dynamodb table",
    "aws-service": "aws service",
    "external": "outside the stack",
    "missing": "missing",
}
# A kind's words for a box too narrow for them (down to FIT_MIN_INNER_CELLS inside): cut
# at the end, `application lo…` and `outside the st…` read as something else.
SHORT_KIND_WORDS: dict[str, str] = {
    "agentcore-browser": "agent browser",
    "agentcore-code-interpreter": "interpreter",
    "agentcore-gateway": "agent gateway",
    "agentcore-memory": "agent memory",
    "agentcore-runtime": "agent runtime",
    "application-load-balancer": "app balancer",
    "aws-cdk-construct": "cdk construct",
    "cloudformation-resource": "cfn resource",
    "custom-resource-definition": "custom def",
    "custom-resource-instance": "custom inst",
    "deployment-script": "deploy script",
    "edge-lambda-function": "edge function",
    "external": "outside stack",
    "mongo-db-atlas-cluster": "mongodb atlas",
    "multi-container-workload": "containers",
    "network-load-balancer": "net balancer",
    "open-search-domain": "opensearch",
    "private-service": "private svc",
    "upstash-kafka-topic": "upstash topic",
    "web-app-firewall": "web firewall",
}
PLAIN = Style()
BORDER_STYLE = Style(color="grey58")
MISSING_STYLE = Style(color="red")
ALARM_STYLE = Style(color="red", bold=True)
LEGEND_STYLE = Style(dim=True)


def edge_style(kind: object) -> EdgeStyle:
    """The line, arrowheads and colour of an edge kind."""
    return EDGE_STYLES.get(str(kind), _DEFAULT_EDGE_STYLE)


def glyph(style: EdgeStyle, dirs: int) -> str:
    """The character of a line cell that connects towards `dirs` (N/E/S/W bits)."""
    if dirs in (N, S, N | S):
        return style.vertical
    if dirs in (E, W, E | W, 0):
        return style.horizontal
    if style.horizontal == "·":
        return "·"  # a dotted line stays dotted round its corners
    return _JUNCTIONS[style.family].get(dirs, _JUNCTIONS[style.family][N | E | S | W])


def safe_label(value: object) -> str:
    """A name as one printable line: control characters and line breaks made visible."""
    return one_line(str(value))


def node_title(g: nx.MultiDiGraph, node: str, room: int = MAX_TITLE_CELLS) -> Text:
    """A box's first line in at most `room` cells: the kind's icon and the (untrusted)
    label, as plain text; a function with a URL says so (`λ bot · URL`): its URL is an entry
    no edge draws. A label too long is cut in the middle, as the Queues pane cuts names: a
    queue, its dead-letter queue and its worker often share their start
    (`customerOrderProcessing…` was all three boxes' title); never inside an escape or
    something that reads as markup (`render.cut_name`)."""
    attrs = g.nodes[node]
    kind = str(attrs.get("kind", ""))
    style = "bold red" if attrs.get("missing") else "bold"
    icon = f"{KIND_ICONS.get(kind, '•')} "
    url = " · URL" if (attrs.get("props") or {}).get("url") is True else ""
    if cell_len(icon) + cell_len(url) + 1 > room:
        url = ""  # a narrow box keeps the name rather than the mark
    label = cut_name(safe_label(attrs.get("label", node)), room - cell_len(icon) - cell_len(url))
    return Text.assemble((icon, "bold"), (label, style), (url, "dim"))


def kind_words(g: nx.MultiDiGraph, node: str, room: int = MAX_TITLE_CELLS) -> str:
    """A short description of a node's kind, for boxes without live counts: in at most
    `room` cells, its shorter words (`SHORT_KIND_WORDS`) where the long ones do not fit."""
    attrs = g.nodes[node]
    if attrs.get("missing"):
        return "missing"
    kind = str(attrs.get("kind", "?"))
    words = KIND_WORDS.get(kind, safe_label(kind).replace("-", " "))
    return words if cell_len(words) <= room else SHORT_KIND_WORDS.get(kind, words)


# -- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """Where a node's box is drawn: its top-left cell and size."""

    node: str
    x: int
    y: int
    width: int
    height: int
    layer: int

    def contains(self, x: int, y: int) -> bool:
        """Whether cell (x, y) is part of the box."""
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height

    @property
    def center(self) -> tuple[float, float]:
        """The middle of the box, in cells."""
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class DrawnEdge:
    """One edge as drawn: the cells from the source box's border to the arrowhead."""

    source: str
    target: str
    kind: str
    cells: tuple[tuple[int, int], ...]


@dataclass
class Diagram:
    """A drawn graph: a grid of styled cells, the boxes and the edges' cells."""

    width: int
    height: int
    chars: list[list[str]]
    styles: list[list[Style]]
    boxes: dict[str, Box]
    order: list[str]
    edges: list[DrawnEdge]
    crossings: set[tuple[int, int]]
    border_styles: dict[str, Style] = field(default_factory=dict)
    # The width the columns and channels take when none is narrowed to fit (`layout`'s
    # `width`): a diagram no wider than a width is drawn the same at any wider one.
    natural_width: int = 0
    # Each dead-letter queue drawn right below the one resource that dead-letters into it,
    # with that resource.
    hosts: dict[str, str] = field(default_factory=dict)

    def write(self, node: str, row: int, text: Text) -> bool:
        """Put `text` on interior row `row` of `node`'s box (cut to fit); True when the
        cells changed."""
        box = self.boxes[node]
        inner = box.width - 4
        y = box.y + 1 + row
        if not 0 <= row < box.height - 2:
            return False
        cells = _text_cells(text, inner)
        changed = False
        chars, styles = self.chars[y], self.styles[y]
        for i, (ch, st) in enumerate(cells):
            x = box.x + 2 + i
            if chars[x] != ch or styles[x] != st:
                chars[x], styles[x] = ch, st
                changed = True
        return changed

    def set_border(self, node: str, style: Style) -> bool:
        """Restyle the border of `node`'s box (a non-empty DLQ turns red); True if changed."""
        if self.border_styles.get(node) == style:
            return False
        self.border_styles[node] = style
        box = self.boxes[node]
        for x, y in _border_cells(box):
            self.styles[y][x] = style
        return True

    def node_at(self, x: int, y: int) -> str | None:
        """The node whose box covers cell (x, y)."""
        for node, box in self.boxes.items():
            if box.contains(x, y):
                return node
        return None

    def edge_cells(self, node: str) -> dict[int, set[int]]:
        """The cells of the edges into and out of `node`, as row -> columns."""
        rows: dict[int, set[int]] = {}
        for e in self.edges:
            if node in (e.source, e.target):
                for x, y in e.cells:
                    rows.setdefault(y, set()).add(x)
        return rows

    def segments(
        self,
        y: int,
        selected: str | None = None,
        border: Style | None = None,
        title: Style | None = None,
        lit: Iterable[int] = (),
        lit_style: Style | None = None,
    ) -> list[Segment]:
        """Row `y` as Rich segments; the `selected` node's border and title restyled, and
        the cells at columns `lit` (its edges) too."""
        if not 0 <= y < self.height:
            return []
        chars, styles = self.chars[y], self.styles[y]
        overrides: dict[int, Style] = {}
        if lit_style is not None:
            for x in lit:
                overrides[x] = styles[x] + lit_style
        box = self.boxes.get(selected) if selected is not None else None
        if box is not None and box.y <= y < box.y + box.height:
            edge_rows = y in (box.y, box.y + box.height - 1)
            xs = range(box.x, box.x + box.width) if edge_rows else (box.x, box.x + box.width - 1)
            for x in xs:
                overrides[x] = border or Style(bold=True)
            if y == box.y + 1 and title is not None:
                for x in range(box.x + 1, box.x + box.width - 1):
                    overrides[x] = styles[x] + title
        out: list[Segment] = []
        run: list[str] = []
        current: Style | None = None
        for x, ch in enumerate(chars):
            if not ch:
                continue  # the second half of a wide character
            st = overrides.get(x, styles[x])
            if st != current and run:
                out.append(Segment("".join(run), current))
                run = []
            current = st
            run.append(ch)
        if run:
            out.append(Segment("".join(run), current))
        return out

    def text(self) -> str:
        """The diagram as plain text (trailing spaces removed), for tests and logs."""
        return "\n".join("".join(row).rstrip() for row in self.chars) + "\n"


def _border_cells(box: Box) -> Iterable[tuple[int, int]]:
    for x in range(box.x, box.x + box.width):
        yield x, box.y
        yield x, box.y + box.height - 1
    for y in range(box.y + 1, box.y + box.height - 1):
        yield box.x, y
        yield box.x + box.width - 1, y


def _text_cells(text: Text, width: int) -> list[tuple[str, Style]]:
    """`text` as exactly `width` (character, style) cells; a wide character takes two cells
    (the second empty), zero-width ones join the character before, overflow ends in `…`."""
    plain = text.plain
    base = Style.parse(text.style) if isinstance(text.style, str) else text.style
    per_char = [base] * len(plain)
    for span in text.spans:
        st = Style.parse(span.style) if isinstance(span.style, str) else span.style
        for i in range(span.start, min(span.end, len(plain))):
            per_char[i] = per_char[i] + st
    cells: list[tuple[str, Style]] = []
    fits = cell_len(plain) <= width
    room = width if fits else width - 1
    for ch, st in zip(plain, per_char, strict=True):
        size = get_character_cell_size(ch)
        if size == 0:
            # A combining mark belongs with the character before it, not in a cell of its own.
            for i in range(len(cells) - 1, -1, -1):
                if cells[i][0]:
                    cells[i] = (cells[i][0] + ch, cells[i][1])
                    break
            continue
        if len(cells) + size > room:
            break
        cells.append((ch, st))
        if size == 2:
            cells.append(("", st))
    if not fits:
        cells.append(("…", per_char[-1] if per_char else base))
    while len(cells) < width:
        cells.append((" ", base))
    return cells


# -- layout --------------------------------------------------------------------------------

# A box's interior lines, given the room its title may take.
LineMaker = Callable[[str, int], Sequence[Text]]
Pin = tuple[int, str, object]  # (item, side "L" or "R", tag)
Cell = tuple[int, int]


@dataclass
class _Item:
    """A box (`node` set) or a dummy: a long edge passing through a layer."""

    node: str | None
    layer: int
    width: int = 1
    height: int = 1
    least: int = 1  # the narrowest it may be drawn to fit a width
    name: int = 0  # the cells of its first line, its icon and name (up to MAX_TITLE_CELLS)
    x: int = 0
    y: int = 0
    offsets: dict[tuple[str, object], int] = field(default_factory=dict)


@dataclass
class _Seg:
    """One piece of an edge in one channel, from pin `a` on the channel's left (the right
    side of an item in layer `channel`) to pin `b`: on the channel's right (the left side of
    an item in the next layer), or on its left too for an edge within one layer."""

    edge: int
    channel: int
    a: Pin
    b: Pin
    net: int = -1


@dataclass
class _Net:
    """One trunk of a channel and the pins it joins (a source port and its edges' far ends)."""

    kind: str
    channel: int
    pins: list[Pin] = field(default_factory=list)
    col: int = -1  # the trunk's column in the channel; -1 for a straight line
    x: int = 0  # the trunk's x
    top: int = 0
    bottom: int = 0
    lefts: dict[int, int] = field(default_factory=dict)  # row -> x of the stub's first cell
    rights: dict[int, int] = field(default_factory=dict)  # row -> x of the stub's last cell
    deferred: dict[int, int] = field(default_factory=dict)  # right pins routed by search
    doglegs: dict[int, list[Cell]] = field(default_factory=dict)
    glued: bool = False  # from a host down into the dead-letter queue glued below it


def _layers(g: nx.MultiDiGraph) -> dict[str, int]:
    """Each node's layer as 0, 1, 2 ... (the `layer` attribute with gaps closed), or the
    topological generations of the graph's condensation when a node has none."""
    raw = dict(g.nodes(data="layer"))
    if not all(type(v) is int for v in raw.values()):
        cond = nx.condensation(nx.DiGraph(g))
        for depth, members in enumerate(nx.topological_generations(cond)):
            for c in members:
                for n in cond.nodes[c]["members"]:
                    raw[n] = depth
    ranks = {v: i for i, v in enumerate(sorted(set(raw.values())))}
    return {n: ranks[raw[n]] for n in g}


def _dead_letter_hosts(g: nx.MultiDiGraph, layer_of: dict[str, int]) -> dict[str, str]:
    """The dead-letter queues drawn right below the queue (or the one other resource) that
    dead-letters into them, each with that host; `layer_of` updated to match, gaps closed.

    The graph's layering puts a dead-letter queue nothing reads after everything else, as
    `stptui graph` lists it; drawn there it was often a screen away from the queue it
    serves. One that several resources share stays there: no one of them is its place."""
    sources: dict[str, set[str]] = {}
    flows_out: set[str] = set()
    for u, v, kind in g.edges(data="kind"):
        if kind in (graphs.REDRIVE, graphs.DELIVERY_FAILURE):
            sources.setdefault(v, set()).add(u)
        if kind in graphs.FLOW_KINDS:
            flows_out.add(u)
    hosts: dict[str, str] = {}
    for dlq, of in sources.items():
        if len(of) != 1 or dlq in flows_out or g.nodes[dlq].get("kind") != "sqs-queue":
            continue
        (host,) = of
        if host != dlq:
            hosts[dlq] = host
    if hosts:
        for dlq, host in hosts.items():
            layer_of[dlq] = layer_of[host]
        ranks = {v: i for i, v in enumerate(sorted(set(layer_of.values())))}
        for n, layer in layer_of.items():
            layer_of[n] = ranks[layer]
    return hosts


def around(g: nx.MultiDiGraph, focus: str, limit: int, radius: int) -> nx.MultiDiGraph:
    """The part of a large graph worth a layout: the nodes within `radius` edges of
    `focus` (either way), nearest first, at most `limit` of them. Within a ring, the
    neighbours of quiet nodes come before a hub's crowd: a worker's view keeps its
    dead-letter queue even when it is also connected to the bus every listener is on."""
    seen = {focus: None}
    frontier = [focus]
    for _ in range(radius):
        ring: list[str] = []
        for n in sorted(frontier, key=g.degree):  # stable: ties stay in discovery order
            for m in (*g.successors(n), *g.predecessors(n)):
                if m not in seen:
                    seen[m] = None
                    ring.append(m)
        frontier = ring
    return g.subgraph(list(seen)[:limit]).copy()


def default_lines(g: nx.MultiDiGraph) -> LineMaker:
    """Box lines without live counts: the icon and name, then the kind in words, then (on
    a resource with alarms only) how many alarms it has."""

    def lines(node: str, room: int = MAX_TITLE_CELLS) -> tuple[Text, ...]:
        title, kind = node_title(g, node, room), Text(kind_words(g, node, room), style="dim")
        alarms = graphs.alarm_count(g.nodes[node])
        return (title, kind, Text(alarms, style="dim")) if alarms else (title, kind)

    return lines


def layout(
    g: nx.MultiDiGraph,
    lines: LineMaker | None = None,
    min_inner: Callable[[str], int] | None = None,
    width: int | None = None,
    least_inner: Callable[[str], int] | None = None,
) -> Diagram:
    """Lay out and draw `g`: boxes in layers left to right, edges routed between them.

    `lines(node, room)` gives a box's interior lines, its title in `room` cells (default:
    `default_lines`); a box is as wide as the widest of them (cut at `MAX_TITLE_CELLS`) or
    `min_inner(node)`, whichever is more, so that badges written later with
    `Diagram.write` fit without a new layout. With a `width`, the widest columns are
    narrowed until the diagram fits it (down to `FIT_MIN_INNER_CELLS` inside, never below
    `least_inner(node)`, by default `min_inner`: the room of a box's counts in shorter
    words, `0 vis · 0 in flight`; by `FIT_MIN_SAVING` cells or not at all), their names
    cut in the middle: in the same one layout, since a column's width changes nothing
    before the drawing (see `Layout`).
    """
    floor = min_inner or (lambda _: 0)
    return Layout(g, lines or default_lines(g), floor, width, least_inner or floor).run()


class Layout:
    """One layout in steps (`run` does them all): `build` the items and pieces in the input
    order, `order` the layers, then ports, rows, channels and drawing. `crossings` counts
    at the current order, so a test can compare before and after `order`.

    Boxes' widths play no part until the drawing: the order, the rows and the channels'
    trunks are the same at any width. So fitting a `width` costs nothing more than the one
    layout: the channels' widths are known once they are packed, and the columns share
    what is left (`_fit_widths`)."""

    def __init__(
        self,
        g: nx.MultiDiGraph,
        lines: LineMaker,
        min_inner: Callable[[str], int],
        width: int | None = None,
        least_inner: Callable[[str], int] | None = None,
    ) -> None:
        self.g = g
        self.lines = lines
        self.min_inner = min_inner
        self.least_inner = least_inner or min_inner
        self.width = width
        # A dead-letter queue drawn right below the one resource that dead-letters into it
        # (`_dead_letter_hosts`): the host's item -> theirs, and each of theirs -> the host's.
        self.glued: dict[int, list[int]] = {}
        self.host_of: dict[int, int] = {}
        self._folded = False  # while ordering, a glued item stands where its host does
        self.items: list[_Item] = []
        self.layers: list[list[int]] = []
        self.node_item: dict[str, int] = {}
        self.edges: list[tuple[str, str, str]] = []
        self.chains: list[list[_Seg]] = []  # per edge, its pieces from left to right
        self.segs: list[_Seg] = []
        self.nets: list[_Net] = []
        self.pos: list[float] = []
        self.heads: list[Pin] = []  # per edge, the pin its arrowhead points into
        self.backward: list[bool] = []

    def run(self) -> Diagram:
        """Every step, in order: the drawn diagram."""
        self.build()
        self.order()
        self._ports()
        self._place()
        widths = [self._pack(c, nets) for c, nets in enumerate(self._nets())]
        return self._draw(widths)

    # -- structure --

    def build(self) -> None:
        """Items for the nodes and dummies, the edges' pieces, in the input order."""
        layer_of = _layers(self.g)
        hosts = _dead_letter_hosts(self.g, layer_of)
        self.layers = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
        for n in self.g:
            self._add_item(_Item(node=n, layer=layer_of[n]))
        for dlq, host in hosts.items():
            h, d = self.node_item[host], self.node_item[dlq]
            self.glued.setdefault(h, []).append(d)
            self.host_of[d] = h
        # Parallel edges of one kind are drawn as one.
        edges = list(dict.fromkeys((u, v, str(k)) for u, v, k in self.g.edges(data="kind")))
        way = [_direction(layer_of[u], layer_of[v]) for u, v, _ in edges]
        # How many edges leave each port: a backward edge leaves its source's left side,
        # the others its right side.
        fan: dict[tuple[str, str, bool], int] = {}
        for (u, _, kind), d in zip(edges, way, strict=True):
            key = (u, kind, d == "backward")
            fan[key] = fan.get(key, 0) + 1
        # Edges of one kind into one node share an arrow when none of them arrives straight
        # from a port that also fans out to other targets: the lines join like a comb, and
        # a joined line never seems to lead from one source to another's target.
        joinable = [
            d != "same"
            and (abs(layer_of[u] - layer_of[v]) > 1 or fan[(u, k, d == "backward")] == 1)
            for (u, v, k), d in zip(edges, way, strict=True)
        ]
        joins: dict[tuple[str, str, str], int] = {}
        for (_, v, kind), d, ok in zip(edges, way, joinable, strict=True):
            if ok:
                joins[(v, kind, d)] = joins.get((v, kind, d), 0) + 1
        for e, ((u, v, kind), d) in enumerate(zip(edges, way, strict=True)):
            shared = joinable[e] and joins[(v, kind, d)] > 1
            tag = ("in", kind, d) if shared else ("in", e)
            self._add_edge((u, v, kind), layer_of[u], layer_of[v], tag)
        self.pos = [0.0] * len(self.items)
        for layer in self.layers:
            self._number(layer)

    def _add_item(self, item: _Item) -> int:
        index = len(self.items)
        self.items.append(item)
        self.layers[item.layer].append(index)
        if item.node is not None:
            self.node_item[item.node] = index
        return index

    def _add_edge(self, edge: tuple[str, str, str], lu: int, lv: int, in_tag: object) -> None:
        e = len(self.edges)
        self.edges.append(edge)
        u, v, kind = edge
        out: Pin = (self.node_item[u], "R", ("out", kind))
        chain: list[_Seg] = []
        if lu == lv:
            head: Pin = (self.node_item[v], "R", in_tag)
            chain.append(_Seg(e, lu, out, head))
        else:
            # A backward edge is laid out from its target's right side (where the arrow
            # points back into it) to its source's left side (where it leaves).
            if lu < lv:
                head = (self.node_item[v], "L", in_tag)
                first, last = out, head
            else:
                head = (self.node_item[v], "R", in_tag)
                first, last = head, (self.node_item[u], "L", out[2])
            prev = first
            for layer in range(min(lu, lv) + 1, max(lu, lv)):
                d = self._add_item(_Item(node=None, layer=layer))
                chain.append(_Seg(e, layer - 1, prev, (d, "L", "dummy")))
                prev = (d, "R", "dummy")
            chain.append(_Seg(e, max(lu, lv) - 1, prev, last))
        self.segs += chain
        self.chains.append(chain)
        self.heads.append(head)
        self.backward.append(lu > lv)

    # -- ordering --

    def order(self) -> None:
        """Crossing reduction: from the input order and from a depth-first order (which
        keeps each pipeline together), barycenter sweeps right then left, each followed by
        swaps of neighbours that cross less; the ordering with the fewest crossings wins."""
        up: list[list[tuple[int, int]]] = [[] for _ in self.items]
        down: list[list[tuple[int, int]]] = [[] for _ in self.items]
        # A glued dead-letter queue is ordered as part of its host: its edges count as the
        # host's, and it is put back right below the host at the end.
        host = self.host_of
        for s in self.segs:
            if s.b[1] == "L":
                w = self._weight(s)
                a, b = host.get(s.a[0], s.a[0]), host.get(s.b[0], s.b[0])
                down[a].append((b, w))
                up[b].append((a, w))
        self._folded = True
        self.layers = [[it for it in layer if it not in host] for layer in self.layers]
        depth = len(self.layers)
        sweep = [(i, up) for i in range(1, depth)] + [(i, down) for i in range(depth - 2, -1, -1)]
        best: list[list[int]] = []
        best_count = -1
        for start in (self.layers, self._depth_first(up, down)):
            self.layers = [list(layer) for layer in start]
            for layer in self.layers:
                self._number(layer)
            stale = 0
            for sweeps in range(MAX_SWEEPS + 1):
                if sweeps:
                    for index, nbrs in sweep:
                        pos = self.pos
                        self.layers[index].sort(
                            key=lambda it, nb=nbrs: (_mean(nb[it], pos, pos[it]), pos[it])
                        )
                        self._number(self.layers[index])
                    self._transpose(up, down)
                count = self.crossings()
                if best_count < 0 or count < best_count:
                    best, best_count, stale = [list(layer) for layer in self.layers], count, 0
                else:
                    stale += 1
                if best_count == 0 or stale >= 2:
                    break
        self._folded = False
        self.layers = [self._unfold(layer) for layer in best]
        for layer in self.layers:
            self._number(layer)

    def _unfold(self, layer: list[int]) -> list[int]:
        """`layer` with each glued dead-letter queue right below its host."""
        if not self.glued:
            return list(layer)
        return [x for it in layer for x in (it, *self.glued.get(it, ()))]

    def _weight(self, s: _Seg) -> int:
        # A connectTo is a permission, not a flow: its crossings matter less.
        return 1 if self.edges[s.edge][2] == graphs.CONNECT else 2

    def _depth_first(
        self, up: list[list[tuple[int, int]]], down: list[list[tuple[int, int]]]
    ) -> list[list[int]]:
        """Each layer in the order a depth-first walk from the first layer meets its items."""
        seen: dict[int, int] = {}
        for root in (it for layer in self.layers for it in layer):
            stack = [root]
            while stack:
                it = stack.pop()
                if it in seen:
                    continue
                seen[it] = len(seen)
                stack += reversed([o for o, _ in down[it] + up[it]])
        return [sorted(layer, key=seen.__getitem__) for layer in self.layers]

    def _transpose(
        self, up: list[list[tuple[int, int]]], down: list[list[tuple[int, int]]]
    ) -> None:
        pos = self.pos

        def costs(a: int, b: int) -> tuple[int, int]:
            # Crossings between the edges of a and of b with a above b, and with b above a.
            above = below = 0
            for nb in (up, down):
                for x, wx in nb[a]:
                    px = pos[x]
                    for y, wy in nb[b]:
                        if px > pos[y]:
                            above += wx * wy
                        elif px < pos[y]:
                            below += wx * wy
            return above, below

        for _ in range(4):
            swapped = False
            for layer in self.layers:
                for i in range(len(layer) - 1):
                    a, b = layer[i], layer[i + 1]
                    above, below = costs(a, b)
                    if below < above:
                        layer[i], layer[i + 1] = b, a
                        pos[a], pos[b] = pos[b], pos[a]
                        if self.glued:
                            self._follow(a)
                            self._follow(b)
                        swapped = True
            if not swapped:
                break

    def _number(self, layer: list[int]) -> None:
        # Positions as fractions, so that layers of different sizes compare.
        n = len(layer)
        pos = self.pos
        for i, it in enumerate(layer):
            pos[it] = (i + 0.5) / n
        if self._folded and self.glued:
            for it in layer:
                self._follow(it)

    def _follow(self, it: int) -> None:
        # While ordering, a glued dead-letter queue's edges cross where its host's do.
        for d in self.glued.get(it, ()):
            self.pos[d] = self.pos[it]

    def crossings(self) -> int:
        """The crossings between adjacent layers at the current order, weighted: two flow
        edges crossing count 4, a flow and a connectTo 2, two connectTos 1."""
        by_channel: dict[int, list[tuple[float, float, int]]] = {}
        for s in self.segs:
            if s.b[1] == "L":
                pair = (self.pos[s.a[0]], self.pos[s.b[0]], self._weight(s))
                by_channel.setdefault(s.channel, []).append(pair)
        return sum(_inversions(pairs) for pairs in by_channel.values())

    # -- ports and sizes --

    def _ports(self) -> None:
        """One row per outgoing kind and per incoming edge on each side of a box, ordered by
        where the other ends sit; boxes sized to their lines and ports."""
        wanted: dict[tuple[int, str], dict[object, list[float]]] = {}
        first_edge: dict[tuple[int, str, object], int] = {}
        for s in self.segs:
            glued = s.b[1] == "R" and self.host_of.get(s.b[0]) == s.a[0]
            for (item, side, tag), (other, other_side, _) in ((s.a, s.b), (s.b, s.a)):
                # A far end in the same layer sorts just after the next layer's ones there;
                # the edge into a glued dead-letter queue leaves the bottom of its host
                # and enters the top of the queue, so it crosses no other port's line.
                where = self.pos[other] + (0.0 if other_side == "L" else 1e-3)
                if glued:
                    where = 2.0 if item == s.a[0] else -1.0
                wanted.setdefault((item, side), {}).setdefault(tag, []).append(where)
                first_edge.setdefault((item, side, tag), s.edge)
        for (item, side), tags in wanted.items():
            # Between the same two items, ports go in edge order on both sides, so that an
            # edge one way and another back run side by side instead of crossing.
            ordered = sorted(
                tags,
                key=lambda t, i=item, sd=side: (
                    sum(tags[t]) / len(tags[t]),
                    first_edge[(i, sd, t)],
                    _tag_key(t),
                ),
            )
            it = self.items[item]
            base = 0 if it.node is None else 1  # a box's first row is its top border
            for i, tag in enumerate(ordered):
                it.offsets[(side, tag)] = base + i
        for it in self.items:
            if it.node is None:
                continue
            left = sum(1 for side, _ in it.offsets if side == "L")
            right = len(it.offsets) - left
            lines = self.lines(it.node, MAX_TITLE_CELLS)
            # Two lines inside, or three with an alarm line (see `default_lines`).
            it.height = 2 + max(2, len(lines), left, right)
            titles = [min(cell_len(t.plain), MAX_TITLE_CELLS) for t in lines]
            room = max(MIN_INNER_CELLS, self.min_inner(it.node))
            it.width = max(room, *titles) + 4
            least = min(room, max(MIN_INNER_CELLS, self.least_inner(it.node)))
            it.least = max(least, min(FIT_MIN_INNER_CELLS, max(titles, default=0))) + 4
            it.name = titles[0] if titles else 0

    # -- vertical placement --

    def _place(self) -> None:
        """Rows: each layer stacked, then pulled towards its neighbours' ports, alternately
        from the left and from the right, and finally from both."""
        ups: list[list[tuple[int, int, int]]] = [[] for _ in self.items]
        downs: list[list[tuple[int, int, int]]] = [[] for _ in self.items]
        for s in self.segs:
            if s.b[1] != "L":
                continue
            oa = self.items[s.a[0]].offsets[(s.a[1], s.a[2])]
            ob = self.items[s.b[0]].offsets[(s.b[1], s.b[2])]
            ups[s.b[0]].append((s.a[0], oa, ob))
            downs[s.a[0]].append((s.b[0], ob, oa))
        for layer in self.layers:
            y = 0
            for prev, it in zip([None, *layer], layer, strict=False):
                if prev is not None:
                    y += self._step(prev, it)
                self.items[it].y = y
        depth = len(self.layers)
        for _ in range(3):
            for i in range(1, depth):
                self._pull(self.layers[i], (ups,))
            for i in range(depth - 2, -1, -1):
                self._pull(self.layers[i], (downs,))
        for i in range(depth):
            self._pull(self.layers[i], (ups, downs))

    def _step(self, a: int, b: int) -> int:
        """Rows from the top of item `a` to the top of the item below it, `b`."""
        gap = 0 if self.items[a].node is None and self.items[b].node is None else 1
        return self.items[a].height + gap

    def _pull(self, layer: list[int], sides: Sequence[list[list[tuple[int, int, int]]]]) -> None:
        # A host and the dead-letter queues glued below it move as one block.
        groups: list[list[tuple[int, int]]] = []  # per block, its items and their offsets
        total = 0
        for prev, it in zip([None, *layer], layer, strict=False):
            if prev is not None:
                total += self._step(prev, it)
            if self.host_of and groups and self.host_of.get(it, -1) == groups[-1][0][0]:
                groups[-1].append((it, total))
            else:
                groups.append([(it, total)])
        want: list[float] = []
        weight: list[float] = []
        for group in groups:
            targets = sorted(
                self.items[other].y + o_other - o_self - off
                for it, off in group
                for links in sides
                for other, o_other, o_self in links[it]
            )
            if targets:
                mid = len(targets) // 2
                median = targets[mid] if len(targets) % 2 else (targets[mid - 1] + targets[mid]) / 2
                want.append(median)
                # Long edges first: a dummy that stays in line keeps a whole edge straight.
                dummy = self.items[group[0][0]].node is None
                weight.append(len(targets) * (4.0 if dummy else 1.0))
            else:
                it, off = group[0]
                want.append(self.items[it].y - off)
                weight.append(0.1)
        for group, z in zip(groups, _isotonic(want, weight), strict=True):
            for it, off in group:
                self.items[it].y = math.floor(z + 0.5) + off

    # -- channels --

    def _row(self, pin: Pin) -> int:
        item, side, tag = pin
        it = self.items[item]
        return it.y + it.offsets[(side, tag)]

    def _nets(self) -> list[list[int]]:
        """Group each channel's pieces into nets, the pieces that share a pin: a port and
        the edges fanning out of it, or a shared arrow and the edges joining into it.
        Returns each channel's nets."""
        parent: dict[tuple[int, Pin], tuple[int, Pin]] = {}

        def root(key: tuple[int, Pin]) -> tuple[int, Pin]:
            while parent.setdefault(key, key) != key:
                parent[key] = parent[parent[key]]
                key = parent[key]
            return key

        for s in self.segs:
            parent[root((s.channel, s.b))] = root((s.channel, s.a))
        index: dict[tuple[int, Pin], int] = {}
        channels: list[list[int]] = [[] for _ in self.layers]
        for s in self.segs:
            key = root((s.channel, s.a))
            if key not in index:
                index[key] = len(self.nets)
                self.nets.append(_Net(kind=self.edges[s.edge][2], channel=s.channel))
                channels[s.channel].append(index[key])
            s.net = index[key]
            net = self.nets[s.net]
            net.glued |= s.b[1] == "R" and self.host_of.get(s.b[0]) == s.a[0]
            for pin in (s.a, s.b):
                if pin not in net.pins:
                    net.pins.append(pin)
        return channels

    def _pack(self, channel: int, nets: list[int]) -> int:
        """Trunks into columns by the left-edge algorithm. A row with a left stub of one net
        and a right stub of another needs the first net's trunk left of the second's; when
        those constraints form a cycle, a right pin is set aside for `_search`. Returns the
        channel's width."""
        if not nets:
            # Between two columns, still a gap: boxes side by side read as one double box.
            return CHANNEL_MARGIN if channel < len(self.layers) - 1 else 0
        left_owner: dict[int, int] = {}
        right_owner: dict[int, int] = {}
        for n in nets:
            net = self.nets[n]
            for pin in net.pins:
                row = self._row(pin)
                if self.items[pin[0]].layer == channel:
                    net.lefts[row] = 0
                    left_owner[row] = n
                else:
                    net.rights[row] = 0
                    right_owner[row] = n
        trunked = []
        for n in nets:
            net = self.nets[n]
            rows = [*net.lefts, *net.rights]
            net.top, net.bottom = min(rows), max(rows)
            if net.top != net.bottom:
                trunked.append(n)
        preds: dict[int, set[int]] = {n: set() for n in trunked}
        for row, n in right_owner.items():
            m = left_owner.get(row, n)
            if m != n and n in preds and m in preds:
                preds[n].add(m)
        # A glued dead-letter queue's line goes first, in the column nearest the boxes: no
        # other line's stub then crosses it between the host and its queue.
        order = sorted(
            trunked,
            key=lambda n: (not self.nets[n].glued, self.nets[n].top, self.nets[n].bottom, n),
        )
        placed: dict[int, int] = {}
        col = 0
        while len(placed) < len(order):
            last: int | None = None
            for n in order:
                net = self.nets[n]
                if n in placed or (last is not None and net.top <= last):
                    continue
                if all(placed.get(p, col) < col for p in preds[n]):
                    placed[n] = col
                    last = net.bottom
            if last is None:
                self._defer(next(n for n in order if n not in placed), preds, placed, left_owner)
            else:
                col += 1
        deferred = 0
        for n, c in placed.items():
            self.nets[n].col = c
            deferred += len(self.nets[n].deferred)
        return col + deferred + CHANNEL_MARGIN

    def _defer(
        self, n: int, preds: dict[int, set[int]], placed: dict[int, int], left_owner: dict[int, int]
    ) -> None:
        net = self.nets[n]
        for row in list(net.rights):
            m = left_owner.get(row, n)
            if m != n and m not in placed:
                net.deferred[row] = net.rights.pop(row)
                preds[n].discard(m)
        rows = [*net.lefts, *net.rights]
        net.top, net.bottom = min(rows), max(rows)

    # -- drawing --

    def _draw(self, channel_widths: list[int]) -> Diagram:
        items = self.items
        layer_width = [
            max((items[i].width for i in layer if items[i].node is not None), default=1)
            for layer in self.layers
        ]
        natural_width = sum(layer_width) + sum(channel_widths)
        if self.width is not None:
            least = [
                max((items[i].least for i in layer if items[i].node is not None), default=1)
                for layer in self.layers
            ]
            # What of a column's names must be in sight when it is the first the width
            # cannot hold whole (see `_fit_widths`): `λ worker`, `λ notificatio`.
            peeks = [
                2 + min(FIT_MIN_INNER_CELLS, max((items[i].name for i in layer), default=0))
                for layer in self.layers
            ]
            layer_width = _fit_widths(layer_width, least, self.width, channel_widths, peeks)
        layer_x: list[int] = []
        x = 0
        for index, layer in enumerate(self.layers):
            layer_x.append(x)
            for i in layer:
                items[i].x = x
                items[i].width = layer_width[index]  # one width per layer: tidy columns
            x += layer_width[index] + channel_widths[index]
        canvas = _Canvas()
        for n, net in enumerate(self.nets):
            start = layer_x[net.channel] + layer_width[net.channel]
            net.x = start + STUB_CELLS + net.col
            for pin in net.pins:
                row = self._row(pin)
                it = self.items[pin[0]]
                if it.layer == net.channel:
                    net.lefts[row] = it.x + it.width
                else:
                    end = it.x - 1
                    if row in net.deferred:
                        net.deferred[row] = end
                    else:
                        net.rights[row] = end
            canvas.net(n, net)
        for i, it in enumerate(items):
            if it.node is None:
                canvas.run(-1 - i, it.y, it.x, it.x + it.width - 1)
        bounds = (
            min((it.y for it in items), default=0),
            max((it.y + it.height for it in items), default=0),
        )
        for n, net in enumerate(self.nets):
            if net.deferred:
                start = layer_x[net.channel] + layer_width[net.channel]
                self._search(canvas, n, net, start + STUB_CELLS, bounds)
        kinds = {n: edge_style(net.kind) for n, net in enumerate(self.nets)}
        for s in self.segs:
            if s.a[2] == "dummy":
                kinds[-1 - s.a[0]] = edge_style(self.edges[s.edge][2])
        paths = [self._path(e) for e in range(len(self.edges))]
        diagram = _paint(self, canvas, kinds, paths, x)
        diagram.natural_width = natural_width
        diagram.hosts = {str(items[d].node): str(items[h].node) for d, h in self.host_of.items()}
        return diagram

    def _search(self, canvas: _Canvas, n: int, net: _Net, x0: int, bounds: tuple[int, int]) -> None:
        """Route each deferred right pin of `net` from its trunk around the other nets."""
        for row, end in sorted(net.deferred.items()):
            starts = [(net.x, y) for y in range(net.top, net.bottom + 1)]
            path = _shortest(canvas, n, starts, (end, row), x0, (bounds[0] - 3, bounds[1] + 3))
            if path is None:  # nothing free: draw it straight over the others
                corner = min(starts, key=lambda c: abs(c[1] - row))
                path = [*_line(corner, (net.x, row)), *_line((net.x, row), (end, row))[1:]]
            net.doglegs[row] = path
            canvas.path(n, path)

    def _path(self, e: int) -> list[Cell]:
        """The cells of edge `e` from its source's border to its arrowhead."""
        cells: list[Cell] = []
        for s in self.chains[e]:
            net = self.nets[s.net]
            ra, rb = self._row(s.a), self._row(s.b)
            xa = net.lefts[ra]
            xb = net.lefts[rb] if s.b[1] == "R" else net.rights.get(rb, net.deferred.get(rb, 0))
            if cells:  # through the dummy between this piece and the last
                d = self.items[s.a[0]]
                cells += _line((d.x, ra), (d.x + d.width - 1, ra))
            if net.col < 0:
                piece = _line((xa, ra), (xb, rb))
            elif rb in net.doglegs and s.b[1] == "L":
                dog = net.doglegs[rb]
                piece = _line((xa, ra), (net.x, ra)) + _line((net.x, ra), dog[0])[1:] + dog[1:]
            else:
                piece = (
                    _line((xa, ra), (net.x, ra))
                    + _line((net.x, ra), (net.x, rb))[1:]
                    + _line((net.x, rb), (xb, rb))[1:]
                )
            cells += piece
        return cells[::-1] if self.backward[e] else cells

    def arrowheads(self) -> dict[Cell, tuple[str, str]]:
        """The cell before each edge's target, with the arrowhead and the edge's kind."""
        out: dict[Cell, tuple[str, str]] = {}
        for e, pin in enumerate(self.heads):
            kind = self.edges[e][2]
            row = self._row(pin)
            net = self.nets[self.chains[e][0 if self.backward[e] else -1].net]
            if pin[1] == "L":
                x = net.rights.get(row, net.deferred.get(row, 0))
                out[(x, row)] = (edge_style(kind).head_right, kind)
            else:
                out[(net.lefts[row], row)] = (edge_style(kind).head_left, kind)
        return out


class _Canvas:
    """Line cells before they become characters: per cell, each owner's directions (an
    owner is a net, or -1 - item for the line through a dummy)."""

    def __init__(self) -> None:
        self.cells: dict[Cell, dict[int, int]] = {}

    def add(self, owner: int, cell: Cell, dirs: int) -> None:
        owners = self.cells.setdefault(cell, {})
        owners[owner] = owners.get(owner, 0) | dirs

    def run(self, owner: int, y: int, x0: int, x1: int) -> None:
        self.path(owner, _line((x0, y), (x1, y)))

    def path(self, owner: int, cells: Sequence[Cell]) -> None:
        for (ax, ay), (bx, by) in itertools.pairwise(cells):
            if ax == bx:
                self.add(owner, (ax, ay), S if by > ay else N)
                self.add(owner, (bx, by), N if by > ay else S)
            else:
                self.add(owner, (ax, ay), E if bx > ax else W)
                self.add(owner, (bx, by), W if bx > ax else E)

    def net(self, n: int, net: _Net) -> None:
        if net.col < 0:
            (row, xa), (_, xb) = next(iter(net.lefts.items())), next(iter(net.rights.items()))
            self.run(n, row, xa, xb)
            return
        if net.top != net.bottom:
            self.path(n, _line((net.x, net.top), (net.x, net.bottom)))
        for row, xa in net.lefts.items():
            self.path(n, _line((xa, row), (net.x, row)))
        for row, xb in net.rights.items():
            self.path(n, _line((net.x, row), (xb, row)))

    def crossable(self, cell: Cell, owner: int, vertical: bool) -> bool:
        """Whether a line of `owner` may cross `cell` (moving vertically or not)."""
        owners = self.cells.get(cell)
        if not owners:
            return True
        if len(owners) > 1 or owner in owners:
            return False
        (dirs,) = owners.values()
        return dirs == (E | W if vertical else N | S)


def _line(a: Cell, b: Cell) -> list[Cell]:
    """The cells of a straight horizontal or vertical line from `a` to `b`, both included."""
    (ax, ay), (bx, by) = a, b
    if ay == by:
        step = 1 if bx >= ax else -1
        return [(x, ay) for x in range(ax, bx + step, step)]
    step = 1 if by >= ay else -1
    return [(ax, y) for y in range(ay, by + step, step)]


_MOVES = ((0, -1, True), (1, 0, False), (0, 1, True), (-1, 0, False))


def _shortest(
    canvas: _Canvas,
    owner: int,
    starts: list[Cell],
    target: Cell,
    x0: int,
    rows: tuple[int, int],
) -> list[Cell] | None:
    """The cheapest line from one of `starts` to `target`, entering it from the left, inside
    the channel (x0 up to the target's column) and `rows`. It may cross other lines straight
    through, never join or run along them. Bends and crossings cost extra."""
    tx = target[0]
    heap: list[tuple[int, int, Cell, int]] = []
    best: dict[tuple[Cell, int], int] = {}
    came: dict[tuple[Cell, int], tuple[Cell, int] | None] = {}
    seq = 0
    for cell in starts:
        for d in range(4):
            best[(cell, d)] = 0
            came[(cell, d)] = None
            heap.append((0, seq, cell, d))
            seq += 1
    heapq.heapify(heap)
    while heap:
        cost, _, cell, d = heapq.heappop(heap)
        if cost > best.get((cell, d), cost):
            continue
        if cell == target:
            path = []
            state: tuple[Cell, int] | None = (cell, d)
            while state is not None:
                path.append(state[0])
                state = came[state]
            return path[::-1]
        crossing = len(canvas.cells.get(cell, ())) > 0 and came[(cell, d)] is not None
        for nd, (dx, dy, vertical) in enumerate(_MOVES):
            if crossing and nd != d:
                continue  # a crossing goes straight through
            nxt = (cell[0] + dx, cell[1] + dy)
            if nxt == target:
                if nd != 1:
                    continue  # the arrowhead is entered from the left
            elif not (x0 <= nxt[0] < tx and rows[0] <= nxt[1] <= rows[1]) or not (
                canvas.crossable(nxt, owner, vertical)
            ):
                continue
            step = 1 + (3 if nd != d and came[(cell, d)] is not None else 0)
            step += 5 if nxt in canvas.cells else 0
            key = (nxt, nd)
            if cost + step < best.get(key, cost + step + 1):
                best[key] = cost + step
                came[key] = (cell, d)
                seq += 1
                heapq.heappush(heap, (cost + step, seq, nxt, nd))
    return None


def _resolve(owners: dict[int, int], kinds: dict[int, EdgeStyle]) -> tuple[EdgeStyle, int]:
    """What a cell shows: its one line, or at a crossing the vertical line."""
    if len(owners) == 1:
        ((owner, dirs),) = owners.items()
        return kinds[owner], dirs
    for owner, dirs in owners.items():
        if dirs == N | S:
            return kinds[owner], dirs
    owner = next(iter(owners))
    union = 0
    for dirs in owners.values():
        union |= dirs
    return kinds[owner], union


def _legend(kinds: Iterable[str], width: int) -> list[list[Segment]]:
    """One entry per edge style in use (`━━► trigger`), wrapped to `width`."""
    present = set(kinds)
    entries: list[tuple[str, EdgeStyle]] = []
    for kind, style in EDGE_STYLES.items():
        if kind not in present:
            continue
        same = [
            i
            for i, (_, other) in enumerate(entries)
            if (other.horizontal, other.style) == (style.horizontal, style.style)
        ]
        if same:
            label, other = entries[same[0]]
            entries[same[0]] = (f"{label} / {style.legend}", other)
        else:
            entries.append((style.legend, style))
    for kind in sorted(present - set(EDGE_STYLES)):
        entries.append((safe_label(kind), _DEFAULT_EDGE_STYLE))
    lines: list[list[Segment]] = []
    used = 0
    for label, style in entries:
        size = 4 + cell_len(label)
        if not lines or used + 3 + size > width:
            lines.append([])
            used = 0
        else:
            lines[-1].append(Segment("   "))
            used += 3
        lines[-1].append(Segment(style.horizontal * 2 + style.head_right, style.style))
        lines[-1].append(Segment(f" {label}", LEGEND_STYLE))
        used += size
    return lines


def _draw_box(
    chars: list[list[str]], styles: list[list[Style]], box: Box, style: Style, dashed: bool
) -> None:
    h, v = ("┄", "┆") if dashed else ("─", "│")
    x0, x1, y0, y1 = box.x, box.x + box.width - 1, box.y, box.y + box.height - 1
    for x in range(x0, x1 + 1):
        chars[y0][x] = chars[y1][x] = h
    for y in range(y0, y1 + 1):
        chars[y][x0] = chars[y][x1] = v
        for x in range(x0 + 1, x1):
            if y0 < y < y1:
                chars[y][x] = " "
    chars[y0][x0], chars[y0][x1], chars[y1][x0], chars[y1][x1] = "╭", "╮", "╰", "╯"
    for x, y in _border_cells(box):
        styles[y][x] = style
    for y in range(y0 + 1, y1):
        for x in range(x0 + 1, x1):
            styles[y][x] = PLAIN


def _paint(
    lay: Layout, canvas: _Canvas, kinds: dict[int, EdgeStyle], paths: list[list[Cell]], width: int
) -> Diagram:
    """Characters and styles for everything: legend, lines, arrowheads, boxes, text."""
    items = lay.items
    rows = [it.y for it in items] + [it.y + it.height - 1 for it in items]
    rows += [y for _, y in canvas.cells]
    top, bottom = min(rows, default=0), max(rows, default=0)
    legend = _legend([k for _, _, k in lay.edges], max(width, 30))
    shift = (len(legend) + 1 if legend else 0) - top
    height = bottom + shift + 1 if items else len(legend) + 2
    width = max([width, 14, *(sum(cell_len(s.text) for s in line) for line in legend)])
    chars = [[" "] * width for _ in range(height)]
    styles = [[PLAIN] * width for _ in range(height)]
    for y, line in enumerate(legend):
        x = 0
        for seg in line:
            for ch in seg.text:
                chars[y][x], styles[y][x] = ch, seg.style or PLAIN
                x += 1
    crossings: set[Cell] = set()
    for (cx, cy), owners in canvas.cells.items():
        style, dirs = _resolve(owners, kinds)
        if len(owners) > 1:
            crossings.add((cx, cy + shift))
        chars[cy + shift][cx] = glyph(style, dirs)
        styles[cy + shift][cx] = style.style
    for (hx, hy), (ch, kind) in lay.arrowheads().items():
        chars[hy + shift][hx] = ch
        styles[hy + shift][hx] = edge_style(kind).style
    boxes: dict[str, Box] = {}
    for it in items:
        if it.node is None:
            continue
        box = Box(it.node, it.x, it.y + shift, it.width, it.height, it.layer)
        boxes[it.node] = box
        missing = bool(lay.g.nodes[it.node].get("missing"))
        _draw_box(chars, styles, box, MISSING_STYLE if missing else BORDER_STYLE, missing)
        for (side, tag), off in it.offsets.items():
            if isinstance(tag, tuple) and tag[0] == "out":
                family = edge_style(tag[1]).family
                if side == "R":
                    chars[box.y + off][box.x + box.width - 1] = _PORT_RIGHT[family]
                else:
                    chars[box.y + off][box.x] = _PORT_LEFT[family]
    order = sorted(boxes.values(), key=lambda b: (b.layer, b.y))
    diagram = Diagram(
        width=width,
        height=height,
        chars=chars,
        styles=styles,
        boxes=boxes,
        order=[b.node for b in order],
        edges=[
            DrawnEdge(u, v, k, tuple((px, py + shift) for px, py in path))
            for (u, v, k), path in zip(lay.edges, paths, strict=True)
        ],
        crossings=crossings,
    )
    for node, box in boxes.items():
        for row, line in enumerate(lay.lines(node, box.width - 4)):
            diagram.write(node, row, line)
    if not items:
        y = len(legend)
        chars[y][:14] = list("(no resources)")
    return diagram


# -- small algorithms ----------------------------------------------------------------------


def _fit_widths(
    natural: list[int], floors: list[int], width: int, channels: list[int], peeks: list[int]
) -> list[int]:
    """Columns' widths for a diagram `width` cells wide, between `channels`: all of them
    narrowed to fit it (`_cap_widths`) where they can be. Where they cannot (the pane
    scrolls sideways), the most columns from the left that can be in sight whole, and
    with them the start of the next one's names where it can be: `peeks[k]` cells of its
    box (its border, a space and up to FIT_MIN_INNER_CELLS of its title), or, those
    columns as narrow as allowed, at least PEEK_MIN_CELLS of it. Only those columns are
    narrowed, as little as that takes: narrowed as far as allowed, every column left the
    job-queue worker at the pane's edge at 80 columns, its name cut to `λ w`. Not even one
    column: each as narrow as allowed."""
    if sum(natural) + sum(channels) <= width:
        return natural
    if _capped_total(natural, floors, 0) + sum(channels) <= width:
        return _cap_widths(natural, floors, width - sum(channels))
    for k in range(len(natural) - 1, 0, -1):
        least = _capped_total(natural[:k], floors[:k], 0)
        room = width - sum(channels[:k])  # for the k columns and what is seen of the next
        if least + min(peeks[k], PEEK_MIN_CELLS) <= room:
            return _cap_widths(natural[:k], floors[:k], max(least, room - peeks[k])) + natural[k:]
        if least <= width - sum(channels[: k - 1]):
            return (
                _cap_widths(natural[:k], floors[:k], width - sum(channels[: k - 1])) + natural[k:]
            )
    return _cap_widths(natural, floors, width - sum(channels))


def _capped(w: int, floor: int, cap: int) -> int:
    """A column `w` wide cut to `cap` (not below `floor`), or left whole where that would
    save fewer than FIT_MIN_SAVING cells."""
    cut = max(floor, cap)
    return cut if w - cut >= FIT_MIN_SAVING else w


def _capped_total(natural: list[int], floors: list[int], cap: int) -> int:
    """The columns' total width, each cut to `cap` as `_capped` cuts it."""
    return sum(_capped(w, f, cap) for w, f in zip(natural, floors, strict=True))


def _cap_widths(natural: list[int], floors: list[int], budget: int) -> list[int]:
    """Columns' widths that together take at most `budget` cells: the widest cut first, to
    one cap as high as fits (a column narrower than it keeps its width), none below its
    floor nor by fewer than `FIT_MIN_SAVING` cells; the cells left under the cap go to the
    leftmost columns it cut. Too little room for that, each as narrow as allowed."""
    if sum(natural) <= budget:
        return natural
    lo, hi = 0, max(natural)
    while lo < hi:  # the highest cap that fits (the total grows with the cap)
        mid = (lo + hi + 1) // 2
        if _capped_total(natural, floors, mid) <= budget:
            lo = mid
        else:
            hi = mid - 1
    widths = [_capped(w, f, lo) for w, f in zip(natural, floors, strict=True)]
    spare = budget - sum(widths)
    for i, w in enumerate(natural):
        if spare <= 0:
            break
        if widths[i] == lo and w - (lo + 1) >= FIT_MIN_SAVING:
            widths[i] += 1
            spare -= 1
    return widths


def _mean(weighted: list[tuple[int, int]], pos: list[float], default: float) -> float:
    """The weighted mean position of `weighted` (item, weight) pairs, or `default`."""
    total = sum(w for _, w in weighted)
    return sum(pos[o] * w for o, w in weighted) / total if total else default


def _tag_key(tag: object) -> tuple[str, int, str]:
    if isinstance(tag, tuple):
        return (str(tag[0]), tag[1] if isinstance(tag[1], int) else -1, str(tag[1:]))
    return (str(tag), -1, "")


def _direction(lu: int, lv: int) -> str:
    return "forward" if lu < lv else "backward" if lu > lv else "same"


def _inversions(pairs: list[tuple[float, float, int]]) -> int:
    """The sum of w1 * w2 over pairs (a1, b1, w1), (a2, b2, w2) with a1 < a2 and b1 > b2:
    straight lines from a to b that cross (a Fenwick tree of weights, O(n log n))."""
    pairs.sort()
    ranks = {b: i + 1 for i, b in enumerate(sorted({b for _, b, _ in pairs}))}
    tree = [0] * (len(ranks) + 1)
    count = 0
    total = 0
    for _, b, w in pairs:
        i = r = ranks[b]
        at_most = 0
        while i > 0:
            at_most += tree[i]
            i -= i & -i
        count += w * (total - at_most)
        total += w
        i = r
        while i < len(tree):
            tree[i] += w
            i += i & -i
    return count


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """The non-decreasing sequence nearest `values` in weighted least squares (pool
    adjacent violators)."""
    blocks: list[list[float]] = []  # [mean, weight, count]
    for v, w in zip(values, weights, strict=True):
        blocks.append([v, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    out: list[float] = []
    for mean, _, count in blocks:
        out += [mean] * int(count)
    return out
