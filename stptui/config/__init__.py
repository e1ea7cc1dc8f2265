"""Reading Stacktape configs: safe YAML with positions, directives, the typed model, lint."""

from __future__ import annotations

import copy
import dataclasses
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from stptui.config.diagnostics import ConfigError, Diagnostic, sort_diagnostics
from stptui.config.model import Stack

if TYPE_CHECKING:
    from stptui.config.directives import DirectiveContext
    from stptui.config.loader import LoadedYaml

CONFIG_NAMES = ("stacktape.yml", "stacktape.yaml")
# The config files Stacktape looks for in a directory, in the order it prefers them when
# several are present (it then warns and takes the first).
STACKTAPE_PRECEDENCE = ("stacktape.ts", "stacktape.yml", "stacktape.yaml", "stacktape.js")
# What stptui's scripts (`stptui run`, `source`, `record`) are called; never a config.
SCRIPT_SUFFIX = ".stp"
# Stacktape's rule for a serviceName, and so for a project name given on the command line.
NAME_PATTERN = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")
DEFAULT_PROJECT = "app"


def project_name_error(name: str) -> str | None:
    """Why `name` cannot be a project name (Stacktape's `[a-zA-Z][-a-zA-Z0-9]*`), or None."""
    if NAME_PATTERN.fullmatch(name):
        return None
    return f"project name {name!r} must start with a letter and hold only letters, digits and '-'"


# The stage and region a stack is loaded for when none is given (Stacktape's defaults).
DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"


def stack_option_words(stage: str, region: str, project: str | None) -> list[str]:
    """The options of a `stptui` line that choose the stack's stage, region and project, as
    its words (those at their default left out). Here, not with the commands: `graph` and
    `validate` name a line with them without loading the command layer."""
    words: list[str] = []
    if stage != DEFAULT_STAGE:
        words += ["--stage", stage]
    if region != DEFAULT_REGION:
        words += ["--region", region]
    if project is not None:
        words += ["--project-name", project]
    return words


# The stack is named `{project}-{stage}`, and a CloudFormation stack name holds only letters,
# digits and '-', so a stage can hold nothing else.
STAGE_PATTERN = re.compile(r"[-a-zA-Z0-9]+")


def stage_error(stage: str) -> str | None:
    """Why `stage` cannot name a stage (`{project}-{stage}` must be a CloudFormation stack
    name), or None."""
    if STAGE_PATTERN.fullmatch(stage):
        return None
    if not stage:
        return "the stage is empty; give one such as dev or prod"
    return f"stage {stage!r} may hold only letters, digits and '-' (it names the stack)"


# What to do about a folder that holds no config, nor any folder one level down.
EMPTY_FOLDER_HINT = (
    "give the path of a stacktape.yml or of the folder holding it; "
    "`stptui` alone opens a bundled demo stack"
)


def find_config(path: str | Path) -> Path:
    """The config file named by `path`, or the stacktape.yml/.yaml inside a directory."""
    p = Path(path)
    if p.is_dir():
        for name in CONFIG_NAMES:
            if (p / name).is_file():
                return p / name
        code_configs = [n for n in STACKTAPE_PRECEDENCE if (p / n).is_file()]
        hint = None
        if code_configs:
            hint = "stptui reads YAML configs only: it never runs a config's code"
        elif inside := _configs_below(p):
            hint = "these folders hold one: " + ", ".join(inside)
        else:
            # A new folder: say what to give instead, and where a stack to try is.
            hint = EMPTY_FOLDER_HINT
        raise ConfigError(
            Diagnostic(
                "error",
                "file-unreadable",
                f"no {' or '.join(CONFIG_NAMES)} in this directory"
                + (f", only {' and '.join(code_configs)}" if code_configs else ""),
                str(p),
                hint=hint,
            )
        )
    if p.suffix == SCRIPT_SUFFIX and p.is_file():
        raise ConfigError(
            Diagnostic(
                "error",
                "not-a-config",
                "this is a stptui script, not a Stacktape config",
                str(p),
                hint=f"a script runs on a stack: stptui run stacktape.yml {p}",
            )
        )
    return p


# How many sub-folders holding a config `find_config`'s hint names at most.
CONFIGS_BELOW_SHOWN = 8


def _configs_below(directory: Path) -> list[str]:
    """The sub-folders of `directory` (one level down) that hold a config, as paths to open:
    a folder of stacks (the bundled samples, a monorepo) is a common first argument."""
    try:
        subdirs = sorted(d for d in directory.iterdir() if d.is_dir())
    except OSError:
        return []
    found = [d for d in subdirs if any((d / n).is_file() for n in CONFIG_NAMES)]
    shown = [str(d) for d in found[:CONFIGS_BELOW_SHOWN]]
    if len(found) > CONFIGS_BELOW_SHOWN:
        shown.append(f"{len(found) - CONFIGS_BELOW_SHOWN} more")
    return shown


def competing_configs(config: Path) -> Diagnostic | None:
    """A warning when `config`'s directory holds other config files Stacktape looks for,
    naming the one `stacktape deploy` takes there without `--configPath`."""
    if config.name not in STACKTAPE_PRECEDENCE:
        return None  # a name of its own (`staging.yml`) is deployed with --configPath anyway
    present = [n for n in STACKTAPE_PRECEDENCE if (config.parent / n).is_file()]
    others = [n for n in present if n != config.name]
    if not others:
        return None
    order = " > ".join(STACKTAPE_PRECEDENCE)
    chosen = present[0]
    if chosen == config.name:
        message = (
            f"this directory also holds {' and '.join(others)}; Stacktape uses {chosen}, "
            f"as stptui does (precedence {order})"
        )
        hint = f"remove {' and '.join(others)} so that no one edits the file that is not used"
    else:
        message = (
            f"Stacktape deploys {chosen} from this directory, not {config.name} "
            f"(precedence {order}), unless given --configPath {config.name}"
        )
        hint = f"remove {chosen}, or deploy with --configPath {config.name}"
    return Diagnostic("warning", "competing-configs", message, str(config), hint=hint)


def load_stack_text(
    text: str,
    file: str = "stacktape.yml",
    *,
    stage: str = "dev",
    region: str = "us-east-1",
    project: str | None = None,
    config_dir: Path | None = None,
    lint: bool = True,
) -> Stack:
    """Parse, resolve, model and (by default) lint a config given as text.

    `project` is the project name (Stacktape's `--projectName`): it names the stack when the
    config has no valid `serviceName`, which wins when present; without either the project is
    "app". Raises ValueError when `project` is not a valid name, and ConfigError only when
    the text is not a readable YAML document; every other problem is a diagnostic on the
    returned Stack.
    """
    if project is not None and (reason := project_name_error(project)):
        raise ValueError(reason)
    with collections_paused():
        return _load_stack_text(text, file, stage, region, project, config_dir, lint)


@contextmanager
def collections_paused() -> Iterator[None]:
    """No cyclic garbage collection for the duration (unless it was off already).

    Reading a config allocates a node, two marks and a path tuple per YAML value, and keeps
    most of what it builds: Python's default thresholds rescanned all of it again and again,
    over a quarter of the CPU `stptui validate` spends on a 2,000-resource stack. The reading
    makes no cyclic garbage worth the scans (none on that stack), and what it makes is
    collected as soon as the collector runs again."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_stack_text(
    text: str,
    file: str,
    stage: str,
    region: str,
    project: str | None,
    config_dir: Path | None,
    lint: bool,
) -> Stack:
    """`load_stack_text`, its arguments checked."""
    from stptui.config.directives import (
        DirectiveContext,
        resolve_directives,
        resource_cdn_domains,
    )
    from stptui.config.loader import parse_yaml
    from stptui.config.normalize import build_stack

    loaded = parse_yaml(text, file)
    resources = loaded.data.get("resources") if isinstance(loaded.data, dict) else None
    types = {}
    fifo: set[str] = set()
    cdn: dict[str, tuple[str, ...]] = {}
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
        # `cdnCustomDomains` is the config's own domains, also where a $ResourceParam names it
        # (a hosting bucket's are its `customDomains`).
        cdn = {
            n: tuple(domains)
            for n, r in resources.items()
            if isinstance(r, dict)
            and isinstance(r.get("properties"), dict)
            and (domains := resource_cdn_domains(types.get(n), r["properties"]))
        }
    ctx = DirectiveContext(
        stage=stage,
        region=region,
        project=DEFAULT_PROJECT if project is None else project,
        config_dir=config_dir,
        resource_types=types,
        fifo=frozenset(fifo),
        cdn_domains=cdn,
    )
    # Fake ARNs and names embed the stack name, so serviceName must be known before any
    # $ResourceParam is resolved (a serviceName that is not a valid name is ignored).
    # Stacktape names the stack `{serviceName or projectName}-{stage}`: serviceName wins.
    service = _service_name(loaded, ctx)
    if service is not None:
        ctx = dataclasses.replace(ctx, project=service)
    resolve_directives(loaded, ctx)
    stack = build_stack(loaded, ctx)
    _drop_directive_echoes(stack.diagnostics)
    if lint:
        from stptui.config.lint import lint_stack

        stack.diagnostics.extend(lint_stack(stack))
    stack.diagnostics[:] = sort_diagnostics(stack.diagnostics)
    return stack


def _service_name(loaded: LoadedYaml, ctx: DirectiveContext) -> str | None:
    """The config's `serviceName` as Stacktape reads it, its directives resolved first
    (`$Format('shop-{}', $Stage())`, `$Var().service`), or None when it has none or it is
    not a valid name (which the model diagnoses)."""
    from stptui.config.directives import (
        DirectiveSyntaxError,
        parse_directive,
        resolve_directives,
    )
    from stptui.config.loader import LoadedYaml

    data = loaded.data if isinstance(loaded.data, dict) else {}
    service = data.get("serviceName")
    try:
        written = parse_directive(service) if isinstance(service, str) else None
    except DirectiveSyntaxError:
        written = None  # the document's own pass reports it
    if written is not None:
        # Resolved on a copy of what it can read: the document itself is resolved once
        # the name it gives every ARN is known. Problems are reported by that second pass.
        probe = LoadedYaml(
            loaded.file,
            {
                k: copy.deepcopy(data[k])
                for k in ("serviceName", "variables", "directives")
                if k in data
            },
            loaded.value_marks,
            loaded.key_marks,
        )
        resolve_directives(probe, ctx)
        service = probe.data.get("serviceName")
    if isinstance(service, str) and NAME_PATTERN.fullmatch(service):
        return service
    return None


# What a property check says of a value whose directive failed: the value it read is the
# directive's own text (`timeout: $File('x.yml').a` "must be an integer, not the string
# "$File..."), an echo of the directive's error at the same place, which says what is wrong.
_ECHO_CODES = frozenset({"wrong-type", "invalid-value"})


def _drop_directive_echoes(diagnostics: list[Diagnostic]) -> None:
    """Remove, in place, the property errors at the place of a directive's error."""
    failed = {
        (d.file, d.line, d.column)
        for d in diagnostics
        if d.severity == "error" and d.code.startswith("directive-")
    }
    if failed:
        diagnostics[:] = [
            d
            for d in diagnostics
            if not (d.code in _ECHO_CODES and (d.file, d.line, d.column) in failed)
        ]


def load_stack(
    path: str | Path,
    *,
    stage: str = "dev",
    region: str = "us-east-1",
    project: str | None = None,
    lint: bool = True,
    name: str | None = None,
) -> Stack:
    """Load a stack from a file (or a directory holding stacktape.yml); `project` as for
    `load_stack_text`. `name` is what diagnostics call the file (default: its path as found),
    so that a session reopening it by its resolved path words them as the first time."""
    from stptui.config.loader import read_text

    p = find_config(path)
    text = read_text(p)
    label = str(p) if name is None else name
    stack = load_stack_text(
        text,
        label,
        stage=stage,
        region=region,
        project=project,
        config_dir=p.parent.resolve(),
        lint=lint,
    )
    if (competing := competing_configs(p)) is not None:
        competing = dataclasses.replace(competing, file=label)
        stack.diagnostics[:] = sort_diagnostics([competing, *stack.diagnostics])
    return stack


__all__ = [
    "DEFAULT_PROJECT",
    "ConfigError",
    "Diagnostic",
    "Stack",
    "find_config",
    "load_stack",
    "load_stack_text",
    "project_name_error",
    "stage_error",
]
