"""Which example stack under docs/examples/ a command's examples run on, when the stack a
page's examples name lacks what the command acts on (a Kafka topic, a state machine, a user
pool, ...), and the behaviours file each such stack opens with.

Both tests of the commands' examples read this one mapping (the reference page's examples in
test_commands_examples.py, docs/simulating.md's table in test_docs_command_table.py), so that
a command added to one page is not run on a different stack by the other."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
USER_POOL = EXAMPLES / "user-pool.yml"
CHAT = EXAMPLES / "chat.yml"
# A worker service whose code polls a queue (`pause resizer` stops its pollers).
WORKER_POLL = EXAMPLES / "worker-poll.yml"

# Commands whose examples need a resource only one example stack has.
FEATURE_STACKS: dict[str, Path] = {
    "produce": EXAMPLES / "kafka-orders.yml",
    "start-execution": EXAMPLES / "workflow.yml",
    "stop-execution": EXAMPLES / "workflow.yml",
    "redrive-execution": EXAMPLES / "workflow.yml",
    **{
        name: EXAMPLES / "workflow-callback.yml"
        for name in ("send-task-success", "send-task-failure", "send-task-heartbeat")
    },
    # An object a lifecycle rule has archived.
    "restore": EXAMPLES / "restore.yml",
    # A bus with an archive.
    "replay": EXAMPLES / "replay.yml",
    "cancel-replay": EXAMPLES / "replay.yml",
    # Alarms of a function and a dead-letter queue.
    "set-alarm-state": EXAMPLES / "alarms.yml",
    # A user pool with hooks (its behaviours auto-confirm example.com addresses).
    **{
        name: USER_POOL
        for name in (
            "sign-up",
            "confirm-sign-up",
            "admin-create-user",
            "sign-in",
            "forgot-password",
            "confirm-forgot-password",
            "admin-add-user-to-group",
            "admin-remove-user-from-group",
            "answer-challenge",
            "global-sign-out",
            "admin-user-global-sign-out",
            "revoke-token",
        )
    },
    # A WebSocket API, whose authorizer lets the token t-1 in (its behaviours say so).
    **{name: CHAT for name in ("ws-connect", "ws-send", "ws-disconnect", "ws-post")},
}
# The behaviours a stack's examples need (found beside it under this name).
BEHAVIORS: dict[Path, Path] = {
    CHAT: EXAMPLES / "chat-behaviors.yml",
    USER_POOL: EXAMPLES / "user-pool-behaviors.yml",
    WORKER_POLL: EXAMPLES / "worker-poll-behaviors.yml",
}
