"""AWS EventBridge schedule expressions: ``cron()`` and ``rate()``.

Parsing and validation follow the AWS rules (six-field cron with a year, day-of-week 1-7 =
SUN-SAT, exactly one of day-of-month and day-of-week is ``?``) and Stacktape's own rate
regex. Next-fire computation is pure integer arithmetic on epoch milliseconds (UTC) so the
simulator can fire schedules for a simulated year at a cost close to a bare heap step.

Choices made where AWS documents nothing (listed in docs/fidelity.md):

* ``L-n`` (an offset before the last day of the month) is rejected: AWS documents ``L``
  and ``nW`` only (``LW``, the last weekday, is accepted as in Quartz).
* ``nW`` never leaves the month (Quartz); when day n does not exist in a month (``31W`` in
  April) that month has no fire, the same as a plain ``31``.
* ``L``, ``W``, ``nL`` and ``#`` must be the whole field, never part of a list (Quartz).
* ``a-b/c`` steps through the (possibly wrapping) range a-b; ``a/c`` runs to the field end.
* A step must lie between 1 and the number of values in its field (1-60 for minutes).
* Fields are separated by single spaces and the text is case-sensitive except for month and
  day names and the L/W letters; ``Cron(...)`` and stray spaces are rejected like AWS does
  for ``rate( 10 minutes )``.
* Every fire is at second 0 of its minute ("the minimum precision for schedules is 1
  minute"), a rate() too: its periods count from the whole minute it started in.
* A cron that can never fire (``cron(0 0 30 2 ? *)``) is valid, as in Quartz; it has no
  fire time. ``rate()`` has no end (its fires may lie past the end of the virtual clock's
  range, the year 9999; ``next_fires`` stops there); cron ends with the year 2199.
"""

from __future__ import annotations

import calendar
import re
from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar, Literal, NamedTuple

from stptui.sim.clock import MAX_MS, iso_ms, iso_s

__all__ = [
    "CronSchedule",
    "RateSchedule",
    "Schedule",
    "ScheduleError",
    "format_fire_time",
    "parse_schedule",
    "validate_schedule",
]

_MS_PER_MINUTE = 60_000
_MINUTES_PER_DAY = 1440
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_YEAR_MIN = 1970
_YEAR_MAX = 2199
# First minute index (minutes since the epoch) at which no cron can fire any more.
_END_MINUTE = (date(_YEAR_MAX + 1, 1, 1).toordinal() - _EPOCH_ORDINAL) * _MINUTES_PER_DAY

_MONTH_ABBR = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_ABBR = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_MONTH_VALUES = {name: i + 1 for i, name in enumerate(_MONTH_ABBR)}
_DAY_VALUES = {name: i + 1 for i, name in enumerate(_DAY_ABBR)}
_MONTH_NAMES = tuple(calendar.month_name[1:])
_DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

# Stacktape's own check (functions/events/utils.ts); re.ASCII keeps \d to 0-9 as in JS.
_RATE_RE = re.compile(
    r"^rate\((?:1 (?:minute|hour|day)|(?:1\d+|[2-9]\d*) (?:minute|hour|day)s)\)$", re.ASCII
)
_RATE_UNIT_MS = {"minute": 60_000, "hour": 3_600_000, "day": 86_400_000}
_NUMBER_RE = re.compile(r"[0-9]+")
# A crontab line's minutes or hours field (`0`, `*/5`, `9-17`, `0,30`): what tells five
# words of a crontab line from five of a sentence.
_CRONTAB_TIME = re.compile(r"[0-9*,/-]+")
_SINGLE_VALUE_RE = re.compile(r"[0-9]+|[A-Za-z]+")


class ScheduleError(ValueError):
    """An invalid schedule expression; the message says which part is wrong and why."""


def _shorten(text: str, limit: int = 40) -> str:
    """User text cut to a readable length for an error message."""
    return text if len(text) <= limit else text[:limit] + "…"


def _quote(text: str) -> str:
    return f"'{_shorten(text)}'"


class _Field:
    """Static description of one cron field: its range, names and allowed characters."""

    __slots__ = ("allowed_chars", "chars_hint", "hi", "label", "lo", "names", "names_hint")

    def __init__(
        self,
        label: str,
        lo: int,
        hi: int,
        wildcards: str = "",
        names: dict[str, int] | None = None,
        names_hint: str = "",
    ) -> None:
        self.label = label
        self.lo = lo
        self.hi = hi
        self.names = names
        self.names_hint = names_hint
        # Names are checked word by word later; here any ASCII letter may be part of one.
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if names else ""
        self.allowed_chars = frozenset("0123456789,-*/" + wildcards + letters)
        self.chars_hint = "digits, , - * /" + "".join(f" {c}" for c in wildcards)
        if names:
            self.chars_hint += f" and {names_hint}"


_MINUTE = _Field("minute", 0, 59)
_HOUR = _Field("hour", 0, 23)
_DOM = _Field("day-of-month", 1, 31, "?LW")
_MONTH = _Field("month", 1, 12, "", _MONTH_VALUES, "month names JAN-DEC")
_DOW = _Field("day-of-week", 1, 7, "?L#", _DAY_VALUES, "day names SUN-SAT")
_YEAR = _Field("year", _YEAR_MIN, _YEAR_MAX)
_SPECIAL_HINT = {
    "?": "'?' is only allowed in day-of-month and day-of-week",
    "L": "'L' is only allowed in day-of-month and day-of-week",
    "W": "'W' is only allowed in day-of-month",
    "#": "'#' is only allowed in day-of-week",
}


def _error(field: _Field, message: str) -> ScheduleError:
    return ScheduleError(f"{field.label} field: {message}")


def _check_chars(field: _Field, text: str) -> None:
    for char in text:
        if not (char.isascii() and char.upper() in field.allowed_chars):
            shown = char if char.isprintable() else repr(char)
            message = f"character '{shown}' is not allowed (allowed: {field.chars_hint})"
            if char.upper() in _SPECIAL_HINT:
                message += f"; {_SPECIAL_HINT[char.upper()]}"
            raise _error(field, message)


def _value(field: _Field, token: str) -> int:
    """One number or (case-insensitive) name of a field, range-checked."""
    if _NUMBER_RE.fullmatch(token):
        # Long digit strings are out of range anyway; skip int() so the message stays short.
        value = int(token) if len(token) <= 6 else field.hi + 1
        if not field.lo <= value <= field.hi:
            raise _error(field, f"{_shorten(token, 12)} is out of range {field.lo}-{field.hi}")
        return value
    if field.names is not None and token.upper() in field.names:
        return field.names[token.upper()]
    if token == "":
        raise _error(field, "a value is missing")
    if field.names is not None:
        raise _error(
            field,
            f"{_quote(token)} is not a number {field.lo}-{field.hi} or one of the "
            f"{field.names_hint}",
        )
    raise _error(field, f"{_quote(token)} is not a number (allowed {field.lo}-{field.hi})")


def _range_values(field: _Field, token: str) -> list[int]:
    """Values of ``a-b``; a range with a > b wraps past the field's end (hours ``20-2``)."""
    start_text, _, end_text = token.partition("-")
    if not start_text or not end_text:
        raise _error(field, f"incomplete range {_quote(token)}; write it as start-end")
    if "-" in end_text:
        raise _error(field, f"malformed range {_quote(token)}; write it as start-end")
    start = _value(field, start_text)
    end = _value(field, end_text)
    if start <= end:
        return list(range(start, end + 1))
    return list(range(start, field.hi + 1)) + list(range(field.lo, end + 1))


def _item_values(field: _Field, item: str, whole: str) -> list[int]:
    """Values of one comma-separated item: ``*``, ``n``, ``a-b`` or any of them with ``/step``."""
    if item == "":
        raise _error(field, f"empty list item in {_quote(whole)}")
    if "/" in item:
        base, _, step_text = item.partition("/")
        span = field.hi - field.lo + 1
        if not _NUMBER_RE.fullmatch(step_text):
            raise _error(field, f"step {_quote(step_text)} in {_quote(item)} is not a number")
        step = int(step_text) if len(step_text) <= 6 else span + 1
        if not 1 <= step <= span:
            raise _error(field, f"step {_quote(step_text)} in {_quote(item)} must be 1-{span}")
        if base == "*":
            values = list(range(field.lo, field.hi + 1))
        elif "-" in base:
            values = _range_values(field, base)
        else:
            values = list(range(_value(field, base), field.hi + 1))
        return values[::step]
    if item == "*":
        return list(range(field.lo, field.hi + 1))
    if "-" in item:
        return _range_values(field, item)
    return [_value(field, item)]


def _list_values(field: _Field, text: str) -> tuple[int, ...]:
    """Sorted distinct values of a plain field (lists, ranges, steps, names)."""
    _check_chars(field, text)
    items = text.split(",")
    if len(items) > 1 and "*" in items:
        raise _error(field, f"'*' cannot be combined with other values in {_quote(text)}")
    values: set[int] = set()
    for item in items:
        values.update(_item_values(field, item, text))
    return tuple(sorted(values))


# Kinds of day rule: how the days of a given month are chosen.
_DAYS_OF_MONTH = 0  # plain day-of-month values
_LAST_DAY = 1  # L
_LAST_WEEKDAY = 2  # LW
_NEAREST_WEEKDAY = 3  # nW
_WEEKDAYS = 4  # plain day-of-week values, AWS numbering 1 = SUN .. 7 = SAT
_LAST_OF_WEEKDAY = 5  # nL
_NTH_WEEKDAY = 6  # d#k


class _DayRule(NamedTuple):
    kind: int
    values: tuple[int, ...] = ()  # days (_DAYS_OF_MONTH) or AWS weekdays (_WEEKDAYS)
    day: int = 0  # n of nW, or the AWS weekday of nL and d#k
    nth: int = 0  # k of d#k


def _parse_day_of_month(text: str) -> _DayRule | None:
    """The day-of-month rule, or None for ``?``."""
    _check_chars(_DOM, text)
    upper = text.upper()
    if text == "?":
        return None
    if "?" in text:
        raise _error(_DOM, f"'?' must be the whole field, not part of {_quote(text)}")
    if "L" not in upper and "W" not in upper:
        return _DayRule(_DAYS_OF_MONTH, _list_values(_DOM, text))
    if "," in text:
        letters = " and ".join(f"'{c}'" for c in "LW" if c in upper)
        raise _error(_DOM, f"{letters} cannot be combined with other values in {_quote(text)}")
    if upper == "L":
        return _DayRule(_LAST_DAY)
    if upper == "LW":
        return _DayRule(_LAST_WEEKDAY)
    if upper.startswith("L-"):
        # AWS documents no offset form, so a stack using it could not be trusted to deploy.
        raise _error(
            _DOM,
            f"{_quote(text)} (an offset before the last day) is not supported; "
            "use 'L' for the last day or 'LW' for the last weekday",
        )
    if upper.endswith("W") and _NUMBER_RE.fullmatch(text[:-1]):
        return _DayRule(_NEAREST_WEEKDAY, day=_value(_DOM, text[:-1]))
    raise _error(
        _DOM,
        f"{_quote(text)} is not a valid use of 'L' or 'W' (allowed: 'L', 'LW', "
        "or one day followed by W such as '15W')",
    )


def _parse_day_of_week(text: str) -> _DayRule | None:
    """The day-of-week rule, or None for ``?``."""
    _check_chars(_DOW, text)
    upper = text.upper()
    if text == "?":
        return None
    if "?" in text:
        raise _error(_DOW, f"'?' must be the whole field, not part of {_quote(text)}")
    if text.count("#") > 1:
        raise _error(_DOW, f"only one '#' expression is allowed, got {_quote(text)}")
    if "#" in text:
        if "," in text:
            raise _error(_DOW, f"'#' cannot be combined with other values in {_quote(text)}")
        day_text, _, nth_text = text.partition("#")
        if not _SINGLE_VALUE_RE.fullmatch(day_text):
            raise _error(_DOW, f"'#' needs one day before it (such as '3#2'), got {_quote(text)}")
        day = _value(_DOW, day_text)
        if nth_text not in ("1", "2", "3", "4", "5"):
            raise _error(_DOW, f"the occurrence after '#' in {_quote(text)} must be 1-5")
        return _DayRule(_NTH_WEEKDAY, day=day, nth=int(nth_text))
    # No day name contains an L, so any L here is the last-day wildcard.
    if "L" not in upper:
        return _DayRule(_WEEKDAYS, _list_values(_DOW, text))
    if "," in text:
        raise _error(_DOW, f"'L' cannot be combined with other values in {_quote(text)}")
    if upper == "L":
        # Quartz reads a bare L in day-of-week as the last day of the week, Saturday.
        return _DayRule(_WEEKDAYS, (7,))
    if upper.endswith("L") and _SINGLE_VALUE_RE.fullmatch(text[:-1]):
        return _DayRule(_LAST_OF_WEEKDAY, day=_value(_DOW, text[:-1]))
    raise _error(
        _DOW,
        f"{_quote(text)} is not a valid use of 'L' (allowed: 'L' for Saturday, "
        "or one day followed by L such as '6L' for the last Friday)",
    )


def _month_days(rule: _DayRule, year: int, month: int) -> tuple[int, ...]:
    """Sorted days of ``year``-``month`` that the day rule selects."""
    first_weekday, length = calendar.monthrange(year, month)  # Python numbering: Monday = 0
    kind = rule.kind
    if kind == _DAYS_OF_MONTH:
        return rule.values[: bisect_right(rule.values, length)]
    if kind == _LAST_DAY:
        return (length,)
    if kind == _LAST_WEEKDAY:
        last_weekday = (first_weekday + length - 1) % 7
        return (length - max(0, last_weekday - 4),)
    if kind == _NEAREST_WEEKDAY:
        day = rule.day
        if day > length:
            return ()
        weekday = (first_weekday + day - 1) % 7
        if weekday == 5:  # Saturday: the Friday before, unless that is in the previous month
            return (day + 2,) if day == 1 else (day - 1,)
        if weekday == 6:  # Sunday: the Monday after, unless that is in the next month
            return (day - 2,) if day == length else (day + 1,)
        return (day,)
    # Day-of-week rules: the AWS weekday of day d is (first_weekday + d) % 7 + 1 (SUN = 1).
    if kind == _WEEKDAYS:
        wanted = rule.values
        return tuple(d for d in range(1, length + 1) if (first_weekday + d) % 7 + 1 in wanted)
    if kind == _LAST_OF_WEEKDAY:
        last_aws_weekday = (first_weekday + length) % 7 + 1
        return (length - (last_aws_weekday - rule.day) % 7,)
    first_aws_weekday = (first_weekday + 1) % 7 + 1
    day = 1 + (rule.day - first_aws_weekday) % 7 + 7 * (rule.nth - 1)
    return (day,) if day <= length else ()


def _next_table(values: tuple[int, ...], size: int) -> tuple[int, ...]:
    """``table[i]`` = smallest allowed value >= i, or -1; one extra slot so i = size is -1."""
    table = [-1] * (size + 1)
    following = -1
    for i in range(size - 1, -1, -1):
        if i in values:
            following = i
        table[i] = following
    return tuple(table)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _values_phrase(values: tuple[int, ...], name: Callable[[int], str] = str) -> str:
    """English list of values: runs of three or more become 'a to b'; long lists elide."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    words: list[str] = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{name(run[0])} to {name(run[-1])}")
        else:
            words.extend(name(v) for v in run)
    if len(words) > 5:
        return ", ".join([*words[:3], "…", words[-1]])
    return _join_words(words)


def _uniform_step(values: tuple[int, ...], lo: int, hi: int) -> int | None:
    """n when values are exactly lo, lo+n, lo+2n, ... (n > 1) up to hi."""
    if len(values) < 2:
        return None
    step = values[1] - values[0]
    if step > 1 and values == tuple(range(lo, hi + 1, step)):
        return step
    return None


def _to_ms(moment: datetime) -> int:
    """Epoch milliseconds of a datetime; a naive datetime is read as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def format_fire_time(ms: int) -> str:
    """ISO-8601 UTC text of epoch milliseconds, e.g. ``2026-01-05T09:00:00Z``.

    Fires are whole minutes; an instant given with milliseconds (`--after`) keeps them.
    Any instant, years past 9999 as ``iso_ms`` writes them (``+10000-01-01T00:00:00Z``).
    """
    return iso_ms(ms) if ms % 1000 else iso_s(ms)


class Schedule(ABC):
    """A parsed schedule expression that can compute its fire times."""

    __slots__ = ("expression",)
    kind: ClassVar[Literal["cron", "rate"]]

    def __init__(self, expression: str) -> None:
        self.expression = expression

    @abstractmethod
    def next_after_ms(self, after_ms: int, anchor_ms: int) -> int | None:
        """Next fire strictly after ``after_ms`` (epoch ms, UTC), or None when there is none.

        ``anchor_ms`` is when the schedule started (the simulation start); rate() fires at
        second 0 of the minute of anchor + k * period for k >= 1, cron() ignores it.
        """

    def fires_after(self, after_ms: int, anchor_ms: int) -> Iterator[int]:
        """Every fire strictly after ``after_ms``, ascending: what calling ``next_after_ms``
        again with each result gives, for a caller that takes fires one by one."""
        fire = self.next_after_ms(after_ms, anchor_ms)
        while fire is not None:
            yield fire
            fire = self.next_after_ms(fire, anchor_ms)

    @abstractmethod
    def describe(self) -> str:
        """Short English description, e.g. "at 09:00 UTC every day"."""

    def next_fires(self, after: datetime, n: int, anchor: datetime | None = None) -> list[datetime]:
        """The next ``n`` fire times strictly after ``after``, as aware UTC datetimes.

        Naive datetimes are read as UTC. Without ``anchor``, a rate() counts its periods
        from ``after``. The list is shorter than ``n`` when the schedule ends (year 2199),
        or reaches the end of the virtual clock's range (a datetime ends there too).
        """
        if n < 0:
            raise ValueError(f"n must be at least 0, got {n}")
        after_ms = _to_ms(after)
        anchor_ms = after_ms if anchor is None else _to_ms(anchor)
        fires: list[datetime] = []
        current: int | None = after_ms
        while len(fires) < n:
            current = self.next_after_ms(current, anchor_ms)
            if current is None or current > MAX_MS:
                break
            fires.append(_from_ms(current))
        return fires

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.expression!r})"


class RateSchedule(Schedule):
    """``rate(value unit)``: a fixed period counted from the anchor's minute."""

    __slots__ = ("period_ms", "unit", "value")
    kind: ClassVar[Literal["cron", "rate"]] = "rate"

    def __init__(self, expression: str, value: int, unit: str) -> None:
        super().__init__(expression)
        self.value = value
        self.unit = unit
        self.period_ms = value * _RATE_UNIT_MS[unit]

    def next_after_ms(self, after_ms: int, anchor_ms: int) -> int | None:
        """Next ``minute + k * period`` (k >= 1) strictly after ``after_ms``, where
        ``minute`` is the anchor's whole minute.

        The rule starts when it is created, but "the minimum precision for schedules is 1
        minute": each fire is in the minute one more period on, and stptui fires at second
        0 of its minute, as cron() does."""
        base = anchor_ms - anchor_ms % _MS_PER_MINUTE
        periods = (after_ms - base) // self.period_ms + 1
        return base + max(periods, 1) * self.period_ms

    def fires_after(self, after_ms: int, anchor_ms: int) -> Iterator[int]:
        """Every fire strictly after ``after_ms``, ascending (a rate() never ends)."""
        fire = self.next_after_ms(after_ms, anchor_ms)
        period = self.period_ms
        while True:
            yield fire
            fire += period

    def describe(self) -> str:
        """Short English: "every minute", "every 5 minutes", "every day" ..."""
        if self.value == 1:
            return f"every {self.unit}"
        return f"every {self.value} {self.unit}s"


class CronSchedule(Schedule):
    """``cron(min hour day-of-month month day-of-week year)`` in UTC."""

    __slots__ = (
        "_day_cache",
        "_day_minutes",
        "_day_rule",
        "_hours",
        "_minutes",
        "_month_base",
        "_month_days",
        "_month_length",
        "_months",
        "_next_hour",
        "_next_minute",
        "_years",
        "fields",
    )
    kind: ClassVar[Literal["cron", "rate"]] = "cron"

    def __init__(self, expression: str, fields: tuple[str, ...]) -> None:
        super().__init__(expression)
        self.fields = fields
        minute, hour, dom, month, dow, year = fields
        self._minutes = _list_values(_MINUTE, minute)
        self._hours = _list_values(_HOUR, hour)
        dom_rule = _parse_day_of_month(dom)
        self._months = _list_values(_MONTH, month)
        dow_rule = _parse_day_of_week(dow)
        self._years = _list_values(_YEAR, year)
        if dom_rule is None and dow_rule is None:
            raise ScheduleError(
                "exactly one of day-of-month and day-of-week must be '?', but both are '?'"
            )
        if dom_rule is not None and dow_rule is not None:
            fixed = [*fields]
            fixed[4 if fields[4] == "*" else 2] = "?"
            raise ScheduleError(
                "exactly one of day-of-month and day-of-week must be '?', got "
                f"{_quote(fields[2])} and {_quote(fields[4])}; e.g. cron({' '.join(fixed)})"
            )
        self._day_rule: _DayRule = dom_rule or dow_rule
        self._next_minute = _next_table(self._minutes, 60)
        self._next_hour = _next_table(self._hours, 24)
        # Minutes of the day at which a matching day fires, ascending (hours and minutes are).
        self._day_minutes = tuple(h * 60 + m for h in self._hours for m in self._minutes)
        self._day_cache: dict[int, tuple[int, ...]] = {}
        # The month of the last fire a full search found: the day index (days since the
        # epoch) of the day before its 1st, its length and its matching days. Later calls
        # within that month, the usual case of a rule re-arming after each fire, need only
        # two bisects.
        self._month_base = -1
        self._month_length = 0
        self._month_days: tuple[int, ...] = ()

    def next_after_ms(self, after_ms: int, anchor_ms: int) -> int | None:
        """Next whole-minute fire strictly after ``after_ms``; the anchor is ignored.

        The month of the fire found is left in the month cache (`fires_after` relies on it).
        """
        minute_index = after_ms // _MS_PER_MINUTE + 1
        if minute_index < 0:
            minute_index = 0  # the year field starts at 1970 = the epoch
        elif minute_index >= _END_MINUTE:
            return None
        day, minute_of_day = divmod(minute_index, _MINUTES_PER_DAY)
        base = self._month_base
        day_of_month = day - base
        if 0 < day_of_month <= self._month_length:
            days = self._month_days
            i = bisect_left(days, day_of_month)
            if i < len(days) and days[i] == day_of_month:
                minutes = self._day_minutes
                j = bisect_left(minutes, minute_of_day)
                if j < len(minutes):
                    return (minute_index - minute_of_day + minutes[j]) * _MS_PER_MINUTE
                i += 1
            if i < len(days):
                return ((base + days[i]) * _MINUTES_PER_DAY + self._day_minutes[0]) * _MS_PER_MINUTE
            return self._search(base + self._month_length + 1, 0, 0)
        hour, minute = divmod(minute_of_day, 60)
        return self._search(day, hour, minute)

    def fires_after(self, after_ms: int, anchor_ms: int) -> Iterator[int]:
        """Every fire strictly after ``after_ms``, ascending, until the year 2199 ends.

        Within a month the fires are its matching days times the day's fire minutes, so
        only the first fire of each month needs a search."""
        fire = self.next_after_ms(after_ms, anchor_ms)
        while fire is not None:
            # Read at once: the month cache now holds the fire's month, and another caller
            # may move it while this generator is suspended.
            base, length, days = self._month_base, self._month_length, self._month_days
            minutes = self._day_minutes
            day, minute_of_day = divmod(fire // _MS_PER_MINUTE, _MINUTES_PER_DAY)
            day_minutes = minutes[minutes.index(minute_of_day) :]
            for day_of_month in days[days.index(day - base) :]:
                start = (base + day_of_month) * _MINUTES_PER_DAY
                for minute in day_minutes:
                    yield (start + minute) * _MS_PER_MINUTE
                day_minutes = minutes
            fire = self._search(base + length + 1, 0, 0)

    def _days(self, year: int, month: int) -> tuple[int, ...]:
        key = year * 16 + month
        days = self._day_cache.get(key)
        if days is None:
            days = self._day_cache[key] = _month_days(self._day_rule, year, month)
        return days

    def _search(self, day_index: int, hour: int, minute: int) -> int | None:
        """First fire at or after the given day/hour/minute, jumping field by field.

        The month of the fire found is left in the month cache."""
        moment = date.fromordinal(day_index + _EPOCH_ORDINAL)
        year, month, day = moment.year, moment.month, moment.day
        years, months, next_hour, next_minute = (
            self._years,
            self._months,
            self._next_hour,
            self._next_minute,
        )
        while True:
            i = bisect_left(years, year)
            if i == len(years):
                return None
            if years[i] != year:
                year, month, day, hour, minute = years[i], 1, 1, 0, 0
            i = bisect_left(months, month)
            if i == len(months):
                year, month, day, hour, minute = year + 1, 1, 1, 0, 0
                continue
            if months[i] != month:
                month, day, hour, minute = months[i], 1, 0, 0
            days = self._days(year, month)
            i = bisect_left(days, day)
            if i == len(days):
                if month == 12:
                    year, month = year + 1, 1
                else:
                    month += 1
                day, hour, minute = 1, 0, 0
                continue
            if days[i] != day:
                day, hour, minute = days[i], 0, 0
            found_hour = next_hour[hour]
            if found_hour < 0:
                day, hour, minute = day + 1, 0, 0
                continue
            if found_hour != hour:
                hour, minute = found_hour, 0
            found_minute = next_minute[minute]
            if found_minute < 0:
                hour, minute = hour + 1, 0
                continue
            base = date(year, month, 1).toordinal() - _EPOCH_ORDINAL - 1
            self._month_base = base
            self._month_length = calendar.monthrange(year, month)[1]
            self._month_days = days
            day_index = base + day
            return (day_index * _MINUTES_PER_DAY + hour * 60 + found_minute) * _MS_PER_MINUTE

    def describe(self) -> str:
        """Short English, e.g. "at 09:00 UTC every day", "every 15 minutes every Monday"."""
        time = self._describe_time()
        rule, months = self._day_rule, self._months
        if rule.kind == _DAYS_OF_MONTH and len(rule.values) == 1 and len(months) == 1:
            # One date a year reads best as a date: "on February 29".
            text = f"{time} on {_MONTH_NAMES[months[0] - 1]} {rule.values[0]}"
        else:
            day = self._describe_day()
            every_day = day == "every day" and time.startswith(("every", "at minute"))
            text = time if every_day else f"{time} {day}"
            if len(months) < 12:
                text += f" in {_values_phrase(months, lambda m: _MONTH_NAMES[m - 1])}"
        if len(self._years) < _YEAR_MAX - _YEAR_MIN + 1:
            text += f" {'of' if len(months) < 12 else 'in'} {_values_phrase(self._years)}"
        return text

    def _describe_time(self) -> str:
        minutes, hours = self._minutes, self._hours
        every_hour = len(hours) == 24
        hour_phrase = ("hour " if len(hours) == 1 else "hours ") + _values_phrase(
            hours, lambda h: f"{h:02d}"
        )
        minute_phrase = _values_phrase(minutes)
        minute_step = _uniform_step(minutes, 0, 59)
        if len(minutes) == 60 or minute_step:
            every = "every minute" if len(minutes) == 60 else f"every {minute_step} minutes"
            return every if every_hour else f"{every} during {hour_phrase} UTC"
        if len(minutes) * len(hours) <= 4:
            times = [f"{h:02d}:{m:02d}" for h in hours for m in minutes]
            return f"at {_join_words(times)} UTC"
        if every_hour:
            return f"at minute {minute_phrase} of every hour"
        hour_step = _uniform_step(hours, 0, 23)
        if hour_step:
            return f"at minute {minute_phrase} of every {_ordinal(hour_step)} hour UTC"
        return f"at minute {minute_phrase} of {hour_phrase} UTC"

    def _describe_day(self) -> str:
        rule = self._day_rule
        kind = rule.kind
        if kind == _DAYS_OF_MONTH:
            if len(rule.values) == 31:
                return "every day"
            label = "day" if len(rule.values) == 1 else "days"
            return f"on {label} {_values_phrase(rule.values)} of the month"
        if kind == _LAST_DAY:
            return "on the last day of the month"
        if kind == _LAST_WEEKDAY:
            return "on the last weekday of the month"
        if kind == _NEAREST_WEEKDAY:
            return f"on the weekday nearest day {rule.day} of the month"
        if kind == _WEEKDAYS:
            if len(rule.values) == 7:
                return "every day"
            return f"every {_values_phrase(rule.values, lambda d: _DAY_NAMES[d - 1])}"
        if kind == _LAST_OF_WEEKDAY:
            return f"on the last {_DAY_NAMES[rule.day - 1]} of the month"
        return f"on the {_ordinal(rule.nth)} {_DAY_NAMES[rule.day - 1]} of the month"


def _parse_rate(expression: str) -> RateSchedule:
    if not _RATE_RE.match(expression):
        raise ScheduleError(_diagnose_rate(expression))
    value_text, unit = expression[5:-1].split(" ")
    if len(value_text) > 12:
        # The regex has no upper bound; a period of millions of years is a typo, not a plan.
        raise ScheduleError(f"{_shorten(expression)}: the value {_quote(value_text)} is too large")
    return RateSchedule(expression, int(value_text), unit.removesuffix("s"))


def _diagnose_rate(expression: str) -> str:
    """Say why ``expression`` (which failed Stacktape's rate regex) is invalid."""
    shown = _shorten(expression)
    inner = expression[5:-1]
    if inner == "":
        return "rate(): value and unit are missing, e.g. rate(5 minutes)"
    if inner != inner.strip():
        return f"{shown}: no spaces are allowed right after '(' or before ')'"
    parts = inner.split(" ")
    if len(parts) == 1:
        if _NUMBER_RE.fullmatch(inner):
            return f"{shown}: the unit is missing; use minute(s), hour(s) or day(s)"
        return f"{shown}: expected a value and a unit, e.g. rate(5 minutes)"
    if len(parts) != 2 or "" in parts:
        return f"{shown}: expected one value and one unit separated by a single space"
    value_text, unit = parts
    if not _NUMBER_RE.fullmatch(value_text):
        return f"{shown}: the value {_quote(value_text)} must be a positive whole number"
    if value_text.strip("0") == "":
        return f"{shown}: the value must be at least 1"
    if value_text.startswith("0"):
        return f"{shown}: the value {_quote(value_text)} must not have leading zeros"
    singular = unit.lower().removesuffix("s")
    if singular in _RATE_UNIT_MS and unit != unit.lower():
        return f"{shown}: the unit must be lowercase ('{unit.lower()}')"
    if singular not in _RATE_UNIT_MS:
        return f"{shown}: unit {_quote(unit)} is not supported; use minute(s), hour(s) or day(s)"
    if value_text == "1":
        return f"{shown}: use the singular unit '{singular}' with the value 1"
    return f"{shown}: use the plural unit '{singular}s' with a value other than 1"


def _parse_cron(expression: str) -> CronSchedule:
    inner = expression[5:-1]
    if inner.strip() == "":
        raise ScheduleError(
            "cron(): the six fields are missing (minute hour day-of-month month day-of-week year)"
        )
    if inner != inner.strip():
        raise ScheduleError("cron(...): no spaces are allowed right after '(' or before ')'")
    fields = inner.split()
    if len(fields) != 6:
        hint = ""
        if len(fields) == 5:
            hint = "; AWS cron has a sixth field, the year (add ' *' for every year)"
        elif len(fields) == 7:
            hint = "; AWS cron has no seconds field"
        raise ScheduleError(
            "cron(...) needs exactly 6 fields (minute hour day-of-month month day-of-week "
            f"year), got {len(fields)}{hint}"
        )
    if " ".join(fields) != inner:
        raise ScheduleError("cron(...): separate the six fields with single spaces")
    return CronSchedule(expression, tuple(fields))


def parse_schedule(expression: str) -> Schedule:
    """Parse an AWS ``cron(...)`` or ``rate(...)`` expression.

    Raises ScheduleError, whose message names the wrong part and what is allowed.
    """
    if not isinstance(expression, str):
        raise ScheduleError(f"a schedule expression must be text, got {type(expression).__name__}")
    if expression == "":
        raise ScheduleError("the schedule expression is empty; expected cron(...) or rate(...)")
    if expression != expression.strip():
        raise ScheduleError(f"{_quote(expression)}: leading or trailing whitespace is not allowed")
    head = expression[:5]
    if head in ("cron(", "rate("):
        if not expression.endswith(")"):
            if ")" in expression:
                raise ScheduleError(f"{_quote(expression)}: unexpected text after ')'")
            raise ScheduleError(f"{_quote(expression)}: the closing ')' is missing")
        if "(" in expression[5:-1] or ")" in expression[5:-1]:
            raise ScheduleError(f"{_quote(expression)}: unexpected parenthesis inside")
        return _parse_cron(expression) if head == "cron(" else _parse_rate(expression)
    if head.lower() in ("cron(", "rate("):
        raise ScheduleError(f"{_quote(expression)}: write '{head.lower()}' in lowercase")
    if expression[:4].lower() in ("cron", "rate"):
        raise ScheduleError(
            f"{_quote(expression)}: expected '(' right after '{expression[:4].lower()}'"
        )
    meant = _wrapped(expression)
    raise ScheduleError(
        f"{_quote(expression)} is not a schedule; expected cron(...) or rate(...)"
        + (f"; {meant}" if meant else ", e.g. rate(5 minutes) or cron(0 9 * * ? *)")
    )


def _wrapped(expression: str) -> str | None:
    """What to write for the fields of a cron or a rate given bare (`0 9 * * ? *`, `5
    minutes`), as a crontab line or a sentence would: None for any other text."""
    words = expression.split()
    form = {6: "cron", 2: "rate"}.get(len(words))
    if form is not None:
        # Only an expression that then reads: six words of a sentence are no cron.
        meant = f"{form}({' '.join(words)})"
        return f"did you mean {meant}?" if validate_schedule(meant) is None else None
    if len(words) == 5 and all(_CRONTAB_TIME.fullmatch(w) for w in words[:2]):
        # A crontab line: AWS adds the year and wants '?' in a day field.
        return "AWS's cron has six fields, the year last, e.g. cron(0 9 * * ? *)"
    return None


def validate_schedule(expression: str) -> str | None:
    """None when ``expression`` is a valid schedule, else the error message."""
    try:
        parse_schedule(expression)
    except ScheduleError as error:
        return str(error)
    return None
