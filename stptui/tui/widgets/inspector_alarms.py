"""The Inspector's CloudWatch alarms section: each alarm of a function, queue or HTTP API
with its state, since when, its reason and the datapoints of its last periods.

The figures are `show alarms`'s own (`stptui.commands.handlers.alarms.alarm_data`), not
computed again here. A reason may be what `set-alarm-state --reason` was given: untrusted
text, added as `Text` through `safe`, never as markup; a state's colour is a style.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from stptui.commands.handlers.alarms import alarm_data, datapoints_text
from stptui.sim.alarms import ALARM, INSUFFICIENT_DATA, OK
from stptui.sim.clock import iso_ms
from stptui.sim.engine import Simulator
from stptui.tui.render import safe, section_heading, section_line

HANG = 2
# A state as the Graph pane colours it on the box: ALARM white on red, OK green.
STATE_STYLES = {ALARM: "bold white on red", OK: "green", INSUFFICIENT_DATA: "yellow"}


def alarm_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s alarms, when it has any: per alarm its reference, trigger and state, since
    when, its reason and its last periods' datapoints (oldest first, `-` for a missing
    one); an alarm of a type the simulator does not evaluate is marked so."""
    entries = alarm_data(sim, name)
    if not entries:
        return
    section_heading(text, "Alarms")
    for entry in entries:
        _alarm(text, entry)
    if any(entry["simulated"] for entry in entries):
        section_line(text, Text("c sets an alarm's state (set-alarm-state)", "dim"))


def _alarm(text: Text, entry: dict[str, Any]) -> None:
    line = Text.assemble((safe(entry["reference"]), "bold"), f" {safe(entry['trigger'])}: ")
    if not entry["simulated"]:
        line.append("not simulated", "dim")
        section_line(text, line)
        return
    line.append(entry["state"], STATE_STYLES.get(entry["state"], ""))
    line.append(f" since {iso_ms(entry['since'])}")
    section_line(text, line)
    section_line(text, Text(f"  {safe(entry['alarm'])}", "dim"), HANG + 2)
    section_line(text, Text(f"  reason: {safe(entry['reason'])}"), HANG + 2)
    points = datapoints_text(entry)
    section_line(text, Text(f"  last periods (oldest first, - missing): {points}"), HANG + 2)
