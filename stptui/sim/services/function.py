"""Lambda functions: invocations with duration, timeout and concurrency; the SQS event
source mapping; and asynchronous invocation with retries, maximum event age and destinations.

Rules (reference aws-semantics §2-§3): an SQS batch is deleted when the invocation succeeds
and left to return after the visibility timeout when it fails; a throttled batch stays with
its poller, which retries it with backoff until the visibility timeout would end first, and
each throttle lowers the mapping's concurrency; partial batch responses count only when
ReportBatchItemFailures is on; asynchronous events are retried twice on function errors,
1 and then 2 minutes later, and dropped past their maximum age; throttled asynchronous
events back off from 1 s to 5 min for up to 6 hours. Every attempt of an asynchronous event
has the event's request id, as the Invoke API answered it.

Recursive loop detection (AWS Lambda developer guide, "Lambda recursive loop detection"):
every invocation has a chain count, 1 when nothing tracked caused it; the SQS messages, SNS
messages and asynchronous invokes its handler makes carry the count, and an invocation they
cause counts one more. Lambda stops an invocation whose count would pass 16 without running
it: an asynchronous event goes to the on-failure destination without retries, an SQS batch
returns after its visibility timeout (and reaches its dead-letter queue by the redrive policy).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, Protocol

from stptui.config.model import ACCOUNT_CONCURRENCY
from stptui.jsontext import compact_json
from stptui.sim import trace as tk
from stptui.sim.behavior import InvocationInput, Outcome
from stptui.sim.behavior.outcome import (
    RUNTIME_EXITS,
    TIMEOUT_ERROR,
    timeout_message,
    timeout_outcome,
)
from stptui.sim.clock import Label, iso_ms
from stptui.sim.handler_logs import ALWAYS_FITS_CHARS, bounded_message
from stptui.sim.logs import (
    INIT_CUT_OFF_ERROR,
    INIT_DURATION_MS,
    INIT_LIMIT_MS,
    INIT_TIMEOUT,
    init_report_line,
    served_runtime,
)
from stptui.sim.payloads import (
    Deferred,
    destination_record,
    lambda_error_response,
    lambda_error_text,
    lambda_service_error_response,
    lambda_timeout_response,
    sqs_event,
)

if TYPE_CHECKING:
    from stptui.config.model import Function
    from stptui.sim.behavior import Override
    from stptui.sim.engine import Simulator
    from stptui.sim.services.log_group import LogGroupSim
    from stptui.sim.services.queue import Message, QueueSim

ESM_START_CONCURRENCY = 5
ESM_SCALE_STEP = 300
ESM_SCALE_PERIOD_MS = 60_000
ESM_MAX_CONCURRENCY = 1000
# The lowest a throttled mapping's concurrency drops to: one poller keeps the queue moving.
ESM_THROTTLED_MIN_CONCURRENCY = 1
SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
# An asynchronous invocation's payload: 1 MB since January 2026 (256 KB before).
ASYNC_PAYLOAD_BYTES = 1024 * 1024
ASYNC_RETRY_DELAYS_MS = (60_000, 120_000)
ASYNC_MAX_EVENT_AGE_MS = 21_600_000
THROTTLE_BACKOFF_START_MS = 1_000
THROTTLE_BACKOFF_MAX_MS = 300_000
# How many invocations one chain of requests may make; the next is stopped.
RECURSION_LIMIT = 16
RECURSION_ERROR = "RecursiveInvocationException"
RECURSION_MESSAGE = (
    "Lambda has detected your function being invoked in a recursive loop with other AWS "
    "resources and stopped your function's invocation."
)
# The errors Lambda, not the function's runtime, reports for an invocation: their response
# is Lambda's own `{errorMessage, errorType}`.
LAMBDA_ERRORS = frozenset({"Function.ResponseSizeTooLarge", RECURSION_ERROR, *RUNTIME_EXITS})
# The failure an example destination record reports (`AsyncInvoker.example_record`): what
# a declared `fail: always` rule raises, the commonest way a simulated handler fails.
EXAMPLE_FAILURE = Outcome(0, "error", "Error", "simulated failure (always)")
_ID = attrgetter("id")
_CHAIN = attrgetter("chain")
_RECEIPT = attrgetter("receipt")
_FIRST = itemgetter(0)


def payload_bytes(payload: Any) -> int:
    """The size of an Invoke request's payload: the payload as compact UTF-8 JSON."""
    return len(compact_json(payload).encode("utf-8", "surrogatepass"))


def event_too_large(event: Any) -> str | None:
    """Why Lambda refuses a synchronous Invoke of `event` (RequestEntityTooLargeException:
    over SYNC_PAYLOAD_BYTES as compact JSON), as a front door's record gives it; None when
    it fits."""
    size = payload_bytes(event)
    if size <= SYNC_PAYLOAD_BYTES:
        return None
    return (
        f"the event is {size:,} bytes; a synchronous invoke takes at most "
        f"{SYNC_PAYLOAD_BYTES:,} (RequestEntityTooLargeException)"
    )


def result_too_large(result: Any, limit: int) -> str | None:
    """Why a synchronous Invoke fails when its function returns `result` over `limit`
    bytes of compact JSON (Lambda cannot return it), as a front door's record gives it;
    None when it fits."""
    returned = payload_bytes(result)
    if returned <= limit:
        return None
    return f"the function returned {returned:,} bytes; the limit is {limit:,}"


def request_too_large(size: int, limit: int) -> str:
    """Lambda's RequestEntityTooLargeException for an Invoke payload of `size` bytes."""
    return (
        f"RequestEntityTooLargeException: Request must be smaller than {limit} bytes for "
        f"the InvokeFunction operation (the payload is {size:,} bytes)"
    )


def async_retry(
    attempts: int, first_at: int, now: int, max_age_ms: int
) -> tuple[int, None] | tuple[None, str]:
    """What Lambda does with an asynchronous event whose attempt `attempts` (1-based) failed
    at `now`, the event first queued at `first_at`: (the instant of its next attempt, None),
    or (None, the condition it is given up with): `RetriesExhausted` after its 2 retries,
    `EventAgeExceeded` when the next attempt would come after its maximum age."""
    if attempts > len(ASYNC_RETRY_DELAYS_MS):
        return None, "RetriesExhausted"
    at = now + ASYNC_RETRY_DELAYS_MS[attempts - 1]
    if at - first_at > max_age_ms:
        return None, "EventAgeExceeded"
    return at, None


def unreserved_concurrency(functions: list[Function]) -> int:
    """The account's concurrency left to the functions without reserved concurrency: a
    function's reservation is its own, "no other function can use that concurrency" (Lambda
    developer guide, "Configuring reserved concurrency for a function"). Never below 0."""
    reserved = sum(f.reserved_concurrency or 0 for f in functions)
    return max(0, ACCOUNT_CONCURRENCY - reserved)


def throttle_backoff_ms(throttles: int) -> int:
    """The wait before retrying an invocation throttled `throttles` times in a row: 1 s,
    doubling, at most 5 minutes (no jitter)."""
    if throttles > 9:  # from the tenth throttle on, doubling gives 512 s or more: the cap
        return THROTTLE_BACKOFF_MAX_MS
    return min(THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_START_MS << (throttles - 1))


class Caller(Protocol):
    """Whoever starts an invocation: the event it passes and what happens when it ends.

    One object rather than three callbacks, so that starting an invocation allocates no
    bound methods; `sqs_records` is None unless the event is an SQS batch."""

    sqs_records: Callable[[], list[dict[str, Any]]] | None
    # The invocation's count in its chain of requests (recursive loop detection).
    chain: int

    def event(self) -> Any:
        """The event the handler receives."""
        ...

    def done(self, outcome: Outcome, invocation_id: str) -> None:
        """The invocation ended with `outcome`."""
        ...


class FunctionSim:
    """The simulated state of one Lambda function (what it is doing now; its history is in
    the trace)."""

    def __init__(self, sim: Simulator, model: Function, arn: str) -> None:
        self.sim = sim
        self.name = model.name
        self.model = model
        self.arn = arn
        self.timeout_ms = model.timeout_s * 1000
        self.reserved = model.reserved_concurrency
        # 1 when its invocations take the account's unreserved pool, 0 when it has its own:
        # added to the pool's count at every start and end, without a test.
        self.shared = 1 if self.reserved is None else 0
        # Stacktape picks the runtime from the entry file when none is given; a Python
        # handler's code is Python whatever the config names.
        self.runtime = served_runtime(
            model.runtime, model.entry, sim.behaviors.runs_code(model.name)
        )
        self.python = self.runtime.startswith("python")
        self.running = 0
        self.invocations = 0
        self.overrides: list[Override] = []
        # The function's log group (services.log_group wires it; None with logging disabled).
        self.logs: LogGroupSim | None = None
        # Deciding without building the invocation's input, for simple behaviours: the
        # decider's bound `__call__`, which CPython 3.11 calls as a specialised method call,
        # where calling the decider itself goes through its type's call slot (3x the cost).
        quick = sim.behaviors.quick(self.name)
        self._quick = None if quick is None else quick.__call__
        # ... and without calling it, when every invocation gets the same outcome (a consumer
        # failing forever, the default behaviour).
        self._fixed = None if quick is None else quick.fixed(self.timeout_ms)
        # How long each new execution environment's init phase takes (`initDuration`), as
        # (low, high), drawn between at each cold start when they differ: the first
        # invocation in the environment starts its handler that much later.
        self.init_lo, self.init_hi = sim.behaviors.init_duration(self.name) or (
            INIT_DURATION_MS,
            INIT_DURATION_MS,
        )
        # With logging disabled no log group keeps the environments: the free ones are
        # kept here (numbered -1, -2, ...), so that cold starts are the same with and
        # without a log group, and a Python handler runs each one's own modules.
        self._idle: list[int] = []
        self._made = 0
        # The invocations that ran in a new execution environment (cold starts), with how
        # long their init phase took: what `explain` says of them. As many as environments.
        self.cold_starts: dict[str, int] = {}
        # The free execution environments Lambda reset (a timeout or a runtime exit in
        # them), whose next invocation runs the init phase again within itself: by number,
        # the invocation that reset it and how it ended (see RUNTIME_EXITS).
        self._reset: dict[int, tuple[str, str]] = {}
        # The invocations that ran in a reset environment: (how long its init took, the
        # invocation that reset it, how that one ended), what `explain` says of them; the
        # newest only, as many as the trace's ring can hold (two records or more each), so
        # that a function that times out forever does not grow it without end.
        self.reinits: dict[str, tuple[int, str, str]] = {}
        # The running invocations whose new environment's init failed, which Lambda retried
        # within them (their REPORT line has no Init Duration).
        self._retried: set[str] = set()
        self._reinits_kept = (sim.trace.records.maxlen or 2 * 10**9) // 2
        # When the invocation started last ends (its init phase included), for a caller
        # that must know at once (an SQS batch outliving its messages' visibility).
        self.ends = 0
        self._label = ("invocation", self.name, _FIRST)
        # One bound method for the timers of all its invocations, not one made for each.
        self._finish_cb = self._finish

    def throttled(self) -> bool:
        """True when a new invocation would exceed the function's reserved concurrency, or,
        without one, the account's concurrency the reservations leave unreserved."""
        reserved = self.reserved
        if reserved is not None:
            return self.running >= reserved
        sim = self.sim
        return sim.unreserved_running >= sim.unreserved_limit

    def start(
        self,
        trigger: str,
        attempt: int,
        caller: Caller,
        extra: tuple[Any, ...] = (),
        names: tuple[str, ...] = tk.STARTED_FIELDS,
        request_id: str | None = None,
    ) -> tuple[str, Outcome]:
        """Start an invocation now; `caller.done(outcome, invocation_id)` runs when it ends.

        The `invocation.started` record holds the invocation id, trigger and attempt, then
        the `extra` values; `names` names them all. `request_id` is the AWS request id the
        handler sees (`context.aws_request_id`): an asynchronous event's, the same for every
        attempt; by default the invocation's own id."""
        sim = self.sim
        now = sim.clock.now
        # `Simulator.new_id`'s commonest case, inlined: every invocation draws an id.
        ready = sim.ids_ready
        inv_id = ready.pop() if ready else sim.new_id()
        if request_id is None:
            request_id = inv_id
        self.invocations += 1
        self.running += 1
        sim.unreserved_running += self.shared
        logs = self.logs
        if logs is None or not logs.free or self._reset:
            return self._start_env(now, inv_id, trigger, attempt, caller, extra, names, request_id)
        # The commonest start: a free execution environment, which ran its init phase when
        # it was made (LogGroupSim.begin's commonest case, inlined), and no environment
        # Lambda reset: no init phase to run or suppress, the handler starts now.
        env = logs.free.pop()
        sim.trace.emit(
            (now, tk.INVOCATION_STARTED, self.name, inv_id, trigger, attempt, *extra, names)
        )
        sim.invocation_events.append((inv_id, self.name, caller, extra))  # `show event`
        quick = self._quick
        if quick is not None and not self.overrides:
            outcome = self._fixed
            if outcome is None:
                outcome = quick(self.invocations, self.timeout_ms, trigger, sim.rng)
        else:
            outcome = self._decide(inv_id, trigger, attempt, caller, now, 0, env, request_id)
        ends = self.ends = now + outcome.duration_ms
        sim.clock.at(
            ends,
            self._finish_cb,
            (inv_id, outcome, caller, now, env, request_id, None, 0),
            self._label,
        )
        return inv_id, outcome

    def _start_env(
        self,
        now: int,
        inv_id: str,
        trigger: str,
        attempt: int,
        caller: Caller,
        extra: tuple[Any, ...],
        names: tuple[str, ...],
        request_id: str,
    ) -> tuple[str, Outcome]:
        """`start` where the execution environment needs more than a free warm one: a new
        environment (a cold start), one Lambda reset, or none kept by a log group (logging
        disabled)."""
        sim = self.sim
        # The execution environment it runs in writes its log stream (-1: no log group):
        # chosen first, as a Python handler reads its stream's name from its environment.
        logs = self.logs
        if logs is None:
            env = -1
        elif logs.free:
            env = logs.free.pop()
        else:
            env = logs.begin(now)
        # A new execution environment runs the init phase first (a cold start): the
        # handler starts when it is over, and the function's timeout counts from then.
        init_ms = None
        failed = ""  # the error of a new environment's init phase that failed
        if logs is not None:
            if env >= logs.initialised:
                init_ms, failed = self._cold_start(now, env, inv_id)
        elif self._idle:  # logging disabled: the environments are kept here
            env = self._idle.pop()
        else:
            self._made += 1
            env = -self._made
            init_ms, failed = self._cold_start(now, env, inv_id)
        begins = now if not init_ms else now + init_ms
        quick = self._quick
        # How long a suppressed init (below) takes of the function's timeout, before the
        # handler starts.
        reinit = 0
        if failed:
            # Lambda retries a failed init at once, in the invocation's own (invoke) phase.
            self._reset[env] = (inv_id, failed)
            self._retried.add(inv_id)
        if self._reset and (init_ms is None or failed):
            # A timeout or a runtime exit reset the environment, or its init just failed:
            # it inits again first.
            reinit = self._reinit(begins, inv_id, env)
            if reinit:
                begins += reinit
                # Decided in full, for the time left (the quick decider's shared outcomes
                # are for the whole timeout; `decide` otherwise decides as it does).
                quick = None
        sim.trace.emit(
            (now, tk.INVOCATION_STARTED, self.name, inv_id, trigger, attempt, *extra, names)
        )
        sim.invocation_events.append((inv_id, self.name, caller, extra))  # `show event`
        if quick is not None and not self.overrides:
            outcome = self._fixed
            if outcome is None:
                outcome = quick(self.invocations, self.timeout_ms, trigger, sim.rng)
        else:
            outcome = self._decide(
                inv_id, trigger, attempt, caller, begins, reinit, env, request_id
            )
        ends = self.ends = begins + outcome.duration_ms
        sim.clock.at(
            ends,
            self._finish_cb,
            (inv_id, outcome, caller, begins, env, request_id, init_ms, reinit),
            self._label,
        )
        return inv_id, outcome

    def _decide(
        self,
        inv_id: str,
        trigger: str,
        attempt: int,
        caller: Caller,
        begins: int,
        reinit: int,
        env: int,
        request_id: str,
    ) -> Outcome:
        """The outcome of invocation `inv_id` decided in full (an override, a behaviour the
        quick decider does not take, or a handler left `reinit` ms of the function's timeout
        by a suppressed init), the handler starting at `begins` in environment `env`; its
        handler's log lines emitted."""
        sim = self.sim
        now = sim.clock.now
        if reinit >= self.timeout_ms:
            # The init took the whole timeout: the handler never started.
            return self._reinit_timeout(timeout_outcome(trigger, self.timeout_ms), 0)
        # What the handler has of the function's timeout.
        timeout_ms = self.timeout_ms - reinit
        logs = self.logs
        outcome = sim.behaviors.decide(
            InvocationInput(
                self.name,
                attempt,
                self.invocations,
                trigger,
                begins,
                timeout_ms,
                caller.event,
                caller.sqs_records,
                request_id,
                environment=None if logs is None else partial(_log_stream, logs, env),
                sim=sim,
                invocation_id=inv_id,
                chain=caller.chain,
                execution_env=env,
            ),
            sim.rng,
            self.overrides,
        )
        if self.overrides:
            self.overrides = [o for o in self.overrides if not o.used_up]
        for line in outcome.logs:
            sim.trace.emit(
                (now, tk.HANDLER_LOG, self.name, {"invocation_id": inv_id, "text": line})
            )
        # A quick decider times out what outlasts the timeout itself; an override or a
        # Python handler may not.
        if outcome.duration_ms > timeout_ms and outcome.status != "timeout":
            outcome = timeout_outcome(trigger, timeout_ms)
        if reinit and outcome.status == "timeout":
            # Timed out after a suppressed init: at the function's timeout, in its words.
            outcome = self._reinit_timeout(outcome, timeout_ms)
        return outcome

    def _cold_start(self, now: int, env: int, inv_id: str) -> tuple[int, str]:
        """New execution environment `env` runs the init phase for invocation `inv_id`: how
        long it took and the error that ended it ("" when none). One that would outlast
        Lambda's 10 s limit is stopped there (INIT_TIMEOUT), before the handler module's
        top level ended: nothing of its import is run or written, and the invocation
        retries the init (`_reinit`), as a failed one's."""
        init_ms = self._init_time()
        if init_ms > INIT_LIMIT_MS:
            self.cold_starts[inv_id] = INIT_LIMIT_MS
            self._init(now, env, INIT_LIMIT_MS, timed_out=True)
            return INIT_LIMIT_MS, INIT_TIMEOUT
        self.cold_starts[inv_id] = init_ms
        return init_ms, self._init(now, env, init_ms)

    def _init_time(self) -> int:
        """How long a new execution environment's init phase takes: `initDuration`, or a
        draw from the seed within its range (as a `duration` range is drawn)."""
        lo, hi = self.init_lo, self.init_hi
        return lo if lo == hi else self.sim.rng.randint(lo, hi)

    def _reinit(self, now: int, inv_id: str, key: int) -> int:
        """The invocation `inv_id` whose invoke phase starts `now` takes the environment
        `key`: when Lambda reset it (or its init phase just failed), the invocation runs the
        init phase again first (a "suppressed init", drawn as a cold start's), which counts
        against the function's timeout. (How long it runs before the handler starts: all
        the timeout when the init takes it all; 0 for an environment not reset.)"""
        reset = self._reset.pop(key, None)
        if reset is None:
            return 0
        init_ms = self._init_time()
        self._init(now, key, init_ms, "invoke")
        reinits = self.reinits
        reinits[inv_id] = (init_ms, *reset)
        if len(reinits) > self._reinits_kept:
            del reinits[next(iter(reinits))]  # the oldest
        # An init that outlasts the timeout is cut off by it.
        return min(init_ms, self.timeout_ms)

    def _reinit_timeout(self, outcome: Outcome, left_ms: int) -> Outcome:
        """A timed-out `outcome` of a handler that had `left_ms` of the function's timeout
        after a suppressed init: it ran that long, and Lambda's message names the
        function's timeout."""
        return Outcome(
            max(0, left_ms),
            "timeout",
            TIMEOUT_ERROR,
            timeout_message(self.timeout_ms),
            logs=outcome.logs,
            denied=outcome.denied,
            resets=True,
        )

    def _init(
        self, now: int, env: int, init_ms: int, phase: str = "init", *, timed_out: bool = False
    ) -> str:
        """Execution environment `env` ran the init phase (`phase` "init" when it is new,
        "invoke" for a suppressed init in one Lambda reset or a failed init's retry): a new
        one's INIT_START line, what its handler module's import printed and logged (a Python
        handler's runtime of its own: Behaviors.init_environment), and Lambda's INIT_REPORT
        when the init failed, before the invocation's own lines, in its log stream (the
        import's lines in the trace too, as records of no invocation). A suppressed init
        that the function's timeout cuts off reports INIT_CUT_OFF_ERROR, after what it
        wrote; a new one past Lambda's 10 s limit (`timed_out`) writes no import, and its
        INIT_REPORT says Status: timeout. The error type that failed the init ("" when
        none)."""
        if timed_out:
            lines, error = [], INIT_TIMEOUT
        else:
            lines, error = self.sim.behaviors.init_environment(self.name, env, now)
            if phase == "invoke" and init_ms >= self.timeout_ms:
                # The timeout ends it before its own end, failed or not.
                error, init_ms = INIT_CUT_OFF_ERROR, self.timeout_ms
        # In the trace at the invocation's instant, which a failed init's retry starts after.
        at = self.sim.clock.now
        for line in lines:
            self.sim.trace.emit((at, tk.HANDLER_LOG, self.name, {"text": line}))
        logs = self.logs
        if logs is not None:
            written = [f"{line}\n" for line in lines]
            if phase == "init":
                logs.initialised = env + 1
                if logs.init_start is not None:
                    written.insert(0, logs.init_start)
            if error:
                written.append(init_report_line(init_ms, phase, error))
            if phase == "init" or written:
                # The environment, not its stream's name: named when read (no hash per cold
                # start).
                logs.init(env, now, written)
        return error

    def _finish(self, arg: tuple[str, Outcome, Caller, int, int, str, int | None, int]) -> None:
        # `started`: when the handler started, after a cold start's init phase or a
        # suppressed init (`reinit`: how long it took, in REPORT's Duration and the trace's).
        inv_id, outcome, caller, started, env, request_id, init_ms, reinit = arg
        sim = self.sim
        now = sim.clock.now
        self.running -= 1
        sim.unreserved_running -= self.shared
        if outcome.denied:
            for emission, error in outcome.denied:
                sim.emission_refused(self.name, inv_id, emission, error)
        if outcome.status == "success":
            if outcome.failed_item_ids or init_ms or reinit:
                data = {"invocation_id": inv_id, "duration_ms": now - started + reinit}
                if outcome.failed_item_ids:
                    data["batch_item_failures"] = list(outcome.failed_item_ids)
                if init_ms:
                    data["init_ms"] = init_ms
                if reinit:
                    data["suppressed_init_ms"] = reinit
                sim.trace.emit((now, tk.INVOCATION_SUCCEEDED, self.name, data))
            else:
                sim.trace.emit(
                    (
                        now,
                        tk.INVOCATION_SUCCEEDED,
                        self.name,
                        inv_id,
                        now - started,
                        tk.SUCCEEDED_FIELDS,
                    )
                )
            if outcome.emissions:
                chain = caller.chain
                for emission in outcome.emissions:
                    sim.apply_emission(self.name, inv_id, emission, chain)
        else:
            message = outcome.error_message or ""
            size = None
            if len(message) > ALWAYS_FITS_CHARS:
                message, size = bounded_message(message)
            if size is None and not init_ms and not reinit:
                sim.trace.emit(
                    (
                        now,
                        tk.INVOCATION_FAILED,
                        self.name,
                        inv_id,
                        now - started,
                        outcome.error_type or "Error",
                        message,
                        outcome.status == "timeout",
                        tk.FAILED_FIELDS,
                    )
                )
            else:
                # A huge message (a handler may raise one of 50 MB) is cut for the trace; a
                # cold start's record says how long its init phase took.
                failed = {
                    "invocation_id": inv_id,
                    "duration_ms": now - started + reinit,
                    "error": outcome.error_type or "Error",
                    "error_message": message,
                    "timeout": outcome.status == "timeout",
                }
                if size is not None:
                    failed["error_message_bytes"] = size
                if init_ms:
                    failed["init_ms"] = init_ms
                if reinit:
                    failed["suppressed_init_ms"] = reinit
                sim.trace.emit((now, tk.INVOCATION_FAILED, self.name, failed))
            if outcome.resets:
                # Lambda resets the environment: its next invocation inits again.
                self._reset[env] = (inv_id, outcome.error_type or "")
        if init_ms is not None and inv_id in self._retried:
            # INIT_REPORT gave the failed init's duration, not REPORT, whose Duration holds
            # the retry.
            self._retried.discard(inv_id)
            init_ms = None
        logs = self.logs
        if logs is not None:
            logs.invocation(inv_id, request_id, started, now, env, outcome, caller, init_ms, reinit)
        else:
            self._idle.append(env)
        caller.done(outcome, inv_id)

    def error_response(
        self, outcome: Outcome, request_id: str, message: str | None = None
    ) -> dict[str, Any]:
        """What Lambda answers for invocation `request_id` that failed with `outcome`
        (`message`, when given, in place of its error message: a bounded copy): Invoke's
        payload with FunctionError `Unhandled`, an asynchronous event's destination
        `responsePayload`. Lambda's own two-key error for a timeout (its message naming
        the request) and for the errors Lambda raises itself; else the runtime's."""
        text = (outcome.error_message or "") if message is None else message
        if outcome.status == "timeout":
            return lambda_timeout_response(request_id, text)
        if outcome.error_type in LAMBDA_ERRORS:
            return lambda_service_error_response(outcome.error_type, text)
        return lambda_error_response(
            self.python, outcome.error_type or "Error", text, request_id, outcome.stack_trace
        )

    def error_text(self, outcome: Outcome, request_id: str) -> str:
        """The JSON text of `error_response` as the runtime (or Lambda) wrote it, which Lambda
        passes on unchanged: a direct Step Functions Lambda task's cause."""
        return lambda_error_text(self.error_response(outcome, request_id), self.runtime)


class BatchingWindow:
    """The batch an event source mapping's batching window gathers, on a standard queue.

    Lambda receives each message as soon as it can and holds it, in flight, while the window
    gathers the batch, so the window counts against the visibility timeout: when window +
    function timeout exceed it, the messages stay in flight for window + timeout + 30 s
    instead (aws-semantics §2). The batch is complete when it is full, when it reaches the
    6 MB payload limit, or when the window, counted from its first message, closes; then
    `on_close` runs, so that the mapping takes the batch."""

    def __init__(
        self,
        sim: Simulator,
        queue: QueueSim,
        batch_size: int,
        window_ms: int,
        timeout_ms: int,
        on_close: Callable[[], None],
        label: Label,
    ) -> None:
        self.sim = sim
        self.queue = queue
        self.batch_size = batch_size
        self.window_ms = window_ms
        self.visibility_ms = queue.visibility_ms
        if window_ms + timeout_ms > queue.visibility_ms:
            self.visibility_ms = window_ms + timeout_ms + 30_000
        self._on_close = on_close
        self._label = label
        self._batch: list[Message] = []
        self._bytes = 0
        self._started = 0
        self._timer: list[Any] | None = None

    def gather(self, now: int) -> list[Message] | None:
        """Receive what the batch has room for; the batch once it is complete, else None."""
        q = self.queue
        batch = self._batch
        full = False
        while len(batch) < self.batch_size and q.visible:
            room = SYNC_PAYLOAD_BYTES - self._bytes
            if batch and q.visible[0].size > room:
                full = True
                break
            waiting = len(q.visible)
            got = q.receive_standard(self.batch_size - len(batch), now, self.visibility_ms, room)
            if not got:
                if len(q.visible) < waiting:
                    continue  # the receive moved messages to the DLQ; others may be left
                break  # the queue's in-flight limit
            if not batch:
                self._started = now
            batch.extend(got)
            self._bytes += sum(m.size for m in got)
        if not batch:
            return None
        due = self._started + self.window_ms
        if not (full or len(batch) >= self.batch_size or now >= due):
            if self._timer is None:
                self._timer = self.sim.clock.at(due, self._close, None, self._label)
            return None
        if self._timer is not None:
            self.sim.clock.cancel(self._timer)
            self._timer = None
        self._batch = []
        self._bytes = 0
        return batch

    def _close(self, _: Any) -> None:
        self._timer = None
        self._on_close()

    def let_go(self) -> None:
        """The mapping was disabled: the batch being gathered is not invoked; its messages,
        received, return when their visibility timeout ends."""
        if self._timer is not None:
            self.sim.clock.cancel(self._timer)
            self._timer = None
        for m in self._batch:
            self.queue.release(m, m.receipt)
        self._batch = []
        self._bytes = 0


class QueuePoller:
    """What a function's and a batch job's SQS mappings share: turning them off and on
    (`pause WORKLOAD --trigger QUEUE`, stptui.sim.mappings). A poller has `sim`, its
    pending poll `pending_poll`, its batching `window` (or None), `disabled`, and `wake`."""

    sim: Simulator
    pending_poll: list[Any] | None
    window: BatchingWindow | None
    disabled: bool

    def wake(self) -> None:
        """Poll now, or when the pollers may."""
        raise NotImplementedError

    def set_disabled(self, disabled: bool) -> None:
        """Stop polling (the batches invoked finish as usual; one a batching window still
        gathers is let go), or poll again at once."""
        self.disabled = disabled
        if disabled:
            if self.pending_poll is not None:
                self.sim.clock.cancel(self.pending_poll)
                self.pending_poll = None
            if self.window is not None:
                self.window.let_go()
        else:
            self.wake()


class SqsEventSource(QueuePoller):
    """A Lambda event source mapping that polls one queue for one function.

    `cap` is how many batches its pollers may hold at once and `active` how many they hold:
    a batch counts from its receive until its invocation ends, or, when it is throttled,
    until the poller lets it go. `held` is how many of them wait to retry a throttle."""

    def __init__(
        self,
        sim: Simulator,
        queue: QueueSim,
        fn: FunctionSim,
        batch_size: int,
        window_s: float | None,
    ) -> None:
        self.sim = sim
        self.queue = queue
        self.fn = fn
        self.batch_size = batch_size
        self.cap = ESM_START_CONCURRENCY
        self.active = 0
        self.held = 0
        # When a throttled batch was let go and its messages came straight back (a zero
        # visibility timeout), the pollers wait until this instant before receiving again.
        self._resume_at = 0
        self.pending_poll: list[Any] | None = None
        # A batching window is for standard queues only (AWS refuses one on a FIFO queue,
        # and so does `validate`).
        window_ms = 0 if queue.fifo else int((window_s or 0) * 1000)
        self.window = (
            BatchingWindow(
                sim,
                queue,
                batch_size,
                window_ms,
                fn.timeout_ms,
                self.drain,
                ("batch-window", queue.name, fn.name),
            )
            if window_ms
            else None
        )
        self._scale: list[Any] | None = None
        self.report_failures = sim.behaviors.report_batch_item_failures(fn.name)
        self._poll_label = ("poll", queue.name, fn.name)
        self._retry_label = ("esm-retry", queue.name, fn.name)
        # `pause FUNCTION --trigger QUEUE` (stptui.sim.mappings): no poll while set.
        self.disabled = False
        queue.on_visible.append(self.wake)

    def wake(self) -> None:
        """Messages became visible (or a slot freed): poll at the current instant, or once
        the pollers' backoff ends."""
        if self.pending_poll is None and not self.disabled:
            at = max(self.sim.clock.now, self._resume_at)
            self.pending_poll = self.sim.clock.at(at, self._run_poll, None, self._poll_label)

    def _run_poll(self, _: Any) -> None:
        self.pending_poll = None
        self.drain()

    def drain(self) -> None:
        """Receive and invoke while pollers are free and messages wait."""
        if self.disabled:
            return
        q = self.queue
        counts = q.counts
        now = self.sim.clock.now
        if now < self._resume_at:
            self.wake()
            return
        # Read at every turn: a batch throttled in `_invoke` lowers the cap.
        while self.active < self.cap and now >= self._resume_at:
            if self.window is not None:
                msgs = self.window.gather(now)
                if msgs is None:
                    break
            else:
                if counts[1] == 0:
                    break
                before = counts[1]
                if q.fifo:
                    msgs = q.receive(self.batch_size, max_bytes=SYNC_PAYLOAD_BYTES)
                else:
                    msgs = q.receive_standard(
                        self.batch_size, now, q.visibility_ms, SYNC_PAYLOAD_BYTES
                    )
                if not msgs:
                    if counts[1] < before:
                        continue  # the receive moved messages to the DLQ; others may be left
                    # FIFO groups all blocked by messages in flight, or the in-flight limit.
                    break
            # A batch keeps its poller busy until its invocation ends, or, throttled, until
            # the poller lets it go, so throttling cannot receive the whole queue at once.
            self.active += 1
            self._invoke(SqsBatch(self, msgs))
        cap = self.cap
        visible = counts[1]
        if visible == 0:
            if self.active == 0:
                # Idle with nothing to read: back to 5 pollers, and a scale-up armed for a
                # backlog that is gone goes too (300 more come after a minute of backlog);
                # left armed, it would also keep `run` going after the last batch ended.
                self.cap = ESM_START_CONCURRENCY
                if self._scale is not None:
                    self.sim.clock.cancel(self._scale)
                    self._scale = None
        elif self.active >= cap and cap < ESM_MAX_CONCURRENCY and self._scale is None:
            self._scale = self.sim.clock.at(
                now + ESM_SCALE_PERIOD_MS,
                self._scale_up,
                None,
                ("scaling", q.name, self.fn.name),
            )

    def _scale_up(self, _: Any) -> None:
        self._scale = None
        self.cap = min(ESM_MAX_CONCURRENCY, self.cap + ESM_SCALE_STEP)
        self.wake()

    def _invoke(self, batch: SqsBatch) -> bool:
        """Invoke the function with a batch its poller holds; False when the invocation was
        throttled or stopped as recursive and the poller let the batch go."""
        if batch.chain > RECURSION_LIMIT:
            return self._recursion_stopped(batch)
        fn = self.fn
        # `FunctionSim.throttled`, written out: every batch asks it.
        reserved = fn.reserved
        if reserved is None:
            sim = self.sim
            if sim.unreserved_running >= sim.unreserved_limit:
                return self._throttled(batch)
        elif fn.running >= reserved:
            return self._throttled(batch)
        if batch.throttles:
            self.held -= 1
        q = self.queue
        msgs = batch.msgs
        # A batch of one (the commonest) lists its id without `map`, which costs more.
        ids = [msgs[0].id] if len(msgs) == 1 else list(map(_ID, msgs))
        fn.start("sqs", 1, batch, (q.name, ids), tk.SQS_STARTED_FIELDS)
        ends = fn.ends
        for m in msgs:
            if ends > m.visible_at:
                # The handler outlives the visibility timeout: the message returns (and may
                # be received again) while the first invocation still runs, as on AWS.
                q.release(m, m.receipt)
        return True

    def _recursion_stopped(self, batch: SqsBatch) -> bool:
        """Lambda's recursive loop detection stopped the batch's invocation: the function
        does not run, and the messages return when their visibility timeout ends (each
        receive counts, so the redrive policy moves them to the dead-letter queue)."""
        sim = self.sim
        q = self.queue
        msgs = batch.msgs
        sim.trace.emit(
            (
                sim.clock.now,
                tk.INVOCATION_RECURSION_STOPPED,
                self.fn.name,
                {
                    "trigger": "sqs",
                    "queue": q.name,
                    "message_ids": list(map(_ID, msgs)),
                    "chain": batch.chain,
                    "error": RECURSION_ERROR,
                    "error_message": RECURSION_MESSAGE,
                },
            )
        )
        self.active -= 1
        for m, r in batch.taken:
            q.release(m, r)
        return False

    def _throttled(self, batch: SqsBatch) -> bool:
        """The function refused the batch's invocation: back off. True when the poller
        keeps the batch for a retry.

        AWS retries a throttled batch, with growing waits, until the messages' visibility
        timeout ends, and reduces the mapping's concurrency meanwhile. Here the retry
        comes after `throttle_backoff_ms` and only if that is before the first of the
        batch's messages becomes visible again; otherwise the poller lets the batch go (it
        returns when its visibility timeout ends, and the receive counted) and is free.
        Each throttle lowers the mapping's concurrency to the number of its batches the
        function is running (at least one), so that it stops receiving batches the
        function cannot take; scaling up adds pollers again, a minute at a time."""
        sim = self.sim
        now = sim.clock.now
        q = self.queue
        msgs = batch.msgs
        if not batch.throttles:
            self.held += 1
        batch.throttles += 1
        delay: int | None = throttle_backoff_ms(batch.throttles)
        if now + delay >= min(m.visible_at for m in msgs):
            delay = None
        sim.trace.emit(
            (
                now,
                tk.INVOCATION_THROTTLED,
                self.fn.name,
                {
                    "trigger": "sqs",
                    "queue": q.name,
                    "message_ids": list(map(_ID, msgs)),
                    "retry_in_ms": delay,
                },
            )
        )
        running = self.active - self.held
        if running < self.cap:
            self.cap = max(ESM_THROTTLED_MIN_CONCURRENCY, running)
        if delay is None:
            if min(m.visible_at for m in msgs) <= now:
                # The batch returns at this very instant (a zero visibility timeout, which
                # AWS refuses for a mapping): receiving it again now would never end, so the
                # pollers back off first.
                self._resume_at = now + throttle_backoff_ms(batch.throttles)
            self.held -= 1
            self.active -= 1
            for m, r in batch.taken:
                q.release(m, r)
            return False
        sim.clock.at(now + delay, self._retry, batch, self._retry_label)
        return True

    def _retry(self, batch: SqsBatch) -> None:
        if self.disabled:
            # The mapping stopped invoking while the batch waited out a throttle: the poller
            # lets it go, and its messages return when their visibility timeout ends.
            self.held -= 1
            self.active -= 1
            for m, r in batch.taken:
                self.queue.release(m, r)
            return
        if not self._invoke(batch) and self.pending_poll is None:
            # The poller let its batch go and is free: it asks for the next batch at once.
            self.drain()


class SqsBatch:
    """One SQS batch handed to an invocation: its receipts and lazily built records."""

    __slots__ = ("_records", "chain", "esm", "msgs", "taken", "throttles")

    def __init__(self, esm: SqsEventSource, msgs: list[Message]) -> None:
        self.esm = esm
        self.msgs = msgs
        # Each message with the receipt of the receive that gave it, paired once: the loops
        # over them (a delete or a release each) take no `zip`, whose `strict` keyword costs
        # CPython 3.11 more than a batch of one's delete. One invocation for the batch: its
        # count follows the message furthest down a chain (a batch of one, the commonest,
        # without the cost of `max` and `map`).
        if len(msgs) == 1:
            msg = msgs[0]
            self.taken = [(msg, msg.receipt)]
            self.chain = msg.chain + 1
        else:
            self.taken = list(zip(msgs, map(_RECEIPT, msgs), strict=True))
            self.chain = max(map(_CHAIN, msgs)) + 1
        self.throttles = 0  # throttled invocation attempts so far
        self._records: list[dict[str, Any]] | None = None

    def sqs_records(self) -> list[dict[str, Any]]:
        """The batch's SQS records (built once, on first use)."""
        if self._records is None:
            esm = self.esm
            self._records = sqs_event(self.msgs, esm.queue, esm.sim.region)["Records"]
        return self._records

    def event(self) -> dict[str, Any]:
        """The SQS event the handler receives."""
        return {"Records": self.sqs_records()}

    def done(self, outcome: Outcome, _inv: str) -> None:
        """Delete what succeeded; leave the rest to return after the visibility timeout."""
        esm = self.esm
        q = esm.queue
        esm.active -= 1
        if outcome.status == "success":
            failed = outcome.failed_item_ids if esm.report_failures else None
            for m, r in self.taken:
                if failed and m.id in failed:
                    q.release(m, r)
                else:
                    q.delete(m, r)
        else:
            for m, r in self.taken:
                q.release(m, r)
        # A poller that finishes a batch asks for the next one at once (as Lambda's pollers
        # do), rather than through another scheduled event.
        if esm.pending_poll is None:
            esm.drain()


def log_cause(caller: Caller) -> str | None:
    """What started an invocation, for the loop guard of log subscription filters: an
    asynchronous event's id (a delivery's), else nothing."""
    return caller.id if type(caller) is AsyncEvent else None


class AsyncEvent:
    """An event in a function's asynchronous invocation queue (the caller of its attempts)."""

    __slots__ = (
        "attempts",
        "chain",
        "error",
        "first_at",
        "id",
        "invoker",
        "payload",
        "source",
        "throttles",
        "trigger",
    )

    sqs_records = None

    def __init__(
        self,
        invoker: AsyncInvoker,
        eid: str,
        payload: Any,
        trigger: str,
        source: str,
        now: int,
        chain: int,
    ) -> None:
        self.invoker = invoker
        self.chain = chain
        self.id = eid
        self.payload = payload
        self.trigger = trigger
        self.source = source
        self.first_at = now
        self.attempts = 0
        # Throttles since its last attempt ran (each wait backs off from 1 s again).
        self.throttles = 0
        # The error response of its last attempt, None before one has failed.
        self.error: dict[str, Any] | None = None

    def event(self) -> Any:
        """The event every attempt receives."""
        payload = self.payload
        if type(payload) is Deferred:
            payload = self.payload = payload.get()
        return payload

    def done(self, outcome: Outcome, _inv: str) -> None:
        """An attempt ended: a destination, a retry or giving up."""
        invoker = self.invoker
        # Most attempts succeed where no onSuccess destination waits: nothing more to do.
        if outcome.status != "success" or invoker.on_success:
            invoker.attempt_done(self, outcome)


class AsyncInvoker:
    """Lambda's asynchronous invocation path for one function."""

    def __init__(self, sim: Simulator, fn: FunctionSim) -> None:
        self.sim = sim
        self.fn = fn
        self.max_age_ms = ASYNC_MAX_EVENT_AGE_MS
        self._label = ("async", fn.name, _ID)
        self._retry_label = ("async-retry", fn.name, _ID)
        # Whether a successful attempt has a destination to go to (the configuration does
        # not change while the simulator runs): most functions have none, and then a success
        # ends without a call to `_destination`.
        ref = fn.model.on_success
        self.on_success = ref is not None and ref.target is not None
        # One bound method for the timers of all its attempts, not one made for each.
        self._attempt_cb = self._attempt

    def submit(self, event: Any, trigger: str, source: str) -> str:
        """Queue an event for asynchronous invocation now (Lambda answers 202 at once)."""
        sim = self.sim
        now = sim.clock.now
        ready = sim.ids_ready  # `Simulator.new_id`'s commonest case, inlined
        eid = ready.pop() if ready else sim.new_id()
        ev = AsyncEvent(self, eid, event, trigger, source, now, sim.chain + 1)
        sim.clock.at(now, self._attempt_cb, ev, self._label)
        return ev.id

    def waiting(self) -> list[tuple[int, AsyncEvent]]:
        """The events in the function's asynchronous queue, by when each is next tried:
        (time, event). An event whose attempt is running is not waiting."""
        return self.sim.clock.labelled(("async", "async-retry"), self.fn.name)

    def _throttled(self, ev: AsyncEvent, now: int, retry_in_ms: int | None) -> None:
        """Record that Lambda throttled an attempt of `ev` at `now`: retried in
        `retry_in_ms`, or (None) not retried."""
        self.sim.trace.emit(
            (
                now,
                tk.INVOCATION_THROTTLED,
                self.fn.name,
                {
                    "trigger": ev.trigger,
                    "event_id": ev.id,
                    "retry_in_ms": retry_in_ms,
                    "age_ms": now - ev.first_at,
                },
            )
        )

    def _attempt(self, ev: AsyncEvent) -> None:
        sim = self.sim
        now = sim.clock.now
        if ev.chain > RECURSION_LIMIT:
            self._recursion_stopped(ev)
            return
        if self.fn.throttled():
            if self.fn.reserved == 0:
                # AWS: with reserved concurrency 0, Lambda sends new events straight to the
                # dead-letter queue or on-failure destination, without retries.
                self._throttled(ev, now, None)
                self._give_up(ev, "RetriesExhausted", None)
                return
            ev.throttles += 1
            delay = throttle_backoff_ms(ev.throttles)
            self._throttled(ev, now, delay)
            if now + delay - ev.first_at > self.max_age_ms:
                # The record still tells how its last invocation, if any, ended.
                self._give_up(ev, "EventAgeExceeded", ev.error)
                return
            sim.clock.at(now + delay, self._attempt_cb, ev, self._retry_label)
            return
        ev.attempts += 1
        ev.throttles = 0
        # AWS: retries of an event keep its request id (the one the Invoke call answered
        # with); the trace's invocation id still names each attempt. Its age is Lambda's
        # AsyncEventAge, recorded so that `show metrics` need not find the event's first
        # record, which the ring may have dropped.
        self.fn.start(
            ev.trigger,
            ev.attempts,
            ev,
            (ev.id, ev.source, now - ev.first_at),
            tk.ASYNC_STARTED_FIELDS,
            ev.id,
        )

    def _recursion_stopped(self, ev: AsyncEvent) -> None:
        """Lambda's recursive loop detection stopped the event's invocation: no retries;
        the event goes to the on-failure destination with the error as its response."""
        sim = self.sim
        sim.trace.emit(
            (
                sim.clock.now,
                tk.INVOCATION_RECURSION_STOPPED,
                self.fn.name,
                {
                    "trigger": ev.trigger,
                    "event_id": ev.id,
                    "chain": ev.chain,
                    "error": RECURSION_ERROR,
                    "error_message": RECURSION_MESSAGE,
                },
            )
        )
        error = lambda_service_error_response(RECURSION_ERROR, RECURSION_MESSAGE)
        self._give_up(ev, "RetriesExhausted", error)

    def attempt_done(self, ev: AsyncEvent, outcome: Outcome) -> None:
        if outcome.status == "success":
            if self.on_success:
                self._destination("onSuccess", ev, "Success", outcome.response, None)
            return
        sim = self.sim
        t = sim.clock.now
        error_payload = self.fn.error_response(outcome, ev.id)
        ev.error = error_payload
        at, condition = async_retry(ev.attempts, ev.first_at, t, self.max_age_ms)
        if condition is not None:
            self._give_up(ev, condition, error_payload)
            return
        sim.trace.emit(
            (
                t,
                tk.INVOCATION_RETRY_SCHEDULED,
                self.fn.name,
                {"event_id": ev.id, "attempt": ev.attempts + 1, "at": iso_ms(at)},
            )
        )
        sim.clock.at(at, self._attempt_cb, ev, self._retry_label)

    def example_record(self, which: str, payload: Any, request_id: str) -> dict[str, Any]:
        """The invocation record the function's `which` destination (`onSuccess` or
        `onFailure`) is sent for the asynchronous event `payload` of request `request_id`,
        now: on success at the first attempt, the handler returning null; on failure once
        both retries failed as a declared `fail: always` rule fails (the runtime's error
        response). Nothing is drawn or traced (`send QUEUE`'s offers)."""
        if which == "onSuccess":
            condition, attempts, response, error = "Success", 1, None, None
        else:
            condition, attempts = "RetriesExhausted", len(ASYNC_RETRY_DELAYS_MS) + 1
            response = self.fn.error_response(EXAMPLE_FAILURE, request_id)
            error = "Unhandled"
        return destination_record(
            timestamp=iso_ms(self.sim.clock.now),
            request_id=request_id,
            function_arn=self.fn.arn,
            condition=condition,
            approximate_invoke_count=attempts,
            request_payload=payload,
            response_payload=response,
            function_error=error,
        )

    def _give_up(self, ev: AsyncEvent, condition: str, error: dict[str, Any] | None) -> None:
        sim = self.sim
        sim.trace.emit(
            (
                sim.clock.now,
                tk.INVOCATION_DISCARDED,
                self.fn.name,
                {"event_id": ev.id, "condition": condition, "attempts": ev.attempts},
            )
        )
        self._destination("onFailure", ev, condition, error, "Unhandled" if error else None)

    def _destination(
        self,
        which: str,
        ev: AsyncEvent,
        condition: str,
        response: Any,
        function_error: str | None,
    ) -> None:
        ref = self.fn.model.on_success if which == "onSuccess" else self.fn.model.on_failure
        if ref is None:
            return
        sim = self.sim
        record = destination_record(
            timestamp=iso_ms(sim.clock.now),
            request_id=ev.id,
            function_arn=self.fn.arn,
            condition=condition,
            approximate_invoke_count=ev.attempts,
            request_payload=ev.event(),
            response_payload=response,
            function_error=function_error,
        )
        # An ARN outside the stack is passed as written: the delivery says it is not simulated.
        sim.deliver_destination(self.fn.name, which, ref.target or ref.raw, record, ev.id)


def _log_stream(logs: LogGroupSim, env: int) -> dict[str, str]:
    """The variable naming the log stream of the execution environment an invocation runs
    in (`AWS_LAMBDA_LOG_STREAM_NAME`), for a Python handler's environment."""
    return {"AWS_LAMBDA_LOG_STREAM_NAME": logs.stream(env)}
