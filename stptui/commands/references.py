"""Words that name what the simulation made without its drawn ids: `$last` and
`$newest:KIND[:RESOURCE]`.

The ids a simulation draws are deterministic for a seed, but any change to the stack, the
behaviours or the seed shifts them, and a script that names one breaks. A reference names
the id by how it came about instead:

- `$last` is the id the last state-changing command that printed one printed (`send`: the
  message id, `publish`: the event id, `http`: the request id ...; `LAST_ID_FIELDS`).
- `$newest:KIND` is the id of the newest trace record of KIND, `$newest:KIND:RESOURCE` of
  the newest of KIND on RESOURCE: the record's first field that holds one id
  (`trace_index.id_field`: `message_id` of a `message.dead_lettered`, `invocation_id` of an
  `invocation.failed`, `execution_arn` of an `sfn.execution.failed`).

A reference is a word typed bare (no quote or backslash in it), alone or after `NAME=`
(`expect count message.received message_id=$last == 3`, `--option=$last`); quoted, it is
the text it spells (`send q '$last'`). A bare `$` word that is neither (`$connect`, `$5`)
is text, as it always was. References are resolved when the line runs, against the
simulation as it stands then, so that the session log, which keeps the line as typed,
replays them the same way (undo, reload, load, a recording). `$last` is kept by the
session and made again by a replay, since only logged commands set it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.commands.registry import CommandError, names, tokenize, word_spans
from stptui.config.diagnostics import did_you_mean
from stptui.sim.trace import KIND_FIELDS, Record
from stptui.sim.trace_index import id_field
from stptui.textsafe import REFERENCE, is_reference, quote_word

if TYPE_CHECKING:
    from stptui.commands.session import Session
    from stptui.sim.engine import Simulator

LAST = "$last"
NEWEST = "$newest"

# The field of a command's data that `$last` takes, per command, the first present: the
# id the command printed. A command not listed sets no `$last`.
LAST_ID_FIELDS: dict[str, tuple[str, ...]] = {
    "send": ("message_id",),
    "publish": ("event_id",),
    "publish-sns": ("message_id",),
    "http": ("request_id",),
    "invoke": ("invocation_id", "event_id"),
    "fire": ("event_id",),
    "start-job": ("execution_id",),
    "start-execution": ("name",),
    "redrive-execution": ("name",),
    "put-record": ("SequenceNumber",),
    # A table write prints its stream record's sequence number when the table has a stream.
    "put-item": ("SequenceNumber",),
    "update-item": ("SequenceNumber",),
    "delete-item": ("SequenceNumber",),
    "produce": ("record_id",),
    "upload": ("key",),
    "ws-connect": ("connection_id",),
    "ws-send": ("request_id",),
    "log": ("log_event_id",),
}
# `redrive` prints each message it moved and its new id: `$last` is the last new id.
_REDRIVE = "redrive"


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference of a line: the index of its word among the line's words (the
    command's name is 0), the word as typed, the `NAME=` before the reference, the
    reference itself and the id it resolved to."""

    index: int
    word: str
    prefix: str
    ref: str
    value: str

    @property
    def resolved_word(self) -> str:
        """The word the command sees: the prefix and the id."""
        return self.prefix + self.value

    def shown(self) -> str:
        """`$last = ID`: the line a command that took a reference prints first."""
        return f"{self.ref} = {quote_word(self.value)}"


def typed_reference(typed: str) -> tuple[str, str] | None:
    """(the `NAME=` before it, the reference) when `typed`, one word as typed, is a
    reference; None for any other word."""
    m = REFERENCE.fullmatch(typed)
    return (m.group("prefix") or "", m.group("ref")) if m else None


def last_id(command: str, data: Any) -> str | None:
    """The id `command`'s result `data` printed, which `$last` takes after it; None when
    it printed none."""
    if not isinstance(data, dict):
        return None
    if command == _REDRIVE:
        moved = data.get("moved")
        if isinstance(moved, list) and moved and isinstance(moved[-1], dict):
            value = moved[-1].get("new_message_id")
            return value if isinstance(value, str) and value else None
        return None
    for name in LAST_ID_FIELDS.get(command, ()):
        value = data.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def resolve(session: Session, line: str) -> tuple[list[str], list[Reference]] | None:
    """The words of `line` with each reference resolved, and the references; None when the
    line holds none (the common case costs one scan of its words). Raises CommandError at
    the reference's word for one that resolves to nothing."""
    if "$" not in line:
        return None
    spans = word_spans(line)
    found: list[tuple[int, str, str, str]] = []
    for i, (begin, end) in enumerate(spans):
        if i == 0:
            continue  # a command's name is never a reference
        typed = line[begin:end]
        if "$" in typed and (parts := typed_reference(typed)) is not None:
            found.append((i, typed, *parts))
    if not found:
        return None
    words = tokenize(line)
    refs: list[Reference] = []
    for i, typed, prefix, ref in found:
        try:
            value = resolve_one(session, ref)
        except CommandError as exc:
            # At the reference's `$`, after any `NAME=`.
            exc.word, exc.word_index, exc.within = typed, i, len(prefix)
            raise
        refs.append(Reference(i, typed, prefix, ref, value))
        words[i] = prefix + value
    return words, refs


def resolve_one(session: Session, ref: str) -> str:
    """The id `ref` (`$last`, `$newest:KIND[:RESOURCE]`) names now, or a CommandError."""
    if ref == LAST:
        if session.last_id is None:
            raise CommandError(
                "$last names nothing yet: no command so far printed an id",
                f"$last is the id the last of {names(LAST_ID_FIELDS)} or redrive printed; "
                "$newest:KIND[:RESOURCE] names the newest trace record's id "
                "(e.g. $newest:message.dead_lettered)",
            )
        return session.last_id
    if ref.startswith(LAST):
        raise CommandError(
            f"{ref} is no reference: $last takes nothing after it",
            "write $last alone, or $newest:KIND[:RESOURCE] for the newest record of a kind; "
            f"quote a text that starts with $: '{ref}'",
        )
    kind, resource = _newest_parts(ref)
    return newest_id(session.sim, kind, resource)


def _newest_parts(ref: str) -> tuple[str, str | None]:
    """(KIND, RESOURCE or None) of `$newest:KIND[:RESOURCE]`, or a CommandError."""
    kind, _, resource = ref.removeprefix(NEWEST).removeprefix(":").partition(":")
    if not ref.startswith(NEWEST + ":") or not kind:
        raise CommandError(
            f"{ref} names no kind",
            "write $newest:KIND or $newest:KIND:RESOURCE, e.g. $newest:message.dead_lettered"
            f":QUEUE; quote a text that starts with $: '{ref}'",
        )
    return kind, resource or None


# Id fields that hold a list of ids (a batch's): no one id to take.
_ID_LISTS = frozenset(
    ("sequence_numbers", "message_ids", "log_event_ids", "record_ids", "cause_ids")
)


def id_fields(kind: str) -> tuple[str, ...]:
    """The fields of `kind`'s records that hold one id each, in their order: the first
    present is the id `$newest:KIND` takes."""
    return tuple(f for f in KIND_FIELDS.get(kind, ()) if id_field(f) and f not in _ID_LISTS)


def newest_id(sim: Simulator, kind: str, resource: str | None) -> str:
    """The id of the newest record of `kind` (on `resource`, when given), or a CommandError
    that says what there is instead. One backward scan of the ring, made only when the
    trace's counts say such a record was emitted."""
    from stptui.commands.handlers import TRACE_KINDS

    _known_kind(kind)
    fields = id_fields(kind)
    if not fields:
        family = kind.split(".")[0]
        with_ids = [k for k in TRACE_KINDS if id_fields(k) and k.split(".")[0] == family]
        raise CommandError(
            f"$newest: {kind} records carry no id",
            f"kinds of its family that do: {names(with_ids)}"
            if with_ids
            else "name a kind whose records carry an id, e.g. $newest:message.sent",
        )
    counts = sim.trace.counts
    on = [res for (k, res), n in counts.items() if k == kind and n]
    if not on or (resource is not None and resource not in on):
        where = f" on {quote_word(resource)}" if resource is not None else ""
        # The kinds with an id the trace holds (on the resource named, when it has any).
        held = {(k, res) for (k, res), n in counts.items() if n and id_fields(k)}
        here = sorted({k for k, res in held if res == resource})
        anywhere = sorted({k for k, _ in held})
        if on:
            hint = f"{kind} records are on {names(on)} so far"
        elif here:
            hint = f"kinds recorded on {quote_word(resource or '')} so far: {_kinds(here)}"
        elif anywhere:
            hint = f"kinds with ids recorded so far: {_kinds(anywhere)}; or run the clock on"
        else:
            hint = "nothing is recorded yet: send work in first (send, publish, http, invoke ...)"
        raise CommandError(f"$newest: no {kind} record{where} yet", hint)
    rec = _newest(sim, kind, resource)
    value = (
        None
        if rec is None
        else next((v for f in fields if isinstance(v := rec.data.get(f), str) and v), None)
    )
    if value is None:
        raise CommandError(
            f"$newest: the newest {kind} record is no longer in the trace's ring, or has no id",
            "name the id itself: `show trace` lists the records kept",
        )
    return value


def _known_kind(kind: str) -> None:
    """Nothing when `kind` is a trace kind; else a CommandError with a did-you-mean."""
    if kind in KIND_FIELDS:
        return
    from stptui.commands.handlers import TRACE_KINDS

    guess = did_you_mean(kind, TRACE_KINDS)
    raise CommandError(
        f"$newest: no trace kind {quote_word(kind)}",
        f"did you mean $newest:{guess}?"
        if guess
        else "docs/trace-format.md lists the kinds; `show trace` the records so far",
    )


def _kinds(kinds: Sequence[str], most: int = 12) -> str:
    shown = ", ".join(kinds[:most])
    return f"{shown}, ... ({len(kinds) - most} more)" if len(kinds) > most else shown


def _newest(sim: Simulator, kind: str, resource: str | None) -> Record | None:
    """The newest record of `kind` (on `resource`) still in the ring."""
    if resource is not None:
        return next(sim.trace.newest(resource, frozenset((kind,))), None)
    ring = sim.trace.records
    first = ring.first_seq  # settles the trace first
    raw = ring.raw
    last = first + len(raw) - 1
    for back, r in enumerate(reversed(raw)):
        if r[1] == kind:
            return Record(last - back, *r)
    return None


def reference_problem(session: Session, typed: str) -> CommandError | None:
    """What is wrong with `typed`, a reference as the REPL checks it while it is typed: its
    form, its kind and the trace's counts, with no scan of the ring (that is made once,
    when the line runs)."""
    parts = typed_reference(typed)
    if parts is None:
        return None
    ref = parts[1]
    try:
        if ref.startswith(LAST):
            resolve_one(session, ref)
        else:
            kind, resource = _newest_parts(ref)
            _known_kind(kind)
            if not session.sim.trace.count(kind, resource):
                newest_id(session.sim, kind, resource)  # refused, with what there is
    except CommandError as exc:
        return exc
    return None


def at_reference(refs: Sequence[Reference], exc: CommandError) -> CommandError:
    """`exc` pointed at the reference it is about, when the word it names is the id a
    reference resolved to (`explain $last` of an id nothing mentions): the line as typed
    holds the reference, not the id, and the caret goes to its `$`. An error about a word
    that spells a reference (`explain '$last'`: quoted, it is text) says so in its hint."""
    from stptui.commands.registry import place_word

    word = place_word(exc)
    if word is not None and is_reference(word):
        # Its value spells a reference, so it was typed quoted: text, meant as an id.
        bare = f"unquoted, {word} names an id"
        exc.hint = f"{exc.hint}; {bare}" if exc.hint else bare
        return exc
    if not refs or exc.word_index is not None:
        return exc
    for ref in refs:
        if word in (ref.value, ref.resolved_word):
            exc.word, exc.word_index, exc.within = ref.word, ref.index, len(ref.prefix)
            break
    return exc
