"""The Inspector shows a property's value as the config writes it (a flag is `true` or
`false`, YAML's and JSON's spelling, not Python's `True`), and a batch job's behaviour,
overrides and recent attempts as it does a function's."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import app_for, drive, session

from stptui.graph import build_graph
from stptui.tui.app import StptuiApp
from stptui.tui.widgets.inspector_pane import InspectorPane, describe_resource


def test_a_flag_is_shown_as_the_config_writes_it() -> None:
    s = session("job-queue")
    page = describe_resource("jobQueue", s.stack, build_graph(s.stack), s.sim, [], s.start_ms)
    lines = page.plain.splitlines()
    assert "fifo: false" in lines
    assert not any("False" in line for line in lines)


def test_a_batch_job_shows_its_behaviour_overrides_and_attempts() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in ("fire heavyJob", "advance 3h", "fail heavyJob next 2"):
            app.run_command(line)
        app.selected = "heavyJob"
        await pilot.pause()
        shown = app.query_one(InspectorPane).text.plain
        # The sidecar's behaviour: the first attempt is lost to a Spot interruption.
        assert "declared: 40 min; fails on the first attempt (SpotInterruption)" in shown
        assert "overridden: fail heavyJob next 2 (2 left)" in shown
        # Its attempts, newest first, as the trace has them.
        attempts = shown[shown.index("Recent attempts") :]
        assert attempts.index("attempt 2 succeeded") < attempts.index("attempt 1 failed")
        assert "SpotInterruption" in attempts

    drive(app_for("batch-job"), script, size=(200, 60))
