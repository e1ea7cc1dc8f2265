"""A workload's declared behaviour as compiled from the behaviours file: its `fail`,
`timeout` and `partial` rules (`Rule`), its emissions (`EmitSpec`, which evaluates an
item's fields against one input and says how to fix a field that does not fit), its log
lines (`LogLine`), the `WorkloadBehavior` that holds them, and its one-line summary
(`describe_behavior`).

The reader builds these; the runtime decides invocations with them.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stptui.config.diagnostics import Position
from stptui.sim.behavior.contexts import InputViews
from stptui.sim.behavior.durations import format_duration
from stptui.sim.behavior.errors import BehaviorError, FieldError, Site, json_kind, json_text
from stptui.sim.behavior.expressions import INTERPRETER, node_text, search, truthy
from stptui.sim.behavior.fields import WHOLE_MESSAGE_FIELDS, WHOLE_MESSAGE_PARAMETERS, normalise
from stptui.sim.behavior.outcome import Emission, EmissionKind, InvocationInput

DEFAULT_DURATION_MS = 100


class Rule:
    """One `fail`, `timeout` or `partial` rule."""

    __slots__ = ("count", "error_type", "expr", "expression", "message", "mode", "rate", "where")

    def __init__(self, mode: str, where: Site) -> None:
        self.mode = mode  # always | never | first | rate | when
        self.where = where
        self.rate = 0.0
        self.count = 0
        self.expression = ""
        self.expr: Any = None
        self.error_type = "Error"
        self.message: str | None = None

    def fires(
        self, inp: InvocationInput, rng: random.Random, data: InputViews | None
    ) -> str | None:
        """None when the rule does not fire; else a short reason (with a messageId for `when`)."""
        if self.mode != "when":
            return self.fires_nth(inp.nth, rng)
        if data is None:
            return None
        noun = "message" if data.inp.trigger == "sqs" else "record"
        for mid, ctx in data.contexts():
            if truthy(search(self.expr, ctx, self.where)):
                return f"when {self.expression}" + (f" ({noun} {mid})" if mid else "")
        return None

    def fires_nth(self, nth: int, rng: random.Random) -> str | None:
        """`fires` for every mode but `when`: only the invocation count and the rng matter."""
        mode = self.mode
        if mode == "rate":
            # Rates of 0 and 1 are decided without a draw (fewer draws, same meaning).
            if self.rate <= 0.0:
                return None
            if self.rate >= 1.0 or rng.random() < self.rate:
                return f"probability {self.rate:g}"
            return None
        if mode == "first":
            return f"invocation {nth} of the first {self.count}" if nth <= self.count else None
        if mode == "always":
            return "always"
        return None

    def describe(self, verb: str, suffix: str = "", unit: str = "invocation") -> str:
        """E.g. `fails with probability 0.3 (PaymentDeclined)`, `fails on the first 2
        invocations (Error)`; `unit` is what a run of the workload is called (a batch job
        has attempts)."""
        mode = self.mode
        if mode == "rate":
            text = f"{verb} with probability {self.rate:g}"
        elif mode == "first":
            counted = unit if self.count == 1 else f"{self.count} {unit}s"
            text = f"{verb} on the first {counted}"
        elif mode == "always":
            text = f"always {verb}"
        elif mode == "never":
            text = f"never {verb}"
        else:
            text = f"{verb} when {self.expression}"
        return text + suffix


class EmitSpec:
    """One `emit` item: kind, literal target, and (name, value, is_expression) fields, with
    the place of each field (and of `when`) in the file, for the messages of a field whose
    value does not fit when the emission runs."""

    __slots__ = (
        "fields",
        "kind",
        "origin",
        "pos",
        "sites",
        "target",
        "when",
        "when_site",
        "where",
    )

    def __init__(
        self, kind: EmissionKind, target: str, where: str, pos: Position | None = None
    ) -> None:
        self.kind: EmissionKind = kind
        self.target = target
        self.where = where
        self.pos = pos  # the target's place in the file, for `stptui validate`
        # The item's place and key path, which a refusal of the request names.
        self.origin = where
        self.fields: list[tuple[str, Any, bool]] = []
        self.sites: dict[str, Site] = {}
        self.when: Any = None
        self.when_site: Site | str = f"{where}.when"

    def build(self, ctx: Any) -> Emission | None:
        """Evaluate the fields against one input; None when `when` does not hold."""
        if self.when is not None and not truthy(search(self.when, ctx, self.when_site)):
            return None
        values: dict[str, Any] = {}
        for name, value, is_expr in self.fields:
            site = self.sites.get(name) or f"{self.where}.{name}"
            values[name] = search(value, ctx, site) if is_expr else value
        try:
            fields = normalise(self.kind, values, self.where)
        except FieldError as exc:
            raise self._refused(exc, ctx) from None
        origin = self.origin
        missing = WHOLE_MESSAGE_FIELDS.get(self.kind)
        if missing is not None and fields[missing] is None:
            origin = self._null_note(missing, ctx)
        return Emission(self.kind, self.target, fields, origin)

    def _expression(self, name: str) -> tuple[Any, Site]:
        """The compiled expression of field `name` (None for a constant) and its place."""
        compiled = next((v for n, v, is_expr in self.fields if n == name and is_expr), None)
        return compiled, self.sites.get(name) or Site(f"{self.where}.{name}")

    def _refused(self, exc: FieldError, ctx: Any) -> BehaviorError:
        """A field whose value does not fit, said with the expression that found it, where
        it is written and the fix."""
        compiled, site = self._expression(exc.name)
        if compiled is None or site.expression is None:
            return exc
        at = Site(f"{self.where}.{exc.label}", site.pos).at()
        found = json_kind(exc.value)
        if exc.label != exc.name:  # a part of the value: an attribute of `attributes`
            found = f"an object whose {exc.label.partition('.')[2]!r} is {found}"
        message = f"{at}: {exc.need}, but `{site.expression}` found {found}"
        return BehaviorError(message, self._fix(exc, compiled, site.expression, ctx))

    def _fix(self, exc: FieldError, compiled: Any, expression: str, ctx: Any) -> str | None:
        """How to write the field so that it fits: for a bare name that found nothing, the
        raw literal a constant needs (`source: orders` meant the text 'orders' far more
        often than a field `orders`); for other nulls, the path to check or the `when` that
        skips such inputs; for text where a number goes, to_number()."""
        value, tree = exc.value, compiled.parsed
        if value is None and exc.label == exc.name:
            if tree.get("type") == "field" and not (isinstance(ctx, dict) and tree["value"] in ctx):
                word = tree["value"]
                return (
                    f"`{exc.name}: {word}` reads the input's field {word!r}, which this input "
                    f"does not have; a constant string is a raw literal: {exc.name}: \"'{word}'\""
                )
            text = _text_on_the_way(tree, ctx)
            if text is not None:
                return (
                    f"`{text}` is a string in this input (an HTTP event's body is one), and "
                    f"JMESPath reads no field of a string: write `{text}` whole, or read its "
                    "fields where it arrives as JSON (an SQS body is parsed)"
                )
            return _null_fix(expression)
        if isinstance(value, str) and exc.name == "delay":
            return f'convert the text: {exc.name}: "to_number({expression})"'
        return exc.hint

    def _null_note(self, name: str, ctx: Any) -> str:
        """What the service's refusal of a whole message that found null is told: where the
        field is written, what found nothing, and the fix."""
        compiled, site = self._expression(name)
        at = Site(f"{self.where}.{name}", site.pos).at()
        if compiled is None or site.expression is None:
            return f"{at} is null; fix: give the {name}"
        exc = FieldError(self.where, name, "", None)
        parameter = WHOLE_MESSAGE_PARAMETERS[name][0]
        return (
            f"{at}: `{site.expression}` found null, so the request has no {parameter}; fix: "
            f"{self._fix(exc, compiled, site.expression, ctx)}"
        )


class LogLine:
    """One line of `log`: a JMESPath expression (its value written as an emission's `body`
    is: text as it is, anything else as compact JSON), or a constant's text, made once."""

    __slots__ = ("is_expr", "site", "value")

    def __init__(self, value: Any, is_expr: bool, site: Site) -> None:
        self.value = value  # the compiled expression, or the constant's text
        self.is_expr = is_expr
        self.site = site

    def text(self, ctx: Any) -> str | None:
        """The line for one input; None when its expression finds null (no line: that is
        how a line is made conditional, `COND && LINE || null`)."""
        if not self.is_expr:
            return self.value
        found = search(self.value, ctx, self.site)
        return None if found is None else json_text(found, self.site.at())


def _text_on_the_way(tree: dict[str, Any], ctx: Any) -> str | None:
    """The longest start of the path `tree` that is a string in `ctx`, as written: `body`
    of `body.id` when the body is text, for which JMESPath finds null."""
    node = tree
    while node.get("type") in ("subexpression", "index_expression"):
        left = node["children"][0]
        try:
            found = INTERPRETER.visit(left, ctx)
        except Exception:  # the start fails as the whole did: nothing more to say
            return None
        if isinstance(found, str):
            return node_text(left)
        node = left
    return None


def _null_fix(expression: str) -> str:
    """The fix for an expression that found null in this input. Its `when:` is YAML as the
    behaviours file takes it: the expression in JSON's double quotes (a quoted name in it,
    `"order id"`, escaped)."""
    return (
        f"check the path against the input (docs/behaviors.md, JMESPath input), or add "
        f"when: {json.dumps(expression, ensure_ascii=False)} to the item to skip inputs "
        "without it"
    )


@dataclass(frozen=True, slots=True)
class PollSpec:
    """One `poll` item of a container workload's behaviour: the queue its code polls, the
    ReceiveMessage parameters it passes, how many pollers run it, and which container runs
    them (docs/behaviors.md, "Workers that poll queues")."""

    workload: str
    container: str
    queue: str
    max_messages: int
    wait_s: int
    visibility_s: int | None
    concurrency: int
    # The behaviour that processes each message (`WORKLOAD` or `WORKLOAD.CONTAINER`).
    key: str
    # Where the item is written in the behaviours file (the graph's `polls` edge says so).
    pos: Position | None = field(default=None, compare=False)
    # `heartbeat`: every `heartbeat_every_ms` while a poller holds messages, it calls
    # ChangeMessageVisibility on each with `heartbeat_extend_s` (None: no heartbeat).
    heartbeat_every_ms: int | None = None
    heartbeat_extend_s: int | None = None
    # `onFailure.visibilityTimeout`: the ChangeMessageVisibility a failed message gets
    # (None: it waits out its visibility timeout).
    failure_visibility_s: int | None = None


class WorkloadBehavior:
    """One workload's compiled behaviour."""

    __slots__ = (
        "description",
        "dur_hi",
        "dur_lo",
        "emits",
        "fail_rules",
        "handler",
        "handler_ref",
        "init_range",
        "log_lines",
        "memory_mb",
        "name",
        "partial",
        "polls",
        "rbif",
        "response",
        "response_is_expr",
        "response_site",
        "simple",
        "timeout_rule",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.dur_lo = DEFAULT_DURATION_MS
        self.dur_hi = DEFAULT_DURATION_MS
        self.fail_rules: list[Rule] = []
        self.timeout_rule: Rule | None = None
        self.partial: Rule | None = None
        self.rbif = False
        self.emits: list[EmitSpec] = []
        self.log_lines: list[LogLine] = []
        self.response: Any = None
        self.response_is_expr = False
        self.response_site: Site | str = f"{name}.response"
        self.handler: Callable[..., Any] | None = None
        self.handler_ref: str | None = None
        self.memory_mb: int | None = None
        # `initDuration`: how long a new execution environment's init phase takes before
        # its first invocation's handler starts, (low, high) drawn between at each cold
        # start when they differ (None: no time, as without the key).
        self.init_range: tuple[int, int] | None = None
        # The queues a container workload's code polls (empty for everything else).
        self.polls: list[PollSpec] = []
        self.description = ""
        # True when deciding needs neither the event nor a handler (the fast path).
        self.simple = True

    def finish(self) -> None:
        """Work out the fast-path flag once everything is read."""
        self.simple = (
            self.handler is None
            and not self.emits
            and not self.log_lines
            and self.partial is None
            and self.response is None
            and all(r.mode != "when" for r in self.fail_rules)
            and (self.timeout_rule is None or self.timeout_rule.mode != "when")
        )


DEFAULT_BEHAVIOR = WorkloadBehavior("")


def describe_behavior(b: WorkloadBehavior, skipped: str | None, unit: str = "invocation") -> str:
    """The one-line summary `describe` returns, built once at load time; `unit` is what one
    run of the workload is called (`attempt` for a batch job)."""
    if b.dur_lo == b.dur_hi:
        parts = [format_duration(b.dur_lo)]
    else:
        parts = [f"{format_duration(b.dur_lo)} to {format_duration(b.dur_hi)}"]
    if b.init_range is not None:
        lo, hi = b.init_range
        span = format_duration(lo)
        parts.append(
            f"cold start {span}" if lo == hi else f"cold start {span} to {format_duration(hi)}"
        )
    if b.handler_ref:
        if b.handler is not None:
            parts.append(f"Python handler {b.handler_ref}")
        else:
            parts.append(f"handler {b.handler_ref} skipped ({skipped})")
    if b.timeout_rule is not None:
        parts.append(b.timeout_rule.describe("times out", unit=unit))
    if b.handler is None:
        for rule in b.fail_rules:
            parts.append(rule.describe("fails", f" ({rule.error_type})", unit))
        if b.partial is not None:
            if b.partial.mode == "rate":
                text = f"reports each record failed with probability {b.partial.rate:g}"
            else:
                text = f"reports records where {b.partial.expression} as failed items"
            if not b.rbif:
                text += " (ignored: reportBatchItemFailures is off)"
            parts.append(text)
        if not b.fail_rules and b.timeout_rule is None and b.partial is None:
            parts.append("always succeeds")
        if b.log_lines:
            count = len(b.log_lines)
            parts.append(f"logs {count} line{'s' * (count != 1)}")
        if b.emits:
            # Each kind and target once, in first-declared order, with how many items
            # name it: three conditional `publish` items to one bus read as one.
            counted = Counter(f"{e.kind}->{e.target}" for e in b.emits)
            parts.append(
                "emits " + ", ".join(f"{t} ×{n}" if n > 1 else t for t, n in counted.items())
            )
        if b.response is not None:
            parts.append("returns a declared response")
    for poll in b.polls:
        pollers = f"{poll.concurrency} poller{'s' * (poll.concurrency != 1)}"
        parts.append(f"polls {poll.queue} ({pollers}, up to {poll.max_messages} a receive)")
    return "; ".join(parts)
