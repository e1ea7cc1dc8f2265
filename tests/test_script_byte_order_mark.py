"""A script saved with a UTF-8 byte-order mark (as Windows editors save it) runs: the mark
is not part of its first command, in `stptui run` and in a piped `stptui repl` alike."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from stptui.cli import main
from stptui.commands.script import decode_script

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"
SCRIPT = b"send jobQueue a\nexpect queue.jobQueue.depth == 1\n"
BOM = b"\xef\xbb\xbf"


class _Stdin(io.TextIOWrapper):
    """A piped stdin: not a terminal, with the bytes underneath as `buffer`."""

    def isatty(self) -> bool:
        return False


def test_stptui_run_ignores_a_leading_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "b.stp"
    script.write_bytes(BOM + SCRIPT)
    assert main(["run", str(JOB_QUEUE), str(script), "--start", START]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("> send jobQueue a\nsent message ")
    assert err == ""


def test_piped_repl_ignores_a_leading_byte_order_mark(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(io.BytesIO(BOM + SCRIPT), encoding="latin-1"))
    assert main(["repl", str(JOB_QUEUE), "--start", START]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("> send jobQueue a\n")
    assert err == ""


def test_a_byte_order_mark_after_the_start_is_data() -> None:
    # Only the very first character of a script can be the mark; later it is text.
    assert decode_script(BOM + b"send q a") == "send q a"
    assert decode_script(b"send q " + BOM, 1) == "send q \ufeff"
    assert decode_script(BOM + b"send q a", 2) == "\ufeffsend q a"
