"""Signing out and revoking tokens (GlobalSignOut, AdminUserGlobalSignOut, RevokeToken; no
hook runs): a revoked refresh token is refused by REFRESH_TOKEN_AUTH, and an access token it
issued by Cognito's own token-authorized operations, while an HTTP API's JWT authorizer, which
checks no revocation, still accepts the tokens until they expire."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services.user_pool.pool import Pool, Revocation
from stptui.textsafe import typed_words

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class SignOut(_Service):
    """Ending a user's sessions: its own sign-out, an administrator's, one refresh token."""

    def global_sign_out(self, pool_name: str, username: str) -> tuple[User, list[str]]:
        """GlobalSignOut, authorized by the access token of the user's last sign-in (or
        refresh): every refresh token the user got is revoked, with the ID and access
        tokens each issued. An access token already revoked or expired is refused, as
        Cognito refuses it, and nothing changes. Answers the user and the `origin_jti`s
        revoked now."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        self._check_access_token(pool, user)
        return user, self._revoke_all(pool, user, "GlobalSignOut")

    def admin_global_sign_out(self, pool_name: str, username: str) -> tuple[User, list[str]]:
        """AdminUserGlobalSignOut: as GlobalSignOut, authorized by the administrator's
        credentials rather than a token, so a user with no valid token (or none) is signed
        out too."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        return user, self._revoke_all(pool, user, "AdminUserGlobalSignOut")

    def revoke_token(self, pool_name: str, username: str) -> tuple[User, list[str]]:
        """RevokeToken of the refresh token of the user's last sign-in: it and the ID and
        access tokens it issued are revoked; the user's other refresh tokens are not. A
        token already revoked is answered as a success that changes nothing (a choice:
        OAuth revocation, RFC 7009 section 2.2)."""
        pool = self.pool(pool_name)
        user = self.user(pool, username)
        session = user.session
        if session is None:
            # stptui's words: the request would have no token to send (docs/fidelity.md).
            raise CognitoError(
                "InvalidParameterException",
                "the user has no refresh token to revoke",
                f"{username} has not signed in: sign-in {typed_words(pool.name, username)}",
            )
        jtis = []
        if session.origin_jti not in pool.revoked:
            pool.revoked[session.origin_jti] = Revocation(self.now, "RevokeToken")
            jtis.append(session.origin_jti)
        self._emit(tk.USER_TOKENS_REVOKED, pool, user, operation="RevokeToken", origin_jtis=jtis)
        return user, jtis

    def revocation(self, pool_name: str, origin_jti: object) -> Revocation | None:
        """When and by which operation the refresh token `origin_jti` names was revoked
        (None when it was not, or `origin_jti` is no token id): what an HTTP API's JWT
        authorizer does not check, and its trace says."""
        pool = self.pools.get(pool_name)
        if pool is None or not isinstance(origin_jti, str):
            return None
        return pool.revoked.get(origin_jti)

    def _check_access_token(self, pool: Pool, user: User) -> None:
        """Cognito's refusal of a token-authorized operation whose access token (the user's
        last) is missing, revoked or expired."""
        name = user.alias or user.username
        access = user.access_claims
        if access is None:
            raise CognitoError(
                "NotAuthorizedException",
                "Invalid Access Token",
                f"{name} has not signed in, so it has no access token: "
                f"sign-in {typed_words(pool.name, name)}",
            )
        if access.get("origin_jti") in pool.revoked:
            raise CognitoError(
                "NotAuthorizedException",
                "Access Token has been revoked",
                f"sign in again for a new one: sign-in {typed_words(pool.name, name)}",
            )
        exp = access.get("exp")
        if isinstance(exp, int) and self.now // 1000 >= exp:
            raise CognitoError(
                "NotAuthorizedException",
                "Access Token has expired",
                f"refresh it (sign-in {typed_words(pool.name, name)} --refresh) or sign in again",
            )

    def _revoke_all(self, pool: Pool, user: User, operation: str) -> list[str]:
        """Revoke every refresh token `user` got that is not revoked yet (in the order they
        were issued), and record it."""
        jtis = [
            jti
            for jti, owner in pool.refresh_tokens.items()
            if owner == user.username and jti not in pool.revoked
        ]
        for jti in jtis:
            pool.revoked[jti] = Revocation(self.now, operation)
        self._emit(tk.USER_TOKENS_REVOKED, pool, user, operation=operation, origin_jtis=jtis)
        return jtis
