"""Cognito user pools: their users and groups, and the hooks (Lambda triggers) that
sign-ups, confirmations, administrators' invitations, sign-ins (password, refresh token,
custom challenges) and password resets run, and the sign-outs that revoke users' tokens.

Each operation runs as Cognito runs it (stptui.sim.cognito has the events and the words):
its own checks first (a refusal there changes nothing and raises CognitoError), then each
hook in turn, on the clock: the operation's steps are a generator (a flow) that yields each
hook call, run to its end by a command, or carried on by the clock as each hook answers
when `repeat` starts it (detached). A hook that fails refuses the operation with
UserLambdaValidationException; one that does not answer within 5 s is called again, and
after three such attempts the operation fails with UnexpectedLambdaException. What a hook
answers (its event's `response`) changes what happens next: preSignUp auto-confirms and
auto-verifies, preTokenGeneration changes the ID token's claims.

The service is one class made of one part per family of operations: `accounts` (sign-up,
confirmation, invitations), `sign_in` (the password flow), `migration` (the userMigration
hook), `tokens` (issuing and refreshing them), `sign_out` (revoking them), `custom_auth`
(custom challenges), `recovery` (forgotten passwords), `groups`; `hooks` runs the hooks,
`pool` holds a pool and an operation's answer. This module has what they all use: the
pools, their users, the clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stptui.config.model import UserAuthPool
from stptui.sim import cognito
from stptui.sim.clock import MAX_MS
from stptui.sim.cognito import CognitoError, User
from stptui.sim.services.user_pool.accounts import Accounts
from stptui.sim.services.user_pool.attributes import STANDARD_RULES
from stptui.sim.services.user_pool.custom_auth import CustomAuth
from stptui.sim.services.user_pool.groups import Groups
from stptui.sim.services.user_pool.hooks import Hooks
from stptui.sim.services.user_pool.migration import Migration
from stptui.sim.services.user_pool.pool import Pool
from stptui.sim.services.user_pool.recovery import Recovery
from stptui.sim.services.user_pool.sign_in import PasswordSignIn
from stptui.sim.services.user_pool.sign_out import SignOut
from stptui.sim.services.user_pool.tokens import Tokens
from stptui.textsafe import quote_word, typed_words

if TYPE_CHECKING:
    from stptui.sim.engine import Simulator

# Room a whole operation needs on the clock: at most four hooks, each up to three waits.
_ROOM_MS = 4 * cognito.HOOK_ATTEMPTS * cognito.HOOK_WAIT_MS


class UserPoolService(
    Accounts, PasswordSignIn, Migration, Tokens, SignOut, CustomAuth, Recovery, Groups, Hooks
):
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
                res.access_token_s,
                res.id_token_s,
                res.custom_attributes,
                {**STANDARD_RULES, **res.attribute_rules},
                res.required_attributes,
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
                raise CognitoError("ResourceNotFoundException", message, listing, word=name)
            guess = did_you_mean(name, list(self.pools))
            raise CognitoError(
                "ResourceNotFoundException",
                f"{name!r} is not a user-auth-pool of this stack",
                f"did you mean {quote_word(guess)}?" if guess else listing,
                word=name,
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
                f"sign it up first: sign-up {typed_words(pool.name, username)}",
            )
        return found

    # -- steps ---------------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The simulated time (ms)."""
        return self.sim.clock.now

    def _room(self) -> None:
        """Cognito's refusal of an operation started so near the clock's end that its hooks'
        waits could pass it (refused before anything changed)."""
        if self.now + _ROOM_MS > MAX_MS:
            raise CognitoError(
                "InternalErrorException",
                "the clock is too close to its end for the hooks to run",
                "start a session at an earlier time",
            )

    def _emit(self, kind: str, pool: Pool, user: User, **data: Any) -> None:
        """A `user.*` record of `pool`: each names its user by username, alias and sub."""
        record = {"username": user.username, "alias": user.alias, "sub": user.sub, **data}
        self.sim.trace.emit((self.now, kind, pool.name, record))


def wire(sim: Simulator) -> None:
    """Build the stack's user pools."""
    sim.services["user_pools"] = UserPoolService(sim)
