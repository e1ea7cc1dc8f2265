"""A stateful search over sessions of every sample stack: lines a user could type, built word
by word from what completion offers (real names, near-misses of them, hostile values, JSON
bodies of every shape, durations, options in odd places), each checked as it runs:

- no line ends in an exception other than `CommandError`, and a refused line changes
  nothing (the trace, the clock, the agenda, the log and every `show` view);
- `undo` after a line that changed the simulation gives back exactly the state before it
  (trace and every view), and `redo` the state after it;
- `save` then `load` into a fresh session gives the same trace and views;
- `record` then `stptui run` of the recorded script gives the same trace;
- the same lines with the same seed give the identical trace in a second session.

The committed run is small (it runs with the suite); the long search this was written for is

    STPTUI_FUZZ_EXAMPLES=1500 STPTUI_FUZZ_STEPS=20 pytest -n 0 tests/test_session_fuzz.py
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
)

from stptui.cli import main
from stptui.commands import REGISTRY, CommandError, Session, execute
from stptui.commands.registry import FLAG
from stptui.commands.result import render_plain
from stptui.repl.candidates import candidates
from stptui.sim.clock import iso_ms, parse_instant
from tests.test_command_fuzz import HOSTILE as COMMAND_FUZZ_HOSTILE

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p for p in (ROOT / "stptui" / "sample_stacks").iterdir() if p.is_dir())
DOCS = ROOT / "docs" / "examples"
# The documentation's example stacks: what the samples lack (state machines, user pools,
# WebSocket APIs, Kafka, tables, alarms...), each with its behaviours file when it has one.
STACKS: list[tuple[Path, Path | None]] = [(p / "stacktape.yml", None) for p in SAMPLES] + [
    (p, b if (b := p.with_name(f"{p.stem}-behaviors.yml")).exists() else None)
    for p in sorted(DOCS.glob("*.yml"))
    if not p.stem.endswith("-behaviors") and "resources:" in p.read_text(encoding="utf-8")
]
START = parse_instant("2026-01-05T08:00:00Z")
EXAMPLES = int(os.environ.get("STPTUI_FUZZ_EXAMPLES", "6"))
# Commands that read or write files or rebuild the session have rules of their own.
OWN_RULES = frozenset({"save", "load", "source", "record", "reload", "undo", "redo"})
TYPED = sorted(set(REGISTRY.commands) - OWN_RULES)
# The command fuzz's hostile words, and what a typed line has that a single word does not:
# ids by reference, quotes and escapes a line splits on, a comment, a long unsplit word.
HOSTILE = (
    *COMMAND_FUZZ_HOSTILE,
    "99999999999999999999999999",
    "$last",
    "$newest",
    "'",
    '"',
    "\\",
    "#",
    "x" * 300,
)
DURATIONS = ("0s", "1y", "-5m", "1ms", "100000d", "1e3s", "5m", "30s", "1h", "2d", "s", "10")
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
).map(json.dumps)


PACKAGING = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: h.ts}}"


@st.composite
def generated_stack(draw: st.DrawFn) -> tuple[str, str]:
    """A stack of queues (FIFO or not, some redriving to others), a topic, a bus and a
    bucket, with functions on them and behaviours that fail, take time and send on: the
    stack text and its behaviours file."""
    queues = [f"q{i}" for i in range(draw(st.integers(1, 3)))]
    fifo = {q: draw(st.booleans()) for q in queues}
    visibility: dict[str, int] = {}
    lines = ["resources:", "  topic: {type: sns-topic}", "  bus: {type: event-bus}"]
    lines.append("  files: {type: bucket}")
    for i, q in enumerate(queues):
        visibility[q] = draw(st.integers(1, 120))
        props = [f"visibilityTimeoutSeconds: {visibility[q]}"]
        props.append(f"delaySeconds: {draw(st.integers(0, 30))}")
        if fifo[q]:
            props += ["fifoEnabled: true", f"contentBasedDeduplication: {draw(st.booleans())}"]
        # A queue redrives to a later one of its kind: AWS wants both FIFO or both standard.
        later = [d for d in queues[i + 1 :] if fifo[d] == fifo[q]]
        if later and draw(st.booleans()):
            target = draw(st.sampled_from(later))
            props.append(
                f"redrivePolicy: {{targetSqsQueueName: {target}, "
                f"maxReceiveCount: {draw(st.integers(1, 5))}}}"
            )
        lines.append(f"  {q}:\n    type: sqs-queue\n    properties: {{{', '.join(props)}}}")
    source = draw(st.sampled_from(queues))
    events = {
        "onQueue": f"{{type: sqs, properties: {{sqsQueueName: {source}, "
        f"batchSize: {draw(st.integers(1, 10))}}}}}",
        "onTopic": "{type: sns, properties: {snsTopicName: topic}}",
        "onBus": "{type: event-bus, properties: {eventBusName: bus, "
        "eventPattern: {source: [{prefix: ''}]}}}",
        "onFile": "{type: s3, properties: {bucketArn: \"$ResourceParam('files', 'arn')\", "
        "s3EventType: 's3:ObjectCreated:*'}}",
        "onClock": f"{{type: schedule, properties: {{scheduleRate: "
        f"'rate({draw(st.integers(1, 90))} minutes)'}}}}",
    }
    behaviors = ["behaviors:"]
    for name in draw(st.lists(st.sampled_from(sorted(events)), min_size=1, unique=True)):
        lines.append(
            f"  {name}:\n    type: function\n    properties:\n      {PACKAGING}\n"
            # AWS refuses a queue's consumer whose timeout is over the queue's visibility.
            f"      timeout: {draw(st.integers(1, visibility[source] if name == 'onQueue' else 60))}"
            f"\n      events:\n        - {events[name]}"
        )
        low = draw(st.integers(0, 5000))
        parts = [f"duration: {{min: {low}ms, max: {low + draw(st.integers(0, 5000))}ms}}"]
        if draw(st.booleans()):
            parts.append(f"fail: {{rate: {draw(st.sampled_from(['0', '0.3', '0.5', '1']))}}}")
        target = draw(st.sampled_from(queues))
        if draw(st.booleans()):
            group = ', group: "\'g\'", dedupId: "requestId"' if fifo[target] else ""
            parts.append(f"emit: [{{send: {{queue: {target}, body: body{group}}}}}]")
        behaviors.append(f"  {name}: {{{', '.join(parts)}}}")
    return "\n".join(lines) + "\n", "\n".join(behaviors) + "\n"


def near_miss(word: str) -> st.SearchStrategy[str]:
    """`word` one slip away: another case, a letter dropped or added, a prefix of it."""
    return st.sampled_from(
        [word.upper(), word[:-1], word + "x", word[: max(1, len(word) // 2)], f" {word}"]
    )


def usable(session: Session) -> list[str]:
    """The commands this stack gives something to act on: each whose first word completion
    offers values for, and those that need no word."""
    names = []
    for name in TYPED:
        command = REGISTRY.commands[name]
        if not command.args or command.args[0].optional or candidates(session, f"{name} "):
            names.append(name)
    return names


def slip(offered: list[str]) -> st.SearchStrategy[str]:
    """A word that is not what completion offers: one a slip away from an offer, JSON of
    any shape, a duration or number at a limit, another command's option, hostile text."""
    options = [o.name for c in REGISTRY.commands.values() for o in c.options]
    others = [
        JSON,
        st.sampled_from(DURATIONS) | st.integers(-(2**64), 2**64).map(str),
        st.sampled_from(options),
        st.sampled_from(HOSTILE) | st.text(max_size=6),
    ]
    if offered:
        others.append(st.sampled_from(offered).flatmap(near_miss))
    return st.one_of(others)


@st.composite
def typed_line(draw: st.DrawFn, session: Session) -> str:
    """A line built word by word, mostly from what completion offers after the words so far,
    with a slip, a hostile value or a stray option now and then."""
    pool = usable(session) if draw(st.integers(0, 4)) else TYPED
    words = [draw(st.sampled_from(pool), label="command")]
    command = REGISTRY.commands[words[0]]
    required = sum(not a.optional for a in command.args)
    valued = {o.name for o in command.options if o.kind != FLAG}
    slips = draw(st.integers(0, 2), label="slips")  # at most this many words go wrong
    for _ in range(8):
        done = len(words) > required and words[-1] not in valued
        if done and draw(st.booleans()):
            break
        offered = [c.text for c in candidates(session, shlex.join(words) + " ")][:40]
        if slips and not draw(st.integers(0, 3)):
            slips -= 1
            word = draw(slip(offered))
        elif offered:
            word = draw(st.sampled_from(offered))
        elif done:
            break
        else:
            word = draw(JSON | st.text(max_size=12))
        words.append(word)
    # Mostly quoted as a user quotes; sometimes joined raw, quotes and all.
    return shlex.join(words) if draw(st.integers(0, 7)) else " ".join(words)


def views_for(session: Session) -> list[str]:
    """Every `show` view of the stack: each list, and each resource's own view."""
    views = [
        f"show {what}"
        for what in (
            "queues",
            "functions",
            "agenda",
            "schedules",
            "buses",
            "replays",
            "topics",
            "routes",
            "jobs",
            "containers",
            "executions",
            "alarms",
            "connections",
            "metrics",
            "rules",
            "trace 200",
        )
    ]
    sim = session.sim
    views += [f"show queue {shlex.quote(q)}" for q in sorted(sim.queues)]
    views += [f"show function {shlex.quote(f)}" for f in sorted(sim.functions)]
    views += [f"show logs {shlex.quote(f)}" for f in sorted(sim.functions)]
    views += [f"show bus {c.text}" for c in candidates(session, "show bus ")]
    views += [f"show bucket {c.text}" for c in candidates(session, "show bucket ")]
    views += [f"show table {c.text}" for c in candidates(session, "show table ")]
    return views


def shown(session: Session, views: list[str]) -> list[str]:
    """Each view as plain text (a view the stack refuses, as its message)."""
    out = []
    for view in views:
        try:
            out.append(render_plain(execute(session, view)))
        except CommandError as exc:
            out.append(f"refused: {exc.message}")
    return out


def snapshot(session: Session, views: list[str]) -> tuple[object, ...]:
    """What a user can see of the session: every trace line, the clock, the agenda, the log,
    the ids to come and every view."""
    sim = session.sim
    return (
        [r.to_line() for r in sim.trace.records],
        sim.clock.now,
        sim.pending(),
        list(session.log),
        # Where the id stream is: the ids the next commands get (undo must rewind it too).
        sim.ids_issued,
        shown(session, views),
    )


class SessionFuzz(RuleBasedStateMachine):
    """One session of a sample stack, driven by typed lines, with undo, save/load and record
    checked along the way and determinism and the recording checked at the end."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory(prefix="stptui-fuzz-")
        self.dir = Path(self.folder.name)
        self.typed: list[str] = []
        self.recording = False

    @initialize(
        stack=st.sampled_from(STACKS) | generated_stack(),
        seed=st.integers(0, 3),
        record=st.booleans(),
    )
    def open(
        self, stack: tuple[Path, Path | None] | tuple[str, str], seed: int, record: bool
    ) -> None:
        if isinstance(stack[0], str):
            self.stack, self.behaviors = self.dir / "stacktape.yml", self.dir / "stptui.yml"
            self.stack.write_text(stack[0], encoding="utf-8")
            self.behaviors.write_text(str(stack[1]), encoding="utf-8")
        else:
            self.stack, self.behaviors = stack  # type: ignore[assignment]
        self.seed = seed
        self.session = self.opened()
        self.views = views_for(self.session)
        if record:
            # A recording refuses `undo`: a run records, or checks undo, not both.
            self.script = self.dir / "rec.stp"
            # Not among the typed lines: the second run must not write over the script.
            execute(self.session, f"record {shlex.quote(str(self.script))}")
            self.recording = True

    def opened(self) -> Session:
        return Session.open(
            self.stack, behaviors_path=self.behaviors, start_ms=START, seed=self.seed
        )

    @rule(data=st.data())
    def type_a_line(self, data: st.DataObject) -> None:
        line = data.draw(typed_line(self.session), label="line")
        before = snapshot(self.session, self.views)
        self.typed.append(line)
        try:
            execute(self.session, line)
        except CommandError:
            assert snapshot(self.session, self.views) == before, f"refused {line!r} changed it"
            event("refused")
            return
        if len(self.session.log) == len(before[3]):
            # A line that reads (show, expect, explain, help) leaves everything as it was.
            assert snapshot(self.session, self.views) == before, f"{line!r} changed it"
            event("read")
            return
        if self.recording:
            event("ran")
            return
        event(f"ran, then undone: {line.split(' ')[0]}")
        after = snapshot(self.session, self.views)
        self.typed.append("undo")
        execute(self.session, "undo")
        assert snapshot(self.session, self.views) == before, f"undo of {line!r} is not exact"
        self.typed.append("redo")
        execute(self.session, "redo")
        assert snapshot(self.session, self.views) == after, f"redo of {line!r} is not exact"

    @rule()
    def save_and_load(self) -> None:
        saved = self.dir / "s.json"
        execute(self.session, f"save {shlex.quote(str(saved))}")
        loaded = self.opened()
        execute(loaded, f"load {shlex.quote(str(saved))}")
        assert snapshot(loaded, self.views) == snapshot(self.session, self.views)

    def teardown(self) -> None:
        try:
            if hasattr(self, "session"):
                self.check_the_end()
        finally:
            self.folder.cleanup()

    def check_the_end(self) -> None:
        again = self.opened()
        for line in self.typed:
            with contextlib.suppress(CommandError):
                execute(again, line)
        trace = [r.to_line() for r in self.session.sim.trace.records]
        assert [r.to_line() for r in again.sim.trace.records] == trace, "a second run differs"
        if not self.recording:
            return
        execute(self.session, "record stop")
        out = self.dir / "trace.jsonl"
        argv = [
            "run",
            str(self.stack),
            str(self.script),
            "--seed",
            str(self.seed),
            "--start",
            iso_ms(START),
            "--trace",
            str(out),
            *(["--behaviors", str(self.behaviors)] if self.behaviors else []),
        ]
        code = main(argv)
        assert code == 0, f"stptui run of the recording exited {code}"
        assert out.read_text(encoding="utf-8").splitlines() == trace, "the recording differs"


SessionFuzz.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=int(os.environ.get("STPTUI_FUZZ_STEPS", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestSessionFuzz = SessionFuzz.TestCase


# What the search found, as plain tests: each line is refused, saying what was typed, and
# changes nothing.
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue" / "stacktape.yml"
FOUND = {
    # An empty or spaced source was written bare: "mapping from " named nothing.
    "an empty trigger": (
        JOB_QUEUE,
        [],
        "pause worker --trigger ''",
        "worker has no event source mapping from ''",
    ),
    "a spaced queue a worker service does not poll": (
        DOCS / "worker-poll.yml",
        [],
        "resume resizer --trigger 'a b'",
        "resizer polls no queue named 'a b'",
    ),
    "an empty repeat id": (
        JOB_QUEUE,
        ["repeat 3 --every 1s send jobQueue x"],
        "cancel-repeat ''",
        "no repeat '' is in progress",
    ),
    # An empty word starts every name, and was taken for the one execution there was.
    "an empty execution to stop": (
        DOCS / "workflow.yml",
        ["start-execution orderFlow '{}' --name x"],
        "stop-execution ''",
        "no execution ''",
    ),
    "an empty execution to redrive": (
        DOCS / "workflow.yml",
        ["start-execution orderFlow '{}' --name x", "advance 1h"],
        "redrive-execution ''",
        "no execution ''",
    ),
    "an empty id to explain": (
        DOCS / "workflow.yml",
        ["start-execution orderFlow '{}' --name x"],
        "explain ''",
        "nothing in the trace mentions ''",
    ),
}


@pytest.mark.parametrize("name", list(FOUND))
def test_a_line_the_search_found_is_refused_naming_the_word_as_typed(name: str) -> None:
    stack, setup, line, message = FOUND[name]
    behaviors = stack.with_name(f"{stack.stem}-behaviors.yml")
    session = Session.open(
        stack, behaviors_path=behaviors if behaviors.exists() else None, start_ms=START
    )
    for done in setup:
        execute(session, done)
    views = views_for(session)
    before = snapshot(session, views)
    with pytest.raises(CommandError) as info:
        execute(session, line)
    assert info.value.message == message
    assert info.value.hint
    assert snapshot(session, views) == before
