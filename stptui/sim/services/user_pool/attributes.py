"""The attributes a new user is given, as Cognito checks them before it makes the user
(SignUp, AdminCreateUser, and the userMigration hook's `userAttributes`): each value's
length, the names the pool's schema has, who may write developer-only attributes, each
value against its schema entry, the attributes SignUp must give. Pure: each check answers
the problems it finds, and the operation refuses with them."""

from __future__ import annotations

import re

from stptui.config.model import STANDARD_USER_ATTRIBUTES, UserAttributeRule
from stptui.sim.cognito import CognitoError
from stptui.sim.services.user_pool.pool import Pool

# AttributeType's Value: "Maximum length of 2048" (API reference).
MAX_VALUE_CHARS = 2048
# The attributes Cognito keeps as flags (Boolean in every pool's schema).
VERIFICATION_FLAGS = ("email_verified", "phone_number_verified")
# The standard attributes whose values Cognito constrains beyond the 2,048 characters (the
# SchemaAttributes DescribeUserPool answers, in the API reference's CreateUserPool example):
# a pool's `schema` entry for one replaces it.
STANDARD_RULES: dict[str, UserAttributeRule] = {
    "birthdate": UserAttributeRule("String", min_length=10, max_length=10),
    "updated_at": UserAttributeRule("Number", min_value=0),
}
# A Number attribute's value (**a choice**: a decimal, as NumberAttributeConstraints' bounds
# are written).
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def check_lengths(attributes: dict[str, str]) -> None:
    """Cognito's request validation of UserAttributes: a value over 2048 characters is
    refused before anything else, in AWS's words for a member's constraint."""
    problems = [
        f"Value at 'userAttributes.{i}.member.value' failed to satisfy constraint: Member "
        f"must have length less than or equal to {MAX_VALUE_CHARS}"
        for i, value in enumerate(attributes.values(), start=1)
        if len(value) > MAX_VALUE_CHARS
    ]
    if not problems:
        return
    count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''}"
    raise CognitoError(
        "InvalidParameterException",
        f"{count} detected: {'; '.join(problems)}",
        f"an attribute's value has at most {MAX_VALUE_CHARS} characters",
    )


def unknown_names(pool: Pool, attributes: dict[str, str]) -> list[str]:
    """The names `attributes` give that the pool's schema does not have: neither a standard
    attribute nor a custom one its `schema` declares."""
    return [
        name
        for name in attributes
        if name not in STANDARD_USER_ATTRIBUTES and name not in pool.custom_attributes
    ]


def flag_names(attributes: dict[str, str]) -> list[str]:
    """The verification flags among `attributes`, which an app client may not write: its
    WriteAttributes are by default "the Standard attributes of your user pool", where its
    ReadAttributes are those and the flags (UserPoolClientType)."""
    return [name for name in attributes if name in VERIFICATION_FLAGS]


def developer_only(pool: Pool, attributes: dict[str, str]) -> list[str]:
    """The developer-only (`dev:custom:`) attributes among `attributes`: read-only to app
    clients, so SignUp may not write them."""
    return [
        name
        for name in attributes
        if (rule := pool.attribute_rules.get(name)) is not None and rule.developer_only
    ]


def value_problems(pool: Pool, attributes: dict[str, str]) -> list[str]:
    """Each attribute whose value its schema entry refuses, with why (Cognito: "When you
    choose an AttributeDataType, Amazon Cognito validates the input against the data
    type"), one `NAME: ...` each in the order given."""
    problems: list[str] = []
    for name, value in attributes.items():
        rule = pool.attribute_rules.get(name)
        if name in VERIFICATION_FLAGS:
            rule = UserAttributeRule("Boolean")
        if rule is None:
            continue
        problem = _value_problem(rule, value)
        if problem is not None:
            problems.append(f"{name}: {problem}")
    return problems


def missing_required(pool: Pool, attributes: dict[str, str]) -> list[str]:
    """The standard attributes the pool's schema marks required that `attributes` leave
    out, in Cognito's words ("NAME: The attribute is required")."""
    return [
        f"{name}: The attribute is required"
        for name in pool.required_attributes
        if name not in attributes
    ]


def describe(pool: Pool, name: str) -> str:
    """What the pool's schema lets `name` hold, for a hint."""
    rule = pool.attribute_rules.get(name)
    if name in VERIFICATION_FLAGS or (rule is not None and rule.data_type == "Boolean"):
        return f"{name} is true or false"
    if rule is not None and rule is STANDARD_RULES.get(name):
        return {
            "birthdate": "birthdate is a date of 10 characters, YYYY-MM-DD",
            "updated_at": "updated_at is a number of seconds since 1970, at least 0",
        }[name]
    if rule is None:
        return f"{name} takes up to {MAX_VALUE_CHARS} characters"
    if rule.data_type == "Number":
        low = "" if rule.min_value is None else f"numberMinValue {rule.min_value}"
        high = "" if rule.max_value is None else f"numberMaxValue {rule.max_value}"
        bounds = ", ".join(b for b in (low, high) if b)
        return f"{name} is a number" + (f" ({bounds} in {pool.name}'s schema)" if bounds else "")
    low = "" if rule.min_length is None else f"stringMinLength {rule.min_length}"
    high = "" if rule.max_length is None else f"stringMaxLength {rule.max_length}"
    bounds = ", ".join(b for b in (low, high) if b)
    return f"{name} takes {bounds} in {pool.name}'s schema" if bounds else name


def flags(attributes: dict[str, str]) -> tuple[dict[str, str], bool, bool]:
    """The attributes without the verification flags, and whether each flag says "true"
    (they are the user's verified state, not attributes it holds)."""
    rest = {k: v for k, v in attributes.items() if k not in VERIFICATION_FLAGS}
    return (
        rest,
        attributes.get("email_verified") == "true",
        attributes.get("phone_number_verified") == "true",
    )


def _value_problem(rule: UserAttributeRule, value: str) -> str | None:
    """Why `value` does not fit `rule` (**our wording**: Cognito's for these is not
    published), or None."""
    if rule.data_type == "Boolean":
        # **A choice**: exactly Cognito's own spellings of its flags.
        return None if value in ("true", "false") else "Value must be true or false."
    if rule.data_type == "Number":
        if not _NUMBER.fullmatch(value):
            return "Value must be a number."
        number = float(value)
        if rule.min_value is not None and number < rule.min_value:
            return f"Value must be at least {rule.min_value}."
        if rule.max_value is not None and number > rule.max_value:
            return f"Value must be at most {rule.max_value}."
        return None
    if rule.data_type == "String":
        if rule.min_length is not None and len(value) < rule.min_length:
            return f"Value must have at least {rule.min_length} characters."
        if rule.max_length is not None and len(value) > rule.max_length:
            return f"Value must have at most {rule.max_length} characters."
    return None
