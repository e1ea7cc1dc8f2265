"""`invoke` of a handler that raises a huge message: the command's reply and its data carry
the part the trace keeps (one CloudWatch Logs event's worth) and the full size, not megabytes
of text."""

from __future__ import annotations

import shutil
from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed" / "webhook-processor.yml"
T0 = parse_instant("2026-01-05T08:00:00Z")
HANDLERS = "def boom(event, context):\n    raise ValueError('x' * event['size'])\n"
KEPT = 262_118


def session(tmp_path: Path) -> Session:
    shutil.copy(SEED, tmp_path / "stacktape.yml")
    (tmp_path / "boom_handlers.py").write_text(HANDLERS)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  webhookReceiver:\n    handler: boom_handlers:boom\n"
    )
    return Session.open(tmp_path / "stacktape.yml", start_ms=T0, allow_code=True)


def test_a_huge_error_message_is_bounded_in_the_reply(tmp_path: Path) -> None:
    size = 2_000_000
    result = execute(session(tmp_path), f"invoke webhookReceiver '{{\"size\": {size}}}'")
    assert result.data["error"] == "ValueError"
    assert len(result.data["error_message"]) == KEPT
    assert result.data["error_message_bytes"] == size
    assert len(result.text) < KEPT + 1_000
    assert f"({size:,} bytes in all)" in result.text


def test_a_short_error_message_is_whole(tmp_path: Path) -> None:
    result = execute(session(tmp_path), "invoke webhookReceiver '{\"size\": 12}'")
    assert result.data["error_message"] == "x" * 12
    assert "error_message_bytes" not in result.data
    assert "bytes in all" not in result.text


SCHEDULED = """\
resources:
  nightly:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: n.py}}
      events: [{type: schedule, properties: {scheduleRate: cron(30 2 * * ? *)}}]
"""
READS_TIME = "def run(event, context):\n    return event['time']\n"


def test_a_scheduled_function_invoked_without_a_payload_is_pointed_at_fire(
    tmp_path: Path,
) -> None:
    # `invoke nightly` sends {}: a handler that reads the schedule's event fails, and the
    # reply named no way to send that event.
    (tmp_path / "stacktape.yml").write_text(SCHEDULED)
    (tmp_path / "nightly_handlers.py").write_text(READS_TIME)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  nightly:\n    handler: nightly_handlers:run\n"
    )
    s = Session.open(tmp_path / "stacktape.yml", start_ms=T0, allow_code=True)
    text = execute(s, "invoke nightly").text
    assert text.startswith("nightly failed after 100 ms: KeyError: 'time'")
    assert "note: invoke sent {} (no PAYLOAD); `fire nightly` sends its schedule's event" in text
    # With a payload, or when it succeeds, there is no note.
    assert "note:" not in execute(s, 'invoke nightly \'{"time": "t"}\'').text
    assert "nightly's schedule" in execute(s, "fire nightly").text
