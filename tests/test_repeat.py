"""`repeat` and `cancel-repeat`: load on the virtual clock, checked up front, counted,
traced, replayed exactly, and one clock entry at a time whatever N."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from example_stacks import FEATURE_STACKS
from hypothesis import given, settings
from hypothesis import strategies as st
from session_checks import assert_replays, run_line, trace_lines
from test_commands_examples import (
    EXAMPLE_SETUP,
    OTHER_STACKS,
    SETUP,
    STACK,
    opened,
    scratch,  # noqa: F401 (a fixture)
    with_ids,
)
from workcount import CountWork, hang_guard

from stptui.commands import REGISTRY, CommandError, Session, execute, render_plain
from stptui.commands.handlers.repeat import REPEATABLE, number_words
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
START = parse_instant("2026-01-05T08:00:00Z")


def _open() -> Session:
    return Session.open(JOB_QUEUE, start_ms=START)


def _bodies(session: Session, queue: str) -> list[str]:
    return [m.body for m in session.sim.queue(queue).messages.values()]


def _count(session: Session, kind: str, resource: str | None = None) -> int:
    return session.sim.trace.count(kind, resource)


def test_a_burst_runs_every_repetition_now_with_its_number() -> None:
    session = _open()
    result = execute(session, 'repeat 5 send deadLetterQueue \'{"n": {i}, "raw": "{{i}}"}\'')
    assert result.text.endswith("now: 5 accepted, 0 refused")
    assert session.sim.clock.now == START
    bodies = sorted(json.loads(b)["n"] for b in _bodies(session, "deadLetterQueue"))
    assert bodies == [1, 2, 3, 4, 5]
    assert all(json.loads(b)["raw"] == "{i}" for b in _bodies(session, "deadLetterQueue"))
    assert _count(session, tk.REPEAT_COMPLETED, "repeat-1") == 1
    assert session.log == ['repeat 5 send deadLetterQueue \'{"n": {i}, "raw": "{{i}}"}\'']


def test_only_i_in_braces_and_its_doubled_form_are_replaced() -> None:
    words = ['{"a": {i}}', "{{i}}", "{{i}", "{ i }", "x-{i}-{i}", "plain"]
    assert number_words(words, 7) == ['{"a": 7}', "{i}", "{7", "{ i }", "x-7-7", "plain"]


def test_every_d_runs_one_now_and_the_rest_as_the_clock_reaches_them() -> None:
    session = _open()
    result = execute(session, "repeat 10 --every 100ms send deadLetterQueue 'job {i}'")
    assert "1 now, then every 100 ms until 2026-01-05T08:00:00.900Z" in result.text
    assert "(ends in 900 ms of virtual time)" in result.text
    assert _bodies(session, "deadLetterQueue") == ["job 1"]
    agenda = render_plain(execute(session, "show agenda"))
    assert "repetition 2 of 10: send deadLetterQueue 'job 2' (9 left" in agenda
    execute(session, "advance 450ms")
    assert len(_bodies(session, "deadLetterQueue")) == 5
    ran = execute(session, "run")
    assert ran.text.startswith("quiet; now 2026-01-05T08:00:00.900Z")
    assert _bodies(session, "deadLetterQueue")[-1] == "job 10"
    assert _count(session, tk.REPEAT_COMPLETED, "repeat-1") == 1
    assert "repeat-1" not in render_plain(execute(session, "show agenda"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("repeat 3 sned deadLetterQueue x", "unknown command 'sned'"),
        ("repeat 3 send nope x", "no queue named 'nope'"),
        ("repeat 3 send deadLetterQueue x --dely 1s", "send has no option --dely"),
        ("repeat 3 advance 1s", "repeat cannot repeat advance"),
        ("repeat 3 show queues", "repeat cannot repeat show"),
        ("repeat 3 repeat 2 send deadLetterQueue x", "repeats do not nest"),
        ("repeat 3 save s.json", "repeat cannot repeat save"),
        ("repeat 3 ws-disconnect x", "repeat cannot repeat ws-disconnect"),
        ("repeat 3 fail worker next 1", "repeat cannot repeat fail"),
        ("repeat 0 send deadLetterQueue x", "at least 1"),
        ("repeat 1000001 send deadLetterQueue x", "at most 1,000,000"),
        ("repeat 3 --every 0ms send deadLetterQueue x", "--every must be at least 1 ms"),
        ("repeat 3 --evry 1s send deadLetterQueue x", "repeat has no option --evry"),
        ("repeat 3", "repeat needs COMMAND"),
        ("repeat 3 send", "send needs QUEUE"),
        ("repeat 3 send deadLetterQueue x --delay 16m", "delay"),
    ],
)
def test_a_bad_line_is_refused_with_the_inner_error_and_changes_nothing(
    line: str, message: str
) -> None:
    session = _open()
    with pytest.raises(CommandError) as refused:
        execute(session, line)
    assert message in refused.value.message
    assert refused.value.hint
    assert run_line(session, line) is None  # and nothing changed
    assert session.log == [] and session.sim.trace.seq == 0


def test_the_inner_commands_hint_comes_with_its_error() -> None:
    session = _open()
    with pytest.raises(CommandError) as refused:
        execute(session, "repeat 3 send x deadLetterQueue")
    assert refused.value.hint == "QUEUE comes before BODY: send deadLetterQueue x"


def test_a_repeat_past_the_clocks_end_is_refused() -> None:
    session = Session.open(JOB_QUEUE, start_ms=parse_instant("9999-12-31T23:59:00Z"))
    assert run_line(session, "repeat 3 --every 1m send deadLetterQueue x") is None


def test_a_later_repetition_refused_is_counted_traced_and_the_load_goes_on() -> None:
    session = _open()
    result = execute(session, "repeat 20 send deadLetterQueue 'job {i}' --delay {i}m")
    assert "now: 15 accepted, 5 refused" in result.text
    assert "first refused: #16: InvalidParameterValue" in result.text
    refused = [r for r in session.sim.trace.records if r.kind == tk.REPEAT_REFUSED]
    assert [r.data["i"] for r in refused] == [16, 17, 18, 19, 20]
    assert refused[0].data["command"] == "send deadLetterQueue 'job 16' --delay 16m"
    assert "900 seconds" in refused[0].data["error"]
    assert len(_bodies(session, "deadLetterQueue")) == 15
    assert result.data["refused"] == 5


def test_fifo_deduplication_is_counted_not_refused(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  orders: {type: sqs-queue, properties: {fifoEnabled: true}}\n"
    )
    session = Session.open(tmp_path, start_ms=START)
    result = execute(session, "repeat 6 send orders 'o {i}' --group g --dedup-id d")
    assert result.text.endswith("now: 6 accepted, 0 refused, 5 deduplicated")


def test_cancel_repeat_stops_the_rest_and_names_what_is_in_progress() -> None:
    session = _open()
    execute(session, "repeat 100 --every 1s send deadLetterQueue x")
    execute(session, "advance 9500ms")
    with pytest.raises(CommandError) as refused:
        execute(session, "cancel-repeat repeat-2")
    assert refused.value.hint == "did you mean repeat-1?"
    result = execute(session, "cancel-repeat repeat-1")
    assert result.text == "repeat-1 cancelled: 10 accepted, 0 refused; 90 not made"
    execute(session, "advance 1m")
    assert len(_bodies(session, "deadLetterQueue")) == 10
    cancelled = [r for r in session.sim.trace.records if r.kind == tk.REPEAT_CANCELLED]
    assert cancelled[0].data == {"ran": 10, "refused": 0, "left": 90}
    assert run_line(session, "cancel-repeat repeat-1") is None


def test_cancel_repeat_without_an_id_names_the_repeats_in_progress() -> None:
    session = _open()
    with pytest.raises(CommandError) as none:
        execute(session, "cancel-repeat")
    assert none.value.message == "cancel-repeat needs ID"
    assert none.value.hint == (
        "usage: cancel-repeat ID; no repeat is in progress, so there is none to cancel"
    )
    execute(session, "repeat 100 --every 1s send deadLetterQueue x")
    execute(session, "repeat 3 send deadLetterQueue y")  # a burst: over at once
    execute(session, "repeat 50 --every 2s send deadLetterQueue z")
    before = (session.log[:], session.sim.trace.seq)
    with pytest.raises(CommandError) as two:
        execute(session, "cancel-repeat")
    assert (session.log, session.sim.trace.seq) == before
    assert two.value.hint == (
        "usage: cancel-repeat ID; repeats in progress: repeat-1, repeat-3; "
        "e.g. cancel-repeat repeat-1"
    )
    execute(session, "cancel-repeat repeat-1")
    with pytest.raises(CommandError) as one:
        execute(session, "cancel-repeat")
    assert "repeats in progress: repeat-3;" in one.value.hint


def test_repeated_http_requests_start_and_the_clock_carries_them() -> None:
    session = _open()
    result = execute(session, "repeat 30 --every 100ms http POST /jobs '{\"orderId\": {i}}'")
    assert session.sim.clock.now == START  # the first request started; nothing waited
    assert "1 now, then every 100 ms" in result.text
    execute(session, "advance 10s")
    assert _count(session, tk.HTTP_RESPONSE) == 30
    statuses = {r.data["status"] for r in session.sim.trace.records if r.kind == tk.HTTP_RESPONSE}
    assert statuses == {202}


def test_repeated_invokes_do_not_wait_and_throttles_are_counted(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  slow:\n"
        "    type: function\n"
        "    properties:\n"
        "      reservedConcurrency: 2\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.py}}\n"
    )
    (tmp_path / "stptui.yml").write_text("behaviors:\n  slow: {duration: 5s}\n")
    session = Session.open(tmp_path, start_ms=START)
    result = execute(session, "repeat 5 invoke slow")
    assert result.text.endswith("now: 5 accepted, 0 refused, 3 throttled")
    assert session.sim.clock.now == START
    execute(session, "advance 10s")
    assert _count(session, tk.INVOCATION_SUCCEEDED, "slow") == 2


def test_a_burst_interrupted_is_logged_as_the_repeat_that_ran() -> None:
    session = _open()
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 2

    result = execute(session, "repeat 2000 send deadLetterQueue 'n {i}'", should_stop=stop)
    assert result.text.startswith("interrupted after 511; repeat-1: 2,000 ×")
    assert session.log == ["repeat 511 send deadLetterQueue 'n {i}'"]
    replayed = _open()
    execute(replayed, session.log[0])
    assert trace_lines(replayed) == trace_lines(session)


def test_save_and_load_replay_a_repeat_mid_way(tmp_path: Path) -> None:
    stack = tmp_path / "stacktape.yml"
    stack.write_text((JOB_QUEUE / "stacktape.yml").read_text())
    (tmp_path / "stptui.yml").write_text((JOB_QUEUE / "stptui.yml").read_text())

    def drive(session: Session) -> None:
        for line in (
            "fail worker rate 0.5",
            'repeat 200 --every 50ms send jobQueue \'{"orderId": {i}, "amount": 10}\'',
            "repeat 20 --every 1s http POST /jobs '{\"orderId\": {i}}'",
            "advance 5s",
            "cancel-repeat repeat-2",
        ):
            execute(session, line)

    views = ("show queues", "show agenda", "show functions")
    first, loaded = assert_replays(stack, START, drive, views)
    for session in (first, loaded):
        execute(session, "advance 30m")
    assert trace_lines(loaded) == trace_lines(first)
    assert _count(first, tk.REPEAT_COMPLETED, "repeat-1") == 1
    assert first.sim.queue("deadLetterQueue").visible_count > 0


def test_a_repeat_keeps_one_clock_entry_whatever_its_n() -> None:
    session = _open()
    execute(session, "send deadLetterQueue first")  # its retention check: one entry
    before = session.sim.clock.pending()
    with CountWork(lines=False) as work:
        execute(session, "repeat 100000 --every 1ms send deadLetterQueue x")
    # Arming 100,000 repetitions costs what arming one does.
    assert work.steps < 5_000, work
    assert session.sim.clock.pending() == before + 1
    execute(session, "advance 2s")
    assert session.sim.clock.pending() == before + 1
    assert len(_bodies(session, "deadLetterQueue")) == 1 + 2001


def test_a_million_every_millisecond_neither_hangs_nor_stalls_the_clock() -> None:
    session = _open()
    with hang_guard(60):
        execute(session, "repeat 1000000 --every 1ms send deadLetterQueue x")
        result = execute(session, "advance 1s")
    assert result.text == "now 2026-01-05T08:00:01.000Z (+1 s)"
    assert len(_bodies(session, "deadLetterQueue")) == 1001


@settings(max_examples=25, deadline=None)
@given(
    count=st.integers(1, 40),
    every=st.integers(1, 500),
    elapsed=st.integers(0, 20_000),
)
def test_the_repetitions_made_are_those_due(count: int, every: int, elapsed: int) -> None:
    session = _open()
    execute(session, f"repeat {count} --every {every}ms send deadLetterQueue 'n {{i}}'")
    execute(session, f"advance {elapsed}ms")
    due = min(count, elapsed // every + 1)
    assert _count(session, tk.MESSAGE_SENT, "deadLetterQueue") == due
    assert _count(session, tk.REPEAT_COMPLETED) == (due == count)
    assert sorted(_bodies(session, "deadLetterQueue"), key=lambda b: int(b[2:])) == [
        f"n {i}" for i in range(1, due + 1)
    ]


def test_the_inner_commands_options_are_its_own() -> None:
    call = REGISTRY.parse("repeat 3 --every 1s send q x --delay 5s")
    assert call is not None
    assert call.opts == {"every": "1s"}
    assert call.args["command"] == ["send", "q", "x", "--delay", "5s"]


def test_completion_and_the_check_before_enter_read_the_inner_command() -> None:
    session = _open()
    names = [c.text for c in candidates(session, "repeat 3 ")]
    assert "send" in names and "http" in names and "advance" not in names
    assert [c.text for c in candidates(session, "repeat 3 --every 1s send ")] == [
        "deadLetterQueue",
        "jobQueue",
    ]
    assert "--delay" in [c.text for c in candidates(session, "repeat 3 send jobQueue x --")]
    assert [c.text for c in candidates(session, "repeat 3 --")] == ["--every"]
    problem = check(session, "repeat 3 send nope x")
    assert problem is not None and problem.message == "no queue named 'nope'"
    problem = check(session, "repeat 3 run")
    assert problem is not None and "repeat cannot repeat run" in problem.message
    assert check(session, "repeat 3 --every 1s send jobQueue x --delay 5s") is None


@pytest.mark.usefixtures("scratch")
@pytest.mark.parametrize("name", REPEATABLE)
def test_every_repeatable_commands_examples_run_repeated(name: str) -> None:
    """Each example of a repeatable command, as `repeat 2 --every 1s EXAMPLE`, is taken and
    its second repetition made by the clock without a traceback (refused or not)."""
    setup = SETUP.get(name, [])
    session, message_id = opened(FEATURE_STACKS.get(name, STACK), setup)
    for example in REGISTRY.commands[name].examples:
        here, mid = (
            opened(OTHER_STACKS[example], EXAMPLE_SETUP.get(example, setup))
            if example in OTHER_STACKS
            else (
                session,
                message_id,
            )
        )
        try:
            execute(here, "repeat 2 --every 1s " + with_ids(example, mid))
        except CommandError as exc:
            # A refused first repetition is the example's own refusal in this state (a
            # restore already in progress, say): the same line alone says so too.
            with pytest.raises(CommandError) as alone:
                execute(here, with_ids(example, mid))
            assert alone.value.message == exc.message
            continue
        execute(here, "advance 1s")
        done = [r for r in here.sim.trace.records if r.kind == tk.REPEAT_COMPLETED]
        assert done and done[-1].data["ran"] == 2, example


# -- found using `repeat` as a load question asks it ------------------------------------------

# Stimuli repeated as a burst against the same lines typed one by one: the trace must be the
# same, less the repeat's own records (nothing lost, doubled or reordered).
TYPED_ALONE = [
    ([], "send orders 'o {i}' --group g --dedup-id d-{i}"),
    ([], "send orders 'o' --group g --dedup-id d"),
    ([], "publish eventBus orders OrderCreated '{\"orderId\": {i}}'"),
    ([], "publish-sns alerts 'disk {i}' --attr severity=high"),
    ([], "put-record clicks '{\"p\": {i}}' --partition-key u-{i}"),
    ([], 'put-item carts \'{"id": {"S": "c-1"}}\' --condition \'attribute_not_exists(id)\''),
    (["upload uploads a.csv"], "delete uploads a.csv"),
    ([], "upload uploads incoming/f-{i}.csv --content 'a,{i}'"),
    ([], "start-job heavyJob '{\"n\": {i}}'"),
    ([], "fire cleanup 2"),
]


@pytest.mark.parametrize(("setup", "line"), TYPED_ALONE)
def test_a_burst_does_what_the_lines_typed_alone_do(setup: list[str], line: str) -> None:
    burst, typed = (Session.open(STACK, start_ms=START) for _ in range(2))
    for session in (burst, typed):
        for before in setup:
            execute(session, before)
    execute(burst, f"repeat 4 {line}")
    for i in range(1, 5):
        run_line(typed, line.replace("{i}", str(i)))
    for session in (burst, typed):
        execute(session, "advance 10m")

    def effects(session: Session) -> list[tuple[object, ...]]:
        return [
            (r.t, r.kind, r.resource, r.data)
            for r in session.sim.trace.records
            if not r.kind.startswith("repeat.")
        ]

    assert effects(burst) == effects(typed)


def test_a_running_executions_name_repeated_is_counted_as_already_running() -> None:
    session = Session.open(ROOT / "docs/examples/workflow.yml", start_ms=START)
    result = execute(session, "repeat 3 start-execution orderFlow '{}' --name fixed")
    # StartExecution returned the running execution twice: one execution, not three.
    assert result.text.endswith("now: 3 accepted, 0 refused, 2 already running")
    assert result.data["already running"] == 2
    # With --every the first has ended by the second: Step Functions refuses the name.
    result = execute(session, "repeat 3 --every 1m start-execution orderFlow '{}' --name later")
    execute(session, "advance 5m")
    refused = [r for r in session.sim.trace.records if r.kind == tk.REPEAT_REFUSED]
    assert [r.data["i"] for r in refused] == [2, 3]
    assert refused[0].data["error"].startswith("ExecutionAlreadyExists")
    assert len(session.sim.services["state_machines"]["orderFlow"].executions) == 2


def test_explain_repeat_says_what_it_runs_where_it_stands_and_what_it_made_first() -> None:
    session = _open()
    line = 'repeat 20 --every 1s send jobQueue \'{"orderId": {i}, "amount": 1}\' --delay {i}m'
    execute(session, line)
    execute(session, "advance 4500ms")
    text = render_plain(execute(session, "explain repeat-1"))
    assert text.startswith(
        'repeat-1: 20 × send jobQueue \'{"orderId": {i}, "amount": 1}\' --delay {i}m, one '
        "every 1 s from 2026-01-05T08:00:00.000Z to 2026-01-05T08:00:19.000Z\n"
        "in progress: 5 of 20 made (5 accepted, 0 refused); the next, #6, at "
        "2026-01-05T08:00:05.000Z\n"
    )
    sent = [r.data["message_id"] for r in session.sim.trace.records if r.kind == tk.MESSAGE_SENT]
    # The first three repetitions' messages and the latest's, each with its explain line.
    for message_id in (*sent[:3], sent[4]):
        assert f"explain {message_id}" in text
    assert "... 1 more" in text and sent[3] not in text
    execute(session, "advance 1m")
    text = render_plain(execute(session, "explain repeat-1"))
    assert "\ncompleted: 15 accepted, 5 refused\n" in text
    assert "#20 refused: InvalidParameterValue: delay must be 0-900 seconds, not 1200" in text
    assert text.count("repeat.refused") == 5
    # The ids it names are what explain follows on.
    assert sent[0] in render_plain(execute(session, f"explain {sent[0]}"))


def test_explain_repeat_counts_refusals_past_the_first_five_and_names_the_repeats() -> None:
    session = _open()
    execute(session, "repeat 40 send deadLetterQueue x --delay {i}m")
    execute(session, "repeat 5 --every 1s send deadLetterQueue y")
    execute(session, "cancel-repeat repeat-2")
    text = render_plain(execute(session, "explain repeat-1"))
    assert text.count("repeat.refused") == 6  # five listed, and the line that counts the rest
    assert "... 20 more repeat.refused (`show trace` lists them)" in text
    assert "cancelled after 1: 1 accepted, 0 refused; 4 not made" in render_plain(
        execute(session, "explain repeat-2")
    )
    with pytest.raises(CommandError) as refused:
        execute(session, "explain repeat-3")
    assert refused.value.hint == "repeats made: repeat-1, repeat-2"


def test_explain_says_the_same_of_an_interrupted_burst_after_a_load() -> None:
    session = _open()
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) >= 2

    execute(session, "repeat 2000 send deadLetterQueue 'n {i}'", should_stop=stop)
    replayed = _open()
    execute(replayed, session.log[0])
    shown = render_plain(execute(session, "explain repeat-1"))
    assert shown == render_plain(execute(replayed, "explain repeat-1"))
    assert shown.startswith("repeat-1: 511 × send deadLetterQueue 'n {i}', all at")


def test_cancel_repeat_completes_the_repeats_in_progress_and_says_how_one_ended() -> None:
    session = _open()
    execute(session, "repeat 3 --every 1s send deadLetterQueue x")
    execute(session, "repeat 30 --every 1s send deadLetterQueue y")
    assert [c.text for c in candidates(session, "cancel-repeat ")] == ["repeat-1", "repeat-2"]
    assert "repeat-2" in [c.text for c in candidates(session, "explain repeat")]
    execute(session, "advance 5s")
    assert [c.text for c in candidates(session, "cancel-repeat ")] == ["repeat-2"]
    with pytest.raises(CommandError) as refused:
        execute(session, "cancel-repeat repeat-1")
    assert refused.value.message == (
        "repeat-1 is no longer in progress: all 3 of its repetitions were made"
    )
    assert refused.value.hint == (
        "`explain repeat-1` says what it made; repeats in progress: repeat-2"
    )
    execute(session, "cancel-repeat repeat-2")
    with pytest.raises(CommandError) as refused:
        execute(session, "cancel-repeat 2")
    assert refused.value.hint == "did you mean repeat-2?"
    with pytest.raises(CommandError) as refused:
        execute(session, "cancel-repeat repeat-2")
    assert refused.value.message == "repeat-2 is no longer in progress: it was cancelled"


def test_a_burst_is_a_backlog_for_the_clocks_loop_guard_and_a_loop_is_still_one(
    tmp_path: Path,
) -> None:
    # 6,000 notifications at one instant, and 5,000 of their invokes that Lambda throttles
    # retried together a second later: many events at one instant, no loop.
    session = Session.open(STACK, start_ms=START)
    session.sim.clock.still_limit = 4096  # the default takes 140,000 publishes to reach
    execute(session, "repeat 6000 publish-sns alerts 'disk {i}' --attr severity=high")
    assert run_line(session, "advance 1m") is not None
    assert _count(session, tk.INVOCATION_SUCCEEDED, "alertHandler") == 6000
    # A zero-duration loop through EventBridge after a burst of its own stops all the same.
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n"
        "  loopBus: {type: event-bus}\n"
        "  relay:\n"
        "    type: function\n"
        "    properties:\n"
        "      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      events:\n"
        "        - type: event-bus\n"
        "          properties: {eventBusName: loopBus, eventPattern: {source: [loop]}}\n"
        "      connectTo: [loopBus]\n"
    )
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n"
        "  relay:\n"
        "    duration: 0\n"
        "    emit:\n"
        "      - publish:\n"
        "          bus: loopBus\n"
        "          source: \"'loop'\"\n"
        "          detailType: \"'again'\"\n"
        "          detail: '{n: `1`}'\n"
    )
    looping = Session.open(tmp_path, start_ms=START)
    looping.sim.clock.still_limit = 4096
    execute(looping, "repeat 100 publish loopBus loop again '{}'")
    with pytest.raises(CommandError) as stalled:
        execute(looping, "advance 1m")
    assert "has not moved from 2026-01-05T08:00:00.000Z" in stalled.value.message


def test_a_repeated_upload_from_a_file_is_logged_with_its_bytes_and_shares_them(
    tmp_path: Path,
) -> None:
    data = tmp_path / "report.csv"
    data.write_bytes(b"id,amount\n1,20\n")
    session = Session.open(STACK, start_ms=START)
    execute(session, f"repeat 3 --every 1s upload uploads raw/r-{{i}}.csv --from {data} --tag a=b")
    # As `upload --from` alone is: the log holds the bytes, so that it replays without the
    # file, and every repetition uploads what the file held when repeat ran.
    assert session.log == [
        "repeat 3 --every 1s upload uploads raw/r-{i}.csv --base64 aWQsYW1vdW50CjEsMjAK --tag a=b"
    ]
    data.write_bytes(b"changed")
    execute(session, "advance 5s")
    saved = tmp_path / "s.json"
    execute(session, f"save {saved}")
    data.unlink()
    loaded = Session.open(STACK, start_ms=START)
    execute(loaded, f"load {saved}")
    assert trace_lines(loaded) == trace_lines(session)
    bucket = session.sim.services["buckets"].buckets["uploads"]
    objects = [bucket.objects[f"raw/r-{i}.csv"] for i in (1, 2, 3)]
    contents = [o.versions[-1].content if hasattr(o, "versions") else o.content for o in objects]
    assert contents[0] == b"id,amount\n1,20\n"
    # One copy of the bytes, however many objects hold them.
    assert contents[0] is contents[1] is contents[2]
    with pytest.raises(CommandError) as refused:
        execute(session, f"repeat 3 upload uploads k-{{i}} --from {tmp_path}/f-{{i}}.csv")
    assert "{i} cannot name a file per repetition" in refused.value.message


def test_upload_from_a_file_keeps_its_tags_in_the_log(tmp_path: Path) -> None:
    data = tmp_path / "report.csv"
    data.write_bytes(b"x")
    session = Session.open(STACK, start_ms=START)
    execute(session, f"upload uploads raw/a.csv --from {data} --tag class=scratch")
    assert session.log == ["upload uploads raw/a.csv --base64 eA== --tag class=scratch"]


@pytest.mark.parametrize("name", ["global-sign-out", "admin-user-global-sign-out", "revoke-token"])
def test_a_sign_out_is_not_repeated_it_adds_no_load(name: str) -> None:
    session = _open()
    with pytest.raises(CommandError) as info:
        execute(session, f"repeat 3 {name} users ann@example.com")
    assert info.value.message == (
        f"repeat cannot repeat {name}: it revokes tokens without running a hook or a "
        "function, so repeating it adds no load"
    )
    assert info.value.hint == f"sign users out one by one: {name} POOL USERNAME"
