"""The top-level `hooks` as a list of `{triggers, scriptName}`, the older spelling many of
Stacktape's starter projects still use: accepted with a warning that spells today's mapping."""

from __future__ import annotations

from lintkit import codes, load, one

QUEUE = """
resources:
  jobs: {type: sqs-queue}
"""


def test_a_list_of_triggers_loads_with_a_warning_naming_todays_mapping() -> None:
    stack = f"""
hooks:
  - triggers: ['before:deploy']
    scriptName: generateClient
  - triggers: ['after:deploy', 'after:bucket-sync']
    scriptName: migrate
{QUEUE}"""
    diag = one(stack, "legacy-hooks")
    assert diag.severity == "warning"
    assert (diag.line, diag.column) == (3, 3)
    assert diag.hint == (
        "write hooks: {beforeDeploy: [{scriptName: generateClient}], "
        "afterDeploy: [{scriptName: migrate}], afterBucketSync: [{scriptName: migrate}]}"
    )
    assert "error" not in {d.severity for d in load(stack).diagnostics}


def test_a_list_without_triggers_still_warns_and_points_to_the_docs() -> None:
    diag = one(f"hooks: [generateClient]\n{QUEUE}", "legacy-hooks")
    assert diag.hint == "see Stacktape's `hooks` docs"


def test_todays_mapping_gets_no_warning_and_a_scalar_is_refused() -> None:
    assert "legacy-hooks" not in codes(
        f"hooks:\n  beforeDeploy:\n    - scriptName: generateClient\n{QUEUE}"
    )
    assert "wrong-type" in codes(f"hooks: generateClient\n{QUEUE}")


def test_an_inline_hook_without_a_script_name_is_spelled_with_a_script_to_write() -> None:
    # The older hook ran its code inline (`executeFunction`): the hint named
    # `{scriptName: None}`, Python's word, which no Stacktape config can use.
    stack = f"""
hooks:
  - executeFunction: scripts/prisma-push.ts:prismaPush
    triggers: ['after:deploy']
  - triggers: ['before:deploy']
    scriptName: generateClient
{QUEUE}"""
    diag = one(stack, "legacy-hooks")
    assert diag.hint == (
        "write hooks: {afterDeploy: [{scriptName: SCRIPT}], beforeDeploy: [{scriptName: "
        "generateClient}]}, SCRIPT being a `scripts` entry (a local-script) that does what "
        "the hook's `executeFunction` did"
    )
    assert "None" not in (diag.hint or "")
