"""`expect response [REQUEST_ID] status|header NAME|body[.PATH]` and `expect messages QUEUE
[FIELD=VALUE ...]`: what a CI test most wants to check, an HTTP answer and the messages a
queue holds, by their bodies. A body and a header are read as JSON when they are JSON,
else as text, and compared as an item's attribute is; a part the answer lacks fails the
expect; a word that is wrong whatever the stack holds is a command error with a hint that
changes nothing. Completion, the REPL's check, --keep-going and JUnit treat them as any
other path."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from replkit import complete, metas

import stptui
from stptui.cli import main
from stptui.commands import CommandError, ExpectationFailed, Session, execute
from stptui.repl.validator import check
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
STACK = EXAMPLES / "orders-api.yml"
BEHAVIORS = EXAMPLES / "orders-api-behaviors.yml"
SAMPLES = Path(stptui.__file__).parent / "sample_stacks"
ORDER_7 = """http POST /orders '{"orderId": 7, "amount": 5000}'"""
ORDER_8 = """send orderQueue '{"orderId": 8, "amount": 20}' --attr source=ci --attr priority=5"""


@pytest.fixture
def session() -> Session:
    return Session.open(STACK, behaviors_path=BEHAVIORS, start_ms=T0)


def ok(session: Session, line: str) -> str:
    result = execute(session, line)
    assert result.data["ok"] is True, result.text
    return result.text


def failed(session: Session, line: str) -> ExpectationFailed:
    with pytest.raises(ExpectationFailed) as info:
        execute(session, line)
    return info.value


def refused(session: Session, line: str) -> CommandError:
    before = (session.sim.trace.seq, session.sim.clock.now, list(session.log))
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert not isinstance(info.value, ExpectationFailed), info.value.message
    # A refusal changes nothing.
    assert (session.sim.trace.seq, session.sim.clock.now, list(session.log)) == before
    return info.value


# -- an HTTP answer ----------------------------------------------------------------------------


def test_the_last_answers_status_header_and_body_fields_hold(session: Session) -> None:
    execute(session, ORDER_7)
    assert ok(session, "expect response status == 201") == (
        "ok: response status == 201 (actual 201)"
    )
    ok(session, "expect response status >= 200")
    # A header's name in any case, as HTTP reads it.
    ok(session, "expect response header content-type == application/json")
    ok(session, "expect response header Location == /orders/7")
    # content-length is text on the wire, a number to compare.
    ok(session, "expect response header content-length > 10")
    ok(session, "expect response body.orderId == 7")
    ok(session, "expect response body.items[0].sku == A-1")
    ok(session, "expect response body.items[0].qty < 3")
    ok(session, "expect response body.status == QUEUED")
    # The whole body compared as JSON: key order and spaces are no matter.
    ok(
        session,
        'expect response body == \'{"status":"QUEUED","items":[{"qty":2,"sku":"A-1"}],'
        '"orderId":7}\'',
    )
    assert failed(session, "expect response status == 200").message == (
        "expected response status == 200, actual 201"
    )


def test_a_text_body_is_text_and_a_head_answer_has_none() -> None:
    session = Session.open(SAMPLES / "job-queue", start_ms=T0)
    execute(session, 'http POST /jobs \'{"orderId": 1, "amount": 5}\'')
    ok(session, "expect response body == queued")
    exc = failed(session, "expect response body.orderId == 1")
    assert exc.message == (
        "expected response body.orderId == 1, but the response has no body.orderId (body is "
        'a string: "queued")'
    )
    # The header holds parameters after `;`: the hint gives the whole value to write.
    exc = failed(session, "expect response header content-type == text/plain")
    assert exc.hint == (
        "the header's value goes on after ;: compare the whole of it, 'text/plain; charset=utf-8'"
    )
    ok(session, "expect response header content-type == 'text/plain; charset=utf-8'")
    execute(session, "http HEAD /jobs")
    ok(session, "expect response body == ''")
    ok(session, "expect response header content-length == 6")


def test_what_the_answer_lacks_fails_the_expect(session: Session) -> None:
    exc = failed(session, "expect response status == 201")
    assert exc.message == (
        "expected response status == 201, but no `http` line has been answered yet (expect "
        "response reads the answer to the last)"
    )
    assert exc.hint is not None and exc.hint.startswith("send a request first")
    execute(session, ORDER_7)
    exc = failed(session, "expect response header x-trace == abc")
    assert exc.message == (
        'expected response header x-trace == "abc", but the response has no header x-trace'
    )
    assert exc.hint == (
        "its headers: content-type, location, content-length, date, apigw-requestid"
    )
    exc = failed(session, "expect response body.items[3].sku == A-1")
    assert "but the response has no body.items[3].sku (body.items is a list" in exc.message
    # A string is never a number: the failure says which type each side is.
    exc = failed(session, "expect response body.orderId == '\"7\"'")
    assert exc.hint is not None
    assert exc.hint.startswith('the response holds a number and "7" is a string')


def test_a_request_is_named_by_its_id(session: Session) -> None:
    execute(session, ORDER_7)
    first = session.last_id
    assert first is not None
    execute(session, "http GET /orders")  # no GET route: the gateway's 404
    ok(session, "expect response status == 404")
    ok(session, "expect response body.message == 'Not Found'")
    # The first request's answer, by its id or by `$last` right after its line.
    ok(session, f"expect response {first} status == 201")
    ok(session, "expect response $last status == 404")
    ok(session, "expect response $newest:http.response status == 404")
    exc = refused(session, f"expect response {first[:-2]}xx status == 201")
    assert exc.message == f"no HTTP request {first[:-2] + 'xx'!r}"
    assert exc.hint == f"did you mean {first}?"


def test_a_repeats_requests_are_read_by_their_ids(session: Session) -> None:
    # A `repeat` sends its requests on the clock: none is the last `http` line's.
    execute(session, 'repeat 2 http POST /orders \'{"orderId": 9, "amount": 1}\'')
    exc = failed(session, "expect response $newest:http.request status == 201")
    assert exc.message.endswith("has no answer yet")
    assert exc.hint == "run the clock on until it is answered: advance 30s"
    execute(session, "advance 1s")
    exc = failed(session, "expect response status == 201")
    assert exc.hint is not None and exc.hint.startswith("the answers so far are to a `repeat`'s")
    ok(session, "expect response $newest:http.response status == 201")
    ok(session, "expect response $newest:http.response body.orderId == 7")


def test_an_answer_pushed_out_by_later_ones_says_so(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stptui.sim.services import http

    monkeypatch.setattr(http, "KEPT_ANSWERS", 1)
    execute(session, ORDER_7)
    first = session.last_id
    execute(session, "http GET /orders")
    exc = failed(session, f"expect response {first} status == 201")
    assert f"but the answer to {first} is no longer kept" in exc.message
    ok(session, "expect response status == 404")


def test_undo_and_reload_read_the_answer_the_log_makes_again(session: Session) -> None:
    execute(session, ORDER_7)
    execute(session, "http GET /orders")
    ok(session, "expect response status == 404")
    execute(session, "undo")
    ok(session, "expect response status == 201")
    execute(session, "reload")
    ok(session, "expect response body.orderId == 7")


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("expect response statu == 201", "a response has no part 'statu'", "did you mean status?"),
        (
            "expect response body..x == 1",
            "'body..x' is not a path into the body",
            "names joined by dots or indexed: body.orderId, body.items[0].sku",
        ),
        (
            "expect response header == 1",
            "expect response reads a header NAME after header",
            "e.g. expect response header content-type == application/json",
        ),
        (
            "expect response status body == 1",
            "expect response reads one part: 'body' after status is too much",
            "e.g. expect response status == 201, or expect response body.orderId == 7",
        ),
    ],
)
def test_a_path_that_is_wrong_is_refused_with_a_hint(
    session: Session, line: str, message: str, hint: str
) -> None:
    execute(session, ORDER_7)
    exc = refused(session, line)
    assert (exc.message, exc.hint) == (message, hint)


# -- the messages in a queue -------------------------------------------------------------------


def test_messages_are_counted_by_body_field_state_and_attribute(session: Session) -> None:
    execute(session, ORDER_7)
    execute(session, ORDER_8)
    execute(session, "send orderQueue 'plain text' --delay 60s")
    ok(session, "expect messages orderQueue == 3")
    ok(session, "expect messages orderQueue body.orderId=7 == 1")
    ok(session, "expect messages orderQueue body.orderId=7 body.amount=5000 == 1")
    ok(session, "expect messages orderQueue body.orderId=9 == 0")
    # A body that is no JSON is its text; one that is JSON is compared as JSON.
    ok(session, "expect messages orderQueue body='plain text' == 1")
    ok(session, 'expect messages orderQueue \'body={"amount": 20, "orderId": 8}\' == 1')
    ok(session, "expect messages orderQueue state=delayed == 1")
    ok(session, "expect messages orderQueue state=visible == 2")
    # A Number attribute is a number, a String one its text.
    ok(session, "expect messages orderQueue attr.priority=5 == 1")
    ok(session, "expect messages orderQueue attr.source=ci == 1")
    ok(session, "expect messages orderQueue attribute.source=ci == 1")
    # Order 7 is declined and moved to the dead-letter queue; order 8 is processed.
    execute(session, "advance 2m")
    ok(session, "expect messages deadLetterQueue body.orderId=7 == 1")
    ok(session, "expect messages deadLetterQueue body.orderId=8 == 0")
    ok(session, "expect messages orderQueue == 0")


def test_a_count_that_fails_says_what_the_messages_hold(session: Session) -> None:
    exc = failed(session, "expect messages deadLetterQueue == 1")
    assert exc.message == "expected messages deadLetterQueue == 1, actual 0"
    assert exc.hint == "deadLetterQueue takes a message from orderQueue after 1 receives " + (
        "(maxReceiveCount)"
    )
    execute(session, ORDER_7)
    execute(session, "advance 2m")
    exc = failed(session, "expect messages deadLetterQueue body.orderId=9 == 1")
    assert exc.hint == (
        "deadLetterQueue holds 1 message; none has body.orderId=9; they have body.orderId=7"
    )
    exc = failed(session, "expect messages deadLetterQueue attr.source=ci == 1")
    assert exc.hint == "deadLetterQueue holds 1 message, none with attr.source"


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "expect messages orderQueu == 1",
            "no queue named 'orderQueu'",
            "did you mean orderQueue?",
        ),
        ("expect messages orderQueue stat=visible == 1", "a message has no field 'stat'", None),
        (
            "expect messages orderQueue state=inflight == 1",
            "a message's state is visible, in_flight or delayed, not 'inflight'",
            "did you mean state=in_flight?",
        ),
        (
            "expect messages orderQueue body..x=1 == 1",
            "'body..x' is not a path into the body",
            "names joined by dots or indexed: body.orderId=7, body.items[0].sku=A-1",
        ),
        (
            "expect messages orderQueue orderId == 1",
            "'orderId' is not a FIELD=VALUE filter (messages QUEUE [FIELD=VALUE ...])",
            None,
        ),
        ("expect messages orderQueue == seven", None, None),
    ],
)
def test_a_filter_that_is_wrong_is_refused_with_a_hint(
    session: Session, line: str, message: str | None, hint: str | None
) -> None:
    execute(session, ORDER_8)
    exc = refused(session, line)
    if message is not None:
        assert exc.message == message
    if hint is not None:
        assert exc.hint == hint
    assert exc.hint


# -- the REPL, --keep-going and JUnit ----------------------------------------------------------


def test_completion_offers_each_word_and_the_value_now(session: Session) -> None:
    # `response` once a request has an answer; `messages` in a stack with queues.
    assert "response" not in complete(session, "expect ")
    assert "messages" in complete(session, "expect ")
    execute(session, ORDER_7)
    execute(session, ORDER_8)
    assert "response" in complete(session, "expect ")
    parts = complete(session, "expect response ")
    assert parts == ["status", "header", "body", "body.orderId", "body.items", "body.status"]
    assert metas(session, "expect response ")["status"] == "now 201"
    assert metas(session, "expect response ")["body.orderId"] == "now 7"
    headers = complete(session, "expect response header ")
    assert headers[:2] == ["content-type", "location"]
    assert complete(session, "expect response header location == ") == ["/orders/7"]
    assert complete(session, "expect response body.status == ") == ["QUEUED"]
    filters = complete(session, "expect messages orderQueue ")
    assert filters[:7] == [
        "state=visible",
        "state=in_flight",
        "state=delayed",
        "body=",
        "body.orderId=",
        "body.amount=",
        "attr.source=",
    ]
    assert complete(session, "expect messages orderQueue body.orderId=7 == ") == ["1"]


def test_the_repl_checks_a_line_before_enter(session: Session) -> None:
    execute(session, ORDER_7)
    assert check(session, "expect response status == 201") is None
    assert check(session, "expect messages orderQueue body.orderId=7 == 1") is None
    problem = check(session, "expect response statu == 201")
    assert problem is not None and problem.hint == "did you mean status?"
    problem = check(session, "expect messages orderQueue stat=1 == 1")
    assert problem is not None and problem.hint == "did you mean state?"
    problem = check(session, "expect messages ordrQueue == 1")
    assert problem is not None and problem.hint == "did you mean orderQueue?"


def test_keep_going_and_junit_report_them_as_other_expects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.stp"
    script.write_text(
        f"{ORDER_7}\n"
        "expect response status == 200\n"
        "expect response body.orderId == 7\n"
        "advance 2m\n"
        "expect messages deadLetterQueue body.orderId=8 == 1\n"
    )
    report = tmp_path / "r.xml"
    code = main(
        [
            "run",
            str(STACK),
            str(script),
            "--behaviors",
            str(BEHAVIORS),
            "--start",
            "2026-01-05T08:00:00Z",
            "--keep-going",
            "--junit",
            str(report),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert f"{script}:2: expectation failed: expected response status == 200, actual 201" in err
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    cases = [(c.get("name"), c.find("failure") is not None) for c in suite.iter("testcase")]
    assert cases == [
        ("expect response status == 200", True),
        ("expect response body.orderId == 7", False),
        ("expect messages deadLetterQueue body.orderId=8 == 1", True),
    ]
    messages = [f.get("message") for f in suite.iter("failure")]
    assert messages[1] == "expected messages deadLetterQueue body.orderId=8 == 1, actual 0"
