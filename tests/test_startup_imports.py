"""Start-up cost: what opening a stack loads. A module that only one command's work needs is
imported when that work first happens, so `stptui repl` and `stptui run` start sooner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"

PROBE = f"""
import sys
from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.sim.clock import parse_instant
session = Session.open({str(COMBINED)!r}, start_ms=parse_instant("2026-01-05T08:00:00Z"))
print("email.utils" in sys.modules)
result = execute(session, "http GET /health")
print("email.utils" in sys.modules)
print(render_plain(result))
"""


def test_email_utils_loads_with_the_first_http_response_not_with_the_stack() -> None:
    # email.utils (with socket and calendar) only formats a response's Date header.
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out[:2] == ["False", "True"]
    assert "date: Mon, 05 Jan 2026 08:00:00 GMT" in out[2:]


# Step Functions' service model and interpreter, and DynamoDB's expression grammar: loaded by
# the stacks and commands that use them. pygments.lexers: the REPL's JSON highlighting.
DEFERRED = (
    "stptui.sim.services.state_machine",
    "stptui.sim.asl",
    "stptui.sim.asl_data",
    "stptui.sim.asl_jsonpath",
    "stptui.sim.asl_intrinsics",
    "stptui.sim.asl_jsonata",
    "jsonata",
    "stptui.sim.asl_integrations",
    "stptui.sim.asl_callbacks",
    "stptui.sim.asl_distributed",
    "stptui.sim.asl_jobs",
    "stptui.sim.asl_sdk",
    "stptui.sim.asl_targets",
    "stptui.sim.ddb_expressions",
    "pygments.lexers",
)

COMMANDS = (
    "show executions",
    "expect count sfn.execution.started == 0",
    """put-item analyticsDb '{"eventId": {"S": "e-1"}, "time": {"S": "2026-01-05T08:00:00Z"}}'""",
)
PLAIN_START = f"""
import sys
from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant
import stptui.repl.app, stptui.tui.app

session = Session.open({str(COMBINED)!r}, start_ms=parse_instant("2026-01-05T08:00:00Z"))
for line in {COMMANDS!r}:
    execute(session, line)
    print(" ".join(m for m in {DEFERRED!r} if m in sys.modules) or "-")
"""


def test_a_plain_start_loads_neither_step_functions_nor_dynamodb_expressions() -> None:
    # Opening (and so checking) a stack without a state machine, both front ends' modules,
    # `show executions` and an `expect` load none of them; the first write to a table loads
    # the expression grammar (its condition, if any, is checked before the item is read).
    out = subprocess.run(
        [sys.executable, "-c", PLAIN_START], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    assert out == ["-", "-", "stptui.sim.ddb_expressions"]


FROZEN = """
import gc, sys
from stptui.cli import main
code = main(sys.argv[1:])
print(code, gc.get_freeze_count() > 10_000, gc.isenabled())
"""


@pytest.mark.parametrize(
    ("argv", "frozen"),
    [
        (
            ["run", str(COMBINED), str(COMBINED / "demo.stp"), "--start", "2026-01-05T08:00:00Z"],
            True,
        ),
        (["validate", str(COMBINED)], False),
    ],
)
def test_a_command_that_opens_a_session_freezes_the_modules_it_imported(
    argv: list[str], frozen: bool
) -> None:
    # They live as long as the process: out of the cyclic collector, its collections do not
    # scan them again and again (a run's, a REPL's); the collector runs, as before.
    out = subprocess.run(
        [sys.executable, "-c", FROZEN, *argv], capture_output=True, text=True, cwd=ROOT
    ).stdout.splitlines()
    assert out[-1] == f"0 {frozen} True"


# The boto3 stand-in: loaded when a Python handler's module is imported under --allow-code,
# not when stptui starts or opens a stack whose handlers it does not run.
WITH_HANDLER = """
import sys
from pathlib import Path
from stptui.commands import Session
from stptui.sim.clock import parse_instant
import stptui.repl.app, stptui.tui.app

base = Path(sys.argv[1])
for allow_code in (False, True):
    Session.open(
        base / "stacktape.yml",
        behaviors_path=base / "stptui.yml",
        start_ms=parse_instant("2026-01-05T08:00:00Z"),
        allow_code=allow_code,
    )
    print("stptui.sim.behavior.boto3_standin" in sys.modules)
"""


def test_the_boto3_stand_in_loads_only_with_a_handler_that_runs(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "serviceName: s\nresources:\n  worker:\n    type: function\n    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.ts}}\n",
        encoding="utf-8",
    )
    (tmp_path / "stptui.yml").write_text(
        'behaviors:\n  worker: {handler: "work:run"}\n', encoding="utf-8"
    )
    (tmp_path / "work.py").write_text("def run(event, context):\n    return 1\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", WITH_HANDLER, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.splitlines()
    assert out == ["False", "True"]


GRAPH_WITH_ERRORS = """
import sys
from stptui.cli import main
code = main(sys.argv[1:])
print(code, "stptui.commands" in sys.modules, "stptui.sim.engine" in sys.modules)
"""


@pytest.mark.parametrize("command", ["graph", "validate"])
def test_the_errors_line_of_a_config_with_errors_loads_no_command(
    command: str, tmp_path: Path
) -> None:
    # The `stptui validate` line `graph` prints under a config with errors loaded the whole
    # command layer and the simulator for its --stage words: a third of a second, and more.
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  jobs: {type: sqs-queue, properties: {delaySeconds: lots}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", GRAPH_WITH_ERRORS, command, str(tmp_path), "--stage", "prod"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.stdout.splitlines()[-1] == (
        "0 False False" if command == "graph" else "1 False False"
    )
    if command == "graph":
        assert f"run `stptui validate {tmp_path} --stage prod`" in done.stderr
