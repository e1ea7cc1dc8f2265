"""Commands for Step Functions state machines: start and stop executions, and show them.

The service model (stptui.sim.services.state_machine, with Step Functions' interpreter) is
imported by the functions that use it, not here: every session loads this module for its
commands, and most stacks have no state machine to run them on.
"""

from __future__ import annotations

import errno
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.commands.handlers.base import command, json_error_at, local_path
from stptui.commands.registry import (
    EXECUTION,
    STATE_MACHINE,
    TASK_TOKEN,
    TEXT,
    WORD,
    Arg,
    Call,
    CommandError,
    Option,
    format_line,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim import trace as tk
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError, Simulator
from stptui.sim.explain import (
    FOLLOW_FIELDS,
    KIND_WIDTH,
    chains_of,
    summary,
    why_lines,
)
from stptui.sim.invocation_events import show_event_lines
from stptui.sim.trace_index import trace_index
from stptui.textsafe import Shown, flat, json_text, one_line, printable, quote_word

if TYPE_CHECKING:
    from stptui.sim.asl_callbacks import WaitingTask
    from stptui.sim.services.batch import Execution as JobExecution
    from stptui.sim.services.state_machine import Execution, MachineSim

INPUT_HINT = 'the input is one JSON word, e.g. \'{"orderId": "o-1"}\', or @FILE holding JSON'
OUTPUT_HINT = "the output is one JSON word, e.g. '{\"approved\": true}', or @FILE holding JSON"
# `show execution` shows at most this many history lines (the last ones).
SHOW_HISTORY = 200
# Error and cause texts are cut to this many characters in listings.
TEXT_WIDTH = 120


def _machine(sim: Simulator, name: str) -> MachineSim:
    from stptui.sim.services.state_machine import lookup_machine

    try:
        return lookup_machine(sim, name)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _execution(sim: Simulator, text: str) -> Execution:
    from stptui.sim.services.state_machine import find_execution

    try:
        return find_execution(sim, text)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _any_execution(sim: Simulator, text: str) -> Execution | JobExecution:
    """The execution `text` names (its name, a unique start of it, or its ARN): one of a
    state machine of the stack, else one of a batch job's state machine. Neither is a
    CommandError with the state machines' hint."""
    from stptui.sim.services.state_machine import find_execution

    try:
        return find_execution(sim, text)
    except SimError as exc:
        job_ex = sim.services["batch"].find(text)
        if job_ex is None:
            raise CommandError(str(exc), exc.hint) from None
        return job_ex


def json_argument_text(text: str, hint: str = INPUT_HINT) -> str:
    """The text a JSON argument gives: itself, or the UTF-8 text of the `@FILE` it names
    (`hint` says what the argument holds)."""
    from stptui.sim.services.state_machine import MAX_PAYLOAD_BYTES

    if not text.startswith("@"):
        return text
    path = local_path(text[1:])
    # Room for whitespace around 256 KiB of JSON; a longer file is refused for its size,
    # not cut and then called "not JSON".
    cap = MAX_PAYLOAD_BYTES * 4
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # A FIFO blocks until someone writes to it, a device may never end.
            raise OSError(errno.EINVAL, "not a regular file")
        with path.open("rb") as f:
            raw = f.read(cap + 1)
    except OSError as exc:
        raise CommandError(
            f"cannot read {_cut(str(path))!r}: {exc.strerror or exc}",
            "give a readable file after @ (relative to where stptui runs)",
        ) from None
    if len(raw) > cap:
        raise CommandError(
            f"{_cut(str(path))!r} holds more than {cap:,} bytes; an execution's input and a "
            f"task's output are at most {MAX_PAYLOAD_BYTES:,} (256 KiB) of JSON",
            "pass a reference (an S3 key, an id) instead of the data itself",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{_cut(str(path))!r} is not UTF-8 text", hint) from None


def _logged_with_text(call: Call, given: str | None, text: str, option: str | None) -> None:
    """Log a line whose JSON argument named `@FILE` with the file's text in its place: the
    session log then replays (undo, reload, load, a recording) what the command read, even
    after the file is edited or gone, as `upload --from` is logged with its bytes."""
    if given is None or not given.startswith("@"):
        return
    first = call.command.args[0].name.lower()
    value = call.opts.get(option.removeprefix("--")) if option is not None else None
    options = [] if value is None else [(option, value)]
    call.log_line = format_line(call.command.name, [call.args[first], text], options)


def _input(text: str | None) -> Any:
    """The execution input, from JSON text (default `{}`): `@FILE` already read."""
    if text is None:
        return {}
    try:
        return jsontext.loads(text)
    except ValueError as exc:
        raise CommandError(
            f"InvalidExecutionInput: the input is not JSON: {exc}",
            INPUT_HINT,
            word=text,
            within=json_error_at(exc),
        ) from None


@command(
    "start-execution",
    "messages",
    "Start an execution of a Step Functions state machine (StartExecution).",
    args=(
        Arg("STATE_MACHINE", STATE_MACHINE, "a state-machine of the stack"),
        Arg("INPUT", TEXT, "the input: JSON (one word) or @FILE (default {})", optional=True),
    ),
    options=(
        Option(
            "--name",
            WORD,
            "the execution's name (default: a UUID); unique per state machine",
            "N",
        ),
    ),
    examples=(
        'start-execution orderFlow \'{"orderId": "o-1", "amount": 120}\'',
        'start-execution orderFlow \'{"orderId": "o-2", "amount": 900}\' --name big-order',
    ),
    details=(
        "The execution enters its first state at once; Task states invoke the stack's "
        "functions (their behaviours decide how long they run and how they end), Wait states "
        "and retries wait on the virtual clock, so `advance` or `run` moves them on. A name "
        "already used is ExecutionAlreadyExists, unless it is a running execution started "
        "with the same input, which is returned again (as AWS does)."
    ),
    changes_state=True,
    body_file="INPUT",
)
def cmd_start_execution(session: Session, call: Call) -> CommandResult:
    """start-execution STATE_MACHINE [INPUT] [--name N]"""
    from stptui.sim.services.state_machine import ExecutionError

    sim = session.sim
    machine = _machine(sim, call.args["state_machine"])
    given = call.args.get("input")
    text = None if given is None else json_argument_text(given)
    raw = _input(text)
    before = len(machine.executions)
    try:
        ex = machine.start(raw, call.opts.get("name"))
    except ExecutionError as exc:
        raise CommandError(str(exc), exc.hint) from None
    if text is not None:
        _logged_with_text(call, given, text, "--name")
    # StartExecution with the name and input of a running execution returns that execution
    # and starts nothing: saying "started" would promise a second run.
    already_running = len(machine.executions) == before
    if not already_running:
        text = f"started execution {ex.name} of {machine.name} ({ex.status})"
    else:
        text = (
            f"execution {ex.name} of {machine.name} is already RUNNING with this input: "
            "StartExecution returns it and starts nothing"
        )
    # An execution that failed as it started (a first state's path its input lacks) says
    # why here, where the input was just typed, not only in `show execution`.
    said = f"\n  error: {ex.error}\n  hint: {ex.hint}" if ex.hint and ex.error else ""
    return CommandResult(
        f"{text}\n{ex.arn}{said}",
        data={
            "state_machine": machine.name,
            "executionArn": ex.arn,
            "name": ex.name,
            "startDate": iso_ms(ex.start_ms),
            "status": ex.status,
            "already_running": already_running,
            "hint": ex.hint or None,
        },
    )


@command(
    "stop-execution",
    "messages",
    "Stop a running execution (StopExecution): it ends ABORTED.",
    args=(
        Arg(
            "EXECUTION",
            EXECUTION,
            "an execution: its name, a unique start of it, or ARN (a batch job's too)",
        ),
    ),
    options=(
        Option("--error", WORD, "the error code the execution ends with", "E"),
        Option("--cause", TEXT, "the cause the execution ends with", "C"),
    ),
    examples=("stop-execution big-order --error Cancelled --cause 'the customer called'",),
    details=(
        "Whatever its states invoked runs on, unheard; its timers are dropped. An execution "
        "of a batch job's state machine terminates its running attempt, which is not retried."
    ),
    changes_state=True,
)
def cmd_stop_execution(session: Session, call: Call) -> CommandResult:
    """stop-execution EXECUTION [--error E] [--cause C]"""
    from stptui.sim.services import batch
    from stptui.sim.services.state_machine import ExecutionError

    ex = _any_execution(session.sim, call.args["execution"])
    if isinstance(ex, batch.Execution):
        return _stop_job_execution(session, ex, call.opts.get("error"), call.opts.get("cause"))
    try:
        ex.machine.stop_execution(ex, call.opts.get("error"), call.opts.get("cause"))
    except ExecutionError as exc:
        raise CommandError(str(exc), exc.hint) from None
    return CommandResult(
        f"stopped execution {ex.name} of {ex.machine.name} (ABORTED)",
        data={"executionArn": ex.arn, "stopDate": iso_ms(ex.stop_ms or 0), "status": ex.status},
    )


def _stop_job_execution(
    session: Session, ex: JobExecution, error: str | None, cause: str | None
) -> CommandResult:
    """StopExecution of an execution of a batch job's state machine."""
    from stptui.sim.asl_callbacks import error_cause_refusal

    refusal = error_cause_refusal(error, cause)
    if refusal is not None:
        raise CommandError(*refusal)
    if ex.status != "RUNNING":
        raise CommandError(
            f"execution {ex.id} of batch job {ex.job} is already {ex.status}",
            "only a RUNNING execution can be stopped",
        )
    session.sim.services["batch"].stop_execution(ex, error, cause)
    return CommandResult(
        f"stopped execution {ex.id} of batch job {ex.job} (ABORTED)",
        data={"executionArn": ex.arn, "stopDate": iso_ms(ex.ended_at or 0), "status": ex.status},
    )


@command(
    "redrive-execution",
    "messages",
    "Redrive an unsuccessful execution (RedriveExecution): it runs on from where it stopped.",
    args=(
        Arg(
            "EXECUTION",
            EXECUTION,
            "an execution: its name, a unique start of it, or ARN (a batch job's too)",
        ),
    ),
    examples=("redrive-execution big-order",),
    details=(
        "A FAILED, TIMED_OUT or ABORTED execution, within 14 days of its stop, runs again "
        "under the same name and ARN: the states that failed (or were stopped) run again "
        "with the input they had, the ones that succeeded are not rerun; in a Parallel or "
        "Map state only the branches and iterations that did not succeed run again. Its "
        "TimeoutSeconds starts again, `$$.Execution.RedriveCount` counts the redrives, and "
        "its history gains an ExecutionRedriven event. An execution of a batch job's state "
        "machine goes on the same way: the attempt it was stopped in runs again, or the Wait "
        "before the next; one that failed after its last attempt fails again at once (it "
        "ended in Stacktape's Fail state). Anything else is ExecutionNotRedrivable with "
        "Step Functions' reason."
    ),
    changes_state=True,
)
def cmd_redrive_execution(session: Session, call: Call) -> CommandResult:
    """redrive-execution EXECUTION"""
    from stptui.sim.services import batch
    from stptui.sim.services.state_machine import ExecutionError

    ex = _any_execution(session.sim, call.args["execution"])
    if isinstance(ex, batch.Execution):
        return _redrive_job_execution(session, ex)
    try:
        ex.machine.redrive(ex)
    except ExecutionError as exc:
        raise CommandError(str(exc), exc.hint) from None
    return _redrove(f"{ex.name} of {ex.machine.name}", ex)


def _redrive_job_execution(session: Session, ex: JobExecution) -> CommandResult:
    """RedriveExecution of an execution of a batch job's state machine."""
    try:
        session.sim.services["batch"].redrive(ex)
    except SimError as exc:
        raise CommandError(str(exc), exc.hint) from None
    return _redrove(f"{ex.id} of batch job {ex.job}", ex)


def _redrove(which: str, ex: Execution | JobExecution) -> CommandResult:
    """What `redrive-execution` answers of the execution `ex` (`which` names it and its
    state machine or job): RedriveExecution's fields and the status it runs on with."""
    return CommandResult(
        f"redrove execution {which} (redrive {ex.redrive_count}, {ex.status})",
        data={
            "executionArn": ex.arn,
            "redriveDate": iso_ms(ex.redrive_ms or 0),
            "redriveCount": ex.redrive_count,
            "status": ex.status,
        },
    )


TOKEN_HELP = (
    "the waiting task: its token, a start of it (8 characters or more), or the name of "
    "its execution when only one of its tasks waits"
)
TOKEN_DETAILS = (
    "A `.waitForTaskToken` Task state waits until a worker answers with its token. Instead "
    "of the 640-character token you may name the execution (when exactly one of its tasks "
    "waits) or give a start of the token; `show execution` lists the waiting tokens."
)


def _task(session: Session, text: str) -> WaitingTask:
    from stptui.sim.asl_callbacks import TaskTokenError, tokens_of

    try:
        return tokens_of(session.sim).resolve(text)
    except TaskTokenError as exc:
        raise CommandError(str(exc), exc.hint) from None


def _answered(task: WaitingTask, what: str) -> CommandResult:
    from stptui.sim.asl_callbacks import short

    ex = task.execution
    return CommandResult(
        f"{what} for {printable(task.shown)} of execution {printable(ex.name)} "
        f"({short(task.token)}); the execution is {ex.status}",
        data={"executionArn": ex.arn, "state": task.shown, "taskToken": task.token},
    )


@command(
    "send-task-success",
    "messages",
    "Answer a waiting callback task with its output (SendTaskSuccess).",
    args=(
        Arg("TASK", TASK_TOKEN, TOKEN_HELP),
        Arg("OUTPUT", TEXT, "the task's output: JSON (one word) or @FILE (default {})", True),
    ),
    examples=(
        "send-task-success order-7 '{\"approved\": true}'",
        "send-task-success order-8 @docs/examples/approval.json",
    ),
    details=TOKEN_DETAILS + " The output goes through the state's ResultSelector, "
    "ResultPath and OutputPath, and the execution moves on at once.",
    changes_state=True,
    body_file="OUTPUT",
)
def cmd_send_task_success(session: Session, call: Call) -> CommandResult:
    """send-task-success TASK [OUTPUT]"""
    from stptui.sim.asl_callbacks import TaskTokenError, tokens_of

    task = _task(session, call.args["task"])
    given = call.args.get("output")
    text = "{}" if given is None else json_argument_text(given, OUTPUT_HINT)
    try:
        tokens_of(session.sim).succeed(task, text, "command")
    except TaskTokenError as exc:
        raise CommandError(str(exc), exc.hint) from None
    _logged_with_text(call, given, text, None)
    return _answered(task, "SendTaskSuccess")


@command(
    "send-task-failure",
    "messages",
    "Fail a waiting callback task (SendTaskFailure); its Retry and Catch apply.",
    args=(Arg("TASK", TASK_TOKEN, TOKEN_HELP),),
    options=(
        Option("--error", WORD, "the error name Retry and Catch match", "E"),
        Option("--cause", TEXT, "the cause, in words", "C"),
    ),
    examples=("send-task-failure order-7 --error Rejected --cause 'over the credit limit'",),
    details=TOKEN_DETAILS + " Without --error the error is empty, which only States.ALL "
    "and States.TaskFailed match.",
    changes_state=True,
)
def cmd_send_task_failure(session: Session, call: Call) -> CommandResult:
    """send-task-failure TASK [--error E] [--cause C]"""
    from stptui.sim.asl_callbacks import TaskTokenError, tokens_of

    task = _task(session, call.args["task"])
    try:
        tokens_of(session.sim).fail(task, call.opts.get("error"), call.opts.get("cause"), "command")
    except TaskTokenError as exc:
        raise CommandError(str(exc), exc.hint) from None
    return _answered(task, "SendTaskFailure")


@command(
    "send-task-heartbeat",
    "messages",
    "Tell a waiting callback task its worker is alive (SendTaskHeartbeat).",
    args=(Arg("TASK", TASK_TOKEN, TOKEN_HELP),),
    examples=("send-task-heartbeat order-7",),
    details=TOKEN_DETAILS + " The state's HeartbeatSeconds start again from now; its "
    "TimeoutSeconds do not.",
    changes_state=True,
)
def cmd_send_task_heartbeat(session: Session, call: Call) -> CommandResult:
    """send-task-heartbeat TASK"""
    from stptui.sim.asl_callbacks import tokens_of

    task = _task(session, call.args["task"])
    tokens_of(session.sim).beat(task, "command")
    return _answered(task, "SendTaskHeartbeat")


def _cut(text: Any, escape: Callable[[str], str] = one_line) -> Shown:
    # One line each (an error, a cause, a history detail): a line break in a cause a
    # handler or a Fail state wrote shows as \n, never starts a line of its own. A value's
    # backslashes that read as escapes are written twice (`one_line`); JSON text, and a
    # detail made of values cut so, are only made `flat` (their escapes are written).
    shown = escape(str(text)) if text is not None else "-"
    return Shown(shown if len(shown) <= TEXT_WIDTH else shown[: TEXT_WIDTH - 1] + "…")


def _duration(ex: Execution, now: int) -> str:
    return format_duration((ex.stop_ms if ex.stop_ms is not None else now) - ex.start_ms)


def show_executions(sim: Simulator, name: str | None) -> CommandResult:
    """`show executions [SM]`: every execution (of one state machine), oldest first."""
    machines: dict[str, MachineSim] = sim.services.get("state_machines", {})
    if name is not None:
        machines = {name: _machine(sim, name)}
    if not machines:
        text = "this stack has no state machines"
        if "batch" in sim.services and sim.services["batch"].jobs:
            # Stacktape runs each batch job through a state machine of its own, whose
            # executions the trace names (`execution_arn`): they are the jobs' runs.
            text += "; its batch jobs run in state machines Stacktape makes for them: show jobs"
        return CommandResult(text, data={"executions": []})
    rows = []
    data = []
    for machine in machines.values():
        for ex in machine.executions.values():
            rows.append(
                [
                    machine.name,
                    printable(ex.name),
                    ex.status,
                    iso_ms(ex.start_ms),
                    _duration(ex, sim.clock.now),
                    _cut(ex.error) if ex.error is not None else "-",
                ]
            )
            data.append(
                {
                    "state_machine": machine.name,
                    "name": ex.name,
                    "executionArn": ex.arn,
                    "status": ex.status,
                    "startDate": iso_ms(ex.start_ms),
                    "stopDate": iso_ms(ex.stop_ms) if ex.stop_ms is not None else None,
                    "error": ex.error,
                }
            )
    if not rows:
        which = f"{name}" if name else "any state machine"
        return CommandResult(
            f"no executions of {which} yet (start one with start-execution)",
            data={"executions": []},
        )
    return CommandResult(
        "",
        table=(["state machine", "execution", "status", "started", "duration", "error"], rows),
        data={"executions": data},
    )


def show_execution(sim: Simulator, text: str) -> CommandResult:
    """`show execution ID`: the execution, then its history (each state with its time,
    input and output sizes, retries, catches and Choice verdicts)."""
    from stptui.sim.asl_callbacks import short, tokens_of
    from stptui.sim.services.state_machine import RUNNING, redrive_status

    ex = _execution(sim, text)
    head = [
        f"{printable(ex.name)} of {ex.machine.name}: {ex.status} after "
        f"{_duration(ex, sim.clock.now)}",
        f"  arn: {printable(ex.arn)}",
        f"  input: {_cut(json_text(ex.input), flat)}",
    ]
    if ex.status == "SUCCEEDED":
        head.append(f"  output: {_cut(json_text(ex.output), flat)}")
    elif ex.status != RUNNING:
        head.append(f"  error: {_cut(ex.error)}")
        head.append(f"  cause: {_cut(ex.cause)}")
        if ex.hint:
            head.append(f"  hint: {ex.hint}")
    redrivable, reason = redrive_status(ex, sim.clock.now)
    if ex.redrive_count:
        head.append(f"  redriven: {ex.redrive_count}x, last at {iso_ms(ex.redrive_ms or 0)}")
    if ex.status not in (RUNNING, "SUCCEEDED"):
        # Whether redrive-execution would take it (a success has nothing to redrive).
        head.append(f"  redrive: {redrivable}" + (f" ({reason})" if reason else ""))
    runs = _map_runs(ex)
    for run in runs:
        head.append(f"  map run: {printable(run['state'])} {run['status']}, {run['mapRunArn']}")
    waiting = tokens_of(sim).waiting(ex)
    for task in waiting:
        bounds = [
            f"{word} {task.state[key]} s"
            for word, key in (("heartbeat", "HeartbeatSeconds"), ("timeout", "TimeoutSeconds"))
            if isinstance(task.state.get(key), int)
        ]
        head.append(
            f"  waiting: {printable(task.shown)} since {iso_ms(task.since_ms)} for its task "
            f"token{' (' + ', '.join(bounds) + ')' if bounds else ''}; answer with "
            f"send-task-success {quote_word(ex.name) if len(waiting) == 1 else short(task.token)}"
        )
        # Whole: this is where a user copies it from.
        head.append(f"    token: {task.token}")
    history = ex.history[-SHOW_HISTORY:]
    if len(ex.history) > SHOW_HISTORY:
        head.append(f"  (the last {SHOW_HISTORY} of {len(ex.history):,} history events)")
    rows = [[iso_ms(h.t), h.what, h.state or "-", _cut(h.detail, flat)] for h in history]
    return CommandResult(
        "\n".join(head),
        table=(["time", "event", "state", "detail"], rows),
        data={
            "state_machine": ex.machine.name,
            "name": ex.name,
            "executionArn": ex.arn,
            "status": ex.status,
            "input": ex.input,
            "output": ex.output,
            "error": ex.error,
            "cause": ex.cause,
            "hint": ex.hint or None,
            "redriveCount": ex.redrive_count,
            "redriveDate": iso_ms(ex.redrive_ms) if ex.redrive_ms is not None else None,
            "redriveStatus": redrivable,
            "redriveStatusReason": reason,
            "waiting": [
                {"state": t.shown, "taskToken": t.token, "since": iso_ms(t.since_ms)}
                for t in waiting
            ],
            "mapRuns": runs,
            "history": [
                {"t": iso_ms(h.t), "event": h.what, "state": h.state, "detail": h.detail}
                for h in ex.history
            ],
        },
    )


def _map_runs(ex: Execution) -> list[dict[str, Any]]:
    """The Map Runs of `ex`'s Distributed Map states, in the order they started: the
    state, the Map Run's ARN, its status (a run the execution's end cut short is ABORTED,
    as Step Functions aborts it) and its dates."""
    out = []
    for run in ex.map_runs.values():
        status, stop = run.outcome(ex)
        out.append(
            {
                "state": run.state,
                "mapRunArn": run.arn,
                "status": status,
                "startDate": iso_ms(run.start_ms),
                "stopDate": iso_ms(stop) if stop is not None else None,
            }
        )
    return out


def explain_execution(sim: Simulator, ex: Execution) -> CommandResult:
    """`explain EXECUTION`: the chain of one execution from the trace: each state it
    entered, the invocations its tasks made and how they ended, retries, catches and why
    each Choice went where it did."""
    # The records that carry its ARN, from the trace's index: not a scan of the ring.
    index = trace_index(sim.trace)
    own = index.records(index.of_id(ex.arn))
    invocations = {
        rec.data["invocation_id"]
        for rec in own
        if rec.kind == tk.SFN_TASK_STARTED and rec.data.get("execution_arn") == ex.arn
    }
    # What its service integrations delivered (a message, an event, a stream record) and
    # what became of it: the chain `explain` gives for that id.
    idents = [
        rec.data["delivered_id"]
        for rec in own
        if rec.kind == tk.SFN_TASK_CALLED
        and rec.data["execution_arn"] == ex.arn
        and rec.data.get("delivered_id")
    ]
    # What its integrations wrote that names no id back (an item of a table without a
    # stream, a restore that only upgraded a running one) carries the execution as its
    # `source`, MACHINE:NAME: that record, and the chain of its own id if it has one.
    sourced = index.sourced(f"{ex.machine.name}:{ex.name}")
    for rec in sourced:
        # Its id, never its `key`: other requests write the same key.
        ident = next((rec.data[f] for f in FOLLOW_FIELDS if f != "key" and rec.data.get(f)), None)
        if isinstance(ident, str):
            idents.append(ident)
    delivered = chains_of(sim.trace, idents)
    delivered.update((rec.seq, rec) for rec in sourced)
    found = {rec.seq: rec for rec in own if rec.data.get("execution_arn") == ex.arn}
    for ident in invocations:
        for rec in index.records(index.of_id(ident)):
            if rec.kind.startswith("invocation.") and rec.data.get("invocation_id") == ident:
                found[rec.seq] = rec
    found.update(delivered)
    records = [found[seq] for seq in sorted(found)]
    lines = [f"execution {printable(ex.name)} of {ex.machine.name}: {ex.status}"]
    if ex.hint:
        lines.append(f"  hint: {ex.hint}")
    width = max((len(rec.resource) for rec in records), default=0)
    for rec in records:
        lines.append(
            f"{iso_ms(rec.t)}  {rec.kind:<{KIND_WIDTH}}  {rec.resource:<{width}}  "
            f"{_because(rec)}".rstrip()
        )
        # A rule, subscription or notification its deliveries did not fire says why.
        lines.extend(why_lines(rec))
    lines += show_event_lines(sim, records)
    return CommandResult(
        "\n".join(lines),
        data={"key": ex.arn, "records": [rec.to_json() for rec in records]},
    )


def _because(rec: Any) -> str:
    """A trace record of an execution in words."""
    from stptui.sim.asl_callbacks import short

    d = rec.data
    state = printable(str(d.get("state", "")))
    if rec.kind == "sfn.state.entered":
        return f"{state} ({d['type']}), input {d['input_bytes']:,} bytes"
    if rec.kind == "sfn.state.exited":
        return f"{state}, output {d['output_bytes']:,} bytes"
    if rec.kind == "sfn.task.started":
        return f"{state} invoked {d['function']} ({d['invocation_id']})"
    if rec.kind == "sfn.task.called":
        made = f" ({d['delivered_id']})" if d["delivered_id"] else ""
        return f"{state} called {d['integration']} on {d['target']}{made}"
    if rec.kind == "sfn.task.failed":
        return f"{state} failed: {_cut(d['error'])}"
    if rec.kind == "sfn.task.waiting":
        return f"{state} waits for task token {short(d['token'])}"
    if rec.kind == "sfn.task.callback":
        error = f" ({_cut(d['error'])})" if d["outcome"] == "failure" else ""
        return f"{state} got {d['outcome']}{error} from {printable(str(d['source']))}"
    if rec.kind == "sfn.choice":
        verdicts = "; ".join(_cut(v) for v in d["verdicts"])
        return f"{state} -> {printable(str(d['next']))}: {verdicts}"
    if rec.kind == "sfn.retry":
        return f"{state} retries after {_cut(d['error'])}: attempt {d['attempt']} at {d['at']}"
    if rec.kind == "sfn.caught":
        return f"{state} caught {_cut(d['error'])} -> {printable(str(d['next']))}"
    if rec.kind == "sfn.execution.redriven":
        return f"redrive {d['redrive_count']}"
    if rec.kind == "sfn.map_run.started":
        return f"{state} Map Run: {d['items']:,} items, {d['child_executions']:,} executions"
    if rec.kind == "sfn.map_run.ended":
        return f"{state} Map Run {d['status']}: {d['succeeded']:,} ok, {d['failed']:,} failed"
    if rec.kind.startswith("sfn.execution."):
        if "error" in d:
            return f"error {_cut(d['error'])}: {_cut(d.get('cause'))}"
        if "output_bytes" in d:
            return f"output {d['output_bytes']:,} bytes"
        return f"input {d['input_bytes']:,} bytes"
    if rec.kind == "invocation.failed":
        return f"{d['invocation_id']} failed: {_cut(d['error'])}"
    if "invocation_id" in d:
        return str(d["invocation_id"])
    return summary(rec)
