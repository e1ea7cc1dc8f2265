"""The engine's entry point: `Behaviors` loads a behaviours file and decides each invocation's
outcome from the declared behaviour, the runtime overrides and the simulator's seeded random
generator; `QuickDecider` is its fast path for simple behaviours.

Determinism
-----------
The only randomness is the `random.Random` passed to `Behaviors.decide`. Per invocation the
draws are, in this order and only when needed: (1) a `fail rate` override (one draw),
(2) a duration range (one `randint`), (3) a `timeout` rate rule (one draw), (4) the `fail`
rate rules in order until one fires (one draw each), (5) a `partial` rate (one draw per
record), (6) whatever a Python handler draws from `context.random`. Rates of 0 and 1 and the
default behaviour draw nothing.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from stptui import jsontext
from stptui.config.diagnostics import ConfigError, Diagnostic
from stptui.config.loader import parse_yaml, read_text
from stptui.config.model import Stack
from stptui.config.permissions import (
    ALSO_TARGET_TYPES,
    EMISSION_TARGET_TYPES,
    OBJECT_KINDS,
    EmitSite,
    Permissions,
)
from stptui.sim.behavior.contexts import InputViews
from stptui.sim.behavior.declared import (
    DEFAULT_BEHAVIOR,
    DEFAULT_DURATION_MS,
    EmitSpec,
    PollSpec,
    Rule,
    WorkloadBehavior,
)
from stptui.sim.behavior.durations import format_duration
from stptui.sim.behavior.errors import BehaviorError, compact_json, shown
from stptui.sim.behavior.expressions import search, truthy
from stptui.sim.behavior.handler_env import HandlerEnvironments, applied
from stptui.sim.behavior.handler_exits import hosting, user_interrupts, users_ctrl_c
from stptui.sim.behavior.handler_modules import Environment, HandlerModules
from stptui.sim.behavior.handler_targets import TargetForms, resolve_target
from stptui.sim.behavior.outcome import (
    ATTEMPT_ENV,
    RUNTIME_EXITS,
    EmissionKind,
    InvocationInput,
    Outcome,
    timed_out,
    timeout_outcome,
)
from stptui.sim.behavior.overrides import Override
from stptui.sim.behavior.python_handlers import batch_item_failures, init_failure, run_handler
from stptui.sim.behavior.reader import Reader
from stptui.sim.handler_logs import log_events

SIDECAR_NAMES = ("stptui.yml", "stptui.yaml")


def find_sidecar(stack_file: str | Path) -> Path | None:
    """The `stptui.yml` (or `.yaml`) next to a stack file, if there is one."""
    folder = Path(stack_file).parent
    for name in SIDECAR_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


class Behaviors:
    """Every workload's declared behaviour, and the decision of each invocation's outcome."""

    def __init__(
        self,
        stack: Stack,
        behaviors: dict[str, WorkloadBehavior] | None = None,
        skipped: list[tuple[str, str]] | None = None,
        file: str | None = None,
        handler_modules: HandlerModules | None = None,
    ) -> None:
        self.stack = stack
        self.file = file
        self._handler_modules = handler_modules
        self._by_name: dict[str, WorkloadBehavior] = behaviors or {}
        self._quick: dict[str, QuickDecider] = {}
        self._skipped = skipped or []
        # stptui's names of what a handler's call of each emission kind may name (resolve_target).
        self.targets: dict[str, set[str]] = {kind: set() for kind in EMISSION_TARGET_TYPES}
        for r in stack.resources.values():
            for kind, wanted in EMISSION_TARGET_TYPES.items():
                if r.type == wanted or ALSO_TARGET_TYPES.get(kind) == r.type:
                    self.targets[kind].add(r.name)
        # The account's default bus: `default`, or its ARN when a bus of the stack is named so.
        self.targets["publish"].add(stack.default_bus_key)
        self.permissions = Permissions(stack)
        # The AWS identifiers handlers may name targets by, and the environment each
        # workload's handler runs in: both made when first needed.
        self.target_forms = TargetForms(stack)
        self.handler_environments = HandlerEnvironments(stack)

    @classmethod
    def load(
        cls,
        path: Path | None,
        stack: Stack,
        *,
        allow_code: bool = False,
        name: str | None = None,
        start_ms: int | None = None,
        seed: int = 0,
    ) -> tuple[Behaviors, list[Diagnostic]]:
        """Read a behaviours file (None: the defaults only). Never raises on bad input.

        `name` is what diagnostics and runtime errors call the file (default: `path` as
        given; runtime errors by its last part alone): runtime errors go into the trace,
        which a session rebuilt from the resolved path (undo, reload, load; a link's target
        may have another name) must reproduce word for word."""
        if path is None:
            return cls(stack), []
        p = Path(path)
        label = str(p) if name is None else name
        try:
            text = read_text(p)
        except ConfigError as exc:
            return cls(stack, file=label), [exc.diagnostic]
        return cls.from_text(
            text,
            label,
            stack,
            allow_code=allow_code,
            base_dir=p.parent,
            start_ms=start_ms,
            seed=seed,
        )

    def code_sha256(self) -> dict[Path, str]:
        """The source files of the Python modules the handlers loaded from the handlers'
        folder (the handler modules, their packages and helpers), each with its SHA-256 when
        imported; none without --allow-code. What else, besides the file, decides what the
        handlers do. The dict is live: a helper a handler first imports as it runs joins it."""
        return {} if self._handler_modules is None else self._handler_modules.code_sha256

    def has_code(self) -> bool:
        """Whether these behaviours run Python handlers (--allow-code)."""
        return self._handler_modules is not None

    def run_host(self) -> AbstractContextManager[None] | None:
        """What a run of the simulation's clock holds open around all of it, when these
        behaviours run Python handlers: the stand-ins of what would end stptui's process
        stay in place from a run's first handler call to its end (handler_exits.hosting),
        not put in and taken out at each call. None: no Python handler runs."""
        return None if self._handler_modules is None else hosting()

    def open_container(
        self, key: str, workload: str, container: str, env: int, now_ms: int
    ) -> list[str]:
        """Container `container` of `workload`, whose behaviour `key` runs a Python handler
        (--allow-code), starts its code at `now_ms`: its process imports the handler module
        afresh with the container's environment, the modules its handler then runs with
        (`environment(key, env)`, env its `container_env`), whatever workload imported the
        module before. What the import printed and logged; what ended it is each of its
        requests' end (run_handler)."""
        modules = self._handler_modules
        b = self._by_name[key]
        assert modules is not None and b.handler_ref is not None
        variables = self.handler_environments.at_import(f"{workload}.{container}")
        with applied(variables), user_interrupts():
            environment = modules.open_environment(
                (key, env), b.handler_ref, now_ms, lambda_runtime=False
            )
        if isinstance(environment.failure, KeyboardInterrupt) and users_ctrl_c():
            raise environment.failure  # the user's Ctrl-C stops the command, as in a call
        return environment.lines

    def init_environment(self, function: str, env: int, now_ms: int) -> tuple[list[str], str]:
        """A new execution environment of `function` (its number `env`), or one Lambda
        reset, runs the init phase at `now_ms`: with a Python handler (--allow-code), a
        runtime of its own imports the handler module afresh, with the function's
        environment variables (`environment` then gives its modules to each invocation in
        it). The lines the init phase wrote (printed, logged, and what the interpreter
        printed as its process ended), and the error type that ended it ("" when none)."""
        b = self._by_name.get(function)
        if b is None or b.handler is None or b.handler_ref is None:
            return [], ""
        environment = self._open(function, env, now_ms, b.handler_ref)
        return environment.lines, environment.error_type

    def imports_per_attempt(self, job: str) -> bool:
        """Whether each attempt of batch job `job` imports its Python handler's module
        afresh (`open_attempt`): a handler run with --allow-code."""
        b = self._by_name.get(job)
        return self._handler_modules is not None and b is not None and b.handler is not None

    def open_attempt(self, inp: InvocationInput) -> list[str]:
        """A batch job's attempt `inp` starts its container, whose process imports the
        handler module afresh with the attempt's environment (its overrides too) at its
        start: the modules its handler then runs with (`environment(job, ATTEMPT_ENV)`, the
        previous attempt's dropped). What the import printed and logged; what ended it
        (an exit, an exception) is the attempt's handler's end (run_handler)."""
        modules = self._handler_modules
        b = self._by_name[inp.function]
        assert modules is not None and b.handler_ref is not None
        _, variables = self.handler_environments.of(inp)
        with applied(variables), user_interrupts():
            environment = modules.open_environment(
                (inp.function, ATTEMPT_ENV), b.handler_ref, inp.now_ms, lambda_runtime=False
            )
        if isinstance(environment.failure, KeyboardInterrupt) and users_ctrl_c():
            raise environment.failure  # the user's Ctrl-C stops the command, as in a call
        return environment.lines

    def environment(self, function: str, env: int, now_ms: int) -> Environment:
        """The Python runtime of `function`'s execution environment `env` (made now when
        its init phase has not run)."""
        modules = self._handler_modules
        assert modules is not None
        found = modules.environments.get((function, env))
        if found is None:
            b = self._by_name[function]
            assert b.handler_ref is not None
            found = self._open(function, env, now_ms, b.handler_ref)
        return found

    def _open(self, function: str, env: int, now_ms: int, ref: str) -> Environment:
        modules = self._handler_modules
        assert modules is not None
        with applied(self.handler_environments.at_import(function)), user_interrupts():
            environment = modules.open_environment((function, env), ref, now_ms)
        if isinstance(environment.failure, KeyboardInterrupt) and users_ctrl_c():
            raise environment.failure  # the user's Ctrl-C stops the command, as in a call
        if environment.failure is not None:
            module = ref.partition(":")[0]
            error_type, reason, lines = init_failure(
                environment.failure, module, modules.base, now_ms
            )
            environment.error_type, environment.reason = error_type, reason
            environment.lines = [*environment.lines, *lines]
        return environment

    def init_duration(self, function: str) -> tuple[int, int] | None:
        """How long a new execution environment of `function` spends in its init phase
        before its first invocation's handler starts (`initDuration`), as (low, high): one
        duration when they are equal, else drawn between them at each cold start; None
        without the key."""
        b = self._by_name.get(function)
        return None if b is None else b.init_range

    @classmethod
    def from_text(
        cls,
        text: str,
        file: str,
        stack: Stack,
        *,
        allow_code: bool = False,
        base_dir: Path | None = None,
        start_ms: int | None = None,
        seed: int = 0,
    ) -> tuple[Behaviors, list[Diagnostic]]:
        """Read behaviours from text; `base_dir` is where handler modules are imported from
        (default: the file's directory), at `start_ms` (default: the simulator's default
        start) with randomness from `seed`. Never raises on bad input."""
        try:
            loaded = parse_yaml(text, file)
        except ConfigError as exc:
            return cls(stack, file=file), [exc.diagnostic]
        folder = (base_dir if base_dir is not None else Path(file).parent).resolve()
        reader = Reader(loaded, stack, allow_code, folder, start_ms=start_ms, seed=seed)
        try:
            behaviors = reader.read()
        except RecursionError:  # a pathologically nested value: report, don't crash
            reader.diags.append(
                Diagnostic("error", "behavior-bad-file", "the file is nested too deeply", file)
            )
            behaviors = {}
        modules = reader.handler_modules
        return cls(stack, behaviors, reader.skipped, file, modules), reader.diags

    # -- queries

    def report_batch_item_failures(self, function: str) -> bool:
        """Whether `function`'s SQS event source mapping honours batchItemFailures."""
        b = self._by_name.get(function)
        return b is not None and b.rbif

    def describe(self, function: str) -> str:
        """One line: `200 ms; fails with probability 0.3 (PaymentDeclined); emits send->q`."""
        b = self._by_name.get(function)
        if b is None:
            return f"{format_duration(DEFAULT_DURATION_MS)}; always succeeds (default)"
        return b.description

    def skipped_handlers(self) -> list[tuple[str, str]]:
        """(function, reason) for every declared Python handler that was not loaded."""
        return list(self._skipped)

    def emit_sites(self) -> list[EmitSite]:
        """Every declared emission with its place in the file (Python handlers' calls are
        known only when they run)."""
        sites: list[EmitSite] = []
        for name, b in self._by_name.items():
            for spec in b.emits:
                key = next((v for n, v, is_expr in spec.fields if n == "key" and not is_expr), None)
                key = key if spec.kind in OBJECT_KINDS and isinstance(key, str) else None
                # A container's behaviour (`web.app`) calls with its workload's role.
                role = name if name in self.stack.resources else name.partition(".")[0]
                sites.append(EmitSite(role, spec.kind, spec.target, key, spec.pos))
        return sites

    def polls(self) -> list[PollSpec]:
        """Every queue a container workload's code polls, in the file's order (its `poll`
        items; docs/behaviors.md, "Workers that poll queues")."""
        return [poll for b in self._by_name.values() for poll in b.polls]

    def declared(self, function: str) -> bool:
        """Whether the behaviours file describes `function`."""
        return function in self._by_name

    def emit_items(self, function: str) -> list[EmitSpec]:
        """`function`'s declared `emit` items, in the file's order (none for the default
        behaviour or a Python handler, whose calls are known only when it runs)."""
        b = self._by_name.get(function)
        return [] if b is None or b.handler is not None else list(b.emits)

    def runs_code(self, function: str) -> bool:
        """Whether `function`'s behaviour is a Python handler that was loaded."""
        b = self._by_name.get(function)
        return b is not None and b.handler is not None

    def sends_nothing(self, function: str) -> bool:
        """Whether `function` can send nothing on: its behaviour (or the default one) has
        no `emit` item and no Python handler, whose calls are known only when it runs."""
        b = self._by_name.get(function)
        return b is None or (not b.emits and b.handler_ref is None)

    def container_key(self, workload: str, container: str) -> str:
        """The behaviour that serves `container` of `workload`: the container's own
        (`WORKLOAD.CONTAINER`) when the file has one, else the workload's."""
        key = f"{workload}.{container}"
        return key if key in self._by_name else workload

    def check_target(self, kind: EmissionKind, target: str) -> str:
        """The stack resource a handler's call of `kind` names by `target` (stptui's name, or
        the URL, ARN or AWS name its environment holds): its stptui name, or BehaviorError
        (raised in the handler). `handler_targets.resolve_target` has the rules."""
        return resolve_target(self, kind, target)

    def check_topic(self, target: str) -> None:
        """A Python handler's `produce` names a topic the simulator keeps, as `show
        kafka-topics` names it (BehaviorError with the did-you-mean otherwise)."""
        if not isinstance(target, str) or not target:
            raise BehaviorError(
                f"the topic must be a Kafka topic's name, not {shown(target)}",
                "name it as `show kafka-topics` does",
            )
        known = self.targets.setdefault("produce", set())
        if target in known:
            return
        # Lazily: the Kafka service's module is imported only by a stack that produces.
        from stptui.sim.services.kafka import topic_target_problem

        problem = topic_target_problem(self.stack, target)
        if problem is not None:
            raise BehaviorError(problem[1], problem[2])
        known.add(target)

    # -- deciding

    def quick(self, function: str) -> QuickDecider | None:
        """The fast decider of `function` when its behaviour needs neither the event nor a
        handler (the default behaviour, durations and rate/first/always rules), else None.
        It decides exactly as `decide` does with no overrides, drawing the same numbers."""
        b = self._by_name.get(function, DEFAULT_BEHAVIOR)
        if not b.simple:
            return None
        hit = self._quick.get(function)
        if hit is None:
            hit = self._quick[function] = QuickDecider(b)
        return hit

    def decide(
        self, inp: InvocationInput, rng: random.Random, overrides: list[Override]
    ) -> Outcome:
        """The outcome of one invocation (the package docstring has the rules, this module's
        the draws).

        Consumes `fail next N` overrides. Never raises for problems in the behaviours: an
        expression that fails at run time gives an error outcome of type `BehaviorError`.
        """
        b = self._by_name.get(inp.function)
        if not overrides:
            quick = self.quick(inp.function)
            if quick is not None:
                return quick(inp.nth, inp.timeout_ms, inp.trigger, rng)
        try:
            return self._decide(b or DEFAULT_BEHAVIOR, inp, rng, overrides)
        except BehaviorError as exc:
            # The invocation's error message is all a user sees of it: the fix goes in it.
            message = f"{exc}; fix: {exc.hint}" if exc.hint else str(exc)
            duration = b.dur_lo if b else DEFAULT_DURATION_MS
            return Outcome(duration, "error", "BehaviorError", message)

    def _decide(
        self,
        b: WorkloadBehavior,
        inp: InvocationInput,
        rng: random.Random,
        overrides: list[Override],
    ) -> Outcome:
        data = InputViews(inp)
        # The declared lines are written as the handler runs, whatever its end: made first,
        # so that an expression that fails fails the invocation before anything else.
        lines = _declared_lines(b, data) if b.log_lines and b.handler is None else None
        out = self._outcome(b, inp, rng, overrides, data)
        if lines:
            out.logs = log_events(lines)
        return out

    def _outcome(
        self,
        b: WorkloadBehavior,
        inp: InvocationInput,
        rng: random.Random,
        overrides: list[Override],
        data: InputViews,
    ) -> Outcome:
        forced = False
        slow: int | None = None
        fired: Override | None = None
        returns: str | None = None
        for ov in overrides:
            if ov.kind == "succeed":
                forced = True
                if ov.returns is not None:
                    returns = ov.returns
            elif ov.kind == "slow":
                slow = ov.duration_ms
        if not forced:
            for ov in overrides:
                if ov.kind == "fail" and ov.fires(inp, rng, data):
                    fired = ov
                    break
        if slow is not None:
            duration = slow
        elif b.dur_lo == b.dur_hi:
            duration = b.dur_lo
        else:
            duration = rng.randint(b.dur_lo, b.dur_hi)
        timeout_ms = inp.timeout_ms
        if fired is not None:
            if timeout_ms > 0 and duration > timeout_ms:
                return timed_out(inp)
            return Outcome(duration, "error", "Error", f"failed by override `{fired.label()}`")
        if forced:
            # `succeed` suppresses declared failures, including a duration past the timeout.
            if timeout_ms > 0:
                duration = min(duration, timeout_ms)
        else:
            if timeout_ms > 0 and duration > timeout_ms:
                return timed_out(inp)
            if b.timeout_rule is not None and b.timeout_rule.fires(inp, rng, data) is not None:
                return timed_out(inp)
            if b.handler is None:
                for rule in b.fail_rules:
                    reason = rule.fires(inp, rng, data)
                    if reason is not None:
                        return _failure(rule, duration, reason)
        if b.handler is not None:
            out = run_handler(self, self._handler_modules, b, inp, rng, duration, data)
        else:
            out = self._succeed(b, inp, rng, duration, data, forced, returns is not None)
        if returns is not None and out.status == "success":
            # `succeed F --returns JSON` stands in for a deploy of code that returns it: what
            # the handler did (its calls, its logs) stands, and its answer is the override's.
            _return_override(out, b, data, returns)
        return out

    def _succeed(
        self,
        b: WorkloadBehavior,
        inp: InvocationInput,
        rng: random.Random,
        duration: int,
        data: InputViews,
        forced: bool,
        replaced: bool,
    ) -> Outcome:
        """A successful declared invocation: partial failures, emissions, response (not
        evaluated when `replaced`: a `succeed --returns` override gives it)."""
        out = Outcome(duration, "success")
        failed: set[str] = set()
        if b.partial is not None and not forced and data.is_sqs:
            ids = self._partial_ids(b.partial, data, rng)
            failed = set(ids)
            out.response = {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}
            if b.rbif:
                out.failed_item_ids = ids
        if b.emits:
            for mid, ctx in data.contexts():
                if mid is not None and mid in failed:
                    continue  # the handler gave up on this record: it emits nothing for it
                for spec in b.emits:
                    emission = spec.build(ctx)
                    if emission is not None:
                        out.emissions.append(emission)
            for emission in out.emissions:
                denial = self.permissions.check(
                    inp.role, emission.kind, emission.target, emission.fields, inp.request_id
                )
                if denial is not None:
                    # A handler's SDK call that AWS refuses throws; unhandled, it fails the
                    # invocation, and nothing the invocation emitted is carried out.
                    return Outcome(
                        duration,
                        "error",
                        denial.code,
                        denial.message,
                        denied=[(emission, str(denial))],
                    )
        if b.response is not None and b.partial is None and not replaced:
            if b.response_is_expr:
                out.response = search(b.response, data.event(), b.response_site)
                compact_json(out.response, f"{b.name}.response")
            else:
                out.response = copy.deepcopy(b.response)
        return out

    @staticmethod
    def _partial_ids(rule: Rule, data: InputViews, rng: random.Random) -> list[str]:
        records = data.records()
        fifo = bool(records) and str(records[0].get("eventSourceARN", "")).endswith(".fifo")
        ids: list[str] = []
        for mid, ctx in data.contexts():
            if mid is None:
                continue
            if fifo and ids:
                # FIFO: AWS asks the handler to stop at the first failure and report the rest.
                ids.append(mid)
                continue
            if rule.mode == "rate":
                hit = rule.rate >= 1.0 or (rule.rate > 0.0 and rng.random() < rule.rate)
            else:
                hit = truthy(search(rule.expr, ctx, rule.where))
            if hit:
                ids.append(mid)
        return ids


def _return_override(out: Outcome, b: WorkloadBehavior, data: InputViews, returns: str) -> None:
    """Make `out`, a success, return `returns` (compact JSON text): an SQS batch's
    `batchItemFailures` in it are read as Lambda reads a handler's (when the workload
    reports them), and the ones the replaced response reported are gone with it."""
    out.response = jsontext.loads(returns)
    out.failed_item_ids = None
    if data.is_sqs and b.rbif:
        ids = [i for i, _ in data.contexts() if i is not None]
        failed, problem = batch_item_failures(out.response, ids)
        out.failed_item_ids = failed
        if problem is not None:
            out.logs.append(f"invalid batchItemFailures ({problem}): the whole batch fails")


_QUICK_CACHE_LIMIT = 1024


class QuickDecider:
    """Decides a simple behaviour's invocations from the invocation count and the rng alone.

    Outcomes that do not depend on the invocation (a success of a given duration, a failure
    with a rate rule's fixed reason) are built once and shared: nothing mutates an Outcome
    after it is decided, and building one costs more than the rest of the decision."""

    __slots__ = ("_always", "_b", "_cache", "_duration", "_rates", "_success")

    def __init__(self, b: WorkloadBehavior) -> None:
        self._b = b
        self._cache: dict[tuple[Any, ...], Outcome] = {}
        # The commonest behaviour (a fixed duration, failing with some probabilities) is
        # decided from precomputed outcomes: one draw per rule and nothing else.
        self._duration = b.dur_lo
        self._success = Outcome(b.dur_lo, "success")
        self._rates: list[tuple[float, Outcome]] | None = None
        live = [
            r for r in b.fail_rules if not (r.mode == "never" or (r.mode == "rate" and r.rate <= 0))
        ]
        if (
            b.dur_lo == b.dur_hi
            and b.timeout_rule is None
            and all(r.mode == "rate" and r.rate < 1.0 for r in live)
        ):
            self._rates = [(r.rate, _failure(r, b.dur_lo, f"probability {r.rate:g}")) for r in live]
        # A handler that always fails after a fixed time (`fail: true`, a consumer failing
        # forever) is decided without a draw, as `fires_nth` decides its rule.
        self._always: Outcome | None = None
        if b.dur_lo == b.dur_hi and b.timeout_rule is None and live and live[0].mode == "always":
            self._always = _failure(live[0], b.dur_lo, "always")

    def fixed(self, timeout_ms: int) -> Outcome | None:
        """The outcome every invocation gets with this timeout when nothing tells them apart
        (no draw, no count: a handler that always fails, or always succeeds, after a fixed
        time), else None. A caller that has it need not call the decider at all."""
        if 0 < timeout_ms < self._duration:
            return None
        if self._always is not None:
            return self._always
        return self._success if self._rates == [] else None

    def __call__(self, nth: int, timeout_ms: int, trigger: str, rng: random.Random) -> Outcome:
        """The outcome of invocation `nth` (1-based) of a workload with this timeout."""
        always = self._always
        if always is not None and not 0 < timeout_ms < self._duration:
            return always
        rates = self._rates
        if rates is not None and not 0 < timeout_ms < self._duration:
            for rate, failure in rates:
                if rng.random() < rate:
                    return failure
            return self._success
        b = self._b
        duration = b.dur_lo if b.dur_lo == b.dur_hi else rng.randint(b.dur_lo, b.dur_hi)
        if (0 < timeout_ms < duration) or (
            b.timeout_rule is not None and b.timeout_rule.fires_nth(nth, rng) is not None
        ):
            key: Any = ("timeout", trigger, timeout_ms)
            return self._shared(key, timeout_outcome, trigger, timeout_ms)
        for rule in b.fail_rules:
            reason = rule.fires_nth(nth, rng)
            if reason is not None:
                if rule.mode == "first":
                    return _failure(rule, duration, reason)
                return self._shared((id(rule), duration, reason), _failure, rule, duration, reason)
        hit = self._cache.get(duration)
        return hit if hit is not None else self._shared(duration, Outcome, duration, "success")

    def _shared(self, key: Any, build: Callable[..., Outcome], *args: Any) -> Outcome:
        hit = self._cache.get(key)
        if hit is None:
            hit = build(*args)
            if len(self._cache) < _QUICK_CACHE_LIMIT:
                self._cache[key] = hit
        return hit


def _declared_lines(b: WorkloadBehavior, data: InputViews) -> list[str]:
    """A declared behaviour's `log` lines for one invocation: once per record of a batch
    (records in order, each record's lines in list order), once for any other input; a line
    whose expression finds null is left out."""
    lines: list[str] = []
    for _, ctx in data.contexts():
        for line in b.log_lines:
            text = line.text(ctx)
            if text is not None:
                lines.append(text)
    return lines


def _failure(rule: Rule, duration: int, reason: str) -> Outcome:
    error = rule.error_type
    message = rule.message or f"simulated failure ({reason})"
    return Outcome(duration, "error", error, message, resets=error in RUNTIME_EXITS)
