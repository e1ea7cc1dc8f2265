"""Each container of a container workload is a process of its own: with --allow-code it
imports its behaviour's handler module afresh when its code first runs, whatever workload
or batch job imported the module before, so what the import prints is in its own stream and
its module globals are its own (docs/fidelity.md, "Cold starts")."""

from __future__ import annotations

from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim import trace as tk
from tests.simkit import START

PACKAGING = "packaging: {type: prebuilt-image, properties: {image: w}}"
STACK = f"""\
serviceName: shared
resources:
  jobs: {{type: sqs-queue}}
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {{type: stacktape-image-buildpack, properties: {{entryfilePath: j.py}}}}
      resources: {{cpu: 1, memory: 1024}}
  worker:
    type: worker-service
    properties:
      {PACKAGING}
      resources: {{cpu: 0.25, memory: 512}}
      connectTo: [jobs]
  pair:
    type: multi-container-workload
    properties:
      resources: {{cpu: 0.25, memory: 512}}
      connectTo: [jobs]
      containers:
        - name: a
          {PACKAGING}
        - name: b
          {PACKAGING}
"""
SHARED = """\
import os

print("imported by", os.environ.get("STP_CURRENT_ATTEMPT") and "a batch attempt" or "a container")
COUNT = 0


def job(event, context):
    return None


def work(message, context):
    global COUNT
    COUNT += 1
    print("count", COUNT)
"""


def open_session(tmp_path: Path, behaviors: str) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "shared.py").write_text(SHARED, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path / "stacktape.yml", start_ms=START, allow_code=True)


def stream_lines(s: Session, group: str) -> list[tuple[str, str]]:
    return [(e.stream, e.message) for e in s.sim.services["logs"].group(group).recent(100)]


def test_a_container_sharing_a_batch_jobs_module_writes_its_own_import_lines(
    tmp_path: Path,
) -> None:
    # The batch job's entry comes first: its check imported the module when the file was
    # read, and the worker's container wrote none of the module's import lines.
    s = open_session(
        tmp_path,
        "behaviors:\n"
        "  nightly: {handler: 'shared:job'}\n"
        "  worker: {poll: {queue: jobs}, handler: 'shared:work'}\n",
    )
    execute(s, "start-job nightly")
    execute(s, "run")
    execute(s, "send jobs one")
    execute(s, "send jobs two")
    execute(s, "advance 5s")
    worker = [m for _, m in stream_lines(s, "worker")]
    assert worker == ["imported by a container", "count 1", "count 2"]
    logs = [r.data for r in s.sim.trace.records if r.kind == tk.HANDLER_LOG]
    assert {"text": "imported by a container"} in logs
    # The batch attempt's container imported it too, with its own lines.
    assert next(m for _, m in stream_lines(s, "nightly")) == "imported by a batch attempt"


def test_each_container_of_a_workload_has_its_own_module_globals(tmp_path: Path) -> None:
    # Both containers of `pair` run the same module: each is a process of its own, so each
    # counts its own messages and writes the import line in its own stream (the second
    # container shared the first's globals and wrote no import line).
    s = open_session(
        tmp_path,
        "behaviors:\n"
        "  pair.a: {poll: {queue: jobs, maxMessages: 1}, handler: 'shared:work'}\n"
        "  pair.b: {poll: {queue: jobs, maxMessages: 1}, handler: 'shared:work'}\n",
    )
    for n in range(4):
        execute(s, f"send jobs m{n}")
    execute(s, "advance 10s")
    for container in ("pair.a", "pair.b"):
        lines = [m for _, m in stream_lines(s, container)]
        assert lines[0] == "imported by a container", container
        counts = [m for m in lines if m.startswith("count")]
        assert counts == [f"count {n}" for n in range(1, len(counts) + 1)], container
    handled = sum(
        1 for c in ("pair.a", "pair.b") for _, m in stream_lines(s, c) if m.startswith("count")
    )
    assert handled == 4


def test_an_import_that_fails_in_the_containers_process_fails_its_messages(
    tmp_path: Path,
) -> None:
    # The check when the file is read imports the module once; the container's own process
    # imports it again, and here that import raises: each message it takes fails so, as the
    # same exception from its handler would fail it.
    (tmp_path / "once.py").write_text(
        "from pathlib import Path\n\n"
        "MARK = Path(__file__).with_name('imported.txt')\n"
        "if MARK.exists():\n"
        "    raise RuntimeError('imported twice')\n"
        "MARK.write_text('x')\n\n\n"
        "def work(message, context):\n"
        "    return None\n",
        encoding="utf-8",
    )
    s = open_session(
        tmp_path, "behaviors:\n  worker: {poll: {queue: jobs}, handler: 'once:work'}\n"
    )
    execute(s, "send jobs one")
    execute(s, "advance 1s")
    (failed,) = [r.data for r in s.sim.trace.records if r.kind == tk.CONTAINER_MESSAGE_FAILED]
    assert (failed["error"], failed["error_message"]) == ("RuntimeError", "imported twice")


def test_a_pollers_handler_runs_without_lambdas_runtime(tmp_path: Path) -> None:
    # A message a worker's poller received is the container's code at work, as a request it
    # serves is: Python's own logging, and an exit fails the message with SystemExit (it was
    # Lambda's `[WARNING]\t...` line and `Runtime.ExitError` naming the task as a request).
    (tmp_path / "loud.py").write_text(
        "import logging\nimport sys\n\n\n"
        "def work(message, context):\n"
        "    logging.warning('careful')\n"
        "    if message['body'] == 'bad':\n"
        "        sys.exit(2)\n",
        encoding="utf-8",
    )
    s = open_session(
        tmp_path, "behaviors:\n  worker: {poll: {queue: jobs}, handler: 'loud:work'}\n"
    )
    execute(s, "send jobs ok")
    execute(s, "send jobs bad")
    execute(s, "advance 2s")
    logs = [r.data["text"] for r in s.sim.trace.records if r.kind == tk.HANDLER_LOG]
    assert logs[-2:] == ["WARNING:root:careful", "WARNING:root:careful"]
    (failed,) = [r.data for r in s.sim.trace.records if r.kind == tk.CONTAINER_MESSAGE_FAILED]
    assert (failed["error"], failed["error_message"]) == ("SystemExit", "2")
