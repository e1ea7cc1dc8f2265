"""One module per AWS service model; each is driven by the engine and writes the trace.

Queues and functions are wired by the engine itself. Every event source module (schedules,
event buses, buckets, HTTP APIs, SNS topics, batch jobs, Kinesis streams, load balancers,
DynamoDB tables, Step Functions state machines) exposes `wire(sim)`, listed here in the
fixed order the engine calls them in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
        http,
        load_balancer,
        schedule,
        state_machine,
        stream,
        table,
        topic,
    )

    return [
        schedule.wire,
        bus.wire,
        topic.wire,
        batch.wire,
        bucket.wire,
        http.wire,
        stream.wire,
        load_balancer.wire,
        table.wire,
        state_machine.wire,
    ]
