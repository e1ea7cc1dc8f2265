"""An HTTP route to a function that no behaviour gives a `response` answers 500, as API
Gateway does for a Lambda that returns nothing; the `http` command's output (not the
simulated response) says how to declare one, and the `succeed --returns` line that answers
at once."""

from __future__ import annotations

import shutil
from pathlib import Path

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed" / "webhook-processor.yml"
T0 = parse_instant("2026-01-05T08:00:00Z")


def open_copy(tmp_path: Path, behaviours: str | None) -> Session:
    shutil.copy(SEED, tmp_path / "stacktape.yml")
    if behaviours is not None:
        (tmp_path / "stptui.yml").write_text(behaviours)
    return Session.open(tmp_path / "stacktape.yml", start_ms=T0)


def hints(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith("hint: ")]


def test_a_function_without_a_response_gets_a_hint_beside_the_500(tmp_path: Path) -> None:
    result = execute(open_copy(tmp_path, None), "http POST /webhooks/x {}")
    assert result.data["status"] == 500
    assert result.data["body"] == '{"message":"Internal Server Error"}'
    assert hints(result.text) == [
        "hint: no behaviour says what webhookReceiver returns, so it returns null (payload "
        "format 1.0 needs an object with a statusCode); to answer now, type: succeed "
        'webhookReceiver --returns \'{"statusCode": 200, "body": "ok"}\'; to keep it, '
        'declare its `response` in stptui.yml next to the stack, e.g. response: "{statusCode: '
        "`200`, body: 'ok'}\" (see docs/behaviors.md)"
    ]
    # The hint is stptui's, not the gateway's: the simulated response does not carry it.
    assert "hint" not in result.data["body"] and "hint" not in str(result.data["headers"])


def test_a_declared_response_of_the_wrong_shape_names_the_file(tmp_path: Path) -> None:
    session = open_copy(tmp_path, "behaviors:\n  webhookReceiver: {response: {ok: true}}\n")
    result = execute(session, "http POST /webhooks/x {}")
    assert result.data["status"] == 500
    assert hints(result.text) == [
        "hint: webhookReceiver's `response` in stptui.yml must give an object with a "
        "statusCode and a string body (see docs/behaviors.md); to answer now, type: succeed "
        'webhookReceiver --returns \'{"statusCode": 200, "body": "ok"}\''
    ]


def test_a_good_response_or_a_404_has_no_hint(tmp_path: Path) -> None:
    session = open_copy(
        tmp_path, "behaviors:\n  webhookReceiver: {response: {statusCode: 202, body: ok}}\n"
    )
    assert hints(execute(session, "http POST /webhooks/x {}").text) == []
    assert hints(execute(session, "http GET /nowhere").text) == []
