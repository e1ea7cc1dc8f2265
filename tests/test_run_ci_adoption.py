"""What a team putting `stptui run` in CI runs into: a scenario run from another folder
than the one its `source` paths were written from, a folder or an unmatched shell pattern
given as the scripts, a piped REPL given `stptui run`'s options, a figure drawn from the
seed failing when the seed changes, a session saved in CI loaded in a checkout, the problem
matcher of docs/ci.md on the gate's findings, and the hint of a response's failed check."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import execute
from stptui.commands.registry import CommandError
from stptui.commands.session import Session
from stptui.sim.clock import iso_ms, parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"

# A consumer that fails at random: the count of its failures is the seed's.
FLAKY_STACK = """\
resources:
  jobQueue:
    type: sqs-queue
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: jobQueue, batchSize: 1}
"""
FLAKY_BEHAVIORS = """\
behaviors:
  worker:
    fail: {rate: 0.5, error: Throttled}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose scenarios source a shared setup by its path from the root."""
    shutil.copytree(JOB_QUEUE, tmp_path / "services" / "jobs")
    tests = tmp_path / "tests" / "jobs"
    (tests / "lib").mkdir(parents=True)
    (tests / "lib" / "setup.stp").write_text("send jobQueue '{\"orderId\": 1}'\n")
    (tests / "one.stp").write_text(
        "source tests/jobs/lib/setup.stp\nadvance 10s\nexpect function.worker.successes == 1\n"
    )
    (tests / "two.stp").write_text("advance 1s\n")
    return tmp_path


def test_a_sourced_path_written_from_the_repository_root_names_that_folder(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scenario passes from the root; run from a folder inside the repository it got
    # only "give the path of a script file you can read".
    monkeypatch.chdir(repo)
    assert main(["run", "services/jobs", "tests/jobs/one.stp", "--start", START]) == 0
    capsys.readouterr()
    monkeypatch.chdir(repo / "services")
    assert main(["run", "jobs", "../tests/jobs/one.stp", "--start", START]) == 2
    assert capsys.readouterr().err == (
        "../tests/jobs/one.stp:1: error: cannot read tests/jobs/lib/setup.stp: No such file "
        "or directory\n"
        "    hint: a path is read from the current folder, and the script's paths start at "
        "..: run from there (cd ..)\n"
        "../tests/jobs/one.stp: 2 more lines not run, from line 2\n"
    )


def test_a_folder_given_as_the_scripts_names_the_scripts_in_it(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pytest tests/` runs a folder; `stptui run STACK tests/jobs` said only "not a regular
    # file", in the log and in the JUnit report's error.
    monkeypatch.chdir(repo)
    code = main(["run", "services/jobs", "tests/jobs", "--start", START, "--junit", "r.xml"])
    assert code == 2
    said = (
        "tests/jobs: cannot read the script: not a regular file\n"
        "    hint: a folder: give its scripts, tests/jobs/*.stp (2 scripts there)\n"
    )
    assert capsys.readouterr().err == said
    error = ET.parse("r.xml").getroot().find("testsuite/testcase/error")
    assert error is not None and error.text == said.rstrip("\n")
    assert error.get("message") == "tests/jobs: cannot read the script: not a regular file"
    (repo / "empty").mkdir()
    assert main(["run", "services/jobs", "empty/", "--start", START]) == 2
    assert capsys.readouterr().err.endswith("    hint: a folder, with no *.stp file in it\n")


def test_a_pipe_given_as_the_script_is_pointed_to_the_dash(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `stptui run STACK /dev/stdin` (or a named pipe) said only "not a regular file".
    monkeypatch.chdir(repo)
    os.mkfifo("pipe")
    assert main(["run", "services/jobs", "pipe", "--start", START]) == 2
    assert capsys.readouterr().err == (
        "pipe: cannot read the script: not a regular file\n"
        "    hint: to read the script from standard input, give - in its place: "
        "... | stptui run STACK -\n"
    )


def test_a_shell_pattern_that_matched_no_script_is_said_to_be_one(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A shell passes `tests/job/*.stp` on as it is when no file matches it.
    monkeypatch.chdir(repo)
    assert main(["run", "services/jobs", "tests/job/*.stp", "--start", START]) == 2
    assert capsys.readouterr().err == (
        "tests/job/*.stp: cannot read the script: No such file or directory\n"
        "    hint: no file matches this pattern: a shell passes a pattern that matches "
        "nothing on as it is written\n"
    )
    # A plain name that is missing keeps the one line it had.
    assert main(["run", "services/jobs", "tests/jobs/three.stp", "--start", START]) == 2
    assert capsys.readouterr().err == (
        "tests/jobs/three.stp: cannot read the script: No such file or directory\n"
    )


def test_a_pattern_the_shell_left_is_expanded_sorted_as_ci_on_windows_needs(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PowerShell and cmd expand no pattern, nor does a quoted one in bash: `tests/jobs/*.stp`
    # reached stptui as it is and was refused as a script no file is called.
    monkeypatch.chdir(repo)
    (repo / "tests" / "jobs" / "a.stp").write_text("advance 2s\n")
    argv = ["run", "services/jobs", "tests/jobs/*.stp", "--start", START, "--junit", "r.xml"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    heads = [line for line in out.splitlines() if line.startswith("==> ")]
    # In the order of their names, whatever order the folder lists them in.
    assert heads == [
        "==> tests/jobs/a.stp <==",
        "==> tests/jobs/one.stp <==",
        "==> tests/jobs/two.stp <==",
    ]
    suites = ET.parse("r.xml").getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [h[4:-4] for h in heads]
    # `**` goes into folders at any depth, as bash's globstar does.
    assert main(["run", "services/jobs", "tests/**/*.stp", "--start", START]) == 0
    heads = [line for line in capsys.readouterr().out.splitlines() if line.startswith("==> ")]
    assert heads == [
        "==> tests/jobs/a.stp <==",
        "==> tests/jobs/lib/setup.stp <==",
        "==> tests/jobs/one.stp <==",
        "==> tests/jobs/two.stp <==",
    ]
    # A file whose very name holds pattern characters is that file.
    (repo / "tests" / "jobs" / "[x].stp").write_text("advance 1s\n")
    assert main(["run", "services/jobs", "tests/jobs/[x].stp", "--start", START]) == 0
    assert "==>" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["repl", "services/jobs", "--junit", "r.xml", "--vi"],
            "stptui run services/jobs --junit r.xml -",
        ),
        (["repl", "--keep-going", "--seed", "3"], "stptui run --keep-going --seed 3 -"),
        (
            ["repl", "services/jobs", "--save-on-failure=s.json"],
            "stptui run services/jobs --save-on-failure=s.json -",
        ),
    ],
)
def test_a_piped_repl_given_an_option_of_run_is_shown_the_run_line(
    repo: Path,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    line: str,
) -> None:
    # `stptui repl STACK --junit r.xml < s.stp` in a CI step: the REPL has no report, and
    # said only "unrecognized arguments".
    monkeypatch.chdir(repo)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    option = next(w for w in argv if w.startswith("--") and w != "--vi").split("=")[0]
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"  hint: {option} is an option of `stptui run`, which runs a script from standard "
        f"input as a piped REPL does: {line}"
    )


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        # `--junit` misspelt: the REPL's own nearest option, `--vi`, was offered.
        (
            ["repl", "services/jobs", "--jnit", "r.xml", "--vi"],
            "did you mean --junit? --junit is an option of `stptui run`, which runs a script "
            "from standard input as a piped REPL does: stptui run services/jobs --junit r.xml -",
        ),
        (["run", "--vi", "s.stp"], "--vi is an option of `stptui repl`"),
        (["validate", "--junit", "r.xml"], "--junit is an option of `stptui run`"),
        (["--jnit", "r.xml"], "did you mean --junit? --junit is an option of `stptui run`"),
        (
            ["validate", "--sede", "1"],
            "did you mean --seed? --seed is an option of `stptui` (the terminal UI), "
            "`stptui run` and `stptui repl`",
        ),
        # The command's own option still comes first when it is the nearer.
        (["repl", "--stgae", "prod"], "did you mean --stage?"),
        (["graph", "--fromat", "json"], "did you mean --format?"),
        # By spelling alone `--count` is `stptui init`'s `--out`.
        (["schedule", "rate(1 hour)", "--count", "3"], "did you mean -n?"),
    ],
)
def test_a_misspelt_option_is_guessed_among_every_sub_commands_options(
    repo: Path,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    hint: str,
) -> None:
    monkeypatch.chdir(repo)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"  hint: {hint}"


def test_the_run_line_a_piped_repl_is_shown_runs_the_script(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    script = "send jobQueue x\nadvance 10s\nexpect function.worker.successes == 2\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    argv = ["run", "services/jobs", "--junit", "r.xml", "--start", START, "-"]
    assert main(argv) == 1
    assert "<stdin>:3: expectation failed" in capsys.readouterr().err
    assert ET.parse("r.xml").getroot().get("failures") == "1"


@pytest.fixture
def flaky(tmp_path: Path) -> Path:
    (tmp_path / "stacktape.yml").write_text(FLAKY_STACK)
    (tmp_path / "stptui.yml").write_text(FLAKY_BEHAVIORS)
    (tmp_path / "s.stp").write_text(
        "repeat 20 --every 1s send jobQueue x\nadvance 1m\n"
        "expect count invocation.failed worker error=Throttled == 11\n"
    )
    return tmp_path


def test_a_failed_count_drawn_from_the_seed_says_it_holds_for_that_seed(
    flaky: Path, capsys: pytest.CaptureFixture
) -> None:
    # Written on seed 0 and run on seed 5, the count reads as a flaky test: the failure now
    # says that the figures are the seed's.
    argv = ["run", str(flaky), str(flaky / "s.stp"), "--start", START]
    assert main([*argv, "--seed", "0"]) == 0
    capsys.readouterr()
    assert main([*argv, "--seed", "5"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        "    hint: the run drew random numbers (a `rate`, a duration range): on another seed "
        "than 5 its figures may differ; run with the --seed the script was written for, or "
        "expect a bound"
    )


def test_a_failed_expect_of_a_run_that_drew_nothing_has_no_seed_note(
    capsys: pytest.CaptureFixture,
) -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant(START))
    execute(session, "send jobQueue '{\"orderId\": 1}'")
    execute(session, "advance 10s")
    with pytest.raises(CommandError) as exc:
        execute(session, "expect function.worker.successes == 2")
    assert "seed" not in (exc.value.hint or "")


def test_a_session_saved_away_from_its_stack_loads_in_a_copy_of_the_stack(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI saves the session into its artifacts folder, not beside the stack, so the file
    # names the stack by the runner's full path; downloaded into a checkout elsewhere,
    # `stptui repl STACK` then `load` (the lines the run prints) said the stack is missing.
    ci = repo / "runner"
    shutil.copytree(repo / "services", ci / "services")
    shutil.copytree(repo / "tests", ci / "tests")
    (ci / "out").mkdir()
    monkeypatch.chdir(ci)
    Path("tests/jobs/dlq.stp").write_text(
        'send jobQueue \'{"orderId": 1, "amount": 5000}\'\nadvance 6m\n'
        "expect queue.deadLetterQueue.depth == 1\n"
    )
    argv = ["run", "services/jobs", "tests/jobs/dlq.stp", "--start", START]
    assert main([*argv, "--save-on-failure", "out/dlq.json"]) == 1
    capsys.readouterr()
    saved = json.loads(Path("out/dlq.json").read_text())
    assert saved["stack"] == str(ci / "services" / "jobs" / "stacktape.yml")
    artifact = repo / "downloads" / "dlq.json"
    artifact.parent.mkdir()
    shutil.move("out/dlq.json", artifact)
    shutil.rmtree(ci)

    checkout = Session.open(repo / "services" / "jobs", start_ms=parse_instant(START))
    execute(checkout, f"load {artifact}")
    assert checkout.log == saved["commands"]
    assert iso_ms(checkout.sim.clock.now) == saved["now"] == "2026-01-05T08:06:00.000Z"
    assert "1 in flight" in execute(checkout, "show queue jobQueue").text
    assert checkout.behaviors_path == repo / "services" / "jobs" / "stptui.yml"

    # A stack with other bytes is no copy: the session is refused, and the hint says what
    # would load it.
    other = Session.open(ROOT / "stptui" / "sample_stacks" / "batch-job")
    with pytest.raises(CommandError) as exc:
        execute(other, f"load {artifact}")
    assert "cannot read the saved session's stack" in exc.value.message
    assert exc.value.hint == (
        "the session names the stack by its full path: put the file there, or open a copy of "
        "it (the same bytes) and load the session there: its folder's files are then read "
        "from the copy's"
    )


def test_a_session_with_python_handlers_loads_in_a_copy_with_its_modules(
    flaky: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The handler modules the session's digests name are read from the copy's folder too,
    # and --allow-code trusts the copy's behaviours file, the one the REPL was opened with.
    ci = tmp_path / "ci"
    ci.mkdir()
    (tmp_path / "out").mkdir()
    (ci / "stacktape.yml").write_text(FLAKY_STACK)
    (ci / "stptui.yml").write_text("behaviors:\n  worker:\n    handler: work:handle\n")
    (ci / "work.py").write_text("def handle(event, context):\n    return None\n")
    monkeypatch.chdir(ci)
    (ci / "s.stp").write_text(
        "send jobQueue x\nadvance 1s\nexpect function.worker.successes == 2\n"
    )
    argv = ["run", ".", "s.stp", "--start", START, "--allow-code"]
    assert main([*argv, "--save-on-failure", str(tmp_path / "out" / "s.json")]) == 1
    saved = json.loads((tmp_path / "out" / "s.json").read_text())
    assert list(saved["code_sha256"]) == [str(ci / "work.py")]
    checkout = tmp_path / "checkout"
    ci.rename(checkout)
    session = Session.open(checkout, start_ms=parse_instant(START), allow_code=True)
    execute(session, f"load {tmp_path / 'out' / 's.json'}")
    assert session.log == saved["commands"]
    (checkout / "work.py").write_text("def handle(event, context):\n    return 1\n")
    with pytest.raises(CommandError) as exc:
        execute(session, f"load {tmp_path / 'out' / 's.json'}")
    assert exc.value.message == (
        f"the handler module {checkout / 'work.py'} changed since the session was saved"
    )


def problem_matchers() -> list[tuple[str, re.Pattern[str], dict[str, int]]]:
    """The problem matcher of docs/ci.md: (owner, regexp, its groups) of each pattern, read
    as GitHub reads the JSON."""
    page = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    block = page.split("```json\n", 1)[1].split("```", 1)[0]
    found = []
    for matcher in json.loads(block)["problemMatcher"]:
        (pattern,) = matcher["pattern"]
        groups = {k: v for k, v in pattern.items() if k != "regexp"}
        found.append((matcher["owner"], re.compile(pattern["regexp"]), groups))
    return found


def test_the_documented_problem_matcher_marks_validate_errors_and_warnings(
    capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The matcher read `stptui run`'s lines only: the gate's findings, and those of the
    # stack a run opens, went unmarked.
    monkeypatch.chdir(ROOT)
    assert main(["validate", "docs/examples/job-queue-guide.yml"]) == 1
    marked = []
    for line in capsys.readouterr().out.splitlines():
        for owner, regexp, groups in problem_matchers():
            if (m := regexp.match(line)) is not None:
                marked.append((owner, *(m[groups[k]] for k in ("severity", "code", "line"))))
    assert marked == [
        ("stptui-validate", "warning", "missing-gateway-name", "13"),
        ("stptui-validate", "error", "missing-resource", "46"),
    ]
    run_error = "s.stp:2:6: error: no queue named 'jobQeue'"
    assert [o for o, r, _ in problem_matchers() if r.match(run_error)] == ["stptui-error"]


def test_a_failed_status_of_an_answered_request_has_no_advance_0_note() -> None:
    # docs/ci.md checks a response by its request (`request_id=$last`); the API's send to
    # the queue is due at that instant, and the hint said `advance 0` would run it, which
    # can add no response to a request already answered.
    session = Session.open(JOB_QUEUE, start_ms=parse_instant(START))
    execute(session, "http POST /jobs '{\"orderId\": 1}'")
    assert session.sim.clock.due_now() >= 1
    with pytest.raises(CommandError) as exc:
        execute(session, "expect count http.response httpApi request_id=$last status=200 == 1")
    assert (
        exc.value.hint == "no http.response record on httpApi has status=200; they have status=202"
    )
    # A count of what the due work makes still gets the note.
    with pytest.raises(CommandError) as exc:
        execute(session, "expect count message.received jobQueue == 1")
    assert (exc.value.hint or "").endswith("`advance 0` runs it")


@pytest.mark.parametrize(
    "scripts", [["tests/jobs/one.stp"], ["tests/jobs/one.stp", "tests/jobs/two.stp"]]
)
def test_a_junit_report_named_per_script_is_refused_before_the_run(
    repo: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, scripts: list[str]
) -> None:
    # `{name}` names a file per script for --trace and --save-on-failure; given to --junit
    # it wrote one report named `{name}.xml`, which a reporter's `reports/*.xml` finds but
    # no one looks for.
    monkeypatch.chdir(repo)
    (repo / "reports").mkdir()
    argv = ["run", "services/jobs", *scripts, "--start", START, "--junit", "reports/{name}.xml"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "reports/{name}.xml: --junit writes one report (a test suite for each script): {name} "
        "is for --trace and --save-on-failure; name one file, e.g. --junit report.xml\n"
    )
    assert list((repo / "reports").iterdir()) == []
