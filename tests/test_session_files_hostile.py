"""`save`, `record` and `load` given what a hostile or careless user hands them: a path that
is a link to itself or a link elsewhere, a session file nested too deeply to parse or
edited to name a device or a FIFO as its stack, a disk that fills up while a recording
starts over an older script. Each ends in a clear CommandError (never a traceback, never a
hang), the file already there keeps its bytes, and the running session is as it was."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from workcount import hang_guard

import stptui
from stptui.commands import CommandError, Session, execute
from stptui.commands.recording import Recorder
from stptui.commands.session import trace_sha256
from stptui.sim.clock import parse_instant

SAMPLE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    """A copy of the job-queue sample (stacktape.yml, stptui.yml, demo.stp)."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "job-queue"))


@pytest.fixture
def session(stack: Path) -> Session:
    s = Session.open(stack, start_ms=T0)
    execute(s, "send jobQueue kept")
    return s


def refused(session: Session, line: str) -> CommandError:
    """The CommandError `line` ends in (within a hang guard), the session unchanged."""
    before = (list(session.log), session.sim, trace_sha256(session.sim.trace))
    with hang_guard(20), pytest.raises(CommandError) as info:
        execute(session, line)
    assert (list(session.log), session.sim, trace_sha256(session.sim.trace)) == before
    return info.value


def saved(session: Session, path: Path) -> dict[str, object]:
    execute(session, f"save {path}")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


# -- load ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000],
    ids=["lists", "objects"],
)
def test_a_session_file_nested_too_deeply_is_refused_not_a_traceback(
    session: Session, tmp_path: Path, text: str
) -> None:
    # json.loads ended in a RecursionError here.
    bad = tmp_path / "deep.json"
    bad.write_text(text, encoding="utf-8")
    err = refused(session, f"load {bad}")
    assert err.message.startswith(f"{bad} is not a session file: the JSON nests more than")
    assert err.hint == "load a file that save wrote"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("field", ["stack", "behaviors"])
# /dev/null stands for every device: one that never ends (/dev/zero) would, undefended, take
# all the memory there is rather than fail the test.
@pytest.mark.parametrize("target", ["/dev/null", "pipe", "dir"])
def test_a_session_file_naming_what_never_ends_is_refused_without_reading_it(
    session: Session, tmp_path: Path, field: str, target: str
) -> None:
    # The digest check read the named file whole: /dev/zero forever, a FIFO once written.
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "dir").mkdir()
    doc = saved(session, tmp_path / "s.json")
    doc[field] = target if target.startswith("/") else str(tmp_path / target)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    err = refused(session, f"load {edited}")
    what = "stack" if field == "stack" else "behaviours file"
    assert err.message == (
        f"cannot read the saved session's {what} {doc[field]}: not a regular file"
    )


@pytest.mark.parametrize("field", ["stack", "behaviors"])
def test_a_session_file_naming_a_file_larger_than_any_stack_is_refused_unread(
    session: Session, tmp_path: Path, field: str
) -> None:
    # The digest check read the file whole into memory: a session file naming a disk image
    # took gigabytes. The file here is sparse: 5 MB that take no room on the disk.
    huge = tmp_path / "huge.yml"
    with huge.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024)
    doc = saved(session, tmp_path / "s.json")
    doc[field] = str(huge)
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    what = "stack" if field == "stack" else "behaviours file"
    assert refused(session, f"load {edited}").message == (
        f"cannot read the saved session's {what} {huge}: the file is over 4,194,304 bytes"
    )


def test_a_session_file_with_a_stage_no_command_line_takes_is_refused(
    session: Session, tmp_path: Path
) -> None:
    doc = saved(session, tmp_path / "s.json")
    doc["stage"] = "dev\x1b]52;c;cHdu\x07"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    err = refused(session, f"load {edited}")
    assert err.message == (
        f"{edited}: stage 'dev\\x1b]52;c;cHdu\\x07' may hold only letters, digits and '-' "
        "(it names the stack)"
    )
    assert err.hint == "stptui never saves such a stage: was the file edited?"


def test_a_session_file_repeating_a_superscript_count_is_refused(
    session: Session, tmp_path: Path
) -> None:
    # The rebuild's progress weighs a `repeat N` line by N before it replays it: `²` passes
    # str.isdigit() and int() refuses it (found by fuzzing the commands of a session file).
    doc = saved(session, tmp_path / "s.json")
    doc["commands"] = ["repeat ² send jobQueue x"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc), encoding="utf-8")
    err = refused(session, f"load {edited}")
    assert "does not replay: repeat N must be a whole number" in err.message


def test_a_link_to_itself_is_refused_by_load(session: Session, tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    assert refused(session, f"load {loop}").message == (
        f"cannot read {loop}: Too many levels of symbolic links"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_undo_after_the_stack_became_a_fifo_says_it_changed_without_waiting(
    session: Session, stack: Path
) -> None:
    # Whether the stack changed is its digest, which read the file whole: a FIFO put in its
    # place blocked `undo` (and `reload`'s check) until someone wrote to it.
    (stack / "stacktape.yml").unlink()
    os.mkfifo(stack / "stacktape.yml")
    err = refused(session, "undo")
    assert err.message.startswith(f"the stack {stack / 'stacktape.yml'} changed since")


# -- save and record -------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["save", "record"])
def test_save_and_record_onto_a_link_to_itself_say_so(
    session: Session, tmp_path: Path, verb: str
) -> None:
    # `save` ended in pathlib's "Symlink loop" RuntimeError, `record` in an OSError.
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    err = refused(session, f"{verb} {loop}")
    assert err.message == f"cannot write {loop}: Too many levels of symbolic links"
    assert loop.is_symlink() and session.recorder is None


def test_a_save_onto_a_link_is_a_file_that_loads(session: Session, stack: Path) -> None:
    # The link points a folder up: the stack's path was written relative to the link's
    # target's folder, but the file is written where the link was (the rename replaces
    # the link, never what it points to), so `load` looked for job-queue/job-queue/...
    outside = stack.parent / "elsewhere.json"
    outside.write_text("kept", encoding="utf-8")
    link = stack / "run.json"
    link.symlink_to(outside)
    doc = saved(session, link)
    assert not link.is_symlink() and outside.read_text(encoding="utf-8") == "kept"
    assert doc["stack"] == "stacktape.yml"
    other = Session.open(stack, start_ms=T0)
    execute(other, f"load {link}")
    assert trace_sha256(other.sim.trace) == trace_sha256(session.sim.trace)


@pytest.mark.parametrize("verb", ["save", "record"])
def test_a_link_named_as_the_file_is_replaced_never_followed(
    session: Session, tmp_path: Path, verb: str
) -> None:
    # `record` opened the path for writing, which follows a link: one planted where the
    # user records (to ~/.bashrc, say) had what it points to overwritten. Both now replace
    # the link itself, as `save` did.
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "out.stp"
    link.symlink_to(victim)
    execute(session, f"{verb} {link}")
    if verb == "record":
        execute(session, "record stop")
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not link.is_symlink() and "send jobQueue kept" in link.read_text(encoding="utf-8")


def test_a_recording_that_cannot_start_keeps_the_older_script(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `record` over an older script truncated it first: a disk that filled up while the
    # header was written lost the old script and left half a header.
    script = tmp_path / "old.stp"
    script.write_text("send jobQueue from-last-week\n", encoding="utf-8")

    def full(self: Recorder, line: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Recorder, "write", full)
    err = refused(session, f"record {script}")
    assert err.message == f"cannot write {script}: No space left on device"
    assert script.read_text(encoding="utf-8") == "send jobQueue from-last-week\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job-queue", "old.stp"]
    assert session.recorder is None


def test_a_recording_replaces_an_older_script_whole_and_keeps_its_mode(
    session: Session, tmp_path: Path
) -> None:
    script = tmp_path / "old.stp"
    script.write_text("send jobQueue from-last-week\n" * 100, encoding="utf-8")
    script.chmod(0o640)
    execute(session, f"record {script}")
    execute(session, "advance 1s")
    execute(session, "record stop")
    text = script.read_text(encoding="utf-8")
    assert "from-last-week" not in text
    assert [line for line in text.splitlines() if not line.startswith("#")] == [
        "send jobQueue kept",
        "advance 1s",
    ]
    assert (script.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job-queue", "old.stp"]
