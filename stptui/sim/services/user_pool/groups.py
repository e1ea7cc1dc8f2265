"""Groups (AdminAddUserToGroup, AdminRemoveUserFromGroup; no hook runs): made by their first
member, as the config cannot declare them. A user's next tokens carry its groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stptui.sim import trace as tk
from stptui.sim.cognito import CognitoError, User
from stptui.textsafe import quote_word, typed_names

if TYPE_CHECKING:
    from stptui.sim.services.user_pool import UserPoolService as _Service
else:
    _Service = object


class Groups(_Service):
    """Adding users to groups and removing them."""

    def add_to_group(self, pool_name: str, username: str, group: str) -> User:
        """AdminAddUserToGroup (no hook runs): the group is made on its first member, as
        the config cannot declare groups (docs/fidelity.md); adding a member again changes
        nothing. The user's next tokens carry the group."""
        pool = self.pool(pool_name)
        _check_group_name(group)
        user = self.user(pool, username)
        pool.groups.setdefault(group, self.now)
        if group not in user.groups:
            user.groups.append(group)
        self._emit(tk.USER_ADDED_TO_GROUP, pool, user, group=group, groups=list(user.groups))
        return user

    def remove_from_group(self, pool_name: str, username: str, group: str) -> User:
        """AdminRemoveUserFromGroup (no hook runs): a group nobody was ever added to is
        Cognito's ResourceNotFoundException; removing a non-member changes nothing."""
        pool = self.pool(pool_name)
        _check_group_name(group)
        user = self.user(pool, username)
        if group not in pool.groups:
            raise CognitoError(
                "ResourceNotFoundException",
                "Group not found.",
                f"the pool's groups: {typed_names(pool.groups)}"
                if pool.groups
                else "no groups yet: "
                f"admin-add-user-to-group {quote_word(pool.name)} USER {quote_word(group)}",
            )
        if group in user.groups:
            user.groups.remove(group)
        self._emit(tk.USER_REMOVED_FROM_GROUP, pool, user, group=group, groups=list(user.groups))
        return user


def _check_group_name(group: str) -> None:
    """Cognito's refusal of a group name outside 1 to 128 characters or with whitespace."""
    if not group or len(group) > 128 or any(c.isspace() for c in group):
        raise CognitoError(
            "InvalidParameterException",
            "1 validation error detected: Value at 'groupName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
            "a group name of 1 to 128 characters without spaces",
        )
