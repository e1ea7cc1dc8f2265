"""Completion and the check before Enter of `log` and `show logs` name what has a log
group: a one-container workload by its name, a workload of several containers by
`WORKLOAD.CONTAINER` (never its bare name, which both commands refuse), and nothing whose
logging is disabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.repl import candidates as pure
from stptui.repl.validator import check
from tests.simkit import START
from tests.test_container_logs import STACK

# What has a log group in that stack: the function, `web` (one container) and the one
# container of `multi` whose logging is on; `quiet` and `multi.app` have logging disabled.
LOG_NAMES = ["alerter", "multi.side", "web"]


@pytest.fixture
def session(tmp_path: Path) -> Session:
    (tmp_path / "stacktape.yml").write_text(STACK)
    return Session.open(tmp_path / "stacktape.yml", start_ms=START)


@pytest.mark.parametrize("line", ["log ", "show logs "])
def test_completion_offers_only_the_names_with_a_log_group(session: Session, line: str) -> None:
    offered = [c.text for c in pure.candidates(session, line)]
    assert offered == LOG_NAMES
    metas = {c.text: c.meta for c in pure.candidates(session, line)}
    assert metas["multi.side"] == "log group /stp/shop-dev/ecs/multi/side/process-logs"


@pytest.mark.parametrize("line", ["log ", "show logs "])
def test_each_offered_name_passes_the_check_and_runs(session: Session, line: str) -> None:
    for c in pure.candidates(session, line):
        text = f"log {c.text} hello" if line == "log " else f"show logs {c.text}"
        assert check(session, text) is None, text
        assert execute(session, text).text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("log multi hello", "multi has 2 containers, each with its own log group"),
        ("show logs multi", "multi has 2 containers, each with its own log group"),
        ("log quiet hello", "quiet has logging disabled: it has no log group"),
        ("show logs multi.app", "container app of multi has logging disabled"),
    ],
)
def test_the_check_before_enter_refuses_what_the_command_refuses(
    session: Session, line: str, message: str
) -> None:
    problem = check(session, line)
    assert problem is not None and problem.message.startswith(message)
    assert problem.position == line.index(line.split()[-1 if line.startswith("show") else 1])


def test_a_workload_name_still_completes_where_overrides_take_it(session: Session) -> None:
    # `fail multi` fails every container: the bare name stays offered there.
    offered = [c.text for c in pure.candidates(session, "fail ")]
    assert {"multi", "multi.app", "multi.side", "quiet", "web"} <= set(offered)
