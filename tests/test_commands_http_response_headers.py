"""What the `http` command, a stand-in HTTP client, sends and shows (docs/fidelity.md, HTTP
API): each response header on a line of its own, a name or value a function answers with a
line break (which no HTTP header can carry) written on one line, so that what follows the
break cannot read as another header; and no URL fragment, which no client sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.registry import CommandError
from stptui.textsafe import quote_word
from tests.simkit import http_route_function

STACK = "resources:\n  api: {type: http-api-gateway}\n" + http_route_function(
    "fn", "api", "GET", "/h", "2.0"
)
BEHAVIORS = """
behaviors:
  fn:
    response: "{statusCode: `200`, headers: {\\"x-a\\": 'one\\r\\nset-cookie: admin=1',
      \\"x-b\\\\nforged\\": 'v'}, body: 'b'}"
"""


def test_a_line_break_in_a_response_header_stays_on_its_line(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    session = Session.open(tmp_path / "stacktape.yml", behaviors_path=tmp_path / "stptui.yml")
    result = execute(session, "http GET /h")
    # The function's values reach the data as it answered them.
    assert ["x-a", "one\r\nset-cookie: admin=1"] in result.data["headers"]
    lines = result.text.splitlines()
    assert "x-a: one\\x0d\\nset-cookie: admin=1" in lines
    assert "x-b\\nforged: v" in lines
    assert not any(line.startswith(("set-cookie", "forged")) for line in lines)


EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


@pytest.mark.parametrize(
    ("stack", "line", "left_off", "encoded"),
    [
        ("stptui/sample_stacks/job-queue", "http POST '/jobs#top' {}", "/jobs", "/jobs%23top"),
        (
            "docs/examples/load-balancer.yml",
            "http GET '/api/orders/7?x=1#f'",
            "/api/orders/7?x=1",
            "/api/orders/7?x=1%23f",
        ),
        ("docs/examples/function-urls.yml", "http GET '/daily#a' --url bot", "/daily", None),
    ],
)
def test_a_fragment_is_refused_as_no_client_sends_it(
    stack: str, line: str, left_off: str, encoded: str | None
) -> None:
    session = Session.open(EXAMPLES.parents[1] / stack)
    before = len(session.sim.trace.records)
    with pytest.raises(CommandError) as refused:
        execute(session, line)
    assert "begins the URL's fragment: HTTP clients do not send it" in str(refused.value)
    assert f"leave it off ({left_off})" in str(refused.value.hint)
    if encoded:
        assert f"write %23 to send a '#' ({encoded})" in str(refused.value.hint)
    assert len(session.sim.trace.records) == before
    # `#` is sent once it is encoded, and in a --query value, which the command encodes.
    assert isinstance(execute(session, line.replace("#", "%23")).data["status"], int)


@pytest.mark.parametrize(
    ("value", "words"),
    [("a\nb", "a line break"), ("a\rb", "a carriage return"), ("a\x00b", "NUL")],
)
def test_a_request_header_value_no_client_can_send_is_refused(
    tmp_path: Path, value: str, words: str
) -> None:
    # RFC 9110, 5.5: "Field values containing CR, LF or NUL characters are invalid".
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    session = Session.open(tmp_path / "stacktape.yml", behaviors_path=tmp_path / "stptui.yml")
    before = len(session.sim.trace.records)
    with pytest.raises(CommandError) as refused:
        execute(session, f"http GET /h --header {quote_word('x-in:' + value)}")
    assert str(refused.value) == (
        f"--header x-in: a header value cannot hold {words}, which no HTTP request can carry"
    )
    assert len(session.sim.trace.records) == before
