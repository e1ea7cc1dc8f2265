"""The restore dialog (`o`): restore an archived object (S3 RestoreObject) of a bucket.

It builds `restore BUCKET KEY [--days N] [--tier T] [--version-id V]` and runs it as the
other command dialogs do (stptui.tui.screens.dialogs). What the form holds is checked as
it is typed by the bucket service's own `check_restore`, which is what the command runs
first: an object that is not archived (`InvalidObjectState`), a retrieval still running
(`RestoreAlreadyInProgress`, unless a faster tier with the same days upgrades it), no such
key or version, so the refusal shows before enter, worded as the command words it. Under
the fields the dialog says what the request would do: when the retrieval completes, or
the upgrade, or the days counted again for a restored copy. Its repeat field runs it under
`repeat` (a key with `{i}` restores one object per repetition), and the check is then
repetition 1's.

A key holding a character no field holds (an ESC, a U+202E, a line break) is listed and
offered in `$'...'`, as completion offers it, and the key field reads a whole `$'...'` as
a command line does (`quoting.field_value`): such an object is restored like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from stptui.commands import CommandError, CommandResult, Session
from stptui.commands.quoting import EscapeError, field_text, field_value
from stptui.commands.registry import format_line
from stptui.commands.result import render_plain
from stptui.sim import s3_restore
from stptui.sim.behavior import format_duration
from stptui.sim.clock import iso_ms
from stptui.sim.engine import SimError
from stptui.sim.s3_lifecycle import ARCHIVED
from stptui.sim.services.bucket import BucketSim, S3Object
from stptui.tui.render import safe
from stptui.tui.screens.dialogs import CommandDialog, Hint, choices, dialog_bindings, hint_lines
from stptui.tui.widgets.fields import SafeInput

# The longest `--days` the command reads (seven digits), as it reads it.
MAX_DAYS_DIGITS = 7


def archived_objects(bucket: BucketSim) -> list[S3Object]:
    """The bucket's archived versions (GLACIER or DEEP_ARCHIVE): its current objects first,
    in key order (as the Inspector lists them), then the noncurrent versions."""
    keys = sorted(bucket.objects, key=lambda k: k.encode("utf-8", "surrogatepass"))
    current = [bucket.objects[k] for k in keys if bucket.objects[k].storage_class in ARCHIVED]
    older = [
        v
        for k in sorted(bucket.versions, key=lambda k: k.encode("utf-8", "surrogatepass"))
        for v in bucket.versions[k]
        if bucket.objects.get(k) is not v and not v.delete_marker and v.storage_class in ARCHIVED
    ]
    return current + older


def archives(bucket: BucketSim) -> bool:
    """Whether a lifecycle rule of the bucket moves objects to an archive class (the only
    way an object becomes one a restore can act on)."""
    return any(rule.storage_class in ARCHIVED for rule in bucket.rules)


def listed_key(key: str) -> str:
    """A key as the dialog lists it: as its key field takes it (`field_text`) where that
    is `$'...'` (`$'a\\u202erch/r.csv'`, printable as it is, and what completion offers),
    so that the key can be typed as it is listed; else with its escapes, as every list
    shows a key (`render.safe`)."""
    text = field_text(key)
    return text if text != key else safe(key)


def restore_state(obj: S3Object) -> str:
    """`restoring (Standard) until ...`, `restored until ...` or `not restored`."""
    return obj.restore.state() if obj.restore is not None else "not restored"


class RestoreDialog(CommandDialog):
    """Bucket picker (with its archived objects and their restores), the key (the first
    archived object not restored yet, to start with), tier, days and version id; what the
    request would do, or why S3 would refuse it, is shown as it is typed."""

    COMMAND = "restore"
    PREFIX = "restore"
    FIRST_FIELD = "#restore-key"
    HEADING = "restore an archived object (ctrl+s restores, escape cancels)"
    VERB = "Restore"
    HELP_TITLE = "Restore dialog"
    BINDINGS: ClassVar[list[BindingType]] = dialog_bindings("Restore", "Restore the object")
    DEFAULT_CSS = """
    RestoreDialog #restore-tier-column { width: 16; }
    RestoreDialog #restore-days-column { width: 18; }
    RestoreDialog #restore-key-column { width: 2fr; }
    """

    def __init__(
        self, session: Session, selected: str | None, run: Callable[[str], CommandResult]
    ) -> None:
        super().__init__(run)
        self.session = session
        self.service = session.sim.services["buckets"]
        self.buckets: dict[str, BucketSim] = self.service.buckets
        with_archive = [n for n, b in self.buckets.items() if archived_objects(b)]
        with_rules = [n for n, b in self.buckets.items() if archives(b)]
        if selected in self.buckets:
            self.selected: str = selected
        else:
            self.selected = (with_archive or with_rules or list(self.buckets))[0]

    def form(self) -> ComposeResult:
        """Bucket, its archived objects, key, tier and days, version id, what it would do."""
        # Two rows where there were four: the bucket with the tier and days, the key with
        # the version id (on rows of their own they made the dialog scroll at 80x24). The
        # labels are short enough for their columns on an 80-column terminal.
        with Horizontal(classes="dialog-row"):
            with Vertical():
                yield Label("bucket")
                yield Select(
                    choices(self.buckets),
                    value=self.selected,
                    allow_blank=False,
                    id="restore-bucket",
                )
            with Vertical(id="restore-tier-column"):
                yield Label("tier")
                yield Select(
                    [(tier, tier) for tier in s3_restore.TIERS],
                    value=s3_restore.DEFAULT_TIER,
                    allow_blank=False,
                    id="restore-tier",
                )
            with Vertical(id="restore-days-column"):
                yield Label("days (default 1)")
                yield SafeInput(placeholder="1", id="restore-days")
        yield Hint(self.objects_text(self.selected), id="restore-objects")
        with Horizontal(classes="dialog-row"):
            with Vertical(id="restore-key-column"):
                yield Label("key (an archived object)")
                yield SafeInput(
                    self.first_key(self.selected),
                    placeholder="reports/2025.csv",
                    id="restore-key",
                )
            with Vertical():
                yield Label("version id (optional)")
                yield SafeInput(placeholder="the current one", id="restore-version")
        yield Hint(Text(""), id="restore-plan")

    def on_mount(self) -> None:
        self._check()

    def first_key(self, bucket: str) -> str:
        """The current archived object to offer: the first not restored, else the first;
        its key as the field holds it (`field_text`)."""
        current = [o for o in archived_objects(self.buckets[bucket]) if self.is_current(bucket, o)]
        offered = [o for o in current if o.restore is None] or current
        return field_text(offered[0].key) if offered else ""

    def is_current(self, bucket: str, obj: S3Object) -> bool:
        """Whether `obj` is its key's current version."""
        return self.buckets[bucket].objects.get(obj.key) is obj

    def objects_text(self, bucket: str) -> Text:
        """The bucket's archived objects with their class and restore, or why it has none."""
        b = self.buckets[bucket]
        lines = []
        for obj in archived_objects(b):
            line = Text.assemble((listed_key(obj.key), "bold"))
            if not self.is_current(bucket, obj):
                line.append(f" version {safe(obj.version_id)}")
            line.append(f" {obj.storage_class} ")
            line.append(restore_state(obj), "cyan" if obj.restore is not None else "")
            lines.append(line)
        if archives(b):
            empty = "no archived object yet: its lifecycle rules move objects to GLACIER or "
            empty += "DEEP_ARCHIVE at their midnight (f runs the clock there)"
        else:
            empty = "no lifecycle rule of this bucket archives objects: nothing to restore"
        return hint_lines(lines, empty)

    @on(Select.Changed, "#restore-bucket")
    def _bucket_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.buckets:
            self.query_one("#restore-objects", Hint).show(self.objects_text(event.value))
            key = self.query_one("#restore-key", Input)
            # The key of the bucket left is no key of this one, most likely.
            key.value = self.first_key(event.value)
            self._check()

    @on(Input.Changed, "#restore-key")
    @on(Input.Changed, "#restore-days")
    @on(Input.Changed, "#restore-version")
    @on(Select.Changed, "#restore-tier")
    def _request_changed(self) -> None:
        self._check()

    def recheck(self) -> None:
        """What the request would do again: repeated, repetition 1's."""
        self._check()

    def _days(self) -> int:
        """The days typed (1 when empty); CommandError, as the command words it, when they
        are not a whole number of at least 1."""
        text = self.as_first(self.value("#restore-days")).strip() or "1"
        digits = text.isascii() and text.isdecimal()  # `２` too is refused, as by the command
        if not digits or len(text) > MAX_DAYS_DIGITS or int(text) < 1:
            raise CommandError(
                f"--days must be a whole number of days, at least 1, not {text[:24]!r}",
                "e.g. --days 3",
            )
        return int(text)

    def _check(self) -> None:
        """Show what the request would do, or why it would be refused."""
        plan = self.query_one("#restore-plan", Hint)
        key = self.value("#restore-key")
        if not key:
            plan.show(Text("type the key of an archived object"))
            self.show_error("")
            return
        try:
            text = self.plan()
        except CommandError as exc:
            plan.show(Text(""))
            self.show_error(render_plain(CommandResult(exc.format())))
            return
        plan.show(text)
        self.show_error("")

    def plan(self) -> Text:
        """What the request the form holds would do; CommandError when S3 would refuse it
        (the bucket service's `check_restore`, the same check the command makes)."""
        bucket = self.picked("#restore-bucket")
        tier = self.picked("#restore-tier")
        days = self._days()
        version = self.as_first(self.value("#restore-version")).strip() or None
        key = self.key(self.as_first(self.value("#restore-key")))
        try:
            obj = self.service.check_restore(bucket, key, days=days, tier=tier, version_id=version)
        except SimError as exc:
            raise CommandError(str(exc), exc.hint) from None
        now = self.session.sim.clock.now
        current = obj.restore
        if current is None:
            took = s3_restore.retrieval_ms(obj.storage_class, tier)
            return Text(
                f"202 Accepted: a {tier} retrieval from {obj.storage_class} takes "
                f"{format_duration(took)}; readable from {iso_ms(now + took)} until "
                f"{iso_ms(s3_restore.expiry_at(now + took, days))}"
            )
        if current.expiry is None:
            done = min(current.done, now + s3_restore.retrieval_ms(obj.storage_class, tier))
            return Text(
                f"202 Accepted: upgrades the running {current.tier} retrieval to {tier}; "
                f"it completes at {iso_ms(done)}"
            )
        return Text(
            f"200 OK: restored until {iso_ms(current.expiry)}; the copy then stays until "
            f"{iso_ms(s3_restore.expiry_at(now, days))} ({days} day{'s' * (days != 1)} from now)"
        )

    @staticmethod
    def key(text: str) -> str:
        """The key the key field's `text` names (`field_value`: a whole `$'...'` is read as
        a command line reads it); CommandError for an escape in it that names no character."""
        try:
            return field_value(text)
        except EscapeError as exc:
            raise CommandError(f"key: {exc.message} in $'...'", exc.hint) from None

    def command_line(self) -> str:
        """`restore BUCKET KEY [--days N] [--tier T] [--version-id V]`."""
        options: list[tuple[str, str | None]] = []
        days = self.value("#restore-days").strip()
        if days:
            options.append(("--days", days))
        tier = self.picked("#restore-tier")
        if tier != s3_restore.DEFAULT_TIER:
            options.append(("--tier", tier))
        version = self.value("#restore-version").strip()
        if version:
            options.append(("--version-id", version))
        key = self.key(self.value("#restore-key"))
        return format_line("restore", [self.picked("#restore-bucket"), key], options)
