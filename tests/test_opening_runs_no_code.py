"""Opening a stack never runs code (design rule 6): every way a stack folder could name code
to run, tried through every command that opens one without --allow-code. The stack's
scripts and hooks, its packaging's build command, a custom directive, a `$File` of a
JavaScript file, a handler in the behaviours file, a Python tag, and the files Python runs
by itself when a folder is on its path (sitecustomize.py, usercustomize.py, a .pth file):
each writes a marker file if it ever runs, and none may."""

from __future__ import annotations

from pathlib import Path

import pytest

from stptui.cli import main

STACK = """\
scripts:
  build:
    type: local-script
    properties:
      executeCommand: touch {marker}
      executeScript: build.py
hooks:
  beforeDeploy:
    - scriptName: build
directives:
  - name: evil
    filePath: directives.py:evil
resources:
  jobs:
    type: sqs-queue
    properties:
      tags:
        - key: a
          value: !!python/object/apply:os.system ["touch {marker}"]
  worker:
    type: function
    properties:
      packaging:
        type: custom-artifact
        properties:
          packagePath: build.py
          buildCommand: touch {marker}
      description: $File('directives.js').value
      environment:
        - name: EVIL
          value: $evil('x')
      events:
        - type: sqs
          properties:
            sqsQueueName: jobs
"""

BEHAVIORS = """\
behaviors:
  worker:
    handler: handlers:process
    duration: 1s
"""

SCRIPT = "send jobs hello\nadvance 1m\nsave {saved}\n"


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, Path]:
    """A stack folder whose every file runs code that writes `marker` if it is ever run."""
    marker = tmp_path / "ran"
    where = tmp_path / "stack"
    where.mkdir()
    (where / "stacktape.yml").write_text(STACK.format(marker=marker), encoding="utf-8")
    (where / "stptui.yml").write_text(BEHAVIORS, encoding="utf-8")
    touch = f"open({str(marker)!r}, 'w').close()\n"
    for name in ("handlers.py", "build.py", "directives.py", "sitecustomize.py"):
        (where / name).write_text(touch + "def process(e, c):\n    return 1\n", encoding="utf-8")
    (where / "usercustomize.py").write_text(touch, encoding="utf-8")
    (where / "evil.pth").write_text(f"import os; {touch}", encoding="utf-8")
    (where / "directives.js").write_text(
        f"require('fs').writeFileSync({str(marker)!r}, '1')\n", encoding="utf-8"
    )
    return where, marker


def test_no_command_that_opens_a_stack_runs_its_code(
    folder: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where, marker = folder
    stack = str(where / "stacktape.yml")
    saved = tmp_path / "saved.json"
    script = tmp_path / "s.stp"
    script.write_text(SCRIPT.format(saved=saved))
    load = tmp_path / "load.stp"
    load.write_text(f"load {saved}\nadvance 1m\n")
    runs = [
        ["validate", stack],
        ["validate", stack, "--behaviors", str(where / "stptui.yml")],
        *(["graph", stack, "--format", f] for f in ("text", "mermaid", "dot", "json")),
        ["init", stack, "--out", str(tmp_path / "starter.yml")],
        ["run", stack, str(script)],
        ["run", stack, str(load)],
    ]
    for argv in runs:
        code = main(argv)
        out, err = capsys.readouterr()
        assert code in (0, 1), (argv, out, err)
        assert not marker.exists(), f"`stptui {' '.join(argv)}` ran the stack's code"
    # The handler was named and skipped, and said so; the session was saved and loaded.
    assert saved.exists()
    main(["validate", stack])
    assert "behavior-handler-skipped" in capsys.readouterr().out
