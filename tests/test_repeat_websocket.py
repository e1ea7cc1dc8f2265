"""`repeat` of `ws-connect` and `ws-send`: detached (the clock carries API Gateway's answers),
a later repetition on a closed connection refused and counted while the load goes on, and
save/load replaying a WebSocket load mid-way exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from session_checks import assert_replays, run_line, trace_lines

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
CHAT = ROOT / "docs" / "examples" / "chat.yml"
BEHAVIORS = ROOT / "docs" / "examples" / "chat-behaviors.yml"
START = parse_instant("2026-01-05T08:00:00Z")
# sendMessage posts an echo of each message back (postToConnection) after 15 ms; fallback
# (the $default route) answers nothing after 10 ms.
ECHO = '{"action": "sendMessage", "n": {i}}'


def _open() -> Session:
    return Session.open(CHAT, behaviors_path=BEHAVIORS, start_ms=START)


def _connected(session: Session) -> str:
    return str(execute(session, "ws-connect realtime --query token=t-1").data["connection_id"])


def _count(session: Session, kind: str, **fields: object) -> int:
    return sum(
        r.kind == kind and all(r.data.get(k) == v for k, v in fields.items())
        for r in session.sim.trace.records
    )


def test_a_repeated_ws_send_does_not_wait_and_the_clock_carries_the_answers() -> None:
    session = _open()
    conn = _connected(session)
    before = session.sim.clock.now
    result = execute(session, f"repeat 20 ws-send {conn} '{ECHO}'")
    assert result.text.endswith("now: 20 accepted, 0 refused")
    assert session.sim.clock.now == before  # every message is in flight; nothing waited
    assert _count(session, tk.WS_MESSAGE) == 20
    assert _count(session, tk.WS_RECEIVED) == 0
    execute(session, "advance 1s")
    echoes = [r.data for r in session.sim.trace.records if r.kind == tk.WS_RECEIVED]
    assert len(echoes) == 20 and {e["source"] for e in echoes} == {"management-api"}
    inbox = session.sim.services["websocket"].connection(conn).inbox
    assert [item.data for item in inbox][:2] == [
        'echo: {"action": "sendMessage", "n": 1}',
        'echo: {"action": "sendMessage", "n": 2}',
    ]


@settings(max_examples=25, deadline=None)
@given(count=st.integers(1, 40), every=st.integers(1, 3_000), burst=st.booleans())
def test_every_repeated_message_is_answered_once_in_the_order_sent(
    count: int, every: int, burst: bool
) -> None:
    session = _open()
    conn = _connected(session)
    timing = "" if burst else f"--every {every}ms "
    execute(session, f"repeat {count} {timing}ws-send {conn} '{ECHO}'")
    execute(session, "run")
    inbox = [item.data for item in session.sim.services["websocket"].connection(conn).inbox]
    assert inbox == [f'echo: {{"action": "sendMessage", "n": {i}}}' for i in range(1, count + 1)]


def test_ws_send_alone_still_waits_for_its_route() -> None:
    session = _open()
    conn = _connected(session)
    before = session.sim.clock.now
    result = execute(session, f'ws-send {conn} \'{{"action": "sendMessage"}}\'')
    assert session.sim.clock.now == before + 15
    assert 'received (management-api): echo: {"action": "sendMessage"}' in result.text


def test_a_repetition_on_a_connection_closed_mid_way_is_refused_and_the_load_goes_on() -> None:
    session = _open()
    first, second = _connected(session), _connected(session)
    execute(session, f"repeat 100 --every 100ms ws-send {first} '{ECHO}'")
    execute(session, f"repeat 100 --every 100ms ws-send {second} '{ECHO}'")
    execute(session, "advance 4950ms")  # repetitions 1 to 50 of each
    execute(session, f"ws-disconnect {first}")
    execute(session, "advance 1m")
    refused = [r for r in session.sim.trace.records if r.kind == tk.REPEAT_REFUSED]
    assert {r.resource for r in refused} == {"repeat-1"}
    assert [r.data["i"] for r in refused] == list(range(51, 101))
    assert "the client's socket is closed" in refused[0].data["error"]
    completed = [r for r in session.sim.trace.records if r.kind == tk.REPEAT_COMPLETED]
    assert [(r.resource, r.data) for r in completed] == [
        ("repeat-1", {"ran": 100, "refused": 50}),
        ("repeat-2", {"ran": 100, "refused": 0}),
    ]
    assert _count(session, tk.WS_RECEIVED, connection_id=first) == 50
    assert _count(session, tk.WS_RECEIVED, connection_id=second) == 100
    explained = execute(session, "explain repeat-1").text
    assert "completed: 50 accepted, 50 refused" in explained


def test_a_repeated_ws_connect_opens_a_connection_per_repetition() -> None:
    session = _open()
    result = execute(session, "repeat 5 --every 1s ws-connect realtime --query token=t-{i}")
    assert "1 now, then every 1 s" in result.text
    assert session.sim.clock.now == START
    execute(session, "advance 10s")
    # The authorizer lets t-1 in only: API Gateway's 403 is its answer, not a refusal of
    # the command, and the trace has it.
    assert _count(session, tk.WS_CONNECTED) == 1
    assert _count(session, tk.WS_REFUSED, status=403) == 4
    done = [r.data for r in session.sim.trace.records if r.kind == tk.REPEAT_COMPLETED]
    assert done == [{"ran": 5, "refused": 0}]
    states = [c.state for c in session.sim.services["websocket"].listing()]
    assert states == ["open", "refused", "refused", "refused", "refused"]


def test_a_burst_of_connections_answered_at_once_and_by_the_clock() -> None:
    session = _open()
    # No identity source: API Gateway answers 401 at once, without the authorizer.
    execute(session, "repeat 3 ws-connect realtime")
    assert _count(session, tk.WS_REFUSED, status=401) == 3
    execute(session, "repeat 3 ws-connect realtime --query token=t-1")
    assert _count(session, tk.WS_CONNECTED) == 0  # the authorizer runs on the clock
    execute(session, "advance 1s")
    assert _count(session, tk.WS_CONNECTED) == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("repeat 3 ws-disconnect {conn}", "repeat cannot repeat ws-disconnect"),
        ("repeat 3 ws-send nope x", "no connection 'nope'"),
        ("repeat 3 --every 1s ws-send {conn} x", "the client's socket is closed"),
        ("repeat 3 ws-connect nope", "no websocket-api-gateway named 'nope'"),
    ],
)
def test_a_refused_first_repetition_refuses_the_line_and_changes_nothing(
    line: str, message: str
) -> None:
    session = _open()
    conn = _connected(session)
    execute(session, f"ws-disconnect {conn}")
    execute(session, "advance 1s")
    before = trace_lines(session)
    log = list(session.log)
    with pytest.raises(CommandError) as refused:
        execute(session, line.format(conn=conn))
    assert message in refused.value.message
    assert refused.value.hint
    assert run_line(session, line.format(conn=conn)) is None
    assert trace_lines(session) == before and session.log == log


def test_save_and_load_replay_a_websocket_load_mid_way(tmp_path: Path) -> None:
    stack = tmp_path / "stacktape.yml"
    shutil.copy(CHAT, stack)
    shutil.copy(BEHAVIORS, tmp_path / "stptui.yml")

    def drive(session: Session) -> None:
        conn = _connected(session)
        for line in (
            f"repeat 200 --every 20ms ws-send {conn} '{ECHO}'",
            "repeat 4 --every 500ms ws-connect realtime --query token=t-1",
            f"repeat 50 --every 40ms ws-send {conn} crash-{{i}}",
            "advance 1500ms",
            f"ws-disconnect {conn}",
            "advance 1s",
        ):
            execute(session, line)

    views = ("show connections", "show agenda", "show functions")
    first, loaded = assert_replays(stack, START, drive, views)
    for session in (first, loaded):
        execute(session, "advance 10s")
    assert trace_lines(loaded) == trace_lines(first)
    assert _count(first, tk.REPEAT_REFUSED) > 0
    assert _count(first, tk.WS_CONNECTED) == 5


def test_a_repeated_message_over_128_kb_closes_the_connection_and_the_rest_are_refused() -> None:
    session = _open()
    conn = _connected(session)
    big = "x" * (128 * 1024 + 1)
    execute(session, f"repeat 3 --every 1s ws-send {conn} {big}")
    execute(session, "advance 5s")
    assert _count(session, tk.WS_DISCONNECTED, status_code=1009) == 1
    assert _count(session, tk.WS_MESSAGE) == 0
    assert _count(session, tk.REPEAT_REFUSED) == 2  # the socket closed after the first
