"""A scheduled rule re-arms from an iterator of upcoming fires (stptui.sim.services.schedule);
whatever the clock and pause/resume do, its next fire must be the schedule's first fire
strictly after now, as `next_after_ms` computes it."""

from __future__ import annotations

from stptui.sim import trace as tk
from tests.simkit import START, make_sim, records

PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

STACK = f"""
resources:
  report:
    type: function
    properties:
      {PACKAGING}
      events:
        - type: schedule
          properties: {{scheduleRate: cron(0 9 * * ? *)}}
        - type: schedule
          properties: {{scheduleRate: 'cron(15,45 */6 L * ? *)'}}
        - type: schedule
          properties: {{scheduleRate: rate(7 minutes)}}
"""


def _expected_next(sim, rule) -> int | None:
    return rule.schedule.next_after_ms(sim.clock.now, sim.start_ms)


def test_resuming_at_the_instant_of_the_skipped_fire_arms_the_one_after() -> None:
    sim = make_sim(STACK)
    schedules = sim.services["schedules"]
    rule = schedules.rule("report", 1)
    nine = START + HOUR  # START is 08:00 UTC
    assert rule.next_ms == nine
    schedules.set_paused("report", 1, True)
    sim.until(nine)  # the fire that was due now is skipped
    schedules.set_paused("report", 1, False)
    assert rule.next_ms == nine + DAY
    sim.until(nine + DAY)
    fires = [r.t for r in records(sim, tk.SCHEDULE_FIRED, "report") if r.get("rule") == rule.name]
    assert fires == [nine + DAY]


def test_next_fire_is_always_the_first_after_now() -> None:
    sim = make_sim(STACK)
    schedules = sim.services["schedules"]
    rules = schedules.owner_rules("report")
    # Runs, pauses and resumes at fire instants, between them and across month ends.
    steps = [HOUR, 9 * HOUR, 7 * MINUTE, 31 * DAY, 13 * MINUTE, 0, 6 * HOUR + 15 * MINUTE, 29 * DAY]
    for i, step in enumerate(steps):
        sim.advance(step)
        number = i % 3 + 1
        schedules.set_paused("report", number, i % 2 == 0)
        for rule in rules:
            expected = None if rule.paused else _expected_next(sim, rule)
            assert rule.next_ms == expected, (i, rule.expression)
    schedules.set_paused("report", None, False)
    for _ in range(200):
        sim.step()
        for rule in rules:
            assert rule.next_ms == _expected_next(sim, rule), rule.expression
