"""Real-world Stacktape configs (../shared/reference/real-stacks), driven: every stack that
opens takes a stimulus on each of its event sources (a message on every queue, an event on
every bus, a notification on every topic, an upload and a delete in every bucket, a request
to every route, a fire of every schedule, a record on every Kinesis stream, a put, a change
and a delete of an item in every table with a stream, an invocation of every function, an
execution of every state machine), runs two simulated days and shows every view, without an
exception other than a refused command. Every state machine's execution also runs to its end.

The folder is test data outside this repository; a user's clone has no ../shared, so this
test skips there.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
from workcount import hang_guard

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.commands.session import SessionError
from stptui.sim.clock import parse_instant

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")
VIEWS = ("queues", "functions", "agenda", "schedules", "buses", "topics", "buckets", "routes")
MORE_VIEWS = ("jobs", "rules")

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")


def stimuli(session: Session) -> list[str]:
    """A command for each event source of the session's stack, then the clock and views."""
    sim = session.sim
    q = shlex.quote
    lines = []
    for name, queue in sim.queues.items():
        fifo = " --group g --dedup-id d1" if queue.fifo else ""
        lines.append(f"send {q(name)} '{{\"orderId\": 1}}'{fifo}")
    for name in sim.services["buses"].buses:
        lines.append(f"publish {q(name)} orders OrderCreated '{{\"id\": 1}}'")
    for name, topic in sim.services["topics"].topics.items():
        fifo = " --group g --dedup-id d1" if topic.fifo else ""
        lines.append(f"publish-sns {q(name)} hello --attr severity=high{fifo}")
    for name in sim.services["buckets"].buckets:
        lines.append(f"upload {q(name)} 'incoming/a b.csv' --size 5")
        lines.append(f"delete {q(name)} 'incoming/a b.csv'")
    for api in sim.services["http"].apis.values():
        for route in api.routes:
            path = "/" if route.is_default else re.sub(r"\{[^}]+\}", "x", route.path)
            method = "GET" if route.method == "ANY" else route.method
            lines.append(f"http {method} {q(path)} '{{\"a\": 1}}'")
    for lb in sim.services["load_balancers"].balancers.values():
        for listener in lb.listeners.values():
            lines.append(f"http GET /lb-probe --gateway {q(lb.name)} --port {listener.port}")
            for rule in listener.rules:
                for path in rule.paths_for(None) or ["/"]:
                    path = path.replace("*", "x").replace("?", "y")
                    lines.append(
                        f"http POST {q(path)} '{{\"a\": 1}}' --gateway {q(lb.name)} "
                        f"--port {listener.port} --source-ip 10.0.0.1"
                    )
    for name in sim.services["streams"]:
        lines.append(f"put-record {q(name)} '{{\"a\": 1}}' --partition-key k")
        lines.append(f"show stream {q(name)}")
    for name, table in sim.services["tables"].items():
        if table.stream is None:
            continue
        samples = {"S": {"S": "1"}, "N": {"N": "1"}, "B": {"B": "AQ=="}}
        key = {attr: samples[kind] for attr, kind in table.key}
        item = {**key, "stptuiProbe": {"N": "2"}}
        for text in (key, item):
            lines.append(f"put-item {q(name)} {q(json.dumps(text))}")
        lines.append(f"delete-item {q(name)} {q(json.dumps(key))}")
        lines.append(f"show table {q(name)}")
    for rule in sim.services["schedules"].rules:
        lines.append(f"fire {q(rule.owner)} {rule.number}")
    lines += [f"invoke {q(name)} '{{}}'" for name in sim.functions]
    for name in sim.services["state_machines"]:
        lines.append(f"start-execution {q(name)} '{{\"orderId\": 1}}'")
    lines += ["advance 1h", "run --max 2d", "advance 1d"]
    lines += [f"show {view}" for view in (*VIEWS, *MORE_VIEWS)] + ["show trace 50"]
    return lines


def test_every_real_stack_that_opens_can_be_driven(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each stack's session is saved: what this guards is that every one is written at all.
    # The two fsyncs of a save make it durable, which no test sees; here they waited on the
    # disk for about half of the test's wall-clock time.
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    files = sorted(p for p in REAL.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))
    opened = 0
    ran: dict[str, int] = {}
    problems = []
    for path in files:
        try:
            session = Session.open(path, start_ms=T0)
        except SessionError:
            continue  # diagnosed by test_real_stacks; nothing to drive
        opened += 1
        for line in [*stimuli(session), f"save {tmp_path / 'session.json'}"]:
            try:
                render_plain(execute(session, line))
            except CommandError:
                continue
            except Exception as exc:  # every other exception is a bug to list
                problems.append(f"{path.relative_to(REAL)}: {line}: {exc!r}")
                break
            ran[line.split()[0]] = ran.get(line.split()[0], 0) + 1
            if "--gateway" in line:  # a request through a load balancer
                ran["lb-http"] = ran.get("lb-http", 0) + 1
    assert not problems, "\n".join(problems[:20])
    # Most real stacks open; the drive reached every kind of source somewhere.
    assert opened >= len(files) * 0.9, (opened, len(files))
    commands = ("send", "publish", "publish-sns", "upload", "http", "fire", "invoke")
    for command in (*commands, "put-record", "put-item", "delete-item", "start-execution"):
        assert ran.get(command, 0) > 0, ran
    assert ran.get("lb-http", 0) > 0, ran


def test_every_real_state_machine_runs_an_execution_to_its_end() -> None:
    """Each state machine a real stack simulates gets an execution that ends (succeeded, or
    failed where its definition reaches what is not simulated) within a bounded clock, and
    `show execution` and `explain` read it."""
    files = sorted(p for p in REAL.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))
    ended: dict[str, int] = {}
    problems = []
    for path in files:
        if b"state-machine" not in path.read_bytes():
            continue  # cheap: only these can hold one
        try:
            session = Session.open(path, start_ms=T0)
        except SessionError:
            continue
        machines = session.sim.services["state_machines"]
        with hang_guard():
            started = {}
            for name, machine in machines.items():
                try:
                    execute(session, f"start-execution {shlex.quote(name)} '{{}}' --name probe")
                except CommandError as exc:  # a definition Step Functions would not take
                    assert str(exc).startswith("InvalidDefinition: "), exc
                    ended["refused"] = ended.get("refused", 0) + 1
                    continue
                started[name] = machine.executions["probe"]
            for _ in range(48):  # at most two simulated days, an hour at a time
                if all(ex.status != "RUNNING" for ex in started.values()):
                    break
                execute(session, "advance 1h")
            for name, ex in started.items():
                if ex.status == "RUNNING":
                    problems.append(f"{path.relative_to(REAL)}: {name} still RUNNING")
                ended[ex.status] = ended.get(ex.status, 0) + 1
                render_plain(execute(session, f"show execution {ex.arn}"))
                render_plain(execute(session, f"explain {ex.arn}"))
    assert not problems, "\n".join(problems)
    # Checked by hand: seven invoke their stack's functions, which succeed by default. Two
    # fail with States.Runtime as on AWS or as documented: the multi-step-workflow starter's
    # Choice reads $.valid of the null its function returned, and the Batch snippet (below)
    # runs its batch job, then reaches a Resource written with the old `$Param` directive
    # (`validate`'s directive-unknown error), which names no function. The API reference's
    # definition has no States, so StartExecution is refused.
    assert ended == {"SUCCEEDED": 7, "FAILED": 2, "refused": 1}, ended


def test_the_batch_snippet_runs_its_job_through_submit_job_sync() -> None:
    """Stacktape's state-machine Batch snippet: its `batch:submitJob.sync` task submits the
    stack's job, waits for it and passes the described job on; with the job failing, the
    task fails with States.TaskFailed."""
    path = REAL / "docs" / "docs__code-snippets__state-machines__batch.stp.yml__1.yml"
    session = Session.open(path, start_ms=T0)
    execute(session, "start-execution reportStateMachine '{}' --name ok")
    execute(session, "advance 1h")
    ex = session.sim.services["state_machines"]["reportStateMachine"].executions["ok"]
    history = [(h.what, h.state) for h in ex.history]
    assert ("TaskSucceeded", "generate") in history and ("TaskStateEntered", "upload") in history
    assert "$Param('uploadReport'" in str(ex.cause)  # the old directive, not the job
    execute(session, "fail generateReport")
    execute(session, "start-execution reportStateMachine '{}' --name bad")
    execute(session, "advance 1h")
    bad = session.sim.services["state_machines"]["reportStateMachine"].executions["bad"]
    assert (bad.status, bad.error) == ("FAILED", "States.TaskFailed")
    assert json.loads(str(bad.cause))["Status"] == "FAILED"
