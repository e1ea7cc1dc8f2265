"""The terminal UI on the hostile stack (tests/fixtures/hostile/): what it writes to the
terminal holds no control character from the stack, its behaviours or what was sent
(OSC 8/52/0 sequences, C1 CSI and OSC, overwrites, Trojan Source bidirectional controls),
and markup and emoji codes stay text, on every pane, the Inspector of each resource, the
dialogs, the command line, its completions and notifications (design rule 6).

What reaches the terminal is read from the screen's compositor, as the text of the segments
a terminal is sent (Rich's cursor moves and colours are segments of their own)."""

from __future__ import annotations

import json

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from hypothesis import given
from hypothesis import strategies as st
from test_textsafe_surfaces import BODY, HOSTILE, KEY, STIMULI, TEXT, q
from textual.content import Content
from textual.fuzzy import Matcher
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from tui_support import START, drive, screen_text
from tui_support import shown as static_text

from stptui.commands import Session, execute
from stptui.commands.registry import quote_word, tokenize
from stptui.textsafe import ESCAPED
from stptui.tui.app import StptuiApp
from stptui.tui.palette import highlighted
from stptui.tui.render import markup_literal
from stptui.tui.screens.command_line import CommandLineScreen
from stptui.tui.screens.execution_dialog import StartExecutionDialog
from stptui.tui.screens.restore_dialog import RestoreDialog

# A key the fields can hold, archived as KEY is.
PLAIN_KEY = "plain/report.csv"


def assert_safe(app: StptuiApp, where: str) -> str:
    """The screen as a terminal gets it, less Rich's cursor moves and colours (segments of
    their own): nothing in it a terminal acts on."""
    drawn = screen_text(app)
    assert ESCAPED.findall(drawn) == [], where
    assert "\U0001f604" not in drawn, where  # `:smile:` read as an emoji code
    return drawn


def hostile_app(*more: str) -> StptuiApp:
    """The app on the hostile stack after the stimuli (and an archived key a field can
    hold), and the lines `more`."""
    session = Session.open(HOSTILE, start_ms=START)
    # The plain key comes last: offered first, a hostile key would be the one completed.
    for line in [*STIMULI, f"upload archive {PLAIN_KEY} --size 200000", *more]:
        execute(session, line)
    return StptuiApp(session)


def test_every_pane_inspector_and_dialog_draws_the_hostile_run_as_text() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.pause()
        seen = assert_safe(app, "main screen")
        for name in app.session.stack.resources:
            app.jump_to(name)
            await pilot.pause()
            seen += assert_safe(app, f"inspector of {name}")
        for pane in "1234567":
            await pilot.press(pane)
            for _ in range(6):
                await pilot.press("down")
                await pilot.pause()
                seen += assert_safe(app, f"pane {pane}")
            await pilot.press("e")  # the selected record's explanation
            await pilot.pause()
            seen += assert_safe(app, f"explain from pane {pane}")
            await pilot.press("escape")
        for key in "spuhxlotb":
            await pilot.press(key)
            await pilot.pause()
            seen += assert_safe(app, f"dialog {key}")
            await pilot.press("escape")
        app.jump_to("dead")
        await pilot.press("r")  # redrive: a notification
        await pilot.pause()
        seen += assert_safe(app, "redrive notification")
        assert app.is_running
        # The attacks were on screen, escaped, and the markup was not read.
        for shown in ("\\u202eRTL\\u202c", "\\x9b2J", "\\x1b]0;T\\x07"):
            assert shown in seen, shown
        for literal in ("[@click=app.quit]Q[/]", ":smile:"):
            assert literal in seen, literal

    drive(hostile_app(), script, size=(200, 50), notifications=True)


def test_command_line_output_and_completions_never_put_a_control_in_the_field() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("colon")
        assert isinstance(app.screen, CommandLineScreen)
        field = app.screen.query_one("#command-input", Input)
        for line in ("show bucket archive", "show logs worker", f"explain {q(KEY)}"):
            field.value = line
            await pilot.press("enter")
            await pilot.pause()
            assert_safe(app, line)
        # The archive's keys: KEY holds an ESC and bidirectional controls, which the field
        # would drop (naming another key); it is offered in $'...', printable, and the
        # line names KEY itself.
        field.value = "delete archive "
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause()
        assert ESCAPED.search(field.value) is None
        assert tokenize(field.value) == ["delete", "archive", KEY]
        assert_safe(app, "completed line")
        # A value the app sets with such characters (a line from elsewhere) is cleaned.
        field.value = f"show queue {q(BODY)}"
        assert ESCAPED.search(field.value) is None and "[@click=app.quit]Q[/]" in field.value

    drive(hostile_app(), script, size=(200, 50))


def test_the_restore_dialog_offers_and_restores_a_key_with_control_characters() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to("archive")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, RestoreDialog)
        # KEY (archived first) is listed and offered in $'...', as completion offers it:
        # printable, and read back by the field as KEY itself.
        assert_safe(app, "restore dialog")
        field = app.screen.query_one("#restore-key", Input)
        assert field.value == quote_word(KEY) and field.value.startswith("$'a\\u202erch/\\e]8")
        listed = static_text(app, "#restore-objects")
        assert listed.startswith(f"{field.value} GLACIER not restored")
        assert f"{PLAIN_KEY} GLACIER not restored" in listed
        assert app.screen.command_line() == f"restore archive {quote_word(KEY)}"
        # What S3 would answer is KEY's, and ctrl+s restores KEY.
        assert static_text(app, "#restore-plan").startswith("202 Accepted: a Standard retrieval")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RestoreDialog)
        assert app.session.sim.services["buckets"].buckets["archive"].objects[KEY].restore
        assert app.session.log[-1] == f"restore archive {quote_word(KEY)}"
        # An escape that names no character is refused in the dialog, as on a command line.
        await pilot.press("o")
        await pilot.pause()
        app.screen.query_one("#restore-key", Input).value = "$'a\\qb'"
        await pilot.pause()
        assert static_text(app, "#restore-error").startswith("key: \\q is no escape in $'...'")

    drive(hostile_app("advance 2d"), script, size=(200, 50))


def test_the_execution_dialog_starts_with_the_last_input_escaped_as_json() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, StartExecutionDialog)
        text = app.screen.query_one("#exec-input", TextArea).text
        # The same value, its controls written as JSON escapes: editable and sent back whole.
        assert json.loads(text) == {"note": TEXT}
        assert "\\u202e" in text and ESCAPED.search(text) is None
        assert_safe(app, "execution dialog")
        await pilot.press("ctrl+s")
        await pilot.pause()
        executions = app.session.sim.services["state_machines"]["flow"].executions
        assert [e.input for e in executions.values()] == [{"note": TEXT}] * 2

    drive(hostile_app(), script, size=(200, 50))


def test_a_palette_hit_is_the_name_as_written_with_the_matched_letters_lit() -> None:
    title = "go to: x\\[@click=app.quit] :smile: \\"
    content = highlighted(Matcher("click"), title)
    assert content.plain == title
    lit = "".join(title[s.start] for s in content.spans)
    assert lit == "click"


@given(st.text(alphabet=st.sampled_from(list("ab[]\\/@=:$&. ")), max_size=40))
def test_markup_literal_shows_any_text_as_written(text: str) -> None:
    assert Content.from_markup(markup_literal(text)).plain == text
