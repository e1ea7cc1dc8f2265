"""A Python handler that ends its runtime's process: Lambda's Python runtime (awslambdaric's
`handle_event_request`) catches only `Exception`, so a `SystemExit` (`sys.exit`, `exit()`),
a `KeyboardInterrupt`, another `BaseException` or `os._exit` ends the process; Lambda then
answers `Runtime.ExitError` ("Runtime exited with error: exit status N", "... signal:
interrupt", or "Runtime exited without providing a reason" for status 0), its REPORT line
ends `Status: error\tError Type: Runtime.ExitError` and the environment is reset: the next
invocation runs the init phase again. None of them ends stptui (docs/fidelity.md, "Cold
starts"; docs/python-handlers.md)."""

from __future__ import annotations

import builtins
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stptui.commands import Session, execute
from stptui.commands.session import SessionError
from stptui.sim import trace as tk
from tests.simkit import START

STACK = """\
serviceName: exits
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      timeout: 5
  job:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: w.py}}
      resources: {cpu: 1, memory: 1024}
      retryConfig: {attempts: 2, retryIntervalSeconds: 10}
"""
HANDLERS = '''
import os
import sys


class Odd(BaseException):
    pass


class Coded(SystemExit):
    """A SystemExit whose `code` property says otherwise: the interpreter exits with the
    code it was raised with."""

    @property
    def code(self):
        raise RuntimeError("code")


def handler(event, context):
    print("working")
    how = event["how"]
    if how == "sys.exit":
        sys.exit(*event.get("args", []))
    if how == "exit":
        exit(*event.get("args", []))
    if how == "os._exit":
        try:
            os._exit(event["status"])
        except BaseException:
            pass  # the process is gone: nothing the handler does after counts
        return "went on"
    if how in ("kill", "killpg", "raise_signal", "pthread_kill", "abort"):
        import signal
        import threading

        sig = getattr(signal, event.get("signal", "SIGABRT"))
        try:
            if how == "kill":
                os.kill(event.get("pid", os.getpid()), sig)
            elif how == "killpg":
                os.killpg(os.getpgrp(), sig)
            elif how == "raise_signal":
                signal.raise_signal(sig)
            elif how == "pthread_kill":
                signal.pthread_kill(threading.get_ident(), sig)
            else:
                os.abort()
        except Exception:
            pass  # the process is gone: nothing the handler does after counts
        return "went on"
    if how == "keyboard":
        raise KeyboardInterrupt("stop")
    if how == "odd":
        raise Odd("boom")
    if how == "coded":
        raise Coded(4)
    if how == "value":
        raise ValueError("bad")
    return "ok"
'''
REQUEST = "RequestId: {} Error: Runtime exited "


def open_session(tmp_path: Path, behaviors: str = "") -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "w.py").write_text(textwrap.dedent(HANDLERS), encoding="utf-8")
    text = behaviors or 'behaviors:\n  worker: {handler: "w:handler", initDuration: 200ms}\n'
    (tmp_path / "stptui.yml").write_text(text, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START, allow_code=True)


@pytest.fixture
def s(tmp_path: Path) -> Session:
    return open_session(tmp_path)


def invoke(s: Session, event: dict[str, Any]) -> dict[str, Any]:
    return execute(s, f"invoke worker '{json.dumps(event)}'").data


def _request_id(s: Session) -> str:
    """The request id of worker's one invocation, as its START line gives it."""
    start = next(line for line in worker_lines(s) if line.startswith("START "))
    return start.split(" ")[2]


def worker_lines(s: Session) -> list[str]:
    return [e.message for e in s.sim.services["logs"].group("worker").recent(100)]


@pytest.mark.parametrize(
    ("event", "reason", "printed"),
    [
        ({"how": "sys.exit"}, None, []),
        ({"how": "sys.exit", "args": [0]}, None, []),
        ({"how": "sys.exit", "args": [None]}, None, []),
        ({"how": "sys.exit", "args": [1]}, "with error: exit status 1", []),
        ({"how": "sys.exit", "args": [3]}, "with error: exit status 3", []),
        # The status is the code's low 8 bits: -1 is 255, 256 is 0.
        ({"how": "sys.exit", "args": [-1]}, "with error: exit status 255", []),
        ({"how": "sys.exit", "args": [256]}, None, []),
        ({"how": "sys.exit", "args": [True]}, "with error: exit status 1", []),
        # Anything else is printed to stderr, which Lambda logs, and exits 1.
        ({"how": "sys.exit", "args": ["no orders"]}, "with error: exit status 1", ["no orders"]),
        ({"how": "exit", "args": [2]}, "with error: exit status 2", []),
        ({"how": "exit"}, None, []),
        ({"how": "coded"}, "with error: exit status 4", []),
        ({"how": "os._exit", "status": 7}, "with error: exit status 7", []),
        ({"how": "os._exit", "status": 300}, "with error: exit status 44", []),
        ({"how": "os._exit", "status": 0}, None, []),
    ],
)
def test_an_exit_is_lambdas_runtime_exit_error(
    s: Session, event: dict[str, Any], reason: str | None, printed: list[str]
) -> None:
    data = invoke(s, event)
    message = REQUEST.format(_request_id(s)) + (reason or "without providing a reason")
    assert (data["error"], data["error_message"]) == ("Runtime.ExitError", message)
    # Lambda's own two-key error, not the runtime's four-key one (no stackTrace).
    assert data["response"] == {"errorMessage": message, "errorType": "Runtime.ExitError"}
    lines = worker_lines(s)
    # The handler's printed line and what the interpreter printed; no [ERROR] line: the
    # REPORT line names the error.
    assert lines[2:-2] == ["working\n", *[p + "\n" for p in printed]]
    assert lines[-1].endswith("\tStatus: error\tError Type: Runtime.ExitError\n")
    assert not any(line.startswith("[ERROR]") for line in lines)


def test_an_uncaught_keyboard_interrupt_ends_the_runtime_by_sigint(s: Session) -> None:
    data = invoke(s, {"how": "keyboard"})
    rid = _request_id(s)
    assert data["error_message"] == REQUEST.format(rid) + "with error: signal: interrupt"
    # Python prints the traceback (the handler's frames) before it ends itself with SIGINT.
    lines = worker_lines(s)[3:-2]
    assert lines[0] == "Traceback (most recent call last):\n"
    assert lines[1].startswith('  File "/var/task/w.py", line ') and "in handler" in lines[1]
    assert lines[-1] == "KeyboardInterrupt: stop\n"


def test_a_base_exception_subclass_exits_with_status_1_and_its_traceback(s: Session) -> None:
    data = invoke(s, {"how": "odd"})
    assert data["error_message"] == REQUEST.format(_request_id(s)) + "with error: exit status 1"
    lines = worker_lines(s)[3:-2]
    assert lines[0] == "Traceback (most recent call last):\n"
    assert lines[-1] == "w.Odd: boom\n"


def test_an_exit_resets_the_environment_and_an_exception_does_not(s: Session) -> None:
    # initDuration 200ms: the cold start's init; after the exit the environment inits again
    # within the next invocation (a suppressed init); a ValueError is the runtime's answer
    # and keeps the process, so the one after it is warm.
    invoke(s, {"how": "sys.exit", "args": [1]})
    again = invoke(s, {"how": "none"})
    assert again["response"] == "ok"
    invoke(s, {"how": "value"})
    warm = invoke(s, {"how": "none"})
    assert warm["response"] == "ok"
    ended = [
        r
        for r in s.sim.trace.records
        if r.kind in (tk.INVOCATION_FAILED, tk.INVOCATION_SUCCEEDED) and r.resource == "worker"
    ]
    assert [(r.get("error"), r.get("suppressed_init_ms")) for r in ended] == [
        ("Runtime.ExitError", None),
        (None, 200),
        ("ValueError", None),
        (None, None),
    ]


def test_a_handler_that_catches_os_exit_still_exited(s: Session) -> None:
    data = invoke(s, {"how": "os._exit", "status": 5})
    assert data["error"] == "Runtime.ExitError" and data.get("response") != "went on"


def test_no_exit_ends_stptui_and_the_process_is_as_it_was(s: Session) -> None:
    exit_fn, quit_fn, os_exit = builtins.exit, builtins.quit, os._exit
    stdin = sys.stdin
    for event in (
        {"how": "os._exit", "status": 9},
        {"how": "exit", "args": [1]},
        {"how": "keyboard"},
        {"how": "sys.exit"},
    ):
        assert invoke(s, event)["error"] == "Runtime.ExitError"
    # Still here; os._exit and site's exit() and quit() are back, and exit() (which closes
    # sys.stdin) did not close the REPL's input.
    assert (builtins.exit, builtins.quit, os._exit) == (exit_fn, quit_fn, os_exit)
    assert sys.stdin is stdin and not getattr(stdin, "closed", False)


def test_os_exit_at_import_fails_the_init_phase_not_stptui(tmp_path: Path) -> None:
    # The session opens, as Lambda deploys the function; each invocation's init phase ends
    # the runtime's process (tests/test_handler_environments.py has the lines).
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "m.py").write_text("import os\nos._exit(4)\n", encoding="utf-8")
    (tmp_path / "stptui.yml").write_text('behaviors:\n  worker: {handler: "m:handler"}\n')
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    data = invoke(s, {})
    assert (data["error"], data["error_message"]) == (
        "Runtime.ExitError",
        REQUEST.format(data["invocation_id"]) + "with error: exit status 4",
    )


def test_os_exit_at_import_of_a_batch_program_is_an_import_error(tmp_path: Path) -> None:
    # Not Lambda's runtime: the file is refused, as before.
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "m.py").write_text("import os\nos._exit(4)\n", encoding="utf-8")
    (tmp_path / "stptui.yml").write_text('behaviors:\n  job: {handler: "m:handler"}\n')
    with pytest.raises(SessionError) as info:
        Session.open(tmp_path, start_ms=START, allow_code=True)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.code == "behavior-handler-import"
    assert "os._exit(4) called (at /var/task/m.py, line 2)" in diagnostic.message


def _job_run(tmp_path: Path, event: dict[str, Any]) -> Session:
    s = open_session(tmp_path, 'behaviors:\n  job: {handler: "w:handler"}\n')
    execute(s, f"start-job job '{json.dumps(event)}'")
    execute(s, "advance 5m")
    return s


def _kinds(s: Session) -> list[str]:
    batch = (tk.BATCH_ATTEMPT_FAILED, tk.BATCH_SUCCEEDED, tk.BATCH_FAILED)
    return [r.kind for r in s.sim.trace.records if r.kind in batch]


@pytest.mark.parametrize(
    "event",
    [
        {"how": "sys.exit"},
        {"how": "sys.exit", "args": [0]},
        {"how": "exit", "args": [None]},
        {"how": "os._exit", "status": 0},
        {"how": "os._exit", "status": 256},  # its low 8 bits: 0
    ],
)
def test_a_batch_job_whose_program_exits_0_succeeds(tmp_path: Path, event: dict) -> None:
    # AWS Batch: "A non-zero exit code is considered failed"; a container that exits 0
    # succeeds, and Stacktape's state machine does not try again.
    s = _job_run(tmp_path, event)
    assert _kinds(s) == [tk.BATCH_SUCCEEDED]


@pytest.mark.parametrize(
    ("event", "status"),
    [
        ({"how": "sys.exit", "args": [3]}, 3),
        ({"how": "sys.exit", "args": ["giving up"]}, 1),
        ({"how": "os._exit", "status": 7}, 7),
        ({"how": "sys.exit", "args": [-1]}, 255),
        ({"how": "keyboard"}, 130),
        ({"how": "odd"}, 1),
        ({"how": "coded"}, 4),
    ],
)
def test_a_batch_job_whose_program_exits_non_zero_fails_the_attempt_and_is_retried(
    tmp_path: Path, event: dict, status: int
) -> None:
    s = _job_run(tmp_path, event)
    assert _kinds(s) == [tk.BATCH_ATTEMPT_FAILED, tk.BATCH_ATTEMPT_FAILED, tk.BATCH_FAILED]
    first = next(r for r in s.sim.trace.records if r.kind == tk.BATCH_ATTEMPT_FAILED)
    assert first.get("error") == "States.TaskFailed"
    expected = f"Essential container in task exited (exitCode {status})"
    assert first.get("error_message") == expected
    assert first.get("retry_at") is not None  # retryConfig's second attempt follows


def test_what_a_batch_program_prints_as_it_exits_is_in_its_log(tmp_path: Path) -> None:
    s = _job_run(tmp_path, {"how": "sys.exit", "args": ["giving up"]})
    lines = [r.get("text") for r in s.sim.trace.records if r.kind == tk.HANDLER_LOG]
    assert lines[:2] == ["working", "giving up"]


def test_an_exception_in_a_batch_program_keeps_its_name(tmp_path: Path) -> None:
    # An Exception is the program's own error, named as it was raised (its process would
    # exit 1): only an exit is reported in AWS Batch's words.
    s = _job_run(tmp_path, {"how": "value"})
    failed = [r for r in s.sim.trace.records if r.kind == tk.BATCH_ATTEMPT_FAILED]
    assert [r.get("error") for r in failed] == ["ValueError", "ValueError"]


# A handler that signals its own process: Lambda reports the runtime's end as Go words a
# process killed by a signal (`signal: killed`, `signal: segmentation fault (core dumped)`,
# awslabs/aws-lambda-cpp#30), and stptui's own process is never signalled.
@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ({"how": "kill", "signal": "SIGKILL"}, "signal: killed"),
        ({"how": "kill", "signal": "SIGTERM"}, "signal: terminated"),
        ({"how": "kill", "signal": "SIGHUP"}, "signal: hangup"),
        ({"how": "kill", "signal": "SIGUSR1"}, "signal: user defined signal 1"),
        ({"how": "kill", "signal": "SIGSEGV"}, "signal: segmentation fault (core dumped)"),
        ({"how": "kill", "signal": "SIGKILL", "pid": 0}, "signal: killed"),
        ({"how": "killpg", "signal": "SIGTERM"}, "signal: terminated"),
        ({"how": "raise_signal", "signal": "SIGQUIT"}, "signal: quit (core dumped)"),
        ({"how": "pthread_kill", "signal": "SIGKILL"}, "signal: killed"),
        ({"how": "abort"}, "signal: aborted (core dumped)"),
        # Python's own SIGINT handler raises KeyboardInterrupt, which ends the runtime.
        ({"how": "kill", "signal": "SIGINT"}, "signal: interrupt"),
    ],
)
def test_a_handler_that_signals_its_own_process_is_a_runtime_exit(
    s: Session, event: dict[str, Any], reason: str
) -> None:
    kill, abort = os.kill, os.abort
    data = invoke(s, event)
    message = REQUEST.format(_request_id(s)) + "with error: " + reason
    assert (data["error"], data["error_message"]) == ("Runtime.ExitError", message)
    assert worker_lines(s)[-1].endswith("\tStatus: error\tError Type: Runtime.ExitError\n")
    # Still here, and the process's own functions are back.
    assert (os.kill, os.abort) == (kill, abort)


@pytest.mark.parametrize("sig", ["SIGCHLD", "SIGWINCH", "SIGURG", "SIGCONT", "SIGPIPE"])
def test_a_signal_the_runtime_ignores_changes_nothing(s: Session, sig: str) -> None:
    # Their default action is to ignore them (SIGPIPE: Python ignores it at start-up).
    assert invoke(s, {"how": "kill", "signal": sig})["response"] == "went on"


def test_a_signal_to_another_process_is_sent(s: Session) -> None:
    # Signal 0 to a child of the handler's own: checked, as the handler's code asks.
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        event = {"how": "kill", "signal": "SIGTERM", "pid": child.pid}
        assert invoke(s, event)["response"] == "went on"
        assert child.wait(timeout=10) == -15
    finally:
        child.kill()


@pytest.mark.parametrize(
    ("event", "status"),
    [({"how": "kill", "signal": "SIGKILL"}, 137), ({"how": "abort"}, 134)],
)
def test_a_batch_program_ended_by_a_signal_exits_128_plus_its_number(
    tmp_path: Path, event: dict, status: int
) -> None:
    s = _job_run(tmp_path, event)
    first = next(r for r in s.sim.trace.records if r.kind == tk.BATCH_ATTEMPT_FAILED)
    assert first.get("error_message") == f"Essential container in task exited (exitCode {status})"


def test_exits_in_a_run_of_the_clock_are_runtime_exits_and_nothing_stays_after(
    s: Session,
) -> None:
    """Invocations a run of the clock makes (here a repeat's, in `advance`) keep the
    stand-ins in place from the run's first call to its end: each exit or signal is still
    the invocation's Runtime.ExitError, and after the run the process's own functions are
    back (a REPL that ran them exits normally)."""
    before = (os._exit, os.kill, os.killpg, os.abort, builtins.exit, builtins.quit)
    events = [
        {"how": "kill", "signal": "SIGKILL"},
        {"how": "os._exit", "status": 7},
        {"how": "none"},
        {"how": "abort"},
        {"how": "exit", "args": [2]},
    ]
    for event in events:
        execute(s, f"repeat 1 --every 1ms invoke worker '{json.dumps(event)}'")
    execute(s, "advance 10s")
    ended = [
        (r.kind, r.get("error_message", "").partition("Runtime exited ")[2])
        for r in s.sim.trace.records
        if r.kind in (tk.INVOCATION_FAILED, tk.INVOCATION_SUCCEEDED) and r.resource == "worker"
    ]
    assert sorted(ended) == sorted(
        [
            (tk.INVOCATION_FAILED, "with error: signal: killed"),
            (tk.INVOCATION_FAILED, "with error: exit status 7"),
            (tk.INVOCATION_SUCCEEDED, ""),
            (tk.INVOCATION_FAILED, "with error: signal: aborted (core dumped)"),
            (tk.INVOCATION_FAILED, "with error: exit status 2"),
        ]
    )
    assert (os._exit, os.kill, os.killpg, os.abort, builtins.exit, builtins.quit) == before


def test_between_a_runs_handler_calls_a_signal_is_sent_for_real() -> None:
    """While a run keeps the stand-ins in place, stptui's own code between handler calls
    (and the terminal UI's thread) signals for real: a front end's os.kill (Ctrl-Z's
    SIGTSTP, a SIGINT) reaches the process, as it does once the run is over."""
    import signal

    from stptui.sim.behavior.handler_exits import ProcessExit, ProcessExits, hosting

    got: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: got.append(signum))
    kill = os.kill
    try:
        with hosting():
            exits: list[int] = []
            sent = f"signal {int(signal.SIGUSR1)} sent"
            with ProcessExits(exits), pytest.raises(ProcessExit, match=sent):
                os.kill(os.getpid(), signal.SIGUSR1)  # in a call: the handler's end
            assert exits == [-signal.SIGUSR1] and got == []
            os.kill(os.getpid(), signal.SIGUSR1)  # between calls: sent
            signal.raise_signal(signal.SIGUSR1)
            assert got == [signal.SIGUSR1] * 2
        assert os.kill is kill
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_os_exit_between_a_runs_handler_calls_ends_the_process() -> None:
    """stptui's own os._exit (a front end's hard exit) between a run's handler calls ends
    the process with its status, as it would outside the run."""
    import subprocess

    code = (
        "import os\n"
        "from stptui.sim.behavior.handler_exits import ProcessExits, hosting\n"
        "with hosting():\n"
        "    with ProcessExits([]):\n"
        "        pass\n"
        "    os._exit(3)\n"
    )
    ended = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert ended.returncode == 3, ended.stderr
