"""Pilot tests: a paste of several lines into the command line (`:`) is a few commands that
enter runs in order, as a shell runs a bracketed paste, instead of the first line kept and
the rest dropped (Textual's Input does that with a paste). A paste into a one-line dialog
field keeps every line."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual import events
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input
from tui_one_app import on_one_app, steps_at
from tui_support import app_for, drawn_text, drive

from stptui.tui.app import StptuiApp


def field(app: StptuiApp) -> Input:
    """The command line's input."""
    return app.screen.query_one("#command-input", Input)


def output(app: StptuiApp) -> str:
    """What the command line's output shows."""
    return drawn_text(app.screen.query_one("#command-result"))


def bodies(app: StptuiApp, queue: str = "jobQueue") -> list[str]:
    """The bodies of the messages in `queue`, oldest first."""
    return [m.body for m in app.session.sim.queues[queue].messages.values()]


async def paste(pilot: Pilot[None], app: StptuiApp, text: str) -> None:
    """Paste `text` as a terminal does (the app hands it to the focused widget)."""
    app.post_message(events.Paste(text))
    await pilot.pause()
    await pilot.pause()


async def each_pasted_line_runs_in_order(pilot: Pilot[None], app: StptuiApp) -> None:
    before = len(bodies(app))
    await pilot.press("colon")
    # Line breaks as some terminals paste them (\r\n), and a last line without one.
    await paste(pilot, app, "send jobQueue first\r\nsend jobQueue second\r\nsend jobQueue 3rd")
    # Nothing runs until enter: they wait, listed.
    assert bodies(app)[before:] == []
    assert "3 pasted commands wait" in output(app)
    assert "  send jobQueue second" in output(app)
    await pilot.press("enter")
    assert bodies(app)[before:] == ["first", "second", "3rd"]
    shown = output(app)
    assert shown.index("> send jobQueue first") < shown.index("> send jobQueue second")
    assert "ran 3 pasted commands" in shown
    assert field(app).value == ""
    # Each is in the history, as if typed.
    await pilot.press("up")
    assert field(app).value == "send jobQueue 3rd"
    await pilot.press("up")
    assert field(app).value == "send jobQueue second"
    # The session log has them as three commands.
    assert app.session.log[-3:] == [
        "send jobQueue first",
        "send jobQueue second",
        "send jobQueue 3rd",
    ]


async def a_refused_pasted_line_stops_the_rest_and_says_which_did_not_run(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    before = len(bodies(app))
    await pilot.press("colon")
    await paste(pilot, app, "send jobQueue one\nsend nosuchQueue two\nsend jobQueue three\n")
    await pilot.press("enter")
    # The first ran; the refused one changed nothing and the one after it did not run.
    assert bodies(app)[before:] == ["one"]
    shown = output(app)
    assert "nosuchQueue" in shown
    assert "1 pasted command waits" in shown
    assert "  send jobQueue three" in shown
    # The refused line is in the field, to be fixed and run; the rest wait for it.
    assert field(app).value == "send nosuchQueue two"
    field(app).value = "send jobQueue two"
    await pilot.press("enter")
    assert bodies(app)[before:] == ["one", "two"]
    assert "1 pasted command waits" in output(app)
    await pilot.press("enter")
    assert bodies(app)[before:] == ["one", "two", "three"]
    assert "ran 1 pasted command" in output(app)


async def a_mistake_in_any_pasted_line_runs_none(pilot: Pilot[None], app: StptuiApp) -> None:
    before = len(bodies(app))
    await pilot.press("colon")
    await paste(pilot, app, "send jobQueue one\nsned jobQueue two\n")
    shown = output(app)
    assert "pasted command 2 of 2" in shown and "sned" in shown
    assert "none of them was run" in shown
    await pilot.press("enter")
    assert bodies(app)[before:] == []


async def escape_drops_the_pasted_commands(pilot: Pilot[None], app: StptuiApp) -> None:
    before = len(bodies(app))
    await pilot.press("colon")
    await paste(pilot, app, "send jobQueue one\nsend jobQueue two\n")
    await pilot.press("escape", "colon", "enter")
    assert bodies(app)[before:] == []


async def a_paste_goes_where_the_cursor_is_and_a_quote_spans_lines(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    before = len(bodies(app))
    await pilot.press("colon", *"send jobQueue ")
    # A JSON body over several lines, in quotes: one command, its line breaks data.
    await paste(pilot, app, "'{\n  \"id\": 7\n}'\nsend jobQueue next\n")
    await pilot.press("enter")
    assert bodies(app)[before:] == ['{\n  "id": 7\n}', "next"]
    assert "ran 2 pasted commands" in output(app)


async def a_paste_of_one_line_is_typed_into_the_field_not_run(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    before = len(bodies(app))
    await pilot.press("colon", *"send ")
    await paste(pilot, app, "jobQueue hello")
    assert field(app).value == "send jobQueue hello"
    field(app).value = ""
    # A whole line copied with its line break too: in the field, to check and run.
    await paste(pilot, app, "send jobQueue hi\n")
    assert field(app).value == "send jobQueue hi"
    assert bodies(app)[before:] == []


async def the_outcome_of_a_long_paste_is_in_sight(pilot: Pilot[None], app: StptuiApp) -> None:
    await pilot.press("colon")
    await paste(pilot, app, "send jobQueue a\nshow queues\nsend nosuch b\nadvance 1m\n")
    await pilot.press("enter")
    await pilot.pause()
    output = app.screen.query_one("#command-output", VerticalScroll)
    # The output is longer than its box: it is scrolled to its end, where the refusal
    # and the command that waits are.
    assert 0 < output.max_scroll_y == output.scroll_y
    assert output.region.bottom <= app.screen.region.bottom


def test_pasted_lines_wait_for_enter_run_in_order_and_stop_at_a_refusal() -> None:
    """On one app of the job queue, each check reading the messages it sent (those of the
    checks before it stay): at 120x40, then a one-line paste at 120x36 and last a long
    paste's outcome at 60x20 (it leaves a command waiting)."""
    checks = [
        each_pasted_line_runs_in_order,
        a_refused_pasted_line_stops_the_rest_and_says_which_did_not_run,
        a_mistake_in_any_pasted_line_runs_none,
        escape_drops_the_pasted_commands,
        a_paste_goes_where_the_cursor_is_and_a_quote_spans_lines,
    ]
    steps = steps_at((120, 40), checks)
    steps += steps_at((120, 36), [a_paste_of_one_line_is_typed_into_the_field_not_run])
    steps += steps_at((60, 20), [the_outcome_of_a_long_paste_is_in_sight])
    on_one_app(app_for(), steps)


def test_a_paste_of_several_lines_into_a_one_line_field_keeps_every_line() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("p", *"orders", "tab", *"OrderCreated")
        resources = app.screen.query_one("#publish-resources", Input)
        app.screen.set_focus(resources)
        await pilot.pause()
        # ARNs copied one per line: all of them, where the field separates them by spaces.
        await paste(pilot, app, "arn:aws:s3:::a\r\narn:aws:s3:::b\n")
        assert resources.value == "arn:aws:s3:::a arn:aws:s3:::b"
        await pilot.press("ctrl+s")
        assert app.session.log[-1].endswith("--resources arn:aws:s3:::a,arn:aws:s3:::b")

    drive(app_for("event-driven"), script)
