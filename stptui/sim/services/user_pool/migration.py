"""Users the userMigration hook brings in from another user store when a sign-in or a
forgotten password names a user the pool does not have."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services.user_pool import attributes as pool_attributes
from stptui.sim.services.user_pool.hooks import Flow, HookFailed
from stptui.sim.services.user_pool.pool import Answer, Pool

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class Migration(_Service):
    """UserMigration_Authentication and UserMigration_ForgotPassword."""

    def _migrate(self, pool: Pool, username: str, password: str | None, answer: Answer) -> Flow:
        """UserMigration_Authentication (with `password`) or UserMigration_ForgotPassword
        (`password` None): the hook's `userAttributes` make the user, or the operation
        fails. A sign-in's user takes its `finalUserStatus` (CONFIRMED by default); a
        forgotten password's is RESET_REQUIRED, its password to be set by the code."""
        if password is None:
            source = "UserMigration_ForgotPassword"
            request: dict[str, Any] = {"validationData": None}
        else:
            source = "UserMigration_Authentication"
            request = {"password": password, "validationData": None}
        response = yield from self._hook(pool, "userMigration", source, username, request, answer)
        attributes = response.get("userAttributes")
        if not isinstance(attributes, dict):
            raise HookFailed(
                "userMigration",
                CognitoError(
                    "UserNotFoundException",
                    "Exception migrating user in app client " + pool.client_id,
                    "the userMigration hook must answer with response.userAttributes",
                ),
            )
        given = {str(k): _text(v) for k, v in attributes.items()}
        self._check_migrated(pool, given)
        held, email_verified, phone_verified = pool_attributes.flags(given)
        status = response.get("finalUserStatus")
        sub = self.sim.new_id()
        alias = None
        if pool.username_attributes:
            # The username signed in with is the user's email or phone number; its own
            # username is its sub, as for a user who signed up.
            alias, username = username, sub
        if password is None:
            status = "RESET_REQUIRED"
        user = User(
            username,
            sub,
            status if status in ("CONFIRMED", "RESET_REQUIRED") else "CONFIRMED",
            held,
            password or cognito.conforming_password(pool.policy, username),
            self.now,
            email_verified=email_verified,
            phone_verified=phone_verified,
            alias=alias,
        )
        pool.users[username] = user
        self._emit(
            tk.USER_CREATED,
            pool,
            user,
            user_status=user.status,
            via="UserMigration",
            code_delivery=None,
            invocation_ids=list(answer.invocation_ids),
        )
        return user

    def _check_migrated(self, pool: Pool, attributes: dict[str, str]) -> None:
        """The hook's `userAttributes` as Cognito checks them before it makes the user: as
        AdminCreateUser's (the names the schema has, each value against its entry; no
        required attribute, and developer-only ones may be set: **a choice**, the hook is
        the developer's code), and `sub`, which is Cognito's (**our wording**). A refusal
        fails the sign-in or forgotten password with UserNotFoundException and Cognito's
        schema message (AWS re:Post, "How do I troubleshoot user migration Lambda trigger
        errors in Amazon Cognito?")."""
        try:
            if "sub" in attributes:
                raise CognitoError(
                    "InvalidParameterException",
                    "Attributes did not conform to the schema: sub: Attribute cannot be updated.",
                    "leave sub out of userAttributes: Cognito gives the migrated user its own",
                )
            pool_attributes.check_lengths(attributes)
            self._check_schema(pool, attributes, signing_up=False)
        except CognitoError as exc:
            raise HookFailed(
                "userMigration", CognitoError("UserNotFoundException", exc.message, exc.hint)
            ) from None


def _text(value: Any) -> str:
    """An attribute value the hook answered as Cognito reads it: text as it is, a JSON
    boolean or number as its JSON text (`true`, `12`; **a choice**: Cognito documents
    string values only)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
