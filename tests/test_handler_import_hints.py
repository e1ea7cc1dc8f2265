"""A handler module that fails at import says why in terms a Lambda developer acts on:
`validate --allow-code` names the line of the handler's file that raised, a missing
environment variable with the names the workload's environment has, and a package that is
not installed in the Python stptui runs on (docs/python-handlers.md, "The handler's environment")."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stptui.cli import main

STACK = """\
resources:
  orders:
    type: dynamo-db-table
    properties:
      primaryKey: {partitionKey: {name: orderId, type: string}}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/w.py}}
      connectTo: [orders]
"""


def _validate(folder: Path, code: str, capsys: pytest.CaptureFixture[str]) -> str:
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "stptui.yml").write_text(
        "behaviors:\n  worker:\n    handler: src.imp_worker:handler\n", encoding="utf-8"
    )
    (folder / "src").mkdir(exist_ok=True)
    (folder / "src" / "imp_worker.py").write_text(code, encoding="utf-8")
    assert main(["validate", str(folder / "stacktape.yml"), "--allow-code"]) == 1
    out = capsys.readouterr().out
    (line,) = [x for x in out.splitlines() if "behavior-handler-import" in x]
    hint = out.splitlines()[out.splitlines().index(line) + 1]
    return line + "\n" + hint


def test_a_misspelt_environment_variable_names_the_line_and_the_variables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _validate(
        tmp_path,
        'import os\n\nTABLE = os.environ["STP_ORDER_NAME"]\n\n\ndef handler(e, c):\n    pass\n',
        capsys,
    )
    assert "KeyError: 'STP_ORDER_NAME' (at /var/task/src/imp_worker.py, line 3)" in text
    assert (
        "hint: the environment has no variable 'STP_ORDER_NAME': did you mean "
        "'STP_ORDERS_NAME'? (its STP_* variables: STP_ORDERS_ARN, STP_ORDERS_NAME)"
    ) in text


def test_a_package_that_is_not_installed_says_where_to_install_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _validate(
        tmp_path, "import requests_not_installed_xyz\n\n\ndef handler(e, c):\n    pass\n", capsys
    )
    assert "ModuleNotFoundError: No module named 'requests_not_installed_xyz'" in text
    assert (
        "hint: 'requests_not_installed_xyz' is neither in the handlers' folder nor installed "
        f"in the Python stptui runs on: install it there ({sys.executable} -m pip install "
        "requests_not_installed_xyz), as Lambda needs it in the function's package"
    ) in text


def test_a_misspelt_handler_function_gets_the_one_the_module_defines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _validate(tmp_path, "def handle(e, c):\n    pass\n\n\ndef helper():\n    pass\n", capsys)
    assert "module 'src.imp_worker' has no 'handler' (handler src.imp_worker:handler)" in text
    assert text.endswith("hint: did you mean src.imp_worker:handle?")


def test_a_handler_naming_no_function_near_lists_the_modules_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What the module imports (json's dumps) is not one of its handlers.
    code = "from json import dumps\n\n\ndef main_entry(e, c):\n    return dumps(e)\n"
    text = _validate(tmp_path, code, capsys)
    assert text.endswith("hint: the functions src.imp_worker defines: main_entry")
