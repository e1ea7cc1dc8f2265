"""A new user's first hour, audited again: one numbering of schedules wherever they are seen,
a `help` that fits the first screen, tables fitted to the terminal `stptui run` prints to,
stacks with nothing that runs saying what can be driven, hints that write the value meant,
and a REPL banner that fits 80 columns."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from session_checks import run_line

from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands.registry import TOPICS
from stptui.commands.result import make_console
from stptui.graph import build_graph
from stptui.repl.app import Repl
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")

# A function whose schedules are its second and fourth events: the graph counted them 1 and
# 3 (from 0, over all its events) where the commands counted 1 and 2.
SCHEDULED = """\
serviceName: sched
resources:
  jobs: {type: sqs-queue}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      events:
        - type: sqs
          properties: {sqsQueueName: jobs}
        - type: schedule
          properties: {scheduleRate: rate(1 hour)}
        - type: sqs
          properties: {sqsQueueName: jobs}
        - type: schedule
          properties: {scheduleRate: cron(0 9 * * ? *)}
"""


@pytest.fixture
def scheduled(tmp_path: Path) -> Session:
    path = tmp_path / "stacktape.yml"
    path.write_text(SCHEDULED)
    return Session.open(path, start_ms=T0)


# -- 1. one numbering of schedules -------------------------------------------------------------


def test_the_graph_numbers_schedules_as_show_schedules_does(scheduled: Session) -> None:
    g = build_graph(scheduled.stack)
    ids = sorted(n for n, kind in g.nodes(data="kind") if kind == "schedule")
    assert ids == ["schedule:worker:1", "schedule:worker:2"]
    shown = execute(scheduled, "show schedules").data
    assert [(d["id"], d["expression"]) for d in shown] == [
        ("schedule:worker:1", "rate(1 hour)"),
        ("schedule:worker:2", "cron(0 9 * * ? *)"),
    ]
    for d in shown:
        assert g.nodes[d["id"]]["label"] == d["expression"]


def test_fire_pause_and_resume_take_the_graph_node_id(scheduled: Session) -> None:
    fired = execute(scheduled, "fire schedule:worker:2")
    assert fired.data["rule"] == "sched-dev-worker-schedule-2"
    assert "cron(0 9 * * ? *)" in fired.text
    paused = execute(scheduled, "pause schedule:worker:1")
    assert [d["paused"] for d in execute(scheduled, "show schedules").data] == [True, False]
    assert "worker schedule 1 rate(1 hour): paused" in paused.text
    execute(scheduled, "resume schedule:worker:1")
    assert [d["paused"] for d in execute(scheduled, "show schedules").data] == [False, False]
    # The id and the number agree: saying both is allowed.
    assert execute(scheduled, "fire schedule:worker:1 1").data["rule"].endswith("-schedule-1")


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("fire schedule:worker:3", "worker has no schedule 3", "numbered 1 to 2"),
        ("fire schedule:worker:1 2", "is schedule 1 of worker, not schedule 2", None),
        ("pause schedule:worker", "not a schedule's id", "schedule:OWNER:N"),
        ("resume schedule:nobody:1", "no function or batch job named 'nobody'", None),
    ],
)
def test_a_wrong_node_id_is_refused_with_what_to_write(
    scheduled: Session, line: str, message: str, hint: str | None
) -> None:
    with pytest.raises(CommandError) as info:
        execute(scheduled, line)
    assert message in info.value.message
    if hint is not None:
        assert hint in (info.value.hint or "")
    assert run_line(scheduled, line) is None  # and nothing changed


def test_the_repl_validator_accepts_a_node_id(scheduled: Session) -> None:
    assert check(scheduled, "fire schedule:worker:2") is None
    assert check(scheduled, "fire schedule:nobody:2") is not None


# -- 2. `help` alone fits the first screen -----------------------------------------------------


def test_help_alone_fits_one_80_by_24_screen_in_the_repl() -> None:
    out = io.StringIO()
    stack = Path(__file__).resolve().parents[1] / "stptui/sample_stacks/job-queue/stacktape.yml"
    repl = Repl(
        Session.open(stack, start_ms=T0),
        console=make_console(file=out, width=80),
        history=InMemoryHistory(),
    )
    repl.run_line("help")
    lines = out.getvalue().splitlines()
    # The `> help` line above and the next prompt below it take the other two rows.
    assert len(lines) <= 22, lines
    assert all(len(line) <= 80 for line in lines)
    text = out.getvalue()
    for title in TOPICS.values():
        assert f"{title}:" in text
    assert "help all" in text and "help COMMAND" in text


def test_the_overview_names_the_first_commands_and_counts_the_rest(scheduled: Session) -> None:
    text = execute(scheduled, "help").text
    shown = {w for line in text.splitlines() if line.startswith("  ") for w in line.split()}
    for name in ("send", "publish", "invoke", "http", "upload", "advance", "show", "expect"):
        assert name in shown
    counted = sum(int(m) for m in re.findall(r"\.\.\. and (\d+) more", text))
    named = len([n for n in REGISTRY.commands if n in shown])
    assert named + counted == len(REGISTRY.commands)


def test_help_all_lists_every_command_with_its_summary(scheduled: Session) -> None:
    text = execute(scheduled, "help all").text
    for cmd in REGISTRY.commands.values():
        assert f"  {cmd.name}" in text
    assert execute(scheduled, "help all").text != execute(scheduled, "help").text


def test_the_repl_validator_accepts_help_all(scheduled: Session) -> None:
    assert check(scheduled, "help all") is None
    assert check(scheduled, "help alll") is not None


# -- 3. `stptui run` in a terminal fits its tables ---------------------------------------------

JOB_QUEUE = Path(__file__).resolve().parents[1] / "stptui/sample_stacks/job-queue/stacktape.yml"
LONG_BODY = 'send jobQueue \'{"id": 1, "payload": "' + "x" * 60 + "\"}'"


class Terminal(io.StringIO):
    """Standard output as a terminal."""

    def isatty(self) -> bool:
        return True


def ran(tmp_path: Path, out: io.StringIO) -> list[str]:
    from stptui.commands.script import ScriptOptions, run_from_files

    script = tmp_path / "s.stp"
    script.write_text(f"{LONG_BODY}\nshow queue jobQueue\nshow queues\n")
    code = run_from_files(
        ScriptOptions(stack=str(JOB_QUEUE), start_ms=T0, script=str(script)), out=out
    )
    assert code == 0
    return out.getvalue().splitlines()


def test_run_in_a_terminal_fits_its_tables_to_the_width(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines = ran(tmp_path, Terminal())
    # The echoed command line is the user's own; every line of output fits.
    assert all(len(line) <= 80 for line in lines if not line.startswith("> send")), lines
    assert "  body " + '{"id": 1' in "\n".join(lines)  # the message as a block of fields


def test_run_into_a_pipe_keeps_its_columns_whatever_the_width(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines = ran(tmp_path, io.StringIO())
    assert max(len(line) for line in lines) > 120  # a `show queue` row, as it always was
    assert any(line.startswith("message ") and "body" in line for line in lines)


# -- 4. a stack without handlers says what can be driven ---------------------------------------

POOL_AND_TABLE = """\
serviceName: idle
resources:
  users: {type: user-auth-pool}
  orders:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: id, type: string}}
"""


def test_a_pool_and_a_table_alone_name_the_commands_that_drive_them(tmp_path: Path) -> None:
    from stptui.commands.session import idle_note

    path = tmp_path / "stacktape.yml"
    path.write_text(POOL_AND_TABLE)
    session = Session.open(path, start_ms=T0)
    note = idle_note(session.stack) or ""
    assert "nothing in this stack runs" not in note
    assert "put-item (dynamo-db-table 'orders')" in note
    assert "sign-up (user-auth-pool 'users')" in note
    # And they do drive it.
    execute(session, "sign-up users ann@example.com")
    execute(session, 'put-item orders \'{"id": {"S": "1"}}\'')


# -- 5. hints that write the value meant -------------------------------------------------------


@pytest.fixture
def jobs() -> Session:
    return Session.open(JOB_QUEUE, start_ms=T0)


def test_a_delay_written_in_two_words_gets_the_line_with_one(jobs: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(jobs, "send jobQueue hi --delay 5 s --group g")
    assert info.value.hint == (
        "write the duration as one word: --delay 5s, as in `send jobQueue hi --delay 5s --group g`"
    )
    assert run_line(jobs, "send jobQueue hi --delay 5 s") is None
    # The line the hint writes runs (the group aside: jobQueue is no FIFO queue).
    assert execute(jobs, "send jobQueue hi --delay 5s").data is not None


@pytest.mark.parametrize(("key", "form"), [("times", "first"), ("next", "first"), ("if", "when")])
def test_a_rule_written_in_other_words_suggests_the_form_meant(
    tmp_path: Path, key: str, form: str
) -> None:
    from stptui.commands.session import SessionError

    value = '"body.x"' if form == "when" else "3"
    behaviors = tmp_path / "b.yml"
    behaviors.write_text(f"behaviors:\n  worker:\n    fail: {{{key}: {value}}}\n")
    with pytest.raises(SessionError) as info:
        Session.open(JOB_QUEUE, behaviors_path=behaviors, start_ms=T0)
    found = {d.code: d for d in info.value.diagnostics}
    assert f"did you mean '{form}'?" in found["behavior-unknown-key"].message
    assert (
        found["behavior-bad-rule"].hint == f"write fail: {{{form}: {value}}} ({key} is no key here)"
    )


def test_a_plain_json_item_gets_itself_back_in_dynamodb_json(tmp_path: Path) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(POOL_AND_TABLE)
    session = Session.open(path, start_ms=T0)
    line = 'put-item orders \'{"id": "1", "n": 2, "tags": ["a"], "ok": true}\''
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert info.value.message.startswith("ValidationException: Supplied AttributeValue is empty")
    meant = (
        'put-item orders \'{"id": {"S": "1"}, "n": {"N": "2"}, "tags": {"L": [{"S": "a"}]}, '
        '"ok": {"BOOL": true}}\''
    )
    assert info.value.hint == f"each value names its type in DynamoDB JSON: {meant}"
    # Placed at the item (a script's error named the line, not the column).
    located = info.value.located
    assert located is not None and located.start == len("put-item orders ")
    assert run_line(session, line) is None
    assert "INSERT item" in execute(session, meant).text
    with pytest.raises(CommandError) as info:
        execute(session, 'delete-item orders \'{"id": "1"}\'')
    assert (info.value.hint or "").endswith('delete-item orders \'{"id": {"S": "1"}}\'')


def test_an_update_in_plain_json_gets_its_key_and_values_back_in_dynamodb_json(
    tmp_path: Path,
) -> None:
    # put-item and delete-item had the line rewritten; update-item's key and --values
    # got only a generic example.
    path = tmp_path / "stacktape.yml"
    path.write_text(POOL_AND_TABLE)
    session = Session.open(path, start_ms=T0)
    execute(session, 'put-item orders \'{"id": {"S": "1"}}\'')
    typed_key = '\'{"id": {"S": "1"}}\''
    tail = "--update 'SET #s = :s' --names '{\"#s\": \"status\"}'"
    meant = f'update-item orders {typed_key} {tail} --values \'{{":s": {{"S": "PAID"}}}}\''
    for key in ('\'{"id": "1"}\'', typed_key):
        line = f'update-item orders {key} {tail} --values \'{{":s": "PAID"}}\''
        with pytest.raises(CommandError) as info:
            execute(session, line)
        assert info.value.message.startswith("ValidationException:")
        assert info.value.hint == f"each value names its type in DynamoDB JSON: {meant}"
    assert "MODIFY item" in execute(session, meant).text


@pytest.mark.parametrize(
    ("key_type", "plain", "meant"),
    [
        ("string", '{"id": 1}', '{"id": {"S": "1"}}'),
        ("number", '{"id": "7"}', '{"id": {"N": "7"}}'),
        # Not a number: written as what it is, and DynamoDB's refusal will say why.
        ("number", '{"id": "seven"}', '{"id": {"S": "seven"}}'),
    ],
)
def test_the_rewritten_key_has_the_type_the_table_declares(
    tmp_path: Path, key_type: str, plain: str, meant: str
) -> None:
    path = tmp_path / "stacktape.yml"
    path.write_text(POOL_AND_TABLE.replace("type: string", f"type: {key_type}"))
    session = Session.open(path, start_ms=T0)
    with pytest.raises(CommandError) as info:
        execute(session, f"put-item orders '{plain}'")
    assert (info.value.hint or "").endswith(f"put-item orders '{meant}'")
    if "seven" not in plain:
        # The line the hint writes is the one the table takes.
        assert "INSERT item" in execute(session, f"put-item orders '{meant}'").text


def test_an_expect_path_on_a_resource_without_figures_says_what_paths_name() -> None:
    stack = Path(__file__).resolve().parents[1] / "stptui/sample_stacks/scheduled-job"
    session = Session.open(stack, start_ms=T0)
    with pytest.raises(CommandError) as info:
        execute(session, "expect database.x == 1")
    hint = info.value.hint or ""
    assert "did you mean" not in hint
    assert hint.startswith("relational-database 'database' has no figures of its own in expect")
    assert (
        "queue, function, job, stream, table, state_machine, container, metric, count or time"
        in hint
    )
    # A kind misspelt still gets the path meant.
    with pytest.raises(CommandError) as info:
        execute(session, "expect fucntion.dailyReport.invocations == 1")
    assert (info.value.hint or "").startswith("did you mean function.dailyReport.invocations?")


# -- 6. the REPL banner fits 80 columns --------------------------------------------------------


def test_the_banner_names_the_file_in_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path.joinpath(*(["a-rather-long-folder-name"] * 6), "project")
    deep.mkdir(parents=True)
    (deep / "stacktape.yml").write_text(JOB_QUEUE.read_text())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = io.StringIO()
    Repl(
        Session.open(deep / "stacktape.yml", start_ms=T0),
        console=make_console(file=out, width=80),
        history=InMemoryHistory(),
    )._banner()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("stptui repl: job-queue-demo (/")
    assert "…" in lines[0] and lines[0].endswith("/project/stacktape.yml), 6 resources")
    assert lines[1] == "seed 0, start 2026-01-05T08:00:00.000Z"
    assert all(len(line) <= 80 for line in lines[:3])


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/home/ann/shop/stacktape.yml", "stacktape.yml"),
        ("/home/ann/shop/infra/stacktape.yml", "infra/stacktape.yml"),
        ("/home/ann/other/stacktape.yml", "~/other/stacktape.yml"),
        ("/srv/stacks/stacktape.yml", "/srv/stacks/stacktape.yml"),
        (
            "/srv/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/stacks/stacktape.yml",
            "/…/n/o/p/stacks/stacktape.yml",  # 29 of 30 characters
        ),
    ],
)
def test_a_path_is_shown_relative_home_relative_or_cut_in_the_middle(path: str, shown: str) -> None:
    from stptui.commands.session import shown_path

    home, cwd = Path("/home/ann"), Path("/home/ann/shop")
    assert shown_path(path, 30, cwd=cwd, home=home) == shown
