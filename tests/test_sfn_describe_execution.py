"""DescribeExecution's `includedData` (API reference: ALL_DATA, the default, or METADATA_ONLY,
"to get a successful response without the encrypted" data): METADATA_ONLY answers the
execution without its input and output, for a state machine's executions and a batch job's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from tests import test_batch_execution_calls as calls
from tests.simkit import START

FLOW = calls.FLOW


def session(tmp_path: Path) -> Session:
    """test_batch_execution_calls' stack, whose `describe` passes the event's `args` on."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "stacktape.yml").write_text(calls.stack(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  app:\n    handler: sj_app:handle\n  render: {duration: 10s}\n",
        encoding="utf-8",
    )
    handlers = calls.HANDLERS.replace("MACHINE", calls.MACHINE).replace(
        'sfn.describe_execution(executionArn=event["arn"])',
        'sfn.describe_execution(executionArn=event["arn"], **event.get("args", {}))',
    )
    (tmp_path / "sj_app.py").write_text(handlers, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def describe(s: Session, arn: str, **args: Any) -> Any:
    return calls.call(s, op="describe", arn=arn, args=args)


def test_metadata_only_leaves_out_the_input_and_output(tmp_path: Path) -> None:
    s = session(tmp_path)
    execute(s, "start-execution flow '{\"k\": 1}' --name e1")
    arn = FLOW.replace(":stateMachine:", ":execution:") + ":e1"
    execute(s, "advance 1m")
    full = describe(s, arn)
    assert (full["status"], full["input"], full["output"]) == ("SUCCEEDED", '{"k":1}', '{"k":1}')
    assert describe(s, arn, includedData="ALL_DATA") == full
    meta = describe(s, arn, includedData="METADATA_ONLY")
    assert "input" not in meta and "output" not in meta
    assert meta["inputDetails"] == meta["outputDetails"] == {"included": False}
    # The rest is the same answer.
    rest = {k: v for k, v in full.items() if k not in ("input", "output")}
    rest.update(inputDetails={"included": False}, outputDetails={"included": False})
    assert meta == rest


def test_metadata_only_of_a_batch_jobs_execution(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = calls.start(s, "clip")
    meta = describe(s, arn, includedData="METADATA_ONLY")
    assert meta["status"] == "RUNNING"
    assert "input" not in meta and meta["inputDetails"] == {"included": False}
    # A running execution has no output to leave out.
    assert "outputDetails" not in meta


def test_another_included_data_is_a_validation_exception(tmp_path: Path) -> None:
    s = session(tmp_path)
    arn = calls.start(s, "clip")
    got = describe(s, arn, includedData="SOME")
    assert got["error"] == "ValidationException"
    assert got["message"] == (
        "1 validation error detected: Value 'SOME' at 'includedData' failed to satisfy "
        "constraint: Member must satisfy enum value set: [ALL_DATA, METADATA_ONLY]"
    )
