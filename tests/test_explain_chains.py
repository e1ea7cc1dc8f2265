"""`explain` of what a stimulus printed reaches every record that stimulus caused.

Random sessions of stimuli (each run out before the next) on stacks that between them have
every kind of stimulus; the records a stimulus's command and its run-out made are its
effects, and each must be in the chain `explain` gives for the id the command printed. A
schedule's fire during a run-out is a stimulus of its own, and its chain is taken out; so is
an alarm's change of state that nothing of the stimulus fed (missing data filling its
evaluation range), while one its records fed must be in its chain, with its actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stptui.commands import CommandError, CommandResult, Session, execute, quote_word
from stptui.sim import trace as tk
from stptui.sim.explain import FOLLOW_FIELDS
from stptui.sim.services.alarm import CAUSE_FIELDS
from tests.simkit import START

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
SAMPLES = ROOT / "stptui" / "sample_stacks"

# Each stack with its behaviours, the lines that are stimuli on it and the lines that
# change how its handlers answer (so that retries, dead letters and destinations happen).
STACKS: dict[str, tuple[Path, Path | None, list[str], list[str]]] = {
    "commands": (
        EXAMPLES / "commands-stack.yml",
        None,
        [
            "send jobQueue '{\"jobId\": 42}'",
            "send orders '{\"id\": 1}' --group customer-1 --dedup-id order-1",
            "send jobQueue '{\"jobId\": 7}' --group tenant-a",
            "publish eventBus orders OrderCreated '{\"orderId\": 42}'",
            "publish eventBus billing InvoicePaid '{}'",
            "publish-sns alerts 'disk full' --attr severity=high",
            "publish-sns alerts 'disk full' --attr severity=low",
            "upload uploads incoming/report.csv --content 'id,amount'",
            "upload uploads drafts/notes.txt --content 'x'",
            "delete uploads incoming/report.csv",
            'http POST /webhooks/github \'{"action": "opened"}\'',
            "http GET /jobs",
            'put-record clicks \'{"page": "/home"}\' --partition-key user-1',
            'put-item carts \'{"id": {"S": "c-1"}, "total": {"N": "20"}}\'',
            'delete-item carts \'{"id": {"S": "c-1"}}\'',
            "start-job heavyJob",
            "fire dailyReport",
            'invoke api \'{"path": "/jobs"}\'',
            "redrive deadLetterQueue",
        ],
        [
            "fail worker next 5",
            "fail clickProcessor next 2",
            "fail cartAudit next 1",
            "fail emailService next 3",
            "fail heavyJob next 1",
            "succeed worker",
        ],
    ),
    "job-queue": (
        SAMPLES / "job-queue" / "stacktape.yml",
        SAMPLES / "job-queue" / "stptui.yml",
        [
            'http POST /jobs \'{"orderId": 1, "amount": 20}\'',
            'send jobQueue \'{"orderId": 2, "amount": 5000}\'',
            "redrive deadLetterQueue",
        ],
        ["succeed worker", "fail worker next 2"],
    ),
    "click-chain": (
        EXAMPLES / "click-chain.yml",
        EXAMPLES / "click-chain-behaviors.yml",
        ['http POST /users/u-1/clicks \'{"page": "/home"}\''],
        [],
    ),
    "workflow-sdk": (
        EXAMPLES / "workflow-sdk.yml",
        None,
        [
            'put-item stock \'{"sku": {"S": "mug"}, "warehouse": {"S": "berlin"}, '
            '"qty": {"N": "4"}}\'',
            'start-execution restock \'{"sku": "mug"}\'',
        ],
        [],
    ),
    "workflow": (
        EXAMPLES / "workflow.yml",
        EXAMPLES / "workflow-behaviors.yml",
        [
            'start-execution orderFlow \'{"orderId": "o-1", "amount": 120}\'',
            'start-execution orderFlow \'{"orderId": "o-2", "amount": 900}\'',
        ],
        [],
    ),
    "user-pool": (
        EXAMPLES / "user-pool.yml",
        EXAMPLES / "user-pool-behaviors.yml",
        [
            "sign-up users ann@example.com",
            "sign-up users bob@other.org",
            "confirm-sign-up users bob@other.org",
            "sign-in users ann@example.com",
            "sign-in users bob@other.org --password Wrong-Passw0rd",
        ],
        [],
    ),
    "kafka": (
        EXAMPLES / "kafka-orders.yml",
        None,
        ["produce order-events '{\"orderId\": 7}' --key customer-1"],
        [],
    ),
    "logs": (
        EXAMPLES / "log-alerts.yml",
        EXAMPLES / "log-alerts-behaviors.yml",
        [
            "log payments 'ERROR ledger write failed for order 42'",
            "log payments 'INFO all good'",
        ],
        [],
    ),
    "chat": (
        EXAMPLES / "chat.yml",
        EXAMPLES / "chat-behaviors.yml",
        [
            "ws-connect realtime --query token=t-1",
            "ws-connect realtime --query token=nope",
            'ws-send Ro9qGRMCRkecAoY= \'{"action": "sendMessage", "text": "hi"}\'',
            "ws-send Ro9qGRMCRkecAoY= crash",
            'ws-post Ro9qGRMCRkecAoY= \'{"from": "server"}\'',
            "ws-disconnect Ro9qGRMCRkecAoY=",
        ],
        [],
    ),
    "http-auth": (
        EXAMPLES / "http-auth.yml",
        EXAMPLES / "http-auth-behaviors.yml",
        [
            "http GET /me",
            "http GET /me --jwt sub=u1,email=ann@example.com",
            "http GET /me --jwt exp=0",
            "http GET /reports --header x-api-key:nope",
            "http GET /reports --header x-api-key:k-1",
            "http GET /nowhere",
        ],
        [],
    ),
    "function-urls": (
        EXAMPLES / "function-urls.yml",
        EXAMPLES / "function-urls-behaviors.yml",
        [
            "http POST /telegram '{\"update_id\": 1}' --url bot",
            "http GET /daily --url report",
            "http GET /daily --url report --signed",
        ],
        [],
    ),
    "load-balancer": (
        EXAMPLES / "load-balancer.yml",
        EXAMPLES / "load-balancer-behaviors.yml",
        [
            "http GET /api/orders?page=2",
            "http GET /admin/stats",
            "http GET /old --port 80",
        ],
        [],
    ),
    "callbacks": (
        EXAMPLES / "workflow-callback.yml",
        EXAMPLES / "workflow-callback-behaviors.yml",
        [
            'start-execution orderApproval \'{"orderId": "o-1", "amount": 120}\' --name small',
            'start-execution orderApproval \'{"orderId": "o-2", "amount": 5000}\'',
            'send-task-success small \'{"trackingId": "T-1"}\'',
        ],
        [],
    ),
    "clickstream": (
        EXAMPLES / "clickstream.yml",
        EXAMPLES / "clickstream-behaviors.yml",
        [
            'put-record clicks \'{"page": "/home"}\' --partition-key user-1',
            'put-record clicks \'{"page": "/cart", "bad": true}\' --partition-key user-1',
        ],
        [],
    ),
    "alarms": (
        EXAMPLES / "alarms.yml",
        EXAMPLES / "alarms-behaviors.yml",
        ["send jobs 'bad order'", "send jobs 'good order'"],
        [],
    ),
    "restore": (
        EXAMPLES / "restore.yml",
        EXAMPLES / "restore-behaviors.yml",
        [
            "upload archive reports/2025.csv --size 200KB",
            "restore archive reports/2025.csv --days 2",
            "delete archive reports/2025.csv",
        ],
        [],
    ),
    "photo-batch": (
        EXAMPLES / "photo-batch.yml",
        EXAMPLES / "photo-batch-behaviors.yml",
        [
            "upload uploads manifests/photos.csv --from docs/examples/photos.csv",
            'start-execution resizeAll \'{"manifest": "manifests/photos.csv", "width": 640}\'',
        ],
        ["succeed resize"],
    ),
    "order-pipeline": (
        EXAMPLES / "order-pipeline.yml",
        None,
        ["send orders '{\"orderId\": 1}'"],
        ["fail processOrder next 4"],
    ),
    "containers": (
        EXAMPLES / "container-shop.yml",
        EXAMPLES / "container-shop-behaviors.yml",
        [
            'http POST /orders \'{"id": 1, "amount": 20}\'',
            'http POST /orders \'{"id": 2, "amount": 20}\' --gateway mainLb',
            'http POST /orders \'{"id": 3, "amount": 50000}\'',
        ],
        [],
    ),
    "worker-poll": (
        EXAMPLES / "worker-poll.yml",
        EXAMPLES / "worker-poll-behaviors.yml",
        [
            'send jobs \'{"image": "cat.png", "width": 800}\'',
            'send jobs \'{"image": "huge.png", "width": 9000}\'',
        ],
        [],
    ),
    "input-transformer": (
        EXAMPLES / "aws-choices.yml",
        EXAMPLES / "aws-choices-behaviors.yml",
        [
            'publish orders shop OrderPlaced \'{"orderId": 7, "address": {}}\'',
            "publish-sns alerts 'disk full'",
        ],
        [],
    ),
    "destinations": (
        EXAMPLES / "async-metrics.yml",
        EXAMPLES / "async-metrics-behaviors.yml",
        ["fire syncInvoices"],
        [],
    ),
    "child-executions": (
        EXAMPLES / "report-jobs.yml",
        None,
        [
            'start-execution nightly \'{"date": "2026-01-04"}\'',
            'start-execution nightly \'{"date": "2026-01-05"}\'',
        ],
        ["fail generateReport next 1", "slow generateReport 2h"],
    ),
}

# What a stimulus's answer names for `explain`: a user by the alias it was typed with, an
# execution by its ARN, anything else by the first id field of the first record it made.
_NAMED_BY = ("alias", "execution_arn", *FOLLOW_FIELDS)


def _printed_ids(result: CommandResult) -> list[str]:
    """The ids `explain` is asked about: the one the command's answer printed, or each
    message a redrive moved (a stimulus of its own), by the id the answer printed."""
    moved = [r.data["message_id"] for r in result.records if r.kind == tk.MESSAGE_REDRIVEN]
    if moved:
        assert all(ident in result.text for ident in moved), result.text
        return moved
    for name in _NAMED_BY:
        for rec in result.records:
            value = rec.data.get(name)
            if isinstance(value, str) and value and value in result.text:
                return [value]
    return []


def _seqs(session: Session, key: str) -> set[int]:
    """The trace numbers of the records in `explain KEY`'s chain."""
    return {r["seq"] for r in execute(session, f"explain {quote_word(key)}").data["records"]}


def _stimulate(session: Session, line: str) -> None:
    """Run one stimulus and the clock until it is done; every record made meanwhile must be
    in the chain of an id its answer printed (a refused stimulus changed nothing)."""
    before = session.sim.trace.seq
    try:
        result = execute(session, line)
    except CommandError:
        return  # refused: it changed nothing (a task token no execution waits on, say)
    execute(session, "run --max 1d")
    if not result.records:
        return  # nothing happened (a redrive of an empty queue)
    window = [r for r in session.sim.trace.records if r.seq > before]
    keys = _printed_ids(result)
    assert keys, (line, result.text)
    chain = set().union(*(_seqs(session, key) for key in keys))
    fed = {rec.data.get(name) for rec in window for name in CAUSE_FIELDS}
    # A schedule that fired meanwhile is a stimulus of its own, and so is an alarm's change
    # of state that no record of this stimulus fed (the alarm's chain must hold its actions).
    for rec in window:
        if rec.seq in chain:
            continue
        if rec.kind == tk.ALARM_STATE_CHANGED:
            assert fed.isdisjoint(rec.data["cause_ids"]), (line, keys, dict(rec.data))
        if rec.kind in (tk.SCHEDULE_FIRED, tk.ALARM_STATE_CHANGED):
            chain |= _seqs(session, rec.data["event_id"])
    missing = [(r.kind, r.resource, dict(r.data)) for r in window if r.seq not in chain]
    assert not missing, (line, keys, missing)


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_each_stimulus_in_turn(stack: str) -> None:
    """Every stimulus of the stack once, in order, after its first behaviour change: each
    prints an id whose chain holds all it caused."""
    path, behaviors, stimuli, modifiers = STACKS[stack]
    session = Session.open(path, behaviors_path=behaviors, start_ms=START)
    for line in modifiers[:1]:
        execute(session, line)
    for line in stimuli:
        _stimulate(session, line)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    stack=st.sampled_from(sorted(STACKS)),
    picks=st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99)), min_size=1, max_size=5),
)
def test_every_effect_of_a_stimulus_is_in_its_chain(
    stack: str, picks: list[tuple[int, int]]
) -> None:
    """Random sessions: stimuli in any order and number, with behaviour changes between."""
    path, behaviors, stimuli, modifiers = STACKS[stack]
    session = Session.open(path, behaviors_path=behaviors, start_ms=START)
    for stimulus, modifier in picks:
        if modifiers and modifier % 3 == 0:
            execute(session, modifiers[modifier % len(modifiers)])
        _stimulate(session, stimuli[stimulus % len(stimuli)])


def test_a_stimulus_chain_ends_with_the_alarms_it_tripped() -> None:
    """A bad order fails twice and is dead-lettered: worker's error rate alarm and the
    dead-letter queue's not-empty alarm go to ALARM, and the second's state change invokes
    pager; all of it is in the message's chain, after what fed the alarms."""
    path, behaviors, _, _ = STACKS["alarms"]
    session = Session.open(path, behaviors_path=behaviors, start_ms=START)
    sent = execute(session, "send jobs 'bad order'")
    execute(session, "advance 10m")
    message_id = sent.records[0].data["message_id"]
    chain = execute(session, f"explain {message_id}").data["records"]
    changes = [r for r in chain if r["kind"] == tk.ALARM_STATE_CHANGED]
    assert [(c["reference"], c["state"]) for c in changes] == [
        ("worker.alarms.0", "ALARM"),
        ("jobsDlq.alarms.0", "ALARM"),
    ]
    assert message_id in changes[1]["cause_ids"]
    pager = [r for r in chain if r["resource"] == "pager" and r["kind"] == "invocation.started"]
    assert len(pager) == 1 and pager[0]["seq"] > changes[1]["seq"]
    # What fed an alarm comes before its change: the chain ends with the alarms' doing.
    last_fed = max(r["seq"] for r in chain if r["kind"] == tk.MESSAGE_DEAD_LETTERED)
    assert changes[1]["seq"] > last_fed


def test_an_alarm_fed_by_many_messages_shows_a_line_not_a_megabyte() -> None:
    """Under load an alarm's change names every message that fed it: the line a view shows
    for the record names the first few and counts the rest, and the record keeps them all."""
    from stptui.commands.result import LIST_HEAD, record_line

    path, behaviors, _, _ = STACKS["alarms"]
    session = Session.open(path, behaviors_path=behaviors, start_ms=START)
    execute(session, "repeat 200 send jobs 'bad order'")
    execute(session, "advance 10m")
    dlq = next(
        r
        for r in session.sim.trace.records
        if r.kind == tk.ALARM_STATE_CHANGED
        and r.get("reference") == "jobsDlq.alarms.0"
        and r.get("state") == "ALARM"
    )
    causes = dlq.get("cause_ids")
    assert len(causes) == 200
    line = record_line(dlq)
    assert f"{len(causes) - LIST_HEAD:,} more]" in line
    assert causes[0] in line and causes[LIST_HEAD] not in line
    assert len(line) < 2_000
