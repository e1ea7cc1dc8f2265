"""`undo [N]`, `redo [N]` and `reload`: taking commands back gives exactly the simulation
those before them made (the trace, the clock, the ids to come), redoing gives back the one
undone, reloading runs the same commands on the edited files, and a refusal changes
nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
COMBINED = ROOT / "stptui" / "sample_stacks" / "combined"
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")
# Commands of every kind of stimulus the combined stack takes, and clock moves between them.
POOL = [
    'send jobQueue \'{"orderId": 1, "amount": 20}\'',
    'send jobQueue \'{"orderId": 2, "amount": 5000}\' --delay 30s',
    "publish eventBus orders OrderCreated '{\"orderId\": 3}'",
    "upload uploads 'incoming/a b.csv' --size 5",
    'http POST /webhooks/stripe \'{"id": "evt_1"}\'',
    "fire dailyReport",
    "fail worker rate 0.5",
    "advance 10s",
    "advance 7m",
    "step 3",
]


def state(session: Session) -> tuple[int, list[str], list[str]]:
    """What a user can see of a simulation: the clock, every trace record, and the ids the
    next commands will get."""
    sim = session.sim
    records = [r.to_line() for r in sim.trace.since(0)]
    return sim.clock.now, records, [sim.new_id() for _ in range(3)]


def opened(stack: Path = COMBINED, lines: list[str] = ()) -> Session:  # type: ignore[assignment]
    session = Session.open(stack, start_ms=T0)
    for line in lines:
        execute(session, line)
    return session


@settings(max_examples=25, deadline=None)
@given(
    lines=st.lists(st.sampled_from(POOL), min_size=1, max_size=8),
    data=st.data(),
)
def test_undo_gives_the_simulation_of_the_commands_before(lines: list[str], data) -> None:  # type: ignore[no-untyped-def]
    n = data.draw(st.integers(min_value=1, max_value=len(lines)), label="undo")
    session = opened(lines=lines)
    result = execute(session, f"undo {n}")
    assert result.data["undone"] == lines[len(lines) - n :]
    assert session.log == lines[: len(lines) - n]
    assert state(session) == state(opened(lines=lines[: len(lines) - n]))


@settings(max_examples=15, deadline=None)
@given(
    lines=st.lists(st.sampled_from(POOL), min_size=1, max_size=8),
    data=st.data(),
)
def test_redo_gives_back_the_simulation_undone(lines: list[str], data) -> None:  # type: ignore[no-untyped-def]
    n = data.draw(st.integers(min_value=1, max_value=len(lines)), label="undo")
    session = opened(lines=lines)
    execute(session, f"undo {n}")
    # Redone one at a time and the rest at once: the order is the order they first ran in.
    execute(session, "redo")
    if n > 1:
        execute(session, f"redo {n - 1}")
    assert session.log == lines
    assert state(session) == state(opened(lines=lines))


def test_a_new_command_ends_what_can_be_redone() -> None:
    session = opened(JOB_QUEUE, ["send jobQueue '{\"orderId\": 1}'", "advance 1m"])
    execute(session, "undo")
    execute(session, "send jobQueue '{\"orderId\": 2}'")
    with pytest.raises(CommandError, match="nothing to redo"):
        execute(session, "redo")


def test_the_undone_message_id_goes_to_the_next_message() -> None:
    session = opened(JOB_QUEUE)
    first = execute(session, "send jobQueue '{\"orderId\": 1}' --delay 1m").data["message_id"]
    result = execute(session, "undo")
    assert result.text.splitlines() == [
        "undid 1 command; now 2026-01-05T08:00:00.000Z",
        "  send jobQueue '{\"orderId\": 1}' --delay 1m",
    ]
    assert session.sim.queues["jobQueue"].depth == 0
    again = execute(session, "send jobQueue '{\"orderId\": 1}'").data["message_id"]
    assert again == first


def test_undo_refuses_what_it_cannot_do_and_changes_nothing(tmp_path: Path) -> None:
    session = opened(JOB_QUEUE)
    with pytest.raises(CommandError, match="nothing to undo: the simulation is as it was opened"):
        execute(session, "undo")
    execute(session, "send jobQueue '{\"orderId\": 1}'")
    execute(session, "advance 1m")
    before = state(opened(JOB_QUEUE, session.log))
    with pytest.raises(CommandError, match="only 2 commands to undo") as too_many:
        execute(session, "undo 3")
    assert too_many.value.hint == "undo 2 takes back the 2 commands"
    with pytest.raises(CommandError, match="undo N"):
        execute(session, "undo 0")
    execute(session, f"record {tmp_path / 'r.stp'}")
    with pytest.raises(CommandError, match="cannot undo while recording") as recording:
        execute(session, "undo")
    assert recording.value.hint == "record stop first"
    execute(session, "record stop")
    assert session.log == ["send jobQueue '{\"orderId\": 1}'", "advance 1m"]
    assert state(session) == before


def test_undo_refuses_when_the_stack_changed_on_disk(tmp_path: Path) -> None:
    stack = tmp_path / "stack"
    shutil.copytree(JOB_QUEUE, stack)
    session = opened(stack, ["send jobQueue '{\"orderId\": 1}'"])
    config = stack / "stacktape.yml"
    config.write_text(config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 5"))
    with pytest.raises(CommandError, match="changed since this session opened") as exc:
        execute(session, "undo")
    assert exc.value.hint == "reload first to run this session on the changed file, then undo"
    assert session.log == ["send jobQueue '{\"orderId\": 1}'"]
    assert session.sim.queues["jobQueue"].depth == 1


def test_undo_takes_back_the_commands_a_loaded_session_replayed(tmp_path: Path) -> None:
    saved = opened(JOB_QUEUE, ["send jobQueue '{\"orderId\": 1}'", "advance 5s"])
    saved.save(tmp_path / "run.json")
    session = opened(JOB_QUEUE)
    execute(session, f"load {tmp_path / 'run.json'}")
    execute(session, "undo")
    assert session.log == ["send jobQueue '{\"orderId\": 1}'"]
    assert state(session) == state(opened(JOB_QUEUE, ["send jobQueue '{\"orderId\": 1}'"]))


def test_a_script_run_with_a_trace_file_cannot_undo(tmp_path: Path) -> None:
    from stptui.cli import main

    script = tmp_path / "s.stp"
    script.write_text("send jobQueue '{}'\nundo\n", encoding="utf-8")
    code = main(["run", str(JOB_QUEUE), str(script), "--trace", str(tmp_path / "t.jsonl")])
    assert code == 2
    # The records written stay one timeline: the send's, and nothing undone.
    lines = (tmp_path / "t.jsonl").read_text("utf-8").splitlines()
    assert [line.split('"kind":"')[1].split('"')[0] for line in lines] == ["message.sent"]


def reloaded_copy(tmp_path: Path, lines: list[str]) -> tuple[Session, Path]:
    stack = tmp_path / "stack"
    shutil.copytree(JOB_QUEUE, stack)
    return opened(stack, lines), stack / "stacktape.yml"


def test_the_reload_example_in_the_docs_is_what_reload_prints(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "simulating.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- reload example: [^>]*-->\n```text\n(.*?)^```$", page, re.S | re.M)
    assert block is not None
    typed = [line[2:] for line in block[1].splitlines() if line.startswith("> ")]
    session, config = reloaded_copy(tmp_path, typed[:-1])
    config.write_text(config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 5"))
    printed = render_plain(execute(session, typed[-1]))
    assert printed.splitlines() == block[1].splitlines()[len(typed) :]


def test_reload_runs_the_same_commands_on_the_edited_stack(tmp_path: Path) -> None:
    lines = ['send jobQueue \'{"orderId": 2, "amount": 5000}\'', "advance 20m"]
    session, config = reloaded_copy(tmp_path, lines)
    assert session.sim.queues["deadLetterQueue"].depth == 1
    edited = config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 5")
    config.write_text(edited)
    result = execute(session, "reload")
    # The simulation is the one the edited stack gives, as a fresh session of it would be.
    fresh = Session.open(config.parent, start_ms=T0)
    for line in lines:
        execute(fresh, line)
    assert state(session) == state(fresh)
    assert session.sim.queues["deadLetterQueue"].depth == 0
    assert {"kind": "message.dead_lettered", "resource": "jobQueue", "before": 1, "after": 0} in (
        result.data["changed"]
    )
    # And undo works on the reloaded files.
    execute(session, "undo")
    assert session.log == lines[:1]


def test_reload_says_when_nothing_changed_and_lists_new_diagnostics(tmp_path: Path) -> None:
    session, config = reloaded_copy(tmp_path, ["send jobQueue '{}'", "advance 1m"])
    result = execute(session, "reload")
    assert "stacktape.yml unchanged, stptui.yml unchanged" in result.text
    assert result.text.splitlines()[-1] == (
        "the commands cause as many records of each kind as before"
    )
    config.write_text(
        config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 3\n        x: 1")
    )
    result = execute(session, "reload")
    assert "stacktape.yml changed" in result.text
    assert "new diagnostics:" in result.text
    assert "unknown property `x` in `redrivePolicy`" in result.text
    assert result.data["new_diagnostics"]


def test_a_command_the_edited_stack_refuses_stops_the_reload_and_changes_nothing(
    tmp_path: Path,
) -> None:
    session, config = reloaded_copy(tmp_path, ["send deadLetterQueue '{}'", "advance 1m"])
    before = state(opened(config.parent, session.log))
    original = config.read_text("utf-8")
    config.write_text(original.replace("deadLetterQueue", "failedJobs"))
    with pytest.raises(
        CommandError,
        match=r"cannot reload: command 1 \(.send deadLetterQueue '\{\}'.\) does not replay: no queue",
    ):
        execute(session, "reload")
    # A queue the behaviours file names, renamed: the behaviours no longer load.
    config.write_text(original.replace("jobQueue", "jobsQueue"))
    with pytest.raises(CommandError, match=r"cannot reload: .*stptui.yml has errors") as exc:
        execute(session, "reload")
    assert "jobQueue" in (exc.value.hint or "")
    config.write_text("resources: [")
    with pytest.raises(CommandError, match="cannot reload: cannot read the stack"):
        execute(session, "reload")
    assert session.log == ["send deadLetterQueue '{}'", "advance 1m"]
    assert state(session) == before


EXAMPLES = ROOT / "docs" / "examples"
# Documented scenarios, one per kind of state the commands change (WebSocket connections and
# their ids, executions and task tokens, Kafka offsets, archives and replays, user pool
# challenges, alarm states, Kinesis and DynamoDB records, DLQs, schedules), with commands of
# their own added where the script has none: (stack, behaviours file, script, extra lines).
SCENARIOS = {
    "chat": ("chat.yml", "chat-behaviors.yml", "chat.stp", ["ws-disconnect Ro9qGRMCRkecAoY="]),
    "callbacks": (
        "workflow-callback.yml",
        "workflow-callback-behaviors.yml",
        "workflow-callback.stp",
        ["send-task-failure big --error Rejected", "stop-execution small"],
    ),
    "kafka": ("kafka-orders.yml", None, "kafka-orders.stp", []),
    "replay": ("replay.yml", None, "replay.stp", ["cancel-replay billing-fix"]),
    "user-pool": ("user-pool.yml", "user-pool-behaviors.yml", "user-pool-custom.stp", []),
    "alarms": (
        "alarms.yml",
        "alarms-behaviors.yml",
        "alarms.stp",
        ["set-alarm-state shop-dev-SqsQueueNotEmptyForJobsDlq0 ALARM --reason test"],
    ),
    "kinesis": ("clickstream.yml", "clickstream-behaviors.yml", "clickstream.stp", []),
    "dynamodb": ("cart-audit.yml", "cart-audit-behaviors.yml", "cart-audit.stp", []),
    "load": (
        COMBINED,
        None,
        COMBINED / "demo.stp",
        [
            'repeat 5 --every 2s send jobQueue \'{"orderId": {i}, "amount": 20}\'',
            "cancel-repeat repeat-1",
            "pause dailyReport",
            "resume dailyReport",
            "purge deadLetterQueue",
            "redrive deadLetterQueue",
            "slow worker 3s",
            "succeed worker",
            "run",
        ],
    ),
}


def scenario(name: str) -> tuple[Session, list[str]]:
    """A fresh session of the scenario and the state-changing lines its script applies."""
    from stptui.commands.handlers import REGISTRY
    from stptui.commands.script import read_script

    stack, behaviors, script, extra = SCENARIOS[name]
    session = Session.open(
        EXAMPLES / stack,
        behaviors_path=None if behaviors is None else EXAMPLES / behaviors,
        start_ms=T0,
    )
    lines = [line for _, line in read_script(str(EXAMPLES / script))]
    changing = [line for line in lines if REGISTRY.commands[line.split()[0]].changes_state]
    return session, [*changing, *extra]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_any_mix_of_commands_undo_and_redo_is_the_simulation_of_its_log(name: str, data) -> None:  # type: ignore[no-untyped-def]
    """Commands in any order (some refused), undos and redos: after each, the simulation is
    the one a fresh session gets from the commands still applied, and a refused command
    changes nothing."""
    session, pool = scenario(name)
    applied: list[str] = []
    undone: list[str] = []
    for _ in range(data.draw(st.integers(1, 8), label="steps")):
        move = data.draw(st.sampled_from(["command", "command", "undo", "redo"]), label="move")
        if move == "undo" and applied:
            k = data.draw(st.integers(1, len(applied)), label="undo")
            execute(session, f"undo {k}")
            undone += reversed(applied[-k:])
            del applied[-k:]
        elif move == "redo" and undone:
            k = data.draw(st.integers(1, len(undone)), label="redo")
            execute(session, f"redo {k}")
            applied += undone[-k:][::-1]
            del undone[-k:]
        else:
            try:
                execute(session, data.draw(st.sampled_from(pool), label="line"))
            except CommandError:
                continue
            applied.append(session.log[-1])
            undone = []
        assert session.log == applied
    fresh, _ = scenario(name)
    for line in applied:
        execute(fresh, line)
    assert state(session) == state(fresh)


def test_undo_and_load_word_a_relative_behaviours_path_as_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runtime error quotes the behaviours file by its name (the trace does not depend on
    the folder: docs/fidelity.md, "Same trace on every Python"); the rebuilt simulation
    (undo, redo, load) must quote it alike, or its trace is not the one undone."""
    monkeypatch.chdir(ROOT)
    lines = ['http POST /jobs \'{"amount": "5000"}\'', "advance 3s"]
    behaviors = "docs/examples/runtime-errors-behaviors.yml"

    def opened_here() -> Session:
        session = Session.open("stptui/sample_stacks/job-queue", behaviors_path=behaviors)
        for line in lines:
            execute(session, line)
        return session

    session = opened_here()
    assert "(runtime-errors-behaviors.yml:8:39:" in session.sim.trace.records[3].to_line()
    before = state(opened_here())
    execute(session, "undo 2")
    execute(session, "redo 2")
    assert state(session) == before
    execute(session, f"save {tmp_path / 'run.json'}")
    other = Session.open("stptui/sample_stacks/job-queue")
    execute(other, f"load {tmp_path / 'run.json'}")
    assert state(other) == before


def test_reload_of_a_stack_named_relatively_lists_no_old_diagnostic_as_new(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    session = Session.open("docs/examples/alarms-typo.yml", default_behaviors=False)
    assert session.diagnostics
    result = execute(session, "reload")
    assert result.data["new_diagnostics"] == []


def test_a_start_execution_input_file_is_logged_as_its_text(tmp_path: Path) -> None:
    """`@FILE` is read once: undo, redo, reload and load replay what it held then, not what
    it holds now (it may be edited or gone)."""
    given = tmp_path / "order.json"
    given.write_text('{"orderId": "o-1", "amount": 120}', encoding="utf-8")
    answer = tmp_path / "answer.json"
    answer.write_text('{"trackingId": "T-1"}', encoding="utf-8")
    session = Session.open(
        EXAMPLES / "workflow-callback.yml",
        behaviors_path=EXAMPLES / "workflow-callback-behaviors.yml",
        start_ms=T0,
    )
    for line in [
        f"start-execution orderApproval @{given} --name small",
        f"repeat 2 --every 1s start-execution orderApproval @{given}",
        "advance 5m",
        f"send-task-success small @{answer}",
    ]:
        execute(session, line)
    assert session.log[0] == (
        'start-execution orderApproval \'{"orderId": "o-1", "amount": 120}\' --name small'
    )
    assert session.log[1] == (
        'repeat 2 --every 1s start-execution orderApproval \'{"orderId": "o-1", "amount": 120}\''
    )
    assert session.log[3] == 'send-task-success small \'{"trackingId": "T-1"}\''
    with pytest.raises(CommandError, match="cannot name a file per repetition"):
        execute(session, f"repeat 2 start-execution orderApproval @{tmp_path}/o-{{i}}.json")
    before = [r.to_line() for r in session.sim.trace.since(0)]
    given.write_text('{"orderId": "o-9", "amount": 99999}', encoding="utf-8")
    answer.unlink()
    execute(session, "undo 4")
    execute(session, "redo 4")
    assert [r.to_line() for r in session.sim.trace.since(0)] == before


def test_redo_refuses_once_the_live_clock_moved_the_simulation() -> None:
    """The TUI's live clock logs its lines without `execute`: redoing after it would apply
    the undone commands to another simulation than the one they were undone from."""
    from stptui.tui.live import LiveClock

    session = opened(JOB_QUEUE, ["send jobQueue '{\"orderId\": 1}'", "advance 10s"])
    execute(session, "undo")
    live = LiveClock(session, speed_index=3)
    live.running = True
    live.frame(0.05)
    live.running = False
    live.commit()
    assert session.log[-1].startswith("until ")
    with pytest.raises(CommandError, match="nothing to redo"):
        execute(session, "redo")
    assert session.log[0] == "send jobQueue '{\"orderId\": 1}'"


def test_undo_refuses_once_a_python_handler_was_edited_and_reload_names_it(
    tmp_path: Path,
) -> None:
    """A rebuild imports the handler modules again: undoing with an edited one would replay
    other handlers, so undo asks for a reload, which runs the edited code and names it."""
    stack = tmp_path / "stack"
    shutil.copytree(JOB_QUEUE, stack)
    (stack / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: counting:worker\n", encoding="utf-8"
    )
    module = stack / "counting.py"
    module.write_text(
        "CALLS = []\n\n\ndef worker(event, context):\n    CALLS.append(1)\n"
        "    if len(CALLS) % 2 == 0:\n        raise ValueError('every other call')\n",
        encoding="utf-8",
    )
    session = Session.open(stack, start_ms=T0, allow_code=True)
    lines = ["send jobQueue '{}'", "advance 10s", "send jobQueue '{}'", "advance 1m"]
    for line in lines:
        execute(session, line)
    # The module's globals of the run being undone do not leak into the replay.
    execute(session, "undo")
    execute(session, "redo")
    fresh = Session.open(stack, start_ms=T0, allow_code=True)
    for line in lines:
        execute(fresh, line)
    assert state(session) == state(fresh)
    module.write_text(module.read_text("utf-8").replace("% 2", "% 9"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"the handler module .*counting\.py changed") as exc:
        execute(session, "undo")
    assert exc.value.hint == "reload first to run this session on the changed file, then undo"
    result = execute(session, "reload")
    assert "stptui.yml unchanged, counting.py changed" in result.text
    assert {"kind": "invocation.failed", "resource": "worker", "before": 1, "after": 0} in (
        result.data["changed"]
    )
    execute(session, "undo")
    assert session.log == lines[:-1]


def test_reload_reads_a_behaviours_file_written_next_to_the_stack_since(tmp_path: Path) -> None:
    stack = tmp_path / "stack"
    shutil.copytree(JOB_QUEUE, stack)
    (stack / "stptui.yml").unlink()
    lines = ["send jobQueue '{}'", "advance 1m"]
    session = opened(stack, lines)
    assert session.behaviors_path is None
    (stack / "stptui.yml").write_text(
        'behaviors:\n  worker:\n    fail:\n      when: "`true`"\n', encoding="utf-8"
    )
    # Undo replays on the files as they were: still no behaviours file.
    execute(session, "undo")
    assert session.behaviors_path is None
    execute(session, "redo")
    result = execute(session, "reload")
    assert result.text.startswith("reloaded (stacktape.yml unchanged, stptui.yml found)")
    assert {"kind": "invocation.failed", "resource": "worker", "before": 0, "after": 1} in (
        result.data["changed"]
    )
    assert state(session) == state(opened(stack, lines))


def helper_stack(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    """The job-queue stack whose worker is a Python handler with three helpers from its folder:
    `pricing.py` and the package `rules/` imported with the handler module, and `limits.py`
    first imported while the handler runs (as Lambda allows: its task root is on sys.path)."""
    stack = tmp_path / "stack"
    shutil.copytree(JOB_QUEUE, stack)
    (stack / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: order_handlers:worker\n", encoding="utf-8"
    )
    (stack / "order_handlers.py").write_text(
        "import json\n\nfrom pricing import total\nfrom rules.check import allowed\n\n\n"
        "def worker(event, context):\n"
        "    from limits import LIMIT\n\n"
        "    for record in event['Records']:\n"
        "        order = json.loads(record['body'])\n"
        "        if not allowed(total(order), LIMIT):\n"
        "            raise ValueError('over the limit')\n",
        encoding="utf-8",
    )
    (stack / "rules").mkdir()
    (stack / "rules" / "__init__.py").write_text("", encoding="utf-8")
    files = {
        "pricing": stack / "pricing.py",
        "check": stack / "rules" / "check.py",
        "limits": stack / "limits.py",
    }
    files["pricing"].write_text("def total(order):\n    return order['amount']\n", "utf-8")
    files["check"].write_text("def allowed(total, limit):\n    return total <= limit\n", "utf-8")
    files["limits"].write_text("LIMIT = 1000\n", encoding="utf-8")
    return stack, files


@pytest.mark.parametrize("helper", ["pricing", "check", "limits"])
def test_an_edited_helper_module_of_a_python_handler_is_a_changed_input(
    tmp_path: Path, helper: str
) -> None:
    """The modules a handler module imports from its folder (at import, or first as the
    handler runs) decide what it does as much as it does: an edit to one refuses undo,
    and reload runs the edited code and names it."""
    stack, files = helper_stack(tmp_path)
    session = Session.open(stack, start_ms=T0, allow_code=True)
    lines = ["send jobQueue '{\"amount\": 20}'", "advance 1m"]
    for line in lines:
        execute(session, line)
    assert {path.name for path in session.code_sha256} == {
        "order_handlers.py",
        "pricing.py",
        "__init__.py",
        "check.py",
        "limits.py",
    }
    assert session.sim.trace.counts[("invocation.succeeded", "worker")] == 1
    assert session.changed_inputs() == []
    edits = {
        "pricing": ("order['amount']", "order['amount'] * 100"),
        "check": ("total <= limit", "total < 0"),
        "limits": ("1000", "10"),
    }
    path = files[helper]
    path.write_text(path.read_text("utf-8").replace(*edits[helper]), encoding="utf-8")
    assert session.changed_inputs() == [("handler module", path)]
    with pytest.raises(CommandError, match=rf"the handler module .*{path.name} changed") as exc:
        execute(session, "undo")
    assert exc.value.hint == "reload first to run this session on the changed file, then undo"
    assert session.log == lines
    result = execute(session, "reload")
    assert f"stptui.yml unchanged, {path.name} changed" in result.text
    assert {"kind": "invocation.failed", "resource": "worker", "before": 0, "after": 1} in (
        result.data["changed"]
    )
    assert session.changed_inputs() == []
    execute(session, "undo")
    assert session.log == lines[:-1]


def test_the_repl_toolbar_names_an_edited_helper_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from stptui.repl import toolbar as toolbar_module
    from stptui.repl.toolbar import Toolbar

    stack, files = helper_stack(tmp_path)
    session = Session.open(stack, start_ms=T0, allow_code=True)
    execute(session, "send jobQueue '{\"amount\": 20}'")
    execute(session, "advance 1m")
    bar = Toolbar(session)
    assert bar.changed_files() == []
    files["limits"].write_text("LIMIT = 10\n", encoding="utf-8")
    later = time.monotonic() + 5  # the toolbar looks at the files once a second at most
    monkeypatch.setattr(toolbar_module.time, "monotonic", lambda: later)
    assert ("class:toolbar.changed", " limits.py changed: reload ") in bar()


def test_the_helper_reload_example_in_the_docs_is_what_reload_prints(tmp_path: Path) -> None:
    page = (ROOT / "docs" / "simulating.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- helper reload example: [^>]*-->\n```text\n(.*?)^```$", page, re.S | re.M
    )
    assert block is not None
    typed = [line[2:] for line in block[1].splitlines() if line.startswith("> ")]
    stack, files = helper_stack(tmp_path)
    session = Session.open(stack, start_ms=T0, allow_code=True)
    for line in typed[:-1]:
        execute(session, line)
    files["limits"].write_text("LIMIT = 10\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        execute(session, "undo")
    refusal = re.search(r"```text\n(error: the handler module .*?)```", page, re.S)
    assert refusal is not None
    said, hint = refusal[1].splitlines()
    assert said == f"error: {exc.value.message}".replace(str(stack), "/work/stack")
    assert hint == f"    hint: {exc.value.hint}"
    printed = render_plain(execute(session, typed[-1]))
    assert printed.splitlines() == block[1].splitlines()[len(typed) :]
