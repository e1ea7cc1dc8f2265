"""The Inspector's WebSocket API section: its routes (route key -> function, two-way or
not, the `$connect` authorizer) and its connections (id, state, age, idle, messages
received and the last one).

The figures are the command layer's (`api_data`, and `show connections`'s own
`connection_data` and `connection_cells`), not computed again here. Messages a client
received are untrusted text, added as `Text` through `safe`, never as markup.
"""

from __future__ import annotations

from rich.text import Text

from stptui.commands.handlers.websocket import api_data, connection_cells, connection_data
from stptui.sim.engine import Simulator
from stptui.sim.services.websocket import CONNECT, DISCONNECT
from stptui.tui.render import safe, section_heading, section_line

HANG = 2
LIFECYCLE = (CONNECT, DISCONNECT)
# The newest connections the page lists (`show connections` lists them all).
SHOWN_CONNECTIONS = 8
# A state as a row colours it: open green, closed dim, refused yellow.
STATE_STYLES = {"open": "green", "connecting": "bright_blue", "refused": "yellow"}


def websocket_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s routes and connections, when it is a WebSocket API of the simulation."""
    service = sim.services.get("websocket")
    if service is None or name not in service.apis:
        return
    api = api_data(sim, name)
    section_heading(text, "Routes")
    section_line(text, Text(f"route selection: {safe(api['selection'])}", "dim"))
    for route in api["routes"]:
        line = Text.assemble((safe(route["route"]), "bold"), " -> ", safe(route["target"]))
        if route["route"] not in LIFECYCLE:
            # Only a message's route answers the client; $connect's answer is the handshake.
            line.append("  two-way" if route["two_way"] else "  one-way", "italic")
        if route["route"] == CONNECT and api["authorizer"] is not None:
            sources = ", ".join(safe(s) for s in api["identity_sources"])
            line.append(f"  authorizer {safe(api['authorizer'])} ({sources})")
        section_line(text, line)
    if not api["routes"]:
        section_line(text, Text("no routes: every message gets Forbidden", "yellow"))
    _connections(text, sim, name)


def _connections(text: Text, sim: Simulator, name: str) -> None:
    entries = connection_data(sim, name)
    section_heading(text, "Connections")
    if not entries:
        section_line(
            text, Text("none yet (w connects a client; ws-connect on the command line)", "dim")
        )
        return
    now = sim.clock.now
    opened = sum(entry["state"] == "open" for entry in entries)
    section_line(text, Text(f"{opened} open of {len(entries)}; newest first", "dim"))
    for entry in reversed(entries[-SHOWN_CONNECTIONS:]):
        conn, _, state, age, idle, inbox, last = connection_cells(entry, now)
        line = Text.assemble((safe(conn), "bold"), " ")
        line.append(safe(state), STATE_STYLES.get(entry["state"], "dim"))
        line.append(f"  age {age}")
        if idle:
            line.append(f", idle {idle}")
        line.append(f", {inbox} received")
        section_line(text, line, HANG + 2)
        if last:
            section_line(text, Text(f"  last: {safe(last)}"), HANG + 4)
    if len(entries) > SHOWN_CONNECTIONS:
        more = len(entries) - SHOWN_CONNECTIONS
        section_line(text, Text(f"… and {more} older (show connections {safe(name)})", "dim"))
