"""What a Python handler writes with `print` and the `logging` module, as Lambda's Python
runtime sends it to CloudWatch Logs.

Lambda's runtime (awslambdaric's `bootstrap._setup_logging`) gives the root logger one
handler, which writes each record as one log event in the text format
`[LEVEL]\\tTIME.mmmZ\\tREQUEST_ID\\tMESSAGE` (a traceback in the same event), and leaves the
root logger's level at Python's default, WARNING: `logger.info` shows only after
`setLevel(logging.INFO)`, and `logging.basicConfig` does nothing, the root logger having a
handler already. Each line printed to stdout or stderr is an event of its own.

stptui runs every handler in its one process, so the root logger's level and the handlers a
module adds to it are one session's (`RootLogger`): set on the root logger while one of its
handlers is imported or runs, and put back as they were after, so that a handler's logging
never reaches stptui's terminal and a session's settings do not leak into another's.
"""

from __future__ import annotations

import io
import logging
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

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

    def __init__(self) -> None:
        self.sink: LogSink | None = None  # None: no module is imported and no handler runs

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

    def __init__(self, root: RootLogger) -> None:
        super().__init__(_FORMAT, "%Y-%m-%dT%H:%M:%S")
        self._root = root

    def formatException(self, ei: Any) -> str:
        return self._root.traceback_of(ei[1]) if ei[1] is not None else ""


class _LambdaHandler(logging.Handler):
    """The runtime's handler of the root logger: one event per record. Its filter marks each
    record with the request id and the simulated time (so the time is the simulated one in
    whatever format the code gives the handler, as code may replace the runtime's with
    `logging.getLogger().handlers[0].setFormatter(...)`)."""

    def __init__(self, root: RootLogger) -> None:
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


class RootLogger:
    """The root logger's level and extra handlers for one session's handlers, and the
    streams their output goes to."""

    def __init__(self, frames: Callable[[BaseException], tuple[str, ...]]) -> None:
        self.level = logging.WARNING  # Python's default, which Lambda's text format keeps
        self.extra: list[logging.Handler] = []
        self.stream = _Stream()
        self.clock: Callable[[], int] = lambda: 0
        self.request_id = ""
        self._frames = frames
        self.handler = _LambdaHandler(self)

    def traceback_of(self, error: BaseException) -> str:
        """`error`'s traceback as `logger.exception` writes it, with the handlers' frames."""
        only = traceback.format_exception_only(type(error), error)
        return "".join(["Traceback (most recent call last):\n", *self._frames(error), *only])[:-1]

    def importing(
        self, sink: LogSink, clock: Callable[[], int], lambda_runtime: bool
    ) -> AbstractContextManager[None]:
        """While a handler module is imported: its top level's prints and log records go to
        `sink`, the init phase's log, a record timed by `clock` and with no request id (the
        runtime's filter writes "" before the first invocation), never to stptui's
        terminal. `lambda_runtime` as for `running`: the importing workload is a function."""
        return _Installed(self, sink, clock, "", lambda_runtime)

    def running(
        self, sink: LogSink, clock: Callable[[], int], request_id: str, lambda_runtime: bool
    ) -> AbstractContextManager[None]:
        """While a handler runs: what it prints or logs goes to `sink`, a record timed by
        `clock` (epoch ms) and marked `request_id`. Without `lambda_runtime` (a batch job's
        or container's code) the root logger has no handler of Lambda's: Python's last
        resort writes warnings to stderr, which is `sink` too."""
        return _Installed(self, sink, clock, request_id, lambda_runtime)


class _Installed(AbstractContextManager[None]):
    """`RootLogger.importing`'s and `running`'s block: the session's root logger settings
    and streams in place, the process's put back after, whatever the block raised. A class
    with sys.stdout and sys.stderr set directly, not generators around redirect_stdout and
    redirect_stderr: it is entered for every handler call, and those four context managers
    cost several microseconds a call."""

    __slots__ = ("_new", "_root", "_saved")

    def __init__(
        self,
        root: RootLogger,
        sink: LogSink,
        clock: Callable[[], int],
        request_id: str,
        lambda_runtime: bool,
    ) -> None:
        self._root = root
        self._new = (sink, clock, request_id, lambda_runtime)
        self._saved: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        own, (sink, clock, request_id, lambda_runtime) = self._root, self._new
        root = logging.getLogger()
        stream = own.stream
        # Saved too: a handler's call may run another's (nested), which must hand it back.
        self._saved = (
            root,
            root.level,
            root.handlers,
            stream.sink,
            own.clock,
            own.request_id,
            sys.stdout,
            sys.stderr,
        )
        stream.sink, own.clock, own.request_id = sink, clock, request_id
        root.handlers = [own.handler, *own.extra] if lambda_runtime else [*own.extra]
        if root.level != own.level:  # setLevel clears every logger's cache: only if needed
            root.setLevel(own.level)
        sys.stdout = sys.stderr = stream

    def __exit__(self, *exc: object) -> None:
        own = self._root
        root, saved_level, saved_handlers, sink, clock, request_id, stdout, stderr = self._saved
        sys.stdout, sys.stderr = stdout, stderr
        # What the handler's code did to the root logger is this session's, kept for its
        # next call; the process's root logger is put back as it was.
        own.level = root.level
        handler = own.handler
        own.extra = [h for h in root.handlers if h is not handler]
        root.handlers = saved_handlers
        if root.level != saved_level:
            root.setLevel(saved_level)
        own.stream.sink, own.clock, own.request_id = sink, clock, request_id


def task_root_frames(base: Path) -> Callable[[BaseException], tuple[str, ...]]:
    """The frames function `RootLogger` takes: python_handlers.handler_frames for `base`."""
    from stptui.sim.behavior.python_handlers import handler_frames

    return lambda error: handler_frames(error, base)
