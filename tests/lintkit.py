"""Helpers for whole-stack check tests: load an inline stack, find its diagnostics by code."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from stptui.config import load_stack_text
from stptui.config.diagnostics import Diagnostic
from stptui.config.model import Stack

# The shipped sample stacks' configs, which must stay free of errors.
SAMPLE_STACKS = sorted(
    (Path(__file__).resolve().parent.parent / "stptui" / "sample_stacks").glob("*/stacktape.yml")
)
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def load(text: str) -> Stack:
    """Load an inline stack; `{PKG}` stands for a minimal function packaging."""
    return load_stack_text(dedent(text).replace("{PKG}", PKG), "s.yml")


def codes(text: str) -> list[str]:
    """The codes of every diagnostic for an inline stack, in order."""
    return [d.code for d in load(text).diagnostics]


def found(text: str, code: str) -> list[Diagnostic]:
    """Every diagnostic with `code` for an inline stack."""
    return [d for d in load(text).diagnostics if d.code == code]


def one(text: str, code: str) -> Diagnostic:
    """The single diagnostic with `code` for an inline stack."""
    diags = found(text, code)
    assert len(diags) == 1, [d.format() for d in diags]
    return diags[0]


def where(d: Diagnostic) -> tuple[str, str, int | None, int | None]:
    """(severity, file, line, column) of a diagnostic."""
    return d.severity, d.file or "", d.line, d.column
