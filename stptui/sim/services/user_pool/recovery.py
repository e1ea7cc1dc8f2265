"""Password recovery: ForgotPassword sends a code (after the custom message hook) to the
user's verified email, else its verified phone number; ConfirmForgotPassword sets the new
password and runs the post confirmation hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services.user_pool.hooks import Flow, HookFailed
from stptui.sim.services.user_pool.pool import Answer, Pool
from stptui.textsafe import typed_words

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class Recovery(_Service):
    """ForgotPassword and ConfirmForgotPassword."""

    def forgot_password(self, pool_name: str, username: str, *, detached: bool = False) -> Answer:
        """ForgotPassword: UserMigration_ForgotPassword for a user the pool does not have
        (when that hook is set), then CustomMessage_ForgotPassword and the code, sent to the
        user's verified email, else its verified phone number (the recovery order Stacktape's
        AccountRecoverySetting gives). The user's status does not change;
        ConfirmForgotPassword takes the code."""
        pool = self.pool(pool_name)
        found = self.find(pool, username)
        if found is None and "userMigration" not in pool.hooks:
            raise CognitoError(
                "UserNotFoundException",
                "Username/client id combination not found.",
                f"sign it up first: sign-up {typed_words(pool.name, username)}",
            )
        if found is not None:
            self._check_recoverable(pool, found)
        self._room()
        answer = Answer(found, [], alias=username if found is None else None)

        def flow() -> Flow:
            user = answer.user or (yield from self._migrate(pool, username, None, answer))
            answer.user = user
            if found is None:
                # A migrated user without a verified address has nowhere for the code to go.
                try:
                    self._check_recoverable(pool, user)
                except CognitoError as exc:
                    raise HookFailed("", exc) from None
            # Stacktape's AccountRecoverySetting: verified_email first, then
            # verified_phone_number.
            medium = "EMAIL" if user.email_verified else "SMS"
            request = {
                "userAttributes": user.event_attributes(),
                "codeParameter": cognito.CODE_PARAMETER,
                "linkParameter": cognito.LINK_PARAMETER,
                "usernameParameter": None,
            }
            yield from self._hook(
                pool,
                "customMessage",
                "CustomMessage_ForgotPassword",
                user.username,
                request,
                answer,
            )
            user.reset_pending = True
            answer.code_delivery = medium
            self._emit(
                tk.USER_FORGOT_PASSWORD,
                pool,
                user,
                user_status=user.status,
                code_delivery=medium,
                invocation_ids=list(answer.invocation_ids),
            )

        self._drive(self._guarded(flow(), pool, "ForgotPassword", username, answer), detached)
        return answer

    def confirm_forgot_password(
        self, pool_name: str, username: str, new_password: str, *, detached: bool = False
    ) -> Answer:
        """ConfirmForgotPassword with the code ForgotPassword sent: the new password (the
        pool's policy first), RESET_REQUIRED becomes CONFIRMED, then
        PostConfirmation_ConfirmForgotPassword."""
        pool = self.pool(pool_name)
        user = self.find(pool, username)
        if user is None:
            raise CognitoError(
                "UserNotFoundException",
                "Username/client id combination not found.",
                f"sign it up first: sign-up {typed_words(pool.name, username)}",
            )
        self._check_password(pool, new_password)
        if not user.reset_pending:
            raise CognitoError(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
                f"no code was sent: forgot-password {typed_words(pool.name, username)}",
            )
        self._room()
        answer = Answer(user, [])
        user.password = new_password
        user.reset_pending = False
        if user.status == "RESET_REQUIRED":
            user.status = "CONFIRMED"

        def flow() -> Flow:
            yield from self._post_confirmation(
                pool,
                user,
                "ConfirmForgotPassword",
                answer,
                "PostConfirmation_ConfirmForgotPassword",
                tk.USER_PASSWORD_RESET,
            )

        self._drive(
            self._guarded(flow(), pool, "ConfirmForgotPassword", username, answer), detached
        )
        return answer

    def _check_recoverable(self, pool: Pool, user: User) -> None:
        """Cognito's refusals of ForgotPassword for a user it cannot send a code to: one
        whose temporary password is still to be changed, one without a verified address."""
        if user.status == "FORCE_CHANGE_PASSWORD":
            raise CognitoError(
                "NotAuthorizedException",
                "User password cannot be reset in the current state.",
                "sign in with the temporary password and --new-password: "
                f"sign-in {typed_words(pool.name, user.alias or user.username)} --new-password P",
            )
        if not user.email_verified and not user.phone_verified:
            hint = (
                "confirm the user first: "
                f"confirm-sign-up {typed_words(pool.name, user.alias or user.username)}"
                if user.status == "UNCONFIRMED"
                else "the code goes to a verified email or phone number, and this user has none"
            )
            raise CognitoError(
                "InvalidParameterException",
                "Cannot reset password for the user as there is no registered/verified email "
                "or phone_number",
                hint,
            )
