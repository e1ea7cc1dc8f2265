"""EventBridge archives and replays of the stack's buses (Stacktape's `archivation`).

Stacktape compiles `archivation: {enabled, retentionDays}` to an `AWS::Events::Archive` with
only `SourceArn` and `RetentionDays`: no event pattern, so the archive takes every event the
bus receives, except replayed ones (AWS's managed rule on the bus matches
`{"replay-name": [{"exists": false}]}`). Only the stack's own buses have one.

An event reaches the archive ARCHIVE_DELAY_MS after the bus received it, and leaves it
`retentionDays` later (never without them). A replay (StartReplay) takes the events in the
archive at its start whose `time` lies in [EventStartTime, EventEndTime), groups them by the
minute of their time, and sends one minute a BATCH_INTERVAL_MS, oldest first, to the bus's
rules (or the rules it names, `Destination.FilterArns`) as new events with a `replay-name`
field. docs/fidelity.md quotes AWS and lists the choices.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean
from stptui.sim import trace as tk
from stptui.sim.clock import MAX_MS, iso_ms, iso_s
from stptui.sim.engine import SimError
from stptui.textsafe import quote_word, typed_names

if TYPE_CHECKING:
    from stptui.sim.clock import Entry
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bus import BusRule, BusService, BusSim

MINUTE_MS = 60_000
DAY_MS = 86_400_000
# "There may be a delay between an event being received on an event bus and the event
# arriving in the archive. We recommend you delay replaying archived events for 10 minutes
# to make sure all events are replayed." A choice: every event takes those 10 minutes.
ARCHIVE_DELAY_MS = 10 * MINUTE_MS
# "A replay processes events to replay based on the time in the event, and replays them on
# one minute intervals." AWS gives no pace; a choice: one minute of events a second.
BATCH_INTERVAL_MS = 1_000
# "You can have a maximum of 10 active concurrent replays per account per AWS Region."
MAX_ACTIVE_REPLAYS = 10
# ReplayName: "Length Constraints: Minimum length of 1. Maximum length of 64. Pattern:
# [\.\-_A-Za-z0-9]+".
MAX_REPLAY_NAME = 64
REPLAY_NAME_PATTERN = r"[\.\-_A-Za-z0-9]+"
_REPLAY_NAME = re.compile(REPLAY_NAME_PATTERN)

STARTING = "STARTING"
RUNNING = "RUNNING"
CANCELLING = "CANCELLING"
COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"
# FAILED is a state AWS documents; nothing in a static stack makes a replay fail.
ACTIVE = (STARTING, RUNNING, CANCELLING)


@dataclass(slots=True)
class ArchivedEvent:
    """One event the bus received: on its way to the archive, or in it."""

    event: dict[str, Any]
    # The event's `time` (whole seconds): what a replay's window is compared with.
    time_ms: int
    size: int
    # When it reaches the archive, and when the retention takes it out (None: never).
    archived_ms: int
    expires_ms: int | None


class Archive:
    """A bus's archive: the events on their way to it, the events in it, its size."""

    def __init__(self, sim: Simulator, bus: BusSim, retention_days: int | None) -> None:
        self.sim = sim
        self.bus = bus
        # The name and ARN `$ResourceParam(bus, 'archiveArn')` gives (and STP_*_ARCHIVE_ARN).
        self.arn = sim.resource_param(bus.key, "archiveArn")
        self.name = self.arn.rsplit("/", 1)[-1]
        self.retention_days = retention_days
        self.pending: deque[ArchivedEvent] = deque()
        self.events: deque[ArchivedEvent] = deque()
        self.size_bytes = 0
        # One timer each for the next arrival and the next expiry: both come in time order.
        self._arrival: Entry | None = None
        self._expiry: Entry | None = None

    def receive(self, event: dict[str, Any], size: int) -> None:
        """Take an event the bus has just received (never a replayed one)."""
        now = self.sim.clock.now
        time_ms = now - now % 1000
        item = ArchivedEvent(event, time_ms, size, now + ARCHIVE_DELAY_MS, None)
        self.pending.append(item)
        if self._arrival is None:
            self._arm_arrival()

    def _arm_arrival(self) -> None:
        head = self.pending[0] if self.pending else None
        self._arrival = (
            None
            if head is None
            else self.sim.clock.at(
                head.archived_ms,
                self._arrive,
                label=("archive", self.bus.key, f"event {head.event['id']} reaches the archive"),
                background=True,
            )
        )

    def _arrive(self, _: Any) -> None:
        sim = self.sim
        now = sim.clock.now
        keep = None if self.retention_days is None else self.retention_days * DAY_MS
        while self.pending and self.pending[0].archived_ms <= now:
            item = self.pending.popleft()
            item.expires_ms = None if keep is None else item.archived_ms + keep
            self.events.append(item)
            self.size_bytes += item.size
            data: dict[str, Any] = {
                "event_id": item.event["id"],
                "archive": self.name,
                "size": item.size,
            }
            if item.expires_ms is not None:
                data["expires"] = iso_ms(item.expires_ms)
            sim.trace.emit((now, tk.EVENT_ARCHIVED, self.bus.key, data))
        self._arm_arrival()
        if keep is not None and self._expiry is None:
            self._arm_expiry()

    def _arm_expiry(self) -> None:
        head = self.events[0] if self.events else None
        if head is None or head.expires_ms is None:
            self._expiry = None
            return
        self._expiry = self.sim.clock.at(
            head.expires_ms,
            self._expire,
            label=("archive", self.bus.key, f"event {head.event['id']} leaves the archive"),
            background=True,
        )

    def _expire(self, _: Any) -> None:
        sim = self.sim
        now = sim.clock.now
        while self.events:
            due = self.events[0].expires_ms
            if due is None or due > now:
                break
            item = self.events.popleft()
            self.size_bytes -= item.size
            data = {"event_id": item.event["id"], "archive": self.name, "size": item.size}
            sim.trace.emit((now, tk.EVENT_ARCHIVE_EXPIRED, self.bus.key, data))
        self._arm_expiry()

    def window(self, start_ms: int, end_ms: int) -> list[ArchivedEvent]:
        """The archived events whose time lies in [start_ms, end_ms), in archive order."""
        return [e for e in self.events if start_ms <= e.time_ms < end_ms]

    def arriving(self, start_ms: int, end_ms: int) -> int:
        """How many events of the window are still on their way to the archive."""
        return sum(1 for e in self.pending if start_ms <= e.time_ms < end_ms)

    def summary(self) -> dict[str, Any]:
        """DescribeArchive's figures (EventCount, SizeBytes, RetentionDays) and more."""
        return {
            "archive": self.name,
            "arn": self.arn,
            "retention_days": self.retention_days or 0,
            "event_count": len(self.events),
            "size_bytes": self.size_bytes,
            "arriving": len(self.pending),
            "oldest": iso_s(self.events[0].time_ms) if self.events else None,
            "newest": iso_s(self.events[-1].time_ms) if self.events else None,
        }


@dataclass(slots=True)
class ReplayPlan:
    """What a StartReplay would do (`ReplayService.check_start`): its name, the archive,
    the window as the whole seconds it acts as, the rules (None: every rule of the bus) and
    the archived events of the window, in archive order."""

    name: str
    archive: Archive
    start_ms: int
    end_ms: int
    rules: list[BusRule] | None
    events: list[ArchivedEvent]

    def batches(self) -> list[list[ArchivedEvent]]:
        """The events by the minute of the window their time falls in (counted from its
        start), oldest minute first: one batch is replayed a BATCH_INTERVAL_MS."""
        minutes: dict[int, list[ArchivedEvent]] = {}
        for item in self.events:
            minutes.setdefault((item.time_ms - self.start_ms) // MINUTE_MS, []).append(item)
        return [minutes[k] for k in sorted(minutes)]

    def arriving(self) -> int:
        """How many events of the window are still on their way to the archive (and so
        would not be replayed)."""
        return self.archive.arriving(self.start_ms, self.end_ms)


@dataclass(slots=True)
class Replay:
    """One replay (StartReplay) and where it has got to (DescribeReplay)."""

    name: str
    arn: str
    archive: Archive
    event_start_ms: int
    event_end_ms: int
    # The rules it goes to (FilterArns), or None for every rule of the bus.
    rules: list[BusRule] | None
    started_ms: int
    batches: deque[list[ArchivedEvent]]
    total: int
    state: str = STARTING
    replayed: int = 0
    last_replayed_ms: int | None = None
    ended_ms: int | None = None
    # StartReplay's Description (a state machine's aws-sdk:eventbridge:startReplay gives one).
    description: str | None = None
    entry: Entry | None = field(default=None, repr=False)

    def next_ms(self) -> int | None:
        """When its next minute of events is replayed (or it ends), None once it has."""
        return None if self.entry is None else self.entry[0]

    def done_ms(self) -> int | None:
        """When it will have replayed its last minute of events, None once it has ended."""
        nxt = self.next_ms()
        return None if nxt is None else nxt + max(0, len(self.batches) - 1) * BATCH_INTERVAL_MS

    def describe(self) -> dict[str, Any]:
        """DescribeReplay's fields, as plain JSON values."""
        rules = self.rules if self.rules is not None else self.archive.bus.rules
        return {
            "replay": self.name,
            "arn": self.arn,
            "bus": self.archive.bus.key,
            "archive": self.archive.name,
            "state": self.state,
            "event_start": iso_s(self.event_start_ms),
            "event_end": iso_s(self.event_end_ms),
            "rules": None if self.rules is None else [r.name for r in self.rules],
            "rule_count": len(rules),
            "events": self.total,
            "replayed": self.replayed,
            "started": iso_ms(self.started_ms),
            "last_replayed": (
                None if self.last_replayed_ms is None else iso_s(self.last_replayed_ms)
            ),
            "ended": None if self.ended_ms is None else iso_ms(self.ended_ms),
        }


class ReplayService:
    """Every replay of the simulation, by name (AWS keeps names unique per account and
    Region, so a name stays taken after its replay ends)."""

    def __init__(self, sim: Simulator, buses: BusService) -> None:
        self.sim = sim
        self.buses = buses
        self.replays: dict[str, Replay] = {}

    # -- StartReplay ---------------------------------------------------------------------

    def check_start(
        self,
        bus_name: str,
        start_ms: int,
        end_ms: int,
        rule_words: list[str] | None = None,
        name: str | None = None,
    ) -> ReplayPlan:
        """What a StartReplay of these arguments would do now, or SimError (with AWS's error
        code) as EventBridge would refuse it; changes nothing. `replay` makes this check
        before `begin`, and the replay dialog makes it as the request is typed."""
        bus = self.buses.bus(bus_name)
        archive = bus.archive
        if archive is None:
            raise SimError(
                f"{bus.key} has no archive: ValidationException: Parameter EventSourceArn is "
                f"not valid. Reason: Archive {bus.name}-archive does not exist.",
                _no_archive_hint(bus, self.buses),
            )
        if name is None:
            name = self._next_name(bus.key)
        _check_name(name)
        if not start_ms < end_ms:
            raise SimError(
                "ValidationException: Parameter EventEndTime is not valid. Reason: "
                "EventStartTime must be before EventEndTime.",
                f"--from ({iso_s(start_ms)}) must be earlier than --to ({iso_s(end_ms)})",
            )
        start_ms, end_ms = _whole_second(start_ms), _whole_second(end_ms)
        rules = None if rule_words is None else self._rules(bus, rule_words)
        if name in self.replays:
            raise SimError(
                f"ResourceAlreadyExistsException: Replay {name} already exists.",
                "a replay's name stays taken after it ends; give another --name "
                "(`show replays` lists the names used)",
            )
        active = [r for r in self.replays.values() if r.state in ACTIVE]
        if len(active) >= MAX_ACTIVE_REPLAYS:
            raise SimError(
                f"LimitExceededException: {len(active)} replays are active; EventBridge allows "
                f"at most {MAX_ACTIVE_REPLAYS} at once",
                "let one finish (`run`) or cancel one: cancel-replay " + active[0].name,
            )
        return ReplayPlan(name, archive, start_ms, end_ms, rules, archive.window(start_ms, end_ms))

    def begin(self, plan: ReplayPlan) -> Replay:
        """StartReplay: start the replay `plan` describes, a `check_start` made at this
        instant with nothing run in between (the command makes both in one step)."""
        archive, name, events = plan.archive, plan.name, plan.events
        start_ms, end_ms, rules = plan.start_ms, plan.end_ms, plan.rules
        now = self.sim.clock.now
        arn = f"arn:aws:events:{self.sim.region}:{self.sim.account_id}:replay/{name}"
        replay = Replay(
            name,
            arn,
            archive,
            start_ms,
            end_ms,
            rules,
            now,
            deque(plan.batches()),
            len(events),
        )
        self.replays[name] = replay
        data: dict[str, Any] = {
            "replay": name,
            "archive": archive.name,
            "event_start": iso_s(start_ms),
            "event_end": iso_s(end_ms),
            "rules": None if rules is None else [r.name for r in rules],
            "events": len(events),
        }
        self.sim.trace.emit((now, tk.REPLAY_STARTED, archive.bus.key, data))
        self._schedule(replay, now + BATCH_INTERVAL_MS)
        return replay

    def _next_name(self, bus_key: str) -> str:
        n = 1
        while f"{bus_key}-replay-{n}" in self.replays:
            n += 1
        return f"{bus_key}-replay-{n}"[-MAX_REPLAY_NAME:]

    def _rules(self, bus: BusSim, words: list[str]) -> list[BusRule]:
        """The bus's rules that `words` name (rule names or ARNs), in the bus's order."""
        chosen: set[int] = set()
        for word in words:
            found = next(
                (i for i, r in enumerate(bus.rules) if word in (r.name, r.arn)),
                None,
            )
            if found is None:
                raise _unknown_rule(bus, self.buses, word)
            chosen.add(found)
        return [r for i, r in enumerate(bus.rules) if i in chosen]

    def _schedule(self, replay: Replay, at: int) -> None:
        replay.entry = self.sim.clock.at(
            at, self._batch, replay, ("replay", replay.archive.bus.key, _agenda_words)
        )

    # -- the batches ---------------------------------------------------------------------

    def _batch(self, replay: Replay) -> None:
        sim = self.sim
        now = sim.clock.now
        bus = replay.archive.bus
        replay.entry = None
        if replay.state == CANCELLING:
            replay.state = CANCELLED
            replay.ended_ms = now
            data = {"replay": replay.name, "replayed": replay.replayed, "events": replay.total}
            sim.trace.emit((now, tk.REPLAY_CANCELLED, bus.key, data))
            return
        replay.state = RUNNING
        if replay.batches:
            rules = replay.rules if replay.rules is not None else bus.rules
            for item in replay.batches.popleft():
                self._replay_event(replay, item, rules)
        if replay.batches:
            self._schedule(replay, now + BATCH_INTERVAL_MS)
            return
        replay.state = COMPLETED
        replay.ended_ms = now
        data = {
            "replay": replay.name,
            "replayed": replay.replayed,
            "last_replayed": (
                None if replay.last_replayed_ms is None else iso_s(replay.last_replayed_ms)
            ),
        }
        sim.trace.emit((now, tk.REPLAY_COMPLETED, bus.key, data))

    def _replay_event(self, replay: Replay, item: ArchivedEvent, rules: list[BusRule]) -> None:
        """Put one archived event on the bus again, to the replay's rules: a new event with
        the original's fields and time, and `replay-name` where AWS's envelope has it."""
        original = item.event
        event = {
            "version": original["version"],
            "id": self.sim.new_id(),
            "detail-type": original["detail-type"],
            "source": original["source"],
            "account": original["account"],
            "time": original["time"],
            "region": original["region"],
            "replay-name": replay.name,
            "resources": original["resources"],
            "detail": original["detail"],
        }
        replay.replayed += 1
        replay.last_replayed_ms = item.time_ms
        extra = {"replay": replay.name, "replay_of": original["id"]}
        self.buses.route(replay.archive.bus, event, f"replay:{replay.name}", rules, extra)

    # -- CancelReplay --------------------------------------------------------------------

    def cancel(self, name: str) -> Replay:
        """Cancel a STARTING or RUNNING replay: it is CANCELLING until its next batch would
        have been replayed, and CANCELLED then. Raises SimError and changes nothing when
        EventBridge would refuse."""
        replay = self.replays.get(name)
        if replay is None:
            guess = did_you_mean(name, self.replays)
            raise SimError(
                f"ResourceNotFoundException: Replay {name} does not exist.",
                f"did you mean {quote_word(guess)}?" if guess else _replay_names(self.replays),
            )
        if replay.state not in (STARTING, RUNNING):
            raise SimError(
                f"IllegalStatusException: replay {name} is {replay.state}; a replay can be "
                "canceled only when the state is Running or Starting.",
                "`show replays` gives each replay's state",
            )
        replay.state = CANCELLING
        data = {"replay": name, "replayed": replay.replayed, "events": replay.total}
        self.sim.trace.emit(
            (self.sim.clock.now, tk.REPLAY_CANCELLING, replay.archive.bus.key, data)
        )
        return replay

    def listing(self, bus_key: str | None = None) -> list[dict[str, Any]]:
        """Each replay (of `bus_key`'s archive, when given), in the order they started."""
        return [
            r.describe()
            for r in self.replays.values()
            if bus_key is None or r.archive.bus.key == bus_key
        ]


def _whole_second(ms: int) -> int:
    """A window's bound as the whole second it acts as: an event's time is whole seconds, so
    a bound inside a second takes the same events as the next whole second, and the replay
    then shows its window exactly (the calendar's last second keeps its bound as given)."""
    up = -(-ms // 1000) * 1000
    return up if up <= MAX_MS else ms


def _agenda_words(replay: Replay) -> str:
    """What a replay's next entry does, in the agenda's words."""
    if replay.state == CANCELLING:
        return f"replay {replay.name} is cancelled"
    if not replay.batches:
        return f"replay {replay.name} completes (no events)"
    batch = replay.batches[0]
    minute = iso_s(batch[0].time_ms - batch[0].time_ms % MINUTE_MS)[:-4]
    n = len(batch)
    return f"replay {replay.name} replays {n} event{'s' * (n != 1)} of {minute}"


def _check_name(name: str) -> None:
    """Refuse a replay name EventBridge would refuse, with AWS's validation message."""
    if len(name) > MAX_REPLAY_NAME:
        raise SimError(
            f"ValidationException: 1 validation error detected: Value '{name[:80]}' at "
            "'replayName' failed to satisfy constraint: Member must have length less than or "
            f"equal to {MAX_REPLAY_NAME}",
            f"a replay name is 1 to {MAX_REPLAY_NAME} characters",
        )
    if not _REPLAY_NAME.fullmatch(name):
        raise SimError(
            f"ValidationException: 1 validation error detected: Value {name!r} at "
            "'replayName' failed to satisfy constraint: Member must satisfy regular "
            f"expression pattern: {REPLAY_NAME_PATTERN}",
            "use letters, digits, '.', '-' and '_' only, e.g. --name fix-orders-1",
            word=name,
        )


def _no_archive_hint(bus: BusSim, buses: BusService) -> str:
    archived = sorted(b.key for b in buses.buses.values() if b.archive is not None)
    if bus.external:
        where = "a bus outside the stack has no archive in the simulation"
    elif bus.account_default:
        where = "Stacktape archives only the stack's own event-bus resources, not the default bus"
    else:
        where = f"give {bus.key} `archivation: {{enabled: true}}` in stacktape.yml"
    return f"{where}; buses with an archive: {', '.join(archived) or '(none)'}"


def _unknown_rule(bus: BusSim, buses: BusService, word: str) -> SimError:
    """The refusal of a --rules word that names no rule of `bus`: a rule of another bus, a
    workload whose rule it probably meant, or a did-you-mean."""
    for other in buses.buses.values():
        if other is bus:
            continue
        for rule in other.rules:
            if word in (rule.name, rule.arn):
                return SimError(
                    f"rule {rule.name} is on bus {other.key}, not {bus.key}: a replay goes only "
                    "to rules of the bus its archive belongs to",
                    f"the rules of {bus.key}: {_rule_names(bus)}",
                )
    owned = [r for r in bus.rules if r.owner == word]
    if owned:
        return SimError(
            f"no rule of {bus.key} is named {word!r}: that is the rules' target",
            f"give its rule's name or ARN: --rules {','.join(r.name for r in owned)}",
        )
    guess = did_you_mean(word, [r.name for r in bus.rules])
    return SimError(
        f"no rule of {bus.key} is named {word!r}",
        f"did you mean {quote_word(guess)}?"
        if guess
        else f"the rules of {bus.key}: {_rule_names(bus)}",
    )


def _rule_names(bus: BusSim) -> str:
    return typed_names(r.name for r in bus.rules) or "(none)"


def _replay_names(replays: dict[str, Replay]) -> str:
    if not replays:
        return "no replay has been started"
    return "replays: " + typed_names(replays)
