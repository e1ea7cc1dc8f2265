"""`stptui init` on a stack whose functions are Python files points each entry at its code:
a commented-out `handler:` line naming the entry file's module and Stacktape's handler
function (`handler`, or the packaging's `handlerFunction`), which `--allow-code` runs
(docs/behaviors.md, "A starter file: stptui init")."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stptui.cli import main

STACK = """\
resources:
  submitOrder:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/submit_order.py}}
  report:
    type: function
    properties:
      packaging:
        type: stacktape-lambda-buildpack
        properties: {entryfilePath: src/report.py, handlerFunction: main}
  web:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/web.ts}}
  dashed:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: src/my-fn.py}}
"""


def _init(folder: Path, capsys: pytest.CaptureFixture[str], *out: str) -> str:
    (folder / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (folder / "src").mkdir()
    for name in ("submit_order.py", "report.py", "web.ts", "my-fn.py"):
        (folder / "src" / name).write_text("", encoding="utf-8")
    assert main(["init", str(folder / "stacktape.yml"), *out]) == 0
    if out == ("--out", "-"):
        return capsys.readouterr().out
    return (folder / "stptui.yml").read_text(encoding="utf-8")


def test_init_names_each_python_entry_files_handler(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _init(tmp_path, capsys)
    assert "    # handler: src.submit_order:handler  # your code: uncomment" in text
    assert "    # handler: src.report:main  # your code: uncomment" in text
    assert "handler: src.web" not in text  # not Python
    assert "my-fn" not in text.split("dashed:")[1]  # not a module name Python imports
    # Uncommented, the line is the entry's `handler`.
    line = next(x for x in text.splitlines() if "src.submit_order:handler" in x)
    assert yaml.safe_load(line.replace("# ", "", 1).strip()) == {
        "handler": "src.submit_order:handler"
    }


def test_init_printed_names_the_modules_from_the_stacks_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _init(tmp_path, capsys, "--out", "-")
    assert "    # handler: src.submit_order:handler  # your code: uncomment" in text


def test_init_elsewhere_names_the_modules_from_that_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stacktape.yml").write_text(STACK, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "submit_order.py").write_text("", encoding="utf-8")
    out = tmp_path / "src" / "behaviors.yml"
    assert main(["init", str(tmp_path / "stacktape.yml"), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "    # handler: submit_order:handler  # your code: uncomment" in text
