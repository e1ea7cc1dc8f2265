"""What a user pool's users do after signing up: forgotten passwords (ForgotPassword,
ConfirmForgotPassword, the user migration on the way), groups (AdminAddUserToGroup and
AdminRemoveUserFromGroup, `cognito:groups` in both tokens, preTokenGeneration's
groupConfiguration and groupOverrideDetails) and refreshed tokens (REFRESH_TOKEN_AUTH), each
with the hook events in Cognito's shape and its refusals in Cognito's words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from replkit import complete
from rich.text import Text
from session_checks import refused as refused_unchanged
from session_checks import run_line, write_stack

from stptui.commands import Session, execute
from stptui.sim import cognito
from stptui.sim.clock import parse_instant
from stptui.tui.widgets.inspector_users import users_section

START = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
PLAIN_USERNAMES = "      allowEmailAsUserName: false\n      allowPhoneNumberAsUserName: false\n"


def stack(*hooks: str, extra: str = "") -> str:
    """A pool `users` (usernames of the user's choosing) whose hooks each name the function
    of the same name; each function may send to the queue `events`."""
    lines = "".join(f"        {h}: $ResourceParam('{h}', 'arn')\n" for h in hooks)
    hooks_block = f"      hooks:\n{lines}" if hooks else ""
    functions = "".join(
        f"  {h}:\n    type: function\n    properties:\n      {PKG}\n      connectTo: [events]\n"
        for h in hooks
    )
    return (
        "resources:\n  users:\n    type: user-auth-pool\n    properties:\n"
        + PLAIN_USERNAMES
        + extra
        + hooks_block
        + "  events: {type: sqs-queue}\n"
        + functions
    )


def record_events(*hooks: str, **extra: str) -> str:
    """Behaviours under which each hook sends the event it got to `events`."""
    lines = ["behaviors:"]
    for h in hooks:
        lines += [f"  {h}:", "    duration: 10ms", "    emit:"]
        lines.append("      - send: {queue: events, body: 'to_string(@)'}")
        if h in extra:
            lines.append(f"    {extra[h]}")
    return "\n".join(lines) + "\n"


def session_of(tmp_path: Path, text: str, behaviors: str = "behaviors: {}\n") -> Session:
    return Session.open(write_stack(tmp_path, text, behaviors), start_ms=START)


def sent_events(session: Session) -> list[dict]:
    return [json.loads(m.body) for m in session.sim.queues["events"].listing()]


def user(session: Session, name: str) -> cognito.User:
    return session.sim.services["user_pools"].pools["users"].users[name]


def confirmed(session: Session, name: str, *attrs: str) -> None:
    """Sign `name` up (email NAME@example.com unless `attrs` say) and confirm it."""
    given_attrs = " ".join(f"--attr {a}" for a in attrs) or f"--attr email={name}@example.com"
    execute(session, f"sign-up users {name} {given_attrs}")
    execute(session, f"confirm-sign-up users {name}")


def refused(session: Session, line: str) -> str:
    """The CommandError a line gets, as text; it must leave the simulation as it was."""
    return str(refused_unchanged(session, line))


# -- forgot password ---------------------------------------------------------------------


def test_forgot_password_runs_custom_message_with_cognitos_event(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("customMessage"), record_events("customMessage"))
    confirmed(session, "ann")
    out = execute(session, "forgot-password users ann")
    assert out.text.splitlines()[0] == (
        "a code to reset ann's password was sent by EMAIL (CONFIRMED)"
    )
    event = sent_events(session)[-1]
    ann = user(session, "ann")
    assert event == {
        "version": "1",
        "triggerSource": "CustomMessage_ForgotPassword",
        "region": "us-east-1",
        "userPoolId": session.sim.resource_param("users", "id"),
        "userName": "ann",
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": session.sim.resource_param("users", "clientId"),
        },
        "request": {
            "userAttributes": {
                "sub": ann.sub,
                "email": "ann@example.com",
                "cognito:user_status": "CONFIRMED",
                "email_verified": "true",
            },
            "codeParameter": "{####}",
            "linkParameter": "{##Click Here##}",
            "usernameParameter": None,
        },
        "response": {"smsMessage": None, "emailMessage": None, "emailSubject": None},
    }
    assert ann.status == "CONFIRMED"
    record = next(r for r in session.sim.trace.records if r.kind == "user.forgot_password")
    assert record.data["code_delivery"] == "EMAIL"
    assert record.data["user_status"] == "CONFIRMED"


def test_the_code_goes_by_sms_when_only_the_phone_is_verified(tmp_path: Path) -> None:
    # An sms pool's confirmation verifies the phone number, not the email.
    extra = "      userVerificationType: sms\n"
    session = session_of(tmp_path, stack(extra=extra))
    confirmed(session, "ann", "email=ann@example.com", "phone_number=+15550100")
    assert execute(session, "forgot-password users ann").data["code_delivery"] == "SMS"


def test_the_code_goes_to_a_verified_email_before_a_verified_phone(tmp_path: Path) -> None:
    # Stacktape's pool sets AccountRecoverySetting verified_email (priority 1), then
    # verified_phone_number (2): a user with both verified gets the code by email.
    auto = (
        'response: "merge(@, {response: {autoConfirmUser: `true`, autoVerifyEmail: `true`, '
        'autoVerifyPhone: `true`}})"'
    )
    session = session_of(tmp_path, stack("preSignUp"), record_events("preSignUp", preSignUp=auto))
    execute(session, "sign-up users ann --attr email=ann@example.com --attr phone_number=+15550100")
    ann = user(session, "ann")
    assert (ann.status, ann.email_verified, ann.phone_verified) == ("CONFIRMED", True, True)
    out = execute(session, "forgot-password users ann")
    assert out.data["code_delivery"] == "EMAIL"
    assert "sent by EMAIL" in out.text


@pytest.mark.parametrize(
    ("setup", "line", "error"),
    [
        # Signed up, never confirmed: its email is not verified.
        (
            ["sign-up users bob --attr email=bob@example.com"],
            "forgot-password users bob",
            "InvalidParameterException: Cannot reset password for the user as there is no "
            "registered/verified email or phone_number",
        ),
        (
            [],
            "forgot-password users nobody",
            "UserNotFoundException: Username/client id combination not found.",
        ),
        (
            ["admin-create-user users carol --attr email=carol@example.com"],
            "forgot-password users carol",
            "NotAuthorizedException: User password cannot be reset in the current state.",
        ),
        (
            ["sign-up users ann --attr email=ann@example.com", "confirm-sign-up users ann"],
            "confirm-forgot-password users ann N3w-passw0rd!",
            "ExpiredCodeException: Invalid code provided, please request a code again.",
        ),
        (
            [],
            "confirm-forgot-password users nobody N3w-passw0rd!",
            "UserNotFoundException: Username/client id combination not found.",
        ),
    ],
)
def test_cognitos_refusals_of_a_reset_change_nothing(
    tmp_path: Path, setup: list[str], line: str, error: str
) -> None:
    session = session_of(tmp_path, stack("customMessage"), record_events("customMessage"))
    for step in setup:
        execute(session, step)
    assert refused(session, line) == error


def test_confirm_forgot_password_sets_the_password_and_runs_post_confirmation(
    tmp_path: Path,
) -> None:
    session = session_of(tmp_path, stack("postConfirmation"), record_events("postConfirmation"))
    confirmed(session, "ann")
    execute(session, "forgot-password users ann")
    # The pool's policy comes first, and keeps the code waiting.
    assert refused(session, "confirm-forgot-password users ann weak").startswith(
        "InvalidPasswordException: Password did not conform with policy"
    )
    out = execute(session, "confirm-forgot-password users ann N3w-passw0rd!")
    assert out.text.splitlines()[:2] == [
        "reset ann's password: CONFIRMED",
        "hooks: postConfirmation",
    ]
    sources = [e["triggerSource"] for e in sent_events(session)]
    assert sources == ["PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword"]
    assert execute(session, "sign-in users ann --password N3w-passw0rd!").data["refused"] is False
    old = execute(session, "sign-in users ann --password Wrong-passw0rd!")
    assert old.data["error"] == "NotAuthorizedException"
    # The code is used up.
    assert refused(session, "confirm-forgot-password users ann An0ther-one!").startswith(
        "ExpiredCodeException"
    )


def test_a_failing_custom_message_sends_no_code(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("customMessage"), "behaviors:\n  customMessage: {}\n")
    confirmed(session, "ann")
    execute(session, "fail customMessage next 1")
    out = execute(session, "forgot-password users ann")
    assert out.data["refused"] is True
    assert out.data["hook"] == "customMessage"
    record = [r for r in session.sim.trace.records if r.kind == "user.refused"][-1]
    assert record.data["operation"] == "ForgotPassword"
    assert refused(session, "confirm-forgot-password users ann N3w-passw0rd!").startswith(
        "ExpiredCodeException"
    )


def test_a_reset_required_user_is_confirmed_by_its_new_password(tmp_path: Path) -> None:
    migrate = (
        "response: \"merge(@, {response: {userAttributes: {email: 'old@example.com', "
        "email_verified: 'true'}, finalUserStatus: 'RESET_REQUIRED'}})\""
    )
    session = session_of(
        tmp_path, stack("userMigration"), record_events("userMigration", userMigration=migrate)
    )
    out = execute(session, "sign-in users legacy --password Legacy-Passw0rd!")
    assert out.data["error"] == "PasswordResetRequiredException"
    assert user(session, "legacy").status == "RESET_REQUIRED"
    execute(session, "forgot-password users legacy")
    execute(session, "confirm-forgot-password users legacy N3w-passw0rd!")
    assert user(session, "legacy").status == "CONFIRMED"
    assert user(session, "legacy").email_verified is True
    assert "email_verified" not in user(session, "legacy").attributes
    out = execute(session, "sign-in users legacy --password N3w-passw0rd!")
    assert out.data["claims"]["email"] == "old@example.com"


def test_user_migration_during_a_forgotten_password(tmp_path: Path) -> None:
    migrate = (
        "response: \"merge(@, {response: {userAttributes: {email: 'dan@example.com', "
        "email_verified: 'true'}, finalUserStatus: 'CONFIRMED'}})\""
    )
    session = session_of(
        tmp_path,
        stack("userMigration", "customMessage"),
        record_events("userMigration", "customMessage", userMigration=migrate),
    )
    out = execute(session, "forgot-password users dan")
    assert out.data["hooks"] == ["userMigration", "customMessage"]
    migration, message = sent_events(session)
    assert migration["triggerSource"] == "UserMigration_ForgotPassword"
    assert migration["userName"] == "dan"
    assert migration["request"] == {"validationData": None}
    assert message["triggerSource"] == "CustomMessage_ForgotPassword"
    # Whatever finalUserStatus says: the user has no password until the code sets one.
    assert user(session, "dan").status == "RESET_REQUIRED"
    kinds = [r.kind for r in session.sim.trace.records if r.kind.startswith("user.")]
    assert kinds == ["user.created", "user.forgot_password"]


def test_a_migrated_user_without_a_verified_address_gets_no_code(tmp_path: Path) -> None:
    migrate = "response: \"merge(@, {response: {userAttributes: {email: 'dan@example.com'}}})\""
    session = session_of(
        tmp_path, stack("userMigration"), record_events("userMigration", userMigration=migrate)
    )
    out = execute(session, "forgot-password users dan")
    assert out.data["error"] == "InvalidParameterException"
    assert out.data["hook"] is None
    assert not user(session, "dan").reset_pending


# -- groups ------------------------------------------------------------------------------


def test_groups_reach_both_tokens_and_the_token_hook(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("preTokenGeneration"), record_events("preTokenGeneration"))
    confirmed(session, "ann")
    out = execute(session, "admin-add-user-to-group users ann admins")
    assert out.text == "added ann to admins: groups admins (its next tokens carry them)"
    execute(session, "admin-add-user-to-group users ann staff")
    execute(session, "admin-add-user-to-group users ann admins")  # again: nothing changes
    out = execute(session, "sign-in users ann")
    assert list(out.data["claims"])[:2] == ["sub", "cognito:groups"]
    assert out.data["claims"]["cognito:groups"] == ["admins", "staff"]
    access = out.data["access_claims"]
    assert access["cognito:groups"] == ["admins", "staff"]
    assert access["token_use"] == "access"
    assert access["client_id"] == session.sim.resource_param("users", "clientId")
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["username"] == "ann"
    assert access["jti"] != out.data["claims"]["jti"]
    assert access["origin_jti"] == out.data["claims"]["origin_jti"]
    assert "email" not in access
    assert sent_events(session)[-1]["request"]["groupConfiguration"] == {
        "groupsToOverride": ["admins", "staff"],
        "iamRolesToOverride": [],
        "preferredRole": None,
    }
    out = execute(session, "admin-remove-user-from-group users ann admins")
    assert out.data["groups"] == ["staff"]
    execute(session, "admin-remove-user-from-group users ann staff")
    claims = execute(session, "sign-in users ann").data["claims"]
    assert "cognito:groups" not in claims


def test_group_override_details_replace_groups_and_name_roles(tmp_path: Path) -> None:
    role = "arn:aws:iam::123456789012:role/admin"
    # claimsToAddOrOverride cannot set cognito:groups: only groupOverrideDetails does.
    behaviors = f"""behaviors:
  preTokenGeneration:
    response: >-
      merge(@, {{response: {{claimsOverrideDetails: {{
      claimsToAddOrOverride: {{"cognito:groups": 'forged'}},
      groupOverrideDetails: {{groupsToOverride: ['auditors'],
      iamRolesToOverride: ['{role}'], preferredRole: '{role}'}}}}}}}})
"""
    session = session_of(tmp_path, stack("preTokenGeneration"), behaviors)
    confirmed(session, "ann")
    execute(session, "admin-add-user-to-group users ann admins")
    out = execute(session, "sign-in users ann")
    claims, access = out.data["claims"], out.data["access_claims"]
    assert claims["cognito:groups"] == ["auditors"]
    assert access["cognito:groups"] == ["auditors"]
    assert claims["cognito:roles"] == [role]
    assert claims["cognito:preferred_role"] == role
    assert "cognito:roles" not in access
    assert out.text.splitlines()[0].endswith(
        "claims +cognito:groups +cognito:roles +cognito:preferred_role"
    )
    # The user's own groups are not changed by what one token carries.
    assert user(session, "ann").groups == ["admins"]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("admin-remove-user-from-group users ann nobody-added", "Group not found."),
        ("admin-add-user-to-group users ann 'two words'", "InvalidParameterException"),
        ("admin-add-user-to-group users ghost admins", "User does not exist."),
    ],
)
def test_group_refusals_change_nothing(tmp_path: Path, line: str, error: str) -> None:
    session = session_of(tmp_path, stack())
    confirmed(session, "ann")
    assert error in refused(session, line)


def test_show_users_the_inspector_and_completion_list_groups(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    confirmed(session, "ann")
    execute(session, "admin-add-user-to-group users ann '[bold]x'")
    out = execute(session, "show users users")
    headers, rows = out.table
    assert rows[0][headers.index("groups")] == "[bold]x"
    text = Text()
    users_section(text, session.sim, "users")
    assert "groups [bold]x" in text.plain
    execute(session, "admin-add-user-to-group users ann admins")
    assert "admins" in complete(session, "admin-remove-user-from-group users ann ")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["a", "b", "c"])), max_size=8))
def test_a_tokens_groups_are_the_users_in_the_order_it_joined(
    tmp_path: Path, steps: list[tuple[bool, str]]
) -> None:
    session = session_of(tmp_path, stack())
    confirmed(session, "ann")
    expected: list[str] = []
    for add, group in steps:
        verb = "add-user-to" if add else "remove-user-from"
        if run_line(session, f"admin-{verb}-group users ann {group}") is None:
            assert not add and group not in session.sim.services["user_pools"].pools["users"].groups
            continue
        if add and group not in expected:
            expected.append(group)
        elif not add and group in expected:
            expected.remove(group)
    claims = execute(session, "sign-in users ann").data["claims"]
    assert claims.get("cognito:groups", []) == expected


# -- refresh tokens ----------------------------------------------------------------------


def test_a_refresh_runs_only_the_token_hook_and_keeps_auth_time(tmp_path: Path) -> None:
    hooks = ("preAuthentication", "postAuthentication", "preTokenGeneration")
    session = session_of(tmp_path, stack(*hooks), record_events(*hooks))
    confirmed(session, "ann")
    first = execute(session, "sign-in users ann").data
    execute(session, "advance 10m")
    out = execute(session, "sign-in users ann --refresh")
    assert out.data["hooks"] == ["preTokenGeneration"]
    assert out.data["flow"] == "REFRESH_TOKEN_AUTH"
    assert sent_events(session)[-1]["triggerSource"] == "TokenGeneration_RefreshTokens"
    claims = out.data["claims"]
    assert claims["auth_time"] == first["claims"]["auth_time"]
    assert claims["iat"] == first["claims"]["iat"] + 600
    assert claims["exp"] == claims["iat"] + 3600
    assert claims["origin_jti"] == first["claims"]["origin_jti"]
    assert claims["jti"] != first["claims"]["jti"]
    flows = [r.data["flow"] for r in session.sim.trace.records if r.kind == "user.signed_in"]
    assert flows == ["USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH"]


def test_refresh_refusals(tmp_path: Path) -> None:
    extra = "      refreshTokenValidityDays: 2\n"
    session = session_of(tmp_path, stack(extra=extra))
    confirmed(session, "ann")
    assert refused(session, "sign-in users ann --refresh") == (
        "NotAuthorizedException: Invalid Refresh Token"
    )
    execute(session, "sign-in users ann")
    assert refused(session, "sign-in users ann --refresh --password x").startswith(
        "--refresh takes no --password"
    )
    execute(session, "advance 1d")
    assert execute(session, "sign-in users ann --refresh").data["refused"] is False
    execute(session, "advance 1d")
    assert refused(session, "sign-in users ann --refresh") == (
        "NotAuthorizedException: Refresh Token has expired"
    )
    # A sign-in starts a new refresh token.
    execute(session, "sign-in users ann")
    assert execute(session, "sign-in users ann --refresh").data["refused"] is False


def test_a_refresh_carries_groups_joined_since_the_sign_in(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack())
    confirmed(session, "ann")
    execute(session, "sign-in users ann")
    execute(session, "admin-add-user-to-group users ann admins")
    claims = execute(session, "sign-in users ann --refresh").data["claims"]
    assert claims["cognito:groups"] == ["admins"]


# -- under repeat ----------------------------------------------------------------------


def test_repeat_starts_sign_ups_and_the_clock_runs_their_hooks(tmp_path: Path) -> None:
    confirm = 'response: "merge(@, {response: {autoConfirmUser: `true`}})"'
    hooks = ("preSignUp", "postConfirmation")
    session = session_of(tmp_path, stack(*hooks), record_events(*hooks, preSignUp=confirm))
    out = execute(session, "repeat 5 sign-up users u{i} --password Passw0rd-long!")
    assert out.data["refused"] == 0
    # Started, not finished: the hooks are the clock's to run.
    assert session.sim.clock.now == START
    assert session.sim.services["user_pools"].pools["users"].users == {}
    execute(session, "advance 1s")
    made = session.sim.services["user_pools"].pools["users"].users
    assert sorted(made) == [f"u{i}" for i in range(1, 6)]
    assert all(u.status == "CONFIRMED" and u.password == "Passw0rd-long!" for u in made.values())
    sources = [e["triggerSource"] for e in sent_events(session)]
    assert sources.count("PreSignUp_SignUp") == 5
    assert sources.count("PostConfirmation_ConfirmSignUp") == 5
    # Cognito's own checks still answer at once: a repetition they refuse is counted.
    execute(session, "sign-up users w2")
    out = execute(session, "repeat 3 sign-up users w{i}")
    assert out.data["refused"] == 1


def test_overlapping_sign_ups_of_one_name_refuse_the_second(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("preSignUp"), record_events("preSignUp"))
    execute(session, "repeat 2 sign-up users twin")
    execute(session, "advance 1s")
    refusals = [r.data for r in session.sim.trace.records if r.kind == "user.refused"]
    assert [(r["operation"], r["error"]) for r in refusals] == [
        ("SignUp", "UsernameExistsException")
    ]
    assert len([r for r in session.sim.trace.records if r.kind == "user.signed_up"]) == 1


def test_a_repeated_slow_hook_is_tried_three_times_on_the_clock(tmp_path: Path) -> None:
    behaviors = "behaviors:\n  preSignUp: {duration: 6s}\n"
    session = session_of(tmp_path, stack("preSignUp"), behaviors)
    execute(session, "repeat 1 sign-up users ann")
    execute(session, "advance 14s")
    assert not [r for r in session.sim.trace.records if r.kind == "user.refused"]
    execute(session, "advance 1s")
    refusal = next(r.data for r in session.sim.trace.records if r.kind == "user.refused")
    assert refusal["error"] == "UnexpectedLambdaException"
    assert len(refusal["invocation_ids"]) == 3
    assert "ann" not in session.sim.services["user_pools"].pools["users"].users


def test_a_repeated_hook_at_its_concurrency_limit_fails_at_once(tmp_path: Path) -> None:
    text = stack("preSignUp").replace(
        "      connectTo: [events]\n", "      connectTo: [events]\n      reservedConcurrency: 1\n"
    )
    session = session_of(tmp_path, text, "behaviors:\n  preSignUp: {duration: 1s}\n")
    execute(session, "repeat 2 sign-up users t{i}")
    refusal = next(r.data for r in session.sim.trace.records if r.kind == "user.refused")
    assert refusal["username"] == "t2"
    assert refusal["message"] == (
        "PreSignUp invocation failed due to error TooManyRequestsException."
    )
    execute(session, "advance 2s")
    assert list(session.sim.services["user_pools"].pools["users"].users) == ["t1"]


def test_a_detached_operation_ends_as_the_command_would(tmp_path: Path) -> None:
    """The same lines, run as commands and under repeat, end in the same users, the same
    hook events and the same user.* records."""
    hooks = ("preAuthentication", "preTokenGeneration", "customMessage", "postConfirmation")
    lines = [
        "sign-up users ann --attr email=ann@example.com --password Passw0rd-long!",
        "confirm-sign-up users ann",
        "sign-in users ann",
        "forgot-password users ann",
        "confirm-forgot-password users ann N3w-passw0rd!",
        "admin-create-user users carol --attr email=carol@example.com",
    ]
    ends = []
    for detached, root in ((False, tmp_path / "a"), (True, tmp_path / "b")):
        root.mkdir()
        session = session_of(root, stack(*hooks), record_events(*hooks))
        for line in lines:
            execute(session, f"repeat 1 {line}" if detached else line)
            execute(session, "advance 1s")
        made = session.sim.services["user_pools"].pools["users"].users
        kinds = [
            (r.kind, r.data.get("via"), r.data.get("user_status"))
            for r in session.sim.trace.records
            if r.kind.startswith("user.")
        ]
        events = [(e["triggerSource"], e["userName"]) for e in sent_events(session)]
        ends.append(({n: u.status for n, u in made.items()}, kinds, events))
    assert ends[0] == ends[1]
    assert len(ends[0][1]) == len(lines)


# -- custom authentication -----------------------------------------------------------------

CUSTOM_HOOKS = ("defineAuthChallenge", "createAuthChallenge", "verifyAuthChallengeResponse")
# define: a challenge first, tokens once an answer was right, a refusal after two wrong ones;
# create: the code 7 and a hint; verify: the answer against the code.
CUSTOM_BEHAVIORS = record_events(
    "preAuthentication",
    "postAuthentication",
    *CUSTOM_HOOKS,
    defineAuthChallenge=(
        "response: \"merge(@, {response: {challengeName: 'CUSTOM_CHALLENGE', "
        "issueTokens: length(request.session) > `0` && request.session[-1].challengeResult, "
        "failAuthentication: length(request.session) >= `2` "
        '&& !(request.session[-1].challengeResult)}})"'
    ),
    createAuthChallenge=(
        "response: \"merge(@, {response: {publicChallengeParameters: {hint: 'a digit'}, "
        "privateChallengeParameters: {code: '7'}, challengeMetadata: 'DIGIT'}})\""
    ),
    verifyAuthChallengeResponse=(
        'response: "merge(@, {response: {answerCorrect: '
        'request.challengeAnswer == request.privateChallengeParameters.code}})"'
    ),
)


# The pool's hooks CUSTOM_BEHAVIORS gives behaviours to.
CUSTOM_POOL_HOOKS = ("preAuthentication", "postAuthentication", *CUSTOM_HOOKS)


def custom_session(tmp_path: Path) -> Session:
    session = session_of(tmp_path, stack(*CUSTOM_POOL_HOOKS), CUSTOM_BEHAVIORS)
    confirmed(session, "ann")
    return session


def test_a_custom_sign_in_asks_defines_and_issues_tokens(tmp_path: Path) -> None:
    session = custom_session(tmp_path)
    out = execute(session, "sign-in users ann --custom")
    assert out.text.splitlines()[0] == (
        'challenge CUSTOM_CHALLENGE {"hint":"a digit"}: answer it with answer-challenge users '
        "ann ANSWER"
    )
    assert out.data["public_challenge_parameters"] == {"hint": "a digit"}
    assert out.data["claims"] is None
    pre, define, create = sent_events(session)
    assert pre["triggerSource"] == "PreAuthentication_Authentication"
    assert define["triggerSource"] == "DefineAuthChallenge_Authentication"
    assert define["request"]["session"] == []
    assert define["request"]["userNotFound"] is False
    # Cognito sends the three null (captured DefineAuthChallenge events), not false.
    assert define["response"] == {
        "challengeName": None,
        "issueTokens": None,
        "failAuthentication": None,
    }
    assert create["triggerSource"] == "CreateAuthChallenge_Authentication"
    assert create["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    wrong = execute(session, "answer-challenge users ann 3")
    assert wrong.data["challenge"] == "CUSTOM_CHALLENGE"
    verify, define2, _create2 = sent_events(session)[3:]
    assert verify["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert verify["request"]["privateChallengeParameters"] == {"code": "7"}
    assert verify["request"]["challengeAnswer"] == "3"
    assert verify["response"] == {"answerCorrect": None}
    assert define2["request"]["session"] == [
        {
            "challengeName": "CUSTOM_CHALLENGE",
            "challengeResult": False,
            "challengeMetadata": "DIGIT",
        }
    ]
    right = execute(session, "answer-challenge users ann 7")
    assert right.data["hooks"] == [
        "verifyAuthChallengeResponse",
        "defineAuthChallenge",
        "postAuthentication",
    ]
    assert right.data["claims"]["cognito:username"] == "ann"
    answered = [r.data for r in session.sim.trace.records if r.kind == "user.challenge_answered"]
    assert [a["answer_correct"] for a in answered] == [False, True]
    signed = [r.data for r in session.sim.trace.records if r.kind == "user.signed_in"]
    assert [(s["challenge"], s["flow"]) for s in signed] == [
        ("CUSTOM_CHALLENGE", "CUSTOM_AUTH"),
        ("CUSTOM_CHALLENGE", "CUSTOM_AUTH"),
        (None, "CUSTOM_AUTH"),
    ]
    # The session is over: answering again is Cognito's refusal.
    assert refused(session, "answer-challenge users ann 7") == (
        "NotAuthorizedException: Invalid session for the user."
    )


def test_define_can_fail_the_sign_in(tmp_path: Path) -> None:
    session = custom_session(tmp_path)
    execute(session, "sign-in users ann --custom")
    execute(session, "answer-challenge users ann 1")
    out = execute(session, "answer-challenge users ann 2")
    assert out.text.splitlines()[0] == (
        "refused: NotAuthorizedException: Incorrect username or password."
    )
    record = [r for r in session.sim.trace.records if r.kind == "user.refused"][-1]
    assert record.data["operation"] == "RespondToAuthChallenge"
    assert user(session, "ann").claims is None
    assert refused(session, "answer-challenge users ann 7").startswith(
        "NotAuthorizedException: Invalid session"
    )


def test_a_challenge_waits_three_minutes(tmp_path: Path) -> None:
    session = custom_session(tmp_path)
    execute(session, "sign-in users ann --custom")
    execute(session, "advance 3m")
    assert refused(session, "answer-challenge users ann 7") == (
        "NotAuthorizedException: Invalid session for the user, session is expired."
    )
    # A new sign-in asks again.
    execute(session, "sign-in users ann --custom")
    assert execute(session, "answer-challenge users ann 7").data["claims"] is not None


@pytest.mark.parametrize(
    ("hooks", "behaviors", "line", "error"),
    [
        (
            (),
            "behaviors: {}\n",
            "sign-in users ann --custom",
            "InvalidParameterException: Custom auth lambda trigger is not configured for the "
            "user pool.",
        ),
        (
            CUSTOM_POOL_HOOKS,
            CUSTOM_BEHAVIORS,
            "sign-in users nobody --custom",
            "User does not exist.",
        ),
        (
            CUSTOM_POOL_HOOKS,
            CUSTOM_BEHAVIORS,
            "sign-in users ann --custom --password x",
            "--custom takes no --password",
        ),
        (CUSTOM_POOL_HOOKS, CUSTOM_BEHAVIORS, "sign-in users ann --custom --refresh", "two flows"),
    ],
    ids=["no-define-hook", "unknown-user", "with-password", "two-flows"],
)
def test_custom_sign_in_refusals_change_nothing(
    tmp_path: Path, hooks: tuple[str, ...], behaviors: str, line: str, error: str
) -> None:
    session = session_of(tmp_path, stack(*hooks), behaviors)
    confirmed(session, "ann")
    assert error in refused(session, line)


def test_a_define_answer_stptui_cannot_read_refuses(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("defineAuthChallenge"), "behaviors: {}\n")
    confirmed(session, "ann")
    # A define hook without a behaviour returns the event unchanged: no decision.
    out = execute(session, "sign-in users ann --custom")
    assert out.data["error"] == "InvalidLambdaResponseException"
    assert out.data["hook"] == "defineAuthChallenge"
    assert user(session, "ann").challenge is None
