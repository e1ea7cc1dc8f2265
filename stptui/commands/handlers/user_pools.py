"""Commands for the stack's Cognito user pools: sign a user up, confirm it, create one as an
administrator, sign one in or refresh its tokens, reset a forgotten password (each running
the pool's hooks), put users in groups, sign users out and revoke their tokens, and list a
pool's users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from stptui.commands.handlers.base import command, now_line
from stptui.commands.registry import (
    FLAG,
    KEY_VALUE,
    POOL_GROUP,
    POOL_USER,
    USER_POOL,
    WORD,
    Arg,
    Call,
    CommandError,
    Option,
)
from stptui.commands.result import CommandResult
from stptui.commands.session import Session
from stptui.sim.cognito import CognitoError, User, describe_policy
from stptui.sim.engine import Simulator
from stptui.sim.services.user_pool import UserPoolService
from stptui.sim.services.user_pool.pool import Answer
from stptui.textsafe import json_text, printable, quote_word, typed_words

_T = TypeVar("_T")


def _service(sim: Simulator) -> UserPoolService:
    return sim.services["user_pools"]


def _cognito(fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Call a user pool operation, turning Cognito's refusal before any hook ran into a
    CommandError (nothing has changed then)."""
    try:
        return fn(*args, **kwargs)
    except CognitoError as exc:
        raise CommandError(f"{exc.code}: {exc.message}", exc.hint, word=exc.word) from None


def _attributes(pairs: list[str]) -> dict[str, str]:
    """`--attr NAME=VALUE` words as a user's attributes (the last of a name wins)."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name:
            raise CommandError(
                f"--attr needs NAME=VALUE, not {printable(pair)!r}",
                "e.g. --attr email=ann@example.com --attr name=Ann",
            )
        if name in ("sub", "cognito:user_status"):
            raise CommandError(
                f"{name} is Cognito's own attribute; a user cannot set it",
                "leave it out: Cognito gives every user a sub",
            )
        out[name] = value
    return out


def _answer_lines(sim: Simulator, answer: Answer, ok: str, started: int) -> list[str]:
    """The answer's first line (what happened, or Cognito's refusal), the hooks that ran."""
    if answer.error is not None:
        who = f" (hook {answer.hook})" if answer.hook else ""
        lines = [f"refused{who}: {answer.error.code}: {answer.error.message}"]
        if answer.user is not None:
            lines.append(f"user {_who(answer.user)} is {answer.user.status}")
        if answer.error.hint:
            # What to do next, where Cognito's words do not say (an UNCONFIRMED user's
            # sign-in: confirm it first); the refusal is an answer, not a CommandError.
            lines.append(f"  hint: {printable(answer.error.hint)}")
    else:
        lines = [ok]
    if answer.hooks_run:
        lines.append(f"hooks: {', '.join(answer.hooks_run)}")
    lines.append(now_line(sim, started))
    return lines


def _started(call: Call) -> CommandResult:
    """What a detached user pool command (one `repeat` runs) answers: the operation has
    begun; its hooks answer as the clock runs, and the trace records how it ends
    (`user.*` records, `user.refused`)."""
    return CommandResult(
        f"started {call.command.name} {printable(call.args['username'])}",
        data={"pool": call.args["pool"], "username": call.args["username"], "started": True},
    )


def _operate(
    session: Session,
    call: Call,
    operation: Callable[..., Answer],
    *args: Any,
    ok: Callable[[Answer], str],
    data: Callable[[Answer], dict[str, Any]] | None = None,
) -> CommandResult:
    """Run a user pool operation for a command on its POOL and `args`: Cognito's refusal
    before any hook ran is a CommandError; under `repeat` the operation is only started;
    else the answer's lines, `ok(answer)` first when it was not refused, and its data."""
    sim = session.sim
    started = sim.clock.now
    answer = _cognito(operation, call.args["pool"], *args, detached=call.detached)
    if call.detached:
        return _started(call)
    extra = data(answer) if data is not None else {}
    return CommandResult(
        "\n".join(_answer_lines(sim, answer, ok(answer), started)),
        data=_data(call.args["pool"], answer, **extra),
    )


def _who(user: User) -> str:
    """How an answer names a user: the email or phone number it signs in with, where
    usernames are one of them, else its username (as text, never markup)."""
    return printable(user.alias or user.username)


def _data(pool: str, answer: Answer, **extra: Any) -> dict[str, Any]:
    user = answer.user
    return {
        "pool": pool,
        "username": user.username if user else None,
        "alias": user.alias if user else answer.alias,
        "sub": user.sub if user else None,
        "user_status": user.status if user else None,
        "refused": answer.error is not None,
        "error": answer.error.code if answer.error else None,
        "message": answer.error.message if answer.error else None,
        "hook": answer.hook,
        "hooks": list(answer.hooks_run),
        "invocation_ids": list(answer.invocation_ids),
        **extra,
    }


def check_pool(sim: Simulator, name: str) -> None:
    """A CommandError (with a did-you-mean) when `name` is no user-auth-pool of the stack;
    the REPL's validator asks before Enter."""
    _cognito(_service(sim).pool, name)


_POOL = Arg("POOL", USER_POOL, "the user-auth-pool")
# A new user's name (sign-up, admin-create-user): nothing to complete.
_USERNAME = Arg("USERNAME", WORD, "the user's username")
# A user the pool has (confirm-sign-up, sign-in): completion offers the pool's users. Not
# checked before Enter: sign-in brings in an unknown user through a userMigration hook.
_USER = Arg("USERNAME", POOL_USER, "the user's username (or the email or phone it signs in with)")
_ATTR = Option("--attr", KEY_VALUE, "a user attribute", "NAME=VALUE", repeat=True)


@command(
    "sign-up",
    "messages",
    "Sign a user up to a user pool (SignUp), running its preSignUp and customMessage hooks.",
    args=(_POOL, _USERNAME),
    options=(
        Option("--password", WORD, "the password (default: one the policy accepts)", "P"),
        _ATTR,
    ),
    examples=(
        "sign-up users ann@example.com --attr name=Ann",
        "sign-up users bob@example.com --password 'Hunter2-hunter2'",
    ),
    details=(
        "USERNAME is an email or a phone number unless the pool sets allowEmailAsUserName and "
        "allowPhoneNumberAsUserName to false (Stacktape's UsernameAttributes): the user's "
        "email or phone_number is then set from it and Cognito's username is its sub. "
        "Cognito checks first (changing nothing when it refuses): allowOnlyAdminsToCreateAccount"
        " (NotAuthorizedException), a username in use (UsernameExistsException), an --attr "
        "the pool's schema does not have (InvalidParameterException: custom attributes are "
        "custom:NAME, declared in the pool's `schema`), a value its schema entry refuses or "
        "over 2,048 characters, a required standard attribute left out, a developer-only "
        "dev:custom:NAME or email_verified / phone_number_verified, which an app client may "
        "not write (NotAuthorizedException), the pool's passwordPolicy "
        "(InvalidPasswordException, in Cognito's words). Then preSignUp runs "
        "(PreSignUp_SignUp): its response's autoConfirmUser confirms the user at once, "
        "autoVerifyEmail / autoVerifyPhone verify its address, and a failure refuses the sign-up"
        " (UserLambdaValidationException: PreSignUp failed with error MESSAGE.). A user left "
        "UNCONFIRMED is sent a code (customMessage runs, CustomMessage_SignUp); an "
        "auto-confirmed one runs postConfirmation. Hooks run synchronously: Cognito waits 5 s "
        "for each and tries 3 times."
    ),
    changes_state=True,
)
def cmd_sign_up(session: Session, call: Call) -> CommandResult:
    """sign-up POOL USERNAME [--password P] [--attr NAME=VALUE ...]"""
    attributes = _attributes(call.opts.get("attr", []))

    def ok(answer: Answer) -> str:
        user = answer.user
        if user is None:
            return ""
        line = f"signed up {_who(user)} (sub {user.sub}): {user.status}"
        if answer.code_delivery:
            line += f"; a code was sent by {answer.code_delivery}"
        return line

    return _operate(
        session,
        call,
        _service(session.sim).sign_up,
        call.args["username"],
        call.opts.get("password"),
        attributes,
        ok=ok,
        data=lambda answer: {"code_delivery": answer.code_delivery},
    )


@command(
    "confirm-sign-up",
    "messages",
    "Confirm a signed-up user with the code it was sent (ConfirmSignUp), running postConfirmation.",
    args=(_POOL, _USER),
    examples=("confirm-sign-up users bob@other.org",),
    details=(
        "The code is taken as the one Cognito sent. The user becomes CONFIRMED (the address "
        "the code went to verified), then postConfirmation runs "
        "(PostConfirmation_ConfirmSignUp). When it fails, ConfirmSignUp answers "
        "UserLambdaValidationException and the user stays CONFIRMED. A user that is not "
        "UNCONFIRMED is refused with NotAuthorizedException."
    ),
    changes_state=True,
)
def cmd_confirm_sign_up(session: Session, call: Call) -> CommandResult:
    """confirm-sign-up POOL USERNAME"""
    return _operate(
        session,
        call,
        _service(session.sim).confirm_sign_up,
        call.args["username"],
        ok=lambda answer: f"confirmed {_who(answer.user)}: CONFIRMED" if answer.user else "",
    )


@command(
    "admin-create-user",
    "messages",
    "Create a user as an administrator (AdminCreateUser): FORCE_CHANGE_PASSWORD, invited "
    "with a temporary password.",
    args=(_POOL, _USERNAME),
    options=(_ATTR,),
    examples=("admin-create-user users carol@example.com",),
    details=(
        "An --attr the pool's schema does not have, or whose value its schema entry refuses "
        "or is over 2,048 characters, is refused first, changing nothing "
        "(InvalidParameterException: custom attributes are custom:NAME, declared in the "
        "pool's `schema`, developer-only ones dev:custom:NAME). Required attributes may be "
        "left out; --attr email_verified=true marks the email verified. "
        "preSignUp runs (PreSignUp_AdminCreateUser; its answer cannot auto-confirm), then "
        "customMessage for the invitation (CustomMessage_AdminCreateUser) when the user has "
        "an address. The temporary password is printed: sign the user in with it and "
        "--new-password to answer the NEW_PASSWORD_REQUIRED challenge."
    ),
    changes_state=True,
)
def cmd_admin_create_user(session: Session, call: Call) -> CommandResult:
    """admin-create-user POOL USERNAME [--attr NAME=VALUE ...]"""
    attributes = _attributes(call.opts.get("attr", []))

    def ok(answer: Answer) -> str:
        if answer.user is None:
            return ""
        return (
            f"created {_who(answer.user)} (sub {answer.user.sub}): "
            f"FORCE_CHANGE_PASSWORD, temporary password {answer.temporary}"
        )

    return _operate(
        session,
        call,
        _service(session.sim).admin_create_user,
        call.args["username"],
        attributes,
        ok=ok,
        data=lambda answer: {"temporary_password": answer.temporary or None},
    )


@command(
    "sign-in",
    "messages",
    "Sign a user in (InitiateAuth, USER_PASSWORD_AUTH), running the authentication and "
    "token hooks; `http --user` then sends its ID token.",
    args=(_POOL, _USER),
    options=(
        Option("--password", WORD, "the password (default: the user's own)", "P"),
        Option(
            "--new-password",
            WORD,
            "answer NEW_PASSWORD_REQUIRED (a user made by admin-create-user)",
            "P",
        ),
        Option(
            "--refresh",
            FLAG,
            "REFRESH_TOKEN_AUTH: new tokens from the last sign-in's refresh token",
        ),
        Option(
            "--custom",
            FLAG,
            "CUSTOM_AUTH: the pool's defineAuthChallenge decides; answer-challenge answers",
        ),
    ),
    examples=(
        "sign-in users ann@example.com",
        "sign-in users ann@example.com --password wrong-one",
        "sign-in users carol@example.com --new-password 'Str0ng-enough!'",
        "sign-in users ann@example.com --refresh",
        "sign-in users ann@example.com --custom",
    ),
    details=(
        "A user the pool does not have is looked up by userMigration "
        "(UserMigration_Authentication) when that hook is set, else refused "
        "(UserNotFoundException). Then preAuthentication runs, the password is checked "
        "(NotAuthorizedException: Incorrect username or password.), an UNCONFIRMED user is "
        "refused (UserNotConfirmedException), postAuthentication runs, and preTokenGeneration "
        "(TokenGeneration_Authentication) may add, override or suppress the ID token's claims "
        "(claimsOverrideDetails) and, by groupOverrideDetails, the groups both tokens carry "
        "(cognito:groups) and the ID token's cognito:roles and cognito:preferred_role. A hook "
        "that fails refuses the sign-in: no token. --refresh (REFRESH_TOKEN_AUTH) takes the "
        "refresh token of the user's last sign-in: only preTokenGeneration runs "
        "(TokenGeneration_RefreshTokens), and the new tokens keep that sign-in's auth_time; "
        "without one, or after refreshTokenValidityDays (30 by default): "
        "NotAuthorizedException. --custom (CUSTOM_AUTH) runs preAuthentication, then "
        "defineAuthChallenge (DefineAuthChallenge_Authentication), whose answer issues tokens, "
        "fails the sign-in, or asks for a CUSTOM_CHALLENGE that createAuthChallenge makes: "
        "answer it with answer-challenge within 3 minutes."
    ),
    changes_state=True,
)
def cmd_sign_in(session: Session, call: Call) -> CommandResult:
    """sign-in POOL USERNAME [--password P] [--new-password P] [--refresh] [--custom]"""
    service = _service(session.sim)
    flow = _flow(call)
    username = call.args["username"]
    refreshed = flow == "REFRESH_TOKEN_AUTH"

    def data(answer: Answer) -> dict[str, Any]:
        claims, access_claims = _issued_claims(answer)
        return {
            "challenge": answer.challenge,
            "claims": claims,
            "access_claims": access_claims,
            "flow": flow,
            "public_challenge_parameters": answer.public,
        }

    def ok(answer: Answer) -> str:
        return _signed_in_line(call, answer, refreshed=refreshed)

    if refreshed:
        return _operate(session, call, service.refresh, username, ok=ok, data=data)
    if flow == "CUSTOM_AUTH":
        return _operate(session, call, service.custom_auth, username, ok=ok, data=data)
    return _operate(
        session,
        call,
        service.sign_in,
        username,
        call.opts.get("password"),
        call.opts.get("new_password"),
        ok=ok,
        data=data,
    )


def _flow(call: Call) -> str:
    """The InitiateAuth flow sign-in's options ask for; a CommandError for options that do
    not go together."""
    flags = [f for f in ("refresh", "custom") if call.opts.get(f)]
    if len(flags) > 1:
        raise CommandError(
            "--refresh and --custom are two flows: give one",
            f"sign-in {typed_words(call.args['pool'], call.args['username'])} --custom",
        )
    if not flags:
        return "USER_PASSWORD_AUTH"
    given = [o for o in ("password", "new_password") if call.opts.get(o) is not None]
    if given:
        why = {
            "refresh": "a refresh token stands for the password",
            "custom": "the pool's challenges stand for the password",
        }[flags[0]]
        raise CommandError(
            f"--{flags[0]} takes no --{given[0].replace('_', '-')}: {why}",
            f"sign-in {typed_words(call.args['pool'], call.args['username'])} --{flags[0]}",
        )
    return "REFRESH_TOKEN_AUTH" if flags[0] == "refresh" else "CUSTOM_AUTH"


def _issued_claims(answer: Answer) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The claims of the ID and access tokens a sign-in (or a challenge answer) issued; None
    for each when it issued none: it was refused, or a challenge is to be answered first."""
    user = answer.user
    if user is None or answer.error is not None or answer.challenge is not None:
        return None, None
    return (
        dict(user.claims) if user.claims else None,
        dict(user.access_claims) if user.access_claims else None,
    )


def _signed_in_line(call: Call, answer: Answer, refreshed: bool = False) -> str:
    """The first line of a sign-in's (or a challenge answer's) answer: the challenge to
    answer, or the tokens issued and the claims the token hook changed."""
    user = answer.user
    if answer.challenge == "NEW_PASSWORD_REQUIRED":
        return (
            f"challenge {answer.challenge}: sign in again with --new-password to set the "
            "user's own password"
        )
    if answer.challenge is not None:
        shown = json_text(answer.public or {}, separators=(",", ":"))
        return (
            f"challenge {answer.challenge} {shown}: answer it with answer-challenge "
            f"{typed_words(call.args['pool'], call.args['username'])} ANSWER"
        )
    if user is None:
        return ""
    ok = f"signed in {_who(user)}: an ID token for `http --user`"
    if refreshed:
        ok = f"refreshed {_who(user)}'s tokens: a new ID token for `http --user`"
    changes = [f"+{n}" for n in answer.claims_added] + [f"-{n}" for n in answer.claims_suppressed]
    if changes:
        ok += f"; claims {' '.join(changes)}"
    return ok


@command(
    "answer-challenge",
    "messages",
    "Answer a custom authentication challenge (RespondToAuthChallenge, CUSTOM_CHALLENGE), "
    "running verifyAuthChallengeResponse and defineAuthChallenge.",
    args=(_POOL, _USER, Arg("ANSWER", WORD, "the user's answer (challengeAnswer)")),
    examples=("answer-challenge users ann@example.com 4242",),
    details=(
        "For the challenge `sign-in --custom` (or the last answer) asked. "
        "verifyAuthChallengeResponse (VerifyAuthChallengeResponse_Authentication) gets the "
        "answer with createAuthChallenge's privateChallengeParameters and says answerCorrect; "
        "then defineAuthChallenge, its session one round longer, issues tokens "
        "(postAuthentication and preTokenGeneration run), fails the sign-in "
        "(NotAuthorizedException: Incorrect username or password.), or asks again. Without a "
        "waiting challenge, or 3 minutes after it was asked: NotAuthorizedException: Invalid "
        "session for the user."
    ),
    changes_state=True,
)
def cmd_answer_challenge(session: Session, call: Call) -> CommandResult:
    """answer-challenge POOL USERNAME ANSWER"""

    def data(answer: Answer) -> dict[str, Any]:
        return {
            "challenge": answer.challenge,
            "claims": _issued_claims(answer)[0],
            "public_challenge_parameters": answer.public,
        }

    return _operate(
        session,
        call,
        _service(session.sim).answer_challenge,
        call.args["username"],
        call.args["answer"],
        ok=lambda answer: _signed_in_line(call, answer),
        data=data,
    )


@command(
    "forgot-password",
    "messages",
    "Send a user a code to reset its password (ForgotPassword), running customMessage.",
    args=(_POOL, _USER),
    examples=("forgot-password users ann@example.com",),
    details=(
        "customMessage runs (CustomMessage_ForgotPassword) and the code goes to the user's "
        "verified email (EMAIL), else its verified phone number (SMS); the user's status does "
        "not change. A user the pool does not have is looked up by userMigration "
        "(UserMigration_ForgotPassword), which brings it in RESET_REQUIRED, else refused "
        "(UserNotFoundException: Username/client id combination not found.). A user with no "
        "verified address, such as an UNCONFIRMED one, is refused (InvalidParameterException: "
        "Cannot reset password for the user as there is no registered/verified email or "
        "phone_number), and so is one still to change its temporary password "
        "(NotAuthorizedException). Then confirm-forgot-password sets the new password."
    ),
    changes_state=True,
)
def cmd_forgot_password(session: Session, call: Call) -> CommandResult:
    """forgot-password POOL USERNAME"""

    def ok(answer: Answer) -> str:
        if answer.user is None:
            return ""
        return (
            f"a code to reset {_who(answer.user)}'s password was sent by "
            f"{answer.code_delivery} ({answer.user.status})"
        )

    return _operate(
        session,
        call,
        _service(session.sim).forgot_password,
        call.args["username"],
        ok=ok,
        data=lambda answer: {"code_delivery": answer.code_delivery},
    )


@command(
    "confirm-forgot-password",
    "messages",
    "Set a new password with the code forgot-password sent (ConfirmForgotPassword), running "
    "postConfirmation.",
    args=(_POOL, _USER, Arg("NEW_PASSWORD", WORD, "the new password (the pool's policy)")),
    examples=("confirm-forgot-password users ann@example.com 'N3w-passw0rd!'",),
    details=(
        "The code is taken as the one forgot-password sent; without one: "
        "ExpiredCodeException: Invalid code provided, please request a code again. The "
        "pool's passwordPolicy is checked first (InvalidPasswordException). The password "
        "changes, a RESET_REQUIRED user becomes CONFIRMED, then postConfirmation runs "
        "(PostConfirmation_ConfirmForgotPassword); when it fails, the password stays changed."
    ),
    changes_state=True,
)
def cmd_confirm_forgot_password(session: Session, call: Call) -> CommandResult:
    """confirm-forgot-password POOL USERNAME NEW_PASSWORD"""
    return _operate(
        session,
        call,
        _service(session.sim).confirm_forgot_password,
        call.args["username"],
        call.args["new_password"],
        ok=lambda answer: (
            f"reset {_who(answer.user)}'s password: {answer.user.status}" if answer.user else ""
        ),
    )


_GROUP = Arg("GROUP", POOL_GROUP, "the group")


def _group_result(pool: str, user: User, group: str, done: str) -> CommandResult:
    """`added ann@example.com to admins: groups admins, staff (...)`."""
    groups = ", ".join(printable(g) for g in user.groups) or "none"
    return CommandResult(
        f"{done.format(who=_who(user), group=printable(group))}: groups {groups} "
        "(its next tokens carry them)",
        data={
            "pool": pool,
            "username": user.username,
            "alias": user.alias,
            "sub": user.sub,
            "group": group,
            "groups": list(user.groups),
        },
    )


@command(
    "admin-add-user-to-group",
    "messages",
    "Add a user to a group of its pool (AdminAddUserToGroup); its next tokens carry the group.",
    args=(_POOL, _USER, _GROUP),
    examples=("admin-add-user-to-group users ann@example.com admins",),
    details=(
        "No hook runs. A group is made by its first member: a user-auth-pool's config has no "
        "groups (an AWS::Cognito::UserPoolGroup is a CloudFormation resource stptui does not "
        "read). Adding a member again changes nothing. The ID and access tokens of the "
        "user's next sign-in (or --refresh) carry cognito:groups, and preTokenGeneration's "
        "request.groupConfiguration.groupsToOverride lists them."
    ),
    changes_state=True,
)
def cmd_admin_add_user_to_group(session: Session, call: Call) -> CommandResult:
    """admin-add-user-to-group POOL USERNAME GROUP"""
    pool, group = call.args["pool"], call.args["group"]
    user = _cognito(_service(session.sim).add_to_group, pool, call.args["username"], group)
    return _group_result(pool, user, group, "added {who} to {group}")


@command(
    "admin-remove-user-from-group",
    "messages",
    "Remove a user from a group of its pool (AdminRemoveUserFromGroup).",
    args=(_POOL, _USER, _GROUP),
    examples=("admin-remove-user-from-group users ann@example.com admins",),
    details=(
        "No hook runs, and tokens already issued keep their groups until the next sign-in. "
        "A group no user was ever added to: ResourceNotFoundException: Group not found."
    ),
    changes_state=True,
)
def cmd_admin_remove_user_from_group(session: Session, call: Call) -> CommandResult:
    """admin-remove-user-from-group POOL USERNAME GROUP"""
    pool, group = call.args["pool"], call.args["group"]
    user = _cognito(_service(session.sim).remove_from_group, pool, call.args["username"], group)
    return _group_result(pool, user, group, "removed {who} from {group}")


def _revoked_result(pool: str, user: User, operation: str, jtis: list[str]) -> CommandResult:
    """What a sign-out or RevokeToken answers: how many refresh tokens it revoked, and the
    trap: an HTTP API's JWT authorizer keeps accepting the tokens they issued."""
    who = _who(user)
    if not jtis:
        line = (
            f"{who}'s refresh token was already revoked: nothing changed"
            if operation == "RevokeToken"
            else f"signed {who} out: it had no tokens left to revoke"
        )
    else:
        count = "1 refresh token" if len(jtis) == 1 else f"{len(jtis)} refresh tokens"
        done = (
            f"revoked {who}'s refresh token"
            if operation == "RevokeToken"
            else f"signed {who} out: revoked {count}"
        )
        line = (
            f"{done} and the ID and access tokens issued with them; "
            "an HTTP API's JWT authorizer accepts those until they expire"
        )
    return CommandResult(
        line,
        data={
            "pool": pool,
            "username": user.username,
            "alias": user.alias,
            "sub": user.sub,
            "operation": operation,
            "origin_jtis": list(jtis),
        },
    )


_SIGN_OUT_TRAP = (
    "A sign-out revokes refresh tokens and the ID and access tokens they issued: sign-in "
    "--refresh is then refused (NotAuthorizedException: Refresh Token has been revoked), "
    "and so is global-sign-out with the revoked access token (NotAuthorizedException: Access "
    "Token has been revoked). An HTTP API's JWT (cognito) authorizer checks the token's "
    "signature, issuer, audience and expiry, not revocation: `http --user` is still let in "
    "until the ID token expires (idTokenValiditySeconds hours after it was issued, an hour "
    "by default), and the trace's "
    "http.authorization reason says so."
)


@command(
    "global-sign-out",
    "messages",
    "Sign a user out with its own access token (GlobalSignOut): every refresh token it got is "
    "revoked, with the tokens they issued.",
    args=(_POOL, _USER),
    examples=("global-sign-out users ann@example.com",),
    details=(
        "The request is authorized by the access token of the user's last sign-in (or "
        "--refresh): none (NotAuthorizedException: Invalid Access Token), one already revoked "
        "(NotAuthorizedException: Access Token has been revoked) or expired "
        "(NotAuthorizedException: Access Token has expired) is refused and nothing changes. "
        "No hook runs. " + _SIGN_OUT_TRAP
    ),
    changes_state=True,
)
def cmd_global_sign_out(session: Session, call: Call) -> CommandResult:
    """global-sign-out POOL USERNAME"""
    pool = call.args["pool"]
    service = _service(session.sim)
    user, jtis = _cognito(service.global_sign_out, pool, call.args["username"])
    return _revoked_result(pool, user, "GlobalSignOut", jtis)


@command(
    "admin-user-global-sign-out",
    "messages",
    "Sign a user out as an administrator (AdminUserGlobalSignOut): every refresh token it got "
    "is revoked, with the tokens they issued.",
    args=(_POOL, _USER),
    examples=("admin-user-global-sign-out users ann@example.com",),
    details=(
        "Authorized by the administrator's credentials, not a token: a user whose tokens "
        "were revoked or have expired, or one that never signed in, is signed out as well "
        "(nothing left to revoke changes nothing). An unknown user: UserNotFoundException. "
        "No hook runs. " + _SIGN_OUT_TRAP
    ),
    changes_state=True,
)
def cmd_admin_user_global_sign_out(session: Session, call: Call) -> CommandResult:
    """admin-user-global-sign-out POOL USERNAME"""
    pool = call.args["pool"]
    service = _service(session.sim)
    user, jtis = _cognito(service.admin_global_sign_out, pool, call.args["username"])
    return _revoked_result(pool, user, "AdminUserGlobalSignOut", jtis)


@command(
    "revoke-token",
    "messages",
    "Revoke the refresh token of a user's last sign-in (RevokeToken), with the ID and access "
    "tokens it issued.",
    args=(_POOL, _USER),
    examples=("revoke-token users ann@example.com",),
    details=(
        "The user's other refresh tokens (earlier sign-ins) stay valid. A token already "
        "revoked changes nothing; a user that never signed in has no refresh token to revoke "
        "(InvalidParameterException). Stacktape's app client leaves EnableTokenRevocation "
        "at Cognito's default, on, so RevokeToken is always allowed. " + _SIGN_OUT_TRAP
    ),
    changes_state=True,
)
def cmd_revoke_token(session: Session, call: Call) -> CommandResult:
    """revoke-token POOL USERNAME"""
    pool = call.args["pool"]
    user, jtis = _cognito(_service(session.sim).revoke_token, pool, call.args["username"])
    return _revoked_result(pool, user, "RevokeToken", jtis)


def _verified(user: User) -> str:
    marks = []
    if "email" in user.attributes:
        marks.append(f"email {'yes' if user.email_verified else 'no'}")
    if "phone_number" in user.attributes:
        marks.append(f"phone {'yes' if user.phone_verified else 'no'}")
    return ", ".join(marks) or "-"


def pool_data(sim: Simulator, name: str) -> dict[str, Any]:
    """A user pool's hooks (hook -> function, in the config's order), its password policy
    in words and its users: what `show users` lists and the TUI's Inspector shows."""
    pool = _cognito(_service(sim).pool, name)
    return {
        "pool": pool.name,
        "hooks": dict(pool.hooks),
        "policy": describe_policy(pool.policy),
        "admins_only": pool.admins_only,
        "username_attributes": list(pool.username_attributes),
        "token_validity_s": {
            "id": pool.id_token_s,
            "access": pool.access_token_s,
            "refresh": pool.refresh_days * 86_400,
        },
        "users": [
            {
                "username": u.username,
                "alias": u.alias,
                "sub": u.sub,
                "status": u.status,
                "confirmed": u.status == "CONFIRMED",
                "verified": _verified(u),
                "attributes": dict(u.attributes),
                "signed_in": u.claims is not None,
                "groups": list(u.groups),
            }
            for u in pool.users.values()
        ],
        "groups": list(pool.groups),
    }


def users_pool(sim: Simulator, name: str | None) -> str:
    """The pool `show users [POOL]` lists (the stack's only one when `name` is None), or
    the CommandError it answers; the REPL's check before Enter asks it too."""
    if name is None:
        found = list(_service(sim).pools)
        if len(found) != 1:
            raise CommandError(
                "show users needs a user pool",
                f"e.g. show users {quote_word(found[0])}"
                if found
                else "this stack has no user-auth-pool",
            )
        return found[0]
    return _cognito(_service(sim).pool, name).name


def show_users(sim: Simulator, name: str | None) -> CommandResult:
    """`show users POOL`: each user's status, whether its addresses are verified, its
    attributes; the pool's hooks first."""
    data = pool_data(sim, users_pool(sim, name))
    hooks = ", ".join(f"{h} -> {f}" for h, f in data["hooks"].items()) or "none"
    lines = [f"{printable(data['pool'])}: hooks {hooks}; passwords {data['policy']}"]
    if data["username_attributes"]:
        # Stacktape's default: users sign up and in with these; their username is their sub.
        kinds = " or ".join(
            "email" if a == "email" else "phone number" for a in sorted(data["username_attributes"])
        )
        lines.append(f"usernames: {kinds} (the username Cognito keeps is the user's sub)")
    validity = data["token_validity_s"]
    if (validity["id"], validity["access"]) != (3600, 3600):
        # Said only when the config changes them: the hour is what users expect.
        lines.append(
            f"tokens last: ID {validity['id'] // 3600}h, access {validity['access'] // 3600}h "
            "(idTokenValiditySeconds, accessTokenValiditySeconds: hours, as Cognito reads them)"
        )
    if not data["users"]:
        lines.append("no users yet: sign-up POOL USERNAME makes one")
        return CommandResult("\n".join(lines), data=data)
    headers = ["username", "status", "verified", "signed_in", "groups", "attributes", "sub"]
    rows = [
        [
            u["username"],
            u["status"],
            u["verified"],
            "yes" if u["signed_in"] else "no",
            ",".join(u["groups"]) or "-",
            " ".join(f"{k}={v}" for k, v in u["attributes"].items()),
            u["sub"],
        ]
        for u in data["users"]
    ]
    return CommandResult("\n".join(lines), table=(headers, rows), data=data)
