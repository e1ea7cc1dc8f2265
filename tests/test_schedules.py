"""AWS cron()/rate() schedules: worked fire times, error messages and property checks.

Expected fire times below were worked out by hand from the AWS rules and a 2026 calendar:
2026-01-01 is a Thursday; the 1st of each month in 2026 falls on
Jan Thu, Feb Sun, Mar Sun, Apr Wed, May Fri, Jun Mon, Jul Wed, Aug Sat, Sep Tue, Oct Thu,
Nov Sun, Dec Tue. 2027-01-01 is a Friday, 2028-01-01 a Saturday (2028 is a leap year).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.sim.schedules import (
    _END_MINUTE,
    CronSchedule,
    ScheduleError,
    format_fire_time,
    parse_schedule,
    validate_schedule,
)

A = "2026-01-01T00:00:00Z"


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _ms(text: str) -> int:
    return (_dt(text) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


def _fires(expression: str, after: str, n: int = 3, anchor: str | None = None) -> list[str]:
    """The next n fires as ISO text, computed through next_after_ms (the simulator's API)."""
    schedule = parse_schedule(expression)
    anchor_ms = _ms(anchor if anchor is not None else after)
    out: list[str] = []
    current: int | None = _ms(after)
    for _ in range(n):
        current = schedule.next_after_ms(current, anchor_ms)
        if current is None:
            break
        out.append(format_fire_time(current))
    return out


WORKED = [
    # The Stacktape guide's own examples.
    ("cron(0 9 * * ? *)", A, ["2026-01-01T09:00", "2026-01-02T09:00", "2026-01-03T09:00"]),
    ("cron(0 */2 * * ? *)", A, ["2026-01-01T02:00", "2026-01-01T04:00", "2026-01-01T06:00"]),
    ("cron(0 9 ? * MON *)", A, ["2026-01-05T09:00", "2026-01-12T09:00", "2026-01-19T09:00"]),
    ("rate(5 minutes)", A, ["2026-01-01T00:05", "2026-01-01T00:10", "2026-01-01T00:15"]),
    ("cron(0 2 * * ? *)", A, ["2026-01-01T02:00", "2026-01-02T02:00", "2026-01-03T02:00"]),
    # Every minute; strictly after: a fire exactly at `after` is not returned.
    ("cron(* * * * ? *)", A, ["2026-01-01T00:01", "2026-01-01T00:02", "2026-01-01T00:03"]),
    (
        "cron(0 9 * * ? *)",
        "2026-01-01T08:59:59.999Z",
        ["2026-01-01T09:00", "2026-01-02T09:00", "2026-01-03T09:00"],
    ),
    (
        "cron(0 9 * * ? *)",
        "2026-01-01T09:00:00Z",
        ["2026-01-02T09:00", "2026-01-03T09:00", "2026-01-04T09:00"],
    ),
    # Day-of-week names, numbers (1 = SUN), case-insensitive names, wrapping ranges.
    ("cron(0 9 ? * MON-FRI *)", A, ["2026-01-01T09:00", "2026-01-02T09:00", "2026-01-05T09:00"]),
    ("cron(0 9 ? * 2-6 *)", A, ["2026-01-01T09:00", "2026-01-02T09:00", "2026-01-05T09:00"]),
    ("cron(30 18 ? * sat,Sun *)", A, ["2026-01-03T18:30", "2026-01-04T18:30", "2026-01-10T18:30"]),
    ("cron(0 12 ? * FRI-MON *)", A, ["2026-01-02T12:00", "2026-01-03T12:00", "2026-01-04T12:00"]),
    ("cron(7 0 ? * 1/2 *)", A, ["2026-01-01T00:07", "2026-01-03T00:07", "2026-01-04T00:07"]),
    ("cron(0 12 ? * * *)", A, ["2026-01-01T12:00", "2026-01-02T12:00", "2026-01-03T12:00"]),
    ("cron(0,30 9-10 ? * TUE *)", A, ["2026-01-06T09:00", "2026-01-06T09:30", "2026-01-06T10:00"]),
    # Hours: wrapping range 20-2, lists.
    ("cron(0 20-2 * * ? *)", A, ["2026-01-01T01:00", "2026-01-01T02:00", "2026-01-01T20:00"]),
    ("cron(0 8,12,18 * * ? *)", A, ["2026-01-01T08:00", "2026-01-01T12:00", "2026-01-01T18:00"]),
    # Minute steps: */n, a/n, a-b/n, and a wrapping a-b/n (50,0,10).
    ("cron(0/15 * * * ? *)", A, ["2026-01-01T00:15", "2026-01-01T00:30", "2026-01-01T00:45"]),
    ("cron(5/20 * * * ? *)", A, ["2026-01-01T00:05", "2026-01-01T00:25", "2026-01-01T00:45"]),
    ("cron(10-30/10 * * * ? *)", A, ["2026-01-01T00:10", "2026-01-01T00:20", "2026-01-01T00:30"]),
    ("cron(50-10/10 * * * ? *)", A, ["2026-01-01T00:10", "2026-01-01T00:50", "2026-01-01T01:00"]),
    # Day-of-month: plain, missing days skipped, steps from 1, wrapping range (all but the 4th).
    ("cron(0 0 1 * ? *)", A, ["2026-02-01T00:00", "2026-03-01T00:00", "2026-04-01T00:00"]),
    ("cron(0 0 31 * ? *)", A, ["2026-01-31T00:00", "2026-03-31T00:00", "2026-05-31T00:00"]),
    ("cron(0 0 */10 * ? *)", A, ["2026-01-11T00:00", "2026-01-21T00:00", "2026-01-31T00:00"]),
    ("cron(0 0 5-3 * ? *)", A, ["2026-01-02T00:00", "2026-01-03T00:00", "2026-01-05T00:00"]),
    (
        "cron(0 0 29 * ? 2027)",
        "2027-01-29T00:00:00Z",
        ["2027-03-29T00:00", "2027-04-29T00:00", "2027-05-29T00:00"],
    ),
    # L: last day of the month, leap years.
    ("cron(0 0 L * ? *)", A, ["2026-01-31T00:00", "2026-02-28T00:00", "2026-03-31T00:00"]),
    (
        "cron(0 0 L * ? *)",
        "2028-01-31T00:00:00Z",
        ["2028-02-29T00:00", "2028-03-31T00:00", "2028-04-30T00:00"],
    ),
    ("cron(0 0 L 2 ? *)", A, ["2026-02-28T00:00", "2027-02-28T00:00", "2028-02-29T00:00"]),
    ("cron(0 0 29 2 ? *)", A, ["2028-02-29T00:00", "2032-02-29T00:00", "2036-02-29T00:00"]),
    # LW: last weekday (Jan 31 and Feb 28 2026 are Saturdays, May 31 a Sunday).
    ("cron(0 12 LW * ? *)", A, ["2026-01-30T12:00", "2026-02-27T12:00", "2026-03-31T12:00"]),
    (
        "cron(0 12 lw * ? *)",
        "2026-05-01T00:00:00Z",
        ["2026-05-29T12:00", "2026-06-30T12:00", "2026-07-31T12:00"],
    ),
    # nW: nearest weekday, never crossing the month.
    ("cron(0 12 1W * ? *)", A, ["2026-01-01T12:00", "2026-02-02T12:00", "2026-03-02T12:00"]),
    (  # Aug 1 2026 is a Saturday: Monday the 3rd, not Friday July 31.
        "cron(0 12 1W * ? *)",
        "2026-07-15T00:00:00Z",
        ["2026-08-03T12:00", "2026-09-01T12:00", "2026-10-01T12:00"],
    ),
    ("cron(0 12 15W * ? *)", A, ["2026-01-15T12:00", "2026-02-16T12:00", "2026-03-16T12:00"]),
    ("cron(0 12 15W AUG ? *)", A, ["2026-08-14T12:00", "2027-08-16T12:00", "2028-08-15T12:00"]),
    # 31W: Jan 31 Sat -> 30; no fire in 30-day months or February; May 31 is a Sunday and the
    # last day, so Friday the 29th.
    ("cron(0 12 31W * ? *)", A, ["2026-01-30T12:00", "2026-03-31T12:00", "2026-05-29T12:00"]),
    # nL, bare L (= SAT) and #.
    ("cron(0 12 ? * 6L *)", A, ["2026-01-30T12:00", "2026-02-27T12:00", "2026-03-27T12:00"]),
    ("cron(0 12 ? * 1L *)", A, ["2026-01-25T12:00", "2026-02-22T12:00", "2026-03-29T12:00"]),
    ("cron(0 12 ? * L *)", A, ["2026-01-03T12:00", "2026-01-10T12:00", "2026-01-17T12:00"]),
    ("cron(0 12 ? * 3#2 *)", A, ["2026-01-13T12:00", "2026-02-10T12:00", "2026-03-10T12:00"]),
    ("cron(0 12 ? * 5#5 *)", A, ["2026-01-29T12:00", "2026-04-30T12:00", "2026-07-30T12:00"]),
    ("cron(0 0 ? JAN,JUL 1#1 *)", A, ["2026-01-04T00:00", "2026-07-05T00:00", "2027-01-03T00:00"]),
    # Months: ranges, wrapping ranges, steps.
    ("cron(0 0 1 JAN-MAR ? *)", A, ["2026-02-01T00:00", "2026-03-01T00:00", "2027-01-01T00:00"]),
    ("cron(0 0 1 NOV-FEB ? *)", A, ["2026-02-01T00:00", "2026-11-01T00:00", "2026-12-01T00:00"]),
    ("cron(0 0 1 */4 ? *)", A, ["2026-05-01T00:00", "2026-09-01T00:00", "2027-01-01T00:00"]),
    # Years: steps, limits, the end of time, before the epoch, never.
    ("cron(0 0 1 1 ? 2026/2)", A, ["2028-01-01T00:00", "2030-01-01T00:00", "2032-01-01T00:00"]),
    ("cron(0 0 1 1 ? 2199)", "2190-06-01T00:00:00Z", ["2199-01-01T00:00"]),
    ("cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:00Z", ["2199-12-31T23:59"]),
    ("cron(* * * * ? *)", "2199-12-31T23:58:00Z", ["2199-12-31T23:59"]),
    ("cron(0 0 1 1 ? 1970)", A, []),
    (
        "cron(0 0 1 1 ? 1970-2000)",
        "1969-12-31T23:59:00Z",
        ["1970-01-01T00:00", "1971-01-01T00:00", "1972-01-01T00:00"],
    ),
    ("cron(0 0 30 2 ? *)", A, []),
    # rate(): counted from the anchor (= the simulation start), first fire one period later.
    ("rate(1 minute)", A, ["2026-01-01T00:01", "2026-01-01T00:02", "2026-01-01T00:03"]),
    ("rate(1 hour)", A, ["2026-01-01T01:00", "2026-01-01T02:00", "2026-01-01T03:00"]),
    ("rate(1 day)", A, ["2026-01-02T00:00", "2026-01-03T00:00", "2026-01-04T00:00"]),
    ("rate(2 days)", A, ["2026-01-03T00:00", "2026-01-05T00:00", "2026-01-07T00:00"]),
    ("rate(12 hours)", A, ["2026-01-01T12:00", "2026-01-02T00:00", "2026-01-02T12:00"]),
]


@pytest.mark.parametrize(("expression", "after", "expected"), WORKED)
def test_worked_fire_times(expression: str, after: str, expected: list[str]) -> None:
    assert _fires(expression, after) == [f"{t}:00Z" for t in expected]


def test_next_fires_matches_next_after_ms() -> None:
    schedule = parse_schedule("cron(0 9 ? * MON *)")
    fires = schedule.next_fires(_dt(A), 3)
    assert [f.isoformat() for f in fires] == [
        "2026-01-05T09:00:00+00:00",
        "2026-01-12T09:00:00+00:00",
        "2026-01-19T09:00:00+00:00",
    ]
    assert all(f.tzinfo is UTC for f in fires)
    # A naive datetime is read as UTC.
    assert schedule.next_fires(datetime(2026, 1, 1), 3) == fires
    assert schedule.next_fires(_dt(A), 0) == []


def test_next_fires_stops_at_the_end_of_time() -> None:
    schedule = parse_schedule("cron(0 0 1 1 ? 2198-2199)")
    assert schedule.next_fires(_dt("2197-05-05T00:00:00Z"), 5) == [
        _dt("2198-01-01T00:00:00Z"),
        _dt("2199-01-01T00:00:00Z"),
    ]
    assert schedule.next_after_ms(_ms("2199-01-01T00:00:00Z"), 0) is None
    assert schedule.next_after_ms(_ms("2250-01-01T00:00:00Z"), 0) is None


def test_rate_anchor_semantics() -> None:
    rate = parse_schedule("rate(5 minutes)")
    anchor = _ms(A)
    # Between fires, on a fire, and before the anchor.
    assert rate.next_after_ms(anchor + 7 * 60_000, anchor) == anchor + 10 * 60_000
    assert rate.next_after_ms(anchor + 10 * 60_000, anchor) == anchor + 15 * 60_000
    assert rate.next_after_ms(anchor - 3_600_000, anchor) == anchor + 5 * 60_000
    assert rate.next_after_ms(anchor, anchor) == anchor + 5 * 60_000
    # Not aligned to the clock's 5-minute marks, but to the minute ("the minimum precision
    # for schedules is 1 minute"): from 00:02:30.250, the minutes 00:07, 00:12 ... at second 0.
    odd = anchor + 150_250
    assert format_fire_time(rate.next_after_ms(odd, odd)) == "2026-01-01T00:07:00Z"
    assert rate.next_after_ms(anchor + 7 * 60_000, odd) == anchor + 12 * 60_000
    after = _dt("2026-01-01T00:07:00Z")
    assert rate.next_fires(after, 2, anchor=_dt(A)) == [
        _dt("2026-01-01T00:10:00Z"),
        _dt("2026-01-01T00:15:00Z"),
    ]
    assert rate.next_fires(after, 1) == [_dt("2026-01-01T00:12:00Z")]


def test_cron_ignores_anchor_and_is_stateless_across_calls() -> None:
    schedule = parse_schedule("cron(0 9 ? * MON-FRI *)")
    later = _ms("2026-03-02T12:00:00Z")
    early = _ms(A)
    # Alternating far-apart queries must not be confused by the per-day fast path.
    for _ in range(2):
        assert format_fire_time(schedule.next_after_ms(later, 0)) == "2026-03-03T09:00:00Z"
        assert format_fire_time(schedule.next_after_ms(early, later)) == "2026-01-01T09:00:00Z"


def test_sparse_schedule_jumps_instead_of_scanning() -> None:
    # A minute-by-minute scanner would need ~120 million steps here.
    schedule = parse_schedule("cron(0 0 1 1 ? 2199)")
    assert format_fire_time(schedule.next_after_ms(0, 0)) == "2199-01-01T00:00:00Z"


def test_api_shape() -> None:
    cron = parse_schedule("cron(0 9 * * ? *)")
    rate = parse_schedule("rate(5 minutes)")
    assert (cron.kind, cron.expression) == ("cron", "cron(0 9 * * ? *)")
    assert (rate.kind, rate.expression) == ("rate", "rate(5 minutes)")
    assert validate_schedule("cron(0 9 * * ? *)") is None
    assert validate_schedule("rate(1 day)") is None
    assert issubclass(ScheduleError, ValueError)
    assert format_fire_time(_ms("2026-01-05T09:00:00Z")) == "2026-01-05T09:00:00Z"


@pytest.mark.parametrize(
    ("expression", "description"),
    [
        ("cron(0 9 * * ? *)", "at 09:00 UTC every day"),
        ("cron(0 9 ? * MON *)", "at 09:00 UTC every Monday"),
        ("cron(0 9 ? * MON-FRI *)", "at 09:00 UTC every Monday to Friday"),
        ("cron(0 */2 * * ? *)", "at minute 0 of every 2nd hour UTC"),
        ("cron(* * * * ? *)", "every minute"),
        ("cron(0/15 * * * ? *)", "every 15 minutes"),
        ("cron(0 0 29 2 ? *)", "at 00:00 UTC on February 29"),
        ("cron(0 12 ? * 6L *)", "at 12:00 UTC on the last Friday of the month"),
        ("cron(0 12 ? * 3#2 *)", "at 12:00 UTC on the 2nd Tuesday of the month"),
        ("cron(0 12 15W * ? *)", "at 12:00 UTC on the weekday nearest day 15 of the month"),
        ("cron(0 0 L * ? 2026)", "at 00:00 UTC on the last day of the month in 2026"),
        ("rate(5 minutes)", "every 5 minutes"),
        ("rate(1 hour)", "every hour"),
        ("rate(1 day)", "every day"),
    ],
)
def test_describe(expression: str, description: str) -> None:
    assert parse_schedule(expression).describe() == description


INVALID = [
    # (expression, fragments that the message must contain)
    ("cron(71 * * * ? *)", ["minute field: 71 is out of range 0-59"]),
    ("cron(0 24 * * ? *)", ["hour field", "24 is out of range 0-23"]),
    ("cron(0 0 0 * ? *)", ["day-of-month field", "0 is out of range 1-31"]),
    ("cron(0 0 32 * ? *)", ["day-of-month field", "32 is out of range 1-31"]),
    ("cron(0 0 1 13 ? *)", ["month field", "13 is out of range 1-12"]),
    ("cron(0 0 ? * 0 *)", ["day-of-week field", "0 is out of range 1-7"]),
    ("cron(0 0 ? * 8 *)", ["day-of-week field", "8 is out of range 1-7"]),
    ("cron(0 0 * * ? 1969)", ["year field", "1969 is out of range 1970-2199"]),
    ("cron(0 0 * * ? 2200)", ["year field", "2200 is out of range 1970-2199"]),
    ("cron(0 1 * * * *)", ["exactly one of day-of-month and day-of-week must be '?'"]),
    ("cron(0 1 ? * ? *)", ["exactly one of day-of-month and day-of-week", "both"]),
    ("cron(0 1 1 * MON *)", ["exactly one of", "cron(0 1 ? * MON *)"]),
    ("cron(0 9 * * ?)", ["exactly 6 fields", "got 5", "year"]),
    ("cron(0 0 9 * * ? *)", ["exactly 6 fields", "got 7", "seconds"]),
    ("cron(INVALID)", ["exactly 6 fields", "got 1"]),
    ("cron()", ["fields are missing"]),
    ("cron(0  9 * * ? *)", ["single spaces"]),
    ("cron( 0 9 * * ? *)", ["no spaces", "'('"]),
    ("cron(0 9 * NOT ? *)", ["month field", "'NOT'", "JAN-DEC"]),
    ("cron(0 9 ? * dummy *)", ["day-of-week field", "'dummy'", "SUN-SAT"]),
    ("cron(x 9 * * ? *)", ["minute field", "'x'", "not allowed"]),
    ("cron(L 9 1 * ? *)", ["minute field", "'L'", "day-of-month"]),
    ("cron(? 9 * * ? *)", ["minute field", "'?'", "only allowed in day-of-month"]),
    ("cron(0 9 * * ? ?)", ["year field", "'?'"]),
    ("cron(0 9 15# * ? *)", ["day-of-month field", "'#'", "day-of-week"]),
    ("cron(0 9 ? * 2W *)", ["day-of-week field", "'2W'", "SUN-SAT"]),
    ("cron(*/0 9 * * ? *)", ["minute field", "step '0'", "1-60"]),
    ("cron(*/61 9 * * ? *)", ["minute field", "step '61'", "1-60"]),
    ("cron(0 9 * 1/x ? *)", ["month field", "step 'x'", "not a number"]),
    ("cron(5- 9 * * ? *)", ["minute field", "incomplete range '5-'"]),
    ("cron(1-2-3 9 * * ? *)", ["minute field", "malformed range"]),
    ("cron(1,,2 9 * * ? *)", ["minute field", "empty list item"]),
    ("cron(*,5 9 * * ? *)", ["minute field", "'*' cannot be combined"]),
    ("cron(0 9 L-3 * ? *)", ["day-of-month field", "'L-3'", "not supported"]),
    ("cron(0 9 1,L * ? *)", ["day-of-month field", "'L' cannot be combined"]),
    ("cron(0 9 1-5W * ? *)", ["day-of-month field", "'1-5W'", "'15W'"]),
    ("cron(0 9 32W * ? *)", ["day-of-month field", "32 is out of range 1-31"]),
    ("cron(0 9 1,? * MON *)", ["day-of-month field", "'?' must be the whole field"]),
    ("cron(0 9 ? * 3#1,6#3 *)", ["day-of-week field", "only one '#'"]),
    ("cron(0 9 ? * 3#1,5 *)", ["day-of-week field", "'#' cannot be combined"]),
    ("cron(0 9 ? * 3#6 *)", ["day-of-week field", "after '#'", "1-5"]),
    ("cron(0 9 ? * 8#1 *)", ["day-of-week field", "8 is out of range 1-7"]),
    ("cron(0 9 ? * 8L *)", ["day-of-week field", "8 is out of range 1-7"]),
    ("cron(0 9 ? * 2-6L *)", ["day-of-week field", "'2-6L'", "'6L'"]),
    ("cron(0 9 ? * MON,L *)", ["day-of-week field", "'L' cannot be combined"]),
    ("Cron(0 9 * * ? *)", ["lowercase"]),
    ("cron (0 9 * * ? *)", ["'(' right after 'cron'"]),
    ("cron(0 9 * * ? *", ["closing ')'"]),
    ("0 9 * * ? *", ["expected cron(...) or rate(...)"]),
    ("", ["empty"]),
    (" cron(0 9 * * ? *)", ["whitespace"]),
    ("rate(1 minutes)", ["rate(1 minutes): use the singular unit 'minute' with the value 1"]),
    ("rate(10 minute)", ["rate(10 minute)", "plural unit 'minutes'"]),
    ("rate(0 minutes)", ["at least 1"]),
    ("rate(-10 minutes)", ["'-10'", "positive whole number"]),
    ("rate(1.5 hours)", ["'1.5'", "positive whole number"]),
    ("rate(05 minutes)", ["leading zeros"]),
    ("rate(10 MINUTES)", ["lowercase"]),
    ("rate( 10 minutes )", ["no spaces"]),
    ("rate(10  minutes)", ["single space"]),
    (" rate(10 minutes)", ["whitespace"]),
    ("rate(10 minutes) ", ["whitespace"]),
    ("rate(10 seconds)", ["'seconds' is not supported", "minute(s), hour(s) or day(s)"]),
    ("rate(2 weeks)", ["'weeks' is not supported"]),
    ("rate(10 years)", ["'years' is not supported"]),
    ("rate()", ["missing"]),
    ("rate(10)", ["unit is missing"]),
    ("rate(minutes)", ["a value and a unit"]),
    ("rate(5 minutes)x", ["unexpected text after ')'"]),
    ("rate(1234567890123 days)", ["too large"]),
]


@pytest.mark.parametrize(("expression", "fragments"), INVALID)
def test_invalid_expressions(expression: str, fragments: list[str]) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert validate_schedule(expression) == message


def test_non_text_is_rejected() -> None:
    assert validate_schedule(5) == "a schedule expression must be text, got int"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 9 ? * mon-fri *)",
        "cron(0 9 ? * Mon#1 *)",
        "cron(0 9 ? * fril *)",
        "cron(0 9 15w * ? *)",
        "cron(0 9 * jan-Mar ? *)",
        "cron(00 09 01 01 ? 2026)",
        "cron(0 9 ? * 7 2026,2030-2032)",
        "rate(10 minutes)",
        "rate(100 days)",
    ],
)
def test_valid_variants(expression: str) -> None:
    assert validate_schedule(expression) is None


# --- property tests against an independent brute-force matcher ------------------------------

_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
DayPredicate = Callable[[datetime], bool]


@st.composite
def _field(
    draw: st.DrawFn, lo: int, hi: int, names: list[str] | None = None
) -> tuple[str, set[int]]:
    """A plain cron field as (text, allowed values), the values derived from the definition."""

    def token(v: int) -> str:
        if names and draw(st.booleans()):
            name = names[v - lo]
            return name.lower() if draw(st.booleans()) else name
        return str(v)

    def span(a: int, b: int) -> list[int]:
        return list(range(a, b + 1)) if a <= b else list(range(a, hi + 1)) + list(range(lo, b + 1))

    def item() -> tuple[str, list[int]]:
        kind = draw(st.sampled_from(["value", "range", "star-step", "value-step", "range-step"]))
        a = draw(st.integers(lo, hi))
        b = draw(st.integers(lo, hi))
        step = draw(st.integers(1, hi - lo + 1))
        if kind == "value":
            return token(a), [a]
        if kind == "range":
            return f"{token(a)}-{token(b)}", span(a, b)
        if kind == "star-step":
            return f"*/{step}", list(range(lo, hi + 1, step))
        if kind == "value-step":
            return f"{token(a)}/{step}", list(range(a, hi + 1, step))
        return f"{token(a)}-{token(b)}/{step}", span(a, b)[::step]

    if draw(st.integers(0, 3)) == 0:
        return "*", set(range(lo, hi + 1))
    items = [item() for _ in range(draw(st.integers(1, 3)))]
    return ",".join(t for t, _ in items), {v for _, vs in items for v in vs}


def _month_length(moment: datetime) -> int:
    return calendar.monthrange(moment.year, moment.month)[1]


def _aws_weekday(moment: datetime) -> int:
    return moment.isoweekday() % 7 + 1  # SUN = 1 .. SAT = 7


def _nearest_weekday_matches(moment: datetime, n: int) -> bool:
    # Independent formulation: the weekday of the same month closest to day n (always within
    # three days of n, so only those candidates are looked at).
    length = _month_length(moment)
    if n > length:
        return False
    candidates = range(max(1, n - 3), min(length, n + 3) + 1)
    weekdays = [d for d in candidates if moment.replace(day=d).weekday() < 5]
    return moment.day == min(weekdays, key=lambda d: abs(d - n))


def _day_rules() -> list[tuple[str, str, DayPredicate]]:
    """Every special day form with an independent predicate: nW, L, LW, nL, d#k, bare L."""

    def last_weekday(m: datetime) -> bool:
        later = range(m.day + 1, _month_length(m) + 1)
        return m.weekday() < 5 and all(m.replace(day=d).weekday() >= 5 for d in later)

    rules: list[tuple[str, str, DayPredicate]] = [
        ("L", "?", lambda m: m.day == _month_length(m)),
        ("LW", "?", last_weekday),
        ("?", "L", lambda m: _aws_weekday(m) == 7),
    ]
    for n in range(1, 32):
        rules.append((f"{n}W", "?", lambda m, n=n: _nearest_weekday_matches(m, n)))
    for w in range(1, 8):
        rules.append(
            ("?", f"{w}L", lambda m, w=w: _aws_weekday(m) == w and m.day + 7 > _month_length(m))
        )
        for k in range(1, 6):
            rules.append(
                (
                    "?",
                    f"{w}#{k}",
                    lambda m, w=w, k=k: _aws_weekday(m) == w and (m.day - 1) // 7 + 1 == k,
                )
            )
    return rules


_DAY_RULES = _day_rules()
# 2024-2029: two leap years and every month-length/first-weekday combination that matters.
_DAYS = [datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(6 * 365 + 2)]


@pytest.mark.parametrize(
    ("dom", "dow", "day_ok"), _DAY_RULES, ids=[r[0] + r[1] for r in _DAY_RULES]
)
def test_day_rules_against_a_day_by_day_check(dom: str, dow: str, day_ok: DayPredicate) -> None:
    schedule = parse_schedule(f"cron(0 0 {dom} * {dow} 2024-2029)")
    fires = schedule.next_fires(_DAYS[0] - timedelta(minutes=1), len(_DAYS))
    assert fires == [day for day in _DAYS if day_ok(day)]


@st.composite
def _day_fields(draw: st.DrawFn) -> tuple[str, str, DayPredicate]:
    """(day-of-month text, day-of-week text, predicate on a date)."""
    kind = draw(st.sampled_from(["dom", "dow", "special"]))
    if kind == "dom":
        text, days = draw(_field(1, 31))
        return text, "?", lambda m: m.day in days
    if kind == "dow":
        text, weekdays = draw(_field(1, 7, _DAY_NAMES))
        return "?", text, lambda m: _aws_weekday(m) in weekdays
    return draw(st.sampled_from(_DAY_RULES))


class _Cron(NamedTuple):
    expression: str
    day_matches: DayPredicate
    hour_matches: DayPredicate
    matches: DayPredicate


@st.composite
def _crons(draw: st.DrawFn) -> _Cron:
    """A random valid cron with independent predicates for its days, hours and minutes."""
    minute, minutes = draw(_field(0, 59))
    hour, hours = draw(_field(0, 23))
    month, months = draw(_field(1, 12, _MONTH_NAMES))
    dom, dow, day_ok = draw(_day_fields())
    year, years = draw(
        st.sampled_from(
            [("*", set(range(1970, 2200)))] * 4
            + [("2026", {2026}), ("2027/2", set(range(2027, 2200, 2))), ("2026-2027", {2026, 2027})]
        )
    )

    def day_matches(m: datetime) -> bool:
        return m.year in years and m.month in months and day_ok(m)

    def hour_matches(m: datetime) -> bool:
        return m.hour in hours and day_matches(m)

    def matches(m: datetime) -> bool:
        return m.minute in minutes and hour_matches(m)

    expression = f"cron({minute} {hour} {dom} {month} {dow} {year})"
    return _Cron(expression, day_matches, hour_matches, matches)


_afters = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2028, 6, 1), timezones=st.just(UTC)
)


def _scan(cron: _Cron, after: datetime, until: datetime, limit: int) -> list[datetime]:
    """The first `limit` matching minutes in (after, until], found minute by minute; a whole
    day or hour is skipped only when the day or hour itself cannot match."""
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    found: list[datetime] = []
    while moment <= until and len(found) < limit:
        if not cron.day_matches(moment):
            moment = moment.replace(hour=0, minute=0) + timedelta(days=1)
        elif not cron.hour_matches(moment):
            moment = moment.replace(minute=0) + timedelta(hours=1)
        else:
            if cron.matches(moment):
                found.append(moment)
            moment += timedelta(minutes=1)
    return found


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cron=_crons(), after=_afters)
def test_property_fires_are_ordered_whole_minutes_in_the_allowed_sets(
    cron: _Cron, after: datetime
) -> None:
    fires = parse_schedule(cron.expression).next_fires(after, 6)
    previous = after
    for fire in fires:
        assert fire > previous
        assert fire.second == 0 and fire.microsecond == 0
        assert cron.matches(fire), f"{cron.expression}: {fire} is not allowed"
        previous = fire


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cron=_crons(), after=_afters, window_days=st.sampled_from([1, 2, 10, 800]))
def test_property_matches_brute_force_scanner(
    cron: _Cron, after: datetime, window_days: int
) -> None:
    until = after + timedelta(days=window_days)
    expected = _scan(cron, after, until, limit=12)
    got = [f for f in parse_schedule(cron.expression).next_fires(after, 12) if f <= until]
    assert got == expected, cron.expression


@given(
    value=st.integers(1, 500),
    unit=st.sampled_from(["minute", "hour", "day"]),
    anchor=st.integers(0, 2**41),
    offset=st.integers(-(10**9), 10**10),
)
def test_property_rate_fires_on_the_anchor_grid(
    value: int, unit: str, anchor: int, offset: int
) -> None:
    expression = f"rate({value} {unit}{'s' if value > 1 else ''})"
    schedule = parse_schedule(expression)
    period = value * {"minute": 60_000, "hour": 3_600_000, "day": 86_400_000}[unit]
    after = anchor + offset
    fire = schedule.next_after_ms(after, anchor)
    assert fire is not None
    assert fire > after and fire > anchor
    # On the grid of the anchor's whole minute, so at second 0 of a minute.
    assert fire % 60_000 == 0
    assert (fire - (anchor - anchor % 60_000)) % period == 0
    assert fire - period <= max(after, anchor)


# -- the month cache and fires_after ------------------------------------------------------


def _full_search(expression: str, after_ms: int) -> int | None:
    """The next fire by a field-by-field search on a fresh schedule: no cache involved."""
    fresh = parse_schedule(expression)
    assert isinstance(fresh, CronSchedule)
    minute_index = max(after_ms // 60_000 + 1, 0)
    if minute_index >= _END_MINUTE:
        return None
    day, minute_of_day = divmod(minute_index, 1440)
    hour, minute = divmod(minute_of_day, 60)
    return fresh._search(day, hour, minute)


_instants = st.integers(_ms("2025-06-01T00:00:00Z"), _ms("2028-06-01T00:00:00Z"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cron=_crons(), instants=st.lists(_instants, min_size=1, max_size=5))
def test_property_cached_next_fire_agrees_with_a_full_search(
    cron: _Cron, instants: list[int]
) -> None:
    # One schedule answers every query, so later queries start from what earlier ones
    # cached; around each answer lie the month cache's edges (the fire itself, the minute
    # before it, the rest of its minute).
    schedule = parse_schedule(cron.expression)
    for instant in instants:
        expected = _full_search(cron.expression, instant)
        assert schedule.next_after_ms(instant, 0) == expected, cron.expression
        if expected is not None:
            for nearby in (expected - 1, expected, expected + 59_999):
                got = schedule.next_after_ms(nearby, 0)
                assert got == _full_search(cron.expression, nearby), cron.expression


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cron=_crons(), after=_instants, elsewhere=_instants)
def test_property_fires_after_agrees_with_repeated_full_searches(
    cron: _Cron, after: int, elsewhere: int
) -> None:
    schedule = parse_schedule(cron.expression)
    fires = schedule.fires_after(after, 0)
    previous = after
    for _ in range(40):
        expected = _full_search(cron.expression, previous)
        # Another caller moves the month cache while the iterator waits.
        schedule.next_after_ms(elsewhere, 0)
        assert next(fires, None) == expected, cron.expression
        if expected is None:
            break
        previous = expected


def test_fires_after_crosses_months_years_and_the_end_of_time() -> None:
    schedule = parse_schedule("cron(30 23 L 2 ? 2027-2028,2199)")
    fires = [format_fire_time(f) for f in schedule.fires_after(_ms(A), 0)]
    assert fires == [
        "2027-02-28T23:30:00Z",
        "2028-02-29T23:30:00Z",
        "2199-02-28T23:30:00Z",
    ]


def test_rate_fires_after_keeps_the_anchor_grid() -> None:
    rate = parse_schedule("rate(7 minutes)")
    anchor = _ms(A)
    fires = rate.fires_after(anchor + 60_000, anchor)
    assert [next(fires) for _ in range(3)] == [anchor + k * 420_000 for k in (1, 2, 3)]
