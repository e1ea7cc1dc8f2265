"""Container workloads answering HTTP requests through their behaviours.

An HTTP API route or a load balancer rule that targets a container (a `multi-container-workload`
container's event, a web, private or worker service's one container) hands the request to
`ContainerService.serve`: the container receives an HTTP request, not a Lambda event, and its
behaviour (docs/behaviors.md, "Containers") decides how long it takes, whether it fails the
request, what it answers, what it logs and what it emits.

* The behaviour is the container's own (`WORKLOAD.CONTAINER` in the behaviours file), else the
  workload's (`WORKLOAD`), else the default: an empty 200 after 100 ms, as a function without
  a behaviour answers.
* Expressions see the request as the container receives it (`request_view`): method, path
  and query as sent, the headers the gateway or load balancer forwards (lower-cased names,
  repeated ones joined with commas), the body as text and, when it is JSON, parsed.
* `response` is the answer itself (stptui.sim.behavior.http_answers): no Lambda result
  mapping. A failed request (a `fail` rule, an expression that fails, a refused call) is the
  container resetting the connection: the caller answers the client for it (HTTP API 503,
  ELB 502).
* Emissions are made when the request ends, if it succeeded, with the workload's role
  (`connectTo`, `iamRoleStatements`), as a function's are. The log lines go into the
  container's log group, Stacktape's `/stp/{stack}/ecs/{workload}/{container}/process-logs`.
* Each workload runs one task (Stacktape's default scaling: one), which serves every request
  at once: there is no concurrency limit, no queueing and no health check.
* The `fail`, `succeed` and `slow` overrides take a workload (every container) or one
  container (`WORKLOAD.CONTAINER`): a request sees its container's own overrides first, then
  the workload's; a container's own `slow` wins over the workload's.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from stptui import jsontext
from stptui.config.model import SERVICE_CONTAINER_NAME, ContainerWorkload
from stptui.sim import trace as tk
from stptui.sim.behavior import BehaviorError, InvocationInput, Outcome
from stptui.sim.behavior.http_answers import http_answer
from stptui.sim.behavior.outcome import container_env
from stptui.sim.handler_logs import bounded_message

if TYPE_CHECKING:
    from stptui.config.model import Containerized
    from stptui.sim.behavior import Override
    from stptui.sim.engine import Simulator
    from stptui.sim.services.log_group import LogGroupSim

# How many requests each workload keeps for the Inspector; the trace keeps them all.
RECENT_REQUESTS = 200
# What the expressions of a request call its trigger (no timeout, one context).
TRIGGER = "container"


@dataclass(frozen=True, slots=True)
class ContainerRequest:
    """An HTTP request as a container receives it: the path and query as the client sent
    them, the headers as the gateway or load balancer forwards them (lower-case names, in
    the order they came), the body as text (None without one)."""

    method: str
    path: str
    raw_query: str
    headers: tuple[tuple[str, str], ...]
    body: str | None

    def view(self, container: str, port: int | None) -> dict[str, Any]:
        """What the behaviour's expressions see (docs/behaviors.md, "Containers")."""
        headers: dict[str, str] = {}
        for name, value in self.headers:
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        query: dict[str, str] = {}
        for part in self.raw_query.split("&"):
            if part:
                name, _, value = part.partition("=")
                name, value = unquote_plus(name), unquote_plus(value)
                query[name] = f"{query[name]},{value}" if name in query else value
        body: Any = self.body
        if self.body:
            with suppress(ValueError):
                body = jsontext.loads(self.body)
        return {
            "method": self.method,
            "path": self.path,
            "rawQuery": self.raw_query,
            "query": query,
            "headers": headers,
            "body": body,
            "rawBody": self.body,
            "container": container,
            "port": port,
        }


@dataclass(slots=True)
class ContainerAnswer:
    """What the container did with a request: its answer (`status` None when it failed the
    request, with `error` saying how) and how long it took."""

    invocation_id: str
    status: int | None
    headers: list[tuple[str, str]]
    body: str
    duration_ms: int
    error: str | None = None


@dataclass(slots=True)
class Served:
    """One request a container served, for the Inspector: ended is None while it runs."""

    invocation_id: str
    request_id: str
    container: str
    via: str
    method: str
    path: str
    started: int
    ended: int | None = None
    status: int | None = None
    error: str | None = None


class ContainerSim:
    """One container workload: its containers, their log groups and its recent requests."""

    def __init__(self, model: Containerized, task_id: str) -> None:
        self.name = model.name
        self.model = model
        self.containers = (
            list(model.containers)
            if isinstance(model, ContainerWorkload)
            else [SERVICE_CONTAINER_NAME]
        )
        # The ECS task that serves every request: its id names the role session and the
        # containers' log streams.
        self.task_id = task_id
        self.requests = 0  # served so far: a `first: N` rule counts them
        self.recent: deque[Served] = deque(maxlen=RECENT_REQUESTS)
        # Each container's log group (services.log_group wires them; none for a container
        # whose logging is disabled).
        self.logs: dict[str, LogGroupSim] = {}
        # The runtime overrides of every container (`fail web`), and of one (`fail web.app`).
        self.overrides: list[Override] = []
        self.container_overrides: dict[str, list[Override]] = {c: [] for c in self.containers}

    def overrides_for(self, container: str) -> list[Override]:
        """The overrides a request to `container` sees: its own first (a `fail` of its own
        is tried first), then the workload's, whose `slow` its own `slow` replaces."""
        own = self.container_overrides.get(container, [])
        if not own:
            return self.overrides
        shared = self.overrides
        if any(o.kind == "slow" for o in own):
            shared = [o for o in shared if o.kind != "slow"]
        return [*own, *shared]

    def active_overrides(self) -> list[Override]:
        """Every override in force: the workload's, then each container's own."""
        return [*self.overrides, *(o for c in self.containers for o in self.container_overrides[c])]

    def drop_used_up(self) -> None:
        """Forget `fail next N` overrides that have failed their N requests."""
        self.overrides = [o for o in self.overrides if not o.used_up]
        for container, own in self.container_overrides.items():
            if own:
                self.container_overrides[container] = [o for o in own if not o.used_up]


@dataclass(slots=True)
class _Pending:
    """A request the container is serving: what its end needs."""

    ws: ContainerSim
    served: Served
    outcome: Outcome
    answer: tuple[int, list[tuple[str, str]], str] | None
    done: Callable[[ContainerAnswer], None]


class ContainerService:
    """Every container workload of the stack, serving the requests routed to it."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.workloads: dict[str, ContainerSim] = {}
        for model in sim.stack.containerized:
            digest = hashlib.sha256(f"{sim.seed}:{model.name}:task".encode()).hexdigest()
            self.workloads[model.name] = ContainerSim(model, digest[:32])
        # The containers whose code has run (by behaviour and container), each with the
        # execution environment its Python handler's modules are (None: no handler).
        self._started: dict[tuple[str, str], int | None] = {}

    def code_started(self, key: str, workload: str, container: str, now: int) -> int | None:
        """Behaviour `key` serves a request or message of `container` now: the first time,
        a Python handler's container process imports its module afresh (whatever other
        workload or job imported it before), and what that printed and logged goes to the
        trace (records of no invocation) and the container's log stream, before what the
        code itself writes. The execution environment its calls run in (`container_env`),
        None when `key` runs no Python handler."""
        where = (key, container)
        if where in self._started:
            return self._started[where]
        behaviors = self.sim.behaviors
        if not behaviors.runs_code(key):
            self._started[where] = None
            return None
        env = container_env(self.workloads[workload].containers.index(container))
        self._started[where] = env
        lines = behaviors.open_container(key, workload, container, env, now)
        if not lines:
            return env
        for line in lines:
            self.sim.trace.emit((now, tk.HANDLER_LOG, workload, {"text": line}))
        group = self.workloads[workload].logs.get(container)
        if group is not None and group.task_stream is not None:
            group.init(group.task_stream, now, lines)
        return env

    def decide(
        self,
        ws: ContainerSim,
        key: str,
        container: str,
        attempt: int,
        nth: int,
        trigger: str,
        event: Callable[[], dict[str, Any]],
        inv_id: str,
        now: int,
    ) -> Outcome:
        """How behaviour `key` of `container` of workload `ws` handles a request or a
        polled message now (`event` its view, `nth` the workload's count of them): the
        container's code started first (`code_started`), then the `fail`, `succeed` and
        `slow` overrides it sees (those used up dropped), else its behaviour's own rules."""
        sim = self.sim
        env = self.code_started(key, ws.name, container, now)
        overrides = ws.overrides_for(container)
        quick = None if overrides else sim.behaviors.quick(key)
        if quick is not None:
            return quick(nth, 0, trigger, sim.rng)
        outcome = sim.behaviors.decide(
            InvocationInput(
                key,
                attempt,
                nth,
                trigger,
                now,
                0,
                event,
                None,
                ws.task_id,
                ws.name,
                container=container,
                sim=sim,
                invocation_id=inv_id,
                execution_env=env,
            ),
            sim.rng,
            overrides,
        )
        if overrides:
            ws.drop_used_up()
        return outcome

    def figures(self, workload: str) -> dict[str, int]:
        """What a workload has done so far, from the trace (which counts every record, even
        those its ring no longer holds): requests `served` (received), `failed` and still
        `running`; polled messages `processed`, `messages_failed`, and `in_hand` (received
        by its pollers and not yet finished)."""
        count = self.sim.trace.count
        served = count(tk.CONTAINER_REQUEST, workload)
        failed = count(tk.CONTAINER_FAILED, workload)
        workers = self.sim.services.get("workers")
        polls = workers.of_workload(workload) if workers is not None else []
        return {
            "served": served,
            "failed": failed,
            "running": served - failed - count(tk.CONTAINER_RESPONSE, workload),
            "processed": count(tk.CONTAINER_MESSAGE_PROCESSED, workload),
            "messages_failed": count(tk.CONTAINER_MESSAGE_FAILED, workload),
            "in_hand": sum(p.held for p in polls),
        }

    def serve(
        self,
        workload: str,
        container: str,
        port: int | None,
        request: ContainerRequest,
        *,
        via: str,
        request_id: str,
        done: Callable[[ContainerAnswer], None],
    ) -> str:
        """Hand `request` to `container` of `workload` now; `done` hears its answer when it
        ends. `via` names the gateway or load balancer, `request_id` its request (they go
        into the records, so `explain` links the two). Returns the request's invocation id."""
        sim = self.sim
        now = sim.clock.now
        ws = self.workloads[workload]
        inv_id = sim.new_id()
        ws.requests += 1
        served = Served(inv_id, request_id, container, via, request.method, request.path, now)
        ws.recent.append(served)
        sim.trace.emit(
            (
                now,
                tk.CONTAINER_REQUEST,
                workload,
                {
                    "request_id": request_id,
                    "invocation_id": inv_id,
                    "container": container,
                    "port": port,
                    "via": via,
                    "method": request.method,
                    "path": request.path,
                },
            )
        )
        key = sim.behaviors.container_key(workload, container)
        outcome = self.decide(
            ws,
            key,
            container,
            1,
            ws.requests,
            TRIGGER,
            lambda: request.view(container, port),
            inv_id,
            now,
        )
        answer = None
        if outcome.status == "success":
            try:
                answer = http_answer(outcome.response, f"{key}.response")
            except BehaviorError as exc:
                message = f"{exc}; fix: {exc.hint}" if exc.hint else str(exc)
                # What it wrote before its answer failed stays; what it emitted does not.
                outcome = Outcome(
                    outcome.duration_ms, "error", "BehaviorError", message, logs=outcome.logs
                )
        for line in outcome.logs:
            sim.trace.emit((now, tk.HANDLER_LOG, workload, {"invocation_id": inv_id, "text": line}))
        pending = _Pending(ws, served, outcome, answer, done)
        sim.clock.at(now + outcome.duration_ms, self._end, pending, ("container", workload, inv_id))
        return inv_id

    def _end(self, p: _Pending) -> None:
        sim = self.sim
        now = sim.clock.now
        ws, served, outcome = p.ws, p.served, p.outcome
        inv_id = served.invocation_id
        duration = now - served.started
        served.ended = now
        for emission, error in outcome.denied:
            sim.emission_refused(ws.name, inv_id, emission, error)
        base = {
            "request_id": served.request_id,
            "invocation_id": inv_id,
            "container": served.container,
        }
        if p.answer is not None:
            status, headers, body = p.answer
            served.status = status
            data = {**base, "status": status, "duration_ms": duration}
            sim.trace.emit((now, tk.CONTAINER_RESPONSE, ws.name, data))
            for emission in outcome.emissions:
                sim.apply_emission(ws.name, inv_id, emission)
            self._logs(ws, served, outcome)
            p.done(ContainerAnswer(inv_id, status, headers, body, duration))
            return
        error = outcome.error_type or "Error"
        message, size = bounded_message(outcome.error_message or "")
        served.error = error
        failed: dict[str, Any] = {
            **base,
            "error": error,
            "error_message": message,
            "duration_ms": duration,
        }
        if size is not None:
            failed["error_message_bytes"] = size
        sim.trace.emit((now, tk.CONTAINER_FAILED, ws.name, failed))
        self._logs(ws, served, outcome)
        p.done(ContainerAnswer(inv_id, None, [], "", duration, f"{error}: {message}"))

    def _logs(self, ws: ContainerSim, served: Served, outcome: Outcome) -> None:
        group = ws.logs.get(served.container)
        if group is not None and outcome.logs and served.ended is not None:
            group.served(served.invocation_id, served.started, served.ended, outcome)


def wire(sim: Simulator) -> None:
    """Build the container workloads (their log groups come with services.log_group)."""
    sim.services["containers"] = ContainerService(sim)
