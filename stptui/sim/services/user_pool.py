"""Cognito user pools: their users, and the hooks (Lambda triggers) that sign-ups,
confirmations, administrators' invitations and sign-ins run.

Each operation runs as Cognito runs it (stptui.sim.cognito has the events and the words):
its own checks first (a refusal there changes nothing and raises CognitoError), then each
hook in turn, synchronously, on the clock. A hook that fails refuses the operation with
UserLambdaValidationException; one that does not answer within 5 s is called again, and
after three such attempts the operation fails with UnexpectedLambdaException. What a hook
answers (its event's `response`) changes what happens next: preSignUp auto-confirms and
auto-verifies, preTokenGeneration changes the ID token's claims.
"""

from __future__ import annotations

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
    users: dict[str, User] = field(default_factory=dict)


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
        self, pool_name: str, username: str, password: str | None, attributes: dict[str, str]
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
        try:
            response = self._hook(pool, "preSignUp", "PreSignUp_SignUp", username, request, answer)
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
            )
            user.alias = alias
            pool.users[username] = user
            answer.user = user
            if not confirmed:
                answer.code_delivery = self._send_code(
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
                self._post_confirmation(pool, user, "PreSignUp", answer)
        except _HookFailed as exc:
            self._refused(pool, "SignUp", username, answer, exc)
        return answer

    def confirm_sign_up(self, pool_name: str, username: str) -> Answer:
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
        try:
            self._post_confirmation(pool, user, "ConfirmSignUp", answer)
        except _HookFailed as exc:
            self._refused(pool, "ConfirmSignUp", username, answer, exc)
        return answer

    def admin_create_user(
        self, pool_name: str, username: str, attributes: dict[str, str]
    ) -> tuple[Answer, str]:
        """AdminCreateUser: PreSignUp_AdminCreateUser, the user in FORCE_CHANGE_PASSWORD
        with a temporary password, CustomMessage_AdminCreateUser for the invitation.
        Returns the answer and the temporary password."""
        pool = self.pool(pool_name)
        self._new_username(pool, username, "User account already exists")
        alias, attributes = self._login(pool, username, attributes)
        self._room()
        if alias is not None:
            username = self.sim.new_id()
        answer = Answer(None, [], alias=alias)
        request = {"userAttributes": dict(attributes), "validationData": None}
        temporary = ""
        try:
            # An administrator's user is never auto-confirmed: the hook's answer is not read.
            self._hook(pool, "preSignUp", "PreSignUp_AdminCreateUser", username, request, answer)
            sub = username if alias is not None else self.sim.new_id()
            temporary = cognito.conforming_password(pool.policy, sub[:8])
            user = User(
                username, sub, "FORCE_CHANGE_PASSWORD", dict(attributes), temporary, self.now
            )
            user.alias = alias
            pool.users[username] = user
            answer.user = user
            answer.code_delivery = self._send_code(
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
        except _HookFailed as exc:
            self._refused(pool, "AdminCreateUser", username, answer, exc)
        return answer, temporary

    def sign_in(
        self, pool_name: str, username: str, password: str | None, new_password: str | None
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
        try:
            user = answer.user or self._migrate(pool, username, password, answer)
            answer.user = user
            username = user.username
            request = {
                "userAttributes": user.event_attributes(),
                "validationData": None,
                "userNotFound": False,
            }
            self._hook(
                pool,
                "preAuthentication",
                "PreAuthentication_Authentication",
                username,
                request,
                answer,
            )
            if password is not None and password != user.password:
                raise _HookFailed(
                    "", CognitoError("NotAuthorizedException", "Incorrect username or password.")
                )
            if user.status == "UNCONFIRMED":
                raise _HookFailed(
                    "",
                    CognitoError(
                        "UserNotConfirmedException",
                        "User is not confirmed.",
                        f"confirm-sign-up {pool.name} {user.alias or username}",
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
                        "the user must reset its password (ForgotPassword), which stptui "
                        "does not simulate",
                    ),
                )
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
                    )
                    return answer
                # RespondToAuthChallenge with the new password: the user is confirmed (no
                # post confirmation hook runs for it) and signs in.
                user.password = new_password
                user.status = "CONFIRMED"
                source = "TokenGeneration_NewPasswordChallenge"
            request = {"userAttributes": user.event_attributes(), "newDeviceUsed": False}
            self._hook(
                pool,
                "postAuthentication",
                "PostAuthentication_Authentication",
                username,
                request,
                answer,
            )
            self._issue_token(pool, user, source, answer)
        except _HookFailed as exc:
            self._refused(pool, "InitiateAuth", username, answer, exc)
        return answer

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
    ) -> dict[str, Any]:
        """Run a hook as Cognito does and return its answer's `response` ({} when the pool
        has no such hook); raise _HookFailed when it refuses."""
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
        outcome = self._call(function, hook, source, event, answer)
        if outcome.status != "success":
            raise _HookFailed(hook, cognito.failed(hook, outcome.error_message))
        try:
            return cognito.hook_response(hook, outcome.response, event)
        except CognitoError as exc:
            raise _HookFailed(hook, exc) from None

    def _call(
        self, function: str, hook: str, source: str, event: dict[str, Any], answer: Answer
    ) -> Outcome:
        """Invoke `function` and run the clock until it answers, waiting 5 s per attempt."""
        from stptui.sim.engine import SimError

        clock = self.sim.clock
        for _ in range(cognito.HOOK_ATTEMPTS):
            got: list[Outcome] = []
            waited: list[bool] = []

            def done(outcome: Outcome, _inv: str, got: list[Outcome] = got) -> None:
                got.append(outcome)

            try:
                inv = self.sim.invoke_sync(function, event, done, f"cognito:{source}")
            except SimError as exc:
                reason = str(exc).partition(":")[0] or "TooManyRequestsException"
                raise _HookFailed(hook, cognito.invocation_failed(hook, reason)) from None
            answer.invocation_ids.append(inv)
            timer = clock.at(
                clock.now + cognito.HOOK_WAIT_MS,
                lambda _arg, waited=waited: waited.append(True),
                label=("cognito.wait", function, source),
            )
            while not got and not waited and clock.step():
                pass
            clock.cancel(timer)
            if got:
                return got[0]
        raise _HookFailed(
            hook,
            cognito.invocation_failed(hook, "Socket timeout while invoking Lambda function"),
        )

    def _send_code(
        self,
        pool: Pool,
        user: User,
        source: str,
        username_parameter: str | None,
        answer: Answer,
    ) -> str | None:
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
        self._hook(pool, "customMessage", source, user.username, request, answer)
        return medium

    def _post_confirmation(self, pool: Pool, user: User, via: str, answer: Answer) -> None:
        """The postConfirmation hook of a user just confirmed, then the user.confirmed
        record with every invocation so far (so that `explain` reaches what the hook did).
        The user stays CONFIRMED when the hook fails (docs/fidelity.md)."""
        request = {"userAttributes": user.event_attributes()}
        try:
            self._hook(
                pool,
                "postConfirmation",
                "PostConfirmation_ConfirmSignUp",
                user.username,
                request,
                answer,
            )
        finally:
            ids = list(answer.invocation_ids)
            self._emit(tk.USER_CONFIRMED, pool, user, via=via, invocation_ids=ids)

    def _migrate(self, pool: Pool, username: str, password: str | None, answer: Answer) -> User:
        """UserMigration_Authentication: the hook's `userAttributes` make the user (its
        `finalUserStatus`, CONFIRMED by default), or the sign-in fails."""
        request = {"password": password or "", "validationData": None}
        response = self._hook(
            pool, "userMigration", "UserMigration_Authentication", username, request, answer
        )
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
        user = User(
            username,
            sub,
            status if status in ("CONFIRMED", "RESET_REQUIRED") else "CONFIRMED",
            {str(k): str(v) for k, v in attributes.items()},
            password or cognito.conforming_password(pool.policy, username),
            self.now,
            email_verified=attributes.get("email_verified") in (True, "true"),
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

    def _issue_token(self, pool: Pool, user: User, source: str, answer: Answer) -> None:
        request = {
            "userAttributes": user.event_attributes(),
            "groupConfiguration": {
                "groupsToOverride": [],
                "iamRolesToOverride": [],
                "preferredRole": None,
            },
        }
        response = self._hook(pool, "preTokenGeneration", source, user.username, request, answer)
        issuer = http_auth.issuer(self.sim.stack.region, pool.pool_id)
        ids = (self.sim.new_id(), self.sim.new_id(), self.sim.new_id())
        claims = cognito.id_token_claims(user, issuer, pool.client_id, self.now // 1000, ids)
        answer.claims_added, answer.claims_suppressed = cognito.apply_claims(claims, response)
        user.claims = claims
        self._emit(
            tk.USER_SIGNED_IN,
            pool,
            user,
            challenge=None,
            claims_added=answer.claims_added,
            claims_suppressed=answer.claims_suppressed,
            invocation_ids=list(answer.invocation_ids),
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
