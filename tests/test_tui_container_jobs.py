"""The `container-jobs` sample in the terminal UI: a job sent with the `h` dialog through the
web service's own HTTP API, a fast-forward (`f`) that lets the worker service fail it on each
receive until SQS dead-letters it, and the Inspector of the worker."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Select, TextArea
from tui_support import app_for, drive, inspector, shown, wait_until

from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import HttpDialog
from stptui.tui.screens.fast_forward import FastForwardScreen

BIG_JOB = '{"jobId": 7, "report": "audit", "rows": 500000}'


async def fast_forward(pilot: Pilot[None], app: StptuiApp, target: str) -> None:
    """`f`, the target, then the run to its end (started as enter does, without Pilot's wait
    for idle: a running fast-forward keeps the app busy until it ends)."""
    await pilot.press("f", *target)
    screen = app.screen
    assert isinstance(screen, FastForwardScreen)
    screen.action_start()
    await wait_until(
        pilot, lambda: not isinstance(app.screen, FastForwardScreen), "the fast-forward's end"
    )
    await pilot.pause()  # its dismiss callback runs as the next message


def test_a_job_sent_with_h_is_dead_lettered_and_the_worker_inspector_shows_why() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("h")
        dialog = app.screen
        assert isinstance(dialog, HttpDialog)
        routes = shown(app, "#http-routes")
        assert "ANY /{proxy+} → api (container service-container:3000)" in routes
        dialog.query_one("#http-method", Select).value = "POST"
        await pilot.press(*"/jobs")
        dialog.query_one("#http-body", TextArea).text = BIG_JOB
        await pilot.press("ctrl+s")
        response = shown(app, "#http-response")
        assert response.startswith("HTTP 202 (api.httpApiGateway: ANY /{proxy+} -> api, 20 ms)")
        assert '{"jobId":7,"status":"queued"}' in response
        await pilot.press("escape")
        await fast_forward(pilot, app, "10m")
        s = app.session
        assert s.log == [f"http POST /jobs '{BIG_JOB}'", "until 2026-01-05T08:10:00.020Z"]
        assert s.sim.queues["deadLetterQueue"].visible_count == 1
        app.jump_to("worker")
        await pilot.pause()
        page = inspector(app)
        assert "jobQueue: service-container, 0 of 1 pollers busy, up to 10 a receive" in page
        failed = [line for line in page.splitlines() if "failed ReportTooLarge" in line]
        assert [line.split(" receive ")[1][:1] for line in failed] == ["3", "2", "1"]
        # A worker service takes no requests: no empty list of them.
        assert "Recent requests" not in page
        assert "building audit receive 3" in page  # its log lines
        app.jump_to("api")
        await pilot.pause()
        assert "POST /jobs 202 in 20 ms via api.httpApiGateway" in inspector(app)

    drive(app_for("container-jobs"), script)
