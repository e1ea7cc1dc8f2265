"""`stptui run --save-on-failure FILE`: a run that fails (a failed `expect`, a command error,
Ctrl-C or SIGTERM) saves its session to FILE as `save FILE` does, for CI to keep as an
artifact and a developer to load where the run stopped; a run that passes leaves no file,
not even one an earlier run left, which CI would otherwise upload as this run's."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sigterm_support import terminated_after

from stptui.cli import main
from stptui.commands import execute
from stptui.commands.session import Session
from stptui.sim.clock import iso_ms, parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"

FAILS_EXPECT = """\
send jobQueue '{"orderId": 1}'
advance 1m
expect queue.jobQueue.depth == 3
advance 1h
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A CI checkout: the run's files named relative to the current folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(script: str, *extra: str, save: str = "session.json") -> int:
    Path("s.stp").write_text(script, encoding="utf-8")
    return main(
        ["run", str(JOB_QUEUE), "s.stp", "--start", START, "--save-on-failure", save, *extra]
    )


def saved_line(commands: int, clock: str, before: str = "") -> str:
    s = "s" * (commands != 1)
    return (
        f"stptui run: saved the session{before} to session.json ({commands} command{s}, the "
        f"clock at {clock}); to look at it: stptui repl {JOB_QUEUE}, then load session.json\n"
    )


def loaded(path: str = "session.json") -> Session:
    """A session of the stack, with `path` loaded as the message says to."""
    session = Session.open(JOB_QUEUE, start_ms=parse_instant(START))
    execute(session, f"load {path}")
    return session


def test_a_failed_expect_saves_the_session_as_save_would(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FAILS_EXPECT) == 1
    err = capsys.readouterr().err
    assert err.endswith(saved_line(2, "2026-01-05T08:01:00.000Z")), err
    session = loaded()
    assert session.log == ["send jobQueue '{\"orderId\": 1}'", "advance 1m"]
    assert iso_ms(session.sim.clock.now) == "2026-01-05T08:01:00.000Z"
    # Byte for byte what a `save` line at that point writes.
    Path("manual.stp").write_text(FAILS_EXPECT.split("expect")[0] + "save manual.json\n")
    assert main(["run", str(JOB_QUEUE), "manual.stp", "--start", START]) == 0
    assert Path("session.json").read_bytes() == Path("manual.json").read_bytes()


def test_a_command_error_saves_the_session_before_it(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("send jobQueue a\nadvance 10\nadvance 1m\n") == 2
    err = capsys.readouterr().err
    assert err == (
        "s.stp:2:9: error: advance: the duration '10' has no unit\n"
        "    hint: write 10s for seconds or 10ms for milliseconds\n"
        "s.stp: 1 more line not run, from line 3\n" + saved_line(1, "2026-01-05T08:00:00.000Z")
    )
    assert loaded().log == ["send jobQueue a"]


def test_keep_going_saves_the_session_where_the_script_ended(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FAILS_EXPECT, "--keep-going") == 1
    assert capsys.readouterr().err.endswith(saved_line(3, "2026-01-05T09:01:00.000Z"))
    assert loaded().log[-1] == "advance 1h"


def test_a_run_that_passes_leaves_no_session_file(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FAILS_EXPECT) == 1
    assert Path("session.json").exists()
    capsys.readouterr()
    # The next run passes: the file of the failed one is gone, so that CI's artifact of
    # a later failure elsewhere does not hold it as this scenario's.
    assert run("send jobQueue a\nexpect queue.jobQueue.depth == 1\n") == 0
    assert not Path("session.json").exists()
    assert "saved" not in capsys.readouterr().err


def test_a_stack_that_does_not_open_leaves_no_session_file(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(FAILS_EXPECT) == 1
    capsys.readouterr()
    Path("s.stp").write_text("advance 1m\n")
    code = main(
        ["run", "missing.yml", "s.stp", "--start", START, "--save-on-failure", "session.json"]
    )
    assert code == 2
    assert not Path("session.json").exists()
    assert "saved" not in capsys.readouterr().err


def _interrupt_at_advance(monkeypatch: pytest.MonkeyPatch, signum: int | None) -> None:
    """The run's `advance 1h` is stopped a minute into it: by Ctrl-C (None) or `signum`."""
    from stptui.commands import script

    real = script.execute

    def interrupted(session, line, **kw):  # type: ignore[no-untyped-def]
        if line == "advance 1h":
            session.sim.advance(60_000)
            if signum is None:
                raise KeyboardInterrupt
            os.kill(os.getpid(), signum)
        return real(session, line, **kw)

    monkeypatch.setattr(script, "execute", interrupted)


SLOW = "send jobQueue a\nadvance 1m\nadvance 1h\nexpect queue.jobQueue.depth == 0\n"


def test_ctrl_c_inside_a_command_saves_the_session_before_that_line(
    here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Saved as it stands, a minute into `advance 1h`, the file would not load: its log
    # replays to 08:01. The log is replayed and saved, and the message says so.
    _interrupt_at_advance(monkeypatch, None)
    assert run(SLOW) == 130
    err = capsys.readouterr().err
    assert err == (
        "s.stp:3: interrupted (Ctrl-C) with the clock at 2026-01-05T08:02:00.000Z\n"
        + saved_line(2, "2026-01-05T08:01:00.000Z", " as it stood before line 3")
    )
    session = loaded()
    assert (session.log, iso_ms(session.sim.clock.now)) == (
        ["send jobQueue a", "advance 1m"],
        "2026-01-05T08:01:00.000Z",
    )


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM")
def test_sigterm_saves_the_session_and_the_report(
    here: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    sigterm_guard: None,
) -> None:
    _interrupt_at_advance(monkeypatch, signal.SIGTERM)
    assert run(SLOW, "--junit", "r.xml") == 143
    err = capsys.readouterr().err
    assert err.endswith(saved_line(2, "2026-01-05T08:01:00.000Z", " as it stood before line 3"))
    assert loaded().log == ["send jobQueue a", "advance 1m"]
    suite = ET.fromstring(Path("r.xml").read_bytes()).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_real_sigterm_between_lines_saves_the_session_as_it_stands(tmp_path: Path) -> None:
    """The process as CI runs it, the script from a pipe: SIGTERM comes once line 3 has
    printed its answer, while the run waits for the next line (or, by a hair, as line 3
    ends: the log is then replayed, to the same session)."""
    save = tmp_path / "session.json"
    code, err = terminated_after(
        ["run", str(JOB_QUEUE), "-", "--start", START, "--save-on-failure", str(save)],
        "send jobQueue a\nadvance 1m\nexpect queue.jobQueue.depth == 0\n",
        "ok: queue.jobQueue.depth == 0",
    )
    assert code == 143, err
    assert re.search(
        rf"\nstptui run: saved the session( as it stood before line 3)? to {re.escape(str(save))} "
        r"\(2 commands, the clock at 2026-01-05T08:01:00\.000Z\)",
        err,
    ), err
    assert json.loads(save.read_text())["commands"] == ["send jobQueue a", "advance 1m"]


@pytest.mark.parametrize(
    ("save", "extra", "message"),
    [
        ("s.stp", (), "s.stp: --save-on-failure names the script of this run"),
        ("r.xml", ("--junit", "r.xml"), "r.xml: --save-on-failure names the JUnit report"),
        ("t.jsonl", ("--trace", "t.jsonl"), "t.jsonl: --save-on-failure names the trace"),
        (".", (), ".: --save-on-failure names a directory"),
        ("nowhere/s.json", (), "nowhere/s.json: no directory nowhere for the session file"),
        ("notes.md", (), "notes.md: --save-on-failure names a file that is not a session file"),
    ],
)
def test_a_file_it_must_not_remove_or_replace_is_refused_before_anything_runs(
    here: Path,
    capsys: pytest.CaptureFixture[str],
    save: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    Path("notes.md").write_text("# notes\n")
    assert run(FAILS_EXPECT, *extra, save=save) == 2
    out, err = capsys.readouterr()
    assert (out, err.startswith(message)) == ("", True), err
    assert Path("notes.md").read_text() == "# notes\n"
    assert Path("s.stp").read_text() == FAILS_EXPECT


def test_a_session_that_cannot_be_saved_makes_the_failure_exit_2(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The script records to the file: `save` refuses to replace the script being recorded,
    # and the run's artifact is missing, as when its JUnit report cannot be written.
    assert run("record session.json\nsend jobQueue a\nexpect queue.jobQueue.depth == 3\n") == 2
    err = capsys.readouterr().err
    assert err.endswith(
        "stptui run: cannot save the session: session.json is the script being recorded\n"
    ), err
