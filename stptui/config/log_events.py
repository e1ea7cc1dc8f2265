"""A workload's `cloudwatch-log` event read into a CloudWatchLogTrigger.

`logGroupArn` (required) and `filter` (optional) are Stacktape's `CloudwatchLogIntegrationProps`.
The ARN is resolved to the function or batch job whose log group it names: a
`$ResourceParam(name, 'logGroupArn')`, or a literal ARN of `/aws/lambda/{physical name}` or
Stacktape's `/stp/{stack}/batch/{job}/process-logs`; or to the container whose group a literal
ARN of Stacktape's `/stp/{stack}/ecs/{workload}/{container}/process-logs` names (Stacktape
offers no `logGroupArn` parameter for containers). `lint_logs` reports an ARN that names no
group of the stack, a pattern CloudWatch Logs refuses and groups with too many subscription
filters.

normalize_events.py calls `cloudwatch_log_trigger` for the event type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.directives import ResourceParamValue, function_name, stack_name
from stptui.config.loader import DataPath
from stptui.config.model import (
    CONTAINER_SERVICE_TYPES,
    SERVICE_CONTAINER_NAME,
    CloudWatchLogTrigger,
    Ref,
)
from stptui.config.normalize_schema import P
from stptui.sim.logs import (
    LAMBDA_PREFIX,
    batch_group_name,
    container_group_name,
    group_from_arn,
)

if TYPE_CHECKING:
    from stptui.config.normalize import StackBuilder


def cloudwatch_log_trigger(
    n: StackBuilder, owner: str, raw: dict[str, Any], path: DataPath, ppath: DataPath, index: int
) -> CloudWatchLogTrigger:
    """Read a `cloudwatch-log` event's properties (reporting bad ones where they are
    written) and resolve the log group its `logGroupArn` names."""
    what = "a `cloudwatch-log` event"
    spec = {"logGroupArn": P("str"), "filter": P("str")}
    props = n.read_props(raw, ppath, spec, owner, where=f" in {what}")
    n.require(props, raw, "logGroupArn", ppath, owner, what)
    t = CloudWatchLogTrigger(
        type="cloudwatch-log", owner=owner, index=index, path=path, properties=raw
    )
    pattern = props.get("filter")
    t.filter_pattern = pattern if isinstance(pattern, str) else ""
    arn = props.get("logGroupArn")
    if not isinstance(arn, str):
        return t
    apath = (*ppath, "logGroupArn")
    t.group = group_from_arn(arn)
    if isinstance(arn, ResourceParamValue):
        t.named_param = arn.param
        target = arn.resource if arn.param == "logGroupArn" else None
        t.log_group = Ref(raw=str(arn), path=apath, target=target, by="arn")
        return t
    owner, t.group_container = _group_owner(n, t.group)
    t.log_group = Ref(raw=arn, path=apath, target=owner, by="arn")
    return t


def _group_owner(n: StackBuilder, group: str | None) -> tuple[str | None, str | None]:
    """The function, batch job or container workload of the stack whose log group is
    `group`, and the container when it is a container's (read from the document, so that a
    resource declared after the event is found too)."""
    if group is None:
        return None, None
    data = n.loaded.data
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return None, None
    for name, res in resources.items():
        rtype = res.get("type") if isinstance(res, dict) else None
        if rtype == "function" and group == LAMBDA_PREFIX + function_name(n.ctx, str(name)):
            return str(name), None
        if rtype == "batch-job" and group == batch_group_name(stack_name(n.ctx), str(name)):
            return str(name), None
        for container in _container_names(res):
            if group == container_group_name(stack_name(n.ctx), str(name), container):
                return str(name), container
    return None, None


def _container_names(res: Any) -> list[str]:
    """The containers of a container workload or service as written (none for another
    resource): a service's one container is Stacktape's `service-container`."""
    rtype = res.get("type") if isinstance(res, dict) else None
    if rtype in CONTAINER_SERVICE_TYPES:
        return [SERVICE_CONTAINER_NAME]
    if rtype not in ("multi-container-workload", "container-workload"):
        return []
    props = res.get("properties")
    containers = props.get("containers") if isinstance(props, dict) else None
    if not isinstance(containers, list):
        return []
    names = (c.get("name") if isinstance(c, dict) else None for c in containers)
    return [name for name in names if isinstance(name, str)]
