"""`stptui run` refuses a script whose words name no resource of the stack before its
first line runs: a queue, function, bus... is the stack's for the whole run, so `send
jobQeue x` on line 40 is as wrong before line 1 as at its turn, and is refused so, with
the message and did-you-mean of its turn. What a run makes, or may make name something
(an id, `$last`, `{i}` in a `repeat`, the resources trace records are on, what a `load` or
`reload` opens), is left to the line's turn. A line of a `source`d script that fails is
named at its own FILE:LINE[:COL], which a CI problem matcher marks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import CommandError, Session, check_written, execute
from stptui.commands.script import ScriptLine, unrunnable
from stptui.sim.clock import parse_instant
from tests.test_run_checked_first import GOOD, STACK, START

ROOT = Path(__file__).resolve().parents[1]
OTHER = """\
serviceName: other
resources:
  otherQueue:
    type: sqs-queue
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "stacktape.yml").write_text(STACK)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(script: str, *extra: str) -> int:
    return main(["run", "stacktape.yml", script, "--start", START, *extra])


def session(files: Path) -> Session:
    return Session.open(files / "stacktape.yml", start_ms=parse_instant(START))


def test_a_misspelt_name_on_line_40_is_refused_before_line_1_runs(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "s.stp").write_text("\n".join([*GOOD, "send jobQeue '{\"jobId\": 2}'", ""]))
    assert run("s.stp", "--trace", "t.jsonl") == 2
    out, err = capsys.readouterr()
    assert out == ""  # line 1 did not run
    assert err == (
        "s.stp:40:6: error: no queue named 'jobQeue'\n"
        "    hint: did you mean jobQueue?\n"
        "s.stp: 1 line cannot run as written; no line ran\n"
    )
    assert not (files / "t.jsonl").exists()


def test_names_that_are_right_run(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "s.stp").write_text(
        "\n".join(
            [
                "fail worker next 1",
                "send jobQueue hi",
                "show queue jobQueue",
                "repeat 2 --every 1s send jobQueue 'n {i}'",
                "advance 2m",
                "redrive deadLetterQueue --to jobQueue",
                "expect queue.deadLetterQueue.depth == 0",
                "",
            ]
        )
    )
    assert run("s.stp") == 0
    assert "ok: queue.deadLetterQueue.depth == 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    "line",
    [
        "send jobQeue x",
        "send x jobQeue",
        "invoke workr",
        "fail workr always",
        "show queue jobQeue",
        "purge deadLeterQueue",
        "redrive deadLetterQueue --to jobQeue",
        "repeat 3 --every 1s send jobQeue x",
        "expect queue.jobQeue.depth == 1",
        "expect queue.jobQueue.dpth == 1",
        "pause workr",
        "pause workr --trigger jobQueue",
        "publish eventBuss src type",
        "upload uplods a.txt",
        "expect X foo 1",
        "expect jobQueue.depth 1",
    ],
)
def test_refused_ahead_as_at_its_turn(files: Path, line: str) -> None:
    # The same message, hint and column as the line gets when it runs: the command's own
    # lookups say it.
    ahead = check_written(session(files), line)
    with pytest.raises(CommandError) as turn:
        execute(session(files), line)
    assert ahead is not None
    assert ahead.format() == turn.value.format()
    assert ahead.located == turn.value.located


@pytest.mark.parametrize(
    "line",
    [
        "explain $last",  # an id: what the run made
        "send jobQueue $last",
        "repeat 3 --every 1s send 'jobQeue{i}' x",  # named per repetition
        "expect count message.sent jobQeue == 0",  # what records are on: the run's
        "expect count message.sent jobQeue 0",
        "publish default src type",  # the account's default bus, in no stack
        "expect metric.workr.Errors.Sum == 0",
        "source missing.stp",  # its lines are judged when it runs them
    ],
)
def test_what_the_run_names_is_not_refused_ahead(files: Path, line: str) -> None:
    assert check_written(session(files), line) is None


def other_session(files: Path) -> None:
    """other.json: a saved session of another stack, which has otherQueue."""
    (files / "other").mkdir()
    (files / "other" / "stacktape.yml").write_text(OTHER)
    s = Session.open(files / "other" / "stacktape.yml", start_ms=parse_instant(START))
    execute(s, "save other.json")


@pytest.mark.parametrize(
    "opening",
    [["load other.json"], ["source setup.stp"], ["source nested.stp"]],
)
def test_names_after_a_line_that_opens_another_stack_wait_for_their_turn(
    files: Path, opening: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    other_session(files)
    (files / "setup.stp").write_text("advance 1s\nload other.json\n")
    (files / "nested.stp").write_text("source setup.stp\n")
    (files / "s.stp").write_text("\n".join(["send jobQueue a", *opening, "send otherQueue b", ""]))
    assert run("s.stp") == 0
    assert "sent message" in capsys.readouterr().out.split("> send otherQueue b\n")[1]


def test_names_after_a_source_that_opens_no_stack_are_still_judged(files: Path) -> None:
    (files / "plain.stp").write_text("advance 1s\n")
    lines = [
        ScriptLine(n, line)
        for n, line in enumerate(["source plain.stp", "send jobQeue x", "reload", "send q x"], 1)
    ]
    found = unrunnable(session(files), lines)
    # Line 4 comes after `reload`, which reads the stack file again: left to its turn.
    assert [(p.line[0], p.error.message) for p in found] == [(2, "no queue named 'jobQeue'")]


def test_a_sourced_line_that_cannot_run_is_found_before_the_run_at_its_own_place(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "checks.stp").write_text("send jobQueue a\nsend jobQeue b\n")
    (files / "a.stp").write_text("advance 1s\nsource checks.stp\nsedn jobQueue c\n")
    (files / "b.stp").write_text("send jobQueue first\nsource a.stp\n")
    assert run("b.stp") == 2
    out, err = capsys.readouterr()
    assert out == ""  # not even b.stp's first line ran
    assert err == (
        "b.stp:2: note: sources a.stp\n"
        "a.stp:2: note: sources checks.stp\n"
        "checks.stp:2:6: error: no queue named 'jobQeue'\n"
        "    hint: did you mean jobQueue?\n"
        "b.stp:2: note: sources a.stp\n"
        "a.stp:3:1: error: unknown command 'sedn'\n"
        "    hint: did you mean send?\n"
        "b.stp: 2 lines cannot run as written; no line ran\n"
    )


def test_a_script_sourced_twice_or_by_itself_is_judged_once(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "checks.stp").write_text("send jobQeue b\n")
    (files / "s.stp").write_text("source checks.stp\nsource checks.stp\nsource s.stp\n")
    assert run("s.stp") == 2
    err = capsys.readouterr().err
    assert err.count("checks.stp:1:6: error: no queue named 'jobQeue'") == 1
    assert err.endswith("s.stp: 1 line cannot run as written; no line ran\n")


def test_a_failed_sourced_line_is_named_at_its_own_place(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What only the line's turn tells (an id the run never made, an expectation) is told
    # there, at the sourced line's own place.
    (files / "checks.stp").write_text("send jobQueue a\nexplain no-such-id\n")
    (files / "inner.stp").write_text("expect queue.jobQueue.depth == 5\n")
    (files / "a.stp").write_text("advance 1s\nsource checks.stp\n")
    (files / "b.stp").write_text("source a.stp\n")
    (files / "c.stp").write_text("advance 1s\n\nsource inner.stp\n")
    assert run("b.stp") == 2
    out, err = capsys.readouterr()
    assert "> send jobQueue a" in out
    assert err.startswith(
        "b.stp:1: note: sources a.stp\na.stp:2: note: sources checks.stp\nchecks.stp:2"
    )
    assert run("c.stp") == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "c.stp:3: note: sources inner.stp",
        "inner.stp:1: expectation failed: expected queue.jobQueue.depth == 5, actual 0",
    ]


def matchers() -> list[re.Pattern[str]]:
    """The problem matcher's regular expressions, as docs/ci.md gives them."""
    page = (ROOT / "docs" / "ci.md").read_text()
    block = page.split('"problemMatcher"', 1)[1]
    return [re.compile(r.replace("\\\\", "\\")) for r in re.findall(r'"regexp": "(.*)"', block)]


def test_the_documented_problem_matcher_marks_the_sourced_line(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "checks.stp").write_text("send jobQueue a\nsend jobQeue b\n")
    (files / "s.stp").write_text("advance 1s\nsource checks.stp\n")
    (files / "t.stp").write_text("advance 1s\nexpect X foo\n")
    marked = []
    for script in ("s.stp", "t.stp"):
        run(script)
        for line in capsys.readouterr().err.splitlines():
            for regex in matchers():
                if (m := regex.match(line)) is not None:
                    marked.append(m.groups()[:3])
    assert marked == [("checks.stp", "2", "6"), ("t.stp", "2", None)]


def misspelt_examples() -> list[str]:
    """Each example of `help`, with one word that names a resource of the stack misspelt
    (`send jobQueuezz ...`)."""
    from stptui.commands import REGISTRY
    from stptui.commands.names import FIXED_NAME_KINDS, bound_values
    from stptui.commands.registry import quote_word, tokenize

    lines = []
    for command in REGISTRY.commands.values():
        for example in command.examples:
            call = REGISTRY.parse(example)
            assert call is not None
            inner = call.args.get("command") if command.name == "repeat" else None
            target = REGISTRY.parse(" ".join(map(quote_word, inner))) if inner else call
            assert target is not None
            for kind, value, _, _ in bound_values(target):
                words = tokenize(example)
                if kind in FIXED_NAME_KINDS and value in words:
                    words[words.index(value)] = value + "zz"
                    lines.append(" ".join(map(quote_word, words)))
    return lines


def test_no_example_with_a_misspelt_name_is_refused_ahead_unless_its_turn_refuses_it() -> None:
    # The invariant the check keeps: a line refused before the run would be refused at its
    # turn too (never one that runs), and where its turn refuses the same word, in the
    # same words. (A line with two faults may be refused at its turn for the other first:
    # `upload uploadzz k --from missing.txt`.)
    stack = ROOT / "stptui" / "sample_stacks" / "combined"
    start = parse_instant(START)
    ahead_session = Session.open(stack, start_ms=start)
    lines = misspelt_examples()
    assert len(lines) > 60
    refused = 0
    for line in lines:
        ahead = check_written(ahead_session, line)
        if ahead is None:
            continue
        refused += 1
        with pytest.raises(CommandError) as turn:
            execute(Session.open(stack, start_ms=start), line)
        if turn.value.located is not None and turn.value.located == ahead.located:
            assert ahead.format() == turn.value.format(), line
    assert refused > 60


def test_the_repl_judges_a_pasted_name_as_the_run_does(files: Path) -> None:
    # The REPL's check before Enter asks the same lookups; after a `reload`, as after a
    # `load`, the pasted lines run on the stack it opens and wait for their turn.
    from stptui.repl.validator import check

    s = session(files)
    problem = check(s, "advance 1s\nsend jobQeue x")
    assert problem is not None
    ahead = check_written(s, "send jobQeue x")
    assert ahead is not None
    assert (problem.message, problem.hint) == ("line 2: " + ahead.message, ahead.hint)
    assert check(s, "reload\nsend otherQueue x") is None


@pytest.mark.parametrize(
    ("line", "said"),
    [
        # Words that name nothing: `==` before the value would not mend the line.
        ("expect X foo 1", "cannot read 'X foo' as a path"),
        ("expect jobQueue.depth 1", "unknown path 'jobQueue.depth'\n    hint: did you mean "),
        ("expect queue.jobQeue.depth 1", "no queue named 'jobQeue'\n    hint: did you mean"),
        # A path that reads: the line with the comparison it lacks.
        (
            "expect queue.jobQueue.depth 1",
            "expect needs OP\n    hint: put a comparison before the value: "
            "expect queue.jobQueue.depth == 1",
        ),
    ],
)
def test_a_missing_comparison_s_suggestion_names_what_the_path_can(
    files: Path, line: str, said: str
) -> None:
    with pytest.raises(CommandError) as turn:
        execute(session(files), line)
    assert turn.value.format().startswith(said)
    ahead = check_written(session(files), line)
    assert ahead is not None and ahead.format() == turn.value.format()


def test_a_view_show_does_not_have_is_refused_before_line_1_runs(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `show objects uploads`, `show dlq`: a view is a word of `show`'s own, the same at
    # every line, so a misspelt one on line 40 is as wrong before line 1, with its turn's
    # message and hint.
    lines = ["show messages deadLetterQueue", "show queus"]
    (files / "s.stp").write_text("\n".join([*GOOD, *lines, ""]))
    assert run("s.stp") == 2
    out, err = capsys.readouterr()
    assert out == ""  # line 1 did not run
    for line in lines:
        with pytest.raises(CommandError) as turn:
            execute(session(files), line)
        ahead = check_written(session(files), line)
        assert ahead is not None and ahead.format() == turn.value.format()
    assert err == (
        "s.stp:40:6: error: cannot show 'messages'\n"
        "    hint: 'deadLetterQueue' is an sqs-queue: show queue deadLetterQueue\n"
        "s.stp:41:6: error: cannot show 'queus'\n"
        "    hint: did you mean queues?\n"
        "s.stp: 2 lines cannot run as written; no line ran\n"
    )
