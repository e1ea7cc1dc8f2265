"""Users made by signing up (SignUp, ConfirmSignUp) or by an administrator's invitation
(AdminCreateUser), the code or invitation Cognito sends them, the post confirmation hook, and
the checks a new username or password passes first.

preSignUp's answer auto-confirms and auto-verifies a user who signs up; an administrator's
user is never auto-confirmed. In a pool whose usernames are emails or phone numbers, the
user's username is its sub and the address it signed up with its alias.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services.user_pool import attributes as pool_attributes
from stptui.sim.services.user_pool.hooks import Flow, HookFailed
from stptui.sim.services.user_pool.pool import Answer, Pool
from stptui.textsafe import typed_words

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class Accounts(_Service):
    """SignUp, ConfirmSignUp and AdminCreateUser, and the steps they share with the other
    operations (the code sent, the post confirmation hook, the password policy)."""

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
                "allowOnlyAdminsToCreateAccount is set: "
                f"admin-create-user {typed_words(pool.name, username)}",
            )
        self._new_username(pool, username, "User already exists")
        alias, attributes = self._login(pool, username, attributes)
        self._check_attributes(pool, attributes, signing_up=True)
        password = self._password(pool, password, alias or username)
        self._room()
        if alias is not None:
            username = self.sim.new_id()
        answer = Answer(None, [], alias=alias)
        request = {"userAttributes": dict(attributes), "validationData": None}

        def flow() -> Flow:
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

        def flow() -> Flow:
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
        self._check_attributes(pool, attributes, signing_up=False)
        self._room()
        if alias is not None:
            username = self.sim.new_id()
        answer = Answer(None, [], alias=alias)
        request = {"userAttributes": dict(attributes), "validationData": None}

        def flow() -> Flow:
            # An administrator's user is never auto-confirmed: the hook's answer is not read.
            yield from self._hook(
                pool, "preSignUp", "PreSignUp_AdminCreateUser", username, request, answer
            )
            self._still_new(pool, username, alias, "User account already exists")
            sub = username if alias is not None else self.sim.new_id()
            answer.temporary = cognito.conforming_password(pool.policy, sub[:8])
            # An administrator may mark the address verified (AdminCreateUser's
            # UserAttributes: "email_verified ... True").
            held, email_verified, phone_verified = pool_attributes.flags(attributes)
            user = User(
                username,
                sub,
                "FORCE_CHANGE_PASSWORD",
                held,
                answer.temporary,
                self.now,
                email_verified=email_verified and "email" in held,
                phone_verified=phone_verified and "phone_number" in held,
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

    def _send_code(
        self,
        pool: Pool,
        user: User,
        source: str,
        username_parameter: str | None,
        answer: Answer,
    ) -> Flow:
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
    ) -> Flow:
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

    def _new_username(self, pool: Pool, username: str, message: str) -> None:
        """Cognito's refusals of a new username: outside its pattern, or one the pool has
        (`message` is the operation's words for that)."""
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

    def _check_attributes(
        self, pool: Pool, attributes: dict[str, str], *, signing_up: bool
    ) -> None:
        """Cognito's refusals of a new user's attributes, in its order: a value over 2048
        characters (request validation); on SignUp, a verification flag or a developer-only
        attribute (neither is an app client's to write); then one InvalidParameterException
        naming each attribute the schema does not have or whose value its entry refuses, and
        on SignUp each required one left out (AdminCreateUser may leave them out)."""
        pool_attributes.check_lengths(attributes)
        if signing_up and (flag := next(iter(pool_attributes.flag_names(attributes)), None)):
            # An app client writes the standard attributes, not the flags (WriteAttributes'
            # default; Stacktape sets none), and SignUp is an app client's call.
            answer = "autoVerifyEmail" if flag == "email_verified" else "autoVerifyPhone"
            raise CognitoError(
                "NotAuthorizedException",
                "A client attempted to write unauthorized attribute",
                f"{flag} is Cognito's to set: confirm-sign-up verifies the address the code "
                f"went to, preSignUp's {answer} the one signed up with; an administrator sets "
                f"it, e.g. admin-create-user {typed_words(pool.name, 'NAME')} "
                f"--attr {flag}=true",
            )
        if signing_up and (dev := pool_attributes.developer_only(pool, attributes)):
            raise CognitoError(
                "NotAuthorizedException",
                "A client attempted to write unauthorized attribute",
                f"{dev[0]} is developer-only (developerOnlyAttribute): an administrator sets "
                f"it, e.g. admin-create-user {typed_words(pool.name, 'NAME')} "
                f"--attr {typed_words(dev[0] + '=...')}",
            )
        self._check_schema(pool, attributes, signing_up=signing_up)

    def _check_schema(self, pool: Pool, attributes: dict[str, str], *, signing_up: bool) -> None:
        """Cognito's refusal of attributes that do not conform to the pool's schema: a name
        that is neither a standard attribute nor a custom one its `schema` declares, a
        value its entry refuses, a required attribute SignUp leaves out."""
        unknown = pool_attributes.unknown_names(pool, attributes)
        problems = [f"{name}: Attribute does not exist in the schema." for name in unknown]
        values = pool_attributes.value_problems(pool, attributes)
        missing = pool_attributes.missing_required(pool, attributes) if signing_up else []
        if not (problems or values or missing):
            return
        if unknown:
            hint = self._unknown_hint(pool, unknown)
        elif values:
            hint = pool_attributes.describe(pool, values[0].split(": ", 1)[0])
        else:
            hint = (
                f"{pool.name}'s schema requires {', '.join(pool.required_attributes)}: "
                f"--attr {missing[0].split(':', 1)[0]}=..."
            )
        # Cognito ends each attribute's complaint with a line break; one line here.
        raise CognitoError(
            "InvalidParameterException",
            f"Attributes did not conform to the schema: {' '.join(problems + values + missing)}",
            hint,
        )

    def _unknown_hint(self, pool: Pool, unknown: list[str]) -> str:
        """The hint for attributes the pool does not have: the custom ones it declares."""
        if pool.custom_attributes:
            hint = f"{pool.name} declares {', '.join(pool.custom_attributes)}"
        else:
            hint = (
                f"{pool.name} declares no custom attributes: add one to its schema, e.g. "
                "schema: [{name: plan, attributeDataType: String}]"
            )
        bare = next((name for name in unknown if not name.startswith("custom:")), None)
        if bare is not None:
            hint += f"; a custom attribute's name starts with custom: (custom:{bare})"
        return hint

    def _still_new(self, pool: Pool, username: str, alias: str | None, message: str) -> None:
        """After preSignUp: the username (or the email or phone number) may have been taken
        while the hook ran, by another sign-up the clock ran meanwhile (under `repeat`)."""
        if alias is not None and self.find(pool, alias) is not None:
            attr = cognito.login_attribute(pool.username_attributes, alias)
            message = f"An account with the given {attr} already exists."
        elif username not in pool.users:
            return
        raise HookFailed("", CognitoError("UsernameExistsException", message))

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
                f"sign in as it: sign-in {typed_words(pool.name, username)}",
            )
        return username, {**attributes, attr: username}

    def _check_password(self, pool: Pool, password: str) -> None:
        """Cognito's InvalidPasswordException for a password the pool's policy refuses."""
        problem = cognito.password_problem(pool.policy, password)
        if problem is not None:
            raise CognitoError(
                "InvalidPasswordException",
                problem,
                f"the pool's policy: {cognito.describe_policy(pool.policy)}",
            )

    def _password(self, pool: Pool, password: str | None, stem: str) -> str:
        """A new user's password: `password` once the policy accepts it, or, when none is
        given, one made from `stem` that the policy accepts."""
        if password is None:
            return cognito.conforming_password(pool.policy, stem)
        self._check_password(pool, password)
        return password
