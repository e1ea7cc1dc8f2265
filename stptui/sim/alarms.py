"""CloudWatch alarm evaluation (pure): datapoints in, the alarm's next state and why out.

The rule follows "Evaluating an alarm" and "How alarm state is evaluated when data is missing"
in the CloudWatch user guide: the alarm looks at an *evaluation range* a little longer than
its Evaluation Periods (N); when the range holds at least N real datapoints the most recent
N decide (Datapoints to Alarm, M, breaching ones make ALARM, fewer make OK) and the missing-
data setting is not used; with fewer, the missing ones are filled by the setting, as few as
possible. The choices where the guide is silent are written in docs/fidelity.md.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
STATES = (OK, ALARM, INSUFFICIENT_DATA)
TREATMENTS = ("missing", "notBreaching", "breaching", "ignore")
INITIAL_REASON = "Unchecked: Initial alarm creation"

# The guide's tables retrieve 5 datapoints for 3 evaluation periods; stptui's evaluation
# range is always N + 2 periods (a choice: AWS says only "a higher number").
EXTRA_RANGE = 2

# Each comparison: the test a datapoint must pass to breach, and how a reason words it.
COMPARISONS: dict[str, tuple[Callable[[float, float], bool], str]] = {
    "GreaterThanThreshold": (operator.gt, "greater than"),
    "GreaterThanOrEqualToThreshold": (operator.ge, "greater than or equal to"),
    "LessThanThreshold": (operator.lt, "less than"),
    "LessThanOrEqualToThreshold": (operator.le, "less than or equal to"),
}

# How a reason names a missing-data setting that filled datapoints.
_FILLED_AS = {"breaching": "Breaching", "notBreaching": "NonBreaching"}


@dataclass(frozen=True, slots=True)
class Point:
    """One period's datapoint: its start (epoch ms) and value, None when missing."""

    start_ms: int
    value: float | None


@dataclass(frozen=True, slots=True)
class Rule:
    """What an alarm compares: threshold, comparison, N, M and the missing-data setting."""

    threshold: float
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing: str = "missing"

    @property
    def range_size(self) -> int:
        """How many of the most recent periods one evaluation retrieves."""
        return self.evaluation_periods + EXTRA_RANGE

    def breaches(self, value: float) -> bool:
        """Whether one real datapoint is outside the threshold."""
        return COMPARISONS[self.comparison][0](value, self.threshold)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One evaluation: the state it sets, the datapoints that decided it (real ones, then
    the filled ones as `value` None) and how many of them breach."""

    state: str
    evaluated: tuple[Point, ...]
    breaching: int
    filled: int
    retained: bool = False  # `ignore` (or too few breaching points) kept the current state


def evaluate(points: Sequence[Point], rule: Rule, current: str) -> Verdict:
    """The state an alarm in `current` goes to, given the datapoints of its evaluation range
    (oldest first; the most recent `rule.range_size` are used)."""
    window = list(points)[-rule.range_size :]
    n, m = rule.evaluation_periods, rule.datapoints_to_alarm
    real = [p for p in window if p.value is not None]
    if len(real) >= n:
        used = real[-n:]
        hits = sum(rule.breaches(p.value) for p in used if p.value is not None)
        return Verdict(ALARM if hits >= m else OK, tuple(used), hits, 0)
    # Fewer real datapoints than N: CloudWatch fills the rest with the missing-data setting,
    # as few times as possible (the most recent missing periods).
    fill = n - len(real)
    missing = [p for p in window if p.value is None][-fill:] if fill else []
    used = tuple(sorted((*real, *missing), key=lambda p: p.start_ms))
    hits = sum(rule.breaches(p.value) for p in real if p.value is not None)
    treat = rule.treat_missing
    if treat == "breaching":
        hits += fill
        return Verdict(ALARM if hits >= m else OK, used, hits, fill)
    if treat == "notBreaching":
        return Verdict(ALARM if hits >= m else OK, used, hits, fill)
    # `missing` and `ignore`: real datapoints decide when they can (M breaching is ALARM, a
    # real datapoint within the threshold with fewer than M breaching is OK); when there are
    # none, or only too few breaching ones, `missing` is INSUFFICIENT_DATA and `ignore`
    # keeps the current state.
    if hits >= m:
        return Verdict(ALARM, used, hits, 0)
    if len(real) > hits:
        return Verdict(OK, used, hits, 0)
    if treat == "ignore":
        return Verdict(current, used, hits, 0, retained=True)
    return Verdict(INSUFFICIENT_DATA, used, hits, 0)


def number_text(value: float) -> str:
    """A value as CloudWatch writes it in a reason (a Java double: `50.0`, `0.5`)."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e7:
        return f"{int(value)}.0"
    return repr(float(value))


def _reason_date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%d/%m/%y %H:%M:%S")


def cw_timestamp(ms: int) -> str:
    """An instant as the state change event writes its timestamps:
    `2019-10-02T17:04:40.989+0000`."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def reason(verdict: Verdict, rule: Rule, previous: str) -> str:
    """The state reason CloudWatch gives a verdict (its words for the cases it documents:
    "Threshold Crossed: 1 out of the last 1 datapoints [99.5 (02/10/19 16:59:00)] was greater
    than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).")."""
    state = verdict.state
    n, m = rule.evaluation_periods, rule.datapoints_to_alarm
    if state == INSUFFICIENT_DATA or verdict.retained:
        verb = "was" if n == 1 else "were"
        return f"Insufficient Data: {_plural(n, 'datapoint')} {verb} unknown."
    words = COMPARISONS[rule.comparison][1]
    real = [p for p in verdict.evaluated if p.value is not None]
    chosen = [
        p
        for p in reversed(real)
        if p.value is not None and rule.breaches(p.value) == (state == ALARM)
    ]
    minimum = m if state == ALARM else n - m + 1
    transition = f"(minimum {_plural(minimum, 'datapoint')} for {previous} -> {state} transition)"
    filled = ""
    if verdict.filled:
        setting = _FILLED_AS.get(rule.treat_missing, rule.treat_missing)
        filled = (
            f"{_plural(verdict.filled, 'missing datapoint')} "
            f"{'was' if verdict.filled == 1 else 'were'} treated as [{setting}]"
        )
    if not real:
        return (
            f"Threshold Crossed: no datapoints were received for {_plural(n, 'period')} and "
            f"{filled}."
        )
    neg = "" if state == ALARM else "not "
    if not chosen:
        # Only the filled datapoints took the alarm to its state (M of N with missing data):
        # say so, and list the real ones, which point the other way (a choice: AWS documents
        # no reason for this case).
        other = "not " if state == ALARM else ""
        verb = "was" if len(real) == 1 else "were"
        return (
            f"Threshold Crossed: {filled} and {len(real)} out of the last {n} datapoints "
            f"[{_listed(real)}] {verb} {other}{words} the threshold "
            f"({number_text(rule.threshold)}) {transition}."
        )
    listed = _listed(chosen)
    verb = "was" if len(chosen) == 1 else "were"
    tail = f" and {filled}" if filled else ""
    return (
        f"Threshold Crossed: {len(chosen)} out of the last {n} datapoints [{listed}] {verb} "
        f"{neg}{words} the threshold ({number_text(rule.threshold)}){tail} {transition}."
    )


def _listed(points: Sequence[Point]) -> str:
    """Datapoints as a reason lists them: `5.0 (05/01/26 08:00:00), ...`."""
    return ", ".join(
        f"{number_text(p.value)} ({_reason_date(p.start_ms)})"
        for p in points
        if p.value is not None
    )


def reason_data(
    verdict: Verdict, rule: Rule, now_ms: int, period_s: int, statistic: str | None
) -> str:
    """The `reasonData` JSON text of a verdict, as the state change event carries it."""
    data: dict[str, object] = {"version": "1.0", "queryDate": cw_timestamp(now_ms)}
    if verdict.evaluated:
        data["startDate"] = cw_timestamp(verdict.evaluated[0].start_ms)
    if statistic is not None:
        data["statistic"] = statistic
    data["period"] = period_s
    data["recentDatapoints"] = [p.value for p in verdict.evaluated if p.value is not None]
    data["threshold"] = float(rule.threshold)
    return json.dumps(data, separators=(",", ":"))


def statistic_of(values: Sequence[float], statistic: str) -> float | None:
    """A CloudWatch statistic of one period's samples (None without samples). Percentiles
    are nearest-rank (a choice: CloudWatch's own are approximations)."""
    if not values:
        return None
    if statistic == "Average":
        return sum(values) / len(values)
    if statistic == "Sum":
        return float(sum(values))
    if statistic == "Maximum":
        return float(max(values))
    if statistic == "Minimum":
        return float(min(values))
    pct = float(statistic[1:]) / 100
    ordered = sorted(values)
    rank = max(1, math.ceil(pct * len(ordered)))
    return float(ordered[rank - 1])
