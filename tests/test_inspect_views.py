"""What `show jobs` and `show message` tell a user about what they set and sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "stptui" / "sample_stacks"
START = parse_instant("2026-01-05T08:00:00Z")


def test_show_jobs_shows_the_declared_behaviour_and_the_overrides_in_force() -> None:
    session = Session.open(SAMPLES / "combined", start_ms=START)
    execute(session, "fail heavyJob next 1")
    execute(session, "slow heavyJob 2h")
    shown = execute(session, "show jobs")
    assert shown.table is not None
    headers, rows = shown.table
    [row] = [dict(zip(headers, r, strict=True)) for r in rows if r[0] == "heavyJob"]
    assert row["behaviour"] == (
        "40 min; fails on the first attempt (SpotInterruption); "
        "override: fail heavyJob next 1 (1 left); slow heavyJob 2 h"
    )
    [data] = [d for d in shown.data if d["job"] == "heavyJob"]
    assert data["overrides"] == ["fail heavyJob next 1 (1 left)", "slow heavyJob 2 h"]
    execute(session, "succeed heavyJob")
    rows = execute(session, "show jobs").table[1]  # type: ignore[index]
    assert rows[0][-1] == "40 min; fails on the first attempt (SpotInterruption); " + (
        "override: succeed heavyJob"
    )


def test_show_message_of_a_standard_queue_with_a_group_shows_no_deduplication_id() -> None:
    session = Session.open(SAMPLES / "job-queue", start_ms=START)
    mid = execute(session, """send jobQueue '{"amount": 1}' --group tenant-a""").data["message_id"]
    lines = execute(session, f"show message {mid}").text.splitlines()
    assert "group tenant-a" in lines
    assert not any("deduplication" in line or "None" in line for line in lines)


def test_show_message_of_a_fifo_queue_shows_its_group_and_deduplication_id(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  orders: {type: sqs-queue, properties: {fifoEnabled: true}}\n"
    )
    session = Session.open(tmp_path, start_ms=START)
    line = """send orders '{"n": 1}' --group g1 --dedup-id order-1"""
    mid = execute(session, line).data["message_id"]
    assert "group g1, deduplication id order-1" in execute(session, f"show message {mid}").text


def test_show_message_of_an_sns_message_does_not_call_it_gone_from_a_queue() -> None:
    session = Session.open(SAMPLES / "combined", start_ms=START)
    published = execute(session, "publish-sns alertsTopic 'disk full' --attr severity=high")
    mid = published.data["message_id"]
    lines = execute(session, f"show message {mid[:8]}").text.splitlines()
    assert lines == [f"message {mid}", "an SNS message published on alertsTopic; its history:"]


def test_show_message_of_a_dead_lettered_message_says_why_it_was_moved() -> None:
    # An on-call who opens a message of the dead-letter queue with `show message` sees its
    # receives, but the failures are records of the invocations, not of the message: the
    # `why:` line `explain` starts with says who failed it and with what.
    session = Session.open(SAMPLES / "job-queue", start_ms=START)
    sent = execute(session, """send jobQueue '{"orderId": 2, "amount": 5000}'""")
    mid = sent.data["message_id"]
    execute(session, "advance 20m")
    lines = execute(session, f"show message {mid[:8]}").text.splitlines()
    assert lines[:3] == [
        f"message {mid}",
        "queue deadLetterQueue, visible, received 3 times",
        "why: moved to deadLetterQueue after 3 receives; worker failed each: PaymentDeclined: "
        f"amount over the limit; `explain {mid}` adds each failure and its log lines",
    ]
    # Redriven, the message is gone from every queue; why it was moved stays true.
    execute(session, "redrive deadLetterQueue")
    gone = execute(session, f"show message {mid}").text.splitlines()
    assert gone[1].startswith("why: moved to deadLetterQueue after 3 receives; worker failed")
    assert gone[2].startswith("redriven to jobQueue as ")
    assert gone[3] == "no longer in any queue; its history:"


def test_show_message_of_a_message_deleted_at_once_has_no_why_line() -> None:
    session = Session.open(SAMPLES / "job-queue", start_ms=START)
    mid = execute(session, """send jobQueue '{"amount": 1}'""").data["message_id"]
    execute(session, "advance 1m")
    text = execute(session, f"show message {mid}").text
    assert "why:" not in text and "no longer in any queue" in text


def test_show_message_links_a_redriven_message_and_its_new_copy() -> None:
    # After `redrive`, the on-call confirms the message went through: the old id's page
    # ends at the move, so it names the new id, and the new one names where it came from.
    session = Session.open(SAMPLES / "job-queue", start_ms=START)
    sent = execute(session, """send jobQueue '{"orderId": 2, "amount": 5000}'""")
    old = sent.data["message_id"]
    execute(session, "advance 20m")
    execute(session, "succeed worker")
    [move] = execute(session, "redrive deadLetterQueue").data["moved"]
    new = move["new_message_id"]
    execute(session, "advance 1m")
    gone = execute(session, f"show message {old}").text.splitlines()
    assert f"redriven to jobQueue as {new}: `show message {new}` follows it there" in gone
    shown_new = execute(session, f"show message {new}")
    again = shown_new.text.splitlines()
    assert again[1:3] == [
        f"a redrive of {old} from deadLetterQueue (`show message {old}` has its life before)",
        "no longer in any queue; its history:",
    ]
    assert shown_new.data["history"][-1]["kind"] == "message.deleted"


def test_show_job_lists_finished_executions_newest_first_by_the_ids_other_commands_take() -> None:
    # `show jobs` lists only running executions: a finished one's id, which `explain`,
    # `show event` and `redrive-execution` take, was found only in `start-job`'s answer.
    session = Session.open(SAMPLES / "batch-job", start_ms=START)
    first = execute(session, "start-job heavyJob '{\"day\": 1}'").data["execution_id"]
    execute(session, "advance 3h")
    execute(session, "fail heavyJob")
    second = execute(session, "start-job heavyJob").data["execution_id"]
    execute(session, "advance 3h")
    execute(session, f"redrive-execution {second}")
    third = execute(session, "start-job heavyJob").data["execution_id"]
    shown = execute(session, "show job heavyJob")
    assert shown.text.splitlines()[:3] == [
        "heavyJob (batch job): 3 attempts, retry waits 2 min, 4 min, timeout 1 h",
        "behaviour: 40 min; fails on the first attempt (SpotInterruption); "
        "override: fail heavyJob always",
        "3 executions: 1 succeeded, 1 failed, 1 running; 1 redrive",
    ]
    assert shown.table is not None
    headers, rows = shown.table
    assert headers == ["execution", "trigger", "status", "attempts", "start", "end", "error"]
    assert [row[:6] for row in rows] == [
        [third, "manual", "RUNNING", "1 of 3", "2026-01-05T14:00:00.000Z", ""],
        [
            second,
            "manual",
            "FAILED (redriven 1x)",
            "3 of 3",
            "2026-01-05T11:00:00.000Z",
            "2026-01-05T14:00:00.000Z",
        ],
        [
            first,
            "manual",
            "SUCCEEDED",
            "2 of 3",
            "2026-01-05T08:00:00.000Z",
            "2026-01-05T09:22:00.000Z",
        ],
    ]
    assert [e["execution_id"] for e in shown.data["latest"]] == [third, second, first]
    # The ids it lists are the ones the other commands take.
    assert first in execute(session, f"explain {first}").text
    assert execute(session, f"show event {first}").data["text"] == '{"day":1}'


def test_show_job_gives_a_failed_executions_message_cut_and_explain_gives_it_whole(
    tmp_path: Path,
) -> None:
    """The error column said `Error` alone: an execution kept no message, though each
    failed attempt's record has one."""
    message = "Host EC2 (instance i-0a1b2c3d) terminated: the Spot capacity was reclaimed"
    behaviours = tmp_path / "stptui.yml"
    behaviours.write_text(
        f"behaviors:\n  heavyJob:\n    duration: 40m\n    fail:\n      always: true\n"
        f"      error: SpotInterruption\n      message: '{message}'\n"
    )
    session = Session.open(SAMPLES / "batch-job", behaviors_path=behaviours, start_ms=START)
    failed = execute(session, "start-job heavyJob").data["execution_id"]
    execute(session, "advance 3h")
    stopped = execute(session, "start-job heavyJob").data["execution_id"]
    execute(session, f"stop-execution {stopped} --error Halted --cause 'bad input'")
    shown = execute(session, "show job heavyJob")
    assert shown.table is not None
    headers, rows = shown.table
    errors = {row[0]: str(row[headers.index("error")]) for row in rows}
    whole = f"SpotInterruption: {message}"
    assert errors == {failed: whole[:59] + "…", stopped: "Halted: bad input"}
    assert [(e["error"], e["error_message"]) for e in shown.data["latest"]] == [
        ("Halted", "bad input"),
        ("SpotInterruption", message),
    ]
    assert f"error_message={message}" in execute(session, f"explain {failed}").text


def test_show_job_points_to_start_job_before_any_execution() -> None:
    session = Session.open(SAMPLES / "batch-job", start_ms=START)
    shown = execute(session, "show job heavyJob")
    assert shown.table is None
    assert shown.text.splitlines()[-1] == "no executions yet (`start-job heavyJob` starts one)"


def test_show_job_is_refused_without_a_job_or_with_a_listings_word() -> None:
    session = Session.open(SAMPLES / "batch-job", start_ms=START)
    for line, message, hint in (
        (
            "show job",
            "show job needs a batch job name",
            "this stack's batch jobs: heavyJob; e.g. show job heavyJob",
        ),
        ("show job database", "'database' is a relational-database, not a batch job", None),
        (
            "show jobs heavyJob",
            "show jobs takes nothing more, not 'heavyJob'",
            "`show job heavyJob` shows one; `show jobs` lists them all",
        ),
        ("show heavyJob", "cannot show 'heavyJob'", "'heavyJob' is a batch-job: show job heavyJob"),
    ):
        with pytest.raises(CommandError) as caught:
            execute(session, line)
        assert caught.value.message == message
        if hint is not None:
            assert caught.value.hint == hint
