"""The `fail`, `succeed` and `slow` overrides on container workloads (`web`) and on one
container (`web.app`): what the client gets, how the two levels combine, the refusals that
change nothing, the REPL's completion and checks, and the Inspector's line; and a service's
container named as Stacktape names it (`web.service-container`) in the behaviours file."""

from __future__ import annotations

import networkx as nx
import pytest

from stptui.commands import CommandError, Session, execute
from stptui.config import load_stack
from stptui.repl.validator import check
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.tui.widgets.inspector_pane import describe_resource
from tests.replkit import complete, metas
from tests.simkit import EXAMPLES, START


@pytest.fixture
def shop() -> Session:
    """docs/examples/container-shop.yml: `web` has `app` (POST /orders, 30 ms, 201) and
    `metrics` (GET /metrics, 5 ms, 200), behind the HTTP API and `mainLb`."""
    return Session.open(
        EXAMPLES / "container-shop.yml",
        behaviors_path=EXAMPLES / "container-shop-behaviors.yml",
        start_ms=START,
    )


ORDER = 'http POST /orders \'{"id": 1, "amount": 20}\''


def status(session: Session, line: str) -> int:
    """The HTTP status the client got for `line`."""
    return execute(session, line).data["status"]


def test_fail_next_on_one_container_resets_its_next_requests_and_no_others(shop: Session) -> None:
    result = execute(shop, "fail web.app next 2")
    assert result.text == "web.app overrides: fail next 2 (2 left)"
    assert status(shop, ORDER) == 503  # the HTTP API's answer to a reset
    assert status(shop, "http GET /metrics") == 200  # another container of the workload
    assert status(shop, ORDER + " --gateway mainLb") == 502  # ELB's answer to a reset
    assert status(shop, ORDER) == 201  # spent
    failed = [r for r in shop.sim.trace.records if r.kind == tk.CONTAINER_FAILED]
    assert [r.get("error_message") for r in failed] == [
        "failed by override `fail web.app next 2`"
    ] * 2
    assert all(r.get("container") == "app" for r in failed)
    # The spent override is gone: the workload has none left.
    assert shop.sim.services["containers"].workloads["web"].active_overrides() == []


def test_the_workloads_override_applies_to_every_container_and_replaces_their_own(
    shop: Session,
) -> None:
    execute(shop, "fail web.app next 5")
    assert execute(shop, "fail web").text == "web overrides: fail always"
    assert status(shop, "http GET /metrics") == 503
    assert status(shop, ORDER) == 503
    ws = shop.sim.services["containers"].workloads["web"]
    assert ws.container_overrides["app"] == []  # `fail web` replaced `fail web.app next 5`
    # A container's own `succeed` suppresses the workload's `fail` for it alone.
    text = execute(shop, "succeed web.metrics").text
    assert text == "web.metrics overrides: succeed (declared failures suppressed); fail web always"
    assert status(shop, "http GET /metrics") == 200
    assert status(shop, ORDER) == 503
    execute(shop, "succeed web")
    assert ws.active_overrides()[0].command() == "succeed web"
    assert status(shop, ORDER) == 201


def test_succeed_suppresses_the_declared_fail_rule_of_a_container(shop: Session) -> None:
    big = 'http POST /orders \'{"id": 9, "amount": 50000}\''
    assert status(shop, big) == 503  # web.app's `fail: when: body.amount > 10000`
    execute(shop, "succeed web.app")
    assert status(shop, big) == 201


def test_fail_when_sees_the_request(shop: Session) -> None:
    execute(shop, "fail web when \"path == '/metrics'\"")
    assert status(shop, "http GET /metrics") == 503
    assert status(shop, ORDER) == 201


def test_slow_past_the_gateway_timeouts_and_the_containers_own_slow_wins(shop: Session) -> None:
    execute(shop, "slow web 45s")
    result = execute(shop, "http GET /metrics")
    assert result.data["status"] == 503
    assert "30 s integration timeout" in result.text
    assert shop.sim.clock.now - START == 30_000
    execute(shop, "slow web.metrics 10ms")
    before = shop.sim.clock.now
    assert status(shop, "http GET /metrics") == 200
    assert shop.sim.clock.now - before == 10
    # The load balancer waits 60 s: `app`, slowed by the workload, answers at 45 s; past
    # 60 s ELB answers 504.
    before = shop.sim.clock.now
    assert status(shop, ORDER + " --gateway mainLb") == 201
    assert shop.sim.clock.now - before == 45_000
    execute(shop, "slow web.app 61s")
    assert status(shop, ORDER + " --gateway mainLb") == 504


def test_a_web_services_override_goes_through_its_own_http_api() -> None:
    session = Session.open(EXAMPLES / "web-service.yml", start_ms=START)
    execute(session, "fail web.service-container next 1")
    assert status(session, "http GET /orders/7") == 503
    assert status(session, "http GET /orders/7") == 200
    overridden = [r for r in session.sim.trace.records if r.kind == tk.BEHAVIOR_OVERRIDDEN]
    assert [(r.resource, r.get("override")) for r in overridden] == [
        ("web", "fail web.service-container next 1")
    ]


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        ("fail web.api", "web has no container named 'api'", "did you mean web.app?"),
        ("slow web.nope 2s", "web has no container named 'nope'", "its containers: app, metrics"),
        ("succeed webb", "no function, batch job or container workload named 'webb'", "mean web?"),
        (
            "fail orders",
            "'orders' is an sqs-queue, not a function, batch job or container",
            "web.app",
        ),
        ("fail web next 0", "at least 1", None),
    ],
)
def test_a_bad_target_is_refused_and_changes_nothing(
    shop: Session, line: str, message: str, hint: str | None
) -> None:
    seq, log = shop.sim.trace.seq, list(shop.log)
    with pytest.raises(CommandError) as caught:
        execute(shop, line)
    assert message in str(caught.value)
    if hint is not None:
        assert hint in (caught.value.hint or "")
    assert (shop.sim.trace.seq, shop.log) == (seq, log)
    assert shop.sim.services["containers"].workloads["web"].active_overrides() == []


def test_the_repl_completes_and_checks_container_targets(shop: Session) -> None:
    assert complete(shop, "fail ") == ["fulfil", "web", "web.app", "web.metrics"]
    assert complete(shop, "slow web.") == ["web.app", "web.metrics"]
    described = metas(shop, "succeed ")
    assert described["web"] == "multi-container-workload: 0 requests served"
    assert described["web.app"] == "container app of web"
    assert check(shop, "fail web.app next 2") is None
    assert check(shop, "log web.metrics 'hello'") is None
    problem = check(shop, "fail web.nope")
    assert problem is not None and problem.message == "web has no container named 'nope'"


def test_the_inspector_shows_the_active_overrides_of_a_container_workload(shop: Session) -> None:
    execute(shop, "fail web.app next 2")
    execute(shop, "slow web 2s")
    sim = shop.sim
    text = describe_resource("web", shop.stack, nx.MultiDiGraph(), sim, [], START).plain
    assert "overridden: slow web 2 s; fail web.app next 2 (2 left)" in text


def test_a_services_container_takes_a_behaviour_under_its_stacktape_name() -> None:
    # The overrides and `show logs` take `web.service-container`: so does the file.
    stack = load_stack((EXAMPLES / "web-service.yml").as_posix())
    text = "behaviors:\n  web.service-container: {duration: 7ms, response: \"'own'\"}\n"
    behaviors, diags = Behaviors.from_text(text, "stptui.yml", stack)
    assert not diags
    assert behaviors.container_key("web", "service-container") == "web.service-container"
    typo = "behaviors:\n  web.servce-container: {duration: 7ms}\n"
    _, diags = Behaviors.from_text(typo, "stptui.yml", stack)
    (diag,) = diags
    assert diag.code == "behavior-unknown-container"
    assert diag.message == (
        "web has no container named 'servce-container'; did you mean 'web.service-container'?"
    )
