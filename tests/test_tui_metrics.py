"""`M`: the metrics view (`show metrics` in the terminal UI): what it shows, its window,
its refusals, computing off the UI's thread while the live clock waits, refreshing as the
clock moves, and where a user finds it (footer, help, palette)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_one_app import Step, on_one_app, press_until, put_back, screen_opened
from tui_support import HANG_S, START, app_for, drawn_text, drive, screen_text, wait_until

from stptui.commands import CommandResult, Session, execute
from stptui.sim.trace_index import trace_index
from stptui.tui.app import StptuiApp
from stptui.tui.palette import StackProvider
from stptui.tui.screens import metrics_view
from stptui.tui.screens.help import HelpScreen
from stptui.tui.screens.metrics_view import COMPUTING, MetricsScreen, metrics_line
from stptui.tui.screens.output_page import OutputPage
from tests.test_tui_index_warming import warming_steps

ORDER = 'send jobQueue \'{"orderId": 1, "amount": 20}\''


def body(screen: MetricsScreen) -> str:
    """The figures as drawn, each line's runs of spaces made one."""
    return "\n".join(
        " ".join(line.split())
        for line in drawn_text(screen.query_one("#metrics-body")).splitlines()
    )


def status(screen: MetricsScreen) -> str:
    """The status line as drawn."""
    return " ".join(drawn_text(screen.query_one("#metrics-status")).split())


async def settled(pilot: Pilot[None]) -> None:
    """Wait for the view's worker and for what it handed back to be drawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_metrics_line_quotes_the_name_and_adds_the_window_only_when_typed() -> None:
    assert metrics_line(None, "") == "show metrics"
    assert metrics_line("jobQueue", "  ") == "show metrics jobQueue"
    assert metrics_line("jobQueue", " 10m ") == "show metrics jobQueue --since 10m"
    assert metrics_line("a b", "") == "show metrics 'a b'"


async def a_key_a_user_finds_on_the_inspector_in_the_help_and_palette(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # On the Inspector's border, as the other keys that act on what a pane shows; the
    # footer keeps its room for the dialogs' keys.
    bottoms = [line for line in screen_text(app).splitlines() if line.startswith("╰")]
    assert any("M metrics ─╯" in line for line in bottoms), bottoms
    main = app.screen
    help_screen = await screen_opened(pilot, app, "question_mark", HelpScreen, "#help-body")
    listed = " ".join(drawn_text(help_screen.query_one("#help-body")).split())
    assert "M Metrics CloudWatch's figures of the selected resource" in listed, listed
    assert "Metrics view (M)" in listed
    assert "ctrl+r Compute now" in listed
    await put_back(pilot, app, main)
    entries = [title for title, _, _ in StackProvider(app.screen)._list_entries()]
    assert "open: metrics view" in entries
    assert "open: send dialog" in entries


async def m_shows_the_selected_queues_figures_as_show_metrics_computes_them(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.selected = "jobQueue"
    screen = await screen_opened(pilot, app, "M", MetricsScreen)
    await settled(pilot)
    shown = body(screen)
    expected = execute(app.session, "show metrics jobQueue")
    assert screen.result is not None and screen.result.data == expected.data
    assert "jobQueue NumberOfMessagesSent Sum 1 Count" in shown, shown
    assert "NumberOfMessagesDeleted Sum 1 Count" in shown
    # Only the selected queue: not the worker function's figures.
    assert "Invocations" not in shown
    assert status(screen) == (
        "as of 2026-01-05T08:01:00.000Z: `show metrics jobQueue`, computed again as the clock moves"
    )
    assert str(screen.query_one("Vertical").border_title) == "metrics: jobQueue"
    await press_until(pilot, app, "escape", lambda: app.screen is not screen, "closed")
    assert not isinstance(app.screen, MetricsScreen)
    # Reading changed nothing: no command logged, the live clock not held.
    assert app.session.log == [ORDER, "advance 1m"]
    assert app._clock_holds == 0


async def with_nothing_selected_it_shows_every_resource(pilot: Pilot[None], app: StptuiApp) -> None:
    app.selected = None
    screen = await screen_opened(pilot, app, "M", MetricsScreen)
    await settled(pilot)
    assert screen.computed_line == "show metrics"
    assert str(screen.query_one("Vertical").border_title) == "metrics: every resource"
    shown = body(screen)
    assert "jobQueue" in shown and "worker" in shown and "Invocations" in shown
    # What did nothing is named, not listed with its zeros.
    assert "no activity: deadLetterQueue" in shown


def test_the_view_of_job_queue_after_an_order() -> None:
    """Three checks on one app of job-queue after an order and a minute: the key's places
    first (at 160x36, the Inspector on its launch selection), then the view of the
    selected queue and of every resource, each opened anew and closed (the first checks
    that reading changed nothing)."""
    app = app_for("job-queue")
    execute(app.session, ORDER)
    execute(app.session, "advance 1m")
    steps = [
        Step(
            "a key a user finds on the inspector, in the help and palette",
            (160, 36),
            a_key_a_user_finds_on_the_inspector_in_the_help_and_palette,
        ),
        Step(
            "M shows the selected queue's figures as show metrics computes them",
            (120, 36),
            m_shows_the_selected_queues_figures_as_show_metrics_computes_them,
        ),
        Step(
            "with nothing selected it shows every resource",
            (120, 36),
            with_nothing_selected_it_shows_every_resource,
        ),
    ]
    on_one_app(app, steps)


def test_an_unmeasured_selection_says_so_as_text(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  jobQueue: {type: sqs-queue}\n"
        "  carts:\n    type: dynamo-db-table\n    properties:\n"
        "      primaryKey:\n        partitionKey: {name: id, type: string}\n",
        encoding="utf-8",
    )
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "carts"  # a table without a stream: nothing to measure
        await pilot.press("M")
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        await settled(pilot)
        note = " ".join(drawn_text(screen.query_one("#metrics-note")).split())
        assert note == "`show metrics` does not measure carts: every resource it measures"
        assert screen.computed_line == "show metrics"
        assert "jobQueue" in body(screen)

    drive(app, script)


def test_the_window_field_computes_with_since_and_a_refusal_keeps_the_figures() -> None:
    app = app_for("job-queue")
    execute(app.session, ORDER)
    execute(app.session, "advance 20m")
    execute(app.session, ORDER)
    execute(app.session, "advance 1m")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "jobQueue"
        await pilot.press("M")
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        await settled(pilot)
        assert "NumberOfMessagesSent Sum 2 Count" in body(screen)
        assert body(screen).startswith(
            "from 2026-01-05T08:00:00.000Z to 2026-01-05T08:21:00.000Z (21 min of virtual time)"
        ), body(screen)
        # The whole table on a page of its own, and back.
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, OutputPage)
        await pilot.press("escape")
        assert app.screen is screen
        field = screen.query_one("#metrics-since", Input)
        assert field.has_focus
        await pilot.press(*"5m", "enter")
        await settled(pilot)
        assert screen.computed_line == "show metrics jobQueue --since 5m"
        assert "NumberOfMessagesSent Sum 1 Count" in body(screen), body(screen)
        assert "from 2026-01-05T08:16:00.000Z" in body(screen)
        kept = body(screen)
        field.value = "-1s"
        await pilot.press("enter")
        await settled(pilot)
        assert status(screen).startswith("--since: a duration cannot be negative: '-1s'")
        assert "hint: write a number and a unit" in status(screen)
        assert screen.query_one("#metrics-status").has_class("-error")
        assert body(screen) == kept
        field.value = ""
        await pilot.press("ctrl+r")
        await settled(pilot)
        assert screen.computed_line == "show metrics jobQueue"
        assert not screen.query_one("#metrics-status").has_class("-error")
        assert app.session.log == [ORDER, "advance 20m", ORDER, "advance 1m"]

    drive(app, script)


def test_it_says_computing_and_the_live_clock_waits_while_the_worker_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A computation that takes as long as the test wants: the UI must go on meanwhile.
    release = threading.Event()
    started = threading.Event()

    def slow_execute(session: Session, line: str) -> CommandResult:
        started.set()
        assert release.wait(HANG_S)
        return execute(session, line)

    monkeypatch.setattr(metrics_view, "execute", slow_execute)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "jobQueue"
        app.action_toggle_run()  # the clock runs at 1x
        await pilot.press("M")
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        assert started.wait(HANG_S)
        await pilot.pause()
        assert status(screen) == COMPUTING
        assert app._clock_holds == 1
        held_at = app.session.sim.clock.now
        # Frames come and go (keys too: the window field takes them), the clock stays.
        await pilot.press(*"1m")
        await pilot.pause(0.3)
        assert app.session.sim.clock.now == held_at
        # The palette, which could run a command meanwhile, is off while the view is open.
        assert app.check_action("command_palette", ()) is False
        release.set()
        await settled(pilot)
        assert app._clock_holds == 0
        assert status(screen).startswith("as of ")
        await wait_until(pilot, lambda: app.session.sim.clock.now > held_at, "a live frame")
        app.action_toggle_run()

    drive(app_for("job-queue"), script)


def test_closing_while_computing_still_lets_the_clock_go(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def slow_execute(session: Session, line: str) -> CommandResult:
        assert release.wait(HANG_S)
        return execute(session, line)

    monkeypatch.setattr(metrics_view, "execute", slow_execute)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("M")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MetricsScreen)
        assert app._clock_holds == 1
        release.set()
        # The page's worker went with the page: its thread ends on its own.
        await wait_until(pilot, lambda: app._clock_holds == 0, "the clock's release")

    drive(app_for("job-queue"), script)


def test_figures_follow_the_clock_throttled_and_not_while_it_stands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines: list[str] = []

    def counting(session: Session, line: str) -> CommandResult:
        lines.append(line)
        return execute(session, line)

    monkeypatch.setattr(metrics_view, "execute", counting)
    monkeypatch.setattr(metrics_view, "REFRESH_MIN_S", 0.0)
    app = app_for("job-queue")
    execute(app.session, ORDER)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "jobQueue"
        await pilot.press("M")
        screen = app.screen
        assert isinstance(screen, MetricsScreen)
        await settled(pilot)
        assert "NumberOfMessagesDeleted Sum 0 Count" in body(screen)
        # The clock stands: looking again computes nothing.
        screen.clock_check()
        screen.clock_check()
        assert len(lines) == 1
        # The clock moves (as the live clock's slices move it): computed again, once.
        app.live.slice(60_000)
        screen.clock_check()
        screen.clock_check()  # while that runs, a second look starts nothing
        await settled(pilot)
        assert len(lines) == 2
        assert "NumberOfMessagesDeleted Sum 1 Count" in body(screen), body(screen)
        assert screen.computed_at == app.session.sim.clock.now
        # Too soon after a computation as long as the last one took (times the factor).
        monkeypatch.setattr(metrics_view, "REFRESH_MIN_S", 3600.0)
        app.live.slice(60_000)
        screen.clock_check()
        await settled(pilot)
        assert len(lines) == 2

    drive(app, script)


def test_the_key_is_off_on_a_stack_with_nothing_measured(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  carts:\n    type: dynamo-db-table\n    properties:\n"
        "      primaryKey:\n        partitionKey: {name: id, type: string}\n",
        encoding="utf-8",
    )
    app = StptuiApp(Session.open(tmp_path, start_ms=START))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert app.check_action("metrics", ()) is False
        assert not any("M metrics" in line for line in screen_text(app).splitlines())
        await pilot.press("M")
        await pilot.pause()
        assert not isinstance(app.screen, MetricsScreen)
        entries = [title for title, _, _ in StackProvider(app.screen)._list_entries()]
        assert "open: metrics view" not in entries

    drive(app, script)


def test_the_inspector_hints_m_only_on_a_resource_it_measures(tmp_path: Path) -> None:
    """A table without a stream has no figures: `M` there would show the function's, so
    the hint goes while it is selected and comes back with the function."""
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  carts:\n    type: dynamo-db-table\n    properties:\n"
        "      primaryKey:\n        partitionKey: {name: id, type: string}\n"
        "  worker:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      connectTo: [carts]\n",
        encoding="utf-8",
    )

    def hinted(app: StptuiApp) -> bool:
        return any("M metrics" in line for line in screen_text(app).splitlines())

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.selected = "carts"
        await pilot.pause()
        assert not hinted(app)
        app.selected = "worker"
        await pilot.pause()
        assert hinted(app)
        app.selected = "carts"
        await pilot.pause()
        assert not hinted(app)

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script, size=(160, 36))


def test_the_index_waits_while_the_view_is_open_and_goes_on_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A step of warming the trace's index (`explain`'s and `show message`'s) landed in the
    # frame the view's page opened in: some 20 ms more of the UI's longest stall as it opens.
    # Nothing reads the index while the page is up.
    # Gaps long enough that the 75 steps the trace takes outlast the keys pressed before
    # the view opens, on a fast machine too.
    steps = warming_steps(monkeypatch, chunk=200, gap_s=0.05, wait_s=0.05)
    s = Session.open(app_for("job-queue").session.stack_path, start_ms=START)
    execute(s, "repeat 1500 " + ORDER)
    execute(s, "advance 1h")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        index = trace_index(app.session.sim.trace)
        await wait_until(pilot, lambda: len(steps) >= 2, "warming under way")
        app.selected = "jobQueue"
        await pilot.press("M")
        assert isinstance(app.screen, MetricsScreen)
        await settled(pilot)
        held = len(steps)
        await pilot.pause(0.2)
        assert len(steps) == held and index.behind > 0
        await pilot.press("escape")
        await wait_until(pilot, lambda: len(steps) > held, "warming going on")

    drive(StptuiApp(s), script)


def test_the_status_line_is_drawn_again_only_when_what_it_says_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # It says "computing..." as the page opens; saying it again as the worker started laid
    # the page out and drew it (and the dimmed screen under it) again, at half speed, the
    # worker taking turns with the UI's thread for the interpreter.
    said: list[str] = []
    update = Static.update

    def counted(widget: Static, content: object = "", **kwargs: object) -> None:
        if widget.id == "metrics-status":
            said.append(str(content).split(":")[0])
        update(widget, content, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Static, "update", counted)

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(ORDER)
        app.selected = "jobQueue"
        await pilot.press("M")
        page = app.screen
        assert isinstance(page, MetricsScreen)
        await settled(pilot)
        assert status(page).startswith("as of ")
        await pilot.press("ctrl+r")
        await settled(pilot)
        assert said == ["as of 2026-01-05T08", COMPUTING, "as of 2026-01-05T08"]

    drive(app_for("job-queue"), script)
