"""Pilot tests: every binding and action of the main screen, and the job-queue story.

A launch is most of a short test's CPU: the checks that need no fresh app of their own run
one after another on one app of their stack and size (`checks_on_one_launch`), each named
in a failure; the checks of the opening state come first on it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

import networkx as nx
import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual import events
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea
from textual.widgets._footer import FooterKey
from tui_support import (
    SAMPLE_NAMES,
    START,
    app_for,
    as_checks,
    checks_on_one_launch,
    closed_to_main,
    drawn_text,
    drive,
    no_filter,
    rebuilt,
    resized_to,
    screen_text,
    session,
    typed,
    wait_for_hit,
    wait_until,
)

from stptui.commands import execute
from stptui.commands.session import trace_sha256
from stptui.config.model import Stack
from stptui.graph import PollEdge
from stptui.tui import app as app_module
from stptui.tui.app import StptuiApp
from stptui.tui.palette import Entry, StackProvider
from stptui.tui.screens.command_line import CommandLineScreen, completions
from stptui.tui.screens.dialogs import SendDialog, TextDialog
from stptui.tui.screens.help import IDLE_NOTE, HelpScreen
from stptui.tui.screens.sns_dialog import SnsDialog
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.footer import StableFooter
from stptui.tui.widgets.graph_pane import GraphPane
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.queues_pane import QueuesPane


def static_text(app: StptuiApp, selector: str) -> str:
    """The plain text a widget (a Static, the clock bar) shows, its lines joined by spaces."""
    return " ".join(drawn_text(app.screen.query_one(selector, Widget)).split())


# -- job-queue at 120x36: one app, the checks in this order --------------------------------


async def opens_paused_on_the_first_resource(pilot: Pilot[None], app: StptuiApp) -> None:
    assert not app.live.running
    assert app.selected == "httpApi"
    assert "paused" in static_text(app, "#clock-bar")
    assert "2026-01-05 08:00:00.000 UTC" in static_text(app, "#clock-bar")


def count_footer_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the footer's builds of its keys (once its bindings are ready): the count is the
    sum of the list returned."""
    # The start asks for two rebuilds before either runs (the keys; the palette's key, which
    # a width under 160 leaves out): the second built the same widgets again.
    built: list[int] = []
    compose = StableFooter.compose

    def counted(self: StableFooter) -> ComposeResult:
        built.append(self._bindings_ready)
        return compose(self)

    monkeypatch.setattr(StableFooter, "compose", counted)
    return built


async def the_start_builds_the_footers_keys_once(
    built: list[int], pilot: Pilot[None], app: StptuiApp
) -> None:
    assert sum(built) == 1
    keys = [k for k in app.query_one(StableFooter).query(FooterKey) if k.display]
    assert "q" in {k.key for k in keys} and not app.query(".-command-palette")


async def number_keys_focus_panes(pilot: Pilot[None], app: StptuiApp) -> None:
    expected = {
        "1": "graph-pane",
        "2": "queue-table",
        "3": "event-list",
        "4": "inspector-pane",
        "5": "agenda-pane",
    }
    for key, widget_id in expected.items():
        await pilot.press(key)
        assert app.focused is not None and app.focused.id == widget_id
        # The repaints held while the panes take in the focus change are let go.
        assert app._batch_count == 0
        await pilot.press(key)
        assert app.focused.id == widget_id


async def moving_between_panes_does_not_rebuild_the_footer(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Textual's Footer rebuilds its keys on every focus change; the stable footer only when
    # the keys shown change (most of a number key's cost on a loaded app otherwise).
    footer = app.query_one(StableFooter)
    rebuilt = 0
    recompose = footer.recompose

    async def counted() -> None:
        nonlocal rebuilt
        rebuilt += 1
        await recompose()

    footer.recompose = counted  # type: ignore[method-assign]
    try:
        for key in ("2", "3", "5", "1"):
            await pilot.press(key)
            await pilot.pause()
    finally:
        del footer.recompose
    assert rebuilt == 0


async def moving_between_panes_repaints_the_panes_not_the_whole_screen(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Textual's Screen repaints all of itself when the focus moves; the panes' screen
    # repaints the pane the focus leaves and the one it enters (their borders change).
    compositor = type(app.screen._compositor)
    whole, dirty = 0, set()
    full, update = compositor.render_full_update, compositor.update_widgets

    def counted(self: object, *args: object, **kwargs: object) -> object:
        nonlocal whole
        whole += 1
        return full(self, *args, **kwargs)  # type: ignore[arg-type]

    def noted(self: object, widgets: set[Widget]) -> None:
        dirty.update(w.id for w in widgets)
        update(self, widgets)  # type: ignore[arg-type]

    await pilot.press("1")
    await pilot.pause()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compositor, "render_full_update", counted)
        mp.setattr(compositor, "update_widgets", noted)
        for key, left, entered in (
            ("2", "graph-pane", "queues-pane"),
            ("3", "queues-pane", "events-pane"),
            ("5", "events-pane", "agenda-pane"),
            ("4", "agenda-pane", "inspector-pane"),
        ):
            dirty.clear()
            await pilot.press(key)
            await pilot.pause()
            assert {left, entered} <= dirty, key
            assert app.screen.id not in dirty, key
    assert whole == 0


async def help_lists_every_binding(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    body = drawn_text(app.screen.query_one("#help-body"))
    for b in app.BINDINGS:
        assert b.description in body  # type: ignore[union-attr]
    await pilot.press("escape")
    assert not isinstance(app.screen, HelpScreen)


async def help_says_which_keys_the_stack_has_nothing_for(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The footer leaves out `u` on a stack without buckets, and the key does nothing: the
    # help listed it as a key that uploads.
    await pilot.press("question_mark")
    assert isinstance(app.screen, HelpScreen)
    body = " ".join(drawn_text(app.screen.query_one("#help-body")).split())
    assert f"u Upload Upload an object to a bucket{IDLE_NOTE}" in body
    assert f"Send a message to a queue{IDLE_NOTE}" not in body
    await pilot.press("escape")
    await pilot.press("u")
    assert app.screen is app.screen_stack[0]


async def a_click_on_a_footer_key_presses_it(pilot: Pilot[None], app: StptuiApp) -> None:
    key = next(k for k in app.screen.query(FooterKey) if k.key == "s")
    await pilot.click(key, offset=(1, 0))
    # The footer hands the key to the app as a message; the dialog comes a frame later.
    await wait_until(pilot, lambda: isinstance(app.screen, SendDialog), "the send dialog")
    await closed_to_main(pilot, app, "the send dialog")


async def palette_jumps_to_a_resource(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("ctrl+p")
    await typed(pilot, app.screen.query_one(Input), "go to: deadL")
    await wait_for_hit(pilot, app, "deadLetterQueue")
    await pilot.press("enter")
    await pilot.pause()
    assert app.selected == "deadLetterQueue"
    assert app.focused is not None and app.focused.id == "graph-pane"


async def palette_lists_the_stack_once_per_opening(pilot: Pilot[None], app: StptuiApp) -> None:
    # Each key typed in the palette runs a search; listing 2,000 resources again for each
    # was a third of what a key cost on a large stack.
    listed: list[int] = []
    original = StackProvider._list_entries

    def counting(provider: StackProvider) -> list[Entry]:
        entries = original(provider)
        listed.append(len(entries))
        return entries

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(StackProvider, "_list_entries", counting)
        await pilot.press("ctrl+p")
        await typed(pilot, app.screen.query_one(Input), "go to: work")
        await wait_for_hit(pilot, app, "worker")
        await pilot.press("enter")
        await pilot.pause()
    assert app.selected == "worker"
    assert len(listed) == 1 and listed[0] > len(app.graph)


async def selecting_a_queue_selects_it_everywhere(pilot: Pilot[None], app: StptuiApp) -> None:
    app.jump_to("deadLetterQueue")
    await pilot.pause()
    assert app.selected == "deadLetterQueue"
    assert app.query_one(QueuesPane).queue_name == "deadLetterQueue"
    assert "deadLetterQueue" in app.query_one(InspectorPane).text.plain
    await pilot.press("2", "up")
    assert app.selected == "jobQueue"
    assert "visibilityTimeoutSeconds: 300" in app.query_one(InspectorPane).text.plain


async def command_line_runs_commands_and_shows_errors(pilot: Pilot[None], app: StptuiApp) -> None:
    # Before any check that moves the clock: it starts at the session's start.
    await pilot.press("colon")
    assert isinstance(app.screen, CommandLineScreen)
    field = app.screen.query_one(Input)
    await typed(pilot, field, "advnce 5m")
    await pilot.press("enter")
    assert "did you mean advance?" in static_text(app, "#command-result")
    assert app.session.sim.clock.now == app.session.start_ms
    field.value = ""
    await typed(pilot, field, "adv")
    await pilot.press("tab")
    assert field.value == "advance "
    await typed(pilot, field, "5m")
    await pilot.press("enter")
    assert "now 2026-01-05T08:05:00.000Z" in drawn_text(app.screen.query_one("#command-result"))
    await pilot.press("escape")
    assert not isinstance(app.screen, CommandLineScreen)


async def redrive_key_on_a_queue_that_is_not_a_dlq_is_refused_politely(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    logged = list(app.session.log)
    app.jump_to("jobQueue")
    await pilot.press("r")
    assert app.session.log == logged
    assert app.is_running
    app.jump_to("deadLetterQueue")
    await pilot.press("r")
    assert app.session.log == [*logged, "redrive deadLetterQueue"]


async def send_dialog_validates_and_sends(pilot: Pilot[None], app: StptuiApp) -> None:
    # Before any check that sends to the job queue: it is empty.
    logged = list(app.session.log)
    app.jump_to("jobQueue")
    await pilot.press("s")
    assert isinstance(app.screen, SendDialog)
    assert app.screen.query_one(Select).value == "jobQueue"
    area = app.screen.query_one(TextArea)
    area.text = '{"amount": '
    await pilot.pause()
    assert "not valid JSON" in static_text(app, "#send-error")
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, SendDialog)  # refused, still open
    area.text = '{"amount": 7}'
    app.screen.query_one("#send-delay", Input).value = "99h"
    await pilot.press("ctrl+s")
    assert isinstance(app.screen, SendDialog)
    assert "delay" in static_text(app, "#send-error").lower()
    app.screen.query_one("#send-delay", Input).value = ""
    await pilot.press("ctrl+s")
    assert not isinstance(app.screen, SendDialog)
    assert app.session.sim.queue_stats("jobQueue")["visible"] == 1
    assert app.session.log == [*logged, "send jobQueue '{\"amount\": 7}'"]


async def n_steps_one_event(pilot: Pilot[None], app: StptuiApp) -> None:
    app.run_command("send jobQueue '{\"amount\": 1}'")
    before = app.session.sim.clock.events_run
    await pilot.press("n")
    assert app.session.sim.clock.events_run == before + 1
    assert app.session.log[-1] == "step"


async def the_pane_keys_left_out_of_the_footer_still_work_from_any_pane(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    execute(app.session, "send jobQueue '{\"n\": 1}'")
    app.flush()
    await pilot.press("1", "slash")
    await pilot.pause()
    assert app.focused is not None and app.focused.id == "event-filter"
    await pilot.press("escape", "2", "e")
    await pilot.pause()
    assert isinstance(app.screen, TextDialog)
    await closed_to_main(pilot, app, "the explanation")


async def paste(pilot: Pilot[None], text: str) -> None:
    """Paste `text` into the focused field, as a terminal delivers a paste (typed, each
    character is a key press with Pilot's waits after it)."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def e_on_a_repeats_record_explains_the_repeat(pilot: Pilot[None], app: StptuiApp) -> None:
    # The session's first repeat; the filter is cleared after.
    app.run_command("repeat 3 send jobQueue 'job {i}'")
    await pilot.press("slash")
    await paste(pilot, "kind:repeat.")
    await pilot.press("enter", "home", "e")
    assert isinstance(app.screen, TextDialog)
    body = app.screen.body.plain
    # Its records carry no id: the repeat itself is what `e` explains.
    assert "explain repeat-1\n" in body
    assert "completed: 3 accepted, 0 refused" in body
    assert "is a resource" not in body
    await no_filter(pilot, app)


async def e_shows_the_selected_record_and_slash_filters(pilot: Pilot[None], app: StptuiApp) -> None:
    app.run_command("send jobQueue '{\"amount\": 1}'")
    app.run_command("advance 5s")
    await pilot.press("slash")
    await paste(pilot, "kind:invocation.")
    await pilot.press("enter")
    lst = app.query_one(RecordList)
    assert lst.view and all(r.kind.startswith("invocation.") for r in lst.view)
    await pilot.press("home", "e")
    assert isinstance(app.screen, TextDialog)
    assert '"kind": "invocation.started"' in drawn_text(app.screen.query_one("#text-body"))
    await pilot.press("escape")
    await pilot.press("slash")
    await paste(pilot, "resource:nothing")
    await pilot.press("enter")
    assert lst.view == []
    await pilot.press("e")
    assert not isinstance(app.screen, TextDialog)
    # Case does not matter; escape drops what was typed and shows the filter in force.
    await pilot.press("slash")
    await pilot.press("ctrl+u")
    await paste(pilot, "kind:Message. resource:JOBQUEUE")
    await pilot.press("enter")
    assert lst.view and all(r.kind.startswith("message.") for r in lst.view)
    await pilot.press("slash")
    await typed(pilot, app.query_one("#event-filter", Input), " worker")
    await pilot.press("escape")
    await pilot.press("slash")
    assert app.query_one("#event-filter", Input).value == "kind:Message. resource:JOBQUEUE"
    await pilot.press("escape")
    await no_filter(pilot, app)


async def palette_opens_the_command_line_for_a_command(pilot: Pilot[None], app: StptuiApp) -> None:
    logged = list(app.session.log)
    await pilot.press("ctrl+p")
    await typed(pilot, app.screen.query_one(Input), "run: purge")
    await wait_for_hit(pilot, app, "purge")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, CommandLineScreen)
    assert app.screen.query_one(Input).value == "purge "
    # What is typed goes on after the name (it replaced it).
    await typed(pilot, app.screen.query_one(Input), "jobQueue")
    await pilot.press("enter")
    assert app.session.log == [*logged, "purge jobQueue"]
    await closed_to_main(pilot, app, "the command line")


async def space_runs_and_pauses_the_clock_and_speed_keys(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Nothing before it changes the speed (1x at the start).
    await pilot.press("plus", "plus")
    assert "speed 60x" in static_text(app, "#clock-bar")
    await pilot.press("minus")
    assert "speed 10x" in static_text(app, "#clock-bar")
    await pilot.press("space")
    assert app.live.running and "running" in static_text(app, "#clock-bar")
    start = app.session.sim.clock.now
    await wait_until(pilot, lambda: app.session.sim.clock.now > start, "a live frame")
    await pilot.press("space")
    assert not app.live.running
    assert app.session.sim.clock.now > app.session.start_ms
    assert app.session.log and app.session.log[-1].startswith("until ")


async def q_quits(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("q")
    assert not app.is_running or app.return_code == 0


def test_job_queue_at_120x36(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks of the main screen's keys on one app of job-queue. The opening's come
    first; the command line's before the clock moves and the send dialog's before a message
    is sent (each says what it needs); the checks that filter the Events pane clear the
    filter after them; `q` is last."""
    built = count_footer_builds(monkeypatch)
    checks = [
        opens_paused_on_the_first_resource,
        partial(the_start_builds_the_footers_keys_once, built),
        number_keys_focus_panes,
        moving_between_panes_does_not_rebuild_the_footer,
        moving_between_panes_repaints_the_panes_not_the_whole_screen,
        help_lists_every_binding,
        help_says_which_keys_the_stack_has_nothing_for,
        a_click_on_a_footer_key_presses_it,
        palette_jumps_to_a_resource,
        palette_lists_the_stack_once_per_opening,
        selecting_a_queue_selects_it_everywhere,
        command_line_runs_commands_and_shows_errors,
        redrive_key_on_a_queue_that_is_not_a_dlq_is_refused_politely,
        send_dialog_validates_and_sends,
        n_steps_one_event,
        the_pane_keys_left_out_of_the_footer_still_work_from_any_pane,
        e_on_a_repeats_record_explains_the_repeat,
        e_shows_the_selected_record_and_slash_filters,
        palette_opens_the_command_line_for_a_command,
        space_runs_and_pauses_the_clock_and_speed_keys,
        q_quits,
    ]
    checks_on_one_launch(app_for(), as_checks(checks))


# -- job-queue at 80x24: one app, the checks in this order ---------------------------------


async def job_queue_footer_keys(pilot: Pilot[None], app: StptuiApp) -> None:
    # job-queue has functions (v) and no SNS topic (no P).
    keys = [k for k, _ in footer_shown(app)]
    assert keys == ["q", "question_mark", "colon", "space", "n", "f", "s", "v", "h", "l"]


async def narrow_terminal_shows_one_pane_at_a_time(pilot: Pilot[None], app: StptuiApp) -> None:
    assert app.screen.has_class("-narrow")
    # The clock's state comes first on the clock bar; the stack's name is what a
    # narrow terminal cuts.
    bar = app.query_one("#clock-bar")
    shown = "".join(s.text for s in bar.render_line(0))
    assert shown.startswith("2026-01-05 08:00:00.000 UTC") and "events 0" in shown
    await pilot.press("3")
    assert app.focused is not None and app.focused.id == "event-list"
    assert app.query_one("#events-pane").display
    assert not app.query_one("#graph-pane").display
    await pilot.resize_terminal(140, 40)
    await pilot.pause()
    assert not app.screen.has_class("-narrow")
    assert app.query_one("#graph-pane").display
    await resized_to(pilot, app, (80, 24))


async def a_click_on_a_name_in_the_strip_of_a_narrow_terminal_shows_that_pane(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # ` [1] Graph  [2] Queues  [3] Events  [4] Inspector  [5] Agenda `: column 26 is in
    # `[3] Events`, column 41 in `[4] Inspector`.
    await pilot.click("#pane-tabs", offset=(26, 0))
    assert app.query_one("#events-pane").display
    assert not app.query_one("#graph-pane").display
    assert app.focused is not None and app.focused.id == "event-list"
    await pilot.click("#pane-tabs", offset=(41, 0))
    assert app.query_one("#inspector-pane").display
    # Past the last name: nothing changes.
    await pilot.click("#pane-tabs", offset=(70, 0))
    assert app.query_one("#inspector-pane").display


async def the_help_lists_the_keys_the_stack_has_nothing_for_after_the_others(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    """Listed in place, a dozen keys that do nothing here stood between `s Send` and the
    panes' keys: at 80x24 a new user paged twice past them to find the filter."""
    await pilot.press("question_mark")
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen)
    body = drawn_text(help_screen.query_one("#help-body"))
    lines = [line.rstrip() for line in body.split("\n")]
    main = lines[1 : lines.index("")]
    # A key's row starts two cells in; a tooltip's wrapped lines start further in.
    keys = [line.split()[0] for line in main if line[:2] == "  " and line[2:3] != " "]
    idle = {b.key_display or b.key for b in help_screen.idle}
    assert {"k", "i", "u"} <= idle and "s" in keys and "/" in keys
    flags = [key in idle for key in keys]
    # Every key the stack has no use for comes after every key it has.
    assert flags == sorted(flags), keys
    await closed_to_main(pilot, app, "the help")


async def the_filter_line_says_how_it_applies_and_closes(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await pilot.press("3", "slash")
    # The footer's keys are letters the line takes as typing: it shows none of them.
    assert not [k for k in app.query_one(StableFooter).query(FooterKey) if k.display]
    shown = screen_text(app)
    assert "enter filters, escape closes" in shown
    await pilot.press("escape")
    assert "enter filters" not in screen_text(app)


async def command_line_tables_fit_the_pane(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("colon")
    await typed(pilot, app.screen.query_one(Input), "show functions")
    await pilot.press("enter")
    await pilot.pause()
    output = app.screen.query_one("#command-result")
    lines = drawn_text(output).splitlines()
    # Too narrow for the behaviour column beside five counts: one block per function,
    # its counts on one line with their names whole, every line inside the pane.
    assert all(len(line.rstrip()) <= output.size.width for line in lines)
    at = lines.index("worker")
    assert lines[at + 1].split()[:4] == ["running", "0", "invocations", "0"]
    assert any(line.lstrip().startswith("behaviour 2 s;") for line in lines[at:])
    await closed_to_main(pilot, app, "the command line")


async def a_terminal_made_narrow_shows_the_pane_clicked_or_tabbed_into(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    await resized_to(pilot, app, (140, 40))
    await pilot.click("#queues-pane", offset=(3, 3))
    await pilot.resize_terminal(100, 30)
    await pilot.pause()
    # The pane with the focus is the one shown (it was the graph's, keys going to a
    # queue list out of sight), and its name is the one lit in the strip.
    assert app.query_one("#queues-pane").display
    assert not app.query_one("#graph-pane").display
    strip = app.query_one("#pane-tabs", Widget).render_line(0)
    lit = "".join(seg.text for seg in strip if seg.style is not None and seg.style.reverse)
    assert lit.strip() == "[2] Queues"
    await pilot.press("down")
    assert app.selected == "deadLetterQueue"
    await pilot.resize_terminal(140, 40)
    await pilot.press("tab", "tab")
    assert app.focused is not None and app.focused.id == "event-list"
    await pilot.resize_terminal(100, 30)
    await pilot.pause()
    assert app.query_one("#events-pane").display
    assert not app.query_one("#queues-pane").display
    await resized_to(pilot, app, (80, 24))


def test_job_queue_at_80x24() -> None:
    """The checks of a narrow terminal on one app of job-queue: the opening's first (the
    footer's keys, the clock bar); each check that resizes the terminal makes it 80x24 again,
    and the focus goes back to the graph (the pane shown) after each."""
    checks = [
        job_queue_footer_keys,
        narrow_terminal_shows_one_pane_at_a_time,
        a_click_on_a_name_in_the_strip_of_a_narrow_terminal_shows_that_pane,
        the_help_lists_the_keys_the_stack_has_nothing_for_after_the_others,
        the_filter_line_says_how_it_applies_and_closes,
        command_line_tables_fit_the_pane,
        a_terminal_made_narrow_shows_the_pane_clicked_or_tabbed_into,
    ]
    checks_on_one_launch(app_for(), as_checks(checks), (80, 24))


def test_a_stacks_footer_has_the_keys_it_has_a_use_for_at_100_columns() -> None:
    # As it opens at 100x30 (at 80x24: `test_job_queue_at_80x24`).
    drive(app_for(), job_queue_footer_keys, size=(100, 30))


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_at_120_columns_the_footer_shows_every_key_of_each_sample_stack(name: str) -> None:
    # Every key whole, the palette's left out below 160 columns; the keys that act on one
    # pane (e, / and r) are on that pane's border, r only where there is a dead-letter queue.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        footer = app.query_one(StableFooter)
        keys = list(footer.query(FooterKey))
        assert footer.compact and not footer.show_command_palette
        assert keys and all(k.display for k in keys)
        assert max(k.region.right for k in keys) <= footer.region.right
        assert [k.key for k in keys][:6] == ["q", "question_mark", "colon", "space", "n", "f"]
        bottoms = [line for line in screen_text(app).splitlines() if line.startswith("╰")]
        assert any("e explain  / filter ─╯" in line for line in bottoms)
        has_dlq = any(q.sources for q in app.session.sim.queues.values())
        assert any("r redrive" in line for line in bottoms) == has_dlq
        await pilot.resize_terminal(180, 40)
        await pilot.pause()
        assert not footer.compact and footer.show_command_palette

    drive(app_for(name), script, size=(120, 36))


CLOCK_AND_CO = ["Quit", "Help", "Command", "Play/Pause", "Step", "Fast-forward"]


def footer_shown(app: StptuiApp) -> list[tuple[str, str]]:
    """The footer's keys on show: each key and its words ("" when shown without them)."""
    keys = app.query_one(StableFooter).query(FooterKey)
    return [(k.key, k.description) for k in keys if k.display]


def in_footer(app: StptuiApp) -> None:
    """Every key shown ends inside the footer, left of the palette's key when it shows."""
    footer = app.query_one(StableFooter)
    keys = [k for k in footer.query(FooterKey) if k.display]
    palette = [k for k in keys if k.has_class("-command-palette")]
    right = palette[0].region.x if palette else footer.region.right
    assert max(k.region.right for k in keys if k not in palette) <= right


# -- combined at 80x24: one app ------------------------------------------------------------


async def a_narrow_footer_shows_the_dialogs_keys_without_their_words_from_the_last_back(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # At 80 and 100 columns the combined stack's `v` (invoke) and `P` (SNS) were never on
    # screen, and at 80 five more of its dialog keys were left out.
    footer = app.query_one(StableFooter)
    dialogs = ["s", "v", "i", "p", "P", "u", "h", "x", "l"]
    shown = footer_shown(app)
    # Every key, none cut; the clock's and the help's keep their words, the dialogs'
    # have none (hovering says what each does, and `?` lists them).
    assert [d for _, d in shown[:6]] == CLOCK_AND_CO
    assert [k for k, _ in shown[6:]] == dialogs
    assert all(d == "" for _, d in shown[6:])
    assert len(shown) == len(list(footer.query(FooterKey)))
    in_footer(app)
    await pilot.resize_terminal(100, 30)
    await pilot.pause()
    # Words from the first dialog's key on, as many as leave room for the others.
    shown = footer_shown(app)
    assert [k for k, _ in shown[6:]] == dialogs
    assert [d for _, d in shown[6:9]] == ["Send", "Invoke", "Item"]
    assert all(d == "" for _, d in shown[9:])
    in_footer(app)
    await pilot.resize_terminal(60, 20)
    await pilot.pause()
    # Narrower than the keys without words: whole keys left out from the end.
    shown = footer_shown(app)
    assert [d for _, d in shown] == CLOCK_AND_CO[: len(shown)]
    assert len(shown) >= 3
    in_footer(app)
    await pilot.resize_terminal(120, 40)
    await pilot.pause()
    shown = footer_shown(app)
    assert [d for _, d in shown[6:11]] == ["Send", "Invoke", "Item", "Publish", "SNS"]
    assert len(shown) == 6 + len(dialogs)
    in_footer(app)
    # Wide, the keys are padded and the palette's key shows: every key with its words.
    await pilot.resize_terminal(200, 40)
    await pilot.pause()
    await pilot.pause()
    assert all(d for _, d in footer_shown(app)) and len(footer_shown(app)) == 16
    in_footer(app)
    await resized_to(pilot, app, (80, 24))


async def a_click_on_a_footer_key_without_its_words_presses_it(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    key = next(k for k in app.query_one(StableFooter).query(FooterKey) if k.key == "P")
    assert key.description == "" and key.tooltip
    await pilot.click(key)
    await wait_until(pilot, lambda: isinstance(app.screen, SnsDialog), "SNS dialog")
    await closed_to_main(pilot, app, "the SNS dialog")


def test_combined_at_80x24() -> None:
    """The footer of a narrow terminal on one app of the combined stack: as it opens, then
    resized (and made 80x24 again), then a click on a key without its words."""
    checks = [
        a_narrow_footer_shows_the_dialogs_keys_without_their_words_from_the_last_back,
        a_click_on_a_footer_key_without_its_words_presses_it,
    ]
    checks_on_one_launch(app_for("combined"), as_checks(checks), (80, 24))


# -- what needs an app of its own ----------------------------------------------------------


def test_bindings_have_ids_and_tooltips() -> None:
    for b in StptuiApp.BINDINGS:
        assert b.id and b.tooltip, b  # type: ignore[union-attr]


def test_completions_come_from_the_registry() -> None:
    s = app_for().session
    assert "send" in completions(s, "se")
    assert completions(s, "send job") == ["send jobQueue"]
    assert completions(s, "redrive dead") == ["redrive deadLetterQueue"]
    assert completions(s, "nosuch x") == []


def test_job_queue_story_end_to_end() -> None:
    """Ten orders, three declined: receives, returns and DLQ moves show; redrive fixes it."""

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for i in range(10):
            amount = 5000 if i in (2, 5, 8) else 10 * i
            app.run_command(f'send jobQueue \'{{"orderId": {i}, "amount": {amount}}}\'')
        await pilot.press("plus", "plus", "plus", "plus")  # 3600x
        await pilot.press("space")
        dlq = app.session.sim.queues["deadLetterQueue"]
        await wait_until(pilot, lambda: dlq.depth >= 3, "the dead-letter queue's third message")
        await pilot.press("space")
        sim = app.session.sim
        assert sim.queues["deadLetterQueue"].depth == 3
        kinds = {r.kind for r in app.query_one(RecordList).records}
        assert {"message.received", "message.returned", "message.dead_lettered"} <= kinds
        app.jump_to("deadLetterQueue")
        await pilot.pause()
        assert "3 messages" in static_text(app, "#message-caption") or "3 message" in (
            static_text(app, "#message-caption")
        )
        graph = app.query_one(GraphPane).diagram
        box = graph.boxes["deadLetterQueue"]
        assert "DLQ 3 messages" in graph.text().splitlines()[box.y + 2]
        app.run_command("succeed worker")
        await pilot.press("r")
        assert sim.queues["deadLetterQueue"].depth == 0
        app.run_command("run")
        assert sim.queues["jobQueue"].depth == 0
        assert app.session.log[-2:] == ["redrive deadLetterQueue", "run"]

    drive(app_for(), script)


def test_a_recording_made_while_the_clock_plays_replays(tmp_path: Path) -> None:
    script = tmp_path / "run.stp"

    async def run(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(f"record {script}")
        await pilot.press("plus", "plus", "space")
        await pilot.pause(0.2)
        app.run_command("send jobQueue '{\"amount\": 5000}'")
        await pilot.pause(0.2)
        await pilot.press("space")
        app.run_command("record stop")
        lines = [ln for ln in script.read_text().splitlines() if not ln.startswith("#")]
        assert "send jobQueue '{\"amount\": 5000}'" in lines
        fresh = session()
        for line in lines:
            execute(fresh, line)
        assert fresh.sim.clock.now == app.session.sim.clock.now
        assert trace_sha256(fresh.sim.trace) == trace_sha256(app.session.sim.trace)

    drive(app_for(), run)


def test_quitting_while_the_clock_plays_records_its_last_line(tmp_path: Path) -> None:
    script = tmp_path / "run.stp"
    app = app_for()

    async def run(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(f"record {script}")
        await pilot.press("space")
        # A frame at least: the clock has a run to record.
        await wait_until(pilot, lambda: app.session.sim.clock.now > START, "a live frame")
        await pilot.press("q")

    drive(app, run)
    assert app.session.log[-1].startswith("until ")
    assert script.read_text().splitlines()[-1] == app.session.log[-1]


def test_the_graph_is_built_once_on_opening_and_again_for_a_loaded_stack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Opening built the graph twice: a fifth of a second for a stack of 2,000 resources.
    built: list[str] = []
    original = app_module.build_graph

    def counting(stack: Stack, polls: Iterable[PollEdge] = ()) -> nx.MultiDiGraph:
        built.append(stack.stack_name)
        return original(stack, polls)

    monkeypatch.setattr(app_module, "build_graph", counting)
    saved = tmp_path / "s.json"
    other = session("combined")
    execute(other, "send jobQueue '{\"orderId\": 1}'")
    execute(other, f"save {saved}")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert built == ["job-queue-demo-dev"]
        app.run_command(f"load {saved}")
        await rebuilt(pilot, app)
        assert built == ["job-queue-demo-dev", "background-jobs-demo-dev"]
        assert "alertsTopic" in app.graph

    drive(app_for(), script)
