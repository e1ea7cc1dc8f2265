"""The shell loop of docs/ci.md that runs the scenarios of several stacks: run by bash on a
folder of two stacks, with `stptui` this checkout, it keeps the worst exit code, writes a
report per stack and keeps the sessions of the scenarios that failed, per stack."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_docs_examples import blocks

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"


def the_loop() -> str:
    (block,) = [
        b
        for b in blocks(ROOT / "docs" / "ci.md")
        if b.check == ["by", "tests/test_docs_ci_loop.py"]
    ]
    return block.text


def services(tmp_path: Path, scripts: dict[str, dict[str, str]]) -> None:
    """services/NAME/ for each stack: the job-queue sample and its tests/*.stp."""
    for name, tests in scripts.items():
        stack = tmp_path / "services" / name
        shutil.copytree(JOB_QUEUE, stack)
        (stack / "tests").mkdir()
        for script, text in tests.items():
            (stack / "tests" / script).write_text(text, encoding="utf-8")


def run_loop(tmp_path: Path) -> int:
    """The page's loop under bash in tmp_path; its exit code."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stptui = bin_dir / "stptui"
    stptui.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m stptui "$@"\n', encoding="utf-8")
    stptui.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        ["bash", "-c", the_loop()], cwd=tmp_path, env=env, capture_output=True, timeout=120
    )
    return done.returncode


PASSES = 'send jobQueue \'{"orderId": 1, "amount": 20}\'\nadvance 10s\n' + (
    "expect function.worker.successes == 1\n"
)
FAILS = 'send jobQueue \'{"orderId": 1, "amount": 20}\'\nadvance 10s\n' + (
    "expect queue.deadLetterQueue.depth == 1\n"
)
BROKEN = "sned jobQueue x\n"


@pytest.mark.skipif(shutil.which("bash") is None, reason="the page's loop is a bash script")
def test_the_loop_keeps_the_worst_code_a_report_per_stack_and_the_failed_sessions(
    tmp_path: Path,
) -> None:
    services(tmp_path, {"billing": {"charged.stp": PASSES}, "orders": {"dlq.stp": FAILS}})
    assert run_loop(tmp_path) == 1
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["billing.xml", "orders.xml"]
    assert list((tmp_path / "sessions" / "billing").iterdir()) == []
    assert [p.name for p in (tmp_path / "sessions" / "orders").iterdir()] == ["dlq.json"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="the page's loop is a bash script")
def test_a_script_to_mend_in_the_first_stack_is_not_hidden_by_a_later_regression(
    tmp_path: Path,
) -> None:
    services(tmp_path, {"a": {"broken.stp": BROKEN}, "b": {"dlq.stp": FAILS}})
    assert run_loop(tmp_path) == 2
