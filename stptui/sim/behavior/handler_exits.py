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
A run of the simulation's clock keeps the stand-ins in place from its first handler call
to its end (`hosting`), where outside a call they call the real functions. A signal whose
default action is to ignore it does nothing, SIGINT raises KeyboardInterrupt in the handler
as Python's own handler of it does, and a signal to another process (the handler's child)
is sent. Not covered: a C library's `exit` or `kill` (through ctypes), a
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
from contextlib import AbstractContextManager
from types import FrameType
from typing import Any, NoReturn

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


class ProcessExits(AbstractContextManager[None]):
    """While the block runs, `os._exit(n)` appends the status a process exiting with `n`
    has (its low 8 bits) to `exits` and raises ProcessExit, and a signal the code sends its
    own process that would end it appends minus its number; `exit()` and `quit()` raise
    SystemExit without closing `sys.stdin`. Code that catches ProcessExit still exited:
    the caller reads `exits` (the first exit only: a process exits once). Nested blocks
    (a handler another handler's call runs) each have their own list.

    The stand-ins are module functions that act for the innermost open block and call the
    real function when none is open. They go in when a block opens and none are in place,
    and the real functions go back when the last block closes, unless a `hosting` block is
    open: then they stay until it closes, and a call's block only marks itself open. (A
    class, not a generator: it is entered for every handler call.)"""

    __slots__ = ("exits",)

    def __init__(self, exits: list[int]) -> None:
        self.exits = exits

    def __enter__(self) -> None:
        with _LOCK:
            if _SAVED:
                # In place for the run (`hosting`): put in again, in case code since replaced
                # one (a dict update a namespace, cheaper than a look at each).
                for namespace, standins in _STANDINS:
                    namespace.update(standins)
            else:
                _install()
            _OPEN.append(self)

    def __exit__(self, *exc: object) -> None:
        with _LOCK:
            if _OPEN[-1] is self:
                _OPEN.pop()
            else:  # another thread's block opened since (a thread worker's run)
                _OPEN.remove(self)
            if not _OPEN and not _HOSTING[0]:
                _uninstall()

    def exit(self, status: object) -> NoReturn:
        """os._exit(`status`) in the block's code."""
        code = operator.index(status)  # type: ignore[arg-type]
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

    def signalled(self, signum: object) -> None:
        """The block's process received `signum`: what Python does with it by default."""
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

    def abort(self) -> NoReturn:
        """os.abort() in the block's code."""
        self._end(-int(signal.SIGABRT))


# The blocks open, innermost last: the stand-ins act for the last one.
_OPEN: list[ProcessExits] = []
# How many `hosting` blocks are open (in a list, changed in place under _LOCK).
_HOSTING = [0]
# Each patched namespace and what it held before the stand-ins went in (empty: the real
# functions are in place), and the real functions the stand-ins call outside any block.
_SAVED: list[tuple[dict[str, Any], dict[str, Any]]] = []
_REAL: dict[str, Any] = {}
# Taken to put the stand-ins in or the real functions back: a thread worker's run (the
# terminal UI's rebuild) may open and close blocks while the UI's thread does.
_LOCK = threading.Lock()
# A name the namespace did not hold (`exit` and `quit` without the `site` module).
_ABSENT = object()
# The real functions as this module found them: what a stand-in another thread still held
# when the last block closed calls.
_AT_IMPORT: dict[str, Any] = {
    **{name: vars(os)[name] for name in ("_exit", "kill", "killpg", "abort")},
    **{name: vars(signal)[name] for name in ("raise_signal", "pthread_kill")},
}


def _real(name: str) -> Any:
    """The real function a stand-in calls outside any block."""
    found = _REAL.get(name)
    return _AT_IMPORT[name] if found is None else found


def _standin_exit(status: int) -> None:
    """os._exit and posix._exit while the stand-ins are in place."""
    top = _OPEN[-1:]  # a slice, not a test then an index: another thread may close one
    if top:
        top[0].exit(status)
    _real("_exit")(status)


def _standin_kill(pid: int, signum: int) -> None:
    """os.kill and posix.kill: a signal to the block's own process (its id, its process
    group, 0 or -1) is received by it; one to another process (the handler's child) is
    sent."""
    top = _OPEN[-1:]
    if top:
        target = operator.index(pid)
        # This process, its process group (0, or minus its id) or every process (-1).
        if target in (os.getpid(), 0, -1, -os.getpgrp()):
            top[0].signalled(signum)
            return
    _real("kill")(pid, signum)


def _standin_killpg(pgid: int, signum: int) -> None:
    """os.killpg and posix.killpg, as `_standin_kill`."""
    top = _OPEN[-1:]
    if top:
        group = operator.index(pgid)
        if group in (0, os.getpgrp()):
            top[0].signalled(signum)
            return
    _real("killpg")(pgid, signum)


def _standin_abort() -> None:
    """os.abort and posix.abort."""
    top = _OPEN[-1:]
    if top:
        top[0].abort()
    _real("abort")()


def _standin_raise_signal(signum: int) -> None:
    """signal.raise_signal (and _signal's)."""
    top = _OPEN[-1:]
    if top:
        top[0].signalled(signum)
        return
    _real("raise_signal")(signum)


def _standin_pthread_kill(thread_id: int, signum: int) -> None:
    """signal.pthread_kill (and _signal's): a signal to one of the process's threads ends
    all of it when it would end a process."""
    top = _OPEN[-1:]
    if top:
        ident = operator.index(thread_id)
        if ident not in {t.ident for t in threading.enumerate()}:
            raise ProcessLookupError(errno.ESRCH, os.strerror(errno.ESRCH))
        top[0].signalled(signum)
        return
    _real("pthread_kill")(thread_id, signum)


def _standin_quit(code: object = None) -> NoReturn:
    """site's `exit()` and `quit()`: in a block, SystemExit without closing `sys.stdin`."""
    real = _REAL.get("exit", _ABSENT)
    if not _OPEN and real is not _ABSENT:
        real(code)
    raise SystemExit(code)


_PROCESS_ENDS = {
    "_exit": _standin_exit,
    "kill": _standin_kill,
    "killpg": _standin_killpg,
    "abort": _standin_abort,
}
_SIGNAL_SENDS = {"raise_signal": _standin_raise_signal, "pthread_kill": _standin_pthread_kill}
# The stand-ins by namespace: `dict.update` puts a namespace's in at once (os's functions are
# posix's, which a handler may call by that name; signal's are _signal's).
_STANDINS: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = (
    (vars(os), _PROCESS_ENDS),
    (vars(posix), _PROCESS_ENDS),
    (vars(signal), _SIGNAL_SENDS),
    (vars(_signal), _SIGNAL_SENDS),
    (vars(builtins), {"exit": _standin_quit, "quit": _standin_quit}),
)


def _install() -> None:
    """Put the stand-ins in (with _LOCK held)."""
    for namespace, standins in _STANDINS:
        _SAVED.append((namespace, {name: namespace.get(name, _ABSENT) for name in standins}))
        namespace.update(standins)
    _REAL.update(_SAVED[0][1])  # os's
    _REAL.update(_SAVED[2][1])  # signal's
    _REAL["exit"] = _SAVED[4][1]["exit"]


def _uninstall() -> None:
    """Put back what the namespaces held (with _LOCK held)."""
    for namespace, saved in _SAVED:
        for name, value in saved.items():
            if value is _ABSENT:
                namespace.pop(name, None)
            else:
                namespace[name] = value
    _SAVED.clear()
    _REAL.clear()


class hosting(AbstractContextManager[None]):
    """A run of the simulation that may call handlers one after another: the stand-ins
    of ProcessExits stay in place from its first call to its end, not put in and taken
    out at each call; outside a call they call the real functions (stptui's own code, or
    the UI's thread, runs between calls). Blocks nest; the last to close puts the real
    functions back, when no call is open."""

    __slots__ = ()

    def __enter__(self) -> None:
        with _LOCK:
            _HOSTING[0] += 1

    def __exit__(self, *exc: object) -> None:
        with _LOCK:
            _HOSTING[0] -= 1
            if not _HOSTING[0] and not _OPEN and _SAVED:
                _uninstall()


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


class user_interrupts(AbstractContextManager[None]):
    """Tell the user's Ctrl-C from a handler's own `raise KeyboardInterrupt`: while the
    block runs, a SIGINT that Python would raise as KeyboardInterrupt (in the main thread,
    with the default handler: `stptui run`) is noted in _CTRL_C, then raised as usual; a
    handler another handler's call runs (a nested call) is watched by the outer one. A
    front end that takes Ctrl-C itself, or another thread: no KeyboardInterrupt is the
    user's. (A class, not a generator: it is entered for every handler call.)"""

    __slots__ = ("_watching",)

    def __init__(self) -> None:
        self._watching = False

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        # `_signal`'s own functions: `signal`'s wrap each handler in an enum, a few
        # microseconds a call, which every handler's call paid twice.
        current = _signal.getsignal(_SIGINT)
        if current is _on_sigint:
            return
        _CTRL_C.clear()
        if current is signal.default_int_handler:
            _signal.signal(_SIGINT, _on_sigint)
            self._watching = True

    def __exit__(self, *exc: object) -> None:
        if self._watching:
            self._watching = False
            _signal.signal(_SIGINT, signal.default_int_handler)
