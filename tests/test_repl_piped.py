"""`stptui repl STACK < script`: with stdin not a terminal the REPL reads commands line by
line without any prompt and prints and exits exactly as `stptui run STACK script` does."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from stptui.cli import demo_stack_path, main
from stptui.config import load_stack
from stptui.config.model import Queue

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"
TOUR = ROOT / "docs" / "examples" / "repl-tour.stp"

GOOD = """\
send jobQueue '{"orderId": 1, "amount": 20}'
send jobQueue '{
  "orderId": 2,
  "amount": 5000
}'   # a body over several lines
advance 20m
show queues
expect queue.deadLetterQueue.depth == 1
"""
FAILS_EXPECT = "send jobQueue x\nexpect queue.jobQueue.depth == 3\nadvance 1m\n"
BAD_COMMAND = "advance 1s\n\nsend jobQeue x\nadvance 1m\n"
OPEN_QUOTE = "advance 1s\nsend jobQueue '{\nadvance 1m\n"


def run_both(
    script: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """(exit, stdout, stderr) of `stptui run` on the script file and of `stptui repl` with
    the script on stdin."""
    path = tmp_path / "s.stp"
    path.write_text(script, encoding="utf-8")
    code = main(["run", str(JOB_QUEUE), str(path), "--start", START])
    run = (code, *capsys.readouterr())
    if run[1] == "" and run[2].endswith("cannot run as written; no line ran\n"):
        # A script file is checked before it runs; piped lines, as `stptui run -` reads
        # them, run as they come: the REPL prints what that prints.
        monkeypatch.setattr("sys.stdin", io.StringIO(script))
        code = main(["run", str(JOB_QUEUE), "-", "--start", START])
        out, err = capsys.readouterr()
        run = (code, out, err.replace("<stdin>", str(path)))
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code = main(["repl", str(JOB_QUEUE), "--start", START])
    repl = (code, *capsys.readouterr())
    return run, repl


@pytest.mark.parametrize(
    ("script", "exit_code"),
    [(GOOD, 0), (FAILS_EXPECT, 1), (BAD_COMMAND, 2), (OPEN_QUOTE, 2)],
    ids=["ok", "expect-fails", "command-error", "open-quote"],
)
def test_piped_repl_prints_and_exits_like_stptui_run(
    script: str,
    exit_code: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run, repl = run_both(script, tmp_path, capsys, monkeypatch)
    assert run[0] == repl[0] == exit_code
    if script is OPEN_QUOTE:
        assert run[1].startswith("> advance 1s\n")  # `stptui run -`'s, as the REPL's
    assert repl[1] == run[1]
    # Errors name the script line; the script is `<stdin>` for the REPL.
    assert repl[2] == run[2].replace(str(tmp_path / "s.stp"), "<stdin>")
    assert "stptui>" not in repl[1]


def test_error_lines_are_numbered_as_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, repl = run_both(BAD_COMMAND, tmp_path, capsys, monkeypatch)
    assert (
        repl[2]
        == "<stdin>:3:6: error: no queue named 'jobQeue'\n    hint: did you mean jobQueue?\n"
        "<stdin>: 1 more line not run, from line 4\n"
    )
    _, repl = run_both(OPEN_QUOTE, tmp_path, capsys, monkeypatch)
    assert repl[2].startswith("<stdin>:2:15: error: cannot split the line: no closing quotation")


def test_a_stack_that_cannot_be_read_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("advance 1s\n"))
    assert main(["repl", str(tmp_path / "missing.yml"), "--start", START]) == 2
    assert main(["repl", str(JOB_QUEUE), "--start", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert "cannot read the file" in err and "--start 'yesterday' is not an ISO-8601" in err


def test_source_inside_a_piped_session_echoes_like_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = tmp_path / "inner.stp"
    inner.write_text("send jobQueue x\nexpect queue.jobQueue.depth == 2\n")
    run, repl = run_both(f"source {inner}\nadvance 1m\n", tmp_path, capsys, monkeypatch)
    assert run[0] == repl[0] == 1
    assert repl[1] == f"> source {inner}\n> send jobQueue x\n" + re.search(
        r"sent message \S+ to jobQueue\n> expect queue.jobQueue.depth == 2\n", repl[1]
    ).group(0)  # type: ignore[union-attr]
    assert repl[2].startswith(
        f"<stdin>:1: note: sources {inner}\n"
        f"{inner}:2: expectation failed: expected queue.jobQueue.depth == 2, actual 1\n"
        "    hint: explain "
    )


# -- the tour of docs/repl.md ------------------------------------------------------------------


def _text_block_after(page: str, marker: str) -> str:
    """The first ```text block after the line holding `marker`."""
    rest = page[page.index(marker) :]
    m = re.search(r"^```text\n(.*?)^```$", rest, flags=re.S | re.M)
    assert m is not None, f"no text block after {marker!r}"
    return m[1]


def test_the_piped_tour_in_the_docs_is_what_the_repl_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # docs/repl.md shows `stptui repl ... < docs/examples/repl-tour.stp` as a text block
    # (tests/test_docs.py runs only commands without redirection): this is its test.
    monkeypatch.chdir(ROOT)
    page = (ROOT / "docs" / "repl.md").read_text(encoding="utf-8")
    command = "$ stptui repl stptui/sample_stacks/job-queue --start 2026-01-05T08:00:00Z"
    block = _text_block_after(page, "<!-- piped tour -->")
    first, _, expected = block.partition("\n")
    assert first == f"{command} < docs/examples/repl-tour.stp"
    monkeypatch.setattr("sys.stdin", io.StringIO(TOUR.read_text(encoding="utf-8")))
    assert main(["repl", "stptui/sample_stacks/job-queue", "--start", START]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert [line.rstrip() for line in out.splitlines()] == expected.rstrip("\n").splitlines()


def test_repl_without_a_stack_opens_the_demo_stack_as_stptui_does(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("show queues\n"))
    assert main(["repl", "--start", START]) == 0
    demo = load_stack(demo_stack_path())
    out = capsys.readouterr().out
    queues = [q.name for q in demo.of_type(Queue)]
    assert queues
    for queue in queues:
        assert queue in out
