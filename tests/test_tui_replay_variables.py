"""Pilot tests of EventBridge replays and Step Functions variables in the terminal UI: the
replay dialog (`y`, only for a stack with an archived bus) answering as `replay` would, or
refusing as it would, before enter; and the state machine Inspector's workflow variables of
the latest execution (live while it runs, the last values once it has ended), cut and shown
as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Select
from textual.widgets._footer import FooterKey
from tui_one_app import on_one_app, steps_at
from tui_support import EXAMPLES, START, drive, inspector, records_of, shown, wait_for_hit

from stptui.commands import CommandError, Session, execute
from stptui.commands.handlers.schedules_buses_topics import check_replay, replay_lines
from stptui.commands.result import render_plain
from stptui.sim.clock import iso_s
from stptui.textsafe import flat, json_text
from stptui.tui.app import StptuiApp
from stptui.tui.render import preview
from stptui.tui.screens.replay_dialog import ReplayDialog, RuleBox
from stptui.tui.widgets.footer import StableFooter
from stptui.tui.widgets.inspector_machines import VALUE_WIDTH, value_json

HOSTILE = "[bold red]x[/] [link=https://e.com]y[/link] [@click=app.quit]q[/] \x1b[31mred\x07"
BILLING_RULE = "shop-dev-billing-event-bus-1"
AUDIT_RULE = "shop-dev-audit-event-bus-1"


def replay_session() -> Session:
    """docs/examples/replay.yml after two orders, 20 minutes apart, 5 minutes after the
    second: the first is archived, the second still on its way to the archive."""
    s = Session.open(EXAMPLES / "replay.yml", start_ms=START)
    for line in (
        "publish orderEvents orders OrderPlaced '{\"orderId\": 1}'",
        "advance 20m",
        "publish orderEvents orders OrderPlaced '{\"orderId\": 2}'",
        "advance 5m",
    ):
        execute(s, line)
    return s


def footer_keys(app: StptuiApp) -> list[str]:
    """The keys the footer shows."""
    return [k.key for k in app.query_one(StableFooter).query(FooterKey) if k.display]


def rule_box(app: StptuiApp, rule: str) -> RuleBox:
    """The dialog's checkbox of `rule`."""
    return next(box for box in app.screen.query(RuleBox) if box.rule_name == rule)


# -- the key ------------------------------------------------------------------------------


async def the_replay_key_is_shown_for_a_stack_with_an_archived_bus(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # At 120 columns every key of the stack fits, `y` with them.
    assert "y" in footer_keys(app)
    assert all(k.display for k in app.query_one(StableFooter).query(FooterKey))
    app.jump_to("orderEvents")
    await pilot.pause()
    assert "y replays archived events to the bus's rules" in inspector(app)


def test_the_replay_key_is_not_shown_for_a_stack_without_an_archived_bus() -> None:
    async def without(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "y" not in footer_keys(app)
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, ReplayDialog)

    # The combined sample stack has a bus of its own, without `archivation`.
    combined = Session.open(
        Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks" / "combined",
        start_ms=START,
    )
    drive(StptuiApp(combined), without)


async def the_palette_opens_the_replay_dialog(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("ctrl+p")
    # Pasted, as a terminal delivers a paste (a key press each takes Pilot's waits).
    app.post_message(events.Paste("open: replay"))
    # The search runs in the background: enter takes the hit once it is highlighted.
    await wait_for_hit(pilot, app, "open: replay")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ReplayDialog)


# -- the dialog ---------------------------------------------------------------------------


async def the_replay_dialog_opens_on_the_archive_and_says_what_the_replay_would_do(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The first check: the archive and the clock as replay_session left them.
    await pilot.press("y")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ReplayDialog)
    assert dialog.query_one("#replay-bus", Select).value == "orderEvents"
    # From the archive's first event to now, to every rule.
    assert dialog.query_one("#replay-from", Input).value == "2026-01-05T08:00:00Z"
    assert dialog.query_one("#replay-to", Input).value == "now"
    assert all(box.value for box in dialog.query(RuleBox))
    assert shown(app, "#replay-archive") == (
        "archive shop-dev-orderEvents-archive: 1 event, 2026-01-05T08:00:00Z to "
        "2026-01-05T08:00:00Z; 1 more on their way (an event reaches the archive 10 "
        "minutes after the bus received it)"
    )
    # What `replay` would answer, word for word: one event in the window, one more
    # that has not reached the archive.
    plan = shown(app, "#replay-plan")
    assert plan == " ".join(
        render_plain(
            execute(
                replay_session(),
                "replay orderEvents --from 2026-01-05T08:00:00Z --to now",
            )
        ).split()
    )
    assert "1 event from 2026-01-05T08:00:00Z to 2026-01-05T08:25:00Z" in plan
    assert "1 more event of the window will not be replayed" in plan
    assert dialog.query_one("#replay-name", Input).placeholder == (
        "orderEvents-replay-1 (the default)"
    )
    assert shown(app, "#replay-error") == ""


async def the_replay_dialog_refuses_what_replay_refuses_before_enter(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    execute(app.session, "replay orderEvents --from -1h --to now --name fix-1")
    seq, log = app.session.sim.trace.seq, list(app.session.log)
    await pilot.press("y")
    await pilot.pause()
    dialog = app.screen
    assert "replays so far: fix-1" in shown(app, "#replay-archive")
    name = dialog.query_one("#replay-name", Input)
    name.value = "fix-1"
    await pilot.pause()
    assert shown(app, "#replay-error").startswith(
        "ResourceAlreadyExistsException: Replay fix-1 already exists."
    )
    assert shown(app, "#replay-plan") == ""
    # Enter runs nothing while the command would refuse it, and the dialog stays.
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ReplayDialog)
    name.value = "fix-2"
    dialog.query_one("#replay-to", Input).value = "2026-01-05T08:00:00Z"
    await pilot.pause()
    assert shown(app, "#replay-error").startswith(
        "ValidationException: Parameter EventEndTime is not valid. Reason: "
        "EventStartTime must be before EventEndTime."
    )
    dialog.query_one("#replay-to", Input).value = "yesterday"
    await pilot.pause()
    assert shown(app, "#replay-error").startswith("--to: 'yesterday' is not an instant")
    dialog.query_one("#replay-to", Input).value = "now"
    rule_box(app, BILLING_RULE).value = False
    rule_box(app, AUDIT_RULE).value = False
    await pilot.pause()
    assert shown(app, "#replay-error").startswith(
        "no rule is checked: a replay goes to at least one rule of the bus"
    )
    # Hostile text typed as the name: refused with it shown as text.
    rule_box(app, BILLING_RULE).value = True
    name.value = "[bold]x[/]"
    await pilot.pause()
    assert "Value '[bold]x[/]' at 'replayName'" in shown(app, "#replay-error")
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.session.sim.trace.seq == seq and app.session.log == log
    assert app.is_running


async def enter_runs_replay_to_the_rules_checked(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("y")
    await pilot.pause()
    # Audit's pattern keeps replays out anyway; billing alone is what a fix replays to.
    rule_box(app, AUDIT_RULE).value = False
    app.screen.query_one("#replay-name", Input).value = "billing-fix"
    await pilot.pause()
    assert "to shop-dev-billing-event-bus-1 (1)" in shown(app, "#replay-plan")
    await pilot.press("enter")
    await pilot.pause()
    assert not isinstance(app.screen, ReplayDialog)
    assert app.session.log[-1] == (
        "replay orderEvents --from 2026-01-05T08:00:00Z --to now --name billing-fix "
        f"--rules {BILLING_RULE}"
    )
    app.run_command("run")
    # (Those of a replay of a check before are not this one's.)
    published = records_of(app.session, "event.published")
    replayed = [r for r in published if r.data.get("replay") == "billing-fix"]
    assert len(replayed) == 1
    [started] = [
        r for r in records_of(app.session, "replay.started") if r.data["replay"] == "billing-fix"
    ]
    assert started.data["rules"] == [BILLING_RULE]


def test_the_replay_dialog_answers_refuses_and_runs_as_replay_does() -> None:
    """On one app of the replay example: the dialog as it opens (first), a refusal after a
    replay `fix-1`, a replay run to the billing rule; then at 120x36 the key and the
    palette's entry."""
    checks = [
        the_replay_dialog_opens_on_the_archive_and_says_what_the_replay_would_do,
        the_replay_dialog_refuses_what_replay_refuses_before_enter,
        enter_runs_replay_to_the_rules_checked,
    ]
    steps = steps_at((120, 40), checks)
    steps += steps_at(
        (120, 36),
        [
            the_replay_key_is_shown_for_a_stack_with_an_archived_bus,
            the_palette_opens_the_replay_dialog,
        ],
    )
    on_one_app(StptuiApp(replay_session()), steps)


@settings(max_examples=40, deadline=None)
@given(
    start=st.integers(-5, 40).map(lambda m: START + m * 60_000),
    length=st.integers(-2, 40).map(lambda m: m * 60_000),
    rules=st.sampled_from([None, BILLING_RULE, f"{BILLING_RULE},{AUDIT_RULE}", "nope"]),
    name=st.sampled_from([None, "w-1", "bad name", "x" * 65]),
)
def test_the_check_the_dialog_makes_changes_nothing_and_answers_as_replay_does(
    start: int, length: int, rules: str | None, name: str | None
) -> None:
    s = replay_session()
    opts = {"from": iso_s(start), "to": iso_s(start + length)}
    if rules is not None:
        opts["rules"] = rules
    if name is not None:
        opts["name"] = name
    seq = s.sim.trace.seq
    try:
        plan = check_replay(s.sim, "orderEvents", opts)
    except CommandError as exc:
        refusal: str | None = exc.format()
    else:
        refusal = None
    assert s.sim.trace.seq == seq and not s.sim.services["buses"].replays.replays
    line = f"replay orderEvents --from {opts['from']} --to {opts['to']}"
    line += "".join(f" --{k} '{opts[k]}'" for k in ("rules", "name") if k in opts)
    try:
        answer = render_plain(execute(s, line))
    except CommandError as exc:
        assert refusal == exc.format()
    else:
        assert refusal is None
        assert answer == "\n".join(replay_lines(plan, s.sim.clock.now))


# -- Step Functions variables -------------------------------------------------------------


def variables_stack(folder: Path) -> Session:
    """A state machine `flow` that waits 10 seconds, remembers its input's `orderId` and
    `note` in variables, waits a minute, then assigns `count`; and `plain`, whose
    definition assigns nothing."""
    flow = {
        "StartAt": "Arrive",
        "States": {
            "Arrive": {"Type": "Wait", "Seconds": 10, "Next": "Remember"},
            "Remember": {
                "Type": "Pass",
                "Assign": {"orderId.$": "$.orderId", "note.$": "$.note"},
                "Next": "Hold",
            },
            "Hold": {"Type": "Wait", "Seconds": 60, "Assign": {"count": 2}, "Next": "Done"},
            "Done": {"Type": "Pass", "End": True},
        },
    }
    plain = {"StartAt": "Only", "States": {"Only": {"Type": "Pass", "End": True}}}
    stack = {
        "resources": {
            "flow": {"type": "state-machine", "properties": {"definition": flow}},
            "plain": {"type": "state-machine", "properties": {"definition": plain}},
        }
    }
    (folder / "stacktape.yml").write_text(json.dumps(stack), encoding="utf-8")
    return Session.open(folder, start_ms=START)


def start_line(note: str, name: str = "first") -> str:
    """`start-execution flow` with input {"orderId": "o-1", "note": note}, named `name`."""
    payload = json.dumps({"orderId": "o-1", "note": note})
    return f"start-execution flow '{payload}' --name {name}"


def variables_page(page: str) -> list[str]:
    """The Inspector's lines of its Variables section (heading included)."""
    lines = page[page.index("Variables of") : page.index("History of")].splitlines()
    return [line for line in lines if line]


async def the_inspector_shows_the_latest_execution_s_live_and_last_variables(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The first check: `first` the flow's only execution.
    app.run_command(start_line("rush"))
    app.run_command("advance 11s")
    app.jump_to("flow")
    await pilot.pause()
    # Running, in its Wait: what Remember assigned, not yet what Hold assigns.
    assert variables_page(inspector(app)) == [
        "Variables of first (now)",
        '$orderId = "o-1"',
        '$note = "rush"',
    ]
    app.run_command("advance 2m")
    await pilot.pause()
    assert variables_page(inspector(app)) == [
        "Variables of first (when it ended)",
        '$orderId = "o-1"',
        '$note = "rush"',
        "$count = 2",
    ]
    # A new execution is the latest: its own variables, none until Remember has run.
    app.run_command('start-execution flow \'{"orderId": "o-2", "note": "x"}\' --name second')
    await pilot.pause()
    assert variables_page(inspector(app)) == [
        "Variables of second (now)",
        "none assigned yet",
    ]
    app.run_command("advance 10s")
    await pilot.pause()
    assert variables_page(inspector(app))[1:] == ['$orderId = "o-2"', '$note = "x"']
    # A definition that assigns nothing has no such section.
    app.run_command("start-execution plain '{}'")
    app.jump_to("plain")
    await pilot.pause()
    assert "Variables of" not in inspector(app)


async def a_long_or_hostile_variable_is_cut_and_shown_as_text(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # The latest execution of the flow (named apart from those of the check before).
    app.run_command(start_line(HOSTILE + "z" * 5000, name="hostile"))
    app.run_command("advance 11s")
    app.jump_to("flow")
    await pilot.press("4")
    await pilot.pause()
    note = next(line for line in variables_page(inspector(app)) if "$note" in line)
    # JSON's own escapes for the escape and the bell; the markup is literal text.
    assert note.startswith(
        '$note = "[bold red]x[/] [link=https://e.com]y[/link] [@click=app.quit]q[/] '
        "\\u001b[31mred\\u0007zzz"
    )
    assert note.endswith("z…") and len(note) == len("$note = ") + VALUE_WIDTH
    assert "\x1b" not in inspector(app) and app.is_running


def test_the_inspector_shows_the_latest_executions_variables_cut_and_as_text(
    tmp_path: Path,
) -> None:
    """On one app of the variables stack: an execution's variables live, then once it
    ended, then a later one's; then a long and hostile one's."""
    checks = [
        the_inspector_shows_the_latest_execution_s_live_and_last_variables,
        a_long_or_hostile_variable_is_cut_and_shown_as_text,
    ]
    on_one_app(StptuiApp(variables_stack(tmp_path)), steps_at((120, 36), checks))


JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=40,
)


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES, width=st.integers(2, 200))
def test_a_value_encoded_as_far_as_shown_reads_as_its_whole_json_cut(
    value: Any, width: int
) -> None:
    # The whole JSON as stptui shows JSON: its control characters as JSON escapes, its
    # backslashes JSON's own (made flat, not written twice as a raw value's are).
    whole = json_text(value, separators=(",", ":"))
    assert value_json(value, width) == preview(whole, width, flat)


def nested_stack(folder: Path) -> Session:
    """A state machine `flow`: Remember assigns `$orderId`, then Fan runs a Parallel
    branch that assigns `$tag` and waits a minute, and one whose Map assigns each item to
    its iteration's `$line` and waits a minute too."""
    hold = {"Type": "Wait", "Seconds": 60, "End": True}
    branch = {
        "StartAt": "Tag",
        "States": {"Tag": {"Type": "Pass", "Assign": {"tag": "b0"}, "Next": "Hold"}, "Hold": hold},
    }
    processor = {
        "StartAt": "Pick",
        "States": {
            "Pick": {"Type": "Pass", "Assign": {"line.$": "$"}, "Next": "Hold"},
            "Hold": hold,
        },
    }
    each = {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor, "End": True}
    flow = {
        "StartAt": "Remember",
        "States": {
            "Remember": {"Type": "Pass", "Assign": {"orderId.$": "$.orderId"}, "Next": "Fan"},
            "Fan": {
                "Type": "Parallel",
                "Branches": [branch, {"StartAt": "Each", "States": {"Each": each}}],
                "End": True,
            },
        },
    }
    stack = {"resources": {"flow": {"type": "state-machine", "properties": {"definition": flow}}}}
    (folder / "stacktape.yml").write_text(json.dumps(stack), encoding="utf-8")
    return Session.open(folder, start_ms=START)


def test_the_inspector_shows_running_branches_and_iterations_variables_as_text(
    tmp_path: Path,
) -> None:
    s = nested_stack(tmp_path)
    payload = json.dumps({"orderId": "o-1", "items": [HOSTILE, "b", "c", "d", "e"]})
    execute(s, f"start-execution flow '{payload}' --name first")
    execute(s, "advance 1s")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("flow")
        await pilot.pause()
        # The top-level scope, then each running branch's or iteration's own, outer ones
        # first, four at most; the Map's branch assigns nothing itself and is left out.
        assert variables_page(inspector(app)) == [
            "Variables of first (now)",
            '$orderId = "o-1"',
            "in Fan/0 (Parallel branch)",
            '  $tag = "b0"',
            "in Fan/1/Each/0 (Map iteration)",
            '  $line = "[bold red]x[/] [link=https://e.com]y[/link] [@click=app.quit]q[/] '
            '\\u001b[31mred\\u0007"',
            "in Fan/1/Each/1 (Map iteration)",
            '  $line = "b"',
            "in Fan/1/Each/2 (Map iteration)",
            '  $line = "c"',
            "… and more branches or iterations with their own",
        ]
        # Once the execution has ended, its branches and iterations have too.
        app.run_command("advance 2m")
        await pilot.pause()
        assert variables_page(inspector(app)) == [
            "Variables of first (when it ended)",
            '$orderId = "o-1"',
        ]
        assert "\x1b" not in inspector(app) and app.is_running

    drive(StptuiApp(s), script)
