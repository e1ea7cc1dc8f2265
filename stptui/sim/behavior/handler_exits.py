"""A Python handler that ends its process, and the user's Ctrl-C told from the code's own
KeyboardInterrupt (`user_interrupts`). `os._exit(n)` would end stptui's own, a signal it
sends its own process (`os.kill(os.getpid(), SIGKILL)`, `os.abort()`) would kill stptui, and
site's `exit()` and `quit()` close `sys.stdin` (the REPL's) before they raise SystemExit.
While a handler runs, or its module is imported, `ProcessExits` puts stand-ins in their
place: `os._exit` (and `posix._exit`) notes the status and raises ProcessExit, and so do
`os.kill`, `os.killpg`, `signal.raise_signal`, `signal.pthread_kill` and `os.abort` for a
signal that would end the process (noted as the signal's number, negated), which the
handler's call reports as its runtime's exit (python_handlers.run_handler: Lambda's
`Runtime.ExitError`); `exit()` and `quit()` raise SystemExit and leave `sys.stdin` open.
A signal whose default action is to ignore it does nothing, SIGINT raises KeyboardInterrupt
in the handler as Python's own handler of it does, and a signal to another process (the
handler's child) is sent. Not covered: a C library's `exit` or `kill` (through ctypes), a
signal handler the code installs itself, and a thread that outlives its handler."""

from __future__ import annotations

import _signal
import builtins
import errno
import operator
import os
import posix
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

# A C int's range: os._exit refuses a status outside it.
_C_INT = range(-(2**31), 2**31)

# What a signal does to the Python runtime's process when its code installed no handler of
# its own (signal(7)'s default actions; Python ignores SIGPIPE and SIGXFSZ and raises
# KeyboardInterrupt for SIGINT), and how Go words the end of a process it killed, which is
# how Lambda reports it (`syscall.Signal.String`; `(core dumped)` after a signal whose
# default action dumps core, as Go's `ProcessState.String` adds it): None, ignored.
_SIGNALS: dict[int, str | None] = {
    int(signal.SIGHUP): "hangup",
    int(signal.SIGQUIT): "quit (core dumped)",
    int(signal.SIGILL): "illegal instruction (core dumped)",
    int(signal.SIGTRAP): "trace/breakpoint trap (core dumped)",
    int(signal.SIGABRT): "aborted (core dumped)",
    int(signal.SIGBUS): "bus error (core dumped)",
    int(signal.SIGFPE): "floating point exception (core dumped)",
    int(signal.SIGKILL): "killed",
    int(signal.SIGUSR1): "user defined signal 1",
    int(signal.SIGSEGV): "segmentation fault (core dumped)",
    int(signal.SIGUSR2): "user defined signal 2",
    int(signal.SIGPIPE): None,
    int(signal.SIGALRM): "alarm clock",
    int(signal.SIGTERM): "terminated",
    int(signal.SIGCHLD): None,
    int(signal.SIGCONT): None,
    int(signal.SIGURG): None,
    int(signal.SIGXCPU): "CPU time limit exceeded (core dumped)",
    int(signal.SIGXFSZ): None,
    int(signal.SIGVTALRM): "virtual timer expired",
    int(signal.SIGPROF): "profiling timer expired",
    int(signal.SIGWINCH): None,
    int(signal.SIGIO): "I/O possible",
    int(signal.SIGSYS): "bad system call (core dumped)",
}
for _name, _words in (("SIGSTKFLT", "stack fault"), ("SIGPWR", "power failure")):
    if hasattr(signal, _name):  # Linux only
        _SIGNALS[int(getattr(signal, _name))] = _words
# The signals that stop a process: the runtime would hang until the invocation's timeout.
_STOPS = frozenset(int(s) for s in (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU))


def signal_words(signum: int) -> str:
    """How Lambda words the end of a runtime process that signal `signum` killed
    (`signal: killed`), as Go's `os.ProcessState` does; a real-time signal has no name."""
    words = _SIGNALS.get(signum)
    return f"signal: {words}" if words else f"signal: signal {signum}"


class ProcessExit(BaseException):
    """Raised in a handler in place of `os._exit` (or a signal that ends its process), which
    would end stptui's own process. `code` is the status, or minus the signal's number."""

    def __init__(self, code: int) -> None:
        what = f"os._exit({code}) called" if code >= 0 else f"signal {-code} sent"
        super().__init__(what)
        self.code = code


class ProcessExits:
    """While the block runs, `os._exit(n)` appends the status a process exiting with `n`
    has (its low 8 bits) to `exits` and raises ProcessExit, and a signal the code sends its
    own process that would end it appends minus its number; `exit()` and `quit()` raise
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
        self.saved = (
            os._exit,
            posix._exit,
            names.get("exit"),
            names.get("quit"),
            os.kill,
            os.killpg,
            os.abort,
            signal.raise_signal,
            signal.pthread_kill,
        )
        os._exit = posix._exit = self._exit
        os.kill = posix.kill = self._kill
        os.killpg = posix.killpg = self._killpg
        os.abort = posix.abort = self._abort
        signal.raise_signal = _signal.raise_signal = self._raise_signal
        signal.pthread_kill = _signal.pthread_kill = self._pthread_kill
        names["exit"] = names["quit"] = _quit

    def __exit__(self, *exc: object) -> None:
        names = builtins.__dict__
        os_exit, posix_exit, exit_fn, quit_fn, kill, killpg, abort, raise_sig, pkill = self.saved
        os._exit, posix._exit = os_exit, posix_exit  # type: ignore[assignment]
        os.kill = posix.kill = kill  # type: ignore[assignment]
        os.killpg = posix.killpg = killpg  # type: ignore[assignment]
        os.abort = posix.abort = abort  # type: ignore[assignment]
        signal.raise_signal = _signal.raise_signal = raise_sig  # type: ignore[assignment]
        signal.pthread_kill = _signal.pthread_kill = pkill  # type: ignore[assignment]
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

    def _end(self, code: int) -> NoReturn:
        """The process ended by signal -`code`."""
        if not self.exits:
            self.exits.append(code)
        raise ProcessExit(code)

    def _signalled(self, signum: object) -> None:
        """The handler's process received `signum`: what Python does with it by default."""
        number = operator.index(signum)  # type: ignore[arg-type]
        if not 0 <= number < signal.NSIG:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        if number == 0 or (number in _SIGNALS and _SIGNALS[number] is None):
            return  # signal 0 only checks that the process exists; the rest are ignored
        if number == signal.SIGINT:
            raise KeyboardInterrupt
        if number in _STOPS:
            # Not simulated: the stopped runtime would hold the invocation to its timeout.
            raise NotImplementedError(
                f"stptui does not simulate stopping the runtime's process (signal {number})"
            )
        self._end(-number)

    def _kill(self, pid: int, signum: int) -> None:
        target = operator.index(pid)
        # This process, its process group (0, or minus its id) or every process (-1).
        if target in (os.getpid(), 0, -1, -os.getpgrp()):
            self._signalled(signum)
            return
        saved = self.saved[4]
        saved(target, signum)  # type: ignore[operator]

    def _killpg(self, pgid: int, signum: int) -> None:
        group = operator.index(pgid)
        if group in (0, os.getpgrp()):
            self._signalled(signum)
            return
        saved = self.saved[5]
        saved(group, signum)  # type: ignore[operator]

    def _abort(self) -> NoReturn:
        self._end(-int(signal.SIGABRT))

    def _raise_signal(self, signum: int) -> None:
        self._signalled(signum)

    def _pthread_kill(self, thread_id: int, signum: int) -> None:
        ident = operator.index(thread_id)
        if ident not in {t.ident for t in threading.enumerate()}:
            raise ProcessLookupError(errno.ESRCH, os.strerror(errno.ESRCH))
        # A thread of this process: a signal that ends a process ends all of it.
        self._signalled(signum)


def _quit(code: object = None) -> NoReturn:
    """site's `exit()` and `quit()` without closing `sys.stdin`."""
    raise SystemExit(code)


# Holds True when the user's Ctrl-C arrived while a handler ran (user_interrupts).
_SIGINT = int(signal.SIGINT)
_CTRL_C: list[bool] = []


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _CTRL_C.append(True)
    signal.default_int_handler(signum, frame)


def users_ctrl_c() -> bool:
    """Whether the KeyboardInterrupt that ended the last `user_interrupts` block was the
    user's Ctrl-C, not the code's own."""
    return bool(_CTRL_C)


@contextmanager
def user_interrupts() -> Iterator[None]:
    """Tell the user's Ctrl-C from a handler's own `raise KeyboardInterrupt`: while the
    block runs, a SIGINT that Python would raise as KeyboardInterrupt (in the main thread,
    with the default handler: `stptui run`) is noted in _CTRL_C, then raised as usual; a
    handler another handler's call runs (a nested call) is watched by the outer one."""
    # `_signal`'s own functions: `signal`'s wrap each handler in an enum, a few
    # microseconds a call, which every handler's call paid twice.
    if threading.current_thread() is threading.main_thread():
        current = _signal.getsignal(_SIGINT)
        if current is _on_sigint:
            yield
            return
        _CTRL_C.clear()
        if current is signal.default_int_handler:
            _signal.signal(_SIGINT, _on_sigint)
            try:
                yield
            finally:
                _signal.signal(_SIGINT, signal.default_int_handler)
            return
    # A front end that takes Ctrl-C itself, or another thread: no KeyboardInterrupt is
    # the user's.
    yield
