"""Where each id, literal and message of a trace's ring is (`TraceIndex`), and which fields
carry ids: what `explain`, `show message` and `expect count FIELD=ID` read an item's own
records by, instead of scanning the whole ring."""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any, Generic, TypeVar

from stptui.sim.clock import fewer_collections
from stptui.sim.payloads import Deferred, resolve
from stptui.sim.trace import Record, Trace

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Fields that carry ids without the `_id` suffix: Kinesis sequence numbers (one, or a batch),
# the CloudWatch Logs events a subscription delivered, the Kafka records of a batch,
# a Step Functions execution's ARN (its name, given by the caller, need not be a UUID), and
# what fed the datapoints an alarm's state change was decided on (API Gateway's request
# ids are no UUIDs): a stimulus's chain ends with the alarm transitions it caused.
ID_FIELDS = (
    "sequence_number",
    "sequence_numbers",
    "execution_arn",
    "log_event_ids",
    "record_ids",
    "cause_ids",
)
# The kinds of the records of an S3 object (on its bucket, with its `key`).
OBJECT_KINDS = ("object.", "notification.", "lifecycle.", "restore.", "multipart.")


def id_field(name: str) -> bool:
    """Whether a field's whole value is an id (`*_id` and ID_FIELDS)."""
    return name.endswith("_id") or name in ID_FIELDS


def ids_in(name: str, value: Any) -> Iterable[str]:
    """The ids a field carries: any UUID inside its text, and the whole value of an `*_id`
    field (API Gateway request ids and S3 request ids are not UUIDs)."""
    if isinstance(value, str):
        if id_field(name) and value:
            yield value
        yield from _ID.findall(value)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in(name, item)


# Which fields hold an object key or another literal `explain` takes (a route path, a user
# pool's username, a user's email or phone number, a Kinesis record's partition key: the
# key its producer chose, which names every record put with it, as a Kafka record's `key`).
LITERAL_FIELDS = ("key", "path", "username", "alias", "partition_key")
# The fields that name the messages a record is about, for `show message`.
MESSAGE_FIELDS = ("message_id", "new_message_id", "message_ids")

V = TypeVar("V")

# How many dicts a large table of the index is split into (`SplitTable`), and how many
# values of a key's hash are shared out among them.
PARTS = 16
SLOT_BITS = 10
SLOTS = 1 << SLOT_BITS


def _staggered(parts: int, slots: int) -> tuple[int, ...]:
    """The part each of `slots` hash values goes to: part i takes a share proportional to
    2^(i/parts), so that the parts' sizes are spread evenly over an octave."""
    shares = [2 ** (i / parts) for i in range(parts)]
    scale = slots / sum(shares)
    counts = [round(share * scale) for share in shares]
    counts[-1] += slots - sum(counts)
    return tuple(part for part, count in enumerate(counts) for _ in range(count))


_PICK = _staggered(PARTS, SLOTS)
# A key's slot in `SplitTable.pick` is the top bits of its hash, hash >> _SHIFT, from
# -SLOTS/2 to SLOTS/2 - 1 (a tuple takes both signs). Not the low bits: a dict places a key
# by those, and a part's keys would share them, crowded into a sixteenth of its places
# (measured: a record indexed 10-30% slower than with one dict).
_SHIFT = sys.hash_info.width - SLOT_BITS


class SplitTable(Generic[V]):
    """A dict kept as PARTS dicts, a key's part chosen by its hash (a str caches its hash,
    which the part's lookup then reuses): Python grows a dict by copying it whole, a stall
    of some 50-60 ms at a million keys in the middle of a warming step, where a part holds
    a tenth of them at most. The parts are of staggered sizes (`_staggered`): parts of one
    size would pass the size at which a dict grows together, in the same step. Reads say
    what one dict would say; `values` and `items` go part by part, in no order a
    caller may rely on. The index's loops pick the part themselves (`pick`, _SHIFT)."""

    __slots__ = ("parts", "pick")

    def __init__(self) -> None:
        self.parts: tuple[dict[Any, V], ...] = tuple({} for _ in range(PARTS))
        # The part of each value of a key's hash >> _SHIFT.
        self.pick: tuple[dict[Any, V], ...] = tuple(self.parts[i] for i in _PICK)

    def get(self, key: Any, default: Any = None) -> Any:
        """The value of `key`, else `default`."""
        return self.pick[hash(key) >> _SHIFT].get(key, default)

    def __len__(self) -> int:
        return sum(map(len, self.parts))

    def values(self) -> Iterator[V]:
        """Every value, part by part."""
        return chain.from_iterable(part.values() for part in self.parts)

    def items(self) -> Iterator[tuple[Any, V]]:
        """Every (key, value), part by part."""
        return chain.from_iterable(part.items() for part in self.parts)

    def __eq__(self, other: object) -> bool:
        # Keys go to the same part in both (one process, one hash): equal parts, equal
        # tables, without building either as one dict.
        if isinstance(other, SplitTable):
            return self.parts == other.parts
        return NotImplemented

    def __repr__(self) -> str:
        return f"SplitTable({dict(self.items())!r})"


class TraceIndex:
    """Where each id, literal and message of a trace's ring is: sequence numbers of the
    records that carry it, so that `explain` and `show message` read an item's own records
    and not the whole ring (100,000 records: a third of a second or more, on the UI's
    thread).

    Kept up to date when read, not when the trace settles: the simulator's hot path pays
    nothing, and a read pays once for the records emitted since the one before (unless a
    UI brought it up to date between frames, `warm`). Sequence
    numbers of records the ring has dropped are passed over when read and pruned once the
    ring has turned over; a rebuilt simulation (undo, reload, load) has a new trace and so
    a new index."""

    def __init__(self, trace: Trace) -> None:
        self._ring = trace.records
        # Its `seq` counts the records emitted and not yet settled into the ring (`behind`).
        self._trace = trace
        # The sequence number of the newest record indexed for `explain` and for `show
        # message`: each is brought up to date by its own reads, the second's far cheaper.
        self._upto = 0
        self._upto_messages = 0
        self._pruned = 1  # the ring's first sequence number at the last prune
        # Every id a record carries (`ids_in`, any field), as `explain` links records. The
        # tables with a key per id or message (a million after a long run) are split.
        self._ids: SplitTable[list[int]] = SplitTable()
        # String values of LITERAL_FIELDS (an object key each: as many as the objects),
        # and (bucket, key) of an object's records.
        self._literals: SplitTable[list[int]] = SplitTable()
        self._objects: dict[tuple[str, str], list[int]] = {}
        # String values of `source`: what wrote a record (an execution, MACHINE:NAME).
        self._sources: dict[str, list[int]] = {}
        # The records of each message as `show message` lists them (its `message_id`,
        # `new_message_id` or one of its `message_ids`), and the newest record that names
        # it in the first two, which make a message id `show message` takes.
        self._messages: SplitTable[list[int]] = SplitTable()
        self._named: SplitTable[int] = SplitTable()
        # Where the message fields are among a packed record's values, by its names.
        self._places: dict[tuple[str, ...], tuple[int, ...]] = {}

    def _new(self, upto: int, most: int | None = None) -> tuple[int, list[tuple[Any, ...]]]:
        """The records emitted since `upto` that the ring still holds (the oldest `most` of
        them, when given), and the sequence number of the first; prunes what the ring
        dropped once it has turned over since the last prune."""
        ring = self._ring
        ring.settle()
        raw = ring.raw
        total = ring.total
        first = total - len(raw) + 1
        if first - self._pruned >= max(len(raw), 1):
            self._prune(first)
        start = max(upto + 1, first)
        count = total - start + 1
        if most is not None:
            count = min(count, most)
        if count <= 0:
            return total + 1, []
        # From the nearer end: a deque is slow to index far from its ends (islice walks
        # to its start at C speed).
        offset = start - first
        after = len(raw) - offset - count
        if offset <= after:
            return start, list(islice(raw, offset, offset + count))
        taken = list(islice(reversed(raw), after, after + count))
        taken.reverse()
        return start, taken

    def _catch_up(self, most: int | None = None) -> int:
        """Index the records emitted since the last read for `explain` (the oldest `most`
        of them, when given); returns how many it indexed."""
        first, taken = self._new(self._upto, most)
        self._upto = first + len(taken) - 1
        if taken:
            # A long run's records make a list per id: the collector would rescan them.
            with fewer_collections():
                self._index_ids(first, taken)
        return len(taken)

    def _index_ids(self, first: int, taken: list[tuple[Any, ...]]) -> None:
        ids, literals = self._ids.pick, self._literals.pick
        objects, sources = self._objects, self._sources
        for seq, raw in enumerate(taken, first):
            # The fields as a Record has them, without making one (a packed instant, an
            # EndsAtInstant's last value, stays a number: it carries no id, nor its text).
            if len(raw) == 4:
                data = raw[3]
            else:
                data = dict(zip(raw[-1], raw[3:], strict=False))
                if Deferred in map(type, raw):
                    data = {k: resolve(v) for k, v in data.items()}
            carried: list[str] = []
            for name, value in data.items():
                if type(value) is str:
                    # `ids_in` of a string, inline: this loop reads every record once.
                    if value and (name.endswith("_id") or name in ID_FIELDS):
                        carried.append(value)
                    if "-" in value:  # a UUID has dashes
                        carried.extend(_ID.findall(value))
                elif type(value) not in _NO_IDS:
                    carried.extend(ids_in(name, value))
            for ident in carried:
                seqs = ids[hash(ident) >> _SHIFT].setdefault(ident, [])
                if not seqs or seqs[-1] != seq:  # once, however many fields carry it
                    seqs.append(seq)
            if not data.keys().isdisjoint(LITERAL_FIELDS):
                values = {v for f in LITERAL_FIELDS if isinstance(v := data.get(f), str)}
                for value in values:
                    literals[hash(value) >> _SHIFT].setdefault(value, []).append(seq)
            if isinstance(source := data.get("source"), str):
                sources.setdefault(source, []).append(seq)
            key = data.get("key")
            if isinstance(key, str) and raw[1].startswith(OBJECT_KINDS):
                objects.setdefault((raw[2], key), []).append(seq)

    def _catch_up_messages(self, most: int | None = None) -> int:
        """Index the records emitted since the last read for `show message` (the oldest
        `most` of them, when given): only their message fields are read, from the raw
        tuple, without making a Record. Returns how many it indexed."""
        first, taken = self._new(self._upto_messages, most)
        self._upto_messages = first + len(taken) - 1
        if taken:
            with fewer_collections():
                self._index_messages(first, taken)
        return len(taken)

    @property
    def behind(self) -> int:
        """How many of the trace's records a read would index first (both parts)."""
        total = self._trace.seq
        return 2 * total - self._upto - self._upto_messages

    def warm(self, most: int) -> bool:
        """Index at most `most` of the records not yet indexed, oldest first, the part
        `show message` reads first (it is the cheaper): a UI brings the index up to date
        in small steps between frames, so that the first look after a long run does not
        pay for the whole run at once. What reads find is the same either way. Returns
        whether both parts are up to date."""
        done = self._catch_up_messages(most)
        if done < most:
            self._catch_up(most - done)
        return self.behind == 0

    def _index_messages(self, first: int, taken: list[tuple[Any, ...]]) -> None:
        messages, named, places = self._messages.pick, self._named.pick, self._places
        for seq, raw in enumerate(taken, first):
            if len(raw) == 4:  # (t, kind, resource, fields): its fields are a dict
                data = raw[3]
                mid = data.get("message_id")
                new = data.get("new_message_id")
                batch = data.get("message_ids")
            else:  # packed: (t, kind, resource, *values, names)
                at = places.get(raw[-1])
                if at is None:
                    at = places[raw[-1]] = _message_places(raw[-1])
                if not at:
                    continue
                mid, new, batch = (resolve(raw[i]) if i else None for i in at)
            if isinstance(mid, str):
                part = hash(mid) >> _SHIFT
                named[part][mid] = seq
                messages[part].setdefault(mid, []).append(seq)
            if isinstance(new, str) and new != mid:
                part = hash(new) >> _SHIFT
                named[part][new] = seq
                messages[part].setdefault(new, []).append(seq)
            if batch and isinstance(batch, list | tuple):
                for one in batch:
                    if isinstance(one, str) and one != mid and one != new:
                        seqs = messages[hash(one) >> _SHIFT].setdefault(one, [])
                        if not seqs or seqs[-1] != seq:  # once, if the batch names it twice
                            seqs.append(seq)

    def _prune(self, first: int) -> None:
        """Forget the records before `first`, which the ring no longer holds."""
        tables: tuple[dict[Any, list[int]], ...] = (
            *self._ids.parts,
            *self._literals.parts,
            self._objects,
            self._sources,
            *self._messages.parts,
        )
        for table in tables:
            gone = []
            for name, seqs in table.items():
                if seqs[-1] < first:
                    gone.append(name)
                elif seqs[0] < first:
                    del seqs[: bisect_left(seqs, first)]
            for name in gone:
                del table[name]
        for named in self._named.parts:
            for mid in [mid for mid, seq in named.items() if seq < first]:
                del named[mid]
        self._pruned = first

    @property
    def _first(self) -> int:
        return self._ring.total - len(self._ring.raw) + 1

    @staticmethod
    def _live(seqs: list[int] | None, first: int) -> list[int]:
        if not seqs:
            return []
        return seqs if seqs[0] >= first else seqs[bisect_left(seqs, first) :]

    def of_id(self, ident: str) -> list[int]:
        """The sequence numbers of the records that carry `ident`, oldest first."""
        self._catch_up()
        return self._live(self._ids.get(ident), self._first)

    def ids(self) -> list[str]:
        """Every id the ring's records carry, in no particular order."""
        self._catch_up()
        first = self._first
        return [ident for ident, seqs in self._ids.items() if seqs[-1] >= first]

    def literal_seeds(self, key: str) -> list[int]:
        """The records of an object key (or any other literal value, such as a route path
        or a user pool's username), else of `BUCKET/KEY`: the object key as `upload`,
        `restore` and the bucket's records name it, after its bucket."""
        self._catch_up()
        first = self._first
        seeds = self._live(self._literals.get(key), first)
        bucket, _, object_key = key.partition("/")
        if seeds or not bucket or not object_key:
            return seeds
        # Every record of an object is on its bucket (the resource) and has its `key`;
        # other records with a `key` (a Kafka record's, a table item's) are not an object's.
        return self._live(self._objects.get((bucket, object_key)), first)

    def sourced(self, source: str) -> list[Record]:
        """The records whose `source` is `source` (an execution's MACHINE:NAME), oldest
        first."""
        self._catch_up()
        return self.records(self._live(self._sources.get(source), self._first))

    def message_records(self, mid: str) -> list[Record]:
        """The records that name message `mid` in `message_id`, `new_message_id` or
        `message_ids`, oldest first."""
        self._catch_up_messages()
        return self.records(self._live(self._messages.get(mid), self._first))

    def named_message(self, mid: str) -> bool:
        """Whether a record in the ring names `mid` as its `message_id` or
        `new_message_id`."""
        self._catch_up_messages()
        return self._named.get(mid, 0) >= self._first

    def named_messages(self) -> list[str]:
        """Every message id the ring's records name as `message_id` or `new_message_id`, in
        no particular order."""
        self._catch_up_messages()
        first = self._first
        return [mid for mid, seq in self._named.items() if seq >= first]

    def record(self, seq: int) -> Record:
        """The record numbered `seq`, which the ring holds."""
        return Record(seq, *self._ring.raw[seq - self._first])

    def indexes(self, trace: Trace) -> bool:
        """Whether this is the index of `trace`'s ring (a rebuilt simulation has another)."""
        return self._ring is trace.records

    def records(self, seqs: Iterable[int]) -> list[Record]:
        """The records numbered `seqs`, which the ring holds."""
        raw, first = self._ring.raw, self._first
        return [Record(seq, *raw[seq - first]) for seq in seqs]


# Types of field values that carry no id (`ids_in` reads strings and lists).
_NO_IDS = frozenset({int, float, bool, dict, type(None)})


def _message_places(names: tuple[str, ...]) -> tuple[int, ...]:
    """Where MESSAGE_FIELDS are in a packed record of fields `names` (0: not there), or
    nothing when it has none of them."""
    at = tuple(names.index(f) + 3 if f in names else 0 for f in MESSAGE_FIELDS)
    return at if any(at) else ()


def trace_index(trace: Trace) -> TraceIndex:
    """The index of `trace`'s ring (see TraceIndex), made by the first read that needs it
    and kept on the trace, so that it goes with its trace."""
    index = trace.index
    if not isinstance(index, TraceIndex) or not index.indexes(trace):
        index = trace.index = TraceIndex(trace)
    return index
