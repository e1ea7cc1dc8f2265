"""`stptui repl STACK | tee log`: typed at a terminal, output to a pipe. The pipe gets plain
text only (no prompt_toolkit toolbar, no escape codes): what `stptui run` prints for the
same commands, plus the REPL's error lines, and the session goes on after a mistake. The
prompts go to standard error, the terminal."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"

TYPED = """\
send jobQueue '{"orderId": 1,
 "amount": 20}'
advance 5s
send jobQeue x
expect queue.jobQueue.depth == 3
show queues
"""


class Keyboard(io.StringIO):
    """Standard input as a terminal: a person typing the lines, Ctrl-C where a line is
    None."""

    def __init__(self, lines: list[str | None]) -> None:
        super().__init__()
        self._lines: Iterator[str | None] = iter(lines)

    def isatty(self) -> bool:
        return True

    def readline(self, size: int | None = -1, /) -> str:
        line = next(self._lines, "")
        if line is None:
            raise KeyboardInterrupt
        return line


def run_typed(
    lines: list[str | None], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", Keyboard(lines))
    code = main(["repl", str(JOB_QUEUE), "--start", START])
    return (code, *capsys.readouterr())


def test_the_output_is_plain_text_and_the_session_goes_on_after_a_mistake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_typed(TYPED.splitlines(keepends=True), monkeypatch, capsys)
    assert code == 0
    assert "\x1b" not in out and "stptui>" not in out
    assert out.splitlines() == [
        """> send jobQueue '{"orderId": 1,""",
        """ "amount": 20}'""",
        "sent message 21f87f34-4584-4845-a32b-133a35242656 to jobQueue",
        "> advance 5s",
        "now 2026-01-05T08:00:05.000Z (+5 s)",
        "> send jobQeue x",
        "error: no queue named 'jobQeue'",
        "    hint: did you mean jobQueue?",
        "> expect queue.jobQueue.depth == 3",
        "expectation failed: expected queue.jobQueue.depth == 3, actual 0",
        "> show queues",
        "queue            type      visible  in_flight  delayed  depth  redrive",
        "jobQueue         standard  0        0          0        0      -> deadLetterQueue after 3",
        "deadLetterQueue  standard  0        0          0        0",
    ]
    # Standard error is no terminal here either: no banner, no prompts.
    assert err == ""


def test_lines_that_run_print_what_stptui_run_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = (ROOT / "docs" / "examples" / "repl-tour.stp").read_text(encoding="utf-8")
    assert (
        main(["run", str(JOB_QUEUE), str(ROOT / "docs/examples/repl-tour.stp"), "--start", START])
        == 0
    )
    ran = capsys.readouterr().out
    code, out, _ = run_typed(script.splitlines(keepends=True), monkeypatch, capsys)
    assert code == 0 and out == ran


def test_ctrl_c_while_typing_drops_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["send jobQueue '{\n", '"half": 1\n', None, "show queue jobQueue\n"]
    code, out, _ = run_typed(lines, monkeypatch, capsys)
    assert code == 0
    assert "sent message" not in out
    assert out.startswith("> show queue jobQueue\njobQueue (standard): 0 visible")


def test_a_recording_ends_with_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "r.stp"
    code, out, _ = run_typed([f"record {script}\n", "advance 5s\n"], monkeypatch, capsys)
    assert code == 0
    assert out.splitlines()[-2] == "> record stop"
    commands = [ln for ln in script.read_text().splitlines() if not ln.startswith("#")]
    assert commands == ["advance 5s"]


@pytest.mark.skipif(sys.platform == "win32", reason="no pseudo-terminals on Windows")
def test_a_terminal_for_input_and_a_pipe_for_output() -> None:
    pty = pytest.importorskip("pty")
    try:
        master, slave = pty.openpty()
    except OSError:
        pytest.skip("no pseudo-terminal available")
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "stptui", "repl", str(JOB_QUEUE), "--start", START],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=ROOT,
        env=env,
    )
    os.close(slave)
    try:
        # Ctrl-D (\x04) at the start of a line is the terminal's end of input.
        os.write(master, TYPED.encode() + b"\x04")
        out, _ = proc.communicate(timeout=60)
        seen = b""
        os.set_blocking(master, False)
        while True:
            try:
                chunk = os.read(master, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode == 0
    text = out.decode()
    assert "\x1b" not in text and "stptui>" not in text
    assert "> advance 5s\nnow 2026-01-05T08:00:05.000Z (+5 s)\n" in text
    assert "error: no queue named 'jobQeue'" in text
    assert text.endswith("deadLetterQueue  standard  0        0          0        0\n")
    # The prompts and the banner went to the terminal, not into the pipe.
    assert b"stptui> " in seen and b"line mode" in seen


def _text_block_after(page: str, marker: str) -> str:
    rest = page[page.index(marker + "\n") :]
    m = re.search(r"^```text\n(.*?)^```$", rest, flags=re.S | re.M)
    assert m is not None, f"no text block after {marker!r}"
    return m[1]


def test_the_line_mode_log_in_the_docs_is_what_is_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (ROOT / "docs" / "repl.md").read_text(encoding="utf-8")
    typed = _text_block_after(page, "<!-- line mode -->")
    log = _text_block_after(page, "<!-- line mode log -->")
    code, out, _ = run_typed(typed.splitlines(keepends=True), monkeypatch, capsys)
    assert code == 0 and out == log
