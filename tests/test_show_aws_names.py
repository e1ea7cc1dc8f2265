"""`show queue Q` gives the queue's AWS name and URL, and `show function F` the function's
AWS name: an on-call engineer comes with the name or URL an alarm or a log gave, and the
views say them as the handlers' environment has them (one source: the resource's
`$ResourceParam` values), so what is shown is what a handler's SDK call names."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config.envvars import workload_environment
from stptui.config.model import Function
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")


def _session() -> Session:
    return Session.open(JOB_QUEUE, start_ms=T0)


def test_show_queue_gives_the_name_and_url_the_connected_handler_gets() -> None:
    s = _session()
    api = s.sim.stack.resources["api"]
    assert isinstance(api, Function)
    env = {e.name: e.value for e in workload_environment(s.sim.stack, api)}
    result = execute(s, "show queue jobQueue")
    lines = result.text.splitlines()
    # Under the counts and timeouts, before the rest of the page.
    assert lines[2:4] == [
        f"AWS name {env['STP_JOB_QUEUE_NAME']}",
        f"URL {env['STP_JOB_QUEUE_URL']}",
    ]
    assert lines[2] == "AWS name job-queue-demo-dev-jobQueue"
    assert lines[3] == (
        "URL https://sqs.us-east-1.amazonaws.com/123456789012/job-queue-demo-dev-jobQueue"
    )
    assert result.data["aws_name"] == env["STP_JOB_QUEUE_NAME"]
    assert result.data["url"] == env["STP_JOB_QUEUE_URL"]


def test_the_url_shown_is_the_one_a_command_is_told_to_name_by_the_stack_name() -> None:
    # Pasting the URL from the page (as from an alarm) is refused with the stack's name.
    s = _session()
    url = execute(s, "show queue deadLetterQueue").data["url"]
    with pytest.raises(CommandError) as refused:
        execute(s, f"show queue {url}")
    assert "is AWS's name for deadLetterQueue" in f"{refused.value.message} {refused.value.hint}"


def test_show_function_gives_its_aws_name_above_its_log_group() -> None:
    s = _session()
    result = execute(s, "show function worker")
    lines = result.text.splitlines()
    i = lines.index("log group /aws/lambda/job-queue-demo-dev-worker")
    assert lines[i - 1] == "AWS name job-queue-demo-dev-worker"
    assert result.data["aws_name"] == "job-queue-demo-dev-worker"


def test_a_fifo_queue_s_name_and_url_end_in_fifo(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(
        "resources:\n  orders:\n    type: sqs-queue\n    properties: {fifoEnabled: true}\n",
        encoding="utf-8",
    )
    s = Session.open(tmp_path, start_ms=T0)
    data = execute(s, "show queue orders").data
    assert data["aws_name"].endswith(".fifo") and data["url"].endswith("/" + data["aws_name"])
