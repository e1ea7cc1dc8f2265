"""The invocation a call acts for, and an operation's call carried out for it.

The current invocation is held here only, and read only through `current_invocation`: every
client, Table and module set reaches the running invocation through it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stptui.config.permissions import ClientError
from stptui.sim.behavior.boto3_standin.exceptions import OutsideInvocationError, as_modelled
from stptui.sim.behavior.boto3_standin.params import P, check_params
from stptui.sim.behavior.python_handlers import plain_args

if TYPE_CHECKING:
    from stptui.sim.behavior.boto3_standin.client import Client
    from stptui.sim.behavior.python_handlers import HandlerContext


# The context of the invocation that is running (None: none is). A module-level value, not a
# thread-local: the simulation runs one handler at a time, and a thread the handler starts
# acts for the invocation too, as its SDK calls would in Lambda.
_CURRENT: HandlerContext | None = None


class acting_for(AbstractContextManager[None]):
    """Make `ctx` the invocation every stand-in client acts for while the block runs. (A
    class, not a generator: it is entered for every handler call.)"""

    __slots__ = ("_before", "_ctx")

    def __init__(self, ctx: HandlerContext) -> None:
        self._ctx = ctx
        self._before: HandlerContext | None = None

    def __enter__(self) -> None:
        global _CURRENT
        self._before, _CURRENT = _CURRENT, self._ctx

    def __exit__(self, *exc: object) -> None:
        global _CURRENT
        _CURRENT = self._before


def current_invocation(service: str, operation: str) -> HandlerContext:
    """The context of the running invocation; OutsideInvocationError (naming `service`'s
    `operation`) when a call is made while no handler runs."""
    if _CURRENT is None:
        raise OutsideInvocationError(service=service, operation=operation)
    return _CURRENT


Run = Callable[["HandlerContext", dict[str, Any], "Client"], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation a stand-in client has: AWS's name, its input and what carries it out."""

    name: str
    members: dict[str, P]
    run: Run


def call_operation(
    service: str, name: str, op: Operation, client: Client, params: dict[str, Any]
) -> Any:
    """Check `params`, then carry the operation out for the running invocation."""
    # Plain values: a str subclass is the text it holds, whatever its own methods do.
    (params,) = plain_args(f"{service}.{name}", params)
    check_params(params, op.members)
    ctx = current_invocation(service, name)
    try:
        return op.run(ctx, params, client)
    except ClientError as exc:
        named = exc if exc.operation_name else ClientError(exc.response, op.name)
        modelled = as_modelled(service, named)
        if modelled is exc:
            raise
        raise modelled from None


def operation_method(service: str, name: str, op: Operation, target: Any) -> Callable[..., Any]:
    """The method a client (or Table) has for `op`: keyword arguments only, as boto3's."""

    def method(*args: Any, **kwargs: Any) -> Any:
        if args:
            raise TypeError(f"{name}() only accepts keyword arguments.")
        return call_operation(service, name, op, target, kwargs)

    method.__name__ = name
    return method
