"""`fail`, `succeed` and `slow` reach batch jobs as well as functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.sim import trace as tk
from stptui.sim.clock import parse_instant

STACK = """
resources:
  nightly:
    type: batch-job
    properties:
      container:
        packaging: {type: prebuilt-image, properties: {image: alpine:3}}
      resources: {cpu: 1, memory: 2048}
      retryConfig: {attempts: 3, retryIntervalSeconds: 10, retryIntervalMultiplier: 1}
"""


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    return Session.open(tmp_path, start_ms=parse_instant("2026-01-05T08:00:00Z"))


def test_fail_always_exhausts_the_attempts(session: Session) -> None:
    execute(session, "fail nightly always")
    execute(session, "start-job nightly")
    execute(session, "run")
    assert session.sim.trace.count(tk.BATCH_ATTEMPT_FAILED, "nightly") == 3
    assert session.sim.trace.count(tk.BATCH_FAILED, "nightly") == 1


def test_succeed_and_slow(session: Session) -> None:
    execute(session, "fail nightly always")
    execute(session, "succeed nightly")
    execute(session, "slow nightly 2h")
    execute(session, "start-job nightly")
    execute(session, "advance 1h")
    assert session.sim.trace.count(tk.BATCH_SUCCEEDED, "nightly") == 0
    execute(session, "advance 1h")
    assert session.sim.trace.count(tk.BATCH_SUCCEEDED, "nightly") == 1
    assert session.sim.trace.count(tk.BATCH_ATTEMPT_FAILED, "nightly") == 0


def test_unknown_workload_is_refused_with_a_suggestion(session: Session) -> None:
    with pytest.raises(CommandError) as info:
        execute(session, "fail nightlyy")
    assert "nightly" in (info.value.hint or "") or "nightly" in str(info.value)


def test_expect_reads_batch_job_statistics(session: Session) -> None:
    execute(session, "fail nightly next 1")
    execute(session, "start-job nightly")
    execute(session, "expect job.nightly.running == 1")
    execute(session, "run")
    execute(session, "expect job.nightly.submitted == 1")
    execute(session, "expect job.nightly.attempts == 2")
    execute(session, "expect job.nightly.attempt_failures == 1")
    execute(session, "expect job.nightly.succeeded == 1")
    execute(session, "expect job.nightly.running == 0")
    with pytest.raises(CommandError, match="no statistic"):
        execute(session, "expect job.nightly.retries == 1")
    with pytest.raises(CommandError):
        execute(session, "expect job.nightlyy.failed == 0")
