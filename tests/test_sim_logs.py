"""CloudWatch Logs: the filter pattern grammar, the lines Lambda writes, the log streams,
the subscription payload, validate's findings and the delivery of subscription filters."""

from __future__ import annotations

import base64
import gzip
import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant
from stptui.sim.engine import Simulator
from stptui.sim.log_patterns import FilterPatternError, compile_filter, explain, matches
from stptui.sim.logs import (
    decode_awslogs,
    encode_awslogs,
    error_line,
    event_id,
    group_from_arn,
    report_line,
    stream_name,
    subscription_data,
)

ROOT = Path(__file__).resolve().parents[1]
START = "2026-01-05T08:00:00Z"
PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: %s}}"


def stack_yaml(
    *,
    filter_: str = "",
    group: str = "$ResourceParam('worker', 'logGroupArn')",
    subscriber: str = "alerter",
    entry: str = "a.py",
    extra: str = "",
) -> str:
    """A worker and a subscriber whose `cloudwatch-log` event names `group`."""
    return (
        "serviceName: app\nresources:\n"
        f"  worker:\n    type: function\n    properties:\n      {PACKAGING % entry}\n"
        "      timeout: 2\n"
        f"  {subscriber}:\n    type: function\n    properties:\n      {PACKAGING % 'b.ts'}\n"
        "      events:\n        - type: cloudwatch-log\n          properties:\n"
        f"            logGroupArn: \"{group}\"\n            filter: '{filter_}'\n{extra}"
    )


def session(tmp_path: Path, stack: str, behaviors: str = "") -> Session:
    (tmp_path / "stacktape.yml").write_text(stack, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(tmp_path, start_ms=parse_instant(START))


def records(s: Session, kind: str) -> list[dict[str, object]]:
    return [dict(r.data, t=r.t) for r in s.sim.trace.records if r.kind == kind]


# -- the grammar -------------------------------------------------------------------------

CLOUDTRAIL = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "ThisFlag": True,
    }
)
USERS = json.dumps(
    {
        "user": {"id": 1, "email": "John.Stiles@example.com"},
        "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3}],
        "actions": ["GET", "PUT", "DELETE"],
        "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
        "latency": 750,
    }
)
APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'

# (pattern, message, matches): the CloudWatch Logs guide's own examples first.
CASES = [
    ("", "anything at all", True),
    ("ERROR", "[ERROR] A fatal exception has occurred", True),
    ("ERROR", "Exiting with ERRORCODE: -1", True),
    ("ERROR", "error: lower case", False),
    ('"ERROR" - "Exiting"', "Exiting with ERRORCODE: -1", False),
    ('"ERROR" - "Exiting"', "[ERROR] A fatal exception has occurred", True),
    ("ERROR Exception", "[ERROR] Caught IllegalArgumentException", True),
    ("ERROR Exception", "[ERROR] Unhandled thing", False),
    ("?ERROR ?WARN", "WARN message", True),
    ("?ERROR ?WARN", "INFO message", False),
    ("ERROR WARN", "ERROR message", False),
    # `?` beside plain terms and phrases: every plain term and one `?` term (a choice, see
    # docs/fidelity.md); CDK's anyTermGroup output reads differently under it.
    ('ERROR ?timeout ?"timed out"', "ERROR: Task timed out", True),
    ('ERROR ?timeout ?"timed out"', "WARN: Task timed out", False),
    ('ERROR ?timeout ?"timed out"', "ERROR: Task failed", False),
    ("?ERROR ?WARN -Deadlock", "WARN Deadlock", False),
    ('?"ERROR" "MainThread" ?"WARN" "Deadlock"', "WARN MainThread Deadlock", True),
    ('?"ERROR" "MainThread" ?"WARN" "Deadlock"', "ERROR in MainThread", False),
    ("ERROR -WARN", "ERROR message", True),
    ("ERROR -WARN", "ERROR WARN message", False),
    ('"Task timed out"', "2026-01-05T08:00:03.000Z id Task timed out after 3.00 seconds", True),
    ("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", True),
    ("%^\\[ERROR.4\\d\\d\\]%", "[ERROR 404] NOT FOUND", True),
    ("%^\\[ERROR.4\\d\\d\\]%", "[ERROR 500] BROKEN", False),
    ('{ $.eventType = "UpdateTrail" }', CLOUDTRAIL, True),
    ("{ $.sourceIPAddress != 123.123.* }", CLOUDTRAIL, True),
    ("{ $.sourceIPAddress = 111.* }", CLOUDTRAIL, True),
    ('{ $.arrayKey[0] = "value" }', CLOUDTRAIL, True),
    ("{ $.objectList[1].id = 2 }", CLOUDTRAIL, True),
    ("{ $.SomeObject IS NULL }", CLOUDTRAIL, True),
    ("{ $.SomeOtherObject NOT EXISTS }", CLOUDTRAIL, True),
    ("{ $.eventType NOT EXISTS }", CLOUDTRAIL, False),
    ("{ $.ThisFlag IS TRUE }", CLOUDTRAIL, True),
    ("{ $.ThisFlag IS FALSE }", CLOUDTRAIL, False),
    ("{ $.eventType = %Trail% }", CLOUDTRAIL, True),
    ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', USERS, True),
    ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', USERS, False),
    (
        '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && '
        "$.actions[2] = nomatch }",
        USERS,
        True,
    ),
    (
        '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && '
        "$.actions[2] = nomatch }",
        USERS,
        False,
    ),
    ("{ $.users = 1 }", '{"users": [1, 2, 3]}', False),
    ("{ $.users != 1 }", '{"users": [1, 2, 3]}', False),
    ("{ $.latency >= 500 }", USERS, True),
    ("{ $.latency > +1000 }", USERS, False),
    ("{ $.latency < 10e3 }", USERS, True),
    ("{ $.latency = 750 }", USERS, True),
    ("{ $.latency != 750 }", USERS, False),
    ('{ $.level = "ERROR" }', "ERROR not json", False),
    ('{ $.level = "ERROR" }', '{"level": "ERROR", "msg": "boom"}\n', True),
    ("[ip, user, username, timestamp, request, status_code, bytes]", APACHE, True),
    ("[ip, user, username, timestamp, request, status_code]", APACHE, False),
    ("[..., status_code, bytes]", APACHE, True),
    ("[ip, user, ...]", APACHE, True),
    ("[ip, user, ..., status_code = 4*, bytes > 1000]", APACHE, True),
    ("[ip, user, ..., status_code = 4*, bytes > 2000]", APACHE, False),
    ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", APACHE, True),
    (
        "[ip, user, username, timestamp, request, status_code = 4* && status_code != 404, bytes]",
        APACHE,
        False,
    ),
    (
        "[ip, user, username, timestamp, request, status_code = 200 || status_code = 404, bytes]",
        APACHE,
        True,
    ),
    ("[..., request=*.html*, status_code=4*,]", APACHE, True),
    ("[w1=ERROR || w1=WARN, w2]", "WARN message", True),
    ("[w1=ERROR || w1=WARN, w2]", "INFO message", False),
    ("[ip, ..., request = %GET%, status, bytes]", APACHE, True),
]


@pytest.mark.parametrize(("pattern", "message", "expected"), CASES)
def test_filter_patterns_match_as_the_guide_says(
    pattern: str, message: str, expected: bool
) -> None:
    assert matches(pattern, message) is expected
    why = explain(pattern, message)
    assert why.matched is expected
    assert why.reasons, "every verdict says why"


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("ERROR:", "Invalid character(s) in term ':'"),
        ("\u201cERROR\u201d", "Invalid character(s) in term"),
        ("{ $.level = }", "expected a value"),
        ("{ $.level = 1", "ends with }"),
        ("{ level = 1 }", "selector"),
        ("{ $.latency > slow }", "compares numbers"),
        ("{ $.a = 1 $.b = 2 }", "expected && or ||"),
        ("{ ($.a = 1 }", "closing )"),
        ("[ip, user", "ends with ]"),
        ("[ip, status_code = 4* && bytes > 1000]", "may name only status_code"),
        ("%(ERROR|WARN)%", "( and )"),
        ("%ERROR!%", "'!' is not supported"),
        ("{ $.a = %x% || $.b = %y% || $.c = %z% }", "at most 2 regular expressions"),
        ('"unclosed', "not closed"),
        ("x" * 1025, "at most 1024 characters"),
    ],
)
def test_invalid_patterns_are_refused_with_a_reason(pattern: str, reason: str) -> None:
    with pytest.raises(FilterPatternError) as exc:
        compile_filter(pattern)
    assert reason in str(exc.value)
    assert exc.value.aws_message == "Invalid filter pattern"
    assert 0 <= exc.value.offset <= len(pattern)


WORDS = st.sampled_from(["ERROR", "WARN", "INFO", "timed", "out", "42", "x_y"])


@settings(max_examples=200, deadline=None)
@given(
    terms=st.lists(st.tuples(st.sampled_from(["", "?", "-"]), WORDS), min_size=1, max_size=4),
    message=st.lists(WORDS, max_size=6).map(" ".join),
)
def test_explain_agrees_with_matches_on_terms(terms: list[tuple[str, str]], message: str) -> None:
    pattern = " ".join(p + w for p, w in terms)
    compiled = compile_filter(pattern)
    required = [w for p, w in terms if p == ""]
    optional = [w for p, w in terms if p == "?"]
    excluded = [w for p, w in terms if p == "-"]
    expected = (
        all(w in message for w in required)
        and (not optional or any(w in message for w in optional))
        and not any(w in message for w in excluded)
    )
    assert compiled.matches(message) is expected
    assert compiled.explain(message).matched is expected


@settings(max_examples=200, deadline=None)
@given(
    level=st.sampled_from(["ERROR", "WARN", None]),
    latency=st.one_of(st.none(), st.integers(-5, 2000), st.text(max_size=3)),
    op=st.sampled_from(["=", "!=", "<", ">", "<=", ">="]),
    bound=st.integers(-5, 2000),
)
def test_explain_agrees_with_matches_on_json(
    level: str | None, latency: object, op: str, bound: int
) -> None:
    doc: dict[str, object] = {}
    if level is not None:
        doc["level"] = level
    if latency is not None:
        doc["latency"] = latency
    message = json.dumps(doc)
    pattern = f'{{ $.level = "ERROR" || ($.latency {op} {bound} && $.level NOT EXISTS) }}'
    assert compile_filter(pattern).matches(message) is explain(pattern, message).matched


# -- the pure pieces ----------------------------------------------------------------------


def test_log_group_arns_and_stream_names() -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app-dev-worker"
    assert group_from_arn(arn) == "/aws/lambda/app-dev-worker"
    assert group_from_arn(arn + ":*") == "/aws/lambda/app-dev-worker"
    assert group_from_arn("arn:aws:lambda:us-east-1:123456789012:function:app-dev-w") is None
    name = stream_name(parse_instant(START), "k")
    assert name.startswith("2026/01/05/[$LATEST]") and len(name) == len("2026/01/05/[$LATEST]") + 32
    assert stream_name(0, "k") != stream_name(0, "other")


def test_event_ids_carry_their_timestamp_as_aws_ids_do() -> None:
    # The Lambda guide's example id, shifted right by 144 bits, is its timestamp.
    assert 34622316099697884706540976068822859012661220141643892546 >> 144 == 1552518348220
    ident = event_id(1552518348220, 7)
    assert len(ident) == 56 and int(ident) >> 144 == 1552518348220 and int(ident) & 0xFF == 7


def test_runtime_lines_have_aws_formats() -> None:
    # Each field followed by a tab (the space before `Memory Size` in the guide's example is
    # a 2019 line's, before billing by the millisecond); a timeout adds its status.
    assert report_line("r1", 47, 192) == (
        "REPORT RequestId: r1\tDuration: 47.00 ms\tBilled Duration: 47 ms\t"
        "Memory Size: 192 MB\tMax Memory Used: 72 MB\t\n"
    )
    assert report_line("r1", 3000, 128, timed_out=True) == (
        "REPORT RequestId: r1\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
        "Memory Size: 128 MB\tMax Memory Used: 72 MB\tStatus: timeout\n"
    )
    assert error_line(True, 0, "r1", "KeyError", "'id'") == (
        "[ERROR] KeyError: 'id'\nTraceback (most recent call last):\n"
    )
    node = error_line(False, 0, "r1", "Error", "boom")
    assert node.startswith("1970-01-01T00:00:00.000Z\tr1\tERROR\tInvoke Error \t{")
    assert json.loads(node.split("Invoke Error \t", 1)[1]) == {
        "errorType": "Error",
        "errorMessage": "boom",
        "stack": ["Error: boom"],
    }


def test_payload_shape_and_decoding() -> None:
    data = subscription_data(
        "123456789012", "/aws/lambda/f", "2026/01/05/[$LATEST]ab", ["flt"], [("1", 5, "hi\n")]
    )
    assert list(data) == [
        "messageType",
        "owner",
        "logGroup",
        "logStream",
        "subscriptionFilters",
        "logEvents",
    ]
    event = encode_awslogs(data)
    assert list(event) == ["awslogs"] and list(event["awslogs"]) == ["data"]
    raw = gzip.decompress(base64.b64decode(event["awslogs"]["data"]))
    assert json.loads(raw) == data == decode_awslogs(event)
    assert encode_awslogs(data) == event, "gzip with mtime 0: the same bytes every time"
    assert base64.b64decode(event["awslogs"]["data"])[4:8] == b"\0\0\0\0"
    with pytest.raises(ValueError, match="not a CloudWatch Logs event"):
        decode_awslogs({"awslogs": {"data": "not base64!"}})


# -- validate -----------------------------------------------------------------------------


def codes(text: str) -> list[tuple[str, str, int]]:
    found = load_stack_text(text, "stacktape.yml").diagnostics  # lint's findings included
    return [(d.code, d.severity, d.line) for d in found if d.code.startswith("log-")]


def test_validate_warns_when_the_arn_is_the_functions_not_its_log_group() -> None:
    text = stack_yaml(group="$ResourceParam('worker', 'arn')")
    stack = load_stack_text(text, "stacktape.yml")
    diags = [d for d in stack.diagnostics if d.code == "log-group-unknown"]
    assert len(diags) == 1
    assert diags[0].severity == "warning"
    assert "worker's `arn`" in diags[0].message
    assert diags[0].hint == "write $ResourceParam('worker', 'logGroupArn')"


def test_validate_accepts_a_literal_arn_of_a_group_of_the_stack() -> None:
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app-dev-worker"
    assert codes(stack_yaml(group=arn)) == []
    foreign = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/elsewhere"
    assert codes(stack_yaml(group=foreign)) == [("log-group-unknown", "warning", 15)]


def test_a_misspelt_resource_in_the_log_group_arn_is_reported_once() -> None:
    # `missing-resource` already names the typo and its fix; a second finding about the
    # placeholder ARN it left (arn:aws:stacktape:...) only confused the reader.
    text = stack_yaml(group="$ResourceParam('wroker', 'logGroupArn')")
    found = load_stack_text(text, "stacktape.yml").diagnostics
    assert [(d.code, d.hint) for d in found] == [("missing-resource", "did you mean 'worker'?")]


def test_validate_refuses_an_invalid_filter_at_its_line() -> None:
    assert codes(stack_yaml(filter_="ERROR:")) == [("log-filter-pattern", "error", 16)]


def test_validate_refuses_a_third_subscription_filter_on_one_group() -> None:
    extra = "".join(
        f"  sub{i}:\n    type: function\n    properties:\n      {PACKAGING % 'c.ts'}\n"
        "      events:\n        - type: cloudwatch-log\n          properties:\n"
        "            logGroupArn: $ResourceParam('worker', 'logGroupArn')\n"
        for i in (1, 2)
    )
    found = codes(stack_yaml(extra=extra))
    assert [c for c, s, _ in found] == ["log-subscription-limit"]
    assert found[0][1] == "error"


def test_validate_warns_of_a_subscriber_watching_itself() -> None:
    text = stack_yaml(group="$ResourceParam('alerter', 'logGroupArn')")
    assert [c for c, _, _ in codes(text)] == ["log-subscription-loop"]


# -- the simulation ------------------------------------------------------------------------


def test_an_error_line_is_delivered_when_the_invocation_ends(tmp_path: Path) -> None:
    behaviors = (
        "behaviors:\n  worker:\n    duration: 250ms\n    fail:\n"
        "      - when: \"kind == 'bad'\"\n        error: KeyError\n        message: order\n"
    )
    s = session(tmp_path, stack_yaml(filter_="ERROR"), behaviors)
    execute(s, 'invoke worker \'{"kind": "bad"}\'')
    execute(s, "run")
    t0 = parse_instant(START)
    delivered = records(s, tk.LOG_DELIVERED)
    assert len(delivered) == 1 and delivered[0]["t"] == t0 + 250
    assert delivered[0]["count"] == 1
    started = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_STARTED]
    alert = next(r for r in started if r.resource == "alerter")
    assert alert.t == t0 + 250 and alert.data["trigger"] == "cloudwatch-log"
    assert alert.data["event_id"] == delivered[0]["delivered_id"]
    skipped = records(s, tk.LOG_SKIPPED)
    assert [r["message"][:5] for r in skipped] == ["INIT_", "START", "END R", "REPOR"]
    assert skipped[0]["reason"] == ['term "ERROR" does not appear']


def test_the_subscriber_receives_the_encoded_payload(tmp_path: Path) -> None:
    s = session(tmp_path, stack_yaml(filter_="ERROR"))
    got: list[object] = []
    invoker = s.sim.async_invokers["alerter"]
    submit = invoker.submit
    invoker.submit = lambda event, trigger, source: (
        got.append(event)
        or submit(  # type: ignore[method-assign]
            event, trigger, source
        )
    )
    execute(s, "log worker 'ERROR ledger write failed'")
    written = records(s, tk.LOG_WRITTEN)[0]
    assert len(got) == 1 and list(got[0]) == ["awslogs"]  # type: ignore[arg-type]
    assert decode_awslogs(got[0]) == {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": "/aws/lambda/app-dev-worker",
        "logStream": written["stream"],
        "subscriptionFilters": ["app-dev-alerter-cloudwatch-log-0"],
        "logEvents": [
            {
                "id": written["log_event_id"],
                "timestamp": parse_instant(START),
                "message": "ERROR ledger write failed",
            }
        ],
    }


def test_timeouts_and_streams_per_environment(tmp_path: Path) -> None:
    behaviors = "behaviors:\n  worker:\n    duration: 500ms\n    timeout:\n      first: 1\n"
    s = session(tmp_path, stack_yaml(filter_='"Status: timeout"'), behaviors)
    for _ in range(3):
        s.sim.invoke_async("worker", {}, "invoke", "test")
    execute(s, "run")
    group = s.sim.services["logs"].groups["worker"]
    assert group.stream_count == 3, "three invocations at once: three environments"
    execute(s, "invoke worker")
    assert group.stream_count == 3, "a free environment is reused"
    matched = records(s, tk.LOG_MATCHED)
    assert len(matched) == 1
    assert str(matched[0]["message"]).endswith("\tStatus: timeout\n")


def test_a_timeout_writes_no_task_timed_out_line(tmp_path: Path) -> None:
    # Lambda's logs of 2026 have no `Task timed out after ...` line (a filter on it finds
    # no timeout, DataBiosphere/azul#8140): a timed-out invocation writes START, END and
    # REPORT, which alone says it timed out.
    behaviors = "behaviors:\n  worker:\n    duration: 500ms\n    timeout:\n      first: 1\n"
    s = session(tmp_path, stack_yaml(filter_='"Task timed out"'), behaviors)
    execute(s, "invoke worker")
    assert records(s, tk.LOG_MATCHED) == []
    lines = [e.message for e in s.sim.services["logs"].groups["worker"].recent(20)]
    assert [line.split(" ")[0] for line in lines] == ["INIT_START", "START", "END", "REPORT"]
    assert lines[-1].endswith("\tStatus: timeout\n")


def test_a_timed_out_invocations_report_line_says_so(tmp_path: Path) -> None:
    # Lambda ends the REPORT line of an invocation that timed out with `Status: timeout`, a
    # line a filter can catch; one that ended in time has no status.
    behaviors = "behaviors:\n  worker:\n    duration: 500ms\n    timeout:\n      first: 1\n"
    s = session(tmp_path, stack_yaml(filter_='REPORT "Status: timeout"'), behaviors)
    execute(s, "invoke worker")
    execute(s, "invoke worker")
    matched = [str(m["message"]) for m in records(s, tk.LOG_MATCHED)]
    assert len(matched) == 1
    assert matched[0].startswith("REPORT RequestId: ")
    # A cold start: its Init Duration comes before the status, as Lambda writes them.
    assert matched[0].endswith(
        "\tDuration: 2000.00 ms\tBilled Duration: 2000 ms\tMemory Size: 1024 MB\t"
        "Max Memory Used: 72 MB\tInit Duration: 0.00 ms\tStatus: timeout\n"
    )
    reports = [
        e.message
        for e in s.sim.services["logs"].groups["worker"].recent(20)
        if e.message.startswith("REPORT")
    ]
    assert [r.endswith("\tStatus: timeout\n") for r in reports] == [True, False]


def test_python_and_node_error_lines(tmp_path: Path) -> None:
    behaviors = "behaviors:\n  worker:\n    fail: true\n"
    for entry, start in (("a.py", "[ERROR] Error: "), ("a.ts", "2026-01-05T08:00:00.100Z\t")):
        where = tmp_path / entry
        where.mkdir()
        s = session(where, stack_yaml(filter_="ERROR", entry=entry), behaviors)
        execute(s, "invoke worker")
        execute(s, "run")
        matched = records(s, tk.LOG_MATCHED)
        assert len(matched) == 1
        assert str(matched[0]["message"]).startswith(start)


def test_a_subscriber_of_its_own_group_is_stopped(tmp_path: Path) -> None:
    s = session(tmp_path, stack_yaml(group="$ResourceParam('alerter', 'logGroupArn')"))
    execute(s, "log alerter hello")
    execute(s, "run")
    assert len(records(s, tk.LOG_DELIVERED)) == 16
    stopped = records(s, tk.LOG_LOOP_STOPPED)
    assert len(stopped) == 1 and stopped[0]["depth"] == 17
    assert "AWS does not" in str(stopped[0]["reason"])


def test_a_delivery_over_the_async_limit_fails(tmp_path: Path) -> None:
    s = session(tmp_path, stack_yaml())
    rng = random.Random(0)
    # Random text gzip cannot shrink enough: over Lambda's 1 MB asynchronous payload.
    alphabet = [chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"\\']
    line = "".join(rng.choice(alphabet) for _ in range(1_040_000))
    s.sim.services["logs"].write("worker", line)
    failed = records(s, tk.LOG_DELIVERY_FAILED)
    assert len(failed) == 1 and "RequestEntityTooLargeException" in str(failed[0]["error"])


def test_log_says_what_each_filter_did_with_the_line(tmp_path: Path) -> None:
    # As `upload` names each notification it matched or skipped: `log` used to say only
    # where the line went, so a user could not tell whether the subscriber got it.
    s = session(tmp_path, stack_yaml(filter_="{ $.level = ERROR }"))
    passed = execute(s, 'log worker \'{"level": "ERROR"}\'').text.splitlines()
    delivered = records(s, tk.LOG_DELIVERED)[0]["delivered_id"]
    assert passed[1:] == [f"  -> alerter (app-dev-alerter-cloudwatch-log-0): {delivered}"]
    skipped = execute(s, "log worker 'ERROR but not JSON'").text.splitlines()
    assert skipped[1:] == [
        "  skipped alerter (app-dev-alerter-cloudwatch-log-0): the message is not a JSON object"
    ]


def test_log_command_errors_change_nothing(tmp_path: Path) -> None:
    s = session(tmp_path, stack_yaml())
    before = s.sim.trace.seq
    with pytest.raises(CommandError, match="no function or batch job named 'nobody'"):
        execute(s, "log nobody hi")
    with pytest.raises(CommandError, match="at least one character"):
        execute(s, "log worker ''")
    assert s.sim.trace.seq == before


def test_show_logs_renders_untrusted_text_as_text(tmp_path: Path) -> None:
    s = session(tmp_path, stack_yaml())
    execute(s, "log worker '[bold]not markup[/bold]\x1b[31m'")
    result = execute(s, "show logs worker")
    assert result.table is not None
    # The data keeps the line as it is; the listing shows the ESC as its escape.
    assert result.data["events"][0]["message"] == "[bold]not markup[/bold]\x1b[31m"
    assert "[bold]not markup[/bold]\\x1b[31m" in render_plain(result)
    assert "\x1b" not in render_plain(result)


@pytest.mark.parametrize(
    ("filter_", "shown"),
    [
        (r"%ERROR.4\d\d%", r"filter '%ERROR.4\d\d%'"),
        ('?ERROR ?"Task timed out"', """filter '?ERROR ?"Task timed out"'"""),
        ("", "filter '' (every line passes)"),
    ],
)
def test_show_logs_gives_the_filter_as_written(tmp_path: Path, filter_: str, shown: str) -> None:
    # Shown with repr, a regex's `\d` read `\\d`: not the pattern the config has.
    s = session(tmp_path, stack_yaml(filter_=filter_))
    head = execute(s, "show logs worker").text.splitlines()[1]
    assert head == f"subscription app-dev-alerter-cloudwatch-log-0 -> alerter: {shown}"


def test_explain_follows_a_log_event_to_the_subscriber(tmp_path: Path) -> None:
    s = session(tmp_path, stack_yaml(filter_="ERROR"))
    execute(s, "log worker 'ERROR x'")
    execute(s, "run")
    ident = records(s, tk.LOG_WRITTEN)[0]["log_event_id"]
    text = execute(s, f"explain {ident}").text
    for kind in ("log.written", "log.matched", "log.delivered", "invocation.started"):
        assert kind in text


def test_explain_keeps_each_record_of_lambdas_lines_on_one_line(tmp_path: Path) -> None:
    # Lambda's lines end in a newline and REPORT's fields are tab-separated: written raw
    # into `explain`, each log record spilled onto a second line that names no record.
    s = session(tmp_path, stack_yaml(filter_="ERROR"))
    execute(s, "invoke worker")
    execute(s, "run")
    invocation = records(s, tk.INVOCATION_STARTED)[0]["invocation_id"]
    lines = execute(s, f"explain {invocation}").text.split("\n")
    # The first says that the invocation was a cold start; each after it is one record, up
    # to the last, which points at the event the invocation received.
    assert lines[0].startswith(f"invocation {invocation} ran in a new execution environment")
    assert lines[-1] == f"show event {invocation} shows the event it received"
    heads = [line for line in lines[1:-1] if not line.startswith("    ")]
    assert all(line.startswith("2026-01-05T08:00:00.") for line in heads), heads
    report = next(line for line in heads if "message=REPORT" in line)
    assert "\\tDuration: 100.00 ms\\t" in report
    # REPORT is longer than a summary shows: cut, saying how much is left out.
    assert re.search(r"\\tBille… \([0-9]+ more characters\) invocation_id=\S+$", report)
    assert report.endswith(f" invocation_id={invocation}")


def test_same_inputs_same_trace(tmp_path: Path) -> None:
    def run(where: Path) -> list[str]:
        where.mkdir()
        s = session(where, stack_yaml(filter_="?ERROR ?REPORT"))
        execute(s, "invoke worker")
        execute(s, "log worker 'ERROR a'")
        execute(s, "run")
        return [r.to_line() for r in s.sim.trace.records]

    assert run(tmp_path / "a") == run(tmp_path / "b")


def test_a_stack_without_subscriptions_writes_no_log_records(tmp_path: Path) -> None:
    stack = load_stack_text(
        f"resources:\n  worker:\n    type: function\n    properties:\n      {PACKAGING % 'a.py'}\n",
        "stacktape.yml",
    )
    sim = Simulator(stack)
    sim.invoke_async("worker", {}, "invoke", "test")
    sim.run(60_000)
    assert not [r for r in sim.trace.records if r.kind.startswith("log.")]
    assert [e.message[:3] for e in sim.services["logs"].groups["worker"].recent(10)] == [
        "INI",
        "STA",
        "END",
        "REP",
    ]


def test_the_docs_example_runs(tmp_path: Path) -> None:
    from stptui.cli import main

    examples = ROOT / "docs" / "examples"
    argv = [
        "run",
        str(examples / "log-alerts.yml"),
        str(examples / "log-alerts.stp"),
        "--behaviors",
        str(examples / "log-alerts-behaviors.yml"),
        "--start",
        START,
    ]
    assert main(argv) == 0


def test_the_worked_examples_of_the_docs_hold() -> None:
    page = (ROOT / "docs" / "patterns-and-schedules.md").read_text(encoding="utf-8")
    table = page.split("<!-- check: log-patterns -->", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) >= 10
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        pattern, line = (c.strip("`").replace("\\|", "|") for c in cells[:2])
        assert matches(pattern, line) is (cells[2] == "yes"), row


def test_show_logs_shows_reports_tabs_as_gaps_and_other_controls_as_escapes(
    tmp_path: Path,
) -> None:
    # Lambda separates REPORT's fields with tabs and CloudWatch's console shows gaps; `\t`
    # between every field made the line hard to read. Anything else that could act on the
    # terminal is still an escape.
    s = session(tmp_path, stack_yaml())
    execute(s, "invoke worker")
    execute(s, "run")
    execute(s, "log worker $'a\\tb\\x1b[31mc\\rd'")
    out = render_plain(execute(s, "show logs worker"))
    report = next(line for line in out.splitlines() if "REPORT RequestId" in line)
    assert "\\t" not in report and "\t" not in report
    # Each field starts at the next tab stop (every 8 columns) from the message's start.
    message = report[report.index("REPORT") :]
    assert re.search(r"\S {1,8}Duration: 100\.00 ms {1,8}Billed Duration: 100 ms ", message)
    assert message.index("Duration:") % 8 == 0
    hostile = next(line for line in out.splitlines() if line.endswith("d"))
    assert hostile.endswith("a       b\\x1b[31mc\\x0dd")


@pytest.mark.parametrize("filter_", ["", "no-line-has-this"])
def test_a_groups_line_count_is_the_lines_it_holds(tmp_path: Path, filter_: str) -> None:
    # The count the Inspector says "N earlier lines" from: a timeout writes no error line
    # (its id is skipped), a failure writes one, a suppressed init writes no INIT_START;
    # with a subscription filter or without one, whose invocations' lines are kept alike.
    behaviors = (
        "behaviors:\n  worker:\n    duration: 500ms\n    timeout:\n      first: 1\n"
        "    fail:\n      first: 2\n"
    )
    stack = stack_yaml(filter_=filter_)
    if not filter_:
        stack = stack.split("  alerter:")[0]
    s = session(tmp_path, stack, behaviors)
    for _ in range(3):
        execute(s, "invoke worker")
    execute(s, "log worker hello")
    group = s.sim.services["logs"].groups["worker"]
    assert bool(group.subscriptions) == bool(filter_)
    words = [e.message.split(" ")[0].split("\t")[0] for e in group.recent(100)]
    assert group.lines == len(words) == 12, words
