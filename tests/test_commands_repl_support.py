"""What the command layer offers front ends such as the REPL: interruptible clock commands
that log a replayable line, `record` and `source`, and scripts whose quoted bodies span
lines. Tested through `execute` alone, without a prompt."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import (
    CommandError,
    ExpectationFailed,
    Session,
    complete_values,
    execute,
)
from stptui.commands import registry as kinds
from stptui.commands.registry import open_quote, strip_comment
from stptui.commands.script import read_script, script_lines
from stptui.commands.session import trace_sha256
from stptui.sim.clock import iso_ms, parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")


def busy() -> Session:
    session = Session.open(STACK, start_ms=T0)
    for i in range(1000):
        execute(session, f'send jobQueue \'{{"orderId": {i}, "amount": {i * 3}}}\'')
    return session


def replay(log: list[str]) -> Session:
    fresh = Session.open(STACK, start_ms=T0)
    for line in log:
        execute(fresh, line)
    return fresh


@pytest.mark.parametrize("line", ["advance 30d", "until 2026-02-01T00:00:00Z", "run --max 30d"])
def test_a_stopped_clock_command_logs_the_until_it_amounted_to(line: str) -> None:
    session = busy()
    polls = []

    def should_stop() -> bool:
        polls.append(session.sim.clock.events_run)
        return len(polls) >= 2

    result = execute(session, line, should_stop=should_stop)
    assert result.data["interrupted"] is True
    assert result.text.startswith("interrupted; now ")
    now = session.sim.clock.now
    assert session.log[-1] == f"until {iso_ms(now)}"
    # Every event due at the instant reached has run: nothing is left at `now`.
    assert (session.sim.clock.peek() or now + 1) > now
    again = replay(session.log)
    assert trace_sha256(again.sim.trace) == trace_sha256(session.sim.trace)
    assert again.sim.clock.now == now


def test_a_stopped_step_logs_the_steps_that_ran() -> None:
    session = busy()
    polls = []

    def should_stop() -> bool:
        polls.append(session.sim.clock.events_run)
        return len(polls) >= 3

    result = execute(session, "step 1000000", should_stop=should_stop)
    ran = result.data["ran"]
    assert result.data["interrupted"] is True and result.text.startswith("interrupted; ")
    assert 0 < ran < 1_000_000
    assert session.log[-1] == f"step {ran}"
    again = replay(session.log)
    assert trace_sha256(again.sim.trace) == trace_sha256(session.sim.trace)


def test_a_clock_command_that_is_not_stopped_logs_what_was_typed() -> None:
    session = busy()
    result = execute(session, "advance 1m", should_stop=lambda: False)
    assert "interrupted" not in result.data
    assert session.log[-1] == "advance 1m"


def test_record_writes_the_log_so_far_then_each_command(tmp_path: Path) -> None:
    session = Session.open(STACK, start_ms=T0)
    execute(session, "send jobQueue first")
    script = tmp_path / "r.stp"
    result = execute(session, f"record {script}")
    assert result.data["replay"].startswith("stptui run ")
    execute(session, "advance 5s")
    execute(session, "show queues")  # changes nothing: not recorded
    execute(session, "record stop")
    execute(session, "advance 5s")  # after the recording
    lines = script.read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [
        "send jobQueue first",
        "advance 5s",
    ]
    assert "# the commands applied before the recording started:" in lines
    with pytest.raises(CommandError, match="not recording"):
        execute(session, "record stop")


def test_a_recorded_body_with_crlf_replays_byte_for_byte(tmp_path: Path) -> None:
    # What the TUI's send dialog logs for a body typed with Windows line ends.
    body = '{\r\n  "orderId": 1\r\n}'
    session = Session.open(STACK, start_ms=T0)
    script = tmp_path / "r.stp"
    execute(session, f"record {script}")
    execute(session, kinds.format_line("send", ["jobQueue", body], []))
    execute(session, "record stop")
    fresh = Session.open(STACK, start_ms=T0)
    for _, line in read_script(str(script)):
        execute(fresh, line)
    assert [m.body for m in fresh.sim.queue("jobQueue").listing()] == [body]
    assert trace_sha256(fresh.sim.trace) == trace_sha256(session.sim.trace)


def test_a_recordings_replay_line_replays_its_stage_and_region(tmp_path: Path) -> None:
    session = Session.open(STACK, start_ms=T0, stage="prod", region="eu-west-1")
    script = tmp_path / "r.stp"
    execute(session, f"record {script}")
    execute(session, "send jobQueue hi")
    execute(session, "record stop")
    replay_line = script.read_text().splitlines()[1]
    assert "--stage prod --region eu-west-1" in replay_line
    assert "stage prod, region eu-west-1" in script.read_text()


def test_a_recording_that_cannot_be_written_stops_without_undoing_the_command(
    tmp_path: Path,
) -> None:
    session = Session.open(STACK, start_ms=T0)
    execute(session, f"record {tmp_path / 'r.stp'}")
    assert session.recorder is not None

    def broken(line: str) -> None:
        raise OSError(28, "No space left on device")

    session.recorder.write = broken  # type: ignore[method-assign]
    result = execute(session, "advance 5s")
    assert session.log == ["advance 5s"] and session.recorder is None
    assert "recording stopped: cannot write" in result.text
    assert "No space left on device" in result.text


def test_source_refuses_a_script_that_sources_itself(tmp_path: Path) -> None:
    script = tmp_path / "loop.stp"
    script.write_text(f"advance 1s\nsource {script}\n")
    session = Session.open(STACK, start_ms=T0)
    with pytest.raises(CommandError, match=r"loop.stp:2: .* is already being sourced"):
        execute(session, f"source {script}")
    assert session.log == ["advance 1s"]


def test_source_without_a_report_returns_the_transcript(tmp_path: Path) -> None:
    script = tmp_path / "s.stp"
    script.write_text("advance 1s\nexpect time == 2026-01-05T08:00:01Z\n")
    session = Session.open(STACK, start_ms=T0)
    result = execute(session, f"source {script}")
    assert result.text.splitlines() == [
        "> advance 1s",
        "now 2026-01-05T08:00:01.000Z (+1 s)",
        "> expect time == 2026-01-05T08:00:01Z",
        "ok: time == 2026-01-05T08:00:01.000Z (actual 2026-01-05T08:00:01.000Z)",
        f"{script}: ran 2 of 2 commands",
    ]
    script.write_text("expect time == 2030-01-01T00:00:00Z\n")
    with pytest.raises(ExpectationFailed, match=r"s.stp:1: expected time"):
        execute(session, f"source {script}")
    with pytest.raises(CommandError, match="cannot read"):
        execute(session, f"source {tmp_path / 'missing.stp'}")


def test_script_lines_join_a_quoted_body_over_several_lines() -> None:
    text = [
        "# a comment",
        "send q '{",
        '  "note": "a # inside quotes",',
        "}'  # a comment",
        "",
        "advance 1s",
    ]
    assert list(script_lines(text)) == [
        (2, 'send q \'{\n  "note": "a # inside quotes",\n}\''),
        (6, "advance 1s"),
    ]
    # A quote left open at the end: only its first line, which fails to split.
    assert list(script_lines(["advance 1s", "send q 'x", "advance 2s"])) == [
        (1, "advance 1s"),
        (2, "send q 'x"),
    ]


def test_open_quote_and_strip_comment_share_the_quoting_rules() -> None:
    assert open_quote("send q '{") == "'"
    assert open_quote('"a": 1}\'', "'") is None
    assert open_quote("send q x # it's") is None
    assert open_quote('send q "a \\" b') == '"'
    assert strip_comment("send q 'a # b' # c") == "send q 'a # b' "


def test_complete_values_by_kind() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "combined", start_ms=T0)
    assert complete_values(session, "bucket") == ["uploads"]
    assert complete_values(session, "batch-job") == ["heavyJob"]
    assert complete_values(session, kinds.TEXT) == []
    mid = execute(session, "send jobQueue x").data["message_id"]
    assert complete_values(session, kinds.MESSAGE) == [mid]
    assert "message.sent" in complete_values(session, kinds.TRACE_KIND)
    assert "queue.jobQueue.depth" in complete_values(session, kinds.EXPECT_PATH)


def test_record_keeps_the_expect_lines_that_held_so_the_script_is_a_ci_test(
    tmp_path: Path,
) -> None:
    # An on-call reproduces a dead-letter queue in the REPL, checking as they go, and
    # records it for CI: the checks are the point of the script.
    session = Session.open(STACK, start_ms=T0)
    script = tmp_path / "r.stp"
    execute(session, f"record {script}")
    execute(session, """send jobQueue '{"orderId": 2, "amount": 5000}'""")
    execute(session, "advance 20m")
    execute(session, "expect queue.deadLetterQueue.depth == 1")
    with pytest.raises(ExpectationFailed):
        execute(session, "expect queue.deadLetterQueue.depth == 5")  # did not hold: left out
    execute(session, "record stop")
    lines = [line for line in script.read_text().splitlines() if not line.startswith("#")]
    assert lines == [
        """send jobQueue '{"orderId": 2, "amount": 5000}'""",
        "advance 20m",
        "expect queue.deadLetterQueue.depth == 1",
    ]
    fresh = Session.open(STACK, start_ms=T0)
    for _, line in read_script(str(script)):
        execute(fresh, line)
    assert trace_sha256(fresh.sim.trace) == trace_sha256(session.sim.trace)
