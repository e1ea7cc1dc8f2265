"""The Inspector's recent invocations say which ones were cold starts: an `initDuration`
invocation read `succeeded in 100 ms` while its log's START came 800 ms after it began, and
only the REPORT line, further down, said why."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import START, drive, inspector

from stptui.commands import Session
from stptui.tui.app import StptuiApp

STACK = """\
resources:
  gw: {type: http-api-gateway}
  api:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: gw, path: /hi, method: GET}
"""
BEHAVIORS = "behaviors:\n  api:\n    duration: 100ms\n    initDuration: 800ms\n"


def test_a_cold_invocation_says_its_init_phase_after_its_outcome(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("fail api next 1")
        app.run_command("http GET /hi")
        app.run_command("http GET /hi")
        app.jump_to("api")
        await pilot.pause()
        page = inspector(app)
        recent = page.split("\nRecent invocations\n", 1)[1].split("\n\n", 1)[0].splitlines()
        # Newest first: the warm one, then the cold one with its init phase.
        assert recent == [
            "08:00:00.900 http succeeded in 100 ms",
            # The error and its message where a warm failure has them, the init phase after.
            "08:00:00.000 http failed in 100 ms Error: failed by override `fail api next 1`,"
            " cold start 800 ms",
        ]

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


def test_an_invocation_in_a_reset_environment_says_it_ran_the_init_again(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(
        STACK.replace("      events:", "      timeout: 1\n      events:"), encoding="utf-8"
    )
    (tmp_path / "stptui.yml").write_text(BEHAVIORS + "    timeout: {first: 1}\n", encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("http GET /hi")
        app.run_command("http GET /hi")
        app.jump_to("api")
        await pilot.pause()
        page = inspector(app)
        recent = page.split("\nRecent invocations\n", 1)[1].split("\n\n", 1)[0].splitlines()
        # The timeout reset the environment: the next invocation ran the init again, within
        # the time it reports (REPORT's Duration).
        assert recent == [
            "08:00:01.800 http succeeded in 900 ms, init again 800 ms",
            "08:00:00.000 http failed in 1 s Sandbox.Timedout: Task timed out after 1.00"
            " seconds, cold start 800 ms",
        ]

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)
