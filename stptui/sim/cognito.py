"""Cognito user pools (pure): the Lambda trigger events a pool sends its hooks, what Cognito
reads back from them, its password policy and its refusals, in its own words.

Sources: Amazon Cognito developer guide, "Customizing user pool workflows with Lambda
triggers" (the common event fields, synchronous invocation, the 5-second limit and its
retries) and each trigger's page (pre sign-up, custom message, post confirmation, pre and
post authentication, pre token generation V1_0, migrate user); the Cognito API reference
(SignUp, ConfirmSignUp, AdminCreateUser, InitiateAuth and their exceptions). What stptui
chooses where they are silent is in docs/fidelity.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

# Cognito waits 5 s for a hook, and retries a call that timed out; the third timeout fails
# the operation ("After three unsuccessful attempts, the function times out").
HOOK_WAIT_MS = 5_000
HOOK_ATTEMPTS = 3
# What `callerContext.awsSdkVersion` carries for a call not made through an AWS SDK, and
# `callerContext.clientId` for an administrator's call (AdminCreateUser), as events show.
SDK_VERSION = "aws-sdk-unknown-unknown"
ADMIN_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
CODE_PARAMETER = "{####}"
LINK_PARAMETER = "{##Click Here##}"
USERNAME_PARAMETER = "{username}"

# Each hook's name in Cognito's error messages ("PreSignUp failed with error ...").
HOOK_NAMES: dict[str, str] = {
    "preSignUp": "PreSignUp",
    "customMessage": "CustomMessage",
    "postConfirmation": "PostConfirmation",
    "preAuthentication": "PreAuthentication",
    "postAuthentication": "PostAuthentication",
    "preTokenGeneration": "PreTokenGeneration",
    "userMigration": "UserMigration",
    "defineAuthChallenge": "DefineAuthChallenge",
    "createAuthChallenge": "CreateAuthChallenge",
    "verifyAuthChallengeResponse": "VerifyAuthChallengeResponse",
}
# The one challenge of the custom authentication flow stptui runs (DefineAuthChallenge may
# also name SRP_A or PASSWORD_VERIFIER, which belong to SRP sign-in: docs/fidelity.md).
CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
# How long a custom authentication session waits for its answer: Cognito's default
# AuthSessionValidity of 3 minutes.
AUTH_SESSION_MS = 3 * 60_000

# Claims a pre token generation hook cannot add, change or suppress (its V1_0 page lists
# them); Cognito keeps its own values.
PROTECTED_CLAIMS = frozenset(
    {
        "acr",
        "amr",
        "at_hash",
        "aud",
        "auth_time",
        "azp",
        "cognito:username",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "sub",
        "token_use",
    }
)

# What claimsToAddOrOverride and claimsToSuppress cannot touch: the protected claims, and
# `cognito:groups`, which Cognito sets from the user's groups or groupOverrideDetails.
_KEPT_CLAIMS = PROTECTED_CLAIMS | {"cognito:groups", "cognito:roles", "cognito:preferred_role"}

# Cognito's policy when a pool sets none: 8 characters, every class required.
DEFAULT_POLICY: dict[str, Any] = {
    "minimumLength": 8,
    "requireLowercase": True,
    "requireUppercase": True,
    "requireNumbers": True,
    "requireSymbols": True,
}
# The characters Cognito counts as symbols (its password requirements page).
SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")


# What Cognito takes as an email or a phone number where usernames are one of them (the
# shapes it checks are not published: a choice, in docs/fidelity.md). Phone numbers are
# E.164, as Cognito's phone_number attribute requires: `+` and up to 15 digits.
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_SHAPE = re.compile(r"\+[0-9]{1,15}")
# SignUp's and AdminCreateUser's refusal of a username of neither shape, by the pool's
# UsernameAttributes.
_NOT_A_LOGIN = {
    ("phone_number", "email"): "Username should be either an email or a phone number.",
    ("email",): "Username should be an email.",
    ("phone_number",): "Username should be a phone number.",
}


class CognitoError(Exception):
    """A refusal as Cognito answers it: its exception name and its message; `word`, the
    name it refuses as given, when it is about one (no such pool)."""

    def __init__(
        self, code: str, message: str, hint: str | None = None, *, word: str | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.hint = hint
        self.word = word


def login_attribute(username_attributes: tuple[str, ...], username: str) -> str:
    """Which username attribute (`email`, `phone_number`) `username` is, in a pool whose
    usernames are emails or phone numbers; else Cognito's InvalidParameterException."""
    if "email" in username_attributes and EMAIL_SHAPE.fullmatch(username):
        return "email"
    if "phone_number" in username_attributes and PHONE_SHAPE.fullmatch(username):
        return "phone_number"
    raise CognitoError(
        "InvalidParameterException",
        _NOT_A_LOGIN[username_attributes],
        "this pool's usernames are emails or phone numbers (Stacktape's allowEmailAsUserName "
        "and allowPhoneNumberAsUserName): e.g. ann@example.com, +15550100",
    )


def policy_of(written: dict[str, Any] | None) -> dict[str, Any]:
    """The password policy a pool enforces: Cognito's default without `passwordPolicy`;
    with one, what it writes (a requirement it leaves out is off, as CloudFormation's
    PasswordPolicy leaves it; the length defaults to 8)."""
    if written is None:
        return dict(DEFAULT_POLICY)
    policy: dict[str, Any] = {"minimumLength": 8}
    for key in ("requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"):
        policy[key] = written.get(key) is True
    length = written.get("minimumLength")
    if isinstance(length, int) and not isinstance(length, bool):
        policy["minimumLength"] = length
    return policy


def password_problem(policy: dict[str, Any], password: str) -> str | None:
    """Cognito's InvalidPasswordException message for `password`, or None when it conforms."""
    checks = (
        (len(password) >= policy["minimumLength"], "Password not long enough"),
        (
            not policy["requireLowercase"] or any(c.islower() for c in password),
            "Password must have lowercase characters",
        ),
        (
            not policy["requireUppercase"] or any(c.isupper() for c in password),
            "Password must have uppercase characters",
        ),
        (
            not policy["requireNumbers"] or any(c.isdigit() for c in password),
            "Password must have numeric characters",
        ),
        (
            not policy["requireSymbols"] or any(c in SYMBOLS for c in password),
            "Password must have symbol characters",
        ),
    )
    for ok, why in checks:
        if not ok:
            return f"Password did not conform with policy: {why}"
    return None


def describe_policy(policy: dict[str, Any]) -> str:
    """A password policy in words: `at least 10 characters, a number`."""
    parts = [f"at least {policy['minimumLength']} characters"]
    for key, words in (
        ("requireLowercase", "a lowercase letter"),
        ("requireUppercase", "an uppercase letter"),
        ("requireNumbers", "a number"),
        ("requireSymbols", "a symbol"),
    ):
        if policy[key]:
            parts.append(words)
    return ", ".join(parts)


def conforming_password(policy: dict[str, Any], stem: str) -> str:
    """A password made from `stem` that `policy` accepts (every class, long enough)."""
    text = f"Aa1!{stem}"
    return text + "x" * max(0, policy["minimumLength"] - len(text))


def trigger_event(
    source: str,
    region: str,
    pool_id: str,
    client_id: str,
    username: str,
    request: dict[str, Any],
    response: dict[str, Any],
) -> dict[str, Any]:
    """A trigger's event: the common fields every Cognito trigger gets, then its own
    `request` and the `response` Cognito expects back (its fields null or false)."""
    return {
        "version": "1",
        "triggerSource": source,
        "region": region,
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id},
        "request": request,
        "response": response,
    }


def empty_response(hook: str) -> dict[str, Any]:
    """The `response` Cognito sends each trigger, for the hook to fill in."""
    if hook == "preSignUp":
        return {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    if hook == "customMessage":
        return {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    if hook == "preTokenGeneration":
        return {"claimsOverrideDetails": None}
    if hook == "defineAuthChallenge":
        # Null, not false: events captured from Cognito carry all three as null.
        return {"challengeName": None, "issueTokens": None, "failAuthentication": None}
    if hook == "createAuthChallenge":
        return {
            "publicChallengeParameters": None,
            "privateChallengeParameters": None,
            "challengeMetadata": None,
        }
    if hook == "verifyAuthChallengeResponse":
        return {"answerCorrect": None}
    if hook == "userMigration":
        return {
            "userAttributes": None,
            "finalUserStatus": None,
            "messageAction": None,
            "desiredDeliveryMediums": None,
            "forceAliasCreation": None,
            "enableSMSMFA": None,
        }
    return {}


def hook_response(hook: str, result: Any, event: dict[str, Any]) -> dict[str, Any]:
    """The `response` object of what a hook returned. A hook returns the event (its
    `response` filled in); stptui reads a null result, which a behaviour without `response`
    gives, as the event returned unchanged. Anything else is InvalidLambdaResponseException."""
    if result is None:
        result = event
    if not isinstance(result, dict):
        raise CognitoError(
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
            f"the {hook} hook must return the event it was given, with its response filled in",
        )
    response = result.get("response")
    if response is None:
        return {}
    if not isinstance(response, dict):
        raise CognitoError(
            "InvalidLambdaResponseException",
            "Unrecognizable lambda output",
            f"the {hook} hook's response must be an object",
        )
    return response


def failed(hook: str, message: str | None) -> CognitoError:
    """A hook that raised an error (or hit its own Lambda timeout): the operation fails with
    UserLambdaValidationException carrying the function's errorMessage."""
    return CognitoError(
        "UserLambdaValidationException",
        f"{HOOK_NAMES[hook]} failed with error {message or ''}.",
        "the hook refused it: see its invocation (explain the user) for why",
    )


def invocation_failed(hook: str, reason: str) -> CognitoError:
    """A hook Cognito could not get an answer from (throttled, or timed out three times)."""
    return CognitoError(
        "UnexpectedLambdaException",
        f"{HOOK_NAMES[hook]} invocation failed due to error {reason}.",
        "Cognito waits 5 s for a hook and tries 3 times: make it answer sooner, or raise its "
        "reservedConcurrency",
    )


def apply_claims(claims: dict[str, Any], response: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Apply a pre token generation V1_0 answer (`claimsOverrideDetails`) to the ID token's
    `claims` in place: suppressions, then additions and overrides (values as strings, as
    the V1_0 event's map of strings holds them). Claims Cognito protects are left as they
    are, and so is `cognito:groups`, which only `groupOverrideDetails` changes (see
    group_override). Returns (claims added or changed, claims suppressed)."""
    details = response.get("claimsOverrideDetails")
    if not isinstance(details, dict):
        return [], []
    suppressed = []
    for name in details.get("claimsToSuppress") or []:
        if isinstance(name, str) and name not in _KEPT_CLAIMS and name in claims:
            del claims[name]
            suppressed.append(name)
    added = []
    extra = details.get("claimsToAddOrOverride") or {}
    if isinstance(extra, dict):
        for name, value in extra.items():
            if name in _KEPT_CLAIMS:
                continue
            claims[name] = value if isinstance(value, str) else _text(value)
            added.append(name)
    return added, suppressed


def group_override(response: dict[str, Any]) -> dict[str, Any] | None:
    """What a pre token generation answer's `claimsOverrideDetails.groupOverrideDetails`
    sets, read as Cognito reads it: `groups` (groupsToOverride, for both tokens), `roles`
    (iamRolesToOverride) and `preferred_role` (preferredRole), each None where the answer
    leaves it out; None when there is no groupOverrideDetails."""
    details = response.get("claimsOverrideDetails")
    if not isinstance(details, dict):
        return None
    override = details.get("groupOverrideDetails")
    if not isinstance(override, dict):
        return None
    groups = override.get("groupsToOverride")
    roles = override.get("iamRolesToOverride")
    preferred = override.get("preferredRole")
    return {
        "groups": [str(g) for g in groups] if isinstance(groups, list) else None,
        "roles": [str(r) for r in roles] if isinstance(roles, list) else None,
        "preferred_role": preferred if isinstance(preferred, str) else None,
    }


def with_groups(claims: dict[str, Any], groups: list[str]) -> dict[str, Any]:
    """`claims` with `cognito:groups` set to `groups` right after `sub`, where Cognito's
    tokens carry it, or left out when `groups` is empty (a user in no group has no such
    claim)."""
    out: dict[str, Any] = {}
    for name, value in claims.items():
        if name == "cognito:groups":
            continue
        out[name] = value
        if name == "sub" and groups:
            out["cognito:groups"] = list(groups)
    return out


def _text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


@dataclass(slots=True)
class Session:
    """What a sign-in's refresh token carries into the tokens it later gets (REFRESH_TOKEN_AUTH):
    the sign-in's `origin_jti`, `event_id` and `auth_time`, and when the refresh token
    stops being accepted (ms)."""

    origin_jti: str
    event_id: str
    auth_time: int
    expires_ms: int


@dataclass(slots=True)
class Challenge:
    """A custom authentication sign-in waiting for its answer: the rounds so far (what
    DefineAuthChallenge gets as `session`), what createAuthChallenge answered, and when the
    session stops being accepted (ms)."""

    rounds: list[dict[str, Any]]
    public: dict[str, Any]
    private: dict[str, Any]
    metadata: str | None
    expires_ms: int


@dataclass(slots=True)
class User:
    """One user of a pool: its status as Cognito names it (UNCONFIRMED, CONFIRMED,
    FORCE_CHANGE_PASSWORD, RESET_REQUIRED), its attributes (strings), the claims of its last
    sign-in's ID and access tokens (None before one), its groups in the order it joined
    them, whether a ForgotPassword code is waiting, its refresh token's session, the custom
    authentication challenge it is to answer."""

    username: str
    sub: str
    status: str
    attributes: dict[str, str]
    password: str
    created_ms: int
    email_verified: bool = False
    phone_verified: bool = False
    claims: dict[str, Any] | None = None
    # The email or phone number it signs in with, in a pool whose usernames are one of
    # them (its username is then its sub); None elsewhere.
    alias: str | None = None
    groups: list[str] = field(default_factory=list)
    access_claims: dict[str, Any] | None = None
    reset_pending: bool = False
    session: Session | None = None
    challenge: Challenge | None = None
    # Made by SignUp (not AdminCreateUser or a migration).
    signed_up: bool = False

    def event_attributes(self) -> dict[str, str]:
        """The `userAttributes` a trigger gets for this user once it exists: for a user that
        signed itself up in a pool whose usernames are emails or phone numbers, the one it
        signs in with is also there as `cognito:email_alias` or `cognito:phone_number_alias`,
        as events captured from such pools carry it (those of administrators' users do
        not)."""
        attrs = {"sub": self.sub}
        if self.alias is not None and self.signed_up:
            login = "email" if self.attributes.get("email") == self.alias else "phone_number"
            attrs[f"cognito:{login}_alias"] = self.alias
        attrs.update(self.attributes)
        attrs["cognito:user_status"] = self.status
        if "email" in self.attributes:
            attrs["email_verified"] = "true" if self.email_verified else "false"
        if "phone_number" in self.attributes:
            attrs["phone_number_verified"] = "true" if self.phone_verified else "false"
        return attrs


def id_token_claims(
    user: User,
    issuer: str,
    client_id: str,
    now_s: int,
    ids: tuple[str, str, str],
    auth_s: int,
    lifetime_s: int,
) -> dict:
    """The claims of the ID token Cognito issues `user` at `now_s` (before any pre token
    generation hook): its identity, its groups, its attributes, the token's own fields.
    `ids` are the sign-in's `origin_jti` and `event_id` and the token's own `jti`: three
    distinct ids, as Cognito's tokens carry (the access token shares the first two).
    `auth_s` is when the user authenticated (`now_s` but for a refresh); the token expires
    `lifetime_s` after `now_s` (the pool's ID token validity)."""
    origin_jti, event_id, jti = ids
    claims: dict[str, Any] = {"sub": user.sub}
    if user.groups:
        claims["cognito:groups"] = list(user.groups)
    if "email" in user.attributes:
        claims["email_verified"] = user.email_verified
    if "phone_number" in user.attributes:
        claims["phone_number_verified"] = user.phone_verified
    claims.update(
        {
            "iss": issuer,
            "cognito:username": user.username,
            "origin_jti": origin_jti,
            "aud": client_id,
            "event_id": event_id,
            "token_use": "id",
            "auth_time": auth_s,
            "exp": now_s + lifetime_s,
            "iat": now_s,
            "jti": jti,
        }
    )
    for name, value in user.attributes.items():
        claims.setdefault(name, value)
    return claims


# The scope an access token from a user's own sign-in (InitiateAuth) carries.
SIGNIN_SCOPE = "aws.cognito.signin.user.admin"


def access_token_claims(
    user: User,
    issuer: str,
    client_id: str,
    now_s: int,
    ids: tuple[str, str, str],
    auth_s: int,
    lifetime_s: int,
) -> dict:
    """The claims of the access token issued with the ID token: no attributes, the
    `client_id` where the ID token has `aud`, the sign-in scope, the username last (in the
    order tokens captured from Cognito have them). `ids` as id_token_claims takes them;
    `lifetime_s` is the pool's access token validity."""
    origin_jti, event_id, jti = ids
    claims: dict[str, Any] = {"sub": user.sub}
    if user.groups:
        claims["cognito:groups"] = list(user.groups)
    claims.update(
        {
            "iss": issuer,
            "client_id": client_id,
            "origin_jti": origin_jti,
            "event_id": event_id,
            "token_use": "access",
            "scope": SIGNIN_SCOPE,
            "auth_time": auth_s,
            "exp": now_s + lifetime_s,
            "iat": now_s,
            "jti": jti,
            "username": user.username,
        }
    )
    return claims
