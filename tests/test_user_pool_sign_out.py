"""Signing out and revoking tokens (GlobalSignOut, AdminUserGlobalSignOut, RevokeToken): what
each revokes, Cognito's refusals of the revoked refresh and access tokens, the HTTP API's JWT
authorizer that still lets the revoked ID token in until it expires (and its trace saying
why), and undo, redo, reload and saved sessions replaying it all."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from session_checks import assert_replays, refused, write_stack

from stptui.commands import CommandError, Session, execute
from stptui.sim.clock import parse_instant

START = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"
# A pool of usernames of the user's choosing, and an HTTP API route its JWT authorizer guards.
STACK = f"""\
resources:
  users:
    type: user-auth-pool
    properties:
      allowEmailAsUserName: false
      allowPhoneNumberAsUserName: false
  api:
    type: http-api-gateway
    properties: {{payloadFormat: '2.0'}}
  profile:
    type: function
    properties:
      {PKG}
      events:
        - type: http-api-gateway
          properties:
            httpApiGatewayName: api
            path: /me
            method: GET
            authorizer: {{type: cognito, properties: {{userPoolName: users}}}}
"""


def stack_file(tmp_path: Path) -> Path:
    return write_stack(tmp_path, STACK, "behaviors: {}\n")


def opened(tmp_path: Path, *users: str) -> Session:
    """A session with `users` signed up and confirmed (none signed in)."""
    session = Session.open(stack_file(tmp_path), start_ms=START)
    for name in users:
        execute(session, f"sign-up users {name} --attr email={name}@example.com")
        execute(session, f"confirm-sign-up users {name}")
    return session


def revoked(session: Session) -> dict[str, str]:
    """The pool's revoked refresh tokens: origin_jti -> the operation that revoked it."""
    pool = session.sim.services["user_pools"].pools["users"]
    return {jti: r.operation for jti, r in pool.revoked.items()}


def origin_jti(session: Session, name: str) -> str:
    """The origin_jti of `name`'s last sign-in (its refresh token's id)."""
    user = session.sim.services["user_pools"].pools["users"].users[name]
    return user.session.origin_jti


def authorization(session: Session) -> dict[str, object]:
    """The newest http.authorization record's data."""
    return [r for r in session.sim.trace.records if r.kind == "http.authorization"][-1].data


def test_global_sign_out_revokes_every_refresh_token_of_the_user_alone(tmp_path: Path) -> None:
    session = opened(tmp_path, "ann", "bob")
    execute(session, "sign-in users ann")
    phone = origin_jti(session, "ann")
    execute(session, "sign-in users ann")
    laptop = origin_jti(session, "ann")
    execute(session, "sign-in users bob")
    out = execute(session, "global-sign-out users ann")
    assert out.text == (
        "signed ann out: revoked 2 refresh tokens and the ID and access tokens issued with "
        "them; an HTTP API's JWT authorizer accepts those until they expire"
    )
    assert out.data["origin_jtis"] == [phone, laptop]
    assert revoked(session) == {phone: "GlobalSignOut", laptop: "GlobalSignOut"}
    record = session.sim.trace.records[-1]
    assert (record.kind, record.resource, record.data["operation"]) == (
        "user.tokens_revoked",
        "users",
        "GlobalSignOut",
    )
    # Cognito refuses the revoked refresh token and access token, changing nothing.
    error = refused(session, "sign-in users ann --refresh")
    assert str(error).startswith("NotAuthorizedException: Refresh Token has been revoked")
    assert "GlobalSignOut revoked it" in str(error.hint)
    error = refused(session, "global-sign-out users ann")
    assert str(error).startswith("NotAuthorizedException: Access Token has been revoked")
    # bob's tokens are his own; a new sign-in gets ann a refresh token that works.
    assert execute(session, "sign-in users bob --refresh").data["refused"] is False
    execute(session, "sign-in users ann")
    assert execute(session, "sign-in users ann --refresh").data["refused"] is False


def test_revoke_token_revokes_only_the_last_sign_ins_refresh_token(tmp_path: Path) -> None:
    session = opened(tmp_path, "ann")
    execute(session, "sign-in users ann")
    first = origin_jti(session, "ann")
    execute(session, "sign-in users ann")
    last = origin_jti(session, "ann")
    out = execute(session, "revoke-token users ann")
    assert out.text.startswith("revoked ann's refresh token and the ID and access tokens")
    assert revoked(session) == {last: "RevokeToken"}
    # Again: already revoked, a success that changes nothing but its record.
    again = execute(session, "revoke-token users ann")
    assert again.text == "ann's refresh token was already revoked: nothing changed"
    assert again.data["origin_jtis"] == []
    # The administrator's sign-out revokes what is left: the first sign-in's.
    out = execute(session, "admin-user-global-sign-out users ann")
    assert out.data["origin_jtis"] == [first]
    assert revoked(session) == {last: "RevokeToken", first: "AdminUserGlobalSignOut"}
    out = execute(session, "admin-user-global-sign-out users ann")
    assert out.text == "signed ann out: it had no tokens left to revoke"
    kinds = [r.data["operation"] for r in session.sim.trace.records if r.kind.endswith("revoked")]
    assert kinds == ["RevokeToken"] * 2 + ["AdminUserGlobalSignOut"] * 2


def test_the_jwt_authorizer_lets_a_revoked_token_in_until_it_expires(tmp_path: Path) -> None:
    session = opened(tmp_path, "ann")
    execute(session, "sign-in users ann")
    execute(session, "http GET /me --user ann")
    # Not revoked: the verdict says nothing of revocation.
    assert authorization(session)["reason"] == "the token is valid (its signature is not checked)"
    execute(session, "global-sign-out users ann")
    out = execute(session, "http GET /me --user ann")
    assert out.data["status"] == 200
    data = authorization(session)
    assert data["decision"] == "allow"
    assert data["reason"] == (
        "the token is valid (its signature is not checked); its refresh token was revoked "
        "(GlobalSignOut at 2026-01-05T08:00:00.100Z), but a JWT authorizer does not check "
        "revocation: accepted until its exp, 2026-01-05T09:00:00Z"
    )
    # explain of the request id shows that reason.
    shown = execute(session, f"explain {data['request_id']}").text
    assert "does not check revocation" in shown
    execute(session, "advance 1h")
    assert execute(session, "http GET /me --user ann").data["status"] == 401
    assert authorization(session)["reason"].startswith("the token has expired")


def test_sign_out_refusals_change_nothing(tmp_path: Path) -> None:
    session = opened(tmp_path, "ann", "bob")
    error = refused(session, "global-sign-out users ann")
    assert str(error).startswith("NotAuthorizedException: Invalid Access Token")
    assert "sign-in users ann" in str(error.hint)
    error = refused(session, "revoke-token users ann")
    assert str(error).startswith("InvalidParameterException: the user has no refresh token")
    for line in ("global-sign-out users zed", "admin-user-global-sign-out users zed"):
        assert str(refused(session, line)).startswith("UserNotFoundException: User does not")
    assert str(refused(session, "revoke-token userz ann")).startswith(
        "ResourceNotFoundException: 'userz' is not a user-auth-pool"
    )
    # An access token an hour old has expired: only the administrator can sign ann out.
    execute(session, "sign-in users ann")
    execute(session, "advance 1h")
    error = refused(session, "global-sign-out users ann")
    assert str(error).startswith("NotAuthorizedException: Access Token has expired")
    assert revoked(session) == {}
    assert execute(session, "admin-user-global-sign-out users ann").data["origin_jtis"]
    # A user that never signed in is signed out by the administrator: nothing to revoke.
    out = execute(session, "admin-user-global-sign-out users bob")
    assert out.data["origin_jtis"] == []


def test_undo_redo_reload_and_saved_sessions_replay_sign_outs(tmp_path: Path) -> None:
    path = stack_file(tmp_path)

    def drive(session: Session) -> None:
        for line in (
            "sign-up users ann --attr email=ann@example.com",
            "confirm-sign-up users ann",
            "sign-in users ann",
            "sign-in users ann",
            "revoke-token users ann",
            "admin-user-global-sign-out users ann",
            "sign-in users ann",
            "global-sign-out users ann",
            "http GET /me --user ann",
        ):
            execute(session, line)

    first, loaded = assert_replays(path, START, drive, ["show users users"])
    assert revoked(loaded) == revoked(first) and len(revoked(first)) == 3
    before = revoked(first)
    execute(first, "undo 2")  # the request and the global sign-out
    assert len(revoked(first)) == 2
    execute(first, "redo 2")
    assert revoked(first) == before
    assert str(refused(first, "sign-in users ann --refresh")).startswith(
        "NotAuthorizedException: Refresh Token has been revoked"
    )
    execute(first, "undo 2")
    assert execute(first, "sign-in users ann --refresh").data["refused"] is False
    execute(first, "reload")
    assert len(revoked(first)) == 2


# A model of one user: whether it has signed in, and whether its tokens were revoked since.
_OPS = st.lists(
    st.sampled_from(
        ["sign-in", "refresh", "global-sign-out", "admin-user-global-sign-out", "revoke-token"]
    ),
    max_size=10,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_OPS)
def test_a_refresh_works_exactly_while_no_sign_out_followed_the_last_sign_in(
    tmp_path_factory: pytest.TempPathFactory, ops: list[str]
) -> None:
    stack = write_stack(tmp_path_factory.mktemp("ops"), STACK, "behaviors: {}\n")
    session = Session.open(stack, start_ms=START)
    execute(session, "sign-up users ann --attr email=ann@example.com")
    execute(session, "confirm-sign-up users ann")
    signed_in = revoked_since = False
    for op in ops:
        line = "sign-in users ann --refresh" if op == "refresh" else f"{op} users ann"
        # Cognito accepts the user's tokens exactly when a sign-in has not been revoked since.
        valid = signed_in and not revoked_since
        needs_token = op in ("refresh", "global-sign-out")
        try:
            execute(session, line)
            accepted = True
        except CommandError:
            accepted = False
        expected = valid if needs_token else (signed_in or op != "revoke-token")
        assert accepted == expected, (ops, op)
        if op == "sign-in":
            signed_in, revoked_since = True, False
        elif op != "refresh" and accepted:
            revoked_since = True
        # Whatever was revoked, the JWT authorizer lets a signed-in user's ID token in.
        if signed_in:
            assert execute(session, "http GET /me --user ann").data["status"] == 200
