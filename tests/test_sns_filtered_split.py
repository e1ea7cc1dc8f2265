"""SNS's NumberOfNotificationsFilteredOut by cause: a message with no attributes, or with a
String.Array attribute whose Value is no JSON array, that a subscription's filter policy
rejects; the `notification.filtered` record says which."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from stptui.sim.metrics import compute

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "docs" / "examples" / "sns-filtered.yml"
START = parse_instant("2026-01-05T08:00:00Z")
PREFIX = "NumberOfNotificationsFilteredOut"


def _counts(session: Session) -> dict[str, float | None]:
    res = compute(session.sim).resources["alerts"]
    return {f.metric: f.value for f in res.figures if f.metric.startswith(PREFIX)}


def _filtered(session: Session) -> list[dict[str, object]]:
    return [r.data for r in session.sim.trace.records if r.kind == tk.NOTIFICATION_FILTERED]


def test_the_record_says_whether_the_message_had_readable_attributes() -> None:
    session = Session.open(STACK, start_ms=START)
    execute(session, "publish-sns alerts 'nightly report'")
    execute(session, "publish-sns alerts quiet --attr severity=low")
    execute(session, """start-execution escalate '{"tags": "[\\"db\\""}'""")
    execute(session, """start-execution escalate '{"tags": "[\\"db\\"]"}'""")
    execute(session, "advance 1m")
    [bare, low, broken, tagged] = _filtered(session)
    assert (bare["has_attributes"], bare["invalid_attributes"]) == (False, False)
    assert (low["has_attributes"], low["invalid_attributes"]) == (True, False)
    assert (broken["has_attributes"], broken["invalid_attributes"]) == (True, True)
    assert "'tags' is a String.Array whose Value is no JSON array" in str(broken["reason"])
    # A readable array the policy does not ask about: rejected for want of `severity`.
    assert (tagged["has_attributes"], tagged["invalid_attributes"]) == (True, False)
    assert _counts(session) == {
        PREFIX: 4,
        f"{PREFIX}-MessageAttributes": 4,
        f"{PREFIX}-NoMessageAttributes": 1,
        f"{PREFIX}-InvalidAttributes": 1,
    }
    # The subscription with no policy took all four, the broken array too.
    delivered = [r for r in session.sim.trace.records if r.kind == tk.NOTIFICATION_DELIVERED]
    assert [r.data["target"] for r in delivered] == ["archiver"] * 4


_MESSAGES = st.lists(st.sampled_from(("bare", "high", "low", "broken", "array")), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MESSAGES)
def test_the_causes_split_what_the_policy_filtered(messages: list[str]) -> None:
    session = Session.open(STACK, start_ms=START)
    lines = {
        "bare": "publish-sns alerts m",
        "high": "publish-sns alerts m --attr severity=high",
        "low": "publish-sns alerts m --attr severity=low",
        "broken": """start-execution escalate '{"tags": "[1,"}'""",
        "array": """start-execution escalate '{"tags": "[1, 2]"}'""",
    }
    for message in messages:
        execute(session, lines[message])
    execute(session, "advance 1m")
    counts = _counts(session)
    assert counts[PREFIX] == counts[f"{PREFIX}-MessageAttributes"]
    assert counts[PREFIX] == len(messages) - messages.count("high")
    assert counts[f"{PREFIX}-NoMessageAttributes"] == messages.count("bare")
    assert counts[f"{PREFIX}-InvalidAttributes"] == messages.count("broken")
