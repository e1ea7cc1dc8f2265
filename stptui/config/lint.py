"""Checks that need the whole stack: references, timeouts, redrive cycles, consumers, routes.

`normalize` checks each property where it is written; this module checks how resources fit
together, the way Stacktape's deployer (reference: stacktape-config §6) and AWS itself
(aws-semantics §1-§2, §5, §8) would. Every finding is a `Diagnostic` at the exact source
position of the value to fix, with the resource it belongs to.

Everything is indexed once (consumers by queue, routes by key, notifications by bucket) so a
stack of thousands of resources lints in a few milliseconds.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from stptui.config.diagnostics import Diagnostic, Severity, did_you_mean, with_article
from stptui.config.directives import Placeholder, ResourceParamValue
from stptui.config.envvars import CDN_PARAMS, injected_params
from stptui.config.lint_alarms import AlarmChecks
from stptui.config.lint_compute import LOAD_BALANCER_TYPES, ComputeChecks
from stptui.config.lint_failures import MIN_GUIDED_RECEIVE_COUNT, FailureChecks
from stptui.config.lint_listener_access import ListenerAccessChecks
from stptui.config.lint_listener_rules import ListenerRuleChecks
from stptui.config.lint_logs import LogChecks
from stptui.config.lint_state_machines import StateMachineChecks
from stptui.config.lint_tables import TableChecks
from stptui.config.loader import DataPath
from stptui.config.model import (
    ACCOUNT_CONCURRENCY,
    CONTAINER_TRIGGER_TYPES,
    HTTP_PAYLOAD_FORMAT,
    MIN_UNRESERVED_CONCURRENCY,
    RESOURCE_TYPES,
    RETIRED_RESOURCE_TYPES,
    TRIGGER_TYPES,
    AppSyncApi,
    AppSyncTrigger,
    BatchJob,
    Containerized,
    ContainerWorkload,
    EventBusTrigger,
    Function,
    HttpApiGateway,
    HttpTrigger,
    KafkaTopicTrigger,
    Queue,
    Ref,
    Resource,
    S3Trigger,
    ScheduleTrigger,
    SnsTopic,
    SnsTrigger,
    SqsTrigger,
    Stack,
    Trigger,
    UserAuthPool,
    WebSocketTrigger,
    Workload,
    canonical_type,
)
from stptui.config.normalize_schema import TRIGGER_ALIASES
from stptui.config.permissions import role_diagnostics
from stptui.textsafe import named, named_list
from stptui.yamltext import yaml_key

# Target types `connectTo` accepts: current Stacktape's `resolveConnectToList`
# (apps/cli/src/domain/config-manager/utils/resource-references.ts). Web, private and worker
# services are multi-container workloads there. An efs-filesystem and an upstash-redis only
# get their variables injected; a hosting bucket's access is scoped to its nested bucket.
# A kafka-cluster may be connected from functions, batch jobs and container workloads (and
# deployment scripts), which are all the connectTo holders stptui reads. The legacy
# upstash-kafka-topic got its variables injected (Stacktape's connectTo docs of that time).
CONNECT_TO_TYPES: frozenset[str] = frozenset(
    {
        "function",
        "batch-job",
        "multi-container-workload",
        "web-service",
        "private-service",
        "worker-service",
        "state-machine",
        "event-bus",
        "bucket",
        "dynamo-db-table",
        "user-auth-pool",
        "sqs-queue",
        "sns-topic",
        "open-search-domain",
        "kinesis-stream",
        "agentcore-runtime",
        "agentcore-memory",
        "agentcore-gateway",
        "agentcore-browser",
        "agentcore-code-interpreter",
        "relational-database",
        "redis-cluster",
        "mongo-db-atlas-cluster",
        "hosting-bucket",
        "efs-filesystem",
        "upstash-redis",
        "upstash-kafka-topic",
        "kafka-cluster",
        "websocket-api-gateway",
        "appsync-api",
        "dsql-database",
        "email-sender",
    }
)

# How to reach a resource connectTo cannot scope, by its type.
_UNSCOPABLE_HINTS: dict[str, str] = {
    "http-api-gateway": "reference it with $ResourceParam() in `environment` instead",
}

# What a Lambda destination ARN may point at inside the stack.
DESTINATION_TYPES: tuple[str, ...] = ("sqs-queue", "sns-topic", "function", "event-bus")

# The `events[].type` each workload type accepts: the `events` unions of Stacktape's schema
# (`LambdaFunctionProps`, `BatchJobProps`; stacktape-config §3.1), plus a function's newer
# `websocket-api-gateway` and `appsync-api` events (packages/config/src/events.ts, commit
# df5bebdf: Stacktape reads them from functions only). A container's ingress types are checked
# where normalize reads them; web, private and worker services have no `events`.
FUNCTION_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "http-api-gateway",
        "s3",
        "schedule",
        "sns",
        "sqs",
        "kinesis-stream",
        "dynamo-db-stream",
        "cloudwatch-log",
        "application-load-balancer",
        "event-bus",
        "kafka-topic",
        "cloudwatch-alarm",
        "websocket-api-gateway",
        "appsync-api",
    }
)
BATCH_JOB_EVENT_TYPES: frozenset[str] = FUNCTION_EVENT_TYPES - {
    "kafka-topic",
    "cloudwatch-alarm",
    "websocket-api-gateway",
    "appsync-api",
}
# How a directive starts (`$ResourceParam(`): a name that does and is still a name lost its
# closing parenthesis, and Stacktape kept it as text (`directive-incomplete` says so too).
_DIRECTIVE_START = re.compile(r"\$[A-Za-z_]\w*\(")


def _missing_hint(name: str, guess: str | None, add: str) -> str:
    """The fix for a reference to `name`, which is no resource: close the directive it
    starts, take the near name, or add the resource (`add`)."""
    if _DIRECTIVE_START.match(name):
        return f"end the directive with its closing ')': {name})"
    return f"did you mean {guess!r}?" if guess else add


_EVENTLESS_TYPES = ("web-service", "private-service", "worker-service")

# connectTo targets a function outside the VPC cannot reach (Stacktape's function resolver):
# every Redis cluster, and a database whose accessibilityMode keeps it inside the VPC.
_VPC_ONLY_MODES = ("vpc", "scoping-workloads-in-vpc")
_JOIN_VPC_HINT = (
    "set joinDefaultVpc: true (Stacktape: the function then cannot make outbound Internet "
    "requests; S3 and DynamoDB stay reachable)"
)

# The hidden `<job>.triggerFunction` Stacktape puts between an event and a batch job has a
# fixed 10 s timeout (stacktape-config §2.3); it is what the SQS event source mapping invokes.
BATCH_TRIGGER_FUNCTION_TIMEOUT_S = 10
# HTTP API's maximum integration timeout (aws-semantics §8).
HTTP_INTEGRATION_TIMEOUT_S = 30
# AWS's SQS event source mapping guidance (aws-semantics §2).
VT_GUIDANCE_FACTOR = 6
FIFO_MAX_BATCH = 10
# The sqs event's batching window, as Stacktape spells it and as normalize accepts it.
_WINDOW_KEYS = (
    "maxBatchWindowSeconds",
    *(k for k, v in TRIGGER_ALIASES["sqs"].items() if v == "maxBatchWindowSeconds"),
)


def _known_type(resource: Resource) -> bool:
    """False for resources whose type was already reported as unknown (no more checks)."""
    t = canonical_type(resource.type)
    return t in RESOURCE_TYPES or t in RETIRED_RESOURCE_TYPES


def referenceable_params(resource: Resource) -> list[str] | None:
    """Parameters `$ResourceParam(name, param)` may read, or None when we do not know them.

    The connectTo parameters (stacktape-config §4.3) plus those only `$ResourceParam` reaches
    (§2.7: an HTTP API's url and domains; a function's CDN parameters).
    """
    rtype = canonical_type(resource.type)
    cdn = bool(resource.properties.get("cdn"))
    if rtype == "http-api-gateway":
        params = [
            "url",
            "domain",
            "customDomains",
            "customDomainUrl",
            "customDomainUrls",
            "canonicalDomain",
        ]
        return params + list(CDN_PARAMS) if cdn else params
    params = injected_params(resource)
    if not params:
        return None
    if rtype == "function" and cdn:
        params = params + [p for p in CDN_PARAMS if p not in params]
    return params


def _validate_schedule(expression: str) -> str | None:
    """The schedules module's verdict on a schedule expression."""
    from stptui.sim.schedules import validate_schedule  # the simulator imports config, not back

    return validate_schedule(expression)


def _pattern_problem(pattern: Any) -> str | None:
    """Why EventBridge (or Stacktape's schema, for the top-level keys) refuses an
    `eventPattern`, in AWS's words; None when it is valid. The simulator's own validator."""
    from stptui.sim.patterns import PatternError, validate_pattern  # lazily, as above

    try:
        validate_pattern(pattern, top_level=True)
    except PatternError as exc:
        return exc.aws_message
    return None


def _filter_policy_problems(policy: Any) -> list[str]:
    """Why SNS refuses a subscription's `filterPolicy`, in its words (the simulator's reading
    of the policy, so that both agree)."""
    from stptui.sim.services.topic import compile_filter_policy  # lazily, as above

    return compile_filter_policy(policy)[2]


# The event a filled template is tried on: with no fields, every inputPathsMap path finds
# nothing, so the template is filled the way AWS fills it for any event ("" inside and outside
# quotes), and only the template's own text decides whether the result is JSON.
_NO_EVENT: dict[str, Any] = {}


def _target_input(constant: Any, input_path: Any, transformer: Any) -> tuple[list[str], str | None]:
    """Check one of a rule's `input` / `inputPath` / `inputTransformer` (pass only that one)
    with the simulator's TargetInput: why EventBridge refuses it, and for a valid template,
    its text filled for an event that has none of its paths (else None)."""
    from stptui.sim.services.bus import TargetInput  # lazily: the simulator imports config

    target = TargetInput(constant, input_path, transformer)
    if target.problems or target.kind != "inputTransformer":
        return target.problems, None
    return [], target.render(_NO_EVENT, "rule", "arn:aws:events:::rule/rule")


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _stacktape_transformer(transformer: Any) -> dict[str, Any] | None:
    """The `inputTransformer` to check, or None when its shape is wrong (normalize reported
    that already). TargetInput reads an object `inputTemplate` as Stacktape sends it."""
    if not isinstance(transformer, dict):
        return None
    paths = transformer.get("inputPathsMap")
    if paths is not None and not isinstance(paths, dict):
        return None
    if not isinstance(transformer.get("inputTemplate"), (str, dict, list)):
        return None
    return transformer


# SqsParameters.MessageGroupId: "Maximum length of 100" (EventBridge API reference), fewer
# than the 128 characters SQS itself takes.
MAX_RULE_MESSAGE_GROUP_ID = 100

_TARGET_INPUT_HINTS = {
    "input": "write an object (input: {key: value}) or JSON text, e.g. input: '\"hello\"'",
    "inputPath": "write a JSON path such as $.detail (dot notation, ['name'], [N] and * only)",
    "inputTransformer": "give each <name> of inputTemplate a JSON path in inputPathsMap",
}


def _handler_suggestion(file_part: str) -> str:
    """A `file:function` handler for what was written before any `:`: AWS's own
    `index.handler` spelling becomes `index:handler` (Stacktape drops the file's extension)."""
    if "." in file_part and "/" not in file_part.rsplit(".", 1)[1]:
        stem, function = file_part.rsplit(".", 1)
        if function not in ("js", "mjs", "cjs", "py", "ts", "rb", "java", "go"):
            return f"{stem}:{function}"
    return f"{file_part or 'index.js'}:handler"


def _clip(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _fmt_seconds(value: float) -> str:
    return f"{value:g}"


def _iter_resource_params(data: Any, path: DataPath) -> Iterator[tuple[DataPath, Any]]:
    """Every `$ResourceParam` value in `data` with its path (iterative: configs can be deep).

    Paths are only built for containers and hits: most values are plain scalars, and making
    a tuple for each of them would dominate the walk on a large stack.
    """
    todo: list[tuple[DataPath, Any]] = [(path, data)]
    while todo:
        p, value = todo.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for k, v in items:
            if isinstance(v, str):
                if isinstance(v, ResourceParamValue):
                    yield (*p, k), v
            elif isinstance(v, (dict, list)):
                todo.append(((*p, k), v))


def _s3_types_overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """True when two lists of S3 event types share an event (`:*` covers its family)."""
    for x in a:
        for y in b:
            if x == y:
                return True
            if x.endswith(":*") and y.startswith(x[:-1]):
                return True
            if y.endswith(":*") and x.startswith(y[:-1]):
                return True
    return False


class _AffixIndex:
    """Strings indexed so that all entries overlapping a key are found without a full scan.

    Two prefixes overlap when one starts with the other (aws-semantics §5); suffixes are
    indexed reversed, so the same rule applies. A missing prefix is the empty string, which
    starts every string: it overlaps everything, as AWS says.
    """

    def __init__(self, keys: list[str]) -> None:
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for i, k in enumerate(keys):
            self.by_key[k].append(i)
        self.sorted = sorted((k, i) for i, k in enumerate(keys))
        self.sorted_keys = [k for k, _ in self.sorted]

    def _extending(self, key: str) -> tuple[int, int]:
        lo = bisect_left(self.sorted_keys, key)
        hi = bisect_left(self.sorted_keys, key + "\U0010ffff", lo)
        return lo, hi

    def count(self, key: str) -> int:
        """An upper bound of the entries overlapping `key` (cheap: no enumeration)."""
        lo, hi = self._extending(key)
        shorter = sum(len(self.by_key.get(key[:n], ())) for n in range(len(key)))
        return hi - lo + shorter

    def overlapping(self, key: str) -> set[int]:
        """Indices of the entries whose key starts with `key` or that `key` starts with."""
        lo, hi = self._extending(key)
        found = {i for _, i in self.sorted[lo:hi]}
        for n in range(len(key)):
            found.update(self.by_key.get(key[:n], ()))
        return found


# A stream event's `onFailure.type` -> the resource type its destination must be
# (`DestinationOnFailure` in Stacktape's events.d.ts).
ON_FAILURE_TYPES = {"sqs": "sqs-queue", "sns": "sns-topic"}
STREAM_EVENT_TYPES = ("kinesis-stream", "dynamo-db-stream")


class Linter(
    ComputeChecks,
    ListenerRuleChecks,
    ListenerAccessChecks,
    TableChecks,
    StateMachineChecks,
    LogChecks,
    AlarmChecks,
    FailureChecks,
):
    """One pass over a stack; collects diagnostics in `self.diags`."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.res = stack.resources
        # Resources the config names that could not be read (a `$File` that failed, a body
        # that is no mapping): their own error says why, so a reference to one is not "not a
        # resource in this stack" with a did-you-mean of another.
        written = (
            stack.source.data.get("resources") if isinstance(stack.source.data, dict) else None
        )
        self.unreadable = (
            {n for n in written if n not in self.res} if isinstance(written, dict) else set()
        )
        self.diags: list[Diagnostic] = []
        # (path, code) already reported: a `$ResourceParam` reference is seen both as a Ref
        # and by the directive walk, and must be reported once.
        self._seen: set[tuple[DataPath, str]] = set()
        self.consumers: dict[str, list[SqsTrigger]] = defaultdict(list)
        # queue -> the queues that redrive into it and the integrations whose undeliverable
        # events it takes (a dead-letter queue in AWS's words, either way)
        self.dlq_of: dict[str, list[str]] = defaultdict(list)
        # queue -> the functions whose failed asynchronous invocations it records (an
        # on-failure destination: Lambda sends an invocation record, not the event)
        self.failure_destination_of: dict[str, list[str]] = defaultdict(list)
        # Queues named by a stream event's `onFailure`, and the workloads whose events name them.
        self.stream_failure_destination_of: dict[str, list[str]] = defaultdict(list)
        self._verdicts: dict[tuple[Callable[[Any], str | None], str], str | None] = {}
        self.polled: set[str] = set()  # queues a container workload connects to
        self._by_type: dict[str, list[str]] | None = None
        # Where a directive failed (file, line, column), gathered on first use.
        self._failed_directives: set[tuple[str | None, int | None, int | None]] | None = None

    # -- reporting ---------------------------------------------------------------------

    def report(
        self,
        path: DataPath,
        severity: Severity,
        code: str,
        message: str,
        *,
        resource: str | None,
        hint: str | None = None,
        key: bool = False,
    ) -> None:
        """Record a finding at the source position of `path` (once per path and code)."""
        mark = (path, code)
        if mark in self._seen:
            return
        self._seen.add(mark)
        self.diags.append(
            Diagnostic.at(
                self.stack.pos(path, key=key),
                severity,
                code,
                message,
                resource=resource,
                hint=hint,
            )
        )

    def directive_failed(self, path: DataPath) -> bool:
        """Whether the value at `path` is a directive that could not be resolved (an error
        already reported at its place, `directive-unknown` say): what a check would say
        of the text left there ("$Param(...) is no function") is that same problem again."""
        if self._failed_directives is None:
            self._failed_directives = {
                (d.file, d.line, d.column)
                for d in self.stack.diagnostics
                if d.severity == "error" and d.code.startswith("directive-")
            }
        if not self._failed_directives:
            return False
        pos = self.stack.pos(path)
        return (pos.file, pos.line, pos.column) in self._failed_directives

    def names_of(self, types: tuple[str, ...]) -> list[str]:
        """Names of the resources of some types (for did-you-mean), indexed on first use."""
        if self._by_type is None:
            self._by_type = defaultdict(list)
            for name, r in self.res.items():
                self._by_type[canonical_type(r.type)].append(name)
        return [n for t in types for n in self._by_type.get(t, ())]

    def verdict(self, check: Callable[[Any], str | None], value: Any) -> str | None:
        """`check(value)`, asked once per distinct value in this run: big stacks repeat the
        same few schedules and patterns."""
        try:
            key = (check, json.dumps(value))
        except (TypeError, ValueError):  # a value only a directive gives: asked each time
            return check(value)
        if key not in self._verdicts:
            self._verdicts[key] = check(value)
        return self._verdicts[key]

    def place_of(self, path: DataPath) -> str:
        """Where a path is written, for messages that point at a second place: `line N` in
        the config itself, `file:line:col` when the value came from a `$File` include."""
        pos = self.stack.pos(path)
        return f"line {pos.line}" if pos.file == self.stack.file else str(pos)

    # -- references --------------------------------------------------------------------

    def check_ref(
        self,
        ref: Ref | None,
        allowed: tuple[str, ...],
        owner: str,
        what: str,
    ) -> Resource | None:
        """Check a reference exists and has an allowed type; return its in-stack target."""
        if ref is None or ref.by == "macro" or ref.target is None:
            return None  # nothing written, or an ARN outside the stack
        target = self.res.get(ref.target)
        wanted = " or ".join(allowed)
        if target is None and ref.target in self.unreadable:
            return None
        if target is None:
            candidates = self.names_of(allowed)
            guess = did_you_mean(ref.target, candidates or self.res)
            self.report(
                ref.path,
                "error",
                "missing-resource",
                f"{what} {ref.target!r} is not a resource in this stack (expected {wanted})",
                resource=owner,
                hint=_missing_hint(
                    ref.target, guess, f"add a resource named {ref.target!r} of type {allowed[0]}"
                ),
            )
            return None
        if not _known_type(target):
            return None  # its unknown type is already an error of its own
        if canonical_type(target.type) not in allowed:
            candidates = self.names_of(allowed)
            guess = did_you_mean(ref.target, candidates)
            self.report(
                ref.path,
                "error",
                "wrong-resource-type",
                f"{what} {ref.target!r} is {with_article(target.type)}, not "
                f"{with_article(wanted)} (Stacktape e36)",
                resource=owner,
                hint=f"did you mean {guess!r}?" if guess else None,
            )
            return None
        return target

    def check_connect_to(self, owner: str, refs: list[Ref]) -> None:
        """connectTo entries of `owner` (a function, batch job or container workload) must
        exist and be of a type connectTo can scope (§4.1)."""
        for ref in refs:
            if ref.by == "macro" or ref.target is None:
                continue  # `aws:*` macros: normalize already warned about unknown ones
            name = ref.target
            target = self.res.get(name)
            if target is None and "." in name:
                parent = name.split(".", 1)[0]
                if parent in self.res:
                    continue  # a child resource (`myWeb.bucket`): its parent exists
                name = parent
            if target is None and name in self.unreadable:
                continue
            if target is None:
                # Not the workload itself: `analyticsDb` should not suggest `analyticsService`
                # to analyticsService.
                guess = did_you_mean(name, [n for n in self.res if n != owner])
                self.report(
                    ref.path,
                    "error",
                    "missing-resource",
                    f"connectTo names {name!r}, which is not a resource in this stack",
                    resource=owner,
                    hint=_missing_hint(
                        ref.target,
                        guess,
                        f"add a resource named {name!r} (e.g. a relational-database or "
                        "dynamo-db-table) or remove the entry",
                    ),
                )
                continue
            if _known_type(target) and canonical_type(target.type) not in CONNECT_TO_TYPES:
                self.report(
                    ref.path,
                    "error",
                    "connect-to-unsupported",
                    f"Resource type {target.type} cannot be scoped by connectTo ({name!r})",
                    resource=owner,
                    hint=_UNSCOPABLE_HINTS.get(canonical_type(target.type)),
                )

    def check_resource_params(self) -> None:
        """Every `$ResourceParam(name, param)`: the resource exists and has that parameter."""
        data = self.stack.source.data
        if not isinstance(data, dict):
            return
        for path, value in _iter_resource_params(data, ()):
            owner = path[1] if len(path) > 1 and path[0] == "resources" else None
            owner = owner if isinstance(owner, str) else None
            target = self.res.get(value.resource)
            if target is None:
                guess = did_you_mean(value.resource, self.res)
                self.report(
                    path,
                    "error",
                    "missing-resource",
                    f"$ResourceParam refers to {value.resource!r}, which is not a resource in "
                    "this stack",
                    resource=owner,
                    hint=f"did you mean {guess!r}?" if guess else None,
                )
                continue
            if not _known_type(target):
                continue
            valid = referenceable_params(target)
            if valid is None or value.param in valid:
                continue
            guess = did_you_mean(value.param, valid)
            extra = ""
            if target.type == "event-bus" and value.param == "archiveArn":
                extra = " (`archiveArn` needs `archivation: {enabled: true}`)"
            self.report(
                path,
                "error",
                "unknown-resource-param",
                f"{target.type} {target.name!r} has no parameter {value.param!r}; valid: "
                f"{', '.join(valid)}{extra} (Stacktape e36)",
                resource=owner,
                hint=f"did you mean {guess!r}?" if guess else None,
            )

    def check_user_pool_hooks(self, pool: UserAuthPool) -> None:
        """Each hook of a user pool must name a function of the stack (an ARN from
        elsewhere is Cognito's business, not the simulator's)."""
        for hook, ref in pool.hooks.items():
            what = f"hooks.{hook}"
            self.check_ref(ref, ("function",), pool.name, what)
            self.check_arn_ref(ref, pool.name, what, ("function",))
            if ref.target is None and ref.raw.startswith("arn:"):
                self.report(
                    ref.path,
                    "error",
                    "missing-resource",
                    f"{what} {ref.raw!r} is not the ARN of a function of this stack",
                    resource=pool.name,
                    hint="write $ResourceParam('FUNCTION', 'arn') with a function of the stack",
                )

    def check_arn_ref(
        self,
        ref: Ref | None,
        owner: str,
        what: str,
        allowed: tuple[str, ...],
        name_key: str | None = None,
    ) -> None:
        """A property that takes an ARN must get one: not a URL from `$ResourceParam`, and not
        a bare name, which Stacktape passes to AWS as written (stacktape-config §3.2)."""
        if ref is None or ref.by != "arn":
            return
        text = str(ref.raw)
        if ref.target is None and text.startswith(("arn:", "$")):
            return  # an ARN outside the stack, or a directive that failed (reported there)
        value = self._value_at(ref.path)
        if isinstance(value, ResourceParamValue):
            if value.param != "arn":
                self.report(
                    ref.path,
                    "warning",
                    "not-an-arn",
                    f"{what} needs an ARN, but $ResourceParam gives {value.resource!r}'s "
                    f"{value.param!r}",
                    resource=owner,
                    hint=f"write $ResourceParam({value.resource!r}, 'arn')",
                )
            return
        if ref.target is not None or isinstance(value, Placeholder):
            return  # a literal ARN of this stack, or a value only AWS knows
        self.check_not_an_arn(ref.path, text, owner, what, allowed, name_key)

    def check_not_an_arn(
        self,
        path: DataPath,
        text: str,
        owner: str,
        what: str,
        allowed: tuple[str, ...],
        name_key: str | None,
        param: str = "arn",
    ) -> None:
        """Report `text`, written where an ARN belongs, that is no ARN.

        AWS rejects it everywhere but in `eventBusArn`, which becomes the rule's EventBusName:
        AWS takes a name there, so only the name of a bus of this stack (whose AWS name is
        `{stack}-{name}`) is certain to fail; any other name is a bus outside the stack."""
        target = self.res.get(text)
        outside_bus = what == "eventBusArn" and target is None
        suggest_param = f"$ResourceParam('{text}', '{param}')"
        if target is not None:
            message = (
                f"`{what}` needs an ARN, but {text!r} is the name of the {target.type} "
                f"{text!r}: Stacktape passes it to AWS as written, and the deploy fails"
            )
            hint = (
                f"write `{name_key}: {text}` or `{what.rsplit('.', 1)[-1]}: {suggest_param}`"
                if name_key
                else f"write {suggest_param}"
            )
        else:
            guess = did_you_mean(text, self.names_of(allowed))
            if outside_bus:
                message = (
                    f"`eventBusArn` {text!r} is not an ARN: AWS takes it as the name of an event "
                    "bus outside this stack, which stptui does not simulate"
                )
            else:
                message = (
                    f"`{what}` needs an ARN, but {text!r} is not one (an ARN starts with "
                    "`arn:`) and names no resource in this stack; AWS rejects it"
                )
            if guess is not None:
                hint = (
                    f"did you mean `{name_key}: {guess}`?"
                    if name_key
                    else f"did you mean {guess!r}? write $ResourceParam('{guess}', '{param}')"
                )
            elif outside_bus:
                hint = (
                    "for the default bus write `useDefaultBus: true`; for another bus, its ARN "
                    "(arn:aws:events:REGION:ACCOUNT:event-bus/NAME)"
                )
            else:
                hint = (
                    "write the full ARN, or $ResourceParam('name', 'arn') for a resource of "
                    "this stack"
                )
        self.report(
            path,
            "warning" if outside_bus else "error",
            "arn-expected",
            message,
            resource=owner,
            hint=hint,
        )

    def _value_at(self, path: DataPath) -> Any:
        node: Any = self.stack.source.data
        for part in path:
            if isinstance(node, dict) and isinstance(part, str):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                return None
        return node

    # -- per-trigger checks ------------------------------------------------------------

    def check_triggers(self, owner: Resource, triggers: list[Any]) -> None:
        """Reference, FIFO and batching checks of one resource's events."""
        self.check_kafka_duplicates(owner, triggers)
        for t in triggers:
            if isinstance(t, SqsTrigger):
                self.check_sqs_trigger(owner, t)
            elif isinstance(t, EventBusTrigger):
                self.check_ref(t.bus, ("event-bus",), owner.name, "eventBusName")
                self.check_arn_ref(t.bus, owner.name, "eventBusArn", ("event-bus",), "eventBusName")
                self.check_delivery_failure(t.on_delivery_failure, owner.name)
                if isinstance(owner, Queue) and owner.fifo and not t.message_group_id:
                    self.report(
                        (*t.path, "properties"),
                        "error",
                        "fifo-message-group-id",
                        f"queue {owner.name!r} is FIFO: its event-bus subscription needs "
                        "`messageGroupId`",
                        resource=owner.name,
                        hint="add messageGroupId: <group> (EventBridge sends every event "
                        "with that group id)",
                        key=True,
                    )
                group = t.message_group_id
                if isinstance(group, str) and len(group) > MAX_RULE_MESSAGE_GROUP_ID:
                    self.report(
                        (*t.path, "properties", "messageGroupId"),
                        "error",
                        "message-group-id-too-long",
                        f"messageGroupId is {len(group)} characters; EventBridge's rule target "
                        f"takes at most {MAX_RULE_MESSAGE_GROUP_ID} (SqsParameters)",
                        resource=owner.name,
                        hint=f"shorten it to {MAX_RULE_MESSAGE_GROUP_ID} characters or fewer",
                    )
                if isinstance(owner, Queue) and owner.fifo and not owner.content_based_dedup:
                    self.report(
                        t.path,
                        "error",
                        "fifo-content-deduplication",
                        f"queue {owner.name!r} is FIFO without content-based deduplication; "
                        "EventBridge can deliver only to a FIFO queue that has it, so every "
                        "event fails",
                        resource=owner.name,
                        hint=f"set contentBasedDeduplication: true on {owner.name!r}",
                    )
                self.check_event_pattern(owner, t)
                self.check_target_input(owner, t)
            elif isinstance(t, SnsTrigger):
                topic = self.check_ref(t.topic, ("sns-topic",), owner.name, "snsTopicName")
                self.check_arn_ref(
                    t.topic, owner.name, "snsTopicArn", ("sns-topic",), "snsTopicName"
                )
                if isinstance(topic, SnsTopic) and topic.fifo and t.topic is not None:
                    self.report(
                        t.topic.path,
                        "error",
                        "sns-fifo-topic",
                        f"topic {topic.name!r} is FIFO; a function or batch job cannot "
                        "subscribe to a FIFO topic (Stacktape e86)",
                        resource=owner.name,
                        hint="subscribe a FIFO sqs-queue instead, or make the topic standard",
                    )
                self.check_delivery_failure(t.on_delivery_failure, owner.name)
                self.check_filter_policy(owner, t)
            elif isinstance(t, HttpTrigger):
                if t.gateway is not None and t.gateway.by != "default":
                    self.check_ref(
                        t.gateway, ("http-api-gateway",), owner.name, "httpApiGatewayName"
                    )
                if t.authorizer is not None:
                    cognito = t.authorizer.type == "cognito"
                    self.check_ref(
                        t.authorizer.target,
                        ("user-auth-pool",) if cognito else ("function",),
                        owner.name,
                        "authorizer userPoolName" if cognito else "authorizer functionName",
                    )
            elif isinstance(t, WebSocketTrigger):
                self.check_ref(
                    t.gateway, ("websocket-api-gateway",), owner.name, "websocketApiGatewayName"
                )
                self.check_ref(
                    t.authorizer_function, ("function",), owner.name, "authorizer functionName"
                )
            elif isinstance(t, AppSyncTrigger):
                self.check_ref(t.api, ("appsync-api",), owner.name, "appsyncApiName")
            elif isinstance(t, KafkaTopicTrigger):
                self.check_ref(t.cluster, ("kafka-cluster",), owner.name, "kafkaClusterName")
                self.check_ref(t.upstash, ("upstash-kafka-topic",), owner.name, "upstashKafkaTopic")
            elif isinstance(t, S3Trigger):
                what = "bucketName" if "bucketName" in t.properties else "bucketArn"
                self.check_ref(t.bucket, ("bucket",), owner.name, what)
                self.check_arn_ref(t.bucket, owner.name, "bucketArn", ("bucket",))
            elif isinstance(t, ScheduleTrigger):
                self.check_schedule(owner, t)
                self.check_target_input(owner, t)
            elif t.type in LOAD_BALANCER_TYPES:
                if t.type == "application-load-balancer":
                    self.check_listener_rule(owner, t)
                self.check_load_balancer(owner, t)
            elif t.type in STREAM_EVENT_TYPES:
                if isinstance(t.properties.get("streamArn"), str):
                    self.check_stream_arn(owner, t)
                stream = t.properties.get("kinesisStreamName")
                if isinstance(stream, str) and not isinstance(stream, Placeholder):
                    # Stacktape's resolveReferenceToKinesisStream (e36).
                    spath = (*t.path, "properties", "kinesisStreamName")
                    ref = Ref(raw=stream, path=spath, target=stream)
                    self.check_ref(ref, ("kinesis-stream",), owner.name, "kinesisStreamName")
                self.check_stream_on_failure(owner, t)
            elif isinstance(t.properties.get("streamArn"), str):
                self.check_stream_arn(owner, t)

    def check_stream_arn(self, owner: Resource, t: Trigger) -> None:
        """A stream integration's `streamArn` (the model keeps these triggers opaque, the graph
        draws their source): an ARN, not a table's or stream's name."""
        value = t.properties["streamArn"]
        if isinstance(value, (ResourceParamValue, Placeholder)) or value.startswith(("arn:", "$")):
            return
        table = t.type == "dynamo-db-stream"
        self.check_not_an_arn(
            (*t.path, "properties", "streamArn"),
            value,
            owner.name,
            "streamArn",
            ("dynamo-db-table",) if table else ("kinesis-stream",),
            None if table else "kinesisStreamName",
            param="streamArn" if table else "arn",
        )

    def check_stream_on_failure(self, owner: Resource, t: Trigger) -> None:
        """A stream event's `onFailure.type` names the service of the destination its `arn`
        names: Stacktape's `DestinationOnFailure` is an SQS queue (`sqs`) or an SNS topic
        (`sns`), and the `type` says which of the two the destination is."""
        failure = t.properties.get("onFailure")
        kind = failure.get("type") if isinstance(failure, dict) else None
        if kind not in ON_FAILURE_TYPES or not isinstance(failure, dict):
            return  # missing, or not sns/sqs: the schema's concern
        arn = failure.get("arn")
        if isinstance(arn, ResourceParamValue):
            target = self.res.get(arn.resource)
            if target is None or not _known_type(target):
                return  # reported as a reference of its own
            actual = canonical_type(target.type)
            what = f"{with_article(actual)} ({arn.resource!r})"
        elif isinstance(arn, str) and not isinstance(arn, Placeholder) and arn.startswith("arn:"):
            service = arn.split(":")[2] if arn.count(":") >= 2 else ""
            actual = {"sqs": "sqs-queue", "sns": "sns-topic"}.get(service, service)
            what = f"an ARN of {service or 'no service'}"
        else:
            return
        wanted = ON_FAILURE_TYPES[kind]
        if actual == wanted:
            return
        fix = next((k for k, v in ON_FAILURE_TYPES.items() if v == actual), None)
        self.report(
            (*t.path, "properties", "onFailure", "type"),
            "error",
            "stream-on-failure-type",
            f"onFailure has type {kind!r} ({with_article(wanted)}), but its arn is {what}: the "
            "destination of discarded batches must be the kind its type names",
            resource=owner.name,
            hint=f"set type: {fix}"
            if fix
            else "point arn at an sqs-queue (type: sqs) or an sns-topic (type: sns)",
        )

    def check_event_pattern(self, owner: Resource, t: EventBusTrigger) -> None:
        """`eventPattern` must be one EventBridge accepts (the rule is refused otherwise)."""
        if not t.pattern:
            return  # missing, empty or of the wrong type: normalize reported it
        problem = self.verdict(_pattern_problem, t.pattern)
        if problem is not None:
            self.report(
                (*t.path, "properties", "eventPattern"),
                "error",
                "invalid-event-pattern",
                problem,
                resource=owner.name,
                hint="each field takes a list of values or matchers, e.g. source: [my.app] or "
                "detail: {amount: [{numeric: ['>', 0]}]}; try it with `stptui match`",
            )

    def check_filter_policy(self, owner: Resource, t: SnsTrigger) -> None:
        """`filterPolicy` must be one SNS accepts (the subscription is refused otherwise)."""
        if not t.filter_policy:
            return  # none, or `{}`, which SNS takes as no filter
        problems = _filter_policy_problems(t.filter_policy)
        if problems:
            self.report(
                (*t.path, "properties", "filterPolicy"),
                "error",
                "invalid-filter-policy",
                "Invalid parameter: " + "; ".join(problems),
                resource=owner.name,
                hint="each message attribute takes a list of values or matchers, e.g. "
                "type: [order] or amount: [{numeric: ['>', 0]}]",
            )

    def check_target_input(self, owner: Resource, t: ScheduleTrigger | EventBusTrigger) -> None:
        """`input`, `inputPath` and `inputTransformer` as EventBridge's PutTargets takes them
        (stacktape-config §6.7), and a template a function or batch job cannot take: Lambda
        is invoked with JSON only, while a queue takes any text. Each one written is checked,
        even when normalize reported that several are."""
        json_only = isinstance(owner, Workload)
        ppath = (*t.path, "properties")
        checks: list[tuple[str, Any, Any, Any]] = []
        if t.input is not None:
            checks.append(("input", t.input, None, None))
        if isinstance(t.input_path, str):
            checks.append(("inputPath", None, t.input_path, None))
        transformer = _stacktape_transformer(t.input_transformer)
        if transformer is not None:
            checks.append(("inputTransformer", None, None, transformer))
        for key, constant, input_path, tr in checks:
            problems, filled = _target_input(constant, input_path, tr)
            if problems:
                self.report(
                    (*ppath, key),
                    "error",
                    "invalid-target-input",
                    "; ".join(problems) + " (EventBridge refuses the rule's target)",
                    resource=owner.name,
                    hint=_TARGET_INPUT_HINTS[key],
                    key=key == "inputTransformer",
                )
            elif json_only and filled is not None and not _is_json(filled):
                self.report(
                    (*ppath, key, "inputTemplate"),
                    "warning",
                    "target-input-not-json",
                    f"inputTemplate fills to text that is not JSON ({_clip(filled)}); "
                    f"{owner.name!r} is {with_article(owner.type)}, which Lambda invokes with "
                    "JSON only, so every delivery fails",
                    resource=owner.name,
                    hint='quote plain text so that it is a JSON string ("<a> is <b>"), or '
                    "write a JSON object",
                )

    def check_delivery_failure(self, ref: Ref | None, owner: str) -> None:
        """onDeliveryFailure names a standard queue in the stack (or an outside ARN)."""
        queue = self.check_ref(ref, ("sqs-queue",), owner, "onDeliveryFailure queue")
        self.check_arn_ref(
            ref, owner, "onDeliveryFailure.sqsQueueArn", ("sqs-queue",), "sqsQueueName"
        )
        if not isinstance(queue, Queue) or ref is None:
            return
        self.dlq_of[queue.name].append(owner)
        if queue.fifo:
            self.report(
                ref.path,
                "error",
                "delivery-failure-fifo",
                f"onDeliveryFailure queue {queue.name!r} is FIFO; EventBridge and SNS "
                "dead-letter queues must be standard queues",
                resource=owner,
                hint="use a standard sqs-queue as the delivery-failure queue",
            )

    def check_schedule(self, owner: Resource, t: ScheduleTrigger) -> None:
        """`scheduleRate` must be a valid AWS rate() or cron() (Stacktape §3.2)."""
        if not t.rate:
            return  # missing or wrongly typed: normalize reported it
        problem = self.verdict(_validate_schedule, t.rate)
        if problem is None:
            return
        key = next((k for k in ("scheduleRate", "rate", "schedule") if k in t.properties), None)
        self.report(
            (*t.path, "properties", key or "scheduleRate"),
            "error",
            "invalid-schedule",
            f"invalid scheduleRate: {problem}",
            resource=owner.name,
            hint="e.g. rate(5 minutes), rate(1 hour) or cron(0 9 * * ? *) (UTC)",
        )

    def _prop_at(self, t: Trigger, *keys: str) -> tuple[DataPath, bool]:
        """Where to point for a trigger property: the value of the first of `keys` written
        (alternate spellings too), else the event's `properties` key. Returns (path, key)."""
        for k in keys:
            if k in t.properties:
                return (*t.path, "properties", k), False
        return (*t.path, "properties"), True

    def check_sqs_trigger(self, owner: Resource, t: SqsTrigger) -> None:
        """Queue reference, FIFO batching limits (aws-semantics §2) and the consumer index."""
        queue = self.check_ref(t.queue, ("sqs-queue",), owner.name, "sqsQueueName")
        self.check_arn_ref(t.queue, owner.name, "sqsQueueArn", ("sqs-queue",), "sqsQueueName")
        if isinstance(queue, Queue):
            self.consumers[queue.name].append(t)
        fifo = isinstance(queue, Queue) and queue.fifo
        size_path, size_key = self._prop_at(t, "batchSize")
        window_path, window_key = self._prop_at(t, *_WINDOW_KEYS)
        if fifo:
            if t.batch_size > FIFO_MAX_BATCH:
                self.report(
                    size_path,
                    "error",
                    "fifo-batch-size",
                    f"batchSize {t.batch_size} is above {FIFO_MAX_BATCH}, the maximum for a "
                    f"FIFO queue ({queue.name!r})",
                    resource=owner.name,
                    hint=f"use batchSize 1-{FIFO_MAX_BATCH}",
                    key=size_key,
                )
            if t.max_batch_window_s is not None:
                self.report(
                    window_path,
                    "error",
                    "fifo-batch-window",
                    f"maxBatchWindowSeconds is not supported for FIFO queues ({queue.name!r})",
                    resource=owner.name,
                    hint="remove maxBatchWindowSeconds",
                    key=window_key,
                )
        elif (
            t.batch_size > FIFO_MAX_BATCH
            and (t.max_batch_window_s or 0) < 1
            # A window written but refused (1.5, 301) was reported by normalize already.
            and (t.max_batch_window_s is not None or window_key)
        ):
            self.report(
                size_path,
                "error",
                "batch-window-required",
                f"batchSize {t.batch_size} is above 10, which needs maxBatchWindowSeconds of "
                "at least 1; AWS rejects the event source mapping",
                resource=owner.name,
                hint="add maxBatchWindowSeconds: 1 (or more, up to 300)",
                key=size_key,
            )

    # -- queues ------------------------------------------------------------------------

    def check_queue_refs(self, q: Queue) -> None:
        """The redrive target exists, is a queue and has the same type (FIFO or standard)."""
        ref = q.redrive_target
        target = self.check_ref(ref, ("sqs-queue",), q.name, "redrivePolicy target")
        self.check_arn_ref(
            ref,
            q.name,
            "redrivePolicy.targetSqsQueueArn",
            ("sqs-queue",),
            "targetSqsQueueName",
        )
        if not isinstance(target, Queue) or ref is None:
            return
        self.dlq_of[target.name].append(q.name)
        if target.fifo != q.fifo:
            kind = {True: "FIFO", False: "standard"}
            self.report(
                ref.path,
                "error",
                "redrive-fifo-mismatch",
                f"{kind[q.fifo]} queue {q.name!r} cannot use {kind[target.fifo]} queue "
                f"{target.name!r} as its dead-letter queue; both must be the same type",
                resource=q.name,
                hint=f"set fifoEnabled: {str(q.fifo).lower()} on {target.name!r}",
            )

    def check_redrive_cycles(self, queues: list[Queue]) -> None:
        """A redrive chain that loops back is rejected (and would move messages forever)."""
        edges = {
            q.name: q.redrive_target.target
            for q in queues
            if q.redrive_target is not None
            and isinstance(self.res.get(q.redrive_target.target or ""), Queue)
        }
        # A cycle needs a target that itself redrives; most stacks have none, and then the
        # (slow to import) graph library is not needed at all.
        if not any(t in edges for t in edges.values()):
            return
        import networkx as nx

        graph = nx.DiGraph(list(edges.items()))
        order = {q.name: i for i, q in enumerate(queues)}
        for cycle in nx.simple_cycles(graph):
            start = min(range(len(cycle)), key=lambda i: order[cycle[i]])
            names = cycle[start:] + cycle[:start]
            first = self.res[names[0]]
            assert isinstance(first, Queue) and first.redrive_target is not None
            self.report(
                first.redrive_target.path,
                "error",
                "redrive-cycle",
                "redrive cycle: " + " -> ".join([*names, names[0]]),
                resource=first.name,
                hint="a dead-letter queue must not redrive back into its sources",
            )

    def check_consumers(self, q: Queue) -> None:
        """Timeouts against every consumer; no consumer; several consumers."""
        consumers = self.consumers.get(q.name, [])
        if not consumers:
            if q.name in self.dlq_of:
                sources = ", ".join(named(s) for s in dict.fromkeys(self.dlq_of[q.name]))
                also = ""
                if fns := self.failure_destination_of.get(q.name):
                    also = f"; also the onFailure destination of {named_list(fns)}"
                self.report(
                    q.path,
                    "info",
                    "dlq-no-consumer",
                    f"dead-letter queue {q.name!r} (for {sources}{also}) has no consumer; "
                    "messages stay until you redrive them",
                    resource=q.name,
                    key=True,
                )
            elif fns := self.failure_destination_of.get(q.name):
                self.report(
                    q.path,
                    "info",
                    "failure-destination-no-consumer",
                    f"queue {q.name!r} (onFailure destination of "
                    f"{named_list(fns)}) has no consumer; the invocation records "
                    "Lambda sends for failed asynchronous invocations stay there until something "
                    "reads them",
                    resource=q.name,
                    key=True,
                )
            elif fns := self.stream_failure_destination_of.get(q.name):
                self.report(
                    q.path,
                    "info",
                    "failure-destination-no-consumer",
                    f"queue {q.name!r} (onFailure destination of the stream events of "
                    f"{named_list(fns)}) has no consumer; the records Lambda sends "
                    "for discarded batches stay there until something reads them",
                    resource=q.name,
                    key=True,
                )
            elif q.name not in self.polled:
                hint = (
                    f"add `- type: sqs` with `sqsQueueName: {yaml_key(q.name)}` to a "
                    "function's events"
                )
                if any(w in q.name.lower() for w in ("dlq", "dead")):
                    # Named as one, and no queue redrives to it: the redrivePolicy is missing.
                    hint += (
                        "; as a dead-letter queue, name it in a queue's redrivePolicy: "
                        f"{{targetSqsQueueName: {yaml_key(q.name)}, "
                        f"maxReceiveCount: {MIN_GUIDED_RECEIVE_COUNT}}}"
                    )
                # A function's or batch job's code may receive from a queue it connects to
                # (boto3's receive_message in a Python handler, say), which no config says:
                # the warning says it did not count them rather than hide a queue that only
                # a producer connects to, which is what it is for.
                readers = [
                    w.name
                    for w in self.res.values()
                    if isinstance(w, Workload)
                    and any(ref.by == "name" and ref.raw == q.name for ref in w.connect_to)
                ]
                note = (
                    f" (the code of {named_list(readers)}, which connect"
                    f"{'s' if len(readers) == 1 else ''} to it, may receive from it: stptui "
                    "cannot see what code calls, so that is not counted)"
                    if readers
                    else ""
                )
                self.report(
                    q.path,
                    "warning",
                    "queue-no-consumer",
                    f"queue {q.name!r} has no consumer: no function or batch job has an `sqs` "
                    f"event for it, and it is no dead-letter queue{note}",
                    resource=q.name,
                    key=True,
                    hint=hint,
                )
            return
        for extra in consumers[1:]:
            assert extra.queue is not None
            self.report(
                extra.queue.path,
                "warning",
                "queue-multiple-consumers",
                f"queue {q.name!r} already has a consumer ({consumers[0].owner!r}, "
                f"{self.place_of(consumers[0].path)}); each message goes to only one of them",
                resource=extra.owner,
                hint="Stacktape: one consumer per queue; for fan-out publish to an sns-topic or "
                "event-bus and give each consumer its own queue",
            )
        for t in consumers:
            self.check_visibility(q, t)
        if (
            q.max_receive_count is not None
            and q.max_receive_count < MIN_GUIDED_RECEIVE_COUNT
            and q.redrive_target is not None
        ):
            self.report(
                (*q.path, "properties", "redrivePolicy", "maxReceiveCount"),
                "info",
                "max-receive-count-low",
                f"maxReceiveCount is {q.max_receive_count}; AWS advises at least "
                f"{MIN_GUIDED_RECEIVE_COUNT} for a Lambda-consumed queue, so throttled or "
                "retried batches are not moved to the dead-letter queue too early",
                resource=q.name,
                hint=f"set maxReceiveCount: {MIN_GUIDED_RECEIVE_COUNT}",
            )

    def check_visibility(self, q: Queue, t: SqsTrigger) -> None:
        """Visibility timeout against the consuming function's timeout (aws-semantics §2)."""
        consumer = self.res.get(t.owner)
        if isinstance(consumer, Function):
            timeout: float = consumer.timeout_s
            via = ""
        elif isinstance(consumer, BatchJob):
            timeout = BATCH_TRIGGER_FUNCTION_TIMEOUT_S
            via = f" (the batch job's hidden trigger function {named(t.owner)}.triggerFunction)"
        else:
            return
        assert t.queue is not None
        vt = q.visibility_timeout_s
        vt_where = (
            "default"
            if "visibilityTimeoutSeconds" in q.defaults
            else self.place_of((*q.path, "properties", "visibilityTimeoutSeconds"))
        )
        if vt < timeout:
            self.report(
                t.queue.path,
                "error",
                "visibility-timeout-too-short",
                f"Queue visibility timeout: {_fmt_seconds(vt)} seconds is less than Function "
                f"timeout: {_fmt_seconds(timeout)} seconds{via}; AWS rejects the event source "
                "mapping (InvalidParameterValueException)",
                resource=t.owner,
                hint=f"raise visibilityTimeoutSeconds of {q.name!r} ({vt_where}) to at least "
                f"{_fmt_seconds(timeout)}; AWS advises {_fmt_seconds(timeout * 6)}",
            )
            return
        if vt < timeout * VT_GUIDANCE_FACTOR:
            self.report(
                t.queue.path,
                "info",
                "visibility-timeout-guidance",
                f"queue {q.name!r} visibility timeout {_fmt_seconds(vt)} s is below "
                f"{_fmt_seconds(timeout * VT_GUIDANCE_FACTOR)} s ({VT_GUIDANCE_FACTOR} x the "
                f"consumer's {_fmt_seconds(timeout)} s timeout{via}); "
                "AWS advises at least 6x so retried batches are not redelivered while running",
                resource=t.owner,
                hint=f"set visibilityTimeoutSeconds: {_fmt_seconds(timeout * 6)} on {q.name!r}",
            )
        window = t.max_batch_window_s
        if window and window + timeout > vt:
            window_path, window_key = self._prop_at(t, *_WINDOW_KEYS)
            self.report(
                window_path,
                "info",
                "effective-visibility-timeout",
                f"batching window {_fmt_seconds(window)} s + function timeout "
                f"{_fmt_seconds(timeout)} s exceeds the visibility timeout {_fmt_seconds(vt)} s "
                f"of {q.name!r}; AWS then uses window + timeout + 30 s = "
                f"{_fmt_seconds(window + timeout + 30)} s as the effective visibility timeout",
                resource=t.owner,
                key=window_key,
            )

    # -- Stacktape's function and event checks (stacktape-config §6.9, §3.1) -------------

    def check_event_types(self, w: Workload) -> None:
        """Each event's `type` is one the schema's `events` union of the workload's type has
        (types that are no event integration at all were reported by normalize)."""
        allowed = FUNCTION_EVENT_TYPES if isinstance(w, Function) else BATCH_JOB_EVENT_TYPES
        for t in w.events:
            if t.type in allowed or t.type not in TRIGGER_TYPES:
                continue
            if t.type in CONTAINER_TRIGGER_TYPES:
                hint = (
                    f"`{t.type}` is an event of a multi-container-workload's container; "
                    f"remove it from {w.name!r}"
                )
            else:
                hint = (
                    f"only a function takes `{t.type}` events: give the event to a function, "
                    f"which can start {w.name!r} (connectTo it and call StartExecution)"
                )
            self.report(
                (*t.path, "type"),
                "error",
                "event-not-accepted",
                f"a {w.type} cannot have a `{t.type}` event; Stacktape's schema allows only "
                f"{', '.join(sorted(allowed))}",
                resource=w.name,
                hint=hint,
            )

    def check_no_events(self, r: Resource) -> None:
        """Web, private and worker services have no `events`, and a multi-container workload
        has them on its containers only: Stacktape's schema rejects the property."""
        if "events" not in r.properties:
            return
        if isinstance(r, ContainerWorkload):
            message = (
                f"a {r.type} takes events on its containers (`containers[].events`), not "
                "under `properties`; Stacktape's schema rejects this `events`"
            )
            hint = "move each event under the container that receives it, with its containerPort"
        else:
            message = f"a {r.type} has no `events`; Stacktape's schema rejects the property"
            hint = (
                "remove `events`; to run code on a queue, schedule or other event, use a "
                "function or batch job"
            )
        self.report(
            (*r.path, "properties", "events"),
            "error",
            "event-not-accepted",
            message,
            resource=r.name,
            hint=hint,
            key=True,
        )

    def check_reserved_concurrency(self) -> None:
        """The functions' reservations leave at least 100 of the account's concurrency
        unreserved, or Lambda refuses the one that takes it below (PutFunctionConcurrency).
        A warning: stptui simulates AWS's default of 1,000 for the account, and an account
        may have a higher quota."""
        total = 0
        for fn in self.stack.functions:
            reserved = fn.reserved_concurrency
            if not reserved:
                continue
            total += reserved
            left = ACCOUNT_CONCURRENCY - total
            if left >= MIN_UNRESERVED_CONCURRENCY:
                continue
            self.report(
                (*fn.path, "properties", "reservedConcurrency"),
                "warning",
                "reserved-concurrency-over-account",
                f"reservedConcurrency {reserved:,} brings the stack's reservations to "
                f"{total:,}, leaving {max(left, 0):,} of the account's {ACCOUNT_CONCURRENCY:,} "
                f"unreserved; Lambda keeps at least {MIN_UNRESERVED_CONCURRENCY} unreserved and "
                "refuses it: Specified ReservedConcurrentExecutions for function decreases "
                "account's UnreservedConcurrentExecution below its minimum value of "
                f"[{MIN_UNRESERVED_CONCURRENCY}].",
                resource=fn.name,
                hint=f"reserve at most {ACCOUNT_CONCURRENCY - MIN_UNRESERVED_CONCURRENCY:,} "
                "across the stack's functions, or raise the account's quota (stptui simulates "
                f"{ACCOUNT_CONCURRENCY:,}: the functions without a reservation share "
                f"{max(left, 0):,})",
            )
            return

    def check_function_deployer(self, fn: Function) -> None:
        """The function checks Stacktape's deployer makes before it builds anything: EFS
        mounts and VPC-only connectTo targets need the VPC; a custom artifact needs a
        `file:function` handler and a runtime."""
        props = fn.properties
        join = props.get("joinDefaultVpc")
        # A non-boolean value was reported by normalize; whether it joins is unknown then.
        outside_vpc = join is None or join is False
        mounts = props.get("volumeMounts")
        if outside_vpc and mounts is not None:
            # Stacktape tests `volumeMounts && !joinDefaultVpc`: even an empty list counts.
            self.report(
                (*fn.path, "properties", "volumeMounts"),
                "error",
                "volume-mounts-need-vpc",
                f"Error in function {named(fn.name)}: When using volumeMounts, the property "
                "joinDefaultVpc must be set to true. (Stacktape e121)",
                resource=fn.name,
                hint="set joinDefaultVpc: true (be aware that a Lambda function joined to a "
                "VPC cannot access the internet)",
                key=True,
            )
        if outside_vpc:
            self.check_vpc_only_targets(fn)
        self.check_custom_artifact(fn)

    def check_vpc_only_targets(self, fn: Function) -> None:
        """connectTo entries a function outside the VPC cannot reach."""
        atlas_mode = self._atlas_accessibility()
        for ref in fn.connect_to:
            target = self.res.get(ref.target or "") if ref.by == "name" else None
            if target is None:
                continue
            rtype = canonical_type(target.type)
            if rtype == "mongo-db-atlas-cluster":
                if atlas_mode in (None, "internet"):
                    continue
                message = (
                    f'Error in function "{fn.name}". Function is referencing following '
                    f'"atlasMongoCluster" resources which only allow connections from '
                    f'"{atlas_mode}": "{target.name}". These cannot be scoped by connectTo '
                    "unless function is connected to vpc."
                )
                hint = (
                    f"{_JOIN_VPC_HINT}, or set providerConfig.mongoDbAtlas.accessibility."
                    "accessibilityMode: internet"
                )
            else:
                if rtype == "redis-cluster":
                    why = ""
                elif rtype == "relational-database":
                    access = target.properties.get("accessibility")
                    mode = access.get("accessibilityMode") if isinstance(access, dict) else None
                    if mode not in _VPC_ONLY_MODES:
                        continue
                    why = f" (accessibilityMode: {mode})"
                else:
                    continue
                message = (
                    f"Function {named(fn.name)} can not connect to the following resources, unless "
                    f"it is connected to a VPC: {named(target.name)} of type {rtype}{why}"
                )
                hint = _JOIN_VPC_HINT
            self.report(
                ref.path, "error", "connect-to-needs-vpc", message, resource=fn.name, hint=hint
            )

    def _atlas_accessibility(self) -> str | None:
        """`providerConfig.mongoDbAtlas.accessibility.accessibilityMode`, when written."""
        node: Any = self.stack.source.data
        for key in ("providerConfig", "mongoDbAtlas", "accessibility", "accessibilityMode"):
            node = node.get(key) if isinstance(node, dict) else None
        return node if isinstance(node, str) else None

    def check_custom_artifact(self, fn: Function) -> None:
        """`custom-artifact` packaging: `handler` as `file:function` (e10, e102) and a
        `runtime` (e11), which Stacktape cannot infer from a prebuilt zip."""
        pack = fn.properties.get("packaging")
        if not isinstance(pack, dict) or pack.get("type") != "custom-artifact":
            return
        ppath = (*fn.path, "properties", "packaging")
        pprops = pack.get("properties")
        handler = pprops.get("handler") if isinstance(pprops, dict) else None
        if not handler:
            self.report(
                (*ppath, "properties") if isinstance(pprops, dict) else ppath,
                "error",
                "custom-artifact-handler",
                f"Lambda function {named(fn.name)} must have handler property specified when using "
                "custom-artifact packaging type. (Stacktape e10)",
                resource=fn.name,
                hint="add handler: <file>:<function> under packaging.properties, e.g. "
                "handler: index.js:handler",
                key=True,
            )
        elif isinstance(handler, str) and not isinstance(handler, Placeholder):
            parts = handler.split(":")
            # Stacktape reads `[filePath, handlerFunction] = handler.split(':')`.
            if len(parts) < 2 or not parts[1]:
                self.report(
                    (*ppath, "properties", "handler"),
                    "error",
                    "custom-artifact-handler",
                    f"Handler property of lambda function {named(fn.name)} has invalid format. "
                    "(Stacktape e102)",
                    resource=fn.name,
                    hint="Handler must be in shape {filePath}:{handlerFunction}, e.g. "
                    + _handler_suggestion(parts[0]),
                )
        if fn.properties.get("runtime") is None:
            self.report(
                (*ppath, "type"),
                "error",
                "custom-artifact-runtime",
                f"Lambda function {named(fn.name)} must set runtime when using custom-artifact "
                "packaging type. (Stacktape e11)",
                resource=fn.name,
                hint="add runtime: to the function's properties, e.g. runtime: nodejs22.x",
            )

    # -- HTTP --------------------------------------------------------------------------

    def check_http(self, owners: list[Workload | ContainerWorkload]) -> None:
        """Routes of functions, batch jobs and container workloads: one payload format per
        function or job, no route declared twice on a gateway, the 30 s integration cap."""
        routes: dict[tuple[str, str, str], HttpTrigger] = {}
        for w in owners:
            http = [t for t in w.events if isinstance(t, HttpTrigger)]
            if not http:
                continue
            if isinstance(w, Workload):
                self.check_payload_formats(w, http)
            for t in http:
                self.check_route(w, t, routes)
            if (
                isinstance(w, Function)
                and "timeout" not in w.defaults
                and w.timeout_s > HTTP_INTEGRATION_TIMEOUT_S
            ):
                self.report(
                    (*w.path, "properties", "timeout"),
                    "info",
                    "http-timeout",
                    f"timeout {w.timeout_s} s is above the HTTP API integration timeout of "
                    f"{HTTP_INTEGRATION_TIMEOUT_S} s; requests to {w.name!r}'s routes fail after "
                    f"{HTTP_INTEGRATION_TIMEOUT_S} s while the function keeps running",
                    resource=w.name,
                    hint="answer quickly and hand long work to a queue",
                )

    def check_route_settings(self, owners: list[Workload | ContainerWorkload]) -> None:
        """The RouteSettings of an HTTP API's stage (its `overrides`) may name only routes
        the API has: API Gateway refuses a stage whose RouteSettings name another route
        key, so the deployment fails."""
        keys: dict[str, list[str]] = defaultdict(list)
        for w in owners:
            for t in w.events:
                if isinstance(t, HttpTrigger) and (gw := self._gateway_of(t)) is not None:
                    keys[gw.name].append(t.route_key)
        for gw in self.stack.of_type(HttpApiGateway):
            for key, path in gw.route_settings_at.items():
                if key in keys[gw.name]:
                    continue
                guess = did_you_mean(key, keys[gw.name])
                routes = ", ".join(keys[gw.name]) or "none"
                self.report(
                    path,
                    "error",
                    "route-settings-unknown-route",
                    f"RouteSettings of {gw.name!r}'s stage name the route {key!r}, which the "
                    "API does not have; API Gateway refuses the stage",
                    resource=gw.name,
                    hint=f"did you mean {guess!r}?" if guess else f"the API's routes: {routes}",
                    key=True,
                )

    def _gateway_of(self, t: HttpTrigger) -> Resource | None:
        return self.res.get(t.gateway.target or "") if t.gateway else None

    def check_payload_formats(self, w: Workload, http: list[HttpTrigger]) -> None:
        """All `http-api-gateway` events of one function or job resolve to one format (§6.8)."""
        first_format: tuple[str, HttpTrigger] | None = None
        for t in http:
            gw = self._gateway_of(t)
            fmt = t.payload_format or (
                gw.payload_format if isinstance(gw, HttpApiGateway) else HTTP_PAYLOAD_FORMAT
            )
            if first_format is None:
                first_format = (fmt, t)
            elif fmt != first_format[0]:
                fmt_path, fmt_key = self._prop_at(t, "payloadFormat")
                self.report(
                    fmt_path,
                    "error",
                    "payload-format-mismatch",
                    f"this route uses payload format {fmt} but {w.name!r}'s route at "
                    f"{self.place_of(first_format[1].path)} uses {first_format[0]}; all "
                    "http-api-gateway events of one function must use the same format",
                    resource=w.name,
                    hint=f"set payloadFormat: '{first_format[0]}' on this event (or the "
                    "same format on all of them)",
                    key=fmt_key,
                )

    def check_route(
        self, owner: Resource, t: HttpTrigger, routes: dict[tuple[str, str, str], HttpTrigger]
    ) -> None:
        """A method and path may be declared once per gateway (Stacktape e92); `routes` holds
        the routes seen so far, across every resource."""
        gw = self._gateway_of(t)
        if not isinstance(gw, HttpApiGateway) or "path" not in t.properties:
            return
        key = (gw.name, t.method, t.route_path)
        other = routes.get(key)
        if other is None:
            routes[key] = t
            return
        by = other.owner if other.container is None else f"{other.owner}.{other.container}"
        self.report(
            (*t.path, "properties", "path"),
            "error",
            "duplicate-route",
            f"route {t.method} {t.route_path} on gateway {gw.name!r} is already "
            f"declared by {by!r} ({self.place_of(other.path)})",
            resource=owner.name,
            hint="change the method or path of one of the two routes",
        )

    def check_newest_routes(self, workloads: list[Workload]) -> None:
        """One handler per WebSocket route key on a gateway and one resolver per AppSync field
        on an API (Stacktape's CONFIG_WEBSOCKET_ROUTE_CONFLICT and
        CONFIG_APPSYNC_RESOLVER_FIELD_CONFLICT), across every function."""
        routes: dict[tuple[str, str], WebSocketTrigger] = {}
        fields: dict[tuple[str, str], AppSyncTrigger] = {}
        for w in workloads:
            for t in w.events:
                if isinstance(t, WebSocketTrigger) and t.gateway and t.route_key:
                    key = (t.gateway.target or "", t.route_key)
                    other = routes.setdefault(key, t)
                    if other is not t:
                        self.report(
                            (*t.path, "properties", "routeKey"),
                            "error",
                            "duplicate-route",
                            f"route {t.route_key!r} on WebSocket API {key[0]!r} is already "
                            f"handled by {other.owner!r} ({self.place_of(other.path)})",
                            resource=w.name,
                            hint="each route key has one handler; use another route key",
                        )
                elif isinstance(t, AppSyncTrigger) and t.api and t.field_name:
                    key = (t.api.target or "", t.field_name)
                    other_field = fields.setdefault(key, t)
                    if other_field is not t:
                        self.report(
                            (*t.path, "properties", "field"),
                            "error",
                            "duplicate-resolver",
                            f"AppSync field {t.field_name!r} on API {key[0]!r} is already "
                            f"resolved by {other_field.owner!r} "
                            f"({self.place_of(other_field.path)})",
                            resource=w.name,
                            hint="each field has one Lambda resolver",
                        )

    # -- S3 ----------------------------------------------------------------------------

    def check_kafka_duplicates(self, owner: Resource, triggers: list[Any]) -> None:
        """Two `kafka-topic` events of one function that read the same topic from the same
        brokers (the same bootstrap servers, in any order, or the same cluster or Upstash
        topic): Lambda refuses the second event source mapping (ResourceConflictException)."""
        seen: dict[tuple[Any, ...], int] = {}
        for t in triggers:
            if not isinstance(t, KafkaTopicTrigger):
                continue
            props = t.properties
            if t.upstash is not None:
                key: tuple[Any, ...] = ("upstash", t.upstash.target)
                where = f"Upstash topic {t.upstash.target!r}"
            elif t.topic is None:
                continue
            elif t.brokers:
                key = ("custom", t.topic, frozenset(t.brokers))
                where = f"topic {t.topic!r} on the same bootstrap servers"
            elif t.cluster is not None:
                key = ("cluster", t.topic, t.cluster.target)
                where = f"topic {t.topic!r} of kafka-cluster {t.cluster.target!r}"
            elif isinstance(props.get("mskClusterArn"), str):
                key = ("msk", t.topic, props["mskClusterArn"])
                where = f"topic {t.topic!r} of the same MSK cluster"
            else:
                continue
            if key in seen:
                self.report(
                    t.path,
                    "error",
                    "duplicate-kafka-mapping",
                    f"{owner.name!r} already reads {where} (events[{seen[key]}]); Lambda "
                    "refuses a second event source mapping for the same function, topic and "
                    "brokers (ResourceConflictException)",
                    resource=owner.name,
                    hint="remove one of the two events, or give them different topics",
                )
            else:
                seen[key] = t.index

    def check_s3_overlaps(self, triggers: list[S3Trigger]) -> None:
        """Notification configurations on one bucket may not overlap (aws-semantics §5)."""
        by_bucket: dict[str, list[S3Trigger]] = defaultdict(list)
        for t in triggers:
            if t.bucket is None or not t.event_types:
                continue
            target = self.res.get(t.bucket.target or "")
            if t.bucket.target is not None and not isinstance(target, Resource):
                continue  # a missing bucket: already reported
            by_bucket[t.bucket.target or t.bucket.raw].append(t)
        for bucket, group in by_bucket.items():
            if len(group) > 1:
                self._s3_group(bucket, group)

    def _s3_group(self, bucket: str, group: list[S3Trigger]) -> None:
        prefixes = _AffixIndex([t.prefix or "" for t in group])
        suffixes = _AffixIndex([(t.suffix or "")[::-1] for t in group])
        for i, t in enumerate(group):
            p, s = t.prefix or "", (t.suffix or "")[::-1]
            # Enumerate the smaller side; the other rule is checked directly.
            if prefixes.count(p) <= suffixes.count(s):
                candidates = prefixes.overlapping(p)
            else:
                candidates = suffixes.overlapping(s)
            for j in sorted(c for c in candidates if c < i):
                other = group[j]
                op, os_ = other.prefix or "", (other.suffix or "")[::-1]
                if not (op.startswith(p) or p.startswith(op)):
                    continue
                if not (os_.startswith(s) or s.startswith(os_)):
                    continue
                if not _s3_types_overlap(t.event_types, other.event_types):
                    continue
                self.report(
                    (*t.path, "properties"),
                    "error",
                    "s3-notification-overlap",
                    "Configurations overlap. Configurations on the same bucket cannot share a "
                    f"common event type. (bucket {bucket!r}: this event and {other.owner!r}'s at "
                    f"{self.place_of(other.path)} share an event type and their "
                    "prefix/suffix filters overlap)",
                    resource=t.owner,
                    hint="give the two events prefixes (or suffixes) that do not overlap, or "
                    "different event types",
                    key=True,
                )
                break

    # -- load balancers, deployments and mounts (Stacktape's config-manager/utils) ------

    def run(self) -> list[Diagnostic]:
        """Run every check; return the findings."""
        workloads: list[Workload] = []
        queues: list[Queue] = []
        # Everything that declares HTTP routes, in config order.
        routed: list[Workload | ContainerWorkload] = []
        s3: list[S3Trigger] = []
        # Load balancer events of functions, batch jobs and containers, in config order.
        lb_events: list[tuple[Resource, Trigger]] = []
        for r in self.res.values():
            if isinstance(r, (Workload, ContainerWorkload)):
                lb_events.extend((r, t) for t in r.events if t.type in LOAD_BALANCER_TYPES)
            if isinstance(r, Workload):
                workloads.append(r)
                routed.append(r)
            elif isinstance(r, Queue):
                queues.append(r)
            else:
                if isinstance(r, ContainerWorkload):
                    routed.append(r)
                    self.check_triggers(r, r.events)
                if r.type in _EVENTLESS_TYPES or isinstance(r, ContainerWorkload):
                    self.check_no_events(r)
                if isinstance(r, Containerized):
                    # A container may poll a queue itself through connectTo (no `sqs` event
                    # exists for it), so such a queue is not unconsumed. No VPC check: it runs
                    # in the VPC (Stacktape's container resolver has none, unlike a function's).
                    self.polled.update(ref.raw for ref in r.connect_to if ref.by == "name")
                    self.check_connect_to(r.name, r.connect_to)
                    self.check_firewall(r)
                    self.check_deployment_hooks(r)
                    self.check_efs_mounts(r)
                    self.check_load_balancing(r)
                    self.check_container_resources(r)
                    if isinstance(r, ContainerWorkload):
                        self.check_containers(r)
        for w in workloads:
            self.check_connect_to(w.name, w.connect_to)
            self.check_triggers(w, w.events)
            self.check_event_types(w)
            s3.extend(t for t in w.events if isinstance(t, S3Trigger))
            if isinstance(w, Function):
                self.check_function_deployer(w)
                self.check_deployment_hooks(w)
                self.check_efs_mounts(w)
                for ref, what in ((w.on_success, "onSuccess"), (w.on_failure, "onFailure")):
                    dest = self.check_ref(ref, DESTINATION_TYPES, w.name, f"destinations.{what}")
                    self.check_arn_ref(ref, w.name, f"destinations.{what}", DESTINATION_TYPES)
                    if isinstance(dest, (Queue, SnsTopic)) and dest.fifo and ref is not None:
                        kind, wanted = (
                            ("queue", "sqs-queue")
                            if isinstance(dest, Queue)
                            else ("topic", "sns-topic")
                        )
                        self.report(
                            ref.path,
                            "error",
                            "destination-fifo",
                            f"destinations.{what} is the FIFO {kind} {dest.name!r}; Lambda "
                            f"delivers invocation records to standard {kind}s only",
                            resource=w.name,
                            hint=f"use a standard {wanted}",
                        )
                    if what == "onFailure" and isinstance(dest, Queue):
                        self.failure_destination_of[dest.name].append(w.name)
        for w in self.stack.workloads:
            for t in w.events:
                # A stream event's `onFailure` queue gets the records of discarded batches.
                failure = t.properties.get("onFailure") if t.type.endswith("-stream") else None
                target = (
                    getattr(failure.get("arn"), "resource", None)
                    if isinstance(failure, dict)
                    else None
                )
                if isinstance(self.stack.resources.get(target or ""), Queue):
                    self.stream_failure_destination_of[str(target)].append(w.name)
        for q in queues:
            self.check_queue_refs(q)
            self.check_triggers(q, q.events)
        self.check_resource_params()
        self.check_reserved_concurrency()
        self.check_redrive_cycles(queues)
        for q in queues:
            self.check_consumers(q)
        self.check_failure_handling(queues)
        self.check_http(routed)
        self.check_route_settings(routed)
        self.check_newest_routes(workloads)
        for api in self.stack.of_type(AppSyncApi):
            self.check_ref(api.user_pool, ("user-auth-pool",), api.name, "userAuthPoolName")
        for pool in self.stack.of_type(UserAuthPool):
            self.check_user_pool_hooks(pool)
        self.check_s3_overlaps(s3)
        self.check_load_balancers(lb_events)
        self.check_state_machines()
        self.check_log_subscriptions()
        self.check_alarm_events()
        self.check_alarm_evaluations()
        self.check_alarm_targets()
        for r in self.res.values():
            if canonical_type(r.type) in LOAD_BALANCER_TYPES:
                self.check_listener_access(r)
                self.check_custom_domain_certificates(r)
            elif r.type == "dynamo-db-table":
                self.check_table_key(r)
                self.check_table_indexes(r)
        return self.diags


def lint_stack(stack: Stack) -> list[Diagnostic]:
    """Whole-stack checks: references (of functions, batch jobs, container workloads and
    queues, load balancer listeners included), schedules, timeouts, FIFO rules, cycles,
    consumers, routes, S3 notification overlaps, the event types each resource type accepts,
    Stacktape's function checks (VPC, custom artifacts), load balancer listeners (ports, rule
    priorities, network integrations), listener rules (conditions, priority range, condition
    values), stream events' stream and onFailure destination, deployment hooks, EFS mounts
    and container workloads' load balancing, Fargate sizes, scaling and containers, listener
    whitelists and certificates, custom domains' certificates, DynamoDB tables' primary keys
    and secondary indexes, and what a function's own Deny statements refuse of the calls AWS
    makes with its role. Returns the findings; the stack is not changed."""
    return [*Linter(stack).run(), *role_diagnostics(stack)]
