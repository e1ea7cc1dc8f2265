"""A script that is not UTF-8 text: `stptui run`, `source` and the piped REPL name the line
and column of the first byte that is not, and say to save the script as UTF-8. From a pipe,
the lines before it have run."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import stptui
from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

JOB_QUEUE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"
# Line 2 holds a Latin-1 "é" (0xe9), as an editor in another encoding would save it.
SCRIPT = b"send jobQueue ok\nsend jobQueue caf\xe9\nadvance 1s\n"
WHERE = "line 2, column 18: byte 0xe9 is not UTF-8 text (save the script as UTF-8)"


def test_run_names_the_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "latin1.stp"
    script.write_bytes(SCRIPT)
    code = main(["run", str(JOB_QUEUE), str(script), "--start", START])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"{script}: cannot read the script: {WHERE}\n"


def test_source_names_the_line_and_column(tmp_path: Path) -> None:
    script = tmp_path / "latin1.stp"
    script.write_bytes(SCRIPT)
    session = Session.open(JOB_QUEUE, start_ms=parse_instant(START))
    with pytest.raises(CommandError) as info:
        execute(session, f"source {script}")
    assert info.value.message == f"cannot read {script}: {WHERE}"
    assert session.sim.trace.seq == 0


def test_a_pipe_runs_the_lines_before_and_names_the_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SCRIPT)))
    code = main(["repl", str(JOB_QUEUE), "--start", START])
    out, err = capsys.readouterr()
    assert code == 2
    assert out.startswith("> send jobQueue ok\nsent message ")
    assert "advance" not in out
    assert err == f"<stdin>: cannot read the script: {WHERE}\n"
