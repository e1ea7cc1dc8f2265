"""The Inspector's sections for a Step Functions state machine, before its properties
(its definition's JSON): its latest executions (status, the state(s) each is in, the batch
job or nested execution a `.sync` task waits for, when it started, how long it took) and
the keys that start or redrive one, the callback tasks waiting for a token, its states
(type, what a Task calls, a Map's mode and tolerance, where each goes next, and the states
of its Parallel branches and Map processors), its latest Distributed Map runs (items,
child executions succeeded and failed), the latest execution's workflow variables (its
top-level scope: live while it runs, the last values once it has ended; and while it runs,
those of its running Parallel branches and Map iterations) and its history,
with the Choice verdicts, retries and catches that `show execution` lists.

State names, execution names, errors, verdicts and variables come from the stack or the
user: they go in as text through `safe`, never as markup. The page is redrawn when the
machine's records come (not as time goes), so a running execution says since when it
runs, not for how long; its variables change only as a state exits, which is a record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text

from stptui.sim.behavior import format_duration
from stptui.sim.engine import Simulator
from stptui.textsafe import flat, json_shown
from stptui.tui.render import clock_time, hanging, preview, safe

if TYPE_CHECKING:
    # Types only: the service (with Step Functions' interpreter) loads with a stack that has
    # a state machine, not with the app; its statuses are AWS's words, written out below.
    from stptui.sim.services.state_machine import Execution, MachineSim

# The executions the page lists (the latest ones), and the history lines of the latest.
SHOW_EXECUTIONS = 8
SHOW_HISTORY = 24
# The Map Runs the page lists (the latest ones).
SHOW_MAP_RUNS = 6
# A history line's detail (a nested execution's whole description, as its cause) is cut
# here: `show execution` has it whole.
DETAIL_WIDTH = 160
# The variables the page lists, and where a value's JSON is cut (the execution's records
# have each whole: `sfn.state.exited`'s assigned_variables).
SHOW_VARIABLES = 12
VALUE_WIDTH = 120
# The running Parallel branches and Map iterations whose own variables the page lists.
SHOW_SCOPES = 4
# Compact JSON, made a piece at a time: a long value is encoded only as far as it is shown.
_VALUE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)
# Integrations are written without this prefix: `batch:submitJob.sync`.
INTEGRATION_PREFIX = "arn:aws:states:::"
# How the page says what a Task of each waiting form waits for.
WAITS_FOR = {
    ".waitForTaskToken": "waits for a task token",
    "batch:submitJob.sync": "waits for the job",
    "states:startExecution.sync": "waits for the execution",
    "states:startExecution.sync:2": "waits for the execution",
}
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
# The statuses RedriveExecution takes.
UNSUCCESSFUL = ("FAILED", "TIMED_OUT", "ABORTED")
# History events that tell the story of a state's errors and decisions, in colour.
HISTORY_STYLES = {
    "Choice": "magenta",
    "Retry": "yellow",
    "Caught": "yellow",
    "StateFailed": "red",
    "MapIterationFailed": "red",
    "MapStateFailed": "red",
    "ParallelStateFailed": "red",
    "MapIterationAborted": "magenta",
    "MapStateAborted": "magenta",
    "ParallelStateAborted": "magenta",
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
    """`name`'s latest executions (and the keys that start or redrive one), waiting tasks,
    states, Map Runs and the latest execution's history, when it is a simulated state
    machine."""
    machine: MachineSim | None = sim.services.get("state_machines", {}).get(name)
    if machine is None:
        return
    # What runs now and what to do next first; then what the machine is made of.
    _executions(text, sim, machine)
    _waiting(text, sim, machine)
    _states(text, sim, machine.definition)
    _map_runs(text, machine)
    latest = list(machine.executions.values())[-1:]
    if latest:
        _variables(text, machine.definition, latest[0])
        _history(text, latest[0])


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
    _line(
        text,
        Text("a answers one (success, failure or heartbeat); so does :send-task-success", "dim"),
    )


def _states(text: Text, sim: Simulator, definition: Mapping[str, Any]) -> None:
    """Each state in the definition's order: its type, what a Task calls and a Map how it
    runs, and where it goes next; under a Parallel or Map, the states of its branches or
    processor, indented (`Both/0:` for branch 0)."""
    _heading(text, f"States (start at {safe(definition.get('StartAt', '?'))})")
    for depth, label, state_name, state in _walk(definition, 0, ""):
        line = Text(" " * (2 * depth))
        if label:
            line.append(f"{safe(label)} ", "dim")
        line.append(safe(state_name), "bold")
        line.append(f" {safe(state.get('Type', '?'))}")
        how = _task_words(sim, state) if state.get("Type") == "Task" else _map_words(state)
        if how:
            line.append(f" {how}", "cyan")
        line.append(f" {_next_words(state)}")
        _line(text, line, HANG + 2 * depth)


def _walk(
    machine: Mapping[str, Any], depth: int, label: str
) -> Iterator[tuple[int, str, str, Mapping[str, Any]]]:
    """(depth, label, name, state) for each state of `machine`, each followed by those of
    its branches (labelled `0:`, `1:`...) or its Map processor, one level deeper."""
    states = machine.get("States") or {}
    if not isinstance(states, Mapping):
        return
    for state_name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        yield depth, label, str(state_name), state
        branches = state.get("Branches")
        if state.get("Type") == "Parallel" and isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, Mapping):
                    yield from _walk(branch, depth + 1, f"{i}:")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if state.get("Type") == "Map" and isinstance(processor, Mapping):
            yield from _walk(processor, depth + 1, "")


def _task_words(sim: Simulator, state: Mapping[str, Any]) -> str:
    """What a Task calls when it is a service integration (a function's ARN says nothing
    the Edges do not): `batch:submitJob.sync on generateReport (waits for the job)`."""
    resource = state.get("Resource")
    if not isinstance(resource, str) or not resource.startswith(INTEGRATION_PREFIX):
        return ""
    short = resource.removeprefix(INTEGRATION_PREFIX)
    if short == "lambda:invoke":
        return ""  # the function is in the Edges, as a plain function ARN's is
    words = safe(short)
    target = _job_target(sim, short, state.get("Parameters"))
    if target:
        words += f" on {safe(target)}"
    waits = next((w for end, w in WAITS_FOR.items() if short.endswith(end)), None)
    return words + (f" ({waits})" if waits else "")


def _job_target(sim: Simulator, short: str, params: Any) -> str | None:
    """The batch job or state machine of the stack a job Task names, when it names one."""
    if not isinstance(params, Mapping) or not short.startswith(("batch:", "states:")):
        return None
    # Imported here: only a stack with a state machine reaches this (see design.md).
    from stptui.sim import asl_jobs
    from stptui.sim.asl_integrations import target_name

    if short.startswith("batch:"):
        return target_name(
            params.get("JobDefinition"), asl_jobs.JOB_DEFINITION, asl_jobs.known_jobs(sim)
        )
    return target_name(
        params.get("StateMachineArn"), asl_jobs.STATE_MACHINE, asl_jobs.known_machines(sim)
    )


def _map_words(state: Mapping[str, Any]) -> str:
    """How a Map runs: `distributed, items from a bucket (CSV), 2 items per child execution,
    tolerates 1 failed item` (an inline Map says nothing)."""
    if state.get("Type") != "Map":
        return ""
    processor = state.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    if not isinstance(config, Mapping) or config.get("Mode") != "DISTRIBUTED":
        return ""
    words = ["distributed"]
    reader = state.get("ItemReader")
    if isinstance(reader, Mapping):
        reader_config = reader.get("ReaderConfig")
        kind = reader_config.get("InputType") if isinstance(reader_config, Mapping) else None
        listing = str(reader.get("Resource", "")).endswith("listObjectsV2")
        where = "the objects of a bucket" if listing else "a bucket"
        words.append(f"items from {where}" + (f" ({safe(kind)})" if kind else ""))
    batcher = state.get("ItemBatcher")
    per = batcher.get("MaxItemsPerBatch") if isinstance(batcher, Mapping) else None
    if isinstance(per, int) and not isinstance(per, bool):
        words.append(f"{per} item{'s' * (per != 1)} per child execution")
    elif isinstance(batcher, Mapping):
        words.append("items in batches")
    count = state.get("ToleratedFailureCount")
    percentage = state.get("ToleratedFailurePercentage")
    if isinstance(count, int) and not isinstance(count, bool):
        words.append(f"tolerates {count} failed item{'s' * (count != 1)}")
    if isinstance(percentage, int | float) and not isinstance(percentage, bool):
        words.append(f"tolerates {percentage:g}% failed items")
    if "ToleratedFailureCountPath" in state or "ToleratedFailurePercentagePath" in state:
        words.append("tolerated failures read from the input")
    return ", ".join(words)


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


def _executions(text: Text, sim: Simulator, machine: MachineSim) -> None:
    """The counts by status, then the latest executions, newest first: a running one's
    states and what its `.sync` tasks wait for, a finished one's time and error; and which
    unsuccessful one `r` redrives."""
    now = sim.clock.now
    figures = machine.figures()
    _heading(text, "Executions")
    if not figures["started"]:
        text.append("none yet (t starts one)\n", "dim")
        return
    counts = [
        f"{figures[status.lower()]:,} {status.lower().replace('_', ' ')}"
        for status in STATUS_STYLES
        if figures[status.lower()]
    ]
    _line(text, Text(f"{figures['started']:,} started: {', '.join(counts)}"))
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
        if ex.redrive_count:
            line.append(f" (redriven {ex.redrive_count}x)", "dim")
        if ex.started_by is not None:
            parent = ex.started_by
            line.append(f" (started by {safe(parent.name)} of {safe(parent.machine.name)})", "dim")
        _line(text, line)
        if ex.status == "RUNNING":
            for waited in _waits_for(sim, ex):
                _line(text, Text.assemble("  ", waited), HANG + 2)
    if figures["started"] > SHOW_EXECUTIONS:
        _line(text, Text(f"… and {figures['started'] - SHOW_EXECUTIONS:,} older", "dim"))
    keys = ["t starts another"]
    candidate = redrive_candidate(machine)
    if candidate is not None and candidate.status in UNSUCCESSFUL:
        keys.append(f"r redrives {safe(candidate.name)} (redrive-execution)")
    _line(text, Text(", ".join(keys), "dim"))


def redrive_candidate(machine: MachineSim) -> Execution | None:
    """The execution `r` redrives when the machine is selected: its newest unsuccessful one
    (FAILED, TIMED_OUT or ABORTED), else its newest (whose refusal then says why)."""
    executions = list(machine.executions.values())
    for ex in reversed(executions):
        if ex.status in UNSUCCESSFUL:
            return ex
    return executions[-1] if executions else None


def _waits_for(sim: Simulator, ex: Execution) -> list[Text]:
    """The batch jobs and nested executions that `ex`'s `.sync` tasks wait for now."""
    out: list[Text] = []
    batch = sim.services.get("batch")
    for job in batch.jobs.values() if batch is not None else ():
        for job_ex in job.running.values():
            if job_ex.direct is not None and job_ex.arn == ex.arn:
                out.append(
                    Text(
                        f"waits for batch job {safe(job.name)} {safe(job_ex.id)}, "
                        f"attempt {job_ex.attempt}",
                        "cyan",
                    )
                )
    machines: dict[str, MachineSim] = sim.services.get("state_machines", {})
    for other in machines.values():
        for child in other.executions.values():
            if child.started_by is ex and child.status == "RUNNING":
                where = ", ".join(safe(s) for s in current_states(child)) or "between states"
                out.append(
                    Text(
                        f"waits for execution {safe(child.name)} of {safe(other.name)}, in {where}",
                        "cyan",
                    )
                )
    return out


def _map_runs(text: Text, machine: MachineSim) -> None:
    """The latest Distributed Map runs of the machine's executions, newest first (by their
    latest start or redrive): the execution and Map state, the status, the items and child
    executions, and how many of those succeeded and failed (and run, while the run does).
    Read from the executions, which keep their Map Runs: the trace's ring drops old records."""
    runs = [(ex, run) for ex in machine.executions.values() for run in ex.map_runs.values()]
    if not runs:
        return
    _heading(text, "Map Runs")
    # Stable: of two runs started at one instant, the one started later stays later.
    runs.sort(key=lambda pair: max(pair[1].start_ms, pair[1].redrive_ms or 0))
    for ex, run in runs[-SHOW_MAP_RUNS:][::-1]:
        line = Text.assemble((safe(run.state), "bold"))
        line.append(f" of {safe(ex.name)} ")
        status = run.outcome(ex)[0]
        line.append(status, STATUS_STYLES.get(status, ""))
        items, children = sum(run.sizes), len(run.sizes)
        now = run.children(ex)
        ok, failed, running = (now.count(s) for s in ("SUCCEEDED", "FAILED", "RUNNING"))
        line.append(f": {items:,} item{'s' * (items != 1)} in {children:,} child execution")
        line.append("s" * (children != 1))
        line.append(f", {ok:,} succeeded, ")
        line.append(f"{failed:,} failed", "red" if failed else "")
        if running:
            line.append(f", {running:,} running")
        if run.redrive_count:
            line.append(f" (redriven {run.redrive_count}x)", "dim")
        _line(text, line)
    if len(runs) > SHOW_MAP_RUNS:
        _line(text, Text(f"… and {len(runs) - SHOW_MAP_RUNS:,} older", "dim"))


def _variables(text: Text, definition: Mapping[str, Any], ex: Execution) -> None:
    """The workflow variables of the execution's top-level scope, in the order they were
    first assigned, each value as compact JSON cut at VALUE_WIDTH, then (while it runs) the
    own variables of its running Parallel branches and Map iterations, the first
    SHOW_SCOPES of them; nothing for a definition that assigns none."""
    values = ex.variables()
    nested = ex.nested_variables(SHOW_SCOPES)
    if not values and not nested and not _assigns(definition):
        return
    when = "now" if ex.status == "RUNNING" else "when it ended"
    _heading(text, f"Variables of {safe(ex.name)} ({when})")
    if not values and not nested:
        _line(text, Text("none assigned yet", "dim"))
        return
    _assigned(text, values, "")
    for label, kind, scope in nested[:SHOW_SCOPES]:
        _line(text, Text.assemble(("in ", "dim"), safe(label), (f" ({kind})", "dim")))
        _assigned(text, scope, "  ")
    if len(nested) > SHOW_SCOPES:
        _line(text, Text("… and more branches or iterations with their own", "dim"))


def _assigned(text: Text, values: Mapping[str, Any], indent: str) -> None:
    """One scope's variables, a line each, SHOW_VARIABLES of them at most."""
    for name, value in list(values.items())[:SHOW_VARIABLES]:
        line = Text.assemble(indent, (f"${safe(name)}", "bold"), " = ", value_json(value))
        _line(text, line, HANG + 2 + len(indent))
    if len(values) > SHOW_VARIABLES:
        more = f"{indent}… and {len(values) - SHOW_VARIABLES:,} more"
        _line(text, Text(more, "dim"))


def value_json(value: Any, width: int = VALUE_WIDTH) -> str:
    """`value` as compact JSON on one safe line, cut at `width` characters with `…`; only
    what is shown is encoded (a variable may hold 256 KiB)."""
    pieces: list[str] = []
    size = 0
    for piece in _VALUE_JSON.iterencode(value):
        pieces.append(piece)
        size += len(piece)
        if size > width:
            break
    return preview(json_shown("".join(pieces)), width, flat)


def _assigns(definition: Mapping[str, Any]) -> bool:
    """Whether a state of the definition (in its branches and Map processors too), one of
    its Choice rules or one of its Catchers has an `Assign`."""
    for _, _, _, state in _walk(definition, 0, ""):
        owners = [state]
        for field in ("Choices", "Catch"):
            listed = state.get(field)
            if isinstance(listed, list):
                owners.extend(listed)
        if any(isinstance(owner, Mapping) and "Assign" in owner for owner in owners):
            return True
    return False


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
        # Composed of JSON and names: made flat, its escapes not written again.
        detail = flat(event.detail)
        if len(detail) > DETAIL_WIDTH:
            detail = detail[: DETAIL_WIDTH - 1] + "…"
        line.append(f" {detail}")
        _line(text, line, HISTORY_HANG)
    text.append_text(hanging(Text(f"show execution {safe(ex.name)}: every event", "dim"), HANG))
    text.append("\n")
