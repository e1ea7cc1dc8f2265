"""Import hygiene: the headless layers never load a UI toolkit (design rule 1, harlequin's
enforced layering); the CLI loads Textual only when it opens the terminal UI."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = ("stptui.sim", "stptui.config", "stptui.graph", "stptui.commands", "stptui.cli")
PROBE = """
import importlib, sys, pkgutil
import {module} as root
names = [root.__name__]
if hasattr(root, "__path__"):
    names += [m.name for m in pkgutil.walk_packages(root.__path__, root.__name__ + ".")]
for name in names:
    importlib.import_module(name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "prompt_toolkit"))
print(" ".join(bad))
"""


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_layers_import_no_ui_toolkit(module: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""


def test_the_tui_live_clock_needs_no_textual_either() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(module="stptui.tui.live")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""
