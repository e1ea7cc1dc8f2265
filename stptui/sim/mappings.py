"""Event source mappings turned off and on: `pause FUNCTION --trigger SOURCE` is Lambda's
UpdateEventSourceMapping with `Enabled: false`, `resume` with `Enabled: true`.

A mapping (a function's or a batch job's `sqs`, `kinesis-stream`, `dynamo-db-stream` or
`kafka-topic` event) that is disabled stops polling: no new batch is read. What its
pollers already hold goes on as usual (an invocation running finishes, and its batch is
deleted, returned or retried by the usual rules). What waits stays where it is: messages in
the queue, ageing toward its retention; records in the stream past the mapping's position,
which is kept, until the stream's retention expires them. Enabled again, an SQS mapping
polls at once and a stream's at its next poll, from where it stopped. The state changes at
the instant of the command (AWS's Disabling and Enabling take a moment it does not
document; see docs/fidelity.md).

Each mapping object has a `disabled` flag and a `set_disabled(flag)` method; the flag is
read where a mapping would schedule its next poll, never per message.

A container workload whose code polls a queue itself (a worker-service's `poll` items,
stptui.sim.services.worker) is no mapping, but `pause WORKLOAD [--trigger QUEUE]` stops its
pollers as ECS stops its tasks, and `resume` starts them again: its pollers of each queue
are listed here too, with the trigger `poll` (TRIGGER_POLL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.model import SCHEDULE_NODE_PREFIX
from stptui.sim import trace as tk
from stptui.textsafe import quote_word

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# What `show function` calls a Kafka topic's node (stptui.graph): `kafka:NAME`.
KAFKA_PREFIX = "kafka:"
# The trigger of a container workload's pollers of a queue (its code's own ReceiveMessage).
TRIGGER_POLL = "poll"


@dataclass(frozen=True, slots=True)
class MappingRef:
    """One event source mapping of a workload: the source as `show function` names it, the
    event type it reads (sqs, kinesis, dynamodb, kafka) and the simulator's mapping."""

    workload: str
    source: str
    trigger: str
    esm: Any

    @property
    def disabled(self) -> bool:
        """Whether the mapping is disabled (paused)."""
        return bool(self.esm.disabled)

    @property
    def polls(self) -> bool:
        """Whether this is a container workload's pollers, not an event source mapping."""
        return self.trigger == TRIGGER_POLL


def all_mappings(sim: Simulator) -> list[MappingRef]:
    """Every event source mapping of the stack, in the order the simulator built them."""
    refs = [MappingRef(e.fn.name, e.queue.name, "sqs", e) for e in sim.event_sources]
    batch = sim.services.get("batch")
    if batch is not None:
        refs += [MappingRef(s.job, s.queue.name, "sqs", s) for s in batch.sqs_sources]
    tables = sim.services.get("tables", {})
    sources: list[Any] = [
        *sim.services.get("streams", {}).values(),
        *(t.stream for t in tables.values() if t.stream is not None),
        *sim.services.get("kafka", {}).values(),
    ]
    for src in sources:
        trigger = src.trigger
        name = KAFKA_PREFIX + src.name if trigger == "kafka" else src.name
        refs += [MappingRef(c.target, name, trigger, c) for c in src.consumers]
    workers = sim.services.get("workers")
    if workers is not None:
        refs += [
            MappingRef(workload, queue, TRIGGER_POLL, group)
            for (workload, queue), group in workers.pollers().items()
        ]
    return refs


def mappings_of(sim: Simulator, workload: str) -> list[MappingRef]:
    """The event source mappings that trigger `workload`."""
    return [m for m in all_mappings(sim) if m.workload == workload]


def find_mapping(sim: Simulator, workload: str, source: str, verb: str) -> MappingRef:
    """`workload`'s mapping from `source` (a Kafka topic also as `kafka:NAME`); SimError,
    with the sources it has as the hint, when there is none."""
    from stptui.sim.engine import SimError

    mine = mappings_of(sim, workload)
    for m in mine:
        if source in (m.source, m.source.removeprefix(KAFKA_PREFIX)):
            return m
    refuse_pollerless(sim, workload, verb)
    if mine and mine[0].polls:
        raise SimError(
            f"{workload} polls no queue named {quote_word(source)}",
            f"its pollers read {', '.join(quote_word(m.source) for m in mine)}: e.g. "
            f"{verb} {quote_word(workload)} --trigger {quote_word(mine[0].source)}",
            word=source,
        )
    if not mine:
        raise SimError(
            f"{workload} has no event source mapping (an sqs, kinesis-stream, "
            "dynamo-db-stream or kafka-topic event)",
            "--trigger names the queue, stream, table or Kafka topic a mapping reads",
            word=workload,
        )
    raise SimError(
        f"{workload} has no event source mapping from {quote_word(source)}",
        f"its mappings read {', '.join(quote_word(m.source) for m in mine)}: e.g. "
        f"{verb} {quote_word(workload)} --trigger {quote_word(mine[0].source)}",
        word=source,
    )


def refuse_pollerless(sim: Simulator, workload: str, verb: str) -> None:
    """SimError when `workload` is a container workload whose behaviour polls no queue:
    `pause` and `resume` take a container workload's pollers only."""
    from stptui.sim.engine import SimError

    containers = sim.services.get("containers")
    if containers is None or workload not in containers.workloads:
        return
    if any(m.workload == workload for m in all_mappings(sim)):
        return
    raise SimError(
        f"{workload} polls no queue: {verb} takes a container workload's pollers (its "
        "behaviour's `poll` items)",
        "a `poll` item in the behaviours file makes its code poll a queue (docs/behaviors.md, "
        "Workers that poll queues); `show containers` lists what each workload polls",
        word=workload,
    )


def refuse_unknown_workload(sim: Simulator, word: str, verb: str = "pause") -> None:
    """SimError when `word`, the WORKLOAD of a `pause` or `resume` line (`verb`), names no
    workload: nothing in the stack (a misspelling, with the nearest name either form takes
    as its did-you-mean: a schedule's owner, a mapping's workload, a polling container
    workload), or a resource that runs no code (a queue, with the line that pauses what
    reads it as its hint). The same refusal with or without `--trigger`, since the REPL
    judges the word before the line says which form it takes. A schedule's id, and a
    function or batch job without a schedule or mapping, are left to the lookups that say
    what they lack."""
    from stptui.config.diagnostics import did_you_mean, with_article
    from stptui.sim.engine import SimError

    if word.startswith(SCHEDULE_NODE_PREFIX):
        return
    mappings = all_mappings(sim)
    takes = {*sim.services["schedules"].by_owner, *(m.workload for m in mappings)}
    if word in takes or _runs_code(sim, word):
        return
    listing = (
        "`show functions` lists the functions; `show jobs` the batch jobs; "
        "`show containers` the container workloads"
    )
    resource = sim.stack.resources.get(word)
    if resource is not None and resource.type not in ("function", "batch-job"):
        readers = sorted({m.workload for m in mappings if m.source == word})
        raise SimError(
            f"{word} is {with_article(resource.type)}, not a function, batch job or "
            "container workload",
            f"{', '.join(readers)} {'reads' if len(readers) == 1 else 'read'} it: "
            f"{verb} {quote_word(readers[0])} --trigger {quote_word(word)}"
            if readers
            else listing,
            word=word,
        )
    if resource is not None:
        return  # a function or batch job the simulation lacks: its lookup says why
    guess = did_you_mean(word, sorted(takes))
    raise SimError(
        f"no function, batch job or container workload named {word}",
        f"did you mean {quote_word(guess)}?" if guess else listing,
        word=word,
    )


def _runs_code(sim: Simulator, name: str) -> bool:
    """Whether `name` is a function, batch job or container workload of the stack."""
    batch = sim.services.get("batch")
    containers = sim.services.get("containers")
    return (
        name in sim.functions
        or (batch is not None and name in batch.jobs)
        or (containers is not None and name in containers.workloads)
    )


def set_disabled(sim: Simulator, ref: MappingRef, disabled: bool) -> bool:
    """Disable or enable one mapping, at this instant; False when it already was."""
    if ref.esm.disabled == disabled:
        return False
    ref.esm.set_disabled(disabled)
    kind = tk.MAPPING_DISABLED if disabled else tk.MAPPING_ENABLED
    data = {"source": ref.source, "trigger": ref.trigger}
    sim.trace.emit((sim.clock.now, kind, ref.workload, data))
    return True
