"""`succeed F --returns JSON`: what a function (or a container workload) returns, changed
live. A route to a function no behaviour gives a `response` answers 500; the hint beside
it is the line to type, and typing it makes the route answer. The JSON is checked before
anything changes (and by the REPL before Enter), the session log replays it, `succeed F`
alone clears it, a Python handler still runs but its answer is the override's, a batch job
(which returns nothing) refuses it, and the TUI's `b` dialog builds it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Input, Select
from tui_support import drive, shown

from stptui.commands import CommandError, Session, execute
from stptui.repl.validator import check
from stptui.sim import trace as tk
from stptui.tui.app import MainScreen, StptuiApp
from stptui.tui.screens.override_dialog import OverrideDialog
from stptui.tui.widgets.inspector_pane import describe_resource
from tests.simkit import EXAMPLES, START, handler_session, http_route_function, records

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed" / "webhook-processor.yml"
POST = "http POST /webhooks/x {}"
OK = """succeed webhookReceiver --returns '{"statusCode": 200, "body": "ok"}'"""


@pytest.fixture
def bare(tmp_path: Path) -> Session:
    """webhook-processor with no behaviours file: webhookReceiver returns null, so its
    route (payload format 1.0) answers 500."""
    shutil.copy(SEED, tmp_path / "stacktape.yml")
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


def hint_of(text: str) -> str:
    (hint,) = [line for line in text.split("\n") if line.startswith("hint: ")]
    return hint


def test_the_500s_hint_is_a_line_that_typed_makes_the_route_answer(bare: Session) -> None:
    first = execute(bare, POST)
    assert first.data["status"] == 500
    hint = hint_of(first.text)
    assert "payload format 1.0 needs an object with a statusCode" in hint
    assert f"to answer now, type: {OK};" in hint
    answer = execute(bare, OK)
    assert answer.text == (
        'webhookReceiver overrides: succeed --returns \'{"statusCode":200,"body":"ok"}\' '
        "(declared failures suppressed)"
    )
    (record,) = records(bare.sim, tk.BEHAVIOR_OVERRIDDEN)
    assert record.data["override"] == (
        'succeed webhookReceiver --returns \'{"statusCode":200,"body":"ok"}\''
    )
    now = execute(bare, POST)
    assert (now.data["status"], now.data["body"]) == (200, "ok")
    assert "hint" not in now.text
    # `show function` and the Inspector say what it returns now.
    shown_fn = execute(bare, "show function webhookReceiver").text
    assert 'override: succeed webhookReceiver --returns \'{"statusCode":200' in shown_fn
    inspector = describe_resource(
        "webhookReceiver", bare.stack, nx.MultiDiGraph(), bare.sim, [], START
    ).plain
    assert "--returns" in inspector


def test_succeed_alone_clears_it_fail_replaces_it_and_slow_keeps_it(bare: Session) -> None:
    execute(bare, OK)
    execute(bare, "slow webhookReceiver 2s")
    slowed = execute(bare, POST)
    assert (slowed.data["status"], slowed.data["body"]) == (200, "ok")
    assert "2 s" in slowed.text.splitlines()[0]
    execute(bare, "succeed webhookReceiver")
    assert execute(bare, POST).data["status"] == 500
    execute(bare, OK)
    execute(bare, "fail webhookReceiver next 1")
    assert execute(bare, POST).data["status"] == 500  # the failure: a function error
    assert execute(bare, POST).data["status"] == 500  # null again: the returns went too


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "succeed webhookReceiver --returns ok",
            "--returns needs JSON",
            "quote it: succeed webhookReceiver --returns '\"ok\"'",
        ),
        ("succeed webhookReceiver --returns '{\"statusCode\": 200,'", "--returns needs JSON", ""),
        ("succeed webhookReceiver --returns NaN", "not usable JSON: NaN is not a JSON number", ""),
        ("succeed webhookReceiver --returns", "--returns", ""),
    ],
)
def test_what_is_not_json_is_refused_before_anything_changes(
    bare: Session, line: str, message: str, hint: str
) -> None:
    execute(bare, "fail webhookReceiver next 2")
    seq, log = bare.sim.trace.seq, list(bare.log)
    with pytest.raises(CommandError, match=message) as caught:
        execute(bare, line)
    assert hint in (caught.value.hint or "")
    assert (bare.sim.trace.seq, bare.log) == (seq, log)
    assert [o.describe() for o in bare.sim.functions["webhookReceiver"].overrides] == [
        "fail webhookReceiver next 2 (2 left)"
    ]
    # The REPL says so before Enter runs it.
    problem = check(bare, line)
    assert problem is not None and message in problem.message


def test_the_repl_takes_good_json(bare: Session) -> None:
    assert check(bare, OK) is None
    assert check(bare, "succeed webhookReceiver --returns '\"ok\"'") is None


def test_undo_takes_it_back_and_a_saved_session_replays_it(bare: Session, tmp_path: Path) -> None:
    execute(bare, OK)
    execute(bare, "undo")
    assert bare.sim.functions["webhookReceiver"].overrides == []
    execute(bare, "redo")
    (ov,) = bare.sim.functions["webhookReceiver"].overrides
    assert ov.returns == '{"statusCode":200,"body":"ok"}'
    assert execute(bare, POST).data["status"] == 200
    execute(bare, f"save {tmp_path / 's.stp'}")
    fresh = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    execute(fresh, f"load {tmp_path / 's.stp'}")
    assert fresh.log == bare.log
    again = execute(fresh, POST)
    assert (again.data["status"], again.data["body"]) == (200, "ok")


def test_the_hint_names_a_payload_format_2_routes_needs(tmp_path: Path) -> None:
    stack = "resources:\n  api: {type: http-api-gateway}\n" + http_route_function(
        "fn", "api", "GET", "/x", "2.0"
    )
    (tmp_path / "stacktape.yml").write_text(stack)
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  fn: {response: {statusCode: 700, body: nope}}\n"
    )
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    hint = hint_of(execute(session, "http GET /x").text)
    assert hint == (
        "hint: fn's `response` in stptui.yml must give an object with a statusCode and a "
        "string body (see docs/behaviors.md); to answer now, type: succeed fn --returns "
        '\'{"statusCode": 200, "body": "ok"}\''
    )
    # The declared response is not read while the override stands (it would be 500 again).
    execute(session, "succeed fn --returns '\"plain\"'")
    answer = execute(session, "http GET /x")
    assert (answer.data["status"], answer.data["body"]) == (200, "plain")


HANDLED = """\
def teapot(event, context):
    print("teapot ran")
    return {"statusCode": 418, "body": "teapot"}


def boom(event, context):
    raise ValueError("broken")
"""


def test_a_python_handler_runs_but_the_override_is_what_it_returns(tmp_path: Path) -> None:
    stack = (
        "resources:\n  api: {type: http-api-gateway}\n"
        + http_route_function("tea", "api", "GET", "/tea", "1.0")
        + http_route_function("bad", "api", "GET", "/bad", "1.0")
    )
    session = handler_session(
        tmp_path, stack, {"tea": "h:teapot", "bad": "h:boom"}, {"h.py": HANDLED}
    )
    assert execute(session, "http GET /tea").data["status"] == 418
    execute(session, 'succeed tea --returns \'{"statusCode": 200, "body": "fixed"}\'')
    answer = execute(session, "http GET /tea")
    assert (answer.data["status"], answer.data["body"]) == (200, "fixed")
    # It ran: its log line is there, once for each request.
    ran = [r for r in records(session.sim, tk.HANDLER_LOG, "tea") if "teapot ran" in str(r.data)]
    assert len(ran) == 2
    # A handler's own exception still fails, as `succeed` alone leaves it.
    execute(session, "succeed bad --returns '{\"statusCode\": 200}'")
    assert execute(session, "http GET /bad").data["status"] == 500


def test_a_container_workload_answers_what_it_is_given() -> None:
    shop = Session.open(
        EXAMPLES / "container-shop.yml",
        behaviors_path=EXAMPLES / "container-shop-behaviors.yml",
        start_ms=START,
    )
    execute(shop, 'succeed web.app --returns \'{"status": 202, "body": "queued"}\'')
    answer = execute(shop, 'http POST /orders \'{"id": 1, "amount": 20}\'')
    assert (answer.data["status"], answer.data["body"]) == (202, "queued")


def test_a_batch_job_returns_nothing_so_takes_no_returns() -> None:
    session = Session.open(ROOT / "stptui" / "sample_stacks" / "batch-job", start_ms=START)
    with pytest.raises(CommandError, match="heavyJob is a batch job") as caught:
        execute(session, "succeed heavyJob --returns '{}'")
    assert caught.value.hint == "write `succeed heavyJob` alone to make its attempts succeed"
    assert session.log == []
    problem = check(session, "succeed heavyJob --returns '{}'")
    assert problem is not None and "is a batch job" in problem.message


def test_the_behaviour_dialog_builds_it_and_refuses_json_that_does_not_read(bare: Session) -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await pilot.press("b")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OverrideDialog)
        dialog.query_one("#override-target", Select).value = "webhookReceiver"
        dialog.query_one("#override-action", Select).value = "returns"
        await pilot.pause()
        field = dialog.query_one("#override-how", Input)
        assert field.display and field.placeholder == '{"statusCode": 200, "body": "ok"}'
        field.value = "{oops"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OverrideDialog)
        assert "--returns needs JSON" in shown(app, "#override-error")
        assert app.session.log == []
        field.value = '{"statusCode": 200, "body": "ok"}'
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.session.log == [OK]

    drive(StptuiApp(bare), script)


def test_a_function_urls_500_names_the_line_too(tmp_path: Path) -> None:
    fn = (
        "  bot:\n    type: function\n    properties:\n      packaging: {type: "
        "stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}\n"
        "      url: {enabled: true}\n"
    )
    (tmp_path / "stacktape.yml").write_text("resources:\n" + fn)
    (tmp_path / "stptui.yml").write_text("behaviors:\n  bot: {response: {statusCode: 99}}\n")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    broken = execute(session, "http GET / --url bot")
    assert broken.data["status"] == 502
    assert hint_of(broken.text).endswith(
        'to answer now, type: succeed bot --returns \'{"statusCode": 200, "body": "ok"}\''
    )
    execute(session, 'succeed bot --returns \'{"statusCode": 200, "body": "ok"}\'')
    assert execute(session, "http GET / --url bot").data["status"] == 200


def test_batch_item_failures_it_returns_are_read_as_lambda_reads_them(tmp_path: Path) -> None:
    shutil.copy(ROOT / "stptui" / "sample_stacks" / "job-queue" / "stacktape.yml", tmp_path)
    (tmp_path / "stptui.yml").write_text("behaviors:\n  worker: {reportBatchItemFailures: true}\n")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    sent = execute(session, "send jobQueue '{\"orderId\": 1}'").data["message_id"]
    failures = json.dumps({"batchItemFailures": [{"itemIdentifier": sent}]})
    execute(session, f"succeed worker --returns '{failures}'")
    execute(session, "advance 1s")
    (done,) = records(session.sim, tk.INVOCATION_SUCCEEDED, "worker")
    assert done.data["batch_item_failures"] == [sent]
    assert session.sim.queues["jobQueue"].depth == 1  # not deleted: it comes back
