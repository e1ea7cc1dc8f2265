"""Commands that put messages into queues and move or drop them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stptui.commands.handlers.base import (
    command,
    function_named,
    now_line,
    parse_payload,
    queue_named,
    read_duration,
    refuse_past_end,
    refuse_unquoted_json,
    sqs_attributes,
)
from stptui.commands.registry import (
    DLQ,
    DURATION,
    FLAG,
    FUNCTION,
    KEY_VALUE,
    PAYLOAD,
    QUEUE,
    TEXT,
    WORD,
    Arg,
    Call,
    CommandError,
    Option,
    names,
    quote_word,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.config.model import ScheduleTrigger
from stptui.sim.behavior import (
    Outcome,
    format_duration,
)
from stptui.sim.clock import MAX_MS, iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.handler_logs import bounded_message
from stptui.sim.services.function import (
    ASYNC_PAYLOAD_BYTES,
    SYNC_PAYLOAD_BYTES,
    FunctionSim,
    payload_bytes,
    request_too_large,
)
from stptui.sim.services.queue import Message, QueueSim, SqsError, delay_error
from stptui.sim.trace import format_value
from stptui.textsafe import shown

# -- messages --------------------------------------------------------------------------------


# The message is already AWS's own (MissingParameter): the hint says what it means here.
_EMPTY_BODY_HINT = (
    "SQS refuses an empty message body; give at least one character, e.g. send {queue} '{{}}'"
)
# How many moved messages' ids `redrive` lists (its data lists them all).
REDRIVE_SHOWN = 5


def _check_send(sim: Simulator, call: Call) -> QueueSim:
    """`send`'s checks of a bound line before the request (its queue, a body that lost
    its quotes), in the command's order; the REPL's check before Enter asks them."""
    q = queue_named(sim, call.args["queue"])
    refuse_unquoted_json(call, "body", "the body")
    return q


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
        Option(
            "--group",
            WORD,
            "message group id (FIFO queues; a fair queue's tenant on a standard one)",
            "G",
        ),
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
        "send orders '{\"id\": 1}' --group customer-1 --dedup-id order-1",
        "send jobQueue '{}' --attr priority=5 --attr source=cli",
        "send jobQueue --from docs/examples/order.json",
    ),
    check_call=_check_send,
    changes_state=True,
    body_file="BODY",
)
def cmd_send(session: Session, call: Call) -> CommandResult:
    """send QUEUE BODY [--delay D] [--group G] [--dedup-id ID] [--attr K=V ...]"""
    sim = session.sim
    q = _check_send(sim, call)
    body: str = call.args["body"]
    delay_s: int | None = None
    if "delay" in call.opts:
        ms = read_duration(call.opts["delay"], "--delay")
        if ms % 1000:
            raise CommandError(
                "--delay is a whole number of seconds in SQS",
                "e.g. --delay 30s",
                word=call.opts["delay"],
            )
        delay_s = ms // 1000
        if (refused := delay_error(delay_s)) is not None:
            # Checked before the request is, to point at the word at fault (send_message
            # checks it too, for the other senders).
            raise CommandError(
                str(refused), "SQS delays a message at most 15m", word=call.opts["delay"]
            )
    attrs = sqs_attributes(call.opts.get("attr", []))
    group = call.opts.get("group")
    dedup_id = call.opts.get("dedup_id")
    # Simulator.send_message validates the whole request (size, characters, FIFO ids, delay
    # range) before it changes anything, and raises SimError with a hint.
    try:
        mid, duplicate, number = sim.send_message(
            q.name, body, delay_s=delay_s, group=group, dedup_id=dedup_id, attrs=attrs or None
        )
    except SimError as exc:
        if body or exc.hint:
            raise
        # `send jobQueue ""` (or '' from a script): the fix is a body, not the command's help.
        raise CommandError(str(exc), _EMPTY_BODY_HINT.format(queue=quote_word(q.name))) from None
    # A FIFO queue's answer has the message's sequence number, as SendMessage's does (and
    # as publish-sns shows a FIFO topic's).
    numbered = "" if number is None else f" (sequence number {number})"
    if duplicate:
        text = (
            f"{q.name}: duplicate of message {mid}{numbered}, deduplicated within 5 minutes: "
            "not delivered again"
        )
    else:
        text = f"sent message {mid}{numbered} to {q.name}"
        if delay_s:
            text += f" (visible in {format_duration(delay_s * 1000)})"
    return CommandResult(
        text,
        data={
            "queue": q.name,
            "message_id": mid,
            "sequence_number": number,
            "deduplicated": duplicate,
        },
    )


@command(
    "invoke",
    "messages",
    "Invoke a function synchronously and run the clock until it returns.",
    args=(
        Arg("FUNCTION", FUNCTION, "a function of the stack"),
        Arg("PAYLOAD", PAYLOAD, "the event: JSON, as Lambda takes (default {})", optional=True),
    ),
    options=(
        Option(
            "--async",
            FLAG,
            "invoke asynchronously: Lambda queues the event and answers 202 at once",
        ),
    ),
    examples=(
        "invoke worker",
        'invoke api \'{"path": "/jobs"}\'',
        "invoke worker '{\"orderId\": 7}' --async",
    ),
    details=(
        "Other events due while the invocation runs happen too. A failed invocation is "
        "reported with what Invoke answers: FunctionError Unhandled and the error object "
        "(for a timeout, Lambda's own Sandbox.Timedout, naming the request). A throttled "
        "invoke is reported (TooManyRequestsException), not treated as a command error. The "
        "payload is at most 6 MB of compact JSON. With --async the event is queued as Lambda's "
        "Event invocation type queues it (at most 1 MB) and the command does not move the "
        "clock: the event's attempts (a throttled one waits, a failed one is retried twice, "
        "1 and 2 minutes later) and its destinations happen as the clock runs, and the "
        "event id it answers with is what `explain` follows."
    ),
    changes_state=True,
    body_file="PAYLOAD",
)
def cmd_invoke(session: Session, call: Call) -> CommandResult:
    """invoke FUNCTION [PAYLOAD] [--async]"""
    sim = session.sim
    fn = function_named(sim, call.args["function"])
    text = call.args["payload"]
    payload = parse_payload(
        text,
        "InvalidRequestContentException: Could not parse request body into json",
        f"invoke {quote_word(fn.name)}",
        call.line,
    )
    too_large = invoke_size_error(fn.name, payload, asynchronous=bool(call.opts.get("async")))
    if too_large is not None:
        raise too_large
    if call.opts.get("async"):
        return _invoke_async(session, fn, payload)
    started = sim.clock.now
    if started + fn.timeout_ms > MAX_MS:
        latest = iso_ms(started + fn.timeout_ms)
        refuse_past_end(sim, f"invoke {fn.name} could return as late as {latest} (its timeout)")
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
    if call.detached:
        # `repeat` runs inside the clock: the invocation's end is the clock's to run, and
        # the trace records it (invocation.succeeded or .failed).
        return CommandResult(
            f"invoked {fn.name} ({inv_id})", data={"function": fn.name, "invocation_id": inv_id}
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
    # The invocation's id is what `explain` follows to what the invocation caused; it is
    # printed before a response that may run long.
    ident = f"invocation {inv_id}"
    if outcome.status == "success":
        line = f"{fn.name} succeeded in {format_duration(duration)}\n{ident}"
        if outcome.response is not None:
            line += f"\nresponse: {format_value(outcome.response)}"
    else:
        # Bounded as the trace bounds it: a handler may raise a message of megabytes.
        message, size = bounded_message(outcome.error_message or "")
        data["error"] = outcome.error_type
        data["error_message"] = message if outcome.error_message is not None else None
        verb = "timed out" if outcome.status == "timeout" else "failed"
        line = f"{fn.name} {verb} after {format_duration(duration)}: {outcome.error_type}"
        if message:
            line += f": {shown(message)}"
        if size is not None:
            data["error_message_bytes"] = size
            line += f" ({size:,} bytes in all)"
        # What Invoke answers: status 200, FunctionError `Unhandled` and the error object
        # (Lambda's own for a timeout, naming the request), its message bounded as above;
        # printed when the message is whole, which the line above has already cut.
        data["function_error"] = "Unhandled"
        data["response"] = fn.error_response(outcome, inv_id, message)
        line += f"\n{ident}"
        if size is None:
            line += f"\nresponse (FunctionError Unhandled): {format_value(data['response'])}"
        if call.args["payload"] is None and any(
            isinstance(t, ScheduleTrigger) for t in fn.model.events
        ):
            # `invoke` of a scheduled job is most often "run it now": the event its code
            # reads is the schedule's, which `fire` sends.
            line += (
                f"\nnote: invoke sent {{}} (no PAYLOAD); `fire {quote_word(fn.name)}` sends "
                "its schedule's event"
            )
    return CommandResult(f"{line}\n{now_line(sim, started)}", data=data)


def invoke_size_error(function: str, payload: Any, *, asynchronous: bool) -> CommandError | None:
    """Why Invoke refuses `payload` for its size (over 6 MB, or 1 MB with `asynchronous`),
    or None: what `invoke` checks before anything runs, and the TUI's invoke dialog as it
    is typed."""
    # Lambda counts the request's bytes; stptui counts the payload as compact JSON.
    size = payload_bytes(payload)
    if asynchronous and size > ASYNC_PAYLOAD_BYTES:
        return CommandError(
            request_too_large(size, ASYNC_PAYLOAD_BYTES),
            f"an asynchronous invoke takes at most {ASYNC_PAYLOAD_BYTES:,} bytes; "
            f"a synchronous one (invoke {quote_word(function)} without --async) "
            f"{SYNC_PAYLOAD_BYTES:,}",
        )
    if size > SYNC_PAYLOAD_BYTES:
        return CommandError(
            f"RequestEntityTooLargeException: the payload is {size:,} bytes; "
            f"a synchronous invoke takes at most {SYNC_PAYLOAD_BYTES:,}"
        )
    return None


def _invoke_async(session: Session, fn: FunctionSim, payload: Any) -> CommandResult:
    """`invoke --async`: the Invoke call with InvocationType Event. Lambda queues the event
    and answers 202; nothing runs until the clock does."""
    event_id = session.sim.invoke_async(fn.name, payload, "invoke", "command")
    return CommandResult(
        f"{fn.name}: queued event {event_id} (202): its attempts run as the clock moves",
        data={"function": fn.name, "event_id": event_id, "status_code": 202},
    )


@command(
    "redrive",
    "messages",
    "Move a queue's visible messages back to their source queue (or --to another).",
    args=(Arg("DLQ", DLQ, "a dead-letter queue (or any queue, with --to)"),),
    options=(Option("--to", QUEUE, "the queue to move the messages to", "QUEUE"),),
    examples=("redrive deadLetterQueue", "redrive deadLetterQueue --to jobQueue"),
    details=(
        "Like SQS's StartMessageMoveTask: messages get new ids in the target queue, and it "
        "prints each message's old id and its new one (`explain` either follows the message "
        "across); in-flight and delayed messages stay where they are. Without --to, the "
        "dead-letter queue of several queues sends each message back to the queue it "
        "dead-lettered from, as StartMessageMoveTask without a DestinationArn does."
    ),
    changes_state=True,
)
def cmd_redrive(session: Session, call: Call) -> CommandResult:
    """redrive DLQ [--to QUEUE]"""
    sim = session.sim
    src = queue_named(sim, call.args["dlq"])
    # Check every message against its target first, so that a message the target refuses
    # (too large, FIFO ids) stops the command before anything moves.
    pending = src.listing(limit=src.depth)
    visible = [m for m in pending if m.state_name == "visible"]
    target_of, default = _redrive_targets(sim, src, call.opts.get("to"), visible)
    for m in visible:
        target = target_of(m)
        group, dedup = (m.group or "redrive", m.id) if target.fifo else (None, None)
        try:
            target.validate_send(m.body, None, group, dedup, m.attrs)
        except ValueError as exc:
            raise CommandError(
                f"message {m.id} cannot move to {target.name}: {exc}",
                getattr(exc, "hint", None),
            ) from None
    moved = src.redrive_to(target_of)
    by_id = {m.id: m for m in visible}
    went = [target_of(by_id[old]).name for old, _ in moved]
    # The queues in the order the first message went to each; with nothing moved, where
    # messages would go.
    to = list(dict.fromkeys(went)) or default
    left = src.depth
    text = f"moved {len(moved)} message{'s' * (len(moved) != 1)} from {src.name} to {names(to)}"
    if left:
        why = "in flight or delayed" if not src.fifo else "in flight, delayed or group-blocked"
        text += f"; {left} more stay in {src.name} ({why})"
    # Each moved message's old and new id: what `explain` follows, either one telling the
    # message's whole story (the redrive links them).
    shown_moves = zip(moved[:REDRIVE_SHOWN], went, strict=False)
    if len(to) > 1:
        lines = [text, *(f"  {old} -> {new} ({queue})" for (old, new), queue in shown_moves)]
    else:
        lines = [text, *(f"  {old} -> {new}" for (old, new), _ in shown_moves)]
    if len(moved) > REDRIVE_SHOWN:
        lines.append(
            f"  ... and {len(moved) - REDRIVE_SHOWN:,} more (`show trace` has their "
            "message.redriven records)"
        )
    return CommandResult(
        "\n".join(lines),
        data={
            "from": src.name,
            "to": to[0] if len(to) == 1 else to,
            "moved": [
                {"message_id": a, "new_message_id": b, "to": queue}
                for (a, b), queue in zip(moved, went, strict=True)
            ],
        },
    )


def _redrive_targets(
    sim: Simulator, src: QueueSim, to: str | None, visible: list[Message]
) -> tuple[Callable[[Message], QueueSim], list[str]]:
    """Where `redrive` sends each message of `src`: `--to`'s queue, the one queue `src` is
    the dead-letter queue of, or, for the dead-letter queue of several, the queue each
    message dead-lettered from (StartMessageMoveTask without a DestinationArn); and the
    names of those queues, for a DLQ with nothing to move. A CommandError when a message
    has no such queue (it was sent to the DLQ directly): nothing has moved then."""
    if to is not None:
        target = queue_named(sim, to)
    elif len(src.sources) == 1:
        target = src.sources[0]
    elif not src.sources:
        hint = f"name the target: redrive {quote_word(src.name)} --to QUEUE"
        if src.dlq is not None:
            # `redrive orders` for orders' dead-letter queue: the queue named is the home.
            dlq = quote_word(src.dlq.name)
            hint = (
                f"the dead-letter queue of {quote_word(src.name)} is {dlq}, which redrive "
                f"moves back from: redrive {dlq}"
            )
        raise CommandError(
            f"{src.name} is not a dead-letter queue (no queue redrives into it)",
            hint,
            word=src.name,
        )
    else:
        by_arn = {q.arn: q for q in src.sources}
        homeless = [m for m in visible if m.dlq_source_arn not in by_arn]
        if homeless:
            raise CommandError(
                f"{len(homeless)} of the messages in {src.name} did not dead-letter from "
                f"{names(q.name for q in src.sources)} (message {homeless[0].id} was sent "
                "to it directly), so they have no source queue to go back to",
                f"name the target: redrive {quote_word(src.name)} --to "
                f"{quote_word(src.sources[0].name)}",
            )
        return (lambda m: by_arn[m.dlq_source_arn]), [q.name for q in src.sources]
    if target is src:
        raise CommandError(
            f"cannot redrive {src.name} into itself",
            f"name another queue: redrive {quote_word(src.name)} --to QUEUE",
        )
    return (lambda _: target), [target.name]


def _one_queue_to_purge(words: list[str]) -> None:
    """`purge jobQueue deadLetterQueue`: refused with one `purge` line per queue. Deleting
    is not undone, so the hint must not offer a line that purges only the first queue as if
    that were what was meant."""
    if len(words) < 2:
        return
    lines = [f"`purge {quote_word(w)}`" for w in words]
    raise CommandError(
        f"purge empties one queue, not {len(words)}",
        f"one purge per queue: {', '.join(lines[:-1])}, then {lines[-1]}",
    )


@command(
    "purge",
    "messages",
    "Delete every message in a queue (PurgeQueue).",
    args=(Arg("QUEUE", QUEUE, "a queue of the stack"),),
    details="SQS takes one purge of a queue every 60 s: another within 60 s of the last is "
    "refused with PurgeQueueInProgress.",
    examples=("purge deadLetterQueue",),
    changes_state=True,
    check_words=lambda words: _one_queue_to_purge(words),
)
def cmd_purge(session: Session, call: Call) -> CommandResult:
    """purge QUEUE"""
    q = queue_named(session.sim, call.args["queue"])
    try:
        n = q.purge()
    except SqsError as exc:
        raise SimError(str(exc), exc.hint) from None
    return CommandResult(
        f"purged {n} message{'s' * (n != 1)} from {q.name}", data={"queue": q.name, "count": n}
    )
