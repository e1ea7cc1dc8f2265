"""Helpers for simulator tests: build a simulator from inline YAML, read its trace."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from stptui.commands import Session
from stptui.config import load_stack_text
from stptui.sim.behavior import Behaviors, InvocationInput, Outcome
from stptui.sim.clock import parse_instant
from stptui.sim.engine import Simulator
from stptui.sim.trace import Record

START = parse_instant("2026-01-05T08:00:00Z")
EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def click_chain_session(tmp_path: Path, behaviors: str, *, allow_code: bool = False) -> Session:
    """docs/examples/click-chain.yml with the inline sidecar `behaviors`, at START.

    The tests that use it have clickApi write the table too, which its role must then allow,
    so the stack is a copy whose clickApi also `connectTo`s pageViews."""
    path = tmp_path / "stptui.yml"
    path.write_text(textwrap.dedent(behaviors), encoding="utf-8")
    stack = tmp_path / "stacktape.yml"
    text = (EXAMPLES / "click-chain.yml").read_text(encoding="utf-8")
    stack.write_text(text.replace("        - clicks\n", "        - clicks\n        - pageViews\n"))
    return Session.open(stack, behaviors_path=path, start_ms=START, allow_code=allow_code)


# One Lambda function, `worker`, and nothing else: the stack of the tests of what a Python
# handler sees in its own process (its clock, its logging).
ONE_WORKER_STACK = """\
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
"""


def handler_session(
    folder: Path,
    stack: str,
    handlers: dict[str, str],
    files: dict[str, str],
    *,
    seed: int = 0,
) -> Session:
    """A session with --allow-code at START of `stack` written to `folder`, whose workloads
    run the Python handlers `handlers` names (workload -> `module:function`), from `files`
    (a path relative to `folder` -> its source; folders are made)."""
    (folder / "stacktape.yml").write_text(stack, encoding="utf-8")
    behaviors = "".join(f"  {name}:\n    handler: {ref}\n" for name, ref in handlers.items())
    (folder / "stptui.yml").write_text("behaviors:\n" + behaviors, encoding="utf-8")
    for path, source in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(source, encoding="utf-8")
    return Session.open(folder, start_ms=START, allow_code=True, seed=seed)


def http_route_function(name: str, gateway: str, method: str, path: str, fmt: str) -> str:
    """The YAML of a function `name` under `resources:`, invoked by `gateway`'s route METHOD
    PATH with payload format `fmt` ("1.0" or "2.0")."""
    props = {"httpApiGatewayName": gateway, "method": method, "path": path, "payloadFormat": fmt}
    event = json.dumps({"type": "http-api-gateway", "properties": props})
    packaging = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: f.ts}}"
    lines = [f"  {name}:", "    type: function", "    properties:", f"      {packaging}"]
    return "\n".join([*lines, "      events:", f"        - {event}"]) + "\n"


def make_sim(
    stack_yaml: str,
    behaviors_yaml: str | None = None,
    *,
    seed: int = 0,
    allow_errors: bool = False,
) -> Simulator:
    """A simulator for an inline stack (and optional inline sidecar), starting at START."""
    stack = load_stack_text(stack_yaml, "stacktape.yml")
    errors = [d.format() for d in stack.errors]
    assert allow_errors or not errors, errors
    if behaviors_yaml is None:
        behaviors, diags = Behaviors.load(None, stack)
    else:
        behaviors, diags = Behaviors.from_text(behaviors_yaml, "stptui.yml", stack)
    assert not [d for d in diags if d.severity == "error"], [d.format() for d in diags]
    return Simulator(stack, behaviors, seed=seed, start_ms=START)


def records(sim: Simulator, kind: str | None = None, resource: str | None = None) -> list[Record]:
    """Every record in the ring, optionally filtered by kind and resource."""
    return [
        r
        for r in sim.trace.records
        if (kind is None or r.kind == kind) and (resource is None or r.resource == resource)
    ]


def seconds(sim: Simulator, kind: str, resource: str | None = None) -> list[float]:
    """Times (seconds since START) of the records of one kind."""
    return [(r.t - START) / 1000 for r in records(sim, kind, resource)]


T = TypeVar("T")


def capture_inputs(sim: Simulator, view: Callable[[InvocationInput], T]) -> list[T]:
    """`view` of every invocation's input from now on, taken as the invocation starts
    (`inp.event()` is the event its handler receives)."""
    seen: list[T] = []
    decide = sim.behaviors.decide

    def spy(inp: InvocationInput, rng: Any, overrides: Any) -> Outcome:
        seen.append(view(inp))
        return decide(inp, rng, overrides)

    sim.behaviors.decide = spy  # type: ignore[method-assign]
    # Simple behaviours are decided without building an input: send them through the spy.
    for fn in sim.functions.values():
        fn._quick = None
    return seen
