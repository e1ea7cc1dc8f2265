"""A function whose config names another runtime (a `.ts` entry file, `runtime: nodejs22.x`)
but which a Python handler serves with --allow-code runs Python: its log stream, errors and
AWS_EXECUTION_ENV are the Python runtime's, not Node.js's (docs/fidelity.md, "CloudWatch
Logs"). Without --allow-code the declared behaviour runs, on the config's runtime."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.commands import Session, execute
from tests.simkit import START

HANDLER = """\
import os


def handle(event, context):
    print(os.environ["AWS_EXECUTION_ENV"])
    raise ValueError("no stock")
"""


def open_session(tmp_path: Path, packaging: str, *, allow_code: bool = True) -> Session:
    (tmp_path / "stacktape.yml").write_text(
        f"resources:\n  fn:\n    type: function\n    properties:\n      {packaging}\n",
        encoding="utf-8",
    )
    (tmp_path / "orders.py").write_text(HANDLER, encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  fn: {handler: 'orders:handle', fail: true}\n", encoding="utf-8"
    )
    return Session.open(tmp_path / "stacktape.yml", start_ms=START, allow_code=allow_code)


def messages(s: Session) -> list[str]:
    return [e.message.rstrip("\n") for e in s.sim.services["logs"].group("fn").recent(100)]


@pytest.mark.parametrize(
    "packaging",
    [
        "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}",
        "runtime: nodejs22.x\n      "
        "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.js}}",
    ],
)
def test_a_python_handler_serving_a_node_function_writes_pythons_lines(
    tmp_path: Path, packaging: str
) -> None:
    s = open_session(tmp_path, packaging)
    execute(s, "invoke fn {}")
    execute(s, "run")
    lines = messages(s)
    assert lines[0].startswith("INIT_START Runtime Version: python:3.13.v14\t")
    assert "AWS_Lambda_python3.13" in lines
    # The Python runtime's error line, not Node.js's `Invoke Error` JSON.
    (error,) = [m for m in lines if "no stock" in m]
    assert error.startswith("[ERROR] ValueError: no stock")
    assert not any("Invoke Error" in m for m in lines)


def test_without_allow_code_the_configs_runtime_writes_the_lines(tmp_path: Path) -> None:
    s = open_session(
        tmp_path,
        "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}",
        allow_code=False,
    )
    execute(s, "invoke fn {}")
    execute(s, "run")
    lines = messages(s)
    assert lines[0].startswith("INIT_START Runtime Version: nodejs:24.")
    assert any("Invoke Error" in m for m in lines)
