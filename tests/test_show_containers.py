"""`show containers`: each container workload, its containers, what reaches it, what it
polls, its behaviour and its counts, as a user reads them while requests and messages go
through."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import CommandError, Session, execute
from stptui.repl import candidates as pure
from stptui.repl.validator import check
from tests.simkit import EXAMPLES, START

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"


def _open(stack: str, behaviors: str) -> Session:
    return Session.open(EXAMPLES / stack, behaviors_path=EXAMPLES / behaviors, start_ms=START)


def _row(session: Session, workload: str) -> dict[str, str]:
    result = execute(session, "show containers")
    assert result.table is not None
    headers, rows = result.table
    (row,) = [r for r in rows if r[0] == workload]
    return dict(zip(headers, row, strict=True))


def test_a_worker_counts_the_messages_it_holds_processes_and_fails() -> None:
    session = _open("worker-poll.yml", "worker-poll-behaviors.yml")
    execute(session, """send jobs '{"image": "cat.png", "width": 800}'""")
    execute(session, """send jobs '{"image": "huge.png", "width": 9000}'""")
    execute(session, "advance 1s")
    # One receive took both: the first is being resized, the second waits its turn.
    row = _row(session, "resizer")
    assert (row["processed"], row["msg_failed"], row["in_hand"]) == ("0", "0", "2")
    assert row["served"] == "0" and row["type"] == "worker-service"
    execute(session, "advance 2s")
    row = _row(session, "resizer")
    assert (row["processed"], row["msg_failed"], row["in_hand"]) == ("1", "0", "1")
    execute(session, "advance 2s")
    row = _row(session, "resizer")
    assert (row["processed"], row["msg_failed"], row["in_hand"]) == ("1", "1", "0")
    text = execute(session, "show containers").text
    assert "resizer (worker-service): container service-container" in text
    assert "  polls jobs: 1 poller, 0 busy; up to 10 messages a receive" in text


def test_requests_routes_rules_and_each_containers_behaviour_are_listed() -> None:
    session = _open("container-shop.yml", "container-shop-behaviors.yml")
    execute(session, """http POST /orders '{"id": 1, "amount": 20}'""")
    execute(session, """http POST /orders '{"id": 3, "amount": 50000}'""")
    result = execute(session, "show containers")
    assert result.text.splitlines() == [
        "web (multi-container-workload): containers app, metrics",
        "  route httpApi POST /orders -> app:3000",
        "  route httpApi GET /metrics -> metrics:9102",
        "  rule mainLb:443 priority 10 (path-pattern /orders) -> app:3000",
    ]
    row = _row(session, "web")
    assert (row["served"], row["failed"], row["running"]) == ("2", "1", "0")
    assert row["behaviour"].startswith("app: 30 ms; fails when")
    assert "; metrics: 5 ms; always succeeds" in row["behaviour"]
    (data,) = result.data
    assert data["containers"] == ["app", "metrics"]
    assert [e.get("route") for e in data["reached_by"]] == ["POST /orders", "GET /metrics", None]


def test_a_request_still_running_and_an_override_show() -> None:
    session = _open("container-shop.yml", "container-shop-behaviors.yml")
    execute(session, "slow web.app 40s")
    # The HTTP API gives up after 30 s; the container runs on.
    execute(session, """http POST /orders '{"id": 1, "amount": 20}'""")
    row = _row(session, "web")
    assert (row["served"], row["failed"], row["running"]) == ("1", "0", "1")
    assert row["behaviour"].endswith("; override: slow web.app 40 s")
    execute(session, "advance 10s")
    assert _row(session, "web")["running"] == "0"


def test_a_workload_nothing_reaches_says_so(tmp_path: Path) -> None:
    text = (EXAMPLES / "worker-poll.yml").read_text(encoding="utf-8")
    (tmp_path / "stacktape.yml").write_text(text)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=START)
    assert "  no route or rule reaches it, and its behaviour polls no queue" in (
        execute(session, "show containers").text
    )


def test_a_stack_without_containers_says_so() -> None:
    session = Session.open(SAMPLES / "job-queue" / "stacktape.yml", start_ms=START)
    result = execute(session, "show containers")
    assert (result.text, result.table, result.data) == (
        "this stack has no container workloads",
        None,
        [],
    )


def test_show_containers_completes_checks_and_takes_no_name() -> None:
    session = _open("container-shop.yml", "container-shop-behaviors.yml")
    assert "containers" in [c.text for c in pure.candidates(session, "show ")]
    assert check(session, "show containers") is None
    with pytest.raises(CommandError, match="show containers takes nothing more"):
        execute(session, "show containers web")
