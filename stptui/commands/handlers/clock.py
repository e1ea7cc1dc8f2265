"""Commands that move the virtual clock.

None of them takes the clock past its maximum (MAX_MS, the end of the year 9999): `advance`
and `until` refuse a target beyond it, `step` refuses when the very next event lies beyond
it and otherwise stops before such events, and `run` stops there (still busy).
"""

from __future__ import annotations

import contextlib
import re

from stptui.commands.handlers.base import (
    DEFAULT_RUN_MAX,
    command,
    now_line,
    read_duration,
    refuse_past_end,
    step_lines,
    whole_number,
)
from stptui.commands.registry import (
    COUNT,
    DURATION,
    INSTANT,
    Arg,
    Call,
    CommandError,
    Option,
    quote_word,
)
from stptui.commands.result import CommandResult
from stptui.commands.resume import Resumption, StopTest
from stptui.commands.session import Session
from stptui.sim.behavior import (
    BehaviorError,
    DurationTooLongError,
    format_duration,
    parse_duration,
)
from stptui.sim.clock import (
    MAX_MS,
    ClockStalled,
    InstantPrecisionError,
    InstantRangeError,
    iso_ms,
    iso_s,
    parse_instant,
)
from stptui.sim.engine import Simulator

DAY_MS = 86_400_000

# -- time ------------------------------------------------------------------------------------


@command(
    "advance",
    "time",
    "Run everything due in the next DURATION of virtual time.",
    args=(Arg("DURATION", DURATION, "90s, 5m, 2h30m, 1d, 250ms"),),
    examples=("advance 90s", "advance 2h30m"),
    details="A duration is at most 3650d; `until` runs to any later instant.",
    changes_state=True,
)
def cmd_advance(session: Session, call: Call) -> CommandResult:
    """advance DURATION"""
    sim = session.sim
    text = call.args["duration"]
    try:
        ms = parse_duration(text)
    except DurationTooLongError as exc:
        raise _too_long(sim, text, exc) from None
    except BehaviorError as exc:
        raise CommandError(f"advance: {exc}", exc.hint, word=text) from None
    before = sim.clock.now
    if before + ms > MAX_MS:
        target = iso_ms(before + ms)
        refuse_past_end(sim, f"advance {call.args['duration']} would take the clock to {target}")
    return _move_clock(session, call, before + ms)


def _too_long(sim: Simulator, text: str, exc: DurationTooLongError) -> CommandError:
    """The refusal of an `advance` past the 3650-day limit of a duration, with the `until`
    line that runs to the same instant when the clock can reach it: `until` takes any
    instant up to the clock's maximum."""
    target = sim.clock.now + exc.ms
    if target > MAX_MS:
        left = MAX_MS - sim.clock.now
        return CommandError(
            f"advance: {text!r} is longer than the 3650-day limit of a duration, and would "
            f"take the clock past its maximum, {iso_ms(MAX_MS)}",
            f"`until {iso_ms(MAX_MS)}` runs to the end of the clock's range"
            if left > 0
            else "the clock is at the end of its range: nothing moves it further",
            word=text,
        )
    return CommandError(
        f"advance: {text!r} is longer than the 3650-day limit of a duration",
        f"to run that far, give the instant instead: until {iso_ms(target)}",
        word=text,
    )


def _move_clock(session: Session, call: Call, target: int) -> CommandResult:
    """Run `advance` or `until` to `target`, given the front end's stop test: the clock's
    new time, or where an interruption or a suspected loop left it (and, for a front end
    that runs on, what is left: `_ClockRest`)."""
    sim = session.sim
    before = sim.clock.now
    events_before = sim.clock.events_run
    try:
        moved = sim.until(target, call.should_stop)
    except ClockStalled as exc:
        raise _loop_error(session, events_before, exc) from None
    if not moved:
        result = _stopped(session, call, before, events_before)
        if call.resumable:
            result.resumption = _ClockRest(session, target, before)
        return result
    return CommandResult(now_line(sim, before), data={"now": iso_ms(sim.clock.now)})


class _ClockRest(Resumption):
    """The rest of an `advance` or `until`: the clock run on to its target. Each part ends
    at a consistent instant (what is left of the instant a stop came in runs too), logged
    as the `until` it amounts to, as an interrupted one is."""

    def __init__(self, session: Session, target: int, before: int) -> None:
        super().__init__(session, target - before, "ms")
        self.target = target
        self.before = before
        self.done = session.sim.clock.now - before
        self.aim = f"to {iso_ms(target)}"

    def _go(self, should_stop: StopTest) -> bool:
        sim = self.session.sim
        events_before = sim.clock.events_run
        try:
            if not sim.until(self.target, should_stop):
                sim.until(sim.clock.now)
        except ClockStalled as exc:
            self.lines = [*self.lines, *step_lines(sim.clock.events_run - events_before)]
            raise CommandError(str(exc), LOOP_HINT) from None
        finally:
            self.done = sim.clock.now - self.before
        self.lines = [f"until {iso_ms(sim.clock.now)}"]
        return sim.clock.now >= self.target

    def _end(self, *, cancelled: bool) -> CommandResult:
        sim = self.session.sim
        now = iso_ms(sim.clock.now)
        text = now_line(sim, self.before)
        return CommandResult(
            f"stopped; {text}" if cancelled else text,
            data={"now": now, "interrupted": True} if cancelled else {"now": now},
        )

    def status(self) -> str:
        """`+3 d of 30 d`: how far the clock has come."""
        return f"+{format_duration(self.done)} of {format_duration(self.total)}"


# The hint of an error about a suspected loop.
LOOP_HINT = (
    "give a handler in the loop a duration or a condition that ends it; "
    "`show trace 20` shows the last steps"
)


def _loop_error(session: Session, events_before: int, exc: ClockStalled) -> CommandError:
    """The error of a time command that the simulator stopped as a suspected loop.

    The events it ran stay run (the simulation is consistent at the instant reached), so,
    unlike other failed commands, it is logged: as the `step N` that replays exactly those
    events (several, when they are more than one `step` takes), so that `save` and `record`
    still replay to this very state."""
    stopped = None
    for line in step_lines(session.sim.clock.events_run - events_before):
        session.log.append(line)
        stopped = stopped or session.record(line)
    return CommandError(f"{exc}; {stopped}" if stopped else str(exc), LOOP_HINT)


def _stopped(session: Session, call: Call, before: int, events_before: int) -> CommandResult:
    """The result of a time command its front end stopped (Ctrl-C) between two events."""
    sim = session.sim
    # Events due at the instant reached may still be pending; `until NOW` would run them
    # too, so run them here and log that line: the log then replays to this very state.
    try:
        sim.until(sim.clock.now)
    except ClockStalled as exc:
        raise _loop_error(session, events_before, exc) from None
    now = iso_ms(sim.clock.now)
    call.log_line = f"until {now}"
    return CommandResult(
        f"interrupted; {now_line(sim, before)}", data={"now": now, "interrupted": True}
    )


def until_instant(sim: Simulator, text: str) -> int:
    """The instant `until TEXT` names, or the CommandError `until` gives for a word that
    names none: no instant, one finer than a millisecond or past the clock's range. The
    REPL checks the word with this before Enter (`Arg.check`); whether it is in the past
    is the command's to say, when it runs (a pasted `undo` before it moves the clock
    back)."""
    try:
        t = parse_instant(text)
    except InstantPrecisionError as exc:
        to_the_ms = re.sub(r"([.,]\d{3})\d+", r"\1", text)
        raise CommandError(
            str(exc), f"write it to the millisecond: until {to_the_ms}", word=text
        ) from None
    except InstantRangeError as exc:
        raise CommandError(str(exc), f"the clock cannot pass {iso_ms(MAX_MS)}", word=text) from None
    except ValueError:
        raise CommandError(
            f"{text!r} is not an ISO-8601 instant", _until_hint(text, sim.clock.now), word=text
        ) from None
    return t


def _check_until_time(sim: Simulator, text: str) -> None:
    until_instant(sim, text)


@command(
    "until",
    "time",
    "Run everything due up to an instant.",
    args=(
        Arg(
            "TIME",
            INSTANT,
            "an ISO-8601 instant, e.g. 2026-01-05T09:00:00Z",
            check=_check_until_time,
        ),
    ),
    examples=("until 2026-01-05T09:00:00Z",),
    changes_state=True,
    check_words=lambda words: _until_a_condition(words),
)
def cmd_until(session: Session, call: Call) -> CommandResult:
    """until TIME"""
    sim = session.sim
    t = until_instant(sim, call.args["time"])
    if t < sim.clock.now:
        raise CommandError(
            f"{iso_ms(t)} is in the simulation's past (now {iso_ms(sim.clock.now)})",
            _before_start_hint(sim.start_ms, t) if t < sim.start_ms else "time only moves forward",
        )
    return _move_clock(session, call, t)


# The comparisons of `expect`, which an `until` written as a condition holds.
_COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">=", "="))


def _until_a_condition(words: list[str]) -> None:
    """`until function.worker.invocations == 3`: a condition where the instant goes. No
    command runs the clock until one holds; the hint said to write an instant as one word."""
    at = next((i for i, w in enumerate(words) if w in _COMPARISONS), None)
    if at is None or at == 0:
        return
    condition = " ".join(quote_word(w) for w in words)
    raise CommandError(
        "until takes an instant, not a condition",
        "run moves the clock until nothing but recurring work (schedules, retention) is "
        f"pending, advance D by a duration; then `expect {condition}` checks it",
        word=words[0],
        word_index=1,
    )


# Words for "until the stack has settled", which `run` does (`until idle`).
_SETTLED_WORDS = frozenset(
    ("idle", "done", "quiet", "empty", "settled", "drained", "finished", "end", "complete")
)


def _until_hint(text: str, now: int) -> str:
    """What to type for an `until` word that is no instant: `run` for `idle` (what `run`
    does); `advance 1h` for `+1h` or `1h` (a span of time from now is what `advance`
    takes); the instant of that time today for a time of day (`08:05`); else the next whole
    hour, an instant of this session to copy (a fixed example date may be in its past)."""
    if text.lower() in _SETTLED_WORDS:
        return (
            "until takes an instant; to run until nothing but recurring work (schedules, "
            "retention) is pending: run"
        )
    span = text.removeprefix("+")
    try:
        parse_duration(span)
    except BehaviorError:
        pass
    else:
        return f"until takes an instant; to move the clock by {span}: advance {span}"
    if (clock := re.fullmatch(r"(\d{2}):(\d{2})(:\d{2})?", text)) is not None:
        time_of_day = f"T{clock[1]}:{clock[2]}{clock[3] or ':00'}Z"
        with contextlib.suppress(ValueError):  # 25:00 is no time of day
            today = parse_instant(iso_s(now - now % DAY_MS)[:10] + time_of_day)
            # The next such time: today's when it is still ahead, else tomorrow's.
            at = today if today > now else today + DAY_MS
            return f"write the date too, in UTC: until {iso_s(at)}"
    hour_ms = 3_600_000
    return f"e.g. until {iso_s(now - now % hour_ms + hour_ms)}"


def _before_start_hint(start_ms: int, t: int) -> str:
    """How to reach `t`, an instant before the session's start: start the session earlier.
    The start suggested is midnight UTC of `t`'s day, which leaves the whole day before `t`
    (a schedule firing at `t` included) to run."""
    midnight = t - t % DAY_MS
    return (
        f"the clock started at {iso_ms(start_ms)}; to simulate from earlier, open the stack "
        f"with an earlier --start, e.g. --start {iso_s(midnight)}"
    )


@command(
    "step",
    "time",
    "Run the next N scheduled events (default 1), however far away.",
    args=(Arg("N", COUNT, "how many events", optional=True),),
    details=(
        "`show agenda` lists the events to come. A check that finds nothing to do (a "
        "queue's visibility check left for messages deleted since) is no event: `step` "
        "goes on to the next. When the events run wrote no trace record, `step` says which "
        "entry the last was."
    ),
    examples=("step", "step 10"),
    changes_state=True,
)
def cmd_step(session: Session, call: Call) -> CommandResult:
    """step [N]"""
    sim = session.sim
    n = 1 if call.args["n"] is None else whole_number(call.args["n"], "step N")
    before = sim.clock.now
    events_before = sim.clock.events_run
    records_before = sim.trace.seq
    try:
        ran = sim.step(n, MAX_MS, call.should_stop)
    except ClockStalled as exc:
        raise _loop_error(session, events_before, exc) from None
    due = sim.clock.peek()
    if ran == 0 and due is not None:
        refuse_past_end(sim, f"step: the next event is at {iso_ms(due)}")
    text = f"ran {ran} event{'s' * (ran != 1)}; {now_line(sim, before)}"
    if ran < n and due is not None and due <= MAX_MS:
        # Only the front end's stop ends a step early with an event still due in range:
        # the log then holds the count that ran, which replays to this very state.
        call.log_line = f"step {ran}"
        return CommandResult(
            f"interrupted; {text}",
            data={"ran": ran, "now": iso_ms(sim.clock.now), "interrupted": True},
            resumption=_StepRest(session, n, events_before, before) if call.resumable else None,
        )
    text = _step_text(sim, ran, n, before)
    if ran and sim.trace.seq == records_before:
        # An event that writes nothing (a check that found nothing due) may still move the
        # clock: say what it was, or the jump looks unexplained.
        text += f"\n{_silent_step(sim, ran)}"
    return CommandResult(text, data={"ran": ran, "now": iso_ms(sim.clock.now)})


def _silent_step(sim: Simulator, ran: int) -> str:
    """The line after a `step` whose events wrote no trace record: what the last was."""
    what = "the event" if ran == 1 else f"none of the {ran} events"
    last = sim.last_step()
    if last is None:
        return f"{what} wrote no trace record"
    _, kind, resource, words = last
    ran_last = "it" if ran == 1 else "the last"
    return f"{what} wrote no trace record: {ran_last} was {kind} {resource}: {words}"


def _step_text(sim: Simulator, ran: int, n: int, before: int) -> str:
    """What a `step N` that ran `ran` events says: how many, the clock, and why fewer."""
    due = sim.clock.peek()
    text = f"ran {ran} event{'s' * (ran != 1)}; {now_line(sim, before)}"
    if ran < n:
        text += (
            "; nothing more is scheduled"
            if due is None
            else f"; the next event, at {iso_ms(due)}, is past the clock's maximum"
        )
    return text


class _StepRest(Resumption):
    """The rest of a `step N`: the events still to run, logged as the `step` of those that
    ran (which replays exactly, at any event)."""

    def __init__(self, session: Session, n: int, events_before: int, before: int) -> None:
        super().__init__(session, n, "events")
        self.events_before = events_before
        self.before = before
        self.done = session.sim.clock.events_run - events_before

    def _go(self, should_stop: StopTest) -> bool:
        sim = self.session.sim
        try:
            sim.step(self.total - self.done, MAX_MS, should_stop)
        except ClockStalled as exc:
            raise CommandError(str(exc), LOOP_HINT) from None
        finally:
            self.done = sim.clock.events_run - self.events_before
            self.lines = step_lines(self.done)
        due = sim.clock.peek()
        return self.done >= self.total or due is None or due > MAX_MS

    def _end(self, *, cancelled: bool) -> CommandResult:
        sim = self.session.sim
        data = {"ran": self.done, "now": iso_ms(sim.clock.now)}
        if cancelled:
            ran = f"ran {self.done} event{'s' * (self.done != 1)}; {now_line(sim, self.before)}"
            return CommandResult(f"stopped; {ran}", data={**data, "interrupted": True})
        return CommandResult(_step_text(sim, self.done, self.total, self.before), data=data)


@command(
    "run",
    "time",
    "Run until nothing but recurring work (schedules, retention) is pending.",
    options=(
        Option("--max", DURATION, f"stop after this much time (default {DEFAULT_RUN_MAX})", "D"),
    ),
    examples=("run", "run --max 2h"),
    changes_state=True,
)
def cmd_run(session: Session, call: Call) -> CommandResult:
    """run [--max DURATION]"""
    sim = session.sim
    max_ms = read_duration(call.opts.get("max", DEFAULT_RUN_MAX), "--max")
    before = sim.clock.now
    # A run that would go past the clock's maximum stops there instead: a run that goes
    # quiet sooner should not be refused for a limit it never reaches.
    room = max(0, MAX_MS - before)
    events_before = sim.clock.events_run
    stop = None if call.should_stop is None else _Asked(call.should_stop)
    try:
        quiet = sim.run(min(max_ms, room), stop)
    except ClockStalled as exc:
        raise _loop_error(session, events_before, exc) from None
    if not quiet and stop is not None and stop.said:
        if call.resumable:
            # What ran is exactly the events counted: no need to end the instant, which
            # could run what a run that went quiet in it would not.
            rest = _RunRest(session, max_ms, room, events_before, before)
            call.log_line = rest.lines[0]
            return CommandResult(
                f"interrupted; {now_line(sim, before)}",
                data={"now": iso_ms(sim.clock.now), "interrupted": True},
                resumption=rest,
            )
        return _stopped(session, call, before, events_before)
    text = _run_text(sim, quiet, max_ms, room, before)
    if quiet and sim.clock.events_run == events_before:
        # `run` does not wait for schedules, so with nothing else pending it does nothing:
        # say so, and what moves the clock to them.
        text = "\n".join([text, *_waiting_schedules(sim, call.opts.get("max"))])
    return CommandResult(text, data={"quiet": quiet, "now": iso_ms(sim.clock.now)})


class _Asked:
    """A front end's stop test that remembers whether it said stop: a run that reached its
    limit and one stopped short both end not quiet, and asking again may answer otherwise."""

    def __init__(self, should_stop: StopTest) -> None:
        self.should_stop = should_stop
        self.said = False

    def __call__(self) -> bool:
        self.said = self.should_stop()
        return self.said


def _run_text(sim: Simulator, quiet: bool, max_ms: int, room: int, before: int) -> str:
    """What a `run` says: quiet or still busy, and the clock."""
    if quiet:
        state = "quiet"
    elif max_ms > room:
        state = f"still busy at {iso_ms(MAX_MS)}, where the clock's range ends"
    else:
        state = f"still busy after {format_duration(max_ms)}"
    return f"{state}; {now_line(sim, before)}"


class _RunRest(Resumption):
    """The rest of a `run`: on until quiet or its limit. Logged as the `step` of the events
    that ran (the run's own line would not stop where a part did), or, once it reaches its
    limit still busy, as the `until` of the limit, which runs exactly that."""

    def __init__(
        self, session: Session, max_ms: int, room: int, events_before: int, before: int
    ) -> None:
        super().__init__(session, min(max_ms, room), "ms")
        self.max_ms = max_ms
        self.room = room
        self.limit = before + self.total
        self.aim = f"until quiet, at the latest {iso_ms(self.limit)}"
        self.events_before = events_before
        self.before = before
        self.quiet = False
        self._relines()

    def _relines(self) -> None:
        sim = self.session.sim
        self.done = sim.clock.now - self.before
        self.lines = step_lines(sim.clock.events_run - self.events_before)

    def _go(self, should_stop: StopTest) -> bool:
        sim = self.session.sim
        stop = _Asked(should_stop)
        try:
            self.quiet = sim.clock.run_until_quiet(self.limit, stop)
        except ClockStalled as exc:
            raise CommandError(str(exc), LOOP_HINT) from None
        finally:
            self._relines()
        if self.quiet:
            return True
        if stop.said:
            return False
        self.lines = [f"until {iso_ms(self.limit)}"]
        return True

    def _end(self, *, cancelled: bool) -> CommandResult:
        sim = self.session.sim
        data = {"quiet": self.quiet, "now": iso_ms(sim.clock.now)}
        if cancelled:
            text = f"stopped; {now_line(sim, self.before)}"
            return CommandResult(text, data={**data, "interrupted": True})
        text = _run_text(sim, self.quiet, self.max_ms, self.room, self.before)
        return CommandResult(text, data=data)

    def status(self) -> str:
        """`+3 h of at most 1 d`: how far the clock has come."""
        return f"+{format_duration(self.done)} of at most {format_duration(self.total)}"


def _waiting_schedules(sim: Simulator, max_text: str | None) -> list[str]:
    """What a `run` that ran nothing says of the schedules still armed: how many, when the
    next one fires, and the commands that get there (none when no schedule is armed)."""
    service = sim.services.get("schedules")
    armed = [
        r
        for r in (service.rules if service is not None else ())
        # A fire past the clock's range never comes: nothing reaches it.
        if not r.paused and r.next_ms is not None and r.next_ms <= MAX_MS
    ]
    if not armed:
        return []
    due = min(r.next_ms for r in armed if r.next_ms is not None)
    owners = sorted({r.owner for r in armed if r.next_ms == due})
    count = f"{len(armed)} schedule{'s' * (len(armed) != 1)}"
    span = max_text or "1d"
    return [
        f"only {count} pending, and `run` does not wait for schedules; the next fires at "
        f"{iso_s(due)} ({', '.join(owners)})",
        f"`until {iso_s(due)}` runs to it; `advance {span}` runs every fire in the next {span}",
    ]
