"""Commands for schedules, EventBridge buses and SNS topics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.commands.handlers.base import (
    as_number,
    broken_json_hint,
    command,
    json_error_at,
    json_fault,
    unquoted_json_check,
    whole_number,
)
from stptui.commands.registry import (
    BUS,
    COUNT,
    DETAIL_TYPE,
    EVENT_SOURCE,
    INSTANT,
    KEY_VALUE,
    MAPPING_SOURCE,
    PAUSABLE,
    PAYLOAD,
    SCHEDULED,
    TEXT,
    TOPIC,
    WORD,
    Arg,
    Call,
    CommandError,
    Option,
    format_line,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.config.model import DEFAULT_BUS
from stptui.sim import trace as tk
from stptui.sim.behavior import BehaviorError, format_duration, parse_duration
from stptui.sim.clock import MIN_MS, InstantRangeError, iso_ms, iso_s, parse_instant
from stptui.sim.engine import SimError
from stptui.sim.mappings import (
    find_mapping,
    mappings_of,
    refuse_pollerless,
    refuse_unknown_workload,
    set_disabled,
)
from stptui.sim.payloads import NumberText
from stptui.textsafe import json_text, quote_word, quoted

if TYPE_CHECKING:
    from stptui.sim.services.bus_archive import ReplayPlan

# -- schedules, event buses and SNS topics ---------------------------------------------------


# fire, pause and resume name a workload, or one schedule by its graph node id.
_SCHEDULED_ARG = Arg(
    "FUNCTION",
    SCHEDULED,
    "a function or batch job with a schedule trigger, or one schedule's node id as "
    "`stptui graph` and the TUI give it (schedule:dailyReport:1)",
)


def _index(text: str | None, what: str) -> int | None:
    return None if text is None else whole_number(text, what)


# The fields of an event as EventBridge writes it, and as a PutEvents entry spells them.
_EVENT_FIELDS = {
    "source": ("source", "Source"),
    "detail_type": ("detail-type", "DetailType"),
    "detail": ("detail", "Detail"),
    "resources": ("resources", "Resources"),
}


def _refuse_whole_event(words: list[str]) -> None:
    """A whole event pasted where SOURCE goes (`publish eventBus '{"source": ...}'`): refused
    with the `publish` line that sends it, split into SOURCE, DETAIL_TYPE and DETAIL_JSON."""
    if len(words) < 2 or not words[1].lstrip().startswith("{"):
        return
    try:
        event = jsontext.loads(words[1])
    except ValueError:
        return
    if not isinstance(event, dict):
        return
    found = {
        key: next((event[k] for k in spellings if k in event), None)
        for key, spellings in _EVENT_FIELDS.items()
    }
    source, detail_type = found["source"], found["detail_type"]
    values = [
        words[0],
        source if isinstance(source, str) and source else "SOURCE",
        detail_type if isinstance(detail_type, str) and detail_type else "DETAIL_TYPE",
    ]
    detail = found["detail"]
    if isinstance(detail, str):  # a PutEvents entry holds the detail as JSON text
        values.append(detail)
    elif detail is not None:
        values.append(json_text(detail))
    resources = found["resources"]
    options = []
    if isinstance(resources, list) and resources and all(isinstance(r, str) for r in resources):
        options.append(("--resources", ",".join(resources)))
    raise CommandError(
        "publish takes the event's source, detail-type and detail as separate words, "
        "not a whole event",
        f"split it: {format_line('publish', values, options)}",
        word=words[1],
        word_index=2,
    )


@command(
    "publish",
    "messages",
    "Put an event on an EventBridge bus (PutEvents) and route it through the bus's rules.",
    args=(
        Arg("BUS", BUS, "an event bus of the stack, or `default` for the account's"),
        Arg("SOURCE", EVENT_SOURCE, "the event's source, e.g. orders"),
        Arg("DETAIL_TYPE", DETAIL_TYPE, "the event's detail-type, e.g. OrderCreated"),
        Arg("DETAIL_JSON", PAYLOAD, "the detail: a JSON object (default {})", optional=True),
    ),
    options=(Option("--resources", WORD, "ARNs the event concerns, comma-separated", "ARN,..."),),
    examples=(
        "publish eventBus orders OrderCreated '{\"orderId\": 42}'",
        "publish default my.app Ping",
        "publish eventBus orders OrderShipped '{}' --resources arn:aws:s3:::b/k",
        "publish eventBus orders OrderCreated --from docs/examples/order.json",
    ),
    check_words=lambda words: _refuse_whole_event(words),
    details=(
        "Each rule on the bus reports a match or, when it does not match, which part of "
        "its pattern failed and why. Matched functions are invoked asynchronously, "
        "matched queues get the event as a message; a delivery that fails goes to the "
        "rule's onDeliveryFailure queue. BUS is the bus's resource name, its AWS name or its "
        "ARN, as PutEvents takes them; `default` is the account's default bus, unless the "
        "stack has a bus named `default` (in AWS `STACK-default`, another bus): then "
        "`default` is that bus, and the account's is named by its ARN "
        "(arn:aws:events:REGION:ACCOUNT:event-bus/default)."
    ),
    changes_state=True,
    body_file="DETAIL_JSON",
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
        message, hint = str(exc), exc.hint
        code = message.partition(": ")[0]
        # PutEvents answers an invalid entry in its response (FailedEntryCount, the entry's
        # ErrorCode and ErrorMessage), but an entry over the size limit fails the request.
        if code == "ValidationException":
            message = f"PutEvents refused the whole request: {message}"
        elif code.isidentifier():
            message = f"PutEvents put nothing: its entry failed (FailedEntryCount 1) with {message}"
        # Only a refused detail is explained by its JSON: a wrong bus or source is refused
        # before the detail is read.
        fault = None if detail is None or code != "MalformedDetail" else json_fault(detail)
        word, within = exc.word, 0
        if fault is not None:
            message = f"{message} The detail is not JSON: {fault[0]}"
            hint = broken_json_hint(detail, call.line)
            word, within = detail, fault[1]
        raise CommandError(message, hint, word=word, within=within) from None
    recs = list(sim.trace.since(before))
    bus = next(r.resource for r in recs if r.kind == tk.EVENT_PUBLISHED)
    matched = [r.get("target") for r in recs if r.kind == tk.EVENT_MATCHED]
    unmatched = [r for r in recs if r.kind == tk.EVENT_UNMATCHED]
    failed = [r for r in recs if r.kind == tk.EVENT_DELIVERY_FAILED]
    n = len(matched) + len(unmatched)
    where = bus
    buses = sim.services["buses"]
    if bus == DEFAULT_BUS and not buses.buses[bus].account_default:
        # The one name that means another bus in AWS: say which this is.
        where = f"{bus} (the stack's bus {buses.buses[bus].name}, not the account's default bus)"
    lines = [f"published event {event_id} on {where}: {len(matched)} of {n} rules matched"]
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


def sns_attributes(pairs: list[str]) -> dict[str, Any]:
    """`--attr K=V` as plain values: numbers (NumberText), JSON arrays (String.Array) or
    strings; CommandError for a pair without a name or `=`, a name given twice, or a value
    that starts a JSON array and is none (the TUI's SNS dialog reads its lines with it)."""
    attrs: dict[str, Any] = {}
    for pair in pairs:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise CommandError(
                f"--attr needs NAME=VALUE, not {pair!r}", "e.g. --attr kind=order", word=pair
            )
        if key in attrs:
            raise CommandError(f"--attr {key} given twice", "give each attribute once")
        if as_number(value) is not None:
            attrs[key] = NumberText(value)  # SNS delivers the text as the publisher wrote it
        elif value.startswith("["):
            try:
                attrs[key] = jsontext.loads(value)
            except ValueError as exc:
                raise CommandError(
                    f"--attr {key}: {value!r} is not a JSON array",
                    'a String.Array attribute is a JSON array: --attr tags=\'["a","b"]\'',
                    word=pair,
                    within=len(key) + 1 + json_error_at(exc),
                ) from None
        else:
            attrs[key] = value
    return attrs


_check_publish_sns = unquoted_json_check("message", "the message")


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
            "a message attribute: a number is a Number, a JSON array a String.Array (a Lambda "
            "subscriber receives both as String)",
            "K=V",
            repeat=True,
        ),
        Option("--subject", TEXT, "the message subject", "S"),
        Option(
            "--group",
            WORD,
            "message group id (required on FIFO topics; standard topics pass it to SQS only)",
            "G",
        ),
        Option("--dedup-id", WORD, "deduplication id (FIFO topics only)", "ID"),
        Option(
            "--message-structure",
            WORD,
            'json: MESSAGE is a JSON object of one message per protocol, with a "default" '
            'one; every subscriber here is a Lambda subscription, which gets its "lambda" '
            'string, else its "default"',
            "json",
            choices=("json",),
        ),
    ),
    examples=(
        "publish-sns alerts 'disk full' --attr severity=high",
        "publish-sns alerts '{\"id\": 7}' --attr amount=120 --attr tags='[\"vip\"]'",
        "publish-sns alerts 'nightly report' --subject Report",
        'publish-sns alerts \'{"default": "disk full", "lambda": "disk full on db-1"}\' '
        "--message-structure json",
    ),
    check_call=_check_publish_sns,
    changes_state=True,
    body_file="MESSAGE",
)
def cmd_publish_sns(session: Session, call: Call) -> CommandResult:
    """publish-sns TOPIC MESSAGE [--attr K=V ...] [--subject S] [--group G] [--dedup-id ID]
    [--message-structure json]"""
    sim = session.sim
    _check_publish_sns(sim, call)
    attrs = sns_attributes(call.opts.get("attr", []))
    before = sim.trace.seq
    try:
        answer = sim.services["topics"].publish_message(
            call.args["topic"],
            call.args["message"],
            subject=call.opts.get("subject"),
            attributes=attrs,
            group=call.opts.get("group"),
            dedup_id=call.opts.get("dedup_id"),
            structure=call.opts.get("message_structure"),
        )
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    mid, number = answer.message_id, answer.sequence_number
    recs = list(sim.trace.since(before))
    # A FIFO topic's answer has the message's sequence number, as Publish's does.
    numbered = "" if number is None else f" (sequence number {number})"
    if answer.duplicate:
        (dup,) = (r for r in recs if r.kind == tk.TOPIC_DEDUPLICATED)
        return CommandResult(
            f"{dup.resource}: duplicate of message {mid}{numbered}, deduplicated within "
            "5 minutes: not delivered again",
            data={
                "message_id": mid,
                "topic": dup.resource,
                "sequence_number": number,
                "deduplicated": True,
            },
        )
    topic = next(r.resource for r in recs if r.kind == tk.TOPIC_PUBLISHED)
    delivered = [r.get("target") for r in recs if r.kind == tk.NOTIFICATION_DELIVERED]
    filtered = [r for r in recs if r.kind == tk.NOTIFICATION_FILTERED]
    failed = [r.get("target") for r in recs if r.kind == tk.NOTIFICATION_DELIVERY_FAILED]
    lines = [f"published message {mid}{numbered} to {topic}: delivered to {len(delivered)}"]
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
            "sequence_number": number,
            "deduplicated": False,
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
        _SCHEDULED_ARG,
        Arg("INDEX", COUNT, "which schedule, when it has several (1, 2, ...)", optional=True),
    ),
    examples=("fire dailyReport", "fire cleanup 2", "fire schedule:cleanup:2"),
    details=(
        "The Scheduled Event (or the trigger's configured input) is delivered "
        "asynchronously; the schedule's own timer is not changed."
    ),
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


# pause and resume also take a workload with only event source mappings (`--trigger`), and
# a container workload whose code polls queues (its pollers).
_PAUSABLE_ARG = Arg(
    "FUNCTION",
    PAUSABLE,
    "a function or batch job with a schedule trigger (or, with --trigger, an event source "
    "mapping), one schedule's node id as `stptui graph` and the TUI give it "
    "(schedule:dailyReport:1), or a container workload whose behaviour polls queues",
)


def _trigger_option(verb: str, pollers: str) -> Option:
    return Option(
        "--trigger",
        MAPPING_SOURCE,
        f"{verb} the event source mapping that reads this queue, stream, table or Kafka "
        "topic (as `show function` lists it) instead of the schedules; for a container "
        f"workload, {pollers} only its pollers of this queue",
        "SOURCE",
    )


def check_pause_resume(sim: Any, call: Call) -> None:
    """The refusals of a `pause` or `resume` line of a misspelt workload, of a container
    workload, or with `--trigger`, that read only the line and the stack, in the command's
    order and words: its `check_call`, so that the REPL's check before Enter says what the
    command says (the workload is looked up as a mapping's, not as a schedule's owner)."""
    verb = call.command.name
    index = _index(call.args.get("index"), f"{verb} INDEX")
    workload = call.args["function"]
    source = call.opts.get("trigger")
    try:
        refuse_unknown_workload(sim, workload, verb)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint, word=exc.word) from None
    if workload in sim.services["containers"].workloads:
        try:
            refuse_pollerless(sim, workload, verb)
            refs = (
                [find_mapping(sim, workload, source, verb)]
                if source is not None
                else mappings_of(sim, workload)
            )
        except SimError as exc:
            raise CommandError(str(exc), exc.hint, word=exc.word) from None
        if index is not None:
            raise CommandError(
                f"{workload} has no schedule: {verb} INDEX numbers a function's schedules",
                f"{verb} {quote_word(workload)} takes its pollers of every queue; "
                f"{verb} {quote_word(workload)} --trigger {quote_word(refs[0].source)} "
                "one queue's",
            )
        return
    if source is None:
        return
    if index is not None or sim.services["schedules"].split_id(workload)[1] is not None:
        raise CommandError(
            f"{verb} --trigger names a workload's event source mapping, not a schedule",
            f"{verb} FUNCTION --trigger SOURCE, or {verb} FUNCTION [INDEX] for its schedules",
        )
    if workload not in sim.functions and workload not in sim.services["batch"].jobs:
        raise CommandError(
            f"no function, batch job or container workload named {workload}",
            "`show functions` lists the functions; `show jobs` the batch jobs; "
            "`show containers` the container workloads",
            word=workload,
        )
    try:
        find_mapping(sim, workload, source, verb)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint, word=exc.word) from None


def _pause_resume(session: Session, call: Call, paused: bool) -> CommandResult:
    sim = session.sim
    verb = "pause" if paused else "resume"
    check_pause_resume(sim, call)
    index = _index(call.args["index"], f"{verb} INDEX")
    word = call.args["function"]
    source = call.opts.get("trigger")
    if word in sim.services["containers"].workloads:
        return _pause_resume_pollers(session, word, source, paused)
    if source is not None:
        return _pause_resume_mapping(session, word, source, paused)
    schedules = sim.services["schedules"]
    try:
        if index is None and schedules.split_id(word)[1] is None:
            if word not in schedules.by_owner and mappings_of(sim, word):
                mine = mappings_of(sim, word)
                raise CommandError(
                    f"{word} has no schedule: {verb} {word} alone {verb}s schedules",
                    f"its event source mappings read {', '.join(m.source for m in mine)}: "
                    f"{verb} {word} --trigger {mine[0].source}",
                    word=word,
                )
            rules = schedules.owner_rules(word)
        else:
            rules = [schedules.rule(word, index, verb)]
            index = rules[0].number
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


def _pause_resume_mapping(
    session: Session, workload: str, source: str, paused: bool
) -> CommandResult:
    """`pause W --trigger SOURCE`: disable (or enable) W's event source mapping from SOURCE
    (the line checked: `check_pause_resume`)."""
    sim = session.sim
    ref = find_mapping(sim, workload, source, "pause" if paused else "resume")
    changed = set_disabled(sim, ref, paused)
    state = "disabled" if paused else "enabled"
    text = f"{ref.workload}'s {ref.trigger} mapping from {ref.source}: "
    text += state if changed else f"already {state}"
    if paused and changed:
        text += " (no new batch is read; one being processed finishes)"
    return CommandResult(
        text,
        data={
            "workload": ref.workload,
            "source": ref.source,
            "trigger": ref.trigger,
            "enabled": not paused,
            "changed": changed,
        },
    )


def _pause_resume_pollers(
    session: Session, workload: str, queue: str | None, paused: bool
) -> CommandResult:
    """`pause W [--trigger QUEUE]` of a container workload: stop (or start again) its
    pollers of every queue it polls, or of QUEUE (the line checked: `check_pause_resume`)."""
    sim = session.sim
    verb = "pause" if paused else "resume"
    refs = (
        [find_mapping(sim, workload, queue, verb)]
        if queue is not None
        else mappings_of(sim, workload)
    )
    lines, data = [], []
    for ref in refs:
        changed = set_disabled(sim, ref, paused)
        state = "stopped" if paused else "started"
        text = f"{ref.workload}'s pollers of {ref.source}: "
        text += state if changed else f"already {state}"
        if paused and changed:
            stop = format_duration(min(p.stop_ms for p in ref.esm.polls))
            text += (
                " (no new receive; a message being processed finishes if it can within "
                f"the container's stopTimeout, {stop}, and is killed then)"
            )
        lines.append(text)
        data.append(
            {
                "workload": ref.workload,
                "source": ref.source,
                "trigger": ref.trigger,
                "enabled": not paused,
                "changed": changed,
            }
        )
    return CommandResult("\n".join(lines), data=data[0] if queue is not None else data)


@command(
    "pause",
    "behaviour",
    "Pause a workload's schedules (or one of them), or with --trigger disable one of its "
    "event source mappings, or stop a container workload's pollers: they stop until "
    "resumed.",
    args=(
        _PAUSABLE_ARG,
        Arg("INDEX", COUNT, "only this schedule (1, 2, ...)", optional=True),
    ),
    options=(_trigger_option("disable", "stop"),),
    examples=("pause dailyReport", "pause worker --trigger jobQueue", "pause resizer"),
    check_call=check_pause_resume,
    details=(
        "With --trigger the mapping is disabled (UpdateEventSourceMapping Enabled: false) "
        "at this instant: its pollers read no new batch, a batch being processed finishes "
        "and is deleted or returned as usual; messages wait in the queue (their retention "
        "still runs), a stream's records wait past the mapping's kept position (until the "
        "stream's retention expires them). The schedules are not touched, nor the other "
        "mappings. A container workload whose code polls queues (a worker-service's `poll` "
        "items) is stopped as ECS stops its tasks: its pollers receive nothing more; one "
        "processing a message finishes it if it can before the container's stopTimeout "
        "(Stacktape's default 2 s) ends, and is killed then (SIGKILL: the message is not "
        "deleted); the messages they hold return when their visibility timeout ends."
    ),
    changes_state=True,
)
def cmd_pause(session: Session, call: Call) -> CommandResult:
    """pause FUNCTION [INDEX] [--trigger SOURCE]"""
    return _pause_resume(session, call, True)


@command(
    "resume",
    "behaviour",
    "Resume paused schedules (they fire at their next due time), or with --trigger enable "
    "an event source mapping again, or start a container workload's pollers again.",
    args=(
        _PAUSABLE_ARG,
        Arg("INDEX", COUNT, "only this schedule (1, 2, ...)", optional=True),
    ),
    options=(_trigger_option("enable", "start"),),
    examples=("resume dailyReport", "resume worker --trigger jobQueue", "resume resizer"),
    check_call=check_pause_resume,
    details=(
        "A resumed rate() keeps its phase: it fires at the next start + k x period. A "
        "mapping enabled again polls at once (a stream's at its next poll), from where it "
        "stopped: the backlog that waited is read at the mapping's usual pace. A container "
        "workload's pollers started again receive at once, as many as its `poll` items run."
    ),
    changes_state=True,
)
def cmd_resume(session: Session, call: Call) -> CommandResult:
    """resume FUNCTION [INDEX] [--trigger SOURCE]"""
    return _pause_resume(session, call, False)


# -- archives and replays ---------------------------------------------------------------------


def replay_instant(sim: Any, text: str, what: str) -> int:
    """A replay's --from or --to: an ISO-8601 instant, `now`, or `-DURATION` (that long
    before now, as `advance` reads a duration); a CommandError for anything else."""
    now = sim.clock.now
    if text == "now":
        return now
    if text.startswith("-"):
        try:
            ago = parse_duration(text[1:])
        except BehaviorError as exc:
            raise CommandError(
                f"{what}: {exc}", "e.g. -2h is two hours before now", word=text
            ) from None
        return max(MIN_MS, now - ago)
    try:
        return parse_instant(text)
    except InstantRangeError as exc:
        raise CommandError(f"{what}: {exc}", "e.g. 2026-01-05T08:00:00Z", word=text) from None
    except ValueError:
        raise CommandError(
            f"{what}: {quoted(text)} is not an instant",
            "an ISO-8601 instant (2026-01-05T08:00:00Z), `now`, or how long before now (-2h)",
            word=text,
        ) from None


def _replay_service(sim: Any) -> Any:
    """The simulation's replays, or the refusal of a stack that archives no bus."""
    service = sim.services["buses"].replays
    if service is None:
        raise CommandError(
            "no event bus of this stack has an archive, so there is nothing to replay",
            "give a bus `archivation: {enabled: true}` in stacktape.yml",
        )
    return service


@command(
    "replay",
    "messages",
    "Replay a bus's archived events from a time window to its rules (StartReplay).",
    args=(Arg("BUS", BUS, "an event bus of the stack with `archivation` enabled"),),
    options=(
        Option("--from", INSTANT, "the window's start (inclusive): ISO-8601, now or -2h", "T"),
        Option("--to", INSTANT, "the window's end (exclusive): ISO-8601, now or -2h", "T"),
        Option("--rules", WORD, "only these rules (names or ARNs), comma-separated", "R,..."),
        Option("--name", WORD, "the replay's name (default BUS-replay-N)", "N"),
    ),
    examples=(
        "replay orderEvents --from -1h --to now",
        "replay orderEvents --from 2026-01-05T07:00:00Z --to 2026-01-05T08:00:00Z --name fix-1",
    ),
    details=(
        "An event reaches the archive 10 minutes after the bus received it. The replay takes "
        "the archived events whose time lies in the window and replays one minute of them a "
        "second, oldest minute first, starting a second from now: each is a new event with "
        "the original's time and a `replay-name` field, matched against the rules' patterns "
        "and never archived again. `show replays` gives its state; `cancel-replay` stops it."
    ),
    changes_state=True,
)
def cmd_replay(session: Session, call: Call) -> CommandResult:
    """replay BUS --from T --to T [--rules R,...] [--name N]"""
    sim = session.sim
    plan = check_replay(sim, call.args["bus"], call.opts)
    replay = sim.services["buses"].replays.begin(plan)
    return CommandResult("\n".join(replay_lines(plan, sim.clock.now)), data=replay.describe())


def check_replay(sim: Any, bus: str, opts: Mapping[str, str]) -> ReplayPlan:
    """What `replay BUS` with options `opts` (`from`, `to`, `rules`, `name`, as the command
    reads them) would start now, or the CommandError it would answer; changes nothing.
    The command makes this check, and the replay dialog makes it as the request is typed."""
    service = _replay_service(sim)
    missing = [o for o in ("from", "to") if o not in opts]
    if missing:
        raise CommandError(
            f"replay needs --{' and --'.join(missing)}",
            f"e.g. replay {quote_word(bus)} --from -1h --to now",
        )
    start = replay_instant(sim, opts["from"], "--from")
    end = replay_instant(sim, opts["to"], "--to")
    words = None
    if "rules" in opts:
        words = list(dict.fromkeys(w for w in opts["rules"].split(",") if w))
        if not words:
            raise CommandError("--rules names no rule", "e.g. --rules RULE_NAME,RULE_NAME")
    try:
        return service.check_start(bus, start, end, words, opts.get("name"))
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def replay_lines(plan: ReplayPlan, now: int) -> list[str]:
    """What `replay` answers when it starts `plan` at `now` (STARTING): the events of the
    window and the rules, when its minutes are replayed, and the events of the window
    still on their way to the archive."""
    from stptui.sim.services.bus_archive import BATCH_INTERVAL_MS

    archive = plan.archive
    rule_count = len(plan.rules if plan.rules is not None else archive.bus.rules)
    rules = "every rule" if plan.rules is None else ", ".join(r.name for r in plan.rules)
    total = len(plan.events)
    lines = [
        f"replay {plan.name} STARTING on {archive.bus.key} (archive {archive.name}): "
        f"{total} event{'s' * (total != 1)} from {iso_s(plan.start_ms)} to "
        f"{iso_s(plan.end_ms)}, to {rules} ({rule_count})"
    ]
    minutes = len(plan.batches())
    if minutes:
        first = now + BATCH_INTERVAL_MS
        lines.append(
            f"  {minutes} minute{'s' * (minutes != 1)} of events, one a second from "
            f"{iso_ms(first)}; done at {iso_ms(first + (minutes - 1) * BATCH_INTERVAL_MS)}"
        )
    arriving = plan.arriving()
    if arriving:
        lines.append(
            f"  {arriving} more event{'s' * (arriving != 1)} of the window will not be "
            "replayed: EventBridge archives an event 10 minutes after it arrives, and "
            f"{'it has' if arriving == 1 else 'they have'} not arrived yet"
        )
    return lines


@command(
    "cancel-replay",
    "messages",
    "Cancel a STARTING or RUNNING replay (CancelReplay); events already replayed stay.",
    args=(Arg("NAME", WORD, "the replay's name (`show replays` lists them)"),),
    examples=("cancel-replay fix-1",),
    details=(
        "The replay is CANCELLING until its next minute of events would have been "
        "replayed, and CANCELLED then: nothing more is replayed."
    ),
    changes_state=True,
)
def cmd_cancel_replay(session: Session, call: Call) -> CommandResult:
    """cancel-replay NAME"""
    service = _replay_service(session.sim)
    try:
        replay = service.cancel(call.args["name"])
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    info = replay.describe()
    return CommandResult(
        f"replay {replay.name} CANCELLING: {replay.replayed} of {replay.total} events replayed; "
        "nothing more will be",
        data=info,
    )
