"""Schedules: every `schedule` trigger becomes an EventBridge scheduled rule that fires on the
virtual clock and delivers the "Scheduled Event" envelope (or the configured `input`,
`inputPath` or `inputTransformer`) to its workload asynchronously.

Rules (reference aws-semantics §4.1, §6; stacktape-config §3.2): cron() fires at the whole
minutes its fields allow, in UTC; rate() is not aligned to the clock and counts from when the
rule is created, which here is the simulation start, so its first fire is one period after
the start, at second 0 of that minute (the docs do not say whether AWS fires at creation,
and give schedules a precision of one minute; these are stptui's documented choices).
Scheduled rules live on the default bus. A paused schedule keeps its phase: a rate() resumed
later fires at the next start + k * period, not one period after the resume.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from stptui.config.model import (
    SCHEDULE_NODE_PREFIX,
    ScheduleTrigger,
    Workload,
    schedule_node_id,
)
from stptui.jsontext import compact_json
from stptui.sim import trace as tk
from stptui.sim.clock import iso_s
from stptui.sim.payloads import Deferred, json_string_sizes
from stptui.sim.schedules import Schedule, ScheduleError, parse_schedule
from stptui.sim.services.bus import (
    Delivery,
    DeliveryError,
    TargetInput,
    envelope,
    rule_arn,
    rule_name,
    workload_delivery,
)
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.sim.clock import Entry
    from stptui.sim.engine import Simulator

SCHEDULED_EVENT = "Scheduled Event"
# The fields of a schedule.fired record, packed (see stptui.sim.trace.Raw).
_FIRED_FIELDS = ("rule", "expression", "event_id", "origin")
SCHEDULE_SOURCE = "aws.events"


def scheduled_event(
    event_id: str, account: str, region: str, time_ms: int, rule: str
) -> dict[str, Any]:
    """The envelope a scheduled rule sends (AWS-validated shape, `version` included)."""
    return envelope(
        event_id, SCHEDULE_SOURCE, SCHEDULED_EVENT, {}, [rule], time_ms, account, region
    )


class ScheduleRule:
    """One scheduled rule: a workload's `schedule` trigger and its timer."""

    def __init__(self, sim: Simulator, owner: str, number: int, trigger: ScheduleTrigger) -> None:
        self.sim = sim
        self.owner = owner
        # 1-based among the owner's schedules, as `fire F N` and the graph's node id count
        self.number = number
        self.trigger = trigger
        self.expression = trigger.rate
        self.name = rule_name(sim, owner, "schedule", number)
        self.arn = rule_arn(sim, None, self.name)
        self.input = TargetInput(trigger.input, trigger.input_path, trigger.input_transformer)
        # The commonest case, decided once: the envelope itself is what the rule delivers.
        self._whole_event = self.input.kind == "event"
        # Every envelope of the rule is as long as JSON (its id and time have one length):
        # measured on the first, and given to the unbuilt ones (payloads.Deferred.json_sizes).
        self._envelope_sizes: tuple[int, int] | None = None
        self.schedule: Schedule | None = None
        self.error: str | None = None
        try:
            self.schedule = parse_schedule(self.expression)
        except ScheduleError as exc:
            # AWS would refuse to create the rule; the simulation keeps it, never firing, so
            # that `show schedules` can say why.
            self.error = str(exc)
        self.paused = False
        self.next_ms: int | None = None
        self._timer: Entry | None = None
        # The agenda names the expression: the rule's AWS name is long and says less.
        self._label = ("schedule", owner, self.expression)
        # The schedule's upcoming fires, valid while the clock stands at `_fires_from`, the
        # fire last taken from it: re-arming right after a fire is one step of the iterator
        # instead of a search. Any other instant (the start, a resume) starts a new one.
        self._fires: Iterator[int] = iter(())
        self._fires_from: int | None = None
        # Resolved at the first fire, once the batch service is wired too.
        self._delivery: Delivery | None = None
        # One bound method for the timers of all its fires, not one made at each re-arm.
        self._due_cb = self._due

    @property
    def node_id(self) -> str:
        """The schedule's node in the graph (`schedule:OWNER:N`), which the commands take."""
        return schedule_node_id(self.owner, self.number)

    @property
    def describe(self) -> str:
        """The expression in words ("at 09:00 UTC every day"), or why it never fires."""
        if self.schedule is None:
            return f"invalid: {self.error}"
        return self.schedule.describe()

    def example_event(self, event_id: str) -> Any:
        """What the rule delivers when it fires now, its event id `event_id`: the envelope,
        or what its input makes of it (nothing fires, nothing is traced)."""
        sim = self.sim
        envelope = scheduled_event(event_id, sim.account_id, sim.region, sim.clock.now, self.arn)
        return envelope if self._whole_event else self.input.apply(envelope, self.name, self.arn)

    def arm(self) -> None:
        """Set the timer for the next fire strictly after now (nothing when paused)."""
        self.disarm()
        if self.paused or self.schedule is None:
            return
        sim = self.sim
        now = sim.clock.now
        if now != self._fires_from:
            self._fires = self.schedule.fires_after(now, sim.start_ms)
        self._arm_next()

    def _arm_next(self) -> None:
        """Set the timer for the next fire `_fires` gives (the clock stands at its last)."""
        nxt = next(self._fires, None)
        self._fires_from = self.next_ms = nxt
        if nxt is not None:
            # Background work, by position (see Scheduler.at).
            self._timer = self.sim.clock.at(nxt, self._due_cb, None, self._label, True)

    def disarm(self) -> None:
        """Cancel the pending fire, if any."""
        if self._timer is not None:
            self.sim.clock.cancel(self._timer)
            self._timer = None
        self.next_ms = None

    def _due(self, _: Any) -> None:
        self._timer = None
        self.fire("clock")
        # The timer that ran was the only one and the clock stands at the fire `_fires` gave
        # last: the next fire is the iterator's next step, without `arm`'s checks for a
        # pause, a resume or the start (which a fire cannot cause).
        self._arm_next()

    def fire(self, origin: str) -> str:
        """Send one scheduled event to the workload now; returns the event id."""
        sim = self.sim
        now = sim.clock.now
        # `Simulator.new_id`'s commonest case, inlined: every fire draws an id.
        ready = sim.ids_ready
        event_id = ready.pop() if ready else sim.new_id()
        sim.trace.emit(
            (
                now,
                tk.SCHEDULE_FIRED,
                self.owner,
                self.name,
                self.expression,
                event_id,
                origin,
                _FIRED_FIELDS,
            )
        )
        if self._whole_event:
            # The envelope itself is delivered: built only if a handler, a condition or a
            # view reads it (most fires of a long run are decided without it).
            payload: Any = Deferred(
                scheduled_event, event_id, sim.account_id, sim.region, now, self.arn
            )
            sizes = self._envelope_sizes
            if sizes is None:
                envelope = scheduled_event(event_id, sim.account_id, sim.region, now, self.arn)
                sizes = self._envelope_sizes = json_string_sizes(compact_json(envelope))
            payload.json_sizes = sizes
        else:
            envelope = scheduled_event(event_id, sim.account_id, sim.region, now, self.arn)
            payload = self.input.apply(envelope, self.name, self.arn)
        if self._delivery is None:
            self._delivery = workload_delivery(sim, self.owner)
        try:
            self._delivery(payload, "schedule", event_id, None)
        except DeliveryError as exc:
            # A schedule trigger has no onDeliveryFailure in Stacktape: the event is dropped.
            sim.trace.emit(
                (
                    now,
                    tk.EVENT_DELIVERY_FAILED,
                    self.owner,
                    {
                        "event_id": event_id,
                        "rule": self.name,
                        "target": self.owner,
                        "error_code": exc.code,
                        "error": exc.message,
                    },
                )
            )
        return event_id


class ScheduleService:
    """Every scheduled rule of the stack, by owner."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.rules: list[ScheduleRule] = []
        self.by_owner: dict[str, list[ScheduleRule]] = {}
        for workload in sim.stack.of_type(Workload):
            triggers = [t for t in workload.events if isinstance(t, ScheduleTrigger)]
            for n, trig in enumerate(triggers, 1):
                rule = ScheduleRule(sim, workload.name, n, trig)
                self.rules.append(rule)
                self.by_owner.setdefault(workload.name, []).append(rule)
        for rule in self.rules:
            rule.arm()

    @staticmethod
    def split_id(word: str) -> tuple[str, int | None]:
        """(owner, number) named by `word`: a workload's name (no number), or a schedule's
        graph node id `schedule:OWNER:N` as `stptui graph`, the TUI and `show schedules`
        number it. SimError when `word` starts like a node id and is not one."""
        from stptui.sim.engine import SimError

        if not word.startswith(SCHEDULE_NODE_PREFIX):
            return word, None
        owner, sep, number = word[len(SCHEDULE_NODE_PREFIX) :].rpartition(":")
        if not sep or not owner or not number.isascii() or not number.isdigit():
            raise SimError(
                f"{word!r} is not a schedule's id",
                "write schedule:OWNER:N as `show schedules` numbers it (schedule:dailyReport:1)"
                ", or the workload's name alone",
                word=word,
            )
        return owner, int(number)

    def owner_rules(self, owner: str) -> list[ScheduleRule]:
        """The schedules of one function or batch job (SimError when it has none); a
        schedule's node id (`schedule:OWNER:N`) names that one schedule."""
        from stptui.sim.engine import SimError

        owner, number = self.split_id(owner)
        if number is not None:
            return [self.rule(owner, number)]
        rules = self.by_owner.get(owner)
        if rules:
            return rules
        from stptui.config.diagnostics import did_you_mean

        res = self.sim.stack.resources.get(owner)
        with_schedules = sorted(self.by_owner)
        listing = (
            f"workloads with schedules: {', '.join(with_schedules)}"
            if with_schedules
            else "this stack has no schedules"
        )
        if res is not None:
            raise SimError(f"{res.type} {owner!r} has no schedule trigger", listing, word=owner)
        guess = did_you_mean(owner, with_schedules)
        raise SimError(
            f"no function or batch job named {owner!r}",
            f"did you mean {quote_word(guess)}?" if guess else listing,
            word=owner,
        )

    def rule(self, owner: str, number: int | None, verb: str = "fire") -> ScheduleRule:
        """The owner's schedule number `number` (1-based); required when it has several.
        `owner` may be a schedule's node id (`schedule:OWNER:N`), which gives the number;
        `number` must then be None or the same. `verb` is the command asking (fire, pause,
        resume), for the line a hint offers."""
        from stptui.sim.engine import SimError

        word = owner
        owner, named = self.split_id(owner)
        # The word an index out of range was typed as: the node id that gave it, or the index.
        index_word = word if named is not None else str(number)
        if named is not None:
            if number is not None and number != named:
                raise SimError(
                    f"{word} is schedule {named} of {owner}, not schedule {number}",
                    f"{verb} {word}",
                )
            number = named
        rules = self.owner_rules(owner)
        if number is None:
            if len(rules) == 1:
                return rules[0]
            raise SimError(
                f"{owner} has {len(rules)} schedules; say which",
                "; ".join(f"{owner} {r.number}: {r.expression}" for r in rules),
            )
        if not 1 <= number <= len(rules):
            raise SimError(
                f"{owner} has no schedule {number}",
                f"{owner} has one schedule: {verb} {owner}"
                if len(rules) == 1
                else f"its schedules are numbered 1 to {len(rules)}, as the graph's "
                f"{rules[0].node_id} ... are",
                word=index_word,
            )
        return rules[number - 1]

    def fire(self, owner: str, number: int | None = None) -> str:
        """Fire a schedule now (its timer is unchanged); returns the event id."""
        from stptui.sim.engine import SimError

        rule = self.rule(owner, number)
        if rule.schedule is None:
            raise SimError(
                f"{rule.name} never fires: {rule.error}", "fix scheduleRate in the stack"
            )
        return rule.fire("command")

    def set_paused(self, owner: str, number: int | None, paused: bool) -> list[ScheduleRule]:
        """Pause or resume one schedule of `owner` (or all of them when `number` is None
        and `owner` is not a schedule's node id); returns the rules whose state changed."""
        verb = "pause" if paused else "resume"
        if number is None and self.split_id(owner)[1] is None:
            rules = self.owner_rules(owner)
        else:
            rules = [self.rule(owner, number, verb)]
        changed = [r for r in rules if r.paused != paused]
        sim = self.sim
        for rule in changed:
            rule.paused = paused
            rule.arm()
            data: dict[str, Any] = {"rule": rule.name}
            if not paused:
                data["next"] = iso_s(rule.next_ms) if rule.next_ms is not None else None
            sim.trace.emit(
                (
                    sim.clock.now,
                    tk.SCHEDULE_RESUMED if not paused else tk.SCHEDULE_PAUSED,
                    rule.owner,
                    data,
                )
            )
        return changed

    def listing(self) -> list[dict[str, Any]]:
        """One row per schedule for `show schedules`."""
        return [
            {
                "owner": r.owner,
                "number": r.number,
                "id": r.node_id,
                "rule": r.name,
                "expression": r.expression,
                "describe": r.describe,
                "paused": r.paused,
                "next": iso_s(r.next_ms) if r.next_ms is not None else None,
                "input": r.input.kind,
            }
            for r in self.rules
        ]


def wire(sim: Simulator) -> None:
    """Create the scheduled rules and arm their timers."""
    sim.services["schedules"] = ScheduleService(sim)
