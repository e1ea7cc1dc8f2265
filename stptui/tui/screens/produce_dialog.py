"""The produce dialog (`m`): produce a record to a Kafka topic a function's `kafka-topic`
event reads.

It builds `produce TOPIC VALUE [--key K] [--header K=V ...] [--partition N]` and runs it as
the other command dialogs do (stptui.tui.screens.dialogs), under `repeat` when its repeat
field asks for more than one (the checks then read repetition 1's fields). What the form
holds is checked as it is typed by the command's own checks: its reading of the headers
and the partition, then the topic's `check_produce` (a partition the topic lacks, a record
over the broker's largest), so a refusal shows before enter, worded as the command words
it. Under the fields the dialog says where the record would go: the partition its key picks
(murmur2), the next one in turn without a key, or the one asked for, and the offset it
would get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, TextArea

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.examples import KAFKA_VALUE
from stptui.commands.handlers.base import whole_number
from stptui.commands.handlers.kafka import parse_headers
from stptui.commands.registry import format_line
from stptui.sim.services.kafka import KafkaError, KafkaTopic
from stptui.tui.render import safe
from stptui.tui.screens.dialogs import (
    CommandDialog,
    Hint,
    MoreFields,
    choices,
    dialog_bindings,
    hint_lines,
    picked_source,
    reader_lines,
)
from stptui.tui.widgets.fields import SafeInput, SafeTextArea


def headers_summary(text: str) -> str:
    """The folded headers' line: how many the record carries."""
    count = len(header_pairs(text))
    return f"headers: {count or 'none'}"


def header_pairs(text: str) -> list[str]:
    """The headers field's `K=V` lines, blank ones left out, in order (a key may repeat)."""
    return [line for line in text.splitlines() if line.strip()]


class ProduceDialog(CommandDialog):
    """Topic picker (where it lives, its partitions and readers), the value (any text), the
    key, the partition, the headers (one `K=V` a line), and where the record would go or
    why the broker (or the command) would refuse it, updated as it is typed."""

    COMMAND = "produce"
    PREFIX = "produce"
    FIRST_FIELD = "#produce-value"
    HEADING = "produce a record to a Kafka topic (ctrl+s produces, escape cancels)"
    VERB = "Produce"
    HELP_TITLE = "Produce dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings(
        "Produce", "Produce the record", more="the record's headers"
    )
    DEFAULT_CSS = """
    ProduceDialog #produce-value { height: 5; }
    ProduceDialog #produce-headers { height: 4; }
    ProduceDialog #produce-partition-column { width: 16; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.topics: dict[str, KafkaTopic] = session.sim.services["kafka"]
        readers = {name: topic.consumers for name, topic in self.topics.items()}
        self.selected: str = picked_source(readers, selected)

    def form(self) -> ComposeResult:
        """Topic, where it lives and its readers, value, key and partition, headers, and
        where the record would go."""
        # The topic, the key and the partition share a row, and the headers are folded
        # (counted on their line): the dialog scrolled by 9 rows at 80x24.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("topic")
                yield Select(
                    choices(self.topics),
                    value=self.selected,
                    allow_blank=False,
                    id="produce-topic",
                )
            with Vertical():
                yield Label("key (optional)")
                yield SafeInput(placeholder="none: partitions in turn", id="produce-key")
            with Vertical(id="produce-partition-column"):
                yield Label("partition")
                yield SafeInput(placeholder="the key's", id="produce-partition")
        yield Hint(self.topic_text(self.selected), id="produce-topic-hint")
        yield Label("value (any text, sent as its UTF-8 bytes)")
        yield SafeTextArea(KAFKA_VALUE, id="produce-value")
        with MoreFields(summary=headers_summary(""), id="produce-more"):
            yield Label("headers (one KEY=VALUE a line)")
            yield SafeTextArea("", id="produce-headers")
        # Filled in once the fields exist (`on_mount`).
        yield Hint(Text(""), id="produce-where")

    def topic_text(self, name: str) -> Text:
        """Where the topic lives, its partitions and the records they hold, its readers."""
        topic = self.topics[name]
        held = topic.held()
        count = len(topic.partitions)
        lines = [
            Text(f"topic {safe(topic.topic)} on {safe(topic.where())}"),
            Text(f"{count} partition{'s' * (count != 1)}, {held:,} record{'s' * (held != 1)} held"),
        ]
        return hint_lines(lines + reader_lines(topic.consumers), "")

    def check(self) -> tuple[int | None, str | None]:
        """The partition the record would go to, or why the command would refuse it (its
        headers, its partition, the broker's checks), as the command words it."""
        topic = self.topics[self.picked("#produce-topic")]
        raw = self.as_first(self.value("#produce-partition")).strip()
        key = self.as_first(self.value("#produce-key"))
        try:
            headers = parse_headers(header_pairs(self.as_first(self.value("#produce-headers"))))
            partition = None if not raw else whole_number(raw, "--partition", minimum=0)
            index = topic.check_produce(
                self.as_first(self.value("#produce-value")).encode("utf-8", "surrogatepass"),
                key.encode("utf-8", "surrogatepass") if key else None,
                headers,
                partition,
            )
        except CommandError as exc:
            return None, exc.format()
        except KafkaError as exc:
            return None, CommandError(str(exc), exc.hint).format()
        return index, None

    def where_text(self, index: int | None) -> Text:
        """Where the record would go to `index`: `key customer-1 (murmur2) → partition 1,
        offset 3` (nothing when the command would refuse it)."""
        if index is None:
            return Text("")
        topic = self.topics[self.picked("#produce-topic")]
        offset = topic.partitions[index].next_offset
        key = self.as_first(self.value("#produce-key"))
        if self.value("#produce-partition").strip():
            why = "the partition asked for"
        elif key:
            why = f"key {safe(key)} (murmur2)"
        else:
            why = "no key: the next partition in turn"
        return Text(f"{why} → partition {index}, offset {offset}")

    def on_mount(self) -> None:
        """Say where the sample record would go as the dialog opens."""
        self._show_check()

    @on(Select.Changed, "#produce-topic")
    def _topic_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.topics:
            self.query_one("#produce-topic-hint", Hint).show(self.topic_text(event.value))
            self._show_check()

    @on(TextArea.Changed, "#produce-headers")
    def _headers_changed(self) -> None:
        summary = headers_summary(self.value("#produce-headers"))
        self.query_one("#produce-more", MoreFields).show_summary(summary)
        self._show_check()

    @on(Input.Changed, "#produce-key")
    @on(Input.Changed, "#produce-partition")
    def _field_changed(self) -> None:
        self._show_check()

    @on(TextArea.Changed, "#produce-value")
    def _value_changed(self, event: TextArea.Changed) -> None:
        # As a long JSON body is checked: a pasted megabyte is measured once typing stops.
        self.check_as_typed(sum(map(len, event.text_area.document.lines)), self._show_check)

    def recheck(self) -> None:
        """Where the record would go again: repeated, repetition 1's."""
        self._stop_json_check()
        self._show_check()

    def _show_check(self) -> None:
        self._json_check = None
        index, problem = self.check()
        self.query_one("#produce-where", Hint).show(self.where_text(index))
        self.show_error(problem or "")

    def command_line(self) -> str:
        """`produce TOPIC VALUE [--key K] [--header K=V ...] [--partition N]`."""
        options: list[tuple[str, str | None]] = []
        key = self.value("#produce-key")
        if key:
            options.append(("--key", key))
        options.extend(("--header", pair) for pair in header_pairs(self.value("#produce-headers")))
        partition = self.value("#produce-partition").strip()
        if partition:
            options.append(("--partition", partition))
        value = self.value("#produce-value")
        return format_line("produce", [self.picked("#produce-topic"), value], options)
