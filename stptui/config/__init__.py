"""Reading Stacktape configs: safe YAML with positions, directives, the typed model, lint."""

from __future__ import annotations

import re
from pathlib import Path

from stptui.config.diagnostics import ConfigError, Diagnostic, sort_diagnostics
from stptui.config.model import Stack

CONFIG_NAMES = ("stacktape.yml", "stacktape.yaml")


def find_config(path: str | Path) -> Path:
    """The config file named by `path`, or the stacktape.yml/.yaml inside a directory."""
    p = Path(path)
    if p.is_dir():
        for name in CONFIG_NAMES:
            if (p / name).is_file():
                return p / name
        raise ConfigError(
            Diagnostic(
                "error",
                "file-unreadable",
                f"no {' or '.join(CONFIG_NAMES)} in this directory",
                str(p),
            )
        )
    return p


def load_stack_text(
    text: str,
    file: str = "stacktape.yml",
    *,
    stage: str = "dev",
    region: str = "us-east-1",
    config_dir: Path | None = None,
    lint: bool = True,
) -> Stack:
    """Parse, resolve, model and (by default) lint a config given as text.

    Raises ConfigError only when the text is not a readable YAML document; every other
    problem is a diagnostic on the returned Stack.
    """
    from stptui.config.directives import DirectiveContext, resolve_directives
    from stptui.config.loader import parse_yaml
    from stptui.config.normalize import build_stack

    loaded = parse_yaml(text, file)
    resources = loaded.data.get("resources") if isinstance(loaded.data, dict) else None
    types = {}
    fifo: set[str] = set()
    if isinstance(resources, dict):
        types = {
            n: r.get("type")
            for n, r in resources.items()
            if isinstance(r, dict) and isinstance(r.get("type"), str)
        }
        # A FIFO queue's or topic's ARN ends in `.fifo`, also where a $ResourceParam names it.
        fifo = {
            n
            for n, r in resources.items()
            if types.get(n) in ("sqs-queue", "sns-topic")
            and isinstance(r.get("properties"), dict)
            and r["properties"].get("fifoEnabled") is True
        }
    # Fake ARNs and names embed the stack name, so serviceName must be known before any
    # $ResourceParam is resolved (a serviceName that is not a plain valid name is ignored).
    service = loaded.data.get("serviceName") if isinstance(loaded.data, dict) else None
    project = "app"
    if isinstance(service, str) and re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]*", service):
        project = service
    ctx = DirectiveContext(
        stage=stage,
        region=region,
        project=project,
        config_dir=config_dir,
        resource_types=types,
        fifo=frozenset(fifo),
    )
    resolve_directives(loaded, ctx)
    stack = build_stack(loaded, ctx)
    if lint:
        from stptui.config.lint import lint_stack

        stack.diagnostics.extend(lint_stack(stack))
    stack.diagnostics[:] = sort_diagnostics(stack.diagnostics)
    return stack


def load_stack(
    path: str | Path, *, stage: str = "dev", region: str = "us-east-1", lint: bool = True
) -> Stack:
    """Load a stack from a file (or a directory holding stacktape.yml)."""
    from stptui.config.loader import read_text

    p = find_config(path)
    text = read_text(p)
    return load_stack_text(
        text, str(p), stage=stage, region=region, config_dir=p.parent.resolve(), lint=lint
    )


__all__ = ["ConfigError", "Diagnostic", "Stack", "find_config", "load_stack", "load_stack_text"]
