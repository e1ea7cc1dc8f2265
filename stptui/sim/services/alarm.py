"""CloudWatch alarms of the stack's functions, queues, HTTP APIs and application load balancers
(Stacktape `alarms`), and the `cloudwatch-alarm` events that invoke a function when one goes
to ALARM.

Metrics (stptui.sim.services.alarm_metrics) come from what the services already record:
each alarm watches the trace records of its resource as they are emitted (Lambda's
invocations and their ends, SQS's sends, receives and every other action on the queue, API
Gateway's and a load balancer's requests and responses) and adds them to the datapoint of
the period they are stamped in (an invocation's: the period it was invoked in). An alarm is
evaluated at the end of a period (periods start at multiples of the period since the epoch),
by stptui.sim.alarms, but only when needed: at the end of a period that had data, at the end
of the current period when data arrives late for an earlier period still in the evaluation
range (an invocation that ran past the end of the period it started in), and at the end of a
period where its state would change with no more data (missing data filling its evaluation
range, a queue's metrics stopping six hours after its last action). An idle alarm schedules
nothing.

A state change is a trace record, a "CloudWatch Alarm State Change" event on the default bus
(where the stack's `cloudwatch-alarm` events and its own rules on `aws.cloudwatch` match it),
and, for ALARM and OK, one `alarm.notified` record per notification target: what Stacktape's
notification rule hands its notification function (nothing is sent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stptui.config.alarms import AlarmSpec, resolve_alarms
from stptui.config.diagnostics import did_you_mean
from stptui.config.model import EventBusTrigger, Function
from stptui.sim import trace as tk
from stptui.sim.alarms import (
    ALARM,
    INITIAL_REASON,
    INSUFFICIENT_DATA,
    OK,
    STATES,
    Point,
    Rule,
    Verdict,
    cw_timestamp,
    evaluate,
    number_text,
    reason,
    reason_data,
)
from stptui.sim.clock import iso_ms
from stptui.sim.services.alarm_metrics import (
    METRICS,
    AlbTraffic,
    QueueMetric,
    Raw,
    SqsReceived,
    field,
)
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.config.model import Trigger
    from stptui.sim.engine import Simulator
    from stptui.sim.services.bus import BusRule

SOURCE = "aws.cloudwatch"
# The fields a record feeding an alarm is named by, in order (see `cause_id`).
CAUSE_FIELDS = ("invocation_id", "request_id", "message_id")
DETAIL_TYPE = "CloudWatch Alarm State Change"


class AlarmSim:
    """One simulated alarm: its state, its metric and its next evaluation."""

    def __init__(self, service: AlarmService, spec: AlarmSpec) -> None:
        self.service = service
        self.sim = service.sim
        self.spec = spec
        sim = self.sim
        self.arn = f"arn:aws:cloudwatch:{sim.region}:{sim.account_id}:alarm:{spec.aws_name}"
        self.period_ms = spec.period_s * 1000
        self.rule = Rule(
            spec.threshold,
            spec.comparison,
            spec.evaluation_periods,
            spec.datapoints_to_alarm,
            spec.treat_missing,
        )
        self.state = INSUFFICIENT_DATA
        self.reason = INITIAL_REASON
        self.reason_data: str | None = None
        self.changed_ms = self.sim.clock.now
        self.first_period = self.sim.clock.now // self.period_ms
        self.evaluated: int | None = None  # the last period evaluated
        self.last_verdict: Verdict | None = None
        self.entry: list[Any] | None = None
        self.entry_end = 0
        # The datapoints of the periods of recent evaluation ranges, fixed when evaluated: a
        # queue's gauges are sampled then, and later samples must not rewrite the past. Only
        # data arriving late for a period (a long invocation's) unfixes its datapoint.
        self.memo: dict[int, float | None] = {}
        # The ids of the records that fed each period's datapoint (an invocation's, a
        # request's, a message's), in order, once each: a state change names those of the
        # periods that decided it, so that `explain` of what caused them reaches it.
        self.causes: dict[int, dict[str, None]] = {}
        self.metric = METRICS[spec.trigger](self)
        self._label = ("alarm", spec.resource, spec.aws_name)

    # -- metric data -------------------------------------------------------------------

    def activity(self, j: int) -> bool:
        """Data for period j arrives now: evaluate at j's end (if nothing sooner is due).

        Data stamped in an earlier period (an invocation is stamped when invoked and reported
        when it ends) arrives after that period was evaluated: CloudWatch sees it at its next
        evaluation while the period is in the evaluation range, so the alarm is evaluated
        again at the end of the current period, with j's datapoint as it now stands. Returns
        False when j has left that range: no evaluation will read the data."""
        current = self.sim.clock.now // self.period_ms
        if j < current:
            if j <= current - self.rule.range_size:
                return False
            self.memo.pop(j, None)
            j = current
        self.schedule(j)
        return True

    def point(self, j: int) -> Point:
        """Period j's datapoint; missing before the simulation started."""
        start = j * self.period_ms
        if j < self.first_period:
            return Point(start, None)
        if j in self.memo:
            return Point(start, self.memo[j])
        return Point(start, self.metric.value(j))

    def window(self, j: int) -> list[Point]:
        """The evaluation range ending with period j, oldest first."""
        size = self.rule.range_size
        return [self.point(i) for i in range(j - size + 1, j + 1)]

    def function_dimensions(self) -> dict[str, str]:
        """Lambda's dimensions as Stacktape writes them: FunctionName and Resource."""
        name = self.sim.functions[self.spec.resource].arn.rsplit(":", 1)[-1]
        return {"FunctionName": name, "Resource": name}

    def dimensions(self) -> dict[str, str]:
        """The metric's dimensions (a function's, an HTTP API's ApiId, a queue's name)."""
        if self.spec.resource_type == "function":
            return self.function_dimensions()
        if isinstance(self.metric, (QueueMetric, AlbTraffic)):
            return self.metric.dimensions()
        # A web service's HTTP API carries the service's name (Stacktape's nested naming).
        domain = self.sim.resource_param(self.spec.resource, "domain", "http-api-gateway")
        return {"ApiId": domain.split(".", 1)[0]}

    # -- scheduling --------------------------------------------------------------------

    def schedule(self, j: int) -> None:
        """Evaluate at the end of period j, unless an evaluation is due sooner."""
        end = (j + 1) * self.period_ms
        if self.entry is not None and self.entry_end <= end:
            return
        clock = self.sim.clock
        if self.entry is not None:
            clock.cancel(self.entry)
        self.entry = clock.at(end, self._evaluate, j, self._label, background=True)
        self.entry_end = end

    def plan(self, k: int) -> None:
        """After period k: the next evaluation, at the end of the first period whose data
        or quiet (dataless) datapoints would change the state; none when none would."""
        bins = self.metric.bins
        if bins.get(k + 1) is not None or bins.get(k) is not None or not self.metric.steady():
            # Data in period k likely means data in k + 1 (a busy function): evaluating at its
            # end costs one evaluation, where searching the quiet periods first costs several
            # each period. If k + 1 stays quiet, that evaluation plans as below.
            self.schedule(k + 1)
            return
        size = self.rule.range_size
        candidates = list(range(k + 1, k + size + 1))
        change = self.metric.change_at()
        if change is not None:
            first = max(change // self.period_ms, k + 1)
            candidates += [j for j in range(first, first + size + 1) if j > k + size]
        state = self.state
        for j in candidates:
            verdict = evaluate(self.window(j), self.rule, state)
            if verdict.state != state:
                self.schedule(j)
                return

    def _evaluate(self, k: int) -> None:
        self.entry = None
        metric = self.metric
        size = self.rule.range_size
        # Periods since the last evaluation had no data: their datapoints are the quiet ones
        # as things stood, before this period's sample.
        for j in range(max(k - size + 1, self.first_period), k):
            if j not in self.memo:
                self.memo[j] = metric.value(j)
        metric.sample(k)
        self.memo[k] = metric.value(k)
        verdict = evaluate(self.window(k), self.rule, self.state)
        self.evaluated = k
        self.last_verdict = verdict
        if verdict.state != self.state:
            decided = (p.start_ms // self.period_ms for p in verdict.evaluated)
            causes = [c for j in decided for c in self.causes.get(j, ())]
            self.change(
                verdict.state,
                reason(verdict, self.rule, self.state),
                reason_data(
                    verdict, self.rule, self.sim.clock.now, self.spec.period_s, self.spec.statistic
                ),
                "evaluation",
                self.why(k, verdict),
                list(dict.fromkeys(causes)),
            )
        # Data older than the evaluation range is never read again.
        edge = k - size + 1
        for j in [j for j in metric.bins if j < edge]:
            del metric.bins[j]
        for j in [j for j in self.memo if j < edge]:
            del self.memo[j]
        for j in [j for j in self.causes if j < edge]:
            del self.causes[j]
        if isinstance(metric, SqsReceived):
            metric.prune(edge)
        self.plan(k)

    def why(self, k: int, verdict: Verdict) -> list[str]:
        """The datapoints of an evaluation, one line each, for `explain`."""
        spec = self.spec
        used = {p.start_ms for p in verdict.evaluated}
        filled = {p.start_ms for p in verdict.evaluated if p.value is None}
        cmp_word = {
            "GreaterThanThreshold": ">",
            "GreaterThanOrEqualToThreshold": ">=",
            "LessThanThreshold": "<",
            "LessThanOrEqualToThreshold": "<=",
        }[spec.comparison]
        lines = [
            f"{spec.datapoints_to_alarm} of {spec.evaluation_periods} datapoints "
            f"{cmp_word} {number_text(spec.threshold)} to alarm, period {spec.period_s} s, "
            f"missing data {spec.treat_missing}; the last {self.rule.range_size} periods:"
        ]
        for p in self.window(k):
            if p.value is None:
                text = "missing"
                verdict_word = (
                    f"filled as {spec.treat_missing}" if p.start_ms in filled else "not used"
                )
            else:
                text = number_text(p.value)
                breach = self.rule.breaches(p.value)
                verdict_word = "breaching" if breach else "not breaching"
                if p.start_ms not in used:
                    verdict_word += " (not used)"
            lines.append(f"  {iso_ms(p.start_ms)}  {text}  {verdict_word}")
        return lines

    # -- state changes -----------------------------------------------------------------

    def change(
        self,
        state: str,
        why_text: str,
        data: str | None,
        origin: str,
        why: list[str],
        causes: list[str] | None = None,
    ) -> str:
        """Go to `state`: the trace record, the state change event on the default bus, and
        Stacktape's notifications for ALARM and OK. Returns the event's id. `causes` are the
        ids of the records that fed the datapoints the evaluation decided on."""
        sim = self.sim
        now = sim.clock.now
        event_id = sim.new_id()
        entry = self.state_change_entry(state, why_text, data, now)
        record = {
            "alarm": self.spec.aws_name,
            "reference": self.spec.reference,
            "previous": self.state,
            "state": state,
            "reason": why_text,
            "origin": origin,
            "event_id": event_id,
            "why": why,
            "cause_ids": causes or [],
        }
        sim.trace.emit((now, tk.ALARM_STATE_CHANGED, self.spec.resource, record))
        self.state, self.reason, self.reason_data, self.changed_ms = state, why_text, data, now
        buses = sim.services["buses"]
        buses.publish_event(buses.default_key, entry, origin=self.spec.aws_name, event_id=event_id)
        if state in (ALARM, OK):
            # Stacktape's notification rule matches ALARM and OK (alarms/index.ts) and hands
            # the event to its notification function, which posts to each target.
            for target in self.spec.targets:
                sim.trace.emit(
                    (
                        now,
                        tk.ALARM_NOTIFIED,
                        self.spec.resource,
                        {
                            "alarm": self.spec.aws_name,
                            "state": state,
                            "channel": target.channel,
                            "recipient": target.recipient,
                            "event_id": event_id,
                        },
                    )
                )
        return event_id

    def state_change_entry(
        self, state: str, why_text: str, data: str | None, now: int
    ) -> dict[str, Any]:
        """The PutEvents entry of a change from the alarm's state to `state` at `now` (its
        "CloudWatch Alarm State Change" event), with `why_text` and `data` (reasonData)."""
        previous = {"reason": self.reason}
        if self.reason_data is not None:
            previous["reasonData"] = self.reason_data
        previous["timestamp"] = cw_timestamp(self.changed_ms)
        previous["value"] = self.state
        current: dict[str, Any] = {"reason": why_text}
        if data is not None:
            current["reasonData"] = data
        current["timestamp"] = cw_timestamp(now)
        current["value"] = state
        detail = {
            "alarmName": self.spec.aws_name,
            "configuration": {
                "description": self.spec.description,
                "metrics": self.metric.metrics(),
            },
            "previousState": previous,
            "state": current,
        }
        return {
            "Source": SOURCE,
            "DetailType": DETAIL_TYPE,
            "Detail": detail,
            "Resources": [self.arn],
        }

    def set_state(self, state: str, text: str) -> str | None:
        """SetAlarmState: the state holds until the next evaluation, which comes at the end
        of the current period. Returns the event id, None when the state is unchanged."""
        now = self.sim.clock.now
        self.schedule(now // self.period_ms)
        if state == self.state:
            return None
        return self.change(state, text, None, "set-alarm-state", [])

    def recent(self, count: int) -> list[Point]:
        """The datapoints of the last `count` complete periods, oldest first."""
        last = self.sim.clock.now // self.period_ms - 1
        return [self.point(j) for j in range(last - count + 1, last + 1)]


class AlarmService:
    """Every alarm of the stack, the trace tap that feeds their metrics, and the rules of the
    stack's `cloudwatch-alarm` events."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.specs = resolve_alarms(sim.stack)
        self.alarms: dict[str, AlarmSim] = {}
        for spec in self.specs:
            if spec.simulated and self._resource_simulated(spec):
                self.alarms[spec.aws_name] = AlarmSim(self, spec)
        self.by_reference = {a.spec.reference: a for a in self.alarms.values()}
        self.unresolved: list[tuple[str, str]] = []  # (function, alarmName) naming no alarm
        # Each resolved `cloudwatch-alarm` event, with its alarm and its rule on the default bus.
        self.event_rules: list[tuple[Trigger, AlarmSim, BusRule]] = []
        # The id of the record the alarms' metrics are being fed (None between records).
        self.cause: str | None = None
        self._watch: dict[str, dict[str, list[Callable[[Raw], None]]]] = {}
        for alarm in self.alarms.values():
            for kind, resource, handler in alarm.metric.watches():
                self._watch.setdefault(kind, {}).setdefault(resource, []).append(handler)
        if self._watch:
            self._tap()
        for alarm in self.alarms.values():
            alarm.plan(alarm.first_period - 1)
        self._event_rules()

    def _resource_simulated(self, spec: AlarmSpec) -> bool:
        sim = self.sim
        if spec.resource_type == "function":
            return spec.resource in sim.functions
        if spec.resource_type == "sqs-queue":
            return spec.resource in sim.queues
        if spec.resource_type == "application-load-balancer":
            return spec.resource in sim.services["load_balancers"].balancers
        if spec.entry is not None:
            return spec.entry in (
                *sim.services["load_balancers"].balancers,
                *sim.services["http"].apis,
            )
        return True

    def _tap(self) -> None:
        """Feed the alarms' metrics with each record as it is emitted: one dict lookup per
        record, on stacks with alarms only."""
        trace = self.sim.trace
        append = trace.emit
        watch = self._watch

        def emit(raw: Raw) -> None:
            append(raw)
            by_resource = watch.get(raw[1])
            if by_resource is not None:
                handlers = by_resource.get(raw[2])
                if handlers is not None:
                    self.cause = cause_id(raw)
                    for handler in handlers:
                        handler(raw)
                    self.cause = None

        trace.emit = emit

    def _event_rules(self) -> None:
        """A rule on the default bus per `cloudwatch-alarm` event, as Stacktape compiles it
        (functions/events/cloudwatch-alarm): the state change of the named alarm to ALARM."""
        from stptui.sim.services.bus import BusRule, rule_arn, rule_name

        buses = self.sim.services["buses"]
        default = buses.buses[buses.default_key]
        for fn in self.sim.stack.of_type(Function):
            triggers = [t for t in fn.events if t.type == "cloudwatch-alarm"]
            for n, trig in enumerate(triggers, 1):
                ref = trig.properties.get("alarmName")
                alarm = self.by_reference.get(ref) if isinstance(ref, str) else None
                if alarm is None:
                    self.unresolved.append((fn.name, str(ref)))
                    continue
                pattern = {
                    "source": [SOURCE],
                    "detail-type": [DETAIL_TYPE],
                    "resources": [alarm.arn],
                    "detail": {"state": {"value": [ALARM]}},
                }
                bus_trigger = EventBusTrigger(
                    "event-bus",
                    fn.name,
                    trig.index,
                    trig.path,
                    use_default_bus=True,
                    pattern=pattern,
                )
                rule = BusRule(self.sim, default, fn.name, n, bus_trigger)
                rule.name = rule_name(self.sim, fn.name, "cloudwatch-alarm", n)
                rule.arn = rule_arn(self.sim, None, rule.name)
                default.rules.append(rule)
                self.event_rules.append((trig, alarm, rule))

    def example_event(
        self, trigger: Trigger, event_id: str, why_text: str
    ) -> tuple[AlarmSim, dict[str, Any] | str] | None:
        """(its alarm, what the `cloudwatch-alarm` event `trigger` delivers when its alarm
        goes to ALARM now, as `set-alarm-state` sets it with `why_text`), or None when the
        alarm is in ALARM already (no change, no event) or the event names no alarm.
        Nothing is drawn, published or traced (`invoke`'s offers)."""
        from stptui.sim.services.bus import envelope

        found = next((e for e in self.event_rules if e[0] is trigger), None)
        if found is None or found[1].state == ALARM:
            return None
        _, alarm, rule = found
        sim = self.sim
        now = sim.clock.now
        entry = alarm.state_change_entry(ALARM, why_text, None, now)
        event = envelope(
            event_id,
            entry["Source"],
            entry["DetailType"],
            entry["Detail"],
            entry["Resources"],
            now,
            sim.account_id,
            sim.region,
        )
        delivered = rule.example_event(event)
        return None if delivered is None else (alarm, delivered)

    def alarm(self, name: str) -> AlarmSim:
        """The alarm `name` names: its AWS name, Stacktape name or `resource.alarms.N`;
        SimError otherwise, listing them."""
        from stptui.sim.engine import SimError

        for alarm in self.alarms.values():
            if name in (alarm.spec.aws_name, alarm.spec.stp_name, alarm.spec.reference):
                return alarm
        listed = ", ".join(a.spec.reference for a in self.alarms.values())
        other = next((s for s in self.specs if name in (s.aws_name, s.stp_name, s.reference)), None)
        if other is not None:
            why = f": {other.why_not_simulated}" if other.why_not_simulated else ""
            raise SimError(
                f"alarm {name!r} of {other.resource_type} {other.resource!r} is not simulated{why}",
                f"simulated alarms: {listed}" if listed else "this stack has no simulated alarms",
                word=name,
            )
        guess = did_you_mean(name, [n for a in self.alarms.values() for n in _names(a.spec)])
        raise SimError(
            f"no alarm named {name!r}",
            f"did you mean {quote_word(guess)}?"
            if guess
            else f"alarms: {listed} (or their AWS names)"
            if listed
            else "this stack has no alarms",
            word=name,
        )

    def check_state(self, name: str, state: str, text: str) -> AlarmSim:
        """The alarm SetAlarmState would set to `state` with reason `text`, or the SimError
        it would answer (an unknown alarm or state, a reason too short or too long);
        changes nothing."""
        from stptui.sim.engine import SimError

        alarm = self.alarm(name)
        if state not in STATES:
            # StateValue is case-sensitive: `alarm` is refused, with the word it meant.
            guess = did_you_mean(state, STATES)
            raise SimError(
                f"{state!r} is not an alarm state",
                f"did you mean {quote_word(guess)}? StateValue is one of {', '.join(STATES)}"
                if guess
                else f"StateValue is one of {', '.join(STATES)}",
                word=state,
            )
        if not text or len(text) > 1023:
            raise SimError(
                "StateReason must be 1 to 1023 characters long",
                "give --reason a shorter text" if text else "give --reason TEXT",
            )
        return alarm

    def set_state(self, name: str, state: str, text: str) -> str | None:
        """SetAlarmState on the alarm `name` (SimError for an unknown alarm or state)."""
        return self.check_state(name, state, text).set_state(state, text)


def cause_id(raw: Raw) -> str | None:
    """The id `explain` follows from a record that feeds an alarm: an invocation's, an HTTP
    request's or a message's (None for one without: a purge)."""
    for name in CAUSE_FIELDS:
        value = field(raw, name)
        if isinstance(value, str) and value:
            return value
    return None


def _names(spec: AlarmSpec) -> tuple[str, str, str]:
    """The names `set-alarm-state` takes for an alarm: its chain, AWS and Stacktape names."""
    return (spec.reference, spec.aws_name, spec.stp_name)


def wire(sim: Simulator) -> None:
    """Build the alarms, their metrics' tap and the `cloudwatch-alarm` rules."""
    sim.services["alarms"] = AlarmService(sim)
