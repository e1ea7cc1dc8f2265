"""The invocation a call acts for, and an operation's call carried out for it.

The current invocation is held here only, and read only by `_call`: every client, Table and
module set reaches the running invocation through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError
from stptui.sim.behavior.boto3_standin.exceptions import OutsideInvocationError, _as_modelled
from stptui.sim.behavior.boto3_standin.params import P, _check_params
from stptui.sim.behavior.python_handlers import plain_args

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


# The context of the invocation that is running (None: none is). A module-level value, not a
# thread-local: the simulation runs one handler at a time, and a thread the handler starts
# acts for the invocation too, as its SDK calls would in Lambda.
_CURRENT: HandlerContext | None = None


@contextmanager
def acting_for(ctx: HandlerContext) -> Iterator[None]:
    """Make `ctx` the invocation every stand-in client acts for while the block runs."""
    global _CURRENT
    before = _CURRENT
    _CURRENT = ctx
    try:
        yield
    finally:
        _CURRENT = before


Run = Callable[["HandlerContext", dict[str, Any], "Client"], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation a stand-in client has: AWS's name, its input and what carries it out."""

    name: str
    members: dict[str, P]
    run: Run


def _call(service: str, name: str, op: Operation, client: Client, params: dict[str, Any]) -> Any:
    """Check `params`, then carry the operation out for the running invocation."""
    # Plain values: a str subclass is the text it holds, whatever its own methods do.
    (params,) = plain_args(f"{service}.{name}", params)
    _check_params(params, op.members)
    ctx = _CURRENT
    if ctx is None:
        raise OutsideInvocationError(service=service, operation=name)
    try:
        return op.run(ctx, params, client)
    except ClientError as exc:
        named = exc if exc.operation_name else ClientError(exc.response, op.name)
        modelled = _as_modelled(service, named)
        if modelled is exc:
            raise
        raise modelled from None


def _method(service: str, name: str, op: Operation, target: Any) -> Callable[..., Any]:
    def method(*args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(f"{name}() only accepts keyword arguments.")
        return _call(service, name, op, target, kwargs)

    method.__name__ = name
    return method
