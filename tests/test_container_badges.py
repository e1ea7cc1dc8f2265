"""A container workload's box in the Graph pane counts what it does, as a function's box
does: requests served, failed and running, or a polling worker's messages processed,
failed and in hand; each wording fits the room the layout keeps for it."""

from __future__ import annotations

from rich.cells import cell_len

from stptui.commands import Session, execute
from stptui.graph import build_graph
from stptui.tui.widgets.graph_pane import BADGE_ROOM, RUN_ROOM, badges
from tests.simkit import EXAMPLES, START


def _open(stack: str, behaviors: str) -> Session:
    return Session.open(EXAMPLES / stack, behaviors_path=EXAMPLES / behaviors, start_ms=START)


def _words(session: Session, node: str) -> list[str]:
    return [t.plain for t in badges(session.sim, build_graph(session.stack), node)]


def test_a_web_workloads_box_counts_its_requests() -> None:
    session = _open("container-shop.yml", "container-shop-behaviors.yml")
    assert _words(session, "web") == ["idle"]
    execute(session, """http POST /orders '{"id": 1, "amount": 20}'""")
    execute(session, """http POST /orders '{"id": 3, "amount": 50000}'""")
    assert _words(session, "web") == [
        "2 served · 1 failed · 0 running",
        "2 req · 1 fail · 0 run",
        "2 req · 1✗ · 0▸",
    ]
    execute(session, "slow web 40s")
    execute(session, "http GET /metrics")  # the HTTP API gives up at 30 s; it runs on
    assert _words(session, "web")[0] == "3 served · 1 failed · 1 running"


def test_a_polling_workers_box_counts_its_messages() -> None:
    session = _open("worker-poll.yml", "worker-poll-behaviors.yml")
    assert _words(session, "resizer") == ["idle"]
    execute(session, """send jobs '{"image": "cat.png", "width": 800}'""")
    execute(session, """send jobs '{"image": "huge.png", "width": 9000}'""")
    execute(session, "advance 1s")
    assert _words(session, "resizer") == [
        "0 processed · 0 failed · 2 in hand",
        "0 done · 0 fail · 2 held",
        "0 done · 0✗ · 2▸",
    ]
    execute(session, "advance 4s")
    assert _words(session, "resizer")[0] == "1 processed · 1 failed · 0 in hand"


def test_the_narrowest_wording_fits_the_room_every_container_kind_keeps() -> None:
    session = _open("worker-poll.yml", "worker-poll-behaviors.yml")
    for i in range(3):
        execute(session, f'send jobs \'{{"image": "{i}.png", "width": 800}}\'')
    execute(session, "advance 1m")
    narrowest = _words(session, "resizer")[-1]
    assert narrowest == "3 done · 0✗ · 0▸"
    assert cell_len(narrowest) <= RUN_ROOM
    kinds = ("multi-container-workload", "web-service", "private-service", "worker-service")
    assert all(BADGE_ROOM[kind] == RUN_ROOM for kind in kinds)
