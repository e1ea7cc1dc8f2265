"""Attack the promise "same inputs, same trace" (docs/fidelity.md, "Same trace on every
Python") across what a user's machine varies. Slow (minutes), so not part of the suite: the
fast regression tests are tests/test_machine_independence.py and test_trace_digests.py.

The cases: every sample stack's demo.stp, the golden-digest scenarios of docs/examples, a
Python handler's run (`--allow-code`, docs/examples/handler-worker.yml), and 40 real
stacks of ../shared/reference/real-stacks chosen with random.Random(7), each driven by a
command per event source (tests/test_real_stacks_drive.py's `stimuli`) and a repeat burst,
a repeat on the clock and an `until`, the lines a stack refuses left out.

Each case is checked four ways, every difference printed:

- machine: `stptui run --trace` in a subprocess per variation of PYTHONHASHSEED (0, 1,
  12345, 4242, random, unset), TZ (UTC, America/New_York, Asia/Kolkata, Pacific/Chatham),
  LANG/LC_ALL (C, C.UTF-8, tr_TR.UTF-8 when `localedef` can build it), the current folder
  and the stack's path form (absolute, relative, `./`, `..`, through a symbolic link): the
  trace, stdout, stderr (paths made alike) and exit code byte for byte;
- slices: each `advance D` cut into random pieces (as the live clock's frames cut a run);
- sessions, in process: save half-way and load into a new session; `undo` + `redo` after
  each changing line; `undo` and the line typed again; the live clock (60x and as fast as
  possible) and the fast-forward screen standing in for each `advance` under a tiny event
  budget, and the session log each of them writes replayed;
- commands: `graph` (4 formats), `validate` and `init` under four of the environments.

    .venv/bin/python tests/determinism_matrix.py [--only SUBSTRING] [--skip real]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from stptui.commands import CommandError, Session, execute  # noqa: E402
from stptui.commands.result import render_plain  # noqa: E402
from stptui.commands.session import SessionError, trace_sha256  # noqa: E402
from stptui.sim.behavior.durations import parse_duration  # noqa: E402
from stptui.sim.clock import parse_instant  # noqa: E402

REAL = ROOT.parent / "shared" / "reference" / "real-stacks"
EXAMPLES = ROOT / "docs" / "examples"
START = "2026-01-05T08:00:00Z"
T0 = parse_instant(START)


@dataclass
class Case:
    """A stack, the script run on it and the options of `stptui run` beside them."""

    name: str
    stack: Path
    script: str
    behaviors: Path | None = None
    seed: int = 0
    options: list[str] = field(default_factory=list)

    def session(self) -> Session:
        """A fresh session on the case's stack, as `stptui run` opens it."""
        return Session.open(
            self.stack,
            behaviors_path=self.behaviors,
            seed=self.seed,
            start_ms=T0,
            allow_code="--allow-code" in self.options,
        )


def sample_cases() -> list[Case]:
    """Every sample stack's demo, with more of what reads and prints time."""
    more = "\nshow agenda\nshow schedules\nuntil 2026-01-08T00:00:00Z\nshow trace 40\n"
    return [
        Case(f"sample-{d.name}", d / "stacktape.yml", (d / "demo.stp").read_text() + more)
        for d in sorted((ROOT / "stptui" / "sample_stacks").iterdir())
        if (d / "demo.stp").is_file()
    ]


def example_cases() -> list[Case]:
    """The golden-digest scenarios that are not demos: behaviours, seeds, every service."""
    from test_trace_digests import SCENARIOS

    cases = []
    for name, words in sorted(SCENARIOS.items()):
        if name.startswith("demo-"):
            continue
        stack = ROOT / words[0]
        stack = stack / "stacktape.yml" if stack.is_dir() else stack
        opts = dict(zip(words[2::2], words[3::2], strict=True))
        behaviors = ROOT / opts["--behaviors"] if "--behaviors" in opts else None
        script = (ROOT / words[1]).read_text() + "\nshow agenda\nshow trace 40\nshow metrics\n"
        cases.append(
            Case(f"ex-{name}", stack, script, behaviors, int(opts.get("--seed", 0)), words[2:])
        )
    # A Python handler (--allow-code): its imports, logs and sleeps, in a burst of orders.
    handlers = EXAMPLES / "handler-worker.yml"
    script = (EXAMPLES / "two-orders.stp").read_text()
    script += '\nrepeat 20 send jobQueue \'{"orderId": {i}, "amount": 1{i}00}\'\nadvance 1m\n'
    options = ["--behaviors", str(handlers), "--allow-code"]
    job_queue = ROOT / "stptui" / "sample_stacks" / "job-queue" / "stacktape.yml"
    cases.append(Case("ex-python-handler", job_queue, script, handlers, 0, options))
    return cases


def real_cases(count: int = 40) -> list[Case]:
    """`count` real stacks that open, chosen with random.Random(7), driven."""
    from test_real_stacks_drive import stimuli

    if not REAL.is_dir():
        return []
    files = sorted(p for p in REAL.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))
    random.Random(7).shuffle(files)
    cases: list[Case] = []
    for path in files:
        try:
            session = Session.open(path, start_ms=T0)
        except SessionError:
            continue
        lines = stimuli(session)
        first = next((ln for ln in lines if not ln.startswith(("show", "advance", "run"))), None)
        more = ["show agenda", "show schedules", "until 2026-01-09T00:00:00Z"]
        if first is not None:
            more += [f"repeat 3 {first}", f"repeat 3 --every 7s {first}", "advance 1m"]
        kept = []
        for line in [*lines, *more, "show trace 80", "show metrics"]:
            try:  # `stptui run` stops at a refused line: keep the others
                execute(session, line)
            except CommandError:
                continue
            kept.append(line)
        cases.append(Case(f"real-{len(cases):02d}-{path.stem[-40:]}", path, "\n".join(kept)))
        if len(cases) == count:
            break
    return cases


def turkish_locale(tmp: Path) -> dict[str, str]:
    """LOCPATH and LC_ALL for tr_TR.UTF-8 built into `tmp`, or {} when it cannot be."""
    if shutil.which("localedef") is None:
        return {}
    done = subprocess.run(
        ["localedef", "-i", "tr_TR", "-f", "UTF-8", str(tmp / "tr_TR.UTF-8")],
        capture_output=True,
        check=False,
    )
    return {"LOCPATH": str(tmp), "LC_ALL": "tr_TR.UTF-8"} if done.returncode == 0 else {}


def environments(turkish: dict[str, str]) -> list[dict[str, str]]:
    """The hash seed, zone and locale of each machine variation (the first is the base)."""
    envs = [
        {"PYTHONHASHSEED": "0", "TZ": "UTC", "LC_ALL": "C.UTF-8"},
        {"PYTHONHASHSEED": "1", "TZ": "America/New_York", "LC_ALL": "C"},
        {"PYTHONHASHSEED": "12345", "TZ": "Asia/Kolkata", "LANG": "C.UTF-8", **turkish},
        {"PYTHONHASHSEED": "random", "TZ": "Pacific/Chatham", "LANG": "C"},
        {"PYTHONHASHSEED": "4242", "TZ": "America/New_York", "LC_ALL": "C"},
        {"TZ": "Pacific/Chatham", "LC_ALL": "C.UTF-8", **turkish},  # hash seed unset
    ]
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    return [{**base, "HOME": os.environ.get("HOME", "/tmp"), **env} for env in envs]


def path_forms(case: Case, work: Path) -> list[tuple[Path, str]]:
    """(current folder, stack argument) pairs naming the case's stack in different ways.
    Scripts of docs/examples name files from the repository's root, so they run there."""
    link = work / "link"
    if not link.exists():
        link.symlink_to(case.stack.parent, target_is_directory=True)
    name, parent = case.stack.name, case.stack.parent
    here = ROOT if case.name.startswith("ex-") else work
    forms = [
        (here, str(case.stack)),
        (here, str(link / name)),
        (here, os.path.relpath(case.stack, here)),
        (here, f"./{os.path.relpath(case.stack, here)}"),
    ]
    if here == work:
        forms += [
            (parent, f"./{name}"),
            (parent, f"../{parent.name}/{name}"),
            (work, f"link/./{name}"),
        ]
    return forms


def check_machine(case: Case, work: Path, envs: list[dict[str, str]]) -> list[str]:
    """The case under each environment and path form, against the first."""
    script = work / "script.stp"
    script.write_text(case.script)
    forms = path_forms(case, work)
    runs = [(env, *forms[i % len(forms)]) for i, env in enumerate(envs)]
    runs += [(envs[0], cwd, arg) for cwd, arg in forms[len(envs) :]]
    seen: dict[tuple[bytes, ...], list[str]] = {}
    for k, (env, cwd, arg) in enumerate(runs):
        trace = work / f"trace{k}.jsonl"
        argv = [sys.executable, "-m", "stptui", "run", arg, str(script), "--start", START]
        argv += ["--trace", str(trace), "--keep-going", *case.options]
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
        # A message names a file as it was given: make the names alike.
        err = re.sub(rb"[^\s(]*" + re.escape(case.stack.name.encode()), b"STACK", done.stderr)
        key = (
            trace.read_bytes() if trace.exists() else b"",
            done.stdout,
            err,
            b"%d" % done.returncode,
        )
        locale = env.get("LC_ALL", env.get("LANG"))
        what = f"{env.get('PYTHONHASHSEED', 'unset')}/{env['TZ']}/{locale} {arg}"
        seen.setdefault(key, []).append(what)
    if len(seen) == 1:
        return []
    return [f"{case.name} machine: {len(seen)} different runs: {list(seen.values())}"]


def chunked(script: str, rng: random.Random) -> str:
    """`script` with each `advance D` cut into pieces summing to D."""
    out = []
    for line in script.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == "advance":
            left = parse_duration(words[1])
            while left > 0:
                piece = min(left, rng.choice([1, 7, 50, 999, 60_000, 3_600_000, left]))
                out.append(f"advance {piece}ms")
                left -= piece
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def check_slices(case: Case, work: Path, env: dict[str, str]) -> list[str]:
    """The trace with each `advance` cut into slices is the trace of the script as is."""
    traces = []
    for k, text in enumerate([case.script, chunked(case.script, random.Random(1))]):
        script, trace = work / f"sliced{k}.stp", work / f"sliced{k}.jsonl"
        script.write_text(text)
        argv = [sys.executable, "-m", "stptui", "run", str(case.stack), str(script)]
        argv += ["--start", START, "--trace", str(trace), "--keep-going", *case.options]
        here = ROOT if case.name.startswith("ex-") else work
        subprocess.run(argv, cwd=here, env=env, capture_output=True, check=False)
        traces.append(trace.read_bytes() if trace.exists() else b"")
    return [] if traces[0] == traces[1] else [f"{case.name} slices: the trace differs"]


def play(session: Session, lines: list[str]) -> None:
    """Run `lines` as a script would, going on after a refused one."""
    for line in lines:
        with contextlib.suppress(CommandError):
            render_plain(execute(session, line))


def with_clock(case: Case, run_for: Callable[[Session, int], None]) -> Session:
    """The case's lines, each `advance D` done by `run_for(session, target)` instead."""
    session = case.session()
    for line in script_lines(case.script):
        words = line.split()
        if len(words) == 2 and words[0] == "advance":
            run_for(session, session.sim.clock.now + parse_duration(words[1]))
        else:
            play(session, [line])
    return session


def live(speed_index: int) -> Callable[[Session, int], None]:
    """Runs the clock to a target as the terminal UI's live clock does, frame by frame."""
    from stptui.tui.live import LiveClock

    def run_for(session: Session, target: int) -> None:
        clock = LiveClock(session, speed_index=speed_index, event_budget=7)
        clock.running = True
        while session.sim.clock.now < target:
            clock.slice(min(target - session.sim.clock.now, 3_333))
        clock.commit()

    return run_for


def fast_forward(session: Session, target: int) -> None:
    """Runs the clock to a target as the fast-forward screen does, under a tiny budget."""
    from stptui.tui.fast_forward import FastForward

    ff = FastForward(session, target, event_budget=3)
    while not ff.done:
        ff.slice()


def script_lines(script: str) -> list[str]:
    """The commands of a script, without comments and `expect` lines."""
    lines = [ln.strip() for ln in script.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith(("#", "expect"))]


def check_sessions(case: Case, work: Path) -> list[str]:
    """The interleavings a session allows give the trace and views of the script in one go."""
    from stptui.commands.session import _state_changing_commands

    changing = _state_changing_commands()
    lines = script_lines(case.script)
    half = len(lines) // 2
    views = ["show queues", "show functions", "show agenda", "show trace 30"]

    def seen(session: Session) -> tuple[str, ...]:
        out = []
        for line in views:
            try:
                out.append(render_plain(execute(session, line)))
            except CommandError as exc:
                out.append(str(exc))
        return (trace_sha256(session.sim.trace), *out)

    whole = case.session()
    play(whole, lines)
    want = seen(whole)
    got: dict[str, Session] = {}
    first = case.session()
    play(first, lines[:half])
    first.save(work / "half.json")
    got["save-load"] = case.session()
    play(got["save-load"], [f"load {work / 'half.json'}", *lines[half:]])
    for name, extra in (("undo-redo", ["undo", "redo"]), ("undo-retype", ["undo", None])):
        session = got[name] = case.session()
        for line in lines[:half]:
            play(session, [line])
            if line.split()[0] in changing:
                play(session, [x or line for x in extra])
        play(session, lines[half:])
    for name, run_for in (("live-60x", live(2)), ("live-max", live(5)), ("ff", fast_forward)):
        session = got[name] = with_clock(case, run_for)
        got[f"{name}-log"] = case.session()
        play(got[f"{name}-log"], list(session.log))
    return [f"{case.name} sessions: {k} differs" for k, s in got.items() if seen(s) != want]


def check_commands(case: Case, work: Path, envs: list[dict[str, str]]) -> list[str]:
    """graph, validate and init print and write the same under every environment."""
    problems = []
    target = work / "init.yml"
    commands = [
        ["graph", str(case.stack), "--format", f] for f in ("text", "mermaid", "dot", "json")
    ]
    commands += [["validate", str(case.stack)], ["init", str(case.stack), "--out", str(target)]]
    for argv in commands:
        outs = set()
        for env in envs[:4]:
            target.unlink(missing_ok=True)
            done = subprocess.run(
                [sys.executable, "-m", "stptui", *argv],
                cwd=work,
                env=env,
                capture_output=True,
                check=False,
            )
            written = target.read_bytes() if target.exists() else b""
            outs.add(hashlib.sha256(done.stdout + b"\0" + done.stderr + b"\0" + written).digest())
        if len(outs) > 1:
            problems.append(f"{case.name} commands: `stptui {argv[0]} ... {argv[-1]}` differs")
    return problems


def main() -> int:
    """Run the matrix; print each case's verdict and the differences; exit 1 on any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the cases whose name holds this text")
    parser.add_argument(
        "--skip", action="append", default=[], help="machine, slices, sessions, commands or real"
    )
    args = parser.parse_args()
    cases = sample_cases() + example_cases() + ([] if "real" in args.skip else real_cases())
    cases = [c for c in cases if args.only is None or args.only in c.name]
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        turkish = turkish_locale(Path(tmp))
        envs = environments(turkish)
        print(f"{len(cases)} cases; {len(envs)} environments; Turkish locale: {bool(turkish)}")
        for case in cases:
            work = Path(tmp) / case.name
            work.mkdir()
            found: list[str] = []
            if "machine" not in args.skip:
                found += check_machine(case, work, envs)
            if "slices" not in args.skip:
                found += check_slices(case, work, envs[0])
            if "sessions" not in args.skip:
                cwd = Path.cwd()
                os.chdir(ROOT if case.name.startswith("ex-") else work)
                try:
                    found += check_sessions(case, work)
                finally:
                    os.chdir(cwd)
            if "commands" not in args.skip:
                found += check_commands(case, work, envs)
            print(f"{case.name}: {'ok' if not found else 'DIFFERS'}", flush=True)
            problems += found
    for problem in problems:
        print(problem)
    print(f"{len(cases)} cases, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
