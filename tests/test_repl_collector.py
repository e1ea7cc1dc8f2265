"""The REPL keeps its simulation out of Python's cyclic collector (whose full passes read the
whole simulation, 200-240 ms at 2,000 resources, on whichever key press they fell), from
the moment it opens and again after each command that replaced it, and frees the one
replaced at once: twenty reloads and undos do not keep twenty simulations."""

from __future__ import annotations

import gc
import io
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory

from stptui.commands import Session, execute
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.sim.clock import parse_instant
from stptui.sim.teardown import dismantle

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    """Whatever a test froze is thawed after it: a frozen object is never collected, and
    the tests after it make garbage of their own."""
    yield
    gc.unfreeze()


def repl_of(stack: str) -> Repl:
    session = Session.open(SAMPLES / stack, start_ms=T0)
    return Repl(
        session, console=make_console(file=io.StringIO(), width=120), history=InMemoryHistory()
    )


def collected(obj: object) -> bool:
    """Whether the cyclic collector reads `obj` (it reads no frozen object)."""
    return any(o is obj for o in gc.get_objects())


def test_the_repl_freezes_its_simulation_before_its_first_prompt() -> None:
    repl = repl_of("job-queue")

    def prompt(**_: object) -> str:
        # What the first prompt finds: the simulation out of the collector's reach.
        assert not collected(repl.session.sim)
        assert not collected(repl.session.sim.clock)
        raise EOFError  # Ctrl-D

    repl.prompt.prompt = prompt  # type: ignore[method-assign]
    assert collected(repl.session.sim)
    assert repl.run() == 0


def test_reloads_and_undos_free_the_simulation_each_replaced_at_once() -> None:
    repl = repl_of("job-queue")
    repl.keep_frozen()
    repl.run_line("send jobQueue '{\"orderId\": 1}'")
    replaced: list[weakref.ref[object]] = []
    frozen: list[int] = []
    for n in range(6):
        replaced.append(weakref.ref(repl.session.sim))
        assert repl.run_line("reload" if n % 2 == 0 else "undo") is not None
        repl.run_line("send jobQueue '{\"orderId\": 2}'")
        frozen.append(gc.get_freeze_count())
        # Each one gone with the command that replaced it, without waiting for a full
        # collection; the new one frozen in its place.
        assert [ref() for ref in replaced] == [None] * len(replaced)
        assert not collected(repl.session.sim)
    # The frozen objects are the present simulation's, not one more simulation a rebuild.
    assert max(frozen) - min(frozen) < frozen[0] // 10


def test_a_command_that_replaces_nothing_freezes_nothing_more() -> None:
    repl = repl_of("job-queue")
    repl.keep_frozen()
    before = gc.get_freeze_count()
    repl.run_line("send jobQueue '{\"orderId\": 1}'")
    repl.run_line("advance 1m")
    # (A frozen object freed since, by reference counting, leaves the count.)
    assert gc.get_freeze_count() <= before


def stack_of_functions(n: int) -> str:
    """A stack of `n` functions, each with a queue it reads."""
    lines = ["resources:"]
    for i in range(n):
        lines += [
            f"  q{i}:",
            "    type: sqs-queue",
            f"  fn{i}:",
            "    type: function",
            "    properties:",
            "      packaging:",
            "        type: stacktape-lambda-buildpack",
            "        properties:",
            "          entryfile: src/worker.ts",
            "      events:",
            "        - type: sqs",
            "          properties:",
            f"            sqsQueueName: q{i}",
        ]
    return "\n".join(lines) + "\n"


def test_a_stack_of_more_functions_than_a_cloudformation_stack_is_taken_apart(
    tmp_path: Path,
) -> None:
    # stptui opens configs past CloudFormation's 500 resources (the benchmarks' 2,000):
    # their dicts of functions, log groups and invokers are structure too.
    (tmp_path / "stacktape.yml").write_text(stack_of_functions(1_100))
    session = Session.open(tmp_path, start_ms=T0)
    execute(session, "send q0 x")
    execute(session, "advance 1m")
    assert len(session.sim.functions) > 1024
    gc.collect()
    gc.disable()
    try:
        sim = session.sim
        session.sim = None  # type: ignore[assignment]
        gone = dismantle(sim)
        del sim
        assert gone() is None
    finally:
        gc.enable()
