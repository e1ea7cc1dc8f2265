"""The command registry: every command's name, arguments (with kinds), options, help line,
usage, examples and topic, declared once; the tokeniser and argument binder that turn a line
into a call; and help text generated from the declarations.

The REPL's completion and the TUI's palette read the same declarations, so a command is
described in exactly one place. Nothing here touches a simulation.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stptui.commands.quoting import NEEDS_ANSI_C, EscapeError, ansi_c_quoted, body_index, decode
from stptui.config.diagnostics import did_you_mean
from stptui.sim.behavior import BehaviorError, parse_duration
from stptui.sim.clock import parse_instant
from stptui.textsafe import ESCAPED, is_reference, quote_word, typed_names

if TYPE_CHECKING:
    from stptui.commands.references import Reference
    from stptui.commands.result import CommandResult
    from stptui.commands.session import Session

# Argument kinds: what a value names or how it is read. Completion offers values by kind.
QUEUE = "queue"
DLQ = "dlq"
FUNCTION = "function"
# A function, a batch job, a container workload or service, or one container of a workload
# (`WORKLOAD.CONTAINER`): what takes behaviour overrides and writes log lines.
WORKLOAD = "workload"
# What has a CloudWatch Logs group: a function or batch job whose logging is on, a container
# workload of one container by its name, one container of several by `WORKLOAD.CONTAINER`.
LOG_OWNER = "log-owner"
DURATION = "duration"
INSTANT = "instant"
COUNT = "count"
TEXT = "text"
PAYLOAD = "payload"
FILE = "file"
WORD = "word"
COMMAND = "command"
STIMULUS = "stimulus"  # a command `repeat` runs: one that sends the stack work
KEY_VALUE = "key=value"
EXPECT_PATH = "expect-path"
OPERATOR = "operator"
VALUE = "value"
FLAG = "flag"
BUS = "bus"
TOPIC = "topic"
STREAM = "stream"  # a kinesis-stream of the stack
KAFKA_TOPIC = "kafka-topic"  # a Kafka topic a function's kafka-topic event reads
WEBSOCKET_API = "websocket-api"  # a websocket-api-gateway of the stack
CONNECTION = "connection"  # an open connection to a WebSocket API: its id
ALARM = "alarm"  # a simulated CloudWatch alarm: `RESOURCE.alarms.N`, or its AWS name
TABLE = "table"  # a dynamo-db-table of the stack
STATE_MACHINE = "state-machine"  # a state-machine of the stack
EXECUTION = "execution"  # a state machine execution: its name (or a unique start) or ARN
TASK_TOKEN = "task-token"  # a waiting callback task: its token, a start of it, or its execution
REPEAT_ID = "repeat-id"  # a repeat in progress: its id, e.g. repeat-1
SCHEDULED = "scheduled"  # a function or batch job with a schedule trigger
# What `pause` and `resume` take: a SCHEDULED value, a workload with an event source
# mapping (an sqs, kinesis-stream, dynamo-db-stream or kafka-topic event), or a container
# workload whose code polls queues.
PAUSABLE = "pausable"
# The source of one of the PAUSABLE workload's mappings, as `show function` names it (a
# queue a container workload polls).
MAPPING_SOURCE = "mapping-source"
MESSAGE = "message"  # a message id (or a unique prefix of one)
INVOCATION = "invocation"  # an invocation id whose event is kept (or a unique prefix of one)
TRACE_KIND = "trace-kind"  # a trace record kind, e.g. message.sent
HTTP_METHOD = "http-method"  # GET, POST, ... (any case: the gateway reads it upper-cased)
ROUTE_PATH = "route-path"  # a request path; completion offers the routes' paths
HTTP_ENTRY = "http-entry"  # what `http` sends to: an HTTP API or an application load balancer
FUNCTION_URL = "function-url"  # a function with a Lambda function URL
# A request header, `NAME:VALUE` (`http --header`): completion offers the headers the
# stack reads of the request (`stptui.commands.request_offers`), then common ones.
HTTP_HEADER = "http-header"
# A header of a WebSocket handshake, `NAME:VALUE` (`ws-connect --header`): completion offers
# the headers the API's authorizer reads, then those a client may set.
WS_HEADER = "ws-header"
# A port a load balancer listens on (`http --port`): completion offers its listeners'.
LISTENER_PORT = "listener-port"
OBJECT_KEY = "object-key"  # the key of an object in a bucket
# A key to write an object at: any key, the prefixes the bucket's notifications filter on
# offered (`upload uploads ` offers `incoming/`, the key that triggers a workload).
NEW_OBJECT_KEY = "new-object-key"
TRACE_ID = "trace-id"  # what `explain` follows: a message or event id, an object key
EVENT_SOURCE = "event-source"  # an EventBridge event's source
DETAIL_TYPE = "detail-type"  # an EventBridge event's detail-type
RECORD_RESOURCE = "record-resource"  # the resource trace records of the kind before it are on
RECORD_FIELD = "record-field"  # FIELD=VALUE: a data field of the trace kind before it
ITEM_KEY = "item-key"  # KEY=VALUE: a key attribute of the table before it (`expect item`)
ITEM_ATTRIBUTE = "item-attribute"  # an attribute (document path) of the item keyed before it
OBJECT_FIELD = "object-field"  # what `expect object BUCKET KEY` reads: exists or size
# What `expect response` reads of an HTTP answer (status, header, body or body.PATH), a
# request id before it, or the header name after `header`.
RESPONSE_PART = "response-part"
MESSAGE_FILTER = "message-filter"  # FIELD=VALUE: what `expect messages QUEUE` counts by
METRIC_RESOURCE = "metric-resource"  # a resource or rule `show metrics` measures
USER_POOL = "user-pool"  # a user-auth-pool of the stack
# A user of the user pool named before it (of any pool where none is): its username, or the
# email or phone number it signs in with where the pool's usernames are one of them.
POOL_USER = "pool-user"
# A group of the user pool named before it: completion offers the pool's groups; a new
# name makes a group (admin-add-user-to-group).
POOL_GROUP = "pool-group"

# Inside a `rest` argument, the kinds a word of one kind may be followed by before the next
# argument: `expect count KIND [RESOURCE] [FIELD=VALUE ...] OP VALUE`. After KIND comes a
# RESOURCE or, as RESOURCE is optional, a first FIELD=VALUE; completion offers both, each
# as what it is, and a word there is read as the kind whose shape it has (`KIND_SHAPES`).
# `expect item TABLE KEY=VALUE ... ATTRIBUTE` and `expect object BUCKET KEY FIELD` the same.
REST_FOLLOWERS: dict[str, tuple[str, ...]] = {
    TRACE_KIND: (RECORD_RESOURCE, RECORD_FIELD),
    RECORD_RESOURCE: (RECORD_FIELD,),
    RECORD_FIELD: (RECORD_FIELD,),
    TABLE: (ITEM_KEY,),
    ITEM_KEY: (ITEM_KEY, ITEM_ATTRIBUTE),
    "bucket": (OBJECT_KEY,),
    OBJECT_KEY: (OBJECT_FIELD,),
    RESPONSE_PART: (RESPONSE_PART,),
    QUEUE: (MESSAGE_FILTER,),
    MESSAGE_FILTER: (MESSAGE_FILTER,),
}

# Kinds after which a `rest` argument goes on: `expect item TABLE` needs its key, then an
# attribute; `expect object BUCKET` its key, then a field. The next argument (the
# comparison) is not offered after one.
REST_UNFINISHED = frozenset({TABLE, ITEM_KEY, "bucket", OBJECT_KEY})

# What a word of a kind looks like, where a position takes several kinds: a filter holds
# `=`, which no resource name does. A kind not listed takes any word.
KIND_SHAPES: dict[str, Callable[[str], bool]] = {
    RECORD_RESOURCE: lambda word: "=" not in word,
    RECORD_FIELD: lambda word: "=" in word,
    ITEM_KEY: lambda word: "=" in word,
    ITEM_ATTRIBUTE: lambda word: "=" not in word,
    MESSAGE_FILTER: lambda word: "=" in word,
}


def read_kind(kinds: Sequence[str], word: str) -> str | None:
    """The kind `word` is read as where any of `kinds` may go: the first whose shape it
    has, else the first of them (which then judges the word, and refuses it); None when no
    kind may go there."""
    for kind in kinds:
        shape = KIND_SHAPES.get(kind)
        if shape is None or shape(word):
            return kind
    return kinds[0] if kinds else None


# Kinds whose values are the user's own text (a body, a key, a file name): one may start
# with `--`, and then goes after `--`.
FREE_TEXT = (
    TEXT,
    PAYLOAD,
    FILE,
    WORD,
    OBJECT_KEY,
    NEW_OBJECT_KEY,
    TRACE_ID,
    EVENT_SOURCE,
    DETAIL_TYPE,
    POOL_USER,
    POOL_GROUP,
)

# Kinds that name resources of the stack, by the Stacktape resource types they accept. A
# kind not listed here that is itself a resource type (`bucket`, `batch-job`) names the
# resources of that type; completion lists them either way.
RESOURCE_KIND_TYPES: dict[str, tuple[str, ...]] = {
    QUEUE: ("sqs-queue",),
    DLQ: ("sqs-queue",),
    FUNCTION: ("function",),
    WORKLOAD: (
        "function",
        "batch-job",
        "multi-container-workload",
        "container-workload",
        "web-service",
        "private-service",
        "worker-service",
    ),
    BUS: ("event-bus",),
    TOPIC: ("sns-topic",),
    STREAM: ("kinesis-stream",),
    TABLE: ("dynamo-db-table",),
    STATE_MACHINE: ("state-machine",),
    HTTP_ENTRY: ("http-api-gateway", "application-load-balancer"),
    FUNCTION_URL: ("function",),
    USER_POOL: ("user-auth-pool",),
}

# Help lists topics in this order; a command's topic must be one of them.
TOPICS: dict[str, str] = {
    "messages": "Send work into the stack",
    "time": "Move the virtual clock",
    "behaviour": "Change what handlers do",
    "inspect": "Look at the simulation",
    "assert": "Check the simulation (scripts stop at the first failure)",
    "session": "Save, load and help",
}


class CommandError(Exception):
    """A command that could not run; nothing in the simulation changed.

    `hint` is a suggestion the user can act on (a did-you-mean, the right usage). An error
    about one word of the line names it: `word` is its value as read (an unknown name, a
    bad duration, JSON that does not parse), `within` the index in that value where the
    fault is (the character a JSON error points at), `word_index` its index among the
    line's words when the raiser knows it (the command name, 0), else `occurrence`, which
    time the word is given after the command name (an option given twice: the second).
    `execute` finds the word in the line it ran and sets `located`: where it was typed,
    for `file:line:col` and a caret. An error about the whole line names none."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        word: str | None = None,
        within: int = 0,
        word_index: int | None = None,
        occurrence: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.word = word
        self.within = within
        self.word_index = word_index
        self.occurrence = occurrence
        self.located: Located | None = None
        # (FILE, LINE or LINE:COL) of each `source`d line it passed through, the outermost
        # first, each written before the message (`sourced`): `stptui run` names the last,
        # the line at fault, as its place (`script.failure_text`).
        self.places: tuple[tuple[str, str], ...] = ()

    def format(self) -> str:
        """The message, plus an indented hint line when there is one."""
        return f"{self.message}\n    hint: {self.hint}" if self.hint else self.message


def sourced(exc: CommandError, file: str, at: str) -> CommandError:
    """`exc`, raised by the line at `at` (LINE, or LINE:COL for an error about one word) of
    the script `file` that a `source` line runs, of the same class: `FILE:AT: ` before its
    message (as the REPL and the terminal UI show it), and its place in `places`."""
    new = type(exc)(f"{file}:{at}: {exc.message}", exc.hint)
    new.places = ((file, at), *exc.places)
    return new


class ExpectationFailed(CommandError):
    """An `expect` whose condition does not hold (its message shows expected vs actual)."""


# Option names other tools use, and this language's option for the same thing, offered
# when the command has it: spelling alone leads `upload --file` to `--size`.
_OTHER_TOOLS_OPTIONS = {
    "--file": "--from",
    "--path": "--from",
    "--body": "--content",
    "--data": "--content",
    "--headers": "--header",
    "--pass": "--password",
}
# Other words for a fixed word of a command, written as an option (`fail worker --times 1`
# for `fail worker next 1`): the word meant, when the command takes it.
_OTHER_WORDS = {
    "times": "next",
    "count": "next",
    "probability": "rate",
    "chance": "rate",
    "if": "when",
    "condition": "when",
}


@dataclass(frozen=True, slots=True)
class Arg:
    """A positional argument. `rest` takes every remaining word (at least one unless
    `optional`)."""

    name: str
    kind: str
    help: str
    optional: bool = False
    rest: bool = False
    # Fixed words the argument takes (`show queues`, `fail F next 3`); completion offers
    # them. For a `rest` argument they are the words its first word may be.
    choices: tuple[str, ...] = ()
    # (word, help line) of some of `choices`: what completion's menu shows beside each
    # (`show queue` -> "queue Q: one queue"), where the argument's help would be the same
    # for all of them.
    choice_help: tuple[tuple[str, str], ...] = ()
    # (previous word, kind) pairs for an argument whose kind depends on the word before it:
    # `show queue NAME` names a queue, `show message NAME` a message.
    kind_after: tuple[tuple[str, str], ...] = ()
    # The command's own check of the word, given the simulator (it raises the CommandError
    # the command would): the REPL's check before Enter calls it instead of judging the
    # word by `choices`, which name only the words completion offers (`show tables` is
    # answered by `show` with the tables, though completion offers only `table`).
    check: Callable[[Any, str], None] | None = None
    # Which of `choices` have nothing to act on in the simulator given, each with why
    # (`show streams` on a stack without streams: "this stack has no Kinesis streams").
    # Completion leaves them out, and offers one, with its why as the help line, only where
    # the word typed starts no other choice; the command itself still takes them.
    unavailable: Callable[[Any], Mapping[str, str]] | None = None
    # A `rest` argument that is a command line of its own (`repeat N COMMAND ...`): its
    # words, from the first on, are that command's, so a `--name` among them is the inner
    # command's option, not this command's.
    command_line: bool = False

    @property
    def key(self) -> str:
        """The name a handler reads the value under."""
        return self.name.lower().replace("-", "_")

    def choice_about(self, word: str) -> str:
        """The help line of the fixed word `word` (`choice_help`), else the argument's."""
        return next((about for w, about in self.choice_help if w == word), self.help)

    def kind_for(self, previous: str | None) -> str:
        """The argument's kind when the word before it is `previous`."""
        return next((k for w, k in self.kind_after if w == previous), self.kind)

    def follower_kinds(self, previous: str | None, previous_kind: str | None) -> tuple[str, ...]:
        """The kinds a later word of this `rest` argument may be, after the word `previous`
        read as `previous_kind`: the kind `kind_after` names for `previous`, else the
        `REST_FOLLOWERS` of `previous_kind`."""
        kind = next((k for w, k in self.kind_after if w == previous), None)
        return (kind,) if kind is not None else REST_FOLLOWERS.get(previous_kind or "", ())

    def rest_kinds(self, words: Sequence[str], previous: str | None = None) -> list[str | None]:
        """The kind each of `words`, the words this `rest` argument took, is read as; the
        word before the argument is `previous`."""
        out: list[str | None] = []
        for i, word in enumerate(words):
            if i == 0:
                out.append(self.kind_for(previous))
            else:
                out.append(read_kind(self.follower_kinds(words[i - 1], out[-1]), word))
        return out


@dataclass(frozen=True, slots=True)
class Option:
    """A `--name VALUE` option (or a `--name` flag when `kind` is FLAG)."""

    name: str
    kind: str
    help: str
    metavar: str = ""
    repeat: bool = False
    # Fixed words the value may be (`--op put`): completion offers them; the command
    # itself refuses any other, in its own words.
    choices: tuple[str, ...] = ()
    # The first words of the line the option goes with (`show metrics`'s --since): after
    # another first word completion does not offer it, as the command refuses it there.
    # Empty: any.
    after: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The name a handler reads the value under (`--dedup-id` -> `dedup_id`)."""
        return self.name.lstrip("-").replace("-", "_")

    @property
    def usage(self) -> str:
        """`--delay D` (and `...` when the option repeats)."""
        text = self.name if self.kind == FLAG else f"{self.name} {self.metavar or 'VALUE'}"
        return f"{text} ..." if self.repeat else text


@dataclass(slots=True)
class Call:
    """A parsed command line: the command, its bound arguments and options.

    `execute` also hands a handler what its front end offers: `should_stop`, polled by
    commands that run the clock for long (a REPL's Ctrl-C), and `report`, which commands
    that run other commands (`source`) call with each line before it runs (result None)
    and with its result after; such a command first calls `at_line` with the file and line
    number the line comes from (`stptui run --junit` reports each `expect` where it is
    written). Given `expect_failed` (`stptui run --keep-going`), such a command hands it
    each `expect` of its lines that failed, its FILE:LINE put before the message as the
    error it would raise has it, and runs on. A handler sets `log_line` when the session
    log must record something other than the typed line (an interrupted `advance` is
    logged as the `until` it amounted to, so that the log replays exactly)."""

    command: Command
    line: str
    words: list[str]
    args: dict[str, Any] = field(default_factory=dict)
    opts: dict[str, Any] = field(default_factory=dict)
    should_stop: Callable[[], bool] | None = None
    report: Callable[[str, CommandResult | None], None] | None = None
    at_line: Callable[[str, int], None] | None = None
    expect_failed: Callable[[ExpectationFailed], None] | None = None
    log_line: str | None = None
    # Set by a front end that runs on what a command has left when `should_stop` stopped
    # it (`stptui.commands.resume`): such a command then returns a resumption.
    resumable: bool = False
    # Set by `repeat` for the commands it runs: a command that would run the clock until
    # its answer (`http`, `invoke`) starts its request and lets the clock carry it, since
    # a repetition runs inside the clock, which must not be run again from within.
    detached: bool = False
    # The references (`$last`, `$newest:KIND`) its words held, resolved when it was parsed
    # (`stptui.commands.references.Reference`); `words` and the values hold their ids.
    references: list[Reference] = field(default_factory=list)


Handler = Callable[["Session", Call], "CommandResult"]


@dataclass(frozen=True, slots=True)
class Command:
    """One command of the language, as help, completion and the executor see it."""

    name: str
    topic: str
    summary: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    options: tuple[Option, ...] = ()
    examples: tuple[str, ...] = ()
    # True when the command changes the simulation: such lines go into the session log
    # that `save` writes and `load` replays.
    changes_state: bool = False
    # Commands whose grammar is richer than positional words (fail, show, expect) spell
    # their own usage; every other usage line is generated from args and options.
    usage_text: str | None = None
    # More help: paragraphs, one a line and never wrapped here (each front end wraps them
    # to its width), or a list of `label: text` lines.
    details: str = ""
    # A check of the positional words before they are bound, for a mistake that the
    # generic "needs ARG" would explain poorly (a whole event pasted into `publish`). It
    # raises CommandError with the right line as its hint.
    check_words: Callable[[list[str]], None] | None = None
    # The command's own check of a bound line, given the simulator: it raises the
    # CommandError the command would before doing anything (`show queue` needs a name), so
    # that the REPL's check before Enter gives the same answer.
    check_call: Callable[[Any, Call], None] | None = None
    # The key of the argument (a body, a payload, a message) that `--from PATH` gives from
    # a file's text instead (`body_from_file`); None when the command takes no body.
    body_file: str | None = None

    @property
    def usage(self) -> str:
        """One usage line: `send QUEUE BODY [--delay D] ...`."""
        if self.usage_text is not None:
            return self.usage_text
        parts = [self.name]
        for a in self.args:
            word = f"{a.name} ..." if a.rest else a.name
            parts.append(f"[{word}]" if a.optional else word)
        parts.extend(f"[{o.usage}]" for o in self.options)
        return " ".join(parts)

    def option(self, word: str) -> Option:
        """The option spelled `word`, or a CommandError with a did-you-mean."""
        for o in self.options:
            if o.name == word:
                return o
        names = [o.name for o in self.options]
        # A body, a key or a file name may start with `--` too: `--` before it says so.
        free = any(a.kind in FREE_TEXT and not a.choices for a in self.args)
        as_value = f"; a value that starts with -- goes after --: {self.name} ... -- {word}"
        bare = word.lstrip("-")
        if bare not in _OTHER_WORDS.values() and any(
            _OTHER_WORDS.get(bare) in a.choices for a in self.args
        ):
            bare = _OTHER_WORDS[bare]  # `--times`: `next`, the word the command takes
        if any(bare in a.choices for a in self.args):
            # `show --queues`: a fixed word written as an option.
            raise CommandError(
                f"{self.name} has no option {word}",
                f"{bare} is a plain word, not an option: {self.name} {bare}",
                word=word,
            )
        if (arg := self.argument_named(bare)) is not None:
            # `publish ... --source orders`, `http ... --body '{}'`: the value is right, only
            # its name is not an option; a fuzzy guess (--resources) would lead astray.
            raise CommandError(
                f"{self.name} has no option {word}",
                f"{arg.name} is a plain word, not an option: {self.usage}",
                word=word,
            )
        if not names:
            raise CommandError(
                f"{self.name} takes no options",
                f"usage: {self.usage}{as_value if free else ''}",
                word=word,
            )
        guess = _OTHER_TOOLS_OPTIONS.get(word)
        guess = guess if guess in names else did_you_mean(word, names)
        raise CommandError(
            f"{self.name} has no option {word}",
            f"did you mean {guess}?"
            if guess
            else f"options: {', '.join(names)}{as_value if free else ''}",
            word=word,
        )

    def argument_named(self, bare: str) -> Arg | None:
        """The positional argument an option name without its dashes names (`detail-type`
        names DETAIL_TYPE, `detail` DETAIL_JSON), if any."""
        wanted = bare.replace("-", "_").upper()
        for a in self.args:
            if a.choices or a.command_line:
                continue  # fixed words (`show queues`) or an inner command: not a value
            if wanted in (a.name, a.name.removesuffix("_JSON")):
                return a
        return None

    def help_text(self) -> str:
        """Usage, summary, arguments, options and examples, as plain text."""
        lines = [f"usage: {self.usage}", "", f"  {self.summary}"]
        if self.details:
            lines += ["", *(f"  {d}" for d in self.details.splitlines())]
        rows = [(a.name, a.help) for a in self.args] + [(o.usage, o.help) for o in self.options]
        if rows:
            width = max(len(r[0]) for r in rows)
            lines.append("")
            lines += [f"  {name.ljust(width)}  {text}" for name, text in rows]
        if self.examples:
            lines += ["", "examples:", *(f"  {e}" for e in self.examples)]
        return "\n".join(lines)


# The widest name `help` lines its summaries up after (send-task-heartbeat's): a longer
# name (the user pools' admin-remove-user-from-group) goes on a line of its own, its summary
# under the others', so that one long name does not narrow every summary in a terminal.
HELP_NAME_WIDTH = 19
# `help all`: every command with its summary; `help` alone is the overview.
HELP_ALL = "all"
# The overview fits one 80x24 terminal with its `> help` line and the prompt after it: its
# lines are at most this wide, and a group's names take at most OVERVIEW_GROUP_LINES lines.
OVERVIEW_WIDTH = 78
OVERVIEW_GROUP_LINES = 2
# The commands a first session drives most, named first in their group's lines (the rest
# follow in the registry's order, as many as fit).
OVERVIEW_FIRST = (
    "send",
    "publish",
    "publish-sns",
    "invoke",
    "http",
    "upload",
    "fire",
    "put-item",
    "put-record",
    "start-execution",
    "sign-up",
    "ws-connect",
    "repeat",
)

_LEAVE = (
    "no command leaves the session",
    "Ctrl-D leaves the REPL, q the terminal UI; a script ends after its last line",
)
_LIST = (
    "`show` lists what the stack holds",
    "e.g. show queues, show functions, show agenda; `help show` lists every view",
)
_RESET = (
    "no command starts the session over",
    "`undo N` takes back the last N commands; or leave and open the stack again",
)
# Words a shell or another REPL (Python, sqlite3, psql, node) takes, lower-case: (why none
# runs here, what does instead).
OTHER_TOOLS_WORDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("exit", "quit", "q", "bye", "logout", ":q", ".exit", ".quit"), _LEAVE),
    # `describe` and `info` as the AWS CLI's describe-* calls and many tools' `info` read.
    **dict.fromkeys(("ls", "list", "status", "describe", "info"), _LIST),
    **dict.fromkeys(
        ("graph", "diagram"),
        (
            "the graph is drawn outside the REPL",
            "`stptui graph STACK` prints it in a shell (text, mermaid, dot, json), the "
            "terminal UI (`stptui STACK`) draws it; here `show routes`, `show buses` and "
            "`show function F` list what reaches what",
        ),
    ),
    **dict.fromkeys(("reset", "restart"), _RESET),
    **dict.fromkeys(
        ("now", "time", "clock", "date"),
        (
            "the time is shown, not asked for",
            "`show agenda` gives the time now and what is due next; `expect time == INSTANT` "
            "checks it",
        ),
    ),
    **dict.fromkeys(
        ("clear", "cls"), ("the screen is the terminal's", "Ctrl-L clears the REPL's screen")
    ),
    "history": (
        "the history is the prompt's",
        "Up and Down walk the REPL's history, Ctrl-R searches it",
    ),
    # SQS's move tasks: stptui's `redrive` is one, done at once, with nothing left to list.
    **dict.fromkeys(
        ("list-message-move-tasks", "cancel-message-move-task"),
        (
            "a redrive moves its messages at once",
            "`redrive DLQ` prints each message it moved and its new id; `explain ID` follows "
            "one; `expect count message.redriven == N` checks how many moved",
        ),
    ),
}
# The AWS CLI's names of the calls the commands make (and the words for waiting and for
# moving dead-lettered messages back), lower-case, with the command that makes each.
AWS_CLI_NAMES = {
    "send-message": "send",
    "send-message-batch": "send",
    "put-events": "publish",
    "put-event": "publish",
    "sns-publish": "publish-sns",
    "put-object": "upload",
    "delete-object": "delete",
    "restore-object": "restore",
    "submit-job": "start-job",
    "purge-queue": "purge",
    "start-replay": "replay",
    "initiate-auth": "sign-in",
    "wait": "advance",
    "sleep": "advance",
    "start-message-move-task": "redrive",
    "retry": "redrive",
    "requeue": "redrive",
}
# Verbs that name one of `show`'s views by another word (`tail worker`: its log lines), the
# AWS CLI's reads of a queue among them: a queue's messages are received by the stack's own
# consumers, and `show queue` lists them without receiving them (`receive` was taken for a
# misspelt `redrive`).
SHOW_VERBS = {
    "tail": "logs",
    **dict.fromkeys(
        (
            "receive-message",
            "receive",
            "peek",
            "get-queue-attributes",
            "list-dead-letter-source-queues",
        ),
        "queue",
    ),
    "list-queues": "queues",
}
# The AWS CLI's options that name the queue a call reads: `receive-message --queue-url Q`.
AWS_CLI_QUEUE_OPTIONS = frozenset({"--queue-url", "--queue-name", "--source-arn"})
# The AWS CLI's service names of what the commands drive: `aws sqs send-message ...` typed
# whole, or without `aws`.
AWS_CLI_SERVICES = frozenset(
    {
        "sqs",
        "sns",
        "events",
        "lambda",
        "s3",
        "s3api",
        "dynamodb",
        "kinesis",
        "stepfunctions",
        "batch",
        "logs",
        "cloudwatch",
        "cognito-idp",
        "apigatewaymanagementapi",
    }
)


class Registry:
    """The set of commands, in declaration order."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}

    def add(self, command: Command) -> Command:
        """Register a command (names are unique, topics must be known)."""
        if command.name in self.commands:
            raise ValueError(f"command {command.name!r} registered twice")
        if command.topic not in TOPICS:
            raise ValueError(f"command {command.name!r} has unknown topic {command.topic!r}")
        self.commands[command.name] = command
        return command

    def get(self, name: str, rest: Sequence[str] = ()) -> Command:
        """The command called `name`, or a CommandError with a did-you-mean (the line meant,
        with `rest`, the words after it, when `name` is a verb from elsewhere: see
        `meant_line`)."""
        cmd = self.commands.get(name)
        if cmd is not None:
            return cmd
        if name.endswith(":"):
            # `serviceName:` or `resources:`: a Stacktape config given where a script goes,
            # most often `stptui run` with its two files the wrong way round.
            raise CommandError(
                f"unknown command {name!r}: this line is YAML, not a command",
                "a script holds commands, one per line; `stptui run STACK SCRIPT` takes the "
                "stacktape.yml first, then the script",
                word=name,
            )
        # Words from shells, other REPLs and the AWS CLI: the closest spelling (`exit` is
        # near `expect`, `put-object` near `put-record`) would be a wrong lead.
        word = name.lower()
        if word in OTHER_TOOLS_WORDS:
            why, hint = OTHER_TOOLS_WORDS[word]
            raise CommandError(f"unknown command {name!r}: {why}", hint, word=name)
        # A service's name is the AWS CLI's prefix unless it is a verb of its own (`logs
        # worker`: `show logs worker`).
        known = None if word == "aws" else self._known_hint(name, rest)
        if known is None and (word == "aws" or word in AWS_CLI_SERVICES):
            known = self._aws_cli_hint(name, rest)
        if known is not None:
            raise CommandError(f"unknown command {name!r}", known, word=name)
        guess = did_you_mean(name, self.commands)
        raise CommandError(
            f"unknown command {name!r}",
            f"did you mean {quote_word(guess)}?"
            if guess
            else "type `help` for the list of commands",
            word=name,
        )

    def _known_hint(self, name: str, rest: Sequence[str]) -> str | None:
        """The hint for `name`, a word from the AWS CLI or a verb that says what it meant
        (see `meant_line`), or None when it is neither."""
        if (meant := AWS_CLI_NAMES.get(name.lower())) in self.commands:
            return f"did you mean {quote_word(meant)}? usage: {self.commands[meant].usage}"
        return self.meant_line(name, rest)

    def _aws_cli_hint(self, name: str, rest: Sequence[str]) -> str:
        """The hint for an AWS CLI line typed whole (`aws sqs receive-message ...`, `sqs
        send-message ...`): the hint its operation gets without the prefix."""
        words = [name, *rest]
        service = len(words) > 1 and words[1].lower() in AWS_CLI_SERVICES
        cut = 2 if name.lower() == "aws" and service else 1
        said = f"stptui's commands have no `{' '.join(quote_word(w) for w in words[:cut])}` prefix"
        if len(words) == cut:
            return f"{said}: type `help` for the list of commands"
        operation, after = words[cut], words[cut + 1 :]
        word = operation.lower()
        if operation in self.commands:
            return f"{said}: {self.commands[operation].usage}"
        if word in OTHER_TOOLS_WORDS:
            return f"{said}: {'; '.join(OTHER_TOOLS_WORDS[word])}"
        if (known := self._known_hint(operation, after)) is not None:
            return f"{said}: {known}"
        return f"{said} and no {quote_word(operation)}: type `help` for the list of commands"

    def meant_line(self, name: str, rest: Sequence[str]) -> str | None:
        """The hint for a verb that is no command but says what it meant: a view of `show`
        typed without `show` (`queue jobQueue`, `logs worker`, `tail worker`), an HTTP
        method with the path after it (`post /jobs '{}'`). The nearest command's spelling
        would be a wrong lead there (`tail`: `fail`; `post`: `ws-post`)."""
        word = name.lower()
        show, http = self.commands.get("show"), self.commands.get("http")
        view = SHOW_VERBS.get(word, word)
        if show is not None and show.args and view in show.args[0].choices:
            if word in SHOW_VERBS and view != "logs":
                rest = _aws_cli_operand(rest)
            shown = " ".join(quote_word(w) for w in ["show", view, *rest])
            if not rest and (needed := re.search(rf"(?:^show |\| ){view} ([A-Z_]+)", show.usage)):
                shown += f" {needed[1]}"  # `tail` alone: `show logs FUNCTION`
            return f"`show` shows it: {shown}"
        method = name.upper()
        if http is not None and http.args and method in http.args[0].choices:
            if rest and rest[0].startswith("/"):
                line = " ".join(quote_word(w) for w in ["http", method, *rest])
                return f"an HTTP request is `http METHOD PATH`: {line}"
            if not rest:
                return f"an HTTP request is `http METHOD PATH`: http {method} PATH"
        return None

    def parse(self, line: str, words: list[str] | None = None) -> Call | None:
        """Tokenise and bind a line; None for a blank or comment-only line. `words` are the
        line's words when the caller has read them already (with its references resolved:
        `stptui.commands.references`)."""
        words = tokenize(line) if words is None else words
        if not words:
            return None
        try:
            cmd = self.get(words[0], words[1:])
        except CommandError as exc:
            exc.word_index = 0
            raise
        return bind(cmd, line, words[1:])

    def help(self, name: str | None = None) -> str:
        """The overview (`help`: each topic's commands by name, on one screen), every
        command with its summary (`help all`), or one command's full help."""
        if name is None:
            return self.overview()
        if name != HELP_ALL:
            return self.get(name).help_text()
        width = min(HELP_NAME_WIDTH, max(len(c.name) for c in self.commands.values()))
        out: list[str] = []
        for topic, title in TOPICS.items():
            cmds = [c for c in self.commands.values() if c.topic == topic]
            if not cmds:
                continue
            out.append(f"{title}:")
            for c in cmds:
                if len(c.name) > width:
                    out += [f"  {c.name}", f"  {' ' * width}  {c.summary}"]
                else:
                    out.append(f"  {c.name.ljust(width)}  {c.summary}")
            out.append("")
        out.append("Type `help COMMAND` for its usage and examples.")
        return "\n".join(out)

    def overview(self) -> str:
        """`help` alone: each topic with its commands' names, a group in at most
        OVERVIEW_GROUP_LINES lines of OVERVIEW_WIDTH (the rest counted), so that the whole
        fits one 80x24 screen; `help COMMAND` and `help all` say the rest."""
        out = ["Commands by what they do (`help COMMAND`: its usage and examples):"]
        for topic, title in TOPICS.items():
            names = [c.name for c in self.commands.values() if c.topic == topic]
            if not names:
                continue
            first = [n for n in OVERVIEW_FIRST if n in names]
            names = first + [n for n in names if n not in first]
            out += ["", f"{title}:"]
            out += _name_lines(names, OVERVIEW_WIDTH - 2, OVERVIEW_GROUP_LINES)
        out.append(f"`help {HELP_ALL}` lists every command with a line on what it does.")
        return "\n".join(out)


def _name_lines(names: list[str], width: int, most: int) -> list[str]:
    """`names` in lines of at most `width` characters (indented by two), at most `most`
    lines: the names that do not fit are counted at the end of the last one."""
    lines: list[str] = []
    line: list[str] = []
    for i, name in enumerate(names):
        rest = len(names) - i - 1
        last = len(lines) == most - 1
        # On the last line, the count of the names after this one must fit too.
        tail = f" ... and {rest} more" if last and rest else ""
        if line and len(" ".join([*line, name]) + tail) > width:
            if last:
                return [*lines, "  " + " ".join([*line, f"... and {rest + 1} more"])]
            lines.append("  " + " ".join(line))
            line = []
        line.append(name)
    return [*lines, "  " + " ".join(line)]


def _aws_cli_operand(rest: Sequence[str]) -> list[str]:
    """The queue an AWS CLI read names (`--queue-url Q` or a bare Q), as `show queue` takes
    it; the call's other options (`--max-number-of-messages 10`) have no place there."""
    words = list(rest)
    for i, word in enumerate(words[:-1]):
        if word.lower() in AWS_CLI_QUEUE_OPTIONS:
            return [words[i + 1]]
    return [w for w in words if not w.startswith("--")][:1]


def strip_comment(line: str) -> str:
    """`line` without a trailing `# comment`.

    As in a shell, `#` starts a comment only at the start of a word and outside quotes, so
    `send q 'a # b'`, `send q abc#1` and `send q a\\ #b` keep their `#`."""
    return line[: _scan(line).end]


def command_text(line: str) -> str:
    """The command part of `line`: without a `# comment` and the word separators around it.

    Not `str.strip`, which also drops no-break spaces, U+2028 and the other characters that
    `tokenize` keeps as data; and a separator that a backslash escapes (`abc\\ `) is data too,
    so it stays. The text left reads as the same words as the line."""
    text = strip_comment(line).lstrip(WORD_SEPARATORS)
    kept = text.rstrip(WORD_SEPARATORS)
    if len(kept) < len(text) and (len(kept) - len(kept.rstrip("\\"))) % 2:
        kept = text[: len(kept) + 1]
    return kept


def logged_line(line: str) -> str:
    """`line` as the session log keeps it: as typed, or, when it holds a character that
    `textsafe` shows escaped (an ESC, a CR, U+202E ...), its words quoted again by
    `quote_word`, so that the log, saved sessions and recorded scripts write the character
    as a `$'...'` escape, in plain sight, and replay the same words. Tabs and line breaks
    inside quotes stay as typed: a JSON body typed over several lines is recorded so. A
    reference typed bare (`$last`) stays bare: quoted, it would replay as text."""
    if ESCAPED.search(line) is None:
        return line
    words = tokenize(line)
    typed = [line[begin:end] for begin, end in word_spans(line)]
    # One word a span: `tokenize` and `word_spans` read the line with the same `_PIECE`.
    return " ".join(
        t if is_reference(t) else quote_word(w) for w, t in zip(words, typed, strict=True)
    )


# What `open_quote` returns for a line that ends in a backslash outside quotes: the backslash
# escapes the line break, so the command goes on on the next line (the word holds a "\n").
ESCAPED_LINE_BREAK = "\\\n"


def open_quote(line: str, quote: str | None = None) -> str | None:
    """The quote still open at the end of `line` (None when all are closed), for a line
    that starts inside `quote`: a command whose quote is open goes on on the next line. A
    line that ends in a backslash outside quotes gives ESCAPED_LINE_BREAK: it goes on too."""
    reading = _scan(quote + line if quote else line)
    if reading.quote is None and reading.error == _NO_ESCAPED_CHARACTER:
        return ESCAPED_LINE_BREAK
    return reading.quote


def format_line(name: str, values: list[str], options: Sequence[tuple[str, str | None]]) -> str:
    """The command line that `tokenize` and `bind` read back as `name` with these positional
    values and options (a flag, which takes no value, with None), every word quoted. A value
    that starts with `--` would be read as an option: then the options go first and `--`
    ends them."""
    shown = " ".join(_quoted(v) for v in values)
    flags = " ".join(option if v is None else f"{option} {_quoted(v)}" for option, v in options)
    if any(v.startswith("--") for v in values):
        return " ".join(w for w in (name, flags, "--", shown) if w)
    return " ".join(w for w in (name, shown, flags) if w)


def _quoted(word: str) -> str:
    """`word` quoted as `shlex.quote` does, but in `$'...'` when `quote_word` would be."""
    return ansi_c_quoted(word) if NEEDS_ANSI_C.search(word) else shlex.quote(word)


def tokenize(line: str) -> list[str]:
    """Split a command line into words with shell rules (quotes, backslashes, comments)."""
    reading = _scan(line)
    if reading.error is not None:
        exc = CommandError(f"cannot split the line: {reading.error}", _split_hint(reading))
        exc.located = _split_fault(line, reading)
        raise exc
    return reading.words


def _split_fault(line: str, reading: _Reading) -> Located:
    """Where a line that cannot be split goes wrong: the escape that names no character,
    the quote never closed, or the backslash that ends the line."""
    if reading.point is not None:
        return Located(line, reading.at, reading.point, len(line))
    if reading.quote is None:
        return Located(line, len(line) - 1, len(line) - 1, len(line))
    return Located(line, reading.at, reading.at, len(line))


def word_spans(line: str) -> list[tuple[int, int]]:
    """Where each word of `line` is, as typed (its quotes and escapes in it), up to a
    comment."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for m in _PIECE.finditer(line):
        if line[m.start()] in WORD_SEPARATORS:
            if start is not None:
                spans.append((start, m.start()))
                start = None
        elif start is None:
            if line[m.start()] == "#":
                break
            start = m.start()
    if start is not None:
        spans.append((start, len(line)))
    return spans


def typed_after(line: str, count: int) -> str:
    """What `line` holds after its first `count` words, as typed (quotes kept, its comment
    left out): a quoted word with spaces in it (`fail 'my worker' when ...`) is one word."""
    spans = word_spans(line)
    if len(spans) <= count:
        return ""
    return line[spans[count][0] : spans[-1][1]]


def typed_form(line: str, word: str) -> str | None:
    """How the last word of `line` that reads as `word` was typed, its quotes and escapes
    kept (None when no word reads so, or the line cannot be split): an error that depends
    on what the quoting took away asks it."""
    for begin, end in reversed(word_spans(line)):
        typed = line[begin:end]
        reading = _scan(typed)
        if reading.error is None and reading.words == [word]:
            return typed
    return None


@dataclass(frozen=True, slots=True)
class Located:
    """Where the word an error is about was typed in `line`: from `start` to `end`, its
    quotes and escapes included, the fault at `point` (the word's start, or the character a
    JSON error points at; `end` when the fault is the word's end)."""

    line: str
    start: int
    point: int
    end: int

    def where(self, indent: int = 0) -> tuple[int, int]:
        """(how many lines after the command's first line, column from 1) of the fault, in
        characters as typed (a tab is one, as is a wide character); `indent` counts what
        was typed before the command on its first line and left out of `line` (a script
        line's leading spaces)."""
        before = self.line[: self.point]
        breaks = before.count("\n")
        if breaks:
            return breaks, self.point - before.rfind("\n")
        return 0, indent + self.point + 1


def place(exc: CommandError, line: str) -> CommandError:
    """`exc`, raised running `line`, with `located` set to where its word is in `line` (see
    `locate`); kept when it is already set on this line (a line that cannot be split). A
    CommandError made of a SimError or BehaviorError (`CommandError(str(exc), hint)`, the
    same message) names the word that error names."""
    if exc.located is not None and exc.located.line == line:
        return exc
    if exc.word_index is None:
        exc.word = place_word(exc)
    exc.located = locate(line, exc)
    return exc


def place_word(exc: CommandError) -> str | None:
    """The word `exc` is about: its own, or, for a CommandError made of a SimError or
    BehaviorError with the same message (`CommandError(str(exc), hint) from None`), the
    word that error names."""
    if exc.word is not None:
        return exc.word
    cause = exc.__context__
    word = getattr(cause, "word", None)
    return word if isinstance(word, str) and str(cause) == exc.message else None


def locate(line: str, exc: CommandError) -> Located | None:
    """Where in `line` the word `exc` is about was typed (see CommandError), or None: an
    error about the whole line, or one about a word this line does not hold (a line that
    another line runs). A word given twice is taken where the raiser says (`word_index`),
    else the first time it is given after the command name (a value is never the command
    name unless nothing else matches); an option's value typed as `--name=VALUE` is found
    after its `=`."""
    if exc.word is None and exc.word_index is None:
        return None
    spans = word_spans(line)
    values: list[str | None] = []
    for begin, end in spans:
        reading = _scan(line[begin:end])
        values.append(reading.words[0] if reading.error is None and reading.words else None)
    if exc.word_index is not None and exc.word_index < len(spans):
        order = [exc.word_index]
    else:
        order = [*range(1, len(spans)), 0]
    seen = 0
    for i in order:
        value, (begin, end) = values[i], spans[i]
        if value is None:
            continue
        if exc.word is None or value == exc.word:
            skip = 0
        elif value.startswith("--") and value.partition("=")[2] == exc.word and "=" in value:
            skip = value.index("=") + 1
        else:
            continue
        seen += 1
        if seen <= exc.occurrence and exc.word_index is None:
            continue
        at = skip + exc.within
        # A whole word is pointed at where it starts, its opening quote included.
        point = begin + typed_index(line[begin:end], at) if at else begin
        return Located(line, begin, point, end)
    return None


def typed_index(typed: str, k: int) -> int:
    """Where in `typed`, one word as typed, the character `k` of its value comes from: past
    an opening quote, at the backslash of an escape; len(typed) past its last character."""
    for m in _PIECE.finditer(typed):
        piece = m.group()
        first = piece[0]
        if first == "'":
            inner = len(piece) - 2
            if k < inner:
                return m.start() + 1 + k
            k -= inner
        elif first == '"':
            i = 1
            while i < len(piece) - 1:
                if k == 0:
                    return m.start() + i
                i += 2 if piece[i] == "\\" and piece[i + 1 : i + 2] in ('"', "\\") else 1
                k -= 1
        elif piece.startswith(ANSI_C_QUOTE):
            body = piece[2:-1]
            made = len(decode(body))
            if k < made:
                return m.start() + 2 + body_index(body, k)
            k -= made
        elif first == "\\":
            if k == 0:
                return m.start()
            k -= 1
        else:
            if k < len(piece):
                return m.start() + k
            k -= len(piece)
    return len(typed)


def escape_message(exc: EscapeError, at: int) -> str:
    """Why a line cannot be split, whose `$'...'` has an escape at index `at` that names no
    character (the column counted from 1, as editors count)."""
    return f"{exc.message} in $'...' (column {at + 1})"


def _split_hint(reading: _Reading) -> str:
    """Where the line that cannot be split goes wrong, and how to write what was meant."""
    if reading.hint is not None:
        return reading.hint
    if reading.quote is None:
        return "a backslash at the end escapes nothing: write \\\\ for a backslash itself"
    column = reading.at + 1
    if reading.quote.startswith(ANSI_C_QUOTE):
        return (
            f"the $' at column {column} is never closed; inside $'...' a ' is written \\' "
            "and a backslash \\\\"
        )
    if reading.quote == "'":
        return (
            f"the ' at column {column} is never closed; a body that holds ' goes in double "
            'quotes: send q "it\'s"'
        )
    return (
        f'the " at column {column} is never closed; a body that holds " goes in single '
        "quotes: send q '{\"id\": 1}'"
    )


# The pieces a line is made of, one alternative each: whitespace between words, a run of
# plain characters, a backslash and the character it escapes, a single-quoted, a
# double-quoted and an ANSI-C quoted string (bash's `$'...'`, read by `quoting.decode`).
# But for `$'...'` the rules are those of `shlex.split` in POSIX mode, which the language
# used before: only space, tab, CR and LF separate words, and inside double quotes a
# backslash escapes only `\` and `"` (it stays, with what follows, before anything else).
# A `$` not followed by `'` is a plain character.
# The quote and escape alternatives also match their unfinished form at the end of the line
# (group `sq`/`dq` unset, `lone` set), which `_scan` reports as shlex did. Every quantifier
# is possessive, so no match backtracks: a line is read in time linear in its length
# (shlex built words a character at a time, quadratic in a megabyte-long body).
_PIECE = re.compile(
    r"""
      [ \t\r\n]++
    | (?:[^ \t\r\n'"\\$]++|\$(?!'))++
    | \\(?s:.)?
    | '[^']*+(?P<sq>')?
    | "(?:[^"\\]++|\\(?s:.)|(?P<lone>\\\Z))*+(?P<dq>")?
    | \$'(?:[^'\\]++|\\(?s:.)|(?P<alone>\\\Z))*+(?P<aq>')?
    """,
    re.VERBOSE,
)
# What separates words (shlex's POSIX set); the REPL's completion splits with it too.
WORD_SEPARATORS = " \t\r\n"
_QUOTED_ESCAPE = re.compile(r'\\([\\"])')
# What `open_quote` returns for a line whose `$'...'` is left open.
ANSI_C_QUOTE = "$'"
_NO_CLOSING_QUOTE = "no closing quotation"
_NO_ESCAPED_CHARACTER = "no escaped character"


@dataclass(frozen=True, slots=True)
class _Reading:
    """What `_scan` read: the words, where the command part ends (at a `# comment` or the
    end), the quote open at the end and why the line cannot be split, if it cannot."""

    words: list[str]
    end: int
    quote: str | None = None
    error: str | None = None
    at: int = 0  # where the quote left open starts
    hint: str | None = None  # how to write a `$'...'` escape that names no character
    point: int | None = None  # where that escape is


def _scan(line: str) -> _Reading:
    """Read `line` piece by piece with the shell rules of `tokenize`: the one scanner behind
    `tokenize`, `strip_comment` and `open_quote`."""
    words: list[str] = []
    word: list[str] | None = None  # the pieces of the word being read; None between words
    for m in _PIECE.finditer(line):
        first = line[m.start()]
        if first in WORD_SEPARATORS:
            if word is not None:
                words.append("".join(word))
                word = None
            continue
        if word is None:
            if first == "#":
                # Only here, at the start of a word: `abc#1`, `'a'#b` and `a\ #b` go on.
                return _Reading(words, m.start())
            word = []
        piece = m.group()
        if first == "\\":
            if len(piece) == 1:
                return _Reading(words, len(line), None, _NO_ESCAPED_CHARACTER)
            word.append(piece[1])
        elif first == "'":
            if m.group("sq") is None:
                return _Reading(words, len(line), first, _NO_CLOSING_QUOTE, m.start())
            word.append(piece[1:-1])
        elif first == '"':
            if m.group("dq") is None:
                error = _NO_CLOSING_QUOTE if m.group("lone") is None else _NO_ESCAPED_CHARACTER
                return _Reading(words, len(line), first, error, m.start())
            word.append(_QUOTED_ESCAPE.sub(r"\1", piece[1:-1]))
        elif piece.startswith(ANSI_C_QUOTE):
            if m.group("aq") is None:
                # After a lone backslash the next line begins with the escaped line break,
                # so that a script's lines read one at a time quote as the joined text does.
                quote = ANSI_C_QUOTE + ("\\\n" if m.group("alone") is not None else "")
                return _Reading(words, len(line), quote, _NO_CLOSING_QUOTE, m.start())
            try:
                word.append(decode(piece[2:-1]))
            except EscapeError as exc:
                point = m.start() + 2 + exc.offset
                error = escape_message(exc, point)
                return _Reading(words, len(line), None, error, m.start(), exc.hint, point)
        else:
            word.append(piece)
    if word is not None:
        words.append("".join(word))
    return _Reading(words, len(line))


def bind(cmd: Command, line: str, words: list[str]) -> Call:
    """Match words to a command's options and positional arguments (no values checked)."""
    call = Call(cmd, line, words)
    positional: list[str] = []
    i = 0
    options_done = False
    inner = inner_command_at(cmd)
    while i < len(words):
        word = words[i]
        i += 1
        if options_done or not word.startswith("--"):
            positional.append(word)
            # The words of an inner command line are all its own, options included.
            options_done = options_done or len(positional) - 1 == inner
            continue
        if word == "--":
            options_done = True
            continue
        name, eq, inline = word.partition("=")
        here = i - 1  # the option's index, which an error about it is counted from
        try:
            opt = cmd.option(name)
        except CommandError as exc:
            exc.word, exc.occurrence = word, _nth(words, here)
            arg = cmd.argument_named(name.lstrip("-"))
            if arg is not None and (line := _named_words_in_place(cmd, words)) is not None:
                # `publish bus --source s --detail-type t`: the line the values make.
                exc.hint = f"{arg.name} is a plain word, not an option: {line}"
            choice = _OTHER_WORDS.get(name.lstrip("-"), name.lstrip("-"))
            if words[:here] and any(choice in a.choices for a in cmd.args):
                # `fail worker --times 1`: the line with the word in its place, where
                # `fail next` (the command and the word alone) left the rest to rebuild.
                fixed = [*words[:here], choice, *([inline] if eq else []), *words[here + 1 :]]
                exc.hint = (
                    f"{choice} is a plain word, not an option: {format_line(cmd.name, fixed, ())}"
                )
            raise
        if opt.kind == FLAG:
            if eq:
                raise CommandError(
                    f"{opt.name} takes no value",
                    f"usage: {cmd.usage}",
                    word=word,
                    occurrence=_nth(words, here),
                )
            call.opts[opt.key] = True
            continue
        if eq:
            value = inline
        elif i < len(words):
            value = words[i]
            i += 1
        else:
            raise CommandError(
                f"{opt.name} needs a value",
                f"usage: {cmd.usage}",
                word=word,
                occurrence=_nth(words, here),
            )
        if opt.repeat:
            call.opts.setdefault(opt.key, []).append(value)
        elif opt.key in call.opts:
            raise CommandError(
                f"{opt.name} given twice",
                f"usage: {cmd.usage}",
                word=word,
                occurrence=_nth(words, here),
            )
        else:
            call.opts[opt.key] = value
    _bind_positional(cmd, call, positional)
    return call


def _named_words_in_place(cmd: Command, words: list[str]) -> str | None:
    """The line `words` mean when some positional arguments are written as options named
    after them (`--source orders`), each value put in its place; None when that line cannot
    be told (a value missing, a word left over, an argument of many words)."""
    named: dict[str, str] = {}
    plain: list[str] = []
    options: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--" or not word.startswith("--"):
            if word == "--" or any(a.rest for a in cmd.args):
                return None
            plain.append(word)
            continue
        name, eq, inline = word.partition("=")
        arg = cmd.argument_named(name.lstrip("-"))
        opt = next((o for o in cmd.options if o.name == name), None)
        if arg is None and opt is None:
            return None
        takes_value = arg is not None or (opt is not None and opt.kind != FLAG)
        value = inline if eq else None
        if takes_value and value is None:
            if i >= len(words):
                return None
            value, i = words[i], i + 1
        if arg is not None:
            if arg.key in named:
                return None
            named[arg.key] = value or ""
        else:
            options += [name] if value is None else [name, value]
    line = [cmd.name]
    for a in cmd.args:
        if a.key in named:
            line.append(named.pop(a.key))
        elif plain:
            line.append(plain.pop(0))
        elif not a.optional or named:
            return None  # a later value cannot take this one's place
    if plain or named:
        return None
    return " ".join(quote_word(w) for w in [*line, *options])


def _nth(words: list[str], at: int) -> int:
    """How many times `words[at]` is given before it: which of them an error points at."""
    return words[:at].count(words[at])


def inner_command_at(cmd: Command) -> int | None:
    """The index, among `cmd`'s positional words, where an inner command line starts (the
    argument declared `command_line`), or None when `cmd` takes none."""
    return next((n for n, a in enumerate(cmd.args) if a.command_line), None)


def _bind_positional(cmd: Command, call: Call, words: list[str]) -> None:
    if cmd.check_words is not None:
        cmd.check_words(words)
    rest = list(words)
    for i, arg in enumerate(cmd.args):
        if arg.key == cmd.body_file and "from" in call.opts:
            _refuse_body_twice(cmd, call, arg, words, rest)
            # Read when the command runs (`body_from_file`), not as the line is checked.
            call.args[arg.key] = None
            continue
        if arg.rest:
            take = _rest_length(cmd.args[i:], rest)
            if take == 0 and not arg.optional:
                raise CommandError(f"{cmd.name} needs {arg.name}", f"usage: {cmd.usage}")
            call.args[arg.key] = rest[:take]
            rest = rest[take:]
        elif rest:
            call.args[arg.key] = rest.pop(0)
        elif arg.optional:
            call.args[arg.key] = None
        else:
            glued = unglued(cmd, words, arg.choices)
            hint = f"put spaces around the comparison: {glued}" if glued else f"usage: {cmd.usage}"
            if glued is None and (compared := comparison_missing(cmd, arg, words)) is not None:
                hint = f"put a comparison before the value: {compared}"
            raise CommandError(f"{cmd.name} needs {arg.name}", hint)
    if not rest and (bare := _bare_curl_flag(cmd, call, words)) is not None:
        raise CommandError(
            f"{cmd.name}: curl's {words[-1]} with nothing after it",
            bare,
            word=words[-1],
            occurrence=words[:-1].count(words[-1]),
        )
    if rest:
        extra = " ".join(quote_word(w) for w in rest)
        hint = f"usage: {cmd.usage}"
        if any(a.kind in (TEXT, PAYLOAD) for a in cmd.args):
            hint += " (quote a body or payload that holds spaces)"
        elif not call.opts:
            # No body to have held the words: the line without them is the one that runs
            # (`help expect count`: `help expect`).
            kept = words[: len(words) - len(rest)]
            hint = f"write just `{' '.join(quote_word(w) for w in [cmd.name, *kept])}`"
        if any(w.startswith("\n") for w in rest):
            # `\` ending a script's line, as a shell continues a line: here it escapes the
            # line break, which `tokenize` keeps as data (`{a\` then `b}` is "{a\nb}").
            hint = (
                "a backslash before a line break makes the line break a character, not a line "
                "continuation: write the command on one line (only an open quote or bracket "
                "carries it on)"
            )
        elif (curl := _curl_flags_in_words(cmd, call, words)) is not None:
            hint = curl
        elif (expression := _expression_in_words(cmd, call, words, rest)) is not None:
            hint = f"an expression is an option's value: {expression}"
        elif (content := _content_in_words(cmd, call, words, rest)) is not None:
            hint = f"the content is an option's value: {content}"
        elif (password := _password_in_words(cmd, call, words, rest)) is not None:
            hint = f"the password is an option's value: {password}"
        elif (duration := _duration_in_words(cmd, call, rest)) is not None:
            hint = f"write the duration as one word: {duration}"
        elif (fixed := _option_duration_in_words(cmd, call, words, rest)) is not None:
            hint = f"write the duration as one word: {fixed[0]}, as in `{fixed[1]}`"
        elif (instant := _instant_in_words(cmd, call, rest)) is not None:
            hint = f"write the instant as one word: {instant}"
        elif (unreadable := _unreadable_last(cmd, call)) is not None:
            # `advance 3 fortnights`, `until 3 weeks`: the line without the extra words
            # would be refused too, so it is not offered.
            hint = unreadable
        # The first word no argument takes is the fault (`send q hi hi`: the second `hi`).
        first = len(words) - len(rest)
        raise CommandError(
            f"{cmd.name}: unexpected {extra}",
            hint,
            word=rest[0],
            occurrence=words[:first].count(rest[0]),
        )


def _refuse_body_twice(
    cmd: Command, call: Call, arg: Arg, words: list[str], rest: list[str]
) -> None:
    """Refuse a line that gives the body `arg` both as a word and with `--from PATH`: which
    one was meant cannot be told (the body is the command's last argument, so the words
    left are its)."""
    if not rest:
        return
    typed = " ".join(quote_word(w) for w in rest)
    raise CommandError(
        f"{cmd.name} takes {arg.name} or --from PATH, not both: {typed} and --from "
        f"{quote_word(call.opts['from'])}",
        f"keep one: the {arg.name} as a word, or --from PATH to read it from that file",
        word=rest[0],
        occurrence=words[: len(words) - len(rest)].count(rest[0]),
    )


def body_from_file(call: Call) -> str | None:
    """The path `--from PATH` names for the body of `call`'s command (`Command.body_file`),
    or None: a body typed as a word, or a command that takes none (`upload --from` reads
    bytes of its own). `execute` reads the file when the command runs."""
    return call.opts.get("from") if call.command.body_file is not None else None


def with_body_text(
    cmd: Command, words: list[str], typed: list[str], text: str, *, quote: bool = True
) -> list[str]:
    """The words of a line of `cmd` (`typed`: each as typed, `words`: as read) with its
    `--from PATH` taken out and `text`, the file's text, put in as the body (quoted, with
    `quote`, as the other typed words are): the line the session log keeps, which replays
    what the file held even once the file is edited or gone (as `upload --from` is logged
    with its bytes). The body is the command's last argument, so it goes after the last
    positional word; after `--`, at the end, when it would read as an option."""
    kept: list[str] = []
    ended = False
    after = 0  # where the body goes: after the last positional word
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if not ended and word == "--from":
            i += 1
            continue
        if not ended and word.startswith("--from="):
            continue
        kept.append(typed[i - 1])
        if ended or not word.startswith("--"):
            after = len(kept)
            continue
        if word == "--":
            ended = True
        elif (
            "=" not in word
            and (opt := _option_named(cmd, word)) is not None
            and opt.kind != FLAG
            and i < len(words)
        ):
            kept.append(typed[i])  # the option's value
            i += 1
    body = _quoted(text) if quote else text
    if text.startswith("--") and not ended:
        return [*kept, "--", body]
    return [*kept[:after], body, *kept[after:]]


def _option_named(cmd: Command, word: str) -> Option | None:
    return next((o for o in cmd.options if o.name == word), None)


def _expression_in_words(cmd: Command, call: Call, words: list[str], rest: list[str]) -> str | None:
    """The line with its `--update` (or `--condition`) put before the one extra word, when
    that word is an expression given where no argument takes one: `update-item T KEY 'SET
    a = :v'` meant `--update 'SET a = :v'`. The first expression option not given is the
    one meant (an update expression comes before a condition)."""
    if len(rest) != 1:
        return None
    option = next((o for o in cmd.options if o.metavar == "EXPR" and o.key not in call.opts), None)
    if option is None:
        return None
    return _with_option(cmd, call, words, option, rest[0])


# The options that give an object its bytes: one at most, so `--content` is offered only
# when none of them is on the line.
_CONTENT_OPTIONS = ("content", "size", "from", "base64")


def _content_in_words(cmd: Command, call: Call, words: list[str], rest: list[str]) -> str | None:
    """The line with `--content` before the one extra word, when the command takes content
    and the line gives none: `upload uploads a.txt hello` meant `--content hello`."""
    if len(rest) != 1 or any(key in call.opts for key in _CONTENT_OPTIONS):
        return None
    option = next((o for o in cmd.options if o.name == "--content"), None)
    if option is None:
        return None
    return _with_option(cmd, call, words, option, rest[0])


def _password_in_words(cmd: Command, call: Call, words: list[str], rest: list[str]) -> str | None:
    """The line with `--password` before the one extra word, when the command takes one and
    the line gives none: `sign-up users ann@example.com Passw0rd!` meant `--password`."""
    if len(rest) != 1 or "password" in call.opts:
        return None
    option = next((o for o in cmd.options if o.name == "--password"), None)
    if option is None:
        return None
    return _with_option(cmd, call, words, option, rest[0])


def _with_option(cmd: Command, call: Call, words: list[str], option: Option, value: str) -> str:
    """The line of `words` but its last, with `option VALUE` and then the options given."""
    return _line_of(cmd, call, [*words[: len(words) - 1], option.name, value])


# curl's flags a newcomer types to `http`: -H is `--header`; -d's data is the BODY word.
_CURL_HEADER, _CURL_DATA = "-H", ("-d", "--data-raw")


def _curl_flags_in_words(cmd: Command, call: Call, words: list[str]) -> str | None:
    """The hint of a line with curl's -H or -d among its words (`http GET / -H 'a: b'`):
    they were read as its body, the rest as words too many."""
    if not any(o.name == "--header" for o in cmd.options):
        return None
    if _CURL_HEADER in words:
        fixed = ["--header" if w == _CURL_HEADER else w for w in words]
        return f"curl's -H is --header here: {_line_of(cmd, call, fixed)}"
    if any(w in _CURL_DATA for w in words) and any(a.name == "BODY" for a in cmd.args):
        named = [b for a, b in itertools.pairwise(words) if a in _CURL_DATA and b[:1] == "@"]
        if named and cmd.body_file is not None:
            # curl's `-d @FILE` reads the file: `--from FILE` does here, where `@FILE` would
            # be sent as the text it is.
            fixed = [w for w in words if w not in _CURL_DATA and w != named[0]]
            fixed += ["--from", named[0][1:]]
            return f"curl's -d @FILE is --from FILE here: {_line_of(cmd, call, fixed)}"
        fixed = [w for w in words if w not in _CURL_DATA]
        return f"the body is a plain word, without curl's -d: {_line_of(cmd, call, fixed)}"
    return None


def _bare_curl_flag(cmd: Command, call: Call, words: list[str]) -> str | None:
    """The hint of a line whose last word, read as its body, is curl's -H or -d with
    nothing after it (`http GET / -H`): sent, the flag would be the request's body."""
    header = next((o for o in cmd.options if o.name == "--header"), None)
    body = next((a for a in cmd.args if a.name == "BODY"), None)
    if not words or header is None or body is None or call.args.get(body.key) != words[-1]:
        return None
    if words[-1] == _CURL_HEADER:
        line = _line_of(cmd, call, [*words[:-1], "--header", header.metavar or "NAME:VALUE"])
        return f"curl's -H is --header here, with the header after it: {line}"
    if words[-1] in _CURL_DATA:
        line = _line_of(cmd, call, [*words[:-1], "BODY"])
        return f"the body is a plain word, without curl's {words[-1]}: {line}"
    return None


def _line_of(cmd: Command, call: Call, words: list[str]) -> str:
    """The command line of the positional `words`, then the options `call` was given."""
    line = [cmd.name, *words]
    for given in cmd.options:  # the options the line gave, kept, so that the hint runs
        kept = call.opts.get(given.key)
        if given.kind == FLAG:
            line += [given.name] if kept else []
        elif kept is not None:
            for one in kept if isinstance(kept, list) else [kept]:
                line += [given.name, one]
    return " ".join(quote_word(w) for w in line)


def _instant_in_words(cmd: Command, call: Call, rest: list[str]) -> str | None:
    """`2026-01-05T09:00` for `until 2026-01-05 09:00`: the last argument, a date, and the
    one extra word, a time of day, joined with ISO's `T`, when that reads as an instant."""
    if not cmd.args or len(rest) != 1:
        return None
    word = call.args.get(cmd.args[-1].key)
    if not isinstance(word, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        return None
    joined = f"{word}T{rest[0]}"
    try:
        parse_instant(joined)
    except (ValueError, OverflowError):
        return None
    return joined


def unglued(cmd: Command, words: list[str], choices: tuple[str, ...]) -> str | None:
    """The line again with spaces around an operator written inside another word
    (`expect queue.q.depth==0`), when `choices` are operators and a word holds one."""
    operators = sorted((c for c in choices if not any(ch.isalnum() for ch in c)), key=len)
    for n, word in enumerate(words):
        for op in reversed(operators):  # the longest first: `<=` before `<`
            at = word.find(op)
            if at >= 0 and word != op:
                parts = [word[:at], op, word[at + len(op) :]]
                spaced = [*words[:n], *(p for p in parts if p), *words[n + 1 :]]
                return " ".join(quote_word(w) for w in [cmd.name, *spaced])
    return None


def comparison_missing(cmd: Command, arg: Arg, words: list[str]) -> str | None:
    """The line with `==` before its last word, when `arg` is a comparison that is missing
    and a value follows what comes before it (`expect queue.q.depth 0`): a suggestion to
    show, not a reading of the line."""
    if not arg.choices or any(ch.isalnum() for c in arg.choices for ch in c) or len(words) < 2:
        return None
    if cmd.args[-1] is arg or "==" not in arg.choices or not re.match(r"-?\d", words[-1]):
        return None  # a value to compare with is a number or an instant
    return " ".join(quote_word(w) for w in [cmd.name, *words[:-1], "==", words[-1]])


def _duration_in_words(cmd: Command, call: Call, rest: list[str]) -> str | None:
    """`1day` for `advance 1 day`: the last argument, a duration, with the extra words that
    continue it written on, when that reads as a duration."""
    if not cmd.args or cmd.args[-1].kind != DURATION:
        return None
    word = call.args.get(cmd.args[-1].key)
    if not isinstance(word, str):
        return None
    joined = word + "".join(rest)
    try:
        parse_duration(joined)
    except BehaviorError:
        return None
    return joined


def _option_duration_in_words(
    cmd: Command, call: Call, words: list[str], rest: list[str]
) -> tuple[str, str] | None:
    """(`5s`, the line with it) for `send q hi --delay 5 s`: a duration option's value with
    the extra words that follow it on the line written on, when that reads as a duration."""
    for opt in cmd.options:
        value = call.opts.get(opt.key)
        if opt.kind != DURATION or not isinstance(value, str):
            continue
        at = [i for i, w in enumerate(call.words) if w == opt.name]
        if not at or call.words[at[-1] + 1 : at[-1] + 2 + len(rest)] != [value, *rest]:
            continue  # the extra words are elsewhere on the line: not this value's unit
        joined = value + "".join(rest)
        try:
            parse_duration(joined)
        except BehaviorError:
            continue
        line = [cmd.name, *words[: len(words) - len(rest)]]
        for given in cmd.options:  # the options the line gave, this one written whole
            kept = joined if given is opt else call.opts.get(given.key)
            if given.kind == FLAG:
                line += [given.name] if kept else []
            elif kept is not None:
                for one in kept if isinstance(kept, list) else [kept]:
                    line += [given.name, one]
        return f"{opt.name} {joined}", " ".join(quote_word(w) for w in line)
    return None


def _unreadable_last(cmd: Command, call: Call) -> str | None:
    """How to write the last argument, when it is a duration without a unit or a word that
    is no instant (which no extra word made whole)."""
    if not cmd.args or cmd.args[-1].kind not in (DURATION, INSTANT):
        return None
    word = call.args.get(cmd.args[-1].key)
    if not isinstance(word, str):
        return None
    if cmd.args[-1].kind == DURATION:
        if not word.isdigit():
            return None
        return f"write the duration and its unit as one word: {word}m, {word}h or {word}d"
    try:
        parse_instant(word)
    except (ValueError, OverflowError):
        return (
            "write an ISO-8601 instant as one word, e.g. 2026-01-05T09:00:00Z "
            "(advance 3d moves the clock by a duration)"
        )
    return None


def _rest_length(args: tuple[Arg, ...], words: list[str]) -> int:
    """How many of `words` the rest argument `args[0]` takes, the arguments after it being
    `args[1:]`.

    It ends at the first word that is one of the next argument's choices, as completion
    reads it (`expect count message.sent == 1`: the operator ends the path). Without such a
    word it leaves one word for each required argument after it, so that a misspelt choice
    is reported as that argument's (`expect queue.q.depth =! 0`); when too few words are
    left for that, it takes them all, and the error names the first argument missing after
    it (`expect queue.q.depth`: OP), not the rest argument, which has its words."""
    following = args[1].choices if len(args) > 1 else ()
    ends = next((n for n, word in enumerate(words) if word in following), None)
    if ends is not None:
        return ends
    keep = sum(1 for a in args[1:] if not a.optional)
    return len(words) - keep if len(words) > keep else len(words)


def names(values: Iterable[str]) -> str:
    """Sorted names joined with commas, each as a line types it, for hints."""
    return typed_names(sorted(values)) or "(none)"
