"""`packaging` of functions, batch jobs and containers, checked against Stacktape's schema.

The names are those of `types/stacktape-config/deployment-artifacts.d.ts` (stacktape/stacktape,
commit 51440748): `LambdaFunctionPackaging` for functions, `BatchJobContainerPackaging`
(`...BjImagePackagingProps`) for batch jobs and `ContainerWorkloadContainerPackaging`
(`...CwImagePackagingProps`) for web, private and worker services and workload containers.
"""

from __future__ import annotations

import json
import textwrap

import pytest

from stptui.config import Stack, load_stack_text
from stptui.config import normalize_schema as norm

_SHARED = {"entryfilePath", "includeFiles", "excludeFiles", "excludeDependencies"}
_SHARED |= {"languageSpecificConfig"}
_IMAGE = _SHARED | {"requiresGlibcBinaries", "customDockerBuildCommands"}
_EXTERNAL = {"builder", "buildpacks", "sourceDirectoryPath", "command"}
_NIX = {"sourceDirectoryPath", "buildImage", "providers", "startCmd", "startRunImage"}
_NIX |= {"startOnlyIncludeFiles", "phases"}
_DOCKERFILE = {"dockerfilePath", "buildContextPath", "buildArgs", "command"}
SCHEMA: dict[str, dict[str, tuple[set[str], set[str]]]] = {
    "function": {
        "stacktape-lambda-buildpack": (_SHARED | {"handlerFunction"}, {"entryfilePath"}),
        "custom-artifact": ({"packagePath", "handler"}, {"packagePath"}),
    },
    "batch-job": {
        "stacktape-image-buildpack": (_IMAGE, {"entryfilePath"}),
        "external-buildpack": (_EXTERNAL, {"sourceDirectoryPath"}),
        "nixpacks": (_NIX, {"sourceDirectoryPath"}),
        "custom-dockerfile": (_DOCKERFILE, {"buildContextPath"}),
        "prebuilt-image": ({"image", "command"}, {"image"}),
    },
    "container": {
        "stacktape-image-buildpack": (_IMAGE, {"entryfilePath"}),
        "external-buildpack": (_EXTERNAL, {"sourceDirectoryPath"}),
        "nixpacks": (_NIX, {"sourceDirectoryPath"}),
        "custom-dockerfile": (_DOCKERFILE | {"entryPoint"}, {"buildContextPath"}),
        "prebuilt-image": (
            {"image", "command", "repositoryCredentialsSecretArn", "entryPoint"},
            {"image"},
        ),
    },
}


def test_packaging_tables_hold_exactly_the_schema_names() -> None:
    assert set(norm.PACKAGING_KEYS) == {"type", "properties"}
    got = {
        holder: {t: (set(k.props), set(k.required)) for t, k in types.items()}
        for holder, types in norm.PACKAGING.items()
    }
    assert got == SCHEMA


def _load(body: str) -> Stack:
    return load_stack_text(textwrap.dedent(body), "s.yml")


def _errors(stack: Stack) -> list[str]:
    return [d.format() for d in stack.diagnostics if d.severity == "error"]


def test_a_function_packaging_type_that_is_a_list_is_an_error_at_its_place() -> None:
    stack = _load(
        """\
        resources:
          fn:
            type: function
            properties:
              packaging: {type: [a], properties: {entryfilePath: a.ts}}
        """
    )
    (d,) = [d for d in stack.diagnostics if d.severity == "error"]
    assert (d.code, d.line, d.column) == ("wrong-type", 5, 25)
    assert "stacktape-lambda-buildpack, custom-artifact" in d.message


@pytest.mark.parametrize(
    ("holder", "written", "meant"),
    [
        ("function", "stacktape-lambda-buildpak", "stacktape-lambda-buildpack"),
        ("function", "stacktape-image-buildpack", "stacktape-lambda-buildpack"),
        ("job", "stacktape-lambda-buildpack", "stacktape-image-buildpack"),
        ("service", "dockerfile-custom", "custom-dockerfile"),
        ("service", "nixpack", "nixpacks"),
    ],
)
def test_an_unknown_packaging_type_suggests_the_real_one(
    holder: str, written: str, meant: str
) -> None:
    pack = f"packaging: {{type: {written}, properties: {{entryfilePath: a.ts}}}}"
    body = {
        "function": f"type: function\n    properties:\n      {pack}\n",
        "job": (
            f"type: batch-job\n    properties:\n      container: {{{pack}}}\n"
            "      resources: {cpu: 1, memory: 1024}\n"
        ),
        "service": (
            f"type: worker-service\n    properties:\n      {pack}\n"
            "      resources: {cpu: 0.25, memory: 512}\n"
        ),
    }[holder]
    stack = load_stack_text(f"resources:\n  r:\n    {body}", "s.yml")
    (d,) = [d for d in stack.diagnostics if d.severity == "error"]
    assert d.code == "invalid-value", d.format()
    assert (d.line, d.hint) == (5, f"did you mean {meant!r}?"), d.format()


@pytest.mark.parametrize(
    ("pack", "missing"),
    [
        ("{type: stacktape-lambda-buildpack, properties: {handlerFunction: h}}", "entryfilePath"),
        ("{type: custom-artifact, properties: {handler: 'a.js:h'}}", "packagePath"),
        ("{type: stacktape-lambda-buildpack}", "properties"),
        ("{properties: {entryfilePath: a.ts}}", "type"),
    ],
)
def test_a_function_packaging_without_a_required_property_is_an_error(
    pack: str, missing: str
) -> None:
    stack = load_stack_text(
        "resources:\n  fn:\n    type: function\n    properties:\n"
        f"      runtime: nodejs22.x\n      packaging: {pack}\n",
        "s.yml",
    )
    errors = [d for d in stack.diagnostics if d.code == "missing-property"]
    assert [d.line for d in errors] == [6], _errors(stack)
    assert f"`{missing}`" in errors[0].message


def test_properties_of_another_packaging_type_are_unknown() -> None:
    """A batch job's image has no `entryPoint` (a container's has), and a misspelt
    `entryfilePath` is named once, as unknown with the real name, not also as missing."""
    stack = _load(
        """\
        resources:
          job:
            type: batch-job
            properties:
              container:
                packaging: {type: prebuilt-image, properties: {image: a, entryPoint: [x]}}
              resources: {cpu: 1, memory: 1024}
          svc:
            type: worker-service
            properties:
              packaging: {type: prebuilt-image, properties: {image: a, entryPoint: [x]}}
              resources: {cpu: 0.25, memory: 512}
          fn:
            type: function
            properties:
              packaging: {type: stacktape-lambda-buildpack, properties: {entryFilePath: a.ts}}
        """
    )
    errors = [(d.code, d.resource, d.hint) for d in stack.diagnostics if d.severity == "error"]
    assert errors == [
        ("unknown-property", "job", "known: command, image"),
        ("unknown-property", "fn", "did you mean `entryfilePath`?"),
    ]


def test_containers_need_packaging() -> None:
    stack = _load(
        """\
        resources:
          w:
            type: multi-container-workload
            properties:
              containers:
                - name: api
              resources: {cpu: 0.25, memory: 512}
          s:
            type: web-service
            properties:
              resources: {cpu: 0.25, memory: 512}
        """
    )
    messages = [(d.line, d.message) for d in stack.diagnostics if d.code == "missing-property"]
    assert messages == [
        (6, "container 'api' of 'w' needs `packaging`"),
        (11, "web-service 's' needs `packaging`"),
    ]


def test_a_moved_batch_job_packaging_is_reported_where_it_is_written() -> None:
    stack = _load(
        """\
        resources:
          job:
            type: batch-job
            properties:
              packaging:
                type: custom-dockerfile
                properties: {dockerfilePath: Dockerfile}
              resources: {cpu: 1, memory: 1024}
        """
    )
    (d,) = [d for d in stack.diagnostics if d.severity == "error"]
    assert (d.code, d.line) == ("missing-property", 7), d.format()
    assert "`buildContextPath`" in d.message


# The schema's list-valued packaging properties; the others are strings but for these two.
_LISTS = {"includeFiles", "excludeFiles", "excludeDependencies", "customDockerBuildCommands"}
_LISTS |= {"buildpacks", "command", "providers", "startOnlyIncludeFiles", "phases"}
_LISTS |= {"buildArgs", "entryPoint"}
_OTHER = {"languageSpecificConfig": {}, "requiresGlibcBinaries": True}


def _value(name: str) -> object:
    return [] if name in _LISTS else _OTHER.get(name, "a.js:h")


def test_every_packaging_type_with_all_its_properties_is_accepted() -> None:
    resources: dict[str, object] = {}
    for holder, types in SCHEMA.items():
        for i, (ptype, (names, _)) in enumerate(types.items()):
            pack = {"type": ptype, "properties": {n: _value(n) for n in sorted(names)}}
            name = f"{holder.replace('-', '')}{i}"
            if holder == "function":
                props: dict[str, object] = {"packaging": pack, "runtime": "nodejs22.x"}
                resources[name] = {"type": "function", "properties": props}
            elif holder == "batch-job":
                props = {"container": {"packaging": pack}, "resources": {"cpu": 1, "memory": 1024}}
                resources[name] = {"type": "batch-job", "properties": props}
            else:
                props = {"packaging": pack, "resources": {"cpu": 0.25, "memory": 512}}
                resources[name] = {"type": "worker-service", "properties": props}
    stack = load_stack_text(json.dumps({"resources": resources}), "s.yml")
    assert len(stack.resources) == 12
    assert _errors(stack) == []
