"""What an 80-column terminal shows in words: the panes' keys read as keys (`[2] Queues`,
not a count of two queues), and a kind too long for its room reads in shorter words rather
than cut (`invocation.recursion_…`, `application lo…` read as something else)."""

from __future__ import annotations

import networkx as nx
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widget import Widget
from tui_support import START, app_for, drive, screen_text

from stptui import graph as graphs
from stptui.config.model import RESOURCE_TYPES
from stptui.sim.trace import KINDS, Record
from stptui.tui import diagram as dg
from stptui.tui.app import PANES, StptuiApp
from stptui.tui.render import NARROW_KIND_COLUMN, record_text, short_kind
from stptui.tui.widgets.events_pane import matches


def test_the_panes_keys_read_as_keys_in_the_strip_and_on_the_borders() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        strip = app.query_one("#pane-tabs", Widget).render_line(0)
        assert (
            strip.text.rstrip() == " [1] Graph  [2] Queues  [3] Events  [4] Inspector  [5] Agenda"
        )
        # Each key bold, as the footer's keys stand out from their words; the names not.
        bold = [seg.text for seg in strip if seg.style is not None and seg.style.bold]
        assert bold == [f"[{key}]" for key in PANES]
        for key, (pane_id, _, name) in PANES.items():
            await pilot.press(key)
            await pilot.pause()
            assert app.query_one(f"#{pane_id}").display
            # The pane alone on the screen, its border says which key shows it.
            assert f"╭─ [{key}] {name} ─" in screen_text(app).splitlines()[2]

    drive(app_for("job-queue"), script, size=(80, 24))


def test_every_kind_too_long_for_the_narrow_column_has_shorter_words_of_its_own() -> None:
    shown = {kind: short_kind(kind, NARROW_KIND_COLUMN) for kind in KINDS}
    long = [kind for kind in KINDS if len(kind) > NARROW_KIND_COLUMN]
    assert long  # `notification.delivery_failed` is 28
    for kind in long:
        words = shown[kind]
        assert len(words) <= NARROW_KIND_COLUMN and "…" not in words, kind
        # Of the same family, and no other kind's name.
        assert words.split(".")[0] == kind.split(".")[0] and words not in KINDS, kind
    # No two kinds read alike in the column.
    assert len(set(shown.values())) == len(KINDS)


def test_the_filter_finds_a_kind_by_the_words_the_narrow_column_shows() -> None:
    rec = Record(1, START, "invocation.recursion_stopped", "worker", {})
    row = record_text(rec, 60, dated=True).plain
    assert " invocation.loop_halted " in row and "…" not in row[:45]
    # Typed as it reads, or as its full name: the same record.
    for word in ("kind:invocation.loop", "loop_halted", "kind:invocation.recursion"):
        assert matches(rec, [word]), word
    assert not matches(rec, ["kind:invocation.retry"])


def test_a_narrow_box_says_its_kind_in_shorter_words() -> None:
    g = nx.MultiDiGraph()
    kinds = sorted(RESOURCE_TYPES | {"external", "cloudformation-resource"})
    for layer, kind in enumerate(["external", "application-load-balancer"]):
        g.add_node(kind, kind=kind, label=f"{kind}Resource", layer=layer)
    g.add_edge("external", "application-load-balancer", kind=graphs.CONNECT)
    d = dg.layout(g, width=2 * (dg.FIT_MIN_INNER_CELLS + 4) + dg.CHANNEL_MARGIN)
    lines = d.text().splitlines()
    words = [
        "".join(lines[b.y + 2][b.x + 1 : b.x + b.width - 1]).strip()
        for b in (d.boxes["external"], d.boxes["application-load-balancer"])
    ]
    # Cut at the end, they read `outside the s…` and `application l…`.
    assert words == ["outside stack", "app balancer"]
    # Every kind's words fit the narrowest box, whole.
    for kind in kinds:
        one = nx.MultiDiGraph()
        one.add_node("n", kind=kind)
        assert cell_len(dg.kind_words(one, "n", dg.FIT_MIN_INNER_CELLS)) <= dg.FIT_MIN_INNER_CELLS
