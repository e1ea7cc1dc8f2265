"""`--from PATH`: a command's body (a message, an event's detail, a record, a request body, a
payload) read from a file when the command runs, as a team's fixture files hold them. The
session log keeps the file's text, so undo, redo, reload, load and recordings replay what
was read; a file that cannot be read is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from replkit import complete, tabbed

from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands.registry import FILE
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
STACK = EXAMPLES / "commands-stack.yml"
KAFKA = EXAMPLES / "kafka-orders.yml"
T0 = parse_instant("2026-01-05T08:00:00Z")
ORDER = '{"orderId": 7,\n "amount": 120}\n'


def opened(stack: Path = STACK) -> Session:
    return Session.open(stack, start_ms=T0)


def trace(session: Session) -> list[str]:
    return [r.to_line() for r in session.sim.trace.since(0)]


@pytest.fixture
def order(tmp_path: Path) -> Path:
    path = tmp_path / "fixtures" / "order.json"
    path.parent.mkdir()
    path.write_text(ORDER, encoding="utf-8")
    return path


# Each command that takes a body, written with the body as a word ({}) and from a file.
STIMULI = [
    "send jobQueue {} --delay 3s",
    "publish eventBus orders OrderCreated {}",
    "publish-sns alerts {} --subject Report",
    "put-record clicks {} --partition-key user-1",
    "http POST /jobs {}",
    "invoke worker {} --async",
    "start-job heavyJob {}",
]


@pytest.mark.parametrize("line", STIMULI)
def test_a_body_from_a_file_is_the_body_typed(line: str, order: Path) -> None:
    # Only start-execution and send-task-success read a file (@FILE): a team with fixture
    # files had to paste them into each line.
    typed, from_file = opened(), opened()
    execute(typed, line.format(f"$'{ORDER.encode('unicode_escape').decode()}'"))
    execute(from_file, line.format(f"--from {order}"))
    assert trace(from_file) == trace(typed)
    # The log keeps the text, not the path: the line replays what was read.
    assert from_file.log == typed.log


def test_produce_reads_its_value_from_a_file(order: Path) -> None:
    typed, from_file = opened(KAFKA), opened(KAFKA)
    execute(typed, f"produce order-events $'{ORDER.encode('unicode_escape').decode()}' --key c")
    execute(from_file, f"produce order-events --from={order} --key c")
    assert trace(from_file) == trace(typed)
    assert from_file.log == typed.log


def test_every_command_that_takes_a_body_takes_from() -> None:
    bodies = {name: c.body_file for name, c in REGISTRY.commands.items() if c.body_file is not None}
    assert set(bodies) >= {
        "send",
        "publish",
        "publish-sns",
        "put-record",
        "produce",
        "http",
        "invoke",
        "start-job",
        "put-item",
        "ws-send",
        "ws-post",
        "log",
        "start-execution",
        "send-task-success",
    }
    for name in bodies:
        option = REGISTRY.commands[name].option("--from")
        assert option.kind == FILE  # the REPL completes file names after it


def test_undo_redo_and_load_replay_what_the_file_held(order: Path, tmp_path: Path) -> None:
    session = opened()
    execute(session, f"send jobQueue --from {order}")
    execute(session, f"repeat 2 --every 1s send jobQueue --from {order} --delay 1s")
    execute(session, "advance 5s")
    before = trace(session)
    execute(session, f"save {tmp_path / 's.json'}")
    order.write_text('{"orderId": 8}', encoding="utf-8")
    execute(session, "undo 3")
    execute(session, "redo 3")
    assert trace(session) == before
    order.unlink()
    execute(session, "reload")
    assert trace(session) == before
    loaded = opened()
    execute(loaded, f"load {tmp_path / 's.json'}")
    assert trace(loaded) == before


def test_a_recording_writes_the_text_read(order: Path, tmp_path: Path) -> None:
    session = opened()
    script = tmp_path / "rec.stp"
    execute(session, f"record {script}")
    execute(session, f"send jobQueue --from {order}")
    execute(session, "record stop")
    assert 'send jobQueue $\'{"orderId": 7,\\n "amount": 120}\\n\'' in script.read_text()


def test_the_log_line_keeps_references_and_options_as_typed(tmp_path: Path) -> None:
    dash = tmp_path / "dash.txt"
    dash.write_text("--not-an-option", encoding="utf-8")
    session = opened()
    execute(session, f"send jobQueue --from={dash} --attr a=1")
    # A text that starts with -- goes after --, where it cannot read as an option.
    assert session.log == ["send jobQueue --attr a=1 -- --not-an-option"]
    before = trace(session)
    execute(session, "undo")
    execute(session, "redo")
    assert trace(session) == before
    message = tmp_path / "message.json"
    message.write_text('{"action": "sendMessage", "text": "hi"}', encoding="utf-8")
    chat = Session.open(
        EXAMPLES / "chat.yml", behaviors_path=EXAMPLES / "chat-behaviors.yml", start_ms=T0
    )
    execute(chat, "ws-connect --query token=t-1")
    execute(chat, f"ws-send $last --from {message}")
    # A reference stays bare: quoted, it would replay as text.
    assert chat.log[1] == 'ws-send $last \'{"action": "sendMessage", "text": "hi"}\''


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read it: No such file or directory"),
        (b"\x89PNG\r\n\x1a\n", "not UTF-8 text (byte 0 is 0x89): a binary file?"),
        (b"ab\x00cd", "holds a NUL character (byte 2): a binary file?"),
        ("folder", "a folder"),
    ],
)
def test_a_file_that_cannot_be_a_body_is_refused_and_changes_nothing(
    tmp_path: Path, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / "body"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    session = opened()
    before = trace(session)
    with pytest.raises(CommandError) as caught:
        execute(session, f"send jobQueue --from {path}")
    assert message in caught.value.message
    assert caught.value.hint
    # The error points at the path.
    assert caught.value.located is not None
    assert caught.value.located.line[caught.value.located.point :].startswith(str(path))
    assert trace(session) == before and session.log == []


def test_a_file_over_the_queues_limit_is_refused_in_sqs_words(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text("a" * 2_000_000, encoding="utf-8")
    session = opened()
    with pytest.raises(CommandError) as caught:
        execute(session, f"send jobQueue --from {big}")
    # The very error the same body typed gets.
    with pytest.raises(CommandError) as typed:
        execute(session, f"send jobQueue {'a' * 2_000_000}")
    assert caught.value.message == typed.value.message
    assert caught.value.message.startswith("InvalidParameterValue: the message is 2,000,000 bytes")
    assert session.log == []


def test_a_body_given_twice_is_refused(order: Path) -> None:
    session = opened()
    with pytest.raises(CommandError, match=r"send takes BODY or --from PATH, not both"):
        execute(session, f"send jobQueue hello --from {order}")
    assert session.log == []


def test_repeat_reads_the_file_once_and_refuses_a_path_per_repetition(
    order: Path, tmp_path: Path
) -> None:
    session = opened()
    execute(session, f"repeat 3 send jobQueue --from {order}")
    assert session.log == [f"repeat 3 send jobQueue $'{ORDER.encode('unicode_escape').decode()}'"]
    with pytest.raises(CommandError, match="cannot name a file per repetition"):
        execute(session, f"repeat 2 send jobQueue --from {tmp_path}/o-{{i}}.json")


def test_the_repl_completes_paths_after_from_and_checks_nothing_it_cannot_read(
    order: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(order.parent.parent)
    session = opened()
    assert tabbed(session, "send jobQueue --from fix") == ["send jobQueue --from fixtures/"]
    assert tabbed(session, "send jobQueue --from fixtures/o") == [
        "send jobQueue --from fixtures/order.json"
    ]
    # The body is read on Enter: the line is not refused before it for lacking one.
    for line in STIMULI:
        assert check(session, line.format("--from fixtures/order.json")) is None
    problem = check(session, "send jobQeue --from fixtures/order.json")
    assert problem is not None and "jobQueue" in (problem.hint or "")


def test_the_repl_offers_from_only_where_the_body_is_not_typed() -> None:
    session = opened()
    assert "--from" in complete(session, "send jobQueue --")
    assert "--from" not in complete(session, "send jobQueue '{}' --")
    # After `--from PATH` the body is given: the options are offered, no body in its place.
    execute(session, "send jobQueue '{\"jobId\": 1}'")
    after = complete(session, "send jobQueue --from docs/examples/order.json ")
    assert after == ["--delay", "--group", "--dedup-id", "--attr"]


def test_a_body_typed_as_at_a_file_is_sent_as_typed_with_a_note(order: Path) -> None:
    # `@FILE` reads a file in start-execution: `send` sends the text, as it always has (a
    # message may start with @), and says how the file's text is sent.
    session = opened()
    result = execute(session, f"send jobQueue @{order}")
    assert result.text.splitlines()[-1] == (
        f"note: the body is the text @{order}, as typed; for the text of the file it "
        f"names: --from {order}"
    )
    bodies = [m.body for m in session.sim.queue("jobQueue").messages.values()]
    assert bodies == [f"@{order}"]
    assert "note:" not in execute(session, "send jobQueue @ann").text


def test_curls_data_from_a_file_is_pointed_to_from() -> None:
    session = opened()
    with pytest.raises(CommandError) as caught:
        execute(session, "http POST /jobs -d @docs/examples/order.json --header a:b")
    assert caught.value.hint == (
        "curl's -d @FILE is --from FILE here: "
        "http POST /jobs --from docs/examples/order.json --header a:b"
    )


def test_a_byte_order_mark_is_no_part_of_the_body(tmp_path: Path) -> None:
    # Windows editors save one; JSON after it would not read as JSON.
    detail = tmp_path / "detail.json"
    detail.write_bytes(b"\xef\xbb\xbf" + ORDER.encode())
    typed, from_file = opened(), opened()
    execute(
        typed, f"publish eventBus orders OrderCreated $'{ORDER.encode('unicode_escape').decode()}'"
    )
    execute(from_file, f"publish eventBus orders OrderCreated --from {detail}")
    assert trace(from_file) == trace(typed)


def test_start_execution_takes_from_as_it_takes_at_file(order: Path) -> None:
    def machine() -> Session:
        return Session.open(
            EXAMPLES / "workflow-callback.yml",
            behaviors_path=EXAMPLES / "workflow-callback-behaviors.yml",
            start_ms=T0,
        )

    at_file, from_file = machine(), machine()
    execute(at_file, f"start-execution orderApproval @{order} --name small")
    execute(from_file, f"start-execution orderApproval --name small --from {order}")
    assert trace(from_file) == trace(at_file)
    assert from_file.log == at_file.log
