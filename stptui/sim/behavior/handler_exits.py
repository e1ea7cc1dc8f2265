"""A Python handler that ends its process: `os._exit(n)` would end stptui's own, and site's
`exit()` and `quit()` close `sys.stdin` (the REPL's) before they raise SystemExit. While a
handler runs, or its module is imported, `ProcessExits` puts stand-ins in their place:
`os._exit` (and `posix._exit`) notes the status and raises ProcessExit, which the handler's
call reports as its runtime's exit (python_handlers.run_handler: Lambda's
`Runtime.ExitError`); `exit()` and `quit()` raise SystemExit and leave `sys.stdin` open.
Not covered: a signal the handler sends its own process (`os.kill`, `os.abort`), a C
library's `exit` (through ctypes), and a thread that outlives its handler."""

from __future__ import annotations

import builtins
import operator
import os
import posix
from typing import NoReturn

# A C int's range: os._exit refuses a status outside it.
_C_INT = range(-(2**31), 2**31)


class ProcessExit(BaseException):
    """Raised in a handler in place of `os._exit`, which would end stptui's own process."""

    def __init__(self, code: int) -> None:
        super().__init__(f"os._exit({code}) called")


class ProcessExits:
    """While the block runs, `os._exit(n)` appends the status a process exiting with `n`
    has (its low 8 bits) to `exits` and raises ProcessExit; `exit()` and `quit()` raise
    SystemExit without closing `sys.stdin`. Code that catches ProcessExit still exited:
    the caller reads `exits` (the first exit only: a process exits once). Nested blocks
    (a handler another handler's call runs) each have their own list. (A class, not a
    generator: it is entered for every handler call.)"""

    __slots__ = ("exits", "saved")

    def __init__(self, exits: list[int]) -> None:
        self.exits = exits
        self.saved: tuple[object, ...] = ()

    def __enter__(self) -> None:
        names = builtins.__dict__
        self.saved = (os._exit, posix._exit, names.get("exit"), names.get("quit"))
        os._exit = posix._exit = self._exit
        names["exit"] = names["quit"] = _quit

    def __exit__(self, *exc: object) -> None:
        names = builtins.__dict__
        os_exit, posix_exit, exit_fn, quit_fn = self.saved
        os._exit, posix._exit = os_exit, posix_exit  # type: ignore[assignment]
        for name, kept in (("exit", exit_fn), ("quit", quit_fn)):
            if kept is None:
                names.pop(name, None)
            else:
                names[name] = kept

    def _exit(self, status: int) -> NoReturn:
        code = operator.index(status)
        if code not in _C_INT:
            raise OverflowError("Python int too large to convert to C int")
        if not self.exits:
            self.exits.append(code & 0xFF)
        raise ProcessExit(code)


def _quit(code: object = None) -> NoReturn:
    """site's `exit()` and `quit()` without closing `sys.stdin`."""
    raise SystemExit(code)
