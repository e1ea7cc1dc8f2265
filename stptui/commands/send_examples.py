"""The bodies `send QUEUE` is offered: what each producer of the queue in the stack sends
it, made by the simulator's own builders, as `invoke FUNCTION` is offered the event each
trigger delivers (`stptui.commands.invoke_examples`). A queue's producers are: an
EventBridge rule of its own (`sqs-queue.events`), which delivers an event its pattern
matches after the rule's input, inputPath or inputTransformer (an S3 event for a rule on
the events a bucket sends the default bus); a rule whose `onDeliveryFailure` it is, which
sends the original event; an SNS subscription whose `onDeliveryFailure` it is, which
sends the notification as SNS sends an SQS endpoint; and a queue that redrives into it,
which moves what it was sent unchanged. Stacktape subscribes no queue to an SNS topic or
to a bucket's notifications. Not made: what a handler sends (its code decides), a Lambda
destination's or a stream mapping's failure record, a state machine's SendMessage.
Building one changes nothing: no id is drawn, nothing is traced, the clock stays.
No user-interface library here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.commands.invoke_examples import rule_event, sns_example_event
from stptui.jsontext import compact_json

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bus import BusRule
    from stptui.sim.services.topic import Subscription


def producer_bodies(sim: Simulator, queue: str) -> list[tuple[str, str]]:
    """(the body, the menu's help line) of what each producer of `queue` sends it: its
    rules, then the rules and subscriptions it is the dead-letter queue of, then, for a
    queue others redrive into, what those are sent; each body once. None for a name that
    is no queue, or a queue nothing in the stack sends to."""
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
