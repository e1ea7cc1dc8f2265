"""The REPL's reading of a command line, as pure functions: completion for every argument
kind (exact and fuzzy, from `Document`s), the word reader, the grammar walker, the
validator and the highlighting lexer. No prompt is involved (pgcli's habit)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pygments.token import Error, Keyword, Literal, Name, Number, String
from replkit import complete, completions, metas, tabbed

from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands.handlers import QUEUE_FIELDS, TRACE_KINDS
from stptui.repl import candidates as candidates_module
from stptui.repl.completer import candidates, context
from stptui.repl.grammar import OPTION, Walker
from stptui.repl.lexer import lexer_for
from stptui.repl.validator import check
from stptui.repl.words import one_line, read_words
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
START = parse_instant("2026-01-05T08:00:00Z")

STACK = """\
serviceName: repltest
resources:
  jobQueue:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: 30
      redrivePolicy: {targetSqsQueueName: deadLetterQueue, maxReceiveCount: 2}
  deadLetterQueue:
    type: sqs-queue
  otherQueue:
    type: sqs-queue
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.ts}}
      timeout: 5
      events:
        - type: sqs
          properties: {sqsQueueName: jobQueue, batchSize: 1}
  reportWriter:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


@pytest.fixture(scope="module")
def combined() -> Session:
    return Session.open(ROOT / "stptui/sample_stacks/combined", start_ms=START)


# -- command names, options ------------------------------------------------------------------


def test_command_names_come_from_the_registry_with_their_summary(session: Session) -> None:
    assert complete(session, "") == list(REGISTRY.commands)
    assert metas(session, "sen")["send"] == REGISTRY.commands["send"].summary
    assert complete(session, "re")[:8] == [
        "redrive",
        "redrive-execution",
        "resume",
        "replay",
        "restore",
        "revoke-token",
        "repeat",
        "record",
    ]


def test_a_command_name_fuzzy(session: Session) -> None:
    # No command starts with `rdv`; `redrive` holds r..d..v in order.
    assert "redrive" in complete(session, "rdv")
    # Exact prefix matches are listed first, in the registry's order, then fuzzy ones.
    found = complete(session, "su")
    exact = [name for name in REGISTRY.commands if name.startswith("su")]
    assert exact and found[: len(exact)] == exact
    # A fuzzy command name starts where the name or one of its parts starts: `success`.
    assert "send-task-success" in found[len(exact) :]
    assert "resume" not in found  # r-e-s-u-m-e holds s..u, mid-word


@pytest.mark.parametrize(
    ("typed", "offered"),
    [
        ("ls", []),
        ("tail", []),
        ("info", []),
        ("now", []),
        ("adv", ["advance"]),
        (
            "snd",
            ["send", "send-task-success", "send-task-failure", "send-task-heartbeat", "ws-send"],
        ),
        ("pubsns", ["publish-sns"]),
    ],
)
def test_a_word_from_another_tool_is_offered_no_far_fetched_command(
    session: Session, typed: str, offered: list[str]
) -> None:
    """While a command name is typed, the menu offers only commands it names closely: a
    word from another tool (`ls`, `tail`) offered `global-sign-out` and `send-task-failure`
    there, which Tab typed; the check before Enter says what to type instead."""
    assert complete(session, typed) == offered


def test_options_with_their_help_and_values_by_kind(session: Session) -> None:
    assert complete(session, "send jobQueue x --") == ["--delay", "--group", "--dedup-id", "--attr"]
    assert "keep the message invisible" in metas(session, "send jobQueue x --de")["--delay"]
    # An option already given is not offered again; a repeatable one is.
    assert complete(session, "send jobQueue x --delay 5s --attr a=1 --") == [
        "--group",
        "--dedup-id",
        "--attr",
    ]
    assert complete(session, "redrive deadLetterQueue --to ") == [
        "deadLetterQueue",
        "jobQueue",
        "otherQueue",
    ]
    # Units first (exact), then the examples that hold a 3 (fuzzy).
    assert complete(session, "run --max 3") == ["3ms", "3s", "3m", "3h", "3d", "30s"]
    assert complete(session, "send jobQueue x --delay=1") == ["1ms", "1s", "1m", "1h", "1d"]


def test_an_option_that_takes_fixed_words_offers_them(combined: Session) -> None:
    # `--op` and `--tier` offered nothing, though their help lists the words they take.
    assert complete(combined, "upload uploads a.csv --op ") == ["put", "post", "copy", "multipart"]
    assert complete(combined, "upload uploads a.csv --op=mu") == ["multipart"]
    assert complete(combined, "restore uploads a.csv --tier ") == ["Expedited", "Standard", "Bulk"]
    # A word it does not take is refused by the command, in its own words.
    assert check(combined, "upload uploads a.csv --op bogus --size 1", final=False) is None
    with pytest.raises(CommandError, match="unknown upload operation 'bogus'"):
        execute(combined, "upload uploads a.csv --op bogus")


def test_options_are_offered_once_the_arguments_are_given(session: Session) -> None:
    assert complete(session, "run ") == ["--max"]
    assert complete(session, "send ") == ["deadLetterQueue", "jobQueue", "otherQueue"]


# -- argument kinds --------------------------------------------------------------------------


def test_queue_kind_offers_queues_only(session: Session) -> None:
    assert complete(session, "send ") == ["deadLetterQueue", "jobQueue", "otherQueue"]
    assert complete(session, "purge job") == ["jobQueue"]
    assert metas(session, "send job")["jobQueue"] == "sqs-queue: 0 visible, 0 in flight"


def test_queue_kind_fuzzy(session: Session) -> None:
    assert complete(session, "send dlq") == ["deadLetterQueue"]
    assert complete(session, "send jq") == ["jobQueue"]


def test_dlq_kind_offers_dead_letter_queues(session: Session) -> None:
    assert complete(session, "redrive ") == ["deadLetterQueue"]


def test_function_kind_offers_functions_only(session: Session) -> None:
    assert complete(session, "fail ") == ["reportWriter", "worker"]
    assert complete(session, "invoke wor") == ["worker"]
    # Fuzzy: r..w matches reportWriter only.
    assert complete(session, "slow rw") == ["reportWriter"]
    assert metas(session, "succeed w")["worker"] == "function: 0 invocations, 0 failed"


def test_choices_of_an_argument(session: Session) -> None:
    assert complete(session, "fail worker ") == ["always", "next", "rate", "when"]
    assert complete(session, "fail worker ne") == ["next"]
    assert "queues" in complete(session, "show ") and "agenda" in complete(session, "show ")


def test_show_offers_the_views_the_stack_has_something_for() -> None:
    # `show ` offered all 34 views on every stack: kafka-topics, tables, users, streams ...
    # on a stack of one scheduled function and a database.
    s = Session.open(ROOT / "stptui/sample_stacks/scheduled-job", start_ms=START)
    assert complete(s, "show ") == [
        "functions",
        "function",
        "agenda",
        "graph",
        "event",
        "trace",
        "schedules",
        "logs",
        "metrics",
    ]
    # A view typed that the stack has nothing for, where no view it has starts so, is
    # still offered, with why it would be empty.
    none = "this stack has no Kinesis streams"
    assert metas(s, "show str") == {"stream": none, "streams": none}
    assert metas(s, "show Q") == {
        "queues": "this stack has no SQS queues",
        "queue": "this stack has no SQS queues",
    }
    # Where a view it has starts so, the others are not offered.
    assert complete(s, "show s")[0] == "schedules"
    assert "stream" not in complete(s, "show s")
    # `show` itself answers every view, as before.
    assert execute(s, "show streams").text == "this stack has no kinesis-stream"


def test_show_offers_a_view_once_the_reloaded_stack_has_its_resources(
    session: Session, tmp_path: Path
) -> None:
    # The views offered are the present stack's: a reload that adds a table adds its views.
    assert "tables" not in complete(session, "show ")
    stack = tmp_path / "stacktape.yml"
    table = "  carts:\n    type: dynamo-db-table\n    properties:\n"
    table += "      primaryKey: {partitionKey: {name: id, type: string}}\n"
    stack.write_text(STACK + table)
    execute(session, "reload")
    assert [v for v in complete(session, "show ") if v.startswith("tab")] == ["table", "tables"]


def test_a_kind_that_depends_on_the_previous_word(session: Session) -> None:
    assert complete(session, "show queue ") == ["deadLetterQueue", "jobQueue", "otherQueue"]
    assert complete(session, "show queues ") == []


def test_message_ids_come_from_the_trace_newest_first(session: Session) -> None:
    first = execute(session, "send jobQueue one").data["message_id"]
    second = execute(session, "send otherQueue two").data["message_id"]
    # The references that name an id by how it came about follow the ids.
    assert complete(session, "show message ") == [second, first, "$last", "$newest:"]
    assert complete(session, f"show message {first[:6]}") == [first]
    assert metas(session, "show message ")[second] == "message in otherQueue, visible"
    execute(session, "purge otherQueue")
    assert metas(session, "show message ")[second] == "message (no longer in a queue)"


def test_command_kind(session: Session) -> None:
    # Exact matches first (send, then the longer names it starts, in the registry's order),
    # then fuzzy ones (s..e..n: stop-execution, start-execution, ws-send, answer-challenge,
    # admin-user-global-sign-out).
    assert complete(session, "help sen") == [
        "send",
        "send-task-success",
        "send-task-failure",
        "send-task-heartbeat",
        "stop-execution",
        "start-execution",
        "ws-send",
        "answer-challenge",
        "admin-user-global-sign-out",
    ]
    assert metas(session, "help ad")["advance"] == REGISTRY.commands["advance"].summary


def test_expect_paths_trace_kinds_and_operators(session: Session) -> None:
    paths = complete(session, "expect ")
    assert [f"queue.jobQueue.{f}" for f in QUEUE_FIELDS] == [
        p for p in paths if p.startswith("queue.jobQueue.")
    ]
    assert "function.worker.failures" in paths and paths[-2:] == ["count", "time"]
    # Fuzzy over the dotted path: d..l..q..d..e..p
    assert complete(session, "expect dlqdep") == ["queue.deadLetterQueue.depth"]
    assert metas(session, "expect queue.jobQueue.dep")["queue.jobQueue.depth"] == "now 0"
    assert complete(session, "expect count ") == list(TRACE_KINDS)
    assert complete(session, "expect count message.dead")[0] == "message.dead_lettered"
    assert complete(session, "expect queue.jobQueue.depth ") == ["==", "!=", "<", "<=", ">", ">="]
    assert complete(session, "expect count message.sent jobQueue ") == [
        "message_id=",
        "source=",
        "group=",
        "dedup_id=",
        "delay_ms=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
    ]


def test_expect_paths_of_a_stack_with_a_batch_job_show_its_figures(combined: Session) -> None:
    # Tab after `expect` on a stack with a batch job used to raise from the completer.
    paths = metas(combined, "expect ")
    assert paths["job.heavyJob.submitted"] == "now 0"
    assert paths["function.worker.invocations"] == "now 0"
    assert metas(combined, "expect job.heavyJob.att")["job.heavyJob.attempts"] == "now 0"


def test_the_menu_describes_only_the_values_it_draws(
    combined: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A metric path's help line is its value now, a replay of the trace's figures. Every
    # path was described at each key press, drawn or not: on a stack of 100 resources,
    # `expect metric.` (2,661 paths) took 0.3 s.
    from stptui.repl import candidates as module

    described: list[str] = []
    real = module.statistic

    def counted(sim: object, path: str) -> object:
        described.append(path)
        return real(sim, path)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "statistic", counted)
    offers = completions(combined, "expect metric.")
    assert len(offers) > 100
    assert described == []
    assert offers[0].display_meta_text == "now 0"
    assert offers[0].display_meta_text == "now 0"
    assert described == [offers[0].text]


def test_show_metrics_tells_a_rule_and_a_schedule_by_what_they_belong_to(
    combined: Session,
) -> None:
    # A rule's AWS name said only the argument's help ("the queue, bus, bucket, ...").
    offered = metas(combined, "show metrics background-jobs-demo-dev-")
    assert offered["background-jobs-demo-dev-emailService-event-bus-1"] == (
        "rule on eventBus, targets emailService"
    )
    assert offered["background-jobs-demo-dev-dailyReport-schedule-1"] == (
        "schedule rule of dailyReport"
    )
    assert metas(combined, "show metrics ")["jobQueue"] == "sqs-queue"


def test_duration_kind_offers_units(session: Session) -> None:
    assert complete(session, "advance ") == ["30s", "5m", "1h", "1d"]
    assert complete(session, "advance 90") == ["90ms", "90s", "90m", "90h", "90d"]
    assert complete(session, "advance 2h30") == ["2h30ms", "2h30s", "2h30m", "2h30h", "2h30d"]
    assert metas(session, "slow worker 2")["2s"] == "seconds"


def test_instant_kind_offers_now_and_the_next_event(session: Session) -> None:
    assert complete(session, "until ") == ["2026-01-05T08:00:00.000Z"]
    execute(session, "send jobQueue x --delay 90s")
    assert complete(session, "until ") == ["2026-01-05T08:00:00.000Z", "2026-01-05T08:01:30.000Z"]


def test_file_kind_offers_paths_and_fixed_words(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    execute(session, "save runs/incident.json")
    (tmp_path / "tour.stp").write_text("")
    # Each replaces the word typed, a directory's name with a `/`, as the TUI's command line.
    assert complete(session, "save runs/") == ["runs/incident.json"]
    assert complete(session, "load runs/inc") == ["runs/incident.json"]
    assert complete(session, "source ") == ["runs/", "stacktape.yml", "tour.stp"]
    assert complete(session, "record ")[0] == "stop"


def test_load_offers_the_session_files_save_wrote_then_folders(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `load ` listed every file of the folder: the stack, scripts, a package.json. It
    # offers the files `save` wrote, whatever their names, then the folders to go into.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    execute(session, "save runs/incident.json")
    execute(session, "save before-fix")
    (tmp_path / "package.json").write_text('{"name": "shop", "version": "1.0.0"}')
    (tmp_path / "tour.stp").write_text("send jobQueue x\n")
    assert complete(session, "load ") == ["before-fix", "runs/"]
    assert metas(session, "load ")["before-fix"] == "a session file (save wrote it)"
    assert complete(session, "load runs/") == ["runs/incident.json"]
    assert complete(session, "load pa") == []
    # A named pipe is not waited on (it would block until something wrote to it).
    os.mkfifo(tmp_path / "pipe")
    assert complete(session, "load pi") == []
    # Typed as offered, the line loads the session.
    execute(session, "send jobQueue x")
    assert "replayed 0 commands" in execute(session, tabbed(session, "load b")[0]).text


def test_load_opens_only_so_many_files_to_tell_a_session_file(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The word is completed at each key press: only SESSION_PEEK_LIMIT files are opened.
    monkeypatch.setattr(candidates_module, "SESSION_PEEK_LIMIT", 2)
    monkeypatch.chdir(tmp_path)
    for name in ("a.json", "b.json", "c.json"):
        execute(session, f"save {name}")
    assert complete(session, "load ") == ["a.json", "b.json"]
    assert complete(session, "load c") == ["c.json"]


def test_resource_kinds_named_by_their_type(combined: Session) -> None:
    # `upload BUCKET` and `start-job JOB` declare the resource type as their kind.
    assert complete(combined, "upload ") == ["uploads"]
    assert complete(combined, "start-job ") == ["heavyJob"]
    assert metas(combined, "upload up")["uploads"] == "bucket"
    assert complete(combined, "publish ") == ["default", "eventBus"]
    assert "--from" in complete(combined, "upload uploads a.csv --")


def test_nothing_inside_quotes_comments_or_unknown_commands(session: Session) -> None:
    assert complete(session, "send jobQueue '{\"a") == []
    assert complete(session, "advance 5m # adv") == []
    assert complete(session, "frobnicate ") == []
    assert complete(session, "help send ") == []


def test_values_that_need_quotes_are_quoted(tmp_path: Path) -> None:
    stack = STACK.replace("otherQueue:", "'other queue':")
    (tmp_path / "stacktape.yml").write_text(stack)
    odd = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    assert "'other queue'" in complete(odd, "purge ")


def test_a_name_typed_inside_quotes_completes_to_the_quoted_name(tmp_path: Path) -> None:
    # Tab inside an open quote offered nothing (a `"` matched no name even fuzzily), and
    # the quote then held the line open: Enter only added a line break.
    stack = STACK.replace("otherQueue:", "'other queue':")
    (tmp_path / "stacktape.yml").write_text(stack)
    odd = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    assert tabbed(odd, 'purge "oth') == ["purge 'other queue'"]
    assert tabbed(odd, "purge 'other q") == ["purge 'other queue'"]
    assert tabbed(odd, "purge $'oth") == ["purge 'other queue'"]
    assert tabbed(odd, 'send "job') == ["send jobQueue"]
    # A space typed escaped is one character of the word, and the whole word is replaced.
    assert tabbed(odd, "purge other\\ q") == ["purge 'other queue'"]
    # A body inside quotes is the user's own: nothing is offered there.
    assert tabbed(odd, "send jobQueue 'other q") == []


def test_file_names_that_need_quotes_are_completed_quoted(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A path was completed by its missing letters, unquoted: `source dir` became
    # `source dir sp`, two words.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir sp").mkdir()
    (tmp_path / "dir sp" / "my script.stp").write_text("")
    assert tabbed(session, "source dir") == ["source 'dir sp/'"]
    assert tabbed(session, "source 'dir sp'/m") == ["source 'dir sp/my script.stp'"]
    assert tabbed(session, 'source "dir sp/') == ["source 'dir sp/my script.stp'"]
    assert tabbed(session, "source dir\\ sp/") == ["source 'dir sp/my script.stp'"]
    # An option's value given with `=` is a path too.
    line = "upload uploads k --from=dir"
    assert tabbed(session, line) == ["upload uploads k --from='dir sp/'"]
    line = "upload uploads k --from='dir sp/m"
    assert tabbed(session, line) == ["upload uploads k --from='dir sp/my script.stp'"]


def test_candidates_is_pure(session: Session) -> None:
    before = session.sim.trace.seq
    assert [c.text for c in candidates(session, "purge ")] == [
        "deadLetterQueue",
        "jobQueue",
        "otherQueue",
    ]
    assert session.sim.trace.seq == before
    assert context("send jobQueue 'x")
    assert context("send jobQueue 'x").in_quote  # type: ignore[union-attr]


# -- reading words and following the grammar ---------------------------------------------------


def test_read_words_keeps_positions_and_reports_open_quotes() -> None:
    r = read_words("send q '{\"a\": 1}' --delay 5s")
    assert [(w.text, w.start) for w in r.words] == [
        ("send", 0),
        ("q", 5),
        ('{"a": 1}', 7),
        ("--delay", 18),
        ("5s", 26),
    ]
    assert not r.open and not r.at_gap
    assert read_words("send q '{").quote == "'"
    assert read_words("send q '{").open
    assert read_words("invoke f {").depth == 1
    assert read_words("send q 'a # b' # comment").comment == 15
    assert read_words("send q abc#1").words[-1].text == "abc#1"
    assert read_words("send ").at_gap


def test_one_line_keeps_line_breaks_inside_quotes_only() -> None:
    assert one_line('invoke f {\n"a": 1\n}') == 'invoke f { "a": 1 }'
    assert one_line("send q '{\n  \"a\": 1\n}'") == "send q '{\n  \"a\": 1\n}'"


def test_walker_follows_rest_arguments_and_options() -> None:
    w = Walker(REGISTRY.commands["expect"])
    kinds = [
        getattr(w.feed(word), "kind", None) for word in ["count", "message.sent", "q", "==", "3"]
    ]
    # The word after a record kind names the resource the records are on.
    assert kinds == ["expect-path", "trace-kind", "record-resource", "operator", "value"]
    w = Walker(REGISTRY.commands["send"])
    slots = [w.feed(word) for word in ["q", "--delay", "5s", "body", "--bogus"]]
    assert [s.kind if s else None for s in slots] == ["queue", OPTION, "duration", "text", OPTION]
    assert slots[-1] is not None and slots[-1].option is None


# -- validation --------------------------------------------------------------------------------


def test_validator_flags_unknown_commands_and_resources_with_a_hint(session: Session) -> None:
    p = check(session, "sned jobQueue x")
    assert p is not None and p.position == 0
    assert p.format() == "unknown command 'sned' (did you mean send?)"
    p = check(session, "send jobQeue x")
    assert p is not None and p.position == 5
    assert p.format() == "no queue named 'jobQeue' (did you mean jobQueue?)"
    p = check(session, "fail wroker next 2")
    assert p is not None and "did you mean worker?" in p.format()
    p = check(session, "send jobQueue x --dela 5s")
    assert p is not None and p.message == "send has no option --dela"
    p = check(session, "show queue nope")
    assert p is not None and p.message == "no queue named 'nope'"
    p = check(session, "redrive deadLetterQueue --to=nope")
    assert p is not None and p.message == "no queue named 'nope'"


@pytest.mark.parametrize(
    ("line", "position"),
    [
        ("publish eventBsu orders OrderCreated", 8),
        ("publish-sns alertTopic hello", 12),
        ("upload upload incoming/a.csv", 7),
        ("delete uplods incoming/a.csv", 7),
        ("fire worker", 5),
        ("pause dailyReprot", 6),
        ("start-job heavyJbo", 10),
    ],
)
def test_validator_flags_unknown_buses_topics_buckets_schedules_and_jobs(
    combined: Session, line: str, position: int
) -> None:
    # Enter is refused with the message the command itself would print, before it runs.
    problem = check(combined, line)
    assert problem is not None and problem.position == position
    try:
        execute(combined, line)
    except CommandError as exc:
        assert problem.format() == f"{exc.message} ({exc.hint})"
    else:
        pytest.fail(f"{line!r} ran")
    for good in ("publish default my.app Ping", "publish-sns alertsTopic hi", "fire heavyJob"):
        assert check(combined, good) is None


def test_validator_checks_durations_choices_and_arity(session: Session) -> None:
    p = check(session, "advance 5")
    assert p is not None and "has no unit" in p.message
    p = check(session, "fail worker sometimes")
    assert p is not None and p.message == "unknown fail form 'sometimes'"  # as `fail` says it
    p = check(session, "expect queue.jobQueue.depth =< 0")
    assert p is not None and p.message == "unknown comparison '=<'" and p.position == 28
    assert p.hint == "did you mean <=?"  # as `expect` says it
    p = check(session, "send jobQueue")
    assert p is not None and p.message == "send needs BODY"
    assert check(session, "send jobQueue '{\"a\": 1}' --delay 5s") is None
    assert check(session, "expect count message.sent jobQueue == 0") is None
    assert check(session, "") is None
    assert check(session, "# a comment") is None


def test_while_typing_the_word_under_the_cursor_is_spared(session: Session) -> None:
    assert check(session, "send jobQ", final=False) is None
    assert check(session, "send jobQ x", final=False) is not None
    assert check(session, "send jobQueue", final=False) is None  # no BODY yet: not judged
    assert check(session, "sen", final=False) is None
    assert check(session, "sen ", final=False) is not None
    assert check(session, "send jobQueue '{", final=True) is None  # the line goes on


@pytest.mark.parametrize(
    "line",
    [
        "expect count lambda.failed == 1",
        "expect count zzz == 1",
        "expect count 1 == 1",
        "expect count message.sent jobQueue 1",
        "expect count message.sent 1",
    ],
)
def test_an_expect_line_is_refused_before_enter_as_expect_refuses_it(
    session: Session, line: str
) -> None:
    # The REPL judged a kind by its spelling alone: `lambda.failed` got 'batch.failed'
    # where `expect` says 'invocation.failed', and `zzz` the kinds in other words. A count
    # with its comparison left out got "no resource named '1'", or "'1' is not a
    # FIELD=VALUE filter", where `expect` gives the line with `==` put in.
    problem = check(session, line)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert problem is not None
    assert (problem.message, problem.hint) == (info.value.message, info.value.hint)


@pytest.mark.parametrize(
    "line",
    [
        "advance 2h30",
        "slow worker 10mx",
        "send jobQueue x --delay 30sx",
        "send jobQueue x --delay=30sx",
        "run --max 2hx",
    ],
)
def test_a_bad_duration_is_refused_before_enter_in_the_commands_words(
    session: Session, line: str
) -> None:
    # The REPL left out what the duration was given for (`advance: `, `--delay: `).
    problem = check(session, line)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert problem is not None
    assert (problem.message, problem.hint) == (info.value.message, info.value.hint)


def test_validation_runs_nothing(session: Session) -> None:
    check(session, "send jobQueue x")
    check(session, "advance 1d")
    assert session.sim.trace.seq == 0 and session.log == []


# -- highlighting ------------------------------------------------------------------------------


def test_lexer_tells_verbs_resources_json_durations_and_options_apart() -> None:
    lexer = lexer_for(REGISTRY.commands, ["jobQueue"])()
    tokens = [
        (t, v) for t, v in lexer.get_tokens("send jobQueue '{\"id\": 1}' --delay 30s") if v.strip()
    ]
    assert tokens[:3] == [(Keyword, "send"), (Name.Variable, "jobQueue"), (String.Single, "'")]
    assert (Name.Tag, '"id"') in tokens
    assert tokens[-2:] == [(Name.Attribute, "--delay"), (Number, "30s")]
    bad = [t for t, v in lexer.get_tokens("sned x 2026-01-05T09:00:00Z") if v.strip()]
    assert bad == [Error, Name, Literal.Date]
    help_tokens = [t for t, v in lexer.get_tokens("help send") if v.strip()]
    assert help_tokens == [Keyword, Name.Builtin]


def test_http_completes_methods_and_the_stacks_route_paths() -> None:
    s = Session.open(ROOT / "stptui/sample_stacks/combined", start_ms=START)
    assert complete(s, "http ")[:7] == ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    # Route paths as written, {param} and all: the user types over the parameter.
    assert complete(s, "http POST /web") == ["/webhooks/{provider}"]
    assert "$default" not in complete(s, "http GET ")


def test_delete_completes_the_keys_of_objects_in_the_buckets() -> None:
    s = Session.open(ROOT / "stptui/sample_stacks/combined", start_ms=START)
    assert complete(s, "delete uploads ") == []
    execute(s, "upload uploads incoming/report.csv --size 3")
    assert complete(s, "delete uploads inc") == ["incoming/report.csv"]
    execute(s, "delete uploads incoming/report.csv")
    assert complete(s, "delete uploads inc") == []
    # A key with a quote in it is offered in the other quotes, not as shlex writes it
    # ('incoming/it'"'"'s.csv'), and Tab makes the line that deletes it.
    execute(s, 'upload uploads "incoming/it\'s.csv" --size 3')
    assert tabbed(s, "delete uploads inc") == ['delete uploads "incoming/it\'s.csv"']
    execute(s, 'delete uploads "incoming/it\'s.csv"')
    assert complete(s, "delete uploads inc") == []


def test_explain_completes_recent_message_event_ids_and_object_keys() -> None:
    s = Session.open(ROOT / "stptui/sample_stacks/combined", start_ms=START)
    sent = execute(s, "send jobQueue x").data["message_id"]
    published = execute(s, "publish eventBus orders OrderCreated").data["event_id"]
    execute(s, "upload uploads incoming/report.csv --size 3")
    offered = complete(s, "explain ")
    assert {sent, published, "incoming/report.csv"} <= set(offered)
    assert complete(s, f"explain {sent[:6]}")[0] == sent


def test_publish_completes_sources_and_detail_types_from_the_rule_patterns() -> None:
    s = Session.open(ROOT / "stptui/sample_stacks/combined", start_ms=START)
    assert complete(s, "publish eventBus ") == ["orders"]
    assert complete(s, "publish eventBus orders ") == ["OrderCreated", "OrderShipped"]


POOLS_STACK = """\
resources:
  customers:
    type: user-auth-pool
  staffPool:
    type: user-auth-pool
    properties:
      allowEmailAsUserName: false
      allowPhoneNumberAsUserName: false
  jobQueue:
    type: sqs-queue
"""


@pytest.fixture
def pools(tmp_path: Path) -> Session:
    """Two user pools: `customers` signs users in by email (Stacktape's default), `staffPool`
    by usernames of their own; ann and bob are customers, carol is staff."""
    (tmp_path / "stacktape.yml").write_text(POOLS_STACK)
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    for line in (
        "sign-up customers ann@example.com",
        "sign-up customers bob@example.com",
        "confirm-sign-up customers bob@example.com",
        "sign-in customers bob@example.com",
        "admin-create-user staffPool carol",
    ):
        execute(s, line)
    return s


def test_user_pool_commands_complete_the_stacks_user_pools(pools: Session) -> None:
    for name in ("sign-up", "confirm-sign-up", "admin-create-user", "sign-in"):
        assert complete(pools, f"{name} ") == ["customers", "staffPool"], name
    assert complete(pools, "sign-in st")[0] == "staffPool"  # then fuzzy matches
    assert complete(pools, "show users ") == ["customers", "staffPool"]
    # A queue is no user pool.
    assert "jobQueue" not in complete(pools, "sign-up ")
    assert metas(pools, "sign-in ")["customers"] == "user-auth-pool"


def test_confirm_and_sign_in_complete_the_users_of_the_pool_named(pools: Session) -> None:
    # By the email they sign in with (their username is their sub), the newest first.
    assert complete(pools, "confirm-sign-up customers ") == ["bob@example.com", "ann@example.com"]
    assert complete(pools, "sign-in customers a")[0] == "ann@example.com"
    assert complete(pools, "sign-in staffPool ") == ["carol"]
    offered = metas(pools, "sign-in customers ")
    assert offered == {
        "bob@example.com": "user CONFIRMED, signed in",
        "ann@example.com": "user UNCONFIRMED",
    }
    assert metas(pools, "sign-in staffPool ")["carol"] == "user FORCE_CHANGE_PASSWORD"
    # A new user's name is the user's to choose: nothing is offered.
    assert complete(pools, "sign-up customers ") == []
    assert complete(pools, "admin-create-user staffPool ") == []
    # A pool that does not exist has no users to offer.
    assert complete(pools, "sign-in nopool ") == []


def test_http_user_completes_every_pools_users(pools: Session) -> None:
    offered = complete(pools, "http GET /me --user ")
    assert set(offered) == {"ann@example.com", "bob@example.com", "carol"}
    assert complete(pools, "http GET /me --user b")[0] == "bob@example.com"


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "sign-up custmers dan@example.com",
            "'custmers' is not a user-auth-pool",
            "mean customers?",
        ),
        ("sign-in staffpool carol", "'staffpool' is not a user-auth-pool", "mean staffPool?"),
        ("show users custmers", "'custmers' is not a user-auth-pool", "mean customers?"),
        ("confirm-sign-up jobQueue ann", "'jobQueue' is an sqs-queue, not a user-auth-pool", ""),
    ],
)
def test_an_unknown_pool_gets_a_did_you_mean_before_and_after_enter(
    pools: Session, line: str, message: str, hint: str
) -> None:
    problem = check(pools, line)
    assert problem is not None and message in problem.message, problem
    # The cursor goes to the pool's word (the third of `show users POOL`).
    pool_word = line.split()[2 if line.startswith("show") else 1]
    assert problem.position == line.index(pool_word)
    assert problem.hint is not None and hint in problem.hint
    users_before = {
        p: dict(pool.users) for p, pool in pools.sim.services["user_pools"].pools.items()
    }
    with pytest.raises(CommandError) as raised:
        execute(pools, line)
    assert message in raised.value.message and hint in (raised.value.hint or "")
    after = {p: dict(pool.users) for p, pool in pools.sim.services["user_pools"].pools.items()}
    assert after == users_before


def test_an_unknown_user_is_left_to_cognito_to_refuse_or_migrate(pools: Session) -> None:
    # sign-in brings in a user the pool does not have through a userMigration hook: the
    # line is not refused before Enter, and Cognito's own answer comes after it.
    assert check(pools, "sign-in customers zed@example.com") is None
    with pytest.raises(CommandError, match="UserNotFoundException"):
        execute(pools, "sign-in customers zed@example.com")
