"""The watcher behind the REPL's and the terminal UI's reload on save
(`stptui.commands.watch`): a saved change of content gives one reload, a save of the same
bytes none, a burst of saves one; the files a `$File` read are watched (and `undo` sees them
changed); an edit that breaks the stack keeps the session and is not retried. Its clock is
injected: nothing here sleeps."""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from test_undo_reload import helper_stack

from stptui.cli import main as cli_main
from stptui.commands import CommandError, Session, execute
from stptui.commands.result import render_plain
from stptui.commands.watch import InputWatcher, watched
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
