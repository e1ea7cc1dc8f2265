"""`stptui run` ended by SIGTERM, as a CI job's timeout or cancel ends it (GitLab's runner,
`timeout 10m stptui run ...`, GitHub Actions after its SIGINT): the run says where it
stopped, writes its JUnit report as it does on Ctrl-C, and exits 143 (128 + SIGTERM, as a
shell reports it), where it used to die at once, silent, with no report (a stale one from
an earlier run left in its place)."""

from __future__ import annotations

import os
import re
import signal
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from sigterm_support import terminated_after

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"

SCRIPT = """\
send jobQueue '{"orderId": 1, "amount": 20}'
expect queue.jobQueue.depth == 1
advance 1h
expect function.worker.successes == 1
"""

# Two lines from a pipe; SIGTERM once the second has answered.
TWO_LINES = "send jobQueue '{\"orderId\": 1}'\nexpect queue.jobQueue.depth == 1\n"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM")


@pytest.fixture
def terminated_at_advance(monkeypatch: pytest.MonkeyPatch, sigterm_guard: None) -> None:
    """The run's `advance` line gets SIGTERM while it runs."""
    from stptui.commands import script

    real = script.execute

    def execute(session, line, **kw):  # type: ignore[no-untyped-def]
        if line.startswith("advance"):
            os.kill(os.getpid(), signal.SIGTERM)
        return real(session, line, **kw)

    monkeypatch.setattr(script, "execute", execute)


def test_a_terminated_run_says_where_and_exits_143(
    tmp_path: Path, terminated_at_advance: None, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s.stp").write_text(SCRIPT)
    code = main(["run", str(JOB_QUEUE), str(tmp_path / "s.stp"), "--start", START])
    assert code == 143
    err = capsys.readouterr().err
    assert err == (
        f"{tmp_path / 's.stp'}:3: terminated (SIGTERM) with the clock at 2026-01-05T08:00:00.000Z\n"
    )


def test_a_terminated_run_still_writes_its_report(
    tmp_path: Path, terminated_at_advance: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.stp").write_text(SCRIPT)
    (tmp_path / "r.xml").write_text("a report of an earlier run")
    code = main(["run", str(JOB_QUEUE), "s.stp", "--start", START, "--junit", "r.xml"])
    assert code == 143
    suite = ET.fromstring((tmp_path / "r.xml").read_bytes()).find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == [
        "expect queue.jobQueue.depth == 1",
        "advance 1h",
        "expect function.worker.successes == 1",
    ]
    assert len(cases["expect queue.jobQueue.depth == 1"]) == 0  # passed
    error = cases["advance 1h"].find("error")
    assert error is not None and error.get("message") == "terminated (SIGTERM)"
    assert cases["expect function.worker.successes == 1"].find("skipped") is not None
    assert (suite.get("tests"), suite.get("errors"), suite.get("skipped")) == ("3", "1", "1")


def test_the_handler_is_put_back_after_the_run(tmp_path: Path, sigterm_guard: None) -> None:
    guard = signal.getsignal(signal.SIGTERM)
    (tmp_path / "s.stp").write_text("advance 1s\n")
    assert main(["run", str(JOB_QUEUE), str(tmp_path / "s.stp"), "--start", START]) == 0
    assert signal.getsignal(signal.SIGTERM) is guard


class _Pipe:
    """A script from a pipe whose writer stops after two lines, then SIGTERM comes while the
    run waits for the third."""

    def __iter__(self) -> Iterator[str]:
        yield "send jobQueue '{\"orderId\": 1}'\n"
        yield "expect queue.jobQueue.depth == 1\n"
        os.kill(os.getpid(), signal.SIGTERM)
        yield "advance 1h\n"


def test_terminated_while_the_next_line_is_read(
    tmp_path: Path,
    sigterm_guard: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", _Pipe())
    code = main(["run", str(JOB_QUEUE), "-", "--start", START, "--junit", str(tmp_path / "r.xml")])
    assert code == 143
    assert capsys.readouterr().err == (
        "<stdin>: terminated (SIGTERM) after line 2, with the clock at 2026-01-05T08:00:00.000Z\n"
    )
    suite = ET.fromstring((tmp_path / "r.xml").read_bytes()).find("testsuite")
    assert suite is not None
    error = suite.find("testcase/error")
    assert error is not None and error.get("message") == "terminated (SIGTERM)"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_real_sigterm_to_the_process(tmp_path: Path) -> None:
    """The process as CI runs it: the script from a pipe, its first lines run, then SIGTERM
    while the run waits for the next line."""
    code, err = terminated_after(
        ["run", str(JOB_QUEUE), "-", "--start", START, "--junit", str(tmp_path / "r.xml")],
        TWO_LINES,
        "ok: queue.jobQueue.depth == 1",
    )
    assert code == 143, err
    # Line 2 has printed its answer: the signal finds it ending, or the run reading line 3.
    assert (
        re.fullmatch(r"<stdin>(:2|: terminated \(SIGTERM\) after line 2,)?.*\n", err)
        and "terminated (SIGTERM)" in err
    ), err
    suite = ET.fromstring((tmp_path / "r.xml").read_bytes()).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_real_sigterm_to_a_piped_repl(tmp_path: Path) -> None:
    """`stptui repl` with its commands from a pipe runs them as `stptui run -` does, and a
    SIGTERM there says where the run was and exits 143, where the process used to be
    killed by the signal at once, without a word."""
    code, err = terminated_after(
        ["repl", str(JOB_QUEUE), "--start", START], TWO_LINES, "ok: queue.jobQueue.depth == 1"
    )
    assert code == 143, err
    # Line 2 has printed its answer: the signal finds it ending, or the run reading line 3.
    assert re.fullmatch(
        r"<stdin>(:2: terminated \(SIGTERM\)|: terminated \(SIGTERM\) after line 2,) "
        r"with the clock at 2026-01-05T08:00:00\.000Z\n",
        err,
    ), err
