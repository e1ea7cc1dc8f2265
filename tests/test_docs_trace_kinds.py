"""Every trace record kind is shown by an example the suite runs: a `console` block's command
or output (tests/test_docs.py runs them) or a `check: commands` block's line, such as an
`expect count KIND` (tests/test_docs_examples.py runs those). docs/trace-format.md's
"Making each kind" holds the ones no other page shows, so a new kind comes with a way to
make it."""

from __future__ import annotations

import re

from test_docs import _all_blocks
from test_docs_examples import checked

from stptui.sim import trace

KINDS = {
    v
    for k, v in vars(trace).items()
    if k.isupper() and isinstance(v, str) and re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v)
}


def shown_kinds() -> set[str]:
    """The kinds named in the text of the examples the suite runs."""
    text = "\n".join("\n".join(b.lines) for b in _all_blocks())
    text += "\n".join(b.text for b in checked("commands"))
    return {k for k in KINDS if re.search(rf"(?<![\w.]){re.escape(k)}(?![\w.])", text)}


def test_every_kind_is_in_an_example_the_suite_runs() -> None:
    missing = KINDS - shown_kinds()
    assert sorted(missing) == [], "kinds no example shows: add one (trace-format.md)"
