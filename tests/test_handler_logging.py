"""What a Python handler writes with the `logging` module reaches the function's log as
Lambda's Python runtime sends it to CloudWatch (awslambdaric's `_setup_logging`): one event
per record, `[LEVEL]\\tTIME.mmmZ\\tREQUEST_ID\\tMESSAGE`, the root logger left at WARNING
until the code sets a level, `basicConfig` doing nothing; and none of it, nor a print at
import, reaches stptui's own terminal (docs/fidelity.md, "Handler logs")."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from simkit import ONE_WORKER_STACK, START, handler_session

from stptui.commands import Session, execute

T0 = START
HANDLER = """\
import logging

print("cold start")
logging.basicConfig(level=logging.DEBUG, format="%(message)s")
logger = logging.getLogger()
logger.warning("at import")


def quiet(event, context):
    logger.info("not shown: the root logger is at WARNING")
    logger.warning("low stock: %d left", 3)
    return {}


def chatty(event, context):
    logger.setLevel(logging.INFO)
    logging.getLogger("orders").info("order %s queued", event["id"])
    print("printed between")
    context.sleep("2s")
    logger.info("after the provider answered")
    return {}


def custom(event, context):
    # A common pattern: the runtime's handler given the code's own format.
    logging.getLogger().handlers[0].setFormatter(
        logging.Formatter("%(levelname)s %(created)d %(aws_request_id)s %(message)s")
    )
    logger.error("payment declined")
    return {}


def broken(event, context):
    try:
        {}["missing"]
    except KeyError:
        logger.exception("lookup failed")
    return {}
"""


@pytest.fixture(autouse=True)
def _root_logger_untouched() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    assert (root.level, root.handlers) == (level, handlers)


def _session(folder: Path, handler: str) -> Session:
    return handler_session(
        folder,
        ONE_WORKER_STACK,
        {"worker": f"logging_worker:{handler}"},
        {"logging_worker.py": HANDLER},
    )


def _messages(s: Session) -> list[str]:
    """The function's invocations' log events but Lambda's own, each without the line break
    that ends it (the init phase's, which no invocation wrote, are left out)."""
    events = s.sim.services["logs"].group("worker").recent(100)
    return [
        ev.message.removesuffix("\n")
        for ev in events
        if ev.invocation_id is not None and not ev.message.startswith(("START", "END", "REPORT"))
    ]


def _request_id(s: Session) -> str:
    started = [r for r in s.sim.trace.records if r.kind == "invocation.started"]
    return str(started[0].data["invocation_id"])


def test_a_warning_is_in_the_log_in_lambdas_format_and_info_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _session(tmp_path, "quiet")
    execute(s, "invoke worker '{}'")
    rid = _request_id(s)
    assert _messages(s) == [f"[WARNING]\t2026-01-05T08:00:00.000Z\t{rid}\tlow stock: 3 left"]
    # basicConfig at import did nothing (the root logger has Lambda's handler), and neither
    # the import's print nor its log record reached stptui's terminal.
    out, err = capsys.readouterr()
    assert "cold start" not in out + err
    assert "at import" not in out + err
    assert "low stock" not in out + err


def test_what_the_module_prints_and_logs_at_import_is_in_the_first_stream_before_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lambda's init phase writes to the new execution environment's stream before the
    first invocation's START, after Lambda's INIT_START line; the record has no request id
    yet, and the time of the cold start, when the environment's init phase imports the
    module. A warm start imports nothing, so only the first invocation's environment has
    the lines; the trace has them as handler.log records of no invocation, at the first
    invocation's start."""
    s = _session(tmp_path, "quiet")
    execute(s, "advance 1m")
    execute(s, "invoke worker '{}'")
    execute(s, "advance 1s")
    execute(s, "invoke worker '{}'")
    first = T0 + 60_000
    group = s.sim.services["logs"].group("worker")
    events = group.recent(100)
    rid = _request_id(s)
    init = ["cold start\n", "[WARNING]\t2026-01-05T08:01:00.000Z\t\tat import\n"]
    assert events[0].message.startswith("INIT_START Runtime Version: python:3.13.v14\t")
    assert [ev.message for ev in events[1:4]] == [
        *init,
        f"START RequestId: {rid} Version: $LATEST\n",
    ]
    assert {(ev.timestamp, ev.stream, ev.invocation_id) for ev in events[:3]} == {
        (first, group.stream(0), None)
    }
    assert [ev.message for ev in events].count("cold start\n") == 1
    logs = [r for r in s.sim.trace.records if r.kind in ("handler.log", "invocation.started")]
    assert [(r.t, r.kind, r.data) for r in logs[:3]] == [
        (first, "handler.log", {"text": "cold start"}),
        (first, "handler.log", {"text": "[WARNING]\t2026-01-05T08:01:00.000Z\t\tat import"}),
        (first, "invocation.started", logs[2].data),
    ]
    execute(s, "expect count handler.log worker 'text=cold start' == 1")
    out, err = capsys.readouterr()
    assert "cold start" not in out + err


def test_records_and_prints_keep_their_order_and_a_record_after_sleep_its_time(
    tmp_path: Path,
) -> None:
    s = _session(tmp_path, "chatty")
    execute(s, """invoke worker '{"id": "o-1"}'""")
    rid = _request_id(s)
    assert _messages(s) == [
        f"[INFO]\t2026-01-05T08:00:00.000Z\t{rid}\torder o-1 queued",
        "printed between",
        f"[INFO]\t2026-01-05T08:00:02.000Z\t{rid}\tafter the provider answered",
    ]


def test_logger_exception_is_one_event_with_the_handlers_frames(tmp_path: Path) -> None:
    s = _session(tmp_path, "broken")
    execute(s, "invoke worker '{}'")
    rid = _request_id(s)
    assert _messages(s) == [
        "\n".join(
            [
                f"[ERROR]\t2026-01-05T08:00:00.000Z\t{rid}\tlookup failed",
                "Traceback (most recent call last):",
                '  File "/var/task/logging_worker.py", line 35, in broken',
                '    {}["missing"]',
                "KeyError: 'missing'",
            ]
        )
    ]


def test_a_level_set_by_one_sessions_code_stays_in_that_session(tmp_path: Path) -> None:
    first = _session(tmp_path, "chatty")
    execute(first, """invoke worker '{"id": "o-1"}'""")
    assert logging.getLogger().level == logging.WARNING  # stptui's own is as it was
    second = _session(tmp_path, "quiet")
    execute(second, "invoke worker '{}'")
    # The second session imported the module afresh: its root logger is at WARNING again.
    assert [m.split("\t")[0] for m in _messages(second)] == ["[WARNING]"]


def test_the_code_may_give_lambdas_handler_its_own_format(tmp_path: Path) -> None:
    s = _session(tmp_path, "custom")
    execute(s, "invoke worker '{}'")
    # The record's time is the simulated one (2026-01-05T08:00:00Z), whatever the format.
    assert _messages(s) == [f"ERROR 1767600000 {_request_id(s)} payment declined"]
