"""The Inspector and the Graph while `pause FUNCTION --trigger SOURCE` has an event source
mapping disabled: the worker's trigger and the queue's consumer say so, with the `resume`
line, the queue says why its messages wait, and the worker's box says `trigger paused`.
Both pages read as they did before the pause once it is resumed. `show function` and `show
queue` said so already, the Inspector did not, and a user looking at a queue that fills up
beside a worker whose box said `idle` had no answer on the screen."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import app_for, drive, inspector

from stptui.tui.app import StptuiApp
from stptui.tui.widgets.graph_pane import GraphPane

RESUME = "resume worker --trigger jobQueue"


def box_lines(app: StptuiApp, node: str) -> list[str]:
    """The text inside `node`'s box, one string per interior row."""
    d = app.query_one(GraphPane).diagram
    box = d.boxes[node]
    rows = d.text().splitlines()[box.y + 1 : box.y + box.height - 1]
    return [row[box.x + 1 : box.x + box.width - 1].strip() for row in rows]


def _section(page: str, title: str) -> str:
    """The lines of one section of the Inspector's page (up to the next blank line)."""
    return page.split(f"\n{title}\n", 1)[1].split("\n\n", 1)[0]


def test_the_inspector_says_a_mapping_is_disabled_and_how_to_resume_it() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("worker")
        await pilot.pause()
        before = _section(inspector(app), "Triggers")
        assert "disabled" not in before
        app.run_command("pause worker --trigger jobQueue")
        app.run_command("send jobQueue '{\"n\": 1}'")
        app.run_command("advance 1m")
        await pilot.pause()
        # The page of the selected worker is redrawn by the pause itself.
        triggers = _section(inspector(app), "Triggers")
        assert f"jobQueue sqs(batch 1) mapping disabled: {RESUME}" in " ".join(triggers.split())
        app.jump_to("jobQueue")
        await pilot.pause()
        page = inspector(app)
        assert "→ worker sqs(batch 1) mapping disabled" in " ".join(_section(page, "Edges").split())
        now = " ".join(_section(page, "Queue now").split())
        assert "visible 1," in now
        assert f"worker's event source mapping is disabled: its messages wait here ({RESUME})" in (
            now
        )
        # Resumed with the queue selected: its page is redrawn at once (the mapping's record
        # is the worker's), and the worker's reads as before.
        app.run_command(RESUME)
        await pilot.pause()
        assert "disabled" not in inspector(app)
        app.jump_to("worker")
        await pilot.pause()
        assert _section(inspector(app), "Triggers") == before

    drive(app_for("job-queue"), script)


def test_the_worker_box_says_its_trigger_is_paused_beside_a_backlog() -> None:
    # It said `idle` beside a queue whose messages piled up: the box of a worker that had
    # simply had nothing to do.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("pause worker --trigger jobQueue")
        app.run_command("send jobQueue '{\"amount\": 1}'")
        app.run_command("advance 1m")
        await pilot.pause()
        # At 80 columns the queue keeps its counts whole in shorter words (`vis`), so that
        # the worker beside it is in sight (tests/test_tui_graph_pane.py).
        assert box_lines(app, "jobQueue")[1] == "1 vis · 0 in flight"
        assert box_lines(app, "worker")[1] == "trigger paused"
        app.run_command(RESUME)
        app.run_command("advance 1m")
        await pilot.pause()
        assert box_lines(app, "worker")[1] == "1 done · 0✗ · 0▸"
        # Paused again after runs, the counts stay, marked as the clock bar marks a pause.
        app.run_command("pause worker --trigger jobQueue")
        await pilot.pause()
        assert box_lines(app, "worker")[1] == "⏸ 1✓ · 0✗ · 0▸"

    drive(app_for("job-queue"), script, size=(80, 24))
