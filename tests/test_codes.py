"""The diagnostic-code registry (stptui.config.codes) against the code that emits diagnostics,
against what loading real configs emits, and against the generated docs/diagnostics.md.

The static scan reads stptui/config/*.py and the behaviours file's reader,
stptui/sim/behavior/*.py, with `ast`: every function that takes a `code`
parameter (and the `Diagnostic` dataclass itself) is a *sink*; every call of a sink with a
string constant for `code` is an emission, with the severity written at the call, the
parameter's default, or the one the sink itself always passes on.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pytest

from stptui.config import ConfigError, load_stack
from stptui.config.codes import CODES, GROUPS, render_diagnostics_doc

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "stptui" / "config"
BEHAVIOR = ROOT / "stptui" / "sim" / "behavior"
DOC = ROOT / "docs" / "diagnostics.md"
SAMPLES = ROOT / "stptui" / "sample_stacks"
SEEDS = ROOT / "tests" / "fixtures" / "seed"
REAL = ROOT.parent / "shared" / "reference" / "real-stacks"

CODE_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
SEVERITY_NAMES = frozenset({"error", "warning", "info"})
# Which registry group the codes emitted by each module belong to.
MODULE_GROUPS = {
    "loader": "yaml",
    "__init__": "yaml",
    "directives": "directives",
    "normalize": "schema",
    "normalize_props": "schema",
    "normalize_names": "schema",
    "normalize_compute": "schema",
    "normalize_env": "schema",
    "normalize_messaging": "schema",
    "normalize_buckets": "schema",
    "normalize_sections": "schema",
    "normalize_containers": "schema",
    "normalize_gateways": "schema",
    "normalize_routes": "schema",
    "normalize_events": "schema",
    "lint": "stack",
    "lint_compute": "stack",
    "lint_listener_rules": "stack",
    "permissions": "stack",
    "lint_state_machines": "stack",
    "lint_listener_access": "stack",
    "lint_tables": "stack",
    "lint_logs": "stack",
    "lint_alarms": "stack",
    "lint_failures": "stack",
}
# Every code the behaviours file's modules emit is in this group (their YAML's own codes come
# from the config loader, whose group they keep).
BEHAVIOR_GROUP = "behaviors"


def _group_of(module: str) -> str | None:
    """The registry group of the codes `module` (a key of `_modules()`) emits."""
    if module.startswith("behavior/"):
        return BEHAVIOR_GROUP
    return MODULE_GROUPS.get(module)


# -- static scan -------------------------------------------------------------------------


@dataclass
class Sink:
    """A callable that takes a diagnostic code: its parameters as a call binds them."""

    name: str
    params: list[str]  # positional parameters, without self/cls
    defaults: dict[str, ast.expr] = field(default_factory=dict)
    body: ast.AST | None = None


@dataclass(frozen=True)
class Emission:
    """A code literal that reaches a sink, with its severity when the source fixes it."""

    code: str
    severity: str | None
    module: str
    line: int
    fatal: bool


def _constants(node: ast.expr | None) -> list[str] | None:
    """The string values an expression can have, when it is made of constants only."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        a, b = _constants(node.body), _constants(node.orelse)
        return None if a is None or b is None else a + b
    return None


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _sink_of_function(fn: ast.FunctionDef) -> Sink | None:
    args = fn.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    names = positional + [a.arg for a in args.kwonlyargs]
    if "code" not in names:
        return None
    defaults: dict[str, ast.expr] = {}
    pos_defaults = args.defaults
    for name, default in zip(
        positional[len(positional) - len(pos_defaults) :], pos_defaults, strict=True
    ):
        defaults[name] = default
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            defaults[arg.arg] = default
    return Sink(fn.name, positional, defaults, fn)


def _sink_of_dataclass(cls: ast.ClassDef) -> Sink:
    fields = [
        s.target.id
        for s in cls.body
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    ]
    defaults = {
        s.target.id: s.value
        for s in cls.body
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value
    }
    return Sink(cls.name, fields, defaults)


def _modules() -> dict[str, ast.Module]:
    """The scanned modules by name: a config module's stem, `behavior/STEM` for the others."""
    named = [(p.stem, p) for p in sorted(CONFIG.glob("*.py"))]
    named += [(f"behavior/{p.stem}", p) for p in sorted(BEHAVIOR.glob("*.py"))]
    return {name: ast.parse(p.read_text(encoding="utf-8")) for name, p in named}


def _scope(module: str) -> str:
    """Where a module looks its sinks up: its own package's first, then the config layer's
    (`Reader.report` in the behaviours file's reader is not `Linter.report`)."""
    return "behavior" if module.startswith("behavior/") else "config"


def _sinks(modules: dict[str, ast.Module]) -> dict[str, dict[str, Sink]]:
    """Scope -> sink name -> sink."""
    sinks: dict[str, dict[str, Sink]] = {"config": {}, "behavior": {}}
    for module, tree in modules.items():
        scoped = sinks[_scope(module)]
        for node in ast.walk(tree):
            sink = None
            if isinstance(node, ast.ClassDef) and node.name == "Diagnostic":
                sink = _sink_of_dataclass(node)
            elif isinstance(node, ast.FunctionDef):
                sink = _sink_of_function(node)
            if sink is None:
                continue
            other = scoped.get(sink.name)
            assert other is None or other.params == sink.params, (
                f"two different sinks named {sink.name!r}: teach the scan to tell them apart"
            )
            scoped[sink.name] = sink
    config = sinks["config"]
    assert "Diagnostic" in config and "at" in config, "the scan no longer finds Diagnostic(.at)"
    assert "report" in sinks["behavior"], "the scan no longer finds the behaviours' report"
    return sinks


def _bind(call: ast.Call, sink: Sink) -> dict[str, ast.expr]:
    bound: dict[str, ast.expr] = {}
    for name, arg in zip(sink.params, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        bound[name] = arg
    for kw in call.keywords:
        if kw.arg is not None:
            bound[kw.arg] = kw.value
    return bound


class _Scan:
    def __init__(self) -> None:
        self.modules = _modules()
        self.sinks = _sinks(self.modules)
        self._fixed: dict[tuple[str, str], list[str | None]] = {}

    def sink(self, scope: str, name: str | None) -> Sink | None:
        """The sink a call of `name` reaches from a module of `scope`, if it is one."""
        return self.sinks[scope].get(name or "") or self.sinks["config"].get(name or "")

    def severities(self, call: ast.Call, sink: Sink, scope: str) -> list[str | None]:
        """The severities a call of `sink` gives (None where the source does not fix it)."""
        bound = _bind(call, sink)
        if "severity" in bound:
            return list(_constants(bound["severity"]) or [None])
        if "severity" in sink.defaults:
            return list(_constants(sink.defaults["severity"]) or [None])
        if "severity" in sink.params:
            return [None]
        return self.fixed_severities(sink, scope)

    def fixed_severities(self, sink: Sink, scope: str) -> list[str | None]:
        """For a sink without a severity parameter: what it passes on with its `code`."""
        key = (scope, sink.name)
        if key in self._fixed:
            return self._fixed[key]
        self._fixed[key] = [None]  # a cycle of wrappers fixes nothing
        found: list[str | None] = []
        for node in ast.walk(sink.body) if sink.body else ():
            if not isinstance(node, ast.Call) or (inner := self.sink(scope, _callee(node))) is None:
                continue
            code = _bind(node, inner).get("code")
            if isinstance(code, ast.Name) and code.id == "code":
                found += self.severities(node, inner, scope)
        self._fixed[key] = found or [None]
        return self._fixed[key]

    def emissions(self) -> Iterator[Emission]:
        for module, tree in self.modules.items():
            scope = _scope(module)
            fatal_nodes: set[int] = set()
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Raise)
                    and isinstance(node.exc, ast.Call)
                    and _callee(node.exc) == "ConfigError"
                ):
                    fatal_nodes.update(id(n) for n in ast.walk(node.exc))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and (sink := self.sink(scope, node.name)):
                    # a default code (`code: str = "directive-path"`) is emitted too
                    for code in _constants(sink.defaults.get("code")) or []:
                        for sev in self.fixed_or_default(sink, scope):
                            yield Emission(code, sev, module, node.lineno, False)
                if not isinstance(node, ast.Call):
                    continue
                fatal = id(node) in fatal_nodes
                sink = self.sink(scope, _callee(node))
                if sink is not None:
                    codes = _constants(_bind(node, sink).get("code"))
                    for code in codes or []:
                        for sev in self.severities(node, sink, scope):
                            yield Emission(code, sev, module, node.lineno, fatal)
                # The plain pattern too, whatever the callee: a severity, then a code.
                for sev_node, code_node in pairwise(node.args):
                    sev = _constants(sev_node)
                    codes = _constants(code_node)
                    if sev and set(sev) <= SEVERITY_NAMES and codes:
                        for code in codes:
                            if CODE_RE.match(code):
                                yield Emission(code, sev[0], module, node.lineno, fatal)

    def fixed_or_default(self, sink: Sink, scope: str) -> list[str | None]:
        if "severity" in sink.defaults:
            return list(_constants(sink.defaults["severity"]) or [None])
        return self.fixed_severities(sink, scope)


@pytest.fixture(scope="module")
def emitted() -> dict[str, list[Emission]]:
    """Code -> every place the config layer or the behaviours file's reader emits it."""
    by_code: dict[str, list[Emission]] = defaultdict(list)
    for e in _Scan().emissions():
        by_code[e.code].append(e)
    return dict(by_code)


def _where(emissions: list[Emission]) -> str:
    return ", ".join(sorted({f"{e.module}.py:{e.line}" for e in emissions}))


def test_the_scan_finds_the_emitting_calls(emitted: dict[str, list[Emission]]) -> None:
    # A guard for the scan itself: calls written in each style are all seen.
    assert "yaml-syntax" in emitted  # Diagnostic(...) inside `raise ConfigError(...)`
    assert "wrong-type" in emitted  # self.diag(path, "error", ...)
    assert "directive-syntax" in emitted  # self._fail(frame, code, ...), severity by default
    assert "directive-path" in emitted  # a parameter default: code="directive-path"
    assert "yaml-bad-merge" in emitted  # self._warn(node, code, ...), warning inside _warn
    assert {e.severity for e in emitted["directive-cli-arg"]} == {"warning"}  # severity=
    assert {e.severity for e in emitted["missing-property"]} == {"error"}  # an IfExp code
    assert len(emitted) >= 70
    # the behaviours file's reader: self.report(path, code, ...), error unless severity=
    assert {e.severity for e in emitted["behavior-unknown-key"]} == {"error"}
    assert {e.severity for e in emitted["behavior-quoted-text"]} == {"warning"}
    assert "behavior-bad-file" in emitted  # Diagnostic("error", code, ...) in runtime.py
    assert sum(c.startswith("behavior-") for c in emitted) >= 25


def test_every_emitted_code_is_registered(emitted: dict[str, list[Emission]]) -> None:
    missing = {c: _where(es) for c, es in emitted.items() if c not in CODES}
    assert not missing, f"add these codes to stptui/config/codes.py CODES: {missing}"


def test_every_registered_code_is_emitted(emitted: dict[str, list[Emission]]) -> None:
    unused = sorted(set(CODES) - set(emitted))
    assert not unused, (
        f"CODES lists codes no module in stptui/config or stptui/sim/behavior emits: {unused}"
    )


def test_registered_severities_match_the_source(emitted: dict[str, list[Emission]]) -> None:
    wrong = {
        f"{c} ({_where(es)})": sorted({e.severity for e in es if e.severity})
        for c, es in emitted.items()
        if c in CODES and not {e.severity for e in es if e.severity} <= CODES[c].severities
    }
    assert not wrong, f"severities in the source that CODES does not allow: {wrong}"
    # every severity the registry allows is really used (or cannot be known statically)
    for code, info in CODES.items():
        seen = {e.severity for e in emitted.get(code, [])}
        if None not in seen:
            assert info.severities <= seen, (code, sorted(info.severities), sorted(seen))


def test_fatal_codes_are_exactly_those_raised_as_config_errors(
    emitted: dict[str, list[Emission]],
) -> None:
    raised = {c for c, es in emitted.items() if any(e.fatal for e in es)}
    assert raised == {c for c, i in CODES.items() if i.fatal}


def test_groups_follow_the_emitting_module(emitted: dict[str, list[Emission]]) -> None:
    for code, es in emitted.items():
        if code not in CODES:
            continue
        groups = {g for e in es if (g := _group_of(e.module)) is not None}
        assert groups == {CODES[code].group}, (code, groups, CODES[code].group, _where(es))


def test_registry_entries_are_well_formed() -> None:
    for code, info in CODES.items():
        assert CODE_RE.match(code), code
        assert info.group in GROUPS, code
        assert info.severity in SEVERITY_NAMES and info.also <= SEVERITY_NAMES, code
        assert info.severity not in info.also, code
        assert info.summary.endswith(".") and "\n" not in info.summary, code
        assert info.fix is None or (info.fix.endswith(".") and "\n" not in info.fix), code
        assert not info.fatal or info.severity == "error", code


# -- what loading real configs emits -----------------------------------------------------


def _load_all(paths: list[Path]) -> list[tuple[Path, str, str, bool]]:
    """(file, code, severity, fatal) for every diagnostic that loading `paths` gives."""
    found = []
    for p in paths:
        try:
            stack = load_stack(p)
        except ConfigError as exc:
            found.append((p, exc.diagnostic.code, exc.diagnostic.severity, True))
            continue
        found += [(p, d.code, d.severity, False) for d in stack.diagnostics]
    return found


def _check_loaded(paths: list[Path]) -> None:
    assert paths
    problems = []
    for path, code, severity, fatal in _load_all(paths):
        info = CODES.get(code)
        if info is None:
            problems.append(f"{path}: unregistered code {code!r}")
        elif severity not in info.severities:
            problems.append(f"{path}: {code} as {severity}, registry allows {info.severities}")
        elif fatal != info.fatal:
            problems.append(f"{path}: {code} fatal={fatal}, registry says {info.fatal}")
    assert not problems, "\n".join(problems[:20])


def test_sample_stacks_emit_registered_codes() -> None:
    _check_loaded(sorted(SAMPLES.glob("*/stacktape.yml")))


def test_guide_snippets_emit_registered_codes() -> None:
    _check_loaded(sorted(SEEDS.glob("*.yml")))


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")
def test_real_stacks_emit_registered_codes() -> None:
    _check_loaded(sorted(p for p in REAL.rglob("*") if p.suffix in (".yml", ".yaml")))


# -- the generated page ------------------------------------------------------------------


def test_diagnostics_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render_diagnostics_doc(), (
        "docs/diagnostics.md is stale; regenerate it with "
        "`python -m stptui.config.codes > docs/diagnostics.md`"
    )


def test_diagnostics_doc_lists_every_code_once() -> None:
    text = render_diagnostics_doc()
    for code in CODES:
        assert text.count(f"### `{code}`\n") == 1, code


def test_module_main_prints_the_page() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "stptui.config.codes"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert out == render_diagnostics_doc()


# -- what the docs' examples print -------------------------------------------------------

# `file:line:col: severity code [resource]: message`, as `validate` and `run` print a finding.
_PRINTED_RE = re.compile(r"^\S+?:\d+:\d+: (error|warning|info) ([a-z0-9]+(?:-[a-z0-9]+)+)\b", re.M)
_PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _printed(page: Path) -> list[tuple[str, str]]:
    """(severity, code) of every finding a code block of `page` shows."""
    blocks = re.findall(r"^```.*?^```", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return [(m[1], m[2]) for block in blocks for m in _PRINTED_RE.finditer(block)]


def test_codes_printed_in_the_docs_are_registered() -> None:
    printed = {(p.name, sev, code) for p in _PAGES if p != DOC for sev, code in _printed(p)}
    assert any(code.startswith("behavior-") for _, _, code in printed)  # the scan sees them
    wrong = sorted(
        (page, sev, code)
        for page, sev, code in printed
        if code not in CODES or sev not in CODES[code].severities
    )
    assert not wrong, f"findings the docs print that CODES does not list so: {wrong}"


@pytest.mark.parametrize("page", _PAGES, ids=lambda p: p.name)
def test_behavior_codes_printed_in_the_docs_link_their_entry(page: Path) -> None:
    # A reader who meets `behavior-poll-denied` in an example finds its fix one click away,
    # as getting-started.md links the config codes its example prints.
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    codes = {code for _, code in _printed(page) if code.startswith("behavior-")}
    unlinked = sorted(c for c in codes if f"diagnostics.md#{c})" not in text)
    assert not unlinked, f"{page.name}: link these to diagnostics.md#CODE: {unlinked}"
