"""`$ResourceParam` and connectTo's `STP_*` variables give the same value for the same
parameter of the same resource, in the shape AWS gives it."""

from __future__ import annotations

import re

import pytest

from stptui.config import load_stack_text
from stptui.config.envvars import env_var_name, workload_environment

STACK = """
resources:
  site:
    type: hosting-bucket
    properties:
      uploadDirectoryPath: ./dist
      hostingContentType: static-website
  shop:
    type: hosting-bucket
    properties:
      uploadDirectoryPath: ./dist
      hostingContentType: single-page-app
      customDomains: [{domainName: shop.example.com}, {domainName: www.shop.example.com}]
  files:
    type: efs-filesystem
  old:
    type: efs-storage
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: w.py}}
      connectTo: [site, shop, files, old]
      environment:
"""
# (resource, parameter) pairs connectTo injects for the resources above.
PARAMS = [
    ("site", "name"),
    ("site", "arn"),
    ("site", "cdnUrl"),
    ("site", "cdnDomain"),
    ("site", "cdnCanonicalUrl"),
    ("shop", "name"),
    ("shop", "arn"),
    ("shop", "cdnDomain"),
    ("shop", "cdnCustomDomains"),
    ("shop", "cdnCustomDomainUrls"),
    ("files", "id"),
    ("files", "arn"),
    ("old", "id"),
    ("old", "arn"),
]


def _env() -> dict[str, str]:
    entries = "".join(
        f"        - {{name: P{i}, value: \"$ResourceParam('{r}', '{p}')\"}}\n"
        for i, (r, p) in enumerate(PARAMS)
    )
    stack = load_stack_text(STACK + entries, "s.yml")
    assert not stack.errors, [d.format() for d in stack.errors]
    return {e.name: e.value for e in workload_environment(stack, stack.resources["worker"])}


@pytest.mark.parametrize(("i", "resource", "param"), [(i, *rp) for i, rp in enumerate(PARAMS)])
def test_resource_param_equals_the_connect_to_variable(i: int, resource: str, param: str) -> None:
    env = _env()
    assert env[f"P{i}"] == env[env_var_name(resource, param)]


def test_a_hosting_bucket_has_a_cloudfront_cdn_and_its_custom_domains() -> None:
    env = _env()
    values = {rp: env[f"P{i}"] for i, rp in enumerate(PARAMS)}
    assert re.fullmatch(r"https://d[0-9a-z]{13}\.cloudfront\.net", values["site", "cdnUrl"])
    assert values["shop", "cdnCustomDomainUrls"] == (
        "https://shop.example.com, https://www.shop.example.com"
    )
    assert values["site", "arn"] == f"arn:aws:s3:::{values['site', 'name']}"


def test_an_efs_filesystem_has_a_file_system_id_and_arn() -> None:
    env = _env()
    values = {rp: env[f"P{i}"] for i, rp in enumerate(PARAMS)}
    for name in ("files", "old"):  # `efs-storage` is the older name of the type
        fs_id = values[name, "id"]
        assert re.fullmatch(r"fs-[0-9a-f]{17}", fs_id), fs_id
        assert values[name, "arn"] == (
            f"arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/{fs_id}"
        )
    assert values["files", "id"] != values["old", "id"]
