"""The simulator: virtual clock, AWS service models and schedules; no UI imports."""
