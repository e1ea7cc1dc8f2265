"""Golden digests: fixed scenarios give the same trace and output on every Python we support.

Design rule 1 says the same stack, behaviours, seed, start and commands give a byte-identical
trace. Two runs in one process share one interpreter and one hash seed, so test_demos.py cannot
see a trace that depends on either: a set of strings iterated in hash order, a float written
differently, a library's JSON or datetime text that changed between 3.11 and 3.13. Here each
scenario's `--trace` file and printed output are hashed and compared with digests committed in
trace_digests.json, computed on Python 3.11, and one scenario runs again in a child process
under other hash seeds.

The scenarios cover what can differ: seeded draws (failure rates, duration ranges, shuffles),
float statistics, JSONata and JSONPath, Cognito tokens (base64, HMAC), HTTP dates, Kinesis
hash keys (MD5 to 128-bit integers), Kafka partitions and WebSocket frames.

After a change that alters a scenario on purpose, rewrite the digests on Python 3.11 and
confirm them on the newer ones (docs/fidelity.md, "Same trace on every Python"):

    .venv/bin/python tests/test_trace_digests.py --write
    .venv313/bin/python tests/test_trace_digests.py        # prints mismatches, exit 1
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: import stptui from this checkout
    sys.path.insert(0, str(ROOT))

from stptui.cli import main  # noqa: E402

DIGESTS = Path(__file__).with_name("trace_digests.json")
START = "2026-01-05T08:00:00Z"
SAMPLES = "stptui/sample_stacks"
EXAMPLES = "docs/examples"

# name -> the words after `stptui run` (paths relative to the repository's root).
SCENARIOS: dict[str, list[str]] = {
    **{
        f"demo-{name}": [f"{SAMPLES}/{name}", f"{SAMPLES}/{name}/demo.stp"]
        for name in (
            "batch-job",
            "combined",
            "container-jobs",
            "event-driven",
            "file-processing",
            "job-queue",
            "scheduled-job",
            "webhook-processor",
        )
    },
    # 200 jobs, half failing at random; `show metrics` prints float statistics.
    "load-rate": [f"{SAMPLES}/job-queue", f"{EXAMPLES}/load.stp"],
    "metrics-statistics": [f"{SAMPLES}/job-queue", f"{EXAMPLES}/metrics-statistics.stp"],
    "flaky-seed-3": [
        f"{SAMPLES}/job-queue",
        f"{EXAMPLES}/five-jobs.stp",
        "--behaviors",
        f"{EXAMPLES}/flaky-worker.yml",
        "--seed",
        "3",
    ],
    "alarms": [
        f"{EXAMPLES}/alarms.yml",
        f"{EXAMPLES}/alarms.stp",
        "--behaviors",
        f"{EXAMPLES}/alarms-behaviors.yml",
    ],
    "workflow-jsonata": [
        f"{EXAMPLES}/workflow-jsonata.yml",
        f"{EXAMPLES}/workflow-jsonata.stp",
        "--behaviors",
        f"{EXAMPLES}/workflow-jsonata-behaviors.yml",
    ],
    "workflow-sdk": [f"{EXAMPLES}/workflow-sdk.yml", f"{EXAMPLES}/workflow-sdk.stp"],
    "user-pool": [
        f"{EXAMPLES}/user-pool.yml",
        f"{EXAMPLES}/user-pool.stp",
        "--behaviors",
        f"{EXAMPLES}/user-pool-behaviors.yml",
    ],
    "chat": [
        f"{EXAMPLES}/chat.yml",
        f"{EXAMPLES}/chat.stp",
        "--behaviors",
        f"{EXAMPLES}/chat-behaviors.yml",
    ],
    "kafka-orders": [f"{EXAMPLES}/kafka-orders.yml", f"{EXAMPLES}/kafka-orders.stp"],
    "clickstream": [
        f"{EXAMPLES}/clickstream.yml",
        f"{EXAMPLES}/clickstream.stp",
        "--behaviors",
        f"{EXAMPLES}/clickstream-behaviors.yml",
    ],
    "lifecycle": [f"{EXAMPLES}/lifecycle.yml", f"{EXAMPLES}/lifecycle.stp"],
}
# The scenario run again under fixed hash seeds: it draws random numbers and touches most
# services, so an order taken from a set or a hash would show in it.
HASH_SEED_SCENARIO = "demo-combined"


def digests(name: str, trace: Path) -> dict[str, str]:
    """The sha256 of scenario `name`'s trace file and of what it prints, run from the
    repository's root (so that the paths it prints are the same on every machine)."""
    out, err = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["run", *SCENARIOS[name], "--start", START, "--trace", str(trace)])
    finally:
        os.chdir(cwd)
    assert code == 0, f"{name} exited {code}:\n{err.getvalue()}\n{out.getvalue()[-2000:]}"
    return {
        "trace": hashlib.sha256(trace.read_bytes()).hexdigest(),
        "output": hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest(),
    }


def committed() -> dict[str, dict[str, str]]:
    """The digests in trace_digests.json (computed on Python 3.11)."""
    return json.loads(DIGESTS.read_text(encoding="utf-8"))


MISMATCH = (
    "{name}: the {what} differs from the digest computed on Python 3.11. If the simulator "
    "changed on purpose, rewrite the digests on 3.11 (`.venv/bin/python "
    "tests/test_trace_digests.py --write`) and check them on 3.12 and 3.13; if only this "
    "Python (now {version}) differs, the trace depends on the interpreter."
)


def test_every_scenario_has_a_digest() -> None:
    assert sorted(committed()) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_matches_its_golden_digest(name: str, tmp_path: Path) -> None:
    got = digests(name, tmp_path / "trace.jsonl")
    want = committed()[name]
    version = sys.version.split()[0]
    for what in ("trace", "output"):
        assert got[what] == want[what], MISMATCH.format(name=name, what=what, version=version)


@pytest.mark.parametrize("seed", ["0", "4242"])
def test_hash_seed_does_not_reach_the_trace(seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    code = "import json, tests.test_trace_digests as t, pathlib, tempfile\n"
    code += "d = tempfile.mkdtemp()\n"
    code += f"print(json.dumps(t.digests({HASH_SEED_SCENARIO!r}, pathlib.Path(d) / 't.jsonl')))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.splitlines()[-1])
    assert got == committed()[HASH_SEED_SCENARIO], f"PYTHONHASHSEED={seed} changed the run"


def _cli(argv: list[str]) -> int:
    """Print every scenario's digests, compared with the committed ones (exit 1 on a
    difference), or with `--write` replace the committed ones."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        got = {name: digests(name, Path(tmp) / f"{name}.jsonl") for name in sorted(SCENARIOS)}
    if argv == ["--write"]:
        DIGESTS.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {len(got)} digests to {DIGESTS.relative_to(ROOT)}")
        return 0
    want = committed() if DIGESTS.exists() else {}
    bad = [name for name in got if got[name] != want.get(name)]
    for name in sorted(got):
        mark = "DIFFERS" if name in bad else "ok"
        print(f"{name:20} trace {got[name]['trace'][:16]} output {got[name]['output'][:16]} {mark}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
