"""Untrusted text on every surface but the TUI's (design rule 6): the REPL's output of each
command family, its completion menu, its input line and its validation message, `stptui
run`, and the `validate`/`graph`/`match`/`schedule`/`init` command lines. The hostile stack
(tests/fixtures/hostile/) carries OSC 8 hyperlinks, OSC 52 clipboard writes, title sets,
the one-character C1 CSI and OSC, backspace/CR/DEL overwrites, Trojan Source bidirectional
controls, Rich markup and emoji codes in its values, bodies, keys, logs and state names.
Nothing of it may reach a terminal as a control character, and no markup may be read."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from hostilekit import SGR, print_lines, unsafe
from hypothesis import assume, given
from hypothesis import strategies as st
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.data_structures import Size
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import to_plain_text
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.layout.controls import BufferControl, SearchBufferControl
from prompt_toolkit.layout.processors import TransformationInput
from prompt_toolkit.output.vt100 import Vt100_Output
from prompt_toolkit.validation import ValidationError

from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.commands.registry import tokenize
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.repl.completer import build_completer
from stptui.repl.printer import Printer
from stptui.repl.shown import EscapedControls
from stptui.repl.validator import CommandValidator
from stptui.sim.clock import parse_instant
from stptui.textsafe import ESCAPED, json_shown, json_text, printable

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
T0 = parse_instant("2026-01-05T08:00:00Z")

# What SQS takes in a body (no C0 controls but CR) and what an S3 key or a log line takes.
BODY = "\x9b2J\x9d0;T\x9c \rX\x7f \u202eRTL\u202c \u2066I\u2069\u200e [@click=app.quit]Q[/] :smile:"
KEY = "a\u202erch/\x1b]8;;http://e.vil/\x07[link=http://e.vil]L[/link]\x1b]52;c;cHdu\x07\u202er.csv"
TEXT = "\x1b]0;T\x07 \x08\rX\x7f " + BODY
# What is pasted at the REPL's prompt (where a CR is Enter and a DEL is Backspace).
PASTED = "\x9b2J\x9d0;T\x9c \u202eRTL\u202c \u2066I\u2069\u200e [@click=app.quit]Q[/] :smile:"
# An emoji code Rich would replace, and Rich/Textual markup, must stay as written.
LITERALS = ("[@click=app.quit]Q[/]", ":smile:", "[link=http://e.vil]L[/link]")


def q(text: str) -> str:
    """`text` as one word of the command language (the hostile texts hold no `'`)."""
    return f"'{text}'"


STIMULI = [
    f"send inbox {q(BODY)}",
    f"send inbox {q(BODY)} --attr {q('k=' + BODY)}",
    # Over 128 KB, so that the lifecycle rule archives it (S3 moves no smaller object).
    f"upload archive {q(KEY)} --size 200000",
    f"upload archive {q(KEY + '.txt')} --content {q(TEXT)}",
    f"publish bus {q('src' + BODY[:20])} T {q(json.dumps({'k': TEXT}))}",
    # Every hostile character but the CR, which no request header can carry (RFC 9110, 5.5).
    f"http POST /hook {q(TEXT)} --header {q('x-h: ' + BODY.replace(chr(13), ''))}",
    f"start-execution flow {q(json.dumps({'note': TEXT}))}",
    f"log worker {q(TEXT)}",
    "advance 2d",
    f"restore archive {q(KEY)}",
]
# One command of each family that shows what the stimuli left: `show`, `explain`, the
# trace, the logs, `expect` and the refusals that echo what was typed.
LOOKS = [
    "show queues",
    "show queue inbox",
    "show queue dead",
    "show functions",
    "show function worker",
    "show agenda",
    "show trace 200",
    "show buses",
    "show bus bus",
    "show buckets",
    "show bucket archive",
    "show routes",
    "show executions",
    "show logs worker",
    "show metrics worker",
    f"explain {q(KEY)}",
    "expect queue.dead.depth == 99",
    f"expect queue.{BODY}.depth == 1",
    f"send {q(TEXT)} x",
    f"show queue {q(TEXT)}",
    f"delete archive {q(TEXT)}",
    f"advance {q(TEXT)}",
    f"help {q(TEXT)}",
    q(TEXT),
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Session, list[str]]:
    """The hostile stack after the stimuli, and what the REPL printed for them and LOOKS."""
    session = Session.open(HOSTILE, start_ms=T0)
    printed = print_lines(session, [*STIMULI, *LOOKS], width=160)
    return session, [printed.console, *(text for _, text in printed.plain)]


def test_the_stimuli_carried_the_attacks_into_the_simulation(
    hostile: tuple[Session, list[str]],
) -> None:
    session, _ = hostile
    sim = session.sim
    assert [m.body for m in sim.queues["dead"].listing()] == [BODY, BODY]
    assert KEY in sim.services["buckets"].buckets["archive"].objects
    kinds = {r.kind for r in sim.trace.records}
    assert {"handler.log", "invocation.failed", "restore.initiated"} <= kinds


def test_repl_output_of_every_command_family_holds_no_control_character(
    hostile: tuple[Session, list[str]],
) -> None:
    _, (printed, *plain) = hostile
    assert unsafe(printed) == []
    assert [text for text in plain if unsafe(text)] == []
    # The attacks are shown, escaped the one way stptui escapes them.
    for escape in ("\\x1b]8;;", "\\x1b]52;", "\\x9b2J", "\\x9d", "\\x08", "\\x7f", "\\u202e"):
        assert escape in printed, escape
    assert "\\u2066I\\u2069\\u200e" in printed
    # Rich would have read these (a link, an emoji): they are text.
    for literal in LITERALS:
        assert literal in printed, literal
    assert "\U0001f604" not in printed and "\x1b]8" not in printed


def test_stptui_run_prints_the_hostile_run_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.stp"
    # The looks that succeed (a script stops at the first error), then an error at its
    # turn that echoes a hostile word (a queue the stack lacks is refused before the first
    # line runs: nothing would be printed on stdout).
    lines = [*STIMULI, *LOOKS[: LOOKS.index(f"explain {q(KEY)}") + 1]]
    script.write_text("\n".join([*lines, f"explain {q(PASTED)}"]) + "\n")
    code = main(["run", str(HOSTILE), str(script), "--start", "2026-01-05T08:00:00Z"])
    out, err = capsys.readouterr()
    assert code == 2  # the last line names nothing in the trace
    assert "\\u202e" in out and "\\u202e" in err
    assert (unsafe(out), unsafe(err)) == ([], [])


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    with contextlib.suppress(SystemExit):
        main(list(argv))
    return capsys.readouterr()


def test_the_command_lines_print_hostile_files_names_and_values_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A folder name with the attacks in it (a file name from a cloned repository), a stack
    # whose resource names and values break the rules, and a behaviours file naming them.
    folder = tmp_path / TEXT.replace("/", "_")
    shutil.copytree(HOSTILE, folder)
    broken = folder / "broken.yml"
    hostile = json.dumps(TEXT)
    broken.write_text(
        f"resources:\n  {hostile}:\n    type: sqs-queue\n"
        f"  q:\n    type: sqs-queue\n    properties:\n"
        f"      redrivePolicy: {{targetSqsQueueName: {hostile}, maxReceiveCount: 5}}\n"
        f"      {hostile}: 1\n",
        encoding="utf-8",
    )
    (folder / "b.yml").write_text(f"behaviors:\n  {hostile}:\n    duration: {hostile}\n")
    pattern = json.dumps({"source": [TEXT], "detail": {TEXT: [{"prefix": TEXT}]}})
    event = json.dumps({"source": TEXT, "detail-type": TEXT, "detail": {TEXT: TEXT}})
    runs = [
        ("validate", str(folder / "stacktape.yml"), "--behaviors", str(folder / "b.yml")),
        ("validate", str(broken)),
        ("validate", str(folder / "missing.yml")),
        ("graph", str(broken)),
        ("graph", str(folder)),
        ("match", pattern, event),
        ("match", json.dumps({TEXT: [TEXT]}), "{}"),
        ("match", "{" + TEXT, "{}"),
        ("match", "@" + TEXT, "{}"),
        ("schedule", TEXT),
        ("schedule", f"cron({TEXT})"),
        ("schedule", "rate(1 day)", "--after", TEXT),
        ("init", str(folder), "--out", str(folder / "init.yml")),
        ("init", str(folder), "--out", str(folder / "no" / f"{TEXT}.yml")),
        ("init", str(broken), "--out", str(folder / "x.yml")),
        (TEXT,),
        # argparse's own refusals echo the words they do not know.
        ("validate", str(folder), TEXT),
        ("--" + TEXT,),
    ]
    for argv in runs:
        out, err = cli(capsys, *argv)
        assert (unsafe(out), unsafe(err)) == ([], []), argv
        assert out or err, argv
    # The starter file quotes the stack's values in its YAML comments: escaped there too.
    starter = (folder / "init.yml").read_text(encoding="utf-8")
    assert "\\u202e" in starter and unsafe(starter) == []


def test_the_files_save_and_record_write_hold_no_control_character(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stack in a folder named with the attacks (a cloned repository's), run from
    # elsewhere: the recorded script's header wrote the folder's name raw into its comments
    # and its replay line, and the saved session kept U+202E and the C1 CSI raw in its JSON,
    # so that `cat` of either acted on the terminal.
    folder = tmp_path / TEXT.replace("/", "_")
    shutil.copytree(HOSTILE, folder)
    monkeypatch.chdir(tmp_path)
    session = Session.open(folder, start_ms=T0, region=f"us-{PASTED}")
    execute(session, f"send inbox {q(BODY)}")
    script, saved = tmp_path / "r.stp", tmp_path / "s.json"
    execute(session, f"record {script}")
    execute(session, f"save {saved}")
    execute(session, "record stop")
    recorded, doc = script.read_text(encoding="utf-8"), saved.read_text(encoding="utf-8")
    assert (unsafe(recorded), unsafe(doc)) == ([], [])
    # The replay line is still the exact command: bash reads `$'...'` as the command line does.
    replay = recorded.splitlines()[1].removeprefix("#   ")
    words = tokenize(replay)
    stack = f"{folder.name}/stacktape.yml"  # relative to where stptui runs, and to s.json
    assert words[2] == stack and words[3] == "r.stp"
    assert words[words.index("--region") + 1] == session.region
    assert json.loads(doc)["stack"] == stack
    other = Session.open(folder, start_ms=T0)
    execute(other, f"load {saved}")
    assert other.region == session.region


def test_the_completion_menu_shows_keys_escaped_and_completes_them_as_they_are(
    hostile: tuple[Session, list[str]],
) -> None:
    session, _ = hostile
    completer = build_completer(lambda: session)
    seen = []
    for line in ("delete archive ", "explain ", "restore archive a", "explain a"):
        event = CompleteEvent(completion_requested=True)
        for c in completer.get_completions(Document(line), event):
            menu = to_plain_text(c.display) + to_plain_text(c.display_meta)
            assert unsafe(menu) == [], (line, menu)
            if "\\u202e" in menu:
                seen.append(c.text)
    # What a completion types is the key in `$'...'`, printable: read back it is the key
    # itself, so the command finds it, and the line shows no character a terminal acts on.
    assert any(tokenize(text) == [KEY] for text in seen)
    assert all(unsafe(text) == [] for text in seen)


def test_the_tui_command_line_offers_a_hostile_key_in_ansi_c_quotes(
    hostile: tuple[Session, list[str]],
) -> None:
    # The one-line field drops an ESC: the key is offered as `$'...'`, which it holds, and
    # the line it makes names the key itself.
    from stptui.tui.screens.command_line import completions

    session, _ = hostile
    offered = completions(session, "delete archive a")
    assert any(tokenize(line) == ["delete", "archive", KEY] for line in offered), offered
    assert all(unsafe(line) == [] for line in offered)


def test_a_validation_message_echoing_a_pasted_word_is_escaped(
    hostile: tuple[Session, list[str]],
) -> None:
    session, _ = hostile
    validator = CommandValidator(lambda: session)
    with pytest.raises(ValidationError) as info:
        validator.validate(Document(f"advance {q(TEXT)}"))
    assert "\\x1b]0;T" in info.value.message and unsafe(info.value.message) == []


def test_the_input_line_draws_a_pasted_key_escaped_and_sends_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Trojan Source key pasted at the prompt: the terminal gets `\u202e`, not U+202E, and
    # the queue gets the character itself.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    session = Session.open(HOSTILE, start_ms=T0)
    terminal = io.StringIO()
    output = Vt100_Output(terminal, lambda: Size(30, 160), term="xterm")
    with create_pipe_input() as inp, create_app_session(input=inp, output=output):
        repl = Repl(session, console=make_console(file=io.StringIO(), width=160))
        inp.send_text(f"send dead {q(PASTED)}\r\x04")
        assert repl.run() == 0
    drawn = SGR.sub("", terminal.getvalue())
    assert "\\u202eRTL\\u202c" in drawn and "\\x9b2J" in drawn
    assert not {"\u202e", "\u2066", "\x9b", "\x9d"} & set(drawn)
    assert [m.body for m in session.sim.queues["dead"].listing()] == [PASTED]


@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\t", "\x1b", "\x9b", "\u202e"])))
def test_the_input_line_draws_escapes_and_maps_the_cursor_around_them(line: str) -> None:
    processor = EscapedControls()
    source = TransformationInput(
        BufferControl(), Document(line), 0, lambda i: i, [("class:x", line)], 80, 1
    )
    shown = processor.apply_transformation(source)
    assert "".join(text for _, text, *_ in shown.fragments) == printable(line)
    # Each character's place on screen, and back: the cursor lands on a character, never
    # inside its escape, and moves through the line in order.
    places = [shown.source_to_display(i) for i in range(len(line) + 1)]
    assert places == sorted(set(places)) and places[-1] == len(printable(line))
    assert [shown.display_to_source(d) for d in places] == list(range(len(line) + 1))


@given(st.text())
def test_printable_leaves_no_character_a_terminal_acts_on_and_hides_none(text: str) -> None:
    shown = printable(text)
    assert ESCAPED.search(shown) is None
    # Read back, the escapes are the characters they stand for (a text with no backslash of
    # its own reads back one way only).
    assume("\\" not in text)
    back = re.sub(r"\\x([0-9a-f]{2})|\\u([0-9a-f]{4})", lambda m: chr(int(m[1] or m[2], 16)), shown)
    assert back == text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(JSON)
def test_json_shown_is_the_same_value_with_nothing_a_terminal_acts_on(value: object) -> None:
    text = json_shown(json.dumps(value, ensure_ascii=False))
    assert ESCAPED.search(text) is None
    assert json.loads(text) == value


# Text with lone surrogates among it, high and low, next to each other as often as not
# (a handler that cut an emoji in two, a JSON body's `"\\ud800"`).
SURROGATES = st.lists(
    st.sampled_from(["\ud83d", "\ude00", "\ud800", "\udfff", "\udb40", "\udc41"])
    | st.text(st.characters(exclude_categories=()), max_size=3),
    max_size=8,
).map("".join)
# A high surrogate and then a low one: JSON's escapes of the two are one character.
FALSE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def strings_of(value: object) -> list[str]:
    """Every string in a JSON value, its objects' keys among them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(t for v in value.values() for t in strings_of(v))]
    if isinstance(value, list):
        return [t for v in value for t in strings_of(v)]
    return []


@given(
    st.recursive(
        SURROGATES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SURROGATES, inner)
    )
)
def test_json_shown_writes_lone_surrogates_as_escapes_and_never_pairs_them(value: object) -> None:
    text = json_shown(json.dumps(value, ensure_ascii=False))
    # A UTF-8 terminal takes it (a lone surrogate raised UnicodeEncodeError there).
    text.encode("utf-8")
    assert ESCAPED.search(text) is None
    if not any(FALSE_PAIR.search(text) for text in strings_of(value)):
        assert json.loads(text) == value
    else:
        # JSON cannot write two lone surrogates that would pair: the second is written as
        # Python writes it, which no JSON reader takes, rather than sent back as a pair.
        with pytest.raises(ValueError):
            json.loads(text)


def test_json_shown_keeps_apart_what_only_its_escapes_would_pair() -> None:
    assert json_text("\ud800") == '"\\ud800"'
    assert json_text(["\ud83d", "\ude00"]) == '["\\ud83d", "\\ude00"]'
    assert json_text("\ud83d\ude00") == '"\\ud83d\\U0000de00"'
    assert json_text("\U0001f600\U000e0041") == '"\U0001f600\\udb40\\udc41"'
    # JSON text whose escape of a high surrogate meets a low one, or the other way round.
    assert json_shown('"\\ud83d\ude00"') == '"\\ud83d\\U0000de00"'
    assert json_shown('"\ud83d\\ude00"') == '"\\U0000d83d\\ude00"'
    # A backslash written twice is a backslash: nothing pairs with it.
    assert json.loads(json_shown('"\\\\ud83d\ude00"')) == "\\ud83d\ude00"


def test_the_repl_shows_lone_surrogates_in_an_execution_input_as_escapes(
    hostile: tuple[Session, list[str]],
) -> None:
    # Two lone surrogates typed in `$'...'` (the long form of the low one keeps them apart)
    # as an execution's input: its JSON shows them as escapes, never as one emoji.
    session, _ = hostile
    printed = print_lines(
        session,
        [
            'start-execution flow $\'{"k": "\\ud83d\\U0000de00", "l": "\\ud800"}\'',
            "show execution $last",
        ],
        width=160,
    )
    printed.console.encode("utf-8")
    assert printed.refused == []
    assert 'input: {"k": "\\ud83d\\U0000de00", "l": "\\ud800"}' in printed.console


def test_the_history_search_field_draws_a_pasted_key_escaped_and_finds_it() -> None:
    # Ctrl-R, then a Trojan Source text pasted as what to search for: the
    # `(reverse-i-search)` field draws `\u2066I\u2069`, and the search finds the history
    # line that holds the characters themselves, which Enter runs.
    session = Session.open(HOSTILE, start_ms=T0)
    terminal = io.StringIO()
    output = Vt100_Output(terminal, lambda: Size(30, 160), term="xterm")
    history = InMemoryHistory([f"send dead {q(PASTED)}"])
    with create_pipe_input() as inp, create_app_session(input=inp, output=output):
        repl = Repl(session, console=make_console(file=io.StringIO(), width=160), history=history)
        app = repl.prompt.app
        # Both search fields prompt_toolkit may show (single-line, and the toolbar of a
        # line that continues) escape what is typed into them, before anything else.
        searches = {c for c in app.layout.find_all_controls() if isinstance(c, SearchBufferControl)}
        assert len(searches) == 2
        for control in searches:
            kinds = [type(p) for p in control.input_processors or []]
            assert kinds[0] is EscapedControls and EscapedControls not in kinds[1:]
        rest: list[str] = ["\r\r\x04"]  # accept the line found, run it, leave

        def send_rest() -> None:
            with contextlib.suppress(IndexError):  # sent already
                inp.send_text(rest.pop())

        def searching_drawn(_: object) -> None:
            # Keys sent at once are handled before any redraw: the rest waits until the
            # search field has been drawn with the pasted text in it.
            searching = isinstance(app.layout.current_control, SearchBufferControl)
            if searching and app.layout.current_buffer.text:
                send_rest()

        app.after_render += searching_drawn
        # Should the search never be drawn, the test fails on what was drawn, not hangs.
        guard = threading.Timer(60, send_rest)
        guard.start()
        inp.send_text("\x12\u2066I\u2069")  # Ctrl-R, then the pasted text
        try:
            assert repl.run() == 0
        finally:
            guard.cancel()
    drawn = SGR.sub("", terminal.getvalue())
    assert "(reverse-i-search)`\\u2066I\\u2069': send dead '\\x9b2J" in drawn
    assert not {"\u202e", "\u2066", "\u2069", "\x9b", "\x9d"} & set(drawn)
    assert [m.body for m in session.sim.queues["dead"].listing()] == [PASTED]


# An undecodable byte of a file name or argument reads as a lone surrogate (Python's
# surrogateescape, U+DC80-U+DCFF): UTF-8 cannot encode one, so writing it raised
# UnicodeEncodeError; and U+FFFE and U+FFFF, which are no characters either.
NOT_CHARACTERS = "x\udcff\ufffe\uffff"


@pytest.mark.parametrize(
    "argv",
    [
        ("validate", f"{NOT_CHARACTERS}.yml"),
        ("validate", str(HOSTILE), "--behaviors", f"{NOT_CHARACTERS}.yml"),
        ("validate", str(HOSTILE), NOT_CHARACTERS),
        ("graph", NOT_CHARACTERS),
        ("graph", str(HOSTILE), "--behaviors", NOT_CHARACTERS),
        ("match", json.dumps({"source": [NOT_CHARACTERS]}), json.dumps({"x": NOT_CHARACTERS})),
        ("schedule", NOT_CHARACTERS),
        ("init", NOT_CHARACTERS),
        ("run", str(HOSTILE), f"{NOT_CHARACTERS}.stp"),
        (NOT_CHARACTERS,),
        ("--" + NOT_CHARACTERS,),
    ],
)
def test_the_command_lines_write_what_is_no_character_as_escapes(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    # capsys encodes strictly, as a UTF-8 terminal's standard output does.
    out, err = cli(capsys, *argv)
    assert out or err
    assert "\\udcff" in out + err
    assert re.search("[\ud800-\udfff\ufffe\uffff]", out + err) is None


def test_the_repl_writes_what_is_no_character_as_escapes(
    hostile: tuple[Session, list[str]],
) -> None:
    session, _ = hostile
    with pytest.raises(CommandError) as refused:
        execute(session, f"show queue {q(NOT_CHARACTERS)}")
    buffer = io.StringIO()
    Printer(make_console(file=buffer, width=160, force_terminal=True)).error(refused.value)
    written = buffer.getvalue()
    written.encode("utf-8")  # raised for the lone surrogates
    assert "\\udcff\\ufffe\\uffff" in written
