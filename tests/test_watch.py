"""The watcher behind the REPL's and the terminal UI's reload on save
(`stptui.commands.watch`): a saved change of content gives one reload, a save of the same
bytes none, a burst of saves one; the files a `$File` read are watched (and `undo` sees them
changed); an edit that breaks the stack keeps the session and is not retried. Its clock is
injected: nothing here sleeps."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from test_undo_reload import helper_stack

from stptui.cli import main as cli_main
from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.commands.session import InputFile
from stptui.commands.watch import InputWatcher, watched
from stptui.repl.toolbar import Toolbar
from stptui.sim.clock import parse_instant

ROOT = Path(__file__).resolve().parents[1]
JOB_QUEUE = ROOT / "stptui" / "sample_stacks" / "job-queue"
T0 = parse_instant("2026-01-05T08:00:00Z")
SEND = 'send jobQueue \'{"orderId": 1, "amount": 20}\''


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def watching(session: Session) -> tuple[InputWatcher, Clock]:
    """A watcher of `session` on a hand-moved clock, its first look taken."""
    clock = Clock()
    watcher = InputWatcher(clock=clock)
    watcher.sync(session)
    assert watcher.poll() is None
    return watcher, clock


def settled(watcher: InputWatcher, clock: Clock, session: Session) -> list[str]:
    """Look twice, the second time once the files have settled: the names of the files of
    the change acted on, each look after syncing with the session as a front end does."""
    found = []
    for step in (0.0, watcher.settle_s + 0.05):
        clock.now += step
        watcher.sync(session)
        change = watcher.poll()
        if change is not None:
            found += [path.name for _, path in change.files]
    return found


def job_queue(tmp_path: Path) -> tuple[Session, Path]:
    shutil.copytree(JOB_QUEUE, tmp_path / "stack")
    return Session.open(tmp_path / "stack", start_ms=T0), tmp_path / "stack" / "stacktape.yml"


def test_a_saved_change_gives_one_reload_and_it_is_acted_on_once(tmp_path: Path) -> None:
    session, config = job_queue(tmp_path)
    watcher, clock = watching(session)
    config.write_text(config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 4"))
    clock.now += 0.1
    # Seen, but not settled yet: the editor may write again.
    assert watcher.poll() is None
    clock.now += watcher.settle_s + 0.05
    change = watcher.poll()
    assert change is not None and change.files == (("stack", config.resolve()),)
    assert change.text() == "stacktape.yml changed on disk"
    # Acted on once, whatever the front end did with it.
    for _ in range(3):
        clock.now += 1
        assert watcher.poll() is None


def test_a_change_put_back_is_found_again(tmp_path: Path) -> None:
    # The terminal UI puts a change back when a screen that refuses a rebuild opened while
    # the look ran: it is reloaded once that screen closes, not lost.
    session, config = job_queue(tmp_path)
    watcher, clock = watching(session)
    config.write_text(config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 4"))
    assert settled(watcher, clock, session) == ["stacktape.yml"]
    assert settled(watcher, clock, session) == []
    watcher.put_back()
    clock.now += 1
    change = watcher.poll()
    assert change is not None and change.names() == "stacktape.yml"


def test_the_same_bytes_saved_again_give_no_reload(tmp_path: Path) -> None:
    session, config = job_queue(tmp_path)
    behaviours = config.parent / "stptui.yml"
    watcher, clock = watching(session)
    for path in (config, behaviours):
        path.write_bytes(path.read_bytes())
        later = path.stat().st_mtime_ns + 5_000_000_000
        os.utime(path, ns=(later, later))
    assert settled(watcher, clock, session) == []


def test_a_burst_of_saves_gives_one_reload_of_the_last(tmp_path: Path) -> None:
    session, config = job_queue(tmp_path)
    watcher, clock = watching(session)
    text = config.read_text("utf-8")
    # An editor's backup-then-write, and a second save: each look sees another content.
    for count in (4, 5, 6):
        config.write_text(text.replace("maxReceiveCount: 3", f"maxReceiveCount: {count}"))
        clock.now += 0.1
        assert watcher.poll() is None
    # A moment of the file gone (a write through a rename) is one more move of it.
    clock.now += 0.1
    assert watcher.poll() is None
    clock.now += watcher.settle_s + 0.05
    assert watcher.poll() is not None
    execute(session, "reload")
    assert session.stack.resources["jobQueue"].properties["redrivePolicy"]["maxReceiveCount"] == 6
    assert settled(watcher, clock, session) == []


def test_a_burst_that_ends_where_it_began_gives_no_reload(tmp_path: Path) -> None:
    session, config = job_queue(tmp_path)
    watcher, clock = watching(session)
    text = config.read_text("utf-8")
    config.write_text(text + "\n# scratch\n")
    clock.now += 0.1
    assert watcher.poll() is None
    config.write_text(text)
    assert settled(watcher, clock, session) == []


def test_an_edit_that_breaks_the_stack_keeps_the_session_and_is_not_retried(
    tmp_path: Path,
) -> None:
    session, config = job_queue(tmp_path)
    execute(session, SEND)
    execute(session, "advance 10s")
    sim, log = session.sim, list(session.log)
    watcher, clock = watching(session)
    text = config.read_text("utf-8")
    config.write_text(text.replace("    type: sqs-queue\n", "    type: [sqs-queue\n", 1))
    assert settled(watcher, clock, session) == ["stacktape.yml"]
    with pytest.raises(CommandError) as caught:
        execute(session, "reload")
    # Where the stack went wrong, as `reload` typed says it.
    assert "cannot reload: cannot read the stack" in caught.value.message
    assert re.search(r"stacktape\.yml:\d+:\d+: error yaml-syntax", caught.value.format())
    assert session.sim is sim and session.log == log
    # The broken content was acted on: not tried again at every look.
    assert settled(watcher, clock, session) == []
    config.write_text(text.replace("maxReceiveCount: 3", "maxReceiveCount: 4"))
    assert settled(watcher, clock, session) == ["stacktape.yml"]
    result = execute(session, "reload")
    assert "reloaded (stacktape.yml changed, stptui.yml unchanged): replayed 2 commands" in (
        render_plain(result)
    )
    assert settled(watcher, clock, session) == []


INCLUDED_VISIBILITY = "visibilityTimeoutSeconds: $File('queue.yml').visibility"
INCLUDING = """\
serviceName: app
resources:
  jobQueue:
    type: sqs-queue
    properties:
      visibilityTimeoutSeconds: $File('limits.yml').visibility
      delaySeconds: $File('later.yml').delay
"""


def test_a_file_a_directive_read_is_watched_and_a_missing_one_that_appears(
    tmp_path: Path,
) -> None:
    (tmp_path / "stacktape.yml").write_text(INCLUDING)
    limits = tmp_path / "limits.yml"
    limits.write_text("visibility: 30\n")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    later = tmp_path / "later.yml"
    # The loader says what it read, the missing file too (the stack's diagnostics say so).
    assert session.stack.included_files.keys() == {limits, later}
    assert session.stack.included_files[later] is None
    assert ("included file", limits) in [(f.what, f.path) for f in watched(session)]
    watcher, clock = watching(session)
    limits.write_text("visibility: 45\n")
    assert settled(watcher, clock, session) == ["limits.yml"]
    result = render_plain(execute(session, "reload"))
    assert result.startswith("reloaded (stacktape.yml unchanged, limits.yml changed)")
    assert session.stack.resources["jobQueue"].properties["visibilityTimeoutSeconds"] == 45
    later.write_text("delay: 5\n")
    assert settled(watcher, clock, session) == ["later.yml"]


def test_undo_sees_an_edited_included_file(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(INCLUDING)
    limits = tmp_path / "limits.yml"
    limits.write_text("visibility: 30\n")
    (tmp_path / "later.yml").write_text("delay: 0\n")
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    execute(session, "send jobQueue hello")
    assert session.changed_inputs() == []
    limits.write_text("visibility: 45\n")
    assert session.changed_inputs() == [("included file", limits)]
    # Replaying on the edited file would not give the simulation back.
    with pytest.raises(CommandError, match=r"the included file .*limits\.yml changed"):
        execute(session, "undo")


def test_an_included_file_the_loader_refused_is_not_seen_as_changed(tmp_path: Path) -> None:
    # $File does not follow a link; comparing the link's target would say "changed" at
    # every look, and reload forever.
    (tmp_path / "real.yml").write_text("visibility: 30\ndelay: 0\n")
    (tmp_path / "limits.yml").symlink_to(tmp_path / "real.yml")
    (tmp_path / "later.yml").symlink_to(tmp_path / "real.yml")
    (tmp_path / "stacktape.yml").write_text(INCLUDING)
    session = Session.open(tmp_path / "stacktape.yml", start_ms=T0)
    assert set(session.stack.included_files.values()) == {None}
    assert session.changed_inputs() == []
    watcher, clock = watching(session)
    assert settled(watcher, clock, session) == []


def including(folder: Path) -> Path:
    """A stack in `folder` whose queue reads `limits.yml` (written) and `later.yml` (missing)."""
    folder.mkdir(exist_ok=True)
    (folder / "stacktape.yml").write_text(INCLUDING)
    (folder / "limits.yml").write_text("visibility: 30\n")
    return folder / "stacktape.yml"


def loaded(session: Session, saved: Path) -> str:
    """`load` of `saved` in `session`: "loaded", or the refusal's message and hint."""
    try:
        execute(session, f"load {saved}")
    except CommandError as exc:
        return f"{exc.message} | {exc.hint}"
    return "loaded"


def test_a_saved_session_records_the_included_files_and_load_names_an_edited_one(
    tmp_path: Path,
) -> None:
    config = including(tmp_path / "stack")
    session = Session.open(config, start_ms=T0)
    execute(session, "send jobQueue hello")
    execute(session, "advance 1m")
    saved = config.parent / "run.json"
    execute(session, f"save {saved}")
    limits_sha = hashlib.sha256(b"visibility: 30\n").hexdigest()
    # Beside the stack, named relative to the session file; the missing one as missing.
    doc = json.loads(saved.read_text())
    assert doc["included_sha256"] == {"limits.yml": limits_sha, "later.yml": None}
    # The folder moves as one.
    shutil.copytree(config.parent, tmp_path / "moved")
    moved = tmp_path / "moved"
    other = Session.open(JOB_QUEUE, start_ms=T0)
    assert loaded(other, moved / "run.json") == "loaded"
    assert other.log == ["send jobQueue hello", "advance 1m"]
    (moved / "limits.yml").write_text("visibility: 45\n")
    kept = other.sim
    assert loaded(other, moved / "run.json") == (
        f"the included file {moved / 'limits.yml'} changed since the session was saved | "
        "a saved session replays only against the exact files it was made from"
    )
    (moved / "limits.yml").write_text("visibility: 30\n")
    # A file missing when the session was saved and written since changed it too: the
    # stack now reads it, where it read nothing.
    (moved / "later.yml").write_text("delay: 0\n")
    assert loaded(other, moved / "run.json").startswith(
        f"the included file {moved / 'later.yml'} changed since the session was saved"
    )
    (moved / "later.yml").unlink()
    (moved / "limits.yml").unlink()
    assert loaded(other, moved / "run.json") == (
        f"cannot read the saved session's included file {moved / 'limits.yml'}: it does not "
        "exist | a session file names the files it was made from relative to its own folder: "
        "keep run.json beside them (share them together)"
    )
    assert other.sim is kept


def test_a_session_file_without_included_digests_still_loads(tmp_path: Path) -> None:
    # Saved before session files recorded them: it loads as it did, and a replay that no
    # longer matches says the included files are what may have changed.
    config = including(tmp_path)
    session = Session.open(config, start_ms=T0)
    execute(session, "send jobQueue hello")
    execute(session, "advance 1m")
    saved = tmp_path / "run.json"
    execute(session, f"save {saved}")
    doc = json.loads(saved.read_text())
    del doc["included_sha256"]
    saved.write_text(json.dumps(doc))
    assert loaded(session, saved) == "loaded"
    (tmp_path / "later.yml").write_text("delay: 5\n")
    assert loaded(session, saved) == (
        f"{saved}: replaying the commands does not reproduce the saved simulation | saved at "
        "2026-01-05T08:01:00.000Z, replayed to 2026-01-05T08:01:00.000Z; run.json was saved "
        "by a stptui that did not record the files the stack's $File and $FileRaw read: has "
        "one of them (later.yml, limits.yml) changed since?"
    )


def test_an_included_link_is_saved_as_the_link_and_loads(tmp_path: Path) -> None:
    # $File read nothing through the link: the session file names the link, not what it
    # points to, which a load would read and find "changed".
    config = including(tmp_path)
    (tmp_path / "real.yml").write_text("delay: 0\n")
    (tmp_path / "later.yml").symlink_to(tmp_path / "real.yml")
    session = Session.open(config, start_ms=T0)
    saved = tmp_path / "run.json"
    execute(session, f"save {saved}")
    assert json.loads(saved.read_text())["included_sha256"]["later.yml"] is None
    assert loaded(session, saved) == "loaded"


def saved_with_code(tmp_path: Path) -> tuple[Path, Path]:
    """A session of `helper_stack` opened with --allow-code, whose handler ran (so that it
    imported `limits.py` as it ran), saved beside its stack: the stack's folder and the file."""
    stack, _ = helper_stack(tmp_path)
    session = Session.open(stack, start_ms=T0, allow_code=True)
    execute(session, "send jobQueue '{\"amount\": 20}'")
    execute(session, "advance 1m")
    saved = stack / "run.json"
    execute(session, f"save {saved}")
    return stack, saved


def test_a_saved_session_records_the_handler_modules_and_load_names_an_edited_one(
    tmp_path: Path,
) -> None:
    stack, saved = saved_with_code(tmp_path)
    # Every module the handlers imported from their folder, the one imported as the handler
    # ran included, named relative to the session file.
    modules = [
        "limits.py",
        "order_handlers.py",
        "pricing.py",
        "rules/__init__.py",
        "rules/check.py",
    ]
    assert json.loads(saved.read_text())["code_sha256"] == {
        name: hashlib.sha256((stack / name).read_bytes()).hexdigest() for name in modules
    }
    # The folder moves as one, and loads where --allow-code trusts its behaviours file.
    moved = tmp_path / "moved"
    shutil.copytree(stack, moved)
    other = Session.open(moved, start_ms=T0, allow_code=True)
    assert loaded(other, moved / "run.json") == "loaded"
    assert other.log == ["send jobQueue '{\"amount\": 20}'", "advance 1m"]
    kept = other.sim
    # An edit that would change what the handler does: named before anything replays.
    (moved / "limits.py").write_text("LIMIT = 10\n", encoding="utf-8")
    assert loaded(other, moved / "run.json") == (
        f"the handler module {moved / 'limits.py'} changed since the session was saved | the "
        "handlers' Python code changed since the save, so replaying the commands would run "
        "other code and not give the saved simulation; put the module back as it was to load it"
    )
    (moved / "limits.py").write_text("LIMIT = 1000\n", encoding="utf-8")
    (moved / "rules" / "check.py").unlink()
    assert loaded(other, moved / "run.json") == (
        f"cannot read the saved session's handler module {moved / 'rules' / 'check.py'}: No "
        "such file or directory | a session file names the files it was made from relative "
        "to its own folder: keep run.json beside them (share them together)"
    )
    assert other.sim is kept


def test_a_session_file_without_handler_module_digests_still_loads(tmp_path: Path) -> None:
    # Saved before session files recorded them: it loads as it did, and a replay that no
    # longer matches says the handler modules are what may have changed.
    stack, saved = saved_with_code(tmp_path)
    doc = json.loads(saved.read_text())
    del doc["code_sha256"]
    saved.write_text(json.dumps(doc))
    session = Session.open(stack, start_ms=T0, allow_code=True)
    assert loaded(session, saved) == "loaded"
    (stack / "limits.py").write_text("LIMIT = 10\n", encoding="utf-8")
    assert loaded(session, saved) == (
        f"{saved}: replaying the commands does not reproduce the saved simulation | saved at "
        "2026-01-05T08:01:00.000Z, replayed to 2026-01-05T08:01:00.000Z; run.json was saved "
        "by a stptui that did not record the Python modules its handlers imported: has one of "
        "them (__init__.py, check.py, limits.py, order_handlers.py, pricing.py) changed since?"
    )


def test_a_session_without_python_handlers_records_no_modules(tmp_path: Path) -> None:
    # Nothing imported, nothing recorded: the file is what earlier versions wrote.
    config = including(tmp_path)
    session = Session.open(config, start_ms=T0)
    execute(session, f"save {tmp_path / 'run.json'}")
    assert "code_sha256" not in json.loads((tmp_path / "run.json").read_text())


def test_the_toolbar_reads_only_the_files_whose_stat_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The REPL's toolbar (and the terminal UI under --no-watch) looks once a second on the
    # UI's thread: an unchanged file costs a stat there, not a read and a hash.
    stack, _ = helper_stack(tmp_path)
    (stack / "queue.yml").write_text("visibility: 30\n")
    config = stack / "stacktape.yml"
    text = config.read_text("utf-8")
    config.write_text(text.replace("visibilityTimeoutSeconds: 300", INCLUDED_VISIBILITY, 1))
    session = Session.open(stack, start_ms=T0, allow_code=True)
    execute(session, "send jobQueue '{\"amount\": 20}'")
    execute(session, "advance 1m")
    inputs = session.input_files()
    assert {f.what for f in inputs} == {
        "stack",
        "included file",
        "behaviours file",
        "handler module",
    }
    long_ago = time.time() - 600  # saved minutes ago: no racy look
    for f in inputs:
        os.utime(f.path, (long_ago, long_ago))
    reads: list[str] = []
    listed = Session.input_files

    def counted(self: Session) -> list[InputFile]:
        def read(path: Path, by: Callable[[Path], str | None]) -> str | None:
            reads.append(path.name)
            return by(path)

        return [replace(f, read=partial(read, by=f.read)) for f in listed(self)]

    monkeypatch.setattr(Session, "input_files", counted)
    monkeypatch.setattr("stptui.repl.toolbar.CHANGE_CHECK_S", 0.0)
    toolbar = Toolbar(session)
    assert toolbar.changed_files() == []
    assert sorted(reads) == sorted(f.path.name for f in inputs)
    reads.clear()
    for _ in range(3):
        assert toolbar.changed_files() == []
    assert reads == []
    (stack / "queue.yml").write_text("visibility: 45\n")
    assert toolbar.changed_files() == ["queue.yml"]
    assert reads == ["queue.yml"]


def test_a_behaviours_file_written_beside_the_stack_is_picked_up(tmp_path: Path) -> None:
    session, config = job_queue(tmp_path)
    sidecar = config.parent / "stptui.yml"
    text = sidecar.read_text("utf-8")
    sidecar.unlink()
    session = Session.open(config.parent, start_ms=T0)
    assert session.behaviors_path is None
    watcher, clock = watching(session)
    sidecar.write_text(text)
    assert settled(watcher, clock, session) == ["stptui.yml"]
    assert "stptui.yml found" in render_plain(execute(session, "reload"))
    assert settled(watcher, clock, session) == []


def test_a_reload_typed_meanwhile_leaves_nothing_to_act_on(tmp_path: Path) -> None:
    session, config = job_queue(tmp_path)
    watcher, clock = watching(session)
    config.write_text(config.read_text("utf-8").replace("maxReceiveCount: 3", "maxReceiveCount: 4"))
    clock.now += 0.1
    assert watcher.poll() is None
    execute(session, "reload")
    assert settled(watcher, clock, session) == []


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("no_watch", [False, True])
def test_the_repl_and_the_ui_watch_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, no_watch: bool
) -> None:
    asked: dict[str, object] = {}

    class Front:
        """Stands in for the REPL and the app: says how it was made."""

        def __init__(self, session: Session, **options: object) -> None:
            asked.update(options)

        def run(self) -> int:
            return 0

    monkeypatch.setattr("stptui.repl.app.Repl", Front)
    monkeypatch.setattr("stptui.tui.app.StptuiApp", Front)
    monkeypatch.setattr("sys.stdin", _Tty())
    monkeypatch.setattr("sys.stdout", _Tty())
    flag = ["--no-watch"] if no_watch else []
    assert cli_main(["repl", str(JOB_QUEUE), *flag]) == 0
    assert asked.pop("watch") is not no_watch
    assert cli_main([str(JOB_QUEUE), *flag]) == 0
    assert asked.pop("watch") is not no_watch


def test_a_helper_module_a_handler_imported_as_it_ran_is_watched(tmp_path: Path) -> None:
    stack, files = helper_stack(tmp_path)
    session = Session.open(stack, start_ms=T0, allow_code=True)
    watcher, clock = watching(session)
    # `limits` is imported inside the handler: it joins the files once the handler ran.
    assert files["limits"] not in [f.path for f in watched(session)]
    execute(session, "send jobQueue '{\"amount\": 20}'")
    execute(session, "advance 1m")
    assert settled(watcher, clock, session) == []
    files["limits"].write_text("LIMIT = 10\n", encoding="utf-8")
    assert settled(watcher, clock, session) == ["limits.py"]
    assert "limits.py changed" in render_plain(execute(session, "reload"))
    assert settled(watcher, clock, session) == []
