"""What a benchmark prints about the machine it ran on: its load and the speed of a reference loop.

This machine is shared and its speed drifts, so a figure is only compared with another of the same
run (a ratio to a baseline), or with another run's after scaling by the reference loop.
"""

from __future__ import annotations

import os
import time


def reference_loop() -> float:
    """CPU seconds of a fixed pure-Python loop (as bench/relay.py measures it)."""
    started = time.process_time()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.process_time() - started


def machine_line() -> str:
    """``load average 1.2 / 0.9 / 0.7 on 2 cores; reference loop 0.21 s``."""
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores; "
        f"reference loop {reference_loop():.2f} s"
    )
