"""Hostile text in every untrusted field, through every view of the terminal UI and the REPL
(design rule 6, docs/fidelity.md "Untrusted text on screen").

The stack of tests/fixtures/hostile-names/ puts the attacks where the other hostile stack
cannot: in resource names (an OSC 8 hyperlink, the C1 CSI, a right-to-left override, markup,
an emoji code; wide CJK letters, a word of 200 letters, a letter under eight combining
marks, invisible tag characters), in a state machine's state names, Fail error and cause, in
a Python handler's printed and logged lines (a lone surrogate among them) and its headers.
The commands below put them in message bodies and attributes, object keys, event details
(a lone surrogate written `\\ud800` in the JSON), SNS messages, HTTP headers and bodies,
execution input and log lines. What reaches the terminal is read from the screen's
compositor, or from the REPL's console: no character a terminal acts on or that draws
nothing, no markup read, every line of the screen its width (nothing a wide or invisible
character pushed out of its box), and nothing crashed.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
import tui_support  # pins the environment before Textual loads
from hostilekit import print_lines, unsafe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import to_plain_text
from prompt_toolkit.validation import ValidationError
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input
from tui_support import START, drive, screen_text

from stptui.commands import Session, execute
from stptui.commands.registry import tokenize
from stptui.repl.completer import build_completer
from stptui.repl.toolbar import Toolbar
from stptui.repl.validator import CommandValidator
from stptui.textsafe import ESCAPED, json_text, printable, quote_word
from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen
from tests.test_command_fuzz import HOSTILE as COMMAND_FUZZ_HOSTILE

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "hostile-names"
DLQ = "d\u202eead\x9b2J\x1b]8;;http://e.vil/\x07L\x1b]8;;\x07[@click=app.quit]Q[/]:smile:"
TOPIC = "\U000e0041\U000e0042topic"
# What SQS takes in a body (no C0 control but tab, LF and CR), with what draws nothing (a
# word joiner, tag characters), wide letters, combining marks and a word longer than a line.
BODY = (
    "\x9b2J\x9d0;T\x9c \u202eRTL\u202c [@click=app.quit]Q[/] :smile: "
    "\U000e0041\U000e0042\u2060 中文中文 Z\u0301\u0302 " + "w" * 400
)
TEXT = "\x1b]0;T\x07 \x08X\x7f " + BODY
KEY = "k/\u202e\x1b]8;;http://e.vil/\x07\U000e0041\u2060中文[@click=app.quit]"
# What SNS takes in a subject: printable text (Python's `isprintable`, as SNS checks it).
SUBJECT = "S[@click=app.quit]Q[/] :smile: 中文 Z\u0301\u0302"
# A lone surrogate where JSON can write one: `\ud800` read from a body or an event detail.
LONE = '{"k": "\\ud800", "t": ' + json.dumps(TEXT) + "}"


def q(text: str) -> str:
    """`text` as one word of the command language."""
    return quote_word(text)


STIMULI = [
    f"send inbox {q(BODY)} --attr {q('k=' + BODY)}",
    f"send inbox {q(LONE)}",
    f"send {q(DLQ)} {q(BODY)}",
    f"upload files {q(KEY)} --content {q(TEXT)}",
    f"publish bus {q('src' + BODY[:40])} {q('T' + BODY[:40])} {q(LONE)}",
    f"publish-sns {q(TOPIC)} {q(TEXT)} --subject {q(SUBJECT)}",
    # Every hostile character but the CR and the controls no request header can carry.
    f"http POST /hook {q(TEXT)} --header {q('x-h:' + BODY)}",
    f"http POST /py {q(TEXT)}",
    f"start-execution flow {q(json.dumps({'note': TEXT}))}",
    f"log worker {q(TEXT)}",
    "advance 1h",
]
# One command of each family that shows what the stimuli left, and refusals that echo it.
LOOKS = [
    "show queues",
    "show queue inbox",
    f"show queue {q(DLQ)}",
    "show functions",
    "show function worker",
    "show function echo",
    "show agenda",
    "show trace 300",
    "show bus bus",
    "show topics",
    "show bucket files",
    "show routes",
    "show executions",
    "show logs worker",
    "show logs echo",
    "show metrics",
    f"explain {q(KEY)}",
    f"send {q(TEXT)} x",
    f"show queue {q(TEXT[:30])}",
    f"redrive {q(DLQ)}",
]


def hostile_session(folder: Path = FIXTURE) -> Session:
    """The hostile names stack (its Python handler allowed) after the stimuli."""
    session = Session.open(folder, start_ms=START, allow_code=True)
    for line in STIMULI:
        execute(session, line)
    return session


# -- the characters


# Format characters that draw nothing but stay: the joiners, which emoji sequences and
# scripts need, and the format controls of Egyptian hieroglyphs, shorthand and music.
KEPT = re.compile("[\u200c\u200d\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a]")


def test_format_characters_that_draw_nothing_are_shown_as_escapes() -> None:
    invisible = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Cf" and cell_len(chr(code)) == 0
    ]
    assert "\U000e0041" in invisible and "\u2060" in invisible
    kept = [c for c in invisible if ESCAPED.fullmatch(c) is None]
    assert kept and all(KEPT.fullmatch(c) for c in kept)
    assert "\u200d" in kept
    # A character past U+FFFF is written with every digit, as Python writes it, so a digit
    # after it is not read as its own; JSON writes its surrogate pair.
    assert printable("\U000e00411") == "\\U000e00411"
    assert json_text("\U000e0041") == '"\\udb40\\udc41"'
    assert json.loads(json_text("a\U000e0041\u2060")) == "a\U000e0041\u2060"
    # A command line types it in `$'...'` and reads it back.
    assert quote_word(TOPIC) == "$'\\U000e0041\\U000e0042topic'"
    assert tokenize(f"show topic {quote_word(TOPIC)}") == ["show", "topic", TOPIC]


# Hostile strings: the attacks, each a piece, among the command fuzz's hostile words and
# any text, joined.
ATTACKS = (
    "\x1b]8;;http://e.vil/\x07",
    "\x1b]52;c;cHdu\x07",
    "\x1b]0;T\x07",
    "\x9b2J",
    "\x9d0;T\x9c",
    "\b\rX\x7f",
    "\u202eRTL\u202c",
    "\u2066I\u2069\u200e\u061c",
    "\u200b\ufeff\u2028",
    "\U000e0041\U000e0042",
    "\u2060\u180e\ufff9",
    "[@click=app.quit]Q[/]",
    "[link=http://e.vil]L[/link]",
    ":smile:",
    "中文",
    "Z\u0301\u0302\u0303",
    "\ud800",
    "\ufffe",
    "w" * 300,
)
HOSTILE_TEXT = st.lists(
    st.sampled_from(ATTACKS) | st.sampled_from(COMMAND_FUZZ_HOSTILE) | st.text(max_size=4),
    min_size=1,
    max_size=5,
).map("".join)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_TEXT)
def test_any_hostile_text_is_printed_by_the_repl_as_text(text: str) -> None:
    session = Session.open(FIXTURE, start_ms=START)
    key = text[:1000] or "k"
    lines = [
        f"upload files {q(key)} --content {q(text)}",
        f"log worker {q(text)}",
        f"publish bus src T {q(json.dumps({'k': text}))}",
        f"start-execution flow {q(json.dumps({'k': text}))}",
        "advance 1m",
        "show bucket files",
        f"explain {q(key)}",
        "show logs worker",
        "show trace 50",
        "show executions",
        f"show queue {q(text)}",
    ]
    printed = print_lines(session, lines, width=100)
    assert unsafe(printed.console) == []
    assert [line for line, text in printed.plain if unsafe(text)] == []
    assert "\U0001f604" not in printed.console


# -- the REPL


def test_the_repl_prints_every_view_of_the_hostile_run_as_text() -> None:
    session = hostile_session()
    toolbar = Toolbar(session)
    shown = print_lines(session, LOOKS, width=120)
    assert [line for line, text in shown.plain if unsafe(text)] == []
    toolbar.last_error = str(shown.refused[-1][1])
    printed = shown.console
    assert unsafe(printed) == []
    for escape in ("\\u202eRTL", "\\x9b2J", "\\U000e0041\\U000e0042\\u2060", "\\ud800"):
        assert escape in printed, escape
    for literal in ("[@click=app.quit]Q[/]", ":smile:", "中文中文", "[link=http://e.vil]L[/link]"):
        assert literal in printed, literal
    assert "\U0001f604" not in printed
    # The toolbar's last error echoes a hostile word; the check before Enter names the
    # stack's queues, hostile ones among them, as they are typed.
    assert "last error" in "".join(text for _, text in toolbar())
    assert unsafe("".join(text for _, text in toolbar())) == []
    validator = CommandValidator(lambda: session)
    for line in (f"send {q(TEXT[:40])} x", f"show queue {q(DLQ[:5])}", "purge nosuch"):
        with pytest.raises(ValidationError) as refused:
            validator.validate(Document(line))
        assert unsafe(refused.value.message) == [], line


def test_the_repl_completion_menu_offers_hostile_names_printably() -> None:
    session = hostile_session()
    completer = build_completer(lambda: session)
    typed: dict[str, list[str]] = {}
    for line in ("send ", "show queue ", "publish-sns ", "delete files ", "explain "):
        event = CompleteEvent(completion_requested=True)
        for c in completer.get_completions(Document(line), event):
            menu = to_plain_text(c.display) + to_plain_text(c.display_meta)
            assert unsafe(menu) == [], (line, menu)
            typed.setdefault(line, []).append(c.text)
    # The queue and topic whose names hold what draws nothing are offered in `$'...'`:
    # read back, the word is the name.
    assert any(tokenize(t) == [DLQ] for t in typed["send "])
    assert any(tokenize(t) == [TOPIC] for t in typed["publish-sns "])
    assert any(tokenize(t) == [KEY] for t in typed["delete files "])


# -- the terminal UI


def assert_drawn_safely(app: StptuiApp, where: str) -> str:
    """The screen as a terminal gets it: nothing in it a terminal acts on or that draws
    nothing, no emoji code read, and every line exactly as wide as the screen."""
    drawn = screen_text(app)
    assert unsafe(drawn) == [], where
    assert "\U0001f604" not in drawn, where
    widths = {cell_len(line) for line in drawn.splitlines()}
    assert widths == {app.size.width}, (where, widths)
    return drawn


# The keys that open a dialog or view on the selected resource, by its type (the dialog
# starts on it: its name in the picker, its last body), and the other dialogs' keys,
# pressed once (the stack has nothing for most of them: they open nothing).
KEYS_BY_TYPE = {
    "sqs-queue": "srMe",
    "sns-topic": "PM",
    "event-bus": "py",
    "bucket": "uoM",
    "http-api-gateway": "h",
    "function": "vlbM",
    "state-machine": "taM",
}
OTHER_KEYS = "xcwkmi"


def test_every_inspector_and_dialog_draws_the_hostile_names_as_text() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        seen = assert_drawn_safely(app, "main screen")
        for name, resource in app.session.stack.resources.items():
            app.jump_to(name)
            await pilot.pause()
            seen += assert_drawn_safely(app, f"inspector of {name!r}")
            keys = KEYS_BY_TYPE.get(resource.type, "")
            if name == "inbox":
                keys += OTHER_KEYS
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                drawn = assert_drawn_safely(app, f"{key} on {name!r}: {type(app.screen)}")
                if (key, name) == ("r", "inbox"):
                    # The note names the dead-letter queue to select as a command types it.
                    assert "$'d\\u202eead\\x9b2J\\e]8;;" in drawn
                seen += drawn
                while len(app.screen_stack) > 1:
                    await pilot.press("escape")
                    await pilot.pause()
        assert app.is_running
        for shown in ("\\u202eead\\x9b2J", "\\U000e0041\\U000e0042topic"):
            assert shown in seen, shown
        for literal in ("[@click=app.quit]Q[/]", ":smile:", "队列处理队列处理"):
            assert literal in seen, literal

    drive(StptuiApp(hostile_session()), script, size=(100, 30), notifications=True)


def test_the_inspector_shows_a_resource_s_config_problems_as_validate_prints_them() -> None:
    # A diagnostic's message names the queue quoted and escaped already: the Inspector
    # shows it as `stptui validate` does, not with each escape's backslash written twice.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.jump_to(DLQ)
        await pilot.pause()
        page = tui_support.inspector(app)
        assert "resource name 'd\\u202eead\\x9b2J\\x1b]8;;http://e.vil/\\x07L" in page
        assert "\\\\u202e" not in page
        assert unsafe(page) == []

    drive(StptuiApp(Session.open(FIXTURE, start_ms=START)), script, size=(200, 40))


def test_every_pane_explanation_and_command_line_view_draws_the_hostile_run_as_text() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        seen = ""
        for pane in "1234567":
            await pilot.press(pane)
            for _ in range(3):
                await pilot.press("down")
                await pilot.pause()
                seen += assert_drawn_safely(app, f"pane {pane}")
                await pilot.press("e")
                await pilot.pause()
                seen += assert_drawn_safely(app, f"explained from pane {pane}")
                while len(app.screen_stack) > 1:
                    await pilot.press("escape")
                    await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        seen += assert_drawn_safely(app, "help")
        await pilot.press("escape")
        # The command line: each look's output, and a completed hostile name.
        await pilot.press("colon")
        assert isinstance(app.screen, CommandLineScreen)
        field = app.screen.query_one("#command-input", Input)
        for line in LOOKS:
            field.value = line
            await pilot.press("enter")
            await pilot.pause()
            seen += assert_drawn_safely(app, line)
            while len(app.screen_stack) > 2:
                await pilot.press("escape")
                await pilot.pause()
        field.value = "publish-sns "
        await pilot.press("tab")
        await pilot.pause()
        assert ESCAPED.search(field.value) is None
        assert tokenize(field.value) == ["publish-sns", TOPIC]
        assert app.is_running
        # The attacks were on screen, escaped, and the markup was not read.
        for shown in ("\\u202eRTL", "\\x9b2J", "\\U000e0041\\U000e0042", "\\ud800"):
            assert shown in seen, shown
        for literal in ("[@click=app.quit]Q[/]", ":smile:", "中文中文"):
            assert literal in seen, literal

    drive(StptuiApp(hostile_session()), script, size=(100, 30), notifications=True)


def test_a_reload_refused_in_a_hostile_folder_is_noted_as_text(tmp_path: Path) -> None:
    # A stack in a folder whose name came from a cloned repository, broken on disk: the
    # refusal's note names the file, and drew the folder's ESC, C1 CSI and U+202E raw.
    folder = tmp_path / TEXT[:60].replace("/", "_")
    shutil.copytree(FIXTURE, folder)
    app = StptuiApp(Session.open(folder, start_ms=START, allow_code=True))

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        (folder / "stacktape.yml").write_text("resources: [\n", encoding="utf-8")
        await pilot.press("ctrl+r")
        await tui_support.wait_until(pilot, lambda: app.rebuilding is None, "the reload")
        await pilot.pause()
        drawn = assert_drawn_safely(app, "the reload's refusal")
        assert "\\x1b]0;T\\x07" in drawn.replace("\n", "")

    drive(app, script, size=(200, 50), notifications=True)
