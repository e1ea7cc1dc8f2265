"""Code rules read from the source with `ast`: no module of the package imports another
module's private (underscore) name. A helper two modules need is made public, with a
docstring, in the module that owns it, or moved to the module both need.

`ALLOWED` holds the private imports not yet put right (none now), and exactly those: a new one fails,
and so does an entry that is no longer in the code, so the list can only shrink.
"""

from __future__ import annotations

import ast
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


def private_imports(source: str, module: str, root: Path, *, is_package: bool = False) -> set[str]:
    """The first-party private names `source` (the text of `module`) takes from another
    module: `from m import _x`, and `m._x` where `m` is a module of the package it imports."""
    found: set[str] = set()
    modules: dict[str, str] = {}  # a local name -> the package module it is bound to
    tree = ast.parse(source)
    for node in ast.walk(tree):
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
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and modules[node.value.id] != module
        ):
            found.add(f"{modules[node.value.id]}.{node.attr}")
    return found


def _package_private_imports(root: Path) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        names = private_imports(
            path.read_text(encoding="utf-8"), module, root, is_package=path.name == "__init__.py"
        )
        out.update((module, name) for name in names)
    return out


def test_no_module_imports_another_modules_private_name() -> None:
    found = _package_private_imports(PACKAGE)
    new = sorted(found - ALLOWED)
    assert not new, (
        "private names imported across modules (make the helper public, with a docstring, in "
        f"the module that owns it, or move it to the module both need): {new}"
    )


def test_the_allowed_list_holds_only_what_is_still_there() -> None:
    stale = sorted(ALLOWED - _package_private_imports(PACKAGE))
    assert not stale, f"put right: take these out of ALLOWED so they cannot come back: {stale}"


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
