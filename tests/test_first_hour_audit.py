"""A new user's first hour, audited: `stptui` typed in a project folder opens that folder's
stack, a folder without one says what to give instead, `exit` at the prompt says how to
leave, and an `expect` path written without its kind gets the path meant. Each refusal
changes nothing."""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from session_checks import run_line

from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

REPO_ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = REPO_ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder holding the job-queue stack (no behaviours file), made current."""
    (tmp_path / "stacktape.yml").write_text((JOB_QUEUE / "stacktape.yml").read_text())
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def session() -> Session:
    return Session.open(JOB_QUEUE, start_ms=T0)


# -- no STACK: the current folder's, as Stacktape's CLI finds it --------------------------------


def test_stptui_alone_in_a_project_folder_opens_its_stack_not_the_demo(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(capsys, "--no-tui")
    assert rc == 0
    assert out.startswith("stack job-queue-demo-dev: 6 nodes")
    # The commands it lists name the file it opened.
    assert "  stptui validate stacktape.yml\n" in out


def test_validate_graph_and_init_without_a_stack_read_the_current_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out, _ = run(capsys, "validate")
    assert rc == 0
    assert out.splitlines()[-1].startswith("stacktape.yml: 6 resources; 0 errors")
    rc, out, _ = run(capsys, "graph", "--format", "mermaid")
    assert (rc, out.splitlines()[0]) == (0, "flowchart LR")
    rc, out, _ = run(capsys, "init")
    assert rc == 0
    assert out.startswith("wrote stptui.yml: ")
    assert (project / "stptui.yml").is_file()


def test_stacktape_yaml_is_found_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stacktape.yaml").write_text((JOB_QUEUE / "stacktape.yml").read_text())
    monkeypatch.chdir(tmp_path)
    rc, out, _ = run(capsys, "validate")
    assert rc == 0
    assert out.splitlines()[-1].startswith("stacktape.yaml: 6 resources")


def test_repl_without_a_stack_in_a_project_folder_drives_its_stack(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("show queues\n"))
    assert main(["repl", "--start", "2026-01-05T08:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "jobQueue" in out
    assert "notificationQueue" not in out  # the demo stack's


def test_a_sub_command_without_a_stack_in_an_empty_folder_says_what_to_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for sub in ("validate", "graph", "init"):
        with pytest.raises(SystemExit) as exc:
            main([sub])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert (
            f"stptui {sub}: error: no STACK given and no stacktape.yml in the current folder; "
            f"give one: stptui {sub} path/to/stacktape.yml"
        ) in err
    assert list(tmp_path.iterdir()) == []  # init wrote nothing


def test_stptui_alone_in_an_empty_folder_still_opens_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    rc, out, _ = run(capsys, "--no-tui")
    assert rc == 0
    assert out.startswith("stack background-jobs-demo-dev: ")


# -- a folder that holds no config ---------------------------------------------------------------


def test_a_folder_without_a_config_gets_a_hint_that_names_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(capsys, "validate", str(tmp_path))
    assert rc == 2
    assert err.splitlines() == [
        f"{tmp_path}: error file-unreadable: no stacktape.yml or stacktape.yaml in this directory",
        "    hint: give the path of a stacktape.yml or of the folder holding it; `stptui` "
        "alone opens a bundled demo stack",
    ]


def test_init_on_a_new_folder_says_it_does_not_write_the_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = run(capsys, "init", str(tmp_path))
    assert rc == 2
    assert err.splitlines()[-1] == (
        "stptui init: writes the behaviours file of an existing Stacktape config; it does not "
        "write the config"
    )
    assert list(tmp_path.iterdir()) == []


# -- leaving ----------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["exit", "quit", "q", "Exit", "bye", ":q"])
def test_a_word_that_leaves_other_shells_names_the_key_that_leaves(
    session: Session, word: str
) -> None:
    assert run_line(session, word) is None
    with pytest.raises(CommandError) as exc:
        execute(session, word)
    assert exc.value.message == f"unknown command {word!r}: no command leaves the session"
    assert exc.value.hint == (
        "Ctrl-D leaves the REPL, q the terminal UI; a script ends after its last line"
    )
    # Flagged as the line is typed, with the same words, and not as a misspelt `expect`.
    problem = check(session, word)
    assert problem is not None
    assert "expect" not in problem.format()
    assert "Ctrl-D leaves the REPL" in problem.format()


@pytest.mark.parametrize(
    ("word", "why", "hint"),
    [
        ("clear", "the screen is the terminal's", "Ctrl-L clears the REPL's screen"),
        ("history", "the history is the prompt's", "Ctrl-R searches it"),
        ("ls", "`show` lists what the stack holds", "`help show` lists every view"),
        ("reset", "no command starts the session over", "`undo N` takes back"),
    ],
)
def test_a_word_from_a_shell_names_what_does_it_here(
    session: Session, word: str, why: str, hint: str
) -> None:
    assert run_line(session, word) is None
    with pytest.raises(CommandError) as exc:
        execute(session, word)
    assert exc.value.message == f"unknown command {word!r}: {why}"
    assert hint in exc.value.hint


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("send-message jobQueue hi", "send"),
        ("put-events default a b", "publish"),
        ("put-object uploads k", "upload"),
        ("delete-object uploads k", "delete"),
        ("sns-publish alerts hi", "publish-sns"),
        ("wait 5s", "advance"),
        ("sleep 5s", "advance"),
    ],
)
def test_an_aws_cli_name_gets_the_command_that_makes_the_call(
    session: Session, typed: str, meant: str
) -> None:
    # The nearest spellings were wrong leads: put-record, delete-item, publish, step.
    assert run_line(session, typed) is None
    with pytest.raises(CommandError) as exc:
        execute(session, typed)
    assert exc.value.hint.startswith(f"did you mean {meant}? usage: {meant} ")


# -- expect paths without their kind -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("worker.invocations", "did you mean function.worker.invocations?"),
        ("jobQueue.depth", "did you mean queue.jobQueue.depth?"),
        ("deadLetterQueue.dept", "did you mean queue.deadLetterQueue.depth?"),
        # Another word for the kind, or AWS's metric name: the resource says which is meant.
        ("lambda.worker.errors", "did you mean function.worker.failures?"),
        ("sqs.jobQueue.depth", "did you mean queue.jobQueue.depth?"),
        ("worker.Errors", "did you mean function.worker.failures?"),
        (
            "jobQueue.size",
            "one of queue.jobQueue.visible, queue.jobQueue.in_flight, "
            "queue.jobQueue.delayed, queue.jobQueue.depth",
        ),
        (
            "worker",
            "one of function.worker.invocations, function.worker.successes, "
            "function.worker.failures, function.worker.throttles, function.worker.running",
        ),
    ],
)
def test_an_expect_path_without_its_kind_gets_the_path_meant(
    session: Session, path: str, hint: str
) -> None:
    line = f"expect {path} == 1"
    assert run_line(session, line) is None
    with pytest.raises(CommandError) as exc:
        execute(session, line)
    assert exc.value.message == f"unknown path {path!r}"
    assert exc.value.hint == hint


def test_a_path_with_another_word_for_its_kind_gets_the_path_meant(tmp_path: Path) -> None:
    # `execution.` for a state machine's executions and `batch.` for a batch job's: the
    # hint listed every path of every kind, the one meant among them.
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  report:\n"
        "    type: batch-job\n"
        "    properties:\n"
        "      container:\n"
        "        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      resources: {cpu: 1, memory: 2048}\n"
        "  flow:\n"
        "    type: state-machine\n"
        "    properties:\n"
        "      definition:\n"
        "        StartAt: Done\n"
        "        States: {Done: {Type: Succeed}}\n",
        encoding="utf-8",
    )
    session = Session.open(
        tmp_path / "stacktape.yml", start_ms=parse_instant("2026-01-05T08:00:00Z")
    )
    for path, meant in (
        ("execution.flow.failed", "state_machine.flow.failed"),
        ("stateMachine.flow.succeded", "state_machine.flow.succeeded"),
        ("batch.report.succeeded", "job.report.succeeded"),
    ):
        line = f"expect {path} == 0"
        assert run_line(session, line) is None
        with pytest.raises(CommandError) as exc:
            execute(session, line)
        assert exc.value.hint == f"did you mean {meant}?"
        assert execute(session, f"expect {meant} == 0").text == f"ok: {meant} == 0 (actual 0)"


def test_the_path_a_hint_names_runs(session: Session) -> None:
    with pytest.raises(CommandError) as exc:
        execute(session, "expect worker.invocations == 0")
    meant = exc.value.hint.removeprefix("did you mean ").removesuffix("?")
    result = execute(session, f"expect {meant} == 0")
    assert result.text == f"ok: {meant} == 0 (actual 0)"


def test_a_path_that_names_no_resource_still_lists_the_paths(session: Session) -> None:
    with pytest.raises(CommandError) as exc:
        execute(session, "expect nothing.depth == 0")
    assert exc.value.hint.startswith("paths: queue.Q.visible|")


# -- show ---------------------------------------------------------------------------------------


def test_show_alone_names_a_few_views_in_a_line_that_fits_80_columns(session: Session) -> None:
    assert run_line(session, "show") is None
    with pytest.raises(CommandError) as exc:
        execute(session, "show")
    assert exc.value.message == "show needs WHAT"
    assert len(f"    hint: {exc.value.hint}") <= 100
    for view in ("show queues", "show functions", "`help show`"):
        assert view in exc.value.hint
    # Each view the hint names runs.
    for view in ("show queues", "show functions", "show agenda", "show trace 20"):
        execute(session, view)


def test_show_rules_without_a_load_balancer_points_at_eventbridge_rules() -> None:
    session = Session.open(REPO_ROOT / "stptui" / "sample_stacks" / "event-driven", start_ms=T0)
    text = execute(session, "show rules").text
    assert text.splitlines() == [
        "this stack has no application load balancers",
        "EventBridge rules are in `show buses` and `show schedules`",
    ]
    assert "emailService" in render_plain(execute(session, "show buses"))


# -- a fail rule written as a bare value --------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("3", "e.g. fail: {first: 3}"),
        ("1", "e.g. fail: {first: 1}"),
        ("0.25", "e.g. fail: {rate: 0.25}"),
        ("'body.amount > `5`'", 'e.g. fail: {when: "body.amount > `5`"}'),
        ("crash", "e.g. fail: {rate: 0.3}"),
        ("-2", "e.g. fail: {rate: 0.3}"),
    ],
)
def test_a_bare_fail_value_gets_the_rule_it_most_likely_means(
    project: Path, capsys: pytest.CaptureFixture[str], written: str, hint: str
) -> None:
    (project / "stptui.yml").write_text(f"behaviors:\n  worker:\n    fail: {written}\n")
    rc, out, _ = run(capsys, "validate")
    assert rc == 1
    assert (
        "stptui.yml:3:11: error behavior-bad-value [worker]: a fail rule is a mapping with one "
        f"of rate, first, always, when\n    hint: {hint}\n"
    ) in out
    # The hint's rule is one the file accepts.
    if "{rate: 0.3}" not in hint:
        rule = hint.removeprefix("e.g. ")
        (project / "stptui.yml").write_text(f"behaviors:\n  worker:\n    {rule}\n")
        assert run(capsys, "validate")[0] == 0


# -- match and schedule: what was meant ----------------------------------------------------------


def test_match_given_file_names_without_at_says_to_write_the_at(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO_ROOT)
    pattern, event = "docs/examples/order-pattern.json", "docs/examples/order-event.json"
    rc, out, err = run(capsys, "match", pattern, event)
    assert (rc, out) == (2, "")
    assert err.rstrip().endswith(f"; to read the file, write @{pattern}")
    # The line the advice makes runs.
    rc, out, _ = run(capsys, "match", f"@{pattern}", f"@{event}")
    assert (rc, out.splitlines()[0]) == (1, "no match")
    # A file name of no file here (a typo, another folder) gets the advice and the news
    # that the file is not here, which `@nothing.json` would only give next.
    rc, _, err = run(capsys, "match", "nothing.json", "{}")
    assert rc == 2
    assert err.rstrip().endswith(
        "; to read a file, write @FILE (there is no file nothing.json here)"
    )
    # Other text that is not JSON gets neither.
    rc, _, err = run(capsys, "match", "orders", "{}")
    assert rc == 2
    assert "@" not in err


@pytest.mark.parametrize(
    ("written", "advice"),
    [
        ("0 9 * * ? *", "; did you mean cron(0 9 * * ? *)?"),
        ("5 minutes", "; did you mean rate(5 minutes)?"),
        ("0 9 * * 1", "; AWS's cron has six fields, the year last, e.g. cron(0 9 * * ? *)"),
        ("hourly", ", e.g. rate(5 minutes) or cron(0 9 * * ? *)"),
        # Words that are no cron's or rate's fields get no such lead: it would be refused.
        ("run it every five minutes ok", ", e.g. rate(5 minutes) or cron(0 9 * * ? *)"),
        ("0 9 * * 1 2027x", ", e.g. rate(5 minutes) or cron(0 9 * * ? *)"),
        ("5 bananas", ", e.g. rate(5 minutes) or cron(0 9 * * ? *)"),
        ("every day at nine am", ", e.g. rate(5 minutes) or cron(0 9 * * ? *)"),
    ],
)
def test_schedule_fields_without_cron_or_rate_get_the_expression_meant(
    capsys: pytest.CaptureFixture[str], written: str, advice: str
) -> None:
    rc, _, err = run(capsys, "schedule", written)
    assert rc == 2
    assert err == (
        f"stptui schedule: invalid schedule: '{written}' is not a schedule; expected cron(...) "
        f"or rate(...){advice}\n"
    )
    if advice.startswith("; did you mean "):
        meant = advice.removeprefix("; did you mean ").removesuffix("?")
        rc, out, _ = run(capsys, "schedule", meant, "-n", "1", "--after", "2026-01-05T00:00:00Z")
        assert rc == 0
        assert out.startswith("2026-01-05T")


# -- every sub-command's --help ends with examples that run ---------------------------------------

SUBCOMMANDS_WITH_EXAMPLES = ("init", "validate", "graph", "run", "repl", "match", "schedule")


def help_examples(sub: str) -> list[str]:
    """The command lines of `stptui SUB --help`'s examples, their comments left out."""
    out = subprocess.run(
        [sys.executable, "-m", "stptui", sub, "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "80"},
    ).stdout
    examples = out.split("\nexamples:\n", 1)[1]
    lines = examples.splitlines()
    assert all(line.startswith("  stptui ") or " | stptui " in line for line in lines), lines
    assert max(len(line) for line in lines) <= 80
    return [re.sub(r"\s+# .*$", "", line.strip()) for line in lines]


@pytest.mark.parametrize("sub", SUBCOMMANDS_WITH_EXAMPLES)
def test_each_help_example_runs_in_a_project_folder(tmp_path: Path, sub: str) -> None:
    (tmp_path / "stacktape.yml").write_text((JOB_QUEUE / "stacktape.yml").read_text())
    (tmp_path / "demo.stp").write_text((JOB_QUEUE / "demo.stp").read_text())
    # The scenarios `run`'s example runs in turn (`tests/*.stp`).
    (tmp_path / "tests").mkdir()
    for name in ("orders", "retries"):
        (tmp_path / "tests" / f"{name}.stp").write_text((JOB_QUEUE / "demo.stp").read_text())
    if sub != "init":  # init refuses to write over a behaviours file
        (tmp_path / "stptui.yml").write_text((JOB_QUEUE / "stptui.yml").read_text())
    for name in ("pattern", "event"):
        text = (REPO_ROOT / "docs" / "examples" / f"order-{name}.json").read_text()
        (tmp_path / f"{name}.json").write_text(text)
    stptui = f"{shlex.quote(sys.executable)} -m stptui"
    for line in help_examples(sub):
        if "| dot " in line and shutil.which("dot") is None:
            line = line.split(" | dot ", 1)[0]
        done = subprocess.run(
            re.sub(r"(^|\| )stptui ", rf"\g<1>{stptui} ", line),
            shell=True,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        # `match` exits 1 on no match, by design; everything else here succeeds.
        assert done.returncode in ((0, 1) if sub == "match" else (0,)), (line, done.stderr)
        assert "Traceback" not in done.stderr


# -- init says how to use what it wrote ------------------------------------------------------------


def test_init_names_the_repl_line_that_reads_the_file_it_wrote(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rc, out, _ = run(capsys, "init")
    assert rc == 0
    assert out.splitlines()[-1] == (
        "next: edit it, then `stptui repl stacktape.yml` runs the stack with it"
    )
    # Written elsewhere, the file is not read unless named: the line names it.
    rc, out, _ = run(capsys, "init", "--out", "starter.yml", "--stage", "prod")
    assert rc == 0
    line = out.splitlines()[-1]
    assert line == (
        "next: edit it, then `stptui repl stacktape.yml --stage prod --behaviors starter.yml` "
        "runs the stack with it"
    )
    # The line runs, on the file written: its placeholder answer is the route's.
    words = shlex.split(line.split("`")[1])
    monkeypatch.setattr("sys.stdin", io.StringIO("http GET /x\n"))
    (project / "stptui.yml").write_text("behaviors: {}\n")  # not the one read
    assert main([*words[1:], "--start", "2026-01-05T08:00:00Z"]) == 0
    assert '{"ok": true}' in capsys.readouterr().out


# -- objects named as the AWS CLI names them ---------------------------------------------------


@pytest.fixture
def files() -> Session:
    return Session.open(REPO_ROOT / "stptui" / "sample_stacks" / "file-processing", start_ms=T0)


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ("upload s3://uploads/incoming/a.csv --content hi", "upload uploads incoming/a.csv"),
        ("delete s3://uploads/incoming/a.csv", "delete uploads incoming/a.csv"),
        ("restore s3://uploads", "restore uploads KEY"),
    ],
)
def test_an_s3_uri_gets_the_bucket_and_key_as_two_words(
    files: Session, line: str, hint: str
) -> None:
    assert run_line(files, line) is None
    with pytest.raises(CommandError) as exc:
        execute(files, line)
    command = line.split()[0]
    assert exc.value.message == (
        f"{command} takes the bucket and the key as two words, not an S3 URI"
    )
    assert exc.value.hint == f"write them apart: {hint}"


def test_the_upload_the_hint_writes_runs(files: Session) -> None:
    result = execute(files, "upload uploads incoming/a.csv --content hi")
    assert "-> fileProcessor" in result.text


def test_show_bucket_with_an_s3_uri_names_the_bucket(files: Session) -> None:
    with pytest.raises(CommandError) as exc:
        execute(files, "show bucket s3://uploads")
    assert exc.value.hint == "name it as the stack does: uploads"
