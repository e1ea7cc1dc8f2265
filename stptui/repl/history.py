"""Where the REPL keeps its command history: `$XDG_STATE_HOME/stptui/history`.

The XDG Base Directory spec puts history in the state directory, `~/.local/state` by
default, and says a relative `XDG_STATE_HOME` is to be ignored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from prompt_toolkit.history import FileHistory, History, InMemoryHistory


def history_path(env: Mapping[str, str] | None = None) -> Path:
    """The history file's path (its directory may not exist yet)."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "stptui" / "history"


def open_history(path: Path | None = None) -> tuple[History, str | None]:
    """A file history at `path` (default `history_path()`), creating its directory; an
    in-memory one, with the reason, when the file cannot be used."""
    path = path or history_path()
    try:
        # 0o700: the history holds message bodies, which may be private.
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        return InMemoryHistory(), f"history not saved: {path}: {exc.strerror or exc}"
    return FileHistory(path), None
