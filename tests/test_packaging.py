"""Every data file the package needs at run time is declared as package data, so that a
plain `pip install .` (not only an editable install) carries it."""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "stptui"


def test_every_non_python_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["stptui"]
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
