"""`set-alarm-state` and `show alarms`: CloudWatch alarms of the stack's functions, queues and
HTTP APIs (Stacktape `alarms`), their state and the datapoints of their last periods."""

from __future__ import annotations

from typing import Any

from stptui.commands.handlers.base import command
from stptui.commands.registry import ALARM as ALARM_KIND
from stptui.commands.registry import TEXT, WORD, Arg, Call, CommandError, Option
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.config.alarms import resolve_alarms
from stptui.config.model import Function
from stptui.sim.alarms import ALARM, OK, STATES, number_text
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.textsafe import printable

# AWS requires a StateReason; this one is given when `--reason` is not.
DEFAULT_REASON = "Set by stptui set-alarm-state"


def _service(sim: Simulator) -> Any:
    service = sim.services.get("alarms")
    if service is None:
        raise CommandError(
            "this stack has no alarms", "add `alarms` to a function, sqs-queue or http-api-gateway"
        )
    return service


def _check_alarm(sim: Simulator, name: str) -> None:
    """The CommandError `set-alarm-state` answers for a name that is no simulated alarm;
    the REPL's check before Enter asks it of the ALARM word."""
    try:
        _service(sim).alarm(name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _check_call(sim: Simulator, call: Call) -> None:
    """`set-alarm-state`'s own check of a bound line (state, reason), changing nothing."""
    reason = call.opts.get("reason")
    check_set_alarm_state(
        sim, call.args["alarm"], call.args["state"], DEFAULT_REASON if reason is None else reason
    )


@command(
    "set-alarm-state",
    "messages",
    "Set an alarm's state by hand, as CloudWatch's SetAlarmState does to test it: the state "
    "change event goes to the default bus (and on to `cloudwatch-alarm` events and "
    "notification targets); the state holds until the alarm's next evaluation, at the end "
    "of the current period.",
    args=(
        Arg(
            "ALARM",
            ALARM_KIND,
            "the alarm: `RESOURCE.alarms.N`, or its AWS name",
            check=_check_alarm,
        ),
        Arg("STATE", WORD, "OK | ALARM | INSUFFICIENT_DATA", choices=STATES),
    ),
    options=(Option("--reason", TEXT, "the StateReason (1 to 1,023 characters)", "TEXT"),),
    examples=(
        "set-alarm-state jobsDlq.alarms.0 ALARM",
        "set-alarm-state worker.alarms.0 OK --reason 'checked by hand'",
    ),
    details=(
        "An alarm already in STATE stays as it is (no event). `show alarms` lists the alarms "
        "and their states."
    ),
    check_call=_check_call,
    changes_state=True,
)
def cmd_set_alarm_state(session: Session, call: Call) -> CommandResult:
    """set-alarm-state ALARM STATE [--reason TEXT]"""
    sim = session.sim
    state = call.args["state"]
    text = call.opts.get("reason")
    text = DEFAULT_REASON if text is None else text
    alarm = check_set_alarm_state(sim, call.args["alarm"], state, text)
    previous = alarm.state
    event_id = _service(sim).set_state(alarm.spec.aws_name, state, text)
    name = alarm.spec.reference
    if event_id is None:
        return CommandResult(
            f"{name} is already {state}; nothing changed",
            data={"alarm": alarm.spec.aws_name, "state": state, "event_id": None},
        )
    lines = [
        f"{name}: {previous} -> {state} (event {event_id})",
        f"holds until the next evaluation at {iso_ms(alarm.entry_end)}",
    ]
    return CommandResult(
        "\n".join(lines),
        data={"alarm": alarm.spec.aws_name, "state": state, "event_id": event_id},
    )


def check_set_alarm_state(sim: Simulator, name: str, state: str, reason: str) -> Any:
    """The alarm `set-alarm-state NAME STATE --reason REASON` would set, or the CommandError
    it would answer; changes nothing. The command makes this check, and the alarm dialog
    makes it as the reason is typed."""
    try:
        return _service(sim).check_state(name, state, reason)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def state_change_lines(sim: Simulator, name: str, state: str) -> list[str]:
    """What setting alarm `name` to `state` would do, as the alarm dialog says it before it
    runs: the change (or that there is none), then who hears of it: the functions whose
    `cloudwatch-alarm` event names the alarm (for ALARM) and its notification targets (for
    ALARM and OK). Names are the config's, made printable."""
    alarm = _service(sim).alarm(name)
    ref = alarm.spec.reference
    if alarm.state == state:
        return [f"{ref} is already {state}: nothing changes, no event"]
    lines = [
        f"{ref}: {alarm.state} -> {state}; the state change event goes to the default bus",
    ]
    if state == ALARM:
        lines += [
            f"invokes {printable(fn)} (its cloudwatch-alarm event)" for fn in listeners(sim, ref)
        ]
    if state in (ALARM, OK):
        lines += [
            f"notifies {printable(t.channel)} {printable(t.recipient)}".rstrip()
            for t in alarm.spec.targets
        ]
    return lines


def listeners(sim: Simulator, reference: str) -> list[str]:
    """The functions whose `cloudwatch-alarm` event names the alarm `reference`
    (`jobsDlq.alarms.0`), in the stack's order."""
    return [
        fn.name
        for fn in sim.stack.of_type(Function)
        if any(
            t.type == "cloudwatch-alarm" and t.properties.get("alarmName") == reference
            for t in fn.events
        )
    ]


def _value(value: float | None) -> str:
    return "-" if value is None else number_text(round(value, 3))


def alarm_data(sim: Simulator, resource: str | None = None) -> list[dict[str, Any]]:
    """The alarms `show alarms` lists (those of `resource` only, when given), as its data:
    per alarm its AWS name, `reference`, `trigger`, whether it is `simulated` and a
    `reason` (for one that is not, why); a simulated one's `state`, `since` (ms) and the
    `datapoints` of its last
    periods, oldest first (`value` None for a missing one). The Inspector shows the same."""
    service = sim.services.get("alarms")
    specs = service.specs if service is not None else resolve_alarms(sim.stack)
    data: list[dict[str, Any]] = []
    for spec in specs:
        if resource is not None and spec.resource != resource:
            continue
        alarm = service.alarms.get(spec.aws_name) if service is not None else None
        entry: dict[str, Any] = {
            "alarm": spec.aws_name,
            "reference": spec.reference,
            "trigger": spec.trigger,
            "simulated": alarm is not None,
        }
        if alarm is None:
            entry["reason"] = spec.why_not_simulated or (
                f"{spec.resource_type} metrics are not simulated"
            )
        else:
            points = alarm.recent(alarm.rule.range_size)
            entry |= {
                "state": alarm.state,
                "reason": alarm.reason,
                "since": alarm.changed_ms,
                "datapoints": [{"start": p.start_ms, "value": p.value} for p in points],
            }
        data.append(entry)
    return data


def datapoints_text(entry: dict[str, Any]) -> str:
    """An alarm's last periods as `show alarms` writes them: `0 1 -`, oldest first."""
    return " ".join(_value(p["value"]) for p in entry.get("datapoints", ()))


def show_alarms(sim: Simulator) -> CommandResult:
    """Every alarm of the stack: its state, reason and last change, and the datapoints of
    its last periods (oldest first, `-` for a missing one); alarms of types the simulator
    does not evaluate are listed as such."""
    data = alarm_data(sim)
    if not data:
        return CommandResult("this stack has no alarms", data=[])
    headers = ["alarm", "trigger", "state", "since", "last periods", "reason"]
    rows: list[list[str]] = []
    for entry in data:
        if not entry["simulated"]:
            reason = printable(entry["reason"])
            rows.append([entry["reference"], entry["trigger"], "not simulated", "", "", reason])
            continue
        rows.append(
            [
                entry["reference"],
                entry["trigger"],
                entry["state"],
                iso_ms(entry["since"]),
                datapoints_text(entry),
                printable(entry["reason"]),
            ]
        )
    lines = [
        f"{len(data)} alarm{'s' * (len(data) != 1)}; last periods oldest first "
        "(- is a missing datapoint)"
    ]
    service = sim.services.get("alarms")
    if service is not None:
        lines += [
            f"cloudwatch-alarm event of {fn} names no alarm of the stack: {printable(ref)}"
            for fn, ref in service.unresolved
        ]
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)
