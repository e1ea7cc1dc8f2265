"""EventBridge event buses: the stack's buses and the default bus, their rules (every
`event-bus` trigger of a workload and every `sqs-queue.events` subscription), PutEvents,
pattern matching, target input (`input`, `inputPath`, `inputTransformer`), delivery to
functions (asynchronously) and queues, and dead-letter queues for failed deliveries.

Rules (reference aws-semantics §3.1, §4; stacktape-config §2.5, §3.2, §5): an event goes only
to the rules of the bus it was put on, each rule's pattern verbatim (Stacktape adds no
filter); PutEvents needs Source, DetailType and Detail, Detail is a JSON object, DetailType is
at most 128 characters and an entry (a request's entries together) at most 1 MB; a
delivery that fails for a reason no retry can fix (missing target, a queue refusing the
message) goes straight to the rule's `onDeliveryFailure` queue with RULE_ARN, TARGET_ARN,
ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS attributes, or is
dropped without one.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.config.aws_names import event_bus_name
from stptui.config.model import DEFAULT_BUS, EventBusTrigger, Queue, Workload
from stptui.jsontext import compact_json
from stptui.sim import patterns
from stptui.sim import trace as tk
from stptui.sim.clock import EPOCH, MAX_MS, MIN_MS, iso_s
from stptui.sim.payloads import Deferred, resolve
from stptui.sim.services.function import ASYNC_PAYLOAD_BYTES, payload_bytes, request_too_large
from stptui.sim.services.queue import SqsError
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.config.model import Ref
    from stptui.sim.behavior import Emission
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bus_archive import Archive, ReplayService

MAX_DETAIL_TYPE = 128
# "AWS has raised the maximum payload size from 256 KB to 1 MB for ... Amazon EventBridge"
# (AWS Compute Blog, January 2026); the entry is counted as PutEvents counts it.
MAX_ENTRY_BYTES = 1024 * 1024
MAX_RULE_NAME = 64
LAMBDA_SOURCE = "lambda"
LAMBDA_RESULT = "Lambda Function Invocation Result - "


# -- naming --------------------------------------------------------------------------------


def rule_name(sim: Simulator, owner: str, kind: str, number: int) -> str:
    """The rule's name: `{stack}-{owner}-{kind}-{n}`, cut to EventBridge's 64 characters."""
    return f"{sim.stack.stack_name}-{owner}-{kind}-{number}"[-MAX_RULE_NAME:].lstrip("-")


def rule_arn(sim: Simulator, bus_name: str | None, name: str) -> str:
    """A rule ARN: `rule/NAME` on the default bus, `rule/BUS/NAME` on a custom bus."""
    path = name if bus_name is None else f"{bus_name}/{name}"
    return f"arn:aws:events:{sim.region}:{sim.account_id}:rule/{path}"


def default_bus_arn(sim: Simulator) -> str:
    """The ARN of the account's default bus."""
    return sim.stack.default_bus_arn


# -- target input --------------------------------------------------------------------------

_MISSING: Any = object()
_WILDCARD = "*"
_PATH_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]")
# A bracketed name (`['order-id']`, `["a.b"]`): Target.InputPath takes "JSON dot notation or
# bracket notation"; InputPathsMap's paths "must use JSON dot notation, not bracket notation".
_BRACKET_STEP = re.compile(r"\['([^']*)'\]|\[\"([^\"]*)\"\]")
# A placeholder name: what EventBridge accepts between < and > (no spaces, quotes or <>).
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
PREDEFINED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)
# PutTargets' limits (EventBridge API reference, Target and InputTransformer; botocore's
# events model): TargetInput and TransformerInput at most 8,192 characters (a template at
# least 1), TargetInputPath at most 256, TransformerPaths at most 100 entries whose keys
# (InputTransformerPathKey) are 1-256 characters of [A-Za-z0-9\_\-]+.
MAX_TARGET_INPUT = 8192
MAX_JSON_PATH = 256
MAX_INPUT_PATHS = 100
MAX_PATH_KEY = 256
PATH_KEY_PATTERN = r"[A-Za-z0-9\_\-]+"
_PATH_KEY = re.compile(PATH_KEY_PATTERN)


def parse_json_path(path: str, *, brackets: bool = False) -> tuple[str | int, ...]:
    """The steps of an EventBridge JSON path (`$`, `.name`, `[0]`, `.*`, `[*]`, and with
    `brackets`, `['name']`).

    EventBridge supports dot notation, array indices and wildcards (and bracketed names in
    a target's InputPath) only; anything else raises ValueError."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise ValueError(f"JSON path {path!r} must start with $")
    steps: list[str | int] = []
    pos = 1
    while pos < len(path):
        if brackets:
            b = _BRACKET_STEP.match(path, pos)
            if b is not None:
                steps.append(b.group(1) if b.group(1) is not None else b.group(2))
                pos = b.end()
                continue
        m = _PATH_STEP.match(path, pos)
        if m is None:
            allowed = "dot notation, ['name'], [N] and *" if brackets else "dot notation, [N] and *"
            raise ValueError(f"JSON path {path!r}: cannot read {path[pos:]!r} ({allowed} only)")
        name, index = m.groups()
        if name == _WILDCARD or index == _WILDCARD:
            steps.append(_WILDCARD)
        else:
            steps.append(int(index) if index is not None else name)
        pos = m.end()
    return tuple(steps)


def extract(doc: Any, steps: tuple[str | int, ...]) -> Any:
    """The value at `steps` in `doc`; a list of every match when a step is a wildcard;
    `_MISSING` when nothing is there."""
    values = [doc]
    wild = False
    for step in steps:
        found: list[Any] = []
        wild = wild or step == _WILDCARD
        for value in values:
            if step == _WILDCARD:
                if isinstance(value, dict):
                    found.extend(value.values())
                elif isinstance(value, list):
                    found.extend(value)
            elif isinstance(step, int):
                if isinstance(value, list) and step < len(value):
                    found.append(value[step])
            elif isinstance(value, dict) and step in value:
                found.append(value[step])
        values = found
    if wild:
        return values
    return values[0] if values else _MISSING


# <aws.events.event> as AWS fills it (recorded against AWS: localstack's
# `test_events_inputs.snapshot.json`, test_input_transformer_predefined_variables): the
# envelope without `detail`, `detail-type` under the key `detailType`, in this order.
_EVENT_VARIABLE_KEYS = (
    ("id", "id"),
    ("account", "account"),
    ("detailType", "detail-type"),
    ("time", "time"),
    ("source", "source"),
    ("region", "region"),
    ("resources", "resources"),
    ("version", "version"),
)


def event_without_detail(event: dict[str, Any]) -> dict[str, Any]:
    """The value of the predefined `<aws.events.event>`: the event without its detail, keyed
    and ordered as EventBridge writes it (a replayed event's `replay-name` is kept last)."""
    out = {key: event[field] for key, field in _EVENT_VARIABLE_KEYS if field in event}
    if "replay-name" in event:
        out["replay-name"] = event["replay-name"]
    return out


def render_template(template: str, values: dict[str, Any]) -> str:
    """Fill `<name>` placeholders the way EventBridge does, aware of JSON strings.

    Outside a JSON string a value is written as JSON (a string gets its quotes, an object
    stays an object); inside one it is written raw and unescaped, as AWS does (so a value
    holding a quote can break the JSON). A path that found nothing gives "" both inside and
    outside a string (AWS-validated). Names nobody defined stay as written. The text keeps
    the template's layout: `minify` is the step that follows."""
    out: list[str] = []
    in_string = False
    i = 0
    n = len(template)
    while i < n:
        ch = template[i]
        if in_string and ch == "\\":
            out.append(template[i : i + 2])
            i += 2
            continue
        if ch == '"':
            in_string = not in_string
        elif ch == "<":
            m = _PLACEHOLDER.match(template, i)
            if m is not None and m.group(1) in values:
                value = values[m.group(1)]
                if in_string:
                    if value is _MISSING:
                        value = ""
                    out.append(value if isinstance(value, str) else compact_json(value))
                else:
                    out.append(compact_json("" if value is _MISSING else value))
                i = m.end()
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def placeholders_as_keys(template: str) -> list[str]:
    """The placeholders a JSON object template uses as object keys (`{<k>: 1}`): those
    outside a JSON string that a `:` follows. Nothing for a template that is no object."""
    if not template.lstrip().startswith("{"):
        return []
    found: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        ch = template[i]
        if in_string and ch == "\\":
            i += 2
            continue
        if ch == '"':
            in_string = not in_string
        elif ch == "<" and not in_string:
            m = _PLACEHOLDER.match(template, i)
            if m is not None:
                if template[m.end() :].lstrip().startswith(":"):
                    found.append(m.group(1))
                i = m.end()
                continue
        i += 1
    return found


_JSON_SPACE = re.compile(r"[ \t\n\r]+")


def minify(text: str) -> str:
    """Filled template text as EventBridge passes it: when it is JSON, without the
    whitespace between tokens ("The JSON that is passed to the target is minified"), keys
    in their order and every token as written; any other text unchanged."""
    try:
        jsontext.loads(text)
    except ValueError:
        return text
    return "".join(
        run if is_string else _JSON_SPACE.sub("", run) for _, run, is_string in jsontext.runs(text)
    )


class TargetInput:
    """What a rule sends its target: the event, a constant, a JSON path of it, or a template.

    `render` returns the JSON text EventBridge delivers (a queue's message body; a function
    receives it parsed). Problems AWS would refuse at deploy time are kept in `problems`
    (shown by `show buses`) and the rule still delivers what it can."""

    def __init__(self, constant: Any, input_path: str | None, transformer: Any) -> None:
        self.problems: list[str] = []
        self.kind = "event"
        self._constant: str | None = None
        self._path: tuple[str | int, ...] | None = None
        self._paths: dict[str, tuple[str | int, ...] | None] = {}
        self._template = ""
        if constant is not None:
            self.kind = "input"
            # Stacktape stringifies an object; a string is taken as the JSON text it must be.
            self._constant = constant if isinstance(constant, str) else compact_json(constant)
            try:
                json.loads(self._constant)
            except ValueError:
                self.problems.append("input is not valid JSON text")
            if len(self._constant) > MAX_TARGET_INPUT:
                self.problems.append(
                    f"input is {len(self._constant):,} characters; at most "
                    f"{MAX_TARGET_INPUT:,} are allowed"
                )
        elif input_path is not None:
            self.kind = "inputPath"
            self._path_too_long("inputPath", input_path)
            try:
                self._path = parse_json_path(input_path, brackets=True)
            except ValueError as exc:
                self.problems.append(str(exc))
        elif transformer is not None:
            self.kind = "inputTransformer"
            self._read_transformer(transformer)

    def _read_transformer(self, transformer: Any) -> None:
        template = transformer.get("inputTemplate") if isinstance(transformer, dict) else None
        if isinstance(template, (dict, list)):
            # Stacktape stringifies an object template (as it does an object `input`).
            template = compact_json(template)
        if not isinstance(template, str):
            self.problems.append("inputTransformer needs an inputTemplate string")
            return
        self._template = template
        if not template:
            self.problems.append("inputTemplate is empty; it needs at least 1 character")
        elif len(template) > MAX_TARGET_INPUT:
            self.problems.append(
                f"inputTemplate is {len(template):,} characters; at most "
                f"{MAX_TARGET_INPUT:,} are allowed"
            )
        paths = transformer.get("inputPathsMap") or {}
        if not isinstance(paths, dict):
            self.problems.append("inputPathsMap must map names to JSON paths")
            paths = {}
        if len(paths) > MAX_INPUT_PATHS:
            self.problems.append(
                f"inputPathsMap has {len(paths)} entries; EventBridge takes at most "
                f"{MAX_INPUT_PATHS}"
            )
        for name, path in paths.items():
            if name in PREDEFINED or str(name).upper().startswith("AWS."):
                self.problems.append(f"inputPathsMap: {name!r} is a reserved name")
                continue
            self._check_path_key(str(name))
            self._path_too_long(f"inputPathsMap.{name}", path)
            try:
                self._paths[name] = parse_json_path(path)
            except ValueError as exc:
                self.problems.append(f"inputPathsMap.{name}: {exc}")
                self._paths[name] = None
        for name in _PLACEHOLDER.findall(self._template):
            if name not in self._paths and name not in PREDEFINED:
                # AWS's PutTargets message.
                self.problems.append(f"InputTemplate contains invalid placeholder {name}.")
        for name in placeholders_as_keys(self._template):
            # "If InputTemplate is a JSON object (surrounded by curly braces) ... The
            # placeholder cannot be used as an object key" (API reference, InputTransformer).
            self.problems.append(
                f"the placeholder <{name}> is used as an object key; in a JSON object "
                "template a placeholder can only stand for a value (quote the key)"
            )

    def _check_path_key(self, name: str) -> None:
        """An inputPathsMap key as PutTargets takes it (InputTransformerPathKey)."""
        if len(name) > MAX_PATH_KEY:
            self.problems.append(
                f"inputPathsMap key {name[:20]!r}... is {len(name)} characters; at most "
                f"{MAX_PATH_KEY} are allowed"
            )
        elif not _PATH_KEY.fullmatch(name):
            self.problems.append(
                f"inputPathsMap key {name!r} must match {PATH_KEY_PATTERN} (letters, digits, "
                "_ and -)"
            )

    def _path_too_long(self, where: str, path: Any) -> None:
        if isinstance(path, str) and len(path) > MAX_JSON_PATH:
            self.problems.append(
                f"{where} is {len(path)} characters; a JSON path is at most {MAX_JSON_PATH}"
            )

    def apply(self, event: dict[str, Any], rule: str, rule_arn_: str) -> dict[str, Any] | str:
        """What rule `rule` delivers for `event`: the event itself when no input is
        configured (serialised only if a queue needs text), else `render`'s JSON text."""
        return event if self.kind == "event" else self.render(event, rule, rule_arn_)

    def render(
        self, event: dict[str, Any], rule: str, rule_arn_: str, ingested: str | None = None
    ) -> str:
        """The JSON text delivered for `event` by rule `rule`; `ingested` is when the bus
        received it (`<aws.events.event.ingestion-time>`; by default, the event's time)."""
        if self.kind == "input":
            return self._constant or ""
        if self.kind == "inputPath":
            if self._path is None:
                return compact_json(event)
            value = extract(event, self._path)
            return "null" if value is _MISSING else compact_json(value)
        if self.kind == "inputTransformer":
            values: dict[str, Any] = {
                name: _MISSING if steps is None else extract(event, steps)
                for name, steps in self._paths.items()
            }
            values["aws.events.rule-arn"] = rule_arn_
            values["aws.events.rule-name"] = rule
            values["aws.events.event.ingestion-time"] = (
                event.get("time", "") if ingested is None else ingested
            )
            values["aws.events.event"] = event_without_detail(event)
            values["aws.events.event.json"] = event
            return minify(render_template(self._template, values))
        return compact_json(event)


# -- delivery ------------------------------------------------------------------------------


class DeliveryError(Exception):
    """A target that could not take an event; `code` is EventBridge's DLQ ERROR_CODE."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


# `deliver(payload, trigger, origin, group)`: see `deliver_to_workload`. The payload is an
# event, the JSON text of a target input, or a Deferred event (a schedule's envelope).
Payload = dict[str, Any] | str | Deferred
Delivery = Callable[[Payload, str, str, str | None], str]


def workload_delivery(sim: Simulator, target: str) -> Delivery:
    """How to hand events to `target`, a function, queue or batch job of the stack.

    The target is looked up once here, so a rule that delivers on every fire keeps the
    result; call it only once every service is wired (batch jobs are wired after schedules
    and buses). A target that does not exist gives a delivery that raises DeliveryError
    each time."""
    queue = sim.queues.get(target)
    if queue is not None:
        # The rule's messageGroupId reaches a standard queue too: EventBridge's SqsParameters
        # apply to "an Amazon SQS fair or FIFO queue", and Stacktape sets them whenever the
        # subscription names a group.

        def to_queue(payload: Payload, trigger: str, origin: str, group: str | None) -> str:
            text = payload if isinstance(payload, str) else compact_json(resolve(payload))
            try:
                return queue.send(text, group=group, source=origin)
            except SqsError as exc:
                raise DeliveryError("INVALID_PARAMETER", str(exc)) from None

        return to_queue
    res = sim.stack.resources.get(target)
    batch = sim.services.get("batch")
    if res is not None and res.type == "batch-job" and batch is not None:
        from stptui.sim.services.batch import TriggerFailed

        start = batch.start

        def to_batch_job(payload: Payload, trigger: str, origin: str, group: str | None) -> str:
            if isinstance(payload, str):
                payload = _parse_input(target, payload)
            try:
                return start(target, payload, trigger, origin)
            except TriggerFailed as exc:
                # Lambda took the asynchronous event (delivered); its trigger function then
                # failed, and Lambda retries it.
                return batch.retry_async(exc, target, payload, trigger, origin)

        return to_batch_job
    if target in sim.functions:
        submit = sim.async_invokers[target].submit

        def to_function(payload: Payload, trigger: str, origin: str, group: str | None) -> str:
            if isinstance(payload, str):
                size = len(payload.encode("utf-8", "surrogatepass"))
                payload = _parse_input(target, payload)
            elif type(payload) is Deferred:
                size = 0  # a schedule's envelope: a few hundred bytes, built only when read
            else:
                size = payload_bytes(payload)
            if size > ASYNC_PAYLOAD_BYTES:
                # Lambda refuses the asynchronous Invoke (HTTP 413): an error no retry fixes.
                raise DeliveryError(
                    "INVALID_PARAMETER", request_too_large(size, ASYNC_PAYLOAD_BYTES)
                )
            return submit(payload, trigger, origin)

        return to_function

    def missing(payload: Payload, trigger: str, origin: str, group: str | None) -> str:
        raise DeliveryError("NO_RESOURCE", f"{target} does not exist in the simulation")

    return missing


def _parse_input(target: str, text: str) -> Any:
    """The JSON value of a target input's text, which a function or batch job is invoked
    with."""
    try:
        return json.loads(text)
    except ValueError:
        # Lambda refuses an Invoke whose payload is not JSON (a template that broke it).
        raise DeliveryError(
            "INVALID_JSON", f"the input for {target} is not valid JSON: {text[:200]}"
        ) from None


def deliver_to_workload(
    sim: Simulator,
    target: str,
    payload: dict[str, Any] | str,
    *,
    trigger: str,
    origin: str,
    group: str | None = None,
) -> str:
    """Hand one event to a function, queue or batch job of the stack.

    `payload` is an event object, or the JSON text a target input produced. Functions are
    invoked asynchronously with the JSON value; queues get the JSON text as the message body
    (FIFO queues: in `group`); batch jobs go to the batch service's `start(job, event,
    trigger, source)`. Returns the async event id, message id or execution id; raises
    DeliveryError when the target cannot take it. A caller that delivers to the same target
    again and again keeps `workload_delivery(sim, target)` instead."""
    return workload_delivery(sim, target)(payload, trigger, origin, group)


def dead_letter(
    sim: Simulator,
    dlq: Ref | None,
    body: str,
    attributes: dict[str, Any],
    origin: str,
) -> dict[str, Any]:
    """Send a failed delivery to a rule's or subscription's DLQ.

    Returns the fields its delivery-failed trace record ends with (a rule's and a
    subscription's alike): `dlq`, the queue (None when there is no DLQ), then
    `dlq_message_id` when the message was sent or `dlq_error`, why it could not be."""
    if dlq is None:
        return {"dlq": None}
    fields: dict[str, Any] = {"dlq": dlq.target or dlq.raw}
    queue = sim.queues.get(dlq.target or "")
    if queue is None:
        fields["dlq_error"] = f"the dead-letter queue {dlq.raw} is outside the simulation"
    elif queue.fifo:
        fields["dlq_error"] = (
            f"{queue.name} is a FIFO queue; dead-letter queues must be standard queues"
        )
    else:
        try:
            fields["dlq_message_id"] = queue.send(body, attrs=attributes, source=origin)
        except SqsError as exc:
            fields["dlq_error"] = str(exc)
    return fields


# -- buses and rules -----------------------------------------------------------------------


def envelope(
    event_id: str,
    source: str,
    detail_type: str,
    detail: Any,
    resources: list[str],
    time_ms: int,
    account: str,
    region: str,
) -> dict[str, Any]:
    """The event EventBridge makes of a PutEvents entry (and a scheduled rule of its
    clock), keys in AWS's order."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": iso_s(time_ms),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


class BusRule:
    """One rule on one bus, with one target: the workload or queue that declared it."""

    def __init__(
        self,
        sim: Simulator,
        bus: BusSim,
        owner: str,
        number: int,
        trigger: EventBusTrigger,
    ) -> None:
        self.bus = bus
        self.owner = owner
        self.trigger = trigger
        self.name = rule_name(sim, owner, "event-bus", number)
        self.arn = rule_arn(sim, None if bus.account_default else bus.name, self.name)
        self.target_arn = sim.arn(owner)
        self.pattern = trigger.pattern
        self.matcher: patterns.Pattern | None = None
        self.error: str | None = None
        try:
            # top_level: Stacktape's schema allows only the envelope keys at the top.
            self.matcher = patterns.compile_pattern(trigger.pattern, top_level=True)
        except patterns.PatternError as exc:
            # AWS would refuse the rule; it is kept (matching nothing) so views can say why.
            self.error = str(exc)
        self.input = TargetInput(trigger.input, trigger.input_path, trigger.input_transformer)
        self.dlq = trigger.on_delivery_failure
        self.group = trigger.message_group_id
        # Resolved at the first delivery, once the batch service is wired too.
        self.delivery: Delivery | None = None

    def example_event(self, event: dict[str, Any]) -> dict[str, Any] | str | None:
        """What the rule delivers its target for `event` (the event, or what its input makes
        of it), None when the rule does not match it. Nothing is delivered or traced."""
        if self.matcher is None or not self.matcher.matches(event):
            return None
        return self.input.apply(event, self.name, self.arn)

    def explain(self, event: dict[str, Any]) -> list[str]:
        """Why the event does not match (empty when it does)."""
        if self.matcher is None:
            return [f"the rule's pattern is invalid: {self.error}"]
        if self.matcher.matches(event):
            return []
        return self.matcher.explain(event).lines()


class BusSim:
    """One event bus: the default bus, a stack bus, or a bus outside the stack."""

    def __init__(
        self, key: str, name: str, arn: str, *, external: bool = False, default: bool = False
    ) -> None:
        self.key = key  # how commands and behaviours name it
        self.name = name  # the AWS name
        self.arn = arn
        self.external = external
        # The account's default bus (whose key is `default`, or its ARN when a bus of the
        # stack is named `default`).
        self.account_default = default
        self.rules: list[BusRule] = []
        # The bus's archive (a stack bus with `archivation.enabled`), else None.
        self.archive: Archive | None = None


@dataclass(slots=True)
class PutEventsEntry:
    """One PutEvents entry, validated (Detail parsed into its object)."""

    source: str
    detail_type: str
    detail: dict[str, Any]
    resources: list[str]
    # The entry's size as PutEvents counts it (what an archive's SizeBytes adds up).
    size: int = 0


class EventsError(ValueError):
    """A PutEvents entry EventBridge would refuse, with AWS's error code and a hint."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.hint = hint


def validate_entry(
    source: Any, detail_type: Any, detail: Any, resources: Any = None
) -> PutEventsEntry:
    """Check one entry as PutEvents does; `detail` is JSON text or an already-parsed value.

    Raises EventsError; nothing is published."""
    for name, value in (("Source", source), ("DetailType", detail_type)):
        if not isinstance(value, str) or value == "":
            raise EventsError(
                "InvalidArgument",
                f"Parameter {name} is not valid. Reason: {name} is a required argument.",
            )
    if detail is None or detail == "":
        raise EventsError(
            "InvalidArgument",
            "Parameter Detail is not valid. Reason: Detail is a required argument.",
            "use '{}' for an empty detail",
        )
    if isinstance(detail, str):
        text = detail
        try:
            parsed = jsontext.loads(detail)
        except jsontext.JsonLimitError as exc:
            raise EventsError("MalformedDetail", "Detail is malformed.", str(exc)) from None
        except ValueError:
            raise EventsError(
                "MalformedDetail",
                "Detail is malformed.",
                "Detail must be a JSON object, e.g. '{\"id\": 1}'",
            ) from None
    else:
        parsed = detail
        text = compact_json(detail)
    if not isinstance(parsed, dict):
        raise EventsError(
            "MalformedDetail",
            "Detail is malformed.",
            'Detail must be a JSON object ("{}" is allowed), not an array, string or number',
        )
    if len(detail_type) > MAX_DETAIL_TYPE:
        raise EventsError(
            "InvalidArgument",
            f"DetailType is {len(detail_type)} characters; at most {MAX_DETAIL_TYPE} are allowed",
        )
    res = list(resources or [])
    if not all(isinstance(r, str) and r for r in res):
        raise EventsError("InvalidArgument", "every resource must be a non-empty ARN string")
    size = sum(_utf8_bytes(s) for s in (source, detail_type, text, *res))
    # Too large an entry fails the whole request, not the entry: PutEvents answers
    # ValidationException (HTTP 400) instead of an entry with an ErrorCode.
    if size > MAX_ENTRY_BYTES:
        raise _too_large(f"The entry is {size:,} bytes")
    return PutEventsEntry(source, detail_type, parsed, res, size)


def reserved_source(source: Any) -> EventsError | None:
    """PutEvents' refusal of an entry whose Source is an AWS service's (it begins `aws.`):
    no caller may publish under it, whatever its permissions (answered on AWS as
    `NotAuthorizedForSourceException`, "Not authorized for the source."). Code's PutEvents
    (a handler's boto3 call, Step Functions') meets it; the `publish` command and a
    behaviour's `publish` do not, so that they can stand in for AWS services' events."""
    if isinstance(source, str) and source.startswith("aws."):
        return EventsError("NotAuthorizedForSourceException", "Not authorized for the source.")
    return None


# "If specified, the Time parameter is 14 bytes" ("Calculating PutEvents event entry size").
ENTRY_TIME_BYTES = 14
_ONE_MS = timedelta(milliseconds=1)


def entry_time_ms(value: Any) -> int | None:
    """A PutEvents entry's Time in epoch milliseconds, read as botocore reads a timestamp
    (a datetime, naive ones as UTC; ISO 8601 text; epoch seconds as a number or as text),
    or None when it is none of them or outside the virtual clock's range. One reading for
    every caller of PutEvents: a handler's boto3 `put_events`, Step Functions' integrations."""
    if isinstance(value, str):
        text = value.strip()
        with contextlib.suppress(ValueError):
            value = float(text)
        if isinstance(value, str):
            iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
            with contextlib.suppress(ValueError):
                value = datetime.fromisoformat(iso)
    ms: int | None = None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        ms = (aware - EPOCH) // _ONE_MS
    elif (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and MIN_MS <= value * 1000 <= MAX_MS
    ):
        ms = int(value * 1000)
    return ms if ms is not None and MIN_MS <= ms <= MAX_MS else None


def time_refusal(value: Any) -> EventsError:
    """EventBridge's answer to a request with an entry's Time it cannot read as a date: the
    whole request fails (its JSON does not parse into the request), as the API answered a
    Time given as text it could not read (async-aws/aws#1395: `SerializationException`,
    "STRING_VALUE cannot be converted to Date"). The JSON token names the value's kind."""
    if isinstance(value, str):
        token = "STRING_VALUE"
    elif isinstance(value, bool):
        token = "VALUE_TRUE" if value else "VALUE_FALSE"
    elif isinstance(value, dict):
        token = "START_OBJECT"
    elif isinstance(value, list):
        token = "START_ARRAY"
    elif value is None:
        token = "VALUE_NULL"
    else:
        token = "VALUE_NUMBER_FLOAT" if isinstance(value, float) else "VALUE_NUMBER_INT"
    return EventsError("SerializationException", f"{token} cannot be converted to Date")


def _utf8_bytes(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _too_large(what: str) -> EventsError:
    return EventsError(
        "ValidationException",
        "Total size of the entries in the request is over the limit. "
        f"({what}; PutEvents takes at most {MAX_ENTRY_BYTES:,}.)",
        "put the data in S3 and send its key",
    )


def entry_bytes(entry: dict[str, Any]) -> int:
    """One PutEvents entry (PutEvents' keys) as EventBridge counts it ("Calculating PutEvents
    event entry size"): 14 bytes for Time when given, and the UTF-8 bytes of Source,
    DetailType, Detail (its JSON text when given as an object) and each resource. A part of
    the wrong type counts nothing: that entry fails on its own."""
    size = ENTRY_TIME_BYTES if entry.get("Time") is not None else 0
    detail = entry.get("Detail")
    if detail is not None and not isinstance(detail, str):
        detail = compact_json(detail)
    resources = entry.get("Resources")
    parts = [entry.get("Source"), entry.get("DetailType"), detail]
    parts += resources if isinstance(resources, list) else []
    return size + sum(_utf8_bytes(p) for p in parts if isinstance(p, str))


def check_request_size(entries: list[dict[str, Any]]) -> None:
    """Refuse a PutEvents request whose entries add up to more than the limit ("The total
    entry size must be less than" it): the whole request fails with ValidationException,
    nothing is put. Raises EventsError."""
    total = sum(entry_bytes(e) for e in entries if isinstance(e, dict))
    if total > MAX_ENTRY_BYTES:
        n = len(entries)
        raise _too_large(
            f"The entry is {total:,} bytes"
            if n == 1
            else f"The {n} entries are {total:,} bytes together"
        )


class BusService:
    """Every bus of the simulation and the rules on them."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.buses: dict[str, BusSim] = {}
        self.by_arn: dict[str, BusSim] = {}
        # Rules whose bus names nothing (a lint error): kept out of routing, listed by views.
        self.unattached: list[tuple[str, str]] = []
        # Archives and replays (stptui.sim.services.bus_archive), made only for a stack
        # that archives a bus: most do not, and their sessions need not import the module.
        self.replays: ReplayService | None = None
        # Keyed `default`, or by its ARN when a bus of the stack takes that name.
        self.default_key = sim.stack.default_bus_key
        self._add(BusSim(self.default_key, DEFAULT_BUS, default_bus_arn(sim), default=True))
        for bus in sim.stack.buses:
            bus_sim = BusSim(
                bus.name, bus.event_source_name or _aws_name(sim, bus.name), sim.arn(bus.name)
            )
            self._add(bus_sim)
            if bus.archive_enabled:
                # Stacktape archives its own buses only; `useDefaultBus` gets no archive.
                from stptui.sim.services import bus_archive

                if self.replays is None:
                    self.replays = bus_archive.ReplayService(sim, self)
                bus_sim.archive = bus_archive.Archive(sim, bus_sim, bus.archive_retention_days)
        for res in sim.stack.resources.values():
            if not isinstance(res, (Workload, Queue)):
                continue
            triggers = [t for t in res.events if isinstance(t, EventBusTrigger)]
            for n, trig in enumerate(triggers, 1):
                bus_obj = self._bus_for(trig)
                if bus_obj is None:
                    raw = trig.bus.raw if trig.bus is not None else "?"
                    self.unattached.append((res.name, f"bus {raw} is not an event bus"))
                    continue
                bus_obj.rules.append(BusRule(sim, bus_obj, res.name, n, trig))

    def _add(self, bus: BusSim) -> None:
        self.buses[bus.key] = bus
        self.by_arn[bus.arn] = bus

    def _bus_for(self, trig: EventBusTrigger) -> BusSim | None:
        if trig.use_default_bus:
            return self.buses[self.default_key]
        ref = trig.bus
        if ref is None:
            return None
        if ref.target is not None:
            return self.buses.get(ref.target)
        if ref.raw in self.by_arn:
            return self.by_arn[ref.raw]
        if ref.by == "arn" and ":event-bus/" in ref.raw:
            # A bus of another stack or account: nobody in this simulation publishes to it
            # unless `publish` names its ARN.
            bus = BusSim(ref.raw, ref.raw.rsplit("/", 1)[-1], ref.raw, external=True)
            self._add(bus)
            return bus
        return None

    # -- lookups -------------------------------------------------------------------------

    def bus(self, name: str) -> BusSim:
        """The bus called `name` (resource name, AWS name or ARN; `default` for the account's
        default bus unless a bus of the stack takes that name, see `default_key`), or
        SimError."""
        from stptui.sim.engine import SimError

        hit = self.buses.get(name) or self.by_arn.get(name)
        if hit is None:
            hit = next((b for b in self.buses.values() if b.name == name), None)
        if hit is not None:
            return hit
        from stptui.config.diagnostics import did_you_mean, with_article

        choices = sorted(k for k, b in self.buses.items() if not b.external)
        other = self.sim.stack.resources.get(name)
        if other is not None:
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not an event bus",
                f"buses: {', '.join(choices)}",
                word=name,
            )
        guess = did_you_mean(name, choices)
        raise SimError(
            f"no event bus named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else f"buses: {', '.join(choices)}",
            word=name,
        )

    # -- PutEvents -----------------------------------------------------------------------

    def publish(
        self,
        bus: str,
        source: Any,
        detail_type: Any,
        detail: Any,
        resources: Any = None,
        *,
        origin: str = "command",
        event_id: str | None = None,
        time_ms: int | None = None,
    ) -> str:
        """PutEvents with one entry: validate it, then route it; returns the event id (the
        given `event_id`, or a new one). `time_ms` is the entry's Time (the event's `time`;
        by default, now).

        Raises SimError (with AWS's error code in the message) and changes nothing when the
        bus is unknown or the entry is invalid."""
        from stptui.sim.engine import SimError

        target = self.bus(bus)
        try:
            entry = validate_entry(source, detail_type, detail, resources)
        except EventsError as exc:
            raise SimError(str(exc), exc.hint) from None
        if time_ms is not None:
            entry.size += ENTRY_TIME_BYTES
        return self._put(target, entry, origin, event_id, time_ms)

    def publish_event(
        self,
        bus: str,
        entry: dict[str, Any],
        *,
        origin: str = "service",
        event_id: str | None = None,
    ) -> str:
        """Put an event on a bus for another service model (S3 on the default bus, say).

        `entry` uses PutEvents' keys: Source, DetailType, Detail (object or JSON text) and
        optionally Resources. `event_id` is the id the caller already recorded (a CloudWatch
        alarm's state change names its event first). Returns the event id; raises SimError
        like `publish`."""
        return self.publish(
            bus,
            entry.get("Source"),
            entry.get("DetailType"),
            entry.get("Detail"),
            entry.get("Resources"),
            origin=origin,
            event_id=event_id,
        )

    def _put(
        self,
        bus: BusSim,
        entry: PutEventsEntry,
        origin: str,
        event_id: str | None = None,
        time_ms: int | None = None,
    ) -> str:
        sim = self.sim
        if event_id is None:
            event_id = sim.new_id()
        event = envelope(
            event_id,
            entry.source,
            entry.detail_type,
            entry.detail,
            entry.resources,
            sim.clock.now if time_ms is None else time_ms,
            sim.account_id,
            sim.region,
        )
        if bus.archive is not None:
            bus.archive.receive(event, entry.size)
        self.route(bus, event, origin, bus.rules)
        return event_id

    def route(
        self,
        bus: BusSim,
        event: dict[str, Any],
        origin: str,
        rules: list[BusRule],
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Match `event` against `rules` of `bus` and deliver it to each that matches: what
        PutEvents does after it accepted the event, and what a replay does with an archived
        one (only to its rules; `extra` marks the published record as a replay's)."""
        sim = self.sim
        now = sim.clock.now
        event_id = event["id"]
        # Matching is pure: decide every rule first so that the published record can say
        # how many matched.
        verdicts = [(rule, rule.explain(event)) for rule in rules]
        data = {
            "event_id": event_id,
            "bus": bus.key,
            "event_source": event["source"],
            "detail_type": event["detail-type"],
            "origin": origin,
            "rules_matched": sum(1 for _, why in verdicts if not why),
        }
        if extra:
            data.update(extra)
        sim.trace.emit((now, tk.EVENT_PUBLISHED, bus.key, data))
        # EventBridge does not carry Lambda's recursion count: what a rule delivers starts a
        # new chain, even when a request that carried one (S3's) put the event. (An error
        # leaves it to `Simulator.carry_out`, which puts its own count back.)
        outer = sim.chain
        sim.chain = 0
        for rule, why in verdicts:
            if why:
                sim.trace.emit(
                    (
                        now,
                        tk.EVENT_UNMATCHED,
                        bus.key,
                        {
                            "event_id": event_id,
                            "rule": rule.name,
                            "target": rule.owner,
                            "explanation": why,
                        },
                    )
                )
                continue
            sim.trace.emit(
                (
                    now,
                    tk.EVENT_MATCHED,
                    bus.key,
                    {"event_id": event_id, "rule": rule.name, "target": rule.owner},
                )
            )
            self._deliver(rule, event)
        sim.chain = outer

    def _deliver(self, rule: BusRule, event: dict[str, Any]) -> None:
        sim = self.sim
        event_id = event["id"]
        # Ingested now: a replayed event is received again when it is replayed, its `time`
        # still the original's (for any other event the two are the same second).
        target_input = rule.input
        payload: Payload = (
            event
            if target_input.kind == "event"
            else target_input.render(event, rule.name, rule.arn, iso_s(sim.clock.now))
        )
        if rule.delivery is None:
            rule.delivery = workload_delivery(sim, rule.owner)
        try:
            rule.delivery(payload, "event-bus", event_id, rule.group)
        except DeliveryError as exc:
            # Only errors no retry can fix reach here (a missing target, a queue refusing the
            # message): EventBridge sends those to the DLQ at once, without retries.
            attributes = {
                "RULE_ARN": rule.arn,
                "TARGET_ARN": rule.target_arn,
                "ERROR_CODE": exc.code,
                "ERROR_MESSAGE": exc.message[:1024],
                "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
                "RETRY_ATTEMPTS": "0",
            }
            # The DLQ gets the original event, never the transformed input.
            dlq = dead_letter(sim, rule.dlq, compact_json(event), attributes, event_id)
            data: dict[str, Any] = {
                "event_id": event_id,
                "rule": rule.name,
                "target": rule.owner,
                "error_code": exc.code,
                "error": exc.message,
                **dlq,
            }
            sim.trace.emit((sim.clock.now, tk.EVENT_DELIVERY_FAILED, rule.bus.key, data))

    # -- hooks for behaviours and Lambda destinations -----------------------------------

    def on_emission(self, emission: Emission, source: str) -> dict[str, Any]:
        """A handler's `publish` emission: PutEvents on its bus (SimError when refused);
        PutEvents' answer for its one entry."""
        f = emission.fields
        event_id = self.publish(
            emission.target,
            f.get("source"),
            f.get("detailType"),
            f.get("detail"),
            f.get("resources"),
            origin=source,
            time_ms=f.get("time"),
        )
        return {"FailedEntryCount": 0, "Entries": [{"EventId": event_id}]}

    def on_destination(self, function: str, which: str, target: str, record: dict[str, Any]) -> str:
        """A Lambda destination that is a bus: the invocation record becomes `detail`;
        returns the event's id."""
        sim = self.sim
        outcome = "Success" if which == "onSuccess" else "Failure"
        bus = self.bus(target)
        return self.publish(
            bus.key,
            LAMBDA_SOURCE,
            LAMBDA_RESULT + outcome,
            record,
            [bus.arn, f"{sim.functions[function].arn}:$LATEST"],
            origin=f"{function}:{which}",
        )

    # -- views ---------------------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """Each bus with its rules (pattern, target, input, DLQ, problems), for `show buses`."""
        out = []
        for bus in self.buses.values():
            out.append(
                {
                    "bus": bus.key,
                    "name": bus.name,
                    "arn": bus.arn,
                    "external": bus.external,
                    "rules": [
                        {
                            "rule": r.name,
                            "target": r.owner,
                            "pattern": r.pattern,
                            "input": r.input.kind,
                            "dlq": (r.dlq.target or r.dlq.raw) if r.dlq is not None else None,
                            "message_group_id": r.group,
                            "problems": ([r.error] if r.error else []) + r.input.problems,
                        }
                        for r in bus.rules
                    ],
                }
            )
        return out


def _aws_name(sim: Simulator, name: str) -> str:
    return event_bus_name(sim.stack.stack_name, name)


def wire(sim: Simulator) -> None:
    """Create the buses and rules; serve `publish` emissions and bus destinations."""
    service = BusService(sim)
    sim.services["buses"] = service
    sim.emission_handlers["publish"] = service.on_emission
    sim.destination_handlers["event-bus"] = service.on_destination
