"""Every example of the command registry (what `help COMMAND` and docs/commands.md show)
runs, for real, on the stack docs/commands.md names for them.

Each command's examples run in order in a fresh session of docs/examples/commands-stack.yml
(so that `until` is not refused for a clock that an `advance` example moved past it), from a
scratch folder that sees the repository's docs/ and holds a `photo.jpg` (`upload --from`).
A command whose examples act on something that must exist first (`delete` a key, `show
message` an id) gets the lines that make it, in SETUP. `3f2a`, `3f2a9c1e` and any other
start of PLACEHOLDER_ID stand for the id of the message SETUP sent; the page says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from example_stacks import BEHAVIORS, FEATURE_STACKS, USER_POOL, WORKER_POLL

from stptui.commands import REGISTRY, Session, execute
from stptui.commands.docs import render_commands_doc
from stptui.commands.registry import CommandError, ExpectationFailed
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "docs" / "examples" / "commands-stack.yml"
# `--gateway` matters only where a stack has more than one gateway.
OTHER_STACKS = {
    "http GET /health --gateway adminApi": ROOT / "docs/examples/two-gateways.yml",
    # Authorizers and CORS need a stack that has them.
    "http GET /me --jwt sub=u1,email=ann@example.com": ROOT / "docs/examples/http-auth.yml",
    "http OPTIONS /me --header origin:https://app.example.com "
    "--header access-control-request-method:GET": ROOT / "docs/examples/http-auth.yml",
    # `--gateway mainLb` needs an application load balancer.
    **{
        example: ROOT / "docs/examples/load-balancer.yml"
        for example in (
            "http GET /api/orders --gateway mainLb --header 'x-tenant:acme'",
            "http GET /admin/stats --gateway mainLb --source-ip 10.0.4.2",
            "http GET /api/orders --gateway mainLb --port 80",
        )
    },
    # `--url` needs functions with function URLs, one of them AWS_IAM.
    **{
        example: ROOT / "docs/examples/function-urls.yml"
        for example in (
            "http POST /telegram --url bot '{\"update_id\": 1}'",
            "http GET /daily --url report --signed",
        )
    },
}
# A version to delete needs a versioned bucket (the first version the seed gives).
DELETE_VERSION = "delete reports exports/a.csv --version-id SW3OpQDkxq7.0MxQEXOTwI2odGyjYcHF"
OTHER_STACKS[DELETE_VERSION] = ROOT / "docs/examples/lifecycle.yml"
# A user pool's signed-up user: `show users` lists it, `http --user` sends its token.
OTHER_STACKS["http GET /me --user ann@example.com"] = USER_POOL
OTHER_STACKS["show users users"] = USER_POOL
# A container workload's pollers need a worker service whose behaviour polls a queue.
OTHER_STACKS["pause resizer"] = OTHER_STACKS["resume resizer"] = WORKER_POLL
# What an example on another stack needs first, when its command's SETUP is not it.
EXAMPLE_SETUP = {
    "http GET /me --user ann@example.com": [
        "sign-up users ann@example.com",
        "sign-in users ann@example.com",
    ],
    "show users users": ["sign-up users ann@example.com"],
    DELETE_VERSION: ["upload reports exports/a.csv --content v1"],
}
START = parse_instant("2026-01-05T08:00:00Z")
PLACEHOLDER_ID = "3f2a9c1e"
# What must exist before a command's examples run.
SETUP = {
    "delete": ["upload uploads incoming/report.csv --content 'id,amount'"],
    "show": [
        "send jobQueue '{\"jobId\": 42}'",
        "upload uploads incoming/report.csv",
        # `show event $last` shows the event of the invocation `invoke` printed.
        "invoke worker",
    ],
    "explain": ["send jobQueue '{\"jobId\": 42}'", "upload uploads incoming/report.csv"],
    "load": ["save incident.json"],
    "confirm-sign-up": ["sign-up users bob@other.org"],
    "sign-in": [
        "sign-up users ann@example.com",
        "admin-create-user users carol@example.com",
        "sign-in users ann@example.com",
    ],
    "forgot-password": ["sign-up users ann@example.com"],
    "answer-challenge": [
        "sign-up users ann@example.com",
        "sign-in users ann@example.com --custom",
    ],
    "confirm-forgot-password": [
        "sign-up users ann@example.com",
        "forgot-password users ann@example.com",
    ],
    "admin-add-user-to-group": ["sign-up users ann@example.com"],
    # A user signed in (the access token global-sign-out sends, the refresh token revoked).
    **{
        name: ["sign-up users ann@example.com", "sign-in users ann@example.com"]
        for name in ("global-sign-out", "admin-user-global-sign-out", "revoke-token")
    },
    "admin-remove-user-from-group": [
        "sign-up users ann@example.com",
        "admin-add-user-to-group users ann@example.com admins",
    ],
    "delete-item": ["""put-item carts '{"id": {"S": "c-1"}, "total": {"N": "20"}}'"""],
    "stop-execution": ["start-execution orderFlow '{}' --name big-order"],
    "restore": ["upload archive reports/2025.csv --size 200KB", "advance 1d"],
    # An archived event, and a replay that has not replayed it yet.
    "replay": ["publish orderEvents orders OrderPlaced {}", "advance 10m"],
    "cancel-repeat": ["repeat 10 --every 1s send jobQueue '{\"jobId\": {i}}'"],
    # Four commands to take back (`undo`, then `undo 3`), and four taken back to redo.
    "undo": ["send jobQueue '{\"jobId\": 42}'", "advance 1m", "advance 1m", "advance 1m"],
    "redo": [
        "send jobQueue '{\"jobId\": 42}'",
        "advance 1m",
        "advance 1m",
        "advance 1m",
        "undo 4",
    ],
    "cancel-replay": [
        "publish orderEvents orders OrderPlaced {}",
        "advance 10m",
        "replay orderEvents --from -1h --to now --name fix-1",
    ],
    "redrive-execution": [
        "start-execution orderFlow '{}' --name big-order",
        "stop-execution big-order",
    ],
    # The connection the examples name (ids come from the seeded stream: always this one).
    **{
        name: ["ws-connect realtime --query token=t-1"]
        for name in ("ws-send", "ws-disconnect", "ws-post")
    },
    # Two executions waiting in RequestApproval (no behaviours: the approver answers nothing).
    **{
        name: [
            'start-execution orderApproval \'{"orderId": "o-7", "amount": 70}\' --name order-7',
            'start-execution orderApproval \'{"orderId": "o-8", "amount": 80}\' --name order-8',
        ]
        for name in ("send-task-success", "send-task-failure", "send-task-heartbeat")
    },
}


def with_ids(line: str, message_id: str | None) -> str:
    """`line` with each word that is a start of PLACEHOLDER_ID (4 characters or more) made
    the same start of `message_id`."""
    words = []
    for word in line.split(" "):
        if len(word) >= 4 and PLACEHOLDER_ID.startswith(word):
            assert message_id is not None, f"{line!r} names a message, and none was sent"
            word = message_id[: len(word)]
        words.append(word)
    return " ".join(words)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    # The start of a JPEG file: `upload` sends bytes, whatever they are.
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def opened(stack: Path, setup: list[str]) -> tuple[Session, str | None]:
    """A fresh session of `stack` after the `setup` lines; the id of the message they sent."""
    session = Session.open(stack, behaviors_path=BEHAVIORS.get(stack), start_ms=START)
    message_id = None
    for line in setup:
        message_id = execute(session, line).data.get("message_id", message_id)
    return session, message_id


@pytest.mark.parametrize("name", list(REGISTRY.commands))
def test_every_example_of_the_command_runs(name: str, scratch: Path) -> None:
    setup = SETUP.get(name, [])
    session, message_id = opened(FEATURE_STACKS.get(name, STACK), setup)
    refused = []
    for example in REGISTRY.commands[name].examples:
        # In order in one session (`record stop` stops what `record incident.stp` began),
        # but for an example that needs another stack.
        here, mid = (
            opened(OTHER_STACKS[example], EXAMPLE_SETUP.get(example, setup))
            if example in OTHER_STACKS
            else (
                session,
                message_id,
            )
        )
        try:
            execute(here, with_ids(example, mid))
        except ExpectationFailed:
            pass  # an expectation that does not hold is the command working
        except CommandError as exc:
            refused.append(f"{example!r}: {exc}")
    assert not refused, f"{name}'s examples refused:\n" + "\n".join(refused)


def test_the_ids_the_examples_name_are_starts_of_the_placeholder() -> None:
    # A new example naming another made-up id would be refused; say which ids stand in.
    ids = [
        word
        for cmd in REGISTRY.commands.values()
        for example in cmd.examples
        for word in example.split()
        if len(word) >= 4 and PLACEHOLDER_ID.startswith(word)
    ]
    assert sorted(ids) == ["3f2a", "3f2a9c1e"]


def test_the_reference_page_names_the_stack_the_examples_run_on() -> None:
    page = " ".join(render_commands_doc().split())
    assert "[docs/examples/commands-stack.yml](examples/commands-stack.yml)" in page
    assert "[two-gateways.yml](examples/two-gateways.yml)" in page
    assert "[load-balancer.yml](examples/load-balancer.yml)" in page
    assert "[workflow.yml](examples/workflow.yml)" in page
    assert "`3f2a9c1e` and `3f2a` stand for a message id" in page


def test_with_ids_replaces_only_starts_of_the_placeholder() -> None:
    mid = "21f87f34-4584-4845-a32b-133a35242656"
    assert with_ids("show message 3f2a", mid) == "show message 21f8"
    assert with_ids("explain 3f2a9c1e", mid) == "explain 21f87f34"
    assert with_ids("explain 3f2", mid) == "explain 3f2"
    assert with_ids("send jobQueue '{}'", None) == "send jobQueue '{}'"
