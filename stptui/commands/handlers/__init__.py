"""The commands themselves, one module per topic.

Importing this package registers every command in `REGISTRY`; the registry is then put in
the order of `TOPIC_MODULES`, which is the order `help` and docs/commands.md list them in.
"""

from __future__ import annotations

from stptui.commands.handlers import (
    alarms,
    behaviour,
    buckets_http_jobs,
    clock,
    expect,
    inspect,
    kafka,
    logs,
    messages,
    repeat,
    schedules_buses_topics,
    session_files,
    state_machines,
    streams,
    tables,
    user_pools,
    websocket,
)
from stptui.commands.handlers.base import REGISTRY, TRACE_KINDS
from stptui.commands.handlers.expect import (
    CONTAINER_FIELDS,
    FUNCTION_FIELDS,
    JOB_FIELDS,
    QUEUE_FIELDS,
    STATE_MACHINE_FIELDS,
    STREAM_FIELDS,
    TABLE_FIELDS,
    check_path,
    statistic,
)

TOPIC_MODULES = (
    messages,
    streams,
    kafka,
    tables,
    state_machines,
    schedules_buses_topics,
    buckets_http_jobs,
    websocket,
    user_pools,
    logs,
    alarms,
    repeat,
    clock,
    behaviour,
    inspect,
    expect,
    session_files,
)


def _module_rank(name: str) -> int:
    module = REGISTRY.commands[name].handler.__module__
    return next(i for i, m in enumerate(TOPIC_MODULES) if m.__name__ == module)


# A stable sort keeps each module's own declaration order.
REGISTRY.commands = {n: REGISTRY.commands[n] for n in sorted(REGISTRY.commands, key=_module_rank)}

__all__ = [
    "CONTAINER_FIELDS",
    "FUNCTION_FIELDS",
    "JOB_FIELDS",
    "QUEUE_FIELDS",
    "REGISTRY",
    "STATE_MACHINE_FIELDS",
    "STREAM_FIELDS",
    "TABLE_FIELDS",
    "TOPIC_MODULES",
    "TRACE_KINDS",
    "check_path",
    "statistic",
]
