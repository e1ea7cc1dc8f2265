"""Helpers for whole-stack check tests: load an inline stack, find its diagnostics by code."""

from __future__ import annotations

from textwrap import dedent

from stptui.config import load_stack_text
from stptui.config.diagnostics import Diagnostic
from stptui.config.model import Stack

PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def load(text: str) -> Stack:
    """Load an inline stack; `{PKG}` stands for a minimal function packaging."""
    return load_stack_text(dedent(text).replace("{PKG}", PKG), "s.yml")


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
