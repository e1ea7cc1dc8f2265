"""Reading the behaviours file: the parsed YAML into compiled `WorkloadBehavior`s, with a
diagnostic (file:line:col, code, fix) for everything it refuses or warns about. Bad input
never raises: it is reported, and the entry or key is left out.

`Reader` reads the file, its entries and their keys (`duration`, `fail`, `timeout`,
`partial`, `reportBatchItemFailures`, `log`, `response`, `handler`, `initDuration`);
`emit` is read by the checks it inherits from `reader_emit`, a container's `poll` by those
it inherits from `reader_poll`.
The file's format is described in the package's docstring (`stptui.sim.behavior`) and, for
users, in docs/behaviors.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from stptui.config.diagnostics import Diagnostic, Severity, did_you_mean, with_article
from stptui.config.loader import DataPath, LoadedYaml
from stptui.config.model import (
    SERVICE_CONTAINER_NAME,
    BatchJob,
    Containerized,
    ContainerWorkload,
    SqsTrigger,
    Stack,
    Workload,
)
from stptui.sim.behavior.declared import LogLine, Rule, WorkloadBehavior, describe_behavior
from stptui.sim.behavior.durations import format_duration, parse_duration
from stptui.sim.behavior.errors import BehaviorError, Site, compact_json
from stptui.sim.behavior.expressions import (
    CONDITION_EXAMPLE,
    compile_expression,
    is_number,
    quoted_text_warning,
    root_fields,
)
from stptui.sim.behavior.handler_env import HandlerEnvironments, applied
from stptui.sim.behavior.handler_modules import HandlerModules
from stptui.sim.behavior.http_answers import http_answer
from stptui.sim.behavior.reader_emit import EmitChecks
from stptui.sim.behavior.reader_poll import PollChecks
from stptui.textsafe import named, named_list


def _has_record_batches(workload: Workload) -> bool:
    """Whether an event source mapping hands the workload batches of records."""
    return any(
        isinstance(t, SqsTrigger) or t.type in ("kinesis-stream", "dynamo-db-stream")
        for t in workload.events
    )


# What the expressions of a function whose every trigger hands it batches of records see,
# one record at a time (docs/behaviors.md, "JMESPath: what expressions see"), by trigger
# type: what one is, its keys, and a path to read instead of the event's `Records`.
_RECORD_VIEWS = {
    "sqs": (
        "SQS message",
        "body, record, attributes, messageAttributes",
        "the message's fields, e.g. body.amount",
    ),
    "kinesis-stream": (
        "Kinesis record",
        "data, partitionKey, record",
        "the record's fields, e.g. data.bad",
    ),
    "dynamo-db-stream": (
        "DynamoDB stream record",
        "eventName, keys, newImage, oldImage, record",
        "the record's fields, e.g. newImage.total",
    ),
    "kafka-topic": (
        "Kafka record",
        "value, key, headers, topic, partition, offset, record",
        "the record's fields, e.g. value.orderId",
    ),
}


def _record_view(workload: Workload) -> tuple[str, str, str] | None:
    """What the expressions of `workload` see when every trigger it has hands it records
    one at a time (its first trigger's kind), else None."""
    kinds = ["sqs" if isinstance(t, SqsTrigger) else t.type for t in workload.events]
    if not kinds or any(k not in _RECORD_VIEWS for k in kinds):
        return None
    return _RECORD_VIEWS[kinds[0]]


_HANDLER_REF = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:[A-Za-z_]\w*")
# How much of its line the one warning for several skipped handlers gives their names; the
# rest it counts.
SKIPPED_NAMES_WIDTH = 60

FUNCTION_KEYS = (
    "duration",
    "fail",
    "timeout",
    "partial",
    "reportBatchItemFailures",
    "emit",
    "log",
    "response",
    "handler",
    "initDuration",
)
# A container workload's behaviour (docs/behaviors.md, "Containers"): it answers HTTP
# requests, so what belongs to a Lambda invocation does not apply, each for its reason.
CONTAINER_KEYS = ("duration", "fail", "emit", "log", "response", "handler", "poll")
NOT_FOR_CONTAINERS = {
    "timeout": "a container has no invocation timeout: the HTTP API's 30 s and the load "
    "balancer's 60 s answer the client instead (a longer `duration` reaches them)",
    "partial": "a container answers HTTP requests, not batches of records",
    "reportBatchItemFailures": "a container answers HTTP requests, not batches of records",
    "initDuration": "a container's task is already running when a request comes: it has no "
    "Lambda init phase",
}
_RULE_FORMS = ("rate", "first", "always", "when")
# Words other tools (and the `fail` command's `next N`) use for a rule's forms.
_RULE_WORDS = {
    "times": "first",
    "count": "first",
    "next": "first",
    "attempts": "first",
    "probability": "rate",
    "chance": "rate",
    "if": "when",
    "condition": "when",
}


def _rule_meant(value: Any, allowed: tuple[str, ...]) -> str:
    """The rule a bare value most likely means (`fail: 3` the first 3 invocations, `fail:
    0.3` a rate, `fail: true` always, a text that reads as a JMESPath test a condition), in
    flow style; a rate's example when it fits none of the forms `allowed`."""
    if isinstance(value, bool):
        form, text = "always", "true" if value else "false"
    elif isinstance(value, int) and value >= 1:
        form, text = "first", str(value)
    elif is_number(value) and 0 <= value <= 1:
        form, text = "rate", str(value)
    elif isinstance(value, str) and any(c in value for c in "<>=!`.("):
        form, text = "when", json.dumps(value, ensure_ascii=False)
    else:
        form, text = "rate", "0.3"
    return f"{{{form}: {text}}}" if form in allowed else "{rate: 0.3}"


def _path_text(path: DataPath) -> str:
    """`fail[0].when` for ("fail", 0, "when"): how messages name a place in an entry."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class Reader(EmitChecks, PollChecks):
    """Turns the parsed sidecar into compiled behaviours plus diagnostics."""

    def __init__(
        self,
        loaded: LoadedYaml,
        stack: Stack,
        allow_code: bool,
        base_dir: Path,
        *,
        start_ms: int | None = None,
        seed: int = 0,
    ) -> None:
        self.y = loaded
        self.stack = stack
        self.allow_code = allow_code
        self.base_dir = base_dir
        # The simulation's start and seed: the clock and randomness modules see at import.
        self.start_ms = start_ms
        self.seed = seed
        # The modules the handlers are imported into: made at the first handler.
        self.handler_modules: HandlerModules | None = None
        # The environments the handler modules are imported in: made at the first handler.
        self.environments: HandlerEnvironments | None = None
        self.diags: list[Diagnostic] = list(loaded.diagnostics)
        self.skipped: list[tuple[str, str]] = []
        self.fn = ""
        # What the current function's expressions see, when it is one record at a time.
        self.record_view: tuple[str, str, str] | None = None

    # -- diagnostics

    def report(
        self,
        path: DataPath,
        code: str,
        message: str,
        *,
        key: bool = False,
        hint: str | None = None,
        severity: Severity = "error",
    ) -> None:
        self.diags.append(
            Diagnostic.at(
                self.y.pos(path, key=key),
                severity,
                code,
                message,
                resource=self.fn or None,
                hint=hint,
            )
        )

    def unknown_keys(
        self,
        data: dict[str, Any],
        path: DataPath,
        allowed: Iterable[str],
        meant: Mapping[str, str] | None = None,
    ) -> None:
        """Report each key of `data` not `allowed`, with the allowed key it most likely
        means: the closest spelling, else the one `meant` gives for a word of another
        vocabulary (`times` for `first`)."""
        allowed = tuple(allowed)
        for k in data:
            if k not in allowed:
                guess = did_you_mean(k, allowed) or (meant or {}).get(str(k).lower())
                guess = guess if guess in allowed else None
                self.report(
                    (*path, k),
                    "behavior-unknown-key",
                    f"unknown key {k!r}" + (f"; did you mean {guess!r}?" if guess else ""),
                    key=True,
                    hint=f"allowed here: {', '.join(allowed)}",
                )

    @staticmethod
    def each_item(value: Any, path: DataPath) -> Iterator[tuple[Any, DataPath]]:
        """The items of a key that takes one item or a list of them (`fail`, `log`, `poll`),
        each with its path: a list's items at their index, a lone item at the key itself, so
        that a message points at the item the user wrote; none for null (the key unset)."""
        if value is None:
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield item, (*path, i)
        else:
            yield value, path

    def compile(
        self, text: Any, path: DataPath, *, condition: bool = False, whole_event: bool = False
    ) -> Any:
        """Compile a JMESPath string at `path` (a `when:` key when `condition`; one that sees
        the whole event, as `response` does, when `whole_event`); None (with a diagnostic)
        when it is invalid."""
        if not isinstance(text, str):
            self.report(path, "behavior-bad-value", "a JMESPath expression must be a string")
            return None
        try:
            compiled = compile_expression(
                text, f'when: "{CONDITION_EXAMPLE}"' if condition else None
            )
        except BehaviorError as exc:
            self.report(path, "behavior-bad-jmespath", str(exc), hint=exc.hint)
            return None
        quoted = quoted_text_warning(text)
        if quoted is not None:
            self.report(path, "behavior-quoted-text", quoted[0], hint=quoted[1], severity="warning")
        view = None if whole_event else self.record_view
        if view is not None and "Records" in root_fields(compiled.parsed):
            # The event's shape, as AWS documents it, where the function sees one record:
            # the path is null, so a `when` never holds, silently.
            what, keys, instead = view
            self.report(
                path,
                "behavior-records-per-record",
                f"{self.fn}'s expressions see one {what} at a time ({keys}), not the event: "
                "`Records` is null here",
                hint=f"read {instead}",
                severity="warning",
            )
        return compiled

    # -- the file

    def read(self) -> dict[str, WorkloadBehavior]:
        data = self.y.data
        out: dict[str, WorkloadBehavior] = {}
        if data is None:
            return out
        if not isinstance(data, dict):
            self.report((), "behavior-bad-file", "the behaviours file must be a mapping")
            return out
        self.unknown_keys(data, (), ("behaviors",))
        entries = data.get("behaviors")
        if entries is None:
            return out
        if not isinstance(entries, dict):
            self.report(
                ("behaviors",),
                "behavior-bad-file",
                "`behaviors` must map function and batch-job names to their behaviour",
            )
            return out
        workloads = [w.name for w in self.stack.workloads]
        workloads += [c.name for c in self.stack.containerized]
        for name, spec in entries.items():
            self.fn = name
            path: DataPath = ("behaviors", name)
            resource = self.stack.resources.get(name)
            if resource is None and isinstance(name, str) and "." in name:
                owner, _, container = name.partition(".")
                hit = self.stack.resources.get(owner)
                if isinstance(hit, Containerized):
                    # A service's one container is Stacktape's `service-container`.
                    containers = (
                        hit.containers
                        if isinstance(hit, ContainerWorkload)
                        else [SERVICE_CONTAINER_NAME]
                    )
                    if container in containers:
                        out[name] = self.container_entry(hit, spec, path)
                    else:
                        guess = did_you_mean(container, containers)
                        self.report(
                            path,
                            "behavior-unknown-container",
                            f"{named(owner)} has no container named {container!r}"
                            + (f"; did you mean {owner + '.' + guess!r}?" if guess else ""),
                            key=True,
                            hint=f"{named(owner)}'s containers: "
                            f"{named_list(containers) or '(none)'}",
                        )
                    continue
            if resource is None:
                guess = did_you_mean(name, workloads)
                kinds = (
                    "function, batch job or container workload"
                    if self.stack.containerized
                    else "function or batch job"
                )
                self.report(
                    path,
                    "behavior-unknown-function",
                    f"no {kinds} named {name!r} in the stack"
                    + (f"; did you mean {guess!r}?" if guess else ""),
                    key=True,
                    hint=f"workloads: {named_list(workloads) or '(none)'}",
                )
                continue
            if isinstance(resource, Containerized):
                out[name] = self.container_entry(resource, spec, path)
                continue
            if not isinstance(resource, Workload):
                self.report(
                    path,
                    "behavior-not-a-workload",
                    f"{name!r} is {with_article(resource.type)}; behaviours describe functions, "
                    "batch jobs and container workloads",
                    key=True,
                )
                continue
            out[name] = self.entry(resource, spec, path)
        self.fn = ""
        self.record_view = None
        return out

    def entry(self, workload: Workload, spec: Any, path: DataPath) -> WorkloadBehavior:
        self.record_view = _record_view(workload)
        b = WorkloadBehavior(workload.name)
        b.memory_mb = getattr(workload, "memory_mb", None)
        if spec is None:
            b.description = describe_behavior(b, None)
            return b
        if not isinstance(spec, dict):
            self.report(path, "behavior-bad-value", "a behaviour must be a mapping of keys")
            b.description = describe_behavior(b, None)
            return b
        if "poll" in spec:
            # Lambda polls a function's queues for it: its `sqs` events, not its code.
            self.report(
                (*path, "poll"),
                "behavior-poll-not-container",
                f"poll does not apply to {workload.name}, {with_article(workload.type)}: "
                "only a container's code polls queues; Lambda reads a queue for a function "
                "through its `sqs` event",
                key=True,
                hint=f"give {workload.name} an `sqs` event in the stack, or move `poll` to "
                "a worker-service's entry",
            )
        self.unknown_keys({k: v for k, v in spec.items() if k != "poll"}, path, FUNCTION_KEYS)
        if "duration" in spec:
            self.duration(b, spec["duration"], (*path, "duration"), workload)
        if "fail" in spec:
            self.fail(b, spec["fail"], (*path, "fail"))
        if "timeout" in spec:
            b.timeout_rule = self.timeout(spec["timeout"], (*path, "timeout"))
        if "reportBatchItemFailures" in spec:
            value = spec["reportBatchItemFailures"]
            if isinstance(value, bool):
                b.rbif = value
                no_sqs = not _has_record_batches(workload)
                if value and no_sqs and "partial" not in spec:  # `partial` warns on its own
                    self.report(
                        (*path, "reportBatchItemFailures"),
                        "behavior-rbif-not-sqs",
                        f"{workload.name} has no sqs event: reportBatchItemFailures applies "
                        "only to an SQS, Kinesis or DynamoDB event source mapping, so it changes "
                        "nothing here",
                        severity="warning",
                        hint="remove it, or add the `sqs` event it is meant for",
                    )
            else:
                self.report(
                    (*path, "reportBatchItemFailures"),
                    "behavior-bad-value",
                    "reportBatchItemFailures must be true or false",
                )
        if "partial" in spec:
            self.partial(b, spec["partial"], (*path, "partial"), workload)
        if "emit" in spec:
            self.emit(b, spec["emit"], (*path, "emit"))
        if "log" in spec:
            self.log(b, spec["log"], (*path, "log"))
        if "response" in spec:
            self.response(b, spec["response"], (*path, "response"))
        skipped_reason = None
        if "handler" in spec:
            skipped_reason = self.handler(b, spec["handler"], (*path, "handler"))
        if "initDuration" in spec:
            self.init_duration(b, spec["initDuration"], (*path, "initDuration"), workload)
        b.finish()
        unit = "attempt" if isinstance(workload, BatchJob) else "invocation"
        b.description = describe_behavior(b, skipped_reason, unit)
        return b

    def container_entry(
        self, workload: Containerized, spec: Any, path: DataPath
    ) -> WorkloadBehavior:
        """A container workload's behaviour (or one container's, `WORKLOAD.CONTAINER`): the
        keys that apply to a container answering HTTP requests; the Lambda-only ones are
        refused, each saying why and which keys apply."""
        self.record_view = None
        b = WorkloadBehavior(self.fn)
        if spec is None:
            b.description = describe_behavior(b, None, "request")
            return b
        if not isinstance(spec, dict):
            self.report(path, "behavior-bad-value", "a behaviour must be a mapping of keys")
            b.description = describe_behavior(b, None, "request")
            return b
        applies = f"keys that apply to a container: {', '.join(CONTAINER_KEYS)}"
        for key, why in NOT_FOR_CONTAINERS.items():
            if key in spec:
                self.report(
                    (*path, key),
                    "behavior-container-key",
                    f"{key} does not apply to {workload.name}, {with_article(workload.type)}: "
                    f"{why}",
                    key=True,
                    hint=applies,
                )
        self.unknown_keys(
            {k: v for k, v in spec.items() if k not in NOT_FOR_CONTAINERS}, path, CONTAINER_KEYS
        )
        if "duration" in spec:
            self.duration(b, spec["duration"], (*path, "duration"), workload)
        if "fail" in spec:
            self.fail(b, spec["fail"], (*path, "fail"))
        if "emit" in spec:
            self.emit(b, spec["emit"], (*path, "emit"))
        if "log" in spec:
            self.log(b, spec["log"], (*path, "log"))
        if "response" in spec:
            self.response(b, spec["response"], (*path, "response"))
            if b.response is not None and not b.response_is_expr:
                try:  # a constant answer: check its status and headers now
                    http_answer(b.response, f"{self.fn}.response")
                except BehaviorError as exc:
                    self.report((*path, "response"), "behavior-bad-value", str(exc), hint=exc.hint)
                    b.response = None
        if "poll" in spec:
            self.poll(b, spec["poll"], (*path, "poll"), workload)
        skipped_reason = None
        if "handler" in spec:
            skipped_reason = self.handler(b, spec["handler"], (*path, "handler"))
        b.finish()
        b.description = describe_behavior(b, skipped_reason, "message" if b.polls else "request")
        return b

    # -- keys

    def duration(
        self, b: WorkloadBehavior, value: Any, path: DataPath, workload: Workload | Containerized
    ) -> None:
        span = self.duration_range(value, path)
        if span is None:
            return
        b.dur_lo, b.dur_hi = span
        timeout_s = getattr(workload, "timeout_s", None)
        if timeout_s and b.dur_lo > timeout_s * 1000:
            self.report(
                path,
                "behavior-duration-over-timeout",
                f"{format_duration(b.dur_lo)} is longer than {workload.name}'s timeout of "
                f"{timeout_s} s: every invocation times out",
                severity="warning",
                hint="lower the duration, or raise the function's `timeout`",
            )

    def duration_range(self, value: Any, path: DataPath) -> tuple[int, int] | None:
        """A duration key's value: one duration (`250ms`), or a range `{min: D, max: D}`
        drawn from the seed at each use; (low, high), or None after a report."""
        if not isinstance(value, dict):
            ms = self.one_duration(value, path)
            return None if ms is None else (ms, ms)
        self.unknown_keys(value, path, ("min", "max"))
        lo = self.one_duration(value.get("min"), (*path, "min"), required="min")
        hi = self.one_duration(value.get("max"), (*path, "max"), required="max")
        if lo is None or hi is None:
            return None
        if lo > hi:
            self.report(
                path,
                "behavior-bad-duration",
                f"min ({format_duration(lo)}) is more than max ({format_duration(hi)})",
            )
            return None
        return lo, hi

    def init_duration(
        self, b: WorkloadBehavior, value: Any, path: DataPath, workload: Workload
    ) -> None:
        """`initDuration`: how long the init phase of each new execution environment of a
        function takes (a cold start): one duration, or a range drawn at each cold start.
        Any length is taken: one past Lambda's 10 s limit times out there and is retried
        within the invocation (FunctionSim._cold_start)."""
        if isinstance(workload, BatchJob):
            self.report(
                path,
                "behavior-bad-value",
                f"initDuration does not apply to {workload.name}, a batch job: it is a Lambda "
                "function's init phase, and a batch job's container has none",
                key=True,
                hint="remove it, or lengthen the job's `duration`",
            )
            return
        span = self.duration_range(value, path)
        if span is None:
            return
        b.init_range = span

    def one_duration(self, value: Any, path: DataPath, required: str | None = None) -> int | None:
        if value is None and required:
            self.report(path, "behavior-bad-duration", f"the range needs `{required}`")
            return None
        if is_number(value):
            if value == 0:
                return 0
            self.report(
                path,
                "behavior-bad-duration",
                f"the duration {value} has no unit",
                hint=f"write {value}ms or {value}s",
            )
            return None
        try:
            return parse_duration(value)
        except BehaviorError as exc:
            self.report(path, "behavior-bad-duration", f"bad duration: {exc}", hint=exc.hint)
            return None

    def rule(
        self,
        value: Any,
        path: DataPath,
        what: str,
        extra: tuple[str, ...] = (),
        allowed: tuple[str, ...] = _RULE_FORMS,
    ) -> Rule | None:
        """A mapping with exactly one of `allowed` (rate / first / always / when) + `extra`."""
        if not isinstance(value, dict):
            self.report(
                path,
                "behavior-bad-value",
                f"a {what} rule is a mapping with one of {', '.join(allowed)}",
                hint=f"e.g. {what}: {_rule_meant(value, allowed)}",
            )
            return None
        self.unknown_keys(value, path, (*allowed, *extra), _RULE_WORDS)
        forms = [k for k in allowed if k in value]
        if len(forms) != 1:
            if forms:
                msg = (
                    f"a {what} rule takes one of {', '.join(allowed)}, "
                    f"not both {forms[0]} and {forms[1]}"
                )
                hint = f"write a list of rules to combine them: {what}: [{{...}}, {{...}}]"
                if what != "fail":
                    hint = f"keep one of {', '.join(forms)}"
            else:
                msg = f"a {what} rule needs one of {', '.join(allowed)}"
                hint = f"e.g. {what}: {{{allowed[0]}: ...}}"
                # `times: 3` (or the command's `next 3`): the same rule, in the file's words.
                said = next((k for k in value if _RULE_WORDS.get(str(k).lower()) in allowed), None)
                if said is not None:
                    form = _RULE_WORDS[str(said).lower()]
                    given = json.dumps(value[said], ensure_ascii=False)
                    hint = f"write {what}: {{{form}: {given}}} ({said} is no key here)"
            self.report(path, "behavior-bad-rule", msg, hint=hint)
            return None
        form = forms[0]
        raw = value[form]
        fpath = (*path, form)
        rule = Rule(form, Site(f"{self.fn}.{_path_text(fpath[2:])}", self.y.pos(fpath), None))
        if form == "rate":
            if not is_number(raw) or not 0.0 <= raw <= 1.0:
                self.report(
                    fpath,
                    "behavior-bad-probability",
                    f"rate is a probability between 0 and 1, not {raw!r}",
                    hint="e.g. rate: 0.3 for 30%",
                )
                return None
            rule.rate = float(raw)
        elif form == "first":
            if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
                self.report(
                    fpath,
                    "behavior-bad-value",
                    f"first needs a whole number of invocations, not {raw!r}",
                    hint="e.g. first: 2",
                )
                return None
            rule.count = raw
        elif form == "always":
            if not isinstance(raw, bool):
                self.report(fpath, "behavior-bad-value", "always must be true or false")
                return None
            rule.mode = "always" if raw else "never"
        else:
            compiled = self.compile(raw, fpath, condition=True)
            if compiled is None:
                return None
            rule.expr, rule.expression = compiled, raw
            rule.where = Site(rule.where.where, rule.where.pos, raw)
        return rule

    def fail(self, b: WorkloadBehavior, value: Any, path: DataPath) -> None:
        if value is True or value is False:
            if value:
                b.fail_rules.append(Rule("always", Site(f"{self.fn}.fail", self.y.pos(path))))
            return
        for item, ipath in self.each_item(value, path):
            rule = self.rule(item, ipath, "fail", ("error", "message"))
            if rule is None:
                continue
            for key in ("error", "message"):
                text = item.get(key)
                if text is None:
                    continue
                if not isinstance(text, str) or (key == "error" and not text):
                    self.report(
                        (*ipath, key), "behavior-bad-value", f"{key} must be a non-empty string"
                    )
                    continue
                if key == "error":
                    rule.error_type = text
                else:
                    rule.message = text
            b.fail_rules.append(rule)

    def timeout(self, value: Any, path: DataPath) -> Rule | None:
        if value is True:
            return Rule("always", Site(f"{self.fn}.timeout", self.y.pos(path)))
        if value is False or value is None:
            return None
        return self.rule(value, path, "timeout")

    def partial(self, b: WorkloadBehavior, value: Any, path: DataPath, workload: Workload) -> None:
        if not isinstance(value, dict):
            self.report(
                path, "behavior-bad-value", "partial is a mapping with `when: EXPR` or `rate: P`"
            )
            return
        rule = self.rule(value, path, "partial", allowed=("when", "rate"))
        if rule is None:
            return
        b.partial = rule
        if not _has_record_batches(workload):
            # One warning: the reportBatchItemFailures hint below cannot apply without an
            # SQS or stream mapping, and Stacktape's Kafka mappings take no partial response.
            if any(t.type == "kafka-topic" for t in workload.events):
                message = (
                    f"{workload.name} reads Kafka: Stacktape's kafka-topic event sets no "
                    "ReportBatchItemFailures (Lambda reads a Kafka partial batch response "
                    "only when a provisioned-mode mapping enables it), so a batchItemFailures "
                    "answer is ignored and the batch succeeds whole"
                )
                hint = "to make records be read again, fail the invocation (`fail`) instead"
            else:
                message = (
                    f"{workload.name} has no sqs event: partial applies only to SQS, Kinesis "
                    "and DynamoDB stream batches"
                )
                hint = None
            self.report(path, "behavior-partial-not-sqs", message, severity="warning", hint=hint)
            return
        if not b.rbif:
            # An SQS batch is deleted; a stream's checkpoint moves past it.
            done = (
                "deletes the whole batch"
                if any(isinstance(t, SqsTrigger) for t in workload.events)
                else "moves past the whole batch"
            )
            self.report(
                path,
                "behavior-partial-ignored",
                "the batchItemFailures response is ignored: Stacktape does not enable "
                f"ReportBatchItemFailures, so Lambda {done}",
                severity="warning",
                hint="add `reportBatchItemFailures: true` to simulate a stack that enables it",
            )

    def log(self, b: WorkloadBehavior, value: Any, path: DataPath) -> None:
        """`log`: one line or a list of them. A string is a JMESPath expression, as an
        emission's field is; any other value a constant, written as compact JSON (a mapping
        is a JSON log line), checked now."""
        for item, ipath in self.each_item(value, path):
            where = f"{self.fn}.{_path_text(ipath[2:])}"
            site = Site(where, self.y.pos(ipath), item if isinstance(item, str) else None)
            if isinstance(item, str):
                compiled = self.compile(item, ipath)
                if compiled is not None:
                    b.log_lines.append(LogLine(compiled, True, site))
                continue
            if item is None:
                self.report(
                    ipath,
                    "behavior-bad-value",
                    "a log line is null: there is nothing to write",
                    hint="a constant line is a raw literal: - \"'order received'\"; a JSON "
                    "line a mapping: - {level: INFO, msg: received}",
                )
                continue
            try:
                text = compact_json(item, where)
            except BehaviorError as exc:
                self.report(ipath, "behavior-bad-value", str(exc))
                continue
            b.log_lines.append(LogLine(text, False, site))

    def response(self, b: WorkloadBehavior, value: Any, path: DataPath) -> None:
        if b.partial is not None:
            self.report(
                path,
                "behavior-response-ignored",
                "response is not used with partial: the handler returns the batchItemFailures",
                severity="warning",
            )
            return
        if isinstance(value, str):
            compiled = self.compile(value, path, whole_event=True)
            if compiled is not None:
                b.response, b.response_is_expr = compiled, True
                b.response_site = Site(f"{self.fn}.response", self.y.pos(path), value)
        else:
            try:  # a constant: check it now rather than at every invocation
                compact_json(value, f"{self.fn}.response")
            except BehaviorError as exc:
                self.report(path, "behavior-bad-value", str(exc))
                return
            b.response, b.response_is_expr = value, False

    def handler(self, b: WorkloadBehavior, ref: Any, path: DataPath) -> str | None:
        """Import the handler; the reason it was skipped, or None when it loaded."""
        if not isinstance(ref, str) or not _HANDLER_REF.fullmatch(ref):
            self.report(
                path,
                "behavior-bad-handler",
                f"handler must be module:function, not {ref!r}",
                hint="e.g. handler: handlers:process_order (handlers.py next to stptui.yml)",
            )
            return None
        b.handler_ref = ref
        if not self.allow_code:
            reason = (
                f"handler {ref} skipped: Python handlers run only with --allow-code; "
                "the declared behaviour is used instead"
            )
            self.report(path, "behavior-handler-skipped", reason, severity="warning")
            self.skipped.append((self.fn, reason))
            return "needs --allow-code"
        if self.handler_modules is None:
            self.handler_modules = HandlerModules(
                self.base_dir, start_ms=self.start_ms, seed=self.seed
            )
            self.handler_modules.begin()
        if self.environments is None:
            self.environments = HandlerEnvironments(self.stack)
        try:
            # The module's top level (a table name read from os.environ, a client) runs
            # with the environment of the first workload that imports it, as in Lambda's init.
            owner = self.stack.resources.get(self.fn) or self.stack.resources.get(
                self.fn.partition(".")[0]
            )
            # A batch job's or a container's code runs without Lambda's runtime.
            lambda_runtime = not isinstance(owner, (BatchJob, Containerized))
            with applied(self.environments.at_import(self.fn)):
                b.handler = self.handler_modules.import_handler(ref, self.fn, lambda_runtime)
        except BehaviorError as exc:
            self.report(path, "behavior-handler-import", str(exc), hint=exc.hint)
            self.skipped.append((self.fn, str(exc)))
            return "cannot be imported"
        ended = self.handler_modules.init_exits.get(self.fn)
        if ended is not None:
            hint = "take the exit out of the module's top level, or set what its check needs"
            self.report(path, "behavior-handler-init-exit", ended, hint=hint, severity="warning")
        return None


def grouped_skips(diags: list[Diagnostic]) -> list[Diagnostic]:
    """`diags` with the warnings that Python handlers were skipped made one, at the first
    one's place, when there are several: a stack of six handlers opened without --allow-code
    gave the same advice six times at every start. `validate` keeps a line for each, since
    a validator wants every position."""
    skips = [d for d in diags if d.code == "behavior-handler-skipped"]
    if len(skips) < 2:
        return diags
    names = [d.resource or "?" for d in skips]
    listed = names[:1]
    for name in names[1:]:
        if len(", ".join([*listed, name])) > SKIPPED_NAMES_WIDTH:
            break
        listed.append(name)
    rest = len(names) - len(listed)
    named = ", ".join(listed) + (f" and {rest} more" if rest else "")
    one = replace(
        skips[0],
        resource=None,
        message=f"{len(skips)} Python handlers skipped ({named}): the declared behaviours "
        "are used instead",
        hint="open the stack with --allow-code to run them; `stptui validate` gives each "
        "one's line",
    )
    return [one if d is skips[0] else d for d in diags if d is skips[0] or d not in skips]
