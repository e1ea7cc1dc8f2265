"""One module per AWS service model; each is driven by the engine and writes the trace.

Queues and functions are wired by the engine itself. Every event source module (schedules,
event buses, buckets, HTTP APIs, SNS topics, batch jobs, container workloads and the queues
their code polls, Kinesis
streams, load balancers, DynamoDB tables, Step Functions state machines, CloudWatch Logs
groups, Kafka topics, CloudWatch alarms, WebSocket APIs, Lambda function URLs, Cognito
user pools) exposes
`wire(sim)`, listed here
in the fixed order the engine calls them in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stptui.config.model import Function, StateMachine

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator


def event_source_wirers() -> list[Callable[[Simulator], None]]:
    """Each event source's `wire`, in the order the engine calls them.

    Imported here, when a simulator is built, not when the package is: `validate` uses a
    few helpers of single services (a topic's filter-policy check, a rule's input) and
    should not load every service for them."""
    from stptui.sim.services import (
        batch,
        bucket,
        bus,
        container,
        function_url,
        http,
        kafka,
        load_balancer,
        log_group,
        schedule,
        stream,
        table,
        topic,
        user_pool,
        websocket,
        worker,
    )

    return [
        schedule.wire,
        bus.wire,
        topic.wire,
        batch.wire,
        container.wire,
        worker.wire,
        bucket.wire,
        http.wire,
        stream.wire,
        load_balancer.wire,
        table.wire,
        wire_state_machines,
        log_group.wire,
        kafka.wire,
        wire_alarms,
        websocket.wire,
        function_url.wire,
        user_pool.wire,
    ]


def wire_state_machines(sim: Simulator) -> None:
    """`state_machine.wire` for a stack that has a state machine; for one without, only the
    empty table of them (a `startExecution` emission names a machine or a batch job of the
    stack, which the behaviours check before it is emitted: the batch service takes it, and
    loads this service only for a machine's).

    The service brings Step Functions' interpreter (stptui.sim.asl*), as long to import as
    the rest of the simulator's services together: most stacks have no state machine, and
    their sessions should not wait for it."""
    if any(isinstance(res, StateMachine) for res in sim.stack.resources.values()):
        from stptui.sim.services import state_machine

        state_machine.wire(sim)
    else:
        sim.services["state_machines"] = {}


def wire_alarms(sim: Simulator) -> None:
    """`alarm.wire` for a stack with `alarms` or a `cloudwatch-alarm` event; nothing for the
    others, whose records then pass through no tap (see stptui.sim.services.alarm)."""
    stack = sim.stack
    if any(isinstance(r.properties.get("alarms"), list) for r in stack.resources.values()) or any(
        t.type == "cloudwatch-alarm" for fn in stack.of_type(Function) for t in fn.events
    ):
        from stptui.sim.services import alarm

        alarm.wire(sim)
