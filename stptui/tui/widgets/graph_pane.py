"""The Graph pane: the stack as a layered diagram with live badges.

Nodes are listed layer by layer (sources first, dead-letter queues and data stores last,
from `stptui.graph`'s layering); under each node its outgoing edges, drawn with a glyph per
kind, so an sqs trigger (`━━▶`) reads differently from a connectTo permission (`┄┄▷`) or a
redrive (`══▶`). Badges show queue depth and in-flight count, DLQ depth (red when non-zero)
and running and failed invocations. Past `FULL_LAYOUT_LIMIT` nodes the pane shows the
selection's neighbourhood instead of the whole stack.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from stptui import graph as graphs
from stptui.sim import trace as tk
from stptui.sim.engine import Simulator
from stptui.tui.render import safe

FULL_LAYOUT_LIMIT = 60
NEIGHBOURHOOD_RADIUS = 2

EDGE_GLYPHS: dict[str, tuple[str, str]] = {
    graphs.TRIGGER: ("━━▶", "bold"),
    graphs.CONNECT: ("┄┄▷", "dim"),
    graphs.REDRIVE: ("══▶", "red"),
    graphs.DELIVERY_FAILURE: ("══▶", "red"),
    graphs.DESTINATION: ("──▶", "magenta"),
    graphs.BUS_NOTIFICATION: ("··▶", "cyan"),
}
KIND_ICONS: dict[str, str] = {
    "function": "λ",
    "batch-job": "▣",
    "sqs-queue": "≡",
    "event-bus": "✦",
    "bucket": "◫",
    "http-api-gateway": "⇄",
    "schedule": "◷",
    "sns-topic": "✉",
}


def badges(sim: Simulator, node: str) -> Text:
    """The live counts shown next to a node."""
    text = Text()
    q = sim.queues.get(node)
    if q is not None:
        if q.sources:
            text.append(f" DLQ {q.depth}", "bold white on red" if q.depth else "dim")
        else:
            text.append(f" {q.visible_count} visible · {q.in_flight_count} in flight", "cyan")
    fn = sim.functions.get(node)
    if fn is not None:
        if fn.running:
            text.append(f" {fn.running} running", "bright_blue")
        failed = sim.trace.count(tk.INVOCATION_FAILED, node)
        if failed:
            text.append(f" {failed} failed", "red")
    return text


def node_prompt(g: nx.MultiDiGraph, sim: Simulator, node: str) -> Text:
    """A node's line with its badges, then one line per outgoing edge."""
    attrs = g.nodes[node]
    kind = str(attrs.get("kind", "?"))
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{KIND_ICONS.get(kind, '•')} ", "bold")
    text.append(safe(attrs.get("label", node)), "bold red" if attrs.get("missing") else "bold")
    text.append(f" {safe(kind)}", "dim")
    text.append_text(badges(sim, node))
    for _, target, data in g.out_edges(node, data=True):
        glyph, style = EDGE_GLYPHS.get(str(data.get("kind")), ("──▶", ""))
        text.append("\n    ")
        text.append(f"{glyph} ", style)
        text.append(safe(g.nodes[target].get("label", target)))
        text.append(f"  {safe(graphs.edge_label(data))}", "dim")
    return text


class GraphPane(OptionList):
    """The layered node list; highlighting a node selects the resource everywhere."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.graph: nx.MultiDiGraph = nx.MultiDiGraph()
        self.shown: list[str] = []

    def load(self, g: nx.MultiDiGraph, sim: Simulator, focus: str | None = None) -> None:
        """Lay out the whole graph, or `focus`'s neighbourhood when the graph is large."""
        self.graph = g
        nodes: Iterable[str] = g.nodes
        if len(g) > FULL_LAYOUT_LIMIT and focus is not None and focus in g:
            nodes = graphs.neighbourhood(g, focus, NEIGHBOURHOOD_RADIUS).nodes
            # A str subtitle is parsed as markup; the resource name goes in as Text.
            self.border_subtitle = Text(
                f"neighbourhood of {safe(focus)} ({len(list(nodes))} of {len(g)} nodes)"
            )
        else:
            self.border_subtitle = f"{len(g)} nodes, {len(g.edges)} edges"
        index = {n: i for i, n in enumerate(g)}
        ordered = sorted(nodes, key=lambda n: (g.nodes[n].get("layer", 0), index[n]))
        self.shown = ordered
        options: list[Option | None] = []
        layer = None
        for node in ordered:
            node_layer = g.nodes[node].get("layer", 0)
            if layer is not None and node_layer != layer:
                options.append(None)
            layer = node_layer
            options.append(Option(node_prompt(g, sim, node), id=node))
        self.set_options(options)

    def refresh_badges(self, sim: Simulator, nodes: Iterable[str]) -> None:
        """Redraw the nodes whose counts may have changed."""
        for node in nodes:
            if node in self.shown:
                self.replace_option_prompt(node, node_prompt(self.graph, sim, node))

    def select(self, node: str) -> None:
        """Highlight `node` (when it is shown)."""
        if node in self.shown:
            index = self.get_option_index(node)
            if self.highlighted != index:
                self.highlighted = index
