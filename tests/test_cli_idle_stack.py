"""A stack in which nothing runs on the simulator (no function, batch job, state machine or
container that takes HTTP requests: many real Stacktape configs are a worker, a database and a
frontend) says so where a newcomer
first looks: under the graph `stptui STACK` prints and in the REPL's first lines (the
terminal UI's notification: test_tui_idle_stack.py). Without it, a paused clock with nothing to drive reads as a broken tool."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from stptui.cli import main
from stptui.commands import Session
from stptui.commands.result import make_console
from stptui.commands.session import IDLE_NOTE_NAMES, idle_note, starter_note
from stptui.config import load_stack
from stptui.repl.app import Repl

ROOT = Path(__file__).resolve().parents[1]
IDLE = ROOT / "docs" / "examples" / "worker-and-database.yml"
CONTAINERS = ROOT / "docs" / "examples" / "containers.yml"
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = "2026-01-05T08:00:00Z"
NOTE = "nothing in this stack runs on the simulator"

WEB_AND_DATABASE = """\
resources:
  web:
    type: web-service
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/index.ts}}
      resources: {cpu: 0.25, memory: 512}
      connectTo: [db]
  db:
    type: relational-database
    properties:
      credentials: {masterUserPassword: secret}
      engine:
        type: postgres
        properties: {version: "16.3", primaryInstance: {instanceSize: db.t3.micro}}
"""

STATE_MACHINE_ONLY = """\
resources:
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Done
        States:
          Done: {Type: Pass, End: true}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stacktape.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_worker_and_its_database_run_nothing_and_the_note_names_the_worker() -> None:
    stack = load_stack(IDLE)
    assert not stack.errors
    assert idle_note(stack) == (
        "nothing in this stack runs on the simulator: it has no function, batch job, state "
        "machine or container that takes HTTP requests; containers are drawn, not run "
        "(worker-service 'worker')"
    )


@pytest.mark.parametrize(
    ("balancing", "runs"),
    [("", True), ("application-load-balancer", True), ("network-load-balancer", False)],
    ids=["http-api", "alb", "nlb"],
)
def test_a_web_service_runs_when_its_entry_takes_http_requests(
    balancing: str, runs: bool, tmp_path: Path
) -> None:
    text = WEB_AND_DATABASE
    if balancing:
        ports = ", properties: {ports: [{port: 8883}]}" if balancing.startswith("network") else ""
        text = text.replace(
            "      connectTo: [db]\n",
            f"      connectTo: [db]\n      loadBalancing: {{type: {balancing}{ports}}}\n",
        )
    stack = load_stack(write(tmp_path, text))
    assert not stack.errors
    assert (idle_note(stack) is None) is runs


def test_a_container_workload_behind_an_http_api_runs() -> None:
    assert idle_note(load_stack(CONTAINERS)) is None


@pytest.mark.parametrize(
    "stack",
    [JOB_QUEUE / "stacktape.yml", ROOT / "stptui" / "sample_stacks" / "batch-job"],
    ids=["functions", "batch-job"],
)
def test_a_stack_with_a_workload_gets_no_note(stack: Path) -> None:
    assert idle_note(load_stack(stack)) is None


def test_a_state_machine_alone_runs(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, STATE_MACHINE_ONLY))
    assert not stack.errors
    assert idle_note(stack) is None


def test_many_containers_are_counted_and_untrusted_names_escaped(tmp_path: Path) -> None:
    names = ["web\x1b[31m", *(f"svc{i}" for i in range(IDLE_NOTE_NAMES + 1))]
    lines = ["resources:"]
    for name in names:
        lines += [
            f'  "{name.encode("unicode_escape").decode()}":',
            "    type: worker-service",
            "    properties:",
            "      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: a.ts}}",
            "      resources: {cpu: 0.25, memory: 512}",
        ]
    stack = load_stack(write(tmp_path, "\n".join(lines) + "\n"))
    note = idle_note(stack)
    assert note is not None
    assert "\x1b" not in note and "'web\\x1b[31m'" in note
    assert note.endswith(f"worker-service 'svc1', {len(names) - IDLE_NOTE_NAMES} more)")


def test_stptui_stack_without_a_terminal_says_nothing_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(IDLE), "--no-tui"]) == 0
    out = capsys.readouterr().out
    graph, rest = out.split(f"\n\n{NOTE}", 1)
    assert graph.startswith("stack app-dev: ")
    # The note comes after the graph, before the commands to try, one blank line apart.
    assert rest.startswith(": it has no function") and "\n\nCommands:\n" in rest
    assert "\n\n\n" not in out
    assert main([str(JOB_QUEUE), "--no-tui"]) == 0
    assert NOTE not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("stack", "drive"),
    [
        (JOB_QUEUE, "drive it: send, http, advance, show, expect"),
        (ROOT / "docs" / "examples" / "pool-and-table.yml", "drive it: put-item, sign-up, advance"),
        (ROOT / "stptui" / "sample_stacks" / "scheduled-job", "drive it: invoke, advance"),
        # `invoke batchJob` is refused: a batch job is started with `start-job`.
        (ROOT / "stptui" / "sample_stacks" / "batch-job", "drive it: start-job, advance"),
        # An HTTP API's functions run from its routes, a state machine's from its executions.
        (ROOT / "docs" / "examples" / "http-auth.yml", "drive it: sign-up, http, advance"),
        (ROOT / "docs" / "examples" / "workflow.yml", "drive it: http, start-execution, advance"),
    ],
)
def test_the_repl_line_names_commands_this_stack_takes(
    capsys: pytest.CaptureFixture[str], stack: Path, drive: str
) -> None:
    # `send` on a stack with no queue would be the first thing a newcomer types, and refused.
    assert main([str(stack), "--no-tui"]) == 0
    commands = capsys.readouterr().out.split("\nCommands:\n", 1)[1]
    repl_what = commands.split("stptui repl ", 1)[1].splitlines()[1].strip()
    assert repl_what.startswith(drive)


def test_the_repl_banner_says_nothing_runs() -> None:
    session = Session.open(IDLE, start_ms=0)
    out = io.StringIO()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(file=out, width=200))
        inp.send_text("\x04")
        assert repl.run() == 0
    banner = out.getvalue().splitlines()
    assert banner[0].startswith("stptui repl: app (")
    assert any(line.startswith(NOTE) and "'worker'" in line for line in banner[:4])


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_mode_banner_says_nothing_runs_on_standard_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _Terminal()
    monkeypatch.setattr("sys.stdin", _Terminal("show queues\n"))
    monkeypatch.setattr("sys.stderr", err)
    assert main(["repl", str(IDLE), "--start", START]) == 0
    assert NOTE not in capsys.readouterr().out  # the transcript stays what `run` prints
    assert f"\n{NOTE}" in err.getvalue()


def test_a_stack_opened_without_behaviours_gets_the_init_line() -> None:
    stack = ROOT / "docs" / "examples" / "workflow.yml"
    session = Session.open(stack, start_ms=0)
    assert starter_note(session) == (
        "no behaviours file: every handler succeeds in 100 ms and returns null; "
        f"`stptui init {stack}` writes a starter stptui.yml beside the stack"
    )
    out = io.StringIO()
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        repl = Repl(session, console=make_console(file=out, width=300))
        inp.send_text("\x04")
        assert repl.run() == 0
    assert "no behaviours file" in out.getvalue()
    # A stack with its behaviours says nothing of the sort.
    assert starter_note(Session.open(JOB_QUEUE, start_ms=0)) is None


WORKER_AND_QUEUES = """\
resources:
  orders: {type: sqs-queue}
  audit: {type: sqs-queue}
  processor:
    type: worker-service
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/w.ts}}
      resources: {cpu: 0.25, memory: 512}
      connectTo: [orders, audit]
  reporter:
    type: worker-service
    properties:
      packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/r.ts}}
      resources: {cpu: 0.25, memory: 512}
"""


def test_a_worker_connected_to_a_queue_is_named_with_the_poll_item_that_runs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Containers are drawn, not run" sent a newcomer away from a worker one `poll` item
    # from running; the worker without a queue is still drawn only.
    path = write(tmp_path, WORKER_AND_QUEUES)
    stack = load_stack(path)
    assert not stack.errors
    note = idle_note(stack)
    assert note is not None
    assert note.endswith(
        "; worker-service 'processor' runs once its behaviours entry polls a queue it "
        "connects to: processor: {poll: {queue: orders}} (`stptui init` writes the entry "
        "with it commented out); other containers are drawn, not run "
        "(worker-service 'reporter')"
    )
    assert idle_note(stack, behaviors=tmp_path / "stptui.yml").endswith(  # type: ignore[union-attr]
        "processor: {poll: {queue: orders}} (add it in stptui.yml); other containers are "
        "drawn, not run (worker-service 'reporter')"
    )
    # Without a behaviours file, the command that writes one comes first.
    assert main([str(path), "--no-tui"]) == 0
    commands = capsys.readouterr().out.split("\nCommands:\n", 1)[1]
    assert commands.startswith(f"  stptui init {path}\n")
    # What init writes names the poll item the note promised; once it is uncommented the
    # stack runs and the note goes.
    assert main(["init", str(path)]) == 0
    written = (tmp_path / "stptui.yml").read_text(encoding="utf-8")
    assert "    #   - {queue: orders}\n" in written
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  processor:\n    poll: {queue: orders}\n", encoding="utf-8"
    )
    capsys.readouterr()
    assert main([str(path), "--no-tui"]) == 0
    out = capsys.readouterr().out
    assert "drawn, not run" not in out and "runs once" not in out
    assert "orders --polls(container service-container)--> processor" in out


def test_the_poll_item_of_the_note_shows_untrusted_names_escaped(tmp_path: Path) -> None:
    # YAML lets a bidi override through a double-quoted key: the item is made printable.
    stack = load_stack(
        write(
            tmp_path,
            WORKER_AND_QUEUES.replace("orders", '"q\\u202eq\\x1b[31m"').replace(
                "processor:", '"w\\u202e":'
            ),
        )
    )
    note = idle_note(stack)
    assert note is not None
    assert "\u202e" not in note and "\x1b" not in note
    assert '"w\\u202e": {poll: {queue: "q\\u202eq\\x1b[31m"}}' in note


_FUNCTION = """\
  {name}:
    type: function
    properties:
      packaging: {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: {name}.ts}}}}
"""

_MACHINE = """\
  flow:
    type: state-machine
    properties:
      definition:
        StartAt: Run
        States:
          Run:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters:
              FunctionName: $ResourceParam('step', 'arn')
            End: true
"""


def _drive_line(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    assert main([str(path), "--no-tui"]) == 0
    commands = capsys.readouterr().out.split("\nCommands:\n", 1)[1]
    return commands.split("stptui repl ", 1)[1].splitlines()[1].strip()


def test_the_repl_line_leaves_out_a_bucket_that_triggers_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # An upload to a bucket nothing listens to sets nothing off: the function that runs is
    # run by `invoke`.
    text = "resources:\n  files:\n    type: bucket\n" + _FUNCTION.format(name="report")
    assert _drive_line(capsys, write(tmp_path, text)).startswith("drive it: invoke, advance")


def test_the_repl_line_names_no_invoke_for_a_function_only_a_state_machine_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "resources:\n  files:\n    type: bucket\n" + _FUNCTION.format(name="step") + _MACHINE
    assert _drive_line(capsys, write(tmp_path, text)).startswith(
        "drive it: start-execution, advance"
    )


def test_the_repl_line_keeps_a_bucket_whose_uploads_run_a_function(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "resources:\n  files:\n    type: bucket\n"
        + _FUNCTION.format(name="report")
        + "      events:\n        - type: s3\n          properties:\n"
        "            bucketArn: $ResourceParam('files', 'arn')\n"
        "            s3EventType: 's3:ObjectCreated:*'\n"
    )
    assert _drive_line(capsys, write(tmp_path, text)).startswith("drive it: upload, advance")
