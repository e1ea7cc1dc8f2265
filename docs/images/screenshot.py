"""Regenerate `main-screen.svg`, the README's picture of the main screen.

The job-queue story at a fixed start, seed and terminal size, so that the picture changes
only when the app does: ten orders sent, three declined until the DLQ holds them.

Run: `.venv/bin/python docs/images/screenshot.py`
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from stptui.commands import Session
from stptui.sim.clock import parse_instant
from stptui.tui.app import StptuiApp

HERE = Path(__file__).resolve().parent
STACK = HERE.parents[1] / "stptui" / "sample_stacks" / "job-queue"
SIZE = (180, 46)


async def main() -> None:
    """Drive the story and write the SVG next to this script."""
    session = Session.open(STACK, start_ms=parse_instant("2026-01-05T08:00:00Z"))
    app = StptuiApp(session)
    async with app.run_test(size=SIZE) as pilot:
        for n in range(10):
            amount = 5000 if n in (2, 5, 7) else 20 + n  # the worker declines over 1000
            app.run_command(f'send jobQueue \'{{"orderId": {n}, "amount": {amount}}}\'')
        app.run_command("advance 16m")
        app.jump_to("worker")
        await pilot.pause()
        svg = app.export_screenshot(title="stptui")
    (HERE / "main-screen.svg").write_text(svg, encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
