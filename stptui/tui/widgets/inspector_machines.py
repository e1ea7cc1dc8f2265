"""The Inspector's sections for a Step Functions state machine: its states (type and where
each goes next), the callback tasks waiting for a token, its latest executions (status,
the state(s) each is in, when it started, how long it took) and the history of the latest
one, with the Choice verdicts, retries and catches that `show execution` lists.

State names, execution names, errors and verdicts come from the stack or the user: they go
in as text through `safe`, never as markup. The page is redrawn when the machine's records
come (not as time goes), so a running execution says since when it runs, not for how long.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text

from stptui.sim.behavior import format_duration
from stptui.sim.engine import Simulator
from stptui.tui.render import clock_time, hanging, safe

if TYPE_CHECKING:
    # Types only: the service (with Step Functions' interpreter) loads with a stack that has
    # a state machine, not with the app; its statuses are AWS's words, written out below.
    from stptui.sim.services.state_machine import Execution, MachineSim

# The executions the page lists (the latest ones), and the history lines of the latest.
SHOW_EXECUTIONS = 8
SHOW_HISTORY = 24
HANG = 2
# A history line goes on under the text after its time.
HISTORY_HANG = len("00:00:00.000 ")
STATUS_STYLES = {
    "RUNNING": "bright_blue",
    "SUCCEEDED": "green",
    "FAILED": "red",
    "TIMED_OUT": "red",
    "ABORTED": "magenta",
}
# History events that tell the story of a state's errors and decisions, in colour.
HISTORY_STYLES = {
    "Choice": "magenta",
    "Retry": "yellow",
    "Caught": "yellow",
    "StateFailed": "red",
    "ExecutionFailed": "bold red",
    "ExecutionTimedOut": "bold red",
    "ExecutionAborted": "magenta",
    "ExecutionSucceeded": "green",
}


def _heading(text: Text, title: str) -> None:
    text.append(f"\n{title}\n", "bold underline")


def _line(text: Text, line: Text, indent: int = HANG) -> None:
    text.append_text(hanging(line, indent))
    text.append("\n")


def state_machine_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s states, latest executions and the latest one's history, when it is a
    simulated state machine."""
    machine: MachineSim | None = sim.services.get("state_machines", {}).get(name)
    if machine is None:
        return
    _states(text, machine.definition)
    _waiting(text, sim, machine)
    _executions(text, machine, sim.clock.now)


def _waiting(text: Text, sim: Simulator, machine: MachineSim) -> None:
    """The `.waitForTaskToken` tasks of the machine's executions that wait for an answer:
    the execution, the state, since when, and the start of the token."""
    # Imported here: only a stack with a state machine reaches this (see design.md).
    from stptui.sim.asl_callbacks import short, tokens_of

    tasks = [t for t in tokens_of(sim).waiting() if t.machine is machine]
    if not tasks:
        return
    _heading(text, "Waiting for a task token")
    for task in tasks:
        line = Text.assemble((safe(task.execution.name), "bold"), f" {safe(task.shown)}")
        line.append(f" since {clock_time(task.since_ms)} ")
        line.append(short(task.token), "dim")
        _line(text, line)
    _line(text, Text("send-task-success EXECUTION [OUTPUT] answers one", "dim"))


def _states(text: Text, definition: Mapping[str, Any]) -> None:
    """Each state in the definition's order: its type and where it goes next."""
    states = definition.get("States") or {}
    _heading(text, f"States (start at {safe(definition.get('StartAt', '?'))})")
    for state_name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        line = Text.assemble((safe(state_name), "bold"), f" {safe(state.get('Type', '?'))}")
        line.append(f" {_next_words(state)}")
        _line(text, line)


def _next_words(state: Mapping[str, Any]) -> str:
    """`→ ChargeCard`, `end`, a Choice's targets, then retries and catches."""
    kind = state.get("Type")
    if kind == "Choice":
        targets = [str(rule.get("Next")) for rule in state.get("Choices") or [] if rule]
        if "Default" in state:
            targets.append(f"else {state['Default']}")
        words = "→ " + " | ".join(safe(t) for t in targets)
    elif kind in ("Succeed", "Fail"):
        words = "ends the execution" + (f" ({safe(state['Error'])})" if "Error" in state else "")
    elif state.get("End") is True:
        words = "end"
    else:
        words = f"→ {safe(state.get('Next', '?'))}"
    if kind == "Parallel":
        count = len(state.get("Branches") or [])
        words += f" ({count} branch{'es' * (count != 1)})"
    retriers = state.get("Retry") or []
    if retriers:
        words += f"; {len(retriers)} retrier{'s' * (len(retriers) != 1)}"
    for catcher in state.get("Catch") or []:
        errors = ", ".join(safe(e) for e in catcher.get("ErrorEquals") or [])
        words += f"; catch {errors} → {safe(catcher.get('Next', '?'))}"
    return words


def current_states(ex: Execution) -> list[str]:
    """The states a running execution is in now, innermost (a Parallel's branches' states
    rather than the Parallel state), read from its history."""
    inside: dict[str, None] = {}
    for event in ex.history:
        if event.what.endswith("StateEntered"):
            inside[event.state] = None
        elif event.what.endswith("StateExited") or event.what == "Caught":
            # A caught error leaves its state (its branches too) for the catcher's Next.
            for shown in [s for s in inside if s == event.state or s.startswith(event.state + "/")]:
                del inside[shown]
    return [s for s in inside if not any(o.startswith(s + "/") for o in inside)]


def _executions(text: Text, machine: MachineSim, now: int) -> None:
    figures = machine.figures()
    _heading(text, "Executions")
    if not figures["started"]:
        text.append("none yet (t starts one)\n", "dim")
        return
    counts = [
        f"{figures[status.lower()]} {status.lower().replace('_', ' ')}"
        for status in STATUS_STYLES
        if figures[status.lower()]
    ]
    _line(text, Text(f"{figures['started']} started: {', '.join(counts)}"))
    latest = list(machine.executions.values())[-SHOW_EXECUTIONS:][::-1]
    for ex in latest:
        line = Text.assemble((safe(ex.name), "bold"), " ")
        line.append(ex.status, STATUS_STYLES.get(ex.status, ""))
        if ex.status == "RUNNING":
            where = ", ".join(safe(s) for s in current_states(ex)) or "between states"
            line.append(f" in {where}, since {clock_time(ex.start_ms)}")
        else:
            line.append(f" {clock_time(ex.start_ms)}")
            line.append(f" in {format_duration((ex.stop_ms or now) - ex.start_ms)}")
            if ex.error is not None:
                line.append(f" {safe(ex.error)}", "red")
        _line(text, line)
    if figures["started"] > SHOW_EXECUTIONS:
        _line(text, Text(f"… and {figures['started'] - SHOW_EXECUTIONS:,} older", "dim"))
    _history(text, latest[0])


def _history(text: Text, ex: Execution) -> None:
    """The latest execution's last history lines: each state entered and left, its
    tasks, retries, catches and Choice verdicts."""
    _heading(text, f"History of {safe(ex.name)}")
    shown = ex.history[-SHOW_HISTORY:]
    if len(ex.history) > SHOW_HISTORY:
        _line(text, Text(f"(the last {SHOW_HISTORY} of {len(ex.history):,} events)", "dim"))
    for event in shown:
        line = Text.assemble((clock_time(event.t), "dim"), " ")
        line.append(event.what, HISTORY_STYLES.get(event.what, ""))
        if event.state:
            line.append(f" {safe(event.state)}", "bold")
        line.append(f" {safe(event.detail)}")
        _line(text, line, HISTORY_HANG)
    text.append_text(hanging(Text(f"show execution {safe(ex.name)}: every event", "dim"), HANG))
    text.append("\n")
