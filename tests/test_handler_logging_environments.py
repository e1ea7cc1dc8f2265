"""The `logging` and `warnings` settings a Python handler's code makes are its execution
environment's: Lambda runs each environment as a process of its own (and AWS each batch
attempt's and container's program), so what one function's code configures (the root
logger's level and handlers, a named logger's handlers, `logging.disable`, the formatters'
converter, the warning filters, `logging.captureWarnings`) lasts for that environment's
next invocations and reaches no other environment, function, container, batch attempt or
session, nor stptui's own process, where it would write on the terminal
(docs/fidelity.md, "Handler logs")."""

from __future__ import annotations

import logging
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from simkit import START, handler_session

from stptui.commands import Session, execute

STACK = """\
resources:
  configures:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
  plain:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: j.py}}
      resources: {cpu: 1, memory: 1024}
"""
# A function whose code sets logging up the ways Lambda code does, at import and in its
# handler, and touches the process-wide switches too.
CONFIGURES = """\
import logging
import sys
import warnings

logging.getLogger().setLevel(logging.INFO)
orders = logging.getLogger("orders")
_out = logging.StreamHandler(sys.stdout)
_out.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
orders.addHandler(_out)


def handler(event, context):
    orders.warning("order %s", event.get("id", "-"))
    logging.info("configured")
    if event.get("switches"):
        logging.disable(logging.ERROR)
        warnings.simplefilter("error")
        logging.captureWarnings(True)
    if event.get("warn"):
        warnings.warn("careful")
    return {}
"""
# A function whose code configures nothing.
PLAIN = """\
import logging
import warnings


def handler(event, context):
    logging.info("not shown: the root logger is at WARNING")
    logging.getLogger("orders").warning("plain order")
    logging.error("plain error")
    if event.get("warn"):
        warnings.warn("careful")
    return {}
"""
# A batch job's program: Python's own logging, no Lambda runtime.
JOB = """\
import logging

logging.warning("job imported")


def job(event, context):
    logging.warning("job ran")
    logging.getLogger("orders").warning("job order")
"""


def _process_settings() -> tuple[object, ...]:
    """The process's logging and warnings settings, the formatters' converter by its
    answers: stptui gives Python's a stand-in once, which reads the same local time outside
    a handler's call."""
    root, manager = logging.getLogger(), logging.Logger.manager
    return (
        root.level,
        list(root.handlers),
        list(root.filters),
        dict(manager.loggerDict),
        manager.disable,
        logging.Formatter.converter(86_400.0) == time.localtime(86_400.0),
        list(warnings.filters),
        warnings.showwarning,
    )


@pytest.fixture(autouse=True)
def _process_untouched() -> Iterator[None]:
    before = _process_settings()
    yield
    assert _process_settings() == before


def _session(folder: Path) -> Session:
    return handler_session(
        folder,
        STACK,
        {"configures": "configures:handler", "plain": "plain:handler", "nightly": "job:job"},
        {"configures.py": CONFIGURES, "plain.py": PLAIN, "job.py": JOB},
    )


def _stream(s: Session, group: str) -> list[str]:
    """The group's events but Lambda's own lines, without their line breaks, each with the
    request id replaced by RID."""
    out = []
    for ev in s.sim.services["logs"].group(group).recent(200):
        text = ev.message.removesuffix("\n")
        if text.startswith(("INIT_START", "START", "END", "REPORT")):
            continue
        if ev.invocation_id:
            text = text.replace(str(ev.invocation_id), "RID")
        out.append(text)
    return out


def test_one_functions_logging_set_up_does_not_reach_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _session(tmp_path)
    execute(s, """invoke configures '{"id": "o-1"}'""")
    execute(s, "invoke plain '{}'")
    assert _stream(s, "configures") == [
        # Its logger's own handler, with its own format, the time in UTC as Lambda's
        # runtime sets `logging.Formatter.converter`; then Lambda's handler of the root.
        "2026-01-05 08:00:00,000 orders order o-1",
        "[WARNING]\t2026-01-05T08:00:00.000Z\tRID\torder o-1",
        "[INFO]\t2026-01-05T08:00:00.000Z\tRID\tconfigured",
    ]
    # The other function's root logger is at WARNING and its `orders` logger has no handler
    # of its own: one line a record, in Lambda's format.
    assert _stream(s, "plain") == [
        "[WARNING]\t2026-01-05T08:00:00.100Z\tRID\tplain order",
        "[ERROR]\t2026-01-05T08:00:00.100Z\tRID\tplain error",
    ]
    out, err = capsys.readouterr()
    assert "order" not in out + err


def test_what_the_code_sets_lasts_for_its_environments_next_invocations(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, """invoke configures '{"switches": true}'""")
    execute(s, "advance 1s")
    # The same environment (a warm start): logging.disable(ERROR) holds, and the warning
    # filter "error" makes the warning an exception, as in the process Lambda keeps.
    result = execute(s, """invoke configures '{"id": "o-2", "warn": true}'""").data
    assert result["error"] == "UserWarning"
    lines = _stream(s, "configures")
    assert [line for line in lines if "[INFO]" in line or "o-2" in line] == [
        "[INFO]\t2026-01-05T08:00:00.000Z\tRID\tconfigured"  # the first invocation's only
    ]
    # Another function's environment has none of it: its warning is a warning, written to
    # stderr (its log), and its records are shown.
    plain = execute(s, """invoke plain '{"warn": true}'""").data
    assert "error" not in plain
    assert _stream(s, "plain") == [
        f"[WARNING]\t{_instant(s)}\tRID\tplain order",
        f"[ERROR]\t{_instant(s)}\tRID\tplain error",
        # Python's warning on stderr, the file named as in Lambda's task root.
        "/var/task/plain.py:10: UserWarning: careful",
        '  warnings.warn("careful")',
    ]


def test_a_batch_jobs_implicit_basic_config_stays_in_its_attempts_process(
    tmp_path: Path,
) -> None:
    s = _session(tmp_path)
    execute(s, "start-job nightly")
    execute(s, "run")
    # `logging.warning` with no handler on the root logger calls basicConfig, as Python
    # does: Python's BASIC_FORMAT on stderr, for the rest of that process's life.
    assert _stream(s, "nightly") == [
        "WARNING:root:job imported",
        "WARNING:root:job ran",
        "WARNING:orders:job order",
    ]
    # A function run after it has Lambda's handler only: no `WARNING:root:` line.
    execute(s, "invoke plain '{}'")
    assert _stream(s, "plain") == [
        f"[WARNING]\t{_instant(s)}\tRID\tplain order",
        f"[ERROR]\t{_instant(s)}\tRID\tplain error",
    ]
    # The next attempt is a new process: one line a record again, not one per handler the
    # earlier attempt's basicConfig left.
    execute(s, "start-job nightly")
    execute(s, "run")
    assert _stream(s, "nightly")[3:] == _stream(s, "nightly")[:3]


def _instant(s: Session) -> str:
    """The newest invocation's start in the runtime's format."""
    started = [r for r in s.sim.trace.records if r.kind == "invocation.started"][-1]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(started.t // 1000))
    return f"{stamp}.{started.t % 1000:03d}Z"


def test_a_handler_added_at_import_writes_once_in_each_environment(tmp_path: Path) -> None:
    # Two invocations at once run in two environments, each importing the module: each
    # adds a handler to its own `orders` logger, so each record is written once. (The
    # loggers were the process's: the second import's handler joined the first's and the
    # one the file's check added, and each record was written three times.)
    s = _session(tmp_path)
    execute(s, """invoke configures '{"id": "a"}' --async""")
    execute(s, """invoke configures '{"id": "b"}' --async""")
    execute(s, "advance 1s")
    own = [line for line in _stream(s, "configures") if " orders order" in line]
    assert sorted(own) == [
        "2026-01-05 08:00:00,000 orders order a",
        "2026-01-05 08:00:00,000 orders order b",
    ]


def test_a_reload_starts_the_environments_logging_afresh(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, """invoke configures '{"id": "o-1"}'""")
    execute(s, "reload")
    execute(s, "advance 900ms")
    execute(s, """invoke configures '{"id": "o-2"}'""")
    own = [line for line in _stream(s, "configures") if " orders order" in line]
    assert own == [
        "2026-01-05 08:00:00,000 orders order o-1",
        "2026-01-05 08:00:01,000 orders order o-2",
    ]
    execute(s, "undo")
    execute(s, "invoke plain '{}'")
    assert _stream(s, "plain")[0] == f"[WARNING]\t{_instant(s)}\tRID\tplain order"


def test_a_code_made_formatters_time_is_utc_whatever_the_machines_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(time, "tzset"):
        pytest.skip("the C library's zone cannot be changed on this platform")
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        s = _session(tmp_path)
        execute(s, """invoke configures '{"id": "o-1"}'""")
        assert _stream(s, "configures")[0] == "2026-01-05 08:00:00,000 orders order o-1"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_no_setting_reaches_stptuis_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _session(tmp_path)
    execute(s, """invoke configures '{"switches": true}'""")
    execute(s, "start-job nightly")
    execute(s, "run")
    # stptui's process logs and warns as before (the fixture checks its settings): the
    # handler's `disable`, filter "error" and captureWarnings are not in force here.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        warnings.warn("stptui's own", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["stptui's own"]
    # The loggers the code made are its environments', not the process's.
    assert "orders" not in logging.Logger.manager.loggerDict
    assert logging.getLogger().isEnabledFor(logging.WARNING)
    out, err = capsys.readouterr()
    assert "job" not in out + err and "order" not in out + err


def test_a_root_logger_the_code_broke_fails_only_its_own_logging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Code may write any value where logging keeps its settings: its own logging calls fail,
    # and its environment is put in place and taken out as any other, with no error of
    # stptui's.
    stdout = sys.stdout
    s = handler_session(
        tmp_path,
        STACK,
        {"configures": "broken:handler", "plain": "plain:handler"},
        {
            "broken.py": "import logging\n\n\ndef handler(event, context):\n"
            '    logging.getLogger().level = "loud"\n    print("set")\n'
            '    logging.warning("then")\n',
            "plain.py": PLAIN,
        },
    )
    for _ in range(2):
        execute(s, "invoke configures '{}'")
    # Its second call compares WARNING with "loud" (TypeError, as Python would), once the
    # answer the root logger kept from before is cleared with the process's settings.
    failed = [r.get("error") for r in s.sim.trace.records if r.kind == "invocation.failed"]
    assert failed == ["TypeError"]
    execute(s, "invoke plain '{}'")
    assert _stream(s, "plain")[0] == f"[WARNING]\t{_instant(s)}\tRID\tplain order"
    assert sys.stdout is stdout
    out, err = capsys.readouterr()
    assert "set" not in out + err


CONTAINER_STACK = """\
resources:
  jobs: {type: sqs-queue}
  plain:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
  worker:
    type: worker-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: w}}
      resources: {cpu: 0.25, memory: 512}
      connectTo: [jobs]
"""
WORKER = """\
import logging


def work(message, context):
    logging.warning("container got a message")
"""


def test_a_containers_implicit_basic_config_stays_in_its_process(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(CONTAINER_STACK, encoding="utf-8")
    (tmp_path / "worker.py").write_text(WORKER, encoding="utf-8")
    (tmp_path / "plain.py").write_text(PLAIN, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n"
        "  worker: {poll: {queue: jobs}, handler: 'worker:work'}\n"
        "  plain: {handler: 'plain:handler'}\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path / "stacktape.yml", start_ms=START, allow_code=True)
    execute(s, "send jobs one")
    execute(s, "advance 5s")
    execute(s, "send jobs two")
    execute(s, "advance 5s")
    # The container's process configured its root logger at its first message, and keeps
    # that handler for the next: one line each, in Python's BASIC_FORMAT.
    assert _stream(s, "worker") == ["WARNING:root:container got a message"] * 2
    execute(s, "invoke plain '{}'")
    assert _stream(s, "plain") == [
        f"[WARNING]\t{_instant(s)}\tRID\tplain order",
        f"[ERROR]\t{_instant(s)}\tRID\tplain error",
    ]


# Code that formats the record's own time (`%(msecs)`, `%(relativeCreated)`), in a function
# and in a batch job's program (Python's basicConfig there).
TIMES = """\
import logging
import sys
import time

_out = logging.StreamHandler(sys.stdout)
_out.setFormatter(
    logging.Formatter("%(asctime)s.%(msecs)03d %(relativeCreated)d %(message)s", "%H:%M:%S")
)
times = logging.getLogger("times")
times.addHandler(_out)
times.propagate = False


def handler(event, context):
    time.sleep(event["ms"] / 1000)
    times.warning("after %s ms", event["ms"])
    return {}


def job(event, context):
    logging.basicConfig(format="%(asctime)s %(msecs)03d %(relativeCreated)d %(message)s")
    time.sleep(0.123)
    logging.warning("job")
"""


def test_a_records_milliseconds_are_the_same_on_every_python(tmp_path: Path) -> None:
    # Python 3.11 and 3.12 take a record's msecs from time.time() (a float: 0.123 s is
    # 0.12299990654 s, truncated to 122 ms), 3.13 from time.time_ns() (123 ms): stptui
    # times a record made in a handler's call from the simulated milliseconds itself.
    s = handler_session(
        tmp_path,
        STACK,
        {"configures": "times:handler", "nightly": "times:job"},
        {"times.py": TIMES},
    )
    # Each a second on, a warm environment's call: where 3.11 wrote 122, 000, 006, 556, 998.
    for second, ms in enumerate((123, 1, 7, 557, 99), start=1):
        execute(s, f"until 2026-01-05T08:00:{second:02d}Z")
        execute(s, f"""invoke configures '{{"ms": {ms}}}'""")
    execute(s, "start-job nightly")
    execute(s, "run")
    assert _stream(s, "configures") == [
        "08:00:01.123 0 after 123 ms",
        "08:00:02.001 0 after 1 ms",
        "08:00:03.007 0 after 7 ms",
        "08:00:04.557 0 after 557 ms",
        "08:00:05.099 0 after 99 ms",
    ]
    # The job's program logs 123 ms into its attempt; Python's `asctime` writes `msecs` too.
    assert _stream(s, "nightly")[-1] == "2026-01-05 08:00:05,322 322 0 job"
