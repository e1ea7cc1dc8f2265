"""The terminal UI's SNS dialog (`P`): publish-sns from a form, each subscription's filter
policy verdict as the attributes are typed, the command's refusals shown in place with
nothing changed, a FIFO topic's ids, and the key offered only on a stack with a topic; on
docs/examples/sns-filtered.yml (`pager` takes only `severity=high`, `archiver` all) and
fifo.yml."""

from __future__ import annotations

from pathlib import Path

import pytest
import tui_support  # noqa: F401  (pins the environment before Textual loads)
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, TextArea
from textual.widgets._footer import FooterKey
from tui_one_app import on_one_app
from tui_support import (
    EXAMPLES,
    START,
    app_for,
    drawn_text,
    drive,
    enabled_actions,
    key_does_nothing,
    rebuilt,
    records_of,
    screen_text,
    shown,
    typed,
    wait_until,
)

from stptui.commands import CommandResult, Session, execute
from stptui.commands.session import trace_sha256
from stptui.sim.invocation_events import event_of
from stptui.tui.app import StptuiApp
from stptui.tui.palette import StackProvider
from stptui.tui.screens.sns_dialog import SnsDialog
from stptui.tui.widgets.events_pane import RecordList
from stptui.tui.widgets.footer import StableFooter

# Not starting with `[`, which `--attr` reads as a String.Array.
HOSTILE = "a[bold red]x[/] [@click=app.quit]q[/]"


def sns_session(name: str = "sns-filtered") -> Session:
    """A session on docs/examples/NAME.yml at the fixed start."""
    return Session.open(EXAMPLES / f"{name}.yml", start_ms=START)


def footer_keys(app: StptuiApp) -> list[str]:
    """The keys the footer shows."""
    return [k.key for k in app.query_one(StableFooter).query(FooterKey) if k.display]


async def open_sns(pilot: Pilot[None], app: StptuiApp) -> SnsDialog:
    """Press `P` and wait for the dialog's first check."""
    await pilot.press("P")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, SnsDialog), dialog
    return dialog


async def type_into(pilot: Pilot[None], field: Widget, text: str) -> None:
    """Focus `field` and type `text` key by key, as a user would."""
    app = field.app
    field.focus()
    await wait_until(pilot, lambda: app.focused is field, f"{field!r} focused")
    await typed(pilot, field, text)


def test_P_publishes_with_attributes_as_typing_the_command_does() -> None:
    line = "publish-sns alerts '{\"orderId\": 1}' --attr severity=high --attr host=db-1"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        # From a subscriber, the dialog opens on the topic it subscribes to.
        app.jump_to("pager")
        dialog = await open_sns(pilot, app)
        assert dialog.query_one("#sns-topic", Select).value == "alerts"
        assert app.focused is dialog.query_one("#sns-message")
        hint = shown(app, "#sns-subscriptions")
        assert "sns-filtered-dev-alerts: standard topic, 2 subscriptions" in hint
        # The sample message has no attributes: the policy on `severity` filters it out.
        assert '→ pager: filtered out (severity: missing (expected "high"))' in hint
        assert "→ archiver: delivered (no filter policy)" in hint
        attrs = dialog.query_one("#sns-attrs", TextArea)
        await type_into(pilot, attrs, "severity=low")
        hint = shown(app, "#sns-subscriptions")
        assert '→ pager: filtered out (severity: expected "high", got "low")' in hint
        attrs.text = ""
        await type_into(pilot, attrs, "severity=high\nhost=db-1")
        assert "→ pager: delivered → archiver" in shown(app, "#sns-subscriptions")
        assert shown(app, "#sns-error") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SnsDialog)
        # The line a user could have typed, run through the command layer and logged.
        assert app.session.log == [line]
        typed = sns_session()
        execute(typed, line)
        assert trace_sha256(typed.sim.trace) == trace_sha256(app.session.sim.trace)
        # Delivered to both subscribers, each invoked once the clock runs.
        delivered = records_of(app.session, "notification.delivered")
        assert [r.data["target"] for r in delivered] == ["pager", "archiver"]
        await pilot.press("n")
        events = app.query_one(RecordList)
        await wait_until(
            pilot,
            lambda: "invocation.started" in drawn_text(events),
            "the subscriber's invocation in the Events pane",
        )
        text = drawn_text(events)
        assert "topic.published" in text and "notification.delivered" in text
        started = records_of(app.session, "invocation.started")
        assert started[0].resource == "pager" and started[0].data["trigger"] == "sns"

    drive(StptuiApp(sns_session()), script)


def test_a_publish_from_the_dialog_is_undone_by_ctrl_z() -> None:
    # In the session's log like a typed line, it is what undo takes back.
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        await open_sns(pilot, app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(records_of(app.session, "topic.published")) == 1
        await pilot.press("ctrl+z")
        await rebuilt(pilot, app)
        assert app.session.log == []
        assert records_of(app.session, "topic.published") == []

    drive(StptuiApp(sns_session()), script)


def test_a_bad_attribute_is_refused_in_place_and_changes_nothing() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_sns(pilot, app)
        attrs = dialog.query_one("#sns-attrs", TextArea)
        await type_into(pilot, attrs, "severity")
        # As typed, in the command's words; the verdicts wait for attributes that read.
        assert "--attr needs NAME=VALUE, not 'severity'" in shown(app, "#sns-error")
        hint = shown(app, "#sns-subscriptions")
        assert '→ pager: filter policy {"severity":["high"]}' in hint
        assert "delivered" not in hint
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "--attr needs NAME=VALUE, not 'severity'" in shown(app, "#sns-error")
        attrs.text = "tags=[vip"
        await pilot.pause()
        assert "--attr tags: '[vip' is not a JSON array" in shown(app, "#sns-error")
        # SNS's own refusal of a name, as the topic's check words it.
        attrs.text = "AWS.kind=x"
        await pilot.pause()
        assert "'AWS.kind' is not a valid message attribute name" in shown(app, "#sns-error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert app.session.log == [] and app.session.sim.trace.seq == 0
        # Mended, it publishes.
        attrs.text = 'tags=["vip"]'
        await pilot.pause()
        assert shown(app, "#sns-error") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.log == ["publish-sns alerts '{\"orderId\": 1}' --attr 'tags=[\"vip\"]'"]

    drive(StptuiApp(sns_session()), script)


async def a_subject_sns_refuses_is_shown_as_typed_and_the_verdicts_stay(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    dialog = await open_sns(pilot, app)
    dialog.query_one("#sns-attrs", TextArea).text = "severity=high"
    dialog.query_one("#sns-subject", Input).value = "s" * 101
    await pilot.pause()
    assert "Subject must be 1-100 characters" in shown(app, "#sns-error")
    # The attributes read: what each subscription would do still shows.
    assert "→ pager: delivered" in shown(app, "#sns-subscriptions")
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.screen is dialog and app.session.sim.trace.seq == 0


async def an_empty_message_is_refused_only_when_published(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    dialog = await open_sns(pilot, app)
    dialog.query_one("#sns-message", TextArea).text = ""
    await pilot.pause()
    assert shown(app, "#sns-error") == ""
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.screen is dialog
    assert "InvalidParameter: Empty message" in shown(app, "#sns-error")
    assert app.session.log == [] and app.session.sim.trace.seq == 0


def test_a_fifo_topic_asks_for_its_ids_and_refuses_a_publish_without_them() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_sns(pilot, app)
        assert dialog.query_one("#sns-group-column").display
        assert "FIFO topic, no subscription" in shown(app, "#sns-subscriptions")
        # Not refused while still empty: the form is being filled in.
        assert shown(app, "#sns-error") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "every message needs a message group id" in shown(app, "#sns-error")
        assert app.session.log == []
        dialog.query_one("#sns-group", Input).value = "customer-1"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "has no content-based deduplication" in shown(app, "#sns-error")
        dialog.query_one("#sns-dedup", Input).value = "order-1"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SnsDialog)
        line = "publish-sns orderEvents '{\"orderId\": 1}' --group customer-1 --dedup-id order-1"
        assert app.session.log == [line]
        assert records_of(app.session, "topic.published")[0].data["group"] == "customer-1"

    drive(StptuiApp(sns_session("fifo")), script)


TOPICS = """\
resources:
  quiet: {type: sns-topic}
  orders: {type: sns-topic}
  ordersFifo:
    type: sns-topic
    properties: {fifoEnabled: true, contentBasedDeduplication: true}
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: sns
          properties: {snsTopicName: orders}
"""


def never(line: str) -> CommandResult:
    raise AssertionError(line)


def test_the_dialog_opens_on_the_selected_topic_else_a_subscribed_one(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(TOPICS, encoding="utf-8")
    s = Session.open(tmp_path, start_ms=START)
    assert SnsDialog(s, "quiet", never).selected == "quiet"
    assert SnsDialog(s, "worker", never).selected == "orders"
    # Nothing of use selected: the first topic with a subscription, not `quiet`.
    assert SnsDialog(s, None, never).selected == "orders"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_sns(pilot, app)
        group = dialog.query_one("#sns-group-column")
        assert not group.display
        # A FIFO topic picked shows its ids; deduplicating by content, the id is optional.
        dialog.query_one("#sns-topic", Select).value = "ordersFifo"
        await pilot.pause()
        assert group.display
        assert str(dialog.query_one("#sns-dedup-label", Label).render()) == "dedup id (optional)"
        assert "content-based deduplication" in shown(app, "#sns-subscriptions")
        dialog.query_one("#sns-group", Input).value = "g-1"
        await pilot.pause()
        # Back on a standard topic, the hidden ids are not sent (SNS would refuse them).
        dialog.query_one("#sns-topic", Select).value = "orders"
        await pilot.pause()
        assert not group.display
        assert dialog.command_line() == "publish-sns orders '{\"orderId\": 1}'"

    drive(StptuiApp(s), script, size=(80, 24))


def test_P_is_offered_only_on_a_stack_with_a_topic() -> None:
    async def absent(pilot: Pilot[None], app: StptuiApp) -> None:
        await key_does_nothing(
            pilot,
            app,
            "P",
            "publish_sns",
            "open: sns dialog",
            "P SNS Publish a message to an SNS topic (publish-sns)",
        )

    drive(app_for("job-queue"), absent, size=(160, 60))

    async def present(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "publish_sns" in enabled_actions(app)
        # In the footer (its word left out where there is no room: the last keys of the
        # stack keep theirs in sight), and on the Inspector's border while a topic is
        # selected.
        assert "P" in footer_keys(app) and "l" in footer_keys(app)
        app.jump_to("alerts")
        await pilot.pause()
        assert any("P publish  M metrics ─╯" in line for line in screen_text(app).splitlines())
        app.jump_to("pager")
        await pilot.pause()
        assert not any("P publish" in line for line in screen_text(app).splitlines())
        entries = {title: run for title, run, _ in StackProvider(app.screen)._list_entries()}
        entries["open: sns dialog"]()
        await pilot.pause()
        assert isinstance(app.screen, SnsDialog)

    drive(StptuiApp(sns_session()), present, size=(120, 36))


def test_the_repeat_field_publishes_n_numbered_messages() -> None:
    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_sns(pilot, app)
        dialog.query_one("#sns-message", TextArea).text = "alert {i}"
        dialog.query_one("#sns-attrs", TextArea).text = "n={i}"
        dialog.query_one("#sns-repeat", Input).value = "3"
        await pilot.pause()
        assert shown(app, "#sns-error") == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.log == ["repeat 3 publish-sns alerts 'alert {i}' --attr 'n={i}'"]
        published = records_of(app.session, "topic.published")
        assert len(published) == 3

    drive(StptuiApp(sns_session()), script)


async def hostile_attribute_values_are_shown_as_text(pilot: Pilot[None], app: StptuiApp) -> None:
    dialog = await open_sns(pilot, app)
    dialog.query_one("#sns-attrs", TextArea).text = f"severity={HOSTILE}"
    await pilot.pause()
    # The verdict quotes the value as it is, never as markup.
    assert f'got "{HOSTILE}"' in shown(app, "#sns-subscriptions")
    assert "[bold red]x[/]" in screen_text(app)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert app.is_running
    assert records_of(app.session, "notification.filtered")[0].data["target"] == "pager"


HOSTILE_STACK = """\
resources:
  "t[bold]x[/foo]": {type: sns-topic}
  "w[/foo]\\e[31m":
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: sns
          properties:
            snsTopicName: "t[bold]x[/foo]"
            filterPolicy: {"[@click=app.quit]k": ["[bold]v"]}
"""


def test_hostile_topic_subscriber_and_policy_names_stay_literal(tmp_path: Path) -> None:
    (tmp_path / "stacktape.yml").write_text(HOSTILE_STACK, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_sns(pilot, app)
        hint = shown(app, "#sns-subscriptions")
        assert "→ w[/foo]\\x1b[31m: filtered out ([@click=app.quit]k: missing" in hint
        assert "t[bold]x[/foo]" in screen_text(app) and "\x1b" not in screen_text(app)
        # While the attributes do not read, the policy is shown as its JSON text.
        dialog.query_one("#sns-attrs", TextArea).text = "k"
        await pilot.pause()
        assert '{"[@click=app.quit]k":["[bold]v"]}' in shown(app, "#sns-subscriptions")
        # The name ends at the first `=`, and SNS takes no such name: its refusal quotes it
        # as text.
        dialog.query_one("#sns-attrs", TextArea).text = "[@click=app.quit]k=[bold]v"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.is_running and app.screen is dialog
        error = "'[@click' is not a valid message attribute name"
        assert error in shown(app, "#sns-error")
        assert app.session.log == []
        # Published, the message reaches the subscriber by its literal name.
        dialog.query_one("#sns-attrs", TextArea).text = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        (published,) = records_of(app.session, "topic.published")
        assert published.resource == "t[bold]x[/foo]"
        (filtered,) = records_of(app.session, "notification.filtered")
        assert filtered.data["target"] == "w[/foo]\x1b[31m"

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


FOREIGN = """\
resources:
  worker:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: sns
          properties:
            snsTopicArn: arn:aws:sns:us-east-1:123456789012:partner-events
"""


def test_a_topic_outside_the_stack_that_a_function_subscribes_to_is_offered(
    tmp_path: Path,
) -> None:
    # Its subscriber is the stack's, and `publish-sns` takes the topic's ARN: the stack has
    # no topic of its own, but something for `P` to drive.
    (tmp_path / "stacktape.yml").write_text(FOREIGN, encoding="utf-8")
    arn = "arn:aws:sns:us-east-1:123456789012:partner-events"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        assert "publish_sns" in enabled_actions(app)
        await open_sns(pilot, app)
        hint = shown(app, "#sns-subscriptions")
        assert "partner-events: standard topic outside the stack, 1 subscription" in hint
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.log == [f"publish-sns {arn} '{{\"orderId\": 1}}'"]
        (delivered,) = records_of(app.session, "notification.delivered")
        assert delivered.data["target"] == "worker"

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script, size=(160, 40))


PLACEHOLDER_STACK = """\
resources:
  orders: {type: sns-topic}
  audit: {type: sns-topic}
  ranges: {type: sns-topic}
  marked: {type: sns-topic}
  w:
    type: function
    properties:
      packaging: {type: stacktape-lambda-buildpack, properties: {entryfilePath: a.ts}}
      events:
        - type: sns
          properties: {snsTopicName: audit}
        - type: sns
          properties:
            snsTopicName: orders
            filterPolicy:
              amount: [{numeric: [">", 100]}]
              region: [{anything-but: [eu]}, "us-east-1"]
        - type: sns
          properties:
            snsTopicName: ranges
            filterPolicy: {amount: [{numeric: [">", 100]}]}
        - type: sns
          properties:
            snsTopicName: marked
            filterPolicy: {"bad name": ["x"], "tag": ["p[bold]q[/bold]\\e"], "lvl": ["p[bold]q"]}
"""


def test_the_attributes_placeholder_is_one_the_topics_policies_read(tmp_path: Path) -> None:
    # It said `severity=high` whatever the topic: a name no policy of this stack reads.
    (tmp_path / "stacktape.yml").write_text(PLACEHOLDER_STACK, encoding="utf-8")

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_sns(pilot, app)
        attrs = dialog.query_one("#sns-attrs", TextArea)
        topic = dialog.query_one("#sns-topic", Select)
        # The first name of a policy with a value it takes as written (a range is none).
        topic.value = "orders"
        await pilot.pause()
        assert str(attrs.placeholder) == "region=us-east-1"
        attrs.text = str(attrs.placeholder)
        await pilot.pause()
        assert "→ w: filtered out (amount:" in shown(app, "#sns-subscriptions")
        attrs.text = ""
        # No value to give as written, or no policy: a neutral example, the command's own.
        for name in ("ranges", "audit"):
            topic.value = name
            await pilot.pause()
            assert str(attrs.placeholder) == "kind=order"
        # A name SNS refuses, a value with a control character: passed over. Markup in the
        # value is shown as the text it is.
        topic.value = "marked"
        await pilot.pause()
        assert str(attrs.placeholder) == "lvl=p[bold]q"
        assert "lvl=p[bold]q" in screen_text(app)

    drive(StptuiApp(Session.open(tmp_path, start_ms=START)), script)


async def the_attributes_placeholder_passes_the_subscribers_filter(
    pilot: Pilot[None], app: StptuiApp
) -> None:
    dialog = await open_sns(pilot, app)
    attrs = dialog.query_one("#sns-attrs", TextArea)
    assert str(attrs.placeholder) == "severity=high"
    attrs.text = str(attrs.placeholder)
    await pilot.pause()
    assert "→ pager: delivered" in shown(app, "#sns-subscriptions")


# Checks of sns-filtered.yml's dialog, each in turn on one app, the dialog closed by escape
# after it (`on_one_app`). All but the last run nothing (the first two check so); the last
# publishes, and nothing is checked after it.
ON_ONE_APP = [
    a_subject_sns_refuses_is_shown_as_typed_and_the_verdicts_stay,
    an_empty_message_is_refused_only_when_published,
    the_attributes_placeholder_passes_the_subscribers_filter,
    hostile_attribute_values_are_shown_as_text,
]


def test_the_dialog_on_one_app() -> None:
    cases = [(check.__name__, (120, 36), check) for check in ON_ONE_APP]
    on_one_app(StptuiApp(sns_session()), cases)


@pytest.mark.parametrize(
    ("text", "delivered"),
    [
        ('{"default": "for anyone", "lambda": "for a function"}', "for a function"),
        ('{"default": "for anyone", "email": "for a mailbox"}', "for anyone"),
    ],
    ids=["lambda", "default"],
)
def test_the_structure_box_publishes_one_message_per_protocol(text: str, delivered: str) -> None:
    """Checked, the box makes the line `--message-structure json`: the message is refused
    in place, in the command's words, unless it is a JSON object with a string "default";
    then `archiver`, a Lambda subscription, gets its "lambda" string, else the "default"."""
    line = f"publish-sns alerts '{text}' --message-structure json"

    async def script(pilot: Pilot[None], app: StptuiApp) -> None:
        dialog = await open_sns(pilot, app)
        box = dialog.query_one("#sns-structure", Checkbox)
        assert not box.value and shown(app, "#sns-error") == ""
        box.focus()
        await pilot.press("space")
        await pilot.pause()
        assert box.value
        # The sample message is a JSON object without "default": refused as typed, in the
        # command's words, and publishing it changes nothing.
        assert 'no "default" key whose value is a string' in shown(app, "#sns-error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SnsDialog) and app.session.log == []
        message = dialog.query_one("#sns-message", TextArea)
        message.text = "disk full"
        await wait_until(
            pilot,
            lambda: "message is not a JSON object" in shown(app, "#sns-error"),
            "a message that is no JSON object to be refused",
        )
        message.text = text
        await wait_until(
            pilot, lambda: shown(app, "#sns-error") == "", "the message per protocol to read"
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, SnsDialog)
        # The line a user could have typed, run through the command layer and logged.
        assert app.session.log == [line]
        typed = sns_session()
        execute(typed, line)
        assert trace_sha256(typed.sim.trace) == trace_sha256(app.session.sim.trace)
        # `archiver`, a Lambda subscription without a filter policy, gets the "lambda" one,
        # else the "default".
        app.session.sim.advance(1_000)
        (entry,) = [e for e in app.session.sim.invocation_events if e[1] == "archiver"]
        event = event_of(app.session.sim, entry)
        assert event["Records"][0]["Sns"]["Message"] == delivered

    drive(StptuiApp(sns_session()), script)
