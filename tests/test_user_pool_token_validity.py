"""A user pool's `accessTokenValiditySeconds` and `idTokenValiditySeconds`: hours as Cognito
reads them (Stacktape sends no TokenValidityUnits), their range checked by `validate`, and
the tokens' `exp`, the JWT authorizer, GlobalSignOut and `show users` following them; and
`refreshTokenValidityDays`, days, checked the same way and honoured by `sign-in --refresh`."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from session_checks import refused, write_stack

from stptui.commands import Session, execute
from stptui.commands.result import render_plain
from stptui.config import load_stack_text
from stptui.config.model import UserAuthPool
from stptui.sim.clock import parse_instant
from stptui.sim.services import http_auth

START = parse_instant("2026-01-05T08:00:00Z")
PKG = "packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}"


def stack(validity: str) -> str:
    """A pool with `validity` among its properties, and a route its JWT authorizer guards."""
    return f"""\
resources:
  users:
    type: user-auth-pool
    properties:
      allowEmailAsUserName: false
      allowPhoneNumberAsUserName: false
{validity}
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


SHORT_ID = "      idTokenValiditySeconds: 2\n      accessTokenValiditySeconds: 3"


def signed_in(tmp_path: Path, validity: str = SHORT_ID) -> Session:
    """A session on the stack with ann signed up, confirmed and signed in at START."""
    session = Session.open(
        write_stack(tmp_path, stack(validity), "behaviors: {}\n"), start_ms=START
    )
    execute(session, "sign-up users ann --attr email=ann@example.com")
    execute(session, "confirm-sign-up users ann")
    execute(session, "sign-in users ann")
    return session


def pool_of(validity: str) -> tuple[UserAuthPool, list[str]]:
    """The pool as read, and the diagnostics' `line:col code message`."""
    loaded = load_stack_text(stack(validity), "stacktape.yml")
    pool = loaded.resources["users"]
    assert isinstance(pool, UserAuthPool)
    shown = [f"{d.line}:{d.column} {d.code} {d.message}" for d in loaded.diagnostics]
    return pool, shown


def test_the_values_are_hours_and_default_to_one(tmp_path: Path) -> None:
    pool, diags = pool_of(SHORT_ID)
    assert (pool.id_token_s, pool.access_token_s, diags) == (7200, 10_800, [])
    pool, diags = pool_of("")
    assert (pool.id_token_s, pool.access_token_s, diags) == (3600, 3600, [])
    # 0 is falsy to Stacktape's `|| 1`: the app client gets the default hour, unreported.
    pool, diags = pool_of("      idTokenValiditySeconds: 0")
    assert (pool.id_token_s, diags) == (3600, [])


def test_each_token_expires_after_its_own_validity(tmp_path: Path) -> None:
    session = signed_in(tmp_path)
    out = execute(session, "sign-in users ann")
    start_s = START // 1000
    assert out.data["claims"]["exp"] == start_s + 7200
    assert out.data["access_claims"]["exp"] == start_s + 10_800
    # A refresh an hour on issues tokens that last as long again, from then.
    execute(session, "advance 1h")
    out = execute(session, "sign-in users ann --refresh")
    assert out.data["claims"]["exp"] == start_s + 3600 + 7200
    assert out.data["access_claims"]["exp"] == start_s + 3600 + 10_800


def test_the_jwt_authorizer_refuses_the_id_token_at_its_exp(tmp_path: Path) -> None:
    session = signed_in(tmp_path)
    execute(session, "advance 1h59m59s")
    assert execute(session, "http GET /me --user ann").data["status"] == 200
    execute(session, "advance 1s")
    assert execute(session, "http GET /me --user ann").data["status"] == 401
    iss, client = session.sim.services["http"].pool_identity("users")
    reason = [r for r in session.sim.trace.records if r.kind == "http.authorization"][-1]
    assert reason.data["reason"].startswith("the token has expired")
    # --jwt mints a token that lasts as long as the pool's ID tokens.
    header = session.sim.services["http"].token_header("GET", "/me", None, {"sub": "u1"})[1]
    now_s = session.sim.clock.now // 1000
    assert http_auth.jwt_verdict(header, iss, client, now_s + 7199)[0].status is None
    assert http_auth.jwt_verdict(header, iss, client, now_s + 7200)[0].status == 401


def test_global_sign_out_refuses_the_access_token_at_its_exp(tmp_path: Path) -> None:
    session = signed_in(tmp_path)
    # The ID token has expired (2h), the access token (3h) has not: the sign-out goes ahead.
    execute(session, "advance 2h")
    assert execute(session, "global-sign-out users ann").data["origin_jtis"]
    execute(session, "sign-in users ann")
    execute(session, "advance 3h")
    error = refused(session, "global-sign-out users ann")
    assert str(error).startswith("NotAuthorizedException: Access Token has expired")


def test_show_users_says_how_long_tokens_last(tmp_path: Path) -> None:
    out = execute(signed_in(tmp_path), "show users users")
    assert out.data["token_validity_s"] == {"id": 7200, "access": 10_800, "refresh": 2_592_000}
    assert "tokens last: ID 2h, access 3h" in render_plain(out)
    # The default hour goes unsaid.
    assert "tokens last" not in render_plain(execute(signed_in(tmp_path, ""), "show users"))


def test_values_cognito_or_stacktape_refuse_are_reported_where_written() -> None:
    pool, diags = pool_of("      accessTokenValiditySeconds: 300")
    assert pool.access_token_s == 3600
    assert diags == [
        "7:35 out-of-range `accessTokenValiditySeconds: 300`: Stacktape sends it to Cognito "
        "with no TokenValidityUnits, so it is 300 hours, over Cognito's limit of a day "
        "(InvalidParameterException: Invalid range for token validity)"
    ]
    pool, diags = pool_of("      idTokenValiditySeconds: 86401")
    assert pool.id_token_s == 3600
    assert diags == [
        "7:31 out-of-range `idTokenValiditySeconds: 86401`: Stacktape refuses it "
        "(`idTokenValiditySeconds` must be between 1 and 86400)"
    ]
    pool, diags = pool_of("      idTokenValiditySeconds: '2'")
    assert pool.id_token_s == 3600
    assert [d.split(" ")[1] for d in diags] == ["wrong-type"]


@given(st.integers(min_value=-100_000, max_value=100_000))
def test_every_value_either_applies_or_is_reported(hours: int) -> None:
    pool, diags = pool_of(f"      accessTokenValiditySeconds: {hours}")
    if 1 <= hours <= 24:
        assert (pool.access_token_s, diags) == (hours * 3600, [])
    else:
        assert pool.access_token_s == 3600
        assert [d.split(" ")[1] for d in diags] == ([] if hours == 0 else ["out-of-range"])


# -- refreshTokenValidityDays: days, as Cognito reads them ------------------------------------


def test_refresh_token_days_cognito_refuses_are_reported_where_written() -> None:
    pool, diags = pool_of("      refreshTokenValidityDays: 4000")
    assert pool.refresh_days == 30
    assert diags == [
        "7:33 out-of-range `refreshTokenValidityDays: 4000`: Stacktape sends it to Cognito "
        "with no TokenValidityUnits, so it is 4000 days, over Cognito's limit of 10 years "
        "(3650 days) (InvalidParameterException: Invalid range for token validity)"
    ]
    pool, diags = pool_of("      refreshTokenValidityDays: -2")
    assert pool.refresh_days == 30
    assert diags == [
        "7:33 out-of-range `refreshTokenValidityDays: -2`: a refresh token lasts at least "
        "Cognito's 60 minutes (InvalidParameterException: Invalid range for token validity)"
    ]
    pool, diags = pool_of("      refreshTokenValidityDays: 1.5")
    assert pool.refresh_days == 30
    assert [d.split(" ")[1] for d in diags] == ["wrong-type"]


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_every_refresh_validity_either_applies_or_is_reported(days: int) -> None:
    pool, diags = pool_of(f"      refreshTokenValidityDays: {days}")
    if 1 <= days <= 3650:
        assert (pool.refresh_days, diags) == (days, [])
    else:
        assert pool.refresh_days == 30
        assert [d.split(" ")[1] for d in diags] == ([] if days == 0 else ["out-of-range"])


def test_a_refresh_after_the_refresh_token_expired_is_refused(tmp_path: Path) -> None:
    session = signed_in(tmp_path, "      refreshTokenValidityDays: 2")
    assert execute(session, "show users users").data["token_validity_s"]["refresh"] == 172_800
    execute(session, "advance 47h59m59s")
    assert execute(session, "sign-in users ann --refresh").data["claims"]
    execute(session, "advance 1s")
    error = refused(session, "sign-in users ann --refresh")
    assert str(error).startswith("NotAuthorizedException: Refresh Token has expired")
    # A new sign-in starts a new refresh token, which lasts the pool's 2 days again.
    execute(session, "sign-in users ann")
    execute(session, "advance 1d")
    assert execute(session, "sign-in users ann --refresh").data["claims"]


def test_a_token_option_and_the_same_header_written_are_refused(tmp_path: Path) -> None:
    # Both were accepted and --user's token silently replaced the header written: a 200 that
    # said nothing of the invalid token the user meant to try.
    session = signed_in(tmp_path)
    for option in ("--user ann", "--jwt sub=u1"):
        err = refused(session, f"http GET /me {option} --header 'authorization: Bearer abc'")
        assert err.message == (
            f"{option.split()[0]} and --header 'authorization: ...' both give the request its "
            "Authorization"
        )
    # Either alone is taken: the written header is sent as it is.
    assert (
        execute(session, "http GET /me --header 'authorization: Bearer abc'").data["status"] == 401
    )
    assert execute(session, "http GET /me --user ann --header 'x-trace: 1'").data["status"] == 200
