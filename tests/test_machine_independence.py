"""What a user's machine varies does not reach a run (docs/fidelity.md, "Same trace on
every Python"): the time zone, the locale and its encoding, the current folder, how the
stack's and the behaviours file's paths are given (relative, through a symbolic link, with
`./` and `..`), the order a folder is listed in and a set iterated in. test_trace_digests.py
holds the hash seed and the Python version; tests/determinism_matrix.py runs the whole
matrix (minutes)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = json.loads((ROOT / "tests" / "trace_digests.json").read_text(encoding="utf-8"))


def test_a_run_is_the_same_in_any_zone_locale_folder_and_path_form(tmp_path: Path) -> None:
    """The demo that touches most services, run from another folder through a symbolic
    link to the stack's folder (given with `./` and `..`), in a zone 12:45 ahead of UTC,
    under the C locale and a random hash seed: its trace and output are the digests
    committed for the plain run."""
    link = tmp_path / "stacks"
    link.symlink_to(ROOT / "stptui" / "sample_stacks", target_is_directory=True)
    (tmp_path / "here").mkdir()
    demo = "stptui/sample_stacks/combined"
    env = {
        **os.environ,
        "TZ": "Pacific/Chatham",
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONHASHSEED": "random",
        "PYTHONPATH": str(ROOT),
    }
    trace = tmp_path / "trace.jsonl"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "stptui",
            "run",
            "../stacks/./combined",
            str(ROOT / demo / "demo.stp"),
            "--start",
            "2026-01-05T08:00:00Z",
            "--trace",
            str(trace),
        ],
        cwd=tmp_path / "here",
        env=env,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr.decode()
    want = DIGESTS["demo-combined"]
    assert hashlib.sha256(trace.read_bytes()).hexdigest() == want["trace"]
    assert hashlib.sha256(done.stdout).hexdigest() == want["output"]


# strftime's names of days, months, AM/PM and its locale's date and time forms follow
# LC_TIME, which a Python handler (--allow-code) may set with locale.setlocale.
_LOCALE_DIRECTIVE = re.compile(r"%[aAbBcpxX]")


def test_no_text_names_days_or_months_by_the_locale() -> None:
    """No strftime directive whose text follows the locale, anywhere in stptui."""
    found = []
    for path in sorted((ROOT / "stptui").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if ("strftime" in code or ":%" in code) and _LOCALE_DIRECTIVE.search(code):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_graph_names_days_and_months_in_english() -> None:
    """The graph's next fire times, under a Turkish or German LC_TIME where the machine has
    one (a handler may set it), name days and months as the rest of the UI does."""
    import locale

    from stptui.sim.clock import parse_instant
    from stptui.tui.widgets.graph_pane import _when

    before = locale.setlocale(locale.LC_TIME)
    for name in ("tr_TR.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8"):
        with contextlib.suppress(locale.Error):
            locale.setlocale(locale.LC_TIME, name)
            break
    try:
        now = parse_instant("2026-01-05T08:00:00Z")  # a Monday
        assert _when(now, parse_instant("2026-01-05T09:30:00Z")) == "09:30"
        assert _when(now, parse_instant("2026-01-06T02:00:00Z")) == "Tue 02:00"
        assert _when(now, parse_instant("2026-01-11T02:00:05Z")) == "Sun 02:00:05"
        assert _when(now, parse_instant("2026-03-12T02:00:00Z")) == "Mar 12 02:00"
    finally:
        locale.setlocale(locale.LC_TIME, before)


def test_did_you_mean_does_not_depend_on_the_order_of_its_candidates() -> None:
    """Candidates often come from a set (its order the hash seed's) or a folder (the file
    system's): names equal but for case, or equally close, give one suggestion whatever
    the order."""
    from itertools import permutations

    from stptui.config.diagnostics import did_you_mean

    for names in (["Orders", "ORDERS", "orders2"], ["ordrs", "ordes", "orderz", "Orders"]):
        got = {did_you_mean("orders", order) for order in permutations(names)}
        assert len(got) == 1, (names, got)
    assert did_you_mean("orders", ["ordersQueue", "ORDERS", "Orders"]) == "ORDERS"


def test_output_is_utf_8_whatever_the_locales_encoding(tmp_path: Path) -> None:
    """A locale whose encoding is not UTF-8 (tr_TR.ISO-8859-9, a Windows code page when the
    output is redirected; PYTHONIOENCODING stands in for it) gets the bytes a UTF-8 one
    does, as scripts are read as UTF-8 whatever it says: not a traceback at the first
    character it cannot encode."""
    script = tmp_path / "s.stp"
    script.write_text(
        'send jobQueue \'{"city": "İstanbul ı € 😀"}\'\nadvance 1m\nshow trace 3\n',
        encoding="utf-8",
    )
    stack = ROOT / "stptui" / "sample_stacks" / "job-queue"
    runs = [
        ["run", str(stack), str(script), "--start", "2026-01-05T08:00:00Z"],
        ["match", '{"detail": {"city": ["İstanbul €"]}}', '{"city": "istanbul €"}'],
    ]
    for argv in runs:
        outs = []
        for encoding in ("utf-8", "iso8859-9", "cp1252", "ascii"):
            env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": str(ROOT)}
            done = subprocess.run(
                [sys.executable, "-m", "stptui", *argv], env=env, capture_output=True
            )
            assert b"Traceback" not in done.stderr, (encoding, done.stderr.decode())
            outs.append((done.returncode, done.stdout, done.stderr))
        assert outs[1:] == outs[:1] * 3, argv[0]
        assert "€".encode() in outs[0][1]


def test_to_a_terminal_a_character_its_encoding_lacks_is_escaped(tmp_path: Path) -> None:
    """A terminal keeps the locale's encoding (it is the terminal's own): what it cannot
    encode is written as an escape, and the run goes on."""
    import pty

    script = tmp_path / "s.stp"
    script.write_text("log worker 'price € ok'\nshow logs worker\n", encoding="utf-8")
    stack = ROOT / "stptui" / "sample_stacks" / "job-queue"
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    main_fd, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "stptui", "run", str(stack), str(script), "--start", "2026-01-05"],
        stdout=terminal,
        stderr=subprocess.PIPE,
        env=env,
    ) as proc:
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the other end closed (Linux says EIO)
                break
            if not chunk:
                break
            shown += chunk
        err = proc.stderr.read() if proc.stderr else b""
    os.close(main_fd)
    assert proc.returncode == 0, err.decode()
    assert b"price \\u20ac ok" in shown


def test_a_behaviours_runtime_error_in_the_trace_does_not_name_the_folder(
    tmp_path: Path,
) -> None:
    """A runtime error of a behaviour is traced with where it is written: the file by its
    name, not by the path it was given as, which the current folder and the way it was
    typed change (`./b.yml`, `/home/ci/checkout/b.yml`)."""
    folder = tmp_path / "stack"
    folder.mkdir()
    stack = ROOT / "stptui" / "sample_stacks" / "job-queue" / "stacktape.yml"
    (folder / "stacktape.yml").write_bytes(stack.read_bytes())
    (folder / "b.yml").write_text(
        'behaviors:\n  worker:\n    fail:\n      when: "abs(body.n) > `1`"\n'
    )
    (folder / "s.stp").write_text('send jobQueue \'{"n": "x"}\'\nadvance 1s\n')
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    traces = []
    for k, (cwd, stack_arg, behaviors) in enumerate(
        [
            (folder, ".", "b.yml"),
            (tmp_path, "stack/stacktape.yml", "./stack/b.yml"),
            (ROOT, str(folder), str(folder / "b.yml")),
        ]
    ):
        trace = tmp_path / f"t{k}.jsonl"
        options = ["--behaviors", behaviors, "--start", "2026-01-05T08:00:00Z", "--trace"]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "stptui",
                "run",
                stack_arg,
                str(folder / "s.stp"),
                *options,
                str(trace),
            ],
            cwd=cwd,
            env=env,
            capture_output=True,
        )
        assert done.returncode == 0, done.stderr.decode()
        traces.append(trace.read_text())
    assert traces[1:] == traces[:1] * 2
    assert '"error_message":"b.yml:4:13: worker.fail.when' in traces[0]
