"""One module per AWS service model; each is driven by the engine and writes the trace.

Queues and functions are wired by the engine itself. Every event source module (schedules,
event buses, buckets, HTTP APIs, SNS topics, batch jobs) exposes `wire(sim)`, listed here in
the fixed order the engine calls them in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stptui.sim.services import batch, bucket, bus, http, schedule, topic

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

EVENT_SOURCE_WIRERS: list[Callable[[Simulator], None]] = [
    schedule.wire,
    bus.wire,
    topic.wire,
    batch.wire,
    bucket.wire,
    http.wire,
]
