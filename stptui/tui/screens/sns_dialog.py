"""The SNS dialog (`P`): publish a message to an SNS topic.

It builds `publish-sns TOPIC MESSAGE [--subject S] [--attr K=V ...] [--group G]
[--dedup-id ID] [--message-structure json]` and runs it as the other command dialogs do
(stptui.tui.screens.dialogs), so the message is published, logged and recorded like a
typed one; its repeat field makes it `repeat N [--every D] publish-sns ...`. The
attributes are typed one `NAME=VALUE` a line, as `--attr` takes them. As the form is
typed, each subscription of the topic says whether its filter policy would let the message
through and, if not, why (`Subscription.filtered_reason`, the simulator's own matcher), and
what the command would refuse shows in place, in its words: an attribute without `=`, a
value that starts a JSON array and is none (the command's reading of `--attr`), a name or
a subject SNS refuses, a message over 256 KB, with the structure box checked a message
that is no JSON object with a string "default" (the topic's `check_publish`). A field left
empty is refused only when the line runs: a FIFO topic's group id, its deduplication id.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.examples import SNS_MESSAGE
from stptui.commands.handlers.base import as_number
from stptui.commands.handlers.schedules_buses_topics import sns_attributes
from stptui.commands.registry import format_line
from stptui.sim.engine import SimError
from stptui.sim.services.topic import (
    SnsError,
    Subscription,
    TopicService,
    TopicSim,
    read_attributes,
)
from stptui.textsafe import flat
from stptui.tui.render import preview, safe
from stptui.tui.screens.dialogs import (
    HINT_LINES,
    CommandDialog,
    Hint,
    choices,
    dialog_bindings,
    hint_lines,
)
from stptui.tui.widgets.fields import SafeInput, SafeTextArea

# How many of a filtered-out subscription's reasons its line gives (a policy's failed
# conditions can be many).
REASONS_SHOWN = 1
# The cells a subscription's filter policy takes on its line (the Inspector has it whole).
POLICY_PREVIEW = 50
# The live check's stand-ins for a FIFO topic's ids not typed yet: an empty required field is
# refused when the line runs, not while the form is being filled in (see `check`).
PENDING_ID = "pending"
# The attributes' placeholder on a topic whose policies give no name with a plain value: the
# example `--attr`'s own hint gives.
NEUTRAL_ATTRIBUTE = "kind=order"


def attribute_lines(text: str) -> list[str]:
    """The attributes field's `NAME=VALUE` lines, blank ones left out, in order."""
    return [line for line in text.splitlines() if line.strip()]


def picked_topic(service: TopicService, names: list[str], selected: str | None) -> str:
    """The topic the dialog opens on: the selected one, else the first the selected
    workload subscribes to, else the first with a subscription, else the first."""
    if selected in names:
        return selected
    mine = [n for n in names if any(s.owner == selected for s in service.topics[n].subscriptions)]
    subscribed = [n for n in names if service.topics[n].subscriptions]
    return (mine or subscribed or names)[0]


def attribute_example(topic: TopicSim) -> Content:
    """The attributes' placeholder, as text (never markup): the first name the topic's
    subscriptions' filter policies compare (inside a `$or` group's branches too) with a
    value that passes it as `--attr` writes it (a string or a number the policy lists, not
    an operator such as a range), else NEUTRAL_ATTRIBUTE."""
    for sub in topic.subscriptions:
        if sub.matcher is None or sub.refused is not None or not isinstance(sub.policy, dict):
            continue
        policy = sub.policy
        branches = policy["$or"] if set(policy) == {"$or"} else [policy]
        for branch in branches:
            for name, values in branch.items() if isinstance(branch, dict) else ():
                for value in values if isinstance(values, list) else ():
                    if (line := attribute_line(name, value)) is not None:
                        return Content(line)
    return Content(NEUTRAL_ATTRIBUTE)


def attribute_line(name: str, value: object) -> str | None:
    """`NAME=VALUE` as `--attr` takes an attribute that a policy's listed `value` matches:
    a number as is, a string that `--attr` reads back as that String (not a number nor a
    JSON array); None for an operator, or a name or value SNS or `--attr` refuses or that
    only escapes show (a control character)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        plain = json.dumps(value)
    elif isinstance(value, str) and as_number(value) is None and not value.startswith("["):
        plain = value
    else:
        return None
    line = f"{name}={plain}"
    if safe(line) != line:
        return None
    try:
        read_attributes(sns_attributes([line]))
    except (CommandError, SnsError):
        return None
    return line


def verdict_line(sub: Subscription, attrs: dict[str, dict[str, str]] | None) -> Text:
    """One subscription: its target and, when the attributes read (`attrs`), whether the
    message would reach it, `→ pager: filtered out (severity: missing (expected "high"))`,
    else its filter policy. The reason says what the policy wants: with the policy too, a
    line took two rows at 80 columns, and three subscriptions made the dialog scroll."""
    line = Text.assemble("→ ", (safe(sub.owner), "bold"), ": ")
    if attrs is None:
        if sub.policy is None:
            line.append("no filter policy")
        else:
            policy = json.dumps(sub.policy, separators=(",", ":"), default=str)
            line.append(f"filter policy {preview(policy, POLICY_PREVIEW, flat)}")
        return line
    reasons = sub.filtered_reason(attrs)
    if not reasons:
        line.append("delivered", "bold green")
        if sub.policy is None:
            line.append(" (no filter policy)")
        return line
    line.append("filtered out", "yellow")
    # A policy's explanation is a count of the failed conditions, then each one indented:
    # the conditions say it all on one line (`severity: missing (expected "high")`).
    details = [reason for reason in reasons if reason[:1].isspace()] or reasons
    shown = [reason.strip() for reason in details[:REASONS_SHOWN]]
    more = len(details) - len(shown)
    line.append(f" ({safe('; '.join(shown))}{f'; {more} more' if more else ''})")
    return line


class SnsDialog(CommandDialog):
    """Picker of the SNS topics (what the chosen one is, and its subscriptions), the subject
    (and a FIFO topic's group and deduplication ids) and the message structure box beside
    it, the message and its attributes, and each subscription's verdict on the message,
    updated as it is typed."""

    COMMAND = "publish-sns"
    PREFIX = "sns"
    FIRST_FIELD = "#sns-message"
    HEADING = "publish to an SNS topic (ctrl+s publishes, escape cancels)"
    VERB = "Publish"
    HELP_TITLE = "SNS dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Publish", "Publish the message")
    DEFAULT_CSS = """
    SnsDialog #sns-message { height: 5; }
    SnsDialog #sns-attrs { height: 5; }
    SnsDialog #sns-topic-column { width: 2fr; }
    SnsDialog #sns-structure-column { width: auto; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.service: TopicService = session.sim.services["topics"]
        # The stack's topics, then those outside it that a subscription names by ARN
        # (`publish-sns` takes the ARN): their subscribers are the stack's.
        own = [k for k, t in self.service.topics.items() if not t.external]
        self.names = own + [k for k, t in self.service.topics.items() if t.external]
        self.selected: str = picked_topic(self.service, self.names, selected)

    def form(self) -> ComposeResult:
        """Topic, subject and a FIFO topic's ids; its subscriptions and their verdicts;
        message and attributes."""
        # The subject and a FIFO topic's ids share the topic's row, and the attributes the
        # message's: each on a row of its own, the dialog would scroll at 80x24.
        fifo = self.topic(self.selected).fifo
        with Horizontal(classes="dialog-row"):
            with Vertical(id="sns-topic-column"):
                yield Label("topic")
                yield Select(
                    choices(self.names), value=self.selected, allow_blank=False, id="sns-topic"
                )
            with Vertical():
                yield Label("subject (optional)")
                yield SafeInput(placeholder="none", id="sns-subject")
            with Vertical(id="sns-group-column", classes="sns-fifo") as group:
                group.display = fifo
                yield Label("group id")
                yield SafeInput(placeholder="orders-1", id="sns-group")
            with Vertical(id="sns-dedup-column", classes="sns-fifo") as dedup:
                dedup.display = fifo
                yield Label(self.dedup_label(self.selected), id="sns-dedup-label")
                yield SafeInput(placeholder="order-1", id="sns-dedup")
            with Vertical(id="sns-structure-column"):
                yield Label("structure")
                yield Checkbox(
                    "json",
                    id="sns-structure",
                    tooltip="--message-structure json: the message is a JSON object of one "
                    'message per protocol with a "default" one; every subscriber, a Lambda '
                    'subscription, gets its "lambda" message, else the "default"',
                )
        # Filled in once the fields exist (`on_mount`).
        yield Hint(Text(""), id="sns-subscriptions")
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("message (any text)")
                yield SafeTextArea(SNS_MESSAGE, id="sns-message")
            with Vertical():
                yield Label("attributes (NAME=VALUE a line)")
                yield SafeTextArea(
                    "",
                    id="sns-attrs",
                    placeholder=attribute_example(self.topic(self.selected)),
                    tooltip="One message attribute a line, as --attr takes it: a number is "
                    "a Number, a JSON array a String.Array, anything else a String",
                )

    def topic(self, name: str) -> TopicSim:
        """The topic the picker names."""
        return self.service.topics[name]

    def dedup_label(self, name: str) -> str:
        """The deduplication id's label: optional where the topic deduplicates by content."""
        return "dedup id (optional)" if self.topic(name).content_dedup else "dedup id"

    def topic_line(self, topic: TopicSim) -> Text:
        """What the topic is and who subscribes: `alerts: standard topic, 2 subscriptions`."""
        kind = "FIFO topic" if topic.fifo else "standard topic"
        if topic.fifo and topic.content_dedup:
            kind += " with content-based deduplication"
        if topic.external:
            kind += " outside the stack"
        count = len(topic.subscriptions)
        subs = (
            f"{count} subscription{'s' * (count != 1)}"
            if count
            else "no subscription: the message reaches no one"
        )
        return Text(f"{safe(topic.name)}: {kind}, {subs}")

    def subscriptions_text(self, name: str, attrs: dict[str, dict[str, str]] | None) -> Text:
        """The topic, then each subscription with its verdict on the message."""
        topic = self.topic(name)
        lines = [verdict_line(sub, attrs) for sub in topic.subscriptions]
        text = self.topic_line(topic)
        if lines:
            text.append("\n")
            text.append_text(hint_lines(lines, "", HINT_LINES))
        return text

    def fifo_ids(self) -> tuple[str | None, str | None]:
        """The group and deduplication ids the line gives: a standard topic's hidden fields
        give none."""
        if not self.topic(self.picked("#sns-topic")).fifo:
            return None, None
        group = self.value("#sns-group").strip()
        dedup = self.value("#sns-dedup").strip()
        return group or None, dedup or None

    def structure(self) -> str | None:
        """The MessageStructure the line gives: json while its box is checked."""
        return "json" if self.query_one("#sns-structure", Checkbox).value else None

    def check(self) -> tuple[dict[str, dict[str, str]] | None, str | None]:
        """The attributes as SNS reads them (None when they do not read), and why the
        command would refuse the form as it stands (None when it would not), in the
        command's words; repeated, repetition 1's fields. Attributes that read keep their
        verdicts while another field is refused (a subject too long)."""
        name = self.picked("#sns-topic")
        topic = self.topic(name)
        try:
            plain = sns_attributes(attribute_lines(self.as_first(self.value("#sns-attrs"))))
            attrs = read_attributes(plain)
        except CommandError as exc:
            return None, exc.format()
        except SnsError as exc:
            return None, CommandError(str(exc), exc.hint).format()
        subject = self.as_first(self.value("#sns-subject")) or None
        message = self.as_first(self.value("#sns-message"))
        group, dedup = (self.as_first(i) if i else None for i in self.fifo_ids())
        if topic.fifo:
            # See PENDING_ID: the other checks still run.
            group = group or PENDING_ID
            if not topic.content_dedup:
                dedup = dedup or PENDING_ID
        try:
            self.service.check_publish(
                name,
                # An empty message is refused only when the line runs, as PENDING_ID's.
                message or PENDING_ID,
                subject=subject,
                attributes=plain,
                group=group,
                dedup_id=dedup,
                structure=self.structure(),
            )
        except SimError as exc:
            return attrs, CommandError(str(exc), exc.hint).format()
        return attrs, None

    def on_mount(self) -> None:
        """Say what each subscription does with the sample message as the dialog opens."""
        self._show_check()

    @on(Select.Changed, "#sns-topic")
    def _topic_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.service.topics:
            fifo = self.topic(event.value).fifo
            for column in self.query(".sns-fifo"):
                column.display = fifo
            self.query_one("#sns-dedup-label", Label).update(self.dedup_label(event.value))
            self.query_one("#sns-attrs", TextArea).placeholder = attribute_example(
                self.topic(event.value)
            )
            self._show_check()

    @on(Input.Changed, "#sns-subject")
    @on(Input.Changed, "#sns-group")
    @on(Input.Changed, "#sns-dedup")
    @on(TextArea.Changed, "#sns-attrs")
    @on(Checkbox.Changed, "#sns-structure")
    def _field_changed(self) -> None:
        self._show_check()

    @on(TextArea.Changed, "#sns-message")
    def _message_changed(self, event: TextArea.Changed) -> None:
        # As a long JSON body is checked: a pasted 256 KB message is measured once typing
        # stops.
        self.check_as_typed(sum(map(len, event.text_area.document.lines)), self._show_check)

    def recheck(self) -> None:
        """The verdicts and the check again: repeated, repetition 1's."""
        self._stop_json_check()
        self._show_check()

    def _show_check(self) -> None:
        self._json_check = None
        attrs, problem = self.check()
        text = self.subscriptions_text(self.picked("#sns-topic"), attrs)
        self.query_one("#sns-subscriptions", Hint).show(text)
        self.show_error(problem or "")

    def command_line(self) -> str:
        """`publish-sns TOPIC MESSAGE [--subject S] [--attr K=V ...] [--group G]
        [--dedup-id ID] [--message-structure json]`."""
        options: list[tuple[str, str | None]] = []
        subject = self.value("#sns-subject")
        if subject:
            options.append(("--subject", subject))
        options += [("--attr", pair) for pair in attribute_lines(self.value("#sns-attrs"))]
        group, dedup = self.fifo_ids()
        if group:
            options.append(("--group", group))
        if dedup:
            options.append(("--dedup-id", dedup))
        structure = self.structure()
        if structure:
            options.append(("--message-structure", structure))
        words = [self.picked("#sns-topic"), self.value("#sns-message")]
        return format_line("publish-sns", words, options)
