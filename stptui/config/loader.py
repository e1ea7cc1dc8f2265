"""Safe YAML loading that remembers where every value came from.

Stacktape parses its config with the JavaScript `yaml` package, which follows the YAML 1.2
core schema: `yes`, `on` and `no` are strings, `0777` is a decimal number. We resolve scalars
the same way so that a value means here what it means to the deployer. Nothing but the
standard JSON-like types is ever constructed; unknown tags (`!Ref`) are read as their plain
value with a warning.
"""

from __future__ import annotations

import math
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser as _PureParser
from yaml.reader import Reader as _Reader
from yaml.scanner import Scanner as _Scanner

from stptui.config.diagnostics import ConfigError, Diagnostic, Position

# libyaml refuses nesting deeper than 1,000 levels from 0.2.6 on (yaml/libyaml#287). PyYAML's
# C parser composes nodes recursively in C, with no limit of its own: built against an older
# libyaml (a distribution's package, a source build), a file of a million `[` overflows the
# C stack, a segmentation fault no `except` catches. The pure-Python parser stops at
# Python's recursion limit instead, several times slower but safe.
LIBYAML_BOUNDS_NESTING = (0, 2, 6)


def libyaml_version() -> tuple[int, ...] | None:
    """The libyaml version PyYAML's C parser was built against; None when it has none."""
    try:
        from yaml import _yaml
    except ImportError:
        return None
    return tuple(_yaml.get_version())


DataPath = tuple[str | int, ...]

MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 1_000_000
MAX_DEPTH = 200

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_KNOWN_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _MERGE}


class _CoreResolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema implicit typing (what the JS `yaml` package uses by default)."""

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}


_CoreResolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreResolver.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreResolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_CoreResolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreResolver.add_implicit_resolver(_MERGE, re.compile(r"^<<$"), ["<"])


class _PureLoader(_Reader, _Scanner, _PureParser, yaml.composer.Composer, _CoreResolver):  # type: ignore[misc]
    # A character the reader refuses is reported at an index into the text's characters.
    counts_bytes = False

    def __init__(self, stream: str) -> None:
        _Reader.__init__(self, stream)
        _Scanner.__init__(self)
        _PureParser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _CoreResolver.__init__(self)


def choose_loader() -> type:
    """The C parser where its libyaml bounds nesting, else the pure-Python one."""
    version = libyaml_version()
    if version is None or version < LIBYAML_BOUNDS_NESTING:
        return _PureLoader
    from yaml.cyaml import CParser

    class _CLoader(CParser, _CoreResolver):  # type: ignore[misc]
        # libyaml reads the text as UTF-8: its offsets count bytes.
        counts_bytes = True

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _CoreResolver.__init__(self)

    return _CLoader


_Loader = choose_loader()


@dataclass
class LoadedYaml:
    """A parsed YAML document: plain data plus the position of every key and value.

    `includes` maps the path of a value that is wholly another file's data (a `$File`
    directive) to that file's document and the path in it the value was read from.
    """

    file: str
    data: Any
    value_marks: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # An index of positions, not content (and a file that reads a part of itself refers to
    # itself here): left out of comparison and repr.
    includes: dict[DataPath, tuple[LoadedYaml, DataPath]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # The files `$File` and `$FileRaw` read for this document (and the files those include),
    # each with the SHA-256 of the bytes read, or None when none could be read (missing,
    # a link, too large): what a session built from it watches and compares.
    files: dict[Path, str | None] = field(default_factory=dict, compare=False, repr=False)

    def pos(self, path: DataPath, *, key: bool = False, included: bool = True) -> Position:
        """Where `path` is written (its key when `key`), or its nearest written ancestor.

        A value read from another file is found in that file, down to the innermost file of
        nested includes, unless `included` is False (a problem with the directive itself).
        The key of the included value is the one written here.
        """
        marks = self.key_marks if key else self.value_marks
        includes = self.includes if included else None
        p = tuple(path)
        while True:
            # Only strings are replaced by included data, so nothing below an include point
            # is written here: the include is found before any mark of this document.
            source = includes.get(p) if includes else None
            if source is not None and not (key and len(p) == len(path)):
                doc, base = source
                return doc.pos((*base, *path[len(p) :]), key=key)
            hit = marks.get(p)
            if hit is None and key:
                hit = self.value_marks.get(p)
            if hit is not None:
                return Position(self.file, hit[0], hit[1])
            if not p:
                return Position(self.file, 1, 1)
            p = p[:-1]


def _scalar(node: ScalarNode) -> Any:
    """The value of a scalar by its (resolved or explicit) tag; None as the third state is
    impossible here, so a text that does not fit an explicit tag comes back as `_BAD`."""
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    try:
        if tag == _NULL:
            return None if value in ("", "~", "null", "Null", "NULL") else _BAD
        if tag == _BOOL:
            low = value.lower()
            return low == "true" if low in ("true", "false") else _BAD
        if tag == _INT:
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        if tag == _FLOAT:
            low = value.lower().lstrip("+")
            if low in (".inf", "-.inf"):
                return -math.inf if low.startswith("-") else math.inf
            if low == ".nan":
                return math.nan
            return float(value)
    except ValueError:
        return _BAD
    return value


# Marks a scalar whose explicit tag does not fit its text (`!!int abc`).
_BAD = object()


class _Builder:
    """Turns a composed node graph into plain data, counting alias expansion."""

    def __init__(self, loaded: LoadedYaml, max_nodes: int) -> None:
        self.loaded = loaded
        self.max_nodes = max_nodes
        self.count = 0
        self.active: set[int] = set()
        self.vmarks = loaded.value_marks
        self.kmarks = loaded.key_marks

    def _pos(self, node: Node) -> Position:
        m = node.start_mark
        return Position(self.loaded.file, m.line + 1, m.column + 1)

    def _warn(self, node: Node, code: str, message: str, hint: str | None = None) -> None:
        self.loaded.diagnostics.append(
            Diagnostic.at(self._pos(node), "warning", code, message, hint=hint)
        )

    def build(self, node: Node, path: DataPath, depth: int) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise ConfigError(
                Diagnostic.at(
                    self._pos(node),
                    "error",
                    "yaml-too-many-nodes",
                    f"the document expands to more than {self.max_nodes:,} values "
                    "(alias expansion, a 'billion laughs' document?)",
                    hint="remove the repeated aliases (*name) or split the file",
                )
            )
        if depth > MAX_DEPTH:
            raise ConfigError(
                Diagnostic.at(
                    self._pos(node),
                    "error",
                    "yaml-too-deep",
                    f"nesting deeper than {MAX_DEPTH} levels",
                )
            )
        m = node.start_mark
        self.vmarks[path] = (m.line + 1, m.column + 1)
        if node.tag not in _KNOWN_TAGS:
            self._warn(
                node,
                "yaml-unknown-tag",
                f"unknown YAML tag {node.tag!r} is ignored; the value is read as plain data",
                hint=(
                    "Stacktape configs use no custom tags; write intrinsics in their long form "
                    "(Ref:, Fn::GetAtt:)"
                ),
            )
        if isinstance(node, ScalarNode):
            if node.tag not in _KNOWN_TAGS:
                return node.value
            value = _scalar(node)
            if value is _BAD:
                self._warn(
                    node,
                    "yaml-bad-tag-value",
                    f"{node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}; read as text",
                )
                return node.value
            return value
        key = id(node)
        if key in self.active:
            raise ConfigError(
                Diagnostic.at(
                    self._pos(node),
                    "error",
                    "yaml-recursive-alias",
                    "an alias refers to its own anchor",
                )
            )
        self.active.add(key)
        try:
            if isinstance(node, SequenceNode):
                return [
                    self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)
                ]
            assert isinstance(node, MappingNode)
            return self._mapping(node, path, depth)
        finally:
            self.active.discard(key)

    def _mapping(self, node: MappingNode, path: DataPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges: list[Node] = []
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self._warn(
                    key_node, "yaml-complex-key", "a mapping or list used as a key is ignored"
                )
                continue
            raw = _scalar(key_node)
            if raw is _BAD:
                raw = key_node.value
            name = (
                raw
                if isinstance(raw, str)
                else (
                    "null"
                    if raw is None
                    else str(raw).lower()
                    if isinstance(raw, bool)
                    else str(raw)
                )
            )
            if name in seen:
                self.loaded.diagnostics.append(
                    Diagnostic.at(
                        self._pos(key_node),
                        "error",
                        "yaml-duplicate-key",
                        f"duplicate key {name!r} (first written at line "
                        f"{seen[name].start_mark.line + 1}); "
                        "Stacktape's parser rejects it",
                        hint="remove one of the two entries",
                    )
                )
            seen[name] = key_node
            child = (*path, name)
            km = key_node.start_mark
            self.kmarks[child] = (km.line + 1, km.column + 1)
            result[name] = self.build(value_node, child, depth + 1)
        for value_node in merges:
            self._merge(value_node, path, depth, result)
        return result

    def _merge(self, value_node: Node, path: DataPath, depth: int, into: dict[str, Any]) -> None:
        """Add the keys of a `<<` merge's mappings that `into` lacks, with their positions.

        A merged mapping is built at `path` itself, so its marks go to scratch tables first:
        written straight in, they would move the mapping's own mark and the marks of every
        key (and everything under it) that an explicit key or an earlier source already
        gave. Only the keys this source contributes take their marks from it."""
        sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
        here = len(path)
        for src in sources:
            if not isinstance(src, MappingNode):
                self._warn(src, "yaml-bad-merge", "a merge key (<<) must refer to a mapping")
                continue
            vmarks, kmarks = self.vmarks, self.kmarks
            self.vmarks, self.kmarks = {}, {}
            try:
                data = self.build(src, path, depth + 1)
            finally:
                scratch = ((vmarks, self.vmarks), (kmarks, self.kmarks))
                self.vmarks, self.kmarks = vmarks, kmarks
            added = {k: v for k, v in data.items() if k not in into}
            into.update(added)
            for marks, built in scratch:
                marks.update((p, m) for p, m in built.items() if len(p) > here and p[here] in added)


def _expanded_size(root: Node, limit: int) -> int:
    """How many values the document holds once aliases are expanded, stopping past `limit`.

    Shared (aliased) nodes are sized once, so this takes time linear in the composed graph
    even for a "billion laughs" document, and it refuses one before anything is built."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if isinstance(node, ScalarNode):
            sizes[key] = 1
            continue
        children: list[Node] = (
            list(node.value)
            if isinstance(node, SequenceNode)
            else [n for pair in node.value for n in pair]
        )
        if expanded:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in children)
            sizes[key] = total
            if total > limit:
                return total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ConfigError(
                Diagnostic.at(
                    Position("", node.start_mark.line + 1, node.start_mark.column + 1),
                    "error",
                    "yaml-recursive-alias",
                    "an alias refers to its own anchor",
                )
            )
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


# What YAML counts as a line break (libyaml's marks count these, so positions agree).
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


def line_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of `text[index]`."""
    line, line_start = 1, 0
    for m in _LINE_BREAK.finditer(text, 0, index):
        line, line_start = line + 1, m.end()
    return line, index - line_start + 1


def _unacceptable(text: str, index: int, reason: str, file: str) -> ConfigError:
    """The error for a character YAML does not allow, at `text[index]`."""
    line, column = line_column(text, index)
    if line == 1 and text.startswith("\ufeff"):
        column -= 1  # a leading byte order mark takes no column in the parser's marks either
    code = ord(text[index])
    escape = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    # YAML has no escape for half a surrogate pair: there is only the advice to delete it.
    surrogate = 0xD800 <= code <= 0xDFFF
    return ConfigError(
        Diagnostic(
            "error",
            "yaml-syntax",
            f"YAML syntax error: unacceptable character #x{code:04x}: {reason}",
            file,
            line,
            column,
            hint="delete it"
            if surrogate
            else f'delete it, or write it as the escape "{escape}" inside a double-quoted string',
        )
    )


def parse_yaml(text: str, file: str = "<string>", *, max_nodes: int = MAX_NODES) -> LoadedYaml:
    """Parse one YAML document from `text`; raise ConfigError when it cannot be read at all."""
    if len(text) > MAX_BYTES:
        raise ConfigError(
            Diagnostic(
                "error",
                "file-too-large",
                f"the file is {len(text):,} characters; the limit is {MAX_BYTES:,}",
                file,
                hint="a Stacktape config is rarely over 1 MB; is this the right file?",
            )
        )
    loaded = LoadedYaml(file, None)
    loader = None
    try:
        loader = _Loader(text)  # the pure-Python reader checks every character here already
        node = loader.get_single_node()
    except UnicodeEncodeError as exc:  # the C parser reads UTF-8, which has no lone surrogates
        raise _unacceptable(text, exc.start, "a lone surrogate is not text", file) from None
    except yaml.reader.ReaderError as exc:
        # A character the reader refuses comes with an offset, not a mark: into the UTF-8
        # bytes of the text for libyaml, into its characters for pure Python.
        index = exc.position
        if _Loader.counts_bytes:
            index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        raise _unacceptable(text, index, exc.reason, file) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        raise ConfigError(
            Diagnostic("error", "yaml-syntax", f"YAML syntax error: {problem}", file, line, col)
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(Diagnostic("error", "yaml-syntax", f"YAML error: {exc}", file)) from None
    except RecursionError:
        raise ConfigError(
            Diagnostic("error", "yaml-too-deep", "the document is nested too deeply to read", file)
        ) from None
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose:
            dispose()
    if node is None:
        return loaded
    try:
        # Without an anchor (`&`) there is no alias to expand, and the builder's own count
        # bounds the work; only a document with anchors needs sizing before it is built.
        size = _expanded_size(node, max_nodes) if "&" in text else 0
    except ConfigError as exc:
        d = exc.diagnostic
        raise ConfigError(
            Diagnostic(d.severity, d.code, d.message, file, d.line, d.column)
        ) from None
    if size > max_nodes:
        raise ConfigError(
            Diagnostic(
                "error",
                "yaml-too-many-nodes",
                f"the document expands to more than {max_nodes:,} values "
                "(alias expansion, a 'billion laughs' document?)",
                file,
                1,
                1,
                hint="remove the repeated aliases (*name) or split the file",
            )
        )
    loaded.data = _Builder(loaded, max_nodes).build(node, (), 0)
    return loaded


def read_text(path: str | Path, *, display_name: str | None = None) -> str:
    """Read a config file as text, refusing oversized or undecodable input with a ConfigError."""
    p = Path(path)
    name = display_name or str(path)
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            # A device or a FIFO: /dev/zero never ends and a FIFO blocks until written.
            raise ConfigError(Diagnostic("error", "file-unreadable", "not a regular file", name))
        size = info.st_size
        if size > MAX_BYTES:
            raise ConfigError(
                Diagnostic(
                    "error",
                    "file-too-large",
                    f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}",
                    name,
                    hint="a Stacktape config is rarely over 1 MB; is this the right file?",
                )
            )
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # a file that grew since stat() is cut short
        if len(raw) > MAX_BYTES:
            raise ConfigError(
                Diagnostic("error", "file-too-large", f"the file is over {MAX_BYTES:,} bytes", name)
            )
    except ConfigError:
        raise
    except IsADirectoryError:
        raise ConfigError(
            Diagnostic("error", "file-unreadable", "this is a directory, not a file", name)
        ) from None
    except OSError as exc:
        raise ConfigError(
            Diagnostic(
                "error", "file-unreadable", f"cannot read the file: {exc.strerror or exc}", name
            )
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            Diagnostic("error", "file-encoding", f"the file is not UTF-8 (byte {exc.start})", name)
        ) from None
