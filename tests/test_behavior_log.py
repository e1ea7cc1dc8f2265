"""A declared behaviour's `log` lines: JMESPath expressions or constants (a mapping is a JSON
line) evaluated against the invocation's input, written between START and the runtime's
lines of the function's log group, matched by subscription filters, bounded as a Python
handler's printed lines are, and checked with file:line:col when the file loads."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors, InvocationInput
from stptui.sim.clock import parse_instant
from stptui.sim.handler_logs import LOG_EVENT_MAX_BYTES
from stptui.sim.logs import decode_awslogs

START = "2026-01-05T08:00:00Z"
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: %s}}"
STACK = f"""serviceName: app
resources:
  worker:
    type: function
    properties:
      {PKG % "w.py"}
      timeout: 2
  counter:
    type: function
    properties:
      {PKG % "c.ts"}
      events:
        - type: cloudwatch-log
          properties:
            logGroupArn: $ResourceParam('worker', 'logGroupArn')
            filter: '{{ $.level = "ERROR" }}'
"""


def session(tmp_path: Path, behaviors: str, stack: str = STACK) -> Session:
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path, start_ms=parse_instant(START))


def group_lines(s: Session, function: str = "worker") -> list[str]:
    """The messages of the function's log group, oldest first, without their newline, after
    the INIT_START line its first execution environment begins with."""
    events = s.sim.services["logs"].groups[function].recent(1000)
    lines = [e.message.rstrip("\n") for e in events]
    assert lines[0].startswith("INIT_START Runtime Version: ")
    return lines[1:]


def diagnostics(behaviors: str, stack: str = STACK) -> list[tuple[str, int, int, str]]:
    """(code, line, column, message) of each error the behaviours file gets."""
    _, diags = Behaviors.from_text(behaviors, "stptui.yml", load_stack_text(stack))
    return [(d.code, d.line, d.column, d.message) for d in diags if d.severity == "error"]


def test_lines_come_between_start_and_the_runtime_lines_in_order(tmp_path: Path) -> None:
    behaviors = """behaviors:
  worker:
    duration: 250ms
    log:
      - "join(' ', ['order', id])"
      - {level: INFO, step: charged}
      - "`42`"
    fail:
      when: "id == 'bad'"
      error: KeyError
      message: order
"""
    s = session(tmp_path, behaviors)
    execute(s, """invoke worker '{"id": "bad"}'""")
    lines = group_lines(s)
    assert lines[0].startswith("START RequestId: ")
    assert lines[1:4] == ["order bad", '{"level":"INFO","step":"charged"}', "42"]
    assert lines[4].startswith("[ERROR] KeyError: order")
    assert lines[5].startswith("END ") and lines[6].startswith("REPORT ")
    handler = [r.data["text"] for r in s.sim.trace.records if r.kind == tk.HANDLER_LOG]
    assert handler == lines[1:4]


def test_lines_are_written_when_the_invocation_times_out(tmp_path: Path) -> None:
    behaviors = "behaviors:\n  worker:\n    log: \"'waiting for the bank'\"\n    timeout: true\n"
    s = session(tmp_path, behaviors)
    execute(s, "invoke worker")
    lines = group_lines(s)
    assert lines[1] == "waiting for the bank"
    # No line of Lambda's says it timed out but the REPORT line's status.
    assert lines[2].startswith("END RequestId: ")
    assert lines[3].endswith("\tStatus: timeout")


def test_a_json_line_is_matched_by_a_json_filter_and_delivered(tmp_path: Path) -> None:
    behaviors = """behaviors:
  worker:
    log:
      - "{level: 'INFO', order: id}"
      - "amount > `100` && {level: 'ERROR', order: id, amount: amount} || null"
"""
    s = session(tmp_path, behaviors)
    got: list[Any] = []
    invoker = s.sim.async_invokers["counter"]
    submit = invoker.submit

    def spy(event: Any, trigger: str, source: str) -> Any:
        got.append(event)
        return submit(event, trigger, source)

    invoker.submit = spy  # type: ignore[method-assign]
    execute(s, """invoke worker '{"id": "o-1", "amount": 5}'""")
    execute(s, """invoke worker '{"id": "o-2", "amount": 500}'""")
    execute(s, "run")
    assert '{"level":"INFO","order":"o-1"}' in group_lines(s)
    assert "null" not in group_lines(s), "a line whose expression finds null is not written"
    matched = [r for r in s.sim.trace.records if r.kind == tk.LOG_MATCHED]
    assert [r.data["message"] for r in matched] == [
        '{"level":"ERROR","order":"o-2","amount":500}\n'
    ]
    assert len(got) == 1
    events = decode_awslogs(got[0])["logEvents"]
    assert [json.loads(e["message"]) for e in events] == [
        {"level": "ERROR", "order": "o-2", "amount": 500}
    ]
    started = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED]
    assert [r.resource for r in started].count("counter") == 1


def test_a_batch_writes_each_records_lines_in_batch_order() -> None:
    stack = load_stack_text(STACK)
    behaviors, diags = Behaviors.from_text(
        'behaviors:\n  worker:\n    log: ["body.id", "\'done\'"]\n', "stptui.yml", stack
    )
    assert diags == []
    records = [{"messageId": f"m{i}", "body": json.dumps({"id": f"j{i}"})} for i in range(3)]
    inp = InvocationInput(
        "worker", 1, 1, "sqs", 0, 2000, lambda: {"Records": records}, lambda: records, "r"
    )
    out = behaviors.decide(inp, random.Random(0), [])
    assert out.logs == ["j0", "done", "j1", "done", "j2", "done"]


def test_a_line_over_the_event_limit_is_cut_as_lambda_cuts_it(tmp_path: Path) -> None:
    long = "x" * (LOG_EVENT_MAX_BYTES + 10)
    s = session(tmp_path, f'behaviors:\n  worker:\n    log: [["{long}"]]\n')
    execute(s, "invoke worker")
    lines = group_lines(s)
    # A list holding a string is a constant: the JSON array `["xxx..."]`, cut in two.
    assert [len(x) for x in lines[1:3]] == [
        LOG_EVENT_MAX_BYTES,
        len(long) + 4 - LOG_EVENT_MAX_BYTES,
    ]
    assert lines[3].startswith("END ")


def test_a_failing_expression_fails_the_invocation_saying_where(tmp_path: Path) -> None:
    behaviors = 'behaviors:\n  worker:\n    log:\n      - "abs(amount)"\n'
    s = session(tmp_path, behaviors)
    execute(s, """invoke worker '{"amount": "5"}'""")
    failed = [r.data for r in s.sim.trace.records if r.kind == tk.INVOCATION_FAILED]
    assert failed[0]["error"] == "BehaviorError"
    message = str(failed[0]["error_message"])
    assert "stptui.yml:4:9: worker.log[0] `abs(amount)`: abs() takes a number" in message
    assert "to_number(amount)" in message


def test_bad_lines_are_reported_at_their_line_and_column() -> None:
    behaviors = """behaviors:
  worker:
    log:
      - "join(' ', "
      - null
      - {ratio: .nan}
      - "'ok'"
"""
    found = diagnostics(behaviors)
    assert [(code, line, col) for code, line, col, _ in found] == [
        ("behavior-bad-jmespath", 4, 9),
        ("behavior-bad-value", 5, 9),
        ("behavior-bad-value", 6, 9),
    ]
    assert "a log line is null" in found[1][3]
    assert "NaN and Infinity have no JSON form" in found[2][3]
    # One line, not a list: the mistake is at the key's value.
    assert [f[:3] for f in diagnostics("behaviors:\n  worker:\n    log: 'a b'\n")] == [
        ("behavior-bad-jmespath", 3, 10)
    ]


def test_log_is_an_allowed_key_and_the_summary_says_it() -> None:
    stack = load_stack_text(STACK)
    behaviors, diags = Behaviors.from_text(
        "behaviors:\n  worker:\n    log: ['@', '@']\n  counter:\n    logs: x\n", "f", stack
    )
    unknown = [d for d in diags if d.code == "behavior-unknown-key"]
    assert "did you mean 'log'?" in unknown[0].message
    assert behaviors.describe("worker") == "100 ms; always succeeds; logs 2 lines"


def test_the_fast_path_is_kept_for_behaviours_without_log() -> None:
    stack = load_stack_text(STACK)
    text = "behaviors:\n  worker:\n    fail: {rate: 0.5}\n    log: \"'x'\"\n  counter:\n"
    text += "    fail: {rate: 0.5}\n"
    behaviors, _ = Behaviors.from_text(text, "stptui.yml", stack)
    assert behaviors.quick("worker") is None, "its lines need the input"
    assert behaviors.quick("counter") is not None


def test_same_inputs_same_trace(tmp_path: Path) -> None:
    behaviors = """behaviors:
  worker:
    duration: {min: 10ms, max: 900ms}
    fail: {rate: 0.5}
    log: ["{level: 'ERROR', n: n}", "'tick'"]
"""

    def run(where: Path) -> list[str]:
        where.mkdir()
        s = session(where, behaviors)
        for n in range(5):
            execute(s, f"""invoke worker '{{"n": {n}}}'""")
        execute(s, "run")
        written = [r.data["text"] for r in s.sim.trace.records if r.kind == tk.HANDLER_LOG]
        assert written[-2:] == ['{"level":"ERROR","n":4}', "tick"]
        return [r.to_line() for r in s.sim.trace.records]

    assert run(tmp_path / "a") == run(tmp_path / "b")


# Text YAML takes as it is inside a double-quoted scalar (JSON escapes the control characters).
TEXT = st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp"))
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(TEXT, max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(TEXT, max_size=5), inner),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(line=st.dictionaries(st.text(TEXT, min_size=1, max_size=6), JSON_VALUES, max_size=4))
def test_a_constant_mapping_is_written_as_its_compact_json(line: dict[str, Any]) -> None:
    # JSON is YAML: the mapping written into the file is read back as the same line.
    text = "behaviors:\n  worker:\n    log: [" + json.dumps(line, ensure_ascii=False) + "]\n"
    behaviors, diags = Behaviors.from_text(text, "stptui.yml", load_stack_text(STACK))
    assert [d for d in diags if d.severity == "error"] == []
    inp = InvocationInput("worker", 1, 1, "invoke", 0, 2000, lambda: {})
    (written,) = behaviors.decide(inp, random.Random(0), []).logs
    assert json.loads(written) == line
    assert written == json.dumps(line, separators=(",", ":"), ensure_ascii=False)
