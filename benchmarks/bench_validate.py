"""`stptui validate` on a generated 2,000-resource stack, as a ratio to a bare C-YAML parse.

Target (issue 2): under 3x the bare parse, and under 1 s on a CI core. Both are measured in
this one run, best of several repetitions, so that the ratio holds on a noisy shared machine.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from stackgen import generate_stack

from stptui.config import load_stack


def best_of(fn, repeat: int = 7) -> float:
    """The fastest of `repeat` timed calls, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    text = generate_stack(2000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stacktape.yml"
        path.write_text(text)
        stack = load_stack(path)
        assert len(stack.resources) >= 2000, len(stack.resources)
        assert not stack.errors, [d.format() for d in stack.errors[:5]]
        bare = best_of(lambda: yaml.load(path.read_text(), Loader=yaml.CSafeLoader))
        full = best_of(lambda: load_stack(path))
    ratio = full / bare
    print(f"stack: {len(stack.resources)} resources, {len(text) / 1024:.0f} KiB")
    print(f"bare C-YAML parse (yaml.CSafeLoader): {bare * 1000:.1f} ms")
    print(f"stptui validate (parse+directives+model+lint): {full * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f}x  (target < 3x; absolute target < 1000 ms)")
    return 0 if ratio < 3 and full < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
