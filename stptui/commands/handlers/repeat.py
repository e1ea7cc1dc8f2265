"""`repeat` and `cancel-repeat`: load on the virtual clock.

`repeat N COMMAND ...` runs a stimulus command N times now (a burst); with `--every D` it
runs the first now and one every D as the clock advances. `{i}` in the command's words
stands for the repetition's number, 1 to N (`{{i}}` for the text `{i}` itself).

A repeat is one clock entry at a time, re-armed by each repetition for the next, so the
scheduler's heap holds one entry per repeat whatever its N. Repetitions are foreground
work: `run` plays them out. Each repetition calls the inner command's own handler with the
words bound for it, so it is checked and answered exactly as the command typed alone; one
that the command refuses (a delay over SQS's 15 minutes, a body too large) is counted and
written to the trace as `repeat.refused`, and the load goes on. The first repetition runs
when `repeat` runs, and its refusal refuses the whole line, changing nothing.

Only the session log's `repeat` line is saved: replaying it re-arms the same entries at
the same instants, so `save`/`load` reproduce a repeat mid-way exactly.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stptui.commands.handlers.base import (
    REGISTRY,
    command,
    read_body_file,
    read_duration,
    refuse_lost_quotes,
    refuse_past_end,
    shorten,
    whole_number,
)
from stptui.commands.handlers.buckets_http_jobs import read_from
from stptui.commands.registry import (
    COUNT,
    DURATION,
    REPEAT_ID,
    STIMULUS,
    Arg,
    Call,
    Command,
    CommandError,
    Option,
    bind,
    body_from_file,
    quote_word,
    with_body_text,
)
from stptui.commands.result import CommandResult
from stptui.commands.resume import Resumption, StopTest
from stptui.commands.session import Session
from stptui.config.diagnostics import did_you_mean
from stptui.sim import trace as tk
from stptui.sim.behavior import format_duration
from stptui.sim.clock import MAX_MS, Entry, iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.explain import FOLLOW_FIELDS, Chain
from stptui.textsafe import printable

# The most repetitions one `repeat` makes: a million sends is a load no laptop question
# needs more of, and it bounds what one line can put on the clock.
MAX_REPEAT = 1_000_000
# How often a burst asks the front end whether to stop (a REPL's Ctrl-C).
STOP_EVERY = 256
# How many repeats in progress a `cancel-repeat` without an ID names in its hint.
REPEATS_LISTED = 10
# How much of a repetition's line a `repeat.refused` record and the summaries keep.
LINE_PREVIEW = 80
# How many of the first repetitions `explain repeat-N` shows the first record of (the
# latest one is shown too): enough to see the pattern, few enough to keep at any N.
EFFECTS_SHOWN = 3
# How many of a repeat's own `repeat.refused` records `explain` lists before it counts.
REFUSALS_SHOWN = 5

# The commands `repeat` runs: the stimuli, which send work into the stack and return
# without moving the clock. `http`, `invoke`, `ws-connect`, `ws-send` and the user pool
# commands normally run the clock until their answer (the pool's, after its hooks);
# repeated, they start the request (the operation) and the clock carries it (see
# `Call.detached`).
REPEATABLE = (
    "send",
    "publish",
    "publish-sns",
    "log",
    "put-record",
    "produce",
    "put-item",
    "delete-item",
    "update-item",
    "upload",
    "delete",
    "restore",
    "http",
    "invoke",
    "start-job",
    "start-execution",
    "fire",
    "ws-connect",
    "ws-send",
    "ws-post",
    "sign-up",
    "confirm-sign-up",
    "admin-create-user",
    "sign-in",
    "answer-challenge",
    "forgot-password",
    "confirm-forgot-password",
)

# Why the other commands are refused, by command; any command not named here is one
# that sets state rather than sending work (`fail`, `purge`, `pause` ...).
_CLOCK = ("advance", "until", "step", "run")
_LOOKS = ("show", "explain", "expect", "help")
_SESSION = ("save", "load", "source", "record", "undo", "redo", "reload")
_SIGN_OUTS = ("global-sign-out", "admin-user-global-sign-out", "revoke-token")

_NUMBER = re.compile(r"\{\{i\}\}|\{i\}")


def number_words(words: list[str], i: int) -> list[str]:
    """`words` with `{i}` replaced by `i` and `{{i}}` by the text `{i}`; every other brace
    stays as written, so JSON bodies need no escaping."""
    n = str(i)
    return [w if (pieces := _segments(w)) is None else n.join(pieces) for w in words]


def _segments(text: str) -> tuple[str, ...] | None:
    """`text` cut around its `{i}`, so that `str(i).join(...)` is its text for repetition i
    (`{{i}}` already written as `{i}` in the pieces); None when it holds neither, and so
    reads the same in every repetition. The one place that reads `{i}` and `{{i}}`."""
    if "{" not in text or _NUMBER.search(text) is None:
        return None
    pieces = [""]
    at = 0
    for m in _NUMBER.finditer(text):
        pieces[-1] += text[at : m.start()]
        if len(m.group()) == 5:
            pieces[-1] += "{i}"
        else:
            pieces.append("")
        at = m.end()
    pieces[-1] += text[at:]
    return tuple(pieces)


class _Bound:
    """A repeated line's call, bound once: each repetition's call has its `{i}` written into
    the values the words were bound to, instead of the line being numbered, quoted, split
    and bound again for every repetition.

    That is the same call `bind` makes of the numbered words, because numbering changes
    neither how a word is bound nor how it is quoted: `{i}` becomes digits and `{{i}}`
    becomes `{i}`, which adds no space, quote, `=` or leading `--` and never empties a word,
    and a value is bound as its word (or the text after an option's `=`). Where a varying
    word could bind differently (an option's name holds `{i}`) or a command checks its
    words' values while binding them (`check_words`), `make` gives None and each repetition
    is bound from its line."""

    __slots__ = ("args", "command", "line", "opts", "words")

    def __init__(
        self,
        command: Command,
        line: tuple[str, ...],
        words: list[str | tuple[str, ...]],
        args: dict[str, Any],
        opts: dict[str, Any],
    ) -> None:
        self.command = command
        # The pieces of each text around `{i}` (see `_segments`), or the text itself where
        # it holds no `{i}`; option values that repeat are lists of these.
        self.line = line
        self.words = words
        self.args = args
        self.opts = opts

    @classmethod
    def make(cls, command: Command, words: list[str]) -> _Bound | None:
        """The bound form of `command` with `words` (`{i}` still in them), or None when a
        repetition's words must be bound one by one (see the class)."""
        varies = [w for w in words if _segments(w) is not None]
        if varies and command.check_words is not None:
            return None
        if any(w.startswith("--") and "{" in w.partition("=")[0] for w in varies):
            return None
        try:
            call = bind(command, "", words)
        except CommandError:
            return None
        line = " ".join(quote_word(w) for w in [command.name, *words])
        return cls(
            command,
            _segments(line) or (line,),
            [_segments(w) or w for w in words],
            {k: _template(v) for k, v in call.args.items()},
            {k: _template(v) for k, v in call.opts.items()},
        )

    def call(self, i: int) -> Call:
        """Repetition `i`'s call."""
        n = str(i)
        return Call(
            self.command,
            n.join(self.line),
            [w if type(w) is str else n.join(w) for w in self.words],
            {k: _fill(v, n) for k, v in self.args.items()},
            {k: _fill(v, n) for k, v in self.opts.items()},
        )


def _template(value: Any) -> Any:
    """A bound value with its texts cut around `{i}` (a list of them for a repeated
    option); other values (a flag's True, an absent optional's None) as they are."""
    if isinstance(value, str):
        return _segments(value) or value
    if isinstance(value, list):
        return [_template(v) for v in value]
    return value


def _fill(value: Any, n: str) -> Any:
    """A value of `_template` with `n` written where `{i}` was; a list is a new list, as a
    handler gets from `bind`."""
    if type(value) is tuple:
        return n.join(value)
    if type(value) is list:
        return [_fill(v, n) for v in value]
    return value


def refusal(name: str) -> CommandError | None:
    """Why `repeat` does not run `name`, or None when it does."""
    if name in REPEATABLE:
        return None
    example = "repeat 100 --every 1s send jobQueue '{\"n\": {i}}'"
    if name in _CLOCK:
        return CommandError(
            f"repeat cannot repeat {name}: repeat puts load on the clock; it does not move it",
            f"repeat a stimulus, then move the clock: {example}, then advance 2m",
        )
    if name in ("repeat", "cancel-repeat"):
        return CommandError(f"repeat cannot repeat {name}: repeats do not nest", f"e.g. {example}")
    if name in _LOOKS:
        return CommandError(
            f"repeat cannot repeat {name}: it changes nothing, so repeating it adds no load",
            f"run {name} once after the load: e.g. {example}, advance 2m, show queues",
        )
    if name in _SESSION:
        return CommandError(f"repeat cannot repeat {name}: it is a session command", None)
    if name in _SIGN_OUTS:
        return CommandError(
            f"repeat cannot repeat {name}: it revokes tokens without running a hook or a "
            "function, so repeating it adds no load",
            f"sign users out one by one: {name} POOL USERNAME",
        )
    if name == "ws-disconnect":
        return CommandError(
            "repeat cannot repeat ws-disconnect: it closes the one connection it names, so "
            "every repetition after the first would find it closed",
            "close each connection with its own ws-disconnect; API Gateway closes the ones "
            "left idle for 10 minutes",
        )
    return CommandError(
        f"repeat cannot repeat {name}: it changes how the stack behaves rather than sending "
        "it work",
        f"repeat runs {', '.join(REPEATABLE)}",
    )


@dataclass(slots=True, eq=False)
class Repeat:
    """One `repeat` line in progress: what it runs, how often, and how far it has come."""

    id: str
    # The session whose line made it; after a `load`, the one the replay ran in, which
    # has this very simulation (the handlers read the simulation and the stack from it).
    session: Session
    command: Command
    words: list[str]  # the inner command's words after its name, `{i}` still in them
    count: int
    every_ms: int
    start_ms: int
    ran: int = 0  # repetitions made so far (the next is number ran + 1)
    refused: int = 0
    # What the command answered, where a load question wants it counted (deduplicated
    # messages, throttled invokes).
    notes: Counter[str] = field(default_factory=Counter)
    first_refusal: str | None = None
    entry: Entry | None = None
    cancelled: bool = False
    # Where the trace stood around the first EFFECTS_SHOWN repetitions and the latest one:
    # (i, the sequence number before it, the one after), so that `explain` can show the
    # first record each made, or that it made none, whatever N.
    marks: list[tuple[int, int, int]] = field(default_factory=list)
    latest: tuple[int, int, int] | None = None
    # The words bound once, when each repetition's call can be made from them (`_Bound`).
    bound: _Bound | None = None

    @property
    def numbered(self) -> bool:
        """Whether the words hold `{i}`, so that each repetition binds its own."""
        return any("{i}" in w for w in self.words)

    def line(self, i: int | None = None) -> str:
        """The inner command line (repetition `i`'s, when given), quoted to read back."""
        words = self.words if i is None else number_words(self.words, i)
        return " ".join(quote_word(w) for w in [self.command.name, *words])

    @property
    def left(self) -> int:
        """Repetitions still to come."""
        return self.count - self.ran

    def due(self, i: int) -> int:
        """The instant of repetition `i`."""
        return self.start_ms + (i - 1) * self.every_ms

    def agenda_text(self, _arg: Any = None) -> str:
        """What the agenda says of the next repetition."""
        i = self.ran + 1
        return (
            f"repetition {i:,} of {self.count:,}: {printable(shorten(self.line(i), LINE_PREVIEW))}"
            f" ({self.left:,} left, one every {format_duration(self.every_ms)})"
        )


class Repeats:
    """The repeats of one simulation (kept in `sim.services["repeats"]`, so that a `load`
    brings the loaded simulation's own): the ones in progress, and every one made (for
    `explain`)."""

    def __init__(self) -> None:
        self.active: dict[str, Repeat] = {}
        self.every: dict[str, Repeat] = {}

    @property
    def made(self) -> int:
        """How many repeats were made (the next is repeat-<made + 1>)."""
        return len(self.every)


def in_progress(sim: Simulator) -> list[str]:
    """The ids of the repeats in progress (what `cancel-repeat` stops), oldest first."""
    repeats = sim.services.get("repeats")
    active = repeats.active if isinstance(repeats, Repeats) else {}
    return sorted(active, key=lambda r: int(r.rpartition("-")[2]))


def missing_id_hint(sim: Simulator) -> str:
    """The hint of a `cancel-repeat` without its ID: the usage, and the repeats it could
    stop now (or that there are none), since the user cannot see their ids from here."""
    active = in_progress(sim)
    if not active:
        return "usage: cancel-repeat ID; no repeat is in progress, so there is none to cancel"
    listed = ", ".join(active[:REPEATS_LISTED])
    if len(active) > REPEATS_LISTED:
        listed += f" and {len(active) - REPEATS_LISTED:,} more (`show agenda` lists them)"
    return f"usage: cancel-repeat ID; repeats in progress: {listed}; e.g. cancel-repeat {active[0]}"


def repeats_of(sim: Simulator) -> Repeats:
    """The simulation's repeats, made on first use."""
    found = sim.services.get("repeats")
    if found is None:
        found = sim.services["repeats"] = Repeats()
    return found


def _repeatable(name: str) -> Command:
    """The command `name`, when `repeat` runs it; else the CommandError that says why not
    (an unknown command with its did-you-mean)."""
    from stptui.commands.handlers import REGISTRY

    inner = REGISTRY.get(name)
    if (refused := refusal(inner.name)) is not None:
        raise refused
    return inner


def _bind_inner(name: str, words: list[str]) -> tuple[Command, Call]:
    """The inner command and repetition 1's call, or the CommandError the command would
    give (an unknown command with its did-you-mean, a refused one, a bad option)."""
    inner = _repeatable(name)
    first = number_words(words, 1)
    call = bind(inner, " ".join(quote_word(w) for w in [name, *first]), first)
    return inner, call


def _run(rep: Repeat, i: int, call: Call | None = None) -> None:
    """Make repetition `i` (its call already bound, when given). A refusal raises."""
    if call is None:
        if rep.bound is not None:
            call = rep.bound.call(i)
        else:
            words = number_words(rep.words, i) if rep.numbered else list(rep.words)
            call = bind(rep.command, rep.line(i), words)
    call.detached = True
    trace = rep.session.sim.trace
    before = trace.seq
    try:
        result = rep.command.handler(rep.session, call)
    finally:
        mark = (i, before, trace.seq)
        if i <= EFFECTS_SHOWN:
            rep.marks.append(mark)
        else:
            rep.latest = mark
    data = result.data if isinstance(result.data, dict) else {}
    if data.get("deduplicated"):
        rep.notes["deduplicated"] += 1
    if data.get("status") == "throttled":
        rep.notes["throttled"] += 1
    if data.get("already_running"):
        # StartExecution with a running execution's name and input returns it: no refusal,
        # but no new execution either, which a load question must not count as one.
        rep.notes["already running"] += 1


def _run_counted(rep: Repeat, i: int) -> None:
    """Make repetition `i`; a refusal is counted and traced, and the load goes on."""
    try:
        _run(rep, i)
    except (CommandError, SimError) as exc:
        message = exc.message if isinstance(exc, CommandError) else str(exc)
        rep.refused += 1
        if rep.first_refusal is None:
            rep.first_refusal = f"#{i:,}: {message}"
        sim = rep.session.sim
        sim.trace.emit(
            (
                sim.clock.now,
                tk.REPEAT_REFUSED,
                rep.id,
                {"i": i, "command": shorten(rep.line(i), LINE_PREVIEW), "error": message},
            )
        )
    rep.ran = i


def _fire(rep: Repeat) -> None:
    """The clock entry of a repeat's next repetition: make it, then arm the one after."""
    rep.entry = None
    _run_counted(rep, rep.ran + 1)
    if rep.left:
        _arm(rep)
    else:
        _finish(rep)


def _arm(rep: Repeat) -> None:
    sim = rep.session.sim
    rep.entry = sim.clock.at(rep.due(rep.ran + 1), _fire, rep, ("repeat", rep.id, rep.agenda_text))


def _finish(rep: Repeat) -> None:
    """Trace the end of a repeat whose repetitions are all made."""
    sim = rep.session.sim
    repeats_of(sim).active.pop(rep.id, None)
    sim.trace.emit(
        (sim.clock.now, tk.REPEAT_COMPLETED, rep.id, {"ran": rep.ran, "refused": rep.refused})
    )


def _counts(rep: Repeat) -> str:
    """`497 accepted, 3 refused, 2 deduplicated`."""
    parts = [f"{rep.ran - rep.refused:,} accepted", f"{rep.refused:,} refused"]
    parts += [f"{n:,} {what}" for what, n in sorted(rep.notes.items())]
    return ", ".join(parts)


def _plan(call: Call) -> tuple[int, int, Command, Call]:
    """What the line asks for, read before anything runs: N, --every (0 without it), the
    inner command and repetition 1's call; or the CommandError that refuses the line."""
    # With a command, the binder took the command's name for N: say the count is missing.
    _count_first([call.args["n"], *call.args["command"]], call.opts.get("every"))
    count = whole_number(call.args["n"], "repeat N", maximum=MAX_REPEAT)
    every = 0
    if "every" in call.opts:
        every = read_duration(call.opts["every"], "--every")
        if every < 1:
            raise CommandError("--every must be at least 1 ms", "e.g. --every 100ms")
    words = call.args["command"]
    inner, first = _bind_inner(words[0], words[1:])
    for word in words[1:]:
        refuse_lost_quotes(word, call.line)
    found = _from_word(words) if inner.name == "upload" else None
    if found is not None and "{i}" in found[1]:
        raise CommandError(
            "repeat reads upload's --from file once, as it runs, so {i} cannot name a file "
            "per repetition",
            "upload one file, or vary the object: --content 'id,{i}' or a key with {i}",
        )
    found = _from_word(words) if inner.body_file is not None else None
    if found is not None and "{i}" in found[1]:
        raise CommandError(
            f"repeat reads {inner.name}'s --from file once, as it runs, so {{i}} cannot name "
            "a file per repetition",
            "read one file, and vary the body itself: {i} in the file's text is the "
            "repetition's number",
        )
    if inner.name == "start-execution" and any(
        w.startswith("@") and "{i}" in w and words[n - 1] != "--name"
        for n, w in enumerate(words[1:], 1)
    ):
        raise CommandError(
            "repeat reads start-execution's @FILE input once, as it runs, so {i} cannot name "
            "a file per repetition",
            'start with one file, or vary the input itself: \'{"orderId": "o-{i}"}\'',
        )
    return count, every, inner, first


def _from_word(words: list[str]) -> tuple[int, str] | None:
    """Where `--from PATH` (or `--from=PATH`) is among an upload line's words: the index of
    its first word and the path; None without one."""
    for n, word in enumerate(words):
        if word == "--":
            break
        if word == "--from" and n + 1 < len(words):
            return n, words[n + 1]
        if word.startswith("--from="):
            return n, word[len("--from=") :]
    return None


def _with_bytes(words: list[str]) -> list[str]:
    """An upload line's words with `--from PATH` as `--base64` of the file's bytes, read
    now: as `upload --from` alone is logged, so that the session log replays without the
    file, and every repetition uploads what the file held when `repeat` ran."""
    found = _from_word(words)
    if found is None:
        return words
    n, path = found
    encoded = base64.b64encode(read_from(path)).decode("ascii")
    width = 2 if words[n] == "--from" else 1
    return [*words[:n], "--base64", encoded, *words[n + width :]]


def _with_input_text(words: list[str], first: Call) -> list[str]:
    """A start-execution line's words with its `@FILE` input as the file's text, read now:
    as `start-execution` alone is logged, so that the session log replays (undo, reload,
    load) what the file held, even once it is edited (`_plan` refuses a path with {i})."""
    from stptui.commands.handlers.state_machines import json_argument_text

    given = first.args.get("input")
    if given is None or not given.startswith("@"):
        return words
    for n, word in enumerate(words[1:], 1):
        if word == given and words[n - 1] != "--name":
            return [*words[:n], json_argument_text(given), *words[n + 1 :]]
    return words


def inner_hint(session: Session, call: Call, hint: str | None) -> str:
    """The hint for the inner command's refusal, as `execute` would give it for the line
    typed alone: its arguments swapped (`send x jobQueue`) first, else its own hint, else
    where its help is."""
    from stptui.commands import order_hint

    swapped = order_hint(session, call)
    return swapped or hint or f"`help {call.command.name}` shows its arguments and examples"


def _count_first(words: list[str], every: str | None = None) -> None:
    """Refuse a line that starts with the command to repeat and gives no count (`repeat
    put-record ...`), with the line as it would be with one (and its --every D)."""
    if words and words[0] in REPEATABLE:
        line = ["repeat", "10", *(["--every", every] if every else []), *words]
        shown = shorten(" ".join(quote_word(w) for w in line), LINE_PREVIEW)
        if len(words) == 1:
            # The command's name alone: its usage says what else the line needs.
            shown = "repeat 10 " + REGISTRY.commands[words[0]].usage
        raise CommandError(
            f"repeat needs a count before the command: how many times to run {words[0]}",
            f"e.g. {shown}",
        )


def _check_repeat(sim: Any, call: Call) -> None:
    """The line's own checks (the REPL's check before Enter asks them too)."""
    _plan(call)


@command(
    "repeat",
    "messages",
    "Run a stimulus command N times: all now, or one every D as the clock advances.",
    args=(
        Arg("N", COUNT, f"how many times, 1 to {MAX_REPEAT:,}"),
        Arg(
            "COMMAND",
            STIMULUS,
            "the command to repeat, with its arguments; {i} is the repetition's number",
            rest=True,
            check=lambda sim, name: _repeatable(name),
            command_line=True,
        ),
    ),
    options=(
        Option("--every", DURATION, "run the first now, then one every D of virtual time", "D"),
    ),
    usage="repeat N [--every D] COMMAND ...",
    examples=(
        "repeat 200 --every 50ms send jobQueue '{\"jobId\": {i}}'",
        "repeat 50 upload uploads 'incoming/file-{i}.csv' --size 100",
        "repeat 1200 --every 50ms http GET /jobs/{i}",
        "repeat 10 send orders '{\"n\": {i}}' --group g1 --dedup-id d-{i}",
    ),
    details=(
        "Without --every every repetition runs now, in order; with it the first runs now "
        "and the others as `advance`, `until`, `step`, `run` or the TUI's clock reach them "
        "(`run` plays them out: they are load the user asked for). `show agenda` shows the "
        "next one and how many are left; `cancel-repeat ID` stops the rest; `explain ID` tells "
        "where a repeat stands and the first records its repetitions made.\n"
        "{i} in the command's words is the repetition's number, 1 to N, so bodies, keys "
        "and paths can differ; {{i}} writes {i} itself. Other braces stay as written.\n"
        f"Repeatable: {', '.join(REPEATABLE)}. A repeated http, invoke, ws-connect or "
        "ws-send does not wait for its answer: the request starts and the clock carries it, "
        "and the trace records the response (http.response, invocation.succeeded, "
        "ws.connected, ws.received ...). So does a repeated user pool command: Cognito's own "
        "checks answer at once (a refusal is counted), its hooks run as the clock advances, "
        "and the trace records how each ends (user.signed_up, user.refused ...).\n"
        "The first repetition runs when repeat does, and if the command refuses it, the "
        "repeat is refused and nothing changes. A later repetition the command refuses (a "
        "delay over SQS's 15 minutes, a body over the queue's size limit, a ws-send on a "
        "connection closed meanwhile) is counted and traced (repeat.refused), and the load "
        "goes on.\n"
        "A burst that takes more than a second in the terminal UI goes on in the fast-forward "
        "dialog, the same repeat; stopped there (escape), or with Ctrl-C in the REPL, it is "
        "the repeat of the repetitions made (`repeat K ...`), in the log and in `explain`."
    ),
    # A lone command name binds to nothing: refuse it here, before the binder's "needs
    # COMMAND" (a longer line is refused by `_plan`, which sees --every too).
    check_words=lambda words: _count_first(words) if len(words) == 1 else None,
    check_call=_check_repeat,
    changes_state=True,
)
def cmd_repeat(session: Session, call: Call) -> CommandResult:
    """repeat N [--every D] COMMAND ..."""
    sim = session.sim
    count, every, inner, first = _plan(call)
    words = call.args["command"]
    inlined = words
    if inner.name == "upload" and "from" in first.opts:
        inlined = _with_bytes(words)
    elif (path := body_from_file(first)) is not None:
        # Read once, as `repeat` runs: the log keeps the text, and each repetition sends it.
        text = read_body_file(path)
        inlined = [words[0], *with_body_text(inner, words[1:], words[1:], text, quote=False)]
    elif inner.name == "start-execution":
        inlined = _with_input_text(words, first)
    if inlined is not words:
        words = inlined
        inner, first = _bind_inner(words[0], words[1:])
        every_words = ["--every", call.opts["every"]] if "every" in call.opts else []
        call.log_line = " ".join(
            quote_word(w) for w in ["repeat", str(count), *every_words, *words]
        )
    now = sim.clock.now
    last = now + (count - 1) * every
    if last > MAX_MS:
        refuse_past_end(sim, f"its last repetition would be at {iso_ms(last)}")
    repeats = repeats_of(sim)
    rep = Repeat(f"repeat-{repeats.made + 1}", session, inner, words[1:], count, every, now)
    if count > 1:
        rep.bound = _Bound.make(inner, rep.words)
    # The first repetition is the line's check: its refusal is the command's, and it
    # changed nothing (handlers validate before they act).
    try:
        _run(rep, 1, first)
    except SimError as exc:
        raise CommandError(str(exc), inner_hint(session, first, exc.hint)) from None
    except CommandError as exc:
        exc.hint = inner_hint(session, first, exc.hint)
        raise
    rep.ran = 1
    repeats.every[rep.id] = rep
    shown = printable(shorten(rep.line(), LINE_PREVIEW))
    head = f"{rep.id}: {count:,} × {shown}"
    data = {"repeat": rep.id, "count": count, "every_ms": every, "last": iso_ms(last)}
    if every and count > 1:
        # Only a repeat that goes on as the clock runs is announced: a burst's one record
        # is its `repeat.completed`, so that an interrupted burst, logged as the shorter
        # repeat that ran, replays to the very same trace.
        sim.trace.emit(
            (
                now,
                tk.REPEAT_STARTED,
                rep.id,
                {
                    "command": shorten(rep.line(), LINE_PREVIEW),
                    "count": count,
                    "every_ms": every,
                    "last": iso_ms(last),
                },
            )
        )
        repeats.active[rep.id] = rep
        _arm(rep)
        text = (
            f"{head}: 1 now, then every {format_duration(every)} until {iso_ms(last)} (ends "
            f"in {format_duration(last - now)} of virtual time); `cancel-repeat {rep.id}` "
            "stops it"
        )
        return CommandResult(text, data={**data, "ran": 1, "refused": 0})
    if not _burst(rep, call.should_stop):
        # The log holds the repeat that ran, which replays to this very state.
        call.log_line = _ran_line(rep, words)
        if call.resumable:
            # Not finished: the front end runs the rest of it (`_BurstRest`).
            rest = _BurstRest(session, rep, words, head, data)
            return CommandResult(
                f"{head}: {rep.ran:,} made so far", data={**data, "ran": rep.ran}, resumption=rest
            )
        return _burst_result(rep, head, data, stopped=True)
    return _burst_result(rep, head, data, stopped=False)


def _burst(rep: Repeat, should_stop: Callable[[], bool] | None) -> bool:
    """Make a burst's repetitions from the next one on; False when `should_stop` stopped
    it first (asked every STOP_EVERY repetitions)."""
    for i in range(rep.ran + 1, rep.count + 1):
        if should_stop is not None and not i % STOP_EVERY and should_stop():
            return False
        _run_counted(rep, i)
    return True


def _ran_line(rep: Repeat, words: list[str]) -> str:
    """The repeat line that replays the repetitions made so far."""
    return " ".join(quote_word(w) for w in ["repeat", str(rep.ran), *words])


def _burst_result(rep: Repeat, head: str, data: dict[str, Any], *, stopped: bool) -> CommandResult:
    """End a burst (stopped short when `stopped`) and say what it made."""
    if stopped:
        # The repeat is the one logged, so that `explain` says the same after a `load`.
        rep.count = rep.ran
    _finish(rep)
    lines = [f"{head} now: {_counts(rep)}"]
    if stopped:
        lines[0] = f"interrupted after {rep.ran:,}; {lines[0]}"
    if rep.first_refusal is not None:
        lines.append(f"first refused: {printable(rep.first_refusal)}")
        lines.append(f"`show trace` lists them (repeat.refused on {rep.id})")
    result = {**data, "ran": rep.ran, "refused": rep.refused, **rep.notes}
    if stopped:
        # So that a script stops here too, as after any command stopped short.
        result["interrupted"] = True
    return CommandResult("\n".join(lines), data=result)


class _BurstRest(Resumption):
    """The rest of a burst `repeat`: the same repeat goes on making its repetitions, and is
    finished (its `repeat.completed` traced) once, at the end, as a burst run at once is;
    the log holds the repeat of the repetitions made so far."""

    def __init__(
        self, session: Session, rep: Repeat, words: list[str], head: str, data: dict[str, Any]
    ) -> None:
        super().__init__(session, rep.count, "repetitions")
        self.rep = rep
        self.words = words
        self.head = head
        self.data = data
        self.done = rep.ran

    def _go(self, should_stop: StopTest) -> bool:
        try:
            return _burst(self.rep, should_stop)
        finally:
            self.done = self.rep.ran
            self.lines = [_ran_line(self.rep, self.words)]

    def _end(self, *, cancelled: bool) -> CommandResult:
        result = _burst_result(self.rep, self.head, self.data, stopped=cancelled)
        if cancelled:
            result.text = result.text.replace("interrupted after", "stopped after", 1)
        return result


def _state(rep: Repeat, active: bool) -> str:
    """Where a repeat stands: in progress, cancelled or completed (a burst interrupted is
    the shorter repeat that ran, as the session log has it)."""
    if active:
        return (
            f"in progress: {rep.ran:,} of {rep.count:,} made ({_counts(rep)}); the next, "
            f"#{rep.ran + 1:,}, at {iso_ms(rep.due(rep.ran + 1))}"
        )
    if rep.cancelled:
        return f"cancelled after {rep.ran:,}: {_counts(rep)}; {rep.left:,} not made"
    return f"completed: {_counts(rep)}"


def _effect(sim: Simulator, rep: Repeat, mark: tuple[int, int, int]) -> list[str]:
    """The lines of what one repetition made first: its first record and the id to explain
    next; or its refusal; or that it made no record."""
    i, before, after = mark
    label = f"  #{i:<{len(f'{rep.count:,}')}} "
    if after > before:
        rec = next(iter(sim.trace.since(before)), None)
        if rec is None or rec.seq != before + 1:
            return [f"{label}(its records have left the trace ring)"]
        lines = [label + line for line in Chain(rep.id, [rec]).lines()[:1]]
        follow = next((rec.data[k] for k in FOLLOW_FIELDS if isinstance(rec.data.get(k), str)), "")
        if follow:
            # A runnable line: a key with a control character in it is typed in $'...'.
            lines.append(f"{' ' * len(label)}explain {quote_word(follow)}")
        return lines
    refusal = next(iter(sim.trace.since(after)), None)
    if (
        refusal is not None
        and refusal.kind == tk.REPEAT_REFUSED
        and refusal.resource == rep.id
        and refusal.get("i") == i
    ):
        return [f"{label}refused: {printable(str(refusal.get('error')))}"]
    return [f"{label}made no trace record (the command answered without a change)"]


# The kinds of a repeat's own records.
_REPEAT_KINDS = frozenset(k for k in tk.KINDS if k.startswith("repeat."))


def explain_repeat(sim: Simulator, key: str) -> CommandResult | None:
    """`explain repeat-N`: what the repeat runs and how often, where it stands, its own
    records, and the first record its first repetitions and its latest one made (with the
    id that `explain` follows from there); None when `key` names no repeat."""
    repeats = sim.services.get("repeats")
    rep = repeats.every.get(key) if isinstance(repeats, Repeats) else None
    if rep is None:
        return None
    when = (
        f"one every {format_duration(rep.every_ms)} from {iso_ms(rep.start_ms)} to "
        f"{iso_ms(rep.due(rep.count))}"
        if rep.every_ms and rep.count > 1
        else f"all at {iso_ms(rep.start_ms)}"
    )
    lines = [
        f"{rep.id}: {rep.count:,} × {printable(shorten(rep.line(), LINE_PREVIEW))}, {when}",
        _state(rep, rep.id in repeats.active),
        "its records:",
    ]
    # Newest first, passing over the raw tuples of the others without making Records.
    own = list(sim.trace.newest(rep.id, _REPEAT_KINDS))
    own.reverse()
    refused = 0
    for rec in own:
        if rec.kind == tk.REPEAT_REFUSED:
            refused += 1
            if refused > REFUSALS_SHOWN:
                continue
        lines += [f"  {line}" for line in Chain(rep.id, [rec]).lines()]
        if refused == REFUSALS_SHOWN and rec.kind == tk.REPEAT_REFUSED:
            more = sum(r.kind == tk.REPEAT_REFUSED for r in own) - REFUSALS_SHOWN
            if more:
                lines.append(f"  ... {more:,} more repeat.refused (`show trace` lists them)")
    if not own:
        lines.append("  (none left in the trace ring)")
    lines.append("the first record each repetition made (explain its id to follow it on):")
    for mark in rep.marks:
        lines += _effect(sim, rep, mark)
    if rep.latest is not None:
        if rep.latest[0] > EFFECTS_SHOWN + 1:
            lines.append(f"  ... {rep.latest[0] - EFFECTS_SHOWN - 1:,} more")
        lines += _effect(sim, rep, rep.latest)
    data = {
        "repeat": rep.id,
        "count": rep.count,
        "every_ms": rep.every_ms,
        "ran": rep.ran,
        "refused": rep.refused,
        "records": [r.to_json() for r in own],
    }
    return CommandResult("\n".join(lines), data=data)


@command(
    "cancel-repeat",
    "messages",
    "Stop a repeat that runs --every D; the repetitions already made stay.",
    args=(Arg("ID", REPEAT_ID, "the repeat's id, e.g. repeat-1 (`show agenda` lists them)"),),
    examples=("cancel-repeat repeat-1",),
    changes_state=True,
)
def cmd_cancel_repeat(session: Session, call: Call) -> CommandResult:
    """cancel-repeat ID"""
    sim = session.sim
    repeats = repeats_of(sim)
    name = call.args["id"]
    rep = repeats.active.get(name)
    if rep is None:
        active = in_progress(sim)
        guess = did_you_mean(name, active)
        if name.isdigit() and f"repeat-{name}" in repeats.every:
            guess = f"repeat-{name}"  # the number alone, as `show agenda` does not print it
        if (ended := repeats.every.get(name)) is not None:
            # It was made and is over: say how it ended, not that there was no such repeat.
            how = (
                "it was cancelled"
                if ended.cancelled
                else f"all {ended.ran:,} of its repetitions were made"
            )
            raise CommandError(
                f"{ended.id} is no longer in progress: {how}",
                f"`explain {ended.id}` says what it made"
                + (f"; repeats in progress: {', '.join(active)}" if active else ""),
            )
        if guess:
            hint = f"did you mean {guess}?"
        elif active:
            hint = f"repeats in progress: {', '.join(active)}"
        else:
            hint = "no repeat is in progress: a repeat without --every runs all at once"
        raise CommandError(
            f"no repeat {quote_word(shorten(name, 40))} is in progress", hint, word=name
        )
    if rep.entry is not None:
        sim.clock.cancel(rep.entry)
        rep.entry = None
    del repeats.active[name]
    rep.cancelled = True
    left = rep.left
    sim.trace.emit(
        (
            sim.clock.now,
            tk.REPEAT_CANCELLED,
            rep.id,
            {"ran": rep.ran, "refused": rep.refused, "left": left},
        )
    )
    return CommandResult(
        f"{rep.id} cancelled: {_counts(rep)}; {left:,} not made",
        data={"repeat": rep.id, "ran": rep.ran, "refused": rep.refused, "left": left},
    )
