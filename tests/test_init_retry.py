"""A failed init is retried within the first invocation, as Lambda does: an on-demand
function's new execution environment whose init phase fails (its handler module exits or
raises as it is imported) writes `INIT_REPORT ... Phase: init ... Status: error`, and the
invocation runs the init again at once (a suppressed init: the module imported afresh);
if that fails too it writes `INIT_REPORT ... Phase: invoke ...` and the invocation fails
with the init's error, else the handler runs. Either way no second INIT_START, and REPORT
has no Init Duration, its Duration holding the retried init (docs/fidelity.md, "Cold
starts"; the lines of cargo-lambda/cargo-lambda#572 and of a python3.12 function, 2026)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from tests.simkit import START

STACK = """\
serviceName: retry
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      timeout: 5
"""
# Fails its second import only (the first is the check when the file is read): a cold
# start's init fails, and the retry within the invocation succeeds.
FLAKY = """
import pathlib
import sys

TRIES = pathlib.Path(__file__).with_name("tries.txt")
TRY = int(TRIES.read_text()) + 1 if TRIES.exists() else 0
TRIES.write_text(str(TRY))
print("import", TRY)
if TRY == 1:
    sys.exit(2)


def handler(event, context):
    print("handling")
    return TRY
"""
ALWAYS_EXITS = """
import sys

print("starting")
sys.exit(3)


def handler(event, context):
    return "never"
"""


def open_session(tmp_path: Path, code: str, extra: str = "") -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "w.py").write_text(textwrap.dedent(code), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        f'behaviors:\n  worker:\n    handler: "w:handler"\n{extra}', encoding="utf-8"
    )
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def invoke(s: Session, event: dict[str, Any] | None = None) -> dict[str, Any]:
    return execute(s, f"invoke worker '{json.dumps(event or {})}'").data


def stream(s: Session) -> list[tuple[int, str]]:
    return [(e.timestamp, e.message) for e in s.sim.services["logs"].group("worker").recent(200)]


def test_an_init_that_fails_once_is_retried_and_the_handler_runs(tmp_path: Path) -> None:
    s = open_session(tmp_path, FLAKY)
    data = invoke(s)
    # The module's third import (the check, the failed init, the retry) is the handler's.
    assert (data["status"], data["response"]) == ("success", 2)
    messages = [m for _, m in stream(s)]
    assert messages[0].startswith("INIT_START ")
    assert messages[1] == "import 1\n"
    report = [m for m in messages if m.startswith("INIT_REPORT ")]
    assert len(report) == 1  # a retried init that succeeds writes none
    assert report[0].endswith("\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n")
    # An exit is no exception the runtime catches: it logs no LAMBDA_WARNING for it.
    assert not any("LAMBDA_WARNING" in m for m in messages)
    after = messages[messages.index(report[0]) + 1 :]
    assert after[0] == "import 2\n"
    assert after[1].startswith("START RequestId: ")
    assert after[2].endswith("handling\n")
    assert after[-1].startswith("REPORT RequestId: ")
    # One INIT_START; REPORT names no Init Duration (the retry is in its Duration).
    assert sum(m.startswith("INIT_START ") for m in messages) == 1
    assert "Init Duration" not in after[-1]
    assert "Status" not in after[-1]
    # The environment is warm now: the next invocation runs the same module.
    assert invoke(s)["response"] == 2
    assert sum(m.startswith("import ") for _, m in stream(s)) == 2


def test_an_init_that_always_fails_is_tried_twice_in_the_first_invocation(
    tmp_path: Path,
) -> None:
    s = open_session(tmp_path, ALWAYS_EXITS)
    data = invoke(s)
    assert data["error"] == "Runtime.ExitError"
    assert data["error_message"].endswith("Error: Runtime exited with error: exit status 3")
    messages = [m for _, m in stream(s)]
    assert messages.count("starting\n") == 2
    inits = [m for m in messages if m.startswith("INIT_")]
    assert len(inits) == 3
    assert inits[0].startswith("INIT_START ")
    assert inits[1].endswith("\tPhase: init\tStatus: error\tError Type: Runtime.ExitError\n")
    assert inits[2].endswith("\tPhase: invoke\tStatus: error\tError Type: Runtime.ExitError\n")
    # Then START, END and REPORT, with the init's error, no Init Duration.
    tail = messages[messages.index(inits[2]) + 1 :]
    assert [m.split(" ")[0] for m in tail] == ["START", "END", "REPORT"]
    assert tail[2].endswith("\tStatus: error\tError Type: Runtime.ExitError\n")
    assert "Init Duration" not in tail[2]
    # The environment was reset: the next invocation's init (in its invoke phase) fails.
    assert invoke(s)["error"] == "Runtime.ExitError"
    messages = [m for _, m in stream(s)]
    assert messages.count("starting\n") == 3
    assert sum(m.startswith("INIT_START ") for m in messages) == 1


def test_the_retried_init_takes_its_time_within_the_invocations_timeout(tmp_path: Path) -> None:
    # Each init takes 300 ms: the handler starts 600 ms after the invocation, REPORT's
    # Duration holds the retry (300 ms) and the handler's, and the handler has 4.7 s left.
    code = FLAKY.replace(
        '    print("handling")', "    print(context.get_remaining_time_in_millis())"
    )
    s = open_session(tmp_path, code, "    initDuration: 300ms\n")
    data = invoke(s)
    assert data["status"] == "success"
    lines = stream(s)
    start = next(t for t, m in lines if m.startswith("START "))
    assert start == START + 600
    assert any(m.endswith("4700\n") for _, m in lines)
    report = next(m for _, m in lines if m.startswith("REPORT "))
    assert "\tDuration: 400.00 ms\tBilled Duration: 400 ms\t" in report  # the handler: 100 ms
    retried = next(t for t, m in lines if m == "import 2\n")
    assert retried == START + 300  # the retry begins when the failed init ends
    (done,) = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_SUCCEEDED]
    assert (done.get("init_ms"), done.get("suppressed_init_ms")) == (300, 300)
    # The trace stays in time order: the imports' records are at the invocation's instant.
    times = [r.t for r in s.sim.trace.records]
    assert times == sorted(times)
    imports = [r.t for r in s.sim.trace.records if r.kind == tk.HANDLER_LOG]
    assert imports[:2] == [START, START]


def test_a_retried_init_longer_than_the_timeout_times_the_invocation_out(
    tmp_path: Path,
) -> None:
    stack = STACK.replace("timeout: 5", "timeout: 1")
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "w.py").write_text(textwrap.dedent(ALWAYS_EXITS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        'behaviors:\n  worker:\n    handler: "w:handler"\n    initDuration: 2s\n',
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    data = invoke(s)
    assert data["error"] == "Sandbox.Timedout"
    # The failed init (2 s), then the retry cut off by the 1 s timeout, which Lambda reports
    # as Runtime.Unknown (lines published in 2024); REPORT's Duration is the timeout.
    lines = stream(s)
    reports = [m for _, m in lines if m.startswith("INIT_REPORT ")]
    assert len(reports) == 2 and "\tPhase: init\t" in reports[0]
    assert reports[1] == (
        "INIT_REPORT Init Duration: 1000.00 ms\tPhase: invoke\tStatus: error\t"
        "Error Type: Runtime.Unknown\n"
    )
    report = next(m for _, m in lines if m.startswith("REPORT "))
    assert "\tDuration: 1000.00 ms\t" in report and report.endswith("\tStatus: timeout\n")
    assert data["duration_ms"] == 3000  # the failed init, then the whole timeout


def test_explain_says_the_init_failed_and_was_retried(tmp_path: Path) -> None:
    s = open_session(tmp_path, FLAKY)
    inv = invoke(s)["invocation_id"]
    text = execute(s, f"explain {inv}").text
    assert (
        "whose init phase failed (Runtime.ExitError: its INIT_REPORT line says Phase: init)" in text
    )
    assert "Lambda ran the init again within the invocation" in text


def test_an_exception_at_a_cold_starts_import_is_retried_too(tmp_path: Path) -> None:
    code = FLAKY.replace("    sys.exit(2)", "    raise KeyError('PRICE_LIST_URL')")
    s = open_session(tmp_path, code)
    assert invoke(s)["response"] == 2
    messages = [m for _, m in stream(s)]
    assert any(m.startswith("[ERROR] KeyError: 'PRICE_LIST_URL'") for m in messages)
    assert any(m.endswith("\tPhase: init\tStatus: error\tError Type: KeyError\n") for m in messages)


def test_the_same_commands_give_the_same_trace(tmp_path: Path) -> None:
    def run(folder: Path) -> list[tuple[Any, ...]]:
        folder.mkdir()
        s = open_session(folder, ALWAYS_EXITS, "    initDuration: {min: 100ms, max: 900ms}\n")
        for _ in range(3):
            invoke(s)
        return [(r.t, r.kind, r.resource, r.get("text")) for r in s.sim.trace.records] + stream(s)

    assert run(tmp_path / "a") == run(tmp_path / "b")


def test_a_subscription_gets_both_inits_lines_with_the_invocations(tmp_path: Path) -> None:
    # The failed init's lines and the retry's are delivered with the invocation's own, when
    # it ends: a filter on INIT_REPORT matches both.
    alerter = (
        "  alerter:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      events:\n        - type: cloudwatch-log\n          properties:\n"
        "            logGroupArn: $ResourceParam('worker', 'logGroupArn')\n"
        "            filter: INIT_REPORT\n"
    )
    (tmp_path / "stacktape.yml").write_text(STACK + alerter, encoding="utf-8")
    (tmp_path / "w.py").write_text(textwrap.dedent(ALWAYS_EXITS), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        'behaviors:\n  worker: {handler: "w:handler"}\n', encoding="utf-8"
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    invoke(s)
    matched = [r.get("message") for r in s.sim.trace.records if r.kind == tk.LOG_MATCHED]
    assert [m.split("\t")[1] for m in matched] == ["Phase: init", "Phase: invoke"]


def test_without_a_log_group_the_init_is_retried_all_the_same(tmp_path: Path) -> None:
    stack = STACK.replace(
        "      timeout: 5\n", "      timeout: 5\n      logging: {disabled: true}\n"
    )
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "w.py").write_text(textwrap.dedent(FLAKY), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        'behaviors:\n  worker: {handler: "w:handler", initDuration: 200ms}\n', encoding="utf-8"
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    assert s.sim.functions["worker"].logs is None
    data = invoke(s)
    assert (data["status"], data["response"]) == ("success", 2)
    (done,) = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_SUCCEEDED]
    assert (done.get("init_ms"), done.get("suppressed_init_ms")) == (200, 200)
    assert invoke(s)["response"] == 2  # the environment is warm
