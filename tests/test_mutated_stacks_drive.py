"""A sample stack with a mistake that still loads without errors (a line dropped, a value
changed, a key indented elsewhere: `test_robustness.mutated_stack`) opens, and takes a
stimulus on each of its event sources and two simulated days (`test_real_stacks_drive`'s
lines) with nothing but refusals: what `validate` lets through, the simulator must run.

`test_robustness` checks that such texts load; this runs what loads.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from test_real_stacks_drive import stimuli
from test_robustness import mutated_stack
from workcount import hang_guard

from stptui.commands import CommandError, Session, execute
from stptui.commands.session import SessionError
from stptui.config import ConfigError, load_stack_text
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=mutated_stack())
def test_a_mutated_stack_that_loads_runs_with_nothing_but_refusals(text: str) -> None:
    try:
        stack = load_stack_text(text, "stacktape.yml")
    except ConfigError:
        return  # refused whole: test_robustness checks how
    if stack.errors:
        return  # the session refuses to open it, saying why
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stacktape.yml"
        path.write_text(text, encoding="utf-8")
        try:
            session = Session.open(path, start_ms=T0)
        except (SessionError, CommandError):
            return
        with hang_guard(60):
            for line in stimuli(session):
                with contextlib.suppress(CommandError):  # a refusal is an answer
                    execute(session, line)
