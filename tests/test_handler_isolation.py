"""Python handlers run against modules imported afresh for each session (--allow-code).

A handler's helper modules keep module-level state; a new session (opening a stack, or the
fresh session a `load` replays into) must not see the state another session left there,
and a live session must keep running on its own modules whatever another session imports.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

import stptui
from stptui.commands import CommandError, Session, execute
from stptui.commands.session import trace_sha256
from stptui.config import load_stack
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import parse_instant

T0 = parse_instant("2026-01-05T08:00:00Z")
SAMPLE = Path(stptui.__file__).parent / "sample_stacks" / "job-queue"
SEND = 'send jobQueue \'{"orderId":1,"amount":20}\''

# Counts its calls in a helper module's global and fails every second call.
WORKER = """\
import hstate

def worker(event, context):
    hstate.n += 1
    context.log(f"call {hstate.n}")
    if hstate.n % 2 == 0:
        raise ValueError(f"call {hstate.n} fails")
"""

# The same, importing the helper only when it runs (from sys.modules, as Python does).
LAZY_WORKER = """\
import hstate

def worker(event, context):
    import hstate as state
    state.n += 1
    context.log(f"call {state.n}")
    if state.n % 2 == 0:
        raise ValueError(f"call {state.n} fails")
"""

# A handler inside a package, with its state in a sibling module.
PACKAGE_WORKER = """\
from . import state

def worker(event, context):
    state.n += 1
    context.log(f"call {state.n}")
    if state.n % 2 == 0:
        raise ValueError(f"call {state.n} fails")
"""

# The same, importing its state only when it first runs.
LAZY_PACKAGE_WORKER = """\
import importlib

def worker(event, context):
    state = importlib.import_module("hpkg.state")
    state.n += 1
    context.log(f"call {state.n}")
    if state.n % 2 == 0:
        raise ValueError(f"call {state.n} fails")
"""


def stack_copy(tmp_path: Path, handler: str) -> Path:
    """The job-queue sample in its own folder, its worker run by `handler`."""
    folder = tmp_path / "stack"
    shutil.copytree(SAMPLE, folder)
    (folder / "stptui.yml").write_text(
        f'behaviors: {{worker: {{duration: 1s, handler: "{handler}"}}}}\n'
    )
    return folder


@pytest.fixture
def flat(tmp_path: Path) -> Path:
    folder = stack_copy(tmp_path, "hmod:worker")
    (folder / "hstate.py").write_text("n = 0\n")
    (folder / "hmod.py").write_text(WORKER)
    return folder


def open_session(folder: Path) -> Session:
    return Session.open(folder, start_ms=T0, allow_code=True)


def logged(session: Session) -> list[str]:
    """The handler's log lines, in order."""
    return [str(r.get("text")) for r in session.sim.trace.records if r.kind == "handler.log"]


def run(session: Session, *lines: str) -> None:
    for line in lines:
        execute(session, line)


def test_loading_a_saved_session_replays_it(flat: Path) -> None:
    live = open_session(flat)
    run(live, SEND, "advance 10s", f"save {flat / 's.json'}")
    assert logged(live) == ["call 1"]
    run(live, f"load {flat / 's.json'}")
    assert logged(live) == ["call 1"]
    # The loaded session goes on from its own state: the next call is the second one.
    run(live, SEND, "advance 10s")
    assert logged(live) == ["call 1", "call 2"]


def test_allow_code_trusts_the_sessions_own_handlers_not_those_a_loaded_file_names(
    flat: Path, tmp_path: Path
) -> None:
    # --allow-code is trust in the behaviours file the session was opened with. A session
    # file saved with --allow-code elsewhere (one unpacked from a bug report, say) named
    # another behaviours file, whose handlers `load` imported and ran.
    other = Path(shutil.copytree(flat, tmp_path / "other"))
    marker = tmp_path / "ran"
    (other / "hmod.py").write_text(f"open({str(marker)!r}, 'w').close()\n" + WORKER)
    theirs = open_session(other)
    run(theirs, SEND, "advance 10s", f"save {other / 's.json'}")
    marker.unlink()
    live = open_session(flat)
    run(live, SEND, "advance 10s")
    before = (live.sim, list(live.log))
    with pytest.raises(CommandError) as info:
        execute(live, f"load {other / 's.json'}")
    assert not marker.exists(), "load imported the handlers of a file it was not opened with"
    assert info.value.message == (
        f"{other / 's.json'} runs the Python handlers of {other / 'stptui.yml'}, and "
        "--allow-code trusts only those of this session's behaviours file"
    )
    assert info.value.hint == (
        f"open its stack with --allow-code if you trust them: stptui repl "
        f"{other / 'stacktape.yml'} --allow-code, then load it there"
    )
    assert (live.sim, list(live.log)) == before
    # The session's own file loads, as before.
    run(live, f"save {flat / 's.json'}", f"load {flat / 's.json'}")


@pytest.mark.parametrize("source", [WORKER, LAZY_WORKER], ids=["imported", "lazy"])
def test_a_refused_load_leaves_the_live_session_as_it_was(flat: Path, source: str) -> None:
    (flat / "hmod.py").write_text(source)
    live, untouched = open_session(flat), open_session(flat)
    for session in (live, untouched):
        run(session, SEND, "advance 10s")
    run(live, f"save {flat / 's.json'}")
    doc = json.loads((flat / "s.json").read_text())
    doc["trace_sha256"] = "0" * 64  # the commands replay (handlers run), then the check fails
    (flat / "s.json").write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="does not reproduce"):
        execute(live, f"load {flat / 's.json'}")
    for session in (live, untouched):
        run(session, SEND, "advance 10s", SEND, "advance 10s")
    assert logged(live) == logged(untouched) == ["call 1", "call 2", "call 3"]
    assert trace_sha256(live.sim.trace) == trace_sha256(untouched.sim.trace)


def test_each_session_starts_from_fresh_modules(flat: Path) -> None:
    first = open_session(flat)
    run(first, SEND, "advance 10s")
    second = open_session(flat)
    run(second, SEND, "advance 10s")
    run(first, SEND, "advance 10s")
    assert logged(first) == ["call 1", "call 2"]
    assert logged(second) == ["call 1"]


@pytest.mark.parametrize("source", [PACKAGE_WORKER, LAZY_PACKAGE_WORKER], ids=["imported", "lazy"])
def test_a_handler_in_a_package(tmp_path: Path, source: str) -> None:
    folder = stack_copy(tmp_path, "hpkg.sub:worker")
    (folder / "hpkg").mkdir()
    (folder / "hpkg" / "__init__.py").write_text("")
    (folder / "hpkg" / "state.py").write_text("n = 0\n")
    (folder / "hpkg" / "sub.py").write_text(source)
    live, untouched = open_session(folder), open_session(folder)
    for session in (live, untouched):
        run(session, SEND, "advance 10s")
    run(live, f"save {folder / 's.json'}", f"load {folder / 's.json'}")
    doc = json.loads((folder / "s.json").read_text())
    doc["now"] = "2026-01-05T09:00:00.000Z"  # replays, then is refused
    (folder / "s.json").write_text(json.dumps(doc))
    with pytest.raises(CommandError, match="does not reproduce"):
        execute(live, f"load {folder / 's.json'}")
    for session in (live, untouched):
        run(session, SEND, "advance 10s")
    assert logged(live) == logged(untouched) == ["call 1", "call 2"]


def test_modules_from_elsewhere_are_kept(
    flat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "hshared.py").write_text("n = 0\n")
    monkeypatch.syspath_prepend(str(elsewhere))
    (flat / "hmod.py").write_text("import hshared\n\ndef worker(event, context):\n    pass\n")
    open_session(flat)
    kept = {name: sys.modules[name] for name in ("hshared", "json", "yaml", "stptui")}
    open_session(flat)
    assert {name: sys.modules[name] for name in kept} == kept


def test_a_folder_holding_stptui_itself_keeps_it(tmp_path: Path) -> None:
    """A stack at the root of a checkout of stptui: the package is not a handler module."""
    root = Path(stptui.__file__).resolve().parent.parent
    kept = {name: mod for name, mod in sys.modules.items() if name.split(".")[0] == "stptui"}
    stack = load_stack(SAMPLE / "stacktape.yml")
    text = "behaviors:\n  worker: {handler: 'hnot_there_mod:fn'}\n"
    _, diags = Behaviors.from_text(text, "stptui.yml", stack, allow_code=True, base_dir=root)
    assert [d.code for d in diags] == ["behavior-handler-import"]
    assert {name: sys.modules.get(name) for name in kept} == kept


def test_functions_of_one_session_do_not_share_their_modules(flat: Path) -> None:
    """Each function's execution environment is a Python process of its own, as in Lambda:
    two functions whose handlers share a helper each import it, and count their own calls."""
    (flat / "hmod.py").write_text(WORKER + "\n\ndef api(event, context):\n    hstate.n += 1\n")
    (flat / "stptui.yml").write_text(
        "behaviors:\n"
        '  worker: {duration: 1s, handler: "hmod:worker"}\n'
        '  api: {handler: "hmod:api"}\n'
    )
    session = open_session(flat)
    assert [d for d in session.diagnostics if d.severity == "error"] == []
    run(session, "invoke api '{}'", SEND, "advance 10s")
    assert logged(session) == ["call 1"]
