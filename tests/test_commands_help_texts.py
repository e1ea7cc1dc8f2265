"""Help lines say what the commands do today: a standard queue takes a group id (a fair
queue's tenant), `save` keeps the project name and --allow-code, and `expect` reads
`job.J.FIELD` paths, each of which the tests below also check the command really does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import REGISTRY, CommandError, Session, execute
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


def test_succeed_help_names_what_it_suppresses_and_what_it_cannot(tmp_path: Path) -> None:
    # The on-call's "fix": it must say that a declared timeout goes too, that a Python
    # handler's own exception still fails, and how to have the declared failures back.
    text = help_of("succeed")
    assert "`fail`, `timeout` and `partial` rules" in text
    assert "A Python handler's own exceptions still fail" in text
    assert "`undo` takes it back" in text
    behaviors = tmp_path / "b.yml"
    behaviors.write_text("behaviors:\n  worker:\n    timeout: true\n", encoding="utf-8")
    session = Session.open(STACK, start_ms=START, behaviors_path=behaviors)
    execute(session, "succeed worker")
    execute(session, "send jobQueue x")
    execute(session, "advance 10m")
    assert execute(session, "expect function.worker.successes == 1").data["ok"] is True
    execute(session, "undo 3")
    execute(session, "send jobQueue x")
    execute(session, "advance 10m")
    assert execute(session, "expect function.worker.failures >= 1").data["ok"] is True


def test_redrive_help_says_it_prints_the_new_ids_and_when_it_needs_to(tmp_path: Path) -> None:
    text = help_of("redrive")
    assert "prints each message's old id and its new one" in text
    assert "sends each message back to the queue it dead-lettered from" in text
    session = Session.open(STACK, start_ms=START)
    old = execute(session, "send deadLetterQueue x").data["message_id"]
    moved = execute(session, "redrive deadLetterQueue").text.splitlines()
    assert len(moved) == 2 and moved[1].startswith(f"  {old} -> ")
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  dlq: {type: sqs-queue}\n"
        "  a: {type: sqs-queue, properties: {redrivePolicy: {targetSqsQueueName: dlq, "
        "maxReceiveCount: 3}}}\n"
        "  b: {type: sqs-queue, properties: {redrivePolicy: {targetSqsQueueName: dlq, "
        "maxReceiveCount: 3}}}\n",
        encoding="utf-8",
    )
    shared = Session.open(tmp_path, start_ms=START)
    # A message sent to the shared DLQ by hand has no source queue to go back to.
    execute(shared, "send dlq x")
    with pytest.raises(CommandError, match="did not dead-letter from a, b"):
        execute(shared, "redrive dlq")


def test_record_help_says_it_keeps_the_expect_lines_that_held() -> None:
    assert "An `expect` that holds while it records is written too" in help_of("record")
