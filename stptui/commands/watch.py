"""Watching the files a session was built from, for the REPL and the terminal UI: when
one is saved with other bytes, they run `reload`, as if the user had typed it.

The files are the session's own list (`Session.input_files`): the stack, every file its
directives read (`$File`, `$FileRaw`: the loader records them, a missing one too), the
behaviours file, and with --allow-code the Python modules the handlers imported from their
folder; and, for a session opened without a behaviours file, the `stptui.yml` a reload
would find next to the stack. Each is compared by content with what the session read: a
save that writes the same bytes (an editor's `:w` on an unchanged buffer, a `touch`)
changes nothing. `stat` tells when to read a file again, so a look at unchanged files reads
none, except one changed within the last `RACY_S` seconds, whose change may not show in a
file system's coarse modification times (git's "racily clean" files).

Editors often write a file twice (a backup then the file, or a write then a rename): a
change is acted on once the files have looked the same for `SETTLE_S`, so a burst of saves
gives one reload. A change acted on is not acted on again: a reload the new content makes
fail (an invalid stack) is not retried until the file changes once more, and the running
session stays as it was, as a typed `reload` leaves it.

No polling library and no thread here: the front end calls `sync` on the session's
thread (it reads the session) and `poll` on any thread (it only reads files); a lock keeps
the two apart (a look left running by a prompt that closed meanwhile). The clocks are
injectable, so tests need no sleep. `stptui run` never watches: a
script gives the same trace whatever is saved meanwhile.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stptui.commands.session import InputFile
from stptui.textsafe import printable

if TYPE_CHECKING:
    from stptui.commands.session import Session

# How often the front ends look, in seconds: a stat of each file (a few dozen at most),
# often enough that a reload follows a save before the user looks back.
POLL_S = 0.5
# How long the files must look the same before a change is acted on.
SETTLE_S = 0.3
# A file modified this recently is read again even when its stat looks unchanged.
RACY_S = 2.0

# What a file's stat says of its content: a change of any of these is a reason to read it.
Signature = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class FileChange:
    """The files whose content changed since the session read them (or since the last
    change acted on): what each is and its path."""

    files: tuple[tuple[str, Path], ...]

    def names(self) -> str:
        """`stacktape.yml, vars.yml`: the files' names, printable, sorted."""
        return ", ".join(sorted({printable(path.name) for _, path in self.files}))

    def text(self) -> str:
        """`stacktape.yml changed on disk`: what a front end says before the reload's answer."""
        return f"{self.names()} changed on disk"


def watched(session: Session) -> list[InputFile]:
    """The files to watch for `session`: its inputs, and for a session that found no
    behaviours file, the `stptui.yml` (or `.yaml`) a reload would find next to the stack."""
    files = session.input_files()
    if session.finds_sidecar:
        from stptui.sim.behavior.runtime import SIDECAR_NAMES

        folder = session.stack_path.parent
        files += [InputFile("behaviours file", folder / name, None) for name in SIDECAR_NAMES]
    return files


class FileDigests:
    """Each file's digest now, read again only when its stat says it may have changed: a
    look at an unchanged file costs a stat, not a read and a hash. What the watcher looks
    with, and what the REPL's toolbar and the terminal UI under --no-watch ask, once a
    second on their UI's thread, which of a session's files changed. Not for two threads
    at once: each has its own."""

    def __init__(self, *, wall: Callable[[], float] = time.time) -> None:
        self.wall = wall
        # Each file's stat and digest when last read.
        self._seen: dict[Path, tuple[Signature, str | None]] = {}

    def digest(self, file: InputFile) -> str | None:
        """The file's digest now (None: none can be read), by the rules it was read with."""
        try:
            st = os.stat(file.path)
        except (OSError, ValueError):
            self._seen.pop(file.path, None)
            return None  # gone: nothing to read
        sig = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        seen = self._seen.get(file.path)
        if seen is not None and seen[0] == sig and self.wall() - st.st_mtime_ns / 1e9 > RACY_S:
            return seen[1]
        digest = file.read(file.path)
        self._seen[file.path] = (sig, digest)
        return digest

    def changed(self, session: Session) -> list[tuple[str, Path]]:
        """`Session.changed_inputs`, each file read only when its stat moved: the files
        `session` was made from (what each is, its path) that differ on disk from what it
        read, or are gone."""
        return [(f.what, f.path) for f in session.input_files() if self.digest(f) != f.digest]


class InputWatcher:
    """The session's files, looked at by `poll`; see the module's docstring."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        settle_s: float = SETTLE_S,
    ) -> None:
        self.clock = clock
        self.settle_s = settle_s
        self._digests = FileDigests(wall=wall)
        self._files: list[InputFile] = []
        # The simulation the files were taken from: another one (reload, undo, load) was
        # built from the files as they were then, which are what to compare with.
        self._sim_id: int | None = None
        # Each file's content as last acted on: the session's digest, or what a change
        # acted on found (so that a reload it makes fail is not tried again).
        self._base: dict[Path, str | None] = {}
        # The digests the last look found, and when they last differed from the look before.
        self._looked: dict[Path, str | None] = {}
        self._moved_at = 0.0
        # What the last change acted on replaced (`put_back`).
        self._replaced: dict[Path, str | None] = {}
        self._lock = threading.Lock()

    def sync(self, session: Session) -> None:
        """Take the files to watch from `session` (on the session's thread): after a
        rebuild, the digests of what it read; otherwise only the files that joined (a
        helper module a handler imported as it ran)."""
        files = watched(session)
        with self._lock:
            rebuilt = id(session.sim) != self._sim_id
            self._sim_id = id(session.sim)
            base = {} if rebuilt else self._base
            self._base = {f.path: base.get(f.path, f.digest) for f in files}
            self._files = files

    def poll(self) -> FileChange | None:
        """Look at the files (on any thread): the change to act on, once the files have
        settled; None when there is none yet."""
        with self._lock:
            now = self.clock()
            looked = {f.path: self._digests.digest(f) for f in self._files}
            if looked != self._looked:
                self._looked = looked
                self._moved_at = now
            changed = [f for f in self._files if looked[f.path] != self._base.get(f.path)]
            if not changed or now - self._moved_at < self.settle_s:
                return None
            self._replaced = dict(self._base)
            self._base.update(looked)
            return FileChange(tuple((f.what, f.path) for f in changed))

    def put_back(self) -> None:
        """The last change was not acted on after all (the front end could not reload at
        that moment): the next look finds it again."""
        with self._lock:
            self._base.update({p: d for p, d in self._replaced.items() if p in self._base})
            self._replaced = {}
