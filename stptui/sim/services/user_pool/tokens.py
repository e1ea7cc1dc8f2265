"""Tokens: the pre token generation hook and the ID and access tokens' claims a sign-in
issues (and a hook may change), refreshing them with the sign-in's refresh token, and the
claims `http --user` sends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.sim import cognito
from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services import http_auth
from stptui.sim.services.user_pool.hooks import Flow
from stptui.sim.services.user_pool.pool import Answer, Pool
from stptui.textsafe import typed_words

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class Tokens(_Service):
    """Issuing and refreshing a user's tokens."""

    def token_claims(self, pool_name: str, username: str) -> tuple[Pool, dict[str, Any]]:
        """The claims of the ID token `username`'s last sign-in got (for `http --user`)."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        if user.claims is None:
            raise CognitoError(
                "NotAuthorizedException",
                f"{username} has not signed in, so it has no ID token",
                f"sign-in {typed_words(pool.name, username)}",
            )
        return pool, dict(user.claims)

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
                f"{username} has no refresh token: sign-in {typed_words(pool.name, username)}",
            )
        revoked = pool.revoked.get(session.origin_jti)
        if revoked is not None:
            raise CognitoError(
                "NotAuthorizedException",
                "Refresh Token has been revoked",
                f"{revoked.operation} revoked it: sign in again "
                f"(sign-in {typed_words(pool.name, username)})",
            )
        if self.now >= session.expires_ms:
            raise CognitoError(
                "NotAuthorizedException",
                "Refresh Token has expired",
                f"the pool's refresh tokens last {pool.refresh_days} days: sign in again",
            )
        self._room()
        answer = Answer(user, [])

        def flow() -> Flow:
            yield from self._issue_token(
                pool, user, "TokenGeneration_RefreshTokens", answer, "REFRESH_TOKEN_AUTH"
            )

        self._drive(self._guarded(flow(), pool, "InitiateAuth", username, answer), detached)
        return answer

    def _issue_token(
        self,
        pool: Pool,
        user: User,
        source: str,
        answer: Answer,
        flow: str = "USER_PASSWORD_AUTH",
    ) -> Flow:
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
            pool.refresh_tokens[session.origin_jti] = user.username
        ids = (session.origin_jti, session.event_id, self.sim.new_id())
        claims = cognito.id_token_claims(
            user, issuer, pool.client_id, now_s, ids, session.auth_time, pool.id_token_s
        )
        access = cognito.access_token_claims(
            user,
            issuer,
            pool.client_id,
            now_s,
            (session.origin_jti, session.event_id, self.sim.new_id()),
            session.auth_time,
            pool.access_token_s,
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
