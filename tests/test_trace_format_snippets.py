"""The jq and Python snippets of docs/trace-format.md's "Working with a trace" read a real
trace, written by `stptui run --trace` for the dead-letter scenario of docs/simulating.md,
and find in it what they say they find."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stptui.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "trace-format.md"
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
# A job the worker always fails: 3 failed invocations, then one dead-lettered message.
SCENARIO = ROOT / "docs" / "examples" / "dlq-scenario.stp"


def snippet(info: str) -> str:
    """The first block of `info` under "## Working with a trace"."""
    section = PAGE.read_text(encoding="utf-8").split("\n## Working with a trace\n", 1)[1]
    m = re.search(rf"^```{info}\n(.*?)^```$", section, flags=re.M | re.S)
    assert m is not None, f"no {info} block in the section"
    return m[1]


@pytest.fixture
def trace_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A folder holding trace.jsonl, the trace of the scenario, as the snippets name it."""
    trace = tmp_path / "trace.jsonl"
    argv = ["run", str(JOB_QUEUE), str(SCENARIO), "--start", "2026-01-05T08:00:00Z"]
    assert main([*argv, "--trace", str(trace)]) == 0
    capsys.readouterr()
    return tmp_path


def records(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "trace.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_the_python_snippet_finds_the_dead_lettered_message(
    trace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(trace_dir)
    names: dict[str, Any] = {}
    exec(compile(snippet("python"), str(PAGE), "exec"), names)
    # The message the script sends (the redrive later sends it again, with a new id).
    sent = [r["message_id"] for r in records(trace_dir) if r["kind"] == "message.sent"]
    assert names["dead"] == sent[:1]


def test_the_jq_snippets_list_the_failures_and_count_the_kinds(trace_dir: Path) -> None:
    jq = shutil.which("jq")
    if jq is None:
        pytest.skip("jq is not installed")
    failures_line, counts_line = snippet("sh").splitlines()
    outputs = []
    for line in (failures_line, counts_line):
        argv = shlex.split(line)
        assert argv[0] == "jq"
        done = subprocess.run(
            [jq, *argv[1:]], cwd=trace_dir, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    failures = [json.loads(line) for line in outputs[0].splitlines()]
    assert len(failures) == 3
    assert all(set(f) == {"t", "resource", "error"} for f in failures)
    assert {f["resource"] for f in failures} == {"worker"}
    assert all(f["error"] for f in failures)
    counts = {c["kind"]: c["n"] for c in json.loads(outputs[1])}
    kinds = [r["kind"] for r in records(trace_dir)]
    assert counts == {kind: kinds.count(kind) for kind in set(kinds)}
    assert counts["invocation.failed"] == 3 and counts["message.dead_lettered"] == 1
