"""Users the userMigration hook brings in from another user store when a sign-in or a
forgotten password names a user the pool does not have."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
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
            {
                str(k): str(v)
                for k, v in attributes.items()
                if k not in ("email_verified", "phone_number_verified")
            },
            password or cognito.conforming_password(pool.policy, username),
            self.now,
            email_verified=attributes.get("email_verified") in (True, "true"),
            phone_verified=attributes.get("phone_number_verified") in (True, "true"),
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
