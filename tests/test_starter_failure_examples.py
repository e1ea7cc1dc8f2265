"""`stptui init` teaches the first thing an on-call user does: a function that consumes a
queue gets a commented-out `fail` (a `when` on the body) and a commented-out partial batch
response (`partial` with `reportBatchItemFailures: true`), each with the `send` that shows it.
Uncommented, each loads without a diagnostic and does what its comment says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from stptui.commands import Session, execute
from stptui.config import ConfigError, load_stack, load_stack_text
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import parse_instant
from stptui.starter import starter_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "stptui" / "sample_stacks"
EXAMPLES = ROOT / "docs" / "examples"
JOB_QUEUE = SAMPLES / "job-queue"
START = parse_instant("2026-01-05T08:00:00Z")

_FAIL = re.compile(r"^(    )# (fail:)", re.M)
_PARTIAL = re.compile(r"^(    )# ((?:partial|reportBatchItemFailures):)", re.M)


def _problems(stack_file: str, text: str) -> list[str]:
    stack = load_stack(Path(stack_file))
    _, diags = Behaviors.from_text(text, str(Path(stack_file).parent / "stptui.yml"), stack)
    return [d.format() for d in diags]


def _session_with(tmp_path: Path, behaviours: str) -> Session:
    for name in ("stacktape.yml",):
        (tmp_path / name).write_text((JOB_QUEUE / name).read_text("utf-8"), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviours, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START)


def _starter() -> str:
    return starter_file(load_stack(JOB_QUEUE / "stacktape.yml")).text


def test_the_queue_consumer_gets_the_examples_and_the_http_function_does_not() -> None:
    entries = _starter().split("\n\n")
    worker = next(e for e in entries if "  worker:" in e)
    api = next(e for e in entries if "  api:" in e)
    assert "    # fail: {when: \"body == 'poison'\", error: PoisonMessage" in worker
    assert "    # partial: {when: \"body == 'poison'\"}" in worker
    assert "    # reportBatchItemFailures: true" in worker
    # The comment names the command that shows it and where the message goes.
    flat = " ".join(line.removeprefix("    # ") for line in worker.splitlines())
    assert "`send jobQueue poison`" in flat
    assert "moves it to deadLetterQueue after 3 receives" in flat
    assert "fail:" not in api and "partial:" not in api
    # Every line of the comments stays within the file's width.
    assert all(len(line) <= 88 for line in worker.splitlines() if not line.startswith("    # f"))


def test_the_uncommented_fail_sends_a_poison_message_to_the_dead_letter_queue(
    tmp_path: Path,
) -> None:
    text = _FAIL.sub(r"\1\2", _starter())
    assert yaml.safe_load(text)["behaviors"]["worker"]["fail"]["error"] == "PoisonMessage"
    assert _problems(str(JOB_QUEUE / "stacktape.yml"), text) == []
    s = _session_with(tmp_path, text)
    fine = execute(s, """send jobQueue '{"orderId": 1}'""").data["message_id"]
    poison = execute(s, "send jobQueue poison").data["message_id"]
    execute(s, "advance 20m")
    assert execute(s, f"explain {poison}").text.splitlines()[0] == (
        "why: moved to deadLetterQueue after 3 receives; worker failed each: PoisonMessage: "
        "cannot process it"
    )
    assert not execute(s, f"explain {fine}").text.startswith("why:")


def test_the_uncommented_partial_batch_response_reports_the_poison_message(
    tmp_path: Path,
) -> None:
    text = _PARTIAL.sub(r"\1\2", _starter())
    assert _problems(str(JOB_QUEUE / "stacktape.yml"), text) == []
    s = _session_with(tmp_path, text)
    poison = execute(s, "send jobQueue poison").data["message_id"]
    execute(s, "advance 20m")
    assert execute(s, f"explain {poison}").text.splitlines()[0] == (
        "why: moved to deadLetterQueue after 3 receives; worker reported it as failed in its "
        "response's batchItemFailures on each receive"
    )
    # The invocations succeeded: their answer returned the message, no failure did.
    assert not [r for r in s.sim.trace.records if r.kind == "invocation.failed"]


BUNDLED = [
    path
    for path in sorted(SAMPLES.glob("*/stacktape.yml")) + sorted(EXAMPLES.glob("*.yml"))
    if not re.search(r"^behaviors\s*:", path.read_text("utf-8"), re.M)
]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_bundled_stacks_examples_load_cleanly_uncommented(path: Path) -> None:
    try:
        stack = load_stack(path)
    except ConfigError:
        pytest.skip("no stack")
    text = starter_file(stack).text
    for pattern in (_FAIL, _PARTIAL):
        taken_in = pattern.sub(r"\1\2", text)
        assert _problems(str(path), taken_in) == []
        # Only functions that consume a queue get them.
        for name, entry in (yaml.safe_load(taken_in)["behaviors"] or {}).items():
            if "fail" in entry or "partial" in entry:
                events = stack.resources[name].properties.get("events") or []
                assert any(ev.get("type") == "sqs" for ev in events), name


def test_a_fifo_queue_and_a_queue_without_a_dead_letter_queue_are_said_as_they_are() -> None:
    stack = load_stack_text(
        """\
resources:
  "orders #1.fifo":
    type: sqs-queue
    properties: {fifoEnabled: true}
  w:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events: [{type: sqs, properties: {sqsQueueName: "orders #1.fifo"}}]
""",
        "stacktape.yml",
    )
    text = starter_file(stack).text
    flat = " ".join(line.strip().removeprefix("# ") for line in text.splitlines())
    assert "`send 'orders #1.fifo' poison --group g1 --dedup-id d1`" in flat
    assert "receives it again until its retention ends (it has no dead-letter queue)" in flat
    # The name's `#` and `:` stay inside the comment: the entry has only its duration.
    assert set(yaml.safe_load(text)["behaviors"]["w"]) == {"duration"}
