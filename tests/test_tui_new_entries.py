"""The terminal UI on the session's new entry points and workers, end to end: a function's
URL on its box and in the Inspector, a polled message's rows in the Events pane, the `l`
dialog on a workload of several containers, the help's words for `h` and `l`, and the
command line's completion of a web-service's own entry."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select
from tui_one_app import on_one_app, steps_at
from tui_support import (
    EXAMPLES,
    START,
    drawn_text,
    drive,
    example_session,
    inspector,
    screen_text,
)

from stptui.commands import Session, execute
from stptui.tui.app import StptuiApp
from stptui.tui.render import record_style, record_text
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.help import HelpScreen
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.widgets.graph_pane import GraphPane


def test_a_function_url_is_on_its_box_and_the_inspector_lists_its_requests() -> None:
    session = example_session("function-urls")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        drawn = drawn_text(app.query_one(GraphPane))
        assert "λ bot · URL" in drawn and "λ report · URL" in drawn
        app.jump_to("report")
        await pilot.pause()
        page = inspector(app)
        url = app.session.sim.services["function_urls"].urls["report"].url
        assert f"Function URL\n{url}\nauth AWS_IAM, no CORS, invoke mode BUFFERED\n" in page
        assert "Recent URL requests\n(none yet: h sends one)" in page
        app.run_command("http GET /daily --url report")
        app.run_command("http GET /daily --url report --signed")
        await pilot.pause()
        page = inspector(app)
        recent = page.split("Recent URL requests\n", 1)[1].split("\n\n", 1)[0].splitlines()
        # Newest first; Lambda's own 403 says why, and the function never ran for it.
        assert recent == [
            "08:00:00.000 GET /daily 200 in 40 ms",
            "08:00:00.000 GET /daily 403 in 0 ms auth type AWS_IAM: the request is not signed "
            "with SigV4",
        ]

    drive(StptuiApp(session), script, size=(120, 36))


def test_a_polled_message_rows_lead_with_the_queue_and_the_error() -> None:
    session = example_session("worker-poll")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("""send jobs '{"image": "huge.png", "width": 9000}'""")
        app.run_command("advance 5s")
        await pilot.pause()
        rows = " ".join(screen_text(app).split())
        # The whole kind in its column (from 160 columns), the error in sight.
        assert "08:00:02.000 container.message.failed resizer queue=jobs error=Range" in rows

    drive(StptuiApp(session), script, size=(200, 50))
    failed = next(r for r in session.sim.trace.records if r.kind == "container.message.failed")
    assert record_style(failed) == "red"
    app_session = example_session("worker-poll")  # one message that the worker deletes
    execute(app_session, """send jobs '{"image": "cat.png", "width": 800}'""")
    execute(app_session, "advance 5s")
    done = next(r for r in app_session.sim.trace.records if r.kind == "container.message.processed")
    assert record_style(done) == "green"
    assert " ".join(record_text(done).plain.split()).startswith(
        "08:00:02.000 container.message.processed resizer queue=jobs receive_count=1 "
        "duration_ms=2000"
    )


# -- the container shop: one app, at 160x50 then 120x36 --------------------------------------


async def a_function_without_a_url_has_no_url_section_nor_marker(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("fulfil")
    await pilot.pause()
    assert "Function URL" not in inspector(app)
    assert "· URL" not in drawn_text(app.query_one(GraphPane))


async def help_says_h_and_l_reach_the_new_entries_and_containers(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    body = " ".join(drawn_text(app.screen.query_one("#help-body")).split())
    assert "HTTP Send a request to an HTTP API, load balancer or function URL" in body
    assert "Log Write a line into a function's, batch job's or container's log group" in body


async def l_on_a_workload_of_several_containers_opens_on_its_first_containers_group(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("web")
    await pilot.press("l")
    await pilot.pause()
    assert isinstance(app.screen, LogLineDialog)
    assert app.screen.query_one("#log-owner", Select).value == "web.app"


def test_the_container_shop_has_no_url_marker_and_h_and_l_reach_its_containers() -> None:
    """On one app of the container shop, nothing run: at 160x50, then `l` at 120x36."""
    wide = [
        a_function_without_a_url_has_no_url_section_nor_marker,
        help_says_h_and_l_reach_the_new_entries_and_containers,
    ]
    steps = steps_at((160, 50), wide)
    steps += steps_at(
        (120, 36), [l_on_a_workload_of_several_containers_opens_on_its_first_containers_group]
    )
    on_one_app(StptuiApp(example_session("container-shop")), steps)


def test_tab_completes_a_web_services_own_entry_after_gateway() -> None:
    session = Session.open(EXAMPLES / "web-service-alb.yml", start_ms=START)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        assert isinstance(app.screen, CommandLineScreen)
        await pilot.press(*"http GET /orders --gateway ", "tab")
        # `mqtt`'s network load balancer takes no HTTP request: only `web` is offered.
        assert app.screen.query_one(Input).value == "http GET /orders --gateway web "

    drive(StptuiApp(session), script, size=(120, 36))
