"""The targets a Python handler's `context` methods take, named as real code names them.

A handler written for Lambda reads its targets from the environment Stacktape gives it
(`os.environ["STP_JOB_QUEUE_URL"]`, stptui.sim.behavior.handler_env) and passes them to the
SDK: a queue's URL, a topic's ARN, a table's name. `resolve_target` takes any of those, or
stptui's own name of the resource (`jobQueue`), and gives stptui's name, which the
permissions, the emission and the trace use; an identifier the stack does not have raises
BehaviorError naming what was given and what the stack has. Every `context` method that
names a target goes through it, writes and reads alike.

The forms per type (the values `$ResourceParam` and the STP_* variables hold, so what the
environment gives is always accepted):

- a queue: its URL, ARN or AWS name (GetQueueUrl's QueueName);
- a topic, a table, a bucket, a Kinesis stream: its ARN or AWS name;
- a bus: its ARN or AWS name (PutEvents' EventBusName takes either); the account's default
  bus as `default` or by its ARN;
- a function: its AWS name, ARN or partial ARN (`ACCOUNT:function:NAME`), each also with
  `:$LATEST` (Invoke's FunctionName);
- a state machine: its ARN (StartExecution's stateMachineArn); a batch job's StartExecution
  (a `startExecution` of the job) by its state machine's ARN (`STP_{JOB}_STATE_MACHINE_ARN`);
- a WebSocket API: its API id, management endpoint (`https://.../default`, what an
  ApiGatewayManagementApi client is made with) or client URL (`wss://.../default`).

A Kafka topic is named as `show kafka-topics` names it; an Upstash topic (the legacy
`upstash-kafka-topic`) also by the topic name its `STP_*_TOPIC_NAME` holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.aws_names import event_bus_name
from stptui.config.diagnostics import did_you_mean
from stptui.config.directives import DirectiveContext, fake_resource_param, stack_context
from stptui.config.model import EventBus, Stack
from stptui.config.permissions import ALSO_TARGET_TYPES, EMISSION_TARGET_TYPES
from stptui.sim.behavior.errors import BehaviorError, shown
from stptui.textsafe import quoted

if TYPE_CHECKING:
    from stptui.sim.behavior.runtime import Behaviors

# The `$ResourceParam` parameters that name a resource of each type, as SDK calls take them.
_PARAMS: dict[str, tuple[str, ...]] = {
    "sqs-queue": ("url", "arn", "name"),
    "sns-topic": ("arn", "name"),
    "event-bus": ("arn",),
    "bucket": ("name", "arn"),
    "dynamo-db-table": ("name", "arn"),
    "function": ("name", "arn"),
    "kinesis-stream": ("name", "arn"),
    "state-machine": ("arn",),
    "batch-job": ("stateMachineArn",),
    "websocket-api-gateway": ("apiId", "managementEndpoint", "url"),
    "upstash-kafka-topic": ("topicName",),
}
# The legacy type whose topics `produce` takes by the name their STP_* variable holds.
UPSTASH_TOPIC = "upstash-kafka-topic"
# How many of the stack's resources an error lists.
_LISTED = 5


class TargetForms:
    """The identifiers of the stack's resources, by type, made the first time a handler
    names a resource of that type by something other than its stptui name."""

    __slots__ = ("_ctx", "_forms", "stack")

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._ctx: DirectiveContext | None = None
        # type -> identifier -> stptui name
        self._forms: dict[str, dict[str, str]] = {}

    def of_type(self, rtype: str) -> dict[str, str]:
        """Every identifier that names a resource of `rtype`, mapped to its stptui name."""
        forms = self._forms.get(rtype)
        if forms is None:
            forms = self._forms[rtype] = self._make(rtype)
        return forms

    def identifiers(self, name: str) -> dict[str, str]:
        """The AWS identifiers of the resource `name` as its `$ResourceParam` values give
        them to a handler's environment (a queue's `url`, `arn` and `name`, a function's
        `name` and `arn` ...), by parameter; empty for a type handlers name no other way.
        The views that show a resource's AWS name take it from here, so what they show is
        what a handler's SDK call may name it by."""
        res = self.stack.resources.get(name)
        if res is None or res.type not in _PARAMS:
            return {}
        if self._ctx is None:
            self._ctx = stack_context(self.stack)
        return {p: fake_resource_param(self._ctx, name, p, res.type) for p in _PARAMS[res.type]}

    def _make(self, rtype: str) -> dict[str, str]:
        forms: dict[str, str] = {}
        stack = self.stack
        for name, res in stack.resources.items():
            if res.type != rtype:
                continue
            values = list(self.identifiers(name).values())
            if isinstance(res, EventBus):
                # PutEvents' EventBusName takes the bus's name as well as its ARN.
                values.append(res.event_source_name or event_bus_name(stack.stack_name, name))
            elif rtype == "function":
                arn = values[1]
                partial = arn.split(":", 4)[4]  # ACCOUNT:function:NAME
                values += [partial] + [f"{v}:$LATEST" for v in (*values, partial)]
            for value in values:
                forms.setdefault(value, name)
        if rtype == "event-bus":
            # The account's default bus: its ARN names it as `default` does.
            forms.setdefault(stack.default_bus_arn, stack.default_bus_key)
        return forms


def resolve_target(behaviors: Behaviors, kind: str, target: Any) -> str:
    """stptui's name of the resource a `context` method of emission kind `kind` names by
    `target`: stptui's own name, or one of the resource's AWS identifiers (the module's
    table). BehaviorError, raised in the handler, for anything else."""
    if kind == "produce":
        if isinstance(target, str) and target not in behaviors.targets.get("produce", ()):
            # An Upstash topic's STP_*_TOPIC_NAME names the topic its resource is.
            target = behaviors.target_forms.of_type(UPSTASH_TOPIC).get(target, target)
        behaviors.check_topic(target)
        return target
    wanted = EMISSION_TARGET_TYPES[kind]
    if not isinstance(target, str):
        raise BehaviorError(
            f"the {wanted} must be named by text, not {type(target).__name__} "
            f"{quoted(shown(target))[1:-1]}",
            "give its name in the stack or the URL, ARN or name its STP_* variable holds",
        )
    known = behaviors.targets[kind]
    if target in known:
        return target
    hit = behaviors.target_forms.of_type(wanted).get(target)
    if hit is None and kind in ALSO_TARGET_TYPES:
        hit = behaviors.target_forms.of_type(ALSO_TARGET_TYPES[kind]).get(target)
    if hit is not None:
        return hit
    # The invocation's error message is all a user sees of it: what exists goes in it.
    listing = _listing(behaviors, wanted)
    jobs = _forms_listed(behaviors, ALSO_TARGET_TYPES[kind]) if kind in ALSO_TARGET_TYPES else ""
    if jobs:
        listing += f"; and the batch jobs, by their state machine's ARN: {jobs}"
    raise BehaviorError(
        f"{_unknown(behaviors, kind, wanted, target)}; {listing}",
        "name it as the stack does, or by the URL, ARN or name its STP_* variable holds",
    )


def _unknown(behaviors: Behaviors, kind: str, wanted: str, target: str) -> str:
    """What was given, and the did-you-mean among stptui's names when it reads as one."""
    if ":" in target or "/" in target:
        return f"no {wanted} of the stack has the URL, ARN or name {quoted(target)}"
    guess = did_you_mean(target, behaviors.targets[kind])
    return f"no {wanted} named {quoted(target)} in the stack" + (
        f"; did you mean {guess!r}?" if guess else ""
    )


def _listing(behaviors: Behaviors, wanted: str) -> str:
    """The stack's resources of the type, each with the identifier its first STP_*
    variable holds (a queue's URL, a bus's ARN, a table's name)."""
    listed = _forms_listed(behaviors, wanted)
    return f"the stack has: {listed}" if listed else f"the stack has no {wanted}"


def _forms_listed(behaviors: Behaviors, rtype: str) -> str:
    """The stack's first resources of `rtype`, each with the identifier its first STP_*
    variable holds, and how many more; empty when it has none."""
    forms = behaviors.target_forms.of_type(rtype)
    first: dict[str, str] = {}
    for value, name in forms.items():
        first.setdefault(name, value)
    listed = [f"{name} ({value})" for name, value in list(first.items())[:_LISTED]]
    more = len(first) - _LISTED
    return ", ".join(listed) + (f" and {more} more" if more > 0 else "")
