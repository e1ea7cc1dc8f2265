"""Every sample stack's `demo.stp` runs green under `stptui run`, and deterministically.

The demos are documentation as much as tests: each tells its architecture's story with
`expect` lines, so a change in the simulator that alters a story fails here, naming the
stack. Two runs of the same demo must write byte-identical trace files (design rule 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.cli import main

STACKS = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
START = "2026-01-05T08:00:00Z"
DEMOS = sorted(STACKS.glob("*/demo.stp"))


def run_demo(demo: Path, trace: Path) -> int:
    """`stptui run STACKDIR demo.stp --start START --trace TRACE`; the exit code."""
    return main(["run", str(demo.parent), str(demo), "--start", START, "--trace", str(trace)])


def test_every_sample_stack_has_a_demo_and_a_sidecar() -> None:
    stacks = {p.parent.name for p in STACKS.glob("*/stacktape.yml")}
    assert stacks, "no sample stacks found"
    assert {d.parent.name for d in DEMOS} == stacks
    assert {p.parent.name for p in STACKS.glob("*/stptui.yml")} == stacks


@pytest.mark.parametrize("demo", DEMOS, ids=lambda p: p.parent.name)
def test_demo_runs_green_and_is_deterministic(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    code = run_demo(demo, first)
    out, err = capsys.readouterr()
    assert code == 0, f"{demo.parent.name}/demo.stp exited {code}:\n{err}\n{out[-2000:]}"
    assert err == "", f"{demo.parent.name}: the stack or its sidecar has diagnostics:\n{err}"
    assert run_demo(demo, second) == 0
    capsys.readouterr()
    assert first.read_bytes() == second.read_bytes()
