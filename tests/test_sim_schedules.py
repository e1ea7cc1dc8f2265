"""Schedules on the virtual clock (stptui.sim.services.schedule): fire times for cron() and
rate(), the Scheduled Event envelope, input / inputPath / inputTransformer, pause and resume,
`fire`, and asynchronous retries of a failing scheduled handler (aws-semantics §3, §4.1, §6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import iso_s, parse_instant
from stptui.sim.engine import SimError, Simulator
from tests.simkit import START, make_sim, records, seconds

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
HOUR = 3_600_000
DAY = 24 * HOUR

STACK = f"""
resources:
  capture:
    type: sqs-queue
  dailyReport:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events:
        - type: schedule
          properties: {{scheduleRate: cron(0 9 * * ? *)}}
  poller:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events:
        - type: schedule
          properties: {{scheduleRate: rate(5 minutes)}}
        - type: schedule
          properties:
            scheduleRate: rate(1 hour)
            input: {{kind: hourly, n: 1}}
  shaped:
    type: function
    properties:
      connectTo: [capture]
      {PACKAGING}
      events:
        - type: schedule
          properties:
            scheduleRate: rate(1 day)
            inputPath: $.resources[0]
        - type: schedule
          properties:
            scheduleRate: rate(2 days)
            inputTransformer:
              inputPathsMap: {{at: $.time, kind: $.detail-type, gone: $.detail.nothing}}
              inputTemplate: '{{"at": <at>, "what": "<kind> at <at>",
                "rule": <aws.events.rule-name>, "gone": <gone>, "quiet": "[<gone>]"}}'
        - type: schedule
          properties:
            scheduleRate: rate(3 days)
            input: '"just text"'
"""

# Every scheduled handler copies the event it received into the `capture` queue.
CAPTURE = """
behaviors:
  dailyReport:
    emit: [{send: {queue: capture, body: "@"}}]
  poller:
    emit: [{send: {queue: capture, body: "@"}}]
  shaped:
    emit: [{send: {queue: capture, body: "@"}}]
"""


def sim_(behaviors: str = CAPTURE):
    return make_sim(STACK, behaviors)


def fired(sim, owner: str, rule_suffix: str | None = None) -> list[float]:
    """Seconds since START of each `schedule.fired` of `owner` (optionally one rule)."""
    return [
        (r.t - START) / 1000
        for r in records(sim, tk.SCHEDULE_FIRED, owner)
        if rule_suffix is None or r.get("rule").endswith(rule_suffix)
    ]


def captured(sim) -> list[object]:
    """The events the handlers received, in the order they were captured (a handler that
    received a JSON string sent that string as the body)."""
    out: list[object] = []
    for m in sim.queues["capture"].listing(1000):
        try:
            out.append(json.loads(m.body))
        except ValueError:
            out.append(m.body)
    return out


def test_cron_fires_at_nine_every_day_after_advancing() -> None:
    sim = sim_()
    sim.advance(3 * DAY)
    # START is 2026-01-05T08:00Z: 09:00 on the 5th, 6th and 7th.
    assert fired(sim, "dailyReport") == [3600, 3600 + 86400, 3600 + 2 * 86400]
    started = records(sim, tk.INVOCATION_STARTED, "dailyReport")
    assert [r.get("trigger") for r in started] == ["schedule"] * 3
    # Each invocation names the scheduled event that caused it.
    assert [r.get("source") for r in started] == [
        r.get("event_id") for r in records(sim, tk.SCHEDULE_FIRED, "dailyReport")
    ]


def test_rate_fires_first_one_period_after_the_start() -> None:
    sim = sim_()
    sim.advance(16 * 60_000)
    assert fired(sim, "poller", "-1") == [300, 600, 900]
    sim.advance(HOUR)
    assert fired(sim, "poller", "-2") == [3600]


def test_a_rate_started_inside_a_minute_fires_at_second_0_of_its_minutes() -> None:
    # "The minimum precision for schedules is 1 minute" (EventBridge): a run started at
    # 08:00:40.5 fires rate(5 minutes) in the minutes 08:05, 08:10 ..., at their second 0,
    # and the Scheduled Event's `time` says so.
    stack = load_stack_text(STACK, "stacktape.yml")
    behaviors, _ = Behaviors.from_text(CAPTURE, "stptui.yml", stack)
    sim = Simulator(stack, behaviors, start_ms=START + 40_500)
    sim.advance(11 * 60_000)
    assert fired(sim, "poller", "-1") == [300, 600]
    first = next(e for e in captured(sim) if isinstance(e, dict) and "time" in e)
    assert first["time"] == "2026-01-05T08:05:00Z"
    listing = {r["rule"]: r["next"] for r in sim.services["schedules"].listing()}
    assert listing[records(sim, tk.SCHEDULE_FIRED, "poller")[0].get("rule")] == (
        "2026-01-05T08:15:00Z"
    )


def test_scheduled_event_envelope_has_awss_keys_and_values() -> None:
    sim = sim_()
    sim.until(START + HOUR + 1000)
    rule = sim.services["schedules"].rule("dailyReport", None)
    (event,) = [
        e for e in captured(sim) if isinstance(e, dict) and [rule.arn] == e.get("resources")
    ]
    assert set(event) == {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    }
    rec = records(sim, tk.SCHEDULE_FIRED, "dailyReport")[0]
    assert event["version"] == "0"
    assert event["id"] == rec.get("event_id")
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["account"] == sim.account_id and event["region"] == sim.region
    assert event["time"] == "2026-01-05T09:00:00Z"  # no fraction
    assert event["detail"] == {}
    # A scheduled rule lives on the default bus: rule/NAME, no bus in the path.
    assert event["resources"] == [f"arn:aws:events:{sim.region}:{sim.account_id}:rule/{rule.name}"]
    assert rec.get("rule") == rule.name and rec.get("expression") == "cron(0 9 * * ? *)"


def test_constant_input_replaces_the_envelope() -> None:
    sim = sim_()
    sim.until(START + HOUR + 1000)
    assert captured(sim).count({"kind": "hourly", "n": 1}) == 1


def test_input_path_and_input_transformer() -> None:
    sim = sim_()
    sim.services["schedules"].set_paused("poller", None, True)  # keep the queue quiet
    sim.until(START + DAY + 1000)
    rule_1 = sim.services["schedules"].rule("shaped", 1)
    # $.resources[0]: a string is delivered as a string.
    assert captured(sim)[-1] == rule_1.arn
    sim.until(START + 2 * DAY + 1000)
    transformed = next(e for e in captured(sim) if isinstance(e, dict) and "what" in e)
    at = "2026-01-07T08:00:00Z"
    assert transformed == {
        "at": at,  # outside quotes: a string value keeps its quotes
        "what": f"Scheduled Event at {at}",  # inside quotes: inserted raw
        "rule": sim.services["schedules"].rule("shaped", 2).name,
        "gone": "",  # a path that found nothing, outside quotes: "" as AWS gives
        "quiet": "[]",  # ... and inside quotes: empty, as AWS does
    }
    sim.until(START + 3 * DAY + 1000)
    assert "just text" in captured(sim)


def test_pause_stops_fires_and_resume_keeps_the_phase() -> None:
    sim = sim_()
    schedules = sim.services["schedules"]
    sim.advance(7 * 60_000)  # fired at 5 min
    changed = schedules.set_paused("poller", 1, True)
    assert [r.name for r in changed] == [schedules.rule("poller", 1).name]
    assert schedules.rule("poller", 1).next_ms is None
    sim.advance(10 * 60_000)  # 17 min: 10 and 15 skipped
    schedules.set_paused("poller", 1, False)
    assert iso_s(schedules.rule("poller", 1).next_ms) == iso_s(START + 20 * 60_000)
    sim.advance(4 * 60_000)
    assert fired(sim, "poller", "-1") == [300, 1200]
    kinds = [
        r.kind for r in records(sim) if r.kind.startswith("schedule.") and r.resource == "poller"
    ]
    assert kinds == [tk.SCHEDULE_FIRED, tk.SCHEDULE_PAUSED, tk.SCHEDULE_RESUMED, tk.SCHEDULE_FIRED]
    # Pausing again what is paused changes nothing.
    assert schedules.set_paused("poller", 2, False) == []


def test_fire_now_leaves_the_timer_alone() -> None:
    sim = sim_()
    event_id = sim.services["schedules"].fire("dailyReport")
    assert fired(sim, "dailyReport") == [0]
    sim.advance(HOUR)
    assert fired(sim, "dailyReport") == [0, 3600]
    assert records(sim, tk.SCHEDULE_FIRED)[0].get("event_id") == event_id


def test_a_workload_with_several_schedules_needs_an_index() -> None:
    sim = sim_()
    with pytest.raises(SimError, match="has 2 schedules"):
        sim.services["schedules"].fire("poller")
    with pytest.raises(SimError, match="no schedule 3"):
        sim.services["schedules"].fire("poller", 3)
    with pytest.raises(SimError, match="no function or batch job named 'dailyReprt'") as err:
        sim.services["schedules"].fire("dailyReprt")
    assert err.value.hint == "did you mean dailyReport?"
    with pytest.raises(SimError, match="sqs-queue 'capture' has no schedule"):
        sim.services["schedules"].fire("capture")


def test_a_failing_scheduled_handler_is_retried_asynchronously() -> None:
    sim = sim_("behaviors:\n  dailyReport:\n    fail: {always: true}\n")
    sim.until(START + HOUR + 10 * 60_000)
    # Attempts at 09:00, +1 min after the first ends, +2 min after the second (100 ms runs).
    assert seconds(sim, tk.INVOCATION_STARTED, "dailyReport") == [3600, 3660.1, 3780.2]
    assert [r.get("attempt") for r in records(sim, tk.INVOCATION_STARTED, "dailyReport")] == [
        1,
        2,
        3,
    ]
    assert len(records(sim, tk.INVOCATION_DISCARDED, "dailyReport")) == 1


def test_schedule_timers_are_background_work() -> None:
    sim = sim_()
    assert sim.run(DAY)  # only recurring timers pending: quiet at once
    assert sim.clock.now == START
    agenda = sim.agenda(3)
    assert agenda[0][1] == "schedule"
    # The agenda names a schedule by its expression, not its long AWS rule name.
    assert agenda[0][3] == "poller's schedule rate(5 minutes) fires"


def test_an_invalid_expression_never_fires_and_says_why() -> None:
    stack = f"""
resources:
  broken:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: schedule
          properties: {{scheduleRate: cron(0 9 * * * *)}}
"""
    sim = make_sim(stack, allow_errors=True)
    sim.advance(2 * DAY)
    assert records(sim, tk.SCHEDULE_FIRED) == []
    (row,) = sim.services["schedules"].listing()
    assert row["next"] is None and row["describe"].startswith("invalid: ")
    with pytest.raises(SimError, match="never fires"):
        sim.services["schedules"].fire("broken")


# -- commands ------------------------------------------------------------------------------


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(CAPTURE)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def test_show_schedules_lists_expression_pause_and_next_fire(session: Session) -> None:
    execute(session, "pause poller 1")
    result = execute(session, "show schedules")
    assert result.table is not None
    headers, rows = result.table
    assert headers[:6] == ["workload", "#", "expression", "when", "paused", "next fire"]
    by_key = {(r[0], r[1]): r for r in rows}
    assert by_key[("dailyReport", "1")][2:6] == [
        "cron(0 9 * * ? *)",
        "at 09:00 UTC every day",
        "",
        "2026-01-05T09:00:00Z",
    ]
    assert by_key[("poller", "1")][4:6] == ["paused", ""]
    assert by_key[("poller", "2")][6] == "input"


def test_fire_pause_resume_commands(session: Session) -> None:
    result = execute(session, "fire dailyReport")
    assert result.data["event_id"] == result.records[0].get("event_id")
    assert "pause poller" not in session.log
    out = execute(session, "pause poller")
    assert out.text.count("paused") == 2
    assert execute(session, "pause poller 2").text.endswith("already paused")
    resumed = execute(session, "resume poller 1")
    assert "next fire 2026-01-05T08:05:00.000Z" in resumed.text
    assert session.log == ["fire dailyReport", "pause poller", "pause poller 2", "resume poller 1"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("fire poller", "poller has 2 schedules"),
        ("fire poller 0", "at least 1"),
        ("fire nobody", "no function or batch job named 'nobody'"),
        ("pause poller 9", "poller has no schedule 9"),
        ("resume capture", "capture is an sqs-queue, not a function, batch job or container"),
    ],
)
def test_bad_schedule_commands_change_nothing(session: Session, line: str, message: str) -> None:
    before = (session.sim.trace.seq, session.sim.clock.now, list(session.log))
    with pytest.raises(CommandError, match=message):
        execute(session, line)
    assert (session.sim.trace.seq, session.sim.clock.now, session.log) == before
    assert not any(r.paused for r in session.sim.services["schedules"].rules)


def test_a_number_past_a_single_schedule_offers_the_line_without_it(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "fire dailyReport 2")
    assert (info.value.message, info.value.hint) == (
        "dailyReport has no schedule 2",
        "dailyReport has one schedule: fire dailyReport",
    )
    schedules = session.sim.services["schedules"]
    with pytest.raises(SimError) as raised:
        schedules.set_paused("dailyReport", 3, True)
    assert raised.value.hint == "dailyReport has one schedule: pause dailyReport"
    with pytest.raises(CommandError) as info:
        execute(session, "fire poller 3")
    assert (
        info.value.hint
        == "its schedules are numbered 1 to 2, as the graph's schedule:poller:1 ... are"
    )


def test_time_commands_fire_schedules(session: Session) -> None:
    execute(session, "until 2026-01-05T09:00:00Z")
    assert session.sim.trace.count(tk.SCHEDULE_FIRED, "dailyReport") == 1
    assert parse_instant("2026-01-05T09:00:00Z") == session.sim.clock.now


DESTINED = """
resources:
  successes: {type: sqs-queue}
  dailyReport:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      destinations:
        onSuccess: $ResourceParam('successes', 'arn')
      events:
        - type: schedule
          properties: {scheduleRate: cron(0 9 * * ? *)}
"""


def test_an_envelope_no_handler_read_reaches_the_destination_as_it_was_at_the_fire() -> None:
    # The default behaviour decides without the event, so the envelope is first built
    # when the destination record needs it, 100 ms after the fire: it keeps the fire's time.
    sim = make_sim(DESTINED)
    sim.advance(2 * DAY)
    fires = records(sim, tk.SCHEDULE_FIRED, "dailyReport")
    payloads = [json.loads(m.body)["requestPayload"] for m in sim.queues["successes"].listing(10)]
    assert [p["id"] for p in payloads] == [r.get("event_id") for r in fires]
    assert [p["time"] for p in payloads] == ["2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z"]
    assert {p["detail-type"] for p in payloads} == {"Scheduled Event"}
