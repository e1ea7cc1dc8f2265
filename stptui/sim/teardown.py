"""Taking a replaced simulation apart, so that reference counting frees it.

A simulation is full of reference cycles: services hold the simulator, which holds them;
a queue holds its messages, each of which names its queue; scheduled entries hold bound
methods of the services. Freed as it is, only the cyclic collector reclaims it, and only a
full collection, which scans every object of the process (the TUI's `undo` paid 80-160 ms
for it, all at once). With the attributes of the objects the simulation made for itself
dropped, nothing of it is in a cycle any more: each object goes as its last reference does.

`dismantle` drops the attributes of the simulator and of every object of the simulation's
own classes (its services, scheduler and trace: the modules in OWNED_MODULES) reachable
from it through their attributes, containers, bound methods and closures. Containers are
never emptied and other objects never touched (a compiled pattern, the Stack, a module's
constant may be shared with another simulation): only the owned objects let go of them.
"""

from __future__ import annotations

import types
import weakref
from collections import deque
from typing import Any

# The modules whose instances belong to one simulation: made by its wiring or its run,
# never cached nor shared with another simulation.
OWNED_MODULES = ("stptui.sim.engine", "stptui.sim.clock", "stptui.sim.trace")
OWNED_PACKAGE = "stptui.sim.services."
_CONTAINERS = (list, tuple, set, frozenset, deque)
_ATOMS = (str, int, float, bool, bytes, type(None))
# How deep the walk looks into containers below an owned object's attribute: a dict of
# lists of rules is two. Deeper are data (messages, records), not the structure.
CONTAINER_DEPTH = 2
# The most items a container of the structure holds: one per resource or per rule. A
# CloudFormation stack has at most 500 resources, but stptui opens larger configs (the
# benchmarks' 2,000 resources have 1,141 functions, each with its log group and its
# asynchronous invoker: at 1,024 these dicts were left whole, and with them the simulator).
# Larger ones hold data (messages, the trace's records, the scheduler's heap), walked by
# nothing: a cycle left there keeps the simulator alive, which the caller sees and
# collects as before.
STRUCTURE_LIMIT = 4096


def _owned(obj: object) -> bool:
    module = type(obj).__module__
    return module in OWNED_MODULES or module.startswith(OWNED_PACKAGE)


def dismantle(sim: Any) -> weakref.ref[Any]:
    """Drop the attributes of `sim` and of the objects of the simulation's own classes
    reachable from it, so that reference counting frees all of it when the caller lets go;
    the simulation is unusable afterwards. Returns a weak reference to `sim`: alive after
    the last reference went means a cycle was left (the cyclic collector must run)."""
    ref = weakref.ref(sim)
    seen: set[int] = set()
    owned: list[Any] = []
    # (object, how many containers deep below an owned object's attribute)
    todo: list[tuple[Any, int]] = [(sim, 0)]
    while todo:
        obj, depth = todo.pop()
        kind = type(obj)
        if kind in _ATOMS or id(obj) in seen:
            continue
        seen.add(id(obj))
        if kind is dict:
            if depth < CONTAINER_DEPTH and len(obj) <= STRUCTURE_LIMIT:
                todo.extend((v, depth + 1) for v in obj.values())
        elif kind in _CONTAINERS or isinstance(obj, tuple):
            if depth < CONTAINER_DEPTH and len(obj) <= STRUCTURE_LIMIT:
                todo.extend((v, depth + 1) for v in obj)
        elif kind is types.MethodType:
            todo.append((obj.__self__, depth))
        elif kind is types.FunctionType:
            # What a closure closed over (never its globals: the module's namespace).
            todo.extend((c.cell_contents, depth) for c in obj.__closure__ or () if _filled(c))
        elif _owned(obj) and not _frozen(kind):
            attrs = getattr(obj, "__dict__", None)
            # Objects without a __dict__ are the simulation's many small records (messages,
            # entries of the scheduler, trace records): they point at its structure, which
            # is what lets go of them, and walking them would cost as much as a collection.
            if attrs is not None:
                owned.append(attrs)
                todo.extend((v, 0) for v in attrs.values())
    # Let go only once everything is found: the walk needs the attributes it follows.
    for attrs in owned:
        attrs.clear()
    return ref


def _frozen(kind: type) -> bool:
    """A frozen dataclass: a value, which may be shared, and in no cycle of its own
    making (its fields are set once, before anything can refer to it)."""
    params = getattr(kind, "__dataclass_params__", None)
    return params is not None and params.frozen


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018  (an empty cell raises)
    except ValueError:
        return False
    return True
