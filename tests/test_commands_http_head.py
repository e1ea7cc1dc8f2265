"""`http HEAD`: the response ends after its headers, as HTTP says (RFC 9110, 9.3.2), from an
HTTP API and from a load balancer alike; the function still runs and answers a body, whose
length the content-length header keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.mark.parametrize(
    ("stack", "behaviors", "line"),
    [
        (ROOT / "stptui" / "sample_stacks" / "job-queue", None, "http {} /jobs"),
        (
            ROOT / "docs" / "examples" / "load-balancer.yml",
            ROOT / "docs" / "examples" / "load-balancer-behaviors.yml",
            "http {} /api/orders/7 --header 'x-tenant:beta-1'",
        ),
    ],
)
def test_a_head_request_gets_the_headers_of_get_and_no_body(
    stack: Path, behaviors: Path | None, line: str
) -> None:
    session = Session.open(stack, behaviors_path=behaviors, start_ms=T0)
    get = execute(session, line.format("GET")).data
    head = execute(session, line.format("HEAD")).data
    assert get["body"] and head["body"] == ""
    assert head["status"] == get["status"]
    length = dict(map(tuple, head["headers"]))["content-length"]
    assert length == str(len(get["body"].encode()))
