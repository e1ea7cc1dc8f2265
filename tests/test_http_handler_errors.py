"""A route's function that fails answers 500 (HTTP API) or 502 (load balancer), and the
`http` line says which error Lambda reported, its type and message: `KeyError` alone left
the user to find which key. A Python handler written from Stacktape's "Background Jobs"
guide reads `os.environ["STP_JOB_QUEUE_QUEUE_URL"]`, a name Stacktape never sets; the hint
names the variable connectTo does give (`STP_JOB_QUEUE_URL`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.cli import main

STACK = """\
resources:
  httpApi:
    type: http-api-gateway
  api:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: api.py}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: httpApi, path: /jobs, method: POST}
      connectTo: [jobQueue]
  lonely:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: l.py}}
      events:
        - type: http-api-gateway
          properties: {httpApiGatewayName: httpApi, path: /lonely, method: GET}
  jobQueue:
    type: sqs-queue
"""
HANDLERS = """\
import os


def api(event, context):
    os.environ["STP_JOB_QUEUE_QUEUE_URL"]  # the guide's name


def lonely(event, context):
    os.environ["STP_JOB_QUEUE_URL"]


def other(event, context):
    {}["STP_JOB_QUEUE_URL"]
"""
BEHAVIORS = """\
behaviors:
  api: {handler: "handlers:api"}
  lonely: {handler: "handlers:lonely"}
"""


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "stacktape.yml").write_text(STACK)
    (tmp_path / "handlers.py").write_text(HANDLERS)
    (tmp_path / "stptui.yml").write_text(BEHAVIORS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def answer(stack: Path, line: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    (stack / "s.stp").write_text(line + "\n")
    code = main(["run", "stacktape.yml", "s.stp", "--allow-code", "--start", "2026-01-05"])
    assert code == 0
    return capsys.readouterr().out.splitlines()[1:4]


def test_a_variable_the_guide_misnames_is_named_with_the_real_one(
    stack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert answer(stack, "http POST /jobs", capsys) == [
        "HTTP 500  (httpApi: POST /jobs -> api, 100 ms)",
        "gateway: the function failed: KeyError: 'STP_JOB_QUEUE_QUEUE_URL'",
        "hint: api's environment has no STP_JOB_QUEUE_QUEUE_URL: did you mean "
        "STP_JOB_QUEUE_URL? (`stptui graph` lists them all)",
    ]


def test_a_function_that_connects_to_nothing_is_told_so(
    stack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = answer(stack, "http GET /lonely", capsys)
    assert out[1] == "gateway: the function failed: KeyError: 'STP_JOB_QUEUE_URL'"
    assert out[2] == (
        "hint: lonely has no STP_JOB_QUEUE_URL: Stacktape sets STP_ variables for what a "
        "function's connectTo names, and its connectTo names nothing that has them"
    )


def test_a_variable_the_function_has_gets_no_such_hint(
    stack: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The KeyError came from another mapping: the environment is not the fault.
    (stack / "stptui.yml").write_text(BEHAVIORS.replace("handlers:api", "handlers:other"))
    out = answer(stack, "http POST /jobs", capsys)
    assert out[1] == "gateway: the function failed: KeyError: 'STP_JOB_QUEUE_URL'"
    assert not out[2].startswith("hint:")
