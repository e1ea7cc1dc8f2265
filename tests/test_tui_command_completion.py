"""Tab in the TUI's command line follows the command's grammar as the REPL's completion
does: after `expect count KIND` it offers the resources with such records and the kind's
`FIELD=` filters, then more filters or the comparison; later words narrow what is offered.
Driven with the pilot (Tab takes the first completion) and checked against the REPL's
candidates for the same lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from replkit import completions as repl_offers
from replkit import tabbed
from textual.pilot import Pilot
from textual.widgets import Input
from tui_one_app import Step, on_one_app, press_until, screen_opened
from tui_support import EXAMPLES, START, Problems, drive, session, settled, typed

from stptui.commands import Session, execute
from stptui.repl import candidates as candidates_module
from stptui.repl.candidates import DURATION_EXAMPLES, candidates, path_candidates
from stptui.tui.app import StptuiApp
from stptui.tui.screens.command_line import CommandLineScreen, completions

STORY = ("fail worker always", "send jobQueue x", "advance 20m")


def story_session() -> Session:
    """The job-queue stack after a message failed its way to the dead-letter queue."""
    s = session("job-queue")
    for line in STORY:
        execute(s, line)
    return s


def field(app: StptuiApp) -> Input:
    """The command line's input."""
    return app.screen.query_one("#command-input", Input)


async def command_line(pilot: Pilot[None], app: StptuiApp) -> Input:
    """Open the command line (`:`): its input, empty."""
    await screen_opened(pilot, app, "colon", CommandLineScreen, "#command-input")
    line = field(app)
    assert line.value == ""
    return line


async def tab(pilot: Pilot[None], app: StptuiApp, line: Input) -> str:
    """Press tab, and wait until it changed the line: the line now."""
    await press_until(pilot, app, "tab", changed(line, line.value), "completed")
    return line.value


async def tab_walks_an_expect_count_path_a_word_at_a_time(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    line = await command_line(pilot, app)
    await typed(pilot, line, "expect count invocation.fa")
    assert await tab(pilot, app, line) == "expect count invocation.failed "
    # After the kind: the resource that has such records comes first (one of several:
    # no space after it, the user may want another).
    assert await tab(pilot, app, line) == "expect count invocation.failed worker"
    # After the resource: the kind's fields to filter by; a field's VALUE goes
    # straight after its `=`, so no space is added even to the only one.
    await typed(pilot, line, " tim")
    assert await tab(pilot, app, line) == "expect count invocation.failed worker timeout="
    line.value = "expect count message.received jobQueue receive_count=2 == "
    # The value now, narrowed by the filter: one message was received twice.
    completed = "expect count message.received jobQueue receive_count=2 == 1 "
    assert await tab(pilot, app, line) == completed


async def tab_completes_a_number_to_a_duration_but_types_no_example(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    line = await command_line(pilot, app)
    await typed(pilot, line, "advance ")
    # (Pilot's press, which waits until the app idles after it: this tab changes nothing.)
    await pilot.press("tab")
    assert line.value == "advance "
    await typed(pilot, line, "1")
    # Several units: the first is taken, with no space, so another can be typed over it.
    assert await tab(pilot, app, line) == "advance 1ms"
    line.value = "until "
    # An instant to edit: the simulated clock's now, then the next scheduled event.
    assert await tab(pilot, app, line) == "until 2026-01-05T08:20:00.000Z"


def test_tab_completes_each_word_of_expect_count_and_of_durations() -> None:
    """Two checks on one app of the story, each on the command line opened anew (closed
    by escape after the one before, nothing run)."""
    steps = [
        Step(
            "tab walks an expect count path a word at a time",
            (120, 36),
            tab_walks_an_expect_count_path_a_word_at_a_time,
        ),
        Step(
            "tab completes a number to a duration but types no example",
            (120, 36),
            tab_completes_a_number_to_a_duration_but_types_no_example,
        ),
    ]
    on_one_app(StptuiApp(story_session()), steps)


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("expect count message.received j", ["jobQueue"]),
        ("expect count http.response sta", ["status="]),
        (
            "expect count invocation.failed worker err",
            ["error=", "error_message=", "error_message_bytes="],
        ),
        ("expect count message.received jobQueue == ", ["3"]),
        ("expect queue.deadLetterQueue.depth == ", ["1"]),
        ("expect time <= ", ["2026-01-05T08:20:00.000Z"]),
        ("expect queue.nosuch.depth == ", []),
    ],
)
def test_later_words_narrow_what_is_offered(line: str, offered: list[str]) -> None:
    head = line[: line.rfind(" ") + 1]
    assert completions(story_session(), line) == [head + o for o in offered]


def value_session() -> Session:
    """The combined stack with an item in analyticsDb and an object in uploads."""
    s = session("combined")
    item = '{"eventId": {"S": "e-1"}, "time": {"S": "t1"}, "kind": {"S": "click"}}'
    execute(s, f"put-item analyticsDb '{item}'")
    execute(s, "upload uploads in/a.csv --content abc")
    return s


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("expect item ", ["analyticsDb"]),
        ("expect item analyticsDb ", ["eventId=", "eventId=e-1", "time=", "time=t1"]),
        ("expect item analyticsDb eventId=e-1 ", ["time=", "time=t1"]),
        ("expect item analyticsDb eventId=e-1 time=t1 ", ["kind"]),
        ("expect item analyticsDb eventId=e-1 time=t1 kind == ", ["click"]),
        ("expect object uploads ", ["in/a.csv"]),
        ("expect object uploads in/a.csv ", ["exists", "size"]),
        ("expect object uploads in/a.csv size == ", ["3"]),
        ("expect object uploads in/a.csv exists == ", ["true"]),
    ],
)
def test_an_item_or_object_path_is_offered_a_word_at_a_time(line: str, offered: list[str]) -> None:
    """`expect item` and `expect object` as `expect count`: each word in turn, the
    comparison only once the path is whole, then the value now; the REPL offers the same."""
    s = value_session()
    head = line[: line.rfind(" ") + 1]
    assert completions(s, line) == [head + o for o in offered]
    assert [c.text for c in candidates(s, line)] == offered


# Lines whose next word has values to offer, the REPL's and the TUI's alike (file names are
# tested below: both have them from `file_offers`).
PARITY_LINES = [
    "expect count ",
    "expect count invocation.started ",
    "expect count invocation.failed ",
    "expect count invocation.failed worker ",
    "expect count invocation.failed worker error=X ",
    "expect count message.dead_lettered ",
    "expect count message.received jobQueue receive_count=1 ",
    "expect count message.received receive_count=2 == ",
    "expect ",
    "expect function.worker.failures >= ",
    "send ",
    "send jobQueue x --",
    "redrive ",
    "fail ",
    "show ",
    "show message ",
    "advance ",
    "advance 5",
    "advance 1h3",
    "until ",
    "until 2026-01-09",
]


@pytest.mark.parametrize("line", PARITY_LINES)
def test_the_command_line_offers_what_the_repl_offers(line: str) -> None:
    s = story_session()
    head = line[: line.rfind(" ") + 1]
    word = line[len(head) :]
    ours = [c[len(head) :] for c in completions(s, line)]
    theirs = [c.text for c in candidates(s, line) if c.text.startswith(word)]
    if not word:
        # The one difference, on purpose: Tab would type an example duration nobody chose.
        theirs = [t for t in theirs if t not in DURATION_EXAMPLES]
    assert ours == theirs


def test_tab_completes_a_user_pool_and_its_users() -> None:
    """`sign-in`'s POOL and USERNAME, `http --user`: the stack's user pools and a pool's
    users, as the REPL offers them."""
    s = Session.open(EXAMPLES / "user-pool.yml", start_ms=START)
    execute(s, "sign-up users ann@example.com")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        line = await command_line(pilot, app)
        await typed(pilot, line, "sign-in u")
        # The stack's only pool, then a space: the USERNAME comes next.
        assert await tab(pilot, app, line) == "sign-in users "
        assert await tab(pilot, app, line) == "sign-in users ann@example.com "
        line.value = "http GET /me --user a"
        assert await tab(pilot, app, line) == "http GET /me --user ann@example.com "

    drive(StptuiApp(s), script)
    assert completions(s, "confirm-sign-up users ") == ["confirm-sign-up users ann@example.com"]


QUOTED_STACK = """\
resources:
  jobQueue: {type: sqs-queue}
  'other queue': {type: sqs-queue}
"""


# (typed, completed): a name typed inside quotes or after an escaped space, and the line Tab
# makes of it.
QUOTED = [
    ('purge "oth', "purge 'other queue'"),
    ("purge 'other q", "purge 'other queue'"),
    ("purge $'oth", "purge 'other queue'"),
    ('send "job', "send jobQueue"),
    # A space typed escaped is one character of the word, and the whole word is replaced.
    ("purge other\\ q", "purge 'other queue'"),
]


def changed(line: Input, value: str) -> Callable[[], bool]:
    """Whether the line's value is no longer `value`."""
    return lambda: line.value != value


def test_a_name_typed_inside_quotes_completes_as_the_repl_does(tmp_path: Path) -> None:
    # Inside an open quote the line offered nothing, and after an escaped space its
    # suggestion, which rewrote the word, was drawn from the typed length on: garbage
    # such as `purge other\ queue'` (the `ueue'` of `purge 'other queue'`).
    (tmp_path / "stacktape.yml").write_text(QUOTED_STACK)
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    problems = Problems()
    for text, completed in QUOTED:
        with problems.check(text, "the completion"):
            assert completions(s, text) == [completed]

    # Each line on the one command line, set anew and completed by Tab: nothing is run.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await screen_opened(pilot, app, "colon", CommandLineScreen, "#command-input")
        line = field(app)
        for text, completed in QUOTED:
            with problems.check(text, "the suggestion drawn"):
                line.value = text
                # The suggester's worker done, and what it found drawn.
                await app.workers.wait_for_complete()
                await settled(pilot, line, "the line with its suggestion")
                # The suggestion is drawn only where it adds to what was typed.
                drawn = line.render_line(0).text.strip()
                assert drawn == (completed if completed.startswith(text) else text)
            with problems.check(text, "tab"):
                await press_until(pilot, app, "tab", changed(line, text), "completed")
                assert line.value == completed + " "
        assert app.session.log == []

    drive(StptuiApp(s), script)
    problems.assert_none()


def test_tab_completes_file_names_quoted_directories_first_then_their_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command line offered no file name at all: `source ` + tab typed nothing, where
    # the REPL lists the files that start the word.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir sp").mkdir()
    (tmp_path / "dir sp" / "my script.stp").write_text("")
    (tmp_path / "runs").mkdir()
    (tmp_path / ".secret.stp").write_text("")
    s = story_session()
    execute(s, "save runs/incident.json")  # what `load` offers: a file `save` wrote
    # Sorted, a directory's name with a `/`, a name with a space quoted; no hidden file.
    assert completions(s, "source ") == ["source 'dir sp/'", "source runs/"]
    assert completions(s, "source .") == ["source .secret.stp"]
    # `record`'s fixed word first, then the files; `--from=` takes a path too.
    assert completions(s, "record ") == ["record stop", "record 'dir sp/'", "record runs/"]
    assert completions(s, "upload b k --from=ru") == ["upload b k --from=runs/"]
    assert completions(s, "send jobQueue ru") == []
    # docs/tui.md: "`load` offers only the files `save` wrote, then directories".
    page = " ".join((EXAMPLES.parent / "tui.md").read_text(encoding="utf-8").split())
    assert "`load` offers only the files `save` wrote, then directories, as in the REPL." in page
    (tmp_path / "package.json").write_text('{"name": "shop"}')
    assert completions(s, "load ") == ["load 'dir sp/'", "load runs/"]
    assert completions(s, "load runs/") == ["load runs/incident.json"]

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        line = await command_line(pilot, app)
        await typed(pilot, line, "source ")
        # The first offer, a directory: no space after it, its files come next.
        assert await tab(pilot, app, line) == "source 'dir sp/'"
        assert await tab(pilot, app, line) == "source 'dir sp/my script.stp' "
        line.value = "load runs/inc"
        assert await tab(pilot, app, line) == "load runs/incident.json "
        line.value = "source ."
        assert await tab(pilot, app, line) == "source .secret.stp "
        line.value = "source dir\\ sp/m"
        assert await tab(pilot, app, line) == "source 'dir sp/my script.stp' "

    drive(StptuiApp(s), script)


def test_a_huge_directory_is_read_only_up_to_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The suggestion completes at each key press: a directory of 100,000 files was to be
    # read whole each time. Only PATH_LIMIT of its entries are read, and nothing says more.
    monkeypatch.setattr(candidates_module, "PATH_LIMIT", 5)
    monkeypatch.chdir(tmp_path)
    for n in range(12):
        (tmp_path / f"f{n:02d}.stp").write_text("")
    offered = completions(story_session(), "source ")
    assert len(offered) == 5
    assert offered == sorted(offered)
    assert len(path_candidates("", limit=12)) == 12
    assert [c.text for c in path_candidates("f1", limit=12)] == ["f10.stp", "f11.stp"]
    # A path through a file, or one that does not exist, offers nothing (and raises nothing).
    assert path_candidates("f00.stp/") == []
    assert path_candidates("nosuch/") == []


def odd_folder(root: Path) -> None:
    """A folder whose names need every rule of file-name completion: a space, a quote, a
    hidden file, a subfolder, and a subfolder of 2,500 files (past the 2,000 read)."""
    (root / "dir sp").mkdir()
    (root / "dir sp" / "my script.stp").write_text("")
    (root / "it's.stp").write_text("")
    (root / ".hidden.stp").write_text("")
    (root / "sub").mkdir()
    (root / "sub" / "inner.json").write_text("{}")
    (root / "many").mkdir()
    for n in range(2500):
        (root / "many" / f"f{n:04d}.stp").write_text("")


@pytest.fixture(scope="module")
def odd(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `odd_folder` for the tests of this module that only read it (its 2,500 files
    made once)."""
    root = tmp_path_factory.mktemp("odd")
    odd_folder(root)
    return root


@pytest.mark.parametrize(
    "line",
    [
        "source ",
        "source .",
        "source i",
        "source \"it'",
        "source 'dir sp/",
        "source dir\\ sp/m",
        "source s",
        "source sub/",
        "source many/",
        "source many/f24",
        "load ~/",
        "load ~/su",
        "record ",
        "upload uploads k --from=su",
        "upload uploads k --from='dir sp/m",
        "source nosuch/",
    ],
)
def test_the_repl_offers_the_same_file_names_as_the_command_line(
    odd: Path, monkeypatch: pytest.MonkeyPatch, line: str
) -> None:
    # The REPL completed file names with prompt_toolkit's PathCompleter: hidden files
    # offered before a `.` was typed, its own order, `~` expanded, every entry of a
    # 100,000-file directory read at each key press, and a fuzzy match that listed the
    # directory's names again. Both front ends now make the same lines, in the same order.
    monkeypatch.chdir(odd)
    monkeypatch.setenv("HOME", str(odd))
    s = story_session()
    ours = completions(s, line)
    assert tabbed(s, line) == ours
    if line == "source ":
        assert ours == [
            "source 'dir sp/'",
            'source "it\'s.stp"',
            "source many/",
            "source sub/",
        ]
    if line == "source many/":
        assert len(ours) == 2000
    if line == "load ~/su":
        assert ours == ["load ~/sub/"]


def test_the_repl_menu_shows_a_file_by_its_last_part(
    odd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(odd)
    shown = {
        c.text: (c.display_text, c.display_meta_text)
        for c in repl_offers(session("job-queue"), "source 'dir sp/")
    }
    assert shown == {"'dir sp/my script.stp'": ("my script.stp", "file")}
    shown = {c.text: c.display_text for c in repl_offers(session("job-queue"), "source s")}
    assert shown == {"sub/": "sub/"}
