"""The Inspector's user pool section: its hooks (hook -> function)
and its users (username, status, verified addresses, signed in or not, groups).

The figures are the command layer's (`pool_data`, which `show users` lists too), not
computed again here. Usernames and attributes are untrusted text, added as `Text` through
`safe`, never as markup.
"""

from __future__ import annotations

from rich.text import Text

from stptui.commands.handlers.user_pools import pool_data
from stptui.sim.engine import Simulator
from stptui.tui.render import SECTION_HANG, hanging, safe, section_heading, section_line

# The newest users the page lists (`show users` lists them all).
SHOWN_USERS = 8
STATUS_STYLES = {"CONFIRMED": "green", "UNCONFIRMED": "yellow"}
# `show users`'s verified column (`email no, phone yes`) in words a line reads: `verified
# email no` read as a list of three words.
VERIFIED_WORDS = {"yes": "verified", "no": "unverified"}


def users_section(text: Text, sim: Simulator, name: str) -> None:
    """`name`'s hooks and users, when it is a user pool of the simulation."""
    service = sim.services.get("user_pools")
    if service is None or name not in service.pools:
        return
    data = pool_data(sim, name)
    section_heading(text, "Hooks")
    for hook, function in data["hooks"].items():
        section_line(text, Text.assemble((safe(hook), "bold"), " -> ", safe(function)))
    if not data["hooks"]:
        section_line(text, Text("no hooks: sign-ups and sign-ins run no function", "dim"))
    section_line(text, Text(f"passwords: {data['policy']}", "dim"))
    section_heading(text, "Users")
    users = data["users"]
    if not users:
        hint = f"none yet (sign-up {safe(name)} USERNAME on the command line)"
        section_line(text, Text(hint, "dim"))
        return
    for user in reversed(users[-SHOWN_USERS:]):
        text.append_text(user_line(user))
        text.append("\n")
    if len(users) > SHOWN_USERS:
        more = len(users) - SHOWN_USERS
        section_line(text, Text(f"… and {more} older (show users {safe(name)})", "dim"))


def user_line(user: dict[str, object]) -> Text:
    """One user of `pool_data`: its name, status, addresses verified or not, whether it
    signed in, and its groups; wrapped only between these (a long email folds on its own), so that
    `email unverified` never ends one line and begins the next."""
    line = Text(safe(user["alias"] or user["username"]), "bold")
    status = str(user["status"])
    pieces = [Text(status, STATUS_STYLES.get(status, "dim"))]
    for mark in str(user["verified"]).split(", "):
        address, _, verdict = mark.partition(" ")
        if verdict in VERIFIED_WORDS:
            pieces.append(Text(f"{address} {VERIFIED_WORDS[verdict]}"))
    if user["signed_in"]:
        pieces.append(Text("signed in"))
    groups = user.get("groups")
    if isinstance(groups, list) and groups:
        pieces.append(Text("groups " + safe(", ".join(map(str, groups)))))
    breaks = []
    for piece in pieces:
        line.append("  " if breaks else " ")
        breaks.append(len(line))
        line.append_text(piece)
    return hanging(line, SECTION_HANG, breaks)
