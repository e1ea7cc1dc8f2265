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

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
STACK = """\
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
"""
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
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "stptui.yml").write_text(
        f"behaviors:\n  worker:\n    handler: logging_worker:{handler}\n", encoding="utf-8"
    )
    (folder / "logging_worker.py").write_text(HANDLER, encoding="utf-8")
    return Session.open(folder, start_ms=T0, allow_code=True)


def _messages(s: Session) -> list[str]:
    """The function's log events but Lambda's own, each without the line break that ends it."""
    events = s.sim.services["logs"].group("worker").recent(100)
    return [
        ev.message.removesuffix("\n")
        for ev in events
        if not ev.message.startswith(("START", "END", "REPORT"))
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
