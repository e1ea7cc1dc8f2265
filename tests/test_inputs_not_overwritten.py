"""A command that writes a file never writes over what the session was made from:
`stptui run --trace` naming the script, the stack or the behaviours file, and `save` or
`record` naming the stack, a file its `$File` read, the behaviours file or a Python module
its handlers imported (and `save` naming the script being recorded), are refused before anything is opened; the file keeps
every byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import stptui
from stptui.cli import main
from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

SAMPLE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    """A copy of the job-queue sample (stacktape.yml, stptui.yml, demo.stp)."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "job-queue"))


@pytest.mark.parametrize(
    ("name", "what"),
    [("demo.stp", "script"), ("stacktape.yml", "stack"), ("stptui.yml", "behaviours file")],
)
def test_run_refuses_a_trace_over_its_own_inputs(
    stack: Path, capsys: pytest.CaptureFixture[str], name: str, what: str
) -> None:
    before = (stack / name).read_bytes()
    # A path that differs in spelling but not in file.
    trace = stack / ".." / stack.name / name
    code = main(
        ["run", str(stack), str(stack / "demo.stp"), "--trace", str(trace), "--start", START]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.endswith(
        f"{trace}: --trace names the {what} of this run, which it would overwrite; "
        "write the trace to another file, e.g. --trace trace.jsonl\n"
    )
    assert (stack / name).read_bytes() == before


@pytest.mark.parametrize("verb", ["save", "record"])
@pytest.mark.parametrize(
    ("name", "what"), [("stacktape.yml", "stack"), ("stptui.yml", "behaviours file")]
)
def test_save_and_record_refuse_the_sessions_own_files(
    stack: Path, verb: str, name: str, what: str
) -> None:
    session = Session.open(stack, start_ms=parse_instant(START))
    execute(session, "send jobQueue hello")
    before = (stack / name).read_bytes()
    with pytest.raises(CommandError) as info:
        execute(session, f"{verb} {stack / name}")
    assert info.value.message == (
        f"{stack / name} is the {what} of this session; writing there would replace it"
    )
    assert info.value.hint is not None and info.value.hint.startswith(f"{verb} to another file")
    assert (stack / name).read_bytes() == before
    assert session.recorder is None


def test_save_refuses_the_script_being_recorded(stack: Path) -> None:
    session = Session.open(stack, start_ms=parse_instant(START))
    script = stack / "run.stp"
    execute(session, f"record {script}")
    with pytest.raises(CommandError) as info:
        execute(session, f"save {script}")
    assert info.value.message == f"{script} is the script being recorded"
    execute(session, "send jobQueue hello")
    execute(session, "record stop")
    assert script.read_text(encoding="utf-8").endswith("send jobQueue hello\n")


@pytest.mark.parametrize("verb", ["save", "record"])
def test_save_and_record_refuse_a_file_the_stack_includes(tmp_path: Path, verb: str) -> None:
    # `$File('limits.yml')` read it: a reload, or the next start, would read what was saved.
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  jobQueue:\n    type: sqs-queue\n    properties:\n"
        "      visibilityTimeoutSeconds: $File('limits.yml').visibility\n"
    )
    limits = tmp_path / "limits.yml"
    limits.write_text("visibility: 30\n")
    session = Session.open(tmp_path, start_ms=parse_instant(START))
    with pytest.raises(CommandError) as info:
        execute(session, f"{verb} {limits}")
    assert info.value.message == (
        f"{limits} is the included file of this session; writing there would replace it"
    )
    assert limits.read_text() == "visibility: 30\n"


@pytest.mark.parametrize("verb", ["save", "record"])
def test_save_and_record_refuse_a_handler_module(tmp_path: Path, verb: str) -> None:
    # --allow-code imported it: a reload, or the next start, would import what was saved.
    stack = Path(shutil.copytree(SAMPLE, tmp_path / "job-queue"))
    (stack / "stptui.yml").write_text("behaviors:\n  worker:\n    handler: handlers:worker\n")
    module = stack / "handlers.py"
    module.write_text("def worker(event, context):\n    return None\n")
    session = Session.open(stack, start_ms=parse_instant(START), allow_code=True)
    with pytest.raises(CommandError) as info:
        execute(session, f"{verb} {module}")
    assert info.value.message == (
        f"{module} is the handler module of this session; writing there would replace it"
    )
    assert module.read_text() == "def worker(event, context):\n    return None\n"
