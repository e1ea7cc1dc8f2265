"""Running a user pool's hooks (Lambda triggers) as Cognito runs them.

An operation's steps after Cognito's own checks are a generator (a Flow) that yields each
hook call and is sent the hook's outcome. A command runs the flow to its end on the clock
(`_drive`); under `repeat`, which runs inside the clock, the flow is started and the clock
carries it on as each hook answers (`_resume`, `_start_call`). A hook that fails refuses the
operation with UserLambdaValidationException; one that does not answer within 5 s is called
again, and after three such attempts the operation fails with UnexpectedLambdaException.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.behavior import Outcome
from stptui.sim.cognito import CognitoError
from stptui.sim.payloads import lambda_timeout_response
from stptui.sim.services.user_pool.pool import Answer, Pool

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


@dataclass(slots=True)
class HookCall:
    """What an operation's flow yields to run a hook: the function, the hook and trigger
    source (for Cognito's words and the agenda), the event, the answer that collects the
    invocations."""

    function: str
    hook: str
    source: str
    event: dict[str, Any]
    answer: Answer


# An operation's steps after Cognito's own checks: a generator that yields each hook call
# and is sent its outcome (or thrown the HookFailed that ends it). `_drive` runs it to the
# end on the clock (a command), or lets the clock run it (a detached one, under `repeat`).
Flow = Generator[HookCall, Outcome, Any]


class HookFailed(Exception):
    """A hook refused the operation (carried to the operation's end)."""

    def __init__(self, hook: str, error: CognitoError) -> None:
        super().__init__(error.message)
        self.hook = hook
        self.error = error


class Hooks(_Service):
    """Each operation's hook calls: a flow run to its end, or carried on by the clock, and
    the refusal a failed hook ends it with."""

    def _hook(
        self,
        pool: Pool,
        hook: str,
        source: str,
        username: str,
        request: dict[str, Any],
        answer: Answer,
    ) -> Flow:
        """Run a hook as Cognito does; the flow's value is its answer's `response` ({} when
        the pool has no such hook). Raises HookFailed when it refuses."""
        function = pool.hooks.get(hook)
        if function is None:
            return {}
        client = cognito.ADMIN_CLIENT if source.endswith("AdminCreateUser") else pool.client_id
        event = cognito.trigger_event(
            source,
            self.sim.stack.region,
            pool.pool_id,
            client,
            username,
            request,
            cognito.empty_response(hook),
        )
        answer.hooks_run.append(hook)
        outcome = yield HookCall(function, hook, source, event, answer)
        if outcome.status == "timeout":
            # The function's own timeout, within Cognito's 5 s: its errorMessage is the one
            # Lambda answers, naming the request (the last invocation, the one that answered).
            answered = lambda_timeout_response(
                answer.invocation_ids[-1], outcome.error_message or ""
            )
            raise HookFailed(hook, cognito.failed(hook, answered["errorMessage"]))
        if outcome.status != "success":
            raise HookFailed(hook, cognito.failed(hook, outcome.error_message))
        try:
            return cognito.hook_response(hook, outcome.response, event)
        except CognitoError as exc:
            raise HookFailed(hook, exc) from None

    def _drive(self, flow: Flow, detached: bool) -> None:
        """Run an operation's flow: to its end, the clock run until each hook answers (a
        command), or (`detached`, a repetition of `repeat`, which runs inside the clock)
        started now and carried on by the clock as each hook answers."""
        if detached:
            self._resume(flow, None, None)
            return
        outcome: Outcome | None = None
        failure: HookFailed | None = None
        while True:
            try:
                call = flow.throw(failure) if failure is not None else flow.send(outcome)
            except StopIteration:
                return
            try:
                outcome, failure = self._call(call), None
            except HookFailed as exc:
                outcome, failure = None, exc

    def _guarded(
        self,
        flow: Flow,
        pool: Pool,
        operation: str,
        username: str,
        answer: Answer,
        *,
        forget_challenge: bool = False,
    ) -> Flow:
        """`flow`, with a hook failure that ends it answered as Cognito's refusal of
        `operation` (`user.refused`); `forget_challenge` also drops the user's waiting
        challenge, as a failed custom authentication round ends its session."""
        try:
            yield from flow
        except HookFailed as exc:
            if forget_challenge and answer.user is not None:
                answer.user.challenge = None
            self._refused(pool, operation, username, answer, exc)

    def _resume(self, flow: Flow, outcome: Outcome | None, failure: HookFailed | None) -> None:
        """A detached flow's next step: its next hook call is started, and the clock resumes
        the flow when the hook answers, or when Cognito stops waiting for it."""
        try:
            call = flow.throw(failure) if failure is not None else flow.send(outcome)
        except StopIteration:
            return
        self._start_call(call, lambda got, failed: self._resume(flow, got, failed), 1)

    def _call(self, call: HookCall) -> Outcome:
        """Invoke the hook's function and run the clock until it answers, waiting 5 s per
        attempt."""
        from stptui.sim.engine import SimError

        clock = self.sim.clock
        for _ in range(cognito.HOOK_ATTEMPTS):
            got: list[Outcome] = []
            waited: list[bool] = []

            def done(outcome: Outcome, _inv: str, got: list[Outcome] = got) -> None:
                got.append(outcome)

            try:
                inv = self.sim.invoke_sync(
                    call.function, call.event, done, f"cognito:{call.source}"
                )
            except SimError as exc:
                raise HookFailed(call.hook, _throttled(call.hook, exc)) from None
            call.answer.invocation_ids.append(inv)
            timer = clock.at(
                clock.now + cognito.HOOK_WAIT_MS,
                lambda _arg, waited=waited: waited.append(True),
                label=("cognito.wait", call.function, call.source),
            )
            while not got and not waited and clock.step():
                pass
            clock.cancel(timer)
            if got:
                return got[0]
        raise HookFailed(call.hook, _timed_out(call.hook))

    def _start_call(
        self,
        call: HookCall,
        then: Callable[[Outcome | None, HookFailed | None], None],
        attempt: int,
    ) -> None:
        """Attempt `attempt` of a detached hook call: `then` gets the outcome when the hook
        answers within 5 s, or, after the last attempt, the HookFailed. An answer after
        Cognito stopped waiting is not read (the invocation still runs to its end)."""
        from stptui.sim.engine import SimError

        clock = self.sim.clock
        got: list[Outcome] = []
        state: dict[str, Any] = {"over": False, "timer": None}

        def done(outcome: Outcome, _inv: str) -> None:
            if state["over"]:
                return
            if state["timer"] is None:
                # Answered within invoke_sync itself: taken up once the call is made.
                got.append(outcome)
                return
            state["over"] = True
            clock.cancel(state["timer"])
            then(outcome, None)

        def waited(_arg: object) -> None:
            if state["over"]:
                return
            state["over"] = True
            if attempt < cognito.HOOK_ATTEMPTS:
                self._start_call(call, then, attempt + 1)
            else:
                then(None, HookFailed(call.hook, _timed_out(call.hook)))

        try:
            inv = self.sim.invoke_sync(call.function, call.event, done, f"cognito:{call.source}")
        except SimError as exc:
            then(None, HookFailed(call.hook, _throttled(call.hook, exc)))
            return
        call.answer.invocation_ids.append(inv)
        if got:
            state["over"] = True
            then(got[0], None)
            return
        state["timer"] = clock.at(
            clock.now + cognito.HOOK_WAIT_MS,
            waited,
            label=("cognito.wait", call.function, call.source),
        )

    def _refused(
        self, pool: Pool, operation: str, username: str, answer: Answer, exc: HookFailed
    ) -> None:
        """`operation` refused by `exc`: the answer's error and hook, and the `user.refused`
        record with every invocation so far."""
        answer.error = exc.error
        answer.hook = exc.hook or None
        user = answer.user
        self.sim.trace.emit(
            (
                self.now,
                tk.USER_REFUSED,
                pool.name,
                {
                    "operation": operation,
                    "username": user.username if user else username,
                    "alias": user.alias if user else answer.alias,
                    "sub": answer.user.sub if answer.user else None,
                    "hook": answer.hook,
                    "error": exc.error.code,
                    "message": exc.error.message,
                    "invocation_ids": list(answer.invocation_ids),
                },
            )
        )


def _throttled(hook: str, exc: Exception) -> CognitoError:
    """A hook Lambda would not start (its concurrency limit): Cognito's words for it."""
    reason = str(exc).partition(":")[0] or "TooManyRequestsException"
    return cognito.invocation_failed(hook, reason)


def _timed_out(hook: str) -> CognitoError:
    """A hook that did not answer within 5 s, three times."""
    return cognito.invocation_failed(hook, "Socket timeout while invoking Lambda function")
