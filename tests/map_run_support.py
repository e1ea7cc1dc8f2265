"""A stack for the Map Run API tests: a Distributed Map over items that fail when they say
so, and a function `app` whose Python handler makes the Step Functions call an event names
and answers what boto3 returned (or the error it raised)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stptui.commands import Session, execute
from stptui.sim.clock import datetime_of
from stptui.sim.services.state_machine import Execution, lookup_machine
from tests.simkit import START

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: p.py}}"
# A child that fails (error Bad) when its item has "fail": true, else waits 10 s.
CHILD = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Bad"}],
            "Default": "Hold",
        },
        "Bad": {"Type": "Fail", "Error": "Bad", "Cause": "a bad item"},
        "Hold": {"Type": "Wait", "Seconds": 10, "End": True},
    },
    "ProcessorConfig": {"Mode": "DISTRIBUTED"},
}
DEFINITION = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "Label": "Rows",
            "MaxConcurrency": 2,
            "ToleratedFailureCount": 1,
            "ItemProcessor": CHILD,
            "End": True,
        }
    },
}


def handlers(calls: str) -> str:
    """A handler module whose `handle` runs `calls` (Python lines, indented by 8, that set
    `got` from `event`) and answers `got` as JSON, or the ClientError's code and message."""
    return f"""
import json

import boto3

sfn = boto3.client("stepfunctions")


def plain(value):
    return json.loads(json.dumps(value, default=lambda d: d.isoformat()))


def handle(event, context):
    op = event["op"]
    try:
{calls}
    except sfn.exceptions.ClientError as exc:
        return {{"error": exc.response["Error"]["Code"], "message": exc.response["Error"]["Message"],
                "class": type(exc).__name__}}
    got = plain(got)
    if isinstance(got, dict):
        got.pop("ResponseMetadata", None)
    return got
"""


def session(
    tmp_path: Path, grant: str, module: str, source: str, definition: Any = DEFINITION
) -> Session:
    """`app` runs `source` as the handler module `module`, with `grant`; `flow` is
    `definition`."""
    (tmp_path / "stacktape.yml").write_text(
        f"""
serviceName: mr
resources:
  app:
    type: function
    properties:
      {PKG}
      {grant}
  flow:
    type: state-machine
    properties:
      definition: {json.dumps(definition)}
""",
        encoding="utf-8",
    )
    (tmp_path / "stptui.yml").write_text(
        f"behaviors:\n  app:\n    handler: {module}:handle\n", encoding="utf-8"
    )
    (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
    return Session.open(tmp_path, start_ms=START, allow_code=True)


def call(s: Session, **event: Any) -> Any:
    """What `app` answered to `event`."""
    result = execute(s, f"invoke app '{json.dumps(event)}'")
    assert "response" in result.data, result.text
    return result.data["response"]


def start(s: Session, bad: set[int], n: int = 5) -> Execution:
    """An execution of `flow` over `n` items, those in `bad` failing."""
    return lookup_machine(s.sim, "flow").start([{"n": i, "fail": i in bad} for i in range(n)])


def iso(ms: int) -> str:
    """An instant as boto3 gives a date, made plain (ISO 8601)."""
    return datetime_of(ms).isoformat()
