"""What a state machine's definition names without running it: the stack resources its Task
states call (functions, queues, topics, buses, tables, batch jobs, other state machines) and
the buckets its Distributed Maps read, found as the simulator finds them when an execution
reaches the state (`asl.task_target`, `asl_integrations.target_name`).

Only constants count: a literal name, URL or ARN, `$ResourceParam(...)` (already resolved by
the loader), `Ref` or `Fn::GetAtt` of the resource's logical id. A `.$` field is read at run
time, and so is a JSONata `{% %}` expression; a JSONata Task's `Arguments` name targets as
a JSONPath Task's `Parameters` do. The graph draws an edge for each target found; the linter
uses the same literal forms (`known_forms`) to warn about constants that name nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from stptui.config.aws_names import event_bus_name
from stptui.config.directives import DirectiveContext, fake_resource_param, stack_context
from stptui.config.model import EventBus, Stack
from stptui.sim import asl, asl_distributed, asl_jobs, asl_sdk
from stptui.sim import asl_integrations as integ

Path = tuple[str | int, ...]

_INTEGRATION = "arn:aws:states:::"
# What each integration does to its target, as the graph labels it.
ACTIONS: dict[str, str] = {
    integ.SQS_SEND: "sends",
    integ.SNS_PUBLISH: "publishes",
    integ.EVENTS_PUT: "puts-event",
    **{
        r: "reads-item" if r.endswith(":getItem") else "writes-item"
        for r in integ.SIMULATED
        if "dynamodb:" in r
    },
    asl_jobs.BATCH_SUBMIT: "submits-job",
    asl_jobs.BATCH_SUBMIT_SYNC: "submits-job",
    asl_jobs.SFN_START: "starts-execution",
    asl_jobs.SFN_START_SYNC: "starts-execution",
    asl_jobs.SFN_START_SYNC2: "starts-execution",
    **{r: api.graph for r, api in asl_sdk.APIS.items()},
}
INVOKES = "invokes"
READS_ITEMS = "reads-items"
WRITES_RESULTS = "writes-results"
# Actions that only read their target: nothing arrives there, so nothing flows on from it.
READ_ACTIONS = frozenset({"reads-item", READS_ITEMS, "reads-object"})
# The ItemReader's bucket, named as the simulator's `asl_distributed._bucket` names it.
BUCKET = integ.TargetKind("Bucket", "bucket", "Bucket")
_READERS = (asl_distributed.LIST_OBJECTS, asl_distributed.GET_OBJECT)
_WRITERS = (asl_distributed.PUT_OBJECT,)
# The target of an events:putEvents entry without EventBusName (or with "default", or its
# ARN): the account's default event bus, no resource of the stack (even when one of them is
# named `default`: that is `{stack}-default` in AWS; the graph's node ids hold no colon).
DEFAULT_BUS = "bus:default"


@dataclass(frozen=True, slots=True)
class Named:
    """One target a state names: the state's path in the definition (`States`, name, ...),
    where inside the state the target is named, what the state does to it, the `Resource`
    as written, the stack resource (`DEFAULT_BUS` for the default event bus) and how the
    state waits (`sync`, `sync:2`, `waitForTaskToken`, or None)."""

    path: Path
    where: Path
    action: str
    resource: str
    target: str
    waits: str | None


def known_forms(
    stack: Stack, kind: integ.TargetKind, ctx: DirectiveContext | None = None
) -> dict[str, tuple[str, ...]]:
    """The stack's resources of `kind`'s type with the literal forms that name them, as the
    simulator knows them: a queue's, topic's, bus's or table's URL, ARN and AWS name; a batch
    job's job definition ARN and its name with and without the revision; a state machine's
    or a Kinesis stream's ARN and name; a bucket's name and ARN."""
    ctx = ctx or stack_context(stack)
    out: dict[str, tuple[str, ...]] = {}
    if kind.rtype == integ.ARCHIVE:
        # A bus's archive, for StartReplay: only a bus with `archivation` has one.
        for name, res in stack.resources.items():
            if isinstance(res, EventBus) and res.archive_enabled:
                arn = fake_resource_param(ctx, name, integ.ARCHIVE_PARAM, res.type)
                out[name] = (arn, arn.rsplit("/", 1)[-1])
        return out
    for name, res in stack.resources.items():
        if res.type != kind.rtype:
            continue
        if kind.rtype == "batch-job":
            arn = fake_resource_param(ctx, name, "jobDefinitionArn", res.type)
            out[name] = asl_jobs.definition_forms(arn)
        elif kind.rtype in ("state-machine", "kinesis-stream"):
            out[name] = tuple(fake_resource_param(ctx, name, f, res.type) for f in ("arn", "name"))
        elif kind.rtype == "bucket":
            aws_name = fake_resource_param(ctx, name, "name", res.type)
            out[name] = (aws_name, f"arn:aws:s3:::{aws_name}")
        elif isinstance(res, EventBus):
            # PutEvents' EventBusName also takes the bus's AWS name, as the simulator does.
            forms = ("url", "arn", "name")
            aws_name = res.event_source_name or event_bus_name(stack.stack_name, name)
            out[name] = (*(fake_resource_param(ctx, name, f, res.type) for f in forms), aws_name)
        else:
            forms = ("url", "arn", "name")
            out[name] = tuple(fake_resource_param(ctx, name, f, res.type) for f in forms)
    return out


def state_name(path: Path) -> str:
    """A state's name as the graph shows it: nested ones through their parents
    (`Fan.Branches.0.A`, `Each.ItemProcessor.B`)."""
    return ".".join(str(p) for p in path if p != "States")


class _Resolver:
    """The literal forms of each target type, made the first time a state needs them."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.ctx = stack_context(stack)
        self.forms: dict[str, dict[str, tuple[str, ...]]] = {}
        self.functions = {
            f.name: fake_resource_param(self.ctx, f.name, "arn", "function")
            for f in stack.functions
        }

    def find(self, value: Any, kind: integ.TargetKind) -> str | None:
        known = self.forms.get(kind.rtype)
        if known is None:
            known = self.forms[kind.rtype] = known_forms(self.stack, kind, self.ctx)
        return integ.target_name(value, kind, known)


def named_targets(stack: Stack, definition: Any) -> list[Named]:
    """Every stack resource the definition's states name as constants, in definition order,
    nested Parallel branches and Map processors included. A target outside the stack, or
    chosen at run time, is left out (`stptui validate` says why)."""
    resolver: _Resolver | None = None
    out: list[Named] = []
    for path, state in _states(definition):
        if resolver is None:
            resolver = _Resolver(stack)  # only a definition with states needs the forms
        if state.get("Type") == "Task":
            out.extend(_task(resolver, path, state))
        elif state.get("Type") == "Map" and asl_distributed.is_distributed(state):
            out.extend(_map_bucket(resolver, path, state, "ItemReader", _READERS, READS_ITEMS))
            out.extend(_map_bucket(resolver, path, state, "ResultWriter", _WRITERS, WRITES_RESULTS))
    return out


def _states(definition: Any) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """Every state of a definition with its data path, nested machines after their parent."""
    states = definition.get("States") if isinstance(definition, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        at: Path = ("States", name)
        yield at, state
        branches = state.get("Branches")
        for i, branch in enumerate(branches if isinstance(branches, list) else []):
            for path, inner in _states(branch):
                yield (*at, "Branches", i, *path), inner
        for key in ("ItemProcessor", "Iterator"):
            for path, inner in _states(state.get(key)):
                yield (*at, key, *path), inner


def _waits(resource: str) -> str | None:
    if resource.endswith(asl.CALLBACK_SUFFIX):
        return asl.CALLBACK_SUFFIX[1:]
    if resource in asl_jobs.SYNC:
        return resource.rsplit(".", 1)[-1]
    return None


def _task(r: _Resolver, path: Path, state: Mapping[str, Any]) -> Iterator[Named]:
    resource = state.get("Resource")
    target = asl.task_target(state, r.functions)
    if target.function is not None:
        # The Resource as written for an integration (its suffix kept), else the resolved ARN.
        written = (
            resource
            if isinstance(resource, str) and resource.startswith(_INTEGRATION)
            else target.resource
        )
        yield Named(path, ("Resource",), INVOKES, written, target.function, _waits(written))
        return
    base = target.integration
    if base is None or not isinstance(resource, str):
        return
    request = asl.request_field(state)
    params = state.get(request)
    if not isinstance(params, dict):
        return
    action = ACTIONS[base]
    waits = _waits(resource)
    if base in (integ.EVENTS_PUT, asl_sdk.EVENTS_PUT):
        entries = params.get("Entries")
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(entry, dict):
                continue
            where: Path = (request, "Entries", i)
            value = entry.get("EventBusName", "default")
            if value in ("default", r.stack.default_bus_arn):
                found: str | None = DEFAULT_BUS
            else:
                where = (*where, "EventBusName")
                found = r.find(value, integ.TARGETS[base])
            if found is not None:
                yield Named(path, where, action, resource, found, waits)
        return
    if base in asl_jobs.RESOURCES:
        kind = (
            asl_jobs.JOB_DEFINITION
            if base.startswith(asl_jobs.BATCH_SUBMIT)
            else asl_jobs.STATE_MACHINE
        )
    elif base in asl_sdk.APIS:
        sdk_kind = asl_sdk.APIS[base].kind
        if sdk_kind is None:  # DescribeReplay, CancelReplay: a replay, no resource of the stack
            return
        kind = sdk_kind
    else:
        kind = integ.TARGETS[base]
    if kind.param in params:
        found = r.find(params[kind.param], kind)
        if found is not None:
            yield Named(path, (request, kind.param), action, resource, found, waits)


def _map_bucket(
    r: _Resolver,
    path: Path,
    state: Mapping[str, Any],
    key: str,
    resources: tuple[str, ...],
    action: str,
) -> Iterator[Named]:
    """The bucket a DISTRIBUTED Map's `key` (ItemReader: the items are read from it;
    ResultWriter: the Map Run's result files go there) names, when its Resource is one of
    `resources`."""
    config = state.get(key)
    if not isinstance(config, dict) or config.get("Resource") not in resources:
        return
    request = asl.request_field(config)
    params = config.get(request)
    if isinstance(params, dict) and "Bucket" in params:
        found = r.find(params["Bucket"], BUCKET)
        if found is not None:
            where = (key, request, "Bucket")
            yield Named(path, where, action, config["Resource"], found, None)
