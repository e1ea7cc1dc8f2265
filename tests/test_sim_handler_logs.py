"""A Python handler's log lines become `handler.log` records as Lambda sends them to
CloudWatch Logs: a line over 262,118 bytes is cut into several events, and the trace keeps a
bounded part of one invocation's log (docs/fidelity.md, "Handler logs")."""

from __future__ import annotations

from pathlib import Path

from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.engine import Simulator
from tests.simkit import START, records

STACK = """
resources:
  chatty:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: chatty.py}}
"""
HANDLERS = """
def huge(event, context):
    print("x" * event["size"])
    context.log("done")


def accents(event, context):
    print("a" + "\\u00e9" * 200_000)
"""
EVENT_MAX = 262_118


def _run(tmp_path: Path, handler: str, event: dict[str, int]) -> list[str]:
    (tmp_path / "chatty_logs_handlers.py").write_text(HANDLERS, encoding="utf-8")
    stack = load_stack_text(STACK, "stacktape.yml")
    behaviors, diags = Behaviors.from_text(
        f"behaviors:\n  chatty:\n    handler: chatty_logs_handlers:{handler}\n",
        "stptui.yml",
        stack,
        allow_code=True,
        base_dir=tmp_path,
    )
    assert diags == []
    sim = Simulator(stack, behaviors, start_ms=START)
    sim.invoke_async("chatty", event, "invoke", "test")
    sim.run(60_000)
    return [r.get("text") for r in records(sim, tk.HANDLER_LOG, "chatty")]


def test_a_line_longer_than_a_log_event_is_cut_into_events(tmp_path: Path) -> None:
    texts = _run(tmp_path, "huge", {"size": 300_000})
    # context.log lines come first, then what the handler printed
    assert [len(t) for t in texts] == [4, EVENT_MAX, 300_000 - EVENT_MAX]
    assert texts[0] == "done" and "".join(texts[1:]) == "x" * 300_000


def test_a_cut_never_splits_a_character(tmp_path: Path) -> None:
    texts = _run(tmp_path, "accents", {})
    assert all(len(t.encode()) <= EVENT_MAX for t in texts)
    assert len(texts) == 2 and "".join(texts) == "a" + "\u00e9" * 200_000


def test_printing_50_mb_keeps_about_1_mb_and_says_what_it_left_out(tmp_path: Path) -> None:
    size = 50 * 1024 * 1024
    texts = _run(tmp_path, "huge", {"size": size})
    kept, note = texts[:-1], texts[-1]
    assert kept[0] == "done" and all(len(t) == EVENT_MAX for t in kept[1:])
    # each event counts its bytes and CloudWatch's 26 bytes of overhead
    kept_bytes = sum(len(t) + 26 for t in kept)
    assert kept_bytes <= 1_048_576 < kept_bytes + EVENT_MAX + 26
    left = size - (len(kept) - 1) * EVENT_MAX
    events = -(-left // EVENT_MAX)
    assert note == (
        f"stptui: left out {events:,} more log events ({left:,} bytes) of this "
        "invocation: the trace keeps 1,048,576 bytes of an invocation's log"
    )
