"""A Python handler's clock and randomness are the simulation's (docs/behaviors.md,
"Randomness and determinism"): real Lambda code that stamps `datetime.now()` or makes a
`uuid4()` gives the same trace every run, and everything is the machine's again after."""

from __future__ import annotations

import datetime as dt_module
import os
import random
import secrets
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from simkit import ONE_WORKER_STACK, START, handler_session

from stptui.commands import Session, execute
from stptui.sim.behavior.handler_clock import SimDatetime, running

T0 = START  # the sessions start then
# A module that binds the names at import, as real code does, and reads the clock there too.
HANDLER = """\
import os
import random
import secrets
import threading
import time
import uuid
from datetime import date, datetime, timezone
from random import randint
from time import time as bound_time
from uuid import uuid4

IMPORTED_AT = datetime.now().isoformat()
IMPORT_DRAW = random.random()
KEPT = {}


def handler(event, context):
    first = datetime.now()
    start = time.monotonic()
    perf = time.perf_counter()
    time.sleep(1.5)
    KEPT["cls"] = datetime
    return {
        "imported_at": IMPORTED_AT,
        "import_draw": IMPORT_DRAW,
        "now": first.isoformat(),
        "now_utc": datetime.now(timezone.utc).isoformat(),
        "utcnow": datetime.utcnow().isoformat(),
        "today": date.today().isoformat(),
        "datetime_today": datetime.today().isoformat(),
        "time": time.time(),
        "bound_time": bound_time(),
        "time_ns": time.time_ns(),
        "gmtime": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "localtime": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime()),
        "strftime": time.strftime("%H:%M:%S"),
        "fromtimestamp": datetime.fromtimestamp(0).isoformat(),
        "elapsed": time.monotonic() - start,
        "perf": time.perf_counter() - perf,
        "is_datetime": isinstance(first, datetime) and isinstance(first, date),
        "real_is_datetime": isinstance(context.now, datetime),
        "arith": type(first + (first - first)) is type(first),
        "context_now": context.now.isoformat(),
        "uuid4": str(uuid.uuid4()),
        "bound_uuid4": str(uuid4()),
        "uuid1": str(uuid.uuid1()),
        "uuid1_again": str(uuid.uuid1()),
        "random": random.random(),
        "randint": randint(1, 1000),
        "choice": random.choice("abcdefgh"),
        "token": secrets.token_hex(8),
        "urandom": os.urandom(8).hex(),
        "attempt": context.attempt,
    }
"""


def _open(tmp_path: Path, seed: int = 0) -> Session:
    return handler_session(
        tmp_path,
        ONE_WORKER_STACK,
        {"worker": "clock_worker:handler"},
        {"clock_worker.py": HANDLER},
        seed=seed,
    )


def _run(tmp_path: Path, seed: int = 0) -> tuple[list[dict[str, Any]], list[str]]:
    s = _open(tmp_path, seed)
    execute(s, "advance 10s")
    responses = [execute(s, "invoke worker '{}'").data["response"] for _ in range(2)]
    return responses, [r.to_json() for r in s.sim.trace.records]


def test_the_clock_is_the_simulated_instant_in_utc_at_import_and_at_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The machine's zone is not the function's: Lambda's is UTC.
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        (first, second), _ = _run(tmp_path)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    # The module's top level ran in the execution environment's init phase: at the cold
    # start, the first invocation's instant.
    assert first["imported_at"] == "2026-01-05T08:00:10"
    assert first["now"] == "2026-01-05T08:00:10"
    # After time.sleep(1.5): the simulated clock moved on, the real one was not waited for.
    assert first["now_utc"] == "2026-01-05T08:00:11.500000+00:00"
    assert first["utcnow"] == "2026-01-05T08:00:11.500000"
    assert first["context_now"] == "2026-01-05T08:00:11.500000+00:00"
    assert first["today"] == "2026-01-05"
    assert first["datetime_today"] == "2026-01-05T08:00:11.500000"
    assert first["time"] == first["bound_time"] == (T0 + 11_500) / 1000
    assert first["time_ns"] == (T0 + 11_500) * 1_000_000
    assert first["gmtime"] == first["localtime"] == "2026-01-05 08:00:11"
    assert first["strftime"] == "08:00:11"
    assert first["fromtimestamp"] == "1970-01-01T00:00:00"
    assert first["elapsed"] == first["perf"] == 1.5
    assert first["is_datetime"] and first["real_is_datetime"] and first["arith"]
    # The sleep is the invocation's time: the second call starts when the first ended.
    assert second["now"] > first["now_utc"][:19]


def test_ids_and_draws_are_the_same_every_run_and_differ_per_invocation_and_seed(
    tmp_path: Path,
) -> None:
    (a1, a2), trace_a = _run(tmp_path)
    (b1, b2), trace_b = _run(tmp_path)
    assert trace_a == trace_b
    assert (a1, a2) == (b1, b2)
    for key in ("uuid4", "bound_uuid4", "uuid1", "random", "token", "urandom"):
        assert a1[key] != a2[key], key
    assert uuid.UUID(a1["uuid4"]).version == 4
    one = uuid.UUID(a1["uuid1"])
    assert one.version == 1 and a1["uuid1"] != a1["uuid1_again"]
    # uuid1's time is the simulated instant (100-ns steps since 1582-10-15).
    assert (one.time - 0x01B21DD213814000) // 10_000 == T0 + 11_500
    (c1, _), _ = _run(tmp_path, seed=7)
    assert c1["uuid4"] != a1["uuid4"] and c1["import_draw"] != a1["import_draw"]


def test_a_handler_that_draws_nothing_leaves_the_simulators_draws_as_they_were() -> None:
    rng, untouched = random.Random(3), random.Random(3)
    with running(lambda: T0, rng):
        datetime.now()
        time.time()
    assert rng.random() == untouched.random()
    with running(lambda: T0, rng):
        uuid.uuid4()
        random.random()
    # One draw seeded the block's stream, however much the code drew.
    untouched.getrandbits(64)
    assert rng.random() == untouched.random()


def test_reseeding_the_random_module_without_a_value_stays_deterministic() -> None:
    draws = []
    for _ in range(2):
        with running(lambda: T0, random.Random(5)):
            random.seed()
            draws.append(random.random())
    assert draws[0] == draws[1]


def test_everything_is_the_machines_again_after_the_call_even_on_base_exception() -> None:
    before = (
        time.time,
        time.monotonic,
        time.sleep,
        dt_module.datetime,
        dt_module.date,
        random.random,
        os.urandom,
        secrets.token_bytes,
        uuid.uuid4,
    )
    with pytest.raises(SystemExit), running(lambda: 0, random.Random(0)):
        assert dt_module.datetime is SimDatetime
        assert time.time() == 0.0
        raise SystemExit(1)
    after = (
        time.time,
        time.monotonic,
        time.sleep,
        dt_module.datetime,
        dt_module.date,
        random.random,
        os.urandom,
        secrets.token_bytes,
        uuid.uuid4,
    )
    assert after == before
    assert time.time() > 1_700_000_000


def test_a_module_that_bound_the_names_reads_the_real_clock_outside_a_call(
    tmp_path: Path,
) -> None:
    s = _open(tmp_path)
    execute(s, "invoke worker '{}'")
    module = s.sim.behaviors._handler_modules.modules["clock_worker"]  # type: ignore[union-attr]
    kept = module.KEPT["cls"]
    assert kept is SimDatetime  # what `from datetime import datetime` bound at import
    real_now = datetime.now()
    assert abs((kept.now() - real_now).total_seconds()) < 60
    assert abs(module.bound_time() - time.time()) < 60
    assert module.uuid4() != module.uuid4()


def test_other_threads_see_the_machines_clock_while_a_handler_runs() -> None:
    seen: list[float] = []
    with running(lambda: 0, random.Random(0)):
        worker = threading.Thread(target=lambda: seen.append(time.time()))
        worker.start()
        worker.join()
        assert time.time() == 0.0
    assert seen[0] > 1_700_000_000


def test_stptuis_own_datetime_use_is_unaffected() -> None:
    # stptui bound the real class at its import: its values and checks stay real ones.
    with running(lambda: T0, random.Random(0)):
        mine = datetime.now(UTC)
        theirs = dt_module.datetime.now(UTC)
    assert type(mine) is datetime and abs((datetime.now(UTC) - mine).total_seconds()) < 60
    assert theirs == datetime(2026, 1, 5, 8, tzinfo=UTC)
    # A value of the stand-in is a real datetime for isinstance, comparisons, arithmetic
    # and text, and the real class passes isinstance for the stand-in.
    assert isinstance(theirs, datetime) and theirs == datetime(2026, 1, 5, 8, tzinfo=UTC)
    assert theirs.isoformat() == "2026-01-05T08:00:00+00:00"
    assert isinstance(datetime(2020, 1, 1), SimDatetime)
    assert issubclass(datetime, SimDatetime)
    assert (theirs - datetime(2026, 1, 5, tzinfo=UTC)).total_seconds() == 8 * 3600
