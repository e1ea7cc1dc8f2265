"""What the word being typed could become: completion candidates without prompt_toolkit.

`candidates(session, text)` is the pure core of completion (pgcli's habit): for the text
before the cursor it returns what the word being typed could become, each with a help line.
Command names and options come from the registry; argument values come from
`stptui.commands.complete_values` by the kind the registry declares (queues after `send`,
functions after `fail`, message ids after `show message`, ...), in the context of the
values typed before them (the keys of the bucket `delete BUCKET` names, the routes that
serve the method of `http METHOD`), plus what only a typing human needs: duration units,
the current instant. It imports no user-interface library, so the REPL's completer
(stptui.repl.completer) and the terminal UI's command line can both call it. File names for
a FILE argument come from `file_offers` (`path_candidates`), one rule for both.
"""

from __future__ import annotations

import functools
import os
import re
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import TYPE_CHECKING

from stptui.commands import (
    REGISTRY,
    CommandError,
    Session,
    complete_values,
    given,
    route_offers,
)
from stptui.commands import registry as kinds
from stptui.commands.examples import BODIES, DEFAULT_KEY, body_offers
from stptui.commands.handlers import statistic
from stptui.commands.handlers.base import shorten
from stptui.commands.handlers.expect import value_now
from stptui.commands.handlers.metrics import metric_value, value_text
from stptui.commands.references import LAST, NEWEST, id_fields
from stptui.commands.request_offers import header_offers, port_offers, ws_header_offers
from stptui.commands.session import SESSION_HEAD_BYTES, is_session_start
from stptui.repl.grammar import Slot, Walker
from stptui.repl.words import current_command, read_words
from stptui.sim.clock import iso_ms
from stptui.sim.cognito import User
from stptui.sim.invocation_events import batch_executions, no_container, ran_no_attempt
from stptui.textsafe import is_reference

if TYPE_CHECKING:
    from stptui.sim.services.schedule import ScheduleRule

DURATION_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DURATION_EXAMPLES = ("30s", "5m", "1h", "1d")
_ENDS_IN_NUMBER = re.compile(r"(?:\d+[a-z]+)*\d+")
# How many entries of a directory a file name's completion reads, at most: it runs at each
# key press (the command line's suggestion), and a directory of 100,000 files took 50 ms to
# read whole. Past this many, the rest of the directory is not offered.
PATH_LIMIT = 2000
# How many files `load`'s completion opens at most, to tell the session files (`save`'s)
# among them: a directory of files is read at each key press, and opening 2,000 files to
# read their first bytes took some 20 ms. Past this many, the rest are not offered.
SESSION_PEEK_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible value of the word being typed, with the help line the menu shows."""

    text: str
    # The help line, or what makes it when it is first read: a metric path's is a replay of
    # the trace's figures, and a menu draws the lines of a few of its thousands of paths.
    about: str | Callable[[], str] = ""
    # Typed as it is, unquoted: a reference (`$last`), which quoted would be text.
    bare: bool = False

    @property
    def meta(self) -> str:
        """The help line the menu shows beside the value."""
        return self.about if isinstance(self.about, str) else self.about()


@dataclass(frozen=True, slots=True)
class Context:
    """Where the cursor is: the word typed so far and what it may be."""

    word: str
    # The command name is being typed (no command yet).
    command_name: bool = False
    slots: tuple[Slot, ...] = ()
    options: tuple[kinds.Option, ...] = ()
    # Inside an open quote: a body or payload, or a name typed in quotes (`purge "my q`),
    # which completes to its value only (no option is typed in quotes).
    in_quote: bool = False
    # (kind, word) of the values given before the word: a value completes in their context.
    before: tuple[tuple[str, str], ...] = ()
    # The word as typed (`'my q`, `my\ q`): what a completion replaces; `word` is its value.
    raw: str = ""


def context(text: str) -> Context | None:
    """Read the text before the cursor; None when nothing can be completed (an unknown
    command, a word after the last argument, a comment). Only the command the cursor is in
    counts, when the text holds several (lines pasted before it)."""
    command = current_command(text)
    reading = read_words(command)
    if reading.comment is not None:
        return None
    words = [w.text for w in reading.words]
    current = "" if reading.at_gap else words.pop()
    raw = "" if reading.at_gap else command[reading.words[-1].start :]
    in_quote = reading.quote is not None
    if not words:
        return None if in_quote else Context(current, command_name=True, raw=raw)
    cmd = REGISTRY.commands.get(words[0])
    if cmd is None:
        return None
    walker = Walker(cmd)
    for word in words[1:]:
        walker.feed(word)
    slots = tuple(walker.expected())
    pending = bool(slots) and slots[0].option is not None
    options = () if pending else tuple(walker.options_left())
    before = tuple(walker.bound)
    return Context(current, slots=slots, options=options, in_quote=in_quote, before=before, raw=raw)


def candidates(session: Session, text: str) -> list[Candidate]:
    """Every value the word being typed at the end of `text` could take (unfiltered)."""
    return list(_found(session, text))


def _found(session: Session, text: str) -> Sequence[Candidate]:
    """`candidates`, as kept for the session's state: a slot's values are made candidates
    only when read (`Values`)."""
    ctx = context(text)
    if ctx is None:
        return []
    if ctx.command_name:
        return [Candidate(c.name, c.summary) for c in REGISTRY.commands.values()]
    word = ctx.word
    if ctx.raw.startswith("--") and "=" in word:
        return []  # `--opt=value` is completed by prefix in CommandCompleter
    built = state_cache(session)
    key = (replace(ctx, word="", raw=""), _word_signature(ctx))
    found = built.lists.get(key)
    if found is None:
        found = built.lists[key] = _candidates(session, ctx)
    return found


def _word_signature(ctx: Context) -> tuple[object, ...]:
    """What of the word typed the candidates of `ctx` depend on: whether it is an option,
    empty, a metric path; the word itself where a kind's candidates follow it (a table's
    item keys, a duration's units, a reference's kinds) or an argument's unavailable
    choices may be offered (`Arg.unavailable`)."""
    word = ctx.word
    whole = any(
        s.kind in _BY_WORD
        or (s.kind in REFERENCE_KINDS and word.startswith("$"))
        or (s.arg is not None and s.arg.unavailable is not None)
        for s in ctx.slots
    )
    return (word.startswith("-"), not word, word.startswith("metric."), word if whole else None)


# The kinds whose candidates follow the word typed, beyond its first characters.
_BY_WORD = frozenset({kinds.ITEM_KEY, kinds.DURATION})


def _candidates(session: Session, ctx: Context) -> Sequence[Candidate]:
    """`candidates` of a context, made anew."""
    word = ctx.word
    values = not word.startswith("-") or ctx.in_quote
    options = not ctx.in_quote and (word.startswith("-") or (not ctx.slots and not word))
    if values and len(ctx.slots) == 1 and not options:
        # One slot, the common case: its values as they are kept, with its few extras.
        slot = ctx.slots[0]
        extras = _slot_extras(session, slot, word, ctx.before)
        return _slot_values(session, slot, word, ctx.before).then(extras)
    out: list[Candidate] = []
    if values:
        for slot in ctx.slots:
            out += slot_candidates(session, slot, word, ctx.before)
    if options:
        out += [Candidate(o.name, option_meta(o)) for o in ctx.options]
    return _unique(out)


class Values(Sequence[Candidate]):
    """A slot's fixed words and named values, without duplicates, then `tail` (candidates
    not among them), each made a Candidate only when read: of the tens of thousands of
    metric paths of a large stack a menu shows a few, and making every one (with its help
    line's maker) took 0.3 s after each command and tripled what Python's collector reads
    at each of its full passes."""

    __slots__ = ("_lowered", "_made", "_texts", "tail")

    def __init__(
        self,
        texts: list[str],
        made: Callable[[int, str], Candidate],
        tail: Sequence[Candidate] = (),
    ) -> None:
        self._texts = texts
        self._made = made  # the candidate of value i, `texts[i]`
        self._lowered: list[str] | None = None
        self.tail = tuple(tail)

    def then(self, tail: Sequence[Candidate]) -> Values:
        """These values, then those of `tail` that are not among them."""
        if not tail:
            return self
        known = set(self._texts)
        kept = _unique([c for c in tail if c.text not in known])
        out = Values(self._texts, self._made, kept)
        out._lowered = self._lowered
        return out

    def __len__(self) -> int:
        return len(self._texts) + len(self.tail)

    def __getitem__(self, i: int) -> Candidate:  # type: ignore[override]
        if isinstance(i, slice):
            return list(self)[i]  # type: ignore[return-value]
        n = len(self._texts)
        i = i + len(self) if i < 0 else i
        if i >= n:
            return self.tail[i - n]
        return self._made(i, self._texts[i])

    def __iter__(self) -> Iterator[Candidate]:
        made = self._made
        yield from (made(i, t) for i, t in enumerate(self._texts))
        yield from self.tail

    def starting(self, low: str) -> Iterator[Candidate]:
        """The candidates whose value starts with `low` (lower case) in any case, in order:
        the values are matched as strings, and only those that match are made."""
        if self._lowered is None:
            self._lowered = list(map(str.lower, self._texts))
        made, texts = self._made, self._texts
        if not low:
            yield from (made(i, t) for i, t in enumerate(texts))
        else:
            for i, t in enumerate(self._lowered):
                if t.startswith(low):
                    yield made(i, texts[i])
        yield from (c for c in self.tail if c.text.lower().startswith(low))


@dataclass(frozen=True, slots=True)
class Offer:
    """A completion of the word being typed: the candidate, how many characters before the
    cursor it replaces (the word as typed, quotes and escapes included), and the value of
    what was typed of the word."""

    candidate: Candidate
    replaces: int
    word: str

    @property
    def text(self) -> str:
        """What the completion types: the value quoted as the line needs it (`'my queue'`)."""
        c = self.candidate
        return c.text if c.bare else kinds.quote_word(c.text)


def offers(session: Session, text: str) -> list[Offer]:
    """Every offer `iter_offers` makes, in its order."""
    return list(iter_offers(session, text))


def iter_offers(session: Session, text: str) -> Iterator[Offer]:
    """The candidates (`candidates`) whose value starts with the word typed at the end of
    `text`, in any case, each replacing that word as typed: a word typed inside a quote
    (`purge "my q`) or with an escaped space (`my\\ q`) is replaced whole, by its value
    quoted as the line needs it. The value of `--opt=VALUE` is completed after its `=`.
    The REPL's completer and the terminal UI's command line both offer these."""
    ctx = context(text)
    if ctx is None:
        return iter(())
    inline = inline_option(text, ctx)
    if inline is not None:
        opt, value, raw_value = inline
        slot = Slot(opt.kind, opt.choices, opt.help, option=opt)
        found = slot_candidates(session, slot, value, ctx.before)
        word, replaces = value, len(raw_value)
    else:
        found = _found(session, text)
        word, replaces = ctx.word, len(ctx.raw)
    low = word.lower()
    if isinstance(found, Values):
        return (Offer(c, replaces, word) for c in found.starting(low))
    return (Offer(c, replaces, word) for c in found if c.text.lower().startswith(low))


def file_word(text: str, ctx: Context) -> tuple[str, str] | None:
    """The word at the end of `text` (`ctx` its context), as read and as typed, when it is a
    FILE value: an argument a FILE fills (`source`, `save`, `record`), or the value of a
    FILE option written `--from=PATH`; None for any other word."""
    if ctx.raw.startswith("--") and "=" in ctx.word:
        inline = inline_option(text, ctx)
        if inline is None or inline[0].kind != kinds.FILE:
            return None
        return inline[1], inline[2]
    if (not ctx.word.startswith("-") or ctx.in_quote) and any(
        s.kind == kinds.FILE for s in ctx.slots
    ):
        return ctx.word, ctx.raw
    return None


def file_offers(text: str) -> list[Offer]:
    """The file names (`path_candidates`) the word typed at the end of `text` may become
    when it is a FILE value (`file_word`), each replacing the word as typed, quotes and
    escapes included; after `load`, the session files and directories only
    (`session_candidates`); none for any other word."""
    ctx = context(text)
    found = None if ctx is None else file_word(text, ctx)
    if ctx is None or found is None:
        return []
    word, raw = found
    loading = any(s.arg is _load_file_arg() for s in ctx.slots)
    paths = session_candidates(word) if loading else path_candidates(word)
    return [Offer(c, len(raw), word) for c in paths]


@functools.cache
def _load_file_arg() -> kinds.Arg:
    """`load`'s FILE argument, which takes a session file only."""
    return REGISTRY.commands["load"].args[0]


def session_candidates(word: str, limit: int | None = None) -> list[Candidate]:
    """What `load FILE` may become when `word` is typed: of the paths that `word` starts
    (`path_candidates`), the files `save` wrote (their first bytes are a session file's,
    `is_session_start`), then the directories, to go on into; no other file, as `load`
    would refuse it. At most `limit` files are opened to tell (SESSION_PEEK_LIMIT unless
    given), in name order; the files past them are not offered."""
    limit = SESSION_PEEK_LIMIT if limit is None else limit
    sessions: list[Candidate] = []
    folders: list[Candidate] = []
    opened = 0
    for c in path_candidates(word):
        if c.text.endswith("/"):
            folders.append(c)
        elif opened < limit:
            opened += 1
            if _saved_session(os.path.expanduser(c.text)):
                sessions.append(Candidate(c.text, "a session file (save wrote it)"))
    return sessions + folders


def _saved_session(path: str) -> bool:
    """Whether the file at `path` starts as a session file; False when it cannot be read.
    Opened without blocking: a named pipe would wait for a writer (it is then no session
    file either, and gives no bytes)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return is_session_start(os.read(fd, SESSION_HEAD_BYTES))
    except OSError:
        return False
    finally:
        os.close(fd)


def path_candidates(word: str, limit: int | None = None) -> list[Candidate]:
    """The paths that `word` starts, as the command would read them (relative to the current
    directory): the entries of the directory typed so far (`runs/`; a leading `~` is the
    home directory, as the commands read it, and stays as typed) whose names start with the
    rest, sorted, a directory's with a `/` after it. Hidden names only when the rest starts
    with `.`. Of a directory, at most `limit` entries are read (PATH_LIMIT unless given); a
    directory that cannot be read offers nothing."""
    limit = PATH_LIMIT if limit is None else limit
    typed_dir, _, start = word.rpartition("/")
    if typed_dir or word.startswith("/"):
        typed_dir += "/"
    hidden = start.startswith(".")
    found: list[tuple[str, bool]] = []
    try:
        with os.scandir(os.path.expanduser(typed_dir) or ".") as entries:
            for n, entry in enumerate(entries):
                if n == limit:
                    break
                name = entry.name
                if name.startswith(start) and (hidden or not name.startswith(".")):
                    found.append((name, _is_dir(entry)))
    except OSError:
        return []
    return [
        Candidate(f"{typed_dir}{name}{'/' * is_dir}", "directory" if is_dir else "file")
        for name, is_dir in sorted(found)
    ]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether `entry` is a directory (a link to one too); False when that cannot be read."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def body_candidates(
    session: Session, command: str, before: tuple[tuple[str, str], ...]
) -> list[Candidate]:
    """What the body argument of `command` may be, the values `before` it typed: the bodies
    the session gave the same target, then the example its dialog starts from
    (`stptui.commands.examples.body_offers`); made once per state, as it reads the log."""
    built = state_cache(session)
    key = ("bodies", command, before)
    found = built.derived.get(key)
    if not isinstance(found, list):
        offers = body_offers(session, command, before)
        found = built.derived[key] = [Candidate(o.text, o.about) for o in offers]
    return found


@functools.cache
def _body_args() -> dict[int, str]:
    """The body argument of each command that has one (`examples.BODIES`), by identity (a
    `repeat`'s inner command's too): the command's name."""
    return {
        id(arg): name
        for name, body in BODIES.items()
        for arg in REGISTRY.commands[name].args
        if arg.key == body.key
    }


def inline_option(text: str, ctx: Context) -> tuple[kinds.Option, str, str] | None:
    """For a word `--opt=VALUE` at the end of `text` (`ctx` its context): the option, the
    value typed so far and that value as typed (it may be quoted); None otherwise."""
    if not (ctx.raw.startswith("--") and "=" in ctx.word):
        return None
    name, _, raw_value = ctx.raw.partition("=")
    before = context(text[: len(text) - len(ctx.raw)])
    opt = next((o for o in before.options if o.name == name), None) if before else None
    if opt is None:
        return None
    typed = read_words(raw_value).words
    return opt, typed[0].text if typed else "", raw_value


def option_meta(opt: kinds.Option) -> str:
    """An option's help line, with its value's name."""
    return f"{opt.metavar + ': ' if opt.metavar else ''}{opt.help}"


def slot_candidates(
    session: Session, slot: Slot, word: str = "", before: Sequence[tuple[str, str]] = ()
) -> list[Candidate]:
    """Values for one argument or option value: its fixed words, then the named values of
    its kind in the context of the values `before` it, then what its kind suggests for
    `word` typed so far (duration units, ...)."""
    before = tuple(before)
    return [
        *_slot_values(session, slot, word, before),
        *_slot_extras(session, slot, word, before),
    ]


def _slot_extras(
    session: Session, slot: Slot, word: str, before: tuple[tuple[str, str], ...]
) -> list[Candidate]:
    """What a slot's kind suggests for `word` typed so far, after its values: references,
    duration units, instants, a body (`body_candidates`)."""
    kind = slot.kind
    out: list[Candidate] = []
    if slot.arg is not None and slot.arg.unavailable is not None and word:
        out += unavailable_candidates(session, slot, word)
    if kind is None:
        return out
    if slot.arg is not None and (command := _body_args().get(id(slot.arg))) is not None:
        out += body_candidates(session, command, before)
    if kind in REFERENCE_KINDS:
        out += reference_candidates(session, word)
    if kind == kinds.DURATION:
        if _ENDS_IN_NUMBER.fullmatch(word):
            out += [Candidate(word + unit, name) for unit, name in DURATION_UNITS.items()]
        else:
            out += [Candidate(d, "duration") for d in DURATION_EXAMPLES]
    elif kind == kinds.INSTANT:
        sim = session.sim
        out.append(Candidate(iso_ms(sim.clock.now), "now (the simulated clock)"))
        nxt = sim.clock.peek()
        if nxt is not None:
            out.append(Candidate(iso_ms(nxt), "the next scheduled event"))
    return out


def unavailable_candidates(session: Session, slot: Slot, word: str) -> list[Candidate]:
    """The fixed words of `slot` that have nothing to act on in this session
    (`Arg.unavailable`), each with why as its help line, that start with `word` (in any
    case), when no other fixed word does: `show str` on a stack without Kinesis streams
    offers `stream` and `streams`, "this stack has no Kinesis streams", where otherwise
    nothing would come; `show s` on a stack with schedules offers `schedules` alone."""
    arg = slot.arg
    if arg is None or arg.unavailable is None:
        return []
    low = word.lower()
    missing = arg.unavailable(session.sim)
    started = [c for c in slot.choices if c.lower().startswith(low)]
    if any(c not in missing for c in started):
        return []
    return [Candidate(c, missing[c]) for c in started]


def _slot_values(
    session: Session, slot: Slot, word: str, before: tuple[tuple[str, str], ...]
) -> Values:
    """A slot's fixed words and the named values of its kind, with their help lines: the
    part of `slot_candidates` that follows from the simulation's state, not from the word
    typed, so it is made once per state (`state_cache`) and not at each key press (on a
    stack of 2,000 resources, `expect metric.` made 8,000 candidates a key press: 0.7 s).
    Only a table's item keys and whether `metric.` is typed depend on `word`."""
    kind = slot.kind
    if kind == kinds.ITEM_KEY:
        by_word: str | bool = word
    else:
        by_word = kind == kinds.EXPECT_PATH and word.startswith("metric.")
    built = state_cache(session)
    key = (slot.kind, slot.choices, slot.help, before, by_word)
    if key in built.fresh:
        return built.values[key][1]
    built.fresh.add(key)
    values: list[str] = []
    if kind is not None:
        # Once a state for both of an expect PATH's lists (with the metric paths or not).
        raw_key = (kind, before, word if kind == kinds.ITEM_KEY else None)
        got = built.raw.get(raw_key)
        if got is None:
            got = built.raw[raw_key] = complete_values(session, kind, before, word)
        values = got
    if kind == kinds.EXPECT_PATH and not by_word:
        # The metric paths are many (a dozen a resource): they are offered once `metric.`
        # is typed, so that a fuzzy word for a queue's depth is not lost among them.
        shown = [v for v in values if not v.startswith("metric.")]
        if len(shown) < len(values) and "count" in shown:
            shown.insert(shown.index("count"), "metric.")
        values = shown
    fixed = list(dict.fromkeys(slot.choices))
    if slot.arg is not None and slot.arg.unavailable is not None:
        # Only the words the session has something for (`unavailable_candidates` offers
        # the others once typed).
        missing = slot.arg.unavailable(session.sim)
        fixed = [c for c in fixed if c not in missing]
    kept = built.values.get(key)
    if kept is not None and kept[0] == (fixed, values):
        # The same values as in the state before: they serve again (their help lines are
        # made anew, `_Described`), unread again for duplicates.
        return kept[1]
    built.builds += 1
    if len(built.values) >= VALUES_LIMIT:
        built.values.clear()  # the contexts of lines typed long ago (ids, keys before)
    texts = list(dict.fromkeys([*fixed, *values]))
    about = slot.help
    # Held weakly, as by `_Described`: the session's cache holds this list.
    owner = weakref.ref(session)

    def made(i: int, text: str) -> Candidate:
        if i < len(fixed):
            return Candidate(text, slot.arg.choice_about(text) if slot.arg else about)
        return Candidate(text, _Described(owner, kind or "", text, about, before))

    out = Values(texts, made)
    built.values[key] = ((fixed, values), out)
    return out


# The most slot lists a session keeps.
VALUES_LIMIT = 256


@dataclass(slots=True)
class StateCache:
    """What completion made for a session (see `state_cache`): each slot's values and
    candidates, kept while the values are the same, and those checked in the present
    state (`fresh`); the candidate lists of each context and what a user interface made
    of them (`derived`), for the present state only; how many slot lists were built (a
    count the tests read: a second key press in the same state builds none)."""

    where: tuple[int, ...]
    # The simulation the state is of, held weakly: a replaced one is freed (the terminal
    # UI takes one apart and checks that it went), and its id may then be taken again.
    sim: weakref.ref[object]
    # Each slot's (fixed words, values) and their candidates.
    values: dict[tuple[object, ...], tuple[tuple[list[str], list[str]], Values]] = field(
        default_factory=dict
    )
    fresh: set[tuple[object, ...]] = field(default_factory=set)
    lists: dict[tuple[object, ...], Sequence[Candidate]] = field(default_factory=dict)
    derived: dict[object, object] = field(default_factory=dict)
    raw: dict[tuple[object, ...], list[str]] = field(default_factory=dict)
    builds: int = 0
    # Counts the states: a help line made in another is made again (`_Described`).
    generation: int = 0


# The cache of each open session, dropped with it.
_CACHES: weakref.WeakKeyDictionary[Session, StateCache] = weakref.WeakKeyDictionary()


def state_cache(session: Session) -> StateCache:
    """The completion cache of `session`, brought to its present state: what was made for
    another state is dropped, or checked again (a slot's values), whenever the state moves:
    another simulation or stack (a rebuild, `load`, `undo`), a record emitted, the clock
    moved, an event run or a command logged."""
    sim = session.sim
    clock = sim.clock
    where = (
        id(sim),
        id(session.stack),
        sim.trace.seq,
        clock.now,
        clock.events_run,
        len(session.log),
    )
    built = _CACHES.get(session)
    if built is None:
        built = _CACHES[session] = StateCache(where, weakref.ref(sim))
    elif built.where != where or built.sim() is not sim:
        built.where = where
        built.sim = weakref.ref(sim)
        built.generation += 1
        built.fresh.clear()
        built.lists.clear()
        built.derived.clear()
        built.raw.clear()
    return built


# The kinds whose values are drawn ids, which a reference may name instead.
REFERENCE_KINDS = frozenset(
    {kinds.MESSAGE, kinds.INVOCATION, kinds.TRACE_ID, kinds.EXECUTION, kinds.CONNECTION}
)


def reference_candidates(session: Session, word: str) -> list[Candidate]:
    """`$last` and `$newest:` where a drawn id goes; once `$newest:` is typed, the kinds
    of the records so far that carry an id, and after `$newest:KIND:` the resources they
    are on (from the trace's counts: no scan of its records)."""
    if not word.startswith(NEWEST + ":"):
        out = []
        if session.last_id is not None:
            out.append(
                Candidate(LAST, f"the id the last command printed: {session.last_id}", bare=True)
            )
        out.append(
            Candidate(NEWEST + ":", "the newest record's id: $newest:KIND[:RESOURCE]", bare=True)
        )
        return out
    kind, colon, _ = word.removeprefix(NEWEST + ":").partition(":")
    counts = [(k, res) for (k, res), n in session.sim.trace.counts.items() if n]
    if not colon:
        found = sorted({k for k, _ in counts if id_fields(k)})
        return [Candidate(f"{NEWEST}:{k}", f"the newest {k} record's id", bare=True) for k in found]
    found = sorted({res for k, res in counts if k == kind})
    return [
        Candidate(f"{NEWEST}:{kind}:{res}", f"the newest {kind} record's id on {res}", bare=True)
        for res in found
        if is_reference(f"{NEWEST}:{kind}:{res}")
    ]


class _Described:
    """A value's help line (`describe`), made when first read and then kept while the
    session's state is the same (`state_cache`). The session is held weakly: the lists
    its completion cache keeps hold these, and a cache (held by the session, weakly) that
    held the session would keep it for the life of the process."""

    __slots__ = ("_args", "_generation", "_line", "_session")

    def __init__(
        self,
        session: weakref.ref[Session],
        kind: str,
        value: str,
        fallback: str,
        before: Sequence[tuple[str, str]],
    ) -> None:
        self._session = session
        self._args = (kind, value, fallback, before)
        self._line = ""
        self._generation = -1

    def __call__(self) -> str:
        """The help line ("" once the session is gone)."""
        session = self._session()
        if session is None:
            return ""
        generation = state_cache(session).generation
        if generation != self._generation:
            self._line = describe(session, *self._args)
            self._generation = generation
        return self._line


def _key_meta(session: Session, key: str, before: Sequence[tuple[str, str]]) -> str | None:
    """What writing at `key` in the bucket named before it does: the workloads whose
    notifications filter on it as a prefix (and the suffix each wants), or that it
    replaces an object."""
    sim = session.sim
    buckets = sim.services["buckets"].buckets if "buckets" in sim.services else {}
    bucket = buckets.get(given(before, "bucket") or "")
    if bucket is None:
        return None
    triggered = [
        n.target + (f" (keys ending {n.suffix})" if n.suffix else "")
        for n in bucket.notifications
        if n.prefix == key
    ]
    if triggered:
        return f"a key under it triggers {', '.join(triggered)}"
    if key in bucket.objects:
        return "replaces this object"
    fired = [
        n.target
        for n in bucket.notifications
        if key.startswith(n.prefix or "") and key.endswith(n.suffix or "")
    ]
    if fired:
        return f"an example key: triggers {', '.join(dict.fromkeys(fired))}"
    return "an example key" if key == DEFAULT_KEY else None


def describe(
    session: Session,
    kind: str,
    value: str,
    fallback: str = "",
    before: Sequence[tuple[str, str]] = (),
) -> str:
    """The menu's help line for a value: a resource's type and counts, a message's queue
    and state, a statistic's current value, a schedule's expression."""
    sim = session.sim
    if kind == kinds.COUNT and (owner := given(before, kinds.SCHEDULED, kinds.PAUSABLE)):
        rules = sim.services["schedules"].by_owner.get(owner, [])
        rule = next((r for r in rules if str(r.number) == value), None)
        if rule is not None:
            return f"schedule {rule.expression}"
    if kind in (kinds.SCHEDULED, kinds.PAUSABLE) and (rule := _schedule_of(session, value)):
        return f"schedule {rule.expression} of {rule.owner}{', paused' * rule.paused}"
    if kind == kinds.MAPPING_SOURCE:
        from stptui.sim.mappings import mappings_of

        owner = given(before, kinds.PAUSABLE) or ""
        ref = next((m for m in mappings_of(sim, owner) if m.source == value), None)
        if ref is not None:
            if ref.polls:
                return f"pollers of its code{', stopped' * ref.disabled}"
            return f"{ref.trigger} event source mapping{', disabled' * ref.disabled}"
    if kind in (kinds.QUEUE, kinds.DLQ) and value in sim.queues:
        st = sim.queue_stats(value)
        return f"sqs-queue: {st['visible']} visible, {st['in_flight']} in flight"
    if kind in (kinds.FUNCTION, kinds.WORKLOAD) and value in sim.functions:
        st = sim.function_stats(value)
        n = st["invocations"]
        return f"function: {n:,} invocation{'s' * (n != 1)}, {st['failures']:,} failed"
    if kind == kinds.WORKLOAD and (served := _container_meta(session, value)) is not None:
        return served
    if kind == kinds.LOG_OWNER and (group := sim.services["logs"].groups.get(value)) is not None:
        return f"log group {group.name}"
    if kind in (kinds.COMMAND, kinds.STIMULUS) and value in REGISTRY.commands:
        return REGISTRY.commands[value].summary
    if kind == kinds.INVOCATION:
        kept = next((e for e in sim.invocation_events if e[0] == value), None)
        if kept is not None:
            return f"invocation of {kept[1]}"
        ex = next((ex for ex in batch_executions(sim) if ex.id == value), None)
        if ex is None:
            return fallback
        # Why `show event` has no text a container read, before it is asked.
        note = (
            ", ran no attempt"
            if ran_no_attempt(ex)
            else ", no container started"
            if no_container(sim, ex)
            else ""
        )
        if ex.direct is not None:
            return f"AWS Batch job of {ex.job}, submitted by {ex.source.partition(':')[0]}{note}"
        return f"execution of batch job {ex.job}{note}"
    if kind == kinds.MESSAGE:
        msg = sim.find_message(value)
        if msg is None:
            return "message (no longer in a queue)"
        return f"message in {msg.queue.name}, {msg.state_name.replace('_', ' ')}"
    if kind == kinds.TRACE_KIND:
        return "trace record kind"
    if kind == kinds.ROUTE_PATH and (reached := route_offers(session, before).get(value)):
        return "; ".join(reached)
    if kind == kinds.HTTP_HEADER:
        return header_offers(sim, before).get(value, fallback)
    if kind == kinds.WS_HEADER:
        return ws_header_offers(sim, before).get(value, fallback)
    if kind == kinds.LISTENER_PORT:
        return port_offers(sim, before).get(value, fallback)
    if kind == kinds.POOL_USER and (user := _pool_user(session, value, before)) is not None:
        return f"user {user.status}{', signed in' if user.claims is not None else ''}"
    if kind == kinds.ALARM and (alarms := sim.services.get("alarms")) is not None:
        alarm = alarms.by_reference.get(value)
        return f"alarm {alarm.state}: {alarm.spec.aws_name}" if alarm is not None else fallback
    record = given(before, kinds.TRACE_KIND)
    if kind == kinds.RECORD_FIELD and record:
        return f"a field of {record} records"
    if kind == kinds.RECORD_RESOURCE and record:
        n = sim.trace.count(record, value)
        return f"{_resource_type(session, value)}: {n:,} {record} record{'s' * (n != 1)} so far"
    if kind in (kinds.ITEM_ATTRIBUTE, kinds.OBJECT_FIELD):
        # The value now of the path this word ends, as `expect` would read it.
        path = [w for k, w in before if k not in (kinds.OPERATOR, kinds.VALUE)]
        now = value_now(sim, [*path, value])
        return f"now {shorten(now, 40)}" if now is not None else "not there now"
    if kind == kinds.RESPONSE_PART:
        path = [w for k, w in before if k not in (kinds.OPERATOR, kinds.VALUE)]
        now = value_now(sim, [*path, value])
        return f"now {shorten(now, 40)}" if now is not None else "a part of the HTTP answer"
    if kind == kinds.MESSAGE_FILTER:
        return f"counts the messages of {given(before, kinds.QUEUE)} that have it"
    if kind == kinds.NEW_OBJECT_KEY and (meta := _key_meta(session, value, before)):
        return meta
    if kind == kinds.ITEM_KEY and value.endswith("="):
        table = sim.services.get("tables", {}).get(given(before, kinds.TABLE) or "")
        kind_of = dict(table.key).get(value[:-1]) if table is not None else None
        return f"key attribute ({kind_of})" if kind_of else fallback
    if kind == kinds.ITEM_KEY:
        return f"a key of an item of {given(before, kinds.TABLE)}"
    if kind == kinds.EXPECT_PATH:
        # `expect --since D metric...`: the value over the window typed, as `expect` reads it.
        return _path_value(session, value, given(before, kinds.DURATION))
    if kind == kinds.METRIC_RESOURCE and (rule := _rule_meta(session, value)) is not None:
        return rule
    if kind == kinds.VALUE:
        return "the value now"
    res = session.stack.resources.get(value)
    return res.type if res is not None else fallback


def _rule_meta(session: Session, name: str) -> str | None:
    """The menu's line for a rule `show metrics` measures by its AWS name: the bus it is on
    and what it targets, or the workload a schedule's rule starts; None for another name."""
    buses = session.sim.services.get("buses")
    for key, bus in buses.buses.items() if buses is not None else ():
        rule = next((r for r in bus.rules if r.name == name), None)
        if rule is not None:
            return f"rule on {key}, targets {rule.owner}"
    schedules = session.sim.services["schedules"].rules
    found = next((r for r in schedules if r.name == name), None)
    return f"schedule rule of {found.owner}" if found is not None else None


def _schedule_of(session: Session, node_id: str) -> ScheduleRule | None:
    """The schedule whose graph node id is `node_id` (`schedule:cleanup:2`), if any."""
    rules = session.sim.services["schedules"].rules
    return next((r for r in rules if r.node_id == node_id), None)


def _pool_user(session: Session, name: str, before: Sequence[tuple[str, str]]) -> User | None:
    """The user `name` names in the pool given before it (in any pool where none is)."""
    service = session.sim.services["user_pools"]
    pool = given(before, kinds.USER_POOL)
    pools = [p for p in service.pools.values() if pool is None or p.name == pool]
    return next((u for p in pools if (u := service.find(p, name)) is not None), None)


def _resource_type(session: Session, name: str) -> str:
    """The Stacktape type of the resource `name`; the account's buses (`default`) are in no
    stack, and are event buses all the same."""
    res = session.stack.resources.get(name)
    if res is not None:
        return res.type
    buses = session.sim.services.get("buses")
    return "event-bus" if buses is not None and name in buses.buses else "resource"


def _path_value(session: Session, path: str, since: str | None = None) -> str:
    """The menu's line for an expect PATH: its value now, a metric's over the last `since`
    when the line gives `--since` (nothing for a window `expect` would refuse)."""
    sim = session.sim
    if path == "time":
        return f"now {iso_ms(sim.clock.now)}"
    if path == "count":
        return "count KIND [RESOURCE]: trace records of a kind"
    if path == "item":
        return "item TABLE KEY=VALUE ATTRIBUTE: an attribute of an item, as JSON"
    if path == "object":
        return "object BUCKET KEY exists|size: an object in a bucket"
    if path == "response":
        return "response status|header NAME|body[.PATH]: the last `http` line's answer"
    if path == "messages":
        return "messages QUEUE [FIELD=VALUE ...]: messages in a queue now, by body or state"
    if path == "metric.":
        return (
            "metric.RESOURCE.METRIC.STATISTIC: CloudWatch's metrics, as `show metrics` lists them"
        )
    # The same reading as `expect` itself: queues, functions and batch jobs alike (a
    # metric's is one replay of the trace, kept for the menu's other metric paths).
    if since is not None and path.startswith("metric."):
        try:
            value = metric_value(sim, path, since)
        except CommandError:
            return ""
        return "" if value is None else f"over the last {since}: {value_text(value)}"
    value = statistic(sim, path)
    return "" if value is None else f"now {value_text(value)}"


def _unique(items: list[Candidate]) -> list[Candidate]:
    """The first candidate of each value, in order."""
    if len(set(map(_text, items))) == len(items):
        return items  # the common case, checked in C: tens of thousands of metric paths
    seen: set[str] = set()
    out = []
    for c in items:
        if c.text not in seen:
            seen.add(c.text)
            out.append(c)
    return out


_text = attrgetter("text")


def _container_meta(session: Session, value: str) -> str | None:
    """The menu's line for a container workload (`web`) or one of its containers
    (`web.app`): its type and the requests served so far; None for any other value."""
    workloads = session.sim.services["containers"].workloads
    head, _, container = value.partition(".")
    ws = workloads.get(value) or workloads.get(head)
    if ws is None or (ws.name != value and container not in ws.containers):
        return None
    if ws.name == value:
        n = ws.requests
        return f"{ws.model.type}: {n:,} request{'s' * (n != 1)} served"
    return f"container {container} of {ws.name}"
