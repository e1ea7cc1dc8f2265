"""`set-alarm-state` and `show alarms`: CloudWatch alarms of the stack's functions, queues and
HTTP APIs (Stacktape `alarms`), their state and the datapoints of their last periods."""

from __future__ import annotations

from typing import Any

from stptui.commands.handlers.base import command
from stptui.commands.registry import TEXT, WORD, Arg, Call, CommandError, Option
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.config.alarms import resolve_alarms
from stptui.sim.alarms import STATES, number_text
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


@command(
    "set-alarm-state",
    "messages",
    "Set an alarm's state by hand, as CloudWatch's SetAlarmState does to test it: the state "
    "change event goes to the default bus (and on to `cloudwatch-alarm` events and "
    "notification targets); the state holds until the alarm's next evaluation, at the end "
    "of the current period.",
    args=(
        Arg("ALARM", WORD, "the alarm: `RESOURCE.alarms.N`, or its AWS name"),
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
    changes_state=True,
)
def cmd_set_alarm_state(session: Session, call: Call) -> CommandResult:
    """set-alarm-state ALARM STATE [--reason TEXT]"""
    sim = session.sim
    service = _service(sim)
    state = call.args["state"]
    text = call.opts.get("reason")
    text = DEFAULT_REASON if text is None else text
    try:
        alarm = service.alarm(call.args["alarm"])
        previous = alarm.state
        event_id = service.set_state(alarm.spec.aws_name, state, text)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
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


def _value(value: float | None) -> str:
    return "-" if value is None else number_text(round(value, 3))


def show_alarms(sim: Simulator) -> CommandResult:
    """Every alarm of the stack: its state, reason and last change, and the datapoints of
    its last periods (oldest first, `-` for a missing one); alarms of types the simulator
    does not evaluate are listed as such."""
    service = sim.services.get("alarms")
    specs = service.specs if service is not None else resolve_alarms(sim.stack)
    if not specs:
        return CommandResult("this stack has no alarms", data=[])
    headers = ["alarm", "trigger", "state", "since", "last periods", "reason"]
    rows: list[list[str]] = []
    data: list[dict[str, Any]] = []
    for spec in specs:
        alarm = service.alarms.get(spec.aws_name) if service is not None else None
        if alarm is None:
            rows.append([spec.reference, spec.trigger, "not simulated", "", "", ""])
            data.append({"alarm": spec.aws_name, "reference": spec.reference, "simulated": False})
            continue
        points = alarm.recent(alarm.rule.range_size)
        rows.append(
            [
                spec.reference,
                spec.trigger,
                alarm.state,
                iso_ms(alarm.changed_ms),
                " ".join(_value(p.value) for p in points),
                printable(alarm.reason),
            ]
        )
        data.append(
            {
                "alarm": spec.aws_name,
                "reference": spec.reference,
                "simulated": True,
                "state": alarm.state,
                "reason": alarm.reason,
                "since": alarm.changed_ms,
                "datapoints": [{"start": p.start_ms, "value": p.value} for p in points],
            }
        )
    lines = [
        f"{len(specs)} alarm{'s' * (len(specs) != 1)}; last periods oldest first "
        "(- is a missing datapoint)"
    ]
    if service is not None:
        lines += [
            f"cloudwatch-alarm event of {fn} names no alarm of the stack: {printable(ref)}"
            for fn, ref in service.unresolved
        ]
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)
