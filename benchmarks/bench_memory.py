"""Memory the window keeps: many Reset/Randomize presses, and a long run of training.

Prints the growth of the process's resident memory (RSS, from /proc/self/statm) and of what
Python and NumPy allocated (tracemalloc) for

- 10,000 presses of Randomize and Reset (alternating, through their QActions) on the notes'
  net and on a 139-parameter net, after a long run has filled the history (target: < 50 MB);
- 10^6 training steps in the window (Train N at full speed, the event loop running).

    uv run python benchmarks/bench_memory.py [--presses 10000] [--steps 1000000] [--check]

Linux only (RSS from /proc). Runs off-screen unless a display is set.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from engine import Network  # noqa: E402
from engine.lesson import Lesson, load_preset  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

PRESS_TARGET_MB = 50


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def wide_lesson():
    """A 139-parameter net: 4-8-8-3 (32 + 64 + 24 weights, 19 biases)."""
    net = Network([4, 8, 8, 3], ["tanh", "tanh", "linear"], seed=1)
    rng = np.random.default_rng(0)
    return Lesson(net, rng.normal(size=(8, 4)), rng.normal(size=(8, 3)), 0.01, name="wide")


def presses(app, lesson, n):
    window = MainWindow(lesson)
    window.show()
    app.processEvents()
    c = window.controller
    c.run_steps(200_000)  # a full history: what a copy per press used to cost
    actions = (window.actionRandomize, window.actionReset)
    for k in range(20):
        actions[k % 2].trigger()
    gc.collect()
    tracemalloc.start()
    rss0, (py0, _) = rss_mb(), tracemalloc.get_traced_memory()
    t0 = time.perf_counter()
    for k in range(n):
        actions[k % 2].trigger()
        if k % 100 == 0:
            app.processEvents()
    seconds = time.perf_counter() - t0
    gc.collect()
    py1, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = rss_mb()
    params = c.network.n_params
    window.close()
    return params, rss1 - rss0, (py1 - py0) / 2**20, seconds


def training(app, steps):
    window = MainWindow(load_preset("xor"))
    window.show()
    app.processEvents()
    c = window.controller
    gc.collect()
    rss0 = rss_mb()
    t0 = time.perf_counter()
    c.start_training(steps, fast=True)
    while c.training:
        app.processEvents()
    seconds = time.perf_counter() - t0
    gc.collect()
    grown = rss_mb() - rss0
    done = c.step_count
    window.close()
    return done, grown, seconds


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presses", type=int, default=10_000)
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--check", action="store_true", help=f"exit 1 if a press test grows by "
                   f"{PRESS_TARGET_MB} MB or more")
    a = p.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    failed = False
    for lesson in (load_preset("notes_linear"), wide_lesson()):
        params, rss, py, seconds = presses(app, lesson, a.presses)
        ok = rss < PRESS_TARGET_MB
        failed |= not ok
        print(f"{a.presses:,} Randomize/Reset presses, {params}-parameter net: RSS +{rss:.1f} "
              f"MB, Python/NumPy +{py:.1f} MB, {seconds:.1f} s  "
              f"{'PASS' if ok else 'FAIL'} (< {PRESS_TARGET_MB} MB)")
    done, grown, seconds = training(app, a.steps)
    print(f"{done:,} training steps in the window (XOR, Train N at full speed): RSS "
          f"+{grown:.1f} MB, {seconds:.1f} s")
    return 1 if a.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
