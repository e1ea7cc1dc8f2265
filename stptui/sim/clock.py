"""Virtual time and the event scheduler.

Time is an integer count of milliseconds since the Unix epoch (UTC). The scheduler is a heap
of `[time, seq, fn, arg, label, background]` entries: `seq` breaks ties in insertion order, so
two runs that schedule the same things in the same order run them in the same order.
"""

from __future__ import annotations

import gc
import heapq
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, date, datetime, timedelta
from heapq import heappush as _heappush
from typing import Any

# Entry layout (a list, so that cancelling can clear the callback in place).
T, SEQ, FN, ARG, LABEL, BACKGROUND = range(6)

Entry = list[Any]

# An entry's agenda label: (kind, resource, subject). The subject may be a function of the
# entry's argument, so that the hot paths pass one label built in advance instead of a new
# tuple per entry: the words are wanted only when someone looks at the agenda.
Label = tuple[str, str, str | Callable[[Any], str]]


class Idle:
    """The type of IDLE."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "IDLE"


# What an entry's callback returns when it found nothing to do and wrote nothing (a check
# whose reason went, which re-armed itself for later): that run is no event (see
# Scheduler.at). A value of its own: no other callback returns it by accident.
IDLE = Idle()


# The virtual clock's range. It ends where `datetime` (and so every date a user can type)
# ends, and starts at the epoch: AWS has no timestamps before it, and cron's years start
# there. `parse_instant` accepts only instants in it and no command moves the clock past
# MAX_MS; scheduled entries may lie beyond it (a schedule armed near the end), so the
# formatters below handle every instant.
MIN_MS = 0
MAX_MS = 253_402_300_799_999
CLOCK_RANGE = "1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z"

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # instant 0
_ONE_MS = timedelta(milliseconds=1)
# An ISO 8601 expanded year (`+10000-01-01`, `-0001-01-01`), as the formatters write years
# outside 0-9999: `datetime` cannot read it, and it is outside the range anyway.
_EXPANDED_YEAR = re.compile(r"(?:\+\d{5,}|-\d{4,})-")


class InstantRangeError(ValueError):
    """A well-formed instant that the virtual clock cannot hold: outside its range (the
    message names the range), or finer than its millisecond (InstantPrecisionError)."""


class InstantPrecisionError(InstantRangeError):
    """A well-formed instant with a nonzero digit below the millisecond, the virtual clock's
    resolution. A subclass of InstantRangeError so that every caller that reports a range
    error's message (the CLI's `--start`, `until`, `expect time`) reports this one too,
    instead of calling the instant malformed."""


# A decimal fraction of a second (ISO 8601 allows a comma as the decimal sign). An instant
# has no other '.' or ',': the date and the offset are digits, '-', ':' and '+' only.
_FRACTION = re.compile(r"[.,](\d+)")


def datetime_of(ms: int) -> datetime:
    """Epoch milliseconds `ms` as a UTC datetime: how the AWS SDKs hand a date to code."""
    return EPOCH + timedelta(milliseconds=ms)


def parse_instant(text: str) -> int:
    """An ISO-8601 instant (`2026-01-05T08:00:00Z`, offsets allowed) as epoch milliseconds.

    Raises InstantRangeError for an instant outside MIN_MS to MAX_MS, InstantPrecisionError
    for one with a nonzero digit below the millisecond (`.1234`; `.123000` is accepted: it
    is what Python's isoformat writes), ValueError for text that is not an instant. Dropping
    the digits silently would move the instant, as a duration finer than a millisecond is
    refused rather than rounded."""
    value = text.strip()
    if _EXPANDED_YEAR.match(value):
        raise InstantRangeError(f"{value!r} is outside the virtual clock's range, {CLOCK_RANGE}")
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    # Integer arithmetic: a float timestamp would round 1969-12-31T23:59:59.9999Z up to 0.
    ms = (dt - EPOCH) // _ONE_MS
    if not MIN_MS <= ms <= MAX_MS:
        raise InstantRangeError(f"{iso_ms(ms)} is outside the virtual clock's range, {CLOCK_RANGE}")
    # Read from the text, not from `dt`: `datetime` keeps 6 digits and drops the rest.
    if any(digits[3:].strip("0") for digits in _FRACTION.findall(value)):
        raise InstantPrecisionError(
            f"{text.strip()!r} has digits below the millisecond; time has millisecond "
            f"resolution: e.g. {iso_ms(ms)}"
        )
    return ms


_SECOND_CACHE: dict[int, str] = {}
_DAY_CACHE: dict[int, str] = {}
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MAX_ORDINAL = date.max.toordinal()
# The Gregorian calendar repeats every 400 years, which are exactly this many days.
_CYCLE_DAYS = 146_097
# "00" to "59": indexing this is several times faster than formatting with `:02d`.
_TWO_DIGITS = tuple(f"{i:02d}" for i in range(60))


def http_date(ms: int) -> str:
    """Epoch milliseconds as an HTTP `Date` header: `Mon, 05 Jan 2026 08:00:00 GMT`."""
    # Imported on the first call, not with the module: email.utils brings socket and
    # calendar, which nothing else needs at start-up.
    from email.utils import formatdate

    return formatdate(ms / 1000, usegmt=True)


def iso_ms(ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC with milliseconds: `2026-01-05T08:00:30.000Z`.

    Any instant at all: years past 9999 in ISO 8601's expanded form (`+10000-01-01T...`),
    years before 1 as `-0001` (see `_date_prefix`)."""
    sec, milli = divmod(ms, 1000)
    prefix = _SECOND_CACHE.get(sec)
    if prefix is None:
        if len(_SECOND_CACHE) > 4096:
            _SECOND_CACHE.clear()
        day, second = divmod(sec, 86_400)
        date_prefix = _DAY_CACHE.get(day) or _date_prefix(day)
        hour, second = divmod(second, 3600)
        minute, second = divmod(second, 60)
        two = _TWO_DIGITS
        prefix = f"{date_prefix}{two[hour]}:{two[minute]}:{two[second]}"
        _SECOND_CACHE[sec] = prefix
    return f"{prefix}.{milli:03d}Z"


def iso_s(ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC without a fraction (EventBridge's `time`); any
    instant, years written as `iso_ms` writes them."""
    # Only the date needs the calendar: a year of daily schedules formats 365 distinct
    # seconds but few distinct days, so the date part is cached and the time is arithmetic.
    day, second = divmod(ms // 1000, 86_400)
    prefix = _DAY_CACHE.get(day)
    if prefix is None:
        prefix = _date_prefix(day)
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    two = _TWO_DIGITS
    return f"{prefix}{two[hour]}:{two[minute]}:{two[second]}Z"


def _date_prefix(day: int) -> str:
    """`2026-01-05T` for a day counted from the epoch (cached), for any day at all.

    `date` knows the years 1-9999 only; another day is moved into them by whole 400-year
    cycles, which leave month, day and weekday unchanged, and the cycles are added back to
    the year. A year past 9999 is written in ISO 8601's expanded form with its sign
    (`+10000`), a year before 1 as astronomers number them (`0000` is 1 BC, then `-0001`).
    The clock itself never leaves 1970-9999, but an entry may be scheduled past its end,
    and an error may name an instant outside it."""
    if len(_DAY_CACHE) > 4096:
        _DAY_CACHE.clear()
    ordinal = day + _EPOCH_ORDINAL
    if 1 <= ordinal <= _MAX_ORDINAL:
        # isoformat pads years below 1000 to four digits (strftime's %Y does not).
        prefix = f"{date.fromordinal(ordinal).isoformat()}T"
    else:
        cycles, offset = divmod(ordinal - 1, _CYCLE_DAYS)
        moment = date.fromordinal(offset + 1)
        year = moment.year + 400 * cycles
        sign = "+" if year > 9999 else "-" if year < 0 else ""
        prefix = f"{sign}{abs(year):04d}{moment.isoformat()[4:]}T"
    _DAY_CACHE[day] = prefix
    return prefix


# While the simulator runs, the cyclic collector's youngest generation is collected every
# this many allocations instead of Python's 700: a busy run allocates a record, a dict and a
# heap entry per step and keeps hundreds of thousands of messages alive, so the default
# rescans them constantly (about 15% of a run) for cycles the simulator does not make. The
# count is of objects still alive, and a busy queue keeps tens of thousands alive: at
# 50,000 a run of 100,000 failing messages still spent 5% of its time rescanning them, at
# 200,000 it collects once. Cyclic garbage that a Python handler makes is still collected,
# after at most this many allocations.
RUN_GC_THRESHOLD = 200_000


# How often a long run settles the trace (a power of two: the check is a bit mask).
SETTLE_EVERY = 4096
SETTLE_MASK = SETTLE_EVERY - 1
# How often a run asks its `should_stop` (a power of two no larger than SETTLE_EVERY).
STOP_CHECK_EVERY = 256
STOP_CHECK_MASK = STOP_CHECK_EVERY - 1
# How many entries the events run may schedule with no delay, without the clock moving,
# before a run stops as a suspected loop (checked every STOP_CHECK_EVERY events). A loop
# that AWS's recursion detection does not see (through EventBridge, say) with
# zero-duration handlers would otherwise run forever at one instant. Handlers take 100 ms
# unless told otherwise, so only zero durations make such entries pile up at one
# millisecond, and 131,072 of them is tens of thousands of invocations at once; a loop
# through EventBridge reaches it in about three seconds.
STILL_LIMIT = 1 << 17
# What the check counts is the entries that running entries schedule with no delay at all,
# the mark of zero-duration work: a backlog at one instant (140,000 async invokes throttled
# by a burst, all retried a second later) runs many events there but schedules what they
# start later, and is no loop. Work that commands put at the instant from outside a run (a
# burst of 500,000 publishes: `repeat` makes one easily) is a backlog too: each such entry
# allows this many zero-delay entries more at that instant (a delivery, the invoke it
# makes), and a loop, started by a few entries, still stops after about STILL_LIMIT.
STILL_CREDIT = 4

# The least number of cancelled entries that the heap is rebuilt without (once they are also
# most of it): below it, they cost little and leave with the heap's front.
COMPACT_AT = 4096


class ClockStalled(RuntimeError):
    """A run's events scheduled STILL_LIMIT entries with no delay without the clock moving:
    most likely a loop of zero-duration work. The scheduler is consistent (the last event
    ran in full)."""

    def __init__(self, at: int, events: int) -> None:
        super().__init__(
            f"the clock has not moved from {iso_ms(at)} for {events:,} events: this looks like "
            "a loop of zero-duration work (through resources whose recursion AWS does not "
            "track, such as EventBridge, DynamoDB and Kinesis, or a worker whose failed "
            "messages come back at once); stopped there"
        )
        self.at = at
        self.events = events


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the youngest generation every RUN_GC_THRESHOLD allocations for the duration:
    what every run of the scheduler does, and what a script of many commands (thousands of
    sends, each keeping a message alive) does around all of them."""
    first, *rest = gc.get_threshold()
    if first >= RUN_GC_THRESHOLD or not gc.isenabled():
        yield
        return
    gc.set_threshold(RUN_GC_THRESHOLD, *rest)
    try:
        yield
    finally:
        gc.set_threshold(first, *rest)


class Scheduler:
    """A deterministic discrete-event scheduler on virtual time."""

    __slots__ = (
        "_background",
        "_credit",
        "_credit_at",
        "_dead",
        "_heap",
        "_running",
        "_seq",
        "_still_at",
        "_still_from",
        "_still_zero",
        "_zero",
        "events_run",
        "host",
        "last_step",
        "now",
        "settle",
        "still_limit",
    )

    def __init__(self, start_ms: int, settle: Callable[[], None] = lambda: None) -> None:
        self.now = start_ms
        self._heap: list[Entry] = []
        self._seq = 0
        # Entries in the heap that are background (recurring) work and still live, and that
        # were cancelled: the rest of the heap is the foreground work that keeps
        # `run_until_quiet` going. Counted this way round because both are rare, so an
        # ordinary entry is scheduled and run without touching either.
        self._background = 0
        self._dead = 0
        self.events_run = 0
        # Called every SETTLE_EVERY events and whenever a run returns (the trace's settle).
        self.settle = settle
        # Held open around each run (`run_until`, `run_until_quiet`): what the entries' work
        # keeps in place for a whole run rather than for each entry (Python handlers' set-up:
        # Behaviors.run_host). It is entered once per run, and may be entered again nested.
        self.host: AbstractContextManager[None] = nullcontext()
        # The instant seen at the last stillness check, and the event count when it was
        # first seen there (see `check_moving`).
        self._still_at = start_ms
        self._still_from = 0
        self.still_limit = STILL_LIMIT
        # Entries scheduled with no delay by running entries, in all (`_zero`) and when the
        # clock was first seen at `_still_at` (`_still_zero`); entries scheduled at the
        # instant `_credit_at` from outside a run (see STILL_CREDIT). `_running` is true
        # while entries run.
        self._zero = 0
        self._still_zero = 0
        self._credit = 0
        self._credit_at = start_ms
        self._running = False
        # The entry `step` ran last (its callback cleared; time, label and argument kept), so
        # that a step that wrote nothing can say what it was. `run` does not keep it: that
        # would cost its loop a store per event.
        self.last_step: Entry | None = None

    def at(
        self,
        t: int,
        fn: Callable[[Any], Idle | None],
        arg: Any = None,
        label: Label | None = None,
        background: bool = False,
    ) -> Entry:
        """Run `fn(arg)` at time `t` (never earlier than now).

        `label` is (kind, resource, subject) for the agenda, turned into words only when the
        agenda is shown (a callable subject is called with `arg` then); `background` marks
        recurring work (schedule fires) that does not keep `run_until_quiet` going. A
        recurring caller passes it by position: CPython does not specialise a call with
        keyword arguments, which costs a schedule's every re-arm some 500 instructions.

        `fn` returns None, or IDLE when it found nothing to do and wrote nothing (a check
        whose reason went, which re-armed itself for later): that run is no event, not
        counted, and `step` runs the next entry instead, so that it never moves the clock
        to an instant where nothing happened."""
        if t <= self.now:
            t = self.now
            if self._running:
                self._zero += 1
            else:
                if self._credit_at != t:
                    self._credit_at = t
                    self._credit = 0
                self._credit += 1
        # Every event of every run schedules through here: each attribute read saved counts.
        seq = self._seq = self._seq + 1
        entry = [t, seq, fn, arg, label, background]
        _heappush(self._heap, entry)
        if background:
            self._background += 1
        return entry

    def cancel(self, entry: Entry) -> None:
        """Drop a scheduled entry (a no-op if it already ran or was cancelled)."""
        if entry[FN] is not None:
            # A live entry is in the heap (one that ran had its callback cleared first).
            entry[FN] = None
            self._dead += 1
            if entry[BACKGROUND]:
                self._background -= 1
            if self._dead > COMPACT_AT and self._dead > len(self._heap) >> 1:
                self._compact()

    def _compact(self) -> None:
        """Drop the cancelled entries from the heap. A cancelled entry stays until it
        reaches the front, and one cancelled far ahead (a queue's retention check, dropped
        when the queue empties, four days on) would otherwise stay for days of traffic,
        each a level more for every push and pop. Rebuilt in place (a run holds the list),
        once the dead are most of it: amortised, a cancel costs a constant. Entries keep
        their (time, seq) keys, so they run in the same order."""
        heap = self._heap
        heap[:] = [e for e in heap if e[FN] is not None]
        heapq.heapify(heap)
        self._dead = 0

    def set_background(self, entry: Entry, background: bool) -> None:
        """Mark a live entry as background work (it no longer keeps `run_until_quiet` going)
        or as foreground work again; a no-op for an entry that ran or was cancelled. The
        entry keeps its time and place: it runs when the clock gets there either way."""
        if entry[FN] is not None and entry[BACKGROUND] != background:
            entry[BACKGROUND] = background
            self._background += 1 if background else -1

    def peek(self) -> int | None:
        """The time of the next live entry, or None when nothing is scheduled."""
        heap = self._heap
        while heap and heap[0][FN] is None:
            heapq.heappop(heap)
            self._dead -= 1
        return heap[0][T] if heap else None

    def check_moving(self) -> None:
        """Raise ClockStalled when, since the clock last moved, the entries run have
        scheduled `still_limit` or more with no delay (more after a burst of commands, see
        STILL_CREDIT). Called every STOP_CHECK_EVERY events (by count since the start), and
        only then, so that a run and its replay by `step` check at the same counts."""
        now = self.now
        if now != self._still_at:
            self._still_at = now
            self._still_from = self.events_run
            self._still_zero = self._zero
            return
        limit = self.still_limit
        if self._credit_at == now:
            limit += STILL_CREDIT * self._credit
        if self._zero - self._still_zero >= limit:
            raise ClockStalled(now, self.events_run - self._still_from)

    def step(self, limit: int | None = None) -> bool:
        """Run the next live entry due by `limit` (any, without one); False when there is
        none. An entry that found nothing to do (see `at`) is no step: the clock goes back
        to where it was, and the next entry runs."""
        heap = self._heap
        while heap:
            entry = heapq.heappop(heap)
            fn = entry[FN]
            if fn is None:
                self._dead -= 1
                continue
            if limit is not None and entry[T] > limit:
                _heappush(heap, entry)
                return False
            entry[FN] = None
            last, self.last_step = self.last_step, entry
            if entry[BACKGROUND]:
                self._background -= 1
            before, self.now = self.now, entry[T]
            self.events_run += 1
            running, self._running = self._running, True
            try:
                idle = fn(entry[ARG]) is IDLE
            finally:
                self._running = running
                self.settle()
            if idle:
                self.last_step, self.now = last, before
                self.events_run -= 1
                continue
            return True
        return False

    def run_until(self, t: int, should_stop: Callable[[], bool] | None = None) -> bool:
        """Run every entry due at or before `t`, then set the clock to `t`.

        Returns False when `should_stop` asked to stop early (the clock then stays at the
        last entry run, a consistent instant)."""
        return self._run(t, should_stop, quiet=False)

    def run_until_quiet(self, limit_ms: int, should_stop: Callable[[], bool] | None = None) -> bool:
        """Run until only background (recurring) entries remain, or until `limit_ms`.

        Returns True when the system went quiet, False when the limit (or `should_stop`)
        came first; the clock then stays at a consistent instant."""
        return self._run(limit_ms, should_stop, quiet=True)

    def _run(self, limit: int, should_stop: Callable[[], bool] | None, *, quiet: bool) -> bool:
        running, self._running = self._running, True
        try:
            with fewer_collections(), self.host:
                return self._loop(limit, should_stop, quiet=quiet)
        finally:
            self._running = running
            self.settle()

    def _loop(self, limit: int, should_stop: Callable[[], bool] | None, *, quiet: bool) -> bool:
        # One loop for both: written out flat because it is the simulator's innermost loop.
        # The event count lives in a local and is written back whenever someone may read it
        # (before `should_stop`, at a settle, on the way out).
        heap = self._heap
        pop = heapq.heappop
        idle = IDLE  # a local: what each event's return is compared with
        ran = self.events_run
        try:
            # `while True`, its test inside: CPython 3.11 warms a function up for its
            # specialising interpreter on calls and on unconditional backward jumps only, not
            # on a `while` test's jump back. This loop runs once per command, so written
            # `while TEST:` it ran unspecialised through a whole `advance 7d` (until its
            # eighth call in the process), each step about half as slow again.
            while True:
                if quiet and len(heap) <= self._dead + self._background:
                    return True
                if not heap:
                    break
                # Taken before its time is looked at, and put back when it is due after
                # `limit` (once a run): cheaper than reading the heap's head at every step.
                # Its (time, seq) key is unique, so it comes out in the same order later.
                entry = pop(heap)
                t, _, fn, arg, _, background = entry
                if t > limit:
                    _heappush(heap, entry)
                    break
                if fn is None:
                    self._dead -= 1
                    continue
                entry[FN] = None
                if background:
                    self._background -= 1
                self.now = t
                ran += 1
                if fn(arg) is idle:
                    ran -= 1  # it found nothing to do: no event (see `at`)
                    continue
                if not ran & STOP_CHECK_MASK:
                    self.events_run = ran
                    if not ran & SETTLE_MASK:
                        self.settle()
                    self.check_moving()
                    if should_stop is not None and should_stop():
                        return False
            if limit > self.now:
                self.now = limit
            return not quiet
        finally:
            self.events_run = ran

    def agenda(self, limit: int = 50) -> list[tuple[int, tuple[str, str, str]]]:
        """The next `limit` labelled entries, soonest first: (time, (kind, resource, subject))."""
        live = (e for e in self._heap if e[FN] is not None and e[LABEL] is not None)
        soonest = heapq.nsmallest(limit, live, key=lambda e: (e[T], e[SEQ]))
        out = []
        for e in soonest:
            kind, resource, subject = e[LABEL]
            if callable(subject):
                subject = subject(e[ARG])
            out.append((e[T], (kind, resource, subject)))
        return out

    def labelled(self, kinds: tuple[str, ...], resource: str) -> list[tuple[int, Any]]:
        """The live entries whose label is one of `kinds` on `resource`, soonest first:
        (time, argument). For views of one resource's waiting work (a function's
        asynchronous events), which its service keeps nowhere but in the heap."""
        found = [
            e
            for e in self._heap
            if e[FN] is not None
            and e[LABEL] is not None
            and e[LABEL][1] == resource
            and e[LABEL][0] in kinds
        ]
        found.sort(key=lambda e: (e[T], e[SEQ]))
        return [(e[T], e[ARG]) for e in found]

    def due_now(self) -> int:
        """How many live entries are due at the current instant and have not run yet (what
        a command set off waits for the clock to run it, even `advance 0`)."""
        now = self.now
        return sum(1 for e in self._heap if e[T] == now and e[FN] is not None)

    def pending(self) -> int:
        """How many live entries are scheduled."""
        return sum(1 for e in self._heap if e[FN] is not None)
