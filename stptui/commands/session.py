"""A session: one stack, its behaviours, a seed and a start instant, the Simulator built from
them, and the log of the state-changing commands applied to it.

Saving and loading are by replay, on purpose. `save FILE` writes what the simulation was
made from (stack and behaviours paths with their SHA-256 digests, seed, start instant,
whether code was allowed) and the list of state-changing commands, plus the virtual time
and a digest of the trace. `load FILE` builds a fresh Simulator from the same inputs,
replays the commands, checks that the clock and the trace digest come out identical, and
only then swaps the new simulation in. Because the simulator is deterministic (design
rule 1) the replayed state is the saved state; and because a session file holds only JSON
text, loading one never unpickles or evaluates anything it contains. A file that does not
replay exactly (stack or behaviours edited since, different simulator version, tampering)
is refused and the current simulation is left as it was. The files the stack's `$File` and
`$FileRaw` read are recorded with their digests too (`included_sha256`, absent from files
saved before it was, and from those of a stack that includes none), so that a load names an
edited one as it names an edited stack; so are the Python modules the handlers of a session
opened with `--allow-code` imported from their folder (`code_sha256`, likewise absent from
older files and from those that ran no Python), as they were when first imported.

The file is written atomically: a temporary file in the same directory, flushed and
fsynced, then renamed over the target, so a crash leaves either the old file or the new.
The target keeps its mode (a new one gets the usual 0o666 less the umask).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stptui import jsontext
from stptui.commands.rebuild import Rebuild, Replay
from stptui.commands.registry import CommandError, quote_word, tokenize
from stptui.config import (
    DEFAULT_REGION,
    DEFAULT_STAGE,
    SCRIPT_SUFFIX,
    ConfigError,
    Diagnostic,
    Stack,
    find_config,
    load_stack,
    project_name_error,
    stack_option_words,
    stage_error,
)
from stptui.config.loader import MAX_BYTES as MAX_CONFIG_BYTES
from stptui.config.model import Containerized, ContainerWorkload, Queue, StateMachine
from stptui.sim.clock import InstantRangeError, iso_ms, parse_instant
from stptui.sim.engine import DEFAULT_START_MS, Simulator
from stptui.sim.trace import Subscriber, Trace
from stptui.textsafe import json_text, printable, quoted

if TYPE_CHECKING:
    import networkx as nx

    from stptui.commands.recording import Recorder

SAVE_VERSION = 1
MAX_SESSION_BYTES = 64 * 1024 * 1024
# How a session file starts (`to_json`'s first two keys, as `save` writes them), and how
# many of its first bytes tell it: `load`'s completion reads no more of a file.
_SESSION_START = re.compile(rb'\{\s*"version"\s*:\s*\d+\s*,\s*"stack"\s*:')
SESSION_HEAD_BYTES = 64


def is_session_start(head: bytes) -> bool:
    """Whether `head`, a file's first SESSION_HEAD_BYTES bytes, starts as a session file
    `save` writes (a JSON object whose first keys are `version` and `stack`)."""
    return _SESSION_START.match(head) is not None


class SessionError(Exception):
    """A stack or behaviours file that cannot be simulated; `diagnostics` say why."""

    def __init__(self, message: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics


# How many container workloads `idle_note` names before it says how many more there are.
IDLE_NOTE_NAMES = 3
# The entry points that send HTTP requests to a container (a network load balancer's is TCP).
HTTP_ENTRY_TYPES = frozenset({"http-api-gateway", "application-load-balancer"})


# What a stack without handlers can still be driven with: a resource type and the command
# that drives it, in the order `idle_note` names them.
DRIVABLE = (
    ("sqs-queue", "send"),
    ("event-bus", "publish"),
    ("sns-topic", "publish-sns"),
    ("bucket", "upload"),
    ("dynamo-db-table", "put-item"),
    ("kinesis-stream", "put-record"),
    ("user-auth-pool", "sign-up"),
)


def work_starters(stack: Stack, g: nx.MultiDiGraph) -> list[tuple[str, str]]:
    """The DRIVABLE commands that set work off in `stack`, each with the first resource of
    its type whose work reaches something that runs along the stack's graph `g`
    (`graph.sets_work_off`), in DRIVABLE order: `upload` to a bucket nothing is notified of
    would be what a newcomer types first, to no effect. Where nothing in the stack runs,
    every drivable type's first resource: a table or a user pool alone still answers its
    commands. Both `stptui STACK`'s "drive it" line and the REPL's "drive it with" hint
    name these."""
    # Imported here: the graph module brings networkx, which start-up does without.
    from stptui.graph import RUNNING_TYPES, sets_work_off

    by_type: dict[str, list[str]] = {}
    for res in stack.resources.values():
        by_type.setdefault(res.type, []).append(res.name)
    drivable = [(command, by_type[rtype]) for rtype, command in DRIVABLE if rtype in by_type]
    starters = [
        (command, name)
        for command, names in drivable
        if (name := next((n for n in names if sets_work_off(g, n)), None)) is not None
    ]
    if not starters and not RUNNING_TYPES & by_type.keys():
        return [(command, names[0]) for command, names in drivable]
    return starters


def idle_note(stack: Stack, polls: bool = False, behaviors: Path | None = None) -> str | None:
    """One line for whoever opens a stack in which nothing runs on the simulator, saying
    why and which of its resources commands still drive (a queue, a table, a user pool), or
    None. Many real Stacktape configs are workers, databases and frontends only; opened
    without a word, such a stack looks like a simulator that does nothing.

    Functions, batch jobs and state machines run, and so do containers that take HTTP
    requests (through an HTTP API route or a load balancer rule, a web service's own entry
    among them), which answer through their behaviours, and, when `polls` (the behaviours
    file declares `poll` items), workers that poll queues. A worker that connects to a queue
    is named with the `poll` item that runs it, in `behaviors` (the session's behaviours
    file) or in the file `stptui init` writes when there is none."""
    if polls or stack.workloads or stack.of_type(StateMachine) or _serves_http(stack):
        return None
    drivable = [
        f"{command} ({rtype} {quoted(res[0].name)}{' ...' if len(res) > 1 else ''})"
        for rtype, command in DRIVABLE
        if (res := [r for r in stack.resources.values() if r.type == rtype])
    ]
    why = "it has no function, batch job, state machine or container that takes HTTP requests"
    if drivable:
        # A user pool or a table alone answers its commands: "nothing runs" would send the
        # user away from a stack they can drive.
        note = f"no handler runs in this stack ({why}), but you can drive {', '.join(drivable)}"
    else:
        note = f"nothing in this stack runs on the simulator: {why}"
    pollers = poll_candidates(stack)
    if pollers:
        # "Drawn, not run" would be wrong for these: one `poll` item away from running.
        from stptui.yamltext import yaml_key

        first, queues = pollers[0]
        item = f"{yaml_key(first.name)}: {{poll: {{queue: {yaml_key(queues[0])}}}}}"
        where = (
            f"add it in {printable(behaviors.name)}"
            if behaviors is not None
            else "`stptui init` writes the entry with it commented out"
        )
        runs = (
            "runs once its behaviours entry polls a queue it connects to"
            if len(pollers) == 1
            else "run once their behaviours entries poll a queue they connect to"
        )
        note += f"; {_typed_names([r for r, _ in pollers])} {runs}: {item} ({where})"
    polling = {r.name for r, _ in pollers}
    drawn = [r for r in stack.containerized if r.name not in polling]
    if drawn:
        other = "other " if pollers else ""
        note += f"; {other}containers are drawn, not run ({_typed_names(drawn)})"
    return note


def _typed_names(resources: list[Containerized]) -> str:
    """`worker-service 'a', web-service 'b', 2 more`: at most IDLE_NOTE_NAMES named."""
    names = [f"{r.type} {quoted(r.name)}" for r in resources[:IDLE_NOTE_NAMES]]
    if len(resources) > IDLE_NOTE_NAMES:
        names.append(f"{len(resources) - IDLE_NOTE_NAMES} more")
    return ", ".join(names)


def poll_candidates(stack: Stack) -> list[tuple[Containerized, list[str]]]:
    """The stack's container workloads whose connectTo names queues, each with those
    queues: what a `poll` item in the behaviours file would make run (as `stptui init`
    offers it, commented out)."""
    found = []
    for r in stack.containerized:
        queues = [
            ref.target
            for ref in r.connect_to
            if ref.target is not None and isinstance(stack.resources.get(ref.target), Queue)
        ]
        if queues:
            found.append((r, list(dict.fromkeys(queues))))
    return found


def starter_note(session: Session) -> str | None:
    """One line for whoever opens a stack that has handlers and no behaviours file: what
    the handlers do then, and the command that writes a starter file. None otherwise."""
    stack = session.stack
    if session.behaviors_path is not None or not (stack.workloads or stack.containerized):
        return None
    return (
        "no behaviours file: every handler succeeds in 100 ms and returns null; "
        f"`{init_line(session)}` writes a starter stptui.yml beside the stack"
    )


# The banner's first line fits a terminal this wide: the path it names is shortened to fit.
BANNER_WIDTH = 80
# A path is never cut shorter than this: its file name and its folder stay readable.
MIN_PATH_WIDTH = 24
ELLIPSIS = "…"


def shown_path(
    path: str | Path, limit: int, *, cwd: Path | None = None, home: Path | None = None
) -> str:
    """`path` as a person reads it in a line of `limit` characters: relative to `cwd` when
    it is inside it, `~/...` when inside `home`, and cut in the middle when still too long
    (`/srv/…/project/stacktape.yml`, or `…/project/stacktape.yml` when even that is too
    long), its file name and folder always kept. Printable."""
    full = Path(os.path.abspath(path))
    cwd = Path.cwd() if cwd is None else cwd
    home = Path.home() if home is None else home
    if full.is_relative_to(cwd) and full != cwd:
        text = str(full.relative_to(cwd))
    elif full.is_relative_to(home) and full != home:
        text = str(Path("~") / full.relative_to(home))
    else:
        text = str(full)
    text = printable(text)
    if len(text) <= limit:
        return text
    parts = Path(text).parts
    # Keep the first part (`/`, `~` or a top folder) and as many of the last ones as fit,
    # the file and its folder at least: which file is meant is never lost.
    head, tail = parts[0], list(parts[-2:])
    for part in reversed(parts[1:-2]):
        if len(str(Path(head, ELLIPSIS, part, *tail))) > limit:
            break
        tail.insert(0, part)
    if len(parts) <= 3:
        return text
    cut = str(Path(head, ELLIPSIS, *tail))
    # Still too long with its first part: without it (`…/combined/stacktape.yml`), so that
    # a banner keeps to its one line.
    return cut if len(cut) <= limit else str(Path(ELLIPSIS, *tail))


def banner_lines(session: Session, program: str = "stptui repl") -> list[str]:
    """The REPL's first lines: the stack, its file and resources in one line that fits
    BANNER_WIDTH columns (the path shortened to fit), then the seed and the start."""
    name = printable(session.stack.service_name)
    count = len(session.stack.resources)
    rest = f"{program}: {name} (), {count} resources"
    path = shown_path(session.stack_path, max(MIN_PATH_WIDTH, BANNER_WIDTH - len(rest)))
    return [
        f"{program}: {name} ({path}), {count} resources",
        f"seed {session.seed}, start {iso_ms(session.start_ms)}",
    ]


def init_line(session: Session) -> str:
    """The `stptui init` line that writes a starter behaviours file for the session's
    stack: its path as the session was opened with it, and the options that chose its
    stage, region and project (those at their default left out), for the user to type."""
    words = [
        session.stack_name,
        *stack_option_words(session.stage, session.region, session.project),
    ]
    return "stptui init " + " ".join(quote_word(w) for w in words)


def _serves_http(stack: Stack) -> bool:
    """Whether a container of the stack takes HTTP requests: a web service with an HTTP API
    or application load balancer of its own, or a container workload's event on one."""
    if any(e.type in HTTP_ENTRY_TYPES for e in stack.web_service_entries):
        return True
    return any(
        t.type in HTTP_ENTRY_TYPES for r in stack.of_type(ContainerWorkload) for t in r.events
    )


def default_behaviors_path(stack_file: Path) -> Path | None:
    """`stptui.yml` (or `.yaml`) next to the stack file, when there is one."""
    from stptui.sim.behavior import find_sidecar

    return find_sidecar(stack_file)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a regular file's bytes, in hex; OSError for anything else (a path a
    session file names, or a file replaced since the session opened): /dev/zero would be
    read forever, a FIFO until someone writes to it."""
    if not stat.S_ISREG(path.stat().st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def trace_sha256(trace: Trace) -> str:
    """The SHA-256 of the trace as JSON Lines (the records the ring still holds).

    For a trace that never overflowed its ring this equals the digest of the file
    `--trace` writes; each line carries its `seq`, so dropped records change it too."""
    h = hashlib.sha256()
    for rec in trace.records:
        h.update(rec.to_line().encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    return h.hexdigest()


def same_file(a: Path, b: Path) -> bool:
    """True when `a` and `b` are one file (the same path, or links to one); False when
    either does not exist."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # ValueError: a NUL or a lone surrogate, no file's name
        return False


def writable_target(path: Path) -> None:
    """Refuse to write over anything but a regular file: a save renames its temporary file
    over the target, and a device (`/dev/full`) or a FIFO is nothing to replace."""
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISREG(path.stat().st_mode):
            raise CommandError(f"{path} is not a regular file", "give the name of a file")


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the whole new one.

    The file keeps the mode it had; a new file gets the mode any new file gets (0o666 less
    the umask), not the private 0o600 of a temporary file."""
    writable_target(path)
    directory = path.parent
    mode = existing_mode(path)
    fd, tmp = create_temporary(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            # Created less the umask: an existing file's own mode may have more bits.
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # The rename is durable only once the directory entry is; not every OS can fsync one.
    with contextlib.suppress(OSError):
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def existing_mode(path: Path) -> int | None:
    """The permission bits of the file at `path`, which a file renamed over it keeps; None
    when there is none."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


def create_temporary(path: Path) -> tuple[int, str]:
    """A new, empty file next to `path`, open for writing: (descriptor, name).

    Created with mode 0o666, which the OS reduces by the umask as for any new file
    (tempfile.mkstemp would make it 0o600, and the rename would give the target that)."""
    # O_BINARY (Windows only): the text layer above writes the newlines, not the C runtime.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        with contextlib.suppress(FileExistsError):
            return os.open(tmp, flags, 0o666), str(tmp)
    raise FileExistsError(errno.EEXIST, "no free name for a temporary file", str(path.parent))


def sha256_or_none(path: Path) -> str | None:
    """`file_sha256`, or None for a file that cannot be read (gone, not a regular file)."""
    try:
        return file_sha256(path)
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file a session was made from: what it is, where, the SHA-256 of the bytes read
    (None: none could be read, a `$File` of a missing file), and how to read its digest
    now by the rules it was read with (the stack is read through a link, a `$File` never)."""

    what: str
    path: Path
    digest: str | None
    read: Callable[[Path], str | None] = sha256_or_none

    def changed(self) -> bool:
        """Whether the file on disk now differs from what the session read."""
        return self.read(self.path) != self.digest


class Session:
    """The state every front end (script runner, REPL, TUI) drives through `execute`."""

    def __init__(
        self,
        *,
        stack_path: Path,
        stack: Stack,
        stack_sha256: str,
        behaviors_path: Path | None,
        behaviors_sha256: str | None,
        sim: Simulator,
        seed: int,
        start_ms: int,
        allow_code: bool,
        diagnostics: list[Diagnostic] | None = None,
        stage: str = DEFAULT_STAGE,
        region: str = DEFAULT_REGION,
        project: str | None = None,
        stack_name: str | None = None,
        behaviors_name: str | None = None,
        code_sha256: dict[Path, str] | None = None,
        finds_sidecar: bool = False,
    ) -> None:
        self.stack_path = stack_path
        self.stack = stack
        self.stack_sha256 = stack_sha256
        self.behaviors_path = behaviors_path
        self.behaviors_sha256 = behaviors_sha256
        # What the files were called when the session opened (the paths as given): the names
        # diagnostics and the trace's runtime errors quote. A rebuild (undo, reload, load)
        # reopens the resolved paths under these names, so that it words them the same.
        self.stack_name = str(stack_path) if stack_name is None else stack_name
        self.behaviors_name = (
            str(behaviors_path) if behaviors_name is None and behaviors_path else behaviors_name
        )
        # The files of the Python modules the handlers loaded (--allow-code: the handler
        # modules and the helpers they import from their folder, at open or as they ran) and
        # their digests when imported: a rebuild imports them again, so an edited one would
        # replay other handlers. The behaviours' own dict, which grows as helpers load.
        self.code_sha256 = {} if code_sha256 is None else code_sha256
        # Opened without --behaviors and with none next to the stack: `reload` looks for a
        # `stptui.yml` again, so that one written since is read (undo never does: it
        # replays on the files as they were).
        self.finds_sidecar = finds_sidecar
        self.sim = sim
        self.seed = seed
        self.start_ms = start_ms
        self.allow_code = allow_code
        # What $Stage() and $Region() resolve to, and so every name and ARN.
        self.stage = stage
        self.region = region
        # The project name given (`--project-name`), None when none was; the stack's
        # serviceName, when it has one, still names the stack (see `load_stack`).
        self.project = project
        # Behaviour warnings from opening; front ends show them once.
        self.diagnostics = diagnostics or []
        # The state-changing command lines applied so far, in order: what `save` records.
        self.log: list[str] = []
        # Trace subscribers that follow the session across `load` (e.g. a JSONL writer).
        self.sinks: list[Subscriber] = []
        # The script `record` is writing the log to, if any.
        self.recorder: Recorder | None = None
        # The lines `undo` took back, the next to redo last; a new command clears them.
        self.undone: list[str] = []
        # Where the simulation stood when `undo` (or `redo`) left it: `redo` applies the lines
        # only on that very simulation. The TUI's live clock and a loop stopped by the clock
        # log lines without `execute`, which clears `undone`; this catches those too.
        self.undone_at: tuple[int, int, int, int] | None = None
        # The id the last logged command that printed one printed: what `$last` names
        # (`stptui.commands.references`). Only logged commands set it, so a replay of the
        # log (undo, reload, load) makes it again.
        self.last_id: str | None = None

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        stack_path: str | Path,
        *,
        behaviors_path: str | Path | None = None,
        seed: int = 0,
        start_ms: int = DEFAULT_START_MS,
        allow_code: bool = False,
        default_behaviors: bool = True,
        stage: str = DEFAULT_STAGE,
        region: str = DEFAULT_REGION,
        project: str | None = None,
        stack_name: str | None = None,
        behaviors_name: str | None = None,
        read: Session | None = None,
    ) -> Session:
        """Load the stack (for `stage` in `region`, named by `project` when the config has no
        serviceName) and its behaviours and build a Simulator.

        `behaviors_path` None means `stptui.yml` next to the stack, if present (unless
        `default_behaviors` is False: then no behaviours file at all). Raises
        SessionError (with diagnostics) when either file cannot be read, or the behaviours
        have errors, or the stack's errors leave it without a single resource. Other errors in
        the stack (a `connectTo` naming a resource the snippet never defines, say) do not stop
        the simulation: they are kept in `diagnostics`, because the guide's snippets are
        exactly what people paste and want to drive.

        `stack_name` and `behaviors_name` are what messages call the files (default: the
        paths as given, or found).

        `read`: a session opened from the same `stack_path`, stage, region and project,
        whose stack is taken as it read it rather than read again (see `again`)."""
        from stptui.sim.behavior import Behaviors

        if project is not None and (reason := project_name_error(project)):
            raise SessionError(
                "invalid project name",
                [Diagnostic("error", "invalid-name", reason, "--project-name")],
            )
        try:
            if read is not None:
                stack_file, stack, stack_sha = read.stack_path, read.stack, read.stack_sha256
            else:
                stack_file = find_config(stack_path)
                stack = load_stack(
                    stack_file, stage=stage, region=region, project=project, name=stack_name
                )
                stack_sha = file_sha256(stack_file)
        except ConfigError as exc:
            raise SessionError("cannot read the stack", [exc.diagnostic]) from None
        except OSError as exc:
            raise SessionError(
                "cannot read the stack",
                [
                    Diagnostic(
                        "error",
                        "file-unreadable",
                        f"cannot read the file: {exc.strerror or exc}",
                        str(stack_path),
                    )
                ],
            ) from None
        stack_errors = [d for d in stack.diagnostics if d.severity == "error"]
        if stack_errors and not stack.resources:
            # Errors that leave no resource at all (a file that is not a mapping, say): there
            # is no stack here to drive, only a file to fix.
            raise SessionError("cannot read the stack", stack_errors)
        bpath = Path(behaviors_path) if behaviors_path is not None else None
        if bpath is None and default_behaviors:
            bpath = default_behaviors_path(stack_file)
        try:
            behaviors, diags = Behaviors.load(
                bpath,
                stack,
                allow_code=allow_code,
                name=behaviors_name,
                start_ms=start_ms,
                seed=seed,
            )
            bsha = file_sha256(bpath) if bpath is not None else None
        except ConfigError as exc:
            raise SessionError("cannot read the behaviours", [exc.diagnostic]) from None
        except OSError as exc:
            raise SessionError(
                "cannot read the behaviours",
                [
                    Diagnostic(
                        "error",
                        "file-unreadable",
                        f"cannot read the file: {exc.strerror or exc}",
                        str(bpath),
                    )
                ],
            ) from None
        errors = [d for d in diags if d.severity == "error"]
        if errors:
            raise SessionError(f"{bpath} has errors", errors)
        sim = Simulator(stack, behaviors, seed=seed, start_ms=start_ms)
        return cls(
            # Resolved now, so that a later change of working directory cannot move them.
            stack_path=stack_file.resolve(),
            stack=stack,
            stack_sha256=stack_sha,
            behaviors_path=bpath.resolve() if bpath is not None else None,
            behaviors_sha256=bsha,
            sim=sim,
            seed=seed,
            start_ms=start_ms,
            allow_code=allow_code,
            diagnostics=[*stack.errors, *diags],
            stage=stage,
            region=region,
            project=project,
            stack_name=str(stack_file) if stack_name is None else stack_name,
            behaviors_name=(
                str(bpath) if behaviors_name is None and bpath is not None else behaviors_name
            ),
            code_sha256=behaviors.code_sha256(),
            finds_sidecar=behaviors_path is None and default_behaviors and bpath is None,
        )

    def again(self) -> Session:
        """A new session of this one's stack and settings, its simulation at the start: what
        `stptui run` runs each of several scripts on. The stack is taken as this session
        read it (the simulation only reads it); the behaviours file is read again, so that
        no handler's state carries over. Raises SessionError as `open` does."""
        fresh = self._opened_again(default_behaviors=False, read=self)
        fresh.finds_sidecar = self.finds_sidecar
        return fresh

    # -- sinks -----------------------------------------------------------------------------

    def record(self, line: str) -> str | None:
        """Hand a logged line to the recording (`record FILE`), if any. Returns why the
        recording stopped, when writing failed: the command has applied, and losing the
        recording must not undo it."""
        recorder = self.recorder
        if recorder is None:
            return None
        try:
            recorder.write(line)
        except OSError as exc:
            self.recorder = None
            return f"recording stopped: cannot write {recorder.path}: {exc.strerror or exc}"
        return None

    def add_sink(self, fn: Subscriber) -> None:
        """Subscribe `fn` to this simulation's trace and to any simulation `load` brings."""
        self.sinks.append(fn)
        self.sim.trace.subscribe(fn)

    # -- save ------------------------------------------------------------------------------

    def to_json(self, save_dir: Path) -> dict[str, Any]:
        """The session file's content; paths are relative to `save_dir` where possible."""
        # `version` and `stack` first: `load`'s completion knows a session file by them
        # (`is_session_start`).
        doc: dict[str, Any] = {
            "version": SAVE_VERSION,
            "stack": _rel(self.stack_path, save_dir),
            "stack_sha256": self.stack_sha256,
            "behaviors": _rel(self.behaviors_path, save_dir) if self.behaviors_path else None,
            "behaviors_sha256": self.behaviors_sha256,
            "seed": self.seed,
            "stage": self.stage,
            "region": self.region,
        }
        if self.project is not None:
            # Next to stage and region, which with it name everything in the trace; absent
            # when none was given, so that such a file is exactly what earlier versions wrote.
            doc["project"] = self.project
        if self.behaviors_path is not None and self.behaviors_name != str(self.behaviors_path):
            # The behaviours file as it was named (a relative path, a link): its runtime
            # errors in the trace quote that name's last part, and a load must reproduce them
            # to the byte.
            doc["behaviors_name"] = self.behaviors_name
        if self.stack.included_files:
            # As `$File` read them (None: it read none, a missing file or a link), named as
            # they were read: the last part of the path is not followed, as `$File` never
            # follows a link, which a load compares the same way.
            doc["included_sha256"] = {
                _rel(path, save_dir, follow=False): digest
                for path, digest in self.stack.included_files.items()
            }
        if self.code_sha256:
            # Read through a link, as Python imported them; a copy, as the dict grows while
            # handlers import helpers.
            doc["code_sha256"] = {
                _rel(path, save_dir): digest for path, digest in list(self.code_sha256.items())
            }
        doc.update(
            {
                "start": iso_ms(self.start_ms),
                "allow_code": self.allow_code,
                "commands": list(self.log),
                "now": iso_ms(self.sim.clock.now),
                "trace_sha256": trace_sha256(self.sim.trace),
            }
        )
        return doc

    def inputs(self) -> list[tuple[str, Path]]:
        """The files this session was made from, by what they are: a command that writes a
        file (`save`, `record`, `--trace`) must not write over one of them."""
        files = [("stack", self.stack_path)]
        files += [("included file", path) for path in self.stack.included_files]
        if self.behaviors_path is not None:
            files.append(("behaviours file", self.behaviors_path))
        # A copy: the handlers' dict grows as they import helpers.
        files += [("handler module", path) for path in list(self.code_sha256)]
        return files

    def refuse_overwriting_inputs(self, target: Path, hint: str) -> None:
        """A CommandError when `target` is (a link to) one of the session's files (`inputs`)."""
        for what, path in self.inputs():
            if same_file(target, path):
                raise CommandError(
                    f"{target} is the {what} of this session; writing there would replace it",
                    hint,
                )

    def save(self, path: str | Path) -> Path:
        """Write the session file atomically; returns its path."""
        target = Path(path)
        try:
            is_dir = target.is_dir()
        except OSError as exc:  # a name longer than the file system allows, say
            raise CommandError(
                f"cannot write {target}: {exc.strerror or exc}", "save to a file you can write"
            ) from None
        if is_dir:
            raise CommandError(f"{target} is a directory", "give a file name: save run.json")
        self.refuse_overwriting_inputs(target, "save to another file, e.g. save run.json")
        if self.recorder is not None and same_file(target, self.recorder.path):
            # The recorder would go on writing to the file the save replaced: lost.
            raise CommandError(
                f"{target} is the script being recorded", "save to another file, e.g. save run.json"
            )
        if not target.parent.is_dir():
            raise CommandError(
                f"no directory {target.parent}", "create it first, or save elsewhere"
            )
        # The folder the file is written in: a link there is replaced, not followed, so the
        # folder of what it points to is not where `load` will look for the stack.
        doc = self.to_json(target.parent.resolve())
        # A folder's name may hold what a terminal acts on: written as JSON's escapes.
        text = json_text(doc, indent=2) + "\n"
        try:
            write_atomic(target, text)
        except OSError as exc:
            raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
        return target

    # -- load ------------------------------------------------------------------------------

    def load(self, path: str | Path) -> Rebuild[None]:
        """Replacing this session's simulation with the one saved in `path`, planned.

        Everything is checked and replayed on a new Session first (`Rebuild.build`); on any
        error this one is untouched."""
        return Rebuild(
            self,
            "load",
            lambda replay: self.restore(
                path,
                # --allow-code trusts the behaviours file this session was opened with.
                allow_code=self.allow_code and self.behaviors_path is not None,
                code_of=self.behaviors_path,
                replay=replay,
                opened=(self.stack_path, self.stack_sha256),
            ),
            self._adopt,
        )

    @classmethod
    def restore(
        cls,
        path: str | Path,
        *,
        allow_code: bool = False,
        replay: Replay | None = None,
        code_of: Path | None = None,
        opened: tuple[Path, str] | None = None,
    ) -> Session:
        """A new Session rebuilt from a session file by replaying its commands (reporting to
        and obeying `replay`, when given). With `allow_code`, `code_of` is the one
        behaviours file whose Python handlers may run (None: the one the file names).
        `opened` is the stack the session is loaded into and its digest: when the stack the
        file names is missing and that one has its bytes, the files named in the stack's
        folder are read from that one's (a session saved in CI, loaded in a checkout)."""
        src = Path(path)
        doc = _read_session_file(src)
        base = src.resolve().parent
        stack_path = _resolve(base, doc["stack"])
        moved: tuple[Path, Path] | None = None
        if opened is not None and opened[1] == doc["stack_sha256"]:
            with contextlib.suppress(OSError, ValueError):  # a name no file system takes
                if not os.path.lexists(stack_path) and opened[0].is_file():
                    moved = (stack_path.parent, opened[0].parent)

        def located(named: str) -> Path:
            found = _resolve(base, named)
            if moved is not None and found.is_relative_to(moved[0]):
                return moved[1] / found.relative_to(moved[0])
            return found

        stack_path = located(doc["stack"])
        behaviors_path = located(doc["behaviors"]) if doc["behaviors"] else None
        _check_digest(stack_path, doc["stack_sha256"], "stack", src, doc["stack"])
        for named, digest in (doc["included_sha256"] or {}).items():
            _check_included(located(named), digest, src, named)
        if behaviors_path is not None:
            _check_digest(
                behaviors_path, doc["behaviors_sha256"], "behaviours file", src, doc["behaviors"]
            )
        for named, digest in (doc["code_sha256"] or {}).items():
            _check_digest(located(named), digest, "handler module", src, named)
        if doc["allow_code"] and not allow_code:
            raise CommandError(
                f"{src} was saved with --allow-code: replaying it runs Python handlers",
                "reopen with --allow-code if you trust the behaviours file, then load it",
            )
        if (
            doc["allow_code"]
            and code_of is not None
            and behaviors_path is not None
            and not same_file(behaviors_path, code_of)
        ):
            # A session file may name any behaviours file: trust given to one is not
            # trust in the code of another (one unpacked beside it from a bug report).
            words = ["stptui", "repl", str(stack_path)]
            sidecar = default_behaviors_path(stack_path)
            if sidecar is None or not same_file(sidecar, behaviors_path):
                words += ["--behaviors", str(behaviors_path)]
            raise CommandError(
                f"{src} runs the Python handlers of {behaviors_path}, and --allow-code "
                "trusts only those of this session's behaviours file",
                f"open its stack with --allow-code if you trust them: "
                f"{' '.join(quote_word(w) for w in [*words, '--allow-code'])}, then load it there",
            )
        try:
            start_ms = parse_instant(doc["start"])
        except InstantRangeError as exc:
            raise CommandError(
                f"{src}: start: {exc}", "stptui never saves such a start: was the file edited?"
            ) from None
        except ValueError:
            raise CommandError(f"{src}: start {doc['start']!r} is not an ISO instant") from None
        try:
            fresh = cls.open(
                stack_path,
                behaviors_path=behaviors_path,
                seed=doc["seed"],
                start_ms=start_ms,
                allow_code=bool(doc["allow_code"]),
                default_behaviors=False,
                stage=doc["stage"],
                region=doc["region"],
                project=doc["project"],
                behaviors_name=doc["behaviors_name"],
            )
        except SessionError as exc:
            first = exc.diagnostics[0].format() if exc.diagnostics else ""
            raise CommandError(f"{src}: {exc.message}", first or None) from None
        registry_commands = _state_changing_commands()
        for n, line in enumerate(doc["commands"], 1):
            # Checked before any replays: a line that is no state-changing command is no
            # line `save` writes.
            try:
                words = tokenize(line)
            except CommandError as exc:
                raise CommandError(
                    f"{src}: command {n} ({line!r}) does not replay: {exc.message}", exc.hint
                ) from None
            if not words or words[0] not in registry_commands:
                raise CommandError(
                    f"{src}: command {n} ({line!r}) does not replay: not a state-changing command"
                )

        def refusal(n: int, line: str, exc: CommandError) -> CommandError:
            return CommandError(
                f"{src}: command {n} ({line!r}) does not replay: {exc.message}", exc.hint
            )

        (replay or Replay("load")).run(fresh, doc["commands"], refusal)
        now = iso_ms(fresh.sim.clock.now)
        if now != doc["now"] or trace_sha256(fresh.sim.trace) != doc["trace_sha256"]:
            why = "was the file edited, or saved by another version of stptui?"
            # Saved before session files recorded them: an edit of one is the likeliest
            # cause, and the one nothing else could have caught.
            unrecorded = [
                (files, what)
                for files, what, key in (
                    (
                        fresh.stack.included_files,
                        "the files the stack's $File and $FileRaw read",
                        "included_sha256",
                    ),
                    (fresh.code_sha256, "the Python modules its handlers imported", "code_sha256"),
                )
                if doc[key] is None and files
            ]
            if unrecorded:
                names = ", ".join(
                    sorted({printable(path.name) for files, _ in unrecorded for path in files})
                )
                why = (
                    f"{src.name} was saved by a stptui that did not record "
                    f"{' or '.join(what for _, what in unrecorded)}: has one of them ({names}) "
                    "changed since?"
                )
            raise CommandError(
                f"{src}: replaying the commands does not reproduce the saved simulation",
                f"saved at {doc['now']}, replayed to {now}; {why}",
            )
        return fresh

    # -- undo ------------------------------------------------------------------------------

    def rewind(self, n: int) -> Rebuild[list[str]]:
        """Taking back the last `n` logged commands, planned: the build replays, on a new
        simulation from the stack and behaviours files, the commands before them; adopting
        it returns the lines taken back.

        The files must be as they were when the session opened (their digests), since a
        replay on changed files would not give back the simulation as it was; on any error
        this session is untouched."""
        for what, path in self.changed_inputs():
            raise CommandError(
                f"the {what} {path} changed since this session opened: undoing replays "
                "the commands on it, which would not give back the simulation as it was",
                "reload first to run this session on the changed file, then undo",
            )
        keep, taken = self.log[: len(self.log) - n], self.log[len(self.log) - n :]

        def adopt(fresh: Session) -> list[str]:
            undone = [*self.undone, *reversed(taken)]
            self._adopt(fresh)
            self.undone = undone
            self.undone_at = self.where()
            return taken

        return Rebuild(self, "undo", lambda replay: self._rebuilt(keep, "undo", replay), adopt)

    def reapply(self, n: int) -> Rebuild[list[str]]:
        """Applying again the last `n` lines `undo` took back (`redoable`), planned: the
        build replays, on a new simulation from the stack and behaviours files, the log and
        then those lines, which is the simulation applying them here makes (a replay gives
        the simulation its commands gave); adopting returns the lines applied.

        The files must be as they were when the session opened, as for `rewind`; on any
        error this session is untouched."""
        undone = self.redoable()
        lines = undone[len(undone) - n :][::-1]
        rest = undone[: len(undone) - n]
        every = [*self.log, *lines]

        def adopt(fresh: Session) -> list[str]:
            self._adopt(fresh)
            self.undone = rest
            self.undone_at = self.where()
            # Applied here, each line would have gone to the recording as it ran.
            for line in lines:
                self.record(line)
            return lines

        return Rebuild(self, "redo", lambda replay: self._rebuilt(every, "redo", replay), adopt)

    def where(self) -> tuple[int, int, int, int]:
        """Where the simulation stands: which one, its clock, the events it ran and the
        length of the log. Anything that changes it moves the clock, runs an event or logs
        a line."""
        clock = self.sim.clock
        return id(self.sim), clock.now, clock.events_run, len(self.log)

    def redoable(self) -> list[str]:
        """The lines `redo` may apply: those `undo` took back, while the simulation is
        still where the undo (or the last redo) left it; none once anything changed it."""
        if self.undone and self.undone_at != self.where():
            self.undone = []
        return self.undone

    def reload(self) -> Rebuild[Session]:
        """Reading the stack and behaviours files again and replaying every logged command on
        them, planned; adopting carries on with that simulation and returns the session
        replaced (its simulation, files and diagnostics as they were), for a caller to
        compare.

        On any error (a file that no longer opens, a command the new stack refuses) this
        session is untouched."""
        lines = list(self.log)

        def adopt(fresh: Session) -> Session:
            # A shallow copy keeps what `_adopt` replaces (each attribute is rebound there,
            # never changed in place), and keeps up with any attribute a session gains.
            old = copy.copy(self)
            self._adopt(fresh)
            return old

        return Rebuild(self, "reload", lambda replay: self._rebuilt(lines, "reload", replay), adopt)

    def _opened_again(self, *, default_behaviors: bool, read: Session | None = None) -> Session:
        """`Session.open` of this session's files and settings (`read`: a session whose
        stack to take as it read it). Raises SessionError as `open` does."""
        return Session.open(
            self.stack_path,
            behaviors_path=self.behaviors_path,
            seed=self.seed,
            start_ms=self.start_ms,
            allow_code=self.allow_code,
            default_behaviors=default_behaviors,
            stage=self.stage,
            region=self.region,
            project=self.project,
            stack_name=self.stack_name,
            behaviors_name=self.behaviors_name,
            read=read,
        )

    def _rebuilt(self, lines: list[str], verb: str, replay: Replay) -> Session:
        """A new Session of this one's files and settings, with `lines` replayed on it.

        It reads this session's files and settings and changes nothing of it, so it may run
        on another thread than the session's."""
        try:
            fresh = self._opened_again(default_behaviors=verb == "reload" and self.finds_sidecar)
        except SessionError as exc:
            first = exc.diagnostics[0].format() if exc.diagnostics else None
            raise CommandError(f"cannot {verb}: {exc.message}", first) from None
        fresh.finds_sidecar = self.finds_sidecar and fresh.behaviors_path is None

        def refusal(k: int, line: str, exc: CommandError) -> CommandError:
            return CommandError(
                f"cannot {verb}: command {k} ({line!r}) does not replay: {exc.message}", exc.hint
            )

        replay.run(fresh, lines, refusal)
        return fresh

    def input_files(self) -> list[InputFile]:
        """The files this session was made from, each with the digest of what was read:
        the stack, every file its directives read (`$File`, `$FileRaw`), the behaviours
        file and the Python modules its handlers imported from their folder (--allow-code,
        helpers included, as they load)."""
        from stptui.config.directives import included_digest

        found = [InputFile("stack", self.stack_path, self.stack_sha256, sha256_or_none)]
        found += [
            InputFile("included file", path, digest, included_digest)
            for path, digest in self.stack.included_files.items()
        ]
        if self.behaviors_path is not None and self.behaviors_sha256 is not None:
            found.append(InputFile("behaviours file", self.behaviors_path, self.behaviors_sha256))
        # A copy: the handlers' dict grows as they import helpers.
        found += [
            InputFile("handler module", path, digest)
            for path, digest in list(self.code_sha256.items())
        ]
        return found

    def changed_inputs(self) -> list[tuple[str, Path]]:
        """The files this session was made from (what each is, its path) that have changed
        on disk since it opened or was reloaded, or are gone (`input_files`)."""
        return [(f.what, f.path) for f in self.input_files() if f.changed()]

    def _adopt(self, other: Session) -> None:
        for sink in self.sinks:
            # Records replayed during a load are not sent again: sinks already saw (or
            # never saw) that history; they follow the loaded simulation from here on.
            with contextlib.suppress(ValueError):
                self.sim.trace.subscribers.remove(sink)
            other.sim.trace.subscribe(sink)
        self.stack_path = other.stack_path
        self.stack = other.stack
        self.stack_sha256 = other.stack_sha256
        self.behaviors_path = other.behaviors_path
        self.behaviors_sha256 = other.behaviors_sha256
        self.stack_name = other.stack_name
        self.behaviors_name = other.behaviors_name
        self.code_sha256 = other.code_sha256
        self.finds_sidecar = other.finds_sidecar
        self.sim = other.sim
        self.seed = other.seed
        self.stage = other.stage
        self.region = other.region
        self.project = other.project
        self.start_ms = other.start_ms
        self.allow_code = other.allow_code
        self.diagnostics = other.diagnostics
        self.log = other.log
        self.undone = other.undone
        self.undone_at = other.undone_at
        self.last_id = other.last_id


def _rel(path: Path, base: Path, *, follow: bool = True) -> str:
    """`path` relative to `base` when it lies inside it (the pair can move together),
    else absolute. `follow=False`: a link at the path's last part is kept, not followed."""
    resolved = path.resolve() if follow else path.parent.resolve() / path.name
    try:
        return str(resolved.relative_to(base))
    except ValueError:
        return str(resolved)


def _resolve(base: Path, text: str) -> Path:
    p = Path(text)
    return p if p.is_absolute() else base / p


def _check_digest(path: Path, expected: Any, what: str, src: Path, named: str) -> None:
    """Check that the file a session file `src` names as `named` (resolved to `path`) is the
    one it was saved with."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            # A session file may name any file: one of gigabytes is no stack nor behaviours
            # file (the loader reads none so large), and is not read through to be hashed.
            raise OSError(errno.EFBIG, f"the file is over {MAX_CONFIG_BYTES:,} bytes")
        actual = file_sha256(path)
    except (OSError, ValueError) as exc:  # ValueError: a NUL or a lone surrogate, no name
        hint = _missing_hint(src, named, what) if isinstance(exc, FileNotFoundError) else None
        reason = getattr(exc, "strerror", None) or exc
        raise CommandError(
            f"cannot read the saved session's {what} {path}: {reason}", hint
        ) from None
    if actual != expected:
        raise _changed(what, path)


def _check_included(path: Path, expected: str | None, src: Path, named: str) -> None:
    """Check that a file the stack's directives read, which a session file `src` names as
    `named` (resolved to `path`), reads as it did when the session was saved: the same
    bytes, or none again (a file that was missing, or a link `$File` does not follow)."""
    from stptui.config.directives import included_digest

    actual = included_digest(path)
    if actual == expected:
        return
    if actual is None and not os.path.lexists(path):
        raise CommandError(
            f"cannot read the saved session's included file {path}: it does not exist",
            _missing_hint(src, named, "included file"),
        )
    raise _changed("included file", path)


def _missing_hint(src: Path, named: str, what: str) -> str:
    """Where a session file looks for a file it names: a session file shared on its own
    (the usual way to hand over an incident) finds nothing beside it."""
    if Path(named).is_absolute() and what == "stack":
        # Saved in CI, say, away from the stack: a copy of it (a checkout) finds it.
        return (
            "the session names the stack by its full path: put the file there, or open a "
            "copy of it (the same bytes) and load the session there: its folder's files "
            "are then read from the copy's"
        )
    if Path(named).is_absolute():
        return (
            f"the session names the {what} by its full path: put the file there, "
            "or save the session again beside its stack"
        )
    files = (
        "its stack and behaviours file"
        if what in ("stack", "behaviours file")
        else "the files it was made from"
    )
    return (
        f"a session file names {files} relative to its own folder: "
        f"keep {quote_word(src.name)} beside them (share them together)"
    )


def _changed(what: str, path: Path) -> CommandError:
    hint = "a saved session replays only against the exact files it was made from"
    if what == "handler module":
        # The one change no digest of the configuration shows: say what it would do.
        hint = (
            "the handlers' Python code changed since the save, so replaying the commands "
            "would run other code and not give the saved simulation; put the module back "
            "as it was to load it"
        )
    return CommandError(f"the {what} {path} changed since the session was saved", hint)


_FIELDS: dict[str, type | tuple[type, ...]] = {
    "version": int,
    "stack": str,
    "stack_sha256": str,
    "behaviors": (str, type(None)),
    "behaviors_sha256": (str, type(None)),
    "seed": int,
    "stage": str,
    "region": str,
    "project": (str, type(None)),
    "behaviors_name": (str, type(None)),
    "included_sha256": (dict, type(None)),
    "code_sha256": (dict, type(None)),
    "start": str,
    "allow_code": bool,
    "commands": list,
    "now": str,
    "trace_sha256": str,
}


def _read_session_file(src: Path) -> dict[str, Any]:
    try:
        info = src.stat()
        if not stat.S_ISREG(info.st_mode):
            raise CommandError(f"{src} is not a regular file", "load a file that save wrote")
        if info.st_size > MAX_SESSION_BYTES:
            raise CommandError(f"{src} is too large to be a session file")
        text = src.read_text(encoding="utf-8")
        doc = jsontext.loads(text)
    except OSError as exc:
        raise CommandError(
            f"cannot read {src}: {exc.strerror or exc}", "load a file that save wrote"
        ) from None
    except jsontext.JsonLimitError as exc:
        # Nested too deeply for json to parse without a RecursionError: no file save wrote.
        raise CommandError(
            f"{src} is not a session file: {exc}", "load a file that save wrote"
        ) from None
    except json.JSONDecodeError as exc:
        if _is_script(src, text):
            # `load` for `source`: the file holds commands, which `source` runs.
            raise CommandError(
                f"{src} is a script, not a session file",
                f"run its commands in this session with `source {quote_word(str(src))}`",
            ) from None
        if _is_stack(text):
            raise CommandError(
                f"{src} is a stack's config, not a session file",
                f"open it with `stptui repl {quote_word(str(src))}`; load takes a file that "
                "save wrote",
            ) from None
        raise CommandError(
            f"{src} is not a session file: {exc}", "load a file that save wrote"
        ) from None
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{src} is not a session file: {exc}", "load a file that save wrote"
        ) from None
    if not isinstance(doc, dict):
        raise CommandError(
            f"{src} is not a session file (expected a JSON object)", "load a file that save wrote"
        )
    # Files saved before sessions had a stage and a region were saved at the defaults.
    doc.setdefault("stage", DEFAULT_STAGE)
    doc.setdefault("region", DEFAULT_REGION)
    # Likewise files saved before a project name could be given: none was.
    doc.setdefault("project", None)
    # And files saved before the behaviours file's name was kept: it was its path.
    doc.setdefault("behaviors_name", None)
    # And files saved before the included files' digests were (None: not recorded, which
    # a file of a stack that includes none leaves out as well).
    doc.setdefault("included_sha256", None)
    # And files saved before the handler modules' were (None likewise, and left out by a
    # session that imported none).
    doc.setdefault("code_sha256", None)
    for key, kind in _FIELDS.items():
        if key not in doc:
            raise CommandError(f"{src} is not a session file: it has no {key!r}")
        # bool is an int in Python; a seed of `true` is still wrong.
        if not isinstance(doc[key], kind) or (kind is int and isinstance(doc[key], bool)):
            raise CommandError(f"{src}: {key!r} has the wrong type")
    if doc["version"] != SAVE_VERSION:
        raise CommandError(
            f"{src} is a version {doc['version']} session file; this stptui reads version "
            f"{SAVE_VERSION}"
        )
    if not all(isinstance(c, str) for c in doc["commands"]):
        raise CommandError(f"{src}: 'commands' must be a list of strings")
    if not all(isinstance(d, str | None) for d in (doc["included_sha256"] or {}).values()):
        raise CommandError(f"{src}: 'included_sha256' has the wrong type")
    if not all(isinstance(d, str) for d in (doc["code_sha256"] or {}).values()):
        # Python imported each one: there is always a digest.
        raise CommandError(f"{src}: 'code_sha256' has the wrong type")
    if (reason := stage_error(doc["stage"])) is not None:
        # The check --stage has: the stage names the stack and every resource in it.
        raise CommandError(
            f"{src}: {reason}", "stptui never saves such a stage: was the file edited?"
        )
    return doc


def is_session_file(path: Path) -> bool:
    """Whether `path` holds a session file `load` reads (one `save` wrote)."""
    try:
        _read_session_file(path)
    except CommandError:
        return False
    return True


def _is_script(src: Path, text: str) -> bool:
    """Whether a file that is not JSON is a script: named `.stp`, or its first command line
    starts with a command's name."""
    from stptui.commands.handlers import REGISTRY

    if src.suffix == SCRIPT_SUFFIX:
        return True
    for line in text.splitlines():
        words = line.split()
        if words and not words[0].startswith("#"):
            return words[0] in REGISTRY.commands
    return False


def _is_stack(text: str) -> bool:
    """Whether a file that is not JSON is a Stacktape config: a top-level `resources` key,
    which every stack has."""
    return any(line.partition("#")[0].rstrip() == "resources:" for line in text.splitlines())


def _state_changing_commands() -> set[str]:
    from stptui.commands.handlers import REGISTRY

    return {c.name for c in REGISTRY.commands.values() if c.changes_state}
