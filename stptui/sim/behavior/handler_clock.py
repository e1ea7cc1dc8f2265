"""A Python handler's clock and randomness are the simulation's: while a handler module is
imported or a handler runs, the wall clock (`time.time`, `datetime.now`, `date.today`...)
reads the simulated instant, `time.sleep` spends simulated time, and `uuid4`/`uuid1`, the
`random` module's functions, `secrets` and `os.urandom` draw from a stream seeded from the
simulator's generator. Real Lambda code reads the machine's clock and randomness, not
`context.now` and `context.random`: without this, an item's `createdAt` or a generated id
would differ from run to run, and the same inputs would not give the same trace.

How (docs/behaviors.md, "Randomness and determinism"): `running` puts stand-ins in the
modules' attributes for the block and the real functions back after it, whatever it raised.
A stand-in answers for the simulation only in the thread that runs the handler while the
block is open (a thread the handler starts, or leaves running, reads the machine's clock
and randomness), so a module that bound one at import (`from time import time`) reads the
real clock outside a call. `datetime.datetime` and `datetime.date` are subclasses of the
real classes while the block is open (as freezegun does it; a module that did `from
datetime import datetime` keeps the subclass), whose `isinstance` takes real instances too.
"""

from __future__ import annotations

import datetime as _dt
import os
import random as _random
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from stptui.sim.clock import MAX_MS

_real_datetime = _dt.datetime
_real_date = _dt.date
_UTC = _dt.UTC
_NAIVE_EPOCH = _real_datetime(1970, 1, 1)
_get_ident = threading.get_ident


class _Run:
    """One block of `running`: whose thread, its simulated milliseconds and its stream."""

    __slots__ = ("_rng", "_stream", "now_ms", "sleep", "thread", "uuid_last")

    def __init__(
        self,
        now_ms: Callable[[], int],
        rng: _random.Random,
        sleep: Callable[[int], None] | None,
    ) -> None:
        self.now_ms = now_ms
        self.sleep = sleep
        self.thread = _get_ident()
        self._rng = rng
        self._stream: _random.Random | None = None
        self.uuid_last = 0

    def stream(self) -> _random.Random:
        """The block's own generator: seeded with one draw of the simulator's generator when
        the code first draws, so that code which draws nothing leaves its sequence as it was."""
        if self._stream is None:
            self._stream = _random.Random(self._rng.getrandbits(64))
        return self._stream


# The open blocks, innermost last (a handler's call can run another's).
_RUNS: list[_Run] = []


def _active() -> _Run | None:
    """The innermost open block, if the calling thread is the one that opened it."""
    if _RUNS:
        run = _RUNS[-1]
        if run.thread == _get_ident():
            return run
    return None


def _ms() -> int | None:
    run = _active()
    return None if run is None else min(max(run.now_ms(), 0), MAX_MS)


def now_ms() -> int | None:
    """The simulated epoch milliseconds the clock reads in this thread: those of the
    handler's block open in it, None outside one."""
    return _ms()


# -- time --------------------------------------------------------------------------------

_real = {
    name: getattr(time, name)
    for name in (
        "time",
        "time_ns",
        "monotonic",
        "monotonic_ns",
        "perf_counter",
        "perf_counter_ns",
        "gmtime",
        "localtime",
        "mktime",
        "strftime",
        "ctime",
        "asctime",
        "sleep",
    )
}


def _time() -> float:
    ms = _ms()
    return _real["time"]() if ms is None else ms / 1000


def _time_ns() -> int:
    ms = _ms()
    return _real["time_ns"]() if ms is None else ms * 1_000_000


def _monotonic() -> float:
    ms = _ms()
    return _real["monotonic"]() if ms is None else ms / 1000


def _monotonic_ns() -> int:
    ms = _ms()
    return _real["monotonic_ns"]() if ms is None else ms * 1_000_000


def _perf_counter() -> float:
    ms = _ms()
    return _real["perf_counter"]() if ms is None else ms / 1000


def _perf_counter_ns() -> int:
    ms = _ms()
    return _real["perf_counter_ns"]() if ms is None else ms * 1_000_000


def _seconds(secs: float | None) -> float | None:
    """`secs`, or the simulated instant in seconds when it is None inside a block."""
    if secs is None:
        ms = _ms()
        return None if ms is None else ms / 1000
    return secs


def _gmtime(secs: float | None = None) -> time.struct_time:
    return _real["gmtime"](_seconds(secs))


def _localtime(secs: float | None = None) -> time.struct_time:
    # Lambda's local time is UTC (TZ=:UTC); the machine's zone is not the function's.
    if _active() is None:
        return _real["localtime"](secs)
    return _real["gmtime"](_seconds(secs))


def _mktime(t: Any) -> float:
    if _active() is None:
        return _real["mktime"](t)
    import calendar

    return float(calendar.timegm(t))


def _strftime(fmt: str, t: Any = None) -> str:
    if t is None and _active() is not None:
        t = _localtime()
    return _real["strftime"](fmt) if t is None else _real["strftime"](fmt, t)


def _ctime(secs: float | None = None) -> str:
    if _active() is None:
        return _real["ctime"](secs)
    return _real["asctime"](_localtime(secs))


def _asctime(t: Any = None) -> str:
    if t is None and _active() is not None:
        t = _localtime()
    return _real["asctime"]() if t is None else _real["asctime"](t)


def _sleep(secs: float) -> None:
    run = _active()
    if run is None or run.sleep is None:
        _real["sleep"](secs)
        return
    if secs < 0:
        raise ValueError("sleep length must be non-negative")
    # Whole milliseconds, rounded up: a loop that sleeps a little each time and waits for
    # the clock to pass a deadline must see it move.
    ms = int(-(-secs * 1000 // 1))
    run.sleep(ms)


# -- datetime ----------------------------------------------------------------------------


def _sim_naive(ms: int) -> _dt.datetime:
    return _NAIVE_EPOCH + _dt.timedelta(milliseconds=ms)


class _DateType(type):
    """Real dates pass isinstance/issubclass for the stand-in class, as code that compares
    types expects of `date`: a value made outside the block, or by the standard library,
    is one."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _real_date)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, _real_date)


class _DatetimeType(_DateType):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _real_datetime)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, _real_datetime)


class SimDate(_real_date, metaclass=_DateType):
    """`datetime.date` while a handler runs: `today()` is the simulated day (UTC)."""

    @classmethod
    def today(cls) -> Any:
        ms = _ms()
        if ms is None:
            return super().today()
        day = _sim_naive(ms)
        return cls(day.year, day.month, day.day)

    @classmethod
    def fromtimestamp(cls, t: float) -> Any:
        if _active() is None:
            return super().fromtimestamp(t)
        day = _real_datetime.fromtimestamp(t, _UTC)
        return cls(day.year, day.month, day.day)


class SimDatetime(_real_datetime, metaclass=_DatetimeType):
    """`datetime.datetime` while a handler runs: `now()`, `utcnow()` and `today()` are the
    simulated instant, naive ones in UTC as in Lambda (TZ=:UTC), as are `fromtimestamp`
    without a zone and `astimezone()` without one."""

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> Any:
        ms = _ms()
        if ms is None:
            return super().now(tz)
        naive = _sim_naive(ms)
        if tz is None:
            return cls.combine(naive.date(), naive.time())
        return cls.combine(naive.date(), naive.time(), _UTC).astimezone(tz)

    @classmethod
    def utcnow(cls) -> Any:
        ms = _ms()
        if ms is None:
            return super().utcnow()
        return cls.now()

    @classmethod
    def today(cls) -> Any:
        return cls.now()

    @classmethod
    def fromtimestamp(cls, t: float, tz: _dt.tzinfo | None = None) -> Any:
        if tz is not None or _active() is None:
            return super().fromtimestamp(t, tz)
        return super().fromtimestamp(t, _UTC).replace(tzinfo=None)

    def astimezone(self, tz: _dt.tzinfo | None = None) -> Any:
        if tz is None and _active() is not None:
            tz = _UTC
        return super().astimezone(tz)


# -- randomness --------------------------------------------------------------------------

_RANDOM_NAMES = tuple(
    name
    for name in (
        "random",
        "uniform",
        "triangular",
        "randint",
        "choice",
        "randrange",
        "sample",
        "shuffle",
        "choices",
        "normalvariate",
        "lognormvariate",
        "expovariate",
        "vonmisesvariate",
        "gammavariate",
        "gauss",
        "betavariate",
        "binomialvariate",
        "paretovariate",
        "weibullvariate",
        "getstate",
        "setstate",
        "getrandbits",
        "randbytes",
        "seed",
    )
    if hasattr(_random, name)
)
_REAL_RANDOM = _random._inst  # type: ignore[attr-defined]


def _random_standin(name: str) -> Callable[..., Any]:
    real = getattr(_REAL_RANDOM, name)

    def standin(*args: Any, **kwargs: Any) -> Any:
        run = _active()
        if run is None:
            return real(*args, **kwargs)
        stream = run.stream()
        if name == "seed" and (args[:1] or [kwargs.get("a")])[0] is None:
            # `seed()` would take the operating system's entropy: the stream's instead.
            args, kwargs = (stream.getrandbits(64), *args[1:]), {}
        return getattr(stream, name)(*args, **kwargs)

    standin.__name__ = standin.__qualname__ = name
    standin.__doc__ = real.__doc__
    return standin


_real_urandom = os.urandom
_real_token_bytes = secrets.token_bytes
_real_secrets_choice = secrets.choice
_real_randbelow = secrets.randbelow
_real_randbits = secrets.randbits
_real_uuid1 = uuid.uuid1
_real_uuid4 = uuid.uuid4


def _urandom(size: int) -> bytes:
    run = _active()
    if run is None:
        return _real_urandom(size)
    if size < 0:
        raise ValueError("negative argument not allowed")
    return run.stream().randbytes(size)


def _token_bytes(nbytes: int | None = None) -> bytes:
    run = _active()
    if run is None:
        return _real_token_bytes(nbytes)
    return run.stream().randbytes(32 if nbytes is None else nbytes)


def _secrets_choice(seq: Any) -> Any:
    run = _active()
    return _real_secrets_choice(seq) if run is None else run.stream().choice(seq)


def _randbelow(exclusive_upper_bound: int) -> int:
    run = _active()
    if run is None:
        return _real_randbelow(exclusive_upper_bound)
    if exclusive_upper_bound <= 0:
        raise ValueError("Upper bound must be positive.")
    return run.stream().randrange(exclusive_upper_bound)


def _randbits(k: int) -> int:
    run = _active()
    return _real_randbits(k) if run is None else run.stream().getrandbits(k)


def _uuid4() -> uuid.UUID:
    run = _active()
    if run is None:
        return _real_uuid4()
    return uuid.UUID(bytes=run.stream().randbytes(16), version=4)


# 100-ns intervals between the Gregorian calendar's start (uuid1's epoch) and 1970's.
_UUID1_EPOCH = 0x01B21DD213814000


def _uuid1(node: int | None = None, clock_seq: int | None = None) -> uuid.UUID:
    """RFC 4122 version 1 at the simulated instant; without a `node`, a random one with the
    multicast bit set (the RFC's choice for a host without a MAC address to give: the
    machine's would differ between machines)."""
    run = _active()
    if run is None:
        return _real_uuid1(node, clock_seq)
    stamp = _UUID1_EPOCH + (_ms() or 0) * 10_000
    # Unique within the block although the clock stands still between sleeps.
    stamp = max(stamp, run.uuid_last + 1)
    run.uuid_last = stamp
    stream = run.stream()
    if clock_seq is None:
        clock_seq = stream.getrandbits(14)
    if node is None:
        node = stream.getrandbits(48) | (1 << 40)
    return uuid.UUID(
        fields=(
            stamp & 0xFFFFFFFF,
            (stamp >> 32) & 0xFFFF,
            ((stamp >> 48) & 0x0FFF) | 0x1000,
            ((clock_seq >> 8) & 0x3F) | 0x80,
            clock_seq & 0xFF,
            node,
        )
    )


# -- the patches -------------------------------------------------------------------------

# (module, attribute, stand-in, real): put in by `running`, taken out after.
_PATCHES: tuple[tuple[Any, str, Any, Any], ...] = (
    *(
        (time, name, standin, _real[name])
        for name, standin in (
            ("time", _time),
            ("time_ns", _time_ns),
            ("monotonic", _monotonic),
            ("monotonic_ns", _monotonic_ns),
            ("perf_counter", _perf_counter),
            ("perf_counter_ns", _perf_counter_ns),
            ("gmtime", _gmtime),
            ("localtime", _localtime),
            ("mktime", _mktime),
            ("strftime", _strftime),
            ("ctime", _ctime),
            ("asctime", _asctime),
            ("sleep", _sleep),
        )
    ),
    (_dt, "datetime", SimDatetime, _real_datetime),
    (_dt, "date", SimDate, _real_date),
    *((_random, name, _random_standin(name), getattr(_random, name)) for name in _RANDOM_NAMES),
    (os, "urandom", _urandom, _real_urandom),
    (secrets, "token_bytes", _token_bytes, _real_token_bytes),
    (secrets, "choice", _secrets_choice, _real_secrets_choice),
    (secrets, "randbelow", _randbelow, _real_randbelow),
    (secrets, "randbits", _randbits, _real_randbits),
    (uuid, "uuid1", _uuid1, _real_uuid1),
    (uuid, "uuid4", _uuid4, _real_uuid4),
)


# The same, per module namespace: `dict.update` puts a module's in at once (a call's cost).
_STANDINS: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = tuple(
    (
        vars(module),
        {name: standin for m, name, standin, _ in _PATCHES if m is module},
    )
    for module in dict.fromkeys(m for m, *_ in _PATCHES)
)
_REALS: tuple[tuple[dict[str, Any], dict[str, Any]], ...] = tuple(
    (vars(module), {name: real for m, name, _, real in _PATCHES if m is module})
    for module in dict.fromkeys(m for m, *_ in _PATCHES)
)


class running(AbstractContextManager[None]):
    """In this thread, for the block: the clock reads `now_ms()` (simulated epoch
    milliseconds, UTC), `time.sleep` calls `sleep` with whole milliseconds (the real sleep
    when None), and randomness comes from a stream seeded with one draw of `rng`, made
    only if the code draws. Blocks nest (a handler's call that runs another handler); the
    outermost puts the real functions back, whatever the block raised."""

    __slots__ = ("_run",)

    def __init__(
        self,
        now_ms: Callable[[], int],
        rng: _random.Random,
        sleep: Callable[[int], None] | None = None,
    ) -> None:
        self._run = _Run(now_ms, rng, sleep)

    def __enter__(self) -> None:
        _RUNS.append(self._run)
        if len(_RUNS) == 1:
            for namespace, standins in _STANDINS:
                namespace.update(standins)

    def __exit__(self, *exc: object) -> None:
        _RUNS.pop()
        if not _RUNS:
            for namespace, reals in _REALS:
                namespace.update(reals)
