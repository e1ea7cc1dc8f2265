"""The examples of docs/simulating.md's command table run on the stack the page names.

The table says its examples name resources of the combined sample stack; a renamed
resource, option or sub-command there would send a reader to a command that is refused.
The rows run in order in one session (an `explain` finds what an earlier row uploaded), from
a scratch directory that sees the repository's docs/ (so `save`, `load`, `record` and
`source` work on files as they would for a reader).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from example_stacks import BEHAVIORS, EXAMPLES, FEATURE_STACKS

from stptui.commands import REGISTRY, Session, execute
from stptui.commands.registry import CommandError, ExpectationFailed
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "simulating.md"
STACK = ROOT / "stptui" / "sample_stacks" / "combined"
# Rows whose example names a resource the combined stack has not, and the stack they run on:
# those of the commands' reference page, and the stream and table commands.
OTHER_STACKS = {
    **FEATURE_STACKS,
    "put-record": EXAMPLES / "clickstream.yml",
    **{name: EXAMPLES / "cart-audit.yml" for name in ("put-item", "delete-item", "update-item")},
}
# What an other stack's session runs first: the callback rows answer tasks that wait.
SETUP = {
    ROOT / "docs" / "examples" / "workflow-callback.yml": [
        f'start-execution orderApproval \'{{"orderId": "{n}", "amount": 1}}\' --name {n}'
        for n in ("order-7", "order-8")
    ],
    # An object its lifecycle rule has archived by the next midnight.
    ROOT / "docs" / "examples" / "restore.yml": [
        "upload archive reports/2025.csv --size 200KB",
        "advance 1d",
    ],
    # A custom authentication challenge waiting for dan's answer.
    ROOT / "docs" / "examples" / "user-pool.yml": [
        "sign-up users dan@example.com",
        "sign-in users dan@example.com --custom",
    ],
    # An event in the bus's archive (10 minutes after it was published).
    ROOT / "docs" / "examples" / "replay.yml": [
        "publish orderEvents orders OrderPlaced {}",
        "advance 10m",
    ],
}
ROW_RE = re.compile(r"^\| `(?P<name>[a-z-]+)` \| `(?P<example>[^`]+)` \|", re.M)


def table_rows() -> list[tuple[str, str]]:
    """(command name, example) of each row of the page's command table."""
    return [(m["name"], m["example"]) for m in ROW_RE.finditer(PAGE.read_text("utf-8"))]


def test_the_table_has_a_row_per_command_whose_example_is_that_command() -> None:
    rows = table_rows()
    assert sorted(name for name, _ in rows) == sorted(REGISTRY.commands)
    assert all(example.split()[0] == name for name, example in rows)


def test_every_example_in_the_table_runs_on_the_combined_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    monkeypatch.chdir(tmp_path)
    start = parse_instant("2026-01-05T08:00:00Z")
    session = Session.open(STACK, start_ms=start)
    # One session per other stack, in row order too (`stop-execution` stops what
    # `start-execution` started).
    others: dict[Path, Session] = {}
    refused = []
    for name, example in table_rows():
        other = OTHER_STACKS.get(name)
        if other is not None and other not in others:
            behaviors = BEHAVIORS.get(other)
            others[other] = Session.open(other, behaviors_path=behaviors, start_ms=start)
            for line in SETUP.get(other, []):
                execute(others[other], line)
        try:
            execute(others[other] if other else session, example)
        except ExpectationFailed:
            # An expectation that does not hold is the command working.
            pass
        except CommandError as exc:
            refused.append(f"{name}: {example!r}: {exc}")
    assert not refused, "examples refused:\n" + "\n".join(refused)
