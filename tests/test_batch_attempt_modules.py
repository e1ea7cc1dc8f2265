"""Each attempt of a batch job runs in a new container: AWS Batch gives "each container
attempt" its own ECS task and log stream (AWS Batch API reference, AttemptContainerDetail:
`taskArn`, `logStreamName`), and a retry is another job run in another container. So with
--allow-code each attempt's process imports the handler module afresh, with the attempt's
environment: module globals start over, what the import prints is in every attempt's
stream, and an import that ends the process fails that attempt as the process's exit
(docs/python-handlers.md, "Each execution environment imports its handler afresh";
docs/fidelity.md, "Cold starts")."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from tests.simkit import START

STACK = """\
serviceName: jobs
resources:
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: j.py}}
      resources: {cpu: 1, memory: 1024}
      retryConfig: {attempts: 3, retryIntervalSeconds: 10}
"""
COUNTING = """
import os

print("import in attempt", os.environ.get("STP_CURRENT_ATTEMPT"))
RUNS = 0


def handle(event, context):
    global RUNS
    RUNS += 1
    print("runs", RUNS)
    raise SystemExit(1)
"""


def open_session(tmp_path: Path, code: str) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "j.py").write_text(textwrap.dedent(code), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        'behaviors:\n  nightly: {handler: "j:handle"}\n', encoding="utf-8"
    )
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def messages(s: Session) -> list[tuple[str, str]]:
    return [(e.stream, e.message) for e in s.sim.services["logs"].group("nightly").recent(100)]


def records(s: Session, kind: str) -> list[dict[str, Any]]:
    return [dict(r.data, t=r.t) for r in s.sim.trace.records if r.kind == kind]


def test_each_attempts_container_imports_the_module_afresh(tmp_path: Path) -> None:
    s = open_session(tmp_path, COUNTING)
    execute(s, "start-job nightly")
    execute(s, "run")
    assert len(records(s, tk.BATCH_ATTEMPT_FAILED)) == 3
    lines = messages(s)
    # Each container's process imported the module with its own attempt's environment, and
    # its global counted that attempt only.
    assert [m for _, m in lines] == [
        "import in attempt 1",
        "runs 1",
        "import in attempt 2",
        "runs 1",
        "import in attempt 3",
        "runs 1",
    ]
    streams = [stream for stream, _ in lines]
    assert streams[0] == streams[1] != streams[2] == streams[3] != streams[4]
    # The import's lines are the container's before the attempt's own, at its start.
    starts = [r["t"] for r in records(s, tk.BATCH_ATTEMPT_STARTED)]
    imports = [r for r in records(s, tk.HANDLER_LOG) if "execution_id" not in r]
    assert [(r["t"], r["text"]) for r in imports] == [
        (t, f"import in attempt {n}") for n, t in enumerate(starts, 1)
    ]


def test_an_import_that_exits_in_one_attempt_fails_that_attempt_only(tmp_path: Path) -> None:
    # The file is read with no attempt's variables (the check's import passes); the second
    # attempt's container exits as it imports the module, with status 3.
    code = """
    import os
    import sys

    if os.environ.get("STP_CURRENT_ATTEMPT") == "2":
        print("giving up")
        sys.exit(3)


    def handle(event, context):
        if os.environ["STP_CURRENT_ATTEMPT"] == "1":
            raise SystemExit(1)
        return "done"
    """
    s = open_session(tmp_path, code)
    execute(s, "start-job nightly")
    execute(s, "run")
    failed = records(s, tk.BATCH_ATTEMPT_FAILED)
    assert [f["error_message"] for f in failed] == [
        "Essential container in task exited (exitCode 1)",
        "Essential container in task exited (exitCode 3)",
    ]
    assert len(records(s, tk.BATCH_SUCCEEDED)) == 1
    assert "giving up" in [m for _, m in messages(s)]


def test_the_same_commands_give_the_same_trace(tmp_path: Path) -> None:
    def run(folder: Path) -> list[Any]:
        folder.mkdir()
        s = open_session(
            folder, COUNTING.replace("RUNS = 0", "import random\nRUNS = 0\nprint(random.random())")
        )
        execute(s, "start-job nightly")
        execute(s, "run")
        return [r.to_line() for r in s.sim.trace.records] + messages(s)

    assert run(tmp_path / "a") == run(tmp_path / "b")
