"""The bodies a command's body argument may start from: the example the terminal UI's
dialog for the command pre-fills, the bodies the session already gave the same target (its
log, newest first) and, for an event, a detail each rule of the bus matches. The REPL
offers them at that argument (`send QUEUE ` then Tab); the dialogs pre-fill the example.
The start-execution input is read from the state machine's definition (what its first
states read of the input: `stptui.sim.asl_examples`), a batch job's event is the clock's
day (`job_example`; its dialog, the invoke dialog, starts from `{}`), and the upload key is
read from the bucket's notifications (`example_key`). `invoke FUNCTION` is offered, after
its earlier payloads, the event each trigger of the function delivers
(`stptui.commands.invoke_examples`), then `{}`; the invoke dialog's example key goes
through those events and `{}` (or a job's example and `{}`) in turn (`payload_examples`).
`send QUEUE` is offered, after its earlier bodies, what each producer of the queue sends
it (`stptui.commands.send_examples`), then the example; the send dialog's example key
goes through those and the example in turn (`message_examples`).
No user-interface library here: both front ends read it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.commands import registry as kinds
from stptui.commands.names import given
from stptui.jsontext import compact_json
from stptui.sim import patterns

if TYPE_CHECKING:
    from stptui.commands.session import Session
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bucket import BucketSim

# What the dialogs pre-fill: a message's body (send), an event's detail (publish), an SNS
# message, a stream record's data and a Kafka record's value.
MESSAGE_BODY = '{"orderId": 1, "amount": 20}'
EVENT_DETAIL = "{}"
SNS_MESSAGE = '{"orderId": 1}'
STREAM_DATA = '{"page": "/home", "user": "user-1"}'
KAFKA_VALUE = '{"orderId": 1}'
# The log lines a `cloudwatch-log` event's example is made of: the first its filter passes
# (`log`'s examples: a plain line and a JSON one).
LOG_LINES = ("ERROR payment failed for order 42", '{"level": "ERROR", "orderId": 42}')
# What `invoke` sends without a payload, and the invoke dialog pre-fills.
INVOKE_PAYLOAD = "{}"
# What the invoke dialog's examples (`payload_examples`) say `{}` and a job's event are.
EMPTY_INVOKE = "an empty event, what invoke sends without a payload"
EMPTY_JOB_EVENT = "an empty event, what start-job sends without a payload"
# What the send dialog's examples (`message_examples`) say MESSAGE_BODY is.
GENERIC_MESSAGE = "an example body, the shape of no producer of the stack"
JOB_EXAMPLE = "the day the clock is on, which the job's containers read as STP_TRIGGER_EVENT_DATA"
# An execution's input when the machine's first states read nothing of it.
EXECUTION_INPUT = "{}"
# A batch job's trigger event, for the simulated clock's day (`job_example`): what a job
# started by hand most often runs for.
JOB_EVENT = '{{"date": "{day}"}}'
# The upload key of a bucket whose notifications filter no key, and the name put between a
# filter's prefix and suffix (`incoming/` and `.csv` make `incoming/example.csv`).
DEFAULT_KEY = "example.txt"
KEY_STEM = "example"

# The methods whose requests carry a body: `http GET /x ` is offered none.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# The most earlier bodies offered, and how many logged lines (the newest) are looked at for
# them: a key press reads them once per state of the session, and a session's log may hold
# tens of thousands of lines.
EARLIER_LIMIT = 3
LOG_LOOKED_AT = 200
# A body longer than this is not offered again: a menu row would show a few words of it.
OFFERED_CHARS = 200


@dataclass(frozen=True, slots=True)
class BodyArg:
    """A command's body argument: its key, the kinds of the arguments before it that name
    where it goes (an earlier body is offered for the same target only), its example, and
    the menu's help lines of the example and of an earlier body."""

    key: str
    targets: tuple[str, ...]
    example: str
    about: str
    earlier: str


BODIES = {
    "send": BodyArg(
        "body", (kinds.QUEUE,), MESSAGE_BODY, "an example body", "sent to this queue before"
    ),
    "publish": BodyArg(
        "detail_json",
        (kinds.BUS, kinds.EVENT_SOURCE, kinds.DETAIL_TYPE),
        EVENT_DETAIL,
        "an empty detail",
        "published with this source and detail-type before",
    ),
    "publish-sns": BodyArg(
        "message", (kinds.TOPIC,), SNS_MESSAGE, "an example message", "published here before"
    ),
    "put-record": BodyArg(
        "data", (kinds.STREAM,), STREAM_DATA, "an example record", "put on this stream before"
    ),
    "produce": BodyArg(
        "value", (kinds.KAFKA_TOPIC,), KAFKA_VALUE, "an example value", "produced here before"
    ),
    # The example is the machine's own (`execution_example`): this one stands for `{}`.
    "start-execution": BodyArg(
        "input",
        (kinds.STATE_MACHINE,),
        EXECUTION_INPUT,
        "an input with what its first states read",
        "started on this state machine before",
    ),
    # Its example is the day the clock is on (`job_example`).
    "start-job": BodyArg(
        "payload",
        ("batch-job",),
        JOB_EVENT,
        "an example event: the job's containers read it as STP_TRIGGER_EVENT_DATA",
        "started on this job before",
    ),
    # Its example is `{}`, what invoke sends without one; the events its triggers deliver
    # come before it (`invoke_examples.trigger_payloads`).
    "invoke": BodyArg(
        "payload",
        (kinds.FUNCTION,),
        INVOKE_PAYLOAD,
        "an empty event: what invoke sends without a PAYLOAD",
        "invoked on this function before",
    ),
    # The HTTP dialog's body starts empty: a JSON body is what most routes read.
    "http": BodyArg(
        "body",
        (kinds.HTTP_METHOD, kinds.ROUTE_PATH),
        MESSAGE_BODY,
        "an example JSON body",
        "sent to this route before",
    ),
}


@dataclass(frozen=True, slots=True)
class BodyOffer:
    """A body to offer, and the menu's help line for it."""

    text: str
    about: str


def body_offers(
    session: Session, command: str, before: Sequence[tuple[str, str]]
) -> list[BodyOffer]:
    """What `command`'s body argument may be, given the (kind, word) pairs typed before it:
    the bodies the newest LOG_LOOKED_AT lines of the session's log gave the same target
    (newest first, at most EARLIER_LIMIT, each once), then, for `publish`, a detail each
    rule of the bus that takes the event's source and detail-type matches
    (`matching_details`), then the dialog's example when not among them; none for a
    command without a body argument, or an `http` whose method carries no body."""
    from stptui.commands.handlers import REGISTRY
    from stptui.commands.registry import CommandError

    body = BODIES.get(command)
    if body is None:
        return []
    target = [_same(kind, given(before, kind)) for kind in body.targets]
    if command == "http" and target[0] not in BODY_METHODS:
        return []
    cmd = REGISTRY.commands[command]
    keys = [(a.kind, a.key) for kind in body.targets for a in cmd.args if a.kind == kind]
    out: list[BodyOffer] = []
    seen: set[str] = set()
    prefix = command + " "
    for line in reversed(session.log[-LOG_LOOKED_AT:]):
        if len(out) >= EARLIER_LIMIT:
            break
        if not line.startswith(prefix):
            continue
        try:
            call = REGISTRY.parse(line)
        except CommandError:
            continue
        text = call.args.get(body.key) if call is not None else None
        if not isinstance(text, str) or text in seen or len(text) > OFFERED_CHARS:
            continue
        if [_same(kind, call.args.get(key)) for kind, key in keys] != target:
            continue
        seen.add(text)
        out.append(BodyOffer(text, body.earlier))
    if command == "publish" and None not in target:
        bus, source, detail_type = (str(t) for t in target)
        for detail, owner in matching_details(session.sim, bus, source, detail_type):
            if detail not in seen:
                seen.add(detail)
                out.append(BodyOffer(detail, f"a detail the rule of {owner} matches"))
    if command == "send" and None not in target:
        from stptui.commands.send_examples import producer_bodies

        for body_text, about in producer_bodies(session.sim, str(target[0])):
            if body_text not in seen:
                seen.add(body_text)
                out.append(BodyOffer(body_text, about))
    if command == "invoke" and None not in target:
        from stptui.commands.invoke_examples import trigger_payloads

        for payload, about in trigger_payloads(session.sim, str(target[0])):
            if payload not in seen:
                seen.add(payload)
                out.append(BodyOffer(payload, about))
    example, about = body.example, body.about
    if command == "start-execution":
        example = execution_example(session.sim, str(target[0]))
        about = about if example != EXECUTION_INPUT else "an empty input (its states read none)"
    elif command == "start-job":
        example = job_example(session.sim)
    if example not in seen:
        out.append(BodyOffer(example, about))
    return out


def payload_examples(sim: Simulator, target: str) -> list[BodyOffer]:
    """The payloads the invoke dialog's example key goes through for `target`, in turn:
    for a function, the event each trigger of it delivers (`trigger_payloads`, each once),
    then `{}`; for a batch job, its example event (`job_example`), then `{}`; none for a
    name that is neither. Each as compact JSON, with what it stands for."""
    if target in sim.functions:
        from stptui.commands.invoke_examples import trigger_payloads

        out: list[BodyOffer] = []
        for payload, about in trigger_payloads(sim, target):
            if payload != INVOKE_PAYLOAD and all(o.text != payload for o in out):
                out.append(BodyOffer(payload, about))
        return [*out, BodyOffer(INVOKE_PAYLOAD, EMPTY_INVOKE)]
    if target in sim.services["batch"].jobs:
        return [
            BodyOffer(job_example(sim), JOB_EXAMPLE),
            BodyOffer(INVOKE_PAYLOAD, EMPTY_JOB_EVENT),
        ]
    return []


def message_examples(sim: Simulator, queue: str) -> list[BodyOffer]:
    """The bodies the send dialog's example key goes through for `queue`, in turn: what
    each producer of the queue sends it (`producer_bodies`) that is JSON, as the dialog's
    body is, then MESSAGE_BODY; none for a name that is no queue."""
    if queue not in sim.queues:
        return []
    from stptui.commands.send_examples import producer_bodies

    out: list[BodyOffer] = []
    for body, about in producer_bodies(sim, queue):
        try:
            json.loads(body)
        except ValueError:
            continue  # an input template's plain text: the dialog's body is JSON
        if body != MESSAGE_BODY:
            out.append(BodyOffer(body, about))
    return [*out, BodyOffer(MESSAGE_BODY, GENERIC_MESSAGE)]


def execution_example(sim: Simulator, machine: str) -> str:
    """The input to start `machine` with: what its first states read of the input, each
    with a value that takes the first branch of a Choice (`asl_examples.example_input`);
    `{}` for a machine that reads none, or none of that name."""
    found = sim.services.get("state_machines", {}).get(machine)
    if found is None:
        return EXECUTION_INPUT
    # Imported here: it loads the JSONPath reader, which a start without a state machine
    # does without (tests/test_startup_imports.py).
    from stptui.sim.asl_examples import example_input_text

    return example_input_text(found.definition)


def job_example(sim: Simulator) -> str:
    """A batch job's example trigger event: the day the simulated clock is on
    (`{"date": "2026-01-05"}`)."""
    from stptui.sim.clock import iso_ms

    return JOB_EVENT.format(day=iso_ms(sim.clock.now)[:10])


def example_key(bucket: BucketSim) -> str:
    """A key to upload to `bucket` that its notifications fire for: the first one that
    filters keys (an ObjectCreated one first), as its prefix, `example` and its suffix
    (`incoming/example.csv`; `.txt` without a suffix), else DEFAULT_KEY."""
    filtered = [n for n in bucket.notifications if n.prefix or n.suffix]
    created = [n for n in filtered if any("ObjectCreated" in t for t in n.event_types)]
    for note in created or filtered:
        return f"{note.prefix or ''}{KEY_STEM}{note.suffix or '.txt'}"
    return DEFAULT_KEY


def matching_details(
    sim: Simulator, bus: str, source: str, detail_type: str
) -> list[tuple[str, str]]:
    """A detail (JSON text) for each rule of `bus` whose pattern asks something of the
    detail, made from the values the pattern names (an exact value, a prefix, a number in
    its range, ...) and kept only when the event it makes with `source` and `detail_type`
    matches the rule, with the rule's target; a rule whose pattern no value made here
    meets (`anything-but` alone, a CIDR) gives none."""
    service = sim.services["buses"]
    found = service.buses.get(bus)
    out: list[tuple[str, str]] = []
    for rule in found.rules if found is not None else ():
        wanted = rule.pattern.get("detail") if isinstance(rule.pattern, dict) else None
        if not isinstance(wanted, dict) or rule.matcher is None:
            continue
        try:
            detail = pattern_example(wanted)
        except patterns.PatternError:
            continue  # a clause this reads on its own as no pattern: the rule gives none
        if not detail:
            continue
        event = {
            "version": "0",
            "id": "0",
            "detail-type": detail_type,
            "source": source,
            "account": sim.account_id,
            "time": "1970-01-01T00:00:00Z",
            "region": sim.region,
            "resources": [],
            "detail": detail,
        }
        if rule.matcher.matches(event):
            out.append((compact_json(detail), rule.owner))
    return out


# A field the example leaves out (`{"exists": false}`), and one it cannot fill.
_LEFT_OUT = object()
_NO_VALUE = object()


def pattern_example(pattern: dict[str, Any]) -> dict[str, Any] | None:
    """An object whose fields meet the clauses of `pattern` (an object of an EventBridge
    pattern or an SNS filter policy), or None when a field's matchers name no value this
    can make. `$or`: its first branch. Raises patterns.PatternError for a clause that is
    no pattern."""
    out: dict[str, Any] = {}
    for key, value in pattern.items():
        if key == "$or":
            first = value[0] if isinstance(value, list) and value else None
            branch = pattern_example(first) if isinstance(first, dict) else None
            if branch is None:
                return None
            out.update(branch)
        elif isinstance(value, dict):
            inner = pattern_example(value)
            if inner is None:
                return None
            out[key] = inner
        elif isinstance(value, list):
            leaf = next((v for v in map(_leaf, value) if v is not _NO_VALUE), _NO_VALUE)
            if leaf is _NO_VALUE:
                return None
            if leaf is not _LEFT_OUT:
                out[key] = leaf
    return out


def _leaf(matcher: Any) -> Any:
    """A value one matcher of a field accepts (checked by the rule's own matcher after)."""
    if matcher is None or isinstance(matcher, str | int | float | bool):
        return matcher
    if not isinstance(matcher, dict) or len(matcher) != 1:
        return _NO_VALUE
    ((op, arg),) = matcher.items()
    if isinstance(arg, dict) and len(arg) == 1:
        # `{"prefix": {"equals-ignore-case": "x"}}`: "x" starts with "x" in any case.
        ((_, arg),) = arg.items()
    if op in ("prefix", "suffix", "equals-ignore-case") and isinstance(arg, str):
        return arg
    if op == "wildcard" and isinstance(arg, str) and "\\" not in arg:
        return arg.replace("*", "")
    if op == "exists" and isinstance(arg, bool):
        return "x" if arg else _LEFT_OUT
    if op == "numeric" and isinstance(arg, list):
        # The bounds themselves and their neighbours: one of them is in a range of any
        # width the pattern can write (`> 100` takes 101; `>= 0, < 0.5` takes 0).
        bounds = [n for n in arg if isinstance(n, int | float) and not isinstance(n, bool)]
        rule = [{"numeric": arg}]
        near = [n + d for n in bounds for d in (0, 1, -1)]
        between = [(a + b) / 2 for a in bounds for b in bounds]
        for candidate in near + between:
            if patterns.matches({"v": rule}, {"v": candidate}):
                return candidate
    return _NO_VALUE


def _same(kind: str, word: object) -> object:
    """A target word as compared: a method in any case is the same method (the gateway
    reads it upper-cased)."""
    return word.upper() if kind == kinds.HTTP_METHOD and isinstance(word, str) else word
