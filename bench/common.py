"""What the benchmarks share: the bench database, timing, percentiles and the closing verdict.

Imported by the scripts in bench/ (after they put the checkout on sys.path); on its own it does
nothing.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def bench_data():
    """Django set up on DATABASE_URL's database, with the bench data built there if missing."""
    from bench import make_data

    make_data.setup()
    if not make_data.is_built():
        make_data.refuse_foreign_data()
        print("Building the bench data first…")
        make_data.build()


def timed(fn):
    """(milliseconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(name: str, timings, width: int, extra: str = "") -> float:
    """Print a row (name, median and 90th percentile in ms, then `extra`); return the median."""
    median = statistics.median(timings)
    print(f"{name:<{width}} {median:9.1f} {percentile(timings, 0.9):8.1f}{extra}")
    return median


def finish(failures, ok: str, *, heading="OVER TARGET"):
    """Say how busy the machine was (timings mean little on a busy one), then list the failures
    and exit 1, or print the OK line."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average (1, 5, 15 min): {load}; {os.cpu_count()} CPUs")
    if failures:
        print(f"\n{heading}:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print(f"\nOK: {ok}")
