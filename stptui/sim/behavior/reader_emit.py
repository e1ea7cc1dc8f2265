"""The behaviours file reader's checks of `emit` items: each item's kind and fields, its target
(a resource of the right type in the stack), FIFO queues' and topics' group and
deduplication ids, and the fields whose values are known when the file loads (constants,
JMESPath literals, updateItem expressions, execution names), which are checked now rather
than at every invocation.

`EmitChecks` is a part of the reader (`reader.Reader` inherits it): its methods report
through the reader's `report` and read the stack it was given. A module of its own because
emissions, of seventeen kinds, take more checking than every other key together.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stptui.config.diagnostics import did_you_mean, plural, with_article
from stptui.config.loader import DataPath
from stptui.config.model import Queue, SnsTopic
from stptui.config.permissions import ALSO_TARGET_TYPES, EMISSION_TARGET_TYPES
from stptui.sim.behavior.declared import EmitSpec, WorkloadBehavior
from stptui.sim.behavior.errors import BehaviorError, Site
from stptui.sim.behavior.fields import (
    WHOLE_MESSAGE_FIELDS,
    WHOLE_MESSAGE_PARAMETERS,
    normalise,
    own_gateways,
    update_fields,
)
from stptui.sim.ddbjson import DynamoDBError
from stptui.textsafe import named_list, quote_word

if TYPE_CHECKING:
    from stptui.sim.behavior.reader import Reader as _ReaderBase
else:
    _ReaderBase = object

_EMIT_FIELDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # kind: (target key, required fields, optional fields)
    "send": ("queue", ("body",), ("delay", "group", "dedupId", "attributes")),
    "publish": ("bus", ("source", "detailType", "detail"), ()),
    "notify": ("topic", ("message",), ("subject", "group", "dedupId", "attributes", "structure")),
    "put": ("bucket", ("key", "content"), ()),
    "restoreObject": ("bucket", ("key", "days"), ("tier", "versionId")),
    "invoke": ("function", ("payload",), ()),
    "putRecord": ("stream", ("data",), ("partitionKey",)),
    "produce": ("topic", ("value",), ("key", "headers", "partition")),
    "putItem": ("table", ("item",), ()),
    "deleteItem": ("table", ("key",), ()),
    "updateItem": ("table", ("key", "update"), ("names", "values", "condition")),
    "startExecution": ("stateMachine", (), ("input", "name")),
    "sendTaskSuccess": ("stateMachine", ("token",), ("output",)),
    "sendTaskFailure": ("stateMachine", ("token",), ("error", "cause")),
    "sendTaskHeartbeat": ("stateMachine", ("token",), ()),
    # `gateway` may be left out: the function's own WebSocket API (see `own_gateway`).
    "postToConnection": ("gateway", ("connectionId", "data"), ()),
}

# How a notify writes the MessageStructure json as a constant (a string is an expression).
_STRUCTURE_LITERAL = "write the constant as a raw literal: structure: \"'json'\""

_KINDS_IN_WORDS = ", ".join(list(_EMIT_FIELDS)[:-1]) + f" or {list(_EMIT_FIELDS)[-1]}"


# Valid stand-ins for the other fields when a constant field is checked at load time.
_PLACEHOLDERS: dict[str, Any] = {
    "body": "",
    "source": "s",
    "detailType": "d",
    "detail": {},
    "key": "k",
    "content": "",
    "payload": None,
    "data": "",
    "value": "",
    "item": {},
    "update": "",
    "token": "t",
    "days": 1,
    "connectionId": "c",
}
# Where a field of one emission has another's name: updateItem's key is an object.
_KIND_PLACEHOLDERS: dict[str, dict[str, Any]] = {"updateItem": {"key": {}}}


def _file_hint(exc: BehaviorError | DynamoDBError) -> str | None:
    """The hint of a refused updateItem, said in the behaviours file's terms: DynamoDB's
    own hints name the `update-item` command's options and DynamoDB JSON, but an emission
    gives `names` and `values`, the latter plain JSON."""
    undefined = re.search(r"not defined; attribute (name|value): (\S+)", str(exc))
    if undefined is not None:
        kind, placeholder = undefined.groups()
        if kind == "value":
            return f'add it to values, in plain JSON: values: {{"{placeholder}": 1}}'
        return f'add it to names: names: {{"{placeholder}": attributeName}}'
    if exc.hint is not None and "--" in exc.hint:
        return "see docs/behaviors.md, Updating items"
    return exc.hint


class EmitChecks(_ReaderBase):
    """The reader's checks of `emit` items (`Reader` inherits them)."""

    def emit(self, b: WorkloadBehavior, value: Any, path: DataPath) -> None:
        if not isinstance(value, list):
            self.report(
                path,
                "behavior-bad-value",
                f"emit is a list of {' / '.join(_EMIT_FIELDS)} items",
                hint='emit:\n      - send: {queue: myQueue, body: "body"}',
            )
            return
        for i, item in enumerate(value):
            ipath = (*path, i)
            if not isinstance(item, dict) or len(item) != 1:
                hint = None
                if isinstance(item, dict) and "when" in item:
                    hint = "put `when` inside the item: - send: {queue: q, body: body, when: EXPR}"
                self.report(
                    ipath,
                    "behavior-bad-value",
                    f"each emit item has exactly one key: {_KINDS_IN_WORDS}",
                    hint=hint,
                )
                continue
            kind, fields = next(iter(item.items()))
            if kind not in _EMIT_FIELDS:
                guess = did_you_mean(kind, _EMIT_FIELDS)
                self.report(
                    (*ipath, kind),
                    "behavior-unknown-key",
                    f"unknown emission {kind!r}" + (f"; did you mean {guess!r}?" if guess else ""),
                    key=True,
                    hint="emissions: " + ", ".join(_EMIT_FIELDS),
                )
                continue
            spec = self.emission(kind, fields, (*ipath, kind), f"{self.fn}.emit[{i}].{kind}")
            if spec is not None:
                b.emits.append(spec)

    def emission(self, kind: str, fields: Any, path: DataPath, where: str) -> EmitSpec | None:
        target_key, required, optional = _EMIT_FIELDS[kind]
        if not isinstance(fields, dict):
            self.report(
                path, "behavior-bad-value", f"{kind} needs a mapping with {target_key} and fields"
            )
            return None
        self.unknown_keys(fields, path, (target_key, *required, *optional, "when"))
        if kind == "postToConnection" and target_key not in fields:
            own = self.own_gateway(path)
            if own is None:
                return None
            fields = {**fields, target_key: own}
        ok = True
        for name in (target_key, *required):
            if name not in fields:
                self.report(path, "behavior-missing-key", f"{kind} needs `{name}`")
                ok = False
        target = fields.get(target_key)
        if target is not None and not self.check_target_decl(kind, target, (*path, target_key)):
            ok = False
        spec = EmitSpec(
            kind,  # type: ignore[arg-type]
            target if isinstance(target, str) else "",
            where,
            self.y.pos((*path, target_key)),
        )
        spec.origin = Site(where, self.y.pos(path, key=True)).at()
        for name in (*required, *optional):
            if name not in fields:
                continue
            raw = fields[name]
            if isinstance(raw, str):
                compiled = self.compile(raw, (*path, name))
                if compiled is None:
                    ok = False
                    continue
                spec.fields.append((name, compiled, True))
                spec.sites[name] = Site(f"{where}.{name}", self.y.pos((*path, name)), raw)
                # A literal (`'5'`, `` `[1]` ``) gives the same value at every invocation:
                # check it now, as a YAML constant is checked.
                tree = compiled.parsed
                if tree.get("type") == "literal" and not self.check_constant(
                    kind, name, tree.get("value"), path, where
                ):
                    ok = False
                if kind == "updateItem" and not self.check_expression(name, compiled, path):
                    ok = False
                if kind == "startExecution" and not self.check_execution_name(name, compiled, path):
                    ok = False
            else:
                if not self.check_constant(kind, name, raw, path, where):
                    ok = False
                    continue
                spec.fields.append((name, raw, False))
        if "when" in fields:
            compiled = self.compile(fields["when"], (*path, "when"), condition=True)
            if compiled is None:
                ok = False
            spec.when = compiled
            spec.when_site = Site(f"{where}.when", self.y.pos((*path, "when")), fields["when"])
        if ok and kind in ("send", "notify"):
            self.check_fifo(kind, target, fields, path)
        if ok and kind == "notify" and not self.check_structure(spec, path):
            ok = False
        if ok and kind == "updateItem" and not self.check_update_request(spec, path):
            ok = False
        if ok and kind == "produce" and not self.check_partition(spec, path):
            ok = False
        return spec if ok else None

    def check_partition(self, spec: EmitSpec, path: DataPath) -> bool:
        """A produce's `partition` known when the file loads (a constant or a literal) must
        be one the topic has: the broker refuses any other (UNKNOWN_TOPIC_OR_PARTITION)."""
        # Lazily, as for the other services' rules: few behaviours files produce to Kafka.
        from stptui.sim.services.kafka import PARTITIONS

        for name, value, is_expr in spec.fields:
            if name != "partition":
                continue
            if is_expr:
                if value.parsed.get("type") != "literal":
                    return True  # depends on the input: the topic refuses it when produced
                value = value.parsed.get("value")
            if isinstance(value, (int, float)) and value >= PARTITIONS:
                self.report(
                    (*path, "partition"),
                    "behavior-bad-value",
                    f"{spec.target} has no partition {value:g}: every simulated topic has "
                    f"{PARTITIONS}, so the broker refuses it (UNKNOWN_TOPIC_OR_PARTITION)",
                    hint=f"a partition from 0 to {PARTITIONS - 1}, or leave it out for the "
                    "key's partition (murmur2) or the next in turn",
                )
                return False
        return True

    def check_structure(self, spec: EmitSpec, path: DataPath) -> bool:
        """A notify's `structure` (Publish's MessageStructure) known when the file loads
        must be json, and then a `message` known too must be one SNS reads with it (a JSON
        object with a string "default"): SNS would refuse every such publish. A bare `json`
        is refused too: it is the input's field of that name, which gives null (no
        structure) on an input without one, when the constant was surely meant. False after
        reporting it."""
        known = {name: (value, is_expr) for name, value, is_expr in spec.fields}
        if "structure" not in known:
            return True
        structure, is_expr = known["structure"]
        if is_expr:
            tree = structure.parsed
            if tree.get("type") == "field" and tree.get("value") == "json":
                self.report(
                    (*path, "structure"),
                    "behavior-bad-value",
                    f"{spec.where}.structure: `json` is a JMESPath expression, the input's "
                    "field `json` (null: no structure), not the MessageStructure json",
                    hint=_STRUCTURE_LITERAL,
                )
                return False
            if tree.get("type") != "literal":
                return True  # depends on the input: SNS refuses a bad one when it is published
            structure = tree.get("value")
        if structure is None:
            return True  # no MessageStructure: the message goes to every subscriber as it is
        # Lazily, as for the other services' rules.
        from stptui.sim.services.topic import SnsError, protocol_message

        message, message_is_expr = known.get("message", (None, True))
        if message_is_expr:
            tree = message.parsed if message is not None else {}
            message = tree.get("value") if tree.get("type") == "literal" else None
            if message is None:
                # The message depends on the input: only the structure's value is known.
                message = {"default": ""}
        text = normalise("notify", {"message": message}, spec.where)["message"]
        try:
            protocol_message(text, structure)
        except SnsError as exc:
            if structure != "json":
                self.report(
                    (*path, "structure"),
                    "behavior-bad-value",
                    f"{spec.where}.structure: {exc}",
                    hint=_STRUCTURE_LITERAL + ", or leave it out to send the message as it is",
                )
            else:
                self.report(
                    (*path, "message"),
                    "behavior-bad-value",
                    f"{spec.where}.message: {exc}",
                    hint='give an object of one string per protocol, "default" for the '
                    "others: message: {default: 'for all', lambda: 'for functions'}",
                )
            return False
        return True

    def check_update_request(self, spec: EmitSpec, path: DataPath) -> bool:
        """An updateItem whose expressions and placeholders are all known when the file
        loads (constants, literals or absent) is checked as DynamoDB checks the request:
        a placeholder used but not given, or given but not used, or a key attribute
        updated, is refused whatever the input, so it is an error at `update` now."""
        known: dict[str, Any] = {"key": {}}
        for name, value, is_expr in spec.fields:
            if name == "key":
                continue
            if is_expr:
                if value.parsed.get("type") != "literal":
                    return True  # depends on the input: checked when the emission runs
                value = value.parsed.get("value")
            known[name] = value
        # Imported here, as for the emission itself: most behaviours files have no updateItem.
        from stptui.sim import ddb_expressions
        from stptui.sim.services.table import key_schema  # the config layer's view of keys

        table = self.stack.resources.get(spec.target)
        try:
            fields = update_fields(known, spec.where)
            ddb_expressions.prepare(
                update=fields["update"],
                condition=fields["condition"],
                names=fields["names"],
                values=fields["values"],
                key_names=tuple(n for n, _ in (key_schema(table) if table else None) or ()),
                null_text="UpdateExpression and ConditionExpression are null",
            )
        except (BehaviorError, DynamoDBError) as exc:
            self.report((*path, "update"), "behavior-bad-value", str(exc), hint=_file_hint(exc))
            return False
        return True

    def check_constant(self, kind: str, name: str, value: Any, path: DataPath, where: str) -> bool:
        """A field whose value is known when the file loads (a constant, or a JMESPath
        literal) is checked now rather than at every invocation: False after reporting it."""
        placeholders = {**_PLACEHOLDERS, **_KIND_PLACEHOLDERS.get(kind, {})}
        if value is None and WHOLE_MESSAGE_FIELDS.get(kind) == name:
            parameter, service = WHOLE_MESSAGE_PARAMETERS[name]
            self.report(
                (*path, name),
                "behavior-bad-value",
                f"{where}.{name} is null: {service} refuses a request without its {parameter}",
                hint=f"give the {name}, e.g. {name}: body (the input's body) or {name}: \"'done'\"",
            )
            return False
        try:
            normalise(kind, {**placeholders, name: value}, where)
        except BehaviorError as exc:
            self.report((*path, name), "behavior-bad-value", str(exc), hint=exc.hint)
            return False
        return True

    def check_expression(self, name: str, compiled: Any, path: DataPath) -> bool:
        """An updateItem's `update` or `condition` written as a constant (a raw literal) is
        parsed now, so that its syntax errors and reserved words show with their place."""
        tree = compiled.parsed
        text = tree.get("value")
        if name not in ("update", "condition") or tree.get("type") != "literal":
            return True
        if not isinstance(text, str):
            return True  # normalise refuses it when the emission runs
        # Lazily: the expression grammar is a large module that only a sidecar writing
        # updateItem expressions needs, and every REPL start reads behaviours.
        from stptui.sim import ddb_expressions

        parse = (
            ddb_expressions.parse_update if name == "update" else ddb_expressions.parse_condition
        )
        try:
            found = parse(text)
        except DynamoDBError as exc:
            self.report((*path, name), "behavior-bad-value", str(exc), hint=exc.hint)
            return False
        reserved = [w for w in found.bare if w.upper() in ddb_expressions.RESERVED_WORDS]
        if reserved:
            word = reserved[0]
            self.report(
                (*path, name),
                "behavior-bad-value",
                f"{word} is a DynamoDB reserved word: DynamoDB refuses the expression",
                hint=f"write #{word} and add names: {{'#{word}': {word}}}",
            )
            return False
        return True

    def check_execution_name(self, name: str, compiled: Any, path: DataPath) -> bool:
        """A startExecution's `name` written as a constant (a raw literal) is checked now
        against StartExecution's name rules, rather than refused at every call."""
        # Lazily: `validate` reads behaviours without a simulator, and only a sidecar that
        # starts executions needs the state machine service's rules.
        from stptui.sim.services.state_machine import ExecutionError, check_execution_name

        tree = compiled.parsed
        text = tree.get("value")
        if name != "name" or tree.get("type") != "literal" or not isinstance(text, str):
            return True
        try:
            check_execution_name(text)
        except ExecutionError as exc:
            self.report((*path, name), "behavior-bad-value", str(exc), hint=exc.hint)
            return False
        return True

    def own_gateway(self, path: DataPath) -> str | None:
        """The WebSocket API a postToConnection without `gateway` posts through: the one
        the workload's `websocket-api-gateway` events name (the management endpoint its
        code gets, STP_*_MANAGEMENT_ENDPOINT). None after reporting a workload with none
        or several, which must name it."""
        own = own_gateways(self.stack, self.fn)
        if len(own) == 1:
            return own[0]
        pool = [r.name for r in self.stack.resources.values() if r.type == "websocket-api-gateway"]
        if own:
            message = (
                f"{self.fn} has routes on {len(own)} WebSocket APIs ({', '.join(own)}): "
                "postToConnection needs `gateway`"
            )
        else:
            message = (
                f"{self.fn} has no websocket-api-gateway event, so postToConnection has no "
                "API of its own to post through: it needs `gateway`"
            )
        self.report(
            path,
            "behavior-missing-key",
            message,
            hint=f"e.g. gateway: {(own or pool or ['myWebSocketApi'])[0]}"
            + ("" if pool else " (the stack has no websocket-api-gateway)"),
        )
        return None

    def check_target_decl(self, kind: str, target: Any, path: DataPath) -> bool:
        if kind == "produce":
            return self.check_topic(target, path)
        wanted = EMISSION_TARGET_TYPES[kind]
        also = ALSO_TARGET_TYPES.get(kind)
        if not isinstance(target, str) or not target:
            self.report(
                path, "behavior-bad-value", f"the target must be {with_article(wanted)} name"
            )
            return False
        if kind == "publish" and target == self.stack.default_bus_key:
            return True
        resource = self.stack.resources.get(target)
        if resource is None:
            pool = [r.name for r in self.stack.resources.values() if r.type in (wanted, also)]
            if kind == "publish":
                pool.append(self.stack.default_bus_key)
            guess = did_you_mean(target, pool)
            self.report(
                path,
                "behavior-unknown-target",
                f"no {wanted} named {target!r} in the stack"
                + (f"; did you mean {guess!r}?" if guess else ""),
                hint=f"{plural(wanted)}: {named_list(pool) or '(none)'}",
            )
            return False
        if resource.type not in (wanted, also):
            hint = None
            if resource.type == "batch-job":
                # Code starts a job as Stacktape's docs say: StartExecution of its state
                # machine, with the input its trigger function gives.
                hint = (
                    f"code starts a batch job with `startExecution: {{stateMachine: {target}, "
                    "input: \"{triggerEvent: to_string(@), jobName: 'my-job'}\"}`; "
                    f"`start-job {quote_word(target)}` at the prompt"
                )
            self.report(
                path,
                "behavior-wrong-target-type",
                f"{target!r} is {with_article(resource.type)}; {kind} needs {with_article(wanted)}",
                hint=hint,
            )
            return False
        return True

    def check_topic(self, target: Any, path: DataPath) -> bool:
        """A produce's `topic` must be a topic the simulator keeps, named as `show
        kafka-topics` names it (a topic a function's kafka-topic event reads, or an
        upstash-kafka-topic of the stack): False after reporting it."""
        from stptui.sim.services.kafka import topic_target_problem

        if not isinstance(target, str) or not target:
            self.report(path, "behavior-bad-value", "the topic must be a Kafka topic's name")
            return False
        problem = topic_target_problem(self.stack, target)
        if problem is None:
            return True
        wrong_type, message, hint = problem
        if wrong_type:
            self.report(path, "behavior-wrong-target-type", message, hint=hint)
        else:
            self.report(path, "behavior-unknown-target", message, hint=hint)
        return False

    def check_fifo(self, kind: str, target: str, fields: dict[str, Any], path: DataPath) -> None:
        """A send to a FIFO queue, or a notify to a FIFO topic, must give a `group`, and a
        `dedupId` unless the queue or topic has content-based deduplication: SQS and SNS
        refuse every message without them."""
        resource = self.stack.resources.get(target)
        if isinstance(resource, Queue):
            noun, content_dedup = "queue", resource.content_based_dedup
        elif isinstance(resource, SnsTopic):
            noun, content_dedup = "topic", resource.content_based_dedup
        else:
            return
        if not resource.fifo:
            return
        if "group" not in fields:
            self.report(
                path,
                "behavior-fifo-group",
                f"{target} is a FIFO {noun}: {kind} needs `group` (the MessageGroupId)",
                hint='e.g. group: "body.customerId"',
            )
        if "dedupId" not in fields and not content_dedup:
            self.report(
                path,
                "behavior-fifo-dedup",
                f"{target} is a FIFO {noun} without content-based deduplication: {kind} needs "
                "`dedupId` (AWS rejects the message otherwise)",
                hint='add dedupId: "record.messageId", or enable contentBasedDeduplication',
            )
