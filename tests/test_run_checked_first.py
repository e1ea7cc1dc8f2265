"""`stptui run` checks a script's lines before the first runs: every line that cannot run
as written is named, and none runs (exit 2). A typo on line 40 of a CI scenario costs
neither the run of lines 1 to 39 nor a second run for the next typo. What only the line's
turn can tell (a name, a value, `$last`, an `expect PATH`'s value now) is left to it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import Session, check_written
from stptui.sim.clock import parse_instant
from tests.test_run_junit import parse

START = "2026-01-05T08:00:00Z"
STACK = """\
serviceName: checked
resources:
  jobQueue:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {targetSqsQueueName: deadLetterQueue, maxReceiveCount: 3}
  deadLetterQueue:
    type: sqs-queue
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: jobQueue, batchSize: 1}
"""
# 39 lines that run, then two that cannot run as written (lines 40 and 42).
GOOD = ["fail worker always", "send jobQueue '{\"jobId\": 1}'"] + ["advance 10s"] * 37
SCRIPT = "\n".join(
    [
        *GOOD,
        "expect queue.deadLetterQueue.depth = 1",
        "expect count message.dead_lettered jobQueue == 1",
        "sedn jobQueue '{\"jobId\": 2}'",
        "expect queue.jobQueue.depth == 0",
    ]
)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "s.stp").write_text(SCRIPT + "\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*extra: str, script: str = "s.stp") -> int:
    return main(["run", "stacktape.yml", script, "--start", START, *extra])


def test_lines_that_cannot_run_are_named_and_none_runs(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run("--trace", "t.jsonl", "--save-on-failure", "s.json")
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""  # not one line ran
    assert err == (
        "s.stp:40:36: error: unknown comparison '='\n"
        "    hint: did you mean ==?\n"
        "s.stp:42:1: error: unknown command 'sedn'\n"
        "    hint: did you mean send?\n"
        "s.stp: 2 lines cannot run as written; no line ran\n"
    )
    # Nothing ran: no trace, and no session (it would hold nothing).
    assert not (files / "t.jsonl").exists()
    assert not (files / "s.json").exists()


def test_a_quote_never_closed_is_found_at_its_line_before_the_run(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An open quote carries a command on to the next lines: one left open at the end is
    # the script's last command, named at the line it opened on.
    (files / "q.stp").write_text("\n".join([*GOOD, 'send jobQueue \'{"jobId": 2}', ""]))
    assert run(script="q.stp") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("q.stp:40:15: error: cannot split the line: no closing quotation\n")
    assert err.endswith("q.stp: 1 line cannot run as written; no line ran\n")


def test_the_report_has_an_error_per_line_and_the_other_expect_lines_skipped(
    files: Path,
) -> None:
    assert run("--junit", "r.xml") == 2
    suite = parse(files / "r.xml")
    cases = [
        (c.get("line"), next((x.tag for x in c), "passed"), c.get("name"))
        for c in suite.findall("testcase")
    ]
    assert cases == [
        ("40", "error", "expect queue.deadLetterQueue.depth = 1"),
        ("41", "skipped", "expect count message.dead_lettered jobQueue == 1"),
        ("42", "error", "sedn jobQueue '{\"jobId\": 2}'"),
        ("43", "skipped", "expect queue.jobQueue.depth == 0"),
    ]
    first = suite.find("testcase/error")
    assert first is not None
    assert first.get("message") == "unknown comparison '=' (column 36)"
    skipped = suite.find("testcase/skipped")
    assert skipped is not None
    assert skipped.get("message") == "not run: s.stp has lines that cannot run as written"


def test_what_only_the_line_s_turn_tells_stops_the_run_there(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An id, a value that does not read, an `expect PATH` whose hint is the value at its
    # line: the lines before them run.
    for n, line, said in (
        (1, "explain 1bfa4e77", "s2.stp:2:9: error: nothing in the trace mentions '1bfa4e77'"),
        (2, "advance 10", "s2.stp:2:9: error: advance: the duration '10' has no unit"),
        (3, "expect queue.jobQueue.depth", "s2.stp:2: error: expect needs OP"),
    ):
        (files / "s2.stp").write_text(f"send jobQueue hi\n{line}\n")
        assert run(script="s2.stp") == 2, n
        out, err = capsys.readouterr()
        assert out.startswith("> send jobQueue hi\nsent message "), n
        assert err.splitlines()[0] == said
    # The value at the line: one message, sent by line 1.
    assert "expect queue.jobQueue.depth == 1" in err


def test_a_script_from_standard_input_runs_as_it_is_read(
    files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("send jobQueue hi\nsedn x\n"))
    assert run(script="-") == 2
    out, err = capsys.readouterr()
    assert out.startswith("> send jobQueue hi\n")
    assert err.startswith("<stdin>:2:1: error: unknown command 'sedn'")


def test_each_of_several_scripts_is_checked_before_it_runs(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (files / "ok.stp").write_text("send jobQueue hi\nexpect queue.jobQueue.depth == 1\n")
    assert main(["run", "stacktape.yml", "s.stp", "ok.stp", "--start", START]) == 2
    out, err = capsys.readouterr()
    assert out.split("==> ok.stp <==\n")[0] == "==> s.stp <==\n\n"
    assert "ok: queue.jobQueue.depth == 1 (actual 1)" in out
    assert "s.stp: 2 lines cannot run as written; no line ran\n" in err


@pytest.mark.parametrize(
    "line",
    [
        "send jobQueue '{\"a\": $last}'",  # resolved at its turn, not before
        "explain $last",
        "expect count message.received jobQueue message_id=$last == 1",
        "repeat 3 every 1s sedn x",  # an inner command is bound when it runs
        "source missing.stp",
        "# a comment",
    ],
)
def test_lines_whose_turn_decides_are_not_refused_ahead(line: str, files: Path) -> None:
    session = Session.open(files / "stacktape.yml", start_ms=parse_instant(START))
    assert check_written(session, line) is None
