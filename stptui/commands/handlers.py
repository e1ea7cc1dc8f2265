"""The commands themselves: each is declared once in `REGISTRY` and implemented here.

Every handler follows the same discipline (design rule 2): read and validate every argument
first (names, durations, numbers, JSON) and raise CommandError on the first problem; only
then call the Simulator. So a command either applies fully or changes nothing. Handlers never
print: they return a CommandResult.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stptui.commands.registry import (
    BUS,
    COMMAND,
    COUNT,
    DLQ,
    DURATION,
    EXPECT_PATH,
    FILE,
    FUNCTION,
    INSTANT,
    KEY_VALUE,
    MESSAGE,
    OPERATOR,
    PAYLOAD,
    QUEUE,
    SCHEDULED,
    TEXT,
    TOPIC,
    TRACE_KIND,
    VALUE,
    WORD,
    Arg,
    Call,
    Command,
    CommandError,
    ExpectationFailed,
    Option,
    Registry,
    names,
)
from stptui.commands.result import CommandResult, format_value, record_details
from stptui.commands.session import Session
from stptui.config.diagnostics import did_you_mean
from stptui.sim import trace as tk
from stptui.sim.behavior import (
    BehaviorError,
    Outcome,
    add_override,
    format_duration,
    parse_duration,
    parse_override,
)
from stptui.sim.clock import iso_ms, parse_instant
from stptui.sim.engine import SimError, Simulator
from stptui.sim.services.function import SYNC_PAYLOAD_BYTES, FunctionSim
from stptui.sim.services.queue import Message, QueueSim

REGISTRY = Registry()

DEFAULT_RUN_MAX = "1d"
DEFAULT_TRACE_ROWS = 20
MAX_SHOWN_MESSAGES = 100
BODY_PREVIEW = 60
MAX_ATTRIBUTES = 10  # SQS allows at most 10 message attributes

# Every record kind the trace module defines: `expect count KIND` checks against these.
TRACE_KINDS: tuple[str, ...] = tuple(
    sorted(
        v
        for k, v in vars(tk).items()
        if k.isupper() and isinstance(v, str) and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v)
    )
)


def command(
    name: str,
    topic: str,
    summary: str,
    *,
    args: tuple[Arg, ...] = (),
    options: tuple[Option, ...] = (),
    examples: tuple[str, ...] = (),
    changes_state: bool = False,
    usage: str | None = None,
    details: str = "",
) -> Callable[[Callable[[Session, Call], CommandResult]], Callable[[Session, Call], CommandResult]]:
    """Declare a command in REGISTRY with the decorated function as its handler."""

    def register(
        fn: Callable[[Session, Call], CommandResult],
    ) -> Callable[[Session, Call], CommandResult]:
        REGISTRY.add(
            Command(
                name,
                topic,
                summary,
                fn,
                args,
                options,
                examples,
                changes_state,
                usage,
                details,
            )
        )
        return fn

    return register


# -- shared argument readers (raise CommandError, change nothing) ----------------------------


def _queue(sim: Simulator, name: str) -> QueueSim:
    try:
        return sim.queue(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _function(sim: Simulator, name: str) -> FunctionSim:
    try:
        return sim.function(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _duration(text: str, what: str) -> int:
    try:
        return parse_duration(text)
    except BehaviorError as exc:
        raise CommandError(f"{what}: {exc}", exc.hint) from None


def _whole(text: str, what: str, *, minimum: int = 1) -> int:
    if not re.fullmatch(r"\d{1,9}", text) or int(text) < minimum:
        raise CommandError(f"{what} must be a whole number of at least {minimum}, not {text!r}")
    return int(text)


def _number(text: str) -> int | float | None:
    """`text` as a number when it is one (`5`, `-2`, `1.5`, `1e3`), else None."""
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text):
        return float(text)
    return None


_ATTR_NAME = re.compile(r"[A-Za-z0-9_\-.]{1,256}")


def _attributes(pairs: list[str]) -> dict[str, Any]:
    """`--attr k=v` values as SQS message attributes; numbers become Number attributes."""
    attrs: dict[str, Any] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise CommandError(f"--attr needs NAME=VALUE, not {pair!r}", "e.g. --attr priority=5")
        # SQS's own rules for attribute names (reference aws-semantics §1).
        if (
            not _ATTR_NAME.fullmatch(key)
            or key.startswith(".")
            or key.endswith(".")
            or ".." in key
            or key.lower().startswith(("aws.", "amazon."))
        ):
            raise CommandError(
                f"{key!r} is not a valid message attribute name",
                "letters, digits, _ - and . (not first, last or doubled); not AWS.* or Amazon.*",
            )
        if key in attrs:
            raise CommandError(f"--attr {key} given twice")
        if value == "":
            raise CommandError(f"--attr {key} has an empty value; SQS requires one")
        num = _number(value)
        attrs[key] = value if num is None else num
    if len(attrs) > MAX_ATTRIBUTES:
        raise CommandError(f"{len(attrs)} attributes; SQS allows at most {MAX_ATTRIBUTES}")
    return attrs


def parse_payload(text: str | None) -> Any:
    """An invoke payload: JSON when the text is JSON, else the text itself (default `{}`)."""
    if text is None:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text


def _short(text: str, limit: int = BODY_PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _now_line(sim: Simulator, before_ms: int) -> str:
    moved = sim.clock.now - before_ms
    return f"now {iso_ms(sim.clock.now)} (+{format_duration(moved)})"


# -- messages --------------------------------------------------------------------------------


@command(
    "send",
    "messages",
    "Send a message to an SQS queue (SendMessage).",
    args=(
        Arg("QUEUE", QUEUE, "a queue of the stack"),
        Arg("BODY", TEXT, "the message body: JSON or plain text, quoted as one word"),
    ),
    options=(
        Option("--delay", DURATION, "keep the message invisible this long (0s-15m)", "D"),
        Option("--group", WORD, "message group id (FIFO queues)", "G"),
        Option("--dedup-id", WORD, "deduplication id (FIFO queues)", "ID"),
        Option(
            "--attr",
            KEY_VALUE,
            "a message attribute; numbers become Number attributes",
            "K=V",
            repeat=True,
        ),
    ),
    examples=(
        "send jobQueue '{\"jobId\": 42}'",
        "send jobQueue 'hello world' --delay 30s",
        "send orders.fifo '{\"id\": 1}' --group customer-1 --dedup-id order-1",
        "send jobQueue '{}' --attr priority=5 --attr source=cli",
    ),
    changes_state=True,
)
def cmd_send(session: Session, call: Call) -> CommandResult:
    """send QUEUE BODY [--delay D] [--group G] [--dedup-id ID] [--attr K=V ...]"""
    sim = session.sim
    q = _queue(sim, call.args["queue"])
    body: str = call.args["body"]
    delay_s: int | None = None
    if "delay" in call.opts:
        ms = _duration(call.opts["delay"], "--delay")
        if ms % 1000:
            raise CommandError("--delay is a whole number of seconds in SQS", "e.g. --delay 30s")
        delay_s = ms // 1000
    attrs = _attributes(call.opts.get("attr", []))
    group = call.opts.get("group")
    dedup_id = call.opts.get("dedup_id")
    before = sim.trace.seq
    # Simulator.send validates the whole request (size, characters, FIFO ids, delay range)
    # before it changes anything, and raises SimError with a hint.
    mid = sim.send(
        q.name, body, delay_s=delay_s, group=group, dedup_id=dedup_id, attrs=attrs or None
    )
    duplicate = any(r.kind == tk.MESSAGE_DEDUPLICATED for r in sim.trace.since(before))
    if duplicate:
        text = f"{q.name}: duplicate of message {mid} (deduplicated within 5 minutes)"
    else:
        text = f"sent message {mid} to {q.name}"
        if delay_s:
            text += f" (visible in {format_duration(delay_s * 1000)})"
    return CommandResult(text, data={"queue": q.name, "message_id": mid, "deduplicated": duplicate})


@command(
    "invoke",
    "messages",
    "Invoke a function synchronously and run the clock until it returns.",
    args=(
        Arg("FUNCTION", FUNCTION, "a function of the stack"),
        Arg("PAYLOAD", PAYLOAD, "the event: JSON or plain text (default {})", optional=True),
    ),
    examples=("invoke worker", 'invoke api \'{"path": "/jobs"}\''),
    details="Other events due while the invocation runs happen too. A throttled invoke\n"
    "is reported (TooManyRequestsException), not treated as a command error.",
    changes_state=True,
)
def cmd_invoke(session: Session, call: Call) -> CommandResult:
    """invoke FUNCTION [PAYLOAD]"""
    sim = session.sim
    fn = _function(sim, call.args["function"])
    text = call.args["payload"]
    payload = parse_payload(text)
    size = len(json.dumps(payload).encode("utf-8", "surrogatepass"))
    if size > SYNC_PAYLOAD_BYTES:
        raise CommandError(
            f"RequestEntityTooLargeException: the payload is {size:,} bytes; "
            f"a synchronous invoke takes at most {SYNC_PAYLOAD_BYTES:,}"
        )
    started = sim.clock.now
    ended: list[tuple[Outcome, str]] = []
    throttled = fn.throttled()
    try:
        inv_id = sim.invoke_sync(fn.name, payload, lambda o, i: ended.append((o, i)))
    except SimError as exc:
        if not throttled:
            raise
        # Lambda answered 429: the call happened (the trace has invocation.throttled).
        return CommandResult(
            f"{fn.name}: throttled: {exc}",
            data={"function": fn.name, "status": "throttled", "error": str(exc)},
        )
    # Run the clock event by event until this invocation's end has run: its end is
    # scheduled, so the loop always finishes; events due earlier run first, as in time.
    while not ended and sim.clock.step():
        pass
    outcome, _ = ended[0]
    duration = sim.clock.now - started
    data: dict[str, Any] = {
        "function": fn.name,
        "invocation_id": inv_id,
        "status": outcome.status,
        "duration_ms": duration,
        "response": outcome.response,
    }
    if outcome.status == "success":
        line = f"{fn.name} succeeded in {format_duration(duration)}"
        if outcome.response is not None:
            line += f"\nresponse: {format_value(outcome.response)}"
    else:
        data["error"] = outcome.error_type
        data["error_message"] = outcome.error_message
        verb = "timed out" if outcome.status == "timeout" else "failed"
        line = f"{fn.name} {verb} after {format_duration(duration)}: {outcome.error_type}"
        if outcome.error_message:
            line += f": {outcome.error_message}"
    return CommandResult(f"{line}\n{_now_line(sim, started)}", data=data)


@command(
    "redrive",
    "messages",
    "Move a queue's visible messages back to their source queue (or --to another).",
    args=(Arg("DLQ", DLQ, "a dead-letter queue (or any queue, with --to)"),),
    options=(Option("--to", QUEUE, "the queue to move the messages to", "QUEUE"),),
    examples=("redrive deadLetterQueue", "redrive deadLetterQueue --to jobQueue"),
    details="Like SQS's StartMessageMoveTask: messages get new ids in the target queue;\n"
    "in-flight and delayed messages stay where they are.",
    changes_state=True,
)
def cmd_redrive(session: Session, call: Call) -> CommandResult:
    """redrive DLQ [--to QUEUE]"""
    sim = session.sim
    src = _queue(sim, call.args["dlq"])
    if "to" in call.opts:
        target = _queue(sim, call.opts["to"])
    elif len(src.sources) == 1:
        target = src.sources[0]
    elif not src.sources:
        raise CommandError(
            f"{src.name} is not a dead-letter queue (no queue redrives into it)",
            f"name the target: redrive {src.name} --to QUEUE",
        )
    else:
        raise CommandError(
            f"{src.name} is the dead-letter queue of {names(q.name for q in src.sources)}",
            f"name the target: redrive {src.name} --to {src.sources[0].name}",
        )
    if target is src:
        raise CommandError(f"cannot redrive {src.name} into itself")
    # Check every message against the target first, so that a message the target refuses
    # (too large, FIFO ids) stops the command before anything moves.
    pending = src.listing(limit=src.depth)
    visible = [m for m in pending if m.state_name == "visible"]
    for m in visible:
        group, dedup = (m.group or "redrive", m.id) if target.fifo else (None, None)
        try:
            target.validate_send(m.body, None, group, dedup)
        except ValueError as exc:
            raise CommandError(
                f"message {m.id} cannot move to {target.name}: {exc}",
                getattr(exc, "hint", None),
            ) from None
    moved = src.redrive_to(target)
    left = src.depth
    text = f"moved {len(moved)} message{'s' * (len(moved) != 1)} from {src.name} to {target.name}"
    if left:
        why = "in flight or delayed" if not src.fifo else "in flight, delayed or group-blocked"
        text += f"; {left} more stay in {src.name} ({why})"
    return CommandResult(
        text,
        data={
            "from": src.name,
            "to": target.name,
            "moved": [{"message_id": a, "new_message_id": b} for a, b in moved],
        },
    )


@command(
    "purge",
    "messages",
    "Delete every message in a queue (PurgeQueue).",
    args=(Arg("QUEUE", QUEUE, "a queue of the stack"),),
    examples=("purge deadLetterQueue",),
    changes_state=True,
)
def cmd_purge(session: Session, call: Call) -> CommandResult:
    """purge QUEUE"""
    q = _queue(session.sim, call.args["queue"])
    n = q.purge()
    return CommandResult(
        f"purged {n} message{'s' * (n != 1)} from {q.name}", data={"queue": q.name, "count": n}
    )


# -- schedules, event buses and SNS topics ---------------------------------------------------


def _index(text: str | None, what: str) -> int | None:
    return None if text is None else _whole(text, what)


@command(
    "publish",
    "messages",
    "Put an event on an EventBridge bus (PutEvents) and route it through the bus's rules.",
    args=(
        Arg("BUS", BUS, "an event bus of the stack, or `default`"),
        Arg("SOURCE", WORD, "the event's source, e.g. orders"),
        Arg("DETAIL_TYPE", WORD, "the event's detail-type, e.g. OrderCreated"),
        Arg("DETAIL_JSON", PAYLOAD, "the detail: a JSON object (default {})", optional=True),
    ),
    options=(Option("--resources", WORD, "ARNs the event concerns, comma-separated", "ARN,..."),),
    examples=(
        "publish eventBus orders OrderCreated '{\"orderId\": 42}'",
        "publish default my.app Ping",
        "publish eventBus orders OrderShipped '{}' --resources arn:aws:s3:::b/k",
    ),
    details="Each rule on the bus reports a match or, when it does not match, which part of\n"
    "its pattern failed and why. Matched functions are invoked asynchronously, matched\n"
    "queues get the event as a message; a delivery that fails goes to the rule's\n"
    "onDeliveryFailure queue.",
    changes_state=True,
)
def cmd_publish(session: Session, call: Call) -> CommandResult:
    """publish BUS SOURCE DETAIL_TYPE [DETAIL_JSON] [--resources ARN,...]"""
    sim = session.sim
    resources = [r for r in call.opts.get("resources", "").split(",") if r]
    detail = call.args["detail_json"]
    before = sim.trace.seq
    try:
        event_id = sim.services["buses"].publish(
            call.args["bus"],
            call.args["source"],
            call.args["detail_type"],
            "{}" if detail is None else detail,
            resources,
        )
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    recs = list(sim.trace.since(before))
    bus = next(r.resource for r in recs if r.kind == tk.EVENT_PUBLISHED)
    matched = [r.get("target") for r in recs if r.kind == tk.EVENT_MATCHED]
    unmatched = [r for r in recs if r.kind == tk.EVENT_UNMATCHED]
    failed = [r for r in recs if r.kind == tk.EVENT_DELIVERY_FAILED]
    n = len(matched) + len(unmatched)
    lines = [f"published event {event_id} on {bus}: {len(matched)} of {n} rules matched"]
    lines += [f"  -> {t}" for t in matched]
    for r in unmatched:
        lines.append(f"  no match {r.get('target')} ({r.get('rule')}):")
        lines += [f"      {why}" for why in r.get("explanation")]
    for r in failed:
        where = f"; sent to {r.get('dlq')}" if r.get("dlq_message_id") else "; dropped"
        lines.append(f"  delivery to {r.get('target')} failed: {r.get('error_code')}{where}")
    return CommandResult(
        "\n".join(lines),
        data={
            "event_id": event_id,
            "bus": bus,
            "matched": matched,
            "unmatched": [
                {"target": r.get("target"), "rule": r.get("rule"), "why": r.get("explanation")}
                for r in unmatched
            ],
            "delivery_failed": [r.get("target") for r in failed],
        },
    )


def _sns_attributes(pairs: list[str]) -> dict[str, Any]:
    """`--attr K=V` as plain values: numbers, JSON arrays (String.Array) or strings."""
    attrs: dict[str, Any] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise CommandError(f"--attr needs NAME=VALUE, not {pair!r}", "e.g. --attr kind=order")
        if key in attrs:
            raise CommandError(f"--attr {key} given twice")
        num = _number(value)
        if num is not None:
            attrs[key] = num
        elif value.startswith("["):
            try:
                attrs[key] = json.loads(value)
            except ValueError:
                raise CommandError(
                    f"--attr {key}: {value!r} is not a JSON array",
                    'a String.Array attribute is a JSON array: --attr tags=\'["a","b"]\'',
                ) from None
        else:
            attrs[key] = value
    return attrs


@command(
    "publish-sns",
    "messages",
    "Publish a message to an SNS topic; subscriptions filter it by its attributes.",
    args=(
        Arg("TOPIC", TOPIC, "an SNS topic of the stack"),
        Arg("MESSAGE", TEXT, "the message text, quoted as one word"),
    ),
    options=(
        Option(
            "--attr",
            KEY_VALUE,
            "a message attribute: a number is a Number, a JSON array a String.Array",
            "K=V",
            repeat=True,
        ),
        Option("--subject", TEXT, "the message subject", "S"),
        Option("--group", WORD, "message group id (FIFO topics)", "G"),
        Option("--dedup-id", WORD, "deduplication id (FIFO topics)", "ID"),
    ),
    examples=(
        "publish-sns alerts 'disk full' --attr severity=high",
        "publish-sns orders '{\"id\": 7}' --attr amount=120 --attr tags='[\"vip\"]'",
        "publish-sns alerts 'nightly report' --subject Report",
    ),
    changes_state=True,
)
def cmd_publish_sns(session: Session, call: Call) -> CommandResult:
    """publish-sns TOPIC MESSAGE [--attr K=V ...] [--subject S] [--group G] [--dedup-id ID]"""
    sim = session.sim
    attrs = _sns_attributes(call.opts.get("attr", []))
    before = sim.trace.seq
    try:
        mid = sim.services["topics"].publish(
            call.args["topic"],
            call.args["message"],
            subject=call.opts.get("subject"),
            attributes=attrs,
            group=call.opts.get("group"),
            dedup_id=call.opts.get("dedup_id"),
        )
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    recs = list(sim.trace.since(before))
    topic = next(r.resource for r in recs if r.kind == tk.TOPIC_PUBLISHED)
    delivered = [r.get("target") for r in recs if r.kind == tk.NOTIFICATION_DELIVERED]
    filtered = [r for r in recs if r.kind == tk.NOTIFICATION_FILTERED]
    failed = [r.get("target") for r in recs if r.kind == tk.NOTIFICATION_DELIVERY_FAILED]
    lines = [f"published message {mid} to {topic}: delivered to {len(delivered)}"]
    lines += [f"  -> {t}" for t in delivered]
    for r in filtered:
        lines.append(f"  filtered out for {r.get('target')}:")
        lines += [f"      {why}" for why in r.get("reason")]
    lines += [f"  delivery to {t} failed" for t in failed]
    return CommandResult(
        "\n".join(lines),
        data={
            "message_id": mid,
            "topic": topic,
            "delivered": delivered,
            "filtered": [{"target": r.get("target"), "why": r.get("reason")} for r in filtered],
            "delivery_failed": failed,
        },
    )


@command(
    "fire",
    "messages",
    "Fire a function's (or batch job's) schedule now, as its EventBridge rule would.",
    args=(
        Arg("FUNCTION", SCHEDULED, "a function or batch job with a schedule trigger"),
        Arg("INDEX", COUNT, "which schedule, when it has several (1, 2, ...)", optional=True),
    ),
    examples=("fire dailyReport", "fire cleanup 2"),
    details="The Scheduled Event (or the trigger's configured input) is delivered\n"
    "asynchronously; the schedule's own timer is not changed.",
    changes_state=True,
)
def cmd_fire(session: Session, call: Call) -> CommandResult:
    """fire FUNCTION [INDEX]"""
    sim = session.sim
    index = _index(call.args["index"], "fire INDEX")
    schedules = sim.services["schedules"]
    try:
        rule = schedules.rule(call.args["function"], index)
        event_id = schedules.fire(rule.owner, rule.number)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    return CommandResult(
        f"fired {rule.owner}'s schedule {rule.expression} (rule {rule.name}): event {event_id}",
        data={"function": rule.owner, "rule": rule.name, "event_id": event_id},
    )


def _pause_resume(session: Session, call: Call, paused: bool) -> CommandResult:
    sim = session.sim
    verb = "pause" if paused else "resume"
    index = _index(call.args["index"], f"{verb} INDEX")
    schedules = sim.services["schedules"]
    try:
        rules = schedules.owner_rules(call.args["function"])
        if index is not None:
            rules = [schedules.rule(rules[0].owner, index)]
        changed = schedules.set_paused(rules[0].owner, index, paused)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    word = "paused" if paused else "resumed"
    lines = []
    for r in rules:
        state = word if r in changed else f"already {word}"
        line = f"{r.owner} schedule {r.number} {r.expression}: {state}"
        if r.next_ms is not None:
            line += f"; next fire {iso_ms(r.next_ms)}"
        lines.append(line)
    return CommandResult(
        "\n".join(lines),
        data=[{"rule": r.name, "paused": r.paused, "changed": r in changed} for r in rules],
    )


@command(
    "pause",
    "behaviour",
    "Pause a workload's schedules (or one of them): they stop firing until resumed.",
    args=(
        Arg("FUNCTION", SCHEDULED, "a function or batch job with a schedule trigger"),
        Arg("INDEX", COUNT, "only this schedule (1, 2, ...)", optional=True),
    ),
    examples=("pause dailyReport",),
    changes_state=True,
)
def cmd_pause(session: Session, call: Call) -> CommandResult:
    """pause FUNCTION [INDEX]"""
    return _pause_resume(session, call, True)


@command(
    "resume",
    "behaviour",
    "Resume paused schedules; they fire at their next due time.",
    args=(
        Arg("FUNCTION", SCHEDULED, "a function or batch job with a schedule trigger"),
        Arg("INDEX", COUNT, "only this schedule (1, 2, ...)", optional=True),
    ),
    examples=("resume dailyReport",),
    details="A resumed rate() keeps its phase: it fires at the next start + k x period.",
    changes_state=True,
)
def cmd_resume(session: Session, call: Call) -> CommandResult:
    """resume FUNCTION [INDEX]"""
    return _pause_resume(session, call, False)


# -- buckets, HTTP APIs and batch jobs -------------------------------------------------------

MAX_LOCAL_UPLOAD = 16 * 1024 * 1024  # what `upload --from/--content` reads into memory
SHOWN_EXECUTIONS = 10  # the most recent executions of each job in `show jobs` data
_SIZE_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "TB": 1000**4,
    "KIB": 1024,
    "MIB": 1024**2,
    "GIB": 1024**3,
    "TIB": 1024**4,
}


def _sim_call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a service method, turning its SimError into a CommandError."""
    try:
        return fn(*args, **kwargs)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _byte_size(text: str) -> int:
    """`--size`: bytes, optionally with a unit (`5MB`, `6GiB`)."""
    m = re.fullmatch(r"(\d{1,16})\s*([A-Za-z]*)", text.strip())
    unit = m.group(2).upper() if m else ""
    if m is None or unit not in _SIZE_UNITS:
        raise CommandError(
            f"--size must be a whole number of bytes, optionally with a unit, not {text!r}",
            "e.g. --size 2048, --size 5MB, --size 6GiB",
        )
    return int(m.group(1)) * _SIZE_UNITS[unit]


def _upload_content(call: Call) -> tuple[bytes | None, int | None]:
    """(content, size) from `--content`, `--from` or `--size` (at most one of them)."""
    given = [o for o in ("size", "from", "content") if o in call.opts]
    if len(given) > 1:
        raise CommandError(
            f"give at most one of --size, --from and --content, not {', '.join(given)}"
        )
    if "content" in call.opts:
        content = call.opts["content"].encode("utf-8", "surrogatepass")
        if len(content) > MAX_LOCAL_UPLOAD:
            raise CommandError("--content is too large", "simulate a large object with --size")
        return content, None
    if "from" in call.opts:
        path = Path(call.opts["from"])
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise CommandError(f"--from {path}: not a file")
            if size > MAX_LOCAL_UPLOAD:
                raise CommandError(
                    f"--from {path}: {size:,} bytes; stptui reads at most {MAX_LOCAL_UPLOAD:,}",
                    f"simulate it with --size {size}",
                )
            return path.read_bytes(), None
        except OSError as exc:
            raise CommandError(f"--from {path}: {exc.strerror or exc}") from None
    if "size" in call.opts:
        return None, _byte_size(call.opts["size"])
    return None, None


def _notification_lines(records: list[tk.Record]) -> list[str]:
    """One line per notification a bucket event matched or skipped (with the reason)."""
    lines = []
    for r in records:
        if r.kind == tk.NOTIFICATION_MATCHED:
            ident = r.get("event_id") or r.get("execution_id")
            lines.append(f"  -> {r.get('target')} ({r.get('configuration')}): {ident}")
        elif r.kind == tk.NOTIFICATION_SKIPPED:
            where = f"{r.get('target')} ({r.get('configuration')})"
            lines.append(f"  skipped {where}: {r.get('reason')}")
    return lines


def _notification_data(records: list[tk.Record]) -> dict[str, Any]:
    return {
        "matched": [
            {"target": r.get("target"), "configuration": r.get("configuration")}
            for r in records
            if r.kind == tk.NOTIFICATION_MATCHED
        ],
        "skipped": [
            {
                "target": r.get("target"),
                "configuration": r.get("configuration"),
                "reason": r.get("reason"),
            }
            for r in records
            if r.kind == tk.NOTIFICATION_SKIPPED
        ],
    }


@command(
    "upload",
    "messages",
    "Put an object into a bucket (PutObject) and send its event notifications.",
    args=(
        Arg("BUCKET", "bucket", "a bucket of the stack"),
        Arg("KEY", WORD, "the object key, e.g. incoming/report.csv"),
    ),
    options=(
        Option("--size", WORD, "the object's size (no content): 2048, 5MB, 6GiB", "N"),
        Option("--from", FILE, "upload a local file (at most 16 MiB)", "PATH"),
        Option("--content", TEXT, "the object's content as text", "TEXT"),
        Option(
            "--op",
            WORD,
            "how it is created: put (default), post, copy or multipart",
            "OP",
        ),
    ),
    examples=(
        "upload uploads incoming/report.csv --content 'id,amount'",
        "upload uploads incoming/big.bin --size 6GiB --op multipart",
        "upload uploads raw/photo.jpg --from ./photo.jpg",
    ),
    details="Without --size, --from or --content the object is empty. Each notification of\n"
    "the bucket reports a match (the function or batch job it starts) or why it was\n"
    "skipped: another event type, or a key outside its prefix/suffix filter, which S3\n"
    "compares, case-sensitively, with the URL-encoded key.",
    changes_state=True,
)
def cmd_upload(session: Session, call: Call) -> CommandResult:
    """upload BUCKET KEY [--size N] [--from PATH] [--content TEXT] [--op OP]"""
    sim = session.sim
    content, size = _upload_content(call)
    before = sim.trace.seq
    obj = _sim_call(
        sim.services["buckets"].put_object,
        call.args["bucket"],
        call.args["key"],
        content=content,
        size=size,
        operation=call.opts.get("op", "put"),
    )
    recs = list(sim.trace.since(before))
    created = next(r for r in recs if r.kind == tk.OBJECT_CREATED)
    lines = [
        f"{created.get('event')} {created.resource}/{obj.key}: {obj.size:,} bytes, ETag {obj.etag}"
        + (f", version {obj.version_id}" if obj.version_id else ""),
        *_notification_lines(recs),
    ]
    return CommandResult(
        "\n".join(lines),
        data={
            "bucket": created.resource,
            "key": obj.key,
            "size": obj.size,
            "etag": obj.etag,
            "version_id": obj.version_id,
            "sequencer": obj.sequencer,
            **_notification_data(recs),
        },
    )


@command(
    "delete",
    "messages",
    "Delete an object from a bucket (DeleteObject) and send its event notifications.",
    args=(
        Arg("BUCKET", "bucket", "a bucket of the stack"),
        Arg("KEY", WORD, "the key of an object in the bucket"),
    ),
    examples=("delete uploads incoming/report.csv",),
    details="On a versioned bucket this adds a delete marker (ObjectRemoved:DeleteMarkerCreated);\n"
    "otherwise the object is removed (ObjectRemoved:Delete).",
    changes_state=True,
)
def cmd_delete(session: Session, call: Call) -> CommandResult:
    """delete BUCKET KEY"""
    sim = session.sim
    before = sim.trace.seq
    _sim_call(sim.services["buckets"].delete_object, call.args["bucket"], call.args["key"])
    recs = list(sim.trace.since(before))
    deleted = next(r for r in recs if r.kind == tk.OBJECT_DELETED)
    lines = [f"{deleted.get('event')} {deleted.resource}/{deleted.get('key')}"]
    lines += _notification_lines(recs)
    return CommandResult(
        "\n".join(lines),
        data={
            "bucket": deleted.resource,
            "key": deleted.get("key"),
            "event": deleted.get("event"),
            "version_id": deleted.get("version_id"),
            **_notification_data(recs),
        },
    )


def _query_pairs(pairs: list[str]) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name:
            raise CommandError(f"--query needs NAME=VALUE, not {pair!r}", "e.g. --query page=2")
        out.append((name, value))
    return out


@command(
    "http",
    "messages",
    "Send a request to the stack's HTTP API and run the clock until the response.",
    args=(
        Arg("METHOD", WORD, "GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS"),
        Arg("PATH", WORD, "the request path, optionally with ?query, e.g. /webhooks/github"),
        Arg("BODY", TEXT, "the request body, quoted as one word", optional=True),
    ),
    options=(
        Option("--header", WORD, "a request header", "NAME:VALUE", repeat=True),
        Option("--query", KEY_VALUE, "a query string parameter", "NAME=VALUE", repeat=True),
        Option("--gateway", "http-api-gateway", "the gateway, when the stack has several", "NAME"),
    ),
    examples=(
        'http POST /webhooks/github \'{"action": "opened"}\'',
        "http GET /files/a/b.txt --query download=1 --header 'accept:text/plain'",
        "http GET /health --gateway adminApi",
    ),
    details="Routes are chosen as API Gateway does: exact and {param} routes (static segments\n"
    "first), then {proxy+}, then $default, else 404. A function answers 500 when it fails,\n"
    "and 503 when it has not answered within 30 s. Other events due meanwhile run too.",
    changes_state=True,
)
def cmd_http(session: Session, call: Call) -> CommandResult:
    """http METHOD PATH [BODY] [--header NAME:VALUE ...] [--query NAME=VALUE ...]"""
    from stptui.sim.services.http import parse_headers

    sim = session.sim
    try:
        headers = parse_headers(call.opts.get("header", []))
    except ValueError as exc:
        raise CommandError(str(exc), "e.g. --header 'content-type:application/json'") from None
    query = _query_pairs(call.opts.get("query", []))
    started = sim.clock.now
    resp = _sim_call(
        sim.services["http"].call,
        call.args["method"],
        call.args["path"],
        call.args["body"],
        headers=headers,
        query=query,
        gateway=call.opts.get("gateway"),
    )
    via = f"{resp.route} -> {resp.target}" if resp.route else "no route"
    lines = [f"HTTP {resp.status}  ({resp.gateway}: {via}, {format_duration(resp.latency_ms)})"]
    if resp.reason:
        lines.append(f"gateway: {resp.reason}")
    lines += [f"{name}: {value}" for name, value in resp.headers]
    lines += ["", resp.body, _now_line(sim, started)]
    return CommandResult(
        "\n".join(lines),
        data={
            "status": resp.status,
            "headers": [list(h) for h in resp.headers],
            "body": resp.body,
            "gateway": resp.gateway,
            "route": resp.route,
            "target": resp.target,
            "request_id": resp.request_id,
            "latency_ms": resp.latency_ms,
            "reason": resp.reason,
            "invocation_id": resp.invocation_id,
            "execution_id": resp.execution_id,
        },
    )


@command(
    "start-job",
    "messages",
    "Start a batch job's state machine directly (StartExecution), with an optional event.",
    args=(
        Arg("JOB", "batch-job", "a batch job of the stack"),
        Arg(
            "PAYLOAD", PAYLOAD, "the trigger event: JSON or plain text (default {})", optional=True
        ),
    ),
    examples=("start-job heavyJob", 'start-job heavyJob \'{"date": "2026-01-05"}\''),
    details="The container sees the event as STP_TRIGGER_EVENT_DATA. A failed attempt is retried\n"
    "after retryIntervalSeconds x attempt x retryIntervalMultiplier, up to `attempts` in all.",
    changes_state=True,
)
def cmd_start_job(session: Session, call: Call) -> CommandResult:
    """start-job JOB [PAYLOAD]"""
    sim = session.sim
    service = sim.services["batch"]
    job = _sim_call(service.job, call.args["job"])
    payload = parse_payload(call.args["payload"])
    eid = service.start(job.name, payload, "manual", "command")
    ex = job.running[eid]  # an attempt's end is scheduled, so it is still running now
    return CommandResult(
        f"started execution {eid} of {job.name}: attempt 1 of {job.attempts} running",
        data={"job": job.name, "execution_id": eid, "execution_arn": ex.arn},
    )


def _show_buckets(sim: Simulator) -> CommandResult:
    service = sim.services["buckets"]
    headers = ["bucket", "objects", "bytes", "versioning", "notifications", "event bus"]
    rows = []
    data = []
    for b in service.buckets.values():
        rows.append(
            [
                b.name,
                str(len(b.objects)),
                f"{b.total_bytes:,}",
                "on" if b.versioning else "off",
                str(len(b.notifications)),
                "on" if b.event_bus else "off",
            ]
        )
        data.append(
            {
                "bucket": b.name,
                "objects": len(b.objects),
                "bytes": b.total_bytes,
                "versioning": b.versioning,
                "notifications": len(b.notifications),
                "event_bus": b.event_bus,
            }
        )
    text = "" if rows else "this stack has no buckets"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)


def _show_bucket(sim: Simulator, name: str) -> CommandResult:
    b = _sim_call(sim.services["buckets"].bucket, name)
    lines = [
        f"{b.name} ({b.aws_name}): {len(b.objects)} objects, {b.total_bytes:,} bytes; "
        f"versioning {'on' if b.versioning else 'off'}; "
        f"EventBridge notifications {'on' if b.event_bus else 'off'}"
    ]
    lines += [
        f"  notifies {n.target} ({n.configuration_id}): {n.describe()}" for n in b.notifications
    ]
    # ListObjects order: by the key's UTF-8 bytes.
    keys = sorted(b.objects, key=lambda k: k.encode("utf-8", "surrogatepass"))
    if len(keys) > MAX_SHOWN_MESSAGES:
        lines.append(f"showing the first {MAX_SHOWN_MESSAGES} of {len(keys)} objects")
        keys = keys[:MAX_SHOWN_MESSAGES]
    headers = ["key", "size", "etag", "last modified", "versions"]
    rows = []
    objects = []
    for key in keys:
        o = b.objects[key]
        versions = len(b.versions.get(key, ())) if b.versioning else 1
        rows.append([key, f"{o.size:,}", o.etag, iso_ms(o.last_modified), str(versions)])
        objects.append(
            {
                "key": key,
                "size": o.size,
                "etag": o.etag,
                "last_modified": iso_ms(o.last_modified),
                "version_id": o.version_id,
                "versions": versions,
            }
        )
    return CommandResult(
        "\n".join(lines),
        table=(headers, rows) if rows else None,
        data={
            "bucket": b.name,
            "name": b.aws_name,
            "versioning": b.versioning,
            "event_bus": b.event_bus,
            "notifications": [
                {"target": n.target, "configuration": n.configuration_id, "filter": n.describe()}
                for n in b.notifications
            ],
            "objects": objects,
        },
    )


def _show_routes(sim: Simulator) -> CommandResult:
    routes = sim.services["http"].listing()
    if not routes:
        return CommandResult("this stack has no HTTP API routes", data=[])
    rows = [
        [r["gateway"], r["route"], f"{r['target']} ({r['target_type']})", r["payload_format"]]
        for r in routes
    ]
    return CommandResult(table=(["gateway", "route", "target", "payload"], rows), data=routes)


def _show_jobs(sim: Simulator) -> CommandResult:
    jobs = sim.services["batch"].jobs
    if not jobs:
        return CommandResult("this stack has no batch jobs", data=[])
    headers = ["job", "running", "started", "succeeded", "failed", "attempts", "waits", "timeout"]
    rows = []
    data = []
    lines = []
    for job in jobs.values():
        waits = ", ".join(format_duration(job.retry_wait_ms(i)) for i in range(1, job.attempts))
        timeout = format_duration(job.timeout_ms) if job.timeout_ms else "none"
        counts = job.counts
        rows.append(
            [
                job.name,
                str(len(job.running)),
                str(counts["submitted"]),
                str(counts["succeeded"]),
                str(counts["failed"]),
                str(job.attempts),
                waits or "-",
                timeout,
            ]
        )
        data.append(
            {
                "job": job.name,
                **counts,
                "running": [
                    {"execution_id": ex.id, "attempt": ex.attempt, "trigger": ex.trigger}
                    for ex in job.running.values()
                ],
                "attempts": job.attempts,
                "retry_waits_ms": [job.retry_wait_ms(i) for i in range(1, job.attempts)],
                "timeout_ms": job.timeout_ms or None,
                "behaviour": sim.behaviors.describe(job.name),
                "recent": [
                    {
                        "execution_id": ex.id,
                        "trigger": ex.trigger,
                        "source": ex.source,
                        "status": ex.status,
                        "attempts": ex.attempt,
                        "submitted": iso_ms(ex.submitted_at),
                        "ended": iso_ms(ex.ended_at) if ex.ended_at is not None else None,
                        "error": ex.error,
                    }
                    for ex in list(job.recent)[-SHOWN_EXECUTIONS:]
                ],
            }
        )
        lines += [
            f"{job.name}: execution {ex.id} ({ex.trigger}), attempt {ex.attempt} of {job.attempts}"
            for ex in job.running.values()
        ]
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)


# -- time ------------------------------------------------------------------------------------


@command(
    "advance",
    "time",
    "Run everything due in the next DURATION of virtual time.",
    args=(Arg("DURATION", DURATION, "90s, 5m, 2h30m, 1d, 250ms"),),
    examples=("advance 90s", "advance 2h30m"),
    changes_state=True,
)
def cmd_advance(session: Session, call: Call) -> CommandResult:
    """advance DURATION"""
    sim = session.sim
    ms = _duration(call.args["duration"], "advance")
    before = sim.clock.now
    if not sim.advance(ms, call.should_stop):
        return _stopped(sim, call, before)
    return CommandResult(_now_line(sim, before), data={"now": iso_ms(sim.clock.now)})


def _stopped(sim: Simulator, call: Call, before: int) -> CommandResult:
    """The result of a time command its front end stopped (Ctrl-C) between two events."""
    # Events due at the instant reached may still be pending; `until NOW` would run them
    # too, so run them here and log that line: the log then replays to this very state.
    sim.until(sim.clock.now)
    now = iso_ms(sim.clock.now)
    call.log_line = f"until {now}"
    return CommandResult(
        f"interrupted; {_now_line(sim, before)}", data={"now": now, "interrupted": True}
    )


@command(
    "until",
    "time",
    "Run everything due up to an instant.",
    args=(Arg("TIME", INSTANT, "an ISO-8601 instant, e.g. 2026-01-05T09:00:00Z"),),
    examples=("until 2026-01-05T09:00:00Z",),
    changes_state=True,
)
def cmd_until(session: Session, call: Call) -> CommandResult:
    """until TIME"""
    sim = session.sim
    text = call.args["time"]
    try:
        t = parse_instant(text)
    except (ValueError, OverflowError):
        raise CommandError(
            f"{text!r} is not an ISO-8601 instant", "e.g. until 2026-01-05T09:00:00Z"
        ) from None
    if t < sim.clock.now:
        raise CommandError(
            f"{iso_ms(t)} is in the simulation's past (now {iso_ms(sim.clock.now)})",
            "time only moves forward",
        )
    before = sim.clock.now
    if not sim.until(t, call.should_stop):
        return _stopped(sim, call, before)
    return CommandResult(_now_line(sim, before), data={"now": iso_ms(sim.clock.now)})


@command(
    "step",
    "time",
    "Run the next N scheduled events (default 1), however far away.",
    args=(Arg("N", COUNT, "how many events", optional=True),),
    examples=("step", "step 10"),
    changes_state=True,
)
def cmd_step(session: Session, call: Call) -> CommandResult:
    """step [N]"""
    sim = session.sim
    n = 1 if call.args["n"] is None else _whole(call.args["n"], "step N")
    before = sim.clock.now
    ran = sim.step(n)
    text = f"ran {ran} event{'s' * (ran != 1)}; {_now_line(sim, before)}"
    if ran < n:
        text += "; nothing more is scheduled"
    return CommandResult(text, data={"ran": ran, "now": iso_ms(sim.clock.now)})


@command(
    "run",
    "time",
    "Run until nothing but recurring work (schedules, retention) is pending.",
    options=(
        Option("--max", DURATION, f"stop after this much time (default {DEFAULT_RUN_MAX})", "D"),
    ),
    examples=("run", "run --max 2h"),
    changes_state=True,
)
def cmd_run(session: Session, call: Call) -> CommandResult:
    """run [--max DURATION]"""
    sim = session.sim
    max_ms = _duration(call.opts.get("max", DEFAULT_RUN_MAX), "--max")
    before = sim.clock.now
    quiet = sim.run(max_ms, call.should_stop)
    if not quiet and call.should_stop is not None and call.should_stop():
        return _stopped(sim, call, before)
    state = "quiet" if quiet else f"still busy after {format_duration(max_ms)}"
    return CommandResult(
        f"{state}; {_now_line(sim, before)}",
        data={"quiet": quiet, "now": iso_ms(sim.clock.now)},
    )


# -- behaviour -------------------------------------------------------------------------------


def _override(session: Session, verb: str, call: Call, words: list[str]) -> CommandResult:
    sim = session.sim
    fn = _function(sim, call.args["function"])
    try:
        ov = parse_override([verb, fn.name, *words])
    except BehaviorError as exc:
        raise CommandError(str(exc), exc.hint) from None
    add_override(fn.overrides, ov)
    active = [o.describe() for o in fn.overrides]
    sim.trace.emit(
        sim.clock.now,
        tk.BEHAVIOR_OVERRIDDEN,
        fn.name,
        {"override": ov.label(), "active": active},
    )
    return CommandResult(
        f"{fn.name}: {'; '.join(active)}",
        data={"function": fn.name, "override": ov.label(), "active": active},
    )


@command(
    "fail",
    "behaviour",
    "Make a function fail (always, the next N times, at a rate, or on a condition).",
    args=(
        Arg("FUNCTION", FUNCTION, "a function of the stack"),
        Arg(
            "MODE",
            WORD,
            "always | next N | rate P | when JMESPATH",
            optional=True,
            rest=True,
            choices=("always", "next", "rate", "when"),
        ),
    ),
    usage="fail FUNCTION [always | next N | rate P | when JMESPATH]",
    examples=(
        "fail worker",
        "fail worker next 3",
        "fail worker rate 0.3",
        "fail worker when \"body.kind == 'poison'\"",
    ),
    details="A new `fail` replaces the function's previous fail override; `succeed` clears it.",
    changes_state=True,
)
def cmd_fail(session: Session, call: Call) -> CommandResult:
    """fail FUNCTION [always | next N | rate P | when JMESPATH]"""
    return _override(session, "fail", call, call.args["mode"])


@command(
    "succeed",
    "behaviour",
    "Clear a function's overrides and make it succeed (declared failures suppressed).",
    args=(Arg("FUNCTION", FUNCTION, "a function of the stack"),),
    examples=("succeed worker",),
    changes_state=True,
)
def cmd_succeed(session: Session, call: Call) -> CommandResult:
    """succeed FUNCTION"""
    return _override(session, "succeed", call, [])


@command(
    "slow",
    "behaviour",
    "Make every invocation of a function take DURATION.",
    args=(
        Arg("FUNCTION", FUNCTION, "a function of the stack"),
        Arg("DURATION", DURATION, "how long each invocation runs, e.g. 2s"),
    ),
    examples=("slow worker 2s", "slow worker 10m"),
    changes_state=True,
)
def cmd_slow(session: Session, call: Call) -> CommandResult:
    """slow FUNCTION DURATION"""
    _duration(call.args["duration"], "slow")  # the same reader as advance, for its message
    return _override(session, "slow", call, [call.args["duration"]])


# -- inspect ---------------------------------------------------------------------------------

SHOW_WHATS = (
    "queues",
    "queue",
    "functions",
    "agenda",
    "message",
    "trace",
    "schedules",
    "buses",
    "topics",
    "buckets",
    "bucket",
    "routes",
    "jobs",
)


@command(
    "show",
    "inspect",
    "Show queues, one queue, functions, the agenda, one message, the trace, schedules, "
    "buses, topics, buckets, one bucket, HTTP routes or batch jobs.",
    args=(
        Arg(
            "WHAT",
            WORD,
            "queues | queue Q | functions | agenda | message ID | trace [N] | schedules | "
            "buses | topics | buckets | bucket B | routes | jobs",
            choices=SHOW_WHATS,
        ),
        Arg(
            "NAME",
            WORD,
            "the queue, bucket, message id or number of records",
            optional=True,
            kind_after=(
                ("queue", QUEUE),
                ("message", MESSAGE),
                ("trace", COUNT),
                ("bucket", "bucket"),
            ),
        ),
    ),
    usage="show queues | queue QUEUE | functions | agenda | message ID | trace [N] | schedules "
    "| buses | topics | buckets | bucket BUCKET | routes | jobs",
    examples=(
        "show queues",
        "show queue jobQueue",
        "show functions",
        "show agenda",
        "show message 3f2a",
        "show trace 50",
        "show schedules",
        "show buses",
        "show topics",
        "show bucket uploads",
        "show routes",
        "show jobs",
    ),
)
def cmd_show(session: Session, call: Call) -> CommandResult:
    """show queues | queue QUEUE | functions | agenda | message ID | trace [N] | schedules |
    buses | topics | buckets | bucket BUCKET | routes | jobs"""
    what = call.args["what"]
    name = call.args["name"]
    if what not in SHOW_WHATS:
        guess = did_you_mean(what, SHOW_WHATS)
        raise CommandError(
            f"cannot show {what!r}",
            f"did you mean {guess!r}?" if guess else f"usage: {call.command.usage}",
        )
    needs_name = what in ("queue", "message", "bucket")
    if needs_name and name is None:
        needed = {"queue": "queue name", "bucket": "bucket name"}.get(what, "ID")
        raise CommandError(f"show {what} needs a {needed}")
    if not needs_name and what != "trace" and name is not None:
        raise CommandError(f"show {what} takes nothing more, not {name!r}")
    sim = session.sim
    if what == "queues":
        return _show_queues(sim)
    if what == "queue":
        return _show_queue(sim, _queue(sim, name))
    if what == "functions":
        return _show_functions(sim)
    if what == "agenda":
        return _show_agenda(sim)
    if what == "message":
        return _show_message(sim, name)
    if what == "schedules":
        return _show_schedules(sim)
    if what == "buses":
        return _show_buses(sim)
    if what == "topics":
        return _show_topics(sim)
    if what == "buckets":
        return _show_buckets(sim)
    if what == "bucket":
        return _show_bucket(sim, name)
    if what == "routes":
        return _show_routes(sim)
    if what == "jobs":
        return _show_jobs(sim)
    n = DEFAULT_TRACE_ROWS if name is None else _whole(name, "show trace N")
    return _show_trace(sim, n)


def _redrive_text(q: QueueSim) -> str:
    if q.dlq is None:
        return ""
    return f"-> {q.dlq.name} after {q.max_receive_count}"


def _show_queues(sim: Simulator) -> CommandResult:
    headers = ["queue", "type", "visible", "in_flight", "delayed", "depth", "redrive"]
    rows = []
    data = []
    for q in sim.queues.values():
        stats = sim.queue_stats(q.name)
        rows.append(
            [
                q.name,
                "fifo" if q.fifo else "standard",
                *(str(stats[k]) for k in ("visible", "in_flight", "delayed", "depth")),
                _redrive_text(q),
            ]
        )
        data.append({"queue": q.name, **stats})
    text = "" if rows else "this stack has no queues"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)


def _show_queue(sim: Simulator, q: QueueSim) -> CommandResult:
    stats = sim.queue_stats(q.name)
    lines = [
        f"{q.name} ({'FIFO' if q.fifo else 'standard'}): {stats['visible']} visible, "
        f"{stats['in_flight']} in flight, {stats['delayed']} delayed",
        f"visibility timeout {format_duration(q.visibility_ms)}, "
        f"retention {format_duration(q.retention_ms)}",
    ]
    if q.dlq is not None:
        lines.append(f"dead-letter queue {q.dlq.name} after {q.max_receive_count} receives")
    if q.sources:
        lines.append(f"dead-letter queue of {names(s.name for s in q.sources)}")
    msgs = q.listing(MAX_SHOWN_MESSAGES)
    if q.depth > len(msgs):
        lines.append(f"showing the first {len(msgs)} of {q.depth} messages")
    headers = ["message", "state", "receives", "until", "group", "body"]
    rows = [
        [
            m.id,
            m.state_name,
            str(m.receive_count),
            iso_ms(m.visible_at) if m.state_name != "visible" else "",
            m.group or "",
            _short(m.body),
        ]
        for m in msgs
    ]
    return CommandResult(
        "\n".join(lines),
        table=(headers, rows) if rows else None,
        data={"queue": q.name, **stats, "messages": [_message_data(m) for m in msgs]},
    )


def _show_functions(sim: Simulator) -> CommandResult:
    headers = [
        "function",
        "running",
        "invocations",
        "successes",
        "failures",
        "throttles",
        "behaviour",
    ]
    rows = []
    data = []
    for fn in sim.functions.values():
        stats = sim.function_stats(fn.name)
        behaviour = sim.behaviors.describe(fn.name)
        if fn.overrides:
            behaviour += "; override: " + "; ".join(o.describe() for o in fn.overrides)
        rows.append(
            [
                fn.name,
                *(
                    str(stats[k])
                    for k in ("running", "invocations", "successes", "failures", "throttles")
                ),
                behaviour,
            ]
        )
        data.append(
            {
                "function": fn.name,
                **stats,
                "behaviour": sim.behaviors.describe(fn.name),
                "overrides": [o.describe() for o in fn.overrides],
            }
        )
    text = "" if rows else "this stack has no functions"
    return CommandResult(text, table=(headers, rows) if rows else None, data=data)


def _show_agenda(sim: Simulator) -> CommandResult:
    entries = sim.agenda(50)
    now = sim.clock.now
    if not entries:
        return CommandResult(f"nothing is scheduled; now {iso_ms(now)}", data=[])
    rows = [
        [iso_ms(t), f"+{format_duration(t - now)}", kind, resource, what]
        for t, kind, resource, what in entries
    ]
    data = [
        {"t": iso_ms(t), "kind": kind, "resource": resource, "what": what}
        for t, kind, resource, what in entries
    ]
    return CommandResult(
        f"now {iso_ms(now)}; next {len(entries)} scheduled",
        table=(["time", "in", "kind", "resource", "what"], rows),
        data=data,
    )


def _show_schedules(sim: Simulator) -> CommandResult:
    rows_data = sim.services["schedules"].listing()
    if not rows_data:
        return CommandResult("this stack has no schedules", data=[])
    rows = [
        [
            d["owner"],
            str(d["number"]),
            d["expression"],
            d["describe"],
            "paused" if d["paused"] else "",
            d["next"] or "",
            d["input"],
        ]
        for d in rows_data
    ]
    headers = ["workload", "#", "expression", "when", "paused", "next fire", "input"]
    return CommandResult(f"now {iso_ms(sim.clock.now)}", table=(headers, rows), data=rows_data)


def _show_buses(sim: Simulator) -> CommandResult:
    buses = sim.services["buses"]
    data = buses.listing()
    rows = []
    for bus in data:
        label = bus["bus"] + (" (outside the stack; nothing publishes)" if bus["external"] else "")
        if not bus["rules"]:
            rows.append([label, "", "", "(no rules)", "", ""])
        for r in bus["rules"]:
            group = r["message_group_id"]
            rows.append(
                [
                    label,
                    r["rule"],
                    r["target"],
                    format_value(r["pattern"]),
                    r["input"] + (f", group {group}" if group else ""),
                    _dlq_notes(r["dlq"], r["problems"]),
                ]
            )
    lines = [f"{owner}: {why}" for owner, why in buses.unattached]
    return CommandResult(
        "\n".join(lines),
        table=(["bus", "rule", "target", "pattern", "input", "dlq / problems"], rows),
        data=data,
    )


def _dlq_notes(dlq: str | None, problems: list[str]) -> str:
    return "; ".join([*([dlq] if dlq else []), *problems])


def _show_topics(sim: Simulator) -> CommandResult:
    data = sim.services["topics"].listing()
    if not data:
        return CommandResult("this stack has no SNS topics", data=[])
    rows = []
    for topic in data:
        label = topic["topic"] + (" (FIFO)" if topic["fifo"] else "")
        if not topic["subscriptions"]:
            rows.append([label, "(no subscriptions)", "", ""])
        for sub in topic["subscriptions"]:
            policy = sub["filter_policy"]
            rows.append(
                [
                    label,
                    sub["target"],
                    "" if policy is None else format_value(policy),
                    _dlq_notes(sub["dlq"], sub["problems"]),
                ]
            )
    return CommandResult(
        table=(["topic", "subscriber", "filter policy", "dlq / problems"], rows), data=data
    )


def _message_data(m: Message) -> dict[str, Any]:
    return {
        "message_id": m.id,
        "queue": m.queue.name,
        "state": m.state_name,
        "receive_count": m.receive_count,
        "sent_at": iso_ms(m.sent_at),
        "visible_at": iso_ms(m.visible_at),
        "group": m.group,
        "body": m.body,
        "attributes": m.attrs or {},
    }


def _mentions(rec: tk.Record, mid: str) -> bool:
    data = rec.data
    return (
        data.get("message_id") == mid
        or data.get("new_message_id") == mid
        or mid in (data.get("message_ids") or ())
    )


def _find_message_id(sim: Simulator, text: str) -> str:
    """The full id of a live or traced message given its id or a unique prefix."""
    if sim.find_message(text) is not None:
        return text
    live = [mid for q in sim.queues.values() for mid in q.messages]
    hits = sorted({mid for mid in live if mid.startswith(text)})
    if not hits:
        traced = {
            r.data.get("message_id")
            for r in sim.trace.records
            if isinstance(r.data.get("message_id"), str)
        }
        if text in traced:
            return text
        hits = sorted(mid for mid in traced if mid.startswith(text))
    if len(hits) == 1:
        if len(text) < 4:
            # A one- or two-character prefix that happens to be unique today would name a
            # different message tomorrow: scripts must not depend on it.
            raise CommandError(f"{text!r} is too short", "give at least 4 characters of the id")
        return hits[0]
    if len(hits) > 1:
        raise CommandError(
            f"{text!r} matches {len(hits)} messages", "give more of the id: show queue Q lists them"
        )
    raise CommandError(f"no message {text!r}", "`show queue QUEUE` lists message ids")


def _show_message(sim: Simulator, text: str) -> CommandResult:
    mid = _find_message_id(sim, text)
    msg = sim.find_message(mid)
    history = [r for r in sim.trace.records if _mentions(r, mid)]
    lines = [f"message {mid}"]
    data: dict[str, Any] = {"message_id": mid, "live": msg is not None}
    if msg is not None:
        data.update(_message_data(msg))
        lines += [
            f"queue {msg.queue.name}, {msg.state_name.replace('_', ' ')}, "
            f"received {msg.receive_count} time{'s' * (msg.receive_count != 1)}",
            f"sent {iso_ms(msg.sent_at)}",
        ]
        if msg.group:
            lines.append(f"group {msg.group}, deduplication id {msg.dedup_id}")
        if msg.attrs:
            lines.append(
                "attributes " + " ".join(f"{k}={format_value(v)}" for k, v in msg.attrs.items())
            )
        lines.append(f"body {msg.body}")
    else:
        lines.append("no longer in any queue; its history:")
    rows = [[iso_ms(r.t), r.kind, r.resource, record_details(r)] for r in history]
    data["history"] = [r.to_json() for r in history]
    return CommandResult(
        "\n".join(lines),
        table=(["time", "kind", "resource", "details"], rows) if rows else None,
        data=data,
    )


def _show_trace(sim: Simulator, n: int) -> CommandResult:
    recs = sim.trace.tail(n)
    if not recs:
        return CommandResult("the trace is empty", data=[])
    rows = [[str(r.seq), iso_ms(r.t), r.kind, r.resource, record_details(r)] for r in recs]
    return CommandResult(
        table=(["seq", "time", "kind", "resource", "details"], rows),
        data=[r.to_json() for r in recs],
    )


# -- assert ----------------------------------------------------------------------------------

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
QUEUE_FIELDS = ("visible", "in_flight", "delayed", "depth")
FUNCTION_FIELDS = ("invocations", "successes", "failures", "throttles", "running")
EXPECT_PATHS = (
    f"queue.Q.{'|'.join(QUEUE_FIELDS)}",
    f"function.F.{'|'.join(FUNCTION_FIELDS)}",
    "count KIND [RESOURCE]",
    "time",
)


@command(
    "explain",
    "inspect",
    "Show the causal chain from a stimulus to every effect, and why rules or notifications "
    "did not fire.",
    args=(
        Arg(
            "ID",
            WORD,
            "a message, event, invocation or execution id (or a unique prefix), or an object key",
        ),
    ),
    examples=("explain 3f2a9c1e", "explain incoming/report.csv"),
)
def cmd_explain(session: Session, call: Call) -> CommandResult:
    """explain ID"""
    from stptui.sim.explain import explain

    key = call.args["id"]
    chain = explain(session.sim.trace, key)
    if not chain.found:
        raise CommandError(
            f"nothing in the trace mentions {key!r}",
            "give a message, event or invocation id (see `show trace`), or an object key",
        )
    return CommandResult(
        "\n".join(chain.lines()),
        records=list(chain.records),
        data={"key": key, "records": [r.to_json() for r in chain.records]},
    )


@command(
    "expect",
    "assert",
    "Check a statistic, a trace count or the time; a script stops if it does not hold.",
    args=(
        Arg(
            "PATH",
            EXPECT_PATH,
            "queue.Q.FIELD, function.F.FIELD, count KIND [RESOURCE] or time",
            rest=True,
            kind_after=(("count", TRACE_KIND),),
        ),
        Arg("OP", OPERATOR, " ".join(OPS), choices=tuple(OPS)),
        Arg("VALUE", VALUE, "a whole number; an ISO-8601 instant for time"),
    ),
    details=f"queue FIELDs: {', '.join(QUEUE_FIELDS)}\n"
    f"function FIELDs: {', '.join(FUNCTION_FIELDS)}\n"
    "count: trace records of KIND (on RESOURCE when given) since the start",
    examples=(
        "expect queue.jobQueue.depth == 0",
        "expect function.worker.failures >= 3",
        "expect count message.dead_lettered jobQueue == 1",
        "expect time == 2026-01-05T08:01:30Z",
    ),
)
def cmd_expect(session: Session, call: Call) -> CommandResult:
    """expect PATH OP VALUE"""
    sim = session.sim
    path_words: list[str] = call.args["path"]
    op: str = call.args["op"]
    value_text: str = call.args["value"]
    if op not in OPS:
        guess = did_you_mean(op, OPS)
        raise CommandError(
            f"unknown comparison {op!r}",
            f"did you mean {guess}?" if guess else f"use one of {' '.join(OPS)}",
        )
    path, actual = _expect_actual(sim, path_words)
    if path == "time":
        try:
            expected: Any = parse_instant(value_text)
        except (ValueError, OverflowError):
            raise CommandError(
                f"{value_text!r} is not an ISO-8601 instant", "e.g. 2026-01-05T08:01:30Z"
            ) from None
        shown_expected, shown_actual = iso_ms(expected), iso_ms(actual)
    else:
        if not re.fullmatch(r"-?\d{1,15}", value_text):
            raise CommandError(f"{path} is a whole number; cannot compare it with {value_text!r}")
        expected = int(value_text)
        shown_expected, shown_actual = str(expected), str(actual)
    ok = OPS[op](actual, expected)
    data = {"path": path, "op": op, "expected": shown_expected, "actual": shown_actual, "ok": ok}
    if not ok:
        raise ExpectationFailed(f"expected {path} {op} {shown_expected}, actual {shown_actual}")
    return CommandResult(f"ok: {path} {op} {shown_expected} (actual {shown_actual})", data=data)


def _expect_actual(sim: Simulator, words: list[str]) -> tuple[str, int]:
    """(the path as text, its current value) for an expect PATH."""
    hint = "paths: " + ", ".join(EXPECT_PATHS)
    if words == ["time"]:
        return "time", sim.clock.now
    if words and words[0] == "count":
        if len(words) not in (2, 3):
            raise CommandError("expect count needs KIND [RESOURCE] then OP VALUE", hint)
        kind = words[1]
        if kind not in TRACE_KINDS:
            guess = did_you_mean(kind, TRACE_KINDS)
            raise CommandError(
                f"unknown trace record kind {kind!r}",
                f"did you mean {guess!r}?" if guess else f"kinds: {', '.join(TRACE_KINDS)}",
            )
        resource = words[2] if len(words) == 3 else None
        if resource is not None and resource not in sim.stack.resources:
            guess = did_you_mean(resource, sim.stack.resources)
            raise CommandError(
                f"no resource named {resource!r}",
                f"did you mean {guess!r}?" if guess else f"resources: {names(sim.stack.resources)}",
            )
        path = f"count {kind}" + (f" {resource}" if resource else "")
        return path, sim.trace.count(kind, resource)
    if len(words) != 1:
        raise CommandError(f"cannot read {' '.join(words)!r} as a path", hint)
    parts = words[0].split(".")
    if len(parts) < 3 or parts[0] not in ("queue", "function"):
        guess = did_you_mean(parts[0], ("queue", "function", "count", "time"))
        raise CommandError(
            f"unknown path {words[0]!r}",
            f"did you mean {guess}...?" if guess and guess != parts[0] else hint,
        )
    # Names may hold dots (FIFO queues end in `.fifo`): the field is the last part.
    kind, name, field = parts[0], ".".join(parts[1:-1]), parts[-1]
    fields = QUEUE_FIELDS if kind == "queue" else FUNCTION_FIELDS
    if field not in fields:
        guess = did_you_mean(field, fields)
        raise CommandError(
            f"{kind} has no statistic {field!r}",
            f"did you mean {kind}.{name}.{guess}?" if guess else f"use one of {', '.join(fields)}",
        )
    if kind == "queue":
        return words[0], sim.queue_stats(_queue(sim, name).name)[field]
    return words[0], sim.function_stats(_function(sim, name).name)[field]


# -- session ---------------------------------------------------------------------------------


@command(
    "save",
    "session",
    "Save the session (stack, behaviours, seed, commands) to a JSON file, atomically.",
    args=(Arg("FILE", FILE, "where to write, e.g. run.json"),),
    examples=("save incident.json",),
)
def cmd_save(session: Session, call: Call) -> CommandResult:
    """save FILE"""
    path = session.save(call.args["file"])
    n = len(session.log)
    return CommandResult(
        f"saved {n} command{'s' * (n != 1)} at {iso_ms(session.sim.clock.now)} to {path}",
        data={"file": str(path), "commands": n},
    )


@command(
    "load",
    "session",
    "Replace the simulation with a saved one (rebuilt by replaying its commands).",
    args=(Arg("FILE", FILE, "a file written by save"),),
    examples=("load incident.json",),
)
def cmd_load(session: Session, call: Call) -> CommandResult:
    """load FILE"""
    if session.recorder is not None:
        # The recording replays this simulation from its start; a loaded one has another.
        raise CommandError(
            f"cannot load while recording to {session.recorder.path}", "record stop first"
        )
    session.load(call.args["file"])
    n = len(session.log)
    return CommandResult(
        f"loaded {call.args['file']}: replayed {n} command{'s' * (n != 1)}; "
        f"now {iso_ms(session.sim.clock.now)}",
        data={"file": call.args["file"], "commands": n, "now": iso_ms(session.sim.clock.now)},
    )


# Scripts being sourced, innermost last: a script that sources itself is refused.
_SOURCING: list[Path] = []


@command(
    "source",
    "session",
    "Run a script of commands in this session, echoing each, as `stptui run` does.",
    args=(Arg("FILE", FILE, "a script: one command per line, # comments"),),
    examples=("source docs/examples/tour.stp",),
    details="It stops at the first command error or failed expect, naming FILE:LINE; the\n"
    "commands before it stay applied.",
)
def cmd_source(session: Session, call: Call) -> CommandResult:
    """source FILE"""
    from stptui.commands import execute
    from stptui.commands.result import render_plain
    from stptui.commands.script import read_script
    from stptui.textsafe import printable

    name = call.args["file"]
    try:
        lines = read_script(name)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise CommandError(f"cannot read {name}: {reason}") from None
    path = Path(name).resolve()
    if path in _SOURCING:
        raise CommandError(f"{name} is already being sourced", "a script cannot source itself")
    transcript: list[str] = []
    ran = 0
    stopped = False
    _SOURCING.append(path)
    try:
        for n, line in lines:
            if call.should_stop is not None and call.should_stop():
                stopped = True
                break
            if call.report is not None:
                call.report(line, None)
            else:
                transcript.append(f"> {printable(line)}")
            try:
                result = execute(session, line, should_stop=call.should_stop, report=call.report)
            except CommandError as exc:
                # The same class (an expectation stays one), so `stptui run` exits alike.
                raise type(exc)(f"{name}:{n}: {exc.message}", exc.hint) from None
            ran += 1
            if call.report is not None:
                call.report(line, result)
            elif text := render_plain(result):
                transcript.append(text)
            if isinstance(result.data, dict) and result.data.get("interrupted"):
                stopped = True
                break
    finally:
        _SOURCING.pop()
    summary = f"{name}: ran {ran} of {len(lines)} command{'s' * (len(lines) != 1)}"
    if stopped:
        summary += " (interrupted)"
    return CommandResult(
        "\n".join([*transcript, summary]),
        data={"file": name, "ran": ran, "commands": len(lines), "interrupted": stopped},
    )


@command(
    "record",
    "session",
    "Write the state-changing commands to a script that `stptui run` replays.",
    args=(Arg("FILE", FILE, "the script to write, or `stop`", choices=("stop",)),),
    examples=("record incident.stp", "record stop"),
    details="The script starts with the commands applied before `record`, so it replays\n"
    "the whole session; its header names the seed, the start and the `stptui run` line\n"
    "that replays it to the identical trace.",
)
def cmd_record(session: Session, call: Call) -> CommandResult:
    """record FILE | record stop"""
    from stptui.commands.recording import Recorder

    target = call.args["file"]
    rec = session.recorder
    if target == "stop":
        if rec is None:
            raise CommandError("not recording", "record FILE starts a recording")
        session.recorder = None
        rec.close()
        return CommandResult(
            f"recorded {rec.count} command{'s' * (rec.count != 1)} to {rec.path}",
            data={"file": str(rec.path), "commands": rec.count},
        )
    if rec is not None:
        raise CommandError(f"already recording to {rec.path}", "record stop first")
    rec = Recorder.start(session, target)
    session.recorder = rec
    return CommandResult(
        f"recording to {rec.path}; replay it with:\n  {rec.replay}",
        data={"file": str(rec.path), "replay": rec.replay},
    )


@command(
    "help",
    "session",
    "List the commands, or show one command's usage and examples.",
    args=(Arg("COMMAND", COMMAND, "a command name", optional=True),),
    examples=("help", "help send"),
)
def cmd_help(session: Session, call: Call) -> CommandResult:
    """help [COMMAND]"""
    name = call.args["command"]
    return CommandResult(REGISTRY.help(name), data={"command": name})
