"""`show event ID` of a batch job's execution (or of one attempt's AWS Batch job): the
STP_TRIGGER_EVENT_DATA its containers read, as the text they read.

The oracle is the job's Python handler (--allow-code), which prints the variable from its
own os.environ: for every trigger the text `show event` prints must be that text, byte for
byte, whichever id names the execution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from tests.simkit import handler_session, records

STACK = """\
resources:
  api: {type: http-api-gateway}
  jobs:
    type: sqs-queue
    properties: {visibilityTimeoutSeconds: 60}
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/job.py}}
      resources: {cpu: 1, memory: 1024}
      retryConfig: {attempts: 2, retryIntervalSeconds: 10}
      events:
        - type: sqs
          properties: {sqsQueueName: jobs}
        - type: http-api-gateway
          properties: {httpApiGatewayName: api, method: POST, path: /run}
"""

# Prints what its container read, and fails its first attempt when the event says so.
HANDLER = """\
import os


def handle(event, context):
    print("DATA " + os.environ["STP_TRIGGER_EVENT_DATA"])
    if "fail-first" in os.environ["STP_TRIGGER_EVENT_DATA"]:
        if os.environ["STP_CURRENT_ATTEMPT"] == "1":
            raise RuntimeError("first attempt fails")
"""


def _session(tmp_path: Path) -> Session:
    return handler_session(tmp_path, STACK, {"nightly": "src.job:handle"}, {"src/job.py": HANDLER})


def _read(s: Session) -> dict[str, list[str]]:
    """What each execution's containers printed they read, attempt by attempt."""
    out: dict[str, list[str]] = {}
    for r in records(s.sim, tk.HANDLER_LOG, "nightly"):
        if r.data["text"].startswith("DATA "):
            out.setdefault(r.data["execution_id"], []).append(r.data["text"][len("DATA ") :])
    return out


def _shown(s: Session, key: str) -> str:
    result = execute(s, f"show event {key}")
    head, _, body = result.text.partition("\n")
    data = result.data
    assert head == (
        f"the STP_TRIGGER_EVENT_DATA the containers of execution {data['execution_id']} of "
        f"{data['job']} read ({len(data['text']):,} characters):"
    )
    assert body == data["text"]
    return body


@pytest.mark.parametrize(
    "line",
    [
        "send jobs hello",
        'start-job nightly \'{"report": "q3", "note": "caf\\u00e9"}\'',
        "http POST /run 'x=1'",
    ],
)
def test_the_text_shown_is_what_the_container_read(tmp_path: Path, line: str) -> None:
    s = _session(tmp_path)
    execute(s, line)
    execute(s, "run")
    ((execution_id, [text]),) = _read(s).items()
    assert _shown(s, execution_id) == text
    # The attempt's own AWS Batch job id names it too, and a unique start of either.
    (started,) = records(s.sim, tk.BATCH_ATTEMPT_STARTED, "nightly")
    assert _shown(s, started.data["batch_job_id"]) == text
    assert _shown(s, execution_id[:8]) == text


def test_every_attempt_reads_the_same_text_and_explain_points_at_it(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, "start-job nightly '{\"fail-first\": true}'")
    execute(s, "run")
    ((execution_id, texts),) = _read(s).items()
    assert len(texts) == 2 and texts[0] == texts[1]
    second = records(s.sim, tk.BATCH_ATTEMPT_STARTED, "nightly")[1].data["batch_job_id"]
    assert _shown(s, second) == texts[0]
    for key in (execution_id, second):
        explained = execute(s, f"explain {key}").text
        assert explained.endswith(
            f"show event {execution_id} shows the STP_TRIGGER_EVENT_DATA its attempts read"
        )


def test_an_sqs_message_s_explain_points_at_the_job_it_started(tmp_path: Path) -> None:
    s = _session(tmp_path)
    message_id = execute(s, "send jobs hello").data["message_id"]
    execute(s, "run")
    ((execution_id, [text]),) = _read(s).items()
    assert f"show event {execution_id} shows the STP_TRIGGER_EVENT_DATA" in (
        execute(s, f"explain {message_id}").text
    )
    assert '"body":"hello"' in _shown(s, execution_id) == text


def test_untrusted_text_is_shown_as_json_escapes(tmp_path: Path) -> None:
    s = _session(tmp_path)
    execute(s, 'start-job nightly \'{"k": "[bold]x\\u001b[31m\\u202e"}\'')
    execute(s, "run")
    ((execution_id, [text]),) = _read(s).items()
    # JSON.stringify escapes the control character and keeps U+202E as it is.
    assert "\\u001b" in text and "\u202e" in text
    result = execute(s, f"show event {execution_id}")
    assert result.data["text"] == text
    assert "\x1b" not in result.text and "\u202e" not in result.text
    assert result.text.endswith('{"k":"[bold]x\\u001b[31m\\u202e"}')


def test_an_id_that_names_nothing_says_what_show_event_takes(tmp_path: Path) -> None:
    s = _session(tmp_path)
    with pytest.raises(CommandError) as err:
        execute(s, "show event nope-nope")
    assert "no invocation or batch job execution 'nope-nope'" in str(err.value)
    execute(s, "start-job nightly")
    execute(s, "run")
    (execution_id,) = _read(s)
    with pytest.raises(CommandError, match="is too short"):
        execute(s, f"show event {execution_id[:3]}")


def test_tab_offers_the_executions_after_the_invocations(tmp_path: Path) -> None:
    from replkit import complete, metas

    s = _session(tmp_path)
    execute(s, "start-job nightly")
    execute(s, "start-job nightly")
    execute(s, "run")
    older, newer = _read(s)
    offers = complete(s, "show event ")
    assert offers.index(newer) < offers.index(older)
    assert metas(s, "show event ")[older] == "execution of batch job nightly"


# A user's own state machine submits the job's definition to AWS Batch itself: no trigger
# function, no STP_* variables, only what its SubmitJob gives.
SUBMITTED_STACK = """\
resources:
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: stacktape-image-buildpack, properties: {entryfilePath: src/job.py}}
      resources: {cpu: 1, memory: 1024}
  flow:
    type: state-machine
    properties:
      definition: DEFINITION
"""
SUBMIT = {
    "StartAt": "Run",
    "States": {
        "Run": {
            "Type": "Task",
            "Resource": "arn:aws:states:::batch:submitJob.sync",
            "Parameters": {
                "JobDefinition": "app-dev-nightly-job-definition",
                "JobName": "run-1",
                "JobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/q",
                "Parameters": {"day": "mon"},
                "ContainerOverrides": {"Environment": [{"Name": "REPORT", "Value.$": "$.report"}]},
            },
            "End": True,
        }
    },
}
# Prints what its container's environment held.
ENV_HANDLER = """\
import os


def handle(event, context):
    print("HAS " + str("STP_TRIGGER_EVENT_DATA" in os.environ) + " REPORT " + os.environ["REPORT"])
"""


def _submitted_session(tmp_path: Path) -> Session:
    stack = SUBMITTED_STACK.replace("DEFINITION", json.dumps(SUBMIT))
    return handler_session(
        tmp_path, stack, {"nightly": "src.job:handle"}, {"src/job.py": ENV_HANDLER}
    )


def test_a_job_a_state_machine_submitted_says_what_its_container_got_instead(
    tmp_path: Path,
) -> None:
    s = _submitted_session(tmp_path)
    execute(s, 'start-execution flow \'{"report": "q3"}\' --name e1')
    execute(s, "run")
    (job_id,) = {r.data["execution_id"] for r in records(s.sim, tk.BATCH_ATTEMPT_STARTED)}
    # The oracle: what the container itself saw.
    printed = [r.data["text"] for r in records(s.sim, tk.HANDLER_LOG, "nightly")]
    assert printed == ["HAS False REPORT q3"]
    for key in (job_id, job_id[:8]):
        result = execute(s, f"show event {key}")
        head, env, params, pointer = result.text.split("\n")
        assert head.startswith(f"AWS Batch job {job_id} (run-1) of nightly got no trigger event")
        assert "its containers got no STP_TRIGGER_EVENT_DATA" in head
        assert env == '  environment: {"REPORT":"q3","MANAGED_BY_AWS":"STARTED_BY_STEP_FUNCTIONS"}'
        assert params == '  parameters: {"day":"mon"}'
        arn = "arn:aws:states:us-east-1:123456789012:execution:app-dev-flow:e1"
        assert pointer == (
            f"show execution {arn} shows the execution that submitted it; "
            f"explain {job_id} follows its attempts"
        )
        assert result.data["submitted_by"] == arn and result.data["text"] is None
        # The command it points at runs and is about that execution.
        assert execute(s, f"show execution {arn}").data["name"] == "e1"
    # `explain` of the job follows it (it recursed without end before).
    assert "batch.succeeded" in execute(s, f"explain {job_id}").text
    # `show event` of the execution that submitted it points at the job.
    with pytest.raises(CommandError) as err:
        execute(s, "show event arn:aws:states:us-east-1:123456789012:execution:app-dev-flow:e1")
    assert f"it submitted AWS Batch job {job_id} of nightly" in str(err.value)
    assert err.value.hint == f"show event {job_id} says what they got"


def test_explain_of_a_submitted_job_points_at_show_event_as_a_triggered_one_does(
    tmp_path: Path,
) -> None:
    s = _submitted_session(tmp_path)
    execute(s, 'start-execution flow \'{"report": "q3"}\' --name e1')
    execute(s, "run")
    (job_id,) = {r.data["execution_id"] for r in records(s.sim, tk.BATCH_ATTEMPT_STARTED)}
    pointer = (
        f"show event {job_id} shows the environment and parameters its SubmitJob gave its "
        "containers"
    )
    # The job's own chain, and the chain of the execution that submitted it.
    for key in (job_id, "e1"):
        assert execute(s, f"explain {key}").text.endswith(pointer)
    # The line it names runs, and says what the containers got.
    assert execute(s, f"show event {job_id}").data["environment"]["REPORT"] == "q3"


def test_tab_offers_the_jobs_a_state_machine_submitted(tmp_path: Path) -> None:
    from replkit import complete, metas

    s = _submitted_session(tmp_path)
    execute(s, 'start-execution flow \'{"report": "q3"}\' --name e1')
    execute(s, "run")
    (job_id,) = {r.data["execution_id"] for r in records(s.sim, tk.BATCH_ATTEMPT_STARTED)}
    assert job_id in complete(s, "show event ")
    assert metas(s, "show event ")[job_id] == "AWS Batch job of nightly, submitted by flow"
    execute(s, f"show event {job_id}")


def test_show_event_without_an_id_names_the_batch_job_executions_it_takes(
    tmp_path: Path,
) -> None:
    s = _session(tmp_path)
    with pytest.raises(CommandError) as err:
        execute(s, "show event")
    assert str(err.value).startswith(
        "show event needs an invocation id or a batch job execution's id"
    )
