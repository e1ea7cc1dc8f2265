"""A simulated user pool (its hooks, password policy, users and groups) and what an operation
on it answers (the user, Cognito's refusal, the hooks that ran, a challenge, the claims a
hook changed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stptui.config.model import UserAttributeRule
from stptui.sim.cognito import CognitoError, User


@dataclass(slots=True)
class Pool:
    """A simulated user pool: its hooks (hook name -> function), its policy and users."""

    name: str
    hooks: dict[str, str]
    admins_only: bool
    policy: dict[str, Any]
    verification: str
    pool_id: str
    client_id: str
    # UsernameAttributes: empty, or the attributes (`email`, `phone_number`) users sign up
    # and sign in with, their username then a generated UUID (their sub).
    username_attributes: tuple[str, ...] = ()
    # How long a sign-in's refresh token is accepted: `refreshTokenValidityDays`, else
    # Cognito's default of 30 days.
    refresh_days: int = 30
    # How long its access and ID tokens last (s): `accessTokenValiditySeconds` and
    # `idTokenValiditySeconds`, which Cognito reads as hours, else an hour.
    access_token_s: int = 3600
    id_token_s: int = 3600
    # The `custom:NAME` (and `dev:custom:NAME`) attributes its `schema` declares: the only
    # custom ones users take; what each schema entry says of its values; the standard
    # attributes its schema makes required (of SignUp).
    custom_attributes: tuple[str, ...] = ()
    attribute_rules: dict[str, UserAttributeRule] = field(default_factory=dict)
    required_attributes: tuple[str, ...] = ()
    users: dict[str, User] = field(default_factory=dict)
    # Groups by name (when each was made): made by their first member, as the config
    # cannot declare them.
    groups: dict[str, int] = field(default_factory=dict)
    # Every refresh token a sign-in issued, by its `origin_jti` (the id its ID and access
    # tokens carry), to its user's username: a global sign-out revokes all of a user's.
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    # The refresh tokens revoked, by `origin_jti`: with them every token they issued.
    revoked: dict[str, Revocation] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Revocation:
    """When a refresh token was revoked (ms) and by which operation (GlobalSignOut,
    AdminUserGlobalSignOut, RevokeToken)."""

    at_ms: int
    operation: str


@dataclass(slots=True)
class Answer:
    """What an operation did: the user (None when none was made), whether it was refused
    (`error`: Cognito's exception name and message; `hook`: the hook that refused), the
    hooks' invocations, the code's delivery medium, a challenge, the claims changed."""

    user: User | None
    invocation_ids: list[str]
    error: CognitoError | None = None
    hook: str | None = None
    code_delivery: str | None = None
    challenge: str | None = None
    claims_added: list[str] = field(default_factory=list)
    claims_suppressed: list[str] = field(default_factory=list)
    hooks_run: list[str] = field(default_factory=list)
    # The email or phone number the user was named by, where usernames are one of them.
    alias: str | None = None
    # A custom challenge's publicChallengeParameters (what the client shows the user).
    public: dict[str, Any] | None = None
    # AdminCreateUser's temporary password ("" until the user is made).
    temporary: str = ""
