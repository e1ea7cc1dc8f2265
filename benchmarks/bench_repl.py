"""What a key press costs the REPL on a large stack: the completer (exact and fuzzy, and
the help lines of the dozen completions a menu draws) and the validator, at each key press
of typical lines, on a stack of 2,000 resources (`stackgen`: pipelines of queue,
dead-letter queue and worker, bus listeners, buckets with processors, scheduled jobs with
routes) and of 40, as a ratio of the worst key press on the two, measured in one run.

The lines: `send jobs4`, `expect queue.jobs4.`, `expect metric.jobs4.`, `show message `,
`explain `, `fail worker4`, `expect count message.sent jobs4`, typed a character at a
time after a `send` and an `advance 1m`; then again after another `send` (a new state:
the first key press of a line checks its values again and remakes the help lines), and
after an `undo` (a rebuild: another simulation).

CPU time, Python's cyclic collector apart: a full pass of it reads the whole heap (the
simulation of 2,000 resources is some 130,000 objects: 50-250 ms on a loaded 2-core
machine), at whichever allocation comes when it is due, and is reported on its own line.
Before the candidates were kept per state (`stptui.repl.candidates.state_cache`), made
only when read (`Values`) and the menu limited (`completer.OFFER_LIMIT`), `expect metric.`
took 1-2 s at each key press and `expect ` 0.2-0.5 s, and the 80,000 candidates kept
tripled the heap the collector reads.

Target: the worst key press on the large stack under 50 ms. The process exits 1 when it
is missed. Run: `.venv/bin/python benchmarks/bench_repl.py`.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from prompt_toolkit.completion import CompleteEvent, Completer
from prompt_toolkit.document import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stackgen import generate_stack

from stptui.commands import Session, execute
from stptui.repl.completer import build_completer
from stptui.repl.validator import check

LINES = (
    "send jobs4",
    "expect queue.jobs4.",
    "expect metric.jobs4.",
    "show message ",
    "explain ",
    "fail worker4",
    "expect count message.sent jobs4",
)
TARGET_MS = 50.0
# The rows of the menu whose help lines a key press draws.
DRAWN = 10
PHASES = ("typed", "after send", "after undo")


class Collector:
    """The CPU time of the cyclic collector's passes, full ones (generation 2) apart."""

    def __init__(self) -> None:
        self.started = 0.0
        self.passes = 0.0
        self.full: list[float] = []

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.process_time()
            return
        spent = time.process_time() - self.started
        self.passes += spent
        if info["generation"] == 2:
            self.full.append(spent)


COLLECTOR = Collector()


def press(session: Session, completer: Completer, text: str) -> float:
    """CPU seconds of one key press leaving `text` in the line, the collector's apart."""
    before = COLLECTOR.passes
    start = time.process_time()
    shown = list(completer.get_completions(Document(text), CompleteEvent()))
    for c in shown[:DRAWN]:
        _ = c.display_meta
    check(session, text, False)
    return time.process_time() - start - (COLLECTOR.passes - before)


def worst(session: Session, completer: Completer) -> tuple[float, str]:
    """The worst key press of typing every line, and its text."""
    out = (0.0, "")
    for line in LINES:
        for end in range(1, len(line) + 1):
            out = max(out, (press(session, completer, line[:end]), line[:end]))
    return out


def measure(resources: int) -> list[tuple[float, str]]:
    """The worst key press of each phase (PHASES) on a stack of `resources` resources."""
    with tempfile.TemporaryDirectory() as tmp:
        # The stack stays while the session is measured: `undo` reads it again.
        (Path(tmp) / "stacktape.yml").write_text(generate_stack(resources))
        session = Session.open(Path(tmp))
        # One completer a session, as the REPL's prompt holds one.
        completer = build_completer(lambda: session)
        execute(session, "send jobs0 '{\"a\": 1}'")
        execute(session, "advance 1m")
        out = [worst(session, completer)]
        execute(session, "send jobs0 '{\"a\": 2}'")
        out.append(worst(session, completer))
        execute(session, "undo")
        out.append(worst(session, completer))
    return out


def main() -> int:
    """Measure both stacks, print the figures and their ratio; 1 when the target is missed."""
    gc.callbacks.append(COLLECTOR)
    found = {}
    for resources in (40, 2000):
        COLLECTOR.full.clear()
        found[resources] = measure(resources)
        for phase, (seconds, text) in zip(PHASES, found[resources], strict=True):
            print(f"{resources:>6,} resources, {phase:>10}: {seconds * 1000:6.1f} ms ({text!r})")
        full = COLLECTOR.full
        print(
            f"{resources:>6,} resources: {len(full)} full collector passes, "
            f"the longest {max(full, default=0) * 1000:.1f} ms"
        )
    small, big = max(found[40]), max(found[2000])
    print(f"worst key press, 2,000 resources to 40: {big[0] / max(small[0], 1e-6):.1f}x")
    missed = big[0] * 1000 > TARGET_MS
    print(f"target: under {TARGET_MS:.0f} ms: {'MISSED' if missed else 'met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
