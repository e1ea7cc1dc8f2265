"""The Inspector's user pool section: its hooks (hook -> function, whether stptui runs it)
and its users (username, status, verified addresses, signed in or not).

The figures are the command layer's (`pool_data`, which `show users` lists too), not
computed again here. Usernames and attributes are untrusted text, added as `Text` through
`safe`, never as markup.
"""

from __future__ import annotations

from rich.text import Text

from stptui.commands.handlers.user_pools import pool_data
from stptui.config.model import CUSTOM_AUTH_HOOKS
from stptui.sim.engine import Simulator
from stptui.tui.render import safe, section_line

# The newest users the page lists (`show users` lists them all).
SHOWN_USERS = 8
STATUS_STYLES = {"CONFIRMED": "green", "UNCONFIRMED": "yellow"}


def users_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s hooks and users, when it is a user pool of the simulation."""
    service = sim.services.get("user_pools")
    if service is None or name not in service.pools:
        return
    data = pool_data(sim, name)
    text.append("\nHooks\n", "bold underline")
    for hook, function in data["hooks"].items():
        line = Text.assemble((safe(hook), "bold"), " -> ", safe(function))
        if hook in CUSTOM_AUTH_HOOKS:
            line.append("  drawn, not run", "italic dim")
        section_line(text, line)
    if not data["hooks"]:
        section_line(text, Text("no hooks: sign-ups and sign-ins run no function", "dim"))
    section_line(text, Text(f"passwords: {data['policy']}", "dim"))
    text.append("\nUsers\n", "bold underline")
    users = data["users"]
    if not users:
        section_line(text, Text("none yet (sign-up POOL USERNAME on the command line)", "dim"))
        return
    for user in reversed(users[-SHOWN_USERS:]):
        line = Text.assemble((safe(user["alias"] or user["username"]), "bold"), " ")
        line.append(user["status"], STATUS_STYLES.get(user["status"], "dim"))
        line.append(f"  verified {user['verified']}")
        line.append(", signed in" if user["signed_in"] else "")
        section_line(text, line)
    if len(users) > SHOWN_USERS:
        more = len(users) - SHOWN_USERS
        section_line(text, Text(f"… and {more} older (show users {safe(name)})", "dim"))
