"""Cognito user pools: their users and groups, and the hooks (Lambda triggers) that
sign-ups, confirmations, administrators' invitations, sign-ins (password, refresh token,
custom challenges) and password resets run.

Each operation runs as Cognito runs it (stptui.sim.cognito has the events and the words):
its own checks first (a refusal there changes nothing and raises CognitoError), then each
hook in turn, on the clock: the operation's steps are a generator (a flow) that yields each
hook call, run to its end by a command, or carried on by the clock as each hook answers
when `repeat` starts it (detached). A hook that fails refuses the operation with
UserLambdaValidationException; one that does not answer within 5 s is called again, and
after three such attempts the operation fails with UnexpectedLambdaException. What a hook
answers (its event's `response`) changes what happens next: preSignUp auto-confirms and
auto-verifies, preTokenGeneration changes the ID token's claims.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stptui.config.model import UserAuthPool
from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.behavior import Outcome
from stptui.sim.clock import MAX_MS
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services import http_auth

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# Room a whole operation needs on the clock: at most four hooks, each up to three waits.
_ROOM_MS = 4 * cognito.HOOK_ATTEMPTS * cognito.HOOK_WAIT_MS


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
    users: dict[str, User] = field(default_factory=dict)
    # Groups by name (when each was made): made by their first member, as the config
    # cannot declare them.
    groups: dict[str, int] = field(default_factory=dict)


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


@dataclass(slots=True)
class _HookCall:
    """What an operation's flow yields to run a hook: the function, the hook and trigger
    source (for Cognito's words and the agenda), the event, the answer that collects the
    invocations."""

    function: str
    hook: str
    source: str
    event: dict[str, Any]
    answer: Answer


# An operation's steps after Cognito's own checks: a generator that yields each hook call
# and is sent its outcome (or thrown the _HookFailed that ends it). `_drive` runs it to the
# end on the clock (a command), or lets the clock run it (a detached one, under `repeat`).
_Flow = Generator[_HookCall, Outcome, Any]


class _HookFailed(Exception):
    """A hook refused the operation (carried to the operation's end)."""

    def __init__(self, hook: str, error: CognitoError) -> None:
        super().__init__(error.message)
        self.hook = hook
        self.error = error


class UserPoolService:
    """The stack's user pools and their users."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.pools: dict[str, Pool] = {}
        for res in sim.stack.of_type(UserAuthPool):
            hooks = {
                hook: ref.target for hook, ref in res.hooks.items() if ref.target in sim.functions
            }
            self.pools[res.name] = Pool(
                res.name,
                hooks,
                res.admins_only,
                cognito.policy_of(res.password_policy),
                res.verification,
                sim.resource_param(res.name, "id"),
                sim.resource_param(res.name, "clientId"),
                res.username_attributes,
                res.refresh_days,
            )

    # -- lookups -------------------------------------------------------------------------

    def pool(self, name: str | None) -> Pool:
        """The pool `name`, or the stack's only pool when `name` is None."""
        if name is None:
            if len(self.pools) == 1:
                return next(iter(self.pools.values()))
            raise CognitoError(
                "ResourceNotFoundException",
                f"name the user pool: this stack has {len(self.pools)}",
                f"one of: {', '.join(self.pools)}" if self.pools else "add a user-auth-pool",
            )
        found = self.pools.get(name)
        if found is None:
            from stptui.config.diagnostics import did_you_mean, with_article

            listing = (
                f"the stack's user pools: {', '.join(self.pools)}"
                if self.pools
                else "add a resource of type user-auth-pool"
            )
            other = self.sim.stack.resources.get(name)
            if other is not None:
                message = f"{name!r} is {with_article(other.type)}, not a user-auth-pool"
                raise CognitoError("ResourceNotFoundException", message, listing)
            guess = did_you_mean(name, list(self.pools))
            raise CognitoError(
                "ResourceNotFoundException",
                f"{name!r} is not a user-auth-pool of this stack",
                f"did you mean {guess!r}?" if guess else listing,
            )
        return found

    def find(self, pool: Pool, name: str) -> User | None:
        """The user `name` names: its username, or in a pool whose usernames are emails or
        phone numbers, the email or phone number it signed up with (as Cognito resolves
        them in ConfirmSignUp and InitiateAuth)."""
        found = pool.users.get(name)
        if found is not None or not pool.username_attributes:
            return found
        return next(
            (
                u
                for u in pool.users.values()
                if any(u.attributes.get(a) == name for a in pool.username_attributes)
            ),
            None,
        )

    def user(self, pool: Pool, username: str) -> User:
        """A user of `pool`, or Cognito's UserNotFoundException."""
        found = self.find(pool, username)
        if found is None:
            raise CognitoError(
                "UserNotFoundException",
                "User does not exist.",
                f"sign it up first: sign-up {pool.name} {username}",
            )
        return found

    # -- operations ----------------------------------------------------------------------

    def sign_up(
        self,
        pool_name: str,
        username: str,
        password: str | None,
        attributes: dict[str, str],
        *,
        detached: bool = False,
    ) -> Answer:
        """SignUp: PreSignUp_SignUp, the user (UNCONFIRMED unless the hook auto-confirms),
        CustomMessage_SignUp when a code is sent, PostConfirmation_ConfirmSignUp when the
        hook auto-confirmed."""
        pool = self.pool(pool_name)
        if pool.admins_only:
            raise CognitoError(
                "NotAuthorizedException",
                "SignUp is not permitted for this user pool.",
                f"allowOnlyAdminsToCreateAccount is set: admin-create-user {pool.name} {username}",
            )
        self._new_username(pool, username, "User already exists")
        alias, attributes = self._login(pool, username, attributes)
        password = self._password(pool, password, alias or username)
        self._room()
        if alias is not None:
            username = self.sim.new_id()
        answer = Answer(None, [], alias=alias)
        request = {"userAttributes": dict(attributes), "validationData": None}

        def flow() -> _Flow:
            response = yield from self._hook(
                pool, "preSignUp", "PreSignUp_SignUp", username, request, answer
            )
            self._still_new(pool, username, alias, "User already exists")
            confirmed = response.get("autoConfirmUser") is True
            user = User(
                username,
                username if alias is not None else self.sim.new_id(),
                "CONFIRMED" if confirmed else "UNCONFIRMED",
                dict(attributes),
                password,
                self.sim.clock.now,
                email_verified=response.get("autoVerifyEmail") is True and "email" in attributes,
                phone_verified=response.get("autoVerifyPhone") is True
                and "phone_number" in attributes,
                signed_up=True,
            )
            user.alias = alias
            pool.users[username] = user
            answer.user = user
            if not confirmed:
                answer.code_delivery = yield from self._send_code(
                    pool, user, "CustomMessage_SignUp", None, answer
                )
            self._emit(
                tk.USER_SIGNED_UP,
                pool,
                user,
                user_status=user.status,
                code_delivery=answer.code_delivery,
                invocation_ids=list(answer.invocation_ids),
            )
            if confirmed:
                yield from self._post_confirmation(pool, user, "PreSignUp", answer)

        self._drive(self._guarded(flow(), pool, "SignUp", username, answer), detached)
        return answer

    def confirm_sign_up(self, pool_name: str, username: str, *, detached: bool = False) -> Answer:
        """ConfirmSignUp with the code Cognito sent: CONFIRMED (the address the code went
        to verified), then PostConfirmation_ConfirmSignUp."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        if user.status != "UNCONFIRMED":
            raise CognitoError(
                "NotAuthorizedException",
                "User cannot confirm because user status is not UNCONFIRMED.",
                f"{username} is {user.status}",
            )
        self._room()
        answer = Answer(user, [])
        user.status = "CONFIRMED"
        if pool.verification.startswith("email") and "email" in user.attributes:
            user.email_verified = True
        elif pool.verification == "sms" and "phone_number" in user.attributes:
            user.phone_verified = True

        def flow() -> _Flow:
            yield from self._post_confirmation(pool, user, "ConfirmSignUp", answer)

        self._drive(self._guarded(flow(), pool, "ConfirmSignUp", username, answer), detached)
        return answer

    def admin_create_user(
        self, pool_name: str, username: str, attributes: dict[str, str], *, detached: bool = False
    ) -> Answer:
        """AdminCreateUser: PreSignUp_AdminCreateUser, the user in FORCE_CHANGE_PASSWORD
        with a temporary password (the answer's `temporary`), CustomMessage_AdminCreateUser
        for the invitation."""
        pool = self.pool(pool_name)
        self._new_username(pool, username, "User account already exists")
        alias, attributes = self._login(pool, username, attributes)
        self._room()
        if alias is not None:
            username = self.sim.new_id()
        answer = Answer(None, [], alias=alias)
        request = {"userAttributes": dict(attributes), "validationData": None}

        def flow() -> _Flow:
            # An administrator's user is never auto-confirmed: the hook's answer is not read.
            yield from self._hook(
                pool, "preSignUp", "PreSignUp_AdminCreateUser", username, request, answer
            )
            self._still_new(pool, username, alias, "User account already exists")
            sub = username if alias is not None else self.sim.new_id()
            answer.temporary = cognito.conforming_password(pool.policy, sub[:8])
            user = User(
                username,
                sub,
                "FORCE_CHANGE_PASSWORD",
                dict(attributes),
                answer.temporary,
                self.now,
            )
            user.alias = alias
            pool.users[username] = user
            answer.user = user
            answer.code_delivery = yield from self._send_code(
                pool, user, "CustomMessage_AdminCreateUser", cognito.USERNAME_PARAMETER, answer
            )
            self._emit(
                tk.USER_CREATED,
                pool,
                user,
                user_status=user.status,
                via="AdminCreateUser",
                code_delivery=answer.code_delivery,
                invocation_ids=list(answer.invocation_ids),
            )

        self._drive(self._guarded(flow(), pool, "AdminCreateUser", username, answer), detached)
        return answer

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

        def flow() -> _Flow:
            user = answer.user or (yield from self._migrate(pool, username, password, answer))
            answer.user = user
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
            if password is not None and password != user.password:
                raise _HookFailed(
                    "",
                    CognitoError("NotAuthorizedException", "Incorrect username or password."),
                )
            self._status_allows_sign_in(pool, user)
            source = "TokenGeneration_Authentication"
            if user.status == "FORCE_CHANGE_PASSWORD":
                if new_password is None:
                    answer.challenge = "NEW_PASSWORD_REQUIRED"
                    self._emit(
                        tk.USER_SIGNED_IN,
                        pool,
                        user,
                        challenge=answer.challenge,
                        claims_added=[],
                        claims_suppressed=[],
                        invocation_ids=list(answer.invocation_ids),
                        flow="USER_PASSWORD_AUTH",
                    )
                    return
                # RespondToAuthChallenge with the new password: the user is confirmed (no
                # post confirmation hook runs for it) and signs in.
                user.password = new_password
                user.status = "CONFIRMED"
                source = "TokenGeneration_NewPasswordChallenge"
            request = {"userAttributes": user.event_attributes(), "newDeviceUsed": False}
            yield from self._hook(
                pool,
                "postAuthentication",
                "PostAuthentication_Authentication",
                user.username,
                request,
                answer,
            )
            yield from self._issue_token(pool, user, source, answer)

        self._drive(self._guarded(flow(), pool, "InitiateAuth", username, answer), detached)
        return answer

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
                f"sign it up first: sign-up {pool.name} {username}",
            )
        if found is not None:
            self._check_recoverable(pool, found)
        self._room()
        answer = Answer(found, [], alias=username if found is None else None)

        def flow() -> _Flow:
            user = answer.user or (yield from self._migrate(pool, username, None, answer))
            answer.user = user
            if found is None:
                # A migrated user without a verified address has nowhere for the code to go.
                try:
                    self._check_recoverable(pool, user)
                except CognitoError as exc:
                    raise _HookFailed("", exc) from None
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
                f"sign it up first: sign-up {pool.name} {username}",
            )
        self._check_password(pool, new_password)
        if not user.reset_pending:
            raise CognitoError(
                "ExpiredCodeException",
                "Invalid code provided, please request a code again.",
                f"no code was sent: forgot-password {pool.name} {username}",
            )
        self._room()
        answer = Answer(user, [])
        user.password = new_password
        user.reset_pending = False
        if user.status == "RESET_REQUIRED":
            user.status = "CONFIRMED"

        def flow() -> _Flow:
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
                f"sign in with the temporary password and --new-password: sign-in {pool.name} "
                f"{user.alias or user.username} --new-password P",
            )
        if not user.email_verified and not user.phone_verified:
            hint = (
                f"confirm the user first: confirm-sign-up {pool.name} {user.alias or user.username}"
                if user.status == "UNCONFIRMED"
                else "the code goes to a verified email or phone number, and this user has none"
            )
            raise CognitoError(
                "InvalidParameterException",
                "Cannot reset password for the user as there is no registered/verified email "
                "or phone_number",
                hint,
            )

    def add_to_group(self, pool_name: str, username: str, group: str) -> User:
        """AdminAddUserToGroup (no hook runs): the group is made on its first member, as
        the config cannot declare groups (docs/fidelity.md); adding a member again changes
        nothing. The user's next tokens carry the group."""
        pool = self.pool(pool_name)
        _check_group_name(group)
        user = self.user(pool, username)
        pool.groups.setdefault(group, self.now)
        if group not in user.groups:
            user.groups.append(group)
        self._emit(tk.USER_ADDED_TO_GROUP, pool, user, group=group, groups=list(user.groups))
        return user

    def remove_from_group(self, pool_name: str, username: str, group: str) -> User:
        """AdminRemoveUserFromGroup (no hook runs): a group nobody was ever added to is
        Cognito's ResourceNotFoundException; removing a non-member changes nothing."""
        pool = self.pool(pool_name)
        _check_group_name(group)
        user = self.user(pool, username)
        if group not in pool.groups:
            raise CognitoError(
                "ResourceNotFoundException",
                "Group not found.",
                f"the pool's groups: {', '.join(pool.groups)}"
                if pool.groups
                else f"no groups yet: admin-add-user-to-group {pool.name} USER {group}",
            )
        if group in user.groups:
            user.groups.remove(group)
        self._emit(tk.USER_REMOVED_FROM_GROUP, pool, user, group=group, groups=list(user.groups))
        return user

    def refresh(self, pool_name: str, username: str, *, detached: bool = False) -> Answer:
        """InitiateAuth (REFRESH_TOKEN_AUTH) with the refresh token of the user's last
        sign-in: only the pre token generation hook runs (TokenGeneration_RefreshTokens);
        new ID and access tokens keep the sign-in's auth_time, origin_jti and event_id."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        session = user.session
        if session is None:
            raise CognitoError(
                "NotAuthorizedException",
                "Invalid Refresh Token",
                f"{username} has no refresh token: sign-in {pool.name} {username}",
            )
        if self.now >= session.expires_ms:
            raise CognitoError(
                "NotAuthorizedException",
                "Refresh Token has expired",
                f"the pool's refresh tokens last {pool.refresh_days} days: sign in again",
            )
        self._room()
        answer = Answer(user, [])

        def flow() -> _Flow:
            yield from self._issue_token(
                pool, user, "TokenGeneration_RefreshTokens", answer, "REFRESH_TOKEN_AUTH"
            )

        self._drive(self._guarded(flow(), pool, "InitiateAuth", username, answer), detached)
        return answer

    def custom_auth(self, pool_name: str, username: str, *, detached: bool = False) -> Answer:
        """InitiateAuth (CUSTOM_AUTH): PreAuthentication_Authentication, then
        DefineAuthChallenge_Authentication with an empty session, which issues tokens, fails
        the sign-in, or asks for CUSTOM_CHALLENGE (CreateAuthChallenge_Authentication makes
        it; answer_challenge answers it)."""
        pool = self.pool(pool_name)
        if "defineAuthChallenge" not in pool.hooks:
            raise CognitoError(
                "InvalidParameterException",
                "Custom auth lambda trigger is not configured for the user pool.",
                "set the pool's hooks.defineAuthChallenge (with createAuthChallenge and "
                "verifyAuthChallengeResponse), or sign in with the password flow",
            )
        user = self.user(pool, username)
        if user.status == "FORCE_CHANGE_PASSWORD":
            raise CognitoError(
                "NotAuthorizedException",
                "the custom authentication flow of a FORCE_CHANGE_PASSWORD user is not simulated",
                f"set its password first: sign-in {pool.name} {username} --new-password P",
            )
        self._room()
        answer = Answer(user, [])

        def flow() -> _Flow:
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
            self._status_allows_sign_in(pool, user)
            yield from self._define(pool, user, [], answer)

        self._drive(
            self._guarded(flow(), pool, "InitiateAuth", username, answer, forget_challenge=True),
            detached,
        )
        return answer

    def answer_challenge(
        self, pool_name: str, username: str, text: str, *, detached: bool = False
    ) -> Answer:
        """RespondToAuthChallenge (CUSTOM_CHALLENGE): VerifyAuthChallengeResponse_Authentication
        judges `text`, then DefineAuthChallenge_Authentication, its session one round
        longer, decides again."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        challenge = user.challenge
        if challenge is None:
            raise CognitoError(
                "NotAuthorizedException",
                "Invalid session for the user.",
                f"no challenge is waiting: sign-in {pool.name} {username} --custom",
            )
        if self.now >= challenge.expires_ms:
            raise CognitoError(
                "NotAuthorizedException",
                "Invalid session for the user, session is expired.",
                f"a challenge waits 3 minutes: sign-in {pool.name} {username} --custom",
            )
        self._room()
        answer = Answer(user, [])
        user.challenge = None

        def flow() -> _Flow:
            request = {
                "userAttributes": user.event_attributes(),
                "privateChallengeParameters": dict(challenge.private),
                "challengeAnswer": text,
                "userNotFound": False,
            }
            response = yield from self._hook(
                pool,
                "verifyAuthChallengeResponse",
                "VerifyAuthChallengeResponse_Authentication",
                user.username,
                request,
                answer,
            )
            correct = response.get("answerCorrect") is True
            self._emit(
                tk.USER_CHALLENGE_ANSWERED,
                pool,
                user,
                challenge=cognito.CUSTOM_CHALLENGE,
                answer_correct=correct,
                invocation_ids=list(answer.invocation_ids),
            )
            rounds = [
                *challenge.rounds,
                {
                    "challengeName": cognito.CUSTOM_CHALLENGE,
                    "challengeResult": correct,
                    "challengeMetadata": challenge.metadata,
                },
            ]
            yield from self._define(pool, user, rounds, answer)

        self._drive(
            self._guarded(
                flow(), pool, "RespondToAuthChallenge", username, answer, forget_challenge=True
            ),
            detached,
        )
        return answer

    def _define(
        self, pool: Pool, user: User, rounds: list[dict[str, Any]], answer: Answer
    ) -> _Flow:
        """DefineAuthChallenge on the rounds so far, and what it decides: tokens (after
        postAuthentication), a refusal, or the next CUSTOM_CHALLENGE from createAuthChallenge."""
        request = {
            "userAttributes": user.event_attributes(),
            "session": rounds,
            "userNotFound": False,
        }
        response = yield from self._hook(
            pool,
            "defineAuthChallenge",
            "DefineAuthChallenge_Authentication",
            user.username,
            request,
            answer,
        )
        if response.get("failAuthentication") is True:
            raise _HookFailed(
                "", CognitoError("NotAuthorizedException", "Incorrect username or password.")
            )
        if response.get("issueTokens") is True:
            request = {"userAttributes": user.event_attributes(), "newDeviceUsed": False}
            yield from self._hook(
                pool,
                "postAuthentication",
                "PostAuthentication_Authentication",
                user.username,
                request,
                answer,
            )
            yield from self._issue_token(
                pool, user, "TokenGeneration_Authentication", answer, "CUSTOM_AUTH"
            )
            return
        name = response.get("challengeName")
        if name != cognito.CUSTOM_CHALLENGE:
            raise _HookFailed(
                "defineAuthChallenge",
                CognitoError(
                    "InvalidLambdaResponseException",
                    "Unrecognizable lambda output",
                    "defineAuthChallenge must answer issueTokens: true, failAuthentication: "
                    "true or challengeName: CUSTOM_CHALLENGE (stptui runs no SRP challenge)",
                ),
            )
        if "createAuthChallenge" not in pool.hooks:
            raise _HookFailed(
                "defineAuthChallenge",
                CognitoError(
                    "InvalidLambdaResponseException",
                    "Create Auth Challenge lambda trigger is not configured for the user pool.",
                    "set the pool's hooks.createAuthChallenge",
                ),
            )
        request = {
            "userAttributes": user.event_attributes(),
            "challengeName": cognito.CUSTOM_CHALLENGE,
            "session": rounds,
            "userNotFound": False,
        }
        created = yield from self._hook(
            pool,
            "createAuthChallenge",
            "CreateAuthChallenge_Authentication",
            user.username,
            request,
            answer,
        )
        public = created.get("publicChallengeParameters")
        private = created.get("privateChallengeParameters")
        metadata = created.get("challengeMetadata")
        challenge = cognito.Challenge(
            rounds,
            public if isinstance(public, dict) else {},
            private if isinstance(private, dict) else {},
            metadata if isinstance(metadata, str) else None,
            self.now + cognito.AUTH_SESSION_MS,
        )
        user.challenge = challenge
        answer.challenge = cognito.CUSTOM_CHALLENGE
        answer.public = dict(challenge.public)
        self._emit(
            tk.USER_SIGNED_IN,
            pool,
            user,
            challenge=answer.challenge,
            claims_added=[],
            claims_suppressed=[],
            invocation_ids=list(answer.invocation_ids),
            flow="CUSTOM_AUTH",
        )

    def _status_allows_sign_in(self, pool: Pool, user: User) -> None:
        """Cognito's refusal of a sign-in by a user that is UNCONFIRMED or RESET_REQUIRED."""
        name = user.alias or user.username
        if user.status == "UNCONFIRMED":
            raise _HookFailed(
                "",
                CognitoError(
                    "UserNotConfirmedException",
                    "User is not confirmed.",
                    f"confirm-sign-up {pool.name} {name}",
                ),
            )
        if user.status == "RESET_REQUIRED":
            # A user the migration hook brought in with finalUserStatus RESET_REQUIRED
            # must reset its password before it can sign in.
            raise _HookFailed(
                "",
                CognitoError(
                    "PasswordResetRequiredException",
                    "Password reset required for the user",
                    f"reset it: forgot-password {pool.name} {name}, then confirm-forgot-password",
                ),
            )

    def token_claims(self, pool_name: str, username: str) -> tuple[Pool, dict[str, Any]]:
        """The claims of the ID token `username`'s last sign-in got (for `http --user`)."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        if user.claims is None:
            raise CognitoError(
                "NotAuthorizedException",
                f"{username} has not signed in, so it has no ID token",
                f"sign-in {pool.name} {username}",
            )
        return pool, dict(user.claims)

    # -- steps ---------------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The simulated time (ms)."""
        return self.sim.clock.now

    def _room(self) -> None:
        if self.now + _ROOM_MS > MAX_MS:
            raise CognitoError(
                "InternalErrorException",
                "the clock is too close to its end for the hooks to run",
                "start a session at an earlier time",
            )

    def _new_username(self, pool: Pool, username: str, message: str) -> None:
        if not username or len(username) > 128 or any(c.isspace() for c in username):
            raise CognitoError(
                "InvalidParameterException",
                "1 validation error detected: Value at 'username' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}"
                "\\p{S}\\p{N}\\p{P}]+",
                "a username of 1 to 128 characters without spaces",
            )
        if username in pool.users:
            raise CognitoError("UsernameExistsException", message, "choose another username")

    def _still_new(self, pool: Pool, username: str, alias: str | None, message: str) -> None:
        """After preSignUp: the username (or the email or phone number) may have been taken
        while the hook ran, by another sign-up the clock ran meanwhile (under `repeat`)."""
        if alias is not None and self.find(pool, alias) is not None:
            attr = cognito.login_attribute(pool.username_attributes, alias)
            message = f"An account with the given {attr} already exists."
        elif username not in pool.users:
            return
        raise _HookFailed("", CognitoError("UsernameExistsException", message))

    def _login(
        self, pool: Pool, username: str, attributes: dict[str, str]
    ) -> tuple[str | None, dict[str, str]]:
        """In a pool whose usernames are emails or phone numbers: the username given (the
        email or phone number the user signs in with) and the attributes with it written
        in, Cognito's refusals otherwise. (None, the attributes) in any other pool."""
        if not pool.username_attributes:
            return None, attributes
        attr = cognito.login_attribute(pool.username_attributes, username)
        given = attributes.get(attr)
        if given is not None and given != username:
            raise CognitoError(
                "InvalidParameterException",
                f"User {attr} should be empty or same as username, since username attribute "
                f"is {attr}",
                f"leave --attr {attr}=... out: the username is the user's {attr}",
            )
        if self.find(pool, username) is not None:
            raise CognitoError(
                "UsernameExistsException",
                f"An account with the given {attr} already exists.",
                f"sign in as it: sign-in {pool.name} {username}",
            )
        return username, {**attributes, attr: username}

    def _check_password(self, pool: Pool, password: str) -> None:
        problem = cognito.password_problem(pool.policy, password)
        if problem is not None:
            raise CognitoError(
                "InvalidPasswordException",
                problem,
                f"the pool's policy: {describe_policy(pool.policy)}",
            )

    def _password(self, pool: Pool, password: str | None, stem: str) -> str:
        if password is None:
            return cognito.conforming_password(pool.policy, stem)
        self._check_password(pool, password)
        return password

    def _hook(
        self,
        pool: Pool,
        hook: str,
        source: str,
        username: str,
        request: dict[str, Any],
        answer: Answer,
    ) -> _Flow:
        """Run a hook as Cognito does; the flow's value is its answer's `response` ({} when
        the pool has no such hook). Raises _HookFailed when it refuses."""
        function = pool.hooks.get(hook)
        if function is None:
            return {}
        client = cognito.ADMIN_CLIENT if source.endswith("AdminCreateUser") else pool.client_id
        event = cognito.trigger_event(
            source,
            self.sim.stack.region,
            pool.pool_id,
            client,
            username,
            request,
            cognito.empty_response(hook),
        )
        answer.hooks_run.append(hook)
        outcome = yield _HookCall(function, hook, source, event, answer)
        if outcome.status != "success":
            raise _HookFailed(hook, cognito.failed(hook, outcome.error_message))
        try:
            return cognito.hook_response(hook, outcome.response, event)
        except CognitoError as exc:
            raise _HookFailed(hook, exc) from None

    def _drive(self, flow: _Flow, detached: bool) -> None:
        """Run an operation's flow: to its end, the clock run until each hook answers (a
        command), or (`detached`, a repetition of `repeat`, which runs inside the clock)
        started now and carried on by the clock as each hook answers."""
        if detached:
            self._resume(flow, None, None)
            return
        outcome: Outcome | None = None
        failure: _HookFailed | None = None
        while True:
            try:
                call = flow.throw(failure) if failure is not None else flow.send(outcome)
            except StopIteration:
                return
            try:
                outcome, failure = self._call(call), None
            except _HookFailed as exc:
                outcome, failure = None, exc

    def _guarded(
        self,
        flow: _Flow,
        pool: Pool,
        operation: str,
        username: str,
        answer: Answer,
        *,
        forget_challenge: bool = False,
    ) -> _Flow:
        """`flow`, with a hook failure that ends it answered as Cognito's refusal of
        `operation` (`user.refused`); `forget_challenge` also drops the user's waiting
        challenge, as a failed custom authentication round ends its session."""
        try:
            yield from flow
        except _HookFailed as exc:
            if forget_challenge and answer.user is not None:
                answer.user.challenge = None
            self._refused(pool, operation, username, answer, exc)

    def _resume(self, flow: _Flow, outcome: Outcome | None, failure: _HookFailed | None) -> None:
        """A detached flow's next step: its next hook call is started, and the clock resumes
        the flow when the hook answers, or when Cognito stops waiting for it."""
        try:
            call = flow.throw(failure) if failure is not None else flow.send(outcome)
        except StopIteration:
            return
        self._start_call(call, lambda got, failed: self._resume(flow, got, failed), 1)

    def _call(self, call: _HookCall) -> Outcome:
        """Invoke the hook's function and run the clock until it answers, waiting 5 s per
        attempt."""
        from stptui.sim.engine import SimError

        clock = self.sim.clock
        for _ in range(cognito.HOOK_ATTEMPTS):
            got: list[Outcome] = []
            waited: list[bool] = []

            def done(outcome: Outcome, _inv: str, got: list[Outcome] = got) -> None:
                got.append(outcome)

            try:
                inv = self.sim.invoke_sync(
                    call.function, call.event, done, f"cognito:{call.source}"
                )
            except SimError as exc:
                raise _HookFailed(call.hook, _throttled(call.hook, exc)) from None
            call.answer.invocation_ids.append(inv)
            timer = clock.at(
                clock.now + cognito.HOOK_WAIT_MS,
                lambda _arg, waited=waited: waited.append(True),
                label=("cognito.wait", call.function, call.source),
            )
            while not got and not waited and clock.step():
                pass
            clock.cancel(timer)
            if got:
                return got[0]
        raise _HookFailed(call.hook, _timed_out(call.hook))

    def _start_call(
        self,
        call: _HookCall,
        then: Callable[[Outcome | None, _HookFailed | None], None],
        attempt: int,
    ) -> None:
        """Attempt `attempt` of a detached hook call: `then` gets the outcome when the hook
        answers within 5 s, or, after the last attempt, the _HookFailed. An answer after
        Cognito stopped waiting is not read (the invocation still runs to its end)."""
        from stptui.sim.engine import SimError

        clock = self.sim.clock
        got: list[Outcome] = []
        state: dict[str, Any] = {"over": False, "timer": None}

        def done(outcome: Outcome, _inv: str) -> None:
            if state["over"]:
                return
            if state["timer"] is None:
                # Answered within invoke_sync itself: taken up once the call is made.
                got.append(outcome)
                return
            state["over"] = True
            clock.cancel(state["timer"])
            then(outcome, None)

        def waited(_arg: object) -> None:
            if state["over"]:
                return
            state["over"] = True
            if attempt < cognito.HOOK_ATTEMPTS:
                self._start_call(call, then, attempt + 1)
            else:
                then(None, _HookFailed(call.hook, _timed_out(call.hook)))

        try:
            inv = self.sim.invoke_sync(call.function, call.event, done, f"cognito:{call.source}")
        except SimError as exc:
            then(None, _HookFailed(call.hook, _throttled(call.hook, exc)))
            return
        call.answer.invocation_ids.append(inv)
        if got:
            state["over"] = True
            then(got[0], None)
            return
        state["timer"] = clock.at(
            clock.now + cognito.HOOK_WAIT_MS,
            waited,
            label=("cognito.wait", call.function, call.source),
        )

    def _send_code(
        self,
        pool: Pool,
        user: User,
        source: str,
        username_parameter: str | None,
        answer: Answer,
    ) -> _Flow:
        """Where a code or an invitation goes (EMAIL, SMS, or None when the user has no
        address for it), after the custom message hook has written the message."""
        if pool.verification == "none" and source.endswith("SignUp"):
            return None
        medium = "SMS" if pool.verification == "sms" else "EMAIL"
        address = "phone_number" if medium == "SMS" else "email"
        if address not in user.attributes:
            return None
        request = {
            "userAttributes": user.event_attributes(),
            "codeParameter": cognito.CODE_PARAMETER,
            "linkParameter": cognito.LINK_PARAMETER,
            "usernameParameter": username_parameter,
        }
        yield from self._hook(pool, "customMessage", source, user.username, request, answer)
        return medium

    def _post_confirmation(
        self,
        pool: Pool,
        user: User,
        via: str,
        answer: Answer,
        source: str = "PostConfirmation_ConfirmSignUp",
        kind: str = tk.USER_CONFIRMED,
    ) -> _Flow:
        """The postConfirmation hook of a user just confirmed (or whose password was just
        reset: `source` PostConfirmation_ConfirmForgotPassword, `kind` user.password_reset),
        then its record with every invocation so far (so that `explain` reaches what the
        hook did). The user stays CONFIRMED when the hook fails (docs/fidelity.md)."""
        request = {"userAttributes": user.event_attributes()}
        try:
            yield from self._hook(pool, "postConfirmation", source, user.username, request, answer)
        finally:
            ids = list(answer.invocation_ids)
            self._emit(kind, pool, user, via=via, invocation_ids=ids)

    def _migrate(self, pool: Pool, username: str, password: str | None, answer: Answer) -> _Flow:
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
            raise _HookFailed(
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

    def _issue_token(
        self,
        pool: Pool,
        user: User,
        source: str,
        answer: Answer,
        flow: str = "USER_PASSWORD_AUTH",
    ) -> _Flow:
        """The pre token generation hook (`source` says why tokens are issued), then the ID
        and access tokens: a sign-in starts the refresh token's session, a refresh
        (`flow` REFRESH_TOKEN_AUTH) keeps its auth_time, origin_jti and event_id."""
        request = {
            "userAttributes": user.event_attributes(),
            "groupConfiguration": {
                "groupsToOverride": list(user.groups),
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
        }
        response = yield from self._hook(
            pool, "preTokenGeneration", source, user.username, request, answer
        )
        issuer = http_auth.issuer(self.sim.stack.region, pool.pool_id)
        now_s = self.now // 1000
        refresh = flow == "REFRESH_TOKEN_AUTH"
        session = user.session
        if not refresh or session is None:
            session = cognito.Session(
                self.sim.new_id(),
                self.sim.new_id(),
                now_s,
                self.now + pool.refresh_days * 86_400_000,
            )
            user.session = session
        ids = (session.origin_jti, session.event_id, self.sim.new_id())
        claims = cognito.id_token_claims(
            user, issuer, pool.client_id, now_s, ids, session.auth_time
        )
        access = cognito.access_token_claims(
            user,
            issuer,
            pool.client_id,
            now_s,
            (session.origin_jti, session.event_id, self.sim.new_id()),
            session.auth_time,
        )
        answer.claims_added, answer.claims_suppressed = cognito.apply_claims(claims, response)
        override = cognito.group_override(response)
        if override is not None:
            if override["groups"] is not None:
                # Reported as changed only when the hook's list is not the user's own.
                if override["groups"] != claims.get("cognito:groups", []):
                    answer.claims_added.append("cognito:groups")
                claims = cognito.with_groups(claims, override["groups"])
                access = cognito.with_groups(access, override["groups"])
            if override["roles"]:
                claims["cognito:roles"] = override["roles"]
                answer.claims_added.append("cognito:roles")
            if override["preferred_role"] is not None:
                claims["cognito:preferred_role"] = override["preferred_role"]
                answer.claims_added.append("cognito:preferred_role")
        user.claims = claims
        user.access_claims = access
        self._emit(
            tk.USER_SIGNED_IN,
            pool,
            user,
            challenge=None,
            claims_added=answer.claims_added,
            claims_suppressed=answer.claims_suppressed,
            invocation_ids=list(answer.invocation_ids),
            flow=flow,
        )

    def _refused(
        self, pool: Pool, operation: str, username: str, answer: Answer, exc: _HookFailed
    ) -> None:
        answer.error = exc.error
        answer.hook = exc.hook or None
        user = answer.user
        self.sim.trace.emit(
            (
                self.now,
                tk.USER_REFUSED,
                pool.name,
                {
                    "operation": operation,
                    "username": user.username if user else username,
                    "alias": user.alias if user else answer.alias,
                    "sub": answer.user.sub if answer.user else None,
                    "hook": answer.hook,
                    "error": exc.error.code,
                    "message": exc.error.message,
                    "invocation_ids": list(answer.invocation_ids),
                },
            )
        )

    def _emit(self, kind: str, pool: Pool, user: User, **data: Any) -> None:
        record = {"username": user.username, "alias": user.alias, "sub": user.sub, **data}
        self.sim.trace.emit((self.now, kind, pool.name, record))


def _throttled(hook: str, exc: Exception) -> CognitoError:
    """A hook Lambda would not start (its concurrency limit): Cognito's words for it."""
    reason = str(exc).partition(":")[0] or "TooManyRequestsException"
    return cognito.invocation_failed(hook, reason)


def _timed_out(hook: str) -> CognitoError:
    """A hook that did not answer within 5 s, three times."""
    return cognito.invocation_failed(hook, "Socket timeout while invoking Lambda function")


def _check_group_name(group: str) -> None:
    """Cognito's refusal of a group name outside 1 to 128 characters or with whitespace."""
    if not group or len(group) > 128 or any(c.isspace() for c in group):
        raise CognitoError(
            "InvalidParameterException",
            "1 validation error detected: Value at 'groupName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            "a group name of 1 to 128 characters without spaces",
        )


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


def wire(sim: Simulator) -> None:
    """Build the stack's user pools."""
    sim.services["user_pools"] = UserPoolService(sim)
