"""A user pool takes only the attributes its schema has: the standard ones, and the custom
ones (`custom:NAME`) its `schema` declares (Stacktape's `user-auth-pool` `schema`, written to
Cognito's `Schema`). SignUp and AdminCreateUser refuse any other with Cognito's
`InvalidParameterException: Attributes did not conform to the schema: NAME: Attribute does
not exist in the schema.`, before any hook, changing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_checks import refused, write_stack

from stptui.cli import main
from stptui.commands import Session, execute
from stptui.config import load_stack_text
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
PLAIN_USERNAMES = "      allowEmailAsUserName: false\n      allowPhoneNumberAsUserName: false\n"
SCHEMA = (
    "      schema:\n"
    "        - {name: plan, attributeDataType: String, mutable: true}\n"
    "        - {name: tenantId, attributeDataType: String}\n"
    "        - {name: given_name, attributeDataType: String, required: false}\n"
)


def stack(extra: str = "") -> str:
    """A pool `users` of plain usernames whose preSignUp hook is `preSignUp`."""
    return (
        "resources:\n  users:\n    type: user-auth-pool\n    properties:\n"
        + PLAIN_USERNAMES
        + extra
        + "      hooks:\n        preSignUp: $ResourceParam('preSignUp', 'arn')\n"
        + f"  preSignUp:\n    type: function\n    properties:\n      {PKG}\n"
    )


def session_of(tmp_path: Path, text: str) -> Session:
    return Session.open(write_stack(tmp_path, text, "behaviors: {}\n"), start_ms=START)


@pytest.mark.parametrize("command", ["sign-up", "admin-create-user"])
def test_an_undeclared_custom_attribute_is_refused_changing_nothing(
    tmp_path: Path, command: str
) -> None:
    session = session_of(tmp_path, stack())
    error = refused(session, f"{command} users ann --attr custom:plan=pro")
    assert str(error).splitlines()[0] == (
        "InvalidParameterException: Attributes did not conform to the schema: custom:plan: "
        "Attribute does not exist in the schema."
    )
    assert error.hint == (
        "users declares no custom attributes: add one to its schema, e.g. "
        "schema: [{name: plan, attributeDataType: String}]"
    )
    assert session.sim.services["user_pools"].pools["users"].users == {}


def test_each_undeclared_attribute_is_named_and_the_hint_lists_the_declared_ones(
    tmp_path: Path,
) -> None:
    session = session_of(tmp_path, stack(SCHEMA))
    error = refused(
        session, "sign-up users ann --attr custom:plan=pro --attr custom:tier=gold --attr x=1"
    )
    assert str(error).splitlines()[0] == (
        "InvalidParameterException: Attributes did not conform to the schema: custom:tier: "
        "Attribute does not exist in the schema. x: Attribute does not exist in the schema."
    )
    assert error.hint == (
        "users declares custom:plan, custom:tenantId; a custom attribute's name starts with "
        "custom: (custom:x)"
    )


@pytest.mark.parametrize("command", ["sign-up", "admin-create-user"])
def test_declared_custom_and_standard_attributes_are_taken(tmp_path: Path, command: str) -> None:
    session = session_of(tmp_path, stack(SCHEMA))
    execute(
        session,
        f"{command} users ann --attr custom:plan=pro --attr custom:tenantId=t-1 "
        "--attr given_name=Ann --attr email=ann@example.com --attr locale=en",
    )
    (user,) = session.sim.services["user_pools"].pools["users"].users.values()
    assert user.attributes == {
        "custom:plan": "pro",
        "custom:tenantId": "t-1",
        "given_name": "Ann",
        "email": "ann@example.com",
        "locale": "en",
    }


def test_a_standard_attribute_in_the_schema_declares_no_custom_one(tmp_path: Path) -> None:
    # `given_name` in `schema` configures the standard attribute; custom:given_name is new.
    session = session_of(tmp_path, stack(SCHEMA))
    error = refused(session, "sign-up users ann --attr custom:given_name=Ann")
    assert "custom:given_name: Attribute does not exist in the schema." in str(error)


def test_the_pool_reads_its_schemas_custom_attributes() -> None:
    pool = load_stack_text(stack(SCHEMA), "stacktape.yml").resources["users"]
    assert pool.custom_attributes == ("custom:plan", "custom:tenantId")
    # A developer-only attribute is dev:custom:NAME (DescribeUserPool's SchemaAttributes).
    dev = (
        SCHEMA
        + "        - {name: score, attributeDataType: Number, developerOnlyAttribute: true}\n"
    )
    pool = load_stack_text(stack(dev), "stacktape.yml").resources["users"]
    assert pool.custom_attributes == ("custom:plan", "custom:tenantId", "dev:custom:score")


def test_a_schema_that_is_not_a_list_is_an_error_at_its_line() -> None:
    text = stack("      schema: {name: plan}\n")
    errors = [(d.code, d.line, d.message) for d in load_stack_text(text, "s.yml").errors]
    assert errors == [("wrong-type", 7, "`schema` must be a list of attributes")]


def test_validate_flags_a_required_custom_attribute_at_its_required(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Cognito refuses the pool: "InvalidParameterException: Required custom attributes are
    # not supported currently." (terraform-provider-aws#18430); a standard attribute may be.
    text = stack(
        "      schema:\n"
        "        - {name: given_name, attributeDataType: String, required: true}\n"
        "        - name: plan\n"
        "          attributeDataType: String\n"
        "          required: true\n"
    )
    path = tmp_path / "stacktape.yml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert (
        f"{path}:11:21: error user-attribute-required [users]: the custom attribute "
        "custom:plan is `required`; Cognito refuses the pool: Required custom attributes are "
        "not supported currently\n"
        "    hint: only standard attributes can be required: remove `required: true`; a "
        "preSignUp hook can refuse a sign-up that leaves custom:plan out\n"
    ) in out
    pool = load_stack_text(text, "stacktape.yml").resources["users"]
    assert pool.required_attributes == ("given_name",)
    assert pool.custom_attributes == ("custom:plan",)
