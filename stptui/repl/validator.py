"""Checking a command line before it runs, with the readers the commands themselves use.

`check(session, text, final)` runs nothing: it looks the verb up in the registry, follows
the words through the command's grammar (`grammar.Walker`), checks every value whose kind
names something closed (a queue, function, bus, topic, bucket, stream, table, state
machine, batch job or scheduled workload through the simulator's own lookups, so the
message and the did-you-mean are the ones the command would give; a command name, a trace
record kind, a duration, an argument's fixed words, or the command's own check of a word,
`Arg.check`) and, for a finished line, binds it with `REGISTRY.parse`, the parser `execute`
uses, and asks the command's own check of the bound line (`Command.check_call`).

While the line is being typed (`final` False) the word under the cursor is not judged yet,
nor is a missing argument; on Enter everything is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from prompt_toolkit.document import Document
from prompt_toolkit.validation import ValidationError, Validator

from stptui.commands import (
    CONTENT_KINDS,
    REGISTRY,
    TRACE_KINDS,
    CommandError,
    Session,
    aws_name_hint,
    explained,
    given,
    help_hint,
    kind_hint,
    order_hint,
    parse,
)
from stptui.commands import registry as kinds
from stptui.commands.handlers.base import read_duration, whole_number
from stptui.commands.handlers.buckets_http_jobs import check_http_method
from stptui.commands.handlers.expect import (
    check_path,
    check_record_filter,
    check_record_kind,
    check_record_resource,
    missing_comparison,
)
from stptui.commands.handlers.metrics import check_metric_resource
from stptui.commands.names import (
    FIXED_NAME_KINDS,
    bound_values,
    name_problem,
    unknown_workload,
)
from stptui.commands.references import reference_problem, typed_reference
from stptui.commands.script import OPENING_COMMANDS
from stptui.config.diagnostics import did_you_mean
from stptui.repl.grammar import OPTION, Slot, Walker
from stptui.repl.words import Word, commands_in, one_line, read_words
from stptui.sim.behavior import BehaviorError, parse_duration
from stptui.sim.engine import SimError
from stptui.textsafe import printable, quote_word


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a line would not run, and the offset in the line to put the cursor at."""

    message: str
    hint: str | None
    position: int

    def format(self) -> str:
        """One line for the validation toolbar."""
        return f"{self.message} ({self.hint})" if self.hint else self.message


def check_value(
    session: Session,
    slot: Slot,
    value: str,
    before: Sequence[tuple[str, str]] = (),
    count_label: str = "N",
    command: str = "",
) -> CommandError | None:
    """What is wrong with `value` in `slot`, when its kind is one that can be checked;
    `before` holds the (kind, word) pairs of the values before it (the record kind that a
    `count KIND` RESOURCE or FIELD=VALUE goes with). `count_label` names a count in the
    message (`step N`), as the command names it (see `count_label`); a duration is named
    by its option, else by `command`, the command's name, as the command names it."""
    sim = session.sim
    kind = slot.kind
    record = given(before, kinds.TRACE_KIND)
    # A command's own check of its connection goes first (ws-post's GoneException).
    own = slot.arg is not None and slot.arg.check is not None
    if kind in FIXED_NAME_KINDS or (kind == kinds.CONNECTION and not own):
        named = name_problem(session, kind, value, before, command)
        if named is not None:
            named.hint = _aws_hint(session, kind, value) or named.hint
            return named
    try:
        if kind == kinds.COMMAND and value != kinds.HELP_ALL:
            REGISTRY.get(value)
        elif kind == kinds.DURATION:
            what = slot.option.name if slot.option is not None else command
            if what:
                read_duration(value, what)
            else:
                parse_duration(value)
        elif kind == kinds.COUNT and value not in slot.choices:
            whole_number(value, count_label)
        elif kind == kinds.HTTP_METHOD:
            check_http_method(value)
        elif kind == kinds.EXPECT_PATH:
            check_path(sim, value)
        elif kind == kinds.METRIC_RESOURCE:
            check_metric_resource(sim, value)
        elif kind == kinds.TRACE_KIND:
            check_record_kind(value)
        elif kind == kinds.RECORD_RESOURCE and record in TRACE_KINDS:
            check_record_resource(sim, record, value)
        elif kind == kinds.RECORD_FIELD and record in TRACE_KINDS:
            check_record_filter(record, value, given(before, kinds.RECORD_RESOURCE))
        elif slot.arg is not None and slot.arg.check is not None and kind == slot.arg.kind:
            slot.arg.check(sim, value)  # the command's own check (see Arg.check)
        elif slot.choices and slot.arg is not None and kind in (kinds.WORD, kinds.OPERATOR):
            # An option's choices are left to the command, whose refusal names the option.
            _one_of(value, slot.choices, slot.arg.name)
    except (SimError, BehaviorError) as exc:
        return CommandError(str(exc), _aws_hint(session, kind, value) or exc.hint)
    except CommandError as exc:
        exc.hint = _aws_hint(session, kind, value) or exc.hint
        return exc
    return None


def _aws_hint(session: Session, kind: str, value: str) -> str | None:
    """The stack's name of the resource `value` names by its AWS name (see
    `aws_name_hint`), unless `value` is content of the user's own (a body may hold an
    ARN)."""
    return None if kind in CONTENT_KINDS else aws_name_hint(session, [value])


def count_label(command: kinds.Command, slot: Slot, positional: Sequence[str]) -> str:
    """How the command names the count in `slot` when it refuses one, the words before it
    being `positional`: the argument's name (`step N`, `fire INDEX`), or, where the word
    before says the value is a count (`show trace N`, `fail worker next N`), the words
    typed up to it and N."""
    arg = slot.arg
    if arg is None:
        return f"{command.name} N"
    if positional and any(w == positional[-1] for w, _ in arg.kind_after):
        return " ".join([command.name, *positional, "N"])
    return f"{command.name} {arg.name}"


def _not_a_choice(slot: Slot, value: str) -> bool:
    """Whether `value` is refused for being none of the fixed words of `slot`'s argument
    (`check_value`'s last test), not by a check of its own kind."""
    arg = slot.arg
    return (
        arg is not None
        and arg.check is None
        and bool(slot.choices)
        and slot.kind in (kinds.WORD, kinds.OPERATOR)
        and value not in slot.choices
    )


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        guess = did_you_mean(value, allowed)
        raise CommandError(
            f"unknown {what} {value!r}",
            f"did you mean {quote_word(guess)}?" if guess else f"one of: {', '.join(allowed)}",
        )


def check(session: Session, text: str, final: bool = True) -> Problem | None:
    """The first problem in the command line `text`, or None. A text of several commands
    (lines pasted at once) is checked command by command, each but the last as finished;
    the problem then says which line it is on. The commands after a `load` or a `reload`
    are not judged: they run on the stack it opens (as `stptui run` leaves them to their
    turn: `script.unrunnable`)."""
    pieces = commands_in(text) or [(0, text)]
    for n, (start, piece) in enumerate(pieces):
        problem = _check_command(session, piece, final or n < len(pieces) - 1)
        if problem is not None:
            where = f"line {text.count(chr(10), 0, start) + 1}: " if len(pieces) > 1 else ""
            return Problem(where + problem.message, problem.hint, start + problem.position)
        words = read_words(piece).words
        if words and words[0].text in OPENING_COMMANDS:
            break
    return None


def _check_command(session: Session, text: str, final: bool) -> Problem | None:
    """The first problem in one command (which may span lines), or None."""
    reading = read_words(text)
    if reading.open:
        return None  # the line goes on; Enter adds a line break
    if reading.escape_error is not None:
        at, exc = reading.escape_error
        return Problem(f"cannot split the line: {kinds.escape_message(exc, at)}", exc.hint, at)
    words = reading.words
    if not final and not reading.at_gap and words:
        words = words[:-1]  # the word being typed
    if not words:
        return None
    verb = words[0]
    try:
        command = REGISTRY.get(verb.text, [w.text for w in words[1:]])
    except CommandError as exc:
        return Problem(exc.message, exc.hint, verb.start)
    walker = Walker(command)
    positional: list[str] = []
    for word in words[1:]:
        before = tuple(walker.bound)
        slot = walker.feed(word.text)
        if slot is None:
            continue
        label = count_label(command, slot, positional)
        if slot.kind != OPTION and slot.option is None:
            positional.append(word.text)
        error: CommandError | None = None
        if typed_as_reference(text, word):
            # `$last`, `$newest:KIND`: judged by its form and the trace's counts; the id
            # it names is taken when the line runs.
            error = reference_problem(session, word.text)
        elif slot.kind == OPTION:
            name, eq, value = word.text.partition("=")
            if slot.option is None:
                try:
                    command.option(name)
                except CommandError as exc:
                    error = exc
            elif eq:
                error = check_value(session, Slot(slot.option.kind, option=slot.option), value)
        elif slot.kind == kinds.PAUSABLE and _by_trigger(words):
            # `pause W --trigger S` takes W as a mapping's workload, not a schedule's owner:
            # judged as `names.misnamed` judges it, the rest by the command's own check.
            error = unknown_workload(session, word.text, command.name)
        else:
            error = check_value(session, slot, word.text, before, label, command.name)
            if error is not None and not final and _not_a_choice(slot, word.text):
                # A word none of the argument's fixed words, refused in the command's own
                # words where its check of the line reads them (`fail worker sometimes`:
                # unknown fail form, and its forms as `help fail` writes them), as Enter
                # refuses it (`_call_error` below).
                end = next((w.start for w in reading.words if w.start > word.start), len(text))
                error = _call_error(session, command, text[:end]) or error
        if (
            error is not None
            and slot.kind in (kinds.DURATION, kinds.INSTANT)
            and any(w.start > word.start for w in reading.words)
        ):
            # `advance 1 hour`: the words after a duration may be its unit, which the
            # command reads whole (`write the duration as one word: 1hour`).
            if not final:
                return None
            joined = _parse_error(text)
            if joined is not None:
                return Problem(joined.message, joined.hint, _at(joined, one_line(text), 0))
        if error is not None:
            if final:
                # On Enter, a line that does not bind is refused for that, as the command
                # (and a script's check of its lines) refuses it before it looks up the
                # names in it: `send jobQeue` is `send needs BODY`, `pause workr
                # --trigger` is `--trigger needs a value`. While it is typed, a missing
                # argument is not judged yet: the misspelt word is what the check shows.
                usage = _usage_problem(session, text)
                if usage is not None:
                    return usage
            at = word.start
            # On Enter, the command's own check of the whole line answers first, as the
            # command does (`ws-disconnect ID --server` is DeleteConnection's GoneException),
            # at the word it names.
            if final and (first := _call_error(session, command, text)) is not None:
                error, at = first, _at(first, one_line(text), at)
            hint = (
                _aws_hint(session, slot.kind, word.text)
                or _order_hint(session, text)
                or _kind_hint(session, text, error.hint)
            )
            if slot.kind != OPTION or slot.option is not None:
                # A value's error comes from the command as it runs, with execute's hint.
                hint = hint or help_hint(command.name)
            return Problem(error.message, hint, at)
    if not final:
        return None
    try:
        call = parse(session, one_line(text))
    except CommandError as exc:
        return _usage(exc, text)
    if call is None:
        return None
    if call.command.name == "expect" and (missing := missing_comparison(session.sim, call)):
        # Binding read the last words as OP and VALUE; none of them is a comparison, so the
        # line lacks one (`expect count message.sent jobQueue`), which `expect` would say.
        return Problem(missing.message, missing.hint, len(text))
    return _check_bound(session, call, words)


def _by_trigger(words: Sequence[Word]) -> bool:
    """Whether the `pause`/`resume` line `words` has its `--trigger` (the mapping form)."""
    return any(w.text.partition("=")[0] == "--trigger" for w in words[1:])


def _usage_problem(session: Session, text: str) -> Problem | None:
    """Why the finished command `text` does not bind, as `execute` says it (an argument
    missing or extra, an option without its value), or None."""
    try:
        parse(session, one_line(text))
    except CommandError as exc:
        return _usage(exc, text)
    return None


def _usage(exc: CommandError, text: str) -> Problem:
    """The refusal `exc` of binding the command `text`, where `execute` places it."""
    # A reference that names nothing is shown at its `$`, as `execute` places it.
    at = _at(exc, one_line(text), len(text)) if exc.word_index else len(text)
    return Problem(exc.message, exc.hint, at)


def typed_as_reference(text: str, word: Word) -> bool:
    """Whether `word` of `text` is a reference (`$last`, `$newest:KIND`) typed bare, as
    `execute` takes one: quoted or escaped, it is the text it spells."""
    end = word.start + len(word.text)
    return (
        "$" in word.text
        and text.startswith(word.text, word.start)
        and (end == len(text) or text[end] in kinds.WORD_SEPARATORS)
        and typed_reference(word.text) is not None
    )


def _call_error(session: Session, command: kinds.Command, text: str) -> CommandError | None:
    """The CommandError the command's own check of the bound line (`Command.check_call`)
    gives, or None: none, a line that does not bind, or a check that passes."""
    if command.check_call is None:
        return None
    try:
        call = parse(session, one_line(text))
    except CommandError:
        return None  # the word's own problem is the one to show
    if call is None or kinds.body_from_file(call) is not None:
        return None  # the body is read when the line runs: the check needs it
    try:
        command.check_call(session.sim, call)
    except CommandError as exc:
        return exc
    return None


def _parse_error(text: str) -> CommandError | None:
    """The CommandError binding the line gives (`advance: unexpected hour`), or None."""
    try:
        REGISTRY.parse(one_line(text))
    except CommandError as exc:
        return exc
    return None


def _at(exc: CommandError, line: str, default: int) -> int:
    """Where in `line` (a command as `execute` would run it: the typed text with its line
    breaks as spaces, so that offsets are the text's) the word `exc` is about starts, as
    `execute` places it for SCRIPT:LINE:COL; `default` for an error about the whole line."""
    located = kinds.place(exc, line).located
    return located.point if located is not None else default


def _order_hint(session: Session, text: str) -> str | None:
    """The hint `execute` would give for arguments in the wrong order (`send x jobQueue`),
    when the words typed so far bind."""
    try:
        call = REGISTRY.parse(one_line(text))
    except CommandError:
        return None
    return order_hint(session, call) if call is not None else None


def _kind_hint(session: Session, text: str, hint: str | None) -> str | None:
    """`hint`, then the stimulus `execute` would offer for a resource of another kind than
    the command takes (`send aTopic hi`: publish-sns)."""
    words = [w.text for w in read_words(text).words]
    other = kind_hint(session, words[0], words[1:]) if words else None
    return "; ".join(h for h in (hint, other) if h) or None


def _check_bound(session: Session, call: kinds.Call, words: list[Word]) -> Problem | None:
    """Check the values as `bind` assigned them: where a `rest` argument ends is known
    only once the line is finished (`expect queue.q.depth =< 0`: `=<` is the operator).
    A command with its own check of the bound line (`Command.check_call`) is asked first,
    as the command itself asks it first."""
    # A body `--from PATH` gives is read when the line runs: the command's check needs it.
    if call.command.check_call is not None and kinds.body_from_file(call) is None:
        try:
            call.command.check_call(session.sim, call)
        except CommandError as exc:
            end = words[-1].start + len(words[-1].text) if words else 0
            # With the hint `execute` gives it (the hint of last resort among them).
            exc = explained(session, call, exc)
            return Problem(exc.message, exc.hint, _at(exc, call.line, end))
    # (slot, value, how a count there is named) in the order `execute` reads them.
    values: list[tuple[Slot, str, str]] = []
    positional: list[str] = []
    rest_at: kinds.Arg | None = None
    for kind, value, arg, opt in bound_values(call):
        if opt is not None:
            values.append((Slot(kind, option=opt), value, opt.name))
            continue
        assert arg is not None
        # A `rest` argument's fixed words are its first word's only.
        first = not arg.rest or rest_at is not arg
        rest_at = arg
        slot = Slot(kind, arg.choices if first else (), arg.help, arg)
        values.append((slot, value, count_label(call.command, slot, positional)))
        positional.append(value)
    before: list[tuple[str, str]] = []
    for slot, value, label in values:
        error = check_value(session, slot, value, before, label, call.command.name)
        if slot.kind is not None:
            before.append((slot.kind, value))
        if error is not None:
            error = explained(session, call, error)
            where = next((w.start for w in words if w.text == value), len(words[-1].text))
            return Problem(error.message, error.hint, where)
    return None


class CommandValidator(Validator):
    """Flags an unknown command, resource or option before the line runs.

    prompt_toolkit calls `validate_async` while typing and `validate` on Enter, which is
    what tells the two modes apart."""

    def __init__(self, get_session: Callable[[], Session]) -> None:
        self.get_session = get_session

    def _raise(self, document: Document, final: bool) -> None:
        problem = check(self.get_session(), document.text, final)
        if problem is not None:
            # The message echoes what was typed (a pasted key): its controls escaped.
            raise ValidationError(problem.position, printable(problem.format()))

    def validate(self, document: Document) -> None:
        """Judge the whole line (Enter)."""
        self._raise(document, True)

    async def validate_async(self, document: Document) -> None:
        """Judge the words already typed (while typing)."""
        self._raise(document, False)
