"""A starter behaviours file for a stack (`stptui init`): one entry per function, batch job
and container workload, in the stack's order, each saying what triggers it and what its
`connectTo` lets it send on, with the values a default would break filled in.

Without a behaviours file every handler succeeds in 100 ms and returns null: a Choice state
after a Task then fails `States.Runtime`, an HTTP route answers 500 (payload 1.0 needs a
`statusCode`), an authorizer's null is a malformed answer. The starter gives such handlers
a placeholder (said so in a comment) that lets the stack run; everything it cannot derive
simply stays a comment. Emissions are commented out: what a handler sends on is for its
author to say, and a file that sent on by itself would run pipelines nobody asked for.

Every name, route, pattern and value taken from the config is untrusted: keys and values are
written as YAML double-quoted scalars where a plain one could be read differently, and text in
comments has its line breaks and control characters escaped, so nothing in the config can
end a comment or add a key. Nothing is run: the stack is read as `validate` reads it.
"""

from __future__ import annotations

import keyword
import math
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stptui import graph
from stptui.config.model import (
    BatchJob,
    Containerized,
    ContainerWorkload,
    EventBusTrigger,
    Function,
    HttpTrigger,
    Queue,
    Resource,
    SnsTopic,
    SqsTrigger,
    Stack,
    StateMachine,
    WebSocketTrigger,
    Workload,
)
from stptui.textsafe import printable, quote_word
from stptui.yamltext import yaml_flow, yaml_key, yaml_string

if TYPE_CHECKING:
    from stptui.sim.asl_targets import Named

# The first lines of every starter file: what it is and how to read it.
HEADER = """\
# Starter behaviours for {stack}, written by `stptui init`.
# What each handler does when the simulator runs it (docs/behaviors.md). A handler
# without an entry succeeds in 100 ms and returns null. Values marked "placeholder"
# are made up so that the stack runs out of the box: replace them with what your code
# does. The commented-out `emit` items are what each handler's connectTo lets it send.
"""

# How much of a pattern, filter or path a comment shows; and of a line that says why a value
# is there, which names a state machine, a state and a branch.
COMMENT_WIDTH = 100
LINE_WIDTH = 300
# Where a comment of several lines wraps, its `    # ` included.
TEXT_WIDTH = 88

# The commented-out `initDuration` of a function: a cold start's init phase, a range drawn
# from the seed at each new execution environment (docs/behaviors.md, "initDuration").
INIT_EXAMPLE = "{min: 200ms, max: 1.5s}"

# The answers of the roles a default null breaks, each a constant (a placeholder).
HTTP_RESPONSE = {
    "statusCode": 200,
    "headers": {"content-type": "application/json"},
    "body": '{"ok": true}',
}
CONTAINER_RESPONSE = {"status": 200, "body": {"ok": True}}
WEBSOCKET_RESPONSE = {"statusCode": 200}
SIMPLE_AUTHORIZER = {"isAuthorized": True}
IAM_AUTHORIZER = {
    "principalId": "placeholder-user",
    "policyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}],
    },
}
# What each user pool hook answers Cognito: the event back, its `response` filled in where
# Cognito reads one (the custom challenge hooks, whose empty answers end every sign-in).
HOOK_RESPONSES: dict[str, str] = {
    "defineAuthChallenge": "merge(@, {response: {challengeName: 'CUSTOM_CHALLENGE', "
    "issueTokens: length(request.session) > `0` && request.session[-1].challengeResult, "
    "failAuthentication: length(request.session) >= `3` "
    "&& !(request.session[-1].challengeResult)}})",
    "createAuthChallenge": "merge(@, {response: {publicChallengeParameters: "
    "{hint: 'placeholder'}, privateChallengeParameters: {answer: 'placeholder-answer'}, "
    "challengeMetadata: 'PLACEHOLDER'}})",
    "verifyAuthChallengeResponse": "merge(@, {response: {answerCorrect: "
    "request.challengeAnswer == request.privateChallengeParameters.answer}})",
}
_LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_SIMPLE_PATH = re.compile(r"\$((?:\.[A-Za-z_][A-Za-z0-9_]*)*)")


# -- comment text


def comment_text(text: str, width: int = COMMENT_WIDTH) -> str:
    """Untrusted text for a comment: on one line (line breaks and tabs shown as escapes,
    like every other control character) and cut to `width`."""
    one_line = printable(text.replace("\\", "\\\\")).replace("\n", "\\n").replace("\t", "\\t")
    one_line = one_line.replace("\r", "\\r")
    if len(one_line) > width:
        one_line = one_line[: width - 1] + "…"
    return one_line


# -- what each workload is to the stack


@dataclass
class Entry:
    """One entry of the starter file: the behaviour's name, its comment lines, its `response`
    (None: none written) with the comment saying why, and its commented-out items."""

    name: str
    kind: str
    triggers: list[str] = field(default_factory=list)
    response: Any = None
    response_expr: str | None = None
    response_why: str = ""
    hints: list[str] = field(default_factory=list)
    emits: list[str] = field(default_factory=list)
    polls: list[str] = field(default_factory=list)
    code: str | None = None  # `module:function` of its Python entry file
    failures: list[str] = field(default_factory=list)  # commented-out, with what they do
    cold_starts: bool = False  # a Lambda function: its init phase may take time


@dataclass(frozen=True)
class StarterFile:
    """A starter behaviours file: its text, how many entries it has and how many of them
    answer with a placeholder."""

    text: str
    entries: int
    placeholders: int

    def summary(self) -> str:
        """`4 entries, 3 with a placeholder answer`."""
        noun = "entry" if self.entries == 1 else "entries"
        return f"{self.entries} {noun}, {self.placeholders} with a placeholder answer"


def starter_file(stack: Stack, code_base: Path | None = None) -> StarterFile:
    """The starter behaviours file for `stack`: YAML text the behaviours loader reads without
    an error or a warning. With `code_base` (the folder the file will be read from), a
    function whose entry file is Python there gets a commented-out `handler:` line."""
    g = graph.build_graph(stack)
    tasks = _task_answers(stack)
    entries = [_entry(stack, g, r, tasks) for r in stack.resources.values() if _describable(r)]
    if code_base is not None:
        for e in entries:
            r = stack.resources[e.name]
            if isinstance(r, Function) and (ref := _python_handler(stack, r, code_base)):
                e.code = ref
    lines = [HEADER.format(stack=comment_text(stack.stack_name))]
    if not entries:
        lines.append("# The stack has no function, batch job or container workload.")
        lines.append("behaviors: {}")
    else:
        lines.append("behaviors:")
    for e in entries:
        lines.extend(_entry_lines(e))
    answered = sum(1 for e in entries if e.response_why.startswith("placeholder"))
    return StarterFile("\n".join(lines) + "\n", len(entries), answered)


def _python_handler(stack: Stack, fn: Function, base: Path) -> str | None:
    """`module:function` of `fn`'s Python entry file as a handler imported from `base`:
    Stacktape's buildpack calls the entry file's `handler` (or the packaging's
    `handlerFunction`). None when the entry is not a .py file there, or its path is no
    module name Python can import."""
    if not (fn.entry and fn.entry.endswith(".py")):
        return None
    pack = fn.properties.get("packaging")
    props = pack.get("properties") if isinstance(pack, dict) else None
    name = props.get("handlerFunction") if isinstance(props, dict) else None
    name = name if isinstance(name, str) and name.isidentifier() else "handler"
    path = (Path(stack.file).parent / fn.entry).resolve()
    if not path.is_file() or not path.is_relative_to(base.resolve()):
        return None
    parts = path.relative_to(base.resolve()).with_suffix("").parts
    if not parts or not all(p.isidentifier() and not keyword.iskeyword(p) for p in parts):
        return None
    return f"{'.'.join(parts)}:{name}"


def _describable(r: Resource) -> bool:
    return isinstance(r, (Workload, Containerized))


def _guard(g: Any, owner: str, gateway: Any, d: dict[str, Any]) -> str:
    """`, behind POOL's cognito authorizer` (or `behind FUNCTION's lambda authorizer`) for
    a route an authorizer guards, which a request without its token does not pass: the
    graph's authorizer edge of the same event; "" for any other trigger."""
    if d.get("via") != "http-api-gateway" or gateway not in g:
        return ""
    # A cognito authorizer's edge runs from its pool into the gateway, a lambda one's from
    # the gateway out to its function.
    edges = [
        *((u, a) for u, _v, a in g.in_edges(gateway, data=True)),
        *((v, a) for _u, v, a in g.out_edges(gateway, data=True)),
    ]
    for other, a in edges:
        if a.get("via") == "http-authorizer" and (a.get("owner"), a.get("index")) == (
            owner,
            d.get("index"),
        ):
            return f", behind {other}'s {a.get('authorizer')} authorizer"
    return ""


def _entry(stack: Stack, g: Any, r: Resource, tasks: dict[str, list[TaskAnswer]]) -> Entry:
    """The entry of the workload `r`: what triggers it (the graph's edges into it, the
    routes it authorizes, its URL), its answer and what it may send on."""
    e = Entry(r.name, r.type, cold_starts=isinstance(r, Function))
    edges = list(g.in_edges(r.name, data=True)) if r.name in g else []
    hooks: list[str] = []
    for src, _dst, d in edges:
        if d.get("kind") not in (graph.TRIGGER, graph.TASK, graph.DESTINATION):
            continue
        if d.get("via") == "http-authorizer":
            continue  # said in words below, with the route it guards (`authorizes`)
        label = graph.edge_label(d) + _guard(g, r.name, src, d)
        e.triggers.append(label if str(src).startswith("schedule:") else f"{src}: {label}")
        if d.get("via") == "user-auth-pool":
            hooks.append(str(d.get("hook")))
    authorizes = _authorized_routes(stack, r.name)
    e.triggers += [f"authorizer of {route}" for route, _iam in authorizes]
    if isinstance(r, Function) and r.url_enabled:
        e.triggers.append("its function URL")
    if not e.triggers:
        e.triggers.append("nothing in the stack" + _try_line(r))
    vias = {d.get("via") for _s, _t, d in edges}
    _answer(r, e, vias, authorizes, hooks, tasks.get(r.name, []))
    _emissions(stack, r, e, vias)
    if e.polls and e.triggers == ["nothing in the stack"]:
        # A worker's messages come from its own code's receives: say so, not "nothing".
        e.triggers = ["nothing in the stack; its code receives from a queue: uncomment `poll`"]
    _failure_examples(stack, r, e)
    return e


# The body the commented-out `fail` and `partial` examples pick: any queue takes it as text,
# whatever its consumer parses, so `send QUEUE poison` shows a failure without an edit.
POISON = "poison"


def _failure_examples(stack: Stack, r: Resource, e: Entry) -> None:
    """The commented-out `fail` and `partial` of a function that consumes a queue, with the
    command that shows each: the first thing an on-call user tries is to make a message
    fail and watch where it goes."""
    if not isinstance(r, Function):
        return
    queues = [
        stack.resources[t.queue.target]
        for t in r.events
        if isinstance(t, SqsTrigger) and t.queue is not None and t.queue.target in stack.resources
    ]
    queue = next((q for q in queues if isinstance(q, Queue)), None)
    if queue is None:
        return
    send = f"send {quote_word(queue.name)} {POISON}"
    if queue.fifo:
        send += " --group g1" + ("" if queue.content_based_dedup else " --dedup-id d1")
    dlq = queue.redrive_target.target if queue.redrive_target is not None else None
    where = (
        f"moves it to {dlq} after {queue.max_receive_count} receives"
        if dlq is not None and queue.max_receive_count is not None
        else "receives it again until its retention ends (it has no dead-letter queue)"
    )
    when = yaml_string(f"body == '{POISON}'")
    fail = (
        f"fail: {{when: {when}, error: PoisonMessage, message: {yaml_string('cannot process it')}}}"
    )
    e.failures = [
        *_comment_lines(
            f"To see a message fail, uncomment `fail`: after `{send}` the handler fails, and "
            f"{queue.name} hands the message back after its visibility timeout and {where}."
        ),
        f"# {fail}",
        *_comment_lines(
            "Or, instead, a partial batch response: uncomment both lines below, and the "
            "handler reports that message in batchItemFailures while the rest of its batch "
            "is deleted (Stacktape does not enable ReportBatchItemFailures: the second line "
            "simulates a stack whose overrides do)."
        ),
        f"# partial: {{when: {when}}}",
        "# reportBatchItemFailures: true",
    ]


def _comment_lines(text: str) -> list[str]:
    """Untrusted `text` as an entry's comment lines, of at most TEXT_WIDTH characters where
    its words allow (a longer word stays whole)."""
    return [
        f"# {line}"
        for line in textwrap.wrap(
            comment_text(text, LINE_WIDTH),
            TEXT_WIDTH - len("    # "),
            break_long_words=False,
            break_on_hyphens=False,
        )
    ]


def _try_line(r: Resource) -> str:
    """How to run a workload nothing triggers, from the command language."""
    if isinstance(r, Function):
        return f" (run it: invoke {quote_word(r.name)} '{{}}')"
    if isinstance(r, BatchJob):
        return f" (run it: start-job {quote_word(r.name)})"
    return ""


def _authorized_routes(stack: Stack, name: str) -> list[tuple[str, bool]]:
    """The HTTP API routes whose Lambda authorizer is the function `name`, each with whether
    that authorizer answers with an IAM policy (else a simple response)."""
    out = []
    for t in stack.triggers():
        auth = t.authorizer if isinstance(t, HttpTrigger) else None
        if auth is None or auth.type != "lambda" or auth.target is None:
            continue
        if auth.target.target == name and isinstance(t, HttpTrigger):
            method = "ANY" if t.method == "*" else t.method
            out.append((f"{t.owner}'s route {method} {t.route_path}", auth.iam_response))
    return out


def _answer(
    r: Resource,
    e: Entry,
    vias: set[Any],
    authorizes: list[tuple[str, bool]],
    hooks: list[str],
    tasks: list[TaskAnswer],
) -> None:
    """The entry's `response`, when the default null would break what calls it."""
    if isinstance(r, Containerized):
        if vias & {"http-api-gateway", "application-load-balancer"}:
            e.response = CONTAINER_RESPONSE
            e.response_why = "placeholder: the routes get a 200 JSON answer"
        return
    if not isinstance(r, Function):
        return
    if "websocket-authorizer" in vias or any(iam for _route, iam in authorizes):
        e.response = IAM_AUTHORIZER
        e.response_why = "placeholder: an IAM policy that lets every request in"
        return
    if authorizes:
        e.response = SIMPLE_AUTHORIZER
        e.response_why = "placeholder: a simple response that lets every request in"
        return
    if hooks:
        hook = hooks[0]
        if hook in HOOK_RESPONSES:
            e.response_expr = HOOK_RESPONSES[hook]
            e.response_why = f"placeholder: the {hook} answer Cognito needs to go on"
        elif hook == "userMigration":
            e.hints.append(
                "userMigration: Cognito needs response.userAttributes and finalUserStatus, "
                'e.g. response: "merge(@, {response: {userAttributes: {email: userName}, '
                "finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS'}})\""
            )
        else:
            e.response_expr = "@"
            e.response_why = f"the event back, as Cognito expects of a {hook} hook"
        return
    for task in tasks:
        if task.value is not None or task.expr is not None:
            e.response, e.response_expr, e.response_why = task.value, task.expr, task.why
            return
    # A Task's comment says where its result is read; a route of the same function still
    # needs its answer.
    e.hints += [task.why for task in tasks]
    if vias & {"http-api-gateway", "application-load-balancer"} or r.url_enabled:
        e.response = HTTP_RESPONSE
        e.response_why = "placeholder: the routes get a 200 JSON answer"
    elif "websocket-api-gateway" in vias:
        e.response = WEBSOCKET_RESPONSE
        e.response_why = "placeholder: the WebSocket routes accept (a two-way route sends no body)"


# -- Step Functions Tasks


@dataclass(frozen=True)
class TaskAnswer:
    """What one Task state that invokes a function reads of its result: a constant `value`
    or an expression `expr` to return (both None when none can be derived simply), and the
    comment saying why."""

    why: str
    value: Any = None
    expr: str | None = None


def _task_answers(stack: Stack) -> dict[str, list[TaskAnswer]]:
    """For each function a Task state invokes, what each such Task reads of its result."""
    machines = [m for m in stack.of_type(StateMachine) if isinstance(m.definition, dict)]
    if not machines:
        return {}
    # Lazily, as the graph does: only a stack with a state machine needs Step Functions.
    from stptui.sim import asl_targets

    out: dict[str, list[TaskAnswer]] = {}
    for m in machines:
        assert isinstance(m.definition, dict)
        for named in asl_targets.named_targets(stack, m.definition):
            if named.action == asl_targets.INVOKES:
                where = f"{m.name}.{asl_targets.state_name(named.path)}"
                out.setdefault(named.target, []).append(_task_answer(m.definition, named, where))
    return out


def _at(definition: Any, path: tuple[Any, ...]) -> Any:
    """The node of `definition` at a data path, or None."""
    node = definition
    for part in path:
        inside = (
            part in node
            if isinstance(node, dict)
            else isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not inside:
            return None
        node = node[part]
    return node


def _task_answer(definition: dict[str, Any], named: Named, where: str) -> TaskAnswer:
    """What the Task at `named.path` needs its function to return: a value the Choice after
    it takes a branch with (not one to a Fail state), the function's input handed on when
    the result replaces the state's data, else a comment saying where the result goes."""
    state = _at(definition, named.path)
    states = _at(definition, named.path[:-1])
    reads = f"Task {where} reads what it returns"
    if not isinstance(state, dict) or not isinstance(states, dict):
        return TaskAnswer(reads)
    if named.waits is not None:
        return TaskAnswer(f"Task {where} waits for a callback (sendTaskSuccess), not its result")
    language = state.get("QueryLanguage", definition.get("QueryLanguage"))
    if language == "JSONata" or "ResultSelector" in state or state.get("OutputPath", "$") != "$":
        return TaskAnswer(f"{reads}: the states after it decide what it must be")
    result_path = state.get("ResultPath", "$")
    if result_path is None:
        return TaskAnswer(f"Task {where} discards what it returns (ResultPath: null)")
    m = _SIMPLE_PATH.fullmatch(result_path) if isinstance(result_path, str) else None
    if m is None:
        return TaskAnswer(f"{reads} at ResultPath {result_path}")
    prefix = [p for p in m.group(1).split(".") if p]
    wrapped = isinstance(named.resource, str) and named.resource.startswith(_LAMBDA_INVOKE)
    if wrapped:
        # lambda:invoke's result is the Invoke response: the return value is its Payload.
        prefix.append("Payload")
    after = state.get("Next")
    nxt = states.get(after) if isinstance(after, str) else None
    if isinstance(nxt, dict) and nxt.get("Type") == "Choice":
        found = _choice_value(nxt, prefix, states)
        if found is None:
            return TaskAnswer(f"{reads} at {result_path}; Choice {after} decides on it")
        value, branch = found
        why = f"placeholder: Choice {after} after Task {where} goes on to {branch}"
        return TaskAnswer(why, value=value)
    if not prefix and "Parameters" not in state:
        why = f"placeholder: hands its input on, for the states after Task {where}"
        return TaskAnswer(why, expr="@")
    return TaskAnswer(f"{reads} at {result_path}")


# The comparisons a value equal to the one compared with satisfies, and the values that
# satisfy each type test (`IsString: true` ...).
_EQUAL_HOLDS = frozenset(
    {
        "BooleanEquals",
        "StringEquals",
        "NumericEquals",
        "TimestampEquals",
        "StringGreaterThanEquals",
        "StringLessThanEquals",
        "NumericGreaterThanEquals",
        "NumericLessThanEquals",
        "TimestampGreaterThanEquals",
        "TimestampLessThanEquals",
    }
)
_TYPE_TESTS: dict[str, Any] = {
    "IsPresent": True,
    "IsNull": None,
    "IsBoolean": True,
    "IsNumeric": 0,
    "IsString": "",
    "IsTimestamp": "2026-01-05T08:00:00Z",
}


def _satisfying(op: str, v: Any) -> tuple[bool, Any]:
    """(found, a value for which the comparison `op` with `v` holds): only for values JSON
    can write (a config's YAML may hold a date or a NaN, which no result can be)."""
    if isinstance(v, float) and not math.isfinite(v):
        return False, None
    if not isinstance(v, (bool, int, float, str)):
        return False, None
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    if op in _EQUAL_HOLDS:
        return True, v
    if op == "NumericGreaterThan" and number:
        return True, v + 1
    if op == "NumericLessThan" and number:
        return True, v - 1
    if op == "StringGreaterThan" and isinstance(v, str):
        return True, v + "z"
    if op == "StringMatches" and isinstance(v, str) and "\\" not in v:
        # `*` matches any text, the empty text too; an escaped `\*` is left to the reader.
        return True, v.replace("*", "")
    if op in _TYPE_TESTS and v is True:
        return True, _TYPE_TESTS[op]
    return False, None


def _choice_value(
    choice: dict[str, Any], prefix: list[str], states: dict[str, Any]
) -> tuple[Any, str] | None:
    """A result for which the first rule of `choice` that reads it, and leads to no Fail
    state, holds, with that rule's Next; None when no such rule is simple enough."""
    rules = choice.get("Choices")
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, dict) or not isinstance(rule.get("Next"), str):
            continue
        target = states.get(rule["Next"])
        if isinstance(target, dict) and target.get("Type") == "Fail":
            continue
        variable = rule.get("Variable")
        m = _SIMPLE_PATH.fullmatch(variable) if isinstance(variable, str) else None
        if m is None:
            continue
        parts = [p for p in m.group(1).split(".") if p]
        if parts[: len(prefix)] != prefix or len(parts) == len(prefix):
            continue
        ops = [k for k in rule if k not in ("Variable", "Next", "Comment")]
        if len(ops) != 1:
            continue
        found, value = _satisfying(ops[0], rule[ops[0]])
        if not found:
            continue
        for key in reversed(parts[len(prefix) :]):
            value = {key: value}
        return value, rule["Next"]
    return None


# -- emissions


def _emissions(stack: Stack, r: Resource, e: Entry, vias: set[Any]) -> None:
    """The commented-out emit items (one per connectTo target a behaviour can send to) and
    poll items (a container's queues)."""
    connect = getattr(r, "connect_to", [])
    events = getattr(r, "events", [])
    by_request = isinstance(r, Containerized) or bool(
        vias & {"http-api-gateway", "application-load-balancer", "websocket-api-gateway"}
    )
    by_sqs = any(isinstance(t, SqsTrigger) for t in events)
    data = "body" if by_request or by_sqs else "@"
    request_id = _request_id(stack, r, vias)
    seen: set[str] = set()
    polls: list[str] = []
    for ref in connect:
        target = ref.target
        if target is None or target in seen or target not in stack.resources:
            continue
        seen.add(target)
        res = stack.resources[target]
        item = _emit_item(stack, res, data, by_sqs, by_request and request_id)
        if item is not None:
            e.emits.append(item)
        if isinstance(r, Containerized) and isinstance(res, Queue):
            polls.append(target)
    if isinstance(r, Function):
        gateways = []
        for t in events:
            if isinstance(t, WebSocketTrigger) and t.gateway is not None:
                name = t.gateway.target
                if name is not None and name not in gateways:
                    gateways.append(name)
        for name in gateways:
            if name in seen:
                continue
            e.emits.append(
                "postToConnection: {connectionId: requestContext.connectionId, "
                f"data: \"'hello'\", gateway: {yaml_key(name)}}}"
            )
    containers = r.containers if isinstance(r, ContainerWorkload) else []
    if polls and len(containers) > 1:
        # Which of several containers polls is the reader's question: say where it goes.
        e.hints.append(
            f"the container whose code polls {polls[0]} says so in its own entry: "
            f"{yaml_key(f'{r.name}.{containers[0]}')}: {{poll: {{queue: {yaml_key(polls[0])}}}}}"
        )
    else:
        e.polls += [f"{{queue: {yaml_key(q)}}}" for q in polls]
    if r.type == "worker-service" and not polls:
        e.hints.append("a worker polls a queue it connectTo: add one, then a `poll` item")


# The id of a request that a load balancer or an HTTP API forwards to a container (and a
# load balancer to a function): the trace header each adds. A container's request has no
# `requestContext`, nor does a load balancer's event to a function a `requestId` in it.
TRACE_HEADER = 'headers."x-amzn-trace-id"'


def _request_id(stack: Stack, r: Resource, vias: set[Any]) -> str:
    """The expression of the id of what the workload handles, for a FIFO send's
    deduplication id: its request's, or, for a container whose code polls a queue, the
    message's (its `MessageId`), whichever it handles."""
    if not isinstance(r, Containerized):
        if "application-load-balancer" in vias:
            return f"requestContext.requestId || {TRACE_HEADER}"
        return "requestContext.requestId"
    may_poll = any(isinstance(stack.resources.get(ref.target or ""), Queue) for ref in r.connect_to)
    serves = bool(vias & {"http-api-gateway", "application-load-balancer"}) or any(
        e.service == r.name and e.container_port is not None for e in stack.web_service_entries
    )
    if may_poll:
        return f"{TRACE_HEADER} || MessageId" if serves else "MessageId"
    return TRACE_HEADER


def _emit_item(
    stack: Stack, res: Resource, data: str, by_sqs: bool, request_id: str | bool
) -> str | None:
    """The commented-out emit item that sends `data` to `res`, or None for a target no
    behaviour sends to. `request_id`: the expression of the id of what the workload
    handles, when it handles requests or polled messages (False otherwise)."""
    name = yaml_key(res.name)
    body = yaml_string(data)
    if res.type == "sqs-queue":
        return f"send: {{queue: {name}, body: {body}{_fifo_ids(res, by_sqs, request_id)}}}"
    if res.type == "event-bus":
        source, detail_type = _rule_words(stack, res.name)
        return (
            f"publish: {{bus: {name}, source: {yaml_string(_raw_literal(source))}, "
            f"detailType: {yaml_string(_raw_literal(detail_type))}, detail: {{example: true}}}}"
        )
    if res.type == "sns-topic":
        return f"notify: {{topic: {name}, message: {body}{_fifo_ids(res, by_sqs, request_id)}}}"
    if res.type == "bucket":
        return f"put: {{bucket: {name}, key: \"'placeholder.json'\", content: {body}}}"
    if res.type == "function":
        return f'invoke: {{function: {name}, payload: "@"}}'
    if res.type == "kinesis-stream":
        return f"putRecord: {{stream: {name}, data: {body}}}"
    if res.type == "dynamo-db-table":
        return f"putItem: {{table: {name}, item: {yaml_flow(_placeholder_item(res))}}}"
    if res.type == "state-machine":
        return f"startExecution: {{stateMachine: {name}, input: {body}}}"
    if res.type == "batch-job":
        # The input the job's state machine reads, as its trigger function gives it: the
        # event as JSON text (a body is JSON text already) and a name for the AWS Batch job.
        event = "body" if data == "body" else "to_string(@)"
        given = yaml_string(f"{{triggerEvent: {event}, jobName: {_raw_literal(res.name)}}}")
        return f"startExecution: {{stateMachine: {name}, input: {given}}}"
    if res.type == "upstash-kafka-topic":
        return f"produce: {{topic: {name}, value: {body}}}"
    if res.type == "websocket-api-gateway":
        return (
            "postToConnection: {connectionId: \"'placeholder-connection-id'\", "
            f"data: \"'hello'\", gateway: {name}}}"
        )
    return None


def _rule_words(stack: Stack, bus: str) -> tuple[str, str]:
    """The source and detail-type of an event that the first rule on `bus` whose pattern
    names both as text matches (its first of each), so that an uncommented publish item
    reaches a consumer; placeholders when no rule names them."""
    for res in stack.resources.values():
        for t in getattr(res, "events", []):
            if not isinstance(t, EventBusTrigger) or t.bus is None or t.bus.target != bus:
                continue
            pattern = t.pattern if isinstance(t.pattern, dict) else {}
            firsts = [pattern.get(k) for k in ("source", "detail-type")]
            if all(isinstance(v, list) and v and isinstance(v[0], str) for v in firsts):
                return firsts[0][0], firsts[1][0]
    return "placeholder.source", "Placeholder"


def _raw_literal(text: str) -> str:
    """`text` as a JMESPath raw string literal (`'shop.orders'`), its quotes escaped."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fifo_ids(res: Resource, by_sqs: bool, request_id: str | bool) -> str:
    """The `group` and `dedupId` fields a send to a FIFO queue or a notify to a FIFO topic
    needs (no `dedupId` with content-based deduplication), or "" for a standard one."""
    if not isinstance(res, (Queue, SnsTopic)) or not res.fifo:
        return ""
    extra = ", group: \"'placeholder-group'\""
    if not res.content_based_dedup:
        dedup = (
            "record.messageId"
            if by_sqs
            else request_id
            if isinstance(request_id, str)
            else "'placeholder-id'"
        )
        extra += f", dedupId: {yaml_string(dedup)}"
    return extra


def _placeholder_item(res: Resource) -> dict[str, Any]:
    """An item with the table's key attributes, each a placeholder of its type."""
    key = res.properties.get("primaryKey")
    item: dict[str, Any] = {}
    for part in ("partitionKey", "sortKey"):
        spec = key.get(part) if isinstance(key, dict) else None
        if isinstance(spec, dict) and isinstance(spec.get("name"), str):
            item[spec["name"]] = 1 if spec.get("type") == "number" else "placeholder"
    return item or {"id": "placeholder"}


# -- the text of an entry


def _entry_lines(e: Entry) -> list[str]:
    lines = ["", f"  # {comment_text(e.name)} ({comment_text(e.kind)})"]
    for i, trigger in enumerate(e.triggers):
        head = "triggered by" if i == 0 else "            "
        lines.append(f"  # {head} {comment_text(trigger)}")
    lines.append(f"  {yaml_key(e.name)}:")
    lines.append("    duration: 100ms  # the default: your handler's real time goes here")
    if e.cold_starts:
        # Commented out: without it a cold start takes no time, and every trace is as it was.
        lines.append(f"    # initDuration: {INIT_EXAMPLE}  # a new environment's init (cold start)")
    if e.code is not None:
        # Written only for a module name (identifiers and dots): nothing to quote in YAML.
        lines.append(f"    # handler: {e.code}  # your code: uncomment to run it with --allow-code")
    if e.response is not None or e.response_expr is not None:
        lines.append(f"    # {comment_text(e.response_why, LINE_WIDTH)}")
        value = (
            yaml_string(e.response_expr) if e.response_expr is not None else yaml_flow(e.response)
        )
        lines.append(f"    response: {value}")
    for hint in e.hints:
        lines.append(f"    # {comment_text(hint, LINE_WIDTH)}")
    lines += [f"    {line}" for line in e.failures]
    if e.emits:
        lines.append("    # emit:")
        lines += [f"    #   - {item}" for item in e.emits]
    if e.polls:
        lines.append("    # poll:")
        lines += [f"    #   - {item}" for item in e.polls]
    return lines
