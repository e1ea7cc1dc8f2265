"""The `restoreObject` emission: S3 RestoreObject from a handler, through the bucket service's
restore_object (as the `restore` command), with S3's refusals as `emission.failed` records,
the role's s3:RestoreObject checked (connectTo to a bucket grants s3:*Object*), and its
fields checked when the behaviours file loads."""

from __future__ import annotations

import textwrap
from pathlib import Path

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim import trace as tk
from stptui.sim.behavior import Behaviors
from stptui.sim.clock import parse_instant
from tests.simkit import EXAMPLES

START = parse_instant("2026-01-05T08:00:00Z")
HOUR = 3_600_000
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: r.ts}}"
ROLE = "arn:aws:sts::123456789012:assumed-role/vault-dev-restorer-us-east-1/vault-dev-restorer"
RESTORE = """behaviors:
  restorer:
    emit:
      - restoreObject:
          bucket: vault
          key: key
          days: "days || `1`"
          tier: "tier || 'Standard'"
          versionId: version
"""


def stack(role: str = "connectTo: [vault]") -> str:
    """`vault` archives `g/` to GLACIER and `d/` to DEEP_ARCHIVE at the first midnight;
    `restorer` has the role properties `role`."""
    return f"""serviceName: vault
resources:
  vault:
    type: bucket
    properties:
      lifecycleRules:
        - type: class-transition
          properties: {{prefix: g/, daysAfterUpload: 0, storageClass: GLACIER}}
        - type: class-transition
          properties: {{prefix: d/, daysAfterUpload: 0, storageClass: DEEP_ARCHIVE}}
  restorer:
    type: function
    properties:
      {PKG}
{textwrap.indent(role, "      ")}
"""


def session(tmp_path: Path, role: str = "connectTo: [vault]", behaviors: str = RESTORE) -> Session:
    """`g/a.csv`, `d/b.csv` and `s/c.csv` uploaded at START, the clock a day later."""
    (tmp_path / "stacktape.yml").write_text(stack(role), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(behaviors, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    for key in ("g/a.csv", "d/b.csv", "s/c.csv"):
        execute(s, f"upload vault {key} --size 200KB")
    execute(s, "advance 1d")
    return s


def kinds(s: Session, *wanted: str) -> list[tuple[str, dict[str, object]]]:
    return [(r.kind, r.data) for r in s.sim.trace.records if r.kind in wanted]


def test_a_handler_restores_an_archived_object(tmp_path: Path) -> None:
    s = session(tmp_path)
    execute(s, """invoke restorer '{"key": "g/a.csv", "days": 2, "tier": "Bulk"}'""")
    ((_, started),) = kinds(s, tk.RESTORE_INITIATED)
    invocation = next(r for r in s.sim.trace.records if r.kind == tk.INVOCATION_SUCCEEDED)
    assert started["key"] == "g/a.csv" and started["tier"] == "Bulk" and started["days"] == 2
    assert started["source"] == f"restorer:{invocation.data['invocation_id']}"
    assert started["status"] == 202
    # The restore starts when the invocation ends (100 ms), and Bulk from GLACIER takes 12 h.
    execute(s, "run")
    ((_, done),) = kinds(s, tk.RESTORE_COMPLETED)
    assert s.sim.clock.now == START + 24 * HOUR + 100 + 12 * HOUR
    obj = s.sim.services["buckets"].bucket("vault").objects["g/a.csv"]
    assert obj.restore is not None and obj.restore.expiry is not None
    assert done["key"] == "g/a.csv"
    assert not kinds(s, tk.EMISSION_FAILED)


def test_s3s_refusals_are_the_emissions_errors_and_change_nothing(tmp_path: Path) -> None:
    s = session(tmp_path)
    execute(s, """invoke restorer '{"key": "s/c.csv"}'""")
    execute(s, """invoke restorer '{"key": "d/b.csv", "tier": "Expedited"}'""")
    execute(s, """invoke restorer '{"key": "nope.csv"}'""")
    execute(s, """invoke restorer '{"key": "g/a.csv"}'""")
    execute(s, """invoke restorer '{"key": "g/a.csv", "days": 3}'""")
    errors = [str(d["error"]) for _, d in kinds(s, tk.EMISSION_FAILED)]
    origin = "(stptui.yml:4:9: restorer.emit[0].restoreObject)"  # the file by its name
    assert [e.split(":")[0] for e in errors] == [
        "InvalidObjectState",
        "InvalidArgument",
        "NoSuchKey",
        "RestoreAlreadyInProgress",
    ]
    assert (
        errors[1]
        == f"InvalidArgument: Expedited retrieval is not available for DEEP_ARCHIVE {origin}"
    )
    assert all(e.endswith(origin) for e in errors)
    assert len(kinds(s, tk.RESTORE_INITIATED)) == 1, "only g/a.csv's first request restores"
    ok = [r for r in s.sim.trace.records if r.kind == tk.INVOCATION_SUCCEEDED]
    assert len(ok) == 5, "a refused request does not fail the invocation"


def test_a_role_without_the_grant_is_refused_with_access_denied(tmp_path: Path) -> None:
    s = session(tmp_path, role="memory: 512")
    execute(s, """invoke restorer '{"key": "g/a.csv"}'""")
    ((_, failed),) = kinds(s, tk.INVOCATION_FAILED)
    arn = "arn:aws:s3:::vault-dev-vault-40273433/g/a.csv"
    assert failed["error"] == "AccessDenied"
    assert failed["error_message"] == (
        f'User: {ROLE} is not authorized to perform: s3:RestoreObject on resource: "{arn}" '
        "because no identity-based policy allows the s3:RestoreObject action"
    )
    ((_, refused),) = kinds(s, tk.EMISSION_FAILED)
    assert refused["emission"] == "restoreObject"
    assert not kinds(s, tk.RESTORE_INITIATED)


def test_an_explicit_deny_wins_over_connect_to(tmp_path: Path) -> None:
    role = """connectTo: [vault]
iamRoleStatements:
  - Effect: Deny
    Action: [s3:RestoreObject]
    Resource: ["*"]
"""
    s = session(tmp_path, role=role)
    execute(s, """invoke restorer '{"key": "g/a.csv"}'""")
    ((_, failed),) = kinds(s, tk.INVOCATION_FAILED)
    assert str(failed["error_message"]).endswith(
        "with an explicit deny in an identity-based policy"
    )
    # Only RestoreObject is denied: connectTo still grants PutObject on the bucket.
    perms = s.sim.behaviors.permissions
    assert perms.allowed("restorer", "put", "vault", {"key": "g/a.csv"})
    assert not perms.allowed("restorer", "restoreObject", "vault", {"key": "g/a.csv"})


def test_validate_warns_at_an_emission_the_role_does_not_allow(
    tmp_path: Path, capsys: object
) -> None:
    (tmp_path / "stacktape.yml").write_text(stack("memory: 512"), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(RESTORE, encoding="utf-8")
    assert main(["validate", str(tmp_path / "stacktape.yml")]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "stptui.yml:5:19: warning emission-not-permitted [restorer]" in out
    assert "does not allow s3:RestoreObject on 'vault'" in out
    assert "hint: add vault to restorer's connectTo: `connectTo: [vault]`" in out


def test_fields_are_checked_when_the_file_loads() -> None:
    behaviors = """behaviors:
  restorer:
    emit:
      - restoreObject: {bucket: vault, key: key, days: 0}
      - restoreObject: {bucket: vault, key: key, days: 1, tier: "'Fast'"}
      - restoreObject: {bucket: vault, key: key}
      - restoreObject: {bucket: restorer, key: key, days: 1}
      - restoreObject: {bucket: vault, key: key, days: "'2'"}
"""
    _, diags = Behaviors.from_text(behaviors, "stptui.yml", load_stack_text(stack()))
    found = [(d.code, d.line, d.column) for d in diags if d.severity == "error"]
    assert found == [
        ("behavior-bad-value", 4, 56),
        ("behavior-bad-value", 5, 65),
        ("behavior-missing-key", 6, 24),
        ("behavior-wrong-target-type", 7, 33),
        ("behavior-bad-value", 8, 56),
    ]
    messages = [d.message for d in diags]
    assert "days: must be a whole number of days, at least 1, not a number (0)" in messages[0]
    assert 'tier: must be one of Expedited, Standard, Bulk, not a string ("Fast")' in messages[1]
    assert messages[2] == "restoreObject needs `days`"


def test_a_value_that_does_not_fit_fails_the_invocation_saying_where(tmp_path: Path) -> None:
    s = session(tmp_path)
    execute(s, """invoke restorer '{"key": "g/a.csv", "days": "2"}'""")
    ((_, failed),) = kinds(s, tk.INVOCATION_FAILED)
    assert failed["error"] == "BehaviorError"
    assert "stptui.yml:7:17: restorer.emit[0].restoreObject.days" in str(failed["error_message"])
    assert '`days || `1`` found a string ("2")' in str(failed["error_message"])


def test_a_python_handler_restores_with_the_context(tmp_path: Path) -> None:
    (tmp_path / "handlers.py").write_text(
        "def restore(event, context):\n"
        "    context.restore_object('vault', event['key'], 2, tier='Expedited')\n",
        encoding="utf-8",
    )
    (tmp_path / "stacktape.yml").write_text(stack(), encoding="utf-8")
    (tmp_path / "stptui.yml").write_text(
        "behaviors:\n  restorer:\n    handler: handlers:restore\n", encoding="utf-8"
    )
    s = Session.open(tmp_path, start_ms=START, allow_code=True)
    execute(s, "upload vault g/a.csv --size 200KB")
    execute(s, "advance 1d")
    execute(s, """invoke restorer '{"key": "g/a.csv"}'""")
    ((_, started),) = kinds(s, tk.RESTORE_INITIATED)
    assert started["tier"] == "Expedited" and started["days"] == 2


def test_the_docs_example_runs_and_is_deterministic(capsys: object) -> None:
    argv = [
        "run",
        str(EXAMPLES / "restore.yml"),
        str(EXAMPLES / "restore-emission.stp"),
        "--behaviors",
        str(EXAMPLES / "restore-behaviors.yml"),
        "--start",
        "2026-01-05T08:00:00Z",
    ]
    assert main(argv) == 0
    first = capsys.readouterr().out  # type: ignore[attr-defined]
    assert main(argv) == 0
    assert capsys.readouterr().out == first  # type: ignore[attr-defined]
    assert "emission=restoreObject target=archive error=RestoreAlreadyInProgress" in first
