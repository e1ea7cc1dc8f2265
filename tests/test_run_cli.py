"""`stptui run STACK SCRIPT`: output, exit codes 0/1/2, --trace JSON Lines, determinism."""

from __future__ import annotations

import errno
import gc
import io
import json
import os
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands import Session
from stptui.commands.script import ScriptOptions, run_from_files, run_script, script_lines
from stptui.sim.clock import RUN_GC_THRESHOLD, parse_instant

START = "2026-01-05T08:00:00Z"
T0 = parse_instant(START)

STACK = """\
serviceName: runtest
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
      timeout: 5
      events:
        - type: sqs
          properties: {sqsQueueName: jobQueue, batchSize: 1}
"""

SCRIPT = """\
# the job-queue story
fail worker always

send jobQueue '{"jobId": 1}'   # one job
advance 2m
expect count message.dead_lettered jobQueue == 1
expect queue.deadLetterQueue.depth == 1
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "s.stp").write_text(SCRIPT)
    return tmp_path


def stptui_run(files: Path, *extra: str, script: str = "s.stp") -> int:
    return main(
        ["run", str(files / "stacktape.yml"), str(files / script), "--start", START, *extra]
    )


def test_script_runs_and_echoes_each_command(files: Path, capsys: pytest.CaptureFixture) -> None:
    assert stptui_run(files) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("> ")] == [
        "> fail worker always",
        "> send jobQueue '{\"jobId\": 1}'",
        "> advance 2m",
        "> expect count message.dead_lettered jobQueue == 1",
        "> expect queue.deadLetterQueue.depth == 1",
    ]
    assert lines[1] == "worker overrides: fail always"
    assert lines[5] == "now 2026-01-05T08:02:00.000Z (+2 min)"
    assert lines[-1] == "ok: queue.deadLetterQueue.depth == 1 (actual 1)"
    assert err == ""


def test_failed_expect_exits_1_naming_the_line(files: Path, capsys: pytest.CaptureFixture) -> None:
    (files / "s.stp").write_text(SCRIPT + "expect queue.jobQueue.depth == 5\nadvance 1m\n")
    assert stptui_run(files) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "> expect queue.jobQueue.depth == 5"
    assert "> advance 1m" not in out
    script = files / "s.stp"
    assert err == (
        f"{script}:8: expectation failed: expected queue.jobQueue.depth == 5, actual 0\n"
        f"{script}: 1 more line not run, from line 9\n"
    )


def test_command_error_exits_2_naming_the_line(files: Path, capsys: pytest.CaptureFixture) -> None:
    # (A name the stack lacks is refused before the first line: see test_run_names_first.)
    (files / "s.stp").write_text("advance 1s\nadvance 10\nadvance 1m\n")
    assert stptui_run(files) == 2
    out, err = capsys.readouterr()
    assert "> advance 1s" in out and "> advance 1m" not in out
    assert err == (
        f"{files / 's.stp'}:2:9: error: advance: the duration '10' has no unit\n"
        "    hint: write 10s for seconds or 10ms for milliseconds\n"
        f"{files / 's.stp'}: 1 more line not run, from line 3\n"
    )


def test_a_stopped_run_counts_the_commands_left_from_the_first_of_them(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    # Blank lines and comments are not commands; a body over two lines is one.
    (files / "s.stp").write_text(
        "advance 1s\nadvance 10\n\n# later\nadvance 1m\nsend jobQueue '{\n}'\nadvance 2m\n"
    )
    assert stptui_run(files) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"{files / 's.stp'}: 3 more lines not run, from line 5"


def test_a_run_stopped_at_its_last_line_says_nothing_more(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "s.stp").write_text("advance 1s\nexpect queue.jobQueue.depth == 5\n# end\n")
    assert stptui_run(files) == 1
    assert "not run" not in capsys.readouterr().err


def test_a_sourced_path_missing_from_the_current_folder_but_beside_the_script_is_named(
    files: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `source` reads a path from the current folder, as a shell does. A script run from
    # elsewhere that sources its neighbour got only "give the path of a script file".
    (files / "e2e").mkdir()
    (files / "e2e" / "main.stp").write_text("source steps/send.stp\n")
    (files / "e2e" / "steps").mkdir()
    (files / "e2e" / "steps" / "send.stp").write_text("source more.stp\n")
    (files / "e2e" / "steps" / "more.stp").write_text("send jobQueue hi\n")
    monkeypatch.chdir(files)
    assert stptui_run(files, script="e2e/main.stp") == 2
    err = capsys.readouterr().err
    assert err == (
        f"{files / 'e2e/main.stp'}:1: error: cannot read steps/send.stp: No such file or "
        "directory\n"
        "    hint: a path is read from the current folder, not the script's: "
        "source e2e/steps/send.stp\n"
    )
    (files / "e2e" / "main.stp").write_text("source e2e/steps/send.stp\n")
    assert stptui_run(files, script="e2e/main.stp") == 2
    assert capsys.readouterr().err.endswith(
        "e2e/steps/send.stp:1: error: cannot read more.stp: No such file or directory\n"
        "    hint: a path is read from the current folder, not the script's: "
        "source e2e/steps/more.stp\n"
    )


def test_unreadable_files_exit_2(files: Path, capsys: pytest.CaptureFixture) -> None:
    assert stptui_run(files, script="missing.stp") == 2
    assert "cannot read the script" in capsys.readouterr().err
    assert main(["run", str(files / "nope.yml"), str(files / "s.stp"), "--start", START]) == 2
    err = capsys.readouterr().err
    assert "file-unreadable" in err and "nope.yml" in err
    (files / "bad.yml").write_text("resources: [unclosed\n")
    assert main(["run", str(files / "bad.yml"), str(files / "s.stp"), "--start", START]) == 2
    assert "bad.yml:" in capsys.readouterr().err
    # A file that is not a stack at all (its errors leave no resource) runs nothing.
    (files / "hostname").write_text("myhost\n")
    assert main(["run", str(files / "hostname"), str(files / "s.stp"), "--start", START]) == 2
    err = capsys.readouterr()
    assert "the config must be a mapping" in err.err
    # The summary line starts, like every other error line of `run`, with its name.
    assert err.err.endswith("\nstptui run: cannot read the stack\n")
    assert err.out == ""


def test_a_file_that_cannot_be_read_is_reported_once(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    missing = files / "nope.yml"
    assert main(["run", str(missing), str(files / "s.stp"), "--start", START]) == 2
    assert capsys.readouterr().err == (
        f"{missing}: error file-unreadable: cannot read the file: No such file or directory\n"
    )
    behaviours = files / "gone.yml"
    assert stptui_run(files, "--behaviors", str(behaviours)) == 2
    assert capsys.readouterr().err == (
        f"{behaviours}: error file-unreadable: cannot read the file: No such file or directory\n"
    )


def test_behaviours_errors_exit_2_and_warnings_go_to_stderr(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "b.yml").write_text("behaviors:\n  wroker: {}\n")
    assert stptui_run(files, "--behaviors", str(files / "b.yml")) == 2
    err = capsys.readouterr().err
    assert "b.yml:2:3: error" in err and "wroker" in err
    # A Python handler without --allow-code is skipped with a warning; the run goes on.
    (files / "stptui.yml").write_text("behaviors:\n  worker: {handler: 'handlers:worker'}\n")
    assert stptui_run(files) == 0
    out, err = capsys.readouterr()
    assert "stptui.yml" in err and "warning" in err
    assert out.startswith("> fail worker always")


def test_bad_start_exits_2(files: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", str(files / "stacktape.yml"), str(files / "s.stp"), "--start", "x"]) == 2
    assert "not an ISO-8601 instant" in capsys.readouterr().err


def test_default_start_is_the_wall_clock_in_whole_seconds(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "s.stp").write_text("show agenda\n")
    assert main(["run", str(files / "stacktape.yml"), str(files / "s.stp")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].endswith(".000Z")


def test_trace_file_is_json_lines(files: Path, capsys: pytest.CaptureFixture) -> None:
    trace = files / "trace.jsonl"
    assert stptui_run(files, "--trace", str(trace)) == 0
    lines = trace.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert records, "the trace is empty"
    for rec in records:
        assert {"t", "kind", "resource"} <= set(rec)
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    assert records[0]["kind"] == "behavior.overridden"
    assert [r["t"] for r in records if r["kind"] == "message.received"] == [
        "2026-01-05T08:00:00.000Z",
        "2026-01-05T08:00:30.000Z",
        "2026-01-05T08:01:00.000Z",
    ]
    assert records[-1]["kind"] == "message.dead_lettered"
    assert records[-1]["t"] == "2026-01-05T08:01:30.000Z"


def test_trace_is_written_even_when_the_script_fails(files: Path) -> None:
    (files / "s.stp").write_text(SCRIPT + "expect queue.jobQueue.depth == 9\n")
    trace = files / "trace.jsonl"
    assert stptui_run(files, "--trace", str(trace)) == 1
    assert trace.read_text().endswith("\n")
    assert len(trace.read_text().splitlines()) > 10


class _Unwritable(io.StringIO):
    """Output that fails as a full disk or a closed pipe does."""

    def __init__(self, errno_: int) -> None:
        super().__init__()
        self.errno = errno_

    def write(self, text: str) -> int:
        raise OSError(self.errno, os.strerror(self.errno))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_trace_that_cannot_be_written_is_a_message(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    assert stptui_run(files, "--trace", "/dev/full") == 2
    err = capsys.readouterr().err
    assert err == "stptui: cannot write the trace /dev/full: No space left on device\n"


@pytest.mark.parametrize(
    ("errno_", "message"),
    [
        (errno.ENOSPC, "stptui: cannot write the output: No space left on device\n"),
        (errno.EPIPE, ""),  # `stptui run ... | head`: the reader has gone; nothing to say
    ],
)
def test_output_that_cannot_be_written_is_a_message(files: Path, errno_: int, message: str) -> None:
    opts = ScriptOptions(
        stack=str(files / "stacktape.yml"), script=str(files / "s.stp"), start_ms=T0
    )
    err = io.StringIO()
    assert run_from_files(opts, _Unwritable(errno_), err) == 2
    assert err.getvalue() == message


def test_same_seed_gives_byte_identical_traces(files: Path) -> None:
    (files / "stptui.yml").write_text(
        "behaviors:\n  worker: {duration: {min: 10ms, max: 900ms}, fail: {rate: 0.5}}\n"
    )
    (files / "s.stp").write_text(
        "".join(f"send jobQueue '{{\"n\": {i}}}'\n" for i in range(20)) + "run\n"
    )
    traces = []
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        path = files / f"{name}.jsonl"
        assert stptui_run(files, "--seed", seed, "--trace", str(path)) == 0
        traces.append(path.read_bytes())
    assert traces[0] == traces[1]
    assert traces[0] != traces[2]


def test_load_and_save_in_a_script(files: Path, capsys: pytest.CaptureFixture) -> None:
    saved = files / "saved.json"
    (files / "s.stp").write_text(f"send jobQueue a\nadvance 1s\nsave {saved}\n")
    assert stptui_run(files) == 0
    (files / "t.stp").write_text(f"load {saved}\nexpect function.worker.successes == 1\n")
    assert stptui_run(files, script="t.stp") == 0
    assert "replayed 2 commands" in capsys.readouterr().out


def test_a_script_runs_under_a_runs_collector_settings_and_restores_them(tmp_path: Path) -> None:
    # A script of thousands of sends keeps a message alive per line: the youngest generation
    # is collected as seldom as during a run, and the process's own setting comes back.
    (tmp_path / "stacktape.yml").write_text(STACK)
    session = Session.open(tmp_path / "stacktape.yml")
    seen: list[int] = []

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            seen.append(gc.get_threshold()[0])
            return super().write(text)

    before = gc.get_threshold()
    lines = script_lines(["send jobQueue a", "send jobQueue b"])
    assert run_script(session, lines, "s.stp", Out(), io.StringIO()) == 0
    assert seen and set(seen) == {RUN_GC_THRESHOLD}
    assert gc.get_threshold() == before


def test_run_takes_the_stage_and_region(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "serviceName: staged\nresources:\n  report:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}\n"
        "      events:\n        - type: schedule\n          properties: {scheduleRate: rate(1 minute)}\n"
    )
    script = tmp_path / "s.stp"
    script.write_text("advance 1m\n")
    trace = tmp_path / "t.jsonl"
    args = [str(tmp_path), str(script), "--start", START, "--trace", str(trace)]
    assert main(["run", *args, "--stage", "prod", "--region", "eu-west-1"]) == 0
    fired = [json.loads(line) for line in trace.read_text().splitlines()]
    assert [r["rule"] for r in fired if r["kind"] == "schedule.fired"] == [
        "staged-prod-report-schedule-1"
    ]


# The id of the first message a run of these scripts sends (the ids' stream is seeded).
MESSAGE_ID = "21f87f34-4584-4845-a32b-133a35242656"


def failures(err: str) -> list[str]:
    """The lines of standard error but the hints (a failed depth's names its messages)."""
    return [line for line in err.splitlines() if not line.startswith("    hint: ")]


# What a failed expect adds while the worker's poll of the message just sent is due now.
DUE_NOW = (
    "; 1 event is due at this instant, not run yet: a command only schedules the work it "
    "sets off, `advance 0` runs it"
)
FAILING = """\
send jobQueue '{"jobId": 1}'
expect queue.jobQueue.depth == 2
expect queue.jobQueue.depth == 1
expect count message.sent jobQueue == 0
send jobQueue '{"jobId": 2}'
"""


def test_keep_going_reports_every_failed_expect_and_exits_1_at_the_end(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "f.stp").write_text(FAILING)
    assert stptui_run(files, "--keep-going", script="f.stp") == 1
    out, err = capsys.readouterr()
    # Every line ran, the last one too.
    assert out.splitlines()[-1].startswith("sent message ")
    name = str(files / "f.stp")
    assert err.splitlines() == [
        f"{name}:2: expectation failed: expected queue.jobQueue.depth == 2, actual 1",
        # The message in the queue, to see why it is there; the worker's poll, due now.
        f"    hint: explain {MESSAGE_ID}{DUE_NOW}",
        f"{name}:4: expectation failed: expected count message.sent jobQueue == 0, actual 1",
        f"    hint: {DUE_NOW[2:]}",
        f"{name}: 2 expectations failed",
    ]


def test_keep_going_reports_every_failed_expect_of_a_sourced_script_too(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    # The sourced script used to stop at its first failed `expect`, reported as one
    # failure of the `source` line: its later checks went unrun and unreported.
    inner, deeper = files / "inner.stp", files / "deeper.stp"
    deeper.write_text("expect queue.jobQueue.depth == 5\n")
    inner.write_text(
        "expect queue.jobQueue.depth == 2\nexpect queue.jobQueue.depth == 1\n"
        f"source {deeper}\nexpect queue.jobQueue.depth == 3\n"
    )
    (files / "f.stp").write_text(
        f"send jobQueue a\nsource {inner}\nexpect queue.jobQueue.depth == 4\nsend jobQueue b\n"
    )
    assert stptui_run(files, "--keep-going", script="f.stp") == 1
    out, err = capsys.readouterr()
    name = str(files / "f.stp")
    # Every line ran, of each script; each failure is named as without --keep-going.
    assert out.splitlines()[-1].startswith("sent message ")
    assert f"{inner}: ran 4 of 4 commands; 3 expectations failed" in out
    # Each at its own line, after a note at each `source` line that led to it.
    assert failures(err) == [
        f"{name}:2: note: sources {inner}",
        f"{inner}:1: expectation failed: expected queue.jobQueue.depth == 2, actual 1",
        f"{name}:2: note: sources {inner}",
        f"{inner}:3: note: sources {deeper}",
        f"{deeper}:1: expectation failed: expected queue.jobQueue.depth == 5, actual 1",
        f"{name}:2: note: sources {inner}",
        f"{inner}:4: expectation failed: expected queue.jobQueue.depth == 3, actual 1",
        f"{name}:3: expectation failed: expected queue.jobQueue.depth == 4, actual 1",
        f"{name}: 4 expectations failed",
    ]
    # Without it, the first failure stops the run, sourced or not.
    assert stptui_run(files, script="f.stp") == 1
    out, err = capsys.readouterr()
    assert failures(err) == [
        f"{name}:2: note: sources {inner}",
        f"{inner}:1: expectation failed: expected queue.jobQueue.depth == 2, actual 1",
        f"{name}: 2 more lines not run, from line 3",
    ]


def test_without_keep_going_the_first_failed_expect_stops_the_run(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "f.stp").write_text(FAILING)
    assert stptui_run(files, script="f.stp") == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "> expect queue.jobQueue.depth == 2"
    assert failures(err)[1:] == [f"{files / 'f.stp'}: 3 more lines not run, from line 3"]


def test_keep_going_still_stops_at_a_command_error_with_exit_2(
    files: Path, capsys: pytest.CaptureFixture
) -> None:
    (files / "f.stp").write_text(FAILING.replace("jobQueue == 0", "jobQeue == 0"))
    assert stptui_run(files, "--keep-going", script="f.stp") == 2
    out, err = capsys.readouterr()
    assert 'jobId": 2' not in out
    name = str(files / "f.stp")
    assert failures(err)[1] == f"{name}:4:27: error: no resource named 'jobQeue'"
    assert err.splitlines()[-1] == (
        f"{name}: 1 expectation failed before the error stopped the run"
    )


def test_a_script_named_dash_is_read_from_stdin(
    files: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SCRIPT))
    assert main(["run", str(files / "stacktape.yml"), "-", "--start", START]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "ok: queue.deadLetterQueue.depth == 1 (actual 1)"
    assert err == ""
    monkeypatch.setattr("sys.stdin", io.StringIO("advance 1s\nexpect queue.jobQueue.depth == 9\n"))
    assert main(["run", str(files / "stacktape.yml"), "-", "--start", START]) == 1
    assert capsys.readouterr().err == (
        "<stdin>:2: expectation failed: expected queue.jobQueue.depth == 9, actual 0\n"
    )


def test_stdin_from_a_file_counts_what_did_not_run_and_a_pipe_is_not_read_on(
    files: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "advance 1s\nexpect queue.jobQueue.depth == 9\nadvance 1m\nadvance 2m\n"
    (files / "in.stp").write_text(script)
    with (files / "in.stp").open(encoding="utf-8") as stdin:
        monkeypatch.setattr("sys.stdin", stdin)
        assert main(["run", str(files / "stacktape.yml"), "-", "--start", START]) == 1
    assert capsys.readouterr().err.splitlines()[-1] == "<stdin>: 2 more lines not run, from line 3"
    # A pipe whose writer still holds it open: the run ends at once, saying the rest was
    # not read, instead of waiting for the writer to close it.
    read_end, write_end = os.pipe()
    writer = os.fdopen(write_end, "w", encoding="utf-8")
    writer.write(script)
    writer.flush()
    try:
        with os.fdopen(read_end, encoding="utf-8") as stdin:
            monkeypatch.setattr("sys.stdin", stdin)
            assert main(["run", str(files / "stacktape.yml"), "-", "--start", START]) == 1
    finally:
        writer.close()
    assert capsys.readouterr().err.splitlines()[-1] == ("<stdin>: nothing after line 2 was read")


def test_a_script_from_stdin_that_is_not_utf8_names_its_line(
    files: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"advance 1s\nsend jobQueue \xff\n"), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["run", str(files / "stacktape.yml"), "-", "--start", START]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "> advance 1s"
    assert err == (
        "<stdin>: cannot read the script: line 2, column 15: byte 0xff is not UTF-8 text "
        "(save the script as UTF-8)\n"
    )


def test_ctrl_c_says_which_line_it_stopped_and_where_the_clock_got(
    files: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long `until` (a minute's schedule to the year 9999 is some 15 hours of work) that
    # Ctrl-C stopped ended the run with exit 130 and not a word on either stream.
    from stptui.commands import script

    real = script.execute

    def execute(session, line, **kw):  # type: ignore[no-untyped-def]
        if line.startswith("advance"):
            session.sim.advance(60_000)  # a minute of the run, then the key
            raise KeyboardInterrupt
        return real(session, line, **kw)

    monkeypatch.setattr(script, "execute", execute)
    assert stptui_run(files) == 130
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "> advance 2m"
    assert err == (
        f"{files / 's.stp'}:5: interrupted (Ctrl-C) with the clock at 2026-01-05T08:01:00.000Z\n"
    )
