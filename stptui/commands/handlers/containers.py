"""`show containers` (through `show`): each container workload, its containers, the routes
and load balancer rules that reach it, the queues its behaviour polls, what that behaviour
does and what it has done; and the wording of a poll item that `show queue` shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.commands.handlers.base import behaviour_summary
from stptui.commands.result import CommandResult
from stptui.sim.behavior import format_duration
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator
    from stptui.sim.services.container import ContainerSim
    from stptui.sim.services.worker import WorkerPoll

# The figures of `ContainerService.figures`, in the table's order, with their column names.
FIGURE_COLUMNS = (
    ("served", "served"),
    ("failed", "failed"),
    ("running", "running"),
    ("processed", "processed"),
    ("messages_failed", "msg_failed"),
    ("in_hand", "in_hand"),
)


def poll_how(poll: WorkerPoll) -> str:
    """`2 pollers, 1 busy; up to 10 messages a receive, long polling 20 s, the queue's
    visibility timeout`: how a poll item reads its queue."""
    spec = poll.spec
    count = f"{spec.concurrency} poller{'s' * (spec.concurrency != 1)}"
    many = f"{spec.max_messages} message{'s' * (spec.max_messages != 1)}"
    wait = f"long polling {spec.wait_s} s" if spec.wait_s else "short polling"
    visibility = (
        "the queue's visibility timeout"
        if spec.visibility_s is None
        else f"visibility timeout {format_duration(spec.visibility_s * 1000)}"
    )
    text = f"{count}, {poll.busy} busy; up to {many} a receive, {wait}, {visibility}"
    if poll.paused:
        # What the line is read for while they are stopped comes first.
        resume = f"resume {quote_word(spec.workload)} --trigger {quote_word(poll.queue.name)}"
        text = f"stopped by pause, messages wait (`{resume}`); {text}"
    if spec.heartbeat_every_ms is not None and spec.heartbeat_extend_s is not None:
        text += (
            f"; heartbeat every {format_duration(spec.heartbeat_every_ms)} extends by "
            f"{format_duration(spec.heartbeat_extend_s * 1000)}"
        )
    back = spec.failure_visibility_s
    if back is not None:
        when = f"after {format_duration(back * 1000)}" if back else "at once"
        text += f"; a failed message back {when}"
    return text


def poll_text(poll: WorkerPoll) -> str:
    """`worker (service-container): 2 pollers, 1 busy; ...`: who polls a queue, and how."""
    return f"{poll.spec.workload} ({poll.spec.container}): {poll_how(poll)}"


def poll_data(poll: WorkerPoll) -> dict[str, Any]:
    """A poll item as `show queue`'s and `show containers`' data give it."""
    spec = poll.spec
    return {
        "workload": spec.workload,
        "container": spec.container,
        "concurrency": spec.concurrency,
        "busy": poll.busy,
        "stopped": poll.paused,
        "max_messages": spec.max_messages,
        "wait_seconds": spec.wait_s,
        "visibility_timeout": spec.visibility_s,
        "heartbeat_every_ms": spec.heartbeat_every_ms,
        "heartbeat_extend_s": spec.heartbeat_extend_s,
        "on_failure_visibility_s": spec.failure_visibility_s,
    }


def _where(container: str | None, port: int | None) -> str:
    """`app:3000`: the container a route or rule sends to, on its port."""
    where = container or "?"
    return f"{where}:{port}" if port is not None else where


def reached_by(sim: Simulator, name: str) -> list[tuple[str, dict[str, Any]]]:
    """The routes and load balancer rules that send requests to workload `name`, as lines
    (`route httpApi POST /orders -> app:3000`) with their data, in `show routes` and
    `show rules` order."""
    out: list[tuple[str, dict[str, Any]]] = []
    for r in sim.services["http"].listing():
        if r["target"] == name and "container" in r:
            where = _where(r["container"], r["container_port"])
            data = {"gateway": r["gateway"], "route": r["route"], "container": r["container"]}
            out.append((f"route {r['gateway']} {r['route']} -> {where}", data))
    for lis in sim.services["load_balancers"].listing():
        for rule in lis["rules"]:
            if rule["target"] != name or not rule["container"]:
                continue
            where = _where(rule["container"], rule["container_port"])
            listener = f"{lis['load_balancer']}:{lis['port']}"
            conditions = "; ".join(rule["conditions"])
            data = {
                "load_balancer": lis["load_balancer"],
                "port": lis["port"],
                "priority": rule["priority"],
                "conditions": rule["conditions"],
                "container": rule["container"],
            }
            text = f"rule {listener} priority {rule['priority']} ({conditions}) -> {where}"
            out.append((text, data))
    return out


def unreached_note(sim: Simulator, workload: str, behaviors: str) -> str | None:
    """For a container workload that nothing runs (no route or rule reaches it, its
    behaviour polls no queue): that the overrides `fail`, `succeed` and `slow` give it wait
    for that, with the `poll` item that would run it when it connects to a queue (written
    for `behaviors`, the behaviours file's name); None for any other name."""
    service = sim.services.get("containers")
    if service is None or workload not in service.workloads or reached_by(sim, workload):
        return None
    workers = sim.services.get("workers")
    if workers is not None and workers.of_workload(workload):
        return None
    from stptui.commands.session import poll_candidates
    from stptui.yamltext import yaml_key

    note = (
        f"nothing runs {quote_word(workload)} yet: no route or rule reaches it, and its "
        "behaviour polls no queue"
    )
    queues = [q for r, qs in poll_candidates(sim.stack) if r.name == workload for q in qs]
    if queues:
        item = f"{yaml_key(workload)}: {{poll: {{queue: {yaml_key(queues[0])}}}}}"
        note += f"; its code polls {quote_word(queues[0])}? add {item} in {behaviors}"
    return note


def _behaviour(sim: Simulator, ws: ContainerSim) -> str:
    """What serves the workload's containers: one line when they share a behaviour, else
    each container's (`app: ...; metrics: ...`); then the overrides in force."""
    keys = {c: sim.behaviors.container_key(ws.name, c) for c in ws.containers}
    if len(set(keys.values())) == 1:
        return behaviour_summary(sim, ws.name, ws.active_overrides())
    text = "; ".join(f"{c}: {sim.behaviors.describe(key)}" for c, key in keys.items())
    overrides = ws.active_overrides()
    if overrides:
        text += "; override: " + "; ".join(o.describe() for o in overrides)
    return text


def show_containers(sim: Simulator) -> CommandResult:
    """Each container workload: a paragraph of its containers, what reaches it and what it
    polls, then a table of its counts and behaviour (`show functions`' columns)."""
    service = sim.services["containers"]
    if not service.workloads:
        return CommandResult("this stack has no container workloads", data=[])
    workers = sim.services.get("workers")
    headers = ["workload", "type", *(column for _, column in FIGURE_COLUMNS), "behaviour"]
    lines: list[str] = []
    rows: list[list[str]] = []
    data: list[dict[str, Any]] = []
    for ws in service.workloads.values():
        figures = service.figures(ws.name)
        entries = reached_by(sim, ws.name)
        polls = workers.of_workload(ws.name) if workers is not None else []
        many = len(ws.containers) != 1
        lines.append(
            f"{ws.name} ({ws.model.type}): container{'s' * many} {', '.join(ws.containers)}"
        )
        lines += [f"  {text}" for text, _ in entries]
        # Which container polls matters only where there are several.
        lines += [
            f"  polls {p.queue.name}{f' from {p.spec.container}' * many}: {poll_how(p)}"
            for p in polls
        ]
        if not entries and not polls:
            lines.append("  no route or rule reaches it, and its behaviour polls no queue")
        behaviour = _behaviour(sim, ws)
        rows.append(
            [
                ws.name,
                ws.model.type,
                *(str(figures[key]) for key, _ in FIGURE_COLUMNS),
                behaviour,
            ]
        )
        data.append(
            {
                "workload": ws.name,
                "type": ws.model.type,
                "containers": list(ws.containers),
                "reached_by": [entry for _, entry in entries],
                "polls": [{"queue": p.queue.name, **poll_data(p)} for p in polls],
                **figures,
                "behaviour": behaviour,
                "overrides": [o.describe() for o in ws.active_overrides()],
            }
        )
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)
