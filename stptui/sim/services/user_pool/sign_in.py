"""Signing in with a password (InitiateAuth, USER_PASSWORD_AUTH): the pre and post
authentication hooks around the password check, the NEW_PASSWORD_REQUIRED challenge of an
administrator's user, and the refusals of a user who may not sign in yet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services.user_pool.hooks import Flow, HookFailed
from stptui.sim.services.user_pool.pool import Answer, Pool
from stptui.textsafe import typed_words

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class PasswordSignIn(_Service):
    """InitiateAuth with a username and password."""

    def sign_in(
        self,
        pool_name: str,
        username: str,
        password: str | None,
        new_password: str | None,
        *,
        detached: bool = False,
    ) -> Answer:
        """InitiateAuth (USER_PASSWORD_AUTH): UserMigration_Authentication for a user the
        pool does not have (when that hook is set), PreAuthentication_Authentication, the
        password, PostAuthentication_Authentication, then the pre token generation hook and
        the ID token. A user in FORCE_CHANGE_PASSWORD gets the NEW_PASSWORD_REQUIRED
        challenge, answered at once when `new_password` is given."""
        pool = self.pool(pool_name)
        found = self.find(pool, username)
        if found is None and "userMigration" not in pool.hooks:
            self.user(pool, username)
        if new_password is not None:
            self._check_password(pool, new_password)
        self._room()
        answer = Answer(found, [])

        def flow() -> Flow:
            user = answer.user or (yield from self._migrate(pool, username, password, answer))
            answer.user = user
            yield from self._pre_authentication(pool, user, answer)
            if password is not None and password != user.password:
                raise HookFailed(
                    "",
                    CognitoError("NotAuthorizedException", "Incorrect username or password."),
                )
            self._status_allows_sign_in(pool, user)
            source = "TokenGeneration_Authentication"
            if user.status == "FORCE_CHANGE_PASSWORD":
                if new_password is None:
                    self._challenged(
                        pool, user, answer, "NEW_PASSWORD_REQUIRED", "USER_PASSWORD_AUTH"
                    )
                    return
                # RespondToAuthChallenge with the new password: the user is confirmed (no
                # post confirmation hook runs for it) and signs in.
                user.password = new_password
                user.status = "CONFIRMED"
                source = "TokenGeneration_NewPasswordChallenge"
            yield from self._post_authentication(pool, user, answer)
            yield from self._issue_token(pool, user, source, answer)

        self._drive(self._guarded(flow(), pool, "InitiateAuth", username, answer), detached)
        return answer

    def _post_authentication(self, pool: Pool, user: User, answer: Answer) -> Flow:
        """The postAuthentication hook of a sign-in that is about to get its tokens."""
        request = {"userAttributes": user.event_attributes(), "newDeviceUsed": False}
        yield from self._hook(
            pool,
            "postAuthentication",
            "PostAuthentication_Authentication",
            user.username,
            request,
            answer,
        )

    def _challenged(
        self, pool: Pool, user: User, answer: Answer, challenge: str, flow: str
    ) -> None:
        """The sign-in ends in `challenge` for the user to answer: its record, no tokens."""
        answer.challenge = challenge
        self._emit(
            tk.USER_SIGNED_IN,
            pool,
            user,
            challenge=challenge,
            claims_added=[],
            claims_suppressed=[],
            invocation_ids=list(answer.invocation_ids),
            flow=flow,
        )

    def _pre_authentication(self, pool: Pool, user: User, answer: Answer) -> Flow:
        """The preAuthentication hook of a sign-in (by password or custom challenges)."""
        request = {
            "userAttributes": user.event_attributes(),
            "validationData": None,
            "userNotFound": False,
        }
        yield from self._hook(
            pool,
            "preAuthentication",
            "PreAuthentication_Authentication",
            user.username,
            request,
            answer,
        )

    def _status_allows_sign_in(self, pool: Pool, user: User) -> None:
        """Cognito's refusal of a sign-in by a user that is UNCONFIRMED or RESET_REQUIRED."""
        name = user.alias or user.username
        if user.status == "UNCONFIRMED":
            raise HookFailed(
                "",
                CognitoError(
                    "UserNotConfirmedException",
                    "User is not confirmed.",
                    f"confirm-sign-up {typed_words(pool.name, name)}",
                ),
            )
        if user.status == "RESET_REQUIRED":
            # A user the migration hook brought in with finalUserStatus RESET_REQUIRED
            # must reset its password before it can sign in.
            raise HookFailed(
                "",
                CognitoError(
                    "PasswordResetRequiredException",
                    "Password reset required for the user",
                    f"reset it: forgot-password {typed_words(pool.name, name)}, "
                    "then confirm-forgot-password",
                ),
            )
