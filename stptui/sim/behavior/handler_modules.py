"""The modules one behaviours file's Python handlers are imported into, kept apart from every
other session's: whatever was loaded from the handlers' folder before is dropped from
sys.modules first, and while one of its handlers runs, sys.modules holds its own modules and
the folder is first on sys.path, as Lambda's task root is. Each module's source file is
hashed when the module is claimed: the files a session's handlers ran are its inputs too.
Each execution environment of a function has modules of its own (`Environment`), imported
afresh in its init phase from the source the session read (`_Sources`), as each Lambda
environment is a process of its own; so does each attempt of a batch job (a new container)
and each container of a container workload (a long-running process of its own).

Separate from `python_handlers` because it is about Python's import system, not about
Lambda: it is used once when the file is read and once before each handler call.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.util
import os
import random
import re
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from stptui.config.diagnostics import did_you_mean
from stptui.sim.behavior.errors import BehaviorError
from stptui.sim.behavior.handler_exits import (
    ProcessExit,
    ProcessExits,
    user_interrupts,
    users_ctrl_c,
)
from stptui.sim.behavior.handler_logging import LogSink, ProcessLogging, task_root_frames
from stptui.sim.behavior.handler_network import offline
from stptui.sim.handler_logs import log_events

# This package's top-level name: a stack at the root of a checkout of stptui has the package
# in its folder, and it is never a handler module.
_OWN_PACKAGE = __name__.partition(".")[0]


def ended_by(exc: BaseException) -> Callable[..., Any]:
    """The handler of a module whose import ended its process: calling it ends the same way
    (a function's invocations import the module in their own environment first, and a batch
    attempt whose container's import ended so ends as its process did)."""

    def ended(event: Any, context: Any) -> Any:
        raise exc

    return ended


def _loaded_from(module: ModuleType, base: Path, root: str) -> bool:
    """Whether `module` was found with `base` as its sys.path entry: module `a.b` is
    base/a/b.py (or .pyc, .so...), package `a.b` is base/a/b/__init__.py, namespace package
    `a.b` is the folder base/a/b. A site-packages folder inside `base` does not qualify:
    `yaml` from base/.venv/lib/.../yaml is not base/yaml. `root` is `base` with a trailing
    separator: made once by the caller, as every module of sys.modules is asked about."""
    try:  # sys.modules may hold odd objects (None, lazy modules, class instances)
        spec = module.__spec__
        origin = spec.origin if spec.has_location else None
        # The common case, a module from elsewhere, answered before anything else is read.
        if isinstance(origin, str) and not origin.startswith(root):
            return False
        name, locations = spec.name, spec.submodule_search_locations
    except Exception:
        return False
    if not isinstance(name, str) or name.partition(".")[0] == _OWN_PACKAGE:
        return False
    if isinstance(origin, str):
        where = base.joinpath(*name.split("."))
        found = Path(origin)
        if locations is not None:  # a package: its __init__ file
            return found.parent == where
        return found.parent == where.parent and found.name.split(".")[0] == where.name
    try:
        if not locations:  # a built-in or frozen module, a module made in memory
            return False
        where = base.joinpath(*name.split("."))
        return any(isinstance(p, str) and Path(p) == where for p in locations)
    except TypeError:  # not a list of folders after all
        return False


# How many variable names a hint lists before "and N more".
_NAMES_SHOWN = 12


def _missing_function_hint(module: ModuleType, module_name: str, attr: str) -> str | None:
    """The handler a misspelt function name meant (`did you mean order_handlers:worker?`),
    else the functions the module defines, for a handler that names none of them."""
    functions = sorted(
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and callable(value)
        and getattr(value, "__module__", None) == module.__name__
    )
    guess = did_you_mean(attr, functions)
    if guess is not None:
        return f"did you mean {module_name}:{guess}?"
    if functions:
        shown = ", ".join(functions[:8]) + (
            f" and {len(functions) - 8} more" if len(functions) > 8 else ""
        )
        return f"the functions {module_name} defines: {shown}"
    return None


def _import_hint(exc: BaseException, module_name: str, base: Path) -> str:
    """What to do about a module that raised `exc` as it was imported: the two failures
    Lambda code meets first are a variable its environment lacks (`os.environ["..."]` at
    the top of the module) and a package that is not installed where stptui runs."""
    if type(exc) is KeyError and len(exc.args) == 1 and isinstance(exc.args[0], str):
        key = exc.args[0]
        if key not in os.environ and key.isupper():
            names = sorted(os.environ)
            if key.startswith("STP_"):
                names = [n for n in names if n.startswith("STP_")]
            guess = did_you_mean(key, names)
            shown = ", ".join(names[:_NAMES_SHOWN]) or "none"
            if len(names) > _NAMES_SHOWN:
                shown += f" and {len(names) - _NAMES_SHOWN} more"
            which = "STP_* variables" if key.startswith("STP_") else "variables"
            return (
                f"the environment has no variable {key!r}"
                + (f": did you mean {guess!r}?" if guess else "")
                + f" (its {which}: {shown})"
            )
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        top = exc.name.partition(".")[0]
        own = top == module_name.partition(".")[0]
        if not own and not any(p.exists() for p in (base / top, base / f"{top}.py")):
            return (
                f"{top!r} is neither in the handlers' folder nor installed in the Python stptui "
                f"runs on: install it there ({sys.executable} -m pip install {top}), as "
                "Lambda needs it in the function's package"
            )
    return f"the module is imported relative to {base}"


# The HandlerModules whose modules sys.modules holds now (see HandlerModules.activate).
_ACTIVE: HandlerModules | None = None


@dataclass(slots=True)
class Environment:
    """One execution environment's Python runtime: the modules its init phase imported from
    the handlers' folder (and those its handler imported since), its process's `logging`
    and `warnings` settings, the handler found in its modules, or what ended its init phase
    (`failure`: the process is gone, and so is the handler)."""

    logging: ProcessLogging
    modules: dict[str, ModuleType] = field(default_factory=dict)
    handler: Callable[..., Any] | None = None
    failure: BaseException | None = None
    # What the init phase printed and logged, and what the interpreter printed as it ended.
    lines: list[str] = field(default_factory=list)
    # How Lambda reports the failure: its error type, and the reason a runtime exit gives
    # (or the runtime's errorMessage for an exception).
    error_type: str = ""
    reason: str | None = None


class _Sources(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds a module of the handlers' folder that the session imported before from the
    source it had then: every execution environment runs the code the session's digests
    name (an edit saved since waits for `reload`), and compiles it once."""

    def __init__(self) -> None:
        # Each module's name: its file, whether it is a package, its source as first read.
        self.sources: dict[str, tuple[str, bool, bytes]] = {}
        self._code: dict[str, CodeType] = {}

    def find_spec(
        self, name: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        """The spec of a module whose source is kept; None (the usual search) otherwise."""
        found = self.sources.get(name)
        if found is None:
            return None
        origin, package, _ = found
        locations = [os.path.dirname(origin)] if package else None
        return importlib.util.spec_from_file_location(
            name, origin, loader=self, submodule_search_locations=locations
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        """The default module object."""
        return None

    def exec_module(self, module: ModuleType) -> None:
        """Run the module's kept source in it."""
        name = module.__spec__.name  # type: ignore[union-attr]
        code = self._code.get(name)
        if code is None:
            origin, _, source = self.sources[name]
            code = self._code[name] = compile(source, origin, "exec", dont_inherit=True)
        exec(code, module.__dict__)


class HandlerModules:
    """The modules one behaviours file's Python handlers run with, loaded from `base`.

    A handler keeps state in module globals (its own module's and its helpers'), and
    `import` takes a module from sys.modules before looking on disk. So every Behaviors
    (every session) imports its handlers from modules loaded afresh, and keeps them: while
    one of its handlers runs, sys.modules holds its own modules, so a handler that imports a
    helper as it runs gets the one its module imported, never another session's. Within a
    session, each execution environment of a function has its own (`environments`,
    `open_environment`), swapped into sys.modules for its calls (`use`), and so has each
    batch job attempt's container and each container workload's container. Modules from
    anywhere else (the standard library, installed packages, stptui) are imported once per
    process, as usual.
    """

    def __init__(self, base: Path, *, start_ms: int | None = None, seed: int = 0) -> None:
        self.base = base
        if start_ms is None:
            from stptui.sim.engine import DEFAULT_START_MS  # engine imports this module

            start_ms = DEFAULT_START_MS
        # The simulated clock the modules' top levels read (the simulation's start, moved on
        # by their time.sleep) and the generator their randomness is drawn from: a module's
        # import is no invocation, but must give the same values every run (handler_clock).
        self.import_ms = start_ms
        self.import_rng = random.Random(seed)
        self.modules: dict[str, ModuleType] = {}
        # The source file of each module claimed, and its SHA-256 when claimed (right after
        # it was imported): a helper a handler imports as it runs joins when its call ends.
        # The dict is only added to, and callers may keep it and see it grow.
        self.code_sha256: dict[Path, str] = {}
        # The `boto3` and `botocore` its handlers import (boto3_standin): in sys.modules only
        # while one of its modules is imported or one of its handlers runs. Imported here, not
        # at the top: only Python handlers run under --allow-code need it, so opening a stack
        # does not load it.
        from stptui.sim.behavior import boto3_standin

        self.sdk = boto3_standin.modules()
        # The logging settings of the imports when the file is read, as Lambda's runtime sets
        # them up (each execution environment, batch attempt and container has its own).
        self.session_logging = ProcessLogging(base, lambda_runtime=True)
        # The modules imported when the file is read (to check it); each execution
        # environment of a function has its own (`environments`, by function and
        # environment), swapped in for its calls, as has each batch attempt's and each
        # container workload's container.
        self.session_modules = self.modules
        self.environments: dict[tuple[str, int], Environment] = {}
        self._sources = _Sources()
        self._seed = seed
        self._inits = 0
        # Why each function's handler module ends its process as it is imported, by the
        # function: its invocations fail in their init phase (a warning, not an error).
        self.init_exits: dict[str, str] = {}

    def begin(self) -> None:
        """Take sys.modules over with no module from `base` in it, before the first import."""
        global _ACTIVE
        if _ACTIVE is not None:
            _ACTIVE.withdraw()
        root = os.path.join(self.base, "")
        for name, module in list(sys.modules.items()):
            if _loaded_from(module, self.base, root):
                del sys.modules[name]
        _ACTIVE = self

    def import_handler(self, ref: str, owner: str, lambda_runtime: bool) -> Callable[..., Any]:
        """Import `module:function` with `base` first on sys.path; BehaviorError on failure.
        What the import prints and logs is written nowhere: each execution environment,
        batch attempt and container imports the module again, and writes its own. A
        function's module whose import ends its process (SystemExit, os._exit, a signal)
        is no error of the file: Lambda's init phase fails the same way in each of its
        execution environments, and the handler returned raises what ended it.

        A module that an earlier handler of this file imported is reused, not reloaded."""
        module_name, attr = ref.split(":")
        top = module_name.split(".")[0]
        rename = "rename the handler module (e.g. handlers.py) and its `handler:` entry"
        if top in sys.stdlib_module_names:
            raise BehaviorError(
                f"handler module {top!r} has the name of a Python standard-library module", rename
            )
        if top in sys.modules and top not in self.modules:
            # Replacing a module the process already uses (yaml, stptui...) would break it.
            raise BehaviorError(
                f"handler module {top!r} has the name of an installed module", rename
            )
        sink = LogSink()
        try:
            # A module's time.sleep moves the import clock on (handler_clock).
            with user_interrupts():
                module = self._import(
                    module_name,
                    sink,
                    self.session_logging,
                    lambda: self.import_ms,
                    self.import_rng,
                    self._import_sleep,
                    fresh=False,
                )
        except BaseException as exc:  # SystemExit, or the module's own BaseException subclass
            if isinstance(exc, KeyboardInterrupt) and users_ctrl_c():
                raise  # the user's Ctrl-C stops the command, as in a handler's call
            if lambda_runtime and not isinstance(exc, Exception):
                what = str(exc) if isinstance(exc, ProcessExit) else f"{type(exc).__name__}: {exc}"
                at = self._raised_at(exc)  # " (at FILE, line N)"
                where = f", {at[2:-1]}" if at else ""
                self.init_exits[owner] = (
                    f"handler module {module_name!r} ends its process as it is imported "
                    f"({what.rstrip(': ')}{where}): each invocation of {owner} fails in its "
                    "init phase and in Lambda's retry of it with Runtime.ExitError, as in Lambda"
                )
                return ended_by(exc)
            raise BehaviorError(
                f"cannot import handler module {module_name!r} from {self.base}: "
                f"{type(exc).__name__}: {exc}{self._raised_at(exc)}",
                _import_hint(exc, module_name, self.base),
            ) from None
        finally:
            sink.finish()
        fn = getattr(module, attr, None)
        if fn is None:
            raise BehaviorError(
                f"module {module_name!r} has no {attr!r} (handler {ref})",
                _missing_function_hint(module, module_name, attr),
            )
        if not callable(fn):
            raise BehaviorError(f"{ref} is not a function")
        return fn  # type: ignore[no-any-return]

    def _import(
        self,
        module_name: str,
        sink: LogSink,
        logs: ProcessLogging,
        clock: Callable[[], int],
        rng: random.Random,
        sleep: Callable[[int], None],
        *,
        fresh: bool,
    ) -> ModuleType:
        """Import `module_name` into the modules sys.modules holds now (`self.modules`), as
        Lambda's init phase does: `base` first on sys.path, the boto3 stand-in, no network,
        the simulation's clock and randomness, what it prints and logs into `sink` with the
        logging settings of `logs` (its process's); a module the session imported before
        from its kept source (`fresh`: only those). What ends the process raises
        (ProcessExit for an os._exit the module caught)."""
        from stptui.sim.behavior.boto3_standin import install, uninstall
        from stptui.sim.behavior.handler_clock import running  # loaded with the first handler

        base = str(self.base)
        sys.path.insert(0, base)
        sys.meta_path.insert(0, self._sources)
        if not fresh:
            importlib.invalidate_caches()  # files written since the last import
        hidden = install(self.sdk)
        # Only what the import adds can be a new module of the handlers' folder: a walk of
        # every module would cost most of a batch attempt, which imports afresh each time.
        before = set(sys.modules)
        exits: list[int] = []
        try:
            with (
                logs.importing(sink, clock),
                offline(),
                # A module's os._exit would end stptui: it fails the import instead.
                ProcessExits(exits),
                running(clock, rng, sleep),
            ):
                module = importlib.import_module(module_name)
        finally:
            uninstall(self.sdk, hidden)
            with suppress(ValueError):  # the module may have removed it itself
                sys.path.remove(base)
            with suppress(ValueError):
                sys.meta_path.remove(self._sources)
            self.collect(sys.modules.keys() - before)
        if exits:
            raise ProcessExit(exits[0])
        return module

    def open_environment(
        self, key: tuple[str, int], ref: str, now_ms: int, *, lambda_runtime: bool = True
    ) -> Environment:
        """A new execution environment of function `key[0]` (number `key[1]`), or one
        Lambda reset: its init phase imports the handler module `ref` names afresh, at
        `now_ms` on the simulation's clock, with none of the other environments' modules
        in sys.modules (the caller sets the function's environment variables). What ended
        the init phase is kept in the environment, not raised. A batch attempt's container
        or a container workload's (`lambda_runtime` False: Python's own logging, no Lambda
        runtime's) imports the same way, as its process starts."""
        module_name, attr = ref.split(":")
        logs = ProcessLogging(self.base, lambda_runtime)
        environment = self.environments[key] = Environment(logs)
        self.use(environment.modules)
        self._inits += 1
        # The randomness its top level draws: its own stream, the same every run.
        rng = random.Random(f"{self._seed}:{self._inits}")
        clock = [now_ms]

        def sleep(ms: int) -> None:
            clock[0] += ms

        sink = LogSink()
        try:
            module = self._import(module_name, sink, logs, lambda: clock[0], rng, sleep, fresh=True)
            handler = getattr(module, attr, None)
            if not callable(handler):
                raise AttributeError(f"Handler '{attr}' missing on module '{module_name}'")
            environment.handler = handler
        except BaseException as exc:  # a KeyboardInterrupt too: the caller tells the user's
            environment.failure = exc
        environment.lines = log_events(sink.finish())
        return environment

    def use(self, modules: dict[str, ModuleType]) -> None:
        """Make `modules` (the session's, or one execution environment's) the modules of
        the handlers' folder that sys.modules holds, and the ones `collect` claims into."""
        if _ACTIVE is not self:
            self.activate()
        if modules is self.modules:
            return
        for name, module in self.modules.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
        self.modules = modules
        sys.modules.update(modules)

    def _import_sleep(self, ms: int) -> None:
        """A module's time.sleep as it is imported: the import clock moves on."""
        self.import_ms += ms

    def _raised_at(self, exc: BaseException) -> str:
        """` (at /var/task/FILE, line N)`: the line of the handlers' files that raised."""
        frames = task_root_frames(self.base)(exc)
        if not frames:
            return ""
        found = re.match(r'  File "(.*)", line (\d+)', frames[-1])
        return f" (at {found[1]}, line {found[2]})" if found else ""

    def collect(self, names: Iterable[str] | None = None) -> None:
        """Claim the modules from `base` that sys.modules holds (what the handlers imported;
        of `names` only, when given), and hash the source file of each newly claimed one (a
        namespace package has none)."""
        modules = sys.modules
        root = os.path.join(self.base, "")
        for name in list(modules if names is None else names):
            module = modules.get(name)
            if module is None or name in self.modules:
                continue
            try:  # one the kept source made is the folder's: no paths to compare
                kept = module.__spec__.loader is self._sources
            except Exception:  # sys.modules may hold odd objects
                kept = False
            if kept or _loaded_from(module, self.base, root):
                self.modules[name] = module
                self._hash(module)

    def _hash(self, module: ModuleType) -> None:
        spec = module.__spec__  # _loaded_from read it: it is a spec with these attributes
        origin = spec.origin if spec is not None and spec.has_location else None
        if not isinstance(origin, str) or spec.name in self._sources.sources:
            return  # no file, or hashed when an environment first imported it
        path = Path(origin)
        with suppress(OSError):  # gone or unreadable since: nothing to compare it with
            data = path.read_bytes()
            self.code_sha256.setdefault(path, hashlib.sha256(data).hexdigest())
            if origin.endswith(".py"):
                # Every environment runs the source the session read (_Sources).
                package = spec.submodule_search_locations is not None
                self._sources.sources[spec.name] = (origin, package, data)

    def call(
        self, fn: Callable[..., Any], *args: Any, modules: dict[str, ModuleType] | None = None
    ) -> Any:
        """Call a handler with its modules in sys.modules (`modules`, an execution
        environment's; by default the session's) and `base` first on sys.path, so that a
        module it imports as it runs is found there, as in Lambda's task root; the modules
        it imported from `base` are claimed (and hashed) afterwards. `boto3` and `botocore`
        are the stand-in's during the call, and what they were after it."""
        # The submodule, not the package: `from PACKAGE import` runs importlib's
        # _handle_fromlist, which every call paid.
        from stptui.sim.behavior.boto3_standin.sdk_modules import install, uninstall

        self.use(self.session_modules if modules is None else modules)
        base = str(self.base)
        hidden = install(self.sdk)
        # Counted with the stand-in in: `uninstall` takes its modules out again.
        loaded = len(sys.modules)
        # sys.path as it was, the same list: stptui imports some of its own modules only
        # when first needed, which a handler's `sys.path.clear()` would make fail later.
        path, entries = sys.path, list(sys.path)
        sys.path.insert(0, base)
        meta = sys.meta_path
        meta.insert(0, self._sources)
        try:
            return fn(*args)
        finally:
            # Most calls import nothing: a count of sys.modules saves walking it.
            imported = len(sys.modules) != loaded
            uninstall(self.sdk, hidden)
            sys.path = path
            if path != entries:
                path[:] = entries
            with suppress(ValueError):
                meta.remove(self._sources)
            if imported:
                self.collect()

    def activate(self) -> None:
        """Put these modules (back) in sys.modules before one of the handlers runs."""
        global _ACTIVE
        if _ACTIVE is self:
            return
        if _ACTIVE is not None:
            _ACTIVE.withdraw()
        sys.modules.update(self.modules)
        _ACTIVE = self

    def withdraw(self) -> None:
        """Take these modules out of sys.modules (another Behaviors' handlers run next),
        with those the handlers imported as they ran."""
        self.collect()
        for name, module in self.modules.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
