"""Whole-stack checks of `cloudwatch-log` events: the log group each `logGroupArn` names, the
filter pattern CloudWatch Logs would refuse, the two subscription filters a log group
takes, and a workload subscribed to its own group.

`LogChecks` is a part of the linter (`lint.Linter` inherits it): its methods report
through the linter's `report` and read the stack it indexed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from stptui.config.model import (
    SERVICE_CONTAINER_NAME,
    CloudWatchLogTrigger,
    Containerized,
    Workload,
)
from stptui.sim.log_patterns import FilterPatternError, compile_filter
from stptui.sim.logs import LOOP_LIMIT, batch_group_name
from stptui.textsafe import named

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
else:
    _LinterBase = object

# "Number of subscription filters per log group: 2" (CloudWatch Logs quotas).
SUBSCRIPTION_FILTERS_PER_GROUP = 2


class LogChecks(_LinterBase):
    """The linter's checks of `cloudwatch-log` events."""

    def check_log_subscriptions(self) -> None:
        """Every `cloudwatch-log` event names a log group of the stack and a pattern
        CloudWatch Logs takes; no group has more than two subscription filters."""
        by_group: dict[str, list[CloudWatchLogTrigger]] = defaultdict(list)
        for w in self.stack.workloads:
            for t in w.events:
                if isinstance(t, CloudWatchLogTrigger):
                    self._check_log_event(w, t)
                    if t.log_group is not None and t.log_group.target is not None:
                        owner = t.log_group.target
                        if t.group_container is not None:
                            owner = f"{owner}'s container {t.group_container}"
                        by_group[owner].append(t)
        for owner, subs in by_group.items():
            for t in subs[SUBSCRIPTION_FILTERS_PER_GROUP:]:
                assert t.log_group is not None
                self.report(
                    t.log_group.path,
                    "error",
                    "log-subscription-limit",
                    f"{owner}'s log group has {len(subs)} subscription filters "
                    f"({', '.join(s.owner for s in subs)}); CloudWatch Logs allows "
                    f"{SUBSCRIPTION_FILTERS_PER_GROUP} per log group",
                    resource=t.owner,
                    hint="subscribe one function and fan out from it (an SNS topic or an "
                    "event bus), or merge the filters",
                )

    def _check_log_event(self, w: Workload, t: CloudWatchLogTrigger) -> None:
        ref = t.log_group
        if ref is not None:
            self._check_log_group(w, t)
        pattern = t.filter_pattern
        if pattern:
            try:
                compile_filter(pattern)
            except FilterPatternError as exc:
                self.report(
                    (*t.path, "properties", "filter"),
                    "error",
                    "log-filter-pattern",
                    f"the filter {pattern!r} is not a valid CloudWatch Logs filter pattern: "
                    f"{exc}; PutSubscriptionFilter answers {exc.aws_message!r}",
                    resource=w.name,
                    hint='quote phrases ("Status: timeout"), close what is open; an empty '
                    "filter delivers every line",
                )

    def _check_log_group(self, w: Workload, t: CloudWatchLogTrigger) -> None:
        ref = t.log_group
        assert ref is not None
        target = ref.target
        res = self.stack.resources.get(target) if target else None
        fix = (
            "write $ResourceParam('FUNCTION', 'logGroupArn') with the function or batch job "
            "whose log lines you want"
        )
        if isinstance(res, Containerized) and t.group_container is not None:
            spec = next(
                (
                    c
                    for c in res.container_specs
                    if (c.name or SERVICE_CONTAINER_NAME) == t.group_container
                ),
                None,
            )
            if spec is not None and spec.logging_disabled:
                where = f"{target}'s container {t.group_container}"
                self.report(
                    ref.path,
                    "warning",
                    "log-group-unknown",
                    f"logGroupArn names the log group of {where}, but it has logging "
                    "disabled: it writes no log lines to subscribe to",
                    resource=w.name,
                    hint=f"enable logging on {where}",
                )
            return
        if isinstance(res, Workload):
            if res.logging_disabled:
                self.report(
                    ref.path,
                    "warning",
                    "log-group-unknown",
                    f"logGroupArn names {target}'s log group, but {target} has logging "
                    "disabled: it writes no log lines to subscribe to",
                    resource=w.name,
                    hint=f"enable logging on {target}",
                )
            elif target == w.name:
                self.report(
                    ref.path,
                    "warning",
                    "log-subscription-loop",
                    f"{named(w.name)} subscribes to its own log group: each delivery writes lines "
                    "that are delivered to it again; AWS does not stop this loop, stptui stops "
                    f"it after {LOOP_LIMIT} deliveries in a row",
                    resource=w.name,
                    hint="subscribe another function, or filter out the subscriber's own lines",
                )
            return
        param = t.named_param
        if param is not None and _param_resource(t) not in self.stack.resources:
            return  # `missing-resource` names the typo and its fix already
        if param is not None and param != "logGroupArn":
            name = _param_resource(t)
            self.report(
                ref.path,
                "warning",
                "log-group-unknown",
                f"logGroupArn is {named(name)}'s `{param}` ({named(ref.raw)}), not a log group: "
                "the subscription receives nothing",
                resource=w.name,
                hint=f"write $ResourceParam({name!r}, 'logGroupArn')",
            )
        elif t.group is None:
            self.report(
                ref.path,
                "warning",
                "log-group-unknown",
                f"logGroupArn {ref.raw!r} is not a log group's ARN "
                "(arn:aws:logs:REGION:ACCOUNT:log-group:NAME)",
                resource=w.name,
                hint=fix,
            )
        else:
            jobs = [job.name for job in self.stack.batch_jobs]
            if t.group.startswith("/aws/batch/") and jobs:
                # AWS Batch's default group: Stacktape's job definitions send the output
                # elsewhere, to the group each job's own `logGroupArn` names.
                group = batch_group_name(self.stack.stack_name, jobs[0])
                fix = (
                    f"a batch job's output goes to Stacktape's group {group}, not to "
                    f"/aws/batch/...: write $ResourceParam({jobs[0]!r}, 'logGroupArn')"
                )
            self.report(
                ref.path,
                "warning",
                "log-group-unknown",
                f"logGroupArn names the log group {t.group}, which is not one of this "
                "stack's functions', batch jobs' or containers': stptui delivers nothing "
                "from it",
                resource=w.name,
                hint=fix,
            )


def _param_resource(t: CloudWatchLogTrigger) -> str:
    """The resource a `$ResourceParam` logGroupArn reads."""
    raw = t.properties.get("logGroupArn")
    return str(getattr(raw, "resource", "") or "?")
