"""Which argument or option each word of a command line fills, read from the registry.

`registry.bind` binds a finished line in one go and fails on a missing argument; completion
and validation while typing need to follow a line word by word as it grows. `Walker` does
that from the same declarations (arguments, their kinds, `choices` and `kind_after`, and
options), so a command added to the registry is completed and checked with no change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stptui.commands.registry import (
    FLAG,
    OPERATOR,
    REST_UNFINISHED,
    Arg,
    Command,
    Option,
    read_kind,
)

# The slot kind of a word that names an option (`--delay`).
OPTION = "option"


@dataclass(frozen=True, slots=True)
class Slot:
    """What a word is: a value of `kind` (one of `choices` when the argument has them) for
    argument `arg` or option `option`, or an option name when `kind` is OPTION."""

    kind: str | None
    choices: tuple[str, ...] = ()
    help: str = ""
    arg: Arg | None = None
    option: Option | None = None


def _arg_slot(arg: Arg, previous: str | None) -> Slot:
    return Slot(arg.kind_for(previous), arg.choices, arg.help, arg=arg)


class Walker:
    """Follows one command's grammar a word at a time (the words after the command name)."""

    def __init__(self, command: Command) -> None:
        self.command = command
        self._arg = 0  # index of the argument the next positional word goes to
        self._in_rest = 0  # words taken so far by the current `rest` argument
        self._previous: str | None = None  # the previous positional word
        self._first: str | None = None  # the first positional word (an option's `after`)
        self._previous_kind: str | None = None  # and the kind it was read as
        self._pending: Option | None = None  # an option whose value comes next
        self._options_done = False  # after `--` every word is positional
        self.given: set[str] = set()  # names of the options given so far
        # (kind, word) of every value given so far, in order: completion narrows a value by
        # the ones before it (`delete BUCKET KEY` offers that bucket's keys).
        self.bound: list[tuple[str, str]] = []
        # The walker of an inner command line (`repeat N send ...`: send's), once its name
        # is given: every later word is its, read as if the line started there.
        self._inner: Walker | None = None

    def option(self, name: str) -> Option | None:
        """The command's option called `name`, if it has one."""
        return next((o for o in self.command.options if o.name == name), None)

    def expected(self) -> list[Slot]:
        """What the next word may be: an option's value, or the next argument(s)."""
        if self._inner is not None:
            return self._inner.expected()
        if self._pending is not None:
            opt = self._pending
            return [Slot(opt.kind, opt.choices, opt.help, option=opt)]
        args = self.command.args
        if self._arg >= len(args):
            return []
        arg = args[self._arg]
        if self._body_from_file(arg):
            return []  # `--from PATH` gives it
        if not (arg.rest and self._in_rest):
            return [_arg_slot(arg, self._previous)]
        # Inside a `rest` argument: the kinds that may follow the previous word (the one its
        # kind_after names for it, `expect count KIND`; a RESOURCE or a FIELD=VALUE after
        # KIND), then, unless kind_after named the kind, the argument after it
        # (`expect queue.q.depth ==`: an operator ends the path).
        followers = arg.follower_kinds(self._previous, self._previous_kind)
        slots = [Slot(kind, (), arg.help, arg=arg) for kind in followers]
        named = any(w == self._previous for w, _ in arg.kind_after)
        unfinished = self._previous_kind in REST_UNFINISHED
        if not named and not unfinished and self._arg + 1 < len(args):
            slots.append(_arg_slot(args[self._arg + 1], self._previous))
        return slots

    def options_left(self) -> list[Option]:
        """Options that may still be given (a repeatable one always may)."""
        if self._inner is not None:
            return self._inner.options_left()
        if self._options_done:
            return []
        # A body typed as a word leaves no room for `--from PATH`, which gives it too.
        typed_body = any(a.key == self.command.body_file for a in self.command.args[: self._arg])
        return [
            o
            for o in self.command.options
            if (o.repeat or o.name not in self.given)
            and not (typed_body and o.name == "--from")
            and (not o.after or self._first is None or self._first in o.after)
        ]

    def _body_from_file(self, arg: Arg) -> bool:
        """Whether `arg` is the body that a `--from PATH` given on the line reads."""
        return arg.key == self.command.body_file and "--from" in self.given

    def feed(self, word: str) -> Slot | None:
        """Take the next word; returns what it is (None for `--` or a word too many)."""
        slot = self._take(word)
        if slot is not None and slot.kind not in (None, OPTION):
            self.bound.append((slot.kind, word))
        elif slot is not None and slot.option is not None and slot.option.kind != FLAG:
            _, eq, value = word.partition("=")
            if eq:
                self.bound.append((slot.option.kind, value))
        return slot

    def _take(self, word: str) -> Slot | None:
        if self._inner is not None:
            return self._inner._take(word)
        if self._pending is not None:
            slot = self.expected()[0]
            self._pending = None
            return slot
        if not self._options_done and word == "--":
            self._options_done = True
            return None
        if not self._options_done and word.startswith("--"):
            name, eq, _ = word.partition("=")
            opt = self.option(name)
            if opt is not None:
                self.given.add(opt.name)
                if opt.kind != FLAG and not eq:
                    self._pending = opt
            return Slot(OPTION, (), opt.help if opt else "", option=opt)
        return self._positional(word)

    def _positional(self, word: str) -> Slot | None:
        slot = self._read_positional(word)
        self._previous_kind = slot.kind if slot is not None else None
        return slot

    def _read_positional(self, word: str) -> Slot | None:
        args = self.command.args
        if self._arg >= len(args):
            return None
        arg = args[self._arg]
        previous, self._previous = self._previous, word
        if self._first is None:
            self._first = word
        if not arg.rest:
            self._arg += 1
            return _arg_slot(arg, previous)
        if arg.command_line:
            return self._inner_command(arg, word, previous)
        following = args[self._arg + 1] if self._arg + 1 < len(args) else None
        if self._in_rest and following is not None and _starts(following, word):
            # The rest argument ended: this word is the next argument's.
            self._arg += 2
            self._in_rest = 0
            return _arg_slot(following, previous)
        first = self._in_rest == 0
        self._in_rest += 1
        if first:
            return _arg_slot(arg, previous)
        kind = read_kind(arg.follower_kinds(previous, self._previous_kind), word)
        return Slot(kind, (), arg.help, arg=arg)

    def _inner_command(self, arg: Arg, word: str, previous: str | None) -> Slot | None:
        """The first word of an inner command line: its name. A known command's walker
        reads the words after it; after an unknown one nothing can be told."""
        # Imported here: the handlers import this package's siblings' layer, not this one.
        from stptui.commands.handlers import REGISTRY

        if self._in_rest:
            return None  # the name was unknown: no grammar for the words after it
        self._in_rest = 1
        command = REGISTRY.commands.get(word)
        if command is not None:
            self._inner = Walker(command)
            self._inner.bound = self.bound  # one list: completion reads the values given
        return _arg_slot(arg, previous)


def _starts(arg: Arg, word: str) -> bool:
    """Whether `word` is `arg`'s, ending the `rest` argument before it: one of its fixed
    words, or, for a comparison, a misspelt one (`=`, `=>`), which binding reads as the
    comparison too (and `expect` refuses as such: did you mean ==?)."""
    return word in arg.choices or (
        arg.kind == OPERATOR and re.fullmatch(r"[=!<>]+", word) is not None
    )
