"""connectTo targets of current Stacktape (`resolveConnectToList` in stacktape/stacktape
apps/cli/src/domain/config-manager/utils/resource-references.ts): which types it accepts, the
variables each injects, the `connect` edges drawn to them, and how the config's own variable
of the same name wins (`mergeConnectToEnvironmentVariables`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lintkit import PKG, found, load

from stptui.config import load_stack, load_stack_text
from stptui.config.envvars import environments
from stptui.graph import CONNECT, build_graph, to_json, to_text

# The types added since the reference snapshot, with a minimal declaration each.
ADDED_TARGETS = {
    "efs-filesystem": "{type: efs-filesystem}",
    "hosting-bucket": "{type: hosting-bucket, properties: {uploadDirectoryPath: ./dist}}",
    "agentcore-runtime": "{type: agentcore-runtime, properties: {packaging: {type: x}}}",
    "agentcore-memory": "{type: agentcore-memory, properties: {}}",
    "agentcore-gateway": "{type: agentcore-gateway, properties: {}}",
    "agentcore-browser": "{type: agentcore-browser, properties: {}}",
    "agentcore-code-interpreter": "{type: agentcore-code-interpreter, properties: {}}",
}


def connected(target_decl: str, owner: str = "function") -> str:
    """A stack whose `fn` (a function, or `owner` type of container service) connects to
    `target`, declared as `target_decl`."""
    if owner == "function":
        props = f"      {PKG}\n"
    else:
        props = (
            "      packaging: {type: prebuilt-image, properties: {image: nginx}}\n"
            "      resources: {cpu: 0.25, memory: 512}\n"
        )
    return (
        "resources:\n"
        f"  target: {target_decl}\n"
        "  fn:\n"
        f"    type: {owner}\n"
        "    properties:\n"
        f"{props}"
        "      connectTo: [target]\n"
    )


@pytest.mark.parametrize("rtype", sorted(ADDED_TARGETS))
@pytest.mark.parametrize("owner", ["function", "worker-service"])
def test_current_stacktape_accepts_the_added_target_types(rtype: str, owner: str) -> None:
    assert not found(connected(ADDED_TARGETS[rtype], owner), "connect-to-unsupported")


@pytest.mark.parametrize("rtype", ["bastion", "web-app-firewall", "http-api-gateway"])
def test_types_stacktape_still_refuses_are_errors(rtype: str) -> None:
    (d,) = found(connected(f"{{type: {rtype}, properties: {{}}}}"), "connect-to-unsupported")
    assert (d.line, d.column) == (7, 19)
    assert d.message == f"Resource type {rtype} cannot be scoped by connectTo ('target')"


@pytest.mark.parametrize(
    ("rtype", "names"),
    [
        ("efs-filesystem", ["STP_TARGET_ARN", "STP_TARGET_ID"]),
        (
            "hosting-bucket",
            [
                "STP_TARGET_NAME",
                "STP_TARGET_ARN",
                "STP_TARGET_CDN_URL",
                "STP_TARGET_CDN_DOMAIN",
                "STP_TARGET_CDN_CANONICAL_DOMAIN",
                "STP_TARGET_CDN_CANONICAL_URL",
            ],
        ),
        (
            "agentcore-runtime",
            [
                "STP_TARGET_ID",
                "STP_TARGET_ARN",
                "STP_TARGET_ENDPOINT_NAME",
                "STP_TARGET_ENDPOINT_ARN",
            ],
        ),
        ("agentcore-gateway", ["STP_TARGET_ID", "STP_TARGET_ARN", "STP_TARGET_URL"]),
        ("agentcore-memory", ["STP_TARGET_ID", "STP_TARGET_ARN"]),
    ],
)
def test_the_connect_edge_and_the_environment_carry_the_injected_names(
    rtype: str, names: list[str]
) -> None:
    stack = load(connected(ADDED_TARGETS[rtype]))
    g = build_graph(stack)
    edge = g.get_edge_data("fn", "target", CONNECT)
    assert edge["kind"] == CONNECT
    assert edge["env"] == names
    assert f"  fn ..connect..> target [{' '.join(names)}]" in to_text(g)
    env = [e for e in environments(stack, stack.resources["fn"])[0][1] if e.source == "target"]
    assert [e.name for e in env] == names


OVERRIDE = """\
resources:
  jobs: {type: sqs-queue}
  api:
    type: web-service
    properties:
      packaging: {type: prebuilt-image, properties: {image: nginx}}
      resources: {cpu: 0.25, memory: 512}
      environment:
        - {name: STP_JOBS_URL, value: http://localhost:9324/jobs}
      connectTo: [jobs]
"""


def test_the_json_graph_shows_one_entry_per_name_and_what_the_config_overrides() -> None:
    nodes = {
        n["id"]: n for n in json.loads(to_json(build_graph(load_stack_text(OVERRIDE))))["nodes"]
    }
    env = nodes["api"]["env"]
    assert [e["name"] for e in env] == [
        "STP_JOBS_URL",
        "PORT",
        "HOST",
        "STP_JOBS_ARN",
        "STP_JOBS_NAME",
    ]
    assert env[0] == {
        "name": "STP_JOBS_URL",
        "value": "http://localhost:9324/jobs",
        "source": "config",
        "overrides": ["jobs"],
        "container": "service-container",
    }
    assert "overrides" not in env[3]


@pytest.mark.parametrize("rtype", ["web-service", "private-service", "worker-service"])
def test_a_services_one_container_is_named_as_stacktape_names_it(rtype: str) -> None:
    stack = load_stack_text(OVERRIDE.replace("web-service", rtype))
    assert [c for c, _ in environments(stack, stack.resources["api"])] == ["service-container"]


def test_the_inspector_names_a_services_container() -> None:
    from stptui.sim.engine import Simulator
    from stptui.tui.widgets.inspector_pane import describe_resource

    stack = load_stack_text(OVERRIDE)
    sim = Simulator(stack)
    page = describe_resource("api", stack, build_graph(stack), sim, [], sim.start_ms).plain
    assert "Environment of service-container" in page
    assert page.count("STP_JOBS_URL=") == 1
    assert "STP_JOBS_URL=http://localhost:9324/jobs" in page
    # The config's value wins, and the inspector says whose injected value it replaced.
    (line,) = [ln for ln in page.splitlines() if ln.startswith("STP_JOBS_URL=")]
    assert line.endswith("(config; overrides connectTo jobs)")


REAL = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "real-stacks"
# Real configs (Stacktape's own docs) that connect a workload to an EFS filesystem, written
# with today's type or the legacy `efs-storage`.
REAL_EFS = [
    "docs/docs___new-docs__storage__efs-filesystem.mdx__1.yml",
    "docs/docs___new-docs__storage__efs-filesystem.mdx__2.yml",
    "docs/docs___new-docs__storage__efs-filesystem.mdx__7.yml",
    "docs/docs___new-docs__compute__web-service.mdx__10.yml",
    "docs/docs___new-docs__compute__worker-service.mdx__6.yml",
    "docs/docs___new-docs__compute__multi-container-workload.mdx__9.yml",
]


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real-stacks folder at {REAL}")
@pytest.mark.parametrize("name", REAL_EFS)
def test_real_configs_connecting_to_efs_are_accepted(name: str) -> None:
    stack = load_stack(REAL / name)
    assert not [d for d in stack.diagnostics if d.code == "connect-to-unsupported"]
    g = build_graph(stack)
    envs = [d["env"] for _, _, d in g.edges(data=True) if d.get("kind") == CONNECT]
    assert any(env and env[-1].endswith("_ID") for env in envs)
