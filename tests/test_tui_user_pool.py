"""The Inspector's user pool section with no user, one, and fifty with long emails: each
user's line wraps only between its parts (never inside `email unverified`), the newest
SHOWN_USERS are listed, the empty list names the pool's own sign-up, and a username with
markup and an escape character is shown as written."""

from __future__ import annotations

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from tui_support import drawn_text, drive, example_session, inspector

from stptui.tui.app import StptuiApp
from stptui.tui.widgets.inspector_pane import InspectorPane
from stptui.tui.widgets.inspector_users import SHOWN_USERS

LONG = "user{}.with.a.really.long.mailbox.name@subdomain.example.com"
# Markup and an ANSI colour escape in an address the pool's hook confirms (example.com).
HOSTILE = "[red]ann\x1b[31m@example.com"


def pool_page(users: int, size: tuple[int, int], *extra: str) -> tuple[str, list[str]]:
    """The Inspector's page on the pool after `users` long sign-ups and `extra` commands:
    its text, and the lines it draws from the Users heading on (scrolled to its end)."""
    out: dict[str, object] = {}

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for i in range(users):
            app.run_command(f"sign-up users {LONG.format(i)}")
        for line in extra:
            app.run_command(line)
        app.jump_to("users")
        app.flush()
        # The Inspector (alone on the screen below 120 columns).
        await pilot.press("4")
        await pilot.pause()
        pane = app.query_one(InspectorPane)
        pane.scroll_end(animate=False)
        await pilot.pause()
        out["page"] = inspector(app)
        drawn = drawn_text(pane).split("\n")
        out["drawn"] = [line.rstrip() for line in drawn]

    drive(StptuiApp(example_session("user-pool")), script, size=size)
    drawn = out["drawn"]
    assert isinstance(drawn, list) and isinstance(out["page"], str)
    return out["page"], drawn[drawn.index("Users") + 1 :] if "Users" in drawn else drawn


def test_an_empty_pool_says_how_to_sign_up_to_it() -> None:
    page, _ = pool_page(0, (120, 36))
    assert "none yet (sign-up users USERNAME on the command line)" in page
    assert "Hooks\npreSignUp -> screen\n" in page


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_long_email_wraps_between_its_parts(size: tuple[int, int]) -> None:
    page, drawn = pool_page(1, size, "sign-up users ann@example.com")
    assert f"{LONG.format(0)} UNCONFIRMED  email unverified" in page
    # example.com addresses are confirmed by the pool's preSignUp hook.
    assert "ann@example.com CONFIRMED  email verified" in page
    # The phrase `email unverified` is never split across lines (before: `verified email`
    # ended a line and `no` began the next at 120 columns).
    assert any(line.endswith("email unverified") for line in drawn), drawn
    assert not any(line.endswith("email") for line in drawn), drawn


def test_fifty_users_list_the_newest_and_say_how_to_see_the_rest() -> None:
    page, drawn = pool_page(50, (120, 36))
    users = page.split("\nUsers\n", 1)[1]
    listed = [line for line in users.splitlines() if line.startswith("user")]
    assert [line.split()[0] for line in listed] == [
        LONG.format(i) for i in range(49, 49 - SHOWN_USERS, -1)
    ]
    assert f"… and {50 - SHOWN_USERS} older (show users users)" in page
    # The last line drawn, scrolled to the end, is the pointer to the rest (wrapped).
    assert "… and 42 older" in " ".join(line.strip() for line in drawn if line.strip())


def test_markup_and_an_escape_in_a_username_are_shown_as_written() -> None:
    page, drawn = pool_page(0, (160, 50), f"sign-up users '{HOSTILE}'")
    assert "[red]ann\\x1b[31m@example.com CONFIRMED" in page
    assert "\x1b" not in page and "\x1b" not in "".join(drawn)
