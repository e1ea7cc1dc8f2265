"""Each execution environment of a function runs its own Python runtime: Lambda runs the
init phase (the handler module's top level) in every new environment, and again in one it
reset after a timeout or a runtime exit, so module globals live as long as their
environment and two environments never share them (docs/python-handlers.md, "Each execution
environment imports its handler afresh"; docs/fidelity.md, "Cold starts"). A module that
exits as it is imported fails the init phase, which Lambda retries within the invocation:
each invocation fails with Runtime.ExitError, its log stream holding Lambda's INIT_REPORT
lines (cargo-lambda/cargo-lambda#572); tests/test_init_retry.py has the retry."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from tests.simkit import START

STACK = """\
serviceName: envs
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      timeout: 5
  other:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
"""
HANDLERS = """
import os
import sys

print("init", os.environ["AWS_LAMBDA_FUNCTION_NAME"])
COUNT = 0


def handler(event, context):
    global COUNT
    COUNT += 1
    print("count", COUNT)
    if event.get("exit"):
        sys.exit(1)
    if event.get("sleep"):
        context.sleep(event["sleep"])
    return COUNT
"""
BEHAVIORS = """\
behaviors:
  worker: {handler: "w:handler"}
  other: {handler: "w:handler"}
"""


def open_session(tmp_path: Path, handlers: str = HANDLERS, behaviors: str = BEHAVIORS) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "w.py").write_text(textwrap.dedent(handlers), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def invoke(s: Session, event: dict[str, Any], function: str = "worker") -> dict[str, Any]:
    return execute(s, f"invoke {function} '{json.dumps(event)}'").data


def lines(s: Session, function: str = "worker") -> list[str]:
    return [e.message for e in s.sim.services["logs"].group(function).recent(200)]


def test_a_reset_environment_starts_with_fresh_module_globals(tmp_path: Path) -> None:
    s = open_session(tmp_path)
    assert [invoke(s, {})["response"] for _ in range(2)] == [1, 2]
    assert invoke(s, {"exit": True})["error"] == "Runtime.ExitError"
    # Lambda ran the init phase again in a new process: the count starts over.
    assert [invoke(s, {})["response"] for _ in range(2)] == [1, 2]


def test_a_timeout_resets_the_module_too(tmp_path: Path) -> None:
    s = open_session(tmp_path)
    assert invoke(s, {})["response"] == 1
    assert invoke(s, {"sleep": "10s"})["error"] == "Sandbox.Timedout"
    assert invoke(s, {})["response"] == 1


def test_an_error_the_handler_raises_keeps_the_environment(tmp_path: Path) -> None:
    s = open_session(
        tmp_path,
        HANDLERS.replace(
            "    return COUNT",
            "    if event.get('raise'):\n        raise ValueError('no')\n    return COUNT",
        ),
    )
    assert invoke(s, {})["response"] == 1
    assert invoke(s, {"raise": True})["error"] == "ValueError"
    assert invoke(s, {})["response"] == 3


def test_concurrent_environments_do_not_share_globals(tmp_path: Path) -> None:
    # Two events at once run in two environments, each with its own module: each counts 1.
    s = open_session(tmp_path)
    execute(s, 'invoke worker \'{"sleep": "1s"}\' --async')
    execute(s, 'invoke worker \'{"sleep": "1s"}\' --async')
    execute(s, "advance 5s")
    counts = [
        r.get("text")
        for r in s.sim.trace.records
        if r.kind == tk.HANDLER_LOG and r.resource == "worker" and r.get("invocation_id")
    ]
    assert counts == ["count 1", "count 1"]


def test_each_environment_runs_the_init_phase_with_its_own_function(tmp_path: Path) -> None:
    # Two functions sharing a module each import it in their own environments, with their
    # own environment variables, and write its lines in their own streams.
    s = open_session(tmp_path)
    assert invoke(s, {})["response"] == 1
    assert invoke(s, {}, "other")["response"] == 1
    assert invoke(s, {})["response"] == 2
    assert "init envs-dev-worker\n" in lines(s)
    assert "init envs-dev-other\n" in lines(s, "other")
    # The reset environment runs the init phase again: its lines are written again.
    invoke(s, {"exit": True})
    invoke(s, {})
    assert lines(s).count("init envs-dev-worker\n") == 2


def test_the_same_commands_give_the_same_trace(tmp_path: Path) -> None:
    def run(folder: Path) -> list[tuple[Any, ...]]:
        folder.mkdir()
        s = open_session(folder)
        for event in ({}, {"exit": True}, {}, {"sleep": "10s"}, {}):
            invoke(s, event)
        return [(r.t, r.kind, r.resource, r.get("text")) for r in s.sim.trace.records]

    assert run(tmp_path / "a") == run(tmp_path / "b")


EXITS_AT_IMPORT = """
import sys

print("starting")
sys.exit(3)


def handler(event, context):
    return "never"
"""


def test_a_module_that_exits_at_import_fails_each_invocation_in_its_init(
    tmp_path: Path,
) -> None:
    s = open_session(tmp_path, EXITS_AT_IMPORT, 'behaviors:\n  worker: {handler: "w:handler"}\n')
    # The stack opens, with a warning saying why each invocation will fail.
    (d,) = [d for d in s.diagnostics if d.code.startswith("behavior-")]
    assert (d.code, d.severity) == ("behavior-handler-init-exit", "warning")
    assert "(SystemExit: 3, at /var/task/w.py, line 5)" in d.message
    data = invoke(s, {})
    assert data["error"] == "Runtime.ExitError"
    assert data["error_message"].endswith("Error: Runtime exited with error: exit status 3")
    logged = lines(s)
    assert logged[0].startswith("INIT_START ")
    assert logged[1] == "starting\n"
    assert logged[2].startswith("INIT_REPORT Init Duration: ")
    assert logged[2].endswith("\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n")
    # Lambda retried the init within the invocation: a suppressed init that fails says so,
    # in the invoke phase.
    assert logged[3] == "starting\n"
    assert logged[4].endswith("\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError\n")
    assert logged[-1].endswith("\tStatus: error\tError Type: Runtime.ExitError\n")
    # The environment was reset: the next invocation inits again, and fails again.
    assert invoke(s, {})["error"] == "Runtime.ExitError"
    assert lines(s).count("starting\n") == 3
    again = [line for line in lines(s) if line.startswith("INIT_REPORT ")]
    assert again[2].endswith("\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError\n")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("import os\nos._exit(4)\n", "exit status 4"),
        ("raise SystemExit\n", None),
        ("class Odd(BaseException):\n    pass\nraise Odd('x')\n", "exit status 1"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "signal: killed"),
        # The module's own, not the user's Ctrl-C: the stack opens all the same.
        ("raise KeyboardInterrupt\n", "signal: interrupt"),
    ],
)
def test_every_way_out_of_the_init_phase_is_a_runtime_exit(
    tmp_path: Path, code: str, reason: str | None
) -> None:
    s = open_session(tmp_path, code, 'behaviors:\n  worker: {handler: "w:handler"}\n')
    message = invoke(s, {})["error_message"]
    if reason is None:
        assert message.endswith("Error: Runtime exited without providing a reason")
    else:
        assert message.endswith(f"Error: Runtime exited with error: {reason}")


def test_an_exception_only_one_functions_init_raises_fails_its_invocations(
    tmp_path: Path,
) -> None:
    # `worker` has the variable the module reads at import, `other` does not: the file is
    # fine (worker's import), and other's init phase fails as awslambdaric reports it.
    stack = STACK.replace(
        "      timeout: 5\n",
        "      timeout: 5\n      environment:\n        - {name: ONLY_WORKER, value: x}\n",
    )
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    code = 'import os\nprint("reading")\nNAME = os.environ["ONLY_WORKER"]\n\n\ndef handler(event, context):\n    return NAME\n'
    (tmp_path / "w.py").write_text(code, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    assert invoke(s, {})["response"] == "x"
    data = invoke(s, {}, "other")
    assert (data["error"], data["error_message"]) == ("KeyError", "'ONLY_WORKER'")
    logged = lines(s, "other")
    assert logged[1] == "reading\n"
    # The runtime's warning (a record of no request), then its error line (awslambdaric's
    # `run`; the lines of a python3.12 function of April 2026 have both).
    assert logged[2].startswith("[WARNING]\t2026-01-05T08:00:00.100Z\t\tLAMBDA_WARNING: ")
    assert logged[2].endswith("/lambda/latest/dg/runtimes-update.html\n")
    assert logged[3].startswith(
        "[ERROR] KeyError: 'ONLY_WORKER'\nTraceback (most recent call last):\n"
    )
    assert '  File "/var/task/w.py", line 3, in <module>\n' in logged[3]
    assert logged[4].endswith("\tPhase: init\tStatus: error\tError Type: KeyError\n")
    # Lambda retried it within the invocation, which failed with the retry's error.
    assert logged[5] == "reading\n"
    assert logged[6].startswith("[WARNING]\t") and "LAMBDA_WARNING" in logged[6]
    assert logged[8].endswith("\tPhase: invoke\tStatus: error\tError Type: KeyError\n")
    # The runtime exited after reporting it: the next invocation inits again.
    assert invoke(s, {}, "other")["error"] == "KeyError"
    assert lines(s, "other").count("reading\n") == 3


def test_a_modules_own_keyboard_interrupt_at_init_is_its_runtimes_end(tmp_path: Path) -> None:
    code = "import os\nif os.environ['AWS_LAMBDA_FUNCTION_NAME'].endswith('other'):\n    raise KeyboardInterrupt\n\n\ndef handler(event, context):\n    return 1\n"
    s = open_session(tmp_path, code)
    message = invoke(s, {}, "other")["error_message"]
    assert message.endswith("Error: Runtime exited with error: signal: interrupt")


def test_without_a_log_group_environments_keep_their_own_modules_all_the_same(
    tmp_path: Path,
) -> None:
    # With logging disabled stptui keeps the free environments itself: the same model.
    stack = STACK.replace(
        "      timeout: 5\n", "      timeout: 5\n      logging: {disabled: true}\n"
    )
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "w.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    assert s.sim.functions["worker"].logs is None
    execute(s, 'invoke worker \'{"sleep": "1s"}\' --async')
    execute(s, 'invoke worker \'{"sleep": "1s"}\' --async')
    execute(s, "advance 5s")
    assert [invoke(s, {})["response"] for _ in range(2)] == [2, 3]
    invoke(s, {"exit": True})
    assert invoke(s, {})["response"] == 1
