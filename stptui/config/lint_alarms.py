"""Whole-stack checks of alarms: the alarm each `cloudwatch-alarm` event's `alarmName` names,
and each alarm's `evaluation` as CloudWatch's PutMetricAlarm takes it.

Stacktape resolves `alarmName` as an alarm's name chain (`resolveReferenceToAlarm` in
config-manager/utils/alarms.ts): `RESOURCE.alarms.INDEX` for an alarm of the config, or
`RESOURCE.alarms.NAME` for a global alarm set in the Stacktape console. A chain that names
neither stops the deployment with its error e60. An unhealthy-targets alarm on a load
balancer without a container target stops it with e127, and an `evaluation` CloudWatch refuses
(Stacktape passes it through) stops it too.

`AlarmChecks` is a part of the linter (`lint.Linter` inherits it): its methods report
through the linter's `report` and read the stack it indexed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.config.alarms import ALARM_TYPES, resolve_alarms
from stptui.config.diagnostics import did_you_mean
from stptui.config.model import Function
from stptui.textsafe import named

if TYPE_CHECKING:
    from stptui.config.lint import Linter as _LinterBase
else:
    _LinterBase = object


class AlarmChecks(_LinterBase):
    """The linter's checks of alarms and `cloudwatch-alarm` events."""

    def check_alarm_targets(self) -> None:
        """Every `application-load-balancer-unhealthy-targets` alarm has a container
        workload's target group to watch (Stacktape's e127 otherwise)."""
        for spec in resolve_alarms(self.stack):
            # Such an alarm goes unsimulated for that reason alone (config.alarms).
            # A web service's own containers are its load balancer's targets.
            if (
                spec.trigger != "application-load-balancer-unhealthy-targets"
                or spec.resource_type != "application-load-balancer"
            ):
                continue
            if spec.not_simulated is None:
                continue
            self.report(
                spec.path,
                "error",
                "alarm-no-target",
                f"{named(spec.reference)} watches the unhealthy targets of {spec.resource!r}, "
                "which forwards to no container workload it may watch; Stacktape refuses to deploy "
                "it (e127)",
                resource=spec.resource,
                hint="remove the alarm, or put a container workload behind the load balancer",
            )

    def check_alarm_evaluations(self) -> None:
        """Every alarm's `evaluation` is one CloudWatch takes (PutMetricAlarm's period,
        evaluation periods, datapoints to alarm and evaluation range); Stacktape passes the
        values through, so CloudWatch's refusal stops the deployment."""
        for spec in resolve_alarms(self.stack):
            for key, why in spec.refusals:
                self.report(
                    (*spec.path, "evaluation", key),
                    "error",
                    "alarm-evaluation-invalid",
                    f"{named(spec.reference)}: {why}; CloudWatch refuses the alarm, so the "
                    "deployment fails",
                    resource=spec.resource,
                    hint=_EVALUATION_HINTS[key],
                )

    def check_alarm_events(self) -> None:
        """Every `cloudwatch-alarm` event's `alarmName` names an alarm of the stack (or, in
        the global form, could name a console alarm of an alarm-enabled resource)."""
        events = [
            (fn, t)
            for fn in self.stack.of_type(Function)
            for t in fn.events
            if t.type == "cloudwatch-alarm"
        ]
        if not events:
            return
        specs = resolve_alarms(self.stack)
        references = [spec.reference for spec in specs]
        # An alarm written by its AWS name or Stacktape's name: the chain that names it.
        by_name = {n: s.reference for s in specs for n in (s.aws_name, s.stp_name)}
        for fn, t in events:
            ref = t.properties.get("alarmName")
            if not isinstance(ref, str) or ref in references:
                continue  # a missing or non-text alarmName is the schema's to report
            path = (*t.path, "properties", "alarmName")
            parts = ref.split(".")
            owner = self.res.get(parts[0])
            if (
                len(parts) == 3
                and parts[1] == "alarms"
                and not parts[2].isdigit()
                and owner is not None
                and owner.type in ALARM_TYPES
            ):
                self.report(
                    path,
                    "info",
                    "alarm-event-global",
                    f"alarmName {ref!r} can only name a global alarm (set in the Stacktape "
                    f"console), which the config does not hold; stptui does not simulate it",
                    resource=fn.name,
                    hint=f"to simulate it, add the alarm to {named(parts[0])}'s `alarms` and name "
                    f"it {named(parts[0] + '.alarms.N')}",
                )
                continue
            guess = by_name.get(ref) or did_you_mean(ref, references)
            listed = ", ".join(named(r) for r in references)
            if guess:
                hint = f"did you mean {guess!r}?"
            elif listed:
                hint = f"name one as RESOURCE.alarms.N: {listed}"
            else:
                hint = (
                    "add `alarms` to a function, sqs-queue, http-api-gateway or "
                    "application-load-balancer and name one as RESOURCE.alarms.N"
                )
            self.report(
                path,
                "error",
                "alarm-event-unknown",
                f"Alarm {ref!r} referenced from {named(fn.name)} (function) is not defined in this "
                "config (Stacktape e60)",
                resource=fn.name,
                hint=hint,
            )


# How to write each `evaluation` key as CloudWatch takes it.
_EVALUATION_HINTS = {
    "period": "write `period` in seconds: 60, 300, 3600 ... (a multiple of 60), or 10, 20 or 30",
    "evaluationPeriods": (
        "write `evaluationPeriods` as a whole number, with `period` x `evaluationPeriods` at "
        "most 86,400 seconds (604,800 with a period of an hour or more)"
    ),
    "breachedPeriods": (
        "write `breachedPeriods` as a whole number from 1 to `evaluationPeriods` (it is the M "
        "of an M out of N alarm)"
    ),
}
