"""What a Python handler writes with `print` and the `logging` module, as Lambda's Python
runtime sends it to CloudWatch Logs, and the `logging` and `warnings` settings its code
makes, kept to its own execution environment.

Lambda's runtime (awslambdaric's `bootstrap._setup_logging`) gives the root logger one
handler, which writes each record as one log event in the text format
`[LEVEL]\\tTIME.mmmZ\\tREQUEST_ID\\tMESSAGE` (a traceback in the same event), leaves the
root logger's level at Python's default, WARNING (`logger.info` shows only after
`setLevel(logging.INFO)`; `logging.basicConfig` does nothing, the root logger having a
handler already), and sets `logging.Formatter.converter` to `time.gmtime`. Each line printed
to stdout or stderr is an event of its own. A batch job's or a container's program has
Python's own logging: no handler on the root logger, a record of WARNING and above written
by the last resort, and `logging.warning(...)` configuring the root logger (`basicConfig`)
the first time it is called.

Each execution environment is a process of its own in Lambda (and each batch attempt's or
container's process in AWS), but stptui runs every handler in its one process, where the
root logger, the loggers `getLogger` makes, `logging.disable`, the formatters' converter,
the warning filters and `warnings.showwarning` (`logging.captureWarnings`) are one each. So
each environment has its own of all of them (`ProcessLogging`), put in place while its
module is imported or its handler runs, and the process's put back after: what the code
sets stays in its environment for its next calls, and never reaches another environment,
another session nor stptui's own terminal. The converter is the one setting stptui changes
for good, once (`_LocalTime`): the same local time as Python's outside a handler's call.
"""

from __future__ import annotations

import io
import linecache
import logging
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import Any

from stptui.sim.behavior.handler_clock import now_ms

# awslambdaric's text format; its time is the record's in UTC, to the millisecond.
_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"


class LogSink:
    """The log events of one invocation in the order they were written: each printed line
    one event, each logging record one (its traceback included)."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._partial = ""

    def write(self, text: str) -> None:
        """Printed text: each complete line is an event; an unfinished line waits."""
        *lines, self._partial = (self._partial + text).split("\n")
        self.events.extend(lines)

    def record(self, text: str) -> None:
        """A logging record's text, one event (after any unfinished printed line)."""
        self._end_line()
        self.events.append(text)

    def finish(self) -> list[str]:
        """The events, without the empty lines printed last."""
        self._end_line()
        while self.events and self.events[-1] == "":
            self.events.pop()
        return self.events

    def _end_line(self) -> None:
        if self._partial:
            self.events.append(self._partial)
            self._partial = ""


class _Stream(io.TextIOBase):
    """sys.stdout and sys.stderr while one session's handlers are imported or run. A
    `logging.StreamHandler(sys.stdout)` made at import keeps this object, so its lines go to
    the invocation running when it writes, as they would go to CloudWatch in Lambda."""

    def __init__(self, base: Path) -> None:
        self.sink: LogSink | None = None  # None: no module is imported and no handler runs
        self.base = base  # the handlers' folder, Lambda's task root

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def write(self, text: str) -> int:
        if type(text) is not str:
            # A str subclass's own methods may raise (`__len__`): take the text it holds.
            # Anything else is refused, as a text stream refuses it (a TypeError).
            text = str.__str__(text)
        if self.sink is not None:
            self.sink.write(text)
        return len(text)


class _LambdaFormatter(logging.Formatter):
    """The runtime's format, in UTC; a traceback names the handlers' files `/var/task/...`."""

    converter = time.gmtime  # as the runtime sets logging.Formatter.converter

    def __init__(self, root: ProcessLogging) -> None:
        super().__init__(_FORMAT, "%Y-%m-%dT%H:%M:%S")
        self._root = root

    def formatException(self, ei: Any) -> str:
        return self._root.traceback_of(ei[1]) if ei[1] is not None else ""


class _LambdaHandler(logging.Handler):
    """The runtime's handler of the root logger: one event per record. Its filter marks each
    record with the request id and the simulated time (so the time is the simulated one in
    whatever format the code gives the handler, as code may replace the runtime's with
    `logging.getLogger().handlers[0].setFormatter(...)`)."""

    def __init__(self, root: ProcessLogging) -> None:
        super().__init__()
        self._root = root
        self.setFormatter(_LambdaFormatter(root))

    def filter(self, record: logging.LogRecord) -> bool:
        at = self._root.clock()
        record.created, record.msecs = at / 1000, float(at % 1000)
        record.relativeCreated = 0.0
        record.aws_request_id = self._root.request_id
        return super().filter(record)

    def emit(self, record: logging.LogRecord) -> None:
        sink = self._root.stream.sink
        if sink is None:
            return  # a record of a thread the code left running, outside any call
        try:
            text = self.format(record)
        except Exception as exc:  # a format string that does not fit its arguments
            # Not logging's handleError: its traceback names this machine's files.
            text = f"{record.msg!r} % {record.args!r}: {type(exc).__name__}: {exc}"
        sink.record(text.removesuffix("\n"))


# A new Python process's warning filters (CPython's defaults, without -W or -X dev): the
# warnings a handler's code sees do not depend on how stptui was started.
_DEFAULT_WARNING_FILTERS: tuple[tuple[str, None, type[Warning], str | None, int], ...] = (
    ("default", None, DeprecationWarning, "__main__", 0),
    ("ignore", None, DeprecationWarning, None, 0),
    ("ignore", None, PendingDeprecationWarning, None, 0),
    ("ignore", None, ImportWarning, None, 0),
    ("ignore", None, ResourceWarning, None, 0),
)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A handler's `warnings.showwarning`: Python's, the warning written to stderr (its
    log), without the hook a test runner or stptui's host may have put under Python's
    (`catch_warnings(record=True)` records there, where the handler's warning would be
    lost to its log)."""
    target = sys.stderr if file is None else file
    if target is None:
        return  # as Python's: no stderr to write to
    if isinstance(target, _Stream):
        # A handler file by its name in Lambda's task root, as a traceback names it: the
        # log must not depend on where the stack is checked out.
        from stptui.sim.behavior.python_handlers import task_path

        if line is None:
            line = linecache.getline(filename, lineno)
        filename = task_path(filename, target.base) or filename
    with suppress(OSError):
        target.write(warnings.formatwarning(message, category, filename, lineno, line))


class _LocalTime:
    """`logging.Formatter.converter` while stptui runs Python handlers: `time.localtime`
    as it reads at the call, the real one outside a handler (the same answers as Python's
    converter) and UTC inside one, as handler_clock reads local time there (Lambda's
    runtime sets `time.gmtime`; a container's zone is UTC too), so that a formatter the
    code makes writes the simulated instant whatever the machine's zone. An object, not a
    function: a class attribute that is a function would be bound to the formatter."""

    __slots__ = ()

    def __call__(self, secs: float | None = None) -> time.struct_time:
        return time.localtime(secs)


_LOCAL_TIME = _LocalTime()


class _SimRecords:
    """`logging`'s record factory while stptui runs Python handlers (set once a process,
    as the converter, over Python's): Python's makes the record, and one made in a
    handler's call (in its thread) is then timed by the simulated instant the same way on
    every Python. Python's own `msecs` differs: 3.11 and 3.12 take it from time.time()'s
    float and truncate (0.123 s is 0.12299990654 s: 122 ms), 3.13 from time.time_ns()
    (123 ms); its `relativeCreated` counts from when stptui's process imported `logging`,
    in real time. Here `msecs` is the instant's milliseconds and `relativeCreated` 0, as
    the runtime's handler writes them. An object, as `_LocalTime`, for its `base`."""

    __slots__ = ("base",)

    def __init__(self, base: Callable[..., logging.LogRecord]) -> None:
        self.base = base

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.base(*args, **kwargs)
        ms = now_ms()
        if ms is not None:
            record.created, record.msecs = ms / 1000, float(ms % 1000)
            record.relativeCreated = 0.0
        return record


_FORMATTER = logging.Formatter
_MANAGER = logging.Logger.manager
_ROOT = logging.getLogger()
# The modules' namespaces: a store through them is a dict's, cheaper than a module's setattr.
_SYS = sys.__dict__
_WARNINGS = warnings.__dict__


class ProcessLogging:
    """The `logging` and `warnings` settings of one execution environment's process (one
    batch attempt's or container's), and the stream its output goes to: the root logger's
    level, handlers and filters, the loggers `getLogger` made in it, `logging.disable`'s
    level, `logging.Formatter.converter`, the warning filters and `warnings.showwarning`.
    `base` is the handlers' folder (Lambda's task root); `lambda_runtime`: Lambda's runtime
    set the root logger up (a function's), else Python's defaults (a batch job's or a
    container's program)."""

    def __init__(self, base: Path, lambda_runtime: bool) -> None:
        self.stream = _Stream(base)
        self.clock: Callable[[], int] = lambda: 0
        self.request_id = ""
        self._frames = task_root_frames(base)
        self.handler = _LambdaHandler(self)
        self.level = logging.WARNING  # Python's default, which Lambda's text format keeps
        self.handlers: list[logging.Handler] = [self.handler] if lambda_runtime else []
        self.filters: list[Any] = []
        self.loggers: dict[str, Any] = {}
        self.disable = logging.NOTSET
        if _FORMATTER.converter is time.localtime:
            # Once a process: stptui's own formatters read the same local time through it,
            # and a handler's call then swaps nothing unless its code set a converter.
            _FORMATTER.converter = _LOCAL_TIME  # type: ignore[assignment]
        self.converter: Any = _LOCAL_TIME
        if logging.getLogRecordFactory() is logging.LogRecord:
            # Once a process too: outside a handler's call it makes Python's records.
            logging.setLogRecordFactory(_SimRecords(logging.LogRecord))
        self.warning_filters: list[Any] = list(_DEFAULT_WARNING_FILTERS)
        self.showwarning: Callable[..., Any] = _show_warning

    def traceback_of(self, error: BaseException) -> str:
        """`error`'s traceback as `logger.exception` writes it, with the handlers' frames."""
        only = traceback.format_exception_only(type(error), error)
        return "".join(["Traceback (most recent call last):\n", *self._frames(error), *only])[:-1]

    def importing(self, sink: LogSink, clock: Callable[[], int]) -> AbstractContextManager[None]:
        """While a handler module is imported: its top level's prints and log records go to
        `sink`, the init phase's log, a record timed by `clock` and with no request id (the
        runtime's filter writes "" before the first invocation), never to stptui's
        terminal."""
        return _Installed(self, sink, clock, "")

    def running(
        self, sink: LogSink, clock: Callable[[], int], request_id: str
    ) -> AbstractContextManager[None]:
        """While a handler runs: what it prints or logs goes to `sink`, a record timed by
        `clock` (epoch ms) and marked `request_id`."""
        return _Installed(self, sink, clock, request_id)


class _Installed(AbstractContextManager[None]):
    """`ProcessLogging.importing`'s and `running`'s block: the environment's settings and
    streams in place, the process's (or the calling handler's, for a nested call) put back
    after, whatever the block raised, and what the code changed kept for its next block.
    Entered for every handler call: swaps of whole objects, no generator, no copy. Each
    logger keeps its answers of `isEnabledFor`, which the root logger's level and the
    disabled level decide: when the environment's differ from the process's,
    `logging.disable` clears the answers of the process's loggers (and the root's) as the
    block starts and as it ends. The environment's own loggers answer only while its code
    runs, under its settings (and its `setLevel` and `disable` clear them, as Python's)."""

    __slots__ = ("_env", "_new", "_saved")

    def __init__(
        self, env: ProcessLogging, sink: LogSink, clock: Callable[[], int], request_id: str
    ) -> None:
        self._env = env
        self._new = (sink, clock, request_id)
        self._saved: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        env, root, manager, stream = self._env, _ROOT, _MANAGER, self._env.stream
        sys_, warnings_ = _SYS, _WARNINGS
        # Saved too: a handler's call may run another's (nested), which must hand it back.
        saved = self._saved = (
            stream.sink,
            env.clock,
            env.request_id,
            sys_["stdout"],
            sys_["stderr"],
            root.level,
            root.handlers,
            root.filters,
            manager.loggerDict,
            manager.disable,
            _FORMATTER.converter,
            warnings_["filters"],
            warnings_["showwarning"],
        )
        stream.sink, env.clock, env.request_id = self._new
        sys_["stdout"] = sys_["stderr"] = stream
        root.handlers, root.filters = env.handlers, env.filters
        if root.level != env.level or manager.disable != env.disable:
            logging.disable(env.disable)  # the process's loggers' answers cleared
            root.level = env.level  # not setLevel: what the code left there is not checked
        manager.loggerDict = env.loggers
        if env.converter is not saved[10]:  # a class attribute set drops the type's cache
            _FORMATTER.converter = env.converter
        warnings_["filters"], warnings_["showwarning"] = env.warning_filters, env.showwarning

    def __exit__(self, *exc: object) -> None:
        env, root, manager = self._env, _ROOT, _MANAGER
        sys_, warnings_ = _SYS, _WARNINGS
        (
            sink,
            clock,
            request_id,
            sys_["stdout"],
            sys_["stderr"],
            level,
            handlers,
            filters,
            loggers,
            disable,
            converter,
            warning_filters,
            showwarning,
        ) = self._saved
        env.stream.sink, env.clock, env.request_id = sink, clock, request_id
        # What the code set is its environment's, kept for its next block.
        env.handlers, env.filters, env.loggers = root.handlers, root.filters, manager.loggerDict
        env.level, env.disable = root.level, manager.disable
        root.handlers, root.filters, manager.loggerDict = handlers, filters, loggers
        if env.level != level or env.disable != disable:
            root.level = level
            logging.disable(disable)
        env.converter = _FORMATTER.converter
        if env.converter is not converter:
            _FORMATTER.converter = converter
        env.warning_filters, env.showwarning = warnings_["filters"], warnings_["showwarning"]
        warnings_["filters"], warnings_["showwarning"] = warning_filters, showwarning


def task_root_frames(base: Path) -> Callable[[BaseException], tuple[str, ...]]:
    """The frames function `ProcessLogging` takes: python_handlers.handler_frames for `base`."""
    from stptui.sim.behavior.python_handlers import handler_frames

    return lambda error: handler_frames(error, base)
