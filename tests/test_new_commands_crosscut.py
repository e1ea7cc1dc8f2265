"""Today's commands (produce, set-alarm-state, ws-connect/-send/-post/-disconnect and the
views show kafka-topic(s), show alarms, show connections) and emissions (produce,
postToConnection) across the promises every command keeps: save/load and record/source
replay them to the identical trace and views; the same script gives the same trace; the
REPL completes their values and judges a line before Enter as the command would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.commands.session import trace_sha256
from stptui.config import load_stack
from stptui.repl.candidates import candidates
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant
from tests.session_checks import assert_replays, run_line, trace_lines, views_of, write_stack

START = parse_instant("2026-01-05T08:00:00Z")

# A WebSocket API whose sendMessage route posts an echo back (postToConnection) and produces
# the message to a Kafka topic another function reads; its $default function fails on
# `crash`, which its error-rate alarm watches.
STACK = """\
resources:
  realtime:
    type: websocket-api-gateway
  events:
    type: kafka-cluster
  onConnect:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: c.ts}}
      events:
        - type: websocket-api-gateway
          properties: {websocketApiGatewayName: realtime, routeKey: $connect}
  sendMessage:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: s.ts}}
      connectTo: [events]
      events:
        - type: websocket-api-gateway
          properties:
            websocketApiGatewayName: realtime
            routeKey: sendMessage
            returnResponse: true
  fallback:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}
      events:
        - type: websocket-api-gateway
          properties: {websocketApiGatewayName: realtime, routeKey: $default}
      alarms:
        - trigger:
            type: lambda-error-rate
            properties: {thresholdPercent: 10}
          evaluation: {period: 60, evaluationPeriods: 1, breachedPeriods: 1}
  auditor:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: kafka-topic
          properties: {kafkaClusterName: events, topicName: audit, batchSize: 2}
"""

BEHAVIORS = """\
behaviors:
  sendMessage:
    duration: 15ms
    response: "{statusCode: `200`}"
    emit:
      - postToConnection:
          connectionId: requestContext.connectionId
          data: "join('', ['echo: ', body])"
      - produce:
          topic: audit
          value: body
  fallback:
    duration: 10ms
    fail:
      when: "body == 'crash'"
      error: Crash
"""

VIEWS = ("show kafka-topics", "show kafka-topic audit", "show alarms", "show connections")
SEND = 'ws-send {c} \'{{"action": "sendMessage"}}\''


@pytest.fixture
def stack_file(tmp_path: Path) -> Path:
    return write_stack(tmp_path, STACK, BEHAVIORS)


def _open(stack_file: Path, *, start_ms: int = START, seed: int = 0) -> Session:
    return Session.open(stack_file, start_ms=start_ms, seed=seed)


class Driver:
    """Runs command templates on a session: `{c}` is the newest connection ws-connect
    opened (or an id no connection has)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.connections: list[str] = []

    def run(self, template: str, pick: int = -1) -> None:
        """Run one line; a refused one must leave the simulation as it was."""
        conn = self.connections[pick % len(self.connections)] if self.connections else "nope"
        result = run_line(self.session, template.format(c=conn))
        if result is None:
            return
        data = result.data
        if isinstance(data, dict) and data.get("connected"):
            self.connections.append(data["connection_id"])


# -- sessions --------------------------------------------------------------------------------

SCENARIOS = {
    "produce": ["produce audit hello --key k-1 --header a=b", "produce audit x --partition 2"],
    "set-alarm-state": [
        "set-alarm-state fallback.alarms.0 ALARM --reason drill",
        "advance 30s",
        "set-alarm-state fallback.alarms.0 OK",
    ],
    "ws-connect": ["ws-connect realtime"],
    "ws-send and its emissions": ["ws-connect", SEND, "ws-send {c} crash", "advance 2m"],
    "ws-post": ["ws-connect", "ws-post {c} ping"],
    "ws-disconnect": ["ws-connect", "ws-disconnect {c}"],
    "ws-disconnect --server": ["ws-connect", "ws-disconnect {c} --server"],
    "the idle close": ["ws-connect", "advance 11m"],
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_save_and_load_after_each_new_command_give_the_identical_trace_and_views(
    stack_file: Path, tmp_path: Path, name: str
) -> None:
    first = _open(stack_file)
    driver = Driver(first)
    for line in SCENARIOS[name]:
        driver.run(line)
    assert first.log, "the scenario changed nothing"
    target = tmp_path / "saved.json"
    execute(first, f"save {target}")
    assert json.loads(target.read_text())["commands"] == first.log
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    other = _open(stack_file, start_ms=START + 5_000, seed=7)
    execute(other, "ws-connect")  # what the load replaces
    execute(other, f"load {target}")
    assert trace_lines(other) == trace_lines(first)
    assert views_of(other, VIEWS) == views_of(first, VIEWS)
    # Both go on identically: open connections close, alarms evaluate, batches are read.
    for session in (first, other):
        execute(session, "advance 3h")
    assert trace_sha256(other.sim.trace) == trace_sha256(first.sim.trace)
    assert views_of(other, VIEWS) == views_of(first, VIEWS)


def test_a_recording_of_the_new_commands_sources_to_the_identical_trace(
    stack_file: Path, tmp_path: Path
) -> None:
    first = _open(stack_file)
    driver = Driver(first)
    driver.run("ws-connect")
    execute(first, f"record {tmp_path / 'run.stp'}")
    for line in (SEND, "produce audit direct", "ws-post {c} ping", "ws-send {c} crash"):
        driver.run(line)
    for line in ("set-alarm-state fallback.alarms.0 ALARM", "ws-disconnect {c}", "advance 5m"):
        driver.run(line)
    execute(first, "record stop")
    again = _open(stack_file)
    execute(again, f"source {tmp_path / 'run.stp'}")
    assert trace_lines(again) == trace_lines(first)
    assert views_of(again, VIEWS) == views_of(first, VIEWS)


# -- determinism -----------------------------------------------------------------------------

TEMPLATES = [
    "ws-connect",
    "ws-connect realtime --header x-client:web --query room=1",
    SEND,
    "ws-send {c} crash",
    "ws-send {c} 'plain text'",
    "ws-post {c} ping",
    "ws-disconnect {c}",
    "ws-disconnect {c} --server",
    "produce audit v",
    "produce audit v --key customer-1",
    "produce audit v --partition 1",
    "produce audit v --partition 3",  # the topic has 3 partitions: refused
    "set-alarm-state fallback.alarms.0 ALARM",
    "set-alarm-state fallback.alarms.0 OK --reason checked",
    "set-alarm-state fallback.alarms.0 INSUFFICIENT_DATA",
    "advance 1s",
    "advance 45s",
    "advance 11m",
]

scripts = st.lists(
    st.tuples(st.sampled_from(TEMPLATES), st.integers(0, 5)), min_size=1, max_size=14
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=scripts)
def test_the_same_script_of_new_commands_gives_the_same_trace_and_replays_from_a_save(
    script: list[tuple[str, int]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    def drive(session: Session) -> None:
        driver = Driver(session)
        for template, pick in script:
            driver.run(template, pick)
        execute(session, "advance 2m")

    stack = write_stack(tmp_path_factory.mktemp("stack"), STACK, BEHAVIORS)
    assert_replays(stack, START, drive, VIEWS)


# -- the REPL --------------------------------------------------------------------------------


def _texts(session: Session, line: str) -> list[str]:
    return [c.text for c in candidates(session, line)]


def test_completion_offers_the_new_commands_values(stack_file: Path) -> None:
    session = _open(stack_file)
    for name in ("produce", "set-alarm-state", "ws-connect", "ws-send", "ws-post"):
        assert name in _texts(session, "")
    assert _texts(session, "produce ") == ["audit"]
    assert _texts(session, "show kafka-topic ") == ["audit"]
    assert "--partition" in _texts(session, "produce audit v ")
    assert _texts(session, "ws-connect ") == ["realtime"]
    assert _texts(session, "show connections ") == ["realtime"]
    # Alarm names were not offered at all: ALARM was a plain word.
    alarms = candidates(session, "set-alarm-state ")
    assert [c.text for c in alarms] == ["fallback.alarms.0"]
    assert alarms[0].meta.startswith("alarm INSUFFICIENT_DATA: ")
    assert _texts(session, "set-alarm-state fallback.alarms.0 ") == [
        "OK",
        "ALARM",
        "INSUFFICIENT_DATA",
    ]
    assert "--reason" in _texts(session, "set-alarm-state fallback.alarms.0 ALARM ")
    # Only open connections, the newest first.
    driver = Driver(session)
    for line in ("ws-connect", "ws-connect", "ws-connect", "ws-disconnect {c}"):
        driver.run(line, 0)
    closed, second, third = driver.connections
    for verb in ("ws-send", "ws-post", "ws-disconnect"):
        offered = _texts(session, f"{verb} ")
        # After the ids, the references that name one (`$last`, `$newest:`).
        ids = [text for text in offered if not text.startswith("$")]
        assert ids == [third, second] and closed not in offered, verb
        assert offered[len(ids) :] == ["$last", "$newest:"], verb


@pytest.mark.parametrize(
    "line",
    [
        "produce audit v --partition 9",
        "produce audit v --partition x",
        "produce audit v --header x",
        "produce audti v",
        "ws-connect realtime --query tok",
        "ws-connect realtime --header nocolon",
        "set-alarm-state fallback.alarms.9 ALARM",
        "set-alarm-state fallback.alarms.0 ALRM",
        "set-alarm-state fallback.alarms.0 ALARM --reason ''",
        "ws-send {closed} hi",
        "ws-disconnect {closed}",
        "ws-disconnect {closed} --server",
        "ws-post {closed} hi",
        "ws-send nope hi",
        "ws-post nope hi",
    ],
)
def test_the_check_before_enter_says_what_the_command_would(stack_file: Path, line: str) -> None:
    session = _open(stack_file)
    driver = Driver(session)
    driver.run("ws-connect")
    driver.run("ws-disconnect {c}")
    line = line.format(closed=driver.connections[0])
    with pytest.raises(CommandError) as err:
        execute(session, line)
    problem = check(session, line, final=True)
    assert problem is not None, line
    assert problem.message == err.value.message


def test_only_the_management_api_answers_gone_exception(stack_file: Path) -> None:
    session = _open(stack_file)
    driver = Driver(session)
    driver.run("ws-connect")
    driver.run("ws-disconnect {c}")
    closed = driver.connections[0]
    said = {}
    for line in (f"ws-send {closed} hi", f"ws-disconnect {closed}"):
        said[line] = check(session, line).message  # type: ignore[union-attr]
    for line in (f"ws-post {closed} hi", f"ws-disconnect {closed} --server"):
        said[line] = check(session, line).message  # type: ignore[union-attr]
    assert [m.startswith("GoneException: ") for m in said.values()] == [
        False,
        False,
        True,
        True,
    ]
    assert said[f"ws-send {closed} hi"].endswith("the client's socket is closed")


# -- validate: the route selection expression ------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "reads"),
    [
        ("$request.header.foo", "$request.header.foo"),
        ("$request.body", "$request.body"),
        ("${request.body}", "${request.body}"),
        ("${context.routeKey}", "${context.routeKey}"),
        ("$request.body.action-$request.querystring.v", "$request.querystring.v"),
    ],
)
def test_a_selection_expression_aws_does_not_evaluate_is_an_error_at_its_value(
    tmp_path: Path, expression: str, reads: str
) -> None:
    config = tmp_path / "stacktape.yml"
    config.write_text(
        "resources:\n  realtime:\n    type: websocket-api-gateway\n    properties:\n"
        f"      routeSelectionExpression: '{expression}'\n"
    )
    diagnostics = load_stack(config).diagnostics
    [diag] = [d for d in diagnostics if "routeSelectionExpression" in d.message]
    assert (diag.severity, diag.code, diag.resource) == ("error", "invalid-value", "realtime")
    assert f"reads {reads}, which a WebSocket API does not evaluate" in diag.message
    assert diag.hint is not None and "$request.body.action" in diag.hint
    assert (diag.file, diag.line, diag.column) == (str(config), 5, 33)


@pytest.mark.parametrize(
    "expression",
    ["$request.body.action", "${request.body.msg.type}", "${request.body.v}-beta", "\\$default"],
)
def test_selection_expressions_that_read_the_body_are_accepted(
    tmp_path: Path, expression: str
) -> None:
    config = tmp_path / "stacktape.yml"
    config.write_text(
        "resources:\n  realtime:\n    type: websocket-api-gateway\n    properties:\n"
        f"      routeSelectionExpression: '{expression}'\n"
    )
    diagnostics = load_stack(config).diagnostics
    assert not [d for d in diagnostics if "routeSelectionExpression" in d.message]
