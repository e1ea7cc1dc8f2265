"""What a user gets from `pip install`: every data file the package needs at run time is
declared as package data, the package runs from those files alone (nothing read from the
checkout around it), and its declared dependencies are the ones it imports."""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "stptui"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_non_python_file_is_package_data() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["stptui"]
    data_files = [
        PurePosixPath(p.relative_to(PACKAGE).as_posix())
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data_files, "the package ships sample stacks and a stylesheet"
    missing = [
        str(f)
        for f in data_files
        if not any(f.full_match(p) if hasattr(f, "full_match") else _match(f, p) for p in patterns)
    ]
    assert not missing, f"not declared as package data in pyproject.toml: {missing}"


def _match(path: PurePosixPath, pattern: str) -> bool:
    """`PurePath.full_match` for Python 3.11-3.12: `**` spans directories."""
    import fnmatch

    return fnmatch.fnmatch(str(path), pattern.replace("**/", "*"))


def test_every_file_pyproject_names_exists() -> None:
    # A readme or licence file that is not there fails the build of the sdist and the wheel.
    project = PYPROJECT["project"]
    named = [project["readme"], *project["license-files"]]
    assert [name for name in named if not (ROOT / name).is_file()] == []


def _installed_copy(site: Path) -> Path:
    """The files a wheel holds, as setuptools picks them (the .py files of every folder with
    an `__init__.py`, and the package-data globs), copied under `site`."""
    target = site / "stptui"
    for source in PACKAGE.rglob("*.py"):
        relative = source.relative_to(PACKAGE)
        if all((PACKAGE / d / "__init__.py").is_file() for d in [*relative.parents][:-1]):
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    for pattern in PYPROJECT["tool"]["setuptools"]["package-data"]["stptui"]:
        for name in glob.glob(pattern, root_dir=PACKAGE, recursive=True):
            if (PACKAGE / name).is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PACKAGE / name, target / name)
    return target


# Run by the interpreter of the test, on the copy alone: the bundled demo opened without a
# terminal, and the combined sample's demo.stp run (its behaviours file read beside it).
_SMOKE = """
import contextlib, io, json
from pathlib import Path
import stptui
from stptui.cli import main

root = Path(stptui.__file__).parent
opened = io.StringIO()
with contextlib.redirect_stdout(opened):
    open_code = main(["--no-tui"])
stack = root / "sample_stacks" / "combined"
with contextlib.redirect_stdout(io.StringIO()):
    run_code = main(["run", str(stack), str(stack / "demo.stp"), "--start", "2026-01-05T08:00:00Z"])
print(json.dumps({"package": str(root), "open": [open_code, opened.getvalue()], "run": run_code}))
"""

# Textual reads a screen's or app's CSS_PATH beside the module that sets it.
_CSS_PATH = re.compile(r"^[ \t]+CSS_PATH = \"([^\"]+)\"", re.M)


def test_the_package_runs_from_the_files_a_wheel_holds(tmp_path: Path) -> None:
    # A path computed from the repository root, or a file read from docs/ or tests/, works
    # in a checkout and fails after `pip install`: here the checkout is out of reach.
    package = _installed_copy(tmp_path / "site")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _SMOKE],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["package"] == str(package)
    open_code, opened = result["open"]
    assert open_code == 0, done.stderr[-3000:]
    assert opened.startswith("stack background-jobs-demo-dev:")
    # The commands it suggests name the copy's own demo files, which a user can open.
    assert f"stptui run {package}/sample_stacks/combined/stacktape.yml " in opened
    assert result["run"] == 0, done.stderr[-3000:]
    assert done.stderr == ""
    stylesheets = [
        (module.parent / css).relative_to(package)
        for module in package.rglob("*.py")
        for css in _CSS_PATH.findall(module.read_text(encoding="utf-8"))
    ]
    assert stylesheets, "the terminal UI sets its stylesheet with CSS_PATH"
    assert [str(css) for css in stylesheets if not (package / css).is_file()] == []


def _distribution(requirement: str) -> str:
    """The normalised project name a requirement string starts with (PEP 503)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


# `import a.b, c as d` and `from a.b import ...` (relative imports start with a dot), at
# any indentation: imports made when first needed count. A regex, where ast.parse of the
# whole package takes seconds.
_IMPORT = re.compile(
    r"^[ \t]*(?:import[ \t]+([\w., \t]+?)[ \t]*(?:#.*)?$|from[ \t]+(\w+)[\w.]*[ \t]+import\b)",
    re.M,
)


def test_the_declared_dependencies_are_the_ones_the_package_imports() -> None:
    # An import that only works because another dependency happens to bring it (Pygments,
    # through Rich) breaks when that one drops it; a dependency nothing imports is a download
    # for nothing.
    imported: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        for names, module in _IMPORT.findall(source.read_text(encoding="utf-8")):
            if module:
                imported.add(module)
            else:
                imported.update(n.split()[0].split(".")[0] for n in names.split(","))
    third_party = imported - set(sys.stdlib_module_names) - {"stptui"}
    providers = packages_distributions()
    assert [m for m in sorted(third_party) if m not in providers] == []
    used = {_distribution(d) for m in third_party for d in providers[m]}
    declared = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
    assert sorted(used - declared) == [], "imported, not declared"
    assert sorted(declared - used) == [], "declared, never imported"
