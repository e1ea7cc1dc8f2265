"""Duration texts: `parse_duration` reads `250ms`, `1.5s`, `1m30s`, `2h`, `1d` into whole
milliseconds, `format_duration` writes milliseconds back as short readable text.

A module of its own because the command layer, the REPL and the TUI use these two functions
for every duration a user types or reads (`advance 5m`, `slow worker 2s`), not only for
behaviours.
"""

from __future__ import annotations

import re
from fractions import Fraction

from stptui.config.diagnostics import did_you_mean
from stptui.sim.behavior.errors import BehaviorError, DurationTooLongError, quote

MAX_DURATION_MS = 3650 * 86_400_000  # ten years: far beyond anything a stack schedules

_UNIT_MS: dict[str, int] = {}
for _names, _ms in (
    (("ms", "msec", "msecs", "millisecond", "milliseconds"), 1),
    (("s", "sec", "secs", "second", "seconds"), 1000),
    (("m", "min", "mins", "minute", "minutes"), 60_000),
    (("h", "hr", "hrs", "hour", "hours"), 3_600_000),
    (("d", "day", "days"), 86_400_000),
):
    for _name in _names:
        _UNIT_MS[_name] = _ms

_DURATION_PART = re.compile(r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([A-Za-z]*)\s*")
_DURATION_HINT = "write a number and a unit: 250ms, 90s, 1.5s, 5m, 2h30m or 1d"
_MAX_DURATION_DIGITS = 100
_LONG_NUMBER = re.compile(rf"[0-9]{{{_MAX_DURATION_DIGITS + 1}}}")


def parse_duration(text: str) -> int:
    """A duration text (`90s`, `5m`, `2h30m`, `1d`, `250ms`, `1.5s`, `1m 30s`) in milliseconds.

    Raises BehaviorError, with a hint, for anything else: a bare number (except 0), an
    unknown unit, a negative value, a unit written twice, a fraction of a millisecond.
    """
    if not isinstance(text, str):
        raise BehaviorError("a duration must be text such as 90s or 250ms", _DURATION_HINT)
    s = text.strip()
    if not s:
        raise BehaviorError("the duration is empty", _DURATION_HINT)
    if s.startswith("-"):
        raise BehaviorError(f"a duration cannot be negative: {quote(s)}", _DURATION_HINT)
    if _LONG_NUMBER.search(s):
        # Fraction() and int() refuse more than 4,300 digits with a bare ValueError; no
        # duration within the clock's range needs a hundred.
        raise BehaviorError(
            f"a number in the duration has more than {_MAX_DURATION_DIGITS} digits",
            _DURATION_HINT,
        )
    if re.fullmatch(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+", s):
        if Fraction(s) == 0:
            return 0
        # `200` could mean seconds (Stacktape's unit) or milliseconds: make the writer say.
        raise BehaviorError(
            f"the duration {quote(s)} has no unit",
            f"write {s}s for seconds or {s}ms for milliseconds",
        )
    total = Fraction(0)
    seen: set[int] = set()
    pos = 0
    while pos < len(s):
        m = _DURATION_PART.match(s, pos)
        if m is None or m.end() == pos:
            raise BehaviorError(
                f"cannot read {quote(s)} as a duration (stuck at {quote(s[pos:], 12)})",
                _DURATION_HINT,
            )
        number, unit = m.group(1), m.group(2).lower()
        if not unit:
            raise BehaviorError(f"{quote(number)} in {quote(s)} has no unit", _DURATION_HINT)
        factor = _UNIT_MS.get(unit)
        if factor is None:
            guess = did_you_mean(unit, _UNIT_MS)
            hint = f"did you mean {number}{guess}?" if guess else _DURATION_HINT
            raise BehaviorError(
                f"unknown unit {quote(unit)} in {quote(s)}; use ms, s, m, h or d", hint
            )
        if factor in seen:
            raise BehaviorError(f"{quote(s)} gives the same unit twice", _DURATION_HINT)
        seen.add(factor)
        total += Fraction(number) * factor
        pos = m.end()
    if total.denominator != 1:
        raise BehaviorError(
            f"{quote(s)} is {float(total):g} ms; durations are whole milliseconds",
            "round it to a whole number of milliseconds, e.g. 1.5s or 1500ms",
        )
    if total > MAX_DURATION_MS:
        raise DurationTooLongError(
            f"{quote(s)} is longer than the 3650-day limit",
            "a duration is at most 3650d (about ten years)",
            int(total),
        )
    return int(total)


def format_duration(ms: int) -> str:
    """Milliseconds as short readable text: `250 ms`, `1.5 s`, `1 min 30 s`, `2 h`, `1 d 2 h`."""
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:g} s"
    parts: list[str] = []
    days, rest = divmod(ms, 86_400_000)
    hours, rest = divmod(rest, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    for value, unit in ((days, "d"), (hours, "h"), (minutes, "min")):
        if value:
            parts.append(f"{value} {unit}")
    if rest:
        parts.append(f"{rest / 1000:g} s")
    return " ".join(parts)
