"""The Queues pane's message list has a cursor: the arrow, page, home and end keys and a
click pick a message, `e` explains it, enter shows it whole (`show message`) and ctrl+c
copies its id. The cursor stays on its message as the list is redrawn, and moves to the
next one when its message leaves; untrusted bodies stay text."""

from __future__ import annotations

import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widgets import Static
from tui_one_app import Step, on_one_app, press_until, screen_opened
from tui_support import app_for, drawn_text, drive, settled, wait_until

from stptui.commands import execute
from stptui.tui.app import StptuiApp
from stptui.tui.screens.dialogs import TextDialog
from stptui.tui.screens.help import HelpScreen
from stptui.tui.screens.output_page import OutputPage
from stptui.tui.widgets.line_views import TextView
from stptui.tui.widgets.queues_pane import MessageList, QueuesPane

# An order the worker declines three times: it lands in the dead-letter queue.
DECLINED = ('send jobQueue \'{"orderId": 2, "amount": 5000}\'', "advance 20m")


async def focus_messages(pilot: Pilot[None], app: StptuiApp, queue: str) -> MessageList:
    """Select `queue` and put the focus on its message list, as `2` then tab do."""
    app.jump_to(queue)
    app.flush()
    await pilot.press("2")
    await pilot.press("tab")
    messages = app.query_one(MessageList)
    assert app.screen.focused is messages
    return messages


def send_many(app: StptuiApp, queue: str, count: int) -> None:
    """`count` messages straight into `queue` (bodies `{"n": 0}`...), as a script would."""
    sim = app.session.sim
    for n in range(count):
        sim.send(queue, f'{{"n": {n}}}')
    # Reading the trace settles it: the app gets the records now, as after a command.
    assert len(sim.trace.records) >= count
    app.flush()


def cursor_row(messages: MessageList) -> int:
    """The row of the screen (under the header) that is drawn in the cursor's style."""
    cursor = messages.line_styles()[2]
    drawn = [
        y
        for y in range(1, messages.size.height)
        if any(seg.style == messages.line_styles()[0] + cursor for seg in messages.render_line(y))
    ]
    assert len(drawn) == 1, drawn
    return drawn[0]


def test_the_keys_move_the_cursor_and_it_is_drawn_only_while_focused() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        send_many(app, "deadLetterQueue", 40)
        messages = await focus_messages(pilot, app, "deadLetterQueue")
        ids = list(messages.ids)
        assert len(ids) == 40 and messages.selected_id == ids[0]
        await pilot.press("down", "down")
        assert messages.selected_id == ids[2]
        assert cursor_row(messages) == 3
        assert '{"n": 2}' in messages.render_line(3).text
        await pilot.press("up")
        assert messages.selected_id == ids[1]
        page = messages.scrollable_content_region.height - 1
        await pilot.press("pagedown")
        assert messages.selected_id == ids[1 + page]
        await pilot.press("end")
        assert messages.selected_id == ids[-1]
        # The last row is in sight, drawn as the cursor, on the screen's last row.
        assert '{"n": 39}' in messages.render_line(cursor_row(messages)).text
        await pilot.press("pageup")
        assert messages.selected_id == ids[-1 - page]
        await pilot.press("home")
        assert messages.selected_id == ids[0] and messages.scroll_offset.y == 0
        await pilot.press("up")
        assert messages.selected_id == ids[0]
        # Focus elsewhere: no row is drawn as the cursor, which stays where it was.
        await pilot.press("down", "3")
        cursor = messages.line_styles()[0] + messages.line_styles()[2]
        assert all(
            seg.style != cursor
            for y in range(messages.size.height)
            for seg in messages.render_line(y)
        )
        assert messages.selected_id == ids[1]

    drive(app_for(), script, size=(120, 36))


def test_e_explains_the_message_as_the_explain_command_does() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        for line in DECLINED:
            app.run_command(line)
        send_many(app, "deadLetterQueue", 1)
        messages = await focus_messages(pilot, app, "deadLetterQueue")
        declined = messages.ids[0]
        await pilot.press("e")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        assert dialog.title_text == f"message {declined}"
        body = dialog.body.plain
        assert body.startswith(f"explain {declined}\n")
        # The command's line is bold, what it answers is not.
        assert not dialog.body.style
        assert [(s.start, s.end) for s in dialog.body.spans if s.style == "bold"] == [
            (0, len(f"explain {declined}\n"))
        ]
        assert "why: moved to deadLetterQueue after 3 receives; worker failed each" in body
        assert "message.dead_lettered" in body
        await pilot.press("escape")
        assert app.screen.focused is messages
        # The other message was sent straight to the dead-letter queue.
        await pilot.press("down", "e")
        assert isinstance(app.screen, TextDialog)
        assert f"explain {messages.ids[1]}" in app.screen.body.plain
        assert "message.dead_lettered" not in app.screen.body.plain

    drive(app_for(), script, size=(120, 36))


def test_enter_shows_the_body_and_attributes_whole() -> None:
    long_body = '{"note": "' + "x" * 3000 + '"}'

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        app.run_command(f"send deadLetterQueue '{long_body}' --attr priority=5 --attr src=cli")
        app.flush()
        messages = await focus_messages(pilot, app, "deadLetterQueue")
        mid = messages.ids[0]
        # The row shows the body's start only.
        assert long_body not in messages.render_line(1).text
        await pilot.press("enter")
        await pilot.pause()
        page = app.screen
        assert isinstance(page, OutputPage)
        assert page.title_text == f"show message {mid}"
        text = page.query_one(TextView).text.plain
        assert f"message {mid}" in text
        assert "attributes priority=5 src=cli" in text
        assert f"body {long_body}" in text
        await pilot.press("escape")
        assert app.screen.focused is messages

    drive(app_for(), script, size=(120, 36))


def test_an_untrusted_body_stays_text() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # SQS takes a bidirectional override (not a control character such as ESC).
        app.run_command("send deadLetterQueue $'[bold]x[/bold] \\u202eevil'")
        app.flush()
        messages = await focus_messages(pilot, app, "deadLetterQueue")
        assert messages.rows[0][-1] == "[bold]x[/bold] \\u202eevil"
        assert "[bold]x[/bo…" in messages.render_line(1).text
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OutputPage)
        text = app.screen.query_one(TextView).text.plain
        assert "body [bold]x[/bold] \\u202eevil" in text and "\u202e" not in text
        assert "[bold]x[/bold]" in drawn_text(app.screen.query_one(TextView))

    drive(app_for(), script, size=(120, 36))


async def an_empty_queue_says_so_and_the_border_hints_the_keys(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    pane = app.query_one(QueuesPane)
    messages = await focus_messages(pilot, app, "deadLetterQueue")
    assert messages.ids == []
    # No message: the keys that act on one are not hinted, and say why they do nothing.
    assert pane.border_subtitle is not None and "explain" not in pane.border_subtitle
    await pilot.press("e", "enter")
    assert app.screen.focused is messages
    notes = [n.message for n in app._notifications]
    assert notes.count("this queue has no messages to act on") == 2
    send_many(app, "deadLetterQueue", 2)
    await wait_until(pilot, lambda: "explain" in str(pane.border_subtitle), "the keys hinted")
    hint = pane.border_subtitle
    # The redrive of a dead-letter queue, then the message's keys the border has room
    # for (the pane is 40 cells wide at 120 columns).
    assert hint is not None and hint.startswith("[bold]r[/bold] redrive")
    assert "enter[/bold] show" in hint and "e[/bold] explain" in hint
    await press_until(pilot, app, "3", lambda: app.current_pane == "3", "the events pane")
    assert pane.border_subtitle == "[bold]r[/bold] redrive"


async def the_cursor_stays_on_its_message_and_moves_on_when_it_leaves(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    # Delayed, they are listed in the order they become visible; the worker takes
    # each when it does, and deletes it once it succeeded.
    for n, delay in enumerate(("10s", "20s", "30s")):
        app.run_command(f'send jobQueue \'{{"orderId": {n}, "amount": 1}}\' --delay {delay}')
    messages = await focus_messages(pilot, app, "jobQueue")
    first, second, third = messages.ids
    await press_until(pilot, app, "down", lambda: messages.selected_id == second, "moved")
    # The first one is processed and gone: the cursor is on the same message, now first.
    app.run_command("advance 15s")
    await wait_until(pilot, lambda: first not in messages.ids, "the first gone")
    await settled(pilot, messages, "the list")
    assert messages.ids[:2] == [second, third]
    assert messages.selected_id == second and cursor_row(messages) == 1
    # Its own message gone, the cursor moves to the one after it.
    app.run_command("advance 15s")
    await wait_until(pilot, lambda: second not in messages.ids, "the second gone")
    assert messages.selected_id == third
    # Another queue's messages start with the cursor on their first (the dead-letter
    # queue's two, sent by the check before, and three more).
    send_many(app, "deadLetterQueue", 3)
    app.jump_to("deadLetterQueue")
    await wait_until(pilot, lambda: third not in messages.ids, "the other queue listed")
    assert messages.selected_id == messages.ids[0]


async def the_help_lists_the_message_keys(pilot: Pilot[None], app: StptuiApp) -> None:
    screen = await screen_opened(pilot, app, "question_mark", HelpScreen, "#help-body")
    text = " ".join(drawn_text(w) for w in screen.query(Static) if w.size.height and w.size.width)
    assert "Queues pane's messages" in text
    assert "Copy id" in text and "ctrl+c" in text


async def ctrl_c_copies_the_message_id(pilot: Pilot[None], app: StptuiApp) -> None:
    send_many(app, "deadLetterQueue", 3)
    messages = await focus_messages(pilot, app, "deadLetterQueue")
    # (The cursor where the check before left it, on the first.)
    assert messages.selected_id == messages.ids[0]
    await press_until(pilot, app, "down", lambda: messages.selected_id == messages.ids[1], "down")
    await press_until(pilot, app, "ctrl+c", lambda: bool(app.clipboard), "copied")
    assert app.clipboard == messages.ids[1]
    assert any(n.message == f"copied {messages.ids[1]}" for n in app._notifications)


async def a_click_picks_a_row_and_a_double_click_shows_it(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    send_many(app, "deadLetterQueue", 5)
    app.jump_to("deadLetterQueue")
    app.flush()
    messages = app.query_one(MessageList)
    # The focus elsewhere first (the check before left it on the list).
    await press_until(pilot, app, "3", lambda: app.screen.focused is not messages, "unfocused")
    await press_until(pilot, app, "2", lambda: app.current_pane == "2", "the queues pane")
    await settled(pilot, messages, "the message list")
    picked = messages.selected_id
    # The header is the list's first line: a click on it picks nothing.
    await pilot.click(MessageList, offset=(3, 0))
    assert app.screen.focused is messages and messages.selected_id == picked
    await pilot.click(MessageList, offset=(3, 4))
    assert messages.selected_id == messages.ids[3]
    await pilot.click(MessageList, offset=(3, 3), times=2)
    await wait_until(pilot, lambda: isinstance(app.screen, OutputPage), "the message shown")
    assert app.screen.title_text == f"show message {messages.ids[2]}"


def test_the_message_list_of_one_app() -> None:
    """Five checks on one app (notifications shown), in this order: the dead-letter queue
    empty first; each later one counts the messages by their place in the list, not by
    how many the queue holds, and says where it expects the cursor and the focus."""
    size = (120, 36)
    steps = [
        Step(
            "an empty queue says so and the border hints the keys",
            size,
            an_empty_queue_says_so_and_the_border_hints_the_keys,
        ),
        Step(
            "the cursor stays on its message and moves on when it leaves",
            size,
            the_cursor_stays_on_its_message_and_moves_on_when_it_leaves,
        ),
        Step("the help lists the message keys", size, the_help_lists_the_message_keys),
        Step("ctrl+c copies the message id", size, ctrl_c_copies_the_message_id),
        Step(
            "a click picks a row and a double click shows it",
            size,
            a_click_picks_a_row_and_a_double_click_shows_it,
        ),
    ]
    on_one_app(app_for(), steps, notifications=True)


def test_snapshot_of_the_selected_message_at_80_by_24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    """The clock paused at the fixed start (seed 0): the dead-letter queue's second
    message under the cursor, and the keys on the pane's border."""
    app = app_for()
    # Run before the app is mounted (it has no panes to flush yet).
    for line in (*DECLINED, "send deadLetterQueue '{\"orderId\": 7}'", "send deadLetterQueue hi"):
        execute(app.session, line)

    async def select_second(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await focus_messages(pilot, app, "deadLetterQueue")
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=select_second)
