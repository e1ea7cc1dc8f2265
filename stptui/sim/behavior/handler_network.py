"""A Python handler runs without a network: a call to a third party (`requests.post`,
`urllib.request.urlopen`, a database driver) fails at once with an error that says so.

A handler that reached the network would make the trace depend on the machine and on the
third party's answer, wait on the real clock while the simulated one stands still, and act
on the world (a webhook posted, a payment charged) each time a script is run. So while a
handler is imported or runs, looking a host name up and connecting a socket raise
`NetworkDisabledError`, an OSError as a refused connection is, which HTTP libraries wrap
in their own connection error (requests' `ConnectionError`, urllib's `URLError`) with this
message inside.
"""

from __future__ import annotations

import socket
from contextlib import AbstractContextManager
from typing import Any

from stptui.textsafe import quoted

HINT = (
    "stptui runs handlers without a network, so that a run never depends on a third party "
    "nor acts on one: give the call a stand-in when os.environ has no AWS_LAMBDA_RUNTIME_API "
    "(Lambda sets it, stptui does not)"
)


class NetworkDisabledError(ConnectionRefusedError):
    """A handler tried to reach the network, which stptui's handlers do not have."""


def _refuse(what: str) -> NetworkDisabledError:
    return NetworkDisabledError(f"stptui: {what} refused: {HINT}")


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    raise _refuse(f"looking up {quoted(str(host))}")


def _connect(self: socket.socket, address: Any) -> Any:
    raise _refuse(f"connecting to {quoted(str(address))}")


class offline(AbstractContextManager[None]):
    """Refuse host name lookups and socket connections for the duration. (A class, not a
    generator: it is entered for every handler call.)"""

    __slots__ = ("_saved",)

    def __init__(self) -> None:
        self._saved: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        sock = socket.socket
        self._saved = socket.getaddrinfo, sock.connect, sock.connect_ex
        socket.getaddrinfo = _getaddrinfo
        sock.connect = sock.connect_ex = _connect  # type: ignore[method-assign,assignment]

    def __exit__(self, *exc: object) -> None:
        sock = socket.socket
        socket.getaddrinfo, sock.connect, sock.connect_ex = self._saved  # type: ignore[method-assign]
