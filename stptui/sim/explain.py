"""`explain`: the causal chain from a stimulus to every effect, read from the trace.

Records are linked by the ids they carry (message, event, invocation, execution and request
ids, Kinesis sequence numbers and execution ARNs, in any field, in lists, and in `source`
fields such as `worker:<invocation id>`). A list of ids (a batch) leads from each of its
members to the record, never back out to the other members; only the records of the id
asked about lead out through their lists (an invocation's batch is its input), unless the id
is in the list.
Starting from the id or object key (`KEY` or `BUCKET/KEY`) asked about, the chain is every
record reachable through shared ids. A prefix of an id names that id only when no other id
starts with it: a prefix that several ids share gives no chain, but the ids it could mean.
Records that say why something did NOT happen (an unmatched rule, a skipped or filtered
notification) are part of the chain like any other, with their reasons.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from stptui.sim import trace as tk
from stptui.sim.behavior.durations import format_duration
from stptui.sim.behavior.outcome import TIMEOUT_ERROR
from stptui.sim.clock import iso_ms
from stptui.sim.logs import INIT_TIMEOUT
from stptui.sim.trace import KINDS, Record, Trace, format_value
from stptui.sim.trace_index import (
    TraceIndex,
    id_field,
    ids_in,
    trace_index,
)
from stptui.textsafe import one_line

# The fields whose value `explain` best follows from a record, in order of preference: what
# the Events pane's `e` and `explain repeat-N` offer to explain next. The last ones name
# what records without a stimulus's id are about: a log event (`log`, a subscription's
# verdict), a WebSocket connection (a post to it), a user (by the email or phone number
# the user pool's commands take), what a log subscription delivered.
FOLLOW_FIELDS = (
    "message_id",
    "event_id",
    "invocation_id",
    "execution_id",
    "request_id",
    "sequence_number",
    "record_id",
    "log_event_id",
    "key",
    "execution_arn",
    "connection_id",
    "alias",
    "delivered_id",
)
# Kinds that record a decision not to act, and the fields that say why.
WHY_NOT_FIELDS = ("reason", "explanation", "why")
# A shorter start of an id is no id prefix: too many ids would start with it.
MIN_PREFIX = 4
# How much of each id a list of ids shows at least (the REPL's short ids are 8 long).
SHORT_ID = 8
# How long a field's value in a one-line summary may be: a longer object or list shows as
# `...`, a longer string (a log line can be 1 MB) as its start and how much was left out.
SUMMARY_WIDTH = 80
# Strings a summary keeps whole however long: what went wrong (an error and its message or
# cause, whose end often says where or why: a behaviours file's line, an IAM denial), which
# the simulator bounds (one log event, docs/fidelity.md "Error messages"); and the reasons.
WHOLE_FIELDS = ("error", "error_message", "cause", *WHY_NOT_FIELDS)
# The kind column fits the longest kind the trace has, so every chain lines up the same way.
KIND_WIDTH = max(map(len, KINDS))


@dataclass
class Chain:
    """The records causally linked to what was asked about, oldest first."""

    key: str
    records: list[Record] = field(default_factory=list)
    truncated: bool = False  # the ring no longer holds the oldest records
    # The ids the key is the start of, when it is the start of several (records is empty).
    candidates: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """Whether anything in the trace mentions the key."""
        return bool(self.records)

    def lines(self) -> list[str]:
        """Plain text, one line per record (plus indented reasons), for any view."""
        out: list[str] = []
        width = max((len(rec.resource) for rec in self.records), default=0)
        for rec in self.records:
            out.append(
                f"{iso_ms(rec.t)}  {rec.kind:<{KIND_WIDTH}}  {rec.resource:<{width}}  "
                f"{summary(rec)}".rstrip()
            )
            out.extend(why_lines(rec))
        if self.truncated:
            out.append("(older records have left the trace ring; the chain may start earlier)")
        return out


# What `dead_letter_why` says of an invocation that reported the message as failed.
_REPORTED = "reported it as failed in its response's batchItemFailures"
# How much of an error `dead_letter_why` quotes: a declared failure's message names its
# message id, which a cut at SUMMARY_WIDTH would split.
WHY_WIDTH = 2 * SUMMARY_WIDTH


def dead_letter_why(records: list[Record], key: str) -> str | None:
    """Why the message `key` names (its id, or the start of it) was moved to a dead-letter
    queue, in one line, from its chain's `records`, or None when it was not: its receives,
    the function whose invocations failed them (or reported it in `batchItemFailures`), or
    the worker service whose code did, with each distinct error, and the size of its
    batches when it shared them with a failing invocation (a batch-mate's failure returned
    it too)."""
    dead = next(
        (
            r
            for r in reversed(records)
            if r.kind == tk.MESSAGE_DEAD_LETTERED and str(r.get("message_id")).startswith(key)
        ),
        None,
    )
    if dead is None:
        return None
    mid, queue = dead.get("message_id"), dead.resource
    head = f"why: moved to {dead.get('target')} after {dead.get('receive_count')} receives"
    failed = _failures(records, mid, queue)
    if not failed:
        return f"{head}; no invocation failed it (each receive ended without a delete)"
    return f"{head}; {_failed_text(failed, dead.get('receive_count'))}"


def retry_why(records: list[Record], message_id: str, queue: str, receives: int, until: str) -> str:
    """Why the message `message_id` is still in `queue`, a queue with no dead-letter queue,
    after `receives` receives, in one line, from its chain's `records`: the invocations or
    the worker that failed it, as `dead_letter_why` says them, and `until`, the instant its
    retention ends, when SQS deletes it if no consumer has."""
    failed = _failures(records, message_id, queue)
    done = _failed_text(failed, receives) if failed else "no invocation failed it"
    return (
        f"why: in {queue} after {receives} receives; {done}; {queue} has no dead-letter "
        f"queue, so it is received again until a consumer deletes it or its retention ends "
        f"at {until}"
    )


def _failures(records: list[Record], mid: Any, queue: str) -> list[tuple[str, str, int]]:
    """The receives of message `mid` from `queue` that failed, in time order: (the function
    or worker, what it failed with, the size of the batch it was in)."""
    # The invocations that received it from that queue: function and batch size.
    batches: dict[str, tuple[str, int]] = {}
    for r in records:
        ids = r.get("message_ids")
        if r.kind == tk.INVOCATION_STARTED and r.get("queue") == queue and mid in (ids or ()):
            batches[r.get("invocation_id")] = (r.resource, len(ids))
    failed: list[tuple[str, str, int]] = []  # (consumer, what, batch size), in time order
    for r in records:
        if (
            r.kind == tk.CONTAINER_MESSAGE_FAILED
            and r.get("message_id") == mid
            and r.get("queue") == queue
        ):
            # A worker service's code polls one message at a time (docs/behaviors.md).
            what = f"{r.get('error')}: {r.get('error_message')}"
            failed.append((r.resource, cut(one_line(what), WHY_WIDTH), 1))
            continue
        inv = batches.get(r.get("invocation_id"))
        if inv is None:
            continue
        if r.kind == tk.INVOCATION_FAILED:
            what = f"{r.get('error')}: {r.get('error_message')}"
        elif r.kind == tk.INVOCATION_SUCCEEDED and mid in (r.get("batch_item_failures") or ()):
            what = _REPORTED
        else:
            continue
        failed.append((inv[0], cut(one_line(what), WHY_WIDTH), inv[1]))
    return failed


def _failed_text(failed: list[tuple[str, str, int]], receives: Any) -> str:
    """Who failed a message's receives and with what, and the batch it shared with a
    failing invocation: `worker failed each: PaymentDeclined: ...`, or `worker reported
    it as failed in its response's batchItemFailures on each receive`."""
    by_function: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    reported: dict[str, int] = {}
    for fn, what, _ in failed:
        whats = by_function.setdefault(fn, [])
        if what == _REPORTED:
            reported[fn] = reported.get(fn, 0) + 1
            continue
        counts[fn] = counts.get(fn, 0) + 1
        if what not in whats:
            whats.append(what)
    parts = []
    for fn, whats in by_function.items():
        if fn in counts:
            n = counts[fn]
            parts.append(
                f"{fn} failed {'each' if n == receives else f'{n} of them'}: " + "; ".join(whats)
            )
        if fn in reported:
            # The invocation succeeded: its partial batch response named the message.
            n = reported[fn]
            on = "each receive" if n == receives else f"{n} of the {receives} receives"
            parts.append(f"{fn} {_REPORTED} on {on}")
    # Only a failed invocation returns the whole batch; a reported message returns alone.
    largest = max((size for _, what, size in failed if what != _REPORTED), default=1)
    shared = (
        f" (in a batch of {largest} messages: a failed invocation returns its whole batch, "
        "unless the function reports batchItemFailures)"
        if largest > 1
        else ""
    )
    return f"{'; '.join(parts)}{shared}"


# How many rules (or subscriptions) an `unmatched_why` line names before it counts the rest.
WHY_RULES = 3
# What `unmatched_why` reads of a bus event and of an SNS message: the record of its
# publication, the field counting what took it, the record of each that did not, the id
# they share, and what the line calls the message and each taker.
_UNMATCHED = (
    (tk.EVENT_PUBLISHED, "rules_matched", tk.EVENT_UNMATCHED, "event_id", "event", "rule"),
    (
        tk.TOPIC_PUBLISHED,
        "subscriptions_matched",
        tk.NOTIFICATION_FILTERED,
        "message_id",
        "message",
        "subscription",
    ),
)


def unmatched_why(records: list[Record]) -> str | None:
    """Why the bus event or SNS message of a chain reached no target, in one line, from the
    chain's `records`, or None when one of the chain's events matched a rule or one of its
    messages was delivered: the event (its source and detail-type) or message, who published
    it where, and each rule or subscription with the conditions of its pattern or filter
    policy that it failed (from the `event.unmatched` or `notification.filtered` records), or
    that the bus or topic has none."""
    if any(r.kind in (tk.EVENT_MATCHED, tk.NOTIFICATION_DELIVERED) for r in records):
        return None
    found = next(
        (
            (r, shape)
            for shape in _UNMATCHED
            for r in records
            if r.kind == shape[0] and r.get(shape[1]) == 0
        ),
        None,
    )
    if found is None:
        return None
    published, (_, _, refused_kind, id_name, what, taker) = found
    ident = published.get(id_name)
    # A handler's publication names its invocation: `processOrder:<invocation id>`.
    invocation = str(published.get("origin") or "").partition(":")[2]
    who = next(
        (
            r.resource
            for r in records
            if r.kind == tk.INVOCATION_STARTED
            and invocation
            and r.get("invocation_id") == invocation
        ),
        None,
    )
    about = (
        f" (source {one_line(cut(str(published.get('event_source'))))}, "
        f"detail-type {one_line(cut(str(published.get('detail_type'))))})"
        if what == "event"
        else ""
    )
    head = (
        f"why: {what} {ident}{about}"
        + (f" that {who} published" if who is not None else "")
        + f" on {published.resource} matched no {taker}, so no target received it"
    )
    refused = [r for r in records if r.kind == refused_kind and r.get(id_name) == ident]
    if not refused:
        return f"{head}; {published.resource} has no {taker}"
    targets = [str(r.get("target")) for r in refused]
    said = []
    for r in refused[:WHY_RULES]:
        target = str(r.get("target"))
        # A workload with several rules on the bus: its rule's AWS name tells which.
        name = f"{target}'s {taker}" + (
            f" {r.get('rule')}" if targets.count(target) > 1 and r.get("rule") else ""
        )
        lines = r.get("explanation", r.get("reason"))
        words = [
            one_line(str(line).strip())
            for line in ([lines] if isinstance(lines, str) else lines or ())
        ]
        # The lines under the headline (`1 of 2 conditions failed: source`) name each
        # condition and what the message had: they say it whole.
        failed = f" failed on {'; '.join(words[1:])}" if len(words) > 1 else f": {''.join(words)}"
        said.append(cut(f"{name}{failed}", WHY_WIDTH))
    more = len(refused) - WHY_RULES
    tail = f"; and {more} more {taker}{'s' if more > 1 else ''}" if more > 0 else ""
    return f"{head}; {'; '.join(said)}{tail}"


def invocation_started(records: list[Record], key: str) -> Record | None:
    """The `invocation.started` record of the invocation `key` names (its id, or the start
    of it that `explain` took for it) in a chain's `records`, or None when `key` names no
    invocation."""
    return next(
        (
            r
            for r in records
            if r.kind == tk.INVOCATION_STARTED and str(r.get("invocation_id")).startswith(key)
        ),
        None,
    )


def _no_init_time(started: Record, declared: bool) -> str:
    """Why an init phase took no time: 0 ms drawn from its `initDuration` (`declared`), or
    none declared for the function of the `started` record."""
    if declared:
        return "its init phase took no time (0 ms drawn from its initDuration)"
    return (
        f"its init phase took no time ({started.resource} has no initDuration in the "
        "behaviours file)"
    )


def cold_start_note(started: Record, init_ms: int, declared: bool) -> str:
    """What `explain` says first of an invocation that ran in a new execution environment
    (its `started` record): a cold start, how long its init phase took (`init_ms`) and that
    its handler waited for it; or, without an `initDuration` (`declared` False), that the
    init phase took no time."""
    head = (
        f"invocation {started.get('invocation_id')} ran in a new execution environment of "
        f"{started.resource} (a cold start: Lambda ran the init phase first)"
    )
    if init_ms:
        return (
            f"{head}; its init phase took {format_duration(init_ms)} (initDuration), which "
            f"delayed its handler: it started at {iso_ms(started.t + init_ms)}, "
            f"{format_duration(init_ms)} after the invocation"
        )
    return f"{head}; {_no_init_time(started, declared)}"


def reset_init_note(
    started: Record,
    init_ms: int,
    earlier: str,
    error_type: str,
    timeout_ms: int,
    declared: bool,
) -> str:
    """What `explain` says first of an invocation (its `started` record) that ran in an
    execution environment Lambda reset after invocation `earlier` ended in it with
    `error_type` (a timeout, or its runtime exiting): it ran the init phase again first (a
    suppressed init) for `init_ms`, which counted against the function's timeout
    (`timeout_ms`); `declared` as for `cold_start_note`."""
    how = "timed out" if error_type == TIMEOUT_ERROR else f"ended with {error_type}"
    head = (
        f"invocation {started.get('invocation_id')} ran in an execution environment of "
        f"{started.resource} that Lambda reset after invocation {earlier} {how} in it, so it "
        "ran the init phase again first (a suppressed init: no INIT_START line and no Init "
        "Duration, its REPORT line's Duration holds the init)"
    )
    if init_ms >= timeout_ms:
        return (
            f"{head}; its init phase needed {format_duration(init_ms)} (initDuration), which "
            f"the function's {format_duration(timeout_ms)} timeout counts: it timed out "
            f"{format_duration(timeout_ms)} after the invocation, before its handler started, "
            "and Lambda reset the environment again"
        )
    if init_ms:
        return (
            f"{head}; its init phase took {format_duration(init_ms)} (initDuration), which "
            f"counted against the function's {format_duration(timeout_ms)} timeout and "
            f"delayed its handler: it started at {iso_ms(started.t + init_ms)}, "
            f"{format_duration(init_ms)} after the invocation"
        )
    return f"{head}; {_no_init_time(started, declared)}"


def retried_init_note(
    started: Record,
    init_ms: int,
    retry_ms: int,
    error_type: str,
    timeout_ms: int,
    declared: bool,
) -> str:
    """What `explain` says first of an invocation (its `started` record) that ran in a new
    execution environment whose init phase failed with `error_type` (INIT_TIMEOUT: it
    outlasted Lambda's 10 s limit) after `init_ms`: Lambda ran the init again within the
    invocation, for `retry_ms`, which counted against the function's timeout
    (`timeout_ms`); `declared` as for `cold_start_note`."""
    why = (
        "outlasted Lambda's 10 s limit (its INIT_REPORT line says Phase: init, Status: timeout)"
        if error_type == INIT_TIMEOUT
        else f"failed ({error_type}: its INIT_REPORT line says Phase: init)"
    )
    head = (
        f"invocation {started.get('invocation_id')} ran in a new execution environment of "
        f"{started.resource} (a cold start) whose init phase {why}, so Lambda ran the init "
        "again within the invocation (a suppressed init: no second INIT_START, an INIT_REPORT "
        "with Phase: invoke if it failed too, and no Init Duration: its REPORT line's Duration "
        "holds it)"
    )
    if not init_ms and not retry_ms:
        return f"{head}; {_no_init_time(started, declared)}"
    took = (
        f"the failed init took {format_duration(init_ms)} and the retry "
        f"{format_duration(min(retry_ms, timeout_ms))} (initDuration)"
    )
    if retry_ms >= timeout_ms:
        return (
            f"{head}; {took}: the retry needed {format_duration(retry_ms)}, which the "
            f"function's {format_duration(timeout_ms)} timeout counts, so it timed out before "
            "its handler started, and Lambda reset the environment"
        )
    return (
        f"{head}; {took}, the retry counted against the function's "
        f"{format_duration(timeout_ms)} timeout: its handler started at "
        f"{iso_ms(started.t + init_ms + retry_ms)}, {format_duration(init_ms + retry_ms)} "
        "after the invocation"
    )


def why_lines(rec: Record) -> list[str]:
    """The indented lines that say why a record's rule, notification or filter did not act
    (its WHY_NOT_FIELDS), for the views that list records one a line."""
    out: list[str] = []
    for name in WHY_NOT_FIELDS:
        why = rec.data.get(name)
        if isinstance(why, list):
            out.extend(f"    {line}" for line in why)
        elif isinstance(why, str) and why:
            out.append(f"    {why}")
    return out


def cut(text: str, width: int = SUMMARY_WIDTH) -> str:
    """`text` whole when it has at most `width` characters, else its first `width` and
    `… (N more characters)`."""
    if len(text) <= width:
        return text
    return f"{text[:width]}… ({len(text) - width:,} more characters)"


def cut_field(name: str, value: str) -> str:
    """A string field as a one-line summary shows it: cut (`cut`) unless it is an id, which
    is typed back whole, or one of WHOLE_FIELDS."""
    return value if id_field(name) or name in WHOLE_FIELDS else cut(value)


def field_words(name: str, value: Any) -> str:
    """A record field's value in a one-line summary: an object or list longer than
    SUMMARY_WIDTH as `...`, a longer string cut (`cut_field`); newlines and tabs in strings
    written as `\\n` and `\\t`."""
    if isinstance(value, (dict, list)):
        text = format_value(value)
        return "..." if len(text) > SUMMARY_WIDTH else text
    if not isinstance(value, str):
        return format_value(value)
    # One record, one line: a log line's newline or REPORT's tabs written raw would break
    # the chain's lines; a backslash that would read as an escape is written twice.
    return one_line(cut_field(name, value))


def summary(rec: Record) -> str:
    """A record's fields as `name=value` words on one line (`field_words`), without the
    fields that say why something did not happen (the chain gives those lines of their
    own)."""
    return " ".join(
        f"{k}={field_words(k, v)}" for k, v in rec.data.items() if k not in WHY_NOT_FIELDS
    )


def explain(trace: Trace, key: str) -> Chain:
    """Every record linked to `key`: an id of any kind, an object key (`KEY` or
    `BUCKET/KEY`) or an id prefix."""
    index = trace_index(trace)
    chain = Chain(key)
    # An exact id, then an object key or path, then the start of an id: an object key that
    # happens to begin an id still names the object.
    exact = index.of_id(key)
    seeds = exact or index.literal_seeds(key)
    asked: str | None = key if exact else None
    if not seeds:
        asked, chain.candidates = _asked(index.ids(), key)
        seeds = index.of_id(asked) if asked is not None else []
    if not seeds:
        return chain
    seen = set(seeds)
    from_seed = frozenset(seeds)
    todo = deque(seeds)
    followed: set[str] = set()
    made: dict[int, Record] = {}
    while todo:
        i = todo.popleft()
        rec = made[i] = index.record(i)
        for name, value in rec.data.items():
            if isinstance(value, list) and (i not in from_seed or asked in ids_in(name, value)):
                # A batch's list of message ids links each message to its invocation, but
                # must not pull the batch's other messages into this message's chain. Only
                # the list of the record asked about (an invocation's start) is followed:
                # its messages are that invocation's input.
                continue
            for ident in ids_in(name, value):
                if ident in followed:
                    continue
                followed.add(ident)
                for j in index.of_id(ident):
                    if j not in seen:
                        seen.add(j)
                        todo.append(j)
    chain.records = [made[i] for i in sorted(seen)]
    ring = trace.records
    chain.truncated = (
        ring.maxlen is not None
        and len(ring) == ring.maxlen
        and chain.records[0].seq == ring.first_seq
    )
    return chain


def chains_of(trace: Trace, keys: Iterable[str]) -> dict[int, Record]:
    """The records of `explain(trace, key)` for every key of `keys`, by `seq`.

    A key's chain is worked out only when it can add to the chains before it. A chain is
    closed: the records of every id in a field of its records that is not a list are in
    it. So is a union of chains; a key whose records are all in the union already, none of
    them with a list its chain would follow out of the union, adds nothing. An execution's
    deliveries each chain to the whole execution (its task records carry its ARN): one
    chain after another, that was work in the square of the execution's deliveries."""
    index = trace_index(trace)
    found: dict[int, Record] = {}
    for key in keys:
        if not _adds_nothing(index, key, found):
            found.update((rec.seq, rec) for rec in explain(trace, key).records)
    return found


def _adds_nothing(index: TraceIndex, key: str, found: dict[int, Record]) -> bool:
    """Whether `explain`'s chain of the id `key` is within `found`, a union of chains."""
    seeds = index.of_id(key)
    if not seeds or any(seq not in found for seq in seeds):
        return False  # not an id (an object key, a prefix), or records outside the union
    for seq in seeds:
        for name, value in found[seq].data.items():
            # The lists `explain` follows from the records of the id asked about.
            if isinstance(value, list) and key not in ids_in(name, value):
                for ident in ids_in(name, value):
                    if any(j not in found for j in index.of_id(ident)):
                        return False
    return True


def _asked(ids: list[str], key: str) -> tuple[str | None, list[str]]:
    """The one id `key` is the start of, and the ids it could mean when it is the start of
    several (no id then: merging their chains would answer a question nobody asked).

    Ids come in several alphabets (UUIDs in lower-case hex, S3 request ids in upper-case
    hex, API Gateway request ids in base64), so any characters may start one. The case must
    match, unless no id starts with the key as typed: then a start in another case counts
    (an S3 request id copied in lower case), since base64 ids that differ only in case are
    told apart by the refusal that lists them."""
    if len(key) < MIN_PREFIX:
        return None, []
    matches = sorted(ident for ident in ids if ident.startswith(key))
    if not matches:
        folded = key.casefold()
        matches = sorted(ident for ident in ids if ident.casefold().startswith(folded))
    if len(matches) > 1:
        return None, matches
    return (matches[0], []) if matches else (None, [])


def distinct_prefixes(ids: list[str], at_least: int = SHORT_ID) -> list[str]:
    """Each of `ids` cut to its shortest start (of at least `at_least` characters) that no
    other of them shares, so that each can be typed back as a unique prefix."""
    out = []
    for ident in ids:
        n = at_least
        while n < len(ident) and any(o != ident and o.startswith(ident[:n]) for o in ids):
            n += 1
        out.append(ident[:n])
    return out
