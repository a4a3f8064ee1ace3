"""The timeline at 10^6 steps: memory, and the time to show a random past step.

1. Engine: the notes' net (notes_linear) trains 10^6 steps in chunks of 10,000 into an
   ``engine.timeline.Timeline``; prints the checkpoints, their spacing, the bytes they hold, the
   tracemalloc growth, and the time of ``state_at(k)`` (replay from the nearest checkpoint plus
   the record of step k) for random k.
2. Window: the same 10^6 steps with Train N's code path (``Controller.run_steps``) in an
   off-screen MainWindow, then random steps shown through the timeline's slider — the
   controller's state, the canvas, inspector, math panel and markers, events processed (painted)
   — timed from the slider's move until the event loop is idle again; RSS and tracemalloc growth
   over the run.

    uv run python benchmarks/bench_timeline.py [--steps 1000000] [--shows 200] [--check]

``--check``: exit 1 if any step took more than 50 ms to show. Linux only (RSS from /proc).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 50.0


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def summary(ms):
    return (f"median {statistics.median(ms):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, "
            f"max {max(ms):.2f} ms over {len(ms)} steps")


def engine_case(steps, shows):
    from engine.lesson import load_preset
    from engine.timeline import Timeline

    lesson = load_preset("notes_linear")
    net, X, T = lesson.network, lesson.inputs, lesson.targets
    tl = Timeline()
    tracemalloc.start()
    t0 = time.perf_counter()
    done, chunk = 0, 10_000
    while done < steps:
        k = min(chunk, steps - done)
        params = np.empty((k, net.n_params))
        tl.begin(net, X, T, lesson.lr, None, None, done)
        net.train(X, T, lesson.lr, k, params_out=params, start=done)
        tl.extend(params)
        done += k
    train_s = time.perf_counter() - t0
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rng = np.random.default_rng(0)
    ms = []
    for k in rng.integers(0, steps + 1, size=shows):
        t = time.perf_counter()
        tl.state_at(int(k))
        ms.append((time.perf_counter() - t) * 1e3)
    print(f"engine: {steps:,} steps of the notes' net ({net.n_params} parameters) recorded in "
          f"{train_s:.1f} s; {tl.checkpoints():,} checkpoints every {tl.spacing:,} steps, "
          f"{tl.nbytes() / 1024:.0f} KiB; tracemalloc after the run {current / 2**20:.2f} MB "
          f"(peak {peak / 2**20:.2f} MB, the training chunks included)")
    print(f"engine: state_at(k) for random k: {summary(ms)}")
    return ms


def window_case(steps, shows):
    from PySide6.QtWidgets import QApplication

    from engine.lesson import load_preset
    from gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    w = MainWindow(load_preset("notes_linear"))
    w.resize(1280, 720)
    w.show()
    app.processEvents()
    c = w.controller
    c.select(("w", 3, 5))  # the inspector and the math panel show w35's numbers
    app.processEvents()
    rss0 = rss_mb()
    tracemalloc.start()
    t0 = time.perf_counter()
    c.run_steps(steps)
    run_s = time.perf_counter() - t0
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    app.processEvents()
    rss1 = rss_mb()
    print(f"window: {steps:,} steps (Train N's path) in {run_s:.1f} s; RSS +{rss1 - rss0:.1f} MB, "
          f"tracemalloc +{current / 2**20:.2f} MB (history, timeline, undo); the timeline holds "
          f"{c.timeline.checkpoints():,} checkpoints every {c.timeline.spacing:,} steps "
          f"({c.timeline.nbytes() / 1024:.0f} KiB)")
    slider = w.timeline.bar.slider
    rng = np.random.default_rng(1)
    ms = []
    for k in rng.integers(0, steps, size=shows):
        t = time.perf_counter()
        slider.setValue(int(k))
        app.processEvents()
        ms.append((time.perf_counter() - t) * 1e3)
        assert c.viewing == int(k)
    print(f"window: a random step shown (slider moved → state, canvas, inspector, math panel, "
          f"markers, events processed): {summary(ms)}; the first {ms[0]:.1f} ms, the worst "
          f"after it {max(ms[1:]):.1f} ms")
    w.close()
    return ms


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--shows", type=int, default=200)
    p.add_argument("--check", action="store_true")
    a = p.parse_args(argv)
    engine_ms = engine_case(a.steps, a.shows)
    window_ms = window_case(a.steps, a.shows)
    worst = max(max(engine_ms), max(window_ms))
    if a.check and worst > TARGET_MS:
        print(f"FAIL: a step took {worst:.1f} ms to show (target {TARGET_MS:.0f} ms)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
