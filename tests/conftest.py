"""Settings shared by every test."""

from __future__ import annotations

from hypothesis import settings

# Hypothesis's default 200 ms deadline per example is a wall-clock assertion, and these tests
# run on shared, loaded machines: speed is measured by benchmarks/, never by a test.
settings.register_profile("stptui", deadline=None)
settings.load_profile("stptui")
