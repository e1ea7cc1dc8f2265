"""Code rules read from the source with `ast`.

1. No module of the package imports another module's private (underscore) name. A helper
   two modules need is made public, with a docstring, in the module that owns it, or moved
   to the module both need.
2. No code reads or writes another class's private attributes (`ring._raw`,
   `ctx._behaviors._check_target(...)`). The class that owns the data gives a public method
   or property with a docstring, or the logic moves to it. Allowed, as Python's convention
   has it: access through `self` or `cls` (and `super()`, `type(self)`); inside a class, its
   own private attributes on another instance (`other._x` where the class assigns `self._x`
   or defines `_x`; not when `other` is a parameter annotated with another type) and its
   bases' through their names (`Base._method`). A private of the standard library or of a
   third-party package (`os.environ._data`, `import re._parser`) counts as well: it is
   used knowingly, with its reason in `ALLOWED_ATTRIBUTES`.

Each rule has an allow-list of what is not put right, and exactly that: a new one fails,
and so does an entry that is no longer in the code, so the lists can only shrink.
"""

from __future__ import annotations

import ast
import gc
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "stptui"

# (importing module, the private name as `module.name`): none is left; the set is kept so
# that a private import that must stay for a while is written down here, not hidden.
ALLOWED: set[tuple[str, str]] = set()


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str, root: Path) -> bool:
    base = root.parent.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _imported_from(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name of the module an ImportFrom reads (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: -(node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _children(node: ast.AST) -> list[ast.AST]:
    """`ast.iter_child_nodes(node)`, in its order, as a list: made without its two layers of
    generators, as the rules go through a million nodes."""
    out: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            out.append(value)
        elif isinstance(value, list):
            out.extend(item for item in value if isinstance(item, ast.AST))
    return out


def _walk(tree: ast.AST) -> dict[ast.AST, list[ast.AST]]:
    """Every node of `tree` in `ast.walk`'s order (breadth first) -> its children: the
    tree gone through once for both rules and all of their walks."""
    kids: dict[ast.AST, list[ast.AST]] = {}
    todo = [tree]
    for node in todo:  # grows as it goes: breadth first
        kids[node] = children = _children(node)
        todo.extend(children)
    return kids


def private_imports(source: str, module: str, root: Path, *, is_package: bool = False) -> set[str]:
    """The first-party private names `source` (the text of `module`) takes from another
    module: `from m import _x`, and `m._x` where `m` is a module of the package it imports."""
    return _nodes_private_imports(_walk(ast.parse(source)), module, root, is_package)


def _nodes_private_imports(
    nodes: dict[ast.AST, list[ast.AST]], module: str, root: Path, is_package: bool
) -> set[str]:
    found: set[str] = set()
    modules: dict[str, str] = {}  # a local name -> the package module it is bound to
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == root.name and alias.asname:
                    modules[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _imported_from(node, module, is_package)
            if target.split(".")[0] != root.name or target == module:
                continue
            for alias in node.names:
                if _is_private(alias.name):
                    found.add(f"{target}.{alias.name}")
                elif _is_module(f"{target}.{alias.name}", root):
                    modules[alias.asname or alias.name] = f"{target}.{alias.name}"
    for node in nodes:
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and modules[node.value.id] != module
        ):
            found.add(f"{modules[node.value.id]}.{node.attr}")
    return found


def test_each_form_of_private_import_is_found() -> None:
    source = (
        "from stptui.sim import payloads\n"
        "from stptui.sim.payloads import _hidden, md5_hex\n"
        "from .fields import _expression\n"
        "from . import reader\n"
        "import stptui.sim.clock as clock\n"
        "payloads._receipt(); reader._check; clock._heap; clock.__name__; md5_hex._x\n"
    )
    found = private_imports(source, "stptui.sim.behavior.runtime", PACKAGE)
    assert found == {
        "stptui.sim.payloads._hidden",
        "stptui.sim.behavior.fields._expression",
        "stptui.sim.payloads._receipt",
        "stptui.sim.behavior.reader._check",
        "stptui.sim.clock._heap",
    }


def test_a_module_may_use_its_own_private_names_and_other_packages() -> None:
    source = (
        "from stptui.sim.behavior import runtime\n"
        "from yaml import _yaml\n"
        "from stptui.sim.behavior.runtime import _mine\n"
        "runtime._also_mine\n"
    )
    assert private_imports(source, "stptui.sim.behavior.runtime", PACKAGE) == set()


# -- rule 2: another class's private attributes

# (module, where in it: the enclosing class and function, the access as written) -> why it
# stays. Each reason says why no public name serves (a hot path, a user-facing object whose
# public names are API) or why another package's private is used.
_HANDLER_CONTEXT = (
    "HandlerContext is the `context` a Python handler receives: what the handler returns "
    "through stays under private names, so that its own code cannot read or set it, and any "
    "public name would be handler API; run_handler and the boto3 stand-ins act for it"
)
_BOTO3_STANDIN = (
    "a boto3 stand-in a handler holds (Client, Table, the resource): a public name would be "
    "a method boto3's own has not, which a handler could call here and fail with on AWS"
)
_STREAM_BATCH_CACHE = (
    "hot path: a batch's values for the trace (and a refused batch's event sizes), cached "
    "on the batch with the records they were made for, read inline by its consumer once per "
    "attempt (a call to StreamBatch.values only when the records changed); same module"
)
_STREAM = "stptui.sim.services.stream"
_FUNCTION = "stptui.sim.services.function"
_PYTHON_HANDLERS = "stptui.sim.behavior.python_handlers"
_DDB = "stptui.sim.behavior.boto3_standin.dynamodb"

ALLOWED_ATTRIBUTES: dict[tuple[str, str, str], str] = {
    # -- the standard library's and other packages' privates, used knowingly
    ("stptui.config.loader", "libyaml_version", "import yaml._yaml"): (
        "PyYAML's C extension: its get_version is the only way to ask which libyaml it links"
    ),
    ("stptui.repl.lexer", "", "import pygments.token._TokenType"): (
        "the type of pygments' tokens, for annotations: pygments exports only its instances"
    ),
    ("stptui.repl.shown", "EscapedCompletions.get_completions", "c._display_meta"): (
        "prompt_toolkit's help line as given: its public `display_meta` calls a callable one "
        "at once, which is to be made and escaped only when drawn (the comment there)"
    ),
    ("stptui.sim.asl_jsonata_regex", "", "import re._constants"): (
        "the regex parse tree's opcodes: no public API exposes the tree JSONata's regex "
        "translation reads"
    ),
    ("stptui.sim.asl_jsonata_regex", "", "import re._parser"): (
        "the regex parse tree: no public API exposes it"
    ),
    ("stptui.sim.behavior.handler_clock", "", "_random._inst"): (
        "the random module's shared instance, whose bound methods `random.random` and the "
        "rest are: the handler's clock stands those in"
    ),
    ("stptui.sim.behavior.handler_exits", "", "import _signal"): (
        "signal's C module, which holds raise_signal and pthread_kill under their own names "
        "(a handler that imports them from there would signal stptui's process), and whose "
        "own getsignal and signal user_interrupts calls: `signal`'s wrap each handler in an "
        "enum, a few microseconds a call that every handler's call paid twice"
    ),
    ("stptui.sim.behavior.handler_env", "_Applied.__init__", "os.environ._data"): (
        "the stored forms os.environ keeps: changing them directly saves some 100 us a "
        "handler call (the class's docstring)"
    ),
    ("stptui.sim.behavior.handler_env", "_Swapped.__enter__", "os.environ._data"): (
        "the stored forms os.environ keeps, a dict of the handler's put in their place for "
        "the call with the C library's `environ` (the class's docstring)"
    ),
    ("stptui.sim.behavior.handler_env", "_Swapped.__exit__", "os.environ._data"): (
        "the shell's stored forms put back after the call (see _Swapped.__enter__)"
    ),
    ("stptui.tui.app", "", "import _imp"): (
        "the interpreter's import lock: `imp`, the public module that gave it, is deprecated "
        "and gone in Python 3.12"
    ),
    ("stptui.tui.widgets.footer", "", "import textual.widgets._footer"): (
        "Textual's FooterKey, the footer's children StableFooter measures: `textual.widgets` "
        "exports Footer only"
    ),
    ("stptui.tui.widgets.queues_pane", "QueuesPane._fit_columns", "table._refresh_scrollbars"): (
        "Textual (pinned) decides a DataTable's scrollbars again only when asked: no public "
        "call does it (the comment there)"
    ),
    # -- user-facing objects whose public names are API
    ("stptui.sim.behavior.boto3_standin.s3", "_with_owner", "ctx._behaviors"): _HANDLER_CONTEXT,
    # boto3's calls that the handler's own context has no public form of (an entry's Time,
    # a managed transfer in parts): public names there would be handler API.
    ("stptui.sim.behavior.boto3_standin.events", "_events_put_events", "ctx._publish_at"): (
        _HANDLER_CONTEXT
    ),
    ("stptui.sim.behavior.boto3_standin.s3", "_s3_copy_in_parts", "ctx._copy_object_in_parts"): (
        _HANDLER_CONTEXT
    ),
    ("stptui.sim.behavior.boto3_standin.s3", "_s3_upload_in_parts", "ctx._put_object_in_parts"): (
        _HANDLER_CONTEXT
    ),
    ("stptui.sim.behavior.boto3_standin.sns", "_check_fifo_batch", "ctx._behaviors"): (
        _HANDLER_CONTEXT
    ),
    ("stptui.sim.behavior.boto3_standin.sqs", "_sqs_get_queue_url", "ctx._behaviors"): (
        _HANDLER_CONTEXT
    ),
    ("stptui.sim.behavior.boto3_standin.stepfunctions", "_token_machine", "ctx._behaviors"): (
        _HANDLER_CONTEXT
    ),
    ("stptui.sim.behavior.boto3_standin.stepfunctions", "_token_machine", "ctx._sim"): (
        _HANDLER_CONTEXT
    ),
    (_PYTHON_HANDLERS, "run_handler", "ctx._denied"): _HANDLER_CONTEXT,
    (_PYTHON_HANDLERS, "run_handler", "ctx._emissions"): _HANDLER_CONTEXT,
    (_PYTHON_HANDLERS, "run_handler", "ctx._ended"): _HANDLER_CONTEXT,
    (_PYTHON_HANDLERS, "run_handler", "ctx._later"): _HANDLER_CONTEXT,
    (_PYTHON_HANDLERS, "run_handler", "ctx._logs"): _HANDLER_CONTEXT,
    (_DDB, "_ddb_delete_item.run", "client._target_table"): _BOTO3_STANDIN,
    (_DDB, "_ddb_get_item.run", "client._target_table"): _BOTO3_STANDIN,
    (_DDB, "_ddb_put_item.run", "client._target_table"): _BOTO3_STANDIN,
    (_DDB, "_ddb_read.run", "client._target_table"): _BOTO3_STANDIN,
    (_DDB, "_ddb_update_item.run", "client._target_table"): _BOTO3_STANDIN,
    # -- hot-path caches of one class read by another of the same module
    (_STREAM, "StreamConsumer._poll", "batch._values"): _STREAM_BATCH_CACHE,
    (_STREAM, "StreamConsumer._poll", "batch._values_of"): _STREAM_BATCH_CACHE,
    (_STREAM, "StreamConsumer._submit", "batch._sizes"): _STREAM_BATCH_CACHE,
}


def _own_names(cls: ast.ClassDef, kids: dict[ast.AST, list[ast.AST]]) -> set[str]:
    """The attribute names a class has of its own: what its methods assign on `self` or
    `cls`, and what its body defines (methods, class attributes, `__slots__` entries)."""
    names: set[str] = set()
    todo: list[ast.AST] = list(cls.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.ClassDef):
            continue  # a nested class's own names are its own
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in ("self", "cls")
                ):
                    names.add(sub.attr)
        todo.extend(kids[node])
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
                if isinstance(target, ast.Name) and target.id == "__slots__":
                    names.update(
                        c.value
                        for c in ast.walk(node.value)
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    )
    return names


def _annotated_types(func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> dict[str, set[str]]:
    """A function's parameters that have an annotation -> the names in it (quoted ones too)."""
    if func is None:
        return {}
    out: dict[str, set[str]] = {}
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.annotation is None:
            continue
        names: set[str] = set()
        for sub in ast.walk(arg.annotation):
            if isinstance(sub, ast.Name):
                names.add(sub.id)
            elif isinstance(sub, ast.Attribute):
                names.add(sub.attr)
            elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                names.update(
                    n.id for n in ast.walk(ast.parse(sub.value)) if isinstance(n, ast.Name)
                )
        out[arg.arg] = names
    return out


class _Scope:
    """Where a node is: the enclosing class (its name, bases and own names) and function,
    and the names the module binds to what it imports (a module or a class is no instance)."""

    def __init__(
        self,
        imported: frozenset[str],
        path: tuple[str, ...] = (),
        cls: ast.ClassDef | None = None,
        own: frozenset[str] = frozenset(),
        func: ast.FunctionDef | ast.AsyncFunctionDef | None = None,
    ) -> None:
        self.imported = imported
        self.path = path
        self.where = ".".join(path)  # as a finding names it
        self.cls = cls
        self.own = own
        self.func = func

    def allows(self, node: ast.Attribute) -> bool:
        """Whether the private attribute `node` reads is this class's, by the rule's terms."""
        value = node.value
        if isinstance(value, ast.Name) and value.id in ("self", "cls"):
            return True
        if isinstance(value, ast.Call) and ast.unparse(value) in ("super()", "type(self)"):
            return True
        if self.cls is None:
            return False
        if isinstance(value, ast.Name) and (
            value.id == self.cls.name or value.id in {ast.unparse(b) for b in self.cls.bases}
        ):
            return True
        root = value
        while isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        if isinstance(root, ast.Name) and root.id in self.imported:
            return False
        if isinstance(value, ast.Name):
            # A parameter annotated with another type is another class's instance.
            annotated = _annotated_types(self.func).get(value.id)
            if annotated is not None and not annotated & {self.cls.name, "Self"}:
                return False
        return node.attr in self.own


def _private_module(name: str) -> bool:
    return any(_is_private(part) for part in name.split("."))


def private_attributes(source: str, root: Path = PACKAGE) -> set[tuple[str, str]]:
    """The private attributes `source` reaches into, by the rule's terms: (where, access),
    where is the enclosing `Class.function` ("" at module level) and access is as written
    (`ring._raw`; `import re._parser` for another package's private module)."""
    tree = ast.parse(source)
    return _tree_private_attributes(tree, _walk(tree), root)


def _tree_private_attributes(
    tree: ast.Module, kids: dict[ast.AST, list[ast.AST]], root: Path
) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, scope: _Scope) -> None:
        for child in kids[node]:
            if isinstance(child, ast.ClassDef):
                own = frozenset(_own_names(child, kids))
                inner = _Scope(scope.imported, (*scope.path, child.name), child, own)
                visit(child, inner)
                continue
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                path = (*scope.path, child.name)
                visit(child, _Scope(scope.imported, path, scope.cls, scope.own, child))
                continue
            where = scope.where
            if isinstance(child, ast.Attribute) and _is_private(child.attr):
                if not scope.allows(child):
                    found.add((where, f"{ast.unparse(child.value)}.{child.attr}"))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.split(".")[0] != root.name and _private_module(alias.name):
                        found.add((where, f"import {alias.name}"))
            elif (
                isinstance(child, ast.ImportFrom)
                and not child.level
                and child.module
                and child.module.split(".")[0] != root.name
            ):
                names = [child.module, *(f"{child.module}.{a.name}" for a in child.names)]
                private = next((name for name in names if _private_module(name)), None)
                if private is not None:
                    found.add((where, f"import {private}"))
            visit(child, scope)

    imported = frozenset(
        (alias.asname or alias.name).split(".")[0]
        for node in kids
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    )
    visit(tree, _Scope(imported))
    return found


def test_each_form_of_reaching_into_private_attributes_is_found() -> None:
    source = (
        "import os\n"
        "import re._parser\n"
        "from textual.widgets._footer import FooterKey\n"
        "from yaml import _yaml\n"
        "from stptui.sim.payloads import _hidden\n"  # rule 1's: the package's own modules
        "def f(ring, ctx, q):\n"
        "    ring._raw.append(ctx._behaviors._check_target('send', q._items))\n"
        "    ctx._ended = True\n"
        "os.environ._data\n"
        "class Index:\n"
        "    def __init__(self, trace: Trace) -> None:\n"
        "        self._pending = trace._pending\n"
        "        self._ring = trace.records\n"
        "    def first(self):\n"
        "        return self._ring._total + len(self._ring[0]._fields)\n"
        "    def imported(self):\n"
        "        return os._pending\n"
    )
    assert private_attributes(source) == {
        ("", "import re._parser"),
        ("", "import textual.widgets._footer"),
        ("", "import yaml._yaml"),
        ("f", "ring._raw"),
        ("f", "ctx._behaviors._check_target"),
        ("f", "ctx._behaviors"),
        ("f", "q._items"),
        ("f", "ctx._ended"),
        ("", "os.environ._data"),
        ("Index.__init__", "trace._pending"),
        ("Index.first", "self._ring._total"),
        ("Index.first", "self._ring[0]._fields"),
        ("Index.imported", "os._pending"),
    }


def test_a_class_may_use_its_own_and_its_bases_private_attributes() -> None:
    source = (
        "from stptui.base import Base\n"
        "class Queue(Base):\n"
        "    __slots__ = ('_slot',)\n"
        "    _limit = 3\n"
        "    def __init__(self) -> None:\n"
        "        self._items = []\n"
        "        self._dlq: Queue | None = None\n"
        "    def _make_visible(self) -> None: ...\n"
        "    def move(self, other: Queue, dlq, some: 'Queue | None', me: Self) -> None:\n"
        "        other._items.append(self._items[0])\n"
        "        dlq._make_visible(); dlq._limit; dlq._slot; some._items; me._dlq\n"
        "        self._dlq._items\n"
        "        super()._y; type(self)._z\n"
        "        Base._helper(self); Queue._limit\n"
        "        def inner(q): return q._items\n"
        "    @classmethod\n"
        "    def make(cls): return cls._limit\n"
        "    _HANDLERS = {'move': Base._read}\n"
    )
    assert private_attributes(source) == set()


def _package_findings(
    root: Path,
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str, str]]]:
    """Both rules' findings over the package: (module, private name) imported across
    modules, and (module, where, access) for another class's private attributes."""
    imports: set[tuple[str, str]] = set()
    attributes: set[tuple[str, str, str]] = set()
    # A syntax tree holds no reference cycle (reference counting frees each module's), but
    # the cycle collector would go through its nodes again and again as they are made: a
    # quarter of the time, measured.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path in sorted(root.rglob("*.py")):
            module = _module_name(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            kids = _walk(tree)
            names = _nodes_private_imports(kids, module, root, path.name == "__init__.py")
            imports.update((module, name) for name in names)
            found = _tree_private_attributes(tree, kids, root)
            attributes.update((module, where, access) for where, access in found)
    finally:
        if collecting:
            gc.enable()
    return frozenset(imports), frozenset(attributes)


def test_the_package_keeps_both_rules_and_the_allow_lists_hold_only_what_is_there() -> None:
    """Both rules over the whole package, and their allow-lists against what is found: one
    test, as parsing the package's 5 MB of source is nearly all of their cost (each of four
    tests parsed it again). Every way it fails is said, each with its fix."""
    imports, attributes = _package_findings(PACKAGE)
    problems: list[str] = []
    if new := sorted(imports - ALLOWED):
        problems.append(
            "private names imported across modules (make the helper public, with a docstring, "
            f"in the module that owns it, or move it to the module both need): {new}"
        )
    if stale := sorted(ALLOWED - imports):
        problems.append(f"put right: take these out of ALLOWED so they cannot come back: {stale}")
    if new_attributes := sorted(attributes - ALLOWED_ATTRIBUTES.keys()):
        problems.append(
            "private attributes of another class read or written (give the owning class a "
            "public method or property with a docstring, or move the logic to it): "
            + "".join(f"\n  {entry}" for entry in new_attributes)
        )
    if stale_attributes := sorted(ALLOWED_ATTRIBUTES.keys() - attributes):
        problems.append(f"put right: take these out of ALLOWED_ATTRIBUTES: {stale_attributes}")
    assert not problems, "\n".join(problems)


def test_each_allowed_attribute_has_its_reason() -> None:
    assert all(reason.strip() for reason in ALLOWED_ATTRIBUTES.values())
