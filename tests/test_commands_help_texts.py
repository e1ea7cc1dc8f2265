"""Help lines say what the commands do today: a standard queue takes a group id (a fair
queue's tenant), `save` keeps the project name and --allow-code, and `expect` reads
`job.J.FIELD` paths, each of which the tests below also check the command really does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import REGISTRY, Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "docs" / "examples" / "commands-stack.yml"
START = parse_instant("2026-01-05T08:00:00Z")


def help_of(name: str) -> str:
    return " ".join(REGISTRY.commands[name].help_text().split())


def test_send_group_help_names_fair_queues_and_a_standard_queue_takes_a_group() -> None:
    assert "--group G message group id (FIFO queues; a fair queue's tenant on a standard one)" in (
        help_of("send")
    )
    session = Session.open(STACK, start_ms=START)
    execute(session, "send jobQueue x --group tenant-1")


def test_save_help_names_what_the_file_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = help_of("save")
    assert "the project name when one was given" in text and "--allow-code" in text
    monkeypatch.chdir(tmp_path)
    session = Session.open(STACK, start_ms=START, project="shop", allow_code=True)
    execute(session, "save run.json")
    saved = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert (saved["project"], saved["allow_code"]) == ("shop", True)


def test_expect_path_help_names_job_paths_which_work() -> None:
    arg = next(a for a in REGISTRY.commands["expect"].args if a.name == "PATH")
    assert "job.J.FIELD" in arg.help
    session = Session.open(STACK, start_ms=START)
    execute(session, "start-job heavyJob")
    execute(session, "expect job.heavyJob.submitted == 1")
