"""A replaced simulation taken apart (`stptui.sim.teardown.dismantle`) is freed by
reference counting alone: no cycle is left for the collector, on every sample stack after
a scenario that exercises its services, and what another simulation shares is untouched."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from stptui.commands import Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.clock import parse_instant
from stptui.sim.teardown import dismantle

SAMPLES = Path(__file__).resolve().parents[1] / "stptui" / "sample_stacks"
T0 = parse_instant("2026-01-05T08:00:00Z")
COMBINED = [
    "fail worker rate 0.2",
    'repeat 300 --every 10ms send jobQueue \'{"orderId": {i}, "amount": 20}\'',
    "publish eventBus orders OrderCreated '{\"orderId\": 1}'",
    "fire dailyReport",
    "upload uploads incoming/report.csv --size 2KB",
    "advance 10m",
]


@contextmanager
def no_collections() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def played(stack: Path) -> Session:
    """A session of `stack` with its own demo script (or the combined scenario) run."""
    session = Session.open(stack, start_ms=T0)
    demo = stack / "demo.stp"
    lines = COMBINED if stack.name == "combined" else []
    if not lines and demo.exists():
        lines = [f"source {demo}"]
    for line in [*lines, "advance 1h"]:
        execute(session, line)
    return session


@pytest.mark.parametrize("stack", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_a_dismantled_simulation_leaves_no_cycle_for_the_collector(stack: str) -> None:
    session = played(SAMPLES / stack)
    with no_collections():
        sim = session.sim
        session.sim = None  # type: ignore[assignment]
        del session
        gone = dismantle(sim)
        del sim
        assert gone() is None
        # Nothing of it waits for the collector either: the collector finds none of its
        # objects. (Only its own: a thread another test left running in this process, such
        # as a Textual app's or a timer's, may leave garbage of its own meanwhile.)
        assert ours(collected()) == []


def collected() -> list[object]:
    """What a collection finds unreachable, kept for a look instead of freed."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = list(gc.garbage)
        gc.garbage.clear()
    finally:
        gc.set_debug(0)
    return found


def ours(objects: list[object]) -> list[str]:
    """The names of the simulator's own objects among `objects`: instances of its classes,
    and its functions (closures, bound methods)."""
    names = []
    for obj in objects:
        owner = getattr(obj, "__func__", obj)
        module = getattr(owner, "__module__", None) if callable(owner) else None
        module = module or type(obj).__module__
        if isinstance(module, str) and module.startswith("stptui."):
            name = owner.__qualname__ if callable(owner) else type(obj).__qualname__
            names.append(f"{module}.{name}")
    return names


def test_what_the_simulation_shares_with_another_is_untouched() -> None:
    # Two sessions of one stack share module constants and caches; taking one apart
    # leaves the other running as a session of its own would.
    first = played(SAMPLES / "combined")
    second = played(SAMPLES / "combined")
    alone = played(SAMPLES / "combined")
    dismantle(first.sim)
    for session in (second, alone):
        execute(session, "send jobQueue '{\"orderId\": 7}'")
        execute(session, "advance 1h")
    assert trace_sha256(second.sim.trace) == trace_sha256(alone.sim.trace)
