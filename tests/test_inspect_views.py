"""What `show jobs` and `show message` tell a user about what they set and sent."""

from __future__ import annotations

from pathlib import Path

from stptui.commands import Session, execute
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
