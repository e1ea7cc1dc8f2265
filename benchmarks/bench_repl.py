"""What a key press costs the REPL on a large stack: the completer (exact and fuzzy, and
the help lines of the dozen completions a menu draws) and the validator, at each key press
of typical lines, on a stack of 2,000 resources (`stackgen`: pipelines of queue,
dead-letter queue and worker, bus listeners, buckets with processors, scheduled jobs with
routes) and of 40, as a ratio of the worst key press on the two, measured in one run.

The lines: `send jobs4 '{` (to the body's offers), `expect queue.jobs4.`,
`expect metric.jobs4.`, `show message `, `explain `, `fail worker4`,
`expect count message.sent jobs4`, `invoke worker4 ` (to the SQS event its queue delivers),
typed a character at a time after a `send` and an
`advance 1m`; then again after another `send` (a new state: the first key press of a line
checks its values again and remakes the help lines), and after an `undo` (a rebuild:
another simulation). The commands run through the REPL itself
(`Repl.run_line`), which opened as `Repl.run` opens (`keep_frozen`), after the start-up's
modules were frozen as `stptui repl` freezes them.

CPU time, Python's cyclic collector apart: a full pass of it reads the whole heap but what
is frozen out of it, at whichever allocation comes when it is due, and is reported on its
own line, with the worst key press counting the passes that fell in it. Before the REPL
froze its simulation (`stptui.commands.rebuild.FrozenSimulation`), a full pass read the
simulation of 2,000 resources too (some 130,000 objects): 200-240 ms on a loaded 2-core
machine, on a key press now and then (the worst key press with the collector's passes
212-227 ms; after, those passes 2-6 ms and that worst 31 ms). Before the candidates were
kept per state (`stptui.repl.candidates.state_cache`), made only when read (`Values`) and
the menu limited (`completer.OFFER_LIMIT`), `expect metric.` took 1-2 s at each key press
and `expect ` 0.2-0.5 s, and the 80,000 candidates kept tripled the heap the collector
reads.

Target: the worst key press on the large stack under 50 ms, the collector's passes apart,
and under 100 ms with them. The process exits 1 when either is missed. Run:
`.venv/bin/python benchmarks/bench_repl.py`.
"""

from __future__ import annotations

import gc
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from prompt_toolkit.completion import CompleteEvent, Completer
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory

sys.path.insert(0, str(Path(__file__).resolve().parent))

from stackgen import generate_stack

from stptui.commands import Session
from stptui.commands.rebuild import freeze_start_up
from stptui.commands.result import make_console
from stptui.repl.app import Repl
from stptui.repl.validator import check

LINES = (
    "send jobs4 '{",
    "expect queue.jobs4.",
    "expect metric.jobs4.",
    "show message ",
    "explain ",
    "fail worker4",
    "expect count message.sent jobs4",
    "invoke worker4 ",
)
TARGET_MS = 50.0
# The worst key press with the collector's passes that fell in it.
TARGET_WITH_PASSES_MS = 100.0
# The rows of the menu whose help lines a key press draws.
DRAWN = 10
PHASES = ("typed", "after send", "after undo")


class Collector:
    """The CPU time of the cyclic collector's passes, and that of the full ones (generation
    2) that fell in a key press (not the REPL's own, after a command: `keep_frozen`)."""

    def __init__(self) -> None:
        self.started = 0.0
        self.passes = 0.0
        self.full: list[float] = []
        self.pressing = False

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self.started = time.process_time()
            return
        spent = time.process_time() - self.started
        self.passes += spent
        if info["generation"] == 2 and self.pressing:
            self.full.append(spent)


COLLECTOR = Collector()


class Press:
    """The worst key press (CPU seconds, the line it left) without and with the
    collector's passes that fell in it."""

    def __init__(self) -> None:
        self.bare = (0.0, "")
        self.whole = (0.0, "")

    def add(self, bare: float, whole: float, text: str) -> None:
        """One key press's CPU time, without and with the collector's passes."""
        self.bare = max(self.bare, (bare, text))
        self.whole = max(self.whole, (whole, text))


def press(session: Session, completer: Completer, text: str, worst: Press) -> None:
    """One key press leaving `text` in the line, added to `worst`."""
    before = COLLECTOR.passes
    COLLECTOR.pressing = True
    start = time.process_time()
    shown = list(completer.get_completions(Document(text), CompleteEvent()))
    for c in shown[:DRAWN]:
        _ = c.display_meta
    check(session, text, False)
    whole = time.process_time() - start
    COLLECTOR.pressing = False
    worst.add(whole - (COLLECTOR.passes - before), whole, text)


def typed(session: Session, completer: Completer) -> Press:
    """The worst key presses of typing every line."""
    worst = Press()
    for line in LINES:
        for end in range(1, len(line) + 1):
            press(session, completer, line[:end], worst)
    return worst


def measure(resources: int) -> list[Press]:
    """The worst key presses of each phase (PHASES) on a stack of `resources` resources."""
    with tempfile.TemporaryDirectory() as tmp:
        # The stack stays while the session is measured: `undo` reads it again.
        (Path(tmp) / "stacktape.yml").write_text(generate_stack(resources))
        session = Session.open(Path(tmp))
        repl = Repl(session, console=make_console(file=io.StringIO()), history=InMemoryHistory())
        # What `Repl.run` does before its first prompt.
        repl.keep_frozen()
        # The completer the prompt holds (one a session).
        completer = repl.prompt.completer
        assert completer is not None
        repl.run_line("send jobs0 '{\"a\": 1}'")
        repl.run_line("advance 1m")
        out = [typed(session, completer)]
        repl.run_line("send jobs0 '{\"a\": 2}'")
        out.append(typed(session, completer))
        repl.run_line("undo")
        out.append(typed(session, completer))
    return out


def main() -> int:
    """Measure both stacks, print the figures and their ratio; 1 when a target is missed."""
    # As `stptui repl` starts (`cli._start_up`): the modules it imported, frozen.
    freeze_start_up()
    gc.callbacks.append(COLLECTOR)
    found = {}
    for resources in (40, 2000):
        COLLECTOR.full.clear()
        found[resources] = measure(resources)
        for phase, worst in zip(PHASES, found[resources], strict=True):
            seconds, text = worst.bare
            print(f"{resources:>6,} resources, {phase:>10}: {seconds * 1000:6.1f} ms ({text!r})")
        full = COLLECTOR.full
        print(
            f"{resources:>6,} resources: {len(full)} full collector passes in key presses, "
            f"the longest {max(full, default=0) * 1000:.1f} ms"
        )
        seconds, text = max(worst.whole for worst in found[resources])
        print(
            f"{resources:>6,} resources: the worst key press with the collector's passes "
            f"{seconds * 1000:.1f} ms ({text!r})"
        )
    small = max(worst.bare for worst in found[40])
    big = max(worst.bare for worst in found[2000])
    whole = max(worst.whole for worst in found[2000])
    print(f"worst key press, 2,000 resources to 40: {big[0] / max(small[0], 1e-6):.1f}x")
    missed = big[0] * 1000 > TARGET_MS
    print(f"target: under {TARGET_MS:.0f} ms: {'MISSED' if missed else 'met'}")
    missed_whole = whole[0] * 1000 > TARGET_WITH_PASSES_MS
    print(
        f"target with the collector's passes: under {TARGET_WITH_PASSES_MS:.0f} ms: "
        f"{'MISSED' if missed_whole else 'met'}"
    )
    return 1 if missed or missed_whole else 0


if __name__ == "__main__":
    sys.exit(main())
