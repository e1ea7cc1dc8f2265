"""User pools and their hooks: the config's `hooks`, the graph's edges, and the commands that
sign users up, confirm them, create them and sign them in, running the hooks as Cognito
does (their events, their answers, their refusals, the 5 s limit), with the ID token that
`http --user` sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lintkit import load, one
from rich.text import Text
from session_checks import assert_replays, run_line, write_stack

from stptui.commands import CommandError, Session, execute
from stptui.graph import build_graph, edge_label
from stptui.sim import cognito
from stptui.sim.clock import parse_instant
from stptui.tui.widgets.inspector_users import users_section

START = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def fn(name: str, *lines: str) -> str:
    props = "".join(f"      {line}\n" for line in lines)
    return f"  {name}:\n    type: function\n    properties:\n      {PKG}\n{props}"


# Usernames of the pool's own choosing: Stacktape's default pool takes only emails and
# phone numbers (test_usernames_are_emails_or_phone_numbers_by_default).
PLAIN_USERNAMES = "      allowEmailAsUserName: false\n      allowPhoneNumberAsUserName: false\n"


def pool(*hooks: str, extra: str = PLAIN_USERNAMES) -> str:
    """A pool named `users` whose hooks each name the function of the same name."""
    lines = "".join(f"        {h}: $ResourceParam('{h}', 'arn')\n" for h in hooks)
    return f"  users:\n    type: user-auth-pool\n    properties:\n{extra}      hooks:\n{lines}"


def stack(*hooks: str, extra: str = "", more: str = "") -> str:
    extra = PLAIN_USERNAMES + extra
    return (
        "resources:\n"
        + pool(*hooks, extra=extra)
        + "  events: {type: sqs-queue}\n"
        + "".join(fn(h, "connectTo: [events]") for h in hooks)
        + more
    )


# Each hook sends the event it got to `events`, so that a test can read it.
def record_events(*hooks: str, **extra: str) -> str:
    lines = ["behaviors:"]
    for h in hooks:
        lines += [
            f"  {h}:",
            "    duration: 10ms",
            "    emit:",
            "      - send: {queue: events, body: 'to_string(@)'}",
        ]
        if h in extra:
            lines.append(f"    {extra[h]}")
    return "\n".join(lines) + "\n"


def session_of(tmp_path: Path, text: str, behaviors: str) -> Session:
    path = write_stack(tmp_path, text, behaviors)
    return Session.open(path, start_ms=START)


def sent_events(session: Session) -> list[dict]:
    queue = session.sim.queues["events"]
    return [json.loads(m.body) for m in queue.listing()]


def users(session: Session) -> dict[str, cognito.User]:
    return session.sim.services["user_pools"].pools["users"].users


# -- config and graph ---------------------------------------------------------------------


def test_hooks_are_read_and_drawn_as_labelled_edges() -> None:
    s = load(stack("preSignUp", "postConfirmation"))
    g = build_graph(s)
    labels = sorted(edge_label(d) for _, _, d in g.out_edges("users", data=True))
    assert labels == ["hook(postConfirmation)", "hook(preSignUp)"]
    assert sorted(v for _, v in g.out_edges("users")) == ["postConfirmation", "preSignUp"]


def test_a_hook_that_names_a_queue_is_an_error_at_its_line() -> None:
    text = """\
    resources:
      q: {type: sqs-queue}
      users:
        type: user-auth-pool
        properties:
          hooks:
            preSignUp: $ResourceParam('q', 'arn')
    """
    d = one(text, "wrong-resource-type")
    assert "hooks.preSignUp 'q' is a sqs-queue" in d.message or "hooks.preSignUp" in d.message
    assert d.line == 7


def test_a_literal_arn_of_no_function_of_the_stack_is_an_error() -> None:
    text = """\
    resources:
      users:
        type: user-auth-pool
        properties:
          hooks:
            postConfirmation: arn:aws:lambda:us-east-1:123456789012:function:elsewhere
    """
    d = one(text, "missing-resource")
    assert "not the ARN of a function of this stack" in d.message
    assert d.line == 6


def test_an_unknown_hook_gets_a_did_you_mean() -> None:
    text = """\
    resources:
      f:
        type: function
        properties:
          {PKG}
      users:
        type: user-auth-pool
        properties:
          hooks:
            preSignup: $ResourceParam('f', 'arn')
    """
    d = one(text, "unknown-property")
    assert d.hint == "did you mean `preSignUp`?"


def test_custom_auth_hooks_are_drawn_and_validate_without_a_warning() -> None:
    text = stack("defineAuthChallenge")
    # The stack's `events` queue has no consumer, which is all validate says.
    assert [d.code for d in load(text).diagnostics] == ["queue-no-consumer"]
    g = build_graph(load(text))
    assert [v for _, v in g.out_edges("users")] == ["defineAuthChallenge"]


@pytest.mark.parametrize(
    "hooks",
    ["[a]", "7", "{preSignUp: 7}", "{preSignUp: [x]}", "{preSignUp: null}", "{7: x}", "''"],
)
def test_hooks_of_any_shape_get_diagnostics_not_a_traceback(hooks: str) -> None:
    text = (
        f"resources:\n  users:\n    type: user-auth-pool\n    properties:\n      hooks: {hooks}\n"
    )
    s = load(text)
    assert build_graph(s).out_degree("users") == 0
    if hooks not in ("''",):
        assert any(d.severity == "error" for d in s.diagnostics), hooks


# -- sign-up and confirmation ---------------------------------------------------------------


def test_pre_sign_up_gets_cognitos_event_and_can_auto_confirm(tmp_path: Path) -> None:
    confirm = (
        'response: "merge(@, {response: {autoConfirmUser: ends_with(request.userAttributes'
        ".email, '@example.com'), autoVerifyEmail: ends_with(request.userAttributes.email, "
        "'@example.com')}})\""
    )
    session = session_of(
        tmp_path,
        stack("preSignUp", "postConfirmation"),
        record_events("preSignUp", "postConfirmation", preSignUp=confirm),
    )
    out = execute(session, "sign-up users ann --attr email=ann@example.com")
    assert "CONFIRMED" in out.text.splitlines()[0]
    pre, post = sent_events(session)
    client = session.sim.resource_param("users", "clientId")
    assert pre == {
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": "us-east-1",
        "userPoolId": session.sim.resource_param("users", "id"),
        "userName": "ann",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
        "request": {"userAttributes": {"email": "ann@example.com"}, "validationData": None},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }
    assert post["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    user = users(session)["ann"]
    assert post["request"]["userAttributes"] == {
        "sub": user.sub,
        "email": "ann@example.com",
        "cognito:user_status": "CONFIRMED",
        "email_verified": "true",
    }
    # Another address is left UNCONFIRMED, sent a code; confirming runs postConfirmation.
    execute(session, "sign-up users bob --attr email=bob@other.org")
    assert users(session)["bob"].status == "UNCONFIRMED"
    assert users(session)["bob"].email_verified is False
    execute(session, "confirm-sign-up users bob")
    assert users(session)["bob"].status == "CONFIRMED"
    assert users(session)["bob"].email_verified is True
    assert [e["triggerSource"] for e in sent_events(session)][-1] == (
        "PostConfirmation_ConfirmSignUp"
    )


def test_a_failing_pre_sign_up_refuses_in_cognitos_words_and_makes_no_user(
    tmp_path: Path,
) -> None:
    fail = "fail: {when: \"ends_with(request.userAttributes.email, '.io')\", message: 'no .io'}"
    session = session_of(tmp_path, stack("preSignUp"), record_events("preSignUp", preSignUp=fail))
    out = execute(session, "sign-up users eve --attr email=eve@x.io")
    assert out.text.splitlines()[0] == (
        "refused (hook preSignUp): UserLambdaValidationException: "
        "PreSignUp failed with error no .io."
    )
    assert "eve" not in users(session)
    assert out.data["refused"] is True
    refused = [r for r in session.sim.trace.records if r.kind == "user.refused"]
    assert refused[0].data["operation"] == "SignUp"
    assert refused[0].data["sub"] is None


def test_a_pre_sign_up_that_times_out_within_5_s_refuses_with_lambdas_message(
    tmp_path: Path,
) -> None:
    # The function's own 2 s timeout comes before Cognito's 5 s wait: Cognito refuses with
    # the errorMessage Lambda answers, which names the request (docs/fidelity.md, "Timeouts").
    text = stack("preSignUp").replace(
        "  preSignUp:\n    type: function\n    properties:\n",
        "  preSignUp:\n    type: function\n    properties:\n      timeout: 2\n",
    )
    session = session_of(tmp_path, text, "behaviors:\n  preSignUp: {timeout: true}\n")
    out = execute(session, "sign-up users eve --attr email=eve@example.com")
    [request_id] = out.data["invocation_ids"]
    assert out.text.splitlines()[0] == (
        "refused (hook preSignUp): UserLambdaValidationException: PreSignUp failed with error "
        f"RequestId: {request_id} Error: Task timed out after 2.00 seconds."
    )
    assert "eve" not in users(session)


def test_a_failing_post_confirmation_leaves_the_user_confirmed(tmp_path: Path) -> None:
    session = session_of(
        tmp_path, stack("postConfirmation"), "behaviors:\n  postConfirmation: {fail: true}\n"
    )
    execute(session, "sign-up users bob --attr email=bob@example.com")
    out = execute(session, "confirm-sign-up users bob")
    assert out.text.startswith(
        "refused (hook postConfirmation): UserLambdaValidationException: PostConfirmation "
        "failed with error"
    )
    assert users(session)["bob"].status == "CONFIRMED"
    # Confirming again is Cognito's own refusal: nothing changes.
    assert run_line(session, "confirm-sign-up users bob") is None


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab1!", "Password not long enough"),
        ("ABCDEFG1!", "Password must have lowercase characters"),
        ("abcdefg1!", "Password must have uppercase characters"),
        ("Abcdefgh!", "Password must have numeric characters"),
        ("Abcdefgh1", "Password must have symbol characters"),
    ],
)
def test_cognitos_default_policy_refuses_weak_passwords_and_changes_nothing(
    tmp_path: Path, password: str, why: str
) -> None:
    session = session_of(tmp_path, stack("preSignUp"), "behaviors: {}\n")
    with pytest.raises(CommandError) as info:
        execute(session, f"sign-up users ann --password '{password}'")
    assert str(info.value) == (
        f"InvalidPasswordException: Password did not conform with policy: {why}"
    )
    assert session.sim.trace.seq == 0


def test_a_written_policy_requires_only_what_it_says(tmp_path: Path) -> None:
    extra = "      passwordPolicy: {minimumLength: 12, requireNumbers: true}\n"
    session = session_of(tmp_path, stack("preSignUp", extra=extra), "behaviors: {}\n")
    assert run_line(session, "sign-up users a --password abcdefghijk1") is not None
    assert run_line(session, "sign-up users b --password abcdefghij1") is None


def test_admins_only_refuses_self_sign_up(tmp_path: Path) -> None:
    extra = "      allowOnlyAdminsToCreateAccount: true\n"
    session = session_of(tmp_path, stack("preSignUp", extra=extra), "behaviors: {}\n")
    with pytest.raises(CommandError, match=r"SignUp is not permitted for this user pool\."):
        execute(session, "sign-up users ann")
    out = execute(session, "admin-create-user users ann --attr email=ann@example.com")
    assert users(session)["ann"].status == "FORCE_CHANGE_PASSWORD"
    assert out.data["temporary_password"]


def test_a_hook_slower_than_5_s_is_tried_3_times_then_refused(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("preSignUp"), "behaviors:\n  preSignUp: {duration: 6s}\n")
    out = execute(session, "sign-up users ann")
    assert out.data["error"] == "UnexpectedLambdaException"
    assert out.data["message"] == (
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function."
    )
    assert len(out.data["invocation_ids"]) == 3
    assert session.sim.clock.now == START + 15_000
    assert "ann" not in users(session)


# -- sign-in and tokens -----------------------------------------------------------------------


API = """\
  api: {type: http-api-gateway, properties: {payloadFormat: '2.0'}}
  me:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: http-api-gateway
          properties:
            httpApiGatewayName: api
            path: /me
            method: GET
            authorizer: {type: cognito, properties: {userPoolName: users}}
"""
TOKEN_HOOK = (
    'response: "merge(@, {response: {claimsOverrideDetails: {claimsToAddOrOverride: '
    "{plan: 'pro', sub: 'forged'}, claimsToSuppress: ['email_verified']}}})\""
)
ME = '  me:\n    response: "{statusCode: `200`, body: to_string(requestContext.authorizer)}"\n'


def test_sign_in_runs_the_hooks_in_order_and_http_user_sends_the_claims(
    tmp_path: Path,
) -> None:
    hooks = ("preAuthentication", "postAuthentication", "preTokenGeneration")
    behaviors = record_events(*hooks, preTokenGeneration=TOKEN_HOOK) + ME
    session = session_of(tmp_path, stack(*hooks, more=API), behaviors)
    execute(session, "sign-up users ann --attr email=ann@example.com")
    execute(session, "confirm-sign-up users ann")
    out = execute(session, "sign-in users ann")
    assert out.text.splitlines()[0].endswith("claims +plan -email_verified")
    sources = [e["triggerSource"] for e in sent_events(session)]
    assert sources == [
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
        "TokenGeneration_Authentication",
    ]
    token_event = sent_events(session)[2]
    assert token_event["request"]["groupConfiguration"] == {
        "groupsToOverride": [],
        "iamRolesToOverride": [],
        "preferredRole": None,
    }
    response = execute(session, "http GET /me --user ann")
    claims = json.loads(response.data["body"])["jwt"]["claims"]
    sub = users(session)["ann"].sub
    assert claims["plan"] == "pro"
    assert claims["sub"] == sub  # a protected claim: the hook cannot forge it
    assert "email_verified" not in claims
    assert claims["cognito:username"] == "ann"
    assert claims["email"] == "ann@example.com"


def test_sign_in_refusals(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("preAuthentication", more=API), "behaviors: {}\n")
    execute(session, "sign-up users bob --attr email=bob@example.com")
    out = execute(session, "sign-in users bob")
    assert out.data["error"] == "UserNotConfirmedException"
    execute(session, "confirm-sign-up users bob")
    out = execute(session, "sign-in users bob --password Not-The-0ne")
    assert out.data["message"] == "Incorrect username or password."
    assert out.data["hooks"] == ["preAuthentication"]
    with pytest.raises(CommandError, match=r"UserNotFoundException: User does not exist\."):
        execute(session, "sign-in users nobody")
    with pytest.raises(CommandError, match="has not signed in"):
        execute(session, "http GET /me --user bob")


def test_an_administrators_user_answers_new_password_required(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("preTokenGeneration"), "behaviors: {}\n")
    execute(session, "admin-create-user users carol --attr email=carol@example.com")
    out = execute(session, "sign-in users carol")
    assert out.data["challenge"] == "NEW_PASSWORD_REQUIRED"
    assert users(session)["carol"].claims is None
    with pytest.raises(CommandError, match="InvalidPasswordException"):
        execute(session, "sign-in users carol --new-password weak")
    out = execute(session, "sign-in users carol --new-password 'Str0ng-enough!'")
    assert out.data["claims"]["cognito:username"] == "carol"
    assert users(session)["carol"].status == "CONFIRMED"


def test_user_migration_brings_in_an_unknown_user(tmp_path: Path) -> None:
    migrate = (
        "response: \"merge(@, {response: {userAttributes: {email: 'old@example.com'}, "
        "finalUserStatus: 'CONFIRMED'}})\""
    )
    session = session_of(
        tmp_path, stack("userMigration"), record_events("userMigration", userMigration=migrate)
    )
    out = execute(session, "sign-in users legacy --password Legacy-Passw0rd")
    assert out.data["refused"] is False
    event = sent_events(session)[0]
    assert event["triggerSource"] == "UserMigration_Authentication"
    assert event["request"] == {"password": "Legacy-Passw0rd", "validationData": None}
    assert users(session)["legacy"].attributes == {"email": "old@example.com"}


# -- trace, explain, save/load, views -------------------------------------------------------


def test_explain_follows_a_user_to_what_its_hooks_sent(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("postConfirmation"), record_events("postConfirmation"))
    execute(session, "sign-up users bob --attr email=bob@example.com")
    execute(session, "confirm-sign-up users bob")
    for key in ("bob", users(session)["bob"].sub):
        kinds = [r["kind"] for r in execute(session, f"explain {key}").data["records"]]
        assert kinds == [
            "user.signed_up",
            "invocation.started",
            "invocation.succeeded",
            "message.sent",
            "user.confirmed",
        ]


def test_users_replay_through_save_and_load(tmp_path: Path) -> None:
    path = write_stack(
        tmp_path,
        stack("preSignUp", "preTokenGeneration"),
        record_events("preSignUp", "preTokenGeneration", preTokenGeneration=TOKEN_HOOK),
    )

    def drive(session: Session) -> None:
        execute(session, "sign-up users ann --attr email=ann@example.com")
        execute(session, "confirm-sign-up users ann")
        execute(session, "admin-create-user users carol")
        execute(session, "sign-in users ann")

    first, loaded = assert_replays(path, START, drive, ["show users users"])
    assert users(loaded)["ann"].claims == users(first)["ann"].claims


def test_show_users_and_the_inspector_list_hooks_and_users(tmp_path: Path) -> None:
    text = stack("preSignUp", "defineAuthChallenge")
    session = session_of(tmp_path, text, "behaviors: {}\n")
    execute(session, "sign-up users 'a[b]' --attr email=a@example.com")
    out = execute(session, "show users")
    assert out.text.startswith("users: hooks preSignUp -> preSignUp, defineAuthChallenge")
    assert out.table is not None and out.table[1][0][:2] == ["a[b]", "UNCONFIRMED"]
    page = Text()
    users_section(page, session.sim, "users")
    assert "defineAuthChallenge -> defineAuthChallenge\n" in page.plain
    assert "a[b] UNCONFIRMED" in page.plain


def test_bad_attributes_and_unknown_pools_change_nothing(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("preSignUp"), "behaviors: {}\n")
    for line in (
        "sign-up users ann --attr email",
        "sign-up users ann --attr sub=x",
        "sign-up nopool ann",
        "sign-in users ann",
        "confirm-sign-up users ann",
    ):
        assert run_line(session, line) is None


# -- pure rules ---------------------------------------------------------------------------


@given(
    st.integers(min_value=6, max_value=99),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.text(min_size=1, max_size=12),
)
def test_the_made_up_password_always_satisfies_the_policy(
    length: int, lower: bool, upper: bool, numbers: bool, symbols: bool, stem: str
) -> None:
    policy = cognito.policy_of(
        {
            "minimumLength": length,
            "requireLowercase": lower,
            "requireUppercase": upper,
            "requireNumbers": numbers,
            "requireSymbols": symbols,
        }
    )
    password = cognito.conforming_password(policy, stem)
    assert cognito.password_problem(policy, password) is None
    assert cognito.password_problem(policy, password[: length - 1]) == (
        "Password did not conform with policy: Password not long enough"
    )


# -- usernames that are emails or phone numbers (Stacktape's UsernameAttributes) ----------


def login_stack(*hooks: str, extra: str = "") -> str:
    """`stack` with Stacktape's default pool: UsernameAttributes phone_number and email."""
    return (
        "resources:\n"
        + pool(*hooks, extra=extra)
        + "  events: {type: sqs-queue}\n"
        + "".join(fn(h, "connectTo: [events]") for h in hooks)
        + API
    )


def test_usernames_are_emails_or_phone_numbers_by_default(tmp_path: Path) -> None:
    hooks = ("preSignUp", "preTokenGeneration")
    session = session_of(tmp_path, login_stack(*hooks), record_events(*hooks) + ME)
    assert run_line(session, "sign-up users ann") is None  # refused, changing nothing
    with pytest.raises(CommandError, match=r"Username should be either an email or a phone"):
        execute(session, "sign-up users ann")
    out = execute(session, "sign-up users ann@example.com --attr name=Ann")
    (user,) = users(session).values()
    # Cognito's username is a generated UUID, the user's sub; the email is its attribute.
    assert user.username == user.sub == out.data["username"]
    assert user.attributes == {"name": "Ann", "email": "ann@example.com"}
    assert out.text.startswith(f"signed up ann@example.com (sub {user.sub}): UNCONFIRMED")
    event = sent_events(session)[0]
    assert event["userName"] == user.sub
    assert event["request"]["userAttributes"]["email"] == "ann@example.com"
    with pytest.raises(CommandError, match=r"An account with the given email already exists\."):
        execute(session, "sign-up users ann@example.com")
    with pytest.raises(CommandError, match=r"User email should be empty or same as username"):
        execute(session, "sign-up users bob@example.com --attr email=other@example.com")
    # The email names the user in every later call, as Cognito resolves it.
    execute(session, "confirm-sign-up users ann@example.com")
    execute(session, "sign-in users ann@example.com")
    response = execute(session, "http GET /me --user ann@example.com")
    claims = json.loads(response.data["body"])["jwt"]["claims"]
    assert claims["cognito:username"] == user.sub
    assert claims["email"] == "ann@example.com"
    kinds = [r["kind"] for r in execute(session, "explain ann@example.com").data["records"]]
    assert "user.signed_up" in kinds and "user.signed_in" in kinds
    assert "usernames: email or phone number" in execute(session, "show users").text
    page = Text()
    users_section(page, session.sim, "users")
    assert "ann@example.com CONFIRMED" in page.plain
    phone = execute(session, "admin-create-user users +15550100")
    assert phone.data["alias"] == "+15550100"
    assert users(session)[phone.data["username"]].attributes == {"phone_number": "+15550100"}


def test_hook_events_name_the_users_login_alias(tmp_path: Path) -> None:
    # Events Cognito sent in pools whose usernames are emails (or phone numbers) carry the
    # address a user that signed up signs in with as `cognito:email_alias`
    # (`cognito:phone_number_alias`); those of an administrator's user do not.
    hooks = ("postConfirmation", "preTokenGeneration")
    session = session_of(tmp_path, login_stack(*hooks), record_events(*hooks) + ME)
    for name in ("ann@example.com", "+15550100"):
        execute(session, f"sign-up users {name}")
        execute(session, f"confirm-sign-up users {name}")
        execute(session, f"sign-in users {name}")
    execute(session, "admin-create-user users carl@example.com")
    execute(session, "sign-in users carl@example.com --new-password Fr3sh-start!")
    attrs = [e["request"]["userAttributes"] for e in sent_events(session)]
    confirmed, token, _phone_confirmed, phone_token, admins = attrs
    assert confirmed["cognito:email_alias"] == token["cognito:email_alias"] == "ann@example.com"
    assert list(token)[:3] == ["sub", "cognito:email_alias", "email"]
    assert phone_token["cognito:phone_number_alias"] == "+15550100"
    assert "cognito:email_alias" not in phone_token
    assert admins["email"] == "carl@example.com"
    assert not any(k.endswith("_alias") for k in admins)
    # Usernames of the user's own choosing have no such alias.
    plain = session_of(tmp_path, stack("preTokenGeneration"), record_events("preTokenGeneration"))
    execute(plain, "sign-up users bob --attr email=bob@example.com")
    execute(plain, "confirm-sign-up users bob")
    execute(plain, "sign-in users bob")
    (event,) = sent_events(plain)
    assert not any(k.endswith("_alias") for k in event["request"]["userAttributes"])


def test_a_pool_of_emails_only_refuses_a_phone_number(tmp_path: Path) -> None:
    extra = "      allowPhoneNumberAsUserName: false\n"
    session = session_of(tmp_path, login_stack(extra=extra), "behaviors: {}\n")
    with pytest.raises(CommandError, match=r"InvalidParameterException: Username should be an "):
        execute(session, "sign-up users +15550100")
    assert execute(session, "sign-up users a@example.com").data["refused"] is False


def test_the_id_token_has_cognitos_claims_in_their_order(tmp_path: Path) -> None:
    session = session_of(tmp_path, stack("preTokenGeneration"), "behaviors: {}\n")
    execute(session, "sign-up users ann --attr email=ann@example.com")
    execute(session, "confirm-sign-up users ann")
    claims = execute(session, "sign-in users ann").data["claims"]
    assert list(claims) == [
        "sub",
        "email_verified",
        "iss",
        "cognito:username",
        "origin_jti",
        "aud",
        "event_id",
        "token_use",
        "auth_time",
        "exp",
        "iat",
        "jti",
        "email",
    ]
    assert len({claims["origin_jti"], claims["event_id"], claims["jti"]}) == 3


def test_a_user_migrated_as_reset_required_must_reset_its_password(tmp_path: Path) -> None:
    migrate = (
        "response: \"merge(@, {response: {userAttributes: {email: 'old@example.com'}, "
        "finalUserStatus: 'RESET_REQUIRED'}})\""
    )
    hooks = ("userMigration", "postAuthentication")
    session = session_of(tmp_path, stack(*hooks), record_events(*hooks, userMigration=migrate))
    out = execute(session, "sign-in users legacy --password Legacy-Passw0rd")
    assert out.data["error"] == "PasswordResetRequiredException"
    assert out.data["message"] == "Password reset required for the user"
    assert out.data["hooks"] == ["userMigration"]  # no postAuthentication, no token
    assert users(session)["legacy"].claims is None
