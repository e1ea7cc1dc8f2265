"""Real-world Stacktape configs (../shared/reference/real-stacks): every one loads and graphs
without an exception or a hang; Stacktape's own intentionally-invalid configs are diagnosed.

The folder is test data outside this repository; a user's clone has no ../shared, so these
tests skip there.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from workcount import Hang, hang_guard

from stptui.config import ConfigError, Stack, load_stack

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"
INVALID = REAL / "github-invalid"
# A hang guard per file, not a budget: a file takes milliseconds (all 1,819 about 2 s), so one
# still running after this long is stuck, and the guard names it instead of stalling the suite.
# Speed is not asserted here: the size-driven blowups have their own work-counting tests.
HANG_S = 30.0

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")


def real_files() -> list[Path]:
    return sorted(p for p in REAL.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml"))


def sources() -> dict[str, dict[str, object]]:
    """SOURCES.json: per file (relative path) whether PyYAML parses it, its resource types."""
    return json.loads((REAL / "SOURCES.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _graph_api():  # type: ignore[no-untyped-def]
    """The graph exporters, or None while stptui.graph is not there yet."""
    try:
        from stptui.graph import build_graph, to_dot, to_json, to_mermaid, to_text
    except ImportError:
        return None
    return build_graph, (to_text, to_mermaid, to_dot, to_json)


def _check_stack(stack: Stack, path: Path, text: str, meta: dict[str, object]) -> list[str]:
    problems = []
    last_line = len(text.splitlines()) + 1
    for d in stack.diagnostics:
        if not d.file:
            problems.append(f"diagnostic without file: {d}")
        elif d.file == str(path) and d.line is not None and not 1 <= d.line <= last_line:
            problems.append(f"line {d.line} outside 1..{last_line}: {d.format()}")
    # Every resource with a written type is modelled under that type (old-syntax entries
    # without one are `unknown`; an implicit HTTP API gateway is added by stptui itself).
    written = {
        r.type
        for r in stack.resources.values()
        if r.type != "unknown" and not getattr(r, "implicit", False)
    }
    if "resource_types" in meta and written != set(meta["resource_types"]):  # type: ignore[arg-type]
        problems.append(f"resource types {sorted(written)} != {meta['resource_types']}")
    return problems


def test_every_real_stack_loads_and_graphs() -> None:
    files = real_files()
    assert len(files) > 1000, f"only {len(files)} files under {REAL}"
    meta_by_file = sources()
    graph_api = _graph_api()
    failures: list[str] = []
    config_errors: list[str] = []
    per_folder: dict[str, float] = {}
    slowest = (0.0, "")
    start_all = time.monotonic()
    for path in files:
        rel = path.relative_to(REAL).as_posix()
        meta = meta_by_file.get(rel, {})
        text = path.read_text(encoding="utf-8", errors="replace")
        start = time.monotonic()  # for the report printed below, not asserted
        try:
            with hang_guard(HANG_S):
                stack = load_stack(path)
                if graph_api is not None:
                    build_graph, exporters = graph_api
                    g = build_graph(stack)
                    outputs = [export(g) for export in exporters]
            if graph_api is not None:
                missing = set(stack.resources) - set(g.nodes)
                if missing:
                    failures.append(f"{rel}: resources missing from the graph: {sorted(missing)}")
                if not all(isinstance(o, str) and o for o in outputs):
                    failures.append(f"{rel}: an export returned nothing")
        except Hang as exc:
            failures.append(f"{rel}: {exc}")
            break  # one is enough to fail, and each further file could take as long again
        except ConfigError as exc:
            config_errors.append(rel)
            if meta.get("parses", True):
                failures.append(f"{rel}: parses with PyYAML but: {exc}")
            elif exc.diagnostic.code != "yaml-syntax" or exc.diagnostic.line is None:
                failures.append(f"{rel}: unparseable, but not a positioned yaml-syntax: {exc}")
        except Exception as exc:  # the point of the test: report every file, not the first
            failures.append(f"{rel}: {type(exc).__name__}: {exc}")
        else:
            if meta.get("parses", True) is False:
                failures.append(f"{rel}: PyYAML cannot parse it, yet it loaded")
            failures.extend(f"{rel}: {p}" for p in _check_stack(stack, path, text, meta))
        elapsed = time.monotonic() - start
        folder = rel.split("/", 1)[0]
        per_folder[folder] = per_folder.get(folder, 0.0) + elapsed
        slowest = max(slowest, (elapsed, rel))
    total = time.monotonic() - start_all
    print(
        f"\nreal stacks: {len(files)} files in {total:.2f} s "
        f"({'load + graph + 4 exports' if graph_api else 'load only: stptui.graph missing'}); "
        + ", ".join(f"{k} {v:.2f} s" for k, v in sorted(per_folder.items()))
        + f"; slowest {slowest[1]} {slowest[0] * 1000:.0f} ms; ConfigError for {config_errors}"
    )
    assert not failures, "\n".join(failures[:50])
    # The README of real-stacks names the one whole file that does not parse (an unquoted `@`).
    assert config_errors == [
        "github/stacktape__stacktape__examples__web-api-database-auth-typescript__stacktape.yml"
    ]


# -- Stacktape's own intentionally-invalid configs -------------------------------------------

# file suffix -> (severity that must be reported, {(code, line)} that must be among them).
# "warning" accepts errors and warnings: 06 pairs an unknown property (an error, as Stacktape's
# schema rejects it) with a legacy type (`container-workload`, a warning). 04's unknown
# properties (`timout`, `enviornment`) must be errors.
DIAGNOSED: dict[str, tuple[str, set[tuple[str, int]]]] = {
    "01-invalid-resource-type": ("error", {("unknown-type", 6)}),
    "04-unknown-property": (
        "error",
        {("unknown-property", 12), ("unknown-property", 13), ("unknown-property", 14)},
    ),
    "05-wrong-type-value": ("error", {("wrong-type", 12), ("wrong-type", 13), ("wrong-type", 20)}),
    "06-multiple-resources-errors": ("warning", {("legacy-type", 7), ("unknown-property", 26)}),
    "07-invalid-packaging-type": ("error", {("invalid-value", 9)}),
    "08-invalid-event-type": (
        "error",
        {("unknown-trigger-type", 14), ("unknown-trigger-type", 18)},
    ),
    # A misspelt key is reported once, where it is written, by its did-you-mean; not a
    # second time as the key it was taken for being missing.
    "12-invalid-environment-vars": (
        "error",
        {("unknown-property", 14), ("unknown-property", 17), ("wrong-type", 18)},
    ),
    "10-invalid-scaling-config": ("error", {("scaling-range", 17)}),
    "14-invalid-batch-job": ("error", {("out-of-range", 15), ("unknown-trigger-type", 18)}),
    "22-invalid-sqs-sns": (
        "error",
        {
            ("wrong-type", 8),
            ("wrong-type", 9),
            ("wrong-type", 10),
            ("out-of-range", 11),
            ("out-of-range", 12),
            ("wrong-type", 18),
            ("unknown-property", 31),  # sqsQueueNam: its did-you-mean, once
            ("wrong-type", 32),
        },
    ),
    "02-invalid-enum-value": ("error", {("invalid-value", 8)}),
    "03-missing-required-property": ("error", {("missing-property", 9)}),
    "09-invalid-database-engine": ("error", {("invalid-value", 11)}),
    "11-invalid-custom-domain": ("error", {("unknown-property", 10), ("unknown-property", 11)}),
    "13-invalid-cors-config": (
        "error",
        {
            ("unknown-property", 16),
            ("wrong-type", 17),
            ("invalid-value", 19),
            ("invalid-value", 20),
            ("invalid-value", 21),
            ("wrong-type", 22),
        },
    ),
    # `engine` and `defaultUserConfig` are no redis-cluster properties; `instanceSize` is missing.
    "15-invalid-redis-config": (
        "error",
        {("unknown-property", 8), ("unknown-property", 13), ("missing-property", 8)},
    ),
}
# Files whose mistakes stptui does not check; only "loads, keeps each resource and its type" is
# asserted for them.
OUTSIDE_THE_MODEL: set[str] = set()
# "Did you mean" suggestions the files' own comments ask for.
SUGGESTIONS = {
    "01-invalid-resource-type": ["web-service"],
    "04-unknown-property": ["timeout", "memory", "runtime"],
    "07-invalid-packaging-type": ["custom-dockerfile"],
    "08-invalid-event-type": ["http-api-gateway", "schedule"],
    "02-invalid-enum-value": ["regional"],
    "09-invalid-database-engine": ["postgres"],
    "11-invalid-custom-domain": ["domainName"],
    "13-invalid-cors-config": ["enabled", "GET", "POST", "DELETE"],
}


def invalid_files() -> list[Path]:
    return sorted(INVALID.glob("*.yml")) if INVALID.is_dir() else []


def _case(path: Path) -> str:
    return path.stem.rsplit("__", 1)[-1]


def test_every_invalid_config_is_classified() -> None:
    cases = {_case(p) for p in invalid_files()}
    assert len(cases) >= 16
    assert cases == set(DIAGNOSED) | OUTSIDE_THE_MODEL, "classify the new file(s) above"


@pytest.mark.parametrize("path", invalid_files(), ids=_case)
def test_invalid_configs_are_diagnosed(path: Path) -> None:
    with hang_guard(HANG_S):
        stack = load_stack(path)
    case = _case(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {n: r.type for n, r in stack.resources.items()} == {
        n: body["type"] for n, body in raw["resources"].items()
    }
    if case in OUTSIDE_THE_MODEL:
        return
    severity, wanted = DIAGNOSED[case]
    allowed = ("error",) if severity == "error" else ("error", "warning")
    found = {(d.code, d.line) for d in stack.diagnostics if d.severity in allowed}
    assert wanted <= found, [d.format() for d in stack.diagnostics]
    assert all(d.file == str(path) and d.resource for d in stack.diagnostics)
    hints = " ".join(d.hint or "" for d in stack.diagnostics)
    for word in SUGGESTIONS.get(case, []):
        assert f"{word}'" in hints or f"{word}`" in hints, (word, hints)


# -- findings of the nested sections, hand-checked ------------------------------------------

# file -> {(code, line)} the sections checked with their own tables (cdn beyond web services,
# alarms and their notification targets, IAM statements, languageSpecificConfig) find there,
# each checked by hand against Stacktape's types: a queue policy statement without its
# required `Principal` and with `Effect: example-value`; a bucket policy statement without
# `Principal`; a `slack` target written with an MS Teams `webhookUrl` (and without its required
# `conversationId` and `accessToken`); the older `invalidateAfterDeploy`, read with a warning.
SECTION_FINDINGS: dict[str, set[tuple[str, int]]] = {
    "docs/docs__docs__other-resources__api-reference__sqs-queue.mdx__1.yml": {
        ("missing-property", 135),
        ("invalid-value", 136),
    },
    "docs/docs__docs__other-resources__api-reference__bucket.mdx__1.yml": {
        ("missing-property", 105)
    },
    "docs/docs__scripts__generate-docs__.state__resources__messaging__sqs-queue__iteration-1"
    ".mdx__8.yml": {("missing-property", 11), ("unknown-property", 11)},
    "github/stacktape__stacktape__starter-projects__angular-starter__stacktape.yml": {
        ("alternate-spelling", 13)
    },
}


@pytest.mark.parametrize("rel", sorted(SECTION_FINDINGS))
def test_the_nested_sections_findings_on_real_configs(rel: str) -> None:
    with hang_guard(HANG_S):
        stack = load_stack(REAL / rel)
    found = {(d.code, d.line) for d in stack.diagnostics}
    assert SECTION_FINDINGS[rel] <= found, [d.format() for d in stack.diagnostics]


def test_stacktapes_own_node_options_pass() -> None:
    """Stacktape's packaging benchmark sets `minify` with `nodeVersion`: no finding."""
    rel = "github/stacktape__packaging-benchmark__generated__n5__stacktape__stacktape.yml"
    with hang_guard(HANG_S):
        stack = load_stack(REAL / rel)
    assert not [d.format() for d in stack.diagnostics if d.severity != "info"]
