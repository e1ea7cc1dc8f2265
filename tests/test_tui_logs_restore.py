"""Pilot tests of CloudWatch Logs and S3 restore in the terminal UI: a workload's log group in
the Inspector (hostile lines shown as text), the log dialog (`l`) with each subscription
filter's verdict as the line is typed, the `cloudwatch-log` edge in the Graph pane, and the
restore dialog (`o`) refusing what `restore` would refuse before enter."""

from __future__ import annotations

import re
from pathlib import Path

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.widgets import Input, Select
from textual.widgets._footer import FooterKey
from tui_one_app import on_one_app, steps_at
from tui_support import (
    EXAMPLES,
    START,
    drive,
    example_session,
    inspector,
    records_of,
    screen_text,
    shown,
)

from stptui.commands import Session, execute
from stptui.commands.registry import format_line
from stptui.tui.app import StptuiApp
from stptui.tui.screens.log_dialog import LogLineDialog
from stptui.tui.screens.restore_dialog import RestoreDialog
from stptui.tui.widgets.footer import StableFooter
from stptui.tui.widgets.graph_pane import GraphPane

HOSTILE = "[bold red]x[/] [link=https://e.com]y[/link] [@click=app.quit]q[/] \x1b[31mred\x07"


def logs_app() -> StptuiApp:
    """docs/examples/log-alerts.yml: `alerter` subscribes to `payments` with
    `?ERROR ?"Status: timeout"`."""
    return StptuiApp(example_session("log-alerts"))


def archive_session() -> Session:
    """docs/examples/restore.yml a day after two uploads: `reports/2025.csv` in GLACIER,
    `notes.txt` left in STANDARD (no rule matches its prefix)."""
    s = Session.open(EXAMPLES / "restore.yml", start_ms=START)
    for line in (
        "upload archive reports/2025.csv --size 200KB",
        "upload archive notes.txt --size 2KB",
        "advance 1d",
    ):
        execute(s, line)
    return s


def footer_keys(app: StptuiApp) -> list[str]:
    """The keys the footer shows."""
    return [k.key for k in app.query_one(StableFooter).query(FooterKey) if k.display]


# -- the Inspector ------------------------------------------------------------------------
# The log-alerts stack opens twice at 120x36, each time for a check that needs `payments`
# never invoked first, then the checks that do not depend on what ran before them.


async def the_cloudwatch_log_edge_is_drawn_and_labelled_with_its_filter(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    d = app.query_one(GraphPane).diagram
    rows = d.text().splitlines()
    # A trigger's heavy line from payments' box that forks into both subscribers' boxes.
    assert "│ λ payments       ┝━┫" in rows[d.boxes["payments"].y + 1]
    assert "┏━►│ λ alerter" in rows[d.boxes["alerter"].y + 1]
    assert "┗━►│ λ errorCounter" in rows[d.boxes["errorCounter"].y + 1]
    app.jump_to("alerter")
    await pilot.pause()
    assert 'payments cloudwatch-log(filter ?ERROR ?"Status: timeout")' in inspector(app)


async def a_subscriber_s_inspector_shows_what_it_subscribes_to(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("alerter")
    await pilot.pause()
    page = inspector(app)
    assert '← payments /aws/lambda/log-alerts-dev-payments filter ?ERROR ?"Status: timeout"' in page
    # Its own group has no subscriber.
    assert "no subscription filter: its lines go to no one" in page


async def the_log_dialog_opens_on_the_selected_function_s_own_group(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("alerter")
    await pilot.press("l")
    await pilot.pause()
    assert app.screen.query_one("#log-owner", Select).value == "alerter"
    assert "/aws/lambda/log-alerts-dev-alerter: 0 log streams" in shown(app, "#log-group")
    assert "no subscription filter on this group" in shown(app, "#log-verdicts")
    # Another group: its own filters.
    app.screen.query_one("#log-owner", Select).value = "payments"
    await pilot.pause()
    assert "2 subscription filters: type a line" in shown(app, "#log-verdicts")


async def an_empty_log_line_is_refused_in_the_dialog_and_changes_nothing(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    seq, log = app.session.sim.trace.seq, list(app.session.log)
    await pilot.press("l", "ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, LogLineDialog)
    assert "a log event needs a message of at least one character" in shown(app, "#log-error")
    assert app.session.sim.trace.seq == seq and app.session.log == log


async def a_function_s_inspector_shows_its_log_group_subscriptions_and_newest_lines(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The first check that invokes payments (its first execution environment's lines).
    app.run_command('invoke payments \'{"card": "declined"}\'')
    app.jump_to("payments")
    await pilot.pause()
    page = inspector(app)
    assert "/aws/lambda/log-alerts-dev-payments, 1 log stream" in page
    assert '→ alerter filter ?ERROR ?"Status: timeout"' in page
    lines = page[page.index("Recent log lines") :].splitlines()[1:]
    # Time, the stream's last 8 hex digits, the message: the new execution environment's
    # INIT_START line, then the invocation's (the runtime's error line among them).
    assert lines[0].startswith("08:00:00.000 ") and "INIT_START Runtime Version:" in lines[0]
    assert lines[1].startswith("08:00:00.000 ") and "START RequestId:" in lines[1]
    assert any("[ERROR] CardDeclined: card 4242 was declined" in line for line in lines)
    assert lines[0].split()[1] == app.session.sim.services["logs"].groups["payments"].stream(0)[-8:]
    # A line written now is on the page at once (the command's records touch payments).
    app.run_command("log payments 'ERROR ledger write failed'")
    await pilot.pause()
    assert "ERROR ledger write failed" in inspector(app).splitlines()[-2]


async def the_inspector_says_how_many_earlier_log_lines_it_leaves_out(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Three environments started at once wrote 15 lines: the page listed the newest 10 as
    # if they were all, the first environments' INIT_START lines silently cut off. The
    # first check that invokes payments (three environments started, none warm).
    app.run_command("repeat 3 invoke payments '{}' --async")
    app.run_command("run")
    app.jump_to("payments")
    await pilot.pause()
    page = inspector(app)
    lines = page[page.index("Recent log lines") :].splitlines()[1:]
    assert lines[0] == "5 earlier lines: show logs payments lists the last 50, whole"
    assert sum(line.startswith("08:00:") for line in lines) == 10
    assert "REPORT RequestId" in lines[10]
    # The section ends with the newest line, the pointer said once.
    assert page.count("show logs payments") == 1
    # 15 lines in all: as many as `show logs` lists.
    assert len(execute(app.session, "show logs payments").data["events"]) == 15


async def the_earlier_lines_count_every_line_a_timeout_and_a_failure_wrote(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # A timeout writes no error line of its own (REPORT says it), a failure does.
    for payload in ('{"bank": "slow"}', '{"card": "declined"}', "{}"):
        app.run_command(f"invoke payments '{payload}'")
    app.run_command("run")
    app.run_command("log payments 'ERROR ledger write failed'")
    app.jump_to("payments")
    await pilot.pause()
    every = execute(app.session, "show logs payments").data["events"]
    assert f"{len(every) - 10} earlier lines: show logs payments" in inspector(app)


async def a_hostile_log_line_is_shown_as_text_in_the_inspector(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.run_command(format_line("log", ["payments", HOSTILE], []))
    app.jump_to("payments")
    await pilot.press("4", "end")
    await pilot.pause()
    # The markup is literal, the escape and the bell are shown as escapes, and the
    # click action was not made a link: the app is still running.
    page = inspector(app)
    assert "[bold red]x[/] [link=https://e.com]y[/link] [@click=app.quit]q[/]" in page
    assert "\\x1b[31mred\\x07" in page and "\x1b" not in page
    assert "\\x1b[31mred" in screen_text(app)
    assert app.is_running


async def the_inspector_shows_a_log_line_s_tabs_as_gaps(pilot: Pilot[None], app: StptuiApp) -> None:
    # REPORT's fields are tab-separated: the page showed `\t` between each; a tab is now a
    # gap to the next tab stop, while a carriage return is still an escape.
    app.run_command("invoke payments '{}'")
    app.run_command("run")
    app.run_command("log payments $'a\\tb\\rc'")
    app.jump_to("payments")
    await pilot.press("4", "end")
    await pilot.pause()
    page = inspector(app)
    assert "\\t" not in page
    report = next(line for line in page.splitlines() if "REPORT RequestId" in line)
    assert re.search(r"\S {1,8}Duration: 120\.00 ms {1,8}Billed Duration: ", report)
    assert "a       b\\x0dc" in page


# -- the log dialog ----------------------------------------------------------------------


async def the_log_dialog_shows_each_filter_s_verdict_as_the_line_is_typed(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    app.jump_to("payments")
    await pilot.press("l")
    await pilot.pause()
    assert isinstance(app.screen, LogLineDialog)
    assert "type a line to see which match it" in shown(app, "#log-verdicts")
    await pilot.press(*"all good")
    assert shown(app, "#log-verdicts").startswith(
        '→ alerter ?ERROR ?"Status: timeout": not matched'
    )
    await pilot.press("home", *"ERROR ")
    assert ': matched (term ?"ERROR" appears)' in shown(app, "#log-verdicts")
    before = len(records_of(app.session, "log.delivered"))
    await pilot.press("enter")
    await pilot.pause()
    # The line the user could have typed, run through the command layer.
    assert app.session.log[-1] == "log payments 'ERROR all good'"
    assert not isinstance(app.screen, LogLineDialog)
    delivered = records_of(app.session, "log.delivered")
    assert len(delivered) == before + 1 and delivered[-1].data["subscriber"] == "alerter"


async def a_hostile_line_typed_into_the_log_dialog_reaches_the_group_as_text(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("l")
    await pilot.pause()
    # Pasted: the field leaves out the control characters, the markup stays text.
    app.screen.query_one("#log-message", Input).insert_text_at_cursor(HOSTILE)
    await pilot.pause()
    await pilot.press("ctrl+s")
    await pilot.pause()
    written = records_of(app.session, "log.written")[-1].data["message"]
    assert written == HOSTILE.replace("\x1b", "").replace("\x07", "")
    assert app.is_running


def test_the_log_stack_before_payments_runs_then_its_first_invocation() -> None:
    """What shows before anything ran (the graph's edge first, as the app opens), then the
    newest lines of payments' first invocation."""
    checks = [
        the_cloudwatch_log_edge_is_drawn_and_labelled_with_its_filter,
        a_subscriber_s_inspector_shows_what_it_subscribes_to,
        the_log_dialog_opens_on_the_selected_function_s_own_group,
        an_empty_log_line_is_refused_in_the_dialog_and_changes_nothing,
        a_function_s_inspector_shows_its_log_group_subscriptions_and_newest_lines,
    ]
    on_one_app(logs_app(), steps_at((120, 36), checks))


def test_the_log_stack_s_lines_in_the_inspector_and_the_log_dialog() -> None:
    """Three environments' lines on a stack where nothing ran, then the checks that write
    more lines and look only at what they wrote."""
    checks = [
        the_inspector_says_how_many_earlier_log_lines_it_leaves_out,
        the_earlier_lines_count_every_line_a_timeout_and_a_failure_wrote,
        a_hostile_log_line_is_shown_as_text_in_the_inspector,
        the_inspector_shows_a_log_line_s_tabs_as_gaps,
        the_log_dialog_shows_each_filter_s_verdict_as_the_line_is_typed,
        a_hostile_line_typed_into_the_log_dialog_reaches_the_group_as_text,
    ]
    on_one_app(logs_app(), steps_at((120, 36), checks))


def test_a_stack_without_log_groups_has_no_log_key(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  jobs: {type: sqs-queue}\n", encoding="utf-8"
    )

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "l" not in footer_keys(app)
        await pilot.press("l")
        await pilot.pause()
        assert not isinstance(app.screen, LogLineDialog)

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


# -- the restore dialog -------------------------------------------------------------------


def test_the_restore_key_is_shown_only_for_a_stack_whose_rules_archive() -> None:
    async def with_rules(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "o" in footer_keys(app)
        app.jump_to("archive")
        await pilot.pause()
        assert "o restores an archived object" in inspector(app)

    async def without(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "o" not in footer_keys(app)
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDialog)

    drive(StptuiApp(archive_session()), with_rules)
    drive(StptuiApp(Session.open(EXAMPLES / "lifecycle.yml", start_ms=START)), without)


async def the_restore_dialog_refuses_an_object_that_is_not_archived_before_enter(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(app.screen, RestoreDialog)
    # It opens on the archived object, and says what the restore would do.
    assert app.screen.query_one("#restore-key", Input).value == "reports/2025.csv"
    assert "reports/2025.csv GLACIER not restored" in shown(app, "#restore-objects")
    assert shown(app, "#restore-plan") == (
        "202 Accepted: a Standard retrieval from GLACIER takes 5 h; readable from "
        "2026-01-06T13:00:00.000Z until 2026-01-08T00:00:00.000Z"
    )
    app.screen.query_one("#restore-key", Input).value = "notes.txt"
    await pilot.pause()
    assert shown(app, "#restore-error").startswith(
        "InvalidObjectState: Restore is not allowed for the object's current storage class"
    )
    seq = app.session.sim.trace.seq
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, RestoreDialog)
    assert app.session.sim.trace.seq == seq
    # 0, and a digit of another script, which `restore --days` refuses as well.
    for days in ("0", "２"):
        app.screen.query_one("#restore-days", Input).value = days
        await pilot.pause()
        error = shown(app, "#restore-error")
        assert "--days must be a whole number of days, at least 1" in error


async def the_restore_dialog_refuses_a_restore_in_progress_but_takes_an_upgrade(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The first check that restores.
    await pilot.press("o", "ctrl+s")
    await pilot.pause()
    assert app.session.log[-1] == "restore archive reports/2025.csv"
    await pilot.press("o")
    await pilot.pause()
    assert "restoring (Standard) until 2026-01-06T13:00:00.000Z" in shown(app, "#restore-objects")
    assert shown(app, "#restore-error").startswith(
        "RestoreAlreadyInProgress: Object restore is already in progress"
    )
    # A faster tier with the same days is S3's restore speed upgrade: accepted.
    app.screen.query_one("#restore-tier", Select).value = "Expedited"
    await pilot.pause()
    assert shown(app, "#restore-error") == ""
    assert shown(app, "#restore-plan") == (
        "202 Accepted: upgrades the running Standard retrieval to Expedited; it "
        "completes at 2026-01-06T08:05:00.000Z"
    )
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.session.log[-1] == "restore archive reports/2025.csv --tier Expedited"
    assert records_of(app.session, "restore.upgraded")[-1].data["tier"] == "Expedited"


def test_the_restore_dialog_refuses_what_restore_would_refuse_before_enter() -> None:
    """An object not archived and bad days refused with nothing restored, then a restore
    in progress refused and its upgrade taken."""
    checks = [
        the_restore_dialog_refuses_an_object_that_is_not_archived_before_enter,
        the_restore_dialog_refuses_a_restore_in_progress_but_takes_an_upgrade,
    ]
    on_one_app(StptuiApp(archive_session()), steps_at((120, 40), checks))


def test_a_restored_copy_is_offered_its_days_again() -> None:
    s = archive_session()
    execute(s, "restore archive reports/2025.csv --tier Expedited")
    execute(s, "advance 10m")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#restore-days", Input).value = "3"
        await pilot.pause()
        assert shown(app, "#restore-plan") == (
            "200 OK: restored until 2026-01-08T00:00:00.000Z; the copy then stays until "
            "2026-01-10T00:00:00.000Z (3 days from now)"
        )

    drive(StptuiApp(s), script, size=(120, 40))


# -- the group's newest lines -------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["error", "line", "invoke"]), st.sampled_from([0, 0, 30, 250])),
        max_size=25,
    ),
    st.integers(1, 30),
)
def test_a_group_s_newest_lines_are_the_newest_of_all_its_lines(
    steps: list[tuple[str, int]], limit: int
) -> None:
    # `recent` stops reading back once the entries left cannot hold one of the newest: the
    # same lines, in the same order, as sorting every line of the group. Each ERROR line
    # starts an invocation of alerter (100 ms): they overlap, and lines written into its
    # group land between their START and END.
    s = example_session("log-alerts")
    for what, wait in steps:
        line = {
            "error": "log payments 'ERROR failed'",
            "line": "log alerter 'a line'",
            "invoke": "invoke payments '{}'",
        }[what]
        execute(s, line)
        if wait:
            execute(s, f"advance {wait}ms")
    for group in s.sim.services["logs"].groups.values():
        every = [ev for entry in group.entries for ev in group._events(entry)]
        every.sort(key=lambda ev: ev.timestamp)
        assert group.recent(limit) == every[-limit:]
