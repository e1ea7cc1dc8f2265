"""SNS topics: Publish, subscriptions from `sns` triggers, filter policies on message
attributes, asynchronous delivery with the SNS event shape, and subscription dead-letter
queues (`onDeliveryFailure`).

Rules (stacktape-config §2.8, §3.2, §5): a subscription's filter policy applies to message
attributes (Stacktape sets no FilterPolicyScope); an empty policy `{}` filters nothing, as
SNS reads it (setting FilterPolicy to "{}" removes the policy); Lambda subscribers are invoked
asynchronously, one message per invocation, with Number and String.Array attributes typed
"String" (SNS passes them to Lambda so); a delivery SNS cannot make (the endpoint is gone)
goes to the subscription's DLQ when it has one. A FIFO topic takes only SQS subscriptions, so
an `sns` trigger on one (an in-stack one is Stacktape's error e86; a foreign `.fifo` ARN is
refused by SNS at deploy time) receives nothing: its messages are traced as filtered, with
that reason. A FIFO topic still numbers the messages it takes (Publish's SequenceNumber) and
takes a message whose deduplication id it took within 5 minutes once, answering the first
message's id and number.

Filter policies reuse the EventBridge matcher (stptui.sim.patterns) on an object made of
the attributes (Binary ones left out: SNS filters only String, String.Array and Number
attributes; they reach Lambda in base64): String attributes are strings, Number attributes
numbers (to five decimal places; beyond -1e9..1e9, numeric matching's range, a value no
number condition holds for),
String.Array attributes arrays (any element may match, but `anything-but` holds only when
none of the elements is excluded: the SNS guide's "it matches if none of the array elements
are listed"). Exact strings, prefix, suffix, equals-ignore-case, anything-but, numeric, cidr
(SNS's "IP address matching"), exists and $or mean the same in both otherwise. SNS's own
limits are checked first: a policy is an object of at most 5 attribute names, at most 150
combinations (a `$or` group adds its branches'), no nesting (attributes are flat), no
`wildcard` (an EventBridge-only operator, inside `anything-but` too) and at most 256 KB,
inside `$or` branches as well. A dead-letter queue receives the JSON SNS sends an SQS
endpoint (`SigningCertURL`, no null `Subject`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.config.model import SnsTrigger, Workload
from stptui.sim import patterns
from stptui.sim import trace as tk
from stptui.sim.clock import iso_ms
from stptui.sim.payloads import (
    NUMBER_ATTRIBUTE_RULE,
    ArrayText,
    NumberText,
    number_attribute_fault,
)
from stptui.sim.services.bus import DeliveryError, dead_letter, deliver_to_workload
from stptui.textsafe import quote_word, quoted

if TYPE_CHECKING:
    from stptui.sim.behavior import Emission
    from stptui.sim.engine import Simulator

MAX_MESSAGE_BYTES = 256 * 1024
# What Lambda leaves out of an invocation record too large for an SNS destination.
_PAYLOAD_KEYS = ("requestPayload", "responsePayload")
MAX_SUBJECT = 100
MAX_ID = 128
# A FIFO topic's deduplication interval: "the 5 minute minimum deduplication interval"
# (Publish API reference, MessageDeduplicationId).
DEDUP_WINDOW_MS = 5 * 60 * 1000
# SequenceNumber: "a large, non-consecutive number ... 128 bits" (Publish API reference);
# the numbers SNS gave FIFO deliveries to SQS are 20 digits, 10000000000000003000,
# 10000000000000004000: the n-th message of a topic gets BASE + STEP * n (docs/fidelity.md).
SEQUENCE_BASE = 10**19
SEQUENCE_STEP = 1000
# MessageGroupId and MessageDeduplicationId: "alphanumeric characters (a-z, A-Z, 0-9) and
# punctuation" (the Publish API reference), up to 128 of them.
_ID_CHARS = r"A-Za-z0-9!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_ID_TEXT = re.compile(f"[{_ID_CHARS}]{{1,{MAX_ID}}}")
# SNS's words for a FIFO publish without its ids (docs/fidelity.md, SNS): a handler's SDK
# call gets them, the command line stptui's own.
AWS_NO_GROUP = "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
AWS_NO_DEDUP_ID = (
    "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
    "MessageDeduplicationId provided explicitly"
)
# MessageStructure=json: SNS's words when the Message is no JSON object (SNS's parser's own
# failure and a value that is no object alike), or has no string "default" (docs/fidelity.md,
# SNS). The one protocol the simulator delivers to is `lambda` (every `sns` event is a Lambda
# subscription: a function's, or a batch job's trigger function's).
AWS_STRUCTURE_NOT_PARSED = (
    "Invalid parameter: Message Structure - JSON message body failed to parse"
)
AWS_STRUCTURE_NO_DEFAULT = (
    "Invalid parameter: Message Structure - No default entry in JSON message body"
)
STRUCTURE_HINT = (
    'give a JSON object of one string per protocol, "default" for the others: '
    '\'{"default": "for all", "lambda": "for functions"}\''
)
SUBSCRIBER_PROTOCOL = "lambda"
# The attribute types a Lambda subscription receives as "String".
_LAMBDA_STRING_TYPES = frozenset({"Number", "String.Array"})
MAX_POLICY_KEYS = 5
MAX_POLICY_COMBINATIONS = 150
# "The maximum size of a filter policy is 256 KB" (SNS developer guide, constraints).
MAX_POLICY_BYTES = 256 * 1024
_ATTR_NAME = re.compile(r"[A-Za-z0-9_\-.]{1,256}")
# Numeric matching in a filter policy: "the value can range from -10^9 to 10^9, with five
# digits of accuracy after the decimal point" (SNS developer guide, filter policy constraints).
FILTER_NUMBER_LIMIT = Decimal(10**9)
_FILTER_QUANTUM = Decimal("1e-5")


class SnsError(ValueError):
    """A Publish request SNS would refuse, with its error code and a hint. `aws` is SNS's
    own message when `message` is stptui's clearer one: a handler's SDK call gets SNS's."""

    def __init__(
        self, code: str, message: str, hint: str | None = None, *, aws: str | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.hint = hint
        # SNS's own message, without its code (the SDK's error has them apart).
        self.aws_message = message if aws is None else aws
        self.aws = None if aws is None else f"{code}: {aws}"


def compile_filter_policy(raw: Any) -> tuple[Any, patterns.Pattern | None, list[str]]:
    """A subscription's `filterPolicy` as SNS reads it: the policy (JSON text parsed, a
    directive's strings plain), its compiled matcher, and why SNS refuses it: SNS's own
    limits first, then the EventBridge grammar the policy is matched with. `validate` and
    the simulator both read policies here."""
    policy = patterns.as_json(raw)
    if isinstance(policy, str):
        # Text that is not JSON stays text: policy_problems then says what is wrong.
        with contextlib.suppress(ValueError):
            policy = jsontext.loads(policy)
    if policy is None or policy == {}:
        # SNS reads an empty policy as none: SetSubscriptionAttributes with "{}" removes it.
        return policy, None, []
    problems = policy_problems(policy)
    matcher: patterns.Pattern | None = None
    if not problems:
        try:
            matcher = patterns.compile_pattern(policy, every_element=True)
        except patterns.PatternError as exc:
            problems.append(f"FilterPolicy: {exc}")
    return policy, matcher, problems


def policy_problems(policy: Any) -> list[str]:
    """Why SNS would refuse this attribute-scoped filter policy (empty when it is valid)."""
    if isinstance(policy, str):
        try:
            policy = jsontext.loads(policy)
        except ValueError:
            return ["FilterPolicy: the policy is not valid JSON"]
    if not isinstance(policy, dict):
        return ["FilterPolicy: the policy must be a JSON object"]
    if not policy:
        return []  # no filter (see compile_filter_policy)
    problems: list[str] = []
    # The 5-name limit counts the policy's own names or, for a policy that is one `$or`
    # group, every name its branches use (see docs/fidelity.md).
    branches = (
        policy["$or"]
        if set(policy) == {"$or"} and patterns.is_or_group(policy["$or"])
        else [policy]
    )
    keys = {k for b in branches if isinstance(b, dict) for k in b if k != "$or"}
    combinations = _policy_level(policy, problems)
    if len(keys) > MAX_POLICY_KEYS:
        problems.append(
            f"FilterPolicy: Filter policy can not have more than {MAX_POLICY_KEYS} keys"
        )
    if combinations > MAX_POLICY_COMBINATIONS:
        problems.append("FilterPolicy: Filter policy is too complex")
    if len(json.dumps(policy, separators=(",", ":")).encode()) > MAX_POLICY_BYTES:
        problems.append(
            f"FilterPolicy: the policy is over {MAX_POLICY_BYTES // 1024} KB, SNS's largest"
        )
    # Several `$or` branches may break one rule the same way: say it once.
    return list(dict.fromkeys(problems))


def _policy_level(level: dict[str, Any], problems: list[str]) -> int:
    """The value combinations of one object of a policy, appending SNS's refusals of its
    values to `problems`: each name multiplies them by its number of values, and a `$or`
    group by the sum of its branches' ("(source * metricName) + (source * metricType)",
    the SNS guide's complexity example), so the limits hold inside `$or` branches too."""
    product = 1
    for key, values in level.items():
        if key == "$or" and patterns.is_or_group(values):
            product *= sum(_policy_level(branch, problems) for branch in values)
        elif isinstance(values, dict):
            problems.append(
                "FilterPolicy: Filter policy scope MessageAttributes does not support "
                "nested filter policy"
            )
        elif isinstance(values, list):
            product *= max(1, len(values))
            problems.extend(_wildcard_problems(values))
            problems.extend(
                f"FilterPolicy: {key}: the number {n} is outside numeric matching's range: "
                "-1e9 to 1e9, at most five digits after the decimal point"
                for n in _numbers_in(values)
                if not _filter_number_ok(n)
            )
    return product


def _wildcard_problems(values: list[Any]) -> list[str]:
    """SNS has no `wildcard` operator (EventBridge's), alone or inside `anything-but`."""
    problems: list[str] = []
    for value in values:
        if not isinstance(value, dict):
            continue
        if "wildcard" in value:
            problems.append("FilterPolicy: Unrecognized match type wildcard")
        inner = value.get("anything-but")
        if isinstance(inner, dict) and "wildcard" in inner:
            problems.append("FilterPolicy: Unsupported anything-but pattern: wildcard")
    return problems


def _numbers_in(value: Any) -> list[int | float]:
    """Every JSON number in a policy's value list, inside its operators too."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, list):
        return [n for v in value for n in _numbers_in(v)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers_in(v)]
    return []


def _filter_number_ok(n: int | float) -> bool:
    """Whether a policy may compare with `n`: within -1e9..1e9, five decimal places."""
    number = Decimal(repr(n) if isinstance(n, float) else n)
    return (
        number.is_finite()
        and abs(number) <= FILTER_NUMBER_LIMIT
        and number == number.quantize(_FILTER_QUANTUM, rounding=ROUND_HALF_EVEN)
    )


def read_attributes(pairs: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Message attributes in SNS's `{name: {Type, Value}}` form from plain values.

    A number is a Number attribute, a list a String.Array (its JSON text), bytes a Binary
    (its Value the bytes in base64, as SNS delivers it), anything else a String. Raises
    SnsError for names or values SNS refuses."""
    # No count limit: SNS's 10 is for raw delivery to SQS subscriptions, which Stacktape has
    # none of; the attributes count towards the 256 KB message size instead.
    out: dict[str, dict[str, str]] = {}
    for name, value in pairs.items():
        if (
            not _ATTR_NAME.fullmatch(name)
            or name.startswith(".")
            or name.endswith(".")
            or ".." in name
            or name.lower().startswith(("aws.", "amazon."))
        ):
            raise SnsError(
                "InvalidParameterValue",
                f"{name!r} is not a valid message attribute name",
                "letters, digits, _ - and . (not first, last or doubled); not AWS.* or Amazon.*",
            )
        if isinstance(value, bool) or value is None:
            value = json.dumps(value)
        if isinstance(value, (bytes, bytearray)):
            if not value:
                raise SnsError("InvalidParameterValue", _empty_value(name, "Binary"))
            out[name] = {"Type": "Binary", "Value": base64.b64encode(value).decode()}
        elif isinstance(value, (int, float, NumberText)):
            out[name] = {"Type": "Number", "Value": _number_value(name, value)}
        elif isinstance(value, list):
            out[name] = {"Type": "String.Array", "Value": json.dumps(value, separators=(",", ":"))}
        else:
            text = str(value)
            # A String.Array's text is taken as written: a filter policy reads it later.
            kind = "String.Array" if isinstance(value, ArrayText) else "String"
            if text == "":
                raise SnsError("InvalidParameterValue", _empty_value(name, kind))
            out[name] = {"Type": kind, "Value": text}
    return out


def _empty_value(name: str, kind: str) -> str:
    """SNS's refusal of an attribute without a value (the words SNS emulators reproduce)."""
    return (
        f"The message attribute '{name}' must contain non-empty message attribute value for "
        f"message attribute type '{kind}'."
    )


def _attribute_bytes(attr: dict[str, str]) -> int:
    """What an attribute's value adds to Publish's size: a Binary's bytes, not the length
    of their base64; any other value's UTF-8 text."""
    if attr["Type"] == "Binary":
        return len(base64.b64decode(attr["Value"]))
    return len(attr["Value"].encode("utf-8", "surrogatepass"))


def invalid_attributes(attributes: dict[str, dict[str, str]]) -> list[str]:
    """The names of the attributes a filter policy cannot read: String.Array attributes
    whose Value is no JSON array (SNS's NumberOfNotificationsFilteredOut-InvalidAttributes:
    "for example, because the attribute JSON is incorrectly formatted")."""
    bad: list[str] = []
    for name, attr in attributes.items():
        if attr["Type"] != "String.Array":
            continue
        try:
            value = jsontext.loads(attr["Value"])
        except ValueError:
            value = None
        if not isinstance(value, list):
            bad.append(name)
    return bad


def _number_value(name: str, value: int | float | str) -> str:
    """A Number attribute's Value: the text the publisher wrote (a NumberText) or the
    number's own, when SNS takes it; SnsError with SNS's error code otherwise."""
    text = value if isinstance(value, str) else str(value)
    fault = number_attribute_fault(text)
    if fault == "not a number":
        raise SnsError(
            "ParameterValueInvalid", f"Could not cast message attribute '{name}' value to number."
        )
    if fault is not None:
        raise SnsError(
            "ParameterValueInvalid",
            f"message attribute '{name}': the Number {text[:24]} is outside what SNS takes",
            NUMBER_ATTRIBUTE_RULE,
        )
    return text


def lambda_attributes(attrs: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Message attributes as SNS delivers them to a Lambda subscription: Number and
    String.Array "isn't supported for AWS Lambda subscriptions ... it's passed as the String
    data type" (SNS developer guide, message attribute data types), with the same Value text.
    Filter policies still see the published types: SNS filters before it delivers."""
    return {
        name: (
            attr
            if attr["Type"] not in _LAMBDA_STRING_TYPES
            else {"Type": "String", "Value": attr["Value"]}
        )
        for name, attr in attrs.items()
    }


class OutOfFilterRange:
    """A Number attribute outside the range of filter-policy numeric matching: it matches
    no numeric condition and no exact number, as a value of another type would not."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"{self.text} (a Number outside SNS's filter range, -1e9 to 1e9)"


def filter_number(text: str) -> int | float | OutOfFilterRange:
    """A Number attribute as filter policies compare it: outside -1e9..1e9, an
    OutOfFilterRange; inside, the number rounded (half to even) to five decimal places."""
    number = Decimal(text)
    if abs(number) > FILTER_NUMBER_LIMIT:
        return OutOfFilterRange(text)
    rounded = number.quantize(_FILTER_QUANTUM, rounding=ROUND_HALF_EVEN)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def attributes_for_matching(attributes: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The object a filter policy is matched against: typed values by attribute name.
    A Binary attribute is not in it: "Amazon SNS compares policy attributes only to message
    attributes that have the following data types: String, String.Array, Number" (SNS
    developer guide, filter policy constraints)."""
    doc: dict[str, Any] = {}
    for name, attr in attributes.items():
        kind, value = attr["Type"], attr["Value"]
        if kind == "Binary":
            continue
        if kind == "Number":
            doc[name] = filter_number(value)
        elif kind == "String.Array":
            doc[name] = json.loads(value)
        else:
            doc[name] = value
    return doc


class Subscription:
    """One `sns` trigger: a workload subscribed to a topic, with its policy and DLQ."""

    def __init__(self, sim: Simulator, topic: TopicSim, owner: str, trigger: SnsTrigger) -> None:
        self.topic = topic
        self.owner = owner
        self.trigger = trigger
        # A stable, id-stream-neutral subscription id: the same stack gives the same ARN.
        digest = hashlib.sha256(f"{topic.arn}|{owner}|{trigger.index}".encode()).hexdigest()
        uid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
        self.arn = f"{topic.arn}:{uid}"
        self.policy, self.matcher, self.problems = compile_filter_policy(trigger.filter_policy)
        if trigger.filter_policy_error is not None:
            self.problems = [trigger.filter_policy_error]
        self.dlq = trigger.on_delivery_failure
        # SNS FIFO topics deliver only to SQS queues: Subscribe refuses the `lambda` protocol,
        # which every `sns` trigger uses (a batch job's too, through its trigger function).
        self.refused: str | None = (
            f"{topic.name} is a FIFO topic: SNS delivers FIFO topics only to SQS queues and "
            "refuses a Lambda subscription"
            if topic.fifo
            else None
        )
        if self.refused is not None:
            self.problems = [self.refused, *self.problems]

    def filtered_reason(self, attributes: dict[str, dict[str, str]]) -> list[str]:
        """Why the message is filtered out (empty when it is delivered)."""
        if self.refused is not None:
            return [f"no subscription: {self.refused}"]
        if self.matcher is None and not self.problems:
            return []  # no policy, or an empty one
        if self.matcher is None:
            return [f"the filter policy is invalid: {'; '.join(self.problems)}"]
        bad = invalid_attributes(attributes)
        if bad:
            # SNS cannot read the message's attributes against the policy: it rejects it.
            return [
                f"message attribute {name!r} is a String.Array whose Value is no JSON array: "
                "the filter policy cannot read the message's attributes"
                for name in bad
            ]
        doc = attributes_for_matching(attributes)
        if self.matcher.matches(doc):
            return []
        lines = self.matcher.explain(doc).lines()
        named = _policy_names(self.policy)
        lines += [
            f"message attribute {name!r} is Binary: filter policies read only String, "
            "String.Array and Number attributes"
            for name, attr in attributes.items()
            if attr["Type"] == "Binary" and name in named
        ]
        return lines


def _policy_names(policy: Any) -> set[str]:
    """The attribute names a policy compares, inside `$or` branches too."""
    if not isinstance(policy, dict):
        return set()
    names: set[str] = set()
    for key, value in policy.items():
        if key == "$or" and patterns.is_or_group(value):
            for branch in value:
                names |= _policy_names(branch)
        else:
            names.add(key)
    return names


class TopicSim:
    """One SNS topic of the stack (or outside it, when a trigger names a foreign ARN)."""

    def __init__(self, key: str, name: str, arn: str, *, fifo: bool, dedup: bool) -> None:
        self.key = key
        self.name = name
        self.arn = arn
        self.fifo = fifo
        self.content_dedup = dedup
        self.external = False
        self.subscriptions: list[Subscription] = []
        # A FIFO topic's count of messages taken (its sequence numbers) and its deduplication
        # ids, each with the end of its interval and the answer of the message it names.
        self.sequence_count = 0
        self.dedup: dict[str, tuple[int, Published]] = {}


class Published:
    """What Publish answered: the MessageId, a FIFO topic's SequenceNumber (None on a
    standard topic), and whether the message was a duplicate within the deduplication
    interval (its id and number are then the first message's)."""

    __slots__ = ("duplicate", "message_id", "sequence_number")

    def __init__(self, message_id: str, sequence_number: str | None, duplicate: bool) -> None:
        self.message_id = message_id
        self.sequence_number = sequence_number
        self.duplicate = duplicate

    def answer(self) -> dict[str, Any]:
        """Publish's answer, keyed as boto3's response: SequenceNumber on FIFO topics only."""
        out: dict[str, Any] = {"MessageId": self.message_id}
        if self.sequence_number is not None:
            out["SequenceNumber"] = self.sequence_number
        return out


class TopicService:
    """Every topic and its subscriptions."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.topics: dict[str, TopicSim] = {}
        self.by_arn: dict[str, TopicSim] = {}
        for topic in sim.stack.topics:
            name = sim.resource_param(topic.name, "name")
            self._add(
                TopicSim(
                    topic.name,
                    name,
                    sim.arn(topic.name),
                    fifo=topic.fifo,
                    dedup=topic.content_based_dedup,
                )
            )
        for workload in sim.stack.of_type(Workload):
            for trig in workload.events:
                if not isinstance(trig, SnsTrigger) or trig.topic is None:
                    continue
                topic_obj = self._topic_for(trig)
                if topic_obj is not None:
                    topic_obj.subscriptions.append(
                        Subscription(sim, topic_obj, workload.name, trig)
                    )

    def _add(self, topic: TopicSim) -> None:
        self.topics[topic.key] = topic
        self.by_arn[topic.arn] = topic

    def _topic_for(self, trig: SnsTrigger) -> TopicSim | None:
        ref = trig.topic
        assert ref is not None
        if ref.target is not None:
            return self.topics.get(ref.target)
        if ref.raw in self.by_arn:
            return self.by_arn[ref.raw]
        if ref.by == "arn" and ref.raw.startswith("arn:aws:sns:"):
            name = ref.raw.rsplit(":", 1)[-1]
            topic = TopicSim(ref.raw, name, ref.raw, fifo=name.endswith(".fifo"), dedup=False)
            topic.external = True
            self._add(topic)
            return topic
        return None

    def topic(self, name: str) -> TopicSim:
        """The topic called `name` (resource name, AWS name or ARN), or SimError."""
        from stptui.sim.engine import SimError

        hit = self.topics.get(name) or self.by_arn.get(name)
        if hit is None:
            hit = next((t for t in self.topics.values() if t.name == name), None)
        if hit is not None:
            return hit
        from stptui.config.diagnostics import did_you_mean, with_article

        choices = sorted(k for k, t in self.topics.items() if not t.external)
        listing = f"topics: {', '.join(choices)}" if choices else "this stack has no topics"
        other = self.sim.stack.resources.get(name)
        if other is not None:
            raise SimError(
                f"{name!r} is {with_article(other.type)}, not an SNS topic", listing, word=name
            )
        guess = did_you_mean(name, choices)
        raise SimError(
            f"no SNS topic named {name!r}",
            f"did you mean {quote_word(guess)}?" if guess else listing,
            word=name,
        )

    # -- Publish ---------------------------------------------------------------------------

    def on_emission(self, emission: Emission, source: str) -> dict[str, Any]:
        """A handler's `notify` emission: SNS Publish on its topic (SimError when refused);
        Publish's answer."""
        f = emission.fields
        return self.publish_message(
            emission.target,
            f.get("message"),
            subject=f.get("subject"),
            attributes=f.get("attributes"),
            group=f.get("group"),
            dedup_id=f.get("dedupId"),
            structure=f.get("structure"),
            origin=source,
        ).answer()

    def check_publish(
        self,
        topic: str,
        message: Any,
        *,
        subject: str | None = None,
        attributes: dict[str, Any] | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        structure: str | None = None,
    ) -> tuple[TopicSim, str, dict[str, dict[str, str]]]:
        """The topic, message text and attributes (SNS's form) of a Publish SNS takes, or
        SimError for one it refuses; nothing changes (`publish` runs it first, the TUI's
        SNS dialog as it is typed). `attributes` are plain values (see `read_attributes`).
        With `structure` "json" the text is the one a Lambda subscriber gets
        (`protocol_message`)."""
        from stptui.sim.engine import SimError

        target = self.topic(topic)
        try:
            attrs = read_attributes(attributes or {})
            text = _validate(target, message, subject, attrs, group, dedup_id)
            if structure is not None:
                text = protocol_message(text, structure)
        except SnsError as exc:
            raise SimError(str(exc), exc.hint, aws=exc.aws) from None
        return target, text, attrs

    def publish(
        self,
        topic: str,
        message: Any,
        *,
        subject: str | None = None,
        attributes: dict[str, Any] | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        structure: str | None = None,
        origin: str = "command",
    ) -> str:
        """Publish one message; returns its MessageId (see `publish_message`)."""
        return self.publish_message(
            topic,
            message,
            subject=subject,
            attributes=attributes,
            group=group,
            dedup_id=dedup_id,
            structure=structure,
            origin=origin,
        ).message_id

    def publish_message(
        self,
        topic: str,
        message: Any,
        *,
        subject: str | None = None,
        attributes: dict[str, Any] | None = None,
        group: str | None = None,
        dedup_id: str | None = None,
        structure: str | None = None,
        origin: str = "command",
    ) -> Published:
        """Publish one message; what SNS answered.

        `attributes` are plain values (see `read_attributes`). `structure` is Publish's
        MessageStructure: "json" makes `message` a message per protocol, of which the
        subscribers get the `lambda` one (`protocol_message`). Raises SimError and changes
        nothing when SNS would refuse the request (see `check_publish`). On a FIFO topic a
        message whose deduplication id (given, or the SHA-256 of the message with
        content-based deduplication) was published within 5 minutes is taken and not
        delivered: a `topic.deduplicated` record, and the first message's answer."""
        target, text, attrs = self.check_publish(
            topic,
            message,
            subject=subject,
            attributes=attributes,
            group=group,
            dedup_id=dedup_id,
            structure=structure,
        )
        if not target.fifo:
            message_id = self._publish(target, text, subject, attrs, group, origin, None)
            return Published(message_id, None, False)
        now = self.sim.clock.now
        # The topic is the scope: Stacktape sets no FifoThroughputScope, whose default is
        # Topic ("the message deduplication scope is across the entire topic").
        # Content-based deduplication hashes the Message as published (all its protocols').
        body = message if structure is not None else text
        key = dedup_id or hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
        hit = target.dedup.get(key)
        if hit is not None and hit[0] > now:
            first = hit[1]
            data = {"message_id": first.message_id, "dedup_id": key, "origin": origin}
            self.sim.trace.emit((now, tk.TOPIC_DEDUPLICATED, target.key, data))
            return Published(first.message_id, first.sequence_number, True)
        target.sequence_count += 1
        number = str(SEQUENCE_BASE + SEQUENCE_STEP * target.sequence_count)
        message_id = self._publish(target, text, subject, attrs, group, origin, number, dedup_id)
        answer = Published(message_id, number, False)
        target.dedup[key] = (now + DEDUP_WINDOW_MS, answer)
        if len(target.dedup) > 4096:
            # A load of distinct ids keeps only those still in their interval.
            target.dedup = {k: v for k, v in target.dedup.items() if v[0] > now}
        return answer

    def _publish(
        self,
        topic: TopicSim,
        message: str,
        subject: str | None,
        attrs: dict[str, dict[str, str]],
        group: str | None,
        origin: str,
        sequence_number: str | None,
        dedup_id: str | None = None,
    ) -> str:
        sim = self.sim
        now = sim.clock.now
        message_id = sim.new_id()
        verdicts = [(sub, sub.filtered_reason(attrs)) for sub in topic.subscriptions]
        invalid = invalid_attributes(attrs) if topic.subscriptions else []
        to_lambda = lambda_attributes(attrs)
        data: dict[str, Any] = {
            "message_id": message_id,
            "topic": topic.key,
            "origin": origin,
            "subscriptions_matched": sum(1 for _, why in verdicts if not why),
        }
        if group is not None:
            # A FIFO topic's order is per group, and no subscriber of the stack shows it:
            # the record says which group the message was published in, as `message.sent` does.
            data["group"] = group
        if dedup_id is not None:
            # The id the publisher gave (a FIFO topic's), which `explain` takes.
            data["dedup_id"] = dedup_id
        if sequence_number is not None:
            data["sequence_number"] = sequence_number
        sim.trace.emit((now, tk.TOPIC_PUBLISHED, topic.key, data))
        for sub, why in verdicts:
            if why:
                sim.trace.emit(
                    (
                        now,
                        tk.NOTIFICATION_FILTERED,
                        topic.key,
                        {
                            "message_id": message_id,
                            "target": sub.owner,
                            "reason": why,
                            # What SNS's FilteredOut metrics split by: whether the message
                            # had attributes, and whether they were unreadable.
                            "has_attributes": bool(attrs),
                            "invalid_attributes": bool(invalid),
                        },
                    )
                )
                continue
            event = lambda_event(sim, sub, message_id, message, subject, to_lambda, now)
            notification = event["Records"][0]["Sns"]
            self._deliver(sub, event, notification, attrs)
        return message_id

    def _deliver(
        self,
        sub: Subscription,
        event: dict[str, Any],
        notification: dict[str, Any],
        attrs: dict[str, dict[str, str]],
    ) -> None:
        sim = self.sim
        now = sim.clock.now
        message_id = notification["MessageId"]
        try:
            delivered = deliver_to_workload(sim, sub.owner, event, trigger="sns", origin=message_id)
        except DeliveryError as exc:
            # The DLQ, an SQS queue, receives the notification JSON as SNS sends it to SQS
            # (published attribute types kept, as in the SNS guide's SQS example), with the
            # message's own attributes but its Binary ones, which the simulated queues do not
            # hold (the body keeps them; docs/fidelity.md, SNS).
            plain = {
                k: (NumberText(v["Value"]) if v["Type"] == "Number" else v["Value"])
                for k, v in attrs.items()
                if v["Type"] != "Binary"
            }
            body = dlq_body(notification, attrs)
            dlq = dead_letter(sim, sub.dlq, body, plain, message_id)
            data: dict[str, Any] = {
                "message_id": message_id,
                "target": sub.owner,
                "error_code": exc.code,
                "error": exc.message,
                **dlq,
            }
            sim.trace.emit((now, tk.NOTIFICATION_DELIVERY_FAILED, sub.topic.key, data))
            return
        sim.trace.emit(
            (
                now,
                tk.NOTIFICATION_DELIVERED,
                sub.topic.key,
                {"message_id": message_id, "target": sub.owner, "delivery_id": delivered},
            )
        )

    # -- hooks -----------------------------------------------------------------------------

    def on_destination(self, function: str, which: str, target: str, record: dict[str, Any]) -> str:
        """A Lambda destination that is a topic: the invocation record is the message;
        returns its message id.

        An on-failure record larger than SNS takes is sent without its `requestPayload` and
        `responsePayload`: Lambda "will drop the payload" (Lambda API reference, OnFailure)."""
        text = json.dumps(record, separators=(",", ":"))
        if which == "onFailure" and len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
            dropped = {k: v for k, v in record.items() if k not in _PAYLOAD_KEYS}
            text = json.dumps(dropped, separators=(",", ":"))
        return self.publish(target, text, origin=f"{function}:{which}")

    # -- views -----------------------------------------------------------------------------

    def listing(self) -> list[dict[str, Any]]:
        """Each topic with its subscriptions, for `show topics`."""
        return [
            {
                "topic": t.key,
                "name": t.name,
                "arn": t.arn,
                "fifo": t.fifo,
                "external": t.external,
                "subscriptions": [
                    {
                        "target": s.owner,
                        "subscription_arn": s.arn,
                        "filter_policy": s.policy,
                        "dlq": (s.dlq.target or s.dlq.raw) if s.dlq is not None else None,
                        "problems": s.problems,
                    }
                    for s in t.subscriptions
                ],
            }
            for t in self.topics.values()
        ]


def lambda_event(
    sim: Simulator,
    sub: Subscription,
    message_id: str,
    message: str,
    subject: str | None,
    attributes: dict[str, dict[str, str]],
    now: int,
) -> dict[str, Any]:
    """The event SNS invokes the function of `sub` with for one message (`attributes` as
    `lambda_attributes` gives them), keys in AWS's order."""
    topic = sub.topic
    notification = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic.arn,
        "Subject": subject,
        "Message": message,
        "Timestamp": iso_ms(now),
        "SignatureVersion": "1",
        "Signature": _signature(message_id, message),
        # The certificate's name holds 32 hex digits, as SNS's do
        # (SimpleNotificationService-<32 hex>.pem); this one is a stand-in.
        "SigningCertUrl": (
            f"https://sns.{sim.region}.amazonaws.com/SimpleNotificationService-{'0' * 32}.pem"
        ),
        "UnsubscribeUrl": (
            f"https://sns.{sim.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub.arn}"
        ),
        "MessageAttributes": attributes,
    }
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": sub.arn,
                "Sns": notification,
            }
        ]
    }


def dlq_body(notification: dict[str, Any], attrs: dict[str, dict[str, str]]) -> str:
    """What a subscription's dead-letter queue receives of a notification it could not
    deliver: the JSON SNS sends an SQS endpoint (`_sqs_envelope`), as compact text."""
    return json.dumps(_sqs_envelope(notification, attrs), separators=(",", ":"))


def _sqs_envelope(notification: dict[str, Any], attrs: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The JSON SNS sends an SQS (or HTTP) endpoint, from the Lambda record's `Sns` object:
    `SigningCertURL` and `UnsubscribeURL` where Lambda has `...Url`, no `Subject` when none
    was published ("this name-value pair does not appear", HTTP/HTTPS notification JSON
    format), and the published attribute types, only when the message has attributes."""
    renamed = {"SigningCertUrl": "SigningCertURL", "UnsubscribeUrl": "UnsubscribeURL"}
    envelope = {
        renamed.get(key, key): value
        for key, value in notification.items()
        if key != "MessageAttributes" and not (key == "Subject" and value is None)
    }
    if attrs:
        envelope["MessageAttributes"] = attrs
    return envelope


def _validate(
    topic: TopicSim,
    message: Any,
    subject: str | None,
    attrs: dict[str, dict[str, str]],
    group: str | None,
    dedup_id: str | None,
) -> str:
    """The message text of a valid Publish; SnsError otherwise."""
    if not isinstance(message, str) or message == "":
        raise SnsError("InvalidParameter", "Empty message", "give the message text")
    size = len(message.encode("utf-8", "surrogatepass")) + sum(
        len(k.encode()) + len(v["Type"]) + _attribute_bytes(v) for k, v in attrs.items()
    )
    if size > MAX_MESSAGE_BYTES:
        # AWS's code and words (LocalStack's AWS-validated test_publish_too_long_message),
        # then our note of the sizes, as PutEvents' refusal has (services.bus).
        raise SnsError(
            "InvalidParameter",
            "Invalid parameter: Message too long. (The message and its attributes are "
            f"{size:,} bytes; SNS takes at most {MAX_MESSAGE_BYTES:,}.)",
            "put the data in S3 and publish its key",
        )
    if subject is not None and (
        subject == "" or len(subject) > MAX_SUBJECT or not subject.isprintable()
    ):
        raise SnsError(
            "InvalidParameter",
            "Subject must be 1-100 characters of text without line breaks or control characters",
        )
    for name, value in (("MessageGroupId", group), ("MessageDeduplicationId", dedup_id)):
        if value is not None and not _ID_TEXT.fullmatch(value):
            raise SnsError(
                "InvalidParameter",
                f"{name} must be 1-{MAX_ID} letters, digits or punctuation, got {value!r}",
            )
    if topic.fifo:
        if not group:
            raise SnsError(
                "InvalidParameter",
                f"{topic.name} is a FIFO topic: every message needs a message group id",
                # Both options when both are missing: the hint's line must not be refused too.
                f"publish-sns {quote_word(topic.key)} MESSAGE --group G"
                + ("" if dedup_id or topic.content_dedup else " --dedup-id ID"),
                aws=AWS_NO_GROUP,
            )
        if not dedup_id and not topic.content_dedup:
            raise SnsError(
                "InvalidParameter",
                f"{topic.name} has no content-based deduplication: give a deduplication id",
                f"publish-sns {quote_word(topic.key)} MESSAGE --group {quote_word(group)} "
                "--dedup-id ID",
                aws=AWS_NO_DEDUP_ID,
            )
    elif dedup_id is not None:
        # A standard topic takes a group id (forwarded only to SQS subscriptions, for fair
        # queues) but no deduplication id.
        raise SnsError(
            "InvalidParameter",
            f"{topic.name} is a standard topic: a deduplication id is for FIFO topics",
            "leave out the deduplication id: a standard topic deduplicates nothing",
            aws="Invalid parameter: MessageDeduplicationId Reason: The request includes "
            "MessageDeduplicationId parameter that is not valid for this topic type",
        )
    return message


def protocol_message(text: str, structure: str) -> str:
    """The message a Lambda subscription gets of a Publish whose MessageStructure is
    `structure` and Message `text`: with "json", the string of the object's `lambda` key,
    else of its `default` key ("non-string values will cause the key to be ignored", SNS
    API Reference, Publish). SnsError, in SNS's words for a handler's SDK call, when SNS
    refuses it: another MessageStructure, a Message that is no JSON object, or one without
    a string `default`."""
    if structure != "json":
        raise SnsError(
            "InvalidParameter",
            f"MessageStructure must be json, not {quoted(structure)}",
            "leave out the message structure to send the message as it is to every subscriber",
            aws="Invalid parameter: MessageStructure",
        )
    try:
        parsed = jsontext.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise SnsError(
            "InvalidParameter",
            "with MessageStructure json the message is not a JSON object",
            STRUCTURE_HINT,
            aws=AWS_STRUCTURE_NOT_PARSED,
        )
    default = parsed.get("default")
    if not isinstance(default, str):
        raise SnsError(
            "InvalidParameter",
            'with MessageStructure json the message has no "default" key whose value is a string',
            STRUCTURE_HINT,
            aws=AWS_STRUCTURE_NO_DEFAULT,
        )
    chosen = parsed.get(SUBSCRIBER_PROTOCOL)
    return chosen if isinstance(chosen, str) else default


def _signature(message_id: str, message: str) -> str:
    """A stable stand-in for SNS's signature (not a verifiable one)."""
    digest = hashlib.sha256(f"{message_id}\n{message}".encode("utf-8", "surrogatepass")).digest()
    return base64.b64encode(digest * 8).decode()


def wire(sim: Simulator) -> None:
    """Create the topics and subscriptions; serve topic destinations."""
    service = TopicService(sim)
    sim.services["topics"] = service
    sim.destination_handlers["sns-topic"] = service.on_destination
    sim.emission_handlers["notify"] = service.on_emission
