"""Training inside the window against headless ``Network.train``, measured in the same run.

Prints steps per second in the window (speed: max) and headless, their ratio, the worst
event-loop delay while training, and canvas repaints per second. Targets: ≥ 50 % of headless
speed, worst delay ≤ 50 ms, ≥ 30 repaints/s.

    uv run python benchmarks/bench_gui.py [--seconds 1] [--rounds 3] [--preset xor] [--check]

Runs off-screen unless a display is set (QT_QPA_PLATFORM decides).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.lesson import load_preset  # noqa: E402
from gui.training import SPEEDS  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

PROBE_MS = 5  # the probe timer's interval: its lateness is the event loop's delay


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def headless_steps(lesson, seconds):
    """Steps of ``Network.train`` in ``seconds``, in chunks as large as the window's slices."""
    net = lesson.network
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        net.train(lesson.inputs, lesson.targets, lesson.lr, 1000, lesson.batch_size)
        steps += 1000
    return steps, time.perf_counter() - t0


def measure(preset, seconds, rounds):
    """Window and headless take turns, ``rounds`` times each, so a slow spell of this shared
    machine hits both: (window steps/s, headless steps/s, worst delay ms, repaints/s)."""
    app = QApplication.instance() or QApplication([])
    window = MainWindow(load_preset(preset))
    window.resize(1600, 1000)
    window.show()
    app.processEvents()
    counter = PaintCounter()
    window.view.viewport().installEventFilter(counter)
    worst = [0.0]
    clock = QElapsedTimer()
    probe = QTimer(interval=PROBE_MS)

    def tick():
        if clock.isValid():
            worst[0] = max(worst[0], clock.nsecsElapsed() / 1e6 - PROBE_MS)
        clock.restart()

    probe.timeout.connect(tick)
    c = window.controller
    c.set_speed(len(SPEEDS) - 1)
    headless = load_preset(preset)
    win_steps = win_time = head_steps = head_time = 0.0
    for _ in range(rounds):
        start_steps = c.step_count
        clock.invalidate()
        probe.start()
        c.start_training()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            app.processEvents()
        win_time += time.perf_counter() - t0
        c.pause()
        probe.stop()
        win_steps += c.step_count - start_steps
        n, t = headless_steps(headless, seconds)
        head_steps += n
        head_time += t
    return win_steps / win_time, head_steps / head_time, worst[0], counter.count / win_time


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=1.0, help="length of each turn")
    p.add_argument("--rounds", type=int, default=3, help="turns each for window and headless")
    p.add_argument("--preset", default="xor",
                   help="xor keeps changing for thousands of steps, so every frame has news")
    p.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    a = p.parse_args(argv)
    in_window, headless, worst_ms, repaints = measure(a.preset, a.seconds, a.rounds)
    ratio = in_window / headless
    rows = [
        ("steps/s in the window", f"{in_window:,.0f}", ""),
        ("steps/s headless train()", f"{headless:,.0f}", ""),
        ("window / headless", f"{ratio:.0%}", "PASS" if ratio >= 0.5 else "FAIL (≥ 50 %)"),
        ("worst event-loop delay", f"{worst_ms:.1f} ms", "PASS" if worst_ms <= 50 else
         "FAIL (≤ 50 ms)"),
        ("canvas repaints/s", f"{repaints:.0f}", "PASS" if repaints >= 30 else "FAIL (≥ 30)"),
    ]
    print(f"preset {a.preset}, {a.rounds} turns of {a.seconds:g} s each, "
          f"platform {QApplication.platformName()}")
    for name, value, verdict in rows:
        print(f"  {name:<28} {value:>12}  {verdict}")
    return 1 if a.check and any(v.startswith("FAIL") for _, _, v in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
