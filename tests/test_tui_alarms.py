"""Pilot tests of CloudWatch alarms in the terminal UI (docs/examples/alarms.yml, clock
paused, fixed start): the state on each box of the Graph (a red box while in ALARM), the
Inspector's Alarms section (`show alarms`'s figures, kept up to date as periods pass),
the `cloudwatch-alarm` edge, and the alarm dialog (`c`) with the command's own checks
before enter; reasons and names shown as text."""

from __future__ import annotations

from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import Input, Select
from textual.widgets._footer import FooterKey
from tui_one_app import on_one_app, steps_at
from tui_support import (
    START,
    app_for,
    drawn_text,
    drive,
    example_session,
    inspector,
    screen_text,
    shown,
)

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.tui import diagram as dg
from stptui.tui.app import StptuiApp
from stptui.tui.palette import StackProvider
from stptui.tui.screens.alarm_dialog import AlarmStateDialog
from stptui.tui.screens.dialogs import CommandDialog
from stptui.tui.widgets.footer import StableFooter
from stptui.tui.widgets.graph_pane import DLQ_FULL, GraphPane

HOSTILE = "[bold red]x[/] [@click=app.quit]q[/] \x1b[31mred"
# The bad order fails twice in jobs' first minute and lands in jobsDlq: worker's error
# rate alarms at 08:01, the DLQ's not-empty alarm at 08:02 (and pages pager).
FAIL_AN_ORDER = ("send jobs 'bad order'", "advance 3m")


def alarms_app() -> StptuiApp:
    return StptuiApp(example_session("alarms"))


def box_line(app: StptuiApp, node: str, row: int) -> str:
    """Interior line `row` of `node`'s box in the Graph pane (0 the title), stripped."""
    d = app.query_one(GraphPane).diagram
    box = d.boxes[node]
    return "".join(d.chars[box.y + 1 + row][box.x + 1 : box.x + box.width - 1]).strip()


def word_style(app: StptuiApp, node: str, row: int, word: str) -> Style:
    """The style the Graph pane draws `word` in on `node`'s interior line `row`."""
    d = app.query_one(GraphPane).diagram
    box = d.boxes[node]
    y = box.y + 1 + row
    x = "".join(d.chars[y]).index(word, box.x)
    return d.styles[y][x]


def footer_keys(app: StptuiApp) -> list[str]:
    return [k.key for k in app.query_one(StableFooter).query(FooterKey) if k.display]


# -- the Graph ----------------------------------------------------------------------------


async def the_cloudwatch_alarm_edge_leads_from_the_dlq_to_the_pager(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    d = app.query_one(GraphPane).diagram
    rows = d.text().splitlines()
    assert "┝━━►│ λ pager" in rows[d.boxes["pager"].y + 1]
    app.jump_to("pager")
    await pilot.pause()
    assert "jobsDlq cloudwatch-alarm(jobsDlq.alarms.0)" in inspector(app)


async def each_box_with_an_alarm_shows_its_state_and_turns_red_in_alarm(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    pane = app.query_one(GraphPane)
    for node in ("jobsDlq", "worker", "api"):
        assert box_line(app, node, 2) == "alarm no data", node
        assert pane.diagram.border_styles[node] == dg.BORDER_STYLE
    for line in FAIL_AN_ORDER:
        app.run_command(line)
    await pilot.pause()
    assert box_line(app, "worker", 2) == "alarm ALARM"
    assert word_style(app, "worker", 2, "ALARM") == DLQ_FULL
    # A function's box, red only for its alarm (a DLQ is red for its messages too).
    assert pane.diagram.border_styles["worker"] == dg.ALARM_STYLE
    assert box_line(app, "api", 2) == "alarm OK"
    assert pane.diagram.border_styles["api"] == dg.BORDER_STYLE
    assert "alarm" not in box_line(app, "pager", 1)
    # Back to OK once worker's periods are quiet again: the box is no longer red.
    app.run_command("advance 2m")
    await pilot.pause()
    assert box_line(app, "worker", 2) == "alarm OK"
    assert pane.diagram.border_styles["worker"] == dg.BORDER_STYLE


def test_the_graph_draws_the_alarm_edge_then_each_box_s_alarm_state() -> None:
    """The cloudwatch-alarm edge (nothing run), then each box's state from no data to
    ALARM and back."""
    checks = [
        the_cloudwatch_alarm_edge_leads_from_the_dlq_to_the_pager,
        each_box_with_an_alarm_shows_its_state_and_turns_red_in_alarm,
    ]
    on_one_app(alarms_app(), steps_at((120, 36), checks))


SIX_ALARMS = (
    """\
resources:
  jobs:
    type: sqs-queue
    properties:
      alarms:
"""
    + "        - trigger: {type: sqs-queue-not-empty}\n" * 6
)


def test_a_box_with_several_alarms_has_room_for_each_states_count(tmp_path: Path) -> None:
    # The box is laid out before any alarm has a state: it must already have room for
    # the widest mix of states, or a count is cut off when the states diverge.
    (tmp_path / "stacktape.yml").write_text(SIX_ALARMS, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert box_line(app, "jobs", 2) == "alarms: 6 no data"
        app.run_command("set-alarm-state jobs.alarms.0 ALARM")
        app.run_command("set-alarm-state jobs.alarms.1 OK")
        await pilot.pause()
        assert box_line(app, "jobs", 2) == "1 ALARM · 1 OK · 4 no data"

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


def test_a_stack_without_alarms_draws_no_alarm_line() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        d = app.query_one(GraphPane).diagram
        assert "alarm" not in d.text()
        assert "Alarms" not in inspector(app)

    drive(app_for("job-queue"), script)


# -- the Inspector ------------------------------------------------------------------------


def test_the_inspector_shows_each_alarm_as_show_alarms_does() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in FAIL_AN_ORDER:
            app.run_command(line)
        app.jump_to("jobsDlq")
        await pilot.pause()
        page = inspector(app)
        section = page[page.index("\nAlarms\n") :].splitlines()[2:7]
        row = next(r for r in execute(app.session, "show alarms").table[1] if r[0].startswith("j"))
        assert section == [
            "jobsDlq.alarms.0 sqs-queue-not-empty: ALARM since 2026-01-05T08:02:00.000Z",
            "  shop-dev-SqsQueueNotEmptyForJobsDlq0",
            f"  reason: {row[5]}",
            f"  last periods (oldest first, - missing): {row[4]}",
            "c sets an alarm's state (set-alarm-state)",
        ]
        assert row[4] == "0.0 1.0 1.0" and row[5].startswith("Threshold Crossed: 1 out of")

    drive(alarms_app(), script)


def test_the_inspector_follows_the_periods_without_a_record_of_the_resource() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("send jobs 'bad order'")
        app.run_command("advance 90s")
        app.jump_to("worker")
        await pilot.pause()
        assert "last periods (oldest first, - missing): - - - 100.0" in inspector(app)
        seq = app.session.sim.trace.seq
        app.run_command("advance 40s")
        await pilot.pause()
        # worker's evaluation at 08:02 kept ALARM: no record of worker, yet the periods
        # moved on, and the page with them.
        new = app.session.sim.trace.records[seq:]
        assert new and all(r.resource != "worker" for r in new)
        assert "last periods (oldest first, - missing): - - 100.0 -" in inspector(app)

    drive(alarms_app(), script)


def test_an_alarm_the_simulator_does_not_evaluate_is_marked_so(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        """\
resources:
  db:
    type: relational-database
    properties:
      credentials: {masterUserPassword: secret1234}
      engine: {type: postgres, properties: {primaryInstance: {instanceSize: db.t3.micro}}}
      alarms:
        - trigger: {type: database-cpu-utilization, properties: {thresholdPercent: 80}}
""",
        encoding="utf-8",
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("db")
        await pilot.pause()
        assert "db.alarms.0 database-cpu-utilization: not simulated" in inspector(app)
        assert "c sets" not in inspector(app)
        assert box_line(app, "db", 2) == "alarm not simulated"
        # Nothing to set: no `c`.
        assert "c" not in footer_keys(app)
        await pilot.press("c")
        assert not isinstance(app.screen, CommandDialog)

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


# -- the dialog ---------------------------------------------------------------------------


def test_a_load_balancers_box_counts_its_simulated_alarms_states() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # Three of its four alarms are simulated; the custom one on ActiveConnectionCount
        # is not.
        assert box_line(app, "mainLb", 2) == "alarms: 3 no data · 1 not simulated"
        app.run_command("http GET /checkout/a?order=0")
        app.run_command("advance 1m")
        await pilot.pause()
        assert box_line(app, "mainLb", 2) == "alarms: 1 ALARM · 2 OK · 1 not simulated"

    drive(StptuiApp(example_session("alb-alarms")), script)


async def the_alarm_dialog_says_what_setting_the_state_would_do(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("worker")
    await pilot.press("c")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, AlarmStateDialog)
    # The selected resource's alarm, and the other state than its own.
    assert dialog.query_one("#alarm-name", Select).value == "worker.alarms.0"
    assert dialog.query_one("#alarm-state", Select).value == "ALARM"
    assert shown(app, "#alarm-now") == (
        "shop-dev-LambdaErrorRateForWorker0 (lambda-error-rate) INSUFFICIENT_DATA since "
        "2026-01-05T08:00:00.000Z: Unchecked: Initial alarm creation last periods "
        "(oldest first, - missing): - - - -"
    )
    assert shown(app, "#alarm-plan") == (
        "worker.alarms.0: INSUFFICIENT_DATA -> ALARM; the state change event goes to "
        "the default bus notifies email oncall@example.com"
    )
    # The DLQ's alarm pages pager through its cloudwatch-alarm event.
    dialog.query_one("#alarm-name", Select).value = "jobsDlq.alarms.0"
    await pilot.pause()
    assert "invokes pager (its cloudwatch-alarm event) notifies slack C0ONCALL" in shown(
        app, "#alarm-plan"
    )
    dialog.query_one("#alarm-state", Select).value = "INSUFFICIENT_DATA"
    await pilot.pause()
    assert shown(app, "#alarm-plan") == (
        "jobsDlq.alarms.0 is already INSUFFICIENT_DATA: nothing changes, no event"
    )


async def the_alarm_dialog_refuses_a_long_reason_before_enter_and_sets_the_state(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("pager")
    await pilot.press("c")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, AlarmStateDialog)
    # pager's cloudwatch-alarm event names the DLQ's alarm.
    assert dialog.query_one("#alarm-name", Select).value == "jobsDlq.alarms.0"
    assert app.focused is not None and app.focused.id == "alarm-reason"
    dialog.query_one("#alarm-reason", Input).value = "x" * 1024
    await pilot.pause()
    assert shown(app, "#alarm-error").startswith("StateReason must be 1 to 1023 characters long")
    assert shown(app, "#alarm-plan") == ""
    seq = app.session.sim.trace.seq
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, AlarmStateDialog)
    assert app.session.sim.trace.seq == seq and app.session.log == []
    dialog.query_one("#alarm-reason", Input).value = "paging drill"
    await pilot.pause()
    assert shown(app, "#alarm-error") == ""
    await pilot.press("enter")
    await pilot.pause()
    assert not isinstance(app.screen, AlarmStateDialog)
    assert app.session.log == ["set-alarm-state jobsDlq.alarms.0 ALARM --reason 'paging drill'"]
    app.run_command("advance 1s")
    assert execute(app.session, "expect function.pager.invocations == 1").text
    app.jump_to("jobsDlq")
    await pilot.pause()
    assert box_line(app, "jobsDlq", 2) == "alarm ALARM"
    assert "reason: paging drill" in inspector(app)


async def a_hostile_reason_is_shown_as_text(pilot: Pilot[None], app: StptuiApp) -> None:
    app.jump_to("worker")
    await pilot.press("c")
    await pilot.pause()
    # Pasted: the field leaves out the escape character, the markup stays text.
    app.screen.query_one("#alarm-reason", Input).insert_text_at_cursor(HOSTILE)
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
    reason = HOSTILE.replace("\x1b", "")
    assert f"reason: {reason}" in inspector(app)
    await pilot.press("c")
    await pilot.pause()
    assert reason in shown(app, "#alarm-now")
    assert "[bold red]x[/]" in screen_text(app)
    assert app.is_running


def test_the_alarm_dialog_on_a_stack_where_nothing_ran_then_setting_states() -> None:
    """What setting a state would do, said before anything ran; then the dialog's refusal
    and the state it sets (the first check that runs a line), then a hostile reason set
    over whatever state worker's alarm is in."""
    checks = [
        the_alarm_dialog_says_what_setting_the_state_would_do,
        the_alarm_dialog_refuses_a_long_reason_before_enter_and_sets_the_state,
        a_hostile_reason_is_shown_as_text,
    ]
    on_one_app(alarms_app(), steps_at((120, 40), checks))


def test_a_long_reason_is_cut_in_the_dialog_and_leaves_its_fields_on_an_80x24_screen() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # The longest reason set-alarm-state takes, its words numbered to tell where it
        # was cut.
        reason = " ".join(f"w{i:03}" for i in range(205))[:1023]
        app.run_command(f"set-alarm-state worker.alarms.0 ALARM --reason '{reason}'")
        app.jump_to("worker")
        await pilot.pause()
        assert f"reason: {reason}" in inspector(app).replace("\n", "")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, AlarmStateDialog)
        now = shown(app, "#alarm-now")
        assert f"{reason[:100]}… (923 more characters)" in now
        assert reason[:101] not in now
        # The fields below it are still on the screen, not pushed off it.
        drawn = screen_text(app)
        for label in ("state", "reason (optional", "Set"):
            assert label in drawn
        assert app.screen.query_one("#alarm-reason", Input).region.bottom <= 24

    drive(alarms_app(), script, size=(80, 24))


def test_the_key_is_listed_in_the_footer_the_help_and_the_palette() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "c" in footer_keys(app)
        provider = StackProvider(app.screen)
        titles = [title for title, _, _ in provider._list_entries()]
        assert "open: alarm state dialog" in titles
        await pilot.press("question_mark")
        await pilot.pause()
        text = drawn_text(app.screen.query_one("#help-body"))
        assert "Alarm dialog" in text and "Set the alarm's state" in text
        assert "Set a CloudWatch alarm's state by hand (set-alarm-state)" in text

    drive(alarms_app(), script, size=(160, 60))


def test_the_dialog_runs_what_show_alarms_then_lists() -> None:
    # What the dialog ran is an ordinary command line: replayed on a fresh session, it
    # gives the same `show alarms`.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command("send jobs 'bad order'")
        app.run_command("advance 150s")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()

    app = alarms_app()
    drive(app, script, size=(120, 40))
    again = example_session("alarms")
    for line in app.session.log:
        execute(again, line)
    assert render_plain(execute(again, "show alarms")) == render_plain(
        execute(app.session, "show alarms")
    )
    # Opened with `jobs` selected (no alarm of its own): on the first alarm in ALARM.
    assert app.session.log[-1] == "set-alarm-state jobsDlq.alarms.0 OK"
