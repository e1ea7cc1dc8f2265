"""`explain` of a dead-lettered message says first why it was moved: how many receives,
which function failed them and with what error, and, when the message shared its batches
with others, that it did (a poison message fails its batch-mates too, without
ReportBatchItemFailures). The chain of records follows, as before."""

from __future__ import annotations

from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
resources:
  orders:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 60
      redrivePolicy: {targetSqsQueueName: ordersDlq, maxReceiveCount: 2}
  ordersDlq: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events: [{type: sqs, properties: {sqsQueueName: orders, batchSize: 5}}]
"""
BEHAVIORS = """\
behaviors:
  worker:
    fail:
      when: "body == 'poison'"
      error: PoisonPill
      message: cannot parse the order
"""


def _session(folder: Path) -> Session:
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    return Session.open(folder, start_ms=T0)


def test_a_dead_lettered_message_is_explained_by_its_failures_first(tmp_path: Path) -> None:
    s = _session(tmp_path)
    poison = execute(s, "send orders poison").data["message_id"]
    execute(s, "advance 10m")
    lines = execute(s, f"explain {poison}").text.splitlines()
    assert lines[0] == (
        "why: moved to ordersDlq after 2 receives; worker failed each: "
        "PoisonPill: cannot parse the order"
    )
    assert lines[-2].split()[1] == "message.dead_lettered"
    assert lines[-1].startswith("show event ") and "worker received" in lines[-1]


def test_a_message_failed_by_its_batch_mate_says_it_shared_the_batch(tmp_path: Path) -> None:
    s = _session(tmp_path)
    good = execute(s, "send orders fine").data["message_id"]
    execute(s, "send orders poison")
    # Sent at the same instant, the two are received in one batch, which the poison fails.
    execute(s, "advance 10m")
    lines = execute(s, f"explain {good}").text.splitlines()
    assert lines[0] == (
        "why: moved to ordersDlq after 2 receives; worker failed each: "
        "PoisonPill: cannot parse the order (in a batch of 2 messages: a failed invocation "
        "returns its whole batch, unless the function reports batchItemFailures)"
    )


def test_a_batch_mate_s_why_names_the_poison_message_when_the_rule_has_no_message(
    tmp_path: Path,
) -> None:
    # docs/behaviors.md (`fail`): the default message names the message the `when` rule
    # held for, so an on-call asking about the good message learns which one failed it.
    _session(tmp_path)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    fail: {when: \"body == 'poison'\"}\n", encoding="utf-8"
    )
    s = Session.open(tmp_path, start_ms=T0)
    good = execute(s, "send orders fine").data["message_id"]
    poison = execute(s, "send orders poison").data["message_id"]
    execute(s, "advance 10m")
    why = execute(s, f"explain {good}").text.splitlines()[0]
    assert f"Error: simulated failure (when body == 'poison' (message {poison}))" in why


def test_a_message_that_was_not_dead_lettered_gets_no_why(tmp_path: Path) -> None:
    s = _session(tmp_path)
    fine = execute(s, "send orders fine").data["message_id"]
    execute(s, "advance 10m")
    assert not execute(s, f"explain {fine}").text.startswith("why:")


def test_a_message_its_function_reported_is_not_said_to_have_shared_a_failed_batch(
    tmp_path: Path,
) -> None:
    _session(tmp_path)  # the stack; its behaviours replaced by a partial batch response
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    partial: {when: \"body == 'poison'\"}\n"
        "    reportBatchItemFailures: true\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=T0)
    execute(s, "send orders fine")
    poison = execute(s, "send orders poison").data["message_id"]
    execute(s, "advance 10m")
    lines = execute(s, f"explain {poison}").text.splitlines()
    # The invocations succeeded: the why-line names the partial batch response, in words.
    assert lines[0] == (
        "why: moved to ordersDlq after 2 receives; worker reported it as failed in its "
        "response's batchItemFailures on each receive"
    )
    # Explaining the invocation that received it explains the invocation, not the message.
    started = next(
        r for r in s.sim.trace.records if r.kind == "invocation.started" and r.resource == "worker"
    )
    assert not execute(s, f"explain {started.get('invocation_id')}").text.startswith("why:")


def test_a_message_whose_invocations_timed_out_says_so_once(tmp_path: Path) -> None:
    # Each receive's invocation has a request id of its own; the why-line quotes Lambda's
    # words without it, so the two timeouts read as one cause (docs/fidelity.md, "Timeouts").
    s = _session(tmp_path)
    execute(s, "slow worker 5m")  # past Stacktape's default timeout of 20 s
    slow = execute(s, "send orders fine").data["message_id"]
    execute(s, "advance 10m")
    lines = execute(s, f"explain {slow}").text.splitlines()
    assert lines[0] == (
        "why: moved to ordersDlq after 2 receives; worker failed each: "
        "Sandbox.Timedout: Task timed out after 20.00 seconds"
    )


def test_a_message_failed_once_and_reported_once_says_each_how_often(tmp_path: Path) -> None:
    # The first receive's invocation fails; the second succeeds but reports the message.
    _session(tmp_path)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  worker:\n"
        "    fail: {when: \"record.attributes.ApproximateReceiveCount == '1'\", "
        "error: Flaky, message: first try}\n"
        "    partial: {when: \"body == 'poison'\"}\n"
        "    reportBatchItemFailures: true\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=T0)
    poison = execute(s, "send orders poison").data["message_id"]
    execute(s, "advance 10m")
    assert execute(s, f"explain {poison}").text.splitlines()[0] == (
        "why: moved to ordersDlq after 2 receives; worker failed 1 of them: Flaky: first try; "
        "worker reported it as failed in its response's batchItemFailures on 1 of the 2 "
        "receives"
    )
