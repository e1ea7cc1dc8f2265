"""The one command language of stptui: `send`, `invoke`, `advance`, `fail`, `show`, `expect`...

Every front end (the `stptui run` script runner, the REPL, the TUI's command line, palette
and dialogs) ends in `execute(session, line)`, which parses the line with shell rules,
runs the command and returns a `CommandResult`. A command that cannot run raises
`CommandError(message, hint)` and changes nothing; a failed `expect` raises
`ExpectationFailed`, a subclass. The registry (`REGISTRY`) declares every command once and
is the source of help, usage lines and completion.
"""

from __future__ import annotations

import heapq
import os
from collections import Counter
from collections.abc import Callable, Sequence

from stptui.commands.handlers import REGISTRY, TRACE_KINDS
from stptui.commands.handlers.base import read_body_file
from stptui.commands.names import given
from stptui.commands.rebuild import Rebuild, RebuildCancelled, RebuildProgress
from stptui.commands.references import at_reference, last_id, resolve
from stptui.commands.registry import (
    FILE,
    NEW_OBJECT_KEY,
    OBJECT_KEY,
    PAYLOAD,
    TEXT,
    Arg,
    Call,
    Command,
    CommandError,
    ExpectationFailed,
    Option,
    Registry,
    body_from_file,
    command_text,
    logged_line,
    place,
    quote_word,
    tokenize,
    with_body_text,
    word_spans,
)
from stptui.commands.result import CommandResult, record_line, render_plain
from stptui.commands.session import Session, SessionError
from stptui.sim.engine import SimError, Simulator
from stptui.sim.trace import KIND_FIELDS


def execute(
    session: Session,
    line: str,
    *,
    should_stop: Callable[[], bool] | None = None,
    report: Callable[[str, CommandResult | None], None] | None = None,
    at_line: Callable[[str, int], None] | None = None,
    expect_failed: Callable[[ExpectationFailed], None] | None = None,
    resumable: bool = False,
) -> CommandResult:
    """Run one command line against the session and return what it did.

    A blank or comment-only line returns an empty result. Raises CommandError (with a hint)
    when the command cannot run; the simulation is then exactly as it was. `should_stop`
    lets a front end interrupt a long run of the clock (checked every 256 events; the
    command then stops at a consistent instant); `report` receives the commands that a
    command runs itself (`source`), as they run, and `at_line` the file and line number of
    each before `report` has it; `expect_failed`, each of those that is a failed `expect`,
    which then does not stop the command (`--keep-going`). An error about one word of
    `line` says where it was typed (`CommandError.located`). With `resumable`, a
    command that `should_stop` stopped hands back what is left of it in
    `CommandResult.resumption` (`stptui.commands.resume`), for the front end to run on."""
    try:
        return _execute(session, line, should_stop, report, at_line, expect_failed, resumable)
    except CommandError as exc:
        place(exc, line)
        raise


def _execute(
    session: Session,
    line: str,
    should_stop: Callable[[], bool] | None,
    report: Callable[[str, CommandResult | None], None] | None,
    at_line: Callable[[str, int], None] | None,
    expect_failed: Callable[[ExpectationFailed], None] | None,
    resumable: bool = False,
) -> CommandResult:
    call = parse(session, line)
    if call is None:
        return CommandResult()
    call.should_stop = should_stop
    call.report = report
    call.at_line = at_line
    call.expect_failed = expect_failed
    call.resumable = resumable
    sim = session.sim
    before = sim.trace.seq
    body = _body_read(call)
    try:
        result = call.command.handler(session, call)
    except SimError as exc:
        # Handlers validate before acting, so a SimError here was raised before any change.
        error = CommandError(str(exc), _hint(session, call, exc.hint), word=exc.word)
        raise at_reference(call.references, error) from None
    except CommandError as exc:
        raise at_reference(call.references, explained(session, call, exc)) from None
    finally:
        # What the command emitted reaches the subscribers before control returns.
        sim.trace.settle()
        session.sim.trace.settle()
    if body is None and (note := _at_file_note(call)) is not None:
        result.text = f"{result.text}\n{note}" if result.text else note
    if call.references:
        # Which ids the references took, first: the output names what the line named.
        shown = "\n".join(ref.shown() for ref in call.references)
        result.text = f"{shown}\n{result.text}" if result.text else shown
    if call.command.changes_state:
        if (printed := last_id(call.command.name, result.data)) is not None:
            session.last_id = printed
        if body is not None and call.log_line is None:
            call.log_line = _with_body(call, line, body)
        # As typed, references and all: a replay resolves them as this run did.
        logged = logged_line(call.log_line if call.log_line is not None else command_text(line))
        session.log.append(logged)
        # A new command starts another future: what `undo` took back cannot be redone on it.
        session.undone.clear()
        if result.resumption is not None:
            # It goes on, and is recorded once it ends (`Resumption.end`).
            result.resumption.lines = [logged]
        elif (note := session.record(logged)) is not None:
            result.text = f"{result.text}\n{note}" if result.text else note
    elif _held(call, result) and (note := session.record(logged_line(command_text(line)))):
        result.text = f"{result.text}\n{note}" if result.text else note
    if session.sim is sim and not result.records:
        result.records = sim.trace.run_since(before)
    return result


def _body_read(call: Call) -> str | None:
    """The text of the file a `--from PATH` body names, read now and put in the body's
    place (the handler sees the body as if typed); None when the body is not from a file.
    A file that cannot be read raises CommandError before anything changed."""
    path = body_from_file(call)
    if path is None or call.command.body_file is None:
        return None
    text = read_body_file(path)
    call.args[call.command.body_file] = text
    del call.opts["from"]
    return text


# The commands whose JSON argument reads `@FILE` itself (no JSON text starts with `@`).
_AT_FILE_COMMANDS = frozenset({"start-execution", "send-task-success"})


def _at_file_note(call: Call) -> str | None:
    """A note for a body typed as `@PATH` where PATH is a file: sent as the text it is
    (`@ann hi` is a message), which may not be what was meant, as `start-execution` reads
    `@FILE`; None for any other line."""
    key = call.command.body_file
    if key is None or call.command.name in _AT_FILE_COMMANDS:
        return None
    body = call.args.get(key)
    if not isinstance(body, str) or body[:1] != "@" or "\n" in body:
        return None
    try:
        is_file = os.path.isfile(body[1:])
    except (OSError, ValueError):  # a name no file system takes
        return None
    if not is_file:
        return None
    return (
        f"note: the body is the text {quote_word(body)}, as typed; for the text of the file "
        f"it names: --from {quote_word(body[1:])}"
    )


def _with_body(call: Call, line: str, body: str) -> str:
    """The line the session log keeps for `line`, whose body `--from` read: the file's text
    in place of `--from PATH`, the other words as typed (references stay bare), so that
    undo, reload, load and a recording replay what was read."""
    text = command_text(line)
    typed = [text[begin:end] for begin, end in word_spans(text)]
    words = tokenize(text)
    return " ".join([typed[0], *with_body_text(call.command, words[1:], typed[1:], body)])


def _held(call: Call, result: CommandResult) -> bool:
    """Whether `call` is an `expect` that held: a recording (`record FILE`) keeps it, so
    that the script is the test the session was; it changes nothing, so the replay's trace
    stays the session's."""
    data = result.data
    return call.command.name == "expect" and isinstance(data, dict) and data.get("ok") is True


def explained(session: Session, call: Call, exc: CommandError) -> CommandError:
    """`exc`, a CommandError of `call`, with the hint it is shown with (`_hint`): the same
    whether the command ran through `execute` or a front end built its rebuild elsewhere
    (`plan_rebuild`). An `expect` that failed keeps its own lines."""
    if not isinstance(exc, ExpectationFailed):
        exc.hint = _hint(session, call, exc.hint)
    return exc


def _hint(session: Session, call: Call, hint: str | None) -> str:
    """The hint of a command's error: the stack's name of a resource the line named by its
    AWS name, a swap of its arguments, the stimulus that fits the resource it named, its
    own; else the hint of last resort: an error whose cause has no fix to suggest (AWS's
    own InvalidParameterValue, say) still says where to look."""
    return (
        aws_name_hint(session, _named_words(call))
        or order_hint(session, call)
        or with_kind_hint(session, call, hint)
        or help_hint(call.command.name)
    )


# Kinds of values that are the user's own content, never a resource's name.
CONTENT_KINDS = (TEXT, PAYLOAD, FILE, OBJECT_KEY, NEW_OBJECT_KEY)


def _named_words(call: Call) -> list[str]:
    """The values of `call` that may name a resource: not a body, payload, file or key,
    whose text is the user's own (a body may well hold an ARN). None of a rebuild's: its
    words name no resource, and its hint may be made on the build's thread, which must not
    read the simulation (see `plan_rebuild`)."""
    from stptui.commands.handlers.session_files import REBUILDS

    if call.command.name in REBUILDS:
        return []
    kinds = {a.key: a.kind for a in call.command.args}
    kinds.update((o.key, o.kind) for o in call.command.options)
    values = [*call.args.items(), *call.opts.items()]
    return [
        word
        for key, value in values
        if kinds.get(key) not in CONTENT_KINDS
        for word in (value if isinstance(value, list) else [value])
        if isinstance(word, str)
    ]


# The resource types commands name whose AWS identifiers TargetForms knows (what a
# handler's SDK calls take: the same a console, an alarm or a log shows).
_AWS_NAMED_TYPES = (
    "sqs-queue",
    "sns-topic",
    "event-bus",
    "bucket",
    "dynamo-db-table",
    "function",
    "kinesis-stream",
    "state-machine",
)


def aws_name_hint(session: Session, words: Sequence[str]) -> str | None:
    """The stack's name of the resource the first of `words` names by one of its AWS
    identifiers (a physical name, ARN or queue URL, as the console, an alarm or a log show
    them, or a function's log group), which commands do not take; None when none does."""
    from stptui.sim.behavior.handler_targets import TargetForms

    sim = session.sim
    # Every AWS identifier of a resource holds one of these (a physical name starts with
    # the stack's name and a dash): other words need no table of identifiers made.
    candidates = [w for w in words if w not in sim.stack.resources and any(c in w for c in "-:/")]
    if not candidates:
        return None
    # identifier -> (what it is of, the stack's name)
    forms: dict[str, tuple[str, str]] = {}
    targets = TargetForms(sim.stack)
    present = {res.type for res in sim.stack.resources.values()}
    for rtype in _AWS_NAMED_TYPES:
        if rtype in present:
            forms.update((k, ("AWS's name for", v)) for k, v in targets.of_type(rtype).items())
    logs = sim.services.get("logs")
    if logs is not None:
        forms.update((g.name, ("the log group of", owner)) for owner, g in logs.groups.items())
    for word in candidates:
        what, name = forms.get(word, ("", word))
        if name != word:
            named = quote_word(name)
            return f"{quote_word(word)} is {what} {named}; commands take the stack's names: {named}"
    return None


def help_hint(command: str) -> str:
    """The hint of last resort of `command`'s errors: where to read how it is written."""
    return f"`help {command}` shows its arguments and examples"


def plan_rebuild(session: Session, line: str) -> Rebuild[CommandResult] | None:
    """The rebuild `line` asks for (`undo`, `redo`, `reload`, `load`), checked as `execute`
    checks it, for a front end to build where it likes (another thread: the build touches
    nothing of the session) and adopt on the session's own thread; what adopting returns is
    what `execute` would. None when the line is another command (or blank), or a `redo`
    that only `execute` can apply (see `redo_rebuild`). Raises CommandError as `execute`
    does."""
    from stptui.commands.handlers.session_files import REBUILDS

    try:
        call = parse(session, line)
    except CommandError as exc:
        place(exc, line)
        raise
    if call is None or call.command.name not in REBUILDS:
        return None
    try:
        rebuild = REBUILDS[call.command.name](session, call)
    except CommandError as exc:
        raise place(explained(session, call, exc), line) from None
    if rebuild is None:
        return None
    # Its build and its adoption refuse as the command run by `execute` does. (The hint
    # reads only the line's words: a rebuild's words name no resource of the simulation,
    # which the build's thread must not read.)
    rebuild.explain = lambda exc: place(explained(session, call, exc), line)
    return rebuild


def parse(session: Session, line: str) -> Call | None:
    """`REGISTRY.parse`, with what only the session can tell: the references of the line
    (`$last`, `$newest:KIND[:RESOURCE]`) resolved to the ids they name now
    (`stptui.commands.references`; `Call.references`), and an `expect PATH` that stops
    before its comparison completed with the path's value now (see `expect.incomplete`)."""
    resolved = resolve(session, line)
    words, refs = resolved if resolved is not None else (None, [])
    try:
        call = REGISTRY.parse(line, words)
        if call is not None:
            call.references = refs
        return call
    except CommandError as exc:
        at_reference(refs, exc)
        words = tokenize(line) if words is None else words
        if _completed_now(exc, words):
            from stptui.commands.handlers.expect import incomplete

            better = incomplete(session.sim, words[1:])
            if better is not None:
                raise better from None
        if (unread := _path_before_value(session, words, exc)) is not None:
            raise unread from None
        _with_better_hint(session, words, exc)
        raise


def _completed_now(exc: CommandError, words: list[str]) -> bool:
    """Whether `exc` refuses an `expect PATH` with nothing after it, whose hint is the line
    completed with the path's value when the line runs (`expect.incomplete`)."""
    return (
        words[:1] == ["expect"]
        and exc.message == "expect needs OP"
        and exc.hint.startswith("usage:")
    )


def _path_before_value(
    session: Session, words: list[str], exc: CommandError
) -> CommandError | None:
    """For `exc`, an `expect PATH VALUE` refused for its missing comparison with the line
    with `==` as its hint: what is wrong with PATH, when it names nothing (`expect X 1`),
    which the line with `==` would not mend; else None."""
    if words[:1] != ["expect"] or exc.message != "expect needs OP" or len(words) < 3:
        return None
    if not (exc.hint or "").startswith("put a comparison before the value"):
        return None
    from stptui.commands.handlers.expect import unread_path

    return unread_path(session.sim, words[1:-1])


def _with_better_hint(session: Session, words: list[str], exc: CommandError) -> None:
    """`exc`, a refusal of the line `words`, given the hint only the stack can tell."""
    if words == ["cancel-repeat"] and exc.message == "cancel-repeat needs ID":
        from stptui.commands.handlers.repeat import missing_id_hint

        exc.hint = missing_id_hint(session.sim)
    elif words and (better := kind_hint(session, words[0], words[1:])) is not None:
        # `publish aTopic hello` is short of words for an event, but the words it
        # lacks are not the mistake: the topic is.
        exc.hint = better
    elif words[:1] == ["http"] and len(words) > 1 and words[1].startswith("/"):
        # `http /jobs` lacks PATH because the path came first: the method goes before it.
        from stptui.commands.handlers.buckets_http_jobs import check_http_method

        try:
            check_http_method(words[1])
        except CommandError as bad:
            exc.hint = bad.hint


def check_written(session: Session, line: str, *, names: bool = True) -> CommandError | None:
    """Why `line` cannot run whatever the simulation holds when it comes to it, or None:
    its words do not split (a quote never closed), its command is unknown, its words do
    not fit the command's usage (an option it lacks, an argument missing or extra), an
    `expect` has no comparison where one goes (`=` for `==`, `is`), or, with `names`, a
    word that must name a resource of the stack names none (`send jobQeue x`: see
    `names.misnamed`; the stack's resources are the same at every line, unless a line
    before opens another stack) or a `show` names no view (`show objects uploads`). The
    error is the one running the line would raise (for a name, the one its turn gives
    that word: a line with another fault found first, a file `--from` cannot read, is
    refused for that one at its turn).
    `stptui run` checks a script's lines so before the first runs (`script.unrunnable`).
    Left to the run: what depends on the state (a value, an id, `$last`, what trace
    records are on), and an `expect PATH` with no comparison, whose hint is the path's
    value when the line runs."""
    try:
        call = REGISTRY.parse(line)
    except CommandError as exc:
        try:
            words = tokenize(line)
        except CommandError:
            words = []
        if _completed_now(exc, words):
            return None
        if (unread := _path_before_value(session, words, exc)) is not None:
            from stptui.commands.handlers.expect import run_named

            # A path whose names the run makes may read at the line's turn.
            return None if run_named(words[1:-1]) else place(unread, line)
        _with_better_hint(session, words, exc)
        return place(exc, line)
    if call is not None and call.command.name == "expect":
        from stptui.commands.handlers.expect import comparison_error

        refused = comparison_error(session.sim, call, static=True)
        if refused is not None:
            return place(refused, line)
    if call is not None and names:
        from stptui.commands.names import misnamed

        if (wrong := misnamed(session, call)) is not None:
            return place(wrong, line)
        if call.command.name == "show":
            from stptui.commands.handlers.inspect import check_show_view

            try:
                check_show_view(session.sim, call)
            except CommandError as exc:
                return place(explained(session, call, exc), line)
    return None


# The command that puts work into each kind of resource, as a usage line: what to type
# when a stimulus names a resource of another kind (`send aTopic hi`).
_STIMULUS_OF_TYPE = {
    "sqs-queue": "send {} BODY",
    "sns-topic": "publish-sns {} MESSAGE",
    "event-bus": "publish {} SOURCE DETAIL_TYPE [DETAIL_JSON]",
    "bucket": "upload {} KEY [--content TEXT]",
    "function": "invoke {} [PAYLOAD]",
    "batch-job": "start-job {} [PAYLOAD]",
    "state-machine": "start-execution {} [INPUT]",
    "kinesis-stream": "put-record {} DATA [--partition-key K]",
    "dynamo-db-table": "put-item {} ITEM",
}
_STIMULI = {usage.split()[0] for usage in _STIMULUS_OF_TYPE.values()}


def with_kind_hint(session: Session, call: Call, hint: str | None) -> str | None:
    """`hint` (the resources of the kind the command takes), then the stimulus that fits
    the resource the line named, when that is of another kind (see `kind_hint`)."""
    other = kind_hint(session, call.command.name, call.words)
    return "; ".join(h for h in (hint, other) if h) or None


def kind_hint(session: Session, command: str, words: Sequence[str]) -> str | None:
    """The stimulus that fits the resource a stimulus command names first, when that
    resource is of another kind: `send aTopic hi` gives `for an sns-topic: publish-sns
    aTopic MESSAGE`. None when the command is no stimulus, or its first word
    names no resource, or one of the kind the command takes."""
    if command not in _STIMULI or not words or words[0].startswith("-"):
        return None
    from stptui.config.diagnostics import with_article

    res = session.sim.stack.resources.get(words[0])
    usage = _STIMULUS_OF_TYPE.get(res.type) if res is not None else None
    if res is None or usage is None or usage.split()[0] == command:
        return None
    return f"for {with_article(res.type)}: {usage.format(quote_word(words[0]))}"


def order_hint(session: Session, call: Call) -> str | None:
    """The line with two arguments swapped, when one names nothing of its kind and another
    is a value of that kind: `send x jobQueue` gives `QUEUE comes before BODY: send
    jobQueue x`. None when no swap explains the mistake."""
    args = [a for a in call.command.args if not a.rest and isinstance(call.args.get(a.key), str)]
    for i, arg in enumerate(args):
        valid = _closed_values(session, arg)
        value = call.args[arg.key]
        if valid is None or _fits(value, arg, valid):
            continue
        for j, other in enumerate(args):
            swap = call.args[other.key]
            if j == i or not _fits(swap, arg, valid) or call.words.count(swap) != 1:
                continue
            words = list(call.words)
            a, b = words.index(value), words.index(swap)
            words[a], words[b] = words[b], words[a]
            first, second = (arg, other) if i < j else (other, arg)
            line = " ".join(quote_word(w) for w in [call.command.name, *words])
            return f"{first.name} comes before {second.name}: {line}"
    return None


def _closed_values(session: Session, arg: Arg) -> set[str] | None:
    """Every value `arg` may take when they are few and known (the stack's queues, an HTTP
    method), else None."""
    from stptui.commands import registry as r

    if arg.choices and arg.kind in (r.HTTP_METHOD, r.WORD):
        return set(arg.choices)
    kind = r.QUEUE if arg.kind == r.DLQ else arg.kind
    closed = (r.SCHEDULED, r.PAUSABLE, "bucket", "batch-job", r.KAFKA_TOPIC, r.LOG_OWNER)
    if kind in r.RESOURCE_KIND_TYPES or kind in closed:
        return set(complete_values(session, kind))
    return None


def _fits(value: str, arg: Arg, valid: set[str]) -> bool:
    from stptui.commands import registry as r

    return (value.upper() if arg.kind == r.HTTP_METHOD else value) in valid


def complete_values(
    session: Session, kind: str, before: Sequence[tuple[str, str]] = (), word: str = ""
) -> list[str]:
    """The values an argument of `kind` can take in this session (for completion).

    `before` holds the (kind, word) pairs of the values given before it on the line, and
    narrows the values to those that make sense with them: the keys of the bucket named
    before a key, the sources of that bus's rules, the detail-types of the rules that
    source can match, the messages of the queue named before an id, the routes that serve
    the method (and gateway) given, the schedules of the workload named before an index.
    Where the values are too many to offer all (a table's item keys), only those that
    start with `word`, the word typed so far, are."""
    from stptui.commands import registry as r

    sim = session.sim
    if kind == r.MESSAGE and (queue := given(before, r.QUEUE, r.DLQ)) is not None:
        q = sim.queues.get(queue)
        return list(q.messages) if q is not None else []
    if kind == r.COUNT and (owner := given(before, r.SCHEDULED, r.PAUSABLE)) is not None:
        rules = sim.services["schedules"].by_owner.get(owner, [])
        # One schedule needs no index: offering `1` would only make Tab type it.
        return [str(rule.number) for rule in rules] if len(rules) > 1 else []
    if kind == r.QUEUE:
        return sorted(sim.queues)
    if kind == r.DLQ:
        return sorted(n for n, q in sim.queues.items() if q.sources)
    if kind == r.FUNCTION:
        return sorted(sim.functions)
    if kind == r.FUNCTION_URL:
        return sorted(sim.services["function_urls"].urls)
    if kind == r.WORKLOAD:
        batch = sim.services.get("batch")
        names = [*sim.functions, *(batch.jobs if batch is not None else ())]
        for ws in sim.services["containers"].workloads.values():
            names.append(ws.name)
            # One container's own name is offered where there are several to tell apart.
            if len(ws.containers) > 1:
                names += [f"{ws.name}.{c}" for c in ws.containers]
        return sorted(names)
    if kind == r.LOG_OWNER:
        # The names `log` and `show logs` take: a group's key is the name that reaches it.
        return sorted(sim.services["logs"].groups)
    if kind == r.HTTP_ENTRY:
        # A web-service's name stands for its own HTTP API or application load balancer
        # (`--gateway web`); a network load balancer takes no HTTP request.
        lbs = sim.services["load_balancers"]
        services = [s for s, lb in lbs.aliases.items() if lb in lbs.balancers]
        return sorted({*_resources_of(session, kind), *sim.services["http"].aliases, *services})
    if kind == r.COMMAND:
        return [*REGISTRY.commands, r.HELP_ALL]
    if kind == r.STIMULUS:
        from stptui.commands.handlers.repeat import REPEATABLE

        return list(REPEATABLE)
    if kind == r.BUS:
        return sorted(k for k, b in sim.services["buses"].buses.items() if not b.external)
    if kind == r.TOPIC:
        return sorted(k for k, t in sim.services["topics"].topics.items() if not t.external)
    if kind == r.SCHEDULED:
        # The workloads, then each schedule by its graph node id (`schedule:cleanup:2`), as
        # `stptui graph`, the TUI and `show schedules` name it: the one word that names
        # one schedule of a workload that has several.
        owners = sim.services["schedules"].by_owner
        names = sorted(owners)
        return [*names, *(rule.node_id for name in names for rule in owners[name])]
    if kind == r.PAUSABLE:
        # A schedule's workloads and node ids as for SCHEDULED, then the workloads whose
        # only pausable triggers are event source mappings (`pause W --trigger SOURCE`) or
        # their code's pollers (a container workload's `poll` items).
        from stptui.sim.mappings import all_mappings

        scheduled = complete_values(session, r.SCHEDULED)
        consumers = {m.workload for m in all_mappings(sim)}
        return [*scheduled, *sorted(consumers - set(scheduled))]
    if kind == r.MAPPING_SOURCE:
        from stptui.sim.mappings import all_mappings, mappings_of

        owner = given(before, r.PAUSABLE)
        refs = mappings_of(sim, owner) if owner is not None else all_mappings(sim)
        return list(dict.fromkeys(m.source for m in refs))
    if kind == r.MESSAGE:
        return _recent_message_ids(session)
    if kind == r.INVOCATION:
        from stptui.sim.invocation_events import event_ids

        return event_ids(sim)
    if kind == r.TRACE_KIND:
        return list(TRACE_KINDS)
    if kind == r.ROUTE_PATH:
        return sorted(route_offers(session, before))
    if kind == r.OBJECT_KEY:
        buckets = dict(sim.services["buckets"].buckets) if "buckets" in sim.services else {}
        if (name := given(before, "bucket")) is not None:
            buckets = {name: buckets[name]} if name in buckets else {}
        return sorted({key for b in buckets.values() for key in b.objects})
    if kind == r.NEW_OBJECT_KEY:
        buckets = sim.services["buckets"].buckets if "buckets" in sim.services else {}
        bucket = buckets.get(given(before, "bucket") or "")
        if bucket is None:
            return []
        from stptui.commands.examples import example_key

        # A whole key its notifications fire for first (what the upload dialog fills in),
        # then the prefixes they filter on: where a key triggers a workload.
        prefixes = (n.prefix for n in bucket.notifications if n.prefix)
        return list(dict.fromkeys([example_key(bucket), *prefixes, *sorted(bucket.objects)]))
    if kind == r.TRACE_ID:
        # And the repeats made, newest first: `explain repeat-2` tells what one made.
        repeats = sim.services.get("repeats")
        return [*_recent_ids(session), *(reversed(repeats.every) if repeats is not None else ())]
    if kind == r.EXECUTION:
        machines = sim.services.get("state_machines", {})
        return [ex.name for m in machines.values() for ex in reversed(m.executions.values())]
    if kind == r.TASK_TOKEN:
        return _waiting_tasks(sim)
    if kind == r.REPEAT_ID:
        repeats = sim.services.get("repeats")
        return list(repeats.active) if repeats is not None else []
    if kind == r.KAFKA_TOPIC:
        return sorted(sim.services.get("kafka", {}))
    if kind == r.WEBSOCKET_API:
        return sorted(sim.services["websocket"].apis)
    if kind == r.CONNECTION:
        # The newest first: the connection just opened is the one most often meant.
        return [c.id for c in reversed(sim.services["websocket"].listing()) if c.open]
    if kind == r.POOL_USER:
        return _pool_users(session, given(before, r.USER_POOL))
    if kind == r.POOL_GROUP:
        return _pool_groups(session, given(before, r.USER_POOL))
    if kind == r.ALARM:
        alarms = sim.services.get("alarms")
        return [a.spec.reference for a in alarms.alarms.values()] if alarms is not None else []
    if kind == r.RECORD_RESOURCE:
        return _record_resources(session, given(before, r.TRACE_KIND))
    if kind == r.RECORD_FIELD:
        return _record_fields(given(before, r.TRACE_KIND))
    if kind == r.ITEM_KEY:
        return _item_keys(session, before, word)
    if kind == r.ITEM_ATTRIBUTE:
        return _item_attributes(session, before)
    if kind == r.OBJECT_FIELD:
        from stptui.commands.handlers.expect import OBJECT_FIELDS

        return list(OBJECT_FIELDS)
    if kind in (r.RESPONSE_PART, r.MESSAGE_FILTER):
        from stptui.commands.handlers.expect import path_completions

        return path_completions(sim, kind, [w for k, w in before if k in (kind, r.QUEUE)])
    if kind == r.VALUE:
        return _value_now(session, before)
    if kind == r.EVENT_SOURCE:
        return _pattern_values(session, "source", given(before, r.BUS))
    if kind == r.DETAIL_TYPE:
        bus, source = given(before, r.BUS), given(before, r.EVENT_SOURCE)
        return _pattern_values(session, "detail-type", bus, source)
    if kind == r.HTTP_METHOD:
        return []  # the argument's choices are the values
    if kind == r.HTTP_HEADER:
        from stptui.commands.request_offers import header_offers

        return list(header_offers(sim, before))
    if kind == r.WS_HEADER:
        from stptui.commands.request_offers import ws_header_offers

        return list(ws_header_offers(sim, before))
    if kind == r.LISTENER_PORT:
        from stptui.commands.request_offers import port_offers

        return list(port_offers(sim, before))
    if kind == r.EXPECT_PATH:
        from stptui.commands.handlers import (
            CONTAINER_FIELDS,
            FUNCTION_FIELDS,
            JOB_FIELDS,
            QUEUE_FIELDS,
            STATE_MACHINE_FIELDS,
            STREAM_FIELDS,
            TABLE_FIELDS,
        )
        from stptui.commands.handlers.metrics import metric_paths

        jobs = sorted(sim.services["batch"].jobs) if "batch" in sim.services else []
        tables = sim.services.get("tables", {})
        return [
            *(f"queue.{q}.{f}" for q in sorted(sim.queues) for f in QUEUE_FIELDS),
            *(f"function.{n}.{f}" for n in sorted(sim.functions) for f in FUNCTION_FIELDS),
            *(f"job.{n}.{f}" for n in jobs for f in JOB_FIELDS),
            *(
                f"stream.{n}.{f}"
                for n in sorted(sim.services.get("streams", {}))
                for f in STREAM_FIELDS
            ),
            # A table without a stream has only its items.
            *(
                f"table.{n}.{f}"
                for n in sorted(tables)
                for f in (TABLE_FIELDS if tables[n].stream is not None else TABLE_FIELDS[:1])
            ),
            *(
                f"state_machine.{n}.{f}"
                for n in sorted(sim.services.get("state_machines", {}))
                for f in STATE_MACHINE_FIELDS
            ),
            *(
                f"container.{n}.{f}"
                for n in sorted(sim.services["containers"].workloads)
                for f in CONTAINER_FIELDS
            ),
            *metric_paths(sim),
            # A value, not a figure: offered where the stack has something to hold one.
            *(["item"] if tables else []),
            *(["object"] if "buckets" in sim.services and sim.services["buckets"].buckets else []),
            # An HTTP answer once a request has one; the messages of a stack with queues.
            *(["response"] if sim.services["http"].answers.awaited is not None else []),
            *(["messages"] if sim.queues else []),
            "count",
            "time",
        ]
    if kind == r.METRIC_RESOURCE:
        from stptui.sim.metrics import measured

        return sorted(measured(sim))
    return _resources_of(session, kind)


def _pool_users(session: Session, pool: str | None) -> list[str]:
    """The users of the user pool `pool` (of every pool when None, as `http --user` looks
    in the route's pool) by the name they sign in with: the email or phone number where
    the pool's usernames are one of them, else the username; the newest first."""
    pools = session.sim.services["user_pools"].pools
    chosen = pools.values() if pool is None else [p for name, p in pools.items() if name == pool]
    names = [u.alias or u.username for p in chosen for u in reversed(p.users.values())]
    return list(dict.fromkeys(names))


def _pool_groups(session: Session, pool: str | None) -> list[str]:
    """The groups of the user pool `pool` (of every pool when None), sorted."""
    pools = session.sim.services["user_pools"].pools
    chosen = pools.values() if pool is None else [p for name, p in pools.items() if name == pool]
    return sorted({g for p in chosen for g in p.groups})


def _resources_of(session: Session, kind: str) -> list[str]:
    """The stack's resources of the types `kind` names, sorted."""
    from stptui.commands import registry as r

    types = r.RESOURCE_KIND_TYPES.get(kind, (kind,))
    return sorted(n for n, res in session.stack.resources.items() if res.type in types)


# How far back in the trace message ids are offered, and how many.
_RECENT_RECORDS = 5000
_RECENT_MESSAGES = 200
# How many item keys a table's completion offers: as many as message ids. A table of
# 100,000 items took half a second a key press to list whole; what is typed narrows them.
_ITEM_KEYS = _RECENT_MESSAGES


def _recent_message_ids(session: Session) -> list[str]:
    """Ids of the messages the trace mentions most recently, newest first."""
    return _recent_values(session, ("message_id",))


# The record fields whose values `explain` follows, as completion offers them: message and
# event ids, and object keys (invocation ids are many and seldom what a chain starts from).
_EXPLAINED_FIELDS = ("message_id", "event_id", "key")


def _waiting_tasks(sim: Simulator) -> list[str]:
    """The tasks waiting for a token, newest first: by their execution's name when it is
    the only one of it that waits, else by the start of the token (16 characters)."""
    from stptui.sim.asl_callbacks import SHORT, tokens_of

    waiting = tokens_of(sim).waiting()
    per_execution = Counter(t.execution.name for t in waiting)
    return [
        t.execution.name if per_execution[t.execution.name] == 1 else t.token[:SHORT]
        for t in reversed(waiting)
    ]


def _recent_ids(session: Session) -> list[str]:
    """Message ids, event ids and object keys the trace mentions most recently, newest
    first: what `explain` is most likely asked about."""
    return _recent_values(session, _EXPLAINED_FIELDS)


def _recent_values(session: Session, fields: tuple[str, ...]) -> list[str]:
    """The string values of `fields` in the most recent trace records, newest first."""
    seen: dict[str, None] = {}
    for rec in reversed(session.sim.trace.tail(_RECENT_RECORDS)):
        for name in fields:
            value = rec.data.get(name)
            if isinstance(value, str) and value:
                seen.setdefault(value)
        if len(seen) >= _RECENT_MESSAGES:
            break
    return list(seen)[:_RECENT_MESSAGES]


def _record_resources(session: Session, kind: str | None) -> list[str]:
    """The resources records of `kind` are on so far (a stack's resource, or a bus such as
    `default` that is in no stack): a `count KIND RESOURCE` on another resource stays 0 (a
    `message.received` is on the queue, not on the function that consumes it)."""
    counts = session.sim.trace.counts
    return sorted({res for (k, res), n in counts.items() if k == kind and n})


def _record_fields(kind: str | None) -> list[str]:
    """`FIELD=` for each data field records of `kind` may have, for the user to type the
    VALUE after (`expect count http.response status=`)."""
    return [f"{field}=" for field in KIND_FIELDS.get(kind or "", ())]


def _value_now(session: Session, before: Sequence[tuple[str, str]]) -> list[str]:
    """The value now of the `expect` PATH before it (a count, a statistic, the time, an
    item's attribute, an object's size): what an `expect` written from the session's state
    compares with."""
    from stptui.commands import registry as r
    from stptui.commands.handlers.expect import value_now

    path_kinds = (
        *(r.EXPECT_PATH, r.TRACE_KIND, r.RECORD_RESOURCE, r.RECORD_FIELD),
        *(r.TABLE, r.ITEM_KEY, r.ITEM_ATTRIBUTE, "bucket", r.OBJECT_KEY, r.OBJECT_FIELD),
        *(r.RESPONSE_PART, r.QUEUE, r.MESSAGE_FILTER),
    )
    path = [w for k, w in before if k in path_kinds]
    value = value_now(session.sim, path) if path and path != ["count"] else None
    return [] if value is None else [value]


def _item_keys(session: Session, before: Sequence[tuple[str, str]], word: str = "") -> list[str]:
    """`expect item TABLE` then each key attribute not given yet: `NAME=`, then `NAME=VALUE`
    for the items of the table that have the key attributes given so far, of those that
    start with `word` (in any case, as completion matches) the first _ITEM_KEYS sorted."""
    from stptui.commands import registry as r
    from stptui.sim.ddbjson import to_plain

    table = session.sim.services.get("tables", {}).get(given(before, r.TABLE) or "")
    if table is None:
        return []
    typed = dict(w.partition("=")[::2] for k, w in before if k == r.ITEM_KEY)
    kinds = dict(table.key)

    def text(name: str, value: dict[str, str]) -> str:
        # A string is its own text; a number or binary as `expect` reads it back (7.0 is 7).
        return value["S"] if kinds[name] == "S" else str(to_plain(value))

    narrowed = [(n, v) for n, v in typed.items() if n in kinds]
    items = [
        item for item in table.items.values() if all(text(n, item[n]) == v for n, v in narrowed)
    ]
    low = word.lower()
    out: list[str] = []
    for name, _ in table.key:
        if name not in typed:
            found = {f"{name}={text(name, item[name])}" for item in items}
            matching = (k for k in found if k.lower().startswith(low))
            out += [f"{name}=", *heapq.nsmallest(_ITEM_KEYS, matching)]
    return out


def _item_attributes(session: Session, before: Sequence[tuple[str, str]]) -> list[str]:
    """`expect item TABLE KEY=VALUE ...` then, once the key is whole, the attributes of that
    item (of every item of the table when the key names none), the key attributes left
    out."""
    from stptui.commands import registry as r

    table = session.sim.services.get("tables", {}).get(given(before, r.TABLE) or "")
    if table is None:
        return []
    typed = dict(w.partition("=")[::2] for k, w in before if k == r.ITEM_KEY)
    keys = dict(table.key)
    if not keys.keys() <= typed.keys():
        return []  # the key first: an attribute before its last part is refused
    items = [
        item
        for item in table.items.values()
        if all(n in keys and next(iter(item[n].values())) == v for n, v in typed.items())
    ] or list(table.items.values())
    return sorted({a for item in items for a in item if a not in keys})


def route_offers(session: Session, before: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """The paths `http` completes after the words `before` (its method, `--gateway`,
    `--url`), each with what it reaches (see `request_paths`)."""
    from stptui.commands import registry as r
    from stptui.commands.handlers.buckets_http_jobs import request_paths

    gateway = given(before, "http-api-gateway", r.HTTP_ENTRY)
    url = given(before, r.FUNCTION_URL)
    return request_paths(session.sim, given(before, r.HTTP_METHOD), gateway, url)


def _pattern_values(
    session: Session, field: str, bus_name: str | None = None, source: str | None = None
) -> list[str]:
    """The exact values the event patterns of the stack's buses give `field` (`source`,
    `detail-type`): what a `publish` that some rule matches uses. Content filters
    (`prefix`, `anything-but` ...) name no single value and are left out. With `bus_name`
    only that bus's rules count; with `source` only the rules whose pattern lets an event
    of that source through (a rule that does not pin the source does)."""
    from stptui.sim import patterns
    from stptui.sim.engine import SimError

    service = session.sim.services["buses"]
    if bus_name is None:
        buses = list(service.buses.values())
    else:
        try:
            buses = [service.bus(bus_name)]
        except SimError:
            return []
    values: set[str] = set()
    for bus in buses:
        if bus.external and bus_name is None:
            continue
        for rule in bus.rules:
            if not isinstance(rule.pattern, dict):
                continue
            if source is not None and "source" in rule.pattern:
                try:
                    if not patterns.matches({"source": rule.pattern["source"]}, {"source": source}):
                        continue
                except patterns.PatternError:
                    continue  # an invalid pattern matches nothing
            wanted = rule.pattern.get(field)
            if isinstance(wanted, list):
                values.update(v for v in wanted if isinstance(v, str))
    return sorted(values)


__all__ = [
    "REGISTRY",
    "TRACE_KINDS",
    "Arg",
    "Call",
    "Command",
    "CommandError",
    "CommandResult",
    "ExpectationFailed",
    "Option",
    "Rebuild",
    "RebuildCancelled",
    "RebuildProgress",
    "Registry",
    "Session",
    "SessionError",
    "complete_values",
    "execute",
    "explained",
    "given",
    "help_hint",
    "kind_hint",
    "order_hint",
    "parse",
    "plan_rebuild",
    "record_line",
    "render_plain",
    "route_offers",
    "tokenize",
    "with_kind_hint",
]
