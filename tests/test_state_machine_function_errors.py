"""A Step Functions Lambda task whose function fails: the state's error is the function's
errorType and its cause the error response Invoke answers, the runtime's own (Python's
`errorMessage`, `errorType`, `requestId`, `stackTrace`), as AWS's execution histories show it
(docs/fidelity.md, "Step Functions")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from simkit import handler_session

from stptui.commands import Session
from stptui.sim.services.state_machine import Execution, lookup_machine

DIRECT = {"Fn::GetAtt": ["WorkerFunction", "Arn"]}
OPTIMIZED = "arn:aws:states:::lambda:invoke"
HANDLER = """\
def handle(event, context):
    raise ValueError("no such order: " + event["id"])
"""
# The frame of the handler's call, as awslambdaric's traceback.format_list writes it.
FRAME = '  File "/var/task/sfn_worker.py", line 2, in handle\n'
FRAME += '    raise ValueError("no such order: " + event["id"])\n'


def _stack(resource: Any, runtime: str = "") -> str:
    work: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True}
    if resource == OPTIMIZED:
        work["Parameters"] = {"FunctionName": "worker", "Payload.$": "$"}
    work["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    definition = {
        "StartAt": "Work",
        "States": {"Work": work, "Caught": {"Type": "Pass", "End": True}},
    }
    extra = f"\n      runtime: {runtime}" if runtime else ""
    return f"""\
resources:
  worker:
    type: function
    properties:
      packaging:
        {{type: stacktape-lambda-buildpack, properties: {{entryfilePath: src/w.py}}}}{extra}
  flow:
    type: state-machine
    properties:
      definition: {json.dumps(definition)}
"""


def _run(s: Session, payload: Any) -> tuple[Execution, str]:
    ex = lookup_machine(s.sim, "flow").start(payload, None)
    s.sim.run(10**7)
    (failed,) = [r.data for r in s.sim.trace.records if r.kind == "sfn.task.failed"]
    return ex, failed["invocation_id"]


def _declared(folder: Path, resource: Any, runtime: str, message: str) -> Session:
    (folder / "stacktape.yml").write_text(_stack(resource, runtime), encoding="utf-8")
    behaviors = (
        f"behaviors:\n  worker: {{fail: {{always: true, error: Boom, message: {message}}}}}\n"
    )
    (folder / "stptui.yml").write_text(behaviors, encoding="utf-8")
    return Session.open(folder)


def test_a_direct_tasks_cause_is_the_python_runtimes_error_response_as_it_wrote_it(
    tmp_path: Path,
) -> None:
    s = handler_session(
        tmp_path, _stack(DIRECT), {"worker": "sfn_worker:handle"}, {"sfn_worker.py": HANDLER}
    )
    ex, request_id = _run(s, {"id": "o-7"})
    # The runtime's four keys in its order, its spacing (awslambdaric's encoder), the
    # invocation's request id and the handler's frame, passed on unchanged.
    cause = (
        '{"errorMessage": "no such order: o-7", "errorType": "ValueError", '
        f'"requestId": "{request_id}", "stackTrace": {json.dumps([FRAME])}}}'
    )
    assert ex.output == {"Error": "ValueError", "Cause": cause}


def test_lambda_invoke_gives_the_same_error_response_written_compact(tmp_path: Path) -> None:
    s = handler_session(
        tmp_path, _stack(OPTIMIZED), {"worker": "sfn_worker:handle"}, {"sfn_worker.py": HANDLER}
    )
    ex, request_id = _run(s, {"id": "o-7"})
    assert ex.output["Error"] == "ValueError"
    assert ex.output["Cause"] == json.dumps(
        {
            "errorMessage": "no such order: o-7",
            "errorType": "ValueError",
            "requestId": request_id,
            "stackTrace": [FRAME],
        },
        separators=(",", ":"),
    )


@pytest.mark.parametrize(
    ("runtime", "written"),
    [("python3.13", "caf\\u00e9 closed"), ("python3.12", "café closed"), ("", "caf\\u00e9 closed")],
)
def test_a_declared_failure_of_a_python_function_has_an_empty_stack_trace(
    tmp_path: Path, runtime: str, written: str
) -> None:
    # A declared behaviour runs no Python: the runtime's object with no frames. Its encoder
    # escapes non-ASCII text, but python3.12's keeps it.
    s = _declared(tmp_path, DIRECT, runtime, "café closed")
    ex, request_id = _run(s, {})
    assert ex.output == {
        "Error": "Boom",
        "Cause": (
            f'{{"errorMessage": "{written}", "errorType": "Boom", '
            f'"requestId": "{request_id}", "stackTrace": []}}'
        ),
    }
    assert json.loads(ex.output["Cause"])["errorMessage"] == "café closed"


def test_a_declared_failure_through_lambda_invoke_keeps_non_ascii_text(tmp_path: Path) -> None:
    s = _declared(tmp_path, OPTIMIZED, "python3.13", "café closed")
    ex, request_id = _run(s, {})
    assert ex.output["Cause"] == (
        f'{{"errorMessage":"café closed","errorType":"Boom","requestId":"{request_id}",'
        '"stackTrace":[]}'
    )
