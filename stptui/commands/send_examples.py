"""The bodies `send QUEUE` is offered: what each producer of the queue in the stack sends
it, made by the simulator's own builders, as `invoke FUNCTION` is offered the event each
trigger delivers (`stptui.commands.invoke_examples`). A queue's producers are: an
EventBridge rule of its own (`sqs-queue.events`), which delivers an event its pattern
matches after the rule's input, inputPath or inputTransformer (an S3 event for a rule on
the events a bucket sends the default bus); a rule whose `onDeliveryFailure` it is, which
sends the original event; an SNS subscription whose `onDeliveryFailure` it is, which
sends the notification as SNS sends an SQS endpoint; a function whose
`destinations.onSuccess` or `onFailure` it is, which sends Lambda's invocation record of
the event its first asynchronous trigger delivers (`{}` without one); a Kinesis or
DynamoDB stream mapping whose `onFailure` it is, which sends the record of a batch of one
record that used up its retries; a state machine's `sqs:sendMessage` Task naming it, whose
MessageBody is known without running the machine (`asl_examples.sqs_messages`); and a
queue that redrives into it, which moves what it was sent unchanged. Stacktape subscribes
no queue to an SNS topic or to a bucket's notifications, and a Kafka mapping has no
on-failure destination. Not made: what a handler sends (its code decides). Building one
changes nothing: no id is drawn, nothing is traced, the clock stays.
No user-interface library here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from stptui.commands.invoke_examples import rule_event, sns_example_event
from stptui.jsontext import compact_json

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bus import BusRule
    from stptui.sim.services.topic import Subscription


def producer_bodies(sim: Simulator, queue: str) -> list[tuple[str, str]]:
    """(the body, the menu's help line) of what each producer of `queue` sends it: its
    rules, then the rules and subscriptions it is the dead-letter queue of, the functions
    and stream mappings it is a destination of, the state machines' tasks that send it,
    then, for a queue others redrive into, what those are sent; each body once. Empty for a
    name that is no queue, or a queue nothing in the stack sends to."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for body, about in _bodies(sim, queue, {queue}):
        if body not in seen:
            seen.add(body)
            out.append((body, about))
    return out


def _bodies(sim: Simulator, queue: str, visited: set[str]) -> list[tuple[str, str]]:
    """The bodies of `queue`'s producers; `visited`: the queues already read (a redrive
    loop reads each once)."""
    found = sim.queues.get(queue)
    if found is None:
        return []
    out: list[tuple[str, str]] = []
    rules = [r for bus in sim.services["buses"].buses.values() for r in bus.rules]
    for rule in rules:
        if rule.owner == queue:
            made = _delivered(sim, rule)
            if made is not None:
                out.append(made)
    for rule in rules:
        if rule.dlq is not None and rule.dlq.target == queue:
            event = rule_event(sim, rule)
            if event is not None and rule.example_event(event) is not None:
                out.append(
                    (
                        compact_json(event),
                        f"what rule {rule.name} on bus {rule.bus.key} sends here when it "
                        f"cannot deliver to {rule.owner}",
                    )
                )
    for topic in sim.services["topics"].topics.values():
        for sub in topic.subscriptions:
            if sub.dlq is not None and sub.dlq.target == queue:
                body = _undelivered_notification(sim, sub)
                if body is not None:
                    out.append(
                        (
                            body,
                            f"what topic {topic.key} sends here when it cannot deliver to "
                            f"{sub.owner}",
                        )
                    )
    if not found.fifo:
        # A FIFO queue refuses what these send (no message group): they reach it never.
        out += _destination_records(sim, queue)
        out += _stream_failure_records(sim, queue)
    out += _machine_messages(sim, queue)
    for source in found.sources:
        if source.name in visited:
            continue
        visited.add(source.name)
        receives = source.max_receive_count
        for body, about in _bodies(sim, source.name, visited):
            out.append((body, f"{about}, moved here by {source.name} after {receives} receives"))
    return out


def _delivered(sim: Simulator, rule: BusRule) -> tuple[str, str] | None:
    """The body `rule` delivers its queue for an event its pattern matches: the event as
    JSON, or the text its input makes of it."""
    event = rule_event(sim, rule)
    delivered = rule.example_event(event) if event is not None else None
    if event is None or delivered is None:
        return None
    body = delivered if isinstance(delivered, str) else compact_json(delivered)
    about = f"what rule {rule.name} on bus {rule.bus.key} delivers"
    return body, f"{about} ({event['source']}, {event['detail-type']})"


def _undelivered_notification(sim: Simulator, sub: Subscription) -> str | None:
    """What the dead-letter queue of `sub` receives of a message its filter policy lets
    through (its attributes made from the values the policy names), or None."""
    from stptui.commands.examples import SNS_MESSAGE
    from stptui.sim.services.topic import dlq_body

    made = sns_example_event(sim, sub, SNS_MESSAGE)
    if made is None:
        return None
    event, attrs = made
    return dlq_body(event["Records"][0]["Sns"], attrs)


def _destination_records(sim: Simulator, queue: str) -> list[tuple[str, str]]:
    """The invocation records the functions whose `destinations.onSuccess` or `onFailure`
    is `queue` send it, for the event of their first asynchronous trigger (`{}`, as an
    `invoke --async` sends, when they have none)."""
    from stptui.commands.invoke_examples import EXAMPLE_ID, async_payload

    out: list[tuple[str, str]] = []
    for fn in sim.functions.values():
        model = fn.model
        for which, ref in (("onSuccess", model.on_success), ("onFailure", model.on_failure)):
            if ref is None or ref.target != queue:
                continue
            payload, about = async_payload(sim, fn.name) or ({}, "invoke --async of {}")
            record = sim.async_invokers[fn.name].example_record(which, payload, EXAMPLE_ID)
            # The text the simulator sends (engine.deliver_destination), not compact_json's.
            out.append(
                (
                    json.dumps(record, separators=(",", ":")),
                    f"what {_whose(fn.name)} {which} destination sends here ({about})",
                )
            )
    return out


def _stream_failure_records(sim: Simulator, queue: str) -> list[tuple[str, str]]:
    """The records the Kinesis and DynamoDB stream mappings whose `onFailure` is `queue`
    send it for a batch of one record that used up its retries (none from a mapping that
    retries until its records expire). Kafka mappings have no on-failure destination."""
    from stptui.commands.examples import STREAM_DATA
    from stptui.commands.invoke_examples import EXAMPLE_ID, example_keys
    from stptui.sim.services.stream import DEFAULT_PARTITION_KEY

    tables = [t for t in sim.services.get("tables", {}).values() if t.stream is not None]
    out: list[tuple[str, str]] = []
    for source in [*sim.services.get("streams", {}).values(), *(t.stream for t in tables)]:
        consumers = [c for c in source.consumers if c.failure_target == queue]
        if not consumers:
            continue
        if source.trigger == "kinesis":
            record = source.example_record(STREAM_DATA.encode(), DEFAULT_PARTITION_KEY)
        else:
            keys = example_keys(next(t for t in tables if t.stream is source))
            record = source.example_record(keys, keys, EXAMPLE_ID)
        for consumer in consumers:
            made = consumer.example_failure_record(record, EXAMPLE_ID)
            if made is None:
                continue
            attempts = made["requestContext"]["approximateInvokeCount"]
            tried = f"{attempts} failed attempt{'s' if attempts != 1 else ''}"
            out.append(
                (
                    json.dumps(made, separators=(",", ":")),
                    f"what {_whose(consumer.target)} mapping of {source.name} sends here "
                    f"after {tried}",
                )
            )
    return out


def _machine_messages(sim: Simulator, queue: str) -> list[tuple[str, str]]:
    """The bodies the `sqs:sendMessage` tasks of state machines send `queue`, where they
    are known without running the machine (`asl_examples.sqs_messages`)."""
    machines = sim.services.get("state_machines", {})
    if not machines:
        return []
    # Imported here: they load the JSONPath reader, which a start without a state machine
    # does without (tests/test_startup_imports.py).
    from stptui.commands.invoke_examples import EXAMPLE_ID
    from stptui.sim.asl_examples import sqs_messages
    from stptui.sim.asl_integrations import SQS_SEND, TARGETS, known_targets, target_name

    kind = TARGETS[SQS_SEND]
    known = known_targets(sim, kind)
    out: list[tuple[str, str]] = []
    for machine in machines.values():
        for state, url, body in sqs_messages(machine.definition, EXAMPLE_ID):
            if target_name(url, kind, known) == queue:
                out.append((body, f"what state {state} of {machine.name} sends here"))
    return out


def _whose(name: str) -> str:
    """`name` as the owner in a help line: `payments'`, `worker's`."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"
