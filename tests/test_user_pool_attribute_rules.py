"""What a user pool's schema says of the attributes a new user is given, beyond their names:
developer-only attributes (`dev:custom:NAME`: only an administrator writes them), each
value's 2,048 characters, the lengths and bounds a schema entry sets, the standard
attributes SignUp must give, the verification flags; and the same rules applied to what the
userMigration hook answers, where a refusal fails the sign-in with UserNotFoundException."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_checks import refused, write_stack

from stptui.commands import Session, execute
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
PLAIN_USERNAMES = "      allowEmailAsUserName: false\n      allowPhoneNumberAsUserName: false\n"
SCHEMA = (
    "      schema:\n"
    "        - {name: plan, attributeDataType: String, stringMinLength: 2, stringMaxLength: 5}\n"
    "        - {name: seats, attributeDataType: Number, numberMinValue: 1,"
    " numberMaxValue: 1000}\n"
    "        - {name: vip, attributeDataType: Boolean}\n"
    "        - {name: tenantId, attributeDataType: String, mutable: false}\n"
    "        - {name: score, attributeDataType: Number, developerOnlyAttribute: true}\n"
    "        - {name: given_name, attributeDataType: String, required: true}\n"
)


def stack(schema: str = SCHEMA, hook: str = "userMigration") -> str:
    """A pool `users` of plain usernames with `schema`, whose `hook` is a function."""
    return (
        "resources:\n  users:\n    type: user-auth-pool\n    properties:\n"
        + PLAIN_USERNAMES
        + schema
        + f"      hooks:\n        {hook}: $ResourceParam('{hook}', 'arn')\n"
        + f"  {hook}:\n    type: function\n    properties:\n      {PKG}\n"
    )


def session_of(tmp_path: Path, text: str, behaviors: str = "behaviors: {}\n") -> Session:
    return Session.open(write_stack(tmp_path, text, behaviors), start_ms=START)


def users(session: Session) -> dict:
    return session.sim.services["user_pools"].pools["users"].users


# -- developer-only attributes ------------------------------------------------------------


def test_sign_up_may_not_write_a_developer_only_attribute(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    error = refused(session, "sign-up users ann --attr given_name=Ann --attr dev:custom:score=3")
    assert str(error).splitlines()[0] == (
        "NotAuthorizedException: A client attempted to write unauthorized attribute"
    )
    assert error.hint == (
        "dev:custom:score is developer-only (developerOnlyAttribute): an administrator sets "
        "it, e.g. admin-create-user users NAME --attr dev:custom:score=..."
    )
    assert users(session) == {}


def test_an_administrator_writes_a_developer_only_attribute(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    execute(session, "admin-create-user users ann --attr dev:custom:score=3")
    assert users(session)["ann"].attributes == {"dev:custom:score": "3"}


@pytest.mark.parametrize("name", ["dev:score", "custom:score"])
def test_a_developer_only_attribute_has_no_other_name(tmp_path: Path, name: str) -> None:
    session = session_of(tmp_path, stack())
    error = refused(session, f"admin-create-user users ann --attr {name}=3")
    assert f"{name}: Attribute does not exist in the schema." in str(error)
    assert "dev:custom:score" in str(error.hint)


# -- value limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["sign-up", "admin-create-user"])
def test_a_value_over_2048_characters_is_refused_first(tmp_path: Path, command: str) -> None:
    session = session_of(tmp_path, stack())
    long = "x" * 2049
    error = refused(
        session, f"{command} users ann --attr given_name=Ann --attr nickname={long} --attr x=1"
    )
    assert str(error).splitlines()[0] == (
        "InvalidParameterException: 1 validation error detected: Value at "
        "'userAttributes.2.member.value' failed to satisfy constraint: Member must have "
        "length less than or equal to 2048"
    )
    execute(session, f"{command} users ann --attr given_name=Ann --attr nickname={'x' * 2048}")
    assert len(users(session)["ann"].attributes["nickname"]) == 2048


@pytest.mark.parametrize(
    ("attr", "problem", "hint"),
    [
        (
            "custom:plan=x",
            "custom:plan: Value must have at least 2 characters.",
            "custom:plan takes stringMinLength 2, stringMaxLength 5 in users's schema",
        ),
        (
            "custom:plan=enterprise",
            "custom:plan: Value must have at most 5 characters.",
            "custom:plan takes stringMinLength 2, stringMaxLength 5 in users's schema",
        ),
        (
            "custom:seats=many",
            "custom:seats: Value must be a number.",
            "custom:seats is a number (numberMinValue 1, numberMaxValue 1000 in users's schema)",
        ),
        (
            "custom:seats=0",
            "custom:seats: Value must be at least 1.",
            "custom:seats is a number (numberMinValue 1, numberMaxValue 1000 in users's schema)",
        ),
        (
            "custom:seats=1001",
            "custom:seats: Value must be at most 1000.",
            "custom:seats is a number (numberMinValue 1, numberMaxValue 1000 in users's schema)",
        ),
        (
            "custom:vip=yes",
            "custom:vip: Value must be true or false.",
            "custom:vip is true or false",
        ),
    ],
)
@pytest.mark.parametrize("command", ["sign-up", "admin-create-user"])
def test_a_value_the_schema_entry_refuses(
    tmp_path: Path, command: str, attr: str, problem: str, hint: str
) -> None:
    session = session_of(tmp_path, stack())
    error = refused(session, f"{command} users ann --attr given_name=Ann --attr {attr}")
    assert str(error).splitlines()[0] == (
        f"InvalidParameterException: Attributes did not conform to the schema: {problem}"
    )
    assert error.hint == hint
    assert users(session) == {}


def test_an_administrator_s_verification_flag_is_true_or_false(tmp_path: Path) -> None:
    # (SignUp may not write the flags at all: test_sign_up_may_not_mark_an_address_verified.)
    session = session_of(tmp_path, stack())
    error = refused(session, "admin-create-user users ann --attr email_verified=TRUE")
    assert str(error).splitlines()[0] == (
        "InvalidParameterException: Attributes did not conform to the schema: "
        "email_verified: Value must be true or false."
    )
    assert error.hint == "email_verified is true or false"
    assert users(session) == {}


def test_values_within_the_schema_are_taken(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    execute(
        session,
        "sign-up users ann --attr given_name=Ann --attr custom:plan=pro --attr custom:seats=1000"
        " --attr custom:vip=false --attr custom:tenantId=t-1",
    )
    assert users(session)["ann"].attributes == {
        "given_name": "Ann",
        "custom:plan": "pro",
        "custom:seats": "1000",
        "custom:vip": "false",
        "custom:tenantId": "t-1",
    }


# -- required attributes ----------------------------------------------------------------------


def test_sign_up_must_give_the_required_standard_attributes(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    error = refused(session, "sign-up users ann --attr custom:plan=x")
    assert str(error).splitlines()[0] == (
        "InvalidParameterException: Attributes did not conform to the schema: "
        "custom:plan: Value must have at least 2 characters. given_name: The attribute is required"
    )
    error = refused(session, "sign-up users ann")
    assert str(error).splitlines()[0].endswith("schema: given_name: The attribute is required")
    assert error.hint == "users's schema requires given_name: --attr given_name=..."


def test_an_administrator_may_leave_a_required_attribute_out(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    execute(session, "admin-create-user users ann")
    assert users(session)["ann"].status == "FORCE_CHANGE_PASSWORD"


def test_a_required_custom_entry_requires_nothing(tmp_path: Path) -> None:
    # Cognito cannot make a custom attribute required; Stacktape passes `required` through.
    schema = "      schema:\n        - {name: plan, attributeDataType: String, required: true}\n"
    session = session_of(tmp_path, stack(schema))
    execute(session, "sign-up users ann")
    assert "ann" in users(session)


def test_the_username_gives_the_required_email_in_an_email_pool(tmp_path: Path) -> None:
    schema = "      schema:\n        - {name: email, attributeDataType: String, required: true}\n"
    text = stack(schema).replace(PLAIN_USERNAMES, "")
    session = session_of(tmp_path, text)
    execute(session, "sign-up users ann@example.com")
    (user,) = users(session).values()
    assert user.attributes == {"email": "ann@example.com"}


# -- verification flags -------------------------------------------------------------------------


def test_an_administrator_marks_the_email_verified(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    execute(
        session, "admin-create-user users ann --attr email=a@example.com --attr email_verified=true"
    )
    user = users(session)["ann"]
    assert user.email_verified is True
    assert user.attributes == {"email": "a@example.com"}
    execute(session, "admin-create-user users bob --attr email_verified=true")
    assert users(session)["bob"].email_verified is False  # no email to verify


@pytest.mark.parametrize(
    ("flag", "address", "answer"),
    [
        ("email_verified", "email=a@example.com", "autoVerifyEmail"),
        ("phone_number_verified", "phone_number=+15555550100", "autoVerifyPhone"),
    ],
)
def test_sign_up_may_not_mark_an_address_verified(
    tmp_path: Path, flag: str, address: str, answer: str
) -> None:
    # An app client writes the standard attributes but not the flags (UserPoolClientType's
    # WriteAttributes: by default "the Standard attributes"; ReadAttributes adds the flags),
    # and Stacktape sets no WriteAttributes: aws/aws-sdk-js#3603.
    session = session_of(tmp_path, stack())
    error = refused(
        session, f"sign-up users ann --attr given_name=Ann --attr {address} --attr {flag}=true"
    )
    assert str(error).splitlines()[0] == (
        "NotAuthorizedException: A client attempted to write unauthorized attribute"
    )
    assert error.hint == (
        f"{flag} is Cognito's to set: confirm-sign-up verifies the address the code went to, "
        f"preSignUp's {answer} the one signed up with; an administrator sets it, e.g. "
        f"admin-create-user users NAME --attr {flag}=true"
    )
    assert users(session) == {}


# -- the userMigration hook's userAttributes --------------------------------------------------


def migrating(tmp_path: Path, attributes: str) -> Session:
    """A session whose userMigration hook answers `attributes` (a JMESPath object)."""
    behaviors = (
        "behaviors:\n  userMigration:\n    response: |-\n"
        f"      merge(@, {{response: {{userAttributes: {attributes}}}}})\n"
    )
    return session_of(tmp_path, stack(), behaviors)


@pytest.mark.parametrize(
    ("attributes", "message", "hint"),
    [
        (
            "{\"custom:tier\": 'gold', favourite: 'x'}",
            "Attributes did not conform to the schema: custom:tier: Attribute does not exist in "
            "the schema. favourite: Attribute does not exist in the schema.",
            "users declares custom:plan, custom:seats, custom:vip, custom:tenantId, "
            "dev:custom:score; a custom attribute's name starts with custom: (custom:favourite)",
        ),
        (
            "{sub: 'old-sub', email: 'a@example.com'}",
            "Attributes did not conform to the schema: sub: Attribute cannot be updated.",
            "leave sub out of userAttributes: Cognito gives the migrated user its own",
        ),
        (
            "{email: 'a@example.com', email_verified: 'yes'}",
            "Attributes did not conform to the schema: email_verified: Value must be true or "
            "false.",
            "email_verified is true or false",
        ),
        (
            "{\"custom:seats\": '0'}",
            "Attributes did not conform to the schema: custom:seats: Value must be at least 1.",
            "custom:seats is a number (numberMinValue 1, numberMaxValue 1000 in users's schema)",
        ),
    ],
)
def test_migrated_attributes_the_schema_refuses_fail_the_sign_in(
    tmp_path: Path, attributes: str, message: str, hint: str
) -> None:
    session = migrating(tmp_path, attributes)
    out = execute(session, "sign-in users legacy --password Legacy-Passw0rd")
    assert out.data["error"] == "UserNotFoundException"
    assert out.data["hook"] == "userMigration"
    assert (
        out.text.splitlines()[0]
        == f"refused (hook userMigration): UserNotFoundException: {message}"
    )
    assert f"hint: {hint}" in out.text
    assert users(session) == {}


def test_migrated_attributes_are_taken_as_a_new_users(tmp_path: Path) -> None:
    # Not required of a migration: given_name. Immutable (tenantId) and developer-only
    # (score) attributes are written as the user is made; JSON values become their text.
    session = migrating(
        tmp_path,
        "{email: 'a@example.com', email_verified: `true`, \"custom:tenantId\": 't-1', "
        '"dev:custom:score": `7`, "custom:vip": `false`}',
    )
    out = execute(session, "sign-in users legacy --password Legacy-Passw0rd")
    assert out.data["refused"] is False
    user = users(session)["legacy"]
    assert user.attributes == {
        "email": "a@example.com",
        "custom:tenantId": "t-1",
        "dev:custom:score": "7",
        "custom:vip": "false",
    }
    assert user.email_verified is True


@pytest.mark.parametrize(
    ("attr", "problem", "hint"),
    [
        (
            "birthdate=1990-1-1",
            "birthdate: Value must have at least 10 characters.",
            "birthdate is a date of 10 characters, YYYY-MM-DD",
        ),
        (
            "updated_at=-5",
            "updated_at: Value must be at least 0.",
            "updated_at is a number of seconds since 1970, at least 0",
        ),
    ],
)
def test_cognitos_own_constraints_of_standard_attributes(
    tmp_path: Path, attr: str, problem: str, hint: str
) -> None:
    session = session_of(tmp_path, stack())
    error = refused(session, f"admin-create-user users ann --attr {attr}")
    assert str(error).splitlines()[0] == (
        f"InvalidParameterException: Attributes did not conform to the schema: {problem}"
    )
    assert error.hint == hint
    execute(session, "admin-create-user users ann --attr birthdate=1990-01-01 --attr updated_at=0")
    assert users(session)["ann"].attributes == {"birthdate": "1990-01-01", "updated_at": "0"}


def test_a_forgotten_passwords_migration_is_held_to_the_same_rules(tmp_path: Path) -> None:
    session = migrating(tmp_path, "{email: 'a@example.com', email_verified: 'true', sub: 'x'}")
    out = execute(session, "forgot-password users legacy")
    assert out.data["error"] == "UserNotFoundException"
    assert "sub: Attribute cannot be updated." in out.text
    assert users(session) == {}
