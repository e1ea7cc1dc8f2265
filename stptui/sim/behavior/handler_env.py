"""The environment a Python handler runs in: what `os.environ` holds while it runs, and
`context.environment`.

A function's handler sees Lambda's defined runtime variables (the AWS Lambda Developer
Guide, "Defined runtime environment variables") and its own: the config's `environment`
and Stacktape's `STP_*` variables for its `connectTo` (stptui.config.envvars), whose values
are the identifiers the simulator itself names the resources by, so that
`context.send(os.environ["STP_JOB_QUEUE_URL"], ...)` reaches the queue
(stptui.sim.behavior.handler_targets). A batch job's handler sees its container's
environment and the attempt's ContainerOverrides (`STP_TRIGGER_EVENT_DATA` ...); a
container's, its container's environment and the region ECS gives a task.

**A choice** (docs/fidelity.md, "The handler's environment"): while the handler runs,
`os.environ` holds exactly that environment and nothing of the shell stptui was started
from, so the same handler sees the same variables on every machine and a trace does not
depend on the shell; afterwards every variable is as it was (set again, or removed when it
was absent), whatever the handler raised. A handler module's top level runs, when it is
imported, with the fixed environment of the first workload that imports it (`at_import`).
The credentials are AWS's documented example
keys, which AWS refuses: an SDK client a handler makes by mistake fails, and never finds
the user's own credentials.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Mapping
from contextlib import AbstractContextManager, suppress
from typing import Any

from stptui.config.aws_names import lambda_log_group_name, lambda_name
from stptui.config.envvars import EnvEntry, environments, workload_environment
from stptui.config.model import BatchJob, Containerized, Function, Stack
from stptui.sim.behavior.outcome import InvocationInput
from stptui.sim.logs import served_runtime

# Where Lambda puts the function's code and its runtime.
LAMBDA_TASK_ROOT = "/var/task"
LAMBDA_RUNTIME_DIR = "/var/runtime"
# Lambda's unreserved defaults, which a function's own `environment` may replace.
LAMBDA_DEFAULTS = {
    "LANG": "en_US.UTF-8",
    "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
}
# AWS's documented example access key pair (IAM User Guide, "Manage access keys"), never
# valid, and a session token that says what it is.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "stptui-simulated-credentials-not-valid-in-aws",
}
FUNCTION_VERSION = "$LATEST"
# How many environments with an invocation's own variables HandlerEnvironments keeps made.
_OWN_FORMS = 1024


class HandlerEnvironments:
    """Each handler's fixed variables, made when it first runs (one per behaviour and
    container), and the whole environment of one invocation."""

    __slots__ = ("_fixed", "_injected", "_own", "stack")

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        # The fixed variables, and their form in os.environ (made once: see `applied`).
        self._fixed: dict[tuple[str, str], tuple[dict[str, str], OsForm]] = {}
        # The forms with an invocation's own variables over the fixed ones, by workload and
        # those variables (a function's log stream: one per execution environment), made
        # once each, with the C library's array `applied` puts in place: at most _OWN_FORMS.
        self._own: dict[tuple[tuple[str, str], tuple[tuple[str, str], ...]], OsForm] = {}
        # Each connected resource's STP_* entries, shared by the workloads that connect it.
        self._injected: dict[str, list[EnvEntry]] = {}

    def of(self, inp: InvocationInput) -> tuple[dict[str, str], OsForm]:
        """The environment the invocation's code runs with: a new dict, the caller's own
        variables (a batch attempt's overrides, a function's log stream) over the fixed ones;
        and the same as `applied` takes it."""
        # A workload's behaviour may serve each of its containers, with their own variables.
        key = (inp.function, inp.container)
        made = self._fixed.get(key)
        if made is None:
            fixed = self._make(inp)
            made = self._fixed[key] = (fixed, OsForm(fixed))
        fixed, form = made
        env = dict(fixed)
        if inp.environment is not None:
            own = inp.environment()
            env.update(own)
            forms = self._own
            which = (key, tuple(own.items()))
            found = forms.get(which)
            if found is None:
                if len(forms) >= _OWN_FORMS:
                    forms.clear()  # a long run's many environments: made again when needed
                found = forms[which] = form.over(own)
            form = found
        return env, form

    def _make(self, inp: InvocationInput) -> dict[str, str]:
        stack = self.stack
        resource = stack.resources.get(inp.role)
        if isinstance(resource, Function):
            return self._function(resource)
        if isinstance(resource, BatchJob):
            # The attempt's overrides (`inp.environment`) go over these.
            own = _values(workload_environment(stack, resource, self._injected))
            return {**FAKE_CREDENTIALS, **own}
        if isinstance(resource, Containerized):
            return self._container(resource, inp.function.partition(".")[2] or inp.container)
        return {}

    def at_import(self, behavior: str) -> dict[str, str]:
        """The environment the top level of a handler module runs with when the behaviour
        named `behavior` (a workload, or `WORKLOAD.CONTAINER`) first imports it: the
        workload's fixed variables, as Lambda's init phase has them, without an invocation's
        own (a function's log stream, a batch attempt's overrides)."""
        owner, _, container = behavior.partition(".")
        resource = self.stack.resources.get(behavior) or self.stack.resources.get(owner)
        if isinstance(resource, Function):
            return self._function(resource)
        if isinstance(resource, BatchJob):
            own = _values(workload_environment(self.stack, resource, self._injected))
            return {**FAKE_CREDENTIALS, **own}
        if isinstance(resource, Containerized):
            return self._container(resource, container)
        return {}

    def _function(self, fn: Function) -> dict[str, str]:
        """Lambda's defaults, then the function's own variables, then Lambda's reserved
        ones, which a function cannot set (Lambda refuses such a configuration)."""
        stack = self.stack
        name = lambda_name(stack.stack_name, fn.name)
        reserved = {
            "AWS_REGION": stack.region,
            "AWS_DEFAULT_REGION": stack.region,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": FUNCTION_VERSION,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": lambda_log_group_name(name),
            "LAMBDA_TASK_ROOT": LAMBDA_TASK_ROOT,
            "LAMBDA_RUNTIME_DIR": LAMBDA_RUNTIME_DIR,
            "TZ": ":UTC",
            **FAKE_CREDENTIALS,
            "AWS_ACCESS_KEY": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        }
        # Without `runtime`, the one Stacktape deploys for the entry file (python3.13 ...);
        # Python's for a Python handler serving a function of another runtime.
        runtime = served_runtime(fn.runtime, fn.entry, python_handler=True)
        reserved["AWS_EXECUTION_ENV"] = f"AWS_Lambda_{runtime}"
        own = _values(workload_environment(stack, fn, self._injected))
        return {**LAMBDA_DEFAULTS, **own, **reserved}

    def _container(self, workload: Containerized, container: str | None) -> dict[str, str]:
        """The environment of the container the behaviour serves (`WORKLOAD.CONTAINER`, or
        the container the caller names; the first one for none) over the region ECS sets in
        every task: a task definition's own variables win in ECS."""
        envs = environments(self.stack, workload, self._injected)
        entries = next((e for c, e in envs if c == container), envs[0][1] if envs else [])
        region = self.stack.region
        return {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            **FAKE_CREDENTIALS,
            **_values(entries),
        }


def _values(entries: list[EnvEntry]) -> dict[str, str]:
    return {e.name: e.value for e in entries}


class OsForm:
    """An environment in the form `os.environ` stores it: each name and value encoded as its
    own `encodekey` and `encodevalue` do (bytes on POSIX), once, so that `applied` compares
    and sets stored forms without encoding or decoding a variable per call. A variable that
    cannot be encoded is left out (`applied` also leaves out one the OS refuses)."""

    __slots__ = ("_c", "data")

    def __init__(self, env: Mapping[str, str]) -> None:
        encodekey, encodevalue = os.environ.encodekey, os.environ.encodevalue
        data: dict[Any, Any] = {}
        for name, value in env.items():
            try:
                data[encodekey(name)] = encodevalue(value)
            except (ValueError, UnicodeError):  # a lone surrogate, say
                continue
        self.data = data
        self._c: _CEnvironment | None = None

    def over(self, env: Mapping[str, str]) -> OsForm:
        """These variables with `env`'s over them (an invocation's own over its workload's)."""
        both = OsForm(env)
        both.data = {**self.data, **both.data}
        return both

    def c_environment(self) -> _CEnvironment:
        """These variables as the C library's `environ` array holds them (made once)."""
        made = self._c
        if made is None or made.busy:  # a nested block of the same environment: its own
            made = _CEnvironment(self.data)
            if self._c is None:
                self._c = made
        return made


def applied(env: Mapping[str, str] | OsForm) -> AbstractContextManager[None]:
    """`os.environ` holds exactly `env` inside the block (a variable the operating system
    cannot hold, a name with `=` or a NUL, is left out), and afterwards exactly what it held
    before, whatever the block raised or set itself: the same mapping, even when the block
    bound `os.environ` to another, and the same working directory (`os.chdir` in a handler
    would move every relative path stptui opens later)."""
    form = env if isinstance(env, OsForm) else OsForm(env)
    pointer = _environ_pointer()
    return _Applied(form) if pointer is None else _Swapped(form, pointer)


# The C library's `environ` variable (ctypes.c_void_p at its address): None where it cannot
# be reached (not Linux, no ctypes), and [] before the first look.
_ENVIRON: list[Any] = []


def _environ_pointer() -> Any:
    """The C library's `environ` variable, whose value `_Swapped` sets; None where it is not
    to be set (then `_Applied` changes the environment one variable at a time)."""
    if not _ENVIRON:
        found = None
        # Linux's C libraries (glibc, musl) read `environ` at each getenv and copy an array
        # they did not allocate before adding to it. Elsewhere (macOS keeps it behind
        # _NSGetEnviron) the environment is changed one variable at a time.
        if sys.platform.startswith("linux"):
            try:
                import ctypes  # loaded with the first handler's environment

                found = ctypes.c_void_p.in_dll(ctypes.CDLL(None), "environ")
            except (ImportError, OSError, ValueError):
                found = None
        _ENVIRON.append(found)
    return _ENVIRON[0]


class _CEnvironment:
    """An environment as the C library's `environ` array: `NAME=value` entries (those the
    OS would take: a name with `=` or a NUL, or a value with a NUL, left out, as putenv
    refuses them) and their stored forms for `os.environ`. `pristine` is the array as made:
    the C library's unsetenv removes an entry from the array in place, which `_Swapped`
    undoes at the block's end."""

    __slots__ = ("address", "array", "busy", "data", "pristine", "size")

    def __init__(self, data: Mapping[Any, Any]) -> None:
        import ctypes

        self.data = {
            name: value
            for name, value in data.items()
            if name and b"=" not in name and b"\0" not in name and b"\0" not in value
        }
        entries = [name + b"=" + value for name, value in self.data.items()]
        kind = ctypes.c_char_p * (len(entries) + 1)
        # The arrays hold the entries' bytes (ctypes keeps them alive with the arrays).
        self.array = kind(*entries, None)
        self.pristine = kind(*entries, None)
        self.size = ctypes.sizeof(kind)
        self.address = ctypes.addressof(self.array)
        self.busy = False

    def restore(self) -> None:
        """Undo what the C library's unsetenv did to the array while it was `environ`."""
        import ctypes

        ctypes.memmove(self.array, self.pristine, self.size)


# The array `environ` was last set back to (`_Swapped`): while `environ` still points at it,
# nothing changed the process's environment since, and the next block need not copy it.
_RESTORED: list[Any] = [None]


def _process_environment(address: int | None) -> Any:
    """A copy, in an array of stptui's own, of the `environ` array at `address` (the
    process's environment before a block): the C library may reallocate its own array when
    the block's code adds a variable (`last_environ` in glibc), so the block sets `environ`
    back to this copy, not to that array. The copy is never freed: `environ` may point at
    it until the process ends, after the interpreter has freed its modules' objects."""
    import ctypes

    entries: list[bytes] = []
    if address:
        array = ctypes.cast(address, ctypes.POINTER(ctypes.c_char_p))
        for i in itertools.count():
            entry = array[i]
            if entry is None:
                break
            entries.append(entry)
    copy = (ctypes.c_char_p * (len(entries) + 1))(*entries, None)  # it holds the entries
    # One reference more than anything releases; a few hundred bytes each time the process's
    # environment changed between two handler calls.
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(copy))
    return copy


def _cwd() -> str | None:
    """The working directory, or None when it no longer exists."""
    try:
        return os.getcwd()
    except OSError:
        return None


# The module `os` takes putenv and unsetenv from (posix, or nt), and the real functions.
_OS_MODULE = sys.modules[os.name]
_REAL_PUTENV, _REAL_UNSETENV = os.putenv, os.unsetenv
# Per open block, innermost last: the stored form of each name the block's code gave to
# putenv or unsetenv, with the value the C library held before its first such call.
_TOUCHED: list[dict[Any, bytes | None]] = []


def _stored(name: Any) -> Any:
    """`name` in the form `os.environ` stores it (bytes on POSIX), or None if it has none."""
    try:
        name = os.fspath(name)
        return os.environ.encodekey(name) if isinstance(name, str) else bytes(name)
    except (TypeError, ValueError, UnicodeError):
        return None


def _c_getenv(name: Any) -> bytes | None:
    """What the C library's environment holds for `name` now (os.environ may not know it:
    putenv bypasses it, and so does a C library such as readline)."""
    # Loaded only when a handler calls putenv or unsetenv itself, which few do.
    import ctypes

    try:
        getenv = ctypes.CDLL(None).getenv
    except (OSError, AttributeError):  # no C library to ask (not POSIX): taken as absent
        return None
    getenv.restype = ctypes.c_char_p
    value: bytes | None = getenv(name if isinstance(name, bytes) else os.fsencode(name))
    return value


def _note(name: Any) -> None:
    """Remember the C library's value of `name` before the open block's code first changes
    it (a block's own changes are made with the real functions, and noted by `_Applied`)."""
    if _TOUCHED:
        key = _stored(name)
        touched = _TOUCHED[-1]
        if key is not None and key not in touched:
            touched[key] = _c_getenv(key)


def _putenv(name: Any, value: Any) -> None:
    """os.putenv while a handler's environment is in place: noted, so that the block puts
    the process's environment back however the code changed it."""
    _note(name)
    _REAL_PUTENV(name, value)


def _unsetenv(name: Any) -> None:
    """os.unsetenv while a handler's environment is in place, noted as `_putenv` is."""
    _note(name)
    _REAL_UNSETENV(name)


class _Applied(AbstractContextManager[None]):
    """`applied`'s block. Both changes touch only the variables that differ, and work on the
    mapping `os.environ` keeps its stored forms in (`_data`, which its own `__setitem__` and
    `__delitem__` change beside calling putenv and unsetenv): the shell's variables are not
    decoded, copied and encoded again twice a call, which cost about 100 us a call with a
    shell of 35 variables.

    Code may change the C library's environment without `os.environ` (`os.putenv`,
    `os.unsetenv`): while the block is open those are `_putenv` and `_unsetenv` (in `os` and
    `posix`), which note each name first, and the block sets each noted name back as well.
    A C library's own setenv (through ctypes, say) is not seen."""

    __slots__ = ("_cwd", "_data", "_environ", "_hooks", "_saved", "_wanted")

    def __init__(self, env: OsForm) -> None:
        self._wanted = env.data
        self._environ = os.environ
        self._data: dict[Any, Any] = os.environ._data  # type: ignore[attr-defined]
        self._saved: dict[Any, Any] = {}
        self._cwd: str | None = None
        self._hooks: tuple[Any, ...] | None = None

    def __enter__(self) -> None:
        data, wanted = self._data, self._wanted
        self._cwd = _cwd()
        saved = self._saved = data.copy()
        try:
            _unset(data, saved.keys() - wanted.keys())
            for key, value in wanted.items():
                if saved.get(key) != value:
                    try:
                        os.putenv(key, value)
                    except ValueError:  # a name with `=` or a NUL: the OS cannot hold it
                        continue
                    data[key] = value
            # Last: the changes above are the block's own, undone from `saved`.
            self._hooks = (os.putenv, os.unsetenv, _OS_MODULE.putenv, _OS_MODULE.unsetenv)
            _TOUCHED.append({})
            os.putenv = _OS_MODULE.putenv = _putenv
            os.unsetenv = _OS_MODULE.unsetenv = _unsetenv
        except BaseException:  # a Ctrl-C half way: `with` calls __exit__ only after this
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        os.environ = self._environ  # noqa: B003 (the very mapping, which the block may rebind)
        touched: dict[Any, bytes | None] = {}
        if self._hooks is not None:
            os.putenv, os.unsetenv, _OS_MODULE.putenv, _OS_MODULE.unsetenv = self._hooks
            self._hooks = None
            touched = _TOUCHED.pop()
        data, saved = self._data, self._saved
        _unset(data, data.keys() - saved.keys())
        for key, value in saved.items():
            if data.get(key) != value:
                # The OS held it before: a name it refuses to set was never unset either.
                try:  # noqa: SIM105 (hot path: suppress() costs a microsecond a variable)
                    os.putenv(key, value)
                except ValueError:
                    pass
                data[key] = value
        for key, first in touched.items():
            # What the process held before the block: `saved`'s value; none for a name only
            # `wanted` has (the block set it); else its value when the code first changed
            # it, which the block never touched (absent, or set behind os.environ's back).
            before = saved.get(key) if key in saved or key in self._wanted else first
            with suppress(ValueError):
                if before is None:
                    os.unsetenv(key)
                else:
                    os.putenv(key, before)
        cwd = self._cwd
        if cwd is not None and _cwd() != cwd:
            with suppress(OSError):  # removed since: nowhere to go back to
                os.chdir(cwd)


def _unset(data: dict[Any, Any], keys: set[Any]) -> None:
    """Take variables out of the OS's environment and `os.environ`'s stored forms."""
    unsetenv = os.unsetenv
    for key in keys:
        # An entry with an empty name cannot be unset: it stays, and `applied` puts it back.
        try:  # noqa: SIM105 (hot path, as above)
            unsetenv(key)
        except ValueError:
            pass
        del data[key]


class _Swapped(AbstractContextManager[None]):
    """`applied`'s block where the C library's `environ` can be set (Linux): the handler's
    whole environment is put in place at once, as two pointers, not variable by variable.
    `os.environ` keeps its stored forms in a new dict for the block (`_data`) and the C
    library's `environ` points at the handler's own array; afterwards both are the ones
    before, exactly: whatever the block's code did to its environment, with os.environ,
    os.putenv and os.unsetenv or a C library's setenv (ctypes), was done to the handler's
    copies (the C library copies an array it did not allocate before it adds to it). A
    variable a C library set behind os.environ's back (readline's COLUMNS) is not in the
    handler's environment either. The changes variable by variable (`_Applied`) cost some
    25 us a call with a shell of 35 variables: 100 putenv and unsetenv, each linear in the
    environment's size in the C library."""

    __slots__ = ("_c", "_cwd", "_data", "_environ", "_form", "_pointer", "_saved", "_swapped")

    def __init__(self, env: OsForm, pointer: Any) -> None:
        self._form = env
        self._pointer = pointer
        self._environ = os.environ
        self._c: _CEnvironment | None = None
        self._data: dict[Any, Any] | None = None
        # The process's environment before the block, in an array of stptui's own.
        self._saved: Any = None
        self._swapped = False
        self._cwd: str | None = None

    def __enter__(self) -> None:
        import ctypes  # loaded already: the pointer is one of its objects

        self._cwd = _cwd()
        pointer = self._pointer
        try:
            c = self._c = self._form.c_environment()
            c.busy = True
            self._data = os.environ._data  # type: ignore[attr-defined]
            os.environ._data = dict(c.data)  # type: ignore[attr-defined]
            before = _RESTORED[0]
            if before is None or pointer.value != ctypes.addressof(before):
                before = _process_environment(pointer.value)
            self._saved = before
            pointer.value = c.address
            self._swapped = True
        except BaseException:  # a Ctrl-C half way: `with` calls __exit__ only after this
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        import ctypes

        os.environ = self._environ  # noqa: B003 (the very mapping, which the block may rebind)
        if self._swapped:
            self._pointer.value = ctypes.addressof(self._saved)
            _RESTORED[0] = self._saved
            self._swapped = False
            self._saved = None
        if self._data is not None:
            os.environ._data = self._data  # type: ignore[attr-defined]
            self._data = None
        c = self._c
        if c is not None:
            c.restore()
            c.busy = False
            self._c = None
        cwd = self._cwd
        if cwd is not None and _cwd() != cwd:
            with suppress(OSError):  # removed since: nowhere to go back to
                os.chdir(cwd)
